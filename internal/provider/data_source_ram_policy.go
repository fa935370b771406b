package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/alidr/terraform-provider-alidr/internal/ramactions"
	"github.com/alidr/terraform-provider-alidr/internal/replication"
)

var (
	_ datasource.DataSource                   = &ramPolicyDataSource{}
	_ datasource.DataSourceWithValidateConfig = &ramPolicyDataSource{}
)

// NewRAMPolicyDataSource generates least-privilege RAM policies from the
// table of the actions each operation calls (internal/ramactions).
func NewRAMPolicyDataSource() datasource.DataSource { return &ramPolicyDataSource{} }

// ramPolicyDataSource calls no API: it needs no client.
type ramPolicyDataSource struct{}

type ramPolicyModel struct {
	ID            types.String `tfsdk:"id"`
	Duties        []string     `tfsdk:"duties"`
	ResourceTypes []string     `tfsdk:"resource_types"`
	Regions       []string     `tfsdk:"regions"`
	AccountID     types.String `tfsdk:"account_id"`
	Buckets       []string     `tfsdk:"buckets"`
	DenyDelete    types.Bool   `tfsdk:"deny_delete"`
	Document      types.String `tfsdk:"document"`
	Actions       []string     `tfsdk:"actions"`
}

func (d *ramPolicyDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_ram_policy"
}

func (d *ramPolicyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	duties := strings.Join(ramactions.DutyNames, "`, `")
	resp.Schema = schema.Schema{
		MarkdownDescription: "A least-privilege RAM policy document for the provider's duties or resource types: exactly the " +
			"RAM actions their operations call, on the resources they touch, for a RAM user or role of a DR pipeline " +
			"(feed `document` to the alicloud provider's `alicloud_ram_policy` or the RAM console). Calls no API.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The sorted actions joined by commas (stable while the policy is)."},
			"duties": schema.ListAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Jobs the key does, among `" + duties + "`: backup = `alidr_snapshot_policy`, `alidr_disks`, `alidr_regions`; " +
					"replicate = `alidr_replicated_image`; restore = `alidr_restored_instance`, `alidr_recovery_points`; verify = `alidr_verification_run`.",
				Validators: []validator.List{listvalidator.ValueStringsAre(stringvalidator.OneOf(ramactions.DutyNames...))},
			},
			"resource_types": schema.ListAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Resource and data source types to cover besides the duties', e.g. `[\"alidr_snapshot_policy\"]`.",
				Validators:          []validator.List{listvalidator.ValueStringsAre(stringvalidator.OneOf(ramactions.KnownTypes()...))},
			},
			"regions": schema.ListAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Regions the key works in (ECS resources are scoped to them); every region when unset. " +
					"Name the destination regions of copies and restores too.",
				Validators: []validator.List{listvalidator.ValueStringsAre(stringRule{"Invalid region id", "a region id such as cn-beijing", replication.ValidateRegionID})},
			},
			"account_id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "The account the resources belong to; `*` (any) when unset.",
				Validators:          []validator.String{stringRule{"Invalid account_id", "an account's numeric UID or *", accountIDRule}},
			},
			"buckets": schema.ListAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "OSS buckets of exports, manifests and reports; every bucket when unset.",
				Validators:          []validator.List{listvalidator.ValueStringsAre(bucketNameValidator())},
			},
			"deny_delete": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Add a statement that explicitly denies `" + strings.Join(ramactions.DenyDeleteActions, "`, `") +
					"` on every resource: a deny-delete guard, so the key cannot destroy recovery points (an explicit Deny wins over every Allow).",
			},
			"document": schema.StringAttribute{Computed: true, MarkdownDescription: "The policy document, JSON in the RAM policy language (`Version` \"1\", `Statement`)."},
			"actions": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The actions the document allows, sorted.",
			},
		},
	}
}

func (d *ramPolicyDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var duties, resourceTypes types.List
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("duties"), &duties)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("resource_types"), &resourceTypes)...)
	if resp.Diagnostics.HasError() || duties.IsUnknown() || resourceTypes.IsUnknown() {
		return
	}
	if len(duties.Elements()) == 0 && len(resourceTypes.Elements()) == 0 {
		resp.Diagnostics.AddAttributeError(path.Root("duties"), "Nothing to grant",
			"Set duties (e.g. [\"backup\"]) or resource_types (e.g. [\"alidr_snapshot_policy\"]), or both.")
	}
}

func (d *ramPolicyDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m ramPolicyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.AccountID.IsNull() || m.AccountID.ValueString() == "" {
		m.AccountID = types.StringValue("*")
	}
	doc, actions, err := ramactions.Build(ramactions.Selection{
		Duties: m.Duties, ResourceTypes: m.ResourceTypes, Regions: m.Regions,
		AccountID: m.AccountID.ValueString(), Buckets: m.Buckets, DenyDelete: m.DenyDelete.ValueBool(),
	})
	if err != nil {
		resp.Diagnostics.AddError("Cannot build the RAM policy", err.Error())
		return
	}
	m.Document, m.Actions = types.StringValue(doc.JSON()), actions
	m.ID = types.StringValue(strings.Join(actions, ","))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// accountIDRule accepts "*" or an account's numeric UID.
func accountIDRule(s string) error {
	if s == "*" {
		return nil
	}
	if err := replication.ValidateAccountID(s); err != nil {
		return fmt.Errorf("%w, or * for any account", err)
	}
	return nil
}
