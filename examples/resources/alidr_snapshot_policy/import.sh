# By policy id, in the provider's region:
terraform import alidr_snapshot_policy.core sp-2ze0123456789abcdef

# In another region:
terraform import alidr_snapshot_policy.core cn-shanghai:sp-uf60123456789abcdef
