package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/restore"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// addFindings turns restore findings into attribute diagnostics.
func addFindings(diags *diag.Diagnostics, fs []restore.Finding) {
	for _, f := range fs {
		p := path.Empty()
		for _, step := range f.Path {
			switch s := step.(type) {
			case string:
				p = p.AtName(s)
			case int:
				p = p.AtListIndex(s)
			}
		}
		if f.Warning {
			diags.AddAttributeWarning(p, f.Summary, f.Detail)
		} else {
			diags.AddAttributeError(p, f.Summary, f.Detail)
		}
	}
}
func (r *restoredInstanceResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m restoredInstanceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if src := m.Source; src != nil {
		set := 0
		unknown := false
		for _, v := range []types.String{src.ImageID, src.SnapshotID} {
			if v.IsUnknown() {
				unknown = true
			} else if !v.IsNull() {
				set++
			}
		}
		if src.RecoveryPoint != nil {
			set++
		}
		if !unknown && set != 1 {
			resp.Diagnostics.AddAttributeError(path.Root("source"), "Choose one restore source",
				fmt.Sprintf("source sets %d of image_id, snapshot_id and recovery_point; set exactly one: image_id to boot an image, "+
					"snapshot_id to restore a snapshot, or recovery_point to pick the newest snapshot of a disk before a time.", set))
		}
		if rp := src.RecoveryPoint; rp != nil {
			addFindings(&resp.Diagnostics, restore.PointQuery{Before: knownString(rp.Before), MaxAge: knownString(rp.MaxAge)}.Validate())
		}
	}
	addFindings(&resp.Diagnostics, restore.Validate(m.spec(ctx, &resp.Diagnostics)))
	if t := knownString(m.RTOTarget); t != "" {
		if _, err := restore.ParseRTO(t); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("rto_target"), "Invalid RTO target", err.Error())
		}
	}
}
func (r *restoredInstanceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	plan, state, ok := planAndState[restoredInstanceModel](ctx, req, &resp.Diagnostics)
	if !ok {
		return
	}
	changed := false
	if state != nil {
		// In-place updates: the status follows desired_status, rto_met is
		// re-evaluated against the new target.
		if !plan.DesiredStatus.Equal(state.DesiredStatus) && !plan.DesiredStatus.IsUnknown() {
			plan.Status = plan.DesiredStatus
			changed = true
		}
		if !plan.RTOTarget.IsUnknown() {
			plan.RTOMet = rtoMet(plan.RTOTarget, state.RestoreDuration)
			changed = true
		}
	}
	if r.client != nil {
		if plan.Region.IsUnknown() && state == nil {
			plan.Region = types.StringValue(r.client.RegionOr(""))
			changed = true
		}
		if state == nil || inputsChanged(&plan, state) {
			if r.checkWithCloud(ctx, &plan, &resp.Diagnostics) {
				changed = true
			}
		}
	}
	if changed && !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
	}
}

// rtoMet evaluates a target against a measured duration; null when either
// is missing.
func rtoMet(target, measured types.String) types.Bool {
	t, m := knownString(target), knownString(measured)
	if t == "" || m == "" {
		return types.BoolNull()
	}
	td, err1 := restore.ParseRTO(t)
	md, err2 := restore.ParseMeasured(m)
	if err1 != nil || err2 != nil {
		return types.BoolNull()
	}
	return types.BoolValue(restore.RTOMet(md, td))
}

