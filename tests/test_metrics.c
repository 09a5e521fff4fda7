/*
 * Every observable of a snapshot against the plain-loop reference: loss,
 * reg, |grad reg|, norms, path norms, balance, lambda_max of the NTK (Jacobi
 * eigenvalues, no LAPACK), effective kinks, convexity changes, TV(h') and
 * the distance to the spline (fine grids), and the loss-floor prediction.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ouscope/engine.h"
#include "reference.h"
#include "testutil.h"

static void
check_against_reference(struct ou_engine *e)
{
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    const struct ou_config *c = ou_engine_config(e);
    const double *th = ou_engine_theta(e);
    size_t M = m->width, n = d->n, p = m->p;
    bool bias = m->bias;
    struct ou_metrics *mt = malloc(sizeof *mt);
    cr_assert_eq(ou_engine_metrics(e, mt), OU_OK);

    cr_expect(tu_close(mt->loss, ref_loss(th, M, bias, d->x, d->y, n), 1e-15, 1e-12), "loss");
    cr_expect(tu_close(mt->reg, ref_reg(th, M, bias, d->x, n), 1e-14, 1e-12), "reg");
    double *g = malloc(p * sizeof *g), norm = 0, tn = 0;
    ref_reg_grad(th, M, bias, d->x, n, g);
    for (size_t k = 0; k < p; k++) {
        norm += g[k] * g[k];
        tn += th[k] * th[k];
    }
    cr_expect(tu_close(mt->grad_reg_norm, sqrt(norm), 1e-14, 1e-12), "|grad reg|");
    cr_expect(tu_close(mt->theta_norm, sqrt(tn), 1e-14, 1e-12), "|theta|");
    double l1, l2;
    ref_path_norms(th, M, bias, &l1, &l2);
    cr_expect(tu_close(mt->path_l1, l1, 1e-14, 1e-12), "path l1");
    cr_expect(tu_close(mt->path_l2, l2, 1e-14, 1e-12), "path l2");
    size_t nb;
    double bal = ref_balance(th, M, bias, d->x, n, &nb);
    cr_expect(tu_close(mt->balance, bal, 1e-13, 1e-11), "balance %g vs %g", mt->balance, bal);
    double lmax = ref_lambda_max_K(th, M, bias, d->x, n);
    cr_expect(tu_close(mt->lambda_max, lmax, 1e-12, 1e-10), "lambda_max %g vs %g",
              mt->lambda_max, lmax);
    cr_expect(tu_close(mt->eta_lambda, c->eta * lmax, 1e-12, 1e-10));
    cr_expect(tu_close(mt->loss_floor, c->eta * c->sigma * c->sigma / (4.0 * c->batch) * mt->reg,
                       0, 1e-14));

    double *pos = malloc(M * sizeof *pos), *slope = malloc(M * sizeof *slope);
    size_t nk = ref_effective_kinks(th, M, bias, d->x[0], d->x[n - 1], pos, slope);
    cr_expect_eq(mt->nkinks, nk, "effective kinks %zu vs %zu", mt->nkinks, nk);
    for (size_t q = 0; q < nk && q < mt->nkinks; q++) {
        cr_expect(tu_close(mt->kink_x[q], pos[q], 1e-14, 1e-12), "kink %zu position", q);
        cr_expect(tu_close(mt->kink_s[q], slope[q], 1e-14, 1e-12), "kink %zu slope", q);
    }
    cr_expect_eq(mt->convex_h, ref_convexity_changes_h(th, M, bias, d->x[0], d->x[n - 1]));
    cr_expect_eq(mt->convex_data, ref_convexity_changes_data(d->x, d->y, n));
    cr_expect(tu_close(mt->spline_tv, ref_spline_tv(d->x, d->y, n), 1e-14, 1e-12));

    /* On a grid of G intervals the finite-difference slopes carry rounding
     * of about 1e-16 |h| / dt each, so TV differs by at most ~G^2 1e-16. */
    const size_t G = 20000;
    double tvg = ref_tv_hprime_grid(th, M, bias, d->x[0], d->x[n - 1], G);
    cr_expect(tu_close(mt->tv_hprime, tvg, 1e-6, 1e-6), "TV(h') %g vs grid %g", mt->tv_hprime,
              tvg);
    /* The grid maximum is a lower bound, short of the exact one by at most
     * max|h' - spline'| * dt. */
    double devg = ref_max_dev_spline_grid(th, M, bias, d->x, d->y, n, G);
    double dt = (d->x[n - 1] - d->x[0]) / (double)G;
    cr_expect(mt->max_dev_spline >= devg - 1e-14, "exact max %g below grid %g",
              mt->max_dev_spline, devg);
    cr_expect(mt->max_dev_spline <= devg + (l1 + 10.0) * dt, "exact max %g vs grid %g",
              mt->max_dev_spline, devg);
    free(pos);
    free(slope);
    free(g);
    free(mt);
}

