package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// The provider checks its region with DescribeRegions. Only an answer that
// lists other regions makes "Unknown region": a revoked key, a denied call
// or a service that keeps failing are reported as what they are.
func TestAccProviderRegionCheckReportsTheRealCause(t *testing.T) {
	env := acctest.NewEmulated(t, "injects faults into DescribeRegions")
	config := func(key string) string {
		return fmt.Sprintf(`provider "alidr" {
  region            = %q
  access_key        = %q
  secret_key        = %q
  max_retries       = 1
  max_retry_timeout = 2
  endpoints {
    ecs = %q
  }
}
data "alidr_regions" "all" {}
`, env.Region, key, emulator.DefaultAccessKeySecret, env.Emulator.URL())
	}
	fail := func(kind emulator.FaultKind) func() {
		return func() {
			env.Emulator.ClearFaults()
			env.Emulator.InjectFault(emulator.Fault{Service: "ecs", Action: "DescribeRegions", Kind: kind, Rate: 1})
		}
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config("LTAI-deleted-key-0001"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Error: Alibaba Cloud rejected the credentials.*InvalidAccessKeyId\.NotFound.*access_key`),
			},
			{
				PreConfig:   fail(emulator.FaultThrottling),
				Config:      config(emulator.DefaultAccessKeyID),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Error: Could not check the region.*Throttling\.User.*max_retry_timeout`),
			},
			{
				PreConfig:   fail(emulator.Fault5xx),
				Config:      config(emulator.DefaultAccessKeyID),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Error: Could not check the region.*ServiceUnavailable`),
			},
			{
				PreConfig: env.Emulator.ClearFaults,
				Config:    config(emulator.DefaultAccessKeyID),
				PlanOnly:  true,
			},
		},
	})
}
