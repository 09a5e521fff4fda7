/*
 * The two-layer sigmoid net on one data point, the second of Blanc, Gupta,
 * Valiant & Valiant's further settings (arXiv:1904.09080;
 * ouscope-science(7), SIGMOID NET): h(x) = sum_j a_j s(w_j . x + b_j) with
 * the logistic s, one input x in R^dim of unit norm and the label
 * y = cfg->target.  theta = (a[m] if trained, W[m x dim] row-major, b[m]),
 * m = cfg->width; with train_out false every a_j is the constant 1.
 * Pure computation over the inputs lab.c owns; no allocation, no BLAS.
 */
#include "config.h"

#include "lab_impl.h"

#include <math.h>

/* Layout of the inputs: x[dim], drawn once.  No truth: only the label y. */

/*
 * The reference set-up: m = 8 units see x in R^4; the label 2.5 sits below
 * the m/2 = 4 of a net with every unit at s = 1/2, so the first descent
 * pulls all units down together, and sits in the middle of the range
 * (0, m) a net with a_j = 1 can reach.  init_scale 0.5 draws distinct,
 * unsaturated pre-activations z_j ~ N(0, 2 * 0.25): one point moves every
 * unit by the same residual, so only their initial spread breaks the
 * symmetry between units.  With |x| = 1, c = |x|^2 + 1 = 2 and
 * |grad h|^2 <= 2 m / 16 = 1 for a_j = 1, so eta = 0.5 is stable.
 */
static void
sigmoid_defaults(struct ou_lab_config *c)
{
    c->n = 1;
    c->dim = 4;
    c->width = 8;
    c->rank = 0;
    c->init_scale = 0.5;
    c->train_out = false;
    c->target = 2.5;
    c->eta = 0.5;
    c->sigma = 0.5;
    c->batch = 1;
}

static enum ou_status
sigmoid_check(const struct ou_lab_config *c)
{
    if (c->n != 1)
        return OU_EINVAL;
    if (c->dim < 1 || c->dim > OU_LAB_DIM_MAX)
        return OU_EINVAL;
    if (c->width < 1 || c->width > OU_LAB_UNITS_MAX)
        return OU_EINVAL;
    if (!isfinite(c->target))
        return OU_EINVAL;
    /* With a_j = 1, h ranges over (0, m): a label outside can never be fitted. */
    if (!c->train_out && !(c->target > 0.0 && c->target < (double)c->width))
        return OU_EINVAL;
    /* Equal units stay equal (one point gives them one residual): start them apart. */
    if (!(c->init_scale > 0.0) || !isfinite(c->init_scale))
        return OU_EINVAL;
    return OU_OK;
}

static size_t
sigmoid_nparams(const struct ou_lab_config *c)
{
    return c->width * (c->dim + 1) + (c->train_out ? c->width : 0);
}

static size_t
sigmoid_ninputs(const struct ou_lab_config *c)
{
    return c->dim;
}

static size_t
sigmoid_ntruth(const struct ou_lab_config *c)
{
    (void)c;
    return 0;
}

static size_t
sigmoid_workspace(const struct ou_lab_config *c)
{
    (void)c;
    return 0;
}

/*
 * s(z) = 1/(1 + e^-z) and s'(z) = s(1 - s) through e = exp(-|z|) <= 1, so
 * neither overflows: s'(z) = e/(1 + e)^2 keeps full relative precision in
 * the saturated tails, where 1 - s would cancel.
 */
static inline void
logistic(double z, double *s, double *ds)
{
    double e = exp(-fabs(z)), q = 1.0 / (1.0 + e);
    *s = z >= 0.0 ? q : e * q;
    *ds = e * q * q;
}

/* x uniform on the unit sphere of R^dim (a normalised Gaussian), so c = |x|^2 + 1 = 2. */
static void
sigmoid_make(const struct ou_lab_config *c, double *inputs, double *truth, double *y,
             struct ou_rng *r, const struct ou_ziggurat *z)
{
    (void)truth;
    double nrm;
    do {
        nrm = 0.0;
        for (size_t k = 0; k < c->dim; k++) {
            inputs[k] = ou_rng_normal(r, z);
            nrm += inputs[k] * inputs[k];
        }
    } while (!(nrm > 1e-300));
    nrm = sqrt(nrm);
    for (size_t k = 0; k < c->dim; k++)
        inputs[k] /= nrm;
    y[0] = c->target;
}

/*
 * W and b i.i.d. N(0, init_scale^2), drawn first so that turning train_out
 * on or off keeps them; then, if trained, a_j ~ N(0, init_scale^2) too.
 */
static void
sigmoid_init(const struct ou_lab_ctx *x, double *theta, struct ou_rng *r,
             const struct ou_ziggurat *z)
{
    const struct ou_lab_config *c = x->cfg;
    const size_t m = c->width, off = c->train_out ? m : 0;
    for (size_t k = 0; k < m * (c->dim + 1); k++)
        theta[off + k] = c->init_scale * ou_rng_normal(r, z);
    for (size_t j = 0; j < off; j++)
        theta[j] = c->init_scale * ou_rng_normal(r, z);
}

/*
 * z_j = w_j . x + b_j,  h = sum_j a_j s(z_j);
 * dh/da_j = s(z_j),  dh/dW_jk = a_j s'(z_j) x_k,  dh/db_j = a_j s'(z_j).
 */
static double
sigmoid_grad(const struct ou_lab_ctx *x, size_t i, const double *theta, double *g)
{
    (void)i;
    const struct ou_lab_config *c = x->cfg;
    const size_t m = c->width, d = c->dim, off = c->train_out ? m : 0;
    const double *in = x->inputs, *W = theta + off, *b = W + m * d;
    double h = 0.0;
    for (size_t j = 0; j < m; j++) {
        double zj = b[j], s, ds;
        for (size_t k = 0; k < d; k++)
            zj += W[j * d + k] * in[k];
        logistic(zj, &s, &ds);
        double a = c->train_out ? theta[j] : 1.0;
        h += a * s;
        if (g) {
            if (c->train_out)
                g[j] = s;
            for (size_t k = 0; k < d; k++)
                g[off + j * d + k] = a * ds * in[k];
            g[off + m * d + j] = a * ds;
        }
    }
    return h;
}

static enum ou_status
sigmoid_observe(const struct ou_lab_ctx *x, const double *theta, struct ou_lab_obs *o)
{
    const struct ou_lab_config *c = x->cfg;
    const size_t m = c->width, d = c->dim, off = c->train_out ? m : 0;
    const double *in = x->inputs, *W = theta + off, *b = W + m * d;
    o->err = NAN;
    o->units = m;
    o->unsaturated = 0;
    for (size_t j = 0; j < m; j++) {
        double zj = b[j], s, ds;
        for (size_t k = 0; k < d; k++)
            zj += W[j * d + k] * in[k];
        logistic(zj, &s, &ds);
        o->unit_s[j] = s;
        o->unit_out[j] = (c->train_out ? theta[j] : 1.0) * s;
        if (s >= 0.05 && s <= 0.95)
            o->unsaturated++;
    }
    return OU_OK;
}

const struct ou_lab_kind_ops ou_lab_sigmoid_ops = {
    .name = "sigmoid",
    .defaults = sigmoid_defaults,
    .check = sigmoid_check,
    .nparams = sigmoid_nparams,
    .ninputs = sigmoid_ninputs,
    .ntruth = sigmoid_ntruth,
    .workspace = sigmoid_workspace,
    .make = sigmoid_make,
    .init = sigmoid_init,
    .grad = sigmoid_grad,
    .observe = sigmoid_observe,
};
