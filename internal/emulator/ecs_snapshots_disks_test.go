package emulator

import (
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

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
