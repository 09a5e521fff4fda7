/*
 * The lab's stepping core (lab.c), seen through the ridge kind, whose h is
 * linear (grad h_i = x_i whatever theta is) so that every step can be done
 * by hand: the step against its formula, the batch draw, determinism,
 * divergence, the knobs, the kind table's completeness, the snapshot
 * averages, and the size of the two kinds of noise (label noise and its
 * matched isotropic parameter noise) against their predicted covariance.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lab_impl.h"
#include "ouscope/lab.h"
#include "ouscope/rng.h"
#include "reference.h"
#include "testutil.h"

#define PMAX OU_LAB_DIM_MAX

static struct ou_lab *
ridge_lab(size_t d, size_t n, size_t B, double eta, double sigma, uint64_t seed,
          enum ou_lab_noise noise)
{
    struct ou_lab_config c;
    struct ou_lab *l = NULL;
    ou_lab_config_default(&c, OU_LAB_RIDGE);
    c.dim = d;
    c.n = n;
    c.batch = B;
    c.eta = eta;
    c.sigma = sigma;
    c.seed = seed;
    c.noise = noise;
    cr_assert_eq(ou_lab_create(&l, &c), OU_OK);
    return l;
}

/* The training inputs x_i (n x d, row-major), read as grad h_i. */
static void
inputs_of(const struct ou_lab *l, double *X)
{
    const size_t n = ou_lab_config(l)->n, d = ou_lab_nparams(l);
    const double *th = ou_lab_theta(l);
    for (size_t i = 0; i < n; i++)
        ou_lab_grad(l, i, th, X + i * d);
}

static double
dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t k = 0; k < n; k++)
        s += a[k] * b[k];
    return s;
}

/* theta_k = scale N(0, 1) from a test-only stream. */
static void
random_theta(double *theta, size_t p, double scale, uint64_t seed)
{
    struct ou_rng r;
    struct ou_ziggurat z;
    ou_ziggurat_init(&z);
    ou_rng_seed(&r, seed, 99);
    for (size_t k = 0; k < p; k++)
        theta[k] = scale * ou_rng_normal(&r, &z);
}

/* theta - (eta/B) sum_k (<theta, x_i> - y_i - eps_k) x_i, i = idx[k]: the step by hand. */
static void
hand_step(const double *X, const double *y, size_t d, const double *theta, const size_t *idx,
          size_t B, const double *eps, double eta, double *out)
{
    memcpy(out, theta, d * sizeof *out);
    for (size_t k = 0; k < B; k++) {
        const double *x = X + idx[k] * d;
        double r = dot(theta, x, d) - y[idx[k]] - (eps ? eps[k] : 0.0);
        for (size_t q = 0; q < d; q++)
            out[q] -= eta / (double)B * r * x[q];
    }
}

Test(lab, step_with_matches_the_step_by_hand)
{
    const size_t d = 7, n = 5;
    struct ou_lab *l = ridge_lab(d, n, 2, 0.03, 0.5, 4, OU_LAB_NOISE_LABEL);
    double X[5 * 7], y[5], th[7], want[7];
    inputs_of(l, X);
    for (size_t i = 0; i < n; i++)
        y[i] = ou_lab_label(l, i);
    random_theta(th, d, 0.7, 1);
    cr_assert_eq(ou_lab_set_theta(l, th, d), OU_OK);
    const size_t idx[3] = {3, 0, 4};
    const double eps[3] = {0.25, -1.5, 0.125};
    hand_step(X, y, d, th, idx, 3, eps, 0.03, want);
    cr_assert_eq(ou_lab_step_with(l, idx, 3, eps), OU_OK);
    const double *got = ou_lab_theta(l);
    for (size_t q = 0; q < d; q++)
        cr_expect(tu_close(got[q], want[q], 1e-14, 1e-13), "theta[%zu] = %.17g, want %.17g", q,
                  got[q], want[q]);
    cr_expect_eq(ou_lab_step_count(l), 1);
    /* eps = NULL is clean labels. */
    hand_step(X, y, d, got, idx, 2, NULL, 0.03, want);
    cr_assert_eq(ou_lab_step_with(l, idx, 2, NULL), OU_OK);
    got = ou_lab_theta(l);
    for (size_t q = 0; q < d; q++)
        cr_expect(tu_close(got[q], want[q], 1e-14, 1e-13));
    ou_lab_destroy(l);
}

