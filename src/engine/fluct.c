/*
 * Ornstein-Uhlenbeck fluctuations and tangential drift (ouscope-science(7),
 * OU FLUCTUATIONS, DRIFT).  Linearised at theta_ref, label noise drives
 * delta = theta - theta_ref as delta' = (I - eta H) delta + eta zeta with
 * Cov zeta = (sigma^2/B) H, H = (1/n) J^T J.  Along each eigen-direction
 * v_k of H (eigenvalue lambda_k of K) the stationary variance is
 * eta sigma^2 / (B (2 - eta lambda_k)); null(J) gets no linear noise and
 * no restoring force.  Samples are taken at every step and summarised per
 * window; at each window's end theta_ref moves to the window's mean.
 */
#include "config.h"

#include "ouscope/fluct.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine_impl.h"
#include "linalg.h"

struct ou_fluct_state {
    uint64_t window_req; /* 0 = automatic */
    uint64_t window;
    size_t n, p, ndir;
    double *theta_ref; /* p */
    double *V;         /* ndir x p, rows v_k */
    double *Vt;        /* V in blocks of four directions: [k / 4][q][k % 4], zero-padded */
    double *U;         /* n x ndir, column k = u_k */
    double *th_sum;    /* p: sum of delta */
    double *tmp;       /* p */
    double lambda[OU_FLUCT_MAX_DIRS];
    double s_sum[OU_FLUCT_MAX_DIRS], s_sq[OU_FLUCT_MAX_DIRS];
    double s_lag[OU_FLUCT_MAX_DIRS], s_prev[OU_FLUCT_MAX_DIRS];
    double r_sum[OU_FLUCT_MAX_DIRS], r_sq[OU_FLUCT_MAX_DIRS];
    double th_sq, reg_sum, prev_reg_mean;
    bool have_prev;
    uint64_t count;
    uint64_t knob_gen0; /* the engine's knob generation when the window began */
    bool knobs_changed;
    double ptreg_norm;
    struct ou_fluct out;
};

/*
 * Eigen-directions at theta: K = (1/n) J J^T = U diag(lambda) U^T, sorted
 * descending; v_k = J^T u_k / sqrt(n lambda_k) for lambda_k > 1e-10
 * lambda_1 (these are orthonormal and span the row space of J).  Uses the
 * engine's J and K work arrays; U (n x n, column k = u_k) and V (ndir x p)
 * are written if not NULL.  Returns ndir through *ndir.
 */
static enum ou_status
directions_at(struct ou_engine *e, const double *theta, double *lambda, double *U, double *V,
              size_t *ndir)
{
    const struct ou_data *d = &e->data;
    const size_t n = d->n, p = e->model.p;
    ou_model_jacobian(&e->model, theta, n, d->x, e->J, NULL);
    ou_linalg_ntk(e->J, n, p, e->K);
    enum ou_status st = ou_linalg_sym_eig(e->K, n, e->evals, 1);
    if (st != OU_OK)
        return st;
    size_t r = 0;
    double top = e->evals[n - 1];
    for (size_t k = 0; k < n; k++) {
        size_t src = n - 1 - k; /* LAPACK sorts ascending */
        double lam = e->evals[src];
        if (!(lam > 1e-10 * top) || !(top > 0.0))
            break;
        lambda[r] = lam;
        if (U)
            for (size_t i = 0; i < n; i++)
                U[i * n + r] = e->K[i * n + src];
        if (V) {
            /* v = J^T u / sqrt(n lambda), J row-major n x p. */
            double *v = V + r * p, sc = 1.0 / sqrt((double)n * lam);
            memset(v, 0, p * sizeof *v);
            for (size_t i = 0; i < n; i++) {
                double ui = e->K[i * n + src] * sc;
                const double *Ji = e->J + i * p;
                for (size_t q = 0; q < p; q++)
                    v[q] += ui * Ji[q];
            }
        }
        r++;
    }
    *ndir = r;
    return OU_OK;
}

/* P_T g = g - sum_k v_k (v_k . g), in place. */
static void
project_tangent(const double *V, size_t ndir, size_t p, double *g)
{
    for (size_t k = 0; k < ndir; k++) {
        const double *v = V + k * p;
        double dot = 0.0;
        for (size_t q = 0; q < p; q++)
            dot += v[q] * g[q];
        for (size_t q = 0; q < p; q++)
            g[q] -= dot * v[q];
    }
}

