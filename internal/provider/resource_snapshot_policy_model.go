package provider

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
)

// snapshotPolicyModel is alidr_snapshot_policy. The nested blocks are kept as
// types.Object so a plan with unknown values (disk ids from a data source,
// a KMS key from another resource) still converts.
type snapshotPolicyModel struct {
	ID                   types.String   `tfsdk:"id"`
	Engine               types.String   `tfsdk:"engine"`
	Region               types.String   `tfsdk:"region"`
	Name                 types.String   `tfsdk:"name"`
	Schedule             types.Object   `tfsdk:"schedule"`
	Retention            types.Object   `tfsdk:"retention"`
	CrossRegionCopy      types.Object   `tfsdk:"cross_region_copy"`
	DiskIDs              types.Set      `tfsdk:"disk_ids"`
	RPOTarget            types.String   `tfsdk:"rpo_target"`
	Avoid                types.List     `tfsdk:"avoid"`
	Tags                 types.Map      `tfsdk:"tags"`
	EffectiveRPO         types.String   `tfsdk:"effective_rpo"`
	MaxObservedRPO       types.String   `tfsdk:"max_observed_rpo"`
	ObservedRPO          types.Object   `tfsdk:"observed_rpo"`
	PendingTierActions   types.Int64    `tfsdk:"pending_tier_actions"`
	TieredSnapshots      types.Int64    `tfsdk:"tiered_snapshots"`
	LastTierActions      types.String   `tfsdk:"last_tier_actions"`
	Lock                 types.Object   `tfsdk:"lock"`
	LockedPoints         types.Map      `tfsdk:"locked_points"`
	PointsWaitingForLock types.Int64    `tfsdk:"points_waiting_for_lock"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
}

type policyScheduleModel struct {
	Hours    types.Set    `tfsdk:"hours"`
	Weekdays types.Set    `tfsdk:"weekdays"`
	Cron     types.String `tfsdk:"cron"`
	TimeZone types.String `tfsdk:"time_zone"`
}

type policyRetentionModel struct {
	DailyDays     types.Int64 `tfsdk:"daily_days"`
	WeeklyWeeks   types.Int64 `tfsdk:"weekly_weeks"`
	MonthlyMonths types.Int64 `tfsdk:"monthly_months"`
	YearlyYears   types.Int64 `tfsdk:"yearly_years"`
}

type policyCopyModel struct {
	Regions             types.Set    `tfsdk:"regions"`
	RetentionDays       types.Int64  `tfsdk:"retention_days"`
	RegionRetentionDays types.Map    `tfsdk:"region_retention_days"`
	Encrypted           types.Bool   `tfsdk:"encrypted"`
	KMSKeyID            types.String `tfsdk:"kms_key_id"`
}

var (
	policyScheduleTypes = map[string]attr.Type{
		"hours":     types.SetType{ElemType: types.Int64Type},
		"weekdays":  types.SetType{ElemType: types.StringType},
		"cron":      types.StringType,
		"time_zone": types.StringType,
	}
	policyRetentionTypes = map[string]attr.Type{
		"daily_days": types.Int64Type, "weekly_weeks": types.Int64Type, "monthly_months": types.Int64Type, "yearly_years": types.Int64Type,
	}
	policyObservedTypes = map[string]attr.Type{
		"disks":        types.MapType{ElemType: types.StringType},
		"copy_regions": types.MapType{ElemType: types.StringType},
	}
	policyCopyTypes = map[string]attr.Type{
		"regions":               types.SetType{ElemType: types.StringType},
		"retention_days":        types.Int64Type,
		"region_retention_days": types.MapType{ElemType: types.Int64Type},
		"encrypted":             types.BoolType,
		"kms_key_id":            types.StringType,
	}
)

// spScheduleOf converts the schedule block. ok is false when it is null or
// not fully known yet; errors name the attribute to change.
func spScheduleOf(ctx context.Context, obj types.Object, diags *diag.Diagnostics) (s drpolicy.Schedule, ok bool) {
	if !isKnown(obj) || !fullyKnown(obj) {
		return s, false
	}
	var m policyScheduleModel
	if d := obj.As(ctx, &m, basetypes.ObjectAsOptions{}); d.HasError() {
		diags.Append(d...)
		return s, false
	}
	p := path.Root("schedule")
	if z := m.TimeZone.ValueString(); z != "" && z != scheduleZone {
		diags.AddAttributeError(p.AtName("time_zone"), "Unsupported time zone",
			fmt.Sprintf("schedule.time_zone is %q: the schedule's hours are in %s, the zone ECS evaluates automatic policies in whatever the region. "+
				"Convert the hours to %s and remove time_zone.", z, scheduleZone, scheduleZone))
		return s, false
	}
	hasDays := !m.Hours.IsNull() || !m.Weekdays.IsNull()
	switch {
	case !m.Cron.IsNull() && hasDays:
		diags.AddAttributeError(p, "Two schedules", "schedule sets both cron and hours/weekdays: keep one of them.")
		return s, false
	case !m.Cron.IsNull():
		sched, err := drpolicy.ParseCron(m.Cron.ValueString())
		if err != nil {
			diags.AddAttributeError(p.AtName("cron"), "Unsupported cron expression", err.Error())
			return s, false
		}
		return sched, true
	case m.Hours.IsNull() || m.Weekdays.IsNull():
		diags.AddAttributeError(p, "Incomplete schedule", "schedule needs hours and weekdays (e.g. hours = [2], weekdays = [\"MON\", ...]), or cron (e.g. \"0 0 2 ? * *\").")
		return s, false
	}
	var hours []int64
	diags.Append(m.Hours.ElementsAs(ctx, &hours, false)...)
	var days []string
	diags.Append(m.Weekdays.ElementsAs(ctx, &days, false)...)
	if diags.HasError() {
		return s, false
	}
	for _, h := range hours {
		s.Hours = append(s.Hours, int(h))
	}
	for _, d := range days {
		wd, err := drpolicy.ParseWeekday(d)
		if err != nil {
			diags.AddAttributeError(path.Root("schedule").AtName("weekdays"), "Invalid weekday", err.Error())
			return s, false
		}
		s.Weekdays = append(s.Weekdays, wd)
	}
	if err := s.Validate(); err != nil {
		diags.AddAttributeError(path.Root("schedule"), "Invalid snapshot schedule", err.Error())
		return s, false
	}
	return s, true
}

// spScheduleObject renders a schedule: as cron when cron is set (the
// spelling the configuration uses), else as hours and upper-case weekdays.
func spScheduleObject(s drpolicy.Schedule, cron string) types.Object {
	if cron != "" {
		return types.ObjectValueMust(policyScheduleTypes, map[string]attr.Value{
			"hours": types.SetNull(types.Int64Type), "weekdays": types.SetNull(types.StringType),
			"cron": types.StringValue(cron), "time_zone": types.StringValue(scheduleZone),
		})
	}
	c := s.Canonical()
	hours := make([]attr.Value, 0, len(c.Hours))
	for _, h := range c.Hours {
		hours = append(hours, types.Int64Value(int64(h)))
	}
	days := make([]attr.Value, 0, len(c.Weekdays))
	for _, d := range c.Weekdays {
		days = append(days, types.StringValue(drpolicy.WeekdayName(d)))
	}
	return types.ObjectValueMust(policyScheduleTypes, map[string]attr.Value{
		"hours":     types.SetValueMust(types.Int64Type, hours),
		"weekdays":  types.SetValueMust(types.StringType, days),
		"cron":      types.StringNull(),
		"time_zone": types.StringValue(scheduleZone),
	})
}

// spRetentionOf converts the retention block; ok is false when unknown.
func spRetentionOf(ctx context.Context, obj types.Object, diags *diag.Diagnostics) (r drpolicy.Tiers, ok bool) {
	if !isKnown(obj) || !fullyKnown(obj) {
		return r, false
	}
	var m policyRetentionModel
	if d := obj.As(ctx, &m, basetypes.ObjectAsOptions{}); d.HasError() {
		diags.Append(d...)
		return r, false
	}
	r = drpolicy.Tiers{Retention: drpolicy.Retention{
		DailyDays:     int(m.DailyDays.ValueInt64()),
		MonthlyMonths: int(m.MonthlyMonths.ValueInt64()),
		YearlyYears:   int(m.YearlyYears.ValueInt64()),
	}, WeeklyWeeks: int(m.WeeklyWeeks.ValueInt64())}
	return r, true
}

func spRetentionObject(r drpolicy.Tiers) types.Object {
	return types.ObjectValueMust(policyRetentionTypes, map[string]attr.Value{
		"daily_days":     types.Int64Value(int64(r.DailyDays)),
		"weekly_weeks":   types.Int64Value(int64(r.WeeklyWeeks)),
		"monthly_months": types.Int64Value(int64(r.MonthlyMonths)),
		"yearly_years":   types.Int64Value(int64(r.YearlyYears)),
	})
}

// spTiersTag is the TagRetentionTiers value for r, "" when r has no tiers.
func spTiersTag(r drpolicy.Retention) string {
	if r.MonthlyMonths == 0 && r.YearlyYears == 0 {
		return ""
	}
	return fmt.Sprintf("monthly=%d,yearly=%d", r.MonthlyMonths, r.YearlyYears)
}

// spParseTiersTag reads a TagRetentionTiers value back into r.
func spParseTiersTag(v string, r *drpolicy.Retention) {
	for _, kv := range strings.Split(v, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(kv), "=")
		n, err := strconv.Atoi(val)
		if err != nil {
			continue
		}
		switch k {
		case "monthly":
			r.MonthlyMonths = n
		case "yearly":
			r.YearlyYears = n
		}
	}
}

// spCopySpec is the cross_region_copy block as plain values.
type spCopySpec struct {
	Regions       []string
	RetentionDays int
	// RegionRetention overrides RetentionDays by region (enterprise).
	RegionRetention map[string]int
	Encrypted       bool
	KMSKeyID        string
}

// spCopyOf converts the cross_region_copy block; present is false when the
// block is null, ok is false when it is not fully known.
func spCopyOf(ctx context.Context, obj types.Object, diags *diag.Diagnostics) (c spCopySpec, present, ok bool) {
	if obj.IsNull() {
		return c, false, true
	}
	if !fullyKnown(obj) {
		return c, true, false
	}
	var m policyCopyModel
	if d := obj.As(ctx, &m, basetypes.ObjectAsOptions{}); d.HasError() {
		diags.Append(d...)
		return c, true, false
	}
	diags.Append(m.Regions.ElementsAs(ctx, &c.Regions, false)...)
	slices.Sort(c.Regions)
	c.RetentionDays = int(m.RetentionDays.ValueInt64())
	if !m.RegionRetentionDays.IsNull() {
		var over map[string]int64
		diags.Append(m.RegionRetentionDays.ElementsAs(ctx, &over, false)...)
		c.RegionRetention = map[string]int{}
		for k, v := range over {
			c.RegionRetention[k] = int(v)
		}
	}
	c.Encrypted = m.Encrypted.ValueBool()
	c.KMSKeyID = m.KMSKeyID.ValueString()
	return c, true, !diags.HasError()
}

func spCopyObject(c spCopySpec) types.Object {
	regions := make([]attr.Value, 0, len(c.Regions))
	for _, r := range c.Regions {
		regions = append(regions, types.StringValue(r))
	}
	kms := types.StringNull()
	if c.KMSKeyID != "" {
		kms = types.StringValue(c.KMSKeyID)
	}
	over := types.MapNull(types.Int64Type)
	if c.RegionRetention != nil {
		elems := map[string]attr.Value{}
		for k, v := range c.RegionRetention {
			elems[k] = types.Int64Value(int64(v))
		}
		over = types.MapValueMust(types.Int64Type, elems)
	}
	return types.ObjectValueMust(policyCopyTypes, map[string]attr.Value{
		"regions":               types.SetValueMust(types.StringType, regions),
		"retention_days":        types.Int64Value(int64(c.RetentionDays)),
		"region_retention_days": over,
		"encrypted":             types.BoolValue(c.Encrypted),
		"kms_key_id":            kms,
	})
}

// spValidateCopy checks the cross_region_copy block against the source region
// (when known) and the engine without calling the API.
func spValidateCopy(c spCopySpec, region, engine string, diags *diag.Diagnostics) {
	p := path.Root("cross_region_copy")
	if engine == engineEnterprise {
		spValidateEnterpriseCopy(c, diags)
	} else if len(c.RegionRetention) > 0 {
		diags.AddAttributeError(p.AtName("region_retention_days"), "Per-region retention needs the enterprise engine",
			"An automatic snapshot policy keeps its copies (one region) retention_days: remove region_retention_days, or set engine = \"enterprise\".")
	}
	if len(c.Regions) == 0 {
		diags.AddAttributeError(p.AtName("regions"), "No copy regions",
			"cross_region_copy.regions is empty: list at least one region to copy snapshots to (e.g. \"cn-shanghai\"), or remove the cross_region_copy block.")
	}
	if engine == engineAutomatic && len(c.Regions) > cloud.MaxPolicyCopyRegions {
		diags.AddAttributeError(p.AtName("regions"), "One copy region per automatic snapshot policy",
			fmt.Sprintf("cross_region_copy.regions lists %d regions (%s), but an ECS automatic snapshot policy copies to a single destination region "+
				"(CreateAutoSnapshotPolicy TargetCopyRegions). Keep one region in cross_region_copy.regions, or set engine = \"enterprise\": "+
				"an EBS enterprise snapshot policy copies to several regions, each with its own retention.",
				len(c.Regions), strings.Join(c.Regions, ", ")))
	}
	if region != "" && slices.Contains(c.Regions, region) {
		diags.AddAttributeError(p.AtName("regions"), "Copy region is the source region",
			fmt.Sprintf("cross_region_copy.regions contains %q, the region the policy runs in: a copy must go to another region. Remove %q from the list.", region, region))
	}
	if c.RetentionDays != -1 && (c.RetentionDays < 1 || c.RetentionDays > 65535) {
		diags.AddAttributeError(p.AtName("retention_days"), "Invalid copy retention",
			fmt.Sprintf("cross_region_copy.retention_days is %d: ECS accepts 1 to 65535 days, or -1 to keep copies forever.", c.RetentionDays))
	}
	if c.KMSKeyID != "" && !c.Encrypted {
		diags.AddAttributeError(p.AtName("kms_key_id"), "KMS key without encryption",
			"cross_region_copy.kms_key_id is set but encrypted is false: set encrypted = true to encrypt copies with this key, or remove kms_key_id.")
	}
}

// spStringsOf returns the elements of a known set or list of strings.
func spStringsOf(ctx context.Context, v interface {
	attr.Value
	ElementsAs(context.Context, any, bool) diag.Diagnostics
}, diags *diag.Diagnostics) []string {
	var out []string
	if !isKnown(v) {
		return nil
	}
	diags.Append(v.ElementsAs(ctx, &out, false)...)
	return out
}

// spWindowsOf parses avoid; errors point at the list element.
func spWindowsOf(avoid []string, diags *diag.Diagnostics) []drpolicy.Window {
	var out []drpolicy.Window
	for i, s := range avoid {
		w, err := drpolicy.ParseWindow(s)
		if err != nil {
			diags.AddAttributeError(path.Root("avoid").AtListIndex(i), "Invalid avoid window", err.Error())
			continue
		}
		out = append(out, w)
	}
	return out
}

// spHoursString prints whole hours as "12h", as rpo_target is usually written.
func spHoursString(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.String()
}

// spPolicySpec builds the API settings from a fully known plan.
func spPolicySpec(ctx context.Context, m *snapshotPolicyModel, diags *diag.Diagnostics) (cloud.PolicySpec, drpolicy.Tiers) {
	var spec cloud.PolicySpec
	sched, ok := spScheduleOf(ctx, m.Schedule, diags)
	if !ok && !diags.HasError() {
		diags.AddAttributeError(path.Root("schedule"), "Schedule not known", "The schedule must be known at apply time: set `schedule` from values known before apply.")
	}
	r, _ := spRetentionOf(ctx, m.Retention, diags)
	cp, present, _ := spCopyOf(ctx, m.CrossRegionCopy, diags)
	spec.Name = m.Name.ValueString()
	spec.Schedule = sched
	spec.RetentionDays = r.DailyDays
	if present {
		spec.CopyRegions = cp.Regions
		spec.CopyRetentionDays = cp.RetentionDays
		spec.CopyEncrypted = cp.Encrypted
		spec.CopyKMSKeyID = cp.KMSKeyID
	}
	spec.Tags = map[string]string{}
	if isKnown(m.Tags) {
		diags.Append(m.Tags.ElementsAs(ctx, &spec.Tags, false)...)
	}
	return spec, r
}

// spDesiredTags are the policy's tags as they should be: the user's plus the
// tier record.
func spDesiredTags(user map[string]string, r drpolicy.Retention) map[string]string {
	out := make(map[string]string, len(user)+1)
	for k, v := range user {
		out[k] = v
	}
	if t := spTiersTag(r); t != "" {
		out[cloud.TagRetentionTiers] = t
	}
	return out
}

// spManagedTags keeps the tags this resource manages (user tags and the tier
// record), dropping the other alidr: ones such as the client token.
func spManagedTags(all map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range all {
		if !strings.HasPrefix(k, "alidr:") || k == cloud.TagRetentionTiers {
			out[k] = v
		}
	}
	return out
}

// spSplitPolicyID accepts "sp-xxx" or "region:sp-xxx".
func spSplitPolicyID(id string) (region, policy string) {
	if r, p, ok := strings.Cut(id, ":"); ok {
		return r, p
	}
	return "", id
}
