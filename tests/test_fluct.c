/*
 * Fluctuation analysis near the zero-error manifold: the eigen-directions
 * against a plain Jacobi reference, the tangent projector (J P_T = 0),
 * kicks (an output kick relaxes, a tangent kick leaves the outputs), and
 * the OU predictions of ouscope-science(7), OU FLUCTUATIONS: flat
 * parameter-direction variances eta sigma^2 / (B (2 - eta lambda_k)) and
 * their scaling with sigma.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ouscope/engine.h"
#include "ouscope/fluct.h"
#include "reference.h"
#include "testutil.h"

static struct ou_engine *
engine_at_interpolant(double eta, double sigma, uint64_t seed)
{
    struct ou_engine *e = tu_sin3x(8, eta, sigma, seed);
    cr_assert_not_null(e);
    ou_engine_run(e, 100000, NULL);
    struct ou_projection pr;
    cr_assert_eq(ou_engine_project(e, true, &pr), OU_OK);
    cr_assert(pr.converged);
    return e;
}

Test(fluct, directions_match_the_reference_and_span_the_row_space)
{
    struct ou_engine *e = engine_at_interpolant(0.05, 0.5, 4);
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    const double *th = ou_engine_theta(e);
    size_t n = d->n, p = m->p, ndir;
    double lambda[OU_FLUCT_MAX_DIRS];
    double *V = malloc(OU_FLUCT_MAX_DIRS * p * sizeof *V), *ptg = malloc(p * sizeof *ptg);
    cr_assert_eq(ou_fluct_directions(e, lambda, &ndir, V, ptg), OU_OK);
    cr_assert_eq(ndir, n, "8 points and 97 parameters: K should have full rank");

    double K[64], ev[8];
    ref_ntk(th, m->width, m->bias, d->x, n, K);
    ref_eig_sym(K, n, ev, NULL);
    for (size_t k = 0; k < n; k++)
        cr_expect(tu_close(lambda[k], ev[n - 1 - k], 1e-13, 1e-10), "lambda_%zu", k);
    /* Orthonormal rows. */
    for (size_t a = 0; a < ndir; a++)
        for (size_t b = 0; b < ndir; b++) {
            double dot = 0;
            for (size_t q = 0; q < p; q++)
                dot += V[a * p + q] * V[b * p + q];
            cr_expect(fabs(dot - (a == b)) < 1e-10, "v_%zu . v_%zu = %g", a, b, dot);
        }
    /* J P_T grad reg = 0: the tangent part changes no output to first order. */
    double *g = malloc(p * sizeof *g);
    for (size_t i = 0; i < n; i++) {
        ref_grad_h(th, m->width, m->bias, d->x[i], g);
        double dot = 0, scale = 0;
        for (size_t q = 0; q < p; q++) {
            dot += g[q] * ptg[q];
            scale += fabs(g[q] * ptg[q]);
        }
        cr_expect(fabs(dot) < 1e-12 * (scale + 1), "row %zu of J P_T grad reg = %g", i, dot);
    }
    /* And P_T grad reg is grad reg minus its row-space part. */
    double *gr = malloc(p * sizeof *gr);
    ref_reg_grad(th, m->width, m->bias, d->x, n, gr);
    for (size_t q = 0; q < p; q++) {
        double rs = 0;
        for (size_t k = 0; k < ndir; k++) {
            double dot = 0;
            for (size_t s = 0; s < p; s++)
                dot += V[k * p + s] * gr[s];
            rs += dot * V[k * p + q];
        }
        cr_expect(tu_close(ptg[q], gr[q] - rs, 1e-12, 1e-10));
    }
    free(V);
    free(ptg);
    free(g);
    free(gr);
    ou_engine_destroy(e);
}

static double
max_output_change(const struct ou_engine *e, const double *h0)
{
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    double worst = 0;
    for (size_t i = 0; i < d->n; i++)
        worst = fmax(worst, fabs(ou_model_forward(m, ou_engine_theta(e), d->x[i]) - h0[i]));
    return worst;
}

