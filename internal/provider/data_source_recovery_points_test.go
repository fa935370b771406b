package provider_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/attest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func TestAccRecoveryPointsDataSource_validation(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      env.Config(`data "alidr_recovery_points" "x" {}`),
				ExpectError: regexp.MustCompile(`Exactly one of these attributes must be configured: \[disk_id,instance_id\]`),
			},
			{
				Config:      env.Config("data \"alidr_recovery_points\" \"x\" {\n  disk_id = \"d-1\"\n  before  = \"yesterday\"\n}"),
				ExpectError: spWrapped(`before = "yesterday" is not an RFC 3339 time`),
			},
		},
	})
}

func TestAccRecoveryPointsDataSource(t *testing.T) {
	acctest.SkipOnCloud(t, "spaces snapshots hours apart on the emulator's clock")
	// On an emulated clock far from the wall clock (max_age counts on the
	// service's clock): three snapshots of the database disk, 10h, 8h and 6h
	// before the reads, one of them verified, one copied to the first DR region, and
	// an image built from the newest.
	start := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	clock := emulator.NewManualClock(start)
	env := spEnv(t, emulator.Options{Clock: clock})
	env.Emulator.SetTimestampWindow(0)
	sdk := env.ECS(t, env.Region)
	snap := func() string {
		req := ecs.CreateCreateSnapshotRequest()
		req.DiskId = env.DataDiskID
		resp, err := sdk.CreateSnapshot(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.SnapshotId
	}
	s1 := snap()
	clock.Advance(2 * time.Hour)
	s2 := snap()
	clock.Advance(2 * time.Hour)
	s3 := snap()
	clock.Advance(time.Hour)
	trust := newTestTrust(t, env, "alidr-proofs-points")
	trust.vouch(t, trust.key, "vr-s1", attest.StatusPassed, s1)
	cp := ecs.CreateCopySnapshotRequest()
	cp.SnapshotId, cp.DestinationRegionId = s2, env.DRRegions[0]
	cp.DestinationSnapshotName, cp.DestinationSnapshotDescription = "copy", "copy" // required by the CopySnapshot model
	cpResp, err := sdk.CopySnapshot(cp)
	if err != nil {
		t.Fatal(err)
	}
	im := ecs.CreateCreateImageRequest()
	im.SnapshotId, im.ImageName = s3, "core-db-data"
	imResp, err := sdk.CreateImage(im)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(5 * time.Hour) // reads happen 10h after s1
	beforeS2 := start.Add(time.Hour).Format(time.RFC3339)

	point := func(id, kind, region string, verified bool) knownvalue.Check {
		return knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"id": knownvalue.StringExact(id), "kind": knownvalue.StringExact(kind), "region": knownvalue.StringExact(region),
			"disk_id": knownvalue.StringExact(env.DataDiskID), "verified": knownvalue.Bool(verified),
		})
	}
	ds := func(name string) string { return "data.alidr_recovery_points." + name }
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Nothing verified on the system disk: the error says which filter emptied the list.
				PreConfig: func() {
					req := ecs.CreateCreateSnapshotRequest()
					req.DiskId = env.SystemDiskID
					if _, err := sdk.CreateSnapshot(req); err != nil {
						t.Fatal(err)
					}
				},
				Config:      trust.config(false, "data \"alidr_recovery_points\" \"x\" {\n  disk_id       = %q\n  only_verified = true\n}", env.SystemDiskID),
				ExpectError: spWrapped(`1 point exists, 0 are verified; run alidr_verification_run or set only_verified = false`),
			},
			{
				Config: trust.config(false, `
data "alidr_recovery_points" "all" {
  disk_id = %[1]q
  regions = [%[4]q, %[5]q]
}
data "alidr_recovery_points" "before_incident" {
  disk_id = %[1]q
  before  = %[2]q
}
data "alidr_recovery_points" "verified" {
  disk_id       = %[1]q
  only_verified = true
}
data "alidr_recovery_points" "recent" {
  disk_id = %[1]q
  max_age = "9h"
  kinds   = ["snapshot"]
}
data "alidr_recovery_points" "copies" {
  disk_id = %[1]q
  regions = [%[5]q]
}
data "alidr_recovery_points" "instance_images" {
  instance_id = %[3]q
  kinds       = ["image"]
}
data "alidr_recovery_points" "none" {
  disk_id       = %[1]q
  categories    = ["archive"]
  require_match = false
}`, env.DataDiskID, beforeS2, env.InstanceID, env.Region, env.DRRegions[0]),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(ds("all"), tfjsonpath.New("points"), knownvalue.ListExact([]knownvalue.Check{
						point(imResp.ImageId, "image", env.Region, false),             // 1h after s3; ties sort by id
						point(cpResp.SnapshotId, "snapshot", env.DRRegions[0], false), // copied with the image
						point(s3, "snapshot", env.Region, false),
						point(s2, "snapshot", env.Region, false),
						point(s1, "snapshot", env.Region, true),
					})),
					statecheck.ExpectKnownValue(ds("before_incident"), tfjsonpath.New("newest"), point(s1, "snapshot", env.Region, true)),
					statecheck.ExpectKnownValue(ds("before_incident"), tfjsonpath.New("points"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(ds("verified"), tfjsonpath.New("newest"), point(s1, "snapshot", env.Region, true)),
					statecheck.ExpectKnownValue(ds("recent"), tfjsonpath.New("points"), knownvalue.ListExact([]knownvalue.Check{
						point(s3, "snapshot", env.Region, false),
						point(s2, "snapshot", env.Region, false),
					})),
					statecheck.ExpectKnownValue(ds("recent"), tfjsonpath.New("newest").AtMapKey("created_at"),
						knownvalue.StringExact(start.Add(4*time.Hour).Format(time.RFC3339))),
					statecheck.ExpectKnownValue(ds("copies"), tfjsonpath.New("points"), knownvalue.ListExact([]knownvalue.Check{
						point(cpResp.SnapshotId, "snapshot", env.DRRegions[0], false),
					})),
					statecheck.ExpectKnownValue(ds("instance_images"), tfjsonpath.New("newest"), point(imResp.ImageId, "image", env.Region, false)),
					statecheck.ExpectKnownValue(ds("none"), tfjsonpath.New("points"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue(ds("none"), tfjsonpath.New("newest"), knownvalue.Null()),
				},
			},
		},
	})
}
