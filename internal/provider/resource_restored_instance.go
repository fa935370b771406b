package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/restore"
)

var (
	_ resource.Resource                   = &restoredInstanceResource{}
	_ resource.ResourceWithConfigure      = &restoredInstanceResource{}
	_ resource.ResourceWithImportState    = &restoredInstanceResource{}
	_ resource.ResourceWithValidateConfig = &restoredInstanceResource{}
	_ resource.ResourceWithModifyPlan     = &restoredInstanceResource{}
)

// Default timeouts of alidr_restored_instance.
const (
	restoreCreateTimeout = 30 * time.Minute
	restoreUpdateTimeout = 10 * time.Minute
	restoreDeleteTimeout = 20 * time.Minute
)

// managedByValue is the TagManagedBy value on everything this provider creates.
const managedByValue = "terraform-provider-alidr"

// privateRestoreKey holds restorePrivate in the resource's private state.
const privateRestoreKey = "restore"

// restorePrivate is what the resource remembers outside its schema: the
// temporary image it made (until it is deleted) and the owner tag value of
// everything it created.
type restorePrivate struct {
	Owner            string `json:"owner,omitempty"`
	TemporaryImageID string `json:"temporary_image_id,omitempty"`
}

// NewRestoredInstanceResource restores an ECS instance from an image, a
// snapshot or the newest matching recovery point and measures the RTO.
func NewRestoredInstanceResource() resource.Resource { return &restoredInstanceResource{} }

type restoredInstanceResource struct{ client *cloud.Client }

func (r *restoredInstanceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_restored_instance"
}

