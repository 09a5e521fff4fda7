/*
 * Tests of the command line (src/app/cli.c): the defaults, every numeric
 * flag at its boundaries and just past them, and the refusals, each with a
 * message that names the flag, the allowed range and the value given.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"
#include "render/panes.h"
#include "testutil.h"

#define MAX_ARGS 32

/*
 * Parse "ouscope" followed by the NULL-terminated arguments.  The strings
 * are copied into static storage because cli_parse keeps pointers into
 * argv (--data, --csv, ...) and wants them writable (char **).
 */
static int
parse(struct cli_opts *o, char **cause, ...)
{
    static char arena[4096];
    static char *argv[MAX_ARGS + 1];
    size_t used = 0;
    int argc = 0;
    va_list ap;
    va_start(ap, cause);
    for (const char *a = "ouscope"; a; a = va_arg(ap, const char *)) {
        size_t len = strlen(a) + 1;
        cr_assert_lt(argc, MAX_ARGS);
        cr_assert_leq(used + len, sizeof arena);
        argv[argc++] = memcpy(arena + used, a, len);
        used += len;
    }
    va_end(ap);
    argv[argc] = NULL;
    return cli_parse(argc, argv, o, stdout, cause);
}

/* Check that rc is a refusal whose message is exactly `want`, then free it. */
static void
expect_message(int rc, char *cause, const char *want)
{
    cr_assert_eq(rc, -1, "accepted; expected the refusal \"%s\"", want);
    cr_assert_not_null(cause);
    cr_expect_str_eq(cause, want);
    free(cause);
}

/* Exact equality of doubles, written as a zero tolerance (see testutil.h). */
static bool
same(double got, double want)
{
    return tu_close(got, want, 0.0, 0.0);
}

Test(cli, no_arguments_give_the_documented_defaults)
{
    struct cli_opts o;
    char *cause = NULL;
    cr_assert_eq(parse(&o, &cause, NULL), 0);
    cr_expect_null(cause);
    cr_expect_not(o.headless);
    cr_expect_eq(o.steps, 0);
    cr_expect_str_eq(o.data, "sin3x");
    cr_expect_eq(o.n, 8);
    cr_expect_eq(o.cfg.width, 32);
    cr_expect(o.cfg.bias);
    cr_expect_eq(o.cfg.seed, 1);
    cr_expect(same(o.cfg.eta, 0.05), "eta = %.17g", o.cfg.eta);
    cr_expect(same(o.cfg.sigma, 0.5), "sigma = %.17g", o.cfg.sigma);
    cr_expect_eq(o.cfg.batch, 8);
    cr_expect_eq(o.cfg.noise, OU_NOISE_GAUSS);
    cr_expect(same(o.cfg.momentum, 0.0), "momentum = %.17g", o.cfg.momentum);
    cr_expect_not(o.cfg.frozen);
    cr_expect_str_eq(o.csv, "-");
    cr_expect_eq(o.every, 1000);
    cr_expect_null(o.save);
    cr_expect_null(o.load);
    cr_expect_null(o.export_params);
    cr_expect(same(o.ema, 1000.0), "ema = %.17g", o.ema);
    cr_expect_not(o.project);
    cr_expect(same(o.fps, 30.0), "fps = %.17g", o.fps);
    cr_expect(o.mouse);
    cr_expect(o.color);
    cr_expect_not(o.light);
    cr_expect_eq(o.glyphs, CLI_GLYPHS_AUTO);
    cr_expect_eq(o.set, 0);
}

/* The value a numeric flag stored, as a double (exact for every value used below). */
static double
stored(const struct cli_opts *o, const char *flag)
{
    static const struct {
        const char *flag;
        size_t off;
        char type; /* 'u' uint64_t, 'z' size_t, 'd' double */
    } fields[] = {
        {"--steps", offsetof(struct cli_opts, steps), 'u'},
        {"--seed", offsetof(struct cli_opts, cfg.seed), 'u'},
        {"--n", offsetof(struct cli_opts, n), 'z'},
        {"--width", offsetof(struct cli_opts, cfg.width), 'z'},
        {"--lr", offsetof(struct cli_opts, cfg.eta), 'd'},
        {"--noise", offsetof(struct cli_opts, cfg.sigma), 'd'},
        {"--batch", offsetof(struct cli_opts, cfg.batch), 'z'},
        {"--momentum", offsetof(struct cli_opts, cfg.momentum), 'd'},
        {"--every", offsetof(struct cli_opts, every), 'u'},
        {"--ema", offsetof(struct cli_opts, ema), 'd'},
        {"--fps", offsetof(struct cli_opts, fps), 'd'},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (strcmp(fields[i].flag, flag) != 0)
            continue;
        const char *p = (const char *)o + fields[i].off;
        if (fields[i].type == 'u')
            return (double)*(const uint64_t *)(const void *)p;
        if (fields[i].type == 'z')
            return (double)*(const size_t *)(const void *)p;
        return *(const double *)(const void *)p;
    }
    cr_assert_fail("no field known for %s", flag);
    return 0.0;
}

/*
 * Parameter structs hold arrays, not pointers: Criterion copies them into a
 * separate test process, where a pointer into this one would be invalid.
 */
struct good_value {
    char flag[16], arg[32];
    double want;
    unsigned set; /* the CLI_SET_ bit the flag must raise, or 0 */
};

