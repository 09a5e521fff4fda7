/*
 * The reproducing command line (key C): for runs set up by many flag
 * combinations and then changed by the knobs, the command, read back by
 * the command-line parser, must build an engine with exactly the same
 * configuration and data.  File names survive the shell's quoting.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/cmdline.h"
#include "app/headless.h"

#define MAX_ARGS 40

/* cli_parse on "ouscope" and words, which must outlive *o (cli_parse keeps pointers into argv). */
static int
parse_words(char words[][256], int n, struct cli_opts *o)
{
    static char name[] = "ouscope";
    char *argv[MAX_ARGS + 1];
    cr_assert_lt(n, MAX_ARGS);
    argv[0] = name;
    for (int i = 0; i < n; i++)
        argv[i + 1] = words[i];
    argv[n + 1] = NULL;
    char *cause = NULL;
    int rc = cli_parse(n + 1, argv, o, stdout, &cause);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    return rc;
}

/*
 * Split a command into words as sh would for what cmdline writes: blanks
 * separate, '...' quotes, and '\'' is a quote inside a quoted word.  The
 * first word ("ouscope") and a trailing "# comment" are dropped.
 */
static int
shell_split(const char *cmd, char words[][256])
{
    int n = -1;
    const char *p = cmd;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p || *p == '#')
            break;
        char w[256];
        size_t k = 0;
        while (*p && *p != ' ') {
            if (*p == '\'') {
                p++;
                while (*p && *p != '\'')
                    w[k++] = *p++;
                cr_assert_eq(*p, '\'', "an unclosed quote in %s", cmd);
                p++;
            } else if (*p == '\\' && p[1]) {
                w[k++] = p[1];
                p += 2;
            } else {
                w[k++] = *p++;
            }
            cr_assert_lt(k, sizeof w - 1);
        }
        w[k] = '\0';
        if (n >= 0)
            strcpy(words[n], w);
        else
            cr_assert_str_eq(w, "ouscope");
        n++;
    }
    return n;
}

static struct ou_engine *
engine_of(const struct cli_opts *o)
{
    char *cause = NULL;
    struct ou_engine *e = headless_make_engine(o, &cause);
    cr_assert_not_null(e, "%s", cause ? cause : "");
    return e;
}

/* Every field of the two configurations and data sets is the same. */
static void
expect_same_run(const struct ou_engine *a, const struct ou_engine *b, const char *cmd)
{
    const struct ou_config *x = ou_engine_config(a), *y = ou_engine_config(b);
    cr_expect_eq(x->model, y->model, "model: %s", cmd);
    cr_expect_eq(x->width, y->width, "width: %s", cmd);
    cr_expect_eq(x->bias, y->bias, "bias: %s", cmd);
    cr_expect_eq(x->seed, y->seed, "seed: %s", cmd);
    cr_expect(memcmp(&x->eta, &y->eta, sizeof x->eta) == 0, "eta %.17g vs %.17g: %s", x->eta,
              y->eta, cmd);
    cr_expect(memcmp(&x->sigma, &y->sigma, sizeof x->sigma) == 0, "sigma %.17g vs %.17g: %s",
              x->sigma, y->sigma, cmd);
    cr_expect_eq(x->batch, y->batch, "batch: %s", cmd);
    cr_expect_eq(x->noise, y->noise, "noise: %s", cmd);
    cr_expect(memcmp(&x->momentum, &y->momentum, sizeof x->momentum) == 0, "momentum: %s", cmd);
    cr_expect_eq(x->frozen, y->frozen, "frozen: %s", cmd);
    cr_expect_eq(x->optim, y->optim, "optimizer: %s", cmd);
    cr_expect(memcmp(&x->beta1, &y->beta1, sizeof x->beta1) == 0, "beta1: %s", cmd);
    cr_expect(memcmp(&x->beta2, &y->beta2, sizeof x->beta2) == 0, "beta2: %s", cmd);
    cr_expect(memcmp(&x->rms_decay, &y->rms_decay, sizeof x->rms_decay) == 0, "rms: %s", cmd);
    cr_expect(memcmp(&x->opt_eps, &y->opt_eps, sizeof x->opt_eps) == 0, "eps: %s", cmd);
    cr_expect(memcmp(&x->sam_rho, &y->sam_rho, sizeof x->sam_rho) == 0, "rho: %s", cmd);
    const struct ou_data *d = ou_engine_data(a), *f = ou_engine_data(b);
    cr_assert_eq(d->n, f->n, "n: %s", cmd);
    cr_expect(memcmp(d->x, f->x, d->n * sizeof d->x[0]) == 0, "data x: %s", cmd);
    cr_expect(memcmp(d->y, f->y, d->n * sizeof d->y[0]) == 0, "data y: %s", cmd);
}

