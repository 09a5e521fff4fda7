/*
 * The script parser: a script using every command parses into the
 * commands written, and each kind of mistake is refused with the file,
 * the line and what was expected, before anything runs.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/keymap.h"
#include "app/script.h"

static struct script *
parse_ok(const char *text)
{
    struct script *sc = NULL;
    char *cause = NULL;
    int rc = script_parse("ok.ous", text, strlen(text), &sc, &cause);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    cr_assert_not_null(sc);
    return sc;
}

Test(script, every_command_parses_into_what_was_written)
{
    const char *text = "# a demo\n"
                       "data x2 16   # sixteen points\n"
                       "width 64\n"
                       "seed 18446744073709551615\n"
                       "model linear\n"
                       "bias off\n"
                       "size 100x30\n"
                       "fps 12.5\n"
                       "title \"Noise \\\"on\\\" \\\\ off\"\n"
                       "\n"
                       "set sigma 0\r\n"
                       "set eta 0.1\n"
                       "set batch 4\n"
                       "set momentum 0.9\n"
                       "set noise pm\n"
                       "set frozen on\n"
                       "set kick 0.25\n"
                       "set optimizer adam\n"
                       "speed 2e3\n"
                       "caption \"σ = 0 # not a comment\" for 500 steps\n"
                       "wait steps 1000\n"
                       "key space v ] Ctrl-L\n"
                       "at step 5000\n"
                       "wait frames 30\n"
                       "wait until reg < 6.2 within 100000 steps\n"
                       "wait until eta_lambda >= 1.5\n"
                       "wait until diverged\n"
                       "pause\n"
                       "resume\n"
                       "caption off\n"
                       "caption \"until replaced\"\n"
                       "marker \"noise on\"\n"
                       "end\n";
    struct script *sc = parse_ok(text);
    const struct script_setup *su = &sc->setup;
    cr_expect_eq(su->data, OU_DATA_X2);
    cr_expect_eq(su->n, 16);
    cr_expect_eq(su->width, 64);
    cr_expect_eq(su->seed, UINT64_MAX);
    cr_expect_eq(su->model, OU_MODEL_LINEAR);
    cr_expect_not(su->bias);
    cr_expect_eq(su->w, 100);
    cr_expect_eq(su->h, 30);
    cr_expect_eq(su->fps, 12.5);
    cr_expect_str_eq(su->title, "Noise \"on\" \\ off");
    cr_expect_eq(su->set, SCRIPT_SET_DATA | SCRIPT_SET_N | SCRIPT_SET_WIDTH | SCRIPT_SET_SEED |
                              SCRIPT_SET_MODEL | SCRIPT_SET_BIAS | SCRIPT_SET_SIZE |
                              SCRIPT_SET_FPS | SCRIPT_SET_TITLE);

    const struct script_cmd *c = sc->cmd;
    cr_assert_eq(sc->ncmd, 23);
    const enum script_knob knobs[] = {SCRIPT_SIGMA,  SCRIPT_ETA,  SCRIPT_BATCH,    SCRIPT_MOMENTUM,
                                      SCRIPT_NOISE,  SCRIPT_FROZEN, SCRIPT_KICK, SCRIPT_OPTIMIZER};
    const double values[] = {0, 0.1, 4, 0.9, OU_NOISE_PM, 1, 0.25, OU_OPTIM_ADAM};
    for (int i = 0; i < 8; i++) {
        cr_expect_eq(c[i].op, SCRIPT_SET);
        cr_expect_eq(c[i].knob, knobs[i]);
        cr_expect_eq(c[i].value, values[i], "knob %d", i);
        cr_expect_eq(c[i].line, 11 + i);
    }
    cr_expect_eq(c[8].op, SCRIPT_SPEED);
    cr_expect_eq(c[8].count, 2000);
    cr_expect_eq(c[9].op, SCRIPT_CAPTION);
    cr_expect_str_eq(c[9].text, "σ = 0 # not a comment");
    cr_expect_eq(c[9].count, 500);
    cr_expect_not(c[9].frames);
    cr_expect_eq(c[10].op, SCRIPT_WAIT_STEPS);
    cr_expect_eq(c[10].count, 1000);
    cr_expect_eq(c[11].op, SCRIPT_KEY);
    cr_assert_eq(c[11].nkeys, 4);
    cr_expect_eq(c[11].keys[0], ' ');
    cr_expect_eq(c[11].keys[1], 'v');
    cr_expect_eq(c[11].keys[2], ']');
    cr_expect_eq(keymap_lookup(c[11].keys[3]), KEYMAP_REDRAW);
    cr_expect_eq(c[12].op, SCRIPT_AT_STEP);
    cr_expect_eq(c[12].count, 5000);
    cr_expect_eq(c[13].op, SCRIPT_WAIT_FRAMES);
    cr_expect_eq(c[13].count, 30);
    cr_expect_eq(c[14].op, SCRIPT_WAIT_UNTIL);
    cr_expect_eq(c[14].metric, SCRIPT_M_REG);
    cr_expect_eq(c[14].cmp, SCRIPT_LT);
    cr_expect_eq(c[14].value, 6.2);
    cr_expect_eq(c[14].within, 100000);
    cr_expect_eq(c[15].metric, SCRIPT_M_ETA_LAMBDA);
    cr_expect_eq(c[15].cmp, SCRIPT_GE);
    cr_expect_eq(c[15].within, SCRIPT_WITHIN_DEFAULT);
    cr_expect_eq(c[16].metric, SCRIPT_M_DIVERGED);
    cr_expect_eq(c[17].op, SCRIPT_PAUSE);
    cr_expect_eq(c[18].op, SCRIPT_RESUME);
    cr_expect_eq(c[19].op, SCRIPT_CAPTION);
    cr_expect_null(c[19].text);
    cr_expect_eq(c[20].count, 0, "a caption without for lasts until replaced");
    cr_expect_eq(c[21].op, SCRIPT_MARKER);
    cr_expect_str_eq(c[21].text, "noise on");
    cr_expect_eq(c[22].op, SCRIPT_END);
    cr_expect_eq(c[22].line, 33);
    script_destroy(sc);
}

Test(script, an_empty_script_and_comments_only_are_fine)
{
    struct script *sc = parse_ok("");
    cr_expect_eq(sc->ncmd, 0);
    cr_expect(sc->setup.bias, "bias defaults to on");
    script_destroy(sc);
    sc = parse_ok("   # nothing\n\t\n# more\n");
    cr_expect_eq(sc->ncmd, 0);
    script_destroy(sc);
}

Test(script, a_reset_lets_steps_start_over)
{
    struct script *sc = parse_ok("at step 5000\nkey r\nat step 100\nwait steps 10\nkey u\n"
                                 "at step 50\n");
    cr_expect_eq(sc->ncmd, 6);
    script_destroy(sc);
}

Test(script, scaling_shrinks_counts_but_not_speed)
{
    struct script *sc = parse_ok("speed 500\nwait steps 100000\nat step 150001\n"
                                 "wait frames 30\ncaption \"x\" for 2000 steps\n"
                                 "wait until reg < 5 within 40000 steps\n"
                                 "wait until step >= 300000\nwait steps 1\n");
    script_scale(sc, 0.01);
    cr_expect_eq(sc->cmd[0].count, 500);
    cr_expect_eq(sc->cmd[1].count, 1000);
    cr_expect_eq(sc->cmd[2].count, 1501, "rounded up");
    cr_expect_eq(sc->cmd[3].count, 1);
    cr_expect_eq(sc->cmd[4].count, 20);
    cr_expect_eq(sc->cmd[5].within, 400);
    cr_expect_eq(sc->cmd[6].value, 3000);
    cr_expect_eq(sc->cmd[7].count, 1, "never below one");
    script_destroy(sc);
}

Test(script, compare_and_names)
{
    cr_expect(script_compare(1, SCRIPT_LT, 2));
    cr_expect_not(script_compare(2, SCRIPT_LT, 2));
    cr_expect(script_compare(2, SCRIPT_LE, 2));
    cr_expect(script_compare(3, SCRIPT_GT, 2));
    cr_expect_not(script_compare(2, SCRIPT_GT, 2));
    cr_expect(script_compare(2, SCRIPT_GE, 2));
    cr_expect_str_eq(script_metric_name(SCRIPT_M_REG_EMA), "reg_ema");
    cr_expect_str_eq(script_knob_name(SCRIPT_MOMENTUM), "momentum");
    cr_expect_str_eq(script_cmp_name(SCRIPT_LE), "<=");
}

/*
 * A bad script, the line the error must name, and a phrase it must
 * contain.  Arrays, not pointers: Criterion copies the parameters into each
 * test's own process.
 */