ParameterizedTestParameters(cli, numeric_flags_accept_their_boundaries)
{
    static struct good_value params[] = {
        {"--steps", "0", 0.0, CLI_SET_STEPS},
        {"--steps", "1000000000000", 1e12, CLI_SET_STEPS},
        {"--seed", "0", 0.0, CLI_SET_SEED},
        {"--seed", "18446744073709551615", 18446744073709551615.0, CLI_SET_SEED},
        {"--n", "2", 2.0, CLI_SET_N},
        {"--n", "1024", 1024.0, CLI_SET_N},
        {"--width", "1", 1.0, CLI_SET_WIDTH},
        {"--width", "4096", 4096.0, CLI_SET_WIDTH},
        {"--lr", "1e-300", 1e-300, CLI_SET_ETA},
        {"--lr", "10", 10.0, CLI_SET_ETA},
        {"--noise", "0", 0.0, CLI_SET_SIGMA},
        {"--noise", "100", 100.0, CLI_SET_SIGMA},
        {"--batch", "1", 1.0, CLI_SET_BATCH},
        {"--batch", "1024", 1024.0, CLI_SET_BATCH},
        {"--momentum", "0", 0.0, CLI_SET_MOMENTUM},
        {"--momentum", "0.999", 0.999, CLI_SET_MOMENTUM},
        {"--every", "1", 1.0, CLI_SET_EVERY},
        {"--every", "1000000000000", 1e12, CLI_SET_EVERY},
        {"--ema", "1", 1.0, CLI_SET_EMA},
        {"--ema", "1e12", 1e12, CLI_SET_EMA},
        {"--fps", "1", 1.0, CLI_SET_FPS},
        {"--fps", "240", 240.0, CLI_SET_FPS},
    };
    return cr_make_param_array(struct good_value, params, sizeof params / sizeof params[0]);
}

ParameterizedTest(struct good_value *p, cli, numeric_flags_accept_their_boundaries)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, p->flag, p->arg, NULL);
    cr_assert_eq(rc, 0, "%s %s refused: %s", p->flag, p->arg, cause ? cause : "");
    double got = stored(&o, p->flag);
    cr_expect(same(got, p->want), "%s %s stored %.17g", p->flag, p->arg, got);
    cr_expect_eq(o.set, p->set, "%s %s: set = %#x, expected %#x", p->flag, p->arg, o.set, p->set);
}

struct bad_value {
    char flag[16], arg[32], message[256];
};

