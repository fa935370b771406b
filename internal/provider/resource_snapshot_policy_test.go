package provider_test

import (
	"encoding/json"
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
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

const spAddr = "alidr_snapshot_policy.core"

func spPolicy(t *testing.T, c *ecs.Client, id string) *ecs.AutoSnapshotPolicy {
	t.Helper()
	req := ecs.CreateDescribeAutoSnapshotPolicyExRequest()
	req.AutoSnapshotPolicyId = id
	resp, err := c.DescribeAutoSnapshotPolicyEx(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.AutoSnapshotPolicies.AutoSnapshotPolicy) != 1 {
		return nil
	}
	return &resp.AutoSnapshotPolicies.AutoSnapshotPolicy[0]
}

// spDisksOf lists the disks following policy id, sorted.
func spDisksOf(t *testing.T, c *ecs.Client, id string) []string {
	t.Helper()
	req := ecs.CreateDescribeDisksRequest()
	req.PageSize = "100"
	resp, err := c.DescribeDisks(req)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range resp.Disks.Disk {
		if d.AutoSnapshotPolicyId == id {
			out = append(out, d.DiskId)
		}
	}
	slices.Sort(out)
	return out
}

func spID(s *terraform.State) string { return s.RootModule().Resources[spAddr].Primary.ID }

// spCheckAPI checks the policy as ECS reports it.
func spCheckAPI(t *testing.T, c *ecs.Client, check func(p *ecs.AutoSnapshotPolicy, disks []string) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id := spID(s)
		p := spPolicy(t, c, id)
		if p == nil {
			return fmt.Errorf("policy %s not found through the SDK", id)
		}
		return check(p, spDisksOf(t, c, id))
	}
}

// spWrapped matches want in CLI output, which wraps long lines.
func spWrapped(want string) *regexp.Regexp {
	return regexp.MustCompile(strings.Join(strings.Fields(regexp.QuoteMeta(want)), `\s+`))
}

// spMondayConfig is the policy "core" of the automatic engine: a snapshot
// at 02:00 on Mondays, kept 7 days, of disks (an HCL list).
func spMondayConfig(env *acctest.Env, disks string) string {
	return env.Config(`
resource "alidr_snapshot_policy" "core" {
  engine = "automatic"
  name      = "core"
  schedule  = { hours = [2], weekdays = ["MON"] }
  retention = { daily_days = 7 }
  disk_ids  = %s
}`, disks)
}

func spEnv(t *testing.T, opts emulator.Options) *acctest.Env {
	env := acctest.New(t, opts)
	env.Instant()
	return env
}

// spJSON is ids sorted, as a JSON array of strings the way ECS prints lists.
func spJSON(ids ...string) string {
	ids = spSorted(ids...)
	raw, _ := json.Marshal(ids)
	return string(raw)
}

func spSorted(ids ...string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}

