/*
 * Label-noise SGD (ouscope-science(7), LABEL-NOISE SGD).  Each step draws a
 * batch of B distinct indices and fresh noise eps_i = sigma z_i for them,
 * forms g = (1/B) sum_batch (h(x_i) - y_i - eps_i) grad h(x_i) and moves
 * theta <- theta - eta g (heavy-ball momentum optional), or lets another
 * optimizer turn g into the step (ouscope-science(7), OPTIMIZERS).
 * Nothing is allocated per step; theta and the optimizer's buffers are
 * double-buffered so a step that would leave a non-finite parameter is
 * never committed.
 */
#include "config.h"

#include "ouscope/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine_impl.h"
#include "ouscope/fluct.h"

void
ou_config_default(struct ou_config *c)
{
    memset(c, 0, sizeof *c);
    c->model = OU_MODEL_RELU1D;
    c->width = 32;
    c->bias = true;
    c->seed = 1;
    c->eta = 0.05;
    c->sigma = 0.5;
    c->batch = 8;
    c->noise = OU_NOISE_GAUSS;
    c->momentum = 0.0;
    c->frozen = false;
    c->optim = OU_OPTIM_SGD;
    c->beta1 = OU_BETA1_DEFAULT;
    c->beta2 = OU_BETA2_DEFAULT;
    c->rms_decay = OU_RMS_DECAY_DEFAULT;
    c->opt_eps = OU_OPTIM_EPS_DEFAULT;
    c->sam_rho = OU_SAM_RHO_DEFAULT;
}

const char *
ou_noise_kind_name(enum ou_noise_kind k)
{
    return k == OU_NOISE_PM ? "pm" : "gauss";
}

static bool
eta_ok(double eta)
{
    return isfinite(eta) && eta > 0.0 && eta <= OU_ETA_MAX;
}

static bool
sigma_ok(double sigma)
{
    return isfinite(sigma) && sigma >= 0.0 && sigma <= OU_SIGMA_MAX;
}

static bool
momentum_ok(double mu)
{
    return isfinite(mu) && mu >= 0.0 && mu <= OU_MOMENTUM_MAX;
}

static bool
optim_ok(const struct ou_config *c)
{
    return (unsigned)c->optim < OU_OPTIM_COUNT && ou_optim_decay_ok(c->beta1) &&
           ou_optim_decay_ok(c->beta2) && ou_optim_decay_ok(c->rms_decay) &&
           ou_optim_eps_ok(c->opt_eps) && ou_optim_rho_ok(c->sam_rho);
}

static void
trace_clear(struct ou_trace *t)
{
    memset(t, 0, sizeof *t);
    t->loss_min = t->reg_min = INFINITY;
    t->loss_max = t->reg_max = -INFINITY;
}

enum ou_status
ou_engine_reserve(struct ou_engine *e, size_t n)
{
    if (n <= e->cap_n)
        return OU_OK;
    size_t p = e->model.p;
    size_t count = n * p + n * n + n + n;
    double *blk = malloc(count * sizeof *blk);
    if (!blk)
        return OU_ENOMEM;
    free(e->nblock);
    e->nblock = blk;
    e->J = blk;
    e->K = e->J + n * p;
    e->evals = e->K + n * n;
    e->hbuf = e->evals + n;
    e->cap_n = n;
    return OU_OK;
}

void
ou_engine_init_state(struct ou_engine *e)
{
    struct ou_rng r;
    uint64_t seed = e->cfg.seed;
    ou_rng_seed(&r, seed, OU_RNG_FEATURES);
    ou_model_init_fixed(&e->model, e->fixed, &r, &e->zig);
    ou_rng_seed(&r, seed, OU_RNG_INIT);
    e->model.kind->init(&e->model, e->theta0, &r, &e->zig);
    ou_rng_seed(&e->rng_batch0, seed, OU_RNG_BATCH);
    ou_rng_seed(&e->rng_noise0, seed, OU_RNG_NOISE);
    ou_rng_seed(&e->rng_kick, seed, OU_RNG_KICK);
    ou_rng_seed(&r, seed, OU_RNG_FROZEN);
    for (size_t i = 0; i < OU_DATA_MAX; i++) {
        e->frozen_z[i] = ou_rng_normal(&r, &e->zig);
        e->frozen_s[i] = ou_rng_sign(&r);
    }
    memcpy(e->mark_theta, e->theta0, e->model.p * sizeof(double));
    memset(e->mark_vel, 0, e->model.p * sizeof(double));
    memset(e->mark_sq, 0, e->model.p * sizeof(double));
    e->mark_optim = e->cfg.optim;
    e->mark_optim_t = 0;
    e->mark_step = 0;
    e->mark_clock = 0.0;
    e->mark_batch = e->rng_batch0;
    e->mark_noise = e->rng_noise0;
    e->mark_ema_init = false;
    e->mark_reg_ema = 0.0;
    ou_engine_reset(e);
}

