/*
 * The label-noise SGD engine: a model, its data, the knobs (eta, sigma,
 * batch, noise kind, momentum, fresh or frozen noise, optimizer) and the
 * RNG streams.
 * Pure computation: no terminal, no files, no clock; the step count is its
 * only time.  See ouscope-science(7), LABEL-NOISE SGD.
 */
#ifndef OUSCOPE_ENGINE_H
#define OUSCOPE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ouscope/data.h"
#include "ouscope/model.h"
#include "ouscope/optim.h"
#include "ouscope/rng.h"
#include "ouscope/status.h"

enum ou_noise_kind {
    OU_NOISE_GAUSS = 0, /* eps = sigma * z, z ~ N(0, 1) */
    OU_NOISE_PM         /* eps = +sigma or -sigma with probability 1/2 */
};

/* Knob ranges; setters refuse values outside them with OU_EINVAL. */
#define OU_ETA_MAX 10.0       /* eta in (0, OU_ETA_MAX] */
#define OU_SIGMA_MAX 100.0    /* sigma in [0, OU_SIGMA_MAX] */
#define OU_MOMENTUM_MAX 0.999 /* momentum in [0, OU_MOMENTUM_MAX] */

struct ou_config {
    enum ou_model_kind_id model;
    size_t width;  /* m, hidden units, 1..OU_MODEL_MAX_WIDTH */
    bool bias;     /* train the output bias c */
    uint64_t seed; /* master seed of every RNG stream */
    double eta;    /* learning rate */
    double sigma;  /* label-noise standard deviation */
    size_t batch;  /* B distinct indices per step, 1..n (n = full batch) */
    enum ou_noise_kind noise;
    double momentum; /* heavy ball: v <- mu v + d, theta <- theta - eta v (not for Adam) */
    bool frozen;     /* reuse one noise draw per point instead of fresh noise */
    /* The optimizer turns the minibatch gradient g into the step direction d
     * (include/ouscope/optim.h; ouscope-science(7), OPTIMIZERS). */
    enum ou_optim_kind optim;
    double beta1, beta2; /* Adam's decay rates of m and v, in [0, 1) */
    double rms_decay;    /* RMSProp's decay rate of its mean square, in [0, 1) */
    double opt_eps;      /* epsilon of the RMSProp and Adam denominators, in (0, 1] */
    double sam_rho;      /* SAM's ascent radius, in [0, OU_SAM_RHO_MAX] */
};

/*
 * The reference set-up: width 32, bias on, seed 1, eta 0.05, sigma 0.5,
 * B = 8, Gaussian, plain SGD; the optimizers' hyper-parameters at the
 * OU_*_DEFAULT values of optim.h.
 */
void ou_config_default(struct ou_config *c);

/* Name of a noise kind: "gauss" or "pm". */
const char *ou_noise_kind_name(enum ou_noise_kind k);

/* Per-step statistics accumulated since the last ou_engine_trace_take. */
struct ou_trace {
    uint64_t steps;
    double loss_sum, loss_min, loss_max; /* clean-label loss at theta_t, t before the step */
    double reg_sum, reg_min, reg_max;
};

#define OU_CURVE_MAX 2048

/* Observables of the current parameters (ouscope-science(7), OBSERVABLES). */
struct ou_metrics {
    double loss;          /* (1/2n) sum (h_i - y_i)^2 on the clean labels */
    double reg;           /* (1/n) sum |grad_theta h(x_i)|^2 */
    double reg_ema;       /* exponential average of reg over steps (time constant in steps) */
    double grad_reg_norm; /* |grad_theta reg| */
    double theta_norm;    /* |theta|_2 */
    double path_l1;       /* sum_j |a_j|(|w_j| + |b_j|) + |c| */
    double path_l2;       /* (sum_j a_j^2 (w_j^2 + b_j^2) + c^2)^(1/2) */
    double balance;       /* mean over units with active data of |log rho_j| */
    size_t live_units;    /* units active on at least one data point */
    double active_frac;   /* fraction of (point, unit) pairs with w x + b > 0 */
    double lambda_max;    /* largest eigenvalue of K = (1/n) J J^T */
    double eta_lambda;    /* eta * lambda_max; stability needs < 2 */
    double loss_floor;    /* predicted (eta sigma^2 / 4B) * reg */
    /*
     * Implicit regularisers (ouscope-science(7), IMPLICIT REGULARIZERS).
     * igr: Smith et al.'s (eta / 4 nb) sum_k |grad L_k|^2 on the clean
     * labels over a fixed partition of the data into nb = ceil(n / B)
     * minibatches, batch k holding the points i with i mod nb = k.
     * r_eta: Damian et al.'s -(1/2 eta) sum_k log(1 - eta lambda_k / 2)
     * over the eigenvalues lambda_k of the Gauss-Newton Hessian (1/n) J^T J
     * (those of K; it equals the Hessian of L where L = 0); NaN when
     * eta lambda_max >= 2, where it is undefined.
     */
    double igr;
    /*
     * igr_rms: the same sum with RMSProp's preconditioner,
     * (eta / 4 nb) sum_k sum_q (d_q L_k)^2 / (sqrt(s_q) + eps) with s the
     * current second moment; NaN unless the optimizer is RMSProp.
     */
    double igr_rms;
    double r_eta;
    double noise_lambda;   /* Damian's lambda = eta sigma^2 / B, the weight of r_eta */
    double unit_balance;   /* mean over units of |a_j^2 - w_j^2 - b_j^2| (NaN for linear) */
    double unit_q[OU_MODEL_MAX_WIDTH]; /* a_j^2 - w_j^2 - b_j^2 per unit (ReLU net only) */
    double tv_hprime;      /* total variation of h' on [x_1, x_n] */
    double spline_tv;      /* the linear spline's value of the same */
    double max_dev_spline; /* max over [x_1, x_n] of |h - spline| */
    int convex_h;          /* sign changes of the effective kinks' slope changes */
    int convex_data;       /* sign changes of the data's second differences */
    size_t nkinks;         /* effective kinks inside (x_1, x_n) */
    double kink_x[OU_MODEL_MAX_WIDTH];
    double kink_s[OU_MODEL_MAX_WIDTH]; /* summed signed slope change of each */
};

