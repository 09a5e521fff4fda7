#!/bin/sh
# The terminal is restored on every way out: q (status 0), Ctrl-C (SIGINT)
# and SIGTERM (128 + the signal), and nothing reaches stderr meanwhile.
. "${OU_SRCDIR:-.}/tests/tui/lib.sh"

# After exit the pane shows the normal screen again (the alternate screen
# is gone) and tmux's "Pane is dead" line.
restored() {
    wait_for "Pane is dead"
    screen | grep -qF "SIMPLE INTERPOLANTS" && fail "$1: the live view is still on screen"
    [ ! -s "$ERRF" ] || fail "$1: the program wrote to stderr: $(cat "$ERRF")"
}

start 120 40 --seed 2
wait_for "running"
keys q
[ "$(wait_dead)" = 0 ] || fail "q: exit status is not 0"
restored q
$T kill-server

start 120 40 --seed 2
wait_for "running"
keys C-c
[ "$(wait_dead)" = 130 ] || fail "Ctrl-C: exit status is not 130"
restored Ctrl-C
$T kill-server

start 80 24 --seed 2
wait_for "running"
keys Space
wait_for "PAUSED"
kill -TERM "$($T display -p -t app '#{pane_pid}')"
[ "$(wait_dead)" = 143 ] || fail "SIGTERM: exit status is not 143"
restored SIGTERM
exit 0
