variable "kms_key_id" {
  type        = string
  description = "KMS key for the cross-region copies."
}

data "alidr_disks" "core" {
  tags = { app = "core" }
}

# "7+3+1": daily snapshots kept 7 days, the first of each month kept 3 months
# in the archive tier, the first of each year kept 1 year.
resource "alidr_snapshot_policy" "core" {
  name     = "core-banking"
  schedule = { hours = [2, 14], weekdays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] }
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
  disk_ids   = data.alidr_disks.core.ids
  rpo_target = "12h"
  avoid      = ["MON 08:00-12:00"] # business peak: a plan-time warning if a time point falls inside
  tags       = { team = "core" }
}

output "core_effective_rpo" {
  value = alidr_snapshot_policy.core.effective_rpo # "12h"
}
