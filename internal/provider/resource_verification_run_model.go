package provider

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/alidr/terraform-provider-alidr/internal/drpolicy"
	"github.com/alidr/terraform-provider-alidr/internal/verify"
)

var pathReportPath = path.Root("report").AtName("path")

func hexRE(n int) *regexp.Regexp { return regexp.MustCompile(fmt.Sprintf("^[0-9a-fA-F]{%d}$", n)) }

func replaceFloat() []planmodifier.Float64 {
	return []planmodifier.Float64{float64planmodifier.RequiresReplace()}
}

// durationValidator accepts drpolicy durations ("30m", "1d12h", "500ms").
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "a duration such as 30s, 15m, 2h or 1d"
}
func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := drpolicy.ParseDuration(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration", err.Error())
	}
}

// crc64Validator accepts a decimal uint64 as OSS writes CRC64s.
type crc64Validator struct{}

func (crc64Validator) Description(context.Context) string {
	return "a CRC64-ECMA in decimal, as in x-oss-hash-crc64ecma"
}
func (v crc64Validator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (crc64Validator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := strconv.ParseUint(req.ConfigValue.ValueString(), 10, 64); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid CRC64",
			fmt.Sprintf("%q is not a decimal CRC64: use the value of the x-oss-hash-crc64ecma header (e.g. 12345678901234567890), not hex", req.ConfigValue.ValueString()))
	}
}

// pointIDsValidator accepts snapshot and image ids.
type pointIDsValidator struct{}

func (pointIDsValidator) Description(context.Context) string {
	return "snapshot (s-...) or image (m-...) ids"
}
func (v pointIDsValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }
func (pointIDsValidator) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	for i, e := range req.ConfigValue.Elements() {
		s, ok := e.(types.String)
		if !ok || s.IsNull() || s.IsUnknown() {
			continue
		}
		if _, err := verify.PointType(s.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(req.Path.AtListIndex(i), "Invalid recovery point id",
				err.Error()+": verified_points takes snapshot and image ids, e.g. alidr_replicated_image.golden.id")
		}
	}
}

func known(s types.String) bool { return !s.IsNull() && !s.IsUnknown() }

// parseDur parses an optional duration attribute; ok is false when unset
// or unknown.
func parseDur(s types.String) (time.Duration, bool, error) {
	if !known(s) {
		return 0, false, nil
	}
	d, err := drpolicy.ParseDuration(s.ValueString())
	return d, err == nil, err
}

