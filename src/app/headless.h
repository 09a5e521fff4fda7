/*
 * The headless mode: the same engine, no terminal, metrics as CSV.
 */
#ifndef OUSCOPE_APP_HEADLESS_H
#define OUSCOPE_APP_HEADLESS_H

#include "cli.h"

/*
 * Build (or load) the engine described by o.  Returns it, or NULL with
 * *cause set (caller frees).  Shared with the live view.
 */
struct ou_engine *headless_make_engine(const struct cli_opts *o, char **cause);

/* Run o->steps steps writing CSV rows; returns the process exit status. */
int headless_run(const struct cli_opts *o);

#endif
