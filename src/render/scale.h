/*
 * Axis scales: linear or logarithmic maps from data values to [0, 1],
 * ranges rounded out to nice numbers, tick positions (1, 2, 2.5, 5 times a
 * power of ten, or decades on a log axis) and compact number labels.
 */
#ifndef OUSCOPE_RENDER_SCALE_H
#define OUSCOPE_RENDER_SCALE_H

#include <stdbool.h>
#include <stddef.h>

struct scale {
    double lo, hi; /* lo < hi; both > 0 when log */
    bool log;
};

/* Smallest positive value a log scale shows. */
#define SCALE_LOG_MIN 1e-300

/* At most this many ticks are returned by scale_ticks. */
#define SCALE_MAX_TICKS 16

/*
 * A scale covering [vmin, vmax] with its ends rounded out to tick values, so
 * that about `nticks` intervals fit (linear) or whole decades (log).  An
 * empty or non-finite range gets a sensible width around its value.
 */
struct scale scale_fit(double vmin, double vmax, bool log, int nticks);

/* Where v falls: 0 at lo, 1 at hi (outside for values out of range); NAN if log and v <= 0. */
double scale_frac(const struct scale *s, double v);

/* The value at fraction f (inverse of scale_frac). */
double scale_value(const struct scale *s, double f);

/*
 * Tick values inside [lo, hi] (ends included when they are ticks), at most
 * min(maxn, SCALE_MAX_TICKS), increasing, into out.  Returns the count.
 */
size_t scale_ticks(const struct scale *s, size_t maxn, double *out);

/* The nice number (1, 2, 2.5 or 5 times a power of ten) nearest above x > 0. */
double scale_nice(double x);

/* v in at most about 7 columns: "0", "0.25", "1.5e-4", "-3"; returns the length. */
int scale_format(double v, char *buf, size_t len);

/* A step count with a k/M/G/T suffix: "950", "1.5k", "12M"; returns the length. */
int scale_format_si(double v, char *buf, size_t len);

#endif
