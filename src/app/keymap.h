/*
 * The single key table: every key, the action it triggers, its help text
 * and its hint-bar label.  The help overlay, the hint bar and the KEYS
 * section of ouscope(1) (checked by a test) all come from it.  No curses.
 */
#ifndef OUSCOPE_APP_KEYMAP_H
#define OUSCOPE_APP_KEYMAP_H

#include <stddef.h>

#include "render/panes.h"

enum keymap_action {
    KEYMAP_NONE = 0,
    KEYMAP_PAUSE,
    KEYMAP_STEP,
    KEYMAP_RUN_N,
    KEYMAP_RUN_NN,
    KEYMAP_FASTER,
    KEYMAP_SLOWER,
    KEYMAP_SIGMA_UP,
    KEYMAP_SIGMA_DOWN,
    KEYMAP_NOISE_TOGGLE,
    KEYMAP_NOISE_KIND,
    KEYMAP_FROZEN,
    KEYMAP_ETA_UP,
    KEYMAP_ETA_DOWN,
    KEYMAP_BATCH_UP,
    KEYMAP_BATCH_DOWN,
    KEYMAP_MOMENTUM_UP,
    KEYMAP_MOMENTUM_DOWN,
    KEYMAP_OPTIMIZER,
    KEYMAP_RESET,
    KEYMAP_RESEED,
    KEYMAP_REWIND,
    KEYMAP_DATA,
    KEYMAP_PROJECT,
    KEYMAP_COMMAND,
    KEYMAP_LOSS_LOG,
    KEYMAP_REG_LOG,
    KEYMAP_STEP_LOG,
    KEYMAP_GHOST,
    KEYMAP_KINKS,
    KEYMAP_DRIFT,
    KEYMAP_PROJECT_APPLY,
    KEYMAP_KICK_TOP,
    KEYMAP_KICK_TANGENT,
    KEYMAP_KICK_DOWNHILL,
    KEYMAP_KICK_UPHILL,
    KEYMAP_KICK_BIGGER,
    KEYMAP_KICK_SMALLER,
    KEYMAP_RESCALE_UP,
    KEYMAP_RESCALE_DOWN,
    KEYMAP_OU_PANE,
    KEYMAP_OU_REANCHOR,
    KEYMAP_COMPARE,
    KEYMAP_CLEAR,
    KEYMAP_HELP,
    KEYMAP_REDRAW,
    KEYMAP_QUIT,
    KEYMAP_COUNT
};

/* Steps taken by KEYMAP_RUN_N and KEYMAP_RUN_NN. */
#define KEYMAP_RUN_N_STEPS 1000
#define KEYMAP_RUN_NN_STEPS 100000

struct keymap_entry {
    int key;          /* the character read (12 is Ctrl-L) */
    const char *name; /* as ouscope(1) and the overlay spell it: "space", "]" */
    enum keymap_action action;
    const char *help;    /* one line for the overlay and the man page */
    const char *hint;    /* hint-bar label, or NULL if not on the bar */
    const char *section; /* overlay heading that starts here, or NULL */
};

/* The table and its length. */
const struct keymap_entry *keymap_table(size_t *n);

/* The action bound to key, or KEYMAP_NONE. */
enum keymap_action keymap_lookup(int key);

/* Room for the joined key names of one help line. */
#define KEYMAP_KEYS_MAX 24

/*
 * The help overlay's lines: one per action, the names of the keys bound to
 * it joined ("s ."), into out[0..max).  The joined names are written to
 * keys[i] (caller storage that must outlive out); the other strings are
 * static.  Returns the count.
 */
size_t keymap_help(struct help_entry *out, char keys[][KEYMAP_KEYS_MAX], size_t max);

/*
 * The hint bar's items: keys with a hint, neighbours with the same hint
 * joined ("]/["), in table order.  Storage as for keymap_help.
 */
size_t keymap_hints(struct help_entry *out, char keys[][KEYMAP_KEYS_MAX], size_t max);

#endif
