#!/usr/bin/env bash
# Backup and restore benchmark: release build, a database filled by bench/queuegen.rs
# (1,000,000 confirmed requests by default) and by `rightsdesk import` (1,000,000 personal
# records by default, from the generator of bench/import.sh), then
#
#   rightsdesk backup --out FILE        timed, with its peak RSS
#   rightsdesk backup --verify FILE     timed, with its peak RSS
#   rightsdesk restore FILE             into a fresh database of the same backend, timed
#
#   bench/backup.sh                              # SQLite in a temporary data dir
#   bench/backup.sh --requests 20000             # a small run that checks the script works
#   bench/backup.sh --postgres URL [--reset]     # PostgreSQL (a throwaway database); the
#                                                # restore goes into its schema bench_restore
#
# MB/s is given twice: over the backup file's bytes (compressed, encrypted) and over the
# database's size (the SQLite file, or PostgreSQL's tables and indexes in the schema).
# Peak RSS is /usr/bin/time's %M. Checks: the restore reports as many rows as the backup,
# and the audit chain verifies (restore does it). Temp files are removed on exit unless
# --keep-data; PostgreSQL data is left in the database given.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

usage() {
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --postgres URL     run against PostgreSQL at URL; its schema public must be empty
  --reset            with --postgres: drop and recreate the schemas public and bench_restore
                     first (destroys everything in them)
  --requests N       requests to generate (default 1000000)
  --records N        personal records to import (default: as many as requests)
  --keep-data        keep the temporary data dir
  --no-build         use the existing release binaries ($CARGO_TARGET_DIR or target/)
  -h, --help         this text
EOF
}

POSTGRES_URL=""
RESET=0
REQUESTS=1000000
RECORDS=""
KEEP=0
BUILD=1

need_value() {
    [ "$2" -ge 2 ] || { echo "bench: $1 needs a value" >&2; exit 2; }
}

while [ $# -gt 0 ]; do
    case "$1" in
        --postgres) need_value "$1" $#; POSTGRES_URL="$2"; shift 2 ;;
        --reset) RESET=1; shift ;;
        --requests) need_value "$1" $#; REQUESTS="$2"; shift 2 ;;
        --records) need_value "$1" $#; RECORDS="$2"; shift 2 ;;
        --keep-data) KEEP=1; shift ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
RECORDS=${RECORDS:-$REQUESTS}
for value in "$REQUESTS" "$RECORDS"; do
    case "$value" in
        ''|*[!0-9]*) echo "bench: expected a whole number, got '$value'" >&2; exit 2 ;;
    esac
