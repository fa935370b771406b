package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// Names, tags, sizes, buckets, keys and regions the API would refuse fail at
// plan time, naming the attribute; names count characters, not bytes.
func TestAccPlanTimeNameRules(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	image := fmt.Sprintf("{ image_id = %q }", env.ImageID)
	invalid := func(cfg, want string) resource.TestStep {
		return resource.TestStep{Config: cfg, PlanOnly: true, ExpectError: wrapped(want)}
	}
	policy := func(name, tags string) string {
		return env.Config(`resource "alidr_snapshot_policy" "p" {
  name      = %q
  schedule  = { hours = [2], weekdays = ["MON"] }
  retention = { daily_days = 7 }
  tags      = %s
}`, name, tags)
	}
	exportTo := func(bucket, prefix string) string {
		return env.Config(`resource "alidr_replicated_image" "i" {
  source  = { instance_id = %q }
  name    = "core-golden"
  targets = { %q = {} }
  export  = { bucket = %q, prefix = %q }
}`, env.InstanceID, env.DRRegions[0], bucket, prefix)
	}
	cjk60 := strings.Repeat("恢", 60) // 180 bytes, 60 characters
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			invalid(restoredConfig(env, image, "ecs.g7.large", `  system_disk = { size = 0 }`),
				`system_disk.size value must be at least 1`),
			invalid(restoredConfig(env, image, "ecs.g7.large", `  data_disks = [{ size = 0 }]`),
				`size value must be at least 1`),
			invalid(policy("core", `{ "" = "x" }`), `(?s)Invalid tag .* a tag key must not be empty`),
			invalid(restoredConfig(env, image, "ecs.g7.large", `  tags = { "acs:x" = "y" }`), `must not start with aliyun or acs:`),
			invalid(policy("http://core", `{}`), `(?s)Invalid policy name .* must not start with http:// or https://`),
			invalid(policy("1core", `{}`), `must start with a letter`),
			invalid(exportTo("Bad_Bucket", "core"), `(?s)Invalid bucket name .* use lower-case letters, digits and hyphens`),
			// ExportImage's OSSPrefix admits letters and digits only, so no ".." segment.
			invalid(exportTo("alidr-dr-images", "core/../x/"), `(?s)Invalid export prefix .* accepts only letters and digits`),
			invalid(restoredConfig(env, image, "ecs.g7.large", `  region = "cn-nowhere"`), `(?s)Unknown region .* "cn-nowhere" does not exist`),
			invalid(restoredConfig(env, image, "ecs.g7.large", `  instance_name = "`+strings.Repeat("恢", 129)+`"`), `has 129 characters; it must have 2 to 128`),
			// 60 Chinese characters are a valid name (180 bytes).
			{Config: restoredConfig(env, image, "ecs.g7.large", `  instance_name = "`+cjk60+`"`), PlanOnly: true, ExpectNonEmptyPlan: true},
			{Config: policy(cjk60, `{ "环境" = "生产" }`), PlanOnly: true, ExpectNonEmptyPlan: true},
		},
	})
}
