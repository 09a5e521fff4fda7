/*
 * Matrix sensing, the first of Blanc, Gupta, Valiant & Valiant's further
 * settings (arXiv:1904.09080; ouscope-science(7), MATRIX SENSING):
 * h_i(U) = <A_i, U U^T> with U in R^{d x d'} (theta = U row-major,
 * p = d d'), A_i in R^{d x d} with i.i.d. N(0,1) entries, and labels
 * y_i = <A_i, X*> of a low-rank X* = Z Z^T (Z in R^{d x r} Gaussian) scaled
 * to tr X* = r, so that its nonzero eigenvalues are of order 1.
 * Pure computation over the inputs lab.c owns; no allocation, no BLAS on
 * the step path (d <= 24), LAPACK only in observe.
 */
#include "config.h"

#include "lab_impl.h"

#include <math.h>

#include "linalg.h"

/* Layout of the inputs: A_i at inputs + i d^2, row-major.  truth: X*, d x d row-major. */

/*
 * The reference set-up.  d = d' = 12: U U^T can be any PSD matrix.  A
 * rank-1 truth is seen through n = 30 = 2.5 r d measurements, far fewer
 * than the d(d+1)/2 = 78 numbers of a symmetric matrix, so the PSD
 * matrices that fit the labels form a large set; yet 30 are enough for its
 * member of least trace to be X* itself.  init_scale = 1 starts at
 * U U^T ~ I (trace 12 against tr X* = 1), far from low rank: the large
 * initialisation, from which plain GD stops at a wrong interpolant.  B = n
 * removes the sampling noise, so sigma = 0 is exactly GD; eta = 0.04 puts
 * eta lambda_max(H) at 1.0-1.7 at the initial U for most seeds (2.1 for
 * one in 30, which still converges, as lambda_max falls tenfold while
 * U U^T shrinks), and sigma = 1.5 brings tr U U^T from about 12 to about
 * 1 within 2000 steps.
 */
static void
sensing_defaults(struct ou_lab_config *c)
{
    c->dim = 12;
    c->rank = 1;
    c->width = 12;
    c->n = 30;
    c->init_scale = 1.0;
    c->eta = 0.04;
    c->sigma = 1.5;
    c->batch = 30;
}

static enum ou_status
sensing_check(const struct ou_lab_config *c)
{
    if (c->dim < 1 || c->dim > OU_LAB_SIDE_MAX)
        return OU_EINVAL;
    if (c->width < 1 || c->width > OU_LAB_UNITS_MAX)
        return OU_EINVAL;
    if (c->rank < 1 || c->rank > c->dim)
        return OU_EINVAL;
    if (c->n < 1 || c->n > OU_LAB_N_MAX)
        return OU_EINVAL;
    /* U = 0 is a critical point of every h_i (grad h_i = (A_i + A_i^T) U), so no noise moves it. */
    if (!(c->init_scale > 0.0) || !isfinite(c->init_scale))
        return OU_EINVAL;
    return OU_OK;
}

static size_t
sensing_nparams(const struct ou_lab_config *c)
{
    return c->dim * c->width;
}

static size_t
sensing_ninputs(const struct ou_lab_config *c)
{
    return c->n * c->dim * c->dim;
}

static size_t
sensing_ntruth(const struct ou_lab_config *c)
{
    return c->dim * c->dim;
}

/* observe: a copy of U U^T for the eigensolver (d^2) and its eigenvalues (d). */
static size_t
sensing_workspace(const struct ou_lab_config *c)
{
    return c->dim * c->dim + c->dim;
}

/*
 * Z (d x r) first, then the A_i in order: a different n with the same seed
 * keeps X* and the first measurements.  Z Z^T is PSD of rank r (almost
 * surely), then scaled by r / tr(Z Z^T) = r / |Z|_F^2.
 */
static void
sensing_make(const struct ou_lab_config *c, double *inputs, double *truth, double *y,
             struct ou_rng *r, const struct ou_ziggurat *z)
{
    const size_t d = c->dim, rk = c->rank, n = c->n;
    double Z[OU_LAB_SIDE_MAX * OU_LAB_SIDE_MAX];
    double zz = 0.0;

