/*
 * Label-noise SGD for the settings of lab.h (ouscope-science(7), OTHER SETTINGS).
 * A kind (lab_impl.h) draws its inputs and evaluates h_i with grad h_i; this
 * file owns the storage (one block carved at create time), the streams and
 * the step
 *   g = (1/B) sum_{i in batch} (h_i - y_i - eps_i) grad h_i,   theta <- theta - eta g,
 * with eps_i = sigma z_i (label noise) or, in parameter-noise mode, eps = 0
 * and an isotropic Gaussian kick of the same total variance after the step.
 * No allocation, printing or clock on the step path; theta is double
 * buffered so a step that would leave a non-finite loss or parameter is
 * never kept.
 */
#include "config.h"

#include "ouscope/lab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lab_impl.h"
#include "ouscope/engine.h"
#include "ouscope/rng.h"

/* Any single array larger than this is a bad configuration, not a big one. */
#define LAB_ARRAY_MAX ((size_t)1 << 26)

struct ou_lab {
    struct ou_lab_config cfg;
    const struct ou_lab_kind_ops *ops;
    struct ou_lab_ctx ctx;
    size_t p, n;
    size_t ninputs, ntruth, nws;
    struct ou_ziggurat zig;

    /* The one block, carved in ou_lab_create. */
    void *block;
    double *theta;      /* p: current parameters */
    double *theta_prev; /* p: the parameters before the last committed step (undo) */
    double *theta0;     /* p: initial parameters (reset) */
    double *g;          /* p: the step's gradient */
    double *gi;         /* p: one per-sample gradient; the parameter-noise draw after the pass */
    double *inputs;     /* ninputs: training inputs, then any held-out ones */
    double *truth;      /* ntruth */
    double *y;          /* n: clean training labels */
    double *coef;       /* n: 1/B on the batch, 0 elsewhere (zero between steps) */
    double *eps;        /* n: label noise of the batch points */
    double *zbuf;       /* n: the step's N(0,1) label-noise draws */
    double *ws;         /* nws: the kind's workspace */
    size_t *perm;       /* n: identity between steps; the batch is perm[0..B) during one */
    size_t *swaps;      /* n: the partial shuffle's swaps, undone after the step */

    /* Streams: their states at step 0, now, and before the last committed step. */
    struct ou_rng rng_batch0, rng_noise0;
    struct ou_rng rng_batch, rng_noise;
    struct ou_rng prev_batch, prev_noise;

    uint64_t step;
    enum ou_status status;
    bool can_undo;

    /* Clean full loss and reg summed over the steps since the last snapshot. */
    double loss_sum, reg_sum;
    uint64_t nsum;
};

static const struct ou_lab_kind_ops *const lab_kinds[OU_LAB_NKINDS] = {
    [OU_LAB_SENSING] = &ou_lab_sensing_ops,
    [OU_LAB_SIGMOID] = &ou_lab_sigmoid_ops,
    [OU_LAB_SPARSE] = &ou_lab_sparse_ops,
    [OU_LAB_RIDGE] = &ou_lab_ridge_ops,
};

static const char *const lab_kind_names[OU_LAB_NKINDS] = {
    [OU_LAB_SENSING] = "sensing",
    [OU_LAB_SIGMOID] = "sigmoid",
    [OU_LAB_SPARSE] = "sparse",
    [OU_LAB_RIDGE] = "ridge",
};

/* The kind's table, or NULL while any of its functions is missing. */
static const struct ou_lab_kind_ops *
lab_ops(enum ou_lab_kind k)
{
    if ((unsigned)k >= OU_LAB_NKINDS)
        return NULL;
    const struct ou_lab_kind_ops *o = lab_kinds[k];
    if (!o->defaults || !o->check || !o->nparams || !o->ninputs || !o->ntruth || !o->workspace ||
        !o->make || !o->init || !o->grad || !o->observe)
        return NULL;
    return o;
}

