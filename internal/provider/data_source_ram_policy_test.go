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
	"github.com/alidr/terraform-provider-alidr/internal/ramactions"
)

func TestAccRAMPolicyDataSource(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	invalid := func(args, re string) resource.TestStep {
		return resource.TestStep{Config: env.Config(`data "alidr_ram_policy" "p" {
%s
}`, args), PlanOnly: true, ExpectError: regexp.MustCompile(re)}
	}
	want := ramactions.Selection{Duties: []string{"backup"}, Regions: []string{env.Region, env.DRRegions[0]}, AccountID: "1234567890123456", DenyDelete: true}
	doc, actions, err := ramactions.Build(want)
	if err != nil {
		t.Fatal(err)
	}
	var actionChecks []knownvalue.Check
	for _, a := range actions {
		actionChecks = append(actionChecks, knownvalue.StringExact(a))
	}
	addr := "data.alidr_ram_policy.p"
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			invalid(`duties = ["archive"]`, `(?s)duties\[0\].*value must be one of`),
			invalid(``, `(?s)Nothing to grant.*Set duties`),
			invalid(`resource_types = ["alidr_nope"]`, `(?s)resource_types\[0\].*alidr_snapshot_policy`),
			invalid(`duties = ["backup"]`+"\n"+`regions = ["Beijing"]`, `(?s)Invalid region id.*regions = \["Beijing"\].*not a region id`),
			invalid(`duties = ["backup"]`+"\n"+`account_id = "acct-1"`, `(?s)Invalid account_id.*numeric UID,\s+e.g. 1234567890123456, or \* for any account`),
			{
				Config: env.Config(`
data "alidr_ram_policy" "p" {
  duties      = ["backup"]
  regions     = [%q, %q]
  account_id  = "1234567890123456"
  deny_delete = true
}`, env.Region, env.DRRegions[0]),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("actions"), knownvalue.ListExact(actionChecks)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("document"), knownvalue.StringExact(doc.JSON())),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("document"), knownvalue.StringRegexp(regexp.MustCompile(
						`(?s)"Effect": "Allow".*"ecs:CreateAutoSnapshotPolicy".*"acs:ecs:`+regexp.QuoteMeta(env.DRRegions[0])+`:1234567890123456:snapshotpolicy/\*".*"Effect": "Deny",\s+"Action": \[\s+"ecs:DeleteSnapshot"`))),
				},
			},
			{
				Config: env.Config(`
data "alidr_ram_policy" "p" {
  resource_types = ["alidr_disks"]
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("account_id"), knownvalue.StringExact("*")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("actions"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("ecs:DescribeDisks"), knownvalue.StringExact("ecs:DescribeRegions")})),
				},
			},
		},
	})
}

// assume_role.policy is a session policy: the session may do only what both
// the role's policy and it allow.
func TestAccRAMAssumeRoleSessionPolicy(t *testing.T) {
	env := acctest.NewInstantEmulated(t, "the role's policy is set through the emulator's control API")
	backup, _, _ := ramactions.Build(ramactions.Selection{Duties: []string{"backup"}})
	restore, _, _ := ramactions.Build(ramactions.Selection{Duties: []string{"restore"}})
	if err := env.Emulator.SetRolePolicy(env.RoleARN, backup.JSON()); err != nil {
		t.Fatal(err)
	}
	provider := func(session string) string {
		return fmt.Sprintf(`provider "alidr" {
  region = %q
%s%s
  assume_role {
    role_arn     = %q
    session_name = "alidr-acceptance"
    policy       = <<-EOT
%s
EOT
  }
}
`, env.Region, env.CredentialsHCL(), env.EndpointsHCL(), env.RoleARN, session)
	}
	policy := fmt.Sprintf(`
resource "alidr_snapshot_policy" "core" {
  name      = "core-session"
  schedule  = { hours = [2], weekdays = ["MON"] }
  retention = { daily_days = 7 }
  disk_ids  = [%q]
}`, env.DataDiskID)
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			// The role may back up, the session only restore: nothing of the
			// snapshot policy is left to it.
			{Config: provider(restore.JSON()) + policy, ExpectError: wrappedRE("RAM refused the action ebs:DescribeEnterpriseSnapshotPolicy")},
			// Both allow backups.
			{Config: provider(backup.JSON()) + policy},
		},
	})
}