enum ou_status
ou_engine_create(struct ou_engine **out, const struct ou_config *cfg, const struct ou_data *data)
{
    *out = NULL;
    if (ou_data_validate(data, NULL) != OU_OK || !eta_ok(cfg->eta) || !sigma_ok(cfg->sigma) ||
        !momentum_ok(cfg->momentum) || !optim_ok(cfg) || cfg->batch < 1 ||
        (cfg->noise != OU_NOISE_GAUSS && cfg->noise != OU_NOISE_PM))
        return OU_EINVAL;
    struct ou_engine *e = calloc(1, sizeof *e);
    if (!e)
        return OU_ENOMEM;
    e->cfg = *cfg;
    if (ou_model_init(&e->model, cfg->model, cfg->width, cfg->bias) != OU_OK) {
        free(e);
        return OU_EINVAL;
    }
    e->data = *data;
    if (e->cfg.batch > data->n)
        e->cfg.batch = data->n;
    ou_ziggurat_init(&e->zig);
    e->ema_steps = 1000.0;

    /* One block for every p-sized array (llm.c style), then the model workspace. */
    size_t p = e->model.p;
    size_t nws = ou_model_workspace(&e->model, OU_DATA_MAX);
    e->pblock = malloc((13 * p + nws + e->model.nfixed) * sizeof(double));
    e->kinks = malloc(cfg->width * sizeof *e->kinks);
    if (!e->pblock || !e->kinks || ou_engine_reserve(e, data->n) != OU_OK) {
        ou_engine_destroy(e);
        return OU_ENOMEM;
    }
    double *blk = e->pblock;
    e->theta = blk, blk += p;
    e->theta_next = blk, blk += p;
    e->vel = blk, blk += p;
    e->vel_next = blk, blk += p;
    e->theta0 = blk, blk += p;
    e->mark_theta = blk, blk += p;
    e->mark_vel = blk, blk += p;
    e->g = blk, blk += p;
    e->gtmp = blk, blk += 2 * p;
    e->ws = blk, blk += nws;
    e->fixed = blk, blk += e->model.nfixed;
    /* The second moments last, so the arrays of the plain SGD step keep the
     * offsets they had before the adaptive optimizers. */
    e->sq = blk, blk += p;
    e->sq_next = blk, blk += p;
    e->mark_sq = blk;
    e->model.fixed = e->fixed;
    for (size_t i = 0; i < OU_DATA_MAX; i++)
        e->perm[i] = i;
    ou_engine_init_state(e);
    *out = e;
    return OU_OK;
}

void
ou_engine_destroy(struct ou_engine *e)
{
    if (!e)
        return;
    ou_fluct_disable(e);
    free(e->pblock);
    free(e->nblock);
    free(e->kinks);
    free(e);
}

void
ou_engine_clear_optim(struct ou_engine *e)
{
    size_t p = e->model.p;
    memset(e->vel, 0, p * sizeof(double));
    memset(e->sq, 0, p * sizeof(double));
    e->optim_t = 0;
    /* The undo buffers belong to the buffers just dropped. */
    e->can_undo = false;
}

void
ou_engine_reset(struct ou_engine *e)
{
    size_t p = e->model.p;
    memcpy(e->theta, e->theta0, p * sizeof(double));
    ou_engine_clear_optim(e);
    e->rng_batch = e->rng_batch0;
    e->rng_noise = e->rng_noise0;
    e->step = 0;
    e->clock = 0.0;
    e->status = OU_OK;
    e->diverged_at = 0;
    e->can_undo = false;
    e->ema_init = false;
    e->reg_ema = 0.0;
    trace_clear(&e->trace);
}

void
ou_engine_reseed(struct ou_engine *e, uint64_t seed)
{
    e->cfg.seed = seed;
    ou_engine_init_state(e);
}

