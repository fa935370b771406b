package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
)

// The engines of alidr_snapshot_policy.
const (
	// engineEnterprise is an EBS enterprise snapshot policy (2021-07-30).
	engineEnterprise = "enterprise"
	// engineAutomatic is an ECS automatic snapshot policy.
	engineAutomatic = "automatic"
	// scheduleZone is the zone schedule hours are in.
	scheduleZone = "UTC+8"
)

// spEngineOf is the model's engine; unset (the default) is enterprise.
func spEngineOf(m *snapshotPolicyModel) string {
	if m.Engine.ValueString() == engineAutomatic {
		return engineAutomatic
	}
	return engineEnterprise
}

// spValidateEngine refuses what the chosen engine cannot do, naming the
// other engine where it can.
func spValidateEngine(engine string, t drpolicy.Tiers, diags *diag.Diagnostics) {
	ret := path.Root("retention")
	switch {
	case engine == engineEnterprise && t.DailyDays == -1:
		diags.AddAttributeError(ret.AtName("daily_days"), "Enterprise policies do not keep snapshots forever",
			"retention.daily_days = -1 keeps snapshots forever, which an enterprise policy's RetainRule cannot express (a number of snapshots "+
				"or of days/weeks). Set a number of days (e.g. 7, with monthly_months/yearly_years for the long tail), or set engine = \"automatic\".")
	case engine == engineAutomatic && t.WeeklyWeeks > 0:
		diags.AddAttributeError(ret.AtName("weekly_weeks"), "Weekly tier needs the enterprise engine",
			"retention.weekly_weeks is kept by an enterprise policy's special retention rules; the automatic engine has no weekly tier. "+
				"Set weekly_weeks = 0, or engine = \"enterprise\".")
	}
}

