# Restore the core database server from the newest verified snapshot of its
# system disk taken before the incident, with its data disk, and check the
# restore against a 15-minute RTO. only_verified needs the provider's
# attestation { public_keys } (see the provider example).
resource "alidr_restored_instance" "core" {
  region = "cn-shanghai"
  source = {
    recovery_point = {
      disk_id       = "d-uf6coredbsys00000000"
      before        = "2026-11-20T08:00:00Z"
      only_verified = true
    }
    # or: image_id = "m-uf6...", or snapshot_id = "s-uf6..."
  }
  instance_type      = "ecs.g7.xlarge"
  instance_name      = "core-db-restored"
  system_disk        = { category = "cloud_essd", size = 80 }
  data_disks         = [{ snapshot_id = "s-uf6coredbdata0000000", category = "cloud_essd" }]
  vswitch_id         = "vsw-uf6seedvswe000000000"
  security_group_ids = ["sg-uf6seedsg00000000000"]
  private_ips        = 2
  rto_target         = "15m"
  on_rto_miss        = "warn" # or "fail"

  tags = { app = "core", restored = "incident-2026-11-20" }

  timeouts = {
    create = "45m"
  }
}

output "restored" {
  value = {
    id               = alidr_restored_instance.core.id
    private_ip       = alidr_restored_instance.core.private_ip
    restored_from    = alidr_restored_instance.core.restored_from
    restore_duration = alidr_restored_instance.core.restore_duration
    rto_met          = alidr_restored_instance.core.rto_met
  }
}
