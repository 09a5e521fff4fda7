/*
 * Render tests: hand-built snapshots and histories drawn into the
 * in-memory screen and compared, as text, with the files in tests/golden
 * (GENERATE=1 rewrites them; review the diff).  Also the pieces: scales,
 * ticks, canvas glyphs, the decimated history, layout and plot mapping.
 * Links the render library and the engine, never curses.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/keymap.h"
#include "ouscope/engine.h"
#include "render/canvas.h"
#include "render/chrome.h"
#include "render/history.h"
#include "render/layout.h"
#include "render/panes.h"
#include "render/plot.h"
#include "render/scale.h"
#include "render/screen.h"
#include "render/theme.h"

/* ---- fixtures ---- */

static const struct help_entry test_hints[] = {
    {"space", "pause", NULL}, {"s/.", "step", NULL}, {"]/[", "σ", NULL},
    {"}/{", "η", NULL},       {"?", "help", NULL},   {"q", "quit", NULL},
};

static const struct help_entry test_help[] = {
    {"space", "pause or resume", "Running"},    {"s .", "one step (pauses first)", NULL},
    {"]", "σ ×2 (label-noise std)", "Noise"},   {"[", "σ ÷2", NULL},
    {"}", "η ×2 (learning rate)", "Optimizer"}, {"q", "quit", "View"},
};

/*
 * A snapshot of sin 3x on 8 points near the end of a label-noise run:
 * h is the data's linear spline plus a small bump, four effective kinks.
 */
static void
make_snapshot(struct ou_snapshot *s, const struct layout *lay, const struct view *v)
{
    memset(s, 0, sizeof *s);
    ou_config_default(&s->cfg);
    s->step = 4000000;
    s->status = OU_OK;
    cr_assert_eq(ou_data_builtin(&s->data, OU_DATA_SIN3X, 8, 1), OU_OK);
    struct ou_snapshot_req req;
    panes_curve_request(lay, &s->data, v, &req);
    s->curve_lo = req.lo;
    s->curve_hi = req.hi;
    s->ncurve = req.ncurve;
    for (size_t k = 0; k < s->ncurve; k++) {
        double x = req.lo + (req.hi - req.lo) * (double)k / (double)(req.ncurve - 1);
        s->curve[k] = ou_data_spline(&s->data, x) + 0.05 * sin(7.0 * x);
    }
    struct ou_metrics *m = &s->met;
    m->loss = 2.4e-3;
    m->reg = 5.87;
    m->reg_ema = 5.88;
    m->lambda_max = 3.2;
    m->eta_lambda = 0.16;
    m->loss_floor = 0.05 * 0.25 / 32.0 * 5.87;
    m->balance = 0.05;
    m->live_units = 20;
    m->tv_hprime = 10.9;
    m->spline_tv = 10.72;
    m->max_dev_spline = 0.28;
    m->convex_h = 1;
    m->convex_data = 1;
    m->nkinks = 4;
    const double kx[4] = {-0.577, -0.229, 0.234, 0.578}, ks[4] = {2.1, 1.3, -1.3, -2.1};
    for (int k = 0; k < 4; k++) {
        m->kink_x[k] = kx[k];
        m->kink_s[k] = ks[k];
    }
}

/* 3000 frames of a run whose reg falls from 20 to 5.9 and balance from 2 to 0.05. */
static void
make_history(struct history *h)
{
    history_clear(h);
    for (int f = 0; f < 3000; f++) {
        double step = 1333.0 * (f + 1), t = step / 1e6;
        double reg = 5.9 + 14.1 * exp(-3.0 * t);
        double y[HIST_NSERIES];
        y[HIST_REG] = reg + 0.05 * sin(0.37 * f);
        y[HIST_REG_EMA] = reg + 0.02;
        y[HIST_FLOOR] = 0.05 * 0.25 / 32.0 * reg;
        y[HIST_LOSS] = y[HIST_FLOOR] * (1.05 + 0.2 * sin(1.3 * f)) + 0.2 * exp(-40.0 * t);
        y[HIST_ETAL] = 0.16 + 0.3 * exp(-2.0 * t);
        y[HIST_BALANCE] = 0.05 + 1.95 * exp(-5.0 * t);
        history_push(h, step, 1333.0, y);
    }
}

static void
make_view(struct view *v, const struct history *h, enum canvas_glyphs g)
{
    memset(v, 0, sizeof *v);
    v->glyphs = g;
    v->loss_log = true;
    v->kinks = true;
    v->ghost = true;
    v->speed = "max";
    v->sps = 2.4e6;
    v->fps = 30;
    v->hist = h;
    v->hints = test_hints;
    v->nhints = sizeof test_hints / sizeof test_hints[0];
    v->help_items = test_help;
    v->nhelp = sizeof test_help / sizeof test_help[0];
}

/* Everything one golden frame needs, on the heap (the snapshot is large). */
struct frame {
    struct screen scr;
    struct layout lay;
    struct view view;
    struct history hist;
    struct ou_snapshot snap;
};

static struct frame *
frame_new(int w, int h, enum canvas_glyphs g)
{
    struct frame *f = calloc(1, sizeof *f);
    cr_assert_not_null(f);
    make_history(&f->hist);
    make_view(&f->view, &f->hist, g);
    screen_init(&f->scr, g == CANVAS_ASCII);
    cr_assert(screen_resize(&f->scr, w, h));
    layout_compute(&f->lay, w, h);
    make_snapshot(&f->snap, &f->lay, &f->view);
    return f;
}

static void
frame_free(struct frame *f)
{
    screen_fini(&f->scr);
    free(f);
}

static char *
screen_text(const struct screen *s)
{
    size_t need = screen_to_text(s, NULL, 0) + 1;
    char *buf = malloc(need);
    cr_assert_not_null(buf);
    screen_to_text(s, buf, need);
    return buf;
}

static char *
golden_path(const char *name)
{
    static char path[4096];
    const char *dir = getenv("OU_GOLDEN");
    const char *src = getenv("OU_SRCDIR");
    if (dir)
        snprintf(path, sizeof path, "%s/%s.txt", dir, name);
    else
        snprintf(path, sizeof path, "%s/tests/golden/%s.txt", src ? src : ".", name);
    return path;
}