struct bad {
    char text[64];
    int line;
    char says[64];
};

static const struct bad bad_scripts[] = {
    {"set sigma 0.1\nfrobnicate 3\n", 2, "unknown command \"frobnicate\""},
    {"set sigma abc\n", 1, "set sigma: expected a number in [0, 100], got \"abc\""},
    {"set sigma nan\n", 1, "expected a finite number"},
    {"set eta inf\n", 1, "expected a finite number"},
    {"set eta 0\n", 1, "set eta: expected a number in (0, 10]"},
    {"set sigma 101\n", 1, "[0, 100]"},
    {"set batch 2.5\n", 1, "set batch: expected a whole number in 1..1024"},
    {"set noise uniform\n", 1, "expected gauss or pm"},
    {"set optimizer lion\n", 1, "set optimizer: expected sgd, rmsprop, adam, sam or pathsgd"},
    {"set frozen yes\n", 1, "expected on or off"},
    {"set temperature 3\n", 1, "unknown knob \"temperature\""},
    {"set sigma\n", 1, "expected \"set KNOB VALUE\""},
    {"wait steps 0\n", 1, "wait steps: expected a whole number in 1.."},
    {"wait steps -5\n", 1, "expected a whole number"},
    {"wait steps 1e30\n", 1, "expected a whole number"},
    {"wait 10\n", 1, "expected \"wait steps N\""},
    {"wait until regg < 3\n", 1, "unknown metric \"regg\""},
    {"wait until reg = 3\n", 1, "expected <, <=, > or >="},
    {"wait until reg <\n", 1, "expected a comparison"},
    {"wait until reg < 3 within 10\n", 1, "within N steps"},
    {"wait steps 100\nat step 50\n", 2, "steps must not go backwards (line 1"},
    {"at step 500\nwait steps 10\nat step 505\n", 3, "must not go backwards"},
    {"key Q\n", 1, "unknown key \"Q\""},
    {"key\n", 1, "expected \"key K...\""},
    {"caption \"unterminated\n", 1, "unterminated string"},
    {"caption \"bad \\n escape\"\n", 1, "unknown escape"},
    {"caption hello\n", 1, "expected \"quoted text\""},
    {"caption \"x\" for 10 seconds\n", 1, "for N steps"},
    {"caption \"tab\there\"\n", 1, "without control characters"},
    {"marker \"\xff\"\n", 1, "UTF-8"},
    {"marker\n", 1, "marker \"label\""},
    {"speed 0\n", 1, "speed: expected a whole number in 1..10000000"},
    {"speed fast\n", 1, "speed: expected a whole number"},
    {"end\nset sigma 1\n", 2, "nothing may follow end (line 1)"},
    {"pause now\n", 1, "pause takes nothing"},
    {"set sigma 1\nwidth 64\n", 2, "must come before the first command (line 1)"},
    {"data sine 8\n", 1, "data: expected sin3x, x2, abs or random"},
    {"data sin3x 1\n", 1, "data: the number of points: expected a whole number in 2..1024"},
    {"size 10x10\n", 1, "size: expected COLSxROWS"},
    {"size 120x\n", 1, "size: expected COLSxROWS"},
    {"fps 0\n", 1, "fps: expected a number in [1, 240]"},
    {"seed -1\n", 1, "seed: expected a whole number"},
    {"model cnn\n", 1, "model: expected relu or linear"},
    {"bias maybe\n", 1, "bias: expected on or off"},
    {"\"quoted\"\n", 1, "expected a command"},
    {"caption \"x\"y\n", 1, "expected a blank after the closing"},
};

