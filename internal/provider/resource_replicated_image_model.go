package provider

import (
	"context"

	"github.com/alidr/terraform-provider-alidr/internal/replication"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

type replicatedImageModel struct {
	ID                       types.String   `tfsdk:"id"`
	Region                   types.String   `tfsdk:"region"`
	Source                   types.Object   `tfsdk:"source"`
	Name                     types.String   `tfsdk:"name"`
	Description              types.String   `tfsdk:"description"`
	ImageID                  types.String   `tfsdk:"image_id"`
	Targets                  types.Map      `tfsdk:"targets"`
	ShareWithAccounts        types.Set      `tfsdk:"share_with_accounts"`
	Export                   types.Object   `tfsdk:"export"`
	DeleteSnapshotsOnDestroy types.Bool     `tfsdk:"delete_snapshots_on_destroy"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`
}
type rimgSourceModel struct {
	SnapshotID types.String `tfsdk:"snapshot_id"`
	ImageID    types.String `tfsdk:"image_id"`
	InstanceID types.String `tfsdk:"instance_id"`
}
type rimgTargetModel struct {
	KMSKeyID types.String `tfsdk:"kms_key_id"`
	ImageID  types.String `tfsdk:"image_id"`
	Status   types.String `tfsdk:"status"`
	Progress types.Int64  `tfsdk:"progress"`
}
type rimgExportModel struct {
	Bucket         types.String `tfsdk:"bucket"`
	Prefix         types.String `tfsdk:"prefix"`
	Format         types.String `tfsdk:"format"`
	ExportedFormat types.String `tfsdk:"exported_format"`
	Checksums      types.Set    `tfsdk:"checksums"`
	Object         types.String `tfsdk:"object"`
	ManifestObject types.String `tfsdk:"manifest_object"`
	DataObjects    types.List   `tfsdk:"data_objects"`
	ETag           types.String `tfsdk:"etag"`
	Size           types.Int64  `tfsdk:"size"`
	MD5            types.String `tfsdk:"md5"`
	SHA256         types.String `tfsdk:"sha256"`
	CRC64          types.String `tfsdk:"crc64"`
}

var (
	rimgSourceAttrTypes = map[string]attr.Type{
		"snapshot_id": types.StringType, "image_id": types.StringType, "instance_id": types.StringType,
	}
	rimgTargetAttrTypes = map[string]attr.Type{
		"kms_key_id": types.StringType, "image_id": types.StringType, "status": types.StringType, "progress": types.Int64Type,
	}
	rimgExportAttrTypes = map[string]attr.Type{
		"bucket": types.StringType, "prefix": types.StringType, "format": types.StringType, "exported_format": types.StringType,
		"checksums": types.SetType{ElemType: types.StringType},
		"object":    types.StringType, "manifest_object": types.StringType, "etag": types.StringType,
		"data_objects": types.ListType{ElemType: types.StringType},
		"size":         types.Int64Type, "md5": types.StringType, "sha256": types.StringType, "crc64": types.StringType,
	}
)

func rimgSource(ctx context.Context, o types.Object) (*rimgSourceModel, diag.Diagnostics) {
	if o.IsNull() || o.IsUnknown() {
		return nil, nil
	}
	var m rimgSourceModel
	diags := o.As(ctx, &m, objectAsOptions)
	return &m, diags
}
func rimgSourceValue(m *rimgSourceModel) types.Object {
	if m == nil {
		return types.ObjectNull(rimgSourceAttrTypes)
	}
	return types.ObjectValueMust(rimgSourceAttrTypes, map[string]attr.Value{
		"snapshot_id": m.SnapshotID, "image_id": m.ImageID, "instance_id": m.InstanceID,
	})
}

// kind returns the source kind and id; "" when nothing known is set.
func (m *rimgSourceModel) kind() (string, string) {
	switch {
	case m == nil:
		return "", ""
	case !m.ImageID.IsNull() && !m.ImageID.IsUnknown():
		return replication.SourceImage, m.ImageID.ValueString()
	case !m.SnapshotID.IsNull() && !m.SnapshotID.IsUnknown():
		return replication.SourceSnapshot, m.SnapshotID.ValueString()
	case !m.InstanceID.IsNull() && !m.InstanceID.IsUnknown():
		return replication.SourceInstance, m.InstanceID.ValueString()
	}
	return "", ""
}

// rimgParts are a model's nested objects, decoded.
type rimgParts struct {
	src     *rimgSourceModel
	targets map[string]rimgTargetModel
	export  *rimgExportModel
}

// parts decodes the source, targets and export, appending to diags.
func (m replicatedImageModel) parts(ctx context.Context, diags *diag.Diagnostics) rimgParts {
	var p rimgParts
	var d diag.Diagnostics
	p.src, d = rimgSource(ctx, m.Source)
	diags.Append(d...)
	p.targets, d = rimgTargets(ctx, m.Targets)
	diags.Append(d...)
	p.export, d = rimgExport(ctx, m.Export)
	diags.Append(d...)
	return p
}

func rimgTargets(ctx context.Context, m types.Map) (map[string]rimgTargetModel, diag.Diagnostics) {
	out := map[string]rimgTargetModel{}
	if m.IsNull() || m.IsUnknown() {
		return out, nil
	}
	diags := m.ElementsAs(ctx, &out, false)
	return out, diags
}
func rimgTargetsValue(ctx context.Context, targets map[string]rimgTargetModel, nullWhenEmpty bool) (types.Map, diag.Diagnostics) {
	elem := types.ObjectType{AttrTypes: rimgTargetAttrTypes}
	if len(targets) == 0 && nullWhenEmpty {
		return types.MapNull(elem), nil
	}
	return types.MapValueFrom(ctx, elem, targets)
}
func rimgExport(ctx context.Context, o types.Object) (*rimgExportModel, diag.Diagnostics) {
	if o.IsNull() || o.IsUnknown() {
		return nil, nil
	}
	var m rimgExportModel
	diags := o.As(ctx, &m, objectAsOptions)
	return &m, diags
}
func rimgExportValue(ctx context.Context, m *rimgExportModel) (types.Object, diag.Diagnostics) {
	if m == nil {
		return types.ObjectNull(rimgExportAttrTypes), nil
	}
	return types.ObjectValueFrom(ctx, rimgExportAttrTypes, m)
}
func (m *rimgExportModel) checksums(ctx context.Context) map[string]bool {
	out := map[string]bool{}
	if m.Checksums.IsNull() || m.Checksums.IsUnknown() {
		for _, c := range replication.Checksums {
			out[c] = true
		}
		return out
	}
	var cs []string
	m.Checksums.ElementsAs(ctx, &cs, false)
	for _, c := range cs {
		out[c] = true
	}
	return out
}

// keys lists the objects the export left in its bucket (the exported
// objects as the task named them, and their manifests).
func (m *rimgExportModel) keys(ctx context.Context) []string {
	data := knownStrings(ctx, m.DataObjects)
	if m.Object.IsNull() || m.Object.IsUnknown() {
		return nil
	}
	return replication.ExportKeys(m.Object.ValueString(), data)
}

// current reports whether the export was done and found unchanged since
// (Read nulls the ETag of an export that drifted, keeping its object names
// so the next apply deletes them).
func (m *rimgExportModel) current() bool {
	return m != nil && !m.Object.IsNull() && !m.Object.IsUnknown() && !m.ETag.IsNull() && !m.ETag.IsUnknown()
}

// sameLocation reports whether two exports write the same objects.
func (m *rimgExportModel) sameLocation(o *rimgExportModel) bool {
	return m != nil && o != nil && m.Bucket.Equal(o.Bucket) && m.Prefix.ValueString() == o.Prefix.ValueString() &&
		m.Format.ValueString() == o.Format.ValueString()
}
func (m *rimgExportModel) setComputedUnknown() {
	m.Object, m.ManifestObject, m.ETag, m.ExportedFormat = types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	m.DataObjects = types.ListUnknown(types.StringType)
	m.Size = types.Int64Unknown()
	m.MD5, m.SHA256, m.CRC64 = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
}

func rimgKeepOrNull(prev types.String, now string) types.String {
	if now == "" && prev.IsNull() {
		return prev
	}
	return types.StringValue(now)
}
func rimgAccountsValue(accounts []string, nullWhenEmpty bool) types.Set {
	if len(accounts) == 0 && nullWhenEmpty {
		return types.SetNull(types.StringType)
	}
	return types.SetValueMust(types.StringType, stringValues(accounts))
}
