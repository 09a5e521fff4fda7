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

/* ---- the hint bar ---- */

static int
hint_width(const struct screen *s, const struct help_entry *e)
{
    return screen_text_width(s, e->keys) + 2 + screen_text_width(s, e->text) + 1;
}

static int
hint_draw(struct screen *s, int col, int row, const struct help_entry *e)
{
    screen_put(s, col++, row, ' ', THEME_HINT_KEY);
    col += screen_puts(s, col, row, -1, e->keys, THEME_HINT_KEY);
    screen_put(s, col++, row, ' ', THEME_HINT_KEY);
    col += screen_puts(s, col, row, -1, e->text, THEME_HINT);
    return col + 1;
}

void
chrome_hints(struct screen *s, struct rect r, const struct help_entry *hints, size_t n,
             const char *notice, enum theme_role notice_style)
{
    int col = r.x, end = r.x + r.w;
    size_t keep = n >= 2 ? 2 : n;
    int tail = 0;
    for (size_t i = n - keep; i < n; i++)
        tail += hint_width(s, &hints[i]);
    if (notice && notice[0]) {
        /* The notice's two blanks and the gap after it come out of its room. */
        int room = end - col - tail - 4;
        if (room < 10 || screen_text_width(s, notice) > room) {
            room = end - col - 2;
            n = 0; /* the notice has the row to itself */
        }
        screen_put(s, col++, r.y, ' ', notice_style);
        col += chrome_puts_fit(s, col, r.y, room, notice, notice_style);
        screen_put(s, col++, r.y, ' ', notice_style);
        col += 2;
    }
    keep = n >= 2 ? 2 : n;
    for (size_t i = 0; i + keep < n; i++) {
        if (col + hint_width(s, &hints[i]) > end - tail)
            break;
        col = hint_draw(s, col, r.y, &hints[i]);
    }
    if (n > 0 && col <= end - tail) {
        col = end - tail;
        for (size_t i = n - keep; i < n; i++)
            col = hint_draw(s, col, r.y, &hints[i]);
    }
}

/* ---- the help overlay ---- */

/* One line of the help overlay: a section head or a key. */
struct help_line {
    const struct help_entry *e;
    bool head;
};

#define HELP_MAX_LINES (2 * 64)
#define HELP_MAX_COLS 4
#define HELP_GAP 3       /* blanks between two columns */
#define HELP_MIN_TEXT 24 /* a column narrower than its keys and this much text is not worth it */

/* A column of the overlay: lines [from, to), the widths of its keys and of its texts. */
struct help_col {
    int from, to, kw, tw;
};

/*
 * Pour lines[0..nl) into columns of at most h lines, a section head never
 * last in a column.  With whole, a section that fits in a column is not
 * split, so that columns start at section heads where they can.  Fills
 * col[0..HELP_MAX_COLS) and returns the columns needed (which may be more
 * than HELP_MAX_COLS: the lines past the last one are then left out).
 */
static int
help_pack(const struct help_line *lines, int nl, int h, bool whole, struct help_col *col)
{
    int nc = 0, used = 0;
    for (int i = 0; i < nl; i++) {
        bool brk = nc == 0 || used >= h;
        if (!brk && lines[i].head) {
            int k = 1;
            while (i + k < nl && !lines[i + k].head)
                k++;
            brk = used + 1 >= h || (whole && k <= h && used + k > h);
        }
        if (brk) {
            if (nc < HELP_MAX_COLS)
                col[nc] = (struct help_col){i, i, 0, 0};
            nc++;
            used = 0;
        }
        if (nc <= HELP_MAX_COLS)
            col[nc - 1].to = i + 1;
        used++;
    }
    return nc;
}

/* Each column's key and text widths (a head counts in full against the text). */
static int
help_widths(const struct screen *s, const struct help_line *lines, struct help_col *col, int nc)
{
    int total = 0;
    for (int c = 0; c < nc; c++) {
        int kw = 0, tw = 0, hw = 0;
        for (int i = col[c].from; i < col[c].to; i++) {
            const struct help_entry *e = lines[i].e;
            if (lines[i].head) {
                int w = screen_text_width(s, e->section);
                hw = w > hw ? w : hw;
                continue;
            }
            int k = screen_text_width(s, e->keys), t = screen_text_width(s, e->text);
            kw = k > kw ? k : kw;
            tw = t > tw ? t : tw;
        }
        if (hw > kw + 2 + tw)
            tw = hw - kw - 2;
        col[c].kw = kw;
        col[c].tw = tw;
        total += kw + 2 + tw + (c > 0 ? HELP_GAP : 0);
    }
    return total;
}

