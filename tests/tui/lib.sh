# Helpers for the tmux-driven tests of the live view (sourced, not run).
# Each test gets a private tmux server, a fixed size, a UTF-8 locale and a
# fixed seed, and polls capture-pane for the text it expects, with a
# timeout, instead of sleeping and hoping.

if ! command -v tmux >/dev/null 2>&1; then
    echo "tmux not found: skipping (apt-get install tmux)"
    exit 77
fi
: "${OUSCOPE:?set OUSCOPE to the ouscope program (make check does)}"

T="tmux -L ou$$ -f /dev/null"
ERRF=${TMPDIR:-/tmp}/ou$$.err
trap '$T kill-server >/dev/null 2>&1; rm -f "$ERRF"' EXIT
trap 'exit 1' INT TERM

# start W H ARGS...: run ouscope ARGS in a W x H pane that stays after exit
# (with the environment settings in START_ENV, e.g. TERM=xterm-256color, if set).
start() {
    w=$1 h=$2
    shift 2
    # A server killed just before may still be on its way out: try a few times.
    for try in 1 2 3 4 5; do
        $T start-server \; set-option -g remain-on-exit on \; \
            new-session -d -s app -x "$w" -y "$h" -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 \
            -e OPENBLAS_NUM_THREADS=1 "exec ${START_ENV:+env $START_ENV }$OUSCOPE $* 2>$ERRF" \
            2>/dev/null && return 0
        sleep 0.2
    done
    fail "tmux did not start"
}

screen() {
    $T capture-pane -p -t app
}

fail() {
    echo "FAIL: $*" >&2
    echo "---- screen ----" >&2
    screen >&2 2>/dev/null
    exit 1
}

# wait_for TEXT [TENTHS]: poll until the screen shows TEXT (fixed string),
# for at most TENTHS tenths of a second (default 100).
wait_for() {
    i=0
    limit=${2:-100}
    while [ "$i" -lt "$limit" ]; do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    fail "timed out waiting for: $1"
}

# wait_gone TEXT: poll until the screen no longer shows TEXT.
wait_gone() {
    i=0
    while [ "$i" -lt 100 ]; do
        screen | grep -qF -- "$1" || return 0
        sleep 0.1
        i=$((i + 1))
    done
    fail "timed out waiting for this to go: $1"
}

# The step shown on the status line, digits only.
step() {
    screen | head -n 1 | sed -n 's/.*step \([0-9,]*\).*/\1/p' | tr -d ,
}

# wait_dead: poll until the program has exited and tmux has its status;
# prints the exit status, or "signal N" if a signal killed it.
wait_dead() {
    i=0
    while [ "$i" -lt 100 ]; do
        d=$($T display -p -t app '#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}')
        case $d in
        1:?*:*)
            d=${d#1:}
            echo "${d%%:*}"
            return 0
            ;;
        1::?*)
            echo "signal ${d#1::}"
            return 0
            ;;
        1::)
            # Dead but not reaped: tmux built with libutempter can miss the
            # SIGCHLD of a pane that closes (tmux issue #311); nudge our
            # own server so it calls waitpid again.
            kill -CHLD "$($T display -p '#{pid}')" 2>/dev/null
            ;;
        esac
        sleep 0.1
        i=$((i + 1))
    done
    echo "still running or status unknown ($d)"
}

keys() {
    $T send-keys -t app "$@"
}

# click COL ROW BUTTON(0 left, 2 right): an X10 mouse press and release, as
# the terminal (TERM=tmux-256color, kmous=\E[M) would send them.
click() {
    press "$1" "$2" "$3"
    release "$1" "$2"
}

press() {
    $T send-keys -t app -l "$(printf '\033[M%b%b%b' "$(oct $(($3 + 32)))" \
        "$(oct $(($1 + 33)))" "$(oct $(($2 + 33)))")"
}

# drag COL ROW: motion with the left button held (button code 32 + 0 + 32).
drag() {
    $T send-keys -t app -l "$(printf '\033[M@%b%b' "$(oct $(($1 + 33)))" "$(oct $(($2 + 33)))")"
}

release() {
    $T send-keys -t app -l "$(printf '\033[M#%b%b' "$(oct $(($1 + 33)))" "$(oct $(($2 + 33)))")"
}

# sgr COL ROW CB FINAL: a mouse report in xterm's SGR form (mode 1006, what
# xterm-256color's kmous announces), cells counted from 0 here as above.
sgr() {
    $T send-keys -t app -l "$(printf '\033[<%d;%d;%d%s' "$3" $(($1 + 1)) $(($2 + 1)) "$4")"
}

# A byte as a printf %b octal escape.
oct() {
    printf '\\%03o' "$1"
}

# wait_dead_now: "alive" if the program still runs, else its status (no waiting).
wait_dead_now() {
    d=$($T display -p -t app '#{pane_dead}' 2>/dev/null)
    if [ "$d" = 0 ]; then
        echo alive
    else
        wait_dead
    fi
}
