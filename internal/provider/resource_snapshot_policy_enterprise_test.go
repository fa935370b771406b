package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
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
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// espCheckAPI checks the enterprise policy as DescribeEnterpriseSnapshotPolicy
// reports it.
func espCheckAPI(c *cloud.Client, region string, check func(p *cloud.EnterprisePolicy) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		p, err := c.FindEnterprisePolicyByID(context.Background(), region, spID(s))
		if err != nil {
			return err
		}
		return check(p)
	}
}

// espQuickstart is the quickstart's "two regions, three centres" policy:
// "7+4w+3+1", copies to two DR regions, the second kept longer.
func espQuickstart(env *acctest.Env, extra string) string {
	return env.Config(`
resource "alidr_snapshot_policy" "core" {
  name      = "core"
  schedule  = { hours = [2], weekdays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] }
  retention = { daily_days = 7, weekly_weeks = 4, monthly_months = 3, yearly_years = 1 }
  cross_region_copy = {
    regions               = [%q, %q]
    retention_days        = 30
    region_retention_days = { %q = 7 }
  }
  disk_ids   = [%q]
  rpo_target = "24h"
  %s
}`, env.DRRegions[0], env.DRRegions[1], env.DRRegions[1], env.DataDiskID, extra)
}

func TestAccSnapshotPolicyEnterprise_twoRegions(t *testing.T) {
	env := spEnv(t, emulator.Options{})
	c := env.Client(t)
	wantCopies := []cloud.ESPCopyRegion{{RegionID: env.DRRegions[0], RetainDays: 30}, {RegionID: env.DRRegions[1], RetainDays: 7}}
	slices.SortFunc(wantCopies, func(a, b cloud.ESPCopyRegion) int { return strings.Compare(a.RegionID, b.RegionID) })
	var firstID string
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: espQuickstart(env, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("engine"), knownvalue.StringExact("enterprise")),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("effective_rpo"), knownvalue.StringExact("24h")),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("cross_region_copy").AtMapKey("region_retention_days"),
						knownvalue.MapExact(map[string]knownvalue.Check{env.DRRegions[1]: knownvalue.Int64Exact(7)})),
				},
				Check: espCheckAPI(c, env.Region, func(p *cloud.EnterprisePolicy) error {
					firstID = p.PolicyID
					regions := slices.Clone(p.CrossRegionCopyInfo.Regions)
					slices.SortFunc(regions, func(a, b cloud.ESPCopyRegion) int { return strings.Compare(a.RegionID, b.RegionID) })
					if p.Name != "core" || p.State != "ENABLED" || !p.CrossRegionCopyInfo.Enabled || !slices.Equal(regions, wantCopies) ||
						p.RetainRule != (cloud.ESPRetainRule{TimeInterval: 7, TimeUnit: "DAYS"}) || !p.SpecialRetainRules.Enabled ||
						len(p.SpecialRetainRules.Rules) != 3 || p.Schedule.CronExpression != "0 0 2 ? * MON,TUE,WED,THU,FRI,SAT,SUN" ||
						!slices.Equal(p.DiskIDs, []string{env.DataDiskID}) {
						return fmt.Errorf("enterprise policy as the API reports it: %+v", p)
					}
					return nil
				}),
			},
			{
				ResourceName: spAddr, ImportState: true, ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"rpo_target", "avoid", "timeouts", "max_observed_rpo", "last_tier_actions"},
			},
			{
				// Changed outside Terraform: the copy to the second region
				// dropped and the base retention cut to 3 days.
				PreConfig: func() {
					spec := cloud.ESPSpec{Name: "core", Schedule: cloud.ESPSchedule{CronExpression: "0 0 2 ? * MON,TUE,WED,THU,FRI,SAT,SUN"},
						RetainRule: cloud.ESPRetainRule{TimeInterval: 3, TimeUnit: "DAYS"},
						Copy:       cloud.ESPCopyInfo{Enabled: true, Regions: wantCopies[:1]}}
					if err := c.UpdateEnterprisePolicy(context.Background(), env.Region, firstID, spec); err != nil {
						t.Fatal(err)
					}
				},
				Config: espQuickstart(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(spAddr, plancheck.ResourceActionUpdate),
				}},
				Check: espCheckAPI(c, env.Region, func(p *cloud.EnterprisePolicy) error {
					if p.PolicyID != firstID || len(p.CrossRegionCopyInfo.Regions) != 2 || p.RetainRule.TimeInterval != 7 || len(p.SpecialRetainRules.Rules) != 3 {
						return fmt.Errorf("the apply did not restore the policy: %+v", p)
					}
					return nil
				}),
			},
			{
				// Deleted outside Terraform: the plan creates it again.
				PreConfig: func() {
					if err := c.UnbindEnterprisePolicy(context.Background(), env.Region, firstID, []string{env.DataDiskID}); err != nil {
						t.Fatal(err)
					}
					if err := c.DeleteEnterprisePolicy(context.Background(), env.Region, firstID); err != nil {
						t.Fatal(err)
					}
				},
				Config: espQuickstart(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(spAddr, plancheck.ResourceActionCreate),
				}},
			},
		},
	})
}

