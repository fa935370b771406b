package provider_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// TestAccSnapshotPolicy_tiering runs a "7+3+1" policy on an emulated clock
// through April and May 2026: the scheduler fires a daily snapshot at 02:00
// UTC+8 and expires them after 7 days; each apply must extend or archive
// exactly the snapshots the tiers hold, and nothing else.
func TestAccSnapshotPolicy_tiering(t *testing.T) {
	acctest.SkipOnCloud(t, "moves the emulator's clock through months of scheduled snapshots")
	clock := emulator.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) // 08:00 UTC+8
	env := spEnv(t, emulator.Options{Clock: clock})
	env.Emulator.SetTimestampWindow(0) // the SDK stamps wall time
	sdk := env.ECS(t, env.Region)
	cfg := env.Config(`
resource "alidr_snapshot_policy" "core" {
  engine = "automatic"
  name      = "core"
  schedule  = { hours = [2], weekdays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] }
  retention = { daily_days = 7, monthly_months = 3, yearly_years = 1 }
  disk_ids  = [%q]
}`, env.DataDiskID)

	utc8 := time.FixedZone("UTC+8", 8*3600)
	// snaps returns the disk's snapshots by local creation day.
	snaps := func() map[string]ecs.Snapshot {
		req := ecs.CreateDescribeSnapshotsRequest()
		req.DiskId, req.PageSize = env.DataDiskID, "100"
		resp, err := sdk.DescribeSnapshots(req)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]ecs.Snapshot{}
		for _, s := range resp.Snapshots.Snapshot {
			created, err := time.Parse(time.RFC3339, s.CreationTime)
			if err != nil {
				t.Fatal(err)
			}
			out[created.In(utc8).Format("01-02")] = s
		}
		return out
	}
	// expect checks every snapshot: the listed days with their retention and
	// category, every other one untouched (7 days, standard).
	expect := func(want map[string]string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			got := snaps()
			for day, s := range got {
				w, ok := want[day]
				if !ok {
					w = "7/standard"
				}
				if have := fmt.Sprintf("%d/%s", s.RetentionDays, s.Category); have != w {
					return fmt.Errorf("snapshot of %s (%s) is %s, want %s", day, s.SnapshotId, have, w)
				}
			}
			for day := range want {
				if _, ok := got[day]; !ok {
					return fmt.Errorf("no snapshot of %s; have %d snapshots", day, len(got))
				}
			}
			return nil
		}
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("tiered_snapshots"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("last_tier_actions"), knownvalue.StringExact("no changes")),
				},
			},
			{
				// 100 days later (Apr 11 08:00 UTC+8) the snapshots of Apr 5-11
				// remain; Apr 5 is the first of April and of 2026 still there:
				// kept a year, too young to archive.
				PreConfig: func() { clock.Advance(100 * 24 * time.Hour) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(spAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(spAddr, tfjsonpath.New("pending_tier_actions"), knownvalue.Int64Exact(0)),
					plancheck.ExpectKnownValue(spAddr, tfjsonpath.New("last_tier_actions"), knownvalue.StringExact("1 snapshot to extend")),
					plancheck.ExpectKnownValue(spAddr, tfjsonpath.New("tiered_snapshots"), knownvalue.Int64Exact(1)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("tiered_snapshots"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("pending_tier_actions"), knownvalue.Int64Exact(0)),
				},
				Check: expect(map[string]string{"04-05": "365/standard", "04-11": "7/standard"}),
			},
			{
				// May 1 08:00: Apr 5 is old enough to archive (keeping its year);
				// May 1 is the first of May, kept 3 months (92 days). Throttled
				// snapshot changes are retried.
				PreConfig: func() {
					clock.Advance(20 * 24 * time.Hour)
					for _, a := range []string{"ModifySnapshotAttribute", "ModifySnapshotCategory"} {
						env.Emulator.InjectFault(emulator.Fault{Service: "ecs", Action: a, Kind: emulator.FaultThrottling, Rate: 1, Count: 1})
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(spAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(spAddr, tfjsonpath.New("last_tier_actions"), knownvalue.StringExact("1 snapshot to extend, 1 to archive")),
					plancheck.ExpectKnownValue(spAddr, tfjsonpath.New("tiered_snapshots"), knownvalue.Int64Exact(2)),
				}},
				Check: expect(map[string]string{"04-05": "365/archive", "05-01": "92/standard", "04-25": "7/standard"}),
			},
			{
				// Nothing new to tier the same day: the plan is empty.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}
