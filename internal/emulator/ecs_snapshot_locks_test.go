package emulator

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// lockCall sends a lock action through the SDK's common request (the typed
// v1 client has none) and decodes the JSON answer into out when non-nil.
func (e *snapEnv) lockCall(c *ecs.Client, action string, params map[string]string, out any) error {
	e.t.Helper()
	req := requests.NewCommonRequest()
	req.Method = "POST"
	req.Product, req.Version, req.ApiName = "Ecs", "2014-05-26", action
	req.Domain = e.srv.Addr()
	req.Scheme = "http"
	req.QueryParams["RegionId"] = SeedRegion
	if c == e.sh {
		req.QueryParams["RegionId"] = "cn-shanghai"
	}
	for k, v := range params {
		req.QueryParams[k] = v
	}
	resp, err := c.ProcessCommonRequest(req)
	if err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(resp.GetHttpContentBytes(), out); err != nil {
			e.t.Fatalf("%s answer: %v", action, err)
		}
	}
	return nil
}

func (e *snapEnv) lock(id string, days, coolOffHours int) (lockedSnapshotInfo, error) {
	e.t.Helper()
	var out lockSnapshotResponse
	err := e.lockCall(e.bj, "LockSnapshot", map[string]string{"SnapshotId": id, "LockMode": "compliance",
		"LockDuration": strconv.Itoa(days), "CoolOffPeriod": strconv.Itoa(coolOffHours)}, &out)
	return out.LockedSnapshotInfo, err
}