Test(lab, step_with_rejects_bad_batches_and_changes_nothing)
{
    struct ou_lab *l = ridge_lab(6, 4, 2, 0.01, 0.5, 2, OU_LAB_NOISE_LABEL);
    double before[6];
    memcpy(before, ou_lab_theta(l), sizeof before);
    const size_t dup[2] = {1, 1}, out_of_range[2] = {0, 4}, ok[2] = {0, 1};
    const double bad_eps[2] = {0.0, NAN};
    cr_expect_eq(ou_lab_step_with(l, dup, 2, NULL), OU_EINVAL);
    cr_expect_eq(ou_lab_step_with(l, out_of_range, 2, NULL), OU_EINVAL);
    cr_expect_eq(ou_lab_step_with(l, ok, 0, NULL), OU_EINVAL);
    cr_expect_eq(ou_lab_step_with(l, ok, 5, NULL), OU_EINVAL);
    cr_expect_eq(ou_lab_step_with(l, ok, 2, bad_eps), OU_EINVAL);
    cr_expect_eq(ou_lab_step_count(l), 0);
    cr_expect_eq(memcmp(before, ou_lab_theta(l), sizeof before), 0);
    /* A rejected call leaves no batch weight behind: the next step is the plain one. */
    double X[4 * 6], y[4], want[6];
    inputs_of(l, X);
    for (size_t i = 0; i < 4; i++)
        y[i] = ou_lab_label(l, i);
    const size_t one[1] = {2};
    hand_step(X, y, 6, before, one, 1, NULL, 0.01, want);
    cr_assert_eq(ou_lab_step_with(l, one, 1, NULL), OU_OK);
    for (size_t q = 0; q < 6; q++)
        cr_expect(tu_close(ou_lab_theta(l)[q], want[q], 1e-14, 1e-13));
    ou_lab_destroy(l);
}

/*
 * run with B = n and label noise is step_with over every point with
 * eps_i = sigma z_i, z the next n draws of stream OU_RNG_NOISE.
 */
Test(lab, run_draws_label_noise_from_the_noise_stream)
{
    const size_t d = 6, n = 4;
    const double eta = 0.05, sigma = 0.7;
    struct ou_lab *l = ridge_lab(d, n, n, eta, sigma, 9, OU_LAB_NOISE_LABEL);
    double X[4 * 6], y[4], th[6], want[6], eps[4];
    inputs_of(l, X);
    for (size_t i = 0; i < n; i++)
        y[i] = ou_lab_label(l, i);
    struct ou_rng r;
    struct ou_ziggurat z;
    ou_ziggurat_init(&z);
    ou_rng_seed(&r, 9, OU_RNG_NOISE);
    const size_t all[4] = {0, 1, 2, 3};
    memcpy(th, ou_lab_theta(l), sizeof th);
    for (int t = 0; t < 3; t++) {
        for (size_t i = 0; i < n; i++)
            eps[i] = sigma * ou_rng_normal(&r, &z);
        hand_step(X, y, d, th, all, n, eps, eta, want);
        memcpy(th, want, sizeof th);
    }
    uint64_t done = 0;
    cr_assert_eq(ou_lab_run(l, 3, &done), OU_OK);
    cr_expect_eq(done, 3);
    for (size_t q = 0; q < d; q++)
        cr_expect(tu_close(ou_lab_theta(l)[q], th[q], 1e-14, 1e-12));
    ou_lab_destroy(l);
}

/*
 * With sigma = 0 a step from a fixed theta moves by
 * -(eta/B) sum_i m_i r_i x_i, m_i the number of times i is in the batch.
 * The x_i are independent (d > n), so the m_i are read back exactly by
 * solving (X X^T) c = X dtheta: every step must have B indices, each once,
 * and over T steps each index appears ~ Binomial(T, B/n) times.
 */
