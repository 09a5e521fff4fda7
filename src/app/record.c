/*
 * asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): one
 * header object, then [time, code, data] arrays, one per line.  Lines are
 * built in memory and written with one write() each, retried only for the
 * rest of a short write, so a killed run never leaves half a line behind
 * unless the disk itself failed.  Strings are strict UTF-8 JSON.
 */
#include "config.h"

#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/xmalloc.h"

struct record {
    int fd;
    bool own_fd;      /* false for standard output */
    char *path;       /* for messages */
    char *line;       /* the line being built */
    size_t len, cap;  /* of line */
    char carry[4];    /* the start of a UTF-8 sequence held for the next event */
    size_t ncarry;
    double last_t;    /* times never go backwards */
    int err;          /* errno of the first failed write, 0 if none */
    uint64_t bytes, frames, out_bytes;
};

static void
line_reserve(struct record *r, size_t more)
{
    if (r->len + more <= r->cap)
        return;
    size_t cap = r->cap ? r->cap : 256;
    while (cap < r->len + more)
        cap *= 2;
    r->line = xreallocarray(r->line, cap, 1);
    r->cap = cap;
}

static void
line_add(struct record *r, const char *s, size_t n)
{
    line_reserve(r, n);
    memcpy(r->line + r->len, s, n);
    r->len += n;
}

static void
line_str(struct record *r, const char *s)
{
    line_add(r, s, strlen(s));
}

static void line_printf(struct record *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
line_printf(struct record *r, const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        line_add(r, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* Write the line built so far as one write() (the rest only after a short write). */
static void
line_flush(struct record *r)
{
    const char *p = r->line;
    size_t left = r->len;
    while (left > 0 && r->err == 0) {
        ssize_t k = write(r->fd, p, left);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            r->err = errno;
            break;
        }
        p += k;
        left -= (size_t)k;
        r->bytes += (uint64_t)k;
    }
    r->len = 0;
}

/*
 * Classify the UTF-8 sequence at p[0..n): returns its length if it is a
 * valid sequence (RFC 3629: no overlongs, no surrogates, at most U+10FFFF),
 * 0 if p[0] starts no valid sequence, or -1 if p[0..n) is a valid but
 * incomplete start.
 */
static int
utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    int need;
    unsigned lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    for (int i = 1; i < need; i++) {
        if ((size_t)i >= n)
            return -1;
        unsigned b = p[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
            return 0;
    }
    return need;
}

size_t
record_utf8_complete(const char *buf, size_t len)
{
    const unsigned char *u = (const unsigned char *)buf;
    /* Only the last three bytes can start an unfinished sequence. */
    for (size_t back = 1; back <= 3 && back <= len; back++) {
        size_t i = len - back;
        if (u[i] < 0x80)
            break;
        if (u[i] >= 0xC0) {
            if (utf8_seq(u + i, back) == -1)
                return i;
            break;
        }
    }
    return len;
}

/* Append buf[0..len) as the inside of a JSON string. */
static void
line_json(struct record *r, const char *buf, size_t len)
{
    const unsigned char *u = (const unsigned char *)buf;
    size_t i = 0;
    line_reserve(r, len + 16);
    while (i < len) {
        unsigned c = u[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            /* Runs of plain ASCII are the common case. */
            size_t j = i + 1;
            while (j < len && u[j] >= 0x20 && u[j] < 0x7F && u[j] != '"' && u[j] != '\\')
                j++;
            line_add(r, buf + i, j - i);
            i = j;
            continue;
        }
        switch (c) {
        case '"':
            line_str(r, "\\\"");
            i++;
            continue;
        case '\\':
            line_str(r, "\\\\");
            i++;
            continue;
        case '\b':
            line_str(r, "\\b");
            i++;
            continue;
        case '\f':
            line_str(r, "\\f");
            i++;
            continue;
        case '\n':
            line_str(r, "\\n");
            i++;
            continue;
        case '\r':
            line_str(r, "\\r");
            i++;
            continue;
        case '\t':
            line_str(r, "\\t");
            i++;
            continue;
        default:
            break;
        }
        if (c < 0x20 || c == 0x7F) {
            line_printf(r, "\\u%04x", c);
            i++;
            continue;
        }
        int k = utf8_seq(u + i, len - i);
        if (k > 0) {
            line_add(r, buf + i, (size_t)k);
            i += (size_t)k;
        } else {
            /* An invalid or (at the very end) unfinished byte. */
            line_str(r, "\\ufffd");
            i++;
        }
    }
}

/* Start an event line: "[t, " with t clamped to be non-decreasing. */
static void
line_event(struct record *r, double t, const char *code)
{
    if (!(t >= r->last_t))
        t = r->last_t;
    r->last_t = t;
    line_printf(r, "[%.6f, \"%s\", \"", t, code);
}

struct record *
record_open(const char *path, char **cause)
{
    struct stat st;
    if (!path[0]) {
        *cause = xasprintf("--record: expected a file name, got an empty string");
        return NULL;
    }
    int fd;
    bool own = true;
    if (strcmp(path, "-") == 0) {
        fd = STDOUT_FILENO;
        own = false;
    } else {
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            *cause = xasprintf("--record: %s: is a directory (expected a file name such as "
                               "take.cast)",
                               path);
            return NULL;
        }
        /* O_NONBLOCK: opening a pipe that nobody reads fails instead of hanging. */
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY | O_CLOEXEC | O_NONBLOCK, 0666);
        if (fd < 0) {
            *cause = xasprintf("--record: %s: %s", path,
                               errno == ENXIO ? "a pipe with no reader" : strerror(errno));
            return NULL;
        }
    }
    if (fstat(fd, &st) != 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode) ||
                                 S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
        *cause = xasprintf("--record: %s: not a regular file, device or pipe", path);
        goto fail;
    }
    if (isatty(fd)) {
        *cause = xasprintf("--record: %s: is a terminal (the recording would be drawn over the "
                           "screen); give a file name",
                           strcmp(path, "-") == 0 ? "standard output" : path);
        goto fail;
    }
    if (own) {
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0)
            fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    }
    struct record *r = xcalloc(1, sizeof *r);
    r->fd = fd;
    r->own_fd = own;
    r->path = xstrdup(strcmp(path, "-") == 0 ? "standard output" : path);
    return r;
