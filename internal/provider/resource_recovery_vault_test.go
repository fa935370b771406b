package provider_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

const vaultAddr = "alidr_recovery_vault.v"

func vaultConfig(env *acctest.Env, bucket string, days int, lock bool) string {
	return env.Config(`
resource "alidr_recovery_vault" "v" {
  bucket         = %q
  retention_days = %d
  lock           = %t
}`, bucket, days, lock)
}

// vaultBucketName is unique per test: on the real cloud the namespace is
// global.
func vaultBucketName(t *testing.T) string {
	return strings.ToLower(fmt.Sprintf("alidr-vault-%s-%d", strings.TrimPrefix(t.Name(), "TestAccRecoveryVault_"), len(t.Name())))
}

// vaultNoBucket checks destroy removed the (empty) bucket.
func vaultNoBucket(env *acctest.Env, c *cloud.Client, bucket string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if _, err := c.ReadVault(context.Background(), env.Region, bucket); !cloud.IsNotFound(err) {
			return fmt.Errorf("bucket %s still exists after destroy (%w)", bucket, err)
		}
		return nil
	}
}

// TestAccRecoveryVault_basic creates a versioned bucket with an unlocked
// policy, then locks and extends it, imports it, and refuses to shorten it.
func TestAccRecoveryVault_basic(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	c := env.Client(t)
	bucket := vaultBucketName(t)
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             vaultNoBucket(env, c, bucket),
		Steps: []resource.TestStep{
			{
				Config: vaultConfig(env, bucket, 30, false),
				ConfigStateChecks: []statecheck.StateCheck{
					state(vaultAddr, "id", knownvalue.StringExact(bucket)),
					state(vaultAddr, "versioning", knownvalue.StringExact("Enabled")),
					state(vaultAddr, "worm_state", knownvalue.StringExact("InProgress")),
					state(vaultAddr, "region", knownvalue.StringExact(env.Region)),
				},
				Check: func(*terraform.State) error {
					st, err := c.ReadVault(context.Background(), env.Region, bucket)
					if err != nil || st.Worm == nil || st.Worm.RetentionDays != 30 || st.Versioning != "Enabled" {
						return fmt.Errorf("bucket as OSS reports it: %+v %w", st, err)
					}
					return nil
				},
			},
			{
				// Unlocked: the policy can still change (it is replaced).
				Config: vaultConfig(env, bucket, 20, false),
				ConfigStateChecks: []statecheck.StateCheck{
					state(vaultAddr, "retention_days", knownvalue.Int64Exact(20)),
					state(vaultAddr, "worm_state", knownvalue.StringExact("InProgress")),
				},
			},
			{
				Config: vaultConfig(env, bucket, 20, true),
				ConfigStateChecks: []statecheck.StateCheck{
					state(vaultAddr, "worm_state", knownvalue.StringExact("Locked")),
					state(vaultAddr, "lock", knownvalue.Bool(true)),
				},
			},
			{
				Config: vaultConfig(env, bucket, 40, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(vaultAddr, plancheck.ResourceActionUpdate)},
				},
				Check: func(*terraform.State) error {
					st, err := c.ReadVault(context.Background(), env.Region, bucket)
					if err != nil || !st.Locked() || st.Worm.RetentionDays != 40 {
						return fmt.Errorf("after extending: %+v %w", st, err)
					}
					return nil
				},
			},
			{
				ResourceName:            vaultAddr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				Config:      vaultConfig(env, bucket, 39, true),
				ExpectError: wrappedRE("cannot be shortened", "retention_days", "40 or more"),
			},
			{
				Config:      vaultConfig(env, bucket, 40, false),
				ExpectError: wrappedRE("cannot be unlocked", "Set lock = true"),
			},
			{
				ResourceName:  vaultAddr,
				ImportState:   true,
				ImportStateId: "Not_A_Bucket",
				ExpectError:   regexp.MustCompile(`bucket name`),
			},
		},
	})
}