/* Compare the screen with tests/golden/<name>.txt, or rewrite it under GENERATE=1. */
static void
expect_golden(const struct screen *s, const char *name)
{
    char *got = screen_text(s);
    const char *path = golden_path(name);
    const char *gen = getenv("GENERATE");
    if (gen && strcmp(gen, "1") == 0) {
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f, "cannot write %s: %s", path, strerror(errno));
        fputs(got, f);
        fclose(f);
        free(got);
        return;
    }
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "missing golden file %s (run GENERATE=1 make check)", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *want = calloc(1, (size_t)len + 1);
    cr_assert_eq(fread(want, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    if (strcmp(got, want) != 0) {
        /* Point at the first line that differs and keep the whole screen for diff(1). */
        int line = 1;
        size_t i = 0;
        while (got[i] && got[i] == want[i]) {
            if (got[i] == '\n')
                line++;
            i++;
        }
        char out[256];
        snprintf(out, sizeof out, "%s.actual.txt", name);
        FILE *o = fopen(out, "w");
        if (o) {
            fputs(got, o);
            fclose(o);
        }
        cr_expect_fail("%s differs from the screen at line %d (the screen is in %s)", path, line,
                       out);
    }
    free(want);
    free(got);
}

/* ---- golden frames ---- */

Test(render, frame_120x40_braille)
{
    struct frame *f = frame_new(120, 40, CANVAS_BRAILLE);
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    expect_golden(&f->scr, "frame_120x40_braille");
    frame_free(f);
}

Test(render, frame_80x24_braille)
{
    struct frame *f = frame_new(80, 24, CANVAS_BRAILLE);
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    expect_golden(&f->scr, "frame_80x24_braille");
    frame_free(f);
}

Test(render, frame_200x60_braille)
{
    struct frame *f = frame_new(200, 60, CANVAS_BRAILLE);
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    expect_golden(&f->scr, "frame_200x60_braille");
    frame_free(f);
}

Test(render, frame_80x24_ascii_has_only_ascii)
{
    struct frame *f = frame_new(80, 24, CANVAS_ASCII);
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    expect_golden(&f->scr, "frame_80x24_ascii");
    for (int i = 0; i < f->scr.w * f->scr.h; i++)
        cr_expect(f->scr.cells[i].ch < 0x80, "cell %d holds U+%04X on an ASCII screen", i,
                  (unsigned)f->scr.cells[i].ch);
    frame_free(f);
}

Test(render, frame_120x40_blocks)
{
    struct frame *f = frame_new(120, 40, CANVAS_BLOCKS);
    f->view.loss_log = false;
    f->view.reg_log = true;
    f->view.ghost = false;
    f->view.kinks = false;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    expect_golden(&f->scr, "frame_120x40_blocks_toggled");
    frame_free(f);
}

Test(render, help_overlay_80x24)
{
    struct frame *f = frame_new(80, 24, CANVAS_BRAILLE);
    f->view.help = true;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    expect_golden(&f->scr, "help_80x24");
    frame_free(f);
}

/*
 * The help overlay with the program's own key table.  An entry counts as
 * shown when its keys, two blanks and its text appear on one row: the
 * whole text, or a prefix of it that ends in the ellipsis.
 */
struct help_seen {
    int shown, full, cut, total;
};

static struct help_seen
help_seen(const char *screen, const struct help_entry *e, size_t n, const char *ell)
{
    struct help_seen hs = {0, 0, 0, (int)n};
    for (size_t i = 0; i < n; i++) {
        /* The keys, two blanks and the text's first word. */
        char want[160];
        size_t w = strcspn(e[i].text, " ");
        snprintf(want, sizeof want, "%s  %.*s", e[i].keys, (int)w, e[i].text);
        const char *at = strstr(screen, want);
        if (!at)
            continue;
        const char *t = at + strlen(e[i].keys) + 2;
        size_t line = strcspn(t, "\n");
        size_t tl = strlen(e[i].text);
        if (tl <= line && strncmp(t, e[i].text, tl) == 0 &&
            (tl == line || t[tl] == ' ' || (unsigned char)t[tl] >= 0x80)) {
            hs.shown++;
            hs.full++;
            continue;
        }
        /* Cut: a prefix of the text (at least its first word), then the ellipsis. */
        const char *dots = strstr(t, ell);
        cr_expect(dots && (size_t)(dots - t) < line, "\"%s\" is cut without an ellipsis: %.*s",
                  e[i].keys, (int)line, t);
        if (!dots || (size_t)(dots - t) >= line)
            continue;
        size_t k = (size_t)(dots - t);
        cr_expect(k >= w && k < tl && strncmp(t, e[i].text, k) == 0,
                  "\"%s\": %.*s is not a prefix of \"%s\"", e[i].keys, (int)k, t, e[i].text);
        hs.shown++;
        hs.cut++;
    }
    return hs;
}

static size_t
real_help(struct help_entry *e, char keys[][KEYMAP_KEYS_MAX], size_t max)
{
    size_t n = keymap_help(e, keys, max);
    cr_assert_gt(n, 30, "the key table has only %zu help lines", n);
    return n;
}

Test(render, help_overlay_shows_every_key_at_120x40)
{
    static struct help_entry e[128];
    static char keys[128][KEYMAP_KEYS_MAX];
    size_t n = real_help(e, keys, 128);
    struct frame *f = frame_new(120, 40, CANVAS_BRAILLE);
    f->view.help = true;
    f->view.help_items = e;
    f->view.nhelp = n;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    char *t = screen_text(&f->scr);
    struct help_seen hs = help_seen(t, e, n, "…");
    cr_expect_eq(hs.full, (int)n, "%d of %zu keys shown in full at 120x40:\n%s", hs.full, n, t);
    cr_expect(strstr(t, "enlarge the terminal") == NULL, "%s", t);
    cr_expect(strstr(t, "any key closes · man ouscope") != NULL, "%s", t);
    /* Every section head is there too. */
    for (size_t i = 0; i < n; i++)
        if (e[i].section)
            cr_expect(strstr(t, e[i].section) != NULL, "no section %s", e[i].section);
    free(t);
    frame_free(f);
}

/*
 * At 80x24 two columns hold more than one could (19 rows are free between
 * the borders and the foot); what is left out is said, and what is cut
 * ends in an ellipsis ("..." on an ASCII screen).
 */
Test(render, help_overlay_at_80x24_shows_what_fits)
{
    static struct help_entry e[128];
    static char keys[128][KEYMAP_KEYS_MAX];
    size_t n = real_help(e, keys, 128);
    for (int ascii = 0; ascii < 2; ascii++) {
        struct frame *f = frame_new(80, 24, ascii ? CANVAS_ASCII : CANVAS_BRAILLE);
        f->view.help = true;
        f->view.help_items = e;
        f->view.nhelp = n;
        panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
        char *t = screen_text(&f->scr);
        if (ascii) {
            /* Compare with the keys' and texts' ASCII spellings. */
            static struct help_entry ea[128];
            static char ta[128][160], ka[128][80];
            struct screen one;
            screen_init(&one, true);
            cr_assert(screen_resize(&one, 159, 1));
            for (size_t i = 0; i < n; i++) {
                ea[i] = e[i];
                screen_clear(&one);
                screen_puts(&one, 0, 0, -1, e[i].text, THEME_TEXT);
                screen_to_text(&one, ta[i], sizeof ta[i]);
                ta[i][strcspn(ta[i], "\n")] = '\0';
                screen_clear(&one);
                screen_puts(&one, 0, 0, -1, e[i].keys, THEME_TEXT);
                screen_to_text(&one, ka[i], sizeof ka[i]);
                ka[i][strcspn(ka[i], "\n")] = '\0';
                ea[i].text = ta[i];
                ea[i].keys = ka[i];
            }
            screen_fini(&one);
            struct help_seen hs = help_seen(t, ea, n, "...");
            cr_expect_gt(hs.shown, 19, "only %d keys shown (ASCII):\n%s", hs.shown, t);
            cr_expect_eq(strstr(t, "enlarge the terminal") != NULL, hs.shown < (int)n, "%s", t);
        } else {
            struct help_seen hs = help_seen(t, e, n, "…");
            cr_expect_gt(hs.shown, 19, "only %d keys shown:\n%s", hs.shown, t);
            cr_expect_eq(strstr(t, "enlarge the terminal") != NULL, hs.shown < (int)n, "%s", t);
            /* Filled to the bottom: 2 x 19 rows, less a head per section and a skipped row. */
            int nsect = 0;
            for (size_t i = 0; i < n; i++)
                nsect += e[i].section != NULL;
            cr_expect(hs.shown == (int)n || hs.shown >= 2 * 19 - nsect - 1,
                      "%d keys shown, the columns are not filled:\n%s", hs.shown, t);
        }
        free(t);
        frame_free(f);
    }
}

Test(render, too_small_names_both_sizes)
{
    struct frame *f = frame_new(40, 10, CANVAS_BRAILLE);
    cr_assert(f->lay.too_small);
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    expect_golden(&f->scr, "too_small_40x10");
    char *t = screen_text(&f->scr);
    char want[64];
    snprintf(want, sizeof want, "need %d×%d, have 40×10", f->lay.min_w, f->lay.min_h);
    cr_expect(strstr(t, want) != NULL, "no \"%s\" in:\n%s", want, t);
    free(t);
    frame_free(f);
}

Test(render, diverged_status_explains_and_warns)
{
    struct frame *f = frame_new(120, 40, CANVAS_BRAILLE);
    f->snap.status = OU_EDIVERGED;
    f->snap.diverged_at = 1234;
    f->snap.met.eta_lambda = 2.7;
    f->view.paused = true;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    expect_golden(&f->scr, "diverged_120x40");
    char *t = screen_text(&f->scr);
    cr_expect(strstr(t, "diverged at step 1,234: η·λ_max = 2.7 > 2; press u to rewind") != NULL,
              "%s", t);
    /* The message is in the error style. */
    cr_expect_eq(f->scr.cells[1].style, THEME_ERROR);
    free(t);
    frame_free(f);
}

Test(render, eta_lambda_colour_follows_the_limit)
{
    const double el[3] = {0.5, 1.7, 2.0};
    const enum theme_role want[3] = {THEME_BOLD, THEME_WARN, THEME_ERROR};
    for (int k = 0; k < 3; k++) {
        struct frame *f = frame_new(200, 60, CANVAS_BRAILLE);
        f->snap.met.eta_lambda = el[k];
        panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
        /* Find the value after the "η·λ_max" label on the status line. */
        char *t = screen_text(&f->scr);
        char *nl = strchr(t, '\n');
        *nl = '\0';
        char *at = strstr(t, "η·λ_max ");
        cr_assert_not_null(at, "%s", t);
        int col = 0;
        for (const char *p = t; p < at + strlen("η·λ_max "); col++)
            screen_utf8_decode(&p);
        cr_expect_eq(f->scr.cells[col].style, want[k], "η·λ_max = %g styled %d", el[k],
                     f->scr.cells[col].style);
        free(t);
        frame_free(f);
    }
}

Test(render, paused_and_noise_off_show_in_the_status)
{
    struct frame *f = frame_new(120, 40, CANVAS_BRAILLE);
    f->view.paused = true;
    f->view.sigma_off = 0.5;
    f->snap.cfg.sigma = 0.0;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    char *t = screen_text(&f->scr);
    const char *want = " PAUSED  step 4,000,000  η 0.05  σ off (0.5)  gauss fresh  B 8/8";
    cr_expect(strncmp(t, want, strlen(want)) == 0, "%.200s", t);
    free(t);
    frame_free(f);
}

/* The first line of the screen's text (the status line), in buf. */
static void
status_line(const struct screen *scr, char *buf, size_t len)
{
    char *t = screen_text(scr);
    snprintf(buf, len, "%.*s", (int)strcspn(t, "\n"), t);
    free(t);
}

/*
 * ouscope(1): the status line names the optimizer after μ when it is not
 * SGD.  At 120 columns that outlasts the seed and the data set; under SGD a
 * momentum of 0 is what goes first.
 */
Test(render, status_keeps_the_optimizer_at_120_columns)
{
    char line[1024];
    struct frame *f = frame_new(120, 40, CANVAS_BRAILLE);
    f->snap.cfg.seed = 20261201;
    f->snap.cfg.optim = OU_OPTIM_RMSPROP;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    status_line(&f->scr, line, sizeof line);
    cr_expect(strstr(line, "μ 0 rmsprop") != NULL, "no optimizer in: %s", line);
    /* Where everything fits, everything is there. */
    struct frame *g = frame_new(220, 40, CANVAS_BRAILLE);
    g->snap.cfg.seed = 20261201;
    g->snap.cfg.optim = OU_OPTIM_RMSPROP;
    panes_draw(&g->scr, &g->lay, &g->snap, &g->view);
    status_line(&g->scr, line, sizeof line);
    cr_expect(strstr(line, "μ 0 rmsprop") && strstr(line, "seed 20261201") &&
                  strstr(line, "data sin3x n=8"),
              "%s", line);
    frame_free(g);
    /* SGD with a momentum keeps μ at 120 columns too. */
    f->snap.cfg.optim = OU_OPTIM_SGD;
    f->snap.cfg.momentum = 0.9;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    status_line(&f->scr, line, sizeof line);
    cr_expect(strstr(line, "μ 0.9") != NULL && strstr(line, "sgd") == NULL, "%s", line);
    /* At 80 columns the optimizer still outlasts the noise kind. */
    struct frame *h = frame_new(80, 24, CANVAS_BRAILLE);
    h->snap.cfg.optim = OU_OPTIM_ADAM;
    panes_draw(&h->scr, &h->lay, &h->snap, &h->view);
    status_line(&h->scr, line, sizeof line);
    cr_expect(strstr(line, "adam") != NULL, "%s", line);
    frame_free(h);
    frame_free(f);
}

/* ---- text that does not fit ---- */

Test(chrome, text_that_does_not_fit_ends_in_an_ellipsis)
{
    struct screen s;
    char buf[64];
    screen_init(&s, false);
    cr_assert(screen_resize(&s, 12, 3));
    /* Fits exactly: unchanged. */
    cr_expect_eq(chrome_puts_fit(&s, 0, 0, 8, "abcdefgh", THEME_TEXT), 8);
    /* Seven columns for text, the blank before the ellipsis dropped. */
    cr_expect_eq(chrome_puts_fit(&s, 0, 1, 8, "abcdef ghij", THEME_TEXT), 7);
    /* Whole characters only: "σ²" is two code points, "η" one. */
    chrome_puts_fit(&s, 0, 2, 4, "ησ²xyz", THEME_TEXT);
    screen_to_text(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "abcdefgh\nabcdef…\nησ²…\n");
    screen_fini(&s);
    /* On an ASCII screen the ellipsis is "...", and symbols are not split. */
    screen_init(&s, true);
    cr_assert(screen_resize(&s, 12, 2));
    chrome_puts_fit(&s, 0, 0, 8, "abcdef ghij", THEME_TEXT);
    chrome_puts_fit(&s, 0, 1, 8, "x η σ", THEME_TEXT); /* "x eta sigma" */
    screen_to_text(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "abcde...\nx eta...\n");
    screen_fini(&s);
}

/*
 * A notice longer than the room left of help and quit (the C key prints
 * the run's command line) takes the whole hint bar while it shows and,
 * longer still, ends in an ellipsis at the right edge; a notice that fits
 * leaves help and quit at the right end.
 */
Test(render, a_long_notice_ends_in_an_ellipsis)
{
    static const char cmd[] =
        "ouscope --data sin3x --n 8 --seed 1 --width 32 --eta 0.05 --sigma 0.5 --batch 8 "
        "--noise gauss --momentum 0 --optimizer sgd --fps 30 --compare optimizer=adam";
    for (int ascii = 0; ascii < 2; ascii++) {
        struct frame *f = frame_new(120, 40, ascii ? CANVAS_ASCII : CANVAS_BRAILLE);
        f->view.notice = cmd;
        f->view.notice_style = THEME_NOTICE;
        panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
        char *t = screen_text(&f->scr);
        char *last = strrchr(t, '\n');
        *last = '\0';
        last = strrchr(t, '\n') + 1;
        const char *ell = ascii ? "..." : "…";
        const char *dots = strstr(last, ell);
        cr_assert_not_null(dots, "no ellipsis in the hint bar: %s", last);
        size_t k = (size_t)(dots - last) - 1; /* the notice starts after a blank */
        cr_expect(k > 100 && strncmp(last + 1, cmd, k) == 0, "not a prefix of the notice: %s",
                  last);
        cr_expect(strstr(last, "q quit") == NULL, "hints beside a notice that fills the row: %s",
                  last);
        free(t);
        /* A notice that fits is shown whole, with no ellipsis. */
        f->view.notice = "kick size 0.2 (length in parameter space)";
        panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
        t = screen_text(&f->scr);
        last = strrchr(t, '\n');
        *last = '\0';
        last = strrchr(t, '\n') + 1;
        cr_expect(strstr(last, " kick size 0.2 (length in parameter space) ") == last, "%s", last);
        cr_expect(strstr(last, ell) == NULL, "%s", last);
        cr_expect(strstr(last, "? help  q quit") != NULL, "%s", last);
        free(t);
        frame_free(f);
    }
}

Test(render, drift_overlay_marks_where_h_moves)
{
    struct frame *f = frame_new(120, 40, CANVAS_BRAILLE);
    /* A bump of drift between the third and fourth data points only. */
    static double dh[OU_CURVE_MAX];
    const struct ou_snapshot *s = &f->snap;
    for (size_t k = 0; k < s->ncurve; k++) {
        double x = s->curve_lo + (s->curve_hi - s->curve_lo) * (double)k / (double)(s->ncurve - 1);
        double a = s->data.x[2], b = s->data.x[3];
        dh[k] = x > a && x < b ? -1e-6 * sin(M_PI * (x - a) / (b - a)) : 0.0;
    }
    f->view.drift = true;
    f->view.dh = dh;
    f->view.ndh = s->ncurve;
    f->view.dh_steps = 1e5;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    char *t = screen_text(&f->scr);
    cr_expect(strstr(t, "h + 1e5·δh (drift)") != NULL, "no drift legend in:\n%s", t);
    free(t);
    /* Drift dots appear, and only between the two points. */
    struct plot p;
    cr_assert(panes_interp_plot(&f->lay, &f->snap, &f->view, &p));
    int dx0, dx1, dy;
    plot_dot(&p, s->data.x[2], 0.0, &dx0, &dy);
    plot_dot(&p, s->data.x[3], 0.0, &dx1, &dy);
    int n = 0;
    for (int y = p.cr.y; y < p.cr.y + p.cr.h; y++)
        for (int x = p.cr.x; x < p.cr.x + p.cr.w; x++)
            if (f->scr.cells[y * f->scr.w + x].style == THEME_DRIFT) {
                n++;
                cr_expect(x >= p.cr.x + dx0 / p.cv.cw && x <= p.cr.x + dx1 / p.cv.cw,
                          "drift drawn at column %d, outside the bump", x);
            }
    cr_expect(n > 0, "no drift drawn");
    /* A grid that does not match the curve is not drawn. */
    f->view.ndh = s->ncurve - 1;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    for (int i = 0; i < f->scr.w * f->scr.h; i++)
        cr_expect_neq(f->scr.cells[i].style, THEME_DRIFT);
    frame_free(f);
}

/* ---- the A/B comparison ---- */

/*
 * B of a comparison without label noise: its h is A's shifted up by 0.5
 * (far enough for rows of its own), its loss falls towards zero and its
 * reg stays where it started, while A's falls.
 */
struct ab_frame {
    struct frame *f;
    struct ou_snapshot snap_b;
    struct history hist_b;
};

static struct ab_frame *
ab_frame_new(int w, int h, enum canvas_glyphs g)
{
    struct ab_frame *ab = calloc(1, sizeof *ab);
    cr_assert_not_null(ab);
    ab->f = frame_new(w, h, g);
    ab->snap_b = ab->f->snap;
    ab->snap_b.cfg.sigma = 0.0;
    for (size_t k = 0; k < ab->snap_b.ncurve; k++)
        ab->snap_b.curve[k] = ab->f->snap.curve[k] + 0.5;
    history_clear(&ab->hist_b);
    for (int fr = 0; fr < 3000; fr++) {
        double step = 1333.0 * (fr + 1), t = step / 1e6;
        double y[HIST_NSERIES] = {0};
        y[HIST_REG] = 20.0 - 0.5 * t;
        y[HIST_REG_EMA] = y[HIST_REG];
        y[HIST_LOSS] = 0.2 * exp(-40.0 * t);
        y[HIST_ETAL] = 0.46;
        y[HIST_BALANCE] = 2.0;
        history_push(&ab->hist_b, step, 1333.0, y);
    }
    struct view *v = &ab->f->view;
    v->snap_b = &ab->snap_b;
    v->hist_b = &ab->hist_b;
    v->ab_diff = "σ 0.5 | 0";
    v->ab_label_a = "A σ=0.5";
    v->ab_label_b = "B σ=0";
    return ab;
}

static void
ab_frame_free(struct ab_frame *ab)
{
    frame_free(ab->f);
    free(ab);
}

/* Cells of `style` inside rectangle r of the screen. */
static int
count_style(const struct screen *s, struct rect r, enum theme_role style)
{
    int n = 0;
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            n += s->cells[y * s->w + x].style == style;
    return n;
}

Test(render, compare_120x40_golden)
{
    struct ab_frame *ab = ab_frame_new(120, 40, CANVAS_BRAILLE);
    panes_draw(&ab->f->scr, &ab->f->lay, &ab->f->snap, &ab->f->view);
    expect_golden(&ab->f->scr, "compare_120x40");
    ab_frame_free(ab);
}

/* The status line names the difference; the legends name both sides. */
Test(render, compare_names_the_difference_and_both_sides)
{
    struct ab_frame *ab = ab_frame_new(120, 40, CANVAS_BRAILLE);
    struct frame *f = ab->f;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    char *t = screen_text(&f->scr);
    char *nl = strchr(t, '\n');
    *nl = '\0';
    cr_expect(strstr(t, "A/B: σ 0.5 | 0") != NULL, "status line: %s", t);
    cr_expect(strstr(nl + 1, "━ A σ=0.5  ┅ B σ=0") != NULL, "no A and B in the legend:\n%s",
              nl + 1);
    free(t);
    /* B is drawn in its own colour in the interpolant, loss and reg panes, not the fourth. */
    cr_expect_gt(count_style(&f->scr, f->lay.pane[PANE_INTERP], THEME_EMA), 20);
    cr_expect_gt(count_style(&f->scr, f->lay.pane[PANE_LOSS], THEME_EMA), 10);
    cr_expect_gt(count_style(&f->scr, f->lay.pane[PANE_REG], THEME_EMA), 10);
    cr_expect_eq(count_style(&f->scr, f->lay.pane[PANE_STAB], THEME_EMA), 0);
    /* Off, nothing of B is left. */
    f->view.snap_b = NULL;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    t = screen_text(&f->scr);
    cr_expect(strstr(t, "A/B") == NULL && strstr(t, "B σ=0") == NULL, "%s", t);
    cr_expect(strstr(t, "━ h(x)") != NULL, "%s", t);
    free(t);
    cr_expect_eq(count_style(&f->scr, f->lay.pane[PANE_INTERP], THEME_EMA), 0);
    ab_frame_free(ab);
}

/*
 * B's curve is where its values say: at every sampled x the cell of
 * (x, h_B(x)) holds B's colour, unless a data point or A's curve sits on
 * it, and B's colour appears nowhere near A's curve alone.
 */
Test(render, compare_draws_b_at_its_own_values)
{
    struct ab_frame *ab = ab_frame_new(120, 40, CANVAS_BRAILLE);
    struct frame *f = ab->f;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    struct plot p;
    cr_assert(panes_interp_plot(&f->lay, &f->snap, &f->view, &p));
    const struct ou_snapshot *sb = &ab->snap_b;
    int checked = 0, hit = 0;
    for (size_t k = 0; k < sb->ncurve; k += 3) {
        double x =
            sb->curve_lo + (sb->curve_hi - sb->curve_lo) * (double)k / (double)(sb->ncurve - 1);
        int dx, dy;
        if (!plot_dot(&p, x, sb->curve[k], &dx, &dy) || dy < 0 || dy >= p.cv.dh)
            continue;
        int col = p.cr.x + dx / p.cv.cw, row = p.cr.y + dy / p.cv.ch;
        enum theme_role st = f->scr.cells[row * f->scr.w + col].style;
        checked++;
        hit += st == THEME_EMA || st == THEME_POINT || st == THEME_CURVE;
    }
    cr_expect_gt(checked, 20);
    cr_expect_eq(hit, checked, "%d of %d samples of B's curve are not drawn in B's colour",
                 checked - hit, checked);
    /* The y axis makes room for B: its highest value is inside the plot. */
    double top = -INFINITY;
    for (size_t k = 0; k < sb->ncurve; k++)
        top = fmax(top, sb->curve[k]);
    cr_expect_leq(top, p.ys.hi, "B's curve (max %g) is above the axis (%g)", top, p.ys.hi);
    ab_frame_free(ab);
}

/* A diverged B is labelled so, on the status line (warning) and in the legend. */
Test(render, compare_labels_a_diverged_b)
{
    struct ab_frame *ab = ab_frame_new(120, 40, CANVAS_BRAILLE);
    struct frame *f = ab->f;
    ab->snap_b.status = OU_EDIVERGED;
    ab->snap_b.diverged_at = 1234;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    char *t = screen_text(&f->scr);
    cr_expect(strstr(t, "A/B: σ 0.5 | 0 (B diverged at 1,234)") != NULL, "%.300s", t);
    cr_expect(strstr(t, "B σ=0 diverged") != NULL, "%s", t);
    const char *at = strstr(t, "σ 0.5 | 0");
    int col = 0;
    for (const char *q = t; q < at; col++)
        screen_utf8_decode(&q);
    cr_expect_eq(f->scr.cells[col].style, THEME_WARN);
    free(t);
    ab_frame_free(ab);
}

/*
 * B without noise drives its loss towards 0 (6.8e-71 at the end), far
 * below the six decades under A that the log axis gives it.  B then runs
 * along the bottom row of the plot, and its end label there names it and
 * points down.
 */
Test(render, compare_b_below_the_log_axis_stays_in_view)
{
    struct ab_frame *ab = ab_frame_new(120, 40, CANVAS_BRAILLE);
    struct frame *f = ab->f;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    struct rect r = f->lay.pane[PANE_LOSS];
    struct rect in = screen_inset(r, 1);
    /* The canvas' bottom row: the lowest with the y axis line at the gutter's edge. */
    int axis = in.x + PLOT_YGUTTER - 1, bottom = -1;
    for (int y = in.y; y < in.y + in.h; y++) {
        uint32_t c = f->scr.cells[y * f->scr.w + axis].ch;
        if (c == 0x2502 || c == 0x2524)
            bottom = y;
    }
    cr_assert_geq(bottom, in.y);
    const struct history *hb = &ab->hist_b;
    char val[32], want[48];
    scale_format(hb->y[HIST_LOSS][history_len(hb) - 1], val, sizeof val);
    snprintf(want, sizeof want, "B ↓ %s", val);
    char *t = screen_text(&f->scr);
    const char *row = t;
    for (int y = 0; y < bottom; y++)
        row = strchr(row, '\n') + 1;
    size_t len = strcspn(row, "\n");
    char line[1024];
    snprintf(line, sizeof line, "%.*s", (int)len, row);
    cr_expect(strstr(line, want) != NULL, "no \"%s\" on the bottom row: %s", want, line);
    free(t);
    /*
     * B falls below 1e-9 at step 1e6 ln(0.2/1e-9)/40 = 0.48M, an eighth of
     * the run: from there on the bottom row carries B's dots.
     */
    int dots = 0;
    for (int x = in.x; x < in.x + in.w; x++) {
        const struct cell *c = &f->scr.cells[bottom * f->scr.w + x];
        dots += c->style == THEME_EMA && (c->flags & SCREEN_CANVAS);
    }
    cr_expect_geq(dots, 15, "B leaves the plot: %d of its dots on the bottom row", dots);
    ab_frame_free(ab);
}

/*
 * After B diverged, its last finite values (h down to -5, a loss of
 * 1.7e301) must not set the axes: they are the axes of A alone, and B is
 * labelled diverged.
 */
Test(render, compare_a_diverged_b_leaves_the_axes_to_a)
{
    struct ab_frame *ab = ab_frame_new(120, 40, CANVAS_BRAILLE);
    struct frame *f = ab->f;
    ab->snap_b.status = OU_EDIVERGED;
    ab->snap_b.diverged_at = 3000000;
    for (size_t k = 0; k < ab->snap_b.ncurve; k++)
        ab->snap_b.curve[k] = -5.0 * (double)k / (double)(ab->snap_b.ncurve - 1);
    history_clear(&ab->hist_b);
    for (int fr = 0; fr < 3000; fr++) {
        double step = 1333.0 * (fr + 1);
        double y[HIST_NSERIES] = {0};
        y[HIST_LOSS] = fr < 2200 ? 0.01 : (fr < 2990 ? 1.7e301 : INFINITY);
        y[HIST_REG] = fr < 2200 ? 6.0 : (fr < 2990 ? 1e200 : NAN);
        y[HIST_REG_EMA] = y[HIST_REG];
        history_push(&ab->hist_b, step, 1333.0, y);
    }
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    struct plot pb;
    cr_assert(panes_interp_plot(&f->lay, &f->snap, &f->view, &pb));
    /* B's last finite loss is above A's axis: its label says so at the top. */
    char *t = screen_text(&f->scr);
    cr_expect(strstr(t, "┅ B diverged") != NULL, "%s", t);
    cr_expect(strstr(t, "B ↑ diverged") != NULL, "%s", t);
    free(t);
    /* A alone, for reference. */
    static struct screen ref;
    screen_init(&ref, false);
    cr_assert(screen_resize(&ref, 120, 40));
    struct view va = f->view;
    va.snap_b = NULL;
    va.hist_b = NULL;
    panes_draw(&ref, &f->lay, &f->snap, &va);
    struct plot pa;
    cr_assert(panes_interp_plot(&f->lay, &f->snap, &va, &pa));
    cr_expect(fabs(pb.ys.lo - pa.ys.lo) < 1e-12 && fabs(pb.ys.hi - pa.ys.hi) < 1e-12,
              "interpolant axis [%g, %g] with the diverged B, [%g, %g] without", pb.ys.lo, pb.ys.hi,
              pa.ys.lo, pa.ys.hi);
    /* The loss and reg panes' y tick labels are A's. */
    const enum pane_id ids[2] = {PANE_LOSS, PANE_REG};
    for (int k = 0; k < 2; k++) {
        struct rect in = screen_inset(f->lay.pane[ids[k]], 1);
        for (int y = in.y; y < in.y + in.h; y++)
            for (int x = in.x; x < in.x + PLOT_YGUTTER; x++)
                cr_expect_eq(f->scr.cells[y * 120 + x].ch, ref.cells[y * 120 + x].ch,
                             "pane %s: the axis at (%d, %d) differs from A's alone",
                             panes_table[ids[k]].name, x, y);
    }
    screen_fini(&ref);
    ab_frame_free(ab);
}

/*
 * Without colour A and B are told apart by their drawing: B's legend
 * glyph is dashed, and its dots keep to the left column of each braille
 * cell, while A's line uses both.
 */
Test(render, compare_b_is_told_apart_without_colour)
{
    struct ab_frame *ab = ab_frame_new(120, 40, CANVAS_BRAILLE);
    struct frame *f = ab->f;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    char *t = screen_text(&f->scr);
    cr_expect(strstr(t, "━ A σ=0.5  ┅ B σ=0") != NULL, "%s", t);
    cr_expect(strstr(t, "━ A  ┅ B") != NULL, "%s", t);
    free(t);
    /* Braille dots 4, 5, 6 and 8 are the right column. */
    const unsigned right = 0x08 | 0x10 | 0x20 | 0x80;
    const enum pane_id ids[3] = {PANE_INTERP, PANE_LOSS, PANE_REG};
    const enum theme_role a_style[3] = {THEME_CURVE, THEME_LOSS, THEME_REG};
    for (int k = 0; k < 3; k++) {
        struct rect r = f->lay.pane[ids[k]];
        int b = 0, b_right = 0, a_right = 0;
        for (int y = r.y; y < r.y + r.h; y++)
            for (int x = r.x; x < r.x + r.w; x++) {
                const struct cell *c = &f->scr.cells[y * f->scr.w + x];
                if (!(c->flags & SCREEN_CANVAS))
                    continue;
                if (c->style == THEME_EMA) {
                    b++;
                    b_right += (c->dots & right) != 0;
                }
                if (c->style == a_style[k])
                    a_right += (c->dots & right) != 0;
            }
        cr_expect_geq(b, 10, "pane %s: %d cells of B", panes_table[ids[k]].name, b);
        cr_expect_eq(b_right, 0, "pane %s: %d of B's cells use the right dot column",
                     panes_table[ids[k]].name, b_right);
        cr_expect_gt(a_right, 10, "pane %s: A's line is not solid", panes_table[ids[k]].name);
    }
    ab_frame_free(ab);
    /* ASCII: "-" for A, "=" for B. */
    ab = ab_frame_new(120, 40, CANVAS_ASCII);
    panes_draw(&ab->f->scr, &ab->f->lay, &ab->f->snap, &ab->f->view);
    t = screen_text(&ab->f->scr);
    cr_expect(strstr(t, "- A sigma=0.5  = B sigma=0") != NULL, "%s", t);
    free(t);
    ab_frame_free(ab);
}

/* Compared, the kink marks never share B's colour, in any palette. */
Test(render, compare_kink_marks_are_not_b_coloured)
{
    struct ab_frame *ab = ab_frame_new(120, 40, CANVAS_BRAILLE);
    struct frame *f = ab->f;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    struct rect r = f->lay.pane[PANE_INTERP];
    int marks = 0;
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++) {
            const struct cell *c = &f->scr.cells[y * f->scr.w + x];
            if (c->ch != 0x25B2 && c->ch != 0x25BC)
                continue;
            marks++;
            for (int depth = THEME_16; depth <= THEME_256; depth++)
                for (int light = 0; light < 2; light++) {
                    const struct theme_style *pal =
                        theme_palette((enum theme_depth)depth, light != 0);
                    cr_expect_neq(pal[c->style].fg, pal[THEME_EMA].fg,
                                  "kink mark at (%d, %d) in %s, B's colour (depth %d, light %d)", x,
                                  y, theme_role_name((enum theme_role)c->style), depth, light);
                }
        }
    cr_expect_eq(marks, 4 + 2, "%d kink marks (the four kinks and the legend's two)", marks);
    ab_frame_free(ab);
}