func TestAccSnapshotPolicy_validation(t *testing.T) {
	env := spEnv(t, emulator.Options{})
	cfg := func(body string) string {
		return env.Config(`resource "alidr_snapshot_policy" "core" {
  engine = "automatic"
  name = "core-banking"
%s
}`, body)
	}
	week := `["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]`
	cases := []struct{ body, want string }{
		{`schedule = { hours = [2, 24], weekdays = ["MON"] }
  retention = { daily_days = 7 }`, `time point 24 is out of range: hours must be between 0 and 23`},
		{`schedule = { hours = [2], weekdays = ["MON", "FUNDAY"] }
  retention = { daily_days = 7 }`, `invalid weekday "FUNDAY": use one of MON, TUE`},
		{`schedule = { hours = [2, 14], weekdays = ["MON", "TUE", "WED", "THU", "FRI"] }
  retention = { daily_days = 7 }
  rpo_target = "12h"`, `effective RPO 60h exceeds the target RPO 12h: the longest gap between snapshots is Fri 14:00 -> Mon 02:00 is 60h`},
		{`schedule = { hours = [2], weekdays = ` + week + ` }
  retention = { daily_days = 0 }`, `daily retention 0 days is not accepted by ECS: use 1 to 65535 days, or -1`},
		{`schedule = { hours = [2], weekdays = ` + week + ` }
  retention = { daily_days = 7, monthly_months = -1 }`, `monthly retention -1 months is out of range`},
		{`schedule = { hours = [2], weekdays = ` + week + ` }
  retention = { daily_days = 7 }
  cross_region_copy = { regions = ["` + env.Region + `"], retention_days = 7 }`, `cross_region_copy.regions contains "` + env.Region + `", the region the policy runs in`},
		{`schedule = { hours = [2], weekdays = ` + week + ` }
  retention = { daily_days = 7 }
  cross_region_copy = { regions = ["cn-nowhere"], retention_days = 7 }`, `region "cn-nowhere" does not exist or is not available`},
		{`schedule = { hours = [2], weekdays = ` + week + ` }
  retention = { daily_days = 7 }
  cross_region_copy = { regions = ["` + env.DRRegions[0] + `"], retention_days = 7, kms_key_id = "k" }`, `kms_key_id is set but encrypted is false`},
		{`schedule = { hours = [2], weekdays = ` + week + ` }
  retention = { daily_days = 7 }
  avoid = ["MON 12:00-08:00"]`, `end 08:00 is not after start 12:00`},
		{`schedule = { hours = [2], weekdays = ` + week + ` }
  retention = { daily_days = 7 }
  tags = { "alidr:x" = "y" }`, `Tag key "alidr:x" starts with "alidr:"`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{Config: cfg(c.body), PlanOnly: true, ExpectError: spWrapped(c.want)})
	}
	acctest.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})
}

