package emulator

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func runReq(region string) *ecs.RunInstancesRequest { //nolint:unparam // tests name their region
	req := ecs.CreateRunInstancesRequest()
	req.RegionId = region
	req.ImageId = "aliyun_3_x64_20G_alibase_20240819.vhd"
	req.InstanceType = "ecs.g7.large"
	req.VSwitchId = SeedVSwitchBeijing
	req.SecurityGroupId = SeedSecurityGroupBJ
	req.InstanceName = "web"
	return req
}

func describeOne(t *testing.T, client *ecs.Client, id string) ecs.Instance {
	t.Helper()
	req := ecs.CreateDescribeInstancesRequest()
	ids, _ := json.Marshal([]string{id})
	req.InstanceIds = string(ids)
	resp, err := client.DescribeInstances(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Instances.Instance) != 1 {
		t.Fatalf("describe %s: %d instances", id, len(resp.Instances.Instance))
	}
	return resp.Instances.Instance[0]
}

func TestSeededWorld(t *testing.T) {
	_, _, client := startECS(t, SeedRegion)
	req := ecs.CreateDescribeInstancesRequest()
	req.Tag = &[]ecs.DescribeInstancesTag{{Key: "app", Value: "core"}}
	resp, err := client.DescribeInstances(req)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]ecs.Instance{}
	for _, in := range resp.Instances.Instance {
		names[in.InstanceName] = in
	}
	db, ok := names["core-db"]
	if resp.TotalCount != 2 || !ok || db.InstanceId != SeedInstanceCoreDB || db.Status != "Running" {
		t.Fatalf("seeded instances: %+v", resp.Instances.Instance)
	}
	if db.VpcAttributes.VSwitchId != SeedVSwitchBeijing || db.VpcAttributes.PrivateIpAddress.IpAddress[0] == "" ||
		db.SecurityGroupIds.SecurityGroupId[0] != SeedSecurityGroupBJ || db.ZoneId != SeedZone || db.Cpu != 4 || db.Memory != 16384 {
		t.Fatalf("core-db view: %+v", db)
	}

	dreq := ecs.CreateDescribeDisksRequest()
	dreq.InstanceId = SeedInstanceCoreDB
	disks, err := client.DescribeDisks(dreq)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]ecs.Disk{}
	for _, d := range disks.Disks.Disk {
		types[d.Type] = d
	}
	if len(disks.Disks.Disk) != 2 || types["system"].DiskId != SeedDiskCoreDBSys || types["data"].DiskId != SeedDiskCoreDBData ||
		types["data"].Size != 200 || types["data"].Device != "/dev/xvdb" || types["system"].Status != "In_use" {
		t.Fatalf("core-db disks: %+v", disks.Disks.Disk)
	}

	// Other regions are empty but have their network.
	sreq := ecs.CreateDescribeInstancesRequest()
	sreq.RegionId = "cn-shanghai"
	empty, err := client.DescribeInstances(sreq)
	if err != nil || empty.TotalCount != 0 || empty.Instances.Instance == nil {
		t.Fatalf("shanghai: %v %+v", err, empty)
	}
	vreq := ecs.CreateDescribeVSwitchesRequest()
	vreq.RegionId = "cn-shanghai"
	vsw, err := client.DescribeVSwitches(vreq)
	if err != nil || len(vsw.VSwitches.VSwitch) != 1 || vsw.VSwitches.VSwitch[0].ZoneId != "cn-shanghai-e" {
		t.Fatalf("shanghai vswitches: %v %+v", err, vsw)
	}
	greq := ecs.CreateDescribeSecurityGroupsRequest()
	sgs, err := client.DescribeSecurityGroups(greq)
	if err != nil || len(sgs.SecurityGroups.SecurityGroup) != 1 || sgs.SecurityGroups.SecurityGroup[0].SecurityGroupId != SeedSecurityGroupBJ {
		t.Fatalf("beijing security groups: %v %+v", err, sgs)
	}
}

