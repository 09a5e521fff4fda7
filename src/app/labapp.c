/*
 * The other settings' live view and headless run.  The loop is app.c's in
 * small: one iteration is one frame; the lab steps in time slices until
 * the frame's budget is spent, one snapshot is taken, the frame is drawn
 * once, then input is awaited until the next frame's deadline (or, paused,
 * until something happens).  Keys only change state and set dirty flags.
 * Headless, the same lab writes a CSV row every K steps instead.
 */
#include "config.h"

#include "labapp.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/labcli.h"
#include "app/labkeys.h"
#include "app/term.h"
#include "io/xmalloc.h"
#include "ouscope/engine.h"
#include "render/history.h"
#include "render/labpanes.h"
#include "render/screen.h"

/* Dirty flags: what the next frame must redo. */
enum {
    LAB_DRAW = 1u << 0,  /* draw and flush */
    LAB_SNAP = 1u << 1,  /* take a new snapshot first */
    LAB_LAYOUT = 1u << 2 /* the terminal changed size */
};

#define LAB_NOTICE_SECONDS 3.0
#define LAB_IDLE_MS 1000 /* longest sleep while paused */
#define LAB_SIGMA_MIN 1e-4
#define LAB_ETA_MIN 1e-6
#define LAB_HELP_MAX 24
#define LAB_HINT_MAX 16

struct labapp {
    const struct labcli_opts *o;
    struct ou_lab *l;
    struct ou_lab_snapshot *snap;
    struct history *hist;
    struct screen scr;
    struct lab_layout lay;
    struct lab_view view;
    struct help_entry help[LAB_HELP_MAX], hints[LAB_HINT_MAX];
    char hint_keys[LAB_HINT_MAX][LABKEYS_KEYS_MAX];
    char notice[192];
    double notice_until;
    unsigned dirty;
    bool paused, quit;
    int exit_status;

    double period;    /* seconds per frame */
    double sps_est;   /* lab speed while stepping, steps per second */
    double snap_cost; /* seconds per snapshot */
    double draw_cost; /* seconds per draw and flush */
    uint64_t burst;   /* steps left of a one-step request */
    uint64_t pending; /* steps taken since the last snapshot */
    double sigma_off; /* > 0 while the noise is off: the sigma to return to */
    double meas_t0;   /* the steps/s window */
    uint64_t meas_steps;
};

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void lab_notice(struct labapp *a, enum theme_role style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
lab_notice(struct labapp *a, enum theme_role style, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->notice, sizeof a->notice, fmt, ap);
    va_end(ap);
    a->view.notice = a->notice;
    a->view.notice_style = style;
    a->notice_until = now() + LAB_NOTICE_SECONDS;
    a->dirty |= LAB_DRAW;
}

/* ---- snapshot and history ---- */

static void
lab_snapshot(struct labapp *a)
{
    double t = now();
    enum ou_status st = ou_lab_snapshot(a->l, a->snap);
    if (st != OU_OK)
        lab_notice(a, THEME_ERROR, "the observables at step %" PRIu64 " failed: %s", a->snap->step,
                   ou_status_str(st));
    /* A frame with no steps adds nothing, except the first sample. */
    if (a->pending > 0 || history_len(a->hist) == 0) {
        double y[HIST_NSERIES];
        labpanes_hist_values(a->snap, y);
        history_push(a->hist, (double)a->snap->step, (double)a->pending, y);
    }
    a->pending = 0;
    double cost = now() - t;
    a->snap_cost = a->snap_cost > 0.0 ? 0.8 * a->snap_cost + 0.2 * cost : cost;
}

/* ---- stepping ---- */

static void
lab_diverged(struct labapp *a)
{
    a->paused = true;
    a->burst = 0;
    a->dirty |= LAB_SNAP | LAB_DRAW;
    lab_notice(a, THEME_ERROR, "diverged at η = %.4g: { halves η, then r starts again from θ₀",
               ou_lab_config(a->l)->eta);
}

