package provider_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

// The second resource replicating one image owns its copies under
// SOURCE-1: importing with that id finds them (not the first one's).
func TestAccReplicatedImage_importOwnerOrdinal(t *testing.T) {
	env, c := rimgEnv(t)
	dr1 := env.DRRegions[0]
	source := rimgImage(t, env, c, "ordinal-source")
	ctx := context.Background()
	copyOwnedBy := func(owner string) string {
		t.Helper()
		id, err := c.CopyImage(ctx, env.Region, cloud.CopyImageInput{ImageID: source, DestinationRegion: dr1, Name: "golden-" + owner,
			Tags: map[string]string{cloud.TagOwner: owner, cloud.TagManagedBy: "terraform-provider-alidr", cloud.TagClaimed: "true"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.WaitImageAvailable(ctx, dr1, id, time.Minute); err != nil {
			t.Fatal(err)
		}
		return id
	}
	firsts := copyOwnedBy(source)
	seconds := copyOwnedBy(source + "-1")
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: rimgConfig(env, `
import {
  to = alidr_replicated_image.second
  id = "%s-1"
}

resource "alidr_replicated_image" "second" {
  source  = { image_id = %q }
  name    = "golden-second"
  targets = { (local.dr1) = {} }
}`, source, source),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("alidr_replicated_image.second", tfjsonpath.New("id"), knownvalue.StringExact(source)),
				statecheck.ExpectKnownValue("alidr_replicated_image.second", tfjsonpath.New("targets").AtMapKey(dr1).AtMapKey("image_id"), knownvalue.StringExact(seconds)),
			},
		}},
		CheckDestroy: func(*terraform.State) error {
			if _, err := c.FindImageByID(ctx, dr1, firsts); err != nil {
				return fmt.Errorf("the first resource's copy %s after destroying the imported second one: %w", firsts, err)
			}
			return nil
		},
	})
}

// An imported restore keeps the owner id its instance carries, ordinal
// included, so destroy removes the temporary image that restore left.
func TestAccRestoredInstance_importOwnerOrdinal(t *testing.T) {
	env := acctest.NewInstant(t)
	c := env.Client(t)
	ctx := context.Background()
	const owner = "restore-ordinal-test-2"
	tags := map[string]string{cloud.TagOwner: owner, cloud.TagManagedBy: "terraform-provider-alidr", cloud.TagClaimed: "true"}
	id, err := c.RunInstance(ctx, env.Region, cloud.RunInstanceInput{ImageID: env.ImageID, InstanceType: "ecs.g7.large", VSwitchID: env.VSwitchID,
		SecurityGroupIDs: []string{env.SecurityGroupID}, PrivateIPs: 1, SystemDisk: cloud.InstanceDiskInput{Category: "cloud_essd"}, Tags: tags}, "")
	if err != nil {
		t.Fatal(err)
	}
	// Against an account, nothing stays if the test stops early (both are
	// gone already when it passes).
	t.Cleanup(func() { _ = c.DeleteInstance(ctx, env.Region, id) })
	leftover, err := c.CreateImage(ctx, env.Region, cloud.CreateImageInput{InstanceID: env.InstanceID, Name: "leftover-temporary", Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.DeleteImage(ctx, env.Region, leftover, true) })
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.Config(`
import {
  to = alidr_restored_instance.test
  id = %q
}

resource "alidr_restored_instance" "test" {
  source             = { image_id = %q }
  instance_type      = "ecs.g7.large"
  vswitch_id         = %q
  security_group_ids = [%q]
}`, id, env.ImageID, env.VSwitchID, env.SecurityGroupID),
		}},
		CheckDestroy: func(*terraform.State) error {
			if _, err := c.FindImageByID(ctx, env.Region, leftover); !cloud.IsNotFound(err) {
				return fmt.Errorf("temporary image %s of owner %s after destroying the imported restore: %w, want it deleted", leftover, owner, err)
			}
			return nil
		},
	})
}
