#!/usr/bin/env bash
# Signs the release's SHA256SUMS for the Terraform registry (goreleaser's
# signs step). A release without GPG_FINGERPRINT fails here; a snapshot
# (`goreleaser release --snapshot --clean`, a local check of the build)
# skips signing so it runs on machines without the release key.
# Usage: sign-checksums.sh IS_SNAPSHOT SIGNATURE ARTIFACT
set -euo pipefail
snapshot=$1 signature=$2 artifact=$3
if [[ -z "${GPG_FINGERPRINT:-}" ]]; then
	if [[ "$snapshot" == true ]]; then
		echo "snapshot: GPG_FINGERPRINT is not set, $artifact is not signed" >&2
		exit 0
	fi
	echo "GPG_FINGERPRINT is not set: a release must sign $artifact" >&2
	exit 1
fi
exec gpg --batch --local-user "$GPG_FINGERPRINT" --output "$signature" --detach-sign "$artifact"
