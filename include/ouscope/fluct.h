/*
 * Fluctuations near the zero-error manifold (ouscope-science(7), OU
 * FLUCTUATIONS and DRIFT).  At a reference point theta_ref the NTK
 * K = (1/n) J J^T gives output directions u_k and parameter directions
 * v_k = J^T u_k / sqrt(n lambda_k); over a window of steps the engine
 * measures the variance of theta along each v_k, of the residual along
 * each u_k, and in the tangent space null(J), and compares them with the
 * linearised predictions.  Kicks move theta along chosen directions.
 */
#ifndef OUSCOPE_FLUCT_H
#define OUSCOPE_FLUCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ouscope/status.h"

#define OU_FLUCT_MAX_DIRS 64 /* directions analysed: the data must have n <= 64 */
#define OU_FLUCT_MIN_WINDOW 100
#define OU_FLUCT_MAX_WINDOW 100000000
/*
 * The automatic window, in relaxation times of the slowest direction: the
 * variance along a direction with relaxation time T, estimated over W
 * steps, has a relative standard error of about sqrt(2 T / W), 10% here.
 */
#define OU_FLUCT_AUTO_RELAX 200.0

/* The latest completed window (all variances are of scalar projections). */
struct ou_fluct {
    bool enabled;
    bool valid;           /* a window has completed since tracking started */
    uint64_t window;      /* steps per window */
    uint64_t filled;      /* steps collected in the current window */
    uint64_t windows;     /* windows completed */
    uint64_t ref_step;    /* step at which theta_ref was last set */
    size_t ndir;          /* directions with lambda_k > 1e-10 lambda_1 */
    size_t p;             /* parameters: null(J) has p - ndir dimensions */
    double eta, sigma;    /* knobs at the end of the window */
    size_t batch;
    bool knobs_changed;   /* a knob changed during the window: predictions are mixed */
    double lambda[OU_FLUCT_MAX_DIRS];       /* eigenvalues of K, descending */
    double var[OU_FLUCT_MAX_DIRS];          /* Var(v_k . theta) */
    double var_pred[OU_FLUCT_MAX_DIRS];     /* eta sigma^2 / (B (2 - eta lambda_k)) */
    double res_var[OU_FLUCT_MAX_DIRS];      /* Var(u_k . r), r = h(x) - y */
    double res_var_pred[OU_FLUCT_MAX_DIRS]; /* (n/B) eta lambda_k sigma^2 / (2 - eta lambda_k) */
    double acf1[OU_FLUCT_MAX_DIRS];         /* lag-1 autocorrelation of v_k . theta */
    double acf1_pred[OU_FLUCT_MAX_DIRS];    /* 1 - eta lambda_k */
    double total_var;   /* trace of the covariance of theta */
    double tangent_var; /* its part in null(J): total_var - sum_k var[k] */
    double ptreg_norm;  /* |P_T grad reg| at theta_ref */
    double drift_pred;  /* predicted d reg / d step: -(eta^2 sigma^2 / 4B) |P_T grad reg|^2 */
    double reg_mean;    /* mean reg over the window */
    double reg_slope;   /* measured (reg_mean - previous window's) / window, NAN if none */
    double clock;       /* drift clock tau = sum over steps of eta^2 sigma^2 / 4B */
};

struct ou_engine;

/*
 * Start (or restart) tracking with theta_ref = the current theta; window 0
 * picks OU_FLUCT_AUTO_RELAX relaxation times of the slowest direction,
 * OU_FLUCT_AUTO_RELAX / (eta lambda_min),
 * clamped to [2000, 10^6].  OU_EINVAL if n > OU_FLUCT_MAX_DIRS or window is
 * out of [OU_FLUCT_MIN_WINDOW, OU_FLUCT_MAX_WINDOW]; OU_ENOMEM.
 */
enum ou_status ou_fluct_enable(struct ou_engine *e, uint64_t window);

/* Stop tracking (keeps nothing). */
void ou_fluct_disable(struct ou_engine *e);

/* Copy the latest results into *out (out->enabled false if not tracking). */
void ou_fluct_get(const struct ou_engine *e, struct ou_fluct *out);

/* The drift clock tau = sum_t eta_t^2 sigma_t^2 / (4 B_t) since step 0. */
double ou_fluct_clock(const struct ou_engine *e);

enum ou_kick {
    OU_KICK_TOP,      /* along v_1, the stiffest output-changing direction */
    OU_KICK_TANGENT,  /* along a random unit direction of null(J) */
    OU_KICK_DOWNHILL, /* along -P_T grad reg / |P_T grad reg| */
    OU_KICK_UPHILL    /* along +P_T grad reg / |P_T grad reg| */
};

/*
 * Move theta by `size` (Euclidean norm in parameter space) along direction
 * `kind`, computed at the current theta.  The current window restarts.
 * OU_EINVAL for a bad size or n > OU_FLUCT_MAX_DIRS, OU_ENUMERIC if the
 * direction does not exist (e.g. P_T grad reg = 0).
 */
enum ou_status ou_fluct_kick(struct ou_engine *e, enum ou_kick kind, double size);

/*
 * The parameter directions at the current theta: eigenvalues (descending)
 * into lambda[0..*ndir) and, if V is not NULL, v_k as rows of V (ndir x p).
 * Also P_T grad reg into ptg[0..p) if ptg is not NULL.
 */
enum ou_status ou_fluct_directions(struct ou_engine *e, double *lambda, size_t *ndir, double *V,
                                   double *ptg);

#endif
