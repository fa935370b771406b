package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/alidr/terraform-provider-alidr/internal/attest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
	"github.com/alidr/terraform-provider-alidr/internal/transfer"
	"github.com/alidr/terraform-provider-alidr/internal/verify"
)

var (
	_ resource.Resource                   = &verificationRunResource{}
	_ resource.ResourceWithConfigure      = &verificationRunResource{}
	_ resource.ResourceWithValidateConfig = &verificationRunResource{}
)

// defaultVerificationCreateTimeout bounds a whole run: checks, boot test
// soak, tagging and report.
const defaultVerificationCreateTimeout = 2 * time.Hour

// NewVerificationRunResource runs a disaster-recovery drill's checks once
// per replacement and records the verdict.
func NewVerificationRunResource() resource.Resource { return &verificationRunResource{} }

type verificationRunResource struct {
	client *cloud.Client
	// clock drives the boot-test loop; nil means the wall clock.
	clock verify.Clock
}

// Defaults applied when the attribute is not set.
const (
	defaultChecksumMode   = verify.ModeFull
	defaultSamplePercent  = 10.0
	defaultInterval       = time.Minute
	defaultCommandTimeout = 60 * time.Second
	defaultCommandType    = "RunShellScript"
	onFailureFail         = "fail"
	onFailureRecord       = "record"
)

func (r *verificationRunResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_verification_run"
}

