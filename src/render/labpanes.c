/*
 * The other settings' panes.  The main pane shows the kind's state as
 * bars or heat maps read straight from the snapshot; the three history
 * panes on the right share one step axis.  Every pane's foot names the
 * ouscope-science(7) section that explains it.  No terminal, no engine
 * calls: only the snapshot and the view.
 */
#include "config.h"

#include "labpanes.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/chrome.h"
#include "render/panes.h"
#include "render/plot.h"
#include "render/scale.h"

/* The sections of ouscope-science(7) the panes cite. */
#define SEC_NOISE "LABEL-NOISE SGD"
#define SEC_REG "THE IMPLICIT REGULARIZER"

/* Each setting's own section, for its main and headline panes. */
static const char *
kind_section(enum ou_lab_kind k)
{
    switch (k) {
    case OU_LAB_SENSING:
        return "MATRIX SENSING";
    case OU_LAB_SIGMOID:
        return "SIGMOID NET";
    case OU_LAB_SPARSE:
        return "SPARSE MODEL";
    case OU_LAB_RIDGE:
        return "LEAST SQUARES AND RIDGE";
    default:
        return "OTHER SETTINGS";
    }
}

/* Lower partial blocks, eighths 1..8 of a cell. */
static const uint32_t vbar_eighth[9] = {' ',    0x2581, 0x2582, 0x2583, 0x2584,
                                        0x2585, 0x2586, 0x2587, 0x2588};

/* ---- layout ---- */

/* The main pane's width in a w-column terminal: the history column takes 3/8, at least 34. */
static int
main_width(int w)
{
    int rw = (w * 3) / 8;
    return w - (rw < 34 ? 34 : rw);
}

/* The narrowest terminal whose main pane is at least pw columns wide. */
static int
terminal_for_main(int pw)
{
    int w = pw;
    while (main_width(w) < pw)
        w++;
    return w;
}

void
labpanes_layout(struct lab_layout *l, int w, int h)
{
    memset(l, 0, sizeof *l);
    l->w = w;
    l->h = h;
    l->min_w = LABPANES_MIN_W;
    l->min_h = LABPANES_MIN_H;
    l->too_small = w < l->min_w || h < l->min_h;
    l->status = (struct rect){0, 0, w, 1};
    l->hint = (struct rect){0, h - 1, w, 1};
    if (l->too_small)
        return;
    int body = h - 2, lw = main_width(w), rw = w - lw;
    l->main = (struct rect){0, 1, lw, body};
    /* The right column in three; spare rows go to the lower panes. */
    int base = body / 3, extra = body % 3, y = 1;
    struct rect *col[3] = {&l->loss, &l->reg, &l->head};
    for (int k = 0; k < 3; k++) {
        int ph = base + (k >= 3 - extra ? 1 : 0);
        *col[k] = (struct rect){lw, y, rw, ph};
        y += ph;
    }
}

void
labpanes_hist_values(const struct ou_lab_snapshot *snap, double y[HIST_NSERIES])
{
    const struct ou_lab_obs *o = &snap->obs;
    for (int k = 0; k < HIST_NSERIES; k++)
        y[k] = NAN;
    y[LAB_HIST_LOSS] = isfinite(snap->loss_mean) ? snap->loss_mean : o->loss;
    y[LAB_HIST_REG] = isfinite(snap->reg_mean) ? snap->reg_mean : o->reg;
    switch (snap->cfg.kind) {
    case OU_LAB_SIGMOID:
        y[LAB_HIST_HEAD] = (double)o->unsaturated;
        break;
    case OU_LAB_RIDGE:
        y[LAB_HIST_HEAD] = o->err;
        y[LAB_HIST_HEAD2] = o->ridge_err;
        break;
    case OU_LAB_SENSING:
    case OU_LAB_SPARSE:
    default:
        y[LAB_HIST_HEAD] = o->err;
        break;
    }
}

/* ---- small helpers ---- */

/*
 * A vertical bar in column x: up from the bottom of row `base` (f > 0) or
 * down from the top of row base + 1 (f < 0), h rows at |f| = 1.  Upward
 * bars have eighths; downward ones halves (the block set has no lower
 * partials hanging from the top but the upper half).
 */
static void
vbar(struct screen *s, int x, int base, int h, double f, enum theme_role style)
{
    if (!isfinite(f) || !(fabs(f) > 0.0) || h <= 0)
        return;
    long eighths = lround(fmin(fabs(f), 1.0) * (double)h * 8.0);
    int full = (int)(eighths / 8), part = (int)(eighths % 8);
    uint32_t block = s->ascii ? '#' : 0x2588;
    if (f > 0.0) {
        for (int i = 0; i < full; i++)
            screen_put(s, x, base - i, block, style);
        if (part > 0 && full < h)
            screen_put(s, x, base - full, s->ascii ? (part >= 4 ? '#' : '.') : vbar_eighth[part],
                       style);
    } else {
        for (int i = 0; i < full; i++)
            screen_put(s, x, base + 1 + i, block, style);
        if (part > 0 && full < h)
            screen_put(s, x, base + 1 + full,
                       s->ascii ? (part >= 4 ? '#' : '\'') : (part >= 4 ? 0x2580 : 0x2594), style);
    }
}

/* A value for a readout: %.4g, or "∞" / "n/a". */
static const char *
fmt_g(double v, char *buf, size_t len)
{
    if (isinf(v))
        snprintf(buf, len, "%s", v > 0 ? "∞" : "-∞");
    else if (isnan(v))
        snprintf(buf, len, "n/a");
    else
        snprintf(buf, len, "%.4g", v);
    return buf;
}

/* A message line inside a pane. */
static void
pane_line(struct screen *s, struct rect in, int row, const char *text, enum theme_role style)
{
    if (row >= 0 && row < in.h)
        screen_puts(s, in.x + 1, in.y + row, in.w - 2, text, style);
}

/* ---- sensing: heat maps of X* and U U^T, the eigenvalues of U U^T ---- */

/* Shade of |v| / top: a dot below 1/16, then four blocks from light to full. */
static uint32_t
heat_glyph(bool ascii, double f)
{
    static const uint32_t utf[5] = {0x00B7, 0x2591, 0x2592, 0x2593, 0x2588};
    static const char asc[5] = {'.', ':', '+', '*', '#'};
    int k = f < 1.0 / 16.0 ? 0 : (f < 0.25 ? 1 : (f < 0.5 ? 2 : (f < 0.75 ? 3 : 4)));
    return ascii ? (uint32_t)asc[k] : utf[k];
}

