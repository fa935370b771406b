package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
)

var (
	_ datasource.DataSource                     = &recoveryPointsDataSource{}
	_ datasource.DataSourceWithConfigure        = &recoveryPointsDataSource{}
	_ datasource.DataSourceWithConfigValidators = &recoveryPointsDataSource{}
	_ datasource.DataSourceWithValidateConfig   = &recoveryPointsDataSource{}
)

// NewRecoveryPointsDataSource lists the snapshots and images a disk or
// instance can be restored from.
func NewRecoveryPointsDataSource() datasource.DataSource { return &recoveryPointsDataSource{} }

type recoveryPointsDataSource struct{ client *cloud.Client }

type recoveryPointsModel struct {
	ID           types.String `tfsdk:"id"`
	DiskID       types.String `tfsdk:"disk_id"`
	InstanceID   types.String `tfsdk:"instance_id"`
	Region       types.String `tfsdk:"region"`
	Regions      types.List   `tfsdk:"regions"`
	Before       types.String `tfsdk:"before"`
	After        types.String `tfsdk:"after"`
	MaxAge       types.String `tfsdk:"max_age"`
	Categories   types.List   `tfsdk:"categories"`
	Kinds        types.List   `tfsdk:"kinds"`
	OnlyVerified types.Bool   `tfsdk:"only_verified"`
	OnlyLocked   types.Bool   `tfsdk:"only_locked"`
	Dwell        types.String `tfsdk:"dwell"`
	RequireMatch types.Bool   `tfsdk:"require_match"`
	Points       types.List   `tfsdk:"points"`
	Newest       types.Object `tfsdk:"newest"`
	PassedOver   types.List   `tfsdk:"passed_over"`
}

var recoveryPointTypes = map[string]attr.Type{
	"id": types.StringType, "kind": types.StringType, "region": types.StringType, "disk_id": types.StringType,
	"created_at": types.StringType, "category": types.StringType, "verified": types.BoolType, "status": types.StringType,
}

func (d *recoveryPointsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_recovery_points"
}

func (d *recoveryPointsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	pointAttrs := map[string]schema.Attribute{
		"id":         schema.StringAttribute{Computed: true, MarkdownDescription: "Snapshot id (`s-...`) or image id (`m-...`)."},
		"kind":       schema.StringAttribute{Computed: true, MarkdownDescription: "`snapshot` or `image`."},
		"region":     schema.StringAttribute{Computed: true, MarkdownDescription: "Region the point is in (a cross-region copy's target region)."},
		"disk_id":    schema.StringAttribute{Computed: true, MarkdownDescription: "The disk the point was taken from."},
		"created_at": schema.StringAttribute{Computed: true, MarkdownDescription: "Creation time, RFC 3339 UTC."},
		"category":   schema.StringAttribute{Computed: true, MarkdownDescription: "Storage tier: `standard`, `flash` or `archive` (images: `standard`)."},
		"verified":   schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether a passed verification run vouched for it in an attestation signed by a trusted key (provider `attestation.public_keys`); the `alidr:verified-at` tag alone never makes it true."},
		"status":     schema.StringAttribute{Computed: true, MarkdownDescription: "Snapshot or image status (always usable: `accomplished` or `Available`)."},
	}
	strList := func(desc string, v ...validator.List) schema.ListAttribute {
		return schema.ListAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: desc, Validators: v}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Recovery points of a disk or an instance: its usable snapshots, their cross-region copies and the custom images built " +
			"from them, newest first, filtered by time, tier, region, kind and verification status.",
		Attributes: map[string]schema.Attribute{
			"id":          schema.StringAttribute{Computed: true, MarkdownDescription: "An id for this query."},
			"disk_id":     schema.StringAttribute{Optional: true, MarkdownDescription: "The disk whose points to list. Exactly one of `disk_id` and `instance_id`."},
			"instance_id": schema.StringAttribute{Optional: true, MarkdownDescription: "The instance whose disks' points to list. Exactly one of `disk_id` and `instance_id`."},
			"region":      schema.StringAttribute{Optional: true, MarkdownDescription: "Region of the disk or instance. Default: the provider's region."},
			"regions": strList("Regions to return points from, e.g. `[\"cn-beijing\", \"cn-shanghai\"]` to include copies in cn-shanghai. "+
				"Default: only `region`.", listvalidator.SizeAtLeast(1)),
			"before":  schema.StringAttribute{Optional: true, MarkdownDescription: "Only points created strictly before this RFC 3339 time, e.g. the start of an incident."},
			"after":   schema.StringAttribute{Optional: true, MarkdownDescription: "Only points created strictly after this RFC 3339 time."},
			"max_age": schema.StringAttribute{Optional: true, MarkdownDescription: "Only points at most this old, by the service's clock, e.g. `72h` or `3d`."},
			"categories": strList("Only these tiers: `standard`, `flash`, `archive`.",
				listvalidator.ValueStringsAre(stringvalidator.OneOf("standard", "flash", "archive"))),
			"kinds": strList("Only these kinds: `snapshot`, `image`. Default: both.",
				listvalidator.ValueStringsAre(stringvalidator.OneOf("snapshot", "image"))),
			"only_verified": schema.BoolAttribute{Optional: true, MarkdownDescription: "Only points whose `verified` is true: vouched for by a signed attestation of a passed verification run. Needs the provider's `attestation { bucket, public_keys }`. Default `false`."},
			"only_locked":   schema.BoolAttribute{Optional: true, MarkdownDescription: onlyLockedDescription},
			"dwell":         schema.StringAttribute{Optional: true, MarkdownDescription: dwellDescription},
			"require_match": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Fail when no point matches, with an error saying which filter removed the last candidates and what to change " +
					"(default `true`: a restore should never silently pick nothing). Set `false` to get an empty `points` and a null `newest` instead.",
			},
			"points": schema.ListNestedAttribute{
				Computed: true, MarkdownDescription: "Matching points, newest first.",
				NestedObject: schema.NestedAttributeObject{Attributes: pointAttrs},
			},
			"newest": schema.SingleNestedAttribute{
				Computed: true, MarkdownDescription: "The newest matching point (null when none matches and `require_match = false`).",
				Attributes: pointAttrs,
			},
			"passed_over": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Why each point newer than `newest` was not chosen, newest first, e.g. " +
					"`s-... (2026-11-19T06:00:00Z, cn-beijing): too new for the 72h dwell window (...); not locked` " +
					"(also shown as a warning). Points outside `kinds`, `regions`, `categories` and `after` are not listed.",
			},
		},
	}
}

