package cloud

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// sharedClient is a client of srv with the EBS endpoint set too (enterprise
// policies); noBatching turns batching and shared listings off.
func sharedClient(t *testing.T, srv *emulator.Server, noBatching bool) *Client {
	t.Helper()
	c, err := New(context.Background(), Config{
		Region: "cn-beijing", AccessKey: emulator.DefaultAccessKeyID, SecretKey: emulator.DefaultAccessKeySecret,
		Endpoints: Endpoints{ECS: srv.URL(), OSS: srv.URL(), EBS: srv.URL()}, MaxRetries: 3, NoBatching: noBatching,
	}, "test")
	if err != nil {
		t.Fatal(err)
	}
	c.Backoff.Base, c.Backoff.Max = time.Millisecond, 5*time.Millisecond
	return c
}

// calls counts the requests of action srv logged from index from on.
func calls(srv *emulator.Server, from int, action string) int {
	n := 0
	for _, r := range srv.Requests()[from:] {
		if r.Action == action {
			n++
		}
	}
	return n
}

// Twelve concurrent enterprise policy lookups (more than the action's
// default page of 10) share one DescribeEnterpriseSnapshotPolicy call, and
// it answers what the service holds now: a policy renamed is read with its
// new name, a deleted one and one that never existed are NotFound.
func TestBatchedEnterprisePolicyLookups(t *testing.T) {
	ctx := context.Background()
	srv := startEmulator(t, emulator.Options{})
	c := sharedClient(t, srv, false)
	spec := ESPSpec{
		Schedule:   ESPSchedule{CronExpression: "0 0 2 * * ?"},
		RetainRule: ESPRetainRule{TimeInterval: 7, TimeUnit: "DAYS"},
	}
	var ids []string
	for i := range 12 {
		spec.Name = fmt.Sprintf("batch-%d", i)
		id, err := c.CreateEnterprisePolicy(ctx, "cn-beijing", spec, fmt.Sprintf("tok-batch-%d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	renamed := spec
	renamed.Name = "renamed-outside-terraform"
	if err := c.UpdateEnterprisePolicy(ctx, "cn-beijing", ids[0], renamed); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteEnterprisePolicy(ctx, "cn-beijing", ids[1]); err != nil {
		t.Fatal(err)
	}
	lookups := append(ids, "esp-2zenosuchpolicy0000")

	c.batch = newBatcher(time.Second) // every lookup below joins the first batch
	before := len(srv.Requests())
	names := make([]string, len(lookups))
	errs := make([]error, len(lookups))
	var wg sync.WaitGroup
	for i, id := range lookups {
		wg.Go(func() {
			p, err := c.FindEnterprisePolicyByID(ctx, "cn-beijing", id)
			if err == nil {
				names[i] = p.Name
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if n := calls(srv, before, "DescribeEnterpriseSnapshotPolicy"); n != 1 {
		t.Errorf("%d lookups made %d DescribeEnterpriseSnapshotPolicy calls; want 1", len(lookups), n)
	}
	for i, id := range lookups {
		switch {
		case i == 0:
			if errs[i] != nil || names[i] != renamed.Name {
				t.Errorf("renamed policy %s: %q, %v; want %q", id, names[i], errs[i], renamed.Name)
			}
		case i == 1 || i == len(lookups)-1:
			if !IsNotFound(errs[i]) {
				t.Errorf("policy %s (deleted or never made): %q, %v; want a NotFoundError", id, names[i], errs[i])
			}
		case errs[i] != nil || names[i] != fmt.Sprintf("batch-%d", i):
			t.Errorf("policy %s: %q, %v; want batch-%d", id, names[i], errs[i], i)
		}
	}
}

// One region-wide snapshot listing serves concurrent observers and the
// retention tiers of one provider process. It is never served after a write
// of that process (the write is seen), nor to another process (a new plan):
// nothing comes from before the plan that asks.
func TestSharedSnapshotListingIsFresh(t *testing.T) {
	ctx := context.Background()
	srv := startEmulator(t, emulator.Options{})
	srv.SetDurations(emulator.InstantDurations())
	outside := sharedClient(t, srv, true) // the world outside Terraform
	snap := func(disk string) string {
		t.Helper()
		req := ecs.CreateCreateSnapshotRequest()
		req.DiskId = disk
		resp := ecs.CreateCreateSnapshotResponse()
		if err := outside.DoECS(ctx, "cn-beijing", req, resp); err != nil {
			t.Fatal(err)
		}
		return resp.SnapshotId
	}
	first := snap(emulator.SeedDiskCoreDBData)
	disks := []string{emulator.SeedDiskCoreDBData, emulator.SeedDiskCoreAppData}

	// A plan: its client starts after the snapshot was taken.
	c := sharedClient(t, srv, false)
	before := len(srv.Requests())
	var wg sync.WaitGroup
	got := make([]int, 8)
	for i := range got {
		wg.Go(func() {
			s, _, err := c.DiskSnapshots(ctx, "cn-beijing", disks, false)
			if err != nil {
				t.Error(err)
			}
			got[i] = len(s)
		})
	}
	wg.Wait()
	if _, _, err := c.TierSnapshots(ctx, "cn-beijing", disks); err != nil {
		t.Fatal(err)
	}
	if n := calls(srv, before, "DescribeSnapshots"); n != 1 {
		t.Errorf("8 observers and the tiers made %d DescribeSnapshots calls; want 1 shared listing", n)
	}
	for i, n := range got {
		if n != 1 {
			t.Errorf("observer %d saw %d snapshots; want 1 (%s)", i, n, first)
		}
	}

	// A snapshot taken outside during this plan: a new plan (a new client,
	// as Configure makes per Terraform walk) sees it; the listing of the
	// earlier plan is never handed to it.
	second := snap(emulator.SeedDiskCoreAppData)
	next := sharedClient(t, srv, false)
	if s, _, err := next.DiskSnapshots(ctx, "cn-beijing", disks, false); err != nil || len(s) != 2 {
		t.Errorf("the next plan saw %d snapshots, %v; want 2 (%s, %s)", len(s), err, first, second)
	}

	// A write of this process (an apply lengthening a snapshot) is seen by
	// its next read: the shared listing is dropped, not served.
	before = len(srv.Requests())
	if err := c.ExtendSnapshotRetention(ctx, "cn-beijing", first, 30); err != nil {
		t.Fatal(err)
	}
	s, _, err := c.DiskSnapshots(ctx, "cn-beijing", disks, false)
	if err != nil {
		t.Fatal(err)
	}
	if n := calls(srv, before, "DescribeSnapshots"); n != 1 {
		t.Errorf("the read after a write made %d DescribeSnapshots calls; want a new listing", n)
	}
	var days int
	for _, x := range s {
		if x.ID == first {
			days = x.RetentionDays
		}
	}
	if len(s) != 2 || days != 30 {
		t.Errorf("after the write: %d snapshots, %s kept %d days; want 2 and 30 days", len(s), first, days)
	}

	// EBS writes count as writes too.
	w := c.writes.Load()
	if err := c.BindEnterprisePolicy(ctx, "cn-beijing", "esp-2zenosuchpolicy0000", []string{emulator.SeedDiskCoreDBData}); err == nil {
		t.Fatal("binding a policy that does not exist succeeded")
	}
	if c.writes.Load() == w {
		t.Error("an EBS BindEnterpriseSnapshotPolicy call was not counted as a write")
	}

	// Batching off: every caller lists.
	off := sharedClient(t, srv, true)
	before = len(srv.Requests())
	for range 2 {
		if _, _, err := off.DiskSnapshots(ctx, "cn-beijing", disks, false); err != nil {
			t.Fatal(err)
		}
	}
	if n := calls(srv, before, "DescribeSnapshots"); n != 2 {
		t.Errorf("with batching off two reads made %d DescribeSnapshots calls; want 2", n)
	}
}

// A listing that failed is reported to the callers that shared it and never
// served again: the next read lists anew.
func TestSharedSnapshotListingFailureIsNotKept(t *testing.T) {
	ctx := context.Background()
	srv := startEmulator(t, emulator.Options{})
	c := sharedClient(t, srv, false)
	// Every attempt of the first listing loses its connection (network
	// errors are retried MaxRetries times: 4 attempts).
	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "DescribeSnapshots", Kind: emulator.FaultDrop, Count: 4})
	disks := []string{emulator.SeedDiskCoreDBData}
	if _, _, err := c.DiskSnapshots(ctx, "cn-beijing", disks, false); err == nil {
		t.Fatal("the listing succeeded through four dropped connections")
	}
	before := len(srv.Requests())
	if _, _, err := c.DiskSnapshots(ctx, "cn-beijing", disks, false); err != nil {
		t.Fatalf("the read after a failed listing: %v", err)
	}
	if n := calls(srv, before, "DescribeSnapshots"); n != 1 {
		t.Errorf("the read after a failed listing made %d DescribeSnapshots calls; want 1", n)
	}
}
