package provider

import (
	"context"
	"sort"
	"strings"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/restore"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

type restoredInstanceModel struct {
	ID                 types.String   `tfsdk:"id"`
	Region             types.String   `tfsdk:"region"`
	Source             *restoreSource `tfsdk:"source"`
	InstanceType       types.String   `tfsdk:"instance_type"`
	InstanceName       types.String   `tfsdk:"instance_name"`
	Description        types.String   `tfsdk:"description"`
	SystemDisk         types.Object   `tfsdk:"system_disk"`
	DataDisks          types.List     `tfsdk:"data_disks"`
	VSwitchID          types.String   `tfsdk:"vswitch_id"`
	ZoneID             types.String   `tfsdk:"zone_id"`
	SecurityGroupIDs   types.Set      `tfsdk:"security_group_ids"`
	PrivateIPs         types.Int64    `tfsdk:"private_ips"`
	Tags               types.Map      `tfsdk:"tags"`
	DesiredStatus      types.String   `tfsdk:"desired_status"`
	RTOTarget          types.String   `tfsdk:"rto_target"`
	OnRTOMiss          types.String   `tfsdk:"on_rto_miss"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
	Status             types.String   `tfsdk:"status"`
	PrivateIP          types.String   `tfsdk:"private_ip"`
	PrivateIPAddresses types.List     `tfsdk:"private_ip_addresses"`
	RestoredFrom       types.String   `tfsdk:"restored_from"`
	RestoredFromTime   types.String   `tfsdk:"restored_from_time"`
	RestoreDuration    types.String   `tfsdk:"restore_duration"`
	RTOMet             types.Bool     `tfsdk:"rto_met"`
}
type restoreSource struct {
	ImageID       types.String          `tfsdk:"image_id"`
	SnapshotID    types.String          `tfsdk:"snapshot_id"`
	RecoveryPoint *restoreRecoveryPoint `tfsdk:"recovery_point"`
}
type restoreRecoveryPoint struct {
	DiskID       types.String `tfsdk:"disk_id"`
	Before       types.String `tfsdk:"before"`
	MaxAge       types.String `tfsdk:"max_age"`
	OnlyVerified types.Bool   `tfsdk:"only_verified"`
	OnlyLocked   types.Bool   `tfsdk:"only_locked"`
	Dwell        types.String `tfsdk:"dwell"`
}
type systemDiskModel struct {
	Category types.String `tfsdk:"category"`
	Size     types.Int64  `tfsdk:"size"`
}
type dataDiskModel struct {
	SnapshotID types.String `tfsdk:"snapshot_id"`
	Category   types.String `tfsdk:"category"`
	Size       types.Int64  `tfsdk:"size"`
}

var systemDiskAttrTypes = map[string]attr.Type{"category": types.StringType, "size": types.Int64Type}
var dataDiskAttrTypes = map[string]attr.Type{"snapshot_id": types.StringType, "category": types.StringType, "size": types.Int64Type}

func (m *restoredInstanceModel) systemDisk(ctx context.Context, diags *diag.Diagnostics) *systemDiskModel {
	if m.SystemDisk.IsNull() || m.SystemDisk.IsUnknown() {
		return nil
	}
	var d systemDiskModel
	diags.Append(m.SystemDisk.As(ctx, &d, objectAsOptions)...)
	return &d
}
func (m *restoredInstanceModel) dataDisks(ctx context.Context, diags *diag.Diagnostics) ([]dataDiskModel, bool) {
	if m.DataDisks.IsUnknown() {
		return nil, false
	}
	var out []dataDiskModel
	if !m.DataDisks.IsNull() {
		diags.Append(m.DataDisks.ElementsAs(ctx, &out, false)...)
	}
	return out, true
}

// spec is the statically known part of the request for restore.Validate.
func (m *restoredInstanceModel) spec(ctx context.Context, diags *diag.Diagnostics) restore.Spec {
	var s restore.Spec
	if d := m.systemDisk(ctx, diags); d != nil {
		s.SystemDisk = &restore.Disk{Category: knownString(d.Category), Size: int(knownInt(d.Size))}
	}
	if dds, ok := m.dataDisks(ctx, diags); ok {
		for _, d := range dds {
			s.DataDisks = append(s.DataDisks, restore.Disk{
				Category:   knownString(d.Category),
				Size:       int(knownInt(d.Size)),
				SnapshotID: knownString(d.SnapshotID),
				Unknown:    d.SnapshotID.IsUnknown() || d.Size.IsUnknown(),
			})
		}
	}
	if !m.PrivateIPs.IsNull() && !m.PrivateIPs.IsUnknown() {
		n := int(m.PrivateIPs.ValueInt64())
		s.PrivateIPs = &n
	}
	return s
}

// runInput builds the RunInstances request of the plan for imageID.
func (m *restoredInstanceModel) runInput(ctx context.Context, imageID, owner string, diags *diag.Diagnostics) cloud.RunInstanceInput {
	in := cloud.RunInstanceInput{
		ImageID: imageID, InstanceType: m.InstanceType.ValueString(), VSwitchID: m.VSwitchID.ValueString(),
		ZoneID: knownString(m.ZoneID), Name: knownString(m.InstanceName), Description: knownString(m.Description),
		PrivateIPs: int(knownInt(m.PrivateIPs)),
		SystemDisk: cloud.InstanceDiskInput{Category: restore.DefaultSystemDiskCategory},
		Tags:       map[string]string{},
	}
	diags.Append(m.SecurityGroupIDs.ElementsAs(ctx, &in.SecurityGroupIDs, false)...)
	sort.Strings(in.SecurityGroupIDs)
	if d := m.systemDisk(ctx, diags); d != nil {
		if c := knownString(d.Category); c != "" {
			in.SystemDisk.Category = c
		}
		in.SystemDisk.Size = int(knownInt(d.Size))
	}
	dds, _ := m.dataDisks(ctx, diags)
	for _, d := range dds {
		c := knownString(d.Category)
		if c == "" {
			c = restore.DefaultDataDiskCategory
		}
		in.DataDisks = append(in.DataDisks, cloud.InstanceDiskInput{Category: c, Size: int(knownInt(d.Size)), SnapshotID: knownString(d.SnapshotID)})
	}
	if !m.Tags.IsNull() && !m.Tags.IsUnknown() {
		tags := map[string]string{}
		diags.Append(m.Tags.ElementsAs(ctx, &tags, false)...)
		for k, v := range tags {
			in.Tags[k] = v
		}
	}
	in.Tags[cloud.TagManagedBy] = managedByValue
	if owner != "" {
		in.Tags[cloud.TagOwner] = owner
	}
	return in
}

// ownerOf is the base of the TagOwner value for what one restore creates:
// derived from the request, so a retried apply recognises its own image and
// instance (claimOwner makes it unique among identical restores).
func (m *restoredInstanceModel) ownerOf(ctx context.Context, diags *diag.Diagnostics) string {
	id := struct {
		Region string
		Source any
		Run    cloud.RunInstanceInput
	}{Region: m.Region.ValueString(), Run: m.runInput(ctx, "", "", diags)}
	if s := m.Source; s != nil {
		src := map[string]any{"image": knownString(s.ImageID), "snapshot": knownString(s.SnapshotID)}
		if rp := s.RecoveryPoint; rp != nil {
			src["point"] = pointQuery(rp)
		}
		id.Source = src
	}
	d, err := restore.Digest(id)
	if err != nil {
		diags.AddError("Failed to derive the restore's owner tag", err.Error())
		return ""
	}
	return "restored-instance/" + d[:20]
}

// withoutUnknowns nulls the computed values still unknown, so a partial
// state can be saved after a failure.
func (m restoredInstanceModel) withoutUnknowns() *restoredInstanceModel {
	str := func(v *types.String) {
		if v.IsUnknown() {
			*v = types.StringNull()
		}
	}
	for _, v := range []*types.String{&m.Region, &m.InstanceName, &m.Description, &m.ZoneID, &m.Status, &m.PrivateIP,
		&m.RestoredFrom, &m.RestoredFromTime, &m.RestoreDuration, &m.DesiredStatus, &m.OnRTOMiss} {
		str(v)
	}
	if m.RTOMet.IsUnknown() {
		m.RTOMet = types.BoolNull()
	}
	if m.PrivateIPAddresses.IsUnknown() {
		m.PrivateIPAddresses = types.ListNull(types.StringType)
	}
	if m.SystemDisk.IsUnknown() {
		m.SystemDisk = types.ObjectNull(systemDiskAttrTypes)
	} else if !m.SystemDisk.IsNull() {
		var d systemDiskModel
		if diags := m.SystemDisk.As(context.Background(), &d, objectAsOptions); !diags.HasError() {
			str(&d.Category)
			if d.Size.IsUnknown() {
				d.Size = types.Int64Null()
			}
			m.SystemDisk, _ = types.ObjectValueFrom(context.Background(), systemDiskAttrTypes, d)
		}
	}
	if !m.DataDisks.IsNull() && !m.DataDisks.IsUnknown() {
		var dds []dataDiskModel
		if diags := m.DataDisks.ElementsAs(context.Background(), &dds, false); !diags.HasError() {
			for i := range dds {
				str(&dds[i].Category)
				str(&dds[i].SnapshotID)
				if dds[i].Size.IsUnknown() {
					dds[i].Size = types.Int64Null()
				}
			}
			m.DataDisks, _ = types.ListValueFrom(context.Background(), types.ObjectType{AttrTypes: dataDiskAttrTypes}, dds)
		}
	}
	return &m
}

// fromInstance copies what DescribeInstances says into the model.
func (m *restoredInstanceModel) fromInstance(in *cloud.Instance) {
	m.ID = types.StringValue(in.InstanceId)
	m.Region = types.StringValue(in.RegionId)
	m.InstanceType = types.StringValue(in.InstanceType)
	m.InstanceName = types.StringValue(in.InstanceName)
	m.Description = types.StringValue(in.Description)
	m.VSwitchID = types.StringValue(in.VpcAttributes.VSwitchId)
	m.ZoneID = types.StringValue(in.ZoneId)
	m.Status = types.StringValue(in.Status)
	if in.Status == cloud.InstanceStatusRunning || in.Status == cloud.InstanceStatusStopped {
		m.DesiredStatus = types.StringValue(in.Status)
	}
	m.SecurityGroupIDs = types.SetValueMust(types.StringType, stringValues(in.SecurityGroupIds.SecurityGroupId))
	ips := cloud.InstancePrivateIPs(in)
	m.PrivateIPAddresses = types.ListValueMust(types.StringType, stringValues(ips))
	if len(ips) > 0 {
		m.PrivateIP = types.StringValue(ips[0])
		m.PrivateIPs = types.Int64Value(int64(len(ips)))
	}
	tags := map[string]attr.Value{}
	for k, v := range cloud.InstanceTags(in) {
		if !strings.HasPrefix(k, "alidr:") {
			tags[k] = types.StringValue(v)
		}
	}
	if len(tags) > 0 || !m.Tags.IsNull() {
		m.Tags = types.MapValueMust(types.StringType, tags)
	}
}
