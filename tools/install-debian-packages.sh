#!/usr/bin/env bash
# Installs Debian/Ubuntu packages for the scripts that need them (tests/run.sh, the installer
# builds): as root directly, otherwise with sudo, otherwise it names them and fails.
# Usage: tools/install-debian-packages.sh WHO PACKAGE...   (nothing to do without packages)
set -euo pipefail
who=$1
shift
(($#)) || exit 0
mapfile -t pkgs < <(printf '%s\n' "$@" | sort -u)
echo "$who: installing ${pkgs[*]}" >&2
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}"
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}"
else
  echo "$who: please install the Debian packages: ${pkgs[*]}" >&2
  exit 1
fi
