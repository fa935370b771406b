// Package acctest runs acceptance tests through a real Terraform or OpenTofu
// CLI, against an in-process emulator by default or against real Alibaba
// Cloud when ALIDR_TESTACC_CLOUD=1 (make testacc).
package acctest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
	"github.com/alidr/terraform-provider-alidr/internal/provider"
)

// ProtoV6ProviderFactories serves the provider in-process to the CLI.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"alidr": func() (tfprotov6.ProviderServer, error) { return provider.NewServer("test")(), nil },
}

// Cloud reports whether the tests target real Alibaba Cloud.
func Cloud() bool { return os.Getenv("ALIDR_TESTACC_CLOUD") == "1" }

// Main prepares the CLI for terraform-plugin-testing and runs the tests. Use
// it from TestMain.
func Main(m *testing.M) {
	if err := setupCLI(); err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// setupCLI picks the CLI (TF_ACC_TERRAFORM_PATH, tofu or terraform on PATH,
// then the repository's bin/tofu built by `make tools`) and gives it an empty
// CLI configuration: a TF_CLI_CONFIG_FILE naming a missing file makes the CLI
// print a warning that breaks version parsing.
func setupCLI() error {
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		for _, name := range []string{"tofu", "terraform"} {
			if p, err := exec.LookPath(name); err == nil {
				cli = p
				break
			}
		}
	}
	if cli == "" {
		if root, err := repoRoot(); err == nil {
			if p := filepath.Join(root, "bin", "tofu"); fileExists(p) {
				cli = p
			}
		}
	}
	if cli == "" {
		if os.Getenv("TF_ACC") == "" {
			return nil // acceptance tests skip themselves without TF_ACC
		}
		return fmt.Errorf("no Terraform or OpenTofu CLI found: run `make tools` (builds bin/tofu) or set TF_ACC_TERRAFORM_PATH")
	}
	os.Setenv("TF_ACC_TERRAFORM_PATH", cli)
	if strings.Contains(filepath.Base(cli), "tofu") && os.Getenv("TF_ACC_PROVIDER_HOST") == "" {
		os.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
	}
	dir, err := os.MkdirTemp("", "alidr-acctest-cli-*")
	if err != nil {
		return err
	}
	cfg := filepath.Join(dir, "cli.tfrc")
	if err := os.WriteFile(cfg, []byte("# empty: tests need no provider installation settings\n"), 0o600); err != nil {
		return err
	}
	os.Setenv("TF_CLI_CONFIG_FILE", cfg)
	os.Unsetenv("TF_CLI_CONFIG_FILE_PATH")
	return nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if fileExists(filepath.Join(dir, "go.mod")) && fileExists(filepath.Join(dir, "main.go")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Env is one test's target: an emulator of its own, or the real cloud.
type Env struct {
	// Emulator is nil against the real cloud.
	Emulator *emulator.Server
	Region   string
}

// New starts an emulator for t (or targets the real cloud in cloud mode).
func New(t *testing.T, opts emulator.Options) *Env {
	t.Helper()
	if Cloud() {
		for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"} {
			if os.Getenv(v) == "" {
				t.Skipf("cloud acceptance tests need %s", v)
			}
		}
		region := os.Getenv("ALIBABA_CLOUD_REGION")
		if region == "" {
			region = "cn-beijing"
		}
		return &Env{Region: region}
	}
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &Env{Emulator: srv, Region: "cn-beijing"}
}

// RequireEmulator skips tests that need emulator controls (faults, clock).
func (e *Env) RequireEmulator(t *testing.T) {
	t.Helper()
	if e.Emulator == nil {
		t.Skip("needs the emulator's controls; not run against the real cloud")
	}
}

// ProviderConfig is the provider block pointing at the test's target.
func (e *Env) ProviderConfig() string {
	if e.Emulator == nil {
		return fmt.Sprintf("provider \"alidr\" {\n  region = %q\n}\n", e.Region)
	}
	return fmt.Sprintf(`provider "alidr" {
  region     = %q
  access_key = %q
  secret_key = %q
  max_retries = 8
  endpoints {
    ecs = %q
    oss = %q
    sts = %q
  }
}
`, e.Region, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret, e.Emulator.URL(), e.Emulator.URL(), e.Emulator.URL())
}

// Config joins the provider block with a test configuration.
func (e *Env) Config(hcl string, args ...any) string {
	return e.ProviderConfig() + fmt.Sprintf(hcl, args...)
}

// Client is a cloud client on the test's target, for arranging and checking
// what the configuration under test does. Its backoff is short so injected
// throttling does not slow the test.
func (e *Env) Client(t *testing.T) *cloud.Client {
	t.Helper()
	cfg := cloud.Config{Region: e.Region, MaxRetries: 3}
	if e.Emulator != nil {
		cfg.AccessKey, cfg.SecretKey = emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret
		cfg.Endpoints = cloud.Endpoints{ECS: e.Emulator.URL(), OSS: e.Emulator.URL(), STS: e.Emulator.URL()}
	} else {
		cfg.ApplyEnvironment(os.Getenv)
	}
	c, err := cloud.New(context.Background(), cfg, "acctest")
	if err != nil {
		t.Fatalf("cloud client for the test: %v", err)
	}
	c.Backoff.Base, c.Backoff.Max = time.Millisecond, 5*time.Millisecond
	return c
}
