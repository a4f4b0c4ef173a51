#!/usr/bin/env bash
# NDJSON ingest over HTTP: release build, fresh data dir, an `inventory:write` token, then one
# `POST /api/v1/inventory/records` of a generated NDJSON file (the records of
# bench/import.sh), timed from the first byte sent to the answer.
#
#   bench/api_ingest.sh                      # SQLite in a temporary data dir
#   bench/api_ingest.sh --postgres URL       # PostgreSQL (use a throwaway, empty database)
#   bench/api_ingest.sh --records 20000      # a small run that checks the script works
#
# Reports the file's size, seconds, rows/s and MB/s, and the server's peak RSS. The server is
# stopped with SIGTERM and the temp dir removed on exit. RIGHTSDESK_BIN names another build
# (with --no-build).
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

POSTGRES_URL=""
RECORDS=200000
PORT=18095
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
        --postgres) POSTGRES_URL="$2"; shift 2 ;;
        --records) RECORDS="$2"; shift 2 ;;
        --port) PORT="$2"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

for tool in curl awk; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is required" >&2; exit 1; }
done

SERVER_BIN=${RIGHTSDESK_BIN:-target/release/rightsdesk}
if [ "$BUILD" = 1 ]; then
    echo "==> cargo build --release --bin rightsdesk"
    cargo build --release --bin rightsdesk
fi
[ -x "$SERVER_BIN" ] || { echo "bench: $SERVER_BIN not found (build first)" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rightsdesk-ingest.XXXXXX")
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

BASE="http://127.0.0.1:$PORT"
export RIGHTSDESK_DATA_DIR="$TMP"
export DATABASE_URL=${POSTGRES_URL:-"sqlite://$TMP/bench.db"}
export RIGHTSDESK_BIND="127.0.0.1:$PORT"
export RIGHTSDESK_PUBLIC_URL="$BASE"
export RUST_LOG=warn
unset RIGHTSDESK_SMTP_URL RIGHTSDESK_CONFIG

echo "==> generating $RECORDS records"
FILE="$TMP/records.ndjson"
awk -v n="$RECORDS" 'BEGIN {
    split("profile contact registration content preferences", cats, " ");
    for (i = 1; i <= n; i++) {
        s = int((i - 1) / 4);
        c = cats[(i % 5) + 1];
        printf "{\"email\":\"person%d@example.org\",\"source\":\"crm\",\"source_id\":\"R%d\",\"category\":\"%s\",\"payload\":{\"name\":\"Person %d\",\"city\":\"Pune\",\"phone\":\"+91 98450 %05d\",\"plan\":\"gold\",\"score\":%d,\"note\":\"imported for the benchmark\"}}\n", s, i, c, s, i % 100000, i % 1000;
    }
}' > "$FILE"
BYTES=$(wc -c < "$FILE")

timeout 120 "$SERVER_BIN" migrate > "$TMP/migrate.log" 2>&1 || { cat "$TMP/migrate.log" >&2; exit 1; }
TOKEN=$("$SERVER_BIN" api-token create --name ingest-bench --scope inventory:write 2>/dev/null)

"$SERVER_BIN" serve > "$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/healthz" || true)" = 200 ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$TMP/server.log" >&2; exit 1; }
    sleep 0.1
done

echo "==> POST /api/v1/inventory/records ($((BYTES / 1000000)) MB)"
started=$(date +%s%N)
status=$(curl -s -o "$TMP/answer.json" -w '%{http_code}' --max-time 3600 \
    -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/x-ndjson" \
    --data-binary "@$FILE" "$BASE/api/v1/inventory/records")
ended=$(date +%s%N)
[ "$status" = 200 ] || { echo "bench: HTTP $status: $(head -c 400 "$TMP/answer.json")" >&2; exit 1; }
echo "    answer: $(head -c 200 "$TMP/answer.json")"
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo "?")
awk -v ns=$((ended - started)) -v n="$RECORDS" -v b="$BYTES" -v hwm="$hwm" \
    -v backend="$([ -n "$POSTGRES_URL" ] && echo postgres || echo sqlite)" 'BEGIN {
    s = ns / 1e9;
    printf "RESULT backend=%s records=%d seconds=%.2f rows_per_sec=%.0f mb_per_sec=%.1f server_peak_rss_kib=%s\n",
        backend, n, s, n / s, b / 1e6 / s, hwm;
}'
