/*
 * Two-layer ReLU net h(x) = sum_j a_j relu(w_j x + b_j) + c, theta laid out
 * as (a[m], w[m], b[m], c).  The fused pass and the closed-form gradient of
 * reg are written with the unit loop innermost so they vectorize; shapes
 * and formulas follow ouscope-science(7), MODEL and THE IMPLICIT REGULARIZER.
 * relu'(0) is taken as 0: a unit is active only where w x + b > 0.
 */
#include "config.h"

#include "relu.h"

#include <math.h>
#include <string.h>

static size_t
relu_nparams(const struct ou_model *m)
{
    return 3 * m->width + (m->bias ? 1 : 0);
}

static size_t
relu_workspace(const struct ou_model *m, size_t n)
{
    return m->width + 4 * n; /* a_j^2, then per-point sums and the batch */
}

/* Reference init: w_j, b_j ~ N(0,1), a_j ~ N(0, 1/m), c = 0. */
static void
relu_init(const struct ou_model *m, double *theta, struct ou_rng *r, const struct ou_ziggurat *z)
{
    size_t M = m->width;
    double sa = 1.0 / sqrt((double)M);
    for (size_t j = 0; j < M; j++)
        theta[j] = sa * ou_rng_normal(r, z);
    for (size_t j = 0; j < 2 * M; j++)
        theta[M + j] = ou_rng_normal(r, z);
    if (m->bias)
        theta[3 * M] = 0.0;
}

static double
relu_forward(const struct ou_model *m, const double *theta, double x)
{
    size_t M = m->width;
    const double *a = theta, *w = theta + M, *b = theta + 2 * M;
    double h = 0.0;
#pragma omp simd reduction(+ : h)
    for (size_t j = 0; j < M; j++) {
        double u = w[j] * x + b[j];
        double act = u > 0.0 ? 1.0 : 0.0;
        h += a[j] * act * u;
    }
    return h + ou_relu_c(m, theta);
}

/* dh/da_j = relu(u_j), dh/dw_j = a_j x 1[u_j > 0], dh/db_j = a_j 1[u_j > 0], dh/dc = 1. */
static double
relu_grad(const struct ou_model *m, const double *theta, double x, double *g)
{
    size_t M = m->width;
    const double *a = theta, *w = theta + M, *b = theta + 2 * M;
    double h = 0.0;
    for (size_t j = 0; j < M; j++) {
        double u = w[j] * x + b[j];
        double act = u > 0.0 ? 1.0 : 0.0;
        g[j] = act * u;
        g[M + j] = act * a[j] * x;
        g[2 * M + j] = act * a[j];
        h += a[j] * act * u;
    }
    if (m->bias)
        g[3 * M] = 1.0;
    return h + ou_relu_c(m, theta);
}

/*
 * The fused pass, for point i (u_j = w_j x_i + b_j):
 *   h_i      = sum_j a_j relu(u_j) + c
 *   |grad|^2 = [1 if c trained] + sum_j 1[u_j > 0] (u_j^2 + a_j^2 (1 + x_i^2))
 * and, where coef_i > 0, with r_i = coef_i (h_i - y_i - eps_i):
 *   g_a += r_i relu(u_j),  g_w += r_i a_j 1[u_j>0] x_i,  g_b += r_i a_j 1[u_j>0],  g_c += r_i.
 * About 17 flops per point and unit when every point is in the batch.
 *
 * Layout for speed: units are taken in tiles of RELU_TILE, small enough for
 * the tile's a, w, b, a^2 and gradient to stay in L1 while every point
 * passes over it.  Forward, points go eight at a time across the lanes of
 * two vectors (forward8), then four and one at a time with units across
 * the lanes; backward, batch points go eight, four, then one at a time
 * with units across the lanes, so each sweep over the unit gradients
 * serves several points.  Every load is unconditional and only selects
 * depend on the activation mask, so the loops vectorize.
 */
#define RELU_TILE 256

