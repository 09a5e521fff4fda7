/*
 * Data files: "x,y" per line.  Every refusal names the file, the line and
 * what was allowed, because a teacher preparing a data set needs to fix it
 * in one go.
 */
#include "config.h"

#include "csvread.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statefile.h"
#include "xmalloc.h"

/* Parse one number filling the whole of [s, e) apart from blanks. */
static int
parse_field(const char *s, const char *e, double *v)
{
    while (s < e && isblank((unsigned char)*s))
        s++;
    while (e > s && isblank((unsigned char)e[-1]))
        e--;
    if (s == e || (size_t)(e - s) >= 64)
        return -1;
    char tmp[64], *end;
    memcpy(tmp, s, (size_t)(e - s));
    tmp[e - s] = '\0';
    errno = 0;
    *v = strtod(tmp, &end);
    if (*end != '\0' || end == tmp)
        return -1;
    if (errno == ERANGE && fabs(*v) > 1.0)
        return -2; /* overflow to infinity */
    return 0;
}

static int
is_header(const char *s, const char *e)
{
    char t[CSVREAD_MAX_LINE + 1];
    size_t k = 0;
    for (; s < e; s++)
        if (!isblank((unsigned char)*s))
            t[k++] = (char)tolower((unsigned char)*s);
    t[k] = '\0';
    return strcmp(t, "x,y") == 0;
}

int
csvread_parse(const char *name, const char *text, size_t len, struct ou_data *d, char **cause)
{
    const char *p = text, *end = text + len;
    size_t line = 0;
    if (memchr(text, '\0', len)) {
        *cause = xasprintf("%s: contains a NUL byte: a binary file, not text", name);
        return -1;
    }
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        p += 3; /* a UTF-8 byte-order mark, as some spreadsheets write */
    d->n = 0;
    d->kind = OU_DATA_CUSTOM;
    snprintf(d->name, sizeof d->name, "%s", name);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        if (le > p && le[-1] == '\r')
            le--;
        if ((size_t)(le - p) > CSVREAD_MAX_LINE) {
            *cause = xasprintf("%s:%zu: line longer than %d bytes", name, line, CSVREAD_MAX_LINE);
            return -1;
        }
        const char *s = p, *e = le;
        p = nl ? nl + 1 : end;
        const char *q = s;
        while (q < e && isblank((unsigned char)*q))
            q++;
        if (q == e || *q == '#')
            continue;
        if (d->n == 0 && is_header(s, e))
            continue;
        const char *comma = memchr(s, ',', (size_t)(e - s));
        double x, y;
        if (!comma || memchr(comma + 1, ',', (size_t)(e - comma - 1))) {
            *cause = xasprintf("%s:%zu: expected two numbers \"x,y\" separated by one comma", name,
                               line);
            return -1;
        }
        int rx = parse_field(s, comma, &x), ry = parse_field(comma + 1, e, &y);
        if (rx == -1 || ry == -1) {
            *cause = xasprintf("%s:%zu: %s is not a number (expected \"x,y\", e.g. \"0.5,1.2\")",
                               name, line, rx == -1 ? "x" : "y");
            return -1;
        }
        if (rx == -2 || ry == -2 || !isfinite(x) || !isfinite(y)) {
            *cause = xasprintf("%s:%zu: values must be finite numbers (no nan or inf)", name, line);
            return -1;
        }
        if (d->n == OU_DATA_MAX) {
            *cause = xasprintf("%s:%zu: too many points (at most %d)", name, line, OU_DATA_MAX);
            return -1;
        }
        if (d->n > 0 && !(x > d->x[d->n - 1])) {
            *cause = xasprintf("%s:%zu: x = %g %s the previous point's x = %g (x must strictly "
                               "increase)",
                               name, line, x, x < d->x[d->n - 1] ? "is below" : "repeats",
                               d->x[d->n - 1]);
            return -1;
        }
        d->x[d->n] = x;
        d->y[d->n] = y;
        d->n++;
    }
    if (d->n < OU_DATA_MIN) {
        *cause = xasprintf("%s: %s (at least %d points \"x,y\" are needed)", name,
                           d->n == 0 ? "no data points" : "only one data point", OU_DATA_MIN);
        return -1;
    }
    return 0;
}

int
csvread_file(const char *path, struct ou_data *d, char **cause)
{
    char *buf;
    size_t len;
    if (statefile_read(path, CSVREAD_MAX_BYTES, &buf, &len, cause) != 0)
        return -1;
    int r = csvread_parse(path, buf, len, d, cause);
    free(buf);
    return r;
}
