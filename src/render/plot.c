/*
 * Plots.  A series is reduced to one vertical span per dot column (its
 * minimum to maximum there) joined by lines, so drawing costs O(samples +
 * columns) and a noisy history shows its spread instead of aliasing.
 */
#include "config.h"

#include "plot.h"

#include <math.h>
#include <string.h>

void
plot_setup(struct plot *p, struct screen *s, struct rect area, struct scale xs, struct scale ys,
           enum canvas_glyphs glyphs, int vgutter, int xrows)
{
    memset(p, 0, sizeof *p);
    p->s = s;
    p->area = area;
    p->xs = xs;
    p->ys = ys;
    struct rect cr = area;
    cr.x += PLOT_YGUTTER;
    cr.w -= PLOT_YGUTTER + vgutter;
    cr.h -= xrows;
    if (cr.w < 2 || cr.h < 1) {
        cr.w = 0;
        cr.h = 0;
    }
    if (cr.h > PLOT_MAX_ROWS)
        cr.h = PLOT_MAX_ROWS;
    p->cr = cr;
    p->right = area.x + area.w;
    canvas_init(&p->cv, s, cr, glyphs);
    /* The maps from values to dots, computed once: dx = xa + xb v, dy = ya + yb v. */
    double x0 = xs.log ? log10(xs.lo) : xs.lo, x1 = xs.log ? log10(xs.hi) : xs.hi;
    double y0 = ys.log ? log10(ys.lo) : ys.lo, y1 = ys.log ? log10(ys.hi) : ys.hi;
    p->xb = (p->cv.dw - 1) / (x1 - x0);
    p->xa = -x0 * p->xb;
    p->yb = -(p->cv.dh - 1) / (y1 - y0);
    p->ya = (p->cv.dh - 1) - y0 * p->yb;
}

void
plot_begin(struct plot *p, struct screen *s, struct rect area, struct scale xs, struct scale ys,
           enum canvas_glyphs glyphs, int vgutter, int xrows, enum plot_xfmt xfmt)
{
    plot_setup(p, s, area, xs, ys, glyphs, vgutter, xrows);
    struct rect cr = p->cr;
    if (cr.w == 0)
        return;

    /* y axis: a line with a tick and label at each tick value. */
    uint32_t vline = s->ascii ? '|' : 0x2502, tick = s->ascii ? '+' : 0x2524;
    for (int r = 0; r < cr.h; r++)
        screen_put(s, cr.x - 1, cr.y + r, vline, THEME_AXIS);
    double t[SCALE_MAX_TICKS];
    size_t nt = scale_ticks(&ys, (size_t)(cr.h >= 6 ? cr.h / 2 : 3), t);
    int last_row = -1;
    for (size_t i = 0; i < nt; i++) {
        double f = scale_frac(&ys, t[i]);
        if (!isfinite(f))
            continue;
        int dy = (int)lround((1.0 - f) * (p->cv.dh - 1));
        int row = cr.y + dy / p->cv.ch;
        if (row == last_row || row < cr.y || row >= cr.y + cr.h)
            continue;
        last_row = row;
        char buf[32];
        int len = scale_format(t[i], buf, sizeof buf);
        if (len > PLOT_YGUTTER - 1)
            len = PLOT_YGUTTER - 1;
        screen_puts(s, cr.x - 1 - len, row, len, buf, THEME_AXIS);
        screen_put(s, cr.x - 1, row, tick, THEME_AXIS);
    }

    if (xrows < 1)
        return;
    /* x labels below the canvas, centred on their ticks, never overlapping. */
    int row = cr.y + cr.h + xrows - 1, next_free = area.x;
    nt = scale_ticks(&xs, (size_t)(cr.w / 9 + 1), t);
    for (size_t i = 0; i < nt; i++) {
        double f = scale_frac(&xs, t[i]);
        if (!isfinite(f) || f < -1e-9 || f > 1 + 1e-9)
            continue;
        char buf[32];
        int len = xfmt == PLOT_X_SI ? scale_format_si(t[i], buf, sizeof buf)
                                    : scale_format(t[i], buf, sizeof buf);
        int col = cr.x + (int)lround(f * (p->cv.dw - 1)) / p->cv.cw;
        int x0 = col - len / 2;
        if (x0 + len > p->right)
            x0 = p->right - len;
        if (x0 < next_free)
            continue;
        screen_puts(s, x0, row, len, buf, THEME_AXIS);
        next_free = x0 + len + 1;
    }
}

