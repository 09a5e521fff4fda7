/*
 * A dot canvas over a rectangle of the screen: braille cells of 2x4 dots,
 * quadrant blocks of 2x2, or ASCII cells of 1x3 ("'", "-", "."), chosen by
 * the glyph set.  Dots live in the screen cells themselves, so drawing
 * needs no buffer of its own.  Knows nothing about terminals.
 */
#ifndef OUSCOPE_RENDER_CANVAS_H
#define OUSCOPE_RENDER_CANVAS_H

#include "render/screen.h"

enum canvas_glyphs { CANVAS_BRAILLE = 0, CANVAS_BLOCKS, CANVAS_ASCII };

struct canvas {
    struct screen *s;
    struct rect r; /* cells covered */
    enum canvas_glyphs glyphs;
    int cw, ch;  /* dots per cell, across and down */
    int dw, dh;  /* dots in all: r.w * cw by r.h * ch */
    bool dashed; /* skip every other cell column (reference lines) */
};

/* A canvas over r of screen s; nothing is drawn yet. */
void canvas_init(struct canvas *c, struct screen *s, struct rect r, enum canvas_glyphs glyphs);

/*
 * Set dot (x, y), x to the right and y downward from the top-left dot, in
 * style.  A cell already holding a glyph that is not made of dots (a data
 * point, a label) is left alone.  Dots outside the canvas are dropped.
 */
void canvas_set_dot(struct canvas *c, int x, int y, enum theme_role style);

/* A straight line of dots from (x0, y0) to (x1, y1), ends included. */
void canvas_line(struct canvas *c, int x0, int y0, int x1, int y1, enum theme_role style);

/* A horizontal dashed line of dots on row y (two on, two off). */
void canvas_hdash(struct canvas *c, int y, enum theme_role style);

/* The glyph for a cell of the given set with dot bits `dots`. */
uint32_t canvas_glyph(enum canvas_glyphs glyphs, unsigned dots);

#endif
