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
    const double *Y, *W, *pack; /* pack: W by chunks of 8 rows, zero-padded: chunk c at c * 8 m */
    int64_t n, m, r;
    double *out;
    int isa;
} ywt_ctx;

/* Rows [i0, i1) of out, portably: a ROWS x CHUNK block of accumulators per
 * tile of columns, in the order of the header. */
static void ywt_rows_portable(const ywt_ctx *c, int64_t i0, int64_t i1)
{
    const double *Y = c->Y, *W = c->W;
    int64_t n = c->n, m = c->m, r = c->r, i, j, j0, k0, k, ii;
    double acc[CHUNK][ROWS];
    for (j0 = 0; j0 < m; j0 += TILE) {
        int64_t j1 = j0 + TILE < m ? j0 + TILE : m;
        for (i = i0; i < i1; i += ROWS) {
            int64_t nr = i + ROWS <= i1 ? ROWS : i1 - i;
            for (k0 = 0; k0 < r; k0 += CHUNK) {
                int64_t nk = k0 + CHUNK <= r ? CHUNK : r - k0;
                for (k = 0; k < nk; k++)
                    for (ii = 0; ii < nr; ii++) acc[k][ii] = j0 == 0 ? 0.0 : c->out[i + ii + (k0 + k) * n];
                for (j = j0; j < j1; j++) {
                    const double *y = Y + i + j * n, *w = W + k0 + j * r;
                    for (k = 0; k < nk; k++)
                        for (ii = 0; ii < nr; ii++) acc[k][ii] = fma(y[ii], w[k], acc[k][ii]);
                }
                for (k = 0; k < nk; k++)
                    for (ii = 0; ii < nr; ii++) c->out[i + ii + (k0 + k) * n] = acc[k][ii];
            }
        }
    }
}

#ifdef HAVE_AVX512_CLONE
/* The same blocks with AVX-512: two vectors of 8 rows times 8 columns of out
 * in 16 registers, the rows past i1 masked off. */
__attribute__((target("avx512f"))) static void ywt_rows_avx512(const ywt_ctx *c, int64_t i0, int64_t i1)
{
    const double *Y = c->Y;
    int64_t n = c->n, m = c->m, r = c->r, i, j, j0, k0;
    for (j0 = 0; j0 < m; j0 += TILE) {
        int64_t j1 = j0 + TILE < m ? j0 + TILE : m;
        for (i = i0; i < i1; i += ROWS) {
            int64_t nr = i + ROWS <= i1 ? ROWS : i1 - i;
            __mmask8 m0 = (__mmask8)(nr >= 8 ? 0xff : (1u << nr) - 1u);
            __mmask8 m1 = (__mmask8)(nr >= 16 ? 0xff : nr > 8 ? (1u << (nr - 8)) - 1u : 0u);
            for (k0 = 0; k0 < r; k0 += CHUNK) {
                int64_t nk = k0 + CHUNK <= r ? CHUNK : r - k0, k;
                const double *wp = c->pack + (k0 / CHUNK) * CHUNK * m;
                __m512d a0[CHUNK], a1[CHUNK];
#pragma GCC unroll 8
                for (k = 0; k < CHUNK; k++) {
                    if (j0 == 0 || k >= nk) {
                        a0[k] = _mm512_setzero_pd();
                        a1[k] = _mm512_setzero_pd();
                    } else {
                        a0[k] = _mm512_maskz_loadu_pd(m0, c->out + i + (k0 + k) * n);
                        a1[k] = _mm512_maskz_loadu_pd(m1, c->out + i + 8 + (k0 + k) * n);
                    }
                }
                if (nr == ROWS) {
                    for (j = j0; j < j1; j++) {
                        const double *y = Y + i + j * n, *w = wp + CHUNK * j;
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
                        const double *y = Y + i + j * n, *w = wp + CHUNK * j;
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
                    _mm512_mask_storeu_pd(c->out + i + (k0 + k) * n, m0, a0[k]);
                    _mm512_mask_storeu_pd(c->out + i + 8 + (k0 + k) * n, m1, a1[k]);
                }
            }
        }
    }
}
#endif

/* Strips [s0, s1) of ROWS rows each. */
static void ywt_chunk(int64_t s0, int64_t s1, int worker, void *arg)
{
    const ywt_ctx *c = arg;
    int64_t i0 = s0 * ROWS, i1 = s1 * ROWS < c->n ? s1 * ROWS : c->n;
    (void)worker;
    if (i0 >= i1) return;
#ifdef HAVE_AVX512_CLONE
    if (c->isa == LRFA_ISA_AVX512) {
        ywt_rows_avx512(c, i0, i1);
        return;
    }
#endif
    ywt_rows_portable(c, i0, i1);
}

void lrfa_kern_y_wt(const double *Y, int64_t n, int64_t m, const double *W, int64_t r, double *out)
{
    ywt_ctx c;
    double *pack = NULL;
    int64_t j, k;
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
    c.isa = lrfa_kern_isa();
    if (c.isa == LRFA_ISA_AVX512) {
        int64_t chunks = (r + CHUNK - 1) / CHUNK;
        pack = lrfa_calloc_array(chunks * CHUNK * m, sizeof(double));
        if (!pack) {
            c.isa = LRFA_ISA_PORTABLE; /* the same bits, without the packed copy */
        } else {
            for (j = 0; j < m; j++)
                for (k = 0; k < r; k++) pack[(k / CHUNK) * CHUNK * m + CHUNK * j + k % CHUNK] = W[k + j * r];
        }
    }
    c.pack = pack;
    lrfa_parallel_range((n + ROWS - 1) / ROWS, 8, ywt_chunk, &c);
    lrfa_dealloc(pack);
}
