#!/bin/sh
# The key and resize storms of storm.sh against the settings' view
# (--setting sensing, whose heat maps and bars are laid out anew at every
# size): it must survive, fit the final size or say it is too small
# (80x24 at least), and quit on q with status 0 and nothing on stderr.
STORM_ARGS="--setting sensing --seed 4"
STORM_MIN_W=80
STORM_MIN_H=24
. "${OU_SRCDIR:-.}/tests/tui/storm.sh"
