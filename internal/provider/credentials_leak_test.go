package provider_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// stsCredentials asks the emulator's STS for temporary credentials, so the
// provider signs every call with a SecurityToken too.
func stsCredentials(t *testing.T, env *vrEnv) *sts.AssumeRoleResponse {
	t.Helper()
	cl, err := sts.NewClientWithAccessKey(env.Region, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	cl.Domain = strings.TrimPrefix(env.Emulator.URL(), "http://")
	req := sts.CreateAssumeRoleRequest()
	req.Scheme = "http"
	req.RoleArn = "acs:ram::" + emulator.DefaultAccountID + ":role/dr-operator"
	req.RoleSessionName = "leak-test"
	resp, err := cl.AssumeRole(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// signatureValue finds a signature value that is not redacted.
var signatureValue = regexp.MustCompile(`(?i)signature(=|%3D|":"|: )([A-Za-z0-9%+/]{6,})`)

// leaks names what of secrets (or any signature value) text contains.
func leaks(text string, secrets map[string]string) []string {
	var found []string
	for name, v := range secrets {
		if strings.Contains(text, v) {
			found = append(found, name)
		}
	}
	for _, m := range signatureValue.FindAllStringSubmatch(text, -1) {
		if !strings.HasPrefix(m[2], "REDACTED") {
			found = append(found, "signature "+m[0])
		}
	}
	return found
}

// Every fault the emulator can inject, on calls the provider makes (ECS
// DescribeRegions, RunCommand, DescribeInvocationResults; OSS HeadObject,
// GetObject), must leave no access key id, security token, secret or
// signature in the provider's logs, the state, the reports or the
// diagnostics. A dropped connection is the classic leak: Go's *url.Error
// quotes the whole signed ECS URL.
func TestAccErrorsNeverLeakCredentials(t *testing.T) {
	env := newVREnv(t, emulator.Options{})
	creds := stsCredentials(t, env).Credentials
	secrets := map[string]string{
		"access key id": creds.AccessKeyId, "security token": creds.SecurityToken, "secret": creds.AccessKeySecret,
	}
	logPath := filepath.Join(t.TempDir(), "tf.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	dir := t.TempDir()
	ossKinds := []emulator.FaultKind{emulator.FaultThrottling, emulator.Fault5xx, emulator.FaultDrop, emulator.FaultTruncate, emulator.FaultCorrupt, emulator.FaultLatency}
	for _, k := range ossKinds {
		env.image(t, "obj-"+string(k), randData(300<<10, 3))
	}
	// From the environment: the test harness logs the configuration itself.
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", creds.AccessKeyId)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", creds.AccessKeySecret)
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", creds.SecurityToken)
	provider := fmt.Sprintf(`provider "alidr" {
  region            = %q
  max_retries       = 1
  max_retry_timeout = 2
  endpoints {
    ecs = %q
    oss = %q
  }
}
`, env.Region, env.Emulator.URL(), env.Emulator.URL())
	config := func(round string) string {
		var b strings.Builder
		b.WriteString(provider)
		fmt.Fprintf(&b, `
resource "alidr_verification_run" "boot" {
  boot_test = {
    instance_id = %q
    command     = "true"
    duration    = "1s"
    interval    = "500ms"
  }
  on_failure = "record"
  triggers   = { round = %q }
  report     = { path = %q, format = "json" }
}
`, emulator.SeedInstanceCoreDB, round, filepath.Join(dir, "boot-"+round+".json"))
		for _, k := range ossKinds {
			fmt.Fprintf(&b, `
resource "alidr_verification_run" "oss_%[1]s" {
  checksum = {
    bucket   = %[2]q
    object   = "obj-%[1]s"
    manifest = "obj-%[1]s.manifest.json"
    mode     = "full"
  }
  on_failure = "record"
  triggers   = { round = %[3]q }
  report     = { path = %[4]q, format = "junit" }
}
`, k, env.Bucket, round, filepath.Join(dir, "oss-"+string(k)+"-"+round+".xml"))
		}
		return b.String()
	}
	// ECS faults, one kind per step on the boot test's calls (one rule per
	// action fires at a time); OSS faults, every kind at once on its own object.
	ecsKinds := []emulator.FaultKind{emulator.FaultDrop, emulator.FaultTruncate, emulator.FaultCorrupt, emulator.Fault5xx, emulator.FaultThrottling}
	inject := func(ecsKind emulator.FaultKind) func() {
		return func() {
			env.Emulator.ClearFaults()
			for _, action := range []string{"RunCommand", "DescribeInvocationResults"} {
				env.Emulator.InjectFault(emulator.Fault{Service: "ecs", Action: action, Kind: ecsKind, Rate: 1})
			}
			for _, k := range ossKinds {
				f := emulator.Fault{Service: "oss", Path: "/" + env.Bucket + "/obj-" + string(k), Kind: k, Rate: 1}
				if k == emulator.FaultLatency {
					f.Duration = 50 * time.Millisecond
				}
				env.Emulator.InjectFault(f)
			}
		}
	}
	checkNoLeak := func(s *terraform.State) error {
		var text strings.Builder
		for addr, rs := range s.RootModule().Resources {
			for k, v := range rs.Primary.Attributes {
				fmt.Fprintf(&text, "%s.%s = %s\n", addr, k, v)
			}
		}
		if !strings.Contains(text.String(), "failed") {
			return fmt.Errorf("the faults made no check fail; nothing was tested:\n%s", text.String())
		}
		if l := leaks(text.String(), secrets); len(l) > 0 {
			return fmt.Errorf("state leaks %v", l)
		}
		reports, _ := filepath.Glob(filepath.Join(dir, "*"))
		if len(reports) == 0 {
			return fmt.Errorf("no report written")
		}
		for _, p := range reports {
			raw, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if l := leaks(string(raw), secrets); len(l) > 0 {
				return fmt.Errorf("report %s leaks %v", filepath.Base(p), l)
			}
		}
		return nil
	}
	var steps []resource.TestStep
	for i, k := range ecsKinds {
		steps = append(steps, resource.TestStep{PreConfig: inject(k), Config: config(fmt.Sprint(i)), Check: checkNoLeak})
	}
	// A clock 20 minutes off: every call is refused, and the provider's
	// DescribeRegions check fails with a diagnostic.
	steps = append(steps, resource.TestStep{
		PreConfig: func() {
			env.Emulator.ClearFaults()
			env.Emulator.InjectFault(emulator.Fault{Kind: emulator.FaultClockSkew, Duration: -20 * time.Minute})
		},
		Config:      config("skew"),
		ExpectError: regexp.MustCompile(`(?s)DescribeRegions.*InvalidTimeStamp\.Expired.*clock`),
	}, resource.TestStep{
		// Clear the skew so the resources can be destroyed.
		PreConfig: env.Emulator.ClearFaults,
		Config:    config("end"),
	})
	// Serial: t.Setenv (credentials, TF_LOG, TF_ACC_LOG_PATH) is process-wide.
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories, Steps: steps})

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("no provider log: %v", err)
	}
	log := string(raw)
	// The log holds what is checked: retried errors and the diagnostics.
	for _, want := range []string{"retrying after a transient error", "InvalidTimeStamp.Expired", "diagnostic_detail"} {
		if !strings.Contains(log, want) {
			t.Fatalf("the log misses %q: the test would prove nothing", want)
		}
	}
	if l := leaks(log, secrets); len(l) > 0 {
		shown := 0
		for _, line := range strings.Split(log, "\n") {
			if len(leaks(line, secrets)) > 0 && shown < 5 {
				t.Log(line)
				shown++
			}
		}
		t.Fatalf("the log leaks %v", l)
	}
}
