/*
 * The optimizers (ouscope-science(7), OPTIMIZERS) and the implicit-
 * regulariser readouts: each update against a step computed here from the
 * reference gradient, Path-SGD's invariance under the rescaling of a unit,
 * Smith's IGR term against its definition, Damian's R_eta against a Jacobi
 * eigen-decomposition of (1/n) J^T J, switching semantics, and state files
 * that resume every optimizer bit-exactly.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ouscope/engine.h"
#include "reference.h"
#include "testutil.h"

/* The reference set-up (sin 3x, 8 points, 32 units) with optimizer k, after `warm` SGD steps. */
static struct ou_engine *
make(enum ou_optim_kind k, size_t batch, uint64_t seed, uint64_t warm)
{
    struct ou_engine *e = tu_sin3x(batch, 0.05, 0.5, seed);
    cr_assert_not_null(e);
    cr_assert_eq(ou_engine_run(e, warm, NULL), OU_OK);
    cr_assert_eq(ou_engine_set_optimizer(e, k), OU_OK);
    return e;
}

static double *
copy_theta(const struct ou_engine *e)
{
    size_t p = ou_engine_model(e)->p;
    double *t = malloc(p * sizeof *t);
    cr_assert_not_null(t);
    memcpy(t, ou_engine_theta(e), p * sizeof *t);
    return t;
}

static bool
same_theta(const struct ou_engine *a, const struct ou_engine *b)
{
    size_t p = ou_engine_model(a)->p;
    return p == ou_engine_model(b)->p &&
           memcmp(ou_engine_theta(a), ou_engine_theta(b), p * sizeof(double)) == 0;
}

/* The three batches (with their label noise) the hand-step tests feed in turn. */
static const size_t step_idx[3][3] = {{7, 0, 4}, {2, 5, 1}, {3, 6, 0}};
static const double step_eps[3][3] = {{0.4, -0.1, 0.9}, {-0.6, 0.2, 0.05}, {0.3, 0.3, -0.8}};

/* The reference minibatch gradient of batch s at theta. */
static void
batch_grad(const struct ou_engine *e, const double *theta, int s, double *g)
{
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    ref_batch_grad(theta, m->width, m->bias, d->x, d->y, step_idx[s], step_eps[s], 3, g);
}

/*
 * Tolerance of the adaptive hand steps.  The engine's gradient and the
 * reference's agree to a relative 1e-13 (the bound the SGD one-step tests
 * of test_engine.c hold them to: same sums in another order).  RMSProp's
 * and Adam's direction d = g / (sqrt(s) + eps) has |d log d / d log g| <= 1,
 * so d inherits at most that relative error, and |d| <= 1/sqrt(1 - rho) =
 * 10 (RMSProp, rho = 0.99) or about 1 (Adam's first steps): the step eta d
 * is off by at most 0.05 * 10 * 1e-13 = 5e-14, plus rounding of theta,
 * 1e-16 |theta|.  Three steps add three such errors: 1e-13 + 1e-13 |theta|.
 */
#define ADAPTIVE_ABS 1e-13
#define ADAPTIVE_REL 1e-13

/* RMSProp: s' = rho s + (1 - rho) g^2, theta' = theta - eta g / (sqrt(s') + eps), from s = 0. */
Test(optim, rmsprop_follows_three_hand_computed_steps)
{
    struct ou_engine *e = make(OU_OPTIM_RMSPROP, 3, 9, 50);
    const struct ou_config *c = ou_engine_config(e);
    size_t p = ou_engine_model(e)->p;
    double *th = copy_theta(e), *s = calloc(p, sizeof *s), *g = malloc(p * sizeof *g);
    double rho = c->rms_decay, eps = c->opt_eps, eta = c->eta;
    for (int step = 0; step < 3; step++) {
        batch_grad(e, th, step, g);
        for (size_t k = 0; k < p; k++) {
            s[k] = rho * s[k] + (1.0 - rho) * g[k] * g[k];
            th[k] -= eta * g[k] / (sqrt(s[k]) + eps);
        }
        cr_assert_eq(ou_engine_step_with(e, step_idx[step], 3, step_eps[step]), OU_OK);
        const double *t = ou_engine_theta(e);
        for (size_t k = 0; k < p; k++)
            cr_expect(tu_close(t[k], th[k], ADAPTIVE_ABS, ADAPTIVE_REL),
                      "step %d theta[%zu] = %.17g, hand %.17g", step, k, t[k], th[k]);
    }
    free(th);
    free(s);
    free(g);
    ou_engine_destroy(e);
}

/* RMSProp with heavy ball, as PyTorch: v' = mu v + g / (sqrt(s') + eps), theta' = theta - eta v'. */
Test(optim, rmsprop_takes_momentum_on_its_direction)
{
    struct ou_engine *e = make(OU_OPTIM_RMSPROP, 3, 9, 50);
    cr_assert_eq(ou_engine_set_momentum(e, 0.5), OU_OK);
    cr_assert_eq(ou_engine_set_rms_decay(e, 0.9), OU_OK);
    size_t p = ou_engine_model(e)->p;
    double *th = copy_theta(e), *s = calloc(p, sizeof *s), *v = calloc(p, sizeof *v);
    double *g = malloc(p * sizeof *g);
    for (int step = 0; step < 3; step++) {
        batch_grad(e, th, step, g);
        for (size_t k = 0; k < p; k++) {
            s[k] = 0.9 * s[k] + 0.1 * g[k] * g[k];
            v[k] = 0.5 * v[k] + g[k] / (sqrt(s[k]) + 1e-8);
            th[k] -= 0.05 * v[k];
        }
        cr_assert_eq(ou_engine_step_with(e, step_idx[step], 3, step_eps[step]), OU_OK);
    }
    /* |v| <= (1 + 0.5 + 0.25) / sqrt(0.1) < 6: below the bound of ADAPTIVE_ABS's derivation. */
    const double *t = ou_engine_theta(e);
    for (size_t k = 0; k < p; k++)
        cr_expect(tu_close(t[k], th[k], ADAPTIVE_ABS, ADAPTIVE_REL), "theta[%zu]", k);
    free(th);
    free(s);
    free(v);
    free(g);
    ou_engine_destroy(e);
}

