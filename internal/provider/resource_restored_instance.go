package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
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

var basetypesObjectAsOptions = basetypes.ObjectAsOptions{}

func (r *restoredInstanceResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_restored_instance"
}

func (r *restoredInstanceResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := stringplanmodifier.UseStateForUnknown
	replace := stringplanmodifier.RequiresReplace
	resp.Schema = schema.Schema{
		MarkdownDescription: "Restores an ECS instance from an image, a snapshot or the newest recovery point of a disk that " +
			"matches a time bound, waits until it is Running and measures the restore time against an RTO target.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, MarkdownDescription: "Instance id.",
				PlanModifiers: []planmodifier.String{keep()},
			},
			"region": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Region to restore into. Default: the provider's region. Changing it replaces the instance.",
				PlanModifiers:       []planmodifier.String{keep(), replace()},
			},
			"source": schema.SingleNestedAttribute{
				Required: true,
				MarkdownDescription: "What the system disk is restored from: exactly one of `image_id`, `snapshot_id` and `recovery_point`. " +
					"A snapshot (given or chosen) goes through a temporary image the resource creates and deletes once the instance is Running. " +
					"Changing the source replaces the instance; the recovery point is resolved once, at create time, and later plans do not move it.",
				PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplaceIf(requiresReplaceUnlessImported,
					"Changing the source replaces the instance (except right after an import).", "Changing the source replaces the instance (except right after an import).")},
				Attributes: map[string]schema.Attribute{
					"image_id": schema.StringAttribute{
						Optional: true, MarkdownDescription: "Boot this image (public, custom, shared or a replicated image), e.g. `m-uf6...`.",
					},
					"snapshot_id": schema.StringAttribute{
						Optional: true, MarkdownDescription: "Restore the system disk from this snapshot, e.g. `s-2ze...`.",
					},
					"recovery_point": schema.SingleNestedAttribute{
						Optional: true,
						MarkdownDescription: "Restore from the newest usable snapshot of `disk_id` that passes the bounds, chosen when the instance is created " +
							"(`restored_from` records which). Snapshots only; boot images with `image_id`.",
						Attributes: map[string]schema.Attribute{
							"disk_id": schema.StringAttribute{
								Required: true, MarkdownDescription: "The system disk whose snapshots are candidates, e.g. `d-2ze...`.",
							},
							"before": schema.StringAttribute{
								Optional:            true,
								MarkdownDescription: "Only points created strictly before this RFC 3339 time, e.g. `2026-11-20T08:00:00Z` (the moment of an attack).",
							},
							"max_age": schema.StringAttribute{
								Optional:            true,
								MarkdownDescription: "Only points at most this old when the instance is created, e.g. `72h` or `3d`.",
							},
							"only_verified": schema.BoolAttribute{
								Optional:            true,
								MarkdownDescription: "Only points an `alidr_verification_run` has restored successfully (tag `alidr:verified-at`). Default `false`.",
							},
							"only_locked": schema.BoolAttribute{Optional: true, MarkdownDescription: onlyLockedDescription},
							"dwell":       schema.StringAttribute{Optional: true, MarkdownDescription: dwellDescription},
						},
					},
				},
			},
			"instance_type": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Instance type, e.g. `ecs.g7.xlarge`. Checked at plan time: unknown types and more private IPs than the type holds are errors; " +
					"fewer than 2 vCPU or less than 4 GiB of memory is a warning. A type changed outside Terraform shows as a replacement.",
				PlanModifiers: []planmodifier.String{replace()},
			},
			"instance_name": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Instance name (2-128 characters, starting with a letter or Chinese character). Default: the instance id. Updated in place. Part of the idempotency token: " +
					"give otherwise identical restores different names.",
				PlanModifiers: []planmodifier.String{keep()},
				Validators:    []validator.String{ecsNameValidator("instance name")},
			},
			"description": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Instance description. Updated in place.",
				PlanModifiers:       []planmodifier.String{keep()},
				Validators:          []validator.String{stringvalidator.LengthAtMost(256)},
			},
			"system_disk": schema.SingleNestedAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "System disk. Changing it replaces the instance.",
				PlanModifiers:       []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: map[string]schema.Attribute{
					"category": schema.StringAttribute{
						Optional: true, Computed: true,
						MarkdownDescription: "Disk category: `" + strings.Join(restore.SystemDiskCategories(), "`, `") + "`. Default `cloud_essd`.",
						PlanModifiers:       []planmodifier.String{keep(), replace()},
					},
					"size": schema.Int64Attribute{
						Optional: true, Computed: true,
						MarkdownDescription: "Size in GiB, 20-2048 (`cloud_auto`: 1-2048) and at least the image's size. Default: the larger of 40 and the image's size. " +
							"Under 40 GiB is a warning.",
						PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown(), int64planmodifier.RequiresReplace()},
						// RunInstances SystemDisk.Size: at least 1 (official ECS SDK); 0 is not "unset".
						Validators: []validator.Int64{int64validator.AtLeast(1)},
					},
				},
			},
			"data_disks": schema.ListNestedAttribute{
				Optional: true,
				MarkdownDescription: "Data disks, restored from snapshots directly (or empty when only `size` is set); deleted with the instance. " +
					"At most 16. Changing them replaces the instance.",
				Validators: []validator.List{listvalidator.SizeAtMost(restore.MaxDataDisks)},
				PlanModifiers: []planmodifier.List{listplanmodifier.RequiresReplaceIf(dataDiskCountChanged,
					"Adding or removing data disks replaces the instance.", "Adding or removing data disks replaces the instance.")},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"snapshot_id": schema.StringAttribute{
						Optional: true, MarkdownDescription: "Snapshot to restore the disk from.",
						PlanModifiers: []planmodifier.String{replace()},
					},
					"category": schema.StringAttribute{
						Optional: true, Computed: true,
						MarkdownDescription: "Disk category: `" + strings.Join(restore.DataDiskCategories(), "`, `") + "`. Default `cloud_essd`.",
						PlanModifiers:       []planmodifier.String{keep(), replace()},
					},
					"size": schema.Int64Attribute{
						Optional: true, Computed: true,
						MarkdownDescription: "Size in GiB within the category's range and at least the snapshot's size. Default: the snapshot's size.",
						PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown(), int64planmodifier.RequiresReplace()},
						Validators:          []validator.Int64{int64validator.AtLeast(1)},
					},
				}},
			},
			"vswitch_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "vSwitch of the instance; it must be in `region` (and in `zone_id` when set). Changing it replaces the instance.",
				PlanModifiers:       []planmodifier.String{replace()},
			},
			"zone_id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Zone; must be the vSwitch's. Default: the vSwitch's zone.",
				PlanModifiers:       []planmodifier.String{keep(), replace()},
			},
			"security_group_ids": schema.SetAttribute{
				Required: true, ElementType: types.StringType,
				MarkdownDescription: "Security groups (1-5, in the vSwitch's VPC). Updated in place.",
				Validators:          []validator.Set{setvalidator.SizeBetween(1, 5)},
			},
			"private_ips": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(1),
				MarkdownDescription: "Number of private IPs of the primary network interface, primary included: at least 1 and at most what the instance type " +
					"holds per interface (DescribeInstanceTypes `EniPrivateIpAddressQuantity`, checked at plan time). More than 1 is requested as " +
					"`NetworkInterface.1.SecondaryPrivateIpAddressCount` on the primary interface. Default 1.",
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			},
			"tags": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Tags of the instance. Updated in place. The provider adds `alidr:managed-by`, `alidr:owner` and `alidr:claimed`, which are not shown here.",
				Validators:          []validator.Map{tagsValidator{}},
			},
			"desired_status": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(cloud.InstanceStatusRunning),
				MarkdownDescription: "`Running` or `Stopped`; changed in place with StartInstance/StopInstance. An instance stopped or started outside Terraform " +
					"shows up as a change in the plan. The RTO is measured to Running either way. Default `Running`.",
				Validators: []validator.String{stringvalidator.OneOf(cloud.InstanceStatusRunning, cloud.InstanceStatusStopped)},
			},
			"rto_target": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Recovery time objective, e.g. `15m`: `rto_met` compares `restore_duration` with it. Changing it re-evaluates `rto_met` in place.",
			},
			"on_rto_miss": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(restore.OnMissWarn),
				MarkdownDescription: "What a restore slower than `rto_target` does: `warn` (a warning) or `fail` (an error; the instance is kept " +
					"in state as tainted, so it is not orphaned). Default `warn`.",
				Validators: []validator.String{stringvalidator.OneOf(restore.OnMissWarn, restore.OnMissFail)},
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
			"status": schema.StringAttribute{
				Computed: true, MarkdownDescription: "Instance status as ECS reports it, e.g. `Running`.",
				PlanModifiers: []planmodifier.String{keep()},
			},
			"private_ip": schema.StringAttribute{
				Computed: true, MarkdownDescription: "Primary private IP.",
				PlanModifiers: []planmodifier.String{keep()},
			},
			"private_ip_addresses": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "All private IPs of the primary network interface, primary first.",
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
			"restored_from": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The image or snapshot actually used: `source.image_id`, `source.snapshot_id` or the recovery point chosen at create time. " +
					"Empty after an import.",
				PlanModifiers: []planmodifier.String{keep()},
			},
			"restored_from_time": schema.StringAttribute{
				Computed: true, MarkdownDescription: "Creation time (RFC 3339) of the recovery point used, when the source is `recovery_point`.",
				PlanModifiers: []planmodifier.String{keep()},
			},
			"restore_duration": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Wall time from the first API call of the restore to the instance being Running, e.g. `4m12s`. " +
					"Measured once, at create time.",
				PlanModifiers: []planmodifier.String{keep()},
			},
			"rto_met": schema.BoolAttribute{
				Computed: true, MarkdownDescription: "Whether `restore_duration` is within `rto_target`; null without a target.",
			},
		},
	}
}

