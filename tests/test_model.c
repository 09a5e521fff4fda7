/*
 * The ReLU model kind against the plain-loop reference and against central
 * finite differences: h, grad_theta h, the fused loss/reg/gradient pass and
 * the closed-form gradient of reg.  Parameters are drawn so that no
 * pre-activation sits within 0.05 of a ReLU kink.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ouscope/data.h"
#include "ouscope/model.h"
#include "reference.h"
#include "testutil.h"

struct fixture {
    struct ou_model m;
    struct ou_data d;
    double *theta, *g, *gr, *ws;
};

static void
setup(struct fixture *f, size_t width, bool bias, unsigned seed)
{
    cr_assert_eq(ou_model_init(&f->m, OU_MODEL_RELU1D, width, bias), OU_OK);
    ou_data_builtin(&f->d, OU_DATA_SIN3X, 8, 1);
    f->theta = calloc(f->m.p, sizeof(double));
    f->g = calloc(f->m.p, sizeof(double));
    f->gr = calloc(f->m.p, sizeof(double));
    f->ws = calloc(ou_model_workspace(&f->m, f->d.n) + 1, sizeof(double));
    ref_theta_far_from_kinks(f->theta, width, bias, f->d.x, f->d.n, seed);
}

static void
teardown(struct fixture *f)
{
    free(f->theta);
    free(f->g);
    free(f->gr);
    free(f->ws);
}

/* Central difference of a scalar function of theta along coordinate k. */
typedef double (*scalar_fn)(struct fixture *f);

static double
fd(struct fixture *f, scalar_fn fn, size_t k)
{
    double t = f->theta[k], h = 1e-6 * fmax(1.0, fabs(t));
    f->theta[k] = t + h;
    double up = fn(f);
    f->theta[k] = t - h;
    double down = fn(f);
    f->theta[k] = t;
    return (up - down) / (2.0 * h);
}

static double fd_x;

static double
h_at_x(struct fixture *f)
{
    return ou_model_forward(&f->m, f->theta, fd_x);
}

static double
reg_of(struct fixture *f)
{
    double loss, reg;
    ou_model_pass(&f->m, f->theta, f->d.n, f->d.x, f->d.y, NULL, NULL, NULL, f->ws, &loss, &reg,
                  NULL);
    return reg;
}

static double
loss_of(struct fixture *f)
{
    double loss, reg;
    ou_model_pass(&f->m, f->theta, f->d.n, f->d.x, f->d.y, NULL, NULL, NULL, f->ws, &loss, &reg,
                  NULL);
    return loss;
}

Test(model, width_outside_1_to_4096_is_refused)
{
    struct ou_model m;
    cr_expect_eq(ou_model_init(&m, OU_MODEL_RELU1D, 0, true), OU_EINVAL);
    cr_expect_eq(ou_model_init(&m, OU_MODEL_RELU1D, OU_MODEL_MAX_WIDTH + 1, true), OU_EINVAL);
    cr_expect_eq(ou_model_init(&m, OU_MODEL_RELU1D, OU_MODEL_MAX_WIDTH, true), OU_OK);
    cr_expect_eq(m.p, 3 * OU_MODEL_MAX_WIDTH + 1);
    cr_expect_eq(ou_model_init(&m, OU_MODEL_RELU1D, 5, false), OU_OK);
    cr_expect_eq(m.p, 15);
}

Test(model, forward_and_grad_match_the_reference)
{
    for (unsigned seed = 1; seed <= 4; seed++) {
        bool bias = seed % 2;
        struct fixture f;
        setup(&f, 37, bias, seed);
        for (double x = -1.5; x <= 1.5; x += 0.1) {
            double h = ou_model_forward(&f.m, f.theta, x);
            cr_expect(tu_close(h, ref_h(f.theta, 37, bias, x), 1e-13, 1e-13), "h(%g)", x);
            double hg = ou_model_grad(&f.m, f.theta, x, f.g);
            cr_expect(tu_close(hg, h, 1e-13, 1e-13));
            ref_grad_h(f.theta, 37, bias, x, f.gr);
            for (size_t k = 0; k < f.m.p; k++)
                cr_expect(tu_close(f.g[k], f.gr[k], 1e-14, 1e-14), "grad[%zu] at %g", k, x);
        }
        teardown(&f);
    }
}

