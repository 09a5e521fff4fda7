/*
 * The in-memory screen.  Text is UTF-8; every code point written is assumed
 * to be one column wide (the program writes only such symbols).  On an
 * ASCII screen the symbols are spelled out from a small table, so one
 * string serves both kinds of terminal.  No terminal code here.
 */
#include "config.h"

#include "screen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
screen_init(struct screen *s, bool ascii)
{
    memset(s, 0, sizeof *s);
    s->ascii = ascii;
}

void
screen_fini(struct screen *s)
{
    free(s->cells);
    s->cells = NULL;
    s->w = s->h = 0;
    s->cap = 0;
}

bool
screen_resize(struct screen *s, int w, int h)
{
    if (w < 0)
        w = 0;
    if (h < 0)
        h = 0;
    size_t need = (size_t)w * (size_t)h;
    if (need > s->cap) {
        struct cell *c = realloc(s->cells, need * sizeof *c);
        if (!c)
            return false;
        s->cells = c;
        s->cap = need;
    }
    s->w = w;
    s->h = h;
    screen_clear(s);
    return true;
}

void
screen_clear(struct screen *s)
{
    size_t n = (size_t)s->w * (size_t)s->h;
    for (size_t i = 0; i < n; i++)
        s->cells[i] = (struct cell){.ch = ' ', .style = THEME_TEXT};
}

struct cell *
screen_cell(struct screen *s, int x, int y)
{
    if (x < 0 || y < 0 || x >= s->w || y >= s->h)
        return NULL;
    return &s->cells[(size_t)y * (size_t)s->w + (size_t)x];
}

void
screen_put(struct screen *s, int x, int y, uint32_t ch, enum theme_role style)
{
    struct cell *c = screen_cell(s, x, y);
    if (!c)
        return;
    if (s->ascii && ch >= 0x80)
        ch = '?';
    *c = (struct cell){.ch = ch, .style = (uint8_t)style};
}

void
screen_fill(struct screen *s, struct rect r, uint32_t ch, enum theme_role style)
{
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            screen_put(s, x, y, ch, style);
}

void
screen_restyle(struct screen *s, struct rect r, enum theme_role style)
{
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++) {
            struct cell *c = screen_cell(s, x, y);
            if (c)
                c->style = (uint8_t)style;
        }
}

int
screen_utf8_encode(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

uint32_t
screen_utf8_decode(const char **p)
{
    const unsigned char *u = (const unsigned char *)*p;
    uint32_t c = u[0];
    int n = 0;
    if (c < 0x80) {
        *p += 1;
        return c;
    }
    if ((c & 0xE0) == 0xC0) {
        n = 1;
        c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 2;
        c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 3;
        c &= 0x07;
    } else {
        *p += 1;
        return 0xFFFD;
    }
    for (int i = 1; i <= n; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *p += 1;
            return 0xFFFD;
        }
        c = (c << 6) | (u[i] & 0x3F);
    }
    *p += n + 1;
    return c;
}

/* ASCII spellings of the symbols the program writes. */
static const struct {
    uint32_t cp;
    const char *ascii;
} translit[] = {
    {0x03B7, "eta"}, {0x03C3, "sigma"}, {0x03BB, "lambda"}, {0x03B8, "theta"}, {0x03C1, "rho"},
    {0x03B4, "d"},   {0x03BC, "mu"},    {0x03C4, "tau"},    {0x00B7, "*"},     {0x00B2, "^2"},
    {0x00D7, "x"},   {0x00F7, "/"},     {0x2264, "<="},     {0x2265, ">="},    {0x2192, "->"},
    {0x2190, "<-"},  {0x2191, "^"},     {0x2193, "v"},      {0x2026, "..."},   {0x2014, "-"},
    {0x2013, "-"},   {0x2032, "'"},     {0x2212, "-"},      {0x25CF, "o"},     {0x2501, "-"},
    {0x2504, ".."},  {0x2500, "-"},     {0x2502, "|"},      {0x25B2, "^"},     {0x25BC, "v"},
    {0x2260, "!="},  {0x2248, "~"},     {0x27E8, "<"},      {0x27E9, ">"},     {0x2016, "||"},
    {0x2219, "."},   {0x2022, "*"},     {0x2227, "^"},      {0x2080, "0"},     {0x2081, "1"},
    {0x2082, "2"},   {0x2099, "n"},     {0x221E, "inf"},    {0x2202, "d"},     {0x2207, "grad "},
    {0x2211, "sum"}, {0x00B1, "+-"},    {0x2423, "_"},      {0x2195, "|"},     {0x21C4, "<>"},
    {0x00B0, "o"},
};