ParameterizedTestParameters(cli, bad_values_are_refused_naming_flag_and_range)
{
    static struct bad_value params[] = {
        /* Real-valued flags: range ends, non-numbers, non-finite, garbage. */
        {"--lr", "abc", "--lr: expected a number in (0, 10], got \"abc\""},
        {"--lr", "0", "--lr: expected a number in (0, 10], got \"0\""},
        {"--lr", "-0.1", "--lr: expected a number in (0, 10], got \"-0.1\""},
        {"--lr", "10.000001", "--lr: expected a number in (0, 10], got \"10.000001\""},
        {"--lr", "nan", "--lr: expected a number in (0, 10], got \"nan\""},
        {"--lr", "inf", "--lr: expected a number in (0, 10], got \"inf\""},
        {"--lr", "0.1x", "--lr: expected a number in (0, 10], got \"0.1x\""},
        {"--lr", "", "--lr: expected a number in (0, 10], got \"\""},
        {"--lr", "1e999", "--lr: expected a number in (0, 10], got \"1e999\""},
        {"--noise", "-0.001", "--noise: expected a number in [0, 100], got \"-0.001\""},
        {"--noise", "100.5", "--noise: expected a number in [0, 100], got \"100.5\""},
        {"--noise", "NaN", "--noise: expected a number in [0, 100], got \"NaN\""},
        {"--noise", "-inf", "--noise: expected a number in [0, 100], got \"-inf\""},
        {"--noise", "0.5 ", "--noise: expected a number in [0, 100], got \"0.5 \""},
        {"--noise", "", "--noise: expected a number in [0, 100], got \"\""},
        {"--momentum", "1", "--momentum: expected a number in [0, 0.999], got \"1\""},
        {"--momentum", "-0.5", "--momentum: expected a number in [0, 0.999], got \"-0.5\""},
        {"--momentum", "infinity", "--momentum: expected a number in [0, 0.999], got \"infinity\""},
        {"--ema", "0.5", "--ema: expected a number in [1, 1e+12], got \"0.5\""},
        {"--ema", "2e12", "--ema: expected a number in [1, 1e+12], got \"2e12\""},
        {"--ema", "nan", "--ema: expected a number in [1, 1e+12], got \"nan\""},
        {"--fps", "0", "--fps: expected a number in [1, 240], got \"0\""},
        {"--fps", "241", "--fps: expected a number in [1, 240], got \"241\""},
        {"--fps", "30fps", "--fps: expected a number in [1, 240], got \"30fps\""},
        /* Whole-number flags: also negatives, fractions and signs. */
        {"--steps", "-1", "--steps: expected a whole number in 0..1000000000000, got \"-1\""},
        {"--steps", "1000000000001",
         "--steps: expected a whole number in 0..1000000000000, got \"1000000000001\""},
        {"--steps", "1.5", "--steps: expected a whole number in 0..1000000000000, got \"1.5\""},
        {"--steps", "5x", "--steps: expected a whole number in 0..1000000000000, got \"5x\""},
        {"--steps", "", "--steps: expected a whole number in 0..1000000000000, got \"\""},
        {"--steps", "+5", "--steps: expected a whole number in 0..1000000000000, got \"+5\""},
        {"--steps", " 5", "--steps: expected a whole number in 0..1000000000000, got \" 5\""},
        {"--seed", "-1", "--seed: expected a whole number in 0..18446744073709551615, got \"-1\""},
        {"--seed", "18446744073709551616",
         "--seed: expected a whole number in 0..18446744073709551615, got "
         "\"18446744073709551616\""},
        {"--seed", "abc",
         "--seed: expected a whole number in 0..18446744073709551615, got \"abc\""},
        {"--n", "1", "--n: expected a whole number in 2..1024, got \"1\""},
        {"--n", "1025", "--n: expected a whole number in 2..1024, got \"1025\""},
        {"--n", "-8", "--n: expected a whole number in 2..1024, got \"-8\""},
        {"--width", "0", "--width: expected a whole number in 1..4096, got \"0\""},
        {"--width", "4097", "--width: expected a whole number in 1..4096, got \"4097\""},
        {"--width", "-1", "--width: expected a whole number in 1..4096, got \"-1\""},
        {"--batch", "0", "--batch: expected a whole number in 1..1024, got \"0\""},
        {"--batch", "1025", "--batch: expected a whole number in 1..1024, got \"1025\""},
        {"--batch", "-2", "--batch: expected a whole number in 1..1024, got \"-2\""},
        {"--every", "0", "--every: expected a whole number in 1..1000000000000, got \"0\""},
        {"--every", "-5", "--every: expected a whole number in 1..1000000000000, got \"-5\""},
        /* Flags that take a word. */
        {"--noise-kind", "uniform", "--noise-kind: expected gauss or pm, got \"uniform\""},
        {"--glyphs", "emoji", "--glyphs: expected braille, blocks or ascii, got \"emoji\""},
        {"--data", "",
         "--data: expected sin3x, x2, abs, random or a file name, got an empty string"},
        /* Recording and scripts. */
        {"--script-scale", "0", "--script-scale: expected a number in (0, 1], got \"0\""},
        {"--script-scale", "1.5", "--script-scale: expected a number in (0, 1], got \"1.5\""},
        {"--size", "19x40", "--size: expected COLSxROWS with 20..1000 columns and 5..1000 rows "
                            "(such as 120x40), got \"19x40\""},
        {"--size", "120x4", "--size: expected COLSxROWS with 20..1000 columns and 5..1000 rows "
                            "(such as 120x40), got \"120x4\""},
        {"--size", "120", "--size: expected COLSxROWS with 20..1000 columns and 5..1000 rows "
                          "(such as 120x40), got \"120\""},
        {"--size", "120x40x", "--size: expected COLSxROWS with 20..1000 columns and 5..1000 rows "
                              "(such as 120x40), got \"120x40x\""},
        {"--size", "-120x40", "--size: expected COLSxROWS with 20..1000 columns and 5..1000 rows "
                              "(such as 120x40), got \"-120x40\""},
        {"--hide", "seed,,fps", "--hide: expected a comma-separated list of state, step, eta, "
                                "sigma, noise, batch, momentum, eta-lambda, speed, fps, seed, "
                                "data, width or hints, got \"\""},
        {"--hide", "Seed", "--hide: expected a comma-separated list of state, step, eta, "
                           "sigma, noise, batch, momentum, eta-lambda, speed, fps, seed, "
                           "data, width or hints, got \"Seed\""},
        {"--record", "", "--record: expected a file name, got an empty string"},
        {"--script", "", "--script: expected a script file, got an empty string"},
        {"--dump-screen", "", "--dump-screen: expected a file name, got an empty string"},
    };
    return cr_make_param_array(struct bad_value, params, sizeof params / sizeof params[0]);
}

ParameterizedTest(struct bad_value *p, cli, bad_values_are_refused_naming_flag_and_range)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, p->flag, p->arg, NULL);
    expect_message(rc, cause, p->message);
}

Test(cli, values_may_be_attached_with_an_equals_sign)
{
    struct cli_opts o;
    char *cause = NULL;
    cr_assert_eq(parse(&o, &cause, "--lr=0.25", "--width=7", NULL), 0);
    cr_expect(same(o.cfg.eta, 0.25));
    cr_expect_eq(o.cfg.width, 7);
    cr_expect_eq(o.set, CLI_SET_ETA | CLI_SET_WIDTH);
}

Test(cli, word_and_switch_flags_are_stored)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, "--noise-kind", "pm", "--glyphs", "ascii", "--frozen", "--no-bias",
                   "--project", "--no-mouse", "--no-color", "--light", "--data", "x2", "--csv",
                   "out.csv", "--save", "s", "--export-params", "p.csv", NULL);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    cr_expect_eq(o.cfg.noise, OU_NOISE_PM);
    cr_expect_eq(o.glyphs, CLI_GLYPHS_ASCII);
    cr_expect(o.cfg.frozen);
    cr_expect_not(o.cfg.bias);
    cr_expect(o.project);
    cr_expect_not(o.mouse);
    cr_expect_not(o.color);
    cr_expect(o.light);
    cr_expect_str_eq(o.data, "x2");
    cr_expect_str_eq(o.csv, "out.csv");
    cr_expect_str_eq(o.save, "s");
    cr_expect_str_eq(o.export_params, "p.csv");
    cr_expect_eq(o.set, CLI_SET_NOISE | CLI_SET_FROZEN | CLI_SET_BIAS | CLI_SET_DATA |
                            CLI_SET_GLYPHS | CLI_SET_CSV);
}

