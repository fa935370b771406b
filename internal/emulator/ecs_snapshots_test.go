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

	img := ecs.CreateCreateImageRequest()
	img.SnapshotId = id
	img.ImageName = "from-snap"
	if _, err := e.bj.CreateImage(img); err != nil {
		t.Fatal(err)
	}
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

// copySnapshotRequest is a CopySnapshot with the parameters its model
// requires (DestinationSnapshotName and DestinationSnapshotDescription too).
func copySnapshotRequest(id, region string) *ecs.CopySnapshotRequest {
	req := ecs.CreateCopySnapshotRequest()
	req.SnapshotId, req.DestinationRegionId = id, region
	req.DestinationSnapshotName, req.DestinationSnapshotDescription = "copy-of-"+id, "copy of "+id
	return req
}

func TestSnapshotCopyToRegion(t *testing.T) {
	e := newSnapEnv(t)
	d := e.srv.ecs.durations
	id := e.createSnapshot(SeedDiskCoreDBData, "src")
	req := copySnapshotRequest(id, "cn-shanghai")
	_, err := e.bj.CopySnapshot(req)
	wantAPIError(t, err, 403, "InvalidSnapshotId.NotReady")
	missing := copySnapshotRequest("s-2zenothere0000000000", "cn-shanghai")
	_, err = e.bj.CopySnapshot(missing)
	wantAPIError(t, err, 403, "InvalidSnapshotId.NotFound")

	e.clock.Advance(d.SnapshotCreate)
	req.DestinationSnapshotName = "dr-copy"
	req.RetentionDays = requests.NewInteger(30)
	req.Encrypted = requests.NewBoolean(true)
	req.KMSKeyId = "key-123"
	req.Tag = &[]ecs.CopySnapshotTag{{Key: "dr", Value: "yes"}}
	resp, err := e.bj.CopySnapshot(req)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.SnapshotId, "s-uf6") {
		t.Errorf("copy id %s lacks the destination region infix", resp.SnapshotId)
	}
	if _, ok := e.snapshot(e.bj, resp.SnapshotId); ok {
		t.Error("copy listed in the source region")
	}
	cp := e.mustSnapshot(e.sh, resp.SnapshotId)
	if cp.Status != "progressing" || cp.SourceRegionId != SeedRegion || cp.SourceSnapshotId != id ||
		cp.SnapshotName != "dr-copy" || cp.RetentionDays != 30 || !cp.Encrypted || cp.KMSKeyId != "key-123" ||
		cp.SourceDiskSize != "200" || cp.RegionId != "cn-shanghai" || len(cp.Tags.Tag) != 1 {
		t.Errorf("copy: %+v", cp)
	}
	e.clock.Advance(d.SnapshotCopy)
	if cp = e.mustSnapshot(e.sh, resp.SnapshotId); cp.Status != "accomplished" {
		t.Errorf("copy status after %v: %s", d.SnapshotCopy, cp.Status)
	}
	byKey := ecs.CreateDescribeSnapshotsRequest()
	byKey.Encrypted = requests.NewBoolean(true)
	byKey.KMSKeyId = "key-123"
	if r, err := e.sh.DescribeSnapshots(byKey); err != nil || r.TotalCount != 1 {
		t.Errorf("Encrypted/KMSKeyId filter: %v %v", r, err)
	}
	plain := ecs.CreateDescribeSnapshotsRequest()
	plain.Encrypted = requests.NewBoolean(false)
	if r, err := e.sh.DescribeSnapshots(plain); err != nil || r.TotalCount != 0 {
		t.Errorf("Encrypted=false filter: %v %v", r, err)
	}

	bad := copySnapshotRequest(id, "mars-north-1")
	_, err = e.bj.CopySnapshot(bad)
	wantAPIError(t, err, 404, "InvalidDestinationRegionId.NotFound")
}

