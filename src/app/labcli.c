/*
 * The other settings' command line (getopt_long, as cli.c).  Flags are
 * read first, the kind's defaults (ou_lab_config_default) filled in for
 * what was not given, then each size is checked against the kind's range
 * so that a refusal names the flag, the setting and the range.  Numbers
 * go through cli_number and cli_integer, shared with the 1D flags.
 */
#include "config.h"

#include "labcli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"
#include "io/xmalloc.h"
#include "ouscope/engine.h"

/* Ranges of the flags that are not the engine's own knobs. */
#define LABCLI_INIT_MAX 100.0
#define LABCLI_TARGET_MAX 1e6
#define LABCLI_LAMBDA_MAX 1e6
#define LABCLI_DATA_NOISE_MAX 100.0
#define LABCLI_STEPS_MAX 1000000000000ULL

enum {
    OPT_SETTING = 256,
    OPT_SEED,
    OPT_ETA,
    OPT_SIGMA,
    OPT_BATCH,
    OPT_NOISE,
    OPT_N,
    OPT_DIM,
    OPT_RANK,
    OPT_WIDTH,
    OPT_INIT,
    OPT_TRAIN_OUT,
    OPT_TARGET,
    OPT_RIDGE_LAMBDA,
    OPT_DATA_NOISE,
    OPT_FPS,
    OPT_FRAMES,
    OPT_HEADLESS,
    OPT_STEPS,
    OPT_EVERY,
    OPT_CSV,
    OPT_NO_COLOR,
    OPT_LIGHT
};

static const struct option long_opts[] = {
    {"setting", required_argument, NULL, OPT_SETTING},
    {"seed", required_argument, NULL, OPT_SEED},
    {"eta", required_argument, NULL, OPT_ETA},
    {"sigma", required_argument, NULL, OPT_SIGMA},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"noise", required_argument, NULL, OPT_NOISE},
    {"n", required_argument, NULL, OPT_N},
    {"dim", required_argument, NULL, OPT_DIM},
    {"rank", required_argument, NULL, OPT_RANK},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"init", required_argument, NULL, OPT_INIT},
    {"train-out", required_argument, NULL, OPT_TRAIN_OUT},
    {"target", required_argument, NULL, OPT_TARGET},
    {"ridge-lambda", required_argument, NULL, OPT_RIDGE_LAMBDA},
    {"data-noise", required_argument, NULL, OPT_DATA_NOISE},
    {"fps", required_argument, NULL, OPT_FPS},
    {"frames", required_argument, NULL, OPT_FRAMES},
    {"headless", no_argument, NULL, OPT_HEADLESS},
    {"steps", required_argument, NULL, OPT_STEPS},
    {"every", required_argument, NULL, OPT_EVERY},
    {"csv", required_argument, NULL, OPT_CSV},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"light", no_argument, NULL, OPT_LIGHT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char usage_text[] =
    "Usage: ouscope --setting KIND [OPTION]...\n"
    "Watch label-noise SGD in one of the other settings, live in the terminal.\n"
    "KIND is sensing (matrix sensing, X = U U^T), sigmoid (a sigmoid net on one\n"
    "point), sparse (the quadratic sparse model v(.)v) or ridge (least squares\n"
    "beside ridge regression).  Defaults are each setting's reference set-up.\n"
    "\n"
    "Noise and SGD:\n"
    "  --seed S             master seed of every random stream, 0..2^64-1 (1)\n"
    "  --eta ETA            learning rate, in (0, 10]\n"
    "  --sigma SIGMA        noise standard deviation, in [0, 100]\n"
    "  --batch B            distinct points per step, 1..n\n"
    "  --noise KIND         label (fresh noise on the labels) or param (isotropic\n"
    "                       Gaussian kicks on theta of the same total size) (label)\n"
    "Sizes (each setting checks its own ranges):\n"
    "  --n N                measurements or points: sensing, sparse (n < d), ridge\n"
    "  --dim D              sensing: side of X* (1..24); sigmoid: input dimension;\n"
    "                       sparse, ridge: coefficients (up to 256)\n"
    "  --rank R             sensing: rank of X*; sparse: nonzeros of the truth\n"
    "  --width W            sensing: columns of U; sigmoid: units (1..64)\n"
    "  --init X             scale of the initial parameters, in [0, 100]\n"
    "                       (> 0 except for ridge)\n"
    "  --train-out on|off   sigmoid: train the output weights a_j (off)\n"
    "  --target Y           sigmoid: the label of the one point (in (0, width) when\n"
    "                       the a_j are fixed at 1)\n"
    "  --ridge-lambda X     ridge: a fixed lambda in (0, 10^6], or 0 for\n"
    "                       lambda = 1/(eta t) (0)\n"
    "  --data-noise X       ridge: std of the noise fixed into the labels, [0, 100]\n"
    "Live view:\n"
    "  --fps F              frames per second, 1..240 (30)\n"
    "  --frames N           quit after N frames, 1..10^12 (run until q)\n"
    "  --no-color           monochrome (also when NO_COLOR is set)\n"
    "  --light              colours for a light background\n"
    "Headless runs:\n"
    "  --headless           run without a terminal, writing CSV\n"
    "  --steps N            steps to run, 0..10^12 (required with --headless)\n"
    "  --every K            one CSV row every K steps, 1..10^12 (1000)\n"
    "  --csv FILE           the CSV file, '-' for standard output (-)\n"
    "  -h, --help           show this help and exit\n"
    "\n"
    "Exit status: 0 success, 1 runtime error or divergence, 2 bad usage.\n"
    "Keys and columns: ouscope(1), SETTINGS; the science: ouscope-science(7).\n";