Test(cli, refuses_an_unknown_long_option)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, "--frobnicate", NULL);
    expect_message(rc, cause, "--frobnicate: unknown or ambiguous option (see ouscope --help)");
}

Test(cli, refuses_a_value_for_a_flag_that_takes_none)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, "--headless=1", NULL);
    expect_message(rc, cause, "--headless: takes no value (see ouscope --help)");
    rc = parse(&o, &cause, "--help=x", NULL);
    expect_message(rc, cause, "--help: takes no value (see ouscope --help)");
}

Test(cli, parses_again_after_a_short_option_cluster)
{
    struct cli_opts o;
    char *cause = NULL;
    FILE *out = fopen("/dev/null", "w");
    char prog[] = "ouscope", cluster[] = "-hV", lr[] = "--lr", val[] = "0.1";
    char *first[] = {prog, cluster, NULL};
    cr_assert_eq(cli_parse(2, first, &o, out, &cause), 1);
    char *second[] = {prog, lr, val, NULL};
    cr_assert_eq(cli_parse(3, second, &o, out, &cause), 0);
    cr_expect(o.cfg.eta > 0.0999 && o.cfg.eta < 0.1001);
    fclose(out);
}

Test(cli, refuses_an_unknown_short_option)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, "-x", NULL);
    expect_message(rc, cause, "-x: unknown option (see ouscope --help)");
}

Test(cli, refuses_a_flag_without_its_value)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, "--headless", "--lr", NULL);
    expect_message(rc, cause, "--lr: missing value (see ouscope --help)");
    cause = NULL;
    rc = parse(&o, &cause, "--data", NULL);
    expect_message(rc, cause, "--data: missing value (see ouscope --help)");
}

Test(cli, refuses_a_stray_argument_wherever_it_stands)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, "--lr", "0.1", "data.csv", NULL);
    expect_message(rc, cause,
                   "data.csv: unexpected argument (options start with --; see ouscope --help)");
    cause = NULL;
    rc = parse(&o, &cause, "stray", "--headless", "--steps", "1", NULL);
    expect_message(rc, cause,
                   "stray: unexpected argument (options start with --; see ouscope --help)");
}

Test(cli, headless_needs_steps)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, "--headless", NULL);
    expect_message(rc, cause, "--headless: needs --steps N (how many steps to run) or --script FILE");
    cause = NULL;
    rc = parse(&o, &cause, "--headless", "--steps", "0", NULL);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    cr_expect(o.headless);
    cr_expect_eq(o.steps, 0);
}

struct fixed_flag {
    char flag[16], arg[16]; /* arg is empty for a switch */
};

ParameterizedTestParameters(cli, load_refuses_what_the_state_fixes)
{
    /* Each flag the saved state fixes, with a value that is valid on its own. */
    static struct fixed_flag params[] = {
        {"--data", "x2"}, {"--seed", "7"}, {"--width", "16"}, {"--n", "12"}, {"--no-bias", ""},
        {"--model", "linear"},
    };
    return cr_make_param_array(struct fixed_flag, params, sizeof params / sizeof params[0]);
}

ParameterizedTest(struct fixed_flag *p, cli, load_refuses_what_the_state_fixes)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, "--headless", "--steps", "10", "--load", "s", p->flag,
                   p->arg[0] ? p->arg : NULL, NULL);
    expect_message(rc, cause,
                   "--load: the saved state fixes the model, data, width, bias and seed; drop "
                   "--model, --data, --n, --width, --no-bias and --seed");
}

Test(cli, load_accepts_knob_overrides)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, "--headless", "--steps", "10", "--load", "s", "--lr", "0.01",
                   "--noise", "0", "--batch", "4", "--momentum", "0.5", NULL);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    cr_expect_str_eq(o.load, "s");
    cr_expect(same(o.cfg.eta, 0.01));
    cr_expect_eq(o.set,
                 CLI_SET_STEPS | CLI_SET_ETA | CLI_SET_SIGMA | CLI_SET_BATCH | CLI_SET_MOMENTUM);
}

/* Run cli_parse on one argument with a memory stream as `out`; returns what was written. */
static char *
parse_to_memory(const char *arg, int *rc)
{
    char *text = NULL, *cause = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    cr_assert_not_null(out);
    char a0[] = "ouscope", a1[32];
    snprintf(a1, sizeof a1, "%s", arg);
    char *argv[] = {a0, a1, NULL};
    struct cli_opts o;
    *rc = cli_parse(2, argv, &o, out, &cause);
    cr_assert_eq(fclose(out), 0);
    cr_expect_null(cause);
    return text;
}

