#!/usr/bin/env bash
# End-to-end demo of huaweicloud.cloud against the local DDM emulator (loopback only).
#
#   make demo        (or scripts/demo.sh)
#
# 1. bootstrap .venv            4. create a DDM instance with ddm_instance (examples/create_instance.yml),
# 2. build + install the           then run it again: nothing changes
#    collection like a user     5. create a CreateInstance task that takes ~12 s
# 3. start the emulator         6. run examples/gate_on_instance_creation.yml (waits for it)
#                               7. run the same playbook on a task that fails (rescue branch)
#                               8. query a task ad hoc with `ansible -m`
#
# Exits non-zero as soon as a step does not behave as described. Output lands in build/demo/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEMO="$ROOT/build/demo"
COLLECTIONS="$DEMO/collections"
PLAYBOOK="$ROOT/examples/gate_on_instance_creation.yml"
CREATE_SECONDS=12

if [ -t 1 ]; then BOLD=$'\033[1m' RED=$'\033[1;31m' GREEN=$'\033[1;32m' RESET=$'\033[0m'; else BOLD="" RED="" GREEN="" RESET=""; fi

step=0
banner() {
    step=$((step + 1))
    printf '\n%s==> Step %d: %s%s\n' "$BOLD" "$step" "$1" "$RESET"
    shift
    local line
    for line in "$@"; do
        printf '    %s\n' "$line"
    done
}

die() {
    printf '\n%sdemo failed: %s%s\n' "$RED" "$*" "$RESET" >&2
    exit 1
}

# start_emulator and stop_emulator.
# shellcheck source=scripts/emulator.sh
. "$ROOT/scripts/emulator.sh"
trap 'stop_emulator && echo "demo: emulator stopped" || true' EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------
banner "Prepare the development environment (.venv)" \
    "scripts/bootstrap.sh installs the pinned tools; a second run is a no-op."
"$ROOT/scripts/bootstrap.sh"
export PATH="$ROOT/.venv/bin:$PATH"
PYTHON="$ROOT/.venv/bin/python"
# Everything below talks to 127.0.0.1 only: never route it through a proxy.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
export PYTHONDONTWRITEBYTECODE=1

# The harness shared with the tests and the benchmark: build + install, the emulator, its control API.
harness() {
    PYTHONPATH="$ROOT/tests" "$PYTHON" -m harness "$@"
}

rm -rf "$DEMO"
mkdir -p "$DEMO"

# ---------------------------------------------------------------------------
banner "Build the collection and install it the way users do" \
    "ansible-galaxy collection build, then ansible-galaxy collection install -p $COLLECTIONS"
harness collection "$DEMO" || die "the collection could not be built and installed"
export ANSIBLE_COLLECTIONS_PATH="$COLLECTIONS"
[ -f "$COLLECTIONS/ansible_collections/huaweicloud/cloud/plugins/modules/ddm_job_info.py" ] \
    || die "the collection was not installed into $COLLECTIONS"

# Run Ansible on this machine with the virtual environment's Python, reading only
# the installed collection (not the source tree).
cat >"$DEMO/inventory.ini" <<EOF
localhost ansible_connection=local ansible_python_interpreter=$PYTHON
EOF
export ANSIBLE_INVENTORY="$DEMO/inventory.ini"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_LOCAL_TEMP="$DEMO/tmp"
export ANSIBLE_RETRY_FILES_ENABLED=false
export ANSIBLE_CALLBACK_RESULT_FORMAT=yaml
export ANSIBLE_DEPRECATION_WARNINGS=false

# ---------------------------------------------------------------------------
banner "Start the DDM + IAM emulator on 127.0.0.1" \
    "The emulator in tests/emulator plays both services on one base URL and checks" \
    "AK/SK signatures, tokens and projects like the real gateway."
start_emulator "$DEMO" --seed-demo || die "the emulator did not start"
port_file="$EMULATOR_PORT_FILE"
BASE_URL="$EMULATOR_URL"

# control METHOD PATH [JSON] [PYTHON EXPRESSION over the answer `r`]: call /_emulator/PATH.
control() {
    harness control --port-file "$port_file" "$@"
}

verifier="$(control GET info '' 'r["verifier"]')" || die "the emulator's control API does not answer"
echo "emulator: $BASE_URL (AK/SK signatures checked by the '$verifier' verifier)"

# The same default identities the emulator seeds; the real cloud needs your own.
export HW_ACCESS_KEY="AKEMULATOR0000000000"
export HW_SECRET_KEY="SKemulatorSecretKey00000000000000000000000"
endpoint_vars=(-e "hw_region=cn-north-4" -e "hw_ddm_endpoint=$BASE_URL" -e "hw_iam_endpoint=$BASE_URL")

# ---------------------------------------------------------------------------
banner "Create a DDM instance with ddm_instance: examples/create_instance.yml" \
    "The module finds no instance named orders-ddm, creates it with the v3 API, and follows its" \
    "CreateInstance task (about 8 s here) with live progress lines; then the play configures it:" \
    "its parameters (ddm_instance_config), a schema over its data nodes (ddm_schema) and an" \
    "application account on the schema (ddm_account). The second run finds all of it and changes nothing."