void
chrome_help(struct screen *s, const char *title, const struct help_entry *items, size_t nitems,
            const char *const *foot, int nfoot)
{
    struct help_line lines[HELP_MAX_LINES];
    int nl = 0;
    for (size_t i = 0; i < nitems && nl + 2 <= HELP_MAX_LINES; i++) {
        const struct help_entry *e = &items[i];
        if (e->section)
            lines[nl++] = (struct help_line){e, true};
        lines[nl++] = (struct help_line){e, false};
    }
    /* The box's borders, a blank line and the foot take the rest of the height. */
    int rows_avail = s->h - 2 - nfoot - 1, room = s->w - 4;
    if (rows_avail < 1)
        rows_avail = 1;
    struct help_col col[HELP_MAX_COLS];
    int ncol = 0, total = 0, body = 0;
    /* The fewest columns that hold everything in full, each as short as that allows. */
    for (int nc = 1; nc <= HELP_MAX_COLS && ncol == 0; nc++)
        for (int h = (nl + nc - 1) / nc; h <= rows_avail && ncol == 0; h++) {
            int n = help_pack(lines, nl, h, true, col);
            if (n > nc)
                continue;
            int w = help_widths(s, lines, col, n);
            if (w <= room) {
                ncol = n;
                total = w;
                body = h;
            }
        }
    /* One line short of a single column: the blank line above the foot gives way. */
    int blank = 1;
    struct help_col one[HELP_MAX_COLS];
    if (ncol != 1 && nl == rows_avail + 1 && help_pack(lines, nl, nl, true, one) == 1) {
        int w = help_widths(s, lines, one, 1);
        if (w <= room) {
            col[0] = one[0];
            ncol = 1;
            total = w;
            body = nl;
            blank = 0;
        }
    }
    bool cut = false;
    if (ncol == 0) {
        /* As many readable columns as the width takes, filled to the bottom. */
        int kw = 0;
        for (int i = 0; i < nl; i++)
            if (!lines[i].head) {
                int k = screen_text_width(s, lines[i].e->keys);
                kw = k > kw ? k : kw;
            }
        int nc = (room + HELP_GAP) / (kw + 2 + HELP_MIN_TEXT + HELP_GAP);
        nc = nc < 1 ? 1 : (nc > HELP_MAX_COLS ? HELP_MAX_COLS : nc);
        body = rows_avail;
        int need = help_pack(lines, nl, body, false, col);
        cut = need > nc;
        ncol = need < nc ? need : nc;
        total = help_widths(s, lines, col, ncol);
        /* Narrow the widest texts until the columns fit. */
        while (total > room) {
            int widest = 0;
            for (int c = 1; c < ncol; c++)
                if (col[c].tw > col[widest].tw)
                    widest = c;
            if (col[widest].tw <= 1)
                break;
            col[widest].tw--;
            total--;
        }
    }

    int bw = total + 4;
    for (int i = 0; i < nfoot; i++) {
        int fw = screen_text_width(s, foot[i]) + 4;
        bw = fw > bw ? fw : bw;
    }
    if (bw > s->w || s->w - bw < 4)
        bw = s->w;
    int bh = body + nfoot + 2 + blank;
    if (bh > s->h)
        bh = s->h;
    struct rect box = {(s->w - bw) / 2, (s->h - bh) / 2, bw, bh};
    screen_fill(s, box, ' ', THEME_HELP);
    screen_box(s, box, title, NULL, THEME_HELP_HEAD, THEME_HELP_HEAD);
    int inner = box.w - 4;
    int x = box.x + 2 + (inner > total ? (inner - total) / 2 : 0);
    for (int c = 0; c < ncol; c++) {
        int kw = col[c].kw, cw = kw + 2 + col[c].tw;
        for (int i = col[c].from; i < col[c].to; i++) {
            int y = box.y + 1 + (i - col[c].from);
            const struct help_entry *e = lines[i].e;
            if (lines[i].head) {
                chrome_puts_fit(s, x, y, cw, e->section, THEME_HELP_HEAD);
                continue;
            }
            screen_puts(s, x + kw - screen_text_width(s, e->keys), y, kw, e->keys, THEME_HELP_KEY);
            chrome_puts_fit(s, x + kw + 2, y, col[c].tw, e->text, THEME_HELP);
        }
        x += cw + HELP_GAP;
    }
    int fy = box.y + box.h - 1 - nfoot;
    for (int i = 0; i < nfoot; i++) {
        const char *t = foot[i];
        if (cut && i == nfoot - 1)
            t = "(enlarge the terminal to see every key) any key closes";
        chrome_puts_fit(s, box.x + 2, fy + i, inner, t,
                        i == nfoot - 1 ? THEME_HELP_HEAD : THEME_HELP);
    }
}