/* Which flags were given (the rest take the kind's defaults). */
enum {
    SET_SEED = 1u << 0,
    SET_ETA = 1u << 1,
    SET_SIGMA = 1u << 2,
    SET_BATCH = 1u << 3,
    SET_NOISE = 1u << 4,
    SET_N = 1u << 5,
    SET_DIM = 1u << 6,
    SET_RANK = 1u << 7,
    SET_WIDTH = 1u << 8,
    SET_INIT = 1u << 9,
    SET_TRAIN_OUT = 1u << 10,
    SET_TARGET = 1u << 11,
    SET_LAMBDA = 1u << 12,
    SET_DATA_NOISE = 1u << 13,
    SET_STEPS = 1u << 14,
    SET_EVERY = 1u << 15,
    SET_CSV = 1u << 16,
    SET_FPS = 1u << 17,
    SET_FRAMES = 1u << 18
};

/* Kind bits: which settings a size flag means something for. */
#define K_SENS (1u << OU_LAB_SENSING)
#define K_SIG (1u << OU_LAB_SIGMOID)
#define K_SPA (1u << OU_LAB_SPARSE)
#define K_RID (1u << OU_LAB_RIDGE)

static const struct {
    unsigned bit;
    const char *flag;
    unsigned kinds;
    const char *which; /* the settings that take it, for the message */
} kind_flags[] = {
    {SET_N, "--n", K_SENS | K_SPA | K_RID, "sensing, sparse and ridge (sigmoid has one point)"},
    {SET_RANK, "--rank", K_SENS | K_SPA, "sensing and sparse"},
    {SET_WIDTH, "--width", K_SENS | K_SIG, "sensing and sigmoid"},
    {SET_TRAIN_OUT, "--train-out", K_SIG, "sigmoid"},
    {SET_TARGET, "--target", K_SIG, "sigmoid"},
    {SET_LAMBDA, "--ridge-lambda", K_RID, "ridge"},
    {SET_DATA_NOISE, "--data-noise", K_RID, "ridge"},
};

bool
labcli_wanted(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "--setting") == 0 || strncmp(argv[i], "--setting=", 10) == 0)
            return true;
    }
    return false;
}

