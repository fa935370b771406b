package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/attest"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// The signing key given through ALIDR_ATTESTATION_SIGNING_KEY signs the
// run's attestation and appears nowhere: not in the provider's trace log,
// not in state, not in the attestation.
func TestAccAttestationSigningKeyNeverLeaks(t *testing.T) {
	env := acctest.NewInstant(t)
	trust := newTestTrust(t, env, "alidr-proofs-leak")
	env.OnEmulator(func(s *emulator.Server) {
		s.ScriptCommand(env.InstanceID, emulator.CommandOutcome{ExitCode: 0, Output: "ok\n"})
	})
	secrets := map[string]string{"seed": b64(trust.key.Seed()), "private key": b64(trust.key)}
	t.Setenv("ALIDR_ATTESTATION_SIGNING_KEY", secrets["seed"])
	logPath := filepath.Join(t.TempDir(), "tf.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	noSecret := func(what, text string) error {
		for name, v := range secrets {
			if strings.Contains(text, v) {
				return fmt.Errorf("the signing key's %s is in %s", name, what)
			}
		}
		return nil
	}
	// Serial: t.Setenv (signing key, TF_LOG, TF_ACC_LOG_PATH) is process-wide.
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: trust.config(false, `
resource "alidr_verification_run" "r" {
  boot_test = { instance_id = %q, command = "true" }
}`, env.InstanceID),
			Check: func(s *terraform.State) error {
				attrs := s.RootModule().Resources["alidr_verification_run.r"].Primary.Attributes
				url := attrs["attestation_object"]
				if url == "" {
					return fmt.Errorf("no attestation written")
				}
				data, err := env.Client(t).ReadSmallObject(context.Background(), env.Region, trust.bucket, strings.TrimPrefix(url, "oss://"+trust.bucket+"/"), 1<<20)
				if err != nil {
					return err
				}
				if _, err := attest.Verify(data, trust.trusted()); err != nil {
					return err
				}
				if err := noSecret("the attestation", string(data)); err != nil {
					return err
				}
				return noSecret("the state", fmt.Sprint(attrs))
			},
		}},
	})
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "alidr-proofs-leak") {
		t.Fatal("the trace log does not show the run: it is not the log of this test")
	}
	if err := noSecret("the trace log", string(log)); err != nil {
		t.Error(err)
	}
}
