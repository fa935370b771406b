package provider

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
)

// Snapshot locks per tier: every point of a locked tier is locked in
// compliance mode (LockSnapshot) until its tier lets it go, in the policy's
// region and in every copy region, since a copy does not inherit the lock
// (ECS user guide "Lock a snapshot"). The cloud locks nothing by itself:
// the provider locks the points that appeared since the last apply, and a
// refresh that finds a point waiting makes the next plan an update.

// maxCoolOffHours is LockSnapshot CoolOffPeriod's upper bound (0 to 72 hours,
// ecs-20140526/v7 LockSnapshotRequest).
const maxCoolOffHours = 72

type policyLockModel struct {
	Tiers        types.Set   `tfsdk:"tiers"`
	CoolOffHours types.Int64 `tfsdk:"cool_off_hours"`
}

var policyLockTypes = map[string]attr.Type{"tiers": types.SetType{ElemType: types.StringType}, "cool_off_hours": types.Int64Type}

// policyLockedPointsType is locked_points: "<tier>/<region>" to snapshot ids.
var policyLockedPointsType = types.ListType{ElemType: types.StringType}

func spLockSchema() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"lock": schema.SingleNestedAttribute{
			Optional: true,
			MarkdownDescription: "Lock the points of these tiers in compliance mode (ECS snapshot lock) for the rest of their tier's retention, in the " +
				"policy's region and in every copy region (a copy does not inherit its source's lock). Enterprise engine only. The provider locks new " +
				"points on every apply; a refresh that finds a point not yet locked makes the next plan an update. See the guide below for the cost.",
			Attributes: map[string]schema.Attribute{
				"tiers": schema.SetAttribute{
					Required: true, ElementType: types.StringType,
					MarkdownDescription: "Tiers whose points are locked: any of `daily`, `weekly`, `monthly`, `yearly`. Each needs a retention in `retention`.",
					Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(stringvalidator.OneOf(drpolicy.LockTierNames...))},
				},
				"cool_off_hours": schema.Int64Attribute{
					Optional: true, Computed: true, Default: int64default.StaticInt64(0),
					MarkdownDescription: "Hours (0 to 72, default 0) during which a new lock can still be removed (UnlockSnapshot); the snapshot cannot be deleted meanwhile.",
					Validators:          []validator.Int64{int64validator.Between(0, maxCoolOffHours)},
				},
			},
		},
		"locked_points": schema.MapAttribute{
			Computed: true, ElementType: policyLockedPointsType,
			MarkdownDescription: "As of the last refresh, the locked points by `<tier>/<region>` (e.g. `monthly/cn-hangzhou`): snapshot ids, sorted. Null without `lock`.",
		},
		"points_waiting_for_lock": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "Points of a locked tier, in any region, that the last refresh found not locked. Non-zero makes the next plan an update that locks them.",
		},
	}
}

// spLockOf is the lock block; present is false when it is null or unknown.
func spLockOf(ctx context.Context, obj types.Object, diags *diag.Diagnostics) (tiers []string, coolOff int, present bool) {
	if !isKnown(obj) {
		return nil, 0, false
	}
	var m policyLockModel
	diags.Append(obj.As(ctx, &m, objectAsOptions)...)
	if !isKnown(m.Tiers) {
		return nil, 0, false
	}
	diags.Append(m.Tiers.ElementsAs(ctx, &tiers, false)...)
	slices.Sort(tiers)
	return tiers, int(m.CoolOffHours.ValueInt64()), true
}

// spValidateLock refuses a lock the engine cannot keep and a locked tier
// that keeps nothing.
func spValidateLock(ctx context.Context, m *snapshotPolicyModel, engine string, t drpolicy.Tiers, diags *diag.Diagnostics) {
	locked, _, present := spLockOf(ctx, m.Lock, diags)
	if !present {
		return
	}
	if engine != engineEnterprise {
		diags.AddAttributeError(path.Root("lock"), "Locks need the enterprise engine",
			"lock is kept for enterprise policies only. Remove lock, or set engine = \"enterprise\".")
		return
	}
	field := map[string]string{"daily": "daily_days", "weekly": "weekly_weeks", "monthly": "monthly_months", "yearly": "yearly_years"}
	for _, tier := range locked {
		if f, ok := field[tier]; ok && t.TierDays(tier) <= 0 {
			diags.AddAttributeError(path.Root("lock").AtName("tiers"), "Locked tier without retention",
				fmt.Sprintf("lock.tiers has %q but retention.%s is not set: set retention.%s, or remove %q from lock.tiers.", tier, f, f, tier))
		}
	}
}

// lockPoint is a point of a locked tier in one region and whether a lock
// protects it.
type lockPoint struct {
	Region string
	Target drpolicy.LockTarget
	Locked bool
}

