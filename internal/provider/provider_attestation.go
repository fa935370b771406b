package provider

import (
	"context"
	"errors"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/alidr/terraform-provider-alidr/internal/attest"
	"github.com/alidr/terraform-provider-alidr/internal/cloud"
)

// envAttestationSigningKey holds the signing key when the provider block
// does not (a CI secret, so it never sits in a configuration file).
const envAttestationSigningKey = "ALIDR_ATTESTATION_SIGNING_KEY"

type attestationModel struct {
	Bucket     types.String `tfsdk:"bucket"`
	Region     types.String `tfsdk:"region"`
	SigningKey types.String `tfsdk:"signing_key"`
	PublicKeys types.List   `tfsdk:"public_keys"`
}

func attestationBlock() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "Signed verification. **Threat:** anyone holding the account's keys can write the " +
			"`alidr:verified-at` tag on a point that was never verified (or on a point they tampered with) and make " +
			"`only_verified` restore it. With this block every `alidr_verification_run` writes an attestation signed with " +
			"`signing_key` to `bucket`, and `only_verified` trusts a point only when an attestation signed by one of " +
			"`public_keys` vouches for it; tags only say where to look. **Cost:** keep the private key outside the cloud " +
			"account (a CI secret); losing it means no new point can be verified until a new key is configured, and " +
			"without `public_keys` no point counts as verified.",
		Attributes: map[string]schema.Attribute{
			"bucket": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The vault bucket holding attestations (an `alidr_recovery_vault` with `lock = true`), under " +
					"`" + attest.ObjectPrefix + "<run id>.json`.",
				Validators: []validator.String{bucketNameValidator()},
			},
			"region": schema.StringAttribute{
				Optional: true, MarkdownDescription: "Region of `bucket`. Default: the provider's region.",
			},
			"signing_key": schema.StringAttribute{
				Optional: true, Sensitive: true,
				MarkdownDescription: "Ed25519 private key that signs attestations: PEM (PKCS #8, `openssl genpkey -algorithm ed25519`) " +
					"or the base64 of a 32-byte seed. Environment: `" + envAttestationSigningKey + "`. Never stored in state or logs. " +
					"Needed only where verification runs are applied.",
			},
			"public_keys": schema.ListAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Ed25519 public keys (PEM PKIX or base64 of 32 bytes) whose attestations are trusted by " +
					"`only_verified`. List the old and the new key while rotating.",
			},
		},
	}
}

// attestationConfig turns the block and the environment into the client's
// setup. Key errors never quote the key.
func attestationConfig(ctx context.Context, m *attestationModel, region string, diags *diag.Diagnostics) cloud.Attestation {
	var a cloud.Attestation
	signing := os.Getenv(envAttestationSigningKey)
	at := path.Root("attestation")
	if m != nil {
		a.Bucket, a.Region = m.Bucket.ValueString(), m.Region.ValueString()
		if !m.SigningKey.IsNull() {
			signing = m.SigningKey.ValueString()
		}
		var keys []string
		if isKnown(m.PublicKeys) {
			diags.Append(m.PublicKeys.ElementsAs(ctx, &keys, false)...)
		}
		for i, k := range keys {
			pub, err := attest.ParsePublicKey(k)
			if err != nil {
				diags.AddAttributeError(at.AtName("public_keys").AtListIndex(i), "Invalid attestation public key", err.Error()+".")
				continue
			}
			a.Trusted = append(a.Trusted, pub)
		}
	}
	if signing != "" {
		key, err := attest.ParsePrivateKey(signing)
		if err != nil {
			diags.AddAttributeError(at.AtName("signing_key"), "Invalid attestation signing key",
				err.Error()+" (from attestation.signing_key or "+envAttestationSigningKey+").")
		}
		a.Signer = key
	}
	if a.Bucket == "" && (a.Signer != nil || len(a.Trusted) > 0) {
		diags.AddAttributeError(at.AtName("bucket"), "Attestation bucket missing",
			"A signing key or public keys are set but attestation.bucket is not: set it to the vault bucket that keeps the attestations.")
	}
	if a.Region == "" {
		a.Region = region
	}
	return a
}

// errNoTrust is why only_verified cannot be answered without trusted keys.
var errNoTrust = errors.New("only_verified trusts a point only when a signed attestation vouches for it, and the provider has no " +
	"trusted keys: set attestation { bucket = <vault>, public_keys = [...] } in the provider block (the alidr:verified-at tag is " +
	"a hint, never proof), or set only_verified = false")

// checkTrust refuses only_verified when no key is trusted.
func checkTrust(c *cloud.Client, onlyVerified bool) error {
	if onlyVerified && c != nil && (len(c.Attestation.Trusted) == 0 || c.Attestation.Bucket == "") {
		return errNoTrust
	}
	return nil
}
