#!/usr/bin/env bash
# Build the one-folder bundle and the .deb from a clean checkout:  packaging/build.sh
# Output: dist/emotune/ (the bundle) and dist/emotune_<version>_amd64.deb
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY=${PYTHON:-.venv/bin/python}
if [ ! -x "$PY" ]; then
  python3.11 -m venv .venv
  PY=.venv/bin/python
fi
"$PY" -m pip install -q -e . "pyinstaller>=6.10,<7"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller packaging/emotune.spec
bash packaging/make_deb.sh dist/emotune
