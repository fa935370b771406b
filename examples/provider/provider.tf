provider "alidr" {
  region = "cn-beijing"
  # Credentials come from ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET,
  # a CLI profile, or access_key / secret_key here.

  # Signed verification: verification runs sign attestations into a locked
  # alidr_recovery_vault with a key the pipeline holds outside the account
  # (ALIDR_ATTESTATION_SIGNING_KEY), and only_verified trusts only these keys.
  attestation {
    bucket      = "acme-dr-vault-proofs"
    public_keys = [file("${path.module}/attestation-ed25519.pub.pem")]
  }
}
