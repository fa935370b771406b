package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/alidr/terraform-provider-alidr/internal/attest"
	"github.com/alidr/terraform-provider-alidr/internal/verify"
)

var _ resource.ResourceWithModifyPlan = &verificationRunResource{}

// ModifyPlan needs the provider: a run must be able to sign its attestation
// when the provider keeps them, and proofs should go to a locked vault.
func (r *verificationRunResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return
	}
	var m verificationRunModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	a := r.client.Attestation
	if a.Bucket != "" && a.Signer == nil && req.State.Raw.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("attestation_object"), "No attestation signing key",
			"The provider keeps attestations in bucket "+a.Bucket+" but has no signing key, so this run could not sign its "+
				"attestation: set attestation.signing_key in the provider block or the "+envAttestationSigningKey+" environment variable.")
		return
	}
	if !req.State.Raw.IsNull() {
		return
	}
	warnUnlockedVault(ctx, r.client, a.Region, a.Bucket, path.Root("attestation_object"), "Attestations", &resp.Diagnostics)
	if m.Report != nil && isKnown(m.Report.Bucket) {
		warnUnlockedVault(ctx, r.client, m.Region.ValueString(), m.Report.Bucket.ValueString(), path.Root("report").AtName("bucket"), "Verification reports", &resp.Diagnostics)
	}
}

// attestationStatement is what a finished run signs.
func attestationStatement(res *verify.Result) (attest.Statement, error) {
	report, err := verify.RenderJSON(res)
	if err != nil {
		return attest.Statement{}, err
	}
	s := attest.Statement{
		RunID: res.RunID, Status: res.Status, Points: res.VerifiedPoints,
		StartedAt: res.StartedAt.UTC().Format(time.RFC3339), FinishedAt: res.FinishedAt.UTC().Format(time.RFC3339),
		ReportDigest: attest.ReportDigest(report),
	}
	if c := res.Checksum; c != nil {
		s.Checksums = []attest.Checksum{{Object: "oss://" + c.Bucket + "/" + c.Object, CRC64: c.CRC64, MD5: c.MD5, SHA256: c.SHA256}}
	}
	for _, c := range res.Checks {
		s.Checks = append(s.Checks, attest.Check{Name: c.Name, Status: c.Status, Detail: c.Detail})
	}
	return s, nil
}

// writeAttestation signs the run and stores it in the provider's vault;
// attestation_object says where (null when the provider keeps none).
func (r *verificationRunResource) writeAttestation(ctx context.Context, m *verificationRunModel, res *verify.Result, diags *diag.Diagnostics) {
	m.AttestationObject = types.StringNull()
	if r.client.Attestation.Bucket == "" {
		return
	}
	s, err := attestationStatement(res)
	if err == nil {
		var url string
		url, err = r.client.WriteAttestation(ctx, s)
		if err == nil {
			m.AttestationObject = types.StringValue(url)
			return
		}
	}
	diags.AddError("Failed to write the verification attestation",
		"Run "+res.RunID+" finished with status "+res.Status+", but its signed attestation could not be stored: "+err.Error()+
			". Without it no point of this run counts as verified. The run is saved as tainted; apply again to re-run it.")
}
