# All disks of the core application, to attach to a snapshot policy.
data "alidr_disks" "core" {
  tags = { app = "core" }
}

# Only the data disk of one instance.
data "alidr_disks" "db_data" {
  instance_id = "i-2zecoredb00000000000"
  disk_type   = "data"
}
