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

func TestRunInstancesClientToken(t *testing.T) {
	_, _, client := startECS(t, SeedRegion)
	req := runReq(SeedRegion)
	req.Amount = "2"
	req.ClientToken = "token-1"
	first, err := client.RunInstances(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.InstanceIdSets.InstanceIdSet) != 2 {
		t.Fatalf("amount 2 gave %v", first.InstanceIdSets.InstanceIdSet)
	}
	again := runReq(SeedRegion)
	again.Amount = "2"
	again.ClientToken = "token-1"
	second, err := client.RunInstances(again)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.InstanceIdSets.InstanceIdSet) != 2 || second.InstanceIdSets.InstanceIdSet[0] != first.InstanceIdSets.InstanceIdSet[0] ||
		second.InstanceIdSets.InstanceIdSet[1] != first.InstanceIdSets.InstanceIdSet[1] {
		t.Fatalf("retry created new instances: %v vs %v", second.InstanceIdSets.InstanceIdSet, first.InstanceIdSets.InstanceIdSet)
	}
	list, err := client.DescribeInstances(ecs.CreateDescribeInstancesRequest())
	if err != nil || list.TotalCount != 4 { // 2 seeded + 2
		t.Fatalf("total %d, %v", list.TotalCount, err)
	}
	for _, in := range list.Instances.Instance {
		if in.InstanceId == first.InstanceIdSets.InstanceIdSet[0] && in.InstanceName != "web" {
			t.Errorf("without UniqueSuffix the name stays %q, got %q", "web", in.InstanceName)
		}
	}
	suffixed := runReq(SeedRegion)
	suffixed.Amount = "2"
	suffixed.UniqueSuffix = "true"
	two, err := client.RunInstances(suffixed)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, id := range two.InstanceIdSets.InstanceIdSet {
		names[describeOne(t, client, id).InstanceName] = true
	}
	if !names["web001"] || !names["web002"] {
		t.Errorf("UniqueSuffix names %v", names)
	}

	changed := runReq(SeedRegion)
	changed.Amount = "2"
	changed.InstanceType = "ecs.g7.xlarge"
	changed.ClientToken = "token-1"
	_, err = client.RunInstances(changed)
	wantAPIError(t, err, 400, "IdempotentParameterMismatch")
}

