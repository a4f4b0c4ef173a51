#!/usr/bin/env bash
# Audit sequencer catch-up benchmark: release build, a migrated database, then a backlog of
# pending (committed, unsequenced) audit events written straight into audit_events by SQL,
# then `rightsdesk audit sequence` numbers, chains and checkpoints all of them, and
# `rightsdesk audit verify` walks the result.
#
#   bench/audit_sequencer.sh                            # SQLite in a temporary data dir
#   bench/audit_sequencer.sh --postgres URL [--reset]   # PostgreSQL (a throwaway database)
#   bench/audit_sequencer.sh --events 100000            # a smaller backlog
#
# Reports, for the sequencer and for verify: wall clock, events per second (the backlog over
# the whole process, start-up included) and peak RSS (/usr/bin/time's %M). The backlog's
# events look like a purge's: actor system, action bench.event, target retention:bench.
# Needs psql (PostgreSQL) or sqlite3 (SQLite) and /usr/bin/time. Every wait is bounded; the
# temp dir is removed on exit; PostgreSQL data is left in the database given.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

usage() {
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --postgres URL     run against PostgreSQL at URL; the database must be empty
  --reset            with --postgres: DROP SCHEMA public CASCADE; CREATE SCHEMA public first
                     (destroys everything in that database)
  --events N         pending events to sequence (default 1000000)
  --batch-size N     events per sequencer transaction (default: the command's own)
  --no-build         use the existing release binary ($CARGO_TARGET_DIR or target/)
  -h, --help         this text
EOF
}

POSTGRES_URL=""
RESET=0
EVENTS=1000000
BATCH_ARGS=()
BUILD=1

while [ $# -gt 0 ]; do
    case "$1" in
        --postgres)
            [ $# -ge 2 ] || { echo "bench: --postgres needs a URL" >&2; exit 2; }
            POSTGRES_URL="$2"
            shift 2
            ;;
        --reset) RESET=1; shift ;;
        --events)
            [ $# -ge 2 ] || { echo "bench: --events needs a number" >&2; exit 2; }
            EVENTS="$2"
            shift 2
            ;;
        --batch-size)
            [ $# -ge 2 ] || { echo "bench: --batch-size needs a number" >&2; exit 2; }
            BATCH_ARGS=(--batch-size "$2")
            shift 2
            ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done

case "$EVENTS" in
    ''|*[!0-9]*) echo "bench: --events takes a whole number" >&2; exit 2 ;;
esac
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is required (apt-get install time)" >&2; exit 1; }

TARGET_DIR=${CARGO_TARGET_DIR:-target}
SERVER_BIN=${RIGHTSDESK_BIN:-$TARGET_DIR/release/rightsdesk}
if [ "$BUILD" = 1 ]; then
    echo "==> cargo build --release --bin rightsdesk"
    cargo build --release --bin rightsdesk
fi
[ -x "$SERVER_BIN" ] || { echo "bench: $SERVER_BIN not found (build first)" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rightsdesk-audit-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

if [ -n "$POSTGRES_URL" ]; then
    BACKEND=postgres
    command -v psql >/dev/null 2>&1 || { echo "bench: psql is required for --postgres" >&2; exit 1; }
    if [ "$RESET" = 1 ]; then
        psql "$POSTGRES_URL" -q -v ON_ERROR_STOP=1 \
            -c "DROP SCHEMA public CASCADE" -c "CREATE SCHEMA public" >/dev/null
    fi
    export DATABASE_URL="$POSTGRES_URL"
else
    BACKEND=sqlite
    command -v sqlite3 >/dev/null 2>&1 || { echo "bench: sqlite3 is required" >&2; exit 1; }
    export DATABASE_URL="sqlite://$TMP/bench.db"
fi
export RIGHTSDESK_DATA_DIR="$TMP"
export RUST_LOG=warn
unset RIGHTSDESK_CONFIG RIGHTSDESK_SMTP_URL

sql() {
    if [ "$BACKEND" = postgres ]; then
        psql "$POSTGRES_URL" -q -tA -v ON_ERROR_STOP=1 -c "$1"
    else
        sqlite3 "$TMP/bench.db" "$1"
    fi
}

echo "==> backend: $BACKEND, data dir: $TMP"
echo "==> rightsdesk migrate"
timeout 300 "$SERVER_BIN" migrate >"$TMP/migrate.log" 2>&1 || { cat "$TMP/migrate.log" >&2; exit 1; }
already=$(sql "SELECT COUNT(*) FROM audit_events")
[ "$already" = 0 ] || { echo "bench: the database already holds $already audit events; use an empty one (or --reset)" >&2; exit 1; }

echo "==> writing $EVENTS pending events"
start=$(date +%s%N)
if [ "$BACKEND" = postgres ]; then
    sql "INSERT INTO audit_events (id, at, actor, action, target, details)
         SELECT gen_random_uuid()::text, now()::timestamp, 'system', 'bench.event',
                'retention:bench', '{\"n\":' || n || '}'
         FROM generate_series(1, $EVENTS) AS n"
else
    sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $EVENTS)
         INSERT INTO audit_events (id, at, actor, action, target, details)
         SELECT lower(hex(randomblob(16))), strftime('%Y-%m-%d %H:%M:%f', 'now'), 'system',
                'bench.event', 'retention:bench', '{\"n\":' || i || '}'
         FROM n"
fi
echo "    written in $(( ($(date +%s%N) - start) / 1000000 )) ms"

# Runs a command under /usr/bin/time; prints "<wall seconds> <peak RSS KiB>".
timed() {
    local log=$1
    shift
    /usr/bin/time -f '%e %M' -o "$TMP/time.out" timeout 3600 "$@" >"$log" 2>&1 || {
        echo "bench: $* failed:" >&2
        tail -n 20 "$log" >&2
        exit 1
    }
    cat "$TMP/time.out"
}

echo "==> rightsdesk audit sequence ${BATCH_ARGS[*]}"
read -r seq_secs seq_kib < <(timed "$TMP/sequence.log" "$SERVER_BIN" audit sequence "${BATCH_ARGS[@]}")
sed 's/^/    /' "$TMP/sequence.log"
pending=$(sql "SELECT COUNT(*) FROM audit_events WHERE seq IS NULL")
[ "$pending" = 0 ] || { echo "bench: $pending events are still pending after the sequencer ran" >&2; exit 1; }

echo "==> rightsdesk audit verify"
read -r verify_secs verify_kib < <(timed "$TMP/verify.log" "$SERVER_BIN" audit verify)
sed 's/^/    /' "$TMP/verify.log"

rate() {
    awk -v n="$EVENTS" -v s="$1" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "?" }'
}
mib() {
    awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}

echo
echo "==> summary ($BACKEND, $(nproc 2>/dev/null || echo '?') CPUs, $EVENTS events)"
echo "    sequence   ${seq_secs} s, $(rate "$seq_secs") events/s, peak RSS $(mib "$seq_kib") MiB"
echo "    verify     ${verify_secs} s, $(rate "$verify_secs") events/s, peak RSS $(mib "$verify_kib") MiB"
echo "BENCH backend=$BACKEND events=$EVENTS sequence_s=$seq_secs sequence_rss_kib=$seq_kib verify_s=$verify_secs verify_rss_kib=$verify_kib"
