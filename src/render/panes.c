/*
 * The panes and the frame around them.  Each pane reads the snapshot (the
 * present) and the history (the past) and draws into its rectangle; the
 * three history panes compute the same step scale, so their x axes agree.
 * Pane feet name the ouscope-science(7) section that explains them.
 */
#include "config.h"

#include "panes.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/chrome.h"

static void pane_interp_draw(struct screen *s, struct rect r, const struct ou_snapshot *snap,
                             const struct view *v);
static void pane_loss_draw(struct screen *s, struct rect r, const struct ou_snapshot *snap,
                           const struct view *v);
static void pane_reg_draw(struct screen *s, struct rect r, const struct ou_snapshot *snap,
                          const struct view *v);
static void draw_marks(struct plot *p, const struct view *v);
static void pane_slot4_draw(struct screen *s, struct rect r, const struct ou_snapshot *snap,
                            const struct view *v);
static void pane_stab_draw(struct screen *s, struct rect r, const struct ou_snapshot *snap,
                           const struct view *v);

const struct pane panes_table[PANE_COUNT] = {
    [PANE_INTERP] = {.name = "interpolant", .min_w = 36, .min_h = 12, .draw = pane_interp_draw},
    [PANE_LOSS] = {.name = "loss", .min_w = 34, .min_h = 6, .draw = pane_loss_draw},
    [PANE_REG] = {.name = "reg", .min_w = 34, .min_h = 6, .draw = pane_reg_draw},
    [PANE_STAB] = {.name = "stability", .min_w = 34, .min_h = 7, .draw = pane_slot4_draw},
};

/*
 * B's series in an A/B comparison: orange, against A's sky blue and green
 * (and bold where the palette has no colour).
 */
#define PANES_B_STYLE THEME_EMA

/*
 * B's legend glyph: a dashed one, since B's curve is drawn in sparser dots
 * (series_b) so that A and B stay apart without colour.
 */
#define PANES_B_GLYPH(s) ((s)->ascii ? "=" : "┅")

/* η·λ_max at or above this is shown as a warning, at or above 2 as an error. */
#define PANES_ETAL_WARN 1.6
#define PANES_ETAL_LIMIT 2.0

/* ---- small helpers ---- */

char *
panes_group(uint64_t n, char *buf, size_t len)
{
    char digits[32];
    int nd = snprintf(digits, sizeof digits, "%" PRIu64, n);
    size_t k = 0;
    for (int i = 0; i < nd && k + 1 < len; i++) {
        if (i > 0 && (nd - i) % 3 == 0 && k + 2 < len)
            buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = '\0';
    return buf;
}

/* A value formatted with %.4g. */
static const char *
fmt_g(double v, char *buf, size_t len)
{
    snprintf(buf, len, "%.4g", v);
    return buf;
}

/*
 * One dot of B's series.  On a braille or block canvas it moves to the
 * left dot column of its cell, on an ASCII canvas (one dot column a cell)
 * every third column is left out: B then looks dotted beside A's solid
 * line, in monochrome too, while it covers the same cells.
 */
static void
b_dot(struct plot *p, int x, int y)
{
    if (x < 0)
        return;
    if (p->cv.cw > 1)
        x -= x % p->cv.cw;
    else if (x % 3 == 2)
        return;
    canvas_set_dot(&p->cv, x, y, PANES_B_STYLE);
}

/* A straight line of B's dots from (x0, y0) to (x1, y1), ends included (Bresenham). */
static void
b_line(struct plot *p, int x0, int y0, int x1, int y1)
{
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) {
        b_dot(p, x0, y0);
        if (x0 == x1 && y0 == y1)
            break;
        int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            err += dx;
            y0 += sy;
        }
    }
}

static void
b_span(struct plot *p, int c, int lo, int hi)
{
    for (int r = lo < 0 ? 0 : lo; r <= hi && r < p->cv.dh; r++)
        b_dot(p, c, r);
}

/*
 * B's series (x[i], y[i]), i < n, x increasing, drawn as plot_series draws
 * one (a span per dot column, lines between columns) but with b_dot's
 * sparser dots.  With clamp_low, values below the y axis (<= 0 on a log
 * axis) run along the bottom dot row instead of leaving the plot, so that
 * B stays in view where it falls out of A's range.
 */
static void
series_b(struct plot *p, const double *x, const double *y, size_t n, bool clamp_low)
{
    if (p->cr.w == 0)
        return;
    int cur = -1, lo = 0, hi = 0, last = 0, bottom = p->cv.dh - 1;
    bool joined = false;
    for (size_t i = 0; i < n; i++) {
        int c, r;
        bool ok = plot_dot(p, x[i], y[i], &c, &r);
        if (clamp_low && !ok && p->ys.log && y[i] <= 0.0 && plot_dot(p, x[i], p->ys.hi, &c, &r)) {
            ok = true;
            r = bottom;
        }
        if (!ok) {
            joined = false;
            continue;
        }
        if (clamp_low && r > bottom)
            r = bottom;
        if (c == cur) {
            lo = r < lo ? r : lo;
            hi = r > hi ? r : hi;
            last = r;
            continue;
        }
        if (cur >= 0) {
            b_span(p, cur, lo, hi);
            if (joined)
                b_line(p, cur, last, c, r);
        }
        cur = c;
        lo = hi = last = r;
        joined = true;
    }
    if (cur >= 0)
        b_span(p, cur, lo, hi);
}

/* ---- the interpolant ---- */

/*
 * The B whose h the interpolant's y axis makes room for: none when there is
 * no comparison, when B's curve is on another grid, or once B has diverged
 * (its last h would squash A's; it is still drawn where it fits).
 */
static const struct ou_snapshot *
interp_scale_b(const struct ou_snapshot *snap, const struct view *v)
{
    const struct ou_snapshot *sb = v->snap_b;
    if (!sb || sb->ncurve != snap->ncurve || sb->status == OU_EDIVERGED)
        return NULL;
    return sb;
}

/* The y range covers the data, and h (and B's h, if snap_b is given) within limits. */
static void
interp_scales(const struct ou_snapshot *snap, const struct ou_snapshot *snap_b, struct scale *xs,
              struct scale *ys)
{
    const struct ou_data *d = &snap->data;
    double x0 = d->n ? d->x[0] : -1.0, x1 = d->n ? d->x[d->n - 1] : 1.0;
    if (snap->ncurve > 1 && snap->curve_hi > snap->curve_lo) {
        x0 = snap->curve_lo;
        x1 = snap->curve_hi;
    } else {
        double m = 0.1 * (x1 - x0 > 0.0 ? x1 - x0 : 1.0);
        x0 -= m;
        x1 += m;
    }
    *xs = (struct scale){.lo = x0, .hi = x1, .log = false};

