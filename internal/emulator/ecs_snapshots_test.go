package emulator

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// snapEnv is an emulator on a manual clock with SDK clients for two regions.
type snapEnv struct {
	t     *testing.T
	srv   *Server
	clock *ManualClock
	bj    *ecs.Client // SeedRegion, default account
	sh    *ecs.Client // cn-shanghai, default account
}

func newSnapEnv(t *testing.T) *snapEnv {
	t.Helper()
	srv, clock, _ := startECS(t, SeedRegion)
	// The SDK stamps requests with wall time; these tests move the clock by
	// months.
	srv.SetTimestampWindow(0)
	return &snapEnv{t: t, srv: srv, clock: clock,
		bj: ecsClient(t, srv, SeedRegion, DefaultAccessKeyID, DefaultAccessKeySecret),
		sh: ecsClient(t, srv, "cn-shanghai", DefaultAccessKeyID, DefaultAccessKeySecret)}
}

func (e *snapEnv) createSnapshot(diskID, name string) string {
	e.t.Helper()
	req := ecs.CreateCreateSnapshotRequest()
	req.DiskId = diskID
	req.SnapshotName = name
	resp, err := e.bj.CreateSnapshot(req)
	if err != nil {
		e.t.Fatalf("CreateSnapshot: %v", err)
	}
	return resp.SnapshotId
}

// snapshot describes one snapshot by id in the client's region; ok false
// when it is not listed.
func (e *snapEnv) snapshot(c *ecs.Client, id string) (ecs.Snapshot, bool) {
	e.t.Helper()
	req := ecs.CreateDescribeSnapshotsRequest()
	req.SnapshotIds = fmt.Sprintf("[%q]", id)
	resp, err := c.DescribeSnapshots(req)
	if err != nil {
		e.t.Fatalf("DescribeSnapshots: %v", err)
	}
	if len(resp.Snapshots.Snapshot) == 0 {
		return ecs.Snapshot{}, false
	}
	return resp.Snapshots.Snapshot[0], true
}

func (e *snapEnv) mustSnapshot(c *ecs.Client, id string) ecs.Snapshot {
	e.t.Helper()
	s, ok := e.snapshot(c, id)
	if !ok {
		e.t.Fatalf("snapshot %s not listed", id)
	}
	return s
}

