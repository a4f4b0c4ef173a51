#!/usr/bin/env bash
# Submission benchmark: release build, fresh data dir, rate limit off, then the load
# generator (bench/loadgen.rs) at 1 and 16 concurrent clients through the real form.
#
#   bench/submissions.sh                      # SQLite in a temporary data dir
#   bench/submissions.sh --postgres URL       # PostgreSQL (use a throwaway database)
#   bench/submissions.sh --quick              # fewer requests, for a smoke run
#   bench/submissions.sh --postgres URL --instances 2
#                                             # also a second server on the same database:
#                                             # 16 clients on each at once, throughputs summed
#
# Reports start-up time (launch to first 200 on /healthz), throughput and latency per
# concurrency, and the server's resident memory idle and after the run. Where the audit log
# is sequenced (an audit_checkpoints table) and psql or sqlite3 is installed, also the
# sequencer's lag: for each event of the run, the time from the event to the checkpoint of
# the batch that sequenced it (p50, p99, max).
# Every wait is bounded; the server is stopped and the temp dir removed on exit.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

usage() {
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --postgres URL     run against PostgreSQL at URL instead of a fresh SQLite file
  --quick            200 / 2000 requests instead of 2000 / 20000
  --port N           listen port (default 18080)
  --instances N      after the single-instance runs, start N-1 more servers on the same
                     database (ports PORT+1...) and run 16 clients against each at once
  --no-build         use the existing target/release binaries
  -h, --help         this text
EOF
}

POSTGRES_URL=""
PORT=18080
BUILD=1
INSTANCES=1
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
        --quick) WARMUP_REQUESTS=200; C1_REQUESTS=200; C16_REQUESTS=2000; shift ;;
        --port)
            [ $# -ge 2 ] || { echo "bench: --port needs a number" >&2; exit 2; }
            PORT="$2"
            shift 2
            ;;
        --instances)
            [ $# -ge 2 ] || { echo "bench: --instances needs a number" >&2; exit 2; }
            INSTANCES="$2"
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

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rightsdesk-bench.XXXXXX")
SERVER_PID=""
EXTRA_PIDS=()

stop_extra_servers() {
    local pid
    for pid in "${EXTRA_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${EXTRA_PIDS[@]}"; do
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    EXTRA_PIDS=()
}

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
    stop_extra_servers
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

# The server's environment (and the migrate command's).
export RIGHTSDESK_DATA_DIR="$TMP"
export DATABASE_URL="$DB_URL"
export RIGHTSDESK_BIND="127.0.0.1:$PORT"
export RIGHTSDESK_PUBLIC_URL="$BASE"
export RIGHTSDESK_RATE_LIMIT=0
export RUST_LOG=warn
unset RIGHTSDESK_SMTP_URL RIGHTSDESK_CONFIG

now_ms() {
    local ns
    ns=$(date +%s%N)
    echo $((ns / 1000000))
}

http_status() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true
}

rss_kib() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo "?"
}

hwm_kib() {
    awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo "?"
}

server_died() {
    echo "bench: the server exited; its log:" >&2
    tail -n 40 "$TMP/server.log" >&2 || true
    SERVER_PID=""
    exit 1
}

echo "==> backend: $BACKEND, data dir: $TMP, listening on $BASE"

# Migrations first, so that start-up below is the time to serve on a migrated database.
echo "==> rightsdesk migrate"
timeout 120 "$SERVER_BIN" migrate >"$TMP/migrate.log" 2>&1 || {
    echo "bench: migrate failed:" >&2
    cat "$TMP/migrate.log" >&2
    exit 1
}

if [ "$(http_status "$BASE/healthz")" != "000" ]; then
    echo "bench: something already answers on $BASE; pick another --port" >&2
    exit 1
fi

echo "==> starting the server"
start_ms=$(now_ms)
"$SERVER_BIN" serve >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

