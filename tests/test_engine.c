/*
 * The SGD engine: determinism per seed, independence of the noise knobs
 * from the other draws, the exact balance identity at every step, the
 * update against the reference gradient, divergence handling, and the
 * knobs, reset, mark and data edits.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ouscope/engine.h"
#include "reference.h"
#include "testutil.h"

static struct ou_engine *
make(size_t batch, double sigma, uint64_t seed)
{
    struct ou_engine *e = tu_sin3x(batch, 0.05, sigma, seed);
    cr_assert_not_null(e);
    return e;
}

static bool
same_theta(const struct ou_engine *a, const struct ou_engine *b)
{
    size_t p = ou_engine_model(a)->p;
    return p == ou_engine_model(b)->p &&
           memcmp(ou_engine_theta(a), ou_engine_theta(b), p * sizeof(double)) == 0;
}

/* The saved text holds every stream; the line "key ..." is compared as text. */
static char *
state_line(const struct ou_engine *e, const char *key)
{
    char *buf, *out = NULL;
    size_t len;
    cr_assert_eq(ou_engine_save(e, &buf, &len), OU_OK);
    size_t k = strlen(key);
    for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, key, k) == 0 && p[k] == ' ') {
            size_t l = strcspn(p, "\n");
            out = strndup(p, l);
            break;
        }
    }
    free(buf);
    cr_assert_not_null(out, "no line %s", key);
    return out;
}

Test(engine, same_seed_gives_a_bit_identical_trajectory)
{
    size_t batches[] = {1, 3, 8};
    for (int k = 0; k < 3; k++) {
        struct ou_engine *a = make(batches[k], 0.5, 77), *b = make(batches[k], 0.5, 77);
        cr_assert(same_theta(a, b));
        for (int r = 0; r < 10; r++) {
            ou_engine_run(a, 1000, NULL);
            ou_engine_run(b, 1000, NULL);
            cr_assert(same_theta(a, b), "B=%zu diverged after %d000 steps", batches[k], r + 1);
        }
        ou_engine_destroy(a);
        ou_engine_destroy(b);
    }
}

Test(engine, another_seed_gives_another_trajectory)
{
    struct ou_engine *a = make(2, 0.5, 77), *b = make(2, 0.5, 78);
    cr_expect(!same_theta(a, b), "initial theta should depend on the seed");
    ou_engine_destroy(b);
    /* Same init, other streams: set b's theta to a's and run. */
    b = make(2, 0.5, 78);
    cr_assert_eq(ou_engine_set_theta(b, ou_engine_theta(a), ou_engine_model(a)->p), OU_OK);
    ou_engine_run(a, 100, NULL);
    ou_engine_run(b, 100, NULL);
    cr_expect(!same_theta(a, b));
    ou_engine_destroy(a);
    ou_engine_destroy(b);
}

/* sigma scales the draws but never changes how many are made. */
Test(engine, changing_sigma_moves_no_other_draw)
{
    struct ou_engine *a = make(3, 0.5, 5), *b = make(3, 0.5, 5);
    ou_engine_run(a, 500, NULL);
    ou_engine_run(b, 500, NULL);
    ou_engine_set_sigma(b, 0.0);
    ou_engine_run(a, 700, NULL);
    ou_engine_run(b, 700, NULL);
    ou_engine_set_sigma(b, 2.5);
    ou_engine_run(a, 300, NULL);
    ou_engine_run(b, 300, NULL);
    const char *keys[] = {"rng_batch", "rng_noise"};
    for (int k = 0; k < 2; k++) {
        char *la = state_line(a, keys[k]), *lb = state_line(b, keys[k]);
        cr_expect_str_eq(la, lb);
        free(la);
        free(lb);
    }
    cr_expect(!same_theta(a, b), "the noise level must matter to theta");
    ou_engine_destroy(a);
    ou_engine_destroy(b);
}

/* Full batch draws no batch indices at all. */
Test(engine, full_batch_leaves_the_batch_stream_alone)
{
    struct ou_engine *a = make(8, 0.5, 5);
    char *before = state_line(a, "rng_batch");
    ou_engine_run(a, 100, NULL);
    char *after = state_line(a, "rng_batch");
    cr_expect_str_eq(before, after);
    free(before);
    free(after);
    ou_engine_destroy(a);
}

