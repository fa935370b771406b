package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/alidr/terraform-provider-alidr/internal/verify"
)

// metricsSpecModel is report.metrics: the labels and RPO figures of the
// run's Prometheus metrics, and where they go besides the report.
type metricsSpecModel struct {
	Path                   types.String `tfsdk:"path"`
	PushgatewayURL         types.String `tfsdk:"pushgateway_url"`
	Job                    types.String `tfsdk:"job"`
	Site                   types.String `tfsdk:"site"`
	RPOTarget              types.String `tfsdk:"rpo_target"`
	EffectiveRPO           types.String `tfsdk:"effective_rpo"`
	RecoveryPointCreatedAt types.String `tfsdk:"recovery_point_created_at"`
}

var pathReportMetrics = path.Root("report").AtName("metrics")

func metricsSchema(in func(string, ...validator.String) schema.StringAttribute, durationVal []validator.String) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "Prometheus metrics of the run (`alidr_drill_passed`, `alidr_drill_last_success_timestamp_seconds`, `alidr_measured_rto_seconds`, " +
			"`alidr_rto_target_seconds`, `alidr_effective_rpo_seconds`, `alidr_observed_rpo_seconds`, `alidr_checksum_bytes_verified_total`, ...), labelled " +
			"`site`, `region` (the run's) and `recovery_point` (`verified_points`). They go to the report itself with `format = \"prometheus\"`, to `path` " +
			"beside a `json` or `junit` report, and/or to a Pushgateway. A value the run does not know is left out, not written as 0. " +
			"Counters and the last success timestamp carry over from the file being replaced, so keep the file between runs.",
		PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
		Attributes: map[string]schema.Attribute{
			"path": in("Metrics file written beside a `json` or `junit` report (atomically, mode 0644), e.g. in node_exporter's " +
				"`--collector.textfile.directory` as `alidr_<site>.prom`. Not with `format = \"prometheus\"`, whose `report.path` is the metrics file."),
			"pushgateway_url": in("Pushgateway base URL, e.g. `https://pushgateway.example.com:9091`: the metrics replace the group " +
				"`job`/`site`/`region` (HTTP PUT). No credentials in the URL (they would be stored in the state): basic auth comes from " +
				"`" + verify.EnvPushUsername + "` and `" + verify.EnvPushPassword + "`, over https (or loopback) only."),
			"job":        in("Pushgateway job. Default `" + verify.DefaultPushJob + "`."),
			"site":       in("Value of the `site` label, e.g. the DR site's name. Default: `name`."),
			"rpo_target": in("Recovery point objective, for `alidr_rpo_target_seconds`, e.g. `12h`.", durationVal...),
			"effective_rpo": in("The snapshot schedule's longest gap, for `alidr_effective_rpo_seconds`: "+
				"`alidr_snapshot_policy.x.effective_rpo`.", durationVal...),
			"recovery_point_created_at": in("Creation time (RFC 3339) of the restored recovery point: `alidr_observed_rpo_seconds` is the run's start minus it. "+
				"E.g. `alidr_restored_instance.x.restored_from_time`; empty or null leaves the metric out.", rfc3339Validator()),
		},
	}
}

// metricsModel reads report.metrics; nil when null or unknown.
func metricsModel(ctx context.Context, rep *reportSpecModel, diags *diag.Diagnostics) *metricsSpecModel {
	if rep.Metrics.IsNull() || rep.Metrics.IsUnknown() {
		return nil
	}
	var m metricsSpecModel
	diags.Append(rep.Metrics.As(ctx, &m, basetypes.ObjectAsOptions{})...)
	return &m
}

// validateMetrics checks the metrics settings at plan time.
func validateMetrics(ctx context.Context, rep *reportSpecModel, name types.String, diags *diag.Diagnostics) {
	prom := isKnown(rep.Format) && rep.Format.ValueString() == verify.FormatPrometheus
	if rep.Metrics.IsUnknown() {
		return
	}
	m := metricsModel(ctx, rep, diags)
	if !prom && m == nil {
		return
	}
	site := types.StringNull()
	if m != nil {
		site = m.Site
	}
	if site.IsNull() && name.IsNull() {
		diags.AddAttributeError(pathReportMetrics.AtName("site"), "Metrics need a site label",
			"Set report.metrics.site (e.g. the DR site's name) or the run's name, which is the default site label.")
	}
	if m == nil {
		return
	}
	if prom && !m.Path.IsNull() {
		diags.AddAttributeError(pathReportMetrics.AtName("path"), "The report is already the metrics file",
			"With format = \"prometheus\", report.path is the metrics file: remove report.metrics.path, or set report.format to json or junit to get both files.")
	}
	if !prom && m.Path.IsNull() && m.PushgatewayURL.IsNull() {
		diags.AddAttributeError(pathReportMetrics, "Metrics have nowhere to go",
			"Set report.metrics.path (a file beside the report), report.metrics.pushgateway_url, or report.format = \"prometheus\".")
	}
	if isKnown(m.PushgatewayURL) {
		if err := verify.CheckPushURL(m.PushgatewayURL.ValueString()); err != nil {
			diags.AddAttributeError(pathReportMetrics.AtName("pushgateway_url"), "Invalid Pushgateway URL", err.Error())
		}
	}
}

// metricsSpecFrom builds the metrics settings; nil when none are asked for.
func metricsSpecFrom(ctx context.Context, rep *reportSpecModel, name, region string) (*verify.MetricsSpec, error) {
	var diags diag.Diagnostics
	m := metricsModel(ctx, rep, &diags)
	if diags.HasError() {
		return nil, fmt.Errorf("report.metrics: %v", diags)
	}
	if m == nil && rep.Format.ValueString() != verify.FormatPrometheus {
		return nil, nil
	}
	ms := &verify.MetricsSpec{Site: name, Region: region}
	if m == nil {
		return ms, nil
	}
	ms.Path, ms.PushURL, ms.Job = m.Path.ValueString(), m.PushgatewayURL.ValueString(), m.Job.ValueString()
	if isKnown(m.Site) {
		ms.Site = m.Site.ValueString()
	}
	for _, f := range []struct {
		v    types.String
		into **time.Duration
		name string
	}{{m.RPOTarget, &ms.RPOTarget, "rpo_target"}, {m.EffectiveRPO, &ms.EffectiveRPO, "effective_rpo"}} {
		d, ok, err := parseDur(f.v)
		if err != nil {
			return nil, fmt.Errorf("report.metrics.%s: %w", f.name, err)
		}
		if ok {
			*f.into = &d
		}
	}
	if at := m.RecoveryPointCreatedAt.ValueString(); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return nil, fmt.Errorf("report.metrics.recovery_point_created_at: %w", err)
		}
		ms.PointCreated = &t
	}
	return ms, nil
}
