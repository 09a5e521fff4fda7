/*
 * Render tests of the other settings' view: hand-built lab snapshots drawn
 * into the in-memory screen, no terminal.  Titles and the sections they
 * cite, the colour scale's values, bars whose lengths follow the values
 * given (measured in eighths of a cell from the glyphs), the support and
 * rank marks, the status line, the too-small message, ASCII output, and
 * the key table against ouscope(1).  Links the render library and the
 * engine (for the config defaults and names), never curses.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/labkeys.h"
#include "ouscope/lab.h"
#include "render/history.h"
#include "render/chrome.h"
#include "render/labpanes.h"
#include "render/screen.h"

/* ---- fixtures ---- */

struct frame {
    struct screen scr;
    struct lab_layout lay;
    struct lab_view view;
    struct history hist;
    struct ou_lab_snapshot snap;
    struct help_entry help[24], hints[16];
    char hint_keys[16][LABKEYS_KEYS_MAX];
};

/* A snapshot of kind k at step 5000 with every observable NaN until the test sets it. */
static void
snap_init(struct ou_lab_snapshot *s, enum ou_lab_kind k)
{
    memset(s, 0, sizeof *s);
    ou_lab_config_default(&s->cfg, k);
    s->step = 5000;
    s->status = OU_OK;
    s->loss_mean = 0.02;
    s->reg_mean = 12.0;
    struct ou_lab_obs *o = &s->obs;
    o->loss = 0.02;
    o->reg = 12.0;
    o->theta_norm = 1.5;
    o->err = NAN;
    o->nuclear = o->nuclear_star = NAN;
    o->l1 = NAN;
    o->ridge_lambda = o->ridge_err = NAN;
}

/* 200 frames of falling loss, reg and err. */
static void
make_history(struct history *h, const struct ou_lab_snapshot *s)
{
    history_clear(h);
    for (int f = 0; f < 200; f++) {
        struct ou_lab_snapshot t = *s;
        double x = (double)(f + 1) / 200.0;
        t.step = (uint64_t)(25 * (f + 1));
        t.loss_mean = 0.02 + exp(-5.0 * x);
        t.reg_mean = 12.0 + 30.0 * exp(-3.0 * x);
        t.obs.err = 0.1 + exp(-4.0 * x);
        t.obs.ridge_err = 0.12 + exp(-4.0 * x);
        t.obs.unsaturated = (size_t)(8 - f / 50);
        double y[HIST_NSERIES];
        labpanes_hist_values(&t, y);
        history_push(h, (double)t.step, 25.0, y);
    }
}

static struct frame *
frame_new(enum ou_lab_kind k, int w, int h, bool ascii)
{
    struct frame *f = calloc(1, sizeof *f);
    cr_assert_not_null(f);
    snap_init(&f->snap, k);
    screen_init(&f->scr, ascii);
    cr_assert(screen_resize(&f->scr, w, h));
    labpanes_layout(&f->lay, w, h);
    struct lab_view *v = &f->view;
    v->glyphs = ascii ? CANVAS_ASCII : CANVAS_BRAILLE;
    v->hist = &f->hist;
    v->sps = 12000.0;
    v->nhelp = labkeys_help(f->help, 24);
    v->help_items = f->help;
    v->nhints = labkeys_hints(f->hints, f->hint_keys, 16);
    v->hints = f->hints;
    return f;
}

static void
frame_draw(struct frame *f)
{
    make_history(&f->hist, &f->snap);
    labpanes_draw(&f->scr, &f->lay, &f->snap, &f->view);
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

static void
expect_text(const struct screen *s, const char *want)
{
    char *t = screen_text(s);
    cr_expect(strstr(t, want) != NULL, "the screen does not show \"%s\":\n%s", want, t);
    free(t);
}

/* The row of the screen holding `want`, and its column (in cells), or -1. */
static int
find_text(struct screen *s, const char *want, int *col)
{
    int n = 0;
    uint32_t cps[128];
    for (const char *p = want; *p && n < 128;)
        cps[n++] = screen_utf8_decode(&p);
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x + n <= s->w; x++) {
            int k = 0;
            while (k < n && screen_cell(s, x + k, y)->ch == cps[k])
                k++;
            if (k == n) {
                *col = x;
                return y;
            }
        }
    return -1;
}

/* Eighths of a cell a bar glyph fills: full block 8, left partials 7..1 (U+2589..U+258F). */
static int
hbar_eighths(uint32_t c)
{
    if (c == 0x2588)
        return 8;
    if (c >= 0x2589 && c <= 0x258F)
        return 8 - (int)(c - 0x2588);
    return -1;
}

/* Lower partial blocks U+2581..U+2588 fill 1..8 eighths from the bottom. */
static int
vbar_eighths(uint32_t c)
{
    if (c >= 0x2581 && c <= 0x2588)
        return (int)(c - 0x2580);
    return 0;
}

/* Any block element (the bars' glyphs, full, lower, upper or left partials). */
static bool
is_block(uint32_t c)
{
    return c >= 0x2580 && c <= 0x2595;
}

/* ---- layout and too small ---- */

Test(labpanes, layout_tiles_the_body)
{
    struct lab_layout l;
    labpanes_layout(&l, 120, 40);
    cr_assert_not(l.too_small);
    cr_expect_eq(l.main.x, 0);
    cr_expect_eq(l.main.y, 1);
    cr_expect_eq(l.main.h, 38);
    cr_expect_eq(l.loss.x, l.main.w);
    cr_expect_eq(l.loss.w + l.main.w, 120);
    cr_expect_eq(l.loss.h + l.reg.h + l.head.h, 38);
    cr_expect_eq(l.reg.y, l.loss.y + l.loss.h);
    cr_expect_eq(l.head.y, l.reg.y + l.reg.h);
    labpanes_layout(&l, LABPANES_MIN_W, LABPANES_MIN_H);
    cr_expect_not(l.too_small);
    labpanes_layout(&l, LABPANES_MIN_W - 1, LABPANES_MIN_H);
    cr_expect(l.too_small);
}

