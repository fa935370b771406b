variable "kms_key_id" {
  type        = string
  description = "KMS key for the cross-region copies."
}

# The ECS automatic snapshot policy: one copy region, encrypted with a KMS key
# (the enterprise policy's copies have no encryption setting). Its monthly and
# yearly tiers are enforced by this resource on every apply.
resource "alidr_snapshot_policy" "legacy" {
  engine   = "automatic"
  name     = "legacy-app"
  schedule = { hours = [2], weekdays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] }
  retention = {
    daily_days     = 7
    monthly_months = 3
    yearly_years   = 1
  }
  cross_region_copy = {
    regions        = ["cn-shanghai"] # one destination region per automatic policy
    retention_days = 7
    encrypted      = true
    kms_key_id     = var.kms_key_id
  }
  disk_ids = ["d-2ze0123456789abcdef"]
}
