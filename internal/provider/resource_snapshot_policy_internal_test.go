package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
)

// spConfig builds a snapshot policy configuration from HCL-like values:
// attributes not given are null.
func spConfig(t *testing.T, set map[string]tftypes.Value) tfsdk.Config {
	t.Helper()
	ctx := context.Background()
	var sr resource.SchemaResponse
	NewSnapshotPolicyResource().Schema(ctx, resource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := set[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	return tfsdk.Config{Schema: sr.Schema, Raw: tftypes.NewValue(typ, vals)}
}

func spSchedule(hours []int, days ...string) tftypes.Value {
	var hs, ds []tftypes.Value
	for _, h := range hours {
		hs = append(hs, tftypes.NewValue(tftypes.Number, h))
	}
	for _, d := range days {
		ds = append(ds, tftypes.NewValue(tftypes.String, d))
	}
	return tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"hours": tftypes.Set{ElementType: tftypes.Number}, "weekdays": tftypes.Set{ElementType: tftypes.String},
		"cron": tftypes.String, "time_zone": tftypes.String,
	}}, map[string]tftypes.Value{
		"hours":     tftypes.NewValue(tftypes.Set{ElementType: tftypes.Number}, hs),
		"weekdays":  tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, ds),
		"cron":      tftypes.NewValue(tftypes.String, nil),
		"time_zone": tftypes.NewValue(tftypes.String, nil),
	})
}

func spStrList(vs ...string) tftypes.Value {
	var out []tftypes.Value
	for _, v := range vs {
		out = append(out, tftypes.NewValue(tftypes.String, v))
	}
	return tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, out)
}

func spValidate(t *testing.T, set map[string]tftypes.Value) diag.Diagnostics {
	t.Helper()
	var resp resource.ValidateConfigResponse
	(&snapshotPolicyResource{}).ValidateConfig(context.Background(), resource.ValidateConfigRequest{Config: spConfig(t, set)}, &resp)
	return resp.Diagnostics
}

func TestSnapshotPolicyAvoidWarnings(t *testing.T) {
	every := []string{"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"}
	cases := []struct {
		name  string
		hours []int
		avoid []string
		want  []string
	}{
		{"no window", []int{2, 14}, nil, nil},
		{"outside the window", []int{2, 14}, []string{"MON 08:00-12:00"}, nil},
		{"weekday window", []int{2, 9}, []string{"MON 08:00-12:00"}, []string{"time point MON 09:00 falls inside avoid window MON 08:00-12:00"}},
		{"daily window, two points", []int{9, 10, 14}, []string{"DAILY 09:00-11:00"}, []string{
			"time point 09:00 on every day falls inside avoid window DAILY 09:00-11:00",
			"time point 10:00 on every day falls inside avoid window DAILY 09:00-11:00",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set := map[string]tftypes.Value{"name": tftypes.NewValue(tftypes.String, "p"), "schedule": spSchedule(c.hours, every...)}
			if c.avoid != nil {
				set["avoid"] = spStrList(c.avoid...)
			}
			diags := spValidate(t, set)
			if diags.HasError() {
				t.Fatalf("errors: %v", diags)
			}
			warnings := diags.Warnings()
			if len(warnings) != len(c.want) {
				t.Fatalf("%d warnings %v, want %d", len(warnings), warnings, len(c.want))
			}
			for i, w := range warnings {
				if !strings.HasPrefix(w.Detail(), c.want[i]+":") || w.Summary() != "Snapshot scheduled in an avoid window" {
					t.Errorf("warning %d: %q / %q, want detail starting %q", i, w.Summary(), w.Detail(), c.want[i])
				}
			}
		})
	}
}

func TestSnapshotPolicyValidateErrors(t *testing.T) {
	cases := []struct {
		name string
		set  map[string]tftypes.Value
		want string
	}{
		{"rpo", map[string]tftypes.Value{
			"schedule": spSchedule([]int{2, 14}, "MON", "TUE", "WED", "THU", "FRI"), "rpo_target": tftypes.NewValue(tftypes.String, "12h"),
		}, "Fri 14:00 -> Mon 02:00 is 60h"},
		{"rpo unparsable", map[string]tftypes.Value{
			"schedule": spSchedule([]int{2}, "MON"), "rpo_target": tftypes.NewValue(tftypes.String, "half a day"),
		}, "invalid duration"},
		{"window", map[string]tftypes.Value{
			"schedule": spSchedule([]int{2}, "MON"), "avoid": spStrList("MON 8-12", "SOMEDAY 8-9"),
		}, `day "SOMEDAY" is not one of`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			diags := spValidate(t, c.set)
			if !diags.HasError() || !strings.Contains(fmt.Sprint(diags.Errors()), c.want) {
				t.Fatalf("want an error containing %q, got %v", c.want, diags)
			}
		})
	}
	// The RPO target met: no diagnostics at all.
	diags := spValidate(t, map[string]tftypes.Value{
		"schedule": spSchedule([]int{2, 14}, "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"), "rpo_target": tftypes.NewValue(tftypes.String, "12h"),
	})
	if len(diags) != 0 {
		t.Fatalf("12h schedule with a 12h target: %v", diags)
	}
}

