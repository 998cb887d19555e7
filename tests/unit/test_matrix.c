/* test_matrix.c: dense and sparse storage against naive references. */
#include <float.h>
#include <stdlib.h>
#include "testutil.h"

/* Triplets with repeats -> CSC: every entry equals the naive dense sum of the
 * triplets at that position, rows are sorted and unique in each column, and
 * explicit zeros survive. */
static void test_triplets_sum_duplicates(void)
{
    enum { M = 7, N = 5, NZ = 40 };
    int64_t ti[NZ], tj[NZ], k, i, j, p, nstored = 0;
    double tx[NZ], ref[M * N] = {0}, maxdiff = 0.0;
    int present[M * N] = {0};
    lrfa_rng rng;
    lrfa_sparse *S;
    lrfa_rng_seed(&rng, 5, 0);
    for (k = 0; k < NZ; k++) {
        ti[k] = (int64_t)(lrfa_rng_u64(&rng) % M);
        tj[k] = (int64_t)(lrfa_rng_u64(&rng) % N);
        tx[k] = k % 9 == 0 ? 0.0 : lrfa_rng_gaussian(&rng);
        ref[ti[k] + tj[k] * M] += tx[k];
        present[ti[k] + tj[k] * M] = 1;
    }
    for (k = 0; k < M * N; k++) nstored += present[k];
    S = lrfa_sparse_from_triplets(M, N, NZ, ti, tj, tx, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(S);
    CU_ASSERT_EQUAL(S->nnz, nstored);
    for (j = 0; j < N; j++)
        for (p = S->colptr[j]; p < S->colptr[j + 1]; p++)
            if (p > S->colptr[j]) CU_ASSERT(S->rowidx[p] > S->rowidx[p - 1]);
    for (j = 0; j < N; j++)
        for (i = 0; i < M; i++) {
            double d = fabs(lrfa_sparse_get(S, i, j) - ref[i + j * M]);
            if (d > maxdiff) maxdiff = d;
        }
    /* summation order may differ from the reference by rounding only */
    CHECK_REL("triplets: CSC entry vs naive dense sum", maxdiff, 0.0, 1.0, 1e-14);
    lrfa_sparse_free(S);
}

static void test_triplets_out_of_range(void)
{
    int64_t ti[1] = {3}, tj[1] = {0};
    double tx[1] = {1.0};
    lrfa_error err = {0};
    CU_ASSERT_PTR_NULL(lrfa_sparse_from_triplets(3, 3, 1, ti, tj, tx, &err));
    CU_ASSERT_EQUAL(err.status, LRFA_EINPUT);
}

/* (A^T)^T = A and A^T(i, j) = A(j, i), sparse and dense, agreeing with
 * the dense conversion. */
static void test_transpose(void)
{
    lrfa_dense *A = test_gaussian(13, 9, 1), *AT, *D, *DT;
    lrfa_sparse *S, *ST;
    int64_t ti[40], tj[40], k, i, j;
    double tx[40];
    int bad = 0;
    lrfa_rng rng;
    CU_ASSERT_PTR_NOT_NULL_FATAL(A);
    AT = lrfa_dense_transpose(A, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(AT);
    for (i = 0; i < 13; i++)
        for (j = 0; j < 9; j++) bad += lrfa_dense_get(A, i, j) != lrfa_dense_get(AT, j, i);
    CU_ASSERT_EQUAL(bad, 0);
    lrfa_rng_seed(&rng, 2, 0);
    for (k = 0; k < 40; k++) {
        ti[k] = (int64_t)(lrfa_rng_u64(&rng) % 13);
        tj[k] = (int64_t)(lrfa_rng_u64(&rng) % 9);
        tx[k] = lrfa_rng_gaussian(&rng);
    }
    S = lrfa_sparse_from_triplets(13, 9, 40, ti, tj, tx, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(S);
    ST = lrfa_sparse_transpose(S, NULL);
    D = lrfa_sparse_to_dense(S, NULL);
    DT = lrfa_sparse_to_dense(ST, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(DT);
    bad = 0;
    for (i = 0; i < 13; i++)
        for (j = 0; j < 9; j++) {
            bad += lrfa_dense_get(D, i, j) != lrfa_dense_get(DT, j, i);
            bad += lrfa_sparse_get(S, i, j) != lrfa_sparse_get(ST, j, i);
        }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(ST->nnz, S->nnz);
    lrfa_dense_free(A);
    lrfa_dense_free(AT);
    lrfa_dense_free(D);
    lrfa_dense_free(DT);
    lrfa_sparse_free(S);
    lrfa_sparse_free(ST);
}

/* ||x||_2 is scale-safe: scaling x by a power of two scales the norm exactly,
 * even near the overflow and underflow limits. */
static void test_norm_scaling(void)
{
    double x[5] = {3.0, -4.0, 12.0, 0.0, 84.0}; /* norm 85 */
    double big[5], tiny[5];
    int k;
    for (k = 0; k < 5; k++) {
        big[k] = ldexp(x[k], 1010);
        tiny[k] = ldexp(x[k], -1060); /* subnormal */
    }
    CHECK_REL("norm of (3,-4,12,0,84)", lrfa_vec_norm(x, 5), 85.0, 85.0, 1e-15);
    CHECK_REL("norm scaled by 2^1010 (would overflow squared)", lrfa_vec_norm(big, 5),
              ldexp(85.0, 1010), ldexp(85.0, 1010), 1e-15);
    CHECK_REL("norm scaled by 2^-1060 (subnormal entries)", lrfa_vec_norm(tiny, 5),
              ldexp(85.0, -1060), ldexp(85.0, -1060), 1e-15);
    CU_ASSERT_EQUAL(lrfa_vec_norm(x, 0), 0.0);
}

static void test_free_null(void)
{
    lrfa_dense_free(NULL);
    lrfa_sparse_free(NULL);
    lrfa_matrix_free(NULL);
    lrfa_spectrum_free(NULL);
    CU_PASS("every _free accepts NULL");
}

static void test_refuse_huge(void)
{
    lrfa_error err = {0};
    CU_ASSERT_PTR_NULL(lrfa_dense_alloc(INT64_C(1000000000), INT64_C(1000000000), &err));
    CU_ASSERT_EQUAL(err.status, LRFA_ENOMEM);
    CU_ASSERT_FALSE(lrfa_fits_in_memory(INT64_MAX, INT64_MAX, 0));
    CU_ASSERT_TRUE(lrfa_fits_in_memory(100, 100, 0));
}

void register_matrix_suite(void)
{
    CU_pSuite s = CU_add_suite("matrix", NULL, NULL);
    CU_add_test(s, "triplets are summed into sorted compressed columns", test_triplets_sum_duplicates);
    CU_add_test(s, "triplets out of range are refused", test_triplets_out_of_range);
    CU_add_test(s, "transpose, dense and sparse", test_transpose);
    CU_add_test(s, "2-norm is safe near overflow and underflow", test_norm_scaling);
    CU_add_test(s, "every _free accepts NULL", test_free_null);
    CU_add_test(s, "absurd dense sizes are refused before allocating", test_refuse_huge);
}
