#!/bin/sh
# Divergence is a lesson, not a crash: at a learning rate past the
# stability limit the run pauses on its last finite state, the status line
# says where and why, and u rewinds to the last good state with eta halved.
. "${OU_SRCDIR:-.}/tests/tui/lib.sh"

start 120 40 --seed 1 --lr 3
wait_for "diverged at step"
wait_for "> 2; press u to rewind (η halved)"
# The last finite interpolant stays on screen.
screen | grep -qF "SIMPLE INTERPOLANTS" || fail "the panes are gone after the divergence"
keys u
wait_for "PAUSED"
wait_for "η 1.5  "
wait_for "rewound to step"
screen | head -n 1 | grep -qF "diverged" && fail "the status line still reports the divergence"
keys Space
wait_for "running"
keys q
[ "$(wait_dead)" = 0 ] || fail "q did not exit with status 0 after a divergence"
[ ! -s "$ERRF" ] || fail "the program wrote to stderr: $(cat "$ERRF")"
exit 0
