/*
 * The ridge setting of the lab (lab_ridge.c): its data drawn again here
 * from the documented stream order, its gradient against finite
 * differences, its test error and ridge solution against direct plain-loop
 * computations, the gradient-descent iterate against its closed form, and
 * the two predictions ouscope-science(7) makes for it: gradient descent at
 * step t is nearly ridge at lambda = 1/(eta t) (Ali, Kolter & Tibshirani,
 * arXiv:1810.10082), and fresh label noise holds the iterate's test error
 * above the noise-free path by the stationary OU spread.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ouscope/lab.h"
#include "ouscope/rng.h"
#include "reference.h"
#include "testutil.h"

#define NTEST 1000 /* held-out inputs of the setting */
#define DMAX 40
#define NMAX 20

/* The setting's data, drawn again from stream OU_RNG_DATA in its documented order. */
struct ridge_data {
    size_t d, n;
    double X[NMAX * DMAX];
    double Xt[NTEST * DMAX];
    double w[DMAX];
    double y[NMAX];
};

static void
redraw(const struct ou_lab_config *c, struct ridge_data *D)
{
    struct ou_rng r;
    struct ou_ziggurat z;
    cr_assert(c->dim <= DMAX && c->n <= NMAX);
    D->d = c->dim;
    D->n = c->n;
    ou_ziggurat_init(&z);
    ou_rng_seed(&r, c->seed, OU_RNG_DATA);
    for (size_t k = 0; k < D->n * D->d; k++)
        D->X[k] = ou_rng_normal(&r, &z);
    for (size_t k = 0; k < NTEST * D->d; k++)
        D->Xt[k] = ou_rng_normal(&r, &z);
    for (size_t k = 0; k < D->d; k++)
        D->w[k] = ou_rng_normal(&r, &z) / sqrt((double)D->d);
    for (size_t i = 0; i < D->n; i++) {
        double s = 0.0;
        for (size_t k = 0; k < D->d; k++)
            s += D->w[k] * D->X[i * D->d + k];
        D->y[i] = s + c->data_noise * ou_rng_normal(&r, &z);
    }
}

static double
dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t k = 0; k < n; k++)
        s += a[k] * b[k];
    return s;
}

/* (1/NTEST) sum_j <w - w*, x_j>^2 over the held-out inputs. */
static double
direct_err(const struct ridge_data *D, const double *w)
{
    double s = 0.0;
    for (size_t j = 0; j < NTEST; j++) {
        double r = 0.0;
        for (size_t k = 0; k < D->d; k++)
            r += (w[k] - D->w[k]) * D->Xt[j * D->d + k];
        s += r * r;
    }
    return s / NTEST;
}

static struct ou_lab *
ridge(struct ou_lab_config *c)
{
    struct ou_lab *l = NULL;
    cr_assert_eq(ou_lab_create(&l, c), OU_OK);
    return l;
}

static void
run_to(struct ou_lab *l, uint64_t t)
{
    uint64_t now = ou_lab_step_count(l), done = 0;
    cr_assert(t >= now);
    cr_assert_eq(ou_lab_run(l, t - now, &done), OU_OK);
    cr_assert_eq(done, t - now);
}

/*
 * K = (1/n) X X^T = U diag(s) U^T (n x n, reference Jacobi).  For d > n
 * every s_k > 0 and the iterates stay in the row space of X, so
 *   GD from 0:  theta_t = (1/n) X^T sum_k u_k (u_k . y) (1 - (1 - eta s_k)^t) / s_k,
 *   ridge:      w_lambda = (1/n) X^T sum_k u_k (u_k . y) / (s_k + lambda).
 */
struct kernel_eig {
    double s[NMAX];
    double U[NMAX * NMAX]; /* column k is u_k */
};

static void
kernel_eig(const struct ridge_data *D, struct kernel_eig *E)
{
    double K[NMAX * NMAX];
    const size_t n = D->n, d = D->d;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < n; k++)
            K[i * n + k] = dot(D->X + i * d, D->X + k * d, d) / n;
    ref_eig_sym(K, n, E->s, E->U);
}

