/*
 * make bench: label-noise SGD steps per second at the sizes, the
 * achieved GFLOP/s against this machine's one-thread OpenBLAS dgemm, and
 * the cost of a display snapshot and of a projection.  A benchmark, not a
 * test: it always exits 0 and prints PASS/MISS against the targets.
 */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ouscope/engine.h"

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

/* Best one-thread dgemm rate on 1024 x 1024 doubles, GFLOP/s. */
static double
dgemm_gflops(void)
{
    const int n = 1024;
    double *a = malloc((size_t)n * n * sizeof *a), *b = malloc((size_t)n * n * sizeof *b),
           *c = malloc((size_t)n * n * sizeof *c);
    for (size_t i = 0; i < (size_t)n * n; i++) {
        a[i] = 1.0 / (double)(i % 97 + 1);
        b[i] = 1.0 / (double)(i % 89 + 1);
    }
    double best = 0.0;
    for (int r = 0; r < 4; r++) {
        double t0 = now();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
        double dt = now() - t0;
        best = fmax(best, 2.0 * n * (double)n * n / dt / 1e9);
    }
    free(a);
    free(b);
    free(c);
    return best;
}

struct size {
    size_t m, n, B;
    double target_steps; /* steps/s, 0 if the target is a fraction of dgemm */
    double target_peak;  /* fraction of one-thread dgemm, 0 if none */
};

static void
bench_size(const struct size *sz, double peak)
{
    struct ou_config c;
    struct ou_data d;
    struct ou_engine *e = NULL;
    struct ou_metrics *mt = malloc(sizeof *mt);
    ou_config_default(&c);
    c.width = sz->m;
    c.batch = sz->B;
    ou_data_builtin(&d, OU_DATA_SIN3X, sz->n, 1);
    if (ou_engine_create(&e, &c, &d) != OU_OK) {
        printf("cannot create an engine for m=%zu n=%zu\n", sz->m, sz->n);
        free(mt);
        return;
    }
    /* A healthy learning rate: eta lambda_max(K(theta0)) = 1. */
    ou_engine_metrics(e, mt);
    double eta = 1.0 / mt->lambda_max;
    ou_engine_set_eta(e, eta);

    /* Calibrate the step count to about a second, then three timed runs. */
    uint64_t steps = 1000;
    for (;;) {
        double t0 = now();
        ou_engine_run(e, steps, NULL);
        double dt = now() - t0;
        if (dt > 0.25)
            break;
        steps *= 4;
    }
    steps *= 4;
    double rate[3];
    for (int r = 0; r < 3; r++) {
        double t0 = now();
        ou_engine_run(e, steps, NULL);
        rate[r] = (double)steps / (now() - t0);
    }
    qsort(rate, 3, sizeof rate[0], cmp_double);
    ou_engine_metrics(e, mt);
    /* FLOPs per step: forward 4 and reg 5 per point and unit for all n
     * points, backward 8 per batch point and unit (17 n m at full batch). */
    double flops = (9.0 * (double)sz->n + 8.0 * (double)sz->B) * (double)sz->m;
    double gf = rate[2] * flops / 1e9;
    printf("m=%-5zu n=%-3zu B=%-3zu eta=%-9.3g steps/s best %9.0f median %9.0f  active %.2f "
           "live %zu/%zu  %6.2f GFLOP/s (%s) = %4.1f%% of dgemm",
           sz->m, sz->n, sz->B, eta, rate[2], rate[1], mt->active_frac, mt->live_units, sz->m,
           gf, sz->B == sz->n ? "17nm" : "9nm+8Bm", 100.0 * gf / peak);
    if (sz->target_steps > 0)
        printf("  target >= %.0f steps/s: %s", sz->target_steps,
               rate[2] >= sz->target_steps ? "PASS" : "MISS");
    if (sz->target_peak > 0)
        printf("  target >= %.0f%% of dgemm: %s", 100 * sz->target_peak,
               gf >= sz->target_peak * peak ? "PASS" : "MISS");
    printf("\n");
    free(mt);
    ou_engine_destroy(e);
}

static void
bench_snapshot_and_projection(void)
{
    struct ou_engine *e = NULL;
    struct ou_config c;
    struct ou_data d;
    struct ou_snapshot *s = malloc(sizeof *s);
    ou_config_default(&c);
    ou_data_builtin(&d, OU_DATA_SIN3X, 8, 1);
    ou_engine_create(&e, &c, &d);
    ou_engine_run(e, 20000, NULL);
    struct ou_snapshot_req req = {.lo = -1.2, .hi = 1.2, .ncurve = 240};
    const int reps = 2000;
    double t0 = now();
    for (int r = 0; r < reps; r++)
        ou_engine_snapshot(e, s, &req);
    printf("snapshot (m=32, n=8, 240-point curve): %.1f us per call\n",
           (now() - t0) / reps * 1e6);
    struct ou_projection pr;
    t0 = now();
    ou_engine_project(e, false, &pr);
    printf("projection to L < 1e-20 after 20000 steps (m=32, n=8): %.1f ms, %llu descent steps, "
           "reg %.6g\n",
           (now() - t0) * 1e3, (unsigned long long)pr.iters, pr.reg);
    free(s);
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
    printf("one-thread OpenBLAS dgemm (1024^3): %.1f GFLOP/s, core %s\n", peak,
           openblas_get_corename());
#else
    printf("one-thread OpenBLAS dgemm (1024^3): %.1f GFLOP/s\n", peak);
#endif
    printf("full label-noise SGD steps; loss and reg(theta) are computed at every step\n");
    const struct size sizes[] = {
        {32, 8, 1, 0, 0},
        {32, 8, 8, 3e6, 0},
        {256, 16, 16, 4e5, 0},
        {2048, 32, 32, 0, 0.5},
    };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        bench_size(&sizes[k], peak);
    bench_snapshot_and_projection();
    return 0;
}
