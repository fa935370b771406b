package cloud_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func countPolicies(t *testing.T, c *cloud.Client) int {
	t.Helper()
	req := ecs.CreateDescribeAutoSnapshotPolicyExRequest()
	resp := ecs.CreateDescribeAutoSnapshotPolicyExResponse()
	if err := c.DoECS(context.Background(), emulator.SeedRegion, req, resp); err != nil {
		t.Fatal(err)
	}
	return resp.TotalCount
}

func TestAutoSnapshotPolicyLifecycle(t *testing.T) {
	ctx := context.Background()
	srv, c := startEmulator(t, emulator.Options{})
	spec := cloud.PolicySpec{
		Name:          "core",
		Schedule:      drpolicy.Schedule{Hours: []int{14, 2}, Weekdays: []time.Weekday{time.Monday, time.Sunday}},
		RetentionDays: 7,
		CopyRegions:   []string{"cn-shanghai"}, CopyRetentionDays: 3, CopyEncrypted: true, CopyKMSKeyID: "key-1",
		Tags: map[string]string{"team": "core"},
	}
	// The first create's response is cut off after the policy was made: the
	// retry must find it by its token instead of creating a second one.
	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "CreateAutoSnapshotPolicy", Kind: emulator.FaultTruncate, Count: 1})
	id, err := c.CreateAutoSnapshotPolicy(ctx, emulator.SeedRegion, spec, "tok-1")
	if err != nil {
		t.Fatal(err)
	}
	if n := countPolicies(t, c); n != 1 {
		t.Fatalf("%d policies after a retried create, want 1", n)
	}
	p, err := c.FindAutoSnapshotPolicyByID(ctx, emulator.SeedRegion, id)
	if err != nil {
		t.Fatal(err)
	}
	sched, err := cloud.PolicySchedule(p)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sched.Hours, []int{2, 14}) || !slices.Equal(sched.Weekdays, []time.Weekday{time.Monday, time.Sunday}) {
		t.Fatalf("schedule read back as %+v", sched)
	}
	if got := cloud.PolicyCopyRegions(p); !slices.Equal(got, []string{"cn-shanghai"}) || p.CopiedSnapshotsRetentionDays != 3 ||
		!p.CopyEncryptionConfiguration.Encrypted || p.CopyEncryptionConfiguration.KMSKeyId != "key-1" {
		t.Fatalf("copy settings read back as %+v", p)
	}
	if tags := cloud.PolicyTags(p); len(tags) != 1 || tags["team"] != "core" {
		t.Fatalf("tags %v: want only the user's", tags)
	}

	// Apply, then modify everything, then retag.
	disks := []string{emulator.SeedDiskCoreDBData, emulator.SeedDiskCoreDBSys}
	if err := c.ApplyAutoSnapshotPolicy(ctx, emulator.SeedRegion, id, disks); err != nil {
		t.Fatal(err)
	}
	got, err := c.PolicyDisks(ctx, emulator.SeedRegion, id)
	if err != nil || !slices.Equal(got, []string{emulator.SeedDiskCoreDBData, emulator.SeedDiskCoreDBSys}) {
		t.Fatalf("policy disks %v, %v", got, err)
	}
	spec.Schedule.Hours, spec.RetentionDays, spec.CopyRegions = []int{3}, -1, nil
	if err := c.ModifyAutoSnapshotPolicy(ctx, emulator.SeedRegion, id, spec); err != nil {
		t.Fatal(err)
	}
	if err := c.SetPolicyTags(ctx, emulator.SeedRegion, id, map[string]string{"team": "core"}, map[string]string{"env": "prod"}); err != nil {
		t.Fatal(err)
	}
	p, _ = c.FindAutoSnapshotPolicyByID(ctx, emulator.SeedRegion, id)
	if p.RetentionDays != -1 || p.TimePoints != `["3"]` && p.TimePoints != "[3]" || len(cloud.PolicyCopyRegions(p)) != 0 {
		t.Fatalf("after modify: %+v", p)
	}
	if tags := cloud.PolicyTags(p); len(tags) != 1 || tags["env"] != "prod" {
		t.Fatalf("tags after retag: %v", tags)
	}
	pols, err := c.DiskPolicies(ctx, emulator.SeedRegion, append(disks, emulator.SeedDiskCoreAppData))
	if err != nil || pols[emulator.SeedDiskCoreDBData] != id || pols[emulator.SeedDiskCoreAppData] != "" {
		t.Fatalf("disk policies %v, %v", pols, err)
	}

	// Delete cancels the policy on its disks first.
	if err := c.DeleteAutoSnapshotPolicy(ctx, emulator.SeedRegion, id); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindAutoSnapshotPolicyByID(ctx, emulator.SeedRegion, id); !cloud.IsNotFound(err) {
		t.Fatalf("want NotFound after delete, got %v", err)
	}
	pols, _ = c.DiskPolicies(ctx, emulator.SeedRegion, disks)
	if pols[emulator.SeedDiskCoreDBData] != "" {
		t.Fatalf("disk still follows %q", pols[emulator.SeedDiskCoreDBData])
	}
	if err := c.DeleteAutoSnapshotPolicy(ctx, emulator.SeedRegion, id); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
}

