/*
 * The engine's private layout, shared by engine.c (stepping), metrics.c
 * (observables) and state.c (serialization).  Nothing outside src/engine
 * includes this file.
 */
#ifndef OUSCOPE_ENGINE_IMPL_H
#define OUSCOPE_ENGINE_IMPL_H

#include "ouscope/engine.h"
#include "ouscope/fluct.h"

/* A kink of one unit: position t_j = -b_j/w_j and slope change s_j = a_j |w_j|. */
struct ou_kink {
    double t, s;
};

struct ou_engine {
    struct ou_config cfg;
    struct ou_model model;
    struct ou_data data;
    struct ou_ziggurat zig;

    uint64_t step;
    enum ou_status status; /* OU_OK or OU_EDIVERGED */
    uint64_t diverged_at;

    /* Live streams, their values at step 0 (reset) and one step back (undo). */
    struct ou_rng rng_batch, rng_noise, rng_kick;
    struct ou_rng rng_batch0, rng_noise0;
    struct ou_rng prev_batch, prev_noise;
    bool can_undo; /* theta_next (and vel_next, sq_next as flagged) hold the previous state */
    bool undo_vel, undo_sq, undo_t;

    /* The marked ("last good") state. */
    uint64_t mark_step;
    struct ou_rng mark_batch, mark_noise;
    double mark_reg_ema;
    bool mark_ema_init;
    enum ou_optim_kind mark_optim; /* the optimizer whose buffers the mark holds */
    uint64_t mark_optim_t;

    /* Adam's step count t since it was switched on (its bias correction). */
    uint64_t optim_t;

    double clock, mark_clock; /* drift clock: sum of eta^2 sigma^2 / 4B per step */
    bool track;               /* fluctuation tracking on (fl != NULL) */
    uint64_t knob_gen;        /* counts knob changes */
    struct ou_fluct_state *fl;
    double res[OU_DATA_MAX];  /* residuals h_i - y_i of the last pass when tracking */

    double reg_ema, ema_steps;
    bool ema_init;
    struct ou_trace trace;

    /* Per-point arrays: coef_i = 1/B for points in this step's batch. */
    double coef[OU_DATA_MAX];
    double eps[OU_DATA_MAX];
    size_t perm[OU_DATA_MAX];
    size_t swaps[OU_DATA_MAX];
    double frozen_z[OU_DATA_MAX]; /* Gaussian draw kept for frozen noise */
    double frozen_s[OU_DATA_MAX]; /* sign draw kept for frozen +-sigma noise */
    double zbuf[OU_DATA_MAX];     /* this step's standard draws, batch order */

    /* One block of p-sized arrays, carved at create.  vel is the heavy-ball
     * velocity, or Adam's first moment m; sq the second moment of RMSProp
     * and Adam. */
    double *pblock;
    double *theta, *theta_next, *vel, *vel_next, *sq, *sq_next;
    double *theta0, *mark_theta, *mark_vel, *mark_sq;
    double *g, *gtmp, *ws;
    double *fixed; /* the model kind's constants (model.fixed points here) */

    /* n-sized work for observables: J (n x p), K (n x n), eigenvalues, h. */
    size_t cap_n;
    double *nblock;
    double *J, *K, *evals, *hbuf;
    struct ou_kink *kinks; /* m entries */
};

/* Zero the optimizer's buffers (velocity, second moment, Adam's count): a fresh start. */
void ou_engine_clear_optim(struct ou_engine *e);

/* The optimizers' arithmetic on p-sized arrays (optim.c; formulas there). */
void ou_optim_sam_point(const double *theta, const double *g, size_t p, double rho, double *out);
void ou_optim_rmsprop(double *g, const double *s, double *s_next, size_t p, double rho,
                      double eps);
void ou_optim_path(double *g, const double *kappa, size_t p);
double ou_optim_adam(const double *theta, const double *g, const double *m, const double *v,
                     double *theta_next, double *m_next, double *v_next, size_t p, uint64_t t,
                     double b1, double b2, double eps, double eta);

/* Allocate the n-dependent work arrays for n points (keeps the old ones on failure). */
enum ou_status ou_engine_reserve(struct ou_engine *e, size_t n);

/* Draw theta0 and the streams from cfg.seed and go to step 0. */
void ou_engine_init_state(struct ou_engine *e);

/* Track afresh after the data changed, or stop if n is now too large (fluct.c). */
void ou_fluct_restart(struct ou_engine *e);

/* Record one step's sample (theta_t, its residuals, reg) for tracking (fluct.c). */
void ou_fluct_sample(struct ou_engine *e, const double *theta, const double *res, double reg);

#endif
