/*
 * The live view: the event loop that steps the engine within each frame's
 * compute budget, applies keys, mouse edits and script commands, keeps the
 * history and draws one frame at a time through the render layer and
 * term.c, or into a recording when there is no terminal.
 */
#ifndef OUSCOPE_APP_APP_H
#define OUSCOPE_APP_APP_H

#include <stdbool.h>

#include "app/cli.h"
#include "app/term.h"

struct app;

/*
 * Run everything but the plain headless CSV mode: the live view, the live
 * view recorded (through a pty, relay.h), or a headless take (--headless
 * with --script or --record), with the script of o->script if any.
 * Returns the exit status: 0; 1 on a runtime error (a file, no terminal, a
 * script command that cannot be carried out); 2 for an invalid script; or
 * 128 + the signal number after SIGINT, SIGTERM or SIGHUP.
 */
int app_main(const struct cli_opts *o);

/*
 * A probe of the live view for tests and fuzzing: the run o describes (o
 * must outlive it) on a w x h in-memory screen, with no terminal and no
 * recording, fed input events one at a time.  NULL with *cause set (caller
 * frees) when the run cannot be set up.
 */
struct app *app_probe_create(const struct cli_opts *o, int w, int h, char **cause);

/*
 * Handle ev as the live loop would (projections, p and P, stop after a few
 * hundred descent steps, converged or not).  False once the view wants to
 * quit.
 */
bool app_probe_event(struct app *a, const struct term_event *ev);

/* One frame: up to 50 steps unless paused, a snapshot, the drawing (encoded as for a take). */
void app_probe_frame(struct app *a);

/* The terminal became w x h: a resize event, then a frame. */
bool app_probe_resize(struct app *a, int w, int h);

/* Free the probe and its engines; NULL is a no-op. */
void app_probe_destroy(struct app *a);

#endif
