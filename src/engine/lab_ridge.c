/*
 * Linear least squares beside ridge regression (ouscope-science(7), LEAST
 * SQUARES AND RIDGE): h_i(theta) = <theta, x_i> with x_i ~ N(0, I_d), a truth
 * w* ~ N(0, I_d / d) and training labels y_i = <w*, x_i> + data_noise z_i.
 * Gradient descent from theta = 0 for t steps of size eta is close to the
 * ridge solution with lambda = 1/(eta t) (Ali, Kolter & Tibshirani,
 * arXiv:1810.10082): in an eigendirection of (1/n) X^T X with eigenvalue s
 * gradient flow keeps the fraction 1 - exp(-s eta t) of the least-squares
 * coefficient, ridge keeps s / (s + lambda), and the paper bounds the risk
 * of the first by 1.6862 times that of the second at every t.  The ridge
 * solution is solved with LAPACK in observe only.
 */
#include "config.h"

#include "lab_impl.h"

#include <math.h>
#include <string.h>

#include "linalg.h"

/* Held-out inputs, stored in `inputs` after the n training ones. */
#define RIDGE_NTEST 1000

/*
 * The reference set-up: d = 40 coefficients seen through n = 20 noisy
 * points, so the training data can be fitted exactly and the
 * minimum-norm interpolant that GD ends at has a test error of about
 * (1 - n/d) |w*|^2 + data_noise^2 n / (d - n - 1) ~ 0.5 + 0.26, while
 * stopping (or ridge) near lambda ~ data_noise^2 d / n = 0.5, t ~ 200 steps,
 * does better.  B = n is gradient descent; the largest eigenvalue of
 * (1/n) X^T X is about (sqrt(d/n) + 1)^2 = 5.8, so eta = 0.01 is far inside
 * the stable range eta s < 2 and close to gradient flow.
 */
static void
ridge_defaults(struct ou_lab_config *c)
{
    c->dim = 40;
    c->n = 20;
    c->batch = 20;
    c->eta = 0.01;
    c->sigma = 0.5;
    c->data_noise = 0.5;
    c->init_scale = 0.0;
    c->ridge_lambda = 0.0;
}

static enum ou_status
ridge_check(const struct ou_lab_config *c)
{
    if (c->dim < 1 || c->dim > OU_LAB_DIM_MAX || c->n < 1 || c->n > OU_LAB_N_MAX ||
        !isfinite(c->data_noise) || c->data_noise < 0.0 || !isfinite(c->init_scale) ||
        c->init_scale < 0.0 || !isfinite(c->ridge_lambda) || c->ridge_lambda < 0.0)
        return OU_EINVAL;
    return OU_OK;
}

static size_t
ridge_nparams(const struct ou_lab_config *c)
{
    return c->dim;
}

static size_t
ridge_ninputs(const struct ou_lab_config *c)
{
    return (c->n + RIDGE_NTEST) * c->dim;
}

static size_t
ridge_ntruth(const struct ou_lab_config *c)
{
    return c->dim;
}

/* (1/n) X^T X + lambda I (d x d), then the right-hand side and solution (d). */
static size_t
ridge_workspace(const struct ou_lab_config *c)
{
    return c->dim * c->dim + c->dim;
}

/*
 * The draw order is part of the setting (a test repeats it): the n
 * training inputs, the RIDGE_NTEST held-out inputs (row-major, d each),
 * then w* (d draws scaled by 1/sqrt d), then the n label-noise draws z_i,
 * drawn whatever data_noise is.
 */
static void
ridge_make(const struct ou_lab_config *c, double *inputs, double *truth, double *y,
           struct ou_rng *r, const struct ou_ziggurat *z)
{
    const size_t d = c->dim, n = c->n;
    ou_rng_normals(r, z, inputs, (n + RIDGE_NTEST) * d);
    ou_rng_normals(r, z, truth, d);
    const double scale = 1.0 / sqrt((double)d);
    for (size_t k = 0; k < d; k++)
        truth[k] *= scale;
    for (size_t i = 0; i < n; i++) {
        const double *x = inputs + i * d;
        double s = 0.0;
        for (size_t k = 0; k < d; k++)
            s += truth[k] * x[k];
        y[i] = s + c->data_noise * ou_rng_normal(r, z);
    }
}

