/*
 * The script parser.  A script is read line by line: blank lines and
 * everything after a '#' outside quotes are ignored, words are separated
 * by blanks, and "quoted text" may hold blanks, \" and \\.  Set-up
 * directives come first, then commands.  Every error names the file, the
 * line and what was expected, and nothing runs until the whole file parsed.
 */
#include "config.h"

#include "script.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/keymap.h"
#include "io/xmalloc.h"

#define SCRIPT_FILE_MAX (1u << 20)
#define SCRIPT_TOKENS_MAX 24

static const char *const knob_names[SCRIPT_NKNOBS] = {
    [SCRIPT_SIGMA] = "sigma",       [SCRIPT_ETA] = "eta",     [SCRIPT_BATCH] = "batch",
    [SCRIPT_MOMENTUM] = "momentum", [SCRIPT_NOISE] = "noise", [SCRIPT_FROZEN] = "frozen",
    [SCRIPT_KICK] = "kick",         [SCRIPT_OPTIMIZER] = "optimizer",
};

static const char *const metric_names[SCRIPT_NMETRICS] = {
    [SCRIPT_M_STEP] = "step",
    [SCRIPT_M_LOSS] = "loss",
    [SCRIPT_M_REG] = "reg",
    [SCRIPT_M_REG_EMA] = "reg_ema",
    [SCRIPT_M_ETA_LAMBDA] = "eta_lambda",
    [SCRIPT_M_KINKS] = "kinks",
    [SCRIPT_M_BALANCE] = "balance",
    [SCRIPT_M_DIVERGED] = "diverged",
};

static const char *const cmp_names[] = {
    [SCRIPT_LT] = "<", [SCRIPT_LE] = "<=", [SCRIPT_GT] = ">", [SCRIPT_GE] = ">="};

const char *
script_knob_name(enum script_knob k)
{
    return (unsigned)k < SCRIPT_NKNOBS ? knob_names[k] : "?";
}

const char *
script_metric_name(enum script_metric m)
{
    return (unsigned)m < SCRIPT_NMETRICS ? metric_names[m] : "?";
}

const char *
script_cmp_name(enum script_cmp c)
{
    return (unsigned)c <= SCRIPT_GE ? cmp_names[c] : "?";
}

bool
script_compare(double v, enum script_cmp cmp, double x)
{
    switch (cmp) {
    case SCRIPT_LT:
        return v < x;
    case SCRIPT_LE:
        return v <= x;
    case SCRIPT_GT:
        return v > x;
    case SCRIPT_GE:
    default:
        return v >= x;
    }
}

/* One word or quoted string of a line. */
struct token {
    char *s;     /* NUL-terminated, unescaped (points into the line copy) */
    bool quoted;
};

/* The parser's state while it reads one file. */
struct parser {
    const char *name;
    int line;
    char **cause;
    struct script *sc;
    size_t cap;
    int first_cmd_line; /* line of the first command, 0 before it */
    int end_line;       /* line of "end", 0 if none yet */
    uint64_t min_step;  /* the step counter is at least this here */
    int min_step_line;  /* the line that guaranteed it */
};

static int perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Set *cause to "NAME:LINE: message" and return -1. */
static int
perr(struct parser *p, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    *p->cause = xasprintf("%s:%d: %s", p->name, p->line, msg);
    return -1;
}

/* Strict UTF-8 with no control characters: what a caption or marker may hold. */
static bool
text_ok(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        unsigned c = *u;
        if (c < 0x20 || c == 0x7F)
            return false;
        if (c < 0x80) {
            u++;
            continue;
        }
        int need;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return false;
        }
        for (int i = 1; i <= need; i++) {
            unsigned b = u[i];
            if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
                return false;
        }
        /* C1 controls (U+0080..U+009F) are control characters too. */
        if (c == 0xC2 && u[1] < 0xA0)
            return false;
        u += need + 1;
    }
    return true;
}

/*
 * Split line (modified in place) into tokens.  Returns the count, or -1
 * after an error (unterminated string, bad escape, too many words).
 */
