/*
 * The terminal: the only module that includes curses.  It opens and
 * restores the terminal, copies the in-memory screen out with one update
 * per frame, and turns input into events (keys, mouse, resize, signals).
 */
#ifndef OUSCOPE_APP_TERM_H
#define OUSCOPE_APP_TERM_H

#include <stdbool.h>
#include <stdio.h>

#include "render/screen.h"
#include "render/theme.h"

struct term_opts {
    bool color; /* false: monochrome (also when NO_COLOR is set) */
    bool light; /* palette for a light background */
    bool mouse; /* report mouse clicks and drags */
};

/* What the terminal turned out to support. */
struct term_info {
    bool utf8;              /* the locale's codeset is UTF-8 */
    enum theme_depth depth; /* colours in use */
    bool no_color_env;      /* NO_COLOR was set */
};

enum term_event_kind {
    TERM_EV_NONE = 0,
    TERM_EV_KEY,    /* key: a character, 27 for Escape, 12 for Ctrl-L */
    TERM_EV_RESIZE, /* the terminal changed size */
    TERM_EV_MOUSE,  /* x, y, button, mouse */
    TERM_EV_SIGNAL  /* SIGINT, SIGTERM or SIGHUP arrived: key holds its number */
};

enum term_mouse { TERM_MOUSE_PRESS = 0, TERM_MOUSE_MOTION, TERM_MOUSE_RELEASE };

struct term_event {
    enum term_event_kind kind;
    int key;
    int x, y;   /* cell of a mouse event */
    int button; /* 1 left, 3 right (0 for motion without a known button) */
    enum term_mouse mouse;
};

/*
 * Take over the terminal on (in, out): signal handlers first (they only set
 * a flag), standard error redirected to a temporary file until term_close,
 * then curses.  setlocale must have been called.  Returns 0, or -1 with
 * *cause set (caller frees) when there is no usable terminal.
 */
int term_open(const struct term_opts *o, FILE *in, FILE *out, struct term_info *info, char **cause);

/* Give the terminal back and replay what was written to standard error meanwhile. */
void term_close(void);

/* Restore the terminal at once (fatal-error hook); safe to call more than once. */
void term_restore(void);

/*
 * Mouse reports on (term_open does it when asked): left press, release and
 * drag, right press.  Reports in the SGR form are then read by term_wait
 * itself (app/sgrmouse.h).  For harnesses that open curses on their own.
 */
void term_mouse_on(void);

/* Current size in cells. */
void term_size(int *w, int *h);

/* Copy the screen out (only cells that changed) and update the terminal once. */
void term_draw(const struct screen *s);

/* Forget what is on the terminal: the next term_draw repaints everything. */
void term_invalidate(void);

/*
 * Wait up to timeout_ms (< 0: until something happens) for one event.
 * Returns true with *ev filled, false on timeout.  Input that means
 * nothing (a mouse report outside the screen) is an event of kind
 * TERM_EV_NONE; a mouse event's cell is always on the screen.
 */
bool term_wait(int timeout_ms, struct term_event *ev);

/* Seconds on the monotonic clock that term_pump_until's deadline is read on. */
double term_now(void);

/* Handles one input event; false stops the pump (quit, or a layout to redo). */
typedef bool (*term_handler)(void *ctx, const struct term_event *ev);

/*
 * While running: hand events to fn as they come until term_now() reaches
 * deadline or fn returns false.
 */
void term_pump_until(double deadline, term_handler fn, void *ctx);

/*
 * While idle: wait up to ms for an event, then hand it and every event
 * already waiting to fn, until fn returns false.
 */
void term_pump_idle(int ms, term_handler fn, void *ctx);

/* Bytes term_draw has written to the terminal so far (for the benchmark). */
long term_bytes_written(void);

#endif