// accomplishedSnapshot creates a snapshot of the core-db data disk kept for
// retention days (0: forever) and lets it accomplish.
func (e *snapEnv) accomplishedSnapshot(name string, retention int) string {
	e.t.Helper()
	req := ecs.CreateCreateSnapshotRequest()
	req.DiskId, req.SnapshotName = SeedDiskCoreDBData, name
	if retention > 0 {
		req.RetentionDays = requests.NewInteger(retention)
	}
	resp, err := e.bj.CreateSnapshot(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.clock.Advance(e.srv.ecs.durations.SnapshotCreate)
	return resp.SnapshotId
}

func TestSnapshotLockRefusesDeletionUntilExpiry(t *testing.T) {
	e := newSnapEnv(t)
	id := e.accomplishedSnapshot("locked", 30)
	info, err := e.lock(id, 10, 2)
	if err != nil {
		t.Fatal(err)
	}
	if info.LockStatus != "compliance-cooloff" || info.LockDuration != 10 || info.CoolOffPeriod != 2 || info.LockMode != "compliance" {
		t.Fatalf("lock info %+v", info)
	}
	del := ecs.CreateDeleteSnapshotRequest()
	del.SnapshotId = id
	del.Force = requests.NewBoolean(true)
	_, err = e.bj.DeleteSnapshot(del)
	wantAPIError(t, err, 403, "InvalidOperation.SnapshotLocked") // in the cool-off too

	// After the cool-off: still refused, the retention cannot shrink, the
	// lock cannot be removed or shortened, only extended.
	e.clock.Advance(3 * time.Hour)
	_, err = e.bj.DeleteSnapshot(del)
	wantAPIError(t, err, 403, "InvalidOperation.SnapshotLocked")
	mod := ecs.CreateModifySnapshotAttributeRequest()
	mod.SnapshotId, mod.RetentionDays = id, requests.NewInteger(5)
	_, err = e.bj.ModifySnapshotAttribute(mod)
	wantAPIError(t, err, 400, "InvalidOperation.DecreaseRetentionDaysUnsupported")
	err = e.lockCall(e.bj, "UnlockSnapshot", map[string]string{"SnapshotId": id}, nil)
	wantAPIError(t, err, 403, "InvalidOperation.CoolOffPeriodExpired")
	_, err = e.lock(id, 5, 0)
	wantAPIError(t, err, 403, "InvalidOperation.CoolOffPeriodExpired")
	_, err = e.lock(id, 12, 1)
	wantAPIError(t, err, 400, "InvalidParameter")
	if info, err = e.lock(id, 12, 0); err != nil || info.LockStatus != "compliance" || info.LockDuration != 12 {
		t.Fatalf("extend: %+v, %v", info, err)
	}

	// Expiry on the emulator clock: day 12 after the lock started.
	e.clock.Advance(12*24*time.Hour - 3*time.Hour - time.Minute)
	_, err = e.bj.DeleteSnapshot(del)
	wantAPIError(t, err, 403, "InvalidOperation.SnapshotLocked")
	e.clock.Advance(2 * time.Minute)
	var list describeLockedSnapshotsResponse
	if err := e.lockCall(e.bj, "DescribeLockedSnapshots", map[string]string{"SnapshotIds.1": id}, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.LockedSnapshotsInfo) != 1 || list.LockedSnapshotsInfo[0].LockStatus != "expired" {
		t.Fatalf("after expiry: %+v", list)
	}
	if _, err := e.bj.DeleteSnapshot(del); err != nil {
		t.Fatalf("delete after expiry: %v", err)
	}
}

func TestSnapshotLockCoolOffUnlockAndRelock(t *testing.T) {
	e := newSnapEnv(t)
	id := e.accomplishedSnapshot("cooloff", 0)
	if _, err := e.lock(id, 30, 24); err != nil {
		t.Fatal(err)
	}
	// A re-lock in the cool-off resets every parameter, shorter included.
	info, err := e.lock(id, 3, 1)
	if err != nil || info.LockDuration != 3 || info.CoolOffPeriod != 1 {
		t.Fatalf("relock: %+v, %v", info, err)
	}
	if err := e.lockCall(e.bj, "UnlockSnapshot", map[string]string{"SnapshotId": id}, nil); err != nil {
		t.Fatalf("unlock in cool-off: %v", err)
	}
	err = e.lockCall(e.bj, "UnlockSnapshot", map[string]string{"SnapshotId": id}, nil)
	wantAPIError(t, err, 404, "InvalidSnapshotLock.NotFound")
	err = e.lockCall(e.bj, "UnlockSnapshot", map[string]string{"SnapshotId": "s-2zenothere0000000000"}, nil)
	wantAPIError(t, err, 404, "InvalidSnapshotId.NotFound")
	del := ecs.CreateDeleteSnapshotRequest()
	del.SnapshotId = id
	if _, err := e.bj.DeleteSnapshot(del); err != nil {
		t.Fatalf("delete after unlock: %v", err)
	}
}

func TestSnapshotLockParameterRules(t *testing.T) {
	e := newSnapEnv(t)
	id := e.accomplishedSnapshot("rules", 10)
	for _, tc := range []struct {
		name   string
		params map[string]string
		status int
		code   string
	}{
		{"mode", map[string]string{"LockMode": "governance", "LockDuration": "1", "CoolOffPeriod": "0"}, 400, "InvalidParameter"},
		{"duration range", map[string]string{"LockMode": "compliance", "LockDuration": "36501", "CoolOffPeriod": "0"}, 400, "InvalidParameter"},
		{"cool-off range", map[string]string{"LockMode": "compliance", "LockDuration": "5", "CoolOffPeriod": "73"}, 400, "InvalidParameter"},
		{"cool-off required", map[string]string{"LockMode": "compliance", "LockDuration": "5"}, 400, "MissingParameter"},
		{"cool-off longer than the lock", map[string]string{"LockMode": "compliance", "LockDuration": "2", "CoolOffPeriod": "72"}, 400, "InvalidParameter"},
		{"beyond the retention", map[string]string{"LockMode": "compliance", "LockDuration": "11", "CoolOffPeriod": "0"}, 400, "InvalidParameter"},
		{"dry run", map[string]string{"LockMode": "compliance", "LockDuration": "5", "CoolOffPeriod": "0", "DryRun": "true"}, 400, "DryRunOperation"},
	} {
		tc.params["SnapshotId"] = id
		err := e.lockCall(e.bj, "LockSnapshot", tc.params, nil)
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, err, tc.status, tc.code) })
	}
	var list describeLockedSnapshotsResponse
	if err := e.lockCall(e.bj, "DescribeLockedSnapshots", nil, &list); err != nil || len(list.LockedSnapshotsInfo) != 0 {
		t.Fatalf("refused locks left a lock: %+v, %v", list, err)
	}
	// A progressing snapshot's lock duration starts when it is accomplished.
	req := ecs.CreateCreateSnapshotRequest()
	req.DiskId = SeedDiskCoreDBSys
	resp, err := e.bj.CreateSnapshot(req)
	if err != nil {
		t.Fatal(err)
	}
	info, err := e.lock(resp.SnapshotId, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if info.LockDurationStartTime == info.LockCreationTime {
		t.Errorf("lock of a progressing snapshot starts at once: %+v", info)
	}
}

