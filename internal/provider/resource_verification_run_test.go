package provider_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
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

// vrEnv is the test's target with instant ECS durations (on the emulator),
// the fixture bucket and SDK clients.
type vrEnv struct {
	*acctest.Env
	bucket *oss.Bucket
	cloud  *cloud.Client
}

func newVREnv(t *testing.T, opts emulator.Options) *vrEnv {
	t.Helper()
	env := acctest.New(t, opts)
	env.Instant()
	return &vrEnv{Env: env, bucket: env.OSSBucket(t), cloud: env.Client(t)}
}

// put writes an object the test deletes when it ends.
func (e *vrEnv) put(t *testing.T, key string, data []byte) {
	t.Helper()
	if err := e.bucket.PutObject(key, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.bucket.DeleteObject(key) })
}

// ranCommands checks that want boot-test commands ran on instance: a check
// only the emulator can make.
func (e *vrEnv) ranCommands(instance string, want int, why string) error {
	var err error
	e.OnEmulator(func(s *emulator.Server) {
		if n := len(s.CommandsRun(instance)); n != want {
			err = fmt.Errorf("%d boot-test commands ran, want %d%s", n, want, why)
		}
	})
	return err
}

// image uploads data and its manifest, produced by the transfer engine.
func (e *vrEnv) image(t *testing.T, key string, data []byte) *transfer.Result {
	t.Helper()
	e.put(t, key, data)
	res, err := transfer.Verify(context.Background(), e.bucket, key, transfer.Options{PartSize: 256 << 10, MD5: true, SHA256: true, PartSHA256: true})
	if err != nil {
		t.Fatal(err)
	}
	mj, err := res.Manifest.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	e.put(t, key+".manifest.json", mj)
	return res
}

func checkIs(name, status string, detail *regexp.Regexp) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"name": knownvalue.StringExact(name), "status": knownvalue.StringExact(status), "detail": knownvalue.StringRegexp(detail),
	})
}

func TestAccVerificationRun_badInputs(t *testing.T) {
	env := newVREnv(t, emulator.Options{})
	env.put(t, "img.raw", []byte("some bytes"))
	env.put(t, "broken.json", []byte(`{"version": 1, "size": 10, "part_size": 0, "crc64": "x"}`))
	// Stop the second seeded instance.
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = env.OtherInstanceID
	stop.ForceStop = requests.NewBoolean(true)
	if err := env.cloud.DoECS(context.Background(), env.Region, stop, ecs.CreateStopInstanceResponse()); err != nil {
		t.Fatal(err)
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
resource "alidr_verification_run" "missing_object" {
  checksum   = { bucket = %[1]q, object = "nope.raw", expected_crc64 = "1", mode = "metadata" }
  on_failure = "record"
}
resource "alidr_verification_run" "missing_manifest" {
  checksum   = { bucket = %[1]q, object = "img.raw", manifest = "nope.json", mode = "sample" }
  on_failure = "record"
}
resource "alidr_verification_run" "broken_manifest" {
  checksum   = { bucket = %[1]q, object = "img.raw", manifest = "broken.json" }
  on_failure = "record"
}
resource "alidr_verification_run" "stopped" {
  boot_test  = { instance_id = %[2]q, command = "true", duration = "1h", interval = "1m" }
  on_failure = "record"
}
resource "alidr_verification_run" "no_instance" {
  boot_test  = { instance_id = "i-2zenosuchinstance000", command = "true" }
  on_failure = "record"
}`, env.Bucket, env.OtherInstanceID),
			ConfigStateChecks: []statecheck.StateCheck{
				state("alidr_verification_run.missing_object", "checks", knownvalue.ListExact([]knownvalue.Check{
					checkIs("checksum", "failed", regexp.MustCompile(`^metadata: oss://`+env.Bucket+`/nope.raw does not exist: OSS object oss://`+env.Bucket+`/nope.raw not found in `+env.Region)),
				})),
				state("alidr_verification_run.missing_manifest", "checks", knownvalue.ListExact([]knownvalue.Check{
					checkIs("checksum", "failed", regexp.MustCompile(`^sample: manifest oss://`+env.Bucket+`/nope.json does not exist`)),
				})),
				state("alidr_verification_run.broken_manifest", "checks", knownvalue.ListExact([]knownvalue.Check{
					checkIs("checksum", "failed", regexp.MustCompile(`^full: manifest oss://`+env.Bucket+`/broken.json does not parse: manifest: `)),
				})),
				// Not running is fatal: one attempt, not an hour of them.
				state("alidr_verification_run.stopped", "checks", knownvalue.ListExact([]knownvalue.Check{
					checkIs("boot_test", "failed", regexp.MustCompile(`^never healthy on `+env.OtherInstanceID+`: 1 attempt\(s\) over 1h0m0s, none exited 0; first failure: attempt 1 at \+0s: exit code -1, want 0; InstanceNotRunning: .*\(stopped after a fatal error\)$`)),
				})),
				state("alidr_verification_run.stopped", "boot_test_result", knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"attempts": knownvalue.Int64Exact(1), "healthy": knownvalue.Bool(false), "time_to_healthy": knownvalue.Null(),
				})),
				state("alidr_verification_run.no_instance", "checks", knownvalue.ListExact([]knownvalue.Check{
					checkIs("boot_test", "failed", regexp.MustCompile(`^never healthy on i-2zenosuchinstance000: 1 attempt\(s\), none exited 0; first failure: attempt 1 at \+0s: ECS RunCommand in `+env.Region+`: InvalidInstanceId.NotFound: The specified InstanceId "i-2zenosuchinstance000" does not exist. \(RequestId \S+\) \(stopped after a fatal error\)$`)),
				})),
			},
		}},
	})
}

