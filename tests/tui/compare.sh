#!/bin/sh
# The A/B comparison live: --compare starts B beside A, the status line
# names the difference and the legend names both sides; b turns it off and
# on again; without --compare, b compares with the noise off; a B that
# diverges is labelled so while A runs on.
. "${OU_SRCDIR:-.}/tests/tui/lib.sh"

# wait_legend TEXT: poll until a legend entry "<line glyph> TEXT " shows,
# whichever line style (solid or dashed) the side is drawn in.
wait_legend() {
    i=0
    while [ "$i" -lt 100 ]; do
        screen | grep -qE -- "[━┅┄] $1 " && return 0
        sleep 0.1
        i=$((i + 1))
    done
    fail "timed out waiting for the legend entry: $1"
}

start 120 40 --seed 1 --compare sigma=0
wait_for "A/B: σ 0.5 | 0  step"
wait_for "━ A σ=0.5"
wait_legend "B σ=0"
screen | head -n 1 | grep -qF "A/B: σ 0.5 | 0" || fail "the difference is not on the status line"

keys b
wait_for "comparison off: A runs alone"
wait_gone "A/B:"
wait_gone "B σ=0"
wait_for "━ h(x)"

keys b
wait_for "B σ=0 starts from A at step"
wait_for "A/B: σ 0.5 | 0  step"
wait_legend "B σ=0"
keys q
[ "$(wait_dead)" = 0 ] || fail "q did not exit with status 0 in compare mode"
[ ! -s "$ERRF" ] || fail "the program wrote to stderr: $(cat "$ERRF")"
$T kill-server >/dev/null 2>&1

# No --compare: b takes the default difference, no label noise for B.
start 120 40 --seed 1 --noise 0.25
wait_for "running"
keys b
wait_for "A/B: σ 0.25 | 0  step"
wait_for "━ A σ=0.25"
keys q
[ "$(wait_dead)" = 0 ] || fail "q did not exit with status 0"
$T kill-server >/dev/null 2>&1

# B past the stability limit stops and says so; A goes on.
start 120 40 --seed 1 --compare eta=5
wait_for "(B diverged at"
wait_for "B η=5 diverged"
s0=$(step)
sleep 0.5
s1=$(step)
[ "${s1:-0}" -gt "${s0:-0}" ] || fail "A stopped with B ($s0 -> $s1)"
screen | head -n 1 | grep -qF "PAUSED" && fail "the run paused for B's divergence"
keys q
[ "$(wait_dead)" = 0 ] || fail "q did not exit with status 0 after B diverged"
[ ! -s "$ERRF" ] || fail "the program wrote to stderr: $(cat "$ERRF")"
$T kill-server >/dev/null 2>&1

# A headless take of a comparison, toggled off and on by its script, is
# the same file twice over and ends on a compared frame.
TK=${TMPDIR:-/tmp}/oucmp$$
trap '$T kill-server >/dev/null 2>&1; rm -f "$ERRF" "$TK".*' EXIT
printf 'speed 300\nwait steps 3000\nkey b\nwait steps 600\nkey b\nwait steps 900\n' >"$TK.ous"
for k in 1 2; do
    OPENBLAS_NUM_THREADS=1 $OUSCOPE --headless --seed 3 --compare optimizer=adam \
        --script "$TK.ous" --record "$TK.$k.cast" --dump-screen "$TK.$k.txt" ||
        fail "the take failed ($k)"
done
cmp -s "$TK.1.cast" "$TK.2.cast" || fail "two takes of the same comparison differ"
head -n 1 "$TK.1.txt" | grep -qF "A/B: optimizer sgd | adam  step 4,500" ||
    fail "the take does not end on the comparison: $(head -n 1 "$TK.1.txt")"
grep -qE "[━┅┄] B adam " "$TK.1.txt" || fail "no B in the take's legend"
# A take plays at steps per frame x fps: 300 x 15 = 4.5k steps/s, on its
# first and last frames too, where it takes no steps.
grep -qF "steps/s 4.5k (300/frame)" "$TK.1.txt" ||
    fail "the take's rate is not 300/frame x 15 fps: $(head -n 1 "$TK.1.txt")"
n0=$(grep -c 'steps/s[^(]\{0,40\}[^0-9.]0 (' "$TK.1.cast")
[ "$n0" -eq 0 ] || fail "$n0 frames of the take show steps/s 0"

# Live, nothing is measured in the first frame: no rate rather than 0.
# After a few seconds' frames the measured rate is there.
for f in 1 60; do
    start 120 40 --seed 1 --compare sigma=0 --fps 30 --frames $f --dump-screen "$TK.f$f.txt"
    [ "$(wait_dead)" = 0 ] || fail "--frames $f did not exit with status 0"
    $T kill-server >/dev/null 2>&1
done
head -n 1 "$TK.f1.txt" | grep -q "steps/s\|fps" &&
    fail "the first frame shows a rate before any was measured: $(head -n 1 "$TK.f1.txt")"
head -n 1 "$TK.f60.txt" | grep -q "steps/s [1-9]" ||
    fail "no measured rate after 60 frames: $(head -n 1 "$TK.f60.txt")"
exit 0
