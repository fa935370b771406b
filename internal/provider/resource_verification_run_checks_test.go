package provider_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
	"github.com/alidr/terraform-provider-alidr/internal/transfer"
)

func TestAccVerificationRun_checksumModes(t *testing.T) {
	env := newVREnv(t, emulator.Options{})
	data := randData(1<<20+4321, 1) // 5 parts of 256 KiB
	ref := env.image(t, "golden.raw", data)
	// A second manifest without the ETag pin: a changed object then shows
	// as a part mismatch rather than as a replaced object.
	unpinned := *ref.Manifest
	unpinned.ETag = ""
	mj, _ := unpinned.Marshal()
	env.put(t, "golden.raw.unpinned.json", mj)
	crc := transfer.FormatCRC64(ref.CRC64)

	config := func(round string) string {
		var modes strings.Builder
		for _, m := range []struct{ name, mode, extra string }{
			{"metadata", "metadata", ""},
			{"sample", "sample", "sample_percent = 40"},
			{"full", "full", ""},
		} {
			fmt.Fprintf(&modes, `
resource "alidr_verification_run" %[1]q {
  name = %[1]q
  checksum = {
    bucket   = %[3]q
    object   = "golden.raw"
    manifest = "golden.raw.manifest.json"
    mode     = %[2]q
    %[4]s
  }
  on_failure = "record"
  triggers   = { round = %[5]q }
}
`, m.name, m.mode, env.Bucket, m.extra, round)
		}
		return env.Config("%s", modes.String()) + fmt.Sprintf(`
resource "alidr_verification_run" "digests" {
  checksum = {
    bucket          = %[1]q
    object          = "golden.raw"
    expected_md5    = %[3]q
    expected_sha256 = %[4]q
    expected_crc64  = %[5]q
  }
  on_failure = "record"
  triggers   = { round = %[2]q }
}
resource "alidr_verification_run" "crc_only" {
  checksum = {
    bucket         = %[1]q
    object         = "golden.raw"
    mode           = "metadata"
    expected_crc64 = %[5]q
  }
  on_failure = "record"
  triggers   = { round = %[2]q }
}
`, env.Bucket, round, ref.MD5, strings.ToUpper(ref.SHA256), crc)
	}
	all := []string{"alidr_verification_run.metadata", "alidr_verification_run.sample", "alidr_verification_run.full",
		"alidr_verification_run.digests", "alidr_verification_run.crc_only"}
	statusAll := func(s string) []statecheck.StateCheck {
		var out []statecheck.StateCheck
		for _, a := range all {
			out = append(out, state(a, "status", knownvalue.StringExact(s)))
		}
		return out
	}
	other := bytes.Clone(data)
	other[300<<10] ^= 0xff // part 1 differs; same size
	otherCRC := transfer.FormatCRC64(transfer.CRC64(other))

	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config("1"),
				ConfigStateChecks: append(statusAll("passed"),
					state("alidr_verification_run.metadata", "checks", knownvalue.ListExact([]knownvalue.Check{
						checkIs("checksum", "passed", regexp.MustCompile(`^metadata: OSS CRC64 `+crc+` of oss://`+env.Bucket+`/golden.raw \(1052897 bytes\) matches manifest; no data was read$`)),
					})),
					state("alidr_verification_run.metadata", "crc64", knownvalue.StringExact(crc)),
					state("alidr_verification_run.metadata", "bytes_verified", knownvalue.Int64Exact(0)),
					state("alidr_verification_run.metadata", "md5", knownvalue.Null()),
					state("alidr_verification_run.sample", "checks", knownvalue.ListExact([]knownvalue.Check{
						checkIs("checksum", "passed", regexp.MustCompile(`^sample: 2 of 5 parts \(40%\) of oss://`+env.Bucket+`/golden.raw match the manifest \(CRC64 and SHA-256\)$`)),
					})),
					state("alidr_verification_run.sample", "bytes_verified", knownvalue.Null()),
					state("alidr_verification_run.full", "md5", knownvalue.StringExact(ref.MD5)),
					state("alidr_verification_run.full", "sha256", knownvalue.StringExact(ref.SHA256)),
					state("alidr_verification_run.full", "crc64", knownvalue.StringExact(crc)),
					state("alidr_verification_run.full", "bytes_verified", knownvalue.Int64Exact(int64(len(data)))),
					state("alidr_verification_run.full", "checks", knownvalue.ListExact([]knownvalue.Check{
						checkIs("checksum", "passed", regexp.MustCompile(`^full: read all 1052897 bytes of oss://`+env.Bucket+`/golden.raw; CRC64, MD5, SHA-256 match the manifest$`)),
					})),
					state("alidr_verification_run.digests", "checks", knownvalue.ListExact([]knownvalue.Check{
						checkIs("checksum", "passed", regexp.MustCompile(`CRC64, MD5, SHA-256 match expected_crc64$`)),
					})),
					state("alidr_verification_run.digests", "id", knownvalue.StringRegexp(regexp.MustCompile(`^vr-\d{8}T\d{6}Z-[0-9a-f]{6}$`))),
				),
			},
			{
				// Same bytes count, one part changed: every mode must notice.
				PreConfig: func() { env.put(t, "golden.raw", other) },
				Config:    config("2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: func() []plancheck.PlanCheck {
					var out []plancheck.PlanCheck
					for _, a := range all {
						out = append(out, plancheck.ExpectResourceAction(a, plancheck.ResourceActionDestroyBeforeCreate))
					}
					return out
				}()},
				ConfigStateChecks: append(statusAll("failed"),
					state("alidr_verification_run.metadata", "checks", knownvalue.ListExact([]knownvalue.Check{
						checkIs("checksum", "failed", regexp.MustCompile(`^metadata: CRC64 mismatch for oss://`+env.Bucket+`/golden.raw: OSS has `+otherCRC+`, manifest says `+crc+`$`)),
					})),
					state("alidr_verification_run.metadata", "crc64", knownvalue.StringExact(otherCRC)),
					state("alidr_verification_run.sample", "checks", knownvalue.ListExact([]knownvalue.Check{
						checkIs("checksum", "failed", regexp.MustCompile(`^sample: oss://`+env.Bucket+`/golden.raw was replaced since the manifest was written \(its ETag no longer matches\)`)),
					})),
					state("alidr_verification_run.full", "checks", knownvalue.ListExact([]knownvalue.Check{
						checkIs("checksum", "failed", regexp.MustCompile(`^full: oss://`+env.Bucket+`/golden.raw does not match: CRC64 `+otherCRC+`, manifest says `+crc+`; MD5 [0-9a-f]{32}, manifest says `+ref.MD5+`; SHA-256 [0-9a-f]{64}, manifest says `+ref.SHA256+`; differing parts: 1 \(bytes 262144-524287\)$`)),
					})),
					state("alidr_verification_run.full", "crc64", knownvalue.StringExact(otherCRC)),
					state("alidr_verification_run.digests", "checks", knownvalue.ListExact([]knownvalue.Check{
						checkIs("checksum", "failed", regexp.MustCompile(`CRC64 `+otherCRC+`, expected_crc64 says `+crc+`; MD5 [0-9a-f]{32}, expected_md5 says `+ref.MD5)),
					})),
					state("alidr_verification_run.crc_only", "checks", knownvalue.ListExact([]knownvalue.Check{
						checkIs("checksum", "failed", regexp.MustCompile(`CRC64 mismatch .* expected_crc64 says `+crc)),
					})),
				),
			},
			{
				// The unpinned sample reads the parts; at 100% it must hit part 1.
				Config: env.Config(`
resource "alidr_verification_run" "sample_all" {
  checksum = {
    bucket         = %q
    object         = "golden.raw"
    manifest       = "golden.raw.unpinned.json"
    mode           = "sample"
    sample_percent = 100
  }
  on_failure = "record"
}`, env.Bucket),
				ConfigStateChecks: []statecheck.StateCheck{
					state("alidr_verification_run.sample_all", "status", knownvalue.StringExact("failed")),
					state("alidr_verification_run.sample_all", "checks", knownvalue.ListExact([]knownvalue.Check{
						checkIs("checksum", "failed", regexp.MustCompile(`^sample: oss://`+env.Bucket+`/golden.raw differs from the manifest: .*part does not match the manifest: part 1 \(bytes 262144-524287\); a full re-read confirmed differing parts: 1 \(bytes 262144-524287\)$`)),
					})),
				},
			},
			{
				// on_failure = "fail": the apply fails and spells the check out.
				Config: env.Config(`
resource "alidr_verification_run" "strict" {
  checksum = {
    bucket         = %q
    object         = "golden.raw"
    mode           = "metadata"
    expected_crc64 = %q
  }
}`, env.Bucket, crc),
				ExpectError: wrappedRE("Verification run vr-", "failed", "- checksum: metadata: CRC64 mismatch for oss://"+env.Bucket+"/golden.raw", "saved (tainted)"),
			},
		},
	})
}

