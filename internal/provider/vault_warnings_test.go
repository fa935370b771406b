package provider_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
)

// Proofs planned into a bucket without a locked WORM policy are warned
// about, naming the attribute; a locked vault silences the warning. Plan
// warnings are visible through the CLI only.
func TestAccCLIWarnsAboutUnlockedVaults(t *testing.T) {
	env := acctest.NewEmulated(t, "locks a retention policy for good")
	c := env.Client(t)
	ctx := context.Background()
	trust := newTestTrust(t, env, "alidr-proofs-warn")
	id, err := c.InitiateWorm(ctx, env.Region, trust.bucket, 1)
	if err != nil {
		t.Fatal(err)
	}
	tf := acctest.NewCLI(t, nil)
	dir := t.TempDir()
	cfg := "terraform {\n  required_providers {\n    alidr = { source = \"alidr/alidr\" }\n  }\n}\n" + trust.config(true, `
resource "alidr_verification_run" "r" {
  boot_test = { instance_id = %q, command = "true" }
  report    = { bucket = %[2]q, object = "reports/r.json" }
}
resource "alidr_replicated_image" "i" {
  source = { instance_id = %[1]q }
  name   = "warned-golden"
  export = { bucket = %[2]q, prefix = "core" }
}`, env.InstanceID, env.Bucket)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	tf.Must(dir, 0, "init", "-input=false", "-no-color")
	out := tf.Must(dir, 0, "plan", "-input=false", "-no-color")
	for _, want := range []string{"Attestations go to bucket alidr-proofs-warn", "not locked",
		"Verification reports go to bucket " + env.Bucket, "has no retention policy",
		"Exports and manifests go to bucket " + env.Bucket} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}
	if err := c.LockWorm(ctx, env.Region, trust.bucket, id); err != nil {
		t.Fatal(err)
	}
	out = tf.Must(dir, 0, "plan", "-input=false", "-no-color")
	if strings.Contains(out, "alidr-proofs-warn") {
		t.Errorf("a locked vault is warned about:\n%s", out)
	}
}

// A plan to destroy a locked vault says that the bucket cannot go while it
// holds retained objects; an empty vault is then destroyed.
func TestAccCLIWarnsBeforeDestroyingALockedVault(t *testing.T) {
	env := acctest.NewEmulated(t, "locks a retention policy for good")
	tf := acctest.NewCLI(t, nil)
	dir := t.TempDir()
	cfg := "terraform {\n  required_providers {\n    alidr = { source = \"alidr/alidr\" }\n  }\n}\n" + env.Config(`
resource "alidr_recovery_vault" "v" {
  bucket         = "alidr-vault-destroy"
  retention_days = 1
  lock           = true
}`)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	tf.Must(dir, 0, "init", "-input=false", "-no-color")
	tf.Must(dir, 0, "apply", "-auto-approve", "-input=false", "-no-color")
	out := strings.Join(strings.Fields(tf.Must(dir, 0, "plan", "-destroy", "-input=false", "-no-color")), " ")
	for _, want := range []string{"A locked vault cannot be destroyed while it holds retained objects", "terraform state rm"} {
		if !strings.Contains(out, want) {
			t.Errorf("the destroy plan does not say %q:\n%s", want, out)
		}
	}
	tf.Must(dir, 0, "destroy", "-auto-approve", "-input=false", "-no-color")
}