/* A set-up on the command line; knobs turned afterwards as the keys would. */
struct setup {
    char args[20][32];
    int eta_doublings, sigma_halvings;
    int batch; /* 0: keep */
};

ParameterizedTestParameters(cmdline, reads_back_to_the_same_run)
{
    static struct setup params[] = {
        {{""}, 0, 0, 0},
        {{"--data", "x2", "--n", "12", "--width", "7", "--seed", "99", "--no-bias", "--lr",
          "0.2", "--noise", "0.125", "--batch", "3", "--noise-kind", "pm"},
         0, 0, 0},
        {{"--data", "random", "--n", "5", "--seed", "18446744073709551615", "--momentum", "0.9",
          "--frozen"},
         3, 2, 0},
        {{"--model", "linear", "--width", "16", "--lr", "0.01"}, -2, 5, 1},
        {{"--optimizer", "adam", "--beta1", "0.8", "--beta2", "0.95", "--adam-eps", "1e-6"},
         1, 0, 4},
        {{"--optimizer", "rmsprop", "--rms-decay", "0.9", "--data", "abs"}, 0, 1, 0},
        {{"--optimizer", "sam", "--sam-rho", "0.1", "--noise", "0"}, 0, 0, 2},
        {{"--optimizer", "pathsgd", "--lr", "0.3333333333333333"}, 0, 3, 0},
    };
    return cr_make_param_array(struct setup, params, sizeof params / sizeof params[0]);
}

ParameterizedTest(struct setup *p, cmdline, reads_back_to_the_same_run)
{
    static char words[MAX_ARGS][256], words2[MAX_ARGS][256];
    int n = 0;
    for (int i = 0; i < 20 && p->args[i][0]; i++)
        strcpy(words[n++], p->args[i]);
    struct cli_opts o, o2;
    parse_words(words, n, &o);
    struct ou_engine *e = engine_of(&o);
    const struct ou_config *c = ou_engine_config(e);
    for (int i = 0; i < abs(p->eta_doublings); i++)
        ou_engine_set_eta(e, c->eta * (p->eta_doublings > 0 ? 2.0 : 0.5));
    for (int i = 0; i < p->sigma_halvings; i++)
        ou_engine_set_sigma(e, c->sigma / 2.0);
    if (p->batch)
        ou_engine_set_batch(e, (size_t)p->batch);
    cr_assert_eq(ou_engine_run(e, 7, NULL), OU_OK);
    char cmd[1024];
    cmdline_format(&o, e, NULL, COMPARE_NONE, 0, NULL, true, cmd, sizeof cmd);
    cr_expect_not_null(strstr(cmd, "  # step 7, the same knobs since step 0"), "%s", cmd);
    n = shell_split(cmd, words2);
    parse_words(words2, n, &o2);
    struct ou_engine *e2 = engine_of(&o2);
    expect_same_run(e, e2, cmd);
    /* The same command line, step for step, gives the same trajectory. */
    cr_assert_eq(ou_engine_run(e2, 7, NULL), OU_OK);
    size_t np = ou_engine_model(e)->p;
    cr_expect(memcmp(ou_engine_theta(e), ou_engine_theta(e2), np * sizeof(double)) == 0,
              "theta differs after 7 steps: %s", cmd);
    ou_engine_destroy(e);
    ou_engine_destroy(e2);
}

Test(cmdline, says_when_the_knobs_changed_on_the_way)
{
    static char words[MAX_ARGS][256];
    struct cli_opts o;
    parse_words(words, 0, &o);
    struct ou_engine *e = engine_of(&o);
    char cmd[1024];
    cmdline_format(&o, e, NULL, COMPARE_NONE, 0, NULL, false, cmd, sizeof cmd);
    cr_expect_not_null(strstr(cmd, "  # step 0; knobs changed on the way"), "%s", cmd);
    cr_expect_null(strstr(cmd, "--momentum"), "a default knob written: %s", cmd);
    cr_expect_null(strstr(cmd, "--optimizer"), "a default knob written: %s", cmd);
    ou_engine_destroy(e);
}