func TestSnapshotLockSurvivesDiskReleaseAndIsNotCopied(t *testing.T) {
	e := newSnapEnv(t)
	create := ecs.CreateCreateDiskRequest()
	create.ZoneId, create.DiskCategory, create.Size = SeedZone, "cloud_essd", requests.NewInteger(20)
	disk, err := e.bj.CreateDisk(create)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(e.srv.ecs.durations.DiskCreate + time.Second)
	var ids []string
	for _, name := range []string{"kept", "released"} {
		req := ecs.CreateCreateSnapshotRequest()
		req.DiskId, req.SnapshotName = disk.DiskId, name
		resp, err := e.bj.CreateSnapshot(req)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, resp.SnapshotId)
		e.clock.Advance(e.srv.ecs.durations.SnapshotCreate)
	}
	for _, id := range ids { // as a policy would have made them
		snapsOf(e.srv.ecs).snapshots[id].Type = "auto"
	}
	if _, err := e.lock(ids[0], 7, 0); err != nil {
		t.Fatal(err)
	}
	cp, err := e.bj.CopySnapshot(copySnapshotRequest(ids[0], "cn-shanghai"))
	if err != nil {
		t.Fatal(err)
	}
	del := ecs.CreateDeleteDiskRequest()
	del.DiskId = disk.DiskId
	if _, err := e.bj.DeleteDisk(del); err != nil {
		t.Fatal(err)
	}
	e.mustSnapshot(e.bj, ids[0])
	if _, ok := e.snapshot(e.bj, ids[1]); ok {
		t.Error("the unlocked automatic snapshot outlived its disk")
	}
	var list describeLockedSnapshotsResponse
	if err := e.lockCall(e.sh, "DescribeLockedSnapshots", map[string]string{"SnapshotIds.1": cp.SnapshotId}, &list); err != nil || len(list.LockedSnapshotsInfo) != 0 {
		t.Errorf("the copy inherited the lock: %+v, %v", list, err)
	}
}

func TestDescribeLockedSnapshotsFiltersAndPages(t *testing.T) {
	e := newSnapEnv(t)
	var locked []string
	for i := range 12 {
		id := e.accomplishedSnapshot("p"+strconv.Itoa(i), 0)
		hours := 0
		if i%2 == 0 {
			hours = 5
		}
		if _, err := e.lock(id, 3, hours); err != nil {
			t.Fatal(err)
		}
		locked = append(locked, id)
	}
	e.accomplishedSnapshot("unlocked", 0)
	var seen []string
	token := ""
	for pages := 0; ; pages++ {
		var page describeLockedSnapshotsResponse
		params := map[string]string{"MaxResults": "1"} // below 10 means 10
		if token != "" {
			params["NextToken"] = token
		}
		if err := e.lockCall(e.bj, "DescribeLockedSnapshots", params, &page); err != nil {
			t.Fatal(err)
		}
		if len(page.LockedSnapshotsInfo) > 10 {
			t.Fatalf("page of %d", len(page.LockedSnapshotsInfo))
		}
		for _, s := range page.LockedSnapshotsInfo {
			seen = append(seen, s.SnapshotId)
		}
		if token = page.NextToken; token == "" {
			if pages != 1 {
				t.Errorf("%d pages, want 2", pages+1)
			}
			break
		}
	}
	if len(seen) != len(locked) {
		t.Errorf("listed %d locked snapshots, want %d", len(seen), len(locked))
	}
	var cool describeLockedSnapshotsResponse
	if err := e.lockCall(e.bj, "DescribeLockedSnapshots", map[string]string{"LockStatus": "compliance-cooloff", "MaxResults": "100"}, &cool); err != nil {
		t.Fatal(err)
	}
	if len(cool.LockedSnapshotsInfo) != 6 {
		t.Errorf("%d in cool-off, want 6", len(cool.LockedSnapshotsInfo))
	}
	err := e.lockCall(e.bj, "DescribeLockedSnapshots", map[string]string{"LockStatus": "governance"}, nil)
	wantAPIError(t, err, 400, "InvalidParameter")
}
