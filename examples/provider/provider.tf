provider "alidr" {
  region = "cn-beijing"
  # Credentials come from ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET,
  # a CLI profile, or access_key / secret_key here.
}
