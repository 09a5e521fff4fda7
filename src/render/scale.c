/*
 * Scales and ticks.  Ranges are rounded out to tick values so that the axes
 * stay still while the data move inside them: a redraw then changes only
 * the cells near the newest samples.
 */
#include "config.h"

#include "scale.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double
scale_nice(double x)
{
    if (!(x > 0.0) || !isfinite(x))
        return 1.0;
    double p = pow(10.0, floor(log10(x)));
    static const double m[] = {1.0, 2.0, 2.5, 5.0, 10.0};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (m[i] * p >= x * (1.0 - 1e-12))
            return m[i] * p;
    return 10.0 * p;
}

struct scale
scale_fit(double vmin, double vmax, bool log, int nticks)
{
    struct scale s = {.log = log};
    if (nticks < 1)
        nticks = 1;
    if (log) {
        if (!(vmax > 0.0) || !isfinite(vmax))
            vmax = 1.0;
        if (!(vmin > 0.0) || !isfinite(vmin) || vmin > vmax)
            vmin = vmax;
        vmin = fmax(vmin, SCALE_LOG_MIN);
        double a = floor(log10(vmin) + 1e-9), b = ceil(log10(vmax) - 1e-9);
        if (b <= a)
            b = a + 1.0;
        s.lo = pow(10.0, a);
        s.hi = pow(10.0, b);
        return s;
    }
    if (!isfinite(vmin) || !isfinite(vmax)) {
        vmin = isfinite(vmin) ? vmin : (isfinite(vmax) ? vmax : 0.0);
        vmax = isfinite(vmax) ? vmax : vmin;
    }
    if (vmin > vmax) {
        double t = vmin;
        vmin = vmax;
        vmax = t;
    }
    if (vmax - vmin <= 1e-12 * fmax(1.0, fabs(vmax))) {
        double d = fabs(vmax) > 0.0 ? 0.1 * fabs(vmax) : 1.0;
        vmin -= d;
        vmax += d;
    }
    double step = scale_nice((vmax - vmin) / nticks);
    s.lo = floor(vmin / step + 1e-9) * step;
    s.hi = ceil(vmax / step - 1e-9) * step;
    if (s.hi <= s.lo)
        s.hi = s.lo + step;
    return s;
}

double
scale_frac(const struct scale *s, double v)
{
    if (s->log) {
        if (!(v > 0.0))
            return NAN;
        return (log10(v) - log10(s->lo)) / (log10(s->hi) - log10(s->lo));
    }
    return (v - s->lo) / (s->hi - s->lo);
}

double
scale_value(const struct scale *s, double f)
{
    if (s->log)
        return pow(10.0, log10(s->lo) + f * (log10(s->hi) - log10(s->lo)));
    return s->lo + f * (s->hi - s->lo);
}

size_t
scale_ticks(const struct scale *s, size_t maxn, double *out)
{
    if (maxn > SCALE_MAX_TICKS)
        maxn = SCALE_MAX_TICKS;
    if (maxn == 0)
        return 0;
    size_t n = 0;
    if (s->log) {
        double a = ceil(log10(s->lo) - 1e-9), b = floor(log10(s->hi) + 1e-9);
        double decades = b - a + 1.0;
        if (log10(s->hi / s->lo) <= 2.0 + 1e-9 && maxn >= 5) {
            /* A decade or two: 1, 2 and 5 times each power of ten. */
            static const double m[] = {1.0, 2.0, 5.0};
            for (double e = floor(log10(s->lo) + 1e-9); e <= b + 1e-9; e += 1.0)
                for (size_t i = 0; i < 3 && n < maxn; i++) {
                    double v = m[i] * pow(10.0, e);
                    if (v >= s->lo * (1 - 1e-9) && v <= s->hi * (1 + 1e-9))
                        out[n++] = v;
                }
            return n;
        }
        double every = ceil(decades / (double)maxn);
        for (double e = a; e <= b + 1e-9 && n < maxn; e += every)
            out[n++] = pow(10.0, e);
        return n;
    }
    double step = scale_nice((s->hi - s->lo) / (double)(maxn > 1 ? maxn - 1 : 1));
    double first = ceil(s->lo / step - 1e-9) * step;
    for (double v = first; v <= s->hi + 1e-9 * step && n < maxn; v += step) {
        /* Snap values that should be zero but carry rounding error. */
        out[n++] = fabs(v) < 1e-9 * step ? 0.0 : v;
    }
    return n;
}

/* Drop a '+' and leading zeros from an exponent: "1e+05" becomes "1e5". */
static void
tidy_exponent(char *buf)
{
    char *e = strchr(buf, 'e');
    if (!e)
        return;
    char *src = e + 1, *dst = e + 1;
    if (*src == '+')
        src++;
    else if (*src == '-')
        *dst++ = *src++;
    while (*src == '0' && src[1] != '\0')
        src++;
    memmove(dst, src, strlen(src) + 1);
}

int
scale_format(double v, char *buf, size_t len)
{
    if (!isfinite(v))
        return snprintf(buf, len, "%s", isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
    if (fabs(v) < 1e-300)
        return snprintf(buf, len, "0");
    double a = fabs(v);
    if (a >= 1e-3 && a < 1e5)
        snprintf(buf, len, "%.3g", v);
    else
        snprintf(buf, len, "%.2g", v);
    tidy_exponent(buf);
    return (int)strlen(buf);
}

int
scale_format_si(double v, char *buf, size_t len)
{
    static const char suffix[] = {'\0', 'k', 'M', 'G', 'T', 'P'};
    double a = fabs(v);
    size_t k = 0;
    while (a >= 1000.0 && k + 1 < sizeof suffix) {
        a /= 1000.0;
        v /= 1000.0;
        k++;
    }
    if (k == 0)
        return snprintf(buf, len, "%.0f", v);
    return snprintf(buf, len, "%.3g%c", v, suffix[k]);
}