Test(metrics, match_the_reference_at_init_and_during_training)
{
    enum ou_data_kind kinds[] = {OU_DATA_SIN3X, OU_DATA_X2, OU_DATA_ABS, OU_DATA_RANDOM};
    for (int k = 0; k < 4; k++) {
        struct ou_config c;
        ou_config_default(&c);
        c.seed = 10 + (uint64_t)k;
        c.bias = k != 2;
        c.batch = (size_t)(1 + k);
        struct ou_engine *e = tu_engine(kinds[k], 8 + (size_t)k, &c);
        cr_assert_not_null(e);
        check_against_reference(e);
        ou_engine_run(e, 20000, NULL);
        check_against_reference(e);
        ou_engine_destroy(e);
    }
}

Test(metrics, match_the_reference_for_a_wide_net)
{
    struct ou_config c;
    ou_config_default(&c);
    c.width = 300;
    c.eta = 0.01;
    struct ou_engine *e = tu_engine(OU_DATA_SIN3X, 16, &c);
    cr_assert_not_null(e);
    ou_engine_run(e, 2000, NULL);
    check_against_reference(e);
    ou_engine_destroy(e);
}

/* K's trace is reg, so the largest eigenvalue lies in [reg/n, reg]. */
Test(metrics, lambda_max_is_bounded_by_reg)
{
    struct ou_engine *e = tu_engine(OU_DATA_SIN3X, 8, NULL);
    struct ou_metrics *mt = malloc(sizeof *mt);
    ou_engine_metrics(e, mt);
    cr_expect(mt->lambda_max <= mt->reg * (1 + 1e-12) && mt->lambda_max >= mt->reg / 8.0);
    free(mt);
    ou_engine_destroy(e);
}

Test(metrics, snapshot_samples_the_curve_and_takes_the_trace)
{
    struct ou_engine *e = tu_engine(OU_DATA_SIN3X, 8, NULL);
    struct ou_snapshot *s = malloc(sizeof *s);
    ou_engine_run(e, 500, NULL);
    struct ou_snapshot_req req = {.lo = -1.2, .hi = 1.2, .ncurve = 101};
    cr_assert_eq(ou_engine_snapshot(e, s, &req), OU_OK);
    cr_expect_eq(s->step, 500);
    cr_expect_eq(s->trace.steps, 500);
    cr_expect(s->trace.loss_min <= s->trace.loss_sum / 500 &&
              s->trace.loss_sum / 500 <= s->trace.loss_max);
    cr_expect_eq(s->ncurve, 101);
    const struct ou_model *m = ou_engine_model(e);
    for (size_t k = 0; k < 101; k++) {
        double x = -1.2 + 2.4 * (double)k / 100.0;
        cr_expect(tu_close(s->curve[k], ref_h(ou_engine_theta(e), m->width, m->bias, x), 1e-13,
                           1e-12));
    }
    cr_expect_eq(s->data.n, 8);
    /* The trace was taken: the next snapshot without steps has none. */
    ou_engine_snapshot(e, s, &req);
    cr_expect_eq(s->trace.steps, 0);
    req.ncurve = OU_CURVE_MAX + 5;
    ou_engine_snapshot(e, s, &req);
    cr_expect_eq(s->ncurve, OU_CURVE_MAX);
    free(s);
    ou_engine_destroy(e);
}

