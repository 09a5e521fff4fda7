/*
 * make bench: label-noise SGD steps per second at four sizes against this
 * machine's one-thread OpenBLAS dgemm, plus the cost of a display snapshot
 * and of a projection.  A benchmark, not a test: it always exits 0.
 */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ouscope/data.h"
#include "ouscope/engine.h"
#include "ouscope/fluct.h"
#include "ouscope/status.h"

/* Each timed batch of steps runs for at least this long, in seconds. */
#define BENCH_MIN_SECONDS 1.0
/* Timed batches per size; the best and the median are reported. */
#define BENCH_REPEATS 3

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU time of this process, to tell a busy machine from a slow engine. */
static double
cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int
cmp_double(const void *pa, const void *pb)
{
    double x = *(const double *)pa, y = *(const double *)pb;
    return (x > y) - (x < y);
}

/* The best one-thread dgemm rate on 1024 x 1024 doubles, in GFLOP/s. */
static double
dgemm_gflops(void)
{
    const int n = 1024;
    const size_t nn = (size_t)n * (size_t)n;
    double *a = malloc(nn * sizeof *a);
    double *b = malloc(nn * sizeof *b);
    double *c = malloc(nn * sizeof *c);
    if (!a || !b || !c) {
        free(a);
        free(b);
        free(c);
        return 0.0;
    }
    for (size_t i = 0; i < nn; i++) {
        a[i] = 1.0 / (double)(i % 97 + 1);
        b[i] = 1.0 / (double)(i % 89 + 1);
        c[i] = 0.0;
    }
    /* The first call also pays for OpenBLAS's set-up, so it is not timed. */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
    double best = 0.0;
    for (int r = 0; r < 5; r++) {
        double t0 = now();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
        double rate = 2.0 * (double)nn * (double)n / (now() - t0) / 1e9;
        best = rate > best ? rate : best;
    }
    free(a);
    free(b);
    free(c);
    return best;
}

/* One benchmark size and its target (zero where a size has no such target). */
struct size {
    size_t m, n, B;
    double target_steps; /* steps per second */
    double target_peak;  /* fraction of one-thread dgemm */
};

/* The set-up every timing uses: sin3x data, bias, seed 1, Gaussian sigma 0.5, no momentum. */
static enum ou_status
make_engine(struct ou_engine **e, size_t m, size_t n, size_t B, double eta)
{
    struct ou_config c;
    struct ou_data d;
    ou_config_default(&c);
    c.model = OU_MODEL_RELU1D;
    c.width = m;
    c.bias = true;
    c.seed = 1;
    c.eta = eta;
    c.sigma = 0.5;
    c.batch = B;
    c.noise = OU_NOISE_GAUSS;
    c.momentum = 0.0;
    c.frozen = false;
    enum ou_status st = ou_data_builtin(&d, OU_DATA_SIN3X, n, 1);
    if (st != OU_OK)
        return st;
    return ou_engine_create(e, &c, &d);
}

/*
 * Run `steps` steps and return the elapsed seconds, or a negative value if
 * the engine stopped early (a divergence would make the rate meaningless).
 */
static double
timed_run(struct ou_engine *e, uint64_t steps)
{
    uint64_t done = 0;
    double t0 = now();
    enum ou_status st = ou_engine_run(e, steps, &done);
    double dt = now() - t0;
    return st == OU_OK && done == steps ? dt : -1.0;
}

