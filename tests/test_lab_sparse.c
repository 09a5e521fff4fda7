/*
 * The quadratic sparse model (ouscope-science(7), SPARSE MODEL): data and
 * truth as drawn, h and grad h against naive sums and central differences,
 * reg as a weighted l1 norm of v (.) v, the observables against direct
 * computations, the config checks, and HaoChen et al.'s prediction: label
 * noise recovers the sparse truth, parameter noise of matched size does not.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lab_impl.h"
#include "ouscope/lab.h"
#include "reference.h"
#include "testutil.h"

/* The inputs, truth and labels of a config: the kind's draw on stream OU_RNG_DATA. */
struct sp_data {
    size_t n, d;
    double *x; /* n x d */
    double *w; /* d */
    double *y; /* n */
};

static struct sp_data
sp_data(const struct ou_lab_config *c)
{
    struct sp_data s = {c->n, c->dim, NULL, NULL, NULL};
    s.x = malloc(c->n * c->dim * sizeof *s.x);
    s.w = malloc(c->dim * sizeof *s.w);
    s.y = malloc(c->n * sizeof *s.y);
    cr_assert(s.x && s.w && s.y);
    struct ou_ziggurat z;
    struct ou_rng r;
    ou_ziggurat_init(&z);
    ou_rng_seed(&r, c->seed, OU_RNG_DATA);
    ou_lab_sparse_ops.make(c, s.x, s.w, s.y, &r, &z);
    return s;
}

static void
sp_free(struct sp_data *s)
{
    free(s->x);
    free(s->w);
    free(s->y);
}

static struct ou_lab *
sp_lab(const struct ou_lab_config *c)
{
    struct ou_lab *l = NULL;
    cr_assert_eq(ou_lab_create(&l, c), OU_OK);
    return l;
}

static struct ou_lab_config
sp_config(uint64_t seed)
{
    struct ou_lab_config c;
    ou_lab_config_default(&c, OU_LAB_SPARSE);
    c.seed = seed;
    return c;
}

static void
random_v(double *v, size_t d, uint64_t seed)
{
    struct ou_ziggurat z;
    struct ou_rng r;
    ou_ziggurat_init(&z);
    ou_rng_seed(&r, seed, OU_RNG_KICK);
    for (size_t k = 0; k < d; k++)
        v[k] = ou_rng_normal(&r, &z);
}

/* m_k = (1/n) sum_i x_ik^2, the in-sample second moment of feature k. */
static void
moments(const struct sp_data *s, double *m)
{
    for (size_t k = 0; k < s->d; k++) {
        m[k] = 0.0;
        for (size_t i = 0; i < s->n; i++)
            m[k] += s->x[i * s->d + k] * s->x[i * s->d + k];
        m[k] /= (double)s->n;
    }
}

Test(lab_sparse, truth_labels_inputs_and_init_are_as_stated)
{
    struct ou_lab_config c = sp_config(4);
    struct ou_lab *l = sp_lab(&c);
    struct sp_data s = sp_data(&c);
    size_t ones = 0;
    for (size_t k = 0; k < s.d; k++) {
        cr_expect(!(s.w[k] < 0.0 || s.w[k] > 0.0) || !(s.w[k] < 1.0 || s.w[k] > 1.0),
                  "w*[%zu] = %g", k, s.w[k]);
        ones += s.w[k] > 0.5;
    }
    cr_expect_eq(ones, c.rank);
    for (size_t i = 0; i < s.n; i++) {
        double yi = 0.0;
        for (size_t k = 0; k < s.d; k++)
            yi += s.w[k] * s.x[i * s.d + k];
        cr_expect(tu_close(ou_lab_label(l, i), yi, 1e-15, 1e-14), "y_%zu", i);
    }
    /* N(0,1) inputs: over N = n d = 1536 draws the mean is within 4/sqrt(N) of 0 and the
     * variance within 4 sqrt(2/N) of 1. */
    double mean = 0.0, var = 0.0, N = (double)(s.n * s.d);
    for (size_t q = 0; q < s.n * s.d; q++)
        mean += s.x[q];
    mean /= N;
    for (size_t q = 0; q < s.n * s.d; q++)
        var += (s.x[q] - mean) * (s.x[q] - mean);
    var /= N;
    cr_expect(fabs(mean) < 4.0 / sqrt(N), "input mean %g", mean);
    cr_expect(fabs(var - 1.0) < 4.0 * sqrt(2.0 / N), "input variance %g", var);
    const double *v = ou_lab_theta(l);
    cr_assert_eq(ou_lab_nparams(l), c.dim);
    for (size_t k = 0; k < c.dim; k++)
        cr_expect_eq(v[k], c.init_scale);
    sp_free(&s);
    ou_lab_destroy(l);
}

