# Sourced by demo.sh, drill.sh and tftest.sh: start the emulator on a free
# loopback port and point the CLI at a locally built provider.

# emulator_start DIR [FLAG...]: builds and starts the emulator in DIR with
# the alidr-emulator FLAGs (e.g. -manual-clock); sets EMULATOR_URL and
# EMULATOR_PID. The caller stops it (emulator_stop).
emulator_start() {
  local dir=$1
  shift
  # The emulator and the provider blocks pointed at it both use the
  # emulator's default keys: no credential of the caller's environment may
  # change either side (a role, profile or token would be added to the
  # block's keys).
  unset ALIDR_EMULATOR_ACCESS_KEY_ID ALIDR_EMULATOR_ACCESS_KEY_SECRET
  while read -r var; do unset "$var"; done < <(compgen -e | grep -E '^(ALIBABA_CLOUD|ALICLOUD)_' || true)
  go build -o "$dir/alidr-emulator" ./internal/emulator/cmd/alidr-emulator
  "$dir/alidr-emulator" -addr 127.0.0.1:0 "$@" >"$dir/emulator.log" 2>&1 &
  EMULATOR_PID=$!
  EMULATOR_URL=""
  for _ in $(seq 1 100); do
    EMULATOR_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$dir/emulator.log" | head -n1 || true)
    [ -n "$EMULATOR_URL" ] && return 0
    kill -0 "$EMULATOR_PID" 2>/dev/null || { cat "$dir/emulator.log" >&2; echo "the emulator did not start" >&2; return 1; }
    sleep 0.1
  done
  echo "the emulator printed no ready line" >&2
  return 1
}

emulator_stop() {
  if [ -n "${EMULATOR_PID:-}" ]; then
    kill "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
    EMULATOR_PID=""
  fi
}

# use_dev_provider DIR PROVIDER: a CLI config in DIR whose dev_overrides
# take alidr/alidr from PROVIDER's directory (no registry, no init).
use_dev_provider() {
  cat >"$1/cli.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "alidr/alidr" = "$(cd "$(dirname "$2")" && pwd)"
  }
  direct {}
}
TFRC
  export TF_CLI_CONFIG_FILE="$1/cli.tfrc"
  unset TF_CLI_CONFIG_FILE_PATH
  export TF_IN_AUTOMATION=1
}