static void
bench_size(const struct size *sz, double peak)
{
    struct ou_engine *e = NULL;
    struct ou_metrics *mt = malloc(sizeof *mt);
    if (!mt || make_engine(&e, sz->m, sz->n, sz->B, 0.05) != OU_OK) {
        printf("m=%zu n=%zu B=%zu: cannot create the engine\n", sz->m, sz->n, sz->B);
        free(mt);
        return;
    }
    /* A healthy learning rate: eta = 1 / lambda_max(K(theta0)), so eta lambda_max = 1. */
    if (ou_engine_metrics(e, mt) != OU_OK || !(mt->lambda_max > 0.0)) {
        printf("m=%zu n=%zu B=%zu: no lambda_max at step 0\n", sz->m, sz->n, sz->B);
        free(mt);
        ou_engine_destroy(e);
        return;
    }
    double eta = 1.0 / mt->lambda_max;
    if (eta > OU_ETA_MAX)
        eta = OU_ETA_MAX;
    ou_engine_set_eta(e, eta);

    /* Warm up while choosing a step count that lasts at least BENCH_MIN_SECONDS. */
    uint64_t steps = 1000;
    for (;;) {
        double dt = timed_run(e, steps);
        if (dt < 0.0) {
            printf("m=%zu n=%zu B=%zu eta=%.4g: diverged during warm-up\n", sz->m, sz->n, sz->B,
                   eta);
            free(mt);
            ou_engine_destroy(e);
            return;
        }
        if (dt >= BENCH_MIN_SECONDS / 4.0) {
            double want = 1.25 * BENCH_MIN_SECONDS / dt * (double)steps;
            steps = (uint64_t)want + 1;
            break;
        }
        steps *= 4;
    }

    double rate[BENCH_REPEATS], wall = 0.0, cpu0 = cpu_now();
    for (int r = 0; r < BENCH_REPEATS; r++) {
        double dt = timed_run(e, steps);
        if (dt < 0.0) {
            printf("m=%zu n=%zu B=%zu eta=%.4g: diverged while timed\n", sz->m, sz->n, sz->B, eta);
            free(mt);
            ou_engine_destroy(e);
            return;
        }
        rate[r] = (double)steps / dt;
        wall += dt;
    }
    double cpu_share = (cpu_now() - cpu0) / wall;
    qsort(rate, BENCH_REPEATS, sizeof rate[0], cmp_double);
    double best = rate[BENCH_REPEATS - 1], median = rate[BENCH_REPEATS / 2];
    ou_engine_metrics(e, mt);

    /*
     * FLOPs per step: forward 4 and reg 5 per point and unit over all n
     * points, backward 8 per batch point and unit; at B = n that is 17 n m.
     */
    const bool full = sz->B == sz->n;
    double flops = full ? 17.0 * (double)sz->n * (double)sz->m
                        : (9.0 * (double)sz->n + 8.0 * (double)sz->B) * (double)sz->m;
    double gf = best * flops / 1e9;
    printf("m=%-4zu n=%-2zu B=%-2zu eta=%-8.4g %4.2f s/run cpu %3.0f%%  "
           "steps/s best %9.0f median %9.0f  "
           "active %.3f live %zu/%zu  %6.2f GFLOP/s (%s) = %5.1f%% of dgemm",
           sz->m, sz->n, sz->B, eta, (double)steps / median, 100.0 * cpu_share, best, median,
           mt->active_frac, mt->live_units, sz->m, gf, full ? "17nm" : "9nm+8Bm",
           peak > 0.0 ? 100.0 * gf / peak : 0.0);
    if (sz->target_steps > 0.0)
        printf("  target >= %.0f steps/s: %s", sz->target_steps,
               best >= sz->target_steps ? "PASS" : "MISS");
    if (sz->target_peak > 0.0)
        printf("  target >= %.0f%% of dgemm: %s", 100.0 * sz->target_peak,
               gf >= sz->target_peak * peak ? "PASS" : "MISS");
    printf("\n");
    free(mt);
    ou_engine_destroy(e);
}

/* Snapshot cost at (32, 8) and projection time after 20000 steps at (32, 8, 8), eta 0.05. */
static void
bench_snapshot_and_projection(void)
{
    struct ou_engine *e = NULL;
    struct ou_snapshot *s = malloc(sizeof *s);
    if (!s || make_engine(&e, 32, 8, 8, 0.05) != OU_OK) {
        printf("snapshot/projection: cannot create the engine\n");
        free(s);
        return;
    }
    uint64_t done = 0;
    if (ou_engine_run(e, 20000, &done) != OU_OK) {
        printf("snapshot/projection: diverged after %llu steps\n", (unsigned long long)done);
        free(s);
        ou_engine_destroy(e);
        return;
    }

    struct ou_snapshot_req req = {.lo = -1.2, .hi = 1.2, .ncurve = 240};
    ou_engine_snapshot(e, s, &req);
    long reps = 16;
    double dt;
    for (;;) {
        double t0 = now();
        for (long r = 0; r < reps; r++)
            ou_engine_snapshot(e, s, &req);
        dt = now() - t0;
        if (dt >= 0.3)
            break;
        reps *= 4;
    }
    printf("snapshot (m=32, n=8, 240-point curve): %.2f us per call (%ld calls)\n",
           dt / (double)reps * 1e6, reps);

    struct ou_projection pr;
    double t0 = now();
    enum ou_status st = ou_engine_project(e, false, &pr);
    dt = now() - t0;
    printf("projection from step 20000 (m=32, n=8, B=8, eta 0.05): %.2f ms, %llu GD steps, "
           "loss %.3g, reg %.6g, %s%s\n",
           dt * 1e3, (unsigned long long)pr.iters, pr.loss, pr.reg,
           pr.converged ? "converged" : "not converged", st == OU_OK ? "" : " (error)");
    free(s);
    ou_engine_destroy(e);
}

