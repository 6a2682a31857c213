#!/usr/bin/env bash
# Builds the Windows installer of totsugo on Linux (Debian/Ubuntu):
#   1. cross-compiles totsugo-app.exe and totsugo.exe for x86_64-pc-windows-gnu with mingw-w64,
#   2. stages them with the icon, a README and the licences (ours, the font's, the data's and
#      every Rust crate's, gathered by cargo-about),
#   3. makes the installer with NSIS (makensis) from installer/totsugo.nsi,
#   4. checks the result with installer/check-windows.sh (system DLLs only, the installer
#      unpacks with 7z and holds what was staged).
#
# Needs: Rust with the target x86_64-pc-windows-gnu (added with rustup when missing); the
# Debian packages mingw-w64, nsis and p7zip-full (installed when run as root or with sudo);
# cargo-about (installed with `cargo install` when missing).
# Output: ${CARGO_TARGET_DIR:-target}/installer/totsugo-<version>-setup.exe
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=x86_64-pc-windows-gnu
ABOUT_VERSION=0.9.3
target_dir=${CARGO_TARGET_DIR:-target}
say() { printf 'build-windows.sh: %s\n' "$*" >&2; }

# --- The Rust target ---------------------------------------------------------------------
have_target() { [ -d "$(rustc --print sysroot)/lib/rustlib/$TARGET/lib" ]; }
if ! have_target; then
  say "adding the Rust target $TARGET"
  if ! command -v rustup >/dev/null 2>&1 || ! rustup target add "$TARGET" || ! have_target; then
    say "The Rust target $TARGET cannot be installed on this machine (rustup is missing or"
    say "could not download it), so the Windows build cannot be made here. Install it with"
    say "'rustup target add $TARGET' on a machine that can reach static.rust-lang.org."
    say "Rust の Windows 向けターゲット（$TARGET）をこの機械に入れられないため、Windows 版は作れません。"
    exit 2
  fi
fi

# --- Debian packages ---------------------------------------------------------------------
need=()
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need+=(mingw-w64)
command -v x86_64-w64-mingw32-objdump >/dev/null 2>&1 || need+=(mingw-w64)
command -v makensis >/dev/null 2>&1 || need+=(nsis)
command -v 7z >/dev/null 2>&1 || need+=(p7zip-full)
command -v perl >/dev/null 2>&1 || need+=(perl)
command -v make >/dev/null 2>&1 || need+=(make)
bash tools/install-debian-packages.sh build-windows.sh ${need[@]+"${need[@]}"}

# --- cargo-about (the crates' licences) ---------------------------------------------------
if ! command -v cargo-about >/dev/null 2>&1; then
  say "installing cargo-about $ABOUT_VERSION"
  cargo install --locked "cargo-about@$ABOUT_VERSION" --features cli
fi

# --- Build ---------------------------------------------------------------------------------
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
say "building totsugo $version for $TARGET (release)"
cargo build --release --locked --target "$TARGET" --bins
bin="$target_dir/$TARGET/release"

# --- Stage ---------------------------------------------------------------------------------
out_dir="$target_dir/installer"
stage="$out_dir/stage"
mkdir -p "$out_dir"
say "gathering the licences of the Rust crates (cargo-about)"
cargo fetch --locked >/dev/null # every platform's crates: cargo-about reads them offline
cargo about generate --frozen --fail --target "$TARGET" \
  -c installer/about.toml installer/about.hbs -o "$out_dir/THIRD-PARTY-LICENSES.html"
bash installer/stage-windows.sh "$bin" "$stage" "$out_dir/THIRD-PARTY-LICENSES.html"
# Debug information and the symbol table are of no use on the terminal (16 MB a program).
x86_64-w64-mingw32-strip --strip-all "$stage/totsugo-app.exe" "$stage/totsugo.exe"

# --- Installer -----------------------------------------------------------------------------
setup="$out_dir/totsugo-$version-setup.exe"
rm -f "$setup"
say "making the installer with makensis"
makensis -V2 -INPUTCHARSET UTF8 \
  "-DVERSION=$version" "-DSTAGE=$(realpath "$stage")" "-DOUTFILE=$(realpath "$out_dir")/totsugo-$version-setup.exe" \
  installer/totsugo.nsi

bash installer/check-windows.sh "$setup" "$stage"
say "done: $setup"
