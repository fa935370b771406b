package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-uuid"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
)

var (
	_ resource.Resource                   = &snapshotPolicyResource{}
	_ resource.ResourceWithConfigure      = &snapshotPolicyResource{}
	_ resource.ResourceWithValidateConfig = &snapshotPolicyResource{}
	_ resource.ResourceWithModifyPlan     = &snapshotPolicyResource{}
	_ resource.ResourceWithImportState    = &snapshotPolicyResource{}
)

const (
	defaultPolicyCreateTimeout = 10 * time.Minute
	defaultPolicyUpdateTimeout = 30 * time.Minute // tiering many snapshots takes a while
	defaultPolicyDeleteTimeout = 10 * time.Minute
	// maxTierReasons bounds how many per-snapshot reasons the plan warning lists.
	maxTierReasons = 10
)

// NewSnapshotPolicyResource manages an ECS automatic snapshot policy with
// its disks, cross-region copies and monthly/yearly retention tiers.
func NewSnapshotPolicyResource() resource.Resource { return &snapshotPolicyResource{} }

type snapshotPolicyResource struct{ client *cloud.Client }

func (r *snapshotPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_snapshot_policy"
}

func (r *snapshotPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *snapshotPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan snapshotPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultPolicyCreateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if spEngineOf(&plan) == engineEnterprise {
		r.createEnterprise(ctx, &plan, resp)
		return
	}

	region := r.client.RegionOr(plan.Region.ValueString())
	spec, ret := spPolicySpec(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	spec.Tags = spDesiredTags(spec.Tags, ret.Retention)
	token, err := uuid.GenerateUUID()
	if err != nil {
		resp.Diagnostics.AddError("Failed to generate a client token", err.Error())
		return
	}
	id, err := r.client.CreateAutoSnapshotPolicy(ctx, region, spec, token)
	if err != nil {
		apiError(&resp.Diagnostics, "create the auto snapshot policy", err)
		return
	}
	tflog.Info(ctx, "auto snapshot policy created", map[string]any{"id": id, "region": region})
	plan.ID, plan.Region = types.StringValue(id), types.StringValue(region)

	// From here on a failure keeps the id in state, so Terraform taints the
	// policy instead of losing track of it.
	saveID := func() { spSaveID(ctx, &plan, &resp.State, &resp.Diagnostics) }
	disks := spStringsOf(ctx, plan.DiskIDs, &resp.Diagnostics)
	if err := r.setDisks(ctx, region, id, disks, nil, &resp.Diagnostics); err != nil {
		apiError(&resp.Diagnostics, "apply the auto snapshot policy to its disks", err)
		saveID()
		return
	}
	summary, err := r.applyTiers(ctx, region, ret.Retention, disks)
	if err != nil {
		apiError(&resp.Diagnostics, "apply the retention tiers", err)
		saveID()
		return
	}
	r.finish(ctx, &plan, summary, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		saveID()
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// setDisks makes exactly want follow policy id: apply the new ones (warning
// about any taken from another policy), cancel those no longer wanted that
// still follow it. current nil means "look it up".
func (r *snapshotPolicyResource) setDisks(ctx context.Context, region, id string, want, current []string, diags *diag.Diagnostics) error {
	if current == nil {
		var err error
		if current, err = r.client.PolicyDisks(ctx, region, id); err != nil {
			return err
		}
	}
	add, remove := spDiskChanges(want, current)
	if len(add) > 0 {
		owners, err := r.client.DiskPolicies(ctx, region, add)
		if err != nil {
			return err
		}
		for _, d := range add {
			owner, exists := owners[d]
			if !exists {
				return fmt.Errorf("disk %s does not exist in %s: remove it from disk_ids or check the region", d, region)
			}
			if owner != "" && owner != id {
				diags.AddAttributeWarning(path.Root("disk_ids"), "Disk moved from another snapshot policy",
					fmt.Sprintf("Disk %s followed auto snapshot policy %s; it now follows %s instead (a disk follows one policy at a time). "+
						"Remove %s from that policy's configuration, or from disk_ids here, so the two do not fight over it.", d, owner, id, d))
			}
		}
		tflog.Info(ctx, "applying the auto snapshot policy to disks", map[string]any{"id": id, "disks": add})
		if err := r.client.ApplyAutoSnapshotPolicy(ctx, region, id, add); err != nil {
			return err
		}
	}
	if len(remove) > 0 {
		tflog.Info(ctx, "cancelling the auto snapshot policy on disks", map[string]any{"id": id, "disks": remove})
		if err := r.client.CancelAutoSnapshotPolicy(ctx, region, remove); err != nil {
			return err
		}
	}
	return nil
}

// applyTiers extends and archives what the tiers require now and returns
// drpolicy.Summary of it ("" when the tiers are off).
func (r *snapshotPolicyResource) applyTiers(ctx context.Context, region string, ret drpolicy.Retention, disks []string) (string, error) {
	if ret.MonthlyMonths == 0 && ret.YearlyYears == 0 || len(disks) == 0 {
		return "", nil
	}
	snaps, now, err := r.client.TierSnapshots(ctx, region, disks)
	if err != nil {
		return "", err
	}
	actions := drpolicy.PlanTiers(ret, snaps, now, cloud.PolicyLocation)
	for i, a := range actions {
		tflog.Info(ctx, "retention tiers: updating snapshot", map[string]any{
			"snapshot": a.SnapshotID, "disk": a.DiskID, "progress": fmt.Sprintf("%d/%d", i+1, len(actions)),
			"extend_to_days": a.NewRetentionDays, "extend": a.Extend, "archive": a.Archive, "reason": a.Reason,
		})
		if err := r.client.ApplyTierAction(ctx, region, a); err != nil {
			return "", err
		}
	}
	return drpolicy.Summary(actions), nil
}

// finish reads the policy back into m after create/update, keeping the
// planned tier values where the plan knew them.
func (r *snapshotPolicyResource) finish(ctx context.Context, m *snapshotPolicyModel, summary string, diags *diag.Diagnostics) {
	planned := *m
	found := r.read(ctx, m, diags)
	if diags.HasError() {
		return
	}
	if !found {
		diags.AddError("Snapshot policy vanished", fmt.Sprintf("Policy %s was not found right after it was written; it may have been deleted concurrently. Run terraform apply again.", m.ID.ValueString()))
		return
	}
	m.PendingTierActions = types.Int64Value(0)
	if isKnown(planned.TieredSnapshots) {
		m.TieredSnapshots = planned.TieredSnapshots
	}
	switch {
	case isKnown(planned.LastTierActions):
		m.LastTierActions = planned.LastTierActions
	case summary != "":
		m.LastTierActions = types.StringValue(summary)
	default:
		m.LastTierActions = types.StringValue("no changes")
	}
	if !isKnown(m.TieredSnapshots) {
		m.TieredSnapshots = types.Int64Value(0)
	}
}

// read fills m from the API; found is false when the policy is gone.
// Config-only attributes (rpo_target, avoid, timeouts) are left alone.
func (r *snapshotPolicyResource) read(ctx context.Context, m *snapshotPolicyModel, diags *diag.Diagnostics) (found bool) {
	if spEngineOf(m) == engineEnterprise {
		return r.readEnterprise(ctx, m, diags)
	}
	region, id := m.Region.ValueString(), m.ID.ValueString()
	p, err := r.client.FindAutoSnapshotPolicyByID(ctx, region, id)
	if cloud.IsNotFound(err) {
		return false
	}
	if err != nil {
		apiError(diags, "read the auto snapshot policy", err)
		return true
	}
	m.Name = types.StringValue(p.AutoSnapshotPolicyName)

	sched, err := cloud.PolicySchedule(p)
	if err != nil {
		diags.AddError("Unexpected auto snapshot policy schedule", err.Error())
		return true
	}
	var scratch diag.Diagnostics
	if cur, ok := spScheduleOf(ctx, m.Schedule, &scratch); !ok || !slices.Equal(cur.Canonical().Hours, sched.Hours) ||
		!slices.Equal(cur.Canonical().Weekdays, sched.Weekdays) {
		m.Schedule = spScheduleObject(sched, "") // drift (or import): take ECS's spelling
	}
	m.EffectiveRPO = types.StringValue(spHoursString(drpolicy.EffectiveRPO(sched).Duration))

	ret := drpolicy.Retention{DailyDays: p.RetentionDays}
	raw := cloud.PolicyRawTags(p)
	spParseTiersTag(raw[cloud.TagRetentionTiers], &ret)
	m.Retention = spRetentionObject(drpolicy.Tiers{Retention: ret})

	if regions := cloud.PolicyCopyRegions(p); len(regions) > 0 {
		slices.Sort(regions)
		cp := spCopySpec{Regions: regions, RetentionDays: p.CopiedSnapshotsRetentionDays, Encrypted: p.CopyEncryptionConfiguration.Encrypted}
		if cp.Encrypted {
			// ECS keeps the last key after encryption is turned off; it no
			// longer applies, so it is not reported.
			cp.KMSKeyID = p.CopyEncryptionConfiguration.KMSKeyId
		}
		m.CrossRegionCopy = spCopyObject(cp)
	} else {
		m.CrossRegionCopy = types.ObjectNull(policyCopyTypes)
	}

	m.Tags = spTagsValue(ctx, cloud.PolicyTags(p), m.Tags, diags)
	m.Engine = types.StringValue(engineAutomatic)

	disks, err := r.client.PolicyDisks(ctx, region, id)
	if err != nil {
		apiError(diags, "list the disks following the auto snapshot policy", err)
		return true
	}
	m.DiskIDs = spDisksValue(ctx, disks, m.DiskIDs, diags)
	if _, _, ok := r.observe(ctx, m, region, disks, cloud.PolicyCopyRegions(p), drpolicy.EffectiveRPO(sched).Duration, diags); !ok {
		return true
	}

	// Tier status as of now.
	pending, tiered := 0, 0
	if (ret.MonthlyMonths > 0 || ret.YearlyYears > 0) && len(disks) > 0 {
		snaps, now, err := r.client.TierSnapshots(ctx, region, disks)
		if err != nil {
			apiError(diags, "list the disks' snapshots for the retention tiers", err)
			return true
		}
		pending = len(drpolicy.PlanTiers(ret, snaps, now, cloud.PolicyLocation))
		tiered = drpolicy.TierMembers(ret, snaps, now, cloud.PolicyLocation) - pending
	}
	m.PendingTierActions = types.Int64Value(int64(pending))
	m.TieredSnapshots = types.Int64Value(int64(tiered))
	if !isKnown(m.LastTierActions) {
		m.LastTierActions = types.StringValue("no changes")
	}
	m.LockedPoints, m.PointsWaitingForLock = types.MapNull(policyLockedPointsType), types.Int64Value(0) // lock: enterprise only
	return true
}

func (r *snapshotPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m snapshotPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.Region.ValueString() == "" {
		m.Region = types.StringValue(r.client.Region())
	}
	if !r.read(ctx, &m, &resp.Diagnostics) {
		resp.Diagnostics.AddWarning("Snapshot policy not found",
			fmt.Sprintf("Snapshot policy %s no longer exists in %s (deleted outside Terraform); removing it from state so the next apply creates it again.", m.ID.ValueString(), m.Region.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *snapshotPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state snapshotPolicyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultPolicyUpdateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	region, id := state.Region.ValueString(), state.ID.ValueString()
	plan.ID, plan.Region = state.ID, state.Region
	if spEngineOf(&plan) == engineEnterprise {
		summary := r.updateEnterprise(ctx, &plan, &state, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		r.finish(ctx, &plan, summary, &resp.Diagnostics)
		if !resp.Diagnostics.HasError() {
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		}
		return
	}

	spec, ret := spPolicySpec(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.Name.Equal(state.Name) || !plan.Schedule.Equal(state.Schedule) || !plan.CrossRegionCopy.Equal(state.CrossRegionCopy) ||
		!attrEqualAt(ctx, plan.Retention, state.Retention, "daily_days") {
		tflog.Info(ctx, "modifying the auto snapshot policy", map[string]any{"id": id})
		if err := r.client.ModifyAutoSnapshotPolicy(ctx, region, id, spec); err != nil {
			apiError(&resp.Diagnostics, "modify the auto snapshot policy", err)
			return
		}
	}
	p, err := r.client.FindAutoSnapshotPolicyByID(ctx, region, id)
	if err != nil {
		apiError(&resp.Diagnostics, "read the auto snapshot policy's tags", err)
		return
	}
	if err := r.client.SetPolicyTags(ctx, region, id, spManagedTags(cloud.PolicyRawTags(p)), spDesiredTags(spec.Tags, ret.Retention)); err != nil {
		apiError(&resp.Diagnostics, "update the auto snapshot policy's tags", err)
		return
	}
	disks := spStringsOf(ctx, plan.DiskIDs, &resp.Diagnostics)
	if err := r.setDisks(ctx, region, id, disks, nil, &resp.Diagnostics); err != nil {
		apiError(&resp.Diagnostics, "update the disks following the auto snapshot policy", err)
		return
	}
	summary, err := r.applyTiers(ctx, region, ret.Retention, disks)
	if err != nil {
		apiError(&resp.Diagnostics, "apply the retention tiers", err)
		return
	}
	r.finish(ctx, &plan, summary, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// attrEqualAt compares one attribute of two objects.
func attrEqualAt(_ context.Context, a, b types.Object, name string) bool {
	av, bv := a.Attributes()[name], b.Attributes()[name]
	if av == nil || bv == nil {
		return av == nil && bv == nil
	}
	return av.Equal(bv)
}

func (r *snapshotPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state snapshotPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultPolicyDeleteTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tflog.Info(ctx, "deleting the snapshot policy (its disks are unbound first; snapshots are kept)", map[string]any{"id": state.ID.ValueString()})
	if spEngineOf(&state) == engineEnterprise {
		if err := r.client.DeleteEnterprisePolicy(ctx, state.Region.ValueString(), state.ID.ValueString()); err != nil {
			apiError(&resp.Diagnostics, "delete the enterprise snapshot policy", err)
		}
		return
	}
	if err := r.client.DeleteAutoSnapshotPolicy(ctx, state.Region.ValueString(), state.ID.ValueString()); err != nil {
		apiError(&resp.Diagnostics, "delete the auto snapshot policy", err)
	}
}

// ImportState accepts a policy id, "esp-xxx" (enterprise) or "sp-xxx"
// (automatic), in the provider's region, or "cn-shanghai:esp-xxx".
func (r *snapshotPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	region, id := spSplitPolicyID(req.ID)
	if id == "" || !strings.HasPrefix(id, "sp-") && !strings.HasPrefix(id, "esp-") {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not a snapshot policy id: use the policy id (esp-... for an enterprise policy, sp-... for an automatic one), "+
				"or region:id for a policy outside the provider's region.", req.ID))
		return
	}
	if region == "" && r.client != nil {
		region = r.client.Region()
	}
	m := snapshotPolicyModel{
		ID: types.StringValue(id), Region: types.StringValue(region), Engine: types.StringValue(spEngineOfID(id)),
		MaxObservedRPO: types.StringNull(), ObservedRPO: types.ObjectNull(policyObservedTypes),
		Schedule: types.ObjectNull(policyScheduleTypes), Retention: types.ObjectNull(policyRetentionTypes),
		CrossRegionCopy: types.ObjectNull(policyCopyTypes), DiskIDs: types.SetNull(types.StringType),
		RPOTarget: types.StringNull(), Avoid: types.ListNull(types.StringType), Tags: types.MapNull(types.StringType),
		EffectiveRPO: types.StringNull(), PendingTierActions: types.Int64Null(), TieredSnapshots: types.Int64Null(),
		LastTierActions: types.StringNull(), Lock: types.ObjectNull(policyLockTypes),
		LockedPoints: types.MapNull(policyLockedPointsType), PointsWaitingForLock: types.Int64Null(),
		Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType})},
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
