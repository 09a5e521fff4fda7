#!/bin/sh
# Headless takes (--headless --script/--record): the same script and seed
# give the same bytes; every line of a cast is valid JSON, even after
# SIGKILL; frames take exactly the steps asked for at t = frame / fps;
# markers follow knob changes; a cast played into a terminal shows what
# the program drew; bad scripts and files are refused with file:line.
# One "ok"/"not ok" line per check; exit 1 if any failed.

# The checks are functions called through check(), which shellcheck cannot follow.
# shellcheck disable=SC2317
set -u

if [ -z "${OUSCOPE:-}" ] || [ -z "${OU_CASTCHECK:-}" ]; then
    echo "OUSCOPE or OU_CASTCHECK is not set: run this through make check" >&2
    exit 77
fi
case $OUSCOPE in /*) ;; *) OUSCOPE=$(pwd)/$OUSCOPE ;; esac
case $OU_CASTCHECK in /*) ;; *) OU_CASTCHECK=$(pwd)/$OU_CASTCHECK ;; esac
srcdir=${OU_SRCDIR:-.}
case $srcdir in /*) ;; *) srcdir=$(pwd)/$srcdir ;; esac
export OPENBLAS_NUM_THREADS=1 LC_ALL=C.UTF-8
unset NO_COLOR SOURCE_DATE_EPOCH ASCIINEMA_REC

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ouscope-take.XXXXXX") || exit 1
T="tmux -L outake$$ -f /dev/null"
trap '$T kill-server >/dev/null 2>&1; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
cd "$tmp" || exit 1

. "$srcdir/tests/checklib.sh"

cat >demo.ous <<'SCRIPT'
# a short take that uses most commands
title "test take"
data sin3x 8
size 100x30
fps 10
speed 250
caption "warming up" for 1000 steps
wait steps 1000
set sigma 0.25
key v
marker "after the kick"
at step 2200
pause
caption "paused" for 5 frames
wait frames 5
resume
wait until reg < 1000 within 500 steps
set eta 0.1
wait steps 300
SCRIPT

printf 'speed 250\nwait steps 1000\n' >exact2.ous

take_is_byte_identical() {
    run 0 --headless --script demo.ous --record a.cast &&
        run 0 --headless --script demo.ous --record b.cast && cmp a.cast b.cast
}

another_seed_gives_another_take() {
    run 0 --headless --script demo.ous --record c.cast --seed 2 && ! cmp -s a.cast c.cast
}

cast_is_valid_with_the_header_asked_for() {
    "$OU_CASTCHECK" a.cast >sum || return 1
    "$OU_CASTCHECK" --header a.cast >hdr || return 1
    [ "$(cat hdr)" = "100 30 0 test take" ] || {
        echo "# header: $(cat hdr)" >&2
        return 1
    }
    SOURCE_DATE_EPOCH=1700000000 "$OUSCOPE" --headless --script demo.ous --record e.cast &&
        "$OU_CASTCHECK" --header e.cast | grep -q '^100 30 1700000000 '
}

markers_follow_the_script() {
    "$OU_CASTCHECK" --markers a.cast >markers || return 1
    for m in "warming up" "σ 0.5→0.25" "kick v₁ 0.1" "after the kick" "paused" "η 0.05→0.1"; do
        contains markers "$m" || return 1
    done
    # In the script's order.
    [ "$(grep -n -F 'σ 0.5→0.25' markers | cut -d: -f1)" -lt \
        "$(grep -n -F 'η 0.05→0.1' markers | cut -d: -f1)" ]
}

# Each knob change is one marker, whether a script line or a key made it.
one_marker_per_knob_change() {
    printf 'speed 10\nset optimizer adam\nwait steps 10\nkey a\nwait steps 10\nset sigma 0.25\nwait steps 10\n' >opt.ous &&
        run 0 --headless --script opt.ous --record opt.cast &&
        "$OU_CASTCHECK" --markers opt.cast >optm || return 1
    for m in "optimizer sgd→adam" "optimizer adam→sam" "σ 0.5→0.25"; do
        k=$(grep -c -F "$m" optm)
        [ "$k" -eq 1 ] || {
            echo "# \"$m\": $k markers, expected 1" >&2
            sed 's/^/#   /' optm >&2
            return 1
        }
    done
}

# The note after a switch names what the new kind starts afresh: moments
# only for rmsprop (s) and adam (m, v); sgd, sam and pathsgd have none, and
# their heavy-ball velocity only when mu > 0.
optimizer_notes_fit_each_kind() {
    for k in sgd rmsprop adam sam pathsgd; do
        for mu in 0 0.9; do
            from=sgd
            [ "$k" = sgd ] && from=adam
            printf 'set optimizer %s\nwait frames 1\n' "$k" >on.ous &&
                run 0 --headless --script on.ous --optimizer "$from" --momentum "$mu" \
                    --dump-screen on.txt || return 1
            grep -F "optimizer: $k (" on.txt >note || {
                echo "# no note for $k" >&2
                return 1
            }
            case $k in
            rmsprop) grep -q "mean square s.* at zero" note ;;
            adam) grep -q "moments m, v start at zero" note ;;
            *) grep -q "no moments" note && ! grep -q "moments start\|moments m" note ;;
            esac || {
                echo "# $k, mu $mu: $(cat note)" >&2
                return 1
            }
            # Adam's first moment is its momentum: it never mentions a velocity.
            if [ "$mu" = 0 ] || [ "$k" = adam ]; then
                ! grep -q velocity note
            else
                grep -q "velocity start" note
            fi || {
                echo "# $k, mu $mu, velocity: $(cat note)" >&2
                return 1
            }
        done
    done
}

# The regularizers pane's 4B<L>/(eta sigma^2) on a take's last frame, which
# takes no steps, is the mean over the previous frame's 500 steps (as the
# live view keeps showing it), checked against the CSV run's per-step loss:
# 4 mean(L_t, t = 4500..4999) / (eta sigma^2 / B), to the 4 digits shown.
regs_row_on_the_last_frame() {
    printf 'speed 500\nkey o\nkey o\nwait steps 5000\n' >rg.ous &&
        run 0 --headless --script rg.ous --optimizer rmsprop --dump-screen rg.txt &&
        "$OUSCOPE" --headless --steps 5000 --every 1 --optimizer rmsprop >rg.csv || return 1
    shown=$(sed -n 's/.*4B⟨L⟩\/ησ² *\([^ ]*\) .*/\1/p' rg.txt)
    awk -F, -v shown="$shown" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $1 >= 4500 && $1 < 5000 { s += $col["loss"]; n++; lam = $col["noise_lambda"] }
        END {
            ref = 4 * s / n / lam
            tol = 0.5 * 10 ^ (int(log(ref) / log(10)) - 3) * 1.001
            d = shown - ref
            if (shown !~ /^[0-9.]+(e[-+]?[0-9]+)?$/ || n != 500 || d > tol || -d > tol) {
                printf "# shown \"%s\", reference %.6g over %d steps\n", shown, ref, n
                exit 1
            }
        }' rg.csv >&2
}

