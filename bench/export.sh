#!/usr/bin/env bash
# Request-export benchmark: release build, a database filled by bench/queuegen.rs (1,000,000
# confirmed requests by default, about 85% of them closed), rate limit off, then the export of
# every request (`status=all`) in each format (csv, json, ndjson), by command line and HTTP.
#
#   bench/export.sh                             # SQLite in a temporary data dir
#   bench/export.sh --postgres URL [--reset]    # PostgreSQL (a throwaway database)
#   bench/export.sh --requests 20000 --quick    # a smaller, faster smoke run
#   bench/export.sh --sqlite-db PATH --reuse    # measure a database filled by an earlier run
#
# Command line, with the server stopped: `rightsdesk export requests --status all --out FILE`
# --runs times per format, then once to standard output piped to `wc -c`. Rows/s is the rows
# of its last line ("exported N requests to ...") over the wall clock of the whole process
# (start-up included). Peak RSS is /usr/bin/time's %M (the kernel's maximum resident set of
# the process); without /usr/bin/time, the process's VmHWM polled every 50 ms.
# HTTP: an auditor (every region, no second step) signs in through the form, then curl GETs
# /officer/exports/requests.FORMAT?status=all (body to /dev/null) --runs times per format:
# rows/s over curl's time_total, time to first byte (time_starttransfer: the status line,
# sent before the export reads anything), bytes; and once per format, by python, when the
# body's first byte arrives (after the export's first batch is written). The server
# is restarted before every HTTP export; its VmHWM is read once it is ready and idle (the
# baseline) and again after the export. VmHWM is the process's exact lifetime peak, kept by
# the kernel, so on a fresh process the second figure is that export's own peak, short
# spikes included, where VmRSS sampled every 50 ms could miss one. Both are printed.
# Checks: the CSV has rows+1 lines, each ending in CRLF; the JSON parses to rows objects; the
# NDJSON has rows lines, each an object; standard output has the file's bytes, and so has
# every HTTP body; every format's count equals the confirmed requests in the database
# (unconfirmed ones are never exported; queuegen confirms every request it writes, so after
# generating that is all of them), and the CSV's active rows equal queuegen's count. A
# failed check makes the script exit 1 after the summary. Exports are written to the temp
# dir (at a million requests the JSON is several hundred MB) and removed once checked.
# Every wait is bounded; the server is stopped and the temp dir removed on exit. PostgreSQL
# data is left in the database given. Binaries come from $CARGO_TARGET_DIR (default target/).
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

usage() {
    sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --postgres URL     run against PostgreSQL at URL; the database must be empty
  --reset            with --postgres: DROP SCHEMA public CASCADE; CREATE SCHEMA public first
                     (destroys everything in that database)
  --sqlite-db PATH   use this SQLite file instead of one in the temp dir (it is kept)
  --reuse            generate nothing: export the requests already in the database (from an
                     earlier run with --keep-data, --sqlite-db or --postgres)
  --requests N       requests to generate (default 1000000)
  --runs N           measured exports per format and way (default 3; best and median shown)
  --quick            one measured export per format and way
  --port N           listen port (default 18083)
  --keep-data        keep the temporary data dir (SQLite database, exports, logs)
  --no-build         use the existing release binaries ($CARGO_TARGET_DIR or target/)
  -h, --help         this text
EOF
}

POSTGRES_URL=""
SQLITE_DB=""
RESET=0
REUSE=0
GEN_REQUESTS=1000000
RUNS=3
PORT=18083
BUILD=1
KEEP=0
FORMATS=(csv json ndjson)
# Bounds of every wait: one export, the server's start and stop.
EXPORT_TIMEOUT=1800

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
        --quick) RUNS=1; shift ;;
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
[ "$RUNS" -ge 1 ] || { echo "bench: --runs must be at least 1" >&2; exit 2; }
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

for tool in curl timeout python3 mkfifo; do
    command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is required" >&2; exit 1; }
