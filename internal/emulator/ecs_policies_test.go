package emulator

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// policyStart is a fixed Monday morning (UTC) the policy tests start from,
// so fire times never coincide with the end of a test's interval.
var policyStart = time.Date(2026, 1, 5, 3, 30, 0, 0, time.UTC)

// newPolicyEnv is a snapEnv at policyStart with the policy createPolicy
// makes with mod.
func newPolicyEnv(t *testing.T, mod func(*ecs.CreateAutoSnapshotPolicyRequest)) (e *snapEnv, policyID string) {
	t.Helper()
	e = newSnapEnv(t)
	e.clock.Set(policyStart)
	return e, e.createPolicy(mod)
}

func (e *snapEnv) createPolicy(mod func(*ecs.CreateAutoSnapshotPolicyRequest)) string {
	e.t.Helper()
	req := ecs.CreateCreateAutoSnapshotPolicyRequest()
	req.AutoSnapshotPolicyName = "nightly"
	req.TimePoints = `["2","14"]`
	req.RepeatWeekdays = `["1","2","3","4","5","6","7"]`
	req.RetentionDays = requests.NewInteger(30)
	if mod != nil {
		mod(req)
	}
	resp, err := e.bj.CreateAutoSnapshotPolicy(req)
	if err != nil {
		e.t.Fatalf("CreateAutoSnapshotPolicy: %v", err)
	}
	return resp.AutoSnapshotPolicyId
}

func (e *snapEnv) applyPolicy(policyID string, disks ...string) {
	e.t.Helper()
	req := ecs.CreateApplyAutoSnapshotPolicyRequest()
	req.AutoSnapshotPolicyId = policyID
	req.DiskIds = jsonList(disks...)
	if _, err := e.bj.ApplyAutoSnapshotPolicy(req); err != nil {
		e.t.Fatalf("ApplyAutoSnapshotPolicy: %v", err)
	}
}

func (e *snapEnv) describePolicy(id string) ecs.AutoSnapshotPolicy {
	e.t.Helper()
	req := ecs.CreateDescribeAutoSnapshotPolicyExRequest()
	req.AutoSnapshotPolicyId = id
	resp, err := e.bj.DescribeAutoSnapshotPolicyEx(req)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(resp.AutoSnapshotPolicies.AutoSnapshotPolicy) != 1 {
		e.t.Fatalf("policy %s listed %d times", id, len(resp.AutoSnapshotPolicies.AutoSnapshotPolicy))
	}
	return resp.AutoSnapshotPolicies.AutoSnapshotPolicy[0]
}

// diskPolicy is the AutoSnapshotPolicyID the core state holds for a seeded
// cn-beijing disk (what DescribeDisks reports).
func (e *snapEnv) diskPolicy(diskID string) string {
	e.srv.ecs.mu.Lock()
	defer e.srv.ecs.mu.Unlock()
	return e.srv.ecs.account(DefaultAccountID).regions[SeedRegion].disks[diskID].AutoSnapshotPolicyID
}

// allSnapshots lists every snapshot of a region matching mod, walking
// NextToken pages.
func (e *snapEnv) allSnapshots(c *ecs.Client, mod func(*ecs.DescribeSnapshotsRequest)) []ecs.Snapshot {
	e.t.Helper()
	var out []ecs.Snapshot
	token := ""
	for {
		req := ecs.CreateDescribeSnapshotsRequest()
		req.MaxResults = requests.NewInteger(100)
		req.NextToken = token
		if mod != nil {
			mod(req)
		}
		resp, err := c.DescribeSnapshots(req)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, resp.Snapshots.Snapshot...)
		if token = resp.NextToken; token == "" {
			return out
		}
	}
}

func jsonList(ids ...string) string {
	s := "["
	for i, id := range ids {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprintf("%q", id)
	}
	return s + "]"
}

