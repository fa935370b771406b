package provider_test

import (
	"context"
	"fmt"
	"regexp"
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
	env := acctest.New(t, emulator.Options{})
	env.RequireEmulator(t)
	env.Emulator.SetDurations(emulator.InstantDurations())
	env.Emulator.SetExportBytesPerGiB(256 << 10) // 40 GiB -> 10 MiB: two manifest parts
	c, err := cloud.New(context.Background(), cloud.Config{
		Region: env.Region, AccessKey: emulator.DefaultAccessKeyID, SecretKey: emulator.DefaultAccessKeySecret,
		Endpoints: cloud.Endpoints{ECS: env.Emulator.URL(), OSS: env.Emulator.URL()}, MaxRetries: 3,
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return env, c
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

func rimgSnapshot(t *testing.T, c *cloud.Client, diskID string) string {
	t.Helper()
	req := ecs.CreateCreateSnapshotRequest()
	req.DiskId = diskID
	req.SnapshotName = "rimg-test"
	resp := ecs.CreateCreateSnapshotResponse()
	if err := c.DoECS(context.Background(), "cn-beijing", req, resp); err != nil {
		t.Fatal(err)
	}
	return resp.SnapshotId
}

func rimgImage(t *testing.T, c *cloud.Client, name string) string {
	t.Helper()
	id, err := c.CreateImage(context.Background(), "cn-beijing", cloud.CreateImageInput{InstanceID: emulator.SeedInstanceCoreDB, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitImageAvailable(context.Background(), "cn-beijing", id, time.Minute); err != nil {
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
func rimgNoImagesLeft(t *testing.T, c *cloud.Client, allowed ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		keep := map[string]bool{}
		for _, id := range allowed {
			keep[id] = true
		}
		for _, region := range []string{"cn-beijing", "cn-shanghai", "cn-guangzhou", "cn-hangzhou"} {
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
	snap := rimgSnapshot(t, c, emulator.SeedDiskCoreDBSys)
	config := env.Config(`
resource "alidr_replicated_image" "test" {
  source = { snapshot_id = %q }
  name   = "core-golden"
  targets = {
    "cn-shanghai"  = { kms_key_id = "key-sh" }
    "cn-guangzhou" = {}
  }
  share_with_accounts = ["1234567890"]
}`, snap)
	invalid := func(hcl string, re string) resource.TestStep {
		return resource.TestStep{Config: env.Config("%s", hcl), PlanOnly: true, ExpectError: regexp.MustCompile(re)}
	}
	var copySH string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             rimgNoImagesLeft(t, c),
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
  targets = { "cn-beijing" = {} }
}`, `remove "cn-beijing" from targets`),
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
  export = { bucket = "b", format = "vmdk" }
}`, `use one of raw, vhd, qcow2`),
			invalid(`
resource "alidr_replicated_image" "test" {
  source = { snapshot_id = "s-1" }
  name   = "golden"
  export = { bucket = "b", prefix = "/core/" }
}`, `must not start with "/"`),
			invalid(`
resource "alidr_replicated_image" "test" {
  source = { snapshot_id = "s-1" }
  name   = "golden"
  export = { bucket = "b", checksums = ["sha1"] }
}`, `use crc64, md5 or sha256`),
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^m-2ze`))),
					statecheck.CompareValuePairs(rimgAddr, tfjsonpath.New("id"), rimgAddr, tfjsonpath.New("image_id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("region"), knownvalue.StringExact("cn-beijing")),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("targets").AtMapKey("cn-shanghai"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"kms_key_id": knownvalue.StringExact("key-sh"),
						"image_id":   knownvalue.StringRegexp(regexp.MustCompile(`^m-uf6`)),
						"status":     knownvalue.StringExact("Available"),
						"progress":   knownvalue.Int64Exact(100),
					})),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("targets").AtMapKey("cn-guangzhou"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"kms_key_id": knownvalue.Null(),
						"image_id":   knownvalue.StringRegexp(regexp.MustCompile(`^m-7xv`)),
						"status":     knownvalue.StringExact("Available"),
						"progress":   knownvalue.Int64Exact(100),
					})),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("delete_snapshots_on_destroy"), knownvalue.Bool(false)),
				},
				Check: func(s *terraform.State) error {
					id := rimgStateValue(s, "id")
					src, err := c.FindImageByID(context.Background(), "cn-beijing", id)
					if err != nil {
						return err
					}
					if src.DiskDeviceMappings.DiskDeviceMapping[0].SnapshotId != snap || src.ImageName != "core-golden" {
						return fmt.Errorf("source image %s made from %v named %q", id, src.DiskDeviceMappings.DiskDeviceMapping, src.ImageName)
					}
					copySH = rimgStateValue(s, "targets.cn-shanghai.image_id")
					for _, region := range []string{"cn-shanghai", "cn-guangzhou"} {
						copies := rimgCopies(t, c, region, id)
						if len(copies) != 1 {
							return fmt.Errorf("%d copies in %s, want 1", len(copies), region)
						}
						accts, err := c.ImageSharedAccounts(context.Background(), region, copies[0].ImageId)
						if err != nil || len(accts) != 1 || accts[0] != "1234567890" {
							return fmt.Errorf("copy in %s shared with %v (%v)", region, accts, err)
						}
						if copies[0].ImageName != "core-golden" {
							return fmt.Errorf("copy in %s named %q", region, copies[0].ImageName)
						}
					}
					if n := len(rimgImages(t, c, "cn-hangzhou")); n != 0 {
						return fmt.Errorf("%d images in cn-hangzhou, which is no target", n)
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
					return "cn-beijing:" + rimgStateValue(s, "id"), nil
				},
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// A copy deleted outside Terraform is copied again, alone.
				PreConfig: func() {
					if err := c.DeleteImage(context.Background(), "cn-shanghai", copySH, true); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(rimgAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(rimgAddr, tfjsonpath.New("targets").AtMapKey("cn-shanghai").AtMapKey("image_id")),
						plancheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("targets").AtMapKey("cn-guangzhou").AtMapKey("image_id"),
							knownvalue.StringRegexp(regexp.MustCompile(`^m-7xv`))),
					},
				},
				Check: func(s *terraform.State) error {
					now := rimgStateValue(s, "targets.cn-shanghai.image_id")
					if now == copySH || now == "" {
						return fmt.Errorf("copy in cn-shanghai %q, want a new one (old %s)", now, copySH)
					}
					if n := len(rimgCopies(t, c, "cn-shanghai", rimgStateValue(s, "id"))); n != 1 {
						return fmt.Errorf("%d copies in cn-shanghai", n)
					}
					return nil
				},
			},
		},
	})
}