/* out = (1/n) X^T sum_k u_k (u_k . y) f_k. */
static void
spectral(const struct ridge_data *D, const struct kernel_eig *E, const double *f, double *out)
{
    const size_t n = D->n, d = D->d;
    double a[NMAX] = {0};
    for (size_t k = 0; k < n; k++) {
        double uy = 0.0;
        for (size_t i = 0; i < n; i++)
            uy += E->U[i * n + k] * D->y[i];
        for (size_t i = 0; i < n; i++)
            a[i] += E->U[i * n + k] * uy * f[k];
    }
    for (size_t q = 0; q < d; q++) {
        out[q] = 0.0;
        for (size_t i = 0; i < n; i++)
            out[q] += D->X[i * d + q] * a[i] / n;
    }
}

Test(lab_ridge, data_follow_the_documented_draw)
{
    struct ou_lab_config c;
    ou_lab_config_default(&c, OU_LAB_RIDGE);
    c.seed = 7;
    struct ou_lab *l = ridge(&c);
    static struct ridge_data D;
    redraw(&c, &D);
    double g[DMAX];
    for (size_t i = 0; i < c.n; i++) {
        ou_lab_grad(l, i, ou_lab_theta(l), g);
        cr_expect_eq(memcmp(g, D.X + i * c.dim, c.dim * sizeof(double)), 0, "x_%zu", i);
        cr_expect(tu_close(ou_lab_label(l, i), D.y[i], 1e-14, 1e-13), "y_%zu", i);
    }
    struct ou_lab_obs o;
    cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
    cr_expect_eq(o.dim, c.dim);
    for (size_t k = 0; k < c.dim; k++) {
        cr_expect(tu_close(o.truth[k], D.w[k], 0.0, 1e-15));
        cr_expect(fabs(o.coef[k]) <= 0.0); /* theta starts at 0 */
    }
    ou_lab_destroy(l);
}

/* h is linear, so central differences are exact up to rounding. */
Test(lab_ridge, grad_matches_finite_differences)
{
    struct ou_lab_config c;
    ou_lab_config_default(&c, OU_LAB_RIDGE);
    c.init_scale = 0.8;
    struct ou_lab *l = ridge(&c);
    const size_t p = ou_lab_nparams(l);
    double th[DMAX], g[DMAX];
    memcpy(th, ou_lab_theta(l), p * sizeof(double));
    cr_expect(sqrt(dot(th, th, p)) > 0.1, "init_scale 0.8 gives a nonzero theta");
    for (size_t i = 0; i < c.n; i += 3) {
        double h0 = ou_lab_grad(l, i, th, g);
        cr_expect(tu_close(h0, dot(th, g, p), 1e-14, 1e-13));
        for (size_t k = 0; k < p; k++) {
            const double step = 1e-6 * fmax(1.0, fabs(th[k])), keep = th[k];
            th[k] = keep + step;
            double hp = ou_lab_grad(l, i, th, NULL);
            th[k] = keep - step;
            double hm = ou_lab_grad(l, i, th, NULL);
            th[k] = keep;
            double fd = (hp - hm) / (2.0 * step);
            cr_expect(tu_close(fd, g[k], 1e-8, 1e-6), "i %zu k %zu: %g vs %g", i, k, fd, g[k]);
        }
    }
    ou_lab_destroy(l);
}

/*
 * err and ridge_err against the direct sums over the held-out inputs;
 * ridge_coef against a plain Gaussian-elimination solve of
 * ((1/n) X^T X + lambda I) w = (1/n) X^T y and against the kernel form.
 */
