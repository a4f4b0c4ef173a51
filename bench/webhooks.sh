#!/usr/bin/env bash
# Webhook delivery benchmark: a fresh database, a local receiver (answering 204) and
# `rightsdesk serve` instances delivering through their webhook sender; see
# bench/webhookbench.rs for what is measured (backlog throughput, then the lag of events
# queued one at a time while the senders run). Every event must arrive exactly once.
#
#   bench/webhooks.sh                                   # SQLite, 2000 + 200 events, 1 instance
#   bench/webhooks.sh --instances 2 --events 5000
#   bench/webhooks.sh --postgres URL                    # PostgreSQL (an empty, throwaway database)
#   bench/webhooks.sh --debug --no-build --events 300   # a quick smoke run on the debug build
#
# Other options are passed to webhookbench (--lag-events N, --rate R, --interval-ms MS).
# Binaries come from $CARGO_TARGET_DIR (default target/); the temp dir is removed on exit.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

POSTGRES_URL=""
PROFILE=release
BUILD=1
PASS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --postgres) POSTGRES_URL="$2"; shift 2 ;;
        --debug) PROFILE=debug; shift ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) PASS+=("$1"); shift ;;
    esac
done

TARGET_DIR=${CARGO_TARGET_DIR:-target}
BIN=$TARGET_DIR/$PROFILE/rightsdesk
BENCH_BIN=$TARGET_DIR/$PROFILE/examples/webhookbench
if [ "$BUILD" = 1 ]; then
    FLAGS=()
    [ "$PROFILE" = release ] && FLAGS=(--release)
    echo "==> cargo build ${FLAGS[*]} --bins --example webhookbench"
    cargo build "${FLAGS[@]}" --bins --example webhookbench
fi
for bin in "$BIN" "$BENCH_BIN"; do
    [ -x "$bin" ] || { echo "bench: $bin not found (build first)" >&2; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rightsdesk-webhook-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export DATABASE_URL=${POSTGRES_URL:-"sqlite://$TMP/bench.db"}
export RIGHTSDESK_DATA_DIR="$TMP/data" RUST_LOG=warn
RIGHTSDESK_SECRET_KEY=bench-migrate-only-0123456789abcdef0123 "$BIN" migrate >/dev/null

echo "==> webhookbench ($PROFILE build, ${POSTGRES_URL:+PostgreSQL}${POSTGRES_URL:-SQLite})"
"$BENCH_BIN" --bin "$BIN" --database-url "$DATABASE_URL" "${PASS[@]}"
