#!/usr/bin/env bash
# Notice-letter timing: 10,000 synthetic letters into one PDF (examples/letters_timing.rs);
# prints the time and the size. Goal: under 10 s and under 10 MB on a 2-core machine.
# Measured (release, 2 cores, Nov 2026): 1.8 s, 8.63 MB, 450 MB peak RSS.
# Needs the default features: the examples build with the dev-dependencies (egui_kittest).
#
#   benches/letters.sh              # 10,000 letters
#   COUNT=1000 OUT=/tmp/l.pdf benches/letters.sh
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-10000}
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release --locked -q --example letters_timing
"$TARGET/release/examples/letters_timing" "$COUNT" ${OUT:+"$OUT"}
