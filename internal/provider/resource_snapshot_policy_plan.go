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

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
)

// Plan-time checks of alidr_snapshot_policy: ValidateConfig (no API call)
// and ModifyPlan (regions, disks, retention tiers).

// ValidateConfig checks everything that needs no API call: the schedule,
// retention ranges, copy settings, the RPO target and the avoid windows.
func (r *snapshotPolicyResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m snapshotPolicyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sched, schedOK := spScheduleOf(ctx, m.Schedule, &resp.Diagnostics)
	engine := spEngineOf(&m)
	if ret, ok := spRetentionOf(ctx, m.Retention, &resp.Diagnostics); ok {
		spValidateEngine(engine, ret, &resp.Diagnostics)
		spValidateLock(ctx, &m, engine, ret, &resp.Diagnostics)
		if err := ret.Validate(); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("retention"), "Invalid retention", err.Error())
		} else if ret.MonthlyMonths > 0 {
			// ModifySnapshotCategory reference: archive snapshots exist only in
			// some regions, a list that changes; no API reports it.
			resp.Diagnostics.AddAttributeWarning(path.Root("retention").AtName("monthly_months"), "Archive tier availability not checked",
				"The monthly tier moves snapshots to the archive tier (ModifySnapshotCategory), which ECS offers only in some regions "+
					"(see the ModifySnapshotCategory reference); no API tells which, so the plan cannot check this region. "+
					"Where ECS refuses, the apply fails at the archive step with ECS's error: set monthly_months = 0 there, "+
					"or keep monthly snapshots in the standard tier with a longer daily_days.")
		}
	}
	if cp, present, ok := spCopyOf(ctx, m.CrossRegionCopy, &resp.Diagnostics); present && ok {
		region := ""
		if isKnown(m.Region) {
			region = m.Region.ValueString()
		}
		spValidateCopy(cp, region, engine, &resp.Diagnostics)
	}
	if isKnown(m.Tags) {
		for k := range m.Tags.Elements() {
			if strings.HasPrefix(k, "alidr:") {
				resp.Diagnostics.AddAttributeError(path.Root("tags").AtMapKey(k), "Reserved tag key",
					fmt.Sprintf("Tag key %q starts with \"alidr:\", which the provider reserves for its own bookkeeping: rename the tag.", k))
			}
		}
	}
	if isKnown(m.MaxObservedRPO) {
		if _, err := drpolicy.ParseDuration(m.MaxObservedRPO.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("max_observed_rpo"), "Invalid max_observed_rpo", err.Error())
		}
	}
	if isKnown(m.RPOTarget) {
		target, err := drpolicy.ParseDuration(m.RPOTarget.ValueString())
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("rpo_target"), "Invalid rpo_target", err.Error())
		} else if schedOK {
			if err := drpolicy.CheckRPO(sched, target); err != nil {
				resp.Diagnostics.AddAttributeError(path.Root("rpo_target"), "Schedule does not meet the RPO target", err.Error())
			}
		}
	}
	if fullyKnown(m.Avoid) && !m.Avoid.IsNull() {
		windows := spWindowsOf(spStringsOf(ctx, m.Avoid, &resp.Diagnostics), &resp.Diagnostics)
		if schedOK {
			for _, c := range drpolicy.Conflicts(sched, windows) {
				resp.Diagnostics.AddAttributeWarning(path.Root("avoid"), "Snapshot scheduled in an avoid window",
					c+": snapshots add I/O load at peak hours; move the time point out of the window, or remove the window if the load is acceptable.")
			}
		}
	}
}

