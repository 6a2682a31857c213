#!/usr/bin/env bash
# totsugo's test command (README.md): checks and installs what the build and the tests need,
# then runs the formatter check, clippy and every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian/Ubuntu packages: a C toolchain, make and perl build the bundled SQLCipher and OpenSSL;
# poppler-utils (pdftotext, pdffonts, pdfinfo) check the PDFs totsugo writes; nsis and
# p7zip-full check the Windows installer script.
need=()
command -v cc >/dev/null 2>&1 || need+=(build-essential)
command -v make >/dev/null 2>&1 || need+=(make)
command -v perl >/dev/null 2>&1 || need+=(perl)
# The PDF tests read the documents back with real PDF tools.
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v pdffonts >/dev/null 2>&1 || need+=(poppler-utils)
# The installer test compiles the Windows installer script and unpacks it.
command -v makensis >/dev/null 2>&1 || need+=(nsis)
command -v 7z >/dev/null 2>&1 || need+=(p7zip-full)
bash tools/install-debian-packages.sh tests/run.sh ${need[@]+"${need[@]}"}
if ! command -v cargo >/dev/null 2>&1; then
  echo "tests/run.sh: Rust (cargo 1.95 or newer) is needed: see https://rustup.rs" >&2
  exit 1
fi
if command -v rustup >/dev/null 2>&1; then
  rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
fi

cargo fmt --check
# The programs and libraries as shipped: the core without its test-only `inspect` feature, so
# that the app and the CLI reaching past the session would not compile.
cargo clippy --locked --workspace -- -D warnings
# Everything with the tests, examples and benchmarks.
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo test --locked --workspace