Test(labpanes, too_small_names_both_sizes)
{
    struct frame *f = frame_new(OU_LAB_SENSING, 60, 20, false);
    frame_draw(f);
    char want[64];
    snprintf(want, sizeof want, "need %d×%d, have 60×20", LABPANES_MIN_W, LABPANES_MIN_H);
    expect_text(&f->scr, "terminal too small");
    expect_text(&f->scr, want);
    frame_free(f);
}

/* ---- sensing ---- */

/*
 * d = 4: X* = z z^T with z = (1, -0.5, 0, 0.4) (entries from -0.5 to 1),
 * U U^T = 1.25 X*, so the colour scale runs to +-1.25 with min -0.625.
 */
static void
sensing_snapshot(struct ou_lab_snapshot *s)
{
    const double z[4] = {1.0, -0.5, 0.0, 0.4};
    struct ou_lab_obs *o = &s->obs;
    s->cfg.dim = 4;
    s->cfg.width = 4;
    s->cfg.rank = 1;
    o->side = 4;
    for (int j = 0; j < 4; j++)
        for (int k = 0; k < 4; k++) {
            o->star[j * 4 + k] = z[j] * z[k];
            o->mat[j * 4 + k] = 1.25 * z[j] * z[k];
        }
    o->sv[0] = 1.25 * 1.5;
    o->sv[1] = 0.5;
    o->sv[2] = 0.25;
    o->sv[3] = 0.0;
    o->nuclear = 1.875;
    o->nuclear_star = 1.5;
    o->err = 0.25;
}

Test(labpanes, sensing_titles_legend_and_readouts)
{
    struct frame *f = frame_new(OU_LAB_SENSING, 120, 40, false);
    sensing_snapshot(&f->snap);
    frame_draw(f);
    expect_text(&f->scr, "matrix sensing: X* (rank 1) and U Uᵀ");
    expect_text(&f->scr, "X* (truth)");
    expect_text(&f->scr, "U Uᵀ (now)");
    expect_text(&f->scr, "loss L(θ)");
    expect_text(&f->scr, "reg(θ)");
    expect_text(&f->scr, "err = ‖UUᵀ − X*‖_F/‖X*‖_F");
    /* The colour scale: symmetric to the largest |entry| 1.25, and the extremes. */
    expect_text(&f->scr, "-1.25 ");
    expect_text(&f->scr, " +1.25");
    expect_text(&f->scr, "min -0.625, max 1.25");
    expect_text(&f->scr, "‖UUᵀ‖_* 1.875 vs ‖X*‖_* 1.5");
    expect_text(&f->scr, "err ‖UUᵀ − X*‖_F/‖X*‖_F 0.25");
    /* The eigenvalues beyond rank 1: 0.5 + 0.25 + 0. */
    expect_text(&f->scr, "Σ λ_k beyond rank(X*) 0.75");
    frame_free(f);
}

/* The run of cells equal to (x, y)'s glyph, rightwards (dx = 1) or downwards (dx = 0). */
static int
run_length(struct screen *s, int x, int y, int dx)
{
    uint32_t c = screen_cell(s, x, y)->ch;
    int n = 0;
    while (x < s->w && y < s->h && screen_cell(s, x, y)->ch == c) {
        n++;
        x += dx;
        y += 1 - dx;
    }
    return n;
}

Test(labpanes, sensing_heat_cells_follow_sign_and_size)
{
    struct frame *f = frame_new(OU_LAB_SENSING, 120, 40, false);
    sensing_snapshot(&f->snap);
    frame_draw(f);
    int col, row = find_text(&f->scr, "U Uᵀ (now)", &col);
    cr_assert_geq(row, 0);
    /* Entry (0,0) of U U^T is the largest, 1.25: a full block, positive colour. */
    struct cell *c = screen_cell(&f->scr, col, row + 1);
    cr_expect_eq(c->ch, 0x2588u);
    cr_expect_eq(c->style, THEME_KINK_UP);
    /* Its block of cells: ch rows of cw columns, twice as wide as high (square on screen). */
    int cw = run_length(&f->scr, col, row + 1, 1), ch = run_length(&f->scr, col, row + 1, 0);
    cr_assert_geq(ch, 1);
    cr_expect_eq(cw, 2 * ch, "a %d x %d cell", ch, cw);
    /* Entry (0,1) = -0.625, half the scale: the third shade, negative colour. */
    c = screen_cell(&f->scr, col + cw, row + 1);
    cr_expect_eq(c->ch, 0x2593u, "got U+%04X", c->ch);
    cr_expect_eq(c->style, THEME_KINK_DOWN);
    /* Entry (0,2) = 0: a dim dot. */
    c = screen_cell(&f->scr, col + 2 * cw, row + 1);
    cr_expect_eq(c->ch, 0x00B7u);
    cr_expect_eq(c->style, THEME_DIM);
    /* Entry (0,3) = 0.5, 0.4 of the scale: the second shade; (3,3) = 0.2, 0.16: the first. */
    c = screen_cell(&f->scr, col + 3 * cw, row + 1);
    cr_expect_eq(c->ch, 0x2592u, "got U+%04X", c->ch);
    cr_expect_eq(c->style, THEME_KINK_UP);
    c = screen_cell(&f->scr, col + 3 * cw + cw - 1, row + 1 + 3 * ch + ch - 1);
    cr_expect_eq(c->ch, 0x2591u, "got U+%04X", c->ch);
    frame_free(f);
}

/* A heat-map glyph: the dot or a shade. */
static bool
is_heat(uint32_t c)
{
    return c == 0x00B7u || (c >= 0x2591u && c <= 0x2593u) || c == 0x2588u;
}

