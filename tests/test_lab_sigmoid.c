/*
 * The sigmoid net on one data point (ouscope-science(7), SIGMOID NET):
 * h and grad h against a naive logistic and central differences, reg
 * against its closed form, the observables against direct computations,
 * the config checks, and Blanc et al.'s sparse-representation prediction
 * in the two forms derived on that page, with fixed seeds.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "engine/lab_impl.h"
#include "ouscope/lab.h"
#include "testutil.h"

static struct ou_lab *
sig_lab(const struct ou_lab_config *c)
{
    struct ou_lab *l = NULL;
    cr_assert_eq(ou_lab_create(&l, c), OU_OK);
    return l;
}

static struct ou_lab_config
sig_config(bool train_out, double target, uint64_t seed)
{
    struct ou_lab_config c;
    ou_lab_config_default(&c, OU_LAB_SIGMOID);
    c.train_out = train_out;
    c.target = target;
    c.seed = seed;
    return c;
}

/* The input lab.c drew: the kind's draw on stream OU_RNG_DATA of the seed. */
static void
sig_input(const struct ou_lab_config *c, double *x)
{
    struct ou_ziggurat z;
    struct ou_rng r;
    double y;
    ou_ziggurat_init(&z);
    ou_rng_seed(&r, c->seed, OU_RNG_DATA);
    ou_lab_sigmoid_ops.make(c, x, NULL, &y, &r, &z);
}

/* Pre-activations z_j = w_j . x + b_j from the layout (a if trained, W row-major, b). */
static void
sig_z(const struct ou_lab_config *c, const double *theta, const double *x, double *z)
{
    const size_t m = c->width, d = c->dim, off = c->train_out ? m : 0;
    for (size_t j = 0; j < m; j++) {
        z[j] = theta[off + m * d + j];
        for (size_t k = 0; k < d; k++)
            z[j] += theta[off + j * d + k] * x[k];
    }
}

static double
sig_a(const struct ou_lab_config *c, const double *theta, size_t j)
{
    return c->train_out ? theta[j] : 1.0;
}

/* The textbook logistic, fine for |z| < 30 where these references are used. */
static double
naive_s(double z)
{
    return 1.0 / (1.0 + exp(-z));
}

/* A random theta with entries N(0, scale^2) from a private stream. */
static void
random_theta(double *theta, size_t p, double scale, uint64_t seed)
{
    struct ou_ziggurat z;
    struct ou_rng r;
    ou_ziggurat_init(&z);
    ou_rng_seed(&r, seed, OU_RNG_KICK);
    for (size_t k = 0; k < p; k++)
        theta[k] = scale * ou_rng_normal(&r, &z);
}

/* Room for the small nets these tests build (p = m (d + 2) at most 60 here). */
#define PMAX 256

Test(lab_sigmoid, input_has_unit_norm_and_the_label_is_the_target)
{
    struct ou_lab_config c = sig_config(false, 2.5, 7);
    c.dim = 5;
    struct ou_lab *l = sig_lab(&c);
    double x[8], nrm = 0.0;
    sig_input(&c, x);
    for (size_t k = 0; k < c.dim; k++)
        nrm += x[k] * x[k];
    cr_expect(tu_close(nrm, 1.0, 0.0, 1e-14), "|x|^2 = %.17g", nrm);
    cr_expect_eq(ou_lab_label(l, 0), 2.5);
    cr_expect_eq(ou_lab_nparams(l), c.width * (c.dim + 1));
    ou_lab_destroy(l);
    c.train_out = true;
    l = sig_lab(&c);
    cr_expect_eq(ou_lab_nparams(l), c.width * (c.dim + 2));
    ou_lab_destroy(l);
}