/* Positive entries orange, negative purple; a near-zero dot dim. */
static enum theme_role
heat_role(double v, double f)
{
    if (f < 1.0 / 16.0)
        return THEME_DIM;
    return v > 0.0 ? THEME_KINK_UP : THEME_KINK_DOWN;
}

/* The first rows x cols entries of the d x d matrix m, each a ch x cw block of cells. */
static void
heat_map(struct screen *s, int x0, int y0, const double *m, size_t d, size_t rows, size_t cols,
         int cw, int ch, double top)
{
    for (size_t j = 0; j < rows; j++)
        for (size_t k = 0; k < cols; k++) {
            double v = m[j * d + k], f = top > 0.0 ? fabs(v) / top : 0.0;
            struct rect cell = {x0 + (int)k * cw, y0 + (int)j * ch, cw, ch};
            screen_fill(s, cell, heat_glyph(s->ascii, f), heat_role(v, f));
        }
}

/* The colour scale: "-top ████ · ████ +top  min a, max b". */
static int
heat_legend(struct screen *s, int x, int y, int w, double top, double lo, double hi)
{
    char a[32], b[32];
    int col = x, end = x + w;
    snprintf(a, sizeof a, "-%.3g ", top);
    col += screen_puts(s, col, y, end - col, a, THEME_TEXT);
    static const double ramp[4] = {0.9, 0.6, 0.4, 0.2};
    for (int i = 0; i < 4 && col < end; i++)
        screen_put(s, col++, y, heat_glyph(s->ascii, ramp[i]), THEME_KINK_DOWN);
    if (col < end)
        screen_put(s, col++, y, heat_glyph(s->ascii, 0.0), THEME_DIM);
    for (int i = 3; i >= 0 && col < end; i--)
        screen_put(s, col++, y, heat_glyph(s->ascii, ramp[i]), THEME_KINK_UP);
    snprintf(a, sizeof a, " +%.3g", top);
    col += screen_puts(s, col, y, end - col, a, THEME_TEXT);
    snprintf(b, sizeof b, "   min %.3g, max %.3g", lo, hi);
    if (screen_text_width(s, b) <= end - col)
        col += screen_puts(s, col, y, end - col, b, THEME_DIM);
    return col - x;
}

/* The first of texts[0..n) that fits in w columns (the last, cut with an ellipsis, if none). */
static void
puts_first_fit(struct screen *s, int x, int y, int w, const char *const *texts, int n,
               enum theme_role style)
{
    for (int i = 0; i < n; i++)
        if (screen_text_width(s, texts[i]) <= w || i == n - 1) {
            chrome_puts_fit(s, x, y, w, texts[i], style);
            return;
        }
}

/*
 * How the two heat maps fill the room they have: each entry a ch x cw
 * block (cw = 2 ch looks square in a terminal cell of about 1:2), the
 * largest that fits in w columns and h rows, the maps taking at most
 * `grow` rows when they are scaled up; at the smallest size (ch = 1, cw = 2
 * or 1) only the first rows x cols entries are shown if even that does
 * not fit.  gap is the columns between the two maps.
 */
struct heat_fit {
    int cw, ch, gap;
    size_t rows, cols;
};

static struct heat_fit
heat_fit(size_t d, int w, int h, int grow)
{
    struct heat_fit f = {.cw = 1, .ch = 1, .gap = 3};
    const int n = (int)d;
    for (int ch = OU_LAB_SIDE_MAX; ch >= 1; ch--) {
        int cw = 2 * ch, gap = 4;
        if (2 * n * cw + gap <= w && n * ch <= (ch == 1 ? h : (grow > h ? h : grow))) {
            f = (struct heat_fit){.cw = cw, .ch = ch, .gap = gap, .rows = d, .cols = d};
            return f;
        }
    }
    if (2 * n * 2 + 4 <= w) {
        f.cw = 2;
        f.gap = 4;
    }
    int cols = (w - f.gap) / (2 * f.cw);
    f.cols = cols < 0 ? 0 : ((size_t)cols < d ? (size_t)cols : d);
    f.rows = h < 0 ? 0 : ((size_t)h < d ? (size_t)h : d);
    return f;
}

