#!/usr/bin/env bash
# Purge benchmark: a database with officer-queue requests (bench/queuegen.rs) and 1,000,000
# personal records past their retention period, then `rightsdesk purge` while the web app
# serves the queue's first page to a reader in a loop (bench/queuebench.rs, one client).
#
#   bench/purge.sh                               # SQLite in a temporary data dir
#   bench/purge.sh --postgres URL [--reset]      # PostgreSQL (a throwaway database)
#   bench/purge.sh --records 100000 --requests 20000   # a smaller run
#
# Reports the import that fills the database, the queue's latency before the purge, the
# purge's rate (records/s, one audit event each) and peak RSS, and the queue's latency while
# the purge runs (p50/p99 of each 500-request slice, and the worst slice). The server is
# stopped and the temp dir removed on exit; PostgreSQL data is left in the database given.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

usage() {
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'USAGE'

Options:
  --postgres URL     run against PostgreSQL at URL; the database must be empty
  --reset            with --postgres: DROP SCHEMA public CASCADE; CREATE SCHEMA public first
  --records N        personal records due for purging (default 1000000)
  --requests N       requests in the queue (default 100000)
  --port N           listen port (default 18082)
  --no-build         use the existing target/release binaries
  -h, --help         this text
USAGE
}

POSTGRES_URL=""
RESET=0
RECORDS=1000000
REQUESTS=100000
PORT=18082
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
        --postgres) [ $# -ge 2 ] || { echo "bench: --postgres needs a URL" >&2; exit 2; }; POSTGRES_URL="$2"; shift 2 ;;
        --reset) RESET=1; shift ;;
        --records) [ $# -ge 2 ] || { echo "bench: --records needs a number" >&2; exit 2; }; RECORDS="$2"; shift 2 ;;
        --requests) [ $# -ge 2 ] || { echo "bench: --requests needs a number" >&2; exit 2; }; REQUESTS="$2"; shift 2 ;;
        --port) [ $# -ge 2 ] || { echo "bench: --port needs a number" >&2; exit 2; }; PORT="$2"; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
for value in "$RECORDS" "$REQUESTS" "$PORT"; do
    case "$value" in ''|*[!0-9]*) echo "bench: expected a whole number, got '$value'" >&2; exit 2 ;; esac
done
for tool in curl timeout bc /usr/bin/time; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is required" >&2; exit 1; }
done

if [ "$BUILD" = 1 ]; then
    echo "==> cargo build --release --bin rightsdesk --example queuegen --example queuebench"
    cargo build --release --quiet --bin rightsdesk --example queuegen --example queuebench
fi
BIN=target/release/rightsdesk
QUEUEGEN=target/release/examples/queuegen
QUEUEBENCH=target/release/examples/queuebench
BASE="http://127.0.0.1:$PORT"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rightsdesk-purge-bench.XXXXXX")
SERVER_PID=""
READER_PID=""
cleanup() {
    [ -z "$READER_PID" ] || kill "$READER_PID" 2>/dev/null || true
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "$POSTGRES_URL" ]; then
    DB_URL="$POSTGRES_URL"
    if [ "$RESET" = 1 ]; then
        psql "$POSTGRES_URL" -X -q -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
    fi
else
    DB_URL="sqlite://$TMP/bench.db"
fi
export DATABASE_URL="$DB_URL" RIGHTSDESK_DATA_DIR="$TMP" RIGHTSDESK_BIND="127.0.0.1:$PORT"
export RIGHTSDESK_PUBLIC_URL="$BASE" RIGHTSDESK_RATE_LIMIT=0 RUST_LOG=warn
# The server's own scheduled purge stays out of the way: this script runs the purge.
export RIGHTSDESK_PURGE_INTERVAL_SECS=86400
unset RIGHTSDESK_SMTP_URL RIGHTSDESK_CONFIG QUEUEBENCH_COOKIE

