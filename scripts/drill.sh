#!/usr/bin/env bash
# One disaster recovery drill: apply a root module using examples/modules/dr-site
# (default examples/quickstart), replacing its verification run when the state
# already has one so the checks run again; print the drill report; leave the
# JUnit report and the Prometheus metrics in DRILL_OUT. Exits 1 when the drill
# failed (after writing the reports). `make demo` and the example pipelines in
# examples/pipelines/ call it.
#
#   TF_CLI          terraform or tofu (default: the one on PATH)
#   DRILL_DIR       the root module (default examples/quickstart)
#   DRILL_RUN       address of the verification run (default module.dr.alidr_verification_run.drill)
#   DRILL_OUT       directory for dr-report.xml and alidr_<site>.prom (default ./drill-out); the
#                   module reads it as var.out_dir. Keep the .prom file between drills: its
#                   counters and last success timestamp carry over.
#   PROVIDER        a locally built provider binary, used through dev_overrides instead of `init`
#   DRILL_EMULATOR  1: start the local emulator and pass its URL as var.endpoint
#   DRILL_DESTROY   1: destroy everything after the drill (the demo)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
TF_CLI=${TF_CLI:-$(command -v tofu || command -v terraform || true)}
[ -n "$TF_CLI" ] || { echo "drill: no tofu or terraform on PATH (make cli builds OpenTofu)" >&2; exit 2; }
dir=${DRILL_DIR:-examples/quickstart}
run=${DRILL_RUN:-module.dr.alidr_verification_run.drill}
mkdir -p "${DRILL_OUT:-drill-out}"
out=$(cd "${DRILL_OUT:-drill-out}" && pwd)
work=$(mktemp -d)
. scripts/emulator.sh
cleanup() { emulator_stop; rm -rf "$work"; }
trap cleanup EXIT INT TERM

if [ "${DRILL_EMULATOR:-}" = 1 ]; then
  emulator_start "$work"
  echo "==> emulator ready at $EMULATOR_URL"
  export TF_VAR_endpoint="$EMULATOR_URL"
fi
export TF_VAR_out_dir="$out"
tf() { "$TF_CLI" -chdir="$dir" "$@"; }
if [ -n "${PROVIDER:-}" ]; then
  use_dev_provider "$work" "$PROVIDER"
  # Modules are local; `get` installs them without a registry (the
  # overridden provider needs no `init`).
  tf get -no-color >/dev/null
else
  tf init -input=false -no-color >/dev/null
fi

replace=()
if tf state list 2>/dev/null | grep -qxF "$run"; then
  replace=(-replace="$run")
fi
echo "==> $(basename "$TF_CLI") apply $dir ${replace[*]}"
if ! tf apply -auto-approve -input=false -no-color "${replace[@]}" >"$work/apply.log" 2>&1; then
  cat "$work/apply.log"
  exit 1
fi
grep -E '^(Apply complete|Warning:)' "$work/apply.log" || true
echo
echo "==================== disaster recovery drill ===================="
tf output -raw drill_report
echo "================================================================="
status=$(tf output -json drill | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p')
metrics=$(tf output -json drill | sed -n 's/.*"metrics": *"\([^"]*\)".*/\1/p')
if [ -n "$metrics" ] && [ -f "$metrics" ]; then
  echo "metrics: $metrics"
  grep -m1 '^alidr_drill_passed' "$metrics" || true
fi

if [ "${DRILL_DESTROY:-}" = 1 ]; then
  echo
  echo "==> destroy"
  tf destroy -auto-approve -input=false -no-color >"$work/destroy.log" 2>&1 || { cat "$work/destroy.log"; exit 1; }
  grep -E '^Destroy complete' "$work/destroy.log"
fi
[ "$status" = passed ] || { echo "drill: the drill $status" >&2; exit 1; }