/*
 * A kick of size eps along v_1 changes the outputs by about eps sqrt(n
 * lambda_1); a tangent kick only at second order, O(eps^2).  Without noise
 * the output kick then relaxes like (1 - eta lambda_1)^t: after 3 / (eta
 * lambda_1) steps the loss is below e^-6 < 1% of its value after the kick.
 */
Test(fluct, output_kick_relaxes_and_tangent_kick_keeps_the_outputs)
{
    struct ou_engine *e = engine_at_interpolant(0.05, 0.5, 5);
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    double h0[8];
    for (size_t i = 0; i < d->n; i++)
        h0[i] = ou_model_forward(m, ou_engine_theta(e), d->x[i]);
    size_t p = m->p;
    double *saved = malloc(p * sizeof *saved);
    memcpy(saved, ou_engine_theta(e), p * sizeof *saved);

    const double eps = 1e-4;
    cr_assert_eq(ou_fluct_kick(e, OU_KICK_TANGENT, eps), OU_OK);
    double tangent = max_output_change(e, h0);
    ou_engine_set_theta(e, saved, p);
    cr_assert_eq(ou_fluct_kick(e, OU_KICK_TOP, eps), OU_OK);
    double top = max_output_change(e, h0);
    cr_expect(top > 0.1 * eps, "a kick along v_1 should move the outputs: %g", top);
    cr_expect(tangent < 1e-3 * top, "tangent kick moved outputs by %g (top kick: %g)", tangent,
              top);

    struct ou_metrics *mt = malloc(sizeof *mt);
    ou_engine_metrics(e, mt);
    double l0 = mt->loss, lam = mt->lambda_max;
    ou_engine_set_sigma(e, 0.0);
    ou_engine_set_batch(e, 8);
    ou_engine_run(e, (uint64_t)ceil(3.0 / (0.05 * lam)), NULL);
    ou_engine_metrics(e, mt);
    cr_expect(mt->loss < 0.01 * l0, "loss %g after relaxing, %g after the kick", mt->loss, l0);

    /* Downhill along the manifold lowers reg, uphill raises it. */
    ou_engine_set_theta(e, saved, p);
    ou_engine_metrics(e, mt);
    double r0 = mt->reg;
    ou_fluct_kick(e, OU_KICK_DOWNHILL, 1e-3);
    ou_engine_metrics(e, mt);
    cr_expect(mt->reg < r0, "downhill kick: reg %g -> %g", r0, mt->reg);
    ou_engine_set_theta(e, saved, p);
    ou_fluct_kick(e, OU_KICK_UPHILL, 1e-3);
    ou_engine_metrics(e, mt);
    cr_expect(mt->reg > r0, "uphill kick: reg %g -> %g", r0, mt->reg);
    cr_expect_eq(ou_fluct_kick(e, OU_KICK_TOP, -1.0), OU_EINVAL);
    free(mt);
    free(saved);
    ou_engine_destroy(e);
}

/*
 * SCIENCE (ouscope-science(7), OU FLUCTUATIONS): at a converged interpolant
 * of the ReLU net, full batch, eta = 0.05, sigma = 0.1, the variance of theta
 * along every v_k is eta sigma^2 / (B (2 - eta lambda_k)), nearly the same
 * for all k although lambda_k spans two decades.  Error budget: an AR(1)
 * with rho = 1 - eta lambda over W steps has N_eff = W (1 - rho)/(1 + rho)
 * ~ W eta lambda / 2 independent samples and a variance estimate with
 * relative sd sqrt(2 / N_eff).  W = 2 10^6 gives, for the slowest
 * direction (eta lambda ~ 1e-3), N_eff ~ 10^3 and sd ~ 4.5%; so each ratio
 * within 15% (> 3 sd), and their mean within 5%.  Doubling sigma must
 * multiply every variance by 4 (same directions, within 15% each), and
 * doubling eta by about 2 (ouscope-science(7), WHAT TO TRY).
 */
