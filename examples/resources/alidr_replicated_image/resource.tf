variable "kms_key_shanghai" {
  type        = string
  description = "KMS key id in cn-shanghai that encrypts the copy there."
}

# A golden image made from a system disk snapshot in the provider's region,
# copied to two DR regions, shared with the DR account and exported to OSS.
resource "alidr_replicated_image" "golden" {
  source = { snapshot_id = "s-2zeexamplesnapshot00" } # or image_id, or instance_id
  name   = "core-golden"

  targets = {
    "cn-shanghai"  = { kms_key_id = var.kms_key_shanghai }
    "cn-guangzhou" = {}
  }

  share_with_accounts = ["1234567890123456"]

  export = {
    bucket    = "dr-images"
    prefix    = "core" # 1-30 letters and digits; ECS names the objects (see export.object)
    format    = "raw"  # raw | vhd | qcow2 | vmdk | vdi; ECS honours non-RAW formats only in some regions
    checksums = ["crc64", "md5", "sha256"]
  }

  timeouts = {
    create = "3h"
  }
}

output "golden_image_shanghai" {
  value = alidr_replicated_image.golden.targets["cn-shanghai"].image_id
}

output "golden_export_sha256" {
  value = alidr_replicated_image.golden.export.sha256
}
