/* test_layers.c: the layered solver (every rule, depths 2 to 4) against the
 * naive reference and the mathematics of deep linear networks. */
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

static const double spec6[6] = {1.0, 0.8, 0.6, 0.45, 0.3, 0.2};

static double lr_scale = 0.2;

static lrfa_result *fit_layers(const lrfa_problem *P, lrfa_algo rule, int64_t L, const int64_t *widths,
                               double init, int64_t iters, double tol)
{
    lrfa_options opt;
    lrfa_result *res = NULL;
    lrfa_error err = {0};
    int64_t l;
    lrfa_options_default(&opt);
    opt.algo = rule;
    opt.depth = L;
    for (l = 0; l + 1 < L; l++) opt.widths[l] = widths[l];
    opt.init_scale = init;
    opt.max_iters = iters;
    opt.tol = tol;
    opt.lr_scale = lr_scale;
    if (lrfa_fit(P, &opt, &res, &err) != LRFA_OK) {
        printf("    fit failed: %s\n", err.message);
        lrfa_result_free(res);
        return NULL;
    }
    return res;
}

/* The one-pass iteration (Gram identities, Y read once or twice) against the
 * naive one (every h_l, E and delta_l formed) over 50 steps: every rule,
 * depths 2, 3 and 4, dense and sparse Y, a random start and (for the rules
 * that can leave it) a zero start. 1e-12 relative in every weight and in
 * kp's feedback. */
