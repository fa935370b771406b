package provider_test

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc64"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
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
	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

const rimgAddr = "alidr_replicated_image.test"

// rimgEnv is an emulator with instant operations, small exports and a
// client for checks made outside Terraform.
func rimgEnv(t *testing.T) (*acctest.Env, *cloud.Client) {
	t.Helper()
	env := acctest.New(t, emulator.Options{})
	env.Instant()
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
						// copy in cn-shanghai stays unshared (with a warning).
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
						return fmt.Errorf("shanghai copy tagged with key %q", got)
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
						return fmt.Errorf("shanghai after rekey: %d copies, first %+v (old %s)", len(sh), sh, copySH)
					}
					if _, err := c.FindImageByID(context.Background(), dr1, copySH); !cloud.IsNotFound(err) {
						return fmt.Errorf("old shanghai copy %s still there: %w", copySH, err)
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
						return fmt.Errorf("names after rename: source %q/%q, shanghai %q, hangzhou %q", src.ImageName, src.Description, sh[0].ImageName, hz[0].ImageName)
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

// rimgObject downloads an object with the OSS SDK and hashes it
// independently of the transfer engine.
func rimgObject(t *testing.T, b *oss.Bucket, key string) (size int64, md5hex, sha256hex, crc string) {
	t.Helper()
	r, err := b.GetObject(key)
	if err != nil {
		t.Fatalf("GET %s: %v", key, err)
	}
	defer r.Close()
	m, s, c := md5.New(), sha256.New(), crc64.New(crc64.MakeTable(crc64.ECMA))
	n, err := io.Copy(io.MultiWriter(m, s, c), r)
	if err != nil {
		t.Fatal(err)
	}
	return n, hex.EncodeToString(m.Sum(nil)), hex.EncodeToString(s.Sum(nil)), strconv.FormatUint(c.Sum64(), 10)
}

func TestAccReplicatedImage_export(t *testing.T) {
	env, c := rimgEnv(t)
	dr1 := env.DRRegions[0]
	source := rimgImage(t, env, c, "export-source")
	bucket := env.OSSBucket(t)
	// ECS names the exported objects; the provider reads the names from the
	// export task. The checks take them from state and require them to be
	// exactly the objects in the bucket.
	var object, dataObject string // the system disk and the core-db instance's data disk
	var firstDataMD5 string
	cfg := func(export string) string {
		return rimgConfig(env, `
resource "alidr_replicated_image" "test" {
  source  = { image_id = %q }
  name    = "core-golden"
  targets = { (local.dr1) = {} }
  %s
}`, source, export)
	}
	full := cfg(`export = {
    bucket    = local.bucket
    prefix    = "core"
    format    = "qcow2"
    checksums = ["crc64", "md5", "sha256"]
  }`)
	var firstMD5 string
	checkExport := func(s *terraform.State) error {
		object, dataObject = rimgStateValue(s, "export.object"), rimgStateValue(s, "export.data_objects.0")
		if err := rimgOnlyExported(bucket, object, dataObject); err != nil {
			return err
		}
		// cn-beijing does not honour ImageFormat: the state says what ECS made.
		if f := rimgStateValue(s, "export.exported_format"); f != "raw" {
			return fmt.Errorf("exported_format = %q, want raw (the format the task reports)", f)
		}
		size, m, sh, crc := rimgObject(t, bucket, object)
		got := map[string]string{
			"export.object": object, "export.manifest_object": object + ".manifest.json",
			"export.md5": m, "export.sha256": sh, "export.crc64": crc, "export.size": strconv.FormatInt(size, 10),
		}
		for k, want := range got {
			if v := rimgStateValue(s, k); v != want {
				return fmt.Errorf("%s = %q, independent computation says %q", k, v, want)
			}
		}
		if firstMD5 != "" && m != firstMD5 {
			return fmt.Errorf("exported object md5 %s, first export was %s", m, firstMD5)
		}
		firstMD5 = m
		r, err := bucket.GetObject(object + ".manifest.json")
		if err != nil {
			return err
		}
		defer r.Close()
		raw, _ := io.ReadAll(r)
		man, err := transfer.ParseManifest(raw)
		if err != nil {
			return err
		}
		if man.Size != size || man.CRC64 != crc || man.MD5 != m || man.SHA256 != sh || len(man.Parts) < 2 {
			return fmt.Errorf("manifest %+v does not describe the object (size %d crc %s)", man, size, crc)
		}
		for _, p := range man.Parts {
			if p.SHA256 == "" || p.CRC64 == "" {
				return fmt.Errorf("manifest part %d lacks checksums", p.Index)
			}
		}
		// The data disk's object has its own manifest.
		if n := rimgStateValue(s, "export.data_objects.#"); n != "1" {
			return fmt.Errorf("data_objects has %s items, want 1", n)
		}
		dsize, dmd5, dsha, dcrc := rimgObject(t, bucket, dataObject)
		if firstDataMD5 != "" && dmd5 != firstDataMD5 {
			return fmt.Errorf("data object md5 %s, first export was %s", dmd5, firstDataMD5)
		}
		firstDataMD5 = dmd5
		dr, err := bucket.GetObject(dataObject + ".manifest.json")
		if err != nil {
			return err
		}
		defer dr.Close()
		raw, _ = io.ReadAll(dr)
		dman, err := transfer.ParseManifest(raw)
		if err != nil {
			return err
		}
		if dman.Size != dsize || dman.MD5 != dmd5 || dman.SHA256 != dsha || dman.CRC64 != dcrc {
			return fmt.Errorf("data manifest %+v does not describe %s", dman, dataObject)
		}
		return nil
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeTestCheckFunc(rimgNoImagesLeft(t, env, c, source), func(*terraform.State) error {
			for _, prefix := range []string{"core/", "v2/"} {
				lr, err := bucket.ListObjects(oss.Prefix(prefix))
				if err != nil {
					return err
				}
				if len(lr.Objects) != 0 {
					return fmt.Errorf("%d objects left in the bucket after destroy, first %s", len(lr.Objects), lr.Objects[0].Key)
				}
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: full,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("exported_format"))},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("source").AtMapKey("image_id"), knownvalue.StringExact(source)),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("id"), knownvalue.StringExact(source)),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("etag"), knownvalue.NotNull()),
				},
				Check: checkExport,
			},
			{
				// The exported object is deleted: refresh notices, apply exports again.
				PreConfig: func() {
					if err := bucket.DeleteObject(object); err != nil {
						t.Fatal(err)
					}
				},
				Config: full,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(rimgAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("md5")),
						plancheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("targets").AtMapKey(dr1).AtMapKey("status"), knownvalue.StringExact("Available")),
					},
				},
				Check: checkExport,
			},
			{
				// The exported object is overwritten: its ETag changes.
				PreConfig: func() {
					if err := bucket.PutObject(object, strings.NewReader("tampered")); err != nil {
						t.Fatal(err)
					}
				},
				Config: full,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(rimgAddr, plancheck.ResourceActionUpdate)},
				},
				Check: checkExport,
			},
			{
				// A data disk object is overwritten: checked against its manifest.
				PreConfig: func() {
					if err := bucket.PutObject(dataObject, strings.NewReader("tampered")); err != nil {
						t.Fatal(err)
					}
				},
				Config: full,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(rimgAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectUnknownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("data_objects")),
					},
				},
				Check: checkExport,
			},
			{
				// Fewer checksums: recomputed, not exported again.
				Config: cfg(`export = {
    bucket    = local.bucket
    prefix    = "core"
    format    = "qcow2"
    checksums = ["md5"]
  }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(rimgAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("object"), knownvalue.StringFunc(func(v string) error {
							if v != object {
								return fmt.Errorf("object %q, want the exported %q kept", v, object)
							}
							return nil
						})),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("sha256"), knownvalue.Null()),
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("crc64"), knownvalue.Null()),
				},
				Check: func(s *terraform.State) error {
					if v := rimgStateValue(s, "export.md5"); v != firstMD5 {
						return fmt.Errorf("md5 %q, want %q", v, firstMD5)
					}
					return nil
				},
			},
			{
				// A new prefix exports again and removes the old objects.
				Config: cfg(`export = {
    bucket = local.bucket
    prefix = "v2"
  }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(rimgAddr, tfjsonpath.New("export").AtMapKey("checksums"), knownvalue.SetSizeExact(3)),
				},
				Check: func(s *terraform.State) error {
					v2, v2data := rimgStateValue(s, "export.object"), rimgStateValue(s, "export.data_objects.0")
					if !strings.HasPrefix(v2, "v2") || v2 == object {
						return fmt.Errorf("object after the prefix change: %q (before %q)", v2, object)
					}
					// Only the new export is left: the old objects and manifests are gone.
					if err := rimgOnlyExported(bucket, v2, v2data); err != nil {
						return err
					}
					_, m, _, _ := rimgObject(t, bucket, v2)
					if v := rimgStateValue(s, "export.md5"); v != m {
						return fmt.Errorf("md5 %s, object has %s", v, m)
					}
					return nil
				},
			},
		},
	})
}

// rimgOnlyExported checks that the bucket holds exactly the exported objects
// named and their manifests.
func rimgOnlyExported(bucket *oss.Bucket, keys ...string) error {
	lr, err := bucket.ListObjects()
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, k := range keys {
		if k == "" {
			return fmt.Errorf("an exported object key is empty: %q", keys)
		}
		want[k], want[k+".manifest.json"] = true, true
	}
	var got []string
	for _, o := range lr.Objects {
		got = append(got, o.Key)
	}
	if len(got) != len(want) {
		return fmt.Errorf("bucket holds %v, want exactly %q and their manifests", got, keys)
	}
	for _, k := range got {
		if !want[k] {
			return fmt.Errorf("bucket holds %v, want exactly %q and their manifests", got, keys)
		}
	}
	return nil
}

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
					return fmt.Errorf("guangzhou copy %q: the failed copy %s was adopted", gz, failed)
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