/* h against the naive sum, each dh/dtheta_k against (h(+e) - h(-e)) / 2e. */
static void
check_grad(bool train_out)
{
    struct ou_lab_config c = sig_config(train_out, 1.5, 3);
    c.width = 5;
    c.dim = 3;
    struct ou_lab *l = sig_lab(&c);
    const size_t p = ou_lab_nparams(l), m = c.width;
    double theta[PMAX], g[PMAX], x[OU_LAB_DIM_MAX], z[OU_LAB_UNITS_MAX];
    cr_assert(p <= PMAX);
    sig_input(&c, x);
    for (uint64_t trial = 0; trial < 4; trial++) {
        random_theta(theta, p, 1.5, 100 + trial);
        double h = ou_lab_grad(l, 0, theta, g), want = 0.0;
        sig_z(&c, theta, x, z);
        for (size_t j = 0; j < m; j++)
            want += sig_a(&c, theta, j) * naive_s(z[j]);
        cr_expect(tu_close(h, want, 1e-14, 1e-13), "h %.17g, naive %.17g", h, want);
        for (size_t k = 0; k < p; k++) {
            double tp[PMAX], e = 1e-6 * fmax(1.0, fabs(theta[k]));
            memcpy(tp, theta, p * sizeof *tp);
            tp[k] = theta[k] + e;
            double hp = ou_lab_grad(l, 0, tp, NULL);
            tp[k] = theta[k] - e;
            double hm = ou_lab_grad(l, 0, tp, NULL);
            double fd = (hp - hm) / (2.0 * e);
            /* Central differences: O(e^2 h''') truncation and 1e-16 |h| / e rounding, ~1e-10. */
            cr_expect(tu_close(g[k], fd, 1e-8, 1e-6), "train_out %d theta %zu: grad %.12g, fd %.12g",
                      (int)train_out, k, g[k], fd);
        }
    }
    ou_lab_destroy(l);
}

Test(lab_sigmoid, grad_matches_central_differences_with_fixed_outputs)
{
    check_grad(false);
}

Test(lab_sigmoid, grad_matches_central_differences_with_trained_outputs)
{
    check_grad(true);
}

/*
 * reg = sum_j [ s_j^2 (a trained) + a_j^2 s'_j^2 (|x|^2 + 1) ] (one point,
 * ouscope-science(7), SIGMOID NET) against |grad h|^2 summed by hand and
 * the reg that observe reports.
 */
static void
check_reg(bool train_out)
{
    struct ou_lab_config c = sig_config(train_out, 3.0, 11);
    c.width = 6;
    c.dim = 4;
    struct ou_lab *l = sig_lab(&c);
    const size_t p = ou_lab_nparams(l), m = c.width;
    double theta[PMAX], g[PMAX], x[OU_LAB_DIM_MAX], z[OU_LAB_UNITS_MAX], xx = 0.0;
    sig_input(&c, x);
    for (size_t k = 0; k < c.dim; k++)
        xx += x[k] * x[k];
    for (uint64_t trial = 0; trial < 4; trial++) {
        random_theta(theta, p, 2.0, 200 + trial);
        cr_assert_eq(ou_lab_set_theta(l, theta, p), OU_OK);
        sig_z(&c, theta, x, z);
        double closed = 0.0, summed = 0.0;
        for (size_t j = 0; j < m; j++) {
            double s = naive_s(z[j]), ds = s * (1.0 - s), a = sig_a(&c, theta, j);
            closed += (train_out ? s * s : 0.0) + a * a * ds * ds * (xx + 1.0);
        }
        ou_lab_grad(l, 0, theta, g);
        for (size_t k = 0; k < p; k++)
            summed += g[k] * g[k];
        struct ou_lab_obs o;
        cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
        cr_expect(tu_close(summed, closed, 1e-15, 1e-12), "|grad h|^2 %.17g, closed %.17g", summed,
                  closed);
        cr_expect(tu_close(o.reg, closed, 1e-15, 1e-12), "observed reg %.17g, closed %.17g", o.reg,
                  closed);
    }
    ou_lab_destroy(l);
}

Test(lab_sigmoid, reg_has_its_closed_form_with_fixed_outputs)
{
    check_reg(false);
}

Test(lab_sigmoid, reg_has_its_closed_form_with_trained_outputs)
{
    check_reg(true);
}

