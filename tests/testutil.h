/*
 * Helpers shared by the Criterion tests: building engines on the reference
 * data sets and comparing doubles with an explicit tolerance.
 */
#ifndef OUSCOPE_TESTS_TESTUTIL_H
#define OUSCOPE_TESTS_TESTUTIL_H

#include <math.h>
#include <stdbool.h>

#include "ouscope/engine.h"

/* |got - want| <= abs + rel |want| (llm.c's tolerance form). */
static inline bool
tu_close(double got, double want, double abs_tol, double rel_tol)
{
    return fabs(got - want) <= abs_tol + rel_tol * fabs(want);
}

/* An engine on built-in data `kind` with n points and the knobs of cfg (NULL: defaults). */
static inline struct ou_engine *
tu_engine(enum ou_data_kind kind, size_t n, const struct ou_config *cfg)
{
    struct ou_data d;
    struct ou_config c;
    struct ou_engine *e = NULL;
    if (cfg)
        c = *cfg;
    else
        ou_config_default(&c);
    if (ou_data_builtin(&d, kind, n, c.seed) != OU_OK)
        return NULL;
    if (ou_engine_create(&e, &c, &d) != OU_OK)
        return NULL;
    return e;
}

/* The reference set-up (sin 3x, 8 points, 32 units) with the given knobs. */
static inline struct ou_engine *
tu_sin3x(size_t batch, double eta, double sigma, uint64_t seed)
{
    struct ou_config c;
    ou_config_default(&c);
    c.batch = batch;
    c.eta = eta;
    c.sigma = sigma;
    c.seed = seed;
    return tu_engine(OU_DATA_SIN3X, 8, &c);
}

#endif