// inputsChanged reports whether anything the cloud checks look at differs
// from the state (a replacement is planned).
func inputsChanged(plan, state *restoredInstanceModel) bool {
	return !plan.InstanceType.Equal(state.InstanceType) || !plan.VSwitchID.Equal(state.VSwitchID) ||
		!plan.ZoneID.Equal(state.ZoneID) || !plan.SystemDisk.Equal(state.SystemDisk) ||
		!plan.DataDisks.Equal(state.DataDisks) || !plan.PrivateIPs.Equal(state.PrivateIPs) ||
		(state.Source != nil && plan.Source != nil && !sourceEqual(plan.Source, state.Source))
}
func sourceEqual(a, b *restoreSource) bool {
	if !a.ImageID.Equal(b.ImageID) || !a.SnapshotID.Equal(b.SnapshotID) || (a.RecoveryPoint == nil) != (b.RecoveryPoint == nil) {
		return false
	}
	if a.RecoveryPoint == nil {
		return true
	}
	x, y := a.RecoveryPoint, b.RecoveryPoint
	return x.DiskID.Equal(y.DiskID) && x.Before.Equal(y.Before) && x.MaxAge.Equal(y.MaxAge) && x.OnlyVerified.Equal(y.OnlyVerified) &&
		x.OnlyLocked.Equal(y.OnlyLocked) && x.Dwell.Equal(y.Dwell)
}