static int
tokenize(struct parser *p, char *line, struct token *t, int max)
{
    int n = 0;
    char *r = line;
    for (;;) {
        while (*r == ' ' || *r == '\t')
            r++;
        if (*r == '\0' || *r == '#')
            return n;
        if (n == max)
            return perr(p, "too many words (at most %d on a line)", max);
        if (*r == '"') {
            char *w = ++r;
            t[n].s = w;
            t[n].quoted = true;
            for (;;) {
                if (*r == '\0')
                    return perr(p, "unterminated string: a closing \" is missing");
                if (*r == '"')
                    break;
                if (*r == '\\') {
                    r++;
                    if (*r != '"' && *r != '\\')
                        return perr(p, "unknown escape in a string: only \\\" and \\\\ are allowed");
                }
                *w++ = *r++;
            }
            r++;
            if (*r != '\0' && *r != ' ' && *r != '\t' && *r != '#')
                return perr(p, "expected a blank after the closing \"");
            *w = '\0';
            n++;
            continue;
        }
        t[n].s = r;
        t[n].quoted = false;
        while (*r && *r != ' ' && *r != '\t')
            r++;
        if (*r)
            *r++ = '\0';
        n++;
    }
}

/* A finite number in [lo, hi] (open ends if lo_open/hi_open), as for the flags. */
static int
number(struct parser *p, const char *what, const char *s, double lo, bool lo_open, double hi,
       bool hi_open, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    bool num = end != s && *end == '\0' && errno != ERANGE;
    if (num && !isfinite(x))
        return perr(p, "%s: expected a finite number in %c%g, %g%c, got \"%s\"", what,
                    lo_open ? '(' : '[', lo, hi, hi_open ? ')' : ']', s);
    if (!num || (lo_open ? !(x > lo) : !(x >= lo)) || (hi_open ? !(x < hi) : !(x <= hi)))
        return perr(p, "%s: expected a number in %c%g, %g%c, got \"%s\"", what,
                    lo_open ? '(' : '[', lo, hi, hi_open ? ')' : ']', s);
    *v = x;
    return 0;
}

/* A whole number in [lo, hi]; "2e5" is accepted when it is exactly whole. */
static int
count(struct parser *p, const char *what, const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    bool ok = end != s && *end == '\0' && errno != ERANGE && isfinite(x) && x >= (double)lo &&
              x <= (double)hi && !(x > floor(x)) && s[0] != '+' && s[0] != '-';
    if (!ok)
        return perr(p, "%s: expected a whole number in %llu..%llu, got \"%s\"", what,
                    (unsigned long long)lo, (unsigned long long)hi, s);
    *v = (uint64_t)x;
    return 0;
}

static int
on_off(struct parser *p, const char *what, const char *s, bool *v)
{
    if (strcmp(s, "on") == 0) {
        *v = true;
        return 0;
    }
    if (strcmp(s, "off") == 0) {
        *v = false;
        return 0;
    }
    return perr(p, "%s: expected on or off, got \"%s\"", what, s);
}

static int
text(struct parser *p, const char *what, const struct token *t, char **out)
{
    if (!t->quoted)
        return perr(p, "%s: expected \"quoted text\", got %s", what, t->s);
    if (!text_ok(t->s))
        return perr(p, "%s: the text must be UTF-8 without control characters", what);
    if (strlen(t->s) > SCRIPT_TEXT_MAX)
        return perr(p, "%s: the text is longer than %d bytes", what, SCRIPT_TEXT_MAX);
    *out = xstrdup(t->s);
    return 0;
}

/* The number of words a command must have: exactly n, naming the form expected. */
static int
arity(struct parser *p, int got, int lo, int hi, const char *form)
{
    if (got < lo || got > hi)
        return perr(p, "expected \"%s\"", form);
    return 0;
}

