#!/usr/bin/env bash
# Makes the app's icons from totsugo.svg: the PNGs (Linux, the window icon) and the Windows .ico.
# Needs rsvg-convert (Debian: librsvg2-bin) and ImageMagick (imagemagick). The results are
# committed; run this only after changing the SVG.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for s in 16 24 32 48 64 128 256; do
  rsvg-convert -w "$s" -h "$s" totsugo.svg -o "$tmp/$s.png"
done
cp "$tmp/32.png" totsugo-32.png
cp "$tmp/48.png" totsugo-48.png
cp "$tmp/128.png" totsugo-128.png
cp "$tmp/256.png" totsugo-256.png
convert "$tmp"/{16,24,32,48,64,128,256}.png totsugo.ico