/* Step until `until` (a clock time), in slices of about a millisecond. */
static void
lab_step(struct labapp *a, double until)
{
    double t = now();
    uint64_t want = a->burst > 0 ? a->burst : UINT64_MAX;
    /*
     * A frame takes at most a quarter of the steps so far (and 16): the
     * step count grows at most geometrically, so the start of a run, where
     * most happens, still gets history samples spread over its decades
     * (the ridge comparison is read on a log step axis).  Fast settings
     * reach their full speed within a second or two.
     */
    uint64_t ramp = 16 + ou_lab_step_count(a->l) / 4;
    if (a->burst == 0 && want > ramp)
        want = ramp;
    while (want > 0 && t < until) {
        double c = a->sps_est * 1e-3;
        uint64_t chunk = c < 1.0 ? 1 : (c > 1e7 ? 10000000 : (uint64_t)c);
        if (chunk > want)
            chunk = want;
        uint64_t done = 0;
        enum ou_status st = ou_lab_run(a->l, chunk, &done);
        double t1 = now();
        if (done > 0 && t1 > t)
            a->sps_est = 0.7 * a->sps_est + 0.3 * (double)done / (t1 - t);
        t = t1;
        want -= done < want ? done : want;
        a->meas_steps += done;
        a->pending += done;
        if (a->burst > 0)
            a->burst -= done < a->burst ? done : a->burst;
        if (done > 0)
            a->dirty |= LAB_SNAP | LAB_DRAW;
        if (st != OU_OK) {
            lab_diverged(a);
            return;
        }
        if (done < chunk)
            break;
    }
}

/* ---- keys ---- */

static void
lab_set_sigma(struct labapp *a, double sigma)
{
    ou_lab_set_sigma(a->l, sigma);
    a->dirty |= LAB_SNAP | LAB_DRAW;
}

static void
lab_sigma(struct labapp *a, bool up)
{
    if (a->sigma_off > 0.0) {
        double s = up ? a->sigma_off * 2.0 : a->sigma_off / 2.0;
        if (s > OU_SIGMA_MAX || s < LAB_SIGMA_MIN) {
            lab_notice(a, THEME_NOTICE,
                       "the noise is off; 0 brings it back at σ = %.4g (σ in [%g, %g])",
                       a->sigma_off, LAB_SIGMA_MIN, OU_SIGMA_MAX);
            return;
        }
        a->sigma_off = s;
        a->view.sigma_off = s;
        lab_notice(a, THEME_NOTICE, "the noise is off; 0 brings it back at σ = %.4g", s);
        return;
    }
    double s = ou_lab_config(a->l)->sigma;
    if (up)
        s = s > 0.0 ? s * 2.0 : 0.1;
    else
        s /= 2.0;
    if (s > OU_SIGMA_MAX) {
        lab_notice(a, THEME_ERROR, "σ is at most %g", OU_SIGMA_MAX);
        return;
    }
    if (!up && s < LAB_SIGMA_MIN) {
        lab_notice(a, THEME_NOTICE, "σ is on its lowest rung; 0 switches the noise off");
        return;
    }
    double from = ou_lab_config(a->l)->sigma;
    lab_set_sigma(a, s);
    char note[sizeof a->notice];
    labkeys_sigma_note(note, sizeof note, from, s);
    lab_notice(a, THEME_NOTICE, "%s", note);
}

static void
lab_noise_toggle(struct labapp *a)
{
    if (a->sigma_off > 0.0) {
        lab_set_sigma(a, a->sigma_off);
        lab_notice(a, THEME_NOTICE, "noise back on: σ = %.4g", a->sigma_off);
        a->sigma_off = 0.0;
    } else {
        double s = ou_lab_config(a->l)->sigma;
        if (!(s > 0.0)) {
            lab_notice(a, THEME_NOTICE, "the noise is already zero; ] sets σ = 0.1");
            return;
        }
        a->sigma_off = s;
        lab_set_sigma(a, 0.0);
        char note[sizeof a->notice];
        labkeys_noise_off_note(note, sizeof note, s);
        lab_notice(a, THEME_NOTICE, "%s", note);
    }
    a->view.sigma_off = a->sigma_off;
}