func TestSnapshotPolicyHelpers(t *testing.T) {
	r := drpolicy.Retention{DailyDays: 7, MonthlyMonths: 3, YearlyYears: 1}
	var back drpolicy.Retention
	spParseTiersTag(spTiersTag(r), &back)
	if back.MonthlyMonths != 3 || back.YearlyYears != 1 {
		t.Fatalf("tiers tag round trip: %q -> %+v", spTiersTag(r), back)
	}
	if spTiersTag(drpolicy.Retention{DailyDays: 7}) != "" {
		t.Fatal("no tiers must give no tag")
	}
	if got := spDesiredTags(map[string]string{"team": "core"}, r); len(got) != 2 || got["alidr:retention-tiers"] != "monthly=3,yearly=1" {
		t.Fatalf("desired tags %v", got)
	}
	if got := spManagedTags(map[string]string{"team": "core", "alidr:client-token": "x", "alidr:retention-tiers": "monthly=1,yearly=0"}); len(got) != 2 || got["alidr:client-token"] != "" {
		t.Fatalf("managed tags %v: the client token is not managed", got)
	}
	for in, want := range map[string][2]string{"sp-1": {"", "sp-1"}, seeded.DRRegions[0] + ":sp-2": {seeded.DRRegions[0], "sp-2"}} {
		if r, id := spSplitPolicyID(in); r != want[0] || id != want[1] {
			t.Errorf("spSplitPolicyID(%q) = %q, %q", in, r, id)
		}
	}
	var actions []drpolicy.Action
	for i := range 12 {
		actions = append(actions, drpolicy.Action{SnapshotID: fmt.Sprintf("s-%d", i), DiskID: "d-1", Extend: true, Reason: "first snapshot"})
	}
	w := tierWarning(r, actions)
	if !strings.HasPrefix(w, "Retention 7+3+1: 12 snapshots to extend.") || !strings.Contains(w, "s-9 (disk d-1): first snapshot") ||
		strings.Contains(w, "s-10 ") || !strings.HasSuffix(w, "... and 2 more") {
		t.Fatalf("tier warning:\n%s", w)
	}
}

// TestSnapshotPolicyOneCopyRegion: with the automatic engine, two copy
// regions fail at plan time with an error on cross_region_copy.regions that
// names the alternative; the enterprise engine takes them.
func TestSnapshotPolicyOneCopyRegion(t *testing.T) {
	var sr resource.SchemaResponse
	NewSnapshotPolicyResource().Schema(context.Background(), resource.SchemaRequest{}, &sr)
	copyType := sr.Schema.Type().TerraformType(context.Background()).(tftypes.Object).AttributeTypes["cross_region_copy"].(tftypes.Object)
	copyOf := func(regions ...string) tftypes.Value {
		var rs []tftypes.Value
		for _, r := range regions {
			rs = append(rs, tftypes.NewValue(tftypes.String, r))
		}
		return tftypes.NewValue(copyType, map[string]tftypes.Value{
			"regions":               tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, rs),
			"retention_days":        tftypes.NewValue(tftypes.Number, 7),
			"region_retention_days": tftypes.NewValue(tftypes.Map{ElementType: tftypes.Number}, nil),
			"encrypted":             tftypes.NewValue(tftypes.Bool, false),
			"kms_key_id":            tftypes.NewValue(tftypes.String, nil),
		})
	}
	dr1, dr2 := seeded.DRRegions[0], seeded.DRRegions[1]
	set := map[string]tftypes.Value{"schedule": spSchedule([]int{2}, "MON"), "cross_region_copy": copyOf(dr1, dr2),
		"engine": tftypes.NewValue(tftypes.String, "automatic")}
	diags := spValidate(t, set)
	if len(diags.Errors()) != 1 {
		t.Fatalf("two copy regions: want one error, got %v", diags)
	}
	e := diags.Errors()[0]
	wp, ok := e.(diag.DiagnosticWithPath)
	if !ok || wp.Path().String() != "cross_region_copy.regions" {
		t.Fatalf("error not on cross_region_copy.regions: %v", e)
	}
	for _, want := range []string{"cross_region_copy.regions", "single destination region", "enterprise snapshot policy", `engine = "enterprise"`} {
		if !strings.Contains(e.Detail(), want) {
			t.Errorf("detail does not mention %q: %s", want, e.Detail())
		}
	}
	set["cross_region_copy"] = copyOf(dr1)
	if diags := spValidate(t, set); diags.HasError() {
		t.Fatalf("one copy region: %v", diags)
	}
	set["cross_region_copy"], set["engine"] = copyOf(dr1, dr2), tftypes.NewValue(tftypes.String, "enterprise")
	if diags := spValidate(t, set); diags.HasError() {
		t.Fatalf("two copy regions, enterprise engine: %v", diags)
	}
}