func TestInstanceLifecycleOnManualClock(t *testing.T) {
	srv, clock, client := startECS(t, SeedRegion)
	srv.SetDurations(Durations{InstanceCreate: 10 * time.Second, InstanceStart: 4 * time.Second, InstanceStop: 4 * time.Second})

	req := runReq(SeedRegion)
	req.SystemDiskCategory = "cloud_essd"
	req.SystemDiskSize = "60"
	req.DataDisk = &[]ecs.RunInstancesDataDisk{{Category: "cloud_essd", Size: "100", DeleteWithInstance: "false"}}
	req.Tag = &[]ecs.RunInstancesTag{{Key: "env", Value: "dr"}}
	run, err := client.RunInstances(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.InstanceIdSets.InstanceIdSet) != 1 {
		t.Fatalf("ids %v", run.InstanceIdSets.InstanceIdSet)
	}
	id := run.InstanceIdSets.InstanceIdSet[0]
	if len(id) != 22 || id[:5] != "i-2ze" {
		t.Errorf("instance id %q not in the real format", id)
	}

	steps := []struct {
		advance time.Duration
		want    string
	}{{0, "Pending"}, {6 * time.Second, "Starting"}, {4 * time.Second, "Running"}}
	for _, s := range steps {
		clock.Advance(s.advance)
		if got := describeOne(t, client, id).Status; got != s.want {
			t.Fatalf("after %v: status %s, want %s", s.advance, got, s.want)
		}
	}
	inst := describeOne(t, client, id)
	if inst.InstanceName != "web" || inst.Tags.Tag[0].TagKey != "env" || inst.Tags.Tag[0].TagValue != "dr" {
		t.Fatalf("view %+v", inst)
	}

	dreq := ecs.CreateDescribeDisksRequest()
	dreq.InstanceId = id
	disks, err := client.DescribeDisks(dreq)
	if err != nil || len(disks.Disks.Disk) != 2 {
		t.Fatalf("disks: %v %+v", err, disks)
	}
	var dataDisk string
	for _, d := range disks.Disks.Disk {
		switch d.Type {
		case "system":
			if d.Size != 60 || d.Device != "/dev/xvda" || d.ImageId != req.ImageId {
				t.Errorf("system disk %+v", d)
			}
		case "data":
			dataDisk = d.DiskId
			if d.Size != 100 || d.Device != "/dev/xvdb" || d.DeleteWithInstance {
				t.Errorf("data disk %+v", d)
			}
		}
	}

	// Running without Force cannot be deleted.
	del := ecs.CreateDeleteInstanceRequest()
	del.InstanceId = id
	_, err = client.DeleteInstance(del)
	wantAPIError(t, err, 403, "IncorrectInstanceStatus")

	start := ecs.CreateStartInstanceRequest()
	start.InstanceId = id
	_, err = client.StartInstance(start)
	wantAPIError(t, err, 403, "IncorrectInstanceStatus")

	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = id
	if _, err := client.StopInstance(stop); err != nil {
		t.Fatal(err)
	}
	if got := describeOne(t, client, id).Status; got != "Stopping" {
		t.Fatalf("status %s, want Stopping", got)
	}
	_, err = client.DeleteInstance(del) // Stopping is not deletable either
	wantAPIError(t, err, 403, "IncorrectInstanceStatus")
	clock.Advance(4 * time.Second)
	if got := describeOne(t, client, id).Status; got != "Stopped" {
		t.Fatalf("status %s, want Stopped", got)
	}

	if _, err := client.StartInstance(start); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Second)
	if got := describeOne(t, client, id).Status; got != "Starting" {
		t.Fatalf("status %s, want Starting", got)
	}
	clock.Advance(2 * time.Second)
	if got := describeOne(t, client, id).Status; got != "Running" {
		t.Fatalf("status %s, want Running", got)
	}

	del.Force = "true"
	if _, err := client.DeleteInstance(del); err != nil {
		t.Fatal(err)
	}
	_, err = client.DeleteInstance(del)
	wantAPIError(t, err, 404, "InvalidInstanceId.NotFound")
	// The system disk went with the instance; the data disk stays, detached.
	all, err := client.DescribeDisks(func() *ecs.DescribeDisksRequest {
		r := ecs.CreateDescribeDisksRequest()
		ids, _ := json.Marshal([]string{dataDisk, disks.Disks.Disk[0].DiskId, disks.Disks.Disk[1].DiskId})
		r.DiskIds = string(ids)
		return r
	}())
	if err != nil || len(all.Disks.Disk) != 1 || all.Disks.Disk[0].DiskId != dataDisk ||
		all.Disks.Disk[0].Status != "Available" || all.Disks.Disk[0].InstanceId != "" {
		t.Fatalf("after release: %v %+v", err, all)
	}
}