void
ou_engine_mark(struct ou_engine *e)
{
    size_t p = e->model.p;
    memcpy(e->mark_theta, e->theta, p * sizeof(double));
    memcpy(e->mark_vel, e->vel, p * sizeof(double));
    memcpy(e->mark_sq, e->sq, p * sizeof(double));
    e->mark_optim = e->cfg.optim;
    e->mark_optim_t = e->optim_t;
    e->mark_step = e->step;
    e->mark_clock = e->clock;
    e->mark_batch = e->rng_batch;
    e->mark_noise = e->rng_noise;
    e->mark_reg_ema = e->reg_ema;
    e->mark_ema_init = e->ema_init;
}

void
ou_engine_restore_mark(struct ou_engine *e)
{
    size_t p = e->model.p;
    memcpy(e->theta, e->mark_theta, p * sizeof(double));
    if (e->mark_optim == e->cfg.optim) {
        memcpy(e->vel, e->mark_vel, p * sizeof(double));
        memcpy(e->sq, e->mark_sq, p * sizeof(double));
        e->optim_t = e->mark_optim_t;
    } else {
        ou_engine_clear_optim(e);
    }
    e->step = e->mark_step;
    e->clock = e->mark_clock;
    e->rng_batch = e->mark_batch;
    e->rng_noise = e->mark_noise;
    e->reg_ema = e->mark_reg_ema;
    e->ema_init = e->mark_ema_init;
    e->status = OU_OK;
    e->can_undo = false;
    trace_clear(&e->trace);
}

uint64_t
ou_engine_mark_step(const struct ou_engine *e)
{
    return e->mark_step;
}

/* A knob change gives a diverged run another chance from its last finite state. */
static void
knob_changed(struct ou_engine *e)
{
    e->knob_gen++;
    if (e->status == OU_EDIVERGED)
        e->status = OU_OK;
}

enum ou_status
ou_engine_set_eta(struct ou_engine *e, double eta)
{
    if (!eta_ok(eta))
        return OU_EINVAL;
    e->cfg.eta = eta;
    knob_changed(e);
    return OU_OK;
}

enum ou_status
ou_engine_set_sigma(struct ou_engine *e, double sigma)
{
    if (!sigma_ok(sigma))
        return OU_EINVAL;
    e->cfg.sigma = sigma;
    knob_changed(e);
    return OU_OK;
}

enum ou_status
ou_engine_set_batch(struct ou_engine *e, size_t batch)
{
    if (batch < 1 || batch > e->data.n)
        return OU_EINVAL;
    e->cfg.batch = batch;
    knob_changed(e);
    return OU_OK;
}

enum ou_status
ou_engine_set_noise(struct ou_engine *e, enum ou_noise_kind k)
{
    if (k != OU_NOISE_GAUSS && k != OU_NOISE_PM)
        return OU_EINVAL;
    e->cfg.noise = k;
    knob_changed(e);
    return OU_OK;
}

enum ou_status
ou_engine_set_momentum(struct ou_engine *e, double mu)
{
    if (!momentum_ok(mu))
        return OU_EINVAL;
    e->cfg.momentum = mu;
    if (!(mu > 0.0) && e->cfg.optim != OU_OPTIM_ADAM) {
        /* Plain SGD carries no velocity; none may linger for a later mu > 0.
         * Adam ignores mu, and its first moment lives in vel. */
        memset(e->vel, 0, e->model.p * sizeof(double));
        e->can_undo = false;
    }
    knob_changed(e);
    return OU_OK;
}

enum ou_status
ou_engine_set_optimizer(struct ou_engine *e, enum ou_optim_kind k)
{
    if ((unsigned)k >= OU_OPTIM_COUNT)
        return OU_EINVAL;
    if (k != e->cfg.optim) {
        e->cfg.optim = k;
        ou_engine_clear_optim(e);
    }
    knob_changed(e);
    return OU_OK;
}

/* One hyper-parameter: checked, stored, nothing else touched. */
static enum ou_status
set_hyper(struct ou_engine *e, double *field, double v, bool ok)
{
    if (!ok)
        return OU_EINVAL;
    *field = v;
    knob_changed(e);
    return OU_OK;
}

enum ou_status
ou_engine_set_beta1(struct ou_engine *e, double beta1)
{
    return set_hyper(e, &e->cfg.beta1, beta1, ou_optim_decay_ok(beta1));
}

enum ou_status
ou_engine_set_beta2(struct ou_engine *e, double beta2)
{
    return set_hyper(e, &e->cfg.beta2, beta2, ou_optim_decay_ok(beta2));
}

