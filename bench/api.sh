#!/usr/bin/env bash
# API intake benchmark: release build, fresh data dir, an API token with requests:write made
# with the CLI, the token's rate limit off, then the load generator (bench/loadgen.rs with
# --api-token) recording requests through POST /api/v1/requests at 1 and 16 concurrent
# clients, the same client as bench/submissions.sh.
#
#   bench/api.sh                       # SQLite in a temporary data dir
#   bench/api.sh --postgres URL        # PostgreSQL (use a throwaway database)
#   bench/api.sh --quick               # fewer requests, for a smoke run
#
# Reports throughput and latency per concurrency. Every wait is bounded; the server is
# stopped with SIGTERM and the temp dir removed on exit. RIGHTSDESK_BIN and LOADGEN_BIN name
# other builds (with --no-build).
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

usage() {
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'USAGE'

Options:
  --postgres URL     run against PostgreSQL at URL instead of a fresh SQLite file
  --quick            100 / 1000 requests instead of 2000 / 20000
  --port N           listen port (default 18090)
  --no-build         use the existing binaries
  -h, --help         this text
USAGE
}

POSTGRES_URL=""
PORT=18090
BUILD=1
WARMUP_REQUESTS=1000
C1_REQUESTS=2000
C16_REQUESTS=20000

while [ $# -gt 0 ]; do
    case "$1" in
        --postgres)
            [ $# -ge 2 ] || { echo "bench: --postgres needs a URL" >&2; exit 2; }
            POSTGRES_URL="$2"
            shift 2
            ;;
        --postgres=*) POSTGRES_URL="${1#*=}"; shift ;;
        --quick) WARMUP_REQUESTS=100; C1_REQUESTS=100; C16_REQUESTS=1000; shift ;;
        --port)
            [ $# -ge 2 ] || { echo "bench: --port needs a number" >&2; exit 2; }
            PORT="$2"
            shift 2
            ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

for tool in curl timeout; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is required" >&2; exit 1; }
done

SERVER_BIN=${RIGHTSDESK_BIN:-target/release/rightsdesk}
LOADGEN_BIN=${LOADGEN_BIN:-target/release/examples/loadgen}
BASE="http://127.0.0.1:$PORT"

if [ "$BUILD" = 1 ]; then
    echo "==> cargo build --release --bin rightsdesk --example loadgen"
    cargo build --release --bin rightsdesk --example loadgen
fi
[ -x "$SERVER_BIN" ] || { echo "bench: $SERVER_BIN not found (build first)" >&2; exit 1; }
[ -x "$LOADGEN_BIN" ] || { echo "bench: $LOADGEN_BIN not found (build first)" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rightsdesk-api-bench.XXXXXX")
SERVER_PID=""

stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "bench: server did not stop within 10 s; killing it" >&2
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

cleanup() {
    stop_server
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "$POSTGRES_URL" ]; then
    BACKEND=postgres
    DB_URL="$POSTGRES_URL"
else
    BACKEND=sqlite
    DB_URL="sqlite://$TMP/bench.db"
fi

export RIGHTSDESK_DATA_DIR="$TMP"
export DATABASE_URL="$DB_URL"
export RIGHTSDESK_BIND="127.0.0.1:$PORT"
export RIGHTSDESK_PUBLIC_URL="$BASE"
# One token does all the work: its rate is not what is measured.
export RIGHTSDESK_API_RATE_PER_MINUTE=100000000
export RUST_LOG=warn
unset RIGHTSDESK_SMTP_URL RIGHTSDESK_CONFIG

http_status() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true
}

echo "==> backend: $BACKEND, data dir: $TMP, listening on $BASE"
if [ "$(http_status "$BASE/healthz")" != "000" ]; then
    echo "bench: something already answers on $BASE; pick another --port" >&2
    exit 1
fi

echo "==> rightsdesk migrate; api-token create --scope requests:write"
timeout 120 "$SERVER_BIN" migrate >"$TMP/migrate.log" 2>&1 || {
    echo "bench: migrate failed:" >&2
    cat "$TMP/migrate.log" >&2
    exit 1
}
LOADGEN_API_TOKEN=$(timeout 60 "$SERVER_BIN" api-token create --name bench --scope requests:write 2>/dev/null)
export LOADGEN_API_TOKEN

echo "==> starting the server"
"$SERVER_BIN" serve >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
ready=0
for _ in $(seq 1 300); do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 40 "$TMP/server.log" >&2; SERVER_PID=""; exit 1; }
    if [ "$(http_status "$BASE/readyz")" = "200" ]; then
        ready=1
        break
    fi
    sleep 0.1
done
[ "$ready" = 1 ] || { echo "bench: /readyz did not answer 200 within 30 s" >&2; tail -n 40 "$TMP/server.log" >&2; exit 1; }

run_loadgen() {
    local concurrency=$1 requests=$2 out=$3
    if ! timeout 900 "$LOADGEN_BIN" --url "$BASE" --concurrency "$concurrency" \
        --requests "$requests" --timeout-secs 30 | tee "$out"; then
        echo "bench: loadgen failed at concurrency $concurrency; the server log ends:" >&2
        tail -n 20 "$TMP/server.log" >&2 || true
        exit 1
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "bench: the server exited" >&2; tail -n 40 "$TMP/server.log" >&2; SERVER_PID=""; exit 1; }
}

echo "==> warm-up: $WARMUP_REQUESTS requests at concurrency 4"
run_loadgen 4 "$WARMUP_REQUESTS" "$TMP/warmup.out" >/dev/null
grep '^RESULT' "$TMP/warmup.out" | sed 's/^/    /'

echo "==> concurrency 1: $C1_REQUESTS requests"
run_loadgen 1 "$C1_REQUESTS" "$TMP/c1.out"

echo "==> concurrency 16: $C16_REQUESTS requests"
run_loadgen 16 "$C16_REQUESTS" "$TMP/c16.out"

if grep -qE 'ERROR|panicked' "$TMP/server.log"; then
    echo "==> the server logged errors (first 20 lines):"
    grep -E 'ERROR|panicked' "$TMP/server.log" | head -n 20 | sed 's/^/    /'
fi
stop_server

echo
echo "==> summary ($BACKEND, $(nproc 2>/dev/null || echo '?') CPUs): POST /api/v1/requests"
for f in c1 c16; do
    grep -h '^RESULT' "$TMP/$f.out" | sed 's/^/    /'
done