Test(lab, batches_are_distinct_and_uniform)
{
    const size_t d = 12, n = 8, B = 3, T = 3000;
    const double eta = 0.01;
    struct ou_lab *l = ridge_lab(d, n, B, eta, 0.0, 5, OU_LAB_NOISE_LABEL);
    double X[8 * 12], th[12], r[8], G[8 * 8], c[8];
    inputs_of(l, X);
    random_theta(th, d, 1.0, 2);
    for (size_t i = 0; i < n; i++) {
        r[i] = dot(th, X + i * d, d) - ou_lab_label(l, i);
        cr_assert(fabs(r[i]) > 1e-3);
    }
    unsigned count[8] = {0};
    for (size_t t = 0; t < T; t++) {
        cr_assert_eq(ou_lab_set_theta(l, th, d), OU_OK);
        cr_assert_eq(ou_lab_run(l, 1, NULL), OU_OK);
        for (size_t i = 0; i < n; i++) {
            double dth[12];
            for (size_t q = 0; q < d; q++)
                dth[q] = ou_lab_theta(l)[q] - th[q];
            c[i] = dot(X + i * d, dth, d);
            for (size_t k = 0; k < n; k++)
                G[i * n + k] = dot(X + i * d, X + k * d, d);
        }
        ref_solve(G, c, n);
        unsigned total = 0;
        for (size_t i = 0; i < n; i++) {
            double m = c[i] / (-eta / (double)B * r[i]);
            double mr = round(m);
            cr_assert(fabs(m - mr) < 1e-6, "step %zu: multiplicity %g", t, m);
            cr_assert(mr > -0.5 && mr < 1.5, "step %zu: index %zu taken %g times", t, i, mr);
            if (mr > 0.5) {
                count[i]++;
                total++;
            }
        }
        cr_assert_eq(total, B);
    }
    /* Binomial(T, B/n): mean 1125, sd 26.5; 5 sd. */
    const double mean = (double)T * B / n, sd = sqrt(mean * (1.0 - (double)B / n));
    for (size_t i = 0; i < n; i++)
        cr_expect(fabs(count[i] - mean) < 5.0 * sd, "index %zu drawn %u times, want %g", i,
                  count[i], mean);
    ou_lab_destroy(l);
}

static void
run_to(struct ou_lab *l, uint64_t steps)
{
    uint64_t done = 0;
    cr_assert_eq(ou_lab_run(l, steps, &done), OU_OK);
    cr_assert_eq(done, steps);
}

Test(lab, same_seed_is_bit_identical_and_another_differs)
{
    for (int mode = 0; mode < 2; mode++) {
        enum ou_lab_noise nz = mode ? OU_LAB_NOISE_PARAM : OU_LAB_NOISE_LABEL;
        struct ou_lab *a = ridge_lab(40, 20, 5, 0.01, 0.5, 11, nz);
        struct ou_lab *b = ridge_lab(40, 20, 5, 0.01, 0.5, 11, nz);
        struct ou_lab *c = ridge_lab(40, 20, 5, 0.01, 0.5, 12, nz);
        run_to(a, 500);
        run_to(b, 200);
        run_to(b, 300);
        run_to(c, 500);
        cr_expect_eq(memcmp(ou_lab_theta(a), ou_lab_theta(b), 40 * sizeof(double)), 0);
        cr_expect_neq(memcmp(ou_lab_theta(a), ou_lab_theta(c), 40 * sizeof(double)), 0);
        /* reset replays the same trajectory. */
        double keep[40];
        memcpy(keep, ou_lab_theta(a), sizeof keep);
        ou_lab_reset(a);
        cr_expect_eq(ou_lab_step_count(a), 0);
        for (size_t q = 0; q < 40; q++)
            cr_expect(fabs(ou_lab_theta(a)[q]) <= 0.0); /* ridge starts at theta = 0 */
        run_to(a, 500);
        cr_expect_eq(memcmp(ou_lab_theta(a), keep, sizeof keep), 0);
        ou_lab_destroy(a);
        ou_lab_destroy(b);
        ou_lab_destroy(c);
    }
}

static bool
all_finite(const double *x, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!isfinite(x[k]))
            return false;
    return true;
}

/*
 * eta = 10 against lambda_max((1/n) X^T X) ~ 5.8: the error grows by
 * |1 - eta lambda| ~ 57 a step until the loss overflows.
 */