// TestAccSnapshotPolicyEnterprise_400days: the cloud keeps "7+4w+3+1" and
// the copies with nobody running apply for 400 days; the next apply only
// archives what may be archived.
func TestAccSnapshotPolicyEnterprise_400days(t *testing.T) {
	acctest.SkipOnCloud(t, "moves the emulator's clock by 400 days")
	clock := emulator.NewManualClock(time.Date(2026, 1, 5, 3, 30, 0, 0, time.UTC)) // Monday 11:30 UTC+8
	env := spEnv(t, emulator.Options{Clock: clock})
	env.Emulator.SetTimestampWindow(0) // the SDK stamps wall time
	cfg := espQuickstart(env, "")
	utc8 := time.FixedZone("UTC+8", 8*3600)
	snaps := func(region string) []ecs.Snapshot {
		sdk := env.ECS(t, region)
		req := ecs.CreateDescribeSnapshotsRequest()
		req.PageSize = "100"
		resp, err := sdk.DescribeSnapshots(req)
		if err != nil {
			t.Fatal(err)
		}
		var out []ecs.Snapshot
		for _, s := range resp.Snapshots.Snapshot {
			if s.SourceDiskId == env.DataDiskID {
				out = append(out, s)
			}
		}
		return out
	}
	day := func(s ecs.Snapshot) string {
		ts, _ := time.Parse(time.RFC3339, s.CreationTime)
		return ts.In(utc8).Format("2006-01-02")
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					clock.Advance(400 * 24 * time.Hour) // Tuesday 2027-02-09 11:30 UTC+8, no apply in between
					var days []string
					for _, s := range snaps(env.Region) {
						days = append(days, day(s))
					}
					slices.Sort(days)
					want := []string{
						"2026-12-01", "2027-01-01", // monthly (2027-01-01 is also the yearly point)
						"2027-01-18", "2027-01-25", "2027-02-01", // weekly (2027-02-01 is also a monthly)
						"2027-02-03", "2027-02-04", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", // daily
					}
					if !slices.Equal(days, want) {
						t.Errorf("primary snapshots after 400 days without apply:\n got %v\nwant %v", days, want)
					}
					if n := len(snaps(env.DRRegions[0])); n != 30 {
						t.Errorf("%s keeps %d copies, want 30 (retention_days)", env.DRRegions[0], n)
					}
					if n := len(snaps(env.DRRegions[1])); n != 7 {
						t.Errorf("%s keeps %d copies, want 7 (region_retention_days)", env.DRRegions[1], n)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// The refresh found the yearly point old enough to archive.
					plancheck.ExpectResourceAction(spAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("pending_tier_actions"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("last_tier_actions"), knownvalue.StringExact("1 snapshot to archive")),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("observed_rpo"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"disks": knownvalue.MapExact(map[string]knownvalue.Check{env.DataDiskID: knownvalue.StringExact("24h")}),
						"copy_regions": knownvalue.MapExact(map[string]knownvalue.Check{
							env.DRRegions[0]: knownvalue.StringExact("24h"), env.DRRegions[1]: knownvalue.StringExact("24h")}),
					})),
				},
				Check: func(*terraform.State) error {
					// Archived where ModifySnapshotCategory allows it: the yearly
					// point (39 days old, 327 left); the monthly points are too
					// young (Feb 1) or too close to their end (Dec 1) to pay off.
					for _, s := range snaps(env.Region) {
						want := "standard"
						if day(s) == "2027-01-01" {
							want = "archive"
						}
						if s.Category != want {
							return fmt.Errorf("snapshot of %s is %s, want %s", day(s), s.Category, want)
						}
					}
					return nil
				},
			},
			{Config: cfg, PlanOnly: true}, // nothing left to do
			{
				// alidr_recovery_points lists the policy's points with their
				// tier and region: 12 in the primary region (one archived),
				// 30 and 7 copies.
				Config: cfg + fmt.Sprintf(`
data "alidr_recovery_points" "all" {
  disk_id = %q
  regions = [%q, %q, %q]
  kinds   = ["snapshot"]
}
data "alidr_recovery_points" "archived" {
  disk_id    = %q
  categories = ["archive"]
}`, env.DataDiskID, env.Region, env.DRRegions[0], env.DRRegions[1], env.DataDiskID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.alidr_recovery_points.all", tfjsonpath.New("points"), knownvalue.ListSizeExact(12+30+7)),
					statecheck.ExpectKnownValue("data.alidr_recovery_points.archived", tfjsonpath.New("points"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"region": knownvalue.StringExact(env.Region), "category": knownvalue.StringExact("archive"),
							"created_at": knownvalue.StringRegexp(regexp.MustCompile(`^2026-12-31T18:00:00Z$`)), // 2027-01-01 02:00 UTC+8
						}),
					})),
				},
			},
		},
	})
}