static void
clear_window(struct ou_fluct_state *f)
{
    memset(f->s_sum, 0, sizeof f->s_sum);
    memset(f->s_sq, 0, sizeof f->s_sq);
    memset(f->s_lag, 0, sizeof f->s_lag);
    memset(f->r_sum, 0, sizeof f->r_sum);
    memset(f->r_sq, 0, sizeof f->r_sq);
    memset(f->th_sum, 0, f->p * sizeof *f->th_sum);
    f->th_sq = 0.0;
    f->reg_sum = 0.0;
    f->count = 0;
    f->knobs_changed = false;
    f->out.filled = 0;
}

/* Analyse at theta_ref (already in f->theta_ref) and start a new window. */
static enum ou_status
set_reference(struct ou_engine *e, struct ou_fluct_state *f)
{
    enum ou_status st = directions_at(e, f->theta_ref, f->lambda, f->U, f->V, &f->ndir);
    if (st != OU_OK)
        return st;
    const size_t p = f->p, nd = f->ndir;
    for (size_t k = 0; k < ((nd + 3) & ~(size_t)3); k++)
        for (size_t q = 0; q < p; q++)
            f->Vt[(k / 4) * p * 4 + q * 4 + k % 4] = k < nd ? f->V[k * p + q] : 0.0;
    ou_model_reg_grad(&e->model, f->theta_ref, e->data.n, e->data.x, f->tmp, e->ws);
    project_tangent(f->V, f->ndir, p, f->tmp);
    f->ptreg_norm = ou_linalg_norm(f->tmp, p);
    if (f->window_req) {
        f->window = f->window_req;
    } else {
        double lmin = f->ndir ? f->lambda[f->ndir - 1] : 1.0;
        double w = OU_FLUCT_AUTO_RELAX / (e->cfg.eta * lmin);
        f->window = (uint64_t)fmin(fmax(w, 2000.0), 1e6);
    }
    f->out.ref_step = e->step;
    f->knob_gen0 = e->knob_gen;
    clear_window(f);
    return OU_OK;
}

static void
finish_window(struct ou_engine *e, struct ou_fluct_state *f)
{
    struct ou_fluct *o = &f->out;
    const double W = (double)f->count;
    const double eta = e->cfg.eta, s2 = e->cfg.sigma * e->cfg.sigma;
    const double B = (double)e->cfg.batch, n = (double)f->n;
    double along = 0.0;
    o->ndir = f->ndir;
    for (size_t k = 0; k < f->ndir; k++) {
        double lam = f->lambda[k], m = f->s_sum[k] / W;
        double var = f->s_sq[k] / W - m * m;
        o->lambda[k] = lam;
        o->var[k] = var;
        o->var_pred[k] = eta * s2 / (B * (2.0 - eta * lam));
        o->acf1[k] = var > 0.0 ? (f->s_lag[k] / (W - 1.0) - m * m) / var : NAN;
        o->acf1_pred[k] = 1.0 - eta * lam;
        double rm = f->r_sum[k] / W;
        o->res_var[k] = f->r_sq[k] / W - rm * rm;
        o->res_var_pred[k] = (n / B) * eta * lam * s2 / (2.0 - eta * lam);
        along += var;
    }
    double msq = 0.0;
    for (size_t q = 0; q < f->p; q++)
        msq += (f->th_sum[q] / W) * (f->th_sum[q] / W);
    o->total_var = f->th_sq / W - msq;
    o->tangent_var = o->total_var - along;
    o->ptreg_norm = f->ptreg_norm;
    o->drift_pred = -(eta * eta * s2 / (4.0 * B)) * f->ptreg_norm * f->ptreg_norm;
    o->reg_mean = f->reg_sum / W;
    o->reg_slope = f->have_prev ? (o->reg_mean - f->prev_reg_mean) / W : NAN;
    f->prev_reg_mean = o->reg_mean;
    f->have_prev = true;
    o->eta = eta;
    o->sigma = e->cfg.sigma;
    o->batch = e->cfg.batch;
    o->knobs_changed = f->knobs_changed;
    o->window = f->window;
    o->windows++;
    o->valid = true;

    /* The next reference point is this window's mean parameter vector. */
    for (size_t q = 0; q < f->p; q++)
        f->theta_ref[q] += f->th_sum[q] / W;
    if (set_reference(e, f) != OU_OK) {
        memcpy(f->theta_ref, e->theta, f->p * sizeof(double));
        set_reference(e, f);
    }
}

