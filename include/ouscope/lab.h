/*
 * The settings beyond the 1D net (ouscope-science(7), OTHER SETTINGS): matrix
 * sensing, a sigmoid net on one data point, the quadratic sparse model and
 * linear least squares beside ridge regression.  Each is a model h_i(theta)
 * over n fixed inputs drawn from the seed, seen only through its
 * per-sample Jacobian (h_i and grad h_i), trained by label-noise SGD or,
 * for the comparison the sparse model teaches, by SGD plus isotropic
 * Gaussian parameter noise of the same total size.
 * Pure computation like engine.h: no terminal, no files, no clock.
 */
#ifndef OUSCOPE_LAB_H
#define OUSCOPE_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ouscope/status.h"

enum ou_lab_kind {
    OU_LAB_SENSING = 0, /* h_i = <A_i, U U^T>, U in R^{d x d'} */
    OU_LAB_SIGMOID,     /* h = sum_j a_j s(w_j . x + b_j) on one point (x, y) */
    OU_LAB_SPARSE,      /* h_i = <v (.) v, x_i>, v in R^d, n < d, sparse truth */
    OU_LAB_RIDGE        /* h_i = <theta, x_i>, with the ridge solution beside it */
};
#define OU_LAB_NKINDS 4

enum ou_lab_noise {
    OU_LAB_NOISE_LABEL = 0, /* fresh eps_i ~ N(0, sigma^2) on every label of the batch */
    /*
     * Clean labels, then theta += xi with xi ~ N(0, s^2 I_p) after the step,
     * s^2 p = eta^2 sigma^2 (1/B^2) sum_{i in batch} |grad h_i|^2: the total
     * variance label noise would have added at this step, spread evenly.
     */
    OU_LAB_NOISE_PARAM
};

/* Capacities of the fixed-size snapshot arrays (and so of the sizes). */
#define OU_LAB_DIM_MAX 256  /* sparse and ridge d, sigmoid input dimension */
#define OU_LAB_SIDE_MAX 24  /* sensing d: X* is d x d */
#define OU_LAB_UNITS_MAX 64 /* sigmoid units; sensing d' */
#define OU_LAB_N_MAX 2048   /* training inputs */

struct ou_lab_config {
    enum ou_lab_kind kind;
    uint64_t seed; /* master seed of every stream */
    double eta;    /* learning rate, (0, OU_ETA_MAX] as in engine.h */
    double sigma;  /* noise size, [0, OU_SIGMA_MAX] */
    size_t batch;  /* 1..n */
    enum ou_lab_noise noise;
    size_t n;          /* measurements (sensing), points (sparse, ridge); 1 for sigmoid */
    size_t dim;        /* sensing: side d; sigmoid: input dimension; sparse, ridge: d */
    size_t rank;       /* sensing: rank of X*; sparse: nonzeros of the truth; else unused */
    size_t width;      /* sensing: d'; sigmoid: units; else unused */
    double init_scale; /* scale of the initial parameters */
    bool train_out;    /* sigmoid: are the output weights a_j trained (false: a_j = 1)? */
    double target;     /* sigmoid: the label y of its one point */
    double ridge_lambda; /* ridge: > 0 a fixed lambda; 0: lambda = 1/(eta t) at step t */
    double data_noise;   /* ridge: std of the noise fixed into the training labels */
};

/* The kind's reference set-up (stated in ouscope-science(7), OTHER SETTINGS). */
void ou_lab_config_default(struct ou_lab_config *c, enum ou_lab_kind k);

/* "sensing", "sigmoid", "sparse", "ridge"; parse one (false if unknown). */
const char *ou_lab_kind_name(enum ou_lab_kind k);
bool ou_lab_kind_parse(const char *name, enum ou_lab_kind *k);
/* "label" or "param". */
const char *ou_lab_noise_name(enum ou_lab_noise k);

/* Observables of the current theta; a kind fills its own section, NaN or 0 elsewhere. */
struct ou_lab_obs {
    double loss;       /* (1/2n) sum_i (h_i - y_i)^2 on the clean labels */
    double reg;        /* (1/n) sum_i |grad h_i|^2 */
    double theta_norm; /* |theta|_2 */
    /*
     * Distance to the truth, the kind's headline number: sensing
     * |UU^T - X*|_F / |X*|_F; sparse |v(.)v - w*|_2 / |w*|_2; ridge the test
     * mean squared error of theta on held-out inputs; sigmoid NaN.
     */
    double err;

