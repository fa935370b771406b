package cloud

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// Describe calls by id from concurrent resources of one provider process
// are batched per region and action: lookups arriving within BatchWindow of
// the first one go out as one call carrying up to MaxBatchIDs ids. A lookup
// only joins a batch that has not been sent yet, so its answer is never
// older than the lookup. Terraform refreshes up to 10 resources at once
// (-parallelism), so a plan's reads of one kind share a handful of calls.
//
// Id list parameters and limits, from the official request models
// (github.com/alibabacloud-go/ecs-20140526/v7 client/*_request_model.go):
// DescribeInstances InstanceIds and DescribeDisks DiskIds are "a JSON array
// that consists of up to 100" ids, DescribeSnapshots SnapshotIds "a JSON array
// that consists of up to 100 snapshot IDs"; their PageSize goes up to 100.
// DescribeImages ImageId is documented as "The ID of the image", one id with
// no list form, so image lookups are never batched.

// BatchWindow is how long the first lookup of a batch waits for others:
// short next to a call's round trip (tens of milliseconds to a real API).
const BatchWindow = 10 * time.Millisecond

// MaxBatchIDs is the most ids one batched call carries (the limit above).
const MaxBatchIDs = 100

// batchKind is one Describe action that finds objects by a list of ids.
type batchKind[T any] struct {
	action string
	// fetch makes the call for at most MaxBatchIDs ids, paging if needed,
	// without batching.
	fetch func(ctx context.Context, c *Client, region string, ids []string) ([]T, error)
	id    func(*T) string
	// single says the action takes one id per call: never batched.
	single bool
}

// batcher holds the batches still collecting ids. A nil *batcher (batching
// off) sends every lookup as it comes.
type batcher struct {
	window time.Duration
	mu     sync.Mutex
	open   map[batchKey]*batch
}

type batchKey struct{ region, action string }

// batch is one call in the making. found and err are set before done is
// closed and never change afterwards.
type batch struct {
	ids   []string
	sent  bool
	done  chan struct{}
	found map[string]any
	err   error
}

func newBatcher(window time.Duration) *batcher {
	if window <= 0 {
		return nil
	}
	return &batcher{window: window, open: map[batchKey]*batch{}}
}