/* What ou_engine_snapshot should sample: h on ncurve points over [lo, hi]. */
struct ou_snapshot_req {
    double lo, hi;
    size_t ncurve; /* 0..OU_CURVE_MAX */
};

/* A read-only copy of everything a display needs for one frame. */
struct ou_snapshot {
    uint64_t step;
    struct ou_config cfg;
    enum ou_status status; /* OU_EDIVERGED after a divergence, else OU_OK */
    uint64_t diverged_at;  /* step at which the divergence happened */
    struct ou_trace trace; /* per-step loss and reg since the previous snapshot */
    struct ou_metrics met;
    struct ou_data data;
    double curve_lo, curve_hi;
    size_t ncurve;
    double curve[OU_CURVE_MAX];
};

/* Result of projecting onto the zero-loss set (ouscope-science(7), DRIFT). */
struct ou_projection {
    double reg;     /* reg at the projected point */
    double loss;    /* loss reached there */
    uint64_t iters; /* full-batch noise-free GD steps taken */
    bool converged; /* loss < OU_PROJECT_TOL */
};
#define OU_PROJECT_TOL 1e-20
#define OU_PROJECT_MAX_ITERS 2000000

struct ou_engine;

/*
 * Create an engine for `data` with the knobs of `cfg`, parameters drawn
 * from the reference initialisation with stream OU_RNG_INIT of cfg->seed.
 * cfg->batch is clipped to data->n.  *out is owned by the caller
 * (ou_engine_destroy).  OU_EINVAL for a bad config or data, OU_ENOMEM.
 */
enum ou_status ou_engine_create(struct ou_engine **out, const struct ou_config *cfg,
                                const struct ou_data *data);

/* Free e; NULL is a no-op. */
void ou_engine_destroy(struct ou_engine *e);

/*
 * Take up to nsteps label-noise SGD steps.  *done (may be NULL) receives
 * the number taken.  Returns OU_EDIVERGED, leaving the last finite state in
 * place and the step counter at it, if a step would make the loss or a
 * parameter non-finite; later calls return OU_EDIVERGED at once until a
 * knob changes, the state is reset or the mark restored.
 */
enum ou_status ou_engine_run(struct ou_engine *e, uint64_t nsteps, uint64_t *done);

/*
 * One step with the batch idx[0..B) (distinct, < n) and the label noise
 * eps[0..B) given by the caller instead of drawn; the RNG streams do not
 * move.  For tests and checks.  OU_EINVAL for a bad batch.
 */
enum ou_status ou_engine_step_with(struct ou_engine *e, const size_t *idx, size_t B,
                                   const double *eps);

/* Knobs; each takes effect at the next step and resets nothing else. */
enum ou_status ou_engine_set_eta(struct ou_engine *e, double eta);
enum ou_status ou_engine_set_sigma(struct ou_engine *e, double sigma);
enum ou_status ou_engine_set_batch(struct ou_engine *e, size_t batch);
enum ou_status ou_engine_set_noise(struct ou_engine *e, enum ou_noise_kind k);
enum ou_status ou_engine_set_momentum(struct ou_engine *e, double mu);
enum ou_status ou_engine_set_frozen(struct ou_engine *e, bool frozen);

/*
 * Switch the optimizer (OU_EINVAL for an unknown kind).  Switching to
 * another kind starts it from zero buffers: the velocity (Adam's first
 * moment), the second moment and Adam's step count are zeroed, so Adam's
 * bias correction starts over.  Setting the current kind again keeps its
 * buffers.  theta, the streams, the step count and every other knob stay.
 */
enum ou_status ou_engine_set_optimizer(struct ou_engine *e, enum ou_optim_kind k);

/*
 * The optimizers' hyper-parameters, each in the range given at struct
 * ou_config (OU_EINVAL outside it).  They take effect at the next step and
 * reset nothing, the moment buffers included.
 */