    double ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < d->n; i++) {
        ymin = fmin(ymin, d->y[i]);
        ymax = fmax(ymax, d->y[i]);
    }
    if (!(ymax >= ymin)) {
        ymin = -1.0;
        ymax = 1.0;
    }
    double span = ymax - ymin;
    if (span < 1e-6)
        span = fmax(1.0, fabs(ymax));
    double lo = ymin - 0.15 * span, hi = ymax + 0.15 * span;
    /* Widen for the curve, in steps of a nice quarter span so the axis
     * stays still while h jitters; never beyond two spans of the data. */
    double cmin = INFINITY, cmax = -INFINITY;
    for (size_t k = 0; k < snap->ncurve; k++) {
        double c = snap->curve[k];
        if (isfinite(c)) {
            cmin = fmin(cmin, c);
            cmax = fmax(cmax, c);
        }
    }
    for (size_t k = 0; snap_b && snap_b->ncurve == snap->ncurve && k < snap_b->ncurve; k++) {
        double c = snap_b->curve[k];
        if (isfinite(c)) {
            cmin = fmin(cmin, c);
            cmax = fmax(cmax, c);
        }
    }
    double q = scale_nice(span / 4.0);
    cmin = fmax(cmin, ymin - 2.0 * span);
    cmax = fmin(cmax, ymax + 2.0 * span);
    if (cmin < lo)
        lo = floor(cmin / q) * q;
    if (cmax > hi)
        hi = ceil(cmax / q) * q;
    *ys = (struct scale){.lo = lo, .hi = hi, .log = false};
}

/* Rows of the interpolant pane's interior: plot area, kink row, facts row. */
struct interp_rows {
    struct rect plot;
    int xrows; /* rows under the canvas: the kink row (if shown) and the labels */
    int facts; /* row of the facts line, or -1 */
};

static struct interp_rows
interp_rows(struct rect r, const struct view *v)
{
    struct interp_rows ir;
    struct rect in = screen_inset(r, 1);
    ir.facts = -1;
    if (in.h >= 10) {
        ir.facts = in.y + in.h - 1;
        in.h -= 1;
    }
    ir.xrows = v->kinks ? 2 : 1;
    ir.plot = in;
    return ir;
}

bool
panes_interp_plot(const struct layout *lay, const struct ou_snapshot *snap, const struct view *v,
                  struct plot *p)
{
    if (lay->too_small)
        return false;
    struct interp_rows ir = interp_rows(lay->pane[PANE_INTERP], v);
    struct scale xs, ys;
    interp_scales(snap, interp_scale_b(snap, v), &xs, &ys);
    plot_setup(p, NULL, ir.plot, xs, ys, v->glyphs, 1, ir.xrows);
    return p->cr.w > 0;
}

void
panes_curve_request(const struct layout *lay, const struct ou_data *d, const struct view *v,
                    struct ou_snapshot_req *req)
{
    double x0 = d->n ? d->x[0] : -1.0, x1 = d->n ? d->x[d->n - 1] : 1.0;
    double m = 0.1 * (x1 - x0 > 0.0 ? x1 - x0 : 1.0);
    req->lo = x0 - m;
    req->hi = x1 + m;
    req->ncurve = 0;
    if (lay->too_small)
        return;
    struct interp_rows ir = interp_rows(lay->pane[PANE_INTERP], v);
    struct plot p;
    struct scale unit = {.lo = 0.0, .hi = 1.0, .log = false};
    plot_setup(&p, NULL, ir.plot, unit, unit, v->glyphs, 1, ir.xrows);
    size_t n = (size_t)(p.cv.dw > 0 ? p.cv.dw : 0);
    req->ncurve = n > OU_CURVE_MAX ? OU_CURVE_MAX : n;
}

static void
interp_facts(struct screen *s, struct rect in, int row, const struct ou_snapshot *snap)
{
    const struct ou_metrics *m = &snap->met;
    struct chrome_field f[5];
    memset(f, 0, sizeof f);
    char a[32], b[32];
    f[0] = (struct chrome_field){.label = "kinks", .vstyle = THEME_BOLD, .prio = 0};
    snprintf(f[0].value, sizeof f[0].value, "%zu", m->nkinks);
    f[1] = (struct chrome_field){.label = "convexity h/data", .vstyle = THEME_BOLD, .prio = 1};
    snprintf(f[1].value, sizeof f[1].value, "%d/%d", m->convex_h, m->convex_data);
    f[2] = (struct chrome_field){.label = "TV(h′)", .vstyle = THEME_BOLD, .prio = 2};
    snprintf(f[2].value, sizeof f[2].value, "%s/%s spline", fmt_g(m->tv_hprime, a, sizeof a),
             fmt_g(m->spline_tv, b, sizeof b));
    f[3] = (struct chrome_field){.label = "max|h−spline|", .vstyle = THEME_BOLD, .prio = 3};
    snprintf(f[3].value, sizeof f[3].value, "%.3g", m->max_dev_spline);
    f[4] = (struct chrome_field){.label = "live", .vstyle = THEME_BOLD, .prio = 4};
    snprintf(f[4].value, sizeof f[4].value, "%zu/%zu", m->live_units, snap->cfg.width);
    if (m->convex_h > m->convex_data)
        f[1].vstyle = THEME_WARN;
    chrome_fields(s, in.x + 1, row, in.w - 2, f, 5);
}

