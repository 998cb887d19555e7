/* kernels.c: hand-written products of a dense Y with a thin factor, for the
 * small r of the iterations.
 *
 *   out (n x r) = Y W^T        Y n x m, W r x m, out n x r, column-major
 *
 * Every out[i, k] is summed the same way on every path: acc = 0, then
 * acc = fma(Y[i, j], W[k, j], acc) for j = 0, 1, ..., m - 1, each output
 * row computed by one thread. So the bits do not depend on the thread count
 * or on which path ran (AVX-512, or the portable fma loop): only on the
 * input. The AVX-512 path keeps a 16 x 8 block of out in registers while it
 * streams a tile of Y's columns, so each element of Y is read from memory
 * once. Internal; the tests compare both paths with lrfa_ref_y_wt. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_AVX512_CLONE 1
#endif

enum { ROWS = 16, CHUNK = 8, TILE = 256 };

static int forced = -1; /* lrfa_kern_set_isa */

void lrfa_kern_set_isa(int isa)
{
    forced = isa;
}

/* The environment's LRFA_KERNELS=off turns the kernels off (lrfa_kern_isa
 * gives LRFA_ISA_NONE, and the products go to OpenBLAS as before them);
 * read once. */
static int env_off(void)
{
    static int off = -1;
    if (off < 0) {
        const char *v = getenv("LRFA_KERNELS");
        off = v && !strcmp(v, "off");
    }
    return off;
}

int lrfa_kern_isa(void)
{
    if (env_off()) return LRFA_ISA_NONE;
#ifdef HAVE_AVX512_CLONE
    {
        static int known = -1;
        if (known < 0) {
            __builtin_cpu_init();
            known = __builtin_cpu_supports("avx512f") ? LRFA_ISA_AVX512 : LRFA_ISA_PORTABLE;
        }
        if (forced >= 0) return forced == LRFA_ISA_AVX512 ? known : LRFA_ISA_PORTABLE;
        return known;
    }
#else
    return LRFA_ISA_PORTABLE;
#endif
}

void lrfa_ref_y_wt(const double *Y, int64_t n, int64_t m, const double *W, int64_t r, double *out)
{
    int64_t i, j, k;
    for (k = 0; k < r; k++)
        for (i = 0; i < n; i++) {
            double acc = 0.0;
            for (j = 0; j < m; j++) acc = fma(Y[i + j * n], W[k + j * r], acc);
            out[i + k * n] = acc;
        }
}

typedef struct ywt_ctx {
    const double *Y, *W;
    const double *Z;            /* fused: n x r */
    int64_t n, m, r;
    double *out;                /* n x r */
    double *ZtY;                /* fused: r x m */
    double *part;               /* fused: (chunks - 1) n x r partial sums of Y W^T */
    int64_t chunk;              /* fused: columns per chunk */
    int isa;
} ywt_ctx;

/* out[i0:i1, :] (+)= Y[i0:i1, ja:jb] W[:, ja:jb]^T portably (first: =): a
 * ROWS x CHUNK block of accumulators per tile of columns, in the order of
 * the header. */
static void ywt_block_portable(const ywt_ctx *c, int64_t i0, int64_t i1, int64_t ja, int64_t jb, double *out,
                               int first)
{
    const double *Y = c->Y, *W = c->W;
    int64_t n = c->n, r = c->r, i, j, j0, k0, k, ii;
    double acc[CHUNK][ROWS];
    for (j0 = ja; j0 < jb; j0 += TILE) {
        int64_t j1 = j0 + TILE < jb ? j0 + TILE : jb;
        for (i = i0; i < i1; i += ROWS) {
            int64_t nr = i + ROWS <= i1 ? ROWS : i1 - i;
            for (k0 = 0; k0 < r; k0 += CHUNK) {
                int64_t nk = k0 + CHUNK <= r ? CHUNK : r - k0;
                for (k = 0; k < nk; k++)
                    for (ii = 0; ii < nr; ii++) acc[k][ii] = first && j0 == ja ? 0.0 : out[i + ii + (k0 + k) * n];
                for (j = j0; j < j1; j++) {
                    const double *y = Y + i + j * n, *w = W + k0 + j * r;
                    for (k = 0; k < nk; k++)
                        for (ii = 0; ii < nr; ii++) acc[k][ii] = fma(y[ii], w[k], acc[k][ii]);
                }
                for (k = 0; k < nk; k++)
                    for (ii = 0; ii < nr; ii++) out[i + ii + (k0 + k) * n] = acc[k][ii];
            }
        }
    }
}

