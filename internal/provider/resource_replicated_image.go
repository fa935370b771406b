package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/replication"
)

var (
	_ resource.Resource                   = &replicatedImageResource{}
	_ resource.ResourceWithConfigure      = &replicatedImageResource{}
	_ resource.ResourceWithImportState    = &replicatedImageResource{}
	_ resource.ResourceWithModifyPlan     = &replicatedImageResource{}
	_ resource.ResourceWithValidateConfig = &replicatedImageResource{}
)

// NewReplicatedImageResource is a custom image copied to other regions,
// shared with accounts and optionally exported to OSS with checksums.
func NewReplicatedImageResource() resource.Resource { return &replicatedImageResource{} }

type replicatedImageResource struct{ client *cloud.Client }

// Default timeouts: copies of large images across regions take hours.
const (
	rimgCreateTimeout = 3 * time.Hour
	rimgUpdateTimeout = 3 * time.Hour
	rimgDeleteTimeout = time.Hour
	// rimgManagedBy is the value of cloud.TagManagedBy on what this resource makes.
	rimgManagedBy = "terraform-provider-alidr"
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

func (r *replicatedImageResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_replicated_image"
}

func (r *replicatedImageResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	allChecksums := make([]attr.Value, 0, len(replication.Checksums))
	for _, c := range replication.Checksums {
		allChecksums = append(allChecksums, types.StringValue(c))
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A custom image in the provider's region, copied to other regions (`CopyImage`, in parallel), " +
			"shared with other accounts and optionally exported to OSS with a checksum manifest. Copies are tagged " +
			"with the resource id so an interrupted apply resumes them instead of copying twice; a copy cut short by a " +
			"timeout or a destroy is cancelled.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The id of the source image (same as `image_id`).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"region": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Region of the source image. Default: the provider's region. Changing it replaces the resource.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()},
			},
			"source": schema.SingleNestedAttribute{
				Required: true,
				MarkdownDescription: "What the source image is: exactly one of an existing image, a snapshot or an instance " +
					"to make the image from. Changing it replaces the resource.",
				PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"image_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "An existing custom image of the account in `region`. It is copied but never deleted by this resource.",
					},
					"snapshot_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "A system disk snapshot (status accomplished) to create the image from.",
					},
					"instance_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "An instance (Running or Stopped) to create the image from, with all its disks.",
					},
				},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the images this resource creates (the source image when made from a snapshot or " +
					"an instance, and every copy): 2-128 characters, starting with a letter, not with `aliyun`, `acs:`, " +
					"`http://` or `https://`. Updated in place.",
			},
			"description": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Description of the images this resource creates. Updated in place.",
			},
			"image_id": computedStringUSFU("The id of the source image in `region`."),
			"targets": schema.MapNestedAttribute{
				Optional: true,
				MarkdownDescription: "Copies to make, keyed by region id, e.g. `cn-shanghai`. Adding a region copies only to it, " +
					"removing one deletes only that copy, changing a region's `kms_key_id` replaces only that copy.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"kms_key_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "KMS key to encrypt the copy with. Changing it re-copies this region only.",
					},
					"image_id": computedString("Id of the copy in the region."),
					"status":   computedString("Status of the copy when last read, e.g. `Available`."),
					"progress": schema.Int64Attribute{Computed: true, MarkdownDescription: "Copy progress in percent when last read."},
				}},
			},
			"share_with_accounts": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Account ids (numeric UIDs) every copy (and the source image, when this resource created it) " +
					"is shared with. Updated in place. Encrypted images cannot be shared: copies with `kms_key_id` stay unshared (with a warning).",
			},
			"export": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Export the source image to an OSS bucket in `region`, checksum the exported system disk " +
					"object in one streaming pass and write a manifest beside it. An exported object deleted or changed " +
					"outside Terraform is exported again on the next apply. Changing `bucket`, `prefix` or `format` exports " +
					"again (the previous export's objects are deleted); changing `checksums` only recomputes them.",
				Attributes: map[string]schema.Attribute{
					"bucket": schema.StringAttribute{
						Required:            true,
						MarkdownDescription: "OSS bucket in `region` owned by the account; ECS needs the `AliyunECSImageExportDefaultRole` role to write to it.",
						Validators:          []validator.String{bucketNameValidator()},
					},
					"prefix": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(""),
						MarkdownDescription: "ExportImage's `OSSPrefix`: 1 to 30 letters and digits (no `/`), e.g. `core`. Default: none. " +
							"ECS chooses the objects' names; the provider reads them from the export task (`object`, `data_objects`).",
					},
					"format": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString("raw"),
						MarkdownDescription: "Image file format asked for (ExportImage's `ImageFormat`): `raw` (default), `vhd`, `qcow2`, `vmdk` or `vdi`. " +
							"ECS honours it only in some regions and exports RAW elsewhere; no API tells which, so a plan asking for another format " +
							"warns. `exported_format` holds the format ECS produced.",
					},
					"checksums": schema.SetAttribute{
						Optional: true, Computed: true, ElementType: types.StringType,
						Default:             setdefault.StaticValue(types.SetValueMust(types.StringType, allChecksums)),
						MarkdownDescription: "Whole-object checksums to compute: any of `crc64`, `md5`, `sha256` (default all). The manifest always holds per-part CRC64 and SHA-256.",
					},
					"exported_format": computedString("The format of the exported objects as the export task reports it (DescribeTaskAttribute `ImageFormat`): `raw` where the region ignores `format`."),
					"object": computedString("Key of the exported system disk object, as the export task names it (the first file the task lists; " +
						"ECS defines no naming pattern, e.g. `core_m-xxx_t-xxx.raw`)."),
					"manifest_object": computedString("Key of the manifest (JSON: size, part size, per-part CRC64 and SHA-256, whole-object digests) beside the object."),
					"data_objects": schema.ListAttribute{
						Computed: true, ElementType: types.StringType,
						MarkdownDescription: "Keys of the exported data disk objects (one per data disk of the image), in the order the " +
							"export task lists them after the system disk. Each is checksummed like the system disk and has " +
							"its manifest beside it (`<key>.manifest.json`); drift of any of them exports again.",
					},
					"etag":   computedString("ETag of the exported object when it was checksummed; a different ETag on refresh means drift."),
					"size":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Size of the exported object in bytes."},
					"md5":    computedString("Hex MD5 of the exported object, when requested."),
					"sha256": computedString("Hex SHA-256 of the exported object, when requested."),
					"crc64":  computedString("CRC64-ECMA of the exported object (decimal, as OSS reports it), when requested."),
				},
			},
			"delete_snapshots_on_destroy": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "On destroy, also delete the snapshots behind the images this resource created: those " +
					"made when the source image was created from `source.instance_id`, and those of every copy. Snapshots " +
					"given as `source.snapshot_id` are never deleted. Default `false`.",
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func computedStringUSFU(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		Computed: true, MarkdownDescription: desc,
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

func (r *replicatedImageResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// ---- model conversions ----

func rimgSource(ctx context.Context, o types.Object) (*rimgSourceModel, diag.Diagnostics) {
	if o.IsNull() || o.IsUnknown() {
		return nil, nil
	}
	var m rimgSourceModel
	diags := o.As(ctx, &m, rimgObjectOptions)
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
	diags := o.As(ctx, &m, rimgObjectOptions)
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
	var data []string
	if !m.DataObjects.IsNull() && !m.DataObjects.IsUnknown() {
		m.DataObjects.ElementsAs(ctx, &data, false)
	}
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

func rimgAccounts(ctx context.Context, s types.Set) []string {
	var out []string
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	s.ElementsAs(ctx, &out, false)
	return out
}

func rimgStringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// ---- validation and plan ----

func (r *replicatedImageResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m replicatedImageModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if src, d := rimgSource(ctx, m.Source); !d.HasError() && src != nil {
		set := 0
		for _, v := range []types.String{src.ImageID, src.SnapshotID, src.InstanceID} {
			if !v.IsNull() {
				set++
			}
		}
		if set != 1 {
			resp.Diagnostics.AddAttributeError(path.Root("source"), "Invalid image source",
				fmt.Sprintf("source sets %d of image_id, snapshot_id and instance_id: set exactly one, e.g. source = { snapshot_id = \"s-...\" }.", set))
		}
	}
	if !m.Name.IsNull() && !m.Name.IsUnknown() {
		if err := replication.ValidateImageName(m.Name.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Invalid image name", err.Error()+".")
		}
	}
	if !m.Targets.IsUnknown() && !m.Targets.IsNull() {
		for region := range m.Targets.Elements() {
			if err := replication.ValidateRegionID(region); err != nil {
				resp.Diagnostics.AddAttributeError(path.Root("targets").AtMapKey(region), "Invalid target region", err.Error()+".")
			} else if !m.Region.IsNull() && !m.Region.IsUnknown() && region == m.Region.ValueString() {
				resp.Diagnostics.AddAttributeError(path.Root("targets").AtMapKey(region), "Target is the source region",
					fmt.Sprintf("The source image already lives in %s: remove %q from targets (copies go to other regions).", region, region))
			}
		}
	}
	if !m.ShareWithAccounts.IsUnknown() && !m.ShareWithAccounts.IsNull() {
		for _, e := range m.ShareWithAccounts.Elements() {
			if s, ok := e.(types.String); ok && !s.IsUnknown() && !s.IsNull() {
				if err := replication.ValidateAccountID(s.ValueString()); err != nil {
					resp.Diagnostics.AddAttributeError(path.Root("share_with_accounts"), "Invalid account id", err.Error()+".")
				}
			}
		}
	}
	if ex, d := rimgExport(ctx, m.Export); !d.HasError() && ex != nil {
		at := path.Root("export")
		if !ex.Prefix.IsUnknown() && !ex.Prefix.IsNull() {
			if err := replication.ValidateExportPrefix(ex.Prefix.ValueString()); err != nil {
				resp.Diagnostics.AddAttributeError(at.AtName("prefix"), "Invalid export prefix", err.Error()+".")
			}
		}
		if !ex.Format.IsUnknown() && !ex.Format.IsNull() {
			if err := replication.ValidateFormat(ex.Format.ValueString()); err != nil {
				resp.Diagnostics.AddAttributeError(at.AtName("format"), "Invalid export format", err.Error()+".")
			} else if notice := replication.FormatNotice(ex.Format.ValueString()); notice != "" {
				resp.Diagnostics.AddAttributeWarning(at.AtName("format"), "Export format not guaranteed", notice+
					" Set format = \"raw\" to avoid the surprise, or keep it and read export.exported_format.")
			}
		}
		if !ex.Checksums.IsUnknown() && !ex.Checksums.IsNull() {
			if len(ex.Checksums.Elements()) == 0 {
				resp.Diagnostics.AddAttributeError(at.AtName("checksums"), "No checksums",
					"checksums is empty: list at least one of crc64, md5, sha256, or leave it out to compute all three.")
			}
			for _, e := range ex.Checksums.Elements() {
				if s, ok := e.(types.String); ok && !s.IsUnknown() && !s.IsNull() && !validChecksum(s.ValueString()) {
					resp.Diagnostics.AddAttributeError(at.AtName("checksums"), "Unknown checksum",
						fmt.Sprintf("%q is not a checksum this provider computes: use crc64, md5 or sha256.", s.ValueString()))
				}
			}
		}
	}
}

func validChecksum(c string) bool {
	for _, k := range replication.Checksums {
		if k == c {
			return true
		}
	}
	return false
}

// ModifyPlan fills the region, checks target regions exist and keeps the
// computed values of copies and of the export that the change leaves alone
// (and only those: a rekeyed region gets a new copy id).
func (r *replicatedImageResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan replicatedImageModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *replicatedImageModel
	if !req.State.Raw.IsNull() {
		state = &replicatedImageModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if state != nil && state.ImageID.IsNull() && !state.ID.IsNull() {
		// The source image is gone (see readSourceGone): replace.
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("image_id"))
		plan.ID, plan.ImageID = types.StringUnknown(), types.StringUnknown()
	}
	if plan.Region.IsUnknown() && r.client != nil {
		var cfgRegion types.String
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("region"), &cfgRegion)...)
		if cfgRegion.IsNull() {
			plan.Region = types.StringValue(r.client.Region())
			if state != nil && !state.Region.IsNull() {
				plan.Region = state.Region
			}
		}
	}

	if state == nil && r.client != nil && !plan.Region.IsUnknown() {
		regionAvailable(ctx, r.client, plan.Region.ValueString(), path.Root("region"), &resp.Diagnostics)
	}
	planTargets, d := rimgTargets(ctx, plan.Targets)
	resp.Diagnostics.Append(d...)
	var stateTargets map[string]rimgTargetModel
	if state != nil {
		stateTargets, d = rimgTargets(ctx, state.Targets)
		resp.Diagnostics.Append(d...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	var newRegions []string
	for region := range planTargets {
		if !plan.Region.IsUnknown() && region == plan.Region.ValueString() {
			resp.Diagnostics.AddAttributeError(path.Root("targets").AtMapKey(region), "Target is the source region",
				fmt.Sprintf("The source image lives in %s: remove %q from targets (copies go to other regions).", region, region))
		}
		if _, ok := stateTargets[region]; !ok {
			newRegions = append(newRegions, region)
		}
	}
	if shares := rimgAccounts(ctx, plan.ShareWithAccounts); len(shares) > 0 {
		var enc []string
		for _, region := range rimgSortedKeys(planTargets) {
			if k := planTargets[region].KMSKeyID; !k.IsNull() && k.ValueString() != "" {
				enc = append(enc, region)
			}
		}
		if len(enc) > 0 {
			resp.Diagnostics.AddAttributeWarning(path.Root("share_with_accounts"), "Encrypted copies are not shared",
				fmt.Sprintf("ECS does not share images with encrypted disks: the copies in %s (kms_key_id set) will not be shared "+
					"with share_with_accounts. Drop kms_key_id there if those copies must be shared.", strings.Join(enc, ", ")))
		}
	}
	if len(newRegions) > 0 && r.client != nil {
		if err := r.client.CheckRegions(ctx, newRegions...); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("targets"), "Unknown target region", err.Error()+": fix or remove the target.")
		}
	}
	if resp.Diagnostics.HasError() || state == nil {
		resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		return
	}

	if !plan.Targets.IsUnknown() && !plan.Targets.IsNull() {
		for region, t := range planTargets {
			s, had := stateTargets[region]
			if had && !t.KMSKeyID.IsUnknown() && t.KMSKeyID.ValueString() == s.KMSKeyID.ValueString() && !s.ImageID.IsNull() {
				t.ImageID, t.Status, t.Progress = s.ImageID, s.Status, s.Progress
			} else {
				t.ImageID, t.Status, t.Progress = types.StringUnknown(), types.StringUnknown(), types.Int64Unknown()
			}
			planTargets[region] = t
		}
		plan.Targets, d = rimgTargetsValue(ctx, planTargets, false)
		resp.Diagnostics.Append(d...)
	}

	pe, d := rimgExport(ctx, plan.Export)
	resp.Diagnostics.Append(d...)
	se, d := rimgExport(ctx, state.Export)
	resp.Diagnostics.Append(d...)
	if pe != nil {
		if se.current() && pe.sameLocation(se) {
			pe.Object, pe.ManifestObject, pe.ETag, pe.Size, pe.DataObjects = se.Object, se.ManifestObject, se.ETag, se.Size, se.DataObjects
			pe.ExportedFormat = se.ExportedFormat
			if pe.Checksums.Equal(se.Checksums) {
				pe.MD5, pe.SHA256, pe.CRC64 = se.MD5, se.SHA256, se.CRC64
			} else {
				pe.MD5, pe.SHA256, pe.CRC64 = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
				pe.ManifestObject = se.ManifestObject
			}
		} else {
			pe.setComputedUnknown()
		}
		plan.Export, d = rimgExportValue(ctx, pe)
		resp.Diagnostics.Append(d...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// ---- CRUD ----

func (r *replicatedImageResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan replicatedImageModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, rimgCreateTimeout)
	resp.Diagnostics.Append(d...)
	src, d := rimgSource(ctx, plan.Source)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	region := r.client.RegionOr(plan.Region.ValueString())
	plan.Region = types.StringValue(region)
	kind, sourceID := src.kind()
	ctx = tflog.SetField(ctx, "region", region)

	imageID, err := r.sourceImage(ctx, region, kind, sourceID, plan)
	if imageID == "" {
		apiError(&resp.Diagnostics, "create the source image", err)
		return
	}
	plan.ID, plan.ImageID = types.StringValue(imageID), types.StringValue(imageID)
	ctx = tflog.SetField(ctx, "image_id", imageID)
	if err != nil {
		// Save the id so Terraform taints the resource instead of orphaning
		// the image; nothing else has been started.
		plan.Targets, _ = rimgTargetsValue(ctx, nil, plan.Targets.IsNull())
		plan.Export, _ = rimgExportValue(ctx, nil)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		apiError(&resp.Diagnostics, "wait for the source image "+imageID, err)
		return
	}

	desired, d := rimgTargets(ctx, plan.Targets)
	resp.Diagnostics.Append(d...)
	ex, d := rimgExport(ctx, plan.Export)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	w := r.newWork(plan, imageID, kind)
	if kind == replication.SourceImage {
		// Other resources may replicate the same image: own distinct copies.
		owner, err := r.claimCopyOwner(ctx, imageID, rimgSortedKeys(desired))
		if err != nil {
			apiError(&resp.Diagnostics, "choose the owner id of the copies", err)
			return
		}
		w.owner = owner
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateCopyOwnerKey, copyOwnerPrivate(owner))...)
	}
	out := w.apply(ctx, nil, desired, nil, ex, true)
	r.markCopiesClaimed(ctx, out.targets, &resp.Diagnostics)
	r.finish(ctx, &plan, out, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// sourceImage returns the source image, creating it from a snapshot or an
// instance (or adopting the one an interrupted apply created), and waits
// until it is usable. A returned id with an error means the image exists
// but is not usable (yet).
func (r *replicatedImageResource) sourceImage(ctx context.Context, region, kind, sourceID string, plan replicatedImageModel) (string, error) {
	if kind == replication.SourceImage {
		im, err := r.client.FindImageByID(ctx, region, sourceID)
		if cloud.IsNotFound(err) {
			return "", fmt.Errorf("image %s not found in %s: set source.image_id to an image of that region or set region to the image's region", sourceID, region)
		}
		if err != nil {
			return "", err
		}
		if im.ImageOwnerAlias != "" && im.ImageOwnerAlias != "self" {
			return "", fmt.Errorf("image %s is a %s image: only custom images of the account can be copied; copy it into the account first", sourceID, im.ImageOwnerAlias)
		}
		if _, err := r.client.WaitImageAvailable(ctx, region, sourceID, rimgRemaining(ctx)); err != nil {
			return "", err
		}
		return sourceID, nil
	}
	sourceTag := replication.SourceTag(kind, sourceID)
	tags := map[string]string{cloud.TagManagedBy: rimgManagedBy, cloud.TagImageSource: sourceTag}
	var id string
	found, err := r.client.ListImagesByTags(ctx, region, tags)
	if err != nil {
		return "", err
	}
	for _, im := range found {
		if im.ImageName == plan.Name.ValueString() && im.Status != cloud.ImageStatusCreateFailed {
			id = im.ImageId
			tflog.Info(ctx, "adopting the source image an earlier apply created", map[string]any{"image_id": id, "source": sourceTag})
			break
		}
	}
	if id == "" {
		in := cloud.CreateImageInput{
			Name: plan.Name.ValueString(), Description: plan.Description.ValueString(),
			ClientToken: replication.NewClientToken(), Tags: tags,
		}
		if kind == replication.SourceSnapshot {
			in.SnapshotID = sourceID
		} else {
			in.InstanceID = sourceID
		}
		if id, err = r.client.CreateImage(ctx, region, in); err != nil {
			return "", err
		}
		tflog.Info(ctx, "creating the source image", map[string]any{"image_id": id, "source": sourceTag})
	}
	im, err := r.client.WaitImageAvailable(ctx, region, id, rimgRemaining(ctx))
	if err != nil && im != nil && im.Status == cloud.ImageStatusCreateFailed {
		// A failed image is of no use: remove it so nothing is left behind.
		dctx, cancel := rimgDetached(ctx)
		defer cancel()
		if derr := r.client.DeleteImage(dctx, region, id, false); derr != nil {
			return id, fmt.Errorf("%w (deleting the failed image also failed: %v)", err, derr)
		}
		return "", err
	}
	return id, err
}

func (r *replicatedImageResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state replicatedImageModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	region := r.client.RegionOr(state.Region.ValueString())
	id := state.ID.ValueString()
	src, err := r.client.FindImageByID(ctx, region, id)
	if cloud.IsNotFound(err) {
		r.readSourceGone(ctx, &state, region, resp)
		return
	}
	if err != nil {
		apiError(&resp.Diagnostics, "read image "+id, err)
		return
	}
	state.Region, state.ImageID = types.StringValue(region), types.StringValue(id)
	imported := state.Source.IsNull()
	srcTags := cloud.ImageTags(*src)
	if imported {
		m := &rimgSourceModel{SnapshotID: types.StringNull(), ImageID: types.StringNull(), InstanceID: types.StringNull()}
		kind, sid, ok := replication.ParseSourceTag(srcTags[cloud.TagImageSource])
		switch {
		case ok && kind == replication.SourceSnapshot:
			m.SnapshotID = types.StringValue(sid)
		case ok && kind == replication.SourceInstance:
			m.InstanceID = types.StringValue(sid)
		default:
			m.ImageID = types.StringValue(id)
		}
		state.Source = rimgSourceValue(m)
		if state.DeleteSnapshotsOnDestroy.IsNull() {
			state.DeleteSnapshotsOnDestroy = types.BoolValue(false)
		}
	}
	srcModel, d := rimgSource(ctx, state.Source)
	resp.Diagnostics.Append(d...)
	kind, _ := srcModel.kind()
	owned := kind != replication.SourceImage

	targets, d := rimgTargets(ctx, state.Targets)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	if imported && state.Targets.IsNull() {
		targets, err = r.discoverCopies(ctx, region, id)
		if err != nil {
			apiError(&resp.Diagnostics, "find the copies of image "+id, err)
			return
		}
	}
	var firstCopy *rimgTargetModel
	encrypted := map[string]bool{}
	for _, region := range rimgSortedKeys(targets) {
		t := targets[region]
		cp, err := r.findCopy(ctx, region, recordedCopyOwner(ctx, req.Private, id), t)
		if err != nil {
			apiError(&resp.Diagnostics, "read the copy of image "+id+" in "+region, err)
			return
		}
		if cp == nil {
			resp.Diagnostics.AddWarning("Image copy missing",
				fmt.Sprintf("The copy of image %s in %s no longer exists (or failed); Terraform will copy it again on the next apply.", id, region))
			delete(targets, region)
			continue
		}
		t.ImageID, t.Status = types.StringValue(cp.ImageId), types.StringValue(cp.Status)
		t.Progress = types.Int64Value(int64(cloud.ImageProgress(cp)))
		if t.KMSKeyID.IsNull() {
			t.KMSKeyID = rimgStringOrNull(cloud.ImageTags(*cp)[cloud.TagKMSKey])
		}
		targets[region] = t
		encrypted[region] = cloud.ImageEncrypted(cp)
		if firstCopy == nil {
			firstCopy = &t
			if !owned {
				state.Name, state.Description = types.StringValue(cp.ImageName), rimgKeepOrNull(state.Description, cp.Description)
			}
		}
	}
	state.Targets, d = rimgTargetsValue(ctx, targets, state.Targets.IsNull())
	resp.Diagnostics.Append(d...)
	if owned {
		state.Name, state.Description = types.StringValue(src.ImageName), rimgKeepOrNull(state.Description, src.Description)
	}

	// Shares: any image whose accounts differ from the configuration makes
	// the next plan update them all.
	want := rimgAccounts(ctx, state.ShareWithAccounts)
	type img struct{ region, id string }
	var check []img
	if owned && !cloud.ImageEncrypted(src) {
		check = append(check, img{region, id})
	}
	for _, rg := range rimgSortedKeys(targets) {
		if !encrypted[rg] {
			check = append(check, img{rg, targets[rg].ImageID.ValueString()})
		}
	}
	for _, im := range check {
		have, err := r.client.ImageSharedAccounts(ctx, im.region, im.id)
		if err != nil {
			apiError(&resp.Diagnostics, "read the share permissions of image "+im.id, err)
			return
		}
		if !replication.SameAccounts(have, want) {
			state.ShareWithAccounts = rimgAccountsValue(have, imported)
			break
		}
	}

	// Export drift.
	ex, d := rimgExport(ctx, state.Export)
	resp.Diagnostics.Append(d...)
	if ex.current() {
		recorded := replication.ObjectState{Exists: true, ETag: ex.ETag.ValueString(), Size: ex.Size.ValueInt64()}
		if !ex.CRC64.IsNull() {
			recorded.CRC64 = ex.CRC64.ValueString()
		}
		now := replication.ObjectState{}
		h, err := r.client.HeadExportObject(ctx, region, ex.Bucket.ValueString(), ex.Object.ValueString())
		switch {
		case err == nil:
			now = replication.ObjectState{Exists: true, ETag: h.ETag, CRC64: h.CRC64, Size: h.Size}
		case !cloud.IsNotFound(err):
			apiError(&resp.Diagnostics, "check the exported object oss://"+ex.Bucket.ValueString()+"/"+ex.Object.ValueString(), err)
			return
		}
		object, why := ex.Object.ValueString(), replication.ExportDrift(recorded, now)
		if why == "" {
			object, why, err = r.dataObjectsDrift(ctx, region, ex)
			if err != nil {
				apiError(&resp.Diagnostics, "check the exported data disk objects in oss://"+ex.Bucket.ValueString(), err)
				return
			}
		}
		if why != "" {
			resp.Diagnostics.AddWarning("Exported image drifted",
				fmt.Sprintf("oss://%s/%s: %s. Terraform will export the image again on the next apply.", ex.Bucket.ValueString(), object, why))
			// Keep the object names so the next apply deletes them (a new
			// export gets new names); a null ETag marks the export stale.
			ex.ETag = types.StringNull()
			state.Export, d = rimgExportValue(ctx, ex)
			resp.Diagnostics.Append(d...)
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// readSourceGone handles a source image deleted outside Terraform. Without
// copies left the resource leaves the state. With copies left it stays, with
// image_id null, so the next plan replaces it: the destroy half deletes the
// copies (and the export) instead of orphaning them.
func (r *replicatedImageResource) readSourceGone(ctx context.Context, state *replicatedImageModel, region string, resp *resource.ReadResponse) {
	id := state.ID.ValueString()
	targets, d := rimgTargets(ctx, state.Targets)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, rg := range rimgSortedKeys(targets) {
		cp, err := r.findCopy(ctx, rg, recordedCopyOwner(ctx, resp.Private, id), targets[rg])
		if err != nil {
			apiError(&resp.Diagnostics, "read the copy of image "+id+" in "+rg, err)
			return
		}
		if cp == nil {
			delete(targets, rg)
		}
	}
	if len(targets) == 0 {
		resp.Diagnostics.AddWarning("Replicated image removed from state",
			fmt.Sprintf("The source image %s no longer exists in %s; Terraform will create it again on the next apply.", id, region))
		resp.State.RemoveResource(ctx)
		return
	}
	resp.Diagnostics.AddWarning("Source image deleted outside Terraform",
		fmt.Sprintf("The source image %s no longer exists in %s but its copies in %s do. The next apply replaces the resource: "+
			"it deletes those copies and creates the image and its copies again.", id, region, strings.Join(rimgSortedKeys(targets), ", ")))
	state.ImageID = types.StringNull()
	state.Targets, d = rimgTargetsValue(ctx, targets, false)
	resp.Diagnostics.Append(d...)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
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
	vals := make([]attr.Value, 0, len(accounts))
	for _, a := range accounts {
		vals = append(vals, types.StringValue(a))
	}
	return types.SetValueMust(types.StringType, vals)
}

func (r *replicatedImageResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state replicatedImageModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, rimgUpdateTimeout)
	resp.Diagnostics.Append(d...)
	src, d := rimgSource(ctx, state.Source)
	resp.Diagnostics.Append(d...)
	current, d := rimgTargets(ctx, state.Targets)
	resp.Diagnostics.Append(d...)
	desired, d := rimgTargets(ctx, plan.Targets)
	resp.Diagnostics.Append(d...)
	oldEx, d := rimgExport(ctx, state.Export)
	resp.Diagnostics.Append(d...)
	newEx, d := rimgExport(ctx, plan.Export)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id := state.ID.ValueString()
	kind, _ := src.kind()
	plan.ID, plan.ImageID, plan.Region = state.ID, state.ImageID, state.Region
	ctx = tflog.SetField(ctx, "image_id", id)

	w := r.newWork(plan, id, kind)
	w.owner = recordedCopyOwner(ctx, req.Private, id)
	renamed := !plan.Name.Equal(state.Name) || !plan.Description.Equal(state.Description)
	shareChanged := !replication.SameAccounts(rimgAccounts(ctx, plan.ShareWithAccounts), rimgAccounts(ctx, state.ShareWithAccounts))
	if renamed && w.owned {
		if err := r.client.ModifyImageAttribute(ctx, w.region, id, w.name, w.description); err != nil {
			apiError(&resp.Diagnostics, "rename image "+id, err)
			return
		}
	}
	out := w.apply(ctx, current, desired, oldEx, newEx, shareChanged || renamed)
	r.markCopiesClaimed(ctx, out.targets, &resp.Diagnostics)
	r.finish(ctx, &plan, out, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *replicatedImageResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state replicatedImageModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, rimgDeleteTimeout)
	resp.Diagnostics.Append(d...)
	src, d := rimgSource(ctx, state.Source)
	resp.Diagnostics.Append(d...)
	targets, d := rimgTargets(ctx, state.Targets)
	resp.Diagnostics.Append(d...)
	ex, d := rimgExport(ctx, state.Export)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	id := state.ID.ValueString()
	kind, _ := src.kind()
	w := r.newWork(state, id, kind)
	w.owner = recordedCopyOwner(ctx, req.Private, id)
	ctx = tflog.SetField(ctx, "image_id", id)

	// Every copy (those in state, and any other tagged copy in those
	// regions an interrupted apply may have left), in parallel.
	regions := rimgSortedKeys(targets)
	errs := rimgParallel(regions, func(region string) error {
		return w.removeCopies(ctx, region, targets[region].ImageID.ValueString())
	})
	for i, err := range errs {
		if err != nil {
			apiError(&resp.Diagnostics, "delete the copy of image "+id+" in "+regions[i], err)
		}
	}
	if ex != nil && !ex.Bucket.IsNull() {
		if err := r.client.DeleteExportObjects(ctx, w.region, ex.Bucket.ValueString(), ex.keys(ctx)); err != nil {
			apiError(&resp.Diagnostics, "delete the exported objects of image "+id, err)
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if w.owned {
		if err := w.deleteImage(ctx, w.region, id, kind == replication.SourceInstance && w.deleteSnapshots); err != nil {
			apiError(&resp.Diagnostics, "delete image "+id, err)
		}
	}
}

func (r *replicatedImageResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	region := ""
	if rg, rest, ok := strings.Cut(id, ":"); ok {
		region, id = rg, rest
	}
	if id == "" || !strings.HasPrefix(id, "m-") {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q is not an image id: import with the source image id, e.g. m-2zeabc..., or <region>:<image id>.", req.ID))
		return
	}
	if region == "" && r.client != nil {
		region = r.client.Region()
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("region"), region)...)
}

// finish records the outcome of a workRun in the model and the diagnostics.
func (r *replicatedImageResource) finish(ctx context.Context, m *replicatedImageModel, out workResult, diags *diag.Diagnostics) {
	targets := map[string]rimgTargetModel{}
	for region, t := range out.targets {
		targets[region] = t
	}
	var d diag.Diagnostics
	m.Targets, d = rimgTargetsValue(ctx, targets, m.Targets.IsNull())
	diags.Append(d...)
	m.Export, d = rimgExportValue(ctx, out.export)
	diags.Append(d...)
	for _, e := range out.errs {
		diags.AddError(e.summary, e.err.Error())
	}
	if len(out.unshared) > 0 {
		diags.AddWarning("Encrypted images not shared",
			"ECS does not share images with encrypted disks, so these images are not shared with share_with_accounts: "+
				strings.Join(out.unshared, ", ")+". Share the KMS key and copy the image in the other account, or drop kms_key_id for regions that must be shared.")
	}
}

// rimgRemaining is the time left before ctx's deadline.
func rimgRemaining(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return max(time.Until(dl), time.Millisecond)
	}
	return rimgCreateTimeout
}

// rimgDetached is a context for clean-up after ctx ended (timeout, Ctrl-C).
func rimgDetached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
}
