package provider_test

import (
	"context"
	"fmt"
	"regexp"
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

// TestAccReplicatedImage_resume: a copy an interrupted apply started (tagged,
// not in state) is adopted instead of copied twice; a failed stale copy is
// discarded; injected throttling on CopyImage is retried.
func TestAccReplicatedImage_resume(t *testing.T) {
	env, c := rimgEnv(t)
	dr1, dr2, dr3 := env.DRRegions[0], env.DRRegions[1], env.DRRegions[2]
	source := rimgImage(t, env, c, "resume-source")
	ctx := context.Background()
	tags := map[string]string{cloud.TagOwner: source, cloud.TagManagedBy: "terraform-provider-alidr"}
	adopted, err := c.CopyImage(ctx, env.Region, cloud.CopyImageInput{ImageID: source, DestinationRegion: dr1, Name: "core-golden", Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	// On the emulator also a stale copy that failed, and throttling.
	var failed string
	env.OnEmulator(func(s *emulator.Server) {
		s.FailNext(emulator.FailCopyImage)
		if failed, err = c.CopyImage(ctx, env.Region, cloud.CopyImageInput{ImageID: source, DestinationRegion: dr2, Name: "core-golden", Tags: tags}); err != nil {
			t.Fatal(err)
		}
		s.InjectFault(emulator.Fault{Service: "ecs", Action: "CopyImage", Kind: "throttling", Rate: 1, Count: 2})
	})
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             rimgNoImagesLeft(t, env, c, source),
		Steps: []resource.TestStep{{
			Config: rimgConfig(env, `
resource "alidr_replicated_image" "test" {
  source  = { image_id = %q }
  name    = "core-golden"
  targets = {
    (local.dr1)  = {}
    (local.dr2) = {}
    (local.dr3)  = {}
  }
}`, source),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("targets").AtMapKey(dr1).AtMapKey("image_id"), knownvalue.StringExact(adopted)),
			},
			Check: func(s *terraform.State) error {
				for _, region := range []string{dr1, dr2, dr3} {
					if n := len(rimgImages(t, c, region)); n != 1 {
						return fmt.Errorf("%d images in %s, want exactly 1", n, region)
					}
				}
				if gz := rimgStateValue(s, "targets."+dr2+".image_id"); gz == failed || gz == "" {
					return fmt.Errorf("%s copy %q: the failed copy %s was adopted", dr2, gz, failed)
				}
				fired := 2 // the real cloud throttles by itself, if ever
				env.OnEmulator(func(s *emulator.Server) {
					fired = -1
					for _, f := range s.Faults() {
						if f.Action == "CopyImage" {
							fired = f.Fired
						}
					}
				})
				if fired != 2 {
					return fmt.Errorf("CopyImage throttling fired %d times, want 2 (-1: rule not found)", fired)
				}
				return nil
			},
		}},
	})
}

// TestAccReplicatedImage_resumeSource: the source image an interrupted
// apply created from a snapshot (tagged, not in state) is adopted instead of
// created twice.
func TestAccReplicatedImage_resumeSource(t *testing.T) {
	env, c := rimgEnv(t)
	snap := rimgSnapshot(t, env, c, env.SystemDiskID)
	prior, err := c.CreateImage(context.Background(), env.Region, cloud.CreateImageInput{
		SnapshotID: snap, Name: "adopt-golden",
		Tags: map[string]string{cloud.TagManagedBy: "terraform-provider-alidr", cloud.TagImageSource: "snapshot:" + snap},
	})
	if err != nil {
		t.Fatal(err)
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(rimgNoImagesLeft(t, env, c), func(*terraform.State) error {
			// A snapshot given as the source is the user's: never deleted.
			if snaps := rimgSnapshotsExist(t, env, c, []string{snap}); len(snaps) != 1 {
				return fmt.Errorf("destroy deleted the source snapshot %s", snap)
			}
			return nil
		}),
		Steps: []resource.TestStep{{
			Config: rimgConfig(env, `
resource "alidr_replicated_image" "test" {
  source  = { snapshot_id = %q }
  name    = "adopt-golden"
  targets = { (local.dr1) = {} }

  delete_snapshots_on_destroy = true
}`, snap),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("id"), knownvalue.StringExact(prior)),
			},
			Check: func(*terraform.State) error {
				if n := len(rimgImages(t, c, env.Region)); n != 1 {
					return fmt.Errorf("%d images in %s, want the adopted one only", n, env.Region)
				}
				if snaps := rimgSnapshotsExist(t, env, c, []string{snap}); len(snaps) != 1 {
					return fmt.Errorf("the source snapshot %s is gone", snap)
				}
				return nil
			},
		}},
	})
}

