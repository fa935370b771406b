package chaos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
	"github.com/alidr/terraform-provider-alidr/internal/sweep"
)

// Credentials of the campaign's emulator, distinctive so the secret scan
// cannot mistake anything else for them. The provider block of the
// quickstart's copy is rewritten to use them.
const (
	accessKeyID     = "LTAIchaosK3yIdQ9x7"
	accessKeySecret = "chaosS3cr3tW0rthK33p1ng"
)

// emulatorData is the run directory's folder of the emulator's objects.
const emulatorData = "oss-data"

// regions and buckets of the quickstart the census covers.
var (
	censusRegions = []string{"cn-beijing", "cn-shanghai", "cn-guangzhou"}
	censusBuckets = map[string][]string{"cn-beijing": {emulator.SeedBucket}}
)

// Result is what one run measured.
type Result struct {
	Scenario     Scenario
	Applied      bool // the (last) apply exited 0
	DrillPassed  bool // and the drill reported passed
	Destroyed    bool
	KillMissed   bool // the kill moment never came
	Orphans      []string
	Duplicates   []string
	Leaks        int
	LeakExamples []string
	Duration     time.Duration // applies and destroy
	Err          error         // why the run could not be judged, or the failure seen
}

// Campaign holds what every run needs.
type Campaign struct {
	CLI      string // terraform or tofu
	Provider string // the built provider binary
	Examples string // the repository's examples/ directory
	WorkDir  string // runs keep their files here
	Log      func(format string, args ...any)
}

// Run runs one scenario against a fresh emulator.
func (c *Campaign) Run(ctx context.Context, n int, sc Scenario) Result {
	res := Result{Scenario: sc}
	runDir := filepath.Join(c.WorkDir, fmt.Sprintf("run-%02d-%s", n, strings.NewReplacer(":", "-", "@", "-").Replace(sc.Name())))
	if err := c.run(ctx, runDir, sc, &res); err != nil && res.Err == nil {
		res.Err = err
	}
	count, examples, err := leaks(runDir, []string{accessKeyID, accessKeySecret})
	res.Leaks, res.LeakExamples = count, examples
	if err != nil && res.Err == nil {
		res.Err = err
	}
	return res
}

func (c *Campaign) run(ctx context.Context, runDir string, sc Scenario, res *Result) error {
	moduleDir, err := c.copyExamples(runDir)
	if err != nil {
		return err
	}
	srv, err := emulator.New(emulator.Options{AccessKeyID: accessKeyID, AccessKeySecret: accessKeySecret,
		DataDir: filepath.Join(runDir, emulatorData)})
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return err
	}
	client, err := cloud.New(ctx, cloud.Config{Region: "cn-beijing", AccessKey: accessKeyID, SecretKey: accessKeySecret,
		Endpoints: cloud.Endpoints{ECS: srv.URL(), OSS: srv.URL(), STS: srv.URL()}, MaxRetries: 3}, "alidr-chaos")
	if err != nil {
		return err
	}
	before, err := census(ctx, client)
	if err != nil {
		return fmt.Errorf("census before: %w", err)
	}
	outDir := filepath.Join(runDir, "drill-out")
	if err := os.MkdirAll(outDir, 0o750); err != nil {
		return err
	}
	tf, err := newCLI(c.CLI, runDir, moduleDir, c.Provider, srv.URL(), outDir)
	if err != nil {
		return err
	}
	if _, err := tf.run(ctx, "get", "-no-color"); err != nil {
		return err
	}
	if err := injectFault(srv, sc, Seed); err != nil {
		return err
	}

	start := time.Now()
	if sc.KillTarget != "" {
		killed, err := c.killedApply(ctx, tf, srv, sc)
		if err != nil {
			return err
		}
		res.KillMissed = !killed
	}
	applyErr := c.apply(ctx, tf, res)
	applied := time.Since(start)
	srv.ClearFaults()
	during, err := census(ctx, client)
	if err != nil {
		return fmt.Errorf("census after apply: %w", err)
	}
	res.Duplicates = duplicates(before, during)
	if err := injectFault(srv, sc, Seed+1); err != nil {
		return err
	}
	destroyStart := time.Now()
	_, destroyErr := tf.run(ctx, "destroy", "-auto-approve", "-input=false", "-no-color")
	res.Duration = applied + time.Since(destroyStart)
	res.Destroyed = destroyErr == nil
	srv.ClearFaults()
	after, err := census(ctx, client)
	if err != nil {
		return fmt.Errorf("census after destroy: %w", err)
	}
	res.Orphans = orphans(before, after)
	if applyErr != nil {
		return applyErr
	}
	return destroyErr
}