static void
pane_interp_draw(struct screen *s, struct rect r, const struct ou_snapshot *snap,
                 const struct view *v)
{
    bool ascii = s->ascii;
    bool drift = v->drift && v->dh && v->ndh == snap->ncurve && snap->ncurve > 1;
    char dlabel[48];
    if (drift) {
        char n[16];
        scale_format(v->dh_steps, n, sizeof n);
        snprintf(dlabel, sizeof dlabel, "h + %s·δh (drift)", n);
    }
    /* Compared, B's h is drawn beside A's and the legend names both sides. */
    const struct ou_snapshot *sb = v->snap_b;
    bool ab = sb && sb->ncurve == snap->ncurve;
    bool bdiv = ab && sb->status == OU_EDIVERGED;
    char blabel[80];
    if (ab)
        snprintf(blabel, sizeof blabel, "%s%s", v->ab_label_b ? v->ab_label_b : "B",
                 bdiv ? " diverged" : "");
    struct chrome_legend lg[6] = {
        {ascii ? "o" : "●", "data", THEME_POINT},
        {ascii ? "-" : "━", ab && v->ab_label_a ? v->ab_label_a : "h(x)", THEME_CURVE},
    };
    int nl = 2;
    if (ab)
        lg[nl++] = (struct chrome_legend){PANES_B_GLYPH(s), blabel, PANES_B_STYLE};
    if (drift)
        lg[nl++] = (struct chrome_legend){ascii ? ".." : "┄", dlabel, THEME_DRIFT};
    if (v->ghost)
        lg[nl++] = (struct chrome_legend){ascii ? ".." : "┄", "linear spline", THEME_GHOST};
    /*
     * The kinks are A's.  Compared, they wear A's colour, since the
     * kink-up colour is B's (orange) in every palette.
     */
    enum theme_role kup = ab ? THEME_CURVE : THEME_KINK_UP;
    enum theme_role kdown = ab ? THEME_CURVE : THEME_KINK_DOWN;
    if (v->kinks)
        lg[nl++] = (struct chrome_legend){ascii ? "^v" : "▲▼", "kinks", kup};
    chrome_frame(s, r, "h(x), the interpolant", "h(x)", lg, nl);
    chrome_foot(s, r, "SIMPLE INTERPOLANTS");

    struct interp_rows ir = interp_rows(r, v);
    struct scale xs, ys;
    interp_scales(snap, interp_scale_b(snap, v), &xs, &ys);
    struct plot p;
    plot_begin(&p, s, ir.plot, xs, ys, v->glyphs, 1, ir.xrows, PLOT_X_PLAIN);
    if (p.cr.w == 0)
        return;
    const struct ou_data *d = &snap->data;
    if (v->ghost && d->n >= 2)
        plot_series(&p, d->x, d->y, d->n, THEME_GHOST, true);
    /* B first, so that A keeps its colour where the two curves meet. */
    if (ab) {
        double bx[OU_CURVE_MAX];
        for (size_t k = 0; k < sb->ncurve; k++)
            bx[k] = sb->ncurve > 1 ? sb->curve_lo + (sb->curve_hi - sb->curve_lo) * (double)k /
                                                        (double)(sb->ncurve - 1)
                                   : sb->curve_lo;
        series_b(&p, bx, sb->curve, sb->ncurve, false);
    }
    plot_series_uniform(&p, snap->curve_lo, snap->curve_hi, snap->curve, snap->ncurve, THEME_CURVE,
                        false);
    if (drift) {
        /* Where h is heading: h + N dh, drawn over h only where it departs
         * from it by more than a dot, so it marks the parts that move. */
        double y[OU_CURVE_MAX], dot = (ys.hi - ys.lo) / (p.cv.dh > 1 ? p.cv.dh : 1);
        for (size_t k = 0; k < snap->ncurve; k++) {
            double move = v->dh_steps * v->dh[k];
            y[k] = fabs(move) > dot ? snap->curve[k] + move : NAN;
        }
        plot_series_uniform(&p, snap->curve_lo, snap->curve_hi, y, snap->ncurve, THEME_DRIFT,
                            false);
    }

    /* Kinks as marks on the row under the canvas: up where h' increases. */
    if (v->kinks) {
        int row = p.cr.y + p.cr.h;
        for (size_t k = 0; k < snap->met.nkinks && k < OU_MODEL_MAX_WIDTH; k++) {
            int dx, dy;
            if (!plot_dot(&p, snap->met.kink_x[k], ys.lo, &dx, &dy))
                continue;
            int col = p.cr.x + dx / p.cv.cw;
            if (col < p.cr.x || col >= p.cr.x + p.cr.w)
                continue;
            bool up = snap->met.kink_s[k] > 0.0;
            screen_put(s, col, row, ascii ? (up ? '^' : 'v') : (up ? 0x25B2 : 0x25BC),
                       up ? kup : kdown);
        }
    }

    /* Data points last, as whole cells on top of the lines. */
    for (size_t i = 0; i < d->n; i++) {
        int dx, dy;
        if (!plot_dot(&p, d->x[i], d->y[i], &dx, &dy))
            continue;
        int col = p.cr.x + dx / p.cv.cw, row = p.cr.y + dy / p.cv.ch;
        if (col < p.cr.x || col >= p.cr.x + p.cr.w || row < p.cr.y || row >= p.cr.y + p.cr.h)
            continue;
        screen_put(s, col, row, ascii ? 'o' : 0x25CF, THEME_POINT);
    }

    if (ir.facts >= 0)
        interp_facts(s, screen_inset(r, 1), ir.facts, snap);
}

/* ---- history panes ---- */

/*
 * Widen [lo, hi] for B's series k, but on a log axis not more than
 * `decades` below A's low end: a B without noise drives its loss towards
 * zero, and A must stay readable (B is then clipped at the bottom).
 */
static void
hist_range_b(const struct history *hb, int k, bool log, double decades, double *lo, double *hi)
{
    if (!hb)
        return;
    double blo, bhi, floor_lo = log && isfinite(*lo) ? *lo * pow(10.0, -decades) : -INFINITY;
    history_range(hb, k, -1, log, &blo, &bhi);
    if (isfinite(blo))
        *lo = fmin(*lo, fmax(blo, floor_lo));
    if (isfinite(bhi))
        *hi = fmax(*hi, bhi);
}

/* The inner area of a history pane and whether it shows step labels. */
static struct rect
hist_area(struct rect r, bool bottom, int *xrows)
{
    struct rect in = screen_inset(r, 1);
    *xrows = (bottom || in.h >= 8) ? 1 : 0;
    return in;
}

/* End-of-series label: the last value of series k at its last dot column. */
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

/*
 * B's end label: its last finite value of series k, or "diverged".  A value
 * outside the axis is labelled at the edge it left by, with B's name and an
 * arrow ("B ↓ 9.3e-29"), so that a B far below A's range is seen to be
 * there and where it went.
 */
static void
end_label_b(struct plot *p, const struct history *h, int k, bool diverged)
{
    size_t n = history_len(h), i = n;
    while (i > 0 && !isfinite(h->y[k][i - 1]))
        i--;
    if (p->cr.w == 0 || n == 0 || (i == 0 && !diverged))
        return;
    double y = i > 0 ? h->y[k][i - 1] : p->ys.hi, at = y;
    bool below = (p->ys.log && !(y > 0.0)) || y < p->ys.lo;
    bool above = y > p->ys.hi;
    if (below)
        at = p->ys.lo;
    else if (above)
        at = p->ys.hi;
    int dx, dy;
    if (!plot_dot(p, h->x[i > 0 ? i - 1 : n - 1], at, &dx, &dy))
        return;
    char val[32], buf[48];
    const char *arrow = below ? "↓ " : (above ? "↑ " : "");
    scale_format(y, val, sizeof val);
    if (diverged)
        snprintf(buf, sizeof buf, "B %sdiverged", arrow);
    else if (below || above)
        snprintf(buf, sizeof buf, "B %s%s", arrow, val);
    else
        snprintf(buf, sizeof buf, "%s", val);
    plot_label(p, dx, at, buf, PANES_B_STYLE);
}

/* Step-weighted mean of series k over the last quarter of the history. */
static double
recent_mean(const struct history *h, int k)
{
    size_t n = history_len(h), i0 = n - n / 4;
    double sw = 0.0, sy = 0.0;
    for (size_t i = i0 < n ? i0 : 0; i < n; i++) {
        sw += h->w[i];
        sy += h->w[i] * h->y[k][i];
    }
    return sw > 0.0 ? sy / sw : NAN;
}

