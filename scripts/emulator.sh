# shellcheck shell=bash
# Sourced by scripts/demo.sh and scripts/integration.sh: the loopback emulator (tests/emulator) as a
# background process of the calling script. Needs ROOT; runs the emulator with PYTHON (default python).

emulator_pid=""

# start_emulator DIR [OPTION...]: start `python -m harness emulator OPTION...`, its log in DIR/emulator.log,
# and wait until it answers: EMULATOR_URL is its base URL, EMULATOR_PORT_FILE the file with its port (for
# `python -m harness control`). Returns 1, with the log shown, when it does not start within 10 s.
start_emulator() {
    local dir="$1" log
    shift
    EMULATOR_PORT_FILE="$dir/emulator.port"
    log="$dir/emulator.log"
    mkdir -p "$dir"
    rm -f "$EMULATOR_PORT_FILE"
    PYTHONPATH="$ROOT/tests" "${PYTHON:-python}" -m harness emulator --port-file "$EMULATOR_PORT_FILE" "$@" >"$log" 2>&1 &
    emulator_pid=$!
    for _ in $(seq 1 100); do
        [ -s "$EMULATOR_PORT_FILE" ] && break
        if ! kill -0 "$emulator_pid" 2>/dev/null; then
            cat "$log" >&2
            echo "the emulator exited during startup" >&2
            return 1
        fi
        sleep 0.1
    done
    if [ ! -s "$EMULATOR_PORT_FILE" ]; then
        echo "the emulator did not report its port within 10 s (log: $log)" >&2
        return 1
    fi
    # shellcheck disable=SC2034  # read by the calling script
    EMULATOR_URL="http://127.0.0.1:$(tr -d '[:space:]' <"$EMULATOR_PORT_FILE")"
}

# Stop the emulator if it runs; true when there was one to stop.
stop_emulator() {
    local pid="$emulator_pid"
    emulator_pid=""
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
