/*
 * Built-in data sets, validation, edits that keep x sorted, and the linear
 * spline with its slope variation and convexity changes, against the
 * plain-loop reference.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <math.h>

#include "ouscope/data.h"
#include "reference.h"

Test(data, builtins_are_the_reference_sets)
{
    struct ou_data d;
    cr_assert_eq(ou_data_builtin(&d, OU_DATA_SIN3X, 8, 1), OU_OK);
    cr_assert_eq(d.n, 8);
    for (size_t i = 0; i < 8; i++) {
        double x = -1.0 + 2.0 * (double)i / 7.0;
        cr_expect(fabs(d.x[i] - x) < 1e-15);
        cr_expect(fabs(d.y[i] - sin(3 * x)) < 1e-15);
    }
    cr_assert_eq(ou_data_builtin(&d, OU_DATA_ABS, 5, 1), OU_OK);
    cr_expect(fabs(d.y[0] - 1.0) < 1e-15 && fabs(d.y[2]) < 1e-15);
    cr_assert_eq(ou_data_builtin(&d, OU_DATA_X2, 3, 1), OU_OK);
    cr_expect(fabs(d.y[0] - 1.0) < 1e-15 && fabs(d.y[1]) < 1e-15);
    cr_expect_str_eq(d.name, "x2");
}

Test(data, random_set_depends_on_the_seed_only)
{
    struct ou_data a, b, c;
    ou_data_builtin(&a, OU_DATA_RANDOM, 16, 5);
    ou_data_builtin(&b, OU_DATA_RANDOM, 16, 5);
    ou_data_builtin(&c, OU_DATA_RANDOM, 16, 6);
    int differ = 0;
    for (size_t i = 0; i < 16; i++) {
        cr_expect(!(fabs(a.y[i] - b.y[i]) > 0.0));
        cr_expect(a.y[i] >= -1.0 && a.y[i] < 1.0);
        differ += fabs(a.y[i] - c.y[i]) > 0.0;
    }
    cr_expect(differ > 0);
}

Test(data, sizes_outside_the_range_are_refused)
{
    struct ou_data d;
    cr_expect_eq(ou_data_builtin(&d, OU_DATA_SIN3X, 1, 1), OU_EINVAL);
    cr_expect_eq(ou_data_builtin(&d, OU_DATA_SIN3X, OU_DATA_MAX + 1, 1), OU_EINVAL);
    cr_expect_eq(ou_data_builtin(&d, OU_DATA_SIN3X, OU_DATA_MAX, 1), OU_OK);
    cr_expect_eq(ou_data_builtin(&d, OU_DATA_CUSTOM, 8, 1), OU_EINVAL);
}

Test(data, validate_finds_the_first_bad_point)
{
    struct ou_data d;
    size_t bad = 99;
    ou_data_builtin(&d, OU_DATA_X2, 6, 1);
    cr_expect_eq(ou_data_validate(&d, &bad), OU_OK);
    d.x[3] = d.x[2];
    cr_expect_eq(ou_data_validate(&d, &bad), OU_EINVAL);
    cr_expect_eq(bad, 3);
    ou_data_builtin(&d, OU_DATA_X2, 6, 1);
    d.y[4] = NAN;
    cr_expect_eq(ou_data_validate(&d, &bad), OU_EINVAL);
    cr_expect_eq(bad, 4);
}

Test(data, insert_and_remove_keep_x_sorted)
{
    struct ou_data d;
    size_t at;
    ou_data_builtin(&d, OU_DATA_SIN3X, 8, 1);
    cr_assert_eq(ou_data_insert(&d, 0.05, 2.0, 1e-3, &at), OU_OK);
    cr_expect_eq(d.n, 9);
    cr_expect_eq(at, 4);
    cr_expect_eq(ou_data_validate(&d, NULL), OU_OK);
    cr_expect_eq(d.kind, OU_DATA_CUSTOM);
    /* Too close to an existing point. */
    cr_expect_eq(ou_data_insert(&d, 0.0505, 1.0, 1e-3, NULL), OU_EINVAL);
    cr_expect_eq(ou_data_insert(&d, INFINITY, 1.0, 1e-3, NULL), OU_EINVAL);
    cr_assert_eq(ou_data_remove(&d, 4), OU_OK);
    cr_expect_eq(d.n, 8);
    cr_expect_eq(ou_data_nearest(&d, 0.9), 7);
    cr_expect_eq(ou_data_nearest(&d, -0.2), 3);
    cr_expect_eq(ou_data_remove(&d, 8), OU_EINVAL);
    while (d.n > OU_DATA_MIN)
        ou_data_remove(&d, 0);
    cr_expect_eq(ou_data_remove(&d, 0), OU_EINVAL);
}

