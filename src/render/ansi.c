/*
 * ANSI encoding of screens.  The encoder keeps a copy of what the terminal
 * shows and, like a curses refresh, sends only the cells whose look changed:
 * a cursor move (CUP, or CUF along the row), an SGR when the style differs
 * from the one in effect, then the characters.  Two roles that the palette
 * draws alike count as the same look.  After a write into the last column
 * the cursor position is treated as unknown (terminals differ on the
 * pending-wrap state), so the next write always moves explicitly.
 */
#include "config.h"

#include "ansi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cells skipped by rewriting them rather than moving, when they already have the right style. */
#define ANSI_REWRITE_GAP 3

void
ansi_init(struct ansi *a, const struct theme_style *pal)
{
    memset(a, 0, sizeof *a);
    a->pal = pal;
    a->full = true;
    a->cx = -1;
    a->sgr = -1;
}

void
ansi_fini(struct ansi *a)
{
    free(a->prev);
    free(a->buf);
    a->prev = NULL;
    a->buf = NULL;
    a->cap = a->len = 0;
    a->w = a->h = 0;
}

void
ansi_invalidate(struct ansi *a)
{
    a->full = true;
}

static bool
style_eq(const struct theme_style *p, const struct theme_style *q)
{
    return p->fg == q->fg && p->bg == q->bg && p->attr == q->attr;
}

static const struct theme_style *
look(const struct ansi *a, uint8_t role)
{
    return &a->pal[role < THEME_COUNT ? role : THEME_TEXT];
}

/* The code point a cell may send: printable, a scalar value, else '?'. */
static uint32_t
printable(uint32_t ch)
{
    if (ch < 0x20 || ch == 0x7F || (ch >= 0x80 && ch < 0xA0) || (ch >= 0xD800 && ch < 0xE000) ||
        ch > 0x10FFFF)
        return '?';
    return ch;
}

static bool
same_look(const struct ansi *a, const struct cell *c, const struct cell *p)
{
    return printable(c->ch) == printable(p->ch) && style_eq(look(a, c->style), look(a, p->style));
}

static bool
put(struct ansi *a, const char *s, size_t n)
{
    if (a->len + n > a->cap) {
        size_t cap = a->cap ? a->cap : 4096;
        while (cap < a->len + n)
            cap *= 2;
        char *b = realloc(a->buf, cap);
        if (!b)
            return false;
        a->buf = b;
        a->cap = cap;
    }
    memcpy(a->buf + a->len, s, n);
    a->len += n;
    return true;
}

/* CUP to (x, y), 0-based, or CUF by n when y < 0. */
static bool
put_move(struct ansi *a, int x, int y)
{
    char t[32];
    int n;
    if (y < 0)
        n = x == 1 ? snprintf(t, sizeof t, "\033[C") : snprintf(t, sizeof t, "\033[%dC", x);
    else if (x == 0)
        n = snprintf(t, sizeof t, "\033[%dH", y + 1);
    else
        n = snprintf(t, sizeof t, "\033[%d;%dH", y + 1, x + 1);
    return n > 0 && put(a, t, (size_t)n);
}

/* One colour parameter: 30-37/90-97 (base) or 38;5;N (fg); 40-47/100-107 or 48;5;N (bg). */
static int
color_param(char *t, size_t len, int c, bool bg)
{
    if (c < 0)
        return 0;
    if (c < 8)
        return snprintf(t, len, ";%d", (bg ? 40 : 30) + c);
    if (c < 16)
        return snprintf(t, len, ";%d", (bg ? 100 : 90) + c - 8);
    return snprintf(t, len, ";%d;5;%d", bg ? 48 : 38, c);
}