Test(lab_ridge, ridge_solution_and_errors_match_references)
{
    struct ou_lab_config c;
    ou_lab_config_default(&c, OU_LAB_RIDGE);
    c.seed = 3;
    c.sigma = 0.3;
    static struct ridge_data D;
    redraw(&c, &D);
    struct kernel_eig E;
    kernel_eig(&D, &E);
    const size_t d = c.dim, n = c.n;
    const double lambdas[] = {0.3, 0.0};
    for (size_t m = 0; m < 2; m++) {
        c.ridge_lambda = lambdas[m];
        struct ou_lab *l = ridge(&c);
        struct ou_lab_obs o;
        cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
        if (m == 1) {
            /* t = 0 under the calibration: lambda = inf, the solution 0. */
            cr_expect(isinf(o.ridge_lambda) && o.ridge_lambda > 0.0);
            for (size_t k = 0; k < d; k++)
                cr_expect(fabs(o.ridge_coef[k]) <= 0.0);
            cr_expect(tu_close(o.ridge_err, direct_err(&D, o.ridge_coef), 0.0, 1e-12));
        }
        run_to(l, 137);
        cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
        const double lam = m == 0 ? 0.3 : 1.0 / (c.eta * 137.0);
        cr_expect(tu_close(o.ridge_lambda, lam, 0.0, 1e-15), "lambda %g, want %g", o.ridge_lambda,
                  lam);
        double A[DMAX * DMAX], b[DMAX], f[NMAX], wk[DMAX];
        for (size_t a = 0; a < d; a++) {
            for (size_t q = 0; q < d; q++) {
                double s = 0.0;
                for (size_t i = 0; i < n; i++)
                    s += D.X[i * d + a] * D.X[i * d + q];
                A[a * d + q] = s / n + (a == q ? lam : 0.0);
            }
            double s = 0.0;
            for (size_t i = 0; i < n; i++)
                s += D.X[i * d + a] * D.y[i];
            b[a] = s / n;
        }
        ref_solve(A, b, d);
        for (size_t k = 0; k < n; k++)
            f[k] = 1.0 / (E.s[k] + lam);
        spectral(&D, &E, f, wk);
        for (size_t k = 0; k < d; k++) {
            cr_expect(tu_close(o.ridge_coef[k], b[k], 1e-12, 1e-9), "w[%zu] %.15g vs %.15g", k,
                      o.ridge_coef[k], b[k]);
            cr_expect(tu_close(o.ridge_coef[k], wk[k], 1e-12, 1e-9));
            cr_expect(tu_close(o.coef[k], ou_lab_theta(l)[k], 0.0, 0.0));
        }
        cr_expect(tu_close(o.err, direct_err(&D, ou_lab_theta(l)), 0.0, 1e-12), "err %g vs %g",
                  o.err, direct_err(&D, ou_lab_theta(l)));
        cr_expect(tu_close(o.ridge_err, direct_err(&D, o.ridge_coef), 0.0, 1e-12));
        double l1 = 0.0;
        for (size_t k = 0; k < d; k++)
            l1 += fabs(ou_lab_theta(l)[k]);
        cr_expect(tu_close(o.l1, l1, 0.0, 1e-13));
        ou_lab_destroy(l);
    }
}

/* sigma = 0, B = n: the iterate is the closed form of plain GD from 0, to rounding. */
Test(lab_ridge, gradient_descent_follows_its_closed_form)
{
    struct ou_lab_config c;
    ou_lab_config_default(&c, OU_LAB_RIDGE);
    c.sigma = 0.0;
    c.seed = 5;
    c.eta = 0.05;
    static struct ridge_data D;
    redraw(&c, &D);
    struct kernel_eig E;
    kernel_eig(&D, &E);
    struct ou_lab *l = ridge(&c);
    const uint64_t ts[] = {1, 10, 100, 1000, 5000};
    for (size_t g = 0; g < sizeof ts / sizeof *ts; g++) {
        run_to(l, ts[g]);
        double f[NMAX], want[DMAX];
        for (size_t k = 0; k < c.n; k++)
            f[k] = (1.0 - pow(1.0 - c.eta * E.s[k], (double)ts[g])) / E.s[k];
        spectral(&D, &E, f, want);
        double scale = sqrt(dot(want, want, c.dim));
        for (size_t k = 0; k < c.dim; k++)
            cr_expect(fabs(ou_lab_theta(l)[k] - want[k]) < 1e-10 * scale, "t %llu k %zu",
                      (unsigned long long)ts[g], k);
    }
    ou_lab_destroy(l);
}