# Frame k is written at k / fps: every output time times fps is a whole number.
times_are_frames_over_fps() {
    awk -F'[][, ]+' 'NR > 1 && $0 ~ /"o"/ {
            f = $2 * 10; if (f - int(f + 0.5) > 1e-4 || int(f + 0.5) - f > 1e-4) bad++; n++
        } END { if (n < 10 || bad) { print "# " n " frames, " bad " off the grid"; exit 1 } }' a.cast
}

# speed 250 and "wait steps 1000" then "at step 2200": frames end exactly there.
steps_are_exact() {
    printf 'speed 250\nwait steps 1000\nmarker "m1"\nat step 2200\n' >exact.ous &&
        run 0 --headless --script exact.ous --dump-screen exact.txt &&
        contains exact.txt "step 2,200" &&
        run 0 --headless --script exact2.ous --dump-screen exact2.txt &&
        contains exact2.txt "step 1,000"
}

# The cast played into a terminal of its size shows the last frame drawn.
replay_shows_the_last_frame() {
    command -v tmux >/dev/null 2>&1 || {
        echo "# no tmux: skipped" >&2
        return 0
    }
    run 0 --headless --script demo.ous --record r.cast --dump-screen r.txt || return 1
    $T new-session -d -s play -x 100 -y 30 -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 \
        "$OU_CASTCHECK --play r.cast; exec sleep 60" || return 1
    i=0
    while [ $i -lt 100 ]; do
        $T capture-pane -p -t play >shown.txt
        cmp -s shown.txt r.txt && return 0
        sleep 0.1
        i=$((i + 1))
    done
    echo "# the replayed screen differs from the last frame:" >&2
    diff shown.txt r.txt | head -n 20 | sed 's/^/#   /' >&2
    return 1
}

