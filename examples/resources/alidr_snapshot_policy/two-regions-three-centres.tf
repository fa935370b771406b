# Two regions, three centres: production in two zones (two centres) of
# cn-beijing, every snapshot copied to the remote centre in cn-guangzhou; a
# snapshot every 4 hours meets the 4h RPO target. An automatic snapshot
# policy copies to a single destination region.
provider "alidr" {
  region = "cn-beijing"
}

data "alidr_disks" "prod" {
  tags = { env = "prod" }
}

resource "alidr_snapshot_policy" "prod" {
  name = "prod-3dc"
  schedule = {
    hours    = [0, 4, 8, 12, 16, 20]
    weekdays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]
  }
  retention = {
    daily_days     = 14
    monthly_months = 12
    yearly_years   = 7
  }
  cross_region_copy = {
    regions        = ["cn-guangzhou"]
    retention_days = 14
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
