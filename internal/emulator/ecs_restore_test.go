package emulator

import (
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// A recovery drill across the core and the snapshot feature: snapshot a
// seeded data disk, boot a new instance with a disk from it, verify with
// Cloud Assistant, release the instance.
func TestRestoreDrillFromSnapshot(t *testing.T) {
	srv, clock, client := startECS(t, SeedRegion)
	srv.SetDurations(Durations{SnapshotCreate: 5 * time.Second, InstanceCreate: 4 * time.Second, CommandRun: time.Second})

	snap := ecs.CreateCreateSnapshotRequest()
	snap.DiskId = SeedDiskCoreDBData
	snap.SnapshotName = "drill"
	created, err := client.CreateSnapshot(snap)
	if err != nil {
		t.Fatal(err)
	}

	run := runReq(SeedRegion)
	run.DataDisk = &[]ecs.RunInstancesDataDisk{{SnapshotId: created.SnapshotId, Category: "cloud_essd"}}
	clock.Advance(5 * time.Second)
	out, err := client.RunInstances(run)
	if err != nil {
		t.Fatal(err)
	}
	id := out.InstanceIdSets.InstanceIdSet[0]
	dreq := ecs.CreateDescribeDisksRequest()
	dreq.InstanceId = id
	dreq.DiskType = "data"
	disks, err := client.DescribeDisks(dreq)
	if err != nil || len(disks.Disks.Disk) != 1 || disks.Disks.Disk[0].Size != 200 || disks.Disks.Disk[0].SourceSnapshotId != created.SnapshotId {
		t.Fatalf("restored disk: %v %+v", err, disks)
	}

	// Not Running yet: the verification cannot run.
	if r := oneResult(t, client, runCommand(t, client, "test -d /data", "", id)); r.ErrorCode != "InstanceNotRunning" {
		t.Fatalf("early verification %+v", r)
	}
	clock.Advance(4 * time.Second)
	inv := runCommand(t, client, "test -d /data", "", id)
	clock.Advance(time.Second)
	if r := oneResult(t, client, inv); r.InvocationStatus != "Success" {
		t.Fatalf("verification %+v", r)
	}

	del := ecs.CreateDeleteInstanceRequest()
	del.InstanceId = id
	del.Force = "true"
	if _, err := client.DeleteInstance(del); err != nil {
		t.Fatal(err)
	}
	if disks, err := client.DescribeDisks(dreq); err != nil || disks.TotalCount != 0 {
		t.Fatalf("disks left after release: %v %+v", err, disks)
	}
}