void
ou_lab_config_default(struct ou_lab_config *c, enum ou_lab_kind k)
{
    memset(c, 0, sizeof *c);
    c->kind = k;
    c->seed = 1;
    c->sigma = 0.5;
    c->eta = 0.01;
    c->batch = 1;
    c->noise = OU_LAB_NOISE_LABEL;
    /* The kind may override eta, sigma and batch (its batch depends on its n). */
    if ((unsigned)k < OU_LAB_NKINDS && lab_kinds[k]->defaults)
        lab_kinds[k]->defaults(c);
    if (c->n > 0 && c->batch > c->n)
        c->batch = c->n;
}

const char *
ou_lab_kind_name(enum ou_lab_kind k)
{
    return (unsigned)k < OU_LAB_NKINDS ? lab_kind_names[k] : "unknown";
}

bool
ou_lab_kind_parse(const char *name, enum ou_lab_kind *k)
{
    if (!name)
        return false;
    for (unsigned i = 0; i < OU_LAB_NKINDS; i++) {
        if (strcmp(name, lab_kind_names[i]) == 0) {
            *k = (enum ou_lab_kind)i;
            return true;
        }
    }
    return false;
}

const char *
ou_lab_noise_name(enum ou_lab_noise k)
{
    return k == OU_LAB_NOISE_PARAM ? "param" : "label";
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
noise_ok(enum ou_lab_noise k)
{
    return k == OU_LAB_NOISE_LABEL || k == OU_LAB_NOISE_PARAM;
}

static bool
size_ok(size_t s)
{
    return s <= LAB_ARRAY_MAX;
}

/* Draw the data, then theta0 and the streams; theta = theta0. */
static void
lab_init_state(struct ou_lab *l)
{
    struct ou_rng r;
    const uint64_t seed = l->cfg.seed;
    ou_rng_seed(&r, seed, OU_RNG_DATA);
    l->ops->make(&l->cfg, l->inputs, l->truth, l->y, &r, &l->zig);
    ou_rng_seed(&r, seed, OU_RNG_INIT);
    l->ctx.step = 0;
    l->ops->init(&l->ctx, l->theta0, &r, &l->zig);
    ou_rng_seed(&l->rng_batch0, seed, OU_RNG_BATCH);
    ou_rng_seed(&l->rng_noise0, seed, OU_RNG_NOISE);
    ou_lab_reset(l);
}

enum ou_status
ou_lab_create(struct ou_lab **out, const struct ou_lab_config *c)
{
    *out = NULL;
    const struct ou_lab_kind_ops *ops = lab_ops(c->kind);
    if (!ops || !eta_ok(c->eta) || !sigma_ok(c->sigma) || !noise_ok(c->noise) || c->n < 1 ||
        c->n > OU_LAB_N_MAX || c->batch < 1 || c->batch > c->n || ops->check(c) != OU_OK)
        return OU_EINVAL;
    const size_t p = ops->nparams(c), n = c->n;
    const size_t ninputs = ops->ninputs(c), ntruth = ops->ntruth(c), nws = ops->workspace(c);
    if (p < 1 || !size_ok(p) || !size_ok(ninputs) || !size_ok(ntruth) || !size_ok(nws))
        return OU_EINVAL;

    struct ou_lab *l = calloc(1, sizeof *l);
    if (!l)
        return OU_ENOMEM;
    l->cfg = *c;
    l->ops = ops;
    l->p = p;
    l->n = n;
    l->ninputs = ninputs;
    l->ntruth = ntruth;
    l->nws = nws;
    ou_ziggurat_init(&l->zig);

    /* One block (llm.c style): the doubles first, then the index arrays. */
    const size_t ndoubles = 5 * p + ninputs + ntruth + 4 * n + nws;
    l->block = malloc(ndoubles * sizeof(double) + 2 * n * sizeof(size_t));
    if (!l->block) {
        free(l);
        return OU_ENOMEM;
    }
    double *blk = l->block;
    l->theta = blk, blk += p;
    l->theta_prev = blk, blk += p;
    l->theta0 = blk, blk += p;
    l->g = blk, blk += p;
    l->gi = blk, blk += p;
    l->inputs = blk, blk += ninputs;
    l->truth = blk, blk += ntruth;
    l->y = blk, blk += n;
    l->coef = blk, blk += n;
    l->eps = blk, blk += n;
    l->zbuf = blk, blk += n;
    l->ws = blk, blk += nws;
    l->perm = (size_t *)(void *)blk;
    l->swaps = l->perm + n;
    memset(l->coef, 0, n * sizeof(double));
    memset(l->eps, 0, n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        l->perm[i] = i;

    l->ctx.cfg = &l->cfg;
    l->ctx.p = p;
    l->ctx.inputs = l->inputs;
    l->ctx.truth = l->truth;
    l->ctx.y = l->y;
    l->ctx.ws = l->ws;
    lab_init_state(l);
    *out = l;
    return OU_OK;
}

void
ou_lab_destroy(struct ou_lab *l)
{
    if (!l)
        return;
    free(l->block);
    free(l);
}

static void
sums_clear(struct ou_lab *l)
{
    l->loss_sum = l->reg_sum = 0.0;
    l->nsum = 0;
}

void
ou_lab_reset(struct ou_lab *l)
{
    memcpy(l->theta, l->theta0, l->p * sizeof(double));
    l->rng_batch = l->rng_batch0;
    l->rng_noise = l->rng_noise0;
    l->step = 0;
    l->ctx.step = 0;
    l->status = OU_OK;
    l->can_undo = false;
    sums_clear(l);
}

/* A knob change gives a diverged run another chance from its last finite theta. */
static void
knob_changed(struct ou_lab *l)
{
    if (l->status == OU_EDIVERGED)
        l->status = OU_OK;
}

enum ou_status
ou_lab_set_eta(struct ou_lab *l, double eta)
{
    if (!eta_ok(eta))
        return OU_EINVAL;
    l->cfg.eta = eta;
    knob_changed(l);
    return OU_OK;
}

enum ou_status
ou_lab_set_sigma(struct ou_lab *l, double sigma)
{
    if (!sigma_ok(sigma))
        return OU_EINVAL;
    l->cfg.sigma = sigma;
    knob_changed(l);
    return OU_OK;
}

enum ou_status
ou_lab_set_batch(struct ou_lab *l, size_t batch)
{
    if (batch < 1 || batch > l->n)
        return OU_EINVAL;
    l->cfg.batch = batch;
    knob_changed(l);
    return OU_OK;
}

enum ou_status
ou_lab_set_noise(struct ou_lab *l, enum ou_lab_noise k)
{
    if (!noise_ok(k))
        return OU_EINVAL;
    l->cfg.noise = k;
    knob_changed(l);
    return OU_OK;
}

enum ou_status
ou_lab_set_theta(struct ou_lab *l, const double *theta, size_t p)
{
    if (p != l->p)
        return OU_EINVAL;
    for (size_t k = 0; k < p; k++)
        if (!isfinite(theta[k]))
            return OU_EINVAL;
    memcpy(l->theta, theta, p * sizeof(double));
    l->status = OU_OK;
    l->can_undo = false;
    return OU_OK;
}

/* Undo the last committed step: theta_prev and the saved streams still hold its start. */
static void
undo_step(struct ou_lab *l)
{
    double *t = l->theta;
    l->theta = l->theta_prev;
    l->theta_prev = t;
    l->rng_batch = l->prev_batch;
    l->rng_noise = l->prev_noise;
    l->step--;
    l->ctx.step = l->step;
    l->can_undo = false;
}

/*
 * The step proper, with coef and eps written for the batch idx[0..B).  One
 * pass over all n points evaluates h_i and grad h_i once each: it gives the
 * clean full loss and reg at theta_t for the snapshot averages and, on the
 * batch points, the gradient g.  A step therefore costs n gradient
 * evaluations whatever B is: n p flops for ridge and sparse, a few times
 * that for the others, small for the sizes lab.h allows, and it makes
 * loss_mean and reg_mean the true means along the trajectory instead of
 * noisy batch estimates.  coef is zero again on return.
 */
static enum ou_status
step_core(struct ou_lab *l, const size_t *idx, size_t B)
{
    const size_t p = l->p, n = l->n;
    const struct ou_lab_kind_ops *ops = l->ops;
    double *g = l->g, *gi = l->gi;
    double loss = 0.0, reg = 0.0, bsq = 0.0;
    l->ctx.step = l->step;
    memset(g, 0, p * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        double h = ops->grad(&l->ctx, i, l->theta, gi);
        double r = h - l->y[i], sq = 0.0;
        for (size_t k = 0; k < p; k++)
            sq += gi[k] * gi[k];
        loss += r * r;
        reg += sq;
        if (l->coef[i] > 0.0) {
            const double c = l->coef[i] * (r - l->eps[i]);
            for (size_t k = 0; k < p; k++)
                g[k] += c * gi[k];
            bsq += sq;
        }
    }
    for (size_t k = 0; k < B; k++)
        l->coef[idx[k]] = 0.0;
    loss /= 2.0 * (double)n;
    reg /= (double)n;
    if (!isfinite(loss) || !isfinite(reg)) {
        /* theta_t itself has a non-finite loss: go back to theta_{t-1}. */
        if (l->can_undo)
            undo_step(l);
        l->status = OU_EDIVERGED;
        return OU_EDIVERGED;
    }

    const double eta = l->cfg.eta, sigma = l->cfg.sigma;
    const double *th = l->theta;
    double *tn = l->theta_prev, chk = 0.0;
    for (size_t k = 0; k < p; k++)
        tn[k] = th[k] - eta * g[k];
    if (l->cfg.noise == OU_LAB_NOISE_PARAM) {
        /*
         * Matched size (ouscope-science(7), LEAST SQUARES AND RIDGE): the
         * label-noise part of a step is (eta/B) sum_batch eps_i grad h_i,
         * whose covariance (eta^2 sigma^2 / B^2) sum_batch grad h_i grad h_i^T
         * has trace eta^2 sigma^2 bsq / B^2.  The kick xi ~ N(0, s^2 I_p) gets
         * that same trace, s^2 p, spread over every direction instead of the
         * span of the batch gradients.  p draws every step, whatever sigma is.
         */
        const double s = eta * sigma * sqrt(bsq / (double)p) / (double)B;
        ou_rng_normals(&l->rng_noise, &l->zig, gi, p);
        for (size_t k = 0; k < p; k++)
            tn[k] += s * gi[k];
    }
    /* Any inf or NaN makes chk NaN (inf * 0 is NaN). */
    for (size_t k = 0; k < p; k++)
        chk += tn[k] * 0.0;
    if (!isfinite(chk)) {
        l->status = OU_EDIVERGED;
        return OU_EDIVERGED;
    }

    l->theta_prev = l->theta;
    l->theta = tn;
    l->can_undo = true;
    l->step++;
    l->ctx.step = l->step;
    l->loss_sum += loss;
    l->reg_sum += reg;
    l->nsum++;
    return OU_OK;
}

/*
 * One step with the given batch and label noise (NULL: none).  In
 * parameter-noise mode the kick is still drawn from the noise stream, so
 * this is exactly ou_lab_run's step with its batch and label-noise draws
 * replaced by the arguments.
 */
enum ou_status
ou_lab_step_with(struct ou_lab *l, const size_t *idx, size_t B, const double *eps)
{
    const size_t n = l->n;
    if (B < 1 || B > n || !idx)
        return OU_EINVAL;
    for (size_t k = 0; k < B; k++) {
        if (idx[k] >= n || (eps && !isfinite(eps[k])) || l->coef[idx[k]] > 0.0) {
            for (size_t q = 0; q < k; q++)
                l->coef[idx[q]] = 0.0;
            return OU_EINVAL;
        }
        l->coef[idx[k]] = 1.0 / (double)B;
        l->eps[idx[k]] = eps ? eps[k] : 0.0;
    }
    if (l->status == OU_EDIVERGED) {
        for (size_t k = 0; k < B; k++)
            l->coef[idx[k]] = 0.0;
        return OU_EDIVERGED;
    }
    l->prev_batch = l->rng_batch;
    l->prev_noise = l->rng_noise;
    return step_core(l, idx, B);
}

/*
 * B distinct indices into perm[0..B) by a partial Fisher-Yates shuffle of
 * the identity; undo_batch swaps back in reverse, so perm is the identity
 * between steps and a draw costs O(B).
 */
static void
draw_batch(struct ou_lab *l, size_t B)
{
    const size_t n = l->n;
    for (size_t k = 0; k < B; k++) {
        size_t j = k + (size_t)ou_rng_below(&l->rng_batch, n - k);
        l->swaps[k] = j;
        size_t t = l->perm[k];
        l->perm[k] = l->perm[j];
        l->perm[j] = t;
    }
}

static void
undo_batch(struct ou_lab *l, size_t B)
{
    for (size_t k = B; k-- > 0;) {
        size_t j = l->swaps[k];
        size_t t = l->perm[k];
        l->perm[k] = l->perm[j];
        l->perm[j] = t;
    }
}

enum ou_status
ou_lab_run(struct ou_lab *l, uint64_t nsteps, uint64_t *done)
{
    const uint64_t start = l->step;
    const size_t n = l->n;
    enum ou_status st = l->status;
    for (uint64_t t = 0; st == OU_OK && t < nsteps; t++) {
        const size_t B = l->cfg.batch;
        const double sigma = l->cfg.sigma, inv_b = 1.0 / (double)B;
        l->prev_batch = l->rng_batch;
        l->prev_noise = l->rng_noise;
        /* B = n takes every point and leaves the batch stream alone. */
        if (B < n)
            draw_batch(l, B);
        /* Label mode draws B normals whatever sigma is, so sigma moves no later draw. */
        const bool label = l->cfg.noise == OU_LAB_NOISE_LABEL;
        if (label)
            ou_rng_normals(&l->rng_noise, &l->zig, l->zbuf, B);
        for (size_t k = 0; k < B; k++) {
            size_t i = l->perm[k];
            l->coef[i] = inv_b;
            l->eps[i] = label ? sigma * l->zbuf[k] : 0.0;
        }
        st = step_core(l, l->perm, B);
        if (B < n)
            undo_batch(l, B);
    }
    /* A divergence may roll back the previous step, so count by the step counter. */
    if (done)
        *done = l->step > start ? l->step - start : 0;
    return st;
}

const struct ou_lab_config *
ou_lab_config(const struct ou_lab *l)
{
    return &l->cfg;
}

size_t
ou_lab_nparams(const struct ou_lab *l)
{
    return l->p;
}

const double *
ou_lab_theta(const struct ou_lab *l)
{
    return l->theta;
}

uint64_t
ou_lab_step_count(const struct ou_lab *l)
{
    return l->step;
}

enum ou_status
ou_lab_status(const struct ou_lab *l)
{
    return l->status;
}

double
ou_lab_label(const struct ou_lab *l, size_t i)
{
    return i < l->n ? l->y[i] : NAN;
}

double
ou_lab_grad(const struct ou_lab *l, size_t i, const double *theta, double *g)
{
    if (i >= l->n)
        return NAN;
    return l->ops->grad(&l->ctx, i, theta, g);
}

enum ou_status
ou_lab_observe(struct ou_lab *l, struct ou_lab_obs *o)
{
    const size_t p = l->p, n = l->n;
    memset(o, 0, sizeof *o);
    o->err = NAN;
    o->nuclear = o->nuclear_star = NAN;
    o->ridge_lambda = o->ridge_err = NAN;
    o->l1 = NAN;
    double loss = 0.0, reg = 0.0, tn = 0.0;
    l->ctx.step = l->step;
    for (size_t i = 0; i < n; i++) {
        double r = l->ops->grad(&l->ctx, i, l->theta, l->gi) - l->y[i];
        loss += r * r;
        for (size_t k = 0; k < p; k++)
            reg += l->gi[k] * l->gi[k];
    }
    for (size_t k = 0; k < p; k++)
        tn += l->theta[k] * l->theta[k];
    o->loss = loss / (2.0 * (double)n);
    o->reg = reg / (double)n;
    o->theta_norm = sqrt(tn);
    return l->ops->observe(&l->ctx, l->theta, o);
}

enum ou_status
ou_lab_snapshot(struct ou_lab *l, struct ou_lab_snapshot *s)
{
    s->step = l->step;
    s->cfg = l->cfg;
    s->status = l->status;
    s->loss_mean = l->nsum ? l->loss_sum / (double)l->nsum : NAN;
    s->reg_mean = l->nsum ? l->reg_sum / (double)l->nsum : NAN;
    sums_clear(l);
    return ou_lab_observe(l, &s->obs);
}
