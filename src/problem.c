/* problem.c: a target Y with its norm, singular values and vectors. */
#include <limits.h>
#include <math.h>
#include "lrfa/linalg.h"
#include "lrfa/solver.h"
#include "internal.h"

void lrfa_problem_free(lrfa_problem *P)
{
    if (!P) return;
    lrfa_matrix_free(P->owned);
    lrfa_spectrum_free(P->spectrum);
    lrfa_dense_free(P->U);
    lrfa_dense_free(P->V);
    lrfa_dealloc(P);
}

double lrfa_problem_opt(const lrfa_problem *P, int64_t r)
{
    return lrfa_spectrum_opt(P->spectrum, r);
}

lrfa_problem *lrfa_problem_new(const lrfa_matrix *Y, int transpose, int64_t kvec, lrfa_error *err)
{
    lrfa_problem *P = lrfa_alloc(sizeof *P);
    lrfa_dense *A = NULL;
    double *s = NULL;
    int64_t k;
    if (!P) {
        lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory");
        return NULL;
    }
    P->owned = NULL;
    P->spectrum = NULL;
    P->U = P->V = NULL;
    P->kvec = 0;
    P->transposed = transpose != 0;
    P->Y = Y;
    if (transpose) {
        P->owned = lrfa_matrix_transpose(Y, err);
        if (!P->owned) goto fail;
        P->Y = P->owned;
    }
    P->n = P->Y->rows;
    P->m = P->Y->cols;
    if (P->n > INT_MAX || P->m > INT_MAX) {
        lrfa_fail(err, LRFA_ERANGE, 0, "a %lld x %lld matrix exceeds the 32-bit sizes of this BLAS",
                  (long long)P->n, (long long)P->m);
        goto fail;
    }
    k = P->n < P->m ? P->n : P->m;
    if (kvec > k) kvec = k;
    P->fro = lrfa_matrix_fro_norm(P->Y);
    if (!lrfa_fits_in_memory(P->n, P->m, 0) || !lrfa_fits_in_memory(k, 4 * k, 0) ||
        !lrfa_fits_in_memory(P->n + P->m, kvec + k, 0) ||
        (lrfa_physical_memory() > 0 &&
         8.0 * ((double)P->n * (double)P->m + 4.0 * (double)k * (double)k +
                (double)(P->n + P->m) * (double)(kvec + k)) > 0.9 * (double)lrfa_physical_memory())) {
        lrfa_fail(err, LRFA_ENOMEM, 0,
                  "the SVD of a %lld x %lld matrix needs more memory than this machine has",
                  (long long)P->n, (long long)P->m);
        goto fail;
    }
    A = lrfa_matrix_to_dense(P->Y, err);
    s = lrfa_calloc_array(k, sizeof(double));
    if (!A || !s) {
        lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the SVD");
        goto fail;
    }
    if (kvec > 0) {
        P->U = lrfa_dense_alloc(P->n, kvec, err);
        P->V = lrfa_dense_alloc(P->m, kvec, err);
        if (!P->U || !P->V) goto fail;
        if (lrfa_svd(A, s, P->U, P->V, err) != LRFA_OK) goto fail;
        P->kvec = kvec;
    } else if (k > 0 && lrfa_svd_values(A, s, err) != LRFA_OK) {
        goto fail;
    }
    P->spectrum = lrfa_spectrum_from_values(P->n, P->m, s, k, P->fro, -1.0, "dgesdd", err);
    if (!P->spectrum) goto fail;
    P->s1 = k ? s[0] : 0.0;
    lrfa_dense_free(A);
    lrfa_dealloc(s);
    return P;
fail:
    lrfa_dense_free(A);
    lrfa_dealloc(s);
    lrfa_problem_free(P);
    return NULL;
}
