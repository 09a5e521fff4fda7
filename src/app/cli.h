/*
 * Command-line options shared by the live view and the headless mode.
 */
#ifndef OUSCOPE_APP_CLI_H
#define OUSCOPE_APP_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "app/compare.h"
#include "ouscope/engine.h"

enum cli_glyphs { CLI_GLYPHS_AUTO = 0, CLI_GLYPHS_BRAILLE, CLI_GLYPHS_BLOCKS, CLI_GLYPHS_ASCII };

/* Bits of cli_opts.set: which options were given explicitly. */
enum {
    CLI_SET_DATA = 1u << 0,
    CLI_SET_N = 1u << 1,
    CLI_SET_WIDTH = 1u << 2,
    CLI_SET_SEED = 1u << 3,
    CLI_SET_ETA = 1u << 4,
    CLI_SET_SIGMA = 1u << 5,
    CLI_SET_BATCH = 1u << 6,
    CLI_SET_NOISE = 1u << 7,
    CLI_SET_MOMENTUM = 1u << 8,
    CLI_SET_FROZEN = 1u << 9,
    CLI_SET_BIAS = 1u << 10,
    CLI_SET_STEPS = 1u << 11,
    CLI_SET_EMA = 1u << 12,
    CLI_SET_MODEL = 1u << 13,
    CLI_SET_FPS = 1u << 14,
    CLI_SET_GLYPHS = 1u << 15,
    CLI_SET_CSV = 1u << 16,
    CLI_SET_EVERY = 1u << 17
};

/* More bits of cli_opts.set: the optimizer and its hyper-parameters. */
enum {
    CLI_SET_OPTIM = 1u << 24,
    CLI_SET_BETA1 = 1u << 25,
    CLI_SET_BETA2 = 1u << 26,
    CLI_SET_RMS_DECAY = 1u << 27,
    CLI_SET_OPT_EPS = 1u << 28,
    CLI_SET_SAM_RHO = 1u << 29
};

struct cli_opts {
    bool headless;
    uint64_t steps;       /* headless: steps to run */
    const char *data;     /* built-in name or file */
    size_t n;             /* points of a built-in set */
    struct ou_config cfg; /* width, bias, seed, eta, sigma, batch, noise, momentum, frozen */
    const char *csv;      /* metrics CSV ("-" = stdout) */
    uint64_t every;       /* a CSV row every K steps */
    const char *save, *load, *export_params;
    double ema;         /* reg EMA time constant, steps */
    bool project;       /* add projected-reg columns */
    bool track;         /* track OU fluctuations (adds the fluctuation columns) */
    uint64_t ou_window; /* their window in steps, 0 = automatic */
    /* live view */
    double fps;
    uint64_t frames; /* quit after this many frames, 0 = run until q */
    bool mouse, color, light;
    enum cli_glyphs glyphs;
    /* recording and scripts (ouscope(1), RECORDING and SCRIPTS) */
    const char *record;          /* asciicast v2 file ("-": standard output, headless only) */
    const char *script;          /* script file (--script or --lesson) */
    const char *dump_screen;     /* write the last frame as text here at exit */
    int size_w, size_h;          /* headless take size, 0 = from the script or 120x40 */
    double script_scale;         /* > 0: multiply the script's step and frame counts by it */
    unsigned hide;               /* status-line fields not shown (enum view_field bits) */
    struct compare_spec compare; /* --compare: B's one difference (COMPARE_NONE: none) */
    unsigned set;
};

/*
 * Parse argv into *o (defaults first).  Returns 0 to run, 1 if --help or
 * --version was printed to out (exit 0), or -1 with *cause set to a
 * message naming the flag and its allowed values (exit 2; caller frees).
 */
int cli_parse(int argc, char **argv, struct cli_opts *o, FILE *out, char **cause);

/*
 * Messages quote what was typed; cli_scrub shows control characters in one
 * (a newline in an argument, an escape sequence) as '?', so that a refusal
 * stays one line and never drives the terminal.  NULL is left alone.
 */
void cli_scrub(char *msg);

/* Check a flag's number: strict, finite, in [lo, hi] (open ends if lo_open/hi_open). */
int cli_number(const char *flag, const char *arg, double lo, bool lo_open, double hi, bool hi_open,
               double *v, char **cause);

/* Check a flag's whole number in [lo, hi]. */
int cli_integer(const char *flag, const char *arg, uint64_t lo, uint64_t hi, uint64_t *v,
                char **cause);

#endif