/*
 * Ali, Kolter & Tibshirani compare, eigendirection by eigendirection of
 * (1/n) X^T X (eigenvalue s), gradient flow at time tau, which keeps
 * 1 - exp(-s tau) of the least-squares coefficient, with ridge at
 * lambda = 1/tau, which keeps s tau / (1 + s tau).  Bias: exp(-x) <=
 * 1/(1 + x).  Variance: ((1 - e^-x)(1 + x)/x)^2 <= 1.6862 (its maximum,
 * near x = 1.8, computes to 1.6859; the paper states 1.6862).  Gradient
 * descent with step eta keeps 1 - (1 - u)^t, u = eta s: its bias factor
 * (1 - u)^t <= exp(-u t) is still below ridge's, its variance factor rises
 * a little above the flow's, so the bound for the discrete iterate is
 * c(u_max) = sup_x ((1 - (1 - u)^(x/u)) (1 + x)/x)^2, computed below (1.72
 * at the default u_max ~ 0.058).
 *
 * The bound holds for the expected estimation risk E|theta - w*|^2 over the
 * label noise.  Measured here: the mean over 20 seeds (each its own X, w*,
 * noise) of |theta_t - w*|^2 and of the same for ridge, and the same for the
 * test error err, at t on a grid.  With data_noise = 0 there is no variance
 * term and the bias comparison holds draw by draw: |theta_t - w*| <=
 * |w_ridge - w*| exactly.
 */
static double
gd_constant(double umax)
{
    double best = 0.0;
    for (int i = 1; i <= 20000; i++) {
        double x = 2e-4 * i * 5.0, t = x / umax;
        double f = (1.0 - pow(1.0 - umax, t)) * (1.0 + x) / x;
        best = fmax(best, f * f);
    }
    return best;
}

static double
dist2(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t k = 0; k < n; k++)
        s += (a[k] - b[k]) * (a[k] - b[k]);
    return s;
}

Test(lab_ridge, early_stopping_is_within_the_paper_factor_of_ridge, .timeout = 60)
{
    const uint64_t grid[] = {5, 20, 50, 100, 200, 500, 1000, 2000, 5000};
    enum { G = sizeof grid / sizeof *grid, SEEDS = 20 };
    double gd_est[G] = {0}, rd_est[G] = {0}, gd_err[G] = {0}, rd_err[G] = {0};
    double umax = 0.0;
    for (int seed = 1; seed <= SEEDS; seed++) {
        struct ou_lab_config c;
        ou_lab_config_default(&c, OU_LAB_RIDGE);
        c.sigma = 0.0;
        c.seed = (uint64_t)seed;
        static struct ridge_data D;
        redraw(&c, &D);
        struct kernel_eig E;
        kernel_eig(&D, &E);
        umax = fmax(umax, c.eta * E.s[c.n - 1]);
        struct ou_lab *l = ridge(&c);
        for (size_t g = 0; g < G; g++) {
            struct ou_lab_obs o;
            run_to(l, grid[g]);
            cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
            gd_est[g] += dist2(o.coef, o.truth, c.dim) / SEEDS;
            rd_est[g] += dist2(o.ridge_coef, o.truth, c.dim) / SEEDS;
            gd_err[g] += o.err / SEEDS;
            rd_err[g] += o.ridge_err / SEEDS;
        }
        ou_lab_destroy(l);
    }
    const double bound = gd_constant(umax);
    cr_expect(bound > 1.6859 && bound < 1.75, "c(%g) = %g", umax, bound);
    double worst = 0.0;
    for (size_t g = 0; g < G; g++) {
        double r = gd_est[g] / rd_est[g], re = gd_err[g] / rd_err[g];
        cr_log_info("t %llu: mean |theta - w*|^2 %.4f, ridge %.4f, ratio %.4f; test error ratio "
                    "%.4f",
                    (unsigned long long)grid[g], gd_est[g], rd_est[g], r, re);
        cr_expect(r <= bound, "t %llu: risk ratio %g > %g", (unsigned long long)grid[g], r, bound);
        worst = fmax(worst, fmax(r, re));
    }
    cr_log_info("largest ratio %.4f; bound for the discrete iterate %.4f (u_max %.4f)", worst,
                bound, umax);
}

Test(lab_ridge, without_data_noise_early_stopping_beats_ridge_draw_by_draw)
{
    for (int seed = 1; seed <= 5; seed++) {
        struct ou_lab_config c;
        ou_lab_config_default(&c, OU_LAB_RIDGE);
        c.sigma = 0.0;
        c.data_noise = 0.0;
        c.seed = (uint64_t)seed;
        struct ou_lab *l = ridge(&c);
        const uint64_t grid[] = {1, 10, 100, 1000, 10000};
        for (size_t g = 0; g < sizeof grid / sizeof *grid; g++) {
            struct ou_lab_obs o;
            run_to(l, grid[g]);
            cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
            double a = dist2(o.coef, o.truth, c.dim), b = dist2(o.ridge_coef, o.truth, c.dim);
            cr_expect(a <= b * (1.0 + 1e-12), "seed %d t %llu: %g > %g", seed,
                      (unsigned long long)grid[g], a, b);
        }
        ou_lab_destroy(l);
    }
}