static void
main_sensing(struct screen *s, struct rect r, const struct ou_lab_snapshot *snap)
{
    const struct ou_lab_obs *o = &snap->obs;
    const bool a = s->ascii;
    char rank_title[64];
    snprintf(rank_title, sizeof rank_title,
             a ? "matrix sensing: X* (rank %zu) and U U^T"
               : "matrix sensing: X* (rank %zu) and U Uᵀ",
             snap->cfg.rank);
    chrome_frame(s, r, rank_title, "matrix sensing", NULL, 0);
    chrome_foot(s, r, kind_section(snap->cfg.kind));
    struct rect in = screen_inset(r, 1);
    size_t d = o->side;
    if (d < 1 || d > OU_LAB_SIDE_MAX) {
        pane_line(s, in, 0, "no matrix in this snapshot", THEME_WARN);
        return;
    }
    const size_t rank = snap->cfg.rank;
    const int w = in.w - 2, x0 = in.x + 1;
    /* The readouts take the last two rows. */
    const int ry = in.y + in.h - 2;

    /*
     * Rows below the maps' titles and above the readouts: the maps, the
     * colour scale, a note when the maps are cut, then the eigenvalues:
     * their label, at least 2 rows of bars and the mark row.  Scaled up, the
     * maps take at most 3/5 of the rows and the eigenvalues keep the rest.
     */
    const int rows = ry - (in.y + 1);
    /*
     * The eigenvalues' label: in one line if it fits; else the mark's
     * meaning on a second line when the maps fit whole above it; else
     * shorter.
     */
    char lab[128], mark[96];
    snprintf(mark, sizeof mark,
             a ? "^ marks the top r = %zu (X* has rank %zu)"
               : "▲ marks the top r = %zu (X* has rank %zu)",
             rank, rank);
    snprintf(lab, sizeof lab, a ? "eigenvalues of U U^T; %s" : "eigenvalues λ_k of U Uᵀ; %s", mark);
    int nlab = 1;
    if (screen_text_width(s, lab) > w) {
        if (rows - ((int)d + 1) >= 2 + 2 + 1) {
            nlab = 2;
            snprintf(lab, sizeof lab, a ? "eigenvalues of U U^T" : "eigenvalues λ_k of U Uᵀ");
        } else {
            snprintf(lab, sizeof lab,
                     a ? "U U^T: ^ the top r = %zu (X* has rank %zu)"
                       : "λ_k of UUᵀ: ▲ top r = %zu (X* has rank %zu)",
                     rank, rank);
        }
    }
    const int eig_min = nlab + 2 + 1, share = 2 * rows / 5;
    const int grow = rows - 1 - (eig_min > share ? eig_min : share);
    struct heat_fit hf = heat_fit(d, w, rows - 1 - eig_min, grow);
    const bool cut = hf.rows < d || hf.cols < d;
    if (cut && hf.rows > 0 && (int)hf.rows > rows - 2 - eig_min)
        hf.rows = rows - 2 - eig_min > 0 ? (size_t)(rows - 2 - eig_min) : 0;
    if (hf.rows < 1 || hf.cols < 1) {
        pane_line(s, in, 0, "too small for the heat maps; enlarge the terminal", THEME_WARN);
        return;
    }
    int mw = (int)hf.cols * hf.cw;
    int x1 = x0 + mw + hf.gap, y = in.y;
    double top = 0.0, lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < d * d; k++)
        for (int m = 0; m < 2; m++) {
            double v = m ? o->mat[k] : o->star[k];
            if (!isfinite(v))
                continue;
            top = fmax(top, fabs(v));
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
    screen_puts(s, x0, y, mw + hf.gap - 1, "X* (truth)", THEME_TITLE);
    screen_puts(s, x1, y, in.x + in.w - 1 - x1, a ? "U U^T (now)" : "U Uᵀ (now)", THEME_TITLE);
    heat_map(s, x0, y + 1, o->star, d, hf.rows, hf.cols, hf.cw, hf.ch, top);
    heat_map(s, x1, y + 1, o->mat, d, hf.rows, hf.cols, hf.cw, hf.ch, top);
    y += 1 + (int)hf.rows * hf.ch;
    heat_legend(s, x0, y, w, top, lo, hi);
    y++;
    if (cut) {
        char t[4][96];
        snprintf(t[0], sizeof t[0], "showing %zu×%zu of the %zu×%zu entries; enlarge the terminal",
                 hf.rows, hf.cols, d, d);
        snprintf(t[1], sizeof t[1], "showing %zu×%zu of %zu×%zu; enlarge the terminal", hf.rows,
                 hf.cols, d, d);
        snprintf(t[2], sizeof t[2], "%zu×%zu of %zu×%zu shown; enlarge the terminal", hf.rows,
                 hf.cols, d, d);
        snprintf(t[3], sizeof t[3], "%zu×%zu of %zu×%zu shown", hf.rows, hf.cols, d, d);
        const char *const tp[4] = {t[0], t[1], t[2], t[3]};
        puts_first_fit(s, x0, y++, w, tp, 4, THEME_WARN);
    }

    /* Readouts at the bottom: two lines. */
    double tail = 0.0;
    for (size_t k = rank; k < d; k++)
        tail += o->sv[k];
    struct chrome_field f[4];
    char b[32], c[32];
    memset(f, 0, sizeof f);
    f[0] =
        (struct chrome_field){.label = a ? "err |UU^T - X*|_F/|X*|_F" : "err ‖UUᵀ − X*‖_F/‖X*‖_F",
                              .vstyle = THEME_BOLD,
                              .prio = 0};
    fmt_g(o->err, f[0].value, sizeof f[0].value);
    f[1] = (struct chrome_field){
        .label = a ? "nuclear |UU^T|_*" : "nuclear ‖UUᵀ‖_*", .vstyle = THEME_BOLD, .prio = 0};
    snprintf(f[1].value, sizeof f[1].value, "%s vs %s %s", fmt_g(o->nuclear, b, sizeof b),
             a ? "|X*|_*" : "‖X*‖_*", fmt_g(o->nuclear_star, c, sizeof c));
    chrome_fields(s, in.x + 1, ry, in.w - 2, f, 2);
    memset(f, 0, sizeof f);
    f[0] = (struct chrome_field){.label = a ? "eigenvalues beyond rank(X*), sum"
                                            : "Σ λ_k beyond rank(X*)",
                                 .vstyle = THEME_BOLD,
                                 .prio = 0};
    fmt_g(tail, f[0].value, sizeof f[0].value);
    f[1] = (struct chrome_field){.label = a ? "|theta|" : "‖θ‖", .vstyle = THEME_BOLD, .prio = 1};
    fmt_g(o->theta_norm, f[1].value, sizeof f[1].value);
    f[2] = (struct chrome_field){.label = "d×d′", .vstyle = THEME_BOLD, .prio = 2};
    snprintf(f[2].value, sizeof f[2].value, "%zu×%zu", d, snap->cfg.width);
    f[3] = (struct chrome_field){.label = "n", .vstyle = THEME_BOLD, .prio = 2};
    snprintf(f[3].value, sizeof f[3].value, "%zu", snap->cfg.n);
    chrome_fields(s, in.x + 1, ry + 1, in.w - 2, f, 4);

    /*
     * Eigenvalues of U U^T as columns, X*'s rank marked under them: the
     * label, the bars, the mark row, and blank rows around them when there
     * is room for 4 rows of bars without them.
     */
    int bh = ry - 1 - y - nlab;
    if (bh >= 5)
        bh--; /* a blank row above the readouts */
    if (bh >= 5) {
        y++; /* and one below the colour scale */
        bh--;
    }
    if (bh < 2)
        return;
    screen_puts(s, x0, y, w, lab, THEME_TEXT);
    if (nlab == 2)
        chrome_puts_fit(s, x0, y + 1, w, mark, THEME_DIM);
    y += nlab - 1;
    int gut = 7, bx = x0 + gut, avail = in.x + in.w - 1 - bx;
    int per = 3 * (int)d <= avail ? 3 : (2 * (int)d <= avail ? 2 : 1);
    int nb = avail / per < (int)d ? avail / per : (int)d;
    double etop = 0.0;
    for (size_t k = 0; k < d; k++)
        if (isfinite(o->sv[k]))
            etop = fmax(etop, o->sv[k]);
    if (!(etop > 0.0))
        etop = 1.0;
    int base = y + bh;
    char t[16];
    scale_format(etop, t, sizeof t);
    screen_puts(s, bx - 1 - (int)strlen(t), y + 1, gut - 1, t, THEME_AXIS);
    screen_puts(s, bx - 2, base, 1, "0", THEME_AXIS);
    for (int r2 = y + 1; r2 <= base; r2++)
        screen_put(s, bx - 1, r2, a ? '|' : 0x2502, THEME_AXIS);
    for (int k = 0; k < nb; k++) {
        bool in_rank = (size_t)k < rank;
        enum theme_role st = in_rank ? THEME_CURVE : THEME_KINK_DOWN;
        for (int c2 = 0; c2 < (per > 1 ? per - 1 : 1); c2++)
            vbar(s, bx + k * per + c2, base, bh, o->sv[k] / etop, st);
        if (in_rank)
            screen_put(s, bx + k * per, base + 1, a ? '^' : 0x25B2, THEME_POINT);
    }
}

