package provider

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
)

// observe sets m.ObservedRPO from the completed snapshots of disks in region
// and of their copies in each copy region: one DescribeSnapshots listing per
// region. It returns the primary region's snapshots and the service's time
// for the tier counts; ok is false after an error (in diags).
func (r *snapshotPolicyResource) observe(ctx context.Context, m *snapshotPolicyModel, region string, disks, copyRegions []string,
	effective time.Duration, diags *diag.Diagnostics) (primary []drpolicy.Snapshot, now time.Time, ok bool) {
	byDisk, byRegion := map[string]attr.Value{}, map[string]attr.Value{}
	if len(disks) > 0 {
		var err error
		if primary, now, err = r.client.DiskSnapshots(ctx, region, disks, false); err != nil {
			apiError(diags, "list the disks' snapshots for observed_rpo", err)
			return nil, now, false
		}
		for _, d := range disks {
			var times []time.Time
			for _, s := range primary {
				if s.DiskID == d {
					times = append(times, s.Created)
				}
			}
			if rpo, seen := drpolicy.ObservedRPO(times, now, effective); seen {
				byDisk[d] = types.StringValue(spHoursString(rpo))
			}
		}
		for _, cr := range copyRegions {
			copies, at, err := r.client.DiskSnapshots(ctx, cr, disks, true)
			if err != nil {
				apiError(diags, "list the copies in "+cr+" for observed_rpo", err)
				return nil, now, false
			}
			worst, seen := time.Duration(0), false
			for _, d := range disks {
				var times []time.Time
				for _, s := range copies {
					if s.DiskID == d {
						times = append(times, s.Created)
					}
				}
				rpo, ok := drpolicy.ObservedRPO(times, at, effective)
				if !ok {
					// A disk without a copy in the last week is the worst case
					// of the region once the region has any copy at all.
					continue
				}
				worst, seen = max(worst, rpo), true
			}
			if seen {
				byRegion[cr] = types.StringValue(spHoursString(worst))
			}
		}
	}
	m.ObservedRPO = types.ObjectValueMust(policyObservedTypes, map[string]attr.Value{
		"disks":        types.MapValueMust(types.StringType, byDisk),
		"copy_regions": types.MapValueMust(types.StringType, byRegion),
	})
	return primary, now, true
}

// spObservedChecks compares the refreshed observed_rpo with effective_rpo
// (a warning) and max_observed_rpo (an error), at plan time, without an API
// call: a nightly `terraform plan` is the monitor.
func spObservedChecks(ctx context.Context, m *snapshotPolicyModel, diags *diag.Diagnostics) {
	if !isKnown(m.ObservedRPO) || !isKnown(m.EffectiveRPO) {
		return
	}
	effective, err := drpolicy.ParseDuration(m.EffectiveRPO.ValueString())
	if err != nil {
		return
	}
	limit, hasLimit := time.Duration(0), false
	if isKnown(m.MaxObservedRPO) {
		if limit, err = drpolicy.ParseDuration(m.MaxObservedRPO.ValueString()); err == nil {
			hasLimit = true
		}
	}
	var obs struct {
		Disks       map[string]string `tfsdk:"disks"`
		CopyRegions map[string]string `tfsdk:"copy_regions"`
	}
	if d := m.ObservedRPO.As(ctx, &obs, objectAsOptions); d.HasError() {
		return
	}
	check := func(what string, values map[string]string) {
		for _, k := range slices.Sorted(mapKeys(values)) {
			got, err := drpolicy.ParseDuration(values[k])
			if err != nil {
				continue
			}
			switch {
			case hasLimit && got > limit:
				diags.AddAttributeError(path.Root("max_observed_rpo"), "Observed RPO over its limit",
					fmt.Sprintf("%s %s: the snapshots taken gave an RPO of %s over the last week, over max_observed_rpo %s (effective_rpo %s). "+
						"Snapshots ran longer than the schedule's interval (the cloud skips a time point while the previous snapshot runs) or failed: "+
						"space the schedule out, look at the snapshot jobs, or raise max_observed_rpo.", what, k, values[k], m.MaxObservedRPO.ValueString(), m.EffectiveRPO.ValueString()))
			case got > effective:
				diags.AddAttributeWarning(path.Root("observed_rpo"), "Observed RPO above the schedule's",
					fmt.Sprintf("%s %s: the snapshots taken gave an RPO of %s over the last week, more than effective_rpo %s: the cloud skipped time points "+
						"(a snapshot still running) or snapshots failed. Set max_observed_rpo to make this an error.", what, k, values[k], m.EffectiveRPO.ValueString()))
			}
		}
	}
	check("Disk", obs.Disks)
	check("Copy region", obs.CopyRegions)
}

// spSaveID keeps a created policy's id in state after a later step failed,
// so Terraform taints it instead of losing track of it.
func spSaveID(ctx context.Context, plan *snapshotPolicyModel, state *tfsdk.State, diags *diag.Diagnostics) {
	partial := *plan
	partial.PendingTierActions = types.Int64Null()
	partial.TieredSnapshots = types.Int64Null()
	partial.LastTierActions = types.StringNull()
	partial.ObservedRPO = types.ObjectNull(policyObservedTypes)
	partial.LockedPoints, partial.PointsWaitingForLock = types.MapNull(policyLockedPointsType), types.Int64Null()
	if partial.EffectiveRPO.IsUnknown() {
		partial.EffectiveRPO = types.StringNull()
	}
	diags.Append(state.Set(ctx, &partial)...)
}

// spTagsValue is the tags attribute for the user tags a policy carries:
// null stays null when there are none.
func spTagsValue(ctx context.Context, user map[string]string, cur types.Map, diags *diag.Diagnostics) types.Map {
	if len(user) == 0 && (cur.IsNull() || cur.IsUnknown()) {
		return types.MapNull(types.StringType)
	}
	v, d := types.MapValueFrom(ctx, types.StringType, user)
	diags.Append(d...)
	return v
}

// spDisksValue is the disk_ids attribute for the disks following a policy:
// null stays null when there are none, and disk_ids = [] stays empty.
func spDisksValue(ctx context.Context, disks []string, cur types.Set, diags *diag.Diagnostics) types.Set {
	if len(disks) == 0 && (cur.IsNull() || cur.IsUnknown()) {
		return types.SetNull(types.StringType)
	}
	if disks == nil {
		disks = []string{}
	}
	v, d := types.SetValueFrom(ctx, types.StringType, disks)
	diags.Append(d...)
	return v
}