// TestSnapshotPolicyArchiveTierWarning: no API tells which regions offer
// the archive tier, so a monthly tier is planned with a warning saying so.
func TestSnapshotPolicyArchiveTierWarning(t *testing.T) {
	var sr resource.SchemaResponse
	NewSnapshotPolicyResource().Schema(context.Background(), resource.SchemaRequest{}, &sr)
	retType := sr.Schema.Type().TerraformType(context.Background()).(tftypes.Object).AttributeTypes["retention"].(tftypes.Object)
	retention := func(monthly int) tftypes.Value {
		return tftypes.NewValue(retType, map[string]tftypes.Value{
			"daily_days": tftypes.NewValue(tftypes.Number, 7), "monthly_months": tftypes.NewValue(tftypes.Number, monthly),
			"yearly_years": tftypes.NewValue(tftypes.Number, 0), "weekly_weeks": tftypes.NewValue(tftypes.Number, 0),
		})
	}
	diags := spValidate(t, map[string]tftypes.Value{"schedule": spSchedule([]int{2}, "MON"), "retention": retention(3)})
	if diags.HasError() || len(diags.Warnings()) != 1 || !strings.Contains(diags.Warnings()[0].Detail(), "no API tells which") {
		t.Fatalf("monthly tier: want one warning about archive availability, got %v", diags)
	}
	if diags := spValidate(t, map[string]tftypes.Value{"schedule": spSchedule([]int{2}, "MON"), "retention": retention(0)}); len(diags) != 0 {
		t.Fatalf("no monthly tier: %v", diags)
	}
}

// TestObservedRPOChecks: an observed RPO above effective_rpo is a warning
// naming the disk or region; above max_observed_rpo it is an error.
func TestObservedRPOChecks(t *testing.T) {
	observed := types.ObjectValueMust(policyObservedTypes, map[string]attr.Value{
		"disks":        types.MapValueMust(types.StringType, map[string]attr.Value{"d-1": types.StringValue("2h"), "d-2": types.StringValue("1h")}),
		"copy_regions": types.MapValueMust(types.StringType, map[string]attr.Value{seeded.DRRegions[0]: types.StringValue("1h")}),
	})
	m := snapshotPolicyModel{ObservedRPO: observed, EffectiveRPO: types.StringValue("1h"), MaxObservedRPO: types.StringNull()}
	var diags diag.Diagnostics
	spObservedChecks(context.Background(), &m, &diags)
	if diags.ErrorsCount() != 0 || diags.WarningsCount() != 1 || !strings.Contains(diags[0].Detail(), "Disk d-1") || !strings.Contains(diags[0].Detail(), "2h") {
		t.Fatalf("want one warning about d-1, got %v", diags)
	}
	m.MaxObservedRPO = types.StringValue("90m")
	diags = nil
	spObservedChecks(context.Background(), &m, &diags)
	if diags.ErrorsCount() != 1 || !strings.Contains(diags[0].Detail(), "max_observed_rpo 90m") {
		t.Fatalf("want one error over max_observed_rpo, got %v", diags)
	}
}

// TestSnapshotPolicyEngineLimits: what one engine cannot do fails at plan
// time, naming the attribute and the other engine.
func TestSnapshotPolicyEngineLimits(t *testing.T) {
	var diags diag.Diagnostics
	spValidateEngine(engineEnterprise, drpolicy.Tiers{Retention: drpolicy.Retention{DailyDays: -1}}, &diags)
	spValidateEngine(engineAutomatic, drpolicy.Tiers{Retention: drpolicy.Retention{DailyDays: 7}, WeeklyWeeks: 4}, &diags)
	spValidateEnterpriseCopy(spCopySpec{Regions: []string{seeded.DRRegions[0]}, RetentionDays: 7, Encrypted: true,
		RegionRetention: map[string]int{seeded.DRRegions[1]: 7}}, &diags)
	want := map[string]string{
		"retention.daily_days":        `engine = "automatic"`,
		"retention.weekly_weeks":      `engine = "enterprise"`,
		"cross_region_copy.encrypted": `engine = "automatic"`,
		`cross_region_copy.region_retention_days["` + seeded.DRRegions[1] + `"]`: "not in cross_region_copy.regions",
	}
	if len(diags.Errors()) != len(want) {
		t.Fatalf("want %d errors, got %v", len(want), diags)
	}
	for _, e := range diags.Errors() {
		p := e.(diag.DiagnosticWithPath).Path().String()
		if mention, ok := want[p]; !ok || !strings.Contains(e.Detail(), mention) {
			t.Errorf("error on %s: %s (want one mentioning %q)", p, e.Detail(), mention)
		}
	}
}