/*
 * Far in the tails exp(z) overflows and 1 - s cancels: h, grad h and the
 * observables must stay finite, s' = e^-|z| / (1 + e^-|z|)^2 must keep its
 * relative precision, and a unit at z = -800 must give exactly 0.
 */
Test(lab_sigmoid, logistic_is_finite_and_accurate_in_the_tails)
{
    struct ou_lab_config c = sig_config(true, 1.0, 5);
    c.width = 4;
    c.dim = 2;
    struct ou_lab *l = sig_lab(&c);
    const size_t p = ou_lab_nparams(l), m = c.width, d = c.dim;
    const double zs[4] = {800.0, -800.0, 40.0, -40.0};
    double theta[PMAX] = {0}, g[PMAX];
    for (size_t j = 0; j < m; j++) {
        theta[j] = 1.0;                 /* a_j */
        theta[m + m * d + j] = zs[j];   /* b_j; W = 0 so z_j = b_j */
    }
    double h = ou_lab_grad(l, 0, theta, g);
    /* s(800) = 1, s(-800) = 0, s(40) = 1 - 4e-18 rounds to 1, s(-40) = e^-40 (1 - e^-40). */
    double want = 1.0 + 0.0 + 1.0 + exp(-40.0);
    cr_expect(tu_close(h, want, 0.0, 1e-15), "h = %.17g, want %.17g", h, want);
    for (size_t k = 0; k < p; k++)
        cr_expect(isfinite(g[k]), "grad %zu = %g", k, g[k]);
    /* db_j = a_j s'(z_j): 0 or subnormal at |z| = 800, e^-40 to full precision at |z| = 40. */
    const double *gb = g + m + m * d;
    cr_expect(gb[0] >= 0.0 && gb[0] < 1e-300);
    cr_expect(gb[1] >= 0.0 && gb[1] < 1e-300);
    cr_expect(tu_close(gb[2], exp(-40.0), 0.0, 1e-14), "s'(40) = %.17g", gb[2]);
    cr_expect(tu_close(gb[3], exp(-40.0), 0.0, 1e-14), "s'(-40) = %.17g", gb[3]);
    cr_assert_eq(ou_lab_set_theta(l, theta, p), OU_OK);
    struct ou_lab_obs o;
    cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
    cr_expect(isfinite(o.loss) && isfinite(o.reg));
    cr_expect_eq(o.unit_s[0], 1.0);
    cr_expect_eq(o.unit_s[1], 0.0);
    cr_expect_eq(o.unsaturated, 0);
    ou_lab_destroy(l);
}

/* units, unit_s, unit_out and the unsaturated count against z computed by hand; err is NaN. */
Test(lab_sigmoid, observables_match_a_direct_computation)
{
    for (int trained = 0; trained < 2; trained++) {
        struct ou_lab_config c = sig_config(trained, 2.0, 13);
        c.width = 12;
        c.dim = 3;
        struct ou_lab *l = sig_lab(&c);
        const size_t p = ou_lab_nparams(l), m = c.width;
        double theta[PMAX], x[OU_LAB_DIM_MAX], z[OU_LAB_UNITS_MAX];
        sig_input(&c, x);
        random_theta(theta, p, 2.5, 300 + (uint64_t)trained);
        cr_assert_eq(ou_lab_set_theta(l, theta, p), OU_OK);
        sig_z(&c, theta, x, z);
        struct ou_lab_obs o;
        cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
        cr_expect_eq(o.units, m);
        cr_expect(isnan(o.err));
        size_t uns = 0;
        for (size_t j = 0; j < m; j++) {
            double s = naive_s(z[j]);
            cr_expect(tu_close(o.unit_s[j], s, 1e-15, 1e-13), "unit %zu: s %.17g, want %.17g", j,
                      o.unit_s[j], s);
            cr_expect(tu_close(o.unit_out[j], sig_a(&c, theta, j) * s, 1e-15, 1e-13));
            if (s >= 0.05 && s <= 0.95)
                uns++;
        }
        cr_expect_eq(o.unsaturated, uns);
        /* This draw must test the count: some units inside [0.05, 0.95] and some outside. */
        cr_expect(uns > 0 && uns < m, "unsaturated %zu of %zu", uns, m);
        ou_lab_destroy(l);
    }
}

