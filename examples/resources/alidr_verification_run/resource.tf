# A nightly drill: check the exported golden image against its manifest,
# boot-test the restored instance for 30 minutes, compare the measured RTO
# with the target, tag the image as verified and leave a JUnit report for
# the pipeline.
resource "alidr_verification_run" "nightly" {
  name = "nightly"

  checksum = {
    bucket   = "dr-images"
    object   = alidr_replicated_image.golden.export.object
    manifest = alidr_replicated_image.golden.export.manifest_object
    mode     = "full" # or "metadata" (OSS CRC64, no download) or "sample"
  }

  boot_test = {
    instance_id      = alidr_restored_instance.core.id
    command          = "systemctl is-system-running && curl -fsS localhost:8080/health"
    duration         = "30m"
    interval         = "1m"
    expect_exit_code = 0
  }

  restore_duration = alidr_restored_instance.core.restore_duration
  rto_target       = "15m"
  verified_points  = [alidr_replicated_image.golden.id]

  on_failure = "fail" # or "record"
  report = {
    path   = "dr-report.xml"
    format = "junit"
    # Prometheus metrics beside the JUnit report, for node_exporter's
    # textfile collector, and pushed to a Pushgateway.
    metrics = {
      path                      = "/var/lib/node_exporter/textfile/alidr_core.prom"
      pushgateway_url           = "https://pushgateway.example.com:9091"
      site                      = "core"
      rpo_target                = "12h"
      effective_rpo             = alidr_snapshot_policy.core.effective_rpo
      recovery_point_created_at = alidr_restored_instance.core.restored_from_time
    }
  }
  triggers = { nightly = timestamp() }
}

# A cheap check between drills: compare the CRC64 OSS keeps for the object
# with the manifest's, without downloading anything, and record the result.
resource "alidr_verification_run" "metadata" {
  checksum = {
    bucket   = "dr-images"
    object   = alidr_replicated_image.golden.export.object
    manifest = alidr_replicated_image.golden.export.manifest_object
    mode     = "metadata"
  }
  on_failure = "record"
  report     = { bucket = "dr-reports", object = "verification/metadata.json" }
}

output "drill_status" {
  value = alidr_verification_run.nightly.status
}

output "drill_failures" {
  value = [for c in alidr_verification_run.nightly.checks : "${c.name}: ${c.detail}" if c.status == "failed"]
}
