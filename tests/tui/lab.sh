#!/bin/sh
# The other settings' live view at 120x40: each setting starts with its
# main pane's title; ] doubles sigma and p switches label to parameter
# noise, both named on the status line; q exits with status 0 and nothing
# on stderr.  Sensing also pauses, steps once, resets to step 0 and shows
# the notes of [, 0, p and a key it does not bind.
. "${OU_SRCDIR:-.}/tests/tui/lib.sh"

# The first line (the status line).
status() {
    screen | head -n 1
}

# wait_status TEXT: poll until the status line shows TEXT.
wait_status() {
    i=0
    while [ "$i" -lt 100 ]; do
        status | grep -qF -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    fail "timed out waiting for the status line to show: $1"
}

for kind in sensing sigmoid sparse ridge; do
    case $kind in
    sensing) title="matrix sensing: X* (rank 1) and U Uᵀ" sigma="σ 1.5" up="σ 3" sec="MATRIX SENSING" ;;
    sigmoid) title="sigmoid net on one point: units" sigma="σ 0.5" up="σ 1 " sec="SIGMOID NET" ;;
    sparse) title="sparse model: v⊙v per coordinate" sigma="σ 1 " up="σ 2 " sec="SPARSE MODEL" ;;
    ridge) title="least squares beside ridge: coefficients" sigma="σ 0.5" up="σ 1 " sec="LEAST SQUARES AND RIDGE" ;;
    esac
    start 120 40 --setting "$kind" --seed 1
    wait_for "$title"
    wait_status "setting $kind"
    wait_status "$sigma"
    wait_status "noise label"
    wait_for "ouscope-science(7) $sec"
    keys ']'
    wait_status "$up"
    keys p
    wait_status "noise param"
    keys p
    wait_status "noise label"
    if [ "$kind" = sensing ]; then
        keys Space
        wait_status "PAUSED"
        s1=$(step)
        keys s
        i=0
        while [ "$(step)" != $((s1 + 1)) ]; do
            i=$((i + 1))
            [ $i -lt 100 ] || fail "s did not take exactly one step ($s1 -> $(step))"
            sleep 0.1
        done
        keys r
        wait_status "step 0  "
        keys '?'
        wait_for "ouscope keys: other settings"
        keys x
        wait_gone "ouscope keys: other settings"
        # The notes: sigma halved from 3 is four times weaker, the noise off
        # says how it comes back, and a key not bound here is named.
        keys '['
        wait_for "σ = 1.5 (÷2): drift and jitter variance go as σ²: 4× weaker"
        keys 0
        wait_for "noise off: plain SGD, no drift; 0 brings back σ = 1.5"
        keys 0
        keys o
        wait_for "key o: not in this setting (? lists the keys)"
        keys p
        wait_for "parameter noise (isotropic, same size) instead of label noise"
        keys p
    fi
    keys q
    [ "$(wait_dead)" = 0 ] || fail "$kind: q did not exit with status 0"
    [ ! -s "$ERRF" ] || fail "$kind: the program wrote to stderr: $(cat "$ERRF")"
    $T kill-server >/dev/null 2>&1
done

# A divergence pauses and says so; a smaller eta and r start again, and space resumes.
start 120 40 --setting sensing --seed 1 --eta 4
wait_status "diverged after step"
wait_status "r resets"
keys '{' '{' '{' '{' '{' '{' '{'
wait_status "η 0.03125"
wait_status "PAUSED"
keys r
wait_status "step 0  "
keys Space
wait_status "running"
s1=$(step)
i=0
while [ "$(step)" -le "$s1" ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "the run did not go on after the divergence"
    sleep 0.1
done
keys q
[ "$(wait_dead)" = 0 ] || fail "q did not exit after a divergence"
$T kill-server >/dev/null 2>&1

# --frames N: the view quits by itself after N frames, with status 0.
start 120 40 --setting ridge --frames 5
[ "$(wait_dead)" = 0 ] || fail "--frames 5 did not end the view with status 0"
$T kill-server >/dev/null 2>&1

# At the minimum size a sensing X* too big for the pane says what it shows.
start 80 24 --setting sensing --seed 1 --dim 24
wait_for "of 24×24 shown; enlarge the terminal"
keys q
[ "$(wait_dead)" = 0 ] || fail "q did not exit from the cut sensing view"
$T kill-server >/dev/null 2>&1

# Too small: the message names both sizes.
start 70 20 --setting ridge
wait_for "need 80×24, have 70×20"
keys q
[ "$(wait_dead)" = 0 ] || fail "q did not exit from the too-small screen"
exit 0
