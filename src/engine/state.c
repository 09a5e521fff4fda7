/*
 * The engine state as versioned text, so that a saved run resumes
 * bit-exactly.  One "key value..." record per line; doubles are written in
 * C99 hexadecimal ("%a") so no digit is lost; the last line carries an
 * FNV-1a checksum of everything before it, so truncation and damage are
 * caught.  The format is documented in ouscope(1), FILES.  Version 2 added
 * the optimizer; version 1 files still load, as plain SGD.
 */
#include "config.h"

#include "ouscope/engine.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_impl.h"

#define STATE_MAGIC "ouscope-state"
#define STATE_VERSION 2
/* The oldest version still read: it had no optimizer lines. */
#define STATE_VERSION_MIN 1

/* ---- writing ---- */

struct sbuf {
    char *p;
    size_t len, cap;
    bool failed;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->failed = true;
            return;
        }
        if ((size_t)k < b->cap - b->len) {
            b->len += (size_t)k;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)k + 64;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->failed = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
}

static uint64_t
fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void
put_rng(struct sbuf *b, const char *key, const struct ou_rng *r)
{
    sb_printf(b, "%s %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 "\n", key, r->s[0],
              r->s[1], r->s[2], r->s[3]);
}

static void
put_vec(struct sbuf *b, const char *key, const double *v, size_t p)
{
    sb_printf(b, "%s %zu\n", key, p);
    for (size_t k = 0; k < p; k++)
        sb_printf(b, "%a\n", v[k]);
}

enum ou_status
ou_engine_save(const struct ou_engine *e, char **buf, size_t *len)
{
    struct sbuf b = {.p = malloc(4096), .cap = 4096};
    if (!b.p)
        return OU_ENOMEM;
    b.p[0] = '\0';
    const struct ou_config *c = &e->cfg;
    const struct ou_data *d = &e->data;
    size_t p = e->model.p;
    sb_printf(&b, "%s %d\n", STATE_MAGIC, STATE_VERSION);
    sb_printf(&b, "model %s\nwidth %zu\nbias %d\n", e->model.kind->name, c->width, c->bias);
    sb_printf(&b, "seed %" PRIu64 "\neta %a\nsigma %a\nbatch %zu\nnoise %s\n", c->seed, c->eta,
              c->sigma, c->batch, ou_noise_kind_name(c->noise));
    sb_printf(&b, "momentum %a\nfrozen %d\nema_steps %a\n", c->momentum, c->frozen, e->ema_steps);
    sb_printf(&b, "optimizer %s\nbeta1 %a\nbeta2 %a\nrms_decay %a\nopt_eps %a\nsam_rho %a\n",
              ou_optim_kind_name(c->optim), c->beta1, c->beta2, c->rms_decay, c->opt_eps,
              c->sam_rho);
    sb_printf(&b, "step %" PRIu64 "\ndiverged %d %" PRIu64 "\n", e->step, e->status == OU_EDIVERGED,
              e->diverged_at);
    sb_printf(&b, "reg_ema %d %a\n", e->ema_init, e->reg_ema);
    sb_printf(&b, "clock %a %a\n", e->clock, e->mark_clock);
    put_rng(&b, "rng_batch", &e->rng_batch);
    put_rng(&b, "rng_noise", &e->rng_noise);
    put_rng(&b, "rng_batch0", &e->rng_batch0);
    put_rng(&b, "rng_noise0", &e->rng_noise0);
    put_rng(&b, "rng_kick", &e->rng_kick);
    sb_printf(&b, "mark %" PRIu64 " %d %a\n", e->mark_step, e->mark_ema_init, e->mark_reg_ema);
    put_rng(&b, "mark_batch", &e->mark_batch);
    put_rng(&b, "mark_noise", &e->mark_noise);
    sb_printf(&b, "optimizer_steps %" PRIu64 " %" PRIu64 "\nmark_optimizer %s\n", e->optim_t,
              e->mark_optim_t, ou_optim_kind_name(e->mark_optim));
    /* The data name is written last on its line; it may contain spaces but no newline. */
    const char *kname = ou_data_kind_name(d->kind);
    sb_printf(&b, "data %zu %s %s\n", d->n, kname ? kname : "custom", d->name);
    for (size_t i = 0; i < d->n; i++)
        sb_printf(&b, "%a %a\n", d->x[i], d->y[i]);
    put_vec(&b, "theta", e->theta, p);
    put_vec(&b, "velocity", e->vel, p);
    put_vec(&b, "theta0", e->theta0, p);
    put_vec(&b, "mark_theta", e->mark_theta, p);
    put_vec(&b, "mark_velocity", e->mark_vel, p);
    put_vec(&b, "second_moment", e->sq, p);
    put_vec(&b, "mark_second_moment", e->mark_sq, p);
    if (!b.failed) {
        uint64_t h = fnv1a(b.p, b.len);
        sb_printf(&b, "checksum %016" PRIx64 "\n", h);
    }
    if (b.failed) {
        free(b.p);
        return OU_ENOMEM;
    }
    *buf = b.p;
    *len = b.len;
    return OU_OK;
}

