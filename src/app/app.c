/*
 * The live view's event loop.  One iteration is one frame: step the engine
 * until the frame's compute budget is spent, take one snapshot, draw if
 * anything changed, then wait for input until the frame's deadline (or,
 * paused, until something happens).  Keys and mouse edits only change
 * state and set dirty flags; drawing happens in one place.
 */
#include "config.h"

#include "app.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ouscope/fluct.h"

#include "app/headless.h"
#include "app/keymap.h"
#include "app/term.h"
#include "io/xmalloc.h"
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
#define APP_KICK_DEFAULT 0.1 /* parameter-space length of a kick */
#define APP_KICK_MIN 1e-4
#define APP_KICK_MAX 10.0

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
};

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
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
    a->notice_until = now() + APP_NOTICE_SECONDS;
    a->dirty |= APP_DRAW;
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
        [OU_KICK_TANGENT] = "along a random tangent direction: h(xᵢ) stays, and nothing pulls θ back",
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
    app_mark(a, mark[kind]);
    a->dirty |= APP_SNAP | APP_DRAW;
    app_notice(a, THEME_NOTICE, "kick %.3g %s", a->kick_size, what[kind]);
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

static void
app_push_history(struct app *a)
{
    const struct ou_snapshot *s = a->snap;
    const struct ou_metrics *m = &s->met;
    const struct ou_trace *t = &s->trace;
    if (t->steps == 0 && history_len(a->hist) > 0)
        return;
    double y[HIST_NSERIES];
    y[HIST_LOSS] = t->steps ? t->loss_sum / (double)t->steps : m->loss;
    y[HIST_REG] = t->steps ? t->reg_sum / (double)t->steps : m->reg;
    y[HIST_REG_EMA] = t->steps ? m->reg_ema : m->reg;
    y[HIST_FLOOR] = m->loss_floor;
    y[HIST_ETAL] = m->eta_lambda;
    y[HIST_BALANCE] = m->balance;
    history_push(a->hist, (double)s->step, (double)t->steps, y);
}

static void
app_snapshot(struct app *a)
{
    struct ou_snapshot_req req;
    double t = now();
    panes_curve_request(&a->lay, ou_engine_data(a->e), &a->view, &req);
    enum ou_status st = ou_engine_snapshot(a->e, a->snap, &req);
    if (st == OU_ENUMERIC)
        app_notice(a, THEME_ERROR, "the eigenvalues of K did not converge at step %" PRIu64,
                   a->snap->step);
    app_push_history(a);
    app_drift(a);
    app_fl_update(a);
    /* Remember a healthy state for u: finite loss, inside the stability limit. */
    const struct ou_metrics *m = &a->snap->met;
    if (a->snap->status == OU_OK && isfinite(m->loss) && m->eta_lambda < 2.0 &&
        t - a->last_mark >= APP_MARK_SECONDS) {
        ou_engine_mark(a->e);
        a->last_mark = t;
    }
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
}