/*
 * Adam with bias correction, from zero moments at t = 0:
 *   m' = b1 m + (1 - b1) g,  v' = b2 v + (1 - b2) g^2,  t' = t + 1,
 *   theta' = theta - eta (m' / (1 - b1^t')) / (sqrt(v' / (1 - b2^t')) + eps).
 * Momentum is set too: Adam ignores it (its first moment is its momentum).
 */
Test(optim, adam_follows_three_hand_computed_steps)
{
    struct ou_engine *e = make(OU_OPTIM_ADAM, 3, 9, 50);
    cr_assert_eq(ou_engine_set_momentum(e, 0.7), OU_OK);
    cr_assert_eq(ou_engine_set_beta1(e, 0.8), OU_OK);
    cr_assert_eq(ou_engine_set_beta2(e, 0.95), OU_OK);
    cr_assert_eq(ou_engine_set_opt_eps(e, 1e-6), OU_OK);
    size_t p = ou_engine_model(e)->p;
    double *th = copy_theta(e), *m1 = calloc(p, sizeof *m1), *m2 = calloc(p, sizeof *m2);
    double *g = malloc(p * sizeof *g);
    double b1t = 1.0, b2t = 1.0;
    for (int step = 0; step < 3; step++) {
        batch_grad(e, th, step, g);
        b1t *= 0.8;
        b2t *= 0.95;
        for (size_t k = 0; k < p; k++) {
            m1[k] = 0.8 * m1[k] + 0.2 * g[k];
            m2[k] = 0.95 * m2[k] + 0.05 * g[k] * g[k];
            double mhat = m1[k] / (1.0 - b1t), vhat = m2[k] / (1.0 - b2t);
            th[k] -= 0.05 * mhat / (sqrt(vhat) + 1e-6);
        }
        cr_assert_eq(ou_engine_step_with(e, step_idx[step], 3, step_eps[step]), OU_OK);
        const double *t = ou_engine_theta(e);
        for (size_t k = 0; k < p; k++)
            cr_expect(tu_close(t[k], th[k], ADAPTIVE_ABS, ADAPTIVE_REL),
                      "step %d theta[%zu] = %.17g, hand %.17g", step, k, t[k], th[k]);
    }
    free(th);
    free(m1);
    free(m2);
    free(g);
    ou_engine_destroy(e);
}

/*
 * SAM: g at theta, the ascent point theta + rho g / |g|, the gradient of the
 * same batch with the same noise there, and theta' = theta - eta g_adv.
 * Tolerance: the reference gradients agree to 1e-13 relative (see above);
 * the ascent point is off by rho times that, which moves g_adv by at most
 * |Hessian| * 0.05 * 1e-13 with |Hessian| = O(10) here: far below the
 * 1e-15 + 1e-13 |theta| of the plain SGD step test, which is used again.
 */
Test(optim, sam_steps_with_the_gradient_at_the_ascent_point)
{
    struct ou_engine *e = make(OU_OPTIM_SAM, 3, 9, 50);
    cr_assert_eq(ou_engine_set_sam_rho(e, 0.1), OU_OK);
    size_t p = ou_engine_model(e)->p;
    double *th = copy_theta(e), *g = malloc(p * sizeof *g), *adv = malloc(p * sizeof *adv);
    for (int step = 0; step < 2; step++) {
        batch_grad(e, th, step, g);
        double norm = 0.0;
        for (size_t k = 0; k < p; k++)
            norm += g[k] * g[k];
        norm = sqrt(norm);
        cr_assert(norm > 1e-3, "the batch gradient is too small to define an ascent");
        for (size_t k = 0; k < p; k++)
            adv[k] = th[k] + 0.1 * g[k] / norm;
        batch_grad(e, adv, step, g);
        for (size_t k = 0; k < p; k++)
            th[k] -= 0.05 * g[k];
        cr_assert_eq(ou_engine_step_with(e, step_idx[step], 3, step_eps[step]), OU_OK);
        const double *t = ou_engine_theta(e);
        for (size_t k = 0; k < p; k++)
            cr_expect(tu_close(t[k], th[k], 1e-15, 1e-13), "step %d theta[%zu]", step, k);
    }
    free(th);
    free(g);
    free(adv);
    ou_engine_destroy(e);
}

/* SAM with radius 0 ascends nowhere: bit for bit the SGD trajectory, draws included. */
Test(optim, sam_with_radius_zero_is_sgd_bit_for_bit)
{
    struct ou_engine *a = make(OU_OPTIM_SGD, 3, 4, 0), *b = make(OU_OPTIM_SAM, 3, 4, 0);
    cr_assert_eq(ou_engine_set_sam_rho(b, 0.0), OU_OK);
    cr_assert_eq(ou_engine_run(a, 2000, NULL), OU_OK);
    cr_assert_eq(ou_engine_run(b, 2000, NULL), OU_OK);
    cr_expect(same_theta(a, b));
    ou_engine_destroy(a);
    ou_engine_destroy(b);
}