/* Relative error of analytic versus central differences below 1e-6 (h = 1e-6 max(1,|t|)). */
Test(model, grad_matches_finite_differences)
{
    struct fixture f;
    setup(&f, 16, true, 7);
    for (size_t i = 0; i < f.d.n; i++) {
        fd_x = f.d.x[i];
        ou_model_grad(&f.m, f.theta, fd_x, f.g);
        for (size_t k = 0; k < f.m.p; k++) {
            double num = fd(&f, h_at_x, k);
            cr_expect(tu_close(f.g[k], num, 1e-8, 1e-6), "dh/dtheta_%zu at x=%g: %g vs %g", k, fd_x,
                      f.g[k], num);
        }
    }
    teardown(&f);
}

Test(model, pass_gives_the_reference_loss_reg_and_gradient)
{
    for (unsigned seed = 1; seed <= 4; seed++) {
        bool bias = seed != 2;
        struct fixture f;
        setup(&f, 24, bias, seed);
        size_t n = f.d.n;
        double coef[8], eps[8], loss, reg;
        for (size_t i = 0; i < n; i++) {
            coef[i] = 1.0 / (double)n;
            eps[i] = 0.0;
        }
        ou_model_pass(&f.m, f.theta, n, f.d.x, f.d.y, coef, eps, f.g, f.ws, &loss, &reg, NULL);
        cr_expect(tu_close(loss, ref_loss(f.theta, 24, bias, f.d.x, f.d.y, n), 1e-15, 1e-12));
        cr_expect(tu_close(reg, ref_reg(f.theta, 24, bias, f.d.x, n), 1e-15, 1e-12));
        ref_loss_grad(f.theta, 24, bias, f.d.x, f.d.y, n, f.gr);
        for (size_t k = 0; k < f.m.p; k++)
            cr_expect(tu_close(f.g[k], f.gr[k], 1e-15, 1e-12), "grad L [%zu]", k);

        /* A batch of three with label noise: g = (1/B) sum (h - y - eps) grad h. */
        size_t idx[3] = {6, 1, 3};
        double e3[3] = {0.3, -0.7, 0.05};
        for (size_t i = 0; i < n; i++)
            coef[i] = 0.0;
        for (int k = 0; k < 3; k++) {
            coef[idx[k]] = 1.0 / 3.0;
            eps[idx[k]] = e3[k];
        }
        ou_model_pass(&f.m, f.theta, n, f.d.x, f.d.y, coef, eps, f.g, f.ws, &loss, &reg, NULL);
        ref_batch_grad(f.theta, 24, bias, f.d.x, f.d.y, idx, e3, 3, f.gr);
        for (size_t k = 0; k < f.m.p; k++)
            cr_expect(tu_close(f.g[k], f.gr[k], 1e-15, 1e-12), "batch grad [%zu]", k);
        teardown(&f);
    }
}

Test(model, loss_gradient_matches_finite_differences)
{
    struct fixture f;
    setup(&f, 12, true, 3);
    size_t n = f.d.n;
    double coef[8], eps[8] = {0}, loss, reg;
    for (size_t i = 0; i < n; i++)
        coef[i] = 1.0 / (double)n;
    ou_model_pass(&f.m, f.theta, n, f.d.x, f.d.y, coef, eps, f.g, f.ws, &loss, &reg, NULL);
    for (size_t k = 0; k < f.m.p; k++) {
        double num = fd(&f, loss_of, k);
        cr_expect(tu_close(f.g[k], num, 1e-9, 1e-6), "dL/dtheta_%zu: %g vs %g", k, f.g[k], num);
    }
    teardown(&f);
}