func TestDeleteInstancesBatch(t *testing.T) {
	_, client := instantECS(t)
	req := runReq(SeedRegion)
	req.Amount = "2"
	run, err := client.RunInstances(req)
	if err != nil {
		t.Fatal(err)
	}
	ids := run.InstanceIdSets.InstanceIdSet
	del := ecs.CreateDeleteInstancesRequest()
	del.InstanceId = &ids
	_, err = client.DeleteInstances(del)
	wantAPIError(t, err, 403, "IncorrectInstanceStatus")
	del.Force = "true"
	del.DryRun = "true"
	_, err = client.DeleteInstances(del)
	wantAPIError(t, err, 400, "DryRunOperation")
	del.DryRun = "false"
	if _, err := client.DeleteInstances(del); err != nil {
		t.Fatal(err)
	}
	list, err := client.DescribeInstances(ecs.CreateDescribeInstancesRequest())
	if err != nil || list.TotalCount != 2 {
		t.Fatalf("after batch delete: %d %v", list.TotalCount, err)
	}
}

func TestInstanceStatusAndModifyAttribute(t *testing.T) {
	srv, _, client := startECS(t, SeedRegion)
	srv.SetDurations(Durations{InstanceStop: time.Minute})
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = SeedInstanceCoreApp
	if _, err := client.StopInstance(stop); err != nil {
		t.Fatal(err)
	}
	req := ecs.CreateDescribeInstanceStatusRequest()
	req.InstanceId = &[]string{SeedInstanceCoreApp, SeedInstanceCoreDB}
	st, err := client.DescribeInstanceStatus(req)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range st.InstanceStatuses.InstanceStatus {
		got[s.InstanceId] = s.Status
	}
	if st.TotalCount != 2 || got[SeedInstanceCoreApp] != "Stopping" || got[SeedInstanceCoreDB] != "Running" {
		t.Fatalf("statuses %v", got)
	}

	mod := ecs.CreateModifyInstanceAttributeRequest()
	mod.InstanceId = SeedInstanceCoreDB
	mod.InstanceName = "core-db-primary"
	mod.Description = "primary database"
	if _, err := client.ModifyInstanceAttribute(mod); err != nil {
		t.Fatal(err)
	}
	if in := describeOne(t, client, SeedInstanceCoreDB); in.InstanceName != "core-db-primary" || in.Description != "primary database" {
		t.Fatalf("after modify %+v", in)
	}
	bad := ecs.CreateModifyInstanceAttributeRequest()
	bad.InstanceId = SeedInstanceCoreDB
	bad.SecurityGroupIds = &[]string{"sg-2zenothere00000000000"}
	_, err = client.ModifyInstanceAttribute(bad)
	wantAPIError(t, err, 404, "InvalidSecurityGroupId.NotFound")
}

func TestBatchStartStop(t *testing.T) {
	srv, clock, client := startECS(t, SeedRegion)
	srv.SetDurations(Durations{InstanceStop: 5 * time.Second, InstanceStart: 5 * time.Second})
	stop := ecs.CreateStopInstanceRequest()
	stop.InstanceId = SeedInstanceCoreApp
	if _, err := client.StopInstance(stop); err != nil {
		t.Fatal(err)
	}
	clock.Advance(5 * time.Second)

	// AllTogether: core-app is already stopped, so nothing moves.
	all := ecs.CreateStopInstancesRequest()
	all.InstanceId = &[]string{SeedInstanceCoreDB, SeedInstanceCoreApp}
	_, err := client.StopInstances(all)
	wantAPIError(t, err, 403, "IncorrectInstanceStatus")
	if st := describeOne(t, client, SeedInstanceCoreDB).Status; st != "Running" {
		t.Fatalf("AllTogether failure moved core-db to %s", st)
	}

	sf := ecs.CreateStopInstancesRequest()
	sf.InstanceId = &[]string{SeedInstanceCoreDB, SeedInstanceCoreApp}
	sf.BatchOptimization = "SuccessFirst"
	resp, err := client.StopInstances(sf)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, r := range resp.InstanceResponses.InstanceResponse {
		codes[r.InstanceId] = r.Code
	}
	if codes[SeedInstanceCoreDB] != "200" || codes[SeedInstanceCoreApp] != "IncorrectInstanceStatus" {
		t.Fatalf("per-instance results %v", codes)
	}
	clock.Advance(5 * time.Second)

	start := ecs.CreateStartInstancesRequest()
	start.InstanceId = &[]string{SeedInstanceCoreDB, SeedInstanceCoreApp}
	if _, err := client.StartInstances(start); err != nil {
		t.Fatal(err)
	}
	clock.Advance(5 * time.Second)
	for _, id := range []string{SeedInstanceCoreDB, SeedInstanceCoreApp} {
		if st := describeOne(t, client, id).Status; st != "Running" {
			t.Fatalf("%s is %s after StartInstances", id, st)
		}
	}
}