bool
plot_dot(const struct plot *p, double x, double y, int *dx, int *dy)
{
    if (p->xs.log)
        x = x > 0.0 ? log10(x) : NAN;
    if (p->ys.log)
        y = y > 0.0 ? log10(y) : NAN;
    double fx = p->xa + p->xb * x, fy = p->ya + p->yb * y;
    if (!isfinite(fx) || !isfinite(fy))
        return false;
    /* Clamp far-off values (a canvas beyond each side) so they stay in int range. */
    double lx = -(double)p->cv.dw, hx = 2.0 * p->cv.dw, ly = -(double)p->cv.dh, hy = 2.0 * p->cv.dh;
    fx = fx < lx ? lx : (fx > hx ? hx : fx);
    fy = fy < ly ? ly : (fy > hy ? hy : fy);
    *dx = (int)floor(fx + 0.5);
    *dy = (int)floor(fy + 0.5);
    return true;
}

static void
span(struct plot *p, int c, int lo, int hi, enum theme_role style)
{
    if (lo < 0)
        lo = 0;
    if (hi > p->cv.dh - 1)
        hi = p->cv.dh - 1;
    for (int r = lo; r <= hi; r++)
        canvas_set_dot(&p->cv, c, r, style);
}

void
plot_series(struct plot *p, const double *x, const double *y, size_t n, enum theme_role style,
            bool dotted)
{
    if (p->cr.w == 0)
        return;
    int cur = -1, lo = 0, hi = 0, last = 0;
    bool joined = false;
    p->cv.dashed = dotted;
    for (size_t i = 0; i < n; i++) {
        int c, r;
        if (!plot_dot(p, x[i], y[i], &c, &r)) {
            joined = false;
            continue;
        }
        if (c == cur) {
            lo = r < lo ? r : lo;
            hi = r > hi ? r : hi;
            last = r;
            continue;
        }
        if (cur >= 0) {
            span(p, cur, lo, hi, style);
            if (joined)
                canvas_line(&p->cv, cur, last, c, r, style);
        }
        cur = c;
        lo = hi = last = r;
        joined = true;
    }
    if (cur >= 0)
        span(p, cur, lo, hi, style);
    p->cv.dashed = false;
}

void
plot_series_uniform(struct plot *p, double x0, double x1, const double *y, size_t n,
                    enum theme_role style, bool dotted)
{
    if (p->cr.w == 0 || n == 0)
        return;
    int lc = -1, lr = 0;
    p->cv.dashed = dotted;
    for (size_t i = 0; i < n; i++) {
        double x = n > 1 ? x0 + (x1 - x0) * (double)i / (double)(n - 1) : x0;
        int c, r;
        if (!plot_dot(p, x, y[i], &c, &r)) {
            lc = -1;
            continue;
        }
        if (lc >= 0)
            canvas_line(&p->cv, lc, lr, c, r, style);
        else
            canvas_set_dot(&p->cv, c, r, style);
        lc = c;
        lr = r;
    }
    p->cv.dashed = false;
}

void
plot_hline(struct plot *p, double y, enum theme_role style)
{
    int dx, dy;
    if (p->cr.w == 0 || !plot_dot(p, p->xs.lo, y, &dx, &dy) || dy < 0 || dy >= p->cv.dh)
        return;
    canvas_hdash(&p->cv, dy, style);
}

void
plot_label(struct plot *p, int at_dx, double y, const char *text, enum theme_role style)
{
    int dx, dy;
    if (p->cr.w == 0 || !plot_dot(p, p->xs.lo, y, &dx, &dy))
        return;
    if (dy < 0)
        dy = 0;
    if (dy > p->cv.dh - 1)
        dy = p->cv.dh - 1;
    int want = dy / p->cv.ch, row = -1;
    for (int d = 0; d < p->cr.h && row < 0; d++) {
        if (want - d >= 0 && !p->taken[want - d])
            row = want - d;
        else if (want + d < p->cr.h && !p->taken[want + d])
            row = want + d;
    }
    if (row < 0)
        return;
    p->taken[row] = true;
    int len = screen_text_width(p->s, text);
    int x0 = p->cr.x + (at_dx < 0 ? 0 : at_dx) / p->cv.cw + 1;
    if (x0 + len > p->right)
        x0 = p->right - len;
    if (x0 < p->cr.x)
        x0 = p->cr.x;
    screen_puts(p->s, x0, p->cr.y + row, p->right - x0, text, style);
}

bool
plot_value_at(const struct plot *p, int col, int row, double *x, double *y)
{
    const struct rect *r = &p->cr;
    if (r->w == 0 || col < r->x || col >= r->x + r->w || row < r->y || row >= r->y + r->h)
        return false;
    double fx = ((col - r->x) + 0.5) / r->w, fy = 1.0 - ((row - r->y) + 0.5) / r->h;
    /* Dot positions run from the centre of the first dot to that of the last. */
    fx = (fx * p->cv.dw - 0.5) / (p->cv.dw - 1);
    fy = (fy * p->cv.dh - 0.5) / (p->cv.dh - 1);
    *x = scale_value(&p->xs, fx);
    *y = scale_value(&p->ys, fy);
    return true;
}
