/*
 * The optimizers' arithmetic (ouscope-science(7), OPTIMIZERS): each turns
 * the label-noise minibatch gradient g (p values) into a step, on plain
 * arrays.  engine.c owns the buffers, the double-buffering for undo and the
 * heavy-ball velocity; nothing here allocates or keeps state.
 */
#include "config.h"

#include "ouscope/optim.h"

#include <math.h>
#include <string.h>

#include "engine_impl.h"

static const char *const optim_names[OU_OPTIM_COUNT] = {
    [OU_OPTIM_SGD] = "sgd",   [OU_OPTIM_RMSPROP] = "rmsprop",  [OU_OPTIM_ADAM] = "adam",
    [OU_OPTIM_SAM] = "sam",   [OU_OPTIM_PATHSGD] = "pathsgd",
};

const char *
ou_optim_kind_name(enum ou_optim_kind k)
{
    return (unsigned)k < OU_OPTIM_COUNT ? optim_names[k] : "sgd";
}

bool
ou_optim_kind_parse(const char *name, enum ou_optim_kind *k)
{
    for (int i = 0; i < OU_OPTIM_COUNT; i++) {
        if (strcmp(name, optim_names[i]) == 0) {
            *k = (enum ou_optim_kind)i;
            return true;
        }
    }
    return false;
}

bool
ou_optim_decay_ok(double d)
{
    return isfinite(d) && d >= 0.0 && d < OU_OPTIM_DECAY_MAX;
}

bool
ou_optim_eps_ok(double eps)
{
    return isfinite(eps) && eps > 0.0 && eps <= OU_OPTIM_EPS_MAX;
}

bool
ou_optim_rho_ok(double rho)
{
    return isfinite(rho) && rho >= 0.0 && rho <= OU_SAM_RHO_MAX;
}

/*
 * SAM (Foret et al., arXiv:2010.01412): the first-order solution of
 * max_{|delta| <= r} L_batch(theta + delta) is delta = r g / |g|.  The norm
 * is a plain sum of squares so that it does not depend on a BLAS kernel.
 */
void
ou_optim_sam_point(const double *theta, const double *g, size_t p, double rho, double *out)
{
    double sq = 0.0;
    for (size_t k = 0; k < p; k++)
        sq += g[k] * g[k];
    double s = sq > 0.0 ? rho / sqrt(sq) : 0.0;
    for (size_t k = 0; k < p; k++)
        out[k] = theta[k] + s * g[k];
}

/*
 * RMSProp (Tieleman & Hinton 2012, as in PyTorch): the running mean square
 * s' = rho s + (1 - rho) g^2 and the direction d = g / (sqrt(s') + eps),
 * written over g.  No bias correction: s starts at 0, so the first steps
 * are up to 1/sqrt(1 - rho) times longer than later ones.
 */
void
ou_optim_rmsprop(double *g, const double *s, double *s_next, size_t p, double rho, double eps)
{
    const double c = 1.0 - rho;
#pragma omp simd
    for (size_t k = 0; k < p; k++) {
        double sk = rho * s[k] + c * g[k] * g[k];
        s_next[k] = sk;
        g[k] = g[k] / (sqrt(sk) + eps);
    }
}

/*
 * Path-SGD (Neyshabur et al., arXiv:1506.02617): d_e = g_e / kappa_e.
 * kappa_e = 0 only where every path through e has another zero weight, and
 * then g_e = 0 as well (a unit with a = 0 passes no gradient to w and b; one
 * with w = b = 0 has relu = 0 and no gradient for a): d_e = 0 there.
 */
void
ou_optim_path(double *g, const double *kappa, size_t p)
{
    for (size_t k = 0; k < p; k++)
        g[k] = kappa[k] > 0.0 ? g[k] / kappa[k] : 0.0;
}

/*
 * Adam (Kingma & Ba, arXiv:1412.6980), step t >= 1:
 *   m' = b1 m + (1 - b1) g,   v' = b2 v + (1 - b2) g^2
 *   theta' = theta - eta (m' / (1 - b1^t)) / (sqrt(v' / (1 - b2^t)) + eps)
 * Returns the sum of theta'_k * 0: NaN exactly when some theta'_k is not
 * finite (the engine's divergence check).
 */
double
ou_optim_adam(const double *theta, const double *g, const double *m, const double *v,
              double *theta_next, double *m_next, double *v_next, size_t p, uint64_t t,
              double b1, double b2, double eps, double eta)
{
    const double c1 = 1.0 - pow(b1, (double)t), c2 = 1.0 - pow(b2, (double)t);
    const double d1 = 1.0 - b1, d2 = 1.0 - b2;
    double chk = 0.0;
#pragma omp simd reduction(+ : chk)
    for (size_t k = 0; k < p; k++) {
        double mk = b1 * m[k] + d1 * g[k];
        double vk = b2 * v[k] + d2 * g[k] * g[k];
        m_next[k] = mk;
        v_next[k] = vk;
        theta_next[k] = theta[k] - eta * (mk / c1) / (sqrt(vk / c2) + eps);
        chk += theta_next[k] * 0.0;
    }
    return chk;
}