/* Make role's style the one in effect: a full SGR from a reset, so no state is assumed. */
static bool
set_style(struct ansi *a, uint8_t role)
{
    const struct theme_style *st = look(a, role);
    if (a->sgr >= 0 && style_eq(look(a, (uint8_t)a->sgr), st))
        return true;
    char t[64];
    size_t n = 0;
    n += (size_t)snprintf(t + n, sizeof t - n, "\033[0");
    if (st->attr & THEME_A_BOLD)
        n += (size_t)snprintf(t + n, sizeof t - n, ";1");
    if (st->attr & THEME_A_DIM)
        n += (size_t)snprintf(t + n, sizeof t - n, ";2");
    if (st->attr & THEME_A_UNDERLINE)
        n += (size_t)snprintf(t + n, sizeof t - n, ";4");
    if (st->attr & THEME_A_REVERSE)
        n += (size_t)snprintf(t + n, sizeof t - n, ";7");
    n += (size_t)color_param(t + n, sizeof t - n, st->fg, false);
    n += (size_t)color_param(t + n, sizeof t - n, st->bg, true);
    n += (size_t)snprintf(t + n, sizeof t - n, "m");
    a->sgr = role;
    return put(a, t, n);
}

static bool
put_cell(struct ansi *a, const struct cell *c)
{
    char u[4];
    int n = screen_utf8_encode(printable(c->ch), u);
    if (!set_style(a, c->style) || !put(a, u, (size_t)n))
        return false;
    a->cx++;
    if (a->cx >= a->w)
        a->cx = -1;
    return true;
}

/* Move the cursor to (x, y): nothing, a short rewrite, CUF, or CUP. */
static bool
move_to(struct ansi *a, const struct cell *row, int x, int y)
{
    if (a->cx >= 0 && a->cy == y && a->cx <= x) {
        int gap = x - a->cx;
        if (gap == 0)
            return true;
        bool cheap = gap <= ANSI_REWRITE_GAP && a->sgr >= 0;
        for (int i = a->cx; cheap && i < x; i++)
            cheap = printable(row[i].ch) < 0x80 &&
                    style_eq(look(a, row[i].style), look(a, (uint8_t)a->sgr));
        if (cheap) {
            for (int i = a->cx; i < x; i++)
                if (!put_cell(a, &row[i]))
                    return false;
            return true;
        }
        a->cx = x;
        return put_move(a, gap, -1);
    }
    a->cx = x;
    a->cy = y;
    return put_move(a, x, y);
}

static bool
encode(struct ansi *a, const struct screen *s)
{
    size_t n = (size_t)s->w * (size_t)s->h;
    if (a->full || s->w != a->w || s->h != a->h || !a->prev) {
        struct cell *p = realloc(a->prev, (n ? n : 1) * sizeof *p);
        if (!p)
            return false;
        a->prev = p;
        a->w = s->w;
        a->h = s->h;
        /* A cleared terminal: blanks in the default style. */
        for (size_t i = 0; i < n; i++)
            a->prev[i] = (struct cell){.ch = ' ', .style = THEME_TEXT};
        a->sgr = -1;
        static const char clear[] = "\033[?25l\033[0m\033[H\033[2J";
        if (!put(a, clear, sizeof clear - 1))
            return false;
        a->sgr = THEME_TEXT;
        a->cx = 0;
        a->cy = 0;
        a->full = false;
    }
    for (int y = 0; y < s->h; y++) {
        const struct cell *row = &s->cells[(size_t)y * (size_t)s->w];
        struct cell *prow = &a->prev[(size_t)y * (size_t)s->w];
        for (int x = 0; x < s->w; x++) {
            if (same_look(a, &row[x], &prow[x]))
                continue;
            if (!move_to(a, row, x, y) || !put_cell(a, &row[x]))
                return false;
            prow[x] = row[x];
        }
    }
    return true;
}

bool
ansi_frame(struct ansi *a, const struct screen *s, const char **out, size_t *len)
{
    a->len = 0;
    if (!encode(a, s)) {
        a->full = true;
        a->cx = -1;
        a->sgr = -1;
        *out = NULL;
        *len = 0;
        return false;
    }
    *out = a->buf;
    *len = a->len;
    return true;
}
