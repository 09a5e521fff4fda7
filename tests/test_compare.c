/*
 * Tests of the A/B comparison's engines (src/app/compare.c): B made from A
 * with its knob left equal stays bit-identical to A step for step; with a
 * knob changed it is the same run as an engine created with that knob from
 * the start (an independent construction), and it differs from A; a
 * diverging B stops while A goes on.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdio.h>
#include <string.h>

#include "app/compare.h"
#include "ouscope/fluct.h"
#include "testutil.h"

#define N_POINTS 16
#define N_STEPS 3000

/* The reference set-up on 16 points with B = 4, so that the batch stream is used. */
static struct ou_engine *
engine_a(const struct ou_config *over)
{
    struct ou_config c;
    ou_config_default(&c);
    c.batch = 4;
    if (over)
        c = *over;
    struct ou_engine *e = tu_engine(OU_DATA_SIN3X, N_POINTS, &c);
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

/* The spec that sets B's knob to the value A has. */
static struct compare_spec
equal_spec(enum compare_knob k, const struct ou_config *c)
{
    struct compare_spec s = {.knob = k};
    switch (k) {
    case COMPARE_SIGMA:
        s.value = c->sigma;
        break;
    case COMPARE_ETA:
        s.value = c->eta;
        break;
    case COMPARE_BATCH:
        s.value = (double)c->batch;
        break;
    case COMPARE_OPTIMIZER:
        s.value = (double)c->optim;
        break;
    case COMPARE_MOMENTUM:
        s.value = c->momentum;
        break;
    case COMPARE_NOISE:
        s.value = (double)c->noise;
        break;
    case COMPARE_FROZEN:
    case COMPARE_NONE:
    case COMPARE_NKNOBS:
    default:
        s.value = c->frozen ? 1.0 : 0.0;
        break;
    }
    return s;
}

/* A's knobs for the equal-knob runs: momentum and Adam on, so their buffers are exercised. */
struct equal_case {
    enum compare_knob knob;
    enum ou_optim_kind optim;
    double momentum;
    bool frozen;
};

ParameterizedTestParameters(compare, an_equal_knob_keeps_b_bit_identical_to_a)
{
    static struct equal_case params[] = {
        {COMPARE_SIGMA, OU_OPTIM_SGD, 0.0, false},
        {COMPARE_ETA, OU_OPTIM_SGD, 0.9, false},
        {COMPARE_BATCH, OU_OPTIM_SGD, 0.0, false},
        {COMPARE_OPTIMIZER, OU_OPTIM_ADAM, 0.0, false},
        {COMPARE_MOMENTUM, OU_OPTIM_SGD, 0.5, false},
        {COMPARE_NOISE, OU_OPTIM_SGD, 0.0, false},
        {COMPARE_FROZEN, OU_OPTIM_SGD, 0.0, true},
        {COMPARE_OPTIMIZER, OU_OPTIM_RMSPROP, 0.0, false},
    };
    return cr_make_param_array(struct equal_case, params, sizeof params / sizeof params[0]);
}

/*
 * B is made after A has run a while (so theta, the streams and the
 * optimizer's buffers all carry history), and A tracks the OU fluctuations
 * while B does not: neither may change the trajectory.
 */
ParameterizedTest(struct equal_case *p, compare, an_equal_knob_keeps_b_bit_identical_to_a)
{
    struct ou_config c;
    ou_config_default(&c);
    c.batch = 4;
    c.eta = 0.02;
    c.optim = p->optim;
    c.momentum = p->momentum;
    c.frozen = p->frozen;
    struct ou_engine *a = engine_a(&c), *b = NULL;
    cr_assert_eq(ou_engine_run(a, 500, NULL), OU_OK);
    cr_assert_eq(ou_fluct_enable(a, 0), OU_OK);
    struct compare_spec s = equal_spec(p->knob, ou_engine_config(a));
    cr_assert_eq(compare_clone(a, &s, &b), OU_OK);
    cr_expect(same_theta(a, b), "B does not start where A is (knob %s)",
              compare_knob_name(p->knob));
    for (int frame = 0; frame < 30; frame++) {
        uint64_t done = 0;
        enum ou_status bs = OU_EINVAL;
        cr_assert_eq(compare_run(a, b, N_STEPS / 30, &done, &bs), OU_OK);
        cr_assert_eq(bs, OU_OK);
        cr_assert_eq(done, N_STEPS / 30);
    }
    cr_expect_eq(ou_engine_step_count(a), 500 + N_STEPS);
    cr_expect_eq(ou_engine_step_count(b), ou_engine_step_count(a));
    cr_expect(same_theta(a, b), "A and B differ after %d steps with %s equal", N_STEPS,
              compare_knob_name(p->knob));
    ou_engine_destroy(b);
    ou_engine_destroy(a);
}

struct diff_case {
    char arg[24];
    struct compare_spec spec;
    struct ou_config b; /* filled in from the default and the field below */
};

/* The knob of spec written into a config, the way a fresh engine would be configured. */
static void
config_with(struct ou_config *c, const struct compare_spec *s)
{
    switch (s->knob) {
    case COMPARE_SIGMA:
        c->sigma = s->value;
        break;
    case COMPARE_ETA:
        c->eta = s->value;
        break;
    case COMPARE_BATCH:
        c->batch = (size_t)s->value;
        break;
    case COMPARE_OPTIMIZER:
        c->optim = (enum ou_optim_kind)(int)s->value;
        break;
    case COMPARE_MOMENTUM:
        c->momentum = s->value;
        break;
    case COMPARE_NOISE:
        c->noise = (enum ou_noise_kind)(int)s->value;
        break;
    case COMPARE_FROZEN:
    case COMPARE_NONE:
    case COMPARE_NKNOBS:
    default:
        c->frozen = s->value > 0.5;
        break;
    }
}

static const struct compare_spec diff_specs[] = {
    {COMPARE_SIGMA, 0.0},
    {COMPARE_SIGMA, 1.0},
    {COMPARE_ETA, 0.04},
    {COMPARE_BATCH, 1.0},
    {COMPARE_BATCH, 16.0},
    {COMPARE_OPTIMIZER, (double)OU_OPTIM_ADAM},
    {COMPARE_OPTIMIZER, (double)OU_OPTIM_SAM},
    {COMPARE_MOMENTUM, 0.9},
    {COMPARE_NOISE, (double)OU_NOISE_PM},
    {COMPARE_FROZEN, 1.0},
};

/*
 * Made at step 0, B is the run an engine created with B's knobs would make:
 * the same theta after N steps, bit for bit.  And B is not A.
 */
Test(compare, b_made_at_step_0_is_the_run_created_with_its_knob)
{
    for (size_t i = 0; i < sizeof diff_specs / sizeof diff_specs[0]; i++) {
        const struct compare_spec *s = &diff_specs[i];
        struct ou_config ca;
        ou_config_default(&ca);
        ca.batch = 4;
        ca.eta = 0.02;
        struct ou_config cb = ca;
        config_with(&cb, s);
        struct ou_engine *a = engine_a(&ca), *b = NULL, *ref = engine_a(&cb);
        cr_assert_eq(compare_clone(a, s, &b), OU_OK, "%s", compare_knob_name(s->knob));
        cr_assert_eq(compare_run(a, b, 2000, NULL, NULL), OU_OK);
        cr_assert_eq(ou_engine_run(ref, 2000, NULL), OU_OK);
        cr_expect(same_theta(b, ref), "B (%s = %g) is not the run created with that knob",
                  compare_knob_name(s->knob), s->value);
        cr_expect_not(same_theta(a, b), "B (%s = %g) did not move away from A",
                      compare_knob_name(s->knob), s->value);
        cr_expect_eq(ou_engine_step_count(b), 2000);
        ou_engine_destroy(ref);
        ou_engine_destroy(b);
        ou_engine_destroy(a);
    }
}

/*
 * Common random numbers: B draws the same batch and the same standard
 * normals as A, so one step from the same theta is linear in sigma,
 * theta(0) + theta(2 sigma) = 2 theta(sigma) to rounding; independent
 * draws would miss it by about eta sigma |grad h| / sqrt(B).
 */
Test(compare, b_sees_the_same_draws_as_a)
{
    struct ou_engine *a = engine_a(NULL), *b0 = NULL, *b2 = NULL;
    cr_assert_eq(ou_engine_run(a, 300, NULL), OU_OK);
    double sigma = ou_engine_config(a)->sigma;
    struct compare_spec s0 = {COMPARE_SIGMA, 0.0}, s2 = {COMPARE_SIGMA, 2.0 * sigma};
    cr_assert_eq(compare_clone(a, &s0, &b0), OU_OK);
    cr_assert_eq(compare_clone(a, &s2, &b2), OU_OK);
    cr_assert_eq(ou_engine_run(b0, 1, NULL), OU_OK);
    cr_assert_eq(compare_run(a, b2, 1, NULL, NULL), OU_OK);
    size_t p = ou_engine_model(a)->p;
    const double *ta = ou_engine_theta(a), *t0 = ou_engine_theta(b0), *t2 = ou_engine_theta(b2);
    double worst = 0.0, moved = 0.0;
    for (size_t k = 0; k < p; k++) {
        worst = fmax(worst, fabs(t0[k] + t2[k] - 2.0 * ta[k]) / (1.0 + fabs(ta[k])));
        moved = fmax(moved, fabs(t2[k] - t0[k]));
    }
    /* The noise moved theta, and the three steps lie on one line in sigma. */
    cr_expect_gt(moved, 1e-6, "sigma made no difference (%g)", moved);
    cr_expect_lt(worst, 1e-13, "theta(0) + theta(2 sigma) - 2 theta(sigma) = %g", worst);
    ou_engine_destroy(b2);
    ou_engine_destroy(b0);
    ou_engine_destroy(a);
}

/* Made later, B still starts where A is and then goes its own way. */
Test(compare, b_made_mid_run_starts_at_a_and_then_differs)
{
    struct ou_engine *a = engine_a(NULL), *b = NULL;
    cr_assert_eq(ou_engine_run(a, 777, NULL), OU_OK);
    struct compare_spec s = {COMPARE_SIGMA, 0.0};
    cr_assert_eq(compare_clone(a, &s, &b), OU_OK);
    cr_expect(same_theta(a, b));
    cr_expect_eq(ou_engine_step_count(b), 777);
    cr_expect_eq(ou_engine_config(b)->batch, ou_engine_config(a)->batch);
    cr_assert_eq(compare_run(a, b, 100, NULL, NULL), OU_OK);
    cr_expect_not(same_theta(a, b));
    cr_expect_eq(ou_engine_step_count(b), 877);
    ou_engine_destroy(b);
    ou_engine_destroy(a);
}

/* A B past the stability limit stops at its last finite state; A goes on. */
Test(compare, a_diverging_b_stops_and_a_goes_on)
{
    struct ou_engine *a = engine_a(NULL), *b = NULL;
    struct compare_spec s = {COMPARE_ETA, 5.0};
    cr_assert_eq(compare_clone(a, &s, &b), OU_OK);
    uint64_t done = 0;
    enum ou_status bs = OU_OK;
    for (int i = 0; i < 10; i++)
        cr_assert_eq(compare_run(a, b, 100, &done, &bs), OU_OK);
    cr_expect_eq(bs, OU_EDIVERGED);
    cr_expect_eq(ou_engine_status(b), OU_EDIVERGED);
    cr_expect_eq(ou_engine_step_count(a), 1000);
    cr_expect_lt(ou_engine_step_count(b), 1000);
    uint64_t at = ou_engine_step_count(b);
    cr_assert_eq(compare_run(a, b, 100, &done, &bs), OU_OK);
    cr_expect_eq(bs, OU_EDIVERGED);
    cr_expect_eq(ou_engine_step_count(b), at, "a diverged B moved on");
    cr_expect_eq(ou_engine_step_count(a), 1100);
    ou_engine_destroy(b);
    ou_engine_destroy(a);
}

/* When A diverges first, B takes only the steps A took, so both stay on one step. */
Test(compare, b_takes_the_steps_a_took)
{
    struct ou_config c;
    ou_config_default(&c);
    c.batch = 4;
    c.eta = 5.0;
    struct ou_engine *a = engine_a(&c), *b = NULL;
    struct compare_spec s = {COMPARE_ETA, 0.01};
    cr_assert_eq(compare_clone(a, &s, &b), OU_OK);
    uint64_t done = 0;
    enum ou_status bs = OU_EINVAL;
    cr_expect_eq(compare_run(a, b, 1000, &done, &bs), OU_EDIVERGED);
    cr_expect_eq(bs, OU_OK);
    cr_expect_lt(done, 1000);
    cr_expect_eq(ou_engine_step_count(b), done);
    cr_expect_eq(ou_engine_step_count(a), done);
    ou_engine_destroy(b);
    ou_engine_destroy(a);
}

Test(compare, a_batch_larger_than_n_is_refused)
{
    struct ou_engine *a = engine_a(NULL), *b = NULL;
    struct compare_spec s = {COMPARE_BATCH, N_POINTS + 1};
    cr_expect_eq(compare_clone(a, &s, &b), OU_EINVAL);
    cr_expect_null(b);
    s.value = N_POINTS;
    cr_expect_eq(compare_clone(a, &s, &b), OU_OK);
    ou_engine_destroy(b);
    ou_engine_destroy(a);
}

Test(compare, the_default_difference_switches_the_noise)
{
    struct ou_config c;
    ou_config_default(&c);
    struct compare_spec s;
    c.sigma = 0.3;
    compare_default(&c, &s);
    cr_expect_eq(s.knob, COMPARE_SIGMA);
    cr_expect(tu_close(s.value, 0.0, 0.0, 0.0), "sigma %g", s.value);
    c.sigma = 0.0;
    compare_default(&c, &s);
    cr_expect(tu_close(s.value, 0.5, 0.0, 0.0), "sigma %g", s.value);
}

Test(compare, names_round_trip_and_unknown_names_are_refused)
{
    for (int k = COMPARE_NONE + 1; k < COMPARE_NKNOBS; k++) {
        enum compare_knob got = COMPARE_NONE;
        cr_expect(compare_knob_parse(compare_knob_name((enum compare_knob)k), &got));
        cr_expect_eq(got, k);
    }
    enum compare_knob got = COMPARE_ETA;
    cr_expect_not(compare_knob_parse("Sigma", &got));
    cr_expect_not(compare_knob_parse("", &got));
    cr_expect_not(compare_knob_parse("lr", &got));
    cr_expect_eq(got, COMPARE_ETA);
}

/* The status line's and the legend's words, for each kind of knob. */
Test(compare, the_difference_is_named_with_both_values)
{
    struct ou_config a, b;
    ou_config_default(&a);
    b = a;
    b.sigma = 0.0;
    char buf[64];
    cr_expect_str_eq(compare_describe(COMPARE_SIGMA, &a, &b, buf, sizeof buf), "σ 0.5 | 0");
    cr_expect_str_eq(compare_side(COMPARE_SIGMA, 'A', &a, buf, sizeof buf), "A σ=0.5");
    cr_expect_str_eq(compare_side(COMPARE_SIGMA, 'B', &b, buf, sizeof buf), "B σ=0");
    b = a;
    b.optim = OU_OPTIM_ADAM;
    cr_expect_str_eq(compare_describe(COMPARE_OPTIMIZER, &a, &b, buf, sizeof buf),
                     "optimizer sgd | adam");
    cr_expect_str_eq(compare_side(COMPARE_OPTIMIZER, 'B', &b, buf, sizeof buf), "B adam");
    b = a;
    b.batch = 1;
    cr_expect_str_eq(compare_describe(COMPARE_BATCH, &a, &b, buf, sizeof buf), "batch 8 | 1");
    b = a;
    b.frozen = true;
    cr_expect_str_eq(compare_describe(COMPARE_FROZEN, &a, &b, buf, sizeof buf),
                     "noise fresh | frozen");
    b = a;
    b.noise = OU_NOISE_PM;
    cr_expect_str_eq(compare_side(COMPARE_NOISE, 'B', &b, buf, sizeof buf), "B pm");
    b = a;
    b.momentum = 0.9;
    b.eta = 0.025;
    cr_expect_str_eq(compare_describe(COMPARE_MOMENTUM, &a, &b, buf, sizeof buf), "μ 0 | 0.9");
    cr_expect_str_eq(compare_describe(COMPARE_ETA, &a, &b, buf, sizeof buf), "η 0.05 | 0.025");
}