/* ---- the OU pane ---- */

/*
 * A window of the OU analysis at sin 3x's converged state: the eight
 * eigenvalues of K, the prediction eta sigma^2 / (B (2 - eta lambda_k))
 * worked out here, measured variances at the given ratios to it, and a
 * tangent variance far below (no noise enters null(J)).
 */
static const double fl_lambda[8] = {3.12, 1.99, 0.476, 0.134, 0.0524, 0.0302, 0.0274, 0.0131};
static const double fl_ratio[8] = {1.02, 1.0, 0.99, 1.0, 0.88, 0.79, 1.16, 0.78};

static void
make_fluct(struct ou_fluct *fl, double eta)
{
    memset(fl, 0, sizeof *fl);
    fl->enabled = fl->valid = true;
    fl->window = 300000;
    fl->windows = 5;
    fl->filled = 120000;
    fl->ndir = 8;
    fl->p = 97;
    fl->eta = eta;
    fl->sigma = 0.5;
    fl->batch = 8;
    for (int k = 0; k < 8; k++) {
        fl->lambda[k] = fl_lambda[k];
        fl->var_pred[k] = eta * 0.25 / (8.0 * (2.0 - eta * fl_lambda[k]));
        fl->var[k] = fl_ratio[k] * fl->var_pred[k];
    }
    fl->tangent_var = 89 * 1e-7;
    fl->ptreg_norm = 0.61;
    fl->drift_pred = -(eta * eta * 0.25 / 32.0) * 0.61 * 0.61;
    fl->reg_slope = 0.95 * fl->drift_pred;
    fl->clock = 12.3;
}

