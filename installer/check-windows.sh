#!/usr/bin/env bash
# Checks a Windows installer made by installer/build-windows.sh, as far as Linux allows:
#   - each program imports only DLLs that come with Windows (objdump -p), nothing to ship
#     beside it (no libgcc_s, libwinpthread, libssl …); the app is a GUI program, the CLI a
#     console program;
#   - the installer unpacks with 7z and holds exactly the staged files, byte for byte, plus
#     the uninstaller.
# Usage: installer/check-windows.sh [--no-pe] SETUP.exe STAGE_DIR
#   --no-pe: skip the program checks (the installer test stages stand-in programs).
set -euo pipefail
pe=1
if [ "${1:-}" = --no-pe ]; then
  pe=0
  shift
fi
setup=$1
stage=$2
say() { printf 'check-windows.sh: %s\n' "$*" >&2; }
failed=0

# DLLs every Windows 10/11 has (lower case). Anything else would have to be shipped.
system_dlls=(
  advapi32.dll bcrypt.dll bcryptprimitives.dll combase.dll comctl32.dll comdlg32.dll
  crypt32.dll d3d11.dll d3d12.dll d3dcompiler_47.dll dwmapi.dll dxgi.dll gdi32.dll
  imm32.dll kernel32.dll msvcrt.dll ntdll.dll ole32.dll oleaut32.dll opengl32.dll
  propsys.dll rpcrt4.dll secur32.dll setupapi.dll shell32.dll shlwapi.dll
  uiautomationcore.dll user32.dll userenv.dll uxtheme.dll version.dll winmm.dll ws2_32.dll
)
is_system() {
  local d
  for d in "${system_dlls[@]}"; do [ "$d" = "$1" ] && return 0; done
  return 1
}

for exe in totsugo-app.exe totsugo.exe; do
  ((pe)) || break
  dump=$(x86_64-w64-mingw32-objdump -p "$stage/$exe")
  mapfile -t dlls < <(sed -n 's/^\s*DLL Name: //p' <<<"$dump" | tr 'A-Z' 'a-z' | sort -u)
  say "$exe imports: ${dlls[*]}"
  for d in "${dlls[@]}"; do
    case "$d" in
      api-ms-win-*) continue ;;
    esac
    if ! is_system "$d"; then
      say "FAIL: $exe needs $d, which is not part of Windows"
      failed=1
    fi
  done
  subsystem=$(sed -n 's/^Subsystem\s*\([0-9a-f]*\).*/\1/p' <<<"$dump")
  want=00000003
  [ "$exe" = totsugo-app.exe ] && want=00000002
  if [ "$subsystem" != "$want" ]; then
    say "FAIL: $exe has subsystem $subsystem (want $want: 2 = windows GUI, 3 = console)"
    failed=1
  fi
done

# The installer unpacks and holds what was staged.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
7z x -y -o"$tmp" "$setup" >/dev/null
while IFS= read -r -d '' f; do
  rel=${f#"$stage"/}
  if ! cmp -s "$f" "$tmp/$rel"; then
    say "FAIL: the installer does not hold $rel as staged"
    failed=1
  fi
done < <(find "$stage" -type f -print0)
if [ ! -f "$tmp/uninstall.exe" ]; then
  say "FAIL: no uninstaller in the installer"
  failed=1
fi
staged=$(find "$stage" -type f | wc -l)
unpacked=$(find "$tmp" -type f -not -path "$tmp/\$PLUGINSDIR/*" | wc -l)
say "installer: $(du -h "$setup" | cut -f1), $staged files staged, $unpacked unpacked (with the uninstaller)"

if ((failed)); then
  say "the Windows build FAILED its checks"
  exit 1
fi
say "all checks passed"
