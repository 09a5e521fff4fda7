/*
 * Random streams: reproducibility, independence of streams, and the
 * distribution of each sampler against its exact law (uniform, bounded
 * integers, the ziggurat normal, signs).
 */
#include "config.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "ouscope/rng.h"

Test(rng, same_seed_and_stream_repeat_exactly)
{
    struct ou_rng a, b;
    ou_rng_seed(&a, 42, OU_RNG_NOISE);
    ou_rng_seed(&b, 42, OU_RNG_NOISE);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(ou_rng_u64(&a), ou_rng_u64(&b));
}

Test(rng, streams_and_seeds_differ)
{
    struct ou_rng a, b, c;
    ou_rng_seed(&a, 42, OU_RNG_NOISE);
    ou_rng_seed(&b, 42, OU_RNG_BATCH);
    ou_rng_seed(&c, 43, OU_RNG_NOISE);
    int same_ab = 0, same_ac = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = ou_rng_u64(&a);
        same_ab += x == ou_rng_u64(&b);
        same_ac += x == ou_rng_u64(&c);
    }
    cr_expect_eq(same_ab, 0);
    cr_expect_eq(same_ac, 0);
}

/* Mean of N uniforms: sd = 1/sqrt(12 N); allow 5 sd. */
Test(rng, uniform_is_in_range_with_the_right_mean)
{
    struct ou_rng r;
    ou_rng_seed(&r, 7, 1);
    const int N = 1000000;
    double s = 0.0;
    for (int i = 0; i < N; i++) {
        double u = ou_rng_uniform(&r);
        cr_assert(u >= 0.0 && u < 1.0);
        s += u;
    }
    cr_expect(fabs(s / N - 0.5) < 5.0 / sqrt(12.0 * N), "mean %g", s / N);
}

/*
 * Counts of ou_rng_below(7) over N draws: Pearson chi-square with 6
 * degrees of freedom; P(chi2 > 22.46) = 0.001.
 */
Test(rng, below_is_uniform_and_in_range)
{
    struct ou_rng r;
    ou_rng_seed(&r, 9, 2);
    const int N = 700000, K = 7;
    int count[7] = {0};
    for (int i = 0; i < N; i++) {
        uint64_t k = ou_rng_below(&r, K);
        cr_assert(k < (uint64_t)K);
        count[k]++;
    }
    double chi2 = 0.0, expect = (double)N / K;
    for (int k = 0; k < K; k++)
        chi2 += (count[k] - expect) * (count[k] - expect) / expect;
    cr_expect(chi2 < 22.46, "chi2 = %g", chi2);
    cr_expect_eq(ou_rng_below(&r, 1), 0);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/*
 * Kolmogorov-Smirnov distance between N normal draws and Phi: at the 0.1%
 * level the critical value is 1.95/sqrt(N).  Moments: mean sd 1/sqrt(N),
 * variance sd sqrt(2/N), fourth moment (3) sd sqrt(96/N); 5 sd each.
 */
Test(rng, normal_matches_the_gaussian_law)
{
    struct ou_ziggurat z;
    struct ou_rng r;
    ou_ziggurat_init(&z);
    ou_rng_seed(&r, 11, 3);
    const size_t N = 400000;
    double *v = malloc(N * sizeof *v);
    double m1 = 0, m2 = 0, m4 = 0;
    for (size_t i = 0; i < N; i++) {
        v[i] = ou_rng_normal(&r, &z);
        m1 += v[i];
        m2 += v[i] * v[i];
        m4 += v[i] * v[i] * v[i] * v[i];
    }
    m1 /= N, m2 /= N, m4 /= N;
    cr_expect(fabs(m1) < 5.0 / sqrt(N), "mean %g", m1);
    cr_expect(fabs(m2 - 1.0) < 5.0 * sqrt(2.0 / N), "variance %g", m2);
    cr_expect(fabs(m4 - 3.0) < 5.0 * sqrt(96.0 / N), "fourth moment %g", m4);
    qsort(v, N, sizeof *v, cmp_double);
    double dmax = 0.0;
    for (size_t i = 0; i < N; i++) {
        double F = 0.5 * erfc(-v[i] / sqrt(2.0));
        dmax = fmax(dmax, fmax(fabs(F - (double)i / N), fabs(F - (double)(i + 1) / N)));
    }
    cr_expect(dmax < 1.95 / sqrt((double)N), "KS distance %g", dmax);
    free(v);
}

/*
 * The tail beyond the ziggurat's base r = 3.654 is sampled separately:
 * P(|Z| > 3.6541528853610088) = 2.5806e-4; with N = 4e6 draws the count is
 * Poisson-like with mean 1032 and sd 32; allow 5 sd.  Beyond 4.5 too.
 */
Test(rng, normal_tail_has_the_right_mass)
{
    struct ou_ziggurat z;
    struct ou_rng r;
    ou_ziggurat_init(&z);
    ou_rng_seed(&r, 12, 3);
    const long N = 4000000;
    long beyond_r = 0, beyond_45 = 0;
    for (long i = 0; i < N; i++) {
        double x = fabs(ou_rng_normal(&r, &z));
        beyond_r += x > 3.6541528853610088;
        beyond_45 += x > 4.5;
    }
    double p_r = erfc(3.6541528853610088 / sqrt(2.0)), p_45 = erfc(4.5 / sqrt(2.0));
    cr_expect(fabs(beyond_r - N * p_r) < 5.0 * sqrt(N * p_r), "%ld beyond r, expected %g",
              beyond_r, N * p_r);
    cr_expect(fabs(beyond_45 - N * p_45) < 5.0 * sqrt(N * p_45) + 1, "%ld beyond 4.5, expected %g",
              beyond_45, N * p_45);
}

Test(rng, ziggurat_layers_have_equal_area)
{
    struct ou_ziggurat z;
    ou_ziggurat_init(&z);
    /* Layer i >= 1 is x[i] wide and f(x[i+1]) - f(x[i]) high; all have the base's area. */
    double v = z.x[0] * z.f[1];
    for (int i = 1; i < OU_ZIGGURAT_LAYERS - 1; i++)
        cr_expect(fabs(z.x[i] * (z.f[i + 1] - z.f[i]) - v) < 1e-12, "layer %d", i);
    /* The top layer closes the curve at f(0) = 1 up to the constants' precision. */
    cr_expect(fabs(z.x[255] * (1.0 - z.f[255]) - v) < 1e-9);
}

Test(rng, sign_is_balanced)
{
    struct ou_rng r;
    ou_rng_seed(&r, 13, 3);
    const int N = 1000000;
    double s = 0;
    for (int i = 0; i < N; i++) {
        double x = ou_rng_sign(&r);
        cr_assert(x > 0.5 || x < -0.5);
        s += x;
    }
    cr_expect(fabs(s) < 5.0 * sqrt(N));
}

Test(rng, batch_normals_equal_single_draws)
{
    struct ou_ziggurat z;
    struct ou_rng a, b;
    double v[64];
    ou_ziggurat_init(&z);
    ou_rng_seed(&a, 21, 3);
    ou_rng_seed(&b, 21, 3);
    for (int r = 0; r < 100; r++) {
        ou_rng_normals(&a, &z, v, 64);
        for (int k = 0; k < 64; k++)
            cr_assert(!(fabs(v[k] - ou_rng_normal(&b, &z)) > 0.0));
    }
}
