/* blockgs.c: one pass of block classical Gram-Schmidt against a tall basis,
 *
 *     T = Q^T X   (cnt x w),   then   X <- X - Q T,
 *
 * Q len x cnt and X len x w, column-major, w small (the Lanczos block).
 * OpenBLAS's dgemm first copies the whole of Q into its packed layout, which
 * for a few columns of X costs twice the product, and dgemv reads Q once
 * per column of X; these kernels read Q from memory once per product: the
 * rows go in blocks of BLOCK_ROWS, each column segment of Q is combined with
 * every column of X while the block of X sits in the cache. The
 * row blocks are split between the library's threads; for T each thread
 * sums its own blocks and the threads' sums are added in thread order, so
 * the bits depend on the thread count, not on the processor (no fused
 * multiply-add: each product and sum is rounded as in the scalar code).
 * AVX2 runs four lanes where the processor has it, SSE2 two otherwise. */
#include <string.h>
#include "internal.h"

#define BLOCK_ROWS 2048

/* four doubles; loads and stores through it may be unaligned */
typedef double v4d __attribute__((vector_size(32), aligned(8)));

/* The same kernels compiled twice: for the baseline and with AVX2. Both
 * go through Q four columns at a time, so that one load of X serves four
 * independent sums (coeffs) and one load and store of X takes four
 * columns' corrections (update); a last group of fewer columns repeats a
 * column with a zero weight, which changes no bit. */
#define GS_KERNELS(SUFFIX, ATTR)                                                                                  \
    ATTR static void coeffs_##SUFFIX(const double *Q, int64_t len, int64_t cnt, const double *X, int64_t w,       \
                                     int64_t r0, int64_t r1, double *T)                                           \
    {                                                                                                             \
        int64_t b, j, c, i, a;                                                                                    \
        for (b = r0; b < r1; b += BLOCK_ROWS) {                                                                   \
            int64_t nb = r1 - b < BLOCK_ROWS ? r1 - b : BLOCK_ROWS, n4 = nb & ~(int64_t)3;                        \
            for (j = 0; j < cnt; j += 4) {                                                                        \
                const double *q[4];                                                                               \
                int64_t ng = cnt - j < 4 ? cnt - j : 4;                                                           \
                for (a = 0; a < 4; a++) q[a] = Q + b + (j + (a < ng ? a : 0)) * len;                              \
                for (c = 0; c < w; c++) {                                                                         \
                    const double *x = X + b + c * len;                                                            \
                    v4d s0 = {0.0, 0.0, 0.0, 0.0}, s1 = s0, s2 = s0, s3 = s0;                                     \
                    double e[4];                                                                                  \
                    for (i = 0; i < n4; i += 4) {                                                                 \
                        v4d xv = *(const v4d *)(x + i);                                                           \
                        s0 += *(const v4d *)(q[0] + i) * xv;                                                      \
                        s1 += *(const v4d *)(q[1] + i) * xv;                                                      \
                        s2 += *(const v4d *)(q[2] + i) * xv;                                                      \
                        s3 += *(const v4d *)(q[3] + i) * xv;                                                      \
                    }                                                                                             \
                    e[0] = (s0[0] + s0[1]) + (s0[2] + s0[3]);                                                     \
                    e[1] = (s1[0] + s1[1]) + (s1[2] + s1[3]);                                                     \
                    e[2] = (s2[0] + s2[1]) + (s2[2] + s2[3]);                                                     \
                    e[3] = (s3[0] + s3[1]) + (s3[2] + s3[3]);                                                     \
                    for (; i < nb; i++)                                                                           \
                        for (a = 0; a < 4; a++) e[a] += q[a][i] * x[i];                                           \
                    for (a = 0; a < ng; a++) T[j + a + c * cnt] += e[a];                                          \
                }                                                                                                 \
            }                                                                                                     \
        }                                                                                                         \
    }                                                                                                             \
    ATTR static void update_##SUFFIX(const double *Q, int64_t len, int64_t cnt, double *X, int64_t w, int64_t r0, \
                                     int64_t r1, const double *T)                                                 \
    {                                                                                                             \
        int64_t b, j, c, i, a;                                                                                    \
        for (b = r0; b < r1; b += BLOCK_ROWS) {                                                                   \
            int64_t nb = r1 - b < BLOCK_ROWS ? r1 - b : BLOCK_ROWS, n4 = nb & ~(int64_t)3;                        \
            for (j = 0; j < cnt; j += 4) {                                                                        \
                const double *q[4];                                                                               \
                int64_t ng = cnt - j < 4 ? cnt - j : 4;                                                           \
                for (a = 0; a < 4; a++) q[a] = Q + b + (j + (a < ng ? a : 0)) * len;                              \
                for (c = 0; c < w; c++) {                                                                         \
                    double *x = X + b + c * len, t[4];                                                            \
                    v4d t0, t1, t2, t3;                                                                           \
                    for (a = 0; a < 4; a++) t[a] = a < ng ? T[j + a + c * cnt] : 0.0;                             \
                    t0 = (v4d){t[0], t[0], t[0], t[0]};                                                           \
                    t1 = (v4d){t[1], t[1], t[1], t[1]};                                                           \
                    t2 = (v4d){t[2], t[2], t[2], t[2]};                                                           \
                    t3 = (v4d){t[3], t[3], t[3], t[3]};                                                           \
                    for (i = 0; i < n4; i += 4) {                                                                 \
                        v4d xv = *(v4d *)(x + i);                                                                 \
                        xv -= *(const v4d *)(q[0] + i) * t0;                                                      \
                        xv -= *(const v4d *)(q[1] + i) * t1;                                                      \
                        xv -= *(const v4d *)(q[2] + i) * t2;                                                      \
                        xv -= *(const v4d *)(q[3] + i) * t3;                                                      \
                        *(v4d *)(x + i) = xv;                                                                     \
                    }                                                                                             \
                    for (; i < nb; i++)                                                                           \
                        for (a = 0; a < 4; a++) x[i] -= q[a][i] * t[a];                                           \
                }                                                                                                 \
            }                                                                                                     \
        }                                                                                                         \
    }