Test(cli, help_is_written_to_the_given_stream)
{
    const char *args[] = {"--help", "-h"};
    for (size_t i = 0; i < 2; i++) {
        int rc;
        char *text = parse_to_memory(args[i], &rc);
        cr_expect_eq(rc, 1, "%s returned %d", args[i], rc);
        cr_expect_eq(strncmp(text, "Usage: ouscope", 14), 0, "%s wrote \"%.40s\"", args[i], text);
        cr_expect_not_null(strstr(text, "--headless"));
        cr_expect_not_null(strstr(text, "--lr ETA"));
        free(text);
    }
}

Test(cli, version_is_written_to_the_given_stream)
{
    const char *args[] = {"--version", "-V"};
    for (size_t i = 0; i < 2; i++) {
        int rc;
        char *text = parse_to_memory(args[i], &rc);
        cr_expect_eq(rc, 1, "%s returned %d", args[i], rc);
        cr_expect_str_eq(text, "ouscope " PACKAGE_VERSION "\n");
        free(text);
    }
}

Test(cli, interval_messages_mark_open_and_closed_ends)
{
    static const struct {
        bool lo_open, hi_open;
        const char *message;
    } cases[] = {
        {false, false, "--x: expected a number in [0, 1], got \"2\""},
        {true, false, "--x: expected a number in (0, 1], got \"2\""},
        {false, true, "--x: expected a number in [0, 1), got \"2\""},
        {true, true, "--x: expected a number in (0, 1), got \"2\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v = -1.0;
        char *cause = NULL;
        int rc = cli_number("--x", "2", 0.0, cases[i].lo_open, 1.0, cases[i].hi_open, &v, &cause);
        expect_message(rc, cause, cases[i].message);
        cr_expect(same(v, -1.0), "a refused value was stored");
    }
    double v;
    char *cause = NULL;
    cr_expect_eq(cli_number("--x", "1", 0.0, false, 1.0, true, &v, &cause), -1);
    free(cause);
    cause = NULL;
    cr_expect_eq(cli_number("--x", "0", 0.0, true, 1.0, false, &v, &cause), -1);
    free(cause);
}

/*
 * Found by fuzzing: a refusal quoted its argument verbatim, so a newline
 * or an escape sequence in it broke the one-line message (and could drive
 * the terminal).  Control characters are shown as '?'.
 */
Test(cli, control_characters_in_arguments_do_not_reach_the_message)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, "--lr", "1\n2", NULL);
    expect_message(rc, cause, "--lr: expected a number in (0, 10], got \"1?2\"");
    cause = NULL;
    rc = parse(&o, &cause, "--data", "sin3x", "--glyphs", "\033[2Jx\177", NULL);
    expect_message(rc, cause, "--glyphs: expected braille, blocks or ascii, got \"?[2Jx?\"");
}

Test(cli, recording_and_script_flags_are_stored)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, "--headless", "--script", "demo.ous", "--record", "t.cast",
                   "--size", "100x30", "--hide", "seed,fps,eta-lambda,hints", "--dump-screen",
                   "d.txt", "--script-scale", "0.25", NULL);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    cr_expect_str_eq(o.script, "demo.ous");
    cr_expect_str_eq(o.record, "t.cast");
    cr_expect_str_eq(o.dump_screen, "d.txt");
    cr_expect_eq(o.size_w, 100);
    cr_expect_eq(o.size_h, 30);
    cr_expect_eq(o.hide, VIEW_FIELD_SEED | VIEW_FIELD_FPS | VIEW_FIELD_ETA_LAMBDA |
                             VIEW_FIELD_HINTS);
    cr_expect(same(o.script_scale, 0.25));
    rc = parse(&o, &cause, "--script", "s", "--script-scale", "1e-9", NULL);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    cr_expect(same(o.script_scale, 1e-9));
    rc = parse(&o, &cause, "--script", "s", "--script-scale", "1", NULL);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    /* --lesson is another name for --script. */
    rc = parse(&o, &cause, "--lesson", "l.ous", NULL);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    cr_expect_str_eq(o.script, "l.ous");
    /* Every field name --hide knows. */
    rc = parse(&o, &cause, "--hide",
               "state,step,eta,sigma,noise,batch,momentum,eta-lambda,speed,fps,seed,data,width,"
               "hints",
               NULL);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    cr_expect_eq(o.hide, (VIEW_FIELD_HINTS << 1) - 1);
}

/* Flag combinations that make no sense, each with its reason. */
struct bad_combo {
    char args[8][24];
    char message[192];
};

ParameterizedTestParameters(cli, recording_combinations_that_make_no_sense_are_refused)
{
    static struct bad_combo params[] = {
        {{"--size", "100x30"},
         "--size: only for headless takes (--headless with --script or --record); the live view "
         "uses the terminal's size"},
        {{"--headless", "--steps", "10", "--size", "100x30"},
         "--size: only for headless takes (--headless with --script or --record); the live view "
         "uses the terminal's size"},
        {{"--script-scale", "0.5"}, "--script-scale: only with --script FILE"},
        {{"--headless", "--steps", "5", "--dump-screen", "x"},
         "--dump-screen: only for the live view and headless takes (--headless with --script or "
         "--record)"},
        {{"--record", "-"},
         "--record: \"-\" (standard output) only with --headless; the live view draws on "
         "standard output"},
        {{"--headless", "--script", "s", "--csv", "x.csv"},
         "--csv: not with a headless take (--script or --record); a take writes no CSV"},
        {{"--headless", "--record", "r", "--steps", "9", "--every", "3"},
         "--every: not with a headless take (--script or --record); a take writes no CSV"},
        {{"--headless", "--script", "s", "--project"},
         "--project: not with a headless take (--script or --record); run the same knobs with "
         "--headless --steps N for it"},
        {{"--headless", "--script", "s", "--save", "x"},
         "--save: not with a headless take (--script or --record); run the same knobs with "
         "--headless --steps N for it"},
        {{"--headless", "--script", "s", "--steps", "9"},
         "--steps: not with --script (the script decides how long the take runs)"},
        {{"--script", "a", "--lesson", "b"},
         "--lesson: one script only (--lesson is another name for --script)"},
    };
    return cr_make_param_array(struct bad_combo, params, sizeof params / sizeof params[0]);
}

