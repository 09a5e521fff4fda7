/*
 * Command-line parsing (GNU style, getopt_long).  Every refusal names the
 * flag, what was allowed and what was given; nothing here prints except
 * --help and --version.
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/xmalloc.h"
#include "ouscope/fluct.h"
#include "render/panes.h"

/* The optimizer's flags, numbered apart from the others. */
enum { OPT_OPTIMIZER = 1024, OPT_BETA1, OPT_BETA2, OPT_RMS_DECAY, OPT_ADAM_EPS, OPT_SAM_RHO };

/* The A/B comparison's flag. */
enum { OPT_COMPARE = 2048 };

enum {
    OPT_HEADLESS = 256,
    OPT_STEPS,
    OPT_SEED,
    OPT_DATA,
    OPT_N,
    OPT_WIDTH,
    OPT_LR,
    OPT_NOISE,
    OPT_NOISE_KIND,
    OPT_BATCH,
    OPT_MOMENTUM,
    OPT_FROZEN,
    OPT_NO_BIAS,
    OPT_CSV,
    OPT_EVERY,
    OPT_SAVE,
    OPT_LOAD,
    OPT_EXPORT,
    OPT_EMA,
    OPT_PROJECT,
    OPT_OU_WINDOW,
    OPT_MODEL,
    OPT_FPS,
    OPT_FRAMES,
    OPT_NO_MOUSE,
    OPT_GLYPHS,
    OPT_NO_COLOR,
    OPT_LIGHT,
    OPT_RECORD,
    OPT_SCRIPT,
    OPT_LESSON,
    OPT_SIZE,
    OPT_HIDE,
    OPT_DUMP_SCREEN,
    OPT_SCRIPT_SCALE
};