/* kappa of the two-layer net, written from the path sums (ouscope-science(7), PATH NORMS). */
static void
path_kappa(const double *th, size_t m, bool bias, double *kappa)
{
    for (size_t j = 0; j < m; j++) {
        double a = th[j], w = th[m + j], b = th[2 * m + j];
        kappa[j] = w * w + b * b; /* paths x -> j -> out (w_j) and 1 -> j -> out (b_j) */
        kappa[m + j] = a * a;     /* the path x -> j -> out through w_j: its other edge a_j */
        kappa[2 * m + j] = a * a; /* the path 1 -> j -> out through b_j */
    }
    if (bias)
        kappa[3 * m] = 1.0; /* c alone */
}

/*
 * Path-SGD: theta'_e = theta_e - eta g_e / kappa_e, with heavy-ball momentum
 * on that direction.  Tolerance: g is off by 1e-13 relative (see above), so
 * the step is off by 1e-13 eta |g / kappa|, whatever kappa; plus rounding of
 * theta.  Hence 1e-15 + 1e-13 (|theta'| + eta |g / kappa|) per component.
 */
Test(optim, pathsgd_divides_each_gradient_by_its_path_sum)
{
    struct ou_engine *e = make(OU_OPTIM_PATHSGD, 3, 9, 50);
    cr_assert_eq(ou_engine_set_momentum(e, 0.25), OU_OK);
    const struct ou_model *m = ou_engine_model(e);
    size_t p = m->p;
    double *th = copy_theta(e), *g = malloc(p * sizeof *g), *kappa = malloc(p * sizeof *kappa);
    double *v = calloc(p, sizeof *v);
    for (int step = 0; step < 2; step++) {
        batch_grad(e, th, step, g);
        path_kappa(th, m->width, m->bias, kappa);
        double *size = malloc(p * sizeof *size);
        for (size_t k = 0; k < p; k++) {
            v[k] = 0.25 * v[k] + g[k] / kappa[k];
            th[k] -= 0.05 * v[k];
            size[k] = fabs(th[k]) + 0.05 * fabs(v[k]);
        }
        cr_assert_eq(ou_engine_step_with(e, step_idx[step], 3, step_eps[step]), OU_OK);
        const double *t = ou_engine_theta(e);
        for (size_t k = 0; k < p; k++)
            cr_expect(fabs(t[k] - th[k]) <= 1e-15 + 1e-13 * size[k], "step %d theta[%zu]",
                      step, k);
        free(size);
    }
    free(th);
    free(g);
    free(kappa);
    free(v);
    ou_engine_destroy(e);
}

/* The largest |h_a(x_i) - h_b(x_i)| over the data, for two engines on the same data. */
static double
max_h_gap(const struct ou_engine *a, const struct ou_engine *b)
{
    const struct ou_model *m = ou_engine_model(a);
    const struct ou_data *d = ou_engine_data(a);
    double gap = 0.0;
    for (size_t i = 0; i < d->n; i++)
        gap = fmax(gap, fabs(ou_model_forward(m, ou_engine_theta(a), d->x[i]) -
                             ou_model_forward(m, ou_engine_theta(b), d->x[i])));
    return gap;
}

/*
 * Rescale every unit j by alpha_j (w, b times alpha, a divided by it): h is
 * unchanged.  One Path-SGD step from either representative moves h at the
 * data identically: with g_w -> g_w / alpha and kappa_w -> kappa_w /
 * alpha^2 the step of w scales by alpha, that of a by 1/alpha, so the new
 * units are rescalings of each other too.  Plain SGD has no such symmetry.
 * Tolerance 1e-12: h is a sum of 32 terms a relu(w x + b) of size O(1)
 * (|a w|, |a b| <= 2.25 for this theta), each off by a few ulp after the
 * rescale and the step: 32 * 4 * 2.25 * 1.1e-16 < 1e-13, ten times below.
 * The alphas are not powers of two, so the two runs round differently.
 */
static void
rescaled_step_gap(enum ou_optim_kind k, double *before, double *after)
{
    struct ou_engine *a = make(k, 3, 11, 0), *b = make(k, 3, 11, 0);
    const struct ou_model *m = ou_engine_model(a);
    const struct ou_data *d = ou_engine_data(a);
    size_t M = m->width, p = m->p;
    double *th = malloc(p * sizeof *th), *sc = malloc(p * sizeof *sc);
    /* Pre-activations at least 0.05 from zero: no unit sits on a kink at a data point. */
    ref_theta_far_from_kinks(th, M, m->bias, d->x, d->n, 5);
    memcpy(sc, th, p * sizeof *sc);
    for (size_t j = 0; j < M; j++) {
        double alpha = j % 3 == 0 ? 3.0 : j % 3 == 1 ? 0.37 : 1.7;
        sc[j] = th[j] / alpha;
        sc[M + j] = th[M + j] * alpha;
        sc[2 * M + j] = th[2 * M + j] * alpha;
    }
    cr_assert_eq(ou_engine_set_theta(a, th, p), OU_OK);
    cr_assert_eq(ou_engine_set_theta(b, sc, p), OU_OK);
    *before = max_h_gap(a, b);
    cr_assert_eq(ou_engine_step_with(a, step_idx[0], 3, step_eps[0]), OU_OK);
    cr_assert_eq(ou_engine_step_with(b, step_idx[0], 3, step_eps[0]), OU_OK);
    *after = max_h_gap(a, b);
    free(th);
    free(sc);
    ou_engine_destroy(a);
    ou_engine_destroy(b);
}