/* Partial h and |grad|^2 of four points over units [0, len) of a tile. */
static inline void
forward4(const double *a, const double *w, const double *b, const double *a2, size_t len,
         const double *x, double *hs, double *qs)
{
    const double x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
    const double o0 = 1 + x0 * x0, o1 = 1 + x1 * x1, o2 = 1 + x2 * x2, o3 = 1 + x3 * x3;
    double h0 = 0, h1 = 0, h2 = 0, h3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
#pragma omp simd reduction(+ : h0, h1, h2, h3, q0, q1, q2, q3)
    for (size_t j = 0; j < len; j++) {
        double wj = w[j], bj = b[j], aj = a[j], a2j = a2[j];
        double u0 = wj * x0 + bj, u1 = wj * x1 + bj, u2 = wj * x2 + bj, u3 = wj * x3 + bj;
        double m0 = u0 > 0.0 ? 1.0 : 0.0, m1 = u1 > 0.0 ? 1.0 : 0.0;
        double m2 = u2 > 0.0 ? 1.0 : 0.0, m3 = u3 > 0.0 ? 1.0 : 0.0;
        double r0 = m0 * u0, r1 = m1 * u1, r2 = m2 * u2, r3 = m3 * u3;
        h0 += aj * r0, h1 += aj * r1, h2 += aj * r2, h3 += aj * r3;
        q0 += r0 * r0 + m0 * a2j * o0, q1 += r1 * r1 + m1 * a2j * o1;
        q2 += r2 * r2 + m2 * a2j * o2, q3 += r3 * r3 + m3 * a2j * o3;
    }
    hs[0] += h0, hs[1] += h1, hs[2] += h2, hs[3] += h3;
    qs[0] += q0, qs[1] += q1, qs[2] += q2, qs[3] += q3;
}

/*
 * The same for eight points held across the lanes of two 4-wide vectors,
 * one unit at a time: each unit's weights are broadcast once, and the six
 * accumulators (h, sum relu^2, sum_active a^2 for each half) stay in
 * registers, where forward4's sixteen broadcasts and accumulators spill.
 * The (1 + x^2) factor of the a^2 term is applied once at the end.
 */
typedef double relu_v4 __attribute__((vector_size(32)));
typedef long long relu_m4 __attribute__((vector_size(32)));

static inline void
forward8(const double *a, const double *w, const double *b, const double *a2, size_t len,
         const double *x, double *hs, double *qs)
{
    relu_v4 x0, x1, h0 = {0}, h1 = {0}, q0 = {0}, q1 = {0}, p0 = {0}, p1 = {0};
    const relu_v4 zero = {0};
    memcpy(&x0, x, sizeof x0);
    memcpy(&x1, x + 4, sizeof x1);
    for (size_t j = 0; j < len; j++) {
        const double wq = w[j], bq = b[j], aq = a[j], a2q = a2[j];
        const relu_v4 wj = {wq, wq, wq, wq}, bj = {bq, bq, bq, bq}, aj = {aq, aq, aq, aq},
                      a2j = {a2q, a2q, a2q, a2q};
        relu_v4 u0 = wj * x0 + bj, u1 = wj * x1 + bj;
        relu_m4 m0 = u0 > zero, m1 = u1 > zero;
        relu_v4 r0 = (relu_v4)((relu_m4)u0 & m0), r1 = (relu_v4)((relu_m4)u1 & m1);
        h0 += aj * r0, h1 += aj * r1;
        q0 += r0 * r0, q1 += r1 * r1;
        p0 += (relu_v4)((relu_m4)a2j & m0), p1 += (relu_v4)((relu_m4)a2j & m1);
    }
    relu_v4 o0 = 1.0 + x0 * x0, o1 = 1.0 + x1 * x1;
    q0 += o0 * p0, q1 += o1 * p1;
    for (int k = 0; k < 4; k++) {
        hs[k] += h0[k], hs[4 + k] += h1[k];
        qs[k] += q0[k], qs[4 + k] += q1[k];
    }
}

static inline void
forward1(const double *a, const double *w, const double *b, const double *a2, size_t len, double x,
         double *hs, double *qs)
{
    const double o = 1 + x * x;
    double h = 0, q = 0;
#pragma omp simd reduction(+ : h, q)
    for (size_t j = 0; j < len; j++) {
        double u = w[j] * x + b[j];
        double m = u > 0.0 ? 1.0 : 0.0;
        double r = m * u;
        h += a[j] * r;
        q += r * r + m * a2[j] * o;
    }
    *hs += h;
    *qs += q;
}

