#!/usr/bin/env bash
# Generates docs/ with tfplugindocs from the provider's schema, read through
# the CLI with a dev_overrides configuration (nothing is downloaded).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${TF_CLI:?}" "${PROVIDER:?}" "${TFPLUGINDOCS:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/cli.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "alidr/alidr" = "$(dirname "$PROVIDER")"
  }
  direct {}
}
TFRC
cat >"$work/main.tf" <<'HCL'
terraform {
  required_providers {
    alidr = { source = "alidr/alidr" }
  }
}
HCL
TF_CLI_CONFIG_FILE="$work/cli.tfrc" "$TF_CLI" -chdir="$work" providers schema -json 2>/dev/null >"$work/schema.json.raw"
# tfplugindocs looks the schema up by the short name; the CLI keys it by address.
sed -E 's#"[^"/]+/alidr/alidr":#"alidr":#' "$work/schema.json.raw" >"$work/schema.json"
# The RAM actions page of each resource, from internal/ramactions.
go run ./internal/ramactions/cmd/ramdocs -out templates/guides
"$TFPLUGINDOCS" generate --provider-name alidr --providers-schema "$work/schema.json" --rendered-provider-name "alidr" >/dev/null