static struct frame *
ou_frame(int w, int h, enum canvas_glyphs g, struct ou_fluct *fl)
{
    struct frame *f = frame_new(w, h, g);
    f->view.ou_pane = true;
    f->view.fl = fl;
    f->view.fl_filled = fl->filled;
    f->view.fl_window = fl->window;
    f->view.kick_size = 0.1;
    return f;
}

/* The screen column of the prediction mark on the pane's row that starts with label k. */
static int
mark_column(const struct frame *f, int k)
{
    struct rect r = f->lay.pane[PANE_STAB];
    char want[8];
    snprintf(want, sizeof want, "%2d ", k);
    for (int y = r.y + 2; y < r.y + r.h - 1; y++) {
        const struct cell *c = &f->scr.cells[y * f->scr.w + r.x + 1];
        if (c[0].ch != (uint32_t)want[0] || c[1].ch != (uint32_t)want[1] || c[2].ch != ' ')
            continue;
        for (int x = r.x + 1; x < r.x + r.w - 1; x++)
            if (f->scr.cells[y * f->scr.w + x].style == THEME_FLOOR)
                return x;
    }
    return -1;
}

Test(render, ou_pane_120x40_golden)
{
    static struct ou_fluct fl;
    make_fluct(&fl, 0.05);
    struct frame *f = ou_frame(120, 40, CANVAS_BRAILLE, &fl);
    static const struct view_mark marks[3] = {
        {1.0e6, MARK_TOP}, {2.0e6, MARK_TANGENT}, {3.0e6, MARK_PROJECT}};
    f->view.marks = marks;
    f->view.nmarks = 3;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    expect_golden(&f->scr, "ou_120x40");
    frame_free(f);
}

