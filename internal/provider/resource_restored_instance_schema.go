package provider

import (
	"context"
	"strings"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/restore"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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
)

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
								Optional: true,
								MarkdownDescription: "Only points a passed `alidr_verification_run` vouched for in an attestation signed by a key in the provider's " +
									"`attestation.public_keys` (the `alidr:verified-at` tag is a hint, never proof; without trusted keys this is an error). Default `false`.",
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