    /* sensing */
    size_t side;                                    /* d */
    double mat[OU_LAB_SIDE_MAX * OU_LAB_SIDE_MAX];  /* U U^T, d x d row-major */
    double star[OU_LAB_SIDE_MAX * OU_LAB_SIDE_MAX]; /* X* */
    double sv[OU_LAB_SIDE_MAX];                     /* eigenvalues of U U^T, descending */
    double nuclear;                                 /* |U U^T|_* = tr U U^T */
    double nuclear_star;                            /* |X*|_* */

    /* sigmoid */
    size_t units;
    double unit_s[OU_LAB_UNITS_MAX];   /* s(z_j) */
    double unit_out[OU_LAB_UNITS_MAX]; /* a_j s(z_j) */
    size_t unsaturated;                /* units with s(z_j) in [0.05, 0.95] */

    /* sparse and ridge */
    size_t dim;
    double coef[OU_LAB_DIM_MAX];  /* v (.) v (sparse) or theta (ridge) */
    double truth[OU_LAB_DIM_MAX]; /* w* */
    double l1;                    /* |coef|_1 */
    size_t support_found;         /* sparse: the truth's nonzeros among the rank largest coefs */

    /* ridge */
    double ridge_lambda;               /* the lambda of the ridge solution shown */
    double ridge_coef[OU_LAB_DIM_MAX]; /* argmin (1/2n)|X w - y|^2 + (lambda/2)|w|^2 */
    double ridge_err;                  /* its test mean squared error */
};

/* A read-only copy for one frame. */
struct ou_lab_snapshot {
    uint64_t step;
    struct ou_lab_config cfg;
    enum ou_status status; /* OU_EDIVERGED after a divergence */
    double loss_mean;      /* mean clean loss over the steps since the last snapshot (NaN if none) */
    double reg_mean;       /* same for reg */
    struct ou_lab_obs obs;
};

struct ou_lab;

/*
 * Create a setting: inputs, truth and labels from stream OU_RNG_DATA of
 * c->seed, theta from OU_RNG_INIT.  OU_EINVAL for a bad config (sizes out
 * of range for the kind, batch not in 1..n), OU_ENOMEM.  Owned by the
 * caller (ou_lab_destroy).
 */
enum ou_status ou_lab_create(struct ou_lab **out, const struct ou_lab_config *c);
void ou_lab_destroy(struct ou_lab *l);

/*
 * Up to nsteps steps; *done (may be NULL) receives the number taken.
 * OU_EDIVERGED, keeping the last finite theta, when a step would make the
 * loss or a parameter non-finite (sticky until a knob changes or a reset).
 */
enum ou_status ou_lab_run(struct ou_lab *l, uint64_t nsteps, uint64_t *done);

/* One step with the batch idx[0..B) and label noise eps[0..B) (NULL: none) given. */
enum ou_status ou_lab_step_with(struct ou_lab *l, const size_t *idx, size_t B,
                                const double *eps);

/* Knobs, as in engine.h; they take effect at the next step. */
enum ou_status ou_lab_set_eta(struct ou_lab *l, double eta);
enum ou_status ou_lab_set_sigma(struct ou_lab *l, double sigma);
enum ou_status ou_lab_set_batch(struct ou_lab *l, size_t batch);
enum ou_status ou_lab_set_noise(struct ou_lab *l, enum ou_lab_noise k);

/* Back to step 0 with the initial theta and streams. */
void ou_lab_reset(struct ou_lab *l);

/* Borrowed views; valid until the next call that changes l. */
const struct ou_lab_config *ou_lab_config(const struct ou_lab *l);
size_t ou_lab_nparams(const struct ou_lab *l);
const double *ou_lab_theta(const struct ou_lab *l);
uint64_t ou_lab_step_count(const struct ou_lab *l);
enum ou_status ou_lab_status(const struct ou_lab *l);

/* Overwrite theta (p finite values); OU_EINVAL otherwise. */
enum ou_status ou_lab_set_theta(struct ou_lab *l, const double *theta, size_t p);

/* The clean label y_i (i < n). */
double ou_lab_label(const struct ou_lab *l, size_t i);

/* h_i(theta) and, if g is not NULL, grad h_i into g[0..p), at any theta. */
double ou_lab_grad(const struct ou_lab *l, size_t i, const double *theta, double *g);

/* Every observable of the current theta (uses LAPACK). */
enum ou_status ou_lab_observe(struct ou_lab *l, struct ou_lab_obs *o);

/* Fill *s for a frame and start a new loss/reg average. */
enum ou_status ou_lab_snapshot(struct ou_lab *l, struct ou_lab_snapshot *s);

#endif