// ValidateConfig checks combinations at plan time, with what to change.
func (r *verificationRunResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m verificationRunModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.Checksum == nil && m.BootTest == nil {
		resp.Diagnostics.AddError("Nothing to verify", "Set checksum, boot_test, or both.")
	}
	if c := m.Checksum; c != nil {
		p := path.Root("checksum")
		mode := defaultChecksumMode
		if known(c.Mode) {
			mode = c.Mode.ValueString()
		}
		modeKnown := !c.Mode.IsUnknown()
		hasManifest := !c.Manifest.IsNull()
		hasCRC := !c.ExpectedCRC64.IsNull()
		anyExpected := hasManifest || hasCRC || !c.ExpectedMD5.IsNull() || !c.ExpectedSHA256.IsNull()
		switch {
		case !modeKnown:
		case mode == verify.ModeMetadata && !hasManifest && !hasCRC:
			resp.Diagnostics.AddAttributeError(p.AtName("mode"), "Metadata mode needs a CRC64",
				"mode = \"metadata\" compares the CRC64 OSS keeps for the object: set expected_crc64 or manifest, or use mode = \"full\" to check MD5/SHA-256.")
		case mode == verify.ModeSample && !hasManifest:
			resp.Diagnostics.AddAttributeError(p.AtName("mode"), "Sample mode needs a manifest",
				"mode = \"sample\" checks parts against a manifest's per-part checksums: set manifest, or use mode = \"full\" with expected digests.")
		case mode == verify.ModeFull && !anyExpected:
			resp.Diagnostics.AddAttributeError(p, "Nothing to compare",
				"A full read with nothing to compare proves only that OSS agrees with itself: set manifest or one of expected_md5, expected_sha256, expected_crc64.")
		}
		if modeKnown && mode != verify.ModeSample && !c.SamplePercent.IsNull() {
			resp.Diagnostics.AddAttributeError(p.AtName("sample_percent"), "sample_percent needs sample mode",
				"sample_percent only applies with mode = \"sample\": remove it or set mode = \"sample\".")
		}
	}
	var bootMax time.Duration
	if b := m.BootTest; b != nil {
		p := path.Root("boot_test")
		dur, durOK, _ := parseDur(b.Duration)
		if b.Duration.IsNull() {
			durOK = true
		}
		iv, ivOK, _ := parseDur(b.Interval)
		if b.Interval.IsNull() {
			iv, ivOK = defaultInterval, true
		}
		if ivOK && iv <= 0 {
			resp.Diagnostics.AddAttributeError(p.AtName("interval"), "Interval must be positive", "Set interval to a positive duration such as 1m.")
		}
		if durOK && ivOK && dur > 0 && iv > dur {
			resp.Diagnostics.AddAttributeError(p.AtName("interval"), "Interval longer than duration",
				fmt.Sprintf("interval %s is longer than duration %s, so only one attempt would run: shorten interval or lengthen duration (or drop duration for a single attempt).", b.Interval.ValueString(), b.Duration.ValueString()))
		}
		ct, ctOK, _ := parseDur(b.CommandTimeout)
		if b.CommandTimeout.IsNull() {
			ct, ctOK = defaultCommandTimeout, true
		}
		if ctOK && (ct < 10*time.Second || ct > 24*time.Hour) {
			resp.Diagnostics.AddAttributeError(p.AtName("command_timeout"), "Command timeout out of range",
				fmt.Sprintf("Cloud Assistant accepts timeouts from 10s to 24h; %s is outside: change command_timeout.", b.CommandTimeout.ValueString()))
		}
		if durOK && ctOK {
			bootMax = dur + ct
		}
	}
	if !m.RTOTarget.IsNull() && m.RestoreDuration.IsNull() && m.BootTest == nil {
		resp.Diagnostics.AddAttributeError(path.Root("rto_target"), "Nothing measures the RTO",
			"rto_target compares against restore_duration plus the boot test's time to healthy: set restore_duration (e.g. alidr_restored_instance.x.restore_duration), add a boot_test, or remove rto_target.")
	}
	if rep := m.Report; rep != nil {
		p := path.Root("report")
		if rep.Path.IsNull() && rep.Bucket.IsNull() {
			resp.Diagnostics.AddAttributeError(p, "Report has no destination", "Set report.path (local file), report.bucket and report.object (OSS), or both.")
		}
		if rep.Bucket.IsNull() != rep.Object.IsNull() {
			resp.Diagnostics.AddAttributeError(p, "Report bucket and object go together", "Set both report.bucket and report.object to upload the report to OSS, or neither.")
		}
		validateMetrics(ctx, rep, m.Name, &resp.Diagnostics)
	}
	if bootMax > 0 && !m.Timeouts.IsNull() && !m.Timeouts.IsUnknown() {
		if to, d := m.Timeouts.Create(ctx, defaultVerificationCreateTimeout); !d.HasError() && bootMax >= to {
			resp.Diagnostics.AddAttributeError(path.Root("timeouts").AtName("create"), "Create timeout shorter than the boot test",
				fmt.Sprintf("The boot test can take %s (duration plus one command_timeout) but timeouts.create is %s: raise timeouts.create or shorten boot_test.duration.", bootMax, to))
		}
	} else if bootMax >= defaultVerificationCreateTimeout {
		resp.Diagnostics.AddAttributeError(path.Root("boot_test").AtName("duration"), "Boot test longer than the default create timeout",
			fmt.Sprintf("The boot test can take %s but the default create timeout is %s: set timeouts = { create = \"...\" } longer, or shorten boot_test.duration.", bootMax, defaultVerificationCreateTimeout))
	}
}