# Start-up: launch to the first 200 on /healthz (at most 30 s).
startup_ms=""
deadline=$((start_ms + 30000))
while [ "$(now_ms)" -lt "$deadline" ]; do
    kill -0 "$SERVER_PID" 2>/dev/null || server_died
    if [ "$(http_status "$BASE/healthz")" = "200" ]; then
        startup_ms=$(($(now_ms) - start_ms))
        break
    fi
    sleep 0.005
done
[ -n "$startup_ms" ] || { echo "bench: /healthz did not answer 200 within 30 s" >&2; tail -n 40 "$TMP/server.log" >&2; exit 1; }

# Readiness: /readyz 200 (database reachable, migrations applied), at most 30 s.
ready=0
deadline=$(($(now_ms) + 30000))
while [ "$(now_ms)" -lt "$deadline" ]; do
    kill -0 "$SERVER_PID" 2>/dev/null || server_died
    if [ "$(http_status "$BASE/readyz")" = "200" ]; then
        ready=1
        break
    fi
    sleep 0.1
done
[ "$ready" = 1 ] || { echo "bench: /readyz did not answer 200 within 30 s" >&2; tail -n 40 "$TMP/server.log" >&2; exit 1; }

sleep 1
rss_idle=$(rss_kib "$SERVER_PID")
echo "    start-up ${startup_ms} ms, idle RSS ${rss_idle} KiB"

# Each run is bounded by its request count, the per-request timeout and this wall clock.
run_loadgen() {
    local concurrency=$1 requests=$2 out=$3
    if ! timeout 900 "$LOADGEN_BIN" --url "$BASE" --concurrency "$concurrency" \
        --requests "$requests" --timeout-secs 30 | tee "$out"; then
        echo "bench: loadgen failed at concurrency $concurrency; the server log ends:" >&2
        tail -n 20 "$TMP/server.log" >&2 || true
        exit 1
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || server_died
}

echo "==> warm-up: $WARMUP_REQUESTS requests at concurrency 4"
run_loadgen 4 "$WARMUP_REQUESTS" "$TMP/warmup.out" >/dev/null
grep '^RESULT' "$TMP/warmup.out" | sed 's/^/    /'

echo "==> concurrency 1: $C1_REQUESTS requests"
run_loadgen 1 "$C1_REQUESTS" "$TMP/c1.out"

echo "==> concurrency 16: $C16_REQUESTS requests"
run_loadgen 16 "$C16_REQUESTS" "$TMP/c16.out"

rss_after=$(rss_kib "$SERVER_PID")
rss_peak=$(hwm_kib "$SERVER_PID")

