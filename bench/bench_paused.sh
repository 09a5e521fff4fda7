#!/bin/sh
# CPU used by the live view while paused (make bench): run ouscope in a
# private tmux server at 120x40, pause it, and read utime + stime from
# /proc/<pid>/stat over 10 seconds.  Target: <= 1% of one core.  The same
# measurement while running is printed for comparison.

: "${OUSCOPE:=./ouscope}"
if ! command -v tmux >/dev/null 2>&1; then
    echo "cpu while paused: skipped (tmux not found)"
    exit 0
fi
if [ ! -r /proc/self/stat ]; then
    echo "cpu while paused: skipped (no /proc)"
    exit 0
fi

T="tmux -L oubench$$ -f /dev/null"
trap '$T kill-server >/dev/null 2>&1' EXIT
SECONDS_MEASURED=${BENCH_SECONDS:-10}
HZ=$(getconf CLK_TCK)

$T start-server \; set-option -g remain-on-exit on \; \
    new-session -d -s app -x 120 -y 40 -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 \
    -e OPENBLAS_NUM_THREADS=1 "exec $OUSCOPE --seed 1"
pid=$($T display -p -t app '#{pane_pid}')

wait_for() {
    i=0
    while [ $i -lt 100 ]; do
        $T capture-pane -p -t app | grep -qF -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    echo "bench_paused: timed out waiting for \"$1\"" >&2
    exit 1
}

# Clock ticks (user + system) the process has used so far.
ticks() {
    # Fields 14 and 15 follow the command name, which is in parentheses.
    sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'
}

measure() {
    t0=$(ticks)
    sleep "$SECONDS_MEASURED"
    t1=$(ticks)
    awk -v d=$((t1 - t0)) -v hz="$HZ" -v s="$SECONDS_MEASURED" \
        'BEGIN { printf "%.2f%% of one core (%d ticks of 1/%d s in %d s)", 100 * d / hz / s, d, hz, s }'
}

wait_for "running"
echo "cpu while running: $(measure)"
$T send-keys -t app Space
wait_for "PAUSED"
echo "cpu while paused:  $(measure) (target <= 1%)"
$T send-keys -t app q
exit 0