Test(render, ou_pane_80x24_keeps_the_softest_direction)
{
    static struct ou_fluct fl;
    make_fluct(&fl, 0.05);
    struct frame *f = ou_frame(80, 24, CANVAS_ASCII, &fl);
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    expect_golden(&f->scr, "ou_80x24_ascii");
    /* Too few rows for all eight: the first ones and the softest (k = 8) are shown. */
    cr_expect_geq(mark_column(f, 1), 0, "direction 1 not shown");
    cr_expect_geq(mark_column(f, 8), 0, "direction 8 not shown");
    cr_expect_lt(mark_column(f, 5), 0, "direction 5 should have made room");
    frame_free(f);
}

Test(render, ou_pane_ratios_and_log_positions)
{
    static struct ou_fluct fl;
    make_fluct(&fl, 0.05);
    /* Predictions one and two decades apart, so their marks' columns can be checked. */
    fl.var_pred[1] = fl.var_pred[0] / 10.0;
    fl.var_pred[2] = fl.var_pred[0] / 100.0;
    for (int k = 0; k < 3; k++)
        fl.var[k] = fl.var_pred[k];
    struct frame *f = ou_frame(200, 60, CANVAS_BRAILLE, &fl);
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    int c0 = mark_column(f, 1), c1 = mark_column(f, 2), c2 = mark_column(f, 3);
    cr_assert(c0 > 0 && c1 > 0 && c2 > 0, "marks at %d %d %d", c0, c1, c2);
    /* On a log axis a decade is the same width everywhere (one column of rounding). */
    cr_expect(c0 > c1 && c1 > c2, "marks not ordered: %d %d %d", c0, c1, c2);
    cr_expect_leq(abs((c0 - c1) - (c1 - c2)), 1, "decades of %d and %d columns", c0 - c1, c1 - c2);
    /* Each row ends with measured/predicted, worked out here. */
    char *t = screen_text(&f->scr);
    for (int k = 3; k < 8; k++) {
        char want[64];
        snprintf(want, sizeof want, "%5.2f", fl.var[k] / fl.var_pred[k]);
        cr_expect(strstr(t, want) != NULL, "no ratio %s for k = %d", want, k + 1);
    }
    /* The drift line: tau, |P_T grad reg| and both slopes. */
    char want[96];
    snprintf(want, sizeof want, "Δreg/step %.2g (pred %.2g)", fl.reg_slope, fl.drift_pred);
    cr_expect(strstr(t, want) != NULL, "no \"%s\" in\n%s", want, t);
    cr_expect(strstr(t, "τ 12.3") != NULL);
    cr_expect(strstr(t, "‖P_T∇reg‖ 0.61") != NULL);
    free(t);
    frame_free(f);
}