enum ou_status ou_engine_set_beta1(struct ou_engine *e, double beta1);
enum ou_status ou_engine_set_beta2(struct ou_engine *e, double beta2);
enum ou_status ou_engine_set_rms_decay(struct ou_engine *e, double decay);
enum ou_status ou_engine_set_opt_eps(struct ou_engine *e, double eps);
enum ou_status ou_engine_set_sam_rho(struct ou_engine *e, double rho);

/* Time constant, in steps, of the reg EMA (default 1000); OU_EINVAL unless >= 1. */
enum ou_status ou_engine_set_ema_steps(struct ou_engine *e, double steps);

/*
 * Replace the data, keeping theta and the knobs (the batch is clipped to the
 * new n).  OU_EINVAL for invalid data, OU_ENOMEM (engine unchanged).
 */
enum ou_status ou_engine_set_data(struct ou_engine *e, const struct ou_data *data);

/* Back to step 0: the initial theta, zero optimizer buffers, the RNG streams as created. */
void ou_engine_reset(struct ou_engine *e);

/* Draw new initial parameters and streams from `seed` and go to step 0. */
void ou_engine_reseed(struct ou_engine *e, uint64_t seed);

/*
 * Remember the current state as the "last good" one (theta, the optimizer's
 * buffers, streams, step).
 */
void ou_engine_mark(struct ou_engine *e);

/*
 * Go back to the marked state (the initial one if none was marked); knobs
 * stay.  If the optimizer is no longer the one of the mark, its buffers
 * start from zero instead of the marked ones.
 */
void ou_engine_restore_mark(struct ou_engine *e);

/* Step of the mark. */
uint64_t ou_engine_mark_step(const struct ou_engine *e);

/* Borrowed views; valid until the next call that changes e. */
const struct ou_config *ou_engine_config(const struct ou_engine *e);
const struct ou_model *ou_engine_model(const struct ou_engine *e);
const struct ou_data *ou_engine_data(const struct ou_engine *e);
const double *ou_engine_theta(const struct ou_engine *e);
/* The optimizer's running second moment s[0..p) (RMSProp's; Adam's uncorrected v). */
const double *ou_engine_second_moment(const struct ou_engine *e);
uint64_t ou_engine_step_count(const struct ou_engine *e);
enum ou_status ou_engine_status(const struct ou_engine *e);

/* Overwrite theta (p values, all finite) and zero the optimizer buffers; OU_EINVAL otherwise. */
enum ou_status ou_engine_set_theta(struct ou_engine *e, const double *theta, size_t p);

/*
 * Rescale ReLU unit j by alpha (ou_model_rescale_unit): h stays, reg and
 * the balance of unit j change.  Like a kick, the optimizer buffers are
 * zeroed.  OU_EINVAL (engine unchanged) for another model, j >= width, a
 * bad alpha, or parameters that would overflow.
 */
enum ou_status ou_engine_rescale_unit(struct ou_engine *e, size_t j, double alpha);

/* Move the per-step trace into *tr and start a new one. */
void ou_engine_trace_take(struct ou_engine *e, struct ou_trace *tr);

/* Compute every observable of the current theta into *m (uses LAPACK). */
enum ou_status ou_engine_metrics(struct ou_engine *e, struct ou_metrics *m);

/* Fill *s for a display frame: metrics, data, the curve asked for, and take the trace. */
enum ou_status ou_engine_snapshot(struct ou_engine *e, struct ou_snapshot *s,
                                  const struct ou_snapshot_req *req);

/*
 * Noise-free full-batch gradient descent from the current theta until the
 * loss is below OU_PROJECT_TOL (or OU_PROJECT_MAX_ITERS), then reg there.
 * With apply, the engine moves to the projected theta (optimizer buffers zeroed);
 * otherwise it is unchanged.
 */
enum ou_status ou_engine_project(struct ou_engine *e, bool apply, struct ou_projection *out);

/*
 * The same with at most max_iters descent steps (for an interactive caller
 * that must not wait long; out->converged tells whether L reached the
 * tolerance).  max_iters 0 means OU_PROJECT_MAX_ITERS.
 */
enum ou_status ou_engine_project_limited(struct ou_engine *e, bool apply, uint64_t max_iters,
                                         struct ou_projection *out);

/*
 * The whole state as versioned text (data, knobs, optimizer and its
 * hyper-parameters, theta, initial theta, velocity, second moment, streams,
 * step, mark), doubles in hexadecimal so a load resumes bit-exactly.  *buf
 * is allocated; the caller frees it.
 */
enum ou_status ou_engine_save(const struct ou_engine *e, char **buf, size_t *len);

/*
 * Rebuild an engine from ou_engine_save's text.  On OU_EFORMAT a one-line
 * reason (with the line number) is written to why[0..whylen).  Version 1
 * files, which predate the optimizers, load as plain SGD with zero moments
 * and default hyper-parameters.
 */
enum ou_status ou_engine_load(struct ou_engine **out, const char *buf, size_t len, char *why,
                              size_t whylen);

#endif
