package provider_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// The dr-site module applied as a user would: every resource together, in
// the fixtures' world (the emulator's seeded one or the account's), ending
// with a passed drill and its report.
func TestAccModuleDRSite(t *testing.T) {
	// The module declares source = "alidr/alidr": serve the provider there.
	// Setting the environment keeps this test out of the parallel ones.
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "alidr")
	env := acctest.New(t, emulator.Options{})
	env.Instant()
	report := filepath.Join(t.TempDir(), "dr-report.xml")
	dir := writeDRSiteConfig(t, env, report, "")

	// Serial: the module needs TF_ACC_PROVIDER_NAMESPACE, set process-wide.
	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			ConfigDirectory:          config.StaticDirectory(dir),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValueAtPath("drill", tfjsonpath.New("status"), knownvalue.StringExact("passed")),
				statecheck.ExpectKnownOutputValueAtPath("drill", tfjsonpath.New("restored_in"), knownvalue.StringExact(env.DRRegions[0])),
				statecheck.ExpectKnownOutputValueAtPath("drill", tfjsonpath.New("rto_met"), knownvalue.Bool(true)),
				statecheck.ExpectKnownOutputValueAtPath("drill", tfjsonpath.New("checks"), knownvalue.MapExact(map[string]knownvalue.Check{
					"checksum":            knownvalue.StringExact("passed"),
					"boot_test":           knownvalue.StringExact("passed"),
					"rto":                 knownvalue.StringExact("passed"),
					"tag_verified_points": knownvalue.StringExact("passed"),
				})),
				statecheck.ExpectKnownOutputValueAtPath("drill", tfjsonpath.New("sha256"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]{64}$`))),
				statecheck.ExpectKnownOutputValue("golden_images", knownvalue.MapSizeExact(3)),
				apiCheck(func() error {
					// "Two regions, three centres": one enterprise policy of the
					// protected disk copying to both DR regions.
					var out struct{ Policies []cloud.EnterprisePolicy }
					params := map[string]string{"DiskIds.1": env.DataDiskID}
					if err := env.Client(t).DoEBS(context.Background(), env.Region, "DescribeEnterpriseSnapshotPolicy", params, &out); err != nil {
						return err
					}
					if len(out.Policies) != 1 {
						return fmt.Errorf("%d enterprise policies of %s, want 1", len(out.Policies), env.DataDiskID)
					}
					var regions []string
					for _, r := range out.Policies[0].CrossRegionCopyInfo.Regions {
						if r.RetainDays != 7 {
							return fmt.Errorf("copies to %s kept %d days, want 7 (retention.daily_days)", r.RegionID, r.RetainDays)
						}
						regions = append(regions, r.RegionID)
					}
					slices.Sort(regions)
					want := slices.Sorted(slices.Values(env.DRRegions[:2]))
					if !slices.Equal(regions, want) {
						return fmt.Errorf("copy regions %v, want %v", regions, want)
					}
					return nil
				}),
			},
		}, {
			// Destroy explicitly: the harness's own post-test destroy reads
			// state through a shim that does not support modules.
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			ConfigDirectory:          config.StaticDirectory(dir),
			Destroy:                  true,
		}},
	})

	raw, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("the drill's JUnit report: %v", err)
	}
	var suite struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(raw, &suite); err != nil {
		t.Fatalf("report is not JUnit XML: %v\n%s", err, raw)
	}
	if suite.Tests != 4 || suite.Failures != 0 {
		t.Fatalf("report: %d tests, %d failures\n%s", suite.Tests, suite.Failures, raw)
	}
}

// writeDRSiteConfig writes a root configuration that calls the dr-site module
// in the test's fixtures (the emulator's seeded world or the account's),
// with extra HCL appended, and returns its
// directory. The harness runs `init` (which installs modules) only on a
// configuration directory, not on an inline configuration.
func writeDRSiteConfig(t *testing.T, env *acctest.Env, report, extra string) string {
	t.Helper()
	module, err := filepath.Abs("../../examples/modules/dr-site")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	hcl := env.Config(`
module "dr" {
  source             = %q
  name               = "core"
  dr_regions         = [%q, %q]
  protected_disk_ids = [%q, %q]
  golden_instance_id = %q
  export_bucket      = %q
  restore = {
    instance_type      = "ecs.g7.large"
    vswitch_id         = %q
    security_group_ids = [%q]
  }
  boot_test   = { command = "systemctl is-system-running", duration = "0s" }
  report_path = %q
  triggers    = var.triggers
}
variable "triggers" {
  type    = map(string)
  default = {}
}
output "drill" { value = module.dr.drill }
output "golden_images" { value = module.dr.golden_images }
output "drill_report" { value = module.dr.drill_report }
`, module, env.DRRegions[0], env.DRRegions[1], env.SystemDiskID, env.DataDiskID, env.InstanceID, env.Bucket, env.DRVSwitchID, env.DRSecurityGroupID, report)
	hcl = "terraform {\n  required_providers {\n    alidr = { source = \"alidr/alidr\" }\n  }\n}\n" + hcl + extra
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(hcl), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// apiCheck is a state check that looks at the API instead of the state
// (Check functions do not run on configurations with modules).
type apiCheck func() error

func (f apiCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f()
}
