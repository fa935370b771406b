// Package acctest runs acceptance tests through a real Terraform or OpenTofu
// CLI, against an in-process emulator by default or against real Alibaba
// Cloud when ALIDR_TESTACC_CLOUD=1 (make testacc).
package acctest

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

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
	flag.Parse()
	setParallel()
	if err := setupCLI(); err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// parallelTests is how many emulator-backed tests run at once unless
// -parallel says otherwise: a test spends its time waiting for the CLI and
// the provider it starts, so more of them than cores keep the cores busy.
const parallelTests = 8

func setParallel() {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set && !Cloud() {
		_ = flag.Set("test.parallel", strconv.Itoa(parallelTests))
	}
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