/*
 * The OU analysis (ou_fluct): steps per second with and without the
 * per-step sampling, and the cost of one refresh of theta_ref (Jacobian,
 * eigen-decomposition of K, directions, P_T grad reg), which runs inside
 * the step that ends a window, against the step time and a 30 fps frame.
 */
static void
bench_fluct(size_t m, size_t n)
{
    struct ou_engine *e = NULL;
    if (make_engine(&e, m, n, n, 0.05) != OU_OK) {
        printf("fluct m=%zu n=%zu: cannot create the engine\n", m, n);
        return;
    }
    const uint64_t steps = m <= 64 ? 2000000 : (m <= 512 ? 200000 : 20000);
    double off = 0.0, on = 0.0;
    if (timed_run(e, steps / 4) < 0.0) {
        printf("fluct m=%zu n=%zu: diverged during warm-up\n", m, n);
        ou_engine_destroy(e);
        return;
    }
    for (int r = 0; r < BENCH_REPEATS; r++) {
        ou_fluct_disable(e);
        double a = timed_run(e, steps);
        if (ou_fluct_enable(e, 0) != OU_OK) {
            printf("fluct m=%zu n=%zu: the analysis failed\n", m, n);
            ou_engine_destroy(e);
            return;
        }
        double b = timed_run(e, steps);
        if (a < 0.0 || b < 0.0) {
            printf("fluct m=%zu n=%zu: diverged while timed\n", m, n);
            ou_engine_destroy(e);
            return;
        }
        off = fmax(off, (double)steps / a);
        on = fmax(on, (double)steps / b);
    }
    struct ou_fluct fl;
    ou_fluct_get(e, &fl);
    long reps = 4;
    double dt;
    for (;;) {
        double t0 = now();
        for (long r = 0; r < reps; r++)
            ou_fluct_enable(e, 0);
        dt = now() - t0;
        if (dt >= 0.3)
            break;
        reps *= 4;
    }
    double refresh = dt / (double)reps;
    printf("OU tracking m=%-4zu n=%-2zu B=%-2zu: steps/s %9.0f without, %9.0f with (%+.0f%% per "
           "step); refresh of theta_ref %.1f us = %.0f steps, %.2f%% of a 30 fps frame, "
           "once per %llu-step window\n",
           m, n, n, off, on, 100.0 * (off / on - 1.0), refresh * 1e6, refresh * on,
           100.0 * refresh * 30.0, (unsigned long long)fl.window);
    ou_engine_destroy(e);
}

int
main(void)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
    openblas_set_num_threads(1);
#endif
    double peak = dgemm_gflops();
#ifdef HAVE_OPENBLAS_GET_CORENAME
    printf("one-thread OpenBLAS dgemm (1024^3, best of 5): %.2f GFLOP/s, core %s\n", peak,
           openblas_get_corename());
#else
    printf("one-thread OpenBLAS dgemm (1024^3, best of 5): %.2f GFLOP/s\n", peak);
#endif
    printf("full label-noise SGD steps (ou_engine_run); loss and reg(theta) are computed "
           "at every step in the fused pass\n");
    printf("sin3x, bias, seed 1, Gaussian sigma 0.5, momentum 0, eta = 1/lambda_max(K(theta0)); "
           "best and median of %d runs\n",
           BENCH_REPEATS);
    const struct size sizes[] = {
        {32, 8, 1, 0.0, 0.0},
        {32, 8, 8, 3e6, 0.0},
        {256, 16, 16, 4e5, 0.0},
        {2048, 32, 32, 0.0, 0.5},
    };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        bench_size(&sizes[k], peak);
    bench_snapshot_and_projection();
    bench_fluct(32, 8);
    bench_fluct(256, 16);
    bench_fluct(2048, 32);
    return 0;
}