done
[ "$RESET" = 0 ] || [ -n "$POSTGRES_URL" ] || { echo "bench: --reset is only for --postgres" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is required (apt-get install time)" >&2; exit 1; }
if [ -n "$POSTGRES_URL" ]; then
    command -v psql >/dev/null 2>&1 || { echo "bench: psql is required for --postgres" >&2; exit 1; }
fi

TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN=${RIGHTSDESK_BIN:-$TARGET_DIR/release/rightsdesk}
QUEUEGEN_BIN=${QUEUEGEN_BIN:-$TARGET_DIR/release/examples/queuegen}
if [ "$BUILD" = 1 ]; then
    echo "==> cargo build --release --bins --example queuegen (into $TARGET_DIR)"
    cargo build --release --bins --example queuegen
fi
for bin in "$BIN" "$QUEUEGEN_BIN"; do
    [ -x "$bin" ] || { echo "bench: $bin not found (build first)" >&2; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rightsdesk-backup-bench.XXXXXX")
cleanup() {
    if [ "$KEEP" = 1 ]; then
        echo "bench: data dir kept: $TMP" >&2
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql_q() {
    timeout 600 psql "$1" -X -q -v ON_ERROR_STOP=1 -At -c "$2"
}

with_schema() {
    local separator='?'
    case "$1" in *\?*) separator='&' ;; esac
    echo "$1${separator}options=-c%20search_path%3D$2"
}

if [ -n "$POSTGRES_URL" ]; then
    BACKEND=postgres
    SOURCE_URL="$POSTGRES_URL"
    TARGET_URL=$(with_schema "$POSTGRES_URL" bench_restore)
    if [ "$RESET" = 1 ]; then
        echo "==> --reset: dropping and recreating the schemas public and bench_restore"
        psql_q "$POSTGRES_URL" "DROP SCHEMA public CASCADE; CREATE SCHEMA public; DROP SCHEMA IF EXISTS bench_restore CASCADE;"
    fi
    relations=$(psql_q "$POSTGRES_URL" "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public', 'bench_restore')")
    if [ "$relations" != "0" ]; then
        echo "bench: the database holds $relations relations in public or bench_restore; add --reset" >&2
        exit 1
    fi
    psql_q "$POSTGRES_URL" "CREATE SCHEMA bench_restore"
else
    BACKEND=sqlite
    SOURCE_URL="sqlite://$TMP/bench.db"
    TARGET_URL="sqlite://$TMP/restored.db"
fi

# Every command shares the data dir, and so the secret key file generated there.
export RIGHTSDESK_DATA_DIR="$TMP"
export RUST_LOG=warn
unset RIGHTSDESK_SMTP_URL RIGHTSDESK_CONFIG RIGHTSDESK_SECRET_KEY

database_bytes() {
    if [ "$BACKEND" = sqlite ]; then
        du -cb "${1#sqlite://}"* | tail -1 | cut -f1
    else
        psql_q "$1" "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
    fi
}

echo "==> migrate; queuegen --requests $REQUESTS"
DATABASE_URL="$SOURCE_URL" "$BIN" migrate >/dev/null
"$QUEUEGEN_BIN" --database-url "$SOURCE_URL" --requests "$REQUESTS" >"$TMP/queuegen.out" 2>"$TMP/queuegen.err" || {
    echo "bench: queuegen failed:" >&2
    tail -n 20 "$TMP/queuegen.err" >&2
    exit 1
}
grep '^GENERATED' "$TMP/queuegen.out" | sed 's/^/    /'

echo "==> import of $RECORDS personal records"
awk -v n="$RECORDS" 'BEGIN {
    split("profile contact registration content preferences", cats, " ");
    for (i = 1; i <= n; i++) {
        s = int((i - 1) / 4);
        c = cats[(i % 5) + 1];
        printf "{\"email\":\"person%d@example.org\",\"source\":\"crm\",\"source_id\":\"R%d\",\"category\":\"%s\",\"payload\":{\"name\":\"Person %d\",\"city\":\"Pune\",\"phone\":\"+91 98450 %05d\",\"plan\":\"gold\",\"score\":%d,\"note\":\"imported for the benchmark\"}}\n", s, i, c, s, i % 100000, i % 1000;
    }
}' >"$TMP/records.ndjson"
DATABASE_URL="$SOURCE_URL" "$BIN" import --format ndjson "$TMP/records.ndjson" | sed 's/^/    /'
rm -f "$TMP/records.ndjson"

DB_BYTES=$(database_bytes "$SOURCE_URL")
FILE="$TMP/bench.rdbk"

# run LABEL URL COMMAND...: times the command; sets SECS and KIB, its output in $TMP/LABEL.out.
run() {
    local label="$1" url="$2"
    shift 2
    if ! DATABASE_URL="$url" /usr/bin/time -f "%e %M" -o "$TMP/$label.time" "$BIN" "$@" \
        >"$TMP/$label.out" 2>"$TMP/$label.err"; then
        echo "bench: rightsdesk $* failed:" >&2
        tail -n 20 "$TMP/$label.err" >&2
        exit 1
    fi
    read -r SECS KIB <"$TMP/$label.time"
    sed 's/^/    /' "$TMP/$label.out"
}

mb_per_s() {
    awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0) ? b / 1e6 / s : 0 }'
}

echo "==> backup --out"
run backup "$SOURCE_URL" backup --out "$FILE"
BACKUP_SECS=$SECS BACKUP_KIB=$KIB
FILE_BYTES=$(stat -c %s "$FILE")

echo "==> backup --verify"
run verify "$SOURCE_URL" backup --verify "$FILE"
VERIFY_SECS=$SECS VERIFY_KIB=$KIB

echo "==> restore into a fresh database"
run restore "$TARGET_URL" restore "$FILE"
RESTORE_SECS=$SECS RESTORE_KIB=$KIB

backed_up=$(sed -n 's/^backed up \([0-9]*\) rows.*/\1/p' "$TMP/backup.out")
restored=$(sed -n 's/^restored \([0-9]*\) rows.*/\1/p' "$TMP/restore.out")
FAILED=0
if [ -z "$backed_up" ] || [ "$backed_up" != "$restored" ]; then
    echo "CHECK FAILED: rows backed up (${backed_up:-none}) = rows restored (${restored:-none})" >&2
    FAILED=1
fi
if ! grep -q 'audit chain intact' "$TMP/restore.out"; then
    echo "CHECK FAILED: the restored audit chain verifies" >&2
    FAILED=1
fi

echo
echo "==> summary ($BACKEND; $REQUESTS requests, $RECORDS records, $backed_up rows; database $((DB_BYTES / 1000000)) MB, backup file $((FILE_BYTES / 1000000)) MB)"
printf '    %-8s %8s %14s %14s %12s\n' step seconds 'file MB/s' 'database MB/s' 'peak RSS MiB'
for step in backup verify restore; do
    case "$step" in
        backup) s=$BACKUP_SECS k=$BACKUP_KIB ;;
        verify) s=$VERIFY_SECS k=$VERIFY_KIB ;;
        restore) s=$RESTORE_SECS k=$RESTORE_KIB ;;
    esac
    printf '    %-8s %8s %14s %14s %12s\n' "$step" "$s" "$(mb_per_s "$FILE_BYTES" "$s")" \
        "$(mb_per_s "$DB_BYTES" "$s")" "$((k / 1024))"
    echo "RESULT backend=$BACKEND step=$step rows=$backed_up secs=$s file_bytes=$FILE_BYTES db_bytes=$DB_BYTES file_mb_per_sec=$(mb_per_s "$FILE_BYTES" "$s") db_mb_per_sec=$(mb_per_s "$DB_BYTES" "$s") peak_rss_kib=$k"
done
exit "$FAILED"
