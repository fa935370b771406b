# Quickstart: what the alidr provider sees in the primary region.
# `make demo` runs this against the local emulator; against Alibaba Cloud,
# drop the endpoints block and set ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET.
terraform {
  required_providers {
    alidr = { source = "alidr/alidr" }
  }
}

variable "endpoint" {
  description = "Emulator URL (make demo sets it)."
  type        = string
}

variable "region" {
  description = "Primary region."
  type        = string
  default     = "cn-beijing"
}

provider "alidr" {
  region     = var.region
  access_key = "alidr-emulator"
  secret_key = "alidr-emulator-secret"
  endpoints {
    ecs = var.endpoint
    oss = var.endpoint
    sts = var.endpoint
  }
}

data "alidr_regions" "all" {}

data "alidr_disks" "core" {
  tags = { app = "core" }
}

output "regions" {
  description = "Regions available for disaster recovery."
  value       = data.alidr_regions.all.ids
}

output "protected_disks" {
  description = "Disks of the core application in the primary region."
  value       = { for d in data.alidr_disks.core.disks : d.id => "${d.type} ${d.size} GiB on ${d.instance_id}" }
}
