# Two regions, three centres: production in two zones (two centres) of
# cn-beijing, every snapshot copied to cn-shanghai (kept 14 days) and to the
# remote centre in cn-guangzhou (kept 30 days); a snapshot every 4 hours
# meets the 4h RPO target.
provider "alidr" {
  region = "cn-beijing"
}

data "alidr_disks" "prod" {
  tags = { env = "prod" }
}

resource "alidr_snapshot_policy" "prod" {
  name     = "prod-3dc"
  schedule = { cron = "0 0 */4 ? * *" } # 00:00, 04:00 ... 20:00 every day (UTC+8)
  retention = {
    daily_days     = 14
    monthly_months = 12
    yearly_years   = 7
  }
  cross_region_copy = {
    regions               = ["cn-shanghai", "cn-guangzhou"]
    retention_days        = 14
    region_retention_days = { "cn-guangzhou" = 30 }
  }
  disk_ids   = data.alidr_disks.prod.ids
  rpo_target = "4h"
}

# The newest copy in the remote centre, to restore from when cn-beijing is lost.
data "alidr_recovery_points" "guangzhou" {
  disk_id = data.alidr_disks.prod.ids[0]
  regions = ["cn-guangzhou"]
  max_age = "8h"
}