func TestTierSnapshotsUsesServiceTime(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := emulator.NewManualClock(start)
	srv, c := startEmulator(t, emulator.Options{Clock: clock})
	srv.SetTimestampWindow(0)
	id, err := c.CreateAutoSnapshotPolicy(ctx, emulator.SeedRegion, cloud.PolicySpec{
		Name: "daily", Schedule: drpolicy.Schedule{Hours: []int{2}, Weekdays: []time.Weekday{0, 1, 2, 3, 4, 5, 6}}, RetentionDays: 7,
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ApplyAutoSnapshotPolicy(ctx, emulator.SeedRegion, id, []string{emulator.SeedDiskCoreDBData}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(40 * 24 * time.Hour)
	snaps, now, err := c.TierSnapshots(ctx, emulator.SeedRegion, []string{emulator.SeedDiskCoreDBData})
	if err != nil {
		t.Fatal(err)
	}
	if d := now.Sub(clock.Now()); d < -2*time.Second || d > 2*time.Second {
		t.Fatalf("service time %s, emulator clock %s", now, clock.Now())
	}
	// 7 days of daily snapshots survive, plus today's if 02:00 UTC+8 has passed.
	if len(snaps) < 7 || len(snaps) > 8 {
		t.Fatalf("%d auto snapshots, want 7 or 8", len(snaps))
	}
	acts := drpolicy.PlanTiers(drpolicy.Retention{DailyDays: 7, MonthlyMonths: 3}, snaps, now, nil)
	if len(acts) != 1 || !acts[0].Extend {
		t.Fatalf("actions %+v: want the first snapshot of February extended", acts)
	}
	if err := c.ApplyTierAction(ctx, emulator.SeedRegion, acts[0]); err != nil {
		t.Fatal(err)
	}
	s, err := c.FindSnapshotByID(ctx, emulator.SeedRegion, acts[0].SnapshotID)
	if err != nil || s.RetentionDays != acts[0].NewRetentionDays {
		t.Fatalf("snapshot %+v, %v", s, err)
	}
}

// TestPolicyNeverSendsSeveralCopyRegions: a spec with two copy regions is
// refused before any request (the API takes a single destination region).
func TestPolicyNeverSendsSeveralCopyRegions(t *testing.T) {
	ctx := context.Background()
	_, c := startEmulator(t, emulator.Options{})
	spec := cloud.PolicySpec{
		Name: "core", Schedule: drpolicy.Schedule{Hours: []int{2}, Weekdays: []time.Weekday{time.Monday}}, RetentionDays: 7,
		CopyRegions: []string{"cn-shanghai", "cn-guangzhou"}, CopyRetentionDays: 3,
	}
	if _, err := c.CreateAutoSnapshotPolicy(ctx, emulator.SeedRegion, spec, "tok-2"); !errors.Is(err, cloud.ErrTooManyCopyRegions) {
		t.Fatalf("create with two copy regions: %v, want ErrTooManyCopyRegions", err)
	}
	if n := countPolicies(t, c); n != 0 {
		t.Fatalf("%d policies after a refused create, want 0", n)
	}
	spec.CopyRegions = spec.CopyRegions[:1]
	id, err := c.CreateAutoSnapshotPolicy(ctx, emulator.SeedRegion, spec, "tok-3")
	if err != nil {
		t.Fatal(err)
	}
	spec.CopyRegions = []string{"cn-shanghai", "cn-hangzhou"}
	if err := c.ModifyAutoSnapshotPolicy(ctx, emulator.SeedRegion, id, spec); !errors.Is(err, cloud.ErrTooManyCopyRegions) {
		t.Fatalf("modify with two copy regions: %v, want ErrTooManyCopyRegions", err)
	}
}
