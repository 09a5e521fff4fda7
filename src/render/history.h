/*
 * Bounded, decimated history of the per-frame observables, with the step
 * as x.  When the buffer fills, neighbouring samples are merged in pairs
 * and each new sample then covers twice as many frames, so hours of
 * running keep the same memory and the whole run stays on screen.
 */
#ifndef OUSCOPE_RENDER_HISTORY_H
#define OUSCOPE_RENDER_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "render/scale.h"

#define HISTORY_CAP 4096 /* stored samples; even */

enum history_series {
    HIST_LOSS = 0, /* mean clean-label loss over the steps of the sample */
    HIST_REG,      /* mean reg over the same steps */
    HIST_REG_EMA,  /* the engine's reg EMA at the end of the sample */
    HIST_FLOOR,    /* predicted loss floor (eta sigma^2 / 4B) reg */
    HIST_ETAL,     /* eta * lambda_max(K) */
    HIST_BALANCE,  /* mean |log rho_j| */
    HIST_NSERIES
};

/*
 * Samples 0..n-1 are complete; slot n, when `pending` is non-zero, holds
 * the sample being filled (its running weighted mean), so plots can show
 * the newest values at once.  Plain caller-owned storage (about 250 KB).
 */
struct history {
    size_t n;
    uint64_t stride;  /* frames per complete sample: 1, 2, 4, ... */
    uint64_t pending; /* frames in slot n */
    double pend_w;    /* steps in slot n */
    double pend_sum[HIST_NSERIES];
    double x[HISTORY_CAP + 1]; /* step at the end of the sample */
    double w[HISTORY_CAP + 1]; /* steps the sample covers (weights of the means) */
    double y[HIST_NSERIES][HISTORY_CAP + 1];
};

/* Empty the history (stride 1). */
void history_clear(struct history *h);

/*
 * Add one frame's values: the step reached, the number of steps the frame
 * took (weight; 0 gives the frame the weight of one step) and one value
 * per series.
 */
void history_push(struct history *h, double step, double steps, const double y[HIST_NSERIES]);

/* Forget the samples that end after `step` (after a rewind). */
void history_truncate(struct history *h, double step);

/* Samples a plot should show: the complete ones plus the pending one. */
size_t history_len(const struct history *h);

/*
 * The step axis every history pane shares: from the first sample's start
 * (it covers w[0] steps before x[0]) to the last sample; on a log axis from
 * step 1 and at least to step 10.  h may be NULL (an axis 0..1).
 */
struct scale history_xscale(const struct history *h, bool log);

/*
 * The range [*lo, *hi] of series k, and of k2 too unless k2 < 0, over the
 * finite samples (positive ones only when log); +inf, -inf when none.
 */
void history_range(const struct history *h, int k, int k2, bool log, double *lo, double *hi);

#endif