// ModifyPlan resolves the region, checks copy regions against the account,
// computes effective_rpo and plans the retention tiers from the disks'
// current snapshots.
func (r *snapshotPolicyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan snapshotPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *snapshotPolicyModel
	if !req.State.Raw.IsNull() {
		state = &snapshotPolicyModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	var scratch diag.Diagnostics // ValidateConfig already reported these
	if sched, ok := spScheduleOf(ctx, plan.Schedule, &scratch); ok {
		plan.EffectiveRPO = types.StringValue(spHoursString(drpolicy.EffectiveRPO(sched).Duration))
	} else {
		plan.EffectiveRPO = types.StringUnknown()
	}
	plan.PendingTierActions = types.Int64Value(0) // an apply always leaves nothing pending
	plan.TieredSnapshots = types.Int64Unknown()
	plan.LastTierActions = types.StringUnknown()
	plan.ObservedRPO = types.ObjectUnknown(policyObservedTypes)
	if state != nil {
		plan.TieredSnapshots, plan.LastTierActions, plan.ObservedRPO = state.TieredSnapshots, state.LastTierActions, state.ObservedRPO
		spObservedChecks(ctx, &plan, &resp.Diagnostics)
	}
	spPlanLocks(ctx, &plan, state, &resp.Diagnostics)
	engine := spEngineOf(&plan)
	if engine == engineEnterprise && state != nil && spEngineOf(state) == engineEnterprise && !plan.Tags.Equal(state.Tags) {
		// The six enterprise policy actions set tags at creation only.
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("tags"))
	}
	if r.client == nil {
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	var cfgRegion types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("region"), &cfgRegion)...)
	if cfgRegion.IsUnknown() {
		// Known only at apply: nothing region-bound can be checked or planned.
		plan.TieredSnapshots, plan.LastTierActions = types.Int64Unknown(), types.StringUnknown()
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	if plan.Region.IsUnknown() || plan.Region.IsNull() {
		plan.Region = types.StringValue(r.client.Region())
	}
	region := plan.Region.ValueString()

	if cp, present, ok := spCopyOf(ctx, plan.CrossRegionCopy, &scratch); present && ok && len(cp.Regions) > 0 {
		if slices.Contains(cp.Regions, region) {
			resp.Diagnostics.AddAttributeError(path.Root("cross_region_copy").AtName("regions"), "Copy region is the source region",
				fmt.Sprintf("cross_region_copy.regions contains %q, the region the policy runs in: a copy must go to another region. Remove %q from the list.", region, region))
		} else if err := r.client.CheckRegions(ctx, cp.Regions...); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("cross_region_copy").AtName("regions"), "Unknown copy region",
				err.Error()+": use one of the available regions in cross_region_copy.regions.")
		}
	}

	if engine == engineEnterprise {
		// The cloud keeps the tiers; the refresh counted what is left to
		// archive (pending_tier_actions), which the apply does and names.
		if state != nil && knownInt(state.PendingTierActions) > 0 {
			plan.LastTierActions = types.StringUnknown()
		}
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}
	ret, retOK := spRetentionOf(ctx, plan.Retention, &scratch)
	disksKnown := plan.DiskIDs.IsNull() || fullyKnown(plan.DiskIDs)
	if disksKnown && !plan.DiskIDs.IsNull() {
		// Only disks the apply adds can be missing or held by another
		// policy: the refresh just listed those following this one
		// (PolicyDisks), so checking them again would cost a call per plan.
		added := spStringsOf(ctx, plan.DiskIDs, &scratch)
		if state != nil && state.Region.Equal(plan.Region) && fullyKnown(state.DiskIDs) {
			added, _ = spDiskChanges(added, spStringsOf(ctx, state.DiskIDs, &scratch))
		}
		r.warnDisksOnOtherPolicies(ctx, region, plan.ID.ValueString(), added, &resp.Diagnostics)
	}
	switch {
	case !retOK || !disksKnown:
		plan.TieredSnapshots, plan.LastTierActions = types.Int64Unknown(), types.StringUnknown()
	case ret.MonthlyMonths == 0 && ret.YearlyYears == 0:
		plan.TieredSnapshots = types.Int64Value(0)
		if plan.LastTierActions.IsNull() || plan.LastTierActions.IsUnknown() {
			plan.LastTierActions = types.StringValue("no changes")
		}
	default:
		disks := spStringsOf(ctx, plan.DiskIDs, &resp.Diagnostics)
		slices.Sort(disks)
		snaps, now, err := r.client.TierSnapshots(ctx, region, disks)
		if cloud.IsNotFound(err) {
			// A disk that does not exist: the apply reports it.
			plan.TieredSnapshots, plan.LastTierActions = types.Int64Unknown(), types.StringUnknown()
			break
		}
		if err != nil {
			apiError(&resp.Diagnostics, "list the disks' snapshots to plan retention tiers", err)
			return
		}
		actions := drpolicy.PlanTiers(ret.Retention, snaps, now, cloud.PolicyLocation)
		plan.TieredSnapshots = types.Int64Value(int64(drpolicy.TierMembers(ret.Retention, snaps, now, cloud.PolicyLocation)))
		if len(actions) > 0 {
			plan.LastTierActions = types.StringValue(drpolicy.Summary(actions))
			resp.Diagnostics.AddAttributeWarning(path.Root("retention"), "Retention tiers will change snapshots",
				tierWarning(ret.Retention, actions)+"\n\nNo snapshot is ever shortened or deleted.")
		} else if plan.LastTierActions.IsNull() || plan.LastTierActions.IsUnknown() {
			plan.LastTierActions = types.StringValue("no changes")
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// warnDisksOnOtherPolicies warns, at plan time, about each disk the apply
// will take from another policy, and errors on disks that do not exist.
func (r *snapshotPolicyResource) warnDisksOnOtherPolicies(ctx context.Context, region, id string, disks []string, diags *diag.Diagnostics) {
	if len(disks) == 0 {
		return
	}
	owners, err := r.client.DiskPolicies(ctx, region, disks)
	if err != nil {
		apiError(diags, "look up the disks' current snapshot policies", err)
		return
	}
	slices.Sort(disks)
	for _, d := range disks {
		owner, exists := owners[d]
		switch {
		case !exists:
			diags.AddAttributeError(path.Root("disk_ids"), "Disk not found",
				fmt.Sprintf("Disk %s does not exist in %s: remove it from disk_ids, or set region to the disk's region.", d, region))
		case owner != "" && owner != id:
			diags.AddAttributeWarning(path.Root("disk_ids"), "Disk will move from another snapshot policy",
				fmt.Sprintf("Disk %s follows auto snapshot policy %s; applying moves it to this policy (a disk follows one policy at a time). "+
					"Remove %s from the other policy's configuration, or from disk_ids here, so the two do not fight over it.", d, owner, d))
		}
	}
}

// tierWarning lists what the apply will do to which snapshot.
func tierWarning(ret drpolicy.Retention, actions []drpolicy.Action) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Retention %s: %s.", ret, drpolicy.Summary(actions))
	for i, a := range actions {
		if i == maxTierReasons {
			fmt.Fprintf(&b, "\n  ... and %d more", len(actions)-i)
			break
		}
		fmt.Fprintf(&b, "\n  %s (disk %s): %s", a.SnapshotID, a.DiskID, a.Reason)
	}
	return b.String()
}