/* ---- reading ---- */

struct reader {
    const char *p, *end;
    size_t line; /* number of the line last returned */
    char cur[512];
    char *why;
    size_t whylen;
};

static enum ou_status fail(struct reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum ou_status
fail(struct reader *r, const char *fmt, ...)
{
    if (r->why && r->whylen) {
        int k = snprintf(r->why, r->whylen, "line %zu: ", r->line);
        if (k >= 0 && (size_t)k < r->whylen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(r->why + k, r->whylen - (size_t)k, fmt, ap);
            va_end(ap);
        }
    }
    return OU_EFORMAT;
}

/* Next line into r->cur (without the newline); false at the end or if too long. */
static bool
next_line(struct reader *r)
{
    if (r->p >= r->end)
        return false;
    const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    if (!nl)
        return false; /* every line, the last included, ends in a newline */
    size_t k = (size_t)(nl - r->p);
    r->line++;
    if (k >= sizeof r->cur)
        return false;
    memcpy(r->cur, r->p, k);
    r->cur[k] = '\0';
    r->p = nl + 1;
    return true;
}

/* Read the line that must start with `key` and return the text after "key ". */
static const char *
expect(struct reader *r, const char *key)
{
    if (!next_line(r))
        return NULL;
    size_t k = strlen(key);
    if (strncmp(r->cur, key, k) != 0 || r->cur[k] != ' ')
        return NULL;
    return r->cur + k + 1;
}

static bool
parse_double(const char *s, double *v, const char **rest)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (end == s || errno == ERANGE)
        return false;
    *rest = end;
    return true;
}

static bool
at_end(const char *s)
{
    return *s == '\0';
}

static bool
parse_u64(const char *s, uint64_t *v, const char **rest, int base)
{
    char *end;
    /* A digit first: strtoull would skip white space (a newline too, and
     * on past the end of a buffer that is not NUL-terminated) and signs. */
    if (!(base == 16 ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s)))
        return false;
    errno = 0;
    unsigned long long x = strtoull(s, &end, base);
    if (end == s || errno == ERANGE)
        return false;
    *v = (uint64_t)x;
    *rest = end;
    return true;
}

#define NEED(cond, ...)                                                                            \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return fail(r, __VA_ARGS__);                                                           \
    } while (0)

static enum ou_status
read_double(struct reader *r, const char *key, double *v)
{
    const char *s = expect(r, key), *rest;
    NEED(s && parse_double(s, v, &rest) && at_end(rest), "expected \"%s <number>\"", key);
    return OU_OK;
}

static enum ou_status
read_u64(struct reader *r, const char *key, uint64_t *v)
{
    const char *s = expect(r, key), *rest;
    NEED(s && parse_u64(s, v, &rest, 10) && at_end(rest), "expected \"%s <integer>\"", key);
    return OU_OK;
}