/* A d x d sensing snapshot whose every entry is nonzero (a visible cell). */
static void
sensing_big(struct ou_lab_snapshot *s, size_t d)
{
    struct ou_lab_obs *o = &s->obs;
    s->cfg.dim = s->cfg.width = d;
    s->cfg.rank = 1;
    o->side = d;
    for (size_t j = 0; j < d; j++)
        for (size_t k = 0; k < d; k++) {
            o->star[j * d + k] = 0.5 + 0.5 * cos((double)(j + k));
            o->mat[j * d + k] = -0.25 - 0.5 * sin((double)(j * k));
        }
    for (size_t k = 0; k < d; k++)
        o->sv[k] = 1.0 / (double)(k + 1);
    o->err = 0.3;
    o->nuclear = 2.0;
    o->nuclear_star = 1.0;
}

/*
 * The heat maps measured on the screen: the X* map's rows and width in
 * cells below its title, and whether every heat cell right of the title
 * row lies inside the main pane.
 */
static void
measure_maps(struct frame *f, int *rows, int *width, int *x_end)
{
    int col, row = find_text(&f->scr, "X* (truth)", &col);
    cr_assert_geq(row, 0);
    *rows = 0;
    while (is_heat(screen_cell(&f->scr, col, row + 1 + *rows)->ch))
        (*rows)++;
    *width = 0;
    while (is_heat(screen_cell(&f->scr, col + *width, row + 1)->ch))
        (*width)++;
    /* The rightmost heat cell on the maps' first row (the second map's end). */
    *x_end = -1;
    for (int x = 0; x < f->scr.w; x++)
        if (is_heat(screen_cell(&f->scr, x, row + 1)->ch))
            *x_end = x;
}

Test(labpanes, sensing_heat_maps_grow_into_the_room_they_have)
{
    struct frame *f = frame_new(OU_LAB_SENSING, 200, 60, false);
    sensing_snapshot(&f->snap);
    frame_draw(f);
    int rows, width, x_end;
    measure_maps(f, &rows, &width, &x_end);
    /* 4 entries a side: scaled up from one row per entry, still square, inside the pane. */
    cr_expect_eq(rows % 4, 0);
    int ch = rows / 4;
    cr_expect_geq(ch, 2, "the maps stay at %d rows in a 200x60 terminal", rows);
    cr_expect_eq(width, 4 * 2 * ch, "%d rows but %d columns", rows, width);
    cr_expect_lt(x_end, f->lay.main.x + f->lay.main.w - 1);
    /* And the eigenvalues still have their bars and marks below. */
    expect_text(&f->scr, "▲ marks the top r = 1 (X* has rank 1)");
    frame_free(f);
}

Test(labpanes, sensing_heat_maps_that_do_not_fit_say_so)
{
    struct frame *f = frame_new(OU_LAB_SENSING, LABPANES_MIN_W, LABPANES_MIN_H, false);
    sensing_big(&f->snap, 24);
    frame_draw(f);
    int rows, width, x_end;
    measure_maps(f, &rows, &width, &x_end);
    cr_expect_lt(x_end, f->lay.main.x + f->lay.main.w - 1, "a heat cell at column %d", x_end);
    /* The note gives the rows and columns drawn, of 24 x 24. */
    char *t = screen_text(&f->scr);
    const char *p = strstr(t, " of 24×24");
    cr_assert_not_null(p, "no note that the maps are cut:\n%s", t);
    while (p > t && p[-1] != ' ')
        p--;
    unsigned nr = 0, nc = 0;
    cr_assert_eq(sscanf(p, "%u×%u", &nr, &nc), 2, "%.40s", p);
    cr_expect_eq((int)nr, rows);
    cr_expect(width == (int)nc || width == 2 * (int)nc, "%d columns drawn for %u entries", width,
              nc);
    cr_expect(nr < 24 || nc < 24);
    cr_expect(strstr(t, "enlarge the terminal") != NULL, "%s", t);
    free(t);
    /* The default size, d = 12, fits whole at the minimum size, with its eigenvalues. */
    sensing_big(&f->snap, 12);
    frame_draw(f);
    measure_maps(f, &rows, &width, &x_end);
    cr_expect_eq(rows, 12);
    cr_expect(width == 12 || width == 24, "%d columns", width);
    t = screen_text(&f->scr);
    cr_expect(strstr(t, " of 12×12") == NULL, "%s", t);
    cr_expect(strstr(t, "(X* has rank 1)") != NULL, "%s", t);
    free(t);
    int marks = 0;
    for (int y = 0; y < f->scr.h; y++)
        for (int x = 0; x < f->lay.main.w; x++)
            marks += screen_cell(&f->scr, x, y)->ch == 0x25B2u;
    cr_expect_geq(marks, 1, "no rank mark at the minimum size");
    frame_free(f);
}

/* On a UTF-8 screen numbers take the 1D view's '-', never U+2212 (which is for formulas). */
Test(labpanes, negative_numbers_use_one_minus_sign)
{
    for (int k = 0; k < OU_LAB_NKINDS; k++) {
        struct frame *f = frame_new((enum ou_lab_kind)k, 120, 40, false);
        if (k == OU_LAB_SENSING)
            sensing_snapshot(&f->snap);
        if (k == OU_LAB_RIDGE) {
            f->snap.cfg.dim = f->snap.obs.dim = 2;
            f->snap.obs.coef[0] = -0.5;
            f->snap.obs.ridge_coef[0] = -0.25;
            f->snap.obs.coef[1] = f->snap.obs.ridge_coef[1] = 0.1;
        }
        f->snap.obs.theta_norm = -INFINITY;
        frame_draw(f);
        for (int y = 0; y < f->scr.h; y++)
            for (int x = 0; x + 1 < f->scr.w; x++) {
                uint32_t c = screen_cell(&f->scr, x, y)->ch, n = screen_cell(&f->scr, x + 1, y)->ch;
                cr_expect(c != 0x2212u || !((n >= '0' && n <= '9') || n == 0x221Eu || n == '.'),
                          "%s: U+2212 before a number at %d,%d",
                          ou_lab_kind_name((enum ou_lab_kind)k), x, y);
            }
        frame_free(f);
    }
}