Test(fluct, parameter_direction_variances_are_flat_and_scale_with_sigma_squared, .timeout = 600)
{
    /* A converged theta*: label noise first takes reg to its plateau (4 10^6
     * steps at sigma = 0.5), where the drift along the manifold has stopped. */
    struct ou_engine *e = tu_sin3x(8, 0.05, 0.5, 1);
    cr_assert_eq(ou_engine_run(e, 4000000, NULL), OU_OK);
    ou_engine_set_sigma(e, 0.1);
    ou_engine_run(e, 100000, NULL);
    cr_assert_eq(ou_fluct_enable(e, 2000000), OU_OK);
    struct ou_fluct *f = malloc(sizeof *f);
    cr_assert_eq(ou_engine_run(e, 2000000, NULL), OU_OK);
    ou_fluct_get(e, f);
    cr_assert(f->valid && f->ndir == 8);
    double mean = 0;
    for (size_t k = 0; k < f->ndir; k++) {
        double ratio = f->var[k] / f->var_pred[k];
        mean += ratio / (double)f->ndir;
        cr_expect(fabs(ratio - 1.0) < 0.15, "direction %zu (lambda %g): ratio %g", k, f->lambda[k],
                  ratio);
        cr_log_info("k=%zu lambda=%.4g var/pred=%.3f acf1=%.5f (pred %.5f)", k, f->lambda[k], ratio,
                    f->acf1[k], f->acf1_pred[k]);
    }
    cr_expect(fabs(mean - 1.0) < 0.05, "mean ratio %g", mean);
    double v1[OU_FLUCT_MAX_DIRS];
    memcpy(v1, f->var, sizeof v1);

    ou_engine_set_sigma(e, 0.2);
    ou_engine_run(e, 100000, NULL);
    cr_assert_eq(ou_fluct_enable(e, 2000000), OU_OK);
    cr_assert_eq(ou_engine_run(e, 2000000, NULL), OU_OK);
    ou_fluct_get(e, f);
    for (size_t k = 0; k < f->ndir; k++)
        cr_expect(fabs(f->var[k] / v1[k] / 4.0 - 1.0) < 0.15, "direction %zu: x%g for 2 sigma", k,
                  f->var[k] / v1[k]);

    /* Doubling eta (sigma back at 0.1) multiplies Var(v_k . theta) by
     * 2 (2 - eta lambda_k) / (2 - 2 eta lambda_k): about 2, a little more in
     * the stiff directions.  The relaxation is twice as fast, so the same
     * window has twice the samples: 15% stays > 3 sd. */
    ou_engine_set_sigma(e, 0.1);
    ou_engine_set_eta(e, 0.1);
    ou_engine_run(e, 100000, NULL);
    cr_assert_eq(ou_fluct_enable(e, 2000000), OU_OK);
    cr_assert_eq(ou_engine_run(e, 2000000, NULL), OU_OK);
    ou_fluct_get(e, f);
    cr_assert(f->valid && f->ndir == 8);
    for (size_t k = 0; k < f->ndir; k++) {
        double el = 0.05 * f->lambda[k];
        double want = 2.0 * (2.0 - el) / (2.0 - 2.0 * el);
        cr_expect(fabs(f->var[k] / v1[k] / want - 1.0) < 0.15,
                  "direction %zu: x%g for 2 eta, want x%g", k, f->var[k] / v1[k], want);
    }
    free(f);
    ou_engine_destroy(e);
}

Test(fluct, tracking_refuses_bad_windows_and_large_data)
{
    struct ou_engine *e = tu_engine(OU_DATA_SIN3X, 8, NULL);
    cr_expect_eq(ou_fluct_enable(e, 5), OU_EINVAL);
    cr_expect_eq(ou_fluct_enable(e, 0), OU_OK);
    struct ou_fluct f;
    ou_fluct_get(e, &f);
    cr_expect(f.enabled && !f.valid && f.window >= 2000);
    ou_engine_destroy(e);
    e = tu_engine(OU_DATA_SIN3X, 65, NULL);
    cr_expect_eq(ou_fluct_enable(e, 0), OU_EINVAL);
    ou_engine_destroy(e);
}