Test(optim, pathsgd_moves_h_the_same_from_a_rescaled_net_and_sgd_does_not)
{
    double before, after;
    rescaled_step_gap(OU_OPTIM_PATHSGD, &before, &after);
    cr_expect(before <= 1e-12, "the rescaling changed h by %g", before);
    cr_expect(after <= 1e-12, "Path-SGD: h differs by %g after one step", after);
    cr_log_info("Path-SGD after a rescale: max |h gap| %g before, %g after the step", before,
                after);
    /* SGD's step on the rescaled net differs at first order in eta (0.05 here). */
    rescaled_step_gap(OU_OPTIM_SGD, &before, &after);
    cr_expect(before <= 1e-12, "the rescaling changed h by %g", before);
    cr_expect(after > 1e-4, "SGD moved h the same from both nets (gap %g)", after);
    cr_log_info("SGD after a rescale: max |h gap| %g after the step", after);
}

/* The linear model has one trained edge per path: kappa = 1 and Path-SGD is SGD. */
Test(optim, pathsgd_on_the_linear_model_is_sgd)
{
    struct ou_config c;
    ou_config_default(&c);
    c.model = OU_MODEL_LINEAR;
    c.batch = 3;
    struct ou_engine *a = tu_engine(OU_DATA_SIN3X, 8, &c);
    c.optim = OU_OPTIM_PATHSGD;
    struct ou_engine *b = tu_engine(OU_DATA_SIN3X, 8, &c);
    cr_assert(a && b);
    ou_engine_run(a, 1000, NULL);
    ou_engine_run(b, 1000, NULL);
    cr_expect(same_theta(a, b));
    ou_engine_destroy(a);
    ou_engine_destroy(b);
}

/* ---- switching and the knobs ---- */

/* Switching to another kind starts its buffers at zero: Adam's next step is its first. */
Test(optim, switching_starts_the_new_optimizer_from_zero_buffers)
{
    struct ou_engine *e = make(OU_OPTIM_RMSPROP, 3, 9, 20);
    cr_assert_eq(ou_engine_set_momentum(e, 0.5), OU_OK);
    cr_assert_eq(ou_engine_run(e, 200, NULL), OU_OK);
    uint64_t step = ou_engine_step_count(e);
    cr_assert_eq(ou_engine_set_optimizer(e, OU_OPTIM_ADAM), OU_OK);
    cr_expect_eq(ou_engine_step_count(e), step);
    size_t p = ou_engine_model(e)->p;
    double *th = copy_theta(e), *g = malloc(p * sizeof *g);
    batch_grad(e, th, 0, g);
    /* t = 1 from zero moments: m_hat = g, v_hat = g^2, the step is eta g / (|g| + eps). */
    for (size_t k = 0; k < p; k++)
        th[k] -= 0.05 * g[k] / (fabs(g[k]) + 1e-8);
    cr_assert_eq(ou_engine_step_with(e, step_idx[0], 3, step_eps[0]), OU_OK);
    const double *t = ou_engine_theta(e);
    for (size_t k = 0; k < p; k++)
        cr_expect(tu_close(t[k], th[k], ADAPTIVE_ABS, ADAPTIVE_REL), "theta[%zu]", k);
    free(th);
    free(g);
    ou_engine_destroy(e);
}

/* Setting the current kind again, or a hyper-parameter to its value, resets nothing. */
Test(optim, setters_reset_nothing)
{
    enum ou_optim_kind kinds[] = {OU_OPTIM_RMSPROP, OU_OPTIM_ADAM, OU_OPTIM_SAM,
                                  OU_OPTIM_PATHSGD};
    for (size_t q = 0; q < sizeof kinds / sizeof kinds[0]; q++) {
        struct ou_engine *a = make(kinds[q], 4, 3, 0), *b = make(kinds[q], 4, 3, 0);
        ou_engine_set_momentum(a, 0.3);
        ou_engine_set_momentum(b, 0.3);
        ou_engine_run(a, 300, NULL);
        ou_engine_run(b, 300, NULL);
        const struct ou_config *c = ou_engine_config(b);
        cr_assert_eq(ou_engine_set_optimizer(b, kinds[q]), OU_OK);
        cr_assert_eq(ou_engine_set_beta1(b, c->beta1), OU_OK);
        cr_assert_eq(ou_engine_set_beta2(b, c->beta2), OU_OK);
        cr_assert_eq(ou_engine_set_rms_decay(b, c->rms_decay), OU_OK);
        cr_assert_eq(ou_engine_set_opt_eps(b, c->opt_eps), OU_OK);
        cr_assert_eq(ou_engine_set_sam_rho(b, c->sam_rho), OU_OK);
        cr_expect_eq(ou_engine_step_count(b), 300);
        ou_engine_run(a, 300, NULL);
        ou_engine_run(b, 300, NULL);
        cr_expect(same_theta(a, b), "%s: a setter changed the trajectory",
                  ou_optim_kind_name(kinds[q]));
        ou_engine_destroy(a);
        ou_engine_destroy(b);
    }
}

