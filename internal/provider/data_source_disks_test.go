package provider_test

import (
	"regexp"
	"slices"
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
	// The emulator serves exactly the fixture regions; a real account sees more.
	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue("data.alidr_regions.all", tfjsonpath.New("ids"), knownvalue.NotNull()),
	}
	if env.Emulator != nil {
		regions := append([]string{env.Region}, env.DRRegions...)
		slices.Sort(regions)
		var ids []knownvalue.Check
		for _, r := range regions {
			ids = append(ids, knownvalue.StringExact(r))
		}
		checks = []statecheck.StateCheck{
			statecheck.ExpectKnownValue("data.alidr_regions.all", tfjsonpath.New("ids"), knownvalue.ListExact(ids)),
			statecheck.ExpectKnownValue("data.alidr_regions.all", tfjsonpath.New("regions").AtSliceIndex(0).AtMapKey("region_endpoint"),
				knownvalue.StringExact("ecs."+regions[0]+".aliyuncs.com")),
		}
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            env.Config(`data "alidr_regions" "all" {}`),
			ConfigStateChecks: checks,
		}},
	})
}

func TestAccDisksDataSource(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	// Every seeded disk carries app = core; a real account's need not.
	var coreChecks []statecheck.StateCheck
	dataDisk := map[string]knownvalue.Check{
		"id":          knownvalue.StringExact(env.DataDiskID),
		"instance_id": knownvalue.StringExact(env.InstanceID),
		"type":        knownvalue.StringExact("data"),
	}
	if env.Emulator != nil {
		coreChecks = append(coreChecks, statecheck.ExpectKnownValue("data.alidr_disks.core", tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{
			knownvalue.StringExact(emulator.SeedDiskCoreAppData),
			knownvalue.StringExact(emulator.SeedDiskCoreAppSys),
			knownvalue.StringExact(emulator.SeedDiskCoreDBData),
			knownvalue.StringExact(emulator.SeedDiskCoreDBSys),
		})))
		dataDisk["size"], dataDisk["category"] = knownvalue.Int64Exact(200), knownvalue.StringExact("cloud_essd")
	}
	acctest.Test(t, resource.TestCase{
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
}`, env.InstanceID),
				ConfigStateChecks: append(coreChecks,
					statecheck.ExpectKnownValue("data.alidr_disks.db_data", tfjsonpath.New("disks"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(dataDisk),
					})),
					statecheck.ExpectKnownValue("data.alidr_disks.none", tfjsonpath.New("ids"), knownvalue.ListSizeExact(0)),
				),
			},
		},
	})
}