Test(render, ou_pane_shows_the_top_bar_blow_up)
{
    /* eta lambda_1 = 1.9: its prediction is (2 - 0.16)/(2 - 1.9) = 18x the flat value. */
    static struct ou_fluct fl;
    double eta = 1.9 / fl_lambda[0];
    make_fluct(&fl, eta);
    struct frame *f = ou_frame(200, 60, CANVAS_BRAILLE, &fl);
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    int c0 = mark_column(f, 1), c1 = mark_column(f, 2), c3 = mark_column(f, 4);
    cr_assert(c0 > 0 && c1 > 0 && c3 > 0);
    /*
     * On the log axis the marks sit at log10 of the predictions: the top
     * one is log(p0/p3)/log(p1/p3) times as far from k = 4's as k = 2's is
     * (3.3 here), within a column of rounding at each mark.
     */
    double p0 = fl.var_pred[0], p1 = fl.var_pred[1], p3 = fl.var_pred[3];
    double want = (double)(c1 - c3) * log(p0 / p3) / log(p1 / p3);
    cr_expect(c1 > c3, "k = 2 mark at %d, k = 4 at %d", c1, c3);
    cr_expect_leq(fabs((double)(c0 - c3) - want), 2.0 + log(p0 / p3) / log(p1 / p3),
                  "top mark %d columns right of k = 4, want %.1f", c0 - c3, want);
    cr_expect_gt(c0 - c3, 2 * (c1 - c3), "the top bar's blow-up does not stand out");
    /* And eta lambda_1 is flagged. */
    struct rect r = f->lay.pane[PANE_STAB];
    bool warned = false;
    for (int x = r.x; x < r.x + r.w; x++)
        for (int y = r.y; y < r.y + r.h; y++)
            if (f->scr.cells[y * f->scr.w + x].style == THEME_WARN)
                warned = true;
    cr_expect(warned, "eta lambda_1 = 1.9 is not flagged");
    frame_free(f);
}

Test(render, ou_pane_states_before_and_without_a_window)
{
    static struct ou_fluct fl;
    make_fluct(&fl, 0.05);
    struct frame *f = ou_frame(120, 40, CANVAS_BRAILLE, &fl);
    f->view.fl = NULL;
    f->view.fl_filled = 1234;
    f->view.fl_window = 300000;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    char *t = screen_text(&f->scr);
    cr_expect(strstr(t, "first window: 1,234 of 300,000 steps") != NULL, "%s", t);
    free(t);
    f->view.fl_off = "the OU analysis needs n <= 64 points (n = 80)";
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    t = screen_text(&f->scr);
    cr_expect(strstr(t, "the OU analysis needs n <= 64 points (n = 80)") != NULL);
    free(t);
    f->view.fl_off = NULL;
    f->view.fl = &fl;
    f->snap.cfg.sigma = 0.0;
    panes_draw(&f->scr, &f->lay, &f->snap, &f->view);
    t = screen_text(&f->scr);
    cr_expect(strstr(t, "σ = 0: no label noise") != NULL);
    free(t);
    frame_free(f);
}

/* ---- pieces ---- */

Test(scale, nice_numbers)
{
    cr_expect(fabs(scale_nice(0.3) - 0.5) < 1e-12);
    cr_expect(fabs(scale_nice(1.0) - 1.0) < 1e-12);
    cr_expect(fabs(scale_nice(2.2) - 2.5) < 1e-12);
    cr_expect(fabs(scale_nice(7.0) - 10.0) < 1e-12);
    cr_expect(fabs(scale_nice(1234.0) - 2000.0) < 1e-9);
}