GS_KERNELS(base, )
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
GS_KERNELS(avx2, __attribute__((target("avx2"))))
#define HAVE_AVX2_CLONE 1
#endif

static int forced = -1; /* lrfa_gs_set_isa */

void lrfa_gs_set_isa(int avx2)
{
    forced = avx2;
}

static int use_avx2(void)
{
#ifdef HAVE_AVX2_CLONE
    static int known = -1;
    if (forced >= 0) return forced && __builtin_cpu_supports("avx2");
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return known;
#else
    return 0;
#endif
}

typedef struct gs_ctx {
    const double *Q;
    double *X;
    int64_t len, cnt, w, blocks;
    double *T;    /* cnt x w */
    double *part; /* one cnt x w partial T per worker */
    int update, avx2;
} gs_ctx;

static void gs_chunk(int64_t b0, int64_t b1, int worker, void *arg)
{
    const gs_ctx *c = arg;
    int64_t r0 = b0 * BLOCK_ROWS, r1 = b1 * BLOCK_ROWS < c->len ? b1 * BLOCK_ROWS : c->len;
    if (!c->update) {
        double *Tw = c->part + (int64_t)worker * c->cnt * c->w;
        memset(Tw, 0, sizeof(double) * (size_t)(c->cnt * c->w));
#ifdef HAVE_AVX2_CLONE
        if (c->avx2) {
            coeffs_avx2(c->Q, c->len, c->cnt, c->X, c->w, r0, r1, Tw);
            return;
        }
#endif
        coeffs_base(c->Q, c->len, c->cnt, c->X, c->w, r0, r1, Tw);
        return;
    }
#ifdef HAVE_AVX2_CLONE
    if (c->avx2) {
        update_avx2(c->Q, c->len, c->cnt, c->X, c->w, r0, r1, c->T);
        return;
    }
#endif
    update_base(c->Q, c->len, c->cnt, c->X, c->w, r0, r1, c->T);
}

void lrfa_gs_pass(const double *Q, int64_t len, int64_t cnt, double *X, int64_t w, double *T, double *part,
                  const lrfa_comm *comm)
{
    gs_ctx c;
    int64_t i;
    int workers, t;
    if (cnt == 0 || w == 0) return;
    c.Q = Q;
    c.X = X;
    c.len = len;
    c.cnt = cnt;
    c.w = w;
    c.T = T;
    c.part = part;
    c.blocks = (len + BLOCK_ROWS - 1) / BLOCK_ROWS;
    c.avx2 = use_avx2();
    c.update = 0;
    /* a thread is worth its start-up for 64 blocks (about 256 KiB of Q a column) */
    workers = lrfa_parallel_range(c.blocks, 64, gs_chunk, &c);
    for (i = 0; i < cnt * w; i++) {
        double v = part[i];
        for (t = 1; t < workers; t++) v += part[(int64_t)t * cnt * w + i];
        T[i] = v;
    }
    lrfa_psum(comm, T, cnt * w); /* the vectors' rows split between processes */
    c.update = 1;
    lrfa_parallel_range(c.blocks, 64, gs_chunk, &c);
}
