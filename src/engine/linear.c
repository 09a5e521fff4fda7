/*
 * Linear least squares in random Fourier features: h(x) = sum_k theta_k
 * phi_k(x) + c with phi_k(x) = sqrt(2/m) cos(omega_k x + beta_k),
 * omega_k ~ N(0, 3^2) and beta_k ~ U(0, 2 pi) drawn once and frozen (the
 * features of a Gaussian kernel of length scale 1/3, well conditioned on
 * points a tenth of the data range apart or more).  The Jacobian does not depend on
 * theta, so the linearised OU picture of ouscope-science(7), OU
 * FLUCTUATIONS, holds exactly: this is the model on which its predictions
 * are tested without approximation.  reg is constant and grad reg = 0.
 */
#include "config.h"

#include "linear.h"

#include <math.h>
#include <string.h>

static size_t
linear_nparams(const struct ou_model *m)
{
    return m->width + (m->bias ? 1 : 0);
}

static size_t
linear_nfixed(const struct ou_model *m)
{
    return 2 * m->width; /* omega[m], beta[m] */
}

static size_t
linear_workspace(const struct ou_model *m, size_t n)
{
    (void)m;
    (void)n;
    return 0;
}

static void
linear_init_fixed(const struct ou_model *m, double *fixed, struct ou_rng *r,
                  const struct ou_ziggurat *z)
{
    for (size_t k = 0; k < m->width; k++) {
        fixed[k] = 3.0 * ou_rng_normal(r, z);
        fixed[m->width + k] = 2.0 * M_PI * ou_rng_uniform(r);
    }
}

/* theta starts at 0, so noise-free descent ends at the minimum-norm interpolant. */
static void
linear_init(const struct ou_model *m, double *theta, struct ou_rng *r, const struct ou_ziggurat *z)
{
    (void)r;
    (void)z;
    memset(theta, 0, linear_nparams(m) * sizeof *theta);
}

static inline double
feature(const struct ou_model *m, size_t k, double x)
{
    return sqrt(2.0 / (double)m->width) * cos(m->fixed[k] * x + m->fixed[m->width + k]);
}

static double
linear_grad(const struct ou_model *m, const double *theta, double x, double *g)
{
    double h = m->bias ? theta[m->width] : 0.0;
    for (size_t k = 0; k < m->width; k++) {
        double f = feature(m, k, x);
        if (g)
            g[k] = f;
        h += theta[k] * f;
    }
    if (g && m->bias)
        g[m->width] = 1.0;
    return h;
}

static double
linear_forward(const struct ou_model *m, const double *theta, double x)
{
    return linear_grad(m, theta, x, NULL);
}

/* h_i = phi(x_i) . theta, |grad h_i|^2 = |phi(x_i)|^2 [+ 1]. */
static void
linear_pass(const struct ou_model *m, const double *theta, size_t n, const double *x,
            const double *y, const double *coef, const double *eps, double *g, double *ws,
            double *loss, double *reg, double *res_out)
{
    (void)ws;
    const size_t M = m->width, p = linear_nparams(m);
    double lsum = 0.0, qsum = 0.0;
    if (g)
        memset(g, 0, p * sizeof *g);
    for (size_t i = 0; i < n; i++) {
        double h = m->bias ? theta[M] : 0.0, q = m->bias ? 1.0 : 0.0;
        for (size_t k = 0; k < M; k++) {
            double f = feature(m, k, x[i]);
            h += theta[k] * f;
            q += f * f;
        }
        double res = h - y[i];
        if (res_out)
            res_out[i] = res;
        lsum += res * res;
        qsum += q;
        if (g && coef[i] > 0.0) {
            double rr = coef[i] * (res - eps[i]);
            for (size_t k = 0; k < M; k++)
                g[k] += rr * feature(m, k, x[i]);
            if (m->bias)
                g[M] += rr;
        }
    }
    *loss = lsum / (2.0 * (double)n);
    *reg = qsum / (double)n;
}

static void
linear_reg_grad(const struct ou_model *m, const double *theta, size_t n, const double *x,
                double *g, double *ws)
{
    (void)theta;
    (void)n;
    (void)x;
    (void)ws;
    memset(g, 0, linear_nparams(m) * sizeof *g);
}

const struct ou_model_kind ou_linear_kind = {
    .name = "linear",
    .nparams = linear_nparams,
    .nfixed = linear_nfixed,
    .init_fixed = linear_init_fixed,
    .workspace = linear_workspace,
    .init = linear_init,
    .forward = linear_forward,
    .grad = linear_grad,
    .pass = linear_pass,
    .reg_grad = linear_reg_grad,
    .path_kappa = NULL, /* one trained edge per path: kappa = 1, Path-SGD is SGD */
};
