/*
 * Style roles and the palettes that colour them: a colour-blind-safe set
 * (Okabe and Ito) for 256 and 16 colours, dark or light backgrounds, and a
 * monochrome set that uses attributes only.  Pure data; term.c turns a
 * palette into curses colour pairs.
 */
#ifndef OUSCOPE_RENDER_THEME_H
#define OUSCOPE_RENDER_THEME_H

#include <stdbool.h>
#include <stdint.h>

/* What a cell shows; the palette decides how that looks. */
enum theme_role {
    THEME_TEXT = 0,
    THEME_DIM,       /* secondary text: labels, units */
    THEME_BOLD,      /* emphasised text: values */
    THEME_BORDER,    /* pane frames */
    THEME_TITLE,     /* pane titles */
    THEME_AXIS,      /* tick labels and axis lines */
    THEME_CURVE,     /* the interpolant h(x) */
    THEME_POINT,     /* training points */
    THEME_GHOST,     /* the linear spline through the data */
    THEME_KINK_UP,   /* kinks where h' increases (convex) */
    THEME_KINK_DOWN, /* kinks where h' decreases (concave) */
    THEME_DRIFT,     /* the predicted drift overlay h + N dh */
    THEME_LOSS,      /* loss history */
    THEME_FLOOR,     /* predicted loss floor */
    THEME_REG,       /* raw reg history */
    THEME_EMA,       /* reg EMA */
    THEME_ETAL,      /* eta * lambda_max */
    THEME_LIMIT,     /* the stability limit 2 */
    THEME_BALANCE,   /* balance mean |log rho| */
    THEME_OK,        /* "running" */
    THEME_WARN,      /* approaching a limit, paused */
    THEME_ERROR,     /* divergence, refusals */
    THEME_HINT,      /* hint bar labels */
    THEME_HINT_KEY,  /* hint bar keys */
    THEME_NOTICE,    /* transient messages */
    THEME_HELP,      /* help overlay text */
    THEME_HELP_KEY,  /* help overlay keys */
    THEME_HELP_HEAD, /* help overlay section heads */
    THEME_CAPTION,   /* a script's caption line */
    THEME_COUNT
};

/* Attribute bits of a style. */
enum {
    THEME_A_BOLD = 1u << 0,
    THEME_A_DIM = 1u << 1,
    THEME_A_REVERSE = 1u << 2,
    THEME_A_UNDERLINE = 1u << 3
};

/* Colour depth of a palette. */
enum theme_depth { THEME_MONO = 0, THEME_16, THEME_256 };

/* How a role looks: colours are xterm indices, -1 the terminal default. */
struct theme_style {
    int16_t fg, bg;
    uint8_t attr;
};

/* The palette for a depth and background: THEME_COUNT styles, static storage. */
const struct theme_style *theme_palette(enum theme_depth depth, bool light);

/* Name of a role ("curve", ...), for tests and debugging. */
const char *theme_role_name(enum theme_role r);

#endif
