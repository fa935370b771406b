package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// cli runs the Terraform/OpenTofu CLI in one run's copy of the quickstart,
// with the built provider through dev_overrides, trace logging to a file
// and every command's output kept for the secret scan.
type cli struct {
	path, dir string
	env       []string
	logs      string // directory of the outputs
	n         int
}

func newCLI(path, runDir, moduleDir, providerBin, endpoint, outDir string) (*cli, error) {
	rc := filepath.Join(runDir, "cli.tfrc")
	conf := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"alidr/alidr\" = %q\n  }\n  direct {}\n}\n", filepath.Dir(providerBin))
	if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		// The provider must get its credentials from the provider block
		// alone, and the CLI its configuration from rc.
		if strings.HasPrefix(k, "ALIBABA_CLOUD_") || strings.HasPrefix(k, "ALICLOUD_") || strings.HasPrefix(k, "TF_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"TF_LOG=trace", "TF_VAR_endpoint="+endpoint, "TF_VAR_out_dir="+outDir)
	return &cli{path: path, dir: moduleDir, env: env, logs: runDir}, nil
}

// proc is one started command.
type proc struct {
	cmd     *exec.Cmd
	outPath string
	done    chan error // receives Wait's result once
}

// start starts one command in its own process group; its combined output
// and trace log go to files of the run directory.
func (c *cli) start(ctx context.Context, args ...string) (*proc, error) {
	c.n++
	name := fmt.Sprintf("%02d-%s", c.n, args[0])
	p := &proc{outPath: filepath.Join(c.logs, name+".out"), done: make(chan error, 1)}
	out, err := os.Create(p.outPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, c.path, append([]string{"-chdir=" + c.dir}, args...)...) //nolint:gosec // the CLI the campaign was given, on its own working directory
	cmd.Env = append(append([]string{}, c.env...), "TF_LOG_PATH="+filepath.Join(c.logs, name+".trace.log"))
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, err
	}
	p.cmd = cmd
	go func() {
		err := cmd.Wait()
		out.Close()
		p.done <- err
	}()
	return p, nil
}

// output is what the command printed so far.
func (p *proc) output() string {
	b, _ := os.ReadFile(p.outPath)
	return string(b)
}

// run runs one command to its end and returns its output.
func (c *cli) run(ctx context.Context, args ...string) (string, error) {
	p, err := c.start(ctx, args...)
	if err != nil {
		return "", err
	}
	err = <-p.done
	out := p.output()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w\n%s", filepath.Base(c.path), args[0], err, tail(out, 40))
	}
	return out, nil
}

// drillRun is the verification run of the quickstart's module.
const drillRun = "module.dr.alidr_verification_run.drill"

// applyArgs is the drill's apply (scripts/drill.sh): the verification run is
// replaced when the state already has one, so its checks run again.
func (c *cli) applyArgs(ctx context.Context) []string {
	args := []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	if out, err := c.run(ctx, "state", "list"); err == nil && strings.Contains("\n"+out+"\n", "\n"+drillRun+"\n") {
		args = append(args, "-replace="+drillRun)
	}
	return args
}

// drillStatus reads the drill's status from the root module's outputs.
func (c *cli) drillStatus(ctx context.Context) (string, error) {
	out, err := c.run(ctx, "output", "-json", "drill")
	if err != nil {
		return "", err
	}
	var v struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		return "", fmt.Errorf("output drill: %w: %s", err, tail(out, 5))
	}
	return v.Status, nil
}

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}