func TestAccVerificationRun_verifiedTagsAndTriggers(t *testing.T) {
	env := newVREnv(t, emulator.Options{})
	ctx := context.Background()
	snapReq := ecs.CreateCreateSnapshotRequest()
	snapReq.DiskId = env.DataDiskID
	snapResp := ecs.CreateCreateSnapshotResponse()
	if err := env.cloud.DoECS(ctx, env.Region, snapReq, snapResp); err != nil {
		t.Fatal(err)
	}
	imgReq := ecs.CreateCreateImageRequest()
	imgReq.InstanceId = env.InstanceID
	imgReq.ImageName = "golden"
	imgResp := ecs.CreateCreateImageResponse()
	if err := env.cloud.DoECS(ctx, env.Region, imgReq, imgResp); err != nil {
		t.Fatal(err)
	}
	snap, img := snapResp.SnapshotId, imgResp.ImageId
	env.OnEmulator(func(s *emulator.Server) {
		s.ScriptCommand(env.InstanceID, emulator.CommandOutcome{ExitCode: 0, Output: "ok\n"})
	})

	config := func(trigger string) string {
		return env.Config(`
resource "alidr_verification_run" "r" {
  boot_test       = { instance_id = %q, command = "true" }
  verified_points = [%q, %q]
  triggers        = { nightly = %q }
}`, env.InstanceID, snap, img, trigger)
	}
	// readTags reads the verified tags back through the SDK.
	readTags := func() (snapTags, imgTags map[string]string, err error) {
		ds := ecs.CreateDescribeSnapshotsRequest()
		ds.SnapshotIds = fmt.Sprintf("[%q]", snap)
		dsr := ecs.CreateDescribeSnapshotsResponse()
		if err := env.cloud.DoECS(ctx, env.Region, ds, dsr); err != nil {
			return nil, nil, err
		}
		if len(dsr.Snapshots.Snapshot) != 1 {
			return nil, nil, fmt.Errorf("snapshot %s not found", snap)
		}
		snapTags = map[string]string{}
		for _, tg := range dsr.Snapshots.Snapshot[0].Tags.Tag {
			snapTags[tg.TagKey] = tg.TagValue
		}
		lt := ecs.CreateListTagResourcesRequest()
		lt.ResourceType = "image"
		lt.ResourceId = &[]string{img}
		ltr := ecs.CreateListTagResourcesResponse()
		if err := env.cloud.DoECS(ctx, env.Region, lt, ltr); err != nil {
			return nil, nil, err
		}
		imgTags = map[string]string{}
		for _, tg := range ltr.TagResources.TagResource {
			imgTags[tg.TagKey] = tg.TagValue
		}
		return snapTags, imgTags, nil
	}
	tagsName := func(s *terraform.State) error {
		rs := s.RootModule().Resources["alidr_verification_run.r"]
		st, it, err := readTags()
		if err != nil {
			return err
		}
		for what, tags := range map[string]map[string]string{snap: st, img: it} {
			if tags[cloud.TagVerificationRun] != rs.Primary.ID || tags[cloud.TagVerifiedAt] != rs.Primary.Attributes["finished_at"] {
				return fmt.Errorf("%s tags %v, want run %s at %s", what, tags, rs.Primary.ID, rs.Primary.Attributes["finished_at"])
			}
		}
		return nil
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	diffID := statecheck.CompareValue(compare.ValuesDiffer())
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config("1"),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue("alidr_verification_run.r", tfjsonpath.New("id")),
					diffID.AddStateValue("alidr_verification_run.r", tfjsonpath.New("id")),
					state("alidr_verification_run.r", "status", knownvalue.StringExact("passed")),
					state("alidr_verification_run.r", "tagged_points", knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(snap), knownvalue.StringExact(img)})),
					state("alidr_verification_run.r", "checks", knownvalue.ListExact([]knownvalue.Check{
						checkIs("boot_test", "passed", regexp.MustCompile(`^healthy on `)),
						checkIs("tag_verified_points", "passed", regexp.MustCompile(`^tagged `+snap+`, `+img+` with alidr:verified-at=\S+ and alidr:verification-run=vr-`)),
					})),
				},
				Check: tagsName,
			},
			{
				// Nothing changed: Read keeps the results, nothing re-runs.
				Config:           config("1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue("alidr_verification_run.r", tfjsonpath.New("id")),
				},
				Check: func(*terraform.State) error {
					return env.ranCommands(env.InstanceID, 1, ": Read must not re-run the checks")
				},
			},
			{
				// Only timeouts change: an in-place update that runs nothing.
				Config: strings.Replace(config("1"), `triggers`, "timeouts = { create = \"30m\" }\n  triggers", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("alidr_verification_run.r", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue("alidr_verification_run.r", tfjsonpath.New("id")),
					state("alidr_verification_run.r", "status", knownvalue.StringExact("passed")),
					state("alidr_verification_run.r", "timeouts", knownvalue.ObjectExact(map[string]knownvalue.Check{"create": knownvalue.StringExact("30m")})),
				},
				Check: func(*terraform.State) error {
					return env.ranCommands(env.InstanceID, 1, ": a timeouts change must not re-run the checks")
				},
			},
			{
				// A new trigger value replaces the run: new id, new tags.
				Config: config("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("alidr_verification_run.r", plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					diffID.AddStateValue("alidr_verification_run.r", tfjsonpath.New("id")),
					state("alidr_verification_run.r", "status", knownvalue.StringExact("passed")),
				},
				Check: resource.ComposeTestCheckFunc(tagsName, func(*terraform.State) error {
					return env.ranCommands(env.InstanceID, 2, "")
				}),
			},
			{
				// A failed run leaves the tags of the last passed one alone.
				PreConfig: func() {
					env.OnEmulator(func(s *emulator.Server) { s.ScriptCommand(env.InstanceID, emulator.CommandOutcome{ExitCode: 1}) })
				},
				Config: strings.NewReplacer(`triggers`, "on_failure = \"record\"\n  triggers", `"true"`, `"false"`).Replace(config("3")),
				ConfigStateChecks: []statecheck.StateCheck{
					state("alidr_verification_run.r", "status", knownvalue.StringExact("failed")),
					state("alidr_verification_run.r", "tagged_points", knownvalue.ListSizeExact(0)),
					state("alidr_verification_run.r", "checks", knownvalue.ListExact([]knownvalue.Check{
						checkIs("boot_test", "failed", regexp.MustCompile(`^never healthy`)),
						checkIs("tag_verified_points", "skipped", regexp.MustCompile(`^not tagged: the run failed, so `+snap+`, `+img+` stay unverified$`)),
					})),
				},
				Check: func(s *terraform.State) error {
					st, _, err := readTags()
					if err != nil {
						return err
					}
					if st[cloud.TagVerificationRun] == s.RootModule().Resources["alidr_verification_run.r"].Primary.ID || st[cloud.TagVerificationRun] == "" {
						return fmt.Errorf("snapshot tags %v after a failed run", st)
					}
					return nil
				},
			},
		},
	})
}