static const struct option long_opts[] = {
    {"headless", no_argument, NULL, OPT_HEADLESS},
    {"steps", required_argument, NULL, OPT_STEPS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"data", required_argument, NULL, OPT_DATA},
    {"n", required_argument, NULL, OPT_N},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"lr", required_argument, NULL, OPT_LR},
    {"noise", required_argument, NULL, OPT_NOISE},
    {"noise-kind", required_argument, NULL, OPT_NOISE_KIND},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"momentum", required_argument, NULL, OPT_MOMENTUM},
    {"optimizer", required_argument, NULL, OPT_OPTIMIZER},
    {"beta1", required_argument, NULL, OPT_BETA1},
    {"beta2", required_argument, NULL, OPT_BETA2},
    {"rms-decay", required_argument, NULL, OPT_RMS_DECAY},
    {"adam-eps", required_argument, NULL, OPT_ADAM_EPS},
    {"sam-rho", required_argument, NULL, OPT_SAM_RHO},
    {"compare", required_argument, NULL, OPT_COMPARE},
    {"frozen", no_argument, NULL, OPT_FROZEN},
    {"no-bias", no_argument, NULL, OPT_NO_BIAS},
    {"csv", required_argument, NULL, OPT_CSV},
    {"every", required_argument, NULL, OPT_EVERY},
    {"save", required_argument, NULL, OPT_SAVE},
    {"load", required_argument, NULL, OPT_LOAD},
    {"export-params", required_argument, NULL, OPT_EXPORT},
    {"ema", required_argument, NULL, OPT_EMA},
    {"project", no_argument, NULL, OPT_PROJECT},
    {"ou-window", required_argument, NULL, OPT_OU_WINDOW},
    {"model", required_argument, NULL, OPT_MODEL},
    {"fps", required_argument, NULL, OPT_FPS},
    {"frames", required_argument, NULL, OPT_FRAMES},
    {"no-mouse", no_argument, NULL, OPT_NO_MOUSE},
    {"glyphs", required_argument, NULL, OPT_GLYPHS},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"light", no_argument, NULL, OPT_LIGHT},
    {"record", required_argument, NULL, OPT_RECORD},
    {"script", required_argument, NULL, OPT_SCRIPT},
    {"lesson", required_argument, NULL, OPT_LESSON},
    {"size", required_argument, NULL, OPT_SIZE},
    {"hide", required_argument, NULL, OPT_HIDE},
    {"dump-screen", required_argument, NULL, OPT_DUMP_SCREEN},
    {"script-scale", required_argument, NULL, OPT_SCRIPT_SCALE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static const char usage_text[] =
    "Usage: ouscope [OPTION]...\n"
    "       ouscope --setting sensing|sigmoid|sparse|ridge [OPTION]...\n"
    "Watch label-noise SGD train a 1D two-layer ReLU net, live in the terminal;\n"
    "with --setting, one of the other settings instead (its options:\n"
    "ouscope --setting KIND --help).\n"
    "\n"
    "Model and data:\n"
    "  --data NAME|FILE     sin3x, x2, abs, random, or a CSV file of x,y rows (sin3x)\n"
    "  --n N                points of a built-in data set, 2..1024 (8)\n"
    "  --model KIND         relu (two-layer ReLU net) or linear (frozen random\n"
    "                       Fourier features: the exact OU setting) (relu)\n"
    "  --width M            hidden units or features, 1..4096 (32)\n"
    "  --no-bias            do not train the output bias c\n"
    "  --seed S             master seed of every random stream, 0..2^64-1 (1)\n"
    "Label-noise SGD:\n"
    "  --lr ETA             learning rate, in (0, 10] (0.05)\n"
    "  --noise SIGMA        label-noise standard deviation, in [0, 100] (0.5)\n"
    "  --noise-kind KIND    gauss or pm (+-sigma) (gauss)\n"
    "  --batch B            distinct points per step, 1..n (8; n = full batch)\n"
    "  --momentum MU        heavy-ball momentum, in [0, 0.999] (0; not for adam)\n"
    "  --optimizer KIND     sgd, rmsprop, adam, sam or pathsgd (sgd)\n"
    "  --beta1 B1           Adam's first-moment decay, in [0, 1) (0.9)\n"
    "  --beta2 B2           Adam's second-moment decay, in [0, 1) (0.999)\n"
    "  --rms-decay RHO      RMSProp's mean-square decay, in [0, 1) (0.99)\n"
    "  --adam-eps EPS       epsilon of the Adam and RMSProp denominators,\n"
    "                       in (0, 1] (1e-08)\n"
    "  --sam-rho R          SAM's ascent radius, in [0, 10] (0.05)\n"
    "  --frozen             draw the label noise once and keep it (default: fresh)\n"
    "  --ema STEPS          time constant of the reg average, >= 1 (1000)\n"
    "Headless runs:\n"
    "  --headless           run without a terminal, writing metrics as CSV\n"
    "  --steps N            steps to run, 0..10^12 (required with --headless)\n"
    "  --csv FILE           metrics CSV, '-' for standard output (-)\n"
    "  --every K            one CSV row every K steps, 1..10^12 (1000)\n"
    "  --project            add the projected reg (noise-free descent to L < 1e-20)\n"
    "  --ou-window W        track OU fluctuations over windows of W steps, 0 = automatic\n"
    "                       or 100..10^8 (adds per-direction variance columns; n <= 64)\n"
    "  --save FILE          write the whole state at the end (resumable)\n"
    "  --load FILE          resume a saved state (knob flags given override it)\n"
    "  --export-params FILE write the final weights, kinks and data as CSV\n"
    "Live view:\n"
    "  --fps F              frames per second, 1..240 (30)\n"
    "  --frames N           quit after N frames, 1..10^12 (run until q)\n"
    "  --glyphs KIND        braille, blocks or ascii (braille in a UTF-8 locale)\n"
    "  --no-color           monochrome (also when NO_COLOR is set)\n"
    "  --light              colours for a light background\n"
    "  --no-mouse           ignore the mouse\n"
    "  --compare KNOB=VALUE run a second net B beside A from the same start, one knob\n"
    "                       different: sigma, eta, batch, optimizer, momentum,\n"
    "                       noise (gauss|pm) or frozen (on|off); b toggles it\n"
    "  --hide FIELD,...     leave status fields out: state, step, eta, sigma, noise,\n"
    "                       batch, momentum, eta-lambda, speed, fps, seed, data,\n"
    "                       width, hints\n"
    "Recording and scripts:\n"
    "  --record FILE        record an asciicast v2 file (live, or with --headless)\n"
    "  --script FILE        drive the run from a script (--lesson FILE: the same)\n"
    "  --headless --script FILE --record FILE\n"
    "                       render the take with no terminal: the same script and\n"
    "                       seed give the same file, byte for byte\n"
    "  --size COLSxROWS     size of a headless take, 20..1000 x 5..1000 (120x40)\n"
    "  --script-scale F     multiply the script's step and frame counts by F in\n"
    "                       (0, 1], to check a script quickly\n"
    "  --dump-screen FILE   write the last frame as text at exit\n"
    "  -h, --help           show this help and exit\n"
    "  -V, --version        show the version and exit\n"
    "\n"
    "Exit status: 0 success, 1 runtime error or divergence, 2 bad usage.\n"
    "The keys and the science: ouscope(1), ouscope-science(7).\n";

int
cli_number(const char *flag, const char *arg, double lo, bool lo_open, double hi, bool hi_open,
           double *v, char **cause)
{
    char *end;
    errno = 0;
    double x = strtod(arg, &end);
    bool ok = end != arg && *end == '\0' && isfinite(x) && errno != ERANGE &&
              (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi);
    if (!ok) {
        *cause = xasprintf("%s: expected a number in %c%g, %g%c, got \"%s\"", flag,
                           lo_open ? '(' : '[', lo, hi, hi_open ? ')' : ']', arg);
        return -1;
    }
    *v = x;
    return 0;
}

int
cli_integer(const char *flag, const char *arg, uint64_t lo, uint64_t hi, uint64_t *v, char **cause)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(arg, &end, 10);
    bool ok =
        arg[0] >= '0' && arg[0] <= '9' && *end == '\0' && errno != ERANGE && x >= lo && x <= hi;
    if (!ok) {
        *cause = xasprintf("%s: expected a whole number in %llu..%llu, got \"%s\"", flag,
                           (unsigned long long)lo, (unsigned long long)hi, arg);
        return -1;
    }
    *v = (uint64_t)x;
    return 0;
}

