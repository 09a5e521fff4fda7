#!/bin/sh
# The layout follows the terminal: every pane at 80x24 (the smallest size
# taught on), a centred message naming the size needed and the size
# available below the minimum, and the panes back when there is room again.
. "${OU_SRCDIR:-.}/tests/tui/lib.sh"

panes_shown() {
    for title in "h(x)" "loss" "reg(θ)" "OU variance" "? help" "q quit"; do
        screen | grep -qF -- "$title" || fail "$1: no \"$title\" on the screen"
    done
}

start 80 24 --seed 3
wait_for "running"
wait_for "SIMPLE INTERPOLANTS"
panes_shown "80x24"

$T resize-window -t app -x 40 -y 10
wait_for "terminal too small"
wait_for "need 70×21, have 40×10"
screen | grep -qF "h(x)" && fail "the panes are still drawn at 40x10"

$T resize-window -t app -x 200 -y 60
wait_for "ouscope-science(7) SIMPLE INTERPOLANTS"
wait_gone "terminal too small"
panes_shown "200x60"
[ "$(screen | head -n 1 | grep -c "seed 3")" = 1 ] || fail "the status line lost fields at 200x60"

$T resize-window -t app -x 120 -y 40
wait_for "ouscope-science(7) LOSS FLOOR"
panes_shown "120x40"
[ "$(screen | wc -l)" = 40 ] || fail "the screen is not 40 rows"

keys q
[ "$(wait_dead)" = 0 ] || fail "q did not exit with status 0"
exit 0