static void
lab_noise_kind(struct labapp *a)
{
    bool param = ou_lab_config(a->l)->noise != OU_LAB_NOISE_PARAM;
    ou_lab_set_noise(a->l, param ? OU_LAB_NOISE_PARAM : OU_LAB_NOISE_LABEL);
    a->dirty |= LAB_SNAP | LAB_DRAW;
    char note[sizeof a->notice];
    labkeys_noise_kind_note(note, sizeof note, param);
    lab_notice(a, THEME_NOTICE, "%s", note);
}

static void
lab_eta(struct labapp *a, bool up)
{
    double eta = ou_lab_config(a->l)->eta * (up ? 2.0 : 0.5);
    if (eta > OU_ETA_MAX || eta < LAB_ETA_MIN) {
        lab_notice(a, THEME_ERROR, "η must stay in [%g, %g]", LAB_ETA_MIN, OU_ETA_MAX);
        return;
    }
    bool was_diverged = ou_lab_status(a->l) == OU_EDIVERGED;
    ou_lab_set_eta(a->l, eta);
    a->dirty |= LAB_SNAP | LAB_DRAW;
    if (was_diverged)
        lab_notice(a, THEME_NOTICE,
                   "η = %.4g: r starts again from θ₀ (space goes on from the last finite θ)", eta);
    else
        lab_notice(a, THEME_NOTICE, "η = %.4g", eta);
}

static void
lab_batch(struct labapp *a, bool up)
{
    const struct ou_lab_config *c = ou_lab_config(a->l);
    size_t b = c->batch, n = c->n;
    size_t nb = up ? (b * 2 > n ? n : b * 2) : (b / 2 < 1 ? 1 : b / 2);
    if (nb == b) {
        lab_notice(a, THEME_NOTICE, "B is already %s (%zu of n = %zu)", up ? "n" : "1", b, n);
        return;
    }
    ou_lab_set_batch(a->l, nb);
    a->dirty |= LAB_SNAP | LAB_DRAW;
    lab_notice(a, THEME_NOTICE, "batch B = %zu of %zu", nb, n);
}

static void
lab_reset(struct labapp *a)
{
    ou_lab_reset(a->l);
    history_clear(a->hist);
    a->pending = 0;
    a->dirty |= LAB_SNAP | LAB_DRAW;
    lab_notice(a, THEME_NOTICE, "reset: step 0, the same θ₀ and noise streams");
}

static void
lab_key(struct labapp *a, int key)
{
    enum labkeys_action act = labkeys_lookup(key);
    if (a->view.help) {
        /* Any key closes the overlay; q still quits. */
        a->view.help = false;
        a->dirty |= LAB_DRAW;
        if (act != LABKEYS_QUIT)
            return;
    }
    switch (act) {
    case LABKEYS_PAUSE:
        a->paused = !a->paused;
        a->burst = 0;
        if (!a->paused && ou_lab_status(a->l) == OU_EDIVERGED)
            lab_notice(a, THEME_ERROR, "still diverged: { halves η, r resets");
        a->dirty |= LAB_DRAW;
        break;
    case LABKEYS_STEP:
        a->paused = true;
        a->burst = 1;
        a->dirty |= LAB_DRAW;
        break;
    case LABKEYS_SIGMA_UP:
    case LABKEYS_SIGMA_DOWN:
        lab_sigma(a, act == LABKEYS_SIGMA_UP);
        break;
    case LABKEYS_NOISE_TOGGLE:
        lab_noise_toggle(a);
        break;
    case LABKEYS_NOISE_KIND:
        lab_noise_kind(a);
        break;
    case LABKEYS_ETA_UP:
    case LABKEYS_ETA_DOWN:
        lab_eta(a, act == LABKEYS_ETA_UP);
        break;
    case LABKEYS_BATCH_UP:
    case LABKEYS_BATCH_DOWN:
        lab_batch(a, act == LABKEYS_BATCH_UP);
        break;
    case LABKEYS_RESET:
        lab_reset(a);
        break;
    case LABKEYS_STEP_LOG:
        a->view.step_log = !a->view.step_log;
        a->dirty |= LAB_DRAW;
        lab_notice(a, THEME_NOTICE, "step axis: %s", a->view.step_log ? "log" : "linear");
        break;
    case LABKEYS_HELP:
        a->view.help = true;
        a->dirty |= LAB_DRAW;
        break;
    case LABKEYS_REDRAW:
        term_invalidate();
        a->dirty |= LAB_DRAW;
        break;
    case LABKEYS_QUIT:
        a->quit = true;
        break;
    case LABKEYS_NONE:
    default: {
        char note[sizeof a->notice];
        labkeys_unbound_note(note, sizeof note, key);
        lab_notice(a, THEME_NOTICE, "%s", note);
        break;
    }
    }
}

