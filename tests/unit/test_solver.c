/* test_solver.c: GD and FA against the mathematics they must obey. */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* s = 1, 7/8, ..., 1/8: rank 8, gaps of 1/8 between consecutive values */
static const double linear8[8] = {1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125};

static lrfa_result *fit(const lrfa_problem *P, const lrfa_options *opt)
{
    lrfa_result *res = NULL;
    lrfa_error err = {0};
    lrfa_status st = lrfa_fit(P, opt, &res, &err);
    if (st != LRFA_OK) printf("    fit failed: %s\n", err.message);
    return st == LRFA_OK ? res : NULL;
}

/* The one-pass iteration (Gram identities, Y read once or twice) and the
 * naive one (E formed) agree to 1e-12 relative over 50 steps: GD and FA,
 * dense and sparse Y. */
static void test_one_pass_vs_naive(void)
{
    lrfa_matrix *Yd = test_lowrank(37, 29, 8, linear8, 3), *Ys;
    lrfa_dense *Ydense;
    int storage, algo;
    CU_ASSERT_PTR_NOT_NULL_FATAL(Yd);
    Ys = test_sparsify(Yd->dense, 0.3, 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(Ys);
    for (storage = 0; storage < 2; storage++) {
        lrfa_matrix *Y = storage ? Ys : Yd;
        lrfa_problem *P = lrfa_problem_new(Y, 0, 0, NULL);
        Ydense = lrfa_matrix_to_dense(Y, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(P);
        for (algo = 0; algo < 2; algo++) {
            lrfa_options opt;
            lrfa_result *res;
            lrfa_dense *Z, *W, *B;
            double dz, dw, sz, sw;
            char what[120];
            int k;
            lrfa_options_default(&opt);
            opt.algo = (lrfa_algo)algo;
            opt.rank = 5;
            opt.max_iters = 50;
            opt.tol = 0.0;
            opt.init_scale = 0.5; /* a start of the solution's size: every term matters */
            res = fit(P, &opt);
            CU_ASSERT_PTR_NOT_NULL_FATAL(res);
            CU_ASSERT_EQUAL(res->iterations, 50);
            CU_ASSERT_EQUAL_FATAL(lrfa_init_factors(P, &opt, &Z, &W, &B, NULL), LRFA_OK);
            for (k = 0; k < 50; k++)
                CU_ASSERT_EQUAL_FATAL(lrfa_step_naive(Ydense, Z, W, B, res->lr, opt.algo, NULL), LRFA_OK);
            dz = test_max_abs_diff(res->Z->data, Z->data, Z->rows * Z->cols, &sz);
            dw = test_max_abs_diff(res->W->data, W->data, W->rows * W->cols, &sw);
            snprintf(what, sizeof what, "%s %s: Z after 50 steps, one-pass vs naive",
                     storage ? "sparse" : "dense", lrfa_algo_name(opt.algo));
            CHECK_REL(what, dz, 0.0, sz, 1e-12);
            snprintf(what, sizeof what, "%s %s: W after 50 steps, one-pass vs naive",
                     storage ? "sparse" : "dense", lrfa_algo_name(opt.algo));
            CHECK_REL(what, dw, 0.0, sw, 1e-12);
            lrfa_dense_free(Z);
            lrfa_dense_free(W);
            lrfa_dense_free(B);
            lrfa_result_free(res);
        }
        lrfa_dense_free(Ydense);
        lrfa_problem_free(P);
    }
    lrfa_matrix_free(Yd);
    lrfa_matrix_free(Ys);
}

/* Fact 2: GD from a small start reaches opt(r) (gap below 1e-6 ||Y||_F) on a
 * matrix with a spectral gap, below and above its rank; and fact 1 holds of
 * what it reaches (error >= opt(r) up to rounding). */
static void test_gd_reaches_optimum(void)
{
    static const int64_t ranks[] = {2, 4, 8, 10};
    lrfa_matrix *Y = test_lowrank(60, 50, 8, linear8, 5);
    lrfa_problem *P = lrfa_problem_new(Y, 0, 10, NULL);
    size_t t;
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    for (t = 0; t < sizeof ranks / sizeof *ranks; t++) {
        lrfa_options opt;
        lrfa_result *res;
        char what[120];
        lrfa_options_default(&opt);
        opt.rank = ranks[t];
        res = fit(P, &opt);
        CU_ASSERT_PTR_NOT_NULL_FATAL(res);
        snprintf(what, sizeof what, "GD r = %lld (rank 8): gap over ||Y||_F (%lld iterations)", (long long)ranks[t],
                 (long long)res->iterations);
        CHECK_REL(what, res->final.rel_gap, 0.0, 1.0, 1e-6);
        CU_ASSERT(res->final.gap >= -1e-12 * P->fro);
        CU_ASSERT(res->converged);
        if (ranks[t] <= 8) CU_ASSERT(res->final.overlap_w_top > 1.0 - 1e-6);
        lrfa_result_free(res);
    }
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* Fact 3, r >= rank(Y): row(B Y) = row(Y), so FA reaches zero error (below
 * 1e-6 ||Y||_F) and fa_pred is 0. */
static void test_fa_exact_when_rank_suffices(void)
{
    static const int64_t ranks[] = {8, 10};
    lrfa_matrix *Y = test_lowrank(60, 50, 8, linear8, 6);
    lrfa_problem *P = lrfa_problem_new(Y, 0, 0, NULL);
    size_t t;
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    for (t = 0; t < 2; t++) {
        lrfa_options opt;
        lrfa_result *res;
        char what[120];
        lrfa_options_default(&opt);
        opt.algo = LRFA_ALGO_FA;
        opt.rank = ranks[t];
        res = fit(P, &opt);
        CU_ASSERT_PTR_NOT_NULL_FATAL(res);
        snprintf(what, sizeof what, "FA r = %lld (rank 8): error over ||Y||_F", (long long)ranks[t]);
        CHECK_REL(what, res->final.error / P->fro, 0.0, 1.0, 1e-6);
        snprintf(what, sizeof what, "FA r = %lld (rank 8): fa_pred over ||Y||_F", (long long)ranks[t]);
        CHECK_REL(what, res->fa_pred / P->fro, 0.0, 1.0, 1e-10);
        lrfa_result_free(res);
    }
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* Fact 3, r < rank(Y): FA converges to fa_pred = ||Y - Y P||_F (within 1e-6
 * ||Y||_F), which exceeds opt(r) by more than 1% of ||Y||_F on a designed
 * instance (one dominant direction, seven equal ones: B Y at r = 2 cannot
 * pick the top-2 subspace). At the limit B E = 0 and E W^T = 0. */
static void test_fa_lands_on_prediction(void)
{
    static const double designed[8] = {4.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
    lrfa_matrix *Y = test_lowrank(60, 50, 8, designed, 7);
    lrfa_problem *P = lrfa_problem_new(Y, 0, 0, NULL);
    lrfa_options opt;
    lrfa_result *res;
    lrfa_dense *E;
    double *BE, *EWt;
    int64_t n = 60, m = 50, r = 2;
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    lrfa_options_default(&opt);
    opt.algo = LRFA_ALGO_FA;
    opt.rank = r;
    res = fit(P, &opt);
    CU_ASSERT_PTR_NOT_NULL_FATAL(res);
    CHECK_REL("FA r = 2: |error - fa_pred| over ||Y||_F", res->final.error, res->fa_pred, P->fro, 1e-6);
    printf("    fa_pred - opt = %.4f ||Y||_F (must exceed 0.01)\n", (res->fa_pred - res->final.opt) / P->fro);
    CU_ASSERT((res->fa_pred - res->final.opt) / P->fro > 0.01);
    /* the fixed point: B E = 0 and E W^T = 0 */
    E = lrfa_dense_copy(Y->dense, NULL);
    BE = malloc(sizeof(double) * (size_t)(r * m));
    EWt = malloc(sizeof(double) * (size_t)(n * r));
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)m, (int)r, 1.0, res->Z->data, (int)n,
                res->W->data, (int)r, -1.0, E->data, (int)n);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)r, (int)m, (int)n, 1.0, res->B->data, (int)r,
                E->data, (int)n, 0.0, BE, (int)r);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)n, (int)r, (int)m, 1.0, E->data, (int)n,
                res->W->data, (int)r, 0.0, EWt, (int)n);
    CHECK_REL("FA limit: ||B E|| / (||B|| ||Y||)", lrfa_vec_norm(BE, r * m),
              0.0, lrfa_vec_norm(res->B->data, r * n) * P->fro, 1e-6);
    CHECK_REL("FA limit: ||E W^T|| / (||W|| ||Y||)", lrfa_vec_norm(EWt, n * r),
              0.0, lrfa_vec_norm(res->W->data, r * m) * P->fro, 1e-6);
    free(BE);
    free(EWt);
    lrfa_dense_free(E);
    lrfa_result_free(res);
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* fa_pred from lrfa_fa_prediction equals ||Y - Y Q Q^T||_F formed naively,
 * Q an orthonormal basis of (B Y)^T (1e-12 relative to ||Y||_F). */
