#!/bin/sh
# Keys change the knobs live and never reset the run; pause stops the step
# counter; r goes back to step 0 with the same initial theta and streams
# (the same 1,000 steps draw the same interpolant twice); R changes theta.
. "${OU_SRCDIR:-.}/tests/tui/lib.sh"

# The interpolant pane: rows 2-39, first 66 columns, at 120x40.
interp() {
    screen | sed -n '2,39p' | sed 's/^\(.\{66\}\).*/\1/'
}

start 120 40 --seed 7
wait_for "running"
keys Space
wait_for "PAUSED"
s1=$(step)
[ "${s1:-0}" -gt 0 ] || fail "no step was taken before the pause"
# Paused, the counter must not move: watch it for a second.
i=0
while [ $i -lt 10 ]; do
    sleep 0.1
    [ "$(step)" = "$s1" ] || fail "the step moved while paused ($s1 -> $(step))"
    i=$((i + 1))
done

keys ']'
wait_for "σ 1  "
keys '[' '['
wait_for "σ 0.25  "
keys '}'
wait_for "η 0.1  "
keys '{' '{'
wait_for "η 0.025  "
keys '<' '<'
wait_for "B 2/8"
keys '>'
wait_for "B 4/8"
[ "$(step)" = "$s1" ] || fail "a knob changed the step ($s1 -> $(step))"

# Resume: the count goes on from where it was, not from 0.
keys Space
wait_for "running"
i=0
while [ "$(step)" -le "$s1" ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "the step did not move after resuming"
    sleep 0.1
done

# One step at a time.
keys Space
wait_for "PAUSED"
s2=$(step)
keys .
i=0
while [ "$(step)" != $((s2 + 1)) ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "'.' did not take exactly one step ($s2 -> $(step))"
    sleep 0.1
done

# r: step 0, the same theta; the same 1,000 steps twice.
keys r
wait_for "step 0  "
first0=$(interp)
keys n
wait_for "step 1,000  "
first=$(interp)
keys r
wait_for "step 0  "
[ "$(interp)" = "$first0" ] || fail "r did not restore the initial theta"
keys n
wait_for "step 1,000  "
[ "$(interp)" = "$first" ] || fail "1,000 steps after r drew a different interpolant"

# R: a new seed, so a new initial theta.
keys R
wait_for "seed 8"
wait_for "step 0  "
[ "$(interp)" != "$first0" ] || fail "R kept the same initial theta"

# a: the optimizer changes live, named on the status line, and the step
# counter is not reset; a full turn comes back to SGD.
sa=$(step)
keys a
wait_for "optimizer: rmsprop"
wait_for "rmsprop  η·λ_max"
keys a
wait_for "optimizer: adam"
[ "$(step)" -ge "$sa" ] || fail "a reset the step counter"
keys a a a
wait_for "optimizer: sgd"
screen | head -n 1 | grep -qE "μ 0 (rmsprop|adam|sam|pathsgd)" && fail "SGD is still named as another optimizer"

keys q
[ "$(wait_dead)" = 0 ] || fail "q did not exit with status 0"
[ ! -s "$ERRF" ] || fail "the program wrote to stderr: $(cat "$ERRF")"
exit 0
