package cloud_test

import (
	"context"
	"testing"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// TestDiskSnapshotsCountOnlyThePolicysSnapshots: an image of the protected
// instance (CreateImage) and its copy in the DR region (CopyImage) make
// manual snapshots whose SourceDiskId is the protected disk. They are not
// the policy's points: DiskSnapshots lists only automatic snapshots, in the
// disk's region and in the copy region.
func TestDiskSnapshotsCountOnlyThePolicysSnapshots(t *testing.T) {
	ctx := context.Background()
	clock := emulator.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv, c := startEmulator(t, emulator.Options{Clock: clock})
	srv.SetTimestampWindow(0)
	srv.SetDurations(emulator.InstantDurations())
	disks := []string{emulator.SeedDiskCoreDBSys, emulator.SeedDiskCoreDBData}
	id, err := c.CreateAutoSnapshotPolicy(ctx, "cn-beijing", cloud.PolicySpec{
		Name: "daily", Schedule: drpolicy.Schedule{Hours: []int{2}, Weekdays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}, RetentionDays: 7,
		CopyRegions: []string{"cn-shanghai"}, CopyRetentionDays: 7,
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ApplyAutoSnapshotPolicy(ctx, "cn-beijing", id, disks); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * 24 * time.Hour)

	img, err := c.CreateImage(ctx, "cn-beijing", cloud.CreateImageInput{InstanceID: emulator.SeedInstanceCoreDB, Name: "golden"})
	if err != nil {
		t.Fatal(err)
	}
	src, err := c.WaitImageAvailable(ctx, "cn-beijing", img, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := c.CopyImage(ctx, "cn-beijing", cloud.CopyImageInput{ImageID: img, DestinationRegion: "cn-shanghai", Name: "golden"})
	if err != nil {
		t.Fatal(err)
	}
	dst, err := c.WaitImageAvailable(ctx, "cn-shanghai", cp, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	imageSnaps := map[string]bool{}
	for _, m := range src.DiskDeviceMappings.DiskDeviceMapping {
		imageSnaps[m.SnapshotId] = true
	}
	for _, m := range dst.DiskDeviceMappings.DiskDeviceMapping {
		imageSnaps[m.SnapshotId] = true
	}
	if len(imageSnaps) != 4 {
		t.Fatalf("the image and its copy name %d snapshots, want 4", len(imageSnaps))
	}

	for _, tc := range []struct {
		region string
		copies bool
	}{{"cn-beijing", false}, {"cn-shanghai", true}} {
		snaps, _, err := c.DiskSnapshots(ctx, tc.region, disks, tc.copies)
		if err != nil {
			t.Fatal(err)
		}
		auto, err := c.ListSnapshots(ctx, tc.region, cloud.SnapshotFilter{Type: "auto", Status: "accomplished"})
		if err != nil {
			t.Fatal(err)
		}
		if len(auto) == 0 || len(snaps) != len(auto) {
			t.Errorf("%s: DiskSnapshots lists %d snapshots, the policy made %d", tc.region, len(snaps), len(auto))
		}
		for _, s := range snaps {
			if imageSnaps[s.ID] {
				t.Errorf("%s: DiskSnapshots counts the image's snapshot %s as a policy point", tc.region, s.ID)
			}
		}
	}
}