enum ou_status
ou_engine_set_rms_decay(struct ou_engine *e, double decay)
{
    return set_hyper(e, &e->cfg.rms_decay, decay, ou_optim_decay_ok(decay));
}

enum ou_status
ou_engine_set_opt_eps(struct ou_engine *e, double eps)
{
    return set_hyper(e, &e->cfg.opt_eps, eps, ou_optim_eps_ok(eps));
}

enum ou_status
ou_engine_set_sam_rho(struct ou_engine *e, double rho)
{
    return set_hyper(e, &e->cfg.sam_rho, rho, ou_optim_rho_ok(rho));
}

enum ou_status
ou_engine_set_frozen(struct ou_engine *e, bool frozen)
{
    e->cfg.frozen = frozen;
    knob_changed(e);
    return OU_OK;
}

enum ou_status
ou_engine_set_ema_steps(struct ou_engine *e, double steps)
{
    if (!isfinite(steps) || steps < 1.0)
        return OU_EINVAL;
    e->ema_steps = steps;
    return OU_OK;
}

enum ou_status
ou_engine_set_data(struct ou_engine *e, const struct ou_data *data)
{
    if (ou_data_validate(data, NULL) != OU_OK)
        return OU_EINVAL;
    enum ou_status st = ou_engine_reserve(e, data->n);
    if (st != OU_OK)
        return st;
    e->data = *data;
    if (e->cfg.batch > data->n)
        e->cfg.batch = data->n;
    e->can_undo = false;
    knob_changed(e);
    if (e->fl)
        ou_fluct_restart(e);
    return OU_OK;
}

enum ou_status
ou_engine_set_theta(struct ou_engine *e, const double *theta, size_t p)
{
    if (p != e->model.p)
        return OU_EINVAL;
    for (size_t k = 0; k < p; k++)
        if (!isfinite(theta[k]))
            return OU_EINVAL;
    memcpy(e->theta, theta, p * sizeof(double));
    ou_engine_clear_optim(e);
    e->status = OU_OK;
    return OU_OK;
}

enum ou_status
ou_engine_rescale_unit(struct ou_engine *e, size_t j, double alpha)
{
    size_t p = e->model.p;
    memcpy(e->theta_next, e->theta, p * sizeof(double));
    enum ou_status st = ou_model_rescale_unit(&e->model, e->theta_next, j, alpha);
    if (st != OU_OK)
        return st;
    for (size_t k = 0; k < p; k++)
        if (!isfinite(e->theta_next[k]))
            return OU_EINVAL;
    return ou_engine_set_theta(e, e->theta_next, p);
}

/* Undo the last committed step: its buffers and streams are still there. */
static void
undo_step(struct ou_engine *e)
{
    double *t = e->theta;
    e->theta = e->theta_next;
    e->theta_next = t;
    if (e->undo_vel) {
        t = e->vel;
        e->vel = e->vel_next;
        e->vel_next = t;
    }
    if (e->undo_sq) {
        t = e->sq;
        e->sq = e->sq_next;
        e->sq_next = t;
    }
    if (e->undo_t)
        e->optim_t--;
    e->rng_batch = e->prev_batch;
    e->rng_noise = e->prev_noise;
    e->step--;
    e->can_undo = false;
}

static enum ou_status
diverge(struct ou_engine *e)
{
    if (e->can_undo)
        undo_step(e);
    e->status = OU_EDIVERGED;
    e->diverged_at = e->step + 1;
    return OU_EDIVERGED;
}

/*
 * SAM's second pass: g becomes the gradient of the same batch, with the same
 * label noise, at theta + rho g / |g| (the ascent point, in gtmp).
 */
static void
sam_gradient(struct ou_engine *e)
{
    const struct ou_data *d = &e->data;
    double *adv = e->gtmp, loss, reg;
    ou_optim_sam_point(e->theta, e->g, e->model.p, e->cfg.sam_rho, adv);
    ou_model_pass(&e->model, adv, d->n, d->x, d->y, e->coef, e->eps, e->g, e->ws, &loss, &reg,
                  NULL);
}

/*
 * The step proper, with the batch's coef and eps already written for the
 * points idx[0..B).  Evaluates L and reg at theta_t (recorded in the trace),
 * then commits theta_{t+1} only if every parameter is finite.
 */