// lockPoints lists the points the locked tiers want locked, in region and
// every copy region (a copy wants the lock of its source), with whether
// they are locked now, and the service's time.
func (r *snapshotPolicyResource) lockPoints(ctx context.Context, region string, t drpolicy.Tiers, locked, disks, copyRegions []string) ([]lockPoint, time.Time, error) {
	if len(disks) == 0 {
		return nil, time.Time{}, nil
	}
	own, now, err := r.client.DiskSnapshots(ctx, region, disks, false)
	if err != nil {
		return nil, now, err
	}
	targets := drpolicy.LockTargets(t, locked, own, now, cloud.PolicyLocation)
	bySource := map[string]drpolicy.LockTarget{}
	for _, tg := range targets {
		bySource[tg.Snapshot.ID] = tg
	}
	var out []lockPoint
	add := func(reg string, tgs []drpolicy.LockTarget) error {
		ids := make([]string, 0, len(tgs))
		for _, tg := range tgs {
			ids = append(ids, tg.Snapshot.ID)
		}
		if len(ids) == 0 {
			return nil
		}
		locks, err := r.client.ListSnapshotLocks(ctx, reg, ids)
		if err != nil {
			return err
		}
		for _, tg := range tgs {
			i := slices.IndexFunc(locks, func(l cloud.SnapshotLock) bool { return l.SnapshotId == tg.Snapshot.ID && l.Locked() })
			out = append(out, lockPoint{Region: reg, Target: tg, Locked: i >= 0})
		}
		return nil
	}
	if err := add(region, targets); err != nil {
		return nil, now, err
	}
	for _, cr := range copyRegions {
		copies, _, err := r.client.DiskSnapshots(ctx, cr, disks, true)
		if err != nil {
			return nil, now, err
		}
		var tgs []drpolicy.LockTarget
		for _, c := range copies {
			if src, ok := bySource[c.SourceID]; ok {
				tgs = append(tgs, drpolicy.LockTarget{Snapshot: c, Tier: src.Tier, Until: src.Until})
			}
		}
		if err := add(cr, tgs); err != nil {
			return nil, now, err
		}
	}
	return out, now, nil
}

// applyLocks locks every point of a locked tier not locked yet, extending
// its retention first where the lock would outlast it.
func (r *snapshotPolicyResource) applyLocks(ctx context.Context, m *snapshotPolicyModel, region string, t drpolicy.Tiers, disks, copyRegions []string, diags *diag.Diagnostics) error {
	locked, coolOff, present := spLockOf(ctx, m.Lock, diags)
	if !present {
		return nil
	}
	points, now, err := r.lockPoints(ctx, region, t, locked, disks, copyRegions)
	if err != nil {
		return err
	}
	for _, p := range points {
		if p.Locked {
			continue
		}
		s := p.Target.Snapshot
		days := drpolicy.LockDays(p.Target.Until, now, coolOff)
		if need := drpolicy.RetentionForLock(s, now, days); need > 0 {
			if err := r.client.ExtendSnapshotRetention(ctx, p.Region, s.ID, need); err != nil {
				return fmt.Errorf("extending the retention of %s in %s to %d days before locking it: %w", s.ID, p.Region, need, err)
			}
		}
		tflog.Info(ctx, "locking snapshot", map[string]any{"snapshot": s.ID, "region": p.Region, "tier": p.Target.Tier, "days": days})
		if _, err := r.client.LockSnapshot(ctx, p.Region, s.ID, days, coolOff); err != nil {
			return fmt.Errorf("locking %s in %s for %d days (%s tier): %w", s.ID, p.Region, days, p.Target.Tier, err)
		}
	}
	return nil
}

// readLocks sets locked_points and points_waiting_for_lock.
func (r *snapshotPolicyResource) readLocks(ctx context.Context, m *snapshotPolicyModel, region string, t drpolicy.Tiers, disks, copyRegions []string, diags *diag.Diagnostics) {
	m.LockedPoints, m.PointsWaitingForLock = types.MapNull(policyLockedPointsType), types.Int64Value(0)
	locked, _, present := spLockOf(ctx, m.Lock, diags)
	if !present {
		return
	}
	points, _, err := r.lockPoints(ctx, region, t, locked, disks, copyRegions)
	if err != nil {
		apiError(diags, "list the snapshot locks of the locked tiers", err)
		return
	}
	byKey, waiting := map[string][]string{}, 0
	for _, p := range points {
		if !p.Locked {
			waiting++
			continue
		}
		k := p.Target.Tier + "/" + p.Region
		byKey[k] = append(byKey[k], p.Target.Snapshot.ID)
	}
	for _, ids := range byKey {
		slices.Sort(ids)
	}
	v, d := types.MapValueFrom(ctx, policyLockedPointsType, byKey)
	diags.Append(d...)
	m.LockedPoints, m.PointsWaitingForLock = v, types.Int64Value(int64(waiting))
}

// spPlanLocks plans the lock attributes: an apply locks every waiting point,
// so the plan shows 0 and warns about the points it will lock.
func spPlanLocks(ctx context.Context, plan, state *snapshotPolicyModel, diags *diag.Diagnostics) {
	if _, _, present := spLockOf(ctx, plan.Lock, diags); !present && !plan.Lock.IsUnknown() {
		plan.LockedPoints, plan.PointsWaitingForLock = types.MapNull(policyLockedPointsType), types.Int64Value(0)
		return
	}
	plan.PointsWaitingForLock = types.Int64Value(0)
	plan.LockedPoints = types.MapUnknown(policyLockedPointsType)
	if state != nil && state.PointsWaitingForLock.ValueInt64() == 0 && plan.Lock.Equal(state.Lock) && plan.DiskIDs.Equal(state.DiskIDs) &&
		plan.Retention.Equal(state.Retention) && plan.CrossRegionCopy.Equal(state.CrossRegionCopy) {
		plan.LockedPoints = state.LockedPoints // nothing to lock: as refreshed
	}
	if state != nil && state.PointsWaitingForLock.ValueInt64() > 0 {
		diags.AddAttributeWarning(path.Root("points_waiting_for_lock"), "Snapshots waiting for a lock",
			fmt.Sprintf("%d point(s) of a locked tier are not locked yet; this apply locks them in compliance mode. Once a lock's cool-off has "+
				"ended nobody can delete the snapshot or shorten the lock until it ends.", state.PointsWaitingForLock.ValueInt64()))
	}
}
