#!/usr/bin/env bash
# Officer-queue benchmark: release build, a database filled by bench/queuegen.rs (1,000,000
# requests by default), rate limit off, then bench/queuebench.rs reading queue pages as an
# admin (all regions) and as an officer of region `in`, at 1 and 8 concurrent clients.
#
#   bench/queue.sh                              # SQLite in a temporary data dir
#   bench/queue.sh --postgres URL [--reset]     # PostgreSQL (a throwaway database)
#   bench/queue.sh --requests 100000 --quick    # a smaller, faster smoke run
#   bench/queue.sh --sqlite-db PATH --reuse     # measure a database filled by an earlier run
#
# Pages: the first page, a deep keyset page (90% into the active set), a filtered page and
# a search by reference. Reports the generator's rows/s, the database size, and latency
# (p50/p90/p99/max) and throughput per page. Every wait is bounded; the server is stopped
# and the temp dir removed on exit. PostgreSQL data is left in the database given.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --postgres URL     run against PostgreSQL at URL; the database must be empty
  --reset            with --postgres: DROP SCHEMA public CASCADE; CREATE SCHEMA public first
                     (destroys everything in that database)
  --sqlite-db PATH   use this SQLite file instead of one in the temp dir (it is kept)
  --reuse            generate nothing: measure the requests already in the database (from
                     an earlier run with --keep-data, --sqlite-db or --postgres), with fresh
                     sessions for its officers
  --requests N       requests to generate (default 1000000)
  --runs N           measured GETs per page and concurrency (default 1000)
  --quick            100 measured GETs per page and concurrency
  --port N           listen port (default 18081)
  --keep-data        keep the temporary data dir (SQLite database, logs) for inspection
  --no-build         use the existing target/release binaries
  -h, --help         this text
EOF
}

POSTGRES_URL=""
SQLITE_DB=""
RESET=0
REUSE=0
GEN_REQUESTS=1000000
RUNS=1000
PORT=18081
BUILD=1
KEEP=0

need_value() {
    [ "$2" -ge 2 ] || { echo "bench: $1 needs a value" >&2; exit 2; }
}

while [ $# -gt 0 ]; do
    case "$1" in
        --postgres) need_value "$1" $#; POSTGRES_URL="$2"; shift 2 ;;
        --postgres=*) POSTGRES_URL="${1#*=}"; shift ;;
        --reset) RESET=1; shift ;;
        --sqlite-db) need_value "$1" $#; SQLITE_DB="$2"; shift 2 ;;
        --reuse) REUSE=1; shift ;;
        --requests) need_value "$1" $#; GEN_REQUESTS="$2"; shift 2 ;;
        --runs) need_value "$1" $#; RUNS="$2"; shift 2 ;;
        --quick) RUNS=100; shift ;;
        --port) need_value "$1" $#; PORT="$2"; shift 2 ;;
        --keep-data) KEEP=1; shift ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

for value in "$GEN_REQUESTS" "$RUNS" "$PORT"; do
    case "$value" in
        ''|*[!0-9]*) echo "bench: expected a whole number, got '$value'" >&2; exit 2 ;;
    esac
done
[ "$RESET" = 0 ] || [ -n "$POSTGRES_URL" ] || { echo "bench: --reset is only for --postgres" >&2; exit 2; }
[ "$RESET" = 0 ] || [ "$REUSE" = 0 ] || { echo "bench: --reset and --reuse exclude each other" >&2; exit 2; }
[ -z "$SQLITE_DB" ] || [ -z "$POSTGRES_URL" ] || { echo "bench: --sqlite-db or --postgres, not both" >&2; exit 2; }
if [ -n "$SQLITE_DB" ]; then
    SQLITE_DB=$(readlink -f "$SQLITE_DB")
    if [ "$REUSE" = 1 ] && [ ! -s "$SQLITE_DB" ]; then
        echo "bench: --reuse: $SQLITE_DB does not exist or is empty" >&2
        exit 2
    elif [ "$REUSE" = 0 ] && [ -e "$SQLITE_DB" ]; then
        echo "bench: $SQLITE_DB exists; add --reuse to measure it, or name a new file" >&2
        exit 2
    fi