Test(optim, setters_refuse_values_out_of_range)
{
    struct ou_engine *e = make(OU_OPTIM_SGD, 8, 1, 0);
    cr_expect_eq(ou_engine_set_optimizer(e, (enum ou_optim_kind)OU_OPTIM_COUNT), OU_EINVAL);
    cr_expect_eq(ou_engine_set_beta1(e, 1.0), OU_EINVAL);
    cr_expect_eq(ou_engine_set_beta1(e, -0.1), OU_EINVAL);
    cr_expect_eq(ou_engine_set_beta2(e, NAN), OU_EINVAL);
    cr_expect_eq(ou_engine_set_rms_decay(e, 1.0), OU_EINVAL);
    cr_expect_eq(ou_engine_set_opt_eps(e, 0.0), OU_EINVAL);
    cr_expect_eq(ou_engine_set_opt_eps(e, 1.5), OU_EINVAL);
    cr_expect_eq(ou_engine_set_sam_rho(e, -1e-3), OU_EINVAL);
    cr_expect_eq(ou_engine_set_sam_rho(e, INFINITY), OU_EINVAL);
    cr_expect_eq(ou_engine_set_beta1(e, 0.0), OU_OK);
    cr_expect_eq(ou_engine_set_sam_rho(e, OU_SAM_RHO_MAX), OU_OK);
    cr_expect_eq(ou_engine_set_opt_eps(e, OU_OPTIM_EPS_MAX), OU_OK);
    /* The config is checked at create too. */
    struct ou_config c;
    ou_config_default(&c);
    c.beta2 = 1.0;
    cr_expect_null(tu_engine(OU_DATA_SIN3X, 8, &c));
    ou_engine_destroy(e);
}

Test(optim, names_round_trip)
{
    for (int k = 0; k < OU_OPTIM_COUNT; k++) {
        enum ou_optim_kind got = OU_OPTIM_SGD;
        cr_expect(ou_optim_kind_parse(ou_optim_kind_name((enum ou_optim_kind)k), &got));
        cr_expect_eq(got, k);
    }
    enum ou_optim_kind got = OU_OPTIM_ADAM;
    cr_expect_not(ou_optim_kind_parse("Adam", &got));
    cr_expect_eq(got, OU_OPTIM_ADAM);
    cr_expect_str_eq(ou_optim_kind_name(OU_OPTIM_PATHSGD), "pathsgd");
}

/* ---- readouts ---- */

/*
 * Smith et al.'s term from its definition: nb = ceil(n / B) minibatches,
 * batch k = {k, k + nb, ...}, grad L_k the clean-label gradient of batch k
 * (ref_batch_grad with zero noise), igr = (eta / 4 nb) sum_k |grad L_k|^2.
 * At B = n it is Barrett & Dherin's (eta/4) |grad L|^2, checked against
 * ref_loss_grad separately.  Tolerance: each |grad L_k|^2 carries twice the
 * 1e-13 relative error of the gradients: 1e-12 relative is five times that.
 */
static double
ref_igr_weighted(const double *th, size_t m, bool bias, const struct ou_data *d, size_t B,
                 double eta, const double *wt)
{
    size_t p = ref_nparams(m, bias), nb = (d->n + B - 1) / B;
    double *g = malloc(p * sizeof *g), sum = 0.0, zero[OU_DATA_MAX] = {0};
    size_t idx[OU_DATA_MAX];
    for (size_t k = 0; k < nb; k++) {
        size_t cnt = 0;
        for (size_t i = k; i < d->n; i += nb)
            idx[cnt++] = i;
        ref_batch_grad(th, m, bias, d->x, d->y, idx, zero, cnt, g);
        for (size_t q = 0; q < p; q++)
            sum += g[q] * g[q] * (wt ? wt[q] : 1.0);
    }
    free(g);
    return eta / (4.0 * (double)nb) * sum;
}

static double
ref_igr(const double *th, size_t m, bool bias, const struct ou_data *d, size_t B, double eta)
{
    return ref_igr_weighted(th, m, bias, d, B, eta, NULL);
}

Test(optim, igr_matches_its_definition)
{
    size_t batches[] = {1, 2, 3, 5, 8};
    for (size_t q = 0; q < sizeof batches / sizeof batches[0]; q++) {
        struct ou_engine *e = make(OU_OPTIM_SGD, batches[q], 6, 700);
        const struct ou_model *m = ou_engine_model(e);
        const struct ou_data *d = ou_engine_data(e);
        struct ou_metrics mt;
        cr_assert_eq(ou_engine_metrics(e, &mt), OU_OK);
        double want = ref_igr(ou_engine_theta(e), m->width, m->bias, d, batches[q], 0.05);
        cr_expect(tu_close(mt.igr, want, 0.0, 1e-12), "B=%zu: igr %.17g, definition %.17g",
                  batches[q], mt.igr, want);
        cr_expect(want > 0.0);
        if (batches[q] == d->n) {
            double *g = malloc(m->p * sizeof *g), gg = 0.0;
            ref_loss_grad(ou_engine_theta(e), m->width, m->bias, d->x, d->y, d->n, g);
            for (size_t k = 0; k < m->p; k++)
                gg += g[k] * g[k];
            cr_expect(tu_close(mt.igr, 0.05 / 4.0 * gg, 0.0, 1e-12), "full batch");
            free(g);
        }
        ou_engine_destroy(e);
    }
}

/*
 * Damian's R_eta = -(1/2 eta) sum_k log(1 - eta lambda_k / 2) over the p
 * eigenvalues of G = (1/n) J^T J, from a Jacobi decomposition of the p x p
 * matrix built from the reference Jacobian (the engine works with the n x n
 * K instead).  Jacobi's eigenvalues are accurate to about 1e-15 |G| each;
 * each term has derivative 1/(4 (1 - eta lambda / 2)) <= 1/(4 * 0.4) in
 * lambda here (eta lambda_max <= 1.2), so p = 97 terms are off by at most
 * 97 * 1e-15 * 30 / 1.6 < 2e-12 with |G| < 30: 1e-10 relative leaves room.
 */