func (r *verificationRunResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replaceStr := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	keepStr := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	durationVal := []validator.String{durationValidator()}
	in := func(desc string, v ...validator.String) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, MarkdownDescription: desc, PlanModifiers: replaceStr, Validators: v}
	}
	req := func(desc string, v ...validator.String) schema.StringAttribute {
		return schema.StringAttribute{Required: true, MarkdownDescription: desc, PlanModifiers: replaceStr, Validators: v}
	}
	out := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc, PlanModifiers: keepStr}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "One disaster-recovery verification run: checksum checks of an exported image in OSS, a boot " +
			"test through Cloud Assistant repeated over a soak period, an RTO check, and `alidr:verified-at` tags on the " +
			"snapshots and images a passed run proved. Create runs the checks once; Read never re-runs them. Any change of " +
			"an input, or of `triggers`, replaces the run (runs the checks again). Delete only forgets the run.",
		Attributes: map[string]schema.Attribute{
			"id":     out("The run id, e.g. `vr-20261124T104500Z-3f9a1c`; written on verified points as `alidr:verification-run`."),
			"name":   in("A label for the reports (JUnit suite `alidr_verification_run.<name>`), e.g. `nightly`."),
			"region": in("Region of the boot-test instance and of `verified_points`, and of the report bucket. Default: the provider's region."),
			"checksum": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Check an object (e.g. an exported image) in OSS against a manifest or expected digests. " +
					"At least one of `manifest`, `expected_crc64`, `expected_md5`, `expected_sha256` is required.",
				PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"bucket":   req("OSS bucket holding the object and the manifest.", bucketNameValidator()),
					"object":   req("Object key to verify, e.g. `alidr_replicated_image.golden.export.object`.", objectKeyValidator("object key", false)),
					"region":   in("Region of the bucket. Default: the run's `region`, then the provider's."),
					"manifest": in("Key (same bucket) of a manifest written by the transfer engine (`alidr_replicated_image` export): size, part size, whole-object CRC64/MD5/SHA-256 and per-part CRC64/SHA-256.", objectKeyValidator("manifest key", false)),
					"expected_md5": in("Expected MD5, 32 hex digits.",
						stringvalidator.RegexMatches(hexRE(32), "must be 32 hexadecimal digits (an MD5 digest)")),
					"expected_sha256": in("Expected SHA-256, 64 hex digits.",
						stringvalidator.RegexMatches(hexRE(64), "must be 64 hexadecimal digits (a SHA-256 digest)")),
					"expected_crc64": in("Expected CRC64-ECMA as OSS writes it in `x-oss-hash-crc64ecma`: a decimal number.", crc64Validator()),
					"mode": in("`metadata`: compare the CRC64 OSS keeps for the object (HEAD, no download) with `expected_crc64` or the manifest's. "+
						"`sample`: download `sample_percent` of the manifest's parts, chosen at random, and check each part's CRC64 (and SHA-256); a mismatch is confirmed by a full re-read. "+
						"`full` (default): stream the whole object through the transfer engine (parallel ranged reads, bounded memory, nothing written to disk) "+
						"computing CRC64, MD5 and SHA-256, and compare every expected digest.",
						stringvalidator.OneOf(verify.ModeMetadata, verify.ModeSample, verify.ModeFull)),
					"sample_percent": schema.Float64Attribute{
						Optional:            true,
						MarkdownDescription: "Share of the manifest's parts checked in `sample` mode, in percent (at least one part). Default 10. Only valid with `mode = \"sample\"`.",
						Validators:          []validator.Float64{float64validator.Between(0.001, 100)},
						PlanModifiers:       replaceFloat(),
					},
				},
			},
			"boot_test": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Run a health command on an instance through Cloud Assistant every `interval` for `duration`. " +
					"It passes when the command becomes healthy (exits `expect_exit_code`) and stays healthy: failures before the first " +
					"healthy result count as start-up time, a failure after it (flapping) or an instance that is not running ends the test as failed.",
				PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"instance_id": req("Instance to test, e.g. `alidr_restored_instance.core.id`. It must be Running with the Cloud Assistant agent online."),
					"command":     req("Script to run, e.g. `systemctl is-system-running && curl -fsS localhost:8080/health`."),
					"command_type": in("`RunShellScript` (default, Linux), `RunPowerShellScript` or `RunBatScript` (Windows).",
						stringvalidator.OneOf("RunShellScript", "RunPowerShellScript", "RunBatScript")),
					"duration":        in("How long to keep checking, e.g. `30m`. Default `0s`: one attempt.", durationVal...),
					"interval":        in("Time between attempt starts, e.g. `1m` (default). Must not exceed `duration`.", durationVal...),
					"command_timeout": in("Cloud Assistant's timeout for one attempt, 10s to 24h (default `60s`); a hanging command fails that attempt with status Timeout.", durationVal...),
					"expect_exit_code": schema.Int64Attribute{
						Optional: true, MarkdownDescription: "Exit code meaning healthy. Default 0.",
						PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
					},
				},
			},
			"restore_duration": in("Measured restore time added to the boot test's time to healthy for `measured_rto`, e.g. "+
				"`alidr_restored_instance.core.restore_duration`.", durationVal...),
			"rto_target": in("Recovery time objective, e.g. `15m`: adds the `rto` check `measured_rto <= rto_target`. Needs `restore_duration` or `boot_test`.", durationVal...),
			"verified_points": schema.ListAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Snapshot (`s-...`) and image (`m-...`) ids this run proves restorable. A passed run tags them with " +
					"`alidr:verified-at` (RFC 3339) and `alidr:verification-run` (the run id), so `alidr_recovery_points { only_verified = true }` finds them.",
				PlanModifiers: []planmodifier.List{listplanmodifier.RequiresReplace()},
				Validators:    []validator.List{pointIDsValidator{}},
			},
			"on_failure": in("`fail` (default): a failed run fails the apply, listing the failed checks; the run is still saved (tainted) so its results "+
				"and report are visible, and the next apply runs it again. `record`: the apply succeeds and `status = \"failed\"` records the failure.",
				stringvalidator.OneOf(onFailureFail, onFailureRecord)),
			"report": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Write a report of the run for a CD pipeline: to a local `path`, to OSS (`bucket` + `object`), or both. " +
					"Delete does not remove reports: they are the drill's audit trail.",
				PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"path": in("Local file, replaced atomically (written beside it, synced, renamed) with mode 0644. Its directory must exist."),
					"format": in("`json` (default), `junit` (JUnit XML: one testcase per check, failed checks as failures) or `prometheus` "+
						"(Prometheus text format for node_exporter's textfile collector: name the file `*.prom`; labelled by `metrics`).",
						stringvalidator.OneOf(verify.FormatJSON, verify.FormatJUnit, verify.FormatPrometheus)),
					"bucket":  in("OSS bucket (in the run's region) to upload the report to; needs `object`.", bucketNameValidator()),
					"object":  in("Object key of the uploaded report.", objectKeyValidator("report object key", false)),
					"metrics": metricsSchema(in, durationVal),
				},
			},
			"triggers": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Arbitrary values; changing any of them runs the checks again, e.g. `{ nightly = timestamp() }` or an image id.",
				PlanModifiers:       []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, CreateDescription: "Bound on the whole run (default `2h`); must exceed the boot test's `duration` plus one `command_timeout`."}),

			"status": out("`passed` or `failed`."),
			"checks": schema.ListNestedAttribute{
				Computed: true, MarkdownDescription: "Every check with its verdict: `checksum`, `boot_test`, `rto`, `tag_verified_points`.",
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"name":   schema.StringAttribute{Computed: true, MarkdownDescription: "Check name."},
					"status": schema.StringAttribute{Computed: true, MarkdownDescription: "`passed`, `failed` or `skipped`."},
					"detail": schema.StringAttribute{Computed: true, MarkdownDescription: "What was compared or measured, and why a check failed."},
				}},
			},
			"md5":    out("MD5 of the object (hex), computed when the whole object was read (`full` mode, or a `sample` mismatch re-read); null otherwise."),
			"sha256": out("SHA-256 of the object (hex), computed when the whole object was read (`full` mode, or a `sample` mismatch re-read); null otherwise."),
			"crc64":  out("CRC64-ECMA of the object (decimal): computed in `full` mode, as stored by OSS in `metadata` mode; null in `sample` mode unless a mismatch made the run re-read the whole object."),
			"bytes_verified": schema.Int64Attribute{
				Computed: true, PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
				MarkdownDescription: "Object bytes read and checked: the size in `full` mode, 0 in `metadata` mode, null in `sample` mode (the engine draws the parts; `checks` names how many) unless a mismatching part made the run re-read the whole object.",
			},
			"measured_rto": out("`restore_duration` plus the boot test's time to first healthy result (from its first attempt), e.g. `12m5s`. " +
				"The gap between the restore finishing and the boot test starting is not counted: depend on the restored instance so the run starts right after it. " +
				"Null when the service never became healthy or nothing was measured."),
			"started_at":  out("When the run started (RFC 3339)."),
			"finished_at": out("When the checks finished (RFC 3339); the verified-at tag value."),
			"boot_test_result": schema.SingleNestedAttribute{
				Computed: true, MarkdownDescription: "Summary of the boot test; null without `boot_test`. Every attempt is in the report.",
				PlanModifiers: []planmodifier.Object{objectplanmodifier.UseStateForUnknown()},
				Attributes: map[string]schema.Attribute{
					"attempts":        schema.Int64Attribute{Computed: true, MarkdownDescription: "Attempts made."},
					"passes":          schema.Int64Attribute{Computed: true, MarkdownDescription: "Healthy attempts."},
					"failures":        schema.Int64Attribute{Computed: true, MarkdownDescription: "Unhealthy attempts (non-matching exit code, hang, errors)."},
					"healthy":         schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether any attempt was healthy."},
					"time_to_healthy": schema.StringAttribute{Computed: true, MarkdownDescription: "From the first attempt's start to the end of the first healthy one; null if never healthy."},
					"first_failure":   schema.StringAttribute{Computed: true, MarkdownDescription: "The first unhealthy attempt: when, why, and its output's tail."},
					"output_tail":     schema.StringAttribute{Computed: true, MarkdownDescription: "Last 2 KiB of the last attempt's decoded output."},
				},
			},
			"attestation_object": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Where the run's signed attestation is kept (`oss://<vault>/" + attest.ObjectPrefix + "<run id>.json`), " +
					"when the provider has an `attestation` block; null otherwise. Only such an attestation makes `only_verified` trust the points.",
			},
			"tagged_points": schema.ListAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "The `verified_points` that received the verified tags (empty when the run failed).",
				PlanModifiers:       []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *verificationRunResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *verificationRunResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m verificationRunModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := m.Timeouts.Create(ctx, defaultVerificationCreateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	spec, rep, onFailure, err := r.specFrom(ctx, &m)
	if err != nil {
		resp.Diagnostics.AddError("Invalid verification run", err.Error())
		return
	}
	// A report that cannot be written fails now, before a long drill.
	if rep != nil {
		if err := verify.CheckReportPath(rep.Path); err != nil {
			resp.Diagnostics.AddAttributeError(pathReportPath, "Report directory missing", err.Error())
			return
		}
		if m := rep.Metrics; m != nil && m.Path != "" && rep.Format != verify.FormatPrometheus {
			if err := verify.CheckReportPath(m.Path); err != nil {
				resp.Diagnostics.AddAttributeError(pathReportMetrics.AtName("path"), "Metrics directory missing", err.Error())
				return
			}
		}
	}
	backend := &verify.CloudBackend{Client: r.client, Progress: func(p transfer.Progress) {
		pct := 100.0
		if p.Total > 0 {
			pct = float64(p.Done) * 100 / float64(p.Total)
		}
		tflog.Info(ctx, "verifying object checksums", map[string]any{
			"percent": fmt.Sprintf("%.0f", pct), "bytes": p.Done, "total": p.Total, "rate_bytes_per_s": int64(p.Rate),
		})
	}}
	spec.Log = func(msg string, fields map[string]any) { tflog.Info(ctx, msg, fields) }
	tflog.Info(ctx, "verification run starting", map[string]any{"run_id": spec.RunID, "region": spec.Region})
	res := verify.Run(ctx, backend, r.clock, spec)
	tflog.Info(ctx, "verification run finished", map[string]any{"run_id": res.RunID, "status": res.Status})

	resp.Diagnostics.Append(fillVerificationResult(ctx, &m, res)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.writeAttestation(ctx, &m, res, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	if rep != nil {
		if err := verify.WriteReport(ctx, backend, res, *rep); err != nil {
			resp.Diagnostics.AddError("Failed to write the verification report",
				fmt.Sprintf("Run %s finished with status %s, but its report could not be written: %v. The run is saved as tainted; "+
					"fix the report destination and apply again to re-run it.", res.RunID, res.Status, err))
		}
	}
	if res.Status == verify.StatusFailed && onFailure == onFailureFail {
		resp.Diagnostics.AddError("Verification run "+res.RunID+" failed", failureDetail(res))
	}
}

// failureDetail spells out the failed checks for the apply's error.
func failureDetail(res *verify.Result) string {
	var b strings.Builder
	for _, c := range res.FailedChecks() {
		fmt.Fprintf(&b, "- %s: %s\n", c.Name, c.Detail)
	}
	b.WriteString("\nThe run is saved (tainted) so its results and report stay visible; the next apply runs it again. " +
		"Set on_failure = \"record\" to record failures without failing the apply.")
	return b.String()
}

// Read returns the recorded results: a run is history, never re-run.
func (r *verificationRunResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m verificationRunModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// Update only changes timeouts: every other input replaces the run.
func (r *verificationRunResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state verificationRunModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Delete forgets the run. Tags on verified points and reports stay: they
// record that the points were verified at that time.
func (r *verificationRunResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}