Test(lab, huge_eta_diverges_keeping_a_finite_theta)
{
    struct ou_lab *l = ridge_lab(40, 20, 20, 10.0, 0.5, 3, OU_LAB_NOISE_LABEL);
    uint64_t done = 0;
    cr_assert_eq(ou_lab_run(l, 100000, &done), OU_EDIVERGED);
    cr_expect(done > 10 && done < 1000, "diverged after %llu steps", (unsigned long long)done);
    cr_expect_eq(ou_lab_step_count(l), done);
    cr_expect(all_finite(ou_lab_theta(l), 40));
    struct ou_lab_obs o;
    cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
    cr_expect(isfinite(o.loss), "the kept theta has loss %g", o.loss);
    struct ou_lab_snapshot s;
    cr_assert_eq(ou_lab_snapshot(l, &s), OU_OK);
    cr_expect_eq(s.status, OU_EDIVERGED);
    cr_expect(isfinite(s.loss_mean));
    /* Sticky: nothing moves until a knob changes. */
    cr_expect_eq(ou_lab_run(l, 10, &done), OU_EDIVERGED);
    cr_expect_eq(done, 0);
    const size_t idx[1] = {0};
    cr_expect_eq(ou_lab_step_with(l, idx, 1, NULL), OU_EDIVERGED);
    cr_expect_eq(ou_lab_status(l), OU_EDIVERGED);
    cr_assert_eq(ou_lab_set_eta(l, 0.01), OU_OK);
    cr_expect_eq(ou_lab_status(l), OU_OK);
    cr_expect_eq(ou_lab_run(l, 10, &done), OU_OK);
    cr_expect_eq(done, 10);
    /* reset and set_theta clear it too. */
    cr_assert_eq(ou_lab_set_eta(l, 10.0), OU_OK);
    cr_expect_eq(ou_lab_run(l, 100000, NULL), OU_EDIVERGED);
    ou_lab_reset(l);
    cr_expect_eq(ou_lab_status(l), OU_OK);
    cr_expect_eq(ou_lab_run(l, 100000, NULL), OU_EDIVERGED);
    double th[40] = {0};
    cr_expect_eq(ou_lab_set_theta(l, th, 40), OU_OK);
    cr_expect_eq(ou_lab_status(l), OU_OK);
    ou_lab_destroy(l);
}

Test(lab, setters_check_their_ranges)
{
    struct ou_lab *l = ridge_lab(10, 6, 2, 0.01, 0.5, 1, OU_LAB_NOISE_LABEL);
    const double bad_eta[] = {0.0, -1.0, NAN, INFINITY, 10.000001};
    for (size_t k = 0; k < sizeof bad_eta / sizeof *bad_eta; k++)
        cr_expect_eq(ou_lab_set_eta(l, bad_eta[k]), OU_EINVAL, "eta %g", bad_eta[k]);
    const double bad_sigma[] = {-0.1, NAN, INFINITY, 100.5};
    for (size_t k = 0; k < sizeof bad_sigma / sizeof *bad_sigma; k++)
        cr_expect_eq(ou_lab_set_sigma(l, bad_sigma[k]), OU_EINVAL, "sigma %g", bad_sigma[k]);
    cr_expect_eq(ou_lab_set_batch(l, 0), OU_EINVAL);
    cr_expect_eq(ou_lab_set_batch(l, 7), OU_EINVAL);
    cr_expect_eq(ou_lab_set_noise(l, (enum ou_lab_noise)2), OU_EINVAL);
    const struct ou_lab_config *c = ou_lab_config(l);
    cr_expect(tu_close(c->eta, 0.01, 0.0, 0.0) && tu_close(c->sigma, 0.5, 0.0, 0.0) &&
              c->batch == 2);
    cr_expect_eq(ou_lab_set_eta(l, 10.0), OU_OK);
    cr_expect_eq(ou_lab_set_sigma(l, 0.0), OU_OK);
    cr_expect_eq(ou_lab_set_sigma(l, 100.0), OU_OK);
    cr_expect_eq(ou_lab_set_batch(l, 6), OU_OK);
    cr_expect_eq(ou_lab_set_batch(l, 1), OU_OK);
    cr_expect_eq(ou_lab_set_noise(l, OU_LAB_NOISE_PARAM), OU_OK);
    cr_expect(tu_close(c->eta, 10.0, 0.0, 0.0) && tu_close(c->sigma, 100.0, 0.0, 0.0) &&
              c->batch == 1 && c->noise == OU_LAB_NOISE_PARAM);
    double th[10] = {0};
    cr_expect_eq(ou_lab_set_theta(l, th, 9), OU_EINVAL);
    th[3] = NAN;
    cr_expect_eq(ou_lab_set_theta(l, th, 10), OU_EINVAL);
    cr_expect(isnan(ou_lab_label(l, 6)));
    cr_expect(isnan(ou_lab_grad(l, 6, ou_lab_theta(l), NULL)));
    ou_lab_destroy(l);
}

