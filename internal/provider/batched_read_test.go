package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

// Three restored instances refresh at once, so their DescribeInstances
// lookups are batched (internal/cloud/batch.go). One renamed outside
// Terraform is planned back to its name, one deleted outside Terraform
// leaves the state and is planned again, the third is untouched.
func TestAccBatchedReadsDetectDriftAndDeletion(t *testing.T) {
	env := acctest.NewInstant(t)
	c := env.Client(t)
	config := env.Config(`
resource "alidr_restored_instance" "batch" {
  count              = 3
  source             = { image_id = %q }
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  instance_name      = "batched-${count.index}"
}
`, env.ImageID, env.VSwitchID, env.SecurityGroupID)
	addr := func(i int) string { return fmt.Sprintf("alidr_restored_instance.batch[%d]", i) }
	// The flat state the Check sees names count instances "name.N".
	id := func(s *terraform.State, i int) string {
		return s.RootModule().Resources[fmt.Sprintf("alidr_restored_instance.batch.%d", i)].Primary.ID
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: func(s *terraform.State) error {
				ctx := context.Background()
				renamed := "renamed-outside-terraform"
				if err := c.ModifyInstance(ctx, env.Region, id(s, 0), cloud.ModifyInstanceInput{Name: &renamed}); err != nil {
					return err
				}
				return c.DeleteInstance(ctx, env.Region, id(s, 1))
			},
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr(0), plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction(addr(1), plancheck.ResourceActionCreate),
				plancheck.ExpectResourceAction(addr(2), plancheck.ResourceActionNoop),
			}},
		}},
	})
}
