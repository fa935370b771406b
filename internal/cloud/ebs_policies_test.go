package cloud_test

import (
	"context"
	"net/http"
	"path/filepath"
	"slices"
	"testing"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/emulator"
)

var espSpec = cloud.ESPSpec{
	Name:       "core",
	Schedule:   cloud.ESPSchedule{CronExpression: "0 0 2 * * ?"},
	RetainRule: cloud.ESPRetainRule{TimeInterval: 7, TimeUnit: "DAYS"},
	Copy: cloud.ESPCopyInfo{Enabled: true, Regions: []cloud.ESPCopyRegion{
		{RegionID: "cn-shanghai", RetainDays: 30}, {RegionID: "cn-guangzhou", RetainDays: 7}}},
	Special: cloud.ESPSpecialRules{Enabled: true, Rules: []cloud.ESPSpecialRule{
		{SpecialPeriodUnit: "MONTHS", TimeInterval: 92, TimeUnit: "DAYS"}}},
	Tags: map[string]string{"team": "core"},
}

func TestEnterprisePolicyLifecycle(t *testing.T) {
	ctx := context.Background()
	srv, c := startEmulator(t, emulator.Options{})
	// The first answer is cut off after the policy was made: the retry
	// carries the same ClientToken and must get the same policy back.
	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "CreateEnterpriseSnapshotPolicy", Kind: emulator.FaultTruncate, Count: 1})
	id, err := c.CreateEnterprisePolicy(ctx, emulator.SeedRegion, espSpec, "tok-esp-1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateEnterprisePolicy(ctx, emulator.SeedRegion, espSpec, "tok-esp-1")
	if err != nil || again != id {
		t.Fatalf("a create repeated with its token gave %q, %v; want %q", again, err, id)
	}
	disks := []string{emulator.SeedDiskCoreDBData, emulator.SeedDiskCoreAppData}
	if err := c.BindEnterprisePolicy(ctx, emulator.SeedRegion, id, disks); err != nil {
		t.Fatal(err)
	}
	p, err := c.FindEnterprisePolicyByID(ctx, emulator.SeedRegion, id)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(disks)
	if p.Name != "core" || !slices.Equal(p.DiskIDs, disks) || len(p.CrossRegionCopyInfo.Regions) != 2 ||
		p.CrossRegionCopyInfo.Regions[1] != (cloud.ESPCopyRegion{RegionID: "cn-guangzhou", RetainDays: 7}) ||
		p.SpecialRetainRules.Rules[0].TimeInterval != 92 || p.TagMap()["team"] != "core" || p.Schedule.CronExpression != "0 0 2 * * ?" {
		t.Fatalf("read back %+v", p)
	}
	upd := espSpec
	upd.Name, upd.Copy = "core-2", cloud.ESPCopyInfo{}
	if err := c.UpdateEnterprisePolicy(ctx, emulator.SeedRegion, id, upd); err != nil {
		t.Fatal(err)
	}
	if err := c.UnbindEnterprisePolicy(ctx, emulator.SeedRegion, id, disks[:1]); err != nil {
		t.Fatal(err)
	}
	if p, err = c.FindEnterprisePolicyByID(ctx, emulator.SeedRegion, id); err != nil || p.Name != "core-2" || len(p.CrossRegionCopyInfo.Regions) != 0 || len(p.DiskIDs) != 1 {
		t.Fatalf("after update and unbind: %+v, %v", p, err)
	}
	if err := c.DeleteEnterprisePolicy(ctx, emulator.SeedRegion, id); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindEnterprisePolicyByID(ctx, emulator.SeedRegion, id); !cloud.IsNotFound(err) {
		t.Fatalf("after delete: want a NotFoundError, got %v", err)
	}
	if err := c.DeleteEnterprisePolicy(ctx, emulator.SeedRegion, id); err != nil {
		t.Fatalf("deleting a deleted policy: %v", err)
	}
}

// TestEnterprisePolicyResponseContract reads the official examples
// (testdata/responses/ebs) through DoEBS.
func TestEnterprisePolicyResponseContract(t *testing.T) {
	dir := filepath.Join("testdata", "responses", "ebs")
	c := cloud.ResponsesClient(t, dir, func(w http.ResponseWriter, r *http.Request) bool {
		if r.Form.Get("Version") != "2021-07-30" {
			http.Error(w, "wrong version", http.StatusBadRequest)
			return true
		}
		return false
	})
	id, err := c.CreateEnterprisePolicy(context.Background(), "cn-hangzhou", espSpec, "tok")
	if err != nil || id != "esp-xxx" {
		t.Fatalf("CreateEnterpriseSnapshotPolicy: %q, %v", id, err)
	}
	p, err := c.FindEnterprisePolicyByID(context.Background(), "cn-hangzhou", "esp-xxx")
	if err != nil {
		t.Fatal(err)
	}
	want := cloud.ESPCopyRegion{RegionID: "cn-hangzhou", RetainDays: 7}
	if p.Name != "xxx" || p.CreateTime != "2023-06-24T06:03:35Z" || p.Schedule.CronExpression != "0 0 4 1/1 * ?" ||
		p.RetainRule != (cloud.ESPRetainRule{Number: 10, TimeInterval: 14, TimeUnit: "DAYS"}) ||
		!p.CrossRegionCopyInfo.Enabled || p.CrossRegionCopyInfo.Regions[0] != want ||
		p.SpecialRetainRules.Rules[0] != (cloud.ESPSpecialRule{SpecialPeriodUnit: "WEEKS", TimeInterval: 1, TimeUnit: "WEEKS"}) ||
		p.TagMap()["key"] != "value" || p.State != "ENABLED" || p.TargetType != "DISK" || !slices.Equal(p.DiskIDs, []string{"d-alidr-example"}) {
		t.Fatalf("the client does not read the official example as written: %+v", p)
	}
}

// A garbled answer (the chaos campaign's corrupt fault) is retried like one
// of the typed SDK calls, not reported as a failed read.
func TestEnterprisePolicyGarbledAnswerRetried(t *testing.T) {
	ctx := context.Background()
	srv, c := startEmulator(t, emulator.Options{})
	id, err := c.CreateEnterprisePolicy(ctx, emulator.SeedRegion, espSpec, "tok-esp-garbled")
	if err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(emulator.Fault{Service: "ecs", Action: "DescribeEnterpriseSnapshotPolicy", Kind: emulator.FaultCorrupt, Count: 1})
	p, err := c.FindEnterprisePolicyByID(ctx, emulator.SeedRegion, id)
	if err != nil || p.PolicyID != id {
		t.Fatalf("read after a garbled answer: %+v, %v", p, err)
	}
}
