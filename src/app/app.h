/*
 * The live view: the event loop that steps the engine within each frame's
 * compute budget, applies keys, mouse edits and script commands, keeps the
 * history and draws one frame at a time through the render layer and
 * term.c, or into a recording when there is no terminal.
 */
#ifndef OUSCOPE_APP_APP_H
#define OUSCOPE_APP_APP_H

#include "app/cli.h"

/*
 * Run everything but the plain headless CSV mode: the live view, the live
 * view recorded (through a pty, relay.h), or a headless take (--headless
 * with --script or --record), with the script of o->script if any.
 * Returns the exit status: 0; 1 on a runtime error (a file, no terminal, a
 * script command that cannot be carried out); 2 for an invalid script; or
 * 128 + the signal number after SIGINT, SIGTERM or SIGHUP.
 */
int app_main(const struct cli_opts *o);

#endif