func TestSnapshotCreateLifecycle(t *testing.T) {
	e := newSnapEnv(t)
	d := e.srv.ecs.durations
	start := e.srv.now()
	req := ecs.CreateCreateSnapshotRequest()
	req.DiskId = SeedDiskCoreDBData
	req.SnapshotName = "before-upgrade"
	req.Description = "pre-upgrade"
	req.RetentionDays = requests.NewInteger(7)
	req.Tag = &[]ecs.CreateSnapshotTag{{Key: "env", Value: "prod"}}
	resp, err := e.bj.CreateSnapshot(req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.SnapshotId, "s-2ze") {
		t.Errorf("snapshot id %q lacks the region infix", resp.SnapshotId)
	}
	s := e.mustSnapshot(e.bj, resp.SnapshotId)
	if s.Status != "progressing" || s.Progress != "0%" || s.Available {
		t.Errorf("fresh snapshot: status %s progress %s available %v", s.Status, s.Progress, s.Available)
	}
	if s.SourceDiskId != SeedDiskCoreDBData || s.SourceDiskSize != "200" || s.SourceDiskType != "data" ||
		s.SnapshotName != "before-upgrade" || s.Description != "pre-upgrade" || s.RetentionDays != 7 ||
		s.Category != "standard" || s.SnapshotType != "user" || s.Usage != "none" || s.RegionId != SeedRegion {
		t.Errorf("snapshot fields: %+v", s)
	}
	if s.CreationTime != start.UTC().Format("2006-01-02T15:04:05Z") {
		t.Errorf("CreationTime = %s, want %s", s.CreationTime, start.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if len(s.Tags.Tag) != 1 || s.Tags.Tag[0].TagKey != "env" || s.Tags.Tag[0].TagValue != "prod" {
		t.Errorf("tags = %+v", s.Tags.Tag)
	}
	e.clock.Advance(d.SnapshotCreate / 2)
	if s = e.mustSnapshot(e.bj, resp.SnapshotId); s.Status != "progressing" || s.Progress != "50%" {
		t.Errorf("half way: %s %s", s.Status, s.Progress)
	}
	e.clock.Advance(d.SnapshotCreate / 2)
	if s = e.mustSnapshot(e.bj, resp.SnapshotId); s.Status != "accomplished" || s.Progress != "100%" || !s.Available {
		t.Errorf("done: %s %s", s.Status, s.Progress)
	}
	// Retention: 7 days after creation the snapshot is gone.
	e.clock.Advance(7*24*time.Hour - d.SnapshotCreate - time.Second)
	e.mustSnapshot(e.bj, resp.SnapshotId)
	e.clock.Advance(time.Second)
	if _, ok := e.snapshot(e.bj, resp.SnapshotId); ok {
		t.Error("snapshot still listed after its retention")
	}
}

func TestSnapshotCreateErrors(t *testing.T) {
	e := newSnapEnv(t)
	// The SDK never drops a parameter once a request object has sent it, so
	// every call builds a fresh request.
	create := func(c *ecs.Client, disk, name string, retention requests.Integer) error {
		req := ecs.CreateCreateSnapshotRequest()
		req.DiskId, req.SnapshotName, req.RetentionDays = disk, name, retention
		_, err := c.CreateSnapshot(req)
		return err
	}
	wantAPIError(t, create(e.bj, "", "", ""), 400, "MissingParameter")
	wantAPIError(t, create(e.bj, "d-2zenotthere000000000", "", ""), 404, "InvalidDiskId.NotFound")
	// The disk exists in cn-beijing only.
	wantAPIError(t, create(e.sh, SeedDiskCoreDBData, "", ""), 404, "InvalidDiskId.NotFound")
	wantAPIError(t, create(e.bj, SeedDiskCoreDBData, "auto_mine", ""), 400, "InvalidSnapshotName.Malformed")
	wantAPIError(t, create(e.bj, SeedDiskCoreDBData, "", "0"), 400, "InvalidRetentionDays.Malformed")
	wantAPIError(t, create(e.bj, SeedDiskCoreDBData, "", "65537"), 400, "InvalidRetentionDays.Malformed")

	if err := create(e.bj, SeedDiskCoreDBData, "", ""); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, create(e.bj, SeedDiskCoreDBData, "", ""), 403, "IncorrectDiskStatus.CreatingSnapshot")
	e.clock.Advance(e.srv.ecs.durations.SnapshotCreate)
	if err := create(e.bj, SeedDiskCoreDBData, "", ""); err != nil {
		t.Fatalf("second snapshot once the first is done: %v", err)
	}
}

func TestSnapshotClientToken(t *testing.T) {
	e := newSnapEnv(t)
	req := ecs.CreateCreateSnapshotRequest()
	req.DiskId = SeedDiskCoreDBSys
	req.ClientToken = "token-1"
	first, err := e.bj.CreateSnapshot(req)
	if err != nil {
		t.Fatal(err)
	}
	// A retry with the same token returns the same snapshot (and does not
	// trip the one-snapshot-in-progress rule).
	again, err := e.bj.CreateSnapshot(req)
	if err != nil {
		t.Fatal(err)
	}
	if again.SnapshotId != first.SnapshotId {
		t.Errorf("retry made %s, first %s", again.SnapshotId, first.SnapshotId)
	}
	req.SnapshotName = "different"
	_, err = e.bj.CreateSnapshot(req)
	wantAPIError(t, err, 403, "IdempotentParameterMismatch")

	list := ecs.CreateDescribeSnapshotsRequest()
	list.DiskId = SeedDiskCoreDBSys
	resp, err := e.bj.DescribeSnapshots(list)
	if err != nil {
		t.Fatal(err)
	}
	if resp.TotalCount != 1 {
		t.Errorf("%d snapshots of the disk, want 1", resp.TotalCount)
	}
}

func TestSnapshotDescribeFiltersAndPaging(t *testing.T) {
	e := newSnapEnv(t)
	var ids []string
	for i, disk := range []string{SeedDiskCoreDBSys, SeedDiskCoreDBData, SeedDiskCoreAppSys, SeedDiskCoreAppData, SeedDiskCoreDBData} {
		if i == 4 {
			e.clock.Advance(e.srv.ecs.durations.SnapshotCreate)
		}
		req := ecs.CreateCreateSnapshotRequest()
		req.DiskId = disk
		req.Tag = &[]ecs.CreateSnapshotTag{{Key: "n", Value: fmt.Sprint(i)}}
		resp, err := e.bj.CreateSnapshot(req)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, resp.SnapshotId)
		e.clock.Advance(time.Second)
	}
	describe := func(mod func(*ecs.DescribeSnapshotsRequest)) *ecs.DescribeSnapshotsResponse {
		t.Helper()
		req := ecs.CreateDescribeSnapshotsRequest()
		mod(req)
		resp, err := e.bj.DescribeSnapshots(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	idsOf := func(resp *ecs.DescribeSnapshotsResponse) string {
		var out []string
		for _, s := range resp.Snapshots.Snapshot {
			out = append(out, s.SnapshotId)
		}
		return strings.Join(out, ",")
	}
	if got := describe(func(r *ecs.DescribeSnapshotsRequest) { r.DiskId = SeedDiskCoreDBData }); idsOf(got) != ids[4]+","+ids[1] {
		t.Errorf("DiskId filter (newest first) = %s", idsOf(got))
	}
	if got := describe(func(r *ecs.DescribeSnapshotsRequest) { r.InstanceId = SeedInstanceCoreApp }); got.TotalCount != 2 {
		t.Errorf("InstanceId filter: %d snapshots", got.TotalCount)
	}
	if got := describe(func(r *ecs.DescribeSnapshotsRequest) { r.Status = "progressing" }); idsOf(got) != ids[4] {
		t.Errorf("Status=progressing = %s", idsOf(got))
	}
	if got := describe(func(r *ecs.DescribeSnapshotsRequest) { r.SnapshotType = "auto" }); got.TotalCount != 0 {
		t.Errorf("SnapshotType=auto: %d", got.TotalCount)
	}
	if got := describe(func(r *ecs.DescribeSnapshotsRequest) {
		r.Tag = &[]ecs.DescribeSnapshotsTag{{Key: "n", Value: "2"}}
	}); idsOf(got) != ids[2] {
		t.Errorf("Tag filter = %s", idsOf(got))
	}
	if got := describe(func(r *ecs.DescribeSnapshotsRequest) {
		r.SnapshotIds = fmt.Sprintf("[%q,%q]", ids[0], ids[3])
	}); got.TotalCount != 2 {
		t.Errorf("SnapshotIds filter: %d", got.TotalCount)
	}
	// PageNumber/PageSize.
	p2 := describe(func(r *ecs.DescribeSnapshotsRequest) {
		r.PageSize = requests.NewInteger(2)
		r.PageNumber = requests.NewInteger(2)
	})
	if p2.TotalCount != 5 || p2.PageNumber != 2 || idsOf(p2) != ids[2]+","+ids[1] {
		t.Errorf("page 2 = %s (total %d)", idsOf(p2), p2.TotalCount)
	}
	// NextToken/MaxResults walks all of them exactly once.
	var walked []string
	token := ""
	for range 10 {
		resp := describe(func(r *ecs.DescribeSnapshotsRequest) {
			r.MaxResults = requests.NewInteger(2)
			r.NextToken = token
		})
		walked = append(walked, idsOf(resp))
		if token = resp.NextToken; token == "" {
			break
		}
	}
	if got := strings.Join(walked, ","); got != strings.Join([]string{ids[4], ids[3], ids[2], ids[1], ids[0]}, ",") {
		t.Errorf("NextToken walk = %s", got)
	}
	req := ecs.CreateDescribeSnapshotsRequest()
	req.NextToken = "bogus"
	_, err := e.bj.DescribeSnapshots(req)
	wantAPIError(t, err, 400, "InvalidNextToken.Malformed")
}

func TestSnapshotDeleteAndImageUse(t *testing.T) {
	e := newSnapEnv(t)
	id := e.createSnapshot(SeedDiskCoreDBSys, "sys")
	e.clock.Advance(e.srv.ecs.durations.SnapshotCreate)

	e.createImage(id, "from-snap")
	if s := e.mustSnapshot(e.bj, id); s.Usage != "image" {
		t.Errorf("Usage = %s, want image", s.Usage)
	}
	del := ecs.CreateDeleteSnapshotRequest()
	del.SnapshotId = id
	del.Force = requests.NewBoolean(true)
	_, err := e.bj.DeleteSnapshot(del)
	wantAPIError(t, err, 403, "SnapshotCreatedImage")

	other := e.createSnapshot(SeedDiskCoreDBData, "data")
	del.SnapshotId = other
	if _, err := e.bj.DeleteSnapshot(del); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.snapshot(e.bj, other); ok {
		t.Error("deleted snapshot still listed")
	}
	// Deleting a snapshot that does not exist is ignored, as the service does.
	if _, err := e.bj.DeleteSnapshot(del); err != nil {
		t.Errorf("second delete: %v", err)
	}
}

func TestSnapshotFailNext(t *testing.T) {
	e := newSnapEnv(t)
	e.srv.FailNext(FailCreateSnapshot)
	bad := e.createSnapshot(SeedDiskCoreDBData, "doomed")
	e.clock.Advance(e.srv.ecs.durations.SnapshotCreate)
	if s := e.mustSnapshot(e.bj, bad); s.Status != "failed" {
		t.Errorf("injected failure: status %s", s.Status)
	}
	// One failure only.
	good := e.createSnapshot(SeedDiskCoreDBData, "fine")
	e.clock.Advance(e.srv.ecs.durations.SnapshotCreate)
	if s := e.mustSnapshot(e.bj, good); s.Status != "accomplished" {
		t.Errorf("next snapshot: status %s", s.Status)
	}
}

// TestSnapshotEventualConsistency: with SetEventualConsistency(n) a new
// snapshot, image or policy is missing from its first n describes, as the
// service's propagation delay makes it.
func TestSnapshotEventualConsistency(t *testing.T) {
	e := newSnapEnv(t)
	e.srv.SetDurations(InstantDurations())
	e.srv.SetEventualConsistency(2)
	snap := e.createSnapshot(SeedDiskCoreDBSys, "lagging")
	for i := range 2 {
		if _, ok := e.snapshot(e.bj, snap); ok {
			t.Fatalf("snapshot listed on describe %d", i+1)
		}
	}
	e.mustSnapshot(e.bj, snap)

	img := e.createImage(snap, "")
	for i := range 2 {
		if _, ok := e.image(e.bj, img, ""); ok {
			t.Fatalf("image listed on describe %d", i+1)
		}
	}
	e.mustImage(e.bj, img, "")

	policy := e.createPolicy(nil)
	list := ecs.CreateDescribeAutoSnapshotPolicyExRequest()
	list.AutoSnapshotPolicyId = policy
	for i := range 3 {
		r, err := e.bj.DescribeAutoSnapshotPolicyEx(list)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := r.TotalCount, map[bool]int{true: 1, false: 0}[i == 2]; got != want {
			t.Fatalf("describe %d listed %d policies, want %d", i+1, got, want)
		}
	}
}
