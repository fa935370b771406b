package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"

	"github.com/alidr/terraform-provider-alidr/internal/verify"
)

var pathReportPath = path.Root("report").AtName("path")

func replaceFloat() []planmodifier.Float64 {
	return []planmodifier.Float64{float64planmodifier.RequiresReplace()}
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
		if isKnown(c.Mode) {
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