done
if [ -n "$POSTGRES_URL" ]; then
    command -v psql >/dev/null 2>&1 || { echo "bench: psql is required for --postgres" >&2; exit 1; }
fi
if [ -x /usr/bin/time ]; then
    RSS_METHOD="/usr/bin/time %M"
else
    RSS_METHOD="VmHWM polled every 50 ms (no /usr/bin/time: apt-get install time)"
fi

TARGET_DIR=${CARGO_TARGET_DIR:-target}
SERVER_BIN=${RIGHTSDESK_BIN:-$TARGET_DIR/release/rightsdesk}
QUEUEGEN_BIN=${QUEUEGEN_BIN:-$TARGET_DIR/release/examples/queuegen}
BASE="http://127.0.0.1:$PORT"

if [ "$BUILD" = 1 ]; then
    echo "==> cargo build --release --bins --example queuegen (into $TARGET_DIR)"
    cargo build --release --bins --example queuegen
fi
for bin in "$SERVER_BIN" "$QUEUEGEN_BIN"; do
    [ -x "$bin" ] || { echo "bench: $bin not found (build first)" >&2; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rightsdesk-export-bench.XXXXXX")
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

# The server's environment, and that of migrate, queuegen and the command-line exports
# (they share the secret key file in the data dir).
export RIGHTSDESK_DATA_DIR="$TMP"
export DATABASE_URL="$DB_URL"
export RIGHTSDESK_BIND="127.0.0.1:$PORT"
export RIGHTSDESK_PUBLIC_URL="$BASE"
export RIGHTSDESK_RATE_LIMIT=0
export RUST_LOG=warn
# The server's scheduled purge stays out of the measurements.
export RIGHTSDESK_PURGE_INTERVAL_SECS=86400
unset RIGHTSDESK_SMTP_URL RIGHTSDESK_CONFIG RIGHTSDESK_PASSWORD

now_ms() {
    local ns
    ns=$(date +%s%N)
    echo $((ns / 1000000))
}

now_ns() {
    date +%s%N
}

http_status() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true
}

hwm_kib() {
    awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || true
}

mib() { # mib KIB: KiB as MiB with one decimal
    case "$1" in
        ''|*[!0-9]*) echo "?" ;;
        *) awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' ;;
    esac
}

per_sec() { # per_sec ROWS SECONDS
    awk -v r="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", r / s; else print "?" }'
}

best_median() { # best_median VALUES...: the largest value and the median
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.0f %.0f\n", v[NR], m }'
}

server_died() {
    echo "bench: the server exited; its log:" >&2
    tail -n 40 "$TMP/server.log" >&2 || true
    SERVER_PID=""
    exit 1
}

FAILED=0
check() { # check DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        echo "    CHECK ok      $1: $3"
    else
        echo "    CHECK FAILED  $1: expected $2, got $3"
        FAILED=$((FAILED + 1))
    fi
}

field() { # field NAME FILE: the value of NAME=... on the file's GENERATED line
    sed -n "s/^GENERATED.* $1=\([^ ]*\).*/\1/p" "$2" | head -n 1
}

start_server() {
    "$SERVER_BIN" serve >>"$TMP/server.log" 2>&1 &
    SERVER_PID=$!
    local ready=0 deadline
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
}

