package emulator

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func TestImageSharing(t *testing.T) {
	e := newSnapEnv(t)
	const otherID = "2000000000000002"
	e.srv.AddAccount(otherID, "other-ak", "other-sk")
	other := ecsClient(t, e.srv, SeedRegion, "other-ak", "other-sk")
	id, _ := e.readyImage("shared")

	share := ecs.CreateModifyImageSharePermissionRequest()
	share.ImageId = id
	share.AddAccount = &[]string{otherID}
	if _, err := e.bj.ModifyImageSharePermission(share); err != nil {
		t.Fatal(err)
	}
	perm := ecs.CreateDescribeImageSharePermissionRequest()
	perm.ImageId = id
	pr, err := e.bj.DescribeImageSharePermission(perm)
	if err != nil {
		t.Fatal(err)
	}
	if pr.TotalCount != 1 || pr.Accounts.Account[0].AliyunId != otherID || pr.Accounts.Account[0].SharedTime == "" {
		t.Errorf("share permission: %+v", pr.Accounts)
	}
	others := ecs.CreateDescribeImagesRequest()
	others.ImageOwnerAlias = "others"
	r, err := other.DescribeImages(others)
	if err != nil {
		t.Fatal(err)
	}
	if r.TotalCount != 1 || r.Images.Image[0].ImageId != id || r.Images.Image[0].ImageOwnerAlias != "others" {
		t.Fatalf("shared image seen by the other account: %+v", r.Images.Image)
	}
	// The other account can boot it but not manage it.
	run := runReq(SeedRegion)
	run.ImageId = id
	run.VSwitchId = seedID("vsw", "2ze", "seedvswh")
	run.SecurityGroupId = seedID("sg", "2ze", "seedsg")
	if _, err := other.RunInstances(run); err != nil {
		t.Errorf("RunInstances from a shared image: %v", err)
	}
	_, err = other.DescribeImageSharePermission(perm)
	wantAPIError(t, err, 404, "InvalidImageId.NotFound")
	del := ecs.CreateDeleteImageRequest()
	del.ImageId = id
	del.Force = requests.NewBoolean(true)
	_, err = e.bj.DeleteImage(del)
	wantAPIError(t, err, 403, "ImageUseShared")

	bad := ecs.CreateModifyImageSharePermissionRequest()
	bad.ImageId = id
	bad.AddAccount = &[]string{"not-an-account"}
	_, err = e.bj.ModifyImageSharePermission(bad)
	wantAPIError(t, err, 404, "InvalidAccount.NotFound")
	self := ecs.CreateModifyImageSharePermissionRequest()
	self.ImageId = id
	self.AddAccount = &[]string{DefaultAccountID}
	_, err = e.bj.ModifyImageSharePermission(self)
	wantAPIError(t, err, 404, "InvalidAccount.Forbbiden")

	unshare := ecs.CreateModifyImageSharePermissionRequest()
	unshare.ImageId = id
	unshare.RemoveAccount = &[]string{otherID}
	if _, err := e.bj.ModifyImageSharePermission(unshare); err != nil {
		t.Fatal(err)
	}
	if r, _ := other.DescribeImages(others); r.TotalCount != 0 {
		t.Errorf("unshared image still visible: %d", r.TotalCount)
	}
	if _, err := e.bj.DeleteImage(del); err != nil {
		t.Errorf("delete after unsharing (forced past the other account's instance): %v", err)
	}
}