func (d *recoveryPointsDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("disk_id"), path.MatchRoot("instance_id")),
	}
}

func (d *recoveryPointsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m recoveryPointsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	_, _ = recoveryFilter(ctx, &m, time.Now(), func(p path.Path, msg string) {
		resp.Diagnostics.AddAttributeError(p, "Invalid recovery point filter", msg)
	})
}

// recoveryFilter builds the drpolicy filter from known values; bad values
// are reported through fail and left out.
func recoveryFilter(ctx context.Context, m *recoveryPointsModel, now time.Time, fail func(path.Path, string)) (drpolicy.Filter, bool) {
	f := drpolicy.Filter{Now: now, OnlyVerified: m.OnlyVerified.ValueBool(), OnlyLocked: m.OnlyLocked.ValueBool()}
	ok := true
	parseTime := func(v types.String, name string) time.Time {
		if !isKnown(v) {
			return time.Time{}
		}
		t, err := time.Parse(time.RFC3339, v.ValueString())
		if err != nil {
			fail(path.Root(name), fmt.Sprintf("%s = %q is not an RFC 3339 time: write it like \"2026-11-20T08:00:00Z\" or \"2026-11-20T16:00:00+08:00\".", name, v.ValueString()))
			ok = false
		}
		return t
	}
	f.Before = parseTime(m.Before, "before")
	f.After = parseTime(m.After, "after")
	if !f.Before.IsZero() && !f.After.IsZero() && !f.After.Before(f.Before) {
		fail(path.Root("after"), fmt.Sprintf("after (%s) is not earlier than before (%s): no point can match; swap them or widen the range.",
			f.After.Format(time.RFC3339), f.Before.Format(time.RFC3339)))
		ok = false
	}
	if isKnown(m.MaxAge) {
		d, err := drpolicy.ParseDuration(m.MaxAge.ValueString())
		if err != nil {
			fail(path.Root("max_age"), err.Error())
			ok = false
		} else if d <= 0 {
			fail(path.Root("max_age"), "max_age must be longer than 0, e.g. \"72h\".")
			ok = false
		}
		f.MaxAge = d
	}
	if isKnown(m.Dwell) {
		d, err := drpolicy.ParseDuration(m.Dwell.ValueString())
		switch {
		case err != nil:
			fail(path.Root("dwell"), err.Error())
			ok = false
		case d <= 0:
			fail(path.Root("dwell"), "dwell must be longer than 0, e.g. \"72h\".")
			ok = false
		case m.Before.IsNull():
			fail(path.Root("dwell"), "dwell counts back from before: set before to the time the attack was detected, e.g. \"2026-11-20T08:00:00Z\", or remove dwell.")
			ok = false
		}
		f.Dwell = d
	}
	f.Categories, f.Kinds, f.Regions = knownStrings(ctx, m.Categories), knownStrings(ctx, m.Kinds), knownStrings(ctx, m.Regions)
	return f, ok
}