Test(scale, fit_rounds_out_to_ticks)
{
    struct scale s = scale_fit(0.0, 1234.0, false, 4);
    cr_expect(fabs(s.lo) < 1e-12 && fabs(s.hi - 1500.0) < 1e-9, "[%g, %g]", s.lo, s.hi);
    s = scale_fit(2.3e-3, 0.012, true, 4);
    cr_expect(fabs(s.lo - 1e-3) < 1e-15 && fabs(s.hi - 0.1) < 1e-12, "[%g, %g]", s.lo, s.hi);
    /* An empty range still gets a width. */
    s = scale_fit(3.0, 3.0, false, 4);
    cr_expect(s.lo < 3.0 && s.hi > 3.0);
    s = scale_fit(NAN, NAN, true, 4);
    cr_expect(s.lo > 0.0 && s.hi > s.lo);
}

Test(scale, ticks_are_nice_and_inside)
{
    struct scale s = {.lo = 0.0, .hi = 1500.0, .log = false};
    double t[SCALE_MAX_TICKS];
    size_t n = scale_ticks(&s, 4, t);
    cr_assert_eq(n, 4);
    const double want[4] = {0, 500, 1000, 1500};
    for (size_t i = 0; i < n; i++)
        cr_expect(fabs(t[i] - want[i]) < 1e-9, "tick %zu = %g", i, t[i]);
    s = (struct scale){.lo = 1e-3, .hi = 1e-1, .log = true};
    n = scale_ticks(&s, 8, t);
    cr_expect_eq(n, 7); /* 1, 2, 5 e-3; 1, 2, 5 e-2; 1e-1 */
    s = (struct scale){.lo = 1e-12, .hi = 1.0, .log = true};
    n = scale_ticks(&s, 4, t);
    cr_expect(n >= 2 && n <= 4);
}

Test(scale, labels_are_compact)
{
    char b[32];
    scale_format(0.25, b, sizeof b);
    cr_expect_str_eq(b, "0.25");
    scale_format(1.5e-5, b, sizeof b);
    cr_expect_str_eq(b, "1.5e-5");
    scale_format(0.0, b, sizeof b);
    cr_expect_str_eq(b, "0");
    scale_format(2e6, b, sizeof b);
    cr_expect_str_eq(b, "2e6");
    scale_format_si(950, b, sizeof b);
    cr_expect_str_eq(b, "950");
    scale_format_si(1500, b, sizeof b);
    cr_expect_str_eq(b, "1.5k");
    scale_format_si(12e6, b, sizeof b);
    cr_expect_str_eq(b, "12M");
}

Test(canvas, braille_dots_follow_the_unicode_numbering)
{
    struct screen s;
    screen_init(&s, false);
    cr_assert(screen_resize(&s, 2, 1));
    struct canvas c;
    canvas_init(&c, &s, (struct rect){0, 0, 2, 1}, CANVAS_BRAILLE);
    cr_expect_eq(c.dw, 4);
    cr_expect_eq(c.dh, 4);
    canvas_set_dot(&c, 0, 0, THEME_CURVE); /* dot 1 */
    canvas_set_dot(&c, 1, 3, THEME_CURVE); /* dot 8 */
    cr_expect_eq(s.cells[0].ch, 0x2800 + 0x01 + 0x80);
    canvas_line(&c, 2, 0, 2, 3, THEME_LOSS); /* the left column of cell 1: dots 1 2 3 7 */
    cr_expect_eq(s.cells[1].ch, 0x2800 + 0x47);
    cr_expect_eq(s.cells[1].style, THEME_LOSS);
    screen_fini(&s);
}

Test(canvas, blocks_and_ascii_glyphs)
{
    cr_expect_eq(canvas_glyph(CANVAS_BLOCKS, 0), ' ');
    cr_expect_eq(canvas_glyph(CANVAS_BLOCKS, 15), 0x2588);
    cr_expect_eq(canvas_glyph(CANVAS_BLOCKS, 3), 0x2580);
    cr_expect_eq(canvas_glyph(CANVAS_ASCII, 1), '\'');
    cr_expect_eq(canvas_glyph(CANVAS_ASCII, 2), '-');
    cr_expect_eq(canvas_glyph(CANVAS_ASCII, 4), '.');
    cr_expect_eq(canvas_glyph(CANVAS_ASCII, 5), ':');
}

Test(canvas, dots_never_overwrite_text)
{
    struct screen s;
    screen_init(&s, false);
    cr_assert(screen_resize(&s, 3, 1));
    screen_put(&s, 1, 0, 0x25CF, THEME_POINT);
    struct canvas c;
    canvas_init(&c, &s, (struct rect){0, 0, 3, 1}, CANVAS_BRAILLE);
    canvas_line(&c, 0, 2, 5, 2, THEME_CURVE);
    cr_expect_eq(s.cells[1].ch, 0x25CF);
    cr_expect_eq(s.cells[1].style, THEME_POINT);
    cr_expect(s.cells[0].ch > 0x2800 && s.cells[2].ch > 0x2800);
    screen_fini(&s);
}

Test(screen, ascii_screens_spell_symbols_out)
{
    struct screen s;
    screen_init(&s, true);
    cr_assert(screen_resize(&s, 30, 1));
    int w = screen_puts(&s, 0, 0, -1, "η·λ ≤ 2 σ²", THEME_TEXT);
    cr_expect_eq(w, screen_text_width(&s, "η·λ ≤ 2 σ²"));
    char buf[64];
    screen_to_text(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "eta*lambda <= 2 sigma^2\n");
    screen_fini(&s);
}

Test(screen, text_is_clipped_to_the_width)
{
    struct screen s;
    screen_init(&s, false);
    cr_assert(screen_resize(&s, 5, 2));
    cr_expect_eq(screen_puts(&s, 2, 0, -1, "abcdef", THEME_TEXT), 3);
    cr_expect_eq(screen_puts(&s, 0, 1, 2, "xyz", THEME_TEXT), 2);
    screen_put(&s, 9, 9, 'q', THEME_TEXT);
    char buf[32];
    screen_to_text(&s, buf, sizeof buf);
    cr_expect_str_eq(buf, "  abc\nxy\n");
    screen_fini(&s);
}

Test(history, decimation_keeps_memory_and_weighted_means)
{
    static struct history h;
    history_clear(&h);
    double y[HIST_NSERIES] = {0};
    /* Frames of 1 step with value 0, then frames of 3 steps with value 4. */
    for (int f = 0; f < 3 * HISTORY_CAP; f++) {
        double v = f % 2 == 0 ? 0.0 : 4.0;
        for (int k = 0; k < HIST_NSERIES; k++)
            y[k] = v;
        history_push(&h, (double)(f + 1), f % 2 == 0 ? 1.0 : 3.0, y);
        cr_assert(h.n < HISTORY_CAP);
    }
    cr_expect(h.stride >= 4, "stride %llu", (unsigned long long)h.stride);
    /* Every merged sample covers pairs of frames: weighted mean (0*1 + 4*3)/4 = 3. */
    for (size_t i = 0; i < h.n; i++)
        cr_expect(fabs(h.y[HIST_LOSS][i] - 3.0) < 1e-12, "sample %zu = %g", i, h.y[HIST_LOSS][i]);
    for (size_t i = 1; i < history_len(&h); i++)
        cr_expect(h.x[i] > h.x[i - 1]);
    cr_expect(fabs(h.x[history_len(&h) - 1] - 3.0 * HISTORY_CAP) < 1e-9);
}

Test(history, truncate_drops_the_future)
{
    static struct history h;
    history_clear(&h);
    double y[HIST_NSERIES] = {0};
    for (int f = 1; f <= 100; f++)
        history_push(&h, 10.0 * f, 10.0, y);
    history_truncate(&h, 505.0);
    cr_expect_eq(history_len(&h), 50);
    cr_expect(fabs(h.x[49] - 500.0) < 1e-12);
}

