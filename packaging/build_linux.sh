#!/usr/bin/env bash
# Build Lote for Linux: the one-folder bundle (dist/lote), its self-test, the size
# budget, and a .deb (dist/lote_VERSION_ARCH.deb).
#
#   packaging/build_linux.sh            # release: .deb compressed with xz
#   packaging/build_linux.sh --fast     # CI: .deb with gzip (6x faster to compress)
#   packaging/build_linux.sh --no-deb   # bundle, size and self-test only
#
# Everything comes from PyPI into a clean virtualenv (build/package-venv, reused while
# pyproject.toml and packaging/constraints.txt do not change): pyproject's runtime
# dependencies plus PyInstaller, with the pins of packaging/constraints.txt. Nothing is
# downloaded from anywhere else (no AppImage: appimagetool is not on a package registry).
# Needs python3 (3.11, with venv), binutils (objdump, strip) and dpkg-deb.
set -euo pipefail
cd "$(dirname "$0")/.."

FAST=0
DEB=1
for arg in "$@"; do
  case "$arg" in
    --fast) FAST=1 ;;
    --no-deb) DEB=0 ;;
    *) echo "usage: $0 [--fast] [--no-deb]" >&2; exit 2 ;;
  esac
done

PYTHON=${PYTHON:-python3}
VENV=${LOTE_PACKAGE_VENV:-build/package-venv}
BUDGET_MB=${LOTE_BUNDLE_BUDGET_MB:-150}
BUNDLE=dist/lote
started=$(date +%s)
stamp() { echo "[$(( $(date +%s) - started )) s] $*"; }

# 1. The build environment --------------------------------------------------------------
mkdir -p build dist
wanted=$(cat pyproject.toml packaging/constraints.txt | sha256sum | cut -c1-16)
if [ "$(cat "$VENV/.lote-stamp" 2>/dev/null)" != "$wanted" ]; then
  stamp "preparing $VENV"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" - > build/package-requirements.txt <<'EOF'
import tomllib
for requirement in tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]:
    print(requirement)
EOF
  "$VENV/bin/python" -m pip install --quiet -c packaging/constraints.txt \
    -r build/package-requirements.txt pyinstaller pyinstaller-hooks-contrib
  echo "$wanted" > "$VENV/.lote-stamp"
fi

# 2. The bundle -------------------------------------------------------------------------
stamp "PyInstaller $("$VENV/bin/python" -m PyInstaller --version)"
"$VENV/bin/python" -m PyInstaller --noconfirm --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/lote.spec
built=$(date +%s)

# 3. Size ---------------------------------------------------------------------------------
size_mb=$(du -sm "$BUNDLE" | cut -f1)
{
  echo "Lote bundle $(du -sh "$BUNDLE" | cut -f1) unpacked ($size_mb MiB, budget $BUDGET_MB MiB); largest parts:"
  { du -sm "$BUNDLE"/lote "$BUNDLE"/_internal/*; du -sm "$BUNDLE"/_internal/PySide6/Qt/lib/*; } \
    | sort -rn | head -14 | sed 's/^/  /'
} | tee dist/lote-size.txt
if [ "$size_mb" -gt "$BUDGET_MB" ]; then
  echo "build_linux: the bundle is $size_mb MiB, over the $BUDGET_MB MiB budget" >&2
  exit 1
fi

# 4. The frozen self-test: no display, logs and data in a throw-away folder ------------
selftest() {
  local binary=$1 logs
  logs=$(mktemp -d)
  if ! env -u DISPLAY -u WAYLAND_DISPLAY QT_QPA_PLATFORM=offscreen LOTE_LOG_DIR="$logs" \
       timeout 120 "$binary" --self-test; then
    echo "build_linux: the self-test of $binary failed; its log:" >&2
    tail -n 40 "$logs"/lote.log >&2 || true
    rm -rf "$logs"
    return 1
  fi
  rm -rf "$logs"
}
stamp "self-test of $BUNDLE/lote"
selftest "$BUNDLE/lote"

# 5. The .deb, checked by running the self-test from its extracted files ---------------
if [ "$DEB" = 1 ]; then
  compression=xz
  [ "$FAST" = 1 ] && compression=gzip
  stamp "packaging the .deb ($compression)"
  "$VENV/bin/python" packaging/linux/make_deb.py --bundle "$BUNDLE" --out dist --compression "$compression"
  deb=$(ls -t dist/lote_*.deb | head -1)
  extracted=$(mktemp -d)
  dpkg-deb -x "$deb" "$extracted"
  stamp "self-test of $deb (extracted, through usr/bin/lote)"
  selftest "$extracted/usr/bin/lote" || { rm -rf "$extracted"; exit 1; }
  rm -rf "$extracted"
fi

stamp "done: PyInstaller $(( built - started )) s (with the virtualenv when it was made), bundle $size_mb MiB"