static bool
ops_complete(const struct ou_lab_kind_ops *o)
{
    return o->defaults && o->check && o->nparams && o->ninputs && o->ntruth && o->workspace &&
           o->make && o->init && o->grad && o->observe;
}

/* A kind whose table is still missing functions is refused, never run. */
Test(lab, create_refuses_incomplete_kinds_and_bad_configs)
{
    const struct ou_lab_kind_ops *ops[OU_LAB_NKINDS] = {&ou_lab_sensing_ops, &ou_lab_sigmoid_ops,
                                                        &ou_lab_sparse_ops, &ou_lab_ridge_ops};
    for (int k = 0; k < OU_LAB_NKINDS; k++) {
        struct ou_lab_config c;
        struct ou_lab *l = NULL;
        ou_lab_config_default(&c, (enum ou_lab_kind)k);
        cr_expect_eq(c.seed, 1);
        cr_expect_eq(c.noise, OU_LAB_NOISE_LABEL);
        enum ou_status st = ou_lab_create(&l, &c);
        if (ops_complete(ops[k])) {
            cr_expect_eq(st, OU_OK, "kind %s", ou_lab_kind_name((enum ou_lab_kind)k));
            cr_expect(c.batch >= 1 && c.batch <= c.n);
        } else {
            cr_expect_eq(st, OU_EINVAL, "incomplete kind %s", ops[k]->name);
            cr_expect_null(l);
        }
        ou_lab_destroy(l);
    }

    struct ou_lab_config base, c;
    struct ou_lab *l = NULL;
    ou_lab_config_default(&base, OU_LAB_RIDGE);
    c = base;
    c.kind = (enum ou_lab_kind)OU_LAB_NKINDS;
    cr_expect_eq(ou_lab_create(&l, &c), OU_EINVAL);
    ou_lab_config_default(&c, (enum ou_lab_kind)17); /* must not crash */
    cr_expect_eq(c.n, 0);
#define REFUSE(field, value)                                                                       \
    do {                                                                                           \
        c = base;                                                                                  \
        c.field = value;                                                                           \
        cr_expect_eq(ou_lab_create(&l, &c), OU_EINVAL, #field " = " #value);                       \
        cr_expect_null(l);                                                                         \
    } while (0)
    REFUSE(dim, 0);
    REFUSE(dim, OU_LAB_DIM_MAX + 1);
    REFUSE(n, 0);
    REFUSE(n, OU_LAB_N_MAX + 1);
    REFUSE(batch, 0);
    REFUSE(batch, base.n + 1);
    REFUSE(eta, 0.0);
    REFUSE(eta, 10.5);
    REFUSE(sigma, -1.0);
    REFUSE(sigma, NAN);
    REFUSE(noise, (enum ou_lab_noise)3);
    REFUSE(data_noise, -0.5);
    REFUSE(ridge_lambda, NAN);
    REFUSE(init_scale, -1.0);
#undef REFUSE
    c = base;
    c.dim = OU_LAB_DIM_MAX;
    c.n = OU_LAB_N_MAX;
    c.batch = 1;
    cr_expect_eq(ou_lab_create(&l, &c), OU_OK);
    ou_lab_destroy(l);
    ou_lab_destroy(NULL);
}

Test(lab, names_round_trip)
{
    for (int k = 0; k < OU_LAB_NKINDS; k++) {
        enum ou_lab_kind got;
        cr_assert(ou_lab_kind_parse(ou_lab_kind_name((enum ou_lab_kind)k), &got));
        cr_expect_eq(got, k);
    }
    enum ou_lab_kind got;
    cr_expect_not(ou_lab_kind_parse("relu", &got));
    cr_expect_str_eq(ou_lab_kind_name(OU_LAB_RIDGE), "ridge");
    cr_expect_str_eq(ou_lab_noise_name(OU_LAB_NOISE_LABEL), "label");
    cr_expect_str_eq(ou_lab_noise_name(OU_LAB_NOISE_PARAM), "param");
}

/* loss, reg and |theta| recomputed from h_i, grad h_i and y_i. */
Test(lab, observe_matches_its_definitions)
{
    const size_t d = 40, n = 20;
    struct ou_lab *l = ridge_lab(d, n, 5, 0.01, 0.5, 6, OU_LAB_NOISE_LABEL);
    double th[40], g[40];
    random_theta(th, d, 0.3, 3);
    cr_assert_eq(ou_lab_set_theta(l, th, d), OU_OK);
    double loss = 0.0, reg = 0.0;
    for (size_t i = 0; i < n; i++) {
        double h = ou_lab_grad(l, i, th, g);
        cr_expect(tu_close(h, dot(th, g, d), 1e-13, 1e-13));
        loss += (h - ou_lab_label(l, i)) * (h - ou_lab_label(l, i));
        reg += dot(g, g, d);
    }
    struct ou_lab_obs o;
    cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
    cr_expect(tu_close(o.loss, loss / (2.0 * n), 0.0, 1e-12));
    cr_expect(tu_close(o.reg, reg / n, 0.0, 1e-12));
    cr_expect(tu_close(o.theta_norm, sqrt(dot(th, th, d)), 0.0, 1e-13));
    ou_lab_destroy(l);
}

/* loss_mean is the mean of the clean full loss at theta_t over the steps since the last snapshot.
 */
Test(lab, snapshot_averages_the_steps_since_the_last_one)
{
    struct ou_lab *l = ridge_lab(40, 20, 5, 0.02, 0.5, 8, OU_LAB_NOISE_LABEL);
    struct ou_lab_snapshot s;
    struct ou_lab_obs o;
    cr_assert_eq(ou_lab_snapshot(l, &s), OU_OK);
    cr_expect(isnan(s.loss_mean) && isnan(s.reg_mean));
    cr_expect_eq(s.step, 0);
    double sum_loss = 0.0, sum_reg = 0.0;
    for (int t = 0; t < 37; t++) {
        cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
        sum_loss += o.loss;
        sum_reg += o.reg;
        run_to(l, 1);
    }
    cr_assert_eq(ou_lab_snapshot(l, &s), OU_OK);
    cr_expect_eq(s.step, 37);
    cr_expect_eq(s.cfg.batch, 5);
    cr_expect_eq(s.status, OU_OK);
    cr_expect(tu_close(s.loss_mean, sum_loss / 37, 0.0, 1e-12), "%g vs %g", s.loss_mean,
              sum_loss / 37);
    cr_expect(tu_close(s.reg_mean, sum_reg / 37, 0.0, 1e-12));
    cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
    cr_expect(tu_close(s.obs.loss, o.loss, 0.0, 1e-15));
    cr_assert_eq(ou_lab_snapshot(l, &s), OU_OK);
    cr_expect(isnan(s.loss_mean));
    ou_lab_destroy(l);
}

/*
 * The noise a step adds, measured as the difference of two labs with the
 * same seed, one at sigma and one at sigma = 0, both put at the same theta
 * before each step: their batch streams agree and (both modes draw the
 * same number of normals whatever sigma is) so do their noise streams, so
 * the difference is exactly the noise term.  Label noise:
 * (eta/B) sum_batch sigma z_i x_i; parameter noise: s z with z ~ N(0, I_p).
 */
struct noise_stats {
    double tr;        /* mean |xi|^2 */
    double tr_var;    /* its per-trial variance */
    double var[PMAX]; /* per-coordinate second moment */
    double var_in;    /* along x_0 / |x_0|, inside the span of the gradients */
    double var_null;  /* along a unit vector orthogonal to every x_i */
    double corr_max;  /* largest |correlation| of coordinates 0..3 with each other */
};

static void
measure_noise(size_t d, size_t n, size_t B, double eta, double sigma, enum ou_lab_noise nz,
              size_t trials, struct noise_stats *st)
{
    struct ou_lab *a = ridge_lab(d, n, B, eta, sigma, 21, nz);
    struct ou_lab *z = ridge_lab(d, n, B, eta, 0.0, 21, nz);
    double X[20 * 40], th[40], xi[40], u_in[40], u_null[40];
    cr_assert(d <= 40 && n <= 20);
    inputs_of(a, X);
    random_theta(th, d, 0.5, 4);
    /* u_in = x_0/|x_0|; u_null = a random vector minus its projection on span{x_i}. */
    double nx = sqrt(dot(X, X, d));
    for (size_t q = 0; q < d; q++)
        u_in[q] = X[q] / nx;
    random_theta(u_null, d, 1.0, 5);
    {
        double G[20 * 20], c[20];
        for (size_t i = 0; i < n; i++) {
            c[i] = dot(X + i * d, u_null, d);
            for (size_t k = 0; k < n; k++)
                G[i * n + k] = dot(X + i * d, X + k * d, d);
        }
        ref_solve(G, c, n);
        for (size_t i = 0; i < n; i++)
            for (size_t q = 0; q < d; q++)
                u_null[q] -= c[i] * X[i * d + q];
        double nu = sqrt(dot(u_null, u_null, d));
        for (size_t q = 0; q < d; q++)
            u_null[q] /= nu;
    }
    memset(st, 0, sizeof *st);
    double s2 = 0.0, cross[4][4] = {{0}};
    for (size_t t = 0; t < trials; t++) {
        cr_assert_eq(ou_lab_set_theta(a, th, d), OU_OK);
        cr_assert_eq(ou_lab_set_theta(z, th, d), OU_OK);
        cr_assert_eq(ou_lab_run(a, 1, NULL), OU_OK);
        cr_assert_eq(ou_lab_run(z, 1, NULL), OU_OK);
        for (size_t q = 0; q < d; q++)
            xi[q] = ou_lab_theta(a)[q] - ou_lab_theta(z)[q];
        double sq = dot(xi, xi, d);
        st->tr += sq;
        s2 += sq * sq;
        for (size_t q = 0; q < d; q++)
            st->var[q] += xi[q] * xi[q];
        for (int i = 0; i < 4; i++)
            for (int k = 0; k < 4; k++)
                cross[i][k] += xi[i] * xi[k];
        double pi = dot(xi, u_in, d), pn = dot(xi, u_null, d);
        st->var_in += pi * pi;
        st->var_null += pn * pn;
    }
    const double T = (double)trials;
    st->tr /= T;
    st->tr_var = s2 / T - st->tr * st->tr;
    for (size_t q = 0; q < d; q++)
        st->var[q] /= T;
    st->var_in /= T;
    st->var_null /= T;
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < i; k++) {
            double c = cross[i][k] / sqrt(cross[i][i] * cross[k][k]);
            st->corr_max = fmax(st->corr_max, fabs(c));
        }
    ou_lab_destroy(a);
    ou_lab_destroy(z);
}