// TestAccSnapshotPolicyEnterprise_overrun: hourly snapshots that take 90
// minutes; the cloud skips every other time point, so the RPO observed is
// 2h against an effective 1h, and max_observed_rpo makes the plan fail.
func TestAccSnapshotPolicyEnterprise_overrun(t *testing.T) {
	acctest.SkipOnCloud(t, "moves the emulator's clock and slows its snapshots")
	clock := emulator.NewManualClock(time.Date(2026, 1, 5, 3, 30, 0, 0, time.UTC))
	env := acctest.New(t, emulator.Options{Clock: clock})
	env.Emulator.SetTimestampWindow(0)
	d := emulator.InstantDurations()
	d.SnapshotCreate = 90 * time.Minute
	env.Emulator.SetDurations(d)
	cfg := func(extra string) string {
		return env.Config(`
resource "alidr_snapshot_policy" "core" {
  name      = "hourly"
  schedule  = { cron = "0 0 * ? * *" }
  retention = { daily_days = 2 }
  disk_ids  = [%q]
  %s
}`, env.DataDiskID, extra)
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg(""), ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("effective_rpo"), knownvalue.StringExact("1h")),
			}},
			{
				PreConfig: func() { clock.Advance(10 * time.Hour) },
				Config:    cfg(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("observed_rpo").AtMapKey("disks"),
						knownvalue.MapExact(map[string]knownvalue.Check{env.DataDiskID: knownvalue.StringExact("2h")})),
				},
			},
			{Config: cfg(`max_observed_rpo = "1h"`), PlanOnly: true, ExpectError: spWrapped("Observed RPO over its limit")},
		},
	})
}