// expectedFires is an oracle independent of schedule.each: it walks every
// whole hour in (from, to] and keeps those whose UTC+8 hour is in hours and
// whose creation + keepDays is still after to.
func expectedFires(from, to time.Time, hours []int, keepDays int) []time.Time {
	var out []time.Time
	for h := from.Truncate(time.Hour); !h.After(to); h = h.Add(time.Hour) {
		if !h.After(from) {
			continue
		}
		local := h.In(time.FixedZone("CST", 8*3600)).Hour()
		for _, want := range hours {
			if local == want && (keepDays <= 0 || h.Add(time.Duration(keepDays)*24*time.Hour).After(to)) {
				out = append(out, h)
			}
		}
	}
	return out
}

func TestPolicyThreeMonthsOnTwoDisks(t *testing.T) {
	e, id := newPolicyEnv(t, func(r *ecs.CreateAutoSnapshotPolicyRequest) {
		r.EnableCrossRegionCopy = requests.NewBoolean(true)
		r.TargetCopyRegions = `["cn-shanghai"]`
		r.CopiedSnapshotsRetentionDays = requests.NewInteger(10)
	})
	disks := []string{SeedDiskCoreDBData, SeedDiskCoreAppData}
	e.applyPolicy(id, disks...)
	for _, d := range disks {
		if got := e.diskPolicy(d); got != id {
			t.Fatalf("disk %s policy = %q, want %q", d, got, id)
		}
	}
	if p := e.describePolicy(id); p.DiskNums != 2 {
		t.Errorf("DiskNums = %d", p.DiskNums)
	}

	// After one day: every fire so far, nothing expired yet.
	e.clock.Advance(24 * time.Hour)
	day1 := e.allSnapshots(e.bj, func(r *ecs.DescribeSnapshotsRequest) { r.SnapshotType = "auto" })
	if want := 2 * len(expectedFires(policyStart, e.srv.now(), []int{2, 14}, 0)); len(day1) != want || want != 4 {
		t.Fatalf("after one day: %d auto snapshots, want %d (4)", len(day1), want)
	}

	e.clock.Advance(89 * 24 * time.Hour)
	now := e.srv.now()
	fires := expectedFires(policyStart, now, []int{2, 14}, 30)
	auto := e.allSnapshots(e.bj, func(r *ecs.DescribeSnapshotsRequest) { r.SnapshotType = "auto" })
	if len(auto) != 2*len(fires) || len(fires) != 60 {
		t.Fatalf("after 90 days: %d auto snapshots, want %d (2 disks x 60 fires within the 30-day retention)", len(auto), 2*len(fires))
	}
	perDisk := map[string][]time.Time{}
	for _, s := range auto {
		created, err := time.Parse("2006-01-02T15:04:05Z", s.CreationTime)
		if err != nil {
			t.Fatal(err)
		}
		local := created.In(policyZone)
		seq := 1
		if local.Hour() == 14 {
			seq = 2
		}
		if want := fmt.Sprintf("auto_%s_%d", local.Format("20060102"), seq); s.SnapshotName != want {
			t.Errorf("auto snapshot name %s, want %s", s.SnapshotName, want)
		}
		if s.Status != "accomplished" || s.RetentionDays != 30 || s.SnapshotType != "auto" {
			t.Errorf("auto snapshot %s: status %s retention %d type %s", s.SnapshotId, s.Status, s.RetentionDays, s.SnapshotType)
		}
		perDisk[s.SourceDiskId] = append(perDisk[s.SourceDiskId], created)
	}
	for _, d := range disks {
		got := perDisk[d]
		sort.Slice(got, func(i, j int) bool { return got[i].Before(got[j]) })
		if len(got) != len(fires) {
			t.Fatalf("disk %s: %d auto snapshots, want %d", d, len(got), len(fires))
		}
		for i := range fires {
			if !got[i].Equal(fires[i]) {
				t.Fatalf("disk %s snapshot %d at %v, want %v", d, i, got[i], fires[i])
			}
		}
	}
	// Manual snapshots are not auto.
	if n := len(e.allSnapshots(e.bj, func(r *ecs.DescribeSnapshotsRequest) { r.SnapshotType = "user" })); n != 0 {
		t.Errorf("%d user snapshots", n)
	}

	// Cross-region copies live in cn-shanghai with the copy retention.
	copies := e.allSnapshots(e.sh, nil)
	if want := 2 * len(expectedFires(policyStart, now, []int{2, 14}, 10)); len(copies) != want || want != 40 {
		t.Fatalf("%d copies in cn-shanghai, want %d (40)", len(copies), want)
	}
	for _, cp := range copies {
		if cp.SourceRegionId != SeedRegion || cp.RetentionDays != 10 || cp.SnapshotType != "auto" || cp.RegionId != "cn-shanghai" {
			t.Fatalf("copy %+v", cp)
		}
	}
}

