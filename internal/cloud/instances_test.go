package cloud

import (
	"context"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"

	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

func testRunInput() RunInstanceInput {
	return RunInstanceInput{
		ImageID: "aliyun_3_x64_20G_alibase_20240819.vhd", InstanceType: "ecs.g7.large",
		VSwitchID: emulator.SeedVSwitchBeijing, SecurityGroupIDs: []string{emulator.SeedSecurityGroupBJ},
		Name: "restore-test", SystemDisk: InstanceDiskInput{Category: "cloud_essd", Size: 40},
		DataDisks:  []InstanceDiskInput{{Category: "cloud_essd", Size: 50}},
		PrivateIPs: 3, Tags: map[string]string{TagManagedBy: "test", "b": "2"},
	}
}

func TestRunInstanceLifecycle(t *testing.T) {
	ctx := context.Background()
	c := instancesClient(t)
	id, err := c.RunInstance(ctx, emulator.SeedRegion, testRunInput(), "tok-1")
	if err != nil {
		t.Fatal(err)
	}
	in, err := c.WaitInstanceStatus(ctx, emulator.SeedRegion, id, InstanceStatusRunning, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if in.InstanceType != "ecs.g7.large" || in.InstanceName != "restore-test" || in.ZoneId != emulator.SeedZone {
		t.Errorf("instance %+v", in)
	}
	if ips := InstancePrivateIPs(in); len(ips) != 3 {
		t.Errorf("private IPs %v, want 3", ips)
	}
	if tags := InstanceTags(in); tags[TagManagedBy] != "test" || tags["b"] != "2" {
		t.Errorf("tags %v", tags)
	}
	disks, err := c.ListDisks(ctx, emulator.SeedRegion, DiskFilter{InstanceID: id})
	if err != nil || len(disks) != 2 {
		t.Fatalf("disks %v %v", disks, err)
	}

	// The same token gives the same instance.
	again, err := c.RunInstance(ctx, emulator.SeedRegion, testRunInput(), "tok-1")
	if err != nil || again != id {
		t.Errorf("same token: %q, %v; want %q", again, err, id)
	}

	if err := c.StopInstance(ctx, emulator.SeedRegion, id); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitInstanceStatus(ctx, emulator.SeedRegion, id, InstanceStatusStopped, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := c.StartInstance(ctx, emulator.SeedRegion, id); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitInstanceStatus(ctx, emulator.SeedRegion, id, InstanceStatusRunning, time.Minute); err != nil {
		t.Fatal(err)
	}
	name := "renamed"
	if err := c.ModifyInstance(ctx, emulator.SeedRegion, id, ModifyInstanceInput{Name: &name}); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateResourceTags(ctx, emulator.SeedRegion, "instance", id, map[string]string{"c": "3"}, []string{"b"}); err != nil {
		t.Fatal(err)
	}
	in, err = c.FindInstanceByID(ctx, emulator.SeedRegion, id)
	if err != nil {
		t.Fatal(err)
	}
	if tags := InstanceTags(in); in.InstanceName != "renamed" || tags["c"] != "3" || tags["b"] != "" {
		t.Errorf("after modify: %q %v", in.InstanceName, tags)
	}

	if err := c.DeleteInstance(ctx, emulator.SeedRegion, id); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitInstanceDeleted(ctx, emulator.SeedRegion, id, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindInstanceByID(ctx, emulator.SeedRegion, id); !IsNotFound(err) {
		t.Errorf("after delete: %v", err)
	}
	if err := c.DeleteInstance(ctx, emulator.SeedRegion, id); err != nil {
		t.Errorf("deleting a deleted instance: %v", err)
	}
}

func TestCreateIdempotentSkipsSpentTokens(t *testing.T) {
	ctx := context.Background()
	c := instancesClient(t)
	c.AppearWindow = 300 * time.Millisecond
	in := testRunInput()
	token := func(gen int) (string, error) { return "base-" + string(rune('a'+gen)), nil }
	run := func() (string, int) {
		t.Helper()
		id, gen, err := c.CreateIdempotent(ctx, "instance", token,
			func(tok string) (string, error) { return c.RunInstance(ctx, emulator.SeedRegion, in, tok) },
			func(ctx context.Context, id string) error {
				_, err := c.FindInstanceByID(ctx, emulator.SeedRegion, id)
				return err
			})
		if err != nil {
			t.Fatal(err)
		}
		return id, gen
	}
	first, gen := run()
	if gen != 0 {
		t.Errorf("first create used generation %d", gen)
	}
	// An interrupted apply retried: the live instance is adopted.
	if again, gen := run(); again != first || gen != 0 {
		t.Errorf("retry: %q gen %d, want %q gen 0", again, gen, first)
	}
	// Replaced within this process: the first instance is known deleted,
	// the next generation creates anew without waiting.
	if err := c.DeleteInstance(ctx, emulator.SeedRegion, first); err != nil {
		t.Fatal(err)
	}
	if !c.WasDeleted(first) {
		t.Fatal("DeleteInstance did not remember the deletion")
	}
	c.AppearWindow = time.Hour
	start := time.Now()
	second, gen := run()
	if second == first || gen != 1 || time.Since(start) > 10*time.Second {
		t.Errorf("after delete: %q gen %d after %s", second, gen, time.Since(start))
	}
	if _, err := c.FindInstanceByID(ctx, emulator.SeedRegion, second); err != nil {
		t.Errorf("new instance: %v", err)
	}
	// Deleted by someone else (or an earlier process): the token's
	// instance stays invisible for the appear window, then counts as spent.
	c.AppearWindow = 300 * time.Millisecond
	req := ecs.CreateDeleteInstanceRequest()
	req.InstanceId, req.Force = second, "true"
	if err := c.DoECS(ctx, emulator.SeedRegion, req, ecs.CreateDeleteInstanceResponse()); err != nil {
		t.Fatal(err)
	}
	third, gen := run()
	if third == second || third == first || gen != 2 {
		t.Errorf("after an outside delete: %q gen %d", third, gen)
	}
}

func TestInstanceCatalogFinders(t *testing.T) {
	ctx := context.Background()
	c := instancesClient(t)
	it, err := c.FindInstanceType(ctx, emulator.SeedRegion, "ecs.g7.xlarge")
	if err != nil || it.CpuCoreCount != 4 || it.MemorySize != 16 || it.EniPrivateIpAddressQuantity != 15 {
		t.Errorf("type %+v %v", it, err)
	}
	if _, err := c.FindInstanceType(ctx, emulator.SeedRegion, "ecs.nope"); !IsNotFound(err) {
		t.Errorf("unknown type: %v", err)
	}
	vsw, err := c.FindVSwitchByID(ctx, emulator.SeedRegion, emulator.SeedVSwitchBeijing)
	if err != nil || vsw.ZoneId != emulator.SeedZone {
		t.Errorf("vswitch %+v %v", vsw, err)
	}
	if _, err := c.FindVSwitchByID(ctx, "cn-shanghai", emulator.SeedVSwitchBeijing); !IsNotFound(err) {
		t.Errorf("vswitch of another region: %v", err)
	}
	if _, err := c.FindInstanceByID(ctx, emulator.SeedRegion, "i-missing"); !IsNotFound(err) {
		t.Errorf("missing instance: %v", err)
	}
}

// TestRunInstanceSecondaryIPsOnPrimaryInterface: more than one private IP
// is asked for on the primary network interface, which then carries the
// vSwitch and security groups; none of them is sent at the top level.
func TestRunInstanceSecondaryIPsOnPrimaryInterface(t *testing.T) {
	req := testRunInput().request("tok")
	q := req.GetQueryParams()
	if _, ok := q["SecondaryPrivateIpAddressCount"]; ok {
		t.Fatalf("top-level SecondaryPrivateIpAddressCount sent: %v", q)
	}
	if q["NetworkInterface.1.SecondaryPrivateIpAddressCount"] != "2" || req.VSwitchId != "" || req.SecurityGroupIds != nil {
		t.Fatalf("request %+v, query %v", req, q)
	}
	nic := (*req.NetworkInterface)[0]
	if nic.InstanceType != "Primary" || nic.VSwitchId != emulator.SeedVSwitchBeijing || len(*nic.SecurityGroupIds) != 1 {
		t.Fatalf("primary interface %+v", nic)
	}
	one := testRunInput()
	one.PrivateIPs = 1
	if r := one.request("tok"); r.NetworkInterface != nil || r.VSwitchId != emulator.SeedVSwitchBeijing {
		t.Fatalf("one private IP: %+v", r)
	}
}