/* Gradient of four batch points (positions x, weights rr) over a tile. */
static inline void
backward4(const double *a, const double *w, const double *b, size_t len, const double *x,
          const double *rr, double *ga, double *gw, double *gb)
{
    const double x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
    const double r0 = rr[0], r1 = rr[1], r2 = rr[2], r3 = rr[3];
#pragma omp simd
    for (size_t j = 0; j < len; j++) {
        double wj = w[j], bj = b[j];
        double u0 = wj * x0 + bj, u1 = wj * x1 + bj, u2 = wj * x2 + bj, u3 = wj * x3 + bj;
        double s0 = u0 > 0.0 ? r0 : 0.0, s1 = u1 > 0.0 ? r1 : 0.0;
        double s2 = u2 > 0.0 ? r2 : 0.0, s3 = u3 > 0.0 ? r3 : 0.0;
        ga[j] += s0 * u0 + s1 * u1 + s2 * u2 + s3 * u3;
        gw[j] += a[j] * (s0 * x0 + s1 * x1 + s2 * x2 + s3 * x3);
        gb[j] += a[j] * (s0 + s1 + s2 + s3);
    }
}

/* The same for eight batch points: half the passes over ga, gw, gb of backward4. */
static inline void
backward8(const double *a, const double *w, const double *b, size_t len, const double *x,
          const double *rr, double *ga, double *gw, double *gb)
{
    const double x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
    const double x4 = x[4], x5 = x[5], x6 = x[6], x7 = x[7];
    const double r0 = rr[0], r1 = rr[1], r2 = rr[2], r3 = rr[3];
    const double r4 = rr[4], r5 = rr[5], r6 = rr[6], r7 = rr[7];
#pragma omp simd
    for (size_t j = 0; j < len; j++) {
        double wj = w[j], bj = b[j];
        double u0 = wj * x0 + bj, u1 = wj * x1 + bj, u2 = wj * x2 + bj, u3 = wj * x3 + bj;
        double u4 = wj * x4 + bj, u5 = wj * x5 + bj, u6 = wj * x6 + bj, u7 = wj * x7 + bj;
        double s0 = u0 > 0.0 ? r0 : 0.0, s1 = u1 > 0.0 ? r1 : 0.0;
        double s2 = u2 > 0.0 ? r2 : 0.0, s3 = u3 > 0.0 ? r3 : 0.0;
        double s4 = u4 > 0.0 ? r4 : 0.0, s5 = u5 > 0.0 ? r5 : 0.0;
        double s6 = u6 > 0.0 ? r6 : 0.0, s7 = u7 > 0.0 ? r7 : 0.0;
        ga[j] += (s0 * u0 + s1 * u1 + s2 * u2 + s3 * u3) + (s4 * u4 + s5 * u5 + s6 * u6 + s7 * u7);
        gw[j] += a[j] * ((s0 * x0 + s1 * x1 + s2 * x2 + s3 * x3) +
                         (s4 * x4 + s5 * x5 + s6 * x6 + s7 * x7));
        gb[j] += a[j] * ((s0 + s1 + s2 + s3) + (s4 + s5 + s6 + s7));
    }
}

static inline void
backward1(const double *a, const double *w, const double *b, size_t len, double x, double rr,
          double *ga, double *gw, double *gb)
{
#pragma omp simd
    for (size_t j = 0; j < len; j++) {
        double u = w[j] * x + b[j];
        double s = u > 0.0 ? rr : 0.0;
        ga[j] += s * u;
        gw[j] += a[j] * s * x;
        gb[j] += a[j] * s;
    }
}