/*
 * The sizes, in the order they are checked: --rank and --n may depend on
 * --dim, --batch on --n.
 */
enum size_flag { SZ_DIM, SZ_WIDTH, SZ_N, SZ_RANK, SZ_BATCH, SZ_COUNT };

static const char *const size_names[SZ_COUNT] = {"--dim", "--width", "--n", "--rank", "--batch"};

static size_t *
size_field(struct ou_lab_config *c, enum size_flag f)
{
    switch (f) {
    case SZ_DIM:
        return &c->dim;
    case SZ_WIDTH:
        return &c->width;
    case SZ_N:
        return &c->n;
    case SZ_RANK:
        return &c->rank;
    case SZ_BATCH:
    case SZ_COUNT:
    default:
        return &c->batch;
    }
}

/*
 * The kind's range lo..hi for size f, given the sizes before it in
 * enum size_flag order, and what the size is, for messages.  False if the
 * kind has no such size (kind_flags refuses the flag first).
 */
static bool
size_range(const struct ou_lab_config *c, enum size_flag f, size_t *lo, size_t *hi,
           const char **what)
{
    *lo = 1;
    switch (f) {
    case SZ_BATCH:
        *hi = c->n;
        *what = "points per step, at most n";
        return true;
    case SZ_DIM:
        switch (c->kind) {
        case OU_LAB_SENSING:
            *hi = OU_LAB_SIDE_MAX;
            *what = "the side d of X*";
            return true;
        case OU_LAB_SIGMOID:
            *hi = OU_LAB_DIM_MAX;
            *what = "input dimension";
            return true;
        case OU_LAB_SPARSE:
            *lo = 2;
            *hi = OU_LAB_DIM_MAX;
            *what = "coefficients d";
            return true;
        case OU_LAB_RIDGE:
        default:
            *hi = OU_LAB_DIM_MAX;
            *what = "coefficients d";
            return true;
        }
    case SZ_WIDTH:
        *hi = OU_LAB_UNITS_MAX;
        *what = c->kind == OU_LAB_SENSING ? "the columns d' of U" : "units";
        return c->kind == OU_LAB_SENSING || c->kind == OU_LAB_SIGMOID;
    case SZ_N:
        if (c->kind == OU_LAB_SPARSE) {
            *hi = c->dim - 1 < OU_LAB_N_MAX ? c->dim - 1 : OU_LAB_N_MAX;
            *what = "points, fewer than --dim";
        } else {
            *hi = OU_LAB_N_MAX;
            *what = c->kind == OU_LAB_SENSING ? "measurements" : "points";
        }
        return c->kind != OU_LAB_SIGMOID;
    case SZ_RANK:
        *hi = c->dim;
        *what = c->kind == OU_LAB_SENSING ? "rank of X*, at most --dim"
                                          : "nonzeros of the truth, at most --dim";
        return c->kind == OU_LAB_SENSING || c->kind == OU_LAB_SPARSE;
    case SZ_COUNT:
    default:
        return false;
    }
}

/*
 * The sizes against the kind's ranges (the same as its check in the
 * engine), in order: arg[f] is the flag's text if it was given (read here,
 * once the kind and the sizes before it are known, so that a refusal gives
 * the kind's own range), NULL for the kind's default.
 */
