/* test_gen.c: synthetic matrices and subspace figures. */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* Each spectrum specification gives the values its definition states. */
static void test_spectrum_specs(void)
{
    double s[5];
    CU_ASSERT_PTR_NULL(lrfa_spectrum_spec("linear", 4, s));
    CU_ASSERT(s[0] == 1.0 && s[1] == 0.75 && s[2] == 0.5 && s[3] == 0.25);
    CU_ASSERT_PTR_NULL(lrfa_spectrum_spec("geometric:0.5", 3, s));
    CU_ASSERT(s[0] == 1.0 && s[1] == 0.5 && s[2] == 0.25);
    CU_ASSERT_PTR_NULL(lrfa_spectrum_spec("power:2", 3, s));
    CU_ASSERT(s[0] == 1.0 && s[1] == 0.25 && fabs(s[2] - 1.0 / 9.0) < 1e-16);
    CU_ASSERT_PTR_NULL(lrfa_spectrum_spec("nearflat:0.5", 3, s));
    CU_ASSERT(s[0] == 1.5 && s[1] == 1.25 && s[2] == 1.0);
    CU_ASSERT_PTR_NULL(lrfa_spectrum_spec("flat", 2, s));
    CU_ASSERT(s[0] == 1.0 && s[1] == 1.0);
    CU_ASSERT_PTR_NULL(lrfa_spectrum_spec("list:3,2,2,1e-3", 4, s));
    CU_ASSERT(s[0] == 3.0 && s[2] == 2.0 && s[3] == 1e-3);
    CU_ASSERT_PTR_NOT_NULL(lrfa_spectrum_spec("list:1,2", 2, s));     /* increasing */
    CU_ASSERT_PTR_NOT_NULL(lrfa_spectrum_spec("list:1,0.5", 3, s));   /* too few */
    CU_ASSERT_PTR_NOT_NULL(lrfa_spectrum_spec("list:1,0.5,0.2", 2, s)); /* too many */
    CU_ASSERT_PTR_NOT_NULL(lrfa_spectrum_spec("geometric:1.5", 2, s));
    CU_ASSERT_PTR_NOT_NULL(lrfa_spectrum_spec("cubic", 2, s));
}

/* lrfa_gen_lowrank: shape, rank (s_{K+1} < 1e-12 s_1) and spectrum (each
 * s_i within 1e-10 relative), dense; the sparse construction has the same
 * rank and spectrum and about the requested density. */
static void test_gen_rank_and_spectrum(void)
{
    static const char *specs[] = {"linear", "geometric:0.7", "power:1", "nearflat:0.05", "flat", "list:5,4,1,1,0.01"};
    size_t t;
    for (t = 0; t < sizeof specs / sizeof *specs; t++) {
        int sparse;
        for (sparse = 0; sparse < 2; sparse++) {
            int64_t n = 70, m = 45, k = 5, i;
            double s[5], worst = 0.0;
            lrfa_matrix *M;
            lrfa_spectrum *sp;
            char what[160];
            CU_ASSERT_PTR_NULL_FATAL(lrfa_spectrum_spec(specs[t], k, s));
            if (sparse)
                M = lrfa_matrix_wrap_sparse(lrfa_gen_sparse_lowrank(n, m, k, s, 0.1, 3, NULL), NULL);
            else
                M = lrfa_matrix_wrap_dense(lrfa_gen_lowrank(n, m, k, s, 3, NULL), NULL);
            CU_ASSERT_PTR_NOT_NULL_FATAL(M);
            CU_ASSERT(M->rows == n && M->cols == m);
            sp = lrfa_spectrum_compute(M, -1.0, NULL);
            CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
            for (i = 0; i < k; i++) worst = fmax(worst, fabs(sp->s[i] - s[i]) / s[i]);
            snprintf(what, sizeof what, "%s %s: s_1..s_5 vs spec (relative)", sparse ? "sparse" : "dense", specs[t]);
            CHECK_REL(what, worst, 0.0, 1.0, 1e-10);
            snprintf(what, sizeof what, "%s %s: s_6 / s_1", sparse ? "sparse" : "dense", specs[t]);
            CHECK_REL(what, sp->s[k] / sp->s[0], 0.0, 1.0, 1e-12);
            if (sparse) {
                double d = (double)M->sparse->nnz / (double)(n * m);
                printf("    sparse %s: density %.3f (asked 0.1)\n", specs[t], d);
                CU_ASSERT(d > 0.08 && d < 0.12);
            }
            lrfa_spectrum_free(sp);
            lrfa_matrix_free(M);
        }
    }
}

/* A density above 1/K cannot keep the spectrum exact and is refused. */
static void test_gen_sparse_density_limit(void)
{
    double s[4] = {1, 1, 1, 1};
    lrfa_error err = {0};
    CU_ASSERT_PTR_NULL(lrfa_gen_sparse_lowrank(50, 50, 4, s, 0.3, 1, &err));
    CU_ASSERT_EQUAL(err.status, LRFA_EINPUT);
}

/* Subspace overlap: 1 for a subspace with itself, 0 with its orthogonal
 * complement, and unchanged by a change of basis (A -> A M, M invertible);
 * the principal-angle cosines are 1 for one subspace. */