ParameterizedTest(struct bad_combo *p, cli, recording_combinations_that_make_no_sense_are_refused)
{
    struct cli_opts o;
    char *cause = NULL;
    const char *a[9] = {NULL};
    for (int i = 0; i < 8 && p->args[i][0]; i++)
        a[i] = p->args[i];
    int rc = parse(&o, &cause, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], NULL);
    expect_message(rc, cause, p->message);
}

Test(cli, a_headless_take_needs_no_steps)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, "--headless", "--script", "s.ous", NULL);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    rc = parse(&o, &cause, "--headless", "--record", "r.cast", "--steps", "100", "--size",
               "20x5", NULL);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    cr_expect_eq(o.size_w, 20);
    cr_expect_eq(o.size_h, 5);
}

/* ---- the optimizer ---- */

Test(cli, optimizer_defaults_are_sgd_and_the_documented_values)
{
    struct cli_opts o;
    char *cause = NULL;
    cr_assert_eq(parse(&o, &cause, NULL), 0);
    cr_expect_eq(o.cfg.optim, OU_OPTIM_SGD);
    cr_expect(same(o.cfg.beta1, 0.9), "beta1 = %.17g", o.cfg.beta1);
    cr_expect(same(o.cfg.beta2, 0.999), "beta2 = %.17g", o.cfg.beta2);
    cr_expect(same(o.cfg.rms_decay, 0.99), "rms_decay = %.17g", o.cfg.rms_decay);
    cr_expect(same(o.cfg.opt_eps, 1e-8), "opt_eps = %.17g", o.cfg.opt_eps);
    cr_expect(same(o.cfg.sam_rho, 0.05), "sam_rho = %.17g", o.cfg.sam_rho);
}

Test(cli, optimizer_names_are_stored)
{
    static const char *names[] = {"sgd", "rmsprop", "adam", "sam", "pathsgd"};
    static const enum ou_optim_kind kinds[] = {OU_OPTIM_SGD, OU_OPTIM_RMSPROP, OU_OPTIM_ADAM,
                                               OU_OPTIM_SAM, OU_OPTIM_PATHSGD};
    for (size_t i = 0; i < 5; i++) {
        struct cli_opts o;
        char *cause = NULL;
        cr_assert_eq(parse(&o, &cause, "--optimizer", names[i], NULL), 0, "%s refused", names[i]);
        cr_expect_eq(o.cfg.optim, kinds[i], "%s", names[i]);
        cr_expect_eq(o.set, CLI_SET_OPTIM);
    }
}

/* Each hyper-parameter flag at the ends of its range: value stored, its bit raised. */
Test(cli, optimizer_flags_accept_their_boundaries)
{
    static const struct {
        const char *flag, *arg;
        double want;
        size_t off;
        unsigned set;
    } cases[] = {
        {"--beta1", "0", 0.0, offsetof(struct cli_opts, cfg.beta1), CLI_SET_BETA1},
        {"--beta1", "0.999999", 0.999999, offsetof(struct cli_opts, cfg.beta1), CLI_SET_BETA1},
        {"--beta2", "0", 0.0, offsetof(struct cli_opts, cfg.beta2), CLI_SET_BETA2},
        {"--beta2", "0.9999999", 0.9999999, offsetof(struct cli_opts, cfg.beta2), CLI_SET_BETA2},
        {"--rms-decay", "0", 0.0, offsetof(struct cli_opts, cfg.rms_decay), CLI_SET_RMS_DECAY},
        {"--rms-decay", "0.5", 0.5, offsetof(struct cli_opts, cfg.rms_decay), CLI_SET_RMS_DECAY},
        {"--adam-eps", "1e-300", 1e-300, offsetof(struct cli_opts, cfg.opt_eps), CLI_SET_OPT_EPS},
        {"--adam-eps", "1", 1.0, offsetof(struct cli_opts, cfg.opt_eps), CLI_SET_OPT_EPS},
        {"--sam-rho", "0", 0.0, offsetof(struct cli_opts, cfg.sam_rho), CLI_SET_SAM_RHO},
        {"--sam-rho", "10", 10.0, offsetof(struct cli_opts, cfg.sam_rho), CLI_SET_SAM_RHO},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cli_opts o;
        char *cause = NULL;
        int rc = parse(&o, &cause, cases[i].flag, cases[i].arg, NULL);
        cr_assert_eq(rc, 0, "%s %s refused: %s", cases[i].flag, cases[i].arg, cause ? cause : "");
        double got = *(const double *)(const void *)((const char *)&o + cases[i].off);
        cr_expect(same(got, cases[i].want), "%s %s stored %.17g", cases[i].flag, cases[i].arg,
                  got);
        cr_expect_eq(o.set, cases[i].set, "%s: set = %#x", cases[i].flag, o.set);
    }
}

