#!/usr/bin/env bash
# make demo-ransomware: examples/ransomware-recovery against the local
# emulator on a manual clock. Protect (locked snapshot policy, locked WORM
# vault), a daily drill that proves the newest locked point with a signed
# attestation, the emulator's attacker with the account's keys, then the
# restore to the last clean point and its verification. The attestation key
# is generated here, outside the (emulated) account, and never written to the
# example. Locked points and the WORM vault cannot be destroyed: the state
# goes with the emulator when it stops.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${TF_CLI:?}" "${PROVIDER:?}"
for tool in curl jq openssl; do
  command -v "$tool" >/dev/null || { echo "demo-ransomware: $tool is needed" >&2; exit 2; }
done
work=$(mktemp -d)
. scripts/emulator.sh
cleanup() { emulator_stop; rm -rf "$work"; }
trap cleanup EXIT INT TERM

emulator_start "$work" -manual-clock
echo "==> emulator ready at $EMULATOR_URL (manual clock)"
control() { # control METHOD PATH [BODY]
  curl -fsS -X "$1" -H "X-Alidr-Emulator-Control: 1" "$EMULATOR_URL/_emulator/$2" ${3:+-d "$3"}
}
# Cloud operations complete at once: the clock only moves when told to.
control POST ecs/durations '{"InstanceCreate":"0s","InstanceStart":"0s","InstanceStop":"0s","CommandRun":"0s",
  "DiskCreate":"0s","DiskAttach":"0s","DiskDetach":"0s","SnapshotCreate":"0s","SnapshotCopy":"0s",
  "ImageCreate":"0s","ImageCopy":"0s","ImageExport":"0s"}' >/dev/null
emulator_now() { control GET clock | jq -r '.now | sub("\\.[0-9]+"; "")'; }

# The signing key lives outside the account (a CI secret in real life).
openssl genpkey -algorithm ed25519 -out "$work/attest.key" 2>/dev/null
openssl pkey -in "$work/attest.key" -pubout -out "$work/attest.pub"
ALIDR_ATTESTATION_SIGNING_KEY=$(cat "$work/attest.key")
export ALIDR_ATTESTATION_SIGNING_KEY
TF_VAR_attestation_public_key=$(cat "$work/attest.pub")
export TF_VAR_attestation_public_key TF_VAR_endpoint="$EMULATOR_URL"

use_dev_provider "$work" "$PROVIDER"
dir="$work/ransomware-recovery"
cp -r examples/ransomware-recovery "$dir"
apply() {
  if ! "$TF_CLI" -chdir="$dir" apply -auto-approve -input=false -no-color "$@" >"$work/apply.log" 2>&1; then
    cat "$work/apply.log"
    exit 1
  fi
  grep -E '^(Apply complete|Warning:)' "$work/apply.log" || true
}
out() { "$TF_CLI" -chdir="$dir" output -json "$1"; }

echo "==> $(emulator_now): protect (locked snapshot policy, locked WORM vault)"
TF_VAR_drill=false apply
# Five days: the 72h dwell window leaves the points of the first two.
for day in 1 2 3 4 5; do
  control POST clock '{"advance":"24h"}' >/dev/null
  echo "==> $(emulator_now): day $day, daily drill"
  replace=()
  if "$TF_CLI" -chdir="$dir" state list | grep -qxF 'alidr_verification_run.drill[0]'; then
    replace=(-replace='alidr_restored_instance.drill[0]' -replace='alidr_verification_run.drill[0]')
  fi
  apply "${replace[@]}"
  out drill | jq -r '"    drill proved \(.point): \(.verification)"'
done

control POST clock '{"advance":"6h"}' >/dev/null
attack_at=$(emulator_now)
echo "==> $attack_at: the attacker, holding the account's keys, tries to destroy every recovery point"
control POST attack >"$work/attack.json"
jq -r '"    \(.succeeded | length) calls succeeded, \(.refused | length) refused",
  (.succeeded[] | "    succeeded: \(.action) \(.target)"),
  (.refused | group_by(.code)[] | "    refused with \(.[0].code): \(length) (\([.[].action] | unique | join(", ")))"),
  "    survived:", (.survivors[] | select(.kind == "snapshot" or .kind == "object") | "      \(.kind) \(.id)")' "$work/attack.json"

control POST clock '{"advance":"2h"}' >/dev/null
echo "==> $(emulator_now): restore to the last clean point before $attack_at"
TF_VAR_attack_at=$attack_at apply
echo
echo "==================== ransomware recovery ===================="
echo "Points that survived the attack (verified = a signed attestation vouches for it):"
out points | jq -r '.[] | "  \(.)"'
out restore | jq -r '"Restored \(.restored_from) (taken \(.restored_from_time)) into \(.instance_id)",
  "Newer points passed over:", (.passed_over[] | "  \(.)"),
  "Verification of the restore: \(.verification); attestation \(.attestation)"'
echo "============================================================="
[ "$(out restore | jq -r .verification)" = passed ] || { echo "demo-ransomware: the restore's verification did not pass" >&2; exit 1; }
echo "==> demo finished; emulator stopped"