# Debian's asciinema plays a take to the same last frame (when it is installed).
asciinema_plays_the_take() {
    command -v tmux >/dev/null 2>&1 && command -v asciinema >/dev/null 2>&1 || {
        echo "# no tmux or asciinema: skipped" >&2
        return 0
    }
    $T new-session -d -s ascii -x 100 -y 30 -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 -e HOME="$tmp" \
        "asciinema play -s 20 -i 0.05 r.cast; exec sleep 60" || return 1
    i=0
    while [ $i -lt 150 ]; do
        $T capture-pane -p -t ascii >ascii.txt
        cmp -s ascii.txt r.txt && return 0
        sleep 0.1
        i=$((i + 1))
    done
    echo "# asciinema play ends on another screen:" >&2
    diff ascii.txt r.txt | head -n 20 | sed 's/^/#   /' >&2
    return 1
}

# Killed at any moment, the cast is still complete lines of valid JSON.
sigkill_leaves_whole_lines() {
    printf 'speed 1\nwait steps 100000000\n' >long.ous
    "$OUSCOPE" --headless --script long.ous --record k.cast 2>/dev/null &
    pid=$!
    i=0
    while [ $i -lt 100 ] && [ "$({ wc -l <k.cast; } 2>/dev/null || echo 0)" -lt 300 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    kill -KILL $pid
    wait $pid 2>/dev/null
    [ "$(wc -l <k.cast)" -ge 300 ] && "$OU_CASTCHECK" k.cast >/dev/null
}

# After the first (full) frame, frames are diffs: far smaller than a repaint.
bytes_per_frame_stay_small() {
    printf 'speed 2000\nwait steps 400000\n' >steady.ous &&
        run 0 --headless --script steady.ous --size 120x40 --record s.cast || return 1
    "$OU_CASTCHECK" --sizes s.cast | awk '
        NR == 1 { first = $1; next }
        { n++; sum += $1; if ($1 > max) max = $1 }
        END {
            printf "# 120x40: first frame %d bytes, then %d frames, mean %.0f, max %d\n",
                first, n, sum / n, max
            if (n < 150 || sum / n > 3000 || max > first) exit 1
        }' >&2
}

steps_flag_makes_a_plain_take() {
    run 0 --headless --steps 1234 --record p.cast --dump-screen p.txt &&
        "$OU_CASTCHECK" p.cast >/dev/null && contains p.txt "step 1,234"
}

no_color_means_no_colour() {
    NO_COLOR=1 "$OUSCOPE" --headless --script exact2.ous --record nc.cast &&
        ! grep -q '38;5;' nc.cast && grep -q '38;5;' a.cast
}

hide_leaves_fields_out() {
    run 0 --headless --script exact2.ous --hide seed,fps,hints --dump-screen h.txt &&
        ! grep -q 'seed 1' h.txt && ! grep -q '? help' h.txt && contains h.txt "step 1,000" &&
        run 2 --headless --script exact2.ous --hide seed,colour &&
        contains err '--hide: expected a comma-separated list' && contains err '"colour"'
}

# C prints a command that ouscope itself accepts.
command_line_key() {
    printf 'set sigma 0.25\nkey C\nwait steps 10\n' >cmd.ous &&
        run 0 --headless --script cmd.ous --seed 7 || return 1
    contains out "--seed 7" && contains out "--noise 0.25" && contains out "# step 10" || return 1
    cmd=$(sed 's/  #.*//' out)
    # shellcheck disable=SC2086
    set -- ${cmd#ouscope }
    "$OUSCOPE" "$@" --headless --steps 0 >/dev/null
}

# With B cloned from A mid-run (b), C names that step instead of claiming
# that --compare, which starts B at step 0, reproduces the pair; after r
# both are at step 0 side by side and the claim holds again.
command_line_after_b() {
    printf 'speed 100\nwait steps 1200\nkey b\nwait steps 300\nkey C\nwait steps 10\n' >b.ous &&
        run 0 --headless --script b.ous || return 1
    contains out "--compare sigma=0  # step 1,510, A's knobs since step 0; B started from A at step 1,200 (b)" ||
        return 1
    printf 'speed 100\nwait steps 1200\nkey b\nwait steps 300\nkey r\nwait steps 10\nkey C\nwait steps 1\n' >br.ous &&
        run 0 --headless --script br.ous || return 1
    contains out "--compare sigma=0  # step 11, the same knobs since step 0" && ! grep -q "B started" out
}

script_errors_name_file_and_line() {
    printf 'set sigma 0.2\nwait steps ten\n' >bad.ous &&
        run 2 --headless --script bad.ous --record x.cast &&
        contains err "ouscope: bad.ous:2: wait steps: expected a whole number" &&
        [ ! -e x.cast ] &&
        run 1 --headless --script missing.ous &&
        contains err "--script: missing.ous: No such file or directory" &&
        run 1 --headless --script demo.ous --record . &&
        contains err "--record: .: is a directory"
}

runtime_errors_stop_the_take() {
    printf 'set batch 16\n' >b16.ous &&
        run 1 --headless --script b16.ous &&
        contains err "b16.ous:1: set batch 16: the data has only n = 8 points" &&
        printf 'pause\nwait steps 10\n' >stall.ous &&
        run 1 --headless --script stall.ous &&
        contains err "stall.ous:2: the script waits for steps, but the run is paused"
}

scale_shrinks_the_take() {
    printf 'speed 100\nwait steps 100000\n' >big.ous &&
        run 0 --headless --script big.ous --script-scale 0.01 --dump-screen sc.txt &&
        contains sc.txt "step 1,000"
}

check "the same script and seed give a byte-identical cast" take_is_byte_identical
check "another seed gives another cast" another_seed_gives_another_take
check "the cast is valid asciicast v2 with the size, time and title asked for" \
    cast_is_valid_with_the_header_asked_for
check "markers follow the script's knob changes, kicks and captions" markers_follow_the_script
check "each knob change is one marker, from a script line or a key" one_marker_per_knob_change
check "the note after an optimizer switch fits the kind and the momentum" \
    optimizer_notes_fit_each_kind
check "a take's last frame shows 4B<L>/(eta sigma^2) of the last steps, not n/a" \
    regs_row_on_the_last_frame
check "frame k is written at t = k / fps" times_are_frames_over_fps
check "frames end exactly on the steps the script names" steps_are_exact
check "the cast played into tmux shows the last frame drawn" replay_shows_the_last_frame
check "asciinema play shows the same last frame" asciinema_plays_the_take
check "a SIGKILLed take leaves only complete, valid lines" sigkill_leaves_whole_lines
check "steady-state frames are small diffs" bytes_per_frame_stay_small
check "--headless --steps N --record makes a take of N steps" steps_flag_makes_a_plain_take
check "NO_COLOR takes have no colour" no_color_means_no_colour
check "--hide leaves status fields out and refuses unknown ones" hide_leaves_fields_out
check "key C prints a command line ouscope accepts" command_line_key
check "key C after b names the step B started at" command_line_after_b
check "script errors name the file and line, before anything is written" \
    script_errors_name_file_and_line
check "a command that cannot be carried out stops the take with file:line" \
    runtime_errors_stop_the_take
check "--script-scale shrinks the step counts" scale_shrinks_the_take
exit $failed
