#!/usr/bin/env bash
# Create or refresh the development virtual environment in .venv.
# Packages are reinstalled only when the requirement files (or the interpreter) change,
# so a second run finishes in well under a second.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
REQ_FILES=("$ROOT/requirements-dev.txt" "$ROOT/requirements.txt")
STAMP="$VENV/.requirements.sha256"

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "bootstrap: '$PYTHON' not found; set PYTHON=/path/to/python3.11 or newer" >&2
    exit 1
fi
# ansible-core 2.19 needs Python >= 3.11 on the controller.
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "bootstrap: $("$PYTHON" -V 2>&1) is too old; Python >= 3.11 is required (set PYTHON=...)" >&2
    exit 1
fi

want="$( { cat "${REQ_FILES[@]}"; "$PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"

# A venv whose interpreter no longer runs (moved repo, removed Python) is rebuilt from scratch.
if [ -d "$VENV" ] && ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    echo "bootstrap: $VENV is broken; recreating it" >&2
    rm -rf "$VENV"
fi

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "bootstrap: creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi

echo "bootstrap: installing development requirements into $VENV"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$ROOT/requirements-dev.txt" >"$log" 2>&1; then
    cat "$log" >&2
    echo "bootstrap: pip install failed (see above)" >&2
    rm -f "$STAMP"
    exit 1
fi
# Warnings from pip (yanked releases, conflicts) are still worth seeing; notes about
# unreachable extra index locations are not.
grep -E '^(WARNING|ERROR)' "$log" | grep -v 'is ignored: it is neither a file nor a directory' >&2 || true
echo "$want" >"$STAMP"
echo "bootstrap: done"