/*
 * One step with a given batch and noise moves theta by exactly -eta g with
 * g the reference label-noise gradient (same operations, so to rounding).
 */
Test(engine, step_is_minus_eta_times_the_reference_gradient)
{
    struct ou_engine *e = make(3, 0.5, 9);
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    size_t p = m->p, idx[3] = {7, 0, 4};
    double eps[3] = {0.4, -0.1, 0.9};
    double *t0 = malloc(p * sizeof *t0), *g = malloc(p * sizeof *g);
    ou_engine_run(e, 50, NULL);
    memcpy(t0, ou_engine_theta(e), p * sizeof *t0);
    ref_batch_grad(t0, m->width, m->bias, d->x, d->y, idx, eps, 3, g);
    cr_assert_eq(ou_engine_step_with(e, idx, 3, eps), OU_OK);
    const double *t1 = ou_engine_theta(e);
    for (size_t k = 0; k < p; k++)
        cr_expect(tu_close(t1[k], t0[k] - 0.05 * g[k], 1e-15, 1e-13), "theta[%zu]", k);
    cr_expect_eq(ou_engine_step_count(e), 51);
    /* Bad batches are refused and change nothing. */
    size_t dup[2] = {1, 1}, out[1] = {8};
    cr_expect_eq(ou_engine_step_with(e, dup, 2, eps), OU_EINVAL);
    cr_expect_eq(ou_engine_step_with(e, out, 1, eps), OU_EINVAL);
    cr_expect_eq(ou_engine_step_count(e), 51);
    free(t0);
    free(g);
    ou_engine_destroy(e);
}

/*
 * Exact balance identity (ouscope-science(7), BALANCE): for every unit,
 * q_j = a_j^2 - w_j^2 - b_j^2 changes in one step by eta^2 (g_a^2 - g_w^2 -
 * g_b^2), whatever the batch and the noise; the O(eta) terms cancel by
 * homogeneity.  q is a difference of O(1) squares, so rounding is judged
 * against their size: |error| <= 1e-12 (a^2 + w^2 + b^2).
 */
static void
check_balance_identity(size_t B, double eta)
{
    struct ou_config c;
    ou_config_default(&c);
    c.batch = B;
    c.eta = eta;
    struct ou_engine *e = tu_engine(OU_DATA_SIN3X, 8, &c);
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    size_t M = m->width, p = m->p, n = d->n;
    double *t0 = malloc(p * sizeof *t0), *g = malloc(p * sizeof *g);
    struct ou_rng r;
    ou_rng_seed(&r, 1234, 99);
    size_t idx[8];
    double eps[8];
    double worst = 0.0;
    for (int step = 0; step < 2000; step++) {
        /* A batch of B distinct points and Gaussian-sized noise chosen by the test. */
        for (size_t i = 0; i < n; i++)
            idx[i] = i;
        for (size_t k = 0; k < B; k++) {
            size_t j = k + (size_t)ou_rng_below(&r, n - k);
            size_t t = idx[k];
            idx[k] = idx[j];
            idx[j] = t;
            eps[k] = 0.5 * (2.0 * ou_rng_uniform(&r) - 1.0);
        }
        memcpy(t0, ou_engine_theta(e), p * sizeof *t0);
        ref_batch_grad(t0, M, m->bias, d->x, d->y, idx, eps, B, g);
        cr_assert_eq(ou_engine_step_with(e, idx, B, eps), OU_OK);
        const double *t1 = ou_engine_theta(e);
        for (size_t j = 0; j < M; j++) {
            double a0 = t0[j], w0 = t0[M + j], b0 = t0[2 * M + j];
            double a1 = t1[j], w1 = t1[M + j], b1 = t1[2 * M + j];
            double dq = (a1 * a1 - w1 * w1 - b1 * b1) - (a0 * a0 - w0 * w0 - b0 * b0);
            double pred =
                eta * eta * (g[j] * g[j] - g[M + j] * g[M + j] - g[2 * M + j] * g[2 * M + j]);
            double scale = a0 * a0 + w0 * w0 + b0 * b0;
            double err = fabs(dq - pred) / scale;
            worst = fmax(worst, err);
            cr_assert(err < 1e-12, "B=%zu step %d unit %zu: dq %.17g, predicted %.17g", B, step, j,
                      dq, pred);
        }
    }
    cr_log_info("balance identity, B=%zu: worst relative error %g", B, worst);
    free(t0);
    free(g);
    ou_engine_destroy(e);
}

