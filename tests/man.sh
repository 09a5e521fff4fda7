#!/bin/sh
# The manual pages format without a single groff warning (all warning
# classes on), and the science page has every section the panes cite.
set -u
src=${OU_SRCDIR:-.}
if ! command -v groff >/dev/null 2>&1; then
    echo "groff not found: skipping (apt-get install groff-base)"
    exit 77
fi
rc=0
for page in "$src/man/ouscope.1" "$src/man/ouscope-science.7"; do
    out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z -K utf8 "$page" 2>&1)
    if [ -n "$out" ]; then
        echo "FAIL: groff warns about $page:"
        echo "$out"
        rc=1
    fi
done
# Every "ouscope-science(7) SECTION" named in the panes is a section of the page
# (the settings' panes are checked by test_labpanes).
cited=0
for sec in $(grep -ho 'chrome_foot(s, r, "[A-Z ,/-]*")' "$src/src/render/panes.c" |
    sed 's/.*"\(.*\)")/\1/' | tr ',' '\n' | sed 's/^ *//; s/ /_/g'); do
    name=$(echo "$sec" | tr _ ' ')
    cited=$((cited + 1))
    grep -q "^\.SH \"*$name\"*\$" "$src/man/ouscope-science.7" ||
        { echo "FAIL: ouscope-science(7) has no section $name (cited by a pane)"; rc=1; }
done
# The panes cite at least six sections; fewer means the pattern above went stale.
if [ "$cited" -lt 6 ]; then
    echo "FAIL: found only $cited sections cited by chrome_foot in panes.c"
    rc=1
fi
exit $rc