/* The drift clock adds eta^2 sigma^2 / 4B per step and follows knob changes. */
Test(fluct, drift_clock_accumulates_per_step)
{
    struct ou_engine *e = tu_engine(OU_DATA_SIN3X, 8, NULL);
    ou_engine_run(e, 1000, NULL);
    ou_engine_set_sigma(e, 0.25);
    ou_engine_set_batch(e, 2);
    ou_engine_run(e, 500, NULL);
    double want = 1000 * 0.05 * 0.05 * 0.25 / 32.0 + 500 * 0.05 * 0.05 * 0.0625 / 8.0;
    cr_expect(tu_close(ou_fluct_clock(e), want, 1e-15, 1e-12), "%g vs %g", ou_fluct_clock(e), want);
    ou_engine_reset(e);
    cr_expect(ou_fluct_clock(e) < 1e-300);
    ou_engine_destroy(e);
}

/*
 * Predicted d reg / d step at the engine's current theta (an interpolant),
 * in two forms.  Small eta: -(eta^2 sigma^2 / 4B) |P_T grad reg|^2.
 * Finite eta (Damian et al.'s log-det regularizer, ouscope-science(7),
 * DRIFT): each eigenvalue's share of grad reg = sum_k grad lambda_k is
 * weighted by 1 / (1 - eta lambda_k / 2), giving -(eta^2 sigma^2 / 4B)
 * sum_k w_k (P_T grad reg) . grad lambda_k, where by Hellmann-Feynman
 * grad lambda_k = (2/n) sum_i u_ki Hess h_i (J^T u_k).  All from the
 * plain-loop reference, except P_T grad reg, which the engine gives.
 */
static void
drift_predictions(struct ou_engine *e, double eta, double sigma, size_t B, double *small,
                  double *finite)
{
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    const double *th = ou_engine_theta(e);
    size_t p = m->p, n = d->n, ndir;
    double lambda[OU_FLUCT_MAX_DIRS];
    double *V = malloc(OU_FLUCT_MAX_DIRS * p * sizeof *V), *ptg = malloc(p * sizeof *ptg);
    cr_assert_eq(ou_fluct_directions(e, lambda, &ndir, V, ptg), OU_OK);
    double *J = malloc(n * p * sizeof *J), *Ju = malloc(p * sizeof *Ju),
           *hv = malloc(p * sizeof *hv), *gl = malloc(p * sizeof *gl),
           *sum = calloc(p, sizeof *sum), *gr = malloc(p * sizeof *gr);
    double K[64 * 64], ev[64], U[64 * 64];
    for (size_t i = 0; i < n; i++)
        ref_grad_h(th, m->width, m->bias, d->x[i], J + i * p);
    ref_ntk(th, m->width, m->bias, d->x, n, K);
    ref_eig_sym(K, n, ev, U);
    double ss = 0, fin = 0;
    for (size_t q = 0; q < p; q++)
        ss += ptg[q] * ptg[q];
    for (size_t k = 0; k < n; k++) {
        memset(Ju, 0, p * sizeof *Ju);
        memset(gl, 0, p * sizeof *gl);
        for (size_t i = 0; i < n; i++)
            for (size_t q = 0; q < p; q++)
                Ju[q] += U[i * n + k] * J[i * p + q];
        for (size_t i = 0; i < n; i++) {
            ref_hess_vec(th, m->width, m->bias, d->x[i], Ju, hv);
            for (size_t q = 0; q < p; q++)
                gl[q] += 2.0 / (double)n * U[i * n + k] * hv[q];
        }
        double dot = 0;
        for (size_t q = 0; q < p; q++) {
            dot += ptg[q] * gl[q];
            sum[q] += gl[q];
        }
        fin += dot / (1.0 - eta * ev[k] / 2.0);
    }
    /* Consistency: the eigenvalue gradients add up to grad reg. */
    ref_reg_grad(th, m->width, m->bias, d->x, n, gr);
    for (size_t q = 0; q < p; q++)
        cr_assert(tu_close(sum[q], gr[q], 1e-9, 1e-7), "sum_k grad lambda_k != grad reg at %zu", q);
    double k0 = eta * eta * sigma * sigma / (4.0 * (double)B);
    *small = -k0 * ss;
    *finite = -k0 * fin;
    free(V);
    free(ptg);
    free(J);
    free(Ju);
    free(hv);
    free(gl);
    free(sum);
    free(gr);
}