Test(cmdline, a_data_file_name_survives_the_shell)
{
    char dir[] = "/tmp/oucmdXXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/my data's \"set\".csv", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("x,y\n-1,0\n-0.5,1\n0,0\n0.5,1\n1,0\n", f);
    fclose(f);
    static char words[MAX_ARGS][256], words2[MAX_ARGS][256];
    strcpy(words[0], "--data");
    strcpy(words[1], path);
    struct cli_opts o, o2;
    parse_words(words, 2, &o);
    struct ou_engine *e = engine_of(&o);
    char cmd[1024];
    cmdline_format(&o, e, NULL, COMPARE_NONE, 0, NULL, true, cmd, sizeof cmd);
    int n = shell_split(cmd, words2);
    parse_words(words2, n, &o2);
    cr_expect_str_eq(o2.data, path, "%s", cmd);
    struct ou_engine *e2 = engine_of(&o2);
    expect_same_run(e, e2, cmd);
    ou_engine_destroy(e);
    ou_engine_destroy(e2);
    unlink(path);
    rmdir(dir);
}

/*
 * A comparison's difference is on the command line in the words --compare
 * reads: for every knob, the printed line parses back to the same knob and
 * B's value, and without a B no --compare is written.
 */
Test(cmdline, a_comparison_reads_back)
{
    static const char *const specs[] = {"sigma=0",       "eta=0.1",     "batch=1",
                                        "optimizer=adam", "momentum=0.9", "noise=pm",
                                        "frozen=on"};
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
        static char words[MAX_ARGS][256], words2[MAX_ARGS][256];
        struct cli_opts o, o2;
        strcpy(words[0], "--compare");
        strcpy(words[1], specs[k]);
        parse_words(words, 2, &o);
        struct ou_engine *e = engine_of(&o), *b = NULL;
        cr_assert_eq(compare_clone(e, &o.compare, &b), OU_OK, "%s", specs[k]);
        char cmd[1024];
        cmdline_format(&o, e, b, o.compare.knob, 0, NULL, true, cmd, sizeof cmd);
        char want[64];
        snprintf(want, sizeof want, " --compare %s ", specs[k]);
        cr_expect_not_null(strstr(cmd, want), "no \"%s\" in %s", want, cmd);
        int n = shell_split(cmd, words2);
        parse_words(words2, n, &o2);
        cr_expect_eq(o2.compare.knob, o.compare.knob, "%s", cmd);
        cr_expect_eq(o2.compare.value, o.compare.value, "%s", cmd);
        cmdline_format(&o, e, NULL, o.compare.knob, 0, NULL, true, cmd, sizeof cmd);
        cr_expect_null(strstr(cmd, "--compare"), "no comparison running: %s", cmd);
        ou_engine_destroy(b);
        ou_engine_destroy(e);
    }
}

/*
 * The comment claims reproduction only when it holds for both nets.  A
 * pair run from step 0 and a pair whose B was cloned from A at step `at`
 * (the b key) are each written out; the command is run again from step 0
 * (as --compare starts B) to the same step, and B's parameters are
 * compared bit for bit with the original B's.  Where they differ, the
 * comment must name the step B started at instead of claiming the run.
 */
