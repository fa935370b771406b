package chaos

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The short profile of the campaign (make test): a clean run, dropped
// connections on every action, and the provider killed right after
// ExportImage (once exported twice: a duplicate and an orphaned export).
func TestShortCampaign(t *testing.T) {
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || cli == "" {
		t.Skip("needs TF_ACC=1 and a CLI in TF_ACC_TERRAFORM_PATH (make test sets both)")
	}
	if _, ok := os.LookupEnv("ALIDR_TESTACC_CLOUD"); ok {
		t.Skip("the campaign runs against the emulator only (fault injection, kill -9)")
	}
	dir := t.TempDir()
	provider := filepath.Join(dir, "bin", "terraform-provider-alidr")
	build := exec.Command("go", "build", "-o", provider, "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	c := &Campaign{CLI: cli, Provider: provider, Examples: "../../examples", WorkDir: filepath.Join(dir, "runs"), Log: t.Logf}
	fig, results := c.RunAll(context.Background(), Short())
	var b strings.Builder
	fig.Print(&b)
	t.Logf("figures:\n%s", b.String())
	for _, r := range results {
		if r.KillMissed {
			t.Errorf("%s: the apply ended before %s, nothing was killed", r.Scenario.Name(), r.Scenario.KillAt)
		}
	}
	if !fig.Passed() {
		t.Errorf("the short campaign missed its targets (every apply and drill passing, no orphan, duplicate or leak):\n%s", b.String())
	}
}