Test(layout, panes_tile_the_body_without_overlap)
{
    const int sizes[][2] = {{80, 24}, {120, 40}, {200, 60}, {70, 21}, {300, 100}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        struct layout l;
        int w = sizes[k][0], h = sizes[k][1];
        layout_compute(&l, w, h);
        cr_assert(!l.too_small, "%dx%d", w, h);
        long area = 0;
        for (int i = 0; i < PANE_COUNT; i++) {
            struct rect r = l.pane[i];
            cr_expect(r.w >= panes_table[i].min_w && r.h >= panes_table[i].min_h,
                      "%dx%d: pane %s is %dx%d", w, h, panes_table[i].name, r.w, r.h);
            cr_expect(r.x >= 0 && r.y >= 1 && r.x + r.w <= w && r.y + r.h <= h - 1);
            area += (long)r.w * r.h;
            for (int j = 0; j < i; j++) {
                struct rect q = l.pane[j];
                bool apart =
                    r.x + r.w <= q.x || q.x + q.w <= r.x || r.y + r.h <= q.y || q.y + q.h <= r.y;
                cr_expect(apart, "%dx%d: panes %d and %d overlap", w, h, i, j);
            }
        }
        cr_expect_eq(area, (long)w * (h - 2), "%dx%d: the panes leave gaps", w, h);
        /* The history panes share one column, so their step axes line up. */
        cr_expect(l.pane[PANE_LOSS].x == l.pane[PANE_REG].x &&
                  l.pane[PANE_REG].x == l.pane[PANE_STAB].x);
        cr_expect(l.pane[PANE_LOSS].w == l.pane[PANE_STAB].w);
    }
    struct layout l;
    layout_compute(&l, 69, 30);
    cr_expect(l.too_small);
    layout_compute(&l, 100, l.min_h - 1);
    cr_expect(l.too_small);
}

Test(plot, cells_map_back_to_values)
{
    struct plot p;
    struct scale xs = {.lo = -1.2, .hi = 1.2}, ys = {.lo = -2.0, .hi = 2.0};
    plot_setup(&p, NULL, (struct rect){0, 0, 60, 20}, xs, ys, CANVAS_BRAILLE, 1, 1);
    cr_assert(p.cr.w > 0);
    /* A value drawn at a dot lands back within half a cell of itself. */
    const double pts[][2] = {{0.0, 0.0}, {-1.0, 1.5}, {1.1, -1.9}, {0.33, 0.7}};
    for (size_t k = 0; k < 4; k++) {
        int dx, dy;
        cr_assert(plot_dot(&p, pts[k][0], pts[k][1], &dx, &dy));
        int col = p.cr.x + dx / p.cv.cw, row = p.cr.y + dy / p.cv.ch;
        double x, y;
        cr_assert(plot_value_at(&p, col, row, &x, &y));
        double cw = (xs.hi - xs.lo) / p.cr.w, ch = (ys.hi - ys.lo) / p.cr.h;
        cr_expect(fabs(x - pts[k][0]) <= cw, "x %g -> %g", pts[k][0], x);
        cr_expect(fabs(y - pts[k][1]) <= ch, "y %g -> %g", pts[k][1], y);
    }
    double x, y;
    cr_expect(!plot_value_at(&p, 0, 0, &x, &y), "the y gutter is not the canvas");
}

Test(panes, curve_request_matches_the_canvas)
{
    struct layout l;
    layout_compute(&l, 120, 40);
    struct view v;
    make_view(&v, NULL, CANVAS_BRAILLE);
    struct ou_data d;
    ou_data_builtin(&d, OU_DATA_X2, 8, 1);
    struct ou_snapshot_req req;
    panes_curve_request(&l, &d, &v, &req);
    cr_expect(fabs(req.lo + 1.2) < 1e-12 && fabs(req.hi - 1.2) < 1e-12);
    /* One sample per dot column of the interpolant's canvas. */
    struct rect in = screen_inset(l.pane[PANE_INTERP], 1);
    cr_expect_eq(req.ncurve, (size_t)(2 * (in.w - PLOT_YGUTTER - 1)));
    layout_compute(&l, 30, 10);
    panes_curve_request(&l, &d, &v, &req);
    cr_expect_eq(req.ncurve, 0);
}

Test(panes, group_digits)
{
    char b[32];
    cr_expect_str_eq(panes_group(0, b, sizeof b), "0");
    cr_expect_str_eq(panes_group(999, b, sizeof b), "999");
    cr_expect_str_eq(panes_group(1234567, b, sizeof b), "1,234,567");
}

/*
 * The regularizers pane: each readout is the snapshot's, printed as %.4g;
 * reg read off the loss floor is 4B<L>/(eta sigma^2) with <L> the trace's
 * mean, computed here from the knobs; RMSProp's form is n/a under SGD; a
 * positive a_j^2 - w_j^2 - b_j^2 is a bar right of its axis, a negative one
 * left of it.
 */
static char *
row_with(char *text, const char *label)
{
    char *p = strstr(text, label);
    cr_assert_not_null(p, "no row \"%s\" in:\n%s", label, text);
    char *end = strchr(p, '\n');
    if (end)
        *end = '\0';
    return p;
}

Test(render, regularizers_pane_reads_the_snapshot)
{
    struct frame *f = frame_new(200, 60, CANVAS_BRAILLE);
    f->view.regs_pane = true;
    struct ou_snapshot *sn = &f->snap;
    sn->cfg.eta = 0.05;
    sn->cfg.sigma = 0.5;
    sn->cfg.batch = 8;
    sn->cfg.optim = OU_OPTIM_SGD;
    sn->cfg.width = 4;
    sn->met.noise_lambda = 0.05 * 0.25 / 8.0;
    sn->trace.steps = 1000;
    sn->trace.loss_sum = 1000 * 2.3e-3;
    sn->met.reg = 5.875;
    sn->met.r_eta = 1.5123;
    sn->met.igr = 3.25e-5;
    sn->met.igr_rms = NAN;
    sn->met.theta_norm = 8.125;
    sn->met.path_l1 = 17.5;
    sn->met.path_l2 = 4.0625;
    sn->met.balance = 0.0199;
    sn->met.unit_balance = 1.0;
    const double q[4] = {2.0, -2.0, 0.0, 0.5};
    memcpy(sn->met.unit_q, q, sizeof q);
    panes_draw(&f->scr, &f->lay, sn, &f->view);
    char *t = screen_text(&f->scr);
    char want[64], *copy;

    copy = strdup(t);
    snprintf(want, sizeof want, "%10.4g", 4.0 * 2.3e-3 * 8.0 / (0.05 * 0.25));
    cr_expect(strstr(row_with(copy, "4B⟨L⟩/ησ²"), want), "floor readout, want %s", want);
    free(copy);
    copy = strdup(t);
    snprintf(want, sizeof want, "%10.4g", 0.05 * 0.25 / 8.0 * 1.5123);
    cr_expect(strstr(row_with(copy, "λ·R_η"), want), "lambda R, want %s", want);
    free(copy);
    copy = strdup(t);
    snprintf(want, sizeof want, "%10.4g", 1.5123 / 5.875);
    cr_expect(strstr(row_with(copy, "R_η / reg"), want), "R/reg, want %s", want);
    free(copy);
    copy = strdup(t);
    cr_expect(strstr(row_with(copy, "igr_rms"), "n/a"), "igr_rms under SGD");
    free(copy);
    copy = strdup(t);
    cr_expect(strstr(row_with(copy, "ℓ2 path"), "4.062"), "l2 path");
    free(copy);
    free(t);

    /* Bars: unit 1 (+2) right of its axis, unit 2 (-2) left, unit 3 (0) none. */
    struct rect r = f->lay.pane[PANE_STAB];
    int found = 0;
    for (int y = r.y + 1; y < r.y + r.h - 1; y++) {
        const struct cell *c = &f->scr.cells[y * f->scr.w];
        int lab = -1, axis = -1, left = 0, right = 0;
        for (int x = r.x + 1; x < r.x + 30 && x < r.x + r.w - 1; x++) {
            if (lab < 0 && c[x].ch >= '1' && c[x].ch <= '4' && c[x - 1].ch == ' ' &&
                c[x + 1].ch == ' ' && c[x + 2].ch != '.')
                lab = (int)(c[x].ch - '0');
            if (c[x].ch == 0x2502)
                axis = x;
            if (c[x].ch == 0x2588) {
                if (axis < 0)
                    left++;
                else
                    right++;
            }
        }
        if (lab < 1 || axis < 0)
            continue;
        found++;
        if (lab == 1)
            cr_expect(right > 0 && left == 0, "unit 1: %d left, %d right", left, right);
        if (lab == 2)
            cr_expect(left > 0 && right == 0, "unit 2: %d left, %d right", left, right);
        if (lab == 3)
            cr_expect(left == 0 && right == 0, "unit 3: %d left, %d right", left, right);
    }
    cr_expect_eq(found, 4, "unit rows found: %d", found);
    frame_free(f);
}
