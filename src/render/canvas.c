/*
 * Dot canvas.  Braille: U+2800 plus a bit per dot, numbered down the left
 * column (1, 2, 3, 7) then the right (4, 5, 6, 8).  Blocks: the sixteen
 * quadrant characters.  ASCII: one column of three dots per cell.
 */
#include "config.h"

#include "canvas.h"

#include <stdlib.h>

/* Braille bit of dot (col, row) within a cell. */
static const uint8_t braille_bit[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};

/* Quadrants: bit 0 top left, 1 top right, 2 bottom left, 3 bottom right. */
static const uint32_t quadrant[16] = {
    ' ',    0x2598, 0x259D, 0x2580, 0x2596, 0x258C, 0x259E, 0x259B,
    0x2597, 0x259A, 0x2590, 0x259C, 0x2584, 0x2599, 0x259F, 0x2588,
};

/* ASCII: bit 0 top, 1 middle, 2 bottom. */
static const char ascii_dots[8] = {' ', '\'', '-', '|', '.', ':', '|', '|'};

void
canvas_init(struct canvas *c, struct screen *s, struct rect r, enum canvas_glyphs glyphs)
{
    c->s = s;
    c->r = r;
    c->glyphs = glyphs;
    c->dashed = false;
    switch (glyphs) {
    case CANVAS_BRAILLE:
        c->cw = 2;
        c->ch = 4;
        break;
    case CANVAS_BLOCKS:
        c->cw = 2;
        c->ch = 2;
        break;
    case CANVAS_ASCII:
    default:
        c->cw = 1;
        c->ch = 3;
        break;
    }
    c->dw = r.w > 0 ? r.w * c->cw : 0;
    c->dh = r.h > 0 ? r.h * c->ch : 0;
}

uint32_t
canvas_glyph(enum canvas_glyphs glyphs, unsigned dots)
{
    switch (glyphs) {
    case CANVAS_BRAILLE:
        return dots ? 0x2800 + (dots & 0xFF) : ' ';
    case CANVAS_BLOCKS:
        return quadrant[dots & 15];
    case CANVAS_ASCII:
    default:
        return (unsigned char)ascii_dots[dots & 7];
    }
}

void
canvas_set_dot(struct canvas *c, int x, int y, enum theme_role style)
{
    if (x < 0 || y < 0 || x >= c->dw || y >= c->dh)
        return;
    if (c->dashed && (x / c->cw) % 2 == 1)
        return;
    int cx = x / c->cw, cy = y / c->ch, sx = x % c->cw, sy = y % c->ch;
    struct cell *cell = screen_cell(c->s, c->r.x + cx, c->r.y + cy);
    if (!cell)
        return;
    if (!(cell->flags & SCREEN_CANVAS)) {
        if (cell->ch != ' ')
            return;
        cell->flags |= SCREEN_CANVAS;
        cell->dots = 0;
    }
    unsigned bit;
    switch (c->glyphs) {
    case CANVAS_BRAILLE:
        bit = braille_bit[sy][sx];
        break;
    case CANVAS_BLOCKS:
        bit = 1u << (sy * 2 + sx);
        break;
    case CANVAS_ASCII:
    default:
        bit = 1u << sy;
        break;
    }
    cell->dots = (uint8_t)(cell->dots | bit);
    cell->ch = canvas_glyph(c->glyphs, cell->dots);
    cell->style = (uint8_t)style;
}

void
canvas_line(struct canvas *c, int x0, int y0, int x1, int y1, enum theme_role style)
{
    /* Bresenham, all octants. */
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) {
        canvas_set_dot(c, x0, y0, style);
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

void
canvas_hdash(struct canvas *c, int y, enum theme_role style)
{
    for (int x = 0; x < c->dw; x++)
        if ((x / c->cw) % 2 == 0)
            canvas_set_dot(c, x, y, style);
}
