#!/bin/sh
# The mouse edits the data while training goes on: a left click adds a
# point, a drag moves the nearest one, a right click removes the nearest;
# with --no-mouse clicks do nothing.  Events are sent as the terminal
# would send them: X10 encoding (what tmux-256color's kmous announces), and
# the SGR form under TERM=xterm-256color.
. "${OU_SRCDIR:-.}/tests/tui/lib.sh"

start 120 40 --seed 1
wait_for "running"
keys Space
wait_for "PAUSED"
# Let the paused view settle into waiting for input before the first click.
sleep 0.3
s1=$(step)

# Column 30, row 10 lies inside the interpolant's canvas at 120x40.
click 30 10 0
wait_for "n=9"
wait_for "point added at"
[ "$(step)" = "$s1" ] || fail "adding a point changed the step"
screen | head -n 1 | grep -qF "sin3x*" || fail "the edited data set is not marked"

# Drag from there to column 34, row 14: the nearest point moves.
press 30 10 0
drag 32 12
drag 34 14
release 34 14
wait_for "point moved to"
wait_for "n=9"

# A right click removes the point nearest to it.
click 34 14 2
wait_for "n=8"
wait_for "removed"

# Training goes on from the current theta, not from step 0.
keys Space
wait_for "running"
i=0
while [ "$(step)" -le "$s1" ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "training did not go on after the edits"
    sleep 0.1
done
keys q
[ "$(wait_dead)" = 0 ] || fail "q did not exit with status 0"
$T kill-server

# The same edits in xterm's SGR form, which ouscope reads itself rather than
# through curses: a report with thirty-odd empty parameters, which makes
# Debian 12's ncurses write past a stack buffer, must mean nothing.
START_ENV=TERM=xterm-256color
start 120 40 --seed 1
unset START_ENV
wait_for "running"
keys Space
wait_for "PAUSED"
sleep 0.3
sgr 30 10 0 M
sgr 30 10 0 m
wait_for "n=9"
wait_for "point added at"
$T send-keys -t app -l "$(printf '\033[<;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;2;30;M')"
sgr 34 14 2 M
wait_for "n=8"
wait_for "removed"
[ "$(wait_dead_now)" = alive ] || fail "an SGR report stopped the program"
# Ctrl-Z: curses' own handler would turn its SGR decoding back on when the
# program resumes (here at once: a pane's process group is orphaned).
keys C-z
wait_for "n=8"
$T send-keys -t app -l "$(printf '\033[<;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;2;30;M')"
sgr 45 30 0 M
sgr 45 30 0 m
wait_for "n=9"
[ "$(wait_dead_now)" = alive ] || fail "an SGR report after Ctrl-Z stopped the program"
# A report cut short: its rest must not become keys (0 would turn the noise off).
$T send-keys -t app -l "$(printf '\033[<0;3')"
sleep 0.3
$T send-keys -t app -l "0;11M"
keys ']'
wait_for "σ 1  "
keys q
[ "$(wait_dead)" = 0 ] || fail "q did not exit with status 0 (TERM=xterm-256color)"
$T kill-server

# --no-mouse: the click is ignored (the key sent after it shows it was read).
start 120 40 --seed 1 --no-mouse
wait_for "running"
keys Space
wait_for "PAUSED"
click 30 10 0
keys ']'
wait_for "σ 1  "
screen | head -n 1 | grep -qF "n=8" || fail "--no-mouse still took the click"
keys q
[ "$(wait_dead)" = 0 ] || fail "q did not exit with status 0"
exit 0