static enum ou_status
step_core(struct ou_engine *e, const size_t *idx, size_t B)
{
    const size_t p = e->model.p;
    const struct ou_data *d = &e->data;
    const enum ou_optim_kind opt = e->cfg.optim;
    double loss, reg;
    ou_model_pass(&e->model, e->theta, d->n, d->x, d->y, e->coef, e->eps, e->g, e->ws, &loss,
                  &reg, e->track ? e->res : NULL);
    if (opt == OU_OPTIM_SAM)
        sam_gradient(e);
    for (size_t k = 0; k < B; k++)
        e->coef[idx[k]] = 0.0;
    if (!isfinite(loss) || !isfinite(reg))
        return diverge(e);
    if (e->track)
        ou_fluct_sample(e, e->theta, e->res, reg);

    /* Adam makes its own step; RMSProp and Path-SGD rewrite g into their
     * direction d, and SAM has already replaced it (ouscope-science(7),
     * OPTIMIZERS).  Then theta' = theta - eta v', v' = mu v + d (mu = 0:
     * theta' = theta - eta d).  A non-finite entry makes `chk` NaN, since
     * inf * 0 and NaN * 0 are NaN. */
    const double eta = e->cfg.eta, mu = e->cfg.momentum;
    const double *th = e->theta, *g = e->g;
    double *tn = e->theta_next, chk = 0.0;
    bool heavy = mu > 0.0, new_sq = false;
    if (opt == OU_OPTIM_RMSPROP) {
        ou_optim_rmsprop(e->g, e->sq, e->sq_next, p, e->cfg.rms_decay, e->cfg.opt_eps);
        new_sq = true;
    } else if (opt == OU_OPTIM_PATHSGD) {
        ou_model_path_kappa(&e->model, e->theta, e->gtmp);
        ou_optim_path(e->g, e->gtmp, p);
    }
    if (opt == OU_OPTIM_ADAM) {
        chk = ou_optim_adam(th, g, e->vel, e->sq, tn, e->vel_next, e->sq_next, p,
                            e->optim_t + 1, e->cfg.beta1, e->cfg.beta2, e->cfg.opt_eps, eta);
        heavy = new_sq = true;
    } else if (mu > 0.0) {
        const double *v = e->vel;
        double *vn = e->vel_next;
#pragma omp simd reduction(+ : chk)
        for (size_t k = 0; k < p; k++) {
            vn[k] = mu * v[k] + g[k];
            tn[k] = th[k] - eta * vn[k];
            chk += tn[k] * 0.0;
        }
    } else {
#pragma omp simd reduction(+ : chk)
        for (size_t k = 0; k < p; k++) {
            tn[k] = th[k] - eta * g[k];
            chk += tn[k] * 0.0;
        }
    }
    if (!isfinite(chk)) {
        e->status = OU_EDIVERGED;
        e->diverged_at = e->step + 1;
        return OU_EDIVERGED;
    }

    /* Commit: the old buffers keep theta_t (and v_t, s_t) for undo. */
    double *t = e->theta;
    e->theta = e->theta_next;
    e->theta_next = t;
    e->undo_vel = heavy;
    if (heavy) {
        t = e->vel;
        e->vel = e->vel_next;
        e->vel_next = t;
    }
    e->undo_sq = new_sq;
    if (new_sq) {
        t = e->sq;
        e->sq = e->sq_next;
        e->sq_next = t;
    }
    e->undo_t = opt == OU_OPTIM_ADAM;
    if (e->undo_t)
        e->optim_t++;
    e->can_undo = true;
    e->step++;
    e->clock += eta * eta * e->cfg.sigma * e->cfg.sigma / (4.0 * (double)e->cfg.batch);

    struct ou_trace *tr = &e->trace;
    tr->steps++;
    tr->loss_sum += loss;
    tr->reg_sum += reg;
    /* Both values are finite here, so plain compares do what fmin/fmax would. */
    tr->loss_min = loss < tr->loss_min ? loss : tr->loss_min;
    tr->loss_max = loss > tr->loss_max ? loss : tr->loss_max;
    tr->reg_min = reg < tr->reg_min ? reg : tr->reg_min;
    tr->reg_max = reg > tr->reg_max ? reg : tr->reg_max;
    if (!e->ema_init) {
        e->reg_ema = reg;
        e->ema_init = true;
    } else {
        e->reg_ema += (reg - e->reg_ema) / e->ema_steps;
    }
    return OU_OK;
}

