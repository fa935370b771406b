package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

var (
	_ datasource.DataSource              = &regionsDataSource{}
	_ datasource.DataSourceWithConfigure = &regionsDataSource{}
)

// NewRegionsDataSource lists the regions available to the account.
func NewRegionsDataSource() datasource.DataSource { return &regionsDataSource{} }

type regionsDataSource struct{ client *cloud.Client }

type regionsModel struct {
	ID      types.String  `tfsdk:"id"`
	IDs     []string      `tfsdk:"ids"`
	Regions []regionModel `tfsdk:"regions"`
}

type regionModel struct {
	RegionID       types.String `tfsdk:"region_id"`
	LocalName      types.String `tfsdk:"local_name"`
	RegionEndpoint types.String `tfsdk:"region_endpoint"`
}

func (d *regionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_regions"
}

func (d *regionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The ECS regions available to the account, e.g. to choose disaster recovery regions.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The provider's region (a fixed id for this list)."},
			"ids": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Region ids, sorted.",
			},
			"regions": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The regions, sorted by id.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"region_id":       schema.StringAttribute{Computed: true, MarkdownDescription: "Region id, e.g. `cn-shanghai`."},
					"local_name":      schema.StringAttribute{Computed: true, MarkdownDescription: "Human-readable name."},
					"region_endpoint": schema.StringAttribute{Computed: true, MarkdownDescription: "The region's ECS endpoint."},
				}},
			},
		},
	}
}

func (d *regionsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *regionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	regions, err := d.client.Regions(ctx)
	if err != nil {
		apiError(&resp.Diagnostics, "list regions", err)
		return
	}
	m := regionsModel{ID: types.StringValue(d.client.Region()), IDs: []string{}, Regions: []regionModel{}}
	for _, r := range regions {
		m.IDs = append(m.IDs, r.RegionId)
		m.Regions = append(m.Regions, regionModel{
			RegionID:       types.StringValue(r.RegionId),
			LocalName:      types.StringValue(r.LocalName),
			RegionEndpoint: types.StringValue(r.RegionEndpoint),
		})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
