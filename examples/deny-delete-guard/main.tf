# A deny-delete guard for the key of a DR pipeline: it may take snapshots,
# copy and export images, and restore, but it can never delete a recovery
# point, even if a broader policy is attached to it later (an explicit Deny
# wins over every Allow).
terraform {
  required_providers {
    alidr = { source = "alidr/alidr" }
  }
}

variable "account_id" {
  type        = string
  description = "The account whose resources the pipeline works on (its numeric UID)."
}

data "alidr_ram_policy" "guarded" {
  duties      = ["backup", "replicate", "restore"]
  regions     = ["cn-beijing", "cn-shanghai"]
  account_id  = var.account_id
  deny_delete = true # ecs:DeleteSnapshot, ecs:DeleteImage, ecs:UnlockSnapshot, oss:DeleteObject, oss:AbortMultipartUpload
}

# Attach it with the alicloud provider (or paste it into the RAM console):
#
#   resource "alicloud_ram_policy" "dr_pipeline" {
#     policy_name     = "alidr-dr-pipeline-guarded"
#     policy_document = data.alidr_ram_policy.guarded.document
#   }
#   resource "alicloud_ram_user_policy_attachment" "dr_pipeline" {
#     user_name   = "dr-pipeline"
#     policy_name = alicloud_ram_policy.dr_pipeline.policy_name
#     policy_type = "Custom"
#   }

output "policy_document" {
  value = data.alidr_ram_policy.guarded.document
}