/* ---- frame ---- */

static void
lab_layout(struct labapp *a)
{
    int w, h;
    term_size(&w, &h);
    if (!screen_resize(&a->scr, w, h))
        fatal("out of memory for a %dx%d screen", w, h);
    labpanes_layout(&a->lay, w, h);
    a->dirty |= LAB_DRAW;
}

static void
lab_event(struct labapp *a, const struct term_event *ev)
{
    switch (ev->kind) {
    case TERM_EV_KEY:
        lab_key(a, ev->key);
        break;
    case TERM_EV_RESIZE:
        a->dirty |= LAB_LAYOUT;
        break;
    case TERM_EV_SIGNAL:
        a->quit = true;
        a->exit_status = 128 + ev->key;
        break;
    case TERM_EV_MOUSE:
    case TERM_EV_NONE:
    default:
        break;
    }
}

/* term_pump's handler: one event; stop for a quit or a layout to redo. */
static bool
lab_input(void *ctx, const struct term_event *ev)
{
    struct labapp *a = ctx;
    lab_event(a, ev);
    return !a->quit && !(a->dirty & LAB_LAYOUT);
}

static void
lab_loop(struct labapp *a, uint64_t max_frames)
{
    uint64_t frames = 0;
    a->meas_t0 = now();
    while (!a->quit) {
        double t0 = now();
        if (a->dirty & LAB_LAYOUT) {
            a->dirty &= ~LAB_LAYOUT;
            term_invalidate();
            lab_layout(a);
        }
        bool running = !a->paused || a->burst > 0;
        if (running) {
            double budget = 0.9 * a->period - a->draw_cost - a->snap_cost;
            if (budget < 0.2 * a->period)
                budget = 0.2 * a->period;
            lab_step(a, t0 + budget);
        }
        if (a->view.notice && t0 >= a->notice_until) {
            a->view.notice = NULL;
            a->dirty |= LAB_DRAW;
        }
        a->view.paused = a->paused;
        if (a->dirty & LAB_SNAP)
            lab_snapshot(a);
        if (a->dirty & (LAB_DRAW | LAB_SNAP)) {
            double t1 = now();
            labpanes_draw(&a->scr, &a->lay, a->snap, &a->view);
            term_draw(&a->scr);
            a->draw_cost = 0.8 * a->draw_cost + 0.2 * (now() - t1);
        }
        a->dirty &= ~(LAB_SNAP | LAB_DRAW);
        double t2 = now();
        if (t2 - a->meas_t0 >= 1.0) {
            a->view.sps = (double)a->meas_steps / (t2 - a->meas_t0);
            a->meas_t0 = t2;
            a->meas_steps = 0;
            a->dirty |= LAB_DRAW;
        }
        if (max_frames > 0 && ++frames >= max_frames)
            break;

        if (!a->paused || a->burst > 0) {
            term_pump_until(t0 + a->period, lab_input, a);
        } else {
            int ms = LAB_IDLE_MS;
            if (a->view.notice) {
                int left = (int)ceil((a->notice_until - now()) * 1000.0);
                ms = left < 0 ? 0 : (left < ms ? left : ms);
            }
            term_pump_idle(ms, lab_input, a);
            if (a->paused)
                a->view.sps = 0.0;
        }
    }
}

