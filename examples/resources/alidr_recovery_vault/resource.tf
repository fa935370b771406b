# The vault lives in a separate backup account: the keys of the production
# account (the ones ransomware would steal) cannot reach it.
provider "alidr" {
  alias  = "vault"
  region = "cn-shanghai"

  assume_role {
    role_arn = "acs:ram::123456789012:role/dr-vault-writer"
  }
}

resource "alidr_recovery_vault" "proofs" {
  provider = alidr.vault

  bucket         = "acme-dr-vault-proofs"
  retention_days = 400 # covers a yearly audit plus the time to notice an attack

  # Irreversible: once applied, no object written here can be deleted or
  # overwritten for 400 days, the policy can only be extended, and the bucket
  # cannot be destroyed while it holds retained objects. Apply with
  # lock = false first, check the plan, then set it to true within 24 hours
  # (an unlocked policy lapses after 24 hours).
  lock = true
}