Test(model, reg_gradient_matches_reference_and_finite_differences)
{
    for (unsigned seed = 1; seed <= 3; seed++) {
        struct fixture f;
        bool bias = seed != 3;
        setup(&f, 20, bias, seed);
        ou_model_reg_grad(&f.m, f.theta, f.d.n, f.d.x, f.g, f.ws);
        ref_reg_grad(f.theta, 20, bias, f.d.x, f.d.n, f.gr);
        for (size_t k = 0; k < f.m.p; k++) {
            cr_expect(tu_close(f.g[k], f.gr[k], 1e-14, 1e-12), "grad reg [%zu] vs reference", k);
            double num = fd(&f, reg_of, k);
            cr_expect(tu_close(f.g[k], num, 1e-8, 1e-6), "grad reg [%zu]: %g vs %g", k, f.g[k],
                      num);
        }
        teardown(&f);
    }
}

/* The bias adds exactly 1 to reg and nothing to its gradient. */
Test(model, trained_bias_adds_one_to_reg)
{
    struct fixture a, b;
    setup(&a, 10, true, 5);
    setup(&b, 10, false, 5);
    double la, ra, lb, rb;
    /* Same units, b without c: copy a's units. */
    for (size_t k = 0; k < 30; k++)
        b.theta[k] = a.theta[k];
    a.theta[30] = 0.0;
    ou_model_pass(&a.m, a.theta, a.d.n, a.d.x, a.d.y, NULL, NULL, NULL, a.ws, &la, &ra, NULL);
    ou_model_pass(&b.m, b.theta, b.d.n, b.d.x, b.d.y, NULL, NULL, NULL, b.ws, &lb, &rb, NULL);
    cr_expect(tu_close(ra, rb + 1.0, 1e-14, 1e-14));
    cr_expect(tu_close(la, lb, 1e-15, 1e-14));
    teardown(&a);
    teardown(&b);
}

Test(model, jacobian_rows_are_the_per_sample_gradients)
{
    struct fixture f;
    setup(&f, 9, true, 2);
    size_t n = f.d.n, p = f.m.p;
    double *J = calloc(n * p, sizeof *J), h[8];
    ou_model_jacobian(&f.m, f.theta, n, f.d.x, J, h);
    for (size_t i = 0; i < n; i++) {
        ref_grad_h(f.theta, 9, true, f.d.x[i], f.gr);
        cr_expect(tu_close(h[i], ref_h(f.theta, 9, true, f.d.x[i]), 1e-14, 1e-13));
        for (size_t k = 0; k < p; k++)
            cr_expect(tu_close(J[i * p + k], f.gr[k], 1e-15, 1e-14));
    }
    free(J);
    teardown(&f);
}

/*
 * Ties: on 9 points (x = -1, -0.75, ..., 1, all exact) units whose
 * pre-activation is exactly 0 at a data point (0, x_1, x_n), everywhere
 * (w = b = 0), or never (w = 0, b > 0).  relu'(0) = 0, so such a point is
 * inactive for the unit in h, grad h, the fused pass and grad reg alike; each
 * must match the reference (sums of 7 O(1) terms: 1e-14).  The points 0..7
 * go through the four-point kernels and point 8 through the single one.
 */
