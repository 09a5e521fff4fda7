/*
 * The asciicast writer, read back with a JSON string decoder written here
 * from RFC 8259: every line is one complete JSON value, output bytes come
 * back exactly (valid UTF-8 and control bytes alike), no event ever holds
 * half a UTF-8 sequence, invalid bytes become U+FFFD, times never go
 * backwards, and bad files are refused naming the file.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/record.h"

/* ---- reading the file back ---- */

struct lines {
    char *buf;
    char *line[4096];
    size_t n;
};

static void
read_lines(const char *path, struct lines *L)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    L->buf = malloc((size_t)len + 1);
    cr_assert_eq(fread(L->buf, 1, (size_t)len, f), (size_t)len);
    L->buf[len] = '\0';
    fclose(f);
    cr_assert(len > 0 && L->buf[len - 1] == '\n', "the file does not end with a newline");
    L->n = 0;
    for (char *p = L->buf; *p;) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        cr_assert_lt(L->n, 4096);
        L->line[L->n++] = p;
        p = nl + 1;
    }
}

static int
hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c - 'A' + 10;
}

/*
 * Decode the JSON string starting at *p (at its opening quote) into out;
 * returns its byte length and moves *p past the closing quote.  Fails the
 * test on anything RFC 8259 does not allow.
 */
static size_t
json_string(const char **p, char *out, size_t cap)
{
    const unsigned char *s = (const unsigned char *)*p;
    size_t n = 0;
    cr_assert_eq(*s, '"', "expected a string at \"%.20s\"", (const char *)s);
    s++;
    for (;;) {
        cr_assert_neq(*s, '\0', "an unterminated string");
        cr_assert_geq(*s, 0x20, "a raw control byte 0x%02x in a string", *s);
        cr_assert_lt(n + 4, cap);
        if (*s == '"')
            break;
        if (*s != '\\') {
            out[n++] = (char)*s++;
            continue;
        }
        s++;
        switch (*s) {
        case '"':
        case '\\':
        case '/':
            out[n++] = (char)*s++;
            break;
        case 'b':
            out[n++] = '\b', s++;
            break;
        case 'f':
            out[n++] = '\f', s++;
            break;
        case 'n':
            out[n++] = '\n', s++;
            break;
        case 'r':
            out[n++] = '\r', s++;
            break;
        case 't':
            out[n++] = '\t', s++;
            break;
        case 'u': {
            unsigned v = 0;
            for (int i = 1; i <= 4; i++) {
                cr_assert(strchr("0123456789abcdefABCDEF", s[i]) && s[i], "a bad \\u escape");
                v = v * 16 + (unsigned)hexval((char)s[i]);
            }
            s += 5;
            cr_assert(v < 0xD800 || v > 0xDFFF, "a surrogate escape");
            if (v < 0x80) {
                out[n++] = (char)v;
            } else if (v < 0x800) {
                out[n++] = (char)(0xC0 | (v >> 6));
                out[n++] = (char)(0x80 | (v & 0x3F));
            } else {
                out[n++] = (char)(0xE0 | (v >> 12));
                out[n++] = (char)(0x80 | ((v >> 6) & 0x3F));
                out[n++] = (char)(0x80 | (v & 0x3F));
            }
            break;
        }
        default:
            cr_assert_fail("an unknown escape \\%c", *s);
        }
    }
    *p = (const char *)s + 1;
    out[n] = '\0';
    return n;
}

/* Whether buf[0..n) is strict UTF-8 (RFC 3629). */
static bool
utf8_valid(const char *buf, size_t n)
{
    const unsigned char *u = (const unsigned char *)buf;
    size_t i = 0;
    while (i < n) {
        unsigned c = u[i];
        size_t k;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return false;
        }
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n)
                return false;
            unsigned b = u[i + j];
            if (j == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
                return false;
        }
        i += k + 1;
    }
    return true;
}

/* Parse an event line [t, "code", "data"]. */
static size_t
event(const char *line, double *t, char *code, char *data, size_t cap)
{
    char *end;
    cr_assert_eq(line[0], '[', "an event is not an array: %s", line);
    *t = strtod(line + 1, &end);
    cr_assert(end > line + 1, "no time in %s", line);
    const char *p = end;
    cr_assert(p[0] == ',' && p[1] == ' ', "%s", line);
    p += 2;
    json_string(&p, code, 8);
    cr_assert(p[0] == ',' && p[1] == ' ', "%s", line);
    p += 2;
    size_t n = json_string(&p, data, cap);
    cr_assert(p[0] == ']' && p[1] == '\0', "text after the event: %s", line);
    return n;
}

static char *
tmp_path(const char *tag)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/ourec-%d-%s.cast", P_tmpdir, (int)getpid(), tag);
    return path;
}

