/*
 * A plot inside a rectangle: tick labels on the left (and optionally
 * below), a dot canvas, series drawn as connected lines with one vertical
 * span per dot column, reference lines, and value labels printed where a
 * series ends.  Uses canvas and scale; no terminal, no snapshot.
 */
#ifndef OUSCOPE_RENDER_PLOT_H
#define OUSCOPE_RENDER_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "render/canvas.h"
#include "render/scale.h"
#include "render/screen.h"

#define PLOT_YGUTTER 7 /* columns for y tick labels and the axis line */
#define PLOT_VGUTTER 8 /* columns right of the canvas for end-of-series values */
#define PLOT_MAX_ROWS 256

/* How the x tick labels are written. */
enum plot_xfmt { PLOT_X_PLAIN = 0, PLOT_X_SI };

struct plot {
    struct screen *s;
    struct rect area; /* everything the plot may use */
    struct rect cr;   /* the canvas cells */
    struct scale xs, ys;
    struct canvas cv;
    int right;                 /* one past the last column labels may use */
    double xa, xb, ya, yb;     /* dot = a + b * v (v = log10 of the value on log axes) */
    bool taken[PLOT_MAX_ROWS]; /* rows of cr holding an end label */
};

/*
 * Lay out a plot in `area` as plot_begin does, drawing nothing (s may be
 * NULL): for mapping screen cells back to values.
 */
void plot_setup(struct plot *p, struct screen *s, struct rect area, struct scale xs,
                struct scale ys, enum canvas_glyphs glyphs, int vgutter, int xrows);

/*
 * Lay out a plot in `area`: a y gutter of PLOT_YGUTTER columns, a right
 * gutter of `vgutter` columns and `xrows` rows below the canvas, the last
 * of which holds the x tick labels (0: no labels).  Draws the axes and
 * tick labels.  The canvas may be empty (zero
 * size) when area is too small; later calls then draw nothing.
 */
void plot_begin(struct plot *p, struct screen *s, struct rect area, struct scale xs,
                struct scale ys, enum canvas_glyphs glyphs, int vgutter, int xrows,
                enum plot_xfmt xfmt);

/* Dot coordinates of (x, y); false if y cannot be shown (log of <= 0, NaN). */
bool plot_dot(const struct plot *p, double x, double y, int *dx, int *dy);

/*
 * Series (x[i], y[i]), i < n, x increasing, as a line; points that cannot be
 * shown break it.  With dotted, every other cell column is skipped, for
 * reference series.
 */
void plot_series(struct plot *p, const double *x, const double *y, size_t n, enum theme_role style,
                 bool dotted);

/*
 * A curve sampled at n equally spaced x from x0 to x1, joined point to
 * point (no per-column spans: for smooth functions).
 */
void plot_series_uniform(struct plot *p, double x0, double x1, const double *y, size_t n,
                         enum theme_role style, bool dotted);

/* A dashed horizontal line at y. */
void plot_hline(struct plot *p, double y, enum theme_role style);

/*
 * Print text at the row of value y, just right of dot column `at_dx` (the
 * series' last point) or further right, moving up or down to a free row if
 * that one already holds a label.
 */
void plot_label(struct plot *p, int at_dx, double y, const char *text, enum theme_role style);

/* The value at screen cell (col, row) of the canvas (cell centre); false outside it. */
bool plot_value_at(const struct plot *p, int col, int row, double *x, double *y);

#endif
