/*
 * The reproducing command line.  Every number is written in the shortest
 * decimal form that strtod reads back to the same double, so the knobs a
 * run ends with after doubling and halving come back bit for bit.
 */
#include "config.h"

#include "cmdline.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ouscope/optim.h"
#include "render/panes.h"

/* Exact inequality of two finite doubles. */
static bool
differs(double x, double y)
{
    return x < y || y < x;
}

/* The shortest %g form of x that reads back exactly. */
static void
fmt_exact(double x, char *buf, size_t len)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, x);
        if (!differs(strtod(buf, NULL), x))
            return;
    }
}

/* A word for the shell: as it is when plain, else in single quotes ('\'' for a quote). */
static void
shell_word(const char *w, char *buf, size_t len)
{
    static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                "_-./,:+=@%";
    if (w[0] && strspn(w, plain) == strlen(w)) {
        snprintf(buf, len, "%s", w);
        return;
    }
    size_t k = 0;
    if (len < 3) {
        if (len)
            buf[0] = '\0';
        return;
    }
    buf[k++] = '\'';
    for (const char *p = w; *p && k + 6 < len; p++) {
        if (*p == '\'') {
            memcpy(buf + k, "'\\''", 4);
            k += 4;
        } else {
            buf[k++] = *p;
        }
    }
    buf[k++] = '\'';
    buf[k] = '\0';
}