/* "COLSxROWS" with 20..1000 columns and 5..1000 rows. */
static int
parse_size(const char *a, int *w, int *h)
{
    char *end;
    if (a[0] < '0' || a[0] > '9')
        return -1;
    errno = 0;
    unsigned long cw = strtoul(a, &end, 10);
    if (*end != 'x' || errno || end[1] < '0' || end[1] > '9')
        return -1;
    unsigned long ch = strtoul(end + 1, &end, 10);
    if (*end || errno || cw < 20 || cw > 1000 || ch < 5 || ch > 1000)
        return -1;
    *w = (int)cw;
    *h = (int)ch;
    return 0;
}

/*
 * The knobs' values, read the same way by their own flags and by --compare
 * (whose messages then name "--compare sigma" and so on).
 */
static int
knob_sigma(const char *flag, const char *a, double *v, char **cause)
{
    return cli_number(flag, a, 0, false, OU_SIGMA_MAX, false, v, cause);
}

static int
knob_eta(const char *flag, const char *a, double *v, char **cause)
{
    return cli_number(flag, a, 0, true, OU_ETA_MAX, false, v, cause);
}

static int
knob_momentum(const char *flag, const char *a, double *v, char **cause)
{
    return cli_number(flag, a, 0, false, OU_MOMENTUM_MAX, false, v, cause);
}

static int
knob_batch(const char *flag, const char *a, size_t *b, char **cause)
{
    uint64_t u;
    if (cli_integer(flag, a, 1, OU_DATA_MAX, &u, cause))
        return -1;
    *b = (size_t)u;
    return 0;
}

static int
knob_noise_kind(const char *flag, const char *a, enum ou_noise_kind *k, char **cause)
{
    if (strcmp(a, "gauss") == 0) {
        *k = OU_NOISE_GAUSS;
    } else if (strcmp(a, "pm") == 0) {
        *k = OU_NOISE_PM;
    } else {
        *cause = xasprintf("%s: expected gauss or pm, got \"%s\"", flag, a);
        return -1;
    }
    return 0;
}

static int
knob_optimizer(const char *flag, const char *a, enum ou_optim_kind *k, char **cause)
{
    if (!ou_optim_kind_parse(a, k)) {
        *cause = xasprintf("%s: expected sgd, rmsprop, adam, sam or pathsgd, got \"%s\"", flag, a);
        return -1;
    }
    return 0;
}

