# Sourced by the scripts that start perfwatch with --port 0 and need the port it picked.
#
#   wait_for_port LOG PID SECONDS
#
# Waits until LOG (perfwatch's stdout) has its "listening on http://HOST:PORT" line and sets
# `port`. Returns non-zero, with `port` empty, when PID exits first or SECONDS pass. The log may
# not exist yet: the shell that started perfwatch in the background creates it in the child.
wait_for_port() {
    local log=$1 pid=$2 tries=$(($3 * 10))
    port=""
    while ((tries-- > 0)); do
        port=$(sed -n 's/.*listening on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$log" 2>/dev/null || true)
        [[ -n $port ]] && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