static enum ou_status
read_rng(struct reader *r, const char *key, struct ou_rng *g)
{
    const char *s = expect(r, key);
    NEED(s, "expected \"%s\" with four hexadecimal words", key);
    for (int i = 0; i < 4; i++) {
        const char *rest;
        while (*s == ' ')
            s++;
        NEED(parse_u64(s, &g->s[i], &rest, 16), "expected \"%s\" with four hexadecimal words", key);
        s = rest;
    }
    NEED(at_end(s) && (g->s[0] | g->s[1] | g->s[2] | g->s[3]) != 0,
         "expected \"%s\" with four hexadecimal words, not all zero", key);
    return OU_OK;
}

static enum ou_status
read_vec(struct reader *r, const char *key, double *v, size_t p)
{
    uint64_t cnt = 0;
    enum ou_status st = read_u64(r, key, &cnt);
    if (st != OU_OK)
        return st;
    NEED(cnt == p, "\"%s\" has %" PRIu64 " values, the model has %zu parameters", key, cnt, p);
    for (size_t k = 0; k < p; k++) {
        const char *rest;
        NEED(next_line(r) && parse_double(r->cur, &v[k], &rest) && at_end(rest) && isfinite(v[k]),
             "expected a finite number (value %zu of \"%s\")", k + 1, key);
    }
    return OU_OK;
}

/* "key <name>" with one of the optimizer names. */
static enum ou_status
read_optim(struct reader *r, const char *key, enum ou_optim_kind *k)
{
    const char *s = expect(r, key);
    NEED(s && ou_optim_kind_parse(s, k), "expected \"%s sgd|rmsprop|adam|sam|pathsgd\"", key);
    return OU_OK;
}

/* The optimizer block of a version 2 header. */
static enum ou_status
read_optim_params(struct reader *r, struct ou_config *c)
{
    if (read_optim(r, "optimizer", &c->optim) != OU_OK)
        return OU_EFORMAT;
    NEED(read_double(r, "beta1", &c->beta1) == OU_OK && ou_optim_decay_ok(c->beta1),
         "expected \"beta1\" in [0, 1)");
    NEED(read_double(r, "beta2", &c->beta2) == OU_OK && ou_optim_decay_ok(c->beta2),
         "expected \"beta2\" in [0, 1)");
    NEED(read_double(r, "rms_decay", &c->rms_decay) == OU_OK && ou_optim_decay_ok(c->rms_decay),
         "expected \"rms_decay\" in [0, 1)");
    NEED(read_double(r, "opt_eps", &c->opt_eps) == OU_OK && ou_optim_eps_ok(c->opt_eps),
         "expected \"opt_eps\" in (0, %g]", OU_OPTIM_EPS_MAX);
    NEED(read_double(r, "sam_rho", &c->sam_rho) == OU_OK && ou_optim_rho_ok(c->sam_rho),
         "expected \"sam_rho\" in [0, %g]", OU_SAM_RHO_MAX);
    return OU_OK;
}

/* A second moment is a mean of squares: finite (read_vec) and never negative. */
static enum ou_status
read_moment(struct reader *r, const char *key, double *v, size_t p)
{
    size_t first = r->line + 2;
    if (read_vec(r, key, v, p) != OU_OK)
        return OU_EFORMAT;
    for (size_t k = 0; k < p; k++) {
        if (v[k] < 0.0) {
            r->line = first + k;
            return fail(r, "expected a number >= 0 (value %zu of \"%s\")", k + 1, key);
        }
    }
    return OU_OK;
}

