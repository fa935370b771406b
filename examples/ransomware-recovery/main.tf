# Ransomware recovery: a hospital's database server is protected by locked
# daily snapshots and a locked WORM vault for signed verification
# attestations. After an attacker holding the account's keys has deleted
# everything they could, the server is restored from the newest point taken
# more than 72 hours before the attack that is both locked and proven by a
# signed verification run, and the restore is verified again.
#
# `make demo-ransomware` (scripts/demo-ransomware.sh) plays the whole story
# against the local emulator: apply with `attack_at = ""` (protect, and a
# daily drill that restores and verifies the newest locked point), move the
# emulator's clock on, run the emulator's attacker, then apply with
# `attack_at` set (restore to the last clean point). Against Alibaba Cloud,
# drop the endpoints block and give your own disk, network and vault bucket.
terraform {
  required_version = ">= 1.5"
  required_providers {
    alidr = { source = "alidr/alidr" }
  }
}

variable "endpoint" {
  description = "Emulator URL (make demo-ransomware sets it)."
  type        = string
}

variable "attestation_public_key" {
  description = "PEM of the Ed25519 public key whose attestations are trusted. Its private key signs them (ALIDR_ATTESTATION_SIGNING_KEY) and is kept outside the cloud account."
  type        = string
}

variable "attack_at" {
  description = "When the attack happened, RFC 3339. Empty while there is no attack: the daily drill runs instead of the restore."
  type        = string
  default     = ""
}

variable "drill" {
  description = "Run the daily drill while there is no attack (false before the first point exists)."
  type        = bool
  default     = true
}

variable "dwell_time" {
  description = "How long the attacker may have been inside before the attack: only points older than this are trusted."
  type        = string
  default     = "72h"
}

locals {
  system_disk_id     = "d-2zecoredbsys00000000" # the emulator's seeded core-db server
  vswitch_id         = "vsw-2zeseedvswh000000000"
  security_group_ids = ["sg-2zeseedsg00000000000"]
  vault_bucket       = "hospital-dr-attestations"
  attacked           = var.attack_at != ""
  drill              = var.drill && !local.attacked
  boot_test = {
    command  = "systemctl is-system-running"
    duration = "4s"
    interval = "2s"
  }
}

provider "alidr" {
  region     = "cn-beijing"
  access_key = "alidr-emulator"
  secret_key = "alidr-emulator-secret"
  endpoints {
    ecs = var.endpoint
    oss = var.endpoint
    sts = var.endpoint
    ebs = var.endpoint
  }

  # Every verification run signs an attestation into the vault with the key
  # in ALIDR_ATTESTATION_SIGNING_KEY; only_verified trusts only this key.
  attestation {
    bucket      = local.vault_bucket
    public_keys = [var.attestation_public_key]
  }
}

# A snapshot every night at 02:00 (UTC+8), every point locked in compliance
# mode for its whole retention: nobody, the account's owner included, can
# delete it or shorten its retention before it ends.
resource "alidr_snapshot_policy" "db" {
  name     = "hospital-db"
  schedule = { hours = [2], weekdays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] }
  retention = {
    daily_days   = 14
    yearly_years = 1
  }
  lock = {
    tiers          = ["daily", "yearly"]
    cool_off_hours = 0 # no window in which stolen keys could still unlock a point
  }
  disk_ids   = [local.system_disk_id]
  rpo_target = "24h"
}

# Write-once storage for the attestations: objects cannot be deleted or
# overwritten for 30 days and the locked policy can only be extended.
resource "alidr_recovery_vault" "attestations" {
  bucket         = local.vault_bucket
  retention_days = 30
  lock           = true
}

# Before the attack, every day: restore the newest locked point into an
# isolated network, boot-test it and sign an attestation for the point.
# scripts/demo-ransomware.sh replaces both resources each day.
resource "alidr_restored_instance" "drill" {
  count = local.drill ? 1 : 0
  source = {
    recovery_point = { disk_id = local.system_disk_id, only_locked = true }
  }
  instance_type      = "ecs.g7.large"
  instance_name      = "hospital-db-drill"
  vswitch_id         = local.vswitch_id
  security_group_ids = local.security_group_ids
  rto_target         = "30m"
  on_rto_miss        = "warn"
  # The policy's apply locks the day's new point first: only_locked would
  # not see it otherwise.
  depends_on = [alidr_recovery_vault.attestations, alidr_snapshot_policy.db]
}

resource "alidr_verification_run" "drill" {
  count           = local.drill ? 1 : 0
  name            = "daily-drill"
  boot_test       = merge(local.boot_test, { instance_id = alidr_restored_instance.drill[0].id })
  verified_points = [alidr_restored_instance.drill[0].restored_from]
}

# After the attack: the last clean point. Locked (so the attacker could not
# have replaced it), proven by a signed attestation (a forged tag does not
# count), and older than the attack minus the dwell time.
resource "alidr_restored_instance" "clean" {
  count = local.attacked ? 1 : 0
  source = {
    recovery_point = {
      disk_id       = local.system_disk_id
      before        = var.attack_at
      dwell         = var.dwell_time
      only_locked   = true
      only_verified = true
    }
  }
  instance_type      = "ecs.g7.xlarge"
  instance_name      = "hospital-db-clean-restore"
  vswitch_id         = local.vswitch_id
  security_group_ids = local.security_group_ids
  rto_target         = "30m"
  on_rto_miss        = "warn"
  tags               = { incident = "ransomware-${var.attack_at}" }

  lifecycle {
    # Later plans must not move a running recovery to another point.
    ignore_changes = [source]
  }
}

resource "alidr_verification_run" "clean" {
  count            = local.attacked ? 1 : 0
  name             = "clean-restore"
  boot_test        = merge(local.boot_test, { instance_id = alidr_restored_instance.clean[0].id })
  restore_duration = alidr_restored_instance.clean[0].restore_duration
  rto_target       = "30m"
  verified_points  = [alidr_restored_instance.clean[0].restored_from]
}

# The same choice, with the reason each newer point was passed over.
data "alidr_recovery_points" "clean" {
  count         = local.attacked ? 1 : 0
  disk_id       = local.system_disk_id
  before        = var.attack_at
  dwell         = var.dwell_time
  only_locked   = true
  only_verified = true
  kinds         = ["snapshot"]
}

# Every point of the disk that exists now: after the attack, what survived.
data "alidr_recovery_points" "all" {
  disk_id       = local.system_disk_id
  kinds         = ["snapshot"]
  require_match = false
  depends_on    = [alidr_snapshot_policy.db]
}

output "points" {
  description = "Every snapshot of the database disk, with whether a signed attestation vouches for it."
  value       = [for p in data.alidr_recovery_points.all.points : "${p.id} ${p.created_at} verified=${p.verified}"]
}

output "restore" {
  description = "The last clean point, why newer points were passed over, and the restore's verification."
  value = local.attacked ? {
    restored_from      = alidr_restored_instance.clean[0].restored_from
    restored_from_time = alidr_restored_instance.clean[0].restored_from_time
    instance_id        = alidr_restored_instance.clean[0].id
    passed_over        = data.alidr_recovery_points.clean[0].passed_over
    verification       = alidr_verification_run.clean[0].status
    attestation        = alidr_verification_run.clean[0].attestation_object
  } : null
}

output "drill" {
  description = "Today's drill: the point it proved and its verdict."
  value = local.drill ? {
    point        = alidr_restored_instance.drill[0].restored_from
    verification = alidr_verification_run.drill[0].status
  } : null
}
