package provider_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

// The life of each duty's resources under its generated policy: create,
// update in place, import, refresh, destroy.

var backupDuty = dutyCase{duty: "backup", arrange: func(t *testing.T, env *acctest.Env) []ramStep {
	policy := func(name, hours, disk, retention, tags string) string {
		return fmt.Sprintf(`
data "alidr_regions" "all" {}
data "alidr_disks" "core" { instance_id = %q }

resource "alidr_snapshot_policy" "core" {
  name              = %q
  schedule          = { hours = %s, weekdays = ["MON", "WED", "FRI"] }
  retention         = %s
  cross_region_copy = { regions = [%q], retention_days = 7 }
  disk_ids          = [%q]
  tags              = %s
}`, env.InstanceID, name, hours, retention, env.DRRegions[0], disk, tags)
	}
	v1 := policy("core-backup", "[2, 14]", env.DataDiskID, `{ daily_days = 7 }`, `{ team = "core", stage = "one" }`)
	// Retention tiers look for the policy's snapshots to move. The tags stay:
	// an enterprise policy's tags are set at creation only (a change
	// replaces it), so v2 is an update in place.
	v2 := policy("core-backup-v2", "[1, 9, 17]", env.OtherDataDiskID, `{ daily_days = 7, monthly_months = 3 }`, `{ team = "core", stage = "one" }`)
	return []ramStep{{config: v1}, {config: v2}, {config: v2, importOf: "alidr_snapshot_policy.core"}, {refresh: true}, {config: v2, destroy: true}}
}}

var replicateDuty = dutyCase{duty: "replicate", arrange: func(t *testing.T, env *acctest.Env) []ramStep {
	// From an instance: the provider makes the image, and deletes it and
	// its copies with their snapshots.
	image := func(name, targets, share string) string {
		return fmt.Sprintf(`
resource "alidr_replicated_image" "golden" {
  source              = { instance_id = %q }
  name                = %q
  targets             = %s
  share_with_accounts = %s
  export              = { bucket = %q, prefix = "core", checksums = ["crc64", "sha256"] }

  delete_snapshots_on_destroy = true
}`, env.InstanceID, name, targets, share, env.Bucket)
	}
	v1 := image("core-golden", fmt.Sprintf(`{ %q = {} }`, env.DRRegions[0]), fmt.Sprintf(`[%q]`, env.ShareAccountIDs[0]))
	v2 := image("core-golden-v2", fmt.Sprintf(`{ %q = {} }`, env.DRRegions[1]), `[]`)
	return []ramStep{{config: v1}, {config: v2}, {config: v2, importOf: "alidr_replicated_image.golden"}, {refresh: true}, {config: v2, destroy: true}}
}}

var restoreDuty = dutyCase{duty: "restore", arrange: func(t *testing.T, env *acctest.Env) []ramStep {
	ramSnapshot(t, env, env.SystemDiskID)
	instance := func(name, status, tags string) string {
		return fmt.Sprintf(`
data "alidr_recovery_points" "sys" { disk_id = %q }

resource "alidr_restored_instance" "core" {
  source             = { recovery_point = { disk_id = %q } }
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
  instance_name      = %q
  desired_status     = %q
  tags               = %s
}`, env.SystemDiskID, env.SystemDiskID, env.VSwitchID, env.SecurityGroupID, name, status, tags)
	}
	v1 := instance("core-restored", "Running", `{ app = "core", stage = "one" }`)
	v2 := instance("core-restored-v2", "Stopped", `{ app = "core", env = "dr" }`)
	v3 := instance("core-restored-v2", "Running", `{ app = "core", env = "dr" }`)
	return []ramStep{{config: v1}, {config: v2}, {config: v3}, {config: v3, importOf: "alidr_restored_instance.core"}, {refresh: true}, {config: v3, destroy: true}}
}}

var verifyDuty = dutyCase{duty: "verify", arrange: func(t *testing.T, env *acctest.Env) []ramStep {
	bucket := env.OSSBucket(t)
	data := bytes.Repeat([]byte("alidr recovery point "), 4096)
	if err := bucket.PutObject("golden.raw", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	res, err := transfer.Verify(context.Background(), bucket, "golden.raw", transfer.Options{PartSize: 64 << 10, MD5: true})
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := res.Manifest.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := bucket.PutObject("golden.raw.manifest.json", bytes.NewReader(manifest)); err != nil {
		t.Fatal(err)
	}
	snap := ramSnapshot(t, env, env.SystemDiskID)
	report := filepath.Join(t.TempDir(), "report.json")
	run := func(round string) string {
		return fmt.Sprintf(`
resource "alidr_verification_run" "nightly" {
  checksum        = { bucket = %q, object = "golden.raw", manifest = "golden.raw.manifest.json" }
  boot_test       = { instance_id = %q, command = "true", duration = "1s", interval = "250ms" }
  verified_points = [%q]
  report          = { path = %q, format = "json", bucket = %q, object = "reports/nightly.json" }
  triggers        = { round = %q }
}`, env.Bucket, env.InstanceID, snap, report, env.Bucket, round)
	}
	return []ramStep{{config: run("1")}, {config: run("2")}, {refresh: true}, {config: run("2"), destroy: true}}
}}

// ramSnapshot takes a snapshot of a disk with the account's own key.
func ramSnapshot(t *testing.T, env *acctest.Env, diskID string) string {
	t.Helper()
	req := ecs.CreateCreateSnapshotRequest()
	req.DiskId = diskID
	req.SnapshotName = "ram-test"
	resp := ecs.CreateCreateSnapshotResponse()
	if err := env.Client(t).DoECS(context.Background(), env.Region, req, resp); err != nil {
		t.Fatal(err)
	}
	return resp.SnapshotId
}
