# Import by the source image id (in the provider's region); the copies are
# found in every region by their alidr:owner tag.
terraform import alidr_replicated_image.golden m-2zeexampleimage0000

# Or with the source image's region first.
terraform import alidr_replicated_image.golden cn-beijing:m-2zeexampleimage0000
