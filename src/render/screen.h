/*
 * The in-memory screen: a grid of cells (a code point, a style role and the
 * canvas dots behind it) that every pane draws into.  It knows nothing about
 * terminals; term.c copies it out, the render tests turn it into text.
 */
#ifndef OUSCOPE_RENDER_SCREEN_H
#define OUSCOPE_RENDER_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "render/theme.h"

/* A rectangle of cells: columns x..x+w-1, rows y..y+h-1. */
struct rect {
    int x, y, w, h;
};

/* Cell flags. */
enum {
    SCREEN_CANVAS = 1u << 0 /* the glyph is made of canvas dots */
};

struct cell {
    uint32_t ch;   /* a Unicode code point of display width 1 */
    uint8_t style; /* enum theme_role */
    uint8_t dots;  /* canvas dot bits, when SCREEN_CANVAS is set */
    uint8_t flags;
};

struct screen {
    int w, h;
    bool ascii;         /* only ASCII may reach the terminal: text is transliterated */
    struct cell *cells; /* h rows of w cells, row-major */
    size_t cap;         /* allocated cells */
};

/* An empty 0x0 screen; no allocation. */
void screen_init(struct screen *s, bool ascii);

/* Free the cells; the screen becomes 0x0. */
void screen_fini(struct screen *s);

/*
 * Make the screen w x h (cleared).  Allocates only when the area grows.
 * Returns false when memory runs out (the screen is then unchanged).
 */
bool screen_resize(struct screen *s, int w, int h);

/* Fill every cell with a blank in style THEME_TEXT. */
void screen_clear(struct screen *s);

/* The cell at (x, y), or NULL outside the screen. */
struct cell *screen_cell(struct screen *s, int x, int y);

/* Put one code point at (x, y); outside the screen it is dropped. */
void screen_put(struct screen *s, int x, int y, uint32_t ch, enum theme_role style);

/* Fill rectangle r with ch in style. */
void screen_fill(struct screen *s, struct rect r, uint32_t ch, enum theme_role style);

/* Change the style of the cells in r, keeping their glyphs. */
void screen_restyle(struct screen *s, struct rect r, enum theme_role style);

/*
 * Write UTF-8 text from (x, y), at most maxw columns (maxw < 0: to the edge).
 * On an ASCII screen, known symbols are spelled out ("η" becomes "eta").
 * Returns the columns written.
 */
int screen_puts(struct screen *s, int x, int y, int maxw, const char *text, enum theme_role style);

/* printf, then screen_puts. */
int screen_printf(struct screen *s, int x, int y, int maxw, enum theme_role style, const char *fmt,
                  ...) __attribute__((format(printf, 6, 7)));

/* Columns that screen_puts would use for text on this screen. */
int screen_text_width(const struct screen *s, const char *text);

/*
 * A box border around r with an optional title at the top left and an
 * optional note at the top right (both may be NULL).
 */
void screen_box(struct screen *s, struct rect r, const char *title, const char *note,
                enum theme_role border, enum theme_role title_style);

/* Rectangle r shrunk by d on every side (w, h never negative). */
struct rect screen_inset(struct rect r, int d);

/*
 * The screen as UTF-8 text, one line per row with trailing blanks removed,
 * into buf[0..len) (NUL-terminated, truncated if too small).  Returns the
 * length the whole text needs, without the NUL.
 */
size_t screen_to_text(const struct screen *s, char *buf, size_t len);

/* Encode code point c as UTF-8 into out (at least 4 bytes); returns the bytes used. */
int screen_utf8_encode(uint32_t c, char *out);

/*
 * Decode one UTF-8 sequence at *p (advancing it); malformed bytes decode
 * as U+FFFD, one byte at a time.
 */
uint32_t screen_utf8_decode(const char **p);

#endif