/* ---- sigmoid: per-unit s(z_j) and a_j s(z_j) ---- */

static void
main_sigmoid(struct screen *s, struct rect r, const struct ou_lab_snapshot *snap)
{
    const struct ou_lab_obs *o = &snap->obs;
    const bool a = s->ascii;
    struct chrome_legend lg[] = {
        {a ? "#" : "█", "saturated", THEME_REG},
        {a ? "#" : "█", "in [0.05, 0.95]", THEME_WARN},
    };
    chrome_frame(s, r, "sigmoid net on one point: units", "sigmoid units", lg, 2);
    chrome_foot(s, r, kind_section(snap->cfg.kind));
    struct rect in = screen_inset(r, 1);
    size_t m = o->units < OU_LAB_UNITS_MAX ? o->units : OU_LAB_UNITS_MAX;
    if (in.w < 30 || in.h < 5)
        return;
    double h = 0.0, otop = 1.0;
    bool neg = false;
    for (size_t j = 0; j < m; j++) {
        h += o->unit_out[j];
        if (isfinite(o->unit_out[j])) {
            otop = fmax(otop, fabs(o->unit_out[j]));
            neg = neg || o->unit_out[j] < 0.0;
        }
    }
    /* Columns: "jj " label, bar 1 and its value, bar 2 and its value. */
    const int labw = 4, valw = 8;
    int bw = (in.w - 2 - labw - 2 * valw - 2) / 2;
    if (bw < 4)
        bw = 4;
    int xb1 = in.x + 1 + labw, xv1 = xb1 + bw + 1, xb2 = xv1 + valw + 1, xv2 = xb2 + bw + 1;
    screen_puts(s, in.x + 1, in.y, labw, " j", THEME_DIM);
    screen_puts(s, xb1, in.y, bw + valw, "s(z_j) in [0, 1]", THEME_DIM);
    screen_puts(s, xb2, in.y, bw + valw, neg ? "a_j s(z_j) (± axis)" : "a_j s(z_j)", THEME_DIM);
    int rows = in.h - 4;
    size_t shown = m < (size_t)rows ? m : (size_t)rows;
    if (shown < m && shown > 0)
        shown--; /* room for the "more" line */
    char buf[48];
    for (size_t j = 0; j < shown; j++) {
        int y = in.y + 1 + (int)j;
        double sj = o->unit_s[j];
        bool unsat = sj >= 0.05 && sj <= 0.95;
        enum theme_role st = unsat ? THEME_WARN : THEME_REG;
        snprintf(buf, sizeof buf, "%3zu", j + 1);
        screen_puts(s, in.x + 1, y, labw, buf, THEME_DIM);
        /* The thresholds 0.05 and 0.95 as dim ticks the bar covers when it passes them. */
        screen_put(s, xb1 + (int)floor(0.05 * bw), y, a ? ':' : 0x2506, THEME_DIM);
        screen_put(s, xb1 + (int)floor(0.95 * bw), y, a ? ':' : 0x2506, THEME_DIM);
        chrome_hbar(s, xb1, y, bw, sj, st);
        snprintf(buf, sizeof buf, "%.3f", sj);
        screen_puts(s, xv1, y, valw, buf, THEME_TEXT);
        double u = o->unit_out[j];
        if (neg) {
            int half = bw / 2, mid = xb2 + half;
            screen_put(s, mid, y, a ? '|' : 0x2502, THEME_AXIS);
            int len = (int)lround(fmin(fabs(u) / otop, 1.0) * (double)(half - 1));
            for (int k = 1; k <= len; k++)
                screen_put(s, u > 0.0 ? mid + k : mid - k, y, a ? '#' : 0x2588, THEME_CURVE);
        } else {
            chrome_hbar(s, xb2, y, bw, u / otop, THEME_CURVE);
        }
        /* No "-0.000" for a tiny negative output. */
        snprintf(buf, sizeof buf, "%.3f", fabs(u) < 5e-4 ? 0.0 : u);
        screen_puts(s, xv2, y, valw, buf, THEME_TEXT);
    }
    if (shown < m) {
        snprintf(buf, sizeof buf, "(%zu more units)", m - shown);
        screen_puts(s, in.x + 1, in.y + 1 + (int)shown, in.w - 2, buf, THEME_DIM);
    }

    int ry = in.y + in.h - 2;
    struct chrome_field f[4];
    char b[32];
    memset(f, 0, sizeof f);
    f[0] = (struct chrome_field){.label = "unsaturated", .vstyle = THEME_BOLD, .prio = 0};
    snprintf(f[0].value, sizeof f[0].value, "%zu of %zu", o->unsaturated, m);
    f[1] = (struct chrome_field){.label = "target y", .vstyle = THEME_BOLD, .prio = 0};
    fmt_g(snap->cfg.target, f[1].value, sizeof f[1].value);
    f[2] = (struct chrome_field){
        .label = a ? "h = sum a_j s(z_j)" : "h = Σ a_j s(z_j)", .vstyle = THEME_BOLD, .prio = 1};
    fmt_g(h, f[2].value, sizeof f[2].value);
    chrome_fields(s, in.x + 1, ry, in.w - 2, f, 3);
    memset(f, 0, sizeof f);
    f[0] = (struct chrome_field){.label = "a_j", .vstyle = THEME_BOLD, .prio = 0};
    snprintf(f[0].value, sizeof f[0].value, "%s", snap->cfg.train_out ? "trained" : "fixed at 1");
    f[1] = (struct chrome_field){.label = "input dim", .vstyle = THEME_BOLD, .prio = 1};
    snprintf(f[1].value, sizeof f[1].value, "%zu", snap->cfg.dim);
    f[2] = (struct chrome_field){.label = a ? "|theta|" : "‖θ‖", .vstyle = THEME_BOLD, .prio = 1};
    fmt_g(o->theta_norm, f[2].value, sizeof f[2].value);
    f[3] = (struct chrome_field){.label = "loss", .vstyle = THEME_BOLD, .prio = 2};
    fmt_g(o->loss, b, sizeof b);
    snprintf(f[3].value, sizeof f[3].value, "%s", b);
    chrome_fields(s, in.x + 1, ry + 1, in.w - 2, f, 4);
}