static const char *
ascii_of(uint32_t cp)
{
    for (size_t i = 0; i < sizeof translit / sizeof translit[0]; i++)
        if (translit[i].cp == cp)
            return translit[i].ascii;
    return "?";
}

int
screen_text_width(const struct screen *s, const char *text)
{
    int w = 0;
    const char *p = text;
    while (*p) {
        uint32_t c = screen_utf8_decode(&p);
        w += (s->ascii && c >= 0x80) ? (int)strlen(ascii_of(c)) : 1;
    }
    return w;
}

int
screen_puts(struct screen *s, int x, int y, int maxw, const char *text, enum theme_role style)
{
    if (maxw < 0)
        maxw = s->w - x;
    int col = 0;
    const char *p = text;
    while (*p && col < maxw) {
        uint32_t c = screen_utf8_decode(&p);
        if (c == '\n' || c == '\t')
            c = ' ';
        if (s->ascii && c >= 0x80) {
            for (const char *a = ascii_of(c); *a && col < maxw; a++, col++)
                screen_put(s, x + col, y, (unsigned char)*a, style);
        } else {
            screen_put(s, x + col, y, c, style);
            col++;
        }
    }
    return col;
}

int
screen_printf(struct screen *s, int x, int y, int maxw, enum theme_role style, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return screen_puts(s, x, y, maxw, buf, style);
}

struct rect
screen_inset(struct rect r, int d)
{
    r.x += d;
    r.y += d;
    r.w -= 2 * d;
    r.h -= 2 * d;
    if (r.w < 0)
        r.w = 0;
    if (r.h < 0)
        r.h = 0;
    return r;
}

void
screen_box(struct screen *s, struct rect r, const char *title, const char *note,
           enum theme_role border, enum theme_role title_style)
{
    if (r.w < 2 || r.h < 2)
        return;
    uint32_t h = 0x2500, v = 0x2502, tl = 0x256D, tr = 0x256E, bl = 0x2570, br = 0x256F;
    if (s->ascii) {
        h = '-';
        v = '|';
        tl = tr = bl = br = '+';
    }
    int x1 = r.x + r.w - 1, y1 = r.y + r.h - 1;
    for (int x = r.x + 1; x < x1; x++) {
        screen_put(s, x, r.y, h, border);
        screen_put(s, x, y1, h, border);
    }
    for (int y = r.y + 1; y < y1; y++) {
        screen_put(s, r.x, y, v, border);
        screen_put(s, x1, y, v, border);
    }
    screen_put(s, r.x, r.y, tl, border);
    screen_put(s, x1, r.y, tr, border);
    screen_put(s, r.x, y1, bl, border);
    screen_put(s, x1, y1, br, border);
    /* Title at the left, note at the right, each padded by one blank. */
    int room = r.w - 4, used = 0;
    if (title && room > 2) {
        screen_put(s, r.x + 1, r.y, ' ', title_style);
        used = screen_puts(s, r.x + 2, r.y, room - 2, title, title_style);
        screen_put(s, r.x + 2 + used, r.y, ' ', title_style);
        used += 3;
    }
    if (note) {
        int nw = screen_text_width(s, note);
        if (nw + 2 <= room - used) {
            int nx = x1 - 2 - nw;
            screen_put(s, nx - 1, r.y, ' ', THEME_DIM);
            screen_puts(s, nx, r.y, nw, note, THEME_DIM);
            screen_put(s, nx + nw, r.y, ' ', THEME_DIM);
        }
    }
}

size_t
screen_to_text(const struct screen *s, char *buf, size_t len)
{
    size_t k = 0;
    for (int y = 0; y < s->h; y++) {
        const struct cell *row = &s->cells[(size_t)y * (size_t)s->w];
        int end = s->w;
        while (end > 0 && row[end - 1].ch == ' ')
            end--;
        for (int x = 0; x < end; x++) {
            char u[4];
            int n = screen_utf8_encode(row[x].ch, u);
            for (int i = 0; i < n; i++, k++)
                if (k + 1 < len)
                    buf[k] = u[i];
        }
        if (k + 1 < len)
            buf[k] = '\n';
        k++;
    }
    if (len > 0)
        buf[k < len ? k : len - 1] = '\0';
    return k;
}
