package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
)

// ebsCall sends an EBS 2021-07-30 action through the SDK's signed common
// request, as internal/cloud does, and decodes the JSON answer into out.
func (e *snapEnv) ebsCall(action string, params map[string]string, out any) error {
	e.t.Helper()
	req := requests.NewCommonRequest()
	req.Product, req.Version, req.ApiName, req.Domain = "ebs", ebsAPIVersion, action, e.srv.Addr()
	req.Scheme = "http"
	req.QueryParams["RegionId"] = SeedRegion
	for k, v := range params {
		req.QueryParams[k] = v
	}
	resp, err := e.bj.ProcessCommonRequest(req)
	if err != nil {
		return err
	}
	if out != nil {
		return json.Unmarshal(resp.GetHttpContentBytes(), out)
	}
	return nil
}

// sevenThreeOne is "7+3+1" plus a weekly tier: 7 days, first of each week
// 4 weeks, of each month 92 days, of each year 366 days; copies kept 30 days
// in cn-shanghai and 7 in cn-guangzhou.
var sevenThreeOne = map[string]string{
	"Name": "dr", "TargetType": "DISK",
	"Schedule":   `{"CronExpression":"0 0 2 * * ?"}`,
	"RetainRule": `{"TimeInterval":7,"TimeUnit":"DAYS"}`,
	"SpecialRetainRules": `{"Enabled":true,"Rules":[{"SpecialPeriodUnit":"WEEKS","TimeInterval":4,"TimeUnit":"WEEKS"},` +
		`{"SpecialPeriodUnit":"MONTHS","TimeInterval":92,"TimeUnit":"DAYS"},{"SpecialPeriodUnit":"YEARS","TimeInterval":366,"TimeUnit":"DAYS"}]}`,
	"CrossRegionCopyInfo": `{"Enabled":true,"Regions":[{"RegionId":"cn-shanghai","RetainDays":30},{"RegionId":"cn-guangzhou","RetainDays":7}]}`,
}

func (e *snapEnv) createESP(params map[string]string) string {
	e.t.Helper()
	var out struct{ PolicyId string }
	if err := e.ebsCall("CreateEnterpriseSnapshotPolicy", params, &out); err != nil {
		e.t.Fatalf("CreateEnterpriseSnapshotPolicy: %v", err)
	}
	return out.PolicyId
}

// snapshotDays lists the UTC+8 dates of the core-db data disk's snapshots
// (and copies, outside cn-beijing) in a region.
func (e *snapEnv) snapshotDays(region string) []string {
	e.t.Helper()
	cl := ecsClient(e.t, e.srv, region, DefaultAccessKeyID, DefaultAccessKeySecret)
	req := ecs.CreateDescribeSnapshotsRequest()
	req.RegionId, req.DiskId, req.PageSize = region, SeedDiskCoreDBData, requests.NewInteger(100)
	if region != SeedRegion {
		req.DiskId = ""
	}
	resp, err := cl.DescribeSnapshots(req)
	if err != nil {
		e.t.Fatal(err)
	}
	var days []string
	for _, s := range resp.Snapshots.Snapshot {
		if s.SourceDiskId != SeedDiskCoreDBData {
			continue
		}
		ts, _ := time.Parse(time.RFC3339, s.CreationTime)
		days = append(days, ts.In(policyZone).Format("2006-01-02"))
	}
	slices.Sort(days)
	return days
}

func TestEnterprisePolicyKeepsTiersWithoutAnyCall(t *testing.T) {
	e := newSnapEnv(t)
	e.clock.Set(policyStart) // Monday 2026-01-05 11:30 UTC+8
	id := e.createESP(sevenThreeOne)
	if err := e.ebsCall("BindEnterpriseSnapshotPolicy", map[string]string{"PolicyId": id, "DiskTargets.1": SeedDiskCoreDBData}, nil); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(400 * 24 * time.Hour) // Tuesday 2027-02-09 11:30 UTC+8
	got := e.snapshotDays(SeedRegion)
	want := []string{
		"2026-12-01", "2027-01-01", // monthly (2027-01-01 is also the yearly point)
		"2027-01-18", "2027-01-25", "2027-02-01", // weekly (2027-02-01 is also a monthly)
		"2027-02-03", "2027-02-04", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", // daily
	}
	if !slices.Equal(got, want) {
		t.Errorf("primary snapshots after 400 days:\n got %v\nwant %v", got, want)
	}
	if n := len(e.snapshotDays("cn-shanghai")); n != 30 {
		t.Errorf("cn-shanghai keeps %d copies, want 30 (RetainDays 30)", n)
	}
	if n := len(e.snapshotDays("cn-guangzhou")); n != 7 {
		t.Errorf("cn-guangzhou keeps %d copies, want 7 (RetainDays 7)", n)
	}

	var desc espDescribeResponse
	if err := e.ebsCall("DescribeEnterpriseSnapshotPolicy", map[string]string{"PolicyIds.1": id}, &desc); err != nil {
		t.Fatal(err)
	}
	if len(desc.Policies) != 1 || len(desc.Policies[0].CrossRegionCopyInfo.Regions) != 2 || !slices.Equal(desc.Policies[0].DiskIDs, []string{SeedDiskCoreDBData}) {
		t.Fatalf("Describe: %+v", desc)
	}
	if err := e.ebsCall("DescribeEnterpriseSnapshotPolicy", map[string]string{"PolicyIds.1": "esp-2zemissing000000000"}, &desc); err != nil || len(desc.Policies) != 0 {
		t.Fatalf("an unknown id is an empty list, got %+v, %v", desc, err)
	}
}