// TestAccReplicatedImage_updateResumed: an update adding two regions where
// one copy fails keeps the copy that succeeded (an update failure does not
// taint); the next apply copies only the missing region.
func TestAccReplicatedImage_updateResumed(t *testing.T) {
	acctest.SkipOnCloud(t, "makes the emulator fail a CopyImage task")
	env, c := rimgEnv(t)
	dr1, dr2, dr3 := env.DRRegions[0], env.DRRegions[1], env.DRRegions[2]
	source := rimgImage(t, env, c, "resumed-source")
	cfg := func(targets string) string {
		return rimgConfig(env, `
resource "alidr_replicated_image" "test" {
  source  = { image_id = %q }
  name    = "core-golden"
  targets = { %s }
}`, source, targets)
	}
	three := `(local.dr1) = {}, (local.dr2) = {}, (local.dr3) = {}`
	var survivor, survivorRegion string
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             rimgNoImagesLeft(t, env, c, source),
		Steps: []resource.TestStep{
			{Config: cfg(`(local.dr1) = {}`)},
			{
				PreConfig:   func() { env.Emulator.FailNext(emulator.FailCopyImage) },
				Config:      cfg(three),
				ExpectError: regexp.MustCompile(`CreateFailed`),
			},
			{
				PreConfig: func() {
					gz, hz := rimgCopies(t, c, dr2, source), rimgCopies(t, c, dr3, source)
					if len(gz)+len(hz) != 1 {
						t.Fatalf("after the failed update: %d copies in %s, %d in %s; want one in total", len(gz), dr2, len(hz), dr3)
					}
					survivor, survivorRegion = append(gz, hz...)[0].ImageId, dr2
					if len(hz) == 1 {
						survivorRegion = dr3
					}
				},
				Config: cfg(three),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(rimgAddr, plancheck.ResourceActionUpdate)},
				},
				Check: func(s *terraform.State) error {
					if got := rimgStateValue(s, "targets."+survivorRegion+".image_id"); got != survivor {
						return fmt.Errorf("copy in %s is %q, want the one the failed update made (%s)", survivorRegion, got, survivor)
					}
					for _, region := range []string{dr1, dr2, dr3} {
						if n := len(rimgImages(t, c, region)); n != 1 {
							return fmt.Errorf("%d images in %s, want 1", n, region)
						}
					}
					return nil
				},
			},
		},
	})
}

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
	config := func(create string) string {
		return rimgConfig(env, `
resource "alidr_replicated_image" "test" {
  source   = { image_id = %q }
  name     = "core-golden"
  targets  = { (local.dr1) = {} }
  timeouts = { create = %q }
}`, source, create)
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             rimgNoImagesLeft(t, env, c, source),
		Steps: []resource.TestStep{
			{
				// A real copy takes longer than 5s by itself.
				PreConfig:   func() { env.OnEmulator(func(s *emulator.Server) { s.SetDurations(slow) }) },
				Config:      config("5s"),
				ExpectError: regexp.MustCompile(`(?s)timed out.*was\s+cancelled`),
			},
			{
				PreConfig: func() {
					if ims := rimgImages(t, c, dr1); len(ims) != 0 {
						t.Errorf("after the timeout %d images are in %s (status %s), want the copy cancelled", len(ims), dr1, ims[0].Status)
					}
					env.Instant()
				},
				Config: config("5m"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("targets").AtMapKey(dr1).AtMapKey("status"), knownvalue.StringExact("Available")),
				},
			},
		},
	})
}
