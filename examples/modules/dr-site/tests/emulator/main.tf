# Passes the emulator's URL from the command line (-var endpoint=...) to the
# provider block of the test files, which can read run outputs.
variable "endpoint" {
  description = "URL of the local emulator, e.g. http://127.0.0.1:9100."
  type        = string
}

output "endpoint" {
  description = "The emulator's URL."
  value       = var.endpoint
}