# run_peak KIB_FILE OUT ERR COMMAND...: runs COMMAND with standard output to OUT and
# standard error to ERR, bounded by EXPORT_TIMEOUT; writes its peak RSS in KiB to KIB_FILE
# and returns its status.
run_peak() {
    local kib_file=$1 out=$2 err=$3 rc=0 pid peak="" hwm deadline
    shift 3
    if [ -x /usr/bin/time ]; then
        timeout "$EXPORT_TIMEOUT" /usr/bin/time -f '%M' -o "$kib_file.time" "$@" >"$out" 2>"$err" || rc=$?
        # After a failure, time writes "Command exited with non-zero status N" first.
        tail -n 1 "$kib_file.time" >"$kib_file"
        return "$rc"
    fi
    "$@" >"$out" 2>"$err" &
    pid=$!
    deadline=$(($(now_ms) + EXPORT_TIMEOUT * 1000))
    while kill -0 "$pid" 2>/dev/null; do
        hwm=$(hwm_kib "$pid")
        [ -z "$hwm" ] || peak=$hwm
        if [ "$(now_ms)" -ge "$deadline" ]; then
            echo "bench: $1 still running after $EXPORT_TIMEOUT s; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.05
    done
    wait "$pid" || rc=$?
    echo "$peak" >"$kib_file"
    return "$rc"
}

exported_rows() { # exported_rows ERR: N from the last line, "exported N requests to ..."
    tail -n 1 "$1" | sed -n 's/^exported \([0-9][0-9]*\) requests to .*/\1/p'
}

echo "==> backend: $BACKEND, data dir: $TMP, listening on $BASE"

echo "==> rightsdesk migrate"
timeout 300 "$SERVER_BIN" migrate >"$TMP/migrate.log" 2>&1 || {
    echo "bench: migrate failed:" >&2
    cat "$TMP/migrate.log" >&2
    exit 1
}

if [ "$REUSE" = 1 ]; then
    echo "==> queuegen --sessions-only (counting the requests in the database)"
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
if [ -z "$GEN_REQUESTS" ] || [ -z "$GEN_ACTIVE" ] || [ -z "$GEN_RATE" ]; then
    echo "bench: queuegen printed no counts:" >&2
    cat "$TMP/gen.out" >&2
    exit 1
fi

if [ "$BACKEND" = postgres ]; then
    DB_BYTES=$(psql_q "SELECT pg_database_size(current_database())")
    DB_SIZE_NOTE="database $(numfmt --to=iec "$DB_BYTES")B"
else
    DB_BYTES=$(stat -c %s "$SQLITE_FILE")
    WAL_BYTES=$(stat -c %s "$SQLITE_FILE-wal" 2>/dev/null || echo 0)
    DB_SIZE_NOTE="$(basename "$SQLITE_FILE") $(numfmt --to=iec "$DB_BYTES")B (+ WAL $(numfmt --to=iec "$WAL_BYTES")B)"
fi
# What every export must hold: the confirmed requests (unconfirmed ones are never exported).
CONFIRMED_SQL="SELECT count(*) FROM requests WHERE status <> 'unverified'"
if [ "$BACKEND" = postgres ]; then
    CONFIRMED=$(psql_q "$CONFIRMED_SQL")
elif command -v sqlite3 >/dev/null 2>&1; then
    CONFIRMED=$(timeout 600 sqlite3 -readonly "$SQLITE_FILE" "$CONFIRMED_SQL")
else
    CONFIRMED=$GEN_REQUESTS # queuegen confirms every request it writes
fi
if [ "$REUSE" = 1 ]; then
    echo "    reused: $GEN_REQUESTS requests, $CONFIRMED confirmed, ${GEN_ACTIVE} active; $DB_SIZE_NOTE"
else
    echo "    generated in ${GEN_SECS} s, ${GEN_RATE} rows/s; $GEN_REQUESTS requests, $CONFIRMED confirmed, ${GEN_ACTIVE} active; $DB_SIZE_NOTE"
fi

# The officer the HTTP exports run as: an auditor reads every region and signs in with a
# password alone. A new one each run, so that --reuse needs no password from before.
AUDITOR_EMAIL="bench-export-auditor-$(date +%s)-$$@example.test"
AUDITOR_PASSWORD=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
echo "==> rightsdesk officer create --role auditor ($AUDITOR_EMAIL)"
RIGHTSDESK_PASSWORD="$AUDITOR_PASSWORD" timeout 120 "$SERVER_BIN" officer create \
    --email "$AUDITOR_EMAIL" --name "Bench Export Auditor" --role auditor \
    >"$TMP/officer.log" 2>&1 || {
    echo "bench: officer create failed:" >&2
    cat "$TMP/officer.log" >&2
    exit 1
}

