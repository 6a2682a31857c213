#!/usr/bin/env bash
# Installs Debian/Ubuntu packages for the scripts that need them (tests/run.sh, the installer
# builds): as root directly, otherwise with sudo, otherwise it names them and fails.
# Usage: tools/install-debian-packages.sh WHO PACKAGE...   (nothing to do without packages)
# APT_NO_RECOMMENDS=1 leaves out the packages' recommended extras.
set -euo pipefail
who=$1
shift
(($#)) || exit 0
mapfile -t pkgs < <(printf '%s\n' "$@" | sort -u)
opts=(-y -qq)
[ "${APT_NO_RECOMMENDS:-}" = 1 ] && opts+=(--no-install-recommends)
echo "$who: installing ${pkgs[*]}" >&2
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install "${opts[@]}" "${pkgs[@]}"
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install "${opts[@]}" "${pkgs[@]}"
else
  echo "$who: please install the Debian packages: ${pkgs[*]}" >&2
  exit 1
fi