/* h_i = sum_k v_k^2 x_ik by hand; dh_i/dv_k against central differences. */
Test(lab_sparse, grad_matches_central_differences)
{
    struct ou_lab_config c = sp_config(2);
    c.dim = 12;
    c.n = 5;
    c.rank = 2;
    struct ou_lab *l = sp_lab(&c);
    struct sp_data s = sp_data(&c);
    double v[12], g[12], tp[12];
    for (uint64_t trial = 0; trial < 3; trial++) {
        random_v(v, c.dim, 10 + trial);
        for (size_t i = 0; i < c.n; i++) {
            double h = ou_lab_grad(l, i, v, g), want = 0.0;
            for (size_t k = 0; k < c.dim; k++)
                want += v[k] * v[k] * s.x[i * c.dim + k];
            cr_expect(tu_close(h, want, 1e-14, 1e-13), "h_%zu %.17g, by hand %.17g", i, h, want);
            for (size_t k = 0; k < c.dim; k++) {
                double e = 1e-6 * fmax(1.0, fabs(v[k]));
                memcpy(tp, v, sizeof tp);
                tp[k] = v[k] + e;
                double hp = ou_lab_grad(l, i, tp, NULL);
                tp[k] = v[k] - e;
                double hm = ou_lab_grad(l, i, tp, NULL);
                /* h is quadratic in v_k: the central difference is exact up to rounding,
                 * ~1e-16 |h| / e ~ 1e-10. */
                double fd = (hp - hm) / (2.0 * e);
                cr_expect(tu_close(g[k], fd, 1e-8, 1e-6), "i %zu k %zu: grad %.12g, fd %.12g", i,
                          k, g[k], fd);
            }
        }
    }
    sp_free(&s);
    ou_lab_destroy(l);
}

/*
 * reg = (1/n) sum_i |2 v (.) x_i|^2 = 4 sum_k v_k^2 m_k exactly, with
 * m_k = (1/n) sum_i x_ik^2: a weighted l1 norm of coef = v (.) v.  As every
 * m_k is near E x_k^2 = 1 (within ~sqrt(2/n)), reg ~ 4 |v (.) v|_1, and
 * reg / (4 l1), a coef-weighted mean of the m_k, lies in [min m_k, max m_k].
 */
Test(lab_sparse, reg_is_a_weighted_l1_norm_of_the_coefficients)
{
    struct ou_lab_config c = sp_config(3);
    struct ou_lab *l = sp_lab(&c);
    struct sp_data s = sp_data(&c);
    double m[OU_LAB_DIM_MAX], v[OU_LAB_DIM_MAX], g[OU_LAB_DIM_MAX];
    moments(&s, m);
    double mmin = INFINITY, mmax = 0.0;
    for (size_t k = 0; k < c.dim; k++) {
        mmin = fmin(mmin, m[k]);
        mmax = fmax(mmax, m[k]);
    }
    for (uint64_t trial = 0; trial < 3; trial++) {
        random_v(v, c.dim, 20 + trial);
        cr_assert_eq(ou_lab_set_theta(l, v, c.dim), OU_OK);
        double closed = 0.0, summed = 0.0, l1 = 0.0;
        for (size_t k = 0; k < c.dim; k++) {
            closed += 4.0 * v[k] * v[k] * m[k];
            l1 += v[k] * v[k];
        }
        for (size_t i = 0; i < c.n; i++) {
            ou_lab_grad(l, i, v, g);
            for (size_t k = 0; k < c.dim; k++)
                summed += g[k] * g[k];
        }
        summed /= (double)c.n;
        struct ou_lab_obs o;
        cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
        cr_expect(tu_close(summed, closed, 1e-14, 1e-12), "summed %.17g, closed %.17g", summed,
                  closed);
        cr_expect(tu_close(o.reg, closed, 1e-14, 1e-12), "observed %.17g, closed %.17g", o.reg,
                  closed);
        double ratio = o.reg / (4.0 * l1);
        cr_expect(ratio >= mmin && ratio <= mmax, "reg/(4 l1) = %g outside [%g, %g]", ratio, mmin,
                  mmax);
    }
    sp_free(&s);
    ou_lab_destroy(l);
}