if [ "$(http_status "$BASE/healthz")" != "000" ]; then
    echo "bench: something already answers on $BASE; pick another --port" >&2
    exit 1
fi

# --- Command line -------------------------------------------------------------------------

declare -A ROWS BYTES CLI_BEST CLI_MEDIAN CLI_KIB STDOUT_RATE STDOUT_KIB STDOUT_BYTES
declare -A HTTP_BEST HTTP_MEDIAN HTTP_TTFB HTTP_FIRST_DATA HTTP_IDLE_KIB HTTP_PEAK_KIB

for format in "${FORMATS[@]}"; do
    file="$TMP/requests.$format"
    rates=()
    peak_kib=0
    for run in $(seq 1 "$RUNS"); do
        rm -f "$file"
        started=$(now_ns)
        if ! run_peak "$TMP/cli.kib" /dev/null "$TMP/cli.err" \
            "$SERVER_BIN" export requests --format "$format" --status all --out "$file"; then
            echo "bench: rightsdesk export requests --format $format failed:" >&2
            tail -n 20 "$TMP/cli.err" >&2
            exit 1
        fi
        secs=$(awk -v a="$started" -v b="$(now_ns)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
        rows=$(exported_rows "$TMP/cli.err")
        kib=$(cat "$TMP/cli.kib")
        [ -n "$rows" ] || { echo "bench: no 'exported N requests' line:" >&2; cat "$TMP/cli.err" >&2; exit 1; }
        rate=$(per_sec "$rows" "$secs")
        rates+=("$rate")
        [ "${kib:-0}" -le "$peak_kib" ] || peak_kib=$kib
        echo "==> cli $format --out, run $run/$RUNS: $rows rows in $secs s, $rate rows/s, peak RSS $(mib "$kib") MiB"
    done
    ROWS[$format]=$rows
    BYTES[$format]=$(stat -c %s "$file")
    read -r "CLI_BEST[$format]" "CLI_MEDIAN[$format]" < <(best_median "${rates[@]}")
    CLI_KIB[$format]=$peak_kib

    # Once more to standard output, through a pipe into wc -c.
    rm -f "$TMP/stdout.fifo"
    mkfifo "$TMP/stdout.fifo"
    wc -c <"$TMP/stdout.fifo" >"$TMP/stdout.bytes" &
    wc_pid=$!
    started=$(now_ns)
    if ! run_peak "$TMP/cli.kib" "$TMP/stdout.fifo" "$TMP/cli.err" \
        "$SERVER_BIN" export requests --format "$format" --status all; then
        echo "bench: rightsdesk export requests --format $format (standard output) failed:" >&2
        tail -n 20 "$TMP/cli.err" >&2
        exit 1
    fi
    wait "$wc_pid"
    secs=$(awk -v a="$started" -v b="$(now_ns)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    rows=$(exported_rows "$TMP/cli.err")
    STDOUT_RATE[$format]=$(per_sec "${rows:-0}" "$secs")
    STDOUT_KIB[$format]=$(cat "$TMP/cli.kib")
    STDOUT_BYTES[$format]=$(tr -d ' ' <"$TMP/stdout.bytes")
    echo "==> cli $format | wc -c: $rows rows, ${STDOUT_BYTES[$format]} bytes in $secs s, ${STDOUT_RATE[$format]} rows/s, peak RSS $(mib "${STDOUT_KIB[$format]}") MiB"

    echo "==> checking the $format export ($(numfmt --to=iec "${BYTES[$format]}")B)"
    check "$format rows = confirmed requests in the database" "$CONFIRMED" "${ROWS[$format]}"
    check "$format rows to standard output = rows to --out" "${ROWS[$format]}" "${rows:-none}"
    check "$format bytes to standard output = bytes of --out" "${BYTES[$format]}" "${STDOUT_BYTES[$format]}"
    case "$format" in
        csv)
            lines=$(wc -l <"$file")
            crlf=$(grep -c $'\r$' "$file" || true)
            check "csv lines = rows + 1 (header)" "$((ROWS[$format] + 1))" "$lines"
            check "csv lines ending in CRLF" "$lines" "$crlf"
            check "csv ends with CRLF" "0d0a" "$(tail -c 2 "$file" | od -An -tx1 | tr -d ' \n')"
            # What queuegen generated, as exported: requests per status (the 4th column).
            STATUS_MIX=$(awk -F, 'NR > 1 { n[$4]++ } END { for (s in n) printf "%s=%d ", s, n[s] }' "$file" \
                | tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' ')
            active=$(awk -F, 'NR > 1 && ($4 == "open" || $4 == "in_progress" || $4 == "awaiting_requester") { n++ } END { print n + 0 }' "$file")
            check "csv active rows = queuegen's active" "$GEN_ACTIVE" "$active"
            echo "    statuses: $STATUS_MIX"
            ;;
        json)
            check "json array length" "${ROWS[$format]}" \
                "$(timeout "$EXPORT_TIMEOUT" python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$file" 2>&1 | tail -n 1)"
            ;;
        ndjson)
            check "ndjson lines" "${ROWS[$format]}" "$(wc -l <"$file")"
            check "ndjson lines that are JSON objects" "${ROWS[$format]}" \
                "$(timeout "$EXPORT_TIMEOUT" python3 -c 'import json,sys; print(sum(isinstance(json.loads(l), dict) for l in open(sys.argv[1])))' "$file" 2>&1 | tail -n 1)"
            ;;
    esac
    [ "$KEEP" = 1 ] || rm -f "$file"
