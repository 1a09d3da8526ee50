#!/usr/bin/env bash
# Try the collection locally: start the DDM/IAM emulator on 127.0.0.1 and print what to export.
#
#   make try        (or scripts/try.sh)
#
# Builds and installs the collection into build/try/collections (as users install it), starts
# the emulator with its demo tasks, prints the environment variables that point the modules at
# it, and runs until Ctrl-C. Every example of the user guide and of ansible-doc then works in
# another shell, against 127.0.0.1 only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRY="$ROOT/build/try"
case "${1:-}" in
    "") ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "try.sh: unknown argument '$1'" >&2; exit 2 ;;
esac

"$ROOT/scripts/bootstrap.sh" >&2
PYTHON="$ROOT/.venv/bin/python"
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
export PYTHONDONTWRITEBYTECODE=1
rm -rf "$TRY"
mkdir -p "$TRY"
PYTHONPATH="$ROOT/tests" "$PYTHON" -m harness collection "$TRY" >&2

port_file="$TRY/emulator.port"
# The emulator runs in a session of its own, so Ctrl-C (a SIGINT to the terminal's process group)
# reaches only this script, which then stops the emulator itself. Were it in this group, the emulator
# could exit on the SIGINT before the script's trap ran, and 'wait' would report that exit as a failure.
PYTHONPATH="$ROOT/tests" "$PYTHON" -c 'import os, sys; os.setsid(); os.execv(sys.executable, [sys.executable] + sys.argv[1:])' \
    -m harness emulator --seed-demo --port-file "$port_file" 2>"$TRY/emulator.log" &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true' EXIT
trap 'exit 0' INT TERM HUP
for _ in $(seq 1 100); do
    [ -s "$port_file" ] && break
    kill -0 "$emulator_pid" 2>/dev/null || { cat "$TRY/emulator.log" >&2; echo "try.sh: the emulator exited during startup" >&2; exit 1; }
    sleep 0.1
done
[ -s "$port_file" ] || { echo "try.sh: the emulator did not start (log: $TRY/emulator.log)" >&2; exit 1; }
url="http://127.0.0.1:$(tr -d '[:space:]' <"$port_file")"
# An inventory with localhost spares Ansible's "implicit localhost" warnings, and runs the modules with this Python.
printf 'localhost ansible_connection=local ansible_python_interpreter=%s\n' "$PYTHON" >"$TRY/inventory.ini"

PYTHONPATH="$ROOT/tests" "$PYTHON" - "$url" "$TRY" "$ROOT/.venv/bin" <<'PY'
import sys

from harness import emulator

url, try_dir, bin_dir = sys.argv[1:]
print("""# The DDM/IAM emulator listens on %(url)s (Ctrl-C stops it). In another shell:
export PATH=%(bin)s:$PATH
export ANSIBLE_COLLECTIONS_PATH=%(try_dir)s/collections ANSIBLE_INVENTORY=%(try_dir)s/inventory.ini
export HW_REGION_NAME=%(region)s HW_DDM_ENDPOINT=%(url)s HW_AUTH_URL=%(url)s
export HW_ACCESS_KEY=%(ak)s HW_SECRET_KEY=%(sk)s
# The docs' ad-hoc examples sign in with a token (while it is set, it is used instead of the keys):
export HW_AUTH_TOKEN=%(token)s

# Demo tasks: %(jobs)s
#   ansible localhost -m huaweicloud.cloud.ddm_job_info -a job_id=%(completed)s
# Network ids for ddm_instance (-e ...): vpc_id=%(vpc)s subnet_id=%(subnet)s security_group_id=%(sg)s
#   ansible-playbook examples/create_instance.yml -e ddm_name=orders-ddm -e vpc_id=%(vpc)s -e subnet_id=%(subnet)s -e security_group_id=%(sg)s
""" % dict(url=url, bin=bin_dir, try_dir=try_dir, region=emulator.REGION, ak=emulator.ACCESS_KEY, sk=emulator.SECRET_KEY,
           token=emulator.STATIC_TOKEN,
           jobs=", ".join("%s %s" % (name, job_id) for name, job_id in sorted(emulator.DEMO_JOB_IDS.items())),
           completed=emulator.DEMO_JOB_IDS["completed"], vpc=emulator.VPC_ID, subnet=emulator.SUBNET_ID, sg=emulator.SECURITY_GROUP_ID),
      flush=True)
PY
# Ctrl-C interrupts this wait, and its trap ends the script with status 0 (the EXIT trap stops the
# emulator). Past the wait, the emulator ended by itself: a failure, whatever its status.
status=0
wait "$emulator_pid" || status=$?
cat "$TRY/emulator.log" >&2
echo "try.sh: the emulator exited (status $status)" >&2
exit 1
