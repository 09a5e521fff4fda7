/*
 * Render benchmark (make bench): the time to draw a whole frame (every
 * pane, status and hint bar) into the in-memory screen from a fixed
 * snapshot at 120x40 and 200x60, and the bytes term.c writes per frame in
 * steady state at 120x40, counted on the master side of a pseudo-terminal
 * while the engine runs.  Targets: <= 1 ms per frame, <= 6 KB per frame.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "app/term.h"
#include "ouscope/engine.h"
#include "render/history.h"
#include "render/layout.h"
#include "render/panes.h"
#include "render/screen.h"

#define BENCH_DRAWS 2000
#define BENCH_WARM_FRAMES 120
#define BENCH_FRAMES 600
#define BENCH_STEPS_PER_FRAME 80000 /* about 2.4M steps/s at 30 fps */

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const struct help_entry hints[] = {
    {"space", "pause", NULL}, {"s/.", "step", NULL}, {"n", "+1000", NULL}, {"+/-", "speed", NULL},
    {"]/[", "σ", NULL},       {"}/{", "η", NULL},    {"?", "help", NULL},  {"q", "quit", NULL},
};

/* Take a snapshot for the layout and add it to the history, as app.c does. */
static void
frame_snapshot(struct ou_engine *e, const struct layout *lay, const struct view *v,
               struct ou_snapshot *s, struct history *h)
{
    struct ou_snapshot_req req;
    panes_curve_request(lay, ou_engine_data(e), v, &req);
    ou_engine_snapshot(e, s, &req);
    double y[HIST_NSERIES];
    const struct ou_trace *t = &s->trace;
    y[HIST_LOSS] = t->steps ? t->loss_sum / (double)t->steps : s->met.loss;
    y[HIST_REG] = t->steps ? t->reg_sum / (double)t->steps : s->met.reg;
    y[HIST_REG_EMA] = s->met.reg_ema;
    y[HIST_FLOOR] = s->met.loss_floor;
    y[HIST_ETAL] = s->met.eta_lambda;
    y[HIST_BALANCE] = s->met.balance;
    history_push(h, (double)s->step, (double)t->steps, y);
}

static struct ou_engine *
make_engine(void)
{
    struct ou_config c;
    struct ou_data d;
    struct ou_engine *e;
    ou_config_default(&c);
    ou_data_builtin(&d, OU_DATA_SIN3X, 8, c.seed);
    if (ou_engine_create(&e, &c, &d) != OU_OK) {
        fprintf(stderr, "bench_render: cannot create the engine\n");
        exit(1);
    }
    return e;
}

static void
init_view(struct view *v, const struct history *h)
{
    memset(v, 0, sizeof *v);
    v->glyphs = CANVAS_BRAILLE;
    v->loss_log = true;
    v->kinks = true;
    v->ghost = true;
    v->speed = "max";
    v->sps = 2.4e6;
    v->fps = 30;
    v->hist = h;
    v->hints = hints;
    v->nhints = sizeof hints / sizeof hints[0];
}

/* Draw time of a whole frame from one fixed snapshot and a full history. */
static void
bench_draw(int w, int h)
{
    struct ou_engine *e = make_engine();
    struct history *hist = malloc(sizeof *hist);
    struct ou_snapshot *snap = malloc(sizeof *snap);
    double *t = malloc(BENCH_DRAWS * sizeof *t);
    struct view v;
    struct layout lay;
    struct screen scr;
    history_clear(hist);
    init_view(&v, hist);
    layout_compute(&lay, w, h);
    screen_init(&scr, false);
    if (!hist || !snap || !t || !screen_resize(&scr, w, h)) {
        fprintf(stderr, "bench_render: out of memory\n");
        exit(1);
    }
    /* A history that has already been decimated: longer than its capacity. */
    for (int f = 0; f < HISTORY_CAP + 500; f++) {
        ou_engine_run(e, 200, NULL);
        frame_snapshot(e, &lay, &v, snap, hist);
    }
    for (int i = 0; i < BENCH_DRAWS; i++) {
        double t0 = now();
        panes_draw(&scr, &lay, snap, &v);
        t[i] = now() - t0;
    }
    qsort(t, BENCH_DRAWS, sizeof *t, cmp_double);
    double sum = 0.0;
    for (int i = 0; i < BENCH_DRAWS; i++)
        sum += t[i];
    printf("draw %dx%d, all panes, %zu history samples: mean %.0f us, median %.0f us, p99 %.0f "
           "us (target <= 1000 us)\n",
           w, h, history_len(hist), 1e6 * sum / BENCH_DRAWS, 1e6 * t[BENCH_DRAWS / 2],
           1e6 * t[(BENCH_DRAWS * 99) / 100]);
    screen_fini(&scr);
    free(t);
    free(snap);
    free(hist);
    ou_engine_destroy(e);
}