Test(cli, optimizer_flags_refuse_values_naming_flag_and_range)
{
    static const char *cases[][3] = {
        {"--optimizer", "lbfgs",
         "--optimizer: expected sgd, rmsprop, adam, sam or pathsgd, got \"lbfgs\""},
        {"--optimizer", "Adam",
         "--optimizer: expected sgd, rmsprop, adam, sam or pathsgd, got \"Adam\""},
        {"--optimizer", "", "--optimizer: expected sgd, rmsprop, adam, sam or pathsgd, got \"\""},
        {"--beta1", "1", "--beta1: expected a number in [0, 1), got \"1\""},
        {"--beta1", "-0.1", "--beta1: expected a number in [0, 1), got \"-0.1\""},
        {"--beta2", "nan", "--beta2: expected a number in [0, 1), got \"nan\""},
        {"--beta2", "0.9x", "--beta2: expected a number in [0, 1), got \"0.9x\""},
        {"--rms-decay", "1.5", "--rms-decay: expected a number in [0, 1), got \"1.5\""},
        {"--adam-eps", "0", "--adam-eps: expected a number in (0, 1], got \"0\""},
        {"--adam-eps", "2", "--adam-eps: expected a number in (0, 1], got \"2\""},
        {"--sam-rho", "-1e-9", "--sam-rho: expected a number in [0, 10], got \"-1e-9\""},
        {"--sam-rho", "inf", "--sam-rho: expected a number in [0, 10], got \"inf\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cli_opts o;
        char *cause = NULL;
        int rc = parse(&o, &cause, cases[i][0], cases[i][1], NULL);
        expect_message(rc, cause, cases[i][2]);
    }
}

Test(cli, load_accepts_optimizer_overrides)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, "--headless", "--steps", "10", "--load", "s", "--optimizer", "sam",
                   "--sam-rho", "0.2", "--beta1", "0.5", "--beta2", "0.9", "--rms-decay", "0.8",
                   "--adam-eps", "1e-6", NULL);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    cr_expect_eq(o.cfg.optim, OU_OPTIM_SAM);
    cr_expect(same(o.cfg.sam_rho, 0.2));
    cr_expect_eq(o.set, CLI_SET_STEPS | CLI_SET_OPTIM | CLI_SET_SAM_RHO | CLI_SET_BETA1 |
                            CLI_SET_BETA2 | CLI_SET_RMS_DECAY | CLI_SET_OPT_EPS);
}

/* ---- the A/B comparison ---- */

Test(cli, compare_is_off_unless_asked_for)
{
    struct cli_opts o;
    char *cause = NULL;
    cr_assert_eq(parse(&o, &cause, NULL), 0);
    cr_expect_eq(o.compare.knob, COMPARE_NONE);
}

