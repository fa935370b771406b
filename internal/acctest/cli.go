package acctest

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/alidr/terraform-provider-alidr/internal/provider"
)

// CLI runs the acceptance tests' CLI (TF_ACC_TERRAFORM_PATH) as a user or a
// pipeline does, exit codes included, with the provider served from the test
// process (TF_REATTACH_PROVIDERS), so `terraform init` installs nothing.
type CLI struct {
	t    testing.TB
	path string
	env  []string
}

// NewCLI serves the provider for the test's (or benchmark's) lifetime; vars
// become TF_VAR_*.
func NewCLI(t testing.TB, vars map[string]string) *CLI {
	t.Helper()
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		t.Skip("no Terraform or OpenTofu CLI (set TF_ACC=1; acctest.Main picks one)")
	}
	env := append(os.Environ(), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_REATTACH_PROVIDERS="+serveProvider(t))
	for k, v := range vars {
		env = append(env, "TF_VAR_"+k+"="+v)
	}
	return &CLI{t: t, path: path, env: env}
}

// Version is the CLI's first version line, e.g. "Terraform v1.11.4".
func (c *CLI) Version() string {
	_, out := c.Run("", "version")
	line, _, _ := strings.Cut(out, "\n")
	return line
}

// Run runs the CLI in dir and returns its exit code and combined output.
func (c *CLI) Run(dir string, args ...string) (int, string) {
	c.t.Helper()
	if dir != "" {
		args = append([]string{"-chdir=" + dir}, args...)
	}
	cmd := exec.Command(c.path, args...) //nolint:gosec // the test's own CLI binary and arguments
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	case err != nil:
		c.t.Fatalf("running %s: %v", c.path, err)
	}
	return 0, string(out)
}

// Must runs the CLI and fails the test unless it exits with want.
func (c *CLI) Must(dir string, want int, args ...string) string {
	c.t.Helper()
	code, out := c.Run(dir, args...)
	if code != want {
		c.t.Fatalf("%s %s: exit %d, want %d\n%s", c.path, strings.Join(args, " "), code, want, out)
	}
	return out
}

// serveProvider serves the provider in debug mode and returns its reattach
// configuration under both registries' addresses of source "alidr/alidr".
func serveProvider(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	configCh := make(chan *plugin.ReattachConfig)
	closeCh := make(chan struct{})
	go func() {
		// Logs follow TF_LOG like the CLI's, as terraform-plugin-testing does.
		err := tf6server.Serve("registry.terraform.io/alidr/alidr", provider.NewServer("test"),
			tf6server.WithDebug(ctx, configCh, closeCh), tf6server.WithLoggingSink(sinkT{t}), tf6server.WithGoPluginLogger(hclog.NewNullLogger()))
		if err != nil {
			t.Errorf("serving the provider: %v", err)
		}
	}()
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-configCh:
	case <-time.After(time.Minute):
		t.Fatal("the provider server did not start")
	}
	t.Cleanup(func() { cancel(); <-closeCh })
	type addr struct{ Network, String string }
	attach := struct {
		Protocol        string
		ProtocolVersion int
		Pid             int
		Test            bool
		Addr            addr
	}{string(cfg.Protocol), cfg.ProtocolVersion, cfg.Pid, cfg.Test, addr{cfg.Addr.Network(), cfg.Addr.String()}}
	b, err := json.Marshal(map[string]any{"registry.terraform.io/alidr/alidr": attach, "registry.opentofu.org/alidr/alidr": attach})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sinkT lets a benchmark's testing.TB be the logging sink, which wants the
// methods of a *testing.T (Parallel is the one a *testing.B lacks).
type sinkT struct{ testing.TB }

func (sinkT) Parallel() {}