static int
lab_live(const struct labcli_opts *o, struct ou_lab *l)
{
    char *cause = NULL;
    struct term_opts to = {.color = o->color, .light = o->light, .mouse = false};
    struct term_info ti;
    struct labapp *a = xcalloc(1, sizeof *a);
    a->o = o;
    a->l = l;
    a->snap = xcalloc(1, sizeof *a->snap);
    a->hist = xmalloc(sizeof *a->hist);
    history_clear(a->hist);
    a->period = 1.0 / o->fps;
    a->sps_est = 1e4;
    if (term_open(&to, stdin, stdout, &ti, &cause) != 0) {
        fprintf(stderr, "ouscope: %s\n", cause);
        free(cause);
        free(a->hist);
        free(a->snap);
        free(a);
        return 1;
    }
    xmalloc_set_fatal_hook(term_restore);
    struct lab_view *v = &a->view;
    v->glyphs = ti.utf8 ? CANVAS_BRAILLE : CANVAS_ASCII;
    v->hist = a->hist;
    /* Ridge is compared with gradient descent over decades of t (lambda = 1/(eta t)). */
    v->step_log = ou_lab_config(l)->kind == OU_LAB_RIDGE;
    v->nhelp = labkeys_help(a->help, LAB_HELP_MAX);
    v->help_items = a->help;
    v->nhints = labkeys_hints(a->hints, a->hint_keys, LAB_HINT_MAX);
    v->hints = a->hints;
    screen_init(&a->scr, !ti.utf8);
    if (!ti.utf8)
        lab_notice(a, THEME_WARN, "the locale is not UTF-8: ASCII glyphs (try LANG=C.UTF-8)");
    else
        lab_notice(a, THEME_NOTICE, "%s: ? shows every key, q quits",
                   ou_lab_kind_name(ou_lab_config(l)->kind));
    lab_layout(a);
    lab_snapshot(a);
    lab_loop(a, o->frames);
    term_close();
    xmalloc_set_fatal_hook(NULL);
    int rc = a->exit_status;
    screen_fini(&a->scr);
    free(a->hist);
    free(a->snap);
    free(a);
    return rc;
}

/* ---- headless: a CSV row every K steps ---- */

/* A CSV value: %.17g, empty when not a number (a column the state has no value for). */
static void
csv_num(FILE *f, double v)
{
    if (isnan(v))
        fputc(',', f);
    else
        fprintf(f, ",%.17g", v);
}

static void
csv_header(FILE *f, enum ou_lab_kind k)
{
    fputs("step,loss,reg,err,theta_norm", f);
    switch (k) {
    case OU_LAB_SENSING:
        fputs(",nuclear,nuclear_star,eig1,eig2,eig_tail", f);
        break;
    case OU_LAB_SIGMOID:
        fputs(",h,target,unsaturated", f);
        break;
    case OU_LAB_SPARSE:
        fputs(",l1,support_found,rank", f);
        break;
    case OU_LAB_RIDGE:
    default:
        fputs(",ridge_lambda,ridge_err,l1", f);
        break;
    }
    fputc('\n', f);
}