// injectFault adds the scenario's fault profile, if any, on every ECS and
// OSS action.
func injectFault(srv *emulator.Server, sc Scenario, seed int64) error {
	if sc.Fault == "" {
		return nil
	}
	f := emulator.Fault{Service: "*", Action: "*", Kind: sc.Fault, Rate: Rate, Seed: seed}
	if sc.Fault == emulator.FaultLatency {
		f.Duration = LatencyDelay
	}
	_, err := srv.AddFault(f)
	return err
}

// apply runs the drill's apply and reads the drill's status.
func (c *Campaign) apply(ctx context.Context, tf *cli, res *Result) error {
	if _, err := tf.run(ctx, tf.applyArgs(ctx)...); err != nil {
		return err
	}
	res.Applied = true
	status, err := tf.drillStatus(ctx)
	if err != nil {
		return err
	}
	res.DrillPassed = status == "passed"
	if !res.DrillPassed {
		return fmt.Errorf("the drill %s", status)
	}
	return nil
}

// killedApply starts an apply and kills sc.KillTarget with SIGKILL once the
// emulator has served sc.KillAt. It reports whether the kill happened (the
// apply may end first). After a CLI kill the plugin it started is killed
// too, as when the machine or job running the CLI dies.
func (c *Campaign) killedApply(ctx context.Context, tf *cli, srv *emulator.Server, sc Scenario) (bool, error) {
	p, err := tf.start(ctx, "apply", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return false, err
	}
	pid := p.cmd.Process.Pid
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.done: //nolint:errcheck // ended before the kill moment: the run is judged by its state and the census
			return false, nil
		case <-ctx.Done():
			return false, ctx.Err()
		case <-tick.C:
		}
		if !served(srv, sc.KillAt) {
			continue
		}
		target := pid
		if sc.KillTarget == KillProvider {
			if target = providerProcess(pid); target == 0 {
				continue
			}
		}
		plugins := descendants(pid)
		_ = syscall.Kill(target, syscall.SIGKILL)
		if sc.KillTarget == KillCLI {
			for _, d := range plugins {
				_ = syscall.Kill(d, syscall.SIGKILL)
			}
		}
		<-p.done //nolint:errcheck // killed: its exit error is the point
		c.Log("  killed the %s (pid %d) after %s", sc.KillTarget, target, sc.KillAt)
		return true, nil
	}
}

// served reports whether the emulator has answered an ECS action.
func served(srv *emulator.Server, action string) bool {
	for _, r := range srv.Requests() {
		if r.Service == "ecs" && r.Action == action && r.Status != 0 {
			return true
		}
	}
	return false
}

// copyExamples copies examples/ into the run directory with the provider
// block's credentials replaced by the campaign's, and returns the
// quickstart's directory.
func (c *Campaign) copyExamples(runDir string) (string, error) {
	dst := filepath.Join(runDir, "examples")
	if err := os.CopyFS(dst, os.DirFS(c.Examples)); err != nil {
		return "", err
	}
	main := filepath.Join(dst, "quickstart", "main.tf")
	b, err := os.ReadFile(main)
	if err != nil {
		return "", err
	}
	s := string(b)
	for old, repl := range map[string]string{`"` + emulator.DefaultAccessKeySecret + `"`: `"` + accessKeySecret + `"`,
		`access_key = "` + emulator.DefaultAccessKeyID + `"`: `access_key = "` + accessKeyID + `"`} {
		if !strings.Contains(s, old) {
			return "", fmt.Errorf("%s: no %s to replace with the campaign's credentials", main, old)
		}
		s = strings.ReplaceAll(s, old, repl)
	}
	return filepath.Dir(main), os.WriteFile(main, []byte(s), 0o600)
}

// census lists the quickstart's regions and bucket.
func census(ctx context.Context, c *cloud.Client) ([]sweep.Object, error) {
	var all []sweep.Object
	for _, r := range censusRegions {
		objs, err := sweep.Census(ctx, c, r, censusBuckets[r])
		if err != nil {
			return nil, err
		}
		all = append(all, objs...)
	}
	return all, nil
}

func key(o sweep.Object) string { return o.Region + " " + o.Kind + " " + o.ID }

// orphans are the objects after a destroy that were not there before.
func orphans(before, after []sweep.Object) []string {
	had := map[string]bool{}
	for _, o := range before {
		had[key(o)] = true
	}
	var out []string
	for _, o := range after {
		if !had[key(o)] {
			out = append(out, key(o))
		}
	}
	return out
}

// duplicates are the new objects beyond the first of each region, kind and
// owner (sweep.Object.Owner).
func duplicates(before, after []sweep.Object) []string {
	had := map[string]bool{}
	for _, o := range before {
		had[key(o)] = true
	}
	seen := map[string]bool{}
	var out []string
	for _, o := range after {
		owner := o.Owner()
		if had[key(o)] || owner == "" {
			continue
		}
		k := o.Region + " " + o.Kind + " owner " + owner
		if seen[k] {
			out = append(out, key(o)+" (another of "+owner+")")
		}
		seen[k] = true
	}
	return out
}