static void test_overlap_invariants(void)
{
    lrfa_dense *A = test_gaussian(30, 12, 60), *Q, *Q1, *Q2, *AM, *M = test_gaussian(5, 5, 61);
    lrfa_dense A5 = {30, 5, NULL};
    double cos[5], ov;
    int i;
    Q = lrfa_orth_basis(A, 0, NULL); /* 30 x 12 orthonormal */
    CU_ASSERT_PTR_NOT_NULL_FATAL(Q);
    Q1 = lrfa_dense_alloc(30, 5, NULL);
    Q2 = lrfa_dense_alloc(30, 7, NULL);
    memcpy(Q1->data, Q->data, sizeof(double) * 30 * 5);
    memcpy(Q2->data, Q->data + 30 * 5, sizeof(double) * 30 * 7);
    ov = lrfa_subspace_overlap(Q1, Q1, cos);
    CHECK_REL("overlap of a subspace with itself vs 1", ov, 1.0, 1.0, 1e-14);
    for (i = 0; i < 5; i++) CU_ASSERT(fabs(cos[i] - 1.0) < 1e-14);
    CHECK_REL("overlap with an orthogonal subspace vs 0", lrfa_subspace_overlap(Q1, Q2, NULL), 0.0, 1.0, 1e-14);
    /* change of basis: A5 M spans the same subspace as A5 */
    A5.data = A->data;
    AM = lrfa_dense_alloc(30, 5, NULL);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, 30, 5, 5, 1.0, A->data, 30, M->data, 5, 0.0, AM->data, 30);
    CHECK_REL("overlap of span(A) with span(A M) vs 1", lrfa_span_overlap(&A5, 0, AM, 0, NULL), 1.0, 1.0, 1e-12);
    {
        lrfa_dense *B = test_gaussian(30, 5, 62), *BM = lrfa_dense_alloc(30, 5, NULL);
        double o1, o2;
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, 30, 5, 5, 1.0, B->data, 30, M->data, 5, 0.0,
                    BM->data, 30);
        o1 = lrfa_span_overlap(&A5, 0, B, 0, NULL);
        o2 = lrfa_span_overlap(AM, 0, BM, 0, NULL);
        CHECK_REL("overlap(span A, span B) under changes of both bases", o2, o1, 1.0, 1e-12);
        CU_ASSERT(o1 > 0.0 && o1 < 1.0);
        lrfa_dense_free(B);
        lrfa_dense_free(BM);
    }
    lrfa_dense_free(A);
    lrfa_dense_free(Q);
    lrfa_dense_free(Q1);
    lrfa_dense_free(Q2);
    lrfa_dense_free(AM);
    lrfa_dense_free(M);
}

/* ||Z1 W1 - Z2 W2||_F streamed equals the norm of the products formed. */
static void test_product_diff(void)
{
    lrfa_dense *Z1 = test_gaussian(40, 3, 70), *W1 = test_gaussian(3, 25, 71);
    lrfa_dense *Z2 = test_gaussian(40, 5, 72), *W2 = test_gaussian(5, 25, 73);
    double D[40 * 25];
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, 40, 25, 3, 1.0, Z1->data, 40, W1->data, 3, 0.0, D, 40);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, 40, 25, 5, -1.0, Z2->data, 40, W2->data, 5, 1.0, D, 40);
    CHECK_REL("product_diff vs the formed difference", lrfa_product_diff(Z1, W1, Z2, W2), lrfa_vec_norm(D, 1000),
              lrfa_vec_norm(D, 1000), 1e-14);
    lrfa_dense_free(Z1);
    lrfa_dense_free(W1);
    lrfa_dense_free(Z2);
    lrfa_dense_free(W2);
}

/* lrfa_span_overlap_k with A of exactly k columns (rows) forms the R of
 * A's QR by blocks of 1024 rows: it equals the overlap of an orthonormal
 * copy of A (lrfa_orth_basis) with Q, here on 3000 rows, a column scaled
 * by 1e-6 (cond ~ 1e6), to 1e-9; an A with a repeated column gives NaN. */
static void test_span_overlap_stacked(void)
{
    lrfa_dense *A = test_gaussian(3000, 5, 71), *C = test_gaussian(3000, 7, 72), *Q, *Qa, *At;
    double got, want, got_t, worst = 0.0;
    int64_t i;
    CU_ASSERT_PTR_NOT_NULL_FATAL(A);
    CU_ASSERT_PTR_NOT_NULL_FATAL(C);
    for (i = 0; i < 3000; i++) A->data[i + 2 * 3000] = 1e-6 * A->data[i + 2 * 3000] + A->data[i] * 0.5;
    Q = lrfa_orth_basis(C, 0, NULL);
    Qa = lrfa_orth_basis(A, 0, NULL);
    At = lrfa_dense_transpose(A, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(At);
    want = lrfa_subspace_overlap(Qa, Q, NULL);
    got = lrfa_span_overlap_k(A, 0, 5, Q);
    got_t = lrfa_span_overlap_k(At, 1, 5, Q);
    worst = fmax(fabs(got - want), fabs(got_t - want));
    CHECK_REL("stacked-R overlap vs orthonormal copy (col, row)", worst, 0.0, 1.0, 1e-9);
    memcpy(A->data + 3000, A->data, sizeof(double) * 3000); /* rank 4 */
    CU_ASSERT(isnan(lrfa_span_overlap_k(A, 0, 5, Q)));
    lrfa_dense_free(A);
    lrfa_dense_free(C);
    lrfa_dense_free(Q);
    lrfa_dense_free(Qa);
    lrfa_dense_free(At);
}

void register_gen_suite(void)
{
    CU_pSuite s = CU_add_suite("gen and metrics", NULL, NULL);
    CU_add_test(s, "spectrum specifications", test_spectrum_specs);
    CU_add_test(s, "generated matrices have the requested rank and spectrum", test_gen_rank_and_spectrum);
    CU_add_test(s, "sparse density above 1/K is refused", test_gen_sparse_density_limit);
    CU_add_test(s, "subspace overlap invariants", test_overlap_invariants);
    CU_add_test(s, "product difference", test_product_diff);
    CU_add_test(s, "overlap through the stacked R against an orthonormal copy", test_span_overlap_stacked);
}
