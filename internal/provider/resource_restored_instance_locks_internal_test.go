package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// The plan of a restore with only_locked warns which newer snapshots were
// passed over and why, and picks the locked one.
func TestRestoredInstancePlanWarnsPassedOverPoints(t *testing.T) {
	clock := emulator.NewManualClock(time.Now())
	srv, c := testEmulator(t, emulator.Options{Clock: clock}, 1)
	srv.SetDurations(emulator.InstantDurations())
	srv.SetTimestampWindow(0) // the clock moves, the SDK stamps wall time
	ctx := context.Background()
	snap := func() string {
		req := ecs.CreateCreateSnapshotRequest()
		req.DiskId = seeded.SystemDiskID
		resp := ecs.CreateCreateSnapshotResponse()
		if err := c.DoECS(ctx, seeded.Region, req, resp); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Hour)
		return resp.SnapshotId
	}
	locked, unlocked := snap(), snap()
	if _, err := c.LockSnapshot(ctx, seeded.Region, locked, 7, 0); err != nil {
		t.Fatal(err)
	}
	m := restoredPlanModel("ecs.g7.large", 40)
	m.Source = &restoreSource{ImageID: types.StringNull(), SnapshotID: types.StringNull(), RecoveryPoint: &restoreRecoveryPoint{
		DiskID: types.StringValue(seeded.SystemDiskID), Before: types.StringNull(), MaxAge: types.StringNull(),
		OnlyVerified: types.BoolNull(), OnlyLocked: types.BoolValue(true), Dwell: types.StringNull(),
	}}
	diags, _ := planCreate(t, &restoredInstanceResource{client: c}, m)
	if diags.HasError() {
		t.Fatalf("errors: %v", diags)
	}
	var found bool
	for _, w := range diags.Warnings() {
		if w.Summary() == "Newer recovery points passed over" {
			found = strings.Contains(w.Detail(), unlocked+" (") && strings.Contains(w.Detail(), "not locked") && !strings.Contains(w.Detail(), locked)
		}
	}
	if !found {
		t.Errorf("no passed-over warning naming %s in %v", unlocked, diags.Warnings())
	}
}