elif [ "$REUSE" = 1 ] && [ -z "$POSTGRES_URL" ]; then
    echo "bench: --reuse needs --sqlite-db PATH or --postgres URL" >&2
    exit 2
fi

for tool in curl timeout; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is required" >&2; exit 1; }
done
if [ -n "$POSTGRES_URL" ]; then
    command -v psql >/dev/null 2>&1 || { echo "bench: psql is required for --postgres" >&2; exit 1; }
fi

SERVER_BIN=${RIGHTSDESK_BIN:-target/release/rightsdesk}
QUEUEGEN_BIN=${QUEUEGEN_BIN:-target/release/examples/queuegen}
QUEUEBENCH_BIN=${QUEUEBENCH_BIN:-target/release/examples/queuebench}
BASE="http://127.0.0.1:$PORT"

if [ "$BUILD" = 1 ]; then
    echo "==> cargo build --release --bin rightsdesk --example queuegen --example queuebench"
    cargo build --release --bin rightsdesk --example queuegen --example queuebench
fi
for bin in "$SERVER_BIN" "$QUEUEGEN_BIN" "$QUEUEBENCH_BIN"; do
    [ -x "$bin" ] || { echo "bench: $bin not found (build first)" >&2; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rightsdesk-queue-bench.XXXXXX")
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
    if [ "$KEEP" = 1 ]; then
        echo "bench: data dir kept: $TMP" >&2
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql_q() {
    timeout 600 psql "$POSTGRES_URL" -X -q -v ON_ERROR_STOP=1 -At -c "$1"
}

if [ -n "$POSTGRES_URL" ]; then
    BACKEND=postgres
    DB_URL="$POSTGRES_URL"
    psql_q "SELECT 1" >/dev/null || { echo "bench: cannot connect to $POSTGRES_URL" >&2; exit 1; }
    if [ "$RESET" = 1 ]; then
        echo "==> --reset: DROP SCHEMA public CASCADE; CREATE SCHEMA public"
        psql_q "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
    fi
    relations=$(psql_q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")
    if [ "$REUSE" = 0 ] && [ "$relations" != "0" ]; then
        echo "bench: the database at --postgres holds $relations relations in schema public;" >&2
        echo "       give an empty throwaway database, or add --reset to wipe this one" >&2
        exit 1
    fi
else
    BACKEND=sqlite
    SQLITE_FILE=${SQLITE_DB:-$TMP/bench.db}
    DB_URL="sqlite://$SQLITE_FILE"
fi

# The server's environment (and migrate's and queuegen's: they share the secret key file).
export RIGHTSDESK_DATA_DIR="$TMP"
export DATABASE_URL="$DB_URL"
export RIGHTSDESK_BIND="127.0.0.1:$PORT"
export RIGHTSDESK_PUBLIC_URL="$BASE"
export RIGHTSDESK_RATE_LIMIT=0
export RUST_LOG=warn
unset RIGHTSDESK_SMTP_URL RIGHTSDESK_CONFIG QUEUEBENCH_COOKIE

now_ms() {
    local ns
    ns=$(date +%s%N)
    echo $((ns / 1000000))
}

http_status() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true
}

server_died() {
    echo "bench: the server exited; its log:" >&2
    tail -n 40 "$TMP/server.log" >&2 || true
    SERVER_PID=""
    exit 1
}

field() { # field NAME FILE: the value of NAME=... on the file's GENERATED line
    sed -n "s/^GENERATED.* $1=\([^ ]*\).*/\1/p" "$2" | head -n 1
}

echo "==> backend: $BACKEND, data dir: $TMP, listening on $BASE"

echo "==> rightsdesk migrate"
timeout 300 "$SERVER_BIN" migrate >"$TMP/migrate.log" 2>&1 || {
    echo "bench: migrate failed:" >&2
    cat "$TMP/migrate.log" >&2
    exit 1
}

if [ "$REUSE" = 1 ]; then
    echo "==> queuegen --sessions-only (reusing the requests in the database)"
    timeout 600 "$QUEUEGEN_BIN" --database-url "$DB_URL" --sessions-only >"$TMP/gen.out" || {
        echo "bench: queuegen --sessions-only failed" >&2
        exit 1
    }
    GEN_REQUESTS=$(sed -n 's/^EXISTING requests=\([0-9]*\).*/\1/p' "$TMP/gen.out")
    GEN_ACTIVE=$(sed -n 's/^EXISTING.* active=\([0-9]*\).*/\1/p' "$TMP/gen.out")
    GEN_RATE="n/a"
    GEN_SECS="n/a"
else
    echo "==> queuegen: $GEN_REQUESTS requests"
    if ! timeout 7200 "$QUEUEGEN_BIN" --database-url "$DB_URL" --requests "$GEN_REQUESTS" \
        >"$TMP/gen.out" 2> >(tee "$TMP/gen.err" >&2); then
        echo "bench: queuegen failed" >&2
        exit 1
    fi
    GEN_RATE=$(field rows_per_sec "$TMP/gen.out")
    GEN_SECS=$(field secs "$TMP/gen.out")
    GEN_ACTIVE=$(field active "$TMP/gen.out")
fi
ADMIN_TOKEN=$(sed -n 's/^SESSION admin=//p' "$TMP/gen.out")
OFFICER_TOKEN=$(sed -n 's/^SESSION officer=//p' "$TMP/gen.out")
[ -n "$ADMIN_TOKEN" ] && [ -n "$OFFICER_TOKEN" ] && [ -n "$GEN_RATE" ] || {
    echo "bench: queuegen printed no sessions:" >&2
    cat "$TMP/gen.out" >&2
    exit 1
}

if [ "$BACKEND" = postgres ]; then
    DB_BYTES=$(psql_q "SELECT pg_database_size(current_database())")
    TABLE_BYTES=$(psql_q "SELECT pg_relation_size('requests')")
    INDEX_BYTES=$(psql_q "SELECT pg_indexes_size('requests')")
    DB_SIZE_NOTE="database $(numfmt --to=iec "$DB_BYTES")B; requests heap $(numfmt --to=iec "$TABLE_BYTES")B + indexes $(numfmt --to=iec "$INDEX_BYTES")B"
else
    DB_BYTES=$(stat -c %s "$SQLITE_FILE")
    WAL_BYTES=$(stat -c %s "$SQLITE_FILE-wal" 2>/dev/null || echo 0)
    DB_SIZE_NOTE="$(basename "$SQLITE_FILE") $(numfmt --to=iec "$DB_BYTES")B (+ WAL $(numfmt --to=iec "$WAL_BYTES")B)"
fi
echo "    generated in ${GEN_SECS} s, ${GEN_RATE} rows/s; $GEN_REQUESTS requests, ${GEN_ACTIVE} active; $DB_SIZE_NOTE"

# Deep keyset pages: the cursor after the active request 90% of the way down each queue.
# The officer's search looks up that request's reference (an active request in `in`, so
# the admin finds it too).
timeout 600 "$QUEUEGEN_BIN" --database-url "$DB_URL" --cursor-at 0.9 >"$TMP/cursor-admin.out"
timeout 600 "$QUEUEGEN_BIN" --database-url "$DB_URL" --cursor-at 0.9 --regime in >"$TMP/cursor-officer.out"
ADMIN_CURSOR=$(sed -n 's/^CURSOR //p' "$TMP/cursor-admin.out")
OFFICER_CURSOR=$(sed -n 's/^CURSOR //p' "$TMP/cursor-officer.out")
REFERENCE=$(sed -n 's/^REFERENCE //p' "$TMP/cursor-officer.out")
[ -n "$ADMIN_CURSOR" ] && [ -n "$OFFICER_CURSOR" ] && [ -n "$REFERENCE" ] || {
    echo "bench: queuegen --cursor-at printed no cursor" >&2
    exit 1
}

if [ "$(http_status "$BASE/healthz")" != "000" ]; then
    echo "bench: something already answers on $BASE; pick another --port" >&2
    exit 1
fi

echo "==> starting the server"
"$SERVER_BIN" serve >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
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

# One measurement: bounded by its request count, the per-request timeout and this clock.
measure() {
    local who=$1 page=$2 path=$3 concurrency=$4 token out
    case "$who" in
        admin) token=$ADMIN_TOKEN ;;
        *) token=$OFFICER_TOKEN ;;
    esac
    out="$TMP/$who-$page-c$concurrency.out"
    echo "==> $who $page, concurrency $concurrency: GET $path"
    if ! QUEUEBENCH_COOKIE="$token" timeout 1800 "$QUEUEBENCH_BIN" --url "$BASE" \
        --path "$path" --concurrency "$concurrency" --requests "$RUNS" --warmup 10 \
        --timeout-secs 60 --label "$who-$page" >"$out"; then
        cat "$out" >&2 || true
        echo "bench: queuebench failed for $who $page at concurrency $concurrency; the server log ends:" >&2
        tail -n 20 "$TMP/server.log" >&2 || true
        exit 1
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || server_died
    grep -E '^RESULT' "$out" | sed 's/^/    /'
}

