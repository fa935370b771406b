package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-testing/compare"
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

const rimgAddr = "alidr_replicated_image.test"

// rimgEnv is an emulator with instant operations, small exports and a
// client for checks made outside Terraform.
func rimgEnv(t *testing.T) (*acctest.Env, *cloud.Client) {
	t.Helper()
	env := acctest.NewInstant(t)
	env.OnEmulator(func(s *emulator.Server) { s.SetExportBytesPerGiB(256 << 10) }) // 40 GiB -> 10 MiB: two manifest parts
	return env, env.Client(t)
}

// rimgConfig is a test configuration with locals naming the fixtures:
// home and dr1-dr3 (regions), key_a and key_b (KMS keys of dr1), acct
// (account UIDs to share with) and bucket.
func rimgConfig(env *acctest.Env, hcl string, args ...any) string {
	return env.Config(hcl, args...) + fmt.Sprintf(`
locals {
  home   = %q
  dr1    = %q
  dr2    = %q
  dr3    = %q
  key_a  = %q
  key_b  = %q
  acct   = [%q, %q, %q]
  bucket = %q
}
`, env.Region, env.DRRegions[0], env.DRRegions[1], env.DRRegions[2], env.KMSKeyIDs[0], env.KMSKeyIDs[1],
		env.ShareAccountIDs[0], env.ShareAccountIDs[1], env.ShareAccountIDs[2], env.Bucket)
}

