/*
 * The live view: the event loop that steps the engine within each frame's
 * compute budget, applies keys and mouse edits, keeps the history and
 * draws one frame at a time through the render layer and term.c.
 */
#ifndef OUSCOPE_APP_APP_H
#define OUSCOPE_APP_APP_H

#include "app/cli.h"

/*
 * Run the live view for the options o (the engine is built as for
 * --headless).  max_frames > 0 quits after that many frames (like htop -n);
 * 0 runs until q.  Returns the exit status: 0, 1 on a runtime error, or
 * 128 + the signal number after SIGINT, SIGTERM or SIGHUP.
 */
int app_run(const struct cli_opts *o, long max_frames);

#endif
