package emulator

import (
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// image describes one image by id with the given Status filter ("" is the
// API default, Available only); ok false when not listed.
func (e *snapEnv) image(c *ecs.Client, id, status string) (ecs.Image, bool) {
	e.t.Helper()
	req := ecs.CreateDescribeImagesRequest()
	req.ImageId = id
	req.Status = status
	resp, err := c.DescribeImages(req)
	if err != nil {
		e.t.Fatalf("DescribeImages: %v", err)
	}
	if len(resp.Images.Image) == 0 {
		return ecs.Image{}, false
	}
	return resp.Images.Image[0], true
}

func (e *snapEnv) mustImage(c *ecs.Client, id, status string) ecs.Image {
	e.t.Helper()
	im, ok := e.image(c, id, status)
	if !ok {
		e.t.Fatalf("image %s not listed with Status=%q", id, status)
	}
	return im
}

const allImageStatuses = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"

// readyImage makes an Available image from a system disk snapshot.
func (e *snapEnv) readyImage(name string) (imageID, snapshotID string) {
	e.t.Helper()
	snapshotID = e.createSnapshot(SeedDiskCoreDBSys, "sys-"+name)
	e.clock.Advance(e.srv.ecs.durations.SnapshotCreate)
	req := ecs.CreateCreateImageRequest()
	req.SnapshotId = snapshotID
	req.ImageName = name
	resp, err := e.bj.CreateImage(req)
	if err != nil {
		e.t.Fatalf("CreateImage: %v", err)
	}
	e.clock.Advance(e.srv.ecs.durations.ImageCreate)
	return resp.ImageId, snapshotID
}

func TestImageFromSnapshotLifecycle(t *testing.T) {
	e := newSnapEnv(t)
	d := e.srv.ecs.durations
	snap := e.createSnapshot(SeedDiskCoreDBSys, "sys")
	req := ecs.CreateCreateImageRequest()
	req.SnapshotId = snap
	req.ImageName = "golden"
	req.Description = "golden image"
	req.Architecture = "x86_64"
	req.Platform = "Aliyun"
	req.Tag = &[]ecs.CreateImageTag{{Key: "tier", Value: "gold"}}
	_, err := e.bj.CreateImage(req)
	wantAPIError(t, err, 403, "InvalidSnapshotId.NotReady")

	e.clock.Advance(d.SnapshotCreate)
	resp, err := e.bj.CreateImage(req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.ImageId, "m-2ze") {
		t.Errorf("image id %s", resp.ImageId)
	}
	// DescribeImages lists Available images unless Status says otherwise.
	if _, ok := e.image(e.bj, resp.ImageId, ""); ok {
		t.Error("Creating image listed without a Status filter")
	}
	im := e.mustImage(e.bj, resp.ImageId, "Creating")
	if im.Status != "Creating" || im.Progress != "0%" {
		t.Errorf("new image: %s %s", im.Status, im.Progress)
	}
	e.clock.Advance(d.ImageCreate / 2)
	if im = e.mustImage(e.bj, resp.ImageId, "Creating"); im.Progress != "50%" {
		t.Errorf("half way: %s", im.Progress)
	}
	e.clock.Advance(d.ImageCreate / 2)
	im = e.mustImage(e.bj, resp.ImageId, "")
	if im.Status != "Available" || im.Progress != "100%" || im.ImageName != "golden" || im.Description != "golden image" ||
		im.Size != 40 || im.ImageOwnerAlias != "self" || im.ImageOwnerId != 1000000000000001 || im.IsCopied ||
		im.Platform != "Aliyun" || im.Architecture != "x86_64" || im.OSType != "linux" || im.Usage != "none" {
		t.Errorf("available image: %+v", im)
	}
	maps := im.DiskDeviceMappings.DiskDeviceMapping
	if len(maps) != 1 || maps[0].SnapshotId != snap || maps[0].Size != "40" || maps[0].Type != "system" {
		t.Errorf("mappings: %+v", maps)
	}
	if len(im.Tags.Tag) != 1 || im.Tags.Tag[0].TagKey != "tier" {
		t.Errorf("tags: %+v", im.Tags.Tag)
	}
	if s := e.mustSnapshot(e.bj, snap); s.Usage != "image" {
		t.Errorf("snapshot usage %s", s.Usage)
	}
	// Filters.
	byName := ecs.CreateDescribeImagesRequest()
	byName.ImageName = "golden"
	byName.ImageOwnerAlias = "self"
	if r, err := e.bj.DescribeImages(byName); err != nil || r.TotalCount != 1 {
		t.Errorf("ImageName filter: %v %v", r, err)
	}
	bySnap := ecs.CreateDescribeImagesRequest()
	bySnap.SnapshotId = snap
	if r, err := e.bj.DescribeImages(bySnap); err != nil || r.TotalCount != 1 {
		t.Errorf("SnapshotId filter: %v %v", r, err)
	}
	if _, ok := e.image(e.sh, resp.ImageId, ""); ok {
		t.Error("image listed in another region")
	}
}

func TestImageDescribeSystemAndPaging(t *testing.T) {
	e := newSnapEnv(t)
	own, _ := e.readyImage("mine")
	sys := ecs.CreateDescribeImagesRequest()
	sys.ImageOwnerAlias = "system"
	sys.PageSize = requests.NewInteger(100)
	r, err := e.bj.DescribeImages(sys)
	if err != nil {
		t.Fatal(err)
	}
	if r.TotalCount != len(publicImageSeeds) {
		t.Fatalf("%d system images, want %d", r.TotalCount, len(publicImageSeeds))
	}
	for _, im := range r.Images.Image {
		if im.ImageOwnerAlias != "system" || im.Status != "Available" || im.ImageId == own {
			t.Errorf("system image %+v", im)
		}
	}
	all := ecs.CreateDescribeImagesRequest()
	all.PageSize = requests.NewInteger(2)
	all.PageNumber = requests.NewInteger(1)
	r, err = e.bj.DescribeImages(all)
	if err != nil {
		t.Fatal(err)
	}
	if r.TotalCount != len(publicImageSeeds)+1 || len(r.Images.Image) != 2 || r.Images.Image[0].ImageId != own {
		t.Errorf("all images, page 1: total %d, %d items, first %s", r.TotalCount, len(r.Images.Image), r.Images.Image[0].ImageId)
	}
	bad := ecs.CreateDescribeImagesRequest()
	bad.ImageOwnerAlias = "friends"
	_, err = e.bj.DescribeImages(bad)
	wantAPIError(t, err, 400, "InvalidParameter")
}

func TestImageFromInstanceAndDeleteInUse(t *testing.T) {
	e := newSnapEnv(t)
	d := e.srv.ecs.durations
	req := ecs.CreateCreateImageRequest()
	req.InstanceId = SeedInstanceCoreDB
	req.ImageName = "core-db-image"
	resp, err := e.bj.CreateImage(req)
	if err != nil {
		t.Fatal(err)
	}
	im := e.mustImage(e.bj, resp.ImageId, "Creating")
	maps := im.DiskDeviceMappings.DiskDeviceMapping
	if len(maps) != 2 || maps[0].Type != "system" || maps[0].Size != "40" || maps[1].Type != "data" || maps[1].Size != "200" ||
		maps[1].Device != "/dev/xvdb" {
		t.Fatalf("instance image mappings: %+v", maps)
	}
	for _, m := range maps {
		s := e.mustSnapshot(e.bj, m.SnapshotId)
		if s.Usage != "image" || s.Status != "progressing" {
			t.Errorf("image snapshot %s: usage %s status %s", s.SnapshotId, s.Usage, s.Status)
		}
	}
	if im.Platform != "Aliyun" || !strings.HasPrefix(im.OSName, "Alibaba Cloud Linux") {
		t.Errorf("platform %s os %s", im.Platform, im.OSName)
	}
	e.clock.Advance(d.ImageCreate)
	if s := e.mustSnapshot(e.bj, maps[1].SnapshotId); s.Status != "accomplished" {
		t.Errorf("image snapshot after creation: %s", s.Status)
	}

	// Boot an instance from it: its data disk comes from the image's data
	// snapshot, and the image is now in use.
	run := runReq("cn-beijing")
	run.ImageId = resp.ImageId
	run.SystemDiskSize = "40"
	ran, err := e.bj.RunInstances(run)
	if err != nil {
		t.Fatalf("RunInstances from the custom image: %v", err)
	}
	if im := e.mustImage(e.bj, resp.ImageId, ""); im.Usage != "instance" {
		t.Errorf("image usage %s", im.Usage)
	}
	del := ecs.CreateDeleteImageRequest()
	del.ImageId = resp.ImageId
	_, err = e.bj.DeleteImage(del)
	wantAPIError(t, err, 403, "ImageUsingByInstance")
	force := ecs.CreateDeleteImageRequest()
	force.ImageId = resp.ImageId
	force.Force = requests.NewBoolean(true)
	if _, err := e.bj.DeleteImage(force); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.image(e.bj, resp.ImageId, allImageStatuses); ok {
		t.Error("deleted image still listed")
	}
	// The image's snapshots stay (as in the service) and can now be deleted.
	for _, m := range maps {
		s := e.mustSnapshot(e.bj, m.SnapshotId)
		if s.Usage == "image" || s.Usage == "image_disk" {
			t.Errorf("snapshot %s still used by an image: %s", s.SnapshotId, s.Usage)
		}
	}
	sysDel := ecs.CreateDeleteSnapshotRequest()
	sysDel.SnapshotId = maps[0].SnapshotId
	if _, err := e.bj.DeleteSnapshot(sysDel); err != nil {
		t.Errorf("deleting the image's system snapshot: %v", err)
	}
	if len(ran.InstanceIdSets.InstanceIdSet) != 1 {
		t.Errorf("instances run: %v", ran.InstanceIdSets.InstanceIdSet)
	}
	// Deleting an image that does not exist answers 404
	// InvalidImageId.NotFound; public images are not deletable.
	_, err = e.bj.DeleteImage(del)
	wantAPIError(t, err, 404, "InvalidImageId.NotFound")
	pub := ecs.CreateDeleteImageRequest()
	pub.ImageId = publicImageSeeds[0].ID
	_, err = e.bj.DeleteImage(pub)
	wantAPIError(t, err, 403, "OperationDenied")
}

func TestImageCreateValidationAndClientToken(t *testing.T) {
	e := newSnapEnv(t)
	_, snap := e.readyImage("first")
	create := func(mod func(*ecs.CreateImageRequest)) (*ecs.CreateImageResponse, error) {
		req := ecs.CreateCreateImageRequest()
		mod(req)
		return e.bj.CreateImage(req)
	}
	_, err := create(func(r *ecs.CreateImageRequest) {})
	wantAPIError(t, err, 400, "MissingParameter")
	_, err = create(func(r *ecs.CreateImageRequest) { r.SnapshotId, r.InstanceId = snap, SeedInstanceCoreDB })
	wantAPIError(t, err, 400, "InvalidParameter.Conflict")
	_, err = create(func(r *ecs.CreateImageRequest) { r.SnapshotId, r.ImageName = snap, "first" })
	wantAPIError(t, err, 400, "InvalidImageName.Duplicated")
	_, err = create(func(r *ecs.CreateImageRequest) { r.SnapshotId, r.ImageName = snap, "aliyun-fake" })
	wantAPIError(t, err, 400, "InvalidImageName.Malformed")
	_, err = create(func(r *ecs.CreateImageRequest) { r.SnapshotId = "s-2zenothere0000000000" })
	wantAPIError(t, err, 404, "InvalidSnapshotId.NotFound")
	_, err = create(func(r *ecs.CreateImageRequest) { r.InstanceId = "i-2zenothere0000000000" })
	wantAPIError(t, err, 404, "InvalidInstanceId.NotFound")
	_, err = create(func(r *ecs.CreateImageRequest) { r.SnapshotId, r.Architecture = snap, "sparc" })
	wantAPIError(t, err, 400, "InvalidArchitecture.Malformed")

	// DiskDeviceMapping: system from the snapshot plus an empty 100 GiB data disk.
	dm, err := create(func(r *ecs.CreateImageRequest) {
		r.ImageName = "mapped"
		r.DiskDeviceMapping = &[]ecs.CreateImageDiskDeviceMapping{
			{SnapshotId: snap, Size: "50", DiskType: "system"},
			{Size: "100", DiskType: "data"},
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	im := e.mustImage(e.bj, dm.ImageId, "Creating")
	if maps := im.DiskDeviceMappings.DiskDeviceMapping; len(maps) != 2 || maps[0].Size != "50" || im.Size != 50 ||
		maps[1].Size != "100" || maps[1].SnapshotId != "" || maps[1].Type != "data" {
		t.Errorf("mapped image: %+v", im.DiskDeviceMappings.DiskDeviceMapping)
	}
	_, err = create(func(r *ecs.CreateImageRequest) {
		r.DiskDeviceMapping = &[]ecs.CreateImageDiskDeviceMapping{{SnapshotId: snap, Size: "20"}}
	})
	wantAPIError(t, err, 400, "InvalidSize.ValueNotSupported")
	_, err = create(func(r *ecs.CreateImageRequest) {
		r.DiskDeviceMapping = &[]ecs.CreateImageDiskDeviceMapping{{Size: "40"}}
	})
	wantAPIError(t, err, 400, "MissingParameter")
	_, err = create(func(r *ecs.CreateImageRequest) {
		r.DiskDeviceMapping = &[]ecs.CreateImageDiskDeviceMapping{{SnapshotId: snap}, {SnapshotId: snap, DiskType: "system"}}
	})
	wantAPIError(t, err, 400, "OperationDenied")
	_, err = create(func(r *ecs.CreateImageRequest) {
		r.DiskDeviceMapping = &[]ecs.CreateImageDiskDeviceMapping{{SnapshotId: snap, DiskType: "data"}}
	})
	wantAPIError(t, err, 400, "OperationDenied")
	_, err = create(func(r *ecs.CreateImageRequest) { r.SnapshotId, r.ImageName = snap, "9lives" })
	wantAPIError(t, err, 400, "InvalidImageName.Malformed")

	// ClientToken: the retry answers the first image, not a duplicate name.
	tok := func(r *ecs.CreateImageRequest) { r.SnapshotId, r.ImageName, r.ClientToken = snap, "tokened", "tok-1" }
	first, err := create(tok)
	if err != nil {
		t.Fatal(err)
	}
	again, err := create(tok)
	if err != nil || again.ImageId != first.ImageId {
		t.Fatalf("retry: %v %v, first %s", again, err, first.ImageId)
	}
	_, err = create(func(r *ecs.CreateImageRequest) { tok(r); r.Description = "changed" })
	wantAPIError(t, err, 400, "IdempotenceParamNotMatch")
}

func TestImageCopyAndCancel(t *testing.T) {
	e := newSnapEnv(t)
	d := e.srv.ecs.durations
	src, _ := e.readyImage("to-copy")
	cp := func(mod func(*ecs.CopyImageRequest)) (*ecs.CopyImageResponse, error) {
		req := ecs.CreateCopyImageRequest()
		req.ImageId = src
		req.DestinationRegionId = "cn-shanghai"
		mod(req)
		return e.bj.CopyImage(req)
	}
	_, err := cp(func(r *ecs.CopyImageRequest) { r.DestinationRegionId = "mars-1" })
	wantAPIError(t, err, 400, "DestinationRegion.NotFound")
	_, err = cp(func(r *ecs.CopyImageRequest) { r.KMSKeyId = "kms-without-encryption" })
	wantAPIError(t, err, 400, "InvalidParameter.EncryptedIllegal")
	_, err = cp(func(r *ecs.CopyImageRequest) { r.ImageId = "m-2zenothere0000000000" })
	wantAPIError(t, err, 404, "InvalidImageId.NotFound")

	first, err := cp(func(r *ecs.CopyImageRequest) { r.DestinationImageName = "dr-copy" })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first.ImageId, "m-uf6") {
		t.Errorf("copy id %s", first.ImageId)
	}
	w := e.mustImage(e.sh, first.ImageId, "Waiting")
	if !w.IsCopied || w.Progress != "0%" || w.ImageName != "dr-copy" {
		t.Errorf("waiting copy: %+v", w)
	}
	copySnap := w.DiskDeviceMappings.DiskDeviceMapping[0].SnapshotId
	if s := e.mustSnapshot(e.sh, copySnap); s.Usage != "image" || s.SourceRegionId != "cn-beijing" {
		t.Errorf("copy's snapshot: %+v", s)
	}
	// The copy's region is where it is managed.
	del := ecs.CreateDeleteImageRequest()
	del.ImageId = first.ImageId
	_, err = e.sh.DeleteImage(del)
	wantAPIError(t, err, 403, "OperationDenied.ImageCopying")
	_, err = e.bj.CancelCopyImage(ecsCancel(first.ImageId))
	wantAPIError(t, err, 404, "InvalidImageId.NotFound")
	if _, err := e.sh.CancelCopyImage(ecsCancel(first.ImageId)); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.image(e.sh, first.ImageId, allImageStatuses); ok {
		t.Error("cancelled copy still listed")
	}
	if _, ok := e.snapshot(e.sh, copySnap); ok {
		t.Error("cancelled copy's snapshot still listed")
	}

	second, err := cp(func(r *ecs.CopyImageRequest) {
		r.DestinationImageName = "dr-copy"
		r.Encrypted = requests.NewBoolean(true)
		r.KMSKeyId = "kms-dr"
		r.Tag = &[]ecs.CopyImageTag{{Key: "dr", Value: "1"}}
	})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(d.ImageCopy * 3 / 4)
	if c := e.mustImage(e.sh, second.ImageId, "Creating"); c.Progress != "75%" {
		t.Errorf("copy at 3/4: %s", c.Progress)
	}
	e.clock.Advance(d.ImageCopy / 4)
	c := e.mustImage(e.sh, second.ImageId, "")
	if !c.IsCopied || c.Size != 40 || len(c.Tags.Tag) != 1 || !c.DiskDeviceMappings.DiskDeviceMapping[0].Encrypted {
		t.Errorf("finished copy: %+v", c)
	}
	_, err = e.sh.CancelCopyImage(ecsCancel(second.ImageId))
	wantAPIError(t, err, 400, "IncorrectImageStatus")
	_, err = e.bj.CancelCopyImage(ecsCancel(src))
	wantAPIError(t, err, 400, "ImageCreatedNotFromCopy")
	_, err = cp(func(r *ecs.CopyImageRequest) { r.DestinationImageName = "dr-copy" })
	wantAPIError(t, err, 400, "InvalidImageName.Duplicated")

	// A failed copy ends CreateFailed.
	e.srv.FailNext(FailCopyImage)
	bad, err := cp(func(r *ecs.CopyImageRequest) {})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(d.ImageCopy)
	if b := e.mustImage(e.sh, bad.ImageId, "CreateFailed"); b.Status != "CreateFailed" {
		t.Errorf("failed copy: %s", b.Status)
	}
}

func ecsCancel(id string) *ecs.CancelCopyImageRequest {
	r := ecs.CreateCancelCopyImageRequest()
	r.ImageId = id
	return r
}

func TestImageSharing(t *testing.T) {
	e := newSnapEnv(t)
	const otherID = "2000000000000002"
	e.srv.AddAccount(otherID, "other-ak", "other-sk")
	other := ecsClient(t, e.srv, "cn-beijing", "other-ak", "other-sk")
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
	run := runReq("cn-beijing")
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

func TestImageModifyAttributeAndFailure(t *testing.T) {
	e := newSnapEnv(t)
	id, _ := e.readyImage("before")
	e.readyImage("taken")
	mod := func(m func(*ecs.ModifyImageAttributeRequest)) error {
		req := ecs.CreateModifyImageAttributeRequest()
		req.ImageId = id
		m(req)
		_, err := e.bj.ModifyImageAttribute(req)
		return err
	}
	if err := mod(func(r *ecs.ModifyImageAttributeRequest) { r.ImageName, r.Description = "after", "new" }); err != nil {
		t.Fatal(err)
	}
	if im := e.mustImage(e.bj, id, ""); im.ImageName != "after" || im.Description != "new" {
		t.Errorf("after modify: %s %s", im.ImageName, im.Description)
	}
	wantAPIError(t, mod(func(r *ecs.ModifyImageAttributeRequest) { r.ImageName = "taken" }), 400, "InvalidImageName.Duplicated")
	if err := mod(func(r *ecs.ModifyImageAttributeRequest) { r.Status = "Deprecated" }); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.image(e.bj, id, ""); ok {
		t.Error("deprecated image listed as Available")
	}
	e.mustImage(e.bj, id, "Deprecated")
	wantAPIError(t, mod(func(r *ecs.ModifyImageAttributeRequest) { r.ImageId = "m-2zenothere0000000000" }), 404, "InvalidImageId.NotFound")

	e.srv.FailNext(FailCreateImage)
	snap := e.createSnapshot(SeedDiskCoreAppSys, "app")
	e.clock.Advance(e.srv.ecs.durations.SnapshotCreate)
	req := ecs.CreateCreateImageRequest()
	req.SnapshotId = snap
	resp, err := e.bj.CreateImage(req)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(e.srv.ecs.durations.ImageCreate + time.Second)
	if im := e.mustImage(e.bj, resp.ImageId, "CreateFailed"); im.Status != "CreateFailed" {
		t.Errorf("injected failure: %s", im.Status)
	}
	run := runReq("cn-beijing")
	run.ImageId = resp.ImageId
	_, err = e.bj.RunInstances(run)
	wantAPIError(t, err, 403, "IncorrectImageStatus")
}

// DescribeImages' ImageId is one id (ecs-20140526/v7): a list is refused,
// not read as several ids.
func TestDescribeImagesRefusesAnIDList(t *testing.T) {
	e := newSnapEnv(t)
	req := ecs.CreateDescribeImagesRequest()
	req.ImageId = "aliyun_3_x64_20G_alibase_20240819.vhd,m-2zenosuchimage000000"
	_, err := e.bj.DescribeImages(req)
	if err == nil || !strings.Contains(err.Error(), "InvalidParameter") || !strings.Contains(err.Error(), "ImageId") {
		t.Fatalf("want InvalidParameter naming ImageId, got %v", err)
	}
}