static void
relu_pass(const struct ou_model *m, const double *theta, size_t n, const double *x, const double *y,
          const double *coef, const double *eps, double *g, double *ws, double *loss, double *reg,
          double *res_out)
{
    const size_t M = m->width;
    const double *a = theta, *w = theta + M, *b = theta + 2 * M;
    const double c = ou_relu_c(m, theta);
    /* ws: a^2 [M], partial h [n], partial |grad|^2 [n], batch x [n], batch r [n]. */
    double *a2 = ws, *hs = ws + M, *qs = hs + n, *bx = qs + n, *br = bx + n;

#pragma omp simd
    for (size_t j = 0; j < M; j++)
        a2[j] = a[j] * a[j];
    for (size_t i = 0; i < n; i++)
        hs[i] = qs[i] = 0.0;
    for (size_t j0 = 0; j0 < M; j0 += RELU_TILE) {
        size_t len = M - j0 < RELU_TILE ? M - j0 : RELU_TILE;
        size_t i = 0;
        for (; i + 8 <= n; i += 8)
            forward8(a + j0, w + j0, b + j0, a2 + j0, len, x + i, hs + i, qs + i);
        for (; i + 4 <= n; i += 4)
            forward4(a + j0, w + j0, b + j0, a2 + j0, len, x + i, hs + i, qs + i);
        for (; i < n; i++)
            forward1(a + j0, w + j0, b + j0, a2 + j0, len, x[i], hs + i, qs + i);
    }

    double lsum = 0.0, qsum = 0.0, gc = 0.0;
    size_t nb = 0;
    for (size_t i = 0; i < n; i++) {
        double res = hs[i] + c - y[i];
        if (res_out)
            res_out[i] = res;
        lsum += res * res;
        qsum += qs[i];
        if (g && coef[i] > 0.0) {
            bx[nb] = x[i];
            br[nb] = coef[i] * (res - eps[i]);
            gc += br[nb];
            nb++;
        }
    }
    *loss = lsum / (2.0 * (double)n);
    *reg = qsum / (double)n + (m->bias ? 1.0 : 0.0);
    if (!g)
        return;

    memset(g, 0, relu_nparams(m) * sizeof *g);
    double *ga = g, *gw = g + M, *gb = g + 2 * M;
    for (size_t j0 = 0; j0 < M; j0 += RELU_TILE) {
        size_t len = M - j0 < RELU_TILE ? M - j0 : RELU_TILE;
        size_t k = 0;
        for (; k + 8 <= nb; k += 8)
            backward8(a + j0, w + j0, b + j0, len, bx + k, br + k, ga + j0, gw + j0, gb + j0);
        for (; k + 4 <= nb; k += 4)
            backward4(a + j0, w + j0, b + j0, len, bx + k, br + k, ga + j0, gw + j0, gb + j0);
        for (; k < nb; k++)
            backward1(a + j0, w + j0, b + j0, len, bx[k], br[k], ga + j0, gw + j0, gb + j0);
    }
    if (m->bias)
        g[3 * M] = gc;
}

/*
 * grad reg in closed form (the bias adds a constant 1 and no gradient):
 *   d/da_j = (2/n) sum_i 1_ij a_j (1 + x_i^2)
 *   d/dw_j = (2/n) sum_i 1_ij u_ij x_i
 *   d/db_j = (2/n) sum_i 1_ij u_ij
 */
static void
relu_reg_grad(const struct ou_model *m, const double *theta, size_t n, const double *x, double *g,
              double *ws)
{
    (void)ws;
    size_t M = m->width;
    const double *a = theta, *w = theta + M, *b = theta + 2 * M;
    double *ga = g, *gw = g + M, *gb = g + 2 * M;
    memset(g, 0, relu_nparams(m) * sizeof *g);
    for (size_t i = 0; i < n; i++) {
        double xi = x[i], one_x2 = 1.0 + xi * xi;
#pragma omp simd
        for (size_t j = 0; j < M; j++) {
            double u = w[j] * xi + b[j];
            double act = u > 0.0 ? 1.0 : 0.0;
            ga[j] += act * one_x2;
            gw[j] += act * u * xi;
            gb[j] += act * u;
        }
    }
    double k = 2.0 / (double)n;
    for (size_t j = 0; j < M; j++) {
        ga[j] *= k * a[j];
        gw[j] *= k;
        gb[j] *= k;
    }
}

/*
 * Path-SGD's kappa: the paths through unit j are x -> j -> out and
 * 1 -> j -> out.  Through a_j they carry w_j or b_j, so kappa(a_j) =
 * w_j^2 + b_j^2; through w_j (or b_j) the one other edge is a_j, so
 * kappa = a_j^2; the path of c is c alone, kappa(c) = 1.
 */
static void
relu_path_kappa(const struct ou_model *m, const double *theta, double *kappa)
{
    size_t M = m->width;
    const double *a = theta, *w = theta + M, *b = theta + 2 * M;
    for (size_t j = 0; j < M; j++) {
        kappa[j] = w[j] * w[j] + b[j] * b[j];
        kappa[M + j] = kappa[2 * M + j] = a[j] * a[j];
    }
    if (m->bias)
        kappa[3 * M] = 1.0;
}

const struct ou_model_kind ou_relu_kind = {
    .name = "relu",
    .nparams = relu_nparams,
    .nfixed = NULL,
    .init_fixed = NULL,
    .workspace = relu_workspace,
    .init = relu_init,
    .forward = relu_forward,
    .grad = relu_grad,
    .pass = relu_pass,
    .reg_grad = relu_reg_grad,
    .path_kappa = relu_path_kappa,
};