fail:
    if (own)
        close(fd);
    return NULL;
}

void
record_header(struct record *r, int w, int h, int64_t timestamp, const char *title,
              const char *term)
{
    line_printf(r, "{\"version\": 2, \"width\": %d, \"height\": %d, \"timestamp\": %" PRId64, w, h,
                timestamp);
    if (title) {
        line_str(r, ", \"title\": \"");
        line_json(r, title, strlen(title));
        line_str(r, "\"");
    }
    if (term) {
        line_str(r, ", \"env\": {\"TERM\": \"");
        line_json(r, term, strlen(term));
        line_str(r, "\"}");
    }
    line_str(r, "}\n");
    line_flush(r);
}

void
record_output(struct record *r, double t, const char *buf, size_t len)
{
    if (len == 0)
        return;
    /* The held-back bytes go first; a sequence cut again at the end waits once more. */
    char *joined = NULL;
    if (r->ncarry) {
        joined = xmalloc(r->ncarry + len);
        memcpy(joined, r->carry, r->ncarry);
        memcpy(joined + r->ncarry, buf, len);
        buf = joined;
        len += r->ncarry;
        r->ncarry = 0;
    }
    size_t whole = record_utf8_complete(buf, len);
    if (whole > 0) {
        line_event(r, t, "o");
        line_json(r, buf, whole);
        line_str(r, "\"]\n");
        line_flush(r);
        r->frames++;
        r->out_bytes += whole;
    }
    r->ncarry = len - whole;
    memcpy(r->carry, buf + whole, r->ncarry);
    free(joined);
}

void
record_marker(struct record *r, double t, const char *label)
{
    line_event(r, t, "m");
    line_json(r, label, strlen(label));
    line_str(r, "\"]\n");
    line_flush(r);
}

void
record_resize(struct record *r, double t, int w, int h)
{
    line_event(r, t, "r");
    line_printf(r, "%dx%d\"]\n", w, h);
    line_flush(r);
}

uint64_t
record_bytes(const struct record *r)
{
    return r->bytes;
}

uint64_t
record_frames(const struct record *r)
{
    return r->frames;
}

uint64_t
record_output_bytes(const struct record *r)
{
    return r->out_bytes;
}

int
record_close(struct record *r, char **cause)
{
    if (!r)
        return 0;
    if (r->ncarry) {
        /* An unfinished sequence at the very end: written as U+FFFD. */
        line_event(r, r->last_t, "o");
        line_json(r, r->carry, r->ncarry);
        line_str(r, "\"]\n");
        line_flush(r);
    }
    int rc = 0;
    if (r->err) {
        *cause = xasprintf("--record: %s: write error: %s", r->path, strerror(r->err));
        rc = -1;
    } else if (r->own_fd && close(r->fd) != 0) {
        *cause = xasprintf("--record: %s: %s", r->path, strerror(errno));
        rc = -1;
    }
    if (r->err && r->own_fd)
        close(r->fd);
    free(r->line);
    free(r->path);
    free(r);
    return rc;
}

void
record_abandon(struct record *r)
{
    if (!r)
        return;
    if (r->own_fd)
        close(r->fd);
    free(r->line);
    free(r->path);
    free(r);
}
