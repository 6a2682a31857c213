#!/usr/bin/env bash
# Review-desk timing (issue 5): imports ROWS synthetic rows into a throwaway store, then times
# list pages, filters, searches and the drawing of the list (examples/list_timing.rs).
#
#   benches/list.sh                 # 1,000,000 rows
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
cargo build --release --locked -q
cargo build --release --locked -q --example list_timing
TARGET=${CARGO_TARGET_DIR:-target}
T=$TARGET/release/totsugo
"$T-lab" sample --rows "$ROWS" --seed 42 --out "$WORK/rows.csv" 2>/dev/null
export TOTSUGO_USER=bench TOTSUGO_PASSWORD="pw-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
TOTSUGO_NEW_PASSWORD="$TOTSUGO_PASSWORD" "$T" --store "$WORK/store" user init --login bench --name ベンチ > /dev/null
"$T" --store "$WORK/store" import "$WORK/rows.csv" > /dev/null
# A clerk sees the list (the administrator who imported does not review).
FIRST="desk-$TOTSUGO_PASSWORD" SECOND="desk2-$TOTSUGO_PASSWORD"
TOTSUGO_NEW_PASSWORD="$FIRST" "$T" --store "$WORK/store" user add --login clerk --name 担当 --role clerk > /dev/null
TOTSUGO_USER=clerk TOTSUGO_PASSWORD="$FIRST" TOTSUGO_NEW_PASSWORD="$SECOND" "$T" --store "$WORK/store" user passwd > /dev/null
TOTSUGO_USER=clerk TOTSUGO_PASSWORD="$SECOND" "$TARGET"/release/examples/list_timing "$WORK/store"
[ -n "${KEEP:-}" ] || rm -rf "$WORK"
