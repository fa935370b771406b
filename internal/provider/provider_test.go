package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

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
