package cloud

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

// Concurrent lookups of one region and action share one call, and what it
// answers is what the service holds now: a renamed instance shows its new
// name, a deleted one is NotFound. Images are looked up one per call.
func TestBatchedLookupsSeeDriftAndDeletion(t *testing.T) {
	ctx := context.Background()
	c, srv := instantClient(t)
	gone, err := c.RunInstance(ctx, emulator.SeedRegion, testRunInput(), "tok-batch")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteInstance(ctx, emulator.SeedRegion, gone); err != nil {
		t.Fatal(err)
	}
	renamed := "renamed-outside-terraform"
	if err := c.ModifyInstance(ctx, emulator.SeedRegion, emulator.SeedInstanceCoreDB, ModifyInstanceInput{Name: &renamed}); err != nil {
		t.Fatal(err)
	}
	// A window long enough that every lookup below joins the first batch,
	// however slow the machine.
	c.batch = newBatcher(time.Second)
	before := len(srv.Requests())

	instances := []string{emulator.SeedInstanceCoreDB, emulator.SeedInstanceCoreApp, gone}
	images := []string{"aliyun_3_x64_20G_alibase_20240819.vhd", "m-2zenosuchimage000000"}
	type result struct {
		name string
		err  error
	}
	results := make([]result, len(instances)+len(images))
	var disks int
	var disksErr error
	var wg sync.WaitGroup
	for i, id := range instances {
		wg.Go(func() {
			in, err := c.FindInstanceByID(ctx, emulator.SeedRegion, id)
			if err == nil {
				results[i].name = in.InstanceName
			}
			results[i].err = err
		})
	}
	for i, id := range images {
		wg.Go(func() {
			im, err := c.FindImageByID(ctx, emulator.SeedRegion, id)
			if err == nil {
				results[len(instances)+i].name = im.ImageId
			}
			results[len(instances)+i].err = err
		})
	}
	wg.Go(func() {
		list, err := c.ListDisks(ctx, emulator.SeedRegion, DiskFilter{IDs: []string{emulator.SeedDiskCoreDBSys, emulator.SeedDiskCoreDBData, emulator.SeedDiskCoreAppData}})
		disks, disksErr = len(list), err
	})
	wg.Wait()

	if r := results[0]; r.err != nil || r.name != renamed {
		t.Errorf("renamed instance: %q, %v; want %q", r.name, r.err, renamed)
	}
	if r := results[1]; r.err != nil || r.name != "core-app" {
		t.Errorf("untouched instance: %q, %v", r.name, r.err)
	}
	if r := results[2]; !IsNotFound(r.err) {
		t.Errorf("deleted instance: %q, %v; want a NotFoundError", r.name, r.err)
	}
	if r := results[3]; r.err != nil || r.name != images[0] {
		t.Errorf("public image: %q, %v", r.name, r.err)
	}
	if r := results[4]; !IsNotFound(r.err) {
		t.Errorf("missing image: %q, %v; want a NotFoundError", r.name, r.err)
	}
	if disksErr != nil || disks != 3 {
		t.Errorf("disks by id: %d, %v; want 3", disks, disksErr)
	}
	calls := map[string]int{}
	for _, r := range srv.Requests()[before:] {
		calls[r.Action]++
	}
	// DescribeImages takes one id: a call per image.
	want := map[string]int{"DescribeInstances": 1, "DescribeImages": 2, "DescribeDisks": 1}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("calls %v, want %v", calls, want)
	}
}