/* ---- sparse: v (.) v per coordinate, the truth's support marked ---- */

static void
main_sparse(struct screen *s, struct rect r, const struct ou_lab_snapshot *snap)
{
    const struct ou_lab_obs *o = &snap->obs;
    const bool a = s->ascii;
    struct chrome_legend lg[] = {
        {a ? "#" : "█", "on the support", THEME_KINK_UP},
        {a ? "#" : "█", "off", THEME_REG},
    };
    chrome_frame(s, r,
                 a ? "sparse model: v(.)v per coordinate" : "sparse model: v⊙v per coordinate",
                 "sparse model", lg, 2);
    chrome_foot(s, r, kind_section(snap->cfg.kind));
    struct rect in = screen_inset(r, 1);
    size_t d = o->dim < OU_LAB_DIM_MAX ? o->dim : OU_LAB_DIM_MAX;
    if (d < 1 || in.w < 24 || in.h < 7)
        return;
    int gut = 6, bx = in.x + 1 + gut, avail = in.x + in.w - 1 - bx;
    /* One column per coordinate, two if they fit; else bins of k coordinates (their max). */
    int per = 2 * (int)d <= avail ? 2 : 1;
    size_t k = 1;
    while ((d + k - 1) / k > (size_t)avail)
        k++;
    size_t ncol = (d + k - 1) / k;
    char lab[96];
    if (k > 1)
        snprintf(lab, sizeof lab, "d = %zu, each column the largest of %zu", d, k);
    else
        snprintf(lab, sizeof lab, "d = %zu coordinates", d);
    screen_puts(s, in.x + 1, in.y, in.w - 2, lab, THEME_DIM);

    int ry = in.y + in.h - 2;
    int top_row = in.y + 1, base = ry - 3, bh = base - top_row + 1;
    double top = 0.0;
    for (size_t j = 0; j < d; j++) {
        if (isfinite(o->coef[j]))
            top = fmax(top, o->coef[j]);
        top = fmax(top, o->truth[j]);
    }
    if (!(top > 0.0))
        top = 1.0;
    char t[16];
    scale_format(top, t, sizeof t);
    screen_puts(s, bx - 1 - (int)strlen(t), top_row, gut, t, THEME_AXIS);
    screen_puts(s, bx - 2, base, 1, "0", THEME_AXIS);
    for (int y = top_row; y <= base; y++)
        screen_put(s, bx - 1, y, a ? '|' : 0x2502, THEME_AXIS);
    for (size_t c = 0; c < ncol && bh >= 1; c++) {
        double v = 0.0;
        bool sup = false;
        for (size_t j = c * k; j < d && j < (c + 1) * k; j++) {
            if (isfinite(o->coef[j]))
                v = fmax(v, o->coef[j]);
            sup = sup || o->truth[j] > 0.0;
        }
        int x = bx + (int)c * per;
        vbar(s, x, base, bh, v / top, sup ? THEME_KINK_UP : THEME_REG);
        if (sup)
            screen_put(s, x, base + 1, a ? '^' : 0x25B2, THEME_POINT);
    }
    screen_puts(s, bx, base + 2, 1, "1", THEME_AXIS);
    snprintf(lab, sizeof lab, "%zu", d);
    int last = bx + (int)(ncol - 1) * per - (int)strlen(lab) + 1;
    if (last > bx + 2)
        screen_puts(s, last, base + 2, (int)strlen(lab), lab, THEME_AXIS);
    snprintf(lab, sizeof lab, a ? "^ w*'s support" : "▲ w*'s support");
    screen_puts(s, bx + 4, base + 2, in.w - 2 - gut - 10, lab, THEME_DIM);

    struct chrome_field f[4];
    char b[32];
    double l1t = 0.0;
    for (size_t j = 0; j < d; j++)
        l1t += fabs(o->truth[j]);
    memset(f, 0, sizeof f);
    f[0] = (struct chrome_field){
        .label = a ? "l1 |v(.)v|_1" : "ℓ1 ‖v⊙v‖₁", .vstyle = THEME_BOLD, .prio = 0};
    snprintf(f[0].value, sizeof f[0].value, "%s (w*: %s)", fmt_g(o->l1, b, sizeof b),
             fmt_g(l1t, lab, sizeof lab));
    f[1] = (struct chrome_field){.label = "err", .vstyle = THEME_BOLD, .prio = 0};
    fmt_g(o->err, f[1].value, sizeof f[1].value);
    f[2] = (struct chrome_field){.label = "support found", .vstyle = THEME_BOLD, .prio = 0};
    snprintf(f[2].value, sizeof f[2].value, "%zu/%zu", o->support_found, snap->cfg.rank);
    if (o->support_found == snap->cfg.rank)
        f[2].vstyle = THEME_OK;
    chrome_fields(s, in.x + 1, ry, in.w - 2, f, 3);
    memset(f, 0, sizeof f);
    f[0] = (struct chrome_field){.label = "noise", .vstyle = THEME_BOLD, .prio = 0};
    snprintf(f[0].value, sizeof f[0].value, "%s",
             snap->cfg.noise == OU_LAB_NOISE_PARAM
                 ? "param: isotropic kicks on θ, same size"
                 : (a ? "label: fresh eps_i on the labels" : "label: fresh ε_i on the labels"));
    if (snap->cfg.noise == OU_LAB_NOISE_PARAM)
        f[0].vstyle = THEME_WARN;
    f[1] = (struct chrome_field){.label = "n", .vstyle = THEME_BOLD, .prio = 1};
    snprintf(f[1].value, sizeof f[1].value, "%zu < d", snap->cfg.n);
    chrome_fields(s, in.x + 1, ry + 1, in.w - 2, f, 2);
}

