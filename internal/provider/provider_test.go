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

// The configuration errors a user meets first must be clear at plan time.
func TestAccProviderConfigurationErrors(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	env.RequireEmulator(t)
	url := env.Emulator.URL()
	// No credentials anywhere: the environment must not leak into the test.
	for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"} {
		t.Setenv(v, "")
	}
	block := func(body string) string {
		return fmt.Sprintf("provider \"alidr\" {\n%s\n}\ndata \"alidr_regions\" \"all\" {}\n", body)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: block(fmt.Sprintf(`region = "cn-beijing"
access_key = "k"
secret_key = "s"
endpoints {
  ecs = "http://ecs.cn-beijing.aliyuncs.com"
}`)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`plain http to a non-loopback host: use https://`),
			},
			{
				Config:      block(fmt.Sprintf("region = \"cn-beijing\"\nendpoints {\n  ecs = %q\n}", url)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)no Alibaba Cloud credentials found.*ALIBABA_CLOUD_ACCESS_KEY_ID`),
			},
			{
				Config: block(fmt.Sprintf("region = \"cn-atlantis\"\naccess_key = %q\nsecret_key = %q\nendpoints {\n  ecs = %q\n}",
					emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, url)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)region "cn-atlantis" does not exist.*cn-beijing`),
			},
			{
				Config: block(fmt.Sprintf("region = \"cn-beijing\"\naccess_key = %q\nsecret_key = \"wrong\"\nendpoints {\n  ecs = %q\n}",
					emulator.DefaultAccessKeyID, url)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`SignatureDoesNotMatch`),
			},
		},
	})
}

func TestAccProviderAssumeRole(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	env.RequireEmulator(t)
	url := env.Emulator.URL()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "alidr" {
  region     = "cn-beijing"
  access_key = %q
  secret_key = %q
  assume_role {
    role_arn     = "acs:ram::%s:role/dr-operator"
    session_name = "alidr-acceptance"
  }
  endpoints {
    ecs = %q
    sts = %q
  }
}
data "alidr_disks" "core" {
  tags = { app = "core" }
}
`, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, emulator.DefaultAccountID, url, url),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.alidr_disks.core", tfjsonpath.New("ids"), knownvalue.ListSizeExact(4)),
			},
		}},
	})
	var assumed bool
	for _, r := range env.Emulator.Requests() {
		if r.Action == "AssumeRole" && r.Status == 200 {
			assumed = true
		}
	}
	if !assumed {
		t.Fatal("the provider never called STS AssumeRole")
	}
}

func TestAccProviderUnknownArgument(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	env.RequireEmulator(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// The region comes from a resource attribute known only after apply.
			Config: fmt.Sprintf(`
resource "terraform_data" "region" {
  input = "cn-beijing"
}
provider "alidr" {
  region     = terraform_data.region.output
  access_key = %q
  secret_key = %q
  endpoints {
    ecs = %q
  }
}
data "alidr_regions" "all" {}
`, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, env.Emulator.URL()),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`region depends on a value only known after apply`),
		}},
	})
}
