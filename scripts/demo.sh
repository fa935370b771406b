#!/usr/bin/env bash
# make demo: one drill of examples/quickstart against the local emulator with
# the freshly built provider (scripts/drill.sh), on a copy of examples/ so no
# state is left behind; then destroy and stop the emulator. The reports stay
# in ./drill-out.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${TF_CLI:?}" "${PROVIDER:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cp -r examples "$work/examples"
DRILL_DIR="$work/examples/quickstart" DRILL_EMULATOR=1 DRILL_DESTROY=1 ./scripts/drill.sh
echo "==> demo finished; emulator stopped"