/* ---- ridge: theta beside the ridge solution per coordinate ---- */

static void
main_ridge(struct screen *s, struct rect r, const struct ou_lab_snapshot *snap)
{
    const struct ou_lab_obs *o = &snap->obs;
    const bool a = s->ascii;
    struct chrome_legend lg[] = {
        {a ? "#" : "█", a ? "theta (GD)" : "θ (GD)", THEME_CURVE},
        {a ? "#" : "█", "ridge", THEME_EMA},
    };
    chrome_frame(s, r, "least squares beside ridge: coefficients", "ridge", lg, 2);
    chrome_foot(s, r, kind_section(snap->cfg.kind));
    struct rect in = screen_inset(r, 1);
    size_t d = o->dim < OU_LAB_DIM_MAX ? o->dim : OU_LAB_DIM_MAX;
    if (d < 1 || in.w < 24 || in.h < 7)
        return;
    int gut = 7, bx = in.x + 1 + gut, avail = in.x + in.w - 1 - bx;
    /*
     * Each coordinate: theta and ridge side by side, then a gap; without the
     * gap when that fits more.  What still does not fit is named, with the
     * columns that would show it.
     */
    int per = 3 * (int)d - 1 <= avail ? 3 : 2;
    size_t fit = (size_t)((avail + (per == 3 ? 1 : 0)) / per);
    size_t nshow = fit < d ? fit : d;
    char lab[128];
    if (nshow < d) {
        char t[4][128];
        /* Two columns per coordinate need a main pane of r.w - avail + 2d columns. */
        int need = terminal_for_main(r.w - avail + 2 * (int)d);
        snprintf(t[0], sizeof t[0], "coordinates 1..%zu of %zu; a %d-column terminal shows all",
                 nshow, d, need);
        snprintf(t[1], sizeof t[1], "coordinates 1..%zu of %zu; widen to %d columns", nshow, d,
                 need);
        snprintf(t[2], sizeof t[2], "1..%zu of %zu shown; widen to %d columns", nshow, d, need);
        snprintf(t[3], sizeof t[3], "1..%zu of %zu; widen the terminal", nshow, d);
        const char *const tp[4] = {t[0], t[1], t[2], t[3]};
        puts_first_fit(s, in.x + 1, in.y, in.w - 2, tp, 4, THEME_WARN);
    } else {
        snprintf(lab, sizeof lab, "all %zu coordinates", d);
        screen_puts(s, in.x + 1, in.y, in.w - 2, lab, THEME_DIM);
    }

    int ry = in.y + in.h - 2;
    int top_row = in.y + 1, bottom = ry - 2;
    int bh = (bottom - top_row + 1 - 1) / 2; /* rows each side of the axis row */
    if (bh < 1)
        return;
    int axis = top_row + bh; /* positive bars rise from this row's bottom */
    double top = 0.0;
    for (size_t k = 0; k < nshow; k++) {
        if (isfinite(o->coef[k]))
            top = fmax(top, fabs(o->coef[k]));
        if (isfinite(o->ridge_coef[k]))
            top = fmax(top, fabs(o->ridge_coef[k]));
    }
    if (!(top > 0.0))
        top = 1.0;
    char t[16], u[20];
    scale_format(top, t, sizeof t);
    screen_puts(s, bx - 1 - (int)strlen(t), axis - bh + 1, gut, t, THEME_AXIS);
    screen_puts(s, bx - 2, axis, 1, "0", THEME_AXIS);
    snprintf(u, sizeof u, "-%s", t);
    screen_puts(s, bx - 1 - (int)strlen(u), axis + bh, gut, u, THEME_AXIS);
    for (int y = axis - bh + 1; y <= axis + bh; y++)
        screen_put(s, bx - 1, y, a ? '|' : 0x2502, THEME_AXIS);
    for (size_t k = 0; k < nshow; k++) {
        int x = bx + (int)k * per;
        vbar(s, x, axis, bh, o->coef[k] / top, THEME_CURVE);
        vbar(s, x + 1, axis, bh, o->ridge_coef[k] / top, THEME_EMA);
    }
    screen_puts(s, bx, axis + bh + 1, 1, "1", THEME_AXIS);

    struct chrome_field f[4];
    char b[32], c[32];
    memset(f, 0, sizeof f);
    f[0] = (struct chrome_field){.label = "test error: GD", .vstyle = THEME_BOLD, .prio = 0};
    snprintf(f[0].value, sizeof f[0].value, "%s, ridge %s", fmt_g(o->err, b, sizeof b),
             fmt_g(o->ridge_err, c, sizeof c));
    f[1] = (struct chrome_field){.label = a ? "|theta|" : "‖θ‖", .vstyle = THEME_BOLD, .prio = 1};
    fmt_g(o->theta_norm, f[1].value, sizeof f[1].value);
    chrome_fields(s, in.x + 1, ry, in.w - 2, f, 2);
    memset(f, 0, sizeof f);
    f[0] = (struct chrome_field){.label = "λ", .vstyle = THEME_BOLD, .prio = 0};
    snprintf(f[0].value, sizeof f[0].value, "%s%s", fmt_g(o->ridge_lambda, b, sizeof b),
             snap->cfg.ridge_lambda > 0.0 ? " (fixed)" : " = 1/(ηt)");
    f[1] = (struct chrome_field){.label = "n, d", .vstyle = THEME_BOLD, .prio = 1};
    snprintf(f[1].value, sizeof f[1].value, "%zu, %zu", snap->cfg.n, d);
    f[2] =
        (struct chrome_field){.label = "label noise in the data", .vstyle = THEME_BOLD, .prio = 2};
    fmt_g(snap->cfg.data_noise, f[2].value, sizeof f[2].value);
    chrome_fields(s, in.x + 1, ry + 1, in.w - 2, f, 3);
}

/* ---- history panes ---- */

