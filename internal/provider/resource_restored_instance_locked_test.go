package provider_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// The ransomware drill: snapshots are locked through the API, an attacker
// holding the account's keys tries to destroy every recovery point, every
// locked snapshot survives (counted through the SDK), and the restore to
// the last clean point (before the attack minus the dwell time, locked)
// picks the right snapshot and says why each newer one was passed over.
func TestAccRestoredInstance_lastCleanPointAfterAttack(t *testing.T) {
	acctest.SkipOnCloud(t, "the attack is an emulator control action, and locked snapshots cannot be deleted after the test")
	t0 := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	clock := emulator.NewManualClock(t0)
	env := acctest.New(t, emulator.Options{Clock: clock})
	env.Emulator.SetTimestampWindow(0) // the SDK stamps requests with wall time
	env.Instant()
	c := env.Client(t)
	ctx, region, disk := context.Background(), env.Region, env.SystemDiskID
	created := func(id string) string {
		s, err := c.FindSnapshotByID(ctx, region, id)
		if err != nil {
			t.Fatal(err)
		}
		return cloud.ParseTime(s.CreationTime).UTC().Format(time.RFC3339)
	}
	lock := func(id string, coolOffHours int) {
		if _, err := c.LockSnapshot(ctx, region, id, 30, coolOffHours); err != nil {
			t.Fatalf("LockSnapshot %s: %v", id, err)
		}
	}

	clean := takeSnapshot(t, env, c, disk, "clean")
	lock(clean, 0)
	clock.Advance(24 * time.Hour)
	unlocked := takeSnapshot(t, env, c, disk, "unlocked")
	clock.Advance(48 * time.Hour)
	dwelling := takeSnapshot(t, env, c, disk, "attacker-inside") // locked, but the attacker was already in
	lock(dwelling, 0)
	clock.Advance(24 * time.Hour)
	coolingOff := takeSnapshot(t, env, c, disk, "cooling-off") // locked, still in its cool-off
	lock(coolingOff, 72)
	attack := clock.Now().Add(30 * time.Minute)
	clock.Advance(time.Hour)

	report, err := env.Emulator.Attack(env.AccessKeyID())
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{clean, dwelling} {
		if !slices.ContainsFunc(report.Refused, func(a emulator.AttackAttempt) bool { return a.Action == "DeleteSnapshot" && a.Target == id }) {
			t.Errorf("the attacker's DeleteSnapshot of locked %s was not refused: %+v", id, report.Refused)
		}
	}
	// Counted through the SDK: every snapshot still locked exists, and only those.
	locks, err := c.ListSnapshotLocks(ctx, region, nil)
	if err != nil {
		t.Fatal(err)
	}
	var lockedIDs []string
	for _, l := range locks {
		if l.Locked() {
			lockedIDs = append(lockedIDs, l.SnapshotId)
			if _, err := c.FindSnapshotByID(ctx, region, l.SnapshotId); err != nil {
				t.Errorf("locked snapshot %s: %v", l.SnapshotId, err)
			}
		}
	}
	slices.Sort(lockedIDs)
	want := []string{clean, dwelling}
	slices.Sort(want)
	if !slices.Equal(lockedIDs, want) {
		t.Fatalf("locked after the attack: %v, want %v", lockedIDs, want)
	}
	left, err := c.ListSnapshots(ctx, region, cloud.SnapshotFilter{DiskID: disk})
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 2 {
		t.Errorf("%d snapshots of %s survived, want the 2 locked ones (unlocked %s and cooling-off %s must be gone)", len(left), disk, unlocked, coolingOff)
	}

	// Recovery starts: a new, unlocked snapshot is taken after the attack.
	clock.Advance(time.Hour)
	after := takeSnapshot(t, env, c, disk, "after-attack")
	before := attack.UTC().Format(time.RFC3339)
	cutoff := attack.Add(-48 * time.Hour).UTC().Format(time.RFC3339)
	query := fmt.Sprintf("disk_id = %q, before = %q, dwell = \"48h\", only_locked = true", disk, before)
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: restoredConfig(env, "{ recovery_point = { "+query+" } }", "ecs.g7.large", "") + fmt.Sprintf(`
data "alidr_recovery_points" "clean" {
  disk_id     = %q
  before      = %q
  dwell       = "48h"
  only_locked = true
  kinds       = ["snapshot"]
}
`, disk, before),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(restoredAddr, tfjsonpath.New("restored_from"), knownvalue.StringExact(clean)),
				statecheck.ExpectKnownValue("data.alidr_recovery_points.clean", tfjsonpath.New("newest").AtMapKey("id"), knownvalue.StringExact(clean)),
				statecheck.ExpectKnownValue("data.alidr_recovery_points.clean", tfjsonpath.New("passed_over"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact(fmt.Sprintf("%s (%s, %s): created at or after before (%s); too new for the 48h dwell window (created at or after %s); not locked",
						after, created(after), region, before, cutoff)),
					knownvalue.StringExact(fmt.Sprintf("%s (%s, %s): too new for the 48h dwell window (created at or after %s)",
						dwelling, created(dwelling), region, cutoff)),
				})),
			},
		}},
	})
}