control POST instances/settings '{"create_seconds": 8}' >/dev/null
# The passwords the play needs, in a vars file as users keep them (in ansible-vault on a real account):
# the emulator's data nodes accept this administrator login.
(umask 077 && printf 'rds_admin_password: Rds-Admin-Passw0rd\napp_password: Orders-App-2026x\n' >"$DEMO/secrets.yml")
network_vars=(-e "@$DEMO/secrets.yml" -e "vpc_id=3c1a7e52-0b6d-4d1e-9f6a-7d2f0e4c5a01" -e "subnet_id=5e2b8f63-1c7e-4e2f-8a7b-8e3a1f5d6b02"
              -e "security_group_id=7f3c9a74-2d8f-4f3a-9b8c-9f4b2a6e7c03")
ansible-playbook "$ROOT/examples/create_instance.yml" "${endpoint_vars[@]}" "${network_vars[@]}" -e ddm_name=orders-ddm \
    | tee "$DEMO/create-run.log" || die "the instance could not be created"
grep -q "DDM instance orders-ddm (.*) is RUNNING" "$DEMO/create-run.log" || die "the play did not configure a RUNNING instance"
ansible-playbook "$ROOT/examples/create_instance.yml" "${endpoint_vars[@]}" "${network_vars[@]}" -e ddm_name=orders-ddm \
    | tee "$DEMO/create-again.log" || die "the second run failed"
grep -q "changed=0" "$DEMO/create-again.log" || die "the second run changed something"
echo "as expected: the second run found orders-ddm and changed nothing"

# ---------------------------------------------------------------------------
banner "Simulate a DDM instance creation" \
    "The control API creates a CreateInstance task that runs for ${CREATE_SECONDS} s and then completes," \
    "like the job_id the real 'create instance' API returns."
instance_id="5f1c3e2a9b8d4c7e8f6a0b1c2d3e4f50in09"
job_spec="$(printf '{"name": "CreateInstance", "duration": %d, "outcome": "Completed", "instance": {"id": "%s", "name": "ddm-orders"}}' \
    "$CREATE_SECONDS" "$instance_id")"
create_job_id="$(control POST jobs "$job_spec" 'r["job"]["id"]')" || die "could not create the demo task"
echo "CreateInstance task: $create_job_id"

# ---------------------------------------------------------------------------
banner "Gate on the instance creation: examples/gate_on_instance_creation.yml" \
    "Credentials: AK/SK from HW_ACCESS_KEY / HW_SECRET_KEY, set once with module_defaults;" \
    "the project id is discovered from IAM by region. The wait polls after 1, 2, 4, then every 5 s," \
    "and prints a progress line whenever the task's status or progress changes."
control DELETE requests >/dev/null
ansible-playbook "$PLAYBOOK" "${endpoint_vars[@]}" -e "ddm_create_job_id=$create_job_id" -e "ddm_instance_id=$instance_id" \
    || die "the playbook failed on a task that completes"
echo "requests the emulator received (seconds since the first):"
control GET requests '' \
    '"\n".join("  +%5.1f s  %s %s [%s] -> %s" % (q["epoch"] - r["requests"][0]["epoch"], q["method"], q["path"], q["auth"], q["status"]) for q in r["requests"])'

# ---------------------------------------------------------------------------
banner "The same playbook when the creation fails" \
    "A CreateInstance task that fails after 3 s: the module fails at once with the task's last state" \
    "and the failure reason from the task list; the rescue branch prints them and stops the play." \
    "This playbook run is EXPECTED to fail."
failed_instance_id="0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f50in09"
failed_spec="$(printf '{"name": "CreateInstance", "duration": 3, "outcome": "Failed", "fail_reason": "%s", "instance": {"id": "%s", "name": "ddm-broken"}}' \
    "Insufficient ECS capacity for the selected flavor in the availability zone." "$failed_instance_id")"
failed_job_id="$(control POST jobs "$failed_spec" 'r["job"]["id"]')" || die "could not create the failing task"
set +e
ansible-playbook "$PLAYBOOK" "${endpoint_vars[@]}" -e "ddm_create_job_id=$failed_job_id" -e "ddm_instance_id=$failed_instance_id" | tee "$DEMO/failed-run.log"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 2 ] || die "expected the playbook to fail with exit code 2 (a failed host), got $rc"
grep -q "Show the creation task's last known state" "$DEMO/failed-run.log" || die "the rescue branch did not run"
grep -q "ended with status Failed" "$DEMO/failed-run.log" || die "the failure does not report the task's status"
grep -q "Insufficient ECS capacity" "$DEMO/failed-run.log" || die "the failure does not report the task's failure reason"
echo "as expected: the rescue branch reported the failed task and the play stopped (exit code $rc)"

# ---------------------------------------------------------------------------
banner "Ad-hoc query with token authentication" \
    "ansible localhost -m huaweicloud.cloud.ddm_job_info -a 'job_id=... endpoint=... project_id=...'" \
    "The token comes from HW_AUTH_TOKEN: secrets never go on the command line."
env -u HW_ACCESS_KEY -u HW_SECRET_KEY HW_AUTH_TOKEN="emulator-static-token-0001" \
    ansible localhost -m huaweicloud.cloud.ddm_job_info \
    -a "job_id=$create_job_id endpoint=$BASE_URL project_id=0123456789abcdef0123456789abcdef" \
    | tee "$DEMO/adhoc.log" || die "the ad-hoc query failed"
grep -q 'status: Completed' "$DEMO/adhoc.log" || die "the ad-hoc query did not return the completed task"

printf '\n%sDemo complete.%s Installed collection: %s\n' "$GREEN" "$RESET" "$COLLECTIONS"
printf 'Next: docs/user-guide.md (using the collection) and docs/developer-guide.md (working on it).\n'