// checkWithCloud runs the plan-time checks that need the API: the instance
// type (errors and baseline warnings), the vSwitch's region and zone, the
// image or snapshot size against the system disk, data disk snapshots. It
// fills zone_id from the vSwitch. Checks whose inputs are unknown are
// skipped; API failures other than NotFound become warnings.
func (r *restoredInstanceResource) checkWithCloud(ctx context.Context, plan *restoredInstanceModel, diags *diag.Diagnostics) (modified bool) {
	region := knownString(plan.Region)
	if region == "" || !regionAvailable(ctx, r.client, region, path.Root("region"), diags) {
		return false
	}
	skipped := func(what string, err error) {
		diags.AddWarning("Plan-time check skipped", fmt.Sprintf("Could not %s: %v. The API checks it again when the instance is created.", what, err))
	}
	dataDisks, _ := plan.dataDisks(ctx, diags)
	privateIPs := int(knownInt(plan.PrivateIPs))

	if t := knownString(plan.InstanceType); t != "" {
		it, err := r.client.FindInstanceType(ctx, region, t)
		switch {
		case cloud.IsNotFound(err):
			diags.AddAttributeError(path.Root("instance_type"), "Unknown instance type",
				fmt.Sprintf("Instance type %q is not offered in %s. Choose one DescribeInstanceTypes lists there, e.g. ecs.g7.xlarge.", t, region))
		case err != nil:
			skipped("look up instance type "+t, err)
		default:
			addFindings(diags, restore.CheckInstanceType(restore.InstanceType{
				ID: it.InstanceTypeId, VCPU: it.CpuCoreCount, MemoryGiB: it.MemorySize,
				IPsPerENI: it.EniPrivateIpAddressQuantity, MaxDataDisks: it.DiskQuantity,
			}, privateIPs, len(dataDisks)))
		}
	}

	if v := knownString(plan.VSwitchID); v != "" {
		vsw, err := r.client.FindVSwitchByID(ctx, region, v)
		switch {
		case err != nil && !cloud.IsNotFound(err):
			skipped("look up vSwitch "+v, err)
		default:
			zone := ""
			if vsw != nil {
				zone = vsw.ZoneId
			}
			addFindings(diags, restore.CheckVSwitch(v, region, err == nil, zone, knownString(plan.ZoneID)))
			if vsw != nil && plan.ZoneID.IsUnknown() {
				plan.ZoneID = types.StringValue(vsw.ZoneId)
				modified = true
			}
		}
	}

	// Minimum system disk size from the source.
	imageSize, sourceName := 0, ""
	if src := plan.Source; src != nil {
		switch {
		case knownString(src.ImageID) != "":
			id := src.ImageID.ValueString()
			im, err := r.client.FindImageByID(ctx, region, id)
			switch {
			case cloud.IsNotFound(err):
				diags.AddAttributeError(path.Root("source").AtName("image_id"), "Image not found",
					fmt.Sprintf("Image %s does not exist in %s or is not shared with this account. Use an image of %s (copy it there with alidr_replicated_image).", id, region, region))
			case err != nil:
				skipped("look up image "+id, err)
			default:
				imageSize, sourceName = im.Size, "image "+id
			}
		case knownString(src.SnapshotID) != "":
			id := src.SnapshotID.ValueString()
			size, err := r.snapshotSize(ctx, region, id)
			switch {
			case cloud.IsNotFound(err):
				diags.AddAttributeError(path.Root("source").AtName("snapshot_id"), "Snapshot not found",
					fmt.Sprintf("Snapshot %s does not exist in %s. Use a snapshot of %s, or copy it there first.", id, region, region))
			case err != nil:
				skipped("look up snapshot "+id, err)
			default:
				imageSize, sourceName = size, "snapshot "+id
			}
		case src.RecoveryPoint != nil && knownString(src.RecoveryPoint.DiskID) != "":
			q := pointQuery(src.RecoveryPoint)
			if len(q.Validate()) == 0 {
				p, err := r.choosePoint(ctx, region, q)
				switch {
				case err != nil:
					diags.AddAttributeWarning(path.Root("source").AtName("recovery_point"), "No recovery point matches yet",
						fmt.Sprintf("%v. The point is chosen when the instance is created, so this fails then unless a matching snapshot exists by that time.", err))
				default:
					passedOverWarning(diags, path.Root("source").AtName("recovery_point"), p.PassedOver)
					if size, err := r.snapshotSize(ctx, region, p.ID); err == nil {
						imageSize, sourceName = size, "recovery point "+p.ID
					}
				}
			}
		}
	}
	if d := plan.systemDisk(ctx, diags); d != nil && !d.Size.IsUnknown() {
		addFindings(diags, restore.CheckSystemDiskSize(int(knownInt(d.Size)), imageSize, sourceName))
	}

	for i, d := range dataDisks {
		id := knownString(d.SnapshotID)
		if id == "" {
			continue
		}
		size, err := r.snapshotSize(ctx, region, id)
		switch {
		case cloud.IsNotFound(err):
			diags.AddAttributeError(path.Root("data_disks").AtListIndex(i).AtName("snapshot_id"), "Snapshot not found",
				fmt.Sprintf("Snapshot %s does not exist in %s. Use a snapshot of %s, or copy it there first.", id, region, region))
		case err != nil:
			skipped("look up snapshot "+id, err)
		default:
			addFindings(diags, restore.CheckDataDiskSnapshot(i, int(knownInt(d.Size)), size, id))
		}
	}
	return modified
}
func (r *restoredInstanceResource) snapshotSize(ctx context.Context, region, id string) (int, error) {
	s, err := r.client.FindSnapshotByID(ctx, region, id)
	if err != nil {
		return 0, err
	}
	var n int
	_, _ = fmt.Sscan(s.SourceDiskSize, &n)
	return n, nil
}
func pointQuery(rp *restoreRecoveryPoint) restore.PointQuery {
	return restore.PointQuery{
		DiskID: knownString(rp.DiskID), Before: knownString(rp.Before), MaxAge: knownString(rp.MaxAge),
		OnlyVerified: !rp.OnlyVerified.IsNull() && !rp.OnlyVerified.IsUnknown() && rp.OnlyVerified.ValueBool(),
		OnlyLocked:   !rp.OnlyLocked.IsNull() && !rp.OnlyLocked.IsUnknown() && rp.OnlyLocked.ValueBool(),
		Dwell:        knownString(rp.Dwell),
	}
}

// choosePoint lists the disk's recovery points and picks the newest match.
func (r *restoredInstanceResource) choosePoint(ctx context.Context, region string, q restore.PointQuery) (pointChoice, error) {
	if err := checkTrust(r.client, q.OnlyVerified); err != nil {
		return pointChoice{}, err
	}
	points, err := r.client.RecoveryPoints(ctx, region, cloud.RecoveryPointQuery{DiskID: q.DiskID, Locks: q.OnlyLocked})
	if err != nil {
		return pointChoice{}, err
	}
	now := time.Now()
	p, err := q.Choose(points, region, now)
	if err != nil {
		return pointChoice{}, err
	}
	return pointChoice{ID: p.ID, Created: p.Created, PassedOver: q.PassedOver(points, region, now, p)}, nil
}

type pointChoice struct {
	ID         string
	Created    time.Time
	PassedOver []string // why each newer point was not chosen
}