static struct script_cmd *
new_cmd(struct parser *p, enum script_op op)
{
    struct script *sc = p->sc;
    if (sc->ncmd == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 16;
        sc->cmd = xreallocarray(sc->cmd, p->cap, sizeof *sc->cmd);
    }
    struct script_cmd *c = &sc->cmd[sc->ncmd++];
    memset(c, 0, sizeof *c);
    c->op = op;
    c->line = p->line;
    return c;
}

static int
parse_key_name(const char *s, int *key)
{
    size_t n;
    const struct keymap_entry *t = keymap_table(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, t[i].name) == 0) {
            *key = t[i].key;
            return 0;
        }
    return -1;
}

/* Set-up directives: only before the first command. */
static int
parse_setup(struct parser *p, struct token *t, int nt, bool *handled)
{
    struct script_setup *su = &p->sc->setup;
    const char *w = t[0].s;
    uint64_t u;
    double v;
    *handled = true;
    static const char *const names[] = {"data",  "width", "seed", "model",
                                        "bias",  "size",  "fps",  "title"};
    bool is_setup = false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        is_setup |= strcmp(w, names[i]) == 0;
    if (!is_setup) {
        *handled = false;
        return 0;
    }
    if (p->first_cmd_line)
        return perr(p, "%s sets up the run and must come before the first command (line %d)", w,
                    p->first_cmd_line);
    if (strcmp(w, "data") == 0) {
        if (arity(p, nt, 2, 3, "data NAME [N]"))
            return -1;
        if (!ou_data_kind_parse(t[1].s, &su->data))
            return perr(p, "data: expected sin3x, x2, abs or random, got \"%s\"", t[1].s);
        su->set |= SCRIPT_SET_DATA;
        if (nt == 3) {
            if (count(p, "data: the number of points", t[2].s, OU_DATA_MIN, OU_DATA_MAX, &u))
                return -1;
            su->n = (size_t)u;
            su->set |= SCRIPT_SET_N;
        }
    } else if (strcmp(w, "width") == 0) {
        if (arity(p, nt, 2, 2, "width M") ||
            count(p, "width", t[1].s, 1, OU_MODEL_MAX_WIDTH, &u))
            return -1;
        su->width = (size_t)u;
        su->set |= SCRIPT_SET_WIDTH;
    } else if (strcmp(w, "seed") == 0) {
        char *end;
        if (arity(p, nt, 2, 2, "seed S"))
            return -1;
        errno = 0;
        unsigned long long s = strtoull(t[1].s, &end, 10);
        if (t[1].s[0] < '0' || t[1].s[0] > '9' || *end || errno == ERANGE)
            return perr(p, "seed: expected a whole number in 0..%llu, got \"%s\"",
                        (unsigned long long)UINT64_MAX, t[1].s);
        su->seed = (uint64_t)s;
        su->set |= SCRIPT_SET_SEED;
    } else if (strcmp(w, "model") == 0) {
        if (arity(p, nt, 2, 2, "model relu|linear"))
            return -1;
        if (!ou_model_kind_parse(t[1].s, &su->model))
            return perr(p, "model: expected relu or linear, got \"%s\"", t[1].s);
        su->set |= SCRIPT_SET_MODEL;
    } else if (strcmp(w, "bias") == 0) {
        if (arity(p, nt, 2, 2, "bias on|off") || on_off(p, "bias", t[1].s, &su->bias))
            return -1;
        su->set |= SCRIPT_SET_BIAS;
    } else if (strcmp(w, "size") == 0) {
        int cw, ch, k;
        if (arity(p, nt, 2, 2, "size COLSxROWS"))
            return -1;
        if (sscanf(t[1].s, "%4dx%4d%n", &cw, &ch, &k) != 2 || t[1].s[k] != '\0' || cw < 20 ||
            cw > 1000 || ch < 5 || ch > 1000 || t[1].s[0] < '0' || t[1].s[0] > '9')
            return perr(p, "size: expected COLSxROWS with 20..1000 columns and 5..1000 rows, "
                           "got \"%s\"",
                        t[1].s);
        su->w = cw;
        su->h = ch;
        su->set |= SCRIPT_SET_SIZE;
    } else if (strcmp(w, "fps") == 0) {
        if (arity(p, nt, 2, 2, "fps F") || number(p, "fps", t[1].s, 1, false, 240, false, &v))
            return -1;
        su->fps = v;
        su->set |= SCRIPT_SET_FPS;
    } else {
        if (arity(p, nt, 2, 2, "title \"text\""))
            return -1;
        free(su->title);
        su->title = NULL;
        if (text(p, "title", &t[1], &su->title))
            return -1;
        su->set |= SCRIPT_SET_TITLE;
    }
    return 0;
}

