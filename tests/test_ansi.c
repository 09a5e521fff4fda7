/*
 * The ANSI encoder against a small terminal written here from ECMA-48 and
 * xterm's documentation (CUP, CUF, ED, SGR with 8/16/256 colours, UTF-8,
 * pending wrap at the right margin): every frame, fed to that terminal on
 * top of the previous ones, must leave exactly the screen's characters in
 * the palette's colours.  Unchanged frames cost no bytes.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/ansi.h"
#include "render/screen.h"
#include "render/theme.h"

/* ---- a reference terminal ---- */

struct vcell {
    uint32_t ch;
    int fg, bg; /* -1 default */
    unsigned attr;
};

struct vterm {
    int w, h, x, y;
    bool wrap_pending;
    struct vcell pen;
    struct vcell *g;
    bool cursor_hidden;
    bool coloured; /* an SGR set a colour */
};

static void
vt_init(struct vterm *t, int w, int h)
{
    memset(t, 0, sizeof *t);
    t->w = w;
    t->h = h;
    t->x = t->y = 0;
    t->wrap_pending = false;
    t->pen = (struct vcell){' ', -1, -1, 0};
    t->g = calloc((size_t)w * (size_t)h, sizeof *t->g);
    for (int i = 0; i < w * h; i++)
        t->g[i] = t->pen;
}

static void
vt_sgr(struct vterm *t, const int *p, int n)
{
    if (n == 0)
        t->pen = (struct vcell){' ', -1, -1, 0};
    for (int i = 0; i < n; i++) {
        int v = p[i];
        if (v == 0) {
            t->pen = (struct vcell){' ', -1, -1, 0};
        } else if (v == 1) {
            t->pen.attr |= THEME_A_BOLD;
        } else if (v == 2) {
            t->pen.attr |= THEME_A_DIM;
        } else if (v == 4) {
            t->pen.attr |= THEME_A_UNDERLINE;
        } else if (v == 7) {
            t->pen.attr |= THEME_A_REVERSE;
        } else if (v == 39) {
            t->pen.fg = -1;
        } else if (v == 49) {
            t->pen.bg = -1;
        } else if (v >= 30 && v <= 37) {
            t->pen.fg = v - 30;
            t->coloured = true;
        } else if (v >= 90 && v <= 97) {
            t->pen.fg = v - 90 + 8;
            t->coloured = true;
        } else if (v >= 40 && v <= 47) {
            t->pen.bg = v - 40;
            t->coloured = true;
        } else if (v >= 100 && v <= 107) {
            t->pen.bg = v - 100 + 8;
            t->coloured = true;
        } else if ((v == 38 || v == 48) && i + 2 < n && p[i + 1] == 5) {
            *(v == 38 ? &t->pen.fg : &t->pen.bg) = p[i + 2];
            t->coloured = true;
            i += 2;
        } else {
            cr_assert_fail("unexpected SGR parameter %d", v);
        }
    }
}

static void
vt_put(struct vterm *t, uint32_t ch)
{
    if (t->wrap_pending) {
        t->x = 0;
        t->y++;
        t->wrap_pending = false;
        cr_assert_lt(t->y, t->h, "the encoder made the terminal scroll");
    }
    struct vcell c = t->pen;
    c.ch = ch;
    t->g[t->y * t->w + t->x] = c;
    if (t->x == t->w - 1)
        t->wrap_pending = true;
    else
        t->x++;
}

/* Feed bytes; every sequence must be one this terminal knows. */
static void
vt_feed(struct vterm *t, const char *b, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)b[i];
        if (c == 0x1b) {
            cr_assert(i + 1 < n && b[i + 1] == '[', "ESC not followed by [");
            i += 2;
            bool priv = i < n && b[i] == '?';
            if (priv)
                i++;
            int p[16], np = 0, cur = -1;
            while (i < n && ((b[i] >= '0' && b[i] <= '9') || b[i] == ';')) {
                if (b[i] == ';') {
                    cr_assert_lt(np, 16);
                    p[np++] = cur < 0 ? 0 : cur;
                    cur = -1;
                } else {
                    cur = (cur < 0 ? 0 : cur) * 10 + (b[i] - '0');
                }
                i++;
            }
            if (cur >= 0)
                p[np++] = cur;
            cr_assert_lt(i, n, "a sequence is cut off");
            char fin = b[i++];
            if (priv) {
                cr_assert(fin == 'l' && np == 1 && p[0] == 25, "unexpected private sequence");
                t->cursor_hidden = true;
                continue;
            }
            switch (fin) {
            case 'H':
                t->y = (np > 0 ? p[0] : 1) - 1;
                t->x = (np > 1 ? p[1] : 1) - 1;
                cr_assert(t->x >= 0 && t->x < t->w && t->y >= 0 && t->y < t->h,
                          "CUP outside the screen");
                t->wrap_pending = false;
                break;
            case 'C': {
                int k = np > 0 && p[0] > 0 ? p[0] : 1;
                t->x += k;
                cr_assert_lt(t->x, t->w, "CUF past the right margin");
                t->wrap_pending = false;
                break;
            }
            case 'J':
                cr_assert(np == 1 && p[0] == 2, "only ED 2 is expected");
                for (int k = 0; k < t->w * t->h; k++)
                    t->g[k] = (struct vcell){' ', -1, t->pen.bg, 0};
                break;
            case 'm':
                vt_sgr(t, p, np);
                break;
            default:
                cr_assert_fail("unexpected final byte %c", fin);
            }
            continue;
        }
        cr_assert(c >= 0x20 && c != 0x7f, "a control byte 0x%02x", c);
        uint32_t cp = c;
        int more = 0;
        if (c >= 0xF0)
            cp = c & 0x07, more = 3;
        else if (c >= 0xE0)
            cp = c & 0x0F, more = 2;
        else if (c >= 0xC0)
            cp = c & 0x1F, more = 1;
        else
            cr_assert_lt(c, 0x80, "a stray continuation byte");
        cr_assert_lt(i + (size_t)more, n, "a UTF-8 sequence is cut off");
        for (int k = 1; k <= more; k++)
            cp = (cp << 6) | ((unsigned char)b[i + (size_t)k] & 0x3F);
        i += (size_t)more + 1;
        vt_put(t, cp);
    }
}

