package emulator

import (
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func diskByID(t *testing.T, client *ecs.Client, id string) (ecs.Disk, bool) {
	t.Helper()
	req := ecs.CreateDescribeDisksRequest()
	req.DiskIds = `["` + id + `"]`
	resp, err := client.DescribeDisks(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Disks.Disk) == 0 {
		return ecs.Disk{}, false
	}
	return resp.Disks.Disk[0], true
}

func TestDiskCreateAttachDetachDelete(t *testing.T) {
	srv, clock, client := startECS(t, SeedRegion)
	srv.SetDurations(Durations{DiskCreate: 3 * time.Second, DiskAttach: 2 * time.Second, DiskDetach: 2 * time.Second})
	srv.ecs.hooks.snapshot = func(_, _, id string) (int, bool) { return 80, id == "s-2zerestore0000000000" }

	create := ecs.CreateCreateDiskRequest()
	create.ZoneId = SeedZone
	create.DiskCategory = "cloud_essd"
	create.SnapshotId = "s-2zerestore0000000000"
	create.DiskName = "restored"
	create.ClientToken = "restore-1"
	resp, err := client.CreateDisk(create)
	if err != nil {
		t.Fatal(err)
	}
	id := resp.DiskId
	if d, _ := diskByID(t, client, id); d.Status != "Creating" || d.Size != 80 || d.SourceSnapshotId != "s-2zerestore0000000000" {
		t.Fatalf("new disk %+v", d)
	}
	// Same token, same payload: same disk.
	again := ecs.CreateCreateDiskRequest()
	again.ZoneId, again.DiskCategory, again.SnapshotId, again.DiskName, again.ClientToken = SeedZone, "cloud_essd", "s-2zerestore0000000000", "restored", "restore-1"
	if r2, err := client.CreateDisk(again); err != nil || r2.DiskId != id {
		t.Fatalf("replay: %v %+v", err, r2)
	}

	attach := ecs.CreateAttachDiskRequest()
	attach.DiskId = id
	attach.InstanceId = SeedInstanceCoreDB
	_, err = client.AttachDisk(attach)
	wantAPIError(t, err, 403, "IncorrectDiskStatus") // still Creating
	clock.Advance(3 * time.Second)
	if _, err := client.AttachDisk(attach); err != nil {
		t.Fatal(err)
	}
	if d, _ := diskByID(t, client, id); d.Status != "Attaching" || d.InstanceId != SeedInstanceCoreDB || d.Device != "/dev/xvdc" {
		t.Fatalf("attaching %+v", d)
	}
	clock.Advance(2 * time.Second)
	if d, _ := diskByID(t, client, id); d.Status != "In_use" {
		t.Fatalf("attached %+v", d)
	}
	del := ecs.CreateDeleteDiskRequest()
	del.DiskId = id
	_, err = client.DeleteDisk(del)
	wantAPIError(t, err, 403, "IncorrectDiskStatus")

	resize := ecs.CreateResizeDiskRequest()
	resize.DiskId = id
	resize.NewSize = "60"
	_, err = client.ResizeDisk(resize)
	wantAPIError(t, err, 400, "InvalidDiskSize.TooSmall")
	resize = ecs.CreateResizeDiskRequest()
	resize.DiskId = id
	resize.NewSize = "120"
	if _, err := client.ResizeDisk(resize); err != nil {
		t.Fatal(err)
	}

	detach := ecs.CreateDetachDiskRequest()
	detach.DiskId = id
	detach.InstanceId = SeedInstanceCoreDB
	if _, err := client.DetachDisk(detach); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Second)
	if d, _ := diskByID(t, client, id); d.Status != "Available" || d.InstanceId != "" || d.Size != 120 {
		t.Fatalf("detached %+v", d)
	}
	if _, err := client.DeleteDisk(del); err != nil {
		t.Fatal(err)
	}
	if _, ok := diskByID(t, client, id); ok {
		t.Fatal("deleted disk still described")
	}
}

func TestDiskErrorsAndSystemDiskSwap(t *testing.T) {
	_, client := instantECS(t)

	create := ecs.CreateCreateDiskRequest()
	create.ZoneId = SeedZone
	create.DiskCategory = "cloud_essd"
	create.SnapshotId = "s-2zenothere0000000000"
	_, err := client.CreateDisk(create)
	wantAPIError(t, err, 404, "InvalidSnapshotId.NotFound")

	create = ecs.CreateCreateDiskRequest()
	create.ZoneId = SeedZone
	create.DiskCategory = "cloud_essd"
	_, err = client.CreateDisk(create)
	wantAPIError(t, err, 400, "MissingParameter")

	create = ecs.CreateCreateDiskRequest()
	create.ZoneId = SeedRegion + "-i"
	create.DiskCategory = "cloud_essd"
	create.Size = "40"
	other, err := client.CreateDisk(create)
	if err != nil {
		t.Fatal(err)
	}
	attach := ecs.CreateAttachDiskRequest()
	attach.DiskId = other.DiskId
	attach.InstanceId = SeedInstanceCoreDB
	_, err = client.AttachDisk(attach)
	wantAPIError(t, err, 403, "InvalidInstanceId.ZoneMismatch")

	// Swapping a system disk needs the instance stopped.
	detach := ecs.CreateDetachDiskRequest()
	detach.DiskId = SeedDiskCoreDBSys
	detach.InstanceId = SeedInstanceCoreDB
	_, err = client.DetachDisk(detach)
	wantAPIError(t, err, 403, "IncorrectInstanceStatus")
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = SeedInstanceCoreDB
	if _, err := client.StopInstance(stop); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DetachDisk(detach); err != nil {
		t.Fatal(err)
	}
	create = ecs.CreateCreateDiskRequest()
	create.ZoneId = SeedZone
	create.DiskCategory = "cloud_essd"
	create.Size = "40"
	fresh, err := client.CreateDisk(create)
	if err != nil {
		t.Fatal(err)
	}
	boot := ecs.CreateAttachDiskRequest()
	boot.DiskId = fresh.DiskId
	boot.InstanceId = SeedInstanceCoreDB
	boot.Bootable = "true"
	if _, err := client.AttachDisk(boot); err != nil {
		t.Fatal(err)
	}
	if d, _ := diskByID(t, client, fresh.DiskId); d.Type != "system" || d.Device != "/dev/xvda" || d.Status != "In_use" {
		t.Fatalf("new system disk %+v", d)
	}
	boot2 := ecs.CreateAttachDiskRequest()
	boot2.DiskId = SeedDiskCoreDBSys
	boot2.InstanceId = SeedInstanceCoreDB
	boot2.Bootable = "true"
	_, err = client.AttachDisk(boot2)
	wantAPIError(t, err, 403, "InvalidOperation.InstanceHasSystemDisk")
}