/* q[k] = Z[i0:i1, k] . Y[i0:i1, j] for kfrom <= k < r, portably, in the
 * lanes and the reduction tree of the AVX-512 code: row i goes to lane i % 8
 * (the strip's first 8 rows, then its next 8), rows past i1 count as 0 x 0,
 * then the 8 lanes are added pairwise. */
static void dots_portable_cols(const ywt_ctx *c, int64_t i0, int64_t i1, int64_t j, int64_t kfrom, double *q)
{
    const double *Y = c->Y + j * c->n, *Z = c->Z;
    int64_t n = c->n, r = c->r, i, k, l;
    for (k = kfrom; k < r; k++) {
        double a[8] = {0}, u[4], w[2];
        for (i = i0; i < i1; i += ROWS)
            for (l = 0; l < ROWS; l++) {
                int in = i + l < i1;
                a[l % 8] = fma(in ? Z[i + l + k * n] : 0.0, in ? Y[i + l] : 0.0, a[l % 8]);
            }
        for (l = 0; l < 4; l++) u[l] = a[l] + a[l + 4];
        for (l = 0; l < 2; l++) w[l] = u[l] + u[l + 2];
        q[k] = w[0] + w[1];
    }
}

static void dots_portable(const ywt_ctx *c, int64_t i0, int64_t i1, int64_t j, double *q)
{
    dots_portable_cols(c, i0, i1, j, 0, q);
}

#ifdef HAVE_AVX512_CLONE
/* The same blocks with AVX-512: two vectors of 8 rows times 8 columns of out
 * in 16 registers, the rows past i1 masked off, W's 8 entries of a column
 * broadcast where they lie (a last chunk of fewer than 8 from a zero-padded
 * copy of the tile's entries, on the stack). */
__attribute__((target("avx512f"))) static void ywt_block_avx512(const ywt_ctx *c, int64_t i0, int64_t i1,
                                                                int64_t ja, int64_t jb, double *out, int first)
{
    const double *Y = c->Y;
    int64_t n = c->n, r = c->r, full = r / CHUNK * CHUNK, i, j, j0, k0;
    double tail[TILE * CHUNK];
    for (j0 = ja; j0 < jb; j0 += TILE) {
        int64_t j1 = j0 + TILE < jb ? j0 + TILE : jb;
        if (full < r) {
            int64_t k;
            memset(tail, 0, sizeof tail);
            for (j = j0; j < j1; j++)
                for (k = full; k < r; k++) tail[(j - j0) * CHUNK + k - full] = c->W[k + j * r];
        }
        for (i = i0; i < i1; i += ROWS) {
            int64_t nr = i + ROWS <= i1 ? ROWS : i1 - i;
            __mmask8 m0 = (__mmask8)(nr >= 8 ? 0xff : (1u << nr) - 1u);
            __mmask8 m1 = (__mmask8)(nr >= 16 ? 0xff : nr > 8 ? (1u << (nr - 8)) - 1u : 0u);
            for (k0 = 0; k0 < r; k0 += CHUNK) {
                int64_t nk = k0 + CHUNK <= r ? CHUNK : r - k0, k;
                /* W[k0 + k, j] at wp[k + ws * j] */
                const double *wp = k0 < full ? c->W + k0 : tail - j0 * CHUNK;
                int64_t ws = k0 < full ? r : CHUNK;
                __m512d a0[CHUNK], a1[CHUNK];
#pragma GCC unroll 8
                for (k = 0; k < CHUNK; k++) {
                    if ((first && j0 == ja) || k >= nk) {
                        a0[k] = _mm512_setzero_pd();
                        a1[k] = _mm512_setzero_pd();
                    } else {
                        a0[k] = _mm512_maskz_loadu_pd(m0, out + i + (k0 + k) * n);
                        a1[k] = _mm512_maskz_loadu_pd(m1, out + i + 8 + (k0 + k) * n);
                    }
                }
                if (nr == ROWS) {
                    for (j = j0; j < j1; j++) {
                        const double *y = Y + i + j * n, *w = wp + ws * j;
                        __m512d v0 = _mm512_loadu_pd(y), v1 = _mm512_loadu_pd(y + 8);
                        /* the next strip's rows of this column, wanted once this strip
                         * has crossed the tile: into L2 meanwhile (a prefetch past the
                         * end of Y is harmless) */
                        _mm_prefetch((const char *)(y + ROWS), _MM_HINT_T1);
                        _mm_prefetch((const char *)(y + ROWS + 8), _MM_HINT_T1);
#pragma GCC unroll 8
                        for (k = 0; k < CHUNK; k++) {
                            __m512d b = _mm512_set1_pd(w[k]);
                            a0[k] = _mm512_fmadd_pd(v0, b, a0[k]);
                            a1[k] = _mm512_fmadd_pd(v1, b, a1[k]);
                        }
                    }
                } else {
                    for (j = j0; j < j1; j++) {
                        const double *y = Y + i + j * n, *w = wp + ws * j;
                        __m512d v0 = _mm512_maskz_loadu_pd(m0, y), v1 = _mm512_maskz_loadu_pd(m1, y + 8);
#pragma GCC unroll 8
                        for (k = 0; k < CHUNK; k++) {
                            __m512d b = _mm512_set1_pd(w[k]);
                            a0[k] = _mm512_fmadd_pd(v0, b, a0[k]);
                            a1[k] = _mm512_fmadd_pd(v1, b, a1[k]);
                        }
                    }
                }
#pragma GCC unroll 8
                for (k = 0; k < nk; k++) {
                    _mm512_mask_storeu_pd(out + i + (k0 + k) * n, m0, a0[k]);
                    _mm512_mask_storeu_pd(out + i + 8 + (k0 + k) * n, m1, a1[k]);
                }
            }
        }
    }
}