static int
parse_set(struct parser *p, struct token *t, int nt)
{
    if (arity(p, nt, 3, 3, "set KNOB VALUE"))
        return -1;
    int k;
    for (k = 0; k < SCRIPT_NKNOBS; k++)
        if (strcmp(t[1].s, knob_names[k]) == 0)
            break;
    if (k == SCRIPT_NKNOBS)
        return perr(p, "set: unknown knob \"%s\"; expected sigma, eta, batch, momentum, noise, "
                       "frozen, kick or optimizer",
                    t[1].s);
    struct script_cmd c = {.knob = (enum script_knob)k};
    char what[32];
    snprintf(what, sizeof what, "set %s", knob_names[k]);
    uint64_t u;
    bool b = false;
    switch (c.knob) {
    case SCRIPT_SIGMA:
        if (number(p, what, t[2].s, 0, false, OU_SIGMA_MAX, false, &c.value))
            return -1;
        break;
    case SCRIPT_ETA:
        if (number(p, what, t[2].s, 0, true, OU_ETA_MAX, false, &c.value))
            return -1;
        break;
    case SCRIPT_BATCH:
        if (count(p, what, t[2].s, 1, OU_DATA_MAX, &u))
            return -1;
        c.value = (double)u;
        break;
    case SCRIPT_MOMENTUM:
        if (number(p, what, t[2].s, 0, false, OU_MOMENTUM_MAX, false, &c.value))
            return -1;
        break;
    case SCRIPT_NOISE:
        if (strcmp(t[2].s, "gauss") == 0)
            c.value = OU_NOISE_GAUSS;
        else if (strcmp(t[2].s, "pm") == 0)
            c.value = OU_NOISE_PM;
        else
            return perr(p, "set noise: expected gauss or pm, got \"%s\"", t[2].s);
        break;
    case SCRIPT_FROZEN:
        if (on_off(p, what, t[2].s, &b))
            return -1;
        c.value = b ? 1.0 : 0.0;
        break;
    case SCRIPT_OPTIMIZER: {
        enum ou_optim_kind o;
        if (!ou_optim_kind_parse(t[2].s, &o))
            return perr(p, "set optimizer: expected sgd, rmsprop, adam, sam or pathsgd, got \"%s\"",
                        t[2].s);
        c.value = (double)o;
        break;
    }
    case SCRIPT_KICK:
    case SCRIPT_NKNOBS:
    default:
        if (number(p, what, t[2].s, 1e-4, false, 10, false, &c.value))
            return -1;
        break;
    }
    struct script_cmd *cmd = new_cmd(p, SCRIPT_SET);
    cmd->knob = c.knob;
    cmd->value = c.value;
    return 0;
}

static int
parse_key(struct parser *p, struct token *t, int nt)
{
    if (nt < 2)
        return perr(p, "expected \"key K...\" (key names as in ouscope(1), KEYS: space, v, ], "
                       "Ctrl-L ...)");
    if (nt - 1 > SCRIPT_KEYS_MAX)
        return perr(p, "key: at most %d keys on one line", SCRIPT_KEYS_MAX);
    struct script_cmd c = {0};
    for (int i = 1; i < nt; i++) {
        if (parse_key_name(t[i].s, &c.keys[c.nkeys]) != 0)
            return perr(p, "key: unknown key \"%s\"; expected a key of ouscope(1), KEYS (space, "
                           "v, ], Ctrl-L ...)",
                        t[i].s);
        int k = c.keys[c.nkeys++];
        /* Reset, new seed and rewind take the step counter back. */
        enum keymap_action a = keymap_lookup(k);
        if (a == KEYMAP_RESET || a == KEYMAP_RESEED || a == KEYMAP_REWIND) {
            p->min_step = 0;
            p->min_step_line = 0;
        }
    }
    struct script_cmd *cmd = new_cmd(p, SCRIPT_KEY);
    memcpy(cmd->keys, c.keys, sizeof c.keys);
    cmd->nkeys = c.nkeys;
    return 0;
}

