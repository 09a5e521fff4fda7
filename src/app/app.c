/*
 * The live view's event loop.  One iteration is one frame: step the engine
 * until the frame's compute budget is spent, take one snapshot, draw if
 * anything changed, then wait for input until the frame's deadline (or,
 * paused, until something happens).  Keys and mouse edits only change
 * state and set dirty flags; drawing happens in one place.  The same state
 * also runs headless takes: a script instead of the keyboard, a clock made
 * of frames instead of the wall clock, and frames encoded for a recording
 * instead of drawn by curses (ouscope(1), SCRIPTS and RECORDING).
 */
#include "config.h"

#include "app.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ouscope/fluct.h"

#include "app/cmdline.h"
#include "app/compare.h"
#include "app/headless.h"
#include "app/keymap.h"
#include "app/record.h"
#include "app/relay.h"
#include "app/script.h"
#include "app/term.h"
#include "io/xmalloc.h"
#include "render/ansi.h"
#include "render/history.h"
#include "render/layout.h"
#include "render/panes.h"
#include "render/plot.h"
#include "render/screen.h"

/* Dirty flags: what the next frame must redo. */
enum {
    APP_DRAW = 1u << 0,  /* draw and flush */
    APP_SNAP = 1u << 1,  /* take a new snapshot first */
    APP_LAYOUT = 1u << 2 /* the terminal changed size */
};

#define APP_NOTICE_SECONDS 3.0
#define APP_IDLE_MS 1000      /* longest sleep while paused */
#define APP_MARK_SECONDS 0.25 /* how often a healthy state is marked for u */
#define APP_SIGMA_MIN 1e-4
#define APP_ETA_MIN 1e-6
#define APP_HELP_MAX 48
#define APP_HINT_MAX 24
#define APP_KICK_DEFAULT 0.1  /* parameter-space length of a kick */
#define APP_RESCALE_ALPHA 3.0 /* the rescaling kick's factor (w, b times it, a over it) */
#define APP_KICK_MIN 1e-4
#define APP_KICK_MAX 10.0
#define APP_TAKE_W 120 /* size of a headless take when neither --size nor the script says */
#define APP_TAKE_H 40
#define APP_PROBE_PROJECT_ITERS 200 /* a probe's projections: the path, not the result */
#define APP_REC_FPS 15.0            /* frames per second when recording, unless --fps says */
#define APP_MARK_MAX 160            /* bytes of a marker label */

/* Speeds in steps per second; the last rung (0) is "as fast as possible". */
static const double speed_rate[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 0};
static const char *const speed_name[] = {"1/s",   "10/s",   "100/s", "1k/s",
                                         "10k/s", "100k/s", "1M/s",  "max"};
#define APP_NSPEED ((int)(sizeof speed_rate / sizeof speed_rate[0]))

static const double momentum_rung[] = {0.0, 0.5, 0.9, 0.99};
#define APP_NMOMENTUM ((int)(sizeof momentum_rung / sizeof momentum_rung[0]))

struct app {
    const struct cli_opts *o;
    struct ou_engine *e;
    struct ou_snapshot *snap;
    struct history *hist;
    struct ou_data *scratch; /* for mouse edits */
    struct screen scr;
    struct layout lay;
    struct view view;
    struct help_entry help[APP_HELP_MAX], hints[APP_HINT_MAX];
    char help_keys[APP_HELP_MAX][KEYMAP_KEYS_MAX], hint_keys[APP_HINT_MAX][KEYMAP_KEYS_MAX];
    char notice[192];
    double notice_until;
    unsigned dirty;
    bool paused, quit;
    int exit_status;

    /* stepping */
    double period;    /* seconds per frame */
    int speed;        /* rung of speed_rate */
    double owed;      /* steps owed under a speed limit */
    double last_step; /* when owed was last topped up */
    uint64_t burst;   /* steps left of an n / N request */
    double sigma_off; /* > 0 while the noise is switched off: the sigma to return to */
    double sps_est;   /* engine speed while stepping, steps per second */
    double snap_cost; /* seconds per snapshot (metrics and curve) */
    double draw_cost; /* seconds per draw and flush */
    double last_mark;
    unsigned snap_every, snap_count; /* snapshot every k running frames when metrics are slow */

    /* what the status line shows, measured over windows of about a second */
    double meas_t0;
    uint64_t meas_steps;
    unsigned meas_frames;

    /* the drift overlay: directions, P_T grad reg, a gradient, dh on the curve grid */
    double *fl_v, *fl_ptg, *fl_g, *dh;

    /* the OU pane: the window being collected and the last complete one shown */
    struct ou_fluct fl_cur, fl_show;
    bool fl_have;
    char fl_off[96];
    double kick_size;
    struct view_mark marks[VIEW_MAX_MARKS];
    size_t nmarks;

    /* mouse */
    bool pressing, dragged;
    int press_col, press_row;
    double press_x, press_y;
    long drag_idx;

    /* where frames go: curses (live), or an encoder and a cast (a headless take) */
    bool take;          /* no terminal: the clock is frame / fps */
    bool probe;         /* app_probe_*: projections take few steps, so input stays cheap */
    int take_w, take_h; /* its size */
    struct ansi ansi;   /* the take's encoder */
    struct record *rec; /* the take's cast, or NULL */
    int note_fd;        /* >= 0: a recording parent reads frame and marker notes here */
    double fps;         /* frames per second */
    uint64_t frame;     /* frames so far */

    /* the script, if one drives the run */
    const struct script *sc;
    size_t pc; /* next command */
    enum app_wait { APP_WAIT_NONE = 0, APP_WAIT_STEP, APP_WAIT_FRAMES, APP_WAIT_UNTIL } wait;
    const struct script_cmd *waiting; /* the wait command in progress */
    uint64_t wait_step;   /* APP_WAIT_STEP: the step to reach; UNTIL: where to give up */
    uint64_t wait_frames; /* APP_WAIT_FRAMES: frames left */
    bool wait_fresh;      /* a snapshot was taken since the wait began */
    bool stall_noted;     /* the live view said the script waits for a paused run */
    uint64_t spf;         /* steps per frame while the script runs */
    bool script_on;       /* a script drives the run (until its last line) */
    char *script_error;   /* a script command that could not be carried out */
    char caption[SCRIPT_TEXT_MAX + 1];
    bool caption_on, caption_frames;
    uint64_t caption_until; /* a step, or a frame if caption_frames */
    char speed_label[32];

    /*
     * The A/B comparison (ouscope(1), COMPARISON): B, made from A with one
     * knob changed and stepped beside it, or NULL while it is off.
     */
    struct ou_engine *b;
    struct compare_spec cmp;    /* B's difference */
    struct ou_snapshot *snap_b; /* B's snapshot, taken with A's */
    struct history *hist_b;
    bool b_diverged;   /* B's divergence has been announced */
    uint64_t b_start;  /* the step a key cloned B from A at (0: beside A from the start) */
    const char *b_how; /* the key that cloned it then, "b" or "u" (NULL: --compare, r, R) */
    char ab_diff[96], ab_label_a[64], ab_label_b[64];

    /* classroom conveniences */
    bool pure; /* the same knobs, no kicks or edits since step 0 */
    /*
     * A's latest trace with steps in it: a snapshot after a frame without
     * steps (paused, a take's last frame) shows it instead of an empty one.
     * Forgotten when the knobs change or the run goes back (r, R, u).
     */
    struct ou_trace last_trace;
    bool show_cmd; /* C was pressed: print the command line at exit */
    char cmd[512];
};

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The app's clock: the wall clock live, frame / fps in a headless take. */
static double
app_now(const struct app *a)
{
    return a->take ? (double)a->frame / a->fps : now();
}

static void app_notice(struct app *a, enum theme_role style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
app_notice(struct app *a, enum theme_role style, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->notice, sizeof a->notice, fmt, ap);
    va_end(ap);
    a->view.notice = a->notice;
    a->view.notice_style = style;
    a->notice_until = app_now(a) + APP_NOTICE_SECONDS;
    a->dirty |= APP_DRAW;
}

/* ---- markers: every knob change, kick, projection and reset ---- */