static void
pane_loss_draw(struct screen *s, struct rect r, const struct ou_snapshot *snap,
               const struct view *v)
{
    const struct history *h = v->hist;
    const struct history *hb = v->snap_b ? v->hist_b : NULL;
    bool bdiv = hb && v->snap_b->status == OU_EDIVERGED;
    struct chrome_legend lg[4] = {
        {s->ascii ? "-" : "━", hb ? "A" : "L", THEME_LOSS},
        {s->ascii ? ".." : "┄", "floor", THEME_FLOOR},
        {"", "", THEME_BOLD},
    };
    int nl = 2;
    if (hb) {
        lg[2] = lg[1];
        lg[1] = (struct chrome_legend){PANES_B_GLYPH(s), bdiv ? "B diverged" : "B", PANES_B_STYLE};
        nl = 3;
    }
    /* The floor readout: mean loss over mean prediction, recent quarter. */
    char ratio[48];
    if (h && history_len(h) >= 8) {
        double ml = recent_mean(h, HIST_LOSS), mf = recent_mean(h, HIST_FLOOR);
        if (mf > 0.0 && isfinite(ml)) {
            snprintf(ratio, sizeof ratio, "⟨L⟩/floor %.3g", ml / mf);
            lg[nl++] = (struct chrome_legend){"", ratio, THEME_BOLD};
        }
    }
    chrome_frame(s, r,
                 v->loss_log ? "loss L(θ), floor ησ²/4B·reg, log y" : "loss L(θ), floor ησ²/4B·reg",
                 v->loss_log ? "loss, log y" : "loss", lg, nl);
    chrome_foot(s, r, "LOSS FLOOR");
    if (!h)
        return;
    int xrows;
    struct rect in = hist_area(r, false, &xrows);
    double lo, hi;
    history_range(h, HIST_LOSS, HIST_FLOOR, v->loss_log, &lo, &hi);
    /* A diverged B's last losses (1e300 and up) would squash A: it is left out. */
    if (!bdiv)
        hist_range_b(hb, HIST_LOSS, v->loss_log, 6.0, &lo, &hi);
    struct scale ys = scale_fit(lo, hi, v->loss_log, 3);
    struct plot p;
    plot_begin(&p, s, in, history_xscale(h, v->step_log), ys, v->glyphs, PLOT_VGUTTER, xrows,
               PLOT_X_SI);
    size_t n = history_len(h);
    /* B first: A's series keep their colour in the cells they share with it. */
    if (hb)
        series_b(&p, hb->x, hb->y[HIST_LOSS], history_len(hb), true);
    plot_series(&p, h->x, h->y[HIST_FLOOR], n, THEME_FLOOR, true);
    plot_series(&p, h->x, h->y[HIST_LOSS], n, THEME_LOSS, false);
    end_label(&p, h, HIST_LOSS, THEME_LOSS);
    end_label(&p, h, HIST_FLOOR, THEME_FLOOR);
    if (hb)
        end_label_b(&p, hb, HIST_LOSS, bdiv);
    draw_marks(&p, v);
    (void)snap;
}

static void
pane_reg_draw(struct screen *s, struct rect r, const struct ou_snapshot *snap, const struct view *v)
{
    const struct history *h = v->hist;
    const struct history *hb = v->snap_b ? v->hist_b : NULL;
    bool bdiv = hb && v->snap_b->status == OU_EDIVERGED;
    /* Compared, the pane shows A's reg and B's; the EMA makes way. */
    struct chrome_legend lg[] = {
        {s->ascii ? "-" : "━", hb ? "A" : "reg", THEME_REG},
        {hb ? PANES_B_GLYPH(s) : (s->ascii ? "-" : "━"), hb ? (bdiv ? "B diverged" : "B") : "EMA",
         hb ? PANES_B_STYLE : THEME_EMA},
    };
    const char *title = s->ascii ? "reg(theta) = mean |grad h(x_i)|^2" : "reg(θ) = mean ‖∇θh(xᵢ)‖²";
    if (v->reg_log)
        title = s->ascii ? "reg(theta) = mean |grad h(x_i)|^2, log y"
                         : "reg(θ) = mean ‖∇θh(xᵢ)‖², log y";
    chrome_frame(s, r, title, v->reg_log ? "reg(θ), log" : "reg(θ)", lg, 2);
    chrome_foot(s, r, "THE IMPLICIT REGULARIZER");
    if (!h)
        return;
    int xrows;
    struct rect in = hist_area(r, false, &xrows);
    double lo, hi;
    history_range(h, HIST_REG, hb ? -1 : HIST_REG_EMA, v->reg_log, &lo, &hi);
    if (!bdiv)
        hist_range_b(hb, HIST_REG, v->reg_log, 6.0, &lo, &hi);
    struct scale ys = scale_fit(lo, hi, v->reg_log, 3);
    struct plot p;
    plot_begin(&p, s, in, history_xscale(h, v->step_log), ys, v->glyphs, PLOT_VGUTTER, xrows,
               PLOT_X_SI);
    size_t n = history_len(h);
    if (hb) {
        series_b(&p, hb->x, hb->y[HIST_REG], history_len(hb), true);
        plot_series(&p, h->x, h->y[HIST_REG], n, THEME_REG, false);
        end_label(&p, h, HIST_REG, THEME_REG);
        end_label_b(&p, hb, HIST_REG, bdiv);
    } else {
        plot_series(&p, h->x, h->y[HIST_REG], n, THEME_REG, false);
        plot_series(&p, h->x, h->y[HIST_REG_EMA], n, THEME_EMA, false);
        end_label(&p, h, HIST_REG_EMA, THEME_EMA);
        end_label(&p, h, HIST_REG, THEME_REG);
    }
    draw_marks(&p, v);
    (void)snap;
}

static void
pane_stab_draw(struct screen *s, struct rect r, const struct ou_snapshot *snap,
               const struct view *v)
{
    const struct history *h = v->hist;
    double el = snap->met.eta_lambda;
    struct chrome_legend lg[] = {
        {s->ascii ? "-" : "━", "η·λ_max", THEME_ETAL},
        {s->ascii ? ".." : "┄", "2", THEME_LIMIT},
        {s->ascii ? "-" : "━", "mean|log ρ|", THEME_BALANCE},
    };
    chrome_frame(s, r, "stability η·λ_max(K) < 2, and balance", "stability", lg, 3);
    chrome_foot(s, r, "EDGE OF STABILITY, BALANCE");
    if (!h)
        return;
    int xrows;
    struct rect in = hist_area(r, true, &xrows);
    struct scale xs = history_xscale(h, v->step_log);
    size_t n = history_len(h);

    /* Two plots on one step axis when there is room: η·λ_max over balance. */
    bool split = in.h >= 7;
    struct rect top = in, bot = in;
    if (split) {
        top.h = (in.h - xrows) / 2;
        bot.y = top.y + top.h;
        bot.h = in.h - top.h;
    }
    double lo, hi;
    history_range(h, HIST_ETAL, -1, false, &lo, &hi);
    if (!(hi >= PANES_ETAL_LIMIT))
        hi = PANES_ETAL_LIMIT;
    struct scale ys = scale_fit(0.0, hi, false, 2);
    struct plot p;
    plot_begin(&p, s, top, xs, ys, v->glyphs, PLOT_VGUTTER, split ? 0 : xrows, PLOT_X_SI);
    plot_hline(&p, PANES_ETAL_LIMIT, THEME_LIMIT);
    plot_series(&p, h->x, h->y[HIST_ETAL], n, THEME_ETAL, false);
    enum theme_role es =
        el >= PANES_ETAL_LIMIT ? THEME_ERROR : (el > PANES_ETAL_WARN ? THEME_WARN : THEME_ETAL);
    end_label(&p, h, HIST_ETAL, es);
    if (!split)
        return;
    history_range(h, HIST_BALANCE, -1, false, &lo, &hi);
    ys = scale_fit(0.0, isfinite(hi) && hi > 0.0 ? hi : 1.0, false, 2);
    plot_begin(&p, s, bot, xs, ys, v->glyphs, PLOT_VGUTTER, xrows, PLOT_X_SI);
    plot_series(&p, h->x, h->y[HIST_BALANCE], n, THEME_BALANCE, false);
    end_label(&p, h, HIST_BALANCE, THEME_BALANCE);
}

/* ---- the OU pane ---- */

/* The column of fraction f of a bar w columns long, clamped into the bar. */
static int
ou_col(int x0, int w, double f)
{
    int c = (int)floor(f * (double)w);
    return x0 + (c < 0 ? 0 : (c >= w ? w - 1 : c));
}