func TestRunInstancesValidation(t *testing.T) {
	srv, _, client := startECS(t, SeedRegion)
	srv.ecs.hooks.snapshot = func(_, _, id string) (int, bool) {
		if id == "s-2zeexisting000000000" {
			return 50, true
		}
		return 0, false
	}
	cases := []struct {
		name   string
		mod    func(r *ecs.RunInstancesRequest)
		status int
		code   string
	}{
		{"dry run", func(r *ecs.RunInstancesRequest) { r.DryRun = "true" }, 400, "DryRunOperation"},
		{"unknown image", func(r *ecs.RunInstancesRequest) { r.ImageId = "m-2zenothere0000000000" }, 404, "InvalidImageId.NotFound"},
		{"unknown type", func(r *ecs.RunInstancesRequest) { r.InstanceType = "ecs.zz9.huge" }, 400, "InvalidInstanceType.ValueNotSupported"},
		{"system disk smaller than image", func(r *ecs.RunInstancesRequest) {
			r.ImageId = "win2022_21H2_x64_dtc_zh-cn_40G_alibase_20240816.vhd"
			r.SystemDiskSize = "30"
		}, 400, "InvalidSystemDiskSize.LessThanImageSize"},
		{"bad system disk category", func(r *ecs.RunInstancesRequest) { r.SystemDiskCategory = "floppy" }, 400, "InvalidSystemDiskCategory.ValueNotSupported"},
		{"unknown vswitch", func(r *ecs.RunInstancesRequest) { r.VSwitchId = "vsw-2zenothere000000000" }, 404, "InvalidVSwitchId.NotFound"},
		{"vswitch in another zone", func(r *ecs.RunInstancesRequest) { r.ZoneId = SeedRegion + "-k" }, 400, "InvalidParameter.Mismatch"},
		{"unknown security group", func(r *ecs.RunInstancesRequest) { r.SecurityGroupId = "sg-2zenothere00000000000" }, 404, "InvalidSecurityGroupId.NotFound"},
		{"missing image", func(r *ecs.RunInstancesRequest) { r.ImageId = "" }, 400, "MissingParameter"},
		{"unknown snapshot", func(r *ecs.RunInstancesRequest) {
			r.DataDisk = &[]ecs.RunInstancesDataDisk{{SnapshotId: "s-2zenothere0000000000"}}
		}, 404, "InvalidSnapshotId.NotFound"},
		{"data disk smaller than snapshot", func(r *ecs.RunInstancesRequest) {
			r.DataDisk = &[]ecs.RunInstancesDataDisk{{SnapshotId: "s-2zeexisting000000000", Size: "40"}}
		}, 400, "InvalidDataDiskSize.ValueNotSupported"},
		{"private ip outside vswitch", func(r *ecs.RunInstancesRequest) { r.PrivateIpAddress = "10.0.0.5" }, 400, "InvalidPrivateIpAddress"},
		{"amount 0", func(r *ecs.RunInstancesRequest) { r.Amount = "0" }, 400, "InvalidParameter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := runReq(SeedRegion)
			tc.mod(req)
			_, err := client.RunInstances(req)
			wantAPIError(t, err, tc.status, tc.code)
		})
	}
	list, err := client.DescribeInstances(ecs.CreateDescribeInstancesRequest())
	if err != nil || list.TotalCount != 2 {
		t.Fatalf("failed calls created instances: total %d %v", list.TotalCount, err)
	}

	// A data disk from an existing snapshot takes the snapshot's size.
	req := runReq(SeedRegion)
	req.DataDisk = &[]ecs.RunInstancesDataDisk{{SnapshotId: "s-2zeexisting000000000", Category: "cloud_essd"}}
	req.PrivateIpAddress = "172.16.0.200"
	run, err := client.RunInstances(req)
	if err != nil {
		t.Fatal(err)
	}
	id := run.InstanceIdSets.InstanceIdSet[0]
	if ip := describeOne(t, client, id).VpcAttributes.PrivateIpAddress.IpAddress[0]; ip != "172.16.0.200" {
		t.Errorf("private ip %s", ip)
	}
	dreq := ecs.CreateDescribeDisksRequest()
	dreq.InstanceId = id
	dreq.DiskType = "data"
	disks, err := client.DescribeDisks(dreq)
	if err != nil || len(disks.Disks.Disk) != 1 || disks.Disks.Disk[0].Size != 50 || disks.Disks.Disk[0].SourceSnapshotId != "s-2zeexisting000000000" {
		t.Fatalf("snapshot disk: %v %+v", err, disks)
	}
	// The address is now taken.
	_, err = client.RunInstances(req)
	wantAPIError(t, err, 400, "InvalidPrivateIpAddress.Duplicated")
}

func TestDescribePagingAndConsistency(t *testing.T) {
	srv, _, client := startECS(t, SeedRegion)
	srv.SetDurations(InstantDurations())
	req := runReq(SeedRegion)
	req.Amount = "5"
	if _, err := client.RunInstances(req); err != nil {
		t.Fatal(err)
	}
	// Token paging visits all 7 instances once.
	seen := map[string]bool{}
	token := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		dreq := ecs.CreateDescribeInstancesRequest()
		dreq.MaxResults = "3"
		dreq.NextToken = token
		resp, err := client.DescribeInstances(dreq)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range resp.Instances.Instance {
			if seen[in.InstanceId] {
				t.Fatalf("%s twice", in.InstanceId)
			}
			seen[in.InstanceId] = true
		}
		if token = resp.NextToken; token == "" {
			break
		}
	}
	if len(seen) != 7 {
		t.Fatalf("saw %d instances", len(seen))
	}
	// Page mode.
	preq := ecs.CreateDescribeInstancesRequest()
	preq.PageSize = "4"
	preq.PageNumber = "2"
	page, err := client.DescribeInstances(preq)
	if err != nil || len(page.Instances.Instance) != 3 || page.TotalCount != 7 || page.PageNumber != 2 {
		t.Fatalf("page 2: %v %+v", err, page)
	}
	bad := ecs.CreateDescribeInstancesRequest()
	bad.NextToken = "garbage"
	_, err = client.DescribeInstances(bad)
	wantAPIError(t, err, 400, "InvalidParameter.NextToken")

	// Eventual consistency: a new instance misses its first 2 describes.
	srv.SetEventualConsistency(2)
	run, err := client.RunInstances(runReq(SeedRegion))
	if err != nil {
		t.Fatal(err)
	}
	id := run.InstanceIdSets.InstanceIdSet[0]
	ids, _ := json.Marshal([]string{id})
	for i, want := range []int{0, 0, 1, 1} {
		dreq := ecs.CreateDescribeInstancesRequest()
		dreq.InstanceIds = string(ids)
		resp, err := client.DescribeInstances(dreq)
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Instances.Instance) != want {
			t.Fatalf("describe %d: %d instances, want %d", i+1, len(resp.Instances.Instance), want)
		}
	}
}

