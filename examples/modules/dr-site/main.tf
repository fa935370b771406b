# A "two regions, three centres" disaster recovery site: the primary region
# is the provider's; every DR region receives the snapshot copies (an EBS
# enterprise snapshot policy copies to several regions) and the replicated
# golden image, the first one also a restored instance that a verification
# run boot-tests; the exported image is checked against its manifest.

resource "alidr_snapshot_policy" "this" {
  name       = "${var.name}-snapshots"
  schedule   = var.schedule
  retention  = var.retention
  disk_ids   = var.protected_disk_ids
  rpo_target = var.rpo_target
  cross_region_copy = {
    regions        = var.dr_regions
    retention_days = var.retention.daily_days
  }
  tags = { dr-site = var.name }
}

resource "alidr_replicated_image" "golden" {
  source  = { instance_id = var.golden_instance_id }
  name    = "${var.name}-golden"
  targets = { for r in var.dr_regions : r => {} }
  export = {
    bucket = var.export_bucket
    # OSSPrefix takes 1-30 letters and digits; ECS names the objects itself.
    prefix = substr(replace(var.name, "/[^0-9A-Za-z]/", ""), 0, 30)
    # RAW: ECS honours other formats only in some regions and exports RAW elsewhere.
    format    = "raw"
    checksums = ["crc64", "md5", "sha256"]
  }
  # The snapshots ECS takes to capture the instance stay when the image is
  # deleted (they are billed): destroying the site removes them too.
  delete_snapshots_on_destroy = true
}

resource "alidr_restored_instance" "this" {
  region             = var.dr_regions[0]
  source             = { image_id = alidr_replicated_image.golden.targets[var.dr_regions[0]].image_id }
  instance_type      = var.restore.instance_type
  instance_name      = "${var.name}-restored"
  system_disk        = { category = "cloud_essd", size = var.restore.system_disk_size }
  vswitch_id         = var.restore.vswitch_id
  security_group_ids = var.restore.security_group_ids
  rto_target         = var.rto_target
  on_rto_miss        = "warn"
  tags               = { dr-site = var.name }
}

resource "alidr_verification_run" "drill" {
  name   = "${var.name}-drill"
  region = var.dr_regions[0] # where the restored instance and the verified image are
  checksum = {
    region   = alidr_replicated_image.golden.region
    bucket   = var.export_bucket
    object   = alidr_replicated_image.golden.export.object
    manifest = alidr_replicated_image.golden.export.manifest_object
    mode     = "full"
  }
  boot_test = {
    instance_id      = alidr_restored_instance.this.id
    command          = var.boot_test.command
    duration         = var.boot_test.duration
    interval         = var.boot_test.interval
    expect_exit_code = 0
  }
  restore_duration = alidr_restored_instance.this.restore_duration
  rto_target       = var.rto_target
  verified_points  = [alidr_restored_instance.this.restored_from]
  on_failure       = "record"
  report = {
    path   = var.report_path
    format = "junit"
    # Prometheus metrics beside the JUnit report (and pushed when a
    # Pushgateway is given), labelled with the site's name.
    metrics = var.metrics_path == null && var.pushgateway_url == null ? null : {
      path                      = var.metrics_path
      pushgateway_url           = var.pushgateway_url
      site                      = var.name
      rpo_target                = var.rpo_target
      effective_rpo             = alidr_snapshot_policy.this.effective_rpo
      recovery_point_created_at = alidr_restored_instance.this.restored_from_time
    }
  }
  triggers = var.triggers
}