static enum ou_status
read_header(struct reader *r, struct ou_config *c, double *ema_steps, uint64_t *version)
{
    const char *s, *rest;
    uint64_t u;
    double v;
    NEED(next_line(r) && strncmp(r->cur, STATE_MAGIC " ", sizeof STATE_MAGIC) == 0,
         "not an ouscope state file (it must start with \"%s %d\")", STATE_MAGIC, STATE_VERSION);
    NEED(parse_u64(r->cur + sizeof STATE_MAGIC, &u, &rest, 10) && at_end(rest),
         "bad version field");
    NEED(u >= STATE_VERSION_MIN && u <= STATE_VERSION,
         "state format version %" PRIu64 " is not supported (this is %d)", u, STATE_VERSION);
    *version = u;
    s = expect(r, "model");
    NEED(s && ou_model_kind_parse(s, &c->model), "expected \"model relu\" or \"model linear\"");
    NEED(read_u64(r, "width", &u) == OU_OK && u >= 1 && u <= OU_MODEL_MAX_WIDTH,
         "expected \"width\" in 1..%d", OU_MODEL_MAX_WIDTH);
    c->width = (size_t)u;
    NEED(read_u64(r, "bias", &u) == OU_OK && u <= 1, "expected \"bias 0\" or \"bias 1\"");
    c->bias = u == 1;
    NEED(read_u64(r, "seed", &c->seed) == OU_OK, "expected \"seed <integer>\"");
    NEED(read_double(r, "eta", &c->eta) == OU_OK && c->eta > 0 && c->eta <= OU_ETA_MAX,
         "expected \"eta\" in (0, %g]", OU_ETA_MAX);
    NEED(read_double(r, "sigma", &c->sigma) == OU_OK && c->sigma >= 0 && c->sigma <= OU_SIGMA_MAX,
         "expected \"sigma\" in [0, %g]", OU_SIGMA_MAX);
    NEED(read_u64(r, "batch", &u) == OU_OK && u >= 1 && u <= OU_DATA_MAX,
         "expected \"batch\" in 1..%d", OU_DATA_MAX);
    c->batch = (size_t)u;
    s = expect(r, "noise");
    NEED(s && (strcmp(s, "gauss") == 0 || strcmp(s, "pm") == 0), "expected \"noise gauss|pm\"");
    c->noise = strcmp(s, "pm") == 0 ? OU_NOISE_PM : OU_NOISE_GAUSS;
    NEED(read_double(r, "momentum", &c->momentum) == OU_OK && c->momentum >= 0 &&
             c->momentum <= OU_MOMENTUM_MAX,
         "expected \"momentum\" in [0, %g]", OU_MOMENTUM_MAX);
    NEED(read_u64(r, "frozen", &u) == OU_OK && u <= 1, "expected \"frozen 0\" or \"frozen 1\"");
    c->frozen = u == 1;
    NEED(read_double(r, "ema_steps", &v) == OU_OK && v >= 1.0 && isfinite(v),
         "expected \"ema_steps\" >= 1");
    *ema_steps = v;
    /* Version 1 predates the optimizers: plain SGD at the default settings. */
    if (*version >= 2)
        return read_optim_params(r, c);
    c->optim = OU_OPTIM_SGD;
    c->beta1 = OU_BETA1_DEFAULT;
    c->beta2 = OU_BETA2_DEFAULT;
    c->rms_decay = OU_RMS_DECAY_DEFAULT;
    c->opt_eps = OU_OPTIM_EPS_DEFAULT;
    c->sam_rho = OU_SAM_RHO_DEFAULT;
    return OU_OK;
}