/* Read whatever the terminal side has written so far; returns the byte count. */
static long
drain(int master)
{
    char buf[65536];
    long total = 0;
    for (;;) {
        ssize_t k = read(master, buf, sizeof buf);
        if (k > 0) {
            total += k;
            continue;
        }
        if (k < 0 && errno == EINTR)
            continue;
        return total;
    }
}

/*
 * Bytes per frame at 120x40: the engine runs, and each frame is a snapshot,
 * a draw and one term_draw into a pseudo-terminal, as in the live view.
 */
static void
bench_bytes(void)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        printf("bytes per frame: skipped (no pseudo-terminal: %s)\n", strerror(errno));
        return;
    }
    const char *name = ptsname(master);
    int slave = name ? open(name, O_RDWR | O_NOCTTY) : -1;
    if (slave < 0) {
        printf("bytes per frame: skipped (cannot open %s)\n", name ? name : "the pty");
        close(master);
        return;
    }
    struct winsize ws = {.ws_row = 40, .ws_col = 120};
    ioctl(slave, TIOCSWINSZ, &ws);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    FILE *in = fdopen(slave, "r"), *out = fdopen(dup(slave), "w");
    setenv("TERM", "xterm-256color", 1);
    unsetenv("LINES");
    unsetenv("COLUMNS");
    struct term_opts to = {.color = true, .light = false, .mouse = true};
    struct term_info ti;
    char *cause = NULL;
    if (term_open(&to, in, out, &ti, &cause) != 0) {
        printf("bytes per frame: skipped (%s)\n", cause);
        free(cause);
        return;
    }
    int w, h;
    term_size(&w, &h);
    struct ou_engine *e = make_engine();
    struct history *hist = malloc(sizeof *hist);
    struct ou_snapshot *snap = malloc(sizeof *snap);
    struct view v;
    struct layout lay;
    struct screen scr;
    history_clear(hist);
    init_view(&v, hist);
    v.glyphs = ti.utf8 ? CANVAS_BRAILLE : CANVAS_ASCII;
    layout_compute(&lay, w, h);
    screen_init(&scr, !ti.utf8);
    if (!hist || !snap || !screen_resize(&scr, w, h)) {
        term_close();
        fprintf(stderr, "bench_render: out of memory\n");
        exit(1);
    }
    long bytes = 0, first = 0, worst = 0;
    for (int f = 0; f < BENCH_WARM_FRAMES + BENCH_FRAMES; f++) {
        ou_engine_run(e, BENCH_STEPS_PER_FRAME, NULL);
        frame_snapshot(e, &lay, &v, snap, hist);
        panes_draw(&scr, &lay, snap, &v);
        term_draw(&scr);
        long b = drain(master);
        if (f == 0)
            first = b;
        if (f >= BENCH_WARM_FRAMES) {
            bytes += b;
            worst = b > worst ? b : worst;
        }
    }
    term_close();
    drain(master);
    printf("bytes per frame %dx%d (%s, running at %d steps/frame): first frame %ld, steady "
           "state mean %.0f, max %ld (target <= 6144)\n",
           w, h, ti.utf8 ? "braille" : "ascii", BENCH_STEPS_PER_FRAME, first,
           (double)bytes / BENCH_FRAMES, worst);
    screen_fini(&scr);
    free(snap);
    free(hist);
    ou_engine_destroy(e);
    fclose(in);
    fclose(out);
    close(master);
}

int
main(void)
{
    setlocale(LC_ALL, "");
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        fprintf(stderr, "bench_render: no C.UTF-8 locale; the byte count uses ASCII glyphs\n");
    bench_draw(120, 40);
    bench_draw(200, 60);
    bench_bytes();
    return 0;
}
