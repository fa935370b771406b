package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// rimgTestWork returns a rimgWork for an image of the emulator's default
// account, and the server with copies that take an hour.
func rimgTestWork(t *testing.T) (*rimgWork, *emulator.Server) {
	t.Helper()
	srv, c := testEmulator(t, emulator.Options{}, 2)
	srv.SetDurations(emulator.InstantDurations())
	ctx := context.Background()
	id, err := c.CreateImage(ctx, seeded.Region, cloud.CreateImageInput{InstanceID: seeded.InstanceID, Name: "work-src"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitImageAvailable(ctx, seeded.Region, id, time.Minute); err != nil {
		t.Fatal(err)
	}
	slow := emulator.InstantDurations()
	slow.ImageCopy = time.Hour
	srv.SetDurations(slow)
	return &rimgWork{c: c, region: seeded.Region, sourceID: id, owner: id, name: "work-copy", kind: "image"}, srv
}

// A destroy while a copy runs cancels the copy (DeleteImage refuses an
// image being copied) and also removes other tagged copies in the region.
func TestReplicatedImageRemoveCopiesCancelsRunningCopy(t *testing.T) {
	w, _ := rimgTestWork(t)
	ctx := context.Background()
	running, err := w.c.CopyImage(ctx, w.region, cloud.CopyImageInput{ImageID: w.sourceID, DestinationRegion: seeded.DRRegions[0], Name: "copy-a", Tags: w.copyTags()})
	if err != nil {
		t.Fatal(err)
	}
	stray, err := w.c.CopyImage(ctx, w.region, cloud.CopyImageInput{ImageID: w.sourceID, DestinationRegion: seeded.DRRegions[0], Name: "copy-b", Tags: w.copyTags()})
	if err != nil {
		t.Fatal(err)
	}
	im, err := w.c.FindImageByID(ctx, seeded.DRRegions[0], running)
	if err != nil || im.Status == cloud.ImageStatusAvailable {
		t.Fatalf("copy not running: %+v %v", im, err)
	}
	if err := w.removeCopies(ctx, seeded.DRRegions[0], running); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{running, stray} {
		if _, err := w.c.FindImageByID(ctx, seeded.DRRegions[0], id); !cloud.IsNotFound(err) {
			t.Errorf("copy %s still there: %v", id, err)
		}
	}
	// Removing again (nothing left) is fine.
	if err := w.removeCopies(ctx, seeded.DRRegions[0], running); err != nil {
		t.Fatal(err)
	}
}

// A cancelled context (Ctrl-C, timeout) during the wait cancels the copy.
func TestReplicatedImageEnsureCopyCancelsOnContextEnd(t *testing.T) {
	w, _ := rimgTestWork(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := w.ensureCopy(ctx, seeded.DRRegions[1], types.StringNull(), nil)
	if err == nil || !strings.Contains(err.Error(), "was cancelled") {
		t.Fatalf("ensureCopy = %v, want a cancelled copy", err)
	}
	left, err := w.c.ListImagesByTags(context.Background(), seeded.DRRegions[1], w.copyTags())
	if err != nil || len(left) != 0 {
		t.Fatalf("copies left in %s: %d (%v)", seeded.DRRegions[1], len(left), err)
	}
}

// A copy with another KMS key is discarded, not adopted.
func TestReplicatedImageEnsureCopyDiscardsWrongKey(t *testing.T) {
	w, srv := rimgTestWork(t)
	srv.SetDurations(emulator.InstantDurations())
	ctx := context.Background()
	tags := w.copyTags()
	tags[cloud.TagKMSKey] = "old-key"
	old, err := w.c.CopyImage(ctx, w.region, cloud.CopyImageInput{ImageID: w.sourceID, DestinationRegion: seeded.DRRegions[2], Name: "work-copy", KMSKeyID: "old-key", Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.ensureCopy(ctx, seeded.DRRegions[2], types.StringValue("new-key"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.ImageID.ValueString() == old || got.KMSKeyID.ValueString() != "new-key" || got.Status.ValueString() != "Available" {
		t.Fatalf("ensureCopy = %+v (old copy %s)", got, old)
	}
	left, _ := w.c.ListImagesByTags(ctx, seeded.DRRegions[2], w.copyTags())
	if len(left) != 1 || cloud.ImageTags(left[0])[cloud.TagKMSKey] != "new-key" {
		t.Fatalf("copies in %s: %+v", seeded.DRRegions[2], left)
	}
	// Same key again: adopted, not copied.
	again, err := w.ensureCopy(ctx, seeded.DRRegions[2], types.StringValue("new-key"), nil)
	if err != nil || again.ImageID != got.ImageID {
		t.Fatalf("second ensureCopy = %+v, %v; want the same copy %s", again, err, got.ImageID)
	}
}