/* The terminal shows exactly the screen, in the palette's colours. */
static void
vt_expect(const struct vterm *t, const struct screen *s, const struct theme_style *pal)
{
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            const struct cell *c = &s->cells[y * s->w + x];
            const struct vcell *v = &t->g[y * t->w + x];
            const struct theme_style *st = &pal[c->style];
            cr_assert_eq(v->ch, c->ch, "(%d,%d): U+%04X shown, U+%04X drawn", x, y, v->ch, c->ch);
            cr_assert_eq(v->fg, st->fg, "(%d,%d): fg %d, want %d", x, y, v->fg, st->fg);
            cr_assert_eq(v->bg, st->bg, "(%d,%d): bg %d, want %d", x, y, v->bg, st->bg);
            cr_assert_eq(v->attr, st->attr, "(%d,%d): attributes", x, y);
        }
}

/* ---- screens to encode ---- */

static uint64_t rng_state = 88172645463325252ULL;

static uint32_t
rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

static const uint32_t glyphs[] = {' ', 'a', 'Z', '0', '|', 0x2580, 0x2584, 0x2588, 0x28FF,
                                  0x03B7, 0x256D, 0x1D70D, '~'};

static void
random_cell(struct screen *s, int x, int y)
{
    screen_put(s, x, y, glyphs[rnd(sizeof glyphs / sizeof glyphs[0])],
               (enum theme_role)rnd(THEME_COUNT));
}

static void
encode_and_check(struct ansi *a, struct vterm *t, const struct screen *s,
                 const struct theme_style *pal, size_t *bytes)
{
    const char *out;
    size_t len;
    cr_assert(ansi_frame(a, s, &out, &len));
    vt_feed(t, out, len);
    vt_expect(t, s, pal);
    if (bytes)
        *bytes = len;
}

Test(ansi, first_frame_paints_every_cell_in_its_colours)
{
    const enum theme_depth depths[] = {THEME_256, THEME_16, THEME_MONO};
    for (int d = 0; d < 3; d++)
        for (int light = 0; light < 2; light++) {
            const struct theme_style *pal = theme_palette(depths[d], light);
            struct screen s;
            screen_init(&s, false);
            cr_assert(screen_resize(&s, 37, 11));
            for (int y = 0; y < s.h; y++)
                for (int x = 0; x < s.w; x++)
                    random_cell(&s, x, y);
            struct ansi a;
            ansi_init(&a, pal);
            struct vterm t;
            vt_init(&t, 37, 11);
            /* A terminal with leftovers: the first frame must clear them. */
            for (int k = 0; k < 37 * 11; k++)
                t.g[k] = (struct vcell){'#', 3, 4, THEME_A_BOLD};
            encode_and_check(&a, &t, &s, pal, NULL);
            cr_expect(t.cursor_hidden, "the first frame hides the cursor");
            ansi_fini(&a);
            screen_fini(&s);
            free(t.g);
        }
}

Test(ansi, later_frames_are_diffs_that_keep_the_terminal_exact)
{
    const struct theme_style *pal = theme_palette(THEME_256, false);
    struct screen s;
    screen_init(&s, false);
    cr_assert(screen_resize(&s, 80, 24));
    struct ansi a;
    ansi_init(&a, pal);
    struct vterm t;
    vt_init(&t, 80, 24);
    size_t first, later;
    encode_and_check(&a, &t, &s, pal, &first);
    for (int frame = 0; frame < 200; frame++) {
        /* A few cells, a run along a row, sometimes the last column or the corner. */
        int k = (int)rnd(6);
        for (int i = 0; i < k; i++)
            random_cell(&s, (int)rnd(80), (int)rnd(24));
        int y = (int)rnd(24), x0 = (int)rnd(80), len = (int)rnd(12);
        for (int x = x0; x < x0 + len && x < 80; x++)
            random_cell(&s, x, y);
        if (frame % 7 == 0)
            random_cell(&s, 79, (int)rnd(24));
        if (frame % 11 == 0)
            random_cell(&s, 79, 23);
        encode_and_check(&a, &t, &s, pal, &later);
        cr_assert_lt(later, 48 * (size_t)(k + len + 3),
                     "frame %d: %zu bytes for a handful of changed cells", frame, later);
    }
    ansi_fini(&a);
    screen_fini(&s);
    free(t.g);
}

