/* test_kernels.c: the hand-written product out = Y W^T (kernels.c) on every
 * path against the naive reference and against OpenBLAS. */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "internal.h"

/* The paths this processor runs, for the messages: "portable/avx2/avx512" */
static const char *paths(void)
{
    static char buf[64];
    int isa;
    buf[0] = 0;
    for (isa = LRFA_ISA_PORTABLE; isa <= LRFA_ISA_AVX512; isa++) {
        lrfa_kern_set_isa(isa);
        if (lrfa_kern_isa() == isa)
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", isa ? "/" : "", lrfa_kern_isa_name(isa));
    }
    lrfa_kern_set_isa(-1);
    return buf;
}

/* Setting `step` of the 48 every test runs: Y moved to each of the 8
 * places a double can have in a 64-byte line (*Y within Ybuf, len entries),
 * times each path, times 1 and 2 threads. Returns 0 past the last, with the
 * automatic path and thread count restored. */
static int setting(int step, double *Ybuf, double **Y, int64_t len)
{
    int off = step / 6;
    if (step >= 48) {
        lrfa_kern_set_isa(-1);
        lrfa_set_threads(0);
        return 0;
    }
    if (Ybuf + off != *Y) {
        memmove(Ybuf + off, *Y, sizeof(double) * (size_t)len);
        *Y = Ybuf + off;
    }
    lrfa_kern_set_isa(LRFA_ISA_PORTABLE + step / 2 % 3);
    lrfa_set_threads(step % 2 + 1);
    return 1;
}

static const int64_t shapes[][3] = {{1, 1, 1},    {7, 3, 5},     {16, 256, 8},  {17, 257, 9}, {33, 300, 16},
                                    {100, 513, 23}, {250, 40, 64}, {5, 600, 130}, {301, 700, 16}};

/* out = Y W^T is the same, bit for bit, on the AVX-512 path (where the
 * processor has it), on the portable path and on 1 or 2 threads as the
 * reference's fma sum in order; and within 1e-13 of OpenBLAS's dgemm,
 * relative to sum_j |Y_ij| |W_kj| (the rounding of any order of the sum). */
static void test_y_wt(void)
{
    size_t s;
    int step, mismatches = 0, runs = 0;
    double worst = 0.0;
    for (s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int64_t n = shapes[s][0], m = shapes[s][1], r = shapes[s][2], i, j, k;
        double *Ybuf = aligned_alloc(64, sizeof(double) * (size_t)((n * m + 15) / 8 * 8)), *Y = Ybuf;
        double *W = malloc(sizeof(double) * (size_t)(r * m));
        double *ref = malloc(sizeof(double) * (size_t)(n * r)), *out = malloc(sizeof(double) * (size_t)(n * r));
        double *blas = malloc(sizeof(double) * (size_t)(n * r));
        lrfa_rng g;
        CU_ASSERT_FATAL(Ybuf && W && ref && out && blas);
        lrfa_rng_seed(&g, (uint64_t)(11 + s), 0);
        lrfa_rng_fill_gaussian(&g, Y, n * m, 1.0);
        lrfa_rng_fill_gaussian(&g, W, r * m, 1.0);
        lrfa_ref_y_wt(Y, n, m, W, r, ref);
        for (step = 0; setting(step, Ybuf, &Y, n * m); step++) {
            memset(out, 0xff, sizeof(double) * (size_t)(n * r)); /* NaN: nothing left unwritten */
            lrfa_kern_y_wt(Y, n, m, W, r, out);
            mismatches += memcmp(out, ref, sizeof(double) * (size_t)(n * r)) != 0;
            runs++;
        }
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)n, (int)r, (int)m, 1.0, Y, (int)n, W, (int)r, 0.0,
                    blas, (int)n);
        for (k = 0; k < r; k++)
            for (i = 0; i < n; i++) {
                double scale = 0.0;
                for (j = 0; j < m; j++) scale += fabs(Y[i + j * n] * W[k + j * r]);
                if (fabs(ref[i + k * n] - blas[i + k * n]) / scale > worst)
                    worst = fabs(ref[i + k * n] - blas[i + k * n]) / scale;
            }
        free(Ybuf);
        free(W);
        free(ref);
        free(out);
        free(blas);
    }
    printf("    Y W^T: %d runs (%d shapes x 8 alignments x paths %s x 1, 2 threads), %d differ from the reference in "
           "any bit\n",
           runs, (int)(sizeof shapes / sizeof shapes[0]), paths(),
           mismatches);
    CU_ASSERT_EQUAL(mismatches, 0);
    CHECK_REL("Y W^T against OpenBLAS (relative to sum |y w|)", worst, 0.0, 1.0, 1e-13);
}

/* GD's pair in one pass: the same bits on every path, thread count and
 * alignment of Y; Z^T Y the same as the reference's fma sums in order, and
 * Y W^T (summed by chunks of columns) within 1e-13 of the reference relative
 * to sum |y w|. */
