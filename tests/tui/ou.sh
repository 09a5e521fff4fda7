#!/bin/sh
# The OU pane and stability by hand: with short windows the bars and their
# measured/predicted ratios appear; every kick key (the rescaling kicks w
# and W too) says what it did and leaves a mark on the history panes; o
# swaps the fourth pane; P moves theta onto the zero-loss set; O re-anchors
# the analysis.  None of them resets the run.
. "${OU_SRCDIR:-.}/tests/tui/lib.sh"

start 120 40 --seed 1 --ou-window 2000
wait_for "OU variance"
wait_for "m/p"
wait_for "tangent/dim"
wait_for "Δreg/step"

keys Space
wait_for "PAUSED"
s0=$(step)

keys v
wait_for "kick 0.1 along v₁"
wait_for "↕"
keys Z
wait_for "kick size 0.2"
keys t
wait_for "kick 0.2 along a random tangent direction"
wait_for "↔"
keys j
wait_for "kick 0.2 downhill on reg"
wait_for "↓"
keys J
wait_for "kick 0.2 uphill on reg"
keys z z z z z z z z z z z z z z
wait_for "the kick size stays in"
keys w
wait_for "w,b ×3, a ×0.333: h unchanged"
keys W
wait_for "w,b ×0.333, a ×3: h unchanged"

[ "$(step)" = "$s0" ] || fail "a kick moved the step counter ($s0 -> $(step))"

keys o
wait_for "EDGE OF STABILITY"
keys o
wait_for "IMPLICIT REGULARIZERS"
wait_for "4B⟨L⟩/ησ²"
keys o
wait_for "OU variance"

keys P
wait_for "θ projected: reg =" 300
wait_for "⊥"
keys O
wait_for "θ_ref = the current θ"
keys Space
wait_for "running"
wait_for "m/p"
s1=$(step)
[ "${s1:-0}" -gt "${s0:-0}" ] || fail "the run did not go on after the kicks ($s0 -> $s1)"

keys q
[ "$(wait_dead)" = 0 ] || fail "q did not exit with status 0"
exit 0
