package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// providerBlock is a provider block with body, then a data source to read.
func providerBlock(body string) string {
	return fmt.Sprintf("provider \"alidr\" {\n%s\n}\ndata \"alidr_regions\" \"all\" {}\n", body)
}

// The configuration errors a user meets first must be clear at plan time.
func TestAccProviderConfigurationErrors(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerBlock(fmt.Sprintf(`region = %q
access_key = "k"
secret_key = "s"
endpoints {
  ecs = "http://ecs.%s.aliyuncs.com"
}`, env.Region, env.Region)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`plain http to a non-loopback host: use https://`),
			},
			{
				Config:      providerBlock("region = \"cn-atlantis\"\n" + env.CredentialsHCL() + env.EndpointsHCL()),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)region "cn-atlantis" does not exist.*` + env.Region),
			},
			{
				Config: providerBlock(fmt.Sprintf("region = %q\naccess_key = %q\nsecret_key = \"wrong\"\n%s",
					env.Region, env.AccessKeyID(), env.EndpointsHCL())),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`SignatureDoesNotMatch`),
			},
		},
	})
}

// Without credentials anywhere the plan says where to put them. It clears
// the environment, so it cannot run in parallel.
func TestAccProviderNoCredentials(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"} {
		t.Setenv(v, "")
	}
	// Serial: t.Setenv clears the credentials process-wide.
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      providerBlock(fmt.Sprintf("region = %q\n%s", env.Region, env.EndpointsHCL())),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)no Alibaba Cloud credentials found.*ALIBABA_CLOUD_ACCESS_KEY_ID`),
		}},
	})
}

func TestAccProviderAssumeRole(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "alidr" {
  region = %q
%s%s
  assume_role {
    role_arn     = %q
    session_name = "alidr-acceptance"
  }
}
data "alidr_disks" "mine" {
  instance_id = %q
}
`, env.Region, env.CredentialsHCL(), env.EndpointsHCL(), env.RoleARN, env.InstanceID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.alidr_disks.mine", tfjsonpath.New("ids"), knownvalue.ListSizeExact(2)),
			},
		}},
	})
	env.OnEmulator(func(s *emulator.Server) {
		for _, r := range s.Requests() {
			if r.Action == "AssumeRole" && r.Status == 200 {
				return
			}
		}
		t.Fatal("the provider never called STS AssumeRole")
	})
}

func TestAccProviderUnknownArgument(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// The region comes from a resource attribute known only after apply.
			Config: fmt.Sprintf(`
resource "terraform_data" "region" {
  input = %q
}
provider "alidr" {
  region = terraform_data.region.output
%s%s}
data "alidr_regions" "all" {}
`, env.Region, env.CredentialsHCL(), env.EndpointsHCL()),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`region depends on a value only known after apply`),
		}},
	})
}