/* "within N steps" at t[0..2]. */
static int
parse_within(struct parser *p, struct token *t, int nt, uint64_t *within)
{
    *within = SCRIPT_WITHIN_DEFAULT;
    if (nt == 0)
        return 0;
    if (nt != 3 || strcmp(t[0].s, "within") != 0 || strcmp(t[2].s, "steps") != 0)
        return perr(p, "after the condition, expected \"within N steps\" or nothing");
    return count(p, "within", t[1].s, 1, SCRIPT_COUNT_MAX, within);
}

static int
parse_wait(struct parser *p, struct token *t, int nt)
{
    uint64_t n;
    if (nt >= 2 && (strcmp(t[1].s, "steps") == 0 || strcmp(t[1].s, "frames") == 0)) {
        bool steps = t[1].s[0] == 's';
        if (arity(p, nt, 3, 3, steps ? "wait steps N" : "wait frames N") ||
            count(p, steps ? "wait steps" : "wait frames", t[2].s, 1, SCRIPT_COUNT_MAX, &n))
            return -1;
        struct script_cmd *c = new_cmd(p, steps ? SCRIPT_WAIT_STEPS : SCRIPT_WAIT_FRAMES);
        c->count = n;
        if (steps) {
            p->min_step += n;
            p->min_step_line = p->line;
        }
        return 0;
    }
    if (nt < 3 || strcmp(t[1].s, "until") != 0)
        return perr(p, "expected \"wait steps N\", \"wait frames N\", \"wait until METRIC OP X\" "
                       "or \"wait until diverged\"");
    int m;
    for (m = 0; m < SCRIPT_NMETRICS; m++)
        if (strcmp(t[2].s, metric_names[m]) == 0)
            break;
    if (m == SCRIPT_NMETRICS)
        return perr(p, "wait until: unknown metric \"%s\"; expected step, loss, reg, reg_ema, "
                       "eta_lambda, kinks, balance or diverged",
                    t[2].s);
    struct script_cmd c = {.metric = (enum script_metric)m};
    int rest = 3;
    if (c.metric != SCRIPT_M_DIVERGED) {
        if (nt < 5)
            return perr(p, "wait until %s: expected a comparison such as \"%s < 6.2\"", t[2].s,
                        t[2].s);
        int k;
        for (k = 0; k <= SCRIPT_GE; k++)
            if (strcmp(t[3].s, cmp_names[k]) == 0)
                break;
        if (k > SCRIPT_GE)
            return perr(p, "wait until %s: expected <, <=, > or >=, got \"%s\"", t[2].s, t[3].s);
        c.cmp = (enum script_cmp)k;
        char what[48];
        snprintf(what, sizeof what, "wait until %s %s", t[2].s, t[3].s);
        if (number(p, what, t[4].s, -1e300, false, 1e300, false, &c.value))
            return -1;
        rest = 5;
    }
    if (parse_within(p, t + rest, nt - rest, &c.within))
        return -1;
    struct script_cmd *cmd = new_cmd(p, SCRIPT_WAIT_UNTIL);
    cmd->metric = c.metric;
    cmd->cmp = c.cmp;
    cmd->value = c.value;
    cmd->within = c.within;
    if (c.metric == SCRIPT_M_STEP && (c.cmp == SCRIPT_GE || c.cmp == SCRIPT_GT) &&
        c.value > (double)p->min_step && c.value < (double)SCRIPT_COUNT_MAX) {
        p->min_step = (uint64_t)c.value;
        p->min_step_line = p->line;
    }
    return 0;
}