// With batching off every lookup makes its own call.
func TestNoBatchingSendsEachLookup(t *testing.T) {
	ctx := context.Background()
	c, srv := instantClient(t)
	c.batch = newBatcher(0)
	before := len(srv.Requests())
	var wg sync.WaitGroup
	for _, id := range []string{emulator.SeedInstanceCoreDB, emulator.SeedInstanceCoreApp} {
		wg.Go(func() {
			if _, err := c.FindInstanceByID(ctx, emulator.SeedRegion, id); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := len(srv.Requests()) - before; n != 2 {
		t.Fatalf("%d calls, want 2", n)
	}
}

// A lookup arriving while a batch's call is under way is not served from
// that call: it waits for a call of its own, made after it asked.
func TestBatchNeverServesAnOlderCall(t *testing.T) {
	bt := newBatcher(5 * time.Millisecond)
	key := batchKey{emulator.SeedRegion, "DescribeInstances"}
	started, release := make(chan struct{}, 2), make(chan struct{})
	var mu sync.Mutex
	calls := 0
	call := func(_ context.Context, ids []string) (map[string]any, error) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		started <- struct{}{}
		if n == 1 {
			<-release
		}
		return map[string]any{ids[0]: n}, nil
	}
	first, _ := bt.join(context.Background(), key, []string{"i-1"}, call)
	<-started // the first call is under way
	second, _ := bt.join(context.Background(), key, []string{"i-1"}, call)
	if second == first {
		t.Fatal("a lookup joined a batch already sent")
	}
	<-second.done
	close(release)
	<-first.done
	if first.found["i-1"] != 1 || second.found["i-1"] != 2 {
		t.Fatalf("first %v, second %v: the later lookup must get the later call", first.found, second.found)
	}
}

// A batch holds at most MaxBatchIDs ids and is sent as soon as it is full.
func TestBatchSplitsAtTheLimit(t *testing.T) {
	bt := newBatcher(time.Hour) // only filling up sends the first batch
	key := batchKey{emulator.SeedRegion, "DescribeDisks"}
	ids := make([]string, MaxBatchIDs+20)
	for i := range ids {
		ids[i] = fmt.Sprintf("d-%03d", i)
	}
	sizes := make(chan int, 2)
	call := func(_ context.Context, ids []string) (map[string]any, error) {
		sizes <- len(ids)
		return nil, nil
	}
	full, took := bt.join(context.Background(), key, ids, call)
	if took != MaxBatchIDs {
		t.Fatalf("the first batch took %d ids, want %d", took, MaxBatchIDs)
	}
	<-full.done
	if n := <-sizes; n != MaxBatchIDs {
		t.Fatalf("the full batch's call carried %d ids", n)
	}
	rest, took := bt.join(context.Background(), key, ids[MaxBatchIDs:], call)
	if took != 20 || rest == full || len(rest.ids) != 20 {
		t.Fatalf("the rest: took %d, %d ids", took, len(rest.ids))
	}
}

// A shared call refused because of one lookup's id fails only that lookup:
// the others are asked again on their own.
func TestSpoiledBatchIsAskedAgainAlone(t *testing.T) {
	c := &Client{batch: newBatcher(time.Second)}
	var mu sync.Mutex
	var calls [][]string
	kind := batchKind[string]{
		action: "DescribeThings",
		id:     func(s *string) string { return *s },
		fetch: func(_ context.Context, _ *Client, _ string, ids []string) ([]string, error) {
			mu.Lock()
			calls = append(calls, ids)
			mu.Unlock()
			if slices.Contains(ids, "bad") {
				return nil, errors.New("InvalidParameter: bad")
			}
			return ids, nil
		},
	}
	var wg sync.WaitGroup
	errs := map[string]error{}
	for _, id := range []string{"good", "bad"} {
		wg.Go(func() {
			_, err := findByID(context.Background(), c, kind, KindInstance, emulator.SeedRegion, id)
			mu.Lock()
			errs[id] = err
			mu.Unlock()
		})
	}
	wg.Wait()
	if errs["good"] != nil || errs["bad"] == nil {
		t.Fatalf("good: %v, bad: %v", errs["good"], errs["bad"])
	}
	if len(calls) != 3 || len(calls[0]) != 2 {
		t.Fatalf("calls %v: want the shared one, then each id alone", calls)
	}
}