/* coef, truth, l1, err against direct sums; support_found on v built to hit known counts. */
Test(lab_sparse, observables_match_a_direct_computation)
{
    struct ou_lab_config c = sp_config(5);
    struct ou_lab *l = sp_lab(&c);
    struct sp_data s = sp_data(&c);
    const size_t d = c.dim;
    struct ou_lab_obs o;
    double v[OU_LAB_DIM_MAX];
    random_v(v, d, 30);
    cr_assert_eq(ou_lab_set_theta(l, v, d), OU_OK);
    cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
    cr_expect_eq(o.dim, d);
    double l1 = 0.0, e2 = 0.0, t2 = 0.0;
    for (size_t k = 0; k < d; k++) {
        cr_expect_eq(o.coef[k], v[k] * v[k]);
        cr_expect_eq(o.truth[k], s.w[k]);
        l1 += v[k] * v[k];
        e2 += (v[k] * v[k] - s.w[k]) * (v[k] * v[k] - s.w[k]);
        t2 += s.w[k] * s.w[k];
    }
    cr_expect(tu_close(o.l1, l1, 0.0, 1e-13));
    cr_expect(tu_close(o.err, sqrt(e2 / t2), 0.0, 1e-13), "err %.17g", o.err);
    /* The rank largest coefs by counting, independently of the kind's loop. */
    size_t found = 0;
    for (size_t k = 0; k < d; k++) {
        size_t larger = 0;
        for (size_t j = 0; j < d; j++)
            larger += v[j] * v[j] > v[k] * v[k];
        found += s.w[k] > 0.0 && larger < c.rank;
    }
    cr_expect_eq(o.support_found, found);

    /* v = sqrt(w*) plus small elsewhere: all found, err 0 on the support. */
    for (size_t k = 0; k < d; k++)
        v[k] = s.w[k] > 0.0 ? 1.0 : 0.1;
    cr_assert_eq(ou_lab_set_theta(l, v, d), OU_OK);
    cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
    cr_expect_eq(o.support_found, c.rank);
    cr_expect(tu_close(o.err, 0.01 * sqrt((double)(d - c.rank) / (double)c.rank), 0.0, 1e-12));
    /* Lift one off-support place above a support place: one fewer found. */
    size_t off = 0, on = 0;
    while (s.w[off] > 0.0)
        off++;
    while (!(s.w[on] > 0.0))
        on++;
    v[off] = 2.0;
    v[on] = 0.5;
    cr_assert_eq(ou_lab_set_theta(l, v, d), OU_OK);
    cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
    cr_expect_eq(o.support_found, c.rank - 1);
    /* All tied (the start v = 1): the lower indices win, so exactly rank places count. */
    for (size_t k = 0; k < d; k++)
        v[k] = 1.0;
    cr_assert_eq(ou_lab_set_theta(l, v, d), OU_OK);
    cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
    size_t low = 0;
    for (size_t k = 0; k < c.rank; k++)
        low += s.w[k] > 0.0;
    cr_expect_eq(o.support_found, low);
    sp_free(&s);
    ou_lab_destroy(l);
}