static enum ou_status
read_data(struct reader *r, struct ou_data *d)
{
    uint64_t n;
    const char *s = expect(r, "data"), *rest;
    NEED(s && parse_u64(s, &n, &rest, 10) && *rest == ' ' && n >= OU_DATA_MIN && n <= OU_DATA_MAX,
         "expected \"data <n> <kind> <name>\" with n in %d..%d", OU_DATA_MIN, OU_DATA_MAX);
    s = rest + 1;
    const char *sp = strchr(s, ' ');
    NEED(sp && sp - s < 16, "expected \"data <n> <kind> <name>\"");
    char kind[16];
    memcpy(kind, s, (size_t)(sp - s));
    kind[sp - s] = '\0';
    if (!ou_data_kind_parse(kind, &d->kind)) {
        NEED(strcmp(kind, "custom") == 0, "unknown data kind \"%s\"", kind);
        d->kind = OU_DATA_CUSTOM;
    }
    snprintf(d->name, sizeof d->name, "%s", sp + 1);
    d->n = (size_t)n;
    for (size_t i = 0; i < d->n; i++) {
        NEED(next_line(r) && parse_double(r->cur, &d->x[i], &rest) &&
                 parse_double(rest, &d->y[i], &rest) && at_end(rest),
             "expected \"<x> <y>\" for data point %zu", i + 1);
    }
    size_t bad;
    NEED(ou_data_validate(d, &bad) == OU_OK,
         "data point %zu is not finite or its x does not increase", bad + 1);
    return OU_OK;
}