/* Height in eighths of the vertical bar in column x, rows y0..y1. */
static int
column_height(struct screen *s, int x, int y0, int y1)
{
    int e = 0;
    for (int y = y0; y <= y1; y++)
        e += vbar_eighths(screen_cell(s, x, y)->ch);
    return e;
}

Test(labpanes, sensing_eigenvalue_bars_follow_values_and_mark_the_rank)
{
    struct frame *f = frame_new(OU_LAB_SENSING, 120, 40, false);
    sensing_snapshot(&f->snap);
    f->snap.cfg.rank = 2;
    frame_draw(f);
    int col, row = find_text(&f->scr, "eigenvalues λ_k of U Uᵀ", &col);
    cr_assert_geq(row, 0);
    /* The bars: the columns right of the axis with any block, left to right. */
    int y1 = f->lay.main.y + f->lay.main.h - 2, hs[8], xs[8], nb = 0;
    for (int x = col; x < f->lay.main.x + f->lay.main.w - 1 && nb < 8; x++) {
        int h = column_height(&f->scr, x, row + 1, y1);
        if (h > 0 && (nb == 0 || x > xs[nb - 1] + 1)) {
            xs[nb] = x;
            hs[nb++] = h;
        }
    }
    /* Three nonzero eigenvalues 1.875, 0.5, 0.25: heights in that ratio, to an eighth. */
    cr_assert_eq(nb, 3, "found %d bars", nb);
    for (int k = 1; k < 3; k++) {
        double want = hs[0] * f->snap.obs.sv[k] / f->snap.obs.sv[0];
        cr_expect(fabs(hs[k] - want) <= 1.0, "bar %d: %d eighths, expected %.2f", k, hs[k], want);
    }
    /* Rank 2: two marks, under the first two bars. */
    int marks = 0;
    for (int y = row + 1; y < f->lay.main.y + f->lay.main.h; y++)
        for (int x = f->lay.main.x; x < f->lay.main.x + f->lay.main.w; x++)
            if (screen_cell(&f->scr, x, y)->ch == 0x25B2u) {
                marks++;
                cr_expect(x == xs[0] || x == xs[1], "a rank mark at column %d", x);
            }
    cr_expect_eq(marks, 2);
    expect_text(&f->scr, "▲ marks the top r = 2 (X* has rank 2)");
    frame_free(f);
}

/* ---- sigmoid ---- */

Test(labpanes, sigmoid_bars_follow_s_and_count_unsaturated)
{
    struct frame *f = frame_new(OU_LAB_SIGMOID, 120, 40, false);
    struct ou_lab_obs *o = &f->snap.obs;
    const double s[4] = {1.0, 0.5, 0.25, 0.9};
    o->units = 4;
    f->snap.cfg.width = 4;
    f->snap.cfg.target = 2.0;
    for (int j = 0; j < 4; j++) {
        o->unit_s[j] = s[j];
        o->unit_out[j] = s[j];
    }
    o->unsaturated = 3;
    frame_draw(f);
    expect_text(&f->scr, "sigmoid net on one point");
    expect_text(&f->scr, "unsaturated 3 of 4");
    expect_text(&f->scr, "target y 2");
    /* h = sum a_j s(z_j) = 2.65, computed by the pane from the units. */
    expect_text(&f->scr, "h = Σ a_j s(z_j) 2.65");
    expect_text(&f->scr, "unsaturated units");
    int col, row = find_text(&f->scr, "s(z_j) in [0, 1]", &col);
    cr_assert_geq(row, 0);
    int len[4];
    for (int j = 0; j < 4; j++) {
        int y = row + 1 + j, e = 0, x = col;
        while (hbar_eighths(screen_cell(&f->scr, x, y)->ch) > 0)
            e += hbar_eighths(screen_cell(&f->scr, x++, y)->ch);
        len[j] = e;
    }
    cr_assert_gt(len[0], 40, "the full bar is only %d eighths", len[0]);
    for (int j = 1; j < 4; j++)
        cr_expect(fabs(len[j] - s[j] * len[0]) <= 1.0, "unit %d: %d eighths for s = %g of %d", j,
                  len[j], s[j], len[0]);
    /* Unsaturated units in the warning colour, saturated ones not. */
    cr_expect_eq(screen_cell(&f->scr, col, row + 2)->style, THEME_WARN);
    cr_expect_eq(screen_cell(&f->scr, col, row + 1)->style, THEME_REG);
    frame_free(f);
}

/* ---- sparse ---- */

