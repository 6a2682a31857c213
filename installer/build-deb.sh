#!/usr/bin/env bash
# Builds the Linux package (.deb) of totsugo with cargo-deb: both programs, the desktop entry
# and icons, the README and every licence (the crates' gathered by cargo-about).
# Needs: cargo-deb and cargo-about (installed with `cargo install` when missing), dpkg-dev.
# Output: ${CARGO_TARGET_DIR:-target}/debian/totsugo_<version>-1_amd64.deb
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-target}

command -v dpkg-shlibdeps >/dev/null 2>&1 || bash tools/install-debian-packages.sh build-deb.sh dpkg-dev
command -v cargo-deb >/dev/null 2>&1 || cargo install --locked cargo-deb@3.8.0
command -v cargo-about >/dev/null 2>&1 || cargo install --locked cargo-about@0.9.3 --features cli

cargo build --release --locked --bins
cargo fetch --locked >/dev/null  # every platform's crates: cargo-about reads them offline
cargo about generate --frozen --fail --target x86_64-unknown-linux-gnu \
  -c installer/about.toml installer/about.hbs -o "$target_dir/release/THIRD-PARTY-LICENSES.html"
cargo deb --no-build --locked --strip
ls -l "$target_dir"/debian/*.deb