enum ou_status
ou_engine_load(struct ou_engine **out, const char *buf, size_t len, char *why, size_t whylen)
{
    struct reader rd = {.p = buf, .end = buf + len, .why = why, .whylen = whylen}, *r = &rd;
    struct ou_config c;
    struct ou_data *d = malloc(sizeof *d);
    struct ou_engine *e = NULL;
    double ema_steps = 1000.0;
    *out = NULL;
    if (!d)
        return OU_ENOMEM;
    if (why && whylen)
        why[0] = '\0';

    if (len == 0 ||
        strncmp(buf, STATE_MAGIC " ", len < sizeof STATE_MAGIC ? len : sizeof STATE_MAGIC) != 0 ||
        len < sizeof STATE_MAGIC) {
        free(d);
        snprintf(why, whylen, "%s",
                 len == 0 ? "the file is empty"
                          : "line 1: not an ouscope state file (it must start with \"" STATE_MAGIC
                            " 1\")");
        return OU_EFORMAT;
    }
    /* The checksum line, the last one, covers every byte before it. */
    const char *last = NULL;
    if (len >= 2 && buf[len - 1] == '\n') {
        last = buf;
        for (size_t q = len - 1; q-- > 0;) {
            if (buf[q] == '\n') {
                last = buf + q + 1;
                break;
            }
        }
    }
    uint64_t want = 0, got;
    const char *rest;
    if (!last || (size_t)(buf + len - last) < 10 || memcmp(last, "checksum ", 9) != 0 ||
        !parse_u64(last + 9, &want, &rest, 16) || *rest != '\n' ||
        (got = fnv1a(buf, (size_t)(last - buf))) != want) {
        free(d);
        snprintf(why, whylen, "%s",
                 len == 0 ? "the file is empty"
                          : "checksum missing or wrong: the file is truncated "
                            "or damaged");
        return OU_EFORMAT;
    }
    rd.end = last;

    uint64_t version = STATE_VERSION;
    enum ou_status st = read_header(r, &c, &ema_steps, &version);
    if (st != OU_OK) {
        free(d);
        return st;
    }
    uint64_t step, div, div_at, ema_init, mark_step, mark_ema_init;
    double reg_ema, mark_reg_ema;
    const char *s;
    st = OU_EFORMAT;
#define STEP(cond, ...)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            st = fail(r, __VA_ARGS__);                                                             \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)
    STEP(read_u64(r, "step", &step) == OU_OK, "expected \"step <integer>\"");
    s = expect(r, "diverged");
    STEP(s && parse_u64(s, &div, &rest, 10) && div <= 1 && *rest == ' ' &&
             parse_u64(rest + 1, &div_at, &rest, 10) && at_end(rest),
         "expected \"diverged <0|1> <step>\"");
    s = expect(r, "reg_ema");
    STEP(s && parse_u64(s, &ema_init, &rest, 10) && ema_init <= 1 && *rest == ' ' &&
             parse_double(rest + 1, &reg_ema, &rest) && at_end(rest),
         "expected \"reg_ema <0|1> <number>\"");
    double clock, mark_clock;
    s = expect(r, "clock");
    STEP(s && parse_double(s, &clock, &rest) && *rest == ' ' &&
             parse_double(rest + 1, &mark_clock, &rest) && at_end(rest) && clock >= 0 &&
             mark_clock >= 0,
         "expected \"clock <number> <number>\"");
    struct ou_rng rb, rn, rb0, rn0, rk, mb, mn;
    STEP(read_rng(r, "rng_batch", &rb) == OU_OK && read_rng(r, "rng_noise", &rn) == OU_OK &&
             read_rng(r, "rng_batch0", &rb0) == OU_OK && read_rng(r, "rng_noise0", &rn0) == OU_OK &&
             read_rng(r, "rng_kick", &rk) == OU_OK,
         "bad random stream state");
    s = expect(r, "mark");
    STEP(s && parse_u64(s, &mark_step, &rest, 10) && *rest == ' ' &&
             parse_u64(rest + 1, &mark_ema_init, &rest, 10) && mark_ema_init <= 1 && *rest == ' ' &&
             parse_double(rest + 1, &mark_reg_ema, &rest) && at_end(rest),
         "expected \"mark <step> <0|1> <number>\"");
    STEP(read_rng(r, "mark_batch", &mb) == OU_OK && read_rng(r, "mark_noise", &mn) == OU_OK,
         "bad random stream state");
    uint64_t optim_t = 0, mark_optim_t = 0;
    enum ou_optim_kind mark_optim = OU_OPTIM_SGD;
    if (version >= 2) {
        s = expect(r, "optimizer_steps");
        STEP(s && parse_u64(s, &optim_t, &rest, 10) && *rest == ' ' &&
                 parse_u64(rest + 1, &mark_optim_t, &rest, 10) && at_end(rest),
             "expected \"optimizer_steps <integer> <integer>\"");
        if (read_optim(r, "mark_optimizer", &mark_optim) != OU_OK)
            goto out;
    }
    if (read_data(r, d) != OU_OK)
        goto out;
    STEP(c.batch <= d->n, "batch %zu is larger than the %zu data points", c.batch, d->n);

    st = ou_engine_create(&e, &c, d);
    if (st != OU_OK)
        goto out;
    size_t p = e->model.p;
    st = OU_EFORMAT;
    if (read_vec(r, "theta", e->theta, p) != OU_OK || read_vec(r, "velocity", e->vel, p) != OU_OK ||
        read_vec(r, "theta0", e->theta0, p) != OU_OK ||
        read_vec(r, "mark_theta", e->mark_theta, p) != OU_OK ||
        read_vec(r, "mark_velocity", e->mark_vel, p) != OU_OK)
        goto out;
    if (version >= 2 && (read_moment(r, "second_moment", e->sq, p) != OU_OK ||
                         read_moment(r, "mark_second_moment", e->mark_sq, p) != OU_OK))
        goto out;
    STEP(r->p == r->end, "unexpected text after the parameters");
    e->ema_steps = ema_steps;
    e->step = step;
    e->status = div ? OU_EDIVERGED : OU_OK;
    e->diverged_at = div_at;
    e->ema_init = ema_init == 1;
    e->reg_ema = reg_ema;
    e->clock = clock;
    e->mark_clock = mark_clock;
    e->rng_batch = rb;
    e->rng_noise = rn;
    e->rng_batch0 = rb0;
    e->rng_noise0 = rn0;
    e->rng_kick = rk;
    e->mark_step = mark_step;
    e->mark_ema_init = mark_ema_init == 1;
    e->mark_reg_ema = mark_reg_ema;
    e->mark_batch = mb;
    e->mark_noise = mn;
    e->optim_t = optim_t;
    e->mark_optim_t = mark_optim_t;
    e->mark_optim = mark_optim;
    free(d);
    *out = e;
    return OU_OK;
out:
#undef STEP
    free(d);
    ou_engine_destroy(e);
    return st == OU_OK ? OU_EFORMAT : st;
}
