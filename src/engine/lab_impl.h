/*
 * What a setting kind of lab.c provides: a const table of functions over
 * the kind's fixed inputs.  lab.c owns the storage (one block carved at
 * create time) and the stepping; a kind only draws its data, initialises
 * theta, evaluates h_i with its gradient, and fills its observables.
 */
#ifndef OUSCOPE_LAB_IMPL_H
#define OUSCOPE_LAB_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "ouscope/lab.h"
#include "ouscope/rng.h"
#include "ouscope/status.h"

/* Everything a kind may read besides theta; owned by lab.c. */
struct ou_lab_ctx {
    const struct ou_lab_config *cfg;
    size_t p;             /* parameters */
    const double *inputs; /* ninputs doubles drawn by make (training and any held-out inputs) */
    const double *truth;  /* ntruth doubles drawn by make */
    const double *y;      /* n clean training labels */
    uint64_t step;        /* steps taken so far */
    double *ws;           /* workspace doubles for observe */
};

struct ou_lab_kind_ops {
    const char *name;
    /* Fill the kind's sizes and its own eta, sigma, batch (called after the generic defaults). */
    void (*defaults)(struct ou_lab_config *c);
    /* OU_EINVAL unless the kind's sizes and fields are in range. */
    enum ou_status (*check)(const struct ou_lab_config *c);
    size_t (*nparams)(const struct ou_lab_config *c);
    size_t (*ninputs)(const struct ou_lab_config *c);
    size_t (*ntruth)(const struct ou_lab_config *c);
    size_t (*workspace)(const struct ou_lab_config *c);
    /* Draw inputs, truth and the n clean labels y from r (stream OU_RNG_DATA). */
    void (*make)(const struct ou_lab_config *c, double *inputs, double *truth, double *y,
                 struct ou_rng *r, const struct ou_ziggurat *z);
    /* Initial theta[0..p) from r (stream OU_RNG_INIT). */
    void (*init)(const struct ou_lab_ctx *x, double *theta, struct ou_rng *r,
                 const struct ou_ziggurat *z);
    /* h_i(theta); if g is not NULL, grad h_i into g[0..p). */
    double (*grad)(const struct ou_lab_ctx *x, size_t i, const double *theta, double *g);
    /* The kind's own fields of o and o->err (loss, reg, theta_norm are lab.c's). */
    enum ou_status (*observe)(const struct ou_lab_ctx *x, const double *theta,
                              struct ou_lab_obs *o);
};

extern const struct ou_lab_kind_ops ou_lab_sensing_ops;
extern const struct ou_lab_kind_ops ou_lab_sigmoid_ops;
extern const struct ou_lab_kind_ops ou_lab_sparse_ops;
extern const struct ou_lab_kind_ops ou_lab_ridge_ops;

#endif
