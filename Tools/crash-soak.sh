#!/usr/bin/env bash
# Soak test: kills an import and a follower with SIGKILL at random moments,
# ROUNDS times (default 1000), and after every kill checks that every batch
# the import reported committed is present, the hash chain and projections
# verify, and the follower's output, joined with its restart, has no gap.
# Usage: Tools/crash-soak.sh [ROUNDS]   (DOSSIERS=5000 sets the input size)
set -euo pipefail
cd "$(dirname "$0")/.."
Tools/ensure-lmdb.sh
swift build -c release --product dossier-ledger >&2
L="$PWD/.build/release/dossier-ledger"
rounds=${1:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$L" generate --dossiers "${DOSSIERS:-5000}" --seed 3 > "$work/in.ndjson" 2>/dev/null
total=$(wc -l < "$work/in.ndjson")
"$L" --ledger "$work/l" init > /dev/null
fail() { echo "round $1: $2" >&2; exit 1; }

for round in $(seq 1 "$rounds"); do
    "$L" --ledger "$work/l" import "$work/in.ndjson" --batch 500 --verbose 2> "$work/import.log" > /dev/null &
    importer=$!
    "$L" --ledger "$work/l" subscribe soak --follow >> "$work/follow.ndjson" 2> /dev/null &
    follower=$!
    sleep "0.$(printf '%03d' $((RANDOM % 400 + 5)))"
    kill -9 "$importer" "$follower" 2> /dev/null || true
    wait "$importer" "$follower" 2> /dev/null || true

    reported=$(grep -o '–[0-9]*' "$work/import.log" | tr -d '–' | tail -n 1 || true)
    head=$("$L" --ledger "$work/l" stats | awk '/^head seq/ {print $3}')
    [ "${reported:-0}" -le "$head" ] || fail "$round" "import reported seq $reported committed but the head is $head"
    [ $((head % 500)) -eq 0 ] || [ "$head" -eq "$total" ] || fail "$round" "head $head is not a whole number of batches"
    "$L" --ledger "$work/l" verify > /dev/null || fail "$round" "verify failed"

    # The follower's lines, cut lines dropped, must run 1, 2, 3… with repeats only at restarts.
    python3 - "$work/follow.ndjson" "$round" <<'PY' || exit 1
import json, sys
seen, expected = set(), 1
for raw in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if not raw.endswith("\n"):
        continue
    try:
        seq = json.loads(raw)["seq"]
    except Exception:
        continue
    if seq > expected:
        sys.exit(f"round {sys.argv[2]}: follower skipped from {expected - 1} to {seq}")
    seen.add(seq)
    expected = max(expected, seq + 1)
PY
    if [ "$head" -eq "$total" ]; then   # finished: start over so kills keep landing mid-import
        rm -rf "$work/l" "$work/follow.ndjson"
        "$L" --ledger "$work/l" init > /dev/null
    fi
    [ $((round % 50)) -eq 0 ] && echo "$round rounds: no lost or corrupted event" >&2
done
echo "$rounds kills of an import and a follower: no lost or corrupted event"
