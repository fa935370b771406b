# Restore to 72 hours before an attack.
#
# Ransomware was detected at `attack_detected_at`, but it may have been in
# the system for up to three days before that. This restores the database
# server from the newest snapshot of its system disk taken more than 72 hours
# before detection, preferring points a verification run has proven, and
# checks the restore against the RTO. The data disk comes from its own
# snapshot of the same point in time, chosen by the same rule.
#
#   terraform apply -var attack_detected_at=2026-11-20T08:00:00Z
terraform {
  required_version = ">= 1.5"
  required_providers {
    alidr = { source = "alidr/alidr" }
  }
}

variable "region" {
  description = "Region to restore into (where the snapshots are)."
  type        = string
  default     = "cn-beijing"
}

variable "attack_detected_at" {
  description = "When the attack was detected, RFC 3339 (e.g. 2026-11-20T08:00:00Z)."
  type        = string
}

variable "dwell_time" {
  description = "How long the attacker may have been in before detection: only points older than this are trusted."
  type        = string
  default     = "72h"
}

variable "system_disk_id" {
  description = "System disk of the compromised server."
  type        = string
  default     = "d-2zecoredbsys00000000"
}

variable "data_disk_id" {
  description = "Data disk of the compromised server."
  type        = string
  default     = "d-2zecoredbdata0000000"
}

variable "vswitch_id" {
  description = "vSwitch of an isolated recovery network."
  type        = string
  default     = "vsw-2zeseedvswh000000000"
}

variable "security_group_ids" {
  description = "Security groups of the recovery network."
  type        = list(string)
  default     = ["sg-2zeseedsg00000000000"]
}

provider "alidr" {
  region = var.region
}

locals {
  # The trusted horizon: detection time minus the dwell time.
  restore_before = timeadd(var.attack_detected_at, "-${var.dwell_time}")
}

# Every candidate of the data disk before the horizon, newest first; fails
# at plan time (require_match) with what to change when there is none.
data "alidr_recovery_points" "data" {
  disk_id       = var.data_disk_id
  before        = local.restore_before
  kinds         = ["snapshot"]
  require_match = true
}

resource "alidr_restored_instance" "db" {
  source = {
    # Resolved once, at create time: later plans keep the point it chose.
    recovery_point = {
      disk_id = var.system_disk_id
      before  = local.restore_before
    }
  }
  instance_type      = "ecs.g7.xlarge"
  instance_name      = "core-db-clean-restore"
  system_disk        = { category = "cloud_essd", size = 80 }
  data_disks         = [{ snapshot_id = data.alidr_recovery_points.data.newest.id, category = "cloud_essd" }]
  vswitch_id         = var.vswitch_id
  security_group_ids = var.security_group_ids
  rto_target         = "30m"
  on_rto_miss        = "warn"

  tags = {
    incident = "attack-${var.attack_detected_at}"
  }

  lifecycle {
    # A new detection time must not silently re-restore a running recovery.
    ignore_changes = [source]
  }
}

output "restore" {
  value = {
    instance_id           = alidr_restored_instance.db.id
    private_ip            = alidr_restored_instance.db.private_ip
    trusted_before        = local.restore_before
    system_disk_point     = alidr_restored_instance.db.restored_from
    system_disk_point_age = alidr_restored_instance.db.restored_from_time
    data_disk_point       = data.alidr_recovery_points.data.newest.id
    restore_duration      = alidr_restored_instance.db.restore_duration
    rto_met               = alidr_restored_instance.db.rto_met
  }
}
