package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/alidr/terraform-provider-alidr/internal/verify"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

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
		m.MD5, m.SHA256, m.CRC64 = stringOrNull(s.MD5), stringOrNull(s.SHA256), stringOrNull(s.CRC64)
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
			"time_to_healthy": tth, "first_failure": stringOrNull(b.FirstFailure), "output_tail": stringOrNull(b.OutputTail),
		})
		diags.Append(d...)
	}
	m.TaggedPoints, d = types.ListValueFrom(ctx, types.StringType, append([]string{}, res.Tagged...))
	diags.Append(d...)
	return diags
}

type verificationRunModel struct {
	ID              types.String       `tfsdk:"id"`
	Name            types.String       `tfsdk:"name"`
	Region          types.String       `tfsdk:"region"`
	Checksum        *checksumSpecModel `tfsdk:"checksum"`
	BootTest        *bootTestSpecModel `tfsdk:"boot_test"`
	RestoreDuration types.String       `tfsdk:"restore_duration"`
	RTOTarget       types.String       `tfsdk:"rto_target"`
	VerifiedPoints  types.List         `tfsdk:"verified_points"`
	OnFailure       types.String       `tfsdk:"on_failure"`
	Report          *reportSpecModel   `tfsdk:"report"`
	Triggers        types.Map          `tfsdk:"triggers"`
	Timeouts        timeouts.Value     `tfsdk:"timeouts"`
	Status          types.String       `tfsdk:"status"`
	Checks          types.List         `tfsdk:"checks"`
	MD5             types.String       `tfsdk:"md5"`
	SHA256          types.String       `tfsdk:"sha256"`
	CRC64           types.String       `tfsdk:"crc64"`
	BytesVerified   types.Int64        `tfsdk:"bytes_verified"`
	MeasuredRTO     types.String       `tfsdk:"measured_rto"`
	StartedAt       types.String       `tfsdk:"started_at"`
	FinishedAt      types.String       `tfsdk:"finished_at"`
	BootTestResult  types.Object       `tfsdk:"boot_test_result"`
	TaggedPoints    types.List         `tfsdk:"tagged_points"`
	// AttestationObject: resource_verification_run_attest.go.
	AttestationObject types.String `tfsdk:"attestation_object"`
}
type checksumSpecModel struct {
	Bucket         types.String  `tfsdk:"bucket"`
	Object         types.String  `tfsdk:"object"`
	Region         types.String  `tfsdk:"region"`
	Manifest       types.String  `tfsdk:"manifest"`
	ExpectedMD5    types.String  `tfsdk:"expected_md5"`
	ExpectedSHA256 types.String  `tfsdk:"expected_sha256"`
	ExpectedCRC64  types.String  `tfsdk:"expected_crc64"`
	Mode           types.String  `tfsdk:"mode"`
	SamplePercent  types.Float64 `tfsdk:"sample_percent"`
}
type bootTestSpecModel struct {
	InstanceID     types.String `tfsdk:"instance_id"`
	Command        types.String `tfsdk:"command"`
	CommandType    types.String `tfsdk:"command_type"`
	Duration       types.String `tfsdk:"duration"`
	Interval       types.String `tfsdk:"interval"`
	CommandTimeout types.String `tfsdk:"command_timeout"`
	ExpectExitCode types.Int64  `tfsdk:"expect_exit_code"`
}
type reportSpecModel struct {
	Path   types.String `tfsdk:"path"`
	Format types.String `tfsdk:"format"`
	Bucket types.String `tfsdk:"bucket"`
	Object types.String `tfsdk:"object"`
	// Metrics is an object value, not a pointer: a module may build it
	// in a conditional that is unknown while validating.
	Metrics types.Object `tfsdk:"metrics"`
}

var checkAttrTypes = map[string]attr.Type{
	"name": types.StringType, "status": types.StringType, "detail": types.StringType,
}
var bootResultAttrTypes = map[string]attr.Type{
	"attempts":        types.Int64Type,
	"passes":          types.Int64Type,
	"failures":        types.Int64Type,
	"healthy":         types.BoolType,
	"time_to_healthy": types.StringType,
	"first_failure":   types.StringType,
	"output_tail":     types.StringType,
}
