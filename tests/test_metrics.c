/*
 * Every observable of a snapshot against the plain-loop reference: loss,
 * reg, |grad reg|, norms, path norms, balance, lambda_max of the NTK (Jacobi
 * eigenvalues, no LAPACK), effective kinks, convexity changes, TV(h') and
 * the distance to the spline (fine grids), and the loss-floor prediction.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <math.h>
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