Test(labpanes, sparse_bars_follow_weights_and_mark_the_support)
{
    struct frame *f = frame_new(OU_LAB_SPARSE, 120, 40, false);
    struct ou_lab_obs *o = &f->snap.obs;
    const double v[8] = {0.1, 1.2, 0.3, 0.05, 0.9, 0.2, 0.6, 0.4};
    f->snap.cfg.dim = 8;
    f->snap.cfg.n = 5;
    f->snap.cfg.rank = 2;
    o->dim = 8;
    double l1 = 0.0;
    for (int k = 0; k < 8; k++) {
        o->coef[k] = v[k];
        l1 += v[k];
    }
    o->truth[1] = 1.0;
    o->truth[4] = 1.0;
    o->l1 = l1;
    o->err = 0.4;
    o->support_found = 2;
    frame_draw(f);
    expect_text(&f->scr, "sparse model: v⊙v per coordinate");
    expect_text(&f->scr, "support found 2/2");
    expect_text(&f->scr, "ℓ1 ‖v⊙v‖₁ 3.75 (w*: 2)");
    expect_text(&f->scr, "noise label");
    int col, row = find_text(&f->scr, "d = 8 coordinates", &col);
    cr_assert_geq(row, 0);
    struct rect m = f->lay.main;
    int hs[8], xs[8], nb = 0, y1 = m.y + m.h - 2;
    for (int x = m.x + 1; x < m.x + m.w - 1 && nb < 8; x++) {
        int h = column_height(&f->scr, x, row + 1, y1);
        if (h > 0) {
            xs[nb] = x;
            hs[nb++] = h;
        }
    }
    cr_assert_eq(nb, 8, "found %d bars", nb);
    /* The largest weight, 1.2, is the top of the scale (above the truth's 1). */
    for (int k = 0; k < 8; k++)
        cr_expect(fabs(hs[k] - hs[1] * v[k] / 1.2) <= 1.0, "coordinate %d: %d eighths of %d", k,
                  hs[k], hs[1]);
    /* The bars' bottom row; the support marks sit under coordinates 2 and 5 only, whose bars
     * take the support's colour. */
    int base = row + 1;
    for (int y = row + 1; y <= y1; y++)
        if (vbar_eighths(screen_cell(&f->scr, xs[0], y)->ch) > 0)
            base = y;
    for (int k = 0; k < 8; k++) {
        bool mark = screen_cell(&f->scr, xs[k], base + 1)->ch == 0x25B2u;
        cr_expect_eq(mark, o->truth[k] > 0.0, "coordinate %d", k);
        cr_expect_eq(screen_cell(&f->scr, xs[k], base)->style,
                     o->truth[k] > 0.0 ? THEME_KINK_UP : THEME_REG, "coordinate %d", k);
    }
    /* Parameter noise is named. */
    f->snap.cfg.noise = OU_LAB_NOISE_PARAM;
    frame_draw(f);
    expect_text(&f->scr, "noise param");
    expect_text(&f->scr, "param: isotropic kicks on θ");
    frame_free(f);
}

/* ---- ridge ---- */

Test(labpanes, ridge_pairs_of_signed_bars_and_two_test_errors)
{
    struct frame *f = frame_new(OU_LAB_RIDGE, 120, 40, false);
    struct ou_lab_obs *o = &f->snap.obs;
    const double th[4] = {0.5, -0.25, 0.125, -0.5}, rg[4] = {0.25, -0.25, 0.0, -0.375};
    f->snap.cfg.dim = 4;
    o->dim = 4;
    for (int k = 0; k < 4; k++) {
        o->coef[k] = th[k];
        o->ridge_coef[k] = rg[k];
    }
    o->err = 0.61;
    o->ridge_err = 0.58;
    o->ridge_lambda = 0.02;
    frame_draw(f);
    expect_text(&f->scr, "least squares beside ridge");
    expect_text(&f->scr, "test error: GD 0.61, ridge 0.58");
    expect_text(&f->scr, "λ 0.02 = 1/(ηt)");
    expect_text(&f->scr, "test error, log y");
    expect_text(&f->scr, "━ GD");
    expect_text(&f->scr, "━ ridge");
    expect_text(&f->scr, "all 4 coordinates");
    /* Find the axis row: the one labelled 0 left of the bars. */
    int col, row = find_text(&f->scr, "all 4 coordinates", &col);
    cr_assert_geq(row, 0);
    struct rect m = f->lay.main;
    int axis = -1, ax = -1;
    for (int y = row + 1; y < m.y + m.h - 1 && axis < 0; y++)
        for (int x = m.x + 1; x < m.x + 12; x++)
            if (screen_cell(&f->scr, x, y)->ch == '0' &&
                screen_cell(&f->scr, x + 1, y)->ch == 0x2502u) {
                axis = y;
                ax = x + 2;
            }
    cr_assert_geq(axis, 0);
    /* Coordinate k: theta in column ax + 3k, ridge beside it; sign decides the side. */
    for (int k = 0; k < 4; k++)
        for (int w = 0; w < 2; w++) {
            double val = w ? rg[k] : th[k];
            int x = ax + 3 * k + w, up = 0, down = 0;
            for (int y = row + 1; y <= axis; y++)
                up += is_block(screen_cell(&f->scr, x, y)->ch);
            for (int y = axis + 1; y < m.y + m.h - 1; y++)
                down += is_block(screen_cell(&f->scr, x, y)->ch);
            cr_expect_eq(up > 0, val > 0.0, "coordinate %d %s: %d cells up", k,
                         w ? "ridge" : "theta", up);
            cr_expect_eq(down > 0, val < 0.0, "coordinate %d %s: %d cells down", k,
                         w ? "ridge" : "theta", down);
            if (val > 0.0)
                cr_expect_eq(screen_cell(&f->scr, x, axis)->style, w ? THEME_EMA : THEME_CURVE);
        }
    /* The largest |value|, 0.5 (theta 1 up, theta 4 down), fills its half: equal heights. */
    int h1 = column_height(&f->scr, ax, row + 1, axis),
        hq = column_height(&f->scr, ax + 6, row + 1, axis);
    cr_expect(fabs(hq - h1 * 0.125 / 0.5) <= 1.0, "0.125 is %d eighths against %d for 0.5", hq, h1);
    frame_free(f);
}