/* Projection: noise-free full-batch descent to L < 1e-20, reg measured there. */
Test(metrics, projection_reaches_zero_loss_and_reports_reg_there)
{
    struct ou_engine *e = tu_engine(OU_DATA_SIN3X, 8, NULL);
    ou_engine_run(e, 50000, NULL);
    struct ou_projection pr;
    size_t p = ou_engine_model(e)->p;
    double *t = malloc(p * sizeof *t);
    memcpy(t, ou_engine_theta(e), p * sizeof *t);
    cr_assert_eq(ou_engine_project(e, false, &pr), OU_OK);
    cr_expect(pr.converged, "projection loss %g after %llu steps", pr.loss,
              (unsigned long long)pr.iters);
    cr_expect(pr.loss < OU_PROJECT_TOL);
    cr_expect_eq(memcmp(t, ou_engine_theta(e), p * sizeof *t), 0, "project without apply moved");
    cr_assert_eq(ou_engine_project(e, true, &pr), OU_OK);
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    double reg = ref_reg(ou_engine_theta(e), m->width, m->bias, d->x, d->n);
    cr_expect(tu_close(pr.reg, reg, 1e-12, 1e-12));
    cr_expect(ref_loss(ou_engine_theta(e), m->width, m->bias, d->x, d->y, d->n) < 1e-19);
    free(t);
    ou_engine_destroy(e);
}

/*
 * max |h - spline| over [x_1, x_n] computed independently of the engine:
 * both are piecewise linear, so the maximum sits at a data point (where the
 * spline is y_i) or at a kink t_j = -b_j / w_j of h inside (x_1, x_n).
 */
static double
exact_max_dev(const double *th, size_t M, bool bias, const struct ou_data *d)
{
    const double *w = th + M, *b = th + 2 * M;
    size_t n = d->n;
    double worst = 0.0;
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs(ref_h(th, M, bias, d->x[i]) - d->y[i]));
    for (size_t j = 0; j < M; j++) {
        if (!(fabs(w[j]) > 0.0))
            continue;
        double t = -b[j] / w[j];
        if (t > d->x[0] && t < d->x[n - 1])
            worst = fmax(worst, fabs(ref_h(th, M, bias, t) - ref_spline(d->x, d->y, n, t)));
    }
    return worst;
}

/*
 * On the zero-loss set h passes through every data point, so all of
 * max |h - spline| comes from the kinks between them.  After projecting
 * (apply), the metric must be the exact maximum (h is a sum of 32 O(1)
 * terms, rounded in another order: 1e-13 abs) and at least the maximum over
 * a fine grid.
 */
Test(metrics, max_dev_spline_after_projection_is_the_maximum_at_the_kinks)
{
    struct ou_engine *e = tu_engine(OU_DATA_SIN3X, 8, NULL);
    cr_assert_not_null(e);
    ou_engine_run(e, 20000, NULL);
    struct ou_projection pr;
    cr_assert_eq(ou_engine_project(e, true, &pr), OU_OK);
    cr_assert(pr.converged);
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    const double *th = ou_engine_theta(e);
    struct ou_metrics *mt = malloc(sizeof *mt);
    cr_assert_eq(ou_engine_metrics(e, mt), OU_OK);
    double want = exact_max_dev(th, m->width, m->bias, d);
    double grid = ref_max_dev_spline_grid(th, m->width, m->bias, d->x, d->y, d->n, 20000);
    cr_expect(want > 1e-3, "the interpolant should bend away from the spline: %g", want);
    cr_expect(tu_close(mt->max_dev_spline, want, 1e-13, 1e-12), "max_dev_spline %.17g, exact %.17g",
              mt->max_dev_spline, want);
    cr_expect(mt->max_dev_spline >= grid - 1e-13, "%.17g below the grid's %.17g",
              mt->max_dev_spline, grid);
    check_against_reference(e);
    free(mt);
    ou_engine_destroy(e);
}

