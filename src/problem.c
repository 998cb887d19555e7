/* problem.c: a target Y with its norm, singular values and vectors. */
#include <limits.h>
#include <math.h>
#include <string.h>
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

/* The singular vectors a problem holds: one side only, the left (split
 * between the processes with Y's rows) unless Y is tall, where the right
 * side is the smaller. The solver forms the other side's overlaps through
 * Y (solver.c, derived_overlap): at n = m = 10^6 and kvec = 16 this saves
 * 128 MB through the spectrum and the fit. Returns 0 when out of memory. */
static int held_vectors(const lrfa_problem *P, int64_t kvec, lrfa_dense **U, lrfa_dense **V, lrfa_error *err)
{
    int left = lrfa_comm_rows(P->comm, P->n) <= P->m;
    *U = *V = NULL;
    if (left) *U = lrfa_dense_alloc(P->n, kvec, err);
    else *V = lrfa_dense_alloc(P->m, kvec, err);
    return *U || *V;
}

static lrfa_problem *problem_build(const lrfa_matrix *Y, int transpose, const lrfa_comm *comm, int64_t kvec,
                                   lrfa_spectrum_method method, lrfa_error *err)
{
    lrfa_problem *P = lrfa_alloc(sizeof *P);
    int64_t k, N;
    if (!P) {
        lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory");
        return NULL;
    }
    P->owned = NULL;
    P->Yt = NULL;
    P->spectrum = NULL;
    P->U = P->V = NULL;
    P->kvec = 0;
    P->rechecked = 0;
    P->comm = lrfa_comm_shared(comm) ? comm : NULL;
    P->transposed = transpose != 0;
    P->Y = Y;
    if (transpose) {
        P->owned = lrfa_matrix_transpose(Y, err);
        if (!P->owned) goto fail;
        P->Y = P->owned;
    }
    P->n = P->Y->rows;
    P->m = P->Y->cols;
    N = lrfa_comm_rows(P->comm, P->n);
    if (N > INT_MAX || P->m > INT_MAX) {
        lrfa_fail(err, LRFA_ERANGE, 0, "a %lld x %lld matrix exceeds the 32-bit sizes of this BLAS",
                  (long long)N, (long long)P->m);
        goto fail;
    }
    k = N < P->m ? N : P->m;
    if (kvec > k) kvec = k;
    if (kvec > 0 && !held_vectors(P, kvec, &P->U, &P->V, err)) goto fail;
    /* the leading max(kvec, 1) values (all of them for a small dense Y) */
    P->spectrum = lrfa_spectrum_leading_dist(P->Y, P->comm, kvec > 0 ? kvec : 1, method, -1.0, NULL, P->U, P->V, err);
    if (!P->spectrum) goto fail;
    /* Y by rows, for the fit's products, once the spectrum's basis is gone */
    if (P->Y->storage == LRFA_STORAGE_SPARSE) {
        P->Yt = lrfa_sparse_transpose(P->Y->sparse, err);
        if (!P->Yt) goto fail;
    }
    P->kvec = kvec;
    P->fro = P->spectrum->fro;
    P->s1 = P->spectrum->k ? P->spectrum->s[0] : 0.0;
    return P;

fail:
    lrfa_problem_free(P);
    return NULL;
}

lrfa_problem *lrfa_problem_new_with(const lrfa_matrix *Y, int transpose, int64_t kvec, lrfa_spectrum_method method,
                                    lrfa_error *err)
{
    return problem_build(Y, transpose, NULL, kvec, method, err);
}

lrfa_problem *lrfa_problem_new_dist(const lrfa_matrix *Y, const lrfa_comm *comm, int64_t kvec,
                                    lrfa_spectrum_method method, lrfa_error *err)
{
    return problem_build(Y, 0, comm, kvec, method, err);
}