static inline __attribute__((target("avx512f"))) double hsum8(__m512d t)
{
    __m256d u = _mm256_add_pd(_mm512_castpd512_pd256(t), _mm512_extractf64x4_pd(t, 1));
    __m128d w = _mm_add_pd(_mm256_castpd256_pd128(u), _mm256_extractf128_pd(u, 1));
    return _mm_cvtsd_f64(_mm_add_sd(w, _mm_unpackhi_pd(w, w)));
}

/* q[0:8] = Z[i0:i1, 0:8]^T Y[i0:i1, j] and q2[0:8] the same for column j + 1
 * (y2 = NULL: one column), Z's columns n apart: loops of fixed length, so
 * the 16 accumulators stay in registers, each loaded Z vector serving both
 * columns. */
__attribute__((target("avx512f"))) static void dots8_avx512(const double *y, const double *y2, const double *Z,
                                                            int64_t n, int64_t i0, int64_t i1, double *q, double *q2)
{
    __m512d a[CHUNK], b[CHUNK];
    const double *yb = y2 ? y2 : y;
    int64_t i = i0, k;
#pragma GCC unroll 8
    for (k = 0; k < CHUNK; k++) {
        a[k] = _mm512_setzero_pd();
        b[k] = _mm512_setzero_pd();
    }
    for (; i + ROWS <= i1; i += ROWS) {
        __m512d v0 = _mm512_loadu_pd(y + i), v1 = _mm512_loadu_pd(y + i + 8);
        __m512d u0 = _mm512_loadu_pd(yb + i), u1 = _mm512_loadu_pd(yb + i + 8);
        const double *z = Z + i;
#pragma GCC unroll 8
        for (k = 0; k < CHUNK; k++) {
            __m512d z0 = _mm512_loadu_pd(z + k * n), z1 = _mm512_loadu_pd(z + k * n + 8);
            a[k] = _mm512_fmadd_pd(z1, v1, _mm512_fmadd_pd(z0, v0, a[k]));
            b[k] = _mm512_fmadd_pd(z1, u1, _mm512_fmadd_pd(z0, u0, b[k]));
        }
    }
    if (i < i1) {
        int64_t nr = i1 - i;
        __mmask8 m0 = (__mmask8)(nr >= 8 ? 0xff : (1u << nr) - 1u);
        __mmask8 m1 = (__mmask8)(nr > 8 ? (1u << (nr - 8)) - 1u : 0u);
        __m512d v0 = _mm512_maskz_loadu_pd(m0, y + i), v1 = _mm512_maskz_loadu_pd(m1, y + i + 8);
        __m512d u0 = _mm512_maskz_loadu_pd(m0, yb + i), u1 = _mm512_maskz_loadu_pd(m1, yb + i + 8);
        const double *z = Z + i;
#pragma GCC unroll 8
        for (k = 0; k < CHUNK; k++) {
            __m512d z0 = _mm512_maskz_loadu_pd(m0, z + k * n), z1 = _mm512_maskz_loadu_pd(m1, z + k * n + 8);
            a[k] = _mm512_fmadd_pd(z1, v1, _mm512_fmadd_pd(z0, v0, a[k]));
            b[k] = _mm512_fmadd_pd(z1, u1, _mm512_fmadd_pd(z0, u0, b[k]));
        }
    }
#pragma GCC unroll 8
    for (k = 0; k < CHUNK; k++) {
        q[k] = hsum8(a[k]);
        if (q2) q2[k] = hsum8(b[k]);
    }
}

