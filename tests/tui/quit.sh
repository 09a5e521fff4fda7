#!/bin/sh
# The terminal is restored on every way out: q (status 0), Ctrl-C (SIGINT)
# SIGTERM and SIGHUP (128 + the signal): the alternate screen is gone, the
# cursor shows again, and nothing reaches stderr meanwhile; in the 1D view
# and in the settings' view.
. "${OU_SRCDIR:-.}/tests/tui/lib.sh"

# After exit the pane shows the normal screen again (the alternate screen
# is gone) and tmux's "Pane is dead" line.
restored() {
    wait_for "Pane is dead"
    screen | grep -qF "SIMPLE INTERPOLANTS" && fail "$1: the live view is still on screen"
    [ ! -s "$ERRF" ] || fail "$1: the program wrote to stderr: $(cat "$ERRF")"
}

# In a shell that lives on after ouscope exits, so the pane's terminal
# state can be read: the alternate screen is off, the cursor visible, and
# the shell reads a typed line back (echo and line editing are on).
restored_in_shell() {
    wait_for "EXIT=$2"
    [ "$($T display -p -t app '#{alternate_on}')" = 0 ] || fail "$1: the alternate screen is still on"
    [ "$($T display -p -t app '#{cursor_flag}')" = 1 ] || fail "$1: the cursor is still hidden"
    keys "echo typed-back" Enter
    wait_for "typed-back"
}
in_shell() {
    # The previous server may still be on its way out: try a few times.
    for try in 1 2 3 4 5; do
        $T start-server \; new-session -d -s app -x 120 -y 40 -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 \
            -e OPENBLAS_NUM_THREADS=1 "$OUSCOPE $* 2>$ERRF; echo EXIT=\$?; exec sh -i" \
            2>/dev/null && return 0
        sleep 0.2
    done
    fail "tmux did not start"
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
$T kill-server

start 80 24 --seed 2
wait_for "running"
kill -HUP "$($T display -p -t app '#{pane_pid}')"
[ "$(wait_dead)" = 129 ] || fail "SIGHUP: exit status is not 129"
restored SIGHUP
$T kill-server

in_shell --seed 2
wait_for "running"
keys q
restored_in_shell q 0
$T kill-server

in_shell --seed 2
wait_for "running"
pid=$(pgrep -n -f -- "$OUSCOPE --seed 2")
[ -n "$pid" ] || fail "no ouscope process found"
kill -HUP "$pid"
restored_in_shell SIGHUP 129
$T kill-server

# The settings' view restores the terminal the same ways.
in_shell --setting sparse --seed 2
wait_for "setting sparse"
keys C-c
restored_in_shell "settings, Ctrl-C" 130
$T kill-server

in_shell --setting sensing --seed 2
wait_for "setting sensing"
pid=$(pgrep -n -f -- "$OUSCOPE --setting sensing --seed 2")
[ -n "$pid" ] || fail "no ouscope --setting process found"
kill -TERM "$pid"
restored_in_shell "settings, SIGTERM" 143
exit 0