func TestPolicyScheduleChangesAndCancel(t *testing.T) {
	e, id := newPolicyEnv(t, func(r *ecs.CreateAutoSnapshotPolicyRequest) {
		r.TimePoints = `["2"]`
		r.RetentionDays = requests.NewInteger(-1)
	})
	e.applyPolicy(id, SeedDiskCoreDBSys)
	e.clock.Advance(7 * 24 * time.Hour)
	countOf := func() int {
		return len(e.allSnapshots(e.bj, func(r *ecs.DescribeSnapshotsRequest) { r.DiskId = SeedDiskCoreDBSys }))
	}
	if n := countOf(); n != 7 {
		t.Fatalf("one fire a day for a week: %d", n)
	}
	// Weekends only from now on, four times a day.
	mod := ecs.CreateModifyAutoSnapshotPolicyExRequest()
	mod.AutoSnapshotPolicyId = id
	mod.TimePoints = `["0","6","12","18"]`
	mod.RepeatWeekdays = `["6","7"]`
	mod.AutoSnapshotPolicyName = "weekend"
	if _, err := e.bj.ModifyAutoSnapshotPolicyEx(mod); err != nil {
		t.Fatal(err)
	}
	p := e.describePolicy(id)
	if p.TimePoints != `["0","6","12","18"]` || p.RepeatWeekdays != `["6","7"]` || p.AutoSnapshotPolicyName != "weekend" || p.RetentionDays != -1 {
		t.Errorf("after modify: %+v", p)
	}
	e.clock.Advance(7 * 24 * time.Hour)
	if n := countOf(); n != 7+8 {
		t.Fatalf("after a weekend at 4 a day: %d, want 15", n)
	}
	cancel := ecs.CreateCancelAutoSnapshotPolicyRequest()
	cancel.DiskIds = jsonList(SeedDiskCoreDBSys)
	if _, err := e.bj.CancelAutoSnapshotPolicy(cancel); err != nil {
		t.Fatal(err)
	}
	if got := e.diskPolicy(SeedDiskCoreDBSys); got != "" {
		t.Errorf("disk policy after cancel = %q", got)
	}
	e.clock.Advance(7 * 24 * time.Hour)
	if n := countOf(); n != 15 {
		t.Errorf("cancelled disk still snapshotted: %d", n)
	}
}

