/*
 * Plain-loop numeric reference for the tests, written from the formulas of
 * ouscope-science(7) independently of the engine. Every quantity is computed
 * the obvious way with double loops and libm; it is used only by the tests.
 */
#include "reference.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Tolerances fixed by the definitions in ouscope-science(7). */
#define KINK_MERGE_REL 1e-3
#define KINK_KEEP_FRAC 0.02
#define DATA_ZERO_CURV 1e-12
#define JACOBI_REL_TOL 1e-15
#define JACOBI_MAX_SWEEPS 200

static void *
xmalloc(size_t count, size_t size)
{
    void *ptr;

    if (count == 0)
        count = 1;
    ptr = calloc(count, size);
    if (!ptr)
        abort();
    return ptr;
}

static double
relu(double u)
{
    return u > 0.0 ? u : 0.0;
}

/*
 * The number of parameters is p = 3m, plus one for the output bias c when it
 * is trained.
 */
size_t
ref_nparams(size_t m, bool bias)
{
    return 3 * m + (bias ? 1 : 0);
}

/*
 * The network output is h(x) = sum_j a_j relu(w_j x + b_j) + c, where c is
 * taken as 0 when the bias is not part of the model.
 */
double
ref_h(const double *theta, size_t m, bool bias, double x)
{
    const double *a = theta;
    const double *w = theta + m;
    const double *b = theta + 2 * m;
    double sum = 0.0;
    size_t j;

    for (j = 0; j < m; j++)
        sum += a[j] * relu(w[j] * x + b[j]);
    if (bias)
        sum += theta[3 * m];
    return sum;
}

/*
 * The gradient of h at x is assembled from its partial derivatives, with
 * u_j = w_j x + b_j and 1_j = [u_j > 0]: dh/da_j = relu(u_j),
 * dh/dw_j = a_j x 1_j, dh/db_j = a_j 1_j, and dh/dc = 1 when c is trained.
 */
void
ref_grad_h(const double *theta, size_t m, bool bias, double x, double *g)
{
    const double *a = theta;
    const double *w = theta + m;
    const double *b = theta + 2 * m;
    size_t j;

    for (j = 0; j < m; j++)
        g[j] = relu(w[j] * x + b[j]);
    for (j = 0; j < m; j++)
        g[m + j] = (w[j] * x + b[j] > 0.0) ? a[j] * x : 0.0;
    for (j = 0; j < m; j++)
        g[2 * m + j] = (w[j] * x + b[j] > 0.0) ? a[j] : 0.0;
    if (bias)
        g[3 * m] = 1.0;
}

/*
 * The loss is L = (1/2n) sum_i r_i^2 with residuals r_i = h(x_i) - y_i
 * measured against the clean labels.
 */
double
ref_loss(const double *theta, size_t m, bool bias, const double *x, const double *y, size_t n)
{
    double sum = 0.0;
    size_t i;

    for (i = 0; i < n; i++) {
        double r = ref_h(theta, m, bias, x[i]) - y[i];

        sum += r * r;
    }
    return sum / (2.0 * (double)n);
}

/*
 * The gradient of the loss is (1/n) sum_i r_i grad h(x_i), accumulated one
 * data point at a time.
 */
void
ref_loss_grad(const double *theta, size_t m, bool bias, const double *x, const double *y, size_t n,
              double *g)
{
    size_t p = ref_nparams(m, bias);
    double *gi = xmalloc(p, sizeof(*gi));
    size_t i, k;

    for (k = 0; k < p; k++)
        g[k] = 0.0;
    for (i = 0; i < n; i++) {
        double r = ref_h(theta, m, bias, x[i]) - y[i];

        ref_grad_h(theta, m, bias, x[i], gi);
        for (k = 0; k < p; k++)
            g[k] += r * gi[k];
    }
    for (k = 0; k < p; k++)
        g[k] /= (double)n;
    free(gi);
}

