/*
 * The one-line command that starts a run with a given engine's set-up and
 * knobs (the C key): what a teacher writes on the board so the class can
 * reproduce the run.  No curses, no output of its own.
 */
#ifndef OUSCOPE_APP_CMDLINE_H
#define OUSCOPE_APP_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/cli.h"
#include "ouscope/engine.h"

/*
 * Write into buf[0..len) (NUL-terminated, cut if too small) "ouscope" and
 * the flags that start a run like e: the data (a built-in set with its n,
 * or the file o->data), model, width, seed and bias (or --load as in o),
 * eta, sigma, B, and every other knob that is not at its default, with
 * numbers that read back exactly and file names quoted for the shell.
 * Then, as a shell comment, the step and whether the run got there with
 * these knobs all along (pure: the command then reproduces it exactly),
 * with knobs changed on the way, or on data edited with the mouse.
 * With a comparison running (b not NULL), --compare KNOB=VALUE with b's
 * value of the knob.  --compare starts B beside A at step 0; when B was
 * instead cloned from A at step b_start > 0 (b_how names the key that did
 * it, "b" or "u", or is NULL), or when b differs from e in a knob other
 * than `knob` (the knob keys move A only), the comment says so rather than
 * claim that the command reproduces the pair.
 */
void cmdline_format(const struct cli_opts *o, const struct ou_engine *e, const struct ou_engine *b,
                    enum compare_knob knob, uint64_t b_start, const char *b_how, bool pure,
                    char *buf, size_t len);

#endif
