#!/usr/bin/env bash
# The review desk's next record (issue 13): imports ROWS synthetic rows into a throwaway
# store, then times opening the next record (core and app, N and 次の未判断) and counts the
# keys of a notation-only decision with 「判断したら次の記録を開く」 (examples/next_record_timing.rs).
#
#   benches/next_record.sh                 # 1,000,000 rows
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
cargo build --release --locked -q
cargo build --release --locked -q --example next_record_timing
TARGET=${CARGO_TARGET_DIR:-target}
T=$TARGET/release/totsugo
"$T-lab" sample --rows "$ROWS" --seed 42 --out "$WORK/rows.csv" 2>/dev/null
export TOTSUGO_USER=bench TOTSUGO_PASSWORD="pw-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
TOTSUGO_NEW_PASSWORD="$TOTSUGO_PASSWORD" "$T" --store "$WORK/store" user init --login bench --name ベンチ > /dev/null
"$T" --store "$WORK/store" import "$WORK/rows.csv" > /dev/null
# A clerk reviews (the administrator who imported does not).
FIRST="desk-$TOTSUGO_PASSWORD" SECOND="desk2-$TOTSUGO_PASSWORD"
TOTSUGO_NEW_PASSWORD="$FIRST" "$T" --store "$WORK/store" user add --login clerk --name 担当 --role clerk > /dev/null
TOTSUGO_USER=clerk TOTSUGO_PASSWORD="$FIRST" TOTSUGO_NEW_PASSWORD="$SECOND" "$T" --store "$WORK/store" user passwd > /dev/null
TOTSUGO_USER=clerk TOTSUGO_PASSWORD="$SECOND" "$TARGET"/release/examples/next_record_timing "$WORK/store"
[ -n "${KEEP:-}" ] || rm -rf "$WORK"