static int
parse_caption(struct parser *p, struct token *t, int nt)
{
    if (nt == 2 && !t[1].quoted && strcmp(t[1].s, "off") == 0) {
        new_cmd(p, SCRIPT_CAPTION);
        return 0;
    }
    if (nt != 2 && nt != 5)
        return perr(p, "expected caption \"text\", caption \"text\" for N steps|frames, or "
                       "caption off");
    char *s = NULL;
    struct script_cmd c = {0};
    if (nt == 5) {
        if (strcmp(t[2].s, "for") != 0 ||
            (strcmp(t[4].s, "steps") != 0 && strcmp(t[4].s, "frames") != 0))
            return perr(p, "caption: expected \"for N steps\" or \"for N frames\" after the text");
        if (count(p, "caption ... for", t[3].s, 1, SCRIPT_COUNT_MAX, &c.count))
            return -1;
        c.frames = t[4].s[0] == 'f';
    }
    if (text(p, "caption", &t[1], &s))
        return -1;
    struct script_cmd *cmd = new_cmd(p, SCRIPT_CAPTION);
    cmd->text = s;
    cmd->count = c.count;
    cmd->frames = c.frames;
    return 0;
}

static int
parse_line(struct parser *p, char *line)
{
    struct token t[SCRIPT_TOKENS_MAX];
    int nt = tokenize(p, line, t, SCRIPT_TOKENS_MAX);
    if (nt <= 0)
        return nt;
    if (t[0].quoted)
        return perr(p, "expected a command, got quoted text");
    if (p->end_line)
        return perr(p, "nothing may follow end (line %d)", p->end_line);
    bool handled;
    int rs = parse_setup(p, t, nt, &handled);
    if (rs != 0 || handled)
        return rs;
    const char *w = t[0].s;
    size_t before = p->sc->ncmd;
    int rc;
    uint64_t n;
    if (strcmp(w, "set") == 0) {
        rc = parse_set(p, t, nt);
    } else if (strcmp(w, "key") == 0) {
        rc = parse_key(p, t, nt);
    } else if (strcmp(w, "wait") == 0) {
        rc = parse_wait(p, t, nt);
    } else if (strcmp(w, "at") == 0) {
        if (nt != 3 || strcmp(t[1].s, "step") != 0)
            return perr(p, "expected \"at step N\"");
        if (count(p, "at step", t[2].s, 0, SCRIPT_COUNT_MAX, &n))
            return -1;
        if (n < p->min_step)
            return perr(p, "at step %llu: steps must not go backwards (line %d already waits "
                           "until step %llu or later)",
                        (unsigned long long)n, p->min_step_line, (unsigned long long)p->min_step);
        new_cmd(p, SCRIPT_AT_STEP)->count = n;
        p->min_step = n;
        p->min_step_line = p->line;
        rc = 0;
    } else if (strcmp(w, "pause") == 0 || strcmp(w, "resume") == 0) {
        if (nt != 1)
            return perr(p, "%s takes nothing after it", w);
        new_cmd(p, w[0] == 'p' ? SCRIPT_PAUSE : SCRIPT_RESUME);
        rc = 0;
    } else if (strcmp(w, "caption") == 0) {
        rc = parse_caption(p, t, nt);
    } else if (strcmp(w, "marker") == 0) {
        char *s = NULL;
        if (arity(p, nt, 2, 2, "marker \"label\"") || text(p, "marker", &t[1], &s))
            return -1;
        new_cmd(p, SCRIPT_MARKER)->text = s;
        rc = 0;
    } else if (strcmp(w, "speed") == 0) {
        if (arity(p, nt, 2, 2, "speed N (steps per frame)") ||
            count(p, "speed", t[1].s, 1, SCRIPT_SPEED_MAX, &n))
            return -1;
        new_cmd(p, SCRIPT_SPEED)->count = n;
        rc = 0;
    } else if (strcmp(w, "end") == 0) {
        if (nt != 1)
            return perr(p, "end takes nothing after it");
        new_cmd(p, SCRIPT_END);
        p->end_line = p->line;
        rc = 0;
    } else {
        return perr(p, "unknown command \"%s\"; expected set, key, wait, at, pause, resume, "
                       "caption, marker, speed or end (or, first, data, width, seed, model, "
                       "bias, size, fps, title)",
                    w);
    }
    if (rc == 0 && p->sc->ncmd > before && !p->first_cmd_line)
        p->first_cmd_line = p->line;
    return rc;
}