static double
sum_sq_inputs(size_t d, size_t n)
{
    struct ou_lab *l = ridge_lab(d, n, n, 0.01, 0.0, 21, OU_LAB_NOISE_LABEL);
    double X[20 * 40];
    inputs_of(l, X);
    double s = dot(X, X, n * d);
    ou_lab_destroy(l);
    return s;
}

/*
 * Parameter noise, B = n: xi = s z, s^2 p = eta^2 sigma^2 (1/B^2) sum |x_i|^2.
 * |xi|^2 / s^2 is chi^2_p, so the mean over N trials has relative sd
 * sqrt(2/(p N)) (0.35% here; 5 sd allowed).  Each coordinate, the
 * direction x_0 and a direction orthogonal to every x_i all have variance
 * s^2, each estimated with relative sd sqrt(2/N) (2.2%; 5 sd), and
 * distinct coordinates are uncorrelated (sd 1/sqrt N; 5 sd).
 */
Test(lab, parameter_noise_is_isotropic_with_the_matched_trace, .timeout = 60)
{
    const size_t d = 40, n = 20, N = 4000;
    const double eta = 0.02, sigma = 0.8;
    struct noise_stats st;
    measure_noise(d, n, n, eta, sigma, OU_LAB_NOISE_PARAM, N, &st);
    const double want_tr = eta * eta * sigma * sigma * sum_sq_inputs(d, n) / (double)(n * n);
    const double s2 = want_tr / d;
    cr_log_info("parameter noise, B = n: trace %.6g (predicted %.6g), along x_0 %.4g, null %.4g "
                "(s^2 %.4g), largest correlation %.3f",
                st.tr, want_tr, st.var_in, st.var_null, s2, st.corr_max);
    cr_expect(tu_close(st.tr, want_tr, 0.0, 5.0 * sqrt(2.0 / (d * N))), "trace %g, want %g", st.tr,
              want_tr);
    const double tol = 5.0 * sqrt(2.0 / N);
    for (size_t q = 0; q < d; q++)
        cr_expect(tu_close(st.var[q], s2, 0.0, tol), "coordinate %zu: %g vs %g", q, st.var[q], s2);
    cr_expect(tu_close(st.var_in, s2, 0.0, tol), "along x_0: %g vs %g", st.var_in, s2);
    cr_expect(tu_close(st.var_null, s2, 0.0, tol), "null direction: %g vs %g", st.var_null, s2);
    cr_expect(st.corr_max < 5.0 / sqrt(N), "correlation %g", st.corr_max);
}

