#!/usr/bin/env bash
# make demo: start the emulator on a free port, apply examples/quickstart with
# the freshly built provider through dev_overrides, print the outputs,
# destroy, and stop the emulator. Leaves no process or file behind.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${TF_CLI:?}" "${PROVIDER:?}"
root=$PWD
work=$(mktemp -d)
emu_pid=""
cleanup() {
  if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The emulator and the quickstart's provider block both use the emulator's
# default keys: no credential of the caller's environment may change either
# side (the provider would prefer none of these over its block, but a role,
# profile or token would still be added to the block's keys).
unset ALIDR_EMULATOR_ACCESS_KEY_ID ALIDR_EMULATOR_ACCESS_KEY_SECRET
while read -r var; do unset "$var"; done < <(compgen -e | grep -E '^(ALIBABA_CLOUD|ALICLOUD)_' || true)

go build -o "$work/alidr-emulator" ./internal/emulator/cmd/alidr-emulator
"$work/alidr-emulator" -addr 127.0.0.1:0 >"$work/emulator.log" 2>&1 &
emu_pid=$!
url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/emulator.log" | head -n1 || true)
  [ -n "$url" ] && break
  kill -0 "$emu_pid" 2>/dev/null || { cat "$work/emulator.log"; echo "demo: the emulator did not start" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "demo: the emulator printed no ready line" >&2; exit 1; }
echo "==> emulator ready at $url"

cat >"$work/cli.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "alidr/alidr" = "$(dirname "$PROVIDER")"
  }
  direct {}
}
TFRC
export TF_CLI_CONFIG_FILE="$work/cli.tfrc"
unset TF_CLI_CONFIG_FILE_PATH
export TF_IN_AUTOMATION=1
cp -r "$root/examples" "$work/examples"
export TF_VAR_endpoint="$url"
tf() { "$TF_CLI" -chdir="$work/examples/quickstart" "$@"; }

# Modules are local; `get` installs them without contacting a registry (the
# provider itself comes from dev_overrides, so no `init` is needed).
tf get -no-color >/dev/null
echo "==> $(basename "$TF_CLI") apply examples/quickstart"
tf apply -auto-approve -input=false -no-color >"$work/apply.log" 2>&1 || { cat "$work/apply.log"; exit 1; }
grep -E '^(Apply complete|Warning:)' "$work/apply.log" || true
echo
echo "==================== disaster recovery drill ===================="
tf output -raw drill_report
echo "================================================================="
tf output -no-color golden_images
tf output -no-color effective_rpo
echo
echo "==> destroy"
tf destroy -auto-approve -input=false -no-color >"$work/destroy.log" 2>&1 || { cat "$work/destroy.log"; exit 1; }
grep -E '^Destroy complete' "$work/destroy.log"
echo "==> demo finished; emulator stopped"
