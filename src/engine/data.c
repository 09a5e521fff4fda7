/*
 * Training data: built-in sets on equally spaced points, validation, edits
 * that keep x sorted, and the linear spline through the points, which is
 * the reference every interpolant is compared with.
 */
#include "config.h"

#include "ouscope/data.h"
#include "ouscope/rng.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[OU_DATA_NBUILTIN] = {"sin3x", "x2", "abs", "random"};

const char *
ou_data_kind_name(enum ou_data_kind kind)
{
    if ((int)kind < 0 || kind >= OU_DATA_NBUILTIN)
        return NULL;
    return kind_names[kind];
}

bool
ou_data_kind_parse(const char *name, enum ou_data_kind *kind)
{
    for (int k = 0; k < OU_DATA_NBUILTIN; k++) {
        if (strcmp(name, kind_names[k]) == 0) {
            *kind = (enum ou_data_kind)k;
            return true;
        }
    }
    return false;
}

enum ou_status
ou_data_builtin(struct ou_data *d, enum ou_data_kind kind, size_t n, uint64_t seed)
{
    if (n < OU_DATA_MIN || n > OU_DATA_MAX || (int)kind < 0 || kind >= OU_DATA_NBUILTIN)
        return OU_EINVAL;
    struct ou_rng r;
    ou_rng_seed(&r, seed, OU_RNG_DATA);
    d->n = n;
    d->kind = kind;
    snprintf(d->name, sizeof d->name, "%s", kind_names[kind]);
    for (size_t i = 0; i < n; i++) {
        double x = -1.0 + 2.0 * (double)i / (double)(n - 1);
        d->x[i] = x;
        switch (kind) {
        case OU_DATA_SIN3X:
            d->y[i] = sin(3.0 * x);
            break;
        case OU_DATA_X2:
            d->y[i] = x * x;
            break;
        case OU_DATA_ABS:
            d->y[i] = fabs(x);
            break;
        default:
            d->y[i] = 2.0 * ou_rng_uniform(&r) - 1.0;
            break;
        }
    }
    return OU_OK;
}

enum ou_status
ou_data_validate(const struct ou_data *d, size_t *i_bad)
{
    size_t bad = 0;
    if (d->n < OU_DATA_MIN || d->n > OU_DATA_MAX)
        goto fail;
    for (size_t i = 0; i < d->n; i++) {
        bad = i;
        if (!isfinite(d->x[i]) || !isfinite(d->y[i]))
            goto fail;
        if (i > 0 && !(d->x[i] > d->x[i - 1]))
            goto fail;
    }
    return OU_OK;
fail:
    if (i_bad)
        *i_bad = bad;
    return OU_EINVAL;
}

enum ou_status
ou_data_insert(struct ou_data *d, double x, double y, double min_gap, size_t *at)
{
    if (d->n >= OU_DATA_MAX || !isfinite(x) || !isfinite(y))
        return OU_EINVAL;
    size_t k = 0;
    while (k < d->n && d->x[k] < x)
        k++;
    if ((k < d->n && d->x[k] - x <= min_gap) || (k > 0 && x - d->x[k - 1] <= min_gap))
        return OU_EINVAL;
    memmove(d->x + k + 1, d->x + k, (d->n - k) * sizeof d->x[0]);
    memmove(d->y + k + 1, d->y + k, (d->n - k) * sizeof d->y[0]);
    d->x[k] = x;
    d->y[k] = y;
    d->n++;
    d->kind = OU_DATA_CUSTOM;
    if (at)
        *at = k;
    return OU_OK;
}

enum ou_status
ou_data_remove(struct ou_data *d, size_t i)
{
    if (i >= d->n || d->n <= OU_DATA_MIN)
        return OU_EINVAL;
    memmove(d->x + i, d->x + i + 1, (d->n - i - 1) * sizeof d->x[0]);
    memmove(d->y + i, d->y + i + 1, (d->n - i - 1) * sizeof d->y[0]);
    d->n--;
    d->kind = OU_DATA_CUSTOM;
    return OU_OK;
}

size_t
ou_data_nearest(const struct ou_data *d, double x)
{
    size_t best = 0;
    for (size_t i = 1; i < d->n; i++)
        if (fabs(d->x[i] - x) < fabs(d->x[best] - x))
            best = i;
    return best;
}

double
ou_data_spline(const struct ou_data *d, double t)
{
    if (!(t > d->x[0]))
        return d->y[0];
    if (!(t < d->x[d->n - 1]))
        return d->y[d->n - 1];
    size_t lo = 0, hi = d->n - 1; /* invariant: x[lo] < t <= x[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->x[mid] < t)
            lo = mid;
        else
            hi = mid;
    }
    double s = (t - d->x[lo]) / (d->x[hi] - d->x[lo]);
    return d->y[lo] + s * (d->y[hi] - d->y[lo]);
}

static double
slope(const struct ou_data *d, size_t k)
{
    return (d->y[k + 1] - d->y[k]) / (d->x[k + 1] - d->x[k]);
}

double
ou_data_spline_tv(const struct ou_data *d)
{
    double tv = 0.0;
    for (size_t k = 0; k + 2 < d->n; k++)
        tv += fabs(slope(d, k + 1) - slope(d, k));
    return tv;
}

int
ou_data_convexity_changes(const struct ou_data *d)
{
    /* Second differences below this size are taken as zero (a straight run). */
    const double zero = 1e-12;
    int changes = 0, last = 0;
    for (size_t k = 0; k + 2 < d->n; k++) {
        double dd = slope(d, k + 1) - slope(d, k);
        int sgn = dd > zero ? 1 : (dd < -zero ? -1 : 0);
        if (sgn == 0)
            continue;
        if (last != 0 && sgn != last)
            changes++;
        last = sgn;
    }
    return changes;
}