/* --compare KNOB=VALUE: B's one difference (app/compare.h). */
static int
parse_compare(const char *a, struct compare_spec *sp, char **cause)
{
    const char *eq = strchr(a, '=');
    char name[16], flag[32];
    size_t k = eq ? (size_t)(eq - a) : 0;
    enum compare_knob knob;
    if (!eq || k >= sizeof name) {
        name[0] = '\0';
    } else {
        memcpy(name, a, k);
        name[k] = '\0';
    }
    if (!eq || !compare_knob_parse(name, &knob)) {
        *cause = xasprintf("--compare: expected KNOB=VALUE with KNOB one of sigma, eta, batch, "
                           "optimizer, momentum, noise or frozen, got \"%s\"",
                           a);
        return -1;
    }
    const char *v = eq + 1;
    snprintf(flag, sizeof flag, "--compare %s", name);
    struct ou_config c;
    int rc = 0;
    switch (knob) {
    case COMPARE_SIGMA:
        rc = knob_sigma(flag, v, &sp->value, cause);
        break;
    case COMPARE_ETA:
        rc = knob_eta(flag, v, &sp->value, cause);
        break;
    case COMPARE_MOMENTUM:
        rc = knob_momentum(flag, v, &sp->value, cause);
        break;
    case COMPARE_BATCH:
        rc = knob_batch(flag, v, &c.batch, cause);
        sp->value = (double)c.batch;
        break;
    case COMPARE_NOISE:
        rc = knob_noise_kind(flag, v, &c.noise, cause);
        sp->value = (double)c.noise;
        break;
    case COMPARE_OPTIMIZER:
        rc = knob_optimizer(flag, v, &c.optim, cause);
        sp->value = (double)c.optim;
        break;
    case COMPARE_FROZEN:
        if (strcmp(v, "on") == 0 || strcmp(v, "off") == 0) {
            sp->value = v[1] == 'n' ? 1.0 : 0.0;
        } else {
            *cause = xasprintf("%s: expected on (frozen noise) or off (fresh noise), got \"%s\"",
                               flag, v);
            rc = -1;
        }
        break;
    case COMPARE_NONE:
    case COMPARE_NKNOBS:
    default:
        rc = -1;
        break;
    }
    if (rc == 0)
        sp->knob = knob;
    return rc;
}

/* The fields --hide knows, with their enum view_field bits. */
static const struct {
    const char *name;
    unsigned bit;
} hide_names[] = {
    {"state", VIEW_FIELD_STATE},       {"step", VIEW_FIELD_STEP},
    {"eta", VIEW_FIELD_ETA},           {"sigma", VIEW_FIELD_SIGMA},
    {"noise", VIEW_FIELD_NOISE},       {"batch", VIEW_FIELD_BATCH},
    {"momentum", VIEW_FIELD_MOMENTUM}, {"eta-lambda", VIEW_FIELD_ETA_LAMBDA},
    {"speed", VIEW_FIELD_SPEED},       {"fps", VIEW_FIELD_FPS},
    {"seed", VIEW_FIELD_SEED},         {"data", VIEW_FIELD_DATA},
    {"width", VIEW_FIELD_WIDTH},       {"hints", VIEW_FIELD_HINTS},
};

static int
parse_hide(const char *a, unsigned *hide, char **cause)
{
    const char *p = a;
    for (;;) {
        size_t k = strcspn(p, ",");
        size_t i;
        for (i = 0; i < sizeof hide_names / sizeof hide_names[0]; i++)
            if (strlen(hide_names[i].name) == k && strncmp(p, hide_names[i].name, k) == 0)
                break;
        if (i == sizeof hide_names / sizeof hide_names[0]) {
            *cause = xasprintf("--hide: expected a comma-separated list of state, step, eta, "
                               "sigma, noise, batch, momentum, eta-lambda, speed, fps, seed, "
                               "data, width or hints, got \"%.*s\"",
                               (int)k, p);
            return -1;
        }
        *hide |= hide_names[i].bit;
        if (p[k] == '\0')
            return 0;
        p += k + 1;
    }
}