static int
check_sizes(struct labcli_opts *o, const char *const arg[SZ_COUNT], bool batch_follows_n,
            char **cause)
{
    struct ou_lab_config *c = &o->cfg;
    const char *k = ou_lab_kind_name(c->kind);
    for (int f = 0; f < SZ_COUNT; f++) {
        size_t lo, hi;
        const char *what;
        if (!size_range(c, (enum size_flag)f, &lo, &hi, &what))
            continue;
        size_t *v = size_field(c, (enum size_flag)f);
        /* A full-batch default stays full batch when --n changes n; a smaller one fits under n. */
        if (f == SZ_BATCH && !arg[f] && (batch_follows_n || *v > c->n))
            *v = c->n;
        if (arg[f]) {
            char *end;
            errno = 0;
            unsigned long long x = strtoull(arg[f], &end, 10);
            if (arg[f][0] < '0' || arg[f][0] > '9' || *end != '\0' || errno == ERANGE || x < lo ||
                x > hi) {
                *cause = xasprintf("%s: expected a whole number in %zu..%zu for --setting %s "
                                   "(%s), got \"%s\"",
                                   size_names[f], lo, hi, k, what, arg[f]);
                return -1;
            }
            *v = (size_t)x;
        } else if (*v < lo || *v > hi) {
            *cause = xasprintf("%s: expected a whole number in %zu..%zu for --setting %s (%s), "
                               "got %zu (the default)",
                               size_names[f], lo, hi, k, what, *v);
            return -1;
        }
    }
    if (c->kind == OU_LAB_SIGMOID && !c->train_out &&
        !(c->target > 0.0 && c->target < (double)c->width)) {
        *cause = xasprintf("--target: expected a number in (0, %zu) for --setting sigmoid "
                           "with the output weights fixed at 1 (h = sum of %zu sigmoids "
                           "lies in (0, %zu); --train-out on lifts this), got %g",
                           c->width, c->width, c->width, c->target);
        return -1;
    }
    if (c->kind != OU_LAB_RIDGE && !(c->init_scale > 0.0)) {
        *cause = xasprintf("--init: expected a number in (0, %g] for --setting %s (0 is a "
                           "critical point no noise leaves), got %g",
                           LABCLI_INIT_MAX, k, c->init_scale);
        return -1;
    }
    return 0;
}

char *
labcli_sizes_message(const struct ou_lab_config *c)
{
    static const char *const ranges[OU_LAB_NKINDS] = {
        [OU_LAB_SENSING] = "--dim 1..24, --width 1..64, --rank 1..dim, --n 1..2048, --init > 0",
        [OU_LAB_SIGMOID] = "one point, --dim 1..256, --width 1..64, --target in (0, width) "
                           "unless --train-out on, --init > 0",
        [OU_LAB_SPARSE] = "--dim 2..256, --n 1..dim-1, --rank 1..dim, --init > 0",
        [OU_LAB_RIDGE] = "--dim 1..256, --n 1..2048, --init >= 0, --ridge-lambda >= 0",
    };
    const char *k = ou_lab_kind_name(c->kind);
    return xasprintf("--setting %s: these sizes do not fit together (n %zu, dim %zu, rank %zu, "
                     "width %zu, batch %zu); %s takes %s, and --batch 1..n",
                     k, c->n, c->dim, c->rank, c->width, c->batch, k,
                     (unsigned)c->kind < OU_LAB_NKINDS ? ranges[c->kind] : "nothing");
}

static int parse_args(int argc, char **argv, struct labcli_opts *o, FILE *out, char **cause);

/* As cli_parse: a refusal is scrubbed of control characters (cli_scrub). */
int
labcli_parse(int argc, char **argv, struct labcli_opts *o, FILE *out, char **cause)
{
    int r = parse_args(argc, argv, o, out, cause);
    if (r < 0)
        cli_scrub(*cause);
    return r;
}