    ou_rng_normals(r, z, Z, d * rk);
    for (size_t k = 0; k < d * rk; k++)
        zz += Z[k] * Z[k];
    for (size_t j = 0; j < d; j++)
        for (size_t k = 0; k < d; k++) {
            double s = 0.0;
            for (size_t a = 0; a < rk; a++)
                s += Z[j * rk + a] * Z[k * rk + a];
            truth[j * d + k] = s * (double)rk / zz;
        }
    ou_rng_normals(r, z, inputs, n * d * d);
    /* y_i = <A_i, X*> = sum_jk A_i[j,k] X*[j,k]. */
    for (size_t i = 0; i < n; i++) {
        const double *A = inputs + i * d * d;
        double s = 0.0;
        for (size_t k = 0; k < d * d; k++)
            s += A[k] * truth[k];
        y[i] = s;
    }
}

/* U_ja = init_scale z_ja / sqrt(d'), z ~ N(0,1): E[U U^T] = init_scale^2 I, tr ~ init_scale^2 d. */
static void
sensing_init(const struct ou_lab_ctx *x, double *theta, struct ou_rng *r,
             const struct ou_ziggurat *z)
{
    const struct ou_lab_config *c = x->cfg;
    const double s = c->init_scale / sqrt((double)c->width);
    ou_rng_normals(r, z, theta, x->p);
    for (size_t k = 0; k < x->p; k++)
        theta[k] *= s;
}

/*
 * W = (A_i + A_i^T) U (d x d') is grad h_i, and h_i = <A_i, U U^T> =
 * (1/2) <U, W>.  W is built one row at a time, W_j. = sum_k S_jk U_k.,
 * in g or, when no gradient is wanted, in a row on the stack; the inner
 * loop runs along rows of U, contiguous.  Cost O(d^2 d').
 */
static double
sensing_grad(const struct ou_lab_ctx *x, size_t i, const double *theta, double *g)
{
    const size_t d = x->cfg->dim, w = x->cfg->width;
    const double *A = x->inputs + i * d * d;
    double buf[OU_LAB_UNITS_MAX];
    double h = 0.0;
    for (size_t j = 0; j < d; j++) {
        double *row = g ? g + j * w : buf;
        for (size_t a = 0; a < w; a++)
            row[a] = 0.0;
        for (size_t k = 0; k < d; k++) {
            const double s = A[j * d + k] + A[k * d + j];
            const double *uk = theta + k * w;
            for (size_t a = 0; a < w; a++)
                row[a] += s * uk[a];
        }
        const double *uj = theta + j * w;
        for (size_t a = 0; a < w; a++)
            h += uj[a] * row[a];
    }
    return 0.5 * h;
}

/*
 * mat = U U^T, star = X*, its eigenvalues descending, nuclear norms as
 * traces (both PSD), and err = |U U^T - X*|_F / |X*|_F.
 */
static enum ou_status
sensing_observe(const struct ou_lab_ctx *x, const double *theta, struct ou_lab_obs *o)
{
    const size_t d = x->cfg->dim, w = x->cfg->width;
    double *M = x->ws, *ev = x->ws + d * d;
    double diff = 0.0, fstar = 0.0, tr = 0.0, trs = 0.0;

    o->side = d;
    for (size_t j = 0; j < d; j++)
        for (size_t k = 0; k < d; k++) {
            double s = 0.0;
            for (size_t a = 0; a < w; a++)
                s += theta[j * w + a] * theta[k * w + a];
            double t = x->truth[j * d + k];
            o->mat[j * d + k] = s;
            o->star[j * d + k] = t;
            M[j * d + k] = s;
            diff += (s - t) * (s - t);
            fstar += t * t;
        }
    for (size_t j = 0; j < d; j++) {
        tr += o->mat[j * d + j];
        trs += o->star[j * d + j];
    }
    o->nuclear = tr;
    o->nuclear_star = trs;
    o->err = sqrt(diff) / sqrt(fstar);

    enum ou_status st = ou_linalg_sym_eig(M, d, ev, 0);
    if (st != OU_OK)
        return st;
    for (size_t k = 0; k < d; k++)
        o->sv[k] = ev[d - 1 - k];
    for (size_t k = d; k < OU_LAB_SIDE_MAX; k++)
        o->sv[k] = 0.0;
    return OU_OK;
}

const struct ou_lab_kind_ops ou_lab_sensing_ops = {
    .name = "sensing",
    .defaults = sensing_defaults,
    .check = sensing_check,
    .nparams = sensing_nparams,
    .ninputs = sensing_ninputs,
    .ntruth = sensing_ntruth,
    .workspace = sensing_workspace,
    .make = sensing_make,
    .init = sensing_init,
    .grad = sensing_grad,
    .observe = sensing_observe,
};