// TestAccRecoveryVault_existingBucket: create never adopts a bucket that
// exists already.
func TestAccRecoveryVault_existingBucket(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	c := env.Client(t)
	bucket := vaultBucketName(t)
	if err := c.CreateVaultBucket(context.Background(), env.Region, bucket); err != nil {
		t.Fatal(err)
	}
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      vaultConfig(env, bucket, 1, false),
			ExpectError: wrappedRE("exists already", "import it"),
		}},
	})
	if err := c.DeleteVaultBucket(context.Background(), env.Region, bucket); err != nil {
		t.Fatal(err)
	}
}

// TestAccRecoveryVault_disappears: a bucket deleted outside Terraform leaves
// state; a policy removed outside Terraform is created again.
func TestAccRecoveryVault_disappears(t *testing.T) {
	env := acctest.New(t, emulator.Options{})
	c := env.Client(t)
	bucket := vaultBucketName(t)
	ctx := context.Background()
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             vaultNoBucket(env, c, bucket),
		Steps: []resource.TestStep{
			{
				Config: vaultConfig(env, bucket, 5, false),
				Check: func(*terraform.State) error {
					return c.AbortWorm(ctx, env.Region, bucket)
				},
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(vaultAddr, plancheck.ResourceActionUpdate)},
				},
			},
			{
				Config: vaultConfig(env, bucket, 5, false),
				ConfigStateChecks: []statecheck.StateCheck{
					state(vaultAddr, "worm_state", knownvalue.StringExact("InProgress")),
				},
				Check: func(*terraform.State) error {
					if err := c.AbortWorm(ctx, env.Region, bucket); err != nil {
						return err
					}
					return c.DeleteVaultBucket(ctx, env.Region, bucket)
				},
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction(vaultAddr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

// TestAccRecoveryVault_retainsObjects: what is written to a locked vault
// cannot be deleted or overwritten through the SDK, and destroy fails with
// an explanation instead of deleting anything.
func TestAccRecoveryVault_retainsObjects(t *testing.T) {
	acctest.SkipOnCloud(t, "the bucket stays for the whole retention period")
	clock := emulator.NewManualClock(time.Now())
	env := acctest.New(t, emulator.Options{Clock: clock})
	c := env.Client(t)
	bucket := vaultBucketName(t)
	ctx := context.Background()
	acctest.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             vaultNoBucket(env, c, bucket),
		Steps: []resource.TestStep{
			{
				Config: vaultConfig(env, bucket, 1, true),
				Check: func(*terraform.State) error {
					if err := c.PutSmallObject(ctx, env.Region, bucket, "reports/r1.xml", []byte("report"), "application/xml"); err != nil {
						return err
					}
					b, err := c.Bucket(env.Region, bucket)
					if err != nil {
						return err
					}
					if err := b.DeleteObject("reports/r1.xml"); cloud.ErrorCode(err) != "FileImmutable" {
						return fmt.Errorf("deleting a retained object: %w", err)
					}
					if err := c.PutSmallObject(ctx, env.Region, bucket, "reports/r1.xml", []byte("forged"), "application/xml"); cloud.ErrorCode(err) != "FileImmutable" {
						return fmt.Errorf("overwriting a retained object: %w", err)
					}
					return nil
				},
			},
			{
				Config:      vaultConfig(env, bucket, 1, true),
				Destroy:     true,
				ExpectError: wrappedRE("still holds objects", "terraform state rm"),
			},
			{
				// Once the retention has ended the versions can go, and
				// then the bucket.
				PreConfig: func() {
					// ECS checks request timestamps against the emulated
					// clock: move it back once the versions are gone.
					now := clock.Now()
					clock.Advance(49 * time.Hour)
					err := vaultEmpty(c, env.Region, bucket)
					clock.Set(now)
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: vaultConfig(env, bucket, 1, true),
			},
		},
	})
}

// vaultEmpty deletes every object version in bucket.
func vaultEmpty(c *cloud.Client, region, bucket string) error {
	b, err := c.Bucket(region, bucket)
	if err != nil {
		return err
	}
	list, err := b.ListObjectVersions()
	if err != nil {
		return err
	}
	var del []oss.DeleteObject
	for _, v := range list.ObjectVersions {
		del = append(del, oss.DeleteObject{Key: v.Key, VersionId: v.VersionId})
	}
	if len(del) == 0 {
		return fmt.Errorf("bucket %s holds no versions", bucket)
	}
	_, err = b.DeleteObjectVersions(del)
	return err
}