// spValidateEnterpriseCopy checks what CrossRegionCopyInfo can express: a
// retention in days per region (RetainDays, at least 1), no encryption
// setting (the 2021-07-30 reference has none).
func spValidateEnterpriseCopy(c spCopySpec, diags *diag.Diagnostics) {
	p := path.Root("cross_region_copy")
	if c.RetentionDays == -1 {
		diags.AddAttributeError(p.AtName("retention_days"), "Enterprise copies are not kept forever",
			"cross_region_copy.retention_days = -1: an enterprise policy keeps copies RetainDays days (at least 1). Set a number of days, or engine = \"automatic\".")
	}
	if c.Encrypted || c.KMSKeyID != "" {
		diags.AddAttributeError(p.AtName("encrypted"), "Encrypted copies need the automatic engine",
			"The enterprise snapshot policy's CrossRegionCopyInfo has no encryption or KMS setting (EBS 2021-07-30 reference), so copies "+
				"would not be encrypted as asked. Set encrypted = false (copies of encrypted disks stay encrypted with the region's service key, "+
				"which this provider cannot check offline), or engine = \"automatic\", which encrypts copies to one region with kms_key_id.")
	}
	for _, r := range slices.Sorted(mapKeys(c.RegionRetention)) {
		if !slices.Contains(c.Regions, r) {
			diags.AddAttributeError(p.AtName("region_retention_days").AtMapKey(r), "Override for a region not copied to",
				fmt.Sprintf("region_retention_days has %q, which is not in cross_region_copy.regions: add it to regions or remove the override.", r))
		}
		if d := c.RegionRetention[r]; d < 1 || d > 65535 {
			diags.AddAttributeError(p.AtName("region_retention_days").AtMapKey(r), "Invalid copy retention",
				fmt.Sprintf("region_retention_days[%q] is %d: use 1 to 65535 days.", r, d))
		}
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// spESPSpec builds the enterprise policy from a known plan.
func spESPSpec(ctx context.Context, m *snapshotPolicyModel, diags *diag.Diagnostics) (cloud.ESPSpec, drpolicy.Tiers) {
	spec, tiers := spPolicySpec(ctx, m, diags)
	out := cloud.ESPSpec{
		Name:       spec.Name,
		Schedule:   cloud.ESPSchedule{CronExpression: spec.Schedule.Cron()},
		RetainRule: cloud.ESPRetainRule{TimeInterval: tiers.DailyDays, TimeUnit: "DAYS"},
		Tags:       spec.Tags,
	}
	if cron := spCronOf(ctx, m.Schedule); cron != "" {
		out.Schedule.CronExpression = cron // the user's spelling, which means the same
	}
	for _, r := range tiers.SpecialRules() {
		out.Special.Rules = append(out.Special.Rules, cloud.ESPSpecialRule{SpecialPeriodUnit: r.Period, TimeInterval: r.Interval, TimeUnit: r.Unit})
	}
	out.Special.Enabled = len(out.Special.Rules) > 0
	cp, present, _ := spCopyOf(ctx, m.CrossRegionCopy, diags)
	if present {
		out.Copy.Enabled = len(cp.Regions) > 0
		for _, r := range cp.Regions {
			days := cp.RetentionDays
			if d, ok := cp.RegionRetention[r]; ok {
				days = d
			}
			out.Copy.Regions = append(out.Copy.Regions, cloud.ESPCopyRegion{RegionID: r, RetainDays: days})
		}
	}
	return out, tiers
}

// spCronOf is the schedule's cron attribute, "" when unset.
func spCronOf(ctx context.Context, obj types.Object) string {
	if !isKnown(obj) {
		return ""
	}
	var m policyScheduleModel
	if d := obj.As(ctx, &m, objectAsOptions); d.HasError() {
		return ""
	}
	return m.Cron.ValueString()
}

func (r *snapshotPolicyResource) createEnterprise(ctx context.Context, plan *snapshotPolicyModel, resp *resource.CreateResponse) {
	region := r.client.RegionOr(plan.Region.ValueString())
	spec, tiers := spESPSpec(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	owner, err := r.claimPolicyOwner(ctx, region, spec)
	if err != nil {
		apiError(&resp.Diagnostics, "claim an owner id for the enterprise snapshot policy", err)
		return
	}
	id, bound, err := r.createOrAdoptPolicy(ctx, region, owner, spec)
	if err != nil {
		apiError(&resp.Diagnostics, "create the enterprise snapshot policy", err)
		return
	}
	tflog.Info(ctx, "enterprise snapshot policy created", map[string]any{"id": id, "region": region, "owner": owner})
	r.markPolicyClaimed(ctx, region, id, &resp.Diagnostics)
	plan.ID, plan.Region = types.StringValue(id), types.StringValue(region)
	disks := spStringsOf(ctx, plan.DiskIDs, &resp.Diagnostics)
	summary, err := r.bindAndArchive(ctx, region, id, tiers, disks, bound)
	if err != nil {
		apiError(&resp.Diagnostics, "bind the enterprise snapshot policy's disks and archive its tiers", err)
		spSaveID(ctx, plan, &resp.State, &resp.Diagnostics)
		return
	}
	if err := r.applyLocks(ctx, plan, region, tiers, disks, espCopyRegions(spec.Copy), &resp.Diagnostics); err != nil {
		apiError(&resp.Diagnostics, "lock the points of the locked tiers", err)
		spSaveID(ctx, plan, &resp.State, &resp.Diagnostics)
		return
	}
	r.finish(ctx, plan, summary, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		spSaveID(ctx, plan, &resp.State, &resp.Diagnostics)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *snapshotPolicyResource) updateEnterprise(ctx context.Context, plan, state *snapshotPolicyModel, diags *diag.Diagnostics) string {
	region, id := state.Region.ValueString(), state.ID.ValueString()
	spec, tiers := spESPSpec(ctx, plan, diags)
	if diags.HasError() {
		return ""
	}
	cur, err := r.client.FindEnterprisePolicyByID(ctx, region, id)
	if err != nil {
		apiError(diags, "read the enterprise snapshot policy", err)
		return ""
	}
	tflog.Info(ctx, "updating the enterprise snapshot policy", map[string]any{"id": id})
	if err := r.client.UpdateEnterprisePolicy(ctx, region, id, spec); err != nil {
		apiError(diags, "update the enterprise snapshot policy", err)
		return ""
	}
	disks := spStringsOf(ctx, plan.DiskIDs, diags)
	summary, err := r.bindAndArchive(ctx, region, id, tiers, disks, cur.DiskIDs)
	if err != nil {
		apiError(diags, "update the enterprise snapshot policy's disks and archive its tiers", err)
		return summary
	}
	if err := r.applyLocks(ctx, plan, region, tiers, disks, espCopyRegions(spec.Copy), diags); err != nil {
		apiError(diags, "lock the points of the locked tiers", err)
	}
	return summary
}

// spDiskChanges are the disks to add to and remove from a policy, sorted.
func spDiskChanges(want, current []string) (add, remove []string) {
	for _, d := range want {
		if !slices.Contains(current, d) {
			add = append(add, d)
		}
	}
	for _, d := range current {
		if !slices.Contains(want, d) {
			remove = append(remove, d)
		}
	}
	slices.Sort(add)
	slices.Sort(remove)
	return add, remove
}

// bindAndArchive binds the disks wanted, unbinds those no longer wanted,
// then moves the monthly and yearly points old enough to the archive tier.
func (r *snapshotPolicyResource) bindAndArchive(ctx context.Context, region, id string, tiers drpolicy.Tiers, want, current []string) (string, error) {
	add, remove := spDiskChanges(want, current)
	if err := r.client.BindEnterprisePolicy(ctx, region, id, add); err != nil {
		return "", err
	}
	if err := r.client.UnbindEnterprisePolicy(ctx, region, id, remove); err != nil {
		return "", err
	}
	if tiers.MonthlyMonths == 0 && tiers.YearlyYears == 0 || len(want) == 0 {
		return "", nil
	}
	snaps, now, err := r.client.DiskSnapshots(ctx, region, want, false)
	if err != nil {
		return "", err
	}
	todo := drpolicy.ArchiveCandidates(snaps, tiers.DailyDays, now)
	for i, s := range todo {
		tflog.Info(ctx, "retention tiers: archiving snapshot", map[string]any{"snapshot": s.ID, "disk": s.DiskID, "progress": fmt.Sprintf("%d/%d", i+1, len(todo))})
		if err := r.client.ArchiveSnapshot(ctx, region, s.ID, s.RetentionDays); err != nil {
			return "", err
		}
	}
	if len(todo) == 0 {
		return "", nil
	}
	if len(todo) == 1 {
		return "1 snapshot to archive", nil
	}
	return fmt.Sprintf("%d snapshots to archive", len(todo)), nil
}

// readEnterprise fills m from DescribeEnterpriseSnapshotPolicy and the
// disks' snapshots; found is false when the policy is gone.
func (r *snapshotPolicyResource) readEnterprise(ctx context.Context, m *snapshotPolicyModel, diags *diag.Diagnostics) (found bool) {
	region, id := m.Region.ValueString(), m.ID.ValueString()
	p, err := r.client.FindEnterprisePolicyByID(ctx, region, id)
	if cloud.IsNotFound(err) {
		return false
	}
	if err != nil {
		apiError(diags, "read the enterprise snapshot policy", err)
		return true
	}
	m.Engine = types.StringValue(engineEnterprise)
	m.Name = types.StringValue(p.Name)

	sched, err := drpolicy.ParseCron(p.Schedule.CronExpression)
	if err != nil {
		diags.AddError("Enterprise snapshot policy schedule not readable",
			fmt.Sprintf("Policy %s has the schedule %q, changed outside Terraform into a form this provider cannot plan an RPO for (%v). "+
				"Set schedule in the configuration and apply to restore it.", id, p.Schedule.CronExpression, err))
		return true
	}
	var scratch diag.Diagnostics
	cron := spCronOf(ctx, m.Schedule)
	if cur, ok := spScheduleOf(ctx, m.Schedule, &scratch); !ok || !slices.Equal(cur.Hours, sched.Hours) || !slices.Equal(cur.Weekdays, sched.Weekdays) {
		if cron != "" || m.Schedule.IsNull() && p.Schedule.CronExpression != sched.Cron() {
			cron = p.Schedule.CronExpression // drift, or an import of a cron this provider did not write
		}
		m.Schedule = spScheduleObject(sched, cron)
	}
	m.EffectiveRPO = types.StringValue(spHoursString(drpolicy.EffectiveRPO(sched).Duration))

	tiers := drpolicy.Tiers{Retention: drpolicy.Retention{DailyDays: p.RetainRule.TimeInterval}}
	if p.RetainRule.TimeUnit == "WEEKS" {
		tiers.DailyDays *= 7
	}
	var rules []drpolicy.SpecialRule
	if p.SpecialRetainRules.Enabled {
		for _, rule := range p.SpecialRetainRules.Rules {
			rules = append(rules, drpolicy.SpecialRule{Period: rule.SpecialPeriodUnit, Unit: rule.TimeUnit, Interval: rule.TimeInterval})
		}
	}
	tiers.FromSpecialRules(rules)
	m.Retention = spRetentionObject(tiers)

	copyRegions := espCopyRegions(p.CrossRegionCopyInfo)
	if len(copyRegions) > 0 {
		m.CrossRegionCopy = spEnterpriseCopyObject(ctx, p.CrossRegionCopyInfo, m.CrossRegionCopy)
	} else {
		m.CrossRegionCopy = types.ObjectNull(policyCopyTypes)
	}

	m.Tags = spTagsValue(ctx, spManagedTags(p.TagMap()), m.Tags, diags)
	disks := slices.Clone(p.DiskIDs)
	slices.Sort(disks)
	m.DiskIDs = spDisksValue(ctx, disks, m.DiskIDs, diags)

	primary, now, ok := r.observe(ctx, m, region, disks, copyRegions, drpolicy.EffectiveRPO(sched).Duration, diags)
	if !ok {
		return true
	}
	pending := 0
	if tiers.MonthlyMonths > 0 || tiers.YearlyYears > 0 {
		pending = len(drpolicy.ArchiveCandidates(primary, tiers.DailyDays, now))
	}
	tiered := 0
	for _, s := range primary {
		if s.RetentionDays > tiers.DailyDays {
			tiered++
		}
	}
	m.PendingTierActions = types.Int64Value(int64(pending))
	m.TieredSnapshots = types.Int64Value(int64(tiered))
	if !isKnown(m.LastTierActions) {
		m.LastTierActions = types.StringValue("no changes")
	}
	r.readLocks(ctx, m, region, tiers, disks, copyRegions, diags)
	return true
}

// espCopyRegions are the regions an enterprise policy copies to.
func espCopyRegions(info cloud.ESPCopyInfo) []string {
	if !info.Enabled {
		return nil
	}
	var out []string
	for _, cr := range info.Regions {
		out = append(out, cr.RegionID)
	}
	return out
}

// spEnterpriseCopyObject renders CrossRegionCopyInfo: retention_days is the
// one the current value names when a region still uses it (so overrides stay
// overrides), else (import) the longest; other regions are overrides.
func spEnterpriseCopyObject(ctx context.Context, info cloud.ESPCopyInfo, cur types.Object) types.Object {
	var scratch diag.Diagnostics
	prior, present, _ := spCopyOf(ctx, cur, &scratch)
	base, priorUsed := 0, false
	for _, r := range info.Regions {
		base = max(base, r.RetainDays)
		priorUsed = priorUsed || present && r.RetainDays == prior.RetentionDays
	}
	if priorUsed {
		base = prior.RetentionDays
	}
	c := spCopySpec{RetentionDays: base}
	for _, r := range info.Regions {
		c.Regions = append(c.Regions, r.RegionID)
		if r.RetainDays != base {
			if c.RegionRetention == nil {
				c.RegionRetention = map[string]int{}
			}
			c.RegionRetention[r.RegionID] = r.RetainDays
		}
	}
	slices.Sort(c.Regions)
	if present && prior.RegionRetention != nil && c.RegionRetention == nil {
		c.RegionRetention = map[string]int{} // region_retention_days = {} is kept as written
	}
	return spCopyObject(c)
}

// spSplitID tells the engine from an import id.
func spEngineOfID(id string) string {
	if strings.HasPrefix(id, "esp-") {
		return engineEnterprise
	}
	return engineAutomatic
}
