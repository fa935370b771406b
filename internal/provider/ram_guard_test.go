package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
	"github.com/alidr/terraform-provider-alidr/internal/ramactions"
)

// The deny-delete guard (examples/deny-delete-guard): under a policy that
// allows backup, replication and restore but explicitly denies deleting
// snapshots, images and objects, the provider creates, refreshes and
// restores; destroying the image stops with the RAM error naming the
// denied action, and the image stays.
func TestAccRAMDenyDeleteGuard(t *testing.T) {
	env := acctest.NewInstantEmulated(t, "RAM users and policies are set through the emulator's control API")
	sel := ramactions.Selection{
		Duties: []string{"backup", "replicate", "restore"}, Regions: append([]string{env.Region}, env.DRRegions...),
		AccountID: emulator.DefaultAccountID, DenyDelete: true,
	}
	guarded, _, err := ramactions.Build(sel)
	if err != nil {
		t.Fatal(err)
	}
	sel.DenyDelete = false
	unguarded, _, _ := ramactions.Build(sel)
	if err := env.Emulator.AddRAMUser(emulator.DefaultAccountID, ramKeyID, ramKeySecret, guarded.JSON()); err != nil {
		t.Fatal(err)
	}
	snap := ramSnapshot(t, env, env.SystemDiskID)
	config := ramProvider(env) + fmt.Sprintf(`
resource "alidr_snapshot_policy" "core" {
  name      = "core-guarded"
  schedule  = { hours = [2], weekdays = ["MON", "THU"] }
  retention = { daily_days = 7 }
  disk_ids  = [%q]
}

resource "alidr_replicated_image" "golden" {
  source  = { snapshot_id = %q }
  name    = "core-guarded"
  targets = { %q = {} }
  export  = { bucket = %q, prefix = "guard" }
}

resource "alidr_restored_instance" "core" {
  source             = { image_id = alidr_replicated_image.golden.image_id }
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
}`, env.DataDiskID, snap, env.DRRegions[0], env.Bucket, env.VSwitchID, env.SecurityGroupID)
	var imageID string
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, Check: func(s *terraform.State) error {
				imageID = s.RootModule().Resources["alidr_replicated_image.golden"].Primary.ID
				return nil
			}},
			{RefreshState: true},
			{Config: config, Destroy: true, ExpectError: regexp.MustCompile(`RAM\s+refused\s+the\s+action\s+(ecs:DeleteImage|oss:DeleteObject)`)},
			{
				// The image survived the attempt; lift the guard so the test
				// can clean up.
				PreConfig: func() {
					if _, err := env.Client(t).FindImageByID(context.Background(), env.Region, imageID); err != nil {
						t.Errorf("the guarded image %s is gone: %v", imageID, err)
					}
					denied := 0
					for _, rec := range env.Emulator.Requests() {
						if rec.AccessKeyID == ramKeyID && rec.RAMDenied {
							denied++
							if rec.RAMAction != "ecs:DeleteImage" && rec.RAMAction != "oss:DeleteObject" {
								t.Errorf("the guard refused %s, which it does not name", rec.RAMAction)
							}
						}
					}
					if denied == 0 {
						t.Error("no call was refused by the guard")
					}
					if err := env.Emulator.SetKeyPolicy(ramKeyID, unguarded.JSON()); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
			},
		},
	})
}
