/*
 * Layout.  Row 0 is the status line and the last row the hint bar.  The
 * body between them holds the interpolant on the left (a little over half
 * the width) and, on the right, loss, reg and stability stacked in one
 * column so their step axes line up.
 */
#include "config.h"

#include "layout.h"

#include "panes.h"

/* Width of the right column: at least its panes' minimum, else 45%. */
static int
right_width(int w)
{
    int minr = panes_table[PANE_LOSS].min_w;
    int r = w - (w * 55) / 100;
    if (r < minr)
        r = minr;
    if (w - r < panes_table[PANE_INTERP].min_w)
        r = w - panes_table[PANE_INTERP].min_w;
    return r;
}

void
layout_min_size(int *w, int *h)
{
    int rw = panes_table[PANE_LOSS].min_w, rh = 0;
    for (int i = PANE_LOSS; i <= PANE_STAB; i++) {
        if (panes_table[i].min_w > rw)
            rw = panes_table[i].min_w;
        rh += panes_table[i].min_h;
    }
    int bh = panes_table[PANE_INTERP].min_h > rh ? panes_table[PANE_INTERP].min_h : rh;
    *w = panes_table[PANE_INTERP].min_w + rw;
    *h = bh + 2;
}

void
layout_compute(struct layout *l, int w, int h)
{
    l->w = w;
    l->h = h;
    layout_min_size(&l->min_w, &l->min_h);
    l->too_small = w < l->min_w || h < l->min_h;
    for (int i = 0; i < PANE_COUNT; i++)
        l->pane[i] = (struct rect){0, 0, 0, 0};
    l->status = (struct rect){0, 0, w, 1};
    l->hint = (struct rect){0, h - 1, w, 1};
    if (l->too_small)
        return;
    int body = h - 2, rw = right_width(w), lw = w - rw;
    l->pane[PANE_INTERP] = (struct rect){0, 1, lw, body};
    /* Split the right column in three; spare rows go to the lower panes. */
    int base = body / 3, extra = body % 3, y = 1;
    for (int i = PANE_LOSS; i <= PANE_STAB; i++) {
        int k = i - PANE_LOSS;
        int ph = base + (k >= 3 - extra ? 1 : 0);
        l->pane[i] = (struct rect){lw, y, rw, ph};
        y += ph;
    }
}