Test(labpanes, ridge_coordinates_that_do_not_fit_are_named)
{
    struct frame *f = frame_new(OU_LAB_RIDGE, LABPANES_MIN_W, LABPANES_MIN_H, false);
    struct ou_lab_obs *o = &f->snap.obs;
    const size_t d = 40;
    f->snap.cfg.dim = o->dim = d;
    for (size_t k = 0; k < d; k++) {
        o->coef[k] = (k % 2 ? -0.5 : 0.5) * (1.0 + (double)k / (double)d);
        o->ridge_coef[k] = 0.5 * o->coef[k];
    }
    frame_draw(f);
    char *t = screen_text(&f->scr);
    const char *p = strstr(t, "1..");
    cr_assert_not_null(p, "%s", t);
    unsigned shown = 0, of = 0;
    cr_assert_eq(sscanf(p, "1..%u of %u", &shown, &of), 2, "%.40s", p);
    cr_expect_eq(of, (unsigned)d);
    cr_expect(strstr(p, "shows all") || strstr(p, "widen"), "no way to see the rest: %.80s", p);
    /* The width it names shows them all: 40 coordinates, two columns each, fit there. */
    const char *q = strstr(p, "widen to ");
    if (q) {
        int need = atoi(q + strlen("widen to "));
        struct lab_layout l;
        labpanes_layout(&l, need, LABPANES_MIN_H);
        cr_expect_geq(l.main.w - 2 - 9, 2 * (int)d, "%d columns: main pane %d", need, l.main.w);
        labpanes_layout(&l, need - 1, LABPANES_MIN_H);
        cr_expect_lt(l.main.w - 2 - 9, 2 * (int)d, "%d columns would do", need - 1);
    }
    free(t);
    /* Columns holding a bar: two per coordinate shown (theta and ridge), nothing else. */
    struct rect m = f->lay.main;
    int cols = 0;
    for (int x = m.x + 9; x < m.x + m.w - 1; x++) {
        bool any = false;
        for (int y = m.y + 2; y < m.y + m.h - 3; y++)
            any = any || is_block(screen_cell(&f->scr, x, y)->ch);
        cols += any;
    }
    cr_expect_eq(cols, 2 * (int)shown, "%d bar columns for %u coordinates", cols, shown);
    /* Narrower bars (no gap) fit more than three columns a coordinate would. */
    cr_expect_gt(shown, (unsigned)((m.w - 2 - 9 + 1) / 3));
    frame_free(f);
}

/* A long notice gets the whole hint bar for its few seconds instead of being cut. */
Test(labpanes, long_notices_are_shown_whole)
{
    struct frame *f = frame_new(OU_LAB_SENSING, LABPANES_MIN_W, LABPANES_MIN_H, false);
    char note[192];
    labkeys_sigma_note(note, sizeof note, 1.5, 0.75);
    f->view.notice = note;
    frame_draw(f);
    expect_text(&f->scr, note);
    frame_free(f);
    /*
     * Every note fits the hint bar of the smallest terminal whole, in UTF-8
     * and in ASCII (where σ² is spelled sigma^2): its width, one blank each
     * side and a column to spare.
     */
    struct screen sc[2];
    screen_init(&sc[0], false);
    screen_init(&sc[1], true);
    const double sig[][2] = {{1.5, 0.75}, {0.046875, 0.09375}, {0.0, 0.1}, {50.0, 100.0}};
    for (int i = 0; i < 6 + 4; i++) {
        if (i < 4)
            labkeys_sigma_note(note, sizeof note, sig[i][0], sig[i][1]);
        else if (i == 4)
            labkeys_noise_off_note(note, sizeof note, 0.046875);
        else if (i < 7)
            labkeys_noise_kind_note(note, sizeof note, i == 5);
        else
            labkeys_unbound_note(note, sizeof note, i == 7 ? 27 : (i == 8 ? 0 : 'N'));
        for (int a = 0; a < 2; a++)
            cr_expect_leq(screen_text_width(&sc[a], note), LABPANES_MIN_W - 3, "%s: %d columns",
                          note, screen_text_width(&sc[a], note));
    }
    screen_fini(&sc[0]);
    screen_fini(&sc[1]);
}

/* ---- status line, ASCII, divergence ---- */