func TestSnapshotModifyAttribute(t *testing.T) {
	e := newSnapEnv(t)
	req := ecs.CreateCreateSnapshotRequest()
	req.DiskId = SeedDiskCoreDBData
	req.RetentionDays = requests.NewInteger(10)
	resp, err := e.bj.CreateSnapshot(req)
	if err != nil {
		t.Fatal(err)
	}
	mod := ecs.CreateModifySnapshotAttributeRequest()
	mod.SnapshotId = resp.SnapshotId
	mod.SnapshotName = "renamed"
	mod.Description = "new description"
	mod.RetentionDays = requests.NewInteger(20)
	_, err = e.bj.ModifySnapshotAttribute(mod)
	wantAPIError(t, err, 400, "InvalidSnapshotId.NotReady")
	e.clock.Advance(e.srv.ecs.durations.SnapshotCreate)
	if _, err := e.bj.ModifySnapshotAttribute(mod); err != nil {
		t.Fatal(err)
	}
	s := e.mustSnapshot(e.bj, resp.SnapshotId)
	if s.SnapshotName != "renamed" || s.Description != "new description" || s.RetentionDays != 20 {
		t.Errorf("after modify: %+v", s)
	}
	mod.RetentionDays = requests.NewInteger(5)
	_, err = e.bj.ModifySnapshotAttribute(mod)
	wantAPIError(t, err, 400, "InvalidOperation.DecreaseRetentionDaysUnsupported")
	nothing := ecs.CreateModifySnapshotAttributeRequest()
	nothing.SnapshotId = resp.SnapshotId
	_, err = e.bj.ModifySnapshotAttribute(nothing)
	wantAPIError(t, err, 400, "NoAttributeToModify")

	missing := ecs.CreateModifySnapshotAttributeRequest()
	missing.SnapshotId = "s-2zenothere0000000000"
	missing.SnapshotName = "x1"
	_, err = e.bj.ModifySnapshotAttribute(missing)
	wantAPIError(t, err, 404, "InvalidSnapshotId.NotFound")

	// The extended retention is what expiry uses: alive on day 19, gone on 20.
	e.clock.Advance(19 * 24 * time.Hour)
	e.mustSnapshot(e.bj, resp.SnapshotId)
	e.clock.Advance(24 * time.Hour)
	if _, ok := e.snapshot(e.bj, resp.SnapshotId); ok {
		t.Error("snapshot kept past its extended retention")
	}
}

