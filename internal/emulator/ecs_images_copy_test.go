package emulator

import (
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func ecsCancel(id string) *ecs.CancelCopyImageRequest {
	r := ecs.CreateCancelCopyImageRequest()
	r.ImageId = id
	return r
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
	if s := e.mustSnapshot(e.sh, copySnap); s.Usage != "image" || s.SourceRegionId != SeedRegion {
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