/*
 * Fresh label noise, B = n.  The model is linear and the noise has mean 0,
 * so the mean iterate is the noise-free GD iterate; the spread around it
 * settles to S = sum_k eta sigma^2 / (n (2 - eta s_k)) v_k v_k^T over the
 * eigenpairs (s_k, v_k) of (1/n) X^T X with s_k > 0 (ouscope-science(7), OU
 * FLUCTUATIONS), and the expected test error sits above the noise-free
 * path's by tr(Sigma_test S), Sigma_test the held-out inputs' second
 * moment.  Measured: two labs with the same seed, at sigma and at 0, run
 * side by side; the mean of err(noisy) - err(clean) over the stationary
 * window, its standard error from 25 block means (5 of them allowed).
 */
Test(lab_ridge, label_noise_floor_above_the_noise_free_path, .timeout = 120)
{
    struct ou_lab_config c;
    ou_lab_config_default(&c, OU_LAB_RIDGE);
    c.seed = 2;
    c.eta = 0.2;
    c.sigma = 1.0;
    static struct ridge_data D;
    redraw(&c, &D);
    struct kernel_eig E;
    kernel_eig(&D, &E);
    const size_t n = c.n, d = c.dim;
    cr_assert(c.eta * E.s[n - 1] < 2.0, "eta lambda_max = %g", c.eta * E.s[n - 1]);

    /* tr(Sigma_test S) with v_k = X^T u_k / sqrt(n s_k). */
    double floor_pred = 0.0;
    for (size_t k = 0; k < n; k++) {
        double v[DMAX] = {0}, q = 0.0;
        for (size_t a = 0; a < d; a++) {
            for (size_t i = 0; i < n; i++)
                v[a] += D.X[i * d + a] * E.U[i * n + k];
            v[a] /= sqrt(n * E.s[k]);
        }
        for (size_t j = 0; j < NTEST; j++) {
            double pj = dot(D.Xt + j * d, v, d);
            q += pj * pj / NTEST;
        }
        floor_pred += c.eta * c.sigma * c.sigma / (n * (2.0 - c.eta * E.s[k])) * q;
    }

    struct ou_lab *noisy = ridge(&c);
    c.sigma = 0.0;
    struct ou_lab *clean = ridge(&c);
    /* Relaxation time of the slowest mode 1/(eta s_min): burn in 30 of them. */
    const uint64_t burn = (uint64_t)(30.0 / (c.eta * E.s[0])), every = 10;
    enum { BLOCKS = 25, PER = 200 };
    run_to(noisy, burn);
    run_to(clean, burn);
    double block[BLOCKS], sum = 0.0, above_ridge = 0.0;
    for (int b = 0; b < BLOCKS; b++) {
        block[b] = 0.0;
        for (int k = 0; k < PER; k++) {
            struct ou_lab_obs on, oc;
            run_to(noisy, ou_lab_step_count(noisy) + every);
            run_to(clean, ou_lab_step_count(clean) + every);
            cr_assert_eq(ou_lab_observe(noisy, &on), OU_OK);
            cr_assert_eq(ou_lab_observe(clean, &oc), OU_OK);
            block[b] += (on.err - oc.err) / PER;
            above_ridge += (on.err - on.ridge_err) / (BLOCKS * PER);
        }
        sum += block[b] / BLOCKS;
    }
    double var = 0.0;
    for (int b = 0; b < BLOCKS; b++)
        var += (block[b] - sum) * (block[b] - sum) / (BLOCKS - 1);
    const double se = sqrt(var / BLOCKS);
    cr_log_info("floor: measured %.5f +- %.5f, predicted %.5f; err - ridge_err %.5f", sum, se,
                floor_pred, above_ridge);
    cr_expect(fabs(sum - floor_pred) < 5.0 * se, "floor %g +- %g, predicted %g", sum, se,
              floor_pred);
    /* The floor is measurable: many standard errors above 0. */
    cr_expect(sum > 10.0 * se, "floor %g +- %g", sum, se);
    ou_lab_destroy(noisy);
    ou_lab_destroy(clean);
}
