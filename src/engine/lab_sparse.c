/*
 * The quadratically parameterised sparse model of HaoChen, Wei, Lee & Ma
 * (arXiv:2006.08680; ouscope-science(7), SPARSE MODEL): h_i(v) =
 * <v (.) v, x_i> with v in R^d (theta = v, p = d), n < d inputs
 * x_i ~ N(0, I_d), and labels y_i = <w*, x_i> of a truth w* >= 0 with
 * `rank` entries equal to 1 at random places and the rest 0.
 * Pure computation over the inputs lab.c owns; no allocation, no BLAS.
 */
#include "config.h"

#include "lab_impl.h"

#include <math.h>
#include <string.h>

/* Layout of the inputs: x_i at inputs + i d (n x d row-major).  truth: w*[d]. */

/*
 * The reference set-up: d = 64, n = 24, a truth with 3 nonzeros.  24
 * Gaussian measurements are more than the ~2 k log(d/k) = 18 that make the
 * sparse nonnegative truth the interpolant of least l1 norm, and so far
 * fewer than d that nonnegative interpolants form an unbounded set (64
 * random columns in R^24 almost never lie in one half-space): there is
 * room for a wrong answer.  init_scale 1 starts at v (.) v = 1, dense with
 * l1 = d, the large initialisation from which gradient descent stops at a
 * dense interpolant.  There |grad h_i|^2 = 4 sum_k x_ik^2 ~ 4 d = 256 (up
 * to ~390 over the points), so B = 1 needs eta < 2/390; eta = 0.004 and
 * sigma = 1 shrink the off-support weights like exp(-4 eta^2 sigma^2 t),
 * the truth found in about 10^5 steps (ouscope-science(7), SPARSE MODEL).
 */
static void
sparse_defaults(struct ou_lab_config *c)
{
    c->dim = 64;
    c->n = 24;
    c->rank = 3;
    c->width = 0;
    c->init_scale = 1.0;
    c->eta = 0.004;
    c->sigma = 1.0;
    c->batch = 1;
}

static enum ou_status
sparse_check(const struct ou_lab_config *c)
{
    if (c->dim < 2 || c->dim > OU_LAB_DIM_MAX)
        return OU_EINVAL;
    /* The setting is the underdetermined one: fewer points than weights. */
    if (c->n < 1 || c->n >= c->dim || c->n > OU_LAB_N_MAX)
        return OU_EINVAL;
    if (c->rank < 1 || c->rank > c->dim)
        return OU_EINVAL;
    /* v = 0 is a critical point of every h_i (grad h_i = 2 v (.) x_i): nothing would move. */
    if (!(c->init_scale > 0.0) || !isfinite(c->init_scale))
        return OU_EINVAL;
    return OU_OK;
}

static size_t
sparse_nparams(const struct ou_lab_config *c)
{
    return c->dim;
}

static size_t
sparse_ninputs(const struct ou_lab_config *c)
{
    return c->n * c->dim;
}

static size_t
sparse_ntruth(const struct ou_lab_config *c)
{
    return c->dim;
}

static size_t
sparse_workspace(const struct ou_lab_config *c)
{
    (void)c;
    return 0;
}

/* The support first (rank distinct places, uniformly), then the n x d inputs, then y = X w*. */
static void
sparse_make(const struct ou_lab_config *c, double *inputs, double *truth, double *y,
            struct ou_rng *r, const struct ou_ziggurat *z)
{
    const size_t d = c->dim;
    memset(truth, 0, d * sizeof *truth);
    for (size_t q = 0; q < c->rank; q++) {
        size_t k;
        do
            k = (size_t)ou_rng_below(r, d);
        while (truth[k] > 0.0);
        truth[k] = 1.0;
    }
    ou_rng_normals(r, z, inputs, c->n * d);
    for (size_t i = 0; i < c->n; i++) {
        double s = 0.0;
        for (size_t k = 0; k < d; k++)
            s += truth[k] * inputs[i * d + k];
        y[i] = s;
    }
}

/* v = init_scale * (1, ..., 1), HaoChen et al.'s start; no random draw. */
static void
sparse_init(const struct ou_lab_ctx *x, double *theta, struct ou_rng *r,
            const struct ou_ziggurat *z)
{
    (void)r;
    (void)z;
    for (size_t k = 0; k < x->cfg->dim; k++)
        theta[k] = x->cfg->init_scale;
}

/* h_i = sum_k v_k^2 x_ik,  dh_i/dv_k = 2 v_k x_ik. */
static double
sparse_grad(const struct ou_lab_ctx *x, size_t i, const double *theta, double *g)
{
    const size_t d = x->cfg->dim;
    const double *xi = x->inputs + i * d;
    double h = 0.0;
    /* Two loops rather than a test inside one, so that each vectorizes. */
    if (g)
        for (size_t k = 0; k < d; k++)
            g[k] = 2.0 * theta[k] * xi[k];
    for (size_t k = 0; k < d; k++)
        h += theta[k] * theta[k] * xi[k];
    return h;
}

/*
 * coef = v (.) v, err = |coef - w*|_2 / |w*|_2, and support_found: the
 * truth's nonzeros among the `rank` largest coefs, ties broken by the lower
 * index so that exactly `rank` places count (at v = 1 all are tied).
 */
static enum ou_status
sparse_observe(const struct ou_lab_ctx *x, const double *theta, struct ou_lab_obs *o)
{
    const struct ou_lab_config *c = x->cfg;
    const size_t d = c->dim;
    double e2 = 0.0, t2 = 0.0, l1 = 0.0;
    o->dim = d;
    for (size_t k = 0; k < d; k++) {
        double w = theta[k] * theta[k], t = x->truth[k];
        o->coef[k] = w;
        o->truth[k] = t;
        l1 += w;
        e2 += (w - t) * (w - t);
        t2 += t * t;
    }
    o->l1 = l1;
    o->err = sqrt(e2) / sqrt(t2);
    o->support_found = 0;
    for (size_t k = 0; k < d; k++) {
        if (!(x->truth[k] > 0.0))
            continue;
        size_t above = 0;
        for (size_t j = 0; j < d; j++)
            if (j < k ? o->coef[j] >= o->coef[k] : o->coef[j] > o->coef[k])
                above++;
        if (above < c->rank)
            o->support_found++;
    }
    return OU_OK;
}

const struct ou_lab_kind_ops ou_lab_sparse_ops = {
    .name = "sparse",
    .defaults = sparse_defaults,
    .check = sparse_check,
    .nparams = sparse_nparams,
    .ninputs = sparse_ninputs,
    .ntruth = sparse_ntruth,
    .workspace = sparse_workspace,
    .make = sparse_make,
    .init = sparse_init,
    .grad = sparse_grad,
    .observe = sparse_observe,
};