static void test_fa_prediction_naive(void)
{
    lrfa_matrix *Y = test_lowrank(30, 20, 8, linear8, 8);
    lrfa_problem *P = lrfa_problem_new(Y, 0, 0, NULL);
    lrfa_dense *B = test_gaussian(3, 30, 9), *BYt = lrfa_dense_alloc(20, 3, NULL), *R;
    double pred, *YQ = malloc(sizeof(double) * 30 * 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    CU_ASSERT_EQUAL_FATAL(lrfa_fa_prediction(P, B, &pred, NULL), LRFA_OK);
    /* (B Y)^T = Y^T B^T, 20 x 3 */
    cblas_dgemm(CblasColMajor, CblasTrans, CblasTrans, 20, 3, 30, 1.0, Y->dense->data, 30, B->data, 3, 0.0,
                BYt->data, 20);
    CU_ASSERT_EQUAL_FATAL(lrfa_qr_orthonormal(BYt, NULL), LRFA_OK);
    R = lrfa_dense_copy(Y->dense, NULL);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, 30, 3, 20, 1.0, Y->dense->data, 30, BYt->data, 20, 0.0,
                YQ, 30);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, 30, 20, 3, -1.0, YQ, 30, BYt->data, 20, 1.0, R->data, 30);
    CHECK_REL("fa_pred vs ||Y - Y Q Q^T||_F formed naively", pred, lrfa_vec_norm(R->data, 600), P->fro, 1e-12);
    free(YQ);
    lrfa_dense_free(B);
    lrfa_dense_free(BYt);
    lrfa_dense_free(R);
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* Fact 4: the conservation laws drift by O(eta) over a fixed span of time:
 * halving the step (and doubling the iterations) halves the drift, within
 * 20% (ratio in [0.4, 0.6]), for GD's and FA's laws. */