Test(engine, balance_identity_holds_every_step_with_batch_1)
{
    check_balance_identity(1, 0.05);
}

Test(engine, balance_identity_holds_every_step_with_full_batch)
{
    check_balance_identity(8, 0.2);
}

/*
 * A learning rate far above 2/lambda_max blows up: the engine reports it,
 * keeps the last finite state and stops until a knob changes.
 */
Test(engine, divergence_is_a_status_with_the_last_finite_state_kept)
{
    struct ou_engine *e = make(8, 0.0, 3);
    cr_assert_eq(ou_engine_set_eta(e, 10.0), OU_OK);
    uint64_t done = 0;
    enum ou_status st = ou_engine_run(e, 100000, &done);
    cr_assert_eq(st, OU_EDIVERGED);
    cr_expect(done < 100000);
    cr_expect_eq(ou_engine_step_count(e), done);
    const double *th = ou_engine_theta(e);
    for (size_t k = 0; k < ou_engine_model(e)->p; k++)
        cr_assert(isfinite(th[k]), "theta[%zu] = %g", k, th[k]);
    struct ou_metrics *m = malloc(sizeof *m);
    ou_engine_metrics(e, m);
    cr_expect(isfinite(m->loss) && isfinite(m->reg));
    cr_expect(m->eta_lambda > 2.0, "a diverging run should sit above the stability limit");
    /* Stuck until a knob changes. */
    cr_expect_eq(ou_engine_run(e, 10, &done), OU_EDIVERGED);
    cr_expect_eq(done, 0);
    cr_expect_eq(ou_engine_status(e), OU_EDIVERGED);
    ou_engine_restore_mark(e); /* no mark set: back to the initial state */
    cr_expect_eq(ou_engine_step_count(e), 0);
    cr_assert_eq(ou_engine_set_eta(e, 0.01), OU_OK);
    cr_expect_eq(ou_engine_run(e, 1000, &done), OU_OK);
    cr_expect_eq(done, 1000);
    free(m);
    ou_engine_destroy(e);
}

Test(engine, knobs_refuse_values_out_of_range)
{
    struct ou_engine *e = make(4, 0.5, 1);
    cr_expect_eq(ou_engine_set_eta(e, 0.0), OU_EINVAL);
    cr_expect_eq(ou_engine_set_eta(e, NAN), OU_EINVAL);
    cr_expect_eq(ou_engine_set_eta(e, 10.5), OU_EINVAL);
    cr_expect_eq(ou_engine_set_sigma(e, -0.1), OU_EINVAL);
    cr_expect_eq(ou_engine_set_sigma(e, INFINITY), OU_EINVAL);
    cr_expect_eq(ou_engine_set_batch(e, 0), OU_EINVAL);
    cr_expect_eq(ou_engine_set_batch(e, 9), OU_EINVAL);
    cr_expect_eq(ou_engine_set_momentum(e, 1.0), OU_EINVAL);
    cr_expect_eq(ou_engine_set_noise(e, (enum ou_noise_kind)7), OU_EINVAL);
    cr_expect_eq(ou_engine_set_ema_steps(e, 0.5), OU_EINVAL);
    const struct ou_config *c = ou_engine_config(e);
    cr_expect(tu_close(c->eta, 0.05, 0, 0) && c->batch == 4);
    cr_expect_eq(ou_engine_set_batch(e, 8), OU_OK);
    ou_engine_destroy(e);

    struct ou_config cfg;
    struct ou_data d;
    struct ou_engine *x = NULL;
    ou_config_default(&cfg);
    ou_data_builtin(&d, OU_DATA_SIN3X, 8, 1);
    cfg.width = 0;
    cr_expect_eq(ou_engine_create(&x, &cfg, &d), OU_EINVAL);
    cr_expect_null(x);
    ou_config_default(&cfg);
    d.x[2] = d.x[1];
    cr_expect_eq(ou_engine_create(&x, &cfg, &d), OU_EINVAL);
    ou_engine_destroy(NULL);
}

