#!/usr/bin/env bash
# Runs the Windows installer under Wine (Debian's wine64) in a throw-away prefix, as far as a
# Linux machine can stand in for the dedicated terminal:
#   1. a silent install: the files in C:\Program Files\totsugo, the Start-menu entries, the
#      uninstall entry in the registry;
#   2. the installed CLI makes a store with the demo data where the installer said and reads it
#      back (Wine 8 lacks bcryptprimitives.dll: a test-only stand-in, installer/wine/, is put
#      beside the program for this step and removed after);
#   3. a silent uninstall: the program, the entries and the registry key gone, the store kept.
# Twice: each Windows user's own store (%LOCALAPPDATA%), then the terminal's shared store
# (/SHARED: C:\ProgramData\totsugo\data, named by C:\ProgramData\totsugo\store-location.txt).
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

# One pass: a silent install (with /SHARED or without), a demo store by the installed CLI in the
# place the installer chose, a silent uninstall that keeps it.
one_pass() {
  local mode=$1 flag=() where
  [ "$mode" = shared ] && flag=(/SHARED)
  say "[$mode] installing silently ${flag[*]}"
  "$wine" "$setup" /S "${flag[@]}"
  wineserver -w
  for f in totsugo-app.exe totsugo.exe uninstall.exe README.txt licenses/THIRD-PARTY-LICENSES.html licenses/fonts/OFL.txt; do
    [ -f "$prog/$f" ] || fail "not installed: $f"
  done
  [ -f "$menu/突合結果レビュー.lnk" ] || fail "no Start-menu entry"
  [ -f "$menu/アンインストール.lnk" ] || fail "no uninstall entry in the Start menu"
  "$wine" reg query "$key" /v UninstallString >/dev/null 2>&1 || fail "no uninstall entry in the registry"
  if [ "$mode" = shared ]; then
    [ -f "$setting" ] || fail "no shared-store setting $setting"
    [ -d "$c/ProgramData/totsugo/data" ] || fail "no shared store folder"
  else
    [ ! -e "$setting" ] || fail "a shared-store setting without /SHARED"
  fi
  say "[$mode] installed: program files, Start-menu entries, registry entry"

  cp "$stub" "$prog/"
  TOTSUGO_NEW_PASSWORD='check wine pass 1' "$wine" "$prog/totsugo.exe" demo >/dev/null
  summary=$(TOTSUGO_PASSWORD='check wine pass 1' "$wine" "$prog/totsugo.exe" --user admin summary --json)
  rm "$prog/bcryptprimitives.dll"
  grep -q '"rows": *2000' <<<"$summary" || fail "the demo store does not read back: $summary"
  if [ "$mode" = shared ]; then
    where="$c/ProgramData/totsugo/data/totsugo.db"
  else
    where=$(find "$c/users" -path '*AppData/Local/totsugo/totsugo/data/totsugo.db' | head -1)
  fi
  [ -n "$where" ] && [ -f "$where" ] || fail "the store is not where the installer said"
  say "[$mode] the installed CLI made its demo store in ${where#"$c/"} (2,000 rows)"

  "$wine" "$prog/uninstall.exe" /S
  wineserver -w
  sleep 2
  [ ! -e "$prog/totsugo-app.exe" ] || fail "the program is still there"
  [ ! -e "$menu" ] || fail "the Start-menu entries are still there"
  if "$wine" reg query "$key" >/dev/null 2>&1; then fail "the registry entry is still there"; fi
  [ -f "$where" ] || fail "the uninstaller removed the store without being asked"
  say "[$mode] uninstalled: program, Start-menu entries and registry entry gone; the store kept"
}

prog="$c/Program Files/totsugo"
menu="$c/ProgramData/Microsoft/Windows/Start Menu/Programs/突合結果レビュー"
key='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\totsugo'
setting="$c/ProgramData/totsugo/store-location.txt"
one_pass own
one_pass shared
say "all checks passed"