Test(lab_sparse, config_ranges_are_checked)
{
    struct ou_lab_config c = sp_config(1);
    struct ou_lab *l = NULL;
    cr_expect_eq(ou_lab_sparse_ops.check(&c), OU_OK);
    struct ou_lab_config bad[10];
    for (size_t k = 0; k < 10; k++)
        bad[k] = c;
    bad[0].dim = 1;
    bad[1].dim = OU_LAB_DIM_MAX + 1;
    bad[2].n = 0;
    bad[3].n = c.dim; /* the setting is n < d */
    bad[4].rank = 0;
    bad[5].rank = c.dim + 1;
    bad[6].init_scale = 0.0;
    bad[7].init_scale = -1.0;
    bad[8].init_scale = NAN;
    bad[9].init_scale = INFINITY;
    for (size_t k = 0; k < 10; k++) {
        cr_expect_eq(ou_lab_sparse_ops.check(&bad[k]), OU_EINVAL, "config %zu passed", k);
        cr_expect_eq(ou_lab_create(&l, &bad[k]), OU_EINVAL, "config %zu created", k);
    }
    c.dim = OU_LAB_DIM_MAX;
    c.n = OU_LAB_DIM_MAX - 1;
    c.rank = OU_LAB_DIM_MAX;
    c.batch = 1;
    cr_expect_eq(ou_lab_create(&l, &c), OU_OK);
    ou_lab_destroy(l);
}

/*
 * The stationary error once the truth is found.  Off the support v_k ~ 0,
 * so grad h_i = 2 v (.) x_i lives on the support S, where v_S ~ 1 and the
 * Gauss-Newton matrix is H_S = (4/n) X_S^T X_S (rank x rank).  The OU
 * picture (ouscope-science(7), OU FLUCTUATIONS) gives Cov(v_S) =
 * (eta sigma^2 / B) (2 I - eta H_S)^-1 and, as v_k^2 - 1 ~ 2 (v_k - 1),
 *   E[err^2] = (4 / rank) sum_k eta sigma^2 / (B (2 - eta lambda_k)).
 */
static double
predicted_err2(const struct ou_lab_config *c, const struct sp_data *s)
{
    size_t S[OU_LAB_DIM_MAX], r = 0;
    for (size_t k = 0; k < s->d; k++)
        if (s->w[k] > 0.0)
            S[r++] = k;
    double *H = calloc(r * r, sizeof *H), *lam = calloc(r, sizeof *lam),
           *U = calloc(r * r, sizeof *U);
    cr_assert(H && lam && U);
    for (size_t a = 0; a < r; a++)
        for (size_t b = 0; b < r; b++) {
            for (size_t i = 0; i < s->n; i++)
                H[a * r + b] += 4.0 * s->x[i * s->d + S[a]] * s->x[i * s->d + S[b]];
            H[a * r + b] /= (double)s->n;
        }
    ref_eig_sym(H, r, lam, U);
    double e2 = 0.0;
    for (size_t k = 0; k < r; k++)
        e2 += c->eta * c->sigma * c->sigma / ((double)c->batch * (2.0 - c->eta * lam[k]));
    free(H);
    free(lam);
    free(U);
    return 4.0 * e2 / (double)r;
}

/*
 * HaoChen et al.'s prediction, in the reference set-up: d = 64, n = 24, a
 * truth of rank 3 ones, v = 1 at the start (l1 = 64), eta = 0.004,
 * sigma = 1, B = 1.  Label noise drives reg ~ 4 |v (.) v|_1 down: each
 * off-support v_k shrinks like exp(-2 eta^2 sigma^2 m_k t), so by
 * 1.5 10^5 steps v_k^2 < e^-9 of its start and the support is found.  Then,
 * over 1.5 10^5 more steps sampled every 250 (five relaxation times
 * 1/(eta lambda_min) ~ 50 apart, so independent), the mean err^2 must match
 * predicted_err2 within 4 standard errors and 5% (the B = 1 sampling noise,
 * which grows with eta |grad h_i|^2 ~ 0.05 here, adds a few percent), and
 * reg / (4 l1) must be the support's mean m_k within 4 standard errors.
 * Measured: seed 1: err 0.12 at 1.5 10^5, mean err^2 0.008087 (se
 * 0.00026) against 0.008067; seed 2: err 0.10, mean err^2 0.008365 (se
 * 0.00027) against 0.008062.
 */