Test(model, zero_pre_activations_count_as_inactive)
{
    struct ou_model m;
    struct ou_data d;
    cr_assert_eq(ou_model_init(&m, OU_MODEL_RELU1D, 7, true), OU_OK);
    ou_data_builtin(&d, OU_DATA_SIN3X, 9, 1);
    const double th[22] = {0.7, -0.4, 0.9, 0.5,  -1.1, 0.3,  0.8,   /* a */
                           1.3, 0.0,  0.0, -0.8, 0.6,  -0.5, 1.5,   /* w */
                           0.0, 0.5,  0.0, -0.8, -0.6, 0.2,  -0.75, /* b */
                           0.1};
    double g[22], gr[22], coef[9], eps[9], ws[64], loss, reg;
    cr_assert(ou_model_workspace(&m, 9) <= 64);
    for (size_t i = 0; i < 9; i++) {
        double x = d.x[i];
        cr_expect(tu_close(ou_model_forward(&m, th, x), ref_h(th, 7, true, x), 1e-14, 1e-14));
        ou_model_grad(&m, th, x, g);
        ref_grad_h(th, 7, true, x, gr);
        for (size_t k = 0; k < 22; k++)
            cr_expect(tu_close(g[k], gr[k], 1e-15, 1e-14), "grad h[%zu] at x = %g", k, x);
        coef[i] = 1.0 / 9.0;
        eps[i] = 0.1 * (double)i - 0.4;
    }
    size_t idx[9] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    ou_model_pass(&m, th, 9, d.x, d.y, coef, eps, g, ws, &loss, &reg, NULL);
    cr_expect(tu_close(loss, ref_loss(th, 7, true, d.x, d.y, 9), 1e-15, 1e-13));
    cr_expect(tu_close(reg, ref_reg(th, 7, true, d.x, 9), 1e-14, 1e-13), "reg %.17g vs %.17g", reg,
              ref_reg(th, 7, true, d.x, 9));
    ref_batch_grad(th, 7, true, d.x, d.y, idx, eps, 9, gr);
    for (size_t k = 0; k < 22; k++)
        cr_expect(tu_close(g[k], gr[k], 1e-15, 1e-13), "batch grad[%zu]", k);
    ou_model_reg_grad(&m, th, 9, d.x, g, ws);
    ref_reg_grad(th, 7, true, d.x, 9, gr);
    for (size_t k = 0; k < 22; k++)
        cr_expect(tu_close(g[k], gr[k], 1e-15, 1e-13), "grad reg[%zu]", k);
}

/*
 * The rescaling symmetry: h is the same function after w_j, b_j times
 * alpha and a_j / alpha (to rounding: each term changes by a few ulps of
 * |a_j relu(w_j x + b_j)|), reg's unit-j terms move as alpha^2 (the
 * relu^2 part) and alpha^-2 (the a_j^2 part), as summed here by hand.
 */
