#!/usr/bin/env bash
# Security timing (issue 16): imports ROWS synthetic rows into a throwaway store, adds a clerk,
# then (examples/security_timing.rs) appends ENTRIES audit entries, times the login with the
# automatic chain check, the full verification, and the re-key when the clerk is disabled.
#
#   benches/security.sh                       # 1,000,000 rows, 1,000,000 audit entries
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
cargo build --release --locked -q
cargo build --release --locked -q --example security_timing
TARGET=${CARGO_TARGET_DIR:-target}
T=$TARGET/release/totsugo
"$T-lab" sample --rows "$ROWS" --seed 42 --out "$WORK/rows.csv" 2>/dev/null
export TOTSUGO_USER=bench TOTSUGO_PASSWORD="pw-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
TOTSUGO_NEW_PASSWORD="$TOTSUGO_PASSWORD" "$T" --store "$WORK/store" user init --login bench --name ベンチ > /dev/null
"$T" --store "$WORK/store" import "$WORK/rows.csv" > /dev/null
TOTSUGO_NEW_PASSWORD="desk-$TOTSUGO_PASSWORD" "$T" --store "$WORK/store" user add --login clerk --name 担当 --role clerk > /dev/null
"$TARGET"/release/examples/security_timing "$WORK/store"
[ -n "${KEEP:-}" ] || rm -rf "$WORK"
