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

// TestAccReplicatedImage_disappears: the source image deleted outside
// Terraform removes the resource from state; the next plan creates it.
func TestAccReplicatedImage_disappears(t *testing.T) {
	env, c := rimgEnv(t)
	snap := rimgSnapshot(t, env, c, env.SystemDiskID)
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: rimgConfig(env, `
resource "alidr_replicated_image" "test" {
  source = { snapshot_id = %q }
  name   = "gone-golden"
}`, snap),
			Check: func(s *terraform.State) error {
				return c.DeleteImage(context.Background(), env.Region, rimgStateValue(s, "id"), true)
			},
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(rimgAddr, plancheck.ResourceActionCreate)},
			},
		}},
	})
}

// TestAccReplicatedImage_sourceGone: the source image deleted outside
// Terraform while copies remain replaces the resource, deleting the old
// copies instead of orphaning them.
func TestAccReplicatedImage_sourceGone(t *testing.T) {
	env, c := rimgEnv(t)
	dr1 := env.DRRegions[0]
	snap := rimgSnapshot(t, env, c, env.SystemDiskID)
	config := rimgConfig(env, `
resource "alidr_replicated_image" "test" {
  source  = { snapshot_id = %q }
  name    = "gone-golden"
  targets = { (local.dr1) = {} }
}`, snap)
	var oldSource, oldCopy string
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             rimgNoImagesLeft(t, env, c),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					oldSource, oldCopy = rimgStateValue(s, "id"), rimgStateValue(s, "targets."+dr1+".image_id")
					return nil
				},
			},
			{
				PreConfig: func() {
					if err := c.DeleteImage(context.Background(), env.Region, oldSource, true); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(rimgAddr, plancheck.ResourceActionReplace)},
				},
				Check: func(s *terraform.State) error {
					if id := rimgStateValue(s, "id"); id == oldSource || id == "" {
						return fmt.Errorf("id %q after replacing the deleted source %s", id, oldSource)
					}
					if _, err := c.FindImageByID(context.Background(), dr1, oldCopy); !cloud.IsNotFound(err) {
						return fmt.Errorf("the old copy %s was orphaned: %w", oldCopy, err)
					}
					if n := len(rimgImages(t, c, dr1)); n != 1 {
						return fmt.Errorf("%d images in %s, want 1", n, dr1)
					}
					return nil
				},
			},
		},
	})
}