/*
 * The label-noise minibatch gradient is
 * g = (1/B) sum_{k<B} (h(x_i) - y_i - eps_k) grad h(x_i) with i = idx[k],
 * where eps_k is the label noise drawn for the k-th batch member.
 */
void
ref_batch_grad(const double *theta, size_t m, bool bias, const double *x, const double *y,
               const size_t *idx, const double *eps, size_t B, double *g)
{
    size_t p = ref_nparams(m, bias);
    double *gi = xmalloc(p, sizeof(*gi));
    size_t k, l;

    for (l = 0; l < p; l++)
        g[l] = 0.0;
    for (k = 0; k < B; k++) {
        size_t i = idx[k];
        double r = ref_h(theta, m, bias, x[i]) - y[i] - eps[k];

        ref_grad_h(theta, m, bias, x[i], gi);
        for (l = 0; l < p; l++)
            g[l] += r * gi[l];
    }
    for (l = 0; l < p; l++)
        g[l] /= (double)B;
    free(gi);
}

/*
 * The implicit regulariser is reg = (1/n) sum_i |grad h(x_i)|^2. It is
 * computed here by literally squaring and summing every component of the
 * per-point gradient, so the bias contributes 1 per point only if trained.
 */
double
ref_reg(const double *theta, size_t m, bool bias, const double *x, size_t n)
{
    size_t p = ref_nparams(m, bias);
    double *gi = xmalloc(p, sizeof(*gi));
    double sum = 0.0;
    size_t i, k;

    for (i = 0; i < n; i++) {
        ref_grad_h(theta, m, bias, x[i], gi);
        for (k = 0; k < p; k++)
            sum += gi[k] * gi[k];
    }
    free(gi);
    return sum / (double)n;
}

/*
 * The gradient of reg has the closed form
 * dreg/da_j = (2/n) sum_i 1_ij a_j (1 + x_i^2),
 * dreg/dw_j = (2/n) sum_i 1_ij u_ij x_i,
 * dreg/db_j = (2/n) sum_i 1_ij u_ij, and dreg/dc = 0,
 * with u_ij = w_j x_i + b_j and 1_ij = [u_ij > 0].
 */
void
ref_reg_grad(const double *theta, size_t m, bool bias, const double *x, size_t n, double *g)
{
    const double *a = theta;
    const double *w = theta + m;
    const double *b = theta + 2 * m;
    double scale = 2.0 / (double)n;
    size_t i, j;

    for (j = 0; j < m; j++) {
        double ga = 0.0, gw = 0.0, gb = 0.0;

        for (i = 0; i < n; i++) {
            double u = w[j] * x[i] + b[j];

            if (u > 0.0) {
                ga += a[j] * (1.0 + x[i] * x[i]);
                gw += u * x[i];
                gb += u;
            }
        }
        g[j] = scale * ga;
        g[m + j] = scale * gw;
        g[2 * m + j] = scale * gb;
    }
    if (bias)
        g[3 * m] = 0.0;
}

/*
 * The path norms treat each bias as an edge from a constant input:
 * l1 = sum_j |a_j| (|w_j| + |b_j|) + |c| and
 * l2 = (sum_j a_j^2 (w_j^2 + b_j^2) + c^2)^(1/2), where c enters only when it
 * is part of the model.
 */
void
ref_path_norms(const double *theta, size_t m, bool bias, double *l1, double *l2)
{
    const double *a = theta;
    const double *w = theta + m;
    const double *b = theta + 2 * m;
    double s1 = 0.0, s2 = 0.0;
    size_t j;

    for (j = 0; j < m; j++) {
        s1 += fabs(a[j]) * (fabs(w[j]) + fabs(b[j]));
        s2 += a[j] * a[j] * (w[j] * w[j] + b[j] * b[j]);
    }
    if (bias) {
        double c = theta[3 * m];

        s1 += fabs(c);
        s2 += c * c;
    }
    if (l1)
        *l1 = s1;
    if (l2)
        *l2 = sqrt(s2);
}