static double
ref_r_eta(const double *th, size_t m, bool bias, const struct ou_data *d, double eta, double *tr)
{
    size_t p = ref_nparams(m, bias), n = d->n;
    double *J = malloc(n * p * sizeof *J), *G = calloc(p * p, sizeof *G);
    double *lam = malloc(p * sizeof *lam);
    for (size_t i = 0; i < n; i++)
        ref_grad_h(th, m, bias, d->x[i], J + i * p);
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++)
            for (size_t i = 0; i < n; i++)
                G[a * p + b] += J[i * p + a] * J[i * p + b] / (double)n;
    ref_eig_sym(G, p, lam, NULL);
    double s = 0.0;
    *tr = 0.0;
    for (size_t k = 0; k < p; k++) {
        s += log1p(-eta * lam[k] / 2.0); /* log(1 - z) would lose z's digits at small eta */
        *tr += lam[k];
    }
    free(J);
    free(G);
    free(lam);
    return -s / (2.0 * eta);
}

Test(optim, r_eta_matches_a_jacobi_eigen_decomposition)
{
    struct ou_engine *e = make(OU_OPTIM_SGD, 4, 2, 3000);
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    struct ou_metrics mt;
    double etas[] = {0.01, 0.05, 1e-8};
    for (size_t q = 0; q < 3; q++) {
        cr_assert_eq(ou_engine_set_eta(e, etas[q]), OU_OK);
        cr_assert_eq(ou_engine_metrics(e, &mt), OU_OK);
        cr_assert(mt.eta_lambda < 1.2, "eta lambda_max = %g", mt.eta_lambda);
        double tr, want = ref_r_eta(ou_engine_theta(e), m->width, m->bias, d, etas[q], &tr);
        cr_expect(tu_close(mt.r_eta, want, 0.0, 1e-10), "eta %g: r_eta %.17g, Jacobi %.17g",
                  etas[q], mt.r_eta, want);
        /* Small eta: R -> (1/4) tr G = reg / 4, higher by at most eta lambda_max / 4 relative
         * (log form = (1/4) sum lambda phi(eta lambda / 2), phi(z) = 1 + z/2 + ...):
         * < 1e-8 * 30 / 4 here, far below 1e-6. */
        if (etas[q] < 1e-6)
            cr_expect(tu_close(mt.r_eta, mt.reg / 4.0, 0.0, 1e-6), "r_eta %.17g, reg/4 %.17g",
                      mt.r_eta, mt.reg / 4.0);
        cr_expect(tu_close(tr, mt.reg, 0.0, 1e-12), "tr G %.17g, reg %.17g", tr, mt.reg);
        cr_expect(tu_close(mt.noise_lambda, etas[q] * 0.25 / 4.0, 0.0, 1e-15));
    }
    /* Past the stability edge the log form is undefined. */
    cr_assert_eq(ou_engine_set_eta(e, 2.5 / mt.lambda_max), OU_OK);
    cr_assert_eq(ou_engine_metrics(e, &mt), OU_OK);
    cr_expect(isnan(mt.r_eta), "r_eta %g at eta lambda_max = %g", mt.r_eta, mt.eta_lambda);
    ou_engine_destroy(e);
}

/* Mean over units of |a_j^2 - w_j^2 - b_j^2|, summed here in another order. */
/*
 * The RMSProp variant: the same minibatch sum with each squared component
 * weighted by 1/(sqrt(s_q) + eps), s the running second moment after 300
 * RMSProp steps.  The weights span several decades, so the tolerance is
 * taken relative to the sum of the absolute terms, which is the sum itself:
 * 1e-12 as for igr.  Under any other optimizer the variant is undefined.
 */
Test(optim, igr_rms_weights_the_term_by_the_second_moment)
{
    size_t batches[] = {1, 3, 8};
    for (size_t q = 0; q < sizeof batches / sizeof batches[0]; q++) {
        struct ou_engine *e = make(OU_OPTIM_RMSPROP, batches[q], 4, 700);
        cr_assert_eq(ou_engine_run(e, 300, NULL), OU_OK);
        const struct ou_model *m = ou_engine_model(e);
        const struct ou_data *d = ou_engine_data(e);
        const double *s = ou_engine_second_moment(e);
        double *wt = malloc(m->p * sizeof *wt);
        double eps = ou_engine_config(e)->opt_eps;
        for (size_t k = 0; k < m->p; k++)
            wt[k] = 1.0 / (sqrt(s[k]) + eps);
        struct ou_metrics mt;
        cr_assert_eq(ou_engine_metrics(e, &mt), OU_OK);
        double want = ref_igr_weighted(ou_engine_theta(e), m->width, m->bias, d, batches[q], 0.05,
                                       wt);
        cr_expect(tu_close(mt.igr_rms, want, 0.0, 1e-12), "B=%zu: igr_rms %.17g, definition %.17g",
                  batches[q], mt.igr_rms, want);
        /* Weights are not all one: the variant is not the plain term. */
        cr_expect(!tu_close(mt.igr_rms, mt.igr, 0.0, 1e-3), "B=%zu: igr_rms equals igr",
                  batches[q]);
        free(wt);
        ou_engine_destroy(e);
    }
    struct ou_engine *e = make(OU_OPTIM_ADAM, 4, 4, 100);
    struct ou_metrics mt;
    cr_assert_eq(ou_engine_metrics(e, &mt), OU_OK);
    cr_expect(isnan(mt.igr_rms), "igr_rms %g under Adam", mt.igr_rms);
    ou_engine_destroy(e);
}

