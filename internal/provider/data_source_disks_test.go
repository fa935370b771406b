package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func TestAccRegionsDataSource(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	// The emulator serves four regions; a real account sees more.
	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.alidr_regions.all", tfjsonpath.New("ids"), knownvalue.NotNull()),
	}
	if env.Emulator != nil {
		checks = []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.alidr_regions.all", tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{
				knownvalue.StringExact("cn-beijing"),
				knownvalue.StringExact("cn-guangzhou"),
				knownvalue.StringExact("cn-hangzhou"),
				knownvalue.StringExact("cn-shanghai"),
			})),
			statecheck.ExpectKnownValue("data.alidr_regions.all", tfjsonpath.New("regions").AtSliceIndex(0).AtMapKey("region_endpoint"),
				knownvalue.StringExact("ecs.cn-beijing.aliyuncs.com")),
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            env.Config(`data "alidr_regions" "all" {}`),
			ConfigStateChecks: checks,
		}},
	})
}

func TestAccDisksDataSource(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	env.RequireEmulator(t) // names the emulator's seeded disks
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      env.Config(`data "alidr_disks" "bad" { disk_type = "root" }`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`value must be one of: \["system" "data"\], got: "root"`),
			},
			{
				Config: env.Config(`
data "alidr_disks" "core" {
  tags = { app = "core" }
}
data "alidr_disks" "db_data" {
  instance_id = %q
  disk_type   = "data"
}
data "alidr_disks" "none" {
  tags = { app = "nothing-has-this" }
}`, emulator.SeedInstanceCoreDB),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.alidr_disks.core", tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact(emulator.SeedDiskCoreAppData),
						knownvalue.StringExact(emulator.SeedDiskCoreAppSys),
						knownvalue.StringExact(emulator.SeedDiskCoreDBData),
						knownvalue.StringExact(emulator.SeedDiskCoreDBSys),
					})),
					statecheck.ExpectKnownValue("data.alidr_disks.db_data", tfjsonpath.New("disks"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"id":          knownvalue.StringExact(emulator.SeedDiskCoreDBData),
							"instance_id": knownvalue.StringExact(emulator.SeedInstanceCoreDB),
							"type":        knownvalue.StringExact("data"),
							"size":        knownvalue.Int64Exact(200),
							"category":    knownvalue.StringExact("cloud_essd"),
						}),
					})),
					statecheck.ExpectKnownValue("data.alidr_disks.none", tfjsonpath.New("ids"), knownvalue.ListSizeExact(0)),
				},
			},
		},
	})
}
