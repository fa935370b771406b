package emulator

import (
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

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