// requiresReplaceUnlessImported replaces on a source change, but not when
// the state has no source yet (right after an import).
func requiresReplaceUnlessImported(_ context.Context, req planmodifier.ObjectRequest, resp *objectplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !req.StateValue.IsNull()
}

// dataDiskCountChanged replaces when disks are added or removed; changes of
// one disk's fields are caught by their own plan modifiers.
func dataDiskCountChanged(_ context.Context, req planmodifier.ListRequest, resp *listplanmodifier.RequiresReplaceIfFuncResponse) {
	if req.PlanValue.IsUnknown() {
		resp.RequiresReplace = true
		return
	}
	resp.RequiresReplace = len(req.PlanValue.Elements()) != len(req.StateValue.Elements())
}

func (r *restoredInstanceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

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

func (m *restoredInstanceModel) systemDisk(ctx context.Context, diags *diag.Diagnostics) *systemDiskModel {
	if m.SystemDisk.IsNull() || m.SystemDisk.IsUnknown() {
		return nil
	}
	var d systemDiskModel
	diags.Append(m.SystemDisk.As(ctx, &d, basetypesObjectAsOptions)...)
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
			disk := restore.Disk{Category: knownString(d.Category), Size: int(knownInt(d.Size)), SnapshotID: knownString(d.SnapshotID)}
			if d.SnapshotID.IsUnknown() {
				disk.SnapshotID = "(known after apply)"
			}
			if d.Size.IsUnknown() {
				disk.SnapshotID = "(size known after apply)"
			}
			s.DataDisks = append(s.DataDisks, disk)
		}
	}
	if !m.PrivateIPs.IsNull() && !m.PrivateIPs.IsUnknown() {
		n := int(m.PrivateIPs.ValueInt64())
		s.PrivateIPs = &n
	}
	return s
}