func TestPolicyCRUDAndErrors(t *testing.T) {
	e, id := newPolicyEnv(t, func(r *ecs.CreateAutoSnapshotPolicyRequest) {
		r.EnableCrossRegionCopy = requests.NewBoolean(true)
		r.TargetCopyRegions = `["cn-shanghai"]`
		r.CopiedSnapshotsRetentionDays = requests.NewInteger(7)
		r.CopyEncryptionConfiguration.Encrypted = "true"
		r.CopyEncryptionConfiguration.KMSKeyId = "kms-1"
		r.Tag = &[]ecs.CreateAutoSnapshotPolicyTag{{Key: "tier", Value: "gold"}}
	})
	p := e.describePolicy(id)
	if p.AutoSnapshotPolicyName != "nightly" || p.TimePoints != `["2","14"]` ||
		p.RepeatWeekdays != `["1","2","3","4","5","6","7"]` || p.RetentionDays != 30 || p.Status != "Normal" ||
		!p.EnableCrossRegionCopy || p.TargetCopyRegions != `["cn-shanghai"]` ||
		p.CopiedSnapshotsRetentionDays != 7 || !p.CopyEncryptionConfiguration.Encrypted ||
		p.CopyEncryptionConfiguration.KMSKeyId != "kms-1" || p.DiskNums != 0 || p.RegionId != SeedRegion ||
		p.CreationTime != "2026-01-05T03:30:00Z" || len(p.Tags.Tag) != 1 || p.Tags.Tag[0].TagValue != "gold" {
		t.Errorf("described policy: %+v", p)
	}

	// A disk follows one policy: applying another moves it.
	other := e.createPolicy(func(r *ecs.CreateAutoSnapshotPolicyRequest) { r.AutoSnapshotPolicyName = "other" })
	e.applyPolicy(id, SeedDiskCoreDBData, SeedDiskCoreAppData)
	e.applyPolicy(other, SeedDiskCoreAppData)
	if a, b := e.describePolicy(id).DiskNums, e.describePolicy(other).DiskNums; a != 1 || b != 1 {
		t.Errorf("after moving a disk: DiskNums %d and %d", a, b)
	}
	if got := e.diskPolicy(SeedDiskCoreAppData); got != other {
		t.Errorf("moved disk policy = %s", got)
	}

	// Policies are taggable as ResourceType snapshotpolicy.
	tag := ecs.CreateTagResourcesRequest()
	tag.ResourceType = "snapshotpolicy"
	tag.ResourceId = &[]string{other}
	tag.Tag = &[]ecs.TagResourcesTag{{Key: "tier", Value: "silver"}}
	if _, err := e.bj.TagResources(tag); err != nil {
		t.Fatal(err)
	}
	byTag := ecs.CreateDescribeAutoSnapshotPolicyExRequest()
	byTag.Tag = &[]ecs.DescribeAutoSnapshotPolicyExTag{{Key: "tier", Value: "silver"}}
	if r, err := e.bj.DescribeAutoSnapshotPolicyEx(byTag); err != nil || r.TotalCount != 1 ||
		r.AutoSnapshotPolicies.AutoSnapshotPolicy[0].AutoSnapshotPolicyId != other {
		t.Errorf("policies tagged tier=silver: %v %v", r, err)
	}
	lt := ecs.CreateListTagResourcesRequest()
	lt.ResourceType = "snapshotpolicy"
	lt.Tag = &[]ecs.ListTagResourcesTag{{Key: "tier"}}
	if r, err := e.bj.ListTagResources(lt); err != nil || len(r.TagResources.TagResource) != 2 {
		t.Errorf("ListTagResources snapshotpolicy: %v %v", r, err)
	}

	list := ecs.CreateDescribeAutoSnapshotPolicyExRequest()
	list.PageSize = requests.NewInteger(1)
	resp, err := e.bj.DescribeAutoSnapshotPolicyEx(list)
	if err != nil {
		t.Fatal(err)
	}
	if resp.TotalCount != 2 || len(resp.AutoSnapshotPolicies.AutoSnapshotPolicy) != 1 {
		t.Errorf("paging: total %d, page of %d", resp.TotalCount, len(resp.AutoSnapshotPolicies.AutoSnapshotPolicy))
	}

	// Deleting a policy cancels it from its disks.
	del := ecs.CreateDeleteAutoSnapshotPolicyRequest()
	del.AutoSnapshotPolicyId = id
	if _, err := e.bj.DeleteAutoSnapshotPolicy(del); err != nil {
		t.Fatal(err)
	}
	if got := e.diskPolicy(SeedDiskCoreDBData); got != "" {
		t.Errorf("disk keeps deleted policy %s", got)
	}
	// The service's code for a missing policy is ParameterInvalid with 404.
	_, err = e.bj.DeleteAutoSnapshotPolicy(del)
	wantAPIError(t, err, 404, "ParameterInvalid")

	apply := ecs.CreateApplyAutoSnapshotPolicyRequest()
	apply.AutoSnapshotPolicyId = other
	apply.DiskIds = jsonList("d-2zenothere0000000000")
	_, err = e.bj.ApplyAutoSnapshotPolicy(apply)
	wantAPIError(t, err, 404, "InvalidDiskId.NotFound")

	// The policy is regional.
	shApply := ecs.CreateApplyAutoSnapshotPolicyRequest()
	shApply.AutoSnapshotPolicyId = other
	shApply.DiskIds = jsonList(SeedDiskCoreDBData)
	_, err = e.sh.ApplyAutoSnapshotPolicy(shApply)
	wantAPIError(t, err, 404, "ParameterInvalid")
	badIDs := ecs.CreateApplyAutoSnapshotPolicyRequest()
	badIDs.AutoSnapshotPolicyId = other
	badIDs.DiskIds = "not-json"
	_, err = e.bj.ApplyAutoSnapshotPolicy(badIDs)
	wantAPIError(t, err, 403, "ParameterInvalid")

	for _, tc := range []struct {
		mod    func(*ecs.CreateAutoSnapshotPolicyRequest)
		status int
		code   string
		msg    string
	}{
		{func(r *ecs.CreateAutoSnapshotPolicyRequest) { r.TimePoints = `["24"]` }, 403, "ParameterInvalid", "TimePoints"},
		{func(r *ecs.CreateAutoSnapshotPolicyRequest) { r.RepeatWeekdays = `["0"]` }, 403, "ParameterInvalid", "RepeatWeekDays"},
		{func(r *ecs.CreateAutoSnapshotPolicyRequest) { r.RetentionDays = requests.NewInteger(0) }, 403, "ParameterInvalid", "RetentionDays"},
		{func(r *ecs.CreateAutoSnapshotPolicyRequest) { r.TimePoints = "" }, 400, "MissingParameter", "timePoints"},
		{func(r *ecs.CreateAutoSnapshotPolicyRequest) {
			r.EnableCrossRegionCopy = requests.NewBoolean(true)
			r.TargetCopyRegions = `["mars-1"]`
		}, 400, "InvalidTargetCopyRegions.Malformed", "mars-1"},
	} {
		req := ecs.CreateCreateAutoSnapshotPolicyRequest()
		req.TimePoints = `["2"]`
		req.RepeatWeekdays = `["1"]`
		req.RetentionDays = requests.NewInteger(3)
		tc.mod(req)
		_, err := e.bj.CreateAutoSnapshotPolicy(req)
		wantAPIError(t, err, tc.status, tc.code)
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s error does not name %s: %v", tc.code, tc.msg, err)
		}
	}
	// A bad modification changes nothing.
	mod := ecs.CreateModifyAutoSnapshotPolicyExRequest()
	mod.AutoSnapshotPolicyId = other
	mod.AutoSnapshotPolicyName = "renamed"
	mod.TimePoints = `["99"]`
	_, err = e.bj.ModifyAutoSnapshotPolicyEx(mod)
	wantAPIError(t, err, 403, "ParameterInvalid")
	if p := e.describePolicy(other); p.AutoSnapshotPolicyName != "other" {
		t.Errorf("failed modify renamed the policy to %s", p.AutoSnapshotPolicyName)
	}
}

