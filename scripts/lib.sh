# shellcheck shell=bash
# Shared by scripts/test.sh and scripts/integration.sh (sourced): staging the collection for
# ansible-test and running it. Needs ROOT (the work tree) and STAGED (where the staged copy goes).

# Copy the files git knows about (tracked or untracked but not ignored) to $1, a fresh directory.
copy_tree() {
    rm -rf "$1"
    mkdir -p "$1"
    if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
            | while IFS= read -r -d '' f; do
                # Skip files deleted from the work tree but still in the index.
                [ -e "$ROOT/$f" ] && printf '%s\0' "$f"
            done \
            | tar -C "$ROOT" --null -T - -cf - \
            | tar -C "$1" -xf -
    else
        tar -C "$ROOT" --exclude=./.venv --exclude=./build --exclude=./.git --exclude=./tests/output \
            --exclude='__pycache__' --exclude='.pytest_cache' -cf - . | tar -C "$1" -xf -
    fi
}

# The collection in the ansible_collections/<namespace>/<name> layout that ansible-test requires.
stage_tree() {
    copy_tree "$STAGED"
    # ansible-test takes its file list from the nearest enclosing git work tree; an empty
    # repository here keeps it from walking up to the source tree, which ignores build/.
    git init -q "$STAGED"
}

# Drop pip's notes about this machine's unreachable extra index locations.
filter_pip_noise() {
    grep -v --line-buffered 'is ignored: it is neither a file nor a directory' || true
}

# ansible-test bootstraps pip in its virtual environments with a script it caches under a
# name that carries the pip version it wants (get_pip_25_2.py for ansible-core 2.20 and 2.21).
# $1: the bin directory of the ansible-test in use.
pip_bootstrap_path() {
    "$1/python" - <<'PY'
import os
import re

import ansible_test

source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
with open(source, encoding="utf-8") as handle:
    version = re.search(r"pip='([0-9.]+)'", handle.read()).group(1)
print(os.path.expanduser("~/.ansible/test/cache/get_pip_%s.py" % version.replace(".", "_")))
PY
}

# ansible-test downloads that script on first use; where its host is unreachable the
# failure is cryptic, so explain it.
pip_bootstrap_hint() {
    local path
    path="$(pip_bootstrap_path "$1")" || return 0
    [ -f "$path" ] && return 0
    cat >&2 <<EOF
test.sh: $path is missing.
  ansible-test bootstraps pip in its virtual environments with that script and downloads it
  when it is not cached. Without access to its download host, place an offline copy at that
  path first (.ci/run shows how CI does it), then run this stage again.
EOF
}

# ansible-test of the development venv (ansible-core 2.21 on Python 3.12), or of the venv
# whose bin directory is in ANSIBLE_TEST_BIN, on that venv's Python.
run_ansible_test() {
    local rc=0 bin="${ANSIBLE_TEST_BIN:-$ROOT/.venv/bin}" python_version
    python_version="$("$bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    stage_tree
    (cd "$STAGED" && PATH="$bin:$PATH" "$bin/ansible-test" "$@" --python "$python_version" --requirements --color no) 2>&1 \
        | filter_pip_noise || rc=$?
    if [ "$rc" -ne 0 ]; then
        pip_bootstrap_hint "$bin"
    fi
    return "$rc"
}