/* One line of text in the pane, dim, clipped. */
static void
ou_line(struct screen *s, struct rect in, int row, const char *text, enum theme_role style)
{
    if (row < in.h)
        chrome_puts_fit(s, in.x + 1, in.y + row, in.w - 2, text, style);
}

/* The drift line: drift clock, |P_T grad reg| and the measured against the predicted reg slope. */
static void
ou_drift_line(struct screen *s, struct rect in, int row, const struct ou_fluct *fl)
{
    struct chrome_field f[3];
    char a[32], b[32];
    memset(f, 0, sizeof f);
    f[0] = (struct chrome_field){.label = s->ascii ? "tau" : "τ", .vstyle = THEME_BOLD, .prio = 0};
    snprintf(f[0].value, sizeof f[0].value, "%.3g", fl->clock);
    f[1] = (struct chrome_field){
        .label = s->ascii ? "|P_T grad reg|" : "‖P_T∇reg‖", .vstyle = THEME_BOLD, .prio = 2};
    snprintf(f[1].value, sizeof f[1].value, "%.3g", fl->ptreg_norm);
    f[2] = (struct chrome_field){
        .label = s->ascii ? "reg/step" : "Δreg/step", .vstyle = THEME_BOLD, .prio = 1};
    snprintf(a, sizeof a, isfinite(fl->reg_slope) ? "%.2g" : "n/a", fl->reg_slope);
    snprintf(b, sizeof b, "%.2g", fl->drift_pred);
    snprintf(f[2].value, sizeof f[2].value, "%s (pred %s)", a, b);
    chrome_fields(s, in.x + 1, in.y + row, in.w - 2, f, 3);
}

/*
 * The fourth pane in its OU form (ouscope-science(7), OU FLUCTUATIONS and
 * DRIFT): one bar per parameter direction v_k, sorted by lambda_k, on a
 * log axis: the variance of v_k . theta over the latest window, with the
 * linearised prediction eta sigma^2 / (B (2 - eta lambda_k)) marked on it,
 * and the measured/predicted ratio at the end; then the tangent space
 * null(J) per dimension (no prediction: no noise enters it), and a line
 * with the drift clock tau, |P_T grad reg| and the reg slope measured over
 * the last two windows against -(eta^2 sigma^2 / 4B) |P_T grad reg|^2.
 */
static void
pane_ou_draw(struct screen *s, struct rect r, const struct ou_snapshot *snap, const struct view *v)
{
    const struct ou_fluct *fl = v->fl;
    struct chrome_legend lg[] = {
        {s->ascii ? "#" : "█", "measured", THEME_REG},
        {s->ascii ? "|" : "┃", s->ascii ? "predicted" : "ησ²/B(2−ηλ_k)", THEME_FLOOR},
    };
    chrome_frame(
        s, r, s->ascii ? "OU variance of theta along v_k, log" : "OU variance of θ along v_k, log",
        "OU variance", lg, 2);
    chrome_foot(s, r, "OU FLUCTUATIONS");
    struct rect in = screen_inset(r, 1);
    char buf[200], a[32], b[32];
    if (in.w < 24 || in.h < 3)
        return;
    if (v->fl_off) {
        ou_line(s, in, 0, v->fl_off, THEME_WARN);
        ou_line(s, in, 1, "o shows the stability history instead", THEME_DIM);
        return;
    }
    if (!(snap->cfg.sigma > 0.0)) {
        ou_line(s, in, 0, "σ = 0: no label noise, so no OU jitter and no drift.", THEME_WARN);
        ou_line(s, in, 1, "θ stays where plain SGD left it; ] or 0 brings the noise.", THEME_DIM);
        return;
    }
    if (!fl || !fl->valid) {
        snprintf(buf, sizeof buf, "first window: %s of %s steps",
                 panes_group(v->fl_filled, a, sizeof a), panes_group(v->fl_window, b, sizeof b));
        ou_line(s, in, 0, buf, THEME_TEXT);
        ou_line(s, in, 1, "θ − θ_ref is projected on each v_k at every step;", THEME_DIM);
        ou_line(s, in, 2, "the bars appear when the window is full.", THEME_DIM);
        return;
    }

    /* Rows: header, the directions, tangent, drift line, and a status line if there is room. */
    size_t nd = fl->ndir;
    int room = in.h - 3;
    bool status = room >= (int)nd + 1;
    int nshow = room < (int)nd ? room : (int)nd;
    if (nshow < 0)
        nshow = 0;
    size_t idx[OU_FLUCT_MAX_DIRS];
    for (int i = 0; i < nshow; i++)
        idx[i] = (size_t)i;
    if (nshow > 0 && (size_t)nshow < nd)
        idx[nshow - 1] = nd - 1; /* the softest direction stays in view */

    const size_t tdim = fl->p > nd ? fl->p - nd : 0;
    const double tvar = tdim ? fl->tangent_var / (double)tdim : NAN;

    /*
     * The log axis covers every shown bar and mark, and the tangent bar
     * down to a decade below them: further down it is only labelled,
     * so that the OU bars keep their resolution.
     */
    double lo = INFINITY, hi = 0.0;
    for (int i = 0; i < nshow; i++) {
        size_t k = idx[i];
        double vals[2] = {fl->var[k], fl->var_pred[k]};
        for (int j = 0; j < 2; j++)
            if (vals[j] > 0.0 && isfinite(vals[j])) {
                lo = fmin(lo, vals[j]);
                hi = fmax(hi, vals[j]);
            }
    }
    if (!(hi > 0.0)) {
        ou_line(s, in, 0, "no variance measured in this window", THEME_WARN);
        return;
    }
    if (tvar > 0.0 && isfinite(tvar))
        lo = fmax(fmin(lo, tvar), 0.1 * lo);
    hi = fmax(hi, tvar > 0.0 && isfinite(tvar) ? tvar : 0.0);
    /* Not rounded out to whole decades: the columns go to the bars. */
    struct scale xs = {.lo = lo / 1.25, .hi = hi * 1.25, .log = true};

    const bool wide = in.w >= 44;
    const int labw = wide ? 17 : 11, ratw = 6;
    const int x0 = in.x + labw, bw = in.w - labw - ratw;
    if (bw < 6)
        return;

    /* Header: column names and the decades of the axis. */
    screen_puts(s, in.x, in.y, labw,
                wide ? (s->ascii ? " k  lambda   e*l" : " k    λ_k   ηλ_k")
                     : (s->ascii ? " k  lambda" : " k    λ_k"),
                THEME_DIM);
    double ticks[SCALE_MAX_TICKS];
    size_t nt = scale_ticks(&xs, 6, ticks);
    int next_free = x0;
    for (size_t t = 0; t < nt; t++) {
        int len = scale_format(ticks[t], a, sizeof a);
        int c = ou_col(x0, bw, scale_frac(&xs, ticks[t]));
        if (c + len > x0 + bw)
            c = x0 + bw - len;
        if (c < next_free)
            continue;
        screen_puts(s, c, in.y, len, a, THEME_AXIS);
        next_free = c + len + 1;
    }
    screen_puts(s, in.x + in.w - ratw + 1, in.y, ratw - 1, "m/p", THEME_DIM);

    int row = 1;
    for (int i = 0; i < nshow; i++, row++) {
        size_t k = idx[i];
        double el = fl->eta * fl->lambda[k];
        int y = in.y + row;
        char lam[16], etl[16];
        snprintf(lam, sizeof lam, "%.3g", fl->lambda[k]);
        snprintf(etl, sizeof etl, el >= 0.001 ? "%.3f" : "%.0e", el);
        snprintf(buf, sizeof buf, "%2zu %6s", k + 1, lam);
        int col = in.x + screen_puts(s, in.x, y, labw, buf, THEME_TEXT);
        if (wide) {
            enum theme_role es = el >= PANES_ETAL_LIMIT ? THEME_ERROR
                                 : el > PANES_ETAL_WARN ? THEME_WARN
                                                        : THEME_TEXT;
            snprintf(buf, sizeof buf, " %6s", etl);
            screen_puts(s, col, y, labw - (col - in.x), buf, es);
        }
        chrome_hbar(s, x0, y, bw, scale_frac(&xs, fl->var[k]), THEME_REG);
        if (fl->var_pred[k] > 0.0)
            screen_put(s, ou_col(x0, bw, scale_frac(&xs, fl->var_pred[k])), y,
                       s->ascii ? '|' : 0x2503, THEME_FLOOR);
        double ratio = fl->var_pred[k] > 0.0 ? fl->var[k] / fl->var_pred[k] : NAN;
        snprintf(buf, sizeof buf, isfinite(ratio) ? "%5.2f" : "  n/a", ratio);
        screen_puts(s, in.x + in.w - ratw, y, ratw, buf,
                    fl->knobs_changed ? THEME_DIM : THEME_BOLD);
    }

    /* The tangent space, per dimension: no noise enters, nothing pulls back. */
    if (row < in.h) {
        int y = in.y + row++;
        snprintf(buf, sizeof buf, wide ? " T  tangent/dim" : " T tan/dim");
        screen_puts(s, in.x, y, labw, buf, THEME_TEXT);
        double f = scale_frac(&xs, tvar);
        if (tvar > 0.0 && f * (double)bw < 1.0) {
            snprintf(buf, sizeof buf, s->ascii ? "< %.2g" : "◂ %.2g", tvar);
            screen_puts(s, x0, y, bw, buf, THEME_EMA);
        } else {
            chrome_hbar(s, x0, y, bw, f, THEME_EMA);
        }
        snprintf(buf, sizeof buf, "%zu d", tdim);
        screen_puts(s, in.x + in.w - ratw + 1, y, ratw - 1, buf, THEME_DIM);
    }
    if (row < in.h)
        ou_drift_line(s, in, row++, fl);
    if (status && row < in.h) {
        struct chrome_field f[4];
        int n = 0;
        memset(f, 0, sizeof f);
        f[n] = (struct chrome_field){.label = "window", .vstyle = THEME_TEXT, .prio = 0};
        snprintf(f[n].value, sizeof f[n].value, "%s", panes_group(fl->window, a, sizeof a));
        n++;
        f[n] = (struct chrome_field){.label = "next", .vstyle = THEME_TEXT, .prio = 2};
        snprintf(f[n].value, sizeof f[n].value, "%.0f%%",
                 v->fl_window ? 100.0 * (double)v->fl_filled / (double)v->fl_window : 0.0);
        n++;
        if (fl->knobs_changed) {
            f[n] = (struct chrome_field){.label = "", .vstyle = THEME_WARN, .prio = 1};
            snprintf(f[n].value, sizeof f[n].value, "knobs changed in it");
            n++;
        } else if (fl->batch < snap->data.n) {
            f[n] = (struct chrome_field){.label = "", .vstyle = THEME_DIM, .prio = 1};
            snprintf(f[n].value, sizeof f[n].value, "B<n: sampling noise adds");
            n++;
        }
        f[n] = (struct chrome_field){.label = "kick", .vstyle = THEME_TEXT, .prio = 3};
        snprintf(f[n].value, sizeof f[n].value, "%.3g", v->kick_size);
        n++;
        chrome_fields(s, in.x + 1, in.y + row, in.w - 2, f, n);
    }
}