// TestPolicyYearCatchUpWithRunSchedules moves the clock a year at once and
// runs the scheduler through the Go API, without any request.
func TestPolicyYearCatchUpWithRunSchedules(t *testing.T) {
	e, id := newPolicyEnv(t, func(r *ecs.CreateAutoSnapshotPolicyRequest) {
		r.TimePoints = `["1","9","17"]`
		r.RetentionDays = requests.NewInteger(7)
	})
	e.applyPolicy(id, SeedDiskCoreDBSys, SeedDiskCoreDBData)
	e.clock.Advance(365 * 24 * time.Hour)
	e.srv.RunSchedules()
	st := snapsOf(e.srv.ecs)
	e.srv.ecs.mu.Lock()
	n := len(st.snapshots)
	e.srv.ecs.mu.Unlock()
	want := 2 * len(expectedFires(policyStart, e.srv.now(), []int{1, 9, 17}, 7))
	if n != want || want != 2*21 {
		t.Fatalf("%d snapshots kept after a year, want %d (7 days x 3 a day x 2 disks)", n, want)
	}
}

// TestPolicyCatchesUpBeforeCoreActions releases a disk through the core's
// DeleteInstance after the clock moved: the fires due before the release
// still happen, so their cross-region copies exist.
func TestPolicyCatchesUpBeforeCoreActions(t *testing.T) {
	e, id := newPolicyEnv(t, func(r *ecs.CreateAutoSnapshotPolicyRequest) {
		r.EnableCrossRegionCopy = requests.NewBoolean(true)
		r.TargetCopyRegions = `["cn-shanghai"]`
	})
	e.applyPolicy(id, SeedDiskCoreAppData)
	e.clock.Advance(3 * 24 * time.Hour)
	del := ecs.CreateDeleteInstanceRequest()
	del.InstanceId = SeedInstanceCoreApp
	del.Force = requests.NewBoolean(true)
	if _, err := e.bj.DeleteInstance(del); err != nil {
		t.Fatal(err)
	}
	if n := len(e.allSnapshots(e.sh, nil)); n != 6 {
		t.Errorf("%d copies in cn-shanghai, want 6 (3 days x 2 fires before the disk went)", n)
	}
	if n := len(e.allSnapshots(e.bj, func(r *ecs.DescribeSnapshotsRequest) { r.SnapshotType = "auto" })); n != 0 {
		t.Errorf("%d auto snapshots of the released disk in %s", n, SeedRegion)
	}
}

