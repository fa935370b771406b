# An instance in the provider's region, by id:
terraform import alidr_restored_instance.core i-uf6f5tl9sv0jbwhm1wbc

# An instance in another region: region:id
terraform import alidr_restored_instance.core cn-shanghai:i-uf6f5tl9sv0jbwhm1wbc
