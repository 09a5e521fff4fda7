/*
 * The optimizers the engine can step with (ouscope-science(7), OPTIMIZERS):
 * plain or heavy-ball SGD, RMSProp, Adam, sharpness-aware minimisation and
 * Path-SGD.  Every one of them starts from the same label-noise minibatch
 * gradient g; they differ only in how g becomes a step.  Names, ranges and
 * defaults of their hyper-parameters live here; the stepping is engine.c's.
 */
#ifndef OUSCOPE_OPTIM_H
#define OUSCOPE_OPTIM_H

#include <stdbool.h>

enum ou_optim_kind {
    OU_OPTIM_SGD = 0, /* d = g */
    OU_OPTIM_RMSPROP, /* s <- rho s + (1 - rho) g^2,  d = g / (sqrt(s) + eps) */
    OU_OPTIM_ADAM,    /* bias-corrected first and second moments of g */
    OU_OPTIM_SAM,     /* d = g at theta + r g/|g|: the same batch and noise, one step uphill */
    OU_OPTIM_PATHSGD  /* d_e = g_e / kappa_e, steepest descent for the l2 path norm */
};
#define OU_OPTIM_COUNT 5

/*
 * Hyper-parameter ranges; the engine's setters refuse values outside them
 * with OU_EINVAL.  The decay rates lie in [0, 1): at 1 a moment would never
 * forget its zero start.
 */
#define OU_OPTIM_DECAY_MAX 1.0 /* beta1, beta2, rms_decay in [0, OU_OPTIM_DECAY_MAX) */
#define OU_OPTIM_EPS_MAX 1.0   /* eps in (0, OU_OPTIM_EPS_MAX] */
#define OU_SAM_RHO_MAX 10.0    /* SAM's radius in [0, OU_SAM_RHO_MAX] */

/* Defaults: Adam's of Kingma & Ba, RMSProp's decay of PyTorch, SAM's radius of Foret et al. */
#define OU_BETA1_DEFAULT 0.9
#define OU_BETA2_DEFAULT 0.999
#define OU_RMS_DECAY_DEFAULT 0.99
#define OU_OPTIM_EPS_DEFAULT 1e-8
#define OU_SAM_RHO_DEFAULT 0.05

/* Name of an optimizer: "sgd", "rmsprop", "adam", "sam" or "pathsgd" (static storage). */
const char *ou_optim_kind_name(enum ou_optim_kind k);

/* Parse one of those names into *k; false (and *k untouched) if it is none of them. */
bool ou_optim_kind_parse(const char *name, enum ou_optim_kind *k);

/* Is d a valid decay rate (finite, in [0, 1))? */
bool ou_optim_decay_ok(double d);

/* Is eps a valid denominator epsilon (finite, in (0, OU_OPTIM_EPS_MAX])? */
bool ou_optim_eps_ok(double eps);

/* Is rho a valid SAM radius (finite, in [0, OU_SAM_RHO_MAX])? */
bool ou_optim_rho_ok(double rho);

#endif