func TestAccVerificationRun_checksumSurvivesCorruptReads(t *testing.T) {
	acctest.SkipOnCloud(t, "corrupts OSS GetObject bodies on the wire")
	env := newVREnv(t, emulator.Options{})
	data := randData(600<<10, 2)
	ref := env.image(t, "img.raw", data)
	// Transient corruption on the wire: the engine re-reads the parts, so
	// the run still passes with the right digests.
	env.Emulator.InjectFault(emulator.Fault{Service: "oss", Action: "GetObject", Kind: emulator.FaultCorrupt, Count: 2})
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
resource "alidr_verification_run" "r" {
  checksum = {
    bucket       = %q
    object       = "img.raw"
    expected_md5 = %q
  }
}`, env.Bucket, ref.MD5),
			ConfigStateChecks: []statecheck.StateCheck{
				state("alidr_verification_run.r", "status", knownvalue.StringExact("passed")),
				state("alidr_verification_run.r", "md5", knownvalue.StringExact(ref.MD5)),
				state("alidr_verification_run.r", "sha256", knownvalue.StringExact(ref.SHA256)),
			},
			Check: func(*terraform.State) error {
				for _, f := range env.Emulator.Faults() {
					if f.Fired != 2 {
						return fmt.Errorf("corrupt fault fired %d times, want 2", f.Fired)
					}
				}
				return nil
			},
		}, {
			// The manifest itself damaged on the way: read again, not misparsed.
			PreConfig: func() {
				env.Emulator.ClearFaults()
				env.Emulator.InjectFault(emulator.Fault{Service: "oss", Action: "GetObject", Kind: emulator.FaultCorrupt, Count: 1})
			},
			Config: env.Config(`
resource "alidr_verification_run" "m" {
  checksum = {
    bucket   = %q
    object   = "img.raw"
    manifest = "img.raw.manifest.json"
    mode     = "metadata"
  }
}`, env.Bucket),
			ConfigStateChecks: []statecheck.StateCheck{
				state("alidr_verification_run.m", "status", knownvalue.StringExact("passed")),
				state("alidr_verification_run.m", "crc64", knownvalue.StringExact(transfer.FormatCRC64(ref.CRC64))),
			},
			Check: func(*terraform.State) error {
				if f := env.Emulator.Faults(); len(f) != 1 || f[0].Fired != 1 {
					return fmt.Errorf("faults %+v", f)
				}
				return nil
			},
		}},
	})
}

func TestAccVerificationRun_bootTest(t *testing.T) {
	acctest.SkipOnCloud(t, "scripts the boot test's command outcomes")
	env := newVREnv(t, emulator.Options{})
	db := env.InstanceID
	// core-db: fails twice while "starting", then healthy for good.
	env.Emulator.ScriptCommand(db, emulator.CommandOutcome{ExitCode: 0, Output: "running\nhealthy\n",
		Sequence: []emulator.CommandOutcome{{ExitCode: 7, Output: "curl: (7) Failed to connect"}, {ExitCode: 7, Output: "still starting"}}})
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "dr-report.json")
	cmd := "systemctl is-system-running && curl -fsS localhost:8080/health"
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
resource "alidr_verification_run" "db" {
  name = "nightly-db"
  boot_test = {
    instance_id = %[1]q
    command     = %[2]q
    duration    = "1s"
    interval    = "250ms"
  }
  restore_duration = "10m"
  rto_target       = "15m"
  report           = { path = %[3]q, format = "json", bucket = %[4]q, object = "reports/db.json" }
}`, db, cmd, jsonPath, env.Bucket),
			ConfigStateChecks: []statecheck.StateCheck{
				state("alidr_verification_run.db", "status", knownvalue.StringExact("passed")),
				state("alidr_verification_run.db", "checks", knownvalue.ListExact([]knownvalue.Check{
					checkIs("boot_test", "passed", regexp.MustCompile(`^healthy on `+db+` after \S+ and stayed healthy: 3 of 5 attempt\(s\) exited 0 over 1s \(2 start-up failure\(s\) before; first: attempt 1 at \+0s: exit code 7, want 0; output: curl: \(7\) Failed to connect\)$`)),
					checkIs("rto", "passed", regexp.MustCompile(`^measured RTO 10m\S* \(restore 10m0s \+ healthy after \S+\) is within the target 15m0s$`)),
				})),
				state("alidr_verification_run.db", "boot_test_result", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"attempts": knownvalue.Int64Exact(5), "passes": knownvalue.Int64Exact(3), "failures": knownvalue.Int64Exact(2),
					"healthy": knownvalue.Bool(true), "time_to_healthy": knownvalue.StringRegexp(regexp.MustCompile(`^([0-9]+ms|[0-9]+(\.[0-9]{1,3})?s)$`)),
					"first_failure": knownvalue.StringExact("attempt 1 at +0s: exit code 7, want 0; output: curl: (7) Failed to connect"),
					"output_tail":   knownvalue.StringExact("running\nhealthy\n"),
				})),
				state("alidr_verification_run.db", "measured_rto", knownvalue.StringRegexp(regexp.MustCompile(`^10m[0-9]s$`))),
			},
			Check: func(*terraform.State) error {
				runs := env.Emulator.CommandsRun(db)
				if len(runs) != 5 || runs[0].Content != cmd || runs[0].Type != "RunShellScript" {
					return fmt.Errorf("commands run on %s: %+v", db, runs)
				}
				// The JSON report, locally and in OSS.
				raw, err := os.ReadFile(jsonPath)
				if err != nil {
					return err
				}
				if st, _ := os.Stat(jsonPath); st.Mode().Perm() != 0o644 {
					return fmt.Errorf("report mode %v", st.Mode())
				}
				var rep struct {
					Status string
					Name   string
					Checks []struct{ Name, Status string }
					Boot   struct {
						Attempts int
						Results  []struct {
							Healthy  bool
							ExitCode int `json:"exit_code"`
							Output   string
						}
					} `json:"boot_test"`
					RTO struct{ Target, RestoreDuration string } `json:"rto"`
				}
				if err := json.Unmarshal(raw, &rep); err != nil {
					return fmt.Errorf("JSON report: %w\n%s", err, raw)
				}
				if rep.Status != "passed" || rep.Name != "nightly-db" || len(rep.Checks) != 2 || rep.Boot.Attempts != 5 || len(rep.Boot.Results) != 5 ||
					rep.Boot.Results[0].Healthy || rep.Boot.Results[0].ExitCode != 7 || rep.Boot.Results[1].Output != "still starting" ||
					!rep.Boot.Results[4].Healthy || rep.RTO.Target != "15m0s" {
					return fmt.Errorf("JSON report content:\n%s", raw)
				}
				body, err := env.bucket.GetObject("reports/db.json")
				if err != nil {
					return err
				}
				defer body.Close()
				var uploaded bytes.Buffer
				if _, err := uploaded.ReadFrom(body); err != nil {
					return err
				}
				if !bytes.Equal(uploaded.Bytes(), raw) {
					return fmt.Errorf("uploaded report differs from the local one")
				}
				return nil
			},
		}},
	})
}