/* Knob changes take effect without resetting theta or the step count. */
Test(engine, knob_changes_reset_nothing)
{
    struct ou_engine *e = make(4, 0.5, 2);
    ou_engine_run(e, 300, NULL);
    size_t p = ou_engine_model(e)->p;
    double *t = malloc(p * sizeof *t);
    memcpy(t, ou_engine_theta(e), p * sizeof *t);
    ou_engine_set_eta(e, 0.02);
    ou_engine_set_sigma(e, 0.1);
    ou_engine_set_batch(e, 2);
    ou_engine_set_noise(e, OU_NOISE_PM);
    ou_engine_set_momentum(e, 0.5);
    ou_engine_set_frozen(e, true);
    cr_expect_eq(ou_engine_step_count(e), 300);
    cr_expect_eq(memcmp(t, ou_engine_theta(e), p * sizeof *t), 0);
    cr_expect_eq(ou_engine_run(e, 300, NULL), OU_OK);
    cr_expect_eq(ou_engine_step_count(e), 600);
    free(t);
    ou_engine_destroy(e);
}

Test(engine, reset_replays_the_same_trajectory)
{
    struct ou_engine *e = make(3, 0.5, 4);
    size_t p = ou_engine_model(e)->p;
    double *t0 = malloc(p * sizeof *t0), *t1 = malloc(p * sizeof *t1);
    memcpy(t0, ou_engine_theta(e), p * sizeof *t0);
    ou_engine_run(e, 2000, NULL);
    memcpy(t1, ou_engine_theta(e), p * sizeof *t1);
    ou_engine_reset(e);
    cr_expect_eq(ou_engine_step_count(e), 0);
    cr_expect_eq(memcmp(t0, ou_engine_theta(e), p * sizeof *t0), 0);
    ou_engine_run(e, 2000, NULL);
    cr_expect_eq(memcmp(t1, ou_engine_theta(e), p * sizeof *t1), 0);
    ou_engine_reseed(e, 5);
    cr_expect_eq(ou_engine_step_count(e), 0);
    cr_expect_neq(memcmp(t0, ou_engine_theta(e), p * sizeof *t0), 0);
    free(t0);
    free(t1);
    ou_engine_destroy(e);
}

Test(engine, restore_mark_returns_to_the_marked_state_and_streams)
{
    struct ou_engine *e = make(2, 0.5, 6);
    size_t p = ou_engine_model(e)->p;
    ou_engine_run(e, 400, NULL);
    ou_engine_mark(e);
    ou_engine_run(e, 400, NULL);
    double *t = malloc(p * sizeof *t);
    memcpy(t, ou_engine_theta(e), p * sizeof *t);
    ou_engine_restore_mark(e);
    cr_expect_eq(ou_engine_step_count(e), 400);
    cr_expect_eq(ou_engine_mark_step(e), 400);
    ou_engine_run(e, 400, NULL);
    cr_expect_eq(memcmp(t, ou_engine_theta(e), p * sizeof *t), 0);
    free(t);
    ou_engine_destroy(e);
}

Test(engine, data_edits_keep_theta_and_clip_the_batch)
{
    struct ou_engine *e = make(8, 0.5, 6);
    ou_engine_run(e, 100, NULL);
    struct ou_data d = *ou_engine_data(e);
    cr_assert_eq(ou_data_insert(&d, 0.5, 0.0, 1e-3, NULL), OU_OK);
    cr_assert_eq(ou_engine_set_data(e, &d), OU_OK);
    cr_expect_eq(ou_engine_data(e)->n, 9);
    cr_expect_eq(ou_engine_step_count(e), 100);
    cr_expect_eq(ou_engine_run(e, 100, NULL), OU_OK);
    ou_data_remove(&d, 0);
    ou_data_remove(&d, 0);
    cr_assert_eq(ou_engine_set_data(e, &d), OU_OK);
    cr_expect_eq(ou_engine_config(e)->batch, 7);
    cr_expect_eq(ou_engine_run(e, 100, NULL), OU_OK);
    d.x[1] = d.x[0];
    cr_expect_eq(ou_engine_set_data(e, &d), OU_EINVAL);
    ou_engine_destroy(e);
}

