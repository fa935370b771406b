# An enterprise snapshot policy in the provider's region
terraform import alidr_snapshot_policy.core esp-2ze0123456789abcdef

# An automatic snapshot policy in another region
terraform import alidr_snapshot_policy.core cn-shanghai:sp-uf60123456789abcdef
