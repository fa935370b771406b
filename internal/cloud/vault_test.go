package cloud

import (
	"context"
	"errors"
	"testing"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// A vault made through these calls keeps its objects: overwrite and delete
// are refused through the SDK, the policy cannot be shortened or removed,
// and the bucket cannot be deleted while it holds them.
func TestVaultRetainsObjects(t *testing.T) {
	c, _ := newEmulatorClient(t, emulator.DefaultAccessKeySecret)
	ctx, region, bucket := context.Background(), emulator.SeedRegion, "alidr-vault-test"
	if _, err := c.ReadVault(ctx, region, bucket); !IsNotFound(err) {
		t.Fatalf("ReadVault of a missing bucket: %v", err)
	}
	if err := c.CreateVaultBucket(ctx, region, bucket); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateVaultBucket(ctx, region, bucket); !errors.Is(err, ErrBucketExists) {
		t.Fatalf("a second create must not adopt the bucket: %v", err)
	}
	if err := c.EnableVersioning(ctx, region, bucket); err != nil {
		t.Fatal(err)
	}
	id, err := c.InitiateWorm(ctx, region, bucket, 30)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.LockWorm(ctx, region, bucket, id); err != nil {
		t.Fatal(err)
	}
	st, err := c.ReadVault(ctx, region, bucket)
	if err != nil || !st.Locked() || st.Worm.RetentionDays != 30 || st.Versioning != "Enabled" {
		t.Fatalf("ReadVault: %+v %v", st, err)
	}
	if err := c.PutSmallObject(ctx, region, bucket, "attestations/run-1.json", []byte("signed"), "application/json"); err != nil {
		t.Fatal(err)
	}
	if err := c.PutSmallObject(ctx, region, bucket, "attestations/run-1.json", []byte("forged"), "application/json"); err == nil {
		t.Fatal("overwriting a retained object succeeded")
	}
	b, err := c.Bucket(region, bucket)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteObject("attestations/run-1.json"); ErrorCode(err) != "FileImmutable" {
		t.Fatalf("deleting a retained object: %v", err)
	}
	if err := c.AbortWorm(ctx, region, bucket); err == nil {
		t.Fatal("a locked policy was removed")
	}
	if err := c.ExtendWorm(ctx, region, bucket, id, 10); err == nil {
		t.Fatal("a locked policy was shortened")
	}
	if err := c.DeleteVaultBucket(ctx, region, bucket); ErrorCode(err) != "BucketNotEmpty" {
		t.Fatalf("deleting a vault holding retained objects: %v", err)
	}
	data, err := c.ReadSmallObject(ctx, region, bucket, "attestations/run-1.json", 1024)
	if err != nil || string(data) != "signed" {
		t.Fatalf("retained object: %q %v", data, err)
	}
}
