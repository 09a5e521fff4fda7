/*
 * Plain-loop numeric reference for the tests, written from the formulas of
 * ouscope-science(7) independently of the engine. It favours obviousness over
 * speed and is used only by the test programs.
 */
#ifndef OUSCOPE_TESTS_REFERENCE_H
#define OUSCOPE_TESTS_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Conventions (ouscope-science(7)): the net is
 * h(x) = sum_j a_j relu(w_j x + b_j) + c with width m, and theta is laid out
 * as a[0..m), w[0..m), b[0..m), followed by c only when bias is true.
 * relu'(0) is taken to be 0, so unit j is active at x iff w_j x + b_j > 0.
 */

size_t ref_nparams(size_t m, bool bias);
double ref_h(const double *theta, size_t m, bool bias, double x);
void ref_grad_h(const double *theta, size_t m, bool bias, double x, double *g);
double ref_loss(const double *theta, size_t m, bool bias, const double *x, const double *y,
                size_t n);
void ref_loss_grad(const double *theta, size_t m, bool bias, const double *x, const double *y,
                   size_t n, double *g);
void ref_batch_grad(const double *theta, size_t m, bool bias, const double *x, const double *y,
                    const size_t *idx, const double *eps, size_t B, double *g);
double ref_reg(const double *theta, size_t m, bool bias, const double *x, size_t n);
void ref_reg_grad(const double *theta, size_t m, bool bias, const double *x, size_t n, double *g);
void ref_path_norms(const double *theta, size_t m, bool bias, double *l1, double *l2);
double ref_balance(const double *theta, size_t m, bool bias, const double *x, size_t n,
                   size_t *count);
void ref_ntk(const double *theta, size_t m, bool bias, const double *x, size_t n, double *K);
void ref_eig_sym(double *A, size_t n, double *evals, double *evecs);
double ref_lambda_max_K(const double *theta, size_t m, bool bias, const double *x, size_t n);
size_t ref_effective_kinks(const double *theta, size_t m, bool bias, double x1, double xn,
                           double *pos, double *slope);
int ref_convexity_changes_h(const double *theta, size_t m, bool bias, double x1, double xn);
int ref_convexity_changes_data(const double *x, const double *y, size_t n);
double ref_tv_hprime_grid(const double *theta, size_t m, bool bias, double x1, double xn,
                          size_t grid);
double ref_spline_tv(const double *x, const double *y, size_t n);
double ref_spline(const double *x, const double *y, size_t n, double t);
double ref_max_dev_spline_grid(const double *theta, size_t m, bool bias, const double *x,
                               const double *y, size_t n, size_t grid);
double ref_loss_floor_exact(const double *theta, size_t m, bool bias, const double *x, size_t n,
                            double eta, double sigma, size_t B);
double ref_ou_var_direction(double eta, double sigma, size_t B, double lambda);
void ref_theta_far_from_kinks(double *theta, size_t m, bool bias, const double *x, size_t n,
                              unsigned seed);

/* Solve A x = b (n x n, row-major, overwritten; x into b), Gaussian elimination with partial
 * pivoting. */
void ref_solve(double *A, double *b, size_t n);

#endif /* OUSCOPE_TESTS_REFERENCE_H */

/*
 * Hessian-vector product of h at x: out = (d^2 h / d theta^2) v.  For this
 * net the only second derivatives are d^2h/da_j dw_j = x 1_j and
 * d^2h/da_j db_j = 1_j (1_j = [w_j x + b_j > 0]).
 */
void ref_hess_vec(const double *theta, size_t m, bool bias, double x, const double *v, double *out);