/* theta = 0 (so GD stays in the row space of X), or init_scale N(0, 1) entries. */
static void
ridge_init(const struct ou_lab_ctx *x, double *theta, struct ou_rng *r, const struct ou_ziggurat *z)
{
    const double s = x->cfg->init_scale;
    if (s > 0.0) {
        ou_rng_normals(r, z, theta, x->p);
        for (size_t k = 0; k < x->p; k++)
            theta[k] *= s;
    } else {
        memset(theta, 0, x->p * sizeof *theta);
    }
}

/* h_i = <theta, x_i>; grad h_i = x_i, whatever theta is. */
static double
ridge_grad(const struct ou_lab_ctx *x, size_t i, const double *theta, double *g)
{
    const size_t d = x->p;
    const double *xi = x->inputs + i * d;
    double h = 0.0;
    for (size_t k = 0; k < d; k++)
        h += theta[k] * xi[k];
    if (g)
        memcpy(g, xi, d * sizeof *g);
    return h;
}

/* (1/N) sum_j <w - w*, x_j>^2 over the held-out inputs: the noise-free test error. */
static double
test_mse(const struct ou_lab_ctx *x, const double *w)
{
    const size_t d = x->p, n = x->cfg->n;
    const double *xt = x->inputs + n * d;
    double s = 0.0;
    for (size_t j = 0; j < RIDGE_NTEST; j++) {
        double r = 0.0;
        for (size_t k = 0; k < d; k++)
            r += (w[k] - x->truth[k]) * xt[j * d + k];
        s += r * r;
    }
    return s / RIDGE_NTEST;
}

/*
 * argmin (1/2n)|X w - y|^2 + (lambda/2)|w|^2, i.e. the solution of
 * ((1/n) X^T X + lambda I) w = (1/n) X^T y, d x d and positive definite for
 * lambda > 0 (Cholesky, LAPACK dposv).  lambda = inf gives w = 0.
 */
static enum ou_status
ridge_solve(const struct ou_lab_ctx *x, double lambda, double *w)
{
    const size_t d = x->p, n = x->cfg->n;
    if (isinf(lambda)) {
        memset(w, 0, d * sizeof *w);
        return OU_OK;
    }
    double *A = x->ws, *b = x->ws + d * d;
    const double inv_n = 1.0 / (double)n;
    for (size_t a = 0; a < d; a++) {
        for (size_t c = a; c < d; c++) {
            double s = 0.0;
            for (size_t i = 0; i < n; i++)
                s += x->inputs[i * d + a] * x->inputs[i * d + c];
            A[a * d + c] = A[c * d + a] = s * inv_n;
        }
        A[a * d + a] += lambda;
        double s = 0.0;
        for (size_t i = 0; i < n; i++)
            s += x->inputs[i * d + a] * x->y[i];
        b[a] = s * inv_n;
    }
    enum ou_status st = ou_linalg_spd_solve(A, d, b, 1);
    if (st != OU_OK)
        return st;
    memcpy(w, b, d * sizeof *w);
    return OU_OK;
}

static enum ou_status
ridge_observe(const struct ou_lab_ctx *x, const double *theta, struct ou_lab_obs *o)
{
    const size_t d = x->p;
    o->dim = d;
    o->l1 = 0.0;
    for (size_t k = 0; k < d; k++) {
        o->coef[k] = theta[k];
        o->truth[k] = x->truth[k];
        o->l1 += fabs(theta[k]);
    }
    o->err = test_mse(x, theta);
    /* The calibration lambda = 1/(eta t) of arXiv:1810.10082; t = 0 is lambda = inf. */
    const double lam = x->cfg->ridge_lambda;
    if (lam > 0.0)
        o->ridge_lambda = lam;
    else if (x->step == 0)
        o->ridge_lambda = INFINITY;
    else
        o->ridge_lambda = 1.0 / (x->cfg->eta * (double)x->step);
    enum ou_status st = ridge_solve(x, o->ridge_lambda, o->ridge_coef);
    if (st != OU_OK) {
        for (size_t k = 0; k < d; k++)
            o->ridge_coef[k] = NAN;
        o->ridge_err = NAN;
        return st;
    }
    o->ridge_err = test_mse(x, o->ridge_coef);
    return OU_OK;
}

const struct ou_lab_kind_ops ou_lab_ridge_ops = {
    .name = "ridge",
    .defaults = ridge_defaults,
    .check = ridge_check,
    .nparams = ridge_nparams,
    .ninputs = ridge_ninputs,
    .ntruth = ridge_ntruth,
    .workspace = ridge_workspace,
    .make = ridge_make,
    .init = ridge_init,
    .grad = ridge_grad,
    .observe = ridge_observe,
};
