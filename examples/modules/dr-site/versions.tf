terraform {
  required_version = ">= 1.5"
  required_providers {
    alidr = { source = "alidr/alidr" }
  }
}