static struct record *
open_ok(const char *path)
{
    char *cause = NULL;
    struct record *r = record_open(path, &cause);
    cr_assert_not_null(r, "%s", cause ? cause : "");
    return r;
}

static void
close_ok(struct record *r)
{
    char *cause = NULL;
    cr_assert_eq(record_close(r, &cause), 0, "%s", cause ? cause : "");
}

/* ---- tests ---- */

Test(record, header_is_one_json_object_with_the_fields_given)
{
    char *path = tmp_path("header");
    struct record *r = open_ok(path);
    record_header(r, 120, 40, 1700000000, "σ \"demo\"\\1", "xterm-256color");
    close_ok(r);
    struct lines L;
    read_lines(path, &L);
    cr_assert_eq(L.n, 1);
    const char *h = L.line[0];
    cr_expect(strncmp(h, "{\"version\": 2, \"width\": 120, \"height\": 40, \"timestamp\": 1700000000",
                      66) == 0,
              "%s", h);
    const char *t = strstr(h, "\"title\": ");
    cr_assert_not_null(t);
    t += 9;
    char title[64];
    json_string(&t, title, sizeof title);
    cr_expect_str_eq(title, "σ \"demo\"\\1");
    cr_expect_not_null(strstr(h, "\"env\": {\"TERM\": \"xterm-256color\"}"));
    cr_expect_eq(h[strlen(h) - 1], '}');
    free(L.buf);
    unlink(path);
}

Test(record, output_bytes_come_back_exactly)
{
    /* Every byte 0x00..0x7F, then valid sequences of 2, 3 and 4 bytes. */
    char in[256];
    size_t n = 0;
    for (int c = 0; c < 0x80; c++)
        in[n++] = (char)c;
    const char *multi = "é€𝜍⠿▄█";
    memcpy(in + n, multi, strlen(multi));
    n += strlen(multi);
    char *path = tmp_path("bytes");
    struct record *r = open_ok(path);
    record_header(r, 80, 24, 0, NULL, NULL);
    record_output(r, 0.5, in, n);
    close_ok(r);
    struct lines L;
    read_lines(path, &L);
    cr_assert_eq(L.n, 2);
    cr_expect_null(strstr(L.line[0], "title"), "a NULL title is left out");
    char code[8], data[1024];
    double t;
    size_t m = event(L.line[1], &t, code, data, sizeof data);
    cr_expect_str_eq(code, "o");
    cr_expect_eq(t, 0.5);
    cr_assert_eq(m, n, "%zu bytes back for %zu", m, n);
    cr_expect_eq(memcmp(data, in, n), 0);
    /* Control bytes are escaped, never raw. */
    for (const char *p = L.line[1]; *p; p++)
        cr_assert_geq((unsigned char)*p, 0x20);
    free(L.buf);
    unlink(path);
}

Test(record, no_event_splits_a_utf8_sequence)
{
    const char *text = "η·λ ⠿▄ 𝜍 σ→2";
    size_t n = strlen(text);
    char *path = tmp_path("split");
    struct record *r = open_ok(path);
    record_header(r, 80, 24, 0, NULL, NULL);
    /* One byte per call: most calls end inside a sequence. */
    for (size_t i = 0; i < n; i++)
        record_output(r, (double)i, text + i, 1);
    close_ok(r);
    struct lines L;
    read_lines(path, &L);
    char all[256] = "", code[8], data[256];
    size_t total = 0;
    double t, last = -1;
    for (size_t i = 1; i < L.n; i++) {
        size_t m = event(L.line[i], &t, code, data, sizeof data);
        cr_assert(utf8_valid(data, m), "line %zu holds a partial sequence", i + 1);
        cr_assert_geq(t, last);
        last = t;
        memcpy(all + total, data, m);
        total += m;
    }
    cr_expect_eq(total, n);
    cr_expect_eq(memcmp(all, text, n), 0, "the events do not add up to the text");
    free(L.buf);
    unlink(path);
}

Test(record, invalid_bytes_become_replacement_characters)
{
    /* A stray continuation, an overlong form, a surrogate, 0xFF, and a cut sequence at the end. */
    const char bad[] = "a\x80" "b\xC0\xAF" "c\xED\xA0\x80" "d\xFF" "e\xE2\x82";
    char *path = tmp_path("invalid");
    struct record *r = open_ok(path);
    record_header(r, 80, 24, 0, NULL, NULL);
    record_output(r, 1.0, bad, sizeof bad - 1);
    close_ok(r);
    struct lines L;
    read_lines(path, &L);
    char code[8], data[256], all[256];
    size_t total = 0;
    double t;
    for (size_t i = 1; i < L.n; i++) {
        size_t m = event(L.line[i], &t, code, data, sizeof data);
        cr_assert(utf8_valid(data, m));
        memcpy(all + total, data, m);
        total += m;
    }
    all[total] = '\0';
    /* Each letter survives and something marks every bad spot. */
    const char *want[] = {"a", "b", "c", "d", "e"};
    const char *p = all;
    for (int i = 0; i < 5; i++) {
        p = strstr(p, want[i]);
        cr_assert_not_null(p, "lost %s in %s", want[i], all);
        cr_assert_not_null(strstr(p, "\xEF\xBF\xBD"), "no U+FFFD after %s", want[i]);
    }
    free(L.buf);
    unlink(path);
}

