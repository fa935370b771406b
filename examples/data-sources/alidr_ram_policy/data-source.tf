# The narrowest policy for the key of a backup pipeline: automatic snapshot
# policies in the primary region and the region snapshots are copied to,
# nothing else. A deny-delete guard keeps the key from destroying recovery
# points even if a broader policy is attached later.
data "alidr_ram_policy" "backup" {
  duties      = ["backup"]
  regions     = ["cn-beijing", "cn-shanghai"]
  account_id  = "1234567890123456"
  deny_delete = true
}

# The restore key of the DR site: restores and the recovery points they
# start from, in the recovery region only.
data "alidr_ram_policy" "restore" {
  duties  = ["restore"]
  regions = ["cn-shanghai"]
}

output "backup_policy_document" {
  value = data.alidr_ram_policy.backup.document # give to alicloud_ram_policy or the RAM console
}

output "restore_actions" {
  value = data.alidr_ram_policy.restore.actions
}
