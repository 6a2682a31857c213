#!/usr/bin/env bash
# What the durable settings cost (issue 17: the rollback journal with synchronous = FULL
# instead of NORMAL) and how long a backup and a restore take, on a store of ROWS rows
# (examples/durability_timing.rs): the import, one decision (median of 200), the approval of
# 200 decisions in one batch, the backup (online backup API, checked) and the restore (with
# its checks). Runs twice: as shipped (FULL) and with NORMAL for the comparison.
#
#   benches/durability.sh                 # 1,000,000 rows
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
cargo build --release --locked -q --workspace --bin totsugo-lab --example durability_timing
T=${CARGO_TARGET_DIR:-target}/release
"$T/totsugo-lab" sample --rows "$ROWS" --seed 42 --out "$WORK/bench.csv" 2>/dev/null
for mode in FULL NORMAL; do
  rm -rf "$WORK/$mode"
  mkdir -p "$WORK/$mode"
  sync
  echo "== synchronous = $mode"
  TOTSUGO_BENCH_SYNCHRONOUS=$mode "$T/examples/durability_timing" "$WORK/$mode" "$WORK/bench.csv"
done
rm -rf "$WORK"
