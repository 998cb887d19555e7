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
    lrfa_sparse_free(P->Yt);
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
    return lrfa_problem_new_with(Y, transpose, kvec, LRFA_SPECTRUM_AUTO, err);
}

lrfa_problem *lrfa_problem_new_with(const lrfa_matrix *Y, int transpose, int64_t kvec, lrfa_spectrum_method method,
                                    lrfa_error *err)
{
    lrfa_problem *P = lrfa_alloc(sizeof *P);
    int64_t k;
    if (!P) {
        lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory");
        return NULL;
    }
    P->owned = NULL;
    P->Yt = NULL;
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
    if (P->Y->storage == LRFA_STORAGE_SPARSE) {
        P->Yt = lrfa_sparse_transpose(P->Y->sparse, err);
        if (!P->Yt) goto fail;
    }
    k = P->n < P->m ? P->n : P->m;
    if (kvec > k) kvec = k;
    if (kvec > 0) {
        P->U = lrfa_dense_alloc(P->n, kvec, err);
        P->V = lrfa_dense_alloc(P->m, kvec, err);
        if (!P->U || !P->V) goto fail;
    }
    /* the leading max(kvec, 1) values (all of them for a small dense Y) */
    P->spectrum = lrfa_spectrum_leading(P->Y, kvec > 0 ? kvec : 1, method, -1.0, P->U, P->V, err);
    if (!P->spectrum) goto fail;
    P->kvec = kvec;
    P->fro = P->spectrum->fro;
    P->s1 = P->spectrum->k ? P->spectrum->s[0] : 0.0;
    return P;

fail:
    lrfa_problem_free(P);
    return NULL;
}
