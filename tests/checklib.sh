# Helpers of the shell tests that run ouscope and print one "ok"/"not ok"
# line per check (sourced, not run).  The caller sets OUSCOPE and tests
# $failed at the end: 1 if any check failed.

failed=0

ok() {
    echo "ok - $1"
}

not_ok() {
    failed=1
    echo "not ok - $1"
}

# check DESCRIPTION COMMAND...: ok if the command succeeds.
check() {
    desc=$1
    shift
    if "$@"; then
        ok "$desc"
    else
        not_ok "$desc"
    fi
}

# run EXPECTED_STATUS ARGS...: run the program with stdout in out, stderr in
# err; succeed if the exit status is the expected one, else show stderr.
run() {
    want=$1
    shift
    "$OUSCOPE" "$@" >out 2>err
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "# ouscope $*: exit status $got, expected $want" >&2
        sed 's/^/#   stderr: /' err >&2
        return 1
    fi
    return 0
}

# contains FILE TEXT: the file holds TEXT as a fixed string.
contains() {
    if grep -F -q -e "$2" "$1"; then
        return 0
    fi
    echo "# $1 does not contain: $2" >&2
    sed 's/^/#   /' "$1" | head -n 40 >&2
    return 1
}
