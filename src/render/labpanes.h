/*
 * The live view of the other settings (ouscope-science(7), OTHER
 * SETTINGS): a main pane for the kind (sensing heat maps and eigenvalues,
 * sigmoid unit bars, sparse weights, ridge coefficients), the loss, reg
 * and headline-number histories, a status line and a hint bar, drawn from
 * a read-only lab snapshot into the in-memory screen.  No terminal.
 */
#ifndef OUSCOPE_RENDER_LABPANES_H
#define OUSCOPE_RENDER_LABPANES_H

#include <stdbool.h>
#include <stddef.h>

#include "ouscope/lab.h"
#include "render/canvas.h"
#include "render/history.h"
#include "render/panes.h"
#include "render/screen.h"

/*
 * The lab's series in the slots of struct history (its decimation is
 * generic: step-weighted means of whatever the slots hold).  HEAD is the
 * kind's headline number (err; for the sigmoid net the count of
 * unsaturated units), HEAD2 a second one (ridge: the ridge solution's test
 * error; NaN for the others).
 */
enum {
    LAB_HIST_LOSS = HIST_LOSS,
    LAB_HIST_REG = HIST_REG,
    LAB_HIST_HEAD = HIST_ETAL,
    LAB_HIST_HEAD2 = HIST_BALANCE
};

/* The smallest terminal the lab view fits in. */
#define LABPANES_MIN_W 80
#define LABPANES_MIN_H 24

struct lab_layout {
    int w, h;
    bool too_small; /* below LABPANES_MIN_W x LABPANES_MIN_H: only a message is drawn */
    int min_w, min_h;
    struct rect status, hint;
    struct rect main;            /* the kind's view, on the left */
    struct rect loss, reg, head; /* the histories, stacked on the right */
};

/* Everything drawn that is not in the snapshot. */
struct lab_view {
    enum canvas_glyphs glyphs;
    bool help; /* the help overlay is open */
    bool paused;
    bool step_log;      /* the history panes' step axis is logarithmic */
    double sigma_off;   /* > 0: the noise is off and comes back at this sigma */
    double sps;         /* measured steps per second */
    const char *notice; /* transient message for the hint bar, or NULL */
    enum theme_role notice_style;
    const struct history *hist; /* LAB_HIST_* series, step as x (may be NULL) */
    const struct help_entry *help_items;
    size_t nhelp;
    const struct help_entry *hints;
    size_t nhints;
};

/* Fill *l for a w x h terminal (at start and on resize only). */
void labpanes_layout(struct lab_layout *l, int w, int h);

/*
 * The values one frame adds to the history, y[HIST_NSERIES]: the mean
 * loss and reg over the frame's steps (the snapshot's values when it took
 * none), the headline numbers, and NaN in the slots the lab does not use.
 */
void labpanes_hist_values(const struct ou_lab_snapshot *snap, double y[HIST_NSERIES]);

/*
 * Draw a whole frame: clear s, then the status line, the four panes, the
 * hint bar and, if open, the help overlay; or only the too-small message
 * with the size needed and the size available.  s must be lay->w x lay->h.
 */
void labpanes_draw(struct screen *s, const struct lab_layout *lay,
                   const struct ou_lab_snapshot *snap, const struct lab_view *v);

#endif