done
for format in json ndjson; do
    check "$format rows = csv rows" "${ROWS[csv]}" "${ROWS[$format]}"
done
[ "$REUSE" = 1 ] || check "confirmed requests = requests generated" "$GEN_REQUESTS" "$CONFIRMED"

# --- HTTP ---------------------------------------------------------------------------------

echo "==> signing in as the auditor"
start_server
JAR="$TMP/cookies.txt"
login_page=$(curl -sS --max-time 10 -c "$JAR" "$BASE/officer/login")
CSRF=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' <<<"$login_page" | head -n 1)
[ -n "$CSRF" ] || { echo "bench: no csrf_token on /officer/login" >&2; exit 1; }
login=$(curl -sS --max-time 30 -b "$JAR" -c "$JAR" -o "$TMP/login.html" \
    -w '%{http_code} %{redirect_url}' \
    --data-urlencode "email=$AUDITOR_EMAIL" --data-urlencode "password=$AUDITOR_PASSWORD" \
    --data-urlencode "csrf_token=$CSRF" "$BASE/officer/login")
if [ "$login" != "303 $BASE/officer/queue" ] || ! grep -q 'rd_session' "$JAR"; then
    echo "bench: sign-in failed (status and location: $login)" >&2
    exit 1
fi
stop_server
COOKIE=$(awk '$6 == "rd_session" { print $7 }' "$JAR" | tail -n 1)

# GET PATH with the session cookie; prints the status, the milliseconds until the body's
# first byte, and the body's length (read to the end, so that the export completes).
FIRST_BYTE_PY='
import http.client, sys, time
port, path, cookie = sys.argv[1:4]
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=1800)
started = time.perf_counter()
conn.request("GET", path, headers={"Cookie": "rd_session=" + cookie})
response = conn.getresponse()
size = len(response.read(1))
first = time.perf_counter() - started
while True:
    block = response.read(1 << 20)
    if not block:
        break
    size += len(block)