Test(data, spline_and_its_variation_match_the_reference)
{
    struct ou_data d;
    enum ou_data_kind kinds[] = {OU_DATA_SIN3X, OU_DATA_X2, OU_DATA_ABS, OU_DATA_RANDOM};
    for (int k = 0; k < 4; k++) {
        ou_data_builtin(&d, kinds[k], 9, 3);
        cr_expect(fabs(ou_data_spline_tv(&d) - ref_spline_tv(d.x, d.y, d.n)) < 1e-12);
        cr_expect_eq(ou_data_convexity_changes(&d), ref_convexity_changes_data(d.x, d.y, d.n));
        for (double t = -1.3; t < 1.3; t += 0.01)
            cr_expect(fabs(ou_data_spline(&d, t) - ref_spline(d.x, d.y, d.n, t)) < 1e-13);
    }
}

/* The counts of theory: sin 3x on 8 points changes convexity once, x^2 and |x| never. */
Test(data, convexity_changes_of_the_reference_sets)
{
    struct ou_data d;
    ou_data_builtin(&d, OU_DATA_SIN3X, 8, 1);
    cr_expect_eq(ou_data_convexity_changes(&d), 1);
    ou_data_builtin(&d, OU_DATA_X2, 8, 1);
    cr_expect_eq(ou_data_convexity_changes(&d), 0);
    ou_data_builtin(&d, OU_DATA_ABS, 8, 1);
    cr_expect_eq(ou_data_convexity_changes(&d), 0);
    /* |x| on 8 points: the spline's slope jumps from -1 to +1 across (-1/7, 1/7). */
    cr_expect(fabs(ou_data_spline_tv(&d) - 2.0) < 1e-12);
}

/* A point right of every x goes last, one left of every x goes first. */
Test(data, insert_beyond_the_ends_appends_and_prepends)
{
    struct ou_data d;
    size_t at = 99;
    ou_data_builtin(&d, OU_DATA_SIN3X, 8, 1);
    cr_assert_eq(ou_data_insert(&d, 2.0, 0.5, 1e-3, &at), OU_OK);
    cr_expect_eq(at, 8);
    cr_expect_eq(d.n, 9);
    cr_expect(!(fabs(d.x[8] - 2.0) > 0.0) && !(fabs(d.y[8] - 0.5) > 0.0));
    cr_expect(!(fabs(d.x[7] - 1.0) > 0.0), "the old last point must stay at index 7");
    cr_expect_eq(ou_data_validate(&d, NULL), OU_OK);
    cr_assert_eq(ou_data_insert(&d, -3.0, -0.5, 1e-3, &at), OU_OK);
    cr_expect_eq(at, 0);
    cr_expect(!(fabs(d.x[0] + 3.0) > 0.0) && !(fabs(d.x[1] + 1.0) > 0.0));
    cr_expect_eq(ou_data_validate(&d, NULL), OU_OK);
}

/*
 * Convexity changes depend on signs only: y = s sin 3x on 8 points changes
 * convexity once for every scale s whose second differences (|d_k| from
 * 1.005 s to 2.32 s) clear the 1e-12 "straight run" cut of
 * ouscope-science(7), down to s = 1.1e-12; at s = 1e-14 they are all below it
 * and count none.
 */
Test(data, convexity_changes_ignore_the_scale_of_the_data)
{
    const double scales[] = {1.0, 1e-6, 1e-9, 1.1e-12, 1e-14};
    const int want[] = {1, 1, 1, 1, 0};
    for (int k = 0; k < 5; k++) {
        struct ou_data d;
        ou_data_builtin(&d, OU_DATA_SIN3X, 8, 1);
        for (size_t i = 0; i < d.n; i++)
            d.y[i] = scales[k] * sin(3.0 * d.x[i]);
        cr_expect_eq(ref_convexity_changes_data(d.x, d.y, d.n), want[k], "reference at %g",
                     scales[k]);
        cr_expect_eq(ou_data_convexity_changes(&d), ref_convexity_changes_data(d.x, d.y, d.n),
                     "scale %g", scales[k]);
    }
}
