package provider_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
	"github.com/alidr/terraform-provider-alidr/internal/replication"
)

// A drill whose checksum check fails leaves md5, sha256, crc64 and
// bytes_verified null; the module's drill_report must still render (and
// destroy must still work) instead of failing on a null interpolation.
func TestAccModuleDRSiteReportWithFailedChecksum(t *testing.T) {
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "alidr")
	env := acctest.New(t, emulator.Options{})
	acctest.SkipOnCloud(t, "corrupts reads of the manifest")
	env.Instant()
	dir := writeDRSiteConfig(t, env, filepath.Join(t.TempDir(), "dr-report.xml"), "")

	// Every read of the system disk's manifest comes back corrupted, so the
	// checksum check fails before it computes any digest. The replicated
	// image reads only the data disks' manifests on refresh, so it still
	// sees an unchanged export.
	var systemObject string
	recordSystemObject := systemObjectCheck{into: &systemObject}
	corruptManifestReads := func() {
		key := replication.ManifestKey(systemObject)
		env.Emulator.InjectFault(emulator.Fault{Service: "oss", Action: "GetObject", Kind: emulator.FaultCorrupt, Path: "/" + env.Bucket + "/" + key})
	}
	step := func(run string) resource.TestStep {
		return resource.TestStep{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			ConfigDirectory:          config.StaticDirectory(dir),
			ConfigVariables:          config.Variables{"triggers": config.MapVariable(map[string]config.Variable{"run": config.StringVariable(run)})},
		}
	}
	first, second, destroy := step("1"), step("2"), step("2")
	first.ConfigStateChecks = []statecheck.StateCheck{
		recordSystemObject,
		statecheck.ExpectKnownOutputValueAtPath("drill", tfjsonpath.New("status"), knownvalue.StringExact("passed")),
	}
	second.PreConfig = corruptManifestReads
	second.ConfigPlanChecks = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
		plancheck.ExpectResourceAction("module.dr.alidr_replicated_image.golden", plancheck.ResourceActionNoop),
	}}
	second.ConfigStateChecks = []statecheck.StateCheck{
		statecheck.ExpectKnownOutputValueAtPath("drill", tfjsonpath.New("checks").AtMapKey("checksum"), knownvalue.StringExact("failed")),
		statecheck.ExpectKnownOutputValueAtPath("drill", tfjsonpath.New("sha256"), knownvalue.Null()),
		statecheck.ExpectKnownOutputValue("drill_report", knownvalue.StringRegexp(regexp.MustCompile(`(?s)^DR drill "core": FAILED\n.*exported image .*oss://alidr-dr-images/core.*\n +sha256 not computed\n.*md5 not computed, crc64 not computed\n.*checksum +failed`))),
	}
	// Destroy explicitly: the harness's own post-test destroy reads state
	// through a shim that does not support modules.
	destroy.Destroy = true
	destroy.PreConfig = env.Emulator.ClearFaults
	// Serial: the module needs TF_ACC_PROVIDER_NAMESPACE, set process-wide.
	resource.Test(t, resource.TestCase{Steps: []resource.TestStep{first, second, destroy}})
}

// systemObjectCheck records the golden image's exported object from state
// (the harness's legacy state shim cannot read module resources).
type systemObjectCheck struct{ into *string }

func (c systemObjectCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if req.State != nil && req.State.Values != nil {
		for _, m := range req.State.Values.RootModule.ChildModules {
			for _, r := range m.Resources {
				if r.Type == "alidr_replicated_image" && r.Name == "golden" {
					if ex, ok := r.AttributeValues["export"].(map[string]any); ok {
						*c.into, _ = ex["object"].(string)
					}
				}
			}
		}
	}
	if *c.into == "" {
		resp.Error = fmt.Errorf("no export.object of the golden image in state")
	}
}