print(response.status, "%.1f" % (first * 1000), size)
'

for format in "${FORMATS[@]}"; do
    url="$BASE/officer/exports/requests.$format?status=all"
    rates=()
    ttfbs=()
    sizes=()
    HTTP_PEAK_KIB[$format]=0
    HTTP_IDLE_KIB[$format]=0
    for run in $(seq 1 "$RUNS"); do
        # A fresh server for every export: its VmHWM after the export is this export's peak.
        start_server
        sleep 1 # the start-up jobs (planner statistics) finish
        idle_kib=$(hwm_kib "$SERVER_PID")
        rc=0
        result=$(curl -sS -b "$JAR" -o /dev/null --max-time "$EXPORT_TIMEOUT" \
            -w '%{http_code} %{time_total} %{size_download} %{time_starttransfer}' "$url") || rc=$?
        kill -0 "$SERVER_PID" 2>/dev/null || server_died
        peak_kib=$(hwm_kib "$SERVER_PID")
        read -r code total size ttfb <<<"$result"
        if [ "$rc" != 0 ] || [ "$code" != 200 ]; then
            echo "bench: GET $url: curl exit $rc, status ${code:-none}; the server log ends:" >&2
            tail -n 20 "$TMP/server.log" >&2 || true
            exit 1
        fi
        if [ "$run" = "$RUNS" ]; then
            # Once per format, after the measured export and its VmHWM: when the body's first
            # byte arrives. curl's time_starttransfer is the status line's, which is sent
            # before the export has read anything.
            probe=$(timeout "$EXPORT_TIMEOUT" python3 -c "$FIRST_BYTE_PY" "$PORT" "${url#"$BASE"}" "$COOKIE") || true
            read -r probe_code probe_ms probe_size <<<"$probe"
            [ "${probe_code:-}" = 200 ] || { echo "bench: the first-byte probe of $url failed: $probe" >&2; exit 1; }
            HTTP_FIRST_DATA[$format]=$probe_ms
            sizes+=("$probe_size")
        fi
        stop_server
        rate=$(per_sec "${ROWS[$format]}" "$total")
        ttfb_ms=$(awk -v t="$ttfb" 'BEGIN { printf "%.1f", t * 1000 }')
        rates+=("$rate")
        ttfbs+=("$ttfb_ms")
        sizes+=("$size")
        if [ "${peak_kib:-0}" -gt "${HTTP_PEAK_KIB[$format]}" ]; then
            HTTP_PEAK_KIB[$format]=$peak_kib
            HTTP_IDLE_KIB[$format]=$idle_kib
        fi
        echo "==> http $format, run $run/$RUNS: $size bytes in $total s, $rate rows/s, first byte after $ttfb_ms ms; server VmHWM $(mib "$idle_kib") MiB idle, $(mib "$peak_kib") MiB after"
        if [ "$run" = "$RUNS" ]; then
            echo "==> http $format, one more export read by python: the body's first byte after $probe_ms ms"
        fi
    done
    check "HTTP $format bytes, every body = command line's" "${BYTES[$format]}" \
        "$(printf '%s\n' "${sizes[@]}" | sort -u | paste -sd ' ')"
    read -r "HTTP_BEST[$format]" "HTTP_MEDIAN[$format]" < <(best_median "${rates[@]}")
    HTTP_TTFB[$format]=$(printf '%s\n' "${ttfbs[@]}" | sort -g | awk '{ v[NR] = $1 }
        END { printf "%.1f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
done

if grep -qE 'ERROR|WARN|panicked' "$TMP/server.log"; then
    echo "==> the server logged warnings or errors (first 20 lines):"
    grep -E 'ERROR|WARN|panicked' "$TMP/server.log" | head -n 20 | sed 's/^/    /'
fi

# --- Summary ------------------------------------------------------------------------------

echo
echo "==> summary ($BACKEND, $GEN_REQUESTS requests: $CONFIRMED confirmed, $GEN_ACTIVE active; $(nproc 2>/dev/null || echo '?') CPUs, best and median of $RUNS runs)"
if [ "$REUSE" = 1 ]; then
    echo "    generator         not run (--reuse)"
else
    echo "    generator         ${GEN_RATE} rows/s (${GEN_SECS} s)"
fi
echo "    database size     $DB_SIZE_NOTE"
echo "    statuses          $STATUS_MIX"
echo "    peak RSS          command line: $RSS_METHOD; server: VmHWM of a fresh process"
echo
echo "    command line: rightsdesk export requests --format F --status all (rows/s over the process's wall clock)"
printf '    %-7s %9s %10s %12s %12s %9s %12s %9s\n' format rows bytes '--out best' '--out median' 'RSS MiB' 'stdout r/s' 'RSS MiB'
for format in "${FORMATS[@]}"; do
    printf '    %-7s %9s %10s %12s %12s %9s %12s %9s\n' "$format" "${ROWS[$format]}" \
        "$(numfmt --to=iec "${BYTES[$format]}")B" "${CLI_BEST[$format]}" "${CLI_MEDIAN[$format]}" \
        "$(mib "${CLI_KIB[$format]}")" "${STDOUT_RATE[$format]}" "$(mib "${STDOUT_KIB[$format]}")"
done
echo
echo "    HTTP: GET /officer/exports/requests.F?status=all as an auditor (rows/s over curl's time_total)"
printf '    %-7s %12s %13s %9s %9s %16s %16s\n' format 'rows/s best' 'rows/s median' 'TTFB ms' 'body ms' 'server idle MiB' 'server peak MiB'
for format in "${FORMATS[@]}"; do
    printf '    %-7s %12s %13s %9s %9s %16s %16s\n' "$format" "${HTTP_BEST[$format]}" \
        "${HTTP_MEDIAN[$format]}" "${HTTP_TTFB[$format]}" "${HTTP_FIRST_DATA[$format]}" \
        "$(mib "${HTTP_IDLE_KIB[$format]}")" "$(mib "${HTTP_PEAK_KIB[$format]}")"
done
echo "    (TTFB: curl's time_starttransfer, median: the status line, sent before the export reads"
echo "    anything; body: the body's first byte, one probe; server idle: VmHWM once ready, before"
echo "    the export; peak: VmHWM after it; both of the run with the highest peak)"
echo
for format in "${FORMATS[@]}"; do
    echo "RESULT backend=$BACKEND format=$format way=cli rows=${ROWS[$format]} bytes=${BYTES[$format]} best_rows_per_sec=${CLI_BEST[$format]} median_rows_per_sec=${CLI_MEDIAN[$format]} peak_rss_kib=${CLI_KIB[$format]} stdout_rows_per_sec=${STDOUT_RATE[$format]} stdout_peak_rss_kib=${STDOUT_KIB[$format]}"
    echo "RESULT backend=$BACKEND format=$format way=http rows=${ROWS[$format]} best_rows_per_sec=${HTTP_BEST[$format]} median_rows_per_sec=${HTTP_MEDIAN[$format]} median_ttfb_ms=${HTTP_TTFB[$format]} first_body_byte_ms=${HTTP_FIRST_DATA[$format]} server_idle_hwm_kib=${HTTP_IDLE_KIB[$format]} server_peak_hwm_kib=${HTTP_PEAK_KIB[$format]}"
done
echo "BENCH backend=$BACKEND requests=$GEN_REQUESTS confirmed=$CONFIRMED active=$GEN_ACTIVE gen_rows_per_sec=$GEN_RATE gen_secs=$GEN_SECS db_bytes=$DB_BYTES runs=$RUNS failed_checks=$FAILED"
if [ "$FAILED" -gt 0 ]; then
    echo "bench: $FAILED check(s) failed (CHECK FAILED above)" >&2
    exit 1
fi
