package provider_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// TestAccReplicatedImage_failedCopy: a copy that ends CreateFailed fails the
// apply without leaving the failed copy behind; the next apply replaces the
// tainted resource and ends with exactly one copy per region.
func TestAccReplicatedImage_failedCopy(t *testing.T) {
	acctest.SkipOnCloud(t, "makes the emulator fail a CopyImage task")
	env, c := rimgEnv(t)
	dr1, dr2 := env.DRRegions[0], env.DRRegions[1]
	source := rimgImage(t, env, c, "failed-source")
	config := rimgConfig(env, `
resource "alidr_replicated_image" "test" {
  source  = { image_id = %q }
  name    = "core-golden"
  targets = {
    (local.dr1)  = {}
    (local.dr2) = {}
  }
}`, source)
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             rimgNoImagesLeft(t, env, c, source),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { env.Emulator.FailNext(emulator.FailCopyImage) },
				Config:      config,
				ExpectError: regexp.MustCompile(`CreateFailed`),
			},
			{
				PreConfig: func() {
					n := len(rimgImages(t, c, dr1)) + len(rimgImages(t, c, dr2))
					if n != 1 {
						t.Errorf("after the failed apply %d copies exist, want 1 (the failed one must be deleted)", n)
					}
				},
				Config: config,
				Check: func(s *terraform.State) error {
					for _, region := range []string{dr1, dr2} {
						ims := rimgImages(t, c, region)
						if len(ims) != 1 || ims[0].Status != "Available" {
							return fmt.Errorf("%s holds %d images, want one available copy", region, len(ims))
						}
					}
					return nil
				},
			},
		},
	})
}

// TestAccReplicatedImage_timeout: a create timeout during a long copy fails
// and cancels the copy in the target region.
func TestAccReplicatedImage_timeout(t *testing.T) {
	env, c := rimgEnv(t)
	dr1 := env.DRRegions[0]
	source := rimgImage(t, env, c, "slow-source")
	slow := emulator.InstantDurations()
	slow.ImageCopy = time.Hour
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             rimgNoImagesLeft(t, env, c, source),
		Steps: []resource.TestStep{
			{
				// A real copy takes longer than 5s by itself.
				PreConfig: func() { env.OnEmulator(func(s *emulator.Server) { s.SetDurations(slow) }) },
				Config: rimgConfig(env, `
resource "alidr_replicated_image" "test" {
  source   = { image_id = %q }
  name     = "core-golden"
  targets  = { (local.dr1) = {} }
  timeouts = { create = "5s" }
}`, source),
				ExpectError: regexp.MustCompile(`(?s)timed out.*was\s+cancelled`),
			},
			{
				PreConfig: func() {
					if ims := rimgImages(t, c, dr1); len(ims) != 0 {
						t.Errorf("after the timeout %d images are in %s (status %s), want the copy cancelled", len(ims), dr1, ims[0].Status)
					}
					env.Instant()
				},
				Config: rimgConfig(env, `
resource "alidr_replicated_image" "test" {
  source   = { image_id = %q }
  name     = "core-golden"
  targets  = { (local.dr1) = {} }
  timeouts = { create = "5m" }
}`, source),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("targets").AtMapKey(dr1).AtMapKey("status"), knownvalue.StringExact("Available")),
				},
			},
		},
	})
}