// An instance that never gets healthy fails the run, which is recorded in a
// JUnit report.
func TestAccVerificationRun_bootTestUnhealthy(t *testing.T) {
	env := newVREnv(t, emulator.Options{})
	app := env.OtherInstanceID
	cmd := "echo degraded; exit 3"
	env.OnEmulator(func(s *emulator.Server) {
		s.ScriptCommand(app, emulator.CommandOutcome{ExitCode: 3, Output: "degraded\n"})
	})
	junitPath := filepath.Join(t.TempDir(), "dr-report.xml")
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
resource "alidr_verification_run" "app" {
  name = "nightly-app"
  boot_test = {
    instance_id = %q
    command     = %q
    duration    = "500ms"
    interval    = "250ms"
  }
  rto_target = "15m"
  on_failure = "record"
  report     = { path = %q, format = "junit" }
}`, app, cmd, junitPath),
			ConfigStateChecks: []statecheck.StateCheck{
				state("alidr_verification_run.app", "status", knownvalue.StringExact("failed")),
				state("alidr_verification_run.app", "checks", knownvalue.ListExact([]knownvalue.Check{
					checkIs("boot_test", "failed", regexp.MustCompile(`^never healthy on `+app+`: \d+ attempt\(s\) over 500ms, none exited 0; first failure: attempt 1 at \+0s: exit code 3, want 0; output: degraded$`)),
					checkIs("rto", "failed", regexp.MustCompile(`never became healthy during the boot test, so the RTO target 15m0s is not met`)),
				})),
				state("alidr_verification_run.app", "measured_rto", knownvalue.Null()),
			},
			Check: func(*terraform.State) error {
				x, err := os.ReadFile(junitPath)
				if err != nil {
					return err
				}
				var ju struct {
					Tests    int `xml:"tests,attr"`
					Failures int `xml:"failures,attr"`
					Suite    struct {
						Name  string `xml:"name,attr"`
						Cases []struct {
							Name    string `xml:"name,attr"`
							Failure struct {
								Message string `xml:"message,attr"`
							} `xml:"failure"`
						} `xml:"testcase"`
					} `xml:"testsuite"`
				}
				if err := xml.Unmarshal(x, &ju); err != nil {
					return fmt.Errorf("JUnit report: %w\n%s", err, x)
				}
				if ju.Tests != 2 || ju.Failures != 2 || ju.Suite.Name != "alidr_verification_run.nightly-app" || len(ju.Suite.Cases) != 2 ||
					ju.Suite.Cases[0].Name != "boot_test" || !strings.Contains(ju.Suite.Cases[0].Failure.Message, "exit code 3, want 0") ||
					ju.Suite.Cases[1].Name != "rto" || !strings.Contains(ju.Suite.Cases[1].Failure.Message, "never became healthy") {
					return fmt.Errorf("JUnit report content:\n%s", x)
				}
				return nil
			},
		}},
	})
}

func TestAccVerificationRun_bootTestHang(t *testing.T) {
	clk := emulator.NewManualClock(time.Now())
	env := newVREnv(t, emulator.Options{Clock: clk})
	db := env.InstanceID
	// The command hangs on a real instance; the emulator is told so and
	// reports the hang once its clock passes the command timeout: move it as
	// soon as the command was started.
	env.OnEmulator(func(s *emulator.Server) {
		s.ScriptCommand(db, emulator.CommandOutcome{Hang: true, Output: "waiting for db lock"})
		done := make(chan struct{})
		t.Cleanup(func() { close(done) })
		go func() {
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
					if len(s.CommandsRun(db)) > 0 {
						clk.Advance(11 * time.Second)
						return
					}
				}
			}
		}()
	})
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
resource "alidr_verification_run" "hang" {
  boot_test = {
    instance_id     = %q
    command         = "echo waiting for db lock; sleep 3600"
    command_timeout = "10s"
  }
}`, db),
			ExpectError: wrappedRE(`Verification run vr-`, `failed`, `- boot_test: never healthy on `+db+`: 1 attempt(s), none exited 0; first failure: attempt 1 at +0s: the command hung until its timeout (status Timeout); ExecutionTimeout: the command execution has timed out; output: waiting for db lock`),
		}},
	})
}