/* Which combinations of the recording and script flags make sense. */
static int
check_recording(const struct cli_opts *o, char **cause)
{
    bool take = o->headless && (o->record || o->script);
    if (o->size_w && !take) {
        *cause = xasprintf("--size: only for headless takes (--headless with --script or "
                           "--record); the live view uses the terminal's size");
        return -1;
    }
    if (o->script_scale > 0.0 && !o->script) {
        *cause = xasprintf("--script-scale: only with --script FILE");
        return -1;
    }
    if (o->dump_screen && o->headless && !take) {
        *cause = xasprintf("--dump-screen: only for the live view and headless takes (--headless "
                           "with --script or --record)");
        return -1;
    }
    if (o->record && !o->headless && strcmp(o->record, "-") == 0) {
        *cause = xasprintf("--record: \"-\" (standard output) only with --headless; the live "
                           "view draws on standard output");
        return -1;
    }
    if (o->compare.knob != COMPARE_NONE && o->headless && !take) {
        *cause = xasprintf("--compare: only for the live view and headless takes (--headless "
                           "with --script or --record); a CSV run has one engine");
        return -1;
    }
    if (!take)
        return 0;
    static const struct {
        unsigned bit;
        const char *flag;
    } csv_only[] = {{CLI_SET_CSV, "--csv"}, {CLI_SET_EVERY, "--every"}};
    for (size_t i = 0; i < sizeof csv_only / sizeof csv_only[0]; i++)
        if (o->set & csv_only[i].bit) {
            *cause = xasprintf("%s: not with a headless take (--script or --record); a take "
                               "writes no CSV",
                               csv_only[i].flag);
            return -1;
        }
    const char *bad = o->project         ? "--project"
                      : o->save          ? "--save"
                      : o->export_params ? "--export-params"
                                         : NULL;
    if (bad) {
        *cause = xasprintf("%s: not with a headless take (--script or --record); run the same "
                           "knobs with --headless --steps N for it",
                           bad);
        return -1;
    }
    if (o->script && (o->set & CLI_SET_STEPS)) {
        *cause = xasprintf("--steps: not with --script (the script decides how long the take "
                           "runs)");
        return -1;
    }
    return 0;
}

static void
defaults(struct cli_opts *o)
{
    memset(o, 0, sizeof *o);
    ou_config_default(&o->cfg);
    o->data = "sin3x";
    o->n = 8;
    o->csv = "-";
    o->every = 1000;
    o->ema = 1000.0;
    o->fps = 30.0;
    o->mouse = true;
    o->color = true;
}

static int parse_args(int argc, char **argv, struct cli_opts *o, FILE *out, char **cause);