Test(record, markers_resizes_and_times)
{
    char *path = tmp_path("events");
    struct record *r = open_ok(path);
    record_header(r, 80, 24, 0, NULL, NULL);
    record_marker(r, 2.0, "σ 0.1→0.2");
    record_resize(r, 1.0, 100, 30); /* earlier than the marker: clamped */
    record_output(r, 3.25, "x", 1);
    cr_expect_eq(record_frames(r), 1);
    cr_expect_eq(record_output_bytes(r), 1);
    close_ok(r);
    struct lines L;
    read_lines(path, &L);
    cr_assert_eq(L.n, 4);
    char code[8], data[64];
    double t;
    event(L.line[1], &t, code, data, sizeof data);
    cr_expect_str_eq(code, "m");
    cr_expect_str_eq(data, "σ 0.1→0.2");
    cr_expect_eq(t, 2.0);
    event(L.line[2], &t, code, data, sizeof data);
    cr_expect_str_eq(code, "r");
    cr_expect_str_eq(data, "100x30");
    cr_expect_eq(t, 2.0, "a resize before the marker was not clamped to its time");
    event(L.line[3], &t, code, data, sizeof data);
    cr_expect_eq(t, 3.25);
    free(L.buf);
    unlink(path);
}

Test(record, utf8_complete_finds_the_cut)
{
    const char *s = "ab\xE2\x82\xAC";
    cr_expect_eq(record_utf8_complete(s, 5), 5);
    cr_expect_eq(record_utf8_complete(s, 4), 2);
    cr_expect_eq(record_utf8_complete(s, 3), 2);
    cr_expect_eq(record_utf8_complete(s, 2), 2);
    cr_expect_eq(record_utf8_complete("\xF0\x9D\x9C", 3), 0);
    /* Bytes that cannot start a sequence are not held back. */
    cr_expect_eq(record_utf8_complete("a\xFF", 2), 2);
    cr_expect_eq(record_utf8_complete("a\x80", 2), 2);
    cr_expect_eq(record_utf8_complete("\xC0", 1), 1);
    cr_expect_eq(record_utf8_complete("", 0), 0);
}

Test(record, refuses_directories_and_names_the_file)
{
    char *cause = NULL;
    cr_assert_null(record_open(P_tmpdir, &cause));
    cr_assert_not_null(cause);
    cr_expect_not_null(strstr(cause, P_tmpdir), "%s", cause);
    cr_expect_not_null(strstr(cause, "directory"), "%s", cause);
    free(cause);
    cause = NULL;
    cr_assert_null(record_open("/nonexistent-dir-ouscope/x.cast", &cause));
    cr_expect_not_null(strstr(cause, "/nonexistent-dir-ouscope/x.cast"), "%s", cause);
    cr_expect_not_null(strstr(cause, strerror(ENOENT)), "%s", cause);
    free(cause);
    cause = NULL;
    cr_assert_null(record_open("", &cause));
    cr_expect_not_null(strstr(cause, "--record"), "%s", cause);
    free(cause);
}

Test(record, a_failed_write_is_reported_at_close)
{
    struct stat st;
    if (stat("/dev/full", &st) != 0)
        cr_skip_test("no /dev/full here");
    struct record *r = open_ok("/dev/full");
    record_header(r, 80, 24, 0, NULL, NULL);
    record_output(r, 0.0, "x", 1);
    char *cause = NULL;
    cr_assert_eq(record_close(r, &cause), -1);
    cr_expect_not_null(strstr(cause, "/dev/full"), "%s", cause);
    cr_expect_not_null(strstr(cause, "write error"), "%s", cause);
    free(cause);
}

Test(record, overwrites_a_regular_file)
{
    char *path = tmp_path("over");
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("old content that is much longer than the new one\nsecond line\n", f);
    fclose(f);
    struct record *r = open_ok(path);
    record_header(r, 80, 24, 0, NULL, NULL);
    close_ok(r);
    struct lines L;
    read_lines(path, &L);
    cr_expect_eq(L.n, 1);
    cr_expect_eq(L.line[0][0], '{');
    free(L.buf);
    unlink(path);
}
