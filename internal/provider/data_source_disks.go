package provider

import (
	"context"
	"slices"
	"strings"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ecs"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

var (
	_ datasource.DataSource              = &disksDataSource{}
	_ datasource.DataSourceWithConfigure = &disksDataSource{}
)

// NewDisksDataSource finds ECS disks to protect.
func NewDisksDataSource() datasource.DataSource { return &disksDataSource{} }

type disksDataSource struct{ client *cloud.Client }

type disksModel struct {
	ID         types.String      `tfsdk:"id"`
	Region     types.String      `tfsdk:"region"`
	InstanceID types.String      `tfsdk:"instance_id"`
	DiskType   types.String      `tfsdk:"disk_type"`
	Category   types.String      `tfsdk:"category"`
	Tags       map[string]string `tfsdk:"tags"`
	IDs        []string          `tfsdk:"ids"`
	Disks      []diskModel       `tfsdk:"disks"`
}

type diskModel struct {
	ID                   types.String `tfsdk:"id"`
	Name                 types.String `tfsdk:"name"`
	InstanceID           types.String `tfsdk:"instance_id"`
	ZoneID               types.String `tfsdk:"zone_id"`
	Type                 types.String `tfsdk:"type"`
	Category             types.String `tfsdk:"category"`
	Size                 types.Int64  `tfsdk:"size"`
	Status               types.String `tfsdk:"status"`
	Encrypted            types.Bool   `tfsdk:"encrypted"`
	AutoSnapshotPolicyID types.String `tfsdk:"auto_snapshot_policy_id"`
}

func (d *disksDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_disks"
}

func (d *disksDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "ECS disks filtered by instance, type, category and tags: the disks a snapshot policy protects.",
		Attributes: map[string]schema.Attribute{
			"id":     schema.StringAttribute{Computed: true, MarkdownDescription: "An id for this query."},
			"region": schema.StringAttribute{Optional: true, MarkdownDescription: "Region to search. Default: the provider's region."},
			"instance_id": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Only disks attached to this instance.",
			},
			"disk_type": schema.StringAttribute{
				Optional: true, MarkdownDescription: "`system` or `data`.",
				Validators: []validator.String{stringvalidator.OneOf("system", "data")},
			},
			"category": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Disk category, e.g. `cloud_essd`.",
			},
			"tags": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Only disks carrying all these tags.",
			},
			"ids": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Matching disk ids, sorted."},
			"disks": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Matching disks, sorted by id.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":                      computed("Disk id."),
					"name":                    computed("Disk name."),
					"instance_id":             computed("Instance the disk is attached to, if any."),
					"zone_id":                 computed("Zone of the disk."),
					"type":                    computed("`system` or `data`."),
					"category":                computed("Disk category."),
					"size":                    schema.Int64Attribute{Computed: true, MarkdownDescription: "Size in GiB."},
					"status":                  computed("Disk status, e.g. `In_use`."),
					"encrypted":               schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the disk is encrypted."},
					"auto_snapshot_policy_id": computed("The automatic snapshot policy applied to the disk, if any."),
				}},
			},
		},
	}
}

func (d *disksDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *disksDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m disksModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	region := d.client.RegionOr(m.Region.ValueString())
	disks, err := d.client.ListDisks(ctx, region, cloud.DiskFilter{
		InstanceID: m.InstanceID.ValueString(),
		DiskType:   m.DiskType.ValueString(),
		Category:   m.Category.ValueString(),
		Tags:       m.Tags,
	})
	if err != nil {
		apiError(&resp.Diagnostics, "list disks", err)
		return
	}
	m.Region = types.StringValue(region)
	m.ID = types.StringValue(region + ":" + m.InstanceID.ValueString() + ":" + m.DiskType.ValueString() + ":" + m.Category.ValueString())
	m.IDs, m.Disks = []string{}, []diskModel{}
	sortDisks(disks)
	for _, dk := range disks {
		m.IDs = append(m.IDs, dk.DiskId)
		m.Disks = append(m.Disks, diskModel{
			ID:                   types.StringValue(dk.DiskId),
			Name:                 types.StringValue(dk.DiskName),
			InstanceID:           types.StringValue(dk.InstanceId),
			ZoneID:               types.StringValue(dk.ZoneId),
			Type:                 types.StringValue(dk.Type),
			Category:             types.StringValue(dk.Category),
			Size:                 types.Int64Value(int64(dk.Size)),
			Status:               types.StringValue(dk.Status),
			Encrypted:            types.BoolValue(dk.Encrypted),
			AutoSnapshotPolicyID: types.StringValue(dk.AutoSnapshotPolicyId),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// sortDisks orders disks by id, so the list is stable between reads.
func sortDisks(d []ecs.Disk) {
	slices.SortFunc(d, func(a, b ecs.Disk) int { return strings.Compare(a.DiskId, b.DiskId) })
}