/* The fourth pane: the OU bars, or the stability history (o toggles). */
/* ---- the implicit regularizers ---- */

/* One row of the table: name, value (or "n/a"), what it is. */
static void
regs_row(struct screen *s, struct rect in, int row, const char *name, double value,
         const char *what)
{
    if (row >= in.h)
        return;
    int x = in.x + 1, w = in.w - 2, nw = 14, vw = 11;
    screen_puts(s, x, in.y + row, nw, name, THEME_DIM);
    char v[32];
    if (isfinite(value))
        snprintf(v, sizeof v, "%10.4g", value);
    else
        snprintf(v, sizeof v, "%10s", "n/a");
    screen_puts(s, x + nw, in.y + row, vw, v, THEME_BOLD);
    if (w > nw + vw + 1)
        chrome_puts_fit(s, x + nw + vw + 1, in.y + row, w - nw - vw - 1, what, THEME_DIM);
}

/*
 * The fourth pane in its third form (ouscope-science(7), IMPLICIT
 * REGULARIZERS, PATH NORMS, BALANCE): the penalties of the literature read
 * off the current theta, side by side with reg and with the loss floor
 * that measures reg independently (4B<L>/(eta sigma^2) over the steps since
 * the last frame), then a_j^2 - w_j^2 - b_j^2 per unit as bars about 0.
 */
