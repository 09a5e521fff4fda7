/*
 * The linear random-features model, where the OU picture of
 * ouscope-science(7), OU FLUCTUATIONS, is exact: residual variances along
 * the NTK eigenvectors, their autocorrelation at lag tau, the untouched
 * null space, and for B = 1 the exact second moment from the discrete
 * Lyapunov equation solved here by plain Gaussian elimination.
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

#define N 4  /* points */
#define P 10 /* features, no bias */

static struct ou_engine *
linear_engine(double eta, double sigma, size_t B)
{
    struct ou_config c;
    struct ou_data d;
    struct ou_engine *e = NULL;
    ou_config_default(&c);
    c.model = OU_MODEL_LINEAR;
    c.width = P;
    c.bias = false;
    c.eta = eta;
    c.sigma = sigma;
    c.batch = B;
    c.seed = 3;
    ou_data_builtin(&d, OU_DATA_SIN3X, N, 1);
    cr_assert_eq(ou_engine_create(&e, &c, &d), OU_OK);
    /* Start at the minimum-norm interpolant: noise-free descent from theta = 0. */
    struct ou_projection pr;
    cr_assert_eq(ou_engine_project(e, true, &pr), OU_OK);
    cr_assert(pr.converged, "no interpolant: L = %g", pr.loss);
    return e;
}

/* Phi (N x P) from the model's per-sample gradients. */
static void
features(struct ou_engine *e, double *Phi)
{
    const struct ou_data *d = ou_engine_data(e);
    ou_model_jacobian(ou_engine_model(e), ou_engine_theta(e), N, d->x, Phi, NULL);
}

/* K = (1/N) Phi Phi^T and its eigenpairs (reference Jacobi, ascending). */
static void
ntk_eig(const double *Phi, double *lam, double *U)
{
    double K[N * N];
    for (int i = 0; i < N; i++)
        for (int k = 0; k < N; k++) {
            double s = 0;
            for (int q = 0; q < P; q++)
                s += Phi[i * P + q] * Phi[k * P + q];
            K[i * N + k] = s / N;
        }
    ref_eig_sym(K, N, lam, U);
}

struct series {
    double *r[N]; /* residual projections u_k . r per step */
    size_t len;
};

/* Step one at a time, recording u_k . (h - y) for every k. */
static void
record(struct ou_engine *e, const double *U, size_t steps, struct series *s)
{
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    for (int k = 0; k < N; k++)
        s->r[k] = malloc(steps * sizeof(double));
    s->len = steps;
    for (size_t t = 0; t < steps; t++) {
        cr_assert_eq(ou_engine_run(e, 1, NULL), OU_OK);
        double res[N];
        for (int i = 0; i < N; i++)
            res[i] = ou_model_forward(m, ou_engine_theta(e), d->x[i]) - d->y[i];
        for (int k = 0; k < N; k++) {
            double v = 0;
            for (int i = 0; i < N; i++)
                v += U[i * N + k] * res[i];
            s->r[k][t] = v;
        }
    }
}

static double
mean_of(const double *x, size_t n)
{
    double s = 0;
    for (size_t t = 0; t < n; t++)
        s += x[t];
    return s / (double)n;
}

static double
var_of(const double *x, size_t n)
{
    double m = mean_of(x, n), s = 0;
    for (size_t t = 0; t < n; t++)
        s += (x[t] - m) * (x[t] - m);
    return s / (double)n;
}

static double
autocorr(const double *x, size_t n, size_t lag)
{
    double m = mean_of(x, n), v = var_of(x, n), s = 0;
    for (size_t t = 0; t + lag < n; t++)
        s += (x[t] - m) * (x[t + lag] - m);
    return s / (double)(n - lag) / v;
}

static void
free_series(struct series *s)
{
    for (int k = 0; k < N; k++)
        free(s->r[k]);
}

