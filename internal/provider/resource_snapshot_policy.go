package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-uuid"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
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

func (r *snapshotPolicyResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A snapshot policy: when snapshots are taken, how long they are kept (daily, weekly, monthly and yearly tiers), " +
			"cross-region copies, and which disks follow it. By default an EBS enterprise snapshot policy, which keeps every tier and copies " +
			"to several regions by itself, between applies; `engine = \"automatic\"` keeps the ECS automatic snapshot policy (one copy region, " +
			"monthly and yearly tiers enforced by this resource on every apply). Plans fail when the schedule cannot meet `rpo_target`, warn when a " +
			"snapshot would start in an `avoid` window, and report the RPO the snapshots really gave (`observed_rpo`).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "The policy id: `esp-...` for an enterprise policy, `sp-...` for an automatic one.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"engine": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(engineEnterprise),
				MarkdownDescription: "`enterprise` (default): an EBS enterprise snapshot policy (cron schedule, base and weekly/monthly/yearly retention " +
					"kept by the cloud, copies to several regions each with its own retention). `automatic`: an ECS automatic snapshot policy " +
					"(one copy region, encrypted copies with a KMS key, `daily_days = -1`; monthly and yearly tiers enforced by this resource on apply). " +
					"Changing it replaces the policy.",
				Validators:    []validator.String{stringvalidator.OneOf(engineEnterprise, engineAutomatic)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"region": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Region of the policy and its disks. Default: the provider's region. Changing it replaces the policy.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true, MarkdownDescription: "Policy name, 2 to 128 characters, starting with a letter or Chinese character, not with `http://` or `https://`.",
				Validators: []validator.String{ecsNameValidator("policy name")},
			},
			"schedule": schema.SingleNestedAttribute{
				Required: true,
				MarkdownDescription: "When snapshots start: `hours` and `weekdays`, or `cron`. " +
					"ECS evaluates automatic policy time points in UTC+8 in every region; enterprise policies are evaluated the same way here (see the page).",
				Attributes: map[string]schema.Attribute{
					"hours": schema.SetAttribute{
						Optional: true, ElementType: types.Int64Type,
						MarkdownDescription: "Hours (0-23, UTC+8) at which snapshots start, e.g. `[2, 14]`. Set with `weekdays`, or use `cron`.",
					},
					"weekdays": schema.SetAttribute{
						Optional: true, ElementType: types.StringType,
						MarkdownDescription: "Days on which snapshots are taken: `MON`, `TUE`, `WED`, `THU`, `FRI`, `SAT`, `SUN`.",
					},
					"cron": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "The schedule as the enterprise policy's six-field cron expression, seconds first: `0 0 2,14 ? * *` " +
							"is 02:00 and 14:00 every day, `0 0 */6 ? * MON-FRI` every six hours on weekdays. Snapshots start on the hour; " +
							"day-of-month and month stay `?`/`*`. Instead of `hours` and `weekdays`; the automatic engine takes `hours` and `weekdays` only.",
					},
					"time_zone": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(scheduleZone),
						MarkdownDescription: "The time zone the hours are in: `UTC+8` (default and only value), the zone ECS evaluates automatic policies in " +
							"whatever the region.",
					},
				},
			},
			"retention": schema.SingleNestedAttribute{
				Required: true,
				MarkdownDescription: "How long snapshots are kept: `daily_days` every snapshot, and the first snapshot of each week, month and year longer. " +
					"An enterprise policy keeps all tiers by itself; with the automatic engine the monthly and yearly tiers are enforced by this resource " +
					"on every apply (see the page's \"Retention tiers\" section).",
				Attributes: map[string]schema.Attribute{
					"daily_days": schema.Int64Attribute{
						Required:            true,
						MarkdownDescription: "Days each snapshot is kept: 1 to 65535, or -1 (automatic engine only) to keep them forever.",
					},
					"weekly_weeks": schema.Int64Attribute{
						Optional: true, Computed: true, Default: int64default.StaticInt64(0),
						MarkdownDescription: "Keep the first snapshot of each week (UTC+8) this many weeks (enterprise engine). 0 (default) disables the tier.",
					},
					"monthly_months": schema.Int64Attribute{
						Optional: true, Computed: true, Default: int64default.StaticInt64(0),
						MarkdownDescription: "Keep the first snapshot of each calendar month (UTC+8) this many months and move it to the archive tier. 0 (default) disables the tier.",
					},
					"yearly_years": schema.Int64Attribute{
						Optional: true, Computed: true, Default: int64default.StaticInt64(0),
						MarkdownDescription: "Keep the first snapshot of each calendar year (UTC+8) this many years. 0 (default) disables the tier.",
					},
				},
			},
			"cross_region_copy": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Copy every snapshot to other regions. Omit to take no copies. An enterprise policy copies to several regions, " +
					"each with its own retention; an automatic policy to a single one (CreateAutoSnapshotPolicy `TargetCopyRegions`).",
				Attributes: map[string]schema.Attribute{
					"regions": schema.SetAttribute{
						Required: true, ElementType: types.StringType,
						MarkdownDescription: "The regions to copy to: each must exist and differ from the policy's region. The automatic engine " +
							"takes one region (ECS takes a single destination region per automatic policy).",
						Validators: []validator.Set{setvalidator.SizeAtLeast(1)},
					},
					"retention_days": schema.Int64Attribute{
						Required: true, MarkdownDescription: "Days the copies are kept: 1 to 65535, or -1 (automatic engine only) for forever.",
					},
					"region_retention_days": schema.MapAttribute{
						Optional: true, ElementType: types.Int64Type,
						MarkdownDescription: "Per-region override of `retention_days` (enterprise engine), e.g. `{ \"cn-guangzhou\" = 7 }`. Keys must be in `regions`.",
					},
					"encrypted": schema.BoolAttribute{
						Optional: true, Computed: true, Default: booldefault.StaticBool(false),
						MarkdownDescription: "Encrypt the copies (automatic engine: the enterprise policy's CrossRegionCopyInfo has no encryption setting). Default `false`.",
					},
					"kms_key_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "KMS key for encrypted copies (requires `encrypted = true`); the service key when omitted.",
					},
				},
			},
			"disk_ids": schema.SetAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Disks that follow this policy. A disk follows one policy at a time: a disk taken from another policy " +
					"is reported with a warning naming it. Disks removed from the set stop taking automatic snapshots.",
			},
			"rpo_target": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Longest acceptable gap between snapshots, e.g. `12h` or `1d`. The plan fails when `effective_rpo` " +
					"exceeds it, naming the gap and a schedule change that meets it.",
			},
			"avoid": schema.ListAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Peak-hour windows (UTC+8) in which snapshots should not start, e.g. `\"MON 08:00-12:00\"` or `\"DAILY 09:00-11:00\"`. " +
					"Each scheduled time point inside one gives a plan-time warning.",
			},
			"tags": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Tags on the policy. Keys starting with `alidr:` are reserved for the provider.",
				Validators:          []validator.Map{tagsValidator{}},
			},
			"effective_rpo": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The longest gap between scheduled snapshots over a week, e.g. `12h`: the most data a failure can cost.",
			},
			"max_observed_rpo": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Largest acceptable `observed_rpo`, e.g. `26h`. A plan whose refreshed `observed_rpo` exceeds it fails, naming the disk " +
					"or region, so a nightly `terraform plan` is a monitor. Without it an `observed_rpo` above `effective_rpo` is a warning.",
			},
			"observed_rpo": schema.SingleNestedAttribute{
				Computed: true,
				MarkdownDescription: "The RPO the snapshots really gave, as of the last refresh: per disk (`disks`) and per copy region (`copy_regions`), " +
					"the longest gap between completed snapshots over the last week, and the time since the newest one when that already exceeds " +
					"`effective_rpo`, to the nearest hour. The cloud skips a time point while the previous snapshot is still running, so it can exceed " +
					"`effective_rpo`. A disk or region without a completed snapshot in the last week is absent.",
				Attributes: map[string]schema.Attribute{
					"disks":        schema.MapAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Observed RPO by disk id, in the policy's region."},
					"copy_regions": schema.MapAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Observed RPO by copy region (the worst disk)."},
				},
			},
			"pending_tier_actions": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "Snapshots the monthly/yearly tiers still have to extend or archive, as seen by the last refresh. " +
					"Non-zero makes the next plan show an update; the apply brings it to 0.",
			},
			"tiered_snapshots": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "Snapshots currently held by the monthly and yearly tiers (kept longer and, for the monthly tier, archived).",
			},
			"last_tier_actions": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "What the latest apply with tier work did, e.g. `2 snapshots to extend, 1 to archive` (`no changes` when none yet).",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{
				Create: true, Update: true, Delete: true,
				CreateDescription: "Creating the policy, attaching disks and tiering existing snapshots (default `10m`).",
				UpdateDescription: "Changing the policy and tiering snapshots (default `30m`).",
				DeleteDescription: "Detaching disks and deleting the policy (default `10m`).",
			}),
		},
	}
	maps.Copy(resp.Schema.Attributes, spLockSchema())
}

func (r *snapshotPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

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
		r.warnDisksOnOtherPolicies(ctx, region, plan.ID.ValueString(), spStringsOf(ctx, plan.DiskIDs, &scratch), &resp.Diagnostics)
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
		if err := r.deleteEnterprise(ctx, state.Region.ValueString(), state.ID.ValueString()); err != nil {
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