enum ou_status
ou_engine_step_with(struct ou_engine *e, const size_t *idx, size_t B, const double *eps)
{
    const size_t n = e->data.n;
    if (B < 1 || B > n)
        return OU_EINVAL;
    for (size_t k = 0; k < B; k++) {
        if (idx[k] >= n || !isfinite(eps[k]) || e->coef[idx[k]] > 0.0) {
            for (size_t q = 0; q < k; q++)
                e->coef[idx[q]] = 0.0;
            return OU_EINVAL;
        }
        e->coef[idx[k]] = 1.0 / (double)B;
        e->eps[idx[k]] = eps[k];
    }
    if (e->status == OU_EDIVERGED)
        return OU_EDIVERGED;
    e->prev_batch = e->rng_batch;
    e->prev_noise = e->rng_noise;
    return step_core(e, idx, B);
}

/*
 * Draw this step's batch into perm[0..B) by a partial Fisher-Yates shuffle,
 * then undo the swaps in reverse so perm is the identity again: O(B), no
 * state beyond the stream.
 */
static void
draw_batch(struct ou_engine *e, size_t B)
{
    const size_t n = e->data.n;
    for (size_t k = 0; k < B; k++) {
        size_t j = k + (size_t)ou_rng_below(&e->rng_batch, n - k);
        e->swaps[k] = j;
        size_t t = e->perm[k];
        e->perm[k] = e->perm[j];
        e->perm[j] = t;
    }
}

static void
undo_batch(struct ou_engine *e, size_t B)
{
    for (size_t k = B; k-- > 0;) {
        size_t j = e->swaps[k];
        size_t t = e->perm[k];
        e->perm[k] = e->perm[j];
        e->perm[j] = t;
    }
}

enum ou_status
ou_engine_run(struct ou_engine *e, uint64_t nsteps, uint64_t *done)
{
    uint64_t t = 0;
    const uint64_t start = e->step;
    enum ou_status st = e->status;
    const size_t n = e->data.n;
    while (st == OU_OK && t < nsteps) {
        const size_t B = e->cfg.batch;
        const double sigma = e->cfg.sigma, inv_b = 1.0 / (double)B;
        e->prev_batch = e->rng_batch;
        e->prev_noise = e->rng_noise;
        /* B = n takes every point without touching the batch stream. */
        if (B < n)
            draw_batch(e, B);
        /* The noise stream moves the same way whatever sigma is, so a sigma
         * change alters no later draw.  Frozen noise reads the kept draw. */
        double *z = e->zbuf;
        if (e->cfg.frozen) {
            const double *kept = e->cfg.noise == OU_NOISE_GAUSS ? e->frozen_z : e->frozen_s;
            for (size_t k = 0; k < B; k++)
                z[k] = kept[e->perm[k]];
        } else if (e->cfg.noise == OU_NOISE_GAUSS) {
            ou_rng_normals(&e->rng_noise, &e->zig, z, B);
        } else {
            for (size_t k = 0; k < B; k++)
                z[k] = ou_rng_sign(&e->rng_noise);
        }
        for (size_t k = 0; k < B; k++) {
            size_t i = e->perm[k];
            e->coef[i] = inv_b;
            e->eps[i] = sigma * z[k];
        }
        st = step_core(e, e->perm, B);
        if (B < n)
            undo_batch(e, B);
        if (st == OU_OK)
            t++;
    }
    /* A divergence may roll back the previous step, so count by the clock. */
    if (done)
        *done = e->step > start ? e->step - start : 0;
    return st;
}

const struct ou_config *
ou_engine_config(const struct ou_engine *e)
{
    return &e->cfg;
}

const struct ou_model *
ou_engine_model(const struct ou_engine *e)
{
    return &e->model;
}

const struct ou_data *
ou_engine_data(const struct ou_engine *e)
{
    return &e->data;
}

const double *
ou_engine_theta(const struct ou_engine *e)
{
    return e->theta;
}

const double *
ou_engine_second_moment(const struct ou_engine *e)
{
    return e->sq;
}

uint64_t
ou_engine_step_count(const struct ou_engine *e)
{
    return e->step;
}

enum ou_status
ou_engine_status(const struct ou_engine *e)
{
    return e->status;
}

void
ou_engine_trace_take(struct ou_engine *e, struct ou_trace *tr)
{
    *tr = e->trace;
    trace_clear(&e->trace);
}