/* dots_portable with AVX-512: 8 columns of Z at a time (the last, short
 * chunk portably, in the same lanes) */
__attribute__((target("avx512f"))) static void dots_avx512(const ywt_ctx *c, int64_t i0, int64_t i1, int64_t j,
                                                           double *q, double *q2)
{
    int64_t n = c->n, r = c->r, k0 = 0;
    for (; k0 + CHUNK <= r; k0 += CHUNK)
        dots8_avx512(c->Y + j * n, q2 ? c->Y + (j + 1) * n : NULL, c->Z + k0 * n, n, i0, i1, q + k0,
                     q2 ? q2 + k0 : NULL);
    if (k0 < r) {
        dots_portable_cols(c, i0, i1, j, k0, q);
        if (q2) dots_portable_cols(c, i0, i1, j + 1, k0, q2);
    }
}
#endif

static void ywt_block(const ywt_ctx *c, int64_t i0, int64_t i1, int64_t ja, int64_t jb, double *out, int first)
{
#ifdef HAVE_AVX512_CLONE
    if (c->isa == LRFA_ISA_AVX512) {
        ywt_block_avx512(c, i0, i1, ja, jb, out, first);
        return;
    }
#endif
    ywt_block_portable(c, i0, i1, ja, jb, out, first);
}

/* q = Z[i0:i1, :]^T Y[i0:i1, j], and q2 the same for column j + 1 unless NULL */
static void dots(const ywt_ctx *c, int64_t i0, int64_t i1, int64_t j, double *q, double *q2)
{
#ifdef HAVE_AVX512_CLONE
    if (c->isa == LRFA_ISA_AVX512) {
        dots_avx512(c, i0, i1, j, q, q2);
        return;
    }
#endif
    dots_portable(c, i0, i1, j, q);
    if (q2) dots_portable(c, i0, i1, j + 1, q2);
}

/* Strips [s0, s1) of ROWS rows each. */
static void ywt_chunk(int64_t s0, int64_t s1, int worker, void *arg)
{
    const ywt_ctx *c = arg;
    int64_t i0 = s0 * ROWS, i1 = s1 * ROWS < c->n ? s1 * ROWS : c->n;
    (void)worker;
    if (i0 < i1) ywt_block(c, i0, i1, 0, c->m, c->out, 1);
}

void lrfa_kern_y_wt(const double *Y, int64_t n, int64_t m, const double *W, int64_t r, double *out)
{
    ywt_ctx c;
    if (n <= 0 || r <= 0) return;
    if (m <= 0) {
        memset(out, 0, sizeof(double) * (size_t)(n * r));
        return;
    }
    c.Y = Y;
    c.W = W;
    c.n = n;
    c.m = m;
    c.r = r;
    c.out = out;
    c.Z = NULL;
    c.ZtY = c.part = NULL;
    c.chunk = 0;
    c.isa = lrfa_kern_isa();
    lrfa_parallel_range((n + ROWS - 1) / ROWS, 8, ywt_chunk, &c);
}

/* ---- GD's two products in one pass ---- */

enum { BLOCK_ROWS = 256, MAX_CHUNKS = 8 };