Test(model, rescaling_a_unit_keeps_h_and_moves_reg_as_predicted)
{
    struct ou_model m;
    cr_assert_eq(ou_model_init(&m, OU_MODEL_RELU1D, 6, true), OU_OK);
    double th[19], th2[19];
    struct ou_rng r;
    struct ou_ziggurat z;
    ou_ziggurat_init(&z);
    ou_rng_seed(&r, 7, OU_RNG_INIT);
    m.kind->init(&m, th, &r, &z);
    memcpy(th2, th, sizeof th);
    const size_t j = 2;
    const double alpha = 2.5;
    cr_assert_eq(ou_model_rescale_unit(&m, th2, j, alpha), OU_OK);
    double gap = 0.0, scale = 0.0;
    for (int k = 0; k <= 200; k++) {
        double x = -1.5 + 3.0 * k / 200.0;
        gap = fmax(gap, fabs(ou_model_forward(&m, th2, x) - ou_model_forward(&m, th, x)));
        scale = fmax(scale, fabs(ou_model_forward(&m, th, x)));
    }
    cr_expect(gap <= 1e-14 * fmax(scale, 1.0), "h moved by %g", gap);

    const double xs[] = {-1.0, -0.3, 0.2, 0.9};
    double g1[19], g2[19], want = 0.0, got = 0.0;
    for (int i = 0; i < 4; i++) {
        ou_model_grad(&m, th, xs[i], g1);
        ou_model_grad(&m, th2, xs[i], g2);
        double d1 = 0.0, d2 = 0.0;
        for (int q = 0; q < 19; q++) {
            d1 += g1[q] * g1[q];
            d2 += g2[q] * g2[q];
        }
        double u = th[6 + j] * xs[i] + th[12 + j];
        double relu2 = u > 0.0 ? u * u : 0.0,
               a2 = u > 0.0 ? th[j] * th[j] * (1.0 + xs[i] * xs[i]) : 0.0;
        want += d1 + (alpha * alpha - 1.0) * relu2 + (1.0 / (alpha * alpha) - 1.0) * a2;
        got += d2;
    }
    cr_expect(fabs(got - want) <= 1e-12 * want, "sum |grad h|^2 %.17g, by hand %.17g", got, want);

    /* Refusals leave theta alone. */
    memcpy(th2, th, sizeof th);
    cr_expect_eq(ou_model_rescale_unit(&m, th2, 6, 2.0), OU_EINVAL);
    cr_expect_eq(ou_model_rescale_unit(&m, th2, 0, 0.0), OU_EINVAL);
    cr_expect_eq(ou_model_rescale_unit(&m, th2, 0, -1.0), OU_EINVAL);
    cr_expect_eq(ou_model_rescale_unit(&m, th2, 0, NAN), OU_EINVAL);
    cr_expect_eq(ou_model_rescale_unit(&m, th2, 0, INFINITY), OU_EINVAL);
    cr_expect_eq(ou_model_rescale_unit(&m, th2, 0, 1e-320), OU_EINVAL);
    cr_expect(memcmp(th, th2, sizeof th) == 0);
    struct ou_model lin;
    cr_assert_eq(ou_model_init(&lin, OU_MODEL_LINEAR, 6, true), OU_OK);
    cr_expect_eq(ou_model_rescale_unit(&lin, th2, 0, 2.0), OU_EINVAL);
}

/*
 * The fused pass takes points eight, then four, then one at a time, both
 * forward and (all 13 in the batch) backward: n = 13 goes through all six
 * kernels, with a width (37) that is no multiple of
 * the vector length and more units than one tile would hold at 300.
 */
Test(model, pass_handles_every_block_of_points)
{
    const size_t widths[] = {37, 300};
    for (size_t q = 0; q < 2; q++) {
        size_t M = widths[q];
        struct ou_model m;
        struct ou_data d;
        cr_assert_eq(ou_model_init(&m, OU_MODEL_RELU1D, M, true), OU_OK);
        cr_assert_eq(ou_data_builtin(&d, OU_DATA_SIN3X, 13, 1), OU_OK);
        double *th = calloc(m.p, sizeof *th), *g = calloc(m.p, sizeof *g),
               *gr = calloc(m.p, sizeof *gr);
        double *ws = calloc(ou_model_workspace(&m, d.n), sizeof *ws);
        ref_theta_far_from_kinks(th, M, true, d.x, d.n, 5);
        double coef[13], eps[13], loss, reg;
        size_t idx[13];
        for (size_t i = 0; i < 13; i++) {
            coef[i] = 1.0 / 13.0;
            eps[i] = 0.05 * (double)i - 0.3;
            idx[i] = i;
        }
        ou_model_pass(&m, th, 13, d.x, d.y, coef, eps, g, ws, &loss, &reg, NULL);
        cr_expect(tu_close(loss, ref_loss(th, M, true, d.x, d.y, 13), 1e-15, 1e-12), "M=%zu", M);
        cr_expect(tu_close(reg, ref_reg(th, M, true, d.x, 13), 1e-15, 1e-12), "M=%zu", M);
        ref_batch_grad(th, M, true, d.x, d.y, idx, eps, 13, gr);
        for (size_t k = 0; k < m.p; k++)
            cr_expect(tu_close(g[k], gr[k], 1e-15, 1e-12), "M=%zu grad[%zu]", M, k);
        free(th);
        free(g);
        free(gr);
        free(ws);
    }
}