Test(lab_sigmoid, config_ranges_are_checked)
{
    struct ou_lab_config c = sig_config(false, 2.5, 1);
    struct ou_lab *l = NULL;
    cr_expect_eq(ou_lab_sigmoid_ops.check(&c), OU_OK);
    struct ou_lab_config bad[12];
    for (size_t k = 0; k < 12; k++)
        bad[k] = c;
    bad[0].n = 2;
    bad[1].dim = 0;
    bad[2].dim = OU_LAB_DIM_MAX + 1;
    bad[3].width = 0;
    bad[4].width = OU_LAB_UNITS_MAX + 1;
    bad[5].target = 0.0;                   /* a_j = 1 reach only (0, m) */
    bad[6].target = (double)c.width;
    bad[7].target = -1.0;
    bad[8].target = NAN;
    bad[9].init_scale = 0.0;
    bad[10].init_scale = INFINITY;
    bad[11].init_scale = -0.5;
    for (size_t k = 0; k < 12; k++) {
        cr_expect_eq(ou_lab_sigmoid_ops.check(&bad[k]), OU_EINVAL, "config %zu passed", k);
        cr_expect_eq(ou_lab_create(&l, &bad[k]), OU_EINVAL, "config %zu created", k);
    }
    /* Trained outputs reach any label, negative or beyond m. */
    c.train_out = true;
    c.target = -3.0;
    cr_expect_eq(ou_lab_sigmoid_ops.check(&c), OU_OK);
    c.target = 100.0;
    cr_expect_eq(ou_lab_sigmoid_ops.check(&c), OU_OK);
    c.target = INFINITY;
    cr_expect_eq(ou_lab_sigmoid_ops.check(&c), OU_EINVAL);
    /* The limits themselves are allowed. */
    c = sig_config(false, 2.5, 1);
    c.dim = OU_LAB_DIM_MAX;
    c.width = OU_LAB_UNITS_MAX;
    cr_expect_eq(ou_lab_create(&l, &c), OU_OK);
    ou_lab_destroy(l);
}

/* phi(s) = s^2 (1 - s)^2 = s'^2 as a function of s: reg / c of one unit with a_j = 1. */
static double
phi(double s)
{
    return s * s * (1.0 - s) * (1.0 - s);
}

/*
 * The least sum_j phi(s_j) subject to sum_j s_j = y over configurations of
 * two levels, k units at s_hi and m - k at s_lo <= s_hi, by brute force over
 * k and a grid of s_hi (with s_hi = 1 itself, the limit of saturation).
 * At a minimum every unit sits where phi is convex (s < 0.21 or s > 0.79),
 * and units on the same side share one value, so two levels suffice.
 */
static void
two_level(double y, size_t m, size_t *k_best, double *hi_best, double *lo_best)
{
    double best = INFINITY;
    const int grid = 100000;
    for (size_t k = 1; k < m; k++)
        for (int q = 0; q <= grid; q++) {
            double hi = (double)q / grid, lo = (y - (double)k * hi) / (double)(m - k);
            if (lo < 0.0 || lo > hi)
                continue;
            double v = (double)k * phi(hi) + (double)(m - k) * phi(lo);
            if (v < best) {
                best = v;
                *k_best = k;
                *hi_best = hi;
                *lo_best = lo;
            }
        }
}

/* s''(z) as a function of s = s(z): s (1 - s) (1 - 2 s). */
static double
s2(double s)
{
    return s * (1.0 - s) * (1.0 - 2.0 * s);
}