static void
pane_regs_draw(struct screen *s, struct rect r, const struct ou_snapshot *snap,
               const struct view *v)
{
    (void)v;
    const struct ou_metrics *m = &snap->met;
    const struct ou_config *c = &snap->cfg;
    chrome_frame(s, r, s->ascii ? "implicit regularizers at theta" : "implicit regularizers at θ",
                 "regularizers", NULL, 0);
    chrome_foot(s, r, "IMPLICIT REGULARIZERS");
    struct rect in = screen_inset(r, 1);
    if (in.w < 24 || in.h < 2)
        return;
    bool a = s->ascii;
    double lam = m->noise_lambda, lmean = NAN;
    if (snap->trace.steps > 0)
        lmean = snap->trace.loss_sum / (double)snap->trace.steps;
    double reg_from_l = lam > 0.0 ? 4.0 * lmean / lam : NAN;
    int row = 0;
    regs_row(s, in, row++, "reg", m->reg, a ? "mean |grad h|^2" : "mean ‖∇h‖²");
    regs_row(s, in, row++, a ? "4B<L>/(es^2)" : "4B⟨L⟩/ησ²", reg_from_l,
             c->optim == OU_OPTIM_SGD ? "= reg at small η" : "= reg for SGD only");
    regs_row(s, in, row++, a ? "lambda R_eta" : "λ·R_η", lam * m->r_eta,
             a ? "Damian et al." : "Damian et al., λ = ησ²/B");
    regs_row(s, in, row++, a ? "R_eta / reg" : "R_η / reg", m->r_eta / m->reg,
             a ? "1/4 at small eta" : "1/4 at small η");
    regs_row(s, in, row++, "igr", m->igr, "Smith et al.");
    regs_row(s, in, row++, "igr_rms", m->igr_rms,
             c->optim == OU_OPTIM_RMSPROP ? "igr over √s + ε" : "RMSProp only");
    regs_row(s, in, row++, a ? "|theta|_2" : "‖θ‖₂", m->theta_norm, "weight decay's");
    regs_row(s, in, row++, a ? "l1 path" : "ℓ1 path", m->path_l1, "rescaling-invariant");
    regs_row(s, in, row++, a ? "l2 path" : "ℓ2 path", m->path_l2, "Path-SGD's");
    regs_row(s, in, row++, a ? "mean|log rho|" : "mean|log ρ|", m->balance, "0: balanced");

    /* Per-unit balancedness a_j^2 - w_j^2 - b_j^2, as many units as fit, in columns. */
    size_t nu = isfinite(m->unit_balance) ? c->width : 0;
    int rows = in.h - row - 1;
    if (nu == 0 || rows < 1)
        return;
    chrome_puts_fit(s, in.x + 1, in.y + row++, in.w - 2,
                    a ? "a^2 - w^2 - b^2 per unit, asinh bars (w, W rescale the heaviest)"
                      : "a_j² − w_j² − b_j² per unit, asinh bars (w, W rescale the heaviest)",
                    THEME_TEXT);
    int colw = 26, ncol = (in.w - 2) / colw;
    if (ncol < 1)
        ncol = 1;
    size_t shown = (size_t)rows * (size_t)ncol;
    if (shown > nu)
        shown = nu;
    double top = 0.0;
    for (size_t j = 0; j < nu; j++)
        top = fmax(top, fabs(m->unit_q[j]));
    int half = (colw - 14) / 2; /* bar half-width: "jjj ", the axis and " value  " take 14 */
    for (size_t j = 0; j < shown; j++) {
        int col = (int)(j / (size_t)rows), rr = (int)(j % (size_t)rows);
        int x = in.x + 1 + col * colw, y = in.y + row + rr;
        char lab[48];
        snprintf(lab, sizeof lab, "%3zu", j + 1);
        screen_puts(s, x, y, 3, lab, THEME_DIM);
        int mid = x + 4 + half;
        screen_put(s, mid, y, a ? '|' : 0x2502, THEME_AXIS);
        /* asinh keeps small units visible beside a rescaled one (0.1 ~ where it turns log). */
        double f = top > 0.0 ? asinh(m->unit_q[j] / 0.1) / asinh(top / 0.1) : 0.0;
        int len = (int)lround(fabs(f) * (double)half);
        for (int k = 1; k <= len; k++)
            screen_put(s, f > 0.0 ? mid + k : mid - k, y, a ? '#' : 0x2588, THEME_BALANCE);
        snprintf(lab, sizeof lab, "%+.2g", m->unit_q[j]);
        screen_puts(s, mid + half + 2, y, colw - (mid + half + 2 - x), lab, THEME_TEXT);
    }
    if (shown < nu && in.h > row + rows) {
        char more[64];
        snprintf(more, sizeof more, "(%zu more units)", nu - shown);
        screen_puts(s, in.x + 1, in.y + row + rows, in.w - 2, more, THEME_DIM);
    }
}

static void
pane_slot4_draw(struct screen *s, struct rect r, const struct ou_snapshot *snap,
                const struct view *v)
{
    if (v->regs_pane)
        pane_regs_draw(s, r, snap, v);
    else if (v->ou_pane)
        pane_ou_draw(s, r, snap, v);
    else
        pane_stab_draw(s, r, snap, v);
}

/* Kick and projection marks along the top row of a history plot. */
static void
draw_marks(struct plot *p, const struct view *v)
{
    static const uint32_t glyph[] = {[MARK_TOP] = 0x2195,      /* ↕ */
                                     [MARK_TANGENT] = 0x2194,  /* ↔ */
                                     [MARK_DOWNHILL] = 0x2193, /* ↓ */
                                     [MARK_UPHILL] = 0x2191,   /* ↑ */
                                     [MARK_PROJECT] = 0x22A5,  /* ⊥ */
                                     [MARK_RESCALE] = 0x00D7}; /* × */
    static const char ascii[] = {[MARK_TOP] = 'V',    [MARK_TANGENT] = 'T', [MARK_DOWNHILL] = 'd',
                                 [MARK_UPHILL] = 'u', [MARK_PROJECT] = 'P', [MARK_RESCALE] = 'x'};
    if (!p->s || p->cr.w <= 0 || p->cr.h <= 0 || p->cv.cw <= 0)
        return;
    double ytop = scale_value(&p->ys, 1.0);
    for (size_t i = 0; i < v->nmarks; i++) {
        int dx, dy;
        if (!plot_dot(p, v->marks[i].step, ytop, &dx, &dy) || dx < 0 || dx >= p->cv.dw)
            continue;
        enum view_mark_kind k = v->marks[i].kind;
        screen_put(p->s, p->cr.x + dx / p->cv.cw, p->cr.y,
                   p->s->ascii ? (uint32_t)ascii[k] : glyph[k], THEME_NOTICE);
    }
}

/* ---- status line, hint bar, help, too small ---- */

