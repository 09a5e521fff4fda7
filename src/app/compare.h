/*
 * The A/B comparison: a second engine B that starts from a copy of A
 * (theta, step, streams, optimizer buffers) and differs from it in one
 * knob; the two take the same steps, so any difference between them comes
 * from that knob alone.  Engines only: no terminal, no drawing.
 */
#ifndef OUSCOPE_APP_COMPARE_H
#define OUSCOPE_APP_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ouscope/engine.h"

/* The knob B differs in. */
enum compare_knob {
    COMPARE_NONE = 0, /* no comparison */
    COMPARE_SIGMA,    /* label-noise std, as --noise */
    COMPARE_ETA,      /* learning rate, as --lr */
    COMPARE_BATCH,    /* batch size, as --batch */
    COMPARE_OPTIMIZER,
    COMPARE_MOMENTUM,
    COMPARE_NOISE,  /* noise kind, gauss or pm */
    COMPARE_FROZEN, /* frozen (on) or fresh (off) noise */
    COMPARE_NKNOBS
};

/*
 * B's difference.  value holds the knob's number (sigma, eta, momentum),
 * the batch size, an enum ou_optim_kind or enum ou_noise_kind, or 1 for
 * frozen and 0 for fresh noise.
 */
struct compare_spec {
    enum compare_knob knob;
    double value;
};

/* The name --compare uses for k ("sigma", "eta", ...); "" for COMPARE_NONE. */
const char *compare_knob_name(enum compare_knob k);

/* The knob called `name` (exact, lower case); false if there is none. */
bool compare_knob_parse(const char *name, enum compare_knob *k);

/*
 * The difference the toggle key uses when none was given: no noise for B
 * if A has some (sigma > 0), else sigma = 0.5.
 */
void compare_default(const struct ou_config *a, struct compare_spec *out);

/* Set B's knob to the spec's value; the engine setter's status (OU_EINVAL out of range). */
enum ou_status compare_apply(struct ou_engine *b, const struct compare_spec *s);

/*
 * A copy of a (through its saved state, so bit-exact) with the spec's knob
 * set: *out is owned by the caller (ou_engine_destroy).  OU_ENOMEM, or
 * OU_EINVAL if the knob's value is refused (a batch larger than n).
 */
enum ou_status compare_clone(const struct ou_engine *a, const struct compare_spec *s,
                             struct ou_engine **out);

/*
 * Step the pair: a takes up to n steps, then b (if non-NULL and not
 * diverged) takes as many as a took, so both stay on the same step.  *done
 * (may be NULL) receives a's count.  Returns a's status; *b_status (may be
 * NULL) receives b's, OU_EDIVERGED once b has diverged (it then stays
 * where it was and a goes on alone).
 */
enum ou_status compare_run(struct ou_engine *a, struct ou_engine *b, uint64_t n, uint64_t *done,
                           enum ou_status *b_status);

/*
 * The knob's value in config c as a word or number: "0.5", "8", "adam",
 * "gauss", "frozen" or "fresh".  Returns buf.
 */
char *compare_value(enum compare_knob k, const struct ou_config *c, char *buf, size_t len);

/* How the status line names k: "σ", "η", "batch", "μ", "optimizer", "noise". */
const char *compare_symbol(enum compare_knob k);

/* The difference as the status line shows it, "σ 0.5 | 0" (A's value, then B's). Returns buf. */
char *compare_describe(enum compare_knob k, const struct ou_config *a, const struct ou_config *b,
                       char *buf, size_t len);

/*
 * A legend label for one side: "A σ=0.5", "B σ=0", "B adam", "A fresh".
 * Returns buf.
 */
char *compare_side(enum compare_knob k, char side, const struct ou_config *c, char *buf,
                   size_t len);

#endif