Test(ansi, an_unchanged_frame_costs_nothing_and_invalidate_repaints)
{
    const struct theme_style *pal = theme_palette(THEME_256, false);
    struct screen s;
    screen_init(&s, false);
    cr_assert(screen_resize(&s, 40, 10));
    screen_puts(&s, 2, 3, -1, "η·λ_max 1.62", THEME_WARN);
    struct ansi a;
    ansi_init(&a, pal);
    struct vterm t;
    vt_init(&t, 40, 10);
    size_t n;
    encode_and_check(&a, &t, &s, pal, &n);
    cr_expect_gt(n, 0);
    encode_and_check(&a, &t, &s, pal, &n);
    cr_expect_eq(n, 0, "%zu bytes for an unchanged frame", n);
    /* Two roles the palette draws alike need no rewrite. */
    screen_restyle(&s, (struct rect){0, 0, 40, 1}, THEME_HINT);
    encode_and_check(&a, &t, &s, pal, &n);
    cr_expect_eq(n, 0, "restyling blanks to a look-alike role cost %zu bytes", n);
    ansi_invalidate(&a);
    const char *out;
    cr_assert(ansi_frame(&a, &s, &out, &n));
    cr_expect(n > 4 && memcmp(out, "\033[?25l", 6) == 0, "invalidate: a full repaint");
    struct vterm t2;
    vt_init(&t2, 40, 10);
    vt_feed(&t2, out, n);
    vt_expect(&t2, &s, pal);
    ansi_fini(&a);
    screen_fini(&s);
    free(t.g);
    free(t2.g);
}

Test(ansi, a_new_size_repaints_everything)
{
    const struct theme_style *pal = theme_palette(THEME_16, true);
    struct screen s;
    screen_init(&s, false);
    cr_assert(screen_resize(&s, 30, 8));
    screen_puts(&s, 0, 0, -1, "before", THEME_TITLE);
    struct ansi a;
    ansi_init(&a, pal);
    struct vterm t;
    vt_init(&t, 30, 8);
    encode_and_check(&a, &t, &s, pal, NULL);
    free(t.g);
    cr_assert(screen_resize(&s, 50, 12));
    screen_puts(&s, 10, 11, -1, "after ▄█", THEME_CURVE);
    vt_init(&t, 50, 12);
    encode_and_check(&a, &t, &s, pal, NULL);
    ansi_fini(&a);
    screen_fini(&s);
    free(t.g);
}

Test(ansi, monochrome_sends_no_colours_and_an_ascii_screen_sends_ascii)
{
    const struct theme_style *pal = theme_palette(THEME_MONO, false);
    struct screen s;
    screen_init(&s, true);
    cr_assert(screen_resize(&s, 40, 6));
    screen_puts(&s, 1, 1, -1, "σ = 0.5, η·λ_max ≥ 2", THEME_ERROR);
    screen_put(&s, 5, 4, 0x2588, THEME_CURVE);
    struct ansi a;
    ansi_init(&a, pal);
    const char *out;
    size_t n;
    cr_assert(ansi_frame(&a, &s, &out, &n));
    for (size_t i = 0; i < n; i++)
        cr_assert_lt((unsigned char)out[i], 0x80, "a non-ASCII byte at %zu", i);
    struct vterm t;
    vt_init(&t, 40, 6);
    vt_feed(&t, out, n);
    cr_expect_not(t.coloured, "a colour in monochrome");
    vt_expect(&t, &s, pal);
    ansi_fini(&a);
    screen_fini(&s);
    free(t.g);
}

Test(ansi, control_characters_never_reach_the_terminal)
{
    const struct theme_style *pal = theme_palette(THEME_256, false);
    struct screen s;
    screen_init(&s, false);
    cr_assert(screen_resize(&s, 20, 3));
    s.cells[3].ch = 0x1b;
    s.cells[4].ch = '\n';
    s.cells[5].ch = 0x9b;
    s.cells[6].ch = 0xD800;
    struct ansi a;
    ansi_init(&a, pal);
    const char *out;
    size_t n;
    cr_assert(ansi_frame(&a, &s, &out, &n));
    /* Only the encoder's own ESC sequences: every ESC starts a CSI it knows. */
    struct vterm t;
    vt_init(&t, 20, 3);
    vt_feed(&t, out, n);
    for (int i = 3; i <= 6; i++)
        cr_expect_eq(t.g[i].ch, '?', "cell %d shows U+%04X", i, t.g[i].ch);
    ansi_fini(&a);
    screen_fini(&s);
    free(t.g);
}