/*
 * The balance observable is the mean over units j of |log rho_j|, where
 * rho_j = sum_{i in A_j} u_ij^2 / (a_j^2 sum_{i in A_j} (1 + x_i^2)) and
 * A_j = {i : u_ij > 0}. Only units with a nonempty active set and a_j != 0
 * take part; their number is stored in *count when count is not NULL, and
 * the result is 0 when there are none.
 */
double
ref_balance(const double *theta, size_t m, bool bias, const double *x, size_t n, size_t *count)
{
    const double *a = theta;
    const double *w = theta + m;
    const double *b = theta + 2 * m;
    double sum = 0.0;
    size_t used = 0;
    size_t i, j;

    (void)bias;
    for (j = 0; j < m; j++) {
        double num = 0.0, q = 0.0;
        size_t active = 0;

        if (!(fabs(a[j]) > 0.0))
            continue;
        for (i = 0; i < n; i++) {
            double u = w[j] * x[i] + b[j];

            if (u > 0.0) {
                num += u * u;
                q += 1.0 + x[i] * x[i];
                active++;
            }
        }
        if (active == 0)
            continue;
        sum += fabs(log(num / (a[j] * a[j] * q)));
        used++;
    }
    if (count)
        *count = used;
    return used > 0 ? sum / (double)used : 0.0;
}

/*
 * The neural tangent kernel is K = (1/n) J J^T, an n x n row-major matrix,
 * where row i of the Jacobian J is grad h(x_i).
 */
void
ref_ntk(const double *theta, size_t m, bool bias, const double *x, size_t n, double *K)
{
    size_t p = ref_nparams(m, bias);
    double *J = xmalloc(n * p, sizeof(*J));
    size_t i, k, l;

    for (i = 0; i < n; i++)
        ref_grad_h(theta, m, bias, x[i], J + i * p);
    for (i = 0; i < n; i++) {
        for (k = 0; k < n; k++) {
            double dot = 0.0;

            for (l = 0; l < p; l++)
                dot += J[i * p + l] * J[k * p + l];
            K[i * n + k] = dot / (double)n;
        }
    }
    free(J);
}

/*
 * Sum of squares of the off-diagonal entries of the n x n matrix A.
 */
static double
offdiag_sq(const double *A, size_t n)
{
    double sum = 0.0;
    size_t i, k;

    for (i = 0; i < n; i++)
        for (k = 0; k < n; k++)
            if (i != k)
                sum += A[i * n + k] * A[i * n + k];
    return sum;
}

/*
 * Cyclic Jacobi eigenvalue algorithm for a symmetric n x n matrix A, which is
 * overwritten. Each sweep visits every pair (p, q) with p < q and applies the
 * plane rotation J(p, q) with cosine c and sine s chosen so that the entry
 * (p, q) of J^T A J vanishes: tau = (A_qq - A_pp) / (2 A_pq),
 * t = sign(tau) / (|tau| + sqrt(1 + tau^2)), c = 1 / sqrt(1 + t^2), s = t c.
 * Sweeps stop once the off-diagonal norm falls below 1e-15 times the
 * Frobenius norm, which the rotations preserve. The eigenvalues are returned
 * in ascending order; when evecs is not NULL, column k of the row-major
 * n x n matrix evecs is the unit eigenvector for evals[k].
 */
