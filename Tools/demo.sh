#!/usr/bin/env bash
# The main job: builds the release tool and runs its demo on a generated province.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/ensure-lmdb.sh
swift build -c release --product dossier-ledger >&2
exec .build/release/dossier-ledger demo "$@"
