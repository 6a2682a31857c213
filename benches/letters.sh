#!/usr/bin/env bash
# Notice-letter timing: 10,000 synthetic letters into one PDF (examples/letters_timing.rs);
# prints the time and the size. Goal: under 10 s and under 10 MB on a 2-core machine.
#
#   benches/letters.sh              # 10,000 letters
#   COUNT=1000 OUT=/tmp/l.pdf benches/letters.sh
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-10000}
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release --locked -q --example letters_timing
"$TARGET/release/examples/letters_timing" "$COUNT" ${OUT:+"$OUT"}
