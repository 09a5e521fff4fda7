#!/bin/sh
# End-to-end tests of the headless mode: exit statuses and messages, metrics
# CSV rows, --save/--load resuming bit-exactly, damaged states, --export-params,
# knob overrides and divergence.  make check sets OUSCOPE and OU_SRCDIR; one
# "ok"/"not ok" line per check, exit 1 if any failed (77 = skipped).

# The checks are functions called through check(), which shellcheck cannot follow.
# shellcheck disable=SC2317
set -u

if [ -z "${OUSCOPE:-}" ]; then
    echo "OUSCOPE is not set: run this through make check" >&2
    exit 77
fi
if [ ! -x "$OUSCOPE" ]; then
    echo "not ok - $OUSCOPE is not an executable program"
    exit 1
fi
srcdir=${OU_SRCDIR:-.}
# The checks run in a temporary folder, so relative paths must be made absolute.
case $OUSCOPE in /*) ;; *) OUSCOPE=$(pwd)/$OUSCOPE ;; esac
case $srcdir in /*) ;; *) srcdir=$(pwd)/$srcdir ;; esac
export OPENBLAS_NUM_THREADS=1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ouscope-headless.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
cd "$tmp" || exit 1

. "$srcdir/tests/checklib.sh"

# column CSV NAME: print the values of the named column, one per data row.
column() {
    awk -F, -v name="$2" '
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) k = i; next }
        k { print $k }
        END { if (!k) exit 1 }' "$1"
}

# same_count CSV [N]: the header has the documented N fields (35 by default:
# the metrics without --project or --ou-window) and every row as many.
same_count() {
    awk -F, -v want="${2:-35}" '
        NR == 1 { n = NF; if (n != want) { print "# header has " n " fields, expected " want; bad = 1 } }
        NF != n { print "# line " NR " has " NF " fields, the header " n; bad = 1 }
        END { exit bad }' "$1" >&2
}

# steps_are CSV LIST: the step column, joined with spaces, equals LIST.
steps_are() {
    got=$(column "$1" step | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$2" ]; then
        return 0
    fi
    echo "# steps: \"$got\", expected \"$2\"" >&2
    return 1
}

# count_rows FILE PREFIX WANT: exactly WANT lines start with PREFIX.
count_rows() {
    got=$(grep -c "^$2" "$1")
    if [ "$got" -eq "$3" ]; then
        return 0
    fi
    echo "# $1: $got lines start with \"$2\", expected $3" >&2
    return 1
}

# all_equal CSV NAME VALUE: every row's NAME column is VALUE (and there is a row).
all_equal() {
    vals=$(column "$1" "$2" | sort -u)
    if [ "$vals" = "$3" ]; then
        return 0
    fi
    echo "# column $2 holds \"$vals\", expected only \"$3\"" >&2
    return 1
}

# ---- --help and --version ----
help() {
    run 0 --help && contains out "--headless"
}
check "--help exits 0 and mentions --headless" help

version() {
    run 0 --version && contains out "ouscope "
}
check "--version prints \"ouscope <version>\"" version

# ---- usage errors: exit 2 and one exact message ----
bad_flag() {
    run 2 --headless --steps 10 --lr abc || return 1
    printf 'ouscope: --lr: expected a number in (0, 10], got "abc"\n' >want
    if ! cmp -s err want; then
        echo "# stderr differs from the expected message:" >&2
        sed 's/^/#   /' err >&2
        return 1
    fi
    [ ! -s out ] || { echo "# stdout is not empty" >&2; return 1; }
}
check "a bad flag exits 2 with the exact message" bad_flag
no_steps() {
    run 2 --headless && contains err "--headless: needs --steps N"
}
check "--headless without --steps exits 2" no_steps

# ---- runtime errors: exit 1 ----
bad_data() {
    printf 'x,y\n# comment\n0,0\n0.5,1\n0.25,2\n1,0\n' >unsorted.csv
    run 1 --headless --steps 10 --data unsorted.csv &&
        contains err "ouscope: unsorted.csv:5: x = 0.25 is below"
}
check "a bad data CSV exits 1 naming the file and line" bad_data

shipped_bad() {
    run 1 --headless --steps 10 --data "$srcdir/tests/data/bad_unsorted.csv" &&
        contains err "bad_unsorted.csv:5: "
}
check "the shipped bad example is refused at its line" shipped_bad

# ---- the metrics CSV ----
rows_every() {
    run 0 --headless --steps 5000 --every 1000 --csv m.csv || return 1
    [ ! -s out ] || { echo "# stdout is not empty with --csv FILE" >&2; return 1; }
    head -n 1 m.csv | grep -q '^step,loss,' || { echo "# no header" >&2; return 1; }
    same_count m.csv && steps_are m.csv "0 1000 2000 3000 4000 5000"
}
check "--steps 5000 --every 1000 writes the header and rows 0..5000" rows_every

final_row() {
    run 0 --headless --steps 2500 --every 1000 || return 1
    same_count out && steps_are out "0 1000 2000 2500"
}
check "the final step gets a row when --steps is not a multiple of --every" final_row

# ---- --save, then --load resumes bit-exactly ----
resume() {
    run 0 --headless --steps 4000 --csv a.csv || return 1
    run 0 --headless --steps 2000 --csv /dev/null --save s || return 1
    run 0 --headless --load s --steps 2000 --csv b.csv || return 1
    grep '^4000,' a.csv >a.row
    grep '^4000,' b.csv >b.row
    if [ ! -s a.row ] || ! cmp -s a.row b.row; then
        echo "# the rows for step 4000 differ:" >&2
        sed 's/^/#   straight: /' a.row >&2
        sed 's/^/#   resumed:  /' b.row >&2
        return 1
    fi
    steps_are b.csv "2000 3000 4000"
}
check "--save then --load gives the row of a straight run, bit for bit" resume

# Change one hex digit of the first parameter after the "theta" line: the
# digit after "0x1." becomes 1, or 0 if it was 1.
damaged() {
    [ -s s ] || return 1
    line=$(grep -n '^theta ' s | cut -d: -f1)
    line=$((line + 1))
    sed "${line}s/0x1\\.1/0x1.@/; ${line}s/0x1\\.[0-9a-f]/0x1.1/; ${line}s/0x1\\.@/0x1.0/" s >damaged
    if cmp -s s damaged; then
        echo "# sed changed nothing in line $line of the state" >&2
        return 1
    fi
    run 1 --headless --load damaged --steps 10 && contains err "ouscope: damaged: " &&
        contains err "checksum"
}
check "a state with one digit changed is refused for its checksum" damaged

truncated() {
    head -c 3000 s >truncated
    run 1 --headless --load truncated --steps 10 && contains err "ouscope: truncated: "
}
check "a truncated state is refused" truncated

not_a_state() {
    printf 'x,y\n0,0\n1,1\n' >notstate.csv
    run 1 --headless --load notstate.csv --steps 10 && contains err "ouscope: notstate.csv: "
}
check "a file that is not a state is refused by --load" not_a_state

override() {
    run 0 --headless --load s --lr 0.01 --steps 2000 --csv o.csv || return 1
    all_equal o.csv eta 0.01 && steps_are o.csv "2000 3000 4000"
}
check "--load with --lr 0.01 runs at eta = 0.01" override

# ---- --export-params ----
export_default() {
    run 0 --headless --steps 100 --csv /dev/null --export-params p.csv || return 1
    count_rows p.csv unit, 32 && count_rows p.csv bias, 1 && count_rows p.csv point, 8
}
check "--export-params writes 32 units, 1 bias and 8 points by default" export_default

custom_data() {
    printf 'x,y\r\n-1,0\r\n-0.5,0.5\r\n0,1\r\n0.5,0.5\r\n1,0\r\n' >five.csv
    run 0 --headless --data five.csv --steps 100 --csv /dev/null --export-params q.csv || return 1
    count_rows q.csv point, 5 && contains q.csv "point,2,0,1,,,"
}
check "--data with a custom CSV of 5 points exports 5 point rows" custom_data
shipped_good() {
    run 0 --headless --data "$srcdir/tests/data/good.csv" --steps 10 --csv /dev/null
}
check "the shipped good example runs" shipped_good

# ---- divergence ----
diverge() {
    run 1 --headless --lr 10 --noise 0 --batch 8 --steps 5000 --csv d.csv || return 1
    contains err "diverged" || return 1
    same_count d.csv || return 1
    last_status=$(column d.csv status | tail -n 1)
    last_loss=$(column d.csv loss | tail -n 1)
    if [ "$last_status" != diverged ]; then
        echo "# the last row's status is \"$last_status\", expected \"diverged\"" >&2
        return 1
    fi
    case $last_loss in
    *[nN][aA][nN]* | *[iI][nN][fF]*)
        echo "# the last row's loss is $last_loss, not the last finite state" >&2
        return 1
        ;;
    esac
}
check "a diverging run exits 1, says so, and ends on the last finite state" diverge

# ---- where --save writes ----
save_through_symlink() {
    echo keep >target && ln -s target link || return 1
    run 0 --headless --steps 10 --csv /dev/null --save link || return 1
    if [ ! -L link ]; then
        echo "# --save replaced the symbolic link with a file" >&2
        return 1
    fi
    contains target "ouscope-state 2"
}
check "--save through a symbolic link replaces its target and keeps the link" save_through_symlink

save_to_devnull() {
    run 0 --headless --steps 10 --csv /dev/null --save /dev/null || return 1
    if [ ! -c /dev/null ]; then
        echo "# /dev/null is no longer a device" >&2
        return 1
    fi
}
check "--save /dev/null writes to the device, leaving it a device" save_to_devnull

save_to_dir() {
    mkdir -p adir
    run 1 --headless --steps 10 --csv /dev/null --save adir || return 1
    contains err "adir: is a directory"
}
check "--save to a directory is refused" save_to_dir

load_foreign() {
    printf 'hello\n' >foreign
    run 1 --headless --steps 10 --csv /dev/null --load foreign || return 1
    contains err "not an ouscope state file"
}
check "--load of a file that is not a state says so" load_foreign

# ---- fluctuation columns ----
ou_columns() {
    run 0 --headless --steps 3000 --every 1000 --ou-window 1000 --csv ou.csv || return 1
    # 29 metrics, 8 fluctuation summaries, 6 columns for each of the 8 directions,
    # then the 5 optimizer columns.
    same_count ou.csv 91 || return 1
    head -n 1 ou.csv | tr ',' '\n' >cols
    for c in clock tangent_var ptreg_norm drift_pred lambda_k1 var_k1 var_pred_k1 var_k8 \
        var_pred_k8 res_var_k8 acf1_k8; do
        grep -q -x -e "$c" cols || {
            echo "# no column $c" >&2
            return 1
        }
    done
    [ "$(column ou.csv var_pred_k3 | tail -n 1)" != "" ] || {
        echo "# var_pred_k3 is empty after three windows" >&2
        return 1
    }
}
check "--ou-window adds clock, drift and per-direction variance columns" ou_columns

ou_too_many_points() {
    run 1 --headless --steps 10 --n 65 --ou-window 0 --csv /dev/null || return 1
    contains err "at most 64 data points"
}
check "--ou-window with more than 64 points is refused" ou_too_many_points

# ---- optimizers ----
# The optimizer columns come last, after the optional ones, in the documented order.
optim_columns() {
    run 0 --headless --steps 2000 --every 1000 --project --optimizer adam --csv oc.csv || return 1
    same_count oc.csv 38 || return 1
    tail_cols=$(head -n 1 oc.csv | cut -d, -f33-)
    if [ "$tail_cols" != "optimizer,igr,r_eta,noise_lambda,unit_balance,igr_rms" ]; then
        echo "# the last columns are \"$tail_cols\"" >&2
        return 1
    fi
    all_equal oc.csv optimizer adam || return 1
    all_equal oc.csv igr_rms nan || return 1
    # noise_lambda = eta sigma^2 / B, and r_eta between reg/4 (tr K / 4, its small-eta
    # limit) and phi(eta lambda_max / 2) reg/4, phi(z) = -log(1 - z)/z being the
    # largest factor any eigenvalue's term gets; 1e-9 relative slack for rounding.
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        {
            nl = $c["eta"] * $c["sigma"] ^ 2 / $c["batch"]
            if ($c["noise_lambda"] < nl * (1 - 1e-9) || $c["noise_lambda"] > nl * (1 + 1e-9)) {
                print "# row " NR ": noise_lambda " $c["noise_lambda"] ", expected " nl; bad = 1
            }
            z = $c["eta_lambda"] / 2; q = 4 * $c["r_eta"] / $c["reg"]
            if (q < 1 - 1e-9 || q > -log(1 - z) / z * (1 + 1e-9)) {
                print "# row " NR ": 4 r_eta / reg = " q " outside [1, phi(" z ")]"; bad = 1
            }
        }
        END { exit bad }' oc.csv >&2
}
check "--optimizer adam: the optimizer and readout columns come last" optim_columns

# Each optimizer, saved mid-run with its moments, resumes bit for bit.
optim_resume() {
    for opt in rmsprop adam sam pathsgd; do
        run 0 --headless --steps 3000 --optimizer "$opt" --momentum 0.3 --csv "s_$opt.csv" ||
            return 1
        run 0 --headless --steps 1500 --optimizer "$opt" --momentum 0.3 --csv /dev/null \
            --save "st_$opt" || return 1
        run 0 --headless --load "st_$opt" --steps 1500 --csv "r_$opt.csv" || return 1
        grep '^3000,' "s_$opt.csv" >a.row
        grep '^3000,' "r_$opt.csv" >b.row
        if [ ! -s a.row ] || ! cmp -s a.row b.row; then
            echo "# $opt: the rows for step 3000 differ" >&2
            return 1
        fi
    done
}
check "every optimizer resumes from --save/--load bit for bit" optim_resume

optim_override() {
    [ -s st_adam ] || return 1
    run 0 --headless --load st_adam --optimizer sgd --steps 1000 --csv ov.csv || return 1
    all_equal ov.csv optimizer sgd
}
check "--load with --optimizer sgd switches the saved Adam run to SGD" optim_override

optim_bad() {
    run 2 --headless --steps 10 --optimizer lbfgs || return 1
    contains err 'ouscope: --optimizer: expected sgd, rmsprop, adam, sam or pathsgd, got "lbfgs"'
}
check "an unknown --optimizer exits 2 naming the choices" optim_bad

if [ "$failed" -ne 0 ]; then
    echo "# some checks failed" >&2
    exit 1
fi
exit 0