Test(lab_sparse, label_noise_recovers_the_sparse_truth, .timeout = 60)
{
    for (uint64_t seed = 1; seed <= 2; seed++) {
        struct ou_lab_config c = sp_config(seed);
        struct sp_data s = sp_data(&c);
        struct ou_lab *l = sp_lab(&c);
        struct ou_lab_obs o;
        double m[OU_LAB_DIM_MAX], mS = 0.0;
        moments(&s, m);
        for (size_t k = 0; k < c.dim; k++)
            mS += s.w[k] > 0.0 ? m[k] / (double)c.rank : 0.0;
        cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
        cr_expect(o.l1 > 60.0 && o.err > 3.0, "seed %lu starts at l1 %g err %g", (unsigned long)seed,
                  o.l1, o.err);
        cr_assert_eq(ou_lab_run(l, 150000, NULL), OU_OK);
        cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
        /* Five times the predicted rms error of ~0.09. */
        cr_expect_eq(o.support_found, c.rank, "seed %lu", (unsigned long)seed);
        cr_expect(o.err < 0.5, "seed %lu: err %g at 1.5e5 steps", (unsigned long)seed, o.err);
        double se2 = 0.0, sq2 = 0.0, sr = 0.0, sqr = 0.0;
        size_t cnt = 0;
        for (int t = 0; t < 150000; t += 250) {
            cr_assert_eq(ou_lab_run(l, 250, NULL), OU_OK);
            cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
            double e2 = o.err * o.err, q = o.reg / (4.0 * o.l1);
            se2 += e2;
            sq2 += e2 * e2;
            sr += q;
            sqr += q * q;
            cnt++;
        }
        const double n = (double)cnt, me2 = se2 / n, mq = sr / n;
        const double err_e2 = sqrt((sq2 / n - me2 * me2) / n), err_q = sqrt((sqr / n - mq * mq) / n);
        const double pred = predicted_err2(&c, &s);
        cr_expect(fabs(me2 - pred) <= 4.0 * err_e2 + 0.05 * pred,
                  "seed %lu: mean err^2 %.6f (se %.6f), predicted %.6f", (unsigned long)seed, me2,
                  err_e2, pred);
        cr_expect(fabs(mq - mS) <= 4.0 * err_q + 1e-3, "seed %lu: reg/(4 l1) %.5f, support m_k %.5f",
                  (unsigned long)seed, mq, mS);
        ou_lab_destroy(l);
        sp_free(&s);
    }
}

/*
 * The same runs with the label noise replaced by isotropic parameter noise
 * of the same total variance (lab.h, OU_LAB_NOISE_PARAM).  Its covariance
 * is not proportional to H, so it has no drift down reg; it wanders over
 * the (here unbounded) set of dense nonnegative interpolants instead.  The
 * prediction: after 10^5 steps the run is further from the truth than
 * v = 0 is (err > 1) and its l1 stays above twice the truth's.  Measured:
 * seeds 1, 2: err 7.0, 8.2; l1 65.6, 70.7; support found 0, 1.
 */
Test(lab_sparse, parameter_noise_of_matched_size_stays_dense, .timeout = 60)
{
    for (uint64_t seed = 1; seed <= 2; seed++) {
        struct ou_lab_config c = sp_config(seed);
        c.noise = OU_LAB_NOISE_PARAM;
        struct ou_lab *l = sp_lab(&c);
        struct ou_lab_obs o;
        cr_assert_eq(ou_lab_run(l, 100000, NULL), OU_OK);
        cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
        cr_expect(o.err > 1.0, "seed %lu: err %g", (unsigned long)seed, o.err);
        cr_expect(o.l1 > 2.0 * (double)c.rank, "seed %lu: l1 %g", (unsigned long)seed, o.l1);
        /* It still fits the data, to the size of its own noise: not a failure to train. */
        cr_expect(o.loss < 1.0, "seed %lu: loss %g", (unsigned long)seed, o.loss);
        ou_lab_destroy(l);
    }
}