func (r *restoredInstanceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// refresh reads the instance and its disks into m. It returns false and
// leaves m alone when the instance is gone.
func (r *restoredInstanceResource) refresh(ctx context.Context, m *restoredInstanceModel, diags *diag.Diagnostics) bool {
	region := r.client.RegionOr(knownString(m.Region))
	in, err := r.client.FindInstanceByID(ctx, region, m.ID.ValueString())
	if err != nil {
		if !cloud.IsNotFound(err) {
			apiError(diags, "read instance "+m.ID.ValueString(), err)
		}
		return false
	}
	importing := m.RestoredFrom.IsNull() && m.Source == nil
	m.fromInstance(in)
	disks, err := r.client.ListDisks(ctx, region, cloud.DiskFilter{InstanceID: in.InstanceId})
	if err != nil {
		apiError(diags, "read the disks of instance "+in.InstanceId, err)
		return true
	}
	sort.Slice(disks, func(i, j int) bool { return disks[i].Device < disks[j].Device })
	var data []dataDiskModel
	for _, d := range disks {
		switch d.Type {
		case "system":
			m.SystemDisk = types.ObjectValueMust(systemDiskAttrTypes, map[string]attr.Value{
				"category": types.StringValue(d.Category), "size": types.Int64Value(int64(d.Size)),
			})
		case "data":
			sid := types.StringNull()
			if d.SourceSnapshotId != "" {
				sid = types.StringValue(d.SourceSnapshotId)
			}
			data = append(data, dataDiskModel{SnapshotID: sid, Category: types.StringValue(d.Category), Size: types.Int64Value(int64(d.Size))})
		}
	}
	switch {
	case importing && len(data) > 0:
		m.DataDisks, _ = types.ListValueFrom(ctx, types.ObjectType{AttrTypes: dataDiskAttrTypes}, data)
	case !importing && !m.DataDisks.IsNull() && !m.DataDisks.IsUnknown():
		// The configured disks come after any the image brings, in order:
		// fill in (and refresh) their category and size.
		var cfg []dataDiskModel
		diags.Append(m.DataDisks.ElementsAs(ctx, &cfg, false)...)
		if len(data) >= len(cfg) {
			tail := data[len(data)-len(cfg):]
			for i := range cfg {
				cfg[i].Category, cfg[i].Size = tail[i].Category, tail[i].Size
			}
			m.DataDisks, _ = types.ListValueFrom(ctx, types.ObjectType{AttrTypes: dataDiskAttrTypes}, cfg)
		}
	}
	if importing {
		if m.OnRTOMiss.IsNull() {
			m.OnRTOMiss = types.StringValue(restore.OnMissWarn)
		}
		m.RestoredFrom = types.StringValue("")
		m.RestoredFromTime = types.StringNull()
		m.RestoreDuration = types.StringNull()
		m.RTOMet = types.BoolNull()
	}
	return true
}

func (r *restoredInstanceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m restoredInstanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.refresh(ctx, &m, &resp.Diagnostics) {
		if resp.Diagnostics.HasError() {
			return
		}
		resp.Diagnostics.AddWarning("Restored instance gone",
			fmt.Sprintf("Instance %s no longer exists in %s; it was removed from the state and the next apply restores it again.",
				m.ID.ValueString(), r.client.RegionOr(knownString(m.Region))))
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// setStatus starts or stops the instance and waits for it, first letting a
// transition under way finish.
func (r *restoredInstanceResource) setStatus(ctx context.Context, region, id, want string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	in, err := r.client.FindInstanceByID(ctx, region, id)
	if err != nil {
		return err
	}
	if in.Status != cloud.InstanceStatusRunning && in.Status != cloud.InstanceStatusStopped {
		stable := cloud.InstanceStatusRunning
		if in.Status == cloud.InstanceStatusStopping {
			stable = cloud.InstanceStatusStopped
		}
		if in, err = r.client.WaitInstanceStatus(ctx, region, id, stable, time.Until(deadline)); err != nil {
			return err
		}
	}
	if in.Status == want {
		return nil
	}
	tflog.Info(ctx, "restored instance: changing status", map[string]any{"instance_id": id, "from": in.Status, "to": want})
	if want == cloud.InstanceStatusRunning {
		err = r.client.StartInstance(ctx, region, id)
	} else {
		err = r.client.StopInstance(ctx, region, id)
	}
	if err != nil {
		return err
	}
	_, err = r.client.WaitInstanceStatus(ctx, region, id, want, time.Until(deadline))
	return err
}

func (r *restoredInstanceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state restoredInstanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, restoreUpdateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	region, id := state.Region.ValueString(), state.ID.ValueString()
	ctx = tflog.SetField(ctx, "instance_id", id)

	var mod cloud.ModifyInstanceInput
	touched := false
	if !plan.InstanceName.IsUnknown() && !plan.InstanceName.Equal(state.InstanceName) {
		v := plan.InstanceName.ValueString()
		mod.Name, touched = &v, true
	}
	if !plan.Description.IsUnknown() && !plan.Description.Equal(state.Description) {
		v := plan.Description.ValueString()
		mod.Description, touched = &v, true
	}
	if !plan.SecurityGroupIDs.Equal(state.SecurityGroupIDs) {
		resp.Diagnostics.Append(plan.SecurityGroupIDs.ElementsAs(ctx, &mod.SecurityGroupIDs, false)...)
		sort.Strings(mod.SecurityGroupIDs)
		touched = true
	}
	if touched {
		if err := r.client.ModifyInstance(ctx, region, id, mod); err != nil {
			apiError(&resp.Diagnostics, "modify instance "+id, err)
			return
		}
	}
	if !plan.Tags.Equal(state.Tags) {
		oldTags, newTags := map[string]string{}, map[string]string{}
		if !state.Tags.IsNull() {
			resp.Diagnostics.Append(state.Tags.ElementsAs(ctx, &oldTags, false)...)
		}
		if !plan.Tags.IsNull() {
			resp.Diagnostics.Append(plan.Tags.ElementsAs(ctx, &newTags, false)...)
		}
		set, remove := map[string]string{}, []string{}
		for k, v := range newTags {
			if ov, ok := oldTags[k]; !ok || ov != v {
				set[k] = v
			}
		}
		for k := range oldTags {
			if _, ok := newTags[k]; !ok {
				remove = append(remove, k)
			}
		}
		if err := r.client.UpdateResourceTags(ctx, region, "instance", id, set, remove); err != nil {
			apiError(&resp.Diagnostics, "update the tags of instance "+id, err)
			return
		}
	}
	if !plan.DesiredStatus.Equal(state.DesiredStatus) {
		deadline, _ := ctx.Deadline()
		if err := r.setStatus(ctx, region, id, plan.DesiredStatus.ValueString(), time.Until(deadline)); err != nil {
			apiError(&resp.Diagnostics, "change the status of instance "+id, err)
			return
		}
	}

	// Measured values stay; rto_met follows the (new) target.
	plan.ID, plan.Region = state.ID, state.Region
	plan.RestoredFrom, plan.RestoredFromTime, plan.RestoreDuration = state.RestoredFrom, state.RestoredFromTime, state.RestoreDuration
	plan.RTOMet = rtoMet(plan.RTOTarget, state.RestoreDuration)
	if !r.refresh(ctx, &plan, &resp.Diagnostics) {
		if !resp.Diagnostics.HasError() {
			resp.Diagnostics.AddError("Restored instance gone", fmt.Sprintf("Instance %s disappeared during the update; apply again to restore it.", id))
		}
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *restoredInstanceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m restoredInstanceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := m.Timeouts.Delete(ctx, restoreDeleteTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	region, id := r.client.RegionOr(knownString(m.Region)), m.ID.ValueString()
	if id != "" {
		tflog.Info(ctx, "restored instance: deleting", map[string]any{"instance_id": id, "region": region})
		if err := r.client.DeleteInstance(ctx, region, id); err != nil {
			apiError(&resp.Diagnostics, "delete instance "+id, err)
			return
		}
		deadline, _ := ctx.Deadline()
		if err := r.client.WaitInstanceDeleted(ctx, region, id, time.Until(deadline)); err != nil {
			apiError(&resp.Diagnostics, "wait for instance "+id+" to be deleted", err)
			return
		}
	}
	// What else the resource created: a temporary image left by a failed
	// or interrupted create.
	raw, diags := req.Private.GetKey(ctx, privateRestoreKey)
	resp.Diagnostics.Append(diags...)
	var priv restorePrivate
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &priv)
	}
	images := map[string]bool{}
	if priv.TemporaryImageID != "" {
		images[priv.TemporaryImageID] = true
	}
	if priv.Owner != "" {
		owned, err := r.client.ListImagesByTags(ctx, region, map[string]string{cloud.TagOwner: priv.Owner, cloud.TagManagedBy: managedByValue})
		if err != nil {
			apiError(&resp.Diagnostics, "list the temporary images of "+priv.Owner, err)
			return
		}
		for _, im := range owned {
			images[im.ImageId] = true
		}
	}
	for imageID := range images {
		tflog.Info(ctx, "restored instance: deleting the temporary image", map[string]any{"image_id": imageID})
		if err := r.client.DeleteImage(ctx, region, imageID, true); err != nil {
			apiError(&resp.Diagnostics, "delete temporary image "+imageID, err)
			return
		}
	}
}

// ImportState takes an instance id, or region:instance-id for an instance
// outside the provider's region.
func (r *restoredInstanceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	region, id, ok := strings.Cut(req.ID, ":")
	if !ok {
		region, id = "", req.ID
	}
	if !strings.HasPrefix(id, "i-") {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not an instance id: import with the id (e.g. i-2ze...) or region:id (e.g. cn-shanghai:i-uf6...).", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	if region == "" && r.client != nil {
		region = r.client.RegionOr("")
	}
	if region != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("region"), region)...)
	}
	if r.client != nil {
		r.importOwner(ctx, r.client.RegionOr(region), id, resp)
	}
}
