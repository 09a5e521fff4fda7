#!/bin/sh
# The other settings headless (ouscope --setting KIND --headless): each
# setting runs N steps and writes the documented CSV columns with a row at
# every multiple of --every and at the last step; the same seed gives the
# same file; bad flags and sizes exit 2 with a message naming the flag and
# the range.  make check sets OUSCOPE and OU_SRCDIR; one "ok"/"not ok" line
# per check, exit 1 if any failed (77 = skipped).

# The checks are functions called through check(), which shellcheck cannot follow.
# shellcheck disable=SC2317
set -u

if [ -z "${OUSCOPE:-}" ]; then
    echo "OUSCOPE is not set: run this through make check" >&2
    exit 77
fi
srcdir=${OU_SRCDIR:-.}
case $OUSCOPE in /*) ;; *) OUSCOPE=$(pwd)/$OUSCOPE ;; esac
case $srcdir in /*) ;; *) srcdir=$(pwd)/$srcdir ;; esac
export OPENBLAS_NUM_THREADS=1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ouscope-lab.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
cd "$tmp" || exit 1

. "$srcdir/tests/checklib.sh"

# columns_are CSV LIST: the header, exactly.
columns_are() {
    got=$(head -n 1 "$1")
    if [ "$got" = "$2" ]; then
        return 0
    fi
    echo "# header \"$got\", expected \"$2\"" >&2
    return 1
}

# column CSV NAME: the values of the named column, one per data row.
column() {
    awk -F, -v name="$2" '
        NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) k = i; next }
        k { print $k }
        END { if (!k) exit 1 }' "$1"
}

# rows_well_formed CSV: every row has as many fields as the header, and the
# always-defined columns (step, loss, reg, theta_norm) are finite numbers.
rows_well_formed() {
    awk -F, '
        NR == 1 { n = NF; next }
        NF != n { print "# line " NR " has " NF " fields, the header " n; bad = 1 }
        $1 !~ /^[0-9]+$/ { print "# line " NR ": step \"" $1 "\""; bad = 1 }
        { for (i = 2; i <= 3; i++) if ($i !~ /^-?[0-9.]+(e[-+][0-9]+)?$/) { print "# line " NR " column " i ": \"" $i "\""; bad = 1 } }
        $5 !~ /^[0-9.]+(e[-+][0-9]+)?$/ { print "# line " NR ": theta_norm \"" $5 "\""; bad = 1 }
        END { exit bad }' "$1" >&2
}

steps_are() {
    got=$(column "$1" step | tr '\n' ' ' | sed 's/ $//')
    if [ "$got" = "$2" ]; then
        return 0
    fi
    echo "# steps: \"$got\", expected \"$2\"" >&2
    return 1
}

# The documented columns of each setting (ouscope(1), SETTINGS).
base=step,loss,reg,err,theta_norm
cols_sensing=$base,nuclear,nuclear_star,eig1,eig2,eig_tail
cols_sigmoid=$base,h,target,unsaturated
cols_sparse=$base,l1,support_found,rank
cols_ridge=$base,ridge_lambda,ridge_err,l1

for k in sensing sigmoid sparse ridge; do
    eval "cols=\$cols_$k"
    check "$k: 2500 steps, --every 1000" run 0 --setting "$k" --seed 1 --headless --steps 2500 \
        --every 1000 --csv "$k.csv"
    check "$k: nothing on standard output or error" test ! -s out -a ! -s err
    check "$k: the documented columns" columns_are "$k.csv" "$cols"
    check "$k: rows at 0, 1000, 2000 and the last step" steps_are "$k.csv" "0 1000 2000 2500"
    check "$k: rows well formed" rows_well_formed "$k.csv"
    check "$k: the same seed, the same file" run 0 --setting "$k" --seed 1 --headless --steps 2500 \
        --every 1000 --csv "$k.again.csv"
    check "$k: byte for byte" cmp -s "$k.csv" "$k.again.csv"
    check "$k: --csv - writes to standard output" run 0 --setting "$k" --headless --steps 10 \
        --every 5
    check "$k: standard output holds the CSV" columns_are out "$cols"
done

# The columns against relations they must satisfy, computed here from other columns:
# sensing: trace = sum of eigenvalues, so with rank 1 eig_tail = nuclear - eig1,
# and eig1 >= eig2 >= 0; sigmoid (one point): loss = (h - target)^2 / 2;
# sparse: 0 <= support_found <= rank and l1 >= 0; ridge: lambda = 1/(eta t)
# with eta = 0.01 (inf at t = 0), and theta = 0 at t = 0 (err = ridge_err there).
relations() {
    awk -F, -v kind="$1" '
        function near(a, b) { d = a - b; if (d < 0) d = -d; return d <= 1e-9 * (1 + (a < 0 ? -a : a)) }
        NR == 1 { next }
        kind == "sensing" && !(near($8 + $10, $6) && $8 >= $9 && $9 >= 0) { print "# sensing line " NR; bad = 1 }
        kind == "sigmoid" && !near($2, ($6 - $7) ^ 2 / 2) { print "# sigmoid line " NR ": loss " $2 " h " $6; bad = 1 }
        kind == "sparse" && !($7 >= 0 && $7 <= $8 && $6 >= 0) { print "# sparse line " NR; bad = 1 }
        kind == "ridge" && $1 > 0 && !near($6, 1 / (0.01 * $1)) { print "# ridge line " NR ": lambda " $6; bad = 1 }
        kind == "ridge" && $1 == 0 && !($6 == "inf" && near($4, $7) && $5 == 0) { print "# ridge step 0: " $0; bad = 1 }
        END { exit bad }' "$1.csv" >&2
}
for k in sensing sigmoid sparse ridge; do
    check "$k: the columns agree with each other" relations "$k"
done

# The sigmoid net has no distance to a truth: err stays empty, target is the flag's.
sig_err_empty() {
    [ -z "$(column sigmoid.csv err | tr -d '\n')" ]
}
check "sigmoid: err is empty (no truth)" sig_err_empty
check "sigmoid: --target 3 is the target column" run 0 --setting sigmoid --headless --steps 0 \
    --target 3 --csv t.csv
target_is_3() {
    [ "$(column t.csv target)" = 3 ]
}
check "sigmoid: target column" target_is_3

# Sensing: nuclear_star is tr X* = rank (X* is scaled to trace r).
nuclear_star_is_rank() {
    awk -F, 'NR > 1 { d = $7 - 2; if (d < 0) d = -d; if (d > 1e-9) bad = 1 } END { exit bad }' r2.csv
}
check "sensing --rank 2" run 0 --setting sensing --rank 2 --headless --steps 0 --csv r2.csv
check "sensing: nuclear_star = tr X* = 2" nuclear_star_is_rank

# Parameter noise runs too and draws differently from label noise.
check "sparse --noise param" run 0 --setting sparse --seed 1 --noise param --headless \
    --steps 2500 --every 1000 --csv param.csv
differs() {
    ! cmp -s sparse.csv param.csv
}
check "sparse: parameter noise gives another run" differs

# ---- refusals: exit 2, one line naming the flag and the range ----
refused() {
    msg=$1 # not "want": run() sets that
    shift
    run 2 "$@" || return 1
    contains err "$msg" || return 1
    [ "$(wc -l <err)" -eq 1 ] || { echo "# more than one line on stderr" >&2; return 1; }
    [ ! -s out ] || { echo "# something on standard output" >&2; return 1; }
}
check "unknown setting" refused '--setting: expected sensing, sigmoid, sparse or ridge, got "linear"' \
    --setting linear
check "--eta 0" refused '--eta: expected a number in (0, 10], got "0"' --setting ridge --eta 0
check "control characters in a value" refused '--noise: expected label or param, got "?[2Jx?"' \
    --setting sparse --noise "$(printf '\033[2Jx\177')"
check "--sigma -1" refused '--sigma: expected a number in [0, 100], got "-1"' --setting ridge --sigma -1
check "--noise gauss" refused '--noise: expected label or param, got "gauss"' --setting sparse --noise gauss
check "--seed x" refused '--seed: expected a whole number in 0..18446744073709551615, got "x"' \
    --setting sparse --seed x
check "--dim 30 for sensing" refused '--dim: expected a whole number in 1..24 for --setting sensing' \
    --setting sensing --dim 30
check "--rank above --dim" refused '--rank: expected a whole number in 1..5 for --setting sensing' \
    --setting sensing --dim 5 --rank 6
check "--n not below --dim for sparse" refused '--n: expected a whole number in 1..63 for --setting sparse' \
    --setting sparse --n 64
check "--batch above n" refused '--batch: expected a whole number in 1..20 for --setting ridge (points per step, at most n), got "21"' \
    --setting ridge --batch 21
check "--width 65" refused '--width: expected a whole number in 1..64 for --setting sigmoid (units), got "65"' \
    --setting sigmoid --width 65
# A size beyond every setting's range still gets the named setting's own range.
check "--dim 999 for sensing" refused '--dim: expected a whole number in 1..24 for --setting sensing' \
    --setting sensing --dim 999
check "--dim 999 for ridge" refused '--dim: expected a whole number in 1..256 for --setting ridge' \
    --setting ridge --dim 999
check "--dim before --setting" refused '--dim: expected a whole number in 1..24 for --setting sensing' \
    --dim 999 --setting sensing
check "--n 5000 for sparse" refused '--n: expected a whole number in 1..63 for --setting sparse' \
    --setting sparse --n 5000
check "--dim abc" refused '--dim: expected a whole number in 1..24 for --setting sensing (the side d of X*), got "abc"' \
    --setting sensing --dim abc
check "--batch 0" refused '--batch: expected a whole number in 1..' --setting ridge --batch 0
check "--target outside (0, width)" refused '--target: expected a number in (0, 8) for --setting sigmoid' \
    --setting sigmoid --target 9
check "--init 0 for sparse" refused '--init: expected a number in (0, 100] for --setting sparse' \
    --setting sparse --init 0
check "--n for sigmoid" refused '--n: not for --setting sigmoid' --setting sigmoid --n 4
check "--rank for ridge" refused '--rank: not for --setting ridge' --setting ridge --rank 2
check "--train-out maybe" refused '--train-out: expected on or off, got "maybe"' --setting sigmoid \
    --train-out maybe
check "--ridge-lambda -1" refused '--ridge-lambda: expected a number in [0, 1e+06], got "-1"' \
    --setting ridge --ridge-lambda -1
check "--headless without --steps" refused '--headless: needs --steps N' --setting ridge --headless
check "--csv without --headless" refused '--csv: only with --headless' --setting ridge --csv x.csv
check "--frames with --headless" refused '--frames: only for the live view' --setting ridge \
    --headless --steps 1 --frames 3
check "a 1D flag" refused '--lr: unknown option for --setting' --setting ridge --lr 0.1
check "--setting without a value" refused '--setting: missing value' --setting
check "--help" run 0 --setting ridge --help
check "--help lists --ridge-lambda" contains out "--ridge-lambda X"

# A divergence headless: exit 1, named.
check "sensing at eta 10 diverges: exit 1" run 1 --setting sensing --eta 10 --headless --steps 1000 \
    --csv div.csv
check "the divergence is explained" contains err "diverged after step"

exit $failed