int64_t lrfa_kern_fused_chunks(int64_t m)
{
    int64_t c = (m + 511) / 512;
    return c < 1 ? 1 : c > MAX_CHUNKS ? MAX_CHUNKS : c;
}

/* Chunks [c0, c1) of columns: for each block of BLOCK_ROWS rows and each
 * tile of columns (a BLOCK_ROWS x TILE piece of Y, read from memory once and
 * then from cache): the chunk's partial Y W^T over the tile, then Z^T Y over
 * the block for each column, added to ZtY block after block. */
static void fused_chunk(int64_t c0, int64_t c1, int worker, void *arg)
{
    const ywt_ctx *c = arg;
    int64_t n = c->n, m = c->m, r = c->r, ch, b, j0, j;
    double q[2][1024];
    (void)worker;
    for (ch = c0; ch < c1; ch++) {
        int64_t ja = ch * c->chunk, jb = ja + c->chunk < m ? ja + c->chunk : m;
        double *out = ch == 0 ? c->out : c->part + (ch - 1) * n * r;
        for (b = 0; b < n; b += BLOCK_ROWS) {
            int64_t b1 = b + BLOCK_ROWS < n ? b + BLOCK_ROWS : n;
            for (j0 = ja; j0 < jb; j0 += TILE) {
                int64_t j1 = j0 + TILE < jb ? j0 + TILE : jb;
                ywt_block(c, b, b1, j0, j1, out, j0 == ja);
                for (j = j0; j < j1; j += 2) {
                    int64_t k, t, pair = j + 1 < j1;
                    dots(c, b, b1, j, q[0], pair ? q[1] : NULL);
                    for (t = 0; t <= pair; t++) {
                        double *zy = c->ZtY + (j + t) * r;
                        for (k = 0; k < r; k++) zy[k] = b == 0 ? q[t][k] : zy[k] + q[t][k];
                    }
                }
            }
        }
    }
}

typedef struct sum_ctx {
    double *out;
    const double *part;
    int64_t len, parts;
} sum_ctx;

/* out[i] += part_1[i], then part_2[i], ... (the chunks' order) */
static void sum_chunk(int64_t i0, int64_t i1, int worker, void *arg)
{
    const sum_ctx *c = arg;
    int64_t p, i;
    (void)worker;
    for (p = 0; p < c->parts; p++)
        for (i = i0; i < i1; i++) c->out[i] += c->part[p * c->len + i];
}

int lrfa_kern_fused_gd(const double *Y, int64_t n, int64_t m, const double *Z, const double *W, int64_t r,
                       double *YWt, double *ZtY, double *part)
{
    ywt_ctx c;
    sum_ctx sc;
    int64_t chunks = lrfa_kern_fused_chunks(m);
    if (n <= 0 || m <= 0 || r <= 0 || r > 1024) return 0;
    c.Y = Y;
    c.W = W;
    c.Z = Z;
    c.n = n;
    c.m = m;
    c.r = r;
    c.out = YWt;
    c.ZtY = ZtY;
    c.part = part;
    c.chunk = (m + chunks - 1) / chunks;
    c.isa = lrfa_kern_isa();
    chunks = (m + c.chunk - 1) / c.chunk;
    lrfa_parallel_range(chunks, 1, fused_chunk, &c);
    sc.out = YWt;
    sc.part = part;
    sc.len = n * r;
    sc.parts = chunks - 1;
    lrfa_parallel_range(n * r, 4096, sum_chunk, &sc);
    return 1;
}

void lrfa_ref_fused_gd(const double *Y, int64_t n, int64_t m, const double *Z, const double *W, int64_t r,
                       double *YWt, double *ZtY)
{
    int64_t i, j, k;
    for (k = 0; k < r; k++)
        for (i = 0; i < n; i++) {
            double acc = 0.0;
            for (j = 0; j < m; j++) acc += Y[i + j * n] * W[k + j * r];
            YWt[i + k * n] = acc;
        }
    for (j = 0; j < m; j++)
        for (k = 0; k < r; k++) {
            double acc = 0.0;
            for (i = 0; i < n; i++) acc += Z[i + k * n] * Y[i + j * n];
            ZtY[k + j * r] = acc;
        }
}
