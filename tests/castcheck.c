/*
 * castcheck: a strict, independent reader of asciicast v2 files for the
 * tests (it shares no code with src/app/record.c).  Every line must be
 * complete, valid JSON of the right shape, strings valid UTF-8, times never
 * decreasing.
 *
 *   castcheck FILE                 check; print a summary line
 *   castcheck --play [--events K] FILE
 *                                  write the bytes of the first K "o" events
 *                                  (all by default) to standard output
 *   castcheck --markers FILE       print the marker labels, one per line
 *   castcheck --header FILE        print width, height, timestamp and title
 *   castcheck --sizes FILE         print the byte count of each "o" event
 *
 * Exit status 0 if the file is valid, 1 if not (with FILE:LINE: reason on
 * standard error), 2 for bad usage.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A decoded JSON string. */
struct str {
    char *p;
    size_t n, cap;
};

struct parser {
    const char *s, *end;
    const char *why; /* the first error */
};

static void
str_add(struct str *b, const char *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            fputs("castcheck: out of memory\n", stderr);
            exit(2);
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static bool
fail(struct parser *ps, const char *why)
{
    if (!ps->why)
        ps->why = why;
    return false;
}

static void
ws(struct parser *ps)
{
    while (ps->s < ps->end && (*ps->s == ' ' || *ps->s == '\t' || *ps->s == '\r'))
        ps->s++;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629), or 0. */
static int
utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    int n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if (end - p < n)
        return 0;
    for (int i = 1; i < n; i++) {
        unsigned b = p[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
            return 0;
    }
    return n;
}

static void
put_utf8(struct str *b, unsigned long c)
{
    char u[4];
    size_t n;
    if (c < 0x80) {
        u[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        u[0] = (char)(0xC0 | (c >> 6));
        u[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) {
        u[0] = (char)(0xE0 | (c >> 12));
        u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        u[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (c >> 18));
        u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        u[3] = (char)(0x80 | (c & 0x3F));
        n = 4;
    }
    str_add(b, u, n);
}

static bool
hex4(struct parser *ps, unsigned long *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        if (ps->s >= ps->end)
            return fail(ps, "a \\u escape is cut short");
        char c = *ps->s++;
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return fail(ps, "a \\u escape needs four hex digits");
        *v = *v * 16 + (unsigned long)d;
    }
    return true;
}

static bool
string(struct parser *ps, struct str *out)
{
    if (ps->s >= ps->end || *ps->s != '"')
        return fail(ps, "expected a string");
    ps->s++;
    out->n = 0;
    str_add(out, "", 0);
    while (ps->s < ps->end) {
        unsigned char c = (unsigned char)*ps->s;
        if (c == '"') {
            ps->s++;
            return true;
        }
        if (c < 0x20)
            return fail(ps, "a raw control character inside a string");
        if (c == '\\') {
            ps->s++;
            if (ps->s >= ps->end)
                break;
            char e = *ps->s++;
            unsigned long v;
            switch (e) {
            case '"':
            case '\\':
            case '/':
                str_add(out, &e, 1);
                break;
            case 'b':
                str_add(out, "\b", 1);
                break;
            case 'f':
                str_add(out, "\f", 1);
                break;
            case 'n':
                str_add(out, "\n", 1);
                break;
            case 'r':
                str_add(out, "\r", 1);
                break;
            case 't':
                str_add(out, "\t", 1);
                break;
            case 'u':
                if (!hex4(ps, &v))
                    return false;
                if (v >= 0xDC00 && v <= 0xDFFF)
                    return fail(ps, "a lone low surrogate escape");
                if (v >= 0xD800 && v <= 0xDBFF) {
                    unsigned long lo;
                    if (ps->end - ps->s < 2 || ps->s[0] != '\\' || ps->s[1] != 'u')
                        return fail(ps, "a high surrogate escape without its pair");
                    ps->s += 2;
                    if (!hex4(ps, &lo))
                        return false;
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return fail(ps, "a high surrogate escape without its pair");
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                }
                put_utf8(out, v);
                break;
            default:
                return fail(ps, "an unknown escape in a string");
            }
            continue;
        }
        int n = utf8_len((const unsigned char *)ps->s, (const unsigned char *)ps->end);
        if (n == 0)
            return fail(ps, "invalid UTF-8 inside a string");
        str_add(out, ps->s, (size_t)n);
        ps->s += n;
    }
    return fail(ps, "a string is not closed");
}

/* A JSON number by the grammar of RFC 8259. */
static bool
number(struct parser *ps, double *v)
{
    const char *p = ps->s;
    if (p < ps->end && *p == '-')
        p++;
    if (p >= ps->end || *p < '0' || *p > '9')
        return fail(ps, "expected a number");
    if (*p == '0')
        p++;
    else
        while (p < ps->end && *p >= '0' && *p <= '9')
            p++;
    if (p < ps->end && *p == '.') {
        p++;
        if (p >= ps->end || *p < '0' || *p > '9')
            return fail(ps, "a number has no digits after its point");
        while (p < ps->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < ps->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < ps->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= ps->end || *p < '0' || *p > '9')
            return fail(ps, "a number has no exponent digits");
        while (p < ps->end && *p >= '0' && *p <= '9')
            p++;
    }
    char buf[64];
    size_t n = (size_t)(p - ps->s);
    if (n >= sizeof buf)
        return fail(ps, "a number is too long");
    memcpy(buf, ps->s, n);
    buf[n] = '\0';
    *v = strtod(buf, NULL);
    ps->s = p;
    return true;
}

static bool skip_value(struct parser *ps, int depth);

static bool
literal(struct parser *ps, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(ps->end - ps->s) < n || memcmp(ps->s, w, n) != 0)
        return fail(ps, "expected a JSON value");
    ps->s += n;
    return true;
}

static bool
skip_value(struct parser *ps, int depth)
{
    struct str tmp = {0};
    double d;
    bool ok;
    if (depth > 32)
        return fail(ps, "nested too deeply");
    ws(ps);
    if (ps->s >= ps->end)
        return fail(ps, "expected a JSON value");
    switch (*ps->s) {
    case '"':
        ok = string(ps, &tmp);
        free(tmp.p);
        return ok;
    case '{':
    case '[': {
        char close = *ps->s == '{' ? '}' : ']';
        bool obj = close == '}';
        ps->s++;
        ws(ps);
        if (ps->s < ps->end && *ps->s == close) {
            ps->s++;
            return true;
        }
        for (;;) {
            if (obj) {
                ws(ps);
                ok = string(ps, &tmp);
                free(tmp.p);
                tmp.p = NULL;
                tmp.cap = tmp.n = 0;
                if (!ok)
                    return false;
                ws(ps);
                if (ps->s >= ps->end || *ps->s != ':')
                    return fail(ps, "expected ':' in an object");
                ps->s++;
            }
            if (!skip_value(ps, depth + 1))
                return false;
            ws(ps);
            if (ps->s < ps->end && *ps->s == ',') {
                ps->s++;
                continue;
            }
            if (ps->s < ps->end && *ps->s == close) {
                ps->s++;
                return true;
            }
            return fail(ps, "expected ',' or the end of an array or object");
        }
    }
    case 't':
        return literal(ps, "true");
    case 'f':
        return literal(ps, "false");
    case 'n':
        return literal(ps, "null");
    default:
        return number(ps, &d);
    }
}

struct header {
    double version, width, height, timestamp;
    bool has_version, has_width, has_height;
    struct str title;
};

/* The header object: version 2, positive whole width and height. */
static bool
parse_header(struct parser *ps, struct header *h)
{
    struct str key = {0};
    ws(ps);
    if (ps->s >= ps->end || *ps->s != '{')
        return fail(ps, "the header is not a JSON object");
    ps->s++;
    ws(ps);
    bool ok = true;
    if (ps->s < ps->end && *ps->s == '}') {
        ps->s++;
    } else {
        for (;;) {
            ws(ps);
            if (!(ok = string(ps, &key)))
                break;
            ws(ps);
            if (ps->s >= ps->end || *ps->s != ':') {
                ok = fail(ps, "expected ':' in the header");
                break;
            }
            ps->s++;
            ws(ps);
            double *num = NULL;
            bool *has = NULL;
            if (strcmp(key.p, "version") == 0)
                num = &h->version, has = &h->has_version;
            else if (strcmp(key.p, "width") == 0)
                num = &h->width, has = &h->has_width;
            else if (strcmp(key.p, "height") == 0)
                num = &h->height, has = &h->has_height;
            else if (strcmp(key.p, "timestamp") == 0)
                num = &h->timestamp;
            if (num) {
                if (!(ok = number(ps, num)))
                    break;
                if (has)
                    *has = true;
            } else if (strcmp(key.p, "title") == 0) {
                if (!(ok = string(ps, &h->title)))
                    break;
            } else if (!(ok = skip_value(ps, 1))) {
                break;
            }
            ws(ps);
            if (ps->s < ps->end && *ps->s == ',') {
                ps->s++;
                continue;
            }
            if (ps->s < ps->end && *ps->s == '}') {
                ps->s++;
                break;
            }
            ok = fail(ps, "expected ',' or '}' in the header");
            break;
        }
    }
    free(key.p);
    if (!ok)
        return false;
    if (!h->has_version || h->version < 2 || h->version > 2)
        return fail(ps, "the header's version is not 2");
    if (!h->has_width || !h->has_height || h->width < 1 || h->height < 1 ||
        h->width > floor(h->width) || h->height > floor(h->height))
        return fail(ps, "the header needs a positive whole width and height");
    return true;
}

/* One event: [time, "code", "data"]. */
static bool
parse_event(struct parser *ps, double *t, struct str *code, struct str *data)
{
    ws(ps);
    if (ps->s >= ps->end || *ps->s != '[')
        return fail(ps, "an event is not a JSON array");
    ps->s++;
    ws(ps);
    if (!number(ps, t))
        return false;
    for (int i = 0; i < 2; i++) {
        ws(ps);
        if (ps->s >= ps->end || *ps->s != ',')
            return fail(ps, "an event needs three elements");
        ps->s++;
        ws(ps);
        if (!string(ps, i == 0 ? code : data))
            return false;
    }
    ws(ps);
    if (ps->s >= ps->end || *ps->s != ']')
        return fail(ps, "an event has more than three elements");
    ps->s++;
    return true;
}

enum mode { CHECK, PLAY, MARKERS, HEADER, SIZES };

int
main(int argc, char **argv)
{
    enum mode mode = CHECK;
    long events = -1;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--play") == 0)
            mode = PLAY;
        else if (strcmp(argv[i], "--markers") == 0)
            mode = MARKERS;
        else if (strcmp(argv[i], "--header") == 0)
            mode = HEADER;
        else if (strcmp(argv[i], "--sizes") == 0)
            mode = SIZES;
        else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
            events = strtol(argv[++i], NULL, 10);
        else if (!path && argv[i][0] != '-')
            path = argv[i];
        else {
            fprintf(stderr, "usage: castcheck [--play [--events K]|--markers|--header|--sizes] "
                            "FILE\n");
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: castcheck [--play [--events K]|--markers|--header|--sizes] FILE\n");
        return 2;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "castcheck: %s: %s\n", path, strerror(errno));
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0, no = 0, nm = 0, nr = 0, played = 0;
    double last_t = 0.0;
    size_t bytes = 0, maxb = 0;
    struct header h = {0};
    struct str code = {0}, data = {0};
    int rc = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        lineno++;
        struct parser ps = {line, line + len, NULL};
        if (line[len - 1] != '\n') {
            fprintf(stderr, "castcheck: %s:%ld: the last line is not complete\n", path, lineno);
            rc = 1;
            break;
        }
        ps.end--;
        if (memchr(line, '\0', (size_t)len)) {
            fprintf(stderr, "castcheck: %s:%ld: a NUL byte\n", path, lineno);
            rc = 1;
            break;
        }
        bool ok;
        double t = 0.0;
        if (lineno == 1) {
            ok = parse_header(&ps, &h);
        } else {
            ok = parse_event(&ps, &t, &code, &data);
            if (ok && t < last_t)
                ok = fail(&ps, "time goes backwards");
            if (ok && !(t >= 0.0))
                ok = fail(&ps, "a negative time");
            if (ok && strcmp(code.p, "o") != 0 && strcmp(code.p, "m") != 0 &&
                strcmp(code.p, "r") != 0 && strcmp(code.p, "i") != 0)
                ok = fail(&ps, "an unknown event code");
            if (ok && strcmp(code.p, "r") == 0) {
                unsigned cw, ch;
                int k = 0;
                if (sscanf(data.p, "%ux%u%n", &cw, &ch, &k) != 2 || data.p[k] || cw == 0 || ch == 0)
                    ok = fail(&ps, "a resize event is not COLSxROWS");
            }
            last_t = t;
        }
        ws(&ps);
        if (ok && ps.s != ps.end)
            ok = fail(&ps, "text after the JSON value");
        if (!ok) {
            fprintf(stderr, "castcheck: %s:%ld: %s\n", path, lineno, ps.why);
            rc = 1;
            break;
        }
        if (lineno == 1)
            continue;
        if (strcmp(code.p, "o") == 0) {
            no++;
            bytes += data.n;
            if (data.n > maxb)
                maxb = data.n;
            if (mode == SIZES)
                printf("%zu\n", data.n);
            if (mode == PLAY && (events < 0 || played < events)) {
                fwrite(data.p, 1, data.n, stdout);
                played++;
            }
        } else if (strcmp(code.p, "m") == 0) {
            nm++;
            if (mode == MARKERS)
                printf("%s\n", data.p);
        } else if (strcmp(code.p, "r") == 0) {
            nr++;
        }
    }
    if (rc == 0 && lineno == 0) {
        fprintf(stderr, "castcheck: %s: empty (no header)\n", path);
        rc = 1;
    }
    if (rc == 0 && mode == CHECK)
        printf("%s: %.0fx%.0f, %ld output events (%zu bytes, largest %zu), %ld markers, %ld "
               "resizes, %.6f s\n",
               path, h.width, h.height, no, bytes, maxb, nm, nr, last_t);
    if (rc == 0 && mode == HEADER)
        printf("%.0f %.0f %.0f %s\n", h.width, h.height, h.timestamp, h.title.p ? h.title.p : "");
    fflush(stdout);
    free(line);
    free(code.p);
    free(data.p);
    free(h.title.p);
    fclose(f);
    return rc;
}