int
script_parse(const char *name, const char *text, size_t len, struct script **out, char **cause)
{
    struct script *sc = xcalloc(1, sizeof *sc);
    sc->name = xstrdup(name);
    sc->setup.bias = true;
    struct parser p = {.name = name, .cause = cause, .sc = sc};
    char *buf = xmalloc(len + 1);
    memcpy(buf, text, len);
    buf[len] = '\0';
    int rc = 0;
    char *s = buf, *stop = buf + len;
    while (s < stop || (s == buf && len == 0)) {
        p.line++;
        char *nl = memchr(s, '\n', (size_t)(stop - s));
        char *e = nl ? nl : stop;
        if (memchr(s, '\0', (size_t)(e - s))) {
            rc = perr(&p, "a NUL byte: scripts are text");
            break;
        }
        *e = '\0';
        if (e > s && e[-1] == '\r')
            e[-1] = '\0';
        if ((rc = parse_line(&p, s)) != 0)
            break;
        if (!nl)
            break;
        s = nl + 1;
    }
    free(buf);
    if (rc != 0) {
        script_destroy(sc);
        return -1;
    }
    *out = sc;
    return 0;
}

int
script_load(const char *path, struct script **out, char **cause)
{
    struct stat st;
    if (!path[0]) {
        *cause = xasprintf("--script: expected a file name, got an empty string");
        return SCRIPT_EREAD;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        *cause = xasprintf("--script: %s: is a directory (expected a script file)", path);
        return SCRIPT_EREAD;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        *cause = xasprintf("--script: %s: %s", path, strerror(errno));
        return SCRIPT_EREAD;
    }
    char *buf = xmalloc(SCRIPT_FILE_MAX + 1);
    size_t n = fread(buf, 1, SCRIPT_FILE_MAX + 1, f);
    int rc = SCRIPT_EREAD;
    if (ferror(f))
        *cause = xasprintf("--script: %s: %s", path, strerror(errno));
    else if (n > SCRIPT_FILE_MAX)
        *cause = xasprintf("--script: %s: larger than %u bytes; a script is a short text file",
                           path, SCRIPT_FILE_MAX);
    else
        rc = script_parse(path, buf, n, out, cause) == 0 ? 0 : SCRIPT_EPARSE;
    free(buf);
    fclose(f);
    return rc;
}

/* n * f rounded up, at least 1. */
static uint64_t
scaled(uint64_t n, double f)
{
    double x = ceil((double)n * f);
    return x < 1.0 ? 1 : (uint64_t)x;
}

void
script_scale(struct script *s, double f)
{
    /* ceil(n f) never decreases with n, so "at step" still never goes backwards. */
    for (size_t i = 0; i < s->ncmd; i++) {
        struct script_cmd *c = &s->cmd[i];
        switch (c->op) {
        case SCRIPT_WAIT_STEPS:
        case SCRIPT_WAIT_FRAMES:
            c->count = scaled(c->count, f);
            break;
        case SCRIPT_AT_STEP:
        case SCRIPT_CAPTION:
            if (c->count)
                c->count = scaled(c->count, f);
            break;
        case SCRIPT_WAIT_UNTIL:
            c->within = scaled(c->within, f);
            if (c->metric == SCRIPT_M_STEP)
                c->value = ceil(c->value * f);
            break;
        default:
            break;
        }
    }
}

void
script_destroy(struct script *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ncmd; i++)
        free(s->cmd[i].text);
    free(s->cmd);
    free(s->setup.title);
    free(s->name);
    free(s);
}
