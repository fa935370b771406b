package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
)

// Three restores with identical arguments each own an instance; shrinking
// count deletes only the instances of the removed resource instances.
func TestAccRestoredInstance_identicalRestoresOwnTheirInstances(t *testing.T) {
	env := acctest.NewInstant(t)
	config := func(n int) string {
		return env.Config(`
resource "alidr_restored_instance" "test" {
  count              = %d
  source             = { image_id = %q }
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
}`, n, env.ImageID, env.VSwitchID, env.SecurityGroupID)
	}
	var first string
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config(3),
			Check: func(s *terraform.State) error {
				seen := map[string]bool{}
				for i := range 3 {
					seen[s.RootModule().Resources[fmt.Sprintf("alidr_restored_instance.test.%d", i)].Primary.ID] = true
				}
				if len(seen) != 3 {
					return fmt.Errorf("3 restores got %d distinct instances: %v", len(seen), seen)
				}
				first = s.RootModule().Resources["alidr_restored_instance.test.0"].Primary.ID
				return nil
			},
		}, {
			Config: config(1),
			Check: func(*terraform.State) error {
				if _, err := env.Client(t).FindInstanceByID(context.Background(), env.Region, first); err != nil {
					return fmt.Errorf("the instance of test[0] after count went from 3 to 1: %w", err)
				}
				return nil
			},
		}},
	})
}