# Page by page, admin then officer, so that neither session sits idle for long (sessions
# end after 30 idle minutes).
declare -a CASES=(
    "admin first /officer/queue"
    "officer first /officer/queue"
    "admin deep /officer/queue?after=$ADMIN_CURSOR"
    "officer deep /officer/queue?after=$OFFICER_CURSOR"
    "admin filtered /officer/queue?kind=erasure&regime=eu"
    "officer filtered /officer/queue?assignee=unassigned"
    "admin search /officer/queue?q=$REFERENCE"
    "officer search /officer/queue?q=$REFERENCE"
)
for case_line in "${CASES[@]}"; do
    read -r who page path <<<"$case_line"
    for concurrency in 1 8; do
        measure "$who" "$page" "$path" "$concurrency"
    done
done

if grep -qE 'ERROR|panicked' "$TMP/server.log"; then
    echo "==> the server logged errors (first 20 lines):"
    grep -E 'ERROR|panicked' "$TMP/server.log" | head -n 20 | sed 's/^/    /'
fi
stop_server

value() { # value NAME FILE: NAME=... from the file's RESULT line
    sed -n "s/^RESULT.* $1=\([^ ]*\).*/\1/p" "$2" | head -n 1
}

echo
echo "==> summary ($BACKEND, $GEN_REQUESTS requests of which $GEN_ACTIVE active, $(nproc 2>/dev/null || echo '?') CPUs, $RUNS GETs per row)"
if [ "$REUSE" = 1 ]; then
    echo "    generator         not run (--reuse)"
