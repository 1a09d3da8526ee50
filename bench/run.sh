#!/usr/bin/env bash
# Benchmark huaweicloud.cloud.ddm_job_info against the local DDM emulator (loopback only).
#
#   bench/run.sh            full run (about 22 minutes)
#   bench/run.sh --quick    CI smoke: every scenario once, tasks of a second or two polled every second (under a minute)
#
# Other options go to bench/bench.py (--only SCENARIO, --reps N). Prints a markdown table;
# writes build/bench/results.json. Exits non-zero only when a run did not produce its
# result (for example a wait that failed): wall times are reported, never judged.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/build/bench"

"$ROOT/scripts/bootstrap.sh" >&2
PYTHON="$ROOT/.venv/bin/python"
# Everything talks to 127.0.0.1 only: never route it through a proxy.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"

# Build and install the collection the way users get it, reading nothing else; check the
# tarball's contents (tests/harness/collection.py).
PYTHONPATH="$ROOT/tests" "$PYTHON" -m harness collection "$OUT" >&2

exec "$PYTHON" "$ROOT/bench/bench.py" --collections "$OUT/collections" --output "$OUT/results.json" "$@"
