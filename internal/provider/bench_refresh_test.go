package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/acctest"
	"github.com/alidr/terraform-provider-alidr/internal/acctest/fixture"
	"github.com/alidr/terraform-provider-alidr/internal/benchkit"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// BenchmarkRefresh counts, through the emulator's request log, the calls a
// no-change `terraform plan` makes (make bench-refresh):
//
//	TF_ACC=1 go test -run '^$' -bench Refresh -benchtime 1x ./internal/provider/
//
// It prints quickstart_plan_calls (examples/quickstart), plan_calls_per_policy
// (N alidr_snapshot_policy with 2 disks each, ALIDR_BENCH_POLICIES, default
// 150) and plan_seconds_150 with every ECS call delayed by 50 ms, with
// batching on (the default) and off (ALIDR_DESCRIBE_BATCHING=off) side by
// side. One iteration is the whole measurement, whatever b.N is.
func BenchmarkRefresh(b *testing.B) {
	if os.Getenv("TF_ACC") == "" {
		b.Skip("drives the Terraform CLI: set TF_ACC=1")
	}
	b.Run("quickstart", benchQuickstartPlan)
	b.Run("policies", benchPolicyPlans)
}

func benchQuickstartPlan(b *testing.B) {
	srv := benchEmulator(b)
	srv.SetExportBytesPerGiB(16 << 10)
	tf := acctest.NewCLI(b, map[string]string{"endpoint": srv.URL()})
	examples := b.TempDir()
	if err := os.CopyFS(examples, os.DirFS("../../examples")); err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(examples, "quickstart")
	b.Chdir(dir) // the in-process provider writes the drill's report here
	tf.Must(dir, 0, "init", "-input=false", "-no-color")
	tf.Must(dir, 0, "apply", "-auto-approve", "-input=false", "-no-color")
	calls, _, byAction := countPlan(b, srv, tf, dir)
	fmt.Printf("quickstart_plan_calls=%d\n", calls)
	fmt.Printf("quickstart_region_list_calls=%d\n", byAction["ecs DescribeRegions"])
}

