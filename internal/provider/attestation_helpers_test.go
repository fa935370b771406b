package provider_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/attest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

// testTrust is a test's attestation setup: a vault bucket and the key pair
// the pipeline would hold.
type testTrust struct {
	env    *acctest.Env
	client *cloud.Client
	bucket string
	key    ed25519.PrivateKey
}

// trustKey is a fixed key: seed byte b.
func trustKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func newTestTrust(t *testing.T, env *acctest.Env, bucket string) *testTrust {
	t.Helper()
	c := env.Client(t)
	ctx := context.Background()
	if env.Emulator == nil {
		// Bucket names are global: a name of the test's own, removed with
		// its objects when the test ends.
		var suffix [4]byte
		_, _ = rand.Read(suffix[:])
		bucket = fmt.Sprintf("%s-%x", bucket, suffix)
		t.Cleanup(func() { deleteTestBucket(t, c, env.Region, bucket) })
	}
	if err := c.CreateVaultBucket(ctx, env.Region, bucket); err != nil {
		t.Fatal(err)
	}
	return &testTrust{env: env, client: c, bucket: bucket, key: trustKey(42)}
}

// deleteTestBucket deletes a test's (unversioned) bucket and its objects.
func deleteTestBucket(t *testing.T, c *cloud.Client, region, bucket string) {
	ctx := context.Background()
	keys, err := c.ListObjectKeys(ctx, region, bucket, "")
	if err != nil {
		t.Logf("leaving oss://%s: %v", bucket, err)
		return
	}
	b, err := c.Bucket(region, bucket)
	if err == nil && len(keys) > 0 {
		_, err = b.DeleteObjects(keys)
	}
	if err == nil {
		err = b.Client.DeleteBucket(bucket)
	}
	if err != nil {
		t.Logf("leaving oss://%s: %v", bucket, err)
	}
}

func b64(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

// block is the provider's attestation block trusting tt's key (and signing
// with it when sign is set).
func (tt *testTrust) block(sign bool) string {
	s := fmt.Sprintf("  attestation {\n    bucket      = %q\n    public_keys = [%q]\n", tt.bucket, b64(tt.key.Public().(ed25519.PublicKey)))
	if sign {
		s += fmt.Sprintf("    signing_key = %q\n", b64(tt.key.Seed()))
	}
	return s + "  }\n"
}

// config is the test's configuration with tt's attestation block in the
// provider.
func (tt *testTrust) config(sign bool, hcl string, args ...any) string {
	return tt.into(sign, tt.env.Config(hcl, args...))
}

// into adds tt's attestation block to cfg, which starts with the env's
// provider block.
func (tt *testTrust) into(sign bool, cfg string) string {
	p := tt.env.ProviderConfig()
	if !strings.HasPrefix(cfg, p) {
		panic("configuration does not start with the provider block")
	}
	i := strings.LastIndex(p, "}")
	return p[:i] + tt.block(sign) + cfg[i:]
}

// vouch tags points as verified by runID and stores an attestation of a
// run with status, signed with key.
func (tt *testTrust) vouch(t *testing.T, key ed25519.PrivateKey, runID, status string, points ...string) {
	t.Helper()
	tt.sign(t, key, runID, status, points...)
	tagAsVerified(t, tt.client, tt.env.Region, runID, points...)
}

// sign stores an attestation of a run with status, signed with key.
func (tt *testTrust) sign(t *testing.T, key ed25519.PrivateKey, runID, status string, points ...string) {
	t.Helper()
	c := tt.env.Client(t)
	c.Attestation = cloud.Attestation{Bucket: tt.bucket, Region: tt.env.Region, Signer: key}
	if _, err := c.WriteAttestation(context.Background(), attest.Statement{RunID: runID, Status: status, Points: points}); err != nil {
		t.Fatal(err)
	}
}

// tagAsVerified writes the verification tags alone: what anyone with the
// account's keys can do.
func tagAsVerified(t *testing.T, c *cloud.Client, region, runID string, points ...string) {
	t.Helper()
	for _, p := range points {
		kind := "snapshot"
		if strings.HasPrefix(p, "m-") {
			kind = "image"
		}
		if err := c.TagResources(context.Background(), region, kind, []string{p},
			map[string]string{cloud.TagVerifiedAt: "2026-11-20T08:00:00Z", cloud.TagVerificationRun: runID}); err != nil {
			t.Fatal(err)
		}
	}
}

// trusted is tt's public key as a trust list.
func (tt *testTrust) trusted() []ed25519.PublicKey {
	return []ed25519.PublicKey{tt.key.Public().(ed25519.PublicKey)}
}