/*
 * Frozen noise is ordinary least squares on fixed noisy labels: full-batch
 * GD then converges and theta stops moving.  Fresh noise keeps it moving.
 */
Test(engine, frozen_noise_converges_while_fresh_noise_keeps_moving)
{
    struct ou_engine *fz = make(8, 0.3, 8), *fr = make(8, 0.3, 8);
    ou_engine_set_frozen(fz, true);
    ou_engine_set_eta(fz, 0.1);
    ou_engine_set_eta(fr, 0.1);
    ou_engine_run(fz, 300000, NULL);
    ou_engine_run(fr, 300000, NULL);
    size_t p = ou_engine_model(fz)->p;
    double *a = malloc(p * sizeof *a), *b = malloc(p * sizeof *b);
    memcpy(a, ou_engine_theta(fz), p * sizeof *a);
    memcpy(b, ou_engine_theta(fr), p * sizeof *b);
    ou_engine_run(fz, 1000, NULL);
    ou_engine_run(fr, 1000, NULL);
    double dz = 0, dr = 0;
    for (size_t k = 0; k < p; k++) {
        dz += pow(ou_engine_theta(fz)[k] - a[k], 2);
        dr += pow(ou_engine_theta(fr)[k] - b[k], 2);
    }
    cr_expect(sqrt(dz) < 1e-6, "frozen noise still moving: %g", sqrt(dz));
    cr_expect(sqrt(dr) > 1e-3, "fresh noise should keep theta moving: %g", sqrt(dr));
    free(a);
    free(b);
    ou_engine_destroy(fz);
    ou_engine_destroy(fr);
}

