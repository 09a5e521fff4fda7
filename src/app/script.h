/*
 * Demo scripts: a small line-based language that drives ouscope by
 * simulation steps, not by the wall clock, so a script plays the same way
 * live and headless.  This module only parses and checks; app.c runs the
 * result.  The grammar is in ouscope(1), SCRIPTS.  No curses.
 */
#ifndef OUSCOPE_APP_SCRIPT_H
#define OUSCOPE_APP_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ouscope/engine.h"

/* Longest caption, marker or title, in bytes of UTF-8. */
#define SCRIPT_TEXT_MAX 200
/* Largest step or frame count a command may name. */
#define SCRIPT_COUNT_MAX 1000000000000ULL
/* Most keys on one "key" line. */
#define SCRIPT_KEYS_MAX 16
/* Steps a "wait until" gives up after when no "within" is given. */
#define SCRIPT_WITHIN_DEFAULT 10000000ULL
/* Steps per frame: the default and the largest. */
#define SCRIPT_SPEED_DEFAULT 100
#define SCRIPT_SPEED_MAX 10000000

enum script_op {
    SCRIPT_SET,         /* knob = value */
    SCRIPT_KEY,         /* keys[0..nkeys) pressed in order */
    SCRIPT_WAIT_STEPS,  /* count more steps */
    SCRIPT_WAIT_FRAMES, /* count more frames */
    SCRIPT_AT_STEP,     /* until the step counter reaches count */
    SCRIPT_WAIT_UNTIL,  /* until metric cmp value, or within more steps */
    SCRIPT_PAUSE,       /* stop stepping */
    SCRIPT_RESUME,      /* step again */
    SCRIPT_CAPTION,     /* show text (NULL: clear) for count steps or frames (0: until replaced) */
    SCRIPT_MARKER,      /* a marker in the recording */
    SCRIPT_SPEED,       /* count steps per frame */
    SCRIPT_END          /* the take ends (the live view quits) */
};

enum script_knob {
    SCRIPT_SIGMA = 0,
    SCRIPT_ETA,
    SCRIPT_BATCH,
    SCRIPT_MOMENTUM,
    SCRIPT_NOISE,  /* value: enum ou_noise_kind */
    SCRIPT_FROZEN, /* value: 0 or 1 */
    SCRIPT_KICK,   /* the kick size */
    SCRIPT_OPTIMIZER, /* value: enum ou_optim_kind */
    SCRIPT_NKNOBS
};

enum script_metric {
    SCRIPT_M_STEP = 0,
    SCRIPT_M_LOSS,
    SCRIPT_M_REG,
    SCRIPT_M_REG_EMA,
    SCRIPT_M_ETA_LAMBDA,
    SCRIPT_M_KINKS,
    SCRIPT_M_BALANCE,
    SCRIPT_M_DIVERGED, /* "wait until diverged": no comparison */
    SCRIPT_NMETRICS
};

enum script_cmp { SCRIPT_LT = 0, SCRIPT_LE, SCRIPT_GT, SCRIPT_GE };

struct script_cmd {
    enum script_op op;
    int line; /* 1-based, for messages */
    enum script_knob knob;
    double value; /* SET, WAIT_UNTIL */
    int keys[SCRIPT_KEYS_MAX];
    size_t nkeys;
    uint64_t count;  /* steps, frames, the step of AT_STEP, a caption's duration, steps per frame */
    uint64_t within; /* WAIT_UNTIL: give up after this many steps */
    bool frames;     /* CAPTION: count is in frames (else steps) */
    enum script_metric metric;
    enum script_cmp cmp;
    char *text; /* CAPTION, MARKER (owned) */
};

/* Bits of script_setup.set: the directives that were given. */
enum {
    SCRIPT_SET_DATA = 1u << 0,
    SCRIPT_SET_N = 1u << 1,
    SCRIPT_SET_WIDTH = 1u << 2,
    SCRIPT_SET_SEED = 1u << 3,
    SCRIPT_SET_MODEL = 1u << 4,
    SCRIPT_SET_BIAS = 1u << 5,
    SCRIPT_SET_SIZE = 1u << 6,
    SCRIPT_SET_FPS = 1u << 7,
    SCRIPT_SET_TITLE = 1u << 8
};

/* Set-up directives, allowed only before the first command. */
struct script_setup {
    unsigned set;
    enum ou_data_kind data;
    size_t n;
    size_t width;
    uint64_t seed;
    enum ou_model_kind_id model;
    bool bias;
    int w, h;   /* size of a headless take */
    double fps; /* frames per second of a headless take */
    char *title;
};

struct script {
    char *name; /* the file name, for messages */
    struct script_setup setup;
    struct script_cmd *cmd;
    size_t ncmd;
};

/* script_load's errors: the file cannot be read, or it is not a valid script. */
enum { SCRIPT_EREAD = -1, SCRIPT_EPARSE = -2 };

/*
 * Parse text[0..len) (the contents of file `name`) into *out (caller frees
 * with script_destroy).  The whole text is checked first: returns -1 with
 * *cause set to "NAME:LINE: what was wrong; what was expected" (caller
 * frees) and *out untouched on the first error.
 */
int script_parse(const char *name, const char *text, size_t len, struct script **out,
                 char **cause);

/*
 * Read and parse file `path` (at most 1 MiB).  Returns 0, SCRIPT_EREAD or
 * SCRIPT_EPARSE, with *cause set as for script_parse.
 */
int script_load(const char *path, struct script **out, char **cause);

/*
 * Multiply every step and frame count by f in (0, 1] (rounded up, at least
 * 1), for checking a script quickly; steps per frame are kept.
 */
void script_scale(struct script *s, double f);

/* Free s; NULL is a no-op. */
void script_destroy(struct script *s);

/* Names as the language spells them: "sigma", "reg_ema", "<=". */
const char *script_knob_name(enum script_knob k);
const char *script_metric_name(enum script_metric m);
const char *script_cmp_name(enum script_cmp c);

/* Whether value v satisfies "v cmp x". */
bool script_compare(double v, enum script_cmp cmp, double x);

#endif