func knownString(v types.String) string {
	if v.IsNull() || v.IsUnknown() {
		return ""
	}
	return v.ValueString()
}

func knownInt(v types.Int64) int64 {
	if v.IsNull() || v.IsUnknown() {
		return 0
	}
	return v.ValueInt64()
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
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan restoredInstanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state *restoredInstanceModel
	if !req.State.Raw.IsNull() {
		state = &restoredInstanceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
		if resp.Diagnostics.HasError() {
			return
		}
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

func (r *restoredInstanceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m restoredInstanceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := m.Timeouts.Create(ctx, restoreCreateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	region := r.client.RegionOr(knownString(m.Region))
	m.Region = types.StringValue(region)
	owner := m.ownerOf(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	owner, err := r.claimOwner(ctx, region, owner)
	if err != nil {
		apiError(&resp.Diagnostics, "choose the restore's owner id", err)
		return
	}
	priv := restorePrivate{Owner: owner}
	savePrivate := func() {
		b, _ := json.Marshal(priv)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateRestoreKey, b)...)
	}

	// The RTO clock starts with the first API call of the restore (or of
	// the killed run whose image or instance this one adopts).
	start := time.Now()
	ctx = tflog.SetField(ctx, "region", region)

	// 1. What to boot.
	imageID, snapshotID := "", ""
	m.RestoredFromTime = types.StringNull()
	switch src := m.Source; {
	case knownString(src.ImageID) != "":
		imageID = src.ImageID.ValueString()
		m.RestoredFrom = types.StringValue(imageID)
	case knownString(src.SnapshotID) != "":
		snapshotID = src.SnapshotID.ValueString()
		m.RestoredFrom = types.StringValue(snapshotID)
	case src.RecoveryPoint != nil:
		q := pointQuery(src.RecoveryPoint)
		p, err := r.choosePoint(ctx, region, q)
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("source").AtName("recovery_point"), "No recovery point to restore", err.Error())
			return
		}
		passedOverWarning(&resp.Diagnostics, path.Root("source").AtName("recovery_point"), p.PassedOver)
		snapshotID = p.ID
		m.RestoredFrom = types.StringValue(p.ID)
		m.RestoredFromTime = types.StringValue(p.Created.UTC().Format(time.RFC3339))
		tflog.Info(ctx, "restore: chose recovery point", map[string]any{"snapshot_id": p.ID, "created": p.Created.UTC().Format(time.RFC3339), "disk_id": q.DiskID})
	}

	// 2. A snapshot goes through a temporary image the resource owns.
	if snapshotID != "" {
		tflog.Info(ctx, "restore: creating the temporary image", map[string]any{"snapshot_id": snapshotID})
		digest, err := restore.Digest([]string{owner, snapshotID})
		if err != nil {
			resp.Diagnostics.AddError("Failed to create the temporary image", err.Error())
			return
		}
		gen := 0
		id, _, err := cloud.CreateIdempotent(ctx, "temporary image",
			func(g int) (string, error) {
				gen = g
				return restore.ClientToken("image", []string{owner, snapshotID}, g)
			},
			func(token string) (string, error) {
				return r.client.CreateImage(ctx, region, cloud.CreateImageInput{
					SnapshotID: snapshotID, Name: fmt.Sprintf("alidr-restore-%.12s-%d", digest, gen),
					Description: "Temporary image of alidr_restored_instance (" + owner + "), deleted once the instance runs.",
					ClientToken: token, Tags: map[string]string{cloud.TagManagedBy: managedByValue, cloud.TagOwner: owner},
				})
			},
			func(ctx context.Context, id string) error {
				_, err := r.client.FindImageByID(ctx, region, id)
				return err
			})
		if err != nil {
			apiError(&resp.Diagnostics, "create the temporary image from snapshot "+snapshotID, err)
			return
		}
		imageID = id
		priv.TemporaryImageID = id
		savePrivate()
		im, err := r.client.WaitImageAvailable(ctx, region, id, time.Until(deadline))
		if err != nil {
			apiError(&resp.Diagnostics, "wait for temporary image "+id, fmt.Errorf("%w (the image is tagged %s=%s; a retried apply reuses it)", err, cloud.TagOwner, owner))
			return
		}
		// An image a killed run created: the restore began then.
		start = restore.Start(start, "", im.CreationTime)
	}

	// 3. The instance, with an idempotency token derived from the request.
	in := m.runInput(ctx, imageID, owner, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Info(ctx, "restore: creating the instance", map[string]any{"image_id": imageID, "instance_type": in.InstanceType})
	id, _, err := cloud.CreateIdempotent(ctx, "instance",
		func(g int) (string, error) { return restore.ClientToken("instance", in, g) },
		func(token string) (string, error) { return r.client.RunInstance(ctx, region, in, token) },
		func(ctx context.Context, id string) error {
			_, err := r.client.FindInstanceByID(ctx, region, id)
			return err
		})
	if err != nil {
		apiError(&resp.Diagnostics, "create the instance", err)
		return
	}
	m.ID = types.StringValue(id)
	ctx = tflog.SetField(ctx, "instance_id", id)
	defer r.markClaimed(ctx, region, id, &resp.Diagnostics)
	start = r.recordStart(ctx, region, id, start, &resp.Diagnostics)
	// From here on the id is in state even if the rest fails: Terraform
	// taints the instance instead of orphaning it.
	save := func() {
		resp.Diagnostics.Append(resp.State.Set(ctx, m.withoutUnknowns())...)
	}

	inst, err := r.client.WaitInstanceStatus(ctx, region, id, cloud.InstanceStatusRunning, time.Until(deadline))
	if err != nil {
		if inst != nil {
			m.fromInstance(inst)
		}
		save()
		apiError(&resp.Diagnostics, "wait for instance "+id+" to run", err)
		return
	}
	elapsed := time.Since(start)
	m.RestoreDuration = types.StringValue(restore.FormatDuration(elapsed))
	m.RTOMet = rtoMet(m.RTOTarget, m.RestoreDuration)
	tflog.Info(ctx, "restore: instance running", map[string]any{"restore_duration": m.RestoreDuration.ValueString(), "rto_target": m.RTOTarget.ValueString()})

	// 4. The temporary image has served its purpose: it would otherwise
	// keep the snapshot from being released by its retention.
	if priv.TemporaryImageID != "" {
		if err := r.client.DeleteImage(ctx, region, priv.TemporaryImageID, true); err != nil {
			resp.Diagnostics.AddWarning("Temporary image kept",
				fmt.Sprintf("Deleting temporary image %s failed: %v. It is deleted with the instance; delete it by hand sooner if you like.", priv.TemporaryImageID, err))
		} else {
			cloud.RememberDeleted(priv.TemporaryImageID)
			priv.TemporaryImageID = ""
		}
		savePrivate()
	}

	if m.DesiredStatus.ValueString() == cloud.InstanceStatusStopped {
		if err := r.setStatus(ctx, region, id, cloud.InstanceStatusStopped, time.Until(deadline)); err != nil {
			save()
			apiError(&resp.Diagnostics, "stop instance "+id, err)
			return
		}
	}
	// New disks may lag behind in DescribeDisks: wait for the system disk and
	// the configured data disks before reading them back.
	if dds, ok := m.dataDisks(ctx, &resp.Diagnostics); ok {
		if _, err := r.client.WaitInstanceDisks(ctx, region, id, 1+len(dds), time.Until(deadline)); err != nil {
			resp.Diagnostics.AddWarning("Disks not visible yet", fmt.Sprintf("The disks of instance %s are not listed yet (%v); the next refresh fills them in.", id, err))
		}
	}
	r.refresh(ctx, &m, &resp.Diagnostics)
	save()

	if !m.RTOMet.IsNull() && !m.RTOMet.ValueBool() {
		target, _ := restore.ParseRTO(m.RTOTarget.ValueString())
		detail := restore.RTOMissDetail(id, elapsed, target)
		if m.OnRTOMiss.ValueString() == restore.OnMissFail {
			resp.Diagnostics.AddAttributeError(path.Root("rto_target"), "RTO missed", detail+
				" The instance is kept in state (tainted): the next apply replaces it, or `terraform untaint` keeps it.")
		} else {
			resp.Diagnostics.AddAttributeWarning(path.Root("rto_target"), "RTO missed", detail)
		}
	}
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
		if diags := m.SystemDisk.As(context.Background(), &d, basetypesObjectAsOptions); !diags.HasError() {
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
	sgs := make([]attr.Value, 0, len(in.SecurityGroupIds.SecurityGroupId))
	for _, id := range in.SecurityGroupIds.SecurityGroupId {
		sgs = append(sgs, types.StringValue(id))
	}
	m.SecurityGroupIDs = types.SetValueMust(types.StringType, sgs)
	ips := cloud.InstancePrivateIPs(in)
	ipv := make([]attr.Value, 0, len(ips))
	for _, ip := range ips {
		ipv = append(ipv, types.StringValue(ip))
	}
	m.PrivateIPAddresses = types.ListValueMust(types.StringType, ipv)
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
		cloud.RememberDeleted(imageID)
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
}