static void add(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Append to the NUL-terminated buf[0..len). */
static void
add(char *buf, size_t len, const char *fmt, ...)
{
    size_t k = strlen(buf);
    if (k + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + k, len - k, fmt, ap);
    va_end(ap);
}

/* " --flag value" when value differs from def (always when def is NaN). */
static void
add_knob(char *buf, size_t len, const char *flag, double value, double def)
{
    char x[40];
    if (!differs(value, def))
        return;
    fmt_exact(value, x, sizeof x);
    add(buf, len, " %s %s", flag, x);
}

/* " --compare KNOB=VALUE" for B's value of the knob, in the words --compare reads back. */
static void
add_compare(char *buf, size_t len, enum compare_knob k, const struct ou_config *b)
{
    char x[40];
    switch (k) {
    case COMPARE_SIGMA:
        fmt_exact(b->sigma, x, sizeof x);
        break;
    case COMPARE_ETA:
        fmt_exact(b->eta, x, sizeof x);
        break;
    case COMPARE_MOMENTUM:
        fmt_exact(b->momentum, x, sizeof x);
        break;
    case COMPARE_BATCH:
        snprintf(x, sizeof x, "%zu", b->batch);
        break;
    case COMPARE_OPTIMIZER:
        snprintf(x, sizeof x, "%s", ou_optim_kind_name(b->optim));
        break;
    case COMPARE_NOISE:
        snprintf(x, sizeof x, "%s", ou_noise_kind_name(b->noise));
        break;
    case COMPARE_FROZEN:
        snprintf(x, sizeof x, "%s", b->frozen ? "on" : "off");
        break;
    case COMPARE_NONE:
    case COMPARE_NKNOBS:
    default:
        return;
    }
    add(buf, len, " --compare %s=%s", compare_knob_name(k), x);
}

/*
 * Does b differ from a in a knob other than k?  --compare starts B as A
 * with k changed, and the knob keys move A only, so a B that has drifted
 * apart in a second knob is not what the command line makes.
 */
static bool
b_differs_elsewhere(const struct ou_config *a, const struct ou_config *b, enum compare_knob k)
{
    struct ou_config x = *a; /* what --compare makes of A's knobs */
    switch (k) {
    case COMPARE_SIGMA:
        x.sigma = b->sigma;
        break;
    case COMPARE_ETA:
        x.eta = b->eta;
        break;
    case COMPARE_BATCH:
        x.batch = b->batch;
        break;
    case COMPARE_OPTIMIZER:
        x.optim = b->optim;
        break;
    case COMPARE_MOMENTUM:
        x.momentum = b->momentum;
        break;
    case COMPARE_NOISE:
        x.noise = b->noise;
        break;
    case COMPARE_FROZEN:
        x.frozen = b->frozen;
        break;
    case COMPARE_NONE:
    case COMPARE_NKNOBS:
    default:
        break;
    }
    return differs(x.eta, b->eta) || differs(x.sigma, b->sigma) || x.batch != b->batch ||
           x.noise != b->noise || differs(x.momentum, b->momentum) || x.frozen != b->frozen ||
           x.optim != b->optim || differs(x.beta1, b->beta1) || differs(x.beta2, b->beta2) ||
           differs(x.rms_decay, b->rms_decay) || differs(x.opt_eps, b->opt_eps) ||
           differs(x.sam_rho, b->sam_rho);
}

void
cmdline_format(const struct cli_opts *o, const struct ou_engine *e, const struct ou_engine *b,
               enum compare_knob knob, uint64_t b_start, const char *b_how, bool pure, char *buf,
               size_t len)
{
    const struct ou_config *c = ou_engine_config(e);
    const struct ou_data *d = ou_engine_data(e);
    struct ou_config def;
    char w[512], x[40];
    bool edited = false;
    ou_config_default(&def);
    if (!len)
        return;
    buf[0] = '\0';
    add(buf, len, "ouscope");
    if (o->load) {
        shell_word(o->load, w, sizeof w);
        add(buf, len, " --load %s", w);
    } else {
        if (c->model != OU_MODEL_RELU1D)
            add(buf, len, " --model %s", ou_model_kind_name(c->model));
        if (d->kind < OU_DATA_NBUILTIN) {
            add(buf, len, " --data %s --n %zu", ou_data_kind_name(d->kind), d->n);
        } else {
            size_t k = strlen(d->name);
            edited = k > 0 && d->name[k - 1] == '*';
            shell_word(o->data, w, sizeof w);
            add(buf, len, " --data %s", w);
        }
        add(buf, len, " --width %zu --seed %" PRIu64 "%s", c->width, c->seed,
            c->bias ? "" : " --no-bias");
    }
    fmt_exact(c->eta, x, sizeof x);
    add(buf, len, " --lr %s", x);
    fmt_exact(c->sigma, x, sizeof x);
    add(buf, len, " --noise %s --batch %zu", x, c->batch);
    if (c->noise != def.noise)
        add(buf, len, " --noise-kind %s", ou_noise_kind_name(c->noise));
    add_knob(buf, len, "--momentum", c->momentum, def.momentum);
    if (c->frozen)
        add(buf, len, " --frozen");
    if (c->optim != def.optim)
        add(buf, len, " --optimizer %s", ou_optim_kind_name(c->optim));
    add_knob(buf, len, "--beta1", c->beta1, def.beta1);
    add_knob(buf, len, "--beta2", c->beta2, def.beta2);
    add_knob(buf, len, "--rms-decay", c->rms_decay, def.rms_decay);
    add_knob(buf, len, "--adam-eps", c->opt_eps, def.opt_eps);
    add_knob(buf, len, "--sam-rho", c->sam_rho, def.sam_rho);
    if (b)
        add_compare(buf, len, knob, ou_engine_config(b));
    char st[32], bs[32];
    panes_group(ou_engine_step_count(e), st, sizeof st);
    /* --compare starts B at step 0: a B cloned from A later is not what the command makes. */
    bool late = b && b_start > 0;
    bool apart = b && b_differs_elsewhere(c, ou_engine_config(b), knob);
    if (edited)
        add(buf, len, "  # step %s; the data was edited with the mouse", st);
    else if (pure && !o->load && !late && !apart)
        add(buf, len, "  # step %s, the same knobs since step 0", st);
    else if (pure && !o->load)
        add(buf, len, "  # step %s, A's knobs since step 0", st);
    else
        add(buf, len, "  # step %s; knobs changed on the way (--record keeps the path)", st);
    if (late)
        add(buf, len, "; B started from A at step %s%s%s%s", panes_group(b_start, bs, sizeof bs),
            b_how ? " (" : "", b_how ? b_how : "", b_how ? ")" : "");
    if (apart)
        add(buf, len, "; B differs from A in more than %s", compare_knob_name(knob));
}
