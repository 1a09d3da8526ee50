#!/usr/bin/env bash
# The integration targets (tests/integration/targets) through ansible-test integration.
#
#   scripts/integration.sh [emulator] [TARGET...]   against a new loopback emulator (make integration)
#   scripts/integration.sh cloud [TARGET...]        against the real account in the environment; refused
#                                                   unless HUAWEICLOUD_IT_BILLABLE=yes (docs/integration-tests.md)
#   scripts/integration.sh sweep [--yes] [PREFIX]   list, then with --yes delete, the DDM instances that earlier
#                                                   cloud runs left behind: only names that start with PREFIX,
#                                                   by default any run's prefix (ait + 6 hex digits, then - or _)
#   scripts/integration.sh with-emulator CONFIG -- COMMAND...
#                                                   start an emulator, write its integration_config.yml to
#                                                   CONFIG, run COMMAND, stop the emulator
#
# Extra ansible-test arguments go after --, such as: scripts/integration.sh emulator ddm_schema -- -vvv
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build"
STAGED="$BUILD/ansible_collections/huaweicloud/cloud"
WORK="${INTEGRATION_WORK:-$BUILD/integration}"
CONFIG_RELATIVE="tests/integration/integration_config.yml"

usage() {
    sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

die() {
    printf 'integration.sh: %s\n' "$*" >&2
    exit 1
}

"$ROOT/scripts/bootstrap.sh"
export PATH="$ROOT/.venv/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

harness() {
    PYTHONPATH="$ROOT/tests" python -m harness "$@"
}

# start_emulator and stop_emulator.
# shellcheck source=scripts/emulator.sh
. "$ROOT/scripts/emulator.sh"

# ansible-test integration in the staged tree, with the integration_config.yml already written there.
# The modules run on the controller (.venv, which has requests), as they do from a user's playbook.
run_targets() {
    local python_version rc=0
    python_version="$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    (cd "$STAGED" && ansible-test integration --local --python "$python_version" --color no "$@") 2>&1 | filter_pip_noise || rc=$?
    return "$rc"
}

# Split "TARGET... -- ARGS..." into targets and ansible-test arguments.
split_args() {
    targets=()
    extra=()
    while [ $# -gt 0 ]; do
        case "$1" in
            --) shift; extra=("$@"); break ;;
            *) targets+=("$1") ;;
        esac
        shift
    done
}

mode_emulator() {
    split_args "$@"
    stage_tree
    mode_with_emulator "$STAGED/$CONFIG_RELATIVE" -- run_targets ${extra[@]+"${extra[@]}"} ${targets[@]+"${targets[@]}"}
}

mode_cloud() {
    local prefix rc=0
    split_args "$@"
    # The file carries the account's keys: gone when the run ends, however it ends.
    trap 'rm -f "$WORK/cloud_config.yml" "$STAGED/$CONFIG_RELATIVE"' EXIT
    # Refused, with nothing staged or sent, without HUAWEICLOUD_IT_BILLABLE=yes or with a setting missing.
    prefix="$(harness integration-config "$WORK/cloud_config.yml" --cloud)" || exit 1
    stage_tree
    mv "$WORK/cloud_config.yml" "$STAGED/$CONFIG_RELATIVE"
    echo "integration: the account in the environment, region ${HW_REGION_NAME:-?}, resources named $prefix-*"
    echo "integration: leftovers of a run that was interrupted: scripts/integration.sh sweep $prefix"
    run_targets ${extra[@]+"${extra[@]}"} ${targets[@]+"${targets[@]}"} || rc=$?
    return "$rc"
}

mode_sweep() {
    local confirm=false prefix="" check=(--check)
    while [ $# -gt 0 ]; do
        case "$1" in
            --yes) confirm=true ;;
            -*) die "sweep: unknown option $1" ;;
            *) prefix="$1" ;;
        esac
        shift
    done
    if [ -n "$prefix" ] && ! [[ "$prefix" =~ ^ait[0-9a-f]{6}$ ]]; then
        die "sweep: '$prefix' is not the prefix of a run (ait and 6 hex digits); the sweeper deletes nothing else"
    fi
    $confirm && check=()
    # Credentials from the environment (HW_ACCESS_KEY, HW_SECRET_KEY, HW_REGION_NAME, ...), as users hold them.
    # The collection as users install it: built, then installed from the tarball.
    harness collection "$WORK/sweep" >/dev/null
    ANSIBLE_COLLECTIONS_PATH="$WORK/sweep/collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
        ansible-playbook -i localhost, -c local ${check[@]+"${check[@]}"} \
        -e "ansible_python_interpreter=$(command -v python)" -e "sweep_prefix=$prefix" "$ROOT/tests/integration/sweep.yml"
    $confirm || echo "sweep: nothing was deleted (check mode); run again with --yes to delete what is listed"
}

# Start an emulator, write its settings to CONFIG, run COMMAND; the emulator and CONFIG are gone afterwards.
mode_with_emulator() {
    local prefix
    config="$1"  # global: the EXIT trap reads it after this function returns
    shift
    [ "${1:-}" = "--" ] || die "with-emulator: usage: with-emulator CONFIG -- COMMAND..."
    shift
    [ $# -gt 0 ] || die "with-emulator: no command"
    trap 'stop_emulator || true; rm -f "$config"' EXIT
    start_emulator "$WORK" || die "no emulator"
    prefix="$(harness integration-config "$config" --emulator-url "$EMULATOR_URL")"
    echo "integration: the emulator at $EMULATOR_URL, resources named $prefix-*"
    "$@"
}

mode="emulator"
case "${1:-}" in
    emulator|cloud|sweep|with-emulator) mode="$1"; shift ;;
    -h|--help) usage; exit 0 ;;
esac
mkdir -p "$WORK"
case "$mode" in
    emulator) mode_emulator "$@" ;;
    cloud) mode_cloud "$@" ;;
    sweep) mode_sweep "$@" ;;
    with-emulator) [ $# -ge 1 ] || die "with-emulator: no CONFIG"; mode_with_emulator "$@" ;;
esac
