#!/usr/bin/env bash
# The whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/ensure-lmdb.sh
Tools/ensure-chromium.sh
Tools/ensure-postgresql.sh
swift build --build-tests
exec swift test --skip-build "$@"