/* Four doubles as one vector (AVX where built for it, else pairs or scalars). */
typedef double ou_v4 __attribute__((vector_size(32)));

/* Four consecutive doubles into a vector (memcpy: no alignment assumed). */
#define V4_LOAD(v, x) memcpy(&(v), (x), sizeof(v))

void
ou_fluct_sample(struct ou_engine *e, const double *theta, const double *res, double reg)
{
    struct ou_fluct_state *f = e->fl;
    const size_t p = f->p, n = f->n, nd = f->ndir;
    double *dlt = f->tmp;
    if (e->knob_gen != f->knob_gen0)
        f->knobs_changed = true;
    for (size_t q = 0; q < p; q++) {
        dlt[q] = theta[q] - f->theta_ref[q];
        f->th_sum[q] += dlt[q];
    }
    double c0 = 0.0, c1 = 0.0, c2 = 0.0, c3 = 0.0; /* |delta|^2 in four partial sums */
    size_t q = 0;
    for (; q + 4 <= p; q += 4) {
        c0 += dlt[q] * dlt[q];
        c1 += dlt[q + 1] * dlt[q + 1];
        c2 += dlt[q + 2] * dlt[q + 2];
        c3 += dlt[q + 3] * dlt[q + 3];
    }
    for (; q < p; q++)
        c0 += dlt[q] * dlt[q];
    f->th_sq += (c0 + c1) + (c2 + c3);
    /*
     * s_k = v_k . delta, four directions at a time with four partial sums
     * over q, so no long chain of dependent additions holds the step up.
     */
    double s[OU_FLUCT_MAX_DIRS + 3], r[OU_FLUCT_MAX_DIRS];
    for (size_t b = 0; b < nd; b += 4) {
        const double *vb = f->Vt + (b / 4) * p * 4;
        ou_v4 a0 = {0.0, 0.0, 0.0, 0.0}, a1 = a0, a2 = a0, a3 = a0;
        ou_v4 w0, w1, w2, w3;
        for (q = 0; q + 4 <= p; q += 4) {
            V4_LOAD(w0, vb + 4 * q);
            V4_LOAD(w1, vb + 4 * q + 4);
            V4_LOAD(w2, vb + 4 * q + 8);
            V4_LOAD(w3, vb + 4 * q + 12);
            a0 += w0 * dlt[q];
            a1 += w1 * dlt[q + 1];
            a2 += w2 * dlt[q + 2];
            a3 += w3 * dlt[q + 3];
        }
        for (; q < p; q++) {
            V4_LOAD(w0, vb + 4 * q);
            a0 += w0 * dlt[q];
        }
        ou_v4 sum = (a0 + a1) + (a2 + a3);
        memcpy(s + b, &sum, sizeof sum);
    }
    for (size_t k = 0; k < nd; k++)
        r[k] = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *ui = f->U + i * n;
        for (size_t k = 0; k < nd; k++)
            r[k] += ui[k] * res[i];
    }
    for (size_t k = 0; k < nd; k++) {
        f->s_sum[k] += s[k];
        f->s_sq[k] += s[k] * s[k];
        if (f->count > 0)
            f->s_lag[k] += s[k] * f->s_prev[k];
        f->s_prev[k] = s[k];
        f->r_sum[k] += r[k];
        f->r_sq[k] += r[k] * r[k];
    }
    f->reg_sum += reg;
    f->count++;
    f->out.filled = f->count;
    if (f->count >= f->window)
        finish_window(e, f);
}

void
ou_fluct_disable(struct ou_engine *e)
{
    struct ou_fluct_state *f = e->fl;
    if (!f)
        return;
    free(f->theta_ref);
    free(f);
    e->fl = NULL;
    e->track = false;
}

