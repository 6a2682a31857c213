#!/usr/bin/env bash
# Runs the Windows installer under Wine (Debian's wine64) in a throw-away prefix, as far as a
# Linux machine can stand in for the dedicated terminal:
#   1. a silent install: the files in C:\Program Files\totsugo, the Start-menu entries, the
#      uninstall entry in the registry;
#   2. the installed CLI makes a store in the user's %LOCALAPPDATA% with the demo data and reads
#      it back (Wine 8 lacks bcryptprimitives.dll: a test-only stand-in, installer/wine/, is put
#      beside the program for this step and removed after);
#   3. a silent uninstall: the program, the entries and the registry key gone, the store kept.
# Usage: installer/check-wine.sh SETUP.exe   (needs wine64, mingw-w64; Xvfb when no DISPLAY)
set -euo pipefail
setup=$(realpath "$1")
cd "$(dirname "$0")/.."
say() { printf 'check-wine.sh: %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
wine=/usr/lib/wine/wine64
[ -x "$wine" ] || wine=$(command -v wine64 || true)
[ -n "$wine" ] || { say "wine64 is not installed (Debian: wine64)"; exit 2; }
if [ -z "${DISPLAY:-}" ]; then
  command -v xvfb-run >/dev/null 2>&1 || { say "no DISPLAY and no xvfb-run (Debian: xvfb)"; exit 2; }
  exec xvfb-run -a bash "$0" "$setup"
fi
export WINEPREFIX
WINEPREFIX=$(mktemp -d)
export WINEDEBUG=-all
trap 'wineserver -k 2>/dev/null || true; rm -rf "$WINEPREFIX"' EXIT
c=$WINEPREFIX/drive_c
stub=$WINEPREFIX/bcryptprimitives.dll
x86_64-w64-mingw32-gcc -shared -O2 -o "$stub" installer/wine/bcryptprimitives.c -ladvapi32

say "installing silently"
"$wine" "$setup" /S
wineserver -w
prog="$c/Program Files/totsugo"
for f in totsugo-app.exe totsugo.exe uninstall.exe README.txt licenses/THIRD-PARTY-LICENSES.html licenses/fonts/OFL.txt; do
  [ -f "$prog/$f" ] || fail "not installed: $f"
done
menu="$c/ProgramData/Microsoft/Windows/Start Menu/Programs/突合結果レビュー"
[ -f "$menu/突合結果レビュー.lnk" ] || fail "no Start-menu entry"
[ -f "$menu/アンインストール.lnk" ] || fail "no uninstall entry in the Start menu"
key='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\totsugo'
"$wine" reg query "$key" /v UninstallString >/dev/null 2>&1 || fail "no uninstall entry in the registry"
say "installed: program files, Start-menu entries, registry entry"

say "the installed CLI makes a store with the demo data"
cp "$stub" "$prog/"
TOTSUGO_NEW_PASSWORD='check wine pass 1' "$wine" "$prog/totsugo.exe" demo >/dev/null
summary=$(TOTSUGO_PASSWORD='check wine pass 1' "$wine" "$prog/totsugo.exe" --user admin summary --json)
rm "$prog/bcryptprimitives.dll"
grep -q '"rows": *2000' <<<"$summary" || fail "the demo store does not read back: $summary"
store=$(find "$c/users" -path '*AppData/Local/totsugo/totsugo/data/totsugo.db' | head -1)
[ -n "$store" ] || fail "no store in %LOCALAPPDATA%"
say "store: ${store#"$c/"} (2,000 rows)"

say "uninstalling silently"
"$wine" "$prog/uninstall.exe" /S
wineserver -w
sleep 2
[ ! -e "$prog/totsugo-app.exe" ] || fail "the program is still there"
[ ! -e "$menu" ] || fail "the Start-menu entries are still there"
if "$wine" reg query "$key" >/dev/null 2>&1; then fail "the registry entry is still there"; fi
[ -f "$store" ] || fail "the uninstaller removed the user's store without being asked"
say "uninstalled: program, Start-menu entries and registry entry gone; the store kept"
say "all checks passed"