static void test_drift_halves(void)
{
    lrfa_matrix *Y = test_lowrank(40, 30, 8, linear8, 10);
    lrfa_problem *P = lrfa_problem_new(Y, 0, 0, NULL);
    int algo;
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    for (algo = 0; algo < 2; algo++) {
        double drift[2];
        int h;
        char what[120];
        for (h = 0; h < 2; h++) {
            lrfa_options opt;
            lrfa_result *res;
            lrfa_options_default(&opt);
            opt.algo = (lrfa_algo)algo;
            opt.rank = 4;
            opt.tol = 0.0;
            opt.lr_scale = h ? 0.025 : 0.05;
            opt.max_iters = h ? 6000 : 3000;
            res = fit(P, &opt);
            CU_ASSERT_PTR_NOT_NULL_FATAL(res);
            drift[h] = res->final.drift;
            lrfa_result_free(res);
        }
        snprintf(what, sizeof what, "%s: drift(eta/2) / drift(eta) = %.3f (%.2e / %.2e), vs 0.5",
                 algo ? "FA" : "GD", drift[1] / drift[0], drift[1], drift[0]);
        CHECK_REL(what, drift[1] / drift[0], 0.5, 0.5, 0.2);
    }
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* Fact 4: from a small start the FA law W W^T - B Z - Z^T B^T = C(0) ~ 0
 * makes sym(B Z) = (W W^T - C) / 2 positive semidefinite up to the drift:
 * align_min_eig >= -drift, and Z^T aligns with B: align_zb > 0. */
static void test_fa_alignment(void)
{
    lrfa_matrix *Y = test_lowrank(60, 50, 8, linear8, 11);
    lrfa_problem *P = lrfa_problem_new(Y, 0, 0, NULL);
    int64_t r;
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    for (r = 2; r <= 10; r += 4) {
        lrfa_options opt;
        lrfa_result *res;
        lrfa_options_default(&opt);
        opt.algo = LRFA_ALGO_FA;
        opt.rank = r;
        res = fit(P, &opt);
        CU_ASSERT_PTR_NOT_NULL_FATAL(res);
        printf("    FA r = %lld: align_zb %.4f (> 0), align_min_eig %.3e (>= -drift = %.3e)\n", (long long)r,
               res->final.align_zb, res->final.align_min_eig, -res->final.drift);
        CU_ASSERT(res->final.align_zb > 0.0);
        CU_ASSERT(res->final.align_min_eig >= -res->final.drift);
        lrfa_result_free(res);
    }
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* The problem holds one side of the singular vectors (U, or V for a tall
 * Y) and the solver forms the other side's overlaps through Y: they equal
 * the overlaps with both sides from a full SVD, to 1e-10, dense and
 * sparse, wide and tall, two layers and three (every layer's overlap_h and
 * overlap_top, the deeper spans taken through their leading vectors). */
static double explicit_overlap(const lrfa_dense *A, int trans, int64_t k, const lrfa_dense *Q)
{
    lrfa_dense *Qa = lrfa_lead_basis(A, trans, k, NULL), Qk = {Q->rows, k, Q->data};
    double ov = Qa ? lrfa_subspace_overlap(Qa, &Qk, NULL) : NAN;
    lrfa_dense_free(Qa);
    return ov;
}

static void test_derived_overlaps(void)
{
    int shape, sparse, deep;
    double worst = 0.0;
    for (shape = 0; shape < 2; shape++)
        for (sparse = 0; sparse < 2; sparse++)
            for (deep = 0; deep < 2; deep++) {
                int64_t n = shape ? 45 : 30, m = shape ? 30 : 45, L = deep ? 3 : 2, l, j;
                lrfa_matrix *Yd = test_lowrank(n, m, 8, linear8, 40 + (uint64_t)shape), *Y = Yd;
                lrfa_dense *D, *U, *V;
                lrfa_problem *P;
                lrfa_options opt;
                lrfa_result *res;
                double s[64];
                if (sparse) Y = test_sparsify(Yd->dense, 0.5, 7);
                D = lrfa_matrix_to_dense(Y, NULL);
                U = lrfa_dense_alloc(n, 5, NULL);
                V = lrfa_dense_alloc(m, 5, NULL);
                CU_ASSERT_FATAL(D && U && V && lrfa_svd(D, s, U, V, NULL) == LRFA_OK);
                P = lrfa_problem_new(Y, 0, 5, NULL);
                CU_ASSERT_PTR_NOT_NULL_FATAL(P);
                CU_ASSERT((P->U == NULL) != (P->V == NULL));
                lrfa_options_default(&opt);
                opt.algo = LRFA_ALGO_FA;
                opt.max_iters = 300;
                if (deep) {
                    opt.depth = 3;
                    opt.widths[0] = 5;
                    opt.widths[1] = 3;
                } else {
                    opt.rank = 3;
                }
                res = fit(P, &opt);
                CU_ASSERT_PTR_NOT_NULL_FATAL(res);
                for (l = 1; l < L; l++) {
                    /* h_l = W_l ... W_1 (d_l x m), T_{l+1} = W_L ... W_{l+1} (n x d_l) */
                    lrfa_dense *H = lrfa_dense_copy(res->weights[0], NULL), *T = lrfa_dense_copy(res->weights[L - 1], NULL);
                    int64_t kh = res->widths[1], kt = res->widths[l];
                    double oh, ot;
                    char what[96];
                    for (j = 2; j <= l; j++) {
                        lrfa_dense *X = lrfa_dense_alloc(res->widths[j], m, NULL);
                        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)X->rows, (int)m, (int)H->rows, 1.0,
                                    res->weights[j - 1]->data, (int)X->rows, H->data, (int)H->rows, 0.0, X->data,
                                    (int)X->rows);
                        lrfa_dense_free(H);
                        H = X;
                        kh = res->widths[j] < kh ? res->widths[j] : kh;
                    }
                    for (j = L - 1; j > l; j--) {
                        lrfa_dense *X = lrfa_dense_alloc(n, res->widths[j - 1], NULL);
                        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)X->cols, (int)T->cols, 1.0,
                                    T->data, (int)n, res->weights[j - 1]->data, (int)T->cols, 0.0, X->data, (int)n);
                        lrfa_dense_free(T);
                        T = X;
                    }
                    for (j = l + 1; j < L; j++) kt = res->widths[j] < kt ? res->widths[j] : kt;
                    oh = explicit_overlap(H, 1, kh, V);
                    ot = explicit_overlap(T, 0, kt, U);
                    snprintf(what, sizeof what, "%s %s L = %lld layer %lld: overlap_h", sparse ? "sparse" : "dense",
                             shape ? "tall" : "wide", (long long)L, (long long)l);
                    CHECK_REL(what, res->final.layer[l - 1].overlap_h, oh, 1.0, 1e-10);
                    snprintf(what, sizeof what, "%s %s L = %lld layer %lld: overlap_top", sparse ? "sparse" : "dense",
                             shape ? "tall" : "wide", (long long)L, (long long)l);
                    CHECK_REL(what, res->final.layer[l - 1].overlap_top, ot, 1.0, 1e-10);
                    worst = fmax(worst, fmax(fabs(res->final.layer[l - 1].overlap_h - oh),
                                             fabs(res->final.layer[l - 1].overlap_top - ot)));
                    lrfa_dense_free(H);
                    lrfa_dense_free(T);
                }
                lrfa_result_free(res);
                lrfa_problem_free(P);
                lrfa_dense_free(D);
                lrfa_dense_free(U);
                lrfa_dense_free(V);
                if (Y != Yd) lrfa_matrix_free(Y);
                lrfa_matrix_free(Yd);
            }
    printf("    largest difference %.2e (tol 1e-10)\n", worst);
}

