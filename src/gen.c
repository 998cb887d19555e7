/* gen.c: synthetic low-rank matrices. */
#include <cblas.h>
#include "lrfa/gen.h"
#include "lrfa/linalg.h"
#include "lrfa/rng.h"
#include "internal.h"

/* Y = (U diag(s)) V^T with one dgemm. */
lrfa_dense *lrfa_gen_lowrank(int64_t n, int64_t m, int64_t k, const double *s, uint64_t seed,
                             lrfa_error *err)
{
    lrfa_dense *U = NULL, *V = NULL, *Y = NULL;
    lrfa_rng rng;
    int64_t i, j;
    if (k < 0 || k > n || k > m) {
        lrfa_fail(err, LRFA_EINPUT, 0, "rank %lld does not fit a %lld x %lld matrix", (long long)k,
                  (long long)n, (long long)m);
        return NULL;
    }
    U = lrfa_dense_alloc(n, k, err);
    V = lrfa_dense_alloc(m, k, err);
    Y = lrfa_dense_alloc(n, m, err);
    if (!U || !V || !Y) goto fail;
    lrfa_rng_seed(&rng, seed, 10);
    lrfa_rng_fill_gaussian(&rng, U->data, n * k, 1.0);
    lrfa_rng_seed(&rng, seed, 11);
    lrfa_rng_fill_gaussian(&rng, V->data, m * k, 1.0);
    if (lrfa_qr_orthonormal(U, err) != LRFA_OK || lrfa_qr_orthonormal(V, err) != LRFA_OK) goto fail;
    for (j = 0; j < k; j++)
        for (i = 0; i < n; i++) U->data[i + j * n] *= s[j];
    if (k > 0 && n > 0 && m > 0)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)n, (int)m, (int)k, 1.0, U->data, (int)n,
                    V->data, (int)m, 0.0, Y->data, (int)n);
    lrfa_dense_free(U);
    lrfa_dense_free(V);
    return Y;
fail:
    lrfa_dense_free(U);
    lrfa_dense_free(V);
    lrfa_dense_free(Y);
    return NULL;
}
