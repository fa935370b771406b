package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

const espLockMonthlyYearly = `lock = { tiers = ["monthly", "yearly"], cool_off_hours = 24 }`

// TestAccSnapshotPolicyEnterprise_lock: the points of the monthly and yearly
// tiers that appear between applies are locked by the next apply, in the
// policy's region and both copy regions, and survive the attacker, who
// deletes the policy itself (the next apply re-creates it).
func TestAccSnapshotPolicyEnterprise_lock(t *testing.T) {
	acctest.SkipOnCloud(t, "moves the emulator's clock by 30 days")
	clock := emulator.NewManualClock(time.Date(2026, 1, 5, 3, 30, 0, 0, time.UTC)) // Monday 11:30 UTC+8
	env := spEnv(t, emulator.Options{Clock: clock})
	env.Emulator.SetTimestampWindow(0) // the SDK stamps wall time
	c := env.Client(t)
	ctx := context.Background()
	cfg := espQuickstart(env, espLockMonthlyYearly)
	// locked lists the snapshots DescribeLockedSnapshots reports locked in
	// region, with when each lock ends.
	locked := func(region string) map[string]time.Time {
		locks, err := c.ListSnapshotLocks(ctx, region, nil)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]time.Time{}
		for _, l := range locks {
			if l.Locked() {
				end, err := l.ExpiresAt()
				if err != nil {
					t.Fatal(err)
				}
				out[l.SnapshotId] = end
			}
		}
		return out
	}
	// tierPoints are the monthly/yearly points (2026-01-06, the first of
	// January and of the year; 2026-02-01) in region, own or copies.
	tierPoints := func(region string, copies bool) map[string]time.Time {
		snaps, _, err := c.DiskSnapshots(ctx, region, []string{env.DataDiskID}, copies)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]time.Time{}
		for _, s := range snaps {
			created := s.Created
			if copies {
				src, err := c.FindSnapshotByID(ctx, env.Region, s.SourceID)
				if cloud.IsNotFound(err) {
					continue // a daily point's copy outlives its source
				}
				if err != nil {
					t.Fatal(err)
				}
				created = cloud.ParseTime(src.CreationTime)
			}
			switch created.In(time.FixedZone("UTC+8", 8*3600)).Format("2006-01-02") {
			case "2026-01-06":
				out[s.ID] = created.AddDate(0, 0, 366) // yearly_years = 1
			case "2026-02-01":
				out[s.ID] = created.AddDate(0, 0, 93) // monthly_months = 3
			}
		}
		return out
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("points_waiting_for_lock"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("locked_points"), knownvalue.MapExact(map[string]knownvalue.Check{})),
				},
			},
			{
				// 2026-02-04 11:30 UTC+8: the first points of January (and of
				// 2026) and of February exist; their copies too (DR region 0
				// keeps copies 30 days, region 1 7 days: February's only).
				PreConfig: func() { clock.Advance(30 * 24 * time.Hour) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(spAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(spAddr, tfjsonpath.New("points_waiting_for_lock"), knownvalue.Int64Exact(0)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("points_waiting_for_lock"), knownvalue.Int64Exact(0)),
				},
				Check: func(s *terraform.State) error {
					want := map[string]int{env.Region: 2, env.DRRegions[0]: 2, env.DRRegions[1]: 1}
					var all []string
					for region, n := range want {
						points := tierPoints(region, region != env.Region)
						if len(points) != n {
							return fmt.Errorf("%s: %d monthly/yearly points, want %d: %v", region, len(points), n, points)
						}
						locks := locked(region)
						for id, until := range points {
							end, ok := locks[id]
							if !ok {
								return fmt.Errorf("%s: point %s is not locked (locks: %v)", region, id, locks)
							}
							if end.Before(until) || end.After(until.Add(48*time.Hour)) {
								return fmt.Errorf("%s: %s locked until %s, want its tier's end %s", region, id, end, until)
							}
							all = append(all, id)
						}
					}
					// What stolen keys cannot delete once the 24h cool-off has
					// ended (during it they can unlock, then delete).
					clock.Advance(25 * time.Hour)
					report, err := env.Emulator.Attack(env.AccessKeyID())
					if err != nil {
						return err
					}
					survivors := report.SurvivorIDs("snapshot")
					for _, id := range all {
						if !slices.Contains(survivors, id) {
							return fmt.Errorf("locked point %s did not survive the attack: %+v", id, report.Succeeded)
						}
					}
					// The policy itself has no lock: the attacker deleted it.
					if got := report.SurvivorIDs("enterprise-policy"); len(got) != 0 {
						return fmt.Errorf("enterprise policies survived the attack: %v", got)
					}
					return nil
				},
				// The refresh after the attack finds the policy gone.
				ExpectNonEmptyPlan: true,
			},
			{
				// The next apply re-creates the deleted policy.
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(spAddr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

func TestAccSnapshotPolicyEnterprise_lockValidation(t *testing.T) {
	env := spEnv(t, emulator.Options{})
	for _, tc := range []struct{ lock, engine, want string }{
		{`lock = { tiers = ["quarterly"] }`, "", `lock.tiers.*value must be one of`},
		{`lock = { tiers = ["monthly"], cool_off_hours = 73 }`, "", `lock.cool_off_hours.*must be between 0 and 72`},
		{`lock = { tiers = ["weekly"] }`, "", `lock.tiers has "weekly" but retention.weekly_weeks is not set`},
		{`lock = { tiers = ["monthly"] }`, `engine = "automatic"`, `lock is kept for enterprise policies only`},
	} {
		t.Run(tc.want, func(t *testing.T) {
			cfg := env.Config(`
resource "alidr_snapshot_policy" "core" {
  name      = "core"
  schedule  = { hours = [2], weekdays = ["MON"] }
  retention = { daily_days = 7, monthly_months = 3 }
  %s
  %s
}`, tc.engine, tc.lock)
			acctest.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: cfg, PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)` + wrapped(tc.want).String())}},
			})
		})
	}
}
