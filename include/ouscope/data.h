/*
 * Training data: n points (x_i, y_i) with strictly increasing, finite x.
 * Built-in sets on equally spaced x in [-1, 1], or points supplied by the
 * caller (a CSV reader, mouse edits).  Plain caller-owned storage.
 */
#ifndef OUSCOPE_DATA_H
#define OUSCOPE_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ouscope/status.h"

#define OU_DATA_MIN 2    /* fewer points define no curve */
#define OU_DATA_MAX 1024 /* K = (1/n) J J^T is n x n: keep its eigenproblem cheap */
#define OU_DATA_NAME_MAX 64

enum ou_data_kind {
    OU_DATA_SIN3X = 0, /* y = sin(3x) */
    OU_DATA_X2,        /* y = x^2 */
    OU_DATA_ABS,       /* y = |x| */
    OU_DATA_RANDOM,    /* y ~ U(-1, 1), i.i.d. from the seed */
    OU_DATA_CUSTOM     /* points given by the caller */
};
#define OU_DATA_NBUILTIN 4

struct ou_data {
    size_t n;
    enum ou_data_kind kind;
    char name[OU_DATA_NAME_MAX]; /* "sin3x", "x2", "abs", "random", or a file name */
    double x[OU_DATA_MAX];       /* strictly increasing */
    double y[OU_DATA_MAX];
};

/*
 * Fill d with built-in set `kind` on n points x_i = -1 + 2(i-1)/(n-1).
 * seed is used only by OU_DATA_RANDOM.  OU_EINVAL unless
 * OU_DATA_MIN <= n <= OU_DATA_MAX and kind is built in.
 */
enum ou_status ou_data_builtin(struct ou_data *d, enum ou_data_kind kind, size_t n,
                               uint64_t seed);

/* Short name of a built-in kind ("sin3x", ...), or NULL. */
const char *ou_data_kind_name(enum ou_data_kind kind);

/* Parse a built-in name; returns false if `name` is not one. */
bool ou_data_kind_parse(const char *name, enum ou_data_kind *kind);

/*
 * Check that d is usable: n in range, all values finite, x strictly
 * increasing.  On failure returns OU_EINVAL and, if i_bad is not NULL,
 * sets *i_bad to the first offending index.
 */
enum ou_status ou_data_validate(const struct ou_data *d, size_t *i_bad);

/*
 * Insert (x, y) keeping x sorted.  OU_EINVAL if the set is full, a value is
 * not finite, or x is within `min_gap` of an existing point.  *at receives
 * the new index (may be NULL).
 */
enum ou_status ou_data_insert(struct ou_data *d, double x, double y, double min_gap, size_t *at);

/* Remove point i; OU_EINVAL if i >= n or only OU_DATA_MIN points remain. */
enum ou_status ou_data_remove(struct ou_data *d, size_t i);

/* Index of the point nearest to x (n >= 1). */
size_t ou_data_nearest(const struct ou_data *d, double x);

/* Linear spline through the data evaluated at t (constant extension outside). */
double ou_data_spline(const struct ou_data *d, double t);

/* Total variation of the spline's slope: sum_k |slope_{k+1} - slope_k|. */
double ou_data_spline_tv(const struct ou_data *d);

/* Sign changes of the discrete second differences (zero differences skipped). */
int ou_data_convexity_changes(const struct ou_data *d);

#endif
