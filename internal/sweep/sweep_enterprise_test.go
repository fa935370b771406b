package sweep

import (
	"context"
	"testing"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// TestRegionSweepsEnterprisePolicies: an EBS enterprise snapshot policy the
// provider made carries TagOwner (with its disks bound) and is swept; one
// someone else made is kept.
func TestRegionSweepsEnterprisePolicies(t *testing.T) {
	acctest.SkipOnCloud(t, "sweeps policies it makes next to the emulator's seeded world")
	env := acctest.New(t, emulator.Options{})
	env.Instant()
	region, c := env.Region, env.Client(t)
	ctx := context.Background()
	spec := cloud.ESPSpec{
		Name: "swept", Schedule: cloud.ESPSchedule{CronExpression: "0 0 2 * * ?"},
		RetainRule: cloud.ESPRetainRule{TimeInterval: 7, TimeUnit: "DAYS"},
		Tags:       map[string]string{cloud.TagOwner: "0123456789abcdef"},
	}
	swept, err := c.CreateEnterprisePolicy(ctx, region, spec, "tok-sweep-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.BindEnterprisePolicy(ctx, region, swept, []string{emulator.SeedDiskCoreDBData}); err != nil {
		t.Fatal(err)
	}
	spec.Name, spec.Tags = "kept", map[string]string{"team": "core"}
	kept, err := c.CreateEnterprisePolicy(ctx, region, spec, "tok-sweep-2")
	if err != nil {
		t.Fatal(err)
	}

	res, err := Region(ctx, c, region, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.EnterprisePolicies != 1 {
		t.Errorf("swept %d enterprise policies, want 1", res.EnterprisePolicies)
	}
	if _, err := c.FindEnterprisePolicyByID(ctx, region, swept); !cloud.IsNotFound(err) {
		t.Errorf("the provider's enterprise policy %s survived the sweep: %v", swept, err)
	}
	if _, err := c.FindEnterprisePolicyByID(ctx, region, kept); err != nil {
		t.Errorf("someone else's enterprise policy %s was swept: %v", kept, err)
	}
}
