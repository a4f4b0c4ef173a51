#!/usr/bin/env bash
# Import benchmark: release build, a generated NDJSON file of personal records, then
# `rightsdesk import` into a fresh database, timed, with its peak resident memory.
#
#   bench/import.sh                              # 1,000,000 records into SQLite
#   bench/import.sh --postgres URL [--reset]     # into PostgreSQL (a throwaway database)
#   bench/import.sh --records 100000             # a smaller run
#   bench/import.sh --gigabytes 1                # a file of about 1 GB (records grow to fit)
#
# Each record belongs to one of records/4 subjects and carries a payload of about 150
# bytes. Reports the file size, rows/s, elapsed seconds and peak RSS (from /usr/bin/time),
# then re-imports the same file to measure the unchanged-row path. Temp files are removed
# on exit; PostgreSQL data is left in the database given.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'USAGE'

Options:
  --postgres URL     import into PostgreSQL at URL; the database must be empty
  --reset            with --postgres: DROP SCHEMA public CASCADE; CREATE SCHEMA public first
  --records N        records to generate (default 1000000)
  --gigabytes N      generate records until the file holds about N GB (overrides --records)
  --no-reimport      skip the second, unchanged import
  --no-build         use the existing target/release binary
  -h, --help         this text
USAGE
}

POSTGRES_URL=""
RESET=0
RECORDS=1000000
GIGABYTES=""
REIMPORT=1
BUILD=1

while [ $# -gt 0 ]; do
    case "$1" in
        --postgres) [ $# -ge 2 ] || { echo "bench: --postgres needs a URL" >&2; exit 2; }; POSTGRES_URL="$2"; shift 2 ;;
        --reset) RESET=1; shift ;;
        --records) [ $# -ge 2 ] || { echo "bench: --records needs a number" >&2; exit 2; }; RECORDS="$2"; shift 2 ;;
        --gigabytes) [ $# -ge 2 ] || { echo "bench: --gigabytes needs a number" >&2; exit 2; }; GIGABYTES="$2"; shift 2 ;;
        --no-reimport) REIMPORT=0; shift ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$RECORDS" in ''|*[!0-9]*) echo "bench: --records expects a whole number" >&2; exit 2 ;; esac
if [ -n "$GIGABYTES" ]; then
    case "$GIGABYTES" in ''|*[!0-9]*) echo "bench: --gigabytes expects a whole number" >&2; exit 2 ;; esac
    # About 235 bytes a line.
    RECORDS=$(( GIGABYTES * 1000000000 / 235 ))
fi
[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/rightsdesk-import.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

if [ "$BUILD" = 1 ]; then
    echo "==> building (release)"
    cargo build --release --quiet --bin rightsdesk
fi
BIN="target/release/rightsdesk"

if [ -n "$POSTGRES_URL" ]; then
    export DATABASE_URL="$POSTGRES_URL"
    if [ "$RESET" = 1 ]; then
        psql "$POSTGRES_URL" -q -c "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
    fi
else
    export DATABASE_URL="sqlite://$WORK/data/rightsdesk.db"
fi
export RIGHTSDESK_DATA_DIR="$WORK/data"
export RUST_LOG=warn
"$BIN" migrate >/dev/null

FILE="$WORK/records.ndjson"
echo "==> generating $RECORDS records"
gen_started=$(date +%s.%N)
awk -v n="$RECORDS" 'BEGIN {
    split("profile contact registration content preferences", cats, " ");
    for (i = 1; i <= n; i++) {
        s = int((i - 1) / 4);
        c = cats[(i % 5) + 1];
        printf "{\"email\":\"person%d@example.org\",\"source\":\"crm\",\"source_id\":\"R%d\",\"category\":\"%s\",\"payload\":{\"name\":\"Person %d\",\"city\":\"Pune\",\"phone\":\"+91 98450 %05d\",\"plan\":\"gold\",\"score\":%d,\"note\":\"imported for the benchmark\"}}\n", s, i, c, s, i % 100000, i % 1000;
    }
}' > "$FILE"
gen_secs=$(echo "$(date +%s.%N) - $gen_started" | bc)
bytes=$(stat -c %s "$FILE")
echo "    $(( bytes / 1000000 )) MB in ${gen_secs%.*} s"

run_import() {
    local label="$1"
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$BIN" import --format ndjson "$FILE" > "$WORK/summary.txt"
    read -r secs max_kib < "$WORK/time.txt"
    local rate
    rate=$(echo "$RECORDS / $secs" | bc)
    echo "    $(cat "$WORK/summary.txt")"
    echo "RESULT import=$label records=$RECORDS file_mb=$(( bytes / 1000000 )) secs=$secs rows_per_sec=$rate peak_rss_mib=$(( max_kib / 1024 ))"
}

echo "==> importing"
run_import first
if [ "$REIMPORT" = 1 ]; then
    echo "==> importing the same file again (every row unchanged)"
    run_import unchanged
fi
if [ -z "$POSTGRES_URL" ]; then
    echo "    database: $(( $(du -cb "$WORK/data/"rightsdesk.db* | tail -1 | cut -f1) / 1000000 )) MB"
fi
