#!/bin/sh
# Every demo in demos/ parses and runs to completion headless, shrunk with
# --script-scale so the whole set takes seconds (also under sanitizers),
# and writes a valid cast; demos/README.md has a section for each naming
# the ouscope-science(7) section it shows, which must exist.
# One "ok"/"not ok" line per demo; exit 1 if any failed.
set -u

if [ -z "${OUSCOPE:-}" ] || [ -z "${OU_CASTCHECK:-}" ]; then
    echo "OUSCOPE or OU_CASTCHECK is not set: run this through make check" >&2
    exit 77
fi
srcdir=${OU_SRCDIR:-.}
export OPENBLAS_NUM_THREADS=1 LC_ALL=C.UTF-8
# Each step and frame count times this: a demo's shape, not its science.
scale=${OU_DEMO_SCALE:-0.02}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ouscope-demos.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

failed=0
n=0
for f in "$srcdir"/demos/*.ous; do
    name=$(basename "$f" .ous)
    n=$((n + 1))
    why=""
    if ! "$OUSCOPE" --headless --script "$f" --script-scale "$scale" \
        --record "$tmp/$name.cast" >"$tmp/out" 2>"$tmp/err"; then
        why="exit status $?: $(head -n 3 "$tmp/err")"
    elif ! "$OU_CASTCHECK" "$tmp/$name.cast" >/dev/null 2>"$tmp/err"; then
        why="invalid cast: $(cat "$tmp/err")"
    elif ! grep -q "^## .*$name\.ous" "$srcdir/demos/README.md"; then
        why="no section in demos/README.md"
    else
        # The section's "ouscope-science(7): NAME" must be a real section.
        sec=$(awk -v f="$name.ous" '/^## / { on = index($0, f) > 0; next }
            on && /ouscope-science\(7\)/ { sub(/.*ouscope-science\(7\)[:,]? */, ""); print; exit }' \
            "$srcdir/demos/README.md" | sed 's/ *(.*//; s/[.;,].*//; s/ and .*//')
        if [ -z "$sec" ] || ! grep -q "^\.SH \"*$sec\"*\$" "$srcdir/man/ouscope-science.7"; then
            why="its README section cites no ouscope-science(7) section that exists (\"$sec\")"
        fi
    fi
    if [ -z "$why" ]; then
        echo "ok - demos/$name.ous runs headless ($("$OU_CASTCHECK" "$tmp/$name.cast" |
            sed 's/.*: //'))"
    else
        failed=1
        echo "not ok - demos/$name.ous: $why"
    fi
done
if [ "$n" -lt 7 ]; then
    echo "not ok - only $n demos; the classroom set has at least seven"
    failed=1
fi
exit $failed
