#!/usr/bin/env bash
# Re-seal benchmark: release build, a database filled by bench/queuegen.rs under key A
# (its rows sealed as the portal seals them), then `rightsdesk rekey` under key B with A in
# RIGHTSDESK_PREVIOUS_SECRET_KEYS: opens every value under A and seals it again under B (a
# key rotation), after sealing the audit log's era of key A. Timed over the whole process
# (start-up and, on PostgreSQL, the closing VACUUM (ANALYZE) included): rows/s = rows
# re-sealed (the sum of its "N re-sealed" lines) over wall-clock seconds; the VACUUM's
# seconds are shown apart. Afterwards `rekey --dry-run` must count nothing left under an old
# key, else the script exits 1.
#
#   bench/rekey.sh                              # SQLite, 1,000,000 requests
#   bench/rekey.sh --requests 20000 --no-build  # a small smoke run
#   bench/rekey.sh --postgres URL               # PostgreSQL (an empty, throwaway database)
#
# Binaries come from $CARGO_TARGET_DIR (default target/); the temp dir is removed on exit.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

POSTGRES_URL=""
REQUESTS=1000000
BATCH=500
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
        --postgres) POSTGRES_URL="$2"; shift 2 ;;
        --requests) REQUESTS="$2"; shift 2 ;;
        --batch-size) BATCH="$2"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench: unknown option $1" >&2; exit 2 ;;
    esac
done

TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN=${RIGHTSDESK_BIN:-$TARGET_DIR/release/rightsdesk}
QUEUEGEN_BIN=${QUEUEGEN_BIN:-$TARGET_DIR/release/examples/queuegen}
if [ "$BUILD" = 1 ]; then
    echo "==> cargo build --release --bins --example queuegen"
    cargo build --release --bins --example queuegen
fi
for bin in "$BIN" "$QUEUEGEN_BIN"; do
    [ -x "$bin" ] || { echo "bench: $bin not found (build first)" >&2; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rightsdesk-rekey-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
KEY_A="bench-key-A-0123456789abcdef0123456789abcdef"
KEY_B="bench-key-B-0123456789abcdef0123456789abcdef"
export DATABASE_URL=${POSTGRES_URL:-"sqlite://$TMP/bench.db"}
export RIGHTSDESK_DATA_DIR="$TMP/data" RUST_LOG=warn

echo "==> migrate, generate $REQUESTS requests"
RIGHTSDESK_SECRET_KEY=$KEY_A "$BIN" migrate >/dev/null
RIGHTSDESK_SECRET_KEY=$KEY_A "$QUEUEGEN_BIN" --database-url "$DATABASE_URL" --requests "$REQUESTS" \
    | grep -E '^GENERATED' || true

# Runs one rekey; prints "label rows secs rows/s vacuum_secs".
timed_rekey() {
    local label=$1; shift
    local started ended rows vacuum
    started=$(date +%s.%N)
    env "$@" "$BIN" rekey --batch-size "$BATCH" >"$TMP/out.txt"
    ended=$(date +%s.%N)
    rows=$(awk '/re-sealed/ { n += $2 } END { print n + 0 }' "$TMP/out.txt")
    vacuum=$(awk '/vacuumed/ { n += $(NF - 1) } END { print n + 0 }' "$TMP/out.txt")
    awk -v l="$label" -v r="$rows" -v s="$started" -v e="$ended" -v v="$vacuum" \
        'BEGIN { d = e - s; printf "%-22s rows=%d secs=%.2f rows_per_sec=%.0f vacuum_secs=%.2f\n", l, r, d, r / d, v }'
    grep '^audit log' "$TMP/out.txt" | sed 's/^/    /'
}

echo "==> results (batch size $BATCH)"
timed_rekey "rotate (A -> B)" RIGHTSDESK_SECRET_KEY=$KEY_B RIGHTSDESK_PREVIOUS_SECRET_KEYS=$KEY_A
left=$(RIGHTSDESK_SECRET_KEY=$KEY_B "$BIN" rekey --dry-run | awk 'NR > 1 { n += $2 } END { print n + 0 }')
if [ "$left" != 0 ]; then
    echo "bench: $left rows still under an old key after rekey" >&2
    exit 1
fi
echo "check: nothing left under an old key"