static void
draw_status(struct screen *s, struct rect r, const struct ou_snapshot *snap, const struct view *v)
{
    struct chrome_field f[14];
    int n = 0;
    char a[32];
    const struct ou_config *c = &snap->cfg;
    double el = snap->met.eta_lambda;
    memset(f, 0, sizeof f);

    if (snap->status == OU_EDIVERGED) {
        f[n] = (struct chrome_field){.vstyle = THEME_ERROR, .prio = 0};
        if (el >= PANES_ETAL_LIMIT)
            snprintf(f[n].value, sizeof f[n].value,
                     "diverged at step %s: η·λ_max = %.3g > 2; press u to rewind (η halved)",
                     panes_group(snap->diverged_at, a, sizeof a), el);
        else
            snprintf(f[n].value, sizeof f[n].value,
                     "diverged at step %s (η·λ_max = %.3g; a minibatch step overshot); press u to "
                     "rewind (η halved)",
                     panes_group(snap->diverged_at, a, sizeof a), el);
        n++;
    } else if (v->burst > 0) {
        f[n] = (struct chrome_field){.vstyle = THEME_OK, .prio = 0, .id = VIEW_FIELD_STATE};
        snprintf(f[n].value, sizeof f[n].value, "running %s steps",
                 panes_group(v->burst, a, sizeof a));
        n++;
    } else {
        f[n] = (struct chrome_field){
            .vstyle = v->paused ? THEME_WARN : THEME_OK, .prio = 0, .id = VIEW_FIELD_STATE};
        snprintf(f[n].value, sizeof f[n].value, "%s", v->paused ? "PAUSED" : "running");
        n++;
    }
    if (v->snap_b && v->ab_diff) {
        /* The comparison: what differs, and whether B is still going. */
        const struct ou_snapshot *sb = v->snap_b;
        bool bdiv = sb->status == OU_EDIVERGED;
        f[n] = (struct chrome_field){
            .label = "A/B:", .vstyle = bdiv ? THEME_WARN : THEME_BOLD, .prio = 0};
        if (bdiv)
            snprintf(f[n].value, sizeof f[n].value, "%s (B diverged at %s)", v->ab_diff,
                     panes_group(sb->diverged_at, a, sizeof a));
        else
            snprintf(f[n].value, sizeof f[n].value, "%s", v->ab_diff);
        n++;
    }
    f[n] = (struct chrome_field){
        .label = "step", .vstyle = THEME_BOLD, .prio = 0, .id = VIEW_FIELD_STEP};
    panes_group(snap->step, f[n].value, sizeof f[n].value);
    n++;
    f[n] =
        (struct chrome_field){.label = "η", .vstyle = THEME_BOLD, .prio = 0, .id = VIEW_FIELD_ETA};
    fmt_g(c->eta, f[n].value, sizeof f[n].value);
    n++;
    f[n] = (struct chrome_field){
        .label = "σ", .vstyle = THEME_BOLD, .prio = 0, .id = VIEW_FIELD_SIGMA};
    if (v->sigma_off > 0.0)
        snprintf(f[n].value, sizeof f[n].value, "off (%s)", fmt_g(v->sigma_off, a, sizeof a));
    else
        fmt_g(c->sigma, f[n].value, sizeof f[n].value);
    n++;
    f[n] =
        (struct chrome_field){.label = "", .vstyle = THEME_TEXT, .prio = 2, .id = VIEW_FIELD_NOISE};
    snprintf(f[n].value, sizeof f[n].value, "%s %s", ou_noise_kind_name(c->noise),
             c->frozen ? "frozen" : "fresh");
    if (c->frozen)
        f[n].vstyle = THEME_WARN;
    n++;
    f[n] = (struct chrome_field){
        .label = "B", .vstyle = THEME_BOLD, .prio = 1, .id = VIEW_FIELD_BATCH};
    snprintf(f[n].value, sizeof f[n].value, "%zu/%zu", c->batch, snap->data.n);
    n++;
    /*
     * μ, and after it the optimizer when that is not SGD (ouscope(1)): another
     * optimizer changes what η and the loss floor mean, so it outlasts the
     * seed and the data set; a momentum other than 0 outlasts the seed.
     */
    f[n] = (struct chrome_field){.label = "μ",
                                 .vstyle = THEME_BOLD,
                                 .prio = c->optim != OU_OPTIM_SGD ? 1 : (c->momentum > 0.0 ? 2 : 3),
                                 .id = VIEW_FIELD_MOMENTUM};
    fmt_g(c->momentum, f[n].value, sizeof f[n].value);
    if (c->optim != OU_OPTIM_SGD) {
        size_t k = strlen(f[n].value);
        snprintf(f[n].value + k, sizeof f[n].value - k, " %s", ou_optim_kind_name(c->optim));
    }
    n++;
    f[n] = (struct chrome_field){.label = "η·λ_max", .prio = 0, .id = VIEW_FIELD_ETA_LAMBDA};
    f[n].vstyle =
        el >= PANES_ETAL_LIMIT ? THEME_ERROR : (el > PANES_ETAL_WARN ? THEME_WARN : THEME_BOLD);
    snprintf(f[n].value, sizeof f[n].value, "%.3g", el);
    n++;
    f[n] = (struct chrome_field){
        .label = "steps/s", .vstyle = THEME_BOLD, .prio = 1, .id = VIEW_FIELD_SPEED};
    scale_format_si(v->sps, a, sizeof a);
    snprintf(f[n].value, sizeof f[n].value, "%s (%s)", a, v->speed ? v->speed : "max");
    n++;
    f[n] = (struct chrome_field){
        .label = "fps", .vstyle = THEME_BOLD, .prio = 4, .id = VIEW_FIELD_FPS};
    snprintf(f[n].value, sizeof f[n].value, "%.0f", v->fps);
    n++;
    f[n] = (struct chrome_field){
        .label = "seed", .vstyle = THEME_BOLD, .prio = 3, .id = VIEW_FIELD_SEED};
    snprintf(f[n].value, sizeof f[n].value, "%" PRIu64, c->seed);
    n++;
    f[n] = (struct chrome_field){
        .label = "data", .vstyle = THEME_BOLD, .prio = 2, .id = VIEW_FIELD_DATA};
    snprintf(f[n].value, sizeof f[n].value, "%s n=%zu", snap->data.name, snap->data.n);
    n++;
    f[n] = (struct chrome_field){
        .label = "m", .vstyle = THEME_BOLD, .prio = 4, .id = VIEW_FIELD_WIDTH};
    snprintf(f[n].value, sizeof f[n].value, "%zu", c->width);
    n++;
    /* --hide: drop the fields asked for (a divergence message has no id and stays). */
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!(f[i].id & v->hide))
            f[k++] = f[i];
    chrome_fields(s, r.x + 1, r.y, r.w - 2, f, k);
}

/*
 * A script's caption fills the bottom line in its own style, centred; a
 * notice, if any, keeps the right end when there is room for both.
 */
static void
draw_caption(struct screen *s, struct rect r, const struct view *v)
{
    screen_fill(s, r, ' ', THEME_CAPTION);
    int cw = screen_text_width(s, v->caption), room = r.w - 2;
    int nw = v->notice && v->notice[0] ? screen_text_width(s, v->notice) + 2 : 0;
    if (nw > 0 && cw + 2 + nw <= room) {
        int nx = r.x + r.w - nw;
        screen_put(s, nx, r.y, ' ', v->notice_style);
        screen_puts(s, nx + 1, r.y, nw - 2, v->notice, v->notice_style);
        screen_put(s, nx + nw - 1, r.y, ' ', v->notice_style);
        room -= nw + 1;
    }
    int x = r.x + 1 + (cw < room ? (room - cw) / 2 : 0);
    chrome_puts_fit(s, x, r.y, room, v->caption, THEME_CAPTION);
}

/*
 * The hint bar: a notice (if any) at the left, then the key hints in table
 * order; the last two (help and quit) are kept at the right end whatever
 * else has to go.  A notice too long for its room ends in an ellipsis.
 */
static void
draw_hints(struct screen *s, struct rect r, const struct view *v)
{
    if (v->caption && v->caption[0]) {
        draw_caption(s, r, v);
        return;
    }
    size_t nh = (v->hide & VIEW_FIELD_HINTS) ? 0 : v->nhints;
    chrome_hints(s, r, v->hints, nh, v->notice, v->notice_style);
}

/* The help overlay of the 1D view (chrome_help). */
static void
draw_help(struct screen *s, const struct view *v)
{
    static const char *const foot[] = {
        "mouse: click adds a point, drag moves one, right click removes",
        "any key closes · man ouscope · man 7 ouscope-science",
    };
    chrome_help(s, "ouscope keys", v->help_items, v->nhelp, foot, 2);
}

static void
draw_too_small(struct screen *s, const struct layout *lay)
{
    char l1[64], l2[64];
    snprintf(l1, sizeof l1, "need %d×%d, have %d×%d", lay->min_w, lay->min_h, lay->w, lay->h);
    snprintf(l2, sizeof l2, "enlarge the terminal or press q");
    const char *lines[3] = {"terminal too small", l1, l2};
    int y0 = (s->h - 3) / 2;
    for (int i = 0; i < 3; i++) {
        int w = screen_text_width(s, lines[i]);
        int x = (s->w - w) / 2;
        screen_puts(s, x < 0 ? 0 : x, y0 + i, s->w, lines[i], i == 0 ? THEME_WARN : THEME_TEXT);
    }
}

void
panes_draw(struct screen *s, const struct layout *lay, const struct ou_snapshot *snap,
           const struct view *v)
{
    screen_clear(s);
    if (lay->too_small) {
        draw_too_small(s, lay);
        return;
    }
    draw_status(s, lay->status, snap, v);
    for (int i = 0; i < PANE_COUNT; i++)
        panes_table[i].draw(s, lay->pane[i], snap, v);
    draw_hints(s, lay->hint, v);
    if (v->help)
        draw_help(s, v);
}
