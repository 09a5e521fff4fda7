/*
 * The A/B comparison's engines.  B is made from A's saved state, which
 * holds every double in hexadecimal, so B starts bit-identical to A; with
 * the knob left equal the two stay identical step for step.
 */
#include "config.h"

#include "compare.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const knob_names[COMPARE_NKNOBS] = {
    [COMPARE_NONE] = "",       [COMPARE_SIGMA] = "sigma",         [COMPARE_ETA] = "eta",
    [COMPARE_BATCH] = "batch", [COMPARE_OPTIMIZER] = "optimizer", [COMPARE_MOMENTUM] = "momentum",
    [COMPARE_NOISE] = "noise", [COMPARE_FROZEN] = "frozen",
};

static const char *const knob_symbols[COMPARE_NKNOBS] = {
    [COMPARE_NONE] = "",
    [COMPARE_SIGMA] = "σ",
    [COMPARE_ETA] = "η",
    [COMPARE_BATCH] = "batch",
    [COMPARE_OPTIMIZER] = "optimizer",
    [COMPARE_MOMENTUM] = "μ",
    [COMPARE_NOISE] = "noise",
    [COMPARE_FROZEN] = "noise",
};

const char *
compare_knob_name(enum compare_knob k)
{
    return (unsigned)k < COMPARE_NKNOBS ? knob_names[k] : "";
}

bool
compare_knob_parse(const char *name, enum compare_knob *k)
{
    for (int i = COMPARE_NONE + 1; i < COMPARE_NKNOBS; i++)
        if (strcmp(name, knob_names[i]) == 0) {
            *k = (enum compare_knob)i;
            return true;
        }
    return false;
}

const char *
compare_symbol(enum compare_knob k)
{
    return (unsigned)k < COMPARE_NKNOBS ? knob_symbols[k] : "";
}

void
compare_default(const struct ou_config *a, struct compare_spec *out)
{
    out->knob = COMPARE_SIGMA;
    out->value = a->sigma > 0.0 ? 0.0 : 0.5;
}

enum ou_status
compare_apply(struct ou_engine *b, const struct compare_spec *s)
{
    switch (s->knob) {
    case COMPARE_SIGMA:
        return ou_engine_set_sigma(b, s->value);
    case COMPARE_ETA:
        return ou_engine_set_eta(b, s->value);
    case COMPARE_BATCH:
        if (!(s->value >= 1.0) || s->value > (double)ou_engine_data(b)->n)
            return OU_EINVAL;
        return ou_engine_set_batch(b, (size_t)s->value);
    case COMPARE_OPTIMIZER:
        if (!(s->value >= 0.0) || s->value >= (double)OU_OPTIM_COUNT)
            return OU_EINVAL;
        return ou_engine_set_optimizer(b, (enum ou_optim_kind)(int)s->value);
    case COMPARE_MOMENTUM:
        return ou_engine_set_momentum(b, s->value);
    case COMPARE_NOISE:
        return ou_engine_set_noise(b, s->value > 0.5 ? OU_NOISE_PM : OU_NOISE_GAUSS);
    case COMPARE_FROZEN:
        return ou_engine_set_frozen(b, s->value > 0.5);
    case COMPARE_NONE:
    case COMPARE_NKNOBS:
    default:
        return OU_EINVAL;
    }
}

enum ou_status
compare_clone(const struct ou_engine *a, const struct compare_spec *s, struct ou_engine **out)
{
    char *buf = NULL, why[160];
    size_t len = 0;
    struct ou_engine *b = NULL;
    enum ou_status st = ou_engine_save(a, &buf, &len);
    if (st != OU_OK)
        return st;
    st = ou_engine_load(&b, buf, len, why, sizeof why);
    free(buf);
    if (st != OU_OK)
        return st == OU_EFORMAT ? OU_EINVAL : st;
    st = compare_apply(b, s);
    if (st != OU_OK) {
        ou_engine_destroy(b);
        return st;
    }
    *out = b;
    return OU_OK;
}

enum ou_status
compare_run(struct ou_engine *a, struct ou_engine *b, uint64_t n, uint64_t *done,
            enum ou_status *b_status)
{
    uint64_t da = 0;
    enum ou_status st = ou_engine_run(a, n, &da);
    enum ou_status bs = b ? ou_engine_status(b) : OU_OK;
    /* B follows A's count, not n: after A's divergence both stay on one step. */
    if (b && bs == OU_OK && da > 0)
        bs = ou_engine_run(b, da, NULL);
    if (done)
        *done = da;
    if (b_status)
        *b_status = bs;
    return st;
}

char *
compare_value(enum compare_knob k, const struct ou_config *c, char *buf, size_t len)
{
    switch (k) {
    case COMPARE_SIGMA:
        snprintf(buf, len, "%.4g", c->sigma);
        break;
    case COMPARE_ETA:
        snprintf(buf, len, "%.4g", c->eta);
        break;
    case COMPARE_BATCH:
        snprintf(buf, len, "%zu", c->batch);
        break;
    case COMPARE_OPTIMIZER:
        snprintf(buf, len, "%s", ou_optim_kind_name(c->optim));
        break;
    case COMPARE_MOMENTUM:
        snprintf(buf, len, "%.4g", c->momentum);
        break;
    case COMPARE_NOISE:
        snprintf(buf, len, "%s", ou_noise_kind_name(c->noise));
        break;
    case COMPARE_FROZEN:
        snprintf(buf, len, "%s", c->frozen ? "frozen" : "fresh");
        break;
    case COMPARE_NONE:
    case COMPARE_NKNOBS:
    default:
        snprintf(buf, len, "?");
        break;
    }
    return buf;
}

char *
compare_describe(enum compare_knob k, const struct ou_config *a, const struct ou_config *b,
                 char *buf, size_t len)
{
    char va[32], vb[32];
    snprintf(buf, len, "%s %s | %s", compare_symbol(k), compare_value(k, a, va, sizeof va),
             compare_value(k, b, vb, sizeof vb));
    return buf;
}

/* Knobs shown as symbol=value in a legend; the others are words of their own. */
static bool
numeric(enum compare_knob k)
{
    return k == COMPARE_SIGMA || k == COMPARE_ETA || k == COMPARE_BATCH || k == COMPARE_MOMENTUM;
}

char *
compare_side(enum compare_knob k, char side, const struct ou_config *c, char *buf, size_t len)
{
    char v[32];
    compare_value(k, c, v, sizeof v);
    if (numeric(k))
        snprintf(buf, len, "%c %s=%s", side, compare_symbol(k), v);
    else
        snprintf(buf, len, "%c %s", side, v);
    return buf;
}