static void test_fused_gd(void)
{
    static const int64_t fshapes[][3] = {{1, 1, 1},    {7, 3, 5},     {300, 520, 16}, {257, 1100, 9},
                                         {33, 4097, 64}, {600, 700, 23}, {5, 600, 130}};
    size_t s;
    int step, mismatches = 0, zty_mismatches = 0, runs = 0;
    double worst = 0.0;
    for (s = 0; s < sizeof fshapes / sizeof fshapes[0]; s++) {
        int64_t n = fshapes[s][0], m = fshapes[s][1], r = fshapes[s][2], i, j, k;
        double *Ybuf = aligned_alloc(64, sizeof(double) * (size_t)((n * m + 15) / 8 * 8)), *Y = Ybuf;
        double *W = malloc(sizeof(double) * (size_t)(r * m));
        double *Z = malloc(sizeof(double) * (size_t)(n * r));
        double *part = malloc(sizeof(double) * (size_t)lrfa_kern_fused_work(n, m, r));
        double *P0 = malloc(sizeof(double) * (size_t)(n * r)), *Q0 = malloc(sizeof(double) * (size_t)(r * m));
        double *P = malloc(sizeof(double) * (size_t)(n * r)), *Q = malloc(sizeof(double) * (size_t)(r * m));
        double *Pr = malloc(sizeof(double) * (size_t)(n * r)), *Qr = malloc(sizeof(double) * (size_t)(r * m));
        lrfa_rng g;
        CU_ASSERT_FATAL(Ybuf && W && Z && part && P0 && Q0 && P && Q && Pr && Qr);
        lrfa_rng_seed(&g, (uint64_t)(31 + s), 0);
        lrfa_rng_fill_gaussian(&g, Y, n * m, 1.0);
        lrfa_rng_fill_gaussian(&g, W, r * m, 1.0);
        lrfa_rng_fill_gaussian(&g, Z, n * r, 1.0);
        lrfa_ref_fused_gd(Y, n, m, Z, W, r, Pr, Qr);
        lrfa_kern_set_isa(LRFA_ISA_PORTABLE);
        lrfa_set_threads(1);
        CU_ASSERT(lrfa_kern_fused_gd(Y, n, m, Z, W, r, P0, Q0, part));
        zty_mismatches += memcmp(Q0, Qr, sizeof(double) * (size_t)(r * m)) != 0;
        for (step = 0; setting(step, Ybuf, &Y, n * m); step++) {
            memset(P, 0xff, sizeof(double) * (size_t)(n * r));
            memset(Q, 0xff, sizeof(double) * (size_t)(r * m));
            lrfa_kern_fused_gd(Y, n, m, Z, W, r, P, Q, part);
            mismatches += memcmp(P, P0, sizeof(double) * (size_t)(n * r)) != 0 ||
                          memcmp(Q, Q0, sizeof(double) * (size_t)(r * m)) != 0;
            runs++;
        }
        for (k = 0; k < r; k++)
            for (i = 0; i < n; i++) {
                double scale = 0.0;
                for (j = 0; j < m; j++) scale += fabs(Y[i + j * n] * W[k + j * r]);
                worst = fmax(worst, fabs(P0[i + k * n] - Pr[i + k * n]) / scale);
            }
        free(Ybuf);
        free(W);
        free(Z);
        free(part);
        free(P0);
        free(Q0);
        free(P);
        free(Q);
        free(Pr);
        free(Qr);
    }
    printf("    fused Y W^T, Z^T Y: %d runs (%d shapes x 8 alignments x paths %s x 1, 2 threads), %d differ in any "
           "bit; Z^T Y differs from the reference's fma sums in %d shapes\n",
           runs, (int)(sizeof fshapes / sizeof fshapes[0]), paths(), mismatches, zty_mismatches);
    CU_ASSERT_EQUAL(mismatches, 0);
    CU_ASSERT_EQUAL(zty_mismatches, 0);
    CHECK_REL("fused Y W^T against the reference (relative to sum |y w|)", worst, 0.0, 1.0, 1e-13);
}

/* m = 0 gives zeros; n = 0 or r = 0 writes nothing. */
static void test_y_wt_empty(void)
{
    double Y[1] = {0}, W[4] = {0}, out[4] = {1, 2, 3, 4};
    lrfa_kern_y_wt(Y, 2, 0, W, 2, out);
    CU_ASSERT(out[0] == 0.0 && out[1] == 0.0 && out[2] == 0.0 && out[3] == 0.0);
    out[0] = 5.0;
    lrfa_kern_y_wt(Y, 0, 3, W, 2, out);
    lrfa_kern_y_wt(Y, 2, 3, W, 0, out);
    CU_ASSERT_EQUAL(out[0], 5.0);
}

void register_kernels_suite(void)
{
    CU_pSuite s = CU_add_suite("kernels", NULL, NULL);
    CU_add_test(s, "Y W^T: the reference's bits on every path and thread count", test_y_wt);
    CU_add_test(s, "Y W^T: empty shapes", test_y_wt_empty);
    CU_add_test(s, "GD's pair in one pass: every path and thread count, against the naive sums", test_fused_gd);
}
