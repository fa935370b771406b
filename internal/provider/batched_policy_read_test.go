package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// Four enterprise snapshot policies refresh at once, so their
// DescribeEnterpriseSnapshotPolicy lookups are batched and their snapshot
// listings shared (internal/cloud/batch.go). Changes made outside Terraform
// between the apply and the plan are all seen: one policy renamed is planned
// back, one deleted leaves the state and is planned again, one whose disk
// was unbound gets it back, the fourth is untouched.
func TestAccBatchedPolicyReadsDetectDriftAndDeletion(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	env.Instant()
	c := env.Client(t)
	config := env.Config(`
resource "alidr_snapshot_policy" "batch" {
  count             = 4
  name              = "batched-${count.index}"
  schedule          = { hours = [2, 14], weekdays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] }
  retention         = { daily_days = 7 }
  cross_region_copy = { regions = [%q], retention_days = 7 }
  disk_ids          = count.index == 2 ? [%q] : []
}
`, env.DRRegions[0], env.DataDiskID)
	addr := func(i int) string { return fmt.Sprintf("alidr_snapshot_policy.batch[%d]", i) }
	// The flat state the Check sees names count instances "name.N".
	id := func(s *terraform.State, i int) string {
		return s.RootModule().Resources[fmt.Sprintf("alidr_snapshot_policy.batch.%d", i)].Primary.ID
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					ctx := context.Background()
					p, err := c.FindEnterprisePolicyByID(ctx, env.Region, id(s, 0))
					if err != nil {
						return err
					}
					spec := cloud.ESPSpec{Name: "renamed-outside-terraform", Schedule: p.Schedule, RetainRule: p.RetainRule,
						Copy: p.CrossRegionCopyInfo, Special: p.SpecialRetainRules}
					if err := c.UpdateEnterprisePolicy(ctx, env.Region, id(s, 0), spec); err != nil {
						return err
					}
					if err := c.DeleteEnterprisePolicy(ctx, env.Region, id(s, 1)); err != nil {
						return err
					}
					return c.UnbindEnterprisePolicy(ctx, env.Region, id(s, 2), []string{env.DataDiskID})
				},
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr(0), plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr(0), tfjsonpath.New("name"), knownvalue.StringExact("batched-0")),
					plancheck.ExpectResourceAction(addr(1), plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(addr(2), plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr(2), tfjsonpath.New("disk_ids"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(env.DataDiskID)})),
					plancheck.ExpectResourceAction(addr(3), plancheck.ResourceActionNoop),
				}},
			},
			{
				// The apply puts everything back; the plan after it is empty.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}