/* Heavy-ball momentum v <- mu v + g, theta <- theta - eta v, against a hand step. */
Test(engine, momentum_follows_the_heavy_ball_update)
{
    struct ou_engine *e = make(8, 0.0, 3);
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    size_t p = m->p, idx[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    double eps[8] = {0};
    ou_engine_set_momentum(e, 0.9);
    double *t0 = malloc(p * sizeof *t0), *g0 = malloc(p * sizeof *g0), *g1 = malloc(p * sizeof *g1),
           *t1 = malloc(p * sizeof *t1);
    memcpy(t0, ou_engine_theta(e), p * sizeof *t0);
    ref_batch_grad(t0, m->width, m->bias, d->x, d->y, idx, eps, 8, g0);
    ou_engine_step_with(e, idx, 8, eps);
    memcpy(t1, ou_engine_theta(e), p * sizeof *t1);
    ref_batch_grad(t1, m->width, m->bias, d->x, d->y, idx, eps, 8, g1);
    ou_engine_step_with(e, idx, 8, eps);
    for (size_t k = 0; k < p; k++) {
        double v1 = g0[k], v2 = 0.9 * v1 + g1[k];
        cr_expect(tu_close(t1[k], t0[k] - 0.05 * v1, 1e-15, 1e-13));
        cr_expect(tu_close(ou_engine_theta(e)[k], t1[k] - 0.05 * v2, 1e-15, 1e-13));
    }
    free(t0);
    free(t1);
    free(g0);
    free(g1);
    ou_engine_destroy(e);
}

/*
 * The label noise of ou_engine_run (ouscope-science(7), LABEL-NOISE SGD):
 * with B = n every point is in the batch in index order, no batch index is
 * drawn, and the targets are y_k + eps_k with eps_k = sigma z_k, z_0..z_7 the
 * next eight N(0,1) draws of stream OU_RNG_NOISE (+-sigma with a sign draw
 * each for the pm kind).  So one step is theta - eta g with g the reference
 * gradient at those eps; same operations up to summation order, hence the
 * 1e-15 + 1e-13 |theta| tolerance of the other one-step checks.
 */
Test(engine, run_step_adds_sigma_z_from_the_noise_stream)
{
    const double eta = 0.05, sigma = 0.7;
    struct ou_engine *e = tu_sin3x(8, eta, sigma, 21);
    cr_assert_not_null(e);
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    size_t p = m->p, idx[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    double *t0 = malloc(p * sizeof *t0), *g = malloc(p * sizeof *g), z[8], eps[8];
    struct ou_ziggurat zig;
    struct ou_rng r;
    ou_ziggurat_init(&zig);
    ou_rng_seed(&r, 21, OU_RNG_NOISE);
    for (int s = 0; s < 6; s++) {
        if (s == 3)
            cr_assert_eq(ou_engine_set_noise(e, OU_NOISE_PM), OU_OK);
        if (s < 3) {
            ou_rng_normals(&r, &zig, z, 8);
        } else {
            for (int k = 0; k < 8; k++)
                z[k] = ou_rng_sign(&r);
        }
        for (int k = 0; k < 8; k++)
            eps[k] = sigma * z[k];
        memcpy(t0, ou_engine_theta(e), p * sizeof *t0);
        ref_batch_grad(t0, m->width, m->bias, d->x, d->y, idx, eps, 8, g);
        cr_assert_eq(ou_engine_run(e, 1, NULL), OU_OK);
        const double *t1 = ou_engine_theta(e);
        for (size_t k = 0; k < p; k++)
            cr_expect(tu_close(t1[k], t0[k] - eta * g[k], 1e-15, 1e-13), "step %d theta[%zu]", s,
                      k);
    }
    free(t0);
    free(g);
    ou_engine_destroy(e);
}

/*
 * Take one ou_engine_run step and read off its batch and label noise from
 * the move alone: theta0 - theta1 = eta J^T c with c_i = (r_i - eps_i) / B
 * for the batch and 0 elsewhere (r_i = h(x_i) - y_i, J rows grad h(x_i),
 * all from the reference at theta0).  The 8 rows of J are independent in
 * R^97, so c solves (J J^T) c = J (theta0 - theta1) / eta.  Points with
 * |c_i| > 1e-6 are the batch (in[i]) and eps_i = r_i - B c_i.
 */
static void
run_step_noise(struct ou_engine *e, double *eps, bool *in)
{
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    const double eta = ou_engine_config(e)->eta, B = (double)ou_engine_config(e)->batch;
    size_t p = m->p, n = d->n;
    double *t0 = malloc(p * sizeof *t0), *J = malloc(n * p * sizeof *J), G[64], c[8], r[8];
    cr_assert(n <= 8);
    memcpy(t0, ou_engine_theta(e), p * sizeof *t0);
    cr_assert_eq(ou_engine_run(e, 1, NULL), OU_OK);
    const double *t1 = ou_engine_theta(e);
    for (size_t i = 0; i < n; i++) {
        ref_grad_h(t0, m->width, m->bias, d->x[i], J + i * p);
        r[i] = ref_h(t0, m->width, m->bias, d->x[i]) - d->y[i];
    }
    for (size_t i = 0; i < n; i++) {
        c[i] = 0.0;
        for (size_t q = 0; q < p; q++)
            c[i] += J[i * p + q] * (t0[q] - t1[q]) / eta;
        for (size_t k = 0; k < n; k++) {
            G[i * n + k] = 0.0;
            for (size_t q = 0; q < p; q++)
                G[i * n + k] += J[i * p + q] * J[k * p + q];
        }
    }
    ref_solve(G, c, n);
    for (size_t i = 0; i < n; i++) {
        in[i] = fabs(c[i]) > 1e-6;
        eps[i] = in[i] ? r[i] - B * c[i] : 0.0;
    }
    free(t0);
    free(J);
}

/*
 * Frozen noise keeps one draw per point (ouscope-science(7), LABEL-NOISE
 * SGD): point i's target is y_i + sigma z_i at every step and whatever the
 * batch, so the noise read off B = 2 steps equals the one read off a B = 8
 * step, and with the pm kind |eps_i| = sigma.  Rounding: (theta0 - theta1)
 * / eta carries ~1e-16 |theta| / eta ~ 1e-14 per entry, amplified by the
 * condition number of J J^T (~1e3 here) and by B: ~1e-10 at most; 1e-8
 * leaves room and is far below the O(sigma) error of a wrong draw.
 */
Test(engine, frozen_noise_is_one_draw_per_point_whatever_the_batch)
{
    const double sigma = 0.5, tol = 1e-8;
    for (int kind = 0; kind < 2; kind++) {
        enum ou_noise_kind nk = kind ? OU_NOISE_PM : OU_NOISE_GAUSS;
        struct ou_engine *full = tu_sin3x(8, 0.05, sigma, 31), *pair = tu_sin3x(2, 0.05, sigma, 31);
        cr_assert(full && pair);
        ou_engine_set_noise(full, nk);
        ou_engine_set_noise(pair, nk);
        ou_engine_set_frozen(full, true);
        ou_engine_set_frozen(pair, true);
        double eps8[8], eps2[8], worst = 0.0;
        bool in[8];
        run_step_noise(full, eps8, in);
        for (int i = 0; i < 8; i++) {
            cr_assert(in[i], "%s: point %d missing from the full batch", ou_noise_kind_name(nk), i);
            if (nk == OU_NOISE_PM)
                cr_expect(tu_close(fabs(eps8[i]), sigma, tol, 0), "pm: |eps_%d| = %.17g", i,
                          fabs(eps8[i]));
        }
        for (int s = 0; s < 8; s++) {
            run_step_noise(pair, eps2, in);
            int members = 0;
            for (int i = 0; i < 8; i++) {
                if (!in[i])
                    continue;
                members++;
                worst = fmax(worst, fabs(eps2[i] - eps8[i]));
                cr_expect(tu_close(eps2[i], eps8[i], tol, 0),
                          "%s step %d point %d: eps %.17g at B=2, %.17g at B=8",
                          ou_noise_kind_name(nk), s, i, eps2[i], eps8[i]);
            }
            cr_expect_eq(members, 2, "step %d: %d points in a batch of 2", s, members);
        }
        cr_log_info("%s: worst |eps(B=2) - eps(B=8)| = %g", ou_noise_kind_name(nk), worst);
        ou_engine_destroy(full);
        ou_engine_destroy(pair);
    }
}

/*
 * After momentum is set back to 0 no velocity lingers: the next step is a
 * plain SGD step, and when momentum comes back the heavy ball starts from
 * v = 0, so its first step is again theta - eta g.
 */
Test(engine, momentum_zero_clears_the_velocity)
{
    const double eta = 0.05;
    struct ou_engine *e = make(8, 0.0, 3);
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    size_t p = m->p, idx[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    double eps[8] = {0}, *t0 = malloc(p * sizeof *t0), *g = malloc(p * sizeof *g);
    cr_assert_eq(ou_engine_set_momentum(e, 0.9), OU_OK);
    for (int s = 0; s < 5; s++)
        cr_assert_eq(ou_engine_step_with(e, idx, 8, eps), OU_OK);
    const double mus[2] = {0.0, 0.9};
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(ou_engine_set_momentum(e, mus[k]), OU_OK);
        memcpy(t0, ou_engine_theta(e), p * sizeof *t0);
        ref_batch_grad(t0, m->width, m->bias, d->x, d->y, idx, eps, 8, g);
        cr_assert_eq(ou_engine_step_with(e, idx, 8, eps), OU_OK);
        const double *t1 = ou_engine_theta(e);
        /* One step from v = 0: same tolerance as the plain one-step check. */
        for (size_t q = 0; q < p; q++)
            cr_expect(tu_close(t1[q], t0[q] - eta * g[q], 1e-15, 1e-13),
                      "mu %g: theta[%zu] %.17g, plain step %.17g", mus[k], q, t1[q],
                      t0[q] - eta * g[q]);
    }
    free(t0);
    free(g);
    ou_engine_destroy(e);
}

/* eta = 10 diverges within a few hundred steps from the seed-3 start. */
static void
diverge_again(struct ou_engine *e)
{
    cr_assert_eq(ou_engine_set_eta(e, 10.0), OU_OK);
    cr_assert_eq(ou_engine_run(e, 100000, NULL), OU_EDIVERGED);
    cr_assert_eq(ou_engine_status(e), OU_EDIVERGED);
}

/*
 * A knob change alone, with no reset and no restore, gives a diverged run
 * another chance from its last finite state (engine.h, ou_engine_run):
 * each setter clears the status, and after eta drops to 0.01 the run goes on.
 */
Test(engine, a_knob_change_alone_lets_a_diverged_run_go_on)
{
    struct ou_engine *e = make(8, 0.0, 3);
    uint64_t done = 99;
    diverge_again(e);
    uint64_t at = ou_engine_step_count(e);
    cr_assert_eq(ou_engine_set_eta(e, 0.01), OU_OK);
    cr_expect_eq(ou_engine_status(e), OU_OK);
    cr_expect_eq(ou_engine_step_count(e), at, "a knob change must not move the state");
    cr_expect_eq(ou_engine_run(e, 0, &done), OU_OK);
    cr_expect_eq(ou_engine_run(e, 10, &done), OU_OK);
    cr_expect_eq(done, 10);

    struct ou_data data = *ou_engine_data(e);
    for (int k = 0; k < 6; k++) {
        diverge_again(e);
        enum ou_status st = OU_EINVAL;
        switch (k) {
        case 0:
            st = ou_engine_set_sigma(e, 0.1);
            break;
        case 1:
            st = ou_engine_set_batch(e, 4);
            break;
        case 2:
            st = ou_engine_set_noise(e, OU_NOISE_PM);
            break;
        case 3:
            st = ou_engine_set_momentum(e, 0.5);
            break;
        case 4:
            st = ou_engine_set_frozen(e, true);
            break;
        default:
            st = ou_engine_set_data(e, &data);
            break;
        }
        cr_assert_eq(st, OU_OK);
        cr_expect_eq(ou_engine_status(e), OU_OK, "knob %d left the run diverged", k);
        cr_expect_eq(ou_engine_run(e, 0, &done), OU_OK, "knob %d", k);
    }
    ou_engine_destroy(e);
}

/*
 * reg_ema with a time constant of 4 steps is e_0 = reg(theta_0), e_t =
 * e_{t-1} + (reg(theta_t) - e_{t-1}) / 4, reg taken before each step (the
 * trace's convention) and recomputed here with the reference.  Each update
 * is a convex combination, so the engine's 1e-15 relative error in reg
 * stays that size: 1e-12 relative.
 */
Test(engine, reg_ema_follows_its_recursion)
{
    struct ou_engine *e = tu_sin3x(3, 0.2, 0.5, 12);
    cr_assert_not_null(e);
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    struct ou_metrics *mt = malloc(sizeof *mt);
    cr_assert_eq(ou_engine_set_ema_steps(e, 4.0), OU_OK);
    cr_assert_eq(ou_engine_metrics(e, mt), OU_OK);
    double reg0 = ref_reg(ou_engine_theta(e), m->width, m->bias, d->x, d->n);
    cr_expect(tu_close(mt->reg_ema, reg0, 1e-14, 1e-12), "before any step reg_ema is reg");
    const size_t batches[4][3] = {{0, 3, 6}, {7, 2, 5}, {1, 4, 0}, {6, 5, 3}};
    const double eps[3] = {0.6, -0.9, 0.3};
    double ema = 0.0;
    for (int t = 0; t < 16; t++) {
        double reg = ref_reg(ou_engine_theta(e), m->width, m->bias, d->x, d->n);
        ema = t == 0 ? reg : ema + (reg - ema) / 4.0;
        cr_assert_eq(ou_engine_step_with(e, batches[t % 4], 3, eps), OU_OK);
        cr_assert_eq(ou_engine_metrics(e, mt), OU_OK);
        cr_expect(tu_close(mt->reg_ema, ema, 1e-14, 1e-12), "step %d: reg_ema %.17g, want %.17g", t,
                  mt->reg_ema, ema);
    }
    free(mt);
    ou_engine_destroy(e);
}