static void
end_label(struct plot *p, const struct history *h, int k, enum theme_role style)
{
    size_t n = history_len(h);
    if (n == 0)
        return;
    double y = h->y[k][n - 1];
    int dx, dy;
    if (!isfinite(y) || !plot_dot(p, h->x[n - 1], y, &dx, &dy))
        return;
    char buf[32];
    scale_format(y, buf, sizeof buf);
    plot_label(p, dx, y, buf, style);
}

/* One or two series of the history in a framed plot. */
static void
hist_plot(struct screen *s, struct rect r, const struct lab_view *v, int k1, enum theme_role st1,
          int k2, enum theme_role st2, bool log, double floor_lo)
{
    const struct history *h = v->hist;
    if (!h)
        return;
    struct rect in = screen_inset(r, 1);
    int xrows = in.h >= 6 ? 1 : 0;
    double lo, hi;
    history_range(h, k1, k2, log, &lo, &hi);
    if (!log && isfinite(floor_lo) && lo > floor_lo)
        lo = floor_lo;
    struct scale ys = scale_fit(lo, hi, log, 3);
    struct plot p;
    plot_begin(&p, s, in, history_xscale(h, v->step_log), ys, v->glyphs, PLOT_VGUTTER, xrows,
               PLOT_X_SI);
    size_t n = history_len(h);
    if (k2 >= 0)
        plot_series(&p, h->x, h->y[k2], n, st2, false);
    plot_series(&p, h->x, h->y[k1], n, st1, false);
    end_label(&p, h, k1, st1);
    if (k2 >= 0)
        end_label(&p, h, k2, st2);
}

static void
pane_loss(struct screen *s, struct rect r, const struct ou_lab_snapshot *snap,
          const struct lab_view *v)
{
    (void)snap;
    struct chrome_legend lg[] = {{s->ascii ? "-" : "━", "L", THEME_LOSS}};
    chrome_frame(s, r,
                 s->ascii ? "loss L(theta) on clean labels, log y"
                          : "loss L(θ) on clean labels, log y",
                 "loss, log y", lg, 1);
    chrome_foot(s, r, SEC_NOISE);
    hist_plot(s, r, v, LAB_HIST_LOSS, THEME_LOSS, -1, THEME_LOSS, true, NAN);
}

/* What reg amounts to in each setting (ouscope-science(7), OTHER SETTINGS). */
static const char *
reg_reading(const struct screen *s, enum ou_lab_kind k)
{
    switch (k) {
    case OU_LAB_SENSING:
        return s->ascii ? "~ 2(d+1)|UU^T|_*" : "≈ 2(d+1)‖UUᵀ‖_*";
    case OU_LAB_SPARSE:
        return s->ascii ? "~ 4|v(.)v|_1" : "≈ 4‖v⊙v‖₁";
    case OU_LAB_SIGMOID:
        return s->ascii ? "sum s^2 + a^2 s'^2 (|x|^2+1)" : "Σ s² + a²s′²(‖x‖²+1)";
    case OU_LAB_RIDGE:
        return s->ascii ? "mean |x_i|^2: constant" : "mean ‖x_i‖²: constant";
    default:
        return "";
    }
}

static void
pane_reg(struct screen *s, struct rect r, const struct ou_lab_snapshot *snap,
         const struct lab_view *v)
{
    struct chrome_legend lg[] = {{"", reg_reading(s, snap->cfg.kind), THEME_DIM}};
    chrome_frame(s, r, s->ascii ? "reg(theta) = mean |grad h_i|^2" : "reg(θ) = mean ‖∇θ h_i‖²",
                 s->ascii ? "reg(theta)" : "reg(θ)", lg, 1);
    chrome_foot(s, r, SEC_REG);
    hist_plot(s, r, v, LAB_HIST_REG, THEME_REG, -1, THEME_REG, false, 0.0);
}

static void
pane_head(struct screen *s, struct rect r, const struct ou_lab_snapshot *snap,
          const struct lab_view *v)
{
    const bool a = s->ascii;
    switch (snap->cfg.kind) {
    case OU_LAB_SIGMOID: {
        struct chrome_legend lg[] = {{a ? "-" : "━", "units", THEME_WARN}};
        chrome_frame(s, r, "unsaturated units, s(z_j) in [0.05, 0.95]", "unsaturated units", lg, 1);
        chrome_foot(s, r, kind_section(snap->cfg.kind));
        hist_plot(s, r, v, LAB_HIST_HEAD, THEME_WARN, -1, THEME_WARN, false, 0.0);
        break;
    }
    case OU_LAB_RIDGE: {
        struct chrome_legend lg[] = {
            {a ? "-" : "━", "GD", THEME_CURVE},
            {a ? "-" : "━", "ridge", THEME_EMA},
        };
        const bool fixed = snap->cfg.ridge_lambda > 0.0;
        const char *const titles[] = {
            fixed ? (a ? "test error: GD theta_t, ridge at fixed lambda, log y"
                       : "test error: GD θ_t, ridge at fixed λ, log y")
                  : (a ? "test error: GD theta_t, ridge at lambda = 1/(eta t), log y"
                       : "test error: GD θ_t, ridge at λ = 1/(ηt), log y"),
            fixed ? (a ? "test error, fixed lambda, log y" : "test error, fixed λ, log y")
                  : (a ? "test error, lambda = 1/(eta t), log y" : "test error, λ = 1/(ηt), log y"),
            "test error, log y",
            "test error",
        };
        chrome_frame_titles(s, r, titles, 4, lg, 2);
        chrome_foot(s, r, kind_section(snap->cfg.kind));
        hist_plot(s, r, v, LAB_HIST_HEAD, THEME_CURVE, LAB_HIST_HEAD2, THEME_EMA, true, NAN);
        break;
    }
    case OU_LAB_SPARSE: {
        struct chrome_legend lg[] = {{a ? "-" : "━", "err", THEME_ETAL}};
        chrome_frame(s, r,
                     a ? "err = |v(.)v - w*| / |w*|, log y" : "err = ‖v⊙v − w*‖ / ‖w*‖, log y",
                     a ? "err = |v(.)v - w*|/|w*|" : "err = ‖v⊙v − w*‖/‖w*‖", lg, 1);
        chrome_foot(s, r, kind_section(snap->cfg.kind));
        hist_plot(s, r, v, LAB_HIST_HEAD, THEME_ETAL, -1, THEME_ETAL, true, NAN);
        break;
    }
    case OU_LAB_SENSING:
    default: {
        struct chrome_legend lg[] = {{a ? "-" : "━", "err", THEME_ETAL}};
        chrome_frame(
            s, r, a ? "err = |UU^T - X*|_F / |X*|_F, log y" : "err = ‖UUᵀ − X*‖_F / ‖X*‖_F, log y",
            a ? "err = |UU^T - X*|_F/|X*|_F" : "err = ‖UUᵀ − X*‖_F/‖X*‖_F", lg, 1);
        chrome_foot(s, r, kind_section(snap->cfg.kind));
        hist_plot(s, r, v, LAB_HIST_HEAD, THEME_ETAL, -1, THEME_ETAL, true, NAN);
        break;
    }
    }
}

