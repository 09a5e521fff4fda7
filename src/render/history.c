/*
 * Decimated history.  A merged sample is the step-weighted mean of the two
 * it replaces, so the loss and reg means stay means over steps whatever the
 * frame rate was; x is the later step.
 */
#include "config.h"

#include "history.h"

#include <math.h>
#include <string.h>

void
history_clear(struct history *h)
{
    h->n = 0;
    h->stride = 1;
    h->pending = 0;
    h->pend_w = 0.0;
    memset(h->pend_sum, 0, sizeof h->pend_sum);
}

/* Merge samples pairwise: n = CAP becomes CAP/2, and the stride doubles. */
static void
halve(struct history *h)
{
    size_t m = h->n / 2;
    for (size_t i = 0; i < m; i++) {
        size_t a = 2 * i, b = 2 * i + 1;
        double wa = h->w[a], wb = h->w[b], wt = wa + wb;
        double fa = wt > 0.0 ? wa / wt : 0.5, fb = 1.0 - fa;
        for (int s = 0; s < HIST_NSERIES; s++)
            h->y[s][i] = fa * h->y[s][a] + fb * h->y[s][b];
        h->x[i] = h->x[b];
        h->w[i] = wt;
    }
    h->n = m;
    h->stride *= 2;
}

void
history_push(struct history *h, double step, double steps, const double y[HIST_NSERIES])
{
    double w = steps > 0.0 ? steps : 1.0;
    h->pending++;
    h->pend_w += w;
    size_t k = h->n;
    for (int s = 0; s < HIST_NSERIES; s++) {
        h->pend_sum[s] += w * y[s];
        h->y[s][k] = h->pend_sum[s] / h->pend_w;
    }
    h->x[k] = step;
    h->w[k] = h->pend_w;
    if (h->pending < h->stride)
        return;
    /* Commit slot n; make room first if the buffer is full. */
    h->n++;
    h->pending = 0;
    h->pend_w = 0.0;
    memset(h->pend_sum, 0, sizeof h->pend_sum);
    if (h->n == HISTORY_CAP)
        halve(h);
}

void
history_truncate(struct history *h, double step)
{
    size_t n = h->n;
    while (n > 0 && h->x[n - 1] > step)
        n--;
    h->n = n;
    h->pending = 0;
    h->pend_w = 0.0;
    memset(h->pend_sum, 0, sizeof h->pend_sum);
}

size_t
history_len(const struct history *h)
{
    return h->n + (h->pending > 0 ? 1 : 0);
}

struct scale
history_xscale(const struct history *h, bool log)
{
    size_t n = h ? history_len(h) : 0;
    double x0 = n ? fmax(0.0, h->x[0] - h->w[0]) : 0.0, x1 = n ? h->x[n - 1] : 1.0;
    if (log)
        return scale_fit(fmax(1.0, x0), fmax(x1, 10.0), true, 4);
    if (x1 <= x0)
        x1 = x0 + 1.0;
    return scale_fit(x0, x1, false, 4);
}

void
history_range(const struct history *h, int k, int k2, bool log, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    size_t n = history_len(h);
    for (size_t i = 0; i < n; i++)
        for (int j = 0; j < 2; j++) {
            int kk = j == 0 ? k : k2;
            if (kk < 0)
                continue;
            double y = h->y[kk][i];
            if (!isfinite(y) || (log && !(y > 0.0)))
                continue;
            *lo = fmin(*lo, y);
            *hi = fmax(*hi, y);
        }
}