static int
parse_args(int argc, char **argv, struct labcli_opts *o, FILE *out, char **cause)
{
    struct ou_lab_config g; /* the values given, taken where their bit is set */
    unsigned set = 0;
    const char *size_arg[SZ_COUNT] = {NULL}; /* read once the kind is known */
    bool have_kind = false;
    enum ou_lab_kind kind = OU_LAB_SENSING;
    memset(o, 0, sizeof *o);
    memset(&g, 0, sizeof g);
    o->csv = "-";
    o->every = 1000;
    o->fps = 30.0;
    o->color = true;
    opterr = 0;
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
        const char *a = optarg;
        switch (c) {
        case OPT_SETTING:
            if (!ou_lab_kind_parse(a, &kind)) {
                *cause = xasprintf("--setting: expected sensing, sigmoid, sparse or ridge, got "
                                   "\"%s\"",
                                   a);
                return -1;
            }
            have_kind = true;
            break;
        case OPT_SEED:
            if (cli_integer("--seed", a, 0, UINT64_MAX, &g.seed, cause))
                return -1;
            set |= SET_SEED;
            break;
        case OPT_ETA:
            if (cli_number("--eta", a, 0, true, OU_ETA_MAX, false, &g.eta, cause))
                return -1;
            set |= SET_ETA;
            break;
        case OPT_SIGMA:
            if (cli_number("--sigma", a, 0, false, OU_SIGMA_MAX, false, &g.sigma, cause))
                return -1;
            set |= SET_SIGMA;
            break;
        case OPT_BATCH:
            size_arg[SZ_BATCH] = a;
            set |= SET_BATCH;
            break;
        case OPT_NOISE:
            if (strcmp(a, "label") == 0) {
                g.noise = OU_LAB_NOISE_LABEL;
            } else if (strcmp(a, "param") == 0) {
                g.noise = OU_LAB_NOISE_PARAM;
            } else {
                *cause = xasprintf("--noise: expected label or param, got \"%s\"", a);
                return -1;
            }
            set |= SET_NOISE;
            break;
        case OPT_N:
            size_arg[SZ_N] = a;
            set |= SET_N;
            break;
        case OPT_DIM:
            size_arg[SZ_DIM] = a;
            set |= SET_DIM;
            break;
        case OPT_RANK:
            size_arg[SZ_RANK] = a;
            set |= SET_RANK;
            break;
        case OPT_WIDTH:
            size_arg[SZ_WIDTH] = a;
            set |= SET_WIDTH;
            break;
        case OPT_INIT:
            if (cli_number("--init", a, 0, false, LABCLI_INIT_MAX, false, &g.init_scale, cause))
                return -1;
            set |= SET_INIT;
            break;
        case OPT_TRAIN_OUT:
            if (strcmp(a, "on") == 0 || strcmp(a, "off") == 0) {
                g.train_out = a[1] == 'n';
            } else {
                *cause = xasprintf("--train-out: expected on or off, got \"%s\"", a);
                return -1;
            }
            set |= SET_TRAIN_OUT;
            break;
        case OPT_TARGET:
            if (cli_number("--target", a, -LABCLI_TARGET_MAX, false, LABCLI_TARGET_MAX, false,
                           &g.target, cause))
                return -1;
            set |= SET_TARGET;
            break;
        case OPT_RIDGE_LAMBDA:
            if (cli_number("--ridge-lambda", a, 0, false, LABCLI_LAMBDA_MAX, false, &g.ridge_lambda,
                           cause))
                return -1;
            set |= SET_LAMBDA;
            break;
        case OPT_DATA_NOISE:
            if (cli_number("--data-noise", a, 0, false, LABCLI_DATA_NOISE_MAX, false, &g.data_noise,
                           cause))
                return -1;
            set |= SET_DATA_NOISE;
            break;
        case OPT_FPS:
            if (cli_number("--fps", a, 1, false, 240, false, &o->fps, cause))
                return -1;
            set |= SET_FPS;
            break;
        case OPT_FRAMES:
            if (cli_integer("--frames", a, 1, LABCLI_STEPS_MAX, &o->frames, cause))
                return -1;
            set |= SET_FRAMES;
            break;
        case OPT_HEADLESS:
            o->headless = true;
            break;
        case OPT_STEPS:
            if (cli_integer("--steps", a, 0, LABCLI_STEPS_MAX, &o->steps, cause))
                return -1;
            set |= SET_STEPS;
            break;
        case OPT_EVERY:
            if (cli_integer("--every", a, 1, LABCLI_STEPS_MAX, &o->every, cause))
                return -1;
            set |= SET_EVERY;
            break;
        case OPT_CSV:
            if (a[0] == '\0') {
                *cause = xasprintf("--csv: expected a file name or '-', got an empty string");
                return -1;
            }
            o->csv = a;
            set |= SET_CSV;
            break;
        case OPT_NO_COLOR:
            o->color = false;
            break;
        case OPT_LIGHT:
            o->light = true;
            break;
        case 'h':
            fputs(usage_text, out);
            return 1;
        case ':':
            *cause = xasprintf("%s: missing value (see ouscope --setting sensing --help)",
                               argv[optind - 1]);
            return -1;
        default: {
            const char *arg = argv[optind - 1];
            if (optopt >= OPT_SETTING || optopt == 'h') {
                size_t k = strcspn(arg, "=");
                *cause = xasprintf("%.*s: takes no value (see ouscope --setting sensing --help)",
                                   (int)k, arg);
            } else if (optopt > 0 && optopt < 128) {
                *cause =
                    xasprintf("-%c: unknown option (see ouscope --setting sensing --help)", optopt);
            } else {
                *cause = xasprintf("%s: unknown option for --setting (see ouscope --setting "
                                   "sensing --help)",
                                   arg);
            }
            return -1;
        }
        }
    }
    if (optind < argc) {
        *cause = xasprintf("%s: unexpected argument (options start with --; see ouscope "
                           "--setting sensing --help)",
                           argv[optind]);
        return -1;
    }
    if (!have_kind) {
        *cause = xasprintf("--setting: expected sensing, sigmoid, sparse or ridge");
        return -1;
    }

    /* Modes: the headless flags only headless, the live view's only live. */
    if (o->headless && !(set & SET_STEPS)) {
        *cause = xasprintf("--headless: needs --steps N (how many steps to run)");
        return -1;
    }
    static const struct {
        unsigned bit;
        const char *flag;
        bool headless; /* the flag belongs to the headless mode */
    } mode_flags[] = {{SET_STEPS, "--steps", true},
                      {SET_EVERY, "--every", true},
                      {SET_CSV, "--csv", true},
                      {SET_FPS, "--fps", false},
                      {SET_FRAMES, "--frames", false}};
    for (size_t i = 0; i < sizeof mode_flags / sizeof mode_flags[0]; i++)
        if ((set & mode_flags[i].bit) && mode_flags[i].headless != o->headless) {
            *cause = xasprintf(mode_flags[i].headless ? "%s: only with --headless"
                                                      : "%s: only for the live view, not with "
                                                        "--headless",
                               mode_flags[i].flag);
            return -1;
        }

    /* Flags that mean nothing for this kind are refused rather than ignored. */
    for (size_t i = 0; i < sizeof kind_flags / sizeof kind_flags[0]; i++)
        if ((set & kind_flags[i].bit) && !(kind_flags[i].kinds & (1u << kind))) {
            *cause = xasprintf("%s: not for --setting %s; it is for %s", kind_flags[i].flag,
                               ou_lab_kind_name(kind), kind_flags[i].which);
            return -1;
        }

    /* The kind's reference set-up, then what was given. */
    struct ou_lab_config *cf = &o->cfg;
    ou_lab_config_default(cf, kind);
    const bool batch_follows_n = cf->batch == cf->n;
    if (set & SET_SEED)
        cf->seed = g.seed;
    if (set & SET_ETA)
        cf->eta = g.eta;
    if (set & SET_SIGMA)
        cf->sigma = g.sigma;
    if (set & SET_NOISE)
        cf->noise = g.noise;
    if (set & SET_INIT)
        cf->init_scale = g.init_scale;
    if (set & SET_TRAIN_OUT)
        cf->train_out = g.train_out;
    if (set & SET_TARGET)
        cf->target = g.target;
    if (set & SET_LAMBDA)
        cf->ridge_lambda = g.ridge_lambda;
    if (set & SET_DATA_NOISE)
        cf->data_noise = g.data_noise;
    return check_sizes(o, size_arg, batch_follows_n, cause);
}