/*
 * Parameter noise with B < n: the trace eta^2 sigma^2 S_b / B^2 depends on
 * the batch through S_b = sum_batch |x_i|^2, whose mean over batches is
 * (B/n) sum_all |x_i|^2.  Per trial |xi|^2 = (c S_b / p) chi^2_p,
 * c = eta^2 sigma^2 / B^2, so Var = (c/p)^2 (2p + p^2) E[S_b^2] - (c E S_b)^2,
 * with Var S_b = B v (n - B)/(n - 1) for the population variance v of
 * |x_i|^2 (sampling without replacement); 5 sd of the mean over N trials.
 */
Test(lab, parameter_noise_trace_over_random_batches, .timeout = 60)
{
    const size_t d = 40, n = 20, B = 4, N = 4000;
    const double eta = 0.02, sigma = 0.8;
    struct ou_lab *l = ridge_lab(d, n, n, 0.01, 0.0, 21, OU_LAB_NOISE_LABEL);
    double X[20 * 40], a[20], m = 0.0, v = 0.0;
    inputs_of(l, X);
    ou_lab_destroy(l);
    for (size_t i = 0; i < n; i++) {
        a[i] = dot(X + i * d, X + i * d, d);
        m += a[i] / n;
    }
    for (size_t i = 0; i < n; i++)
        v += (a[i] - m) * (a[i] - m) / n;
    const double c = eta * eta * sigma * sigma / (double)(B * B);
    const double es = B * m, vs = B * v * (double)(n - B) / (double)(n - 1);
    const double want = c * es;
    const double var = (c / d) * (c / d) * (2.0 * d + (double)d * d) * (vs + es * es) - want * want;
    struct noise_stats st;
    measure_noise(d, n, B, eta, sigma, OU_LAB_NOISE_PARAM, N, &st);
    cr_log_info("parameter noise, B = %zu: trace %.6g, predicted %.6g +- %.2g", B, st.tr, want,
                sqrt(var / N));
    cr_expect(fabs(st.tr - want) < 5.0 * sqrt(var / N), "trace %g, want %g (sd %g)", st.tr, want,
              sqrt(var / N));
}

