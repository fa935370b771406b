variable "name" {
  description = "Name prefix of everything the module creates."
  type        = string
}

variable "dr_regions" {
  description = "Disaster recovery regions. Each receives the snapshot copies and the replicated golden image; the first one also hosts the restored instance."
  type        = list(string)
  validation {
    condition     = length(var.dr_regions) >= 1
    error_message = "Give at least one disaster recovery region, e.g. [\"cn-shanghai\", \"cn-guangzhou\"]."
  }
}

variable "protected_disk_ids" {
  description = "Disks in the provider's region protected by the snapshot policy."
  type        = list(string)
}

variable "golden_instance_id" {
  description = "Instance in the provider's region whose image is replicated and restored in the DR region."
  type        = string
}

variable "schedule" {
  description = "Snapshot time points (hours 0-23, UTC+8) and weekdays."
  type = object({
    hours    = list(number)
    weekdays = list(string)
  })
  default = { hours = [2, 14], weekdays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"] }
}

variable "retention" {
  description = "Retention tiers, e.g. 7+3+1 (plus weekly_weeks: the first snapshot of each week)."
  type = object({
    daily_days     = number
    weekly_weeks   = optional(number, 0)
    monthly_months = number
    yearly_years   = number
  })
  default = { daily_days = 7, monthly_months = 3, yearly_years = 1 }
}

variable "rpo_target" {
  description = "Recovery point objective the schedule must meet (checked at plan time)."
  type        = string
  default     = "12h"
}

variable "rto_target" {
  description = "Recovery time objective for the restore."
  type        = string
  default     = "15m"
}

variable "export_bucket" {
  description = "OSS bucket in the provider's region receiving the exported golden image and its manifest."
  type        = string
}

variable "restore" {
  description = "Where and how the instance is restored in the first DR region."
  type = object({
    instance_type      = string
    vswitch_id         = string
    security_group_ids = list(string)
    system_disk_size   = optional(number, 40)
  })
}

variable "boot_test" {
  description = "Health check run on the restored instance through Cloud Assistant."
  type = object({
    command  = string
    duration = optional(string, "5m")
    interval = optional(string, "30s")
  })
  default = { command = "systemctl is-system-running" }
}

variable "report_path" {
  description = "Local path of the JUnit report of the verification run."
  type        = string
  default     = "dr-report.xml"
}

variable "metrics_path" {
  description = "Local path of the drill's Prometheus metrics (text format, for node_exporter's textfile collector: end it in .prom); null for none."
  type        = string
  default     = null
}

variable "pushgateway_url" {
  description = "Prometheus Pushgateway base URL the drill's metrics are pushed to (credentials from ALIDR_PUSHGATEWAY_USERNAME/PASSWORD); null for none."
  type        = string
  default     = null
}

variable "triggers" {
  description = "Change any value (e.g. timestamp()) to run the verification again."
  type        = map(string)
  default     = {}
}
