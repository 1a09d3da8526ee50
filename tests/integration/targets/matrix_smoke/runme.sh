#!/usr/bin/env bash
# ansible-test runs this with the run's settings as "-e @FILE" (when it has any) and the working directory
# in its copy of the targets; smoke.py reads tests/integration/integration_config.yml from that copy.
set -euo pipefail
exec "${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" smoke.py "$@"