func (d *recoveryPointsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *recoveryPointsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m recoveryPointsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	region := d.client.RegionOr(m.Region.ValueString())
	f, ok := recoveryFilter(ctx, &m, time.Now(), func(p path.Path, msg string) {
		resp.Diagnostics.AddAttributeError(p, "Invalid recovery point filter", msg)
	})
	if !ok {
		return
	}
	if err := checkTrust(d.client, f.OnlyVerified); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("only_verified"), "No trusted attestation keys", err.Error()+".")
		return
	}
	if len(f.Regions) == 0 {
		f.Regions = []string{region}
	}
	points, now, err := d.client.RecoveryPointsNow(ctx, region, cloud.RecoveryPointQuery{
		DiskID: m.DiskID.ValueString(), InstanceID: m.InstanceID.ValueString(), Regions: f.Regions, Locks: f.OnlyLocked,
	})
	if err != nil {
		apiError(&resp.Diagnostics, "list recovery points", err)
		return
	}
	f.Now = now // max_age counts on the clock that stamped the points
	sel := drpolicy.Select(points, f)
	require := m.RequireMatch.IsNull() || m.RequireMatch.ValueBool()
	m.Newest = types.ObjectNull(recoveryPointTypes)
	var passedOver []string
	if len(sel) > 0 {
		m.Newest = recoveryPointObject(sel[0])
		passedOver = drpolicy.PassedOver(points, f, sel[0])
		passedOverWarning(&resp.Diagnostics, path.Root("newest"), passedOver)
	} else if require {
		_, err := drpolicy.Newest(points, f)
		resp.Diagnostics.AddError("No recovery point matches",
			fmt.Sprintf("%v.\n\nSet require_match = false to accept an empty result.", err))
		return
	}
	vals := make([]attr.Value, 0, len(sel))
	for _, p := range sel {
		vals = append(vals, recoveryPointObject(p))
	}
	m.Points = types.ListValueMust(types.ObjectType{AttrTypes: recoveryPointTypes}, vals)
	m.PassedOver, _ = types.ListValueFrom(ctx, types.StringType, append([]string{}, passedOver...))
	m.Region = types.StringValue(region)
	subject := m.DiskID.ValueString()
	if subject == "" {
		subject = m.InstanceID.ValueString()
	}
	m.ID = types.StringValue(region + ":" + subject + ":" + strings.Join(f.Regions, ","))
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func recoveryPointObject(p drpolicy.Point) types.Object {
	return types.ObjectValueMust(recoveryPointTypes, map[string]attr.Value{
		"id": types.StringValue(p.ID), "kind": types.StringValue(p.Kind), "region": types.StringValue(p.Region),
		"disk_id": types.StringValue(p.DiskID), "created_at": types.StringValue(p.Created.UTC().Format(time.RFC3339)),
		"category": types.StringValue(p.Category), "verified": types.BoolValue(p.Verified), "status": types.StringValue(p.Status),
	})
}

const (
	onlyLockedDescription = "Only snapshots a snapshot lock (compliance mode) protects now: points an attacker holding the account's keys " +
		"cannot have deleted or replaced. Images cannot be locked. Default `false`."
	dwellDescription = "With `before` (the time an attack was detected): only points created before `before` minus this dwell time, " +
		"e.g. `72h`, the time the attacker may have been inside unseen, so the point predates the intrusion."
)

// passedOverWarning tells which newer points were not chosen and why.
func passedOverWarning(diags *diag.Diagnostics, at path.Path, lines []string) {
	if len(lines) == 0 {
		return
	}
	diags.AddAttributeWarning(at, "Newer recovery points passed over",
		fmt.Sprintf("%d newer point(s) did not qualify:\n  %s", len(lines), strings.Join(lines, "\n  ")))
}