static void
csv_row(FILE *f, uint64_t step, const struct ou_lab_config *c, const struct ou_lab_obs *o)
{
    fprintf(f, "%" PRIu64, step);
    csv_num(f, o->loss);
    csv_num(f, o->reg);
    csv_num(f, o->err);
    csv_num(f, o->theta_norm);
    switch (c->kind) {
    case OU_LAB_SENSING: {
        /* eig_tail: the eigenvalues of U U^T beyond X*'s rank, summed (0 when it is recovered). */
        double tail = 0.0;
        for (size_t k = c->rank; k < o->side && k < OU_LAB_SIDE_MAX; k++)
            tail += o->sv[k];
        csv_num(f, o->nuclear);
        csv_num(f, o->nuclear_star);
        csv_num(f, o->sv[0]);
        csv_num(f, o->side >= 2 ? o->sv[1] : NAN);
        csv_num(f, tail);
        break;
    }
    case OU_LAB_SIGMOID: {
        double h = 0.0;
        for (size_t j = 0; j < o->units && j < OU_LAB_UNITS_MAX; j++)
            h += o->unit_out[j];
        csv_num(f, h);
        csv_num(f, c->target);
        fprintf(f, ",%zu", o->unsaturated);
        break;
    }
    case OU_LAB_SPARSE:
        csv_num(f, o->l1);
        fprintf(f, ",%zu,%zu", o->support_found, c->rank);
        break;
    case OU_LAB_RIDGE:
    default:
        csv_num(f, o->ridge_lambda);
        csv_num(f, o->ridge_err);
        csv_num(f, o->l1);
        break;
    }
    fputc('\n', f);
}

static int
lab_headless(const struct labcli_opts *o, struct ou_lab *l)
{
    FILE *f = stdout;
    if (strcmp(o->csv, "-") != 0 && !(f = fopen(o->csv, "w"))) {
        fprintf(stderr, "ouscope: --csv: %s: %s\n", o->csv, strerror(errno));
        return 1;
    }
    struct ou_lab_obs *obs = xmalloc(sizeof *obs);
    const struct ou_lab_config *c = ou_lab_config(l);
    int rc = 0;
    csv_header(f, c->kind);
    const uint64_t end = o->steps;
    enum ou_status st = OU_OK;
    for (;;) {
        uint64_t at = ou_lab_step_count(l);
        enum ou_status ost = ou_lab_observe(l, obs);
        if (ost != OU_OK)
            fprintf(stderr, "ouscope: the observables at step %" PRIu64 " failed: %s\n", at,
                    ou_status_str(ost));
        csv_row(f, at, c, obs);
        if (at >= end || st != OU_OK)
            break;
        /* Rows at multiples of --every, counted from step 0, and at the last step. */
        uint64_t next = (at / o->every + 1) * o->every;
        if (next > end)
            next = end;
        st = ou_lab_run(l, next - at, NULL);
    }
    if (st == OU_EDIVERGED) {
        fprintf(stderr,
                "ouscope: --setting %s diverged after step %" PRIu64
                " (eta = %g): the next step made the loss or theta non-finite; try a smaller "
                "--eta\n",
                ou_lab_kind_name(c->kind), ou_lab_step_count(l), c->eta);
        rc = 1;
    }
    if (fflush(f) != 0 || ferror(f)) {
        fprintf(stderr, "ouscope: --csv: write error: %s\n", strerror(errno));
        rc = 1;
    }
    if (f != stdout)
        fclose(f);
    free(obs);
    return rc;
}

int
labapp_main(int argc, char **argv)
{
    struct labcli_opts o;
    char *cause = NULL;
    int r = labcli_parse(argc, argv, &o, stdout, &cause);
    if (r > 0)
        return 0;
    if (r < 0) {
        fprintf(stderr, "ouscope: %s\n", cause);
        free(cause);
        return 2;
    }
    struct ou_lab *l = NULL;
    enum ou_status st = ou_lab_create(&l, &o.cfg);
    if (st == OU_EINVAL) {
        cause = labcli_sizes_message(&o.cfg);
        fprintf(stderr, "ouscope: %s\n", cause);
        free(cause);
        return 2;
    }
    if (st != OU_OK) {
        fprintf(stderr, "ouscope: cannot create --setting %s: %s\n", ou_lab_kind_name(o.cfg.kind),
                ou_status_str(st));
        return 1;
    }
    int rc = o.headless ? lab_headless(&o, l) : lab_live(&o, l);
    ou_lab_destroy(l);
    return rc;
}
