#!/usr/bin/env bash
# Create or refresh the development virtual environment in .venv.
# Packages are reinstalled only when the requirement files (or the interpreter) change,
# so a second run finishes in well under a second.
#
# VENV=DIR REQUIREMENTS=FILE scripts/bootstrap.sh does the same for another venv with other
# requirements (scripts/test.sh's importer stage: galaxy-importer, scripts/importer-requirements.txt).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
if [ -n "${REQUIREMENTS:-}" ]; then
    REQ_FILES=("$REQUIREMENTS")
else
    REQUIREMENTS="$ROOT/requirements-dev.txt"
    REQ_FILES=("$REQUIREMENTS" "$ROOT/requirements.txt")
fi
STAMP="$VENV/.requirements.sha256"

# ansible-core 2.21 (requirements-dev.txt) needs Python >= 3.12 on the controller.
MIN_PYTHON=(3 12)

# version_ok PATH: the interpreter runs and is at least MIN_PYTHON.
version_ok() {
    "$1" -c 'import sys; sys.exit(sys.version_info[:2] < tuple(map(int, sys.argv[1:3])))' "${MIN_PYTHON[@]}" >/dev/null 2>&1
}

# The first Python >= 3.12 found: $PYTHON if set, then python3.12, python3.13, python3.14 and
# python3 on PATH, then ~/.pyenv/versions (lowest version first). Each candidate is run, since
# a pyenv shim can exist for a version that is not selected and then fails.
find_python() {
    local candidate
    if [ -n "${PYTHON:-}" ]; then
        candidate="$(command -v "$PYTHON" 2>/dev/null || true)"
        if [ -n "$candidate" ] && version_ok "$candidate"; then
            echo "$candidate"
            return 0
        fi
        echo "bootstrap: PYTHON=$PYTHON is not a Python >= ${MIN_PYTHON[0]}.${MIN_PYTHON[1]} that runs" >&2
        return 1
    fi
    for candidate in python3.12 python3.13 python3.14 python3; do
        candidate="$(command -v "$candidate" 2>/dev/null || true)"
        if [ -n "$candidate" ] && version_ok "$candidate"; then
            echo "$candidate"
            return 0
        fi
    done
    while IFS= read -r candidate; do
        if version_ok "$candidate"; then
            echo "$candidate"
            return 0
        fi
    done < <(find "${PYENV_ROOT:-$HOME/.pyenv}/versions" -mindepth 3 -maxdepth 3 -path '*/versions/3.*/bin/python3' 2>/dev/null | sort -V)
    echo "bootstrap: no Python >= ${MIN_PYTHON[0]}.${MIN_PYTHON[1]} found on PATH or in ${PYENV_ROOT:-$HOME/.pyenv}/versions;" \
        "ansible-core 2.21 needs one (install it, or set PYTHON=/path/to/python3.12)" >&2
    return 1
}

PYTHON="$(find_python)" || exit 1

want="$( { cat "${REQ_FILES[@]}"; "$PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"

# A venv whose interpreter no longer runs (moved repo, removed Python) is rebuilt from scratch,
# and so is one made with another Python version (say, before the move to ansible-core 2.21).
if [ -d "$VENV" ] && ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    echo "bootstrap: $VENV is broken; recreating it" >&2
    rm -rf "$VENV"
fi
version_of() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'
}
if [ -x "$VENV/bin/python" ] && [ "$(version_of "$VENV/bin/python")" != "$(version_of "$PYTHON")" ]; then
    echo "bootstrap: $VENV uses Python $(version_of "$VENV/bin/python"); recreating it with $PYTHON" >&2
    rm -rf "$VENV"
fi

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "bootstrap: creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi

echo "bootstrap: installing $(basename "$REQUIREMENTS") into $VENV"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$REQUIREMENTS" >"$log" 2>&1; then
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