void
cli_scrub(char *msg)
{
    for (unsigned char *c = (unsigned char *)msg; c && *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            *c = '?';
}

int
cli_parse(int argc, char **argv, struct cli_opts *o, FILE *out, char **cause)
{
    int r = parse_args(argc, argv, o, out, cause);
    if (r < 0)
        cli_scrub(*cause);
    return r;
}

static int
parse_args(int argc, char **argv, struct cli_opts *o, FILE *out, char **cause)
{
    defaults(o);
    opterr = 0;
    optind = 0; /* 0, not 1: also resets getopt's state inside a cluster like -hV */
    uint64_t u;
    double v;
    int c;
    const char *compare_arg = NULL; /* the first --compare, to name it if a second comes */
    while ((c = getopt_long(argc, argv, ":hV", long_opts, NULL)) != -1) {
        const char *a = optarg;
        switch (c) {
        case OPT_HEADLESS:
            o->headless = true;
            break;
        case OPT_STEPS:
            if (cli_integer("--steps", a, 0, 1000000000000ULL, &o->steps, cause))
                return -1;
            o->set |= CLI_SET_STEPS;
            break;
        case OPT_SEED:
            if (cli_integer("--seed", a, 0, UINT64_MAX, &o->cfg.seed, cause))
                return -1;
            o->set |= CLI_SET_SEED;
            break;
        case OPT_DATA:
            if (a[0] == '\0') {
                *cause = xasprintf("--data: expected sin3x, x2, abs, random or a file name, got "
                                   "an empty string");
                return -1;
            }
            o->data = a;
            o->set |= CLI_SET_DATA;
            break;
        case OPT_N:
            if (cli_integer("--n", a, OU_DATA_MIN, OU_DATA_MAX, &u, cause))
                return -1;
            o->n = (size_t)u;
            o->set |= CLI_SET_N;
            break;
        case OPT_WIDTH:
            if (cli_integer("--width", a, 1, OU_MODEL_MAX_WIDTH, &u, cause))
                return -1;
            o->cfg.width = (size_t)u;
            o->set |= CLI_SET_WIDTH;
            break;
        case OPT_LR:
            if (knob_eta("--lr", a, &o->cfg.eta, cause))
                return -1;
            o->set |= CLI_SET_ETA;
            break;
        case OPT_NOISE:
            if (knob_sigma("--noise", a, &o->cfg.sigma, cause))
                return -1;
            o->set |= CLI_SET_SIGMA;
            break;
        case OPT_NOISE_KIND:
            if (knob_noise_kind("--noise-kind", a, &o->cfg.noise, cause))
                return -1;
            o->set |= CLI_SET_NOISE;
            break;
        case OPT_BATCH:
            if (knob_batch("--batch", a, &o->cfg.batch, cause))
                return -1;
            o->set |= CLI_SET_BATCH;
            break;
        case OPT_MOMENTUM:
            if (knob_momentum("--momentum", a, &o->cfg.momentum, cause))
                return -1;
            o->set |= CLI_SET_MOMENTUM;
            break;
        case OPT_OPTIMIZER:
            if (knob_optimizer("--optimizer", a, &o->cfg.optim, cause))
                return -1;
            o->set |= CLI_SET_OPTIM;
            break;
        case OPT_BETA1:
            if (cli_number("--beta1", a, 0, false, OU_OPTIM_DECAY_MAX, true, &o->cfg.beta1, cause))
                return -1;
            o->set |= CLI_SET_BETA1;
            break;
        case OPT_BETA2:
            if (cli_number("--beta2", a, 0, false, OU_OPTIM_DECAY_MAX, true, &o->cfg.beta2, cause))
                return -1;
            o->set |= CLI_SET_BETA2;
            break;
        case OPT_RMS_DECAY:
            if (cli_number("--rms-decay", a, 0, false, OU_OPTIM_DECAY_MAX, true, &o->cfg.rms_decay,
                           cause))
                return -1;
            o->set |= CLI_SET_RMS_DECAY;
            break;
        case OPT_ADAM_EPS:
            if (cli_number("--adam-eps", a, 0, true, OU_OPTIM_EPS_MAX, false, &o->cfg.opt_eps,
                           cause))
                return -1;
            o->set |= CLI_SET_OPT_EPS;
            break;
        case OPT_SAM_RHO:
            if (cli_number("--sam-rho", a, 0, false, OU_SAM_RHO_MAX, false, &o->cfg.sam_rho, cause))
                return -1;
            o->set |= CLI_SET_SAM_RHO;
            break;
        case OPT_COMPARE:
            /* B differs from A in one knob: a second --compare would silently replace the first. */
            if (compare_arg) {
                *cause = xasprintf("--compare: given twice (\"%s\" and \"%s\"); B differs from A "
                                   "in one knob",
                                   compare_arg, a);
                return -1;
            }
            if (parse_compare(a, &o->compare, cause))
                return -1;
            compare_arg = a;
            break;
        case OPT_FROZEN:
            o->cfg.frozen = true;
            o->set |= CLI_SET_FROZEN;
            break;
        case OPT_NO_BIAS:
            o->cfg.bias = false;
            o->set |= CLI_SET_BIAS;
            break;
        case OPT_CSV:
            o->csv = a;
            o->set |= CLI_SET_CSV;
            break;
        case OPT_EVERY:
            if (cli_integer("--every", a, 1, 1000000000000ULL, &o->every, cause))
                return -1;
            o->set |= CLI_SET_EVERY;
            break;
        case OPT_SAVE:
            o->save = a;
            break;
        case OPT_LOAD:
            o->load = a;
            break;
        case OPT_EXPORT:
            o->export_params = a;
            break;
        case OPT_EMA:
            if (cli_number("--ema", a, 1, false, 1e12, false, &o->ema, cause))
                return -1;
            o->set |= CLI_SET_EMA;
            break;
        case OPT_PROJECT:
            o->project = true;
            break;
        case OPT_MODEL:
            if (!ou_model_kind_parse(a, &o->cfg.model)) {
                *cause = xasprintf("--model: expected relu or linear, got \"%s\"", a);
                return -1;
            }
            o->set |= CLI_SET_MODEL;
            break;
        case OPT_OU_WINDOW:
            if (cli_integer("--ou-window", a, 0, OU_FLUCT_MAX_WINDOW, &o->ou_window, cause))
                return -1;
            if (o->ou_window > 0 && o->ou_window < OU_FLUCT_MIN_WINDOW) {
                *cause = xasprintf("--ou-window: expected 0 (automatic) or a whole number in "
                                   "%d..%d, got \"%s\"",
                                   OU_FLUCT_MIN_WINDOW, OU_FLUCT_MAX_WINDOW, a);
                return -1;
            }
            o->track = true;
            break;
        case OPT_FPS:
            if (cli_number("--fps", a, 1, false, 240, false, &v, cause))
                return -1;
            o->fps = v;
            o->set |= CLI_SET_FPS;
            break;
        case OPT_FRAMES:
            if (cli_integer("--frames", a, 1, 1000000000000ULL, &o->frames, cause))
                return -1;
            break;
        case OPT_NO_MOUSE:
            o->mouse = false;
            break;
        case OPT_GLYPHS:
            if (strcmp(a, "braille") == 0) {
                o->glyphs = CLI_GLYPHS_BRAILLE;
            } else if (strcmp(a, "blocks") == 0) {
                o->glyphs = CLI_GLYPHS_BLOCKS;
            } else if (strcmp(a, "ascii") == 0) {
                o->glyphs = CLI_GLYPHS_ASCII;
            } else {
                *cause = xasprintf("--glyphs: expected braille, blocks or ascii, got \"%s\"", a);
                return -1;
            }
            o->set |= CLI_SET_GLYPHS;
            break;
        case OPT_NO_COLOR:
            o->color = false;
            break;
        case OPT_LIGHT:
            o->light = true;
            break;
        case OPT_RECORD:
        case OPT_DUMP_SCREEN:
            if (a[0] == '\0') {
                *cause = xasprintf("%s: expected a file name, got an empty string",
                                   c == OPT_RECORD ? "--record" : "--dump-screen");
                return -1;
            }
            *(c == OPT_RECORD ? &o->record : &o->dump_screen) = a;
            break;
        case OPT_SCRIPT:
        case OPT_LESSON:
            if (a[0] == '\0' || o->script) {
                *cause = xasprintf(a[0] ? "%s: one script only (--lesson is another name for "
                                          "--script)"
                                        : "%s: expected a script file, got an empty string",
                                   c == OPT_SCRIPT ? "--script" : "--lesson");
                return -1;
            }
            o->script = a;
            break;
        case OPT_SIZE:
            if (parse_size(a, &o->size_w, &o->size_h) != 0) {
                *cause = xasprintf("--size: expected COLSxROWS with 20..1000 columns and 5..1000 "
                                   "rows (such as 120x40), got \"%s\"",
                                   a);
                return -1;
            }
            break;
        case OPT_HIDE:
            if (parse_hide(a, &o->hide, cause) != 0)
                return -1;
            break;
        case OPT_SCRIPT_SCALE:
            if (cli_number("--script-scale", a, 0, true, 1, false, &o->script_scale, cause))
                return -1;
            break;
        case 'h':
            fputs(usage_text, out);
            return 1;
        case 'V':
            fprintf(out, "ouscope %s\n", PACKAGE_VERSION);
            return 1;
        case ':':
            *cause = xasprintf("%s: missing value (see ouscope --help)", argv[optind - 1]);
            return -1;
        default: {
            const char *arg = argv[optind - 1];
            if (optopt >= OPT_HEADLESS || optopt == 'h' || optopt == 'V') {
                /* A known long option given "=value" although it takes none. */
                size_t k = strcspn(arg, "=");
                *cause = xasprintf("%.*s: takes no value (see ouscope --help)", (int)k, arg);
            } else if (optopt > 0 && optopt < 128) {
                *cause = xasprintf("-%c: unknown option (see ouscope --help)", optopt);
            } else {
                *cause = xasprintf("%s: unknown or ambiguous option (see ouscope --help)", arg);
            }
            return -1;
        }
        }
    }
    if (optind < argc) {
        *cause = xasprintf("%s: unexpected argument (options start with --; see ouscope --help)",
                           argv[optind]);
        return -1;
    }
    if (check_recording(o, cause) != 0)
        return -1;
    if (o->headless && !(o->set & CLI_SET_STEPS) && !o->script) {
        *cause = xasprintf("--headless: needs --steps N (how many steps to run) or --script FILE");
        return -1;
    }
    const unsigned fixed_by_load =
        CLI_SET_DATA | CLI_SET_N | CLI_SET_WIDTH | CLI_SET_SEED | CLI_SET_BIAS | CLI_SET_MODEL;
    if (o->load && (o->set & fixed_by_load)) {
        *cause = xasprintf("--load: the saved state fixes the model, data, width, bias and seed; "
                           "drop --model, --data, --n, --width, --no-bias and --seed");
        return -1;
    }
    return 0;
}