/*
 * SCIENCE: full batch, exact linear OU.  Var(u_k . r) = eta lambda_k sigma^2
 * / (2 - eta lambda_k) and Corr(lag tau) = (1 - eta lambda_k)^tau.  Error
 * budget: N_eff = W eta lambda / (2 - eta lambda) independent samples;
 * with W = 6 10^6 and the slowest eta lambda = 0.002 (eta = 0.05), N_eff =
 * 6000, so the variance's relative sd is sqrt(2/N_eff) = 1.8% and the
 * autocorrelation's sd <~ 1/sqrt(N_eff) = 0.013: tolerances 5% and 0.05
 * are ~3-4 sd.  The null-space part of theta never moves (rounding only).
 */
static void
check_full_batch(double eta, size_t steps)
{
    const double sigma = 0.3;
    struct ou_engine *e = linear_engine(eta, sigma, N);
    double Phi[N * P], lam[N], U[N * N];
    features(e, Phi);
    ntk_eig(Phi, lam, U);
    double th0[P];
    memcpy(th0, ou_engine_theta(e), sizeof th0);

    struct series s;
    ou_engine_run(e, 20000, NULL);
    record(e, U, steps, &s);
    for (int k = 0; k < N; k++) {
        double x = eta * lam[k];
        double pred = x * sigma * sigma / (2.0 - x);
        double v = var_of(s.r[k], s.len);
        cr_expect(fabs(v / pred - 1.0) < 0.05, "eta %g, lambda %g: Var(u.r) %g, predicted %g", eta,
                  lam[k], v, pred);
        size_t tau = (size_t)ceil(1.0 / x);
        double ac = autocorr(s.r[k], s.len, tau), acp = pow(1.0 - x, (double)tau);
        cr_expect(fabs(ac - acp) < 0.05, "lambda %g: autocorrelation at lag %zu %g, predicted %g",
                  lam[k], tau, ac, acp);
        cr_log_info("eta=%g lambda=%.4f var/pred=%.4f acf(%zu)=%.3f pred %.3f", eta, lam[k],
                    v / pred, tau, ac, acp);
    }
    /* theta - theta0 stays in the row space of Phi: its null-space part is ~0. */
    double V[N * P], d[P], ptd[P];
    size_t ndir;
    double l2[OU_FLUCT_MAX_DIRS];
    double *Vbig = malloc(OU_FLUCT_MAX_DIRS * P * sizeof *Vbig);
    cr_assert_eq(ou_fluct_directions(e, l2, &ndir, Vbig, NULL), OU_OK);
    cr_assert_eq(ndir, N);
    memcpy(V, Vbig, sizeof V);
    for (int q = 0; q < P; q++)
        d[q] = ou_engine_theta(e)[q] - th0[q];
    memcpy(ptd, d, sizeof d);
    for (int k = 0; k < N; k++) {
        double dot = 0;
        for (int q = 0; q < P; q++)
            dot += V[k * P + q] * d[q];
        for (int q = 0; q < P; q++)
            ptd[q] -= dot * V[k * P + q];
    }
    double nn = 0;
    for (int q = 0; q < P; q++)
        nn += ptd[q] * ptd[q];
    cr_expect(sqrt(nn) < 1e-12, "null-space component %g", sqrt(nn));
    free(Vbig);
    free_series(&s);
    ou_engine_destroy(e);
}

Test(linear, full_batch_ou_is_exact_at_eta_0_05, .timeout = 300)
{
    check_full_batch(0.05, 6000000);
}

Test(linear, full_batch_ou_is_exact_at_eta_0_2, .timeout = 300)
{
    check_full_batch(0.2, 3000000);
}

/*
 * SCIENCE: B = 1.  With batch {i} chosen uniformly, delta' = A_i delta +
 * eta eps phi_i, A_i = I - eta phi_i phi_i^T, so the stationary second
 * moment solves M = (1/n) sum_i A_i M A_i + eta^2 sigma^2 H (H = (1/n)
 * Phi^T Phi): a linear system in the P^2 entries of M.  The prediction for
 * the residual is Var(u_k . r) = u_k^T Phi M Phi^T u_k; it includes the
 * sampling noise that the leading-order formula misses.  Tolerance 5%, as
 * above (W = 6 10^6 steps).
 */