/* ---- status line, hints, help, too small ---- */

static void
draw_status(struct screen *s, struct rect r, const struct ou_lab_snapshot *snap,
            const struct lab_view *v)
{
    struct chrome_field f[10];
    int n = 0;
    char a[32];
    const struct ou_lab_config *c = &snap->cfg;
    memset(f, 0, sizeof f);
    if (snap->status == OU_EDIVERGED) {
        f[n] = (struct chrome_field){.vstyle = THEME_ERROR, .prio = 0};
        snprintf(f[n].value, sizeof f[n].value,
                 "diverged after step %s: the next step made the loss or θ non-finite; "
                 "{ halves η, r resets",
                 panes_group(snap->step, a, sizeof a));
        n++;
    } else {
        f[n] = (struct chrome_field){.vstyle = v->paused ? THEME_WARN : THEME_OK, .prio = 0};
        snprintf(f[n].value, sizeof f[n].value, "%s", v->paused ? "PAUSED" : "running");
        n++;
    }
    f[n] = (struct chrome_field){.label = "setting", .vstyle = THEME_BOLD, .prio = 0};
    snprintf(f[n].value, sizeof f[n].value, "%s", ou_lab_kind_name(c->kind));
    n++;
    f[n] = (struct chrome_field){.label = "step", .vstyle = THEME_BOLD, .prio = 0};
    panes_group(snap->step, f[n].value, sizeof f[n].value);
    n++;
    f[n] = (struct chrome_field){.label = "η", .vstyle = THEME_BOLD, .prio = 0};
    snprintf(f[n].value, sizeof f[n].value, "%.4g", c->eta);
    n++;
    f[n] = (struct chrome_field){.label = "σ", .vstyle = THEME_BOLD, .prio = 0};
    if (v->sigma_off > 0.0)
        snprintf(f[n].value, sizeof f[n].value, "off (%.4g)", v->sigma_off);
    else
        snprintf(f[n].value, sizeof f[n].value, "%.4g", c->sigma);
    n++;
    f[n] = (struct chrome_field){.label = "B", .vstyle = THEME_BOLD, .prio = 0};
    snprintf(f[n].value, sizeof f[n].value, "%zu/%zu", c->batch, c->n);
    n++;
    f[n] = (struct chrome_field){.label = "noise", .vstyle = THEME_BOLD, .prio = 0};
    snprintf(f[n].value, sizeof f[n].value, "%s", ou_lab_noise_name(c->noise));
    if (c->noise == OU_LAB_NOISE_PARAM)
        f[n].vstyle = THEME_WARN;
    n++;
    f[n] = (struct chrome_field){.label = "steps/s", .vstyle = THEME_BOLD, .prio = 1};
    scale_format_si(v->sps, a, sizeof a);
    snprintf(f[n].value, sizeof f[n].value, "%s", a);
    n++;
    f[n] = (struct chrome_field){.label = "seed", .vstyle = THEME_BOLD, .prio = 2};
    snprintf(f[n].value, sizeof f[n].value, "%" PRIu64, c->seed);
    n++;
    chrome_fields(s, r.x + 1, r.y, r.w - 2, f, n);
}

/* The hint bar (chrome_hints): a notice, then the hints, help and quit kept at the right. */
static void
draw_hints(struct screen *s, struct rect r, const struct lab_view *v)
{
    chrome_hints(s, r, v->hints, v->nhints, v->notice, v->notice_style);
}

/* The help overlay (chrome_help), from the settings' key table. */
static void
draw_help(struct screen *s, const struct lab_view *v)
{
    static const char *const foot[] = {
        "the science: man 7 ouscope-science (OTHER SETTINGS)",
        "any key closes · man ouscope (SETTINGS)",
    };
    chrome_help(s, "ouscope keys: other settings", v->help_items, v->nhelp, foot, 2);
}

static void
draw_too_small(struct screen *s, const struct lab_layout *lay)
{
    char l1[64];
    snprintf(l1, sizeof l1, "need %d×%d, have %d×%d", lay->min_w, lay->min_h, lay->w, lay->h);
    const char *lines[3] = {"terminal too small", l1, "enlarge the terminal or press q"};
    int y0 = (s->h - 3) / 2;
    for (int i = 0; i < 3; i++) {
        int w = screen_text_width(s, lines[i]);
        int x = (s->w - w) / 2;
        screen_puts(s, x < 0 ? 0 : x, y0 + i, s->w, lines[i], i == 0 ? THEME_WARN : THEME_TEXT);
    }
}

void
labpanes_draw(struct screen *s, const struct lab_layout *lay, const struct ou_lab_snapshot *snap,
              const struct lab_view *v)
{
    screen_clear(s);
    if (lay->too_small) {
        draw_too_small(s, lay);
        return;
    }
    draw_status(s, lay->status, snap, v);
    switch (snap->cfg.kind) {
    case OU_LAB_SIGMOID:
        main_sigmoid(s, lay->main, snap);
        break;
    case OU_LAB_SPARSE:
        main_sparse(s, lay->main, snap);
        break;
    case OU_LAB_RIDGE:
        main_ridge(s, lay->main, snap);
        break;
    case OU_LAB_SENSING:
    default:
        main_sensing(s, lay->main, snap);
        break;
    }
    pane_loss(s, lay->loss, snap, v);
    pane_reg(s, lay->reg, snap, v);
    pane_head(s, lay->head, snap, v);
    draw_hints(s, lay->hint, v);
    if (v->help)
        draw_help(s, v);
}