// TestPolicyRefusesSeveralCopyRegions: TargetCopyRegions takes a single
// destination region, on create and on modify; a refused modify changes
// nothing.
func TestPolicyRefusesSeveralCopyRegions(t *testing.T) {
	e := newSnapEnv(t)
	e.clock.Set(policyStart)
	req := ecs.CreateCreateAutoSnapshotPolicyRequest()
	req.TimePoints, req.RepeatWeekdays, req.RetentionDays = `["2"]`, `["1"]`, requests.NewInteger(3)
	req.EnableCrossRegionCopy = requests.NewBoolean(true)
	req.TargetCopyRegions = `["cn-shanghai","cn-guangzhou"]`
	_, err := e.bj.CreateAutoSnapshotPolicy(req)
	wantAPIError(t, err, 400, "InvalidTargetCopyRegions.Malformed")

	id := e.createPolicy(func(r *ecs.CreateAutoSnapshotPolicyRequest) {
		r.EnableCrossRegionCopy = requests.NewBoolean(true)
		r.TargetCopyRegions = `["cn-shanghai"]`
	})
	mod := ecs.CreateModifyAutoSnapshotPolicyExRequest()
	mod.AutoSnapshotPolicyId = id
	mod.TargetCopyRegions = `["cn-shanghai","cn-guangzhou"]`
	_, err = e.bj.ModifyAutoSnapshotPolicyEx(mod)
	wantAPIError(t, err, 400, "InvalidTargetCopyRegions.Malformed")
	if p := e.describePolicy(id); p.TargetCopyRegions != `["cn-shanghai"]` {
		t.Errorf("refused modify changed TargetCopyRegions to %s", p.TargetCopyRegions)
	}
}
