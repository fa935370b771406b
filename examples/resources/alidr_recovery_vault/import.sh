# By bucket name, in the provider's region:
terraform import alidr_recovery_vault.proofs acme-dr-vault-proofs

# In another region:
terraform import alidr_recovery_vault.proofs cn-shanghai:acme-dr-vault-proofs
