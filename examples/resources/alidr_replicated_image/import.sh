# Import by the source image id (in the provider's region); the copies are
# found in every region by their alidr:owner tag.
terraform import alidr_replicated_image.golden m-2zeexampleimage0000

# Or with the source image's region first.
terraform import alidr_replicated_image.golden cn-beijing:m-2zeexampleimage0000

# When several resources replicate one image, each owns its copies under the
# owner id m-...-N (their alidr:owner tag): import the N-th one with it.
terraform import alidr_replicated_image.second m-2zeexampleimage0000-1
