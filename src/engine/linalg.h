/*
 * The engine's only contact with BLAS and LAPACK.  Row-major throughout.
 */
#ifndef OUSCOPE_ENGINE_LINALG_H
#define OUSCOPE_ENGINE_LINALG_H

#include <stddef.h>

#include "ouscope/status.h"

/* K = (1/n) J J^T for J (n x p): K is n x n, both triangles filled. */
void ou_linalg_ntk(const double *J, size_t n, size_t p, double *K);

/*
 * Eigenvalues (ascending) of the symmetric n x n matrix A into w; with
 * vectors, A is overwritten by the eigenvectors (column k for w[k]),
 * otherwise A is destroyed.  OU_ENUMERIC if LAPACK does not converge.
 */
enum ou_status ou_linalg_sym_eig(double *A, size_t n, double *w, int vectors);

/* Euclidean norm of x[0..n). */
double ou_linalg_norm(const double *x, size_t n);

/*
 * Solve A X = B for the symmetric positive definite n x n matrix A (upper
 * triangle read, overwritten by its Cholesky factor) and the n x nrhs
 * right-hand sides B, overwritten by X.  OU_ENUMERIC if A is not positive
 * definite to working precision.
 */
enum ou_status ou_linalg_spd_solve(double *A, size_t n, double *B, size_t nrhs);

#endif