/*
 * Label noise, B = n: xi = (eta sigma / n) X^T z, so E|xi|^2 = tr M with
 * M = (eta sigma / n)^2 X X^T and Var |xi|^2 = 2 tr M^2 (a Gaussian
 * quadratic form); 5 sd of the mean.  It lives in the span of the x_i: along
 * a direction orthogonal to all of them it is zero to rounding.
 */
Test(lab, label_noise_has_the_predicted_trace_and_no_null_component, .timeout = 60)
{
    const size_t d = 40, n = 20, N = 4000;
    const double eta = 0.02, sigma = 0.8;
    struct ou_lab *l = ridge_lab(d, n, n, 0.01, 0.0, 21, OU_LAB_NOISE_LABEL);
    double X[20 * 40], K[20 * 20];
    inputs_of(l, X);
    ou_lab_destroy(l);
    const double f = eta * sigma / n;
    double trM = 0.0, trM2 = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < n; k++)
            K[i * n + k] = f * f * dot(X + i * d, X + k * d, d);
    for (size_t i = 0; i < n; i++) {
        trM += K[i * n + i];
        for (size_t k = 0; k < n; k++)
            trM2 += K[i * n + k] * K[k * n + i];
    }
    struct noise_stats st;
    measure_noise(d, n, n, eta, sigma, OU_LAB_NOISE_LABEL, N, &st);
    cr_log_info("label noise, B = n: trace %.6g, predicted %.6g +- %.2g, null %.3g", st.tr, trM,
                sqrt(2.0 * trM2 / N), st.var_null);
    cr_expect(fabs(st.tr - trM) < 5.0 * sqrt(2.0 * trM2 / N), "trace %g, want %g", st.tr, trM);
    /* The same size as the matched parameter noise, which puts it in all d directions. */
    cr_expect(tu_close(trM, eta * eta * sigma * sigma * sum_sq_inputs(d, n) / (double)(n * n), 0.0,
                       1e-12));
    cr_expect(st.var_null < 1e-24 * st.tr, "null-direction variance %g", st.var_null);
}
