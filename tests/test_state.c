/*
 * Saved states: a save/load round trip resumes bit-exactly, and damaged,
 * truncated, foreign or inconsistent files are refused with a reason that
 * names the line.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ouscope/engine.h"
#include "testutil.h"

static struct ou_engine *
trained(uint64_t steps)
{
    struct ou_config c;
    ou_config_default(&c);
    c.batch = 3;
    c.momentum = 0.3;
    struct ou_engine *e = tu_engine(OU_DATA_X2, 8, &c);
    cr_assert_not_null(e);
    ou_engine_run(e, steps, NULL);
    ou_engine_mark(e);
    ou_engine_run(e, 17, NULL);
    return e;
}

/* FNV-1a 64 as documented for the checksum line, written here independently. */
static uint64_t
fnv(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* Replace the checksum of text (ending in "checksum ...\n") so edits pass it. */
static char *
reseal(const char *text)
{
    const char *cs = strstr(text, "checksum ");
    cr_assert_not_null(cs);
    size_t body = (size_t)(cs - text);
    char *out = malloc(body + 64);
    memcpy(out, text, body);
    snprintf(out + body, 64, "checksum %016" PRIx64 "\n", fnv(text, body));
    return out;
}

static enum ou_status
load_text(const char *text, char *why)
{
    struct ou_engine *e = NULL;
    enum ou_status st = ou_engine_load(&e, text, strlen(text), why, 256);
    ou_engine_destroy(e);
    return st;
}

Test(state, round_trip_resumes_bit_exactly)
{
    struct ou_engine *a = trained(3000), *b = NULL;
    char *buf, *buf2, why[256];
    size_t len, len2;
    cr_assert_eq(ou_engine_save(a, &buf, &len), OU_OK);
    cr_assert_eq(ou_engine_load(&b, buf, len, why, sizeof why), OU_OK, "%s", why);
    cr_assert_eq(ou_engine_save(b, &buf2, &len2), OU_OK);
    cr_expect_eq(len, len2);
    cr_expect_eq(memcmp(buf, buf2, len), 0, "the reloaded state saves differently");
    ou_engine_run(a, 2000, NULL);
    ou_engine_run(b, 2000, NULL);
    size_t p = ou_engine_model(a)->p;
    cr_expect_eq(memcmp(ou_engine_theta(a), ou_engine_theta(b), p * sizeof(double)), 0);
    cr_expect_eq(ou_engine_step_count(b), 5017);
    /* The mark and the initial state travel too. */
    ou_engine_restore_mark(a);
    ou_engine_restore_mark(b);
    cr_expect_eq(ou_engine_step_count(b), 3000);
    cr_expect_eq(memcmp(ou_engine_theta(a), ou_engine_theta(b), p * sizeof(double)), 0);
    ou_engine_reset(a);
    ou_engine_reset(b);
    ou_engine_run(a, 100, NULL);
    ou_engine_run(b, 100, NULL);
    cr_expect_eq(memcmp(ou_engine_theta(a), ou_engine_theta(b), p * sizeof(double)), 0);
    free(buf);
    free(buf2);
    ou_engine_destroy(a);
    ou_engine_destroy(b);
}

Test(state, a_changed_byte_fails_the_checksum)
{
    struct ou_engine *a = trained(100);
    char *buf, why[256];
    size_t len;
    ou_engine_save(a, &buf, &len);
    char *copy = strndup(buf, len);
    char *theta = strstr(copy, "theta ");
    char *digit = strchr(theta + 10, '1');
    cr_assert_not_null(digit);
    *digit = '2';
    cr_expect_eq(load_text(copy, why), OU_EFORMAT);
    cr_expect(strstr(why, "checksum") != NULL, "%s", why);
    /* Truncated: the checksum line is gone. */
    copy[len / 2] = '\0';
    cr_expect_eq(load_text(copy, why), OU_EFORMAT);
    cr_expect(strstr(why, "truncated") != NULL, "%s", why);
    cr_expect_eq(load_text("", why), OU_EFORMAT);
    cr_expect(strstr(why, "empty") != NULL, "%s", why);
    free(copy);
    free(buf);
    ou_engine_destroy(a);
}

/* Edit one line of a valid state, reseal it and expect a reason mentioning `want`. */
static void
refused_after_edit(const char *from, const char *to, const char *want)
{
    struct ou_engine *a = trained(10);
    char *buf, why[256];
    size_t len;
    ou_engine_save(a, &buf, &len);
    char *at = strstr(buf, from);
    cr_assert_not_null(at, "no \"%s\" in the state", from);
    size_t k = (size_t)(at - buf), lf = strlen(from), lt = strlen(to);
    char *edited = malloc(len + lt + 1);
    memcpy(edited, buf, k);
    memcpy(edited + k, to, lt);
    strcpy(edited + k + lt, buf + k + lf);
    char *sealed = reseal(edited);
    cr_expect_eq(load_text(sealed, why), OU_EFORMAT, "edit %s -> %s accepted", from, to);
    cr_expect(strstr(why, want) != NULL, "reason \"%s\" lacks \"%s\"", why, want);
    cr_expect(strncmp(why, "line ", 5) == 0, "reason \"%s\" names no line", why);
    free(sealed);
    free(edited);
    free(buf);
    ou_engine_destroy(a);
}

Test(state, foreign_or_inconsistent_content_is_refused)
{
    refused_after_edit("ouscope-state 2", "ouscope-state 3", "version 3 is not supported");
    refused_after_edit("ouscope-state 2", "something-else 2", "not an ouscope state file");
    refused_after_edit("width 32", "width 31", "theta");
    refused_after_edit("width 32", "width 0", "width");
    refused_after_edit("eta ", "eta -", "eta");
    refused_after_edit("noise gauss", "noise cauchy", "noise");
    refused_after_edit("batch 3", "batch 30", "batch");
    refused_after_edit("bias 1", "bias 7", "bias");
    refused_after_edit("data 8 x2", "data 8 spiral", "unknown data kind");
}

Test(state, a_non_finite_parameter_is_refused)
{
    struct ou_engine *a = trained(10);
    char *buf, why[256];
    size_t len;
    ou_engine_save(a, &buf, &len);
    char *theta = strstr(buf, "\ntheta 97\n");
    cr_assert_not_null(theta);
    char *first = theta + strlen("\ntheta 97\n");
    size_t l = strcspn(first, "\n");
    char *edited = malloc(len + 8);
    size_t k = (size_t)(first - buf);
    memcpy(edited, buf, k);
    strcpy(edited + k, "inf");
    strcpy(edited + k + 3, first + l);
    char *sealed = reseal(edited);
    cr_expect_eq(load_text(sealed, why), OU_EFORMAT);
    cr_expect(strstr(why, "finite") != NULL, "%s", why);
    free(sealed);
    free(edited);
    free(buf);
    ou_engine_destroy(a);
}

/*
 * Found by fuzzing: a checksum line with no digits before its newline made
 * the number parser skip the newline and read past the end of the buffer;
 * an empty last line was compared with "checksum " past the end too.
 * The buffer here is a heap copy with no terminating NUL, so under ASan an
 * over-read is an error, not a silent pass.
 */
Test(state, a_checksum_without_digits_is_refused_within_the_buffer)
{
    static const char *cases[] = {"ouscope-state 2|\nchecksum \n", "ouscope-state 1\nchecksum \n",
                                  "ouscope-state 1\nchecksum +1\n", "ouscope-state 1\nchecksum -1\n",
                                  "ouscope-state 1\nchecksum  1\n", "ouscope-state 1\nx 1\n\n",
                                  "ouscope-state 1\nchecksum 2c\n\n"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i]);
        char *copy = malloc(len);
        cr_assert_not_null(copy);
        memcpy(copy, cases[i], len);
        struct ou_engine *e = NULL;
        char why[256];
        cr_expect_eq(ou_engine_load(&e, copy, len, why, sizeof why), OU_EFORMAT, "case %zu", i);
        cr_expect_null(e);
        free(copy);
    }
}
