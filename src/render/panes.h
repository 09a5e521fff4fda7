/*
 * The panes, the status line, the hint bar and the help overlay, drawn
 * from a read-only snapshot and the view state into the in-memory screen.
 * The panes form a const table { name, min_w, min_h, draw }.  No terminal.
 */
#ifndef OUSCOPE_RENDER_PANES_H
#define OUSCOPE_RENDER_PANES_H

#include <stdbool.h>
#include <stddef.h>

#include "ouscope/engine.h"
#include "ouscope/fluct.h"
#include "render/canvas.h"
#include "render/history.h"
#include "render/layout.h"
#include "render/plot.h"
#include "render/screen.h"

/* One line of the help overlay or one item of the hint bar. */
struct help_entry {
    const char *keys;    /* as shown: "space", "] [" */
    const char *text;    /* what it does (overlay) or a short label (hint bar) */
    const char *section; /* overlay heading; NULL continues the previous one */
};

/* A mark on the history panes' step axis: a kick or a projection. */
struct view_mark {
    double step;
    enum view_mark_kind { MARK_TOP, MARK_TANGENT, MARK_DOWNHILL, MARK_UPHILL, MARK_PROJECT } kind;
};
#define VIEW_MAX_MARKS 32

/* Everything drawn that is not in the snapshot: view toggles and loop state. */
struct view {
    enum canvas_glyphs glyphs;
    bool loss_log, reg_log, step_log; /* log scales */
    bool ghost, kinks, drift;         /* interpolant overlays */
    bool help;                        /* the help overlay is open */
    bool paused;
    const char *speed;  /* target speed label: "max", "1k/s" */
    double sps, fps;    /* measured steps per second and frames per second */
    double sigma_off;   /* > 0: the noise is toggled off and will come back at this sigma */
    uint64_t burst;     /* steps left of a run-N-steps request (0: none) */
    const char *notice; /* transient message for the hint bar, or NULL */
    enum theme_role notice_style;
    const struct history *hist;
    /*
     * The predicted drift per step, dh(x) = -(eta^2 sigma^2 / 4B) grad h(x) .
     * P_T grad reg (ouscope-science(7), DRIFT), on the snapshot's curve grid
     * (ndh == snap->ncurve, else it is not drawn); shown as h + dh_steps dh.
     */
    const double *dh;
    size_t ndh;
    double dh_steps;
    /*
     * The OU pane (ouscope-science(7), OU FLUCTUATIONS): the latest complete
     * window (NULL before the first), the progress of the window being
     * collected, and why there is no analysis (fl_off, e.g. n > 64).
     */
    bool ou_pane; /* the fourth pane shows the OU bars (else the stability history) */
    const struct ou_fluct *fl;
    uint64_t fl_filled, fl_window;
    const char *fl_off;
    double kick_size;
    const struct view_mark *marks; /* oldest first */
    size_t nmarks;
    const struct help_entry *help_items; /* the overlay, from the key table */
    size_t nhelp;
    const struct help_entry *hints; /* the hint bar, from the key table */
    size_t nhints;
};

typedef void (*pane_draw_fn)(struct screen *s, struct rect r, const struct ou_snapshot *snap,
                             const struct view *v);

struct pane {
    const char *name;
    int min_w, min_h;
    pane_draw_fn draw;
};

/* The pane table, indexed by enum pane_id. */
extern const struct pane panes_table[PANE_COUNT];

/*
 * Draw a whole frame: clear s, then the status line, every pane, the hint
 * bar and, if open, the help overlay; or only the too-small message.
 * s must already be lay->w x lay->h.
 */
void panes_draw(struct screen *s, const struct layout *lay, const struct ou_snapshot *snap,
                const struct view *v);

/*
 * The x range and sample count the interpolant pane wants h(x) on: the
 * data's span widened by a tenth on each side, one sample per dot column.
 */
void panes_curve_request(const struct layout *lay, const struct ou_data *d, const struct view *v,
                         struct ou_snapshot_req *req);

/*
 * The interpolant pane's plot geometry for this snapshot (nothing drawn),
 * so that a mouse position maps back to data coordinates with
 * plot_value_at.  False if the pane has no canvas.
 */
bool panes_interp_plot(const struct layout *lay, const struct ou_snapshot *snap,
                       const struct view *v, struct plot *p);

/* Write n with thousands separators ("1,234,567") into buf; returns buf. */
char *panes_group(uint64_t n, char *buf, size_t len);

#endif
