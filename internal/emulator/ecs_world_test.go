package emulator

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

func TestResetRestoresSeededWorld(t *testing.T) {
	srv, client := instantECS(t)
	if _, err := client.RunInstances(runReq(SeedRegion)); err != nil {
		t.Fatal(err)
	}
	del := ecs.CreateDeleteInstanceRequest()
	del.InstanceId = SeedInstanceCoreApp
	del.Force = "true"
	if _, err := client.DeleteInstance(del); err != nil {
		t.Fatal(err)
	}
	srv.ScriptCommand(SeedInstanceCoreDB, CommandOutcome{ExitCode: 9})

	srv.ecs.reset()

	list, err := client.DescribeInstances(ecs.CreateDescribeInstancesRequest())
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, in := range list.Instances.Instance {
		ids[in.InstanceId] = true
	}
	if len(ids) != 2 || !ids[SeedInstanceCoreDB] || !ids[SeedInstanceCoreApp] {
		t.Fatalf("after reset: %v", ids)
	}
	if srv.ecs.durations != DefaultDurations() {
		t.Errorf("durations not restored: %+v", srv.ecs.durations)
	}
	if _, ok := srv.ecs.scripts[SeedInstanceCoreDB]; ok {
		t.Error("command script survived reset")
	}
	dreq := ecs.CreateDescribeDisksRequest()
	raw, _ := json.Marshal([]string{SeedDiskCoreAppSys, SeedDiskCoreAppData, SeedDiskCoreDBSys, SeedDiskCoreDBData})
	dreq.DiskIds = string(raw)
	disks, err := client.DescribeDisks(dreq)
	if err != nil || disks.TotalCount != 4 {
		t.Fatalf("seeded disks after reset: %v %+v", err, disks)
	}
}

func TestRebootInstance(t *testing.T) {
	srv, clock, client := startECS(t, SeedRegion)
	srv.SetDurations(Durations{InstanceStop: 2 * time.Second, InstanceStart: 2 * time.Second})
	req := ecs.CreateRebootInstanceRequest()
	req.InstanceId = SeedInstanceCoreDB
	if _, err := client.RebootInstance(req); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Stopping", "Starting", "Running"} {
		if got := describeOne(t, client, SeedInstanceCoreDB).Status; got != want {
			t.Fatalf("status %s, want %s", got, want)
		}
		clock.Advance(2 * time.Second)
	}
}

// A ManualClock far from wall time breaks SDK calls (wall-clock
// timestamps) until the window is opened.
func TestTimestampWindow(t *testing.T) {
	srv, clock, client := startECS(t, SeedRegion)
	clock.Advance(3 * time.Hour)
	_, err := client.DescribeRegions(ecs.CreateDescribeRegionsRequest())
	wantAPIError(t, err, 400, "InvalidTimeStamp.Expired")
	srv.SetTimestampWindow(0)
	if _, err := client.DescribeRegions(ecs.CreateDescribeRegionsRequest()); err != nil {
		t.Fatal(err)
	}
}

// The exported seed ids are what the world really contains, in the real
// id format.
func TestSeedIDsMatchWorld(t *testing.T) {
	for _, tc := range []struct{ region, vpc, vsw, sg string }{
		{SeedRegion, SeedVpcBeijing, SeedVSwitchBeijing, SeedSecurityGroupBJ},
		{"cn-shanghai", SeedVpcShanghai, SeedVSwitchShanghai, SeedSecurityGroupShanghai},
	} {
		vpc, vsw, sg, ok := SeedNetwork(tc.region)
		if !ok || vpc != tc.vpc || vsw != tc.vsw || sg != tc.sg {
			t.Errorf("%s: SeedNetwork = %s %s %s %v", tc.region, vpc, vsw, sg, ok)
		}
	}
	if _, _, _, ok := SeedNetwork("mars-north-1"); ok {
		t.Error("unknown region has a network")
	}
	a := seedAccount(DefaultAccountID, true)
	bj := a.regions[SeedRegion]
	if bj.vpcs[SeedVpcBeijing] == nil || bj.vswitches[SeedVSwitchBeijing] == nil || bj.securityGroups[SeedSecurityGroupBJ] == nil {
		t.Fatal("beijing network ids missing from the world")
	}
	for _, id := range []string{SeedInstanceCoreDB, SeedInstanceCoreApp} {
		if bj.instances[id] == nil {
			t.Errorf("instance %s missing", id)
		}
	}
	for _, id := range []string{SeedDiskCoreDBSys, SeedDiskCoreDBData, SeedDiskCoreAppSys, SeedDiskCoreAppData} {
		if bj.disks[id] == nil {
			t.Errorf("disk %s missing", id)
		}
	}
	all := []string{SeedVpcBeijing, SeedVSwitchBeijing, SeedSecurityGroupBJ, SeedInstanceCoreDB, SeedInstanceCoreApp,
		SeedDiskCoreDBSys, SeedDiskCoreDBData, SeedDiskCoreAppSys, SeedDiskCoreAppData, SeedVpcShanghai, SeedVSwitchShanghai, SeedSecurityGroupShanghai}
	for _, id := range all {
		_, rest, _ := strings.Cut(id, "-")
		if len(rest) != 20 || strings.Trim(rest, idAlphabet) != "" {
			t.Errorf("%s is not prefix-<20 lowercase alnum>", id)
		}
	}
	// Other accounts get the network but not the core instances.
	if other := seedAccount("2000000000000002", false); len(other.regions[SeedRegion].instances) != 0 {
		t.Error("second account has the default account's instances")
	}
}