static void test_layers_vs_naive(void)
{
    /* {5, 3, 5}: d_1 = d_{L-1}, so gd, kp and sign take the fused pass on a dense Y */
    static const int64_t widths[4][3] = {{5, 0, 0}, {5, 3, 0}, {4, 6, 3}, {5, 3, 5}};
    lrfa_matrix *Yd = test_lowrank(23, 19, 6, spec6, 5), *Ys;
    int storage, rule, depth, zero;
    CU_ASSERT_PTR_NOT_NULL_FATAL(Yd);
    Ys = test_sparsify(Yd->dense, 0.4, 6);
    CU_ASSERT_PTR_NOT_NULL_FATAL(Ys);
    lr_scale = 0.05; /* a large start (0.5): a step every rule and depth takes */
    for (storage = 0; storage < 2; storage++) {
        lrfa_matrix *Y = storage ? Ys : Yd;
        lrfa_problem *P = lrfa_problem_new(Y, 0, 0, NULL);
        lrfa_dense *Ydense = lrfa_matrix_to_dense(Y, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(P);
        CU_ASSERT_PTR_NOT_NULL_FATAL(Ydense);
        for (rule = 0; rule < LRFA_ALGO_COUNT; rule++)
            for (depth = 0; depth < 4; depth++)
                for (zero = 0; zero < 2; zero++) {
                    int64_t L = depth < 3 ? depth + 2 : 4, l, t;
                    lrfa_options opt;
                    lrfa_result *res;
                    lrfa_dense *W[LRFA_MAX_LAYERS], *B[LRFA_MAX_LAYERS];
                    double worst = 0.0, scale;
                    char what[96];
                    if (zero && (rule == LRFA_ALGO_GD || rule == LRFA_ALGO_SIGN)) continue;
                    res = fit_layers(P, (lrfa_algo)rule, L, widths[depth], zero ? 0.0 : 0.5, 50, 0.0);
                    CU_ASSERT_PTR_NOT_NULL_FATAL(res);
                    CU_ASSERT_EQUAL(res->iterations, 50);
                    lrfa_options_default(&opt);
                    opt.algo = (lrfa_algo)rule;
                    opt.depth = L;
                    for (l = 0; l + 1 < L; l++) opt.widths[l] = widths[depth][l];
                    opt.init_scale = zero ? 0.0 : 0.5;
                    opt.lr_scale = lr_scale;
                    CU_ASSERT_EQUAL_FATAL(lrfa_init_layers(P, &opt, W, B, NULL), LRFA_OK);
                    for (t = 0; t < 50; t++)
                        CU_ASSERT_EQUAL_FATAL(
                            lrfa_layers_step_naive(Ydense, L, W, B, (lrfa_algo)rule, res->lr, res->lambda, NULL),
                            LRFA_OK);
                    for (l = 0; l < L; l++) {
                        double dd = test_max_abs_diff(res->weights[l]->data, W[l]->data,
                                                      W[l]->rows * W[l]->cols, &scale);
                        worst = fmax(worst, scale > 0 ? dd / scale : dd);
                    }
                    for (l = 0; rule == LRFA_ALGO_KP && l + 1 < L; l++) {
                        double dd = test_max_abs_diff(res->feedback[l]->data, B[l]->data,
                                                      B[l]->rows * B[l]->cols, &scale);
                        worst = fmax(worst, scale > 0 ? dd / scale : dd);
                    }
                    snprintf(what, sizeof what, "%s %s L = %lld%s: weights vs naive", storage ? "sparse" : "dense",
                             lrfa_algo_name((lrfa_algo)rule), (long long)L, zero ? " (zero start)" : "");
                    CHECK_REL(what, worst, 0.0, 1.0, 1e-12);
                    for (l = 0; l < LRFA_MAX_LAYERS; l++) {
                        lrfa_dense_free(W[l]);
                        lrfa_dense_free(B[l]);
                    }
                    lrfa_result_free(res);
                }
        lrfa_dense_free(Ydense);
        lrfa_problem_free(P);
    }
    lr_scale = 0.2;
    lrfa_matrix_free(Yd);
    lrfa_matrix_free(Ys);
}

static int same_bits(const lrfa_dense *a, const lrfa_dense *b)
{
    return a && b && a->rows == b->rows && a->cols == b->cols &&
           !memcmp(a->data, b->data, sizeof(double) * (size_t)(a->rows * a->cols));
}

/* L = 2 is the two-layer model: --depth 2 with width r is -r r, bit for bit,
 * and fa and dfa are the same rule there (identical weights, error and
 * predicted limit). */
static void test_layers_two_layer_case(void)
{
    lrfa_matrix *Y = test_lowrank(30, 24, 6, spec6, 7);
    lrfa_problem *P = lrfa_problem_new(Y, 0, 6, NULL);
    int rule;
    int64_t w = 3;
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    for (rule = 0; rule < LRFA_ALGO_COUNT; rule++) {
        lrfa_options opt;
        lrfa_result *a = NULL, *b;
        lrfa_options_default(&opt);
        opt.algo = (lrfa_algo)rule;
        opt.rank = w;
        opt.max_iters = 400;
        CU_ASSERT_EQUAL_FATAL(lrfa_fit(P, &opt, &a, NULL), LRFA_OK);
        b = fit_layers(P, (lrfa_algo)rule, 2, &w, -1.0, 400, opt.tol);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        printf("    %-5s -r 3 and --depth 2 --widths 3: %s\n", lrfa_algo_name((lrfa_algo)rule),
               same_bits(a->Z, b->Z) && same_bits(a->W, b->W) ? "identical" : "DIFFERENT");
        CU_ASSERT(same_bits(a->Z, b->Z) && same_bits(a->W, b->W));
        CU_ASSERT_EQUAL(a->final.error, b->final.error);
        lrfa_result_free(a);
        lrfa_result_free(b);
    }
    {
        lrfa_result *fa = fit_layers(P, LRFA_ALGO_FA, 2, &w, -1.0, 3000, 1e-10);
        lrfa_result *dfa = fit_layers(P, LRFA_ALGO_DFA, 2, &w, -1.0, 3000, 1e-10);
        CU_ASSERT_PTR_NOT_NULL_FATAL(fa);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dfa);
        printf("    fa and dfa at L = 2: error %.15g and %.15g, pred %.15g and %.15g\n", fa->final.error,
               dfa->final.error, fa->fa_pred, dfa->fa_pred);
        CU_ASSERT(same_bits(fa->Z, dfa->Z) && same_bits(fa->W, dfa->W) && same_bits(fa->B, dfa->B));
        CU_ASSERT_EQUAL(fa->final.error, dfa->final.error);
        CU_ASSERT_EQUAL(fa->fa_pred, dfa->fa_pred);
        CU_ASSERT_EQUAL(fa->final.layer[1].align, dfa->final.layer[1].align);
        lrfa_result_free(fa);
        lrfa_result_free(dfa);
    }
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* Deep linear networks have no spurious local minima (Kawaguchi 2016): GD
 * from the default start reaches opt(r), r the narrowest width, at depths 3
 * and 4. Tolerance 1e-6 of ||Y||_F (the convergence test stops at changes of
 * 1e-10 ||Y||_F per 100 iterations). */
static void test_layers_gd_reaches_opt(void)
{
    static const int64_t w3[2] = {6, 3}, w4[3] = {8, 3, 8};
    lrfa_matrix *Y = test_lowrank(40, 30, 6, spec6, 8);
    lrfa_problem *P = lrfa_problem_new(Y, 0, 8, NULL);
    lrfa_result *r3, *r4;
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    r3 = fit_layers(P, LRFA_ALGO_GD, 3, w3, -1.0, 40000, 1e-10);
    r4 = fit_layers(P, LRFA_ALGO_GD, 4, w4, -1.0, 40000, 1e-10);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r4);
    printf("    L = 3: %lld iterations (%s); L = 4: %lld (%s)\n", (long long)r3->iterations,
           r3->converged ? "converged" : "not converged", (long long)r4->iterations,
           r4->converged ? "converged" : "not converged");
    CHECK_REL("gd L = 3, widths 6,3: error - opt(3)", r3->final.error, r3->final.opt, P->fro, 1e-6);
    CHECK_REL("gd L = 4, widths 8,3,8: error - opt(3)", r4->final.error, r4->final.opt, P->fro, 1e-6);
    CU_ASSERT(r3->converged && r4->converged);
    lrfa_result_free(r3);
    lrfa_result_free(r4);
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* Design fact 7. fa and dfa reach zero error when the narrowest width is at
 * least rank(Y), and otherwise land on pred = ||Y - Y P||_F, P the projector
 * onto row(B_eff Y) (tolerance 1e-6 of ||Y||_F). Under dfa with d_1 above a
 * narrower later layer and rank(Y), no fixed point exists, and the run says
 * so. */
static void test_layers_fa_dfa_limit(void)
{
    static const int64_t wide[2] = {10, 8}, narrow[2] = {6, 3}, first[2] = {3, 6};
    lrfa_matrix *Y = test_lowrank(40, 30, 6, spec6, 9);
    lrfa_problem *P = lrfa_problem_new(Y, 0, 0, NULL);
    int rule;
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    for (rule = LRFA_ALGO_FA; rule <= LRFA_ALGO_DFA; rule++) {
        lrfa_algo a = (lrfa_algo)rule;
        lrfa_result *r = fit_layers(P, a, 3, wide, 0.0, 60000, 1e-12); /* from zero: no residue */
        char what[96];
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        snprintf(what, sizeof what, "%s widths 10,8 >= rank 6: error", lrfa_algo_name(a));
        CHECK_REL(what, r->final.error, 0.0, P->fro, 1e-6);
        CHECK_REL("  and its predicted limit", r->fa_pred, 0.0, P->fro, 1e-9);
        lrfa_result_free(r);
        r = fit_layers(P, a, 3, a == LRFA_ALGO_FA ? narrow : first, -1.0, 60000, 1e-12);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        snprintf(what, sizeof what, "%s widths %s: error - pred (pred %.4f, opt %.4f)", lrfa_algo_name(a),
                 a == LRFA_ALGO_FA ? "6,3" : "3,6", r->fa_pred, r->final.opt);
        CHECK_REL(what, r->final.error, r->fa_pred, P->fro, 1e-6);
        CU_ASSERT(r->fa_pred > r->final.opt + 1e-3 * P->fro); /* the separation from GD */
        CU_ASSERT_EQUAL(r->pred_rank, 3);
        lrfa_result_free(r);
    }
    {
        /* no fixed point: the weights grow without bound and the run
         * diverges (measured: every step and feedback scale tried; a smaller
         * step only delays it), and the result says there was none */
        lrfa_options opt;
        lrfa_result *r = NULL;
        lrfa_error err = {0};
        lrfa_status st;
        lrfa_options_default(&opt);
        opt.algo = LRFA_ALGO_DFA;
        opt.depth = 3;
        opt.widths[0] = narrow[0];
        opt.widths[1] = narrow[1];
        opt.max_iters = 20000;
        st = lrfa_fit(P, &opt, &r, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        printf("    dfa widths 6,3 on rank 6: rank(B_1 Y) = %lld, no fixed point: %d, pred %g; %s\n",
               (long long)r->pred_rank, r->no_fixed_point, r->fa_pred, err.message);
        CU_ASSERT(r->no_fixed_point);
        CU_ASSERT(isnan(r->fa_pred));
        CU_ASSERT_EQUAL(st, LRFA_EDIVERGED);
        CU_ASSERT(!r->converged);
        lrfa_result_free(r);
    }
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* Kolen-Pollack: B_l - W_{l+1}^T shrinks by (1 - eta lam) each step exactly
 * (its law's drift stays at rounding level, 1e-12), so the feedback aligns
 * (cos(B_l, W_{l+1}^T) > 0.99 at every layer) and the run then matches GD's
 * error (within 1e-3 of ||Y||_F: the decay biases the fixed point by about
 * decay times the smallest kept singular value over s_1). */
static void test_layers_kp(void)
{
    static const int64_t w[2] = {6, 4};
    lrfa_matrix *Y = test_lowrank(40, 30, 6, spec6, 10);
    lrfa_problem *P = lrfa_problem_new(Y, 0, 0, NULL);
    lrfa_result *kp, *gd;
    int64_t l;
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    kp = fit_layers(P, LRFA_ALGO_KP, 3, w, -1.0, 60000, 1e-12);
    gd = fit_layers(P, LRFA_ALGO_GD, 3, w, -1.0, 60000, 1e-12);
    CU_ASSERT_PTR_NOT_NULL_FATAL(kp);
    CU_ASSERT_PTR_NOT_NULL_FATAL(gd);
    for (l = 1; l < 3; l++) {
        char what[64];
        printf("    kp layer %lld: cos(B, W^T) = %.6f\n", (long long)(l + 1), kp->final.layer[l].align);
        CU_ASSERT(kp->final.layer[l].align > 0.99);
        snprintf(what, sizeof what, "kp law of pair %lld: drift", (long long)l);
        CHECK_REL(what, kp->final.layer[l - 1].drift, 0.0, 1.0, 1e-12);
    }
    CHECK_REL("kp error against gd's", kp->final.error, gd->final.error, P->fro, 1e-3);
    lrfa_result_free(kp);
    lrfa_result_free(gd);
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* Design fact 8: under gradient flow each law holds exactly; with a finite
 * step it drifts by O(eta) over a fixed span of time. Halving the step (and
 * doubling the iterations) halves the drift: the ratio is 2 within 20%, for
 * gd's and fa's laws at every pair and dfa's at the top pair. */
static void test_layers_conservation_halves(void)
{
    static const int64_t w[2] = {6, 4};
    lrfa_matrix *Y = test_lowrank(40, 30, 6, spec6, 11);
    lrfa_problem *P = lrfa_problem_new(Y, 0, 0, NULL);
    int rule;
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    for (rule = LRFA_ALGO_GD; rule <= LRFA_ALGO_DFA; rule++) {
        lrfa_result *r[2];
        int k;
        int64_t l;
        for (k = 0; k < 2; k++) {
            lrfa_options opt;
            lrfa_error err = {0};
            lrfa_options_default(&opt);
            opt.algo = (lrfa_algo)rule;
            opt.depth = 3;
            opt.widths[0] = w[0];
            opt.widths[1] = w[1];
            opt.init_scale = 0.3;
            opt.lr_scale = k ? 0.02 : 0.04;
            opt.max_iters = k ? 400 : 200;
            opt.tol = 0;
            r[k] = NULL;
            CU_ASSERT_EQUAL_FATAL(lrfa_fit(P, &opt, &r[k], &err), LRFA_OK);
        }
        for (l = 0; l < 2; l++) {
            double a = r[0]->final.layer[l].drift, b = r[1]->final.layer[l].drift;
            char what[96];
            if (rule == LRFA_ALGO_DFA && l == 0) {
                CU_ASSERT(isnan(a)); /* no law below the top pair */
                continue;
            }
            snprintf(what, sizeof what, "%s pair (%lld, %lld): drift %.3e / %.3e = %.3f", lrfa_algo_name((lrfa_algo)rule),
                     (long long)(l + 1), (long long)(l + 2), a, b, a / b);
            CHECK_REL(what, a / b, 2.0, 2.0, 0.2);
        }
        lrfa_result_free(r[0]);
        lrfa_result_free(r[1]);
    }
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* Design fact 9: from a zero start DFA keeps W_1 = B_1 A_1, W_l = B_l A_l
 * B_{l-1}^T and W_L = A_L B_{L-1}^T exactly (every update of W_l lies in that
 * form). With few outputs (n = 3) and wider layers (8, 8) the structure is
 * not trivial: its residual stays below 1e-12 from zero and is far from
 * zero (above 1e-3) from a random start. */
static void test_layers_dfa_structure(void)
{
    static const int64_t w[2] = {8, 8};
    lrfa_matrix *Y = test_lowrank(3, 40, 3, spec6, 13);
    lrfa_problem *P = lrfa_problem_new(Y, 0, 0, NULL);
    lrfa_result *z, *g;
    double worst = 0.0, random_worst = 0.0;
    int64_t l;
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    z = fit_layers(P, LRFA_ALGO_DFA, 3, w, 0.0, 300, 0.0);
    g = fit_layers(P, LRFA_ALGO_DFA, 3, w, 0.5, 300, 0.0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(z);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    for (l = 0; l < 3; l++) {
        printf("    layer %lld: residual %.2e from zero (cond(A) %.3g), %.2e from a random start\n", (long long)(l + 1),
               z->final.layer[l].dfa_residual, z->final.layer[l].dfa_cond, g->final.layer[l].dfa_residual);
        worst = fmax(worst, z->final.layer[l].dfa_residual);
        random_worst = fmax(random_worst, g->final.layer[l].dfa_residual);
        CU_ASSERT(isfinite(z->final.layer[l].dfa_cond) && z->final.layer[l].dfa_cond >= 1.0);
    }
    CHECK_REL("dfa from zero: alignment-matrix structure residual", worst, 0.0, 1.0, 1e-12);
    CU_ASSERT(random_worst > 1e-3);
    lrfa_result_free(z);
    lrfa_result_free(g);
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* Bad layered options are refused by lrfa_options_check with a message. */
static void test_layers_options(void)
{
    lrfa_options opt;
    const char *msg;
    lrfa_options_default(&opt);
    opt.depth = 3;
    opt.widths[0] = 4;
    opt.widths[1] = 0;
    msg = lrfa_options_check(&opt, 20, 10);
    CU_ASSERT(msg && strstr(msg, "width d_2"));
    opt.widths[1] = 4;
    CU_ASSERT_PTR_NULL(lrfa_options_check(&opt, 20, 10));
    opt.depth = 1;
    CU_ASSERT_PTR_NOT_NULL(lrfa_options_check(&opt, 20, 10));
    opt.depth = LRFA_MAX_LAYERS + 1;
    CU_ASSERT_PTR_NOT_NULL(lrfa_options_check(&opt, 20, 10));
    opt.depth = 3;
    opt.decay = -1.0;
    CU_ASSERT_PTR_NOT_NULL(lrfa_options_check(&opt, 20, 10));
    opt.decay = 1e-3;
    opt.init_scale = 0.0;
    msg = lrfa_options_check(&opt, 20, 10);
    CU_ASSERT(msg && strstr(msg, "zero start"));
    opt.algo = LRFA_ALGO_SIGN;
    CU_ASSERT_PTR_NOT_NULL(lrfa_options_check(&opt, 20, 10));
    opt.algo = LRFA_ALGO_DFA;
    CU_ASSERT_PTR_NULL(lrfa_options_check(&opt, 20, 10));
    CU_ASSERT_EQUAL(lrfa_algo_parse("kp"), LRFA_ALGO_KP);
    CU_ASSERT_STRING_EQUAL(lrfa_algo_name(LRFA_ALGO_SIGN), "sign");
}

/* A start of the wrong shape is refused naming the matrix. */
static void test_layers_start_shape(void)
{
    lrfa_matrix *Y = test_lowrank(20, 10, 4, spec6, 12);
    lrfa_problem *P = lrfa_problem_new(Y, 0, 0, NULL);
    lrfa_options opt;
    lrfa_dense *W[LRFA_MAX_LAYERS], *B[LRFA_MAX_LAYERS];
    lrfa_result *res = NULL;
    lrfa_error err = {0};
    int64_t l;
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    lrfa_options_default(&opt);
    opt.algo = LRFA_ALGO_FA;
    opt.depth = 3;
    opt.widths[0] = 4;
    opt.widths[1] = 3;
    CU_ASSERT_EQUAL_FATAL(lrfa_init_layers(P, &opt, W, B, NULL), LRFA_OK);
    /* a run from its own start, given explicitly, is the run: the same bits */
    opt.max_iters = 30;
    {
        lrfa_result *a = NULL;
        CU_ASSERT_EQUAL_FATAL(lrfa_fit(P, &opt, &a, &err), LRFA_OK);
        opt.start_weights = (const lrfa_dense *const *)W;
        opt.start_feedback = (const lrfa_dense *const *)B;
        CU_ASSERT_EQUAL_FATAL(lrfa_fit(P, &opt, &res, &err), LRFA_OK);
        for (l = 0; l < 3; l++) CU_ASSERT(same_bits(a->weights[l], res->weights[l]));
        lrfa_result_free(a);
    }
    lrfa_result_free(res);
    lrfa_dense_free(W[1]);
    W[1] = lrfa_dense_alloc(4, 4, NULL);
    CU_ASSERT_EQUAL(lrfa_fit(P, &opt, &res, &err), LRFA_EINPUT);
    printf("    %s\n", err.message);
    CU_ASSERT(strstr(err.message, "W_2 is 4 x 4: expected 3 x 4") != NULL);
    CU_ASSERT_PTR_NULL(res);
    for (l = 0; l < LRFA_MAX_LAYERS; l++) {
        lrfa_dense_free(W[l]);
        lrfa_dense_free(B[l]);
    }
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* Design fact 5 at depth: a Y of norm 2^450 is fitted as a power-of-4
 * multiple of itself and the result brought back, so every relative figure
 * of c Y equals Y's (1e-12), the weights scale like c^(1/L), kp's lambda
 * like s_1^(2 (L-1) / L) and its law's terms like c^(1/L). */
static void test_layers_rescaled(void)
{
    static const int64_t w[2] = {6, 4};
    lrfa_matrix *Y = test_lowrank(30, 20, 6, spec6, 14), *Yc;
    lrfa_dense *Dc;
    lrfa_problem *P, *Pc;
    double c = 0x1p450;
    int64_t i;
    int rule;
    CU_ASSERT_PTR_NOT_NULL_FATAL(Y);
    Dc = lrfa_dense_copy(Y->dense, NULL);
    for (i = 0; i < Dc->rows * Dc->cols; i++) Dc->data[i] *= c;
    Yc = lrfa_matrix_wrap_dense(Dc, NULL);
    P = lrfa_problem_new(Y, 0, 0, NULL);
    Pc = lrfa_problem_new(Yc, 0, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(P);
    CU_ASSERT_PTR_NOT_NULL_FATAL(Pc);
    for (rule = LRFA_ALGO_FA; rule <= LRFA_ALGO_KP; rule += 2) {
        lrfa_result *a = fit_layers(P, (lrfa_algo)rule, 3, w, -1.0, 200, 0.0);
        lrfa_result *b = fit_layers(Pc, (lrfa_algo)rule, 3, w, -1.0, 200, 0.0);
        double wc = pow(c, 1.0 / 3.0), u = pow(c, 4.0 / 3.0);
        char what[96];
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        snprintf(what, sizeof what, "%s: rel_gap of c Y against Y's", lrfa_algo_name((lrfa_algo)rule));
        CHECK_REL(what, b->final.rel_gap, a->final.rel_gap, 1.0, 1e-12);
        snprintf(what, sizeof what, "%s: ||W_2|| of c Y over c^(1/3) against Y's", lrfa_algo_name((lrfa_algo)rule));
        CHECK_REL(what, b->final.layer[1].norm / wc, a->final.layer[1].norm, a->final.layer[1].norm, 1e-12);
        snprintf(what, sizeof what, "%s: conservation terms of pair 2 over c^(%s)", lrfa_algo_name((lrfa_algo)rule),
                 rule == LRFA_ALGO_KP ? "1/3" : "2/3");
        CHECK_REL(what, b->final.layer[1].conservation_terms / (rule == LRFA_ALGO_KP ? wc : wc * wc),
                  a->final.layer[1].conservation_terms, a->final.layer[1].conservation_terms, 1e-12);
        if (rule == LRFA_ALGO_KP)
            CHECK_REL("kp: lambda of c Y over c^(4/3) against Y's", b->lambda / u, a->lambda, a->lambda, 1e-12);
        lrfa_result_free(a);
        lrfa_result_free(b);
    }
    {
        /* the two-layer names too: kp's law terms like c^(1/2) */
        static const int64_t w2 = 4;
        lrfa_result *a = fit_layers(P, LRFA_ALGO_KP, 2, &w2, -1.0, 200, 0.0);
        lrfa_result *b = fit_layers(Pc, LRFA_ALGO_KP, 2, &w2, -1.0, 200, 0.0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        CHECK_REL("kp L = 2: conservation_terms of c Y over c^(1/2)", b->final.conservation_terms / sqrt(c),
                  a->final.conservation_terms, a->final.conservation_terms, 1e-12);
        lrfa_result_free(a);
        lrfa_result_free(b);
    }
    lrfa_problem_free(P);
    lrfa_problem_free(Pc);
    lrfa_matrix_free(Y);
    lrfa_matrix_free(Yc);
}

void register_layers_suite(void)
{
    CU_pSuite s = CU_add_suite("layers", NULL, NULL);
    CU_add_test(s, "one pass vs naive: every rule, depths 2-4, dense and sparse", test_layers_vs_naive);
    CU_add_test(s, "L = 2 is the two-layer model; fa = dfa there", test_layers_two_layer_case);
    CU_add_test(s, "deep gd reaches opt(r)", test_layers_gd_reaches_opt);
    CU_add_test(s, "fa and dfa: zero error when wide, the predicted limit when narrow", test_layers_fa_dfa_limit);
    CU_add_test(s, "kp aligns its feedback and matches gd", test_layers_kp);
    CU_add_test(s, "conservation laws drift like the step", test_layers_conservation_halves);
    CU_add_test(s, "dfa from zero keeps the alignment-matrix structure", test_layers_dfa_structure);
    CU_add_test(s, "bad layered options", test_layers_options);
    CU_add_test(s, "relative figures do not change when Y is scaled by 2^450", test_layers_rescaled);
    CU_add_test(s, "starting weights of the wrong shape", test_layers_start_shape);
}
