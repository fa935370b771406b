#!/usr/bin/env bash
# make test-cli: run the CLI acceptance tests (TestAccCLIRefreshIsNoOp*: apply
# examples/quickstart and the snapshot policy's example against the emulator,
# then `plan -detailed-exitcode` and `plan -refresh-only -detailed-exitcode`
# must exit 0, and a change made outside Terraform must make the refresh-only
# plan exit 2) with every CLI found: terraform and tofu on PATH, bin/tofu
# (make tools) and bin/terraform (Terraform 1.5.7, make tools-extra). Prints
# which ran and which were absent; fails when one fails or none ran.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/bin

names=() paths=()
add() { names+=("$1"); paths+=("$2"); }
add "terraform on PATH" "$(command -v terraform || true)"
add "tofu on PATH" "$(command -v tofu || true)"
add "bin/tofu (make tools)" "$([ -x "$bin/tofu" ] && echo "$bin/tofu")"
add "bin/terraform (make tools-extra)" "$([ -x "$bin/terraform" ] && echo "$bin/terraform")"

ran=() failed=() absent=()
for i in "${!names[@]}"; do
  name=${names[$i]} cli=${paths[$i]}
  if [ -z "$cli" ]; then
    absent+=("$name")
    continue
  fi
  for j in $(seq 0 $((i - 1))); do
    if [ "$(realpath "${paths[$j]:-/nonexistent}" 2>/dev/null)" = "$(realpath "$cli")" ]; then continue 2; fi
  done
  version=$(TF_CLI_CONFIG_FILE=/dev/null "$cli" version 2>/dev/null | head -n1)
  echo "==> $name: $version ($cli)"
  start=$SECONDS
  if TF_ACC=1 TF_ACC_TERRAFORM_PATH="$cli" go test -count=1 -run '^TestAccCLIRefreshIsNoOp' ./internal/provider/; then
    ran+=("$version: passed in $((SECONDS - start))s")
  else
    failed+=("$version: FAILED after $((SECONDS - start))s")
  fi
done

echo
echo "CLI matrix:"
for r in "${ran[@]}" "${failed[@]}"; do echo "  ran     $r"; done
for a in "${absent[@]}"; do echo "  absent  $a"; done
if [ "${#failed[@]}" -gt 0 ]; then exit 1; fi
if [ "${#ran[@]}" -eq 0 ]; then
  echo "test-cli: no CLI found: run 'make tools' (builds bin/tofu)" >&2
  exit 1
fi