enum ou_status
ou_fluct_enable(struct ou_engine *e, uint64_t window)
{
    const size_t n = e->data.n, p = e->model.p;
    if (n > OU_FLUCT_MAX_DIRS ||
        (window && (window < OU_FLUCT_MIN_WINDOW || window > OU_FLUCT_MAX_WINDOW)))
        return OU_EINVAL;
    ou_fluct_disable(e);
    struct ou_fluct_state *f = calloc(1, sizeof *f);
    double *blk = f ? malloc((3 * p + 2 * OU_FLUCT_MAX_DIRS * p + n * n) * sizeof *blk) : NULL;
    if (!blk) {
        free(f);
        return OU_ENOMEM;
    }
    f->theta_ref = blk;
    f->th_sum = blk + p;
    f->tmp = blk + 2 * p;
    f->V = blk + 3 * p;
    f->Vt = f->V + OU_FLUCT_MAX_DIRS * p;
    f->U = f->Vt + OU_FLUCT_MAX_DIRS * p;
    f->n = n;
    f->p = p;
    f->window_req = window;
    f->out.enabled = true;
    f->out.p = p;
    f->out.reg_slope = NAN;
    memcpy(f->theta_ref, e->theta, p * sizeof *blk);
    e->fl = f;
    enum ou_status st = set_reference(e, f);
    if (st != OU_OK) {
        ou_fluct_disable(e);
        return st;
    }
    f->out.window = f->window;
    e->track = true;
    return OU_OK;
}

void
ou_fluct_restart(struct ou_engine *e)
{
    uint64_t w = e->fl ? e->fl->window_req : 0;
    if (ou_fluct_enable(e, w) != OU_OK)
        ou_fluct_disable(e);
}

void
ou_fluct_get(const struct ou_engine *e, struct ou_fluct *out)
{
    if (!e->fl) {
        memset(out, 0, sizeof *out);
        out->reg_slope = NAN;
    } else {
        *out = e->fl->out;
        out->window = e->fl->window;
    }
    out->clock = e->clock;
}

double
ou_fluct_clock(const struct ou_engine *e)
{
    return e->clock;
}

enum ou_status
ou_fluct_directions(struct ou_engine *e, double *lambda, size_t *ndir, double *V, double *ptg)
{
    if (e->data.n > OU_FLUCT_MAX_DIRS)
        return OU_EINVAL;
    enum ou_status st = directions_at(e, e->theta, lambda, NULL, V, ndir);
    if (st != OU_OK || !ptg)
        return st;
    ou_model_reg_grad(&e->model, e->theta, e->data.n, e->data.x, ptg, e->ws);
    if (V) {
        project_tangent(V, *ndir, e->model.p, ptg);
        return OU_OK;
    }
    return OU_EINVAL;
}

enum ou_status
ou_fluct_kick(struct ou_engine *e, enum ou_kick kind, double size)
{
    const size_t p = e->model.p;
    if (!isfinite(size) || !(size > 0.0) || e->data.n > OU_FLUCT_MAX_DIRS)
        return OU_EINVAL;
    double lambda[OU_FLUCT_MAX_DIRS];
    size_t ndir;
    double *V = malloc((OU_FLUCT_MAX_DIRS + 2) * p * sizeof *V);
    if (!V)
        return OU_ENOMEM;
    double *dir = V + OU_FLUCT_MAX_DIRS * p, *th = dir + p;
    enum ou_status st = ou_fluct_directions(e, lambda, &ndir, V, dir);
    if (st != OU_OK)
        goto out;
    st = OU_ENUMERIC;
    switch (kind) {
    case OU_KICK_TOP:
        if (ndir == 0)
            goto out;
        memcpy(dir, V, p * sizeof *dir);
        break;
    case OU_KICK_TANGENT:
        for (size_t q = 0; q < p; q++)
            dir[q] = ou_rng_normal(&e->rng_kick, &e->zig);
        project_tangent(V, ndir, p, dir);
        break;
    case OU_KICK_DOWNHILL:
        for (size_t q = 0; q < p; q++)
            dir[q] = -dir[q];
        break;
    case OU_KICK_UPHILL:
        break;
    default:
        st = OU_EINVAL;
        goto out;
    }
    double norm = ou_linalg_norm(dir, p);
    if (!(norm > 1e-300) || !isfinite(norm))
        goto out;
    for (size_t q = 0; q < p; q++)
        th[q] = e->theta[q] + size * dir[q] / norm;
    st = ou_engine_set_theta(e, th, p);
    if (st == OU_OK && e->fl) {
        clear_window(e->fl);
        e->fl->knob_gen0 = e->knob_gen;
    }
out:
    free(V);
    return st;
}