/*
 * Fixed outputs (a_j = 1), the reference set-up: y = 2.5, m = 8 units,
 * x in R^4 with |x| = 1 so c = |x|^2 + 1 = 2, eta = 0.5, sigma = 0.5,
 * B = 1, init_scale 0.5.  Label noise drives theta to the least
 * sum_j s'(z_j)^2 with sum_j s(z_j) = y (ouscope-science(7), SIGMOID NET):
 * two_level gives k = 2 units at s -> 1 and 6 units sharing the remaining
 * 0.5, at 1/12 each.  Not one fractional unit beside six units at 0: six
 * units at 1/12 cost 6 phi(1/12) = 0.035 < phi(1/2) = 0.0625.
 *
 * The rate of saturation, derived on that page: the low units' own
 * fluctuations, through s'' > 0, bias the residual to
 *   rbar = E[h - y] = -(eta sigma^2 c / 2) s''(s_lo)              (-0.00796)
 * and the saturated units, whose s' = e^-z, climb as
 *   d e^z / dt = -eta c rbar = kappa = eta^2 sigma^2 c^2 s''(s_lo) / 2,
 * so 1/(1 - s) grows by kappa = 0.00796 per step (1 - s ~ 126 / t).  The
 * noise in that growth is small: the label-noise part of sum_t (r_t - eps_t)
 * telescopes, (r_t - eps_t) being what makes r relax.
 */
Test(lab_sigmoid, fixed_outputs_saturate_floor_y_units_and_share_the_rest, .timeout = 60)
{
    const double y = 2.5, c2 = 2.0;
    size_t k_ref = 0;
    double hi_ref = 0.0, lo_ref = 0.0;
    two_level(y, 8, &k_ref, &hi_ref, &lo_ref);
    cr_assert_eq(k_ref, 2);
    cr_assert(tu_close(lo_ref, 1.0 / 12.0, 1e-4, 0.0), "reference low level %g", lo_ref);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct ou_lab_config c = sig_config(false, y, seed);
        struct ou_lab *l = sig_lab(&c);
        const size_t m = c.width;
        const double eta = c.eta, sig2 = c.sigma * c.sigma;
        const uint64_t t1 = 200000, t2 = 1000000, every = 100;
        struct ou_lab_obs o;
        cr_assert_eq(ou_lab_run(l, t1, NULL), OU_OK);
        cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
        size_t khi = 0;
        double u1 = 0.0;
        bool hi[OU_LAB_UNITS_MAX];
        for (size_t j = 0; j < m; j++) {
            hi[j] = o.unit_s[j] > 0.5;
            if (hi[j]) {
                khi++;
                u1 += 1.0 / (1.0 - o.unit_s[j]);
            }
        }
        cr_assert_eq(khi, k_ref, "seed %lu: %zu units above 1/2", (unsigned long)seed, khi);
        u1 /= (double)khi;
        double sum_lo = 0.0, sq_lo = 0.0, sum_r = 0.0, sq_r = 0.0;
        size_t cnt = 0;
        double theta[PMAX];
        for (uint64_t t = t1; t < t2; t += every) {
            cr_assert_eq(ou_lab_run(l, every, NULL), OU_OK);
            cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
            double lo = 0.0;
            for (size_t j = 0; j < m; j++)
                if (!hi[j])
                    lo += o.unit_s[j];
            lo /= (double)(m - khi);
            memcpy(theta, ou_lab_theta(l), ou_lab_nparams(l) * sizeof *theta);
            double r = ou_lab_grad(l, 0, theta, NULL) - y;
            sum_lo += lo;
            sq_lo += lo * lo;
            sum_r += r;
            sq_r += r * r;
            cnt++;
        }
        double u2 = 0.0, lmin = 1.0, lmax = 0.0, hmin = 1.0;
        for (size_t j = 0; j < m; j++) {
            if (hi[j]) {
                u2 += 1.0 / (1.0 - o.unit_s[j]);
                hmin = fmin(hmin, o.unit_s[j]);
            } else {
                lmin = fmin(lmin, o.unit_s[j]);
                lmax = fmax(lmax, o.unit_s[j]);
            }
        }
        u2 /= (double)khi;
        const double mlo = sum_lo / (double)cnt, mr = sum_r / (double)cnt;
        const double sd_lo = sqrt(sq_lo / (double)cnt - mlo * mlo);
        const double sd_r = sqrt(sq_r / (double)cnt - mr * mr);
        const double rbar = -eta * sig2 * c2 / 2.0 * s2(lo_ref);
        const double kappa = eta * eta * sig2 * c2 * c2 * s2(lo_ref) / 2.0;
        const double slope = (u2 - u1) / (double)(t2 - t1);
        /* Measured, seeds 1-3: 1 - s_hi = 1.2e-4 at t2; mean low 0.0819-0.0823; mean r -0.0091,
         * -0.0081, -0.0069 (sd of one sample 0.066); slope / kappa 1.003, 1.006, 1.009. */
        cr_expect(hmin > 0.999, "seed %lu: a saturated unit at s = %.6f", (unsigned long)seed, hmin);
        /* The low units synchronise: their differences shrink by the factor
         * 1 - eta c (r - eps) s'' a step, at the rate (eta c sigma s'')^2 / 2 ~ 5e-4. */
        cr_expect(lmax - lmin < 1e-9, "seed %lu: low units in [%.12f, %.12f]", (unsigned long)seed,
                  lmin, lmax);
        /*
         * sum_j s_j = y + r, so the low level is lo_ref + (rbar + k (1 - s_hi)) / (m - k).
         * Samples 100 steps apart are independent (r relaxes in 1/(eta lambda) ~ 30
         * steps, lambda = c sum_j s'_j^2 ~ 0.07): 4 standard errors, plus the
         * saturation term bounded by its value at t1.
         */
        const double se_lo = sd_lo / sqrt((double)cnt), se_r = sd_r / sqrt((double)cnt);
        const double lo_pred = lo_ref + rbar / (double)(m - khi);
        const double sat = (double)khi / u1 / (double)(m - khi);
        cr_expect(fabs(mlo - lo_pred) <= 4.0 * se_lo + sat, "seed %lu: mean low %.6f, predicted %.6f",
                  (unsigned long)seed, mlo, lo_pred);
        /* rbar is leading order in eta lambda = 0.035: 4 standard errors and 5%. */
        cr_expect(fabs(mr - rbar) <= 4.0 * se_r + 0.05 * fabs(rbar),
                  "seed %lu: mean residual %.6f, predicted %.6f", (unsigned long)seed, mr, rbar);
        /* kappa is leading order in eta lambda, and s'' is taken at the mean low level (the
         * time average of s''(s_lo) is 1.6% lower): 5%. */
        cr_expect(fabs(slope / kappa - 1.0) <= 0.05, "seed %lu: d(1/(1-s))/dt = %.6g, kappa %.6g",
                  (unsigned long)seed, slope, kappa);
        ou_lab_destroy(l);
    }
}

