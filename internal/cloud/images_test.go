package cloud

import (
	"context"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func TestImageUsable(t *testing.T) {
	mk := func(status, progress string, mappings ...string) *ecs.Image {
		im := &ecs.Image{Status: status, Progress: progress}
		for _, p := range mappings {
			im.DiskDeviceMappings.DiskDeviceMapping = append(im.DiskDeviceMappings.DiskDeviceMapping, ecs.DiskDeviceMapping{Progress: p})
		}
		return im
	}
	for name, tc := range map[string]struct {
		im   *ecs.Image
		want bool
	}{
		"nil":                    {nil, false},
		"creating":               {mk("Creating", "40%"), false},
		"available complete":     {mk("Available", "100%", "100%", "100%"), true},
		"available no progress":  {mk("Available", ""), true},
		"available image 99":     {mk("Available", "99%"), false},
		"available disk pending": {mk("Available", "100%", "100%", "60%"), false},
		"create failed":          {mk("CreateFailed", "0%"), false},
		"deprecated":             {mk("Deprecated", "100%"), false},
	} {
		if got := ImageUsable(tc.im); got != tc.want {
			t.Errorf("%s: ImageUsable = %v, want %v", name, got, tc.want)
		}
	}
	if p := ImageProgress(mk("Creating", "42%")); p != 42 {
		t.Errorf("ImageProgress = %d, want 42", p)
	}
	if p := ImageProgress(mk("Available", "")); p != 100 {
		t.Errorf("ImageProgress of Available without progress = %d, want 100", p)
	}
}

func TestImageLifecycle(t *testing.T) {
	clock := emulator.NewManualClock(time.Now())
	c, srv := emulatorClient(t, emulator.Options{Clock: clock})
	ctx := context.Background()
	const region = emulator.SeedRegion

	if _, err := c.FindImageByID(ctx, region, "m-2zedoesnotexist00000"); !IsNotFound(err) {
		t.Fatalf("FindImageByID of a missing image: %v, want NotFound", err)
	}
	if _, err := c.CreateImage(ctx, region, CreateImageInput{}); err == nil {
		t.Fatal("CreateImage without a source succeeded")
	}
	in := CreateImageInput{InstanceID: emulator.SeedInstanceCoreApp, Name: "lifecycle", ClientToken: "tok-1",
		Tags: map[string]string{TagManagedBy: "test"}}
	id, err := c.CreateImage(ctx, region, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateImage(ctx, region, in)
	if err != nil || again != id {
		t.Fatalf("retried CreateImage with the same token = %q, %v; want %q", again, err, id)
	}
	// Still creating: the finder must see it although DescribeImages hides
	// non-Available images by default.
	im, err := c.FindImageByID(ctx, region, id)
	if err != nil {
		t.Fatal(err)
	}
	if im.Status != ImageStatusCreating || ImageUsable(im) {
		t.Fatalf("new image status %s usable %v, want Creating and not usable", im.Status, ImageUsable(im))
	}
	if got := ImageTags(*im)[TagManagedBy]; got != "test" {
		t.Fatalf("tag %s = %q", TagManagedBy, got)
	}
	list, err := c.ListImagesByTags(ctx, region, map[string]string{TagManagedBy: "test"})
	if err != nil || len(list) != 1 || list[0].ImageId != id {
		t.Fatalf("ListImagesByTags = %v, %v; want just %s", list, err, id)
	}
	if list, _ := c.ListImagesByTags(ctx, region, map[string]string{TagManagedBy: "other"}); len(list) != 0 {
		t.Fatalf("ListImagesByTags with another value found %d images", len(list))
	}
	// A short timeout while the image is still creating fails.
	if _, err := c.WaitImageAvailable(ctx, region, id, 50*time.Millisecond); err == nil {
		t.Fatal("WaitImageAvailable returned before the image was created")
	}
	clock.Advance(time.Minute)
	im, err = c.WaitImageAvailable(ctx, region, id, 10*time.Second)
	if err != nil || !ImageUsable(im) {
		t.Fatalf("WaitImageAvailable = %+v, %v", im, err)
	}

	// Sharing, and deletion of a shared image.
	if err := c.ModifyImageShare(ctx, region, id, []string{"1234567890", "2234567890"}, nil); err != nil {
		t.Fatal(err)
	}
	accts, err := c.ImageSharedAccounts(ctx, region, id)
	if err != nil || len(accts) != 2 || accts[0] != "1234567890" {
		t.Fatalf("ImageSharedAccounts = %v, %v", accts, err)
	}
	if err := c.DeleteImage(ctx, region, id, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindImageByID(ctx, region, id); !IsNotFound(err) {
		t.Fatalf("image still there after DeleteImage: %v", err)
	}
	if err := c.DeleteImage(ctx, region, id, false); err != nil {
		t.Fatalf("deleting a missing image: %v", err)
	}

	// A failed creation is an error, not a timeout.
	srv.FailNext(emulator.FailCreateImage)
	id2, err := c.CreateImage(ctx, region, CreateImageInput{InstanceID: emulator.SeedInstanceCoreApp, Name: "fails"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if _, err := c.WaitImageAvailable(ctx, region, id2, 10*time.Second); err == nil {
		t.Fatal("WaitImageAvailable of a CreateFailed image succeeded")
	}
}

func TestCopyAndCancelImage(t *testing.T) {
	clock := emulator.NewManualClock(time.Now())
	c, _ := emulatorClient(t, emulator.Options{Clock: clock})
	ctx := context.Background()
	id, err := c.CreateImage(ctx, emulator.SeedRegion, CreateImageInput{InstanceID: emulator.SeedInstanceCoreDB, Name: "copy-src"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if _, err := c.WaitImageAvailable(ctx, emulator.SeedRegion, id, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{TagOwner: id, TagManagedBy: "test"}
	cp, err := c.CopyImage(ctx, emulator.SeedRegion, CopyImageInput{ImageID: id, DestinationRegion: "cn-shanghai", Name: "copy-dst", Tags: tags, KMSKeyID: "key-1"})
	if err != nil {
		t.Fatal(err)
	}
	found, err := c.ListImagesByTags(ctx, "cn-shanghai", tags)
	if err != nil || len(found) != 1 || found[0].ImageId != cp {
		t.Fatalf("copy by tags = %v, %v", found, err)
	}
	done, err := c.CancelCopyImage(ctx, "cn-shanghai", cp)
	if err != nil || done {
		t.Fatalf("CancelCopyImage = %v, %v", done, err)
	}
	if _, err := c.FindImageByID(ctx, "cn-shanghai", cp); !IsNotFound(err) {
		t.Fatalf("cancelled copy still there: %v", err)
	}
	if done, err := c.CancelCopyImage(ctx, "cn-shanghai", cp); err != nil || done {
		t.Fatalf("cancelling a cancelled copy = %v, %v", done, err)
	}
	// A finished copy cannot be cancelled: the caller deletes it instead.
	cp2, err := c.CopyImage(ctx, emulator.SeedRegion, CopyImageInput{ImageID: id, DestinationRegion: "cn-guangzhou", Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(5 * time.Minute)
	if done, err := c.CancelCopyImage(ctx, "cn-guangzhou", cp2); err != nil || !done {
		t.Fatalf("cancelling a finished copy = %v, %v; want done", done, err)
	}
}
