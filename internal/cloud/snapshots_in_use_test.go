package cloud

import (
	"context"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// The snapshots of a deleted image may still be in use: by another image
// (SnapshotCreatedImage) or by disks made of them (SnapshotCreatedDisk).
// They are kept, with a warning, instead of failing the destroy; unused
// ones are deleted.
func TestDeleteSnapshotsOfKeepsSnapshotsInUse(t *testing.T) {
	c, _ := instantClient(t)
	ctx, region := context.Background(), emulator.SeedRegion
	id, err := c.CreateImage(ctx, region, CreateImageInput{InstanceID: emulator.SeedInstanceCoreDB, Name: "in-use"})
	if err != nil {
		t.Fatal(err)
	}
	im, err := c.WaitImageAvailable(ctx, region, id, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var snaps []string
	for _, m := range im.DiskDeviceMappings.DiskDeviceMapping {
		snaps = append(snaps, m.SnapshotId)
	}
	if len(snaps) != 2 {
		t.Fatalf("image of core-db has %d snapshots, want 2", len(snaps))
	}
	// Another image of the first snapshot, a disk of the second.
	other, err := c.CreateImage(ctx, region, CreateImageInput{SnapshotID: snaps[0], Name: "other"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitImageAvailable(ctx, region, other, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	inst, err := c.FindInstanceByID(ctx, region, emulator.SeedInstanceCoreDB)
	if err != nil {
		t.Fatal(err)
	}
	disk := ecs.CreateCreateDiskRequest()
	disk.ZoneId, disk.SnapshotId, disk.DiskCategory = inst.ZoneId, snaps[1], "cloud_essd"
	if err := c.DoECS(ctx, region, disk, ecs.CreateCreateDiskResponse()); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteImage(ctx, region, id, false); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteSnapshotsOf(ctx, region, snaps); err != nil {
		t.Fatalf("snapshots in use must be kept, not fail the delete: %v", err)
	}
	for _, s := range snaps {
		if _, err := c.FindSnapshotByID(ctx, region, s); err != nil {
			t.Errorf("snapshot %s in use was not kept: %v", s, err)
		}
	}
	// Once unused, they go.
	if err := c.DeleteImage(ctx, region, other, false); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteSnapshotsOf(ctx, region, snaps[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindSnapshotByID(ctx, region, snaps[0]); !IsNotFound(err) {
		t.Fatalf("unused snapshot not deleted: %v", err)
	}
}
