#!/usr/bin/env bash
# Run the collection's quality gates.
#
#   scripts/test.sh                      every stage, in order
#   scripts/test.sh sanity units         only the named stages
#   scripts/test.sh pytest -- -k waiter  extra arguments after -- go to pytest
#
# Stages: build importer sanity units lint changelog docs ee integration matrix bench pytest (also: all).
# Stops at the first failing stage and exits non-zero. PYTEST_WORKERS=N sets the pytest-xdist
# workers of the pytest stage (default 3; 0 runs the tests in one process).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ALL_STAGES=(build importer sanity units lint changelog docs ee integration matrix bench pytest)
BUILD="$ROOT/build"
COLLECTIONS="$BUILD/collections"
STAGED="$BUILD/ansible_collections/huaweicloud/cloud"
# galaxy-importer's own venv (scripts/importer-requirements.txt): outside the work tree, so it
# outlives 'make clean' and fresh clones, and is rebuilt only when those pins change.
IMPORTER_VENV="${IMPORTER_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/huaweicloud-cloud-importer/venv}"

usage() {
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

stages=()
pytest_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --) shift; pytest_args=("$@"); break ;;
        -h|--help) usage; exit 0 ;;
        all) stages+=("${ALL_STAGES[@]}") ;;
        build|importer|sanity|units|lint|changelog|docs|ee|integration|matrix|bench|pytest) stages+=("$1") ;;
        *) echo "test.sh: unknown stage '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