func benchPolicyPlans(b *testing.B) {
	n := int(benchkit.EnvInt(b, "ALIDR_BENCH_POLICIES", 150))
	srv := benchEmulator(b)
	disks := createDisks(b, srv, 2*n)
	dir := b.TempDir()
	env := &acctest.Env{Emulator: srv, Set: fixture.Emulator()}
	var cfg strings.Builder
	cfg.WriteString("terraform {\n  required_providers {\n    alidr = { source = \"alidr/alidr\" }\n  }\n}\n")
	cfg.WriteString(env.ProviderConfig())
	for i := range n {
		fmt.Fprintf(&cfg, `
resource "alidr_snapshot_policy" "p%d" {
  name              = "bench-%d"
  schedule          = { hours = [2, 14], weekdays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] }
  retention         = { daily_days = 7 }
  cross_region_copy = { regions = [%q], retention_days = 7 }
  disk_ids          = [%q, %q]
}
`, i, i, env.DRRegions[0], disks[2*i], disks[2*i+1])
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	tf := acctest.NewCLI(b, nil)
	tf.Must(dir, 0, "init", "-input=false", "-no-color")
	tf.Must(dir, 0, "apply", "-auto-approve", "-input=false", "-no-color")

	batching := func(on bool) {
		if on {
			b.Setenv("ALIDR_DESCRIBE_BATCHING", "on")
		} else {
			b.Setenv("ALIDR_DESCRIBE_BATCHING", "off")
		}
	}
	batching(false)
	offCalls, _, _ := countPlan(b, srv, tf, dir)
	batching(true)
	calls, _, byAction := countPlan(b, srv, tf, dir)
	fmt.Printf("# %d policies, 2 disks each: %d calls per plan (%d with batching off)\n", n, calls, offCalls)
	fmt.Printf("plan_calls_per_policy=%.2f\n", float64(calls)/float64(n))
	// One provider process per plan: the region list once, however many
	// policies check their copy regions.
	fmt.Printf("plan_region_list_calls=%d\n", byAction["ecs DescribeRegions"])

	// Latency closer to a real API than loopback; batching off and on
	// alternate, best of ALIDR_BENCH_ROUNDS (default 3) each: on 2 shared
	// cores a plan's time is mostly Terraform's own CPU, which other load
	// disturbs.
	srv.InjectFault(emulator.Fault{Service: "ecs", Kind: emulator.FaultLatency, Duration: 50 * time.Millisecond})
	var on, off time.Duration
	for range benchkit.EnvInt(b, "ALIDR_BENCH_ROUNDS", 3) {
		batching(false)
		_, d, _ := countPlan(b, srv, tf, dir)
		off = benchkit.MinDur(off, d)
		batching(true)
		_, d, _ = countPlan(b, srv, tf, dir)
		on = benchkit.MinDur(on, d)
	}
	fmt.Printf("plan_seconds_%d=%.1f\n", n, on.Seconds())
	fmt.Printf("plan_seconds_%d_no_batching=%.1f\n", n, off.Seconds())

	// The same reads without Terraform's CPU around them: 10 workers (the
	// CLI's -parallelism) read each policy as a refresh does, through one
	// client as one provider process would.
	on, off = 0, 0
	for range benchkit.EnvInt(b, "ALIDR_BENCH_ROUNDS", 3) {
		off = benchkit.MinDur(off, refreshPolicies(b, srv, env.Region, env.DRRegions[0], false))
		on = benchkit.MinDur(on, refreshPolicies(b, srv, env.Region, env.DRRegions[0], true))
	}
	fmt.Printf("client_refresh_seconds_%d=%.2f\n", n, on.Seconds())
	fmt.Printf("client_refresh_seconds_%d_no_batching=%.2f\n", n, off.Seconds())
}

// refreshPolicies reads every enterprise policy of region as the refresh
// does (the policy, its disks' snapshots, their copies in copyRegion) with
// 10 workers and returns how long it took.
func refreshPolicies(b *testing.B, srv *emulator.Server, region, copyRegion string, batching bool) time.Duration {
	ctx := context.Background()
	c, err := cloud.New(ctx, cloud.Config{
		Region: region, AccessKey: emulator.DefaultAccessKeyID, SecretKey: emulator.DefaultAccessKeySecret,
		Endpoints: cloud.Endpoints{ECS: srv.URL(), EBS: srv.URL()}, NoBatching: !batching,
	}, "bench")
	if err != nil {
		b.Fatal(err)
	}
	all, err := c.ListEnterprisePoliciesByTags(ctx, region, nil)
	if err != nil {
		b.Fatal(err)
	}
	ids := make(chan string, len(all))
	for _, p := range all {
		ids <- p.PolicyID
	}
	close(ids)
	start := time.Now()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			for id := range ids {
				p, err := c.FindEnterprisePolicyByID(ctx, region, id)
				if err == nil {
					_, _, err = c.DiskSnapshots(ctx, region, p.DiskIDs, false)
				}
				if err == nil {
					_, _, err = c.DiskSnapshots(ctx, copyRegion, p.DiskIDs, true)
				}
				if err != nil {
					b.Error(err)
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// countPlan runs a plan that must find nothing to change and returns the
// calls it made, how long it took and the calls by "service action".
func countPlan(b *testing.B, srv *emulator.Server, tf *acctest.CLI, dir string) (int, time.Duration, map[string]int) {
	before := len(srv.Requests())
	start := time.Now()
	tf.Must(dir, 0, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	took := time.Since(start)
	reqs := srv.Requests()
	if len(reqs) >= emulator.MaxRequestLog {
		b.Fatal("the request log is full: the count would be wrong")
	}
	byAction := map[string]int{}
	for _, r := range reqs[before:] {
		byAction[r.Service+" "+r.Action]++
	}
	keys := make([]string, 0, len(byAction))
	for k := range byAction {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, byAction[k]))
	}
	fmt.Printf("# plan in %.1fs: %s\n", took.Seconds(), strings.Join(parts, ", "))
	return len(reqs) - before, took, byAction
}

func benchEmulator(b *testing.B) *emulator.Server {
	srv, err := emulator.New(emulator.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	srv.SetDurations(emulator.InstantDurations())
	return srv
}

// createDisks makes n data disks in the fixture's region and zone.
func createDisks(b *testing.B, srv *emulator.Server, n int) []string {
	f := fixture.Emulator()
	cl, err := ecs.NewClientWithAccessKey(f.Region, emulator.DefaultAccessKeyID, emulator.DefaultAccessKeySecret)
	if err != nil {
		b.Fatal(err)
	}
	cl.Domain = srv.Addr()
	ids := make([]string, n)
	for i := range ids {
		req := ecs.CreateCreateDiskRequest()
		req.Scheme = "http"
		req.ZoneId = f.ZoneID
		req.DiskCategory = "cloud_essd"
		req.Size = "20"
		resp, err := cl.CreateDisk(req)
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = resp.DiskId
	}
	return ids
}