Test(linear, batch_1_matches_the_lyapunov_fixed_point, .timeout = 300)
{
    const double eta = 0.05, sigma = 0.3;
    struct ou_engine *e = linear_engine(eta, sigma, 1);
    double Phi[N * P], lam[N], U[N * N];
    features(e, Phi);
    ntk_eig(Phi, lam, U);

    /* Null(Phi) neither moves nor fluctuates, so work in the row space of Phi:
     * V (P x N) has columns v_k = Phi^T u_k / sqrt(N lambda_k), and phi~_i =
     * V^T phi_i.  There A_i = I - eta phi~_i phi~_i^T and, with M row-major,
     * (A M A)_{ab} = sum_{cd} A_ac M_cd A_db: a system in N^2 unknowns. */
    double V[P * N], pt[N][N];
    for (int k = 0; k < N; k++)
        for (int q = 0; q < P; q++) {
            double v = 0;
            for (int i = 0; i < N; i++)
                v += Phi[i * P + q] * U[i * N + k];
            V[q * N + k] = v / sqrt(N * lam[k]);
        }
    for (int i = 0; i < N; i++)
        for (int k = 0; k < N; k++) {
            double v = 0;
            for (int q = 0; q < P; q++)
                v += V[q * N + k] * Phi[i * P + q];
            pt[i][k] = v;
        }
    enum { Q = N * N };
    double T[Q * Q], rhs[Q];
    memset(T, 0, sizeof T);
    memset(rhs, 0, sizeof rhs);
    for (int i = 0; i < N; i++) {
        double A[N * N];
        for (int a = 0; a < N; a++)
            for (int b = 0; b < N; b++)
                A[a * N + b] = (a == b) - eta * pt[i][a] * pt[i][b];
        for (int a = 0; a < N; a++)
            for (int b = 0; b < N; b++) {
                for (int c = 0; c < N; c++)
                    for (int dd = 0; dd < N; dd++)
                        T[(a * N + b) * Q + c * N + dd] += A[a * N + c] * A[dd * N + b] / N;
                rhs[a * N + b] += eta * eta * sigma * sigma * pt[i][a] * pt[i][b] / N;
            }
    }
    for (int r = 0; r < Q; r++)
        for (int c = 0; c < Q; c++)
            T[r * Q + c] = (r == c) - T[r * Q + c];
    ref_solve(T, rhs, (size_t)Q); /* rhs now holds M in row-space coordinates */

    struct series s;
    ou_engine_run(e, 20000, NULL);
    record(e, U, 6000000, &s);
    for (int k = 0; k < N; k++) {
        /* u_k . r = u_k^T Phi delta = w . delta~ with w_a = sum_i u_ik phi~_i,a. */
        double w[N] = {0}, pred = 0;
        for (int a = 0; a < N; a++)
            for (int i = 0; i < N; i++)
                w[a] += U[i * N + k] * pt[i][a];
        for (int a = 0; a < N; a++)
            for (int b = 0; b < N; b++)
                pred += w[a] * rhs[a * N + b] * w[b];
        double lead = eta * lam[k] * sigma * sigma * N / (2.0 - eta * lam[k]);
        double v = var_of(s.r[k], s.len);
        cr_expect(fabs(v / pred - 1.0) < 0.05, "lambda %g: Var(u.r) %g, Lyapunov %g", lam[k], v,
                  pred);
        cr_log_info("B=1 lambda=%.4f var/lyapunov=%.4f var/leading-order=%.4f", lam[k], v / pred,
                    v / lead);
    }
    free_series(&s);
    ou_engine_destroy(e);
}
