/*
 * Random streams for the engine.  xoshiro256** (Blackman & Vigna) with
 * state seeded by splitmix64 from (seed, stream), and the Marsaglia-Tsang
 * ziggurat for exact N(0,1) draws.  No globals: tables live with the caller.
 */
#include "config.h"

#include "ouscope/rng.h"

#include <math.h>

static uint64_t
splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void
ou_rng_seed(struct ou_rng *r, uint64_t seed, uint64_t stream)
{
    /* Mix the stream number in through a second splitmix chain so that
     * nearby (seed, stream) pairs give unrelated states. */
    uint64_t x = seed;
    uint64_t k = splitmix64(&x) ^ (stream * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&k);
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1; /* the all-zero state is a fixed point */
}

static inline uint64_t
next(struct ou_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t
ou_rng_u64(struct ou_rng *r)
{
    return next(r);
}

double
ou_rng_uniform(struct ou_rng *r)
{
    return (double)(next(r) >> 11) * 0x1.0p-53;
}

uint64_t
ou_rng_below(struct ou_rng *r, uint64_t bound)
{
    /* Lemire's multiply-shift with rejection of the biased low range. */
    unsigned __int128 m = (unsigned __int128)ou_rng_u64(r) * bound;
    uint64_t lo = (uint64_t)m;
    if (lo < bound) {
        uint64_t threshold = -bound % bound;
        while (lo < threshold) {
            m = (unsigned __int128)ou_rng_u64(r) * bound;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double
ou_rng_sign(struct ou_rng *r)
{
    return (ou_rng_u64(r) >> 63) ? 1.0 : -1.0;
}

/*
 * Ziggurat for the unnormalised density f(x) = exp(-x^2/2), x >= 0: 256
 * regions of equal area V, the base region being the strip [0, r] plus the
 * tail beyond r.  Layer i >= 1 is the box [0, x[i]] x [f(x[i]), f(x[i+1])].
 * Constants r and V for 256 regions are Marsaglia & Tsang's (2000).
 */
#define ZIG_R 3.6541528853610088
#define ZIG_V 0.00492867323399

static double
zig_f(double x)
{
    return exp(-0.5 * x * x);
}

void
ou_ziggurat_init(struct ou_ziggurat *z)
{
    z->x[0] = ZIG_V / zig_f(ZIG_R); /* width of a box of area V and height f(r) */
    z->x[1] = ZIG_R;
    for (int i = 2; i < OU_ZIGGURAT_LAYERS; i++)
        z->x[i] = sqrt(-2.0 * log(ZIG_V / z->x[i - 1] + zig_f(z->x[i - 1])));
    z->x[OU_ZIGGURAT_LAYERS] = 0.0;
    for (int i = 0; i <= OU_ZIGGURAT_LAYERS; i++)
        z->f[i] = zig_f(z->x[i]);
}

/*
 * The rest of a ziggurat draw whose first 64 bits fell outside the layer's
 * box (about 1.5% of draws): the wedge test or the tail, then fresh draws
 * from the top.  Kept out of line so the common path inlines into callers.
 */
static double __attribute__((noinline))
normal_slow(struct ou_rng *r, const struct ou_ziggurat *z, uint64_t bits)
{
    for (;;) {
        int i = (int)(bits & 0xff);
        double sign = (bits & 0x100) ? -1.0 : 1.0;
        double u = (double)(bits >> 11) * 0x1.0p-53;
        double x = u * z->x[i];
        if (x < z->x[i + 1])
            return sign * x;
        if (i == 0) {
            /* Tail beyond r by Marsaglia's exponential rejection. */
            double a, b;
            do {
                a = -log(1.0 - (double)(next(r) >> 11) * 0x1.0p-53) / ZIG_R;
                b = -log(1.0 - (double)(next(r) >> 11) * 0x1.0p-53);
            } while (2.0 * b < a * a);
            return sign * (ZIG_R + a);
        }
        double y = z->f[i] + (double)(next(r) >> 11) * 0x1.0p-53 * (z->f[i + 1] - z->f[i]);
        if (y < zig_f(x))
            return sign * x;
        bits = next(r);
    }
}

static inline double
normal_draw(struct ou_rng *r, const struct ou_ziggurat *z)
{
    uint64_t bits = next(r);
    int i = (int)(bits & 0xff);                  /* layer, uniform over 256 */
    double sign = (bits & 0x100) ? -1.0 : 1.0;   /* symmetric density */
    double u = (double)(bits >> 11) * 0x1.0p-53; /* [0, 1), bits disjoint */
    double x = u * z->x[i];
    if (x < z->x[i + 1])
        return sign * x; /* inside the box that lies wholly under the curve */
    return normal_slow(r, z, bits);
}

double
ou_rng_normal(struct ou_rng *r, const struct ou_ziggurat *z)
{
    return normal_draw(r, z);
}

void
ou_rng_normals(struct ou_rng *r, const struct ou_ziggurat *z, double *out, size_t count)
{
    for (size_t k = 0; k < count; k++)
        out[k] = normal_draw(r, z);
}