Test(cmdline, a_b_started_after_step_0_is_not_claimed_reproduced)
{
    static const struct {
        uint64_t at;
        const char *grouped; /* at with thousands separators */
    } starts[] = {{0, "0"}, {1200, "1,200"}};
    const uint64_t total = 1500;
    for (size_t t = 0; t < sizeof starts / sizeof starts[0]; t++) {
        static char words[MAX_ARGS][256], words2[MAX_ARGS][256];
        struct cli_opts o, o2;
        strcpy(words[0], "--compare");
        strcpy(words[1], "sigma=0");
        strcpy(words[2], "--seed");
        strcpy(words[3], "5");
        parse_words(words, 4, &o);
        uint64_t at = starts[t].at;
        struct ou_engine *e = engine_of(&o), *b = NULL;
        cr_assert_eq(ou_engine_run(e, at, NULL), OU_OK);
        cr_assert_eq(compare_clone(e, &o.compare, &b), OU_OK);
        cr_assert_eq(compare_run(e, b, total - at, NULL, NULL), OU_OK);
        char cmd[1024];
        cmdline_format(&o, e, b, o.compare.knob, at, at ? "b" : NULL, true, cmd, sizeof cmd);

        /* The command, run again: both from step 0. */
        int n = shell_split(cmd, words2);
        parse_words(words2, n, &o2);
        cr_assert_eq(o2.compare.knob, COMPARE_SIGMA, "%s", cmd);
        struct ou_engine *e2 = engine_of(&o2), *b2 = NULL;
        cr_assert_eq(compare_clone(e2, &o2.compare, &b2), OU_OK);
        cr_assert_eq(compare_run(e2, b2, total, NULL, NULL), OU_OK);
        size_t np = ou_engine_model(e)->p;
        bool same_a = memcmp(ou_engine_theta(e), ou_engine_theta(e2), np * sizeof(double)) == 0;
        bool same_b = memcmp(ou_engine_theta(b), ou_engine_theta(b2), np * sizeof(double)) == 0;
        cr_expect(same_a, "A is not reproduced: %s", cmd);
        /* The scenario is real: a late B (sigma 0 only from `at` on) ends elsewhere. */
        cr_expect_eq(same_b, at == 0, "B %s reproduced when started at %llu: %s",
                     same_b ? "is" : "is not", (unsigned long long)at, cmd);
        bool claims = strstr(cmd, "the same knobs since step 0") != NULL;
        cr_expect_eq(claims, same_a && same_b, "the comment %s reproduction: %s",
                     claims ? "claims" : "does not claim", cmd);
        char want[64];
        snprintf(want, sizeof want, "; B started from A at step %s (b)", starts[t].grouped);
        if (at)
            cr_expect_not_null(strstr(cmd, want), "no \"%s\" in %s", want, cmd);
        else
            cr_expect_null(strstr(cmd, "B started"), "%s", cmd);
        ou_engine_destroy(b);
        ou_engine_destroy(e);
        ou_engine_destroy(b2);
        ou_engine_destroy(e2);
    }
}

/*
 * The knob keys move A only: after A's eta is doubled at step 0, B keeps
 * the old eta, and the command (which gives B A's new eta) rebuilds A but
 * not B.  The comment then says B differs in more than its knob.
 */
Test(cmdline, a_b_apart_in_a_second_knob_is_not_claimed_reproduced)
{
    static char words[MAX_ARGS][256], words2[MAX_ARGS][256];
    struct cli_opts o, o2;
    strcpy(words[0], "--compare");
    strcpy(words[1], "sigma=0");
    parse_words(words, 2, &o);
    struct ou_engine *e = engine_of(&o), *b = NULL;
    cr_assert_eq(compare_clone(e, &o.compare, &b), OU_OK);
    cr_assert_eq(ou_engine_set_eta(e, 2.0 * ou_engine_config(e)->eta), OU_OK);
    cr_assert_eq(compare_run(e, b, 400, NULL, NULL), OU_OK);
    char cmd[1024];
    cmdline_format(&o, e, b, o.compare.knob, 0, NULL, true, cmd, sizeof cmd);
    int n = shell_split(cmd, words2);
    parse_words(words2, n, &o2);
    struct ou_engine *e2 = engine_of(&o2), *b2 = NULL;
    cr_assert_eq(compare_clone(e2, &o2.compare, &b2), OU_OK);
    cr_assert_eq(compare_run(e2, b2, 400, NULL, NULL), OU_OK);
    size_t np = ou_engine_model(e)->p;
    cr_expect(memcmp(ou_engine_theta(e), ou_engine_theta(e2), np * sizeof(double)) == 0,
              "A is not reproduced: %s", cmd);
    cr_expect(memcmp(ou_engine_theta(b), ou_engine_theta(b2), np * sizeof(double)) != 0,
              "B is reproduced although its eta is not A's: %s", cmd);
    cr_expect_null(strstr(cmd, "the same knobs since step 0"), "%s", cmd);
    cr_expect_not_null(strstr(cmd, "; B differs from A in more than sigma"), "%s", cmd);
    /* With B's eta made A's again, the pair is reproduced and said to be. */
    cr_assert_eq(ou_engine_set_eta(b, ou_engine_config(e)->eta), OU_OK);
    cmdline_format(&o, e, b, o.compare.knob, 0, NULL, true, cmd, sizeof cmd);
    cr_expect_not_null(strstr(cmd, "the same knobs since step 0"), "%s", cmd);
    ou_engine_destroy(b);
    ou_engine_destroy(e);
    ou_engine_destroy(b2);
    ou_engine_destroy(e2);
}
