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

/*
 * An independent transcription of the published generators (Blackman &
 * Vigna, https://prng.di.unimi.it/): splitmix64 and xoshiro256**, each
 * checked below against its published output, then the stream seeding of
 * ouscope-science(7): k = splitmix64(seed) xor (stream * 0xd1342543de82ef95
 * + 0x2545f4914f6cdd1d), state = four splitmix64 outputs from k.
 */
static uint64_t
kat_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t
kat_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t
kat_xoshiro(uint64_t s[4])
{
    uint64_t result = kat_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = kat_rotl(s[3], 45);
    return result;
}

static void
kat_seed(uint64_t s[4], uint64_t seed, uint64_t stream)
{
    uint64_t x = seed;
    uint64_t k = kat_splitmix64(&x) ^ (stream * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
    for (int i = 0; i < 4; i++)
        s[i] = kat_splitmix64(&k);
}

Test(rng, generator_matches_the_published_xoshiro256starstar_outputs)
{
    /* splitmix64 from 0 and xoshiro256** from {1, 2, 3, 4}: the reference
     * programs' first outputs, so the transcription above is the published one. */
    uint64_t x = 0;
    cr_assert_eq(kat_splitmix64(&x), 0xe220a8397b1dcdafULL);
    cr_assert_eq(kat_splitmix64(&x), 0x6e789e6aa1b965f4ULL);
    cr_assert_eq(kat_splitmix64(&x), 0x06c45d188009454fULL);
    const uint64_t want[10] = {11520ULL,
                               0ULL,
                               1509978240ULL,
                               1215971899390074240ULL,
                               1216172134540287360ULL,
                               607988272756665600ULL,
                               16172922978634559625ULL,
                               8476171486693032832ULL,
                               10595114339597558777ULL,
                               2904607092377533576ULL};
    uint64_t s[4] = {1, 2, 3, 4};
    struct ou_rng r = {{1, 2, 3, 4}};
    for (int i = 0; i < 10; i++) {
        cr_assert_eq(kat_xoshiro(s), want[i], "transcription, output %d", i);
        cr_expect_eq(ou_rng_u64(&r), want[i], "ou_rng_u64, output %d", i);
    }
    /* Seeded streams: the engine's state is the transcription's, draw for draw. */
    const uint64_t seeds[3] = {0, 1, 0x123456789abcdefULL};
    for (int k = 0; k < 3; k++)
        for (uint64_t stream = OU_RNG_INIT; stream <= OU_RNG_FEATURES; stream++) {
            ou_rng_seed(&r, seeds[k], stream);
            kat_seed(s, seeds[k], stream);
            for (int i = 0; i < 4; i++)
                cr_assert_eq(r.s[i], s[i], "seed %d stream %d word %d", k, (int)stream, i);
            for (int i = 0; i < 100; i++)
                cr_assert_eq(ou_rng_u64(&r), kat_xoshiro(s));
        }
}

/*
 * Lemire's bounded draw at bound 3 2^62, where it has a closed form: for a
 * 64-bit x, x * bound = (3x) 2^62, so the result (the high word) is
 * floor(3x / 4) and the low word is ((3x) mod 4) 2^62.  A low word below
 * the threshold 2^64 mod bound = 2^62 is rejected: that is 3x = 0 mod 4,
 * i.e. x = 0 mod 4, one draw in four.  Each result must equal the closed form over the transcribed
 * stream, and the stream must stay in step (one word per try).
 */
Test(rng, below_matches_lemire_known_answers_at_three_times_two_to_62)
{
    const uint64_t bound = 3ULL << 62;
    struct ou_rng r;
    uint64_t s[4];
    ou_rng_seed(&r, 2024, OU_RNG_BATCH);
    kat_seed(s, 2024, OU_RNG_BATCH);
    int rejected = 0;
    for (int i = 0; i < 2000; i++) {
        uint64_t x = kat_xoshiro(s);
        while (x % 4 == 0) {
            rejected++;
            x = kat_xoshiro(s);
        }
        uint64_t want = (x / 4) * 3 + (x % 4) * 3 / 4;
        uint64_t got = ou_rng_below(&r, bound);
        cr_assert_eq(got, want, "draw %d: %llu, closed form %llu", i, (unsigned long long)got,
                     (unsigned long long)want);
        cr_assert(got < bound);
    }
    /* 2000 accepted draws reject about 667 (sd ~ 21): the rejection path ran. */
    cr_expect(rejected > 400, "only %d rejections", rejected);
    cr_expect_eq(ou_rng_u64(&r), kat_xoshiro(s), "stream out of step after the bounded draws");
}