// rimgImages lists the account's own images in region (any status).
func rimgImages(t *testing.T, c *cloud.Client, region string) []ecs.Image {
	t.Helper()
	ims, err := c.ListImagesByTags(context.Background(), region, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ims
}

// rimgCopies lists the images in region tagged as copies of sourceID.
func rimgCopies(t *testing.T, c *cloud.Client, region, sourceID string) []ecs.Image {
	t.Helper()
	ims, err := c.ListImagesByTags(context.Background(), region, map[string]string{cloud.TagOwner: sourceID})
	if err != nil {
		t.Fatal(err)
	}
	return ims
}

func rimgSnapshot(t *testing.T, env *acctest.Env, c *cloud.Client, diskID string) string {
	t.Helper()
	req := ecs.CreateCreateSnapshotRequest()
	req.DiskId = diskID
	req.SnapshotName = "rimg-test"
	resp := ecs.CreateCreateSnapshotResponse()
	if err := c.DoECS(context.Background(), env.Region, req, resp); err != nil {
		t.Fatal(err)
	}
	return resp.SnapshotId
}

func rimgImage(t *testing.T, env *acctest.Env, c *cloud.Client, name string) string {
	t.Helper()
	id, err := c.CreateImage(context.Background(), env.Region, cloud.CreateImageInput{InstanceID: env.InstanceID, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitImageAvailable(context.Background(), env.Region, id, time.Minute); err != nil {
		t.Fatal(err)
	}
	return id
}

// rimgStateValue reads an attribute of the test resource from state.
func rimgStateValue(s *terraform.State, key string) string {
	rs, ok := s.RootModule().Resources[rimgAddr]
	if !ok {
		return ""
	}
	return rs.Primary.Attributes[key]
}

// rimgNoImagesLeft checks that no image of the account remains in any
// region but the ones listed as allowed (e.g. a user's own source image).
func rimgNoImagesLeft(t *testing.T, env *acctest.Env, c *cloud.Client, allowed ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		keep := map[string]bool{}
		for _, id := range allowed {
			keep[id] = true
		}
		for _, region := range append([]string{env.Region}, env.DRRegions...) {
			for _, im := range rimgImages(t, c, region) {
				if !keep[im.ImageId] {
					return fmt.Errorf("image %s (%s, %s) left in %s after destroy", im.ImageId, im.ImageName, im.Status, region)
				}
			}
		}
		return nil
	}
}

func TestAccReplicatedImage_basic(t *testing.T) {
	env, c := rimgEnv(t)
	dr1, dr2, dr3 := env.DRRegions[0], env.DRRegions[1], env.DRRegions[2]
	snap := rimgSnapshot(t, env, c, env.SystemDiskID)
	config := rimgConfig(env, `
resource "alidr_replicated_image" "test" {
  source = { snapshot_id = %q }
  name   = "core-golden"
  targets = {
    (local.dr1)  = { kms_key_id = local.key_a }
    (local.dr2) = {}
  }
  share_with_accounts = [local.acct[0]]
}`, snap)
	invalid := func(hcl string, re string) resource.TestStep {
		return resource.TestStep{Config: rimgConfig(env, "%s", hcl), PlanOnly: true, ExpectError: regexp.MustCompile(re)}
	}
	var copySH string
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             rimgNoImagesLeft(t, env, c),
		Steps: []resource.TestStep{
			invalid(`
resource "alidr_replicated_image" "test" {
  source = { snapshot_id = "s-1", instance_id = "i-1" }
  name   = "x-golden"
}`, `set exactly one`),
			invalid(`
resource "alidr_replicated_image" "test" {
  source = {}
  name   = "x-golden"
}`, `source sets 0 of image_id`),
			invalid(`
resource "alidr_replicated_image" "test" {
  source  = { snapshot_id = "s-1" }
  name    = "aliyun-golden"
}`, `must not start with aliyun`),
			invalid(`
resource "alidr_replicated_image" "test" {
  source  = { snapshot_id = "s-1" }
  name    = "golden"
  targets = { (local.home) = {} }
}`, `remove "`+env.Region+`" from targets`),
			invalid(`
resource "alidr_replicated_image" "test" {
  source  = { snapshot_id = "s-1" }
  name    = "golden"
  targets = { "Shanghai" = {} }
}`, `use ids like cn-shanghai`),
			invalid(`
resource "alidr_replicated_image" "test" {
  source  = { snapshot_id = "s-1" }
  name    = "golden"
  targets = { "cn-nowhere" = {} }
}`, `region "cn-nowhere" does not exist`),
			invalid(`
resource "alidr_replicated_image" "test" {
  source              = { snapshot_id = "s-1" }
  name                = "golden"
  share_with_accounts = ["team-b"]
}`, `use the account's numeric UID`),
			invalid(`
resource "alidr_replicated_image" "test" {
  source = { snapshot_id = "s-1" }
  name   = "golden"
  export = { bucket = "b", format = "iso" }
}`, `use one of raw, vhd, qcow2`),
			invalid(`
resource "alidr_replicated_image" "test" {
  source = { snapshot_id = "s-1" }
  name   = "golden"
  export = { bucket = "b", prefix = "core/" }
}`, `accepts only letters and digits`),
			invalid(`
resource "alidr_replicated_image" "test" {
  source = { snapshot_id = "s-1" }
  name   = "golden"
  export = { bucket = "b", checksums = ["sha1"] }
}`, `use crc64, md5 or sha256`),
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^m-`))),
					statecheck.CompareValuePairs(rimgAddr, tfjsonpath.New("id"), rimgAddr, tfjsonpath.New("image_id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("region"), knownvalue.StringExact(env.Region)),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("targets").AtMapKey(dr1), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"kms_key_id": knownvalue.StringExact(env.KMSKeyIDs[0]),
						"image_id":   knownvalue.StringRegexp(regexp.MustCompile(`^m-`)),
						"status":     knownvalue.StringExact("Available"),
						"progress":   knownvalue.Int64Exact(100),
					})),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("targets").AtMapKey(dr2), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"kms_key_id": knownvalue.Null(),
						"image_id":   knownvalue.StringRegexp(regexp.MustCompile(`^m-`)),
						"status":     knownvalue.StringExact("Available"),
						"progress":   knownvalue.Int64Exact(100),
					})),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("delete_snapshots_on_destroy"), knownvalue.Bool(false)),
				},
				Check: func(s *terraform.State) error {
					id := rimgStateValue(s, "id")
					src, err := c.FindImageByID(context.Background(), env.Region, id)
					if err != nil {
						return err
					}
					if src.DiskDeviceMappings.DiskDeviceMapping[0].SnapshotId != snap || src.ImageName != "core-golden" {
						return fmt.Errorf("source image %s made from %v named %q", id, src.DiskDeviceMappings.DiskDeviceMapping, src.ImageName)
					}
					copySH = rimgStateValue(s, "targets."+dr1+".image_id")
					for _, region := range []string{dr1, dr2} {
						copies := rimgCopies(t, c, region, id)
						if len(copies) != 1 {
							return fmt.Errorf("%d copies in %s, want 1", len(copies), region)
						}
						// ECS does not share encrypted images: the KMS-encrypted
						// copy in dr1 stays unshared (with a warning).
						want := []string{env.ShareAccountIDs[0]}
						if region == dr1 {
							want = nil
						}
						if err := rimgShared(c, region, copies[0].ImageId, want...); err != nil {
							return err
						}
						if copies[0].ImageName != "core-golden" {
							return fmt.Errorf("copy in %s named %q", region, copies[0].ImageName)
						}
					}
					if n := len(rimgImages(t, c, dr3)); n != 0 {
						return fmt.Errorf("%d images in %s, which is no target", n, dr3)
					}
					return nil
				},
			},
			{
				// Nothing changes on a second plan.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:            rimgAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// Import by <region>:<id> works too.
				ResourceName: rimgAddr,
				ImportState:  true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return env.Region + ":" + rimgStateValue(s, "id"), nil
				},
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// A copy deleted outside Terraform is copied again, alone.
				PreConfig: func() {
					if err := c.DeleteImage(context.Background(), dr1, copySH, true); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(rimgAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(rimgAddr, tfjsonpath.New("targets").AtMapKey(dr1).AtMapKey("image_id")),
						plancheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("targets").AtMapKey(dr2).AtMapKey("image_id"),
							knownvalue.StringRegexp(regexp.MustCompile(`^m-`))),
					},
				},
				Check: func(s *terraform.State) error {
					now := rimgStateValue(s, "targets."+dr1+".image_id")
					if now == copySH || now == "" {
						return fmt.Errorf("copy in %s %q, want a new one (old %s)", dr1, now, copySH)
					}
					if n := len(rimgCopies(t, c, dr1, rimgStateValue(s, "id"))); n != 1 {
						return fmt.Errorf("%d copies in %s", n, dr1)
					}
					return nil
				},
			},
		},
	})
}

// rimgSnapshotsExist returns which of ids still exist in the home region.
func rimgSnapshotsExist(t *testing.T, env *acctest.Env, c *cloud.Client, ids []string) []string {
	t.Helper()
	if len(ids) == 0 {
		return nil
	}
	req := ecs.CreateDescribeSnapshotsRequest()
	raw, _ := json.Marshal(ids)
	req.SnapshotIds = string(raw)
	req.PageSize = "100"
	resp := ecs.CreateDescribeSnapshotsResponse()
	if err := c.DoECS(context.Background(), env.Region, req, resp); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range resp.Snapshots.Snapshot {
		out = append(out, s.SnapshotId)
	}
	return out
}

func rimgShared(c *cloud.Client, region, id string, want ...string) error {
	have, err := c.ImageSharedAccounts(context.Background(), region, id)
	if err != nil {
		return err
	}
	if !slices.Equal(have, want) {
		return fmt.Errorf("image %s in %s shared with %v, want %v", id, region, have, want)
	}
	return nil
}

// TestAccReplicatedImage_update creates from an instance and updates every
// updatable argument: name, description, targets (add, remove, rekey),
// share_with_accounts and delete_snapshots_on_destroy.
func TestAccReplicatedImage_update(t *testing.T) {
	env, c := rimgEnv(t)
	dr1, dr2, dr3 := env.DRRegions[0], env.DRRegions[1], env.DRRegions[2]
	var sourceID, copySH, copyGZ string
	var sourceSnaps []string
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(rimgNoImagesLeft(t, env, c), func(*terraform.State) error {
			if left := rimgSnapshotsExist(t, env, c, sourceSnaps); len(left) > 0 {
				return fmt.Errorf("snapshots of the source image left after destroy: %v", left)
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: rimgConfig(env, `
resource "alidr_replicated_image" "test" {
  source      = { instance_id = %q }
  name        = "app-golden"
  description = "v1"
  targets = {
    (local.dr1)  = { kms_key_id = local.key_a }
    (local.dr2) = {}
  }
  share_with_accounts = [local.acct[0]]
}`, env.OtherInstanceID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("source").AtMapKey("instance_id"), knownvalue.StringExact(env.OtherInstanceID)),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("targets"), knownvalue.MapSizeExact(2)),
				},
				Check: func(s *terraform.State) error {
					sourceID = rimgStateValue(s, "id")
					copySH = rimgStateValue(s, "targets."+dr1+".image_id")
					copyGZ = rimgStateValue(s, "targets."+dr2+".image_id")
					src, err := c.FindImageByID(context.Background(), env.Region, sourceID)
					if err != nil {
						return err
					}
					if len(src.DiskDeviceMappings.DiskDeviceMapping) != 2 || src.Description != "v1" {
						return fmt.Errorf("source image from the instance: %d disks, description %q", len(src.DiskDeviceMappings.DiskDeviceMapping), src.Description)
					}
					sourceSnaps = nil
					for _, m := range src.DiskDeviceMappings.DiskDeviceMapping {
						sourceSnaps = append(sourceSnaps, m.SnapshotId)
					}
					if got := cloud.ImageTags(rimgCopies(t, c, dr1, sourceID)[0])[cloud.TagKMSKey]; got != env.KMSKeyIDs[0] {
						return fmt.Errorf("%s copy tagged with key %q", dr1, got)
					}
					if err := rimgShared(c, dr2, copyGZ, env.ShareAccountIDs[0]); err != nil {
						return err
					}
					return rimgShared(c, env.Region, sourceID, env.ShareAccountIDs[0])
				},
			},
			{
				Config: rimgConfig(env, `
resource "alidr_replicated_image" "test" {
  source      = { instance_id = %q }
  name        = "app-golden-2"
  description = "v2"
  targets = {
    (local.dr1) = { kms_key_id = local.key_b }
    (local.dr3) = {}
  }
  share_with_accounts         = [local.acct[2], local.acct[1]]
  delete_snapshots_on_destroy = true
}`, env.OtherInstanceID),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(rimgAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(rimgAddr, tfjsonpath.New("targets").AtMapKey(dr1).AtMapKey("image_id")),
						plancheck.ExpectUnknownValue(rimgAddr, tfjsonpath.New("targets").AtMapKey(dr3).AtMapKey("image_id")),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("name"), knownvalue.StringExact("app-golden-2")),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("targets"), knownvalue.MapExact(map[string]knownvalue.Check{
						dr1: knownvalue.ObjectPartial(map[string]knownvalue.Check{"kms_key_id": knownvalue.StringExact(env.KMSKeyIDs[1]), "status": knownvalue.StringExact("Available")}),
						dr3: knownvalue.ObjectPartial(map[string]knownvalue.Check{"kms_key_id": knownvalue.Null(), "status": knownvalue.StringExact("Available")}),
					})),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("share_with_accounts"), knownvalue.SetSizeExact(2)),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("delete_snapshots_on_destroy"), knownvalue.Bool(true)),
				},
				Check: func(s *terraform.State) error {
					if id := rimgStateValue(s, "id"); id != sourceID {
						return fmt.Errorf("source image changed from %s to %s: the update replaced it", sourceID, id)
					}
					if n := len(rimgImages(t, c, dr2)); n != 0 {
						return fmt.Errorf("%d images left in %s after removing the target (copy was %s)", n, dr2, copyGZ)
					}
					sh := rimgCopies(t, c, dr1, sourceID)
					if len(sh) != 1 || sh[0].ImageId == copySH || cloud.ImageTags(sh[0])[cloud.TagKMSKey] != env.KMSKeyIDs[1] {
						return fmt.Errorf("%s after rekey: %d copies, first %+v (old %s)", dr1, len(sh), sh, copySH)
					}
					if _, err := c.FindImageByID(context.Background(), dr1, copySH); !cloud.IsNotFound(err) {
						return fmt.Errorf("old %s copy %s still there: %w", dr1, copySH, err)
					}
					hz := rimgCopies(t, c, dr3, sourceID)
					if len(hz) != 1 {
						return fmt.Errorf("%d copies in %s", len(hz), dr3)
					}
					src, err := c.FindImageByID(context.Background(), env.Region, sourceID)
					if err != nil {
						return err
					}
					if src.ImageName != "app-golden-2" || src.Description != "v2" || sh[0].ImageName != "app-golden-2" || hz[0].ImageName != "app-golden-2" {
						return fmt.Errorf("names after rename: source %q/%q, %s %q, %s %q", src.ImageName, src.Description, dr1, sh[0].ImageName, dr3, hz[0].ImageName)
					}
					for _, im := range []struct{ region, id string }{{env.Region, sourceID}, {dr3, hz[0].ImageId}} {
						if err := rimgShared(c, im.region, im.id, env.ShareAccountIDs[1], env.ShareAccountIDs[2]); err != nil {
							return err
						}
					}
					// The rekeyed copy is encrypted: ECS does not share it.
					return rimgShared(c, dr1, sh[0].ImageId)
				},
			},
			{
				ResourceName:            rimgAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts", "delete_snapshots_on_destroy"},
			},
		},
	})
}
