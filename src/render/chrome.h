/*
 * What every pane is dressed in: the frame with its title and legend in
 * the top border, the man-page section at the bottom right, lines of
 * label-value fields that drop the least important first, and horizontal
 * bars in eighths of a cell.  Shared by the 1D net's panes and the other
 * settings' panes.
 */
#ifndef OUSCOPE_RENDER_CHROME_H
#define OUSCOPE_RENDER_CHROME_H

#include <stddef.h>

#include "render/layout.h"
#include "render/screen.h"
#include "render/theme.h"

/* One line of the help overlay or one item of the hint bar. */
struct help_entry {
    const char *keys;    /* as shown: "space", "] [" */
    const char *text;    /* what it does (overlay) or a short label (hint bar) */
    const char *section; /* overlay heading; NULL continues the previous one */
};

/* A label: value item of a packed line. */
struct chrome_field {
    const char *label; /* drawn dim before the value; NULL or "" for none */
    char value[112];
    enum theme_role vstyle;
    int prio;    /* 0 is kept longest, 9 dropped first */
    unsigned id; /* the caller's tag (panes.c: the enum view_field bit that hides it) */
};

/*
 * Draw f[0..n) (n <= 32) on row y from column x within w columns, two
 * blanks apart: those of lowest prio first while they fit, shown in their
 * own order.
 */
void chrome_fields(struct screen *s, int x, int y, int w, const struct chrome_field *f, int n);

/* A legend item: a glyph in the series' style (may be "") and a label. */
struct chrome_legend {
    const char *glyph;
    const char *label;
    enum theme_role style;
};

/*
 * A pane frame: the first of titles[0..nt) that fits beside every legend
 * item at the top left (the last title when none does), and the legend
 * right-aligned in the top border, items dropped from the end while they
 * do not fit.
 */
void chrome_frame_titles(struct screen *s, struct rect r, const char *const *titles, int nt,
                         const struct chrome_legend *it, int n);

/* The same with a long title and a short one (NULL: only the long one). */
void chrome_frame(struct screen *s, struct rect r, const char *title, const char *short_title,
                  const struct chrome_legend *it, int n);

/* "ouscope-science(7) SECTION" at the bottom right of r's border (SECTION alone if narrow). */
void chrome_foot(struct screen *s, struct rect r, const char *section);

/*
 * Write text from (x, y) in at most maxw columns, as screen_puts does, but
 * text that does not fit ends in "…" ("..." on an ASCII screen) instead of
 * being cut off silently; the cut falls between whole characters and the
 * blanks before the ellipsis are dropped.  Returns the columns written.
 */
int chrome_puts_fit(struct screen *s, int x, int y, int maxw, const char *text,
                    enum theme_role style);

/* A bar from column x0 rightwards, w columns at fraction 1, filled to fraction f in eighths. */
void chrome_hbar(struct screen *s, int x0, int y, int w, double f, enum theme_role style);

/*
 * The hint bar on row r: a notice (NULL or "" for none) at the left, then
 * hints[0..n) in order, the last two (help and quit) kept at the right end
 * whatever else has to go.  A notice longer than the room left of those
 * two takes the whole row while it shows, and ends in an ellipsis if even
 * that is too short.
 */
void chrome_hints(struct screen *s, struct rect r, const struct help_entry *hints, size_t n,
                  const char *notice, enum theme_role notice_style);

/*
 * The help overlay, centred on the screen, titled `title`: section heads
 * and keys of items[0..n) in as few columns as show every line in full,
 * as high as the screen allows and about even (a single column may take
 * the blank line above the foot rather than spill one line); when no number of columns
 * does, the columns that fit at a readable width are filled to the bottom,
 * texts too long end in an ellipsis, and the last foot line says that keys
 * were left out.  foot[0..nfoot) close the box.
 */
void chrome_help(struct screen *s, const char *title, const struct help_entry *items, size_t n,
                 const char *const *foot, int nfoot);

#endif