else
    echo "    generator         ${GEN_RATE} rows/s (${GEN_SECS} s)"
fi
echo "    database size     $DB_SIZE_NOTE"
echo "    searched for      $REFERENCE"
echo
printf '    %-8s %-9s %5s %9s %9s %9s %9s %9s %5s\n' who page conc 'req/s' 'p50 ms' 'p90 ms' 'p99 ms' 'max ms' rows
for case_line in "${CASES[@]}"; do
    read -r who page _ <<<"$case_line"
    for concurrency in 1 8; do
        out="$TMP/$who-$page-c$concurrency.out"
        printf '    %-8s %-9s %5s %9s %9s %9s %9s %9s %5s\n' "$who" "$page" "$concurrency" \
            "$(value rps "$out")" "$(value p50_ms "$out")" "$(value p90_ms "$out")" \
            "$(value p99_ms "$out")" "$(value max_ms "$out")" "$(value rows "$out")"
    done
done
echo
for case_line in "${CASES[@]}"; do
    read -r who page _ <<<"$case_line"
    for concurrency in 1 8; do
        sed -n "s/^RESULT /RESULT backend=$BACKEND who=$who page=$page /p" \
            "$TMP/$who-$page-c$concurrency.out"
    done
done
echo "BENCH backend=$BACKEND requests=$GEN_REQUESTS active=$GEN_ACTIVE gen_rows_per_sec=$GEN_RATE gen_secs=$GEN_SECS db_bytes=$DB_BYTES runs=$RUNS"
