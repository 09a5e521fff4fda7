/*
 * Where everything goes: the status line, the hint bar and the pane
 * rectangles, computed from the terminal size only (at start and on
 * resize, never per frame).  Pure arithmetic on the pane table's minimums.
 */
#ifndef OUSCOPE_RENDER_LAYOUT_H
#define OUSCOPE_RENDER_LAYOUT_H

#include <stdbool.h>

#include "render/screen.h"

enum pane_id { PANE_INTERP = 0, PANE_LOSS, PANE_REG, PANE_STAB, PANE_COUNT };

struct layout {
    int w, h;
    bool too_small; /* below layout_min_size: only a message is drawn */
    int min_w, min_h;
    struct rect status, hint;
    struct rect pane[PANE_COUNT];
};

/*
 * Fill *l for a w x h terminal: the interpolant on the left over the whole
 * body, the three history panes stacked on the right so they share one
 * step axis.
 */
void layout_compute(struct layout *l, int w, int h);

/* The smallest terminal the panes fit in. */
void layout_min_size(int *w, int *h);

#endif
