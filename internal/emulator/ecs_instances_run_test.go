package emulator

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

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

func TestSecondaryPrivateIPs(t *testing.T) {
	_, client := instantECS(t)
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
	_, client := instantECS(t)
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

// A small vSwitch runs out of addresses; the failing call creates nothing.
func TestRunInstancesIPExhaustion(t *testing.T) {
	srv, client := instantECS(t)
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
	_, client := instantECS(t)
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
