/*
 * The key table of the other settings' live view (ouscope --setting): each
 * key, its action, its help line and its hint-bar label.  The help overlay
 * and the hint bar come from it, and a test checks that the SETTINGS
 * section of ouscope(1) lists every key.  No curses.
 */
#ifndef OUSCOPE_APP_LABKEYS_H
#define OUSCOPE_APP_LABKEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "render/panes.h"

enum labkeys_action {
    LABKEYS_NONE = 0,
    LABKEYS_PAUSE,
    LABKEYS_STEP,
    LABKEYS_SIGMA_UP,
    LABKEYS_SIGMA_DOWN,
    LABKEYS_NOISE_TOGGLE,
    LABKEYS_NOISE_KIND,
    LABKEYS_ETA_UP,
    LABKEYS_ETA_DOWN,
    LABKEYS_BATCH_UP,
    LABKEYS_BATCH_DOWN,
    LABKEYS_RESET,
    LABKEYS_STEP_LOG,
    LABKEYS_HELP,
    LABKEYS_REDRAW,
    LABKEYS_QUIT
};

struct labkeys_entry {
    int key;          /* the character read (12 is Ctrl-L) */
    const char *name; /* as ouscope(1) and the overlay spell it */
    enum labkeys_action action;
    const char *help;    /* one line for the overlay */
    const char *hint;    /* hint-bar label, or NULL */
    const char *section; /* overlay heading that starts here, or NULL */
};

/* The table and its length. */
const struct labkeys_entry *labkeys_table(size_t *n);

/* The action bound to key, or LABKEYS_NONE. */
enum labkeys_action labkeys_lookup(int key);

/* Room for the joined key names of one hint. */
#define LABKEYS_KEYS_MAX 16

/*
 * The overlay's lines, one per key, into out[0..max) (static strings).
 * Returns the count.
 */
size_t labkeys_help(struct help_entry *out, size_t max);

/*
 * The hint bar's items: keys with a hint, neighbours with the same hint
 * joined ("]/["); the joined names go to keys[i] (caller storage that must
 * outlive out).  Returns the count.
 */
size_t labkeys_hints(struct help_entry *out, char keys[][LABKEYS_KEYS_MAX], size_t max);

/*
 * The notes the keys leave on the hint bar, written into buf[len] (always
 * terminated).  They are here, apart from the loop, so that a test can
 * read them.
 */

/*
 * ] or [ took sigma from `from` to `to` (both >= 0, to > 0): the new value,
 * the step (x2, /2) and what the change does.  The drift along the
 * zero-loss set and the variance of the jitter around it both go as
 * sigma^2, so the note gives (to/from)^2 as "N x stronger" or "N x weaker";
 * from 0 it says the noise is on.
 */
void labkeys_sigma_note(char *buf, size_t len, double from, double to);

/* 0 switched the noise off; `kept` is the sigma that 0 brings back. */
void labkeys_noise_off_note(char *buf, size_t len, double kept);

/*
 * p switched the kind of noise: to parameter noise (param) or back to
 * label noise.  The note says which replaces which (in the 1D view p is
 * another key, the projection).
 */
void labkeys_noise_kind_note(char *buf, size_t len, bool param);

/*
 * A key the table does not bind (key as term.h reports it, 0 for a
 * function key): its name and where the keys are listed.
 */
void labkeys_unbound_note(char *buf, size_t len, int key);

#endif
