#!/bin/sh
# Storms: 1000 random keys (every bound key, function-key and cursor escape
# sequences, stray control bytes, mouse presses, drags and releases) at
# 120x40, then 200 random resizes between 10x5 and 250x80 while running.
# ouscope must survive both, draw the right screen for the final size,
# still answer q with status 0, and write nothing to stderr.  The storms
# are pseudo-random with a fixed seed, so a failure replays.
. "${OU_SRCDIR:-.}/tests/tui/lib.sh"

SEED=${OU_STORM_SEED:-20261201}
# storm-settings.sh sets these for the settings' view.
STORM_ARGS=${STORM_ARGS:---seed 4}
STORM_MIN_W=${STORM_MIN_W:-70}
STORM_MIN_H=${STORM_MIN_H:-21}
KEYS=$(mktemp)
trap '$T kill-server >/dev/null 2>&1; rm -f "$ERRF" "$KEYS"' EXIT

# One chunk of printf %b text per line, 1000 keys in all.  Left out: q
# (it quits), and the bytes the terminal turns into signals or flow
# control (Ctrl-C, Ctrl-Z, Ctrl-\, Ctrl-S, Ctrl-Q) and NUL.
awk -v seed="$SEED" 'BEGIN {
    srand(seed)
    bound = " s.nN+=-][0kf}{><)(rRudpvtjJZzPOlLxgmDco?h"
    nesc = split("\\033[A \\033[B \\033[C \\033[D \\033OP \\033[15~ \\033[1;5C \\033[3~ \\033[H \\033[F \\033", esc, " ")
    chunk = ""; n = 0
    for (k = 0; k < 1000; k++) {
        r = rand()
        if (r < 0.55) {
            i = int(rand() * length(bound)) + 1
            c = substr(bound, i, 1)
            key = (c == "\\") ? "\\\\" : c
        } else if (r < 0.70) {
            key = esc[int(rand() * nesc) + 1]
        } else if (r < 0.80) {
            do { b = int(rand() * 32) } while (b == 0 || b == 3 || b == 17 || b == 19 || b == 26 || b == 28)
            key = sprintf("\\%03o", b)
        } else if (r < 0.88) {
            do { b = 33 + int(rand() * 94) } while (b == 113)
            key = sprintf("\\%03o", b)
        } else {
            # X10 mouse: press (left or right), motion with the left held, or release.
            kind = int(rand() * 4)
            btn = kind == 0 ? 32 : (kind == 1 ? 34 : (kind == 2 ? 64 : 35))
            key = sprintf("\\033[M\\%03o\\%03o\\%03o", btn, 33 + int(rand() * 90), 33 + int(rand() * 40))
        }
        chunk = chunk key; n++
        if (n == 20) { print chunk; chunk = ""; n = 0 }
    }
    if (n) print chunk
}' >"$KEYS"

# shellcheck disable=SC2086 # STORM_ARGS is a list of arguments
start 120 40 $STORM_ARGS
wait_for "running"
while IFS= read -r line; do
    $T send-keys -t app -l "$(printf '%b' "$line")" 2>/dev/null || fail "tmux refused a chunk"
    sleep 0.02
done <"$KEYS"
sleep 0.5
case $(wait_dead_now) in
alive) ;;
*) fail "ouscope died in the key storm (status $(wait_dead))" ;;
esac

# Resizes, ending at a random size: the panes or the too-small message must fit it.
sizes=$(awk -v seed="$SEED" 'BEGIN { srand(seed + 1)
    for (k = 0; k < 200; k++) printf "%d %d\n", 10 + int(rand() * 241), 5 + int(rand() * 76) }')
last=""
echo "$sizes" | while read -r w h; do
    $T resize-window -t app -x "$w" -y "$h" 2>/dev/null
    sleep 0.01
done
last=$(echo "$sizes" | tail -n 1)
w=${last% *}
h=${last#* }
[ "$(wait_dead_now)" = alive ] || fail "ouscope died in the resize storm"
if [ "$w" -ge "$STORM_MIN_W" ] && [ "$h" -ge "$STORM_MIN_H" ]; then
    wait_for "q quit"
    wait_gone "terminal too small"
else
    wait_for "need ${STORM_MIN_W}×${STORM_MIN_H}, have ${w}×${h}"
fi
[ "$(screen | wc -l)" = "$h" ] || fail "the screen has $(screen | wc -l) rows at ${w}x${h}"

# q may first close the help overlay the storm opened, and keys still queued
# behind projections (P, p: up to a second each) come first; then it quits.
keys q
i=0
while [ "$(wait_dead_now)" = alive ] && [ $i -lt 600 ]; do
    [ $((i % 20)) = 10 ] && keys q
    sleep 0.1
    i=$((i + 1))
done
[ "$(wait_dead)" = 0 ] || fail "q did not exit with status 0 after the storms"
[ ! -s "$ERRF" ] || fail "the program wrote to stderr: $(cat "$ERRF")"
exit 0
