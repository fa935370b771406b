data "alidr_disks" "core" {
  tags = { app = "core" }
}

# "7+3+1": daily snapshots kept 7 days, the first of each week 4 weeks, the
# first of each month 3 months (moved to the archive tier on apply), the first
# of each year 1 year. An enterprise snapshot policy keeps every tier by
# itself, between applies.
resource "alidr_snapshot_policy" "core" {
  name     = "core-banking"
  schedule = { hours = [2, 14], weekdays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] }
  retention = {
    daily_days     = 7
    weekly_weeks   = 4
    monthly_months = 3
    yearly_years   = 1
  }
  cross_region_copy = {
    regions               = ["cn-shanghai", "cn-guangzhou"]
    retention_days        = 7
    region_retention_days = { "cn-guangzhou" = 30 } # the remote centre keeps a month
  }
  disk_ids         = data.alidr_disks.core.ids
  rpo_target       = "12h"
  max_observed_rpo = "26h"               # a nightly plan fails when snapshots stop keeping up
  avoid            = ["MON 08:00-12:00"] # business peak: a plan-time warning if a time point falls inside
  tags             = { team = "core" }
}

output "core_effective_rpo" {
  value = alidr_snapshot_policy.core.effective_rpo # "12h"
}

output "core_observed_rpo" {
  value = alidr_snapshot_policy.core.observed_rpo # { disks = { "d-..." = "12h" }, copy_regions = { ... } }
}
