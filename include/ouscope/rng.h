/*
 * Explicit-state random numbers for the engine: xoshiro256** seeded through
 * splitmix64, one independent stream per purpose, and an exact ziggurat
 * sampler for N(0,1).  No hidden state: every draw names its stream.
 */
#ifndef OUSCOPE_RNG_H
#define OUSCOPE_RNG_H

#include <stddef.h>
#include <stdint.h>

struct ou_rng {
    uint64_t s[4];
};

/* Ziggurat tables (256 layers of equal area); filled once by ou_ziggurat_init. */
#define OU_ZIGGURAT_LAYERS 256
struct ou_ziggurat {
    double x[OU_ZIGGURAT_LAYERS + 1]; /* layer edges, x[1] = tail start r, x[256] = 0 */
    double f[OU_ZIGGURAT_LAYERS + 1]; /* exp(-x^2/2) at those edges */
};

/* Streams derived from one master seed; the numbering is part of the state format. */
enum ou_rng_stream {
    OU_RNG_INIT = 1,   /* initial parameters */
    OU_RNG_BATCH = 2,  /* minibatch indices */
    OU_RNG_NOISE = 3,  /* fresh label noise */
    OU_RNG_FROZEN = 4, /* the frozen label-noise draw */
    OU_RNG_DATA = 5,   /* the "random" data set */
    OU_RNG_KICK = 6,   /* random directions chosen on request */
    OU_RNG_FEATURES = 7 /* a model kind's frozen constants (random features) */
};

/* Seed r as stream `stream` of master seed `seed` (distinct streams never share state). */
void ou_rng_seed(struct ou_rng *r, uint64_t seed, uint64_t stream);

/* Next 64 random bits. */
uint64_t ou_rng_u64(struct ou_rng *r);

/* Uniform double in [0, 1) with 53 random bits. */
double ou_rng_uniform(struct ou_rng *r);

/* Uniform integer in [0, bound), bound >= 1, without modulo bias (Lemire). */
uint64_t ou_rng_below(struct ou_rng *r, uint64_t bound);

/* Fill z with the ziggurat tables for N(0,1). */
void ou_ziggurat_init(struct ou_ziggurat *z);

/* One exact N(0,1) draw from stream r using tables z. */
double ou_rng_normal(struct ou_rng *r, const struct ou_ziggurat *z);

/* out[0..count) = count N(0,1) draws: the same values as count calls of ou_rng_normal. */
void ou_rng_normals(struct ou_rng *r, const struct ou_ziggurat *z, double *out, size_t count);

/* +1 or -1 with probability 1/2 each (one 64-bit draw). */
double ou_rng_sign(struct ou_rng *r);

#endif