lrfa_status lrfa_problem_recheck(lrfa_problem *P, lrfa_error *err)
{
    int64_t N = lrfa_comm_rows(P->comm, P->n), kmin = N < P->m ? N : P->m, k = P->kvec > 0 ? P->kvec : 1;
    lrfa_dense *U = NULL, *V = NULL;
    lrfa_spectrum *sp;
    lrfa_spectrum_method method = LRFA_SPECTRUM_LANCZOS;
    lrfa_lanczos_options o;
    lrfa_lanczos_options_default(&o);
    o.block = 8;
    o.tol = 1e-13;
    o.seed = 2;
    o.max_products = 4 * (20 * kmin + 1000);
    /* dgesdd when its dense copy (and vectors) fit */
    if (kmin <= LRFA_DENSE_FALLBACK_MAX && lrfa_spectrum_full_fits(P->Y, P->kvec > 0)) method = LRFA_SPECTRUM_FULL;
    if (P->kvec > 0 && !held_vectors(P, P->kvec, &U, &V, err)) return err ? err->status : LRFA_ENOMEM;
    sp = lrfa_spectrum_leading_dist(P->Y, P->comm, method == LRFA_SPECTRUM_FULL ? kmin : k, method,
                                    P->spectrum->rank_tol, &o, U, V, err);
    if (!sp && method == LRFA_SPECTRUM_FULL && err && err->status == LRFA_ENOMEM)
        sp = lrfa_spectrum_leading_dist(P->Y, P->comm, k, LRFA_SPECTRUM_LANCZOS, P->spectrum->rank_tol, &o, U, V,
                                        err);
    if (!sp) {
        lrfa_dense_free(U);
        lrfa_dense_free(V);
        return err ? err->status : LRFA_ENOMEM;
    }
    lrfa_spectrum_free(P->spectrum);
    lrfa_dense_free(P->U);
    lrfa_dense_free(P->V);
    P->spectrum = sp;
    P->U = U;
    P->V = V;
    P->s1 = sp->k ? sp->s[0] : 0.0;
    P->rechecked = 1;
    return LRFA_OK;
}

/* c S as a new sparse matrix. */
static lrfa_sparse *sparse_scaled(const lrfa_sparse *S, double c, lrfa_error *err)
{
    lrfa_sparse *T = lrfa_sparse_alloc(S->rows, S->cols, S->nnz, err);
    int64_t p;
    if (!T) return NULL;
    memcpy(T->colptr, S->colptr, sizeof(int64_t) * (size_t)(S->cols + 1));
    memcpy(T->rowidx, S->rowidx, sizeof(int64_t) * (size_t)S->nnz);
    for (p = 0; p < S->nnz; p++) T->values[p] = c * S->values[p];
    T->nnz = S->nnz;
    return T;
}

lrfa_problem *lrfa_problem_scaled(const lrfa_problem *P, double c, lrfa_error *err)
{
    lrfa_problem *Q = lrfa_alloc(sizeof *Q);
    lrfa_spectrum *sp = NULL;
    int64_t i;
    if (!Q) {
        lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory");
        return NULL;
    }
    *Q = *P;
    Q->owned = NULL;
    Q->Yt = NULL;
    Q->spectrum = NULL;
    Q->U = Q->V = NULL;
    if (P->Y->storage == LRFA_STORAGE_DENSE) {
        lrfa_dense *D = lrfa_dense_copy(P->Y->dense, err);
        if (D) {
            for (i = 0; i < D->rows * D->cols; i++) D->data[i] *= c;
            Q->owned = lrfa_matrix_wrap_dense(D, err); /* frees D on failure */
        }
    } else {
        lrfa_sparse *S = sparse_scaled(P->Y->sparse, c, err);
        if (S) {
            Q->owned = lrfa_matrix_wrap_sparse(S, err); /* frees S on failure */
        }
        if (Q->owned) Q->Yt = sparse_scaled(P->Yt, c, err);
        if (!Q->Yt) goto fail;
    }
    if (!Q->owned) goto fail;
    Q->Y = Q->owned;
    sp = lrfa_alloc(sizeof *sp);
    if (!sp) goto nomem;
    *sp = *P->spectrum;
    sp->s = lrfa_alloc_array(sp->k > 0 ? sp->k : 1, sizeof(double));
    sp->opt = lrfa_alloc_array(sp->k + 1, sizeof(double));
    Q->spectrum = sp;
    if (!sp->s || !sp->opt) goto nomem;
    for (i = 0; i < sp->k; i++) sp->s[i] = c * P->spectrum->s[i];
    for (i = 0; i <= sp->k; i++) sp->opt[i] = c * P->spectrum->opt[i];
    sp->fro = c * P->spectrum->fro;
    if (P->U && !(Q->U = lrfa_dense_copy(P->U, err))) goto fail;
    if (P->V && !(Q->V = lrfa_dense_copy(P->V, err))) goto fail;
    Q->fro = c * P->fro;
    Q->s1 = c * P->s1;
    return Q;
nomem:
    lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory");
fail:
    lrfa_problem_free(Q);
    return NULL;
}
