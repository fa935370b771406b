#!/usr/bin/env bash
# `terraform test` / `tofu test` of examples/modules/dr-site against the local
# emulator with the locally built provider: how to test your own DR module
# offline. Skips (exit 0) when the CLI predates `test` (Terraform/OpenTofu 1.6).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${TF_CLI:?}" "${PROVIDER:?}"
version=$("$TF_CLI" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([0-9.]*\).*/\1/p')
major=${version%%.*} rest=${version#*.} minor=${rest%%.*}
if [ -z "$version" ] || [ "$major" -lt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -lt 6 ]; }; then
  echo "tftest: skipped: $(basename "$TF_CLI") ${version:-of unknown version} has no 'test' command (it needs 1.6 or later)"
  exit 0
fi
work=$(mktemp -d)
. scripts/emulator.sh
cleanup() { emulator_stop; rm -rf "$work"; }
trap cleanup EXIT INT TERM

emulator_start "$work"
# Instant cloud operations: the test checks the module's wiring, not waits
# (without curl they take the emulator's default durations, seconds each).
command -v curl >/dev/null && curl -fsS -X POST -H "X-Alidr-Emulator-Control: 1" "$EMULATOR_URL/_emulator/ecs/durations" -d '{"InstanceCreate":"0s","InstanceStart":"0s","InstanceStop":"0s",
  "CommandRun":"0s","DiskCreate":"0s","DiskAttach":"0s","DiskDetach":"0s","SnapshotCreate":"0s","SnapshotCopy":"0s",
  "ImageCreate":"0s","ImageCopy":"0s","ImageExport":"0s"}'
use_dev_provider "$work" "$PROVIDER"
# A copy, so the CLI's working files stay out of the source tree.
cp -r examples/modules/dr-site "$work/dr-site"
"$TF_CLI" -chdir="$work/dr-site" get -no-color >/dev/null
echo "==> $(basename "$TF_CLI") $version test examples/modules/dr-site (emulator $EMULATOR_URL)"
"$TF_CLI" -chdir="$work/dr-site" test -no-color -var "endpoint=$EMULATOR_URL" \
  -var "report_path=$work/dr-report.xml" -var "metrics_path=$work/alidr_tftest.prom"