[ ${#stages[@]} -gt 0 ] || stages=("${ALL_STAGES[@]}")

"$ROOT/scripts/bootstrap.sh"
export PATH="$ROOT/.venv/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 NO_COLOR=1

banner() {
    printf '\n==================== %s ====================\n' "$*"
}

die() {
    printf 'test.sh: %s\n' "$*" >&2
    exit 1
}

galaxy_version() {
    python -c 'import yaml, sys; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$ROOT/galaxy.yml"
}

# The harness shared with the tests, the benchmark and the demo (tests/harness/__main__.py).
harness() {
    PYTHONPATH="$ROOT/tests" python -m harness "$@"
}

tarball_path() {
    echo "$BUILD/huaweicloud-cloud-$(galaxy_version).tar.gz"
}

# ---------------------------------------------------------------------------
# build: package the collection, install it the way users do, render its docs.
# ---------------------------------------------------------------------------
stage_build() {
    local module doc
    # Build into $BUILD, check the tarball's contents (no development files, nothing required
    # missing) and install it into $COLLECTIONS: tests/harness/collection.py.
    harness collection "$BUILD"

    # Render every module's documentation from the installed copy (run outside the
    # source tree so nothing but the installed collection can be found).
    for module in "$ROOT"/plugins/modules/*.py; do
        module="$(basename "$module" .py)"
        [ "$module" = "__init__" ] && continue
        doc="$(cd "$BUILD" && ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS" ansible-doc -t module "huaweicloud.cloud.$module")" \
            || die "ansible-doc could not render huaweicloud.cloud.$module"
        grep -qF "$COLLECTIONS/ansible_collections/huaweicloud/cloud/plugins/modules/$module.py" <<<"$doc" \
            || die "ansible-doc did not read huaweicloud.cloud.$module from the installed collection"
        for section in 'OPTIONS' 'EXAMPLES' 'RETURN VALUES'; do
            grep -q "^$section" <<<"$doc" || die "ansible-doc huaweicloud.cloud.$module has no $section section"
        done
        echo "ansible-doc huaweicloud.cloud.$module: OPTIONS, EXAMPLES and RETURN VALUES rendered"
    done
}

# importer: the built tarball through galaxy-importer, the check Galaxy runs on upload, offline,
# with flake8 on and ansible-test off (the sanity stage runs ansible-test). Any WARNING or ERROR
# it reports fails the stage (tests/harness/collection.py). galaxy-importer pins its own
# linters, so it runs from a venv of its own, created or refreshed by scripts/bootstrap.sh.
stage_importer() {
    # The tarball of this work tree: built here unless the build stage of this run made it.
    if [ -z "${built_this_run:-}" ] || [ ! -f "$(tarball_path)" ]; then
        stage_build
    fi
    mkdir -p "$(dirname "$IMPORTER_VENV")"
    # Two clones testing at once build the shared venv once.
    flock "$(dirname "$IMPORTER_VENV")/.lock" env VENV="$IMPORTER_VENV" REQUIREMENTS="$ROOT/scripts/importer-requirements.txt" \
        "$ROOT/scripts/bootstrap.sh"
    echo "galaxy-importer $("$IMPORTER_VENV/bin/python" -c 'from importlib.metadata import version; print(version("galaxy-importer"))')" \
        "on $(basename "$(tarball_path)")"
    harness importer "$(tarball_path)" --bin-dir "$IMPORTER_VENV/bin" --workdir "$BUILD/importer"
}

# copy_tree, stage_tree and run_ansible_test.
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

stage_sanity() {
    run_ansible_test sanity
}

stage_units() {
    run_ansible_test units
}

stage_lint() {
    # --offline keeps ansible-lint from installing this collection into its cache, so expose
    # the work tree as ansible_collections/huaweicloud/cloud for playbooks that use its modules.
    local lint_root="$BUILD/lint-collections"
    mkdir -p "$lint_root/ansible_collections/huaweicloud"
    ln -sfn "$ROOT" "$lint_root/ansible_collections/huaweicloud/cloud"
    ANSIBLE_COLLECTIONS_PATH="$lint_root${ANSIBLE_COLLECTIONS_PATH:+:$ANSIBLE_COLLECTIONS_PATH}" \
        ansible-lint --offline --profile production --nocolor
}

stage_changelog() {
    local generated
    antsibull-changelog lint
    antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
    # CHANGELOG.rst must be what antsibull-changelog generates from changelog.yaml.
    generated="$(mktemp)"
    antsibull-changelog generate --output "$generated" --output-format rst
    if ! diff -u CHANGELOG.rst "$generated"; then
        rm -f "$generated"
        die "CHANGELOG.rst is out of date: run 'antsibull-changelog generate'"
    fi
    rm -f "$generated"
    echo "changelog fragments, changelog.yaml and CHANGELOG.rst are consistent"
}

# docs: the collection's docs site, built with antsibull-docs and Sphinx from a copy of the work tree
# (plugin pages and the environment variables index for every module there is, the user guide through
# docs/docsite/extra-docs.yml, the links of docs/docsite/links.yml). lint-collection-docs --plugin-docs
# checks the docs first. Every warning fails the stage, except references into the main Ansible docs:
# their intersphinx inventories need the network, so offline they stay plain text (and are listed).
# The site lands in build/docs/html (index.html).
DOCS="$BUILD/docs"
stage_docs() {
    local collections="$DOCS/collections" site="$DOCS/site" collection
    collection="$collections/ansible_collections/huaweicloud/cloud"
    copy_tree "$collection"
    # docs/user-guide.md is the one source of the guide; the site gets it as RST.
    python - "$ROOT/docs/user-guide.md" "$collection/docs/docsite/rst/user_guide.rst" "$ROOT/galaxy.yml" <<'PY'
import os
import posixpath
import re
import sys

import pypandoc
import yaml

source, target, galaxy = sys.argv[1:]
with open(galaxy, encoding="utf-8") as handle:
    repository = yaml.safe_load(handle)["repository"]
with open(source, encoding="utf-8") as handle:
    text = handle.read()


def absolute(match):
    """A link to a file of the repository (../examples/x.yml) points at it on GitHub, as it does there."""
    return "](%s/blob/main/%s)" % (repository, posixpath.normpath(posixpath.join("docs", match.group(1))))


text = re.sub(r"\]\((?![a-z]+:|#)([^)\s]+)\)", absolute, text)
# No generated section labels: antsibull-docs accepts only labels under the collection's own prefix.
rst = pypandoc.convert_text(text, "rst", format="gfm-gfm_auto_identifiers", extra_args=["--wrap=preserve"])
os.makedirs(os.path.dirname(target), exist_ok=True)
with open(target, "w", encoding="utf-8") as handle:
    handle.write(".. _ansible_collections.huaweicloud.cloud.docsite.user_guide:\n\n" + rst)
PY
    # Only this copy of the collection is visible to antsibull-docs.
    export ANSIBLE_COLLECTIONS_PATH="$collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
    (cd "$collection" && antsibull-docs lint-collection-docs --plugin-docs .)
    echo "lint-collection-docs --plugin-docs: no findings"

    rm -rf "$site" "$DOCS/html"
    mkdir -p "$site"
    antsibull-docs sphinx-init --use-current --squash-hierarchy --dest-dir "$site" \
        --project huaweicloud.cloud --title "huaweicloud.cloud collection documentation" \
        --copyright "Contributors to the huaweicloud.cloud collection" huaweicloud.cloud >/dev/null
    cat >>"$site/conf.py" <<'PY'

# Offline build (scripts/test.sh docs): no intersphinx inventories, so a reference into the main Ansible
# docs (common_return_values, ...) is kept as plain text and listed; one into this collection must resolve.
intersphinx_mapping = {}


def _offline_reference(app, env, node, contnode):
    target = node.get("reftarget", "")
    if node.get("reftype") != "ref" or target.startswith("ansible_collections.huaweicloud.cloud."):
        return None
    app.offline_references.add(target)
    return contnode


def _list_offline_references(app, exception):
    if app.offline_references:
        print("references into the main Ansible docs, plain text offline: %s" % ", ".join(sorted(app.offline_references)))


def setup(app):
    app.offline_references = set()
    app.connect("missing-reference", _offline_reference)
    app.connect("build-finished", _list_offline_references)
PY
    mkdir -p "$site/rst"
    chmod og-w "$site/rst"  # antsibull-docs wants its output directory writable by itself only
    antsibull-docs --config-file "$site/antsibull-docs.cfg" collection --use-current --squash-hierarchy --fail-on-error \
        --cleanup everything --dest-dir "$site/rst" huaweicloud.cloud
    sphinx-build -q -b html -c "$site" -W --keep-going -n "$site/rst" "$DOCS/html"
    [ -f "$DOCS/html/docsite/user_guide.html" ] || die "the site has no user guide"
    [ -f "$DOCS/html/environment_variables.html" ] || die "the site has no environment variables index"
    echo "docs site: $(find "$DOCS/html" -maxdepth 1 -name '*_module.html' | wc -l) module pages, the user guide and" \
        "the environment variables index in $DOCS/html (open index.html)"
}

stage_ee() {
    local context="$BUILD/ee-context" introspect
    # The context and the introspection both need the built and installed collection.
    if [ ! -f "$(tarball_path)" ] || [ ! -d "$COLLECTIONS/ansible_collections/huaweicloud/cloud" ]; then
        stage_build
    fi
    rm -rf "$context"
    # 'create' only writes the build context: no image, no network.
    ansible-builder create --file tests/ee/execution-environment.yml --context "$context" \
        --output-filename Containerfile -v 1
    [ -f "$context/Containerfile" ] || die "ansible-builder wrote no Containerfile"
    ls "$context"/_build/collections/huaweicloud-cloud-*.tar.gz >/dev/null 2>&1 \
        || die "the collection tarball is missing from the execution environment build context"
    grep -q 'huaweicloud-cloud.tar.gz' "$context/_build/requirements.yml" \
        || die "the build context's requirements.yml does not name the collection tarball"
    grep -q 'ansible-galaxy collection install' "$context/Containerfile" \
        || die "the Containerfile does not install the collection"

    # What ansible-builder derives from the installed collection's meta/execution-environment.yml.
    introspect="$(ansible-builder introspect "$COLLECTIONS")"
    echo "$introspect"
    python - "$introspect" <<'PY' || die "ansible-builder introspect did not report requests for huaweicloud.cloud"
import sys
import yaml

deps = yaml.safe_load(sys.argv[1]) or {}
found = [line for line in deps.get("python") or []
         if line.split()[0].startswith("requests") and "huaweicloud.cloud" in line]
sys.exit(0 if found else 1)
PY
    echo "execution environment: build context created; introspection reports requests"
}

# integration: every target of tests/integration/targets through ansible-test integration, against a
# new emulator (scripts/integration.sh; docs/integration-tests.md has the real-account mode).
stage_integration() {
    "$ROOT/scripts/integration.sh" emulator
}

# matrix: the ansible-core matrix through tox-ansible (tox-ansible.ini). First the claim check against every
# environment of its `full` label (tests/matrix/claims.py), then the `gate` label: units on every claimed minor,
# each on one Python it supports, sanity and every integration target on the oldest (the sanity and integration
# stages cover the newest), then the `gate-smoke` label: the matrix_smoke target on every other minor.
# MATRIX_LABEL=full (make matrix-full) runs every environment, with every target.
# The environments live outside the clone, so fresh clones reuse them; tox rebuilds one when its deps change.
MATRIX_WORKDIR="${MATRIX_WORKDIR:-${XDG_CACHE_HOME:-$HOME/.cache}/huaweicloud-cloud-tox}"
# tox and tox-ansible (scripts/tox-requirements.txt), outside .venv: see that file.
TOX_VENV="${TOX_VENV:-$MATRIX_WORKDIR/tox-venv}"
stage_matrix() {
    local python_dir envs=()
    # The Pythons the environments name (py3.10 ...): python3.X on PATH, else ~/.pyenv/versions/3.X.* (newest first).
    while IFS= read -r python_dir; do
        [ -d "$python_dir" ] && PATH="$PATH:$python_dir"
    done < <(printf '%s\n' "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin | sort -rV)
    export PATH
    mkdir -p "$MATRIX_WORKDIR"
    flock "$MATRIX_WORKDIR/.venv-lock" env VENV="$TOX_VENV" REQUIREMENTS="$ROOT/scripts/tox-requirements.txt" "$ROOT/scripts/bootstrap.sh"
    mapfile -t envs < <("$TOX_VENV/bin/tox" list --ansible -c "$ROOT/tox-ansible.ini" --no-desc -m full)
    python "$ROOT/tests/matrix/claims.py" "${envs[@]}"
    # Two clones testing at once share the environments: one run at a time.
    flock "$MATRIX_WORKDIR/.lock" "$TOX_VENV/bin/tox" run --ansible -c "$ROOT/tox-ansible.ini" --workdir "$MATRIX_WORKDIR" -m "${MATRIX_LABEL:-gate}" 2>&1 \
        | filter_pip_noise
    if [ "${MATRIX_LABEL:-gate}" = gate ]; then
        flock "$MATRIX_WORKDIR/.lock" "$TOX_VENV/bin/tox" run --ansible -c "$ROOT/tox-ansible.ini" --workdir "$MATRIX_WORKDIR" -m gate-smoke -- matrix_smoke 2>&1 \
            | filter_pip_noise
    fi
}

# bench: a quick smoke of the benchmark. It fails only when a run does not produce its
# result; timings are reported, never judged (docs/performance.md has the full numbers).
stage_bench() {
    "$ROOT/bench/run.sh" --quick
}

stage_pytest() {
    local rc=0
    mkdir -p "$BUILD"
    local dirs=()
    for d in tests/unit tests/emulator tests/matrix tests/integration; do
        [ -d "$d" ] && dirs+=("$d")
    done
    [ ${#dirs[@]} -gt 0 ] || die "no test directories found (tests/unit, tests/emulator, tests/matrix, tests/integration)"
    # The test folders have no __init__.py, so one pytest run needs unique file names.
    local clashes
    clashes="$(find "${dirs[@]}" -name 'test_*.py' -printf '%f\n' | sort | uniq -d)"
    [ -z "$clashes" ] || die "test files must have unique names across ${dirs[*]}: $clashes"
    # Most integration tests wait on the emulator's task timelines more than they compute, so
    # more workers than cores pay: 3 on 2 cores. Each worker runs its own emulators, and the
    # collection is built once for all of them (tests/harness/pytest_plugin.py); the tests of an
    # xdist_group run on one worker.
    local workers="${PYTEST_WORKERS:-3}" xdist=()
    if [ "$workers" != 0 ]; then
        xdist=(-n "$workers" --dist loadgroup)
    fi
    # tests/conftest.py makes ansible_collections.huaweicloud.cloud importable.
    python -m pytest -o cache_dir="$BUILD/.pytest_cache" ${xdist[@]+"${xdist[@]}"} "${dirs[@]}" ${pytest_args[@]+"${pytest_args[@]}"} || rc=$?
    if [ "$rc" -eq 5 ]; then
        die "pytest collected no tests"
    fi
    return "$rc"
}

# Each stage runs in a subshell with errexit on, so any failing command ends the stage
# (errexit would be ignored inside a function called from an `if`).
set +e
for stage in "${stages[@]}"; do
    banner "stage: $stage"
    start=$SECONDS
    (
        set -euo pipefail
        case "$stage" in
            build) stage_build ;;
            importer) stage_importer ;;
            sanity) stage_sanity ;;
            units) stage_units ;;
            lint) stage_lint ;;
            changelog) stage_changelog ;;
            docs) stage_docs ;;
            ee) stage_ee ;;
            integration) stage_integration ;;
            matrix) stage_matrix ;;
            bench) stage_bench ;;
            pytest) stage_pytest ;;
        esac
    )
    rc=$?
    if [ "$stage" = pytest ]; then
        # pytest's own summary stays the last line printed.
        [ "$rc" -eq 0 ] || exit "$rc"
        continue
    fi
    if [ "$rc" -ne 0 ]; then
        banner "FAILED: $stage (exit $rc)"
        exit 1
    fi
    [ "$stage" = build ] && built_this_run=1
    echo "stage $stage passed in $((SECONDS - start))s"
done
exit 0
