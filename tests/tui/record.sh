#!/bin/sh
# Live recording (--record) in tmux: the cast is valid asciicast v2 with
# the pane's size and TERM, it holds a marker for every knob change and
# kick, and played into a fresh pane of the same size (all but the last
# event, which restores the terminal) it shows exactly the frame the
# program drew last (--dump-screen).  Recording uses block glyphs; the
# exit status comes through, also after SIGTERM; a live script runs too.
. "${OU_SRCDIR:-.}/tests/tui/lib.sh"
: "${OU_CASTCHECK:?set OU_CASTCHECK to tests/castcheck (make check does)}"
unset ASCIINEMA_REC

dir=$(mktemp -d "${TMPDIR:-/tmp}/ouscope-rec.XXXXXX") || exit 1
trap '$T kill-server >/dev/null 2>&1; rm -rf "$dir" "$ERRF"' EXIT

# ---- a recorded session driven by keys ----
start 120 40 --seed 1 --record "$dir/live.cast" --dump-screen "$dir/live.txt"
# One session that outlives the others, so the server stays up between them.
$T new-session -d -s keep "exec sleep 600"
wait_for "running"
keys ']'
wait_for "σ = 1"
keys v
wait_for "kick 0.1 along v₁"
keys Space
wait_for "PAUSED"
# Braille is U+2800..U+28FF: UTF-8 E2 A0..A3 xx.
screen | LC_ALL=C grep -q "$(printf '\342[\240-\243]')" &&
    fail "braille on screen while recording (expected block glyphs)"
keys q
[ "$(wait_dead)" = 0 ] || fail "q did not exit with status 0 under the recorder"
$T kill-session -t app

"$OU_CASTCHECK" "$dir/live.cast" >"$dir/sum" || fail "the live cast is not valid: $(cat "$dir/sum")"
"$OU_CASTCHECK" --header "$dir/live.cast" | grep -q '^120 40 [1-9][0-9]* ouscope$' ||
    fail "header: $("$OU_CASTCHECK" --header "$dir/live.cast")"
grep -q '"env": {"TERM": "tmux-256color"}' "$dir/live.cast" || fail "no TERM in the header"
"$OU_CASTCHECK" --markers "$dir/live.cast" >"$dir/markers"
grep -qF 'σ 0.5→1' "$dir/markers" || fail "no marker for ]: $(cat "$dir/markers")"
grep -qF 'kick v₁ 0.1' "$dir/markers" || fail "no marker for v: $(cat "$dir/markers")"
# The notes that carry frames and markers never reach the cast's output.
grep -q 'ouscope:' "$dir/live.cast" && fail "an in-band note leaked into the cast"

# Played back into a pane of the same size, the cast shows the last frame.
n=$("$OU_CASTCHECK" --sizes "$dir/live.cast" | wc -l)
$T new-session -d -s play -x 120 -y 40 -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 \
    "$OU_CASTCHECK --play --events $((n - 1)) $dir/live.cast; exec sleep 60" ||
    fail "tmux did not start the player"
i=0
until $T capture-pane -p -t play | cmp -s - "$dir/live.txt"; do
    i=$((i + 1))
    if [ $i -ge 100 ]; then
        $T capture-pane -p -t play >"$dir/shown"
        diff "$dir/shown" "$dir/live.txt" | head -n 20 >&2
        fail "the replayed cast differs from the last frame drawn"
    fi
    sleep 0.1
done
$T kill-session -t play

# ---- a resize is an "r" event; a signal's exit status comes through ----
start 120 40 --seed 1 --record "$dir/term.cast"
wait_for "running"
$T resize-window -t app -x 100 -y 30
# The hint bar ends at column 100 once the child has redrawn at the new size.
i=0
until screen | sed -n 30p | grep -q "q quit$" && [ "$(screen | sed -n 30p | wc -m)" -le 101 ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "the recorded child did not redraw at 100x30"
    sleep 0.1
done
kill -TERM "$($T display -p -t app '#{pane_pid}')"
[ "$(wait_dead)" = 143 ] || fail "SIGTERM did not give exit status 143"
$T kill-session -t app
"$OU_CASTCHECK" "$dir/term.cast" >/dev/null || fail "the cast cut by SIGTERM is not valid"
grep -q '"r", "100x30"\]$' "$dir/term.cast" || fail "no resize event for 100x30"

# ---- a live script, recorded: it ends itself at "end" ----
printf 'speed 200\ncaption "hello class" for 20 frames\nwait frames 20\nset sigma 0.25\nwait steps 2000\nend\n' \
    >"$dir/live.ous"
start 100 30 --seed 1 --record "$dir/script.cast" --script "$dir/live.ous"
wait_for "hello class"
[ "$(wait_dead)" = 0 ] || fail "the live script did not end with status 0"
"$OU_CASTCHECK" --markers "$dir/script.cast" >"$dir/markers2" || fail "script cast invalid"
grep -qF 'hello class' "$dir/markers2" && grep -qF 'σ 0.5→0.25' "$dir/markers2" ||
    fail "the live script's markers: $(cat "$dir/markers2")"
exit 0
