#!/usr/bin/env bash
# Import benchmark (issue 2): generates ROWS rows (CP932), imports them with totsugo, and loads
# the same rows converted to UTF-8 with sqlite3's `.import` (the floor: no decoding of CP932,
# no checks, no classification, no encryption, no index). Prints both times, the ratio,
# rows/s, peak RSS, the store's size and how long the import held the store's write lock.
#
#   benches/import.sh                 # 1,000,000 rows
#   ROWS=10000000 benches/import.sh   # the flat-memory check (about 2.4 GB of CSV)
#   BAD=0.01 benches/import.sh        # with a birth date that does not exist on 1 % of rows
#                                     # (content warnings, issue 15)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
SEED=${SEED:-42}
BAD=${BAD:-0}
WORK=${WORK:-$(mktemp -d)}

need=()
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
[ -x /usr/bin/time ] || need+=(time)
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi
  $SUDO apt-get update -qq && $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

cargo build --release --locked -q
T=${CARGO_TARGET_DIR:-target}/release/totsugo
CSV="$WORK/bench-$ROWS.csv"
echo "generating $ROWS rows (CP932) in $WORK ..."
"$T-lab" sample --rows "$ROWS" --seed "$SEED" --bad-values "$BAD" --out "$CSV" 2>/dev/null
iconv -f CP932 -t UTF-8 "$CSV" > "$WORK/bench-utf8.csv"
sync

rm -rf "$WORK/store"
# A throwaway store for the benchmark: its administrator's password is random.
export TOTSUGO_USER=bench TOTSUGO_PASSWORD="pw-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
TOTSUGO_NEW_PASSWORD="$TOTSUGO_PASSWORD" "$T" --store "$WORK/store" user init --login bench --name ベンチ > /dev/null
# The timed run includes the login (argon2id, about 0.2 s).
/usr/bin/time -f '%e %M' -o "$WORK/ours.time" "$T" --store "$WORK/store" import "$CSV" --json > "$WORK/ours.json"
rm -f "$WORK/floor.db"
/usr/bin/time -f '%e %M' -o "$WORK/floor.time" sqlite3 "$WORK/floor.db" ".import --csv $WORK/bench-utf8.csv records"

read -r ours_s ours_kb < "$WORK/ours.time"
read -r floor_s floor_kb < "$WORK/floor.time"
python3 - "$ROWS" "$ours_s" "$ours_kb" "$floor_s" "$floor_kb" "$WORK" "$CSV" <<'PY'
import json, os, sys
rows, ours, ours_kb, floor, floor_kb, work, csv = sys.argv[1:]
rows, ours, floor = int(rows), float(ours), float(floor)
store = os.path.getsize(os.path.join(work, "store", "totsugo.db"))
flo = os.path.getsize(os.path.join(work, "floor.db"))
rep = json.load(open(os.path.join(work, "ours.json")))
assert rep["rows"] == rows, rep
imp = rep["seconds"]
warned = rep.get("warnings", 0)
print(f"rows                      {rows:,}")
print(f"CSV size (CP932)          {os.path.getsize(csv)/1e6:,.1f} MB")
print(f"totsugo import            {imp:.2f} s  {rows/imp:,.0f} rows/s  peak RSS {int(ours_kb)/1024:.0f} MB  store {store/1e6:,.1f} MB (encrypted)")
print(f"  whole command           {ours:.2f} s  (with the login: argon2id, process start)")
print(f"sqlite3 .import (floor)   {floor:.2f} s  {rows/floor:,.0f} rows/s  peak RSS {int(floor_kb)/1024:.0f} MB  db {flo/1e6:,.1f} MB (plain)")
print(f"ratio totsugo / sqlite3   {imp/floor:.2f}  (whole command {ours/floor:.2f})")
if "lock_held_seconds" in rep:
    print(f"longest write-lock hold   {rep['lock_held_seconds']:.2f} s  (others wait at most this long for the store during the import)")
print(f"rows with a warning       {warned:,}  {rep.get('warnings_by_kind', {})}")
PY
[ -n "${KEEP:-}" ] || rm -rf "$WORK"