func TestEnterprisePolicySkipsPointsWhileSnapshotRuns(t *testing.T) {
	e := newSnapEnv(t)
	e.clock.Set(policyStart)
	d := DefaultDurations()
	d.SnapshotCreate = 90 * time.Minute
	e.srv.SetDurations(d)
	id := e.createESP(map[string]string{"Name": "hourly", "TargetType": "DISK",
		"Schedule": `{"CronExpression":"0 0 * * * ?"}`, "RetainRule": `{"Number":100}`})
	if err := e.ebsCall("BindEnterpriseSnapshotPolicy", map[string]string{"PolicyId": id, "DiskTargets.1": SeedDiskCoreDBData}, nil); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(10 * time.Hour) // 10 hourly points; each snapshot runs 90 minutes
	if n := len(e.snapshotDays(SeedRegion)); n != 5 {
		t.Errorf("%d snapshots, want 5: every other point is skipped", n)
	}
	if n := e.srv.EnterprisePolicySkips(id); n != 5 {
		t.Errorf("%d skipped points, want 5", n)
	}
}

func TestEnterprisePolicyRetainNumber(t *testing.T) {
	e := newSnapEnv(t)
	e.clock.Set(policyStart)
	id := e.createESP(map[string]string{"Name": "n", "TargetType": "DISK",
		"Schedule": `{"CronExpression":"0 0 2 * * ?"}`, "RetainRule": `{"Number":3}`})
	if err := e.ebsCall("BindEnterpriseSnapshotPolicy", map[string]string{"PolicyId": id, "DiskTargets.1": SeedDiskCoreDBData}, nil); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(10 * 24 * time.Hour)
	if got := e.snapshotDays(SeedRegion); len(got) != 3 || got[2] != "2026-01-15" {
		t.Errorf("RetainRule.Number 3 keeps %v", got)
	}
}

func TestEnterprisePolicyRefusesWhatTheReferenceDoesNotDefine(t *testing.T) {
	e := newSnapEnv(t)
	with := func(k, v string) map[string]string {
		p := map[string]string{}
		for a, b := range sevenThreeOne {
			p[a] = b
		}
		if v == "" {
			delete(p, k)
		} else {
			p[k] = v
		}
		return p
	}
	for _, c := range []struct {
		name   string
		params map[string]string
		code   string
	}{
		{"unknown top-level parameter", with("Retention", "7"), "InvalidParameter"},
		{"missing Schedule", with("Schedule", ""), "MissingParameter"},
		{"TargetType outside its enum", with("TargetType", "INSTANCE"), "InvalidParameter"},
		{"unknown field inside RetainRule", with("RetainRule", `{"Days":7}`), "InvalidParameter"},
		{"TimeUnit MONTHS", with("RetainRule", `{"TimeInterval":3,"TimeUnit":"MONTHS"}`), "InvalidParameter"},
		{"Number past 256", with("RetainRule", `{"Number":257}`), "InvalidParameter"},
		{"SpecialPeriodUnit DAYS", with("SpecialRetainRules", `{"Enabled":true,"Rules":[{"SpecialPeriodUnit":"DAYS","TimeInterval":1,"TimeUnit":"DAYS"}]}`), "InvalidParameter"},
		{"copy to the source region", with("CrossRegionCopyInfo", `{"Enabled":true,"Regions":[{"RegionId":"`+SeedRegion+`","RetainDays":7}]}`), "InvalidParameter"},
		{"copy to an unknown region", with("CrossRegionCopyInfo", `{"Enabled":true,"Regions":[{"RegionId":"mars-1","RetainDays":7}]}`), "InvalidRegionId.NotFound"},
		{"five-field cron", with("Schedule", `{"CronExpression":"0 2 * * *"}`), "InvalidParameter"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := e.ebsCall("CreateEnterpriseSnapshotPolicy", c.params, nil)
			status := http.StatusBadRequest
			if c.code == "InvalidRegionId.NotFound" {
				status = http.StatusNotFound
			}
			wantAPIError(t, err, status, c.code)
		})
	}
	id := e.createESP(sevenThreeOne)
	err := e.ebsCall("BindEnterpriseSnapshotPolicy", map[string]string{"PolicyId": id, "DiskTargets.1": "d-2zenosuchdisk00000000"}, nil)
	wantAPIError(t, err, http.StatusNotFound, "InvalidDiskId.NotFound")
}
