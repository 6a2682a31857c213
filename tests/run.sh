#!/usr/bin/env bash
# totsugo's test command (README.md): checks and installs what the build and the tests need,
# then runs the formatter check, clippy and every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian/Ubuntu packages: a C toolchain, make and perl build the bundled SQLCipher (libssl-dev
# gives it OpenSSL's libcrypto);
# poppler-utils (pdftotext, pdffonts, pdfinfo) check the PDFs totsugo writes; nsis and
# p7zip-full check the Windows installer script.
need=()
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v make >/dev/null 2>&1 || need+=(make)
command -v perl >/dev/null 2>&1 || need+=(perl)
# SQLCipher uses the system's libcrypto on Linux (OpenSSL is compiled in for Windows only).
[ -e /usr/include/openssl/evp.h ] || need+=(libssl-dev)
# The PDF tests read the documents back with real PDF tools.
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v pdffonts >/dev/null 2>&1 || need+=(poppler-utils)
# The installer test compiles the Windows installer script and unpacks it.
command -v makensis >/dev/null 2>&1 || need+=(nsis)
command -v 7z >/dev/null 2>&1 || need+=(p7zip-full)
bash tools/install-debian-packages.sh tests/run.sh ${need[@]+"${need[@]}"}
# The release request's XLSX is opened in a real spreadsheet application (LibreOffice Calc,
# headless), as a clerk opens it to check the file; without its recommended extras.
if ! command -v soffice >/dev/null 2>&1; then
  APT_NO_RECOMMENDS=1 bash tools/install-debian-packages.sh tests/run.sh libreoffice-calc-nogui
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "tests/run.sh: Rust (cargo 1.95 or newer) is needed: see https://rustup.rs" >&2
  exit 1
fi
if command -v rustup >/dev/null 2>&1; then
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
fi

cargo fmt --check
# Lint and build in one pass: clippy-driver stands in for rustc on the workspace's own crates
# while cargo builds the libraries, programs, examples and tests (not --all-targets: that would
# also build the programs' own test harnesses and link the app once more), so the GUI and
# every dependency are compiled once (a separate `cargo clippy` would check them all again
# without code generation).
# Warnings are errors, as with `cargo clippy --all-targets -- -D warnings`; .clippy.toml keeps
# the app and the CLI off the store's test-only doors.
clippy_driver=$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver || true)
if [ -z "$clippy_driver" ]; then
  echo "tests/run.sh: clippy-driver not found (rustup component add clippy)" >&2
  exit 1
fi
export RUSTC_WORKSPACE_WRAPPER="$clippy_driver"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
cargo test --locked --workspace
