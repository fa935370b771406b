# `terraform test` (or `tofu test`) for the dr-site module, offline against
# the local emulator: scripts/tftest.sh starts it, passes its URL
# (-var endpoint=...) and the report and metrics paths, and points the CLI at
# a local build of the provider. `make test` runs it.

# The emulator's URL, from the command line, for the provider block below.
run "emulator" {
  module {
    source = "./tests/emulator"
  }
}

provider "alidr" {
  region     = "cn-beijing"
  access_key = "alidr-emulator"
  secret_key = "alidr-emulator-secret"
  endpoints {
    ecs = run.emulator.endpoint
    oss = run.emulator.endpoint
    sts = run.emulator.endpoint
    ebs = run.emulator.endpoint
  }
}

# The emulator's seeded world (internal/emulator/world.go).
variables {
  name               = "tftest"
  dr_regions         = ["cn-shanghai", "cn-guangzhou"]
  protected_disk_ids = ["d-2zecoredbsys00000000", "d-2zecoredbdata0000000"]
  golden_instance_id = "i-2zecoredb00000000000"
  export_bucket      = "alidr-dr-images"
  restore = {
    instance_type      = "ecs.g7.large"
    vswitch_id         = "vsw-uf6seedvswe000000000"
    security_group_ids = ["sg-uf6seedsg00000000000"]
  }
  boot_test = {
    command  = "systemctl is-system-running"
    duration = "2s"
    interval = "1s"
  }
}

run "needs_a_dr_region" {
  command = plan
  variables {
    dr_regions = []
  }
  expect_failures = [var.dr_regions]
}

run "drill" {
  assert {
    condition     = output.drill.status == "passed"
    error_message = "The drill failed: ${jsonencode(output.drill.checks)}"
  }
  assert {
    condition     = alltrue([for name, status in output.drill.checks : status == "passed"])
    error_message = "Not every check passed: ${jsonencode(output.drill.checks)}"
  }
  assert {
    condition     = output.drill.bytes_verified > 0 && output.effective_rpo == "12h"
    error_message = "Nothing was verified, or the schedule's RPO changed."
  }
  assert {
    condition     = strcontains(file(var.metrics_path), "alidr_drill_passed{recovery_point=\"${output.drill.recovery_point}\",region=\"cn-shanghai\",site=\"tftest\"} 1")
    error_message = "The metrics file does not record the passed drill: ${file(var.metrics_path)}"
  }
  assert {
    condition     = strcontains(file(var.report_path), "<testsuites")
    error_message = "The JUnit report is missing."
  }
}

# What the nightly pipelines do: replace only the verification run, so the
# drill runs again against the same site.
run "drill_again" {
  plan_options {
    replace = [alidr_verification_run.drill]
  }
  assert {
    condition     = output.drill.status == "passed" && output.restored_instance_id == run.drill.restored_instance_id
    error_message = "The second drill failed or restored again."
  }
  assert {
    condition     = strcontains(file(var.metrics_path), "alidr_drill_runs_total{region=\"cn-shanghai\",site=\"tftest\"} 2")
    error_message = "The metrics file did not count the second drill: ${file(var.metrics_path)}"
  }
}