/* g(o) = c o^2 / (1 + c o^2): the least reg of one trained unit with output o = a s. */
static double
g_bal(double c2, double o)
{
    return c2 * o * o / (1.0 + c2 * o * o);
}

/*
 * The least sum_j g(o_j) subject to sum_j o_j = y over two-level
 * configurations (k units at o_hi, m - k at o_lo), brute force over k and
 * a grid of o_hi in [y/m, y].
 */
static double
two_level_g(double c2, double y, size_t m)
{
    double best = (double)m * g_bal(c2, y / (double)m);
    const int grid = 200000;
    for (size_t k = 1; k < m; k++)
        for (int q = 0; q <= grid; q++) {
            double hi = y / (double)m + (y - y / (double)m) * q / grid;
            double lo = (y - (double)k * hi) / (double)(m - k);
            best = fmin(best, (double)k * g_bal(c2, hi) + (double)(m - k) * g_bal(c2, lo));
        }
    return best;
}

struct trained_run {
    double share;  /* largest |a_j s_j| over sum_j |a_j s_j| */
    double spread; /* (max - min) / mean of a_j s_j */
    double reg;    /* reg after the noise-free projection */
    double loss;   /* its loss */
};

/* burn steps of label noise, then sigma = 0 for proj steps: reg on the zero-loss set. */
static struct trained_run
trained(double y, uint64_t seed, uint64_t burn, uint64_t proj)
{
    struct ou_lab_config c = sig_config(true, y, seed);
    struct ou_lab *l = sig_lab(&c);
    struct ou_lab_obs o;
    struct trained_run tr = {0};
    cr_assert_eq(ou_lab_run(l, burn, NULL), OU_OK);
    cr_assert_eq(ou_lab_set_sigma(l, 0.0), OU_OK);
    cr_assert_eq(ou_lab_run(l, proj, NULL), OU_OK);
    cr_assert_eq(ou_lab_observe(l, &o), OU_OK);
    double big = 0.0, tot = 0.0, mn = INFINITY, mx = -INFINITY;
    for (size_t j = 0; j < o.units; j++) {
        big = fmax(big, fabs(o.unit_out[j]));
        tot += fabs(o.unit_out[j]);
        mn = fmin(mn, o.unit_out[j]);
        mx = fmax(mx, o.unit_out[j]);
    }
    tr.share = big / tot;
    tr.spread = (mx - mn) / (tot / (double)o.units);
    tr.reg = o.reg;
    tr.loss = o.loss;
    ou_lab_destroy(l);
    return tr;
}