/*
 * SCIENCE (ouscope-science(7), DRIFT): along the zero-loss manifold label
 * noise moves reg at the rate -(eta^2 sigma^2 / 4B) |P_T grad reg|^2 per
 * step for small eta, and with the finite-eta weights of Damian et al.
 * Set-up: eta = 0.01, sigma = 0.4, full batch, from one plain-GD
 * interpolant (where eta lambda_max ~ 0.25, so the finite-eta weights
 * reach 1 / (1 - 0.125)); 24 replicas with their own noise; projected reg
 * measured at t = 10^4 and 3 10^4 (slopes, not values: projecting back
 * adds a one-off shift).  Each prediction is averaged over the two
 * projected end points.  The replica spread gives a standard error near
 * 1%; both ratios must be within 10% (the acceptance figure).
 */
Test(fluct, projected_reg_drifts_at_the_predicted_rate, .timeout = 300)
{
    const double eta = 0.01, sigma = 0.4;
    const int R = 24;
    struct ou_engine *e = tu_sin3x(8, eta, sigma, 1);
    struct ou_projection pr;
    cr_assert_eq(ou_engine_project(e, true, &pr), OU_OK);
    size_t p = ou_engine_model(e)->p;
    double *start = malloc(p * sizeof *start);
    memcpy(start, ou_engine_theta(e), p * sizeof *start);

    double sum = 0, sumsq = 0, sumf = 0, s1, f1, s2, f2;
    for (int r = 0; r < R; r++) {
        ou_engine_reseed(e, 100 + (uint64_t)r);
        cr_assert_eq(ou_engine_set_theta(e, start, p), OU_OK);
        cr_assert_eq(ou_engine_run(e, 10000, NULL), OU_OK);
        size_t ndone = p;
        double *keep = malloc(ndone * sizeof *keep);
        memcpy(keep, ou_engine_theta(e), p * sizeof *keep);
        cr_assert_eq(ou_engine_project(e, true, &pr), OU_OK);
        double reg1 = pr.reg;
        drift_predictions(e, eta, sigma, 8, &s1, &f1);
        cr_assert_eq(ou_engine_set_theta(e, keep, p), OU_OK);
        cr_assert_eq(ou_engine_run(e, 20000, NULL), OU_OK);
        cr_assert_eq(ou_engine_project(e, true, &pr), OU_OK);
        double reg2 = pr.reg;
        drift_predictions(e, eta, sigma, 8, &s2, &f2);
        double slope = (reg2 - reg1) / 20000.0;
        double ratio = slope / (0.5 * (s1 + s2));
        sum += ratio;
        sumsq += ratio * ratio;
        sumf += slope / (0.5 * (f1 + f2));
        free(keep);
    }
    double mean = sum / R, sd = sqrt(fmax(sumsq / R - mean * mean, 0.0)), meanf = sumf / R;
    cr_log_info("drift slope / small-eta prediction %.3f (replica sd %.3f, standard error %.3f); "
                "/ finite-eta prediction %.3f",
                mean, sd, sd / sqrt((double)R), meanf);
    cr_expect(fabs(mean - 1.0) < 0.10, "measured/small-eta drift slope %g (replica sd %g)", mean,
              sd);
    cr_expect(fabs(meanf - 1.0) < 0.10, "measured/finite-eta drift slope %g", meanf);
    free(start);
    ou_engine_destroy(e);
}