# Several instances on one database: each further server gets its own port and data dir
# (the same secret key, as a real deployment shares it), then every instance takes 16
# clients at once; the throughputs are summed.
if [ "$INSTANCES" -gt 1 ]; then
    if [ -s "$TMP/secret_key" ]; then
        RIGHTSDESK_SECRET_KEY=$(cat "$TMP/secret_key")
        export RIGHTSDESK_SECRET_KEY
    fi
    for n in $(seq 1 $((INSTANCES - 1))); do
        port=$((PORT + n))
        mkdir -p "$TMP/instance-$n"
        RIGHTSDESK_DATA_DIR="$TMP/instance-$n" RIGHTSDESK_BIND="127.0.0.1:$port" \
            RIGHTSDESK_PUBLIC_URL="http://127.0.0.1:$port" \
            "$SERVER_BIN" serve >"$TMP/server-$n.log" 2>&1 &
        EXTRA_PIDS+=("$!")
        ready=0
        for _ in $(seq 1 300); do
            if [ "$(http_status "http://127.0.0.1:$port/readyz")" = "200" ]; then
                ready=1
                break
            fi
            sleep 0.1
        done
        [ "$ready" = 1 ] || { echo "bench: instance $n did not become ready" >&2; tail -n 20 "$TMP/server-$n.log" >&2; exit 1; }
    done
    echo "==> $INSTANCES instances at once: 16 clients each, $C16_REQUESTS requests each"
    loadgen_pids=()
    for n in $(seq 0 $((INSTANCES - 1))); do
        timeout 900 "$LOADGEN_BIN" --url "http://127.0.0.1:$((PORT + n))" --concurrency 16 \
            --requests "$C16_REQUESTS" --timeout-secs 30 >"$TMP/multi-$n.out" 2>&1 &
        loadgen_pids+=("$!")
    done
    for pid in "${loadgen_pids[@]}"; do
        wait "$pid" || { echo "bench: a loadgen of the several-instance run failed" >&2; cat "$TMP"/multi-*.out >&2; exit 1; }
    done
    grep -h '^RESULT' "$TMP"/multi-*.out | sed 's/^/    /'
    multi_rps=$(grep -h '^RESULT' "$TMP"/multi-*.out | sed -n 's/.* rps=\([0-9.]*\).*/\1/p' \
        | awk '{ sum += $1 } END { printf "%.0f", sum }')
    stop_extra_servers
fi

if grep -qE 'ERROR|panicked' "$TMP/server.log"; then
    echo "==> the server logged errors (first 20 lines):"
    grep -E 'ERROR|panicked' "$TMP/server.log" | head -n 20 | sed 's/^/    /'
fi

stop_server

# Sequencer lag, read from the database once every server has stopped (each sequences what
# is pending before it exits).
db_query() {
    if [ "$BACKEND" = postgres ]; then
        command -v psql >/dev/null 2>&1 && psql "$DB_URL" -tA -c "$1" 2>/dev/null
    else
        command -v sqlite3 >/dev/null 2>&1 && sqlite3 "$TMP/bench.db" "$1" 2>/dev/null
    fi
}
lag_summary="not measured (no audit_checkpoints table, or no psql/sqlite3)"
if [ "$BACKEND" = postgres ]; then
    lag_ms="EXTRACT(EPOCH FROM (c.at - e.at)) * 1000"
else
    lag_ms="(julianday(c.at) - julianday(e.at)) * 86400000"
fi
if lags=$(db_query "SELECT $lag_ms FROM audit_events e JOIN audit_checkpoints c
        ON c.seq = (SELECT MIN(k.seq) FROM audit_checkpoints k WHERE k.seq >= e.seq)
        WHERE e.seq IS NOT NULL AND e.key_id IS NOT NULL") && [ -n "$lags" ]; then
    lag_summary=$(printf '%s\n' "$lags" | sort -g | awk '
        { v[NR] = $1 }
        END {
            p50 = v[int((NR - 1) * 0.50) + 1]; p99 = v[int((NR - 1) * 0.99) + 1]
            printf "%d events: p50 %.0f ms, p99 %.0f ms, max %.0f ms", NR, p50, p99, v[NR]
        }')
    pending=$(db_query "SELECT COUNT(*) FROM audit_events WHERE seq IS NULL")
    lag_summary="$lag_summary; pending after stop: ${pending:-?}"
fi

kib_to_mib() {
    case "$1" in
        ''|*[!0-9]*) echo "?" ;;
        *) awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' ;;
    esac
}

echo
echo "==> summary ($BACKEND, $(nproc 2>/dev/null || echo '?') CPUs)"
echo "    start-up          ${startup_ms} ms (launch to first 200 on /healthz)"
echo "    RSS idle          $(kib_to_mib "$rss_idle") MiB"
echo "    RSS after run     $(kib_to_mib "$rss_after") MiB (peak $(kib_to_mib "$rss_peak") MiB)"
grep -h '^RESULT' "$TMP/c1.out" "$TMP/c16.out" | sed 's/^/    /'
if [ "$INSTANCES" -gt 1 ]; then
    echo "    $INSTANCES instances x 16 clients: ${multi_rps} req/s in all"
fi
echo "    sequencer lag     $lag_summary"
echo "BENCH backend=$BACKEND startup_ms=$startup_ms rss_idle_kib=$rss_idle rss_after_kib=$rss_after rss_peak_kib=$rss_peak"
