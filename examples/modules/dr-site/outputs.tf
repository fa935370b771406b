locals {
  # A failed checksum check computes no digest: these are null then, and a
  # null cannot be interpolated into the report.
  verified_size = alidr_verification_run.drill.bytes_verified == null ? "" : "${alidr_verification_run.drill.bytes_verified} bytes of "
  digests = {
    for k, v in {
      sha256 = alidr_verification_run.drill.sha256
      md5    = alidr_verification_run.drill.md5
      crc64  = alidr_verification_run.drill.crc64
    } : k => v == null ? "not computed" : tostring(v)
  }
  check_lines = join("\n", [for c in alidr_verification_run.drill.checks : format("  %-19s %s: %s", c.name, c.status, c.detail)])
}

output "snapshot_policy_id" {
  description = "The automatic snapshot policy protecting the disks."
  value       = alidr_snapshot_policy.this.id
}

output "effective_rpo" {
  description = "The longest gap between scheduled snapshots."
  value       = alidr_snapshot_policy.this.effective_rpo
}

output "golden_images" {
  description = "Golden image id per region (the source region included)."
  value = merge(
    { (alidr_replicated_image.golden.region) = alidr_replicated_image.golden.id },
    { for r, t in alidr_replicated_image.golden.targets : r => t.image_id },
  )
}

output "restored_instance_id" {
  description = "The instance restored in the first DR region."
  value       = alidr_restored_instance.this.id
}

output "drill" {
  description = "The drill's results as values, for pipelines."
  value = {
    status           = alidr_verification_run.drill.status
    recovery_point   = alidr_restored_instance.this.restored_from
    restored_in      = alidr_restored_instance.this.region
    export_object    = "oss://${var.export_bucket}/${alidr_replicated_image.golden.export.object}"
    md5              = alidr_verification_run.drill.md5
    sha256           = alidr_verification_run.drill.sha256
    crc64            = alidr_verification_run.drill.crc64
    bytes_verified   = alidr_verification_run.drill.bytes_verified
    checks           = { for c in alidr_verification_run.drill.checks : c.name => c.status }
    restore_duration = alidr_restored_instance.this.restore_duration
    rto_target       = var.rto_target
    rto_met          = alidr_restored_instance.this.rto_met
    report           = var.report_path
    metrics          = var.metrics_path
  }
}

output "drill_report" {
  description = "A short report a person reads in seconds."
  value       = <<-EOT
    DR drill "${var.name}": ${upper(alidr_verification_run.drill.status)}
      recovery point      ${alidr_restored_instance.this.restored_from} (golden image in ${alidr_restored_instance.this.region})
      snapshots           policy ${alidr_snapshot_policy.this.id}, effective RPO ${alidr_snapshot_policy.this.effective_rpo} (target ${var.rpo_target}), copies to ${join(", ", var.dr_regions)}
      exported image      ${local.verified_size}oss://${var.export_bucket}/${alidr_replicated_image.golden.export.object}
                          sha256 ${local.digests.sha256}
                          md5 ${local.digests.md5}, crc64 ${local.digests.crc64}
    ${local.check_lines}
      report              ${var.report_path}
  EOT
}