/*
 * The window's predictions are formulas of the knobs and of theta_ref (the
 * theta at which tracking started), recomputed here from the reference:
 * the eigenvalues lambda_k of K = (1/n) J J^T (Jacobi), and P_T grad reg =
 * g - J^T (J J^T)^+ J g with g = grad reg and (J J^T)^+ = U diag(1 / (n
 * lambda_k)) U^T over the lambda_k > 1e-10 lambda_1 the engine keeps.  Then
 *   drift_pred     = -(eta^2 sigma^2 / 4B) |P_T grad reg|^2,
 *   res_var_pred_k = (n/B) eta lambda_k sigma^2 / (2 - eta lambda_k).
 * B = 4 < n = 8 so that n/B and 1/B differ.  LAPACK and Jacobi agree on the
 * eigen-pairs to ~1e-13 relative (K's condition number is ~1e3 here), which
 * the projection carries into |P_T grad reg|^2: 1e-9 relative.
 */
Test(fluct, window_predictions_follow_their_formulas)
{
    const double eta = 0.05, sigma = 0.4;
    const size_t B = 4;
    struct ou_engine *e = tu_sin3x(B, eta, sigma, 7);
    cr_assert_not_null(e);
    cr_assert_eq(ou_engine_run(e, 2000, NULL), OU_OK);
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    size_t p = m->p, n = d->n;
    double *ref = malloc(p * sizeof *ref);
    memcpy(ref, ou_engine_theta(e), p * sizeof *ref);
    cr_assert_eq(ou_fluct_enable(e, OU_FLUCT_MIN_WINDOW), OU_OK);
    cr_assert_eq(ou_engine_run(e, OU_FLUCT_MIN_WINDOW, NULL), OU_OK);
    struct ou_fluct *f = malloc(sizeof *f);
    ou_fluct_get(e, f);
    cr_assert(f->valid && f->windows == 1, "one window should have completed");

    double K[64], ev[8], U[64], *J = malloc(n * p * sizeof *J), *g = malloc(p * sizeof *g);
    ref_ntk(ref, m->width, m->bias, d->x, n, K);
    ref_eig_sym(K, n, ev, U);
    for (size_t i = 0; i < n; i++)
        ref_grad_h(ref, m->width, m->bias, d->x[i], J + i * p);
    ref_reg_grad(ref, m->width, m->bias, d->x, n, g);
    double Jg[8], cf[8], top = ev[n - 1];
    for (size_t i = 0; i < n; i++) {
        Jg[i] = 0.0;
        for (size_t q = 0; q < p; q++)
            Jg[i] += J[i * p + q] * g[q];
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        cf[i] = 0.0;
    for (size_t k = 0; k < n; k++) {
        if (!(ev[k] > 1e-10 * top))
            continue;
        kept++;
        double dot = 0.0;
        for (size_t i = 0; i < n; i++)
            dot += U[i * n + k] * Jg[i];
        for (size_t i = 0; i < n; i++)
            cf[i] += U[i * n + k] * dot / ((double)n * ev[k]);
    }
    double ss = 0.0;
    for (size_t q = 0; q < p; q++) {
        double pt = g[q];
        for (size_t i = 0; i < n; i++)
            pt -= J[i * p + q] * cf[i];
        ss += pt * pt;
    }
    cr_assert_eq(f->ndir, kept, "%zu directions, reference %zu", f->ndir, kept);
    double drift = -(eta * eta * sigma * sigma / (4.0 * (double)B)) * ss;
    cr_expect(tu_close(f->ptreg_norm, sqrt(ss), 0, 1e-9), "|P_T grad reg| %.17g vs %.17g",
              f->ptreg_norm, sqrt(ss));
    cr_expect(tu_close(f->drift_pred, drift, 0, 1e-9), "drift_pred %.17g vs %.17g", f->drift_pred,
              drift);
    for (size_t k = 0; k < f->ndir; k++) {
        double lam = ev[n - 1 - k];
        double want = ((double)n / (double)B) * eta * lam * sigma * sigma / (2.0 - eta * lam);
        /* lambda_k to 1e-13 lambda_1 absolute (Jacobi vs LAPACK) moves want by as much. */
        cr_expect(tu_close(f->res_var_pred[k], want, 1e-12 * top, 1e-10),
                  "res_var_pred[%zu] %.17g vs %.17g", k, f->res_var_pred[k], want);
    }
    free(ref);
    free(f);
    free(J);
    free(g);
    ou_engine_destroy(e);
}