func TestAccSnapshotPolicy_basic(t *testing.T) {
	env := spEnv(t, emulator.Options{})
	sdk := env.ECS(t, env.Region)
	create := env.Config(`
resource "alidr_snapshot_policy" "core" {
  engine = "automatic"
  name     = "core-banking"
  schedule = { hours = [2, 14], weekdays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] }
  retention = {
    daily_days     = 7
    monthly_months = 3
    yearly_years   = 1
  }
  cross_region_copy = { regions = [%q], retention_days = 7, encrypted = true, kms_key_id = %q }
  disk_ids   = [%q, %q]
  rpo_target = "12h"
  avoid      = ["MON 08:00-12:00"]
  tags       = { team = "core" }
}`, env.DRRegions[0], env.KMSKeyIDs[0], env.DataDiskID, env.SystemDiskID)
	update := env.Config(`
resource "alidr_snapshot_policy" "core" {
  engine = "automatic"
  name     = "core-banking-v2"
  schedule = { hours = [1, 9, 17], weekdays = ["MON", "WED", "FRI", "SUN"] }
  retention = {
    daily_days     = 14
    monthly_months = 6
    yearly_years   = 2
  }
  cross_region_copy = { regions = [%q], retention_days = 30 }
  disk_ids   = [%q, %q]
  rpo_target = "2d"
  avoid      = ["DAILY 09:00-10:00"]
  tags       = { team = "core", env = "prod" }
}`, env.DRRegions[2], env.DataDiskID, env.OtherDataDiskID)
	noCopy := env.Config(`
resource "alidr_snapshot_policy" "core" {
  engine = "automatic"
  name      = "core-banking-v2"
  schedule  = { hours = [17, 9, 1], weekdays = ["mon", "Wed", "FRI", "SUN"] } # spelling kept, no diff after apply
  retention = { daily_days = -1 }
}`)
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Throttled creates and disk attachments are retried.
				PreConfig: func() {
					env.OnEmulator(func(s *emulator.Server) {
						for _, a := range []string{"CreateAutoSnapshotPolicy", "ApplyAutoSnapshotPolicy", "DescribeAutoSnapshotPolicyEx"} {
							s.InjectFault(emulator.Fault{Service: "ecs", Action: a, Kind: emulator.FaultThrottling, Rate: 1, Count: 2})
						}
					})
				},
				Config: create,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^sp-`))),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("region"), knownvalue.StringExact(env.Region)),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("effective_rpo"), knownvalue.StringExact("12h")),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("disk_ids"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact(env.DataDiskID), knownvalue.StringExact(env.SystemDiskID)})),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("retention"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"daily_days": knownvalue.Int64Exact(7), "weekly_weeks": knownvalue.Int64Exact(0), "monthly_months": knownvalue.Int64Exact(3), "yearly_years": knownvalue.Int64Exact(1)})),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("pending_tier_actions"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("tiered_snapshots"), knownvalue.Int64Exact(0)),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("last_tier_actions"), knownvalue.StringExact("no changes")),
				},
				Check: spCheckAPI(t, sdk, func(p *ecs.AutoSnapshotPolicy, disks []string) error {
					if p.AutoSnapshotPolicyName != "core-banking" || p.TimePoints != `["2","14"]` || p.RepeatWeekdays != `["1","2","3","4","5","6","7"]` ||
						p.RetentionDays != 7 || !p.EnableCrossRegionCopy || p.TargetCopyRegions != spJSON(env.DRRegions[0]) ||
						p.CopiedSnapshotsRetentionDays != 7 || !p.CopyEncryptionConfiguration.Encrypted || p.CopyEncryptionConfiguration.KMSKeyId != env.KMSKeyIDs[0] {
						return fmt.Errorf("policy as created: %+v", p)
					}
					if !slices.Equal(disks, spSorted(env.DataDiskID, env.SystemDiskID)) {
						return fmt.Errorf("disks following the policy: %v", disks)
					}
					return nil
				}),
			},
			{
				Config: update,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(spAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(spAddr, tfjsonpath.New("effective_rpo"), knownvalue.StringExact("32h")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("name"), knownvalue.StringExact("core-banking-v2")),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("effective_rpo"), knownvalue.StringExact("32h")),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("tags"), knownvalue.MapExact(map[string]knownvalue.Check{
						"team": knownvalue.StringExact("core"), "env": knownvalue.StringExact("prod")})),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("cross_region_copy"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"regions":        knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(env.DRRegions[2])}),
						"retention_days": knownvalue.Int64Exact(30), "region_retention_days": knownvalue.Null(), "encrypted": knownvalue.Bool(false), "kms_key_id": knownvalue.Null()})),
				},
				Check: spCheckAPI(t, sdk, func(p *ecs.AutoSnapshotPolicy, disks []string) error {
					if p.AutoSnapshotPolicyName != "core-banking-v2" || p.TimePoints != `["1","9","17"]` || p.RepeatWeekdays != `["1","3","5","7"]` ||
						p.RetentionDays != 14 || p.TargetCopyRegions != spJSON(env.DRRegions[2]) || p.CopiedSnapshotsRetentionDays != 30 ||
						p.CopyEncryptionConfiguration.Encrypted {
						return fmt.Errorf("policy after update: %+v", p)
					}
					tags := map[string]string{}
					for _, tg := range p.Tags.Tag {
						tags[tg.TagKey] = tg.TagValue
					}
					if tags["team"] != "core" || tags["env"] != "prod" || tags["alidr:retention-tiers"] != "monthly=6,yearly=2" {
						return fmt.Errorf("tags after update: %v", tags)
					}
					if !slices.Equal(disks, spSorted(env.OtherDataDiskID, env.DataDiskID)) {
						return fmt.Errorf("disks after update: %v (the system disk must be cancelled, the app disk applied)", disks)
					}
					return nil
				}),
			},
			{
				ResourceName: spAddr, ImportState: true, ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"rpo_target", "avoid", "timeouts"},
			},
			{
				ResourceName: spAddr, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc:       func(s *terraform.State) (string, error) { return env.Region + ":" + spID(s), nil },
				ImportStateVerifyIgnore: []string{"rpo_target", "avoid", "timeouts"},
			},
			{
				// Dropping the copy block, tiers, tags and disks turns them off.
				Config: noCopy,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("cross_region_copy"), knownvalue.Null()),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("disk_ids"), knownvalue.Null()),
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("tags"), knownvalue.Null()),
				},
				Check: spCheckAPI(t, sdk, func(p *ecs.AutoSnapshotPolicy, disks []string) error {
					if p.EnableCrossRegionCopy || p.RetentionDays != -1 || len(disks) != 0 || len(p.Tags.Tag) != 1 {
						return fmt.Errorf("policy after removing copies, tiers, tags and disks: %+v, disks %v", p, disks)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccSnapshotPolicy_disappears(t *testing.T) {
	env := spEnv(t, emulator.Options{})
	sdk := env.ECS(t, env.Region)
	cfg := spMondayConfig(env, spJSON(env.DataDiskID))
	var firstID string
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check: func(s *terraform.State) error {
					firstID = spID(s)
					return nil
				},
			},
			{
				// Deleted outside Terraform (disks cancelled first, as the console does).
				PreConfig: func() {
					cancel := ecs.CreateCancelAutoSnapshotPolicyRequest()
					cancel.DiskIds = fmt.Sprintf("[%q]", env.DataDiskID)
					if _, err := sdk.CancelAutoSnapshotPolicy(cancel); err != nil {
						t.Fatal(err)
					}
					del := ecs.CreateDeleteAutoSnapshotPolicyRequest()
					del.AutoSnapshotPolicyId = firstID
					if _, err := sdk.DeleteAutoSnapshotPolicy(del); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(spAddr, plancheck.ResourceActionCreate),
				}},
				Check: func(s *terraform.State) error {
					if id := spID(s); id == firstID {
						return fmt.Errorf("policy id %s unchanged after recreation", id)
					}
					if disks := spDisksOf(t, sdk, spID(s)); !slices.Equal(disks, []string{env.DataDiskID}) {
						return fmt.Errorf("recreated policy's disks: %v", disks)
					}
					return nil
				},
			},
		},
	})
}

// A create that fails after the policy exists keeps its id: Terraform taints
// it and replaces it, instead of leaving an orphan behind.
func TestAccSnapshotPolicy_createFailureTaints(t *testing.T) {
	acctest.SkipOnCloud(t, "injects latency into ApplyAutoSnapshotPolicy to outlast the create timeout")
	env := spEnv(t, emulator.Options{})
	sdk := env.ECS(t, env.Region)
	cfg := spMondayConfig(env, spJSON(env.DataDiskID))
	policies := func() int {
		resp, err := sdk.DescribeAutoSnapshotPolicyEx(ecs.CreateDescribeAutoSnapshotPolicyExRequest())
		if err != nil {
			t.Fatal(err)
		}
		return resp.TotalCount
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Attaching the disk outlasts timeouts.create: the policy exists
				// by then, so its id must be saved.
				PreConfig: func() {
					env.Emulator.InjectFault(emulator.Fault{Service: "ecs", Action: "ApplyAutoSnapshotPolicy", Kind: emulator.FaultLatency, Duration: 1200 * time.Millisecond, Count: 1})
				},
				Config: strings.Replace(cfg, "disk_ids", `timeouts  = { create = "1s" }
  disk_ids`, 1),
				ExpectError: spWrapped("context deadline exceeded"),
			},
			{
				PreConfig: func() {
					if n := policies(); n != 1 {
						t.Fatalf("%d policies after the failed create, want 1", n)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(spAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				Check: func(s *terraform.State) error {
					if n := policies(); n != 1 {
						return fmt.Errorf("%d policies after the replacement, want 1 (the tainted one deleted)", n)
					}
					if d := spDisksOf(t, sdk, spID(s)); len(d) != 1 {
						return fmt.Errorf("disks of the replacement: %v", d)
					}
					return nil
				},
			},
		},
	})
}
