/* test_spectrum.c: singular values, numerical rank and opt(r). */
#include <cblas.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "internal.h"
#include "testutil.h"

/* Y = U diag(s) V^T with orthonormal U (n x k), V (m x k) from the QR of
 * Gaussian matrices. */
static lrfa_dense *from_factors(int64_t n, int64_t m, int64_t k, const double *s, uint64_t seed)
{
    lrfa_dense *U = test_gaussian(n, k, seed), *V = test_gaussian(m, k, seed + 1);
    lrfa_dense *Y = lrfa_dense_alloc(n, m, NULL);
    int64_t i, j;
    if (!U || !V || !Y) return NULL;
    if (lrfa_qr_orthonormal(U, NULL) != LRFA_OK || lrfa_qr_orthonormal(V, NULL) != LRFA_OK) return NULL;
    for (j = 0; j < k; j++)
        for (i = 0; i < n; i++) U->data[i + j * n] *= s[j];
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)n, (int)m, (int)k, 1.0, U->data, (int)n,
                V->data, (int)m, 0.0, Y->data, (int)n);
    lrfa_dense_free(U);
    lrfa_dense_free(V);
    return Y;
}

/* The singular values of U diag(s) V^T are s (to 1e-12 s_1), the rest are
 * zero to rounding (below 1e-13 s_1), the numerical rank is k, and
 * opt(r) = sqrt(sum_{i>r} s_i^2) (Eckart-Young) to 1e-12 relative to ||Y||_F. */
