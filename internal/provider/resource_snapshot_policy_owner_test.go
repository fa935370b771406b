package provider_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// espAll is every enterprise policy of the region, as
// DescribeEnterpriseSnapshotPolicy lists them.
func espAll(t *testing.T, c *cloud.Client, region string) []string {
	t.Helper()
	ps, err := c.ListEnterprisePoliciesByTags(context.Background(), region, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.PolicyID)
	}
	return ids
}

func TestAccSnapshotPolicyEnterprise_interruptedCreate(t *testing.T) {
	acctest.SkipOnCloud(t, "truncates CreateEnterpriseSnapshotPolicy responses")
	env := spEnv(t, emulator.Options{})
	c := env.Client(t)
	// One retry, so both CreateEnterpriseSnapshotPolicy answers are lost.
	config := strings.Replace(espQuickstart(env, "core", ""), "max_retries = 8", "max_retries = 1", 1)
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			// The policy is created but the answer is lost: nothing is saved,
			// as after a kill -9 between the call and the state write.
			{
				PreConfig: func() {
					env.Emulator.InjectFault(emulator.Fault{Service: "ecs", Action: "CreateEnterpriseSnapshotPolicy", Kind: emulator.FaultTruncate, Count: 2})
				},
				Config:      config,
				ExpectError: wrapped(`create the enterprise snapshot policy`),
			},
			// The re-apply adopts the lost run's policy.
			{
				PreConfig: func() {
					if got := espAll(t, c, env.Region); len(got) != 1 {
						t.Fatalf("the lost create should have made one policy, found %v", got)
					}
				},
				Config: config,
				Check: func(s *terraform.State) error {
					if got := espAll(t, c, env.Region); len(got) != 1 || got[0] != spID(s) {
						return fmt.Errorf("want the lost policy adopted, found %v (state %s)", got, spID(s))
					}
					return nil
				},
			},
		},
	})
}

func TestAccSnapshotPolicyEnterprise_identicalPoliciesOwnTheirOwn(t *testing.T) {
	env := spEnv(t, emulator.Options{})
	c := env.Client(t)
	config := strings.Replace(espQuickstart(env, "core", ""), `"core" {`, `"core" {
  count = 2`, 1)
	config = strings.Replace(config, "disk_ids   = [", "# disk_ids = [", 1)
	twoPolicies := func(*terraform.State) error {
		if got := espAll(t, c, env.Region); len(got) != 2 {
			return fmt.Errorf("two resource instances with identical arguments: want two policies, found %v", got)
		}
		return nil
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, Check: twoPolicies},
			// A later command claims again from the first ordinal and still
			// adopts nothing of the other instance's.
			{Config: strings.Replace(config, "count = 2", "count = 3", 1), Check: func(*terraform.State) error {
				if got := espAll(t, c, env.Region); len(got) != 3 {
					return fmt.Errorf("want three policies, found %v", got)
				}
				return nil
			}},
		},
	})
}