func TestDeleteInstancesBatch(t *testing.T) {
	srv, _, client := startECS(t, SeedRegion)
	srv.SetDurations(InstantDurations())
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

func TestSecondaryPrivateIPs(t *testing.T) {
	srv, _, client := startECS(t, SeedRegion)
	srv.SetDurations(InstantDurations())
	req := primaryNICReq("2")
	run, err := client.RunInstances(req)
	if err != nil {
		t.Fatal(err)
	}
	in := describeOne(t, client, run.InstanceIdSets.InstanceIdSet[0])
	sets := in.NetworkInterfaces.NetworkInterface[0].PrivateIpSets.PrivateIpSet
	if len(sets) != 3 || !sets[0].Primary || sets[1].Primary || sets[0].PrivateIpAddress != in.VpcAttributes.PrivateIpAddress.IpAddress[0] {
		t.Fatalf("private ip sets %+v", sets)
	}
	if in.VpcAttributes.VSwitchId != SeedVSwitchBeijing || len(in.SecurityGroupIds.SecurityGroupId) != 1 || in.SecurityGroupIds.SecurityGroupId[0] != SeedSecurityGroupBJ {
		t.Fatalf("the primary interface's vSwitch and security group were not used: %+v", in)
	}
	seen := map[string]bool{}
	for _, s := range sets {
		if seen[s.PrivateIpAddress] || !inCIDR(s.PrivateIpAddress, "172.16.0.0/24") {
			t.Fatalf("bad or duplicate address %s", s.PrivateIpAddress)
		}
		seen[s.PrivateIpAddress] = true
	}
	_, err = client.RunInstances(primaryNICReq("50"))
	wantAPIError(t, err, 400, "InvalidParameter")
}

// primaryNICReq is a RunInstances request whose primary network interface
// carries the vSwitch, the security group and secondary IPs.
func primaryNICReq(secondary string) *ecs.RunInstancesRequest {
	req := runReq(SeedRegion)
	req.VSwitchId, req.SecurityGroupId = "", ""
	req.NetworkInterface = &[]ecs.RunInstancesNetworkInterface{{
		InstanceType: "Primary", VSwitchId: SeedVSwitchBeijing, SecurityGroupIds: &[]string{SeedSecurityGroupBJ},
	}}
	req.GetQueryParams()["NetworkInterface.1.SecondaryPrivateIpAddressCount"] = secondary
	return req
}

// TestRunInstancesNetworkInterfaceRules: SecondaryPrivateIpAddressCount
// exists only inside NetworkInterface.N, and a Primary interface takes the
// vSwitch and security groups instead of the top-level parameters.
func TestRunInstancesNetworkInterfaceRules(t *testing.T) {
	srv, _, client := startECS(t, SeedRegion)
	srv.SetDurations(InstantDurations())
	top := runReq(SeedRegion)
	top.GetQueryParams()["SecondaryPrivateIpAddressCount"] = "2"
	_, err := client.RunInstances(top)
	wantAPIError(t, err, 400, "InvalidParameter")

	both := primaryNICReq("1")
	both.VSwitchId = SeedVSwitchBeijing
	_, err = client.RunInstances(both)
	wantAPIError(t, err, 400, "InvalidParameter.Conflict")

	bothSG := primaryNICReq("1")
	bothSG.SecurityGroupId = SeedSecurityGroupBJ
	_, err = client.RunInstances(bothSG)
	wantAPIError(t, err, 400, "InvalidParameter.Conflict")

	noVSwitch := primaryNICReq("1")
	(*noVSwitch.NetworkInterface)[0].VSwitchId = ""
	_, err = client.RunInstances(noVSwitch)
	wantAPIError(t, err, 400, "MissingParameter")
}

func TestNewDisksLagToo(t *testing.T) {
	srv, _, client := startECS(t, SeedRegion)
	srv.SetDurations(InstantDurations())
	srv.SetEventualConsistency(1)
	create := ecs.CreateCreateDiskRequest()
	create.ZoneId = SeedZone
	create.DiskCategory = "cloud_essd"
	create.Size = "20"
	d, err := client.CreateDisk(create)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := diskByID(t, client, d.DiskId); ok {
		t.Fatal("new disk visible on the first describe")
	}
	if _, ok := diskByID(t, client, d.DiskId); !ok {
		t.Fatal("new disk still missing on the second describe")
	}
}

// Concurrent calls are serialised by the service; run with -race. Each
// goroutine has its own SDK client: ecs.Client itself is not safe for
// concurrent use (DoAction writes the shared http.Client's timeout).
func TestConcurrentRunAndDescribe(t *testing.T) {
	srv, _, client := startECS(t, SeedRegion)
	srv.SetDurations(InstantDurations())
	const n = 8
	errs := make(chan error, 2*n)
	for i := 0; i < n; i++ {
		runner := ecsClient(t, srv, SeedRegion, DefaultAccessKeyID, DefaultAccessKeySecret)
		reader := ecsClient(t, srv, SeedRegion, DefaultAccessKeyID, DefaultAccessKeySecret)
		go func() {
			_, err := runner.RunInstances(runReq(SeedRegion))
			errs <- err
		}()
		go func() {
			_, err := reader.DescribeInstances(ecs.CreateDescribeInstancesRequest())
			errs <- err
		}()
	}
	for i := 0; i < 2*n; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	list, err := client.DescribeInstances(ecs.CreateDescribeInstancesRequest())
	if err != nil || list.TotalCount != n+2 {
		t.Fatalf("total %d, %v", list.TotalCount, err)
	}
}

// A small vSwitch runs out of addresses; the failing call creates nothing.
func TestRunInstancesIPExhaustion(t *testing.T) {
	srv, _, client := startECS(t, SeedRegion)
	srv.SetDurations(InstantDurations())
	// A /27 has hosts .11 to .30 for automatic addresses: 20.
	srv.ecs.mu.Lock()
	srv.ecs.account(DefaultAccountID).regions[SeedRegion].vswitches[SeedVSwitchBeijing].CIDR = "172.16.0.0/27"
	srv.ecs.mu.Unlock()
	req := runReq(SeedRegion)
	req.Amount = "18" // 2 seeded instances hold two addresses already
	if _, err := client.RunInstances(req); err != nil {
		t.Fatal(err)
	}
	more := runReq(SeedRegion)
	more.Amount = "2"
	_, err := client.RunInstances(more)
	wantAPIError(t, err, 403, "InvalidVSwitchId.IpNotEnough")
	lreq := ecs.CreateDescribeInstancesRequest()
	lreq.PageSize = "100"
	list, err := client.DescribeInstances(lreq)
	if err != nil || list.TotalCount != 20 || len(list.Instances.Instance) != 20 {
		t.Fatalf("total %d after failed call, %v", list.TotalCount, err)
	}
	dreq := ecs.CreateDescribeDisksRequest()
	disks, err := client.DescribeDisks(dreq)
	if err != nil || disks.TotalCount != 2*2+18 {
		t.Fatalf("disks %d after failed call, %v", disks.TotalCount, err)
	}
	seen := map[string]bool{}
	for _, in := range list.Instances.Instance {
		ip := in.VpcAttributes.PrivateIpAddress.IpAddress[0]
		if seen[ip] || !inCIDR(ip, "172.16.0.0/27") {
			t.Fatalf("address %s reused or outside the block", ip)
		}
		seen[ip] = true
	}
}

// TestRunInstancesDiskBounds: data disk sizes as the RunInstances reference
// gives them: ESSD (PL1) up to 65536 GiB, PL0 from 1 GiB.
func TestRunInstancesDiskBounds(t *testing.T) {
	srv, _, client := startECS(t, SeedRegion)
	srv.SetDurations(InstantDurations())
	run := func(size, pl string) error {
		req := runReq(SeedRegion)
		req.DataDisk = &[]ecs.RunInstancesDataDisk{{Category: "cloud_essd", Size: size, PerformanceLevel: pl}}
		_, err := client.RunInstances(req)
		return err
	}
	if err := run("65536", ""); err != nil {
		t.Errorf("65536 GiB ESSD: %v", err)
	}
	if err := run("1", "PL0"); err != nil {
		t.Errorf("1 GiB PL0 ESSD: %v", err)
	}
	wantAPIError(t, run("65537", ""), 400, "InvalidDataDiskSize.ValueNotSupported")
	wantAPIError(t, run("10", ""), 400, "InvalidDataDiskSize.ValueNotSupported")
	wantAPIError(t, run("100", "PL2"), 400, "InvalidDataDiskSize.ValueNotSupported")
}
