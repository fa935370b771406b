package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
)

// Two replicated images of the same source image each own a copy;
// destroying one leaves the other's copy alone.
func TestAccReplicatedImage_sameSourceOwnTheirCopies(t *testing.T) {
	env, c := rimgEnv(t)
	source := rimgImage(t, env, c, "shared-source")
	config := func(names ...string) string {
		hcl := ""
		for _, n := range names {
			hcl += fmt.Sprintf(`
resource "alidr_replicated_image" "%s" {
  source  = { image_id = %q }
  name    = "golden-%s"
  targets = { %q = {} }
}
`, n, source, n, env.DRRegions[0])
		}
		return env.Config("%s", hcl)
	}
	copyOf := func(s *terraform.State, n string) string {
		return s.RootModule().Resources["alidr_replicated_image."+n].Primary.Attributes["targets."+env.DRRegions[0]+".image_id"]
	}
	var kept string
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config("a", "b"),
			Check: func(s *terraform.State) error {
				a, b := copyOf(s, "a"), copyOf(s, "b")
				if a == "" || a == b {
					return fmt.Errorf("copies a=%q b=%q: want two distinct copies", a, b)
				}
				kept = a
				return nil
			},
		}, {
			Config: config("a"),
			Check: func(s *terraform.State) error {
				if got := copyOf(s, "a"); got != kept {
					return fmt.Errorf("a's copy is %q, was %q", got, kept)
				}
				for _, im := range rimgImages(t, c, env.DRRegions[0]) {
					if im.ImageId == kept {
						return nil
					}
				}
				return fmt.Errorf("destroying b deleted a's copy %s", kept)
			},
		}},
	})
}
