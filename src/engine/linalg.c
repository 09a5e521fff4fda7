/*
 * Dense linear algebra through OpenBLAS (dsyrk, dnrm2) and LAPACKE
 * (dsyevd).  Kept in one file so BLAS stays an implementation detail.
 */
#include "config.h"

#include "linalg.h"

#include <cblas.h>
#include <lapacke.h>

void
ou_linalg_ntk(const double *J, size_t n, size_t p, double *K)
{
    /* Upper triangle of (1/n) J J^T, then mirrored for callers that read rows. */
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)p, 1.0 / (double)n, J,
                (int)p, 0.0, K, (int)n);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < i; k++)
            K[i * n + k] = K[k * n + i];
}

enum ou_status
ou_linalg_sym_eig(double *A, size_t n, double *w, int vectors)
{
    lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, vectors ? 'V' : 'N', 'U', (lapack_int)n, A,
                                     (lapack_int)n, w);
    return info == 0 ? OU_OK : OU_ENUMERIC;
}

double
ou_linalg_norm(const double *x, size_t n)
{
    return cblas_dnrm2((int)n, x, 1);
}

enum ou_status
ou_linalg_spd_solve(double *A, size_t n, double *B, size_t nrhs)
{
    lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)n, (lapack_int)nrhs, A,
                                    (lapack_int)n, B, (lapack_int)nrhs);
    return info == 0 ? OU_OK : OU_ENUMERIC;
}
