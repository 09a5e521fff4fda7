/* Pane frames, legends, footers, packed fields and bars (chrome.h). */
#include "config.h"

#include "chrome.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Left-aligned partial blocks: eighths 1..7 of a cell. */
static const uint32_t chrome_eighth[8] = {' ',    0x258F, 0x258E, 0x258D,
                                          0x258C, 0x258B, 0x258A, 0x2589};

/* Columns a field takes. */
static int
field_width(const struct screen *s, const struct chrome_field *f)
{
    int w = screen_text_width(s, f->value);
    if (f->label && f->label[0])
        w += screen_text_width(s, f->label) + 1;
    return w;
}

void
chrome_fields(struct screen *s, int x, int y, int w, const struct chrome_field *f, int n)
{
    bool keep[32] = {false};
    int used = 0;
    if (n > 32)
        n = 32;
    for (int prio = 0; prio <= 9; prio++)
        for (int i = 0; i < n; i++) {
            if (f[i].prio != prio)
                continue;
            int fw = field_width(s, &f[i]) + (used > 0 ? 2 : 0);
            if (used + fw <= w) {
                keep[i] = true;
                used += fw;
            }
        }
    int col = x;
    bool first = true;
    for (int i = 0; i < n; i++) {
        if (!keep[i])
            continue;
        if (!first)
            col += 2;
        first = false;
        if (f[i].label && f[i].label[0]) {
            col += screen_puts(s, col, y, x + w - col, f[i].label, THEME_DIM);
            col++;
        }
        col += screen_puts(s, col, y, x + w - col, f[i].value, f[i].vstyle);
    }
}

static int
legend_width(const struct screen *s, const struct chrome_legend *it)
{
    int w = screen_text_width(s, it->label) + 2;
    if (it->glyph[0])
        w += screen_text_width(s, it->glyph) + 1;
    return w;
}

void
chrome_frame_titles(struct screen *s, struct rect r, const char *const *titles, int nt,
                    const struct chrome_legend *it, int n)
{
    int avail = r.w - 4, total = 0;
    for (int i = 0; i < n; i++)
        total += legend_width(s, &it[i]);
    const char *title = titles[nt - 1];
    for (int i = 0; i < nt; i++)
        if (titles[i] && screen_text_width(s, titles[i]) + 2 + total <= avail) {
            title = titles[i];
            break;
        }
    int tw = screen_text_width(s, title) + 2;
    screen_box(s, r, title, NULL, THEME_BORDER, THEME_TITLE);
    int k = n;
    while (k > 0 && tw + total > avail)
        total -= legend_width(s, &it[--k]);
    int col = r.x + r.w - 1 - total;
    for (int i = 0; i < k; i++) {
        screen_put(s, col++, r.y, ' ', THEME_DIM);
        if (it[i].glyph[0]) {
            col += screen_puts(s, col, r.y, -1, it[i].glyph, it[i].style);
            screen_put(s, col++, r.y, ' ', THEME_DIM);
            col += screen_puts(s, col, r.y, -1, it[i].label, THEME_DIM);
        } else {
            col += screen_puts(s, col, r.y, -1, it[i].label, it[i].style);
        }
        screen_put(s, col++, r.y, ' ', THEME_DIM);
    }
}

void
chrome_frame(struct screen *s, struct rect r, const char *title, const char *short_title,
             const struct chrome_legend *it, int n)
{
    const char *const t[2] = {title, short_title ? short_title : title};
    chrome_frame_titles(s, r, t, 2, it, n);
}

void
chrome_foot(struct screen *s, struct rect r, const char *section)
{
    char buf[96];
    snprintf(buf, sizeof buf, "ouscope-science(7) %s", section);
    const char *text = buf;
    int w = screen_text_width(s, text);
    if (w + 6 > r.w) {
        text = section;
        w = screen_text_width(s, text);
    }
    if (w + 6 > r.w)
        return;
    int x = r.x + r.w - 3 - w, y = r.y + r.h - 1;
    screen_put(s, x - 1, y, ' ', THEME_DIM);
    screen_puts(s, x, y, w, text, THEME_DIM);
    screen_put(s, x + w, y, ' ', THEME_DIM);
}

void
chrome_hbar(struct screen *s, int x0, int y, int w, double f, enum theme_role style)
{
    if (!(f > 0.0) || w <= 0)
        return;
    long eighths = lround(fmin(f, 1.0) * (double)w * 8.0);
    int full = (int)(eighths / 8), part = (int)(eighths % 8);
    for (int i = 0; i < full; i++)
        screen_put(s, x0 + i, y, s->ascii ? '#' : 0x2588, style);
    if (part > 0 && full < w)
        screen_put(s, x0 + full, y, s->ascii ? (part >= 4 ? '#' : ' ') : chrome_eighth[part],
                   style);
}

int
chrome_puts_fit(struct screen *s, int x, int y, int maxw, const char *text, enum theme_role style)
{
    if (maxw < 0)
        maxw = s->w - x;
    static const char ell[] = "…";
    int ew = screen_text_width(s, ell);
    if (screen_text_width(s, text) <= maxw || maxw <= ew)
        return screen_puts(s, x, y, maxw, text, style);
    /* The longest run of whole characters that leaves room for the ellipsis. */
    const char *p = text;
    int used = 0, keep = 0;
    while (*p) {
        const char *q = p;
        uint32_t c = screen_utf8_decode(&q);
        char one[8];
        size_t len = (size_t)(q - p);
        memcpy(one, p, len < sizeof one - 1 ? len : sizeof one - 1);
        one[len < sizeof one - 1 ? len : sizeof one - 1] = '\0';
        int cw = screen_text_width(s, one);
        if (used + cw > maxw - ew)
            break;
        used += cw;
        if (c != ' ')
            keep = used;
        p = q;
    }
    int col = screen_puts(s, x, y, keep, text, style);
    return col + screen_puts(s, x + col, y, ew, ell, style);
}