void
ref_eig_sym(double *A, size_t n, double *evals, double *evecs)
{
    double *V = xmalloc(n * n, sizeof(*V));
    size_t *order = xmalloc(n, sizeof(*order));
    double fro_sq = 0.0, tol;
    size_t i, k, p, q, sweep;

    for (i = 0; i < n * n; i++)
        fro_sq += A[i] * A[i];
    tol = JACOBI_REL_TOL * sqrt(fro_sq);
    for (i = 0; i < n; i++)
        V[i * n + i] = 1.0;

    for (sweep = 0; sweep < JACOBI_MAX_SWEEPS; sweep++) {
        double off = sqrt(offdiag_sq(A, n));

        if (off < tol || !(off > 0.0))
            break;
        for (p = 0; p + 1 < n; p++) {
            for (q = p + 1; q < n; q++) {
                double apq = A[p * n + q];
                double tau, t, c, s;

                if (!(fabs(apq) > 0.0))
                    continue;
                tau = (A[q * n + q] - A[p * n + p]) / (2.0 * apq);
                if (fabs(tau) > 1e150)
                    t = 0.5 / tau;
                else
                    t = (tau >= 0.0 ? 1.0 : -1.0) / (fabs(tau) + sqrt(1.0 + tau * tau));
                c = 1.0 / sqrt(1.0 + t * t);
                s = t * c;

                /* A <- A J: columns p and q. */
                for (k = 0; k < n; k++) {
                    double akp = A[k * n + p], akq = A[k * n + q];

                    A[k * n + p] = c * akp - s * akq;
                    A[k * n + q] = s * akp + c * akq;
                }
                /* A <- J^T A: rows p and q. */
                for (k = 0; k < n; k++) {
                    double apk = A[p * n + k], aqk = A[q * n + k];

                    A[p * n + k] = c * apk - s * aqk;
                    A[q * n + k] = s * apk + c * aqk;
                }
                A[p * n + q] = 0.0;
                A[q * n + p] = 0.0;
                /* V <- V J accumulates the eigenvectors. */
                for (k = 0; k < n; k++) {
                    double vkp = V[k * n + p], vkq = V[k * n + q];

                    V[k * n + p] = c * vkp - s * vkq;
                    V[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }

    /* Insertion sort of the diagonal into ascending order. */
    for (i = 0; i < n; i++) {
        size_t pos = i;

        while (pos > 0 && A[order[pos - 1] * n + order[pos - 1]] > A[i * n + i]) {
            order[pos] = order[pos - 1];
            pos--;
        }
        order[pos] = i;
    }
    for (k = 0; k < n; k++)
        evals[k] = A[order[k] * n + order[k]];
    if (evecs)
        for (i = 0; i < n; i++)
            for (k = 0; k < n; k++)
                evecs[i * n + k] = V[i * n + order[k]];
    free(order);
    free(V);
}

/*
 * The largest eigenvalue of the NTK K = (1/n) J J^T, found with the Jacobi
 * routine above.
 */
double
ref_lambda_max_K(const double *theta, size_t m, bool bias, const double *x, size_t n)
{
    double *K = xmalloc(n * n, sizeof(*K));
    double *ev = xmalloc(n, sizeof(*ev));
    double top;

    ref_ntk(theta, m, bias, x, n, K);
    ref_eig_sym(K, n, ev, NULL);
    top = n > 0 ? ev[n - 1] : 0.0;
    free(ev);
    free(K);
    return top;
}

/*
 * Effective kinks. Every unit with w_j != 0 has its kink at t_j = -b_j / w_j
 * and changes the slope of h there by s_j = a_j |w_j|. The kinks strictly
 * inside (x1, xn) are sorted by position and grouped greedily: a kink joins
 * the current cluster when it lies closer than 1e-3 (xn - x1) to the previous
 * kink in sorted order. A cluster's slope change is the signed sum of its
 * members' s_j and its position is the plain mean of their positions. Only
 * clusters with |sum s| > 0.02 sum_j |s_j| (the sum running over all kinks
 * inside the interval) are kept. Their positions and slope changes go to
 * pos[] and slope[] (capacity m; either may be NULL), and the number kept is
 * returned.
 */
size_t
ref_effective_kinks(const double *theta, size_t m, bool bias, double x1, double xn, double *pos,
                    double *slope)
{
    const double *a = theta;
    const double *w = theta + m;
    const double *b = theta + 2 * m;
    double *kt = xmalloc(m, sizeof(*kt));
    double *ks = xmalloc(m, sizeof(*ks));
    double merge = KINK_MERGE_REL * (xn - x1);
    double total_abs = 0.0;
    size_t nk = 0, kept = 0;
    size_t i, j;

    (void)bias;
    for (j = 0; j < m; j++) {
        double t, s;

        if (!(fabs(w[j]) > 0.0))
            continue;
        t = -b[j] / w[j];
        if (!(t > x1 && t < xn))
            continue;
        s = a[j] * fabs(w[j]);
        /* Insert (t, s) keeping kt sorted ascending. */
        i = nk;
        while (i > 0 && kt[i - 1] > t) {
            kt[i] = kt[i - 1];
            ks[i] = ks[i - 1];
            i--;
        }
        kt[i] = t;
        ks[i] = s;
        nk++;
        total_abs += fabs(s);
    }

    i = 0;
    while (i < nk) {
        double sum_s = ks[i], sum_t = kt[i];
        size_t members = 1;

        while (i + members < nk && kt[i + members] - kt[i + members - 1] < merge) {
            sum_s += ks[i + members];
            sum_t += kt[i + members];
            members++;
        }
        if (fabs(sum_s) > KINK_KEEP_FRAC * total_abs) {
            if (pos)
                pos[kept] = sum_t / (double)members;
            if (slope)
                slope[kept] = sum_s;
            kept++;
        }
        i += members;
    }
    free(ks);
    free(kt);
    return kept;
}

/*
 * The number of convexity changes of h is the number of sign changes along
 * the summed slope changes of its effective kinks, taken in order of
 * position.
 */
int
ref_convexity_changes_h(const double *theta, size_t m, bool bias, double x1, double xn)
{
    double *slope = xmalloc(m, sizeof(*slope));
    size_t nk = ref_effective_kinks(theta, m, bias, x1, xn, NULL, slope);
    int changes = 0;
    size_t k;

    for (k = 1; k < nk; k++)
        if ((slope[k] > 0.0) != (slope[k - 1] > 0.0))
            changes++;
    free(slope);
    return changes;
}

/*
 * The number of convexity changes of the data is the number of sign changes
 * of the discrete second differences d_k = slope_{k+1} - slope_k, where
 * slope_k = (y_{k+1} - y_k) / (x_{k+1} - x_k). Differences with
 * |d_k| < 1e-12 count as zero and are skipped.
 */
int
ref_convexity_changes_data(const double *x, const double *y, size_t n)
{
    int changes = 0;
    int last_sign = 0;
    size_t k;

    for (k = 0; k + 2 < n; k++) {
        double s0 = (y[k + 1] - y[k]) / (x[k + 1] - x[k]);
        double s1 = (y[k + 2] - y[k + 1]) / (x[k + 2] - x[k + 1]);
        double d = s1 - s0;
        int sign;

        if (fabs(d) < DATA_ZERO_CURV)
            continue;
        sign = d > 0.0 ? 1 : -1;
        if (last_sign != 0 && sign != last_sign)
            changes++;
        last_sign = sign;
    }
    return changes;
}

/*
 * The total variation of h' on [x1, xn] is estimated on a uniform grid
 * t_k = x1 + k (xn - x1) / grid, k = 0..grid. Each interval gets the
 * finite-difference slope (h(t_{k+1}) - h(t_k)) / dt, and the estimate is
 * TV = sum_k |slope_{k+1} - slope_k|.
 */
double
ref_tv_hprime_grid(const double *theta, size_t m, bool bias, double x1, double xn, size_t grid)
{
    double dt, prev_h, prev_slope = 0.0, tv = 0.0;
    size_t k;

    if (grid == 0)
        return 0.0;
    dt = (xn - x1) / (double)grid;
    prev_h = ref_h(theta, m, bias, x1);
    for (k = 0; k < grid; k++) {
        double t = x1 + (xn - x1) * (double)(k + 1) / (double)grid;
        double cur_h = ref_h(theta, m, bias, t);
        double slope = (cur_h - prev_h) / dt;

        if (k > 0)
            tv += fabs(slope - prev_slope);
        prev_slope = slope;
        prev_h = cur_h;
    }
    return tv;
}

/*
 * The total variation of the derivative of the linear spline through the
 * data is sum_k |slope_{k+1} - slope_k|, with
 * slope_k = (y_{k+1} - y_k) / (x_{k+1} - x_k).
 */
double
ref_spline_tv(const double *x, const double *y, size_t n)
{
    double tv = 0.0;
    size_t k;

    for (k = 0; k + 2 < n; k++) {
        double s0 = (y[k + 1] - y[k]) / (x[k + 1] - x[k]);
        double s1 = (y[k + 2] - y[k + 1]) / (x[k + 2] - x[k + 1]);

        tv += fabs(s1 - s0);
    }
    return tv;
}

/*
 * The linear spline through the data at t: on [x_k, x_{k+1}] it is
 * y_k + (y_{k+1} - y_k) (t - x_k) / (x_{k+1} - x_k), and it is held constant
 * at y_1 to the left of x_1 and at y_n to the right of x_n.
 */
double
ref_spline(const double *x, const double *y, size_t n, double t)
{
    size_t k;

    if (n == 0)
        return 0.0;
    if (!(t > x[0]))
        return y[0];
    if (!(t < x[n - 1]))
        return y[n - 1];
    for (k = 0; k + 1 < n; k++) {
        if (!(t > x[k + 1])) {
            double f = (t - x[k]) / (x[k + 1] - x[k]);

            return y[k] + f * (y[k + 1] - y[k]);
        }
    }
    return y[n - 1];
}

/*
 * The largest deviation |h(t) - spline(t)| over the grid+1 uniformly spaced
 * points t_k = x1 + k (xn - x1) / grid, k = 0..grid, together with every
 * data point x_i.
 */
double
ref_max_dev_spline_grid(const double *theta, size_t m, bool bias, const double *x, const double *y,
                        size_t n, size_t grid)
{
    double worst = 0.0;
    size_t i, k;

    if (n == 0)
        return 0.0;
    for (k = 0; k <= grid; k++) {
        double t = grid > 0 ? x[0] + (x[n - 1] - x[0]) * (double)k / (double)grid : x[0];
        double dev = fabs(ref_h(theta, m, bias, t) - ref_spline(x, y, n, t));

        if (dev > worst)
            worst = dev;
    }
    for (i = 0; i < n; i++) {
        double dev = fabs(ref_h(theta, m, bias, x[i]) - y[i]);

        if (dev > worst)
            worst = dev;
    }
    return worst;
}

/*
 * The loss floor of the linearised OU process at stationarity is
 * E[L] = (sigma^2 / 2B) sum_k eta lambda_k / (2 - eta lambda_k), summed over
 * all eigenvalues lambda_k of the NTK K (zero eigenvalues add nothing). For
 * small eta it reduces to (eta sigma^2 / 4B) reg, since tr K = reg.
 */
double
ref_loss_floor_exact(const double *theta, size_t m, bool bias, const double *x, size_t n,
                     double eta, double sigma, size_t B)
{
    double *K = xmalloc(n * n, sizeof(*K));
    double *ev = xmalloc(n, sizeof(*ev));
    double sum = 0.0;
    size_t k;

    ref_ntk(theta, m, bias, x, n, K);
    ref_eig_sym(K, n, ev, NULL);
    for (k = 0; k < n; k++)
        sum += eta * ev[k] / (2.0 - eta * ev[k]);
    free(ev);
    free(K);
    return sigma * sigma / (2.0 * (double)B) * sum;
}

/*
 * The stationary variance of a linear model along a normal mode with
 * curvature lambda is eta sigma^2 / (B (2 - eta lambda)).
 */
double
ref_ou_var_direction(double eta, double sigma, size_t B, double lambda)
{
    return eta * sigma * sigma / ((double)B * (2.0 - eta * lambda));
}

/*
 * Uniform draw in [lo, hi) from a 32-bit linear congruential generator
 * state <- 1664525 state + 1013904223 (mod 2^32), using its top 24 bits.
 */
static double
lcg_uniform(uint32_t *state, double lo, double hi)
{
    *state = *state * 1664525u + 1013904223u;
    return lo + (hi - lo) * (double)(*state >> 8) / 16777216.0;
}

/*
 * A deterministic test parameter vector: a_j, w_j and b_j are drawn
 * uniformly from [-1.5, 1.5) and c from [-0.5, 0.5) by a self-contained LCG
 * seeded with seed. Then b_j is raised in steps of 0.1 until every
 * preactivation satisfies |w_j x_i + b_j| >= 0.05, so finite differences
 * with steps near 1e-6 never cross a ReLU kink at a data point.
 */
void
ref_theta_far_from_kinks(double *theta, size_t m, bool bias, const double *x, size_t n,
                         unsigned seed)
{
    double *a = theta;
    double *w = theta + m;
    double *b = theta + 2 * m;
    uint32_t state = (uint32_t)seed * 2654435761u + 12345u;
    size_t i, j;

    for (j = 0; j < m; j++) {
        a[j] = lcg_uniform(&state, -1.5, 1.5);
        w[j] = lcg_uniform(&state, -1.5, 1.5);
        b[j] = lcg_uniform(&state, -1.5, 1.5);
    }
    if (bias)
        theta[3 * m] = lcg_uniform(&state, -0.5, 0.5);

    for (j = 0; j < m; j++) {
        bool clear = false;

        while (!clear) {
            clear = true;
            for (i = 0; i < n; i++) {
                if (fabs(w[j] * x[i] + b[j]) < 0.05) {
                    b[j] += 0.1;
                    clear = false;
                    break;
                }
            }
        }
    }
}

/*
 * Hessian-vector product.  With 1_j the activity of unit j at x, the
 * nonzero second derivatives are d2h/da_j dw_j = x 1_j and d2h/da_j db_j =
 * 1_j, so (Hv)_a_j = 1_j (x v_w_j + v_b_j), (Hv)_w_j = 1_j x v_a_j,
 * (Hv)_b_j = 1_j v_a_j, and the bias row is zero.
 */
void
ref_hess_vec(const double *theta, size_t m, bool bias, double x, const double *v, double *out)
{
    const double *w = theta + m, *b = theta + 2 * m;
    for (size_t j = 0; j < m; j++) {
        double act = w[j] * x + b[j] > 0.0 ? 1.0 : 0.0;
        out[j] = act * (x * v[m + j] + v[2 * m + j]);
        out[m + j] = act * x * v[j];
        out[2 * m + j] = act * v[j];
    }
    if (bias)
        out[3 * m] = 0.0;
}

/* Solve A x = b (n x n, row-major, overwritten; x into b) by Gaussian elimination with partial
 * pivoting. */
void
ref_solve(double *A, double *b, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        size_t piv = c;
        for (size_t r = c + 1; r < n; r++)
            if (fabs(A[r * n + c]) > fabs(A[piv * n + c]))
                piv = r;
        for (size_t k = 0; k < n; k++) {
            double t = A[c * n + k];
            A[c * n + k] = A[piv * n + k];
            A[piv * n + k] = t;
        }
        double t = b[c];
        b[c] = b[piv];
        b[piv] = t;
        for (size_t r = c + 1; r < n; r++) {
            double f = A[r * n + c] / A[c * n + c];
            for (size_t k = c; k < n; k++)
                A[r * n + k] -= f * A[c * n + k];
            b[r] -= f * b[c];
        }
    }
    for (size_t r = n; r-- > 0;) {
        for (size_t k = r + 1; k < n; k++)
            b[r] -= A[r * n + k] * b[k];
        b[r] /= A[r * n + r];
    }
}