func TestSnapshotArchiveRules(t *testing.T) {
	e := newSnapEnv(t)
	archive := func(id, category string, retention requests.Integer) (*ecs.ModifySnapshotCategoryResponse, error) {
		req := ecs.CreateModifySnapshotCategoryRequest()
		req.SnapshotId, req.Category, req.RetentionDays = id, category, retention
		return e.bj.ModifySnapshotCategory(req)
	}
	id := e.createSnapshot(SeedDiskCoreDBData, "to-archive")
	_, err := archive(id, "Archive", "")
	wantAPIError(t, err, 400, "InvalidStatus.SnapshotUnfinished")

	e.clock.Advance(13 * 24 * time.Hour)
	_, err = archive(id, "Archive", "")
	wantAPIError(t, err, 400, "InvalidStatus.SnapshotAgeLimit")

	e.clock.Advance(24 * time.Hour) // 14 days old
	_, err = archive(id, "Archive", "73")
	wantAPIError(t, err, 400, "InvalidRetentionDays.Malformed")
	_, err = archive(id, "standard", "")
	wantAPIError(t, err, 400, "InvalidParameter.SnapshotCategory")

	resp, err := archive(id, "Archive", "74") // exactly 60 days after archiving
	if err != nil {
		t.Fatal(err)
	}
	task := ecs.CreateDescribeTaskAttributeRequest()
	task.TaskId = resp.TaskId
	tr, err := e.bj.DescribeTaskAttribute(task)
	if err != nil {
		t.Fatal(err)
	}
	if tr.TaskStatus != "Finished" || tr.TaskAction != "ModifySnapshotCategory" || tr.TaskProcess != "100%" {
		t.Errorf("archive task: %s %s %s", tr.TaskStatus, tr.TaskAction, tr.TaskProcess)
	}
	s := e.mustSnapshot(e.bj, id)
	if s.Category != "archive" || s.RetentionDays != 74 {
		t.Errorf("archived snapshot: category %s retention %d", s.Category, s.RetentionDays)
	}
	_, err = archive(id, "Archive", "")
	wantAPIError(t, err, 400, "InvalidStatus.SnapshotInArchive")
	list := ecs.CreateDescribeSnapshotsRequest()
	list.Category = "archive"
	if lr, err := e.bj.DescribeSnapshots(list); err != nil || lr.TotalCount != 1 {
		t.Errorf("Category=archive filter: %v %v", lr, err)
	}

	// A 20-day-old snapshot archived with 74 days retention would keep only
	// 54 days in the archive tier.
	late := e.createSnapshot(SeedDiskCoreDBSys, "late")
	e.clock.Advance(20 * 24 * time.Hour)
	_, err = archive(late, "Archive", "74")
	wantAPIError(t, err, 400, "InvalidRetentionDays.Malformed")
	if _, err := archive(late, "Archive", ""); err != nil { // forever
		t.Fatal(err)
	}
	if s := e.mustSnapshot(e.bj, late); s.RetentionDays != -1 {
		t.Errorf("archived forever: retention %d", s.RetentionDays)
	}
	cp := copySnapshotRequest(late, SeedRegion)
	_, err = e.bj.CopySnapshot(cp)
	wantAPIError(t, err, 403, "OperationDenied.ArchiveSnapshot")

	// Encrypted snapshots cannot be archived.
	plain := e.createSnapshot(SeedDiskCoreAppData, "plain")
	e.clock.Advance(e.srv.ecs.durations.SnapshotCreate)
	cp = copySnapshotRequest(plain, SeedRegion)
	cp.Encrypted = requests.NewBoolean(true)
	enc, err := e.bj.CopySnapshot(cp)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(15 * 24 * time.Hour)
	_, err = archive(enc.SnapshotId, "Archive", "")
	wantAPIError(t, err, 403, "InvalidOperation.EncryptedSnapshotUnsupport")
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

func TestSnapshotAndImageTagActions(t *testing.T) {
	e := newSnapEnv(t)
	snap := e.createSnapshot(SeedDiskCoreDBData, "tagged")
	img, _ := e.readyImage("tagged-image")
	for _, tc := range []struct{ typ, id string }{{"snapshot", snap}, {"image", img}} {
		tag := ecs.CreateTagResourcesRequest()
		tag.ResourceType = tc.typ
		tag.ResourceId = &[]string{tc.id}
		tag.Tag = &[]ecs.TagResourcesTag{{Key: "team", Value: "dr"}}
		if _, err := e.bj.TagResources(tag); err != nil {
			t.Fatalf("TagResources %s: %v", tc.typ, err)
		}
		list := ecs.CreateListTagResourcesRequest()
		list.ResourceType = tc.typ
		list.Tag = &[]ecs.ListTagResourcesTag{{Key: "team", Value: "dr"}}
		resp, err := e.bj.ListTagResources(list)
		if err != nil {
			t.Fatal(err)
		}
		rows := resp.TagResources.TagResource
		if len(rows) != 1 || rows[0].ResourceId != tc.id || rows[0].TagValue != "dr" {
			t.Errorf("ListTagResources %s: %+v", tc.typ, rows)
		}
		// Other regions do not reach the resource.
		other := ecs.CreateTagResourcesRequest()
		other.ResourceType = tc.typ
		other.ResourceId = &[]string{tc.id}
		other.Tag = &[]ecs.TagResourcesTag{{Key: "x", Value: "y"}}
		_, err = e.sh.TagResources(other)
		wantAPIError(t, err, 404, "InvalidResourceId.NotFound")
	}
	if s := e.mustSnapshot(e.bj, snap); len(s.Tags.Tag) != 1 || s.Tags.Tag[0].Key != "team" {
		t.Errorf("snapshot tags: %+v", s.Tags.Tag)
	}
	if im := e.mustImage(e.bj, img, ""); len(im.Tags.Tag) != 1 || im.Tags.Tag[0].Key != "team" {
		t.Errorf("image tags: %+v", im.Tags.Tag)
	}
	filter := ecs.CreateDescribeSnapshotsRequest()
	filter.Tag = &[]ecs.DescribeSnapshotsTag{{Key: "team", Value: "dr"}}
	if r, err := e.bj.DescribeSnapshots(filter); err != nil || r.TotalCount != 1 {
		t.Errorf("DescribeSnapshots by tag: %v %v", r, err)
	}
}

// TestSnapshotDisksFromSnapshots goes through the core's RunInstances and
// DeleteInstance: a data disk created from a snapshot marks it used, and
// deleting the instance releases its disks' automatic snapshots.
func TestSnapshotDisksFromSnapshots(t *testing.T) {
	e := newSnapEnv(t)
	d := e.srv.ecs.durations
	snap := e.createSnapshot(SeedDiskCoreDBData, "seed-data")
	run := runReq(SeedRegion)
	run.DataDisk = &[]ecs.RunInstancesDataDisk{{SnapshotId: snap, Category: "cloud_essd"}}
	_, err := e.bj.RunInstances(run)
	wantAPIError(t, err, 404, "InvalidSnapshotId.NotFound") // not accomplished yet
	e.clock.Advance(d.SnapshotCreate)
	run = runReq(SeedRegion)
	run.DataDisk = &[]ecs.RunInstancesDataDisk{{SnapshotId: snap, Category: "cloud_essd"}}
	ran, err := e.bj.RunInstances(run)
	if err != nil {
		t.Fatal(err)
	}
	instID := ran.InstanceIdSets.InstanceIdSet[0]
	e.clock.Advance(d.InstanceCreate)
	if s := e.mustSnapshot(e.bj, snap); s.Usage != "disk" {
		t.Errorf("usage of a snapshot a disk came from: %s", s.Usage)
	}
	del := ecs.CreateDeleteSnapshotRequest()
	del.SnapshotId = snap
	_, err = e.bj.DeleteSnapshot(del)
	wantAPIError(t, err, 403, "SnapshotCreatedDisk")

	// Put the new instance's disks on a policy and let it fire twice.
	disks := ecs.CreateDescribeDisksRequest()
	disks.InstanceId = instID
	dr, err := e.bj.DescribeDisks(disks)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, disk := range dr.Disks.Disk {
		ids = append(ids, disk.DiskId)
	}
	policy := e.createPolicy(nil)
	e.applyPolicy(policy, ids...)
	dr, err = e.bj.DescribeDisks(disks)
	if err != nil {
		t.Fatal(err)
	}
	for _, disk := range dr.Disks.Disk {
		if disk.AutoSnapshotPolicyId != policy || !disk.EnableAutomatedSnapshotPolicy {
			t.Errorf("DescribeDisks %s: policy %q enabled %v", disk.DiskId, disk.AutoSnapshotPolicyId, disk.EnableAutomatedSnapshotPolicy)
		}
	}
	e.clock.Advance(24 * time.Hour)
	byInstance := func() int {
		return len(e.allSnapshots(e.bj, func(r *ecs.DescribeSnapshotsRequest) { r.InstanceId = instID; r.SnapshotType = "auto" }))
	}
	if n := byInstance(); n != 2*len(ids) {
		t.Fatalf("%d auto snapshots of the instance's disks after a day, want %d", n, 2*len(ids))
	}
	user := e.createSnapshot(ids[0], "manual")

	delInst := ecs.CreateDeleteInstanceRequest()
	delInst.InstanceId = instID
	delInst.Force = requests.NewBoolean(true)
	if _, err := e.bj.DeleteInstance(delInst); err != nil {
		t.Fatal(err)
	}
	if n := byInstance(); n != 0 {
		t.Errorf("%d auto snapshots survive their released disks", n)
	}
	e.mustSnapshot(e.bj, user)
	// The source snapshot is no longer used by a disk.
	if _, err := e.bj.DeleteSnapshot(del); err != nil {
		t.Errorf("deleting the snapshot once its disk is gone: %v", err)
	}
}

// TestSnapshotHookForDisks checks the lookup RunInstances uses for
// DataDisk.N.SnapshotId: only accomplished snapshots of the caller's region.
func TestSnapshotHookForDisks(t *testing.T) {
	e := newSnapEnv(t)
	id := e.createSnapshot(SeedDiskCoreDBData, "seed")
	hook := func(acc, region string) (int, bool) {
		e.srv.ecs.mu.Lock()
		defer e.srv.ecs.mu.Unlock()
		return e.srv.ecs.hooks.snapshot(acc, region, id)
	}
	if _, ok := hook(DefaultAccountID, SeedRegion); ok {
		t.Error("progressing snapshot usable")
	}
	e.clock.Advance(e.srv.ecs.durations.SnapshotCreate)
	if size, ok := hook(DefaultAccountID, SeedRegion); !ok || size != 200 {
		t.Errorf("hook = %d %v", size, ok)
	}
	if _, ok := hook(DefaultAccountID, "cn-shanghai"); ok {
		t.Error("snapshot usable from another region")
	}
	if _, ok := hook("2000000000000002", SeedRegion); ok {
		t.Error("snapshot usable from another account")
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

	req := ecs.CreateCreateImageRequest()
	req.SnapshotId = snap
	img, err := e.bj.CreateImage(req)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, ok := e.image(e.bj, img.ImageId, ""); ok {
			t.Fatalf("image listed on describe %d", i+1)
		}
	}
	e.mustImage(e.bj, img.ImageId, "")

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