ParameterizedTestParameters(script, mistakes_are_refused_with_file_line_and_what_was_expected)
{
    return cr_make_param_array(struct bad, bad_scripts, sizeof bad_scripts / sizeof bad_scripts[0]);
}

ParameterizedTest(const struct bad *b, script, mistakes_are_refused_with_file_line_and_what_was_expected)
{
    struct script *sc = NULL;
    char *cause = NULL;
    int rc = script_parse("demo.ous", b->text, strlen(b->text), &sc, &cause);
    cr_assert_eq(rc, -1, "accepted: %s", b->text);
    cr_assert_null(sc);
    cr_assert_not_null(cause);
    char where[32];
    snprintf(where, sizeof where, "demo.ous:%d: ", b->line);
    cr_expect_eq(strncmp(cause, where, strlen(where)), 0, "\"%s\" does not start with %s", cause,
                 where);
    cr_expect_not_null(strstr(cause, b->says), "\"%s\" does not say \"%s\"", cause, b->says);
    cr_expect_null(strchr(cause, '\n'), "a message of more than one line");
    free(cause);
}

Test(script, a_nul_byte_is_refused)
{
    const char text[] = "set sigma 1\nmarker \"a\0b\"\n";
    struct script *sc = NULL;
    char *cause = NULL;
    cr_assert_eq(script_parse("nul.ous", text, sizeof text - 1, &sc, &cause), -1);
    cr_expect_not_null(strstr(cause, "nul.ous:2: "), "%s", cause);
    free(cause);
}

Test(script, load_names_the_file_when_it_cannot_be_read)
{
    struct script *sc = NULL;
    char *cause = NULL;
    cr_assert_eq(script_load("/nonexistent/demo.ous", &sc, &cause), SCRIPT_EREAD);
    cr_expect_not_null(strstr(cause, "--script: /nonexistent/demo.ous: "), "%s", cause);
    free(cause);
    cause = NULL;
    cr_assert_eq(script_load(P_tmpdir, &sc, &cause), SCRIPT_EREAD);
    cr_expect_not_null(strstr(cause, "is a directory"), "%s", cause);
    free(cause);
    cause = NULL;
    char path[128];
    snprintf(path, sizeof path, "%s/ouscript-%d.ous", P_tmpdir, (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("set sigma 0.2\nwait steps ten\n", f);
    fclose(f);
    cr_assert_eq(script_load(path, &sc, &cause), SCRIPT_EPARSE);
    char want[256];
    snprintf(want, sizeof want, "%s:2: wait steps: expected a whole number", path);
    cr_expect_not_null(strstr(cause, want), "%s", cause);
    free(cause);
    unlink(path);
}