/*
 * Hand-made fit of the line y = 0.3 x + 0.1 on 9 points: a unit with its
 * kink left of the data draws the line, and three hats of heights 0.04,
 * 0.07 and 0.1 add bumps centred at -0.95, 0.125 and 0.95.  The middle one
 * sits inside a gap of the data; the outer ones reach past x_1 and x_n, so
 * a tall one has its peak as the first (or last) kink inside (x_1, x_n) and
 * moves the end point by at most 0.05.  Whichever hat is tallest, max
 * |h - spline| is its height 0.1, at its peak: exact to rounding, 1e-14.
 * The units are listed out of x order.
 */
Test(metrics, max_dev_spline_finds_the_tallest_bump_between_data_points)
{
    struct ou_data d;
    memset(&d, 0, sizeof d);
    d.n = 9;
    d.kind = OU_DATA_CUSTOM;
    snprintf(d.name, sizeof d.name, "line");
    for (size_t i = 0; i < 9; i++) {
        d.x[i] = -1.0 + 0.25 * (double)i;
        d.y[i] = 0.3 * d.x[i] + 0.1;
    }
    const double centre[3] = {-0.95, 0.125, 0.95};
    const double heights[3][3] = {{0.1, 0.04, 0.07}, {0.04, 0.1, 0.07}, {0.07, 0.04, 0.1}};
    struct ou_config c;
    ou_config_default(&c);
    c.width = 10;
    for (int k = 0; k < 3; k++) {
        struct ou_engine *e = NULL;
        cr_assert_eq(ou_engine_create(&e, &c, &d), OU_OK);
        double th[31] = {0};
        double *a = th, *w = th + 10, *b = th + 20;
        /* The line: 0.3 relu(x + 2) - 0.5 = 0.3 x + 0.1 on [-2, inf). */
        a[0] = 0.3, w[0] = 1.0, b[0] = 2.0, th[30] = -0.5;
        for (int hat = 0; hat < 3; hat++) {
            double H = heights[k][hat], t = centre[hat];
            /* relu(x - t + H) - 2 relu(x - t) + relu(x - t - H): height H on [t-H, t+H]. */
            const double at[3] = {t - H, t, t + H}, aa[3] = {1.0, -2.0, 1.0};
            for (int q = 0; q < 3; q++) {
                int j = 9 - (3 * hat + q); /* units out of x order */
                a[j] = aa[q], w[j] = 1.0, b[j] = -at[q];
            }
        }
        cr_assert_eq(ou_engine_set_theta(e, th, 31), OU_OK);
        struct ou_metrics *mt = malloc(sizeof *mt);
        cr_assert_eq(ou_engine_metrics(e, mt), OU_OK);
        double want = exact_max_dev(th, 10, true, &d);
        cr_expect(tu_close(want, 0.1, 1e-14, 0), "reference: tallest hat %d gives %.17g", k,
                  want);
        cr_expect(tu_close(mt->max_dev_spline, want, 1e-14, 0), "case %d: %.17g vs %.17g", k,
                  mt->max_dev_spline, want);
        free(mt);
        ou_engine_destroy(e);
    }
}

/*
 * Kinks chain: a kink joins a cluster when it is within tol = 1e-3 (x_n -
 * x_1) of the previous kink, not of the cluster's first.  Kinks at 0,
 * 0.6 tol and 1.2 tol are one effective kink at their mean 0.6 tol with
 * their summed slope change 3 (a_j = w_j = 1), although 1.2 tol from 0 is
 * more than tol.  Positions are -b_j exactly; 1e-15 covers the mean.
 */