/* Step the engine until `until` (a clock time) or until the steps owed are done. */
static void
app_step(struct app *a, double until)
{
    double t = now();
    uint64_t want = UINT64_MAX;
    if (a->burst > 0) {
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
        enum ou_status st = ou_engine_run(a->e, chunk, &done);
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

/* Back to a fresh start at step 0: history and the rewind mark go too. */
static void
app_restart(struct app *a)
{
    ou_engine_mark(a->e);
    a->last_mark = now();
    history_clear(a->hist);
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
    app_fl_restart(a);
    a->paused = true;
    a->dirty |= APP_SNAP | APP_DRAW;
    char buf[32];
    app_notice(a, THEME_NOTICE, "rewound to step %s with η = %.4g; space goes on",
               panes_group(at, buf, sizeof buf), ou_engine_config(a->e)->eta);
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

static void
app_project(struct app *a)
{
    app_notice(a, THEME_NOTICE, "projecting: noise-free full-batch descent to L < 1e-20 ...");
    panes_draw(&a->scr, &a->lay, a->snap, &a->view);
    term_draw(&a->scr);
    struct ou_projection pr;
    enum ou_status st = ou_engine_project(a->e, false, &pr);
    char buf[32];
    if (st != OU_OK)
        app_notice(a, THEME_ERROR, "projection failed: %s", ou_status_str(st));
    else if (pr.converged)
        app_notice(a, THEME_NOTICE, "projected reg = %.5g (L = %.2g after %s GD steps; θ kept)",
                   pr.reg, pr.loss, panes_group(pr.iters, buf, sizeof buf));
    else
        app_notice(a, THEME_WARN, "projection stopped at L = %.3g after %s steps; reg there %.5g",
                   pr.loss, panes_group(pr.iters, buf, sizeof buf), pr.reg);
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
    panes_draw(&a->scr, &a->lay, a->snap, &a->view);
    term_draw(&a->scr);
    struct ou_projection pr;
    enum ou_status st = ou_engine_project(a->e, true, &pr);
    char buf[32];
    if (st != OU_OK) {
        app_notice(a, THEME_ERROR, "projection failed: %s", ou_status_str(st));
        return;
    }
    app_mark(a, MARK_PROJECT);
    app_fl_restart(a);
    a->dirty |= APP_SNAP | APP_DRAW;
    if (pr.converged)
        app_notice(a, THEME_NOTICE, "θ projected: reg = %.5g at L = %.2g (%s GD steps); the noise "
                   "now jitters it off again", pr.reg, pr.loss, panes_group(pr.iters, buf, sizeof buf));
    else
        app_notice(a, THEME_WARN, "projection stopped at L = %.3g after %s steps; θ moved there, "
                   "reg %.5g", pr.loss, panes_group(pr.iters, buf, sizeof buf), pr.reg);
}

static void
app_key(struct app *a, int key)
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
    case KEYMAP_RESET:
        ou_engine_reset(a->e);
        app_restart(a);
        app_notice(a, THEME_NOTICE, "reset: step 0, the same initial θ");
        break;
    case KEYMAP_RESEED: {
        uint64_t seed = c->seed + 1;
        ou_engine_reseed(a->e, seed);
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
        v->ou_pane = !v->ou_pane;
        break;
    case KEYMAP_OU_REANCHOR:
        if (ou_engine_data(a->e)->n > OU_FLUCT_MAX_DIRS) {
            app_notice(a, THEME_ERROR, "the OU analysis needs n <= %d points", OU_FLUCT_MAX_DIRS);
            break;
        }
        app_fl_restart(a);
        a->dirty |= APP_SNAP;
        app_notice(a, THEME_NOTICE, "θ_ref = the current θ: directions recomputed, new window");
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
    case KEYMAP_CLEAR:
        history_clear(a->hist);
        a->nmarks = 0;
        a->dirty |= APP_SNAP;
        break;
    case KEYMAP_HELP:
        v->help = true;
        break;
    case KEYMAP_REDRAW:
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
app_mouse(struct app *a, const struct term_event *ev)
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

/* ---- frame ---- */

static void
app_layout(struct app *a)
{
    int w, h;
    term_size(&w, &h);
    if (!screen_resize(&a->scr, w, h))
        fatal("out of memory for a %dx%d screen", w, h);
    layout_compute(&a->lay, w, h);
    a->dirty |= APP_SNAP | APP_DRAW;
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

static void
app_measure(struct app *a, double t)
{
    double dt = t - a->meas_t0;
    if (dt < 1.0)
        return;
    a->view.sps = (double)a->meas_steps / dt;
    a->view.fps = (double)a->meas_frames / dt;
    a->meas_t0 = t;
    a->meas_steps = 0;
    a->meas_frames = 0;
    a->dirty |= APP_DRAW;
}

static void
app_init_view(struct app *a, const struct term_info *ti)
{
    struct view *v = &a->view;
    const struct cli_opts *o = a->o;
    memset(v, 0, sizeof *v);
    enum canvas_glyphs g = ti->utf8 ? CANVAS_BRAILLE : CANVAS_ASCII;
    if (o->glyphs == CLI_GLYPHS_BLOCKS)
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
    v->speed = speed_name[a->speed];
    v->hist = a->hist;
    v->nhelp = keymap_help(a->help, a->help_keys, APP_HELP_MAX);
    v->help_items = a->help;
    v->nhints = keymap_hints(a->hints, a->hint_keys, APP_HINT_MAX);
    v->hints = a->hints;
    screen_init(&a->scr, g == CANVAS_ASCII);
    if (!ti->utf8)
        app_notice(a, THEME_WARN, "the locale is not UTF-8: ASCII glyphs (try LANG=C.UTF-8)");
    else
        app_notice(a, THEME_NOTICE, "ouscope %s: ? shows every key, q quits", PACKAGE_VERSION);
}

static void
app_loop(struct app *a, long max_frames)
{
    long frames = 0;
    struct term_event ev;
    a->meas_t0 = a->last_step = now();
    while (!a->quit) {
        double t0 = now();
        if (a->dirty & APP_LAYOUT) {
            a->dirty &= ~APP_LAYOUT;
            term_invalidate();
            app_layout(a);
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
        a->view.paused = a->paused;
        a->view.burst = a->burst;
        if (a->dirty & APP_SNAP)
            app_snapshot(a);
        if (a->dirty & (APP_DRAW | APP_SNAP)) {
            double t1 = now();
            if (a->paused && a->burst == 0)
                a->view.sps = 0.0;
            panes_draw(&a->scr, &a->lay, a->snap, &a->view);
            term_draw(&a->scr);
            a->meas_frames++;
            a->draw_cost = 0.8 * a->draw_cost + 0.2 * (now() - t1);
        }
        a->dirty &= ~(APP_SNAP | APP_DRAW);
        app_measure(a, now());
        if (max_frames > 0 && ++frames >= max_frames)
            break;

        running = !a->paused || a->burst > 0;
        if (running) {
            /* Input until the frame's deadline. */
            double deadline = t0 + a->period;
            for (;;) {
                int ms = (int)ceil((deadline - now()) * 1000.0);
                if (ms < 0)
                    ms = 0;
                if (!term_wait(ms, &ev))
                    break;
                app_event(a, &ev);
                if (a->quit || (a->dirty & APP_LAYOUT))
                    break;
            }
        } else {
            /* Paused: sleep until input, a notice expires, or the idle limit. */
            int ms = APP_IDLE_MS;
            if (a->view.notice) {
                int left = (int)ceil((a->notice_until - now()) * 1000.0);
                ms = left < 0 ? 0 : (left < ms ? left : ms);
            }
            if (term_wait(ms, &ev)) {
                app_event(a, &ev);
                while (!a->quit && term_wait(0, &ev))
                    app_event(a, &ev);
            }
            a->last_step = now();
        }
    }
}

int
app_run(const struct cli_opts *o, long max_frames)
{
    char *cause = NULL;
    struct ou_engine *e = headless_make_engine(o, &cause);
    if (!e) {
        fprintf(stderr, "ouscope: %s\n", cause);
        free(cause);
        return 1;
    }
    struct app *a = xcalloc(1, sizeof *a);
    a->o = o;
    a->e = e;
    a->snap = xcalloc(1, sizeof *a->snap);
    a->hist = xmalloc(sizeof *a->hist);
    a->scratch = xmalloc(sizeof *a->scratch);
    history_clear(a->hist);
    a->period = 1.0 / o->fps;
    a->speed = APP_NSPEED - 1;
    a->sps_est = 1e4;
    a->snap_every = 1;
    a->drag_idx = -1;
    a->kick_size = APP_KICK_DEFAULT;

    struct term_opts to = {.color = o->color, .light = o->light, .mouse = o->mouse};
    struct term_info ti;
    if (term_open(&to, stdin, stdout, &ti, &cause) != 0) {
        fprintf(stderr, "ouscope: %s\n", cause);
        free(cause);
        a->exit_status = 1;
        goto out;
    }
    xmalloc_set_fatal_hook(term_restore);
    app_init_view(a, &ti);
    ou_engine_mark(e);
    a->last_mark = now();
    app_fl_restart(a);
    app_layout(a);
    /* The initial state is the history's first sample. */
    app_snapshot(a);
    app_loop(a, max_frames);
    term_close();
    xmalloc_set_fatal_hook(NULL);
out:
    screen_fini(&a->scr);
    int rc = a->exit_status;
    free(a->fl_v);
    free(a->dh);
    free(a->scratch);
    free(a->hist);
    free(a->snap);
    free(a);
    ou_engine_destroy(e);
    return rc;
}
