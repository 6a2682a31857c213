#!/usr/bin/env bash
# Gathers what the Windows installer holds into one folder (the layout of the installation):
#   totsugo-app.exe, totsugo.exe, totsugo.ico, README.txt,
#   licenses\LICENSE.txt, THIRD-PARTY-LICENSES.html, C-LIBRARIES.txt, DATA-LICENSES.md,
#   licenses\fonts\BIZUDGothic-Regular.ttf, OFL.txt
# Usage: installer/stage-windows.sh BIN_DIR STAGE_DIR THIRD_PARTY_HTML
# (build-windows.sh calls it; so does the installer test, with stand-in programs.)
set -euo pipefail
bin=$1
stage=$2
third_party=$3
cd "$(dirname "$0")/.."
rm -rf "$stage"
mkdir -p "$stage/licenses/fonts"
cp "$bin/totsugo-app.exe" "$bin/totsugo.exe" "$stage/"
cp assets/icons/totsugo.ico "$stage/"
# Text files with Windows line ends, for Notepad.
crlf() { sed 's/$/\r/' "$1" >"$2"; }
crlf installer/README-windows.txt "$stage/README.txt"
crlf LICENSE "$stage/licenses/LICENSE.txt"
crlf installer/C-LIBRARIES.txt "$stage/licenses/C-LIBRARIES.txt"
crlf assets/LICENSES.md "$stage/licenses/DATA-LICENSES.md"
crlf fonts/OFL.txt "$stage/licenses/fonts/OFL.txt"
cp fonts/BIZUDGothic-Regular.ttf "$stage/licenses/fonts/"
cp "$third_party" "$stage/licenses/THIRD-PARTY-LICENSES.html"