func TestAccVerificationRun_validation(t *testing.T) {
	env := newVREnv(t, emulator.Options{})
	steps := []struct{ hcl, err string }{
		{`{}`, `Nothing to verify`},
		{`{ checksum = { bucket = "b", object = "o", mode = "sample", expected_md5 = "` + strings.Repeat("a", 32) + `" } }`, `Sample mode needs a manifest`},
		{`{ checksum = { bucket = "b", object = "o", mode = "metadata", expected_md5 = "` + strings.Repeat("a", 32) + `" } }`, `set expected_crc64 or manifest`},
		{`{ checksum = { bucket = "b", object = "o" } }`, `Nothing to compare`},
		{`{ checksum = { bucket = "b", object = "o", manifest = "m", sample_percent = 5 } }`, `sample_percent only applies with mode = "sample"`},
		{`{ checksum = { bucket = "b", object = "o", expected_md5 = "xyz" } }`, `must be 32 hexadecimal digits`},
		{`{ checksum = { bucket = "b", object = "o", expected_crc64 = "0xdeadbeef" } }`, `not a decimal CRC64`},
		{`{ boot_test = { instance_id = "i-1", command = "true", duration = "1m", interval = "5m" } }`, `interval 5m is longer than duration 1m`},
		{`{ boot_test = { instance_id = "i-1", command = "true", duration = "soon" } }`, `Invalid duration`},
		{`{ boot_test = { instance_id = "i-1", command = "true", command_timeout = "5s" } }`, `Cloud Assistant accepts timeouts from 10s to 24h`},
		{`{ boot_test = { instance_id = "i-1", command = "true", duration = "3h" } }`, `default create timeout is 2h0m0s`},
		{`{
  boot_test = { instance_id = "i-1", command = "true", duration = "1h" }
  timeouts  = { create = "30m" }
}`, `raise timeouts.create`},
		{`{
  checksum   = { bucket = "b", object = "o", expected_crc64 = "1" }
  rto_target = "15m"
}`, `Nothing measures the RTO`},
		{`{
  checksum        = { bucket = "b", object = "o", expected_crc64 = "1" }
  verified_points = ["s-1", "i-2zecoredb"]
}`, `neither a snapshot id (s-...) nor an image id`},
		{`{
  checksum = { bucket = "b", object = "o", expected_crc64 = "1" }
  report   = { format = "junit" }
}`, `Report has no destination`},
		{`{
  checksum = { bucket = "b", object = "o", expected_crc64 = "1" }
  report   = { bucket = "b" }
}`, `Set both report.bucket and report.object`},
		{`{
  checksum   = { bucket = "b", object = "o", expected_crc64 = "1" }
  on_failure = "ignore"
}`, `value must be one of`},
	}
	var ts []resource.TestStep
	for _, s := range steps {
		ts = append(ts, resource.TestStep{
			Config:      env.Config("%s", `resource "alidr_verification_run" "r" `+s.hcl),
			PlanOnly:    true,
			ExpectError: wrappedRE(s.err),
		})
	}
	// A report directory that does not exist fails before anything runs.
	missing := filepath.Join(t.TempDir(), "no", "such", "dir", "report.json")
	ts = append(ts, resource.TestStep{
		Config: env.Config(`
resource "alidr_verification_run" "r" {
  boot_test = { instance_id = %q, command = "true" }
  report    = { path = %q }
}`, env.InstanceID, missing),
		ExpectError: wrappedRE("Report directory missing", "does not exist: create it first"),
	}, resource.TestStep{
		PreConfig: func() {
			if err := env.ranCommands(env.InstanceID, 0, " although the report directory was missing"); err != nil {
				t.Error(err)
			}
		},
		// An upload that fails after the run: the apply fails, the run is kept (tainted).
		Config: env.Config(`
resource "alidr_verification_run" "r" {
  boot_test = { instance_id = %q, command = "true" }
  report    = { bucket = "no-such-bucket", object = "r.json" }
}`, env.InstanceID),
		ExpectError: wrappedRE("Failed to write the verification report", "finished with status passed, but its report could not be written", "NoSuchBucket", "saved as tainted"),
	}, resource.TestStep{
		Config: env.Config(`resource "alidr_verification_run" "r" {
  boot_test = { instance_id = %q, command = "true" }
}`, env.InstanceID),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			// The run with the failed upload was kept, tainted: it is replaced.
			plancheck.ExpectResourceAction("alidr_verification_run.r", plancheck.ResourceActionReplace),
		}},
		ConfigStateChecks: []statecheck.StateCheck{state("alidr_verification_run.r", "status", knownvalue.StringExact("passed"))},
	})
	acctest.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: ts})
}