Test(optim, unit_balance_matches_its_definition)
{
    struct ou_engine *e = make(OU_OPTIM_SGD, 4, 2, 500);
    const struct ou_model *m = ou_engine_model(e);
    const double *t = ou_engine_theta(e);
    size_t M = m->width;
    double sum = 0.0;
    for (size_t j = M; j-- > 0;)
        sum += fabs(t[j] * t[j] - t[M + j] * t[M + j] - t[2 * M + j] * t[2 * M + j]);
    struct ou_metrics mt;
    cr_assert_eq(ou_engine_metrics(e, &mt), OU_OK);
    /* 32 terms of size O(1): the two summation orders differ by < 32 ulp of the sum. */
    cr_expect(tu_close(mt.unit_balance, sum / (double)M, 0.0, 1e-14));
    /* Per unit: three squares, so a few ulp of their sum (fused or not). */
    for (size_t j = 0; j < M; j++) {
        double sq = t[j] * t[j] + t[M + j] * t[M + j] + t[2 * M + j] * t[2 * M + j];
        double want = t[j] * t[j] - t[M + j] * t[M + j] - t[2 * M + j] * t[2 * M + j];
        cr_expect(fabs(mt.unit_q[j] - want) <= 4.0 * DBL_EPSILON * sq, "unit %zu: %.17g vs %.17g",
                  j, mt.unit_q[j], want);
    }
    ou_engine_destroy(e);
}

/* ---- saved states ---- */

/* Save, load, save again: the same text, and both engines go on bit for bit. */
static void
round_trip(struct ou_engine *a, const char *what)
{
    struct ou_engine *b = NULL;
    char *buf, *buf2, why[256];
    size_t len, len2;
    cr_assert_eq(ou_engine_save(a, &buf, &len), OU_OK);
    cr_assert_eq(ou_engine_load(&b, buf, len, why, sizeof why), OU_OK, "%s: %s", what, why);
    cr_assert_eq(ou_engine_save(b, &buf2, &len2), OU_OK);
    cr_expect(len == len2 && memcmp(buf, buf2, len) == 0, "%s: the reloaded state differs", what);
    cr_expect_eq(ou_engine_config(b)->optim, ou_engine_config(a)->optim);
    ou_engine_run(a, 500, NULL);
    ou_engine_run(b, 500, NULL);
    cr_expect(same_theta(a, b), "%s: the resumed run differs", what);
    ou_engine_restore_mark(a);
    ou_engine_restore_mark(b);
    ou_engine_run(a, 100, NULL);
    ou_engine_run(b, 100, NULL);
    cr_expect(same_theta(a, b), "%s: the runs from the mark differ", what);
    free(buf);
    free(buf2);
    ou_engine_destroy(b);
}

Test(optim, every_optimizer_resumes_bit_exactly_from_a_saved_state)
{
    for (int k = 0; k < OU_OPTIM_COUNT; k++) {
        struct ou_engine *a = make((enum ou_optim_kind)k, 3, 5, 100);
        ou_engine_set_momentum(a, 0.4);
        ou_engine_set_beta1(a, 0.85);
        ou_engine_set_rms_decay(a, 0.95);
        ou_engine_set_sam_rho(a, 0.02);
        ou_engine_run(a, 1000, NULL);
        ou_engine_mark(a);
        ou_engine_run(a, 37, NULL);
        round_trip(a, ou_optim_kind_name((enum ou_optim_kind)k));
        ou_engine_destroy(a);
    }
    /* A mark taken under another optimizer than the current one travels too. */
    struct ou_engine *a = make(OU_OPTIM_ADAM, 3, 5, 100);
    ou_engine_run(a, 300, NULL);
    ou_engine_mark(a);
    ou_engine_set_optimizer(a, OU_OPTIM_RMSPROP);
    ou_engine_run(a, 300, NULL);
    round_trip(a, "mark under adam, now rmsprop");
    ou_engine_destroy(a);
}