// specFrom builds the run's spec and report destination from the plan.
func (r *verificationRunResource) specFrom(ctx context.Context, m *verificationRunModel) (verify.Spec, *verify.ReportSpec, string, error) {
	region := r.client.RegionOr(m.Region.ValueString())
	spec := verify.Spec{Name: m.Name.ValueString(), Region: region}
	spec.RunID = verify.NewRunID(time.Now())
	if c := m.Checksum; c != nil {
		cs := &verify.ChecksumSpec{
			Region: c.Region.ValueString(), Bucket: c.Bucket.ValueString(), Object: c.Object.ValueString(),
			Manifest: c.Manifest.ValueString(), ExpectedMD5: c.ExpectedMD5.ValueString(), ExpectedSHA256: c.ExpectedSHA256.ValueString(),
			ExpectedCRC64: c.ExpectedCRC64.ValueString(), Mode: c.Mode.ValueString(), SamplePercent: c.SamplePercent.ValueFloat64(),
		}
		if cs.Region == "" {
			cs.Region = region
		}
		if cs.Mode == "" {
			cs.Mode = defaultChecksumMode
		}
		if c.SamplePercent.IsNull() {
			cs.SamplePercent = defaultSamplePercent
		}
		spec.Checksum = cs
	}
	if b := m.BootTest; b != nil {
		bs := &verify.BootSpec{
			InstanceID: b.InstanceID.ValueString(), Command: b.Command.ValueString(), CommandType: b.CommandType.ValueString(),
			Interval: defaultInterval, CommandTimeout: defaultCommandTimeout, ExpectExitCode: int(b.ExpectExitCode.ValueInt64()),
		}
		if bs.CommandType == "" {
			bs.CommandType = defaultCommandType
		}
		var err error
		for _, f := range []struct {
			v    types.String
			into *time.Duration
			name string
		}{{b.Duration, &bs.Duration, "duration"}, {b.Interval, &bs.Interval, "interval"}, {b.CommandTimeout, &bs.CommandTimeout, "command_timeout"}} {
			if d, ok, perr := parseDur(f.v); perr != nil {
				err = fmt.Errorf("boot_test.%s: %w", f.name, perr)
			} else if ok {
				*f.into = d
			}
		}
		if err != nil {
			return spec, nil, "", err
		}
		spec.BootTest = bs
	}
	if d, ok, err := parseDur(m.RestoreDuration); err != nil {
		return spec, nil, "", fmt.Errorf("restore_duration: %w", err)
	} else if ok {
		spec.RestoreDuration, spec.HasRestore = d, true
	}
	if d, _, err := parseDur(m.RTOTarget); err != nil {
		return spec, nil, "", fmt.Errorf("rto_target: %w", err)
	} else {
		spec.RTOTarget = d
	}
	if !m.VerifiedPoints.IsNull() {
		if d := m.VerifiedPoints.ElementsAs(ctx, &spec.VerifiedPoints, false); d.HasError() {
			return spec, nil, "", fmt.Errorf("verified_points: %v", d)
		}
	}
	onFailure := m.OnFailure.ValueString()
	if onFailure == "" {
		onFailure = onFailureFail
	}
	var rep *verify.ReportSpec
	if m.Report != nil {
		rep = &verify.ReportSpec{Format: m.Report.Format.ValueString(), Path: m.Report.Path.ValueString(),
			Region: region, Bucket: m.Report.Bucket.ValueString(), Object: m.Report.Object.ValueString()}
		if rep.Format == "" {
			rep.Format = verify.FormatJSON
		}
		ms, err := metricsSpecFrom(ctx, m.Report, m.Name.ValueString(), region)
		if err != nil {
			return spec, nil, "", err
		}
		rep.Metrics = ms
	}
	return spec, rep, onFailure, nil
}

func strOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// fillVerificationResult copies a finished run into the model.
func fillVerificationResult(ctx context.Context, m *verificationRunModel, res *verify.Result) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(res.RunID)
	m.Status = types.StringValue(res.Status)
	m.StartedAt = types.StringValue(res.StartedAt.UTC().Format(time.RFC3339))
	m.FinishedAt = types.StringValue(res.FinishedAt.UTC().Format(time.RFC3339))
	checks := make([]attr.Value, 0, len(res.Checks))
	for _, c := range res.Checks {
		o, d := types.ObjectValue(checkAttrTypes, map[string]attr.Value{
			"name": types.StringValue(c.Name), "status": types.StringValue(c.Status), "detail": types.StringValue(c.Detail),
		})
		diags.Append(d...)
		checks = append(checks, o)
	}
	var d diag.Diagnostics
	m.Checks, d = types.ListValue(types.ObjectType{AttrTypes: checkAttrTypes}, checks)
	diags.Append(d...)

	m.MD5, m.SHA256, m.CRC64, m.BytesVerified = types.StringNull(), types.StringNull(), types.StringNull(), types.Int64Null()
	if s := res.Checksum; s != nil {
		m.MD5, m.SHA256, m.CRC64 = strOrNull(s.MD5), strOrNull(s.SHA256), strOrNull(s.CRC64)
		if s.BytesVerified >= 0 {
			m.BytesVerified = types.Int64Value(s.BytesVerified)
		}
	}
	m.MeasuredRTO = types.StringNull()
	if res.MeasuredRTO != nil {
		m.MeasuredRTO = types.StringValue(verify.FormatDuration(*res.MeasuredRTO))
	}
	m.BootTestResult = types.ObjectNull(bootResultAttrTypes)
	if b := res.Boot; b != nil {
		tth := types.StringNull()
		if b.Healthy {
			tth = types.StringValue(verify.FormatDuration(b.TimeToHealthy))
		}
		m.BootTestResult, d = types.ObjectValue(bootResultAttrTypes, map[string]attr.Value{
			"attempts": types.Int64Value(int64(len(b.Attempts))), "passes": types.Int64Value(int64(b.Passes)),
			"failures": types.Int64Value(int64(b.Failures)), "healthy": types.BoolValue(b.Healthy),
			"time_to_healthy": tth, "first_failure": strOrNull(b.FirstFailure), "output_tail": strOrNull(b.OutputTail),
		})
		diags.Append(d...)
	}
	m.TaggedPoints, d = types.ListValueFrom(ctx, types.StringType, append([]string{}, res.Tagged...))
	diags.Append(d...)
	return diags
}