static void app_marker(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A marker in the recording, if there is one (the cast's own, or the recording parent's). */
static void
app_marker(struct app *a, const char *fmt, ...)
{
    if (!a->rec && a->note_fd < 0)
        return;
    char label[APP_MARK_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(label, sizeof label, fmt, ap);
    va_end(ap);
    if (a->rec)
        record_marker(a->rec, app_now(a), label);
    else
        relay_note_marker(a->note_fd, label);
}

/* The knobs a marker reports on, taken before and after an action. */
struct app_knobs {
    double eta, sigma, momentum, kick;
    size_t batch, n;
    enum ou_noise_kind noise;
    enum ou_optim_kind optim;
    bool frozen;
    uint64_t seed;
    char data[OU_DATA_NAME_MAX];
};

static void
app_knobs_get(const struct app *a, struct app_knobs *k)
{
    const struct ou_config *c = ou_engine_config(a->e);
    const struct ou_data *d = ou_engine_data(a->e);
    k->eta = c->eta;
    k->sigma = c->sigma;
    k->momentum = c->momentum;
    k->kick = a->kick_size;
    k->batch = c->batch;
    k->n = d->n;
    k->noise = c->noise;
    k->optim = c->optim;
    k->frozen = c->frozen;
    k->seed = c->seed;
    snprintf(k->data, sizeof k->data, "%s", d->name);
}

/* Exact inequality of two knob values (both finite). */
static bool
differs(double x, double y)
{
    return x < y || y < x;
}

/*
 * One marker per knob that changed since *b, labelled old→new.  A change
 * after step 0 means the current command line no longer reproduces the run.
 */
static void
app_knob_markers(struct app *a, const struct app_knobs *b)
{
    struct app_knobs k;
    app_knobs_get(a, &k);
    int changes = 0;
    if (differs(k.sigma, b->sigma) && ++changes)
        app_marker(a, "σ %.4g→%.4g", b->sigma, k.sigma);
    if (differs(k.eta, b->eta) && ++changes)
        app_marker(a, "η %.4g→%.4g", b->eta, k.eta);
    if (k.batch != b->batch && ++changes)
        app_marker(a, "B %zu→%zu", b->batch, k.batch);
    if (differs(k.momentum, b->momentum) && ++changes)
        app_marker(a, "μ %.4g→%.4g", b->momentum, k.momentum);
    if (k.noise != b->noise && ++changes)
        app_marker(a, "noise %s→%s", ou_noise_kind_name(b->noise), ou_noise_kind_name(k.noise));
    if (k.optim != b->optim && ++changes)
        app_marker(a, "optimizer %s→%s", ou_optim_kind_name(b->optim), ou_optim_kind_name(k.optim));
    if (k.frozen != b->frozen && ++changes)
        app_marker(a, "%s", k.frozen ? "frozen noise" : "fresh noise");
    if (differs(k.kick, b->kick)) /* a setting of the next kick, not of the run */
        app_marker(a, "kick size %.3g→%.3g", b->kick, k.kick);
    if (k.seed != b->seed && ++changes)
        app_marker(a, "seed %" PRIu64 "→%" PRIu64, b->seed, k.seed);
    if (strcmp(k.data, b->data) != 0 && ++changes)
        app_marker(a, "data %s→%s", b->data, k.data);
    if (k.n != b->n && ++changes)
        app_marker(a, "n %zu→%zu", b->n, k.n);
    if (changes && ou_engine_step_count(a->e) > 0)
        a->pure = false;
    /* The latest trace's mean loss belongs to the old knobs. */
    if (changes)
        a->last_trace = (struct ou_trace){0};
}

/* ---- the drift overlay ---- */

/*
 * The predicted drift of h per step on the snapshot's curve grid,
 * dh(x) = -(eta^2 sigma^2 / 4B) grad h(x) . P_T grad reg (ouscope-science(7),
 * DRIFT), zero at every data point.  It is shown as h + N dh with N a power
 * of ten that makes the largest move 1.5 to 15% of the data's y range.
 */
static void
app_drift(struct app *a)
{
    struct view *v = &a->view;
    const struct ou_snapshot *s = a->snap;
    v->ndh = 0;
    if (!v->drift || s->ncurve < 2 || !a->fl_v)
        return;
    double lambda[OU_FLUCT_MAX_DIRS];
    size_t ndir;
    if (ou_fluct_directions(a->e, lambda, &ndir, a->fl_v, a->fl_ptg) != OU_OK)
        return;
    const struct ou_model *m = ou_engine_model(a->e);
    const double *th = ou_engine_theta(a->e);
    const struct ou_config *c = ou_engine_config(a->e);
    double k = -(c->eta * c->eta * c->sigma * c->sigma) / (4.0 * (double)c->batch), amax = 0.0;
    for (size_t i = 0; i < s->ncurve; i++) {
        double x = s->curve_lo + (s->curve_hi - s->curve_lo) * (double)i / (double)(s->ncurve - 1);
        ou_model_grad(m, th, x, a->fl_g);
        double dot = 0.0;
        for (size_t q = 0; q < m->p; q++)
            dot += a->fl_g[q] * a->fl_ptg[q];
        a->dh[i] = k * dot;
        amax = fmax(amax, fabs(a->dh[i]));
    }
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < s->data.n; i++) {
        lo = fmin(lo, s->data.y[i]);
        hi = fmax(hi, s->data.y[i]);
    }
    double span = hi - lo > 1e-9 ? hi - lo : 1.0, n = 1.0;
    if (amax > 0.0 && isfinite(amax))
        n = pow(10.0, floor(log10(0.15 * span / amax)));
    v->dh_steps = n < 1.0 ? 1.0 : (n > 1e12 ? 1e12 : n);
    v->dh = a->dh;
    v->ndh = s->ncurve;
}

static void
app_drift_toggle(struct app *a)
{
    struct view *v = &a->view;
    if (v->drift) {
        v->drift = false;
        return;
    }
    if (ou_engine_data(a->e)->n > OU_FLUCT_MAX_DIRS) {
        app_notice(a, THEME_ERROR, "the drift overlay needs n <= %d points", OU_FLUCT_MAX_DIRS);
        return;
    }
    if (!a->fl_v) {
        size_t p = ou_engine_model(a->e)->p;
        a->fl_v = xmalloc((OU_FLUCT_MAX_DIRS + 2) * p * sizeof(double));
        a->fl_ptg = a->fl_v + OU_FLUCT_MAX_DIRS * p;
        a->fl_g = a->fl_ptg + p;
        a->dh = xmalloc(OU_CURVE_MAX * sizeof(double));
    }
    v->drift = true;
    a->dirty |= APP_SNAP;
    if (!(ou_engine_config(a->e)->sigma > 0.0))
        app_notice(a, THEME_NOTICE, "no noise, no drift: δh = 0 while σ = 0");
    else
        app_notice(a, THEME_NOTICE, "h + N·δh: where the noise is moving h (δh = 0 at the data)");
}

/* ---- the OU analysis ---- */

/*
 * (Re)start tracking at the current theta: a new window, theta_ref = theta.
 * Called when a knob changes, so each window has one set of knobs, and
 * after resets, rewinds, kicks that move theta far and projections.  The
 * last complete window stays on screen until the next one is done.
 */
static void
app_fl_restart(struct app *a)
{
    if (ou_engine_data(a->e)->n > OU_FLUCT_MAX_DIRS) {
        ou_fluct_disable(a->e);
        return;
    }
    if (ou_fluct_enable(a->e, a->o->ou_window) != OU_OK)
        ou_fluct_disable(a->e);
}

/* Forget what the OU pane shows (new initial theta, new history). */
static void
app_fl_forget(struct app *a)
{
    a->fl_have = false;
    a->nmarks = 0;
    app_fl_restart(a);
}

/* Bring the OU pane's view up to date from the engine (at each snapshot). */
static void
app_fl_update(struct app *a)
{
    struct view *v = &a->view;
    size_t n = ou_engine_data(a->e)->n;
    ou_fluct_get(a->e, &a->fl_cur);
    if (!a->fl_cur.enabled && n <= OU_FLUCT_MAX_DIRS) {
        app_fl_restart(a);
        ou_fluct_get(a->e, &a->fl_cur);
    }
    v->fl_off = NULL;
    if (n > OU_FLUCT_MAX_DIRS) {
        snprintf(a->fl_off, sizeof a->fl_off, "the OU analysis needs n <= %d points (n = %zu)",
                 OU_FLUCT_MAX_DIRS, n);
        v->fl_off = a->fl_off;
    } else if (!a->fl_cur.enabled) {
        snprintf(a->fl_off, sizeof a->fl_off, "the OU analysis failed here (K's eigenvalues)");
        v->fl_off = a->fl_off;
    }
    if (a->fl_cur.enabled && a->fl_cur.valid &&
        (!a->fl_have || a->fl_cur.windows != a->fl_show.windows ||
         a->fl_cur.ref_step != a->fl_show.ref_step)) {
        a->fl_show = a->fl_cur;
        a->fl_have = true;
    }
    a->fl_show.clock = a->fl_cur.clock;
    v->fl = a->fl_have ? &a->fl_show : NULL;
    v->fl_filled = a->fl_cur.filled;
    v->fl_window = a->fl_cur.window;
    v->kick_size = a->kick_size;
    v->marks = a->marks;
    v->nmarks = a->nmarks;
}

/* Remember a kick or projection at the current step for the history panes. */
static void
app_mark(struct app *a, enum view_mark_kind kind)
{
    if (a->nmarks == VIEW_MAX_MARKS) {
        memmove(a->marks, a->marks + 1, (VIEW_MAX_MARKS - 1) * sizeof a->marks[0]);
        a->nmarks--;
    }
    a->marks[a->nmarks++] = (struct view_mark){(double)ou_engine_step_count(a->e), kind};
}

/* Forget marks after `step` (a rewind). */
static void
app_marks_truncate(struct app *a, double step)
{
    size_t k = 0;
    for (size_t i = 0; i < a->nmarks; i++)
        if (a->marks[i].step <= step)
            a->marks[k++] = a->marks[i];
    a->nmarks = k;
}

static void
app_kick(struct app *a, enum ou_kick kind)
{
    static const char *const what[] = {
        [OU_KICK_TOP] = "along v₁: h jumps, then relaxes back within ~1/(ηλ₁) steps",
        [OU_KICK_TANGENT] =
            "along a random tangent direction: h(xᵢ) stays, and nothing pulls θ back",
        [OU_KICK_DOWNHILL] = "downhill on reg along the zero-loss set (−P_T∇reg)",
        [OU_KICK_UPHILL] = "uphill on reg along the zero-loss set (+P_T∇reg)",
    };
    static const enum view_mark_kind mark[] = {[OU_KICK_TOP] = MARK_TOP,
                                               [OU_KICK_TANGENT] = MARK_TANGENT,
                                               [OU_KICK_DOWNHILL] = MARK_DOWNHILL,
                                               [OU_KICK_UPHILL] = MARK_UPHILL};
    size_t n = ou_engine_data(a->e)->n;
    if (n > OU_FLUCT_MAX_DIRS) {
        app_notice(a, THEME_ERROR, "kicks need n <= %d points (n = %zu)", OU_FLUCT_MAX_DIRS, n);
        return;
    }
    if (ou_engine_status(a->e) == OU_EDIVERGED) {
        app_notice(a, THEME_ERROR, "the run diverged; u rewinds it first");
        return;
    }
    enum ou_status st = ou_fluct_kick(a->e, kind, a->kick_size);
    if (st == OU_ENUMERIC) {
        app_notice(a, THEME_WARN, "%s",
                   kind == OU_KICK_TOP ? "no output direction here (K = 0)"
                                       : "P_T∇reg = 0 here: θ is a stationary point of reg on the "
                                         "zero-loss set");
        return;
    }
    if (st != OU_OK) {
        app_notice(a, THEME_ERROR, "kick failed: %s", ou_status_str(st));
        return;
    }
    static const char *const name[] = {[OU_KICK_TOP] = "v₁",
                                       [OU_KICK_TANGENT] = "tangent",
                                       [OU_KICK_DOWNHILL] = "downhill",
                                       [OU_KICK_UPHILL] = "uphill"};
    app_mark(a, mark[kind]);
    a->pure = false;
    a->dirty |= APP_SNAP | APP_DRAW;
    app_notice(a, THEME_NOTICE, "kick %.3g %s", a->kick_size, what[kind]);
    app_marker(a, "kick %s %.3g", name[kind], a->kick_size);
}

/*
 * The rescaling kick (ouscope-science(7), PATH NORMS) on the unit with the
 * most path weight a_j^2 (w_j^2 + b_j^2): h does not change, reg does, and
 * label noise then re-balances the unit while noise-free steps leave it.
 */
static void
app_rescale(struct app *a, double alpha)
{
    const struct ou_model *m = ou_engine_model(a->e);
    if (m->id != OU_MODEL_RELU1D) {
        app_notice(a, THEME_ERROR, "the rescaling kick needs the ReLU net (--model relu)");
        return;
    }
    if (ou_engine_status(a->e) == OU_EDIVERGED) {
        app_notice(a, THEME_ERROR, "the run diverged; u rewinds it first");
        return;
    }
    const double *th = ou_engine_theta(a->e);
    size_t j = 0;
    double top = -1.0;
    for (size_t k = 0; k < m->width; k++) {
        double wt =
            th[k] * th[k] *
            (th[m->width + k] * th[m->width + k] + th[2 * m->width + k] * th[2 * m->width + k]);
        if (wt > top) {
            top = wt;
            j = k;
        }
    }
    struct ou_metrics *before = xmalloc(sizeof *before);
    ou_engine_metrics(a->e, before);
    double reg0 = before->reg;
    free(before);
    if (ou_engine_rescale_unit(a->e, j, alpha) != OU_OK) {
        app_notice(a, THEME_ERROR,
                   "unit %zu cannot be rescaled further (its weights would overflow)", j + 1);
        return;
    }
    app_mark(a, MARK_RESCALE);
    app_fl_restart(a);
    a->pure = false;
    a->dirty |= APP_SNAP | APP_DRAW;
    struct ou_metrics *after = xmalloc(sizeof *after);
    ou_engine_metrics(a->e, after);
    app_notice(a, THEME_NOTICE,
               "unit %zu: w,b ×%.3g, a ×%.3g: h unchanged, reg %.4g → %.4g; label noise "
               "re-balances it, Path-SGD ignores it",
               j + 1, alpha, 1.0 / alpha, reg0, after->reg);
    free(after);
    app_marker(a, "rescale unit %zu ×%.3g", j + 1, alpha);
}

static void
app_kick_size(struct app *a, bool up)
{
    double k = a->kick_size * (up ? 2.0 : 0.5);
    if (k < APP_KICK_MIN || k > APP_KICK_MAX) {
        app_notice(a, THEME_ERROR, "the kick size stays in [%g, %g]", APP_KICK_MIN, APP_KICK_MAX);
        return;
    }
    a->kick_size = k;
    a->view.kick_size = k;
    app_notice(a, THEME_NOTICE, "kick size %.3g (length in parameter space)", k);
}

/* ---- snapshot and history ---- */

/* One frame's sample of a snapshot into a history (A's, or B's). */
static void
app_push_history(struct history *h, const struct ou_snapshot *s)
{
    const struct ou_metrics *m = &s->met;
    const struct ou_trace *t = &s->trace;
    if (t->steps == 0 && history_len(h) > 0)
        return;
    double y[HIST_NSERIES];
    y[HIST_LOSS] = t->steps ? t->loss_sum / (double)t->steps : m->loss;
    y[HIST_REG] = t->steps ? t->reg_sum / (double)t->steps : m->reg;
    y[HIST_REG_EMA] = t->steps ? m->reg_ema : m->reg;
    y[HIST_FLOOR] = m->loss_floor;
    y[HIST_ETAL] = m->eta_lambda;
    y[HIST_BALANCE] = m->balance;
    history_push(h, (double)s->step, (double)t->steps, y);
}

/* ---- the A/B comparison (ouscope(1), COMPARISON) ---- */

/* What the view shows of the comparison: B's snapshot and history, and its words. */
static void
app_ab_view(struct app *a)
{
    struct view *v = &a->view;
    if (!a->b) {
        v->snap_b = NULL;
        v->hist_b = NULL;
        v->ab_diff = v->ab_label_a = v->ab_label_b = NULL;
        return;
    }
    const struct ou_config *ca = ou_engine_config(a->e), *cb = ou_engine_config(a->b);
    enum compare_knob k = a->cmp.knob;
    v->snap_b = a->snap_b;
    v->hist_b = a->hist_b;
    v->ab_diff = compare_describe(k, ca, cb, a->ab_diff, sizeof a->ab_diff);
    v->ab_label_a = compare_side(k, 'A', ca, a->ab_label_a, sizeof a->ab_label_a);
    v->ab_label_b = compare_side(k, 'B', cb, a->ab_label_b, sizeof a->ab_label_b);
}

/*
 * (Re)start B from A's current state with the difference s.  B's history
 * starts afresh, or, after a rewind (keep), keeps what came before A's step.
 * how names the key that asked for it (the C key's comment quotes it).
 */
static bool
app_ab_start(struct app *a, const struct compare_spec *s, bool keep, const char *how)
{
    struct ou_engine *b = NULL;
    enum ou_status st = compare_clone(a->e, s, &b);
    if (st != OU_OK) {
        app_notice(a, THEME_ERROR, "cannot start B with %s = %g: %s", compare_knob_name(s->knob),
                   s->value, ou_status_str(st));
        return false;
    }
    ou_engine_destroy(a->b);
    a->b = b;
    a->cmp = *s;
    a->b_diverged = false;
    /* --compare starts B with the run (at a loaded state's step too): the command line's own. */
    a->b_start = how ? ou_engine_step_count(b) : 0;
    a->b_how = how;
    if (!a->snap_b) {
        a->snap_b = xcalloc(1, sizeof *a->snap_b);
        a->hist_b = xmalloc(sizeof *a->hist_b);
        history_clear(a->hist_b);
    }
    if (keep)
        history_truncate(a->hist_b, (double)ou_engine_step_count(b));
    else
        history_clear(a->hist_b);
    app_ab_view(a);
    a->dirty |= APP_SNAP | APP_DRAW;
    return true;
}

/*
 * The b key: comparison off, or on with --compare's difference (else no
 * noise for B, or sigma = 0.5 if A has none), B starting where A is now.
 */
static void
app_ab_toggle(struct app *a)
{
    if (a->b) {
        ou_engine_destroy(a->b);
        a->b = NULL;
        app_ab_view(a);
        app_notice(a, THEME_NOTICE, "comparison off: A runs alone");
        app_marker(a, "comparison off");
        return;
    }
    if (ou_engine_status(a->e) == OU_EDIVERGED) {
        app_notice(a, THEME_ERROR, "the run diverged; u rewinds it first");
        return;
    }
    struct compare_spec s = a->o->compare;
    if (s.knob == COMPARE_NONE)
        compare_default(ou_engine_config(a->e), &s);
    if (!app_ab_start(a, &s, false, "b"))
        return;
    char buf[32];
    app_notice(a, THEME_NOTICE, "A/B: %s starts from A at step %s; the knob keys change A only",
               a->ab_label_b, panes_group(ou_engine_step_count(a->e), buf, sizeof buf));
    app_marker(a, "comparison on: A/B %s", a->ab_diff);
}

/* Step A, and B beside it; B's divergence is announced once, and A goes on. */
static enum ou_status
app_run(struct app *a, uint64_t n, uint64_t *done)
{
    enum ou_status bs = OU_OK;
    enum ou_status st = compare_run(a->e, a->b, n, done, &bs);
    if (a->b && bs == OU_EDIVERGED && !a->b_diverged) {
        char buf[32];
        a->b_diverged = true;
        a->dirty |= APP_SNAP | APP_DRAW;
        panes_group(ou_engine_step_count(a->b) + 1, buf, sizeof buf);
        app_notice(a, THEME_WARN, "%s diverged at step %s; A goes on (b b restarts B from A)",
                   a->ab_label_b, buf);
        app_marker(a, "B diverged at step %s", buf);
    }
    return st;
}

/* B's snapshot on A's curve grid, and its history. */
static void
app_ab_snapshot(struct app *a, const struct ou_snapshot_req *req)
{
    if (!a->b)
        return;
    ou_engine_snapshot(a->b, a->snap_b, req);
    if (a->snap_b->status == OU_OK)
        app_push_history(a->hist_b, a->snap_b);
    app_ab_view(a);
}

static void
app_snapshot(struct app *a)
{
    struct ou_snapshot_req req;
    double t = now(), tc = app_now(a);
    panes_curve_request(&a->lay, ou_engine_data(a->e), &a->view, &req);
    enum ou_status st = ou_engine_snapshot(a->e, a->snap, &req);
    if (st == OU_ENUMERIC)
        app_notice(a, THEME_ERROR, "the eigenvalues of K did not converge at step %" PRIu64,
                   a->snap->step);
    app_push_history(a->hist, a->snap);
    /*
     * The trace holds the steps since the previous snapshot, none after a
     * frame that took none: a take's last frame, or a key pressed while
     * paused.  The regularizers pane's 4B<L>/(eta sigma^2) would then read
     * n/a where the frame before showed a number, so such a snapshot keeps
     * the latest steps' trace (the history above has already counted it).
     */
    if (a->snap->trace.steps > 0)
        a->last_trace = a->snap->trace;
    else
        a->snap->trace = a->last_trace;
    app_ab_snapshot(a, &req);
    app_drift(a);
    app_fl_update(a);
    /* Remember a healthy state for u: finite loss, inside the stability limit. */
    const struct ou_metrics *m = &a->snap->met;
    if (a->snap->status == OU_OK && isfinite(m->loss) && m->eta_lambda < 2.0 &&
        tc - a->last_mark >= APP_MARK_SECONDS) {
        ou_engine_mark(a->e);
        a->last_mark = tc;
    }
    a->wait_fresh = true;
    /* Slow metrics (large n) are sampled every few frames, not every one. */
    double cost = now() - t;
    a->snap_cost = a->snap_cost > 0.0 ? 0.8 * a->snap_cost + 0.2 * cost : cost;
    unsigned k = (unsigned)ceil(a->snap_cost / (0.25 * a->period));
    a->snap_every = k < 1 ? 1 : (k > 60 ? 60 : k);
}

/* ---- stepping ---- */

static void
app_diverged(struct app *a)
{
    a->paused = true;
    a->burst = 0;
    a->owed = 0.0;
    a->dirty |= APP_SNAP | APP_DRAW;
    char buf[32];
    app_marker(a, "diverged at step %s (η = %.4g)",
               panes_group(ou_engine_step_count(a->e) + 1, buf, sizeof buf),
               ou_engine_config(a->e)->eta);
}

static uint64_t app_script_steps(const struct app *a);
static void app_present_now(struct app *a);

/* Step the engine until `until` (a clock time) or until the steps owed are done. */
static void
app_step(struct app *a, double until)
{
    double t = now();
    uint64_t want = UINT64_MAX;
    if (a->script_on) {
        /* A script asks for steps per frame; a slow engine simply takes fewer. */
        want = app_script_steps(a);
    } else if (a->burst > 0) {
        want = a->burst;
    } else {
        double rate = speed_rate[a->speed];
        if (rate > 0.0) {
            a->owed += rate * (t - a->last_step);
            if (a->owed > rate * 0.5 + 1.0)
                a->owed = rate * 0.5 + 1.0;
            want = (uint64_t)floor(a->owed);
        }
    }
    a->last_step = t;
    while (want > 0 && t < until) {
        /* Chunks of about a millisecond keep the deadline within reach. */
        double c = a->sps_est * 1e-3;
        uint64_t chunk = c < 1.0 ? 1 : (c > 1e7 ? 10000000 : (uint64_t)c);
        if (chunk > want)
            chunk = want;
        uint64_t done = 0;
        enum ou_status st = app_run(a, chunk, &done);
        double t1 = now();
        if (done > 0 && t1 > t)
            a->sps_est = 0.7 * a->sps_est + 0.3 * (double)done / (t1 - t);
        t = t1;
        want -= done < want ? done : want;
        a->meas_steps += done;
        if (a->burst > 0)
            a->burst -= done < a->burst ? done : a->burst;
        if (speed_rate[a->speed] > 0.0)
            a->owed -= (double)done;
        if (st != OU_OK) {
            app_diverged(a);
            return;
        }
        if (done < chunk)
            break;
    }
}

/* ---- keys ---- */

static void
app_set_sigma(struct app *a, double sigma)
{
    ou_engine_set_sigma(a->e, sigma);
    app_fl_restart(a);
    a->dirty |= APP_SNAP | APP_DRAW;
}

static void
app_sigma(struct app *a, bool up)
{
    if (a->sigma_off > 0.0) {
        double s = up ? a->sigma_off * 2.0 : a->sigma_off / 2.0;
        if (s > OU_SIGMA_MAX || s < APP_SIGMA_MIN)
            return;
        a->sigma_off = s;
        a->view.sigma_off = s;
        app_notice(a, THEME_NOTICE, "the noise is off; press 0 to bring it back at σ = %.4g", s);
        return;
    }
    double s = ou_engine_config(a->e)->sigma;
    if (up)
        s = s > 0.0 ? s * 2.0 : 0.1;
    else
        s /= 2.0;
    if (s > OU_SIGMA_MAX) {
        app_notice(a, THEME_ERROR, "σ is at most %g", OU_SIGMA_MAX);
        return;
    }
    if (!up && s < APP_SIGMA_MIN) {
        app_notice(a, THEME_NOTICE, "σ is on its lowest rung; 0 switches the noise off");
        return;
    }
    app_set_sigma(a, s);
    app_notice(a, THEME_NOTICE, "σ = %.4g: the OU jitter and the loss floor scale with σ²", s);
}

static void
app_noise_toggle(struct app *a)
{
    if (a->sigma_off > 0.0) {
        app_set_sigma(a, a->sigma_off);
        app_notice(a, THEME_NOTICE, "noise back on: σ = %.4g", a->sigma_off);
        a->sigma_off = 0.0;
    } else {
        double s = ou_engine_config(a->e)->sigma;
        if (!(s > 0.0)) {
            app_notice(a, THEME_NOTICE, "the noise is already zero; ] sets σ = 0.1");
            return;
        }
        a->sigma_off = s;
        app_set_sigma(a, 0.0);
        app_notice(a, THEME_NOTICE, "noise off (σ = %.4g kept for 0): plain SGD freezes reg", s);
    }
    a->view.sigma_off = a->sigma_off;
}

static void
app_eta(struct app *a, bool up)
{
    double eta = ou_engine_config(a->e)->eta * (up ? 2.0 : 0.5);
    if (eta > OU_ETA_MAX || eta < APP_ETA_MIN) {
        app_notice(a, THEME_ERROR, "η must stay in [%g, %g]", APP_ETA_MIN, OU_ETA_MAX);
        return;
    }
    ou_engine_set_eta(a->e, eta);
    app_fl_restart(a);
    a->dirty |= APP_SNAP | APP_DRAW;
    app_notice(a, THEME_NOTICE, "η = %.4g: stability needs η·λ_max < 2", eta);
}

static void
app_batch(struct app *a, bool up)
{
    size_t b = ou_engine_config(a->e)->batch, n = ou_engine_data(a->e)->n;
    size_t nb = up ? (b * 2 > n ? n : b * 2) : (b / 2 < 1 ? 1 : b / 2);
    if (nb == b) {
        app_notice(a, THEME_NOTICE, "B is already %s (%zu of n = %zu)", up ? "n" : "1", b, n);
        return;
    }
    ou_engine_set_batch(a->e, nb);
    app_fl_restart(a);
    a->dirty |= APP_SNAP | APP_DRAW;
    app_notice(a, THEME_NOTICE, "batch B = %zu of %zu: the drift slows in proportion to B", nb, n);
}

static void
app_momentum(struct app *a, bool up)
{
    double mu = ou_engine_config(a->e)->momentum, next = mu;
    if (up) {
        for (int i = 0; i < APP_NMOMENTUM; i++)
            if (momentum_rung[i] > mu + 1e-12) {
                next = momentum_rung[i];
                break;
            }
    } else {
        for (int i = APP_NMOMENTUM - 1; i >= 0; i--)
            if (momentum_rung[i] < mu - 1e-12) {
                next = momentum_rung[i];
                break;
            }
    }
    ou_engine_set_momentum(a->e, next);
    app_fl_restart(a);
    a->dirty |= APP_SNAP | APP_DRAW;
    app_notice(a, THEME_NOTICE, "momentum μ = %g", next);
}

/*
 * What a switch to kind k starts afresh, in words true for k: the engine
 * zeroes every optimizer buffer, but only RMSProp (s) and Adam (m, v) keep
 * moments; sgd, sam and pathsgd keep only the heavy-ball velocity, and only
 * while mu > 0 (Adam ignores mu).  The drift and OU predictions are SGD's.
 */
static const char *
app_optimizer_note(enum ou_optim_kind k, double mu, char *buf, size_t len)
{
    bool heavy = mu > 0.0;
    switch (k) {
    case OU_OPTIM_RMSPROP:
        snprintf(
            buf, len, "%s",
            heavy ? "its mean square s and velocity start at zero; predictions assume SGD"
                  : "its mean square s starts at zero: long first steps; predictions assume SGD");
        break;
    case OU_OPTIM_ADAM:
        snprintf(buf, len,
                 "its moments m, v start at zero, bias-corrected; predictions assume SGD");
        break;
    case OU_OPTIM_SGD:
        snprintf(buf, len, "%s",
                 heavy ? "no moments; velocity starts at zero; predictions for μ = 0"
                       : "no moments, nothing to reset; the predictions are SGD's");
        break;
    case OU_OPTIM_SAM:
    case OU_OPTIM_PATHSGD:
    default:
        snprintf(buf, len, "no moments%s; predictions assume SGD",
                 heavy ? "; velocity starts at zero" : ", nothing to reset");
        break;
    }
    return buf;
}

/*
 * Switch to optimizer kind `to` (ouscope-science(7), OPTIMIZERS): its
 * buffers start at zero, nothing else is reset; a new OU window starts.
 * The marker comes from app_knob_markers, which wraps every caller.
 */
static void
app_set_optimizer(struct app *a, enum ou_optim_kind to)
{
    if (ou_engine_set_optimizer(a->e, to) != OU_OK) {
        app_notice(a, THEME_ERROR, "cannot switch the optimizer to %s", ou_optim_kind_name(to));
        return;
    }
    app_fl_restart(a);
    a->dirty |= APP_SNAP | APP_DRAW;
    char note[160];
    app_notice(a, THEME_NOTICE, "optimizer: %s (%s)", ou_optim_kind_name(to),
               app_optimizer_note(to, ou_engine_config(a->e)->momentum, note, sizeof note));
}

static void
app_optimizer(struct app *a)
{
    int next = ((int)ou_engine_config(a->e)->optim + 1) % OU_OPTIM_COUNT;
    app_set_optimizer(a, (enum ou_optim_kind)next);
}

/* Back to a fresh start at step 0: history and the rewind mark go too. */
static void
app_restart(struct app *a)
{
    ou_engine_mark(a->e);
    a->last_mark = app_now(a);
    a->pure = true;
    a->last_trace = (struct ou_trace){0};
    history_clear(a->hist);
    if (a->b) {
        /* Both are back at step 0 side by side, as --compare starts them. */
        history_clear(a->hist_b);
        a->b_diverged = false;
        a->b_start = 0;
        a->b_how = NULL;
    }
    app_fl_forget(a);
    a->burst = 0;
    a->owed = 0.0;
    a->dirty |= APP_SNAP | APP_DRAW;
}

static void
app_rewind(struct app *a)
{
    if (ou_engine_status(a->e) != OU_EDIVERGED) {
        app_notice(a, THEME_NOTICE, "u rewinds after a divergence; r resets to step 0");
        return;
    }
    double eta = ou_engine_config(a->e)->eta / 2.0;
    ou_engine_restore_mark(a->e);
    if (eta >= APP_ETA_MIN)
        ou_engine_set_eta(a->e, eta);
    uint64_t at = ou_engine_mark_step(a->e);
    history_truncate(a->hist, (double)at);
    app_marks_truncate(a, (double)at);
    if (a->b) {
        struct compare_spec s = a->cmp;
        app_ab_start(a, &s, true, "u");
    }
    app_fl_restart(a);
    a->paused = true;
    a->pure = false;
    a->last_trace = (struct ou_trace){0};
    a->dirty |= APP_SNAP | APP_DRAW;
    char buf[32];
    app_notice(a, THEME_NOTICE, "rewound to step %s with η = %.4g; space goes on",
               panes_group(at, buf, sizeof buf), ou_engine_config(a->e)->eta);
    app_marker(a, "rewind to step %s", buf);
}

/* Install new data, keeping theta; a full batch stays full. */
static bool
app_set_data(struct app *a, const struct ou_data *d)
{
    const struct ou_config *c = ou_engine_config(a->e);
    bool full = c->batch == ou_engine_data(a->e)->n;
    if (ou_engine_set_data(a->e, d) != OU_OK)
        return false;
    if (full)
        ou_engine_set_batch(a->e, d->n);
    if (a->b) {
        /* B trains on the same points; its batch, if full, stays full too. */
        bool bfull = ou_engine_config(a->b)->batch == ou_engine_data(a->b)->n;
        if (ou_engine_set_data(a->b, d) != OU_OK) {
            ou_engine_destroy(a->b);
            a->b = NULL;
            app_ab_view(a);
        } else if (bfull) {
            ou_engine_set_batch(a->b, d->n);
        }
    }
    a->dirty |= APP_SNAP | APP_DRAW;
    return true;
}

static void
app_next_data(struct app *a)
{
    const struct ou_data *cur = ou_engine_data(a->e);
    enum ou_data_kind k = OU_DATA_SIN3X;
    if (cur->kind < OU_DATA_NBUILTIN)
        k = (enum ou_data_kind)((cur->kind + 1) % OU_DATA_NBUILTIN);
    size_t n = a->o->n;
    if (ou_data_builtin(a->scratch, k, n, ou_engine_config(a->e)->seed) != OU_OK ||
        !app_set_data(a, a->scratch)) {
        app_notice(a, THEME_ERROR, "cannot switch the data set");
        return;
    }
    app_notice(a, THEME_NOTICE, "data: %s, n = %zu (θ kept; r resets)", a->scratch->name, n);
}

/*
 * Descent steps a projection may take in the live view: about 5 10^8
 * floating-point operations (17 n m per step), so the screen is back
 * within a second or so even with many points; a headless --project run
 * has no such limit.
 */
static uint64_t
app_project_budget(const struct app *a)
{
    if (a->probe)
        return APP_PROBE_PROJECT_ITERS;
    double per = 17.0 * (double)ou_engine_data(a->e)->n * (double)ou_engine_config(a->e)->width;
    double k = 5e8 / (per > 1.0 ? per : 1.0);
    return k < 5000.0 ? 5000
                      : (k > (double)OU_PROJECT_MAX_ITERS ? OU_PROJECT_MAX_ITERS : (uint64_t)k);
}

static void
app_project(struct app *a)
{
    app_notice(a, THEME_NOTICE, "projecting: noise-free full-batch descent to L < 1e-20 ...");
    app_present_now(a);
    struct ou_projection pr;
    enum ou_status st = ou_engine_project_limited(a->e, false, app_project_budget(a), &pr);
    char buf[32];
    if (st != OU_OK)
        app_notice(a, THEME_ERROR, "projection failed: %s", ou_status_str(st));
    else if (pr.converged)
        app_notice(a, THEME_NOTICE, "projected reg = %.5g (L = %.2g after %s GD steps; θ kept)",
                   pr.reg, pr.loss, panes_group(pr.iters, buf, sizeof buf));
    else
        app_notice(a, THEME_WARN, "projection stopped at L = %.3g after %s steps; reg there %.5g",
                   pr.loss, panes_group(pr.iters, buf, sizeof buf), pr.reg);
    if (st == OU_OK)
        app_marker(a, "projected reg %.5g", pr.reg);
}

/* Move theta onto the zero-loss set (noise-free descent) and show reg there. */
static void
app_project_apply(struct app *a)
{
    if (ou_engine_status(a->e) == OU_EDIVERGED) {
        app_notice(a, THEME_ERROR, "the run diverged; u rewinds it first");
        return;
    }
    app_notice(a, THEME_NOTICE, "projecting θ: noise-free full-batch descent to L < 1e-20 ...");
    app_present_now(a);
    struct ou_projection pr;
    enum ou_status st = ou_engine_project_limited(a->e, true, app_project_budget(a), &pr);
    char buf[32];
    if (st != OU_OK) {
        app_notice(a, THEME_ERROR, "projection failed: %s", ou_status_str(st));
        return;
    }
    app_mark(a, MARK_PROJECT);
    app_fl_restart(a);
    a->pure = false;
    a->dirty |= APP_SNAP | APP_DRAW;
    app_marker(a, "θ projected: reg %.5g", pr.reg);
    if (pr.converged)
        app_notice(a, THEME_NOTICE,
                   "θ projected: reg = %.5g at L = %.2g (%s GD steps); the noise "
                   "now jitters it off again",
                   pr.reg, pr.loss, panes_group(pr.iters, buf, sizeof buf));
    else
        app_notice(a, THEME_WARN,
                   "projection stopped at L = %.3g after %s steps; θ moved there, "
                   "reg %.5g",
                   pr.loss, panes_group(pr.iters, buf, sizeof buf), pr.reg);
}

static void
app_key_do(struct app *a, int key)
{
    struct view *v = &a->view;
    if (v->help) {
        v->help = false;
        a->dirty |= APP_DRAW;
        return;
    }
    enum keymap_action act = keymap_lookup(key);
    const struct ou_config *c = ou_engine_config(a->e);
    switch (act) {
    case KEYMAP_NONE:
        return;
    case KEYMAP_PAUSE:
        a->paused = !a->paused;
        a->burst = 0;
        a->owed = 0.0;
        a->last_step = now();
        break;
    case KEYMAP_STEP:
        a->paused = true;
        a->burst = 1;
        break;
    case KEYMAP_RUN_N:
        a->paused = true;
        a->burst = KEYMAP_RUN_N_STEPS;
        break;
    case KEYMAP_RUN_NN:
        a->paused = true;
        a->burst = KEYMAP_RUN_NN_STEPS;
        break;
    case KEYMAP_FASTER:
    case KEYMAP_SLOWER:
        if (a->script_on) {
            app_notice(a, THEME_NOTICE, "the script sets the speed (%s) until its last line",
                       a->speed_label);
            break;
        }
        a->speed += act == KEYMAP_FASTER ? 1 : -1;
        a->speed = a->speed < 0 ? 0 : (a->speed >= APP_NSPEED ? APP_NSPEED - 1 : a->speed);
        a->owed = 0.0;
        v->speed = speed_name[a->speed];
        app_notice(a, THEME_NOTICE, "speed: %s",
                   speed_rate[a->speed] > 0.0 ? speed_name[a->speed] : "as fast as possible");
        break;
    case KEYMAP_SIGMA_UP:
    case KEYMAP_SIGMA_DOWN:
        app_sigma(a, act == KEYMAP_SIGMA_UP);
        break;
    case KEYMAP_NOISE_TOGGLE:
        app_noise_toggle(a);
        break;
    case KEYMAP_NOISE_KIND:
        ou_engine_set_noise(a->e, c->noise == OU_NOISE_GAUSS ? OU_NOISE_PM : OU_NOISE_GAUSS);
        app_fl_restart(a);
        app_notice(a, THEME_NOTICE, "noise kind: %s",
                   ou_engine_config(a->e)->noise == OU_NOISE_PM ? "±σ" : "Gaussian");
        break;
    case KEYMAP_FROZEN:
        ou_engine_set_frozen(a->e, !c->frozen);
        app_fl_restart(a);
        app_notice(a, THEME_NOTICE, "%s",
                   ou_engine_config(a->e)->frozen
                       ? "frozen noise: the net fits fixed noisy labels and reg stops falling"
                       : "fresh noise every step: the drift resumes");
        break;
    case KEYMAP_ETA_UP:
    case KEYMAP_ETA_DOWN:
        app_eta(a, act == KEYMAP_ETA_UP);
        break;
    case KEYMAP_BATCH_UP:
    case KEYMAP_BATCH_DOWN:
        app_batch(a, act == KEYMAP_BATCH_UP);
        break;
    case KEYMAP_MOMENTUM_UP:
    case KEYMAP_MOMENTUM_DOWN:
        app_momentum(a, act == KEYMAP_MOMENTUM_UP);
        break;
    case KEYMAP_OPTIMIZER:
        app_optimizer(a);
        break;
    case KEYMAP_RESET:
        ou_engine_reset(a->e);
        if (a->b)
            ou_engine_reset(a->b);
        app_restart(a);
        app_notice(a, THEME_NOTICE, "reset: step 0, the same initial θ");
        app_marker(a, "reset to step 0");
        break;
    case KEYMAP_RESEED: {
        uint64_t seed = c->seed + 1;
        ou_engine_reseed(a->e, seed);
        if (a->b)
            ou_engine_reseed(a->b, seed);
        app_restart(a);
        app_notice(a, THEME_NOTICE, "new seed %" PRIu64 ": new initial θ, step 0", seed);
        break;
    }
    case KEYMAP_REWIND:
        app_rewind(a);
        break;
    case KEYMAP_DATA:
        app_next_data(a);
        break;
    case KEYMAP_PROJECT:
        app_project(a);
        break;
    case KEYMAP_PROJECT_APPLY:
        app_project_apply(a);
        break;
    case KEYMAP_KICK_TOP:
        app_kick(a, OU_KICK_TOP);
        break;
    case KEYMAP_RESCALE_UP:
        app_rescale(a, APP_RESCALE_ALPHA);
        break;
    case KEYMAP_RESCALE_DOWN:
        app_rescale(a, 1.0 / APP_RESCALE_ALPHA);
        break;
    case KEYMAP_KICK_TANGENT:
        app_kick(a, OU_KICK_TANGENT);
        break;
    case KEYMAP_KICK_DOWNHILL:
        app_kick(a, OU_KICK_DOWNHILL);
        break;
    case KEYMAP_KICK_UPHILL:
        app_kick(a, OU_KICK_UPHILL);
        break;
    case KEYMAP_KICK_BIGGER:
    case KEYMAP_KICK_SMALLER:
        app_kick_size(a, act == KEYMAP_KICK_BIGGER);
        break;
    case KEYMAP_OU_PANE:
        /* OU bars, then the stability history, then the regularizers. */
        if (v->regs_pane) {
            v->regs_pane = false;
            v->ou_pane = true;
        } else if (v->ou_pane) {
            v->ou_pane = false;
        } else {
            v->regs_pane = true;
        }
        break;
    case KEYMAP_OU_REANCHOR:
        if (ou_engine_data(a->e)->n > OU_FLUCT_MAX_DIRS) {
            app_notice(a, THEME_ERROR, "the OU analysis needs n <= %d points", OU_FLUCT_MAX_DIRS);
            break;
        }
        app_fl_restart(a);
        a->dirty |= APP_SNAP;
        app_notice(a, THEME_NOTICE, "θ_ref = the current θ: directions recomputed, new window");
        app_marker(a, "θ_ref re-anchored");
        break;
    case KEYMAP_COMMAND:
        cmdline_format(a->o, a->e, a->b, a->cmp.knob, a->b_start, a->b_how, a->pure, a->cmd,
                       sizeof a->cmd);
        a->show_cmd = true;
        app_notice(a, THEME_NOTICE, "%s", a->cmd);
        break;
    case KEYMAP_LOSS_LOG:
        v->loss_log = !v->loss_log;
        break;
    case KEYMAP_REG_LOG:
        v->reg_log = !v->reg_log;
        break;
    case KEYMAP_STEP_LOG:
        v->step_log = !v->step_log;
        break;
    case KEYMAP_GHOST:
        v->ghost = !v->ghost;
        break;
    case KEYMAP_KINKS:
        v->kinks = !v->kinks;
        a->dirty |= APP_SNAP;
        break;
    case KEYMAP_DRIFT:
        app_drift_toggle(a);
        break;
    case KEYMAP_COMPARE:
        app_ab_toggle(a);
        break;
    case KEYMAP_CLEAR:
        history_clear(a->hist);
        if (a->b)
            history_clear(a->hist_b);
        a->nmarks = 0;
        a->dirty |= APP_SNAP;
        break;
    case KEYMAP_HELP:
        v->help = true;
        break;
    case KEYMAP_REDRAW:
        if (a->take)
            ansi_invalidate(&a->ansi);
        else
            term_invalidate();
        break;
    case KEYMAP_QUIT:
        a->quit = true;
        break;
    case KEYMAP_COUNT:
    default:
        return;
    }
    a->dirty |= APP_DRAW;
}

/* A key, from the keyboard or a script; changed knobs become markers. */
static void
app_key(struct app *a, int key)
{
    struct app_knobs before;
    app_knobs_get(a, &before);
    app_key_do(a, key);
    app_knob_markers(a, &before);
}

/* ---- mouse ---- */

/* Data with point i taken out (i < n), into d. */
static void
data_without(struct ou_data *d, size_t i)
{
    for (size_t k = i; k + 1 < d->n; k++) {
        d->x[k] = d->x[k + 1];
        d->y[k] = d->y[k + 1];
    }
    d->n--;
}

/* Insert (x, y) in order; false if another point is closer than gap in x. */
static bool
data_with(struct ou_data *d, double x, double y, double gap, size_t *at)
{
    if (d->n >= OU_DATA_MAX)
        return false;
    size_t k = 0;
    while (k < d->n && d->x[k] < x)
        k++;
    if ((k < d->n && d->x[k] - x < gap) || (k > 0 && x - d->x[k - 1] < gap))
        return false;
    for (size_t j = d->n; j > k; j--) {
        d->x[j] = d->x[j - 1];
        d->y[j] = d->y[j - 1];
    }
    d->x[k] = x;
    d->y[k] = y;
    d->n++;
    *at = k;
    return true;
}

/* The edited set is custom data named after the original with a star. */
static void
data_mark_edited(struct ou_data *d)
{
    size_t len = strlen(d->name);
    if (d->kind != OU_DATA_CUSTOM && len + 1 < OU_DATA_NAME_MAX &&
        (len == 0 || d->name[len - 1] != '*')) {
        d->name[len] = '*';
        d->name[len + 1] = '\0';
    }
    d->kind = OU_DATA_CUSTOM;
}

/* Smallest x gap allowed between points: about one dot of the canvas. */
static double
app_gap(const struct plot *p)
{
    return (p->xs.hi - p->xs.lo) / (p->cv.dw > 1 ? p->cv.dw : 2) * 0.5;
}

static void
app_add_point(struct app *a, const struct plot *p, double x, double y)
{
    struct ou_data *d = a->scratch;
    *d = *ou_engine_data(a->e);
    size_t at;
    if (!data_with(d, x, y, app_gap(p), &at)) {
        if (d->n >= OU_DATA_MAX)
            app_notice(a, THEME_ERROR, "the data set is full (%d points)", OU_DATA_MAX);
        else
            app_notice(a, THEME_ERROR, "a point already sits at x = %.3g", x);
        return;
    }
    data_mark_edited(d);
    if (app_set_data(a, d))
        app_notice(a, THEME_NOTICE, "point added at (%.3g, %.3g): n = %zu, training goes on", x, y,
                   d->n);
}

static void
app_remove_point(struct app *a, double x)
{
    struct ou_data *d = a->scratch;
    *d = *ou_engine_data(a->e);
    if (d->n <= OU_DATA_MIN) {
        app_notice(a, THEME_ERROR, "at least %d points must stay", OU_DATA_MIN);
        return;
    }
    size_t i = ou_data_nearest(d, x);
    double px = d->x[i], py = d->y[i];
    data_without(d, i);
    data_mark_edited(d);
    if (app_set_data(a, d))
        app_notice(a, THEME_NOTICE, "point (%.3g, %.3g) removed: n = %zu", px, py, d->n);
}

/* Move point i to (x, y); returns its new index, or -1 if the place is taken. */
static long
app_move_point(struct app *a, const struct plot *p, size_t i, double x, double y)
{
    struct ou_data *d = a->scratch;
    *d = *ou_engine_data(a->e);
    if (i >= d->n)
        return -1;
    data_without(d, i);
    size_t at;
    if (!data_with(d, x, y, app_gap(p), &at))
        return -1;
    data_mark_edited(d);
    return app_set_data(a, d) ? (long)at : -1;
}

static void
app_mouse_do(struct app *a, const struct term_event *ev)
{
    struct plot p;
    if (!a->o->mouse || a->view.help || a->lay.too_small ||
        !panes_interp_plot(&a->lay, a->snap, &a->view, &p))
        return;
    double x, y;
    bool inside = plot_value_at(&p, ev->x, ev->y, &x, &y);
    if (ev->button == 3 && ev->mouse == TERM_MOUSE_PRESS) {
        if (inside)
            app_remove_point(a, x);
        return;
    }
    switch (ev->mouse) {
    case TERM_MOUSE_PRESS:
        if (ev->button != 1 || !inside)
            return;
        a->pressing = true;
        a->dragged = false;
        a->drag_idx = -1;
        a->press_col = ev->x;
        a->press_row = ev->y;
        a->press_x = x;
        a->press_y = y;
        return;
    case TERM_MOUSE_MOTION:
        if (!a->pressing || !inside ||
            (ev->x == a->press_col && ev->y == a->press_row && !a->dragged))
            return;
        if (a->drag_idx < 0)
            a->drag_idx = (long)ou_data_nearest(ou_engine_data(a->e), a->press_x);
        {
            long at = app_move_point(a, &p, (size_t)a->drag_idx, x, y);
            if (at >= 0)
                a->drag_idx = at;
        }
        a->dragged = true;
        return;
    case TERM_MOUSE_RELEASE:
    default:
        if (!a->pressing)
            return;
        a->pressing = false;
        if (a->dragged) {
            app_notice(a, THEME_NOTICE, "point moved to (%.3g, %.3g), training goes on", x, y);
            return;
        }
        if (inside && (ev->x != a->press_col || ev->y != a->press_row)) {
            /* A drag the terminal reported without motion: move the nearest point. */
            size_t i = ou_data_nearest(ou_engine_data(a->e), a->press_x);
            if (app_move_point(a, &p, i, x, y) >= 0)
                app_notice(a, THEME_NOTICE, "point moved to (%.3g, %.3g)", x, y);
            return;
        }
        app_add_point(a, &p, a->press_x, a->press_y);
        return;
    }
}

/* A mouse event; an edit of the data becomes a marker. */
static void
app_mouse(struct app *a, const struct term_event *ev)
{
    struct app_knobs before;
    app_knobs_get(a, &before);
    app_mouse_do(a, ev);
    app_knob_markers(a, &before);
}

/* ---- frame ---- */

static void
app_layout(struct app *a)
{
    int w, h;
    if (a->take) {
        w = a->take_w;
        h = a->take_h;
    } else {
        term_size(&w, &h);
    }
    if (!screen_resize(&a->scr, w, h))
        fatal("out of memory for a %dx%d screen", w, h);
    layout_compute(&a->lay, w, h);
    a->dirty |= APP_SNAP | APP_DRAW;
}

/*
 * Draw the frame and send it: through curses (and, under a recording
 * parent, a note that the frame is complete), or encoded into the take.
 */
static void
app_present(struct app *a)
{
    panes_draw(&a->scr, &a->lay, a->snap, &a->view);
    if (a->take) {
        const char *out;
        size_t len;
        if (!ansi_frame(&a->ansi, &a->scr, &out, &len))
            fatal("out of memory encoding a %dx%d frame", a->scr.w, a->scr.h);
        if (a->rec)
            record_output(a->rec, app_now(a), out, len);
        return;
    }
    term_draw(&a->scr);
    if (a->note_fd >= 0)
        relay_note_frame(a->note_fd);
}

/* A frame shown before a long computation; a take, which cannot be watched meanwhile, skips it. */
static void
app_present_now(struct app *a)
{
    if (!a->take)
        app_present(a);
}

static void
app_event(struct app *a, const struct term_event *ev)
{
    switch (ev->kind) {
    case TERM_EV_KEY:
        app_key(a, ev->key);
        break;
    case TERM_EV_MOUSE:
        app_mouse(a, ev);
        break;
    case TERM_EV_RESIZE:
        a->dirty |= APP_LAYOUT;
        break;
    case TERM_EV_SIGNAL:
        a->quit = true;
        a->exit_status = 128 + ev->key;
        break;
    case TERM_EV_NONE:
    default:
        break;
    }
}

/* term_pump's handler: one event; stop for a quit or a layout to redo. */
static bool
app_input(void *ctx, const struct term_event *ev)
{
    struct app *a = ctx;
    app_event(a, ev);
    return !a->quit && !(a->dirty & APP_LAYOUT);
}

static void
app_measure(struct app *a, double t)
{
    double dt = t - a->meas_t0;
    if (dt < 1.0)
        return;
    a->view.sps = (double)a->meas_steps / dt;
    a->view.fps = (double)a->meas_frames / dt;
    a->view.hide = a->o->hide;
    a->meas_t0 = t;
    a->meas_steps = 0;
    a->meas_frames = 0;
    a->dirty |= APP_DRAW;
}

/*
 * Recording-friendly output: block glyphs instead of braille (which common
 * cast-to-GIF tools render badly) and a modest frame rate, whenever the
 * screen is being recorded: --record, a headless take, or a run inside
 * asciinema (ASCIINEMA_REC), or when blocks were asked for.
 */
static bool
app_recording_friendly(const struct cli_opts *o)
{
    const char *r = getenv("ASCIINEMA_REC");
    return o->record || o->headless || (r && r[0]) || o->glyphs == CLI_GLYPHS_BLOCKS;
}

static void
app_init_view(struct app *a, const struct term_info *ti)
{
    struct view *v = &a->view;
    const struct cli_opts *o = a->o;
    memset(v, 0, sizeof *v);
    enum canvas_glyphs g = ti->utf8 ? CANVAS_BRAILLE : CANVAS_ASCII;
    if (o->glyphs == CLI_GLYPHS_BLOCKS ||
        (o->glyphs == CLI_GLYPHS_AUTO && app_recording_friendly(o)))
        g = CANVAS_BLOCKS;
    else if (o->glyphs == CLI_GLYPHS_ASCII)
        g = CANVAS_ASCII;
    if (!ti->utf8)
        g = CANVAS_ASCII;
    v->glyphs = g;
    v->loss_log = true;
    v->ou_pane = true;
    v->kick_size = a->kick_size;
    v->kinks = true;
    v->ghost = false;
    v->speed = a->sc ? a->speed_label : speed_name[a->speed];
    v->hist = a->hist;
    v->nhelp = keymap_help(a->help, a->help_keys, APP_HELP_MAX);
    v->help_items = a->help;
    v->nhints = keymap_hints(a->hints, a->hint_keys, APP_HINT_MAX);
    v->hints = a->hints;
    v->hide = o->hide;
    screen_init(&a->scr, g == CANVAS_ASCII);
    if (a->take)
        return;
    /* Nothing is measured before the first second: no rates rather than zeros (app_measure). */
    v->hide |= VIEW_FIELD_SPEED | VIEW_FIELD_FPS;
    if (!ti->utf8)
        app_notice(a, THEME_WARN, "the locale is not UTF-8: ASCII glyphs (try LANG=C.UTF-8)");
    else
        app_notice(a, THEME_NOTICE, "ouscope %s: ? shows every key, q quits", PACKAGE_VERSION);
}

/* ---- scripts (ouscope(1), SCRIPTS) ---- */

/*
 * Steps the next frame takes while a script runs: its speed, cut so that a
 * wait ends on its exact step (and a give-up step is not passed), or what
 * is left of a run-N-steps burst.
 */
static uint64_t
app_script_steps(const struct app *a)
{
    uint64_t n = a->spf;
    if (a->burst > 0)
        return n < a->burst ? n : a->burst;
    if (a->paused)
        return 0;
    uint64_t step = ou_engine_step_count(a->e);
    if ((a->wait == APP_WAIT_STEP || a->wait == APP_WAIT_UNTIL) && a->wait_step > step &&
        a->wait_step - step < n)
        n = a->wait_step - step;
    return n;
}

/* A metric of the latest snapshot, as "wait until" names it. */
static double
app_metric(const struct app *a, enum script_metric m)
{
    const struct ou_metrics *mt = &a->snap->met;
    switch (m) {
    case SCRIPT_M_STEP:
        return (double)a->snap->step;
    case SCRIPT_M_LOSS:
        return mt->loss;
    case SCRIPT_M_REG:
        return mt->reg;
    case SCRIPT_M_REG_EMA:
        return mt->reg_ema;
    case SCRIPT_M_ETA_LAMBDA:
        return mt->eta_lambda;
    case SCRIPT_M_KINKS:
        return (double)mt->nkinks;
    case SCRIPT_M_BALANCE:
        return mt->balance;
    case SCRIPT_M_DIVERGED:
    case SCRIPT_NMETRICS:
    default:
        return a->snap->status == OU_EDIVERGED ? 1.0 : 0.0;
    }
}

static void app_script_fail(struct app *a, const struct script_cmd *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A command that cannot be carried out: the script stops (a take fails). */
static void
app_script_fail(struct app *a, const struct script_cmd *c, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    free(a->script_error);
    a->script_error = xasprintf("%s:%d: %s", a->sc->name, c->line, msg);
    a->script_on = false;
    a->wait = APP_WAIT_NONE;
    a->view.speed = speed_name[a->speed];
    app_notice(a, THEME_ERROR, "%s", a->script_error);
}

/* Whether the wait in progress is over. */
static bool
app_wait_done(struct app *a)
{
    uint64_t step = ou_engine_step_count(a->e);
    const struct script_cmd *c = a->waiting;
    switch (a->wait) {
    case APP_WAIT_STEP:
        return step >= a->wait_step;
    case APP_WAIT_FRAMES:
        return a->wait_frames == 0;
    case APP_WAIT_UNTIL:
        /* Judged on a snapshot taken after the wait began, never on an older one. */
        if (!a->wait_fresh)
            return false;
        if (c->metric == SCRIPT_M_DIVERGED
                ? a->snap->status == OU_EDIVERGED
                : script_compare(app_metric(a, c->metric), c->cmp, c->value))
            return true;
        if (step < a->wait_step)
            return false;
        if (c->metric == SCRIPT_M_DIVERGED) {
            app_notice(a, THEME_WARN, "%s:%d: no divergence within %" PRIu64 " steps; going on",
                       a->sc->name, c->line, c->within);
            app_marker(a, "no divergence within %" PRIu64 " steps", c->within);
        } else {
            app_notice(a, THEME_WARN,
                       "%s:%d: %s %s %g not reached within %" PRIu64
                       " steps (it is %.4g); going on",
                       a->sc->name, c->line, script_metric_name(c->metric), script_cmp_name(c->cmp),
                       c->value, c->within, app_metric(a, c->metric));
            app_marker(a, "%s %s %g not reached within %" PRIu64 " steps",
                       script_metric_name(c->metric), script_cmp_name(c->cmp), c->value, c->within);
        }
        if (a->take)
            fprintf(stderr, "ouscope: %s\n", a->notice);
        return true;
    case APP_WAIT_NONE:
    default:
        return true;
    }
}

/* The script waits for steps that cannot come: the run is paused (or diverged). */
static bool
app_script_stalled(const struct app *a)
{
    return a->script_on && a->paused && a->burst == 0 &&
           (a->wait == APP_WAIT_STEP || (a->wait == APP_WAIT_UNTIL && a->wait_fresh));
}

static void
app_script_set(struct app *a, const struct script_cmd *c)
{
    const char *name = script_knob_name(c->knob);
    switch (c->knob) {
    case SCRIPT_SIGMA:
        a->sigma_off = 0.0;
        a->view.sigma_off = 0.0;
        app_set_sigma(a, c->value);
        app_notice(a, THEME_NOTICE, "σ = %.4g: the OU jitter and the loss floor scale with σ²",
                   c->value);
        break;
    case SCRIPT_ETA:
        ou_engine_set_eta(a->e, c->value);
        app_notice(a, THEME_NOTICE, "η = %.4g: stability needs η·λ_max < 2", c->value);
        break;
    case SCRIPT_BATCH: {
        size_t n = ou_engine_data(a->e)->n;
        if (c->value > (double)n) {
            app_script_fail(a, c, "set %s %.0f: the data has only n = %zu points", name, c->value,
                            n);
            return;
        }
        ou_engine_set_batch(a->e, (size_t)c->value);
        app_notice(a, THEME_NOTICE, "batch B = %.0f of %zu", c->value, n);
        break;
    }
    case SCRIPT_MOMENTUM:
        ou_engine_set_momentum(a->e, c->value);
        app_notice(a, THEME_NOTICE, "momentum μ = %g", c->value);
        break;
    case SCRIPT_NOISE:
        ou_engine_set_noise(a->e, (enum ou_noise_kind)c->value);
        app_notice(a, THEME_NOTICE, "noise kind: %s", c->value > 0.5 ? "±σ" : "Gaussian");
        break;
    case SCRIPT_FROZEN:
        ou_engine_set_frozen(a->e, c->value > 0.5);
        app_notice(a, THEME_NOTICE, "%s",
                   c->value > 0.5 ? "frozen noise: the net fits fixed noisy labels"
                                  : "fresh noise every step");
        break;
    case SCRIPT_OPTIMIZER:
        /* app_set_optimizer restarts the window and says what changed. */
        app_set_optimizer(a, (enum ou_optim_kind)c->value);
        return;
    case SCRIPT_KICK:
    case SCRIPT_NKNOBS:
    default:
        a->kick_size = c->value;
        a->view.kick_size = c->value;
        return;
    }
    /* Each OU window has one set of knobs. */
    app_fl_restart(a);
    a->dirty |= APP_SNAP | APP_DRAW;
}

static void
app_script_exec(struct app *a, const struct script_cmd *c)
{
    uint64_t step = ou_engine_step_count(a->e);
    struct app_knobs before;
    switch (c->op) {
    case SCRIPT_SET:
        app_knobs_get(a, &before);
        app_script_set(a, c);
        app_knob_markers(a, &before);
        break;
    case SCRIPT_KEY:
        for (size_t i = 0; i < c->nkeys && !a->quit; i++)
            app_key(a, c->keys[i]);
        break;
    case SCRIPT_WAIT_STEPS:
    case SCRIPT_AT_STEP:
        a->wait = APP_WAIT_STEP;
        a->wait_step = c->op == SCRIPT_AT_STEP ? c->count : step + c->count;
        break;
    case SCRIPT_WAIT_FRAMES:
        a->wait = APP_WAIT_FRAMES;
        a->wait_frames = c->count;
        break;
    case SCRIPT_WAIT_UNTIL:
        a->wait = APP_WAIT_UNTIL;
        a->wait_step = step + c->within;
        a->wait_fresh = false;
        break;
    case SCRIPT_PAUSE:
        a->paused = true;
        a->burst = 0;
        a->owed = 0.0;
        break;
    case SCRIPT_RESUME:
        a->paused = false;
        a->last_step = now();
        break;
    case SCRIPT_CAPTION:
        a->caption_on = c->text != NULL;
        if (c->text) {
            snprintf(a->caption, sizeof a->caption, "%s", c->text);
            a->caption_frames = c->frames;
            a->caption_until =
                c->count == 0 ? UINT64_MAX : (c->frames ? a->frame : step) + c->count;
            app_marker(a, "%s", c->text);
        }
        break;
    case SCRIPT_MARKER:
        app_marker(a, "%s", c->text);
        break;
    case SCRIPT_SPEED:
        a->spf = c->count;
        snprintf(a->speed_label, sizeof a->speed_label, "%" PRIu64 "/frame", c->count);
        break;
    case SCRIPT_END:
    default:
        a->quit = true;
        break;
    }
    a->waiting = c;
    a->dirty |= APP_DRAW;
}

/* Carry out commands until one has to wait (or the script is over). */
static void
app_script_advance(struct app *a)
{
    while (a->script_on && !a->quit) {
        if (a->wait != APP_WAIT_NONE) {
            if (!app_wait_done(a))
                return;
            a->wait = APP_WAIT_NONE;
        }
        if (a->pc >= a->sc->ncmd) {
            /* The last line: a take ends here, the live view hands over to the keys. */
            a->script_on = false;
            if (!a->take) {
                a->view.speed = speed_name[a->speed];
                app_notice(a, THEME_NOTICE, "the script is done: the keys are yours");
            }
            return;
        }
        app_script_exec(a, &a->sc->cmd[a->pc++]);
    }
}

/* The caption shown in the next frame, or none once its time is up. */
static void
app_caption_update(struct app *a)
{
    if (a->caption_on &&
        (a->caption_frames ? a->frame : ou_engine_step_count(a->e)) >= a->caption_until)
        a->caption_on = false;
    const char *c = a->caption_on ? a->caption : NULL;
    if (c != a->view.caption)
        a->dirty |= APP_DRAW;
    a->view.caption = c;
}

/* A frame is over: frame waits count down. */
static void
app_frame_done(struct app *a)
{
    a->frame++;
    if (a->wait == APP_WAIT_FRAMES && a->wait_frames > 0)
        a->wait_frames--;
}

/* ---- loops ---- */

static void
app_loop(struct app *a, long max_frames)
{
    long frames = 0;
    a->meas_t0 = a->last_step = now();
    while (!a->quit) {
        double t0 = now();
        if (a->dirty & APP_LAYOUT) {
            a->dirty &= ~APP_LAYOUT;
            term_invalidate();
            app_layout(a);
        }
        if (a->script_on) {
            app_script_advance(a);
            if (a->quit)
                break;
            bool stalled = app_script_stalled(a);
            if (stalled && !a->stall_noted)
                app_notice(a, THEME_WARN, "%s:%d: the script waits for steps; space resumes",
                           a->sc->name, a->waiting ? a->waiting->line : 0);
            a->stall_noted = stalled;
        }
        bool running = !a->paused || a->burst > 0;
        if (running) {
            /* Leave room for the draw, and for the snapshot when there is one
             * every frame; a rare slow snapshot simply makes its frame late. */
            double budget =
                0.9 * a->period - a->draw_cost - (a->snap_every == 1 ? a->snap_cost : 0.0);
            if (budget < 0.2 * a->period)
                budget = 0.2 * a->period;
            uint64_t before = a->meas_steps;
            app_step(a, t0 + budget);
            /* A frame that took steps shows them (slow metrics: every few frames). */
            if (a->meas_steps > before && (++a->snap_count >= a->snap_every || a->paused)) {
                a->snap_count = 0;
                a->dirty |= APP_SNAP | APP_DRAW;
            }
        }
        if (a->view.notice && t0 >= a->notice_until) {
            a->view.notice = NULL;
            a->dirty |= APP_DRAW;
        }
        app_caption_update(a);
        a->view.paused = a->paused;
        a->view.burst = a->burst;
        if (a->dirty & APP_SNAP)
            app_snapshot(a);
        if (a->dirty & (APP_DRAW | APP_SNAP)) {
            double t1 = now();
            if (a->paused && a->burst == 0)
                a->view.sps = 0.0;
            app_present(a);
            a->meas_frames++;
            a->draw_cost = 0.8 * a->draw_cost + 0.2 * (now() - t1);
        }
        a->dirty &= ~(APP_SNAP | APP_DRAW);
        app_measure(a, now());
        app_frame_done(a);
        if (max_frames > 0 && ++frames >= max_frames)
            break;

        /* A script (or a caption timed in frames) keeps the frame clock going while paused. */
        running =
            !a->paused || a->burst > 0 || a->script_on || (a->caption_on && a->caption_frames);
        if (running) {
            /* Input until the frame's deadline. */
            term_pump_until(t0 + a->period, app_input, a);
        } else {
            /* Paused: sleep until input, a notice expires, or the idle limit. */
            int ms = APP_IDLE_MS;
            if (a->view.notice) {
                int left = (int)ceil((a->notice_until - now()) * 1000.0);
                ms = left < 0 ? 0 : (left < ms ? left : ms);
            }
            term_pump_idle(ms, app_input, a);
            a->last_step = now();
        }
    }
}

/*
 * A headless take: one iteration is one frame at t = frame / fps.  The
 * script runs, then the frame takes exactly the steps it asks for (none in
 * the first frame, which shows the start), then the frame is drawn,
 * encoded and written.  Nothing here reads the wall clock, so the same
 * script and seed give the same bytes.
 */
static void
app_take_loop(struct app *a, long max_frames)
{
    for (;;) {
        app_script_advance(a);
        if (a->script_error)
            break;
        if (app_script_stalled(a)) {
            const struct script_cmd *c = a->waiting;
            char buf[32];
            a->script_error = xasprintf(
                "%s:%d: the script waits for steps, but the run is paused%s at step %s; resume "
                "it first (after a divergence: key u, then resume)",
                a->sc->name, c ? c->line : 0,
                ou_engine_status(a->e) == OU_EDIVERGED ? " (it diverged)" : "",
                panes_group(ou_engine_step_count(a->e), buf, sizeof buf));
            break;
        }
        /* The first frame shows the start; the one after the script's end, where it ended. */
        bool stepping = a->frame > 0 && a->script_on && !a->quit;
        uint64_t n = stepping ? app_script_steps(a) : 0, done = 0;
        if (n > 0) {
            enum ou_status st = app_run(a, n, &done);
            if (a->burst > 0)
                a->burst -= done < a->burst ? done : a->burst;
            if (st != OU_OK)
                app_diverged(a);
        }
        if (a->view.notice && app_now(a) >= a->notice_until)
            a->view.notice = NULL;
        app_caption_update(a);
        a->view.paused = a->paused;
        a->view.burst = a->burst;
        /*
         * A take's clock is the frame: it plays at steps per frame x fps
         * (the first frame shows the start, a wait's last frame may take
         * fewer), and at 0 while paused.
         */
        a->view.sps = a->paused && a->burst == 0 ? 0.0 : (double)a->spf * a->fps;
        a->view.fps = a->fps;
        app_snapshot(a);
        app_present(a);
        app_frame_done(a);
        a->dirty = 0;
        if (a->quit || !a->script_on)
            break;
        if (max_frames > 0 && a->frame >= (uint64_t)max_frames)
            break;
    }
}

/* ---- entry points ---- */

static struct app *
app_create(const struct cli_opts *o, struct ou_engine *e, const struct script *sc, double fps)
{
    struct app *a = xcalloc(1, sizeof *a);
    a->o = o;
    a->e = e;
    a->snap = xcalloc(1, sizeof *a->snap);
    a->hist = xmalloc(sizeof *a->hist);
    a->scratch = xmalloc(sizeof *a->scratch);
    history_clear(a->hist);
    a->fps = fps;
    a->period = 1.0 / fps;
    a->speed = APP_NSPEED - 1;
    a->sps_est = 1e4;
    a->snap_every = 1;
    a->drag_idx = -1;
    a->kick_size = APP_KICK_DEFAULT;
    a->note_fd = -1;
    a->pure = true;
    if (sc) {
        a->sc = sc;
        a->script_on = true;
        a->spf = SCRIPT_SPEED_DEFAULT;
        snprintf(a->speed_label, sizeof a->speed_label, "%d/frame", SCRIPT_SPEED_DEFAULT);
    }
    return a;
}

static void
app_destroy(struct app *a)
{
    screen_fini(&a->scr);
    ansi_fini(&a->ansi);
    free(a->script_error);
    free(a->fl_v);
    free(a->dh);
    free(a->scratch);
    free(a->hist);
    free(a->snap);
    ou_engine_destroy(a->b);
    free(a->snap_b);
    free(a->hist_b);
    free(a);
}

/* Write the last frame as text (--dump-screen); 0 or 1. */
static int
app_dump_screen(const struct app *a, const char *path)
{
    size_t need = screen_to_text(&a->scr, NULL, 0);
    char *buf = xmalloc(need + 1);
    screen_to_text(&a->scr, buf, need + 1);
    FILE *f = fopen(path, "w");
    int rc = 0;
    if (!f || fwrite(buf, 1, need, f) != need || fflush(f) != 0) {
        fprintf(stderr, "ouscope: --dump-screen: %s: %s\n", path, strerror(errno));
        rc = 1;
    }
    if (f && fclose(f) != 0 && rc == 0) {
        fprintf(stderr, "ouscope: --dump-screen: %s: %s\n", path, strerror(errno));
        rc = 1;
    }
    free(buf);
    return rc;
}

/* What is left to do after the loop: script errors, the screen dump, the command line. */
static int
app_finish(struct app *a)
{
    int rc = a->exit_status;
    if (a->script_error) {
        fprintf(stderr, "ouscope: %s\n", a->script_error);
        rc = 1;
    }
    if (a->o->dump_screen && app_dump_screen(a, a->o->dump_screen) != 0 && rc == 0)
        rc = 1;
    if (a->show_cmd) {
        cmdline_format(a->o, a->e, a->b, a->cmp.knob, a->b_start, a->b_how, a->pure, a->cmd,
                       sizeof a->cmd);
        printf("%s\n", a->cmd);
        fflush(stdout);
    }
    return rc;
}

/* The live view on the terminal; note_fd >= 0 under a recording parent. */
static int
app_live(struct app *a, long max_frames)
{
    char *cause = NULL;
    const struct cli_opts *o = a->o;
    struct term_opts to = {.color = o->color, .light = o->light, .mouse = o->mouse};
    struct term_info ti;
    if (term_open(&to, stdin, stdout, &ti, &cause) != 0) {
        fprintf(stderr, "ouscope: %s\n", cause);
        free(cause);
        return 1;
    }
    xmalloc_set_fatal_hook(term_restore);
    app_init_view(a, &ti);
    ou_engine_mark(a->e);
    a->last_mark = now();
    app_fl_restart(a);
    if (o->compare.knob != COMPARE_NONE)
        app_ab_start(a, &o->compare, false, NULL);
    app_layout(a);
    /* The initial state is the history's first sample. */
    app_snapshot(a);
    app_loop(a, max_frames);
    term_close();
    xmalloc_set_fatal_hook(NULL);
    return app_finish(a);
}

/* The header's time: SOURCE_DATE_EPOCH if it is set (reproducible builds), else 0. */
static int64_t
app_epoch(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    char *end;
    if (!s || s[0] < '0' || s[0] > '9')
        return 0;
    errno = 0;
    long long t = strtoll(s, &end, 10);
    return *end || errno ? 0 : (int64_t)t;
}

/* A headless take into rec (which may be NULL: the script only runs). */
static int
app_take(struct app *a, struct record *rec, const char *title, long max_frames)
{
    const struct cli_opts *o = a->o;
    const char *nc = getenv("NO_COLOR");
    enum theme_depth depth = o->color && !(nc && nc[0]) ? THEME_256 : THEME_MONO;
    struct term_info ti = {.utf8 = true, .depth = depth};
    a->take = true;
    a->rec = rec;
    ansi_init(&a->ansi, theme_palette(depth, o->light));
    app_init_view(a, &ti);
    if (rec)
        record_header(rec, a->take_w, a->take_h, app_epoch(), title, "xterm-256color");
    ou_engine_mark(a->e);
    a->last_mark = 0.0;
    app_fl_restart(a);
    if (o->compare.knob != COMPARE_NONE)
        app_ab_start(a, &o->compare, false, NULL);
    app_layout(a);
    app_take_loop(a, max_frames);
    return app_finish(a);
}

/* ---- the probe: the live view's input handling without a terminal ---- */

struct app *
app_probe_create(const struct cli_opts *o, int w, int h, char **cause)
{
    struct ou_engine *e = headless_make_engine(o, cause);
    if (!e)
        return NULL;
    struct app *a = app_create(o, e, NULL, APP_REC_FPS);
    struct term_info ti = {.utf8 = true, .depth = THEME_256};
    a->take = true;
    a->probe = true;
    a->take_w = w;
    a->take_h = h;
    ansi_init(&a->ansi, theme_palette(THEME_256, o->light));
    app_init_view(a, &ti);
    ou_engine_mark(a->e);
    app_fl_restart(a);
    app_layout(a);
    app_snapshot(a);
    app_present(a);
    return a;
}

bool
app_probe_event(struct app *a, const struct term_event *ev)
{
    app_event(a, ev);
    if (a->dirty & APP_LAYOUT)
        app_layout(a);
    return !a->quit;
}

void
app_probe_frame(struct app *a)
{
    if (!a->paused && !a->quit) {
        uint64_t done = 0;
        if (app_run(a, 50, &done) != OU_OK)
            app_diverged(a);
    }
    a->view.paused = a->paused;
    app_snapshot(a);
    app_present(a);
    app_frame_done(a);
    a->dirty = 0;
}

bool
app_probe_resize(struct app *a, int w, int h)
{
    a->take_w = w;
    a->take_h = h;
    struct term_event ev = {.kind = TERM_EV_RESIZE};
    bool alive = app_probe_event(a, &ev);
    app_probe_frame(a);
    return alive;
}

void
app_probe_destroy(struct app *a)
{
    if (!a)
        return;
    struct ou_engine *e = a->e;
    app_destroy(a);
    ou_engine_destroy(e);
}

/* Script set-up directives fill in what the command line did not give. */
static int
app_setup(struct cli_opts *eff, const struct script *sc, char **cause)
{
    if (!sc)
        return 0;
    const struct script_setup *su = &sc->setup;
    const unsigned fixed = SCRIPT_SET_DATA | SCRIPT_SET_N | SCRIPT_SET_WIDTH | SCRIPT_SET_SEED |
                           SCRIPT_SET_MODEL | SCRIPT_SET_BIAS;
    if (eff->load && (su->set & fixed)) {
        *cause = xasprintf("--load: %s sets up the model or data (data, width, seed, model, bias), "
                           "which the saved state fixes; drop --load or those lines",
                           sc->name);
        return -1;
    }
    if ((su->set & SCRIPT_SET_DATA) && !(eff->set & CLI_SET_DATA))
        eff->data = ou_data_kind_name(su->data);
    if ((su->set & SCRIPT_SET_N) && !(eff->set & CLI_SET_N))
        eff->n = su->n;
    if ((su->set & SCRIPT_SET_WIDTH) && !(eff->set & CLI_SET_WIDTH))
        eff->cfg.width = su->width;
    if ((su->set & SCRIPT_SET_SEED) && !(eff->set & CLI_SET_SEED))
        eff->cfg.seed = su->seed;
    if ((su->set & SCRIPT_SET_MODEL) && !(eff->set & CLI_SET_MODEL))
        eff->cfg.model = su->model;
    if ((su->set & SCRIPT_SET_BIAS) && !(eff->set & CLI_SET_BIAS))
        eff->cfg.bias = su->bias;
    return 0;
}

int
app_main(const struct cli_opts *o)
{
    struct script *sc = NULL;
    struct ou_engine *e = NULL;
    struct record *rec = NULL;
    struct app *a = NULL;
    char *cause = NULL, *title = NULL;
    int rc = 0;

    if (o->script) {
        int r = script_load(o->script, &sc, &cause);
        if (r != 0) {
            rc = r == SCRIPT_EREAD ? 1 : 2;
            goto fail;
        }
        if (o->script_scale > 0.0)
            script_scale(sc, o->script_scale);
    } else if (o->headless) {
        /* --headless --record --steps N: a take of N steps at the default speed. */
        char text[64];
        snprintf(text, sizeof text, o->steps ? "wait steps %" PRIu64 "\n" : "\n", o->steps);
        if (script_parse("--steps", text, strlen(text), &sc, &cause) != 0) {
            rc = 2;
            goto fail;
        }
    }
    struct cli_opts eff = *o;
    if (app_setup(&eff, sc, &cause) != 0) {
        rc = 2;
        goto fail;
    }
    const struct script_setup *su = sc ? &sc->setup : NULL;
    double fps = o->fps;
    if (!(o->set & CLI_SET_FPS)) {
        if (su && (su->set & SCRIPT_SET_FPS))
            fps = su->fps;
        else if (app_recording_friendly(o))
            fps = APP_REC_FPS;
    }
    if (su && (su->set & SCRIPT_SET_TITLE)) {
        title = xstrdup(su->title);
    } else if (o->script) {
        const char *b = strrchr(o->script, '/');
        title = xasprintf("ouscope: %s", b ? b + 1 : o->script);
    } else {
        title = xstrdup("ouscope");
    }
    if (o->record && !o->headless && !isatty(STDIN_FILENO)) {
        cause = xasprintf("--record: standard input is not a terminal: the live view needs one "
                          "(or record a headless take: --headless --script FILE)");
        rc = 1;
        goto fail;
    }
    if (!(e = headless_make_engine(&eff, &cause))) {
        rc = 1;
        goto fail;
    }
    if (o->compare.knob == COMPARE_BATCH && o->compare.value > (double)ou_engine_data(e)->n) {
        cause = xasprintf("--compare batch: expected a whole number in 1..%zu (the number of "
                          "data points), got %.0f",
                          ou_engine_data(e)->n, o->compare.value);
        rc = 2;
        goto fail;
    }
    if (o->record && !(rec = record_open(o->record, &cause))) {
        rc = 1;
        goto fail;
    }
    if (o->headless) {
        a = app_create(&eff, e, sc, fps);
        a->take_w = o->size_w                             ? o->size_w
                    : (su && (su->set & SCRIPT_SET_SIZE)) ? su->w
                                                          : APP_TAKE_W;
        a->take_h = o->size_w                             ? o->size_h
                    : (su && (su->set & SCRIPT_SET_SIZE)) ? su->h
                                                          : APP_TAKE_H;
        rc = app_take(a, rec, title, (long)o->frames);
    } else if (rec) {
        struct relay *r = NULL;
        switch (relay_start(&r, &cause)) {
        case RELAY_FAILED:
            rc = 1;
            goto fail;
        case RELAY_CHILD:
            /* The parent owns the file; this side draws and sends notes. */
            record_abandon(rec);
            rec = NULL;
            a = app_create(&eff, e, sc, fps);
            a->note_fd = STDOUT_FILENO;
            rc = app_live(a, (long)o->frames);
            break;
        case RELAY_PARENT:
        default:
            ou_engine_destroy(e);
            e = NULL;
            rc = relay_run(r, rec, title);
            break;
        }
    } else {
        a = app_create(&eff, e, sc, fps);
        rc = app_live(a, (long)o->frames);
    }
    if (rec && record_close(rec, &cause) != 0) {
        rec = NULL;
        rc = rc ? rc : 1;
        goto fail;
    }
    rec = NULL;
    goto out;
fail:
    fprintf(stderr, "ouscope: %s\n", cause);
    free(cause);
out:
    if (rec)
        record_abandon(rec);
    if (a)
        app_destroy(a);
    free(title);
    ou_engine_destroy(e);
    script_destroy(sc);
    return rc;
}
