# Quickstart: a complete disaster recovery drill, "two regions, three
# centres": cn-beijing primary, cn-shanghai and cn-guangzhou for recovery
# (both get every snapshot copy, through an EBS enterprise snapshot policy,
# and the golden image).
# `make demo` applies it against the local emulator; against Alibaba Cloud,
# drop the endpoints block, set ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET and give
# your own disks, instance, bucket and DR network.
terraform {
  required_version = ">= 1.5"
  required_providers {
    alidr = { source = "alidr/alidr" }
  }
}

variable "endpoint" {
  description = "Emulator URL (make demo sets it)."
  type        = string
}

variable "out_dir" {
  description = "Directory of the JUnit report and the Prometheus metrics (scripts/drill.sh sets it)."
  type        = string
  default     = "."
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
}

data "alidr_regions" "all" {}

data "alidr_disks" "core" {
  tags = { app = "core" }
}

module "dr" {
  source = "../modules/dr-site"

  name               = "core"
  dr_regions         = ["cn-shanghai", "cn-guangzhou"]
  protected_disk_ids = data.alidr_disks.core.ids
  golden_instance_id = "i-2zecoredb00000000000" # the emulator's seeded core-db server
  export_bucket      = "alidr-dr-images"        # the emulator's seeded bucket
  rpo_target         = "12h"
  rto_target         = "15m"
  restore = {
    instance_type      = "ecs.g7.large"
    vswitch_id         = "vsw-uf6seedvswe000000000" # seeded network in cn-shanghai
    security_group_ids = ["sg-uf6seedsg00000000000"]
  }
  boot_test = {
    command  = "systemctl is-system-running"
    duration = "6s"
    interval = "2s"
  }
  report_path  = "${var.out_dir}/dr-report.xml"
  metrics_path = "${var.out_dir}/alidr_core.prom"
}

output "regions" {
  description = "Regions available for disaster recovery."
  value       = data.alidr_regions.all.ids
}

output "protected_disks" {
  description = "Disks of the core application in the primary region."
  value       = { for d in data.alidr_disks.core.disks : d.id => "${d.type} ${d.size} GiB on ${d.instance_id}" }
}

output "effective_rpo" {
  description = "The longest gap between scheduled snapshots."
  value       = module.dr.effective_rpo
}

output "golden_images" {
  description = "The golden image in every region."
  value       = module.dr.golden_images
}

output "drill" {
  description = "The drill's results as values."
  value       = module.dr.drill
}

output "drill_report" {
  description = "The drill's report."
  value       = module.dr.drill_report
}