"$BIN" migrate >/dev/null
echo "==> queuegen: $REQUESTS requests"
timeout 3600 "$QUEUEGEN" --database-url "$DB_URL" --requests "$REQUESTS" >"$TMP/gen.out" 2>/dev/null
ADMIN_TOKEN=$(sed -n 's/^SESSION admin=//p' "$TMP/gen.out")
[ -n "$ADMIN_TOKEN" ] || { echo "bench: queuegen printed no session" >&2; exit 1; }

echo "==> importing $RECORDS records of cancelled accounts (due for purging)"
awk -v n="$RECORDS" 'BEGIN {
    for (s = 0; s < n / 4; s++) printf "{\"email\":\"gone%d@example.org\",\"cancelled_at\":\"2026-01-01T00:00:00Z\"}\n", s;
}' > "$TMP/subjects.ndjson"
awk -v n="$RECORDS" 'BEGIN {
    for (i = 0; i < n; i++) printf "{\"email\":\"gone%d@example.org\",\"source\":\"web\",\"source_id\":\"%d\",\"category\":\"registration\",\"payload\":{\"username\":\"user%d\",\"plan\":\"gold\"}}\n", int(i / 4), i, i;
}' > "$TMP/records.ndjson"
"$BIN" import --format ndjson --kind subjects "$TMP/subjects.ndjson" | sed 's/^/    /'
"$BIN" import --format ndjson "$TMP/records.ndjson" | sed 's/^/    /'

echo "==> starting the server"
"$BIN" serve >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/readyz" || true)" = 200 ] && break
    sleep 0.1
done

read_queue() { # read_queue LABEL REQUESTS: one measured slice of the queue's first page
    QUEUEBENCH_COOKIE="$ADMIN_TOKEN" timeout 600 "$QUEUEBENCH" --url "$BASE" --path /officer/queue \
        --concurrency 1 --requests "$2" --warmup 0 --timeout-secs 60 --label "$1" | grep '^RESULT'
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }

echo "==> the queue before the purge"
read_queue idle 1000 | tee "$TMP/idle.txt" | sed 's/^/    /'

echo "==> purging, with the queue read in a loop"
( while [ ! -e "$TMP/stop" ]; do read_queue during 500 >> "$TMP/during.txt" || true; done ) &
READER_PID=$!
/usr/bin/time -f "%e %M" -o "$TMP/purge.time" "$BIN" purge --format json > "$TMP/purge.json"
# The reader finishes its slice (every slice is measured whole), then stops.
touch "$TMP/stop"
wait "$READER_PID" 2>/dev/null || true
READER_PID=""
read -r secs max_kib < "$TMP/purge.time"
purged=$(sed -n 's/.*"registration":{[^}]*"purged":\([0-9]*\).*/\1/p' "$TMP/purge.json")
echo "    $(cat "$TMP/purge.json")"
rate=$(echo "$purged / $secs" | bc)

slices=$(wc -l < "$TMP/during.txt")
p99s=$(field p99_ms < "$TMP/during.txt" | sort -n)
p50s=$(field p50_ms < "$TMP/during.txt" | sort -n)
worst_p99=$(echo "$p99s" | tail -n 1)
median_p99=$(echo "$p99s" | sed -n "$(( (slices + 1) / 2 ))p")
median_p50=$(echo "$p50s" | sed -n "$(( (slices + 1) / 2 ))p")
echo "RESULT purge records=$purged secs=$secs records_per_sec=$rate peak_rss_mib=$(( max_kib / 1024 ))"
echo "RESULT queue_idle $(field p50_ms < "$TMP/idle.txt" | sed 's/^/p50_ms=/') $(field p99_ms < "$TMP/idle.txt" | sed 's/^/p99_ms=/')"
echo "RESULT queue_during_purge slices=$slices median_p50_ms=$median_p50 median_p99_ms=$median_p99 worst_p99_ms=$worst_p99"
if grep -qE 'ERROR|panicked' "$TMP/server.log"; then
    echo "==> the server logged errors:"; grep -E 'ERROR|panicked' "$TMP/server.log" | head -n 10
fi