Test(cli, compare_stores_each_knob_and_value)
{
    static const struct {
        const char *arg;
        enum compare_knob knob;
        double value;
    } cases[] = {
        {"sigma=0", COMPARE_SIGMA, 0.0},
        {"sigma=100", COMPARE_SIGMA, 100.0},
        {"eta=10", COMPARE_ETA, 10.0},
        {"batch=1", COMPARE_BATCH, 1.0},
        {"batch=1024", COMPARE_BATCH, 1024.0},
        {"optimizer=adam", COMPARE_OPTIMIZER, (double)OU_OPTIM_ADAM},
        {"optimizer=pathsgd", COMPARE_OPTIMIZER, (double)OU_OPTIM_PATHSGD},
        {"momentum=0.999", COMPARE_MOMENTUM, 0.999},
        {"noise=pm", COMPARE_NOISE, (double)OU_NOISE_PM},
        {"noise=gauss", COMPARE_NOISE, (double)OU_NOISE_GAUSS},
        {"frozen=on", COMPARE_FROZEN, 1.0},
        {"frozen=off", COMPARE_FROZEN, 0.0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cli_opts o;
        char *cause = NULL;
        int rc = parse(&o, &cause, "--compare", cases[i].arg, NULL);
        cr_assert_eq(rc, 0, "%s refused: %s", cases[i].arg, cause ? cause : "");
        cr_expect_eq(o.compare.knob, cases[i].knob, "%s", cases[i].arg);
        cr_expect(same(o.compare.value, cases[i].value), "%s stored %.17g", cases[i].arg,
                  o.compare.value);
        /* A's own knobs stay at their defaults. */
        cr_expect_eq(o.set, 0, "%s", cases[i].arg);
        cr_expect(same(o.cfg.sigma, 0.5));
    }
    struct cli_opts o;
    char *cause = NULL;
    cr_assert_eq(parse(&o, &cause, "--compare=sigma=0.25", NULL), 0);
    cr_expect_eq(o.compare.knob, COMPARE_SIGMA);
    cr_expect(same(o.compare.value, 0.25));
}

ParameterizedTestParameters(cli, compare_refuses_naming_the_knob_and_its_range)
{
    static struct bad_value params[] = {
        {"--compare", "sigma",
         "--compare: expected KNOB=VALUE with KNOB one of sigma, eta, batch, optimizer, momentum, "
         "noise or frozen, got \"sigma\""},
        {"--compare", "lr=0.1",
         "--compare: expected KNOB=VALUE with KNOB one of sigma, eta, batch, optimizer, momentum, "
         "noise or frozen, got \"lr=0.1\""},
        {"--compare", "=0.1",
         "--compare: expected KNOB=VALUE with KNOB one of sigma, eta, batch, optimizer, momentum, "
         "noise or frozen, got \"=0.1\""},
        {"--compare", "Sigma=0",
         "--compare: expected KNOB=VALUE with KNOB one of sigma, eta, batch, optimizer, momentum, "
         "noise or frozen, got \"Sigma=0\""},
        {"--compare", "sigma=nan", "--compare sigma: expected a number in [0, 100], got \"nan\""},
        {"--compare", "sigma=-0.1", "--compare sigma: expected a number in [0, 100], got \"-0.1\""},
        {"--compare", "sigma=101", "--compare sigma: expected a number in [0, 100], got \"101\""},
        {"--compare", "sigma=", "--compare sigma: expected a number in [0, 100], got \"\""},
        {"--compare", "sigma=0=1", "--compare sigma: expected a number in [0, 100], got \"0=1\""},
        {"--compare", "eta=0", "--compare eta: expected a number in (0, 10], got \"0\""},
        {"--compare", "eta=inf", "--compare eta: expected a number in (0, 10], got \"inf\""},
        {"--compare", "batch=0", "--compare batch: expected a whole number in 1..1024, got \"0\""},
        {"--compare", "batch=2.5",
         "--compare batch: expected a whole number in 1..1024, got \"2.5\""},
        {"--compare", "momentum=1",
         "--compare momentum: expected a number in [0, 0.999], got \"1\""},
        {"--compare", "momentum=NaN",
         "--compare momentum: expected a number in [0, 0.999], got \"NaN\""},
        {"--compare", "optimizer=sgdd",
         "--compare optimizer: expected sgd, rmsprop, adam, sam or pathsgd, got \"sgdd\""},
        {"--compare", "noise=uniform", "--compare noise: expected gauss or pm, got \"uniform\""},
        {"--compare", "frozen=yes",
         "--compare frozen: expected on (frozen noise) or off (fresh noise), got \"yes\""},
    };
    return cr_make_param_array(struct bad_value, params, sizeof params / sizeof params[0]);
}

ParameterizedTest(struct bad_value *p, cli, compare_refuses_naming_the_knob_and_its_range)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, p->flag, p->arg, NULL);
    expect_message(rc, cause, p->message);
}

/* The single flags keep their messages now that --compare shares their parsers. */
Test(cli, the_single_knob_flags_share_the_compare_ranges)
{
    static const char *const pairs[][3] = {
        {"--noise", "sigma", "101"},  {"--lr", "eta", "0"},        {"--batch", "batch", "0"},
        {"--momentum", "momentum", "1"}, {"--optimizer", "optimizer", "x"},
        {"--noise-kind", "noise", "x"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        struct cli_opts o;
        char *single = NULL, *cmp = NULL, arg[32];
        cr_assert_eq(parse(&o, &single, pairs[i][0], pairs[i][2], NULL), -1);
        snprintf(arg, sizeof arg, "%s=%s", pairs[i][1], pairs[i][2]);
        cr_assert_eq(parse(&o, &cmp, "--compare", arg, NULL), -1);
        /* The same text after the flag's name. */
        const char *a = strchr(single, ':'), *b = strchr(cmp, ':');
        cr_assert(a && b);
        cr_expect_str_eq(a, b, "%s vs %s", single, cmp);
        free(single);
        free(cmp);
    }
}

Test(cli, compare_is_for_the_live_view_and_takes)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, "--headless", "--steps", "10", "--compare", "sigma=0", NULL);
    expect_message(rc, cause,
                   "--compare: only for the live view and headless takes (--headless with "
                   "--script or --record); a CSV run has one engine");
    cause = NULL;
    rc = parse(&o, &cause, "--headless", "--script", "s.ous", "--compare", "batch=1", NULL);
    cr_expect_eq(rc, 0, "refused: %s", cause ? cause : "");
    rc = parse(&o, &cause, "--headless", "--record", "r.cast", "--steps", "5", "--compare",
               "optimizer=adam", NULL);
    cr_expect_eq(rc, 0, "refused: %s", cause ? cause : "");
}

/* B differs from A in one knob: a second --compare is refused, naming both, not dropped. */
Test(cli, a_second_compare_is_refused_naming_both)
{
    struct cli_opts o;
    char *cause = NULL;
    int rc = parse(&o, &cause, "--compare", "sigma=0", "--compare", "eta=1", NULL);
    expect_message(rc, cause,
                   "--compare: given twice (\"sigma=0\" and \"eta=1\"); B differs from A in one "
                   "knob");
    cause = NULL;
    rc = parse(&o, &cause, "--compare=batch=1", "--lr", "0.1", "--compare", "batch=1", NULL);
    expect_message(rc, cause,
                   "--compare: given twice (\"batch=1\" and \"batch=1\"); B differs from A in one "
                   "knob");
}
