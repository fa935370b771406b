package provider_test

import (
	"fmt"
	"slices"
	"testing"

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

func TestAccSnapshotPolicy_diskFromOtherPolicy(t *testing.T) {
	env := spEnv(t, emulator.Options{})
	sdk := env.ECS(t, env.Region)
	// Another policy, made outside Terraform, holds the disk.
	create := ecs.CreateCreateAutoSnapshotPolicyRequest()
	create.AutoSnapshotPolicyName, create.TimePoints, create.RepeatWeekdays, create.RetentionDays = "legacy", `["3"]`, `["1"]`, "3"
	created, err := sdk.CreateAutoSnapshotPolicy(create)
	if err != nil {
		t.Fatal(err)
	}
	legacy := created.AutoSnapshotPolicyId
	t.Cleanup(func() {
		del := ecs.CreateDeleteAutoSnapshotPolicyRequest()
		del.AutoSnapshotPolicyId = legacy
		if _, err := sdk.DeleteAutoSnapshotPolicy(del); err != nil {
			t.Errorf("deleting the legacy policy %s: %v", legacy, err)
		}
	})
	apply := ecs.CreateApplyAutoSnapshotPolicyRequest()
	apply.AutoSnapshotPolicyId, apply.DiskIds = legacy, fmt.Sprintf("[%q]", env.DataDiskID)
	if _, err := sdk.ApplyAutoSnapshotPolicy(apply); err != nil {
		t.Fatal(err)
	}
	var id string
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if p := spPolicy(t, sdk, id); p != nil {
				return fmt.Errorf("policy %s still exists", id)
			}
			if d := spDisksOf(t, sdk, legacy); len(d) != 0 {
				return fmt.Errorf("destroy must not touch the legacy policy's disks: %v", d)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config:      spMondayConfig(env, `["d-doesnotexist000000"]`),
				ExpectError: spWrapped(`Disk d-doesnotexist000000 does not exist in ` + env.Region),
			},
			{
				// The disk moves with a warning (not assertable here); the apply succeeds.
				Config: env.Config(`
resource "alidr_snapshot_policy" "core" {
  engine = "automatic"
  name      = "core"
  region    = %q
  schedule  = { hours = [2], weekdays = ["MON"] }
  retention = { daily_days = 7 }
  disk_ids  = [%q]
  timeouts  = { create = "5m", update = "5m", delete = "5m" }
}`, env.Region, env.DataDiskID),
				Check: func(s *terraform.State) error {
					id = spID(s)
					if d := spDisksOf(t, sdk, id); len(d) != 1 || d[0] != env.DataDiskID {
						return fmt.Errorf("disks of the new policy: %v", d)
					}
					if d := spDisksOf(t, sdk, legacy); len(d) != 0 {
						return fmt.Errorf("disks left on the legacy policy: %v", d)
					}
					return nil
				},
			},
			{
				// An explicitly empty set releases the disk and stays empty.
				Config: spMondayConfig(env, `[]`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(spAddr, tfjsonpath.New("disk_ids"), knownvalue.SetSizeExact(0)),
				},
				Check: func(s *terraform.State) error {
					if d := spDisksOf(t, sdk, spID(s)); len(d) != 0 {
						return fmt.Errorf("disks still following the policy: %v", d)
					}
					return nil
				},
			},
		},
	})
	// Destroy cancelled the policy on the disk before deleting it.
	if d := spDisksOf(t, sdk, ""); !slices.Contains(d, env.DataDiskID) {
		t.Fatalf("disk %s still follows a policy after destroy", env.DataDiskID)
	}
}

// Changes made outside Terraform show up on refresh and are undone by apply.
func TestAccSnapshotPolicy_drift(t *testing.T) {
	env := spEnv(t, emulator.Options{})
	sdk := env.ECS(t, env.Region)
	cfg := env.Config(`
resource "alidr_snapshot_policy" "core" {
  engine = "automatic"
  name              = "core"
  schedule          = { hours = [2, 14], weekdays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] }
  retention         = { daily_days = 7, monthly_months = 3 }
  cross_region_copy = { regions = [%q], retention_days = 7 }
  disk_ids          = [%q, %q]
  tags              = { team = "core" }
}`, env.DRRegions[0], env.DataDiskID, env.SystemDiskID)
	var id string
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: func(s *terraform.State) error { id = spID(s); return nil }},
			{
				PreConfig: func() {
					mod := ecs.CreateModifyAutoSnapshotPolicyExRequest()
					mod.AutoSnapshotPolicyId, mod.TimePoints, mod.RetentionDays = id, `["5"]`, "30"
					mod.EnableCrossRegionCopy = "false"
					if _, err := sdk.ModifyAutoSnapshotPolicyEx(mod); err != nil {
						t.Fatal(err)
					}
					cancel := ecs.CreateCancelAutoSnapshotPolicyRequest()
					cancel.DiskIds = fmt.Sprintf("[%q]", env.SystemDiskID)
					if _, err := sdk.CancelAutoSnapshotPolicy(cancel); err != nil {
						t.Fatal(err)
					}
					untag := ecs.CreateUntagResourcesRequest()
					untag.ResourceType, untag.ResourceId, untag.TagKey = "snapshotpolicy", &[]string{id}, &[]string{"team", "alidr:retention-tiers"}
					if _, err := sdk.UntagResources(untag); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(spAddr, plancheck.ResourceActionUpdate),
				}},
				Check: spCheckAPI(t, sdk, func(p *ecs.AutoSnapshotPolicy, disks []string) error {
					tags := map[string]string{}
					for _, tg := range p.Tags.Tag {
						tags[tg.TagKey] = tg.TagValue
					}
					if p.TimePoints != `["2","14"]` || p.RetentionDays != 7 || p.TargetCopyRegions != spJSON(env.DRRegions[0]) || len(disks) != 2 ||
						tags["team"] != "core" || tags["alidr:retention-tiers"] != "monthly=3,yearly=0" {
						return fmt.Errorf("drift not undone: %+v, tags %v, disks %v", p, tags, disks)
					}
					return nil
				}),
			},
		},
	})
}