Test(labpanes, status_line_names_setting_knobs_and_noise)
{
    struct frame *f = frame_new(OU_LAB_SPARSE, 120, 40, false);
    f->snap.cfg.eta = 0.004;
    f->snap.cfg.sigma = 2.0;
    f->snap.cfg.batch = 3;
    f->snap.step = 1234567;
    frame_draw(f);
    char *t = screen_text(&f->scr);
    char first[512];
    snprintf(first, sizeof first, "%.*s", (int)strcspn(t, "\n"), t);
    const char *want[] = {"running", "setting sparse", "step 1,234,567", "η 0.004",
                          "σ 2",     "B 3/24",         "noise label"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect(strstr(first, want[i]) != NULL, "status line lacks \"%s\": %s", want[i], first);
    free(t);
    f->view.paused = true;
    f->view.sigma_off = 2.0;
    f->snap.cfg.sigma = 0.0;
    f->snap.cfg.noise = OU_LAB_NOISE_PARAM;
    frame_draw(f);
    t = screen_text(&f->scr);
    snprintf(first, sizeof first, "%.*s", (int)strcspn(t, "\n"), t);
    cr_expect(strstr(first, "PAUSED") != NULL, "%s", first);
    cr_expect(strstr(first, "σ off (2)") != NULL, "%s", first);
    cr_expect(strstr(first, "noise param") != NULL, "%s", first);
    free(t);
    frame_free(f);
}

Test(labpanes, divergence_is_explained_on_the_status_line)
{
    struct frame *f = frame_new(OU_LAB_RIDGE, 120, 40, false);
    f->snap.status = OU_EDIVERGED;
    f->snap.step = 42;
    frame_draw(f);
    expect_text(&f->scr, "diverged after step 42");
    expect_text(&f->scr, "r resets");
    frame_free(f);
}

Test(labpanes, ascii_screens_stay_ascii)
{
    for (int k = 0; k < OU_LAB_NKINDS; k++) {
        struct frame *f = frame_new((enum ou_lab_kind)k, 100, 30, true);
        if (k == OU_LAB_SENSING)
            sensing_snapshot(&f->snap);
        f->view.help = true;
        frame_draw(f);
        for (int y = 0; y < f->scr.h; y++)
            for (int x = 0; x < f->scr.w; x++) {
                uint32_t c = screen_cell(&f->scr, x, y)->ch;
                cr_expect(c < 128, "%s: U+%04X at %d,%d", ou_lab_kind_name((enum ou_lab_kind)k), c,
                          x, y);
                if (c >= 128)
                    break;
            }
        frame_free(f);
    }
}

/*
 * The settings' help at 80x24 is one line taller than the rows between the
 * borders and the blank line above the foot: it takes that blank line and
 * stays in one column, every key in full, rather than spill "q quit" alone
 * into a second column.
 */
Test(labpanes, help_at_80x24_is_one_column)
{
    struct help_entry e[24];
    size_t n = labkeys_help(e, 24);
    struct frame *f = frame_new(OU_LAB_SENSING, 80, 24, false);
    sensing_snapshot(&f->snap);
    f->view.help = true;
    frame_draw(f);
    int x0 = -1;
    for (size_t i = 0; i < n; i++) {
        int col = -1;
        cr_expect_geq(find_text(&f->scr, e[i].text, &col), 0, "\"%s\" is not shown in full",
                      e[i].text);
        if (x0 < 0)
            x0 = col;
        cr_expect_eq(col, x0, "\"%s\" starts at column %d, the first text at %d", e[i].text, col,
                     x0);
    }
    char *t = screen_text(&f->scr);
    cr_expect(strstr(t, "enlarge the terminal") == NULL, "%s", t);
    cr_expect(strstr(t, "any key closes") != NULL, "%s", t);
    free(t);
    frame_free(f);
}

/*
 * The same rule on its own: n lines fill an h-row screen's one column when
 * n = h - 5 (borders, blank line, two foot lines) or h - 4 (the blank line
 * gives way); at h - 3 they take two columns.
 */
Test(labpanes, help_blank_line_gives_way_for_one_line_only)
{
    static const char *texts[] = {"aa", "bb", "cc", "dd", "ee", "ff", "gg", "hh",
                                  "ii", "jj", "kk", "ll", "mm", "nn", "oo", "pp"};
    struct help_entry e[16];
    for (int i = 0; i < 16; i++)
        e[i] = (struct help_entry){"k", texts[i], NULL};
    const char *foot[] = {"foot one", "foot two"};
    for (int extra = 0; extra <= 2; extra++) {
        int h = 16 + 5 - extra;
        struct screen s;
        screen_init(&s, true);
        cr_assert(screen_resize(&s, 60, h));
        screen_clear(&s);
        chrome_help(&s, "keys", e, 16, foot, 2);
        int x0 = -1, y0 = -1, cols = 1;
        for (int i = 0; i < 16; i++) {
            int col = -1, row = find_text(&s, texts[i], &col);
            cr_assert_geq(row, 0, "h=%d: %s not shown", h, texts[i]);
            if (x0 < 0) {
                x0 = col;
                y0 = row;
            }
            if (col != x0)
                cols = 2;
            else
                cr_expect_eq(row, y0 + i, "h=%d: %s at row %d", h, texts[i], row);
        }
        cr_expect_eq(cols, extra < 2 ? 1 : 2, "h=%d: %d columns", h, cols);
        int foot_col = -1;
        int foot_row = find_text(&s, "foot one", &foot_col);
        /* The box's last text row is above the foot: blank between them unless it gave way. */
        int last_col = -1, last_row = find_text(&s, texts[15], &last_col);
        if (extra == 0)
            cr_expect_eq(foot_row, last_row + 2, "h=%d: no blank line above the foot", h);
        else if (extra == 1)
            cr_expect_eq(foot_row, last_row + 1, "h=%d: the blank line stayed", h);
        screen_fini(&s);
    }
}

/* ---- the history slots ---- */

Test(labpanes, history_values_take_each_kinds_headline)
{
    struct ou_lab_snapshot s;
    double y[HIST_NSERIES];
    snap_init(&s, OU_LAB_RIDGE);
    s.obs.err = 0.7;
    s.obs.ridge_err = 0.6;
    labpanes_hist_values(&s, y);
    cr_expect_float_eq(y[LAB_HIST_LOSS], 0.02, 1e-15);
    cr_expect_float_eq(y[LAB_HIST_REG], 12.0, 1e-15);
    cr_expect_float_eq(y[LAB_HIST_HEAD], 0.7, 1e-15);
    cr_expect_float_eq(y[LAB_HIST_HEAD2], 0.6, 1e-15);
    snap_init(&s, OU_LAB_SIGMOID);
    s.obs.unsaturated = 5;
    s.loss_mean = NAN; /* no steps since the last snapshot: the state's own values */
    s.obs.loss = 0.3;
    labpanes_hist_values(&s, y);
    cr_expect_float_eq(y[LAB_HIST_HEAD], 5.0, 1e-15);
    cr_expect_float_eq(y[LAB_HIST_LOSS], 0.3, 1e-15);
    cr_expect(isnan(y[LAB_HIST_HEAD2]));
}

/* ---- the sections cited exist; the keys are documented ---- */

static char *
read_file(const char *rel)
{
    const char *src = getenv("OU_SRCDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *buf = calloc(1, (size_t)len + 1);
    cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return buf;
}

Test(labpanes, every_cited_section_exists)
{
    char *man = read_file("man/ouscope-science.7");
    for (int k = 0; k < OU_LAB_NKINDS; k++) {
        struct frame *f = frame_new((enum ou_lab_kind)k, 160, 50, false);
        frame_draw(f);
        char *t = screen_text(&f->scr);
        int found = 0;
        for (const char *p = strstr(t, "ouscope-science(7) "); p;
             p = strstr(p + 1, "ouscope-science(7) ")) {
            const char *q = p + strlen("ouscope-science(7) ");
            size_t n = strcspn(q, "─\n");
            while (n > 0 && q[n - 1] == ' ')
                n--;
            char want[128];
            snprintf(want, sizeof want, "\n.SH %.*s\n", (int)n, q);
            char quoted[128];
            snprintf(quoted, sizeof quoted, "\n.SH \"%.*s\"\n", (int)n, q);
            cr_expect(strstr(man, want) || strstr(man, quoted),
                      "ouscope-science(7) has no section \"%.*s\"", (int)n, q);
            found++;
        }
        cr_expect_eq(found, 4, "%s: %d panes cite a section", ou_lab_kind_name((enum ou_lab_kind)k),
                     found);
        free(t);
        frame_free(f);
    }
    free(man);
}

Test(labkeys, the_settings_section_of_the_man_page_lists_every_key)
{
    char *man = read_file("man/ouscope.1");
    char *sec = strstr(man, "\n.SH SETTINGS\n");
    cr_assert_not_null(sec, "ouscope(1) has no SETTINGS section");
    char *end = strstr(sec + 1, "\n.SH ");
    if (end)
        *end = '\0';
    size_t n;
    const struct labkeys_entry *t = labkeys_table(&n);
    for (size_t i = 0; i < n; i++) {
        char tag[64];
        /* As roff spells the key: \- for a minus, \& before a leading dot. */
        snprintf(tag, sizeof tag, "\n.B %s\n",
                 strcmp(t[i].name, "Ctrl-L") == 0 ? "Ctrl\\-L" : t[i].name);
        cr_expect(strstr(sec, tag) != NULL, "ouscope(1) SETTINGS does not list the key \"%s\"",
                  t[i].name);
    }
    free(man);
}

Test(labkeys, lookup_hints_and_help_come_from_the_table)
{
    cr_expect_eq(labkeys_lookup('p'), LABKEYS_NOISE_KIND);
    cr_expect_eq(labkeys_lookup(']'), LABKEYS_SIGMA_UP);
    cr_expect_eq(labkeys_lookup('q'), LABKEYS_QUIT);
    cr_expect_eq(labkeys_lookup('Z'), LABKEYS_NONE);
    struct help_entry h[16];
    char keys[16][LABKEYS_KEYS_MAX];
    size_t nh = labkeys_hints(h, keys, 16);
    bool sigma = false, quit_last = nh > 0 && strcmp(h[nh - 1].keys, "q") == 0;
    for (size_t i = 0; i < nh; i++)
        sigma = sigma || strcmp(h[i].keys, "]/[") == 0;
    cr_expect(sigma, "no \"]/[\" hint");
    cr_expect(quit_last, "q is not the last hint");
    size_t n;
    labkeys_table(&n);
    struct help_entry all[32];
    cr_expect_eq(labkeys_help(all, 32), n);
}

/* ---- the notes the keys leave ---- */

Test(labkeys, sigma_notes_say_which_way_and_how_much)
{
    char b[192];
    /* Halving sigma scales the sigma^2 effects by (1/2)^2: four times weaker. */
    labkeys_sigma_note(b, sizeof b, 1.5, 0.75);
    cr_expect(strstr(b, "σ = 0.75") && strstr(b, "÷2") && strstr(b, "σ²"), "%s", b);
    cr_expect(strstr(b, "4× weaker") != NULL, "%s", b);
    cr_expect(strstr(b, "faster") == NULL && strstr(b, "stronger") == NULL, "%s", b);
    labkeys_sigma_note(b, sizeof b, 1.5, 3.0);
    cr_expect(strstr(b, "σ = 3") && strstr(b, "×2") && strstr(b, "4× stronger"), "%s", b);
    labkeys_sigma_note(b, sizeof b, 0.0, 0.1);
    cr_expect(strstr(b, "σ = 0.1") && strstr(b, "noise on"), "%s", b);
    labkeys_noise_off_note(b, sizeof b, 0.75);
    cr_expect(strstr(b, "noise off") && strstr(b, "0 brings back σ = 0.75"), "%s", b);
}

Test(labkeys, unbound_keys_get_a_note_naming_them)
{
    char b[192], want[32];
    /* Every printable key the table does not bind, among them the 1D view's o a b w n + N. */
    int unbound = 0;
    for (int k = 33; k < 127; k++) {
        if (labkeys_lookup(k) != LABKEYS_NONE)
            continue;
        unbound++;
        labkeys_unbound_note(b, sizeof b, k);
        snprintf(want, sizeof want, "key %c: not in this setting", k);
        cr_expect(strstr(b, want) != NULL, "%s", b);
        cr_expect(strstr(b, "? lists the keys") != NULL, "%s", b);
    }
    for (const char *k = "oabwn+N"; *k; k++)
        cr_expect_eq(labkeys_lookup(*k), LABKEYS_NONE, "%c is bound now", *k);
    cr_expect_gt(unbound, 50);
    labkeys_unbound_note(b, sizeof b, 27);
    cr_expect(strstr(b, "key Esc:") != NULL, "%s", b);
    labkeys_unbound_note(b, sizeof b, 0);
    cr_expect(strstr(b, "that key:") != NULL, "%s", b);
    labkeys_unbound_note(b, sizeof b, 0x00E9);
    cr_expect(strstr(b, "key é:") != NULL, "%s", b);
}

Test(labkeys, the_noise_kind_note_names_both_kinds)
{
    char b[192];
    labkeys_noise_kind_note(b, sizeof b, true);
    cr_expect(strstr(b, "parameter noise (isotropic, same size) instead of label noise"), "%s", b);
    labkeys_noise_kind_note(b, sizeof b, false);
    cr_expect(strstr(b, "label noise") && strstr(b, "instead of parameter noise"), "%s", b);
}

Test(labkeys, the_settings_section_gives_the_minimum_size)
{
    char *man = read_file("man/ouscope.1");
    char *sec = strstr(man, "\n.SH SETTINGS\n");
    cr_assert_not_null(sec);
    char *end = strstr(sec + 1, "\n.SH ");
    if (end)
        *end = '\0';
    char want[32];
    snprintf(want, sizeof want, "%d\\(mu%d", LABPANES_MIN_W, LABPANES_MIN_H);
    cr_expect(strstr(sec, want) != NULL, "ouscope(1) SETTINGS does not give the size %s", want);
    free(man);
}