/* Fact 5: Y and 1000 Y give the same rel_gap and align_zb (to 1e-9) under
 * the default scalings, for GD and FA. */
static void test_scale_invariance(void)
{
    lrfa_matrix *Y = test_lowrank(40, 30, 8, linear8, 12), *Yc;
    lrfa_dense *C = lrfa_dense_copy(Y->dense, NULL);
    lrfa_problem *P, *Pc;
    int64_t i;
    int algo;
    for (i = 0; i < 40 * 30; i++) C->data[i] *= 1000.0;
    Yc = lrfa_matrix_wrap_dense(C, NULL);
    P = lrfa_problem_new(Y, 0, 0, NULL);
    Pc = lrfa_problem_new(Yc, 0, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(Pc);
    for (algo = 0; algo < 2; algo++) {
        lrfa_options opt;
        lrfa_result *a, *b;
        char what[120];
        lrfa_options_default(&opt);
        opt.algo = (lrfa_algo)algo;
        opt.rank = 3;
        opt.tol = 0.0;
        opt.max_iters = 3000;
        a = fit(P, &opt);
        b = fit(Pc, &opt);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        snprintf(what, sizeof what, "%s: rel_gap of 1000 Y vs of Y", algo ? "FA" : "GD");
        CHECK_REL(what, b->final.rel_gap, a->final.rel_gap, 1.0, 1e-9);
        if (algo) CHECK_REL("FA: align_zb of 1000 Y vs of Y", b->final.align_zb, a->final.align_zb, 1.0, 1e-9);
        lrfa_result_free(a);
        lrfa_result_free(b);
    }
    lrfa_problem_free(P);
    lrfa_problem_free(Pc);
    lrfa_matrix_free(Y);
    lrfa_matrix_free(Yc);
}

/* The same seed gives bit-identical factors and figures; GD and FA with one
 * seed start from the same Z and W. */
static void test_reproducible(void)
{
    lrfa_matrix *Y = test_lowrank(30, 20, 8, linear8, 13);
    lrfa_problem *P = lrfa_problem_new(Y, 0, 4, NULL);
    lrfa_options opt;
    lrfa_result *a, *b;
    lrfa_dense *Z1, *W1, *B1, *Z2, *W2, *B2;
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    lrfa_options_default(&opt);
    opt.algo = LRFA_ALGO_FA;
    opt.rank = 4;
    opt.seed = 77;
    opt.log_every = 10;
    a = fit(P, &opt);
    b = fit(P, &opt);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(memcmp(a->Z->data, b->Z->data, sizeof(double) * 30 * 4), 0);
    CU_ASSERT_EQUAL(memcmp(a->W->data, b->W->data, sizeof(double) * 4 * 20), 0);
    CU_ASSERT_EQUAL(a->iterations, b->iterations);
    CU_ASSERT_EQUAL(a->trace_len, b->trace_len);
    CU_ASSERT_EQUAL(a->final.error, b->final.error);
    CU_ASSERT_EQUAL(a->final.align_zb, b->final.align_zb);
    lrfa_init_factors(P, &opt, &Z1, &W1, &B1, NULL);
    opt.algo = LRFA_ALGO_GD;
    lrfa_init_factors(P, &opt, &Z2, &W2, &B2, NULL);
    CU_ASSERT_EQUAL(memcmp(Z1->data, Z2->data, sizeof(double) * 30 * 4), 0);
    CU_ASSERT_EQUAL(memcmp(W1->data, W2->data, sizeof(double) * 4 * 20), 0);
    CU_ASSERT_PTR_NOT_NULL(B1);
    CU_ASSERT_PTR_NULL(B2);
    lrfa_dense_free(Z1);
    lrfa_dense_free(W1);
    lrfa_dense_free(B1);
    lrfa_dense_free(Z2);
    lrfa_dense_free(W2);
    lrfa_result_free(a);
    lrfa_result_free(b);
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* A step far beyond 1 / s_1 diverges: LRFA_EDIVERGED with the iteration,
 * and the weights returned are the last state that passed the test (the
 * run replayed from its seed): the same bits as a run stopped one
 * iteration before the divergence. */
static void test_divergence(void)
{
    lrfa_matrix *Y = test_lowrank(30, 20, 8, linear8, 14);
    lrfa_problem *P = lrfa_problem_new(Y, 0, 0, NULL);
    static const lrfa_algo rules[] = {LRFA_ALGO_GD, LRFA_ALGO_KP, LRFA_ALGO_FA, LRFA_ALGO_SIGN};
    static const int64_t depths[] = {2, 2, 3, 3};
    size_t c;
    for (c = 0; c < sizeof rules / sizeof rules[0]; c++) {
        lrfa_options opt;
        lrfa_result *res = NULL, *ref = NULL;
        lrfa_error err = {0};
        int64_t l, differ = 0, i;
        lrfa_options_default(&opt);
        opt.algo = rules[c];
        opt.rank = 4;
        opt.lr = 1.3;
        opt.init_scale = 1.0;
        if (depths[c] == 3) {
            opt.depth = 3;
            opt.widths[0] = opt.widths[1] = 4;
        }
        CU_ASSERT_EQUAL(lrfa_fit(P, &opt, &res, &err), LRFA_EDIVERGED);
        CU_ASSERT_PTR_NOT_NULL_FATAL(res);
        CU_ASSERT(res->diverged_at > 0);
        printf("    %s depth %lld: %s\n", lrfa_algo_name(opt.algo), (long long)depths[c], err.message);
        opt.max_iters = res->diverged_at - 1;
        opt.tol = 0.0;
        CU_ASSERT_EQUAL_FATAL(lrfa_fit(P, &opt, &ref, &err), LRFA_OK);
        CU_ASSERT_EQUAL(ref->iterations, res->iterations);
        for (l = 0; l < res->depth; l++)
            for (i = 0; i < res->weights[l]->rows * res->weights[l]->cols; i++)
                differ += res->weights[l]->data[i] != ref->weights[l]->data[i];
        printf("    the state returned against a run of %lld iterations: %lld entries differ (want 0)\n",
               (long long)opt.max_iters, (long long)differ);
        CU_ASSERT_EQUAL(differ, 0);
        lrfa_result_free(res);
        lrfa_result_free(ref);
    }
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* Options are checked before any work, with a message naming the option. */
static void test_options_check(void)
{
    lrfa_options opt;
    lrfa_options_default(&opt);
    CU_ASSERT_PTR_NOT_NULL(lrfa_options_check(&opt, 10, 5)); /* r = 0 */
    opt.rank = 6;
    CU_ASSERT_PTR_NOT_NULL(lrfa_options_check(&opt, 10, 5)); /* r > min(n, m) */
    opt.rank = 5;
    CU_ASSERT_PTR_NULL(lrfa_options_check(&opt, 10, 5));
    opt.lr = -1.0;
    CU_ASSERT_PTR_NOT_NULL(lrfa_options_check(&opt, 10, 5));
    opt.lr = 0.0;
    opt.algo = (lrfa_algo)7;
    CU_ASSERT_PTR_NOT_NULL(lrfa_options_check(&opt, 10, 5));
    CU_ASSERT_EQUAL(lrfa_algo_parse("fa"), LRFA_ALGO_FA);
    CU_ASSERT_EQUAL(lrfa_algo_parse("sgd"), -1);
}

void register_solver_suite(void)
{
    CU_pSuite s = CU_add_suite("solver", NULL, NULL);
    CU_add_test(s, "one-pass iteration equals the naive one", test_one_pass_vs_naive);
    CU_add_test(s, "GD reaches opt(r)", test_gd_reaches_optimum);
    CU_add_test(s, "FA reaches zero error when r >= rank(Y)", test_fa_exact_when_rank_suffices);
    CU_add_test(s, "FA lands on fa_pred when r < rank(Y)", test_fa_lands_on_prediction);
    CU_add_test(s, "fa_pred agrees with the naive projection", test_fa_prediction_naive);
    CU_add_test(s, "conservation drift is proportional to the step", test_drift_halves);
    CU_add_test(s, "FA from a small start aligns Z^T with B", test_fa_alignment);
    CU_add_test(s, "overlaps through Y equal those with both sides of a full SVD", test_derived_overlaps);
    CU_add_test(s, "relative figures do not depend on the scale of Y", test_scale_invariance);
    CU_add_test(s, "same seed, same bits; GD and FA share a start", test_reproducible);
    CU_add_test(s, "a runaway step is reported as divergence", test_divergence);
    CU_add_test(s, "options are validated", test_options_check);
}
