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
#include "render/chrome.h"
#include "render/history.h"
#include "render/layout.h"
#include "render/plot.h"
#include "render/screen.h"

/* A mark on the history panes' step axis: a kick or a projection. */
struct view_mark {
    double step;
    enum view_mark_kind {
        MARK_TOP,
        MARK_TANGENT,
        MARK_DOWNHILL,
        MARK_UPHILL,
        MARK_PROJECT,
        MARK_RESCALE
    } kind;
};
#define VIEW_MAX_MARKS 32

/* Status-line fields that --hide can leave out (bits of view.hide). */
enum view_field {
    VIEW_FIELD_STATE = 1u << 0,      /* running / PAUSED (a divergence is always shown) */
    VIEW_FIELD_STEP = 1u << 1,       /* step */
    VIEW_FIELD_ETA = 1u << 2,        /* η */
    VIEW_FIELD_SIGMA = 1u << 3,      /* σ */
    VIEW_FIELD_NOISE = 1u << 4,      /* noise kind, fresh or frozen */
    VIEW_FIELD_BATCH = 1u << 5,      /* B */
    VIEW_FIELD_MOMENTUM = 1u << 6,   /* μ */
    VIEW_FIELD_ETA_LAMBDA = 1u << 7, /* η·λ_max */
    VIEW_FIELD_SPEED = 1u << 8,      /* steps/s */
    VIEW_FIELD_FPS = 1u << 9,        /* fps */
    VIEW_FIELD_SEED = 1u << 10,      /* seed */
    VIEW_FIELD_DATA = 1u << 11,      /* data and n */
    VIEW_FIELD_WIDTH = 1u << 12,     /* m */
    VIEW_FIELD_HINTS = 1u << 13      /* the key hints of the bottom line (notices stay) */
};

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
    bool ou_pane;   /* the fourth pane shows the OU bars (else the stability history) */
    bool regs_pane; /* ... unless it shows the implicit regularizers (before ou_pane) */
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
    unsigned hide; /* enum view_field bits: status fields left out */
    /*
     * The A/B comparison, off while snap_b is NULL: B's snapshot and
     * history, the difference as the status line shows it ("σ 0.5 | 0")
     * and each side's legend label ("A σ=0.5", "B σ=0").  The interpolant
     * and the loss and reg panes draw B beside A; the fourth pane and the
     * rest of the status line stay about A.
     */
    const struct ou_snapshot *snap_b;
    const struct history *hist_b;
    const char *ab_diff, *ab_label_a, *ab_label_b;
    const char *caption; /* a script's caption for the class, shown on the bottom line, or NULL */
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