// describeByIDs returns the objects of ids that exist in region, by id.
func describeByIDs[T any](ctx context.Context, c *Client, k batchKind[T], region string, ids []string) (map[string]*T, error) {
	ids = uniqueIDs(ids)
	if c.batch == nil || k.single {
		return fetchByIDs(ctx, c, k, region, ids)
	}
	type joined struct {
		b   *batch
		ids []string
	}
	var mine []joined
	for rest := ids; len(rest) > 0; {
		b, took := c.batch.join(ctx, batchKey{region, k.action}, rest, func(ctx context.Context, ids []string) (map[string]any, error) {
			got, err := fetchByIDs(ctx, c, k, region, ids)
			out := make(map[string]any, len(got))
			for id, v := range got {
				out[id] = v
			}
			return out, err
		})
		mine = append(mine, joined{b, rest[:took]})
		rest = rest[took:]
	}
	out := map[string]*T{}
	var recheck []string
	for _, j := range mine {
		select {
		case <-j.b.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		shared := len(j.b.ids) > len(j.ids)
		if j.b.err != nil {
			// Another lookup's id may have spoiled a shared call: ask alone.
			// Refused credentials, throttling and outages concern every id.
			if !shared || IsAccessError(j.b.err) || Retryable(j.b.err) {
				return nil, j.b.err
			}
			recheck = append(recheck, j.ids...)
			continue
		}
		for _, id := range j.ids {
			if v, ok := j.b.found[id]; ok {
				out[id] = v.(*T)
			}
		}
	}
	if len(recheck) > 0 {
		got, err := fetchByIDs(ctx, c, k, region, recheck)
		if err != nil {
			return nil, err
		}
		for id, v := range got {
			out[id] = v
		}
	}
	return out, nil
}

// fetchByIDs asks for ids directly, MaxBatchIDs at a time (one at a time
// for a single-id action).
func fetchByIDs[T any](ctx context.Context, c *Client, k batchKind[T], region string, ids []string) (map[string]*T, error) {
	out := map[string]*T{}
	per := MaxBatchIDs
	if k.single {
		per = 1
	}
	for chunk := range slices.Chunk(ids, per) {
		list, err := k.fetch(ctx, c, region, chunk)
		if err != nil {
			return nil, err
		}
		for i := range list {
			if id := k.id(&list[i]); slices.Contains(chunk, id) {
				out[id] = &list[i]
			}
		}
	}
	return out, nil
}

// join adds as many of ids as fit to the open batch of key (opening one,
// sent after the window, when there is none) and returns it with how many
// ids it took. A batch that fills up is sent at once.
func (bt *batcher) join(ctx context.Context, key batchKey, ids []string,
	call func(context.Context, []string) (map[string]any, error)) (*batch, int) {
	bt.mu.Lock()
	defer bt.mu.Unlock()
	b := bt.open[key]
	if b == nil {
		b = &batch{done: make(chan struct{})}
		bt.open[key] = b
		// The call outlives a caller that gives up: others wait for it.
		callCtx := context.WithoutCancel(ctx)
		time.AfterFunc(bt.window, func() { bt.send(callCtx, key, b, call) })
	}
	took := 0
	for _, id := range ids {
		if len(b.ids) == MaxBatchIDs {
			break
		}
		if !slices.Contains(b.ids, id) {
			b.ids = append(b.ids, id)
		}
		took++
	}
	if len(b.ids) == MaxBatchIDs {
		b.sent = true
		delete(bt.open, key)
		go bt.run(context.WithoutCancel(ctx), b, call)
	}
	return b, took
}

// send closes the batch to new ids and makes its call, unless it was sent
// already because it filled up.
func (bt *batcher) send(ctx context.Context, key batchKey, b *batch, call func(context.Context, []string) (map[string]any, error)) {
	bt.mu.Lock()
	if b.sent {
		bt.mu.Unlock()
		return
	}
	b.sent = true
	delete(bt.open, key)
	bt.mu.Unlock()
	bt.run(ctx, b, call)
}

func (bt *batcher) run(ctx context.Context, b *batch, call func(context.Context, []string) (map[string]any, error)) {
	b.found, b.err = call(ctx, b.ids)
	close(b.done)
}

func uniqueIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// findByID is a finder of one object through describeByIDs: a missing
// object (or an empty id) is a *NotFoundError.
func findByID[T any](ctx context.Context, c *Client, k batchKind[T], kind Kind, region, id string) (*T, error) {
	if id == "" {
		return nil, &NotFoundError{Kind: kind, ID: id, Region: region}
	}
	found, err := describeByIDs(ctx, c, k, region, []string{id})
	if err != nil {
		return nil, asNotFound(err, kind, id, region)
	}
	if v, ok := found[id]; ok {
		return v, nil
	}
	return nil, &NotFoundError{Kind: kind, ID: id, Region: region}
}

// Region-wide snapshot listings are shared the same way: every policy's
// refresh needs the completed snapshots of its region (observed_rpo, the
// retention tiers, the locks) and of its copy regions, and DescribeSnapshots
// filters by one DiskId at most (ecs-20140526 v7 DescribeSnapshotsRequest:
// DiskId, a single id; SnapshotIds lists snapshots, not disks). So one paged
// listing of a region serves every caller of one provider process until the
// process writes anything: a caller joins the listing in flight or reuses
// the last one only when no write call (any action but Describe*/List*) went
// out or came back since that listing started. The client lives for one
// Terraform walk (Configure makes it), so a listing is never older than the
// plan that reads it, and an apply sees its own writes.

// sharedListings holds the latest listing per region and filter.
type sharedListings struct {
	mu   sync.Mutex
	runs map[listKey]*listRun
}

type listKey struct{ region, filter string }

// listRun is one listing; snaps, now and err are set before done is closed.
type listRun struct {
	writes uint64 // the client's write count when it started
	done   chan struct{}
	snaps  []ecs.Snapshot
	now    time.Time
	err    error
}

func newSharedListings() *sharedListings { return &sharedListings{runs: map[listKey]*listRun{}} }

// sharedSnapshots is listSnapshots(region, f) through the shared listings
// (a plain listing when batching is off). Callers must not modify the
// snapshots returned.
func (c *Client) sharedSnapshots(ctx context.Context, region string, f SnapshotFilter) ([]ecs.Snapshot, time.Time, error) {
	if c.listings == nil {
		return c.listSnapshots(ctx, region, f)
	}
	filter, _ := json.Marshal(f) // maps marshal in key order
	key := listKey{region, string(filter)}
	sl := c.listings
	sl.mu.Lock()
	run := sl.runs[key]
	if run == nil || run.writes != c.writes.Load() || run.failed() {
		run = &listRun{writes: c.writes.Load(), done: make(chan struct{})}
		sl.runs[key] = run
		// The call outlives a caller that gives up: others wait for it.
		go func(ctx context.Context) {
			run.snaps, run.now, run.err = c.listSnapshots(ctx, region, f)
			close(run.done)
		}(context.WithoutCancel(ctx))
	}
	sl.mu.Unlock()
	select {
	case <-run.done:
		return run.snaps, run.now, run.err
	case <-ctx.Done():
		return nil, time.Time{}, ctx.Err()
	}
}

// failed reports a finished listing that failed: never reused.
func (r *listRun) failed() bool {
	select {
	case <-r.done:
		return r.err != nil
	default:
		return false
	}
}

// isWriteCall reports an ECS/EBS RPC call (its Action is in the query) that
// is not a read: anything but Describe* and List*. Other requests (OSS,
// STS) carry no Action and do not change snapshots.
func isWriteCall(r *http.Request) bool {
	action := r.URL.Query().Get("Action")
	return action != "" && !strings.HasPrefix(action, "Describe") && !strings.HasPrefix(action, "List")
}