/* FNV-1a 64 as documented for the checksum line. */
static uint64_t
fnv(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* Drop every line whose key is in `keys` (and its value lines), set version 1, reseal. */
static char *
as_version_1(const char *text)
{
    static const char *drop[] = {"optimizer", "beta1",          "beta2",
                                 "rms_decay", "opt_eps",        "sam_rho",
                                 "optimizer_steps", "mark_optimizer"};
    size_t len = strlen(text);
    char *out = malloc(len + 64), *o = out;
    const char *p = text;
    size_t skip = 0;
    while (*p) {
        size_t l = strcspn(p, "\n") + 1;
        bool keep = skip == 0 && strncmp(p, "checksum ", 9) != 0;
        if (skip > 0)
            skip--;
        for (size_t k = 0; keep && k < sizeof drop / sizeof drop[0]; k++) {
            size_t kl = strlen(drop[k]);
            if (strncmp(p, drop[k], kl) == 0 && p[kl] == ' ')
                keep = false;
        }
        /* The moment vectors: their count line and that many values. */
        if (keep && (strncmp(p, "second_moment ", 14) == 0 ||
                     strncmp(p, "mark_second_moment ", 19) == 0)) {
            skip = strtoul(strchr(p, ' ') + 1, NULL, 10);
            keep = false;
        }
        if (keep) {
            memcpy(o, p, l);
            o += l;
        }
        p += l;
    }
    *o = '\0';
    char *v = strstr(out, "ouscope-state 2\n");
    cr_assert_eq(v, out);
    out[14] = '1';
    size_t body = (size_t)(o - out);
    snprintf(o, 64, "checksum %016" PRIx64 "\n", fnv(out, body));
    return out;
}

/* A version 1 file (no optimizer lines) loads as SGD and resumes what it saved. */
Test(optim, a_version_1_state_loads_as_sgd_and_resumes_bit_exactly)
{
    struct ou_engine *a = make(OU_OPTIM_SGD, 3, 8, 400), *b = NULL;
    ou_engine_set_momentum(a, 0.6);
    ou_engine_run(a, 123, NULL);
    ou_engine_mark(a);
    ou_engine_run(a, 10, NULL);
    char *buf, why[256];
    size_t len;
    cr_assert_eq(ou_engine_save(a, &buf, &len), OU_OK);
    char *v1 = as_version_1(buf);
    cr_expect_null(strstr(v1, "optimizer"));
    cr_assert_eq(ou_engine_load(&b, v1, strlen(v1), why, sizeof why), OU_OK, "%s", why);
    const struct ou_config *c = ou_engine_config(b);
    cr_expect_eq(c->optim, OU_OPTIM_SGD);
    cr_expect(tu_close(c->beta1, OU_BETA1_DEFAULT, 0.0, 0.0));
    cr_expect(tu_close(c->sam_rho, OU_SAM_RHO_DEFAULT, 0.0, 0.0));
    ou_engine_run(a, 300, NULL);
    ou_engine_run(b, 300, NULL);
    cr_expect(same_theta(a, b));
    ou_engine_restore_mark(a);
    ou_engine_restore_mark(b);
    cr_expect(same_theta(a, b));
    free(buf);
    free(v1);
    ou_engine_destroy(a);
    ou_engine_destroy(b);
}

/* A file written by ouscope 0.1.0 before the optimizers (tests/data/state_v1.txt). */
Test(optim, the_shipped_version_1_state_loads)
{
    const char *src = getenv("OU_SRCDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/data/state_v1.txt", src ? src : ".");
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    char *buf = malloc(1 << 16);
    size_t len = fread(buf, 1, 1 << 16, f);
    fclose(f);
    struct ou_engine *e = NULL;
    char why[256];
    cr_assert_eq(ou_engine_load(&e, buf, len, why, sizeof why), OU_OK, "%s", why);
    cr_expect_eq(ou_engine_config(e)->optim, OU_OPTIM_SGD);
    cr_expect_eq(ou_engine_step_count(e), 100);
    cr_expect(tu_close(ou_engine_config(e)->momentum, 0.5, 0.0, 0.0));
    cr_expect_eq(ou_engine_run(e, 100, NULL), OU_OK);
    free(buf);
    ou_engine_destroy(e);
}

/* Damaged optimizer lines are refused with a reason naming the line. */
Test(optim, bad_optimizer_lines_are_refused)
{
    static const char *edits[][3] = {
        {"optimizer adam", "optimizer lbfgs", "optimizer"},
        {"beta1 ", "beta1 -", "beta1"},
        {"mark_optimizer adam", "mark_optimizer nadam", "mark_optimizer"},
    };
    struct ou_engine *a = make(OU_OPTIM_ADAM, 3, 5, 10);
    ou_engine_run(a, 10, NULL);
    ou_engine_mark(a);
    char *buf;
    size_t len;
    cr_assert_eq(ou_engine_save(a, &buf, &len), OU_OK);
    for (size_t q = 0; q < sizeof edits / sizeof edits[0]; q++) {
        char *at = strstr(buf, edits[q][0]);
        cr_assert_not_null(at, "no %s", edits[q][0]);
        size_t k = (size_t)(at - buf), lf = strlen(edits[q][0]), lt = strlen(edits[q][1]);
        char *ed = malloc(len + lt + 64);
        memcpy(ed, buf, k);
        memcpy(ed + k, edits[q][1], lt);
        strcpy(ed + k + lt, buf + k + lf);
        char *cs = strstr(ed, "checksum ");
        snprintf(cs, 64, "checksum %016" PRIx64 "\n", fnv(ed, (size_t)(cs - ed)));
        struct ou_engine *e = NULL;
        char why[256];
        cr_expect_eq(ou_engine_load(&e, ed, strlen(ed), why, sizeof why), OU_EFORMAT, "%s",
                     edits[q][1]);
        cr_expect(strstr(why, edits[q][2]) != NULL && strncmp(why, "line ", 5) == 0, "%s", why);
        ou_engine_destroy(e);
        free(ed);
    }
    /* A negative second moment cannot be a mean of squares. */
    char *sm = strstr(buf, "\nsecond_moment ");
    cr_assert_not_null(sm);
    char *val = strchr(sm + 1, '\n') + 1;
    while (strncmp(val, "0x0p+0\n", 7) == 0) /* -0 would still be >= 0 */
        val = strchr(val, '\n') + 1;
    char *ed = malloc(len + 64);
    size_t k = (size_t)(val - buf);
    memcpy(ed, buf, k);
    ed[k] = '-';
    strcpy(ed + k + 1, buf + k);
    char *cs = strstr(ed, "checksum ");
    snprintf(cs, 64, "checksum %016" PRIx64 "\n", fnv(ed, (size_t)(cs - ed)));
    struct ou_engine *e = NULL;
    char why[256];
    cr_expect_eq(ou_engine_load(&e, ed, strlen(ed), why, sizeof why), OU_EFORMAT);
    cr_expect(strstr(why, "second_moment") != NULL, "%s", why);
    free(ed);
    free(buf);
    ou_engine_destroy(a);
}