Test(metrics, kinks_within_the_merge_distance_chain_into_one)
{
    struct ou_config c;
    ou_config_default(&c);
    c.width = 3;
    struct ou_engine *e = tu_engine(OU_DATA_SIN3X, 8, &c);
    cr_assert_not_null(e);
    const struct ou_data *d = ou_engine_data(e);
    const double tol = 1e-3 * (d->x[d->n - 1] - d->x[0]);
    /* Units out of order: 1.2 tol, 0, 0.6 tol. */
    double th[10] = {1, 1, 1, 1, 1, 1, -1.2 * tol, 0.0, -0.6 * tol, 0.25};
    cr_assert_eq(ou_engine_set_theta(e, th, 10), OU_OK);
    struct ou_metrics *mt = malloc(sizeof *mt);
    cr_assert_eq(ou_engine_metrics(e, mt), OU_OK);
    double pos[3], slope[3];
    size_t nk = ref_effective_kinks(th, 3, true, d->x[0], d->x[d->n - 1], pos, slope);
    cr_expect_eq(nk, 1, "reference: %zu effective kinks", nk);
    cr_assert_eq(mt->nkinks, nk, "%zu effective kinks, reference %zu", mt->nkinks, nk);
    cr_expect(tu_close(mt->kink_x[0], 0.6 * tol, 1e-15, 0), "position %.17g", mt->kink_x[0]);
    cr_expect(tu_close(mt->kink_x[0], pos[0], 1e-15, 0));
    cr_expect(tu_close(mt->kink_s[0], 3.0, 1e-15, 0), "slope change %.17g", mt->kink_s[0]);
    cr_expect(tu_close(mt->kink_s[0], slope[0], 1e-15, 0));
    cr_expect_eq(mt->convex_h, 0);
    check_against_reference(e);
    free(mt);
    ou_engine_destroy(e);
}

/*
 * Ties: on 9 points x = -1, -0.75, ..., 1 (all exact) units whose
 * pre-activation is exactly 0 somewhere: a kink on the data point 0, kinks
 * exactly at x_1 and x_n (outside the open interval, so not kinks of the
 * metric), w = 0 with b > 0 (always on, no kink), w = 0 with b = 0 (u = 0
 * everywhere: never active), and a = 0 on an active unit (no balance
 * term).  relu'(0) = 0: u = 0 is inactive (reference.h).  Every metric must
 * match the reference; the live units and active pairs are counted here.
 */
Test(metrics, zero_pre_activations_are_inactive_and_kinks_at_the_ends_do_not_count)
{
    struct ou_config c;
    ou_config_default(&c);
    c.width = 7;
    struct ou_engine *e = tu_engine(OU_DATA_SIN3X, 9, &c);
    cr_assert_not_null(e);
    const struct ou_data *d = ou_engine_data(e);
    cr_assert(!(fabs(d->x[4]) > 0.0) && !(fabs(d->x[0] + 1.0) > 0.0));
    /*              a                                    w */
    double th[22] = {0.7, -0.4, 0.9, 0.5, -1.1, 0.3, 0.0, 1.3, 0.0, 0.0, -0.8, 0.6, -0.5, 1.0,
                     /* b */
                     0.0, 0.5, 0.0, -0.8, -0.6, 0.2, 0.3, /* c */ 0.1};
    cr_assert_eq(ou_engine_set_theta(e, th, 22), OU_OK);
    struct ou_metrics *mt = malloc(sizeof *mt);
    cr_assert_eq(ou_engine_metrics(e, mt), OU_OK);
    size_t live = 0, active = 0;
    for (size_t j = 0; j < 7; j++) {
        size_t cnt = 0;
        for (size_t i = 0; i < d->n; i++)
            cnt += th[7 + j] * d->x[i] + th[14 + j] > 0.0;
        active += cnt;
        live += cnt > 0;
    }
    cr_expect_eq(mt->live_units, live, "live units %zu, counted %zu", mt->live_units, live);
    cr_expect(tu_close(mt->active_frac, (double)active / (9.0 * 7.0), 1e-15, 0),
              "active fraction %g, counted %zu of 63", mt->active_frac, active);
    /* The kinks inside (-1, 1): unit 0 at 0, unit 5 at 0.4, unit 6 at -0.3; all distinct, so
     * TV(h') is the sum of their |a_j w_j|. */
    double tv = 0.7 * 1.3 + 0.3 * 0.5 + 0.0;
    cr_expect(tu_close(mt->tv_hprime, tv, 1e-15, 1e-14), "TV(h') %.17g, want %.17g",
              mt->tv_hprime, tv);
    cr_expect(tu_close(mt->max_dev_spline, exact_max_dev(th, 7, true, d), 1e-14, 1e-13));
    check_against_reference(e);
    free(mt);
    ou_engine_destroy(e);
}
