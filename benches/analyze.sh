#!/usr/bin/env bash
# Analysis benchmark (issue 4): generates ROWS rows (CP932) and times `totsugo analyze`, which
# reads the file twice (cross-record checks, then the explanations) and writes JSON Lines.
#
#   benches/analyze.sh                 # 1,000,000 rows
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
SEED=${SEED:-42}
WORK=${WORK:-$(mktemp -d)}
[ -x /usr/bin/time ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }
cargo build --release --locked -q
T=${CARGO_TARGET_DIR:-target}/release/totsugo
CSV="$WORK/bench-$ROWS.csv"
echo "generating $ROWS rows (CP932) in $WORK ..."
"$T-lab" sample --rows "$ROWS" --seed "$SEED" --out "$CSV" 2>/dev/null
sync
/usr/bin/time -f '%e s, peak RSS %M kB' -o "$WORK/time" "$T" analyze "$CSV" > "$WORK/out.jsonl" 2> "$WORK/err"
cat "$WORK/err"
echo "totsugo analyze: $(cat "$WORK/time"), $(wc -l < "$WORK/out.jsonl") lines"
[ -n "${KEEP:-}" ] || rm -rf "$WORK"