static void test_known_factors(void)
{
    static const double s[6] = {5.0, 3.0, 2.0, 1.0, 0.5, 1e-3};
    lrfa_dense *Y = from_factors(40, 30, 6, s, 10);
    lrfa_matrix *M;
    lrfa_spectrum *sp;
    double worst = 0.0, worst_tail = 0.0, worst_opt = 0.0, fro2 = 0.0;
    int64_t i, r;
    CU_ASSERT_PTR_NOT_NULL_FATAL(Y);
    M = lrfa_matrix_wrap_dense(Y, NULL);
    sp = lrfa_spectrum_compute(M, -1.0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
    CU_ASSERT_EQUAL(sp->k, 30);
    for (i = 0; i < 6; i++) {
        double e = fabs(sp->s[i] - s[i]) / s[0];
        if (e > worst) worst = e;
        fro2 += s[i] * s[i];
    }
    for (i = 6; i < 30; i++)
        if (sp->s[i] / s[0] > worst_tail) worst_tail = sp->s[i] / s[0];
    for (r = 0; r <= 6; r++) {
        double t = 0.0, e;
        for (i = r; i < 6; i++) t += s[i] * s[i];
        e = fabs(lrfa_spectrum_opt(sp, r) - sqrt(t)) / sqrt(fro2);
        if (e > worst_opt) worst_opt = e;
    }
    CHECK_REL("s_1..s_6 of U diag(s) V^T vs s (over s_1)", worst, 0.0, 1.0, 1e-12);
    CHECK_REL("s_7..s_30 vs 0 (over s_1)", worst_tail, 0.0, 1.0, 1e-13);
    CHECK_REL("opt(r) vs sqrt(sum_{i>r} s_i^2), r = 0..6", worst_opt, 0.0, 1.0, 1e-12);
    CU_ASSERT_EQUAL(sp->rank, 6);
    CU_ASSERT(lrfa_spectrum_opt(sp, 30) == 0.0);
    lrfa_spectrum_free(sp);
    lrfa_matrix_free(M);
}

/* lrfa_svd_rows on Y^T (6 x 40, from U diag(s) V^T): the values are s (to
 * 1e-12 s_1), the rows written over Y^T are orthonormal (V^T V = I to
 * 1e-14) and span the same space as lrfa_svd's right vectors, whose
 * every row each matches up to sign (to 1e-10: the values are distinct);
 * a square matrix is refused. */
static void test_svd_rows(void)
{
    static const double s[6] = {5.0, 3.0, 2.0, 1.0, 0.5, 1e-3};
    lrfa_dense *Y = from_factors(40, 6, 6, s, 30), *A, *B, *U, *V;
    double got[6], ref[6], worst = 0.0, worst_orth = 0.0, worst_vec = 0.0;
    int64_t i, j, c;
    CU_ASSERT_PTR_NOT_NULL_FATAL(Y);
    A = lrfa_dense_transpose(Y, NULL);
    B = lrfa_dense_transpose(Y, NULL);
    U = lrfa_dense_alloc(6, 6, NULL);
    V = lrfa_dense_alloc(40, 6, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(V);
    CU_ASSERT_EQUAL_FATAL(lrfa_svd_rows(A, got, NULL), LRFA_OK);
    CU_ASSERT_EQUAL_FATAL(lrfa_svd(B, ref, U, V, NULL), LRFA_OK);
    for (i = 0; i < 6; i++) {
        double dp = 0.0, dm = 0.0;
        worst = fmax(worst, fabs(got[i] - s[i]) / s[0]);
        for (c = 0; c < 6; c++) {
            double g = 0.0;
            for (j = 0; j < 40; j++) g += A->data[i + j * 6] * A->data[c + j * 6];
            worst_orth = fmax(worst_orth, fabs(g - (i == c ? 1.0 : 0.0)));
        }
        for (j = 0; j < 40; j++) {
            dp = fmax(dp, fabs(A->data[i + j * 6] - V->data[j + i * 40]));
            dm = fmax(dm, fabs(A->data[i + j * 6] + V->data[j + i * 40]));
        }
        worst_vec = fmax(worst_vec, fmin(dp, dm));
    }
    CHECK_REL("lrfa_svd_rows values vs s (over s_1)", worst, 0.0, 1.0, 1e-12);
    CHECK_REL("rows over A orthonormal: max |V^T V - I|", worst_orth, 0.0, 1.0, 1e-14);
    CHECK_REL("each row vs lrfa_svd's right vector, up to sign", worst_vec, 0.0, 1.0, 1e-10);
    CU_ASSERT_EQUAL(lrfa_svd_rows(U, got, NULL), LRFA_EINPUT); /* square */
    lrfa_dense_free(Y);
    lrfa_dense_free(A);
    lrfa_dense_free(B);
    lrfa_dense_free(U);
    lrfa_dense_free(V);
}

/* An exact product A B with A n x k and B k x m Gaussian has rank k. */
static void test_rank_of_products(void)
{
    static const int64_t ks[] = {1, 3, 17, 40};
    size_t t;
    for (t = 0; t < sizeof ks / sizeof *ks; t++) {
        int64_t k = ks[t], n = 60, m = 45;
        lrfa_dense *A = test_gaussian(n, k, 20 + t), *B = test_gaussian(k, m, 30 + t);
        lrfa_dense *Y = lrfa_dense_alloc(n, m, NULL);
        lrfa_matrix *M;
        lrfa_spectrum *sp;
        CU_ASSERT_PTR_NOT_NULL_FATAL(Y);
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)m, (int)k, 1.0, A->data, (int)n,
                    B->data, (int)k, 0.0, Y->data, (int)n);
        M = lrfa_matrix_wrap_dense(Y, NULL);
        sp = lrfa_spectrum_compute(M, -1.0, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
        printf("    rank of a 60 x 45 product through %lld: %lld\n", (long long)k, (long long)sp->rank);
        CU_ASSERT_EQUAL(sp->rank, k < m ? k : m);
        lrfa_spectrum_free(sp);
        lrfa_matrix_free(M);
        lrfa_dense_free(A);
        lrfa_dense_free(B);
    }
}

/* Scaling Y by c scales every s_i and opt(r) by |c| (to rounding), and
 * leaves the rank alone; a sparse Y gives exactly its dense copy's values. */
static void test_scale_and_storage(void)
{
    static const double s[4] = {2.0, 1.0, 0.25, 0.125};
    lrfa_dense *Y = from_factors(20, 25, 4, s, 40), *Yc;
    lrfa_matrix *M, *Mc, *Ms;
    lrfa_spectrum *a, *b, *c;
    int64_t i, j, p = 0, *ti, *tj;
    double worst = 0.0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(Y);
    Yc = lrfa_dense_copy(Y, NULL);
    for (i = 0; i < 20 * 25; i++) Yc->data[i] *= -1000.0;
    ti = malloc(sizeof(int64_t) * 500);
    tj = malloc(sizeof(int64_t) * 500);
    for (j = 0; j < 25; j++)
        for (i = 0; i < 20; i++, p++) {
            ti[p] = i;
            tj[p] = j;
        }
    Ms = lrfa_matrix_wrap_sparse(lrfa_sparse_from_triplets(20, 25, 500, ti, tj, Y->data, NULL), NULL);
    M = lrfa_matrix_wrap_dense(Y, NULL);
    Mc = lrfa_matrix_wrap_dense(Yc, NULL);
    a = lrfa_spectrum_compute(M, -1.0, NULL);
    b = lrfa_spectrum_compute(Mc, -1.0, NULL);
    c = lrfa_spectrum_compute(Ms, -1.0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    for (i = 0; i <= 4; i++) {
        double e = fabs(lrfa_spectrum_opt(b, i) / 1000.0 - lrfa_spectrum_opt(a, i)) / a->fro;
        if (i < 4) e = fmax(e, fabs(b->s[i] / 1000.0 - a->s[i]) / a->s[0]);
        if (e > worst) worst = e;
    }
    CHECK_REL("spectrum of -1000 Y over 1000 vs spectrum of Y", worst, 0.0, 1.0, 1e-14);
    CU_ASSERT_EQUAL(a->rank, b->rank);
    CU_ASSERT_EQUAL(memcmp(a->s, c->s, sizeof(double) * 20), 0);
    lrfa_spectrum_free(a);
    lrfa_spectrum_free(b);
    lrfa_spectrum_free(c);
    lrfa_matrix_free(M);
    lrfa_matrix_free(Mc);
    lrfa_matrix_free(Ms);
    free(ti);
    free(tj);
}

/* The zero matrix has rank 0 and opt(r) = 0; a 0 x 5 matrix has no values. */
static void test_degenerate(void)
{
    lrfa_matrix *Z = lrfa_matrix_wrap_dense(lrfa_dense_alloc(4, 3, NULL), NULL);
    lrfa_matrix *E = lrfa_matrix_wrap_dense(lrfa_dense_alloc(0, 5, NULL), NULL);
    lrfa_spectrum *a = lrfa_spectrum_compute(Z, -1.0, NULL), *b = lrfa_spectrum_compute(E, -1.0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(a->rank, 0);
    CU_ASSERT_EQUAL(a->fro, 0.0);
    CU_ASSERT_EQUAL(lrfa_spectrum_opt(a, 0), 0.0);
    CU_ASSERT_EQUAL(lrfa_spectrum_opt(a, 2), 0.0);
    CU_ASSERT_EQUAL(b->k, 0);
    CU_ASSERT_EQUAL(b->rank, 0);
    lrfa_spectrum_free(a);
    lrfa_spectrum_free(b);
    lrfa_matrix_free(Z);
    lrfa_matrix_free(E);
}

/* Q from lrfa_qr_orthonormal has Q^T Q = I (to 1e-14) and R's diagonal >= 0:
 * Q^T A is upper triangular with a non-negative diagonal. */
static void test_qr(void)
{
    lrfa_dense *A = test_gaussian(30, 7, 50), *Q = lrfa_dense_copy(A, NULL);
    double G[49], R[49], worst = 0.0, low = 0.0;
    int i, j;
    CU_ASSERT_EQUAL_FATAL(lrfa_qr_orthonormal(Q, NULL), LRFA_OK);
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, 7, 7, 30, 1.0, Q->data, 30, Q->data, 30, 0.0, G, 7);
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, 7, 7, 30, 1.0, Q->data, 30, A->data, 30, 0.0, R, 7);
    for (j = 0; j < 7; j++)
        for (i = 0; i < 7; i++) {
            worst = fmax(worst, fabs(G[i + 7 * j] - (i == j)));
            if (i > j) low = fmax(low, fabs(R[i + 7 * j]));
            if (i == j) CU_ASSERT(R[i + 7 * j] > 0.0);
        }
    CHECK_REL("Q^T Q vs I", worst, 0.0, 1.0, 1e-14);
    CHECK_REL("below-diagonal part of Q^T A", low, 0.0, 1.0, 1e-13);
    lrfa_dense_free(A);
    lrfa_dense_free(Q);
}


/* Lanczos on a 2000 x 2000 matrix with a decaying spectrum (s_i = 0.9^i +
 * 1e-3 / (i + 1)): the leading 20 values within 1e-10 relative of dgesdd. */
static void test_lanczos_vs_dgesdd(void)
{
    enum { N = 2000, K = 20 };
    double *s = malloc(sizeof(double) * N), sl[K], worst = 0.0;
    lrfa_dense *Y, *C;
    lrfa_matrix *M;
    lrfa_lanczos_info info;
    int i;
    for (i = 0; i < N; i++) s[i] = pow(0.9, i) + 1e-3 / (i + 1);
    Y = lrfa_gen_lowrank(N, N, N, s, 21, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(Y);
    C = lrfa_dense_copy(Y, NULL);
    CU_ASSERT_EQUAL_FATAL(lrfa_svd_values(C, s, NULL), LRFA_OK);
    M = lrfa_matrix_wrap_dense(Y, NULL);
    CU_ASSERT_EQUAL_FATAL(lrfa_svd_lanczos(M, K, 1e-12, 1, sl, NULL, NULL, &info, NULL), LRFA_OK);
    for (i = 0; i < K; i++) worst = fmax(worst, fabs(sl[i] - s[i]) / s[i]);
    printf("    Krylov dimension %lld, %lld converged\n", (long long)info.steps, (long long)info.converged);
    CHECK_REL("Lanczos s_1..s_20 vs dgesdd, 2000 x 2000 (relative)", worst, 0.0, 1.0, 1e-10);
    {
        /* a 4 MiB memory budget caps the basis at 32 vectors a side: thick
         * restarts must give the same values, and vectors with A v = s u */
        lrfa_dense *U = lrfa_dense_alloc(N, K, NULL), *V = lrfa_dense_alloc(N, K, NULL);
        double *u = malloc(sizeof(double) * N), res = 0.0;
        int j;
        lrfa_set_memory_limit((uint64_t)4 << 20);
        CU_ASSERT_EQUAL_FATAL(lrfa_svd_lanczos(M, K, 1e-12, 1, sl, U, V, &info, NULL), LRFA_OK);
        lrfa_set_memory_limit(0);
        worst = 0.0;
        for (i = 0; i < K; i++) worst = fmax(worst, fabs(sl[i] - s[i]) / s[i]);
        for (i = 0; i < K; i++) {
            double d = 0.0;
            cblas_dgemv(CblasColMajor, CblasNoTrans, N, N, 1.0, Y->data, N, V->data + (int64_t)i * N, 1, 0.0, u, 1);
            for (j = 0; j < N; j++) d += pow(u[j] - sl[i] * U->data[j + (int64_t)i * N], 2);
            res = fmax(res, sqrt(d) / sl[0]);
        }
        printf("    with a 4 MiB budget: %lld restarts, %lld products\n", (long long)info.restarts,
               (long long)info.products);
        CU_ASSERT(info.restarts > 0);
        CHECK_REL("restarted Lanczos s_1..s_20 vs dgesdd (relative)", worst, 0.0, 1.0, 1e-10);
        CHECK_REL("restarted Lanczos ||A v_i - s_i u_i|| / s_1", res, 0.0, 1.0, 1e-10);
        lrfa_dense_free(U);
        lrfa_dense_free(V);
        free(u);
    }
    lrfa_dense_free(C);
    lrfa_matrix_free(M);
    free(s);
}

/* Lanczos on sparse matrices: repeated values (a flat spectrum) and exact
 * low rank are found; the singular vectors satisfy A v = s u (residual
 * below 1e-10 s_1); and a wide matrix gives the same values as its
 * transpose. */
static void test_lanczos_sparse(void)
{
    static const double flat[6] = {2, 2, 2, 1, 1, 0.5};
    lrfa_sparse *S = lrfa_gen_sparse_lowrank(300, 200, 6, flat, 0.1, 5, NULL);
    lrfa_matrix *M = lrfa_matrix_wrap_sparse(S, NULL), *T;
    lrfa_dense *U = lrfa_dense_alloc(300, 8, NULL), *V = lrfa_dense_alloc(200, 8, NULL), *D;
    double s[8], st[8], worst = 0.0, res = 0.0, r[300];
    int i, j;
    CU_ASSERT_PTR_NOT_NULL_FATAL(M);
    CU_ASSERT_EQUAL_FATAL(lrfa_svd_lanczos(M, 8, 1e-12, 1, s, U, V, NULL, NULL), LRFA_OK);
    for (i = 0; i < 6; i++) worst = fmax(worst, fabs(s[i] - flat[i]) / flat[i]);
    CHECK_REL("sparse Lanczos: repeated values 2, 2, 2, 1, 1, 0.5", worst, 0.0, 1.0, 1e-10);
    CHECK_REL("sparse Lanczos: s_7 (exact rank 6) over s_1", s[6] / s[0], 0.0, 1.0, 1e-12);
    D = lrfa_sparse_to_dense(S, NULL);
    for (i = 0; i < 6; i++) {
        cblas_dgemv(CblasColMajor, CblasNoTrans, 300, 200, 1.0, D->data, 300, V->data + 200 * i, 1, 0.0, r, 1);
        for (j = 0; j < 300; j++) r[j] -= s[i] * U->data[j + 300 * i];
        res = fmax(res, lrfa_vec_norm(r, 300) / s[0]);
    }
    CHECK_REL("sparse Lanczos: ||A v_i - s_i u_i|| / s_1, i = 1..6", res, 0.0, 1.0, 1e-10);
    T = lrfa_matrix_transpose(M, NULL);
    CU_ASSERT_EQUAL_FATAL(lrfa_svd_lanczos(T, 8, 1e-12, 1, st, NULL, NULL, NULL, NULL), LRFA_OK);
    worst = 0.0;
    for (i = 0; i < 6; i++) worst = fmax(worst, fabs(s[i] - st[i]) / s[0]);
    CHECK_REL("sparse Lanczos: values of A^T vs of A", worst, 0.0, 1.0, 1e-12);
    lrfa_dense_free(U);
    lrfa_dense_free(V);
    lrfa_dense_free(D);
    lrfa_matrix_free(M);
    lrfa_matrix_free(T);
}

/* A truncated spectrum: opt(r) = sqrt(||Y||^2 - sum_{i<=r} s_i^2) agrees
 * with the full one to 1e-12 ||Y||_F for r <= k, and is unknown beyond. */
static void test_truncated_opt(void)
{
    static const double s[6] = {3, 2, 1.5, 1, 0.5, 0.25};
    lrfa_dense *Y = lrfa_gen_lowrank(80, 60, 6, s, 22, NULL);
    lrfa_matrix *M = lrfa_matrix_wrap_dense(Y, NULL);
    lrfa_spectrum *full = lrfa_spectrum_leading(M, 60, LRFA_SPECTRUM_FULL, -1.0, NULL, NULL, NULL);
    lrfa_spectrum *part = lrfa_spectrum_leading(M, 4, LRFA_SPECTRUM_LANCZOS, -1.0, NULL, NULL, NULL);
    double worst = 0.0;
    int r;
    CU_ASSERT_PTR_NOT_NULL_FATAL(part);
    CU_ASSERT_PTR_NOT_NULL_FATAL(full);
    for (r = 0; r <= 4; r++)
        worst = fmax(worst, fabs(lrfa_spectrum_opt(part, r) - lrfa_spectrum_opt(full, r)) / full->fro);
    CHECK_REL("truncated opt(r) vs full, r = 0..4 (over ||Y||_F)", worst, 0.0, 1.0, 1e-12);
    CU_ASSERT(isnan(lrfa_spectrum_opt(part, 5)));
    CU_ASSERT(!part->complete && part->rank_bound && part->rank == 4);
    CU_ASSERT(full->complete && full->rank == 6);
    lrfa_spectrum_free(full);
    lrfa_spectrum_free(part);
    lrfa_matrix_free(M);
}

/* ---- repeated and clustered values: the truncated spectrum is exact ---- */

/* Leading values with multiplicities 2, 3 and 5 (so that for K = 1..20 a
 * multiple value lies before K, ends at K and straddles K), then a tail
 * decaying to 0.004. */
static int64_t multiple_spectrum(double *s, int which)
{
    static const double a[] = {10, 5, 5, 5, 3, 3, 2.5, 2, 2, 2, 2, 2, 1.5, 1.5, 1.4, 1.3, 1.3, 1.3};
    static const double b[] = {4, 4, 4, 4, 4, 3.5, 3, 3, 3, 2.8, 2.8, 2.6, 2.5, 2.5, 2.5, 2.5, 2.5, 2.2, 2.1, 2.1};
    const double *h = which ? b : a;
    int64_t nh = which ? (int64_t)(sizeof b / sizeof *b) : (int64_t)(sizeof a / sizeof *a), i;
    for (i = 0; i < 300; i++) s[i] = i < nh ? h[i] : 1.2 * pow(0.98, (double)(i - nh));
    return 300;
}

/* For K = 1..kmax: the K leading values that lrfa_spectrum_leading gives
 * with the Lanczos method, against ref (dgesdd's, all of them), over s_1:
 * within tol, within the error bound it reports, and shown to be the K
 * leading ones (lanczos.check), unless they came from dgesdd (note says
 * why). Prints one line per K. Returns the largest error. */
static double check_leading(const char *name, const lrfa_matrix *M, const double *ref, int64_t kmax, double tol)
{
    int64_t K, i;
    double worst = 0.0, t0;
    int bound_ok = 1, checked = 1;
    printf("    %s: K, largest |s_i - dgesdd| / s_1 over i <= K, bound, how checked, products\n", name);
    for (K = 1; K <= kmax; K++) {
        lrfa_spectrum *sp;
        double e = 0.0;
        clock_t c0 = clock();
        sp = lrfa_spectrum_leading(M, K, LRFA_SPECTRUM_LANCZOS, -1.0, NULL, NULL, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
        for (i = 0; i < K; i++) e = fmax(e, fabs(sp->s[i] - ref[i]) / ref[0]);
        t0 = (double)(clock() - c0) / CLOCKS_PER_SEC;
        printf("      K %2lld  %.1e  bound %.1e  %-9s %6lld products  %.2f s cpu%s%s\n", (long long)K, e,
               sp->error_bound, strcmp(sp->method, "lanczos") ? sp->method : lrfa_lanczos_check_name(sp->lanczos.check),
               (long long)sp->lanczos.products, t0, sp->note[0] ? "  " : "", sp->note);
        if (e > sp->error_bound + 4 * DBL_EPSILON) bound_ok = 0;
        if (!strcmp(sp->method, "lanczos") && sp->lanczos.check == LRFA_CHECK_NONE) checked = 0;
        if (strcmp(sp->method, "lanczos") && !sp->note[0]) checked = 0;
        worst = fmax(worst, e);
        lrfa_spectrum_free(sp);
    }
    CHECK_REL("  largest error over K (over s_1)", worst, 0.0, 1.0, tol);
    CU_ASSERT(bound_ok);
    CU_ASSERT(checked);
    return worst;
}

/* The singular values of M by dgesdd on a dense copy (size min(rows, cols)). */
static double *reference_values(const lrfa_matrix *M)
{
    int64_t kmin = M->rows < M->cols ? M->rows : M->cols;
    double *s = malloc(sizeof(double) * (size_t)kmin);
    lrfa_dense *D = lrfa_matrix_to_dense(M, NULL);
    if (!s || !D || lrfa_svd_values(D, s, NULL) != LRFA_OK) {
        free(s);
        s = NULL;
    }
    lrfa_dense_free(D);
    return s;
}

/* Constructed matrices U diag(s) V^T with multiplicities 2, 3 and 5 before,
 * at and across K, dense (2100 x 2100, the size the automatic method hands
 * to Lanczos, and 900 x 700) and sparse (3000 x 2000): for every K = 1..20,
 * every value within 1e-10 of s_1 of dgesdd's. */
static void test_lanczos_multiplicities(void)
{
    double s[300], *ref;
    int which;
    for (which = 0; which < 2; which++) {
        int64_t k = multiple_spectrum(s, which);
        lrfa_matrix *D = lrfa_matrix_wrap_dense(which ? lrfa_gen_lowrank(900, 700, k, s, 31, NULL)
                                                      : lrfa_gen_lowrank(2100, 2100, k, s, 31, NULL), NULL);
        lrfa_matrix *S = lrfa_matrix_wrap_sparse(lrfa_gen_sparse_lowrank(3000, 2000, k, s, 1.0 / 400, 32 + which, NULL),
                                                 NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(D);
        CU_ASSERT_PTR_NOT_NULL_FATAL(S);
        ref = reference_values(D);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
        check_leading(which ? "dense 900 x 700, 4 x5, 3 x3, 2.8 x2, 2.5 x5" : "dense 2100 x 2100, 10, 5 x3, 3 x2, 2 x5",
                      D, ref, 20, 1e-10);
        free(ref);
        ref = reference_values(S);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
        check_leading(which ? "sparse 3000 x 2000, 4 x5, 3 x3, 2.8 x2, 2.5 x5" : "sparse 3000 x 2000, 10, 5 x3, 3 x2, 2 x5",
                      S, ref, 20, 1e-10);
        free(ref);
        lrfa_matrix_free(D);
        lrfa_matrix_free(S);
    }
}

/* Graph matrices, whose symmetries give paired and clustered values: the
 * Laplacian of a 50 x 50 grid (pairs, clusters of relative width 1e-3), the
 * adjacency of the 11-cube (11 twice, then 9 twenty-two times) and of a
 * cycle on 2000 nodes (fours, 1e-5 apart near the top: too tight for a
 * Krylov space smaller than the matrix, so dgesdd takes over and says so):
 * for K = 1..20, within 1e-10 of s_1 of dgesdd. */
static void test_lanczos_graphs(void)
{
    static const char *graphs[] = {"grid:50x50", "hypercube:11", "cycle:2000"};
    size_t g;
    for (g = 0; g < sizeof graphs / sizeof *graphs; g++) {
        lrfa_matrix *M = lrfa_matrix_wrap_sparse(lrfa_gen_graph(graphs[g], NULL), NULL);
        double *ref;
        CU_ASSERT_PTR_NOT_NULL_FATAL(M);
        ref = reference_values(M);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
        check_leading(graphs[g], M, ref, 20, 1e-10);
        free(ref);
        lrfa_matrix_free(M);
    }
}

/* A memory budget that leaves room for only k + 3 basis vectors (1 MiB for
 * a 2048-node graph): Lanczos still finds 11, 11, 9 on the 11-cube, one
 * vector at a time, and on the cycle, which it cannot settle in so small a
 * space, it stops within its budget and says so (check "none") instead of
 * looping. */
static void test_lanczos_tiny_basis(void)
{
    lrfa_matrix *C = lrfa_matrix_wrap_sparse(lrfa_gen_graph("hypercube:11", NULL), NULL);
    lrfa_matrix *Y = lrfa_matrix_wrap_sparse(lrfa_gen_graph("cycle:3000", NULL), NULL);
    lrfa_lanczos_info info;
    double s[3], e = 0.0;
    int64_t k;
    CU_ASSERT_PTR_NOT_NULL_FATAL(C);
    CU_ASSERT_PTR_NOT_NULL_FATAL(Y);
    lrfa_set_memory_limit((uint64_t)1 << 20);
    for (k = 1; k <= 3; k++) {
        static const double want[3] = {11, 11, 9};
        int64_t i;
        CU_ASSERT_EQUAL_FATAL(lrfa_svd_lanczos(C, k, 1e-12, 1, s, NULL, NULL, &info, NULL), LRFA_OK);
        for (i = 0; i < k; i++) e = fmax(e, fabs(s[i] - want[i]) / 11.0);
        CU_ASSERT(info.check != LRFA_CHECK_NONE);
    }
    printf("    11-cube with a basis of k + 3 vectors: block %lld at the end\n", (long long)info.block);
    CHECK_REL("  11, 11, 9 for k = 1..3 (over s_1)", e, 0.0, 1.0, 1e-10);
    CU_ASSERT_EQUAL_FATAL(lrfa_svd_lanczos(Y, 3, 1e-12, 1, s, NULL, NULL, &info, NULL), LRFA_OK);
    printf("    cycle:3000, k = 3, the same budget: %lld products, check %s\n", (long long)info.products,
           lrfa_lanczos_check_name(info.check));
    CU_ASSERT(info.check == LRFA_CHECK_NONE);
    CU_ASSERT(info.products <= 20 * 3000 + 1000 + 64);
    lrfa_set_memory_limit(0);
    lrfa_matrix_free(C);
    lrfa_matrix_free(Y);
}

/* A GD fit at r = 2 on a sparse matrix whose 2 straddles r (values 3, 2, 2,
 * 2, 1): opt(2) comes from the truncated spectrum, and GD's final error is
 * not below it beyond rounding (a missed copy of 2 would make opt(2) too
 * large and the gap negative). */
static void test_fit_gap_at_multiple(void)
{
    static const double s[8] = {3, 2, 2, 2, 1, 0.5, 0.25, 0.125};
    lrfa_matrix *M = lrfa_matrix_wrap_sparse(lrfa_gen_sparse_lowrank(2500, 2200, 8, s, 1e-3, 7, NULL), NULL);
    lrfa_problem *P;
    lrfa_options o;
    lrfa_result *res = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(M);
    P = lrfa_problem_new(M, 0, 2, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    CU_ASSERT_STRING_EQUAL(P->spectrum->method, "lanczos");
    lrfa_options_default(&o);
    o.rank = 2;
    CU_ASSERT_EQUAL_FATAL(lrfa_fit(P, &o, &res, NULL), LRFA_OK);
    printf("    opt(2) %.15g (exact sqrt(4 + 4 + 1 + 0.25 + 0.0625 + 0.015625) = %.15g), GD error %.15g\n",
           res->final.opt, sqrt(9.328125), res->final.error);
    CHECK_REL("opt(2) from the truncated spectrum vs exact (over ||Y||_F)", res->final.opt, sqrt(9.328125), P->fro,
              1e-12);
    printf("    gap %.3e, allowed below opt: %.3e\n", res->final.gap, res->opt_tolerance);
    CU_ASSERT(res->final.gap >= -res->opt_tolerance);
    CU_ASSERT(!res->opt_suspect);
    CHECK_REL("GD's rel gap (converges to the optimum)", res->final.rel_gap, 0.0, 1.0, 1e-8);
    lrfa_result_free(res);
    lrfa_problem_free(P);
    lrfa_matrix_free(M);
}

/* The guard: a problem whose spectrum missed a copy (s_2 = 2 reported as the
 * next value, 1) gives an opt(2) above what GD reaches; the fit flags it
 * (opt_suspect), lrfa_problem_recheck recomputes the spectrum, and the
 * refit is at the optimum with no flag. */
static void test_guard_recheck(void)
{
    static const double s[6] = {3, 2, 2, 1, 0.5, 0.25}, missed[2] = {3, 1};
    lrfa_matrix *M = lrfa_matrix_wrap_sparse(lrfa_gen_sparse_lowrank(2400, 2100, 6, s, 1e-3, 9, NULL), NULL);
    lrfa_problem *P;
    lrfa_spectrum *bad;
    lrfa_options o;
    lrfa_result *res = NULL;
    double fro;
    CU_ASSERT_PTR_NOT_NULL_FATAL(M);
    P = lrfa_problem_new(M, 0, 2, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    fro = P->fro;
    /* what a missed copy of 2 does to a truncated spectrum */
    bad = lrfa_spectrum_from_values(P->n, P->m, missed, 2, fro, -1.0, "lanczos", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
    bad->complete = 0;
    bad->error_bound = 1e-15;
    bad->opt[1] = sqrt(fro * fro - 9.0);
    bad->opt[2] = sqrt(fro * fro - 10.0);
    lrfa_spectrum_free(P->spectrum);
    P->spectrum = bad;
    lrfa_options_default(&o);
    o.rank = 2;
    CU_ASSERT_EQUAL_FATAL(lrfa_fit(P, &o, &res, NULL), LRFA_OK);
    printf("    with the missed copy: opt(2) %.10g, GD error %.10g, gap %.3e, suspect %d\n", res->final.opt,
           res->final.error, res->final.gap, res->opt_suspect);
    CU_ASSERT(res->opt_suspect);
    lrfa_result_free(res);
    CU_ASSERT_EQUAL_FATAL(lrfa_problem_recheck(P, NULL), LRFA_OK);
    CU_ASSERT(P->rechecked);
    CU_ASSERT_EQUAL_FATAL(lrfa_fit(P, &o, &res, NULL), LRFA_OK);
    printf("    rechecked (%s): opt(2) %.10g, GD error %.10g, gap %.3e, suspect %d\n", P->spectrum->method,
           res->final.opt, res->final.error, res->final.gap, res->opt_suspect);
    CU_ASSERT(!res->opt_suspect);
    CHECK_REL("opt(2) after the recheck vs exact", res->final.opt, sqrt(4.0 + 1 + 0.25 + 0.0625), fro, 1e-12);
    lrfa_result_free(res);
    lrfa_problem_free(P);
    lrfa_matrix_free(M);
}

/* The Gram-Schmidt kernel of the Lanczos basis (blockgs.c) against the
 * naive reference, two dgemm calls: T = Q^T X and X - Q T agree to 1e-14
 * of the sizes involved, on shapes with ragged row blocks and column
 * groups, on one thread and on two. */
static void test_block_gs_kernel(void)
{
    static const int64_t shapes[][3] = {{1, 1, 1}, {5, 3, 2}, {4097, 7, 3}, {100003, 50, 2}, {20000, 0, 2},
                                        {33333, 9, 8}, {2049, 4, 1}};
    size_t t;
    int threads;
    double worst = 0.0;
    for (threads = 1; threads <= 2; threads++)
        for (t = 0; t < sizeof shapes / sizeof *shapes; t++) {
            int64_t len = shapes[t][0], cnt = shapes[t][1], w = shapes[t][2], i;
            lrfa_dense *Q = test_gaussian(len, cnt > 0 ? cnt : 1, 70 + t), *X = test_gaussian(len, w, 80 + t);
            double *X2 = malloc(sizeof(double) * (size_t)(len * w)), *T = calloc((size_t)(cnt * w + 1), sizeof(double));
            double *T2 = calloc((size_t)(cnt * w + 1), sizeof(double)), *part = malloc(sizeof(double) * (size_t)(2 * cnt * w + 1));
            double et = 0.0, ex = 0.0, st = 0.0, sx = 0.0;
            memcpy(X2, X->data, sizeof(double) * (size_t)(len * w));
            lrfa_set_threads(threads);
            lrfa_gs_pass(Q->data, len, cnt, X->data, w, T, part, NULL);
            lrfa_set_threads(0);
            if (cnt > 0) {
                cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)cnt, (int)w, (int)len, 1.0, Q->data, (int)len,
                            X2, (int)len, 0.0, T2, (int)cnt);
                cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)len, (int)w, (int)cnt, -1.0, Q->data,
                            (int)len, T2, (int)cnt, 1.0, X2, (int)len);
            }
            for (i = 0; i < cnt * w; i++) {
                et = fmax(et, fabs(T[i] - T2[i]));
                st = fmax(st, fabs(T2[i]));
            }
            for (i = 0; i < len * w; i++) {
                ex = fmax(ex, fabs(X->data[i] - X2[i]));
                sx = fmax(sx, fabs(X2[i]));
            }
            /* the sums run over len terms of size ~1: scale by sqrt(len) */
            et /= sqrt((double)len) * (st > 1.0 ? st : 1.0);
            ex /= sqrt((double)len) * (sx > 1.0 ? sx : 1.0);
            worst = fmax(worst, fmax(et, ex));
            lrfa_dense_free(Q);
            lrfa_dense_free(X);
            free(X2);
            free(T);
            free(T2);
            free(part);
        }
    CHECK_REL("block Gram-Schmidt kernel vs dgemm (7 shapes, 1 and 2 threads)", worst, 0.0, 1.0, 1e-14);
    {
        /* the baseline (SSE2) and AVX2 kernels give the same bits */
        lrfa_dense *Q = test_gaussian(10007, 13, 90), *X = test_gaussian(10007, 3, 91), *X2 = lrfa_dense_copy(X, NULL);
        double T[39], T2[39], part[2 * 39];
        lrfa_gs_set_isa(0);
        lrfa_gs_pass(Q->data, 10007, 13, X->data, 3, T, part, NULL);
        lrfa_gs_set_isa(1);
        lrfa_gs_pass(Q->data, 10007, 13, X2->data, 3, T2, part, NULL);
        lrfa_gs_set_isa(-1);
        printf("    baseline and AVX2 kernels: %s\n",
               !memcmp(T, T2, sizeof T) && !memcmp(X->data, X2->data, sizeof(double) * 10007 * 3) ? "identical bits"
                                                                                              : "DIFFERENT");
        CU_ASSERT(!memcmp(T, T2, sizeof T));
        CU_ASSERT(!memcmp(X->data, X2->data, sizeof(double) * 10007 * 3));
        lrfa_dense_free(Q);
        lrfa_dense_free(X);
        lrfa_dense_free(X2);
    }
}

void register_spectrum_suite(void)
{
    CU_pSuite s = CU_add_suite("spectrum", NULL, NULL);
    CU_add_test(s, "singular values of U diag(s) V^T, rank and opt(r)", test_known_factors);
    CU_add_test(s, "numerical rank of exact low-rank products", test_rank_of_products);
    CU_add_test(s, "scaling and storage do not change the spectrum", test_scale_and_storage);
    CU_add_test(s, "zero and empty matrices", test_degenerate);
    CU_add_test(s, "QR gives orthonormal Q with a non-negative R diagonal", test_qr);
    CU_add_test(s, "the SVD that keeps V^T over a wide A", test_svd_rows);
    CU_add_test(s, "Lanczos agrees with dgesdd on 2000 x 2000", test_lanczos_vs_dgesdd);
    CU_add_test(s, "Lanczos on sparse matrices: repeats, low rank, vectors", test_lanczos_sparse);
    CU_add_test(s, "truncated spectrum: opt(r) from the leading values", test_truncated_opt);
    CU_add_test(s, "the block Gram-Schmidt kernel agrees with dgemm", test_block_gs_kernel);
    CU_add_test(s, "Lanczos: multiplicities 2, 3, 5 before, at and across K = 1..20", test_lanczos_multiplicities);
    CU_add_test(s, "Lanczos: grid, hypercube and cycle graph matrices", test_lanczos_graphs);
    CU_add_test(s, "Lanczos in a basis of k + 3 vectors terminates", test_lanczos_tiny_basis);
    CU_add_test(s, "a GD fit at a multiple value: the gap is not negative", test_fit_gap_at_multiple);
    CU_add_test(s, "a fit below opt(r) is flagged, and the recheck fixes it", test_guard_recheck);
}
