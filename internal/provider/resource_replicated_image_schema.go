package provider

import (
	"context"

	"github.com/alidr/terraform-provider-alidr/internal/replication"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
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
)

func (r *replicatedImageResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	allChecksums := stringValues(replication.Checksums)
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