/*
 * Trained outputs, the reference set-up with a_j trained: the least reg of
 * a unit with output o is g(o) = c o^2 / (1 + c o^2) (ouscope-science(7),
 * SIGMOID NET), convex for c o^2 < 1/3 and concave beyond.  One unit
 * carrying all of y costs g(y), m equal units m g(y/m); these cross at
 * c y^2 = m.  So with c = 2, m = 8: y = 6 (c y^2 = 72 > 8) should end with
 * one unit carrying the output, y = 1 (c y^2 = 2 < 8) with all units equal.
 * After 3 10^5 steps of label noise, 2 10^4 noise-free steps project onto
 * the zero-loss set (loss < 1e-25), where reg can be compared with the
 * least two-level sum_j g(o_j), a lower bound for any interpolant.
 * Measured, seeds 1-3: y = 6: share 0.9990-0.9991, reg / bound - 1 =
 * 1.4e-4; y = 1: spread 7e-6 to 1.2e-5, reg / bound - 1 = 9.4e-4.  What
 * remains is the imbalance the drift has not removed yet; 1% allows it.
 */
Test(lab_sigmoid, trained_outputs_concentrate_when_c_y2_exceeds_the_width, .timeout = 60)
{
    const double ref = two_level_g(2.0, 6.0, 8);
    cr_assert(tu_close(ref, g_bal(2.0, 6.0), 0.0, 1e-3), "bound %g, one unit %g", ref,
              g_bal(2.0, 6.0));
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct trained_run tr = trained(6.0, seed, 300000, 20000);
        cr_expect(tr.loss < 1e-25, "seed %lu: loss %g", (unsigned long)seed, tr.loss);
        cr_expect(tr.share > 0.99, "seed %lu: largest unit carries %.4f", (unsigned long)seed,
                  tr.share);
        cr_expect(tr.reg >= ref * (1.0 - 1e-9) && tr.reg <= ref * 1.01,
                  "seed %lu: reg %.6f, bound %.6f", (unsigned long)seed, tr.reg, ref);
    }
}

Test(lab_sigmoid, trained_outputs_spread_when_c_y2_is_below_the_width, .timeout = 60)
{
    const double ref = two_level_g(2.0, 1.0, 8);
    cr_assert(tu_close(ref, 8.0 * g_bal(2.0, 1.0 / 8.0), 0.0, 1e-12), "bound %g", ref);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct trained_run tr = trained(1.0, seed, 300000, 20000);
        cr_expect(tr.loss < 1e-25, "seed %lu: loss %g", (unsigned long)seed, tr.loss);
        cr_expect(tr.spread < 1e-3, "seed %lu: outputs spread %.3g of their mean",
                  (unsigned long)seed, tr.spread);
        cr_expect(tr.reg >= ref * (1.0 - 1e-9) && tr.reg <= ref * 1.01,
                  "seed %lu: reg %.6f, bound %.6f", (unsigned long)seed, tr.reg, ref);
    }
}
