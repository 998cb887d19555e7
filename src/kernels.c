/* kernels.c: hand-written products of a dense Y with thin factors, for the
 * small r of the iterations.
 *
 *   out (n x r) = Y W^T        Y n x m, W r x m, column-major
 *   ZtY (r x m) = Z^T Y        Z n x r (GD's pair, with Y W^T in one pass)
 *
 * Every entry is summed the same way on every path: acc = 0, then
 * acc = fma(Y[i, j], W[k, j], acc) for j = 0, 1, ..., m - 1 (out[i, k]), or
 * acc = fma(Z[i, k], Y[i, j], acc) for i = 0, 1, ..., n - 1 (ZtY[k, j]), each
 * entry computed by one thread. So the bits do not depend on the thread
 * count, on which path ran (AVX-512, AVX2 with FMA, or the portable fma
 * loop) or on where
 * Y lies in memory: only on the input. (The fused pass sums out by chunks of
 * columns whose count is fixed by m, then adds the chunks in order.)
 *
 * The AVX-512 path keeps a 16 x 8 block of out in registers while it streams
 * a tile of Y's columns, so each element of Y is read from memory once; its
 * strips start at 64-byte boundaries of Y (the first strip is shorter), so
 * no load straddles two cache lines when n % 8 == 0. For Z^T Y it keeps 8
 * columns times 16 entries of ZtY in registers over a block of rows of Y
 * that the Y W^T pass has just brought into cache, with Z^T (copied, 64-byte
 * aligned) in vectors and Y's entries broadcast. Internal; the tests compare
 * every path, thread count and alignment with lrfa_ref_y_wt and
 * lrfa_ref_fused_gd. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_X86_PATHS 1
#endif

/* Y W^T: strips of ROWS = 8 YV rows; blocks of out and of ZtY CHUNK wide;
 * tiles of at most TILE columns (see tile_cols) */
enum { YV = 2, ROWS = 8 * YV, CHUNK = 8, TILE = 256 };

/* The columns of a tile of Y: 256 at r <= 16, 64 above. Measured on a dense
 * 4000 x 4000 Y in memory on 2 threads, Y W^T took 3.1 ms at r = 16 with
 * either; at r = 64 it took 12.7 ms with 256 and 9.7 with 64, at r = 128
 * 24.2 and 19.2. (Within the caches 256 is faster at every r.) */
static int64_t tile_cols(int64_t r)
{
    return r <= 16 ? 256 : 64;
}

static int forced = -1; /* lrfa_kern_set_isa */

void lrfa_kern_set_isa(int isa)
{
    forced = isa;
}

/* The environment's LRFA_KERNELS: "off" turns the kernels off (lrfa_kern_isa
 * gives LRFA_ISA_NONE, and the products go to OpenBLAS as before them);
 * "portable", "avx2" or "avx512" asks for that path (where the processor
 * has it); anything else, or nothing, leaves the choice to the processor
 * (-1). Read once. */
static int env_choice(void)
{
    static int read = 0, choice;
    if (!read) {
        const char *v = getenv("LRFA_KERNELS");
        read = 1;
        choice = !v                     ? -1
                 : !strcmp(v, "off")      ? LRFA_ISA_NONE - 1
                 : !strcmp(v, "portable") ? LRFA_ISA_PORTABLE
                 : !strcmp(v, "avx2")     ? LRFA_ISA_AVX2
                 : !strcmp(v, "avx512")   ? LRFA_ISA_AVX512
                                          : -1;
    }
    return choice;
}

/* The processor's best path, found once */
static int best_isa(void)
{
#ifdef HAVE_X86_PATHS
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx512f")                                    ? LRFA_ISA_AVX512
                : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? LRFA_ISA_AVX2
                                                                                   : LRFA_ISA_PORTABLE;
    }
    return known;
#else
    return LRFA_ISA_PORTABLE;
#endif
}

int lrfa_kern_isa(void)
{
    int best, want = forced >= 0 ? forced : env_choice();
    if (env_choice() < LRFA_ISA_NONE) return LRFA_ISA_NONE;
    best = best_isa();
    /* a path asked for, where the processor has it (every x86 processor
     * with AVX-512 has AVX2 and FMA) */
    return want >= 0 && want < best ? want : best;
}

const char *lrfa_kern_isa_name(int isa)
{
    return isa == LRFA_ISA_AVX512 ? "avx512"
           : isa == LRFA_ISA_AVX2 ? "avx2"
           : isa == LRFA_ISA_PORTABLE ? "portable"
                                      : "off";
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
    const double *Zt;           /* fused: Z^T in panels (see zty_group), 64-byte aligned */
    int64_t ldk;                /* fused: r rounded up to 8 */
    int64_t n, m, r;
    double *out;                /* n x r */
    double *ZtY;                /* fused: r x m */
    double *part;               /* fused: (chunks - 1) n x r partial sums of Y W^T */
    int64_t chunk;              /* fused: columns per chunk */
    int64_t shift;              /* Y W^T: ROWS less the first strip's rows */
    int64_t tile;               /* columns of a tile, tile_cols(r) */
    int isa;
} ywt_ctx;

/* The doubles from p to the next 64-byte boundary (0 to 7) */
static int64_t to_line(const double *p)
{
    return (int64_t)((8 - (((uintptr_t)p >> 3) & 7)) & 7);
}

/* The rows of the strip that starts at row i of [i0, i1): ROWS, except that
 * the first strip ends where Y's column ja reaches a 64-byte boundary (so the
 * loads of the others do not straddle cache lines; every column when n % 8
 * == 0), and the last ends at i1. The order of each out[i, k]'s sum does not
 * depend on the strips. */
static int64_t strip_rows(const ywt_ctx *c, int64_t i0, int64_t i1, int64_t ja, int64_t i)
{
    int64_t end = i + ROWS;
    if (i == i0) {
        int64_t head = to_line(c->Y + i0 + ja * c->n);
        if (head > 0) end = i0 + head;
    }
    return (end < i1 ? end : i1) - i;
}

/* out[i0:i1, :] (+)= Y[i0:i1, ja:jb] W[:, ja:jb]^T portably (first: =): a
 * ROWS x CHUNK block of accumulators per tile of columns, in the order of
 * the header. */
static void ywt_block_portable(const ywt_ctx *c, int64_t i0, int64_t i1, int64_t ja, int64_t jb, double *out,
                               int first)
{
    const double *Y = c->Y, *W = c->W;
    int64_t n = c->n, r = c->r, i, j, j0, k0, k, ii, nr;
    double acc[CHUNK][ROWS];
    for (j0 = ja; j0 < jb; j0 += c->tile) {
        int64_t j1 = j0 + c->tile < jb ? j0 + c->tile : jb;
        for (i = i0; i < i1; i += nr) {
            nr = strip_rows(c, i0, i1, ja, i);
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

/* ZtY[:, j0:j1] (+)= Z[i0:i1, :]^T Y[i0:i1, j0:j1] portably (first: =):
 * each entry's sum goes on from where the previous block left it, so over
 * the blocks it is acc = 0, then acc = fma(Z[i, k], Y[i, j], acc) for
 * i = 0, 1, ..., n - 1. */
static void zty_block_portable(const ywt_ctx *c, int64_t i0, int64_t i1, int64_t j0, int64_t j1, int first)
{
    const double *Y = c->Y, *Z = c->Z;
    int64_t n = c->n, r = c->r, i, j, k;
    for (j = j0; j < j1; j++)
        for (k = 0; k < r; k++) {
            double acc = first ? 0.0 : c->ZtY[k + j * r];
            for (i = i0; i < i1; i++) acc = fma(Z[i + k * n], Y[i + j * n], acc);
            c->ZtY[k + j * r] = acc;
        }
}

#ifdef HAVE_X86_PATHS
/* The same blocks with AVX-512: YV vectors of 8 rows times 8 columns of out
 * in 8 YV registers, the rows past i1 masked off, W's 8 entries of a column
 * broadcast where they lie (a last chunk of fewer than 8 from a zero-padded
 * copy of the tile's entries, on the stack). */
__attribute__((target("avx512f"))) static void ywt_block_avx512(const ywt_ctx *c, int64_t i0, int64_t i1,
                                                                int64_t ja, int64_t jb, double *out, int first)
{
    const double *Y = c->Y;
    int64_t n = c->n, r = c->r, full = r / CHUNK * CHUNK, i, j, j0, k0, nr, v;
    double tail[TILE * CHUNK];
    for (j0 = ja; j0 < jb; j0 += c->tile) {
        int64_t j1 = j0 + c->tile < jb ? j0 + c->tile : jb;
        if (full < r) {
            int64_t k;
            memset(tail, 0, sizeof tail);
            for (j = j0; j < j1; j++)
                for (k = full; k < r; k++) tail[(j - j0) * CHUNK + k - full] = c->W[k + j * r];
        }
        for (i = i0; i < i1; i += nr) {
            __mmask8 mk[YV];
            nr = strip_rows(c, i0, i1, ja, i);
            for (v = 0; v < YV; v++) {
                int64_t in = nr - 8 * v;
                mk[v] = (__mmask8)(in >= 8 ? 0xff : in > 0 ? (1u << in) - 1u : 0u);
            }
            for (k0 = 0; k0 < r; k0 += CHUNK) {
                int64_t nk = k0 + CHUNK <= r ? CHUNK : r - k0, k;
                /* W[k0 + k, j] at wp[k + ws * j] */
                const double *wp = k0 < full ? c->W + k0 : tail - j0 * CHUNK;
                int64_t ws = k0 < full ? r : CHUNK;
                __m512d a[YV][CHUNK];
#pragma GCC unroll 8
                for (k = 0; k < CHUNK; k++)
#pragma GCC unroll 4
                    for (v = 0; v < YV; v++)
                        a[v][k] = (first && j0 == ja) || k >= nk
                                      ? _mm512_setzero_pd()
                                      : _mm512_maskz_loadu_pd(mk[v], out + i + 8 * v + (k0 + k) * n);
                if (nr == ROWS) {
                    for (j = j0; j < j1; j++) {
                        const double *y = Y + i + j * n, *w = wp + ws * j;
                        __m512d y8[YV];
#pragma GCC unroll 4
                        for (v = 0; v < YV; v++) {
                            y8[v] = _mm512_loadu_pd(y + 8 * v);
                            /* the next strip's rows of this column, wanted once this
                             * strip has crossed the tile: into L2 meanwhile (a prefetch
                             * past the end of Y is harmless) */
                            _mm_prefetch((const char *)(y + ROWS + 8 * v), _MM_HINT_T1);
                        }
#pragma GCC unroll 8
                        for (k = 0; k < CHUNK; k++) {
                            __m512d b = _mm512_set1_pd(w[k]);
#pragma GCC unroll 4
                            for (v = 0; v < YV; v++) a[v][k] = _mm512_fmadd_pd(y8[v], b, a[v][k]);
                        }
                    }
                } else {
                    for (j = j0; j < j1; j++) {
                        const double *y = Y + i + j * n, *w = wp + ws * j;
                        __m512d y8[YV];
#pragma GCC unroll 4
                        for (v = 0; v < YV; v++) y8[v] = _mm512_maskz_loadu_pd(mk[v], y + 8 * v);
#pragma GCC unroll 8
                        for (k = 0; k < CHUNK; k++) {
                            __m512d b = _mm512_set1_pd(w[k]);
#pragma GCC unroll 4
                            for (v = 0; v < YV; v++) a[v][k] = _mm512_fmadd_pd(y8[v], b, a[v][k]);
                        }
                    }
                }
#pragma GCC unroll 8
                for (k = 0; k < nk; k++)
#pragma GCC unroll 4
                    for (v = 0; v < YV; v++) _mm512_mask_storeu_pd(out + i + 8 * v + (k0 + k) * n, mk[v], a[v][k]);
            }
        }
    }
}

/* zty_block_portable with AVX-512, on Z^T in panels of 16 of its rows
 * (c->Zt: Z[i, k0:k0 + 16] at Zt + k0 n + 16 i, the last panel 8 wide if
 * r rounded up to 8 leaves 8, 64-byte aligned, zeros past r; so a block's
 * rows of a panel lie together in cache): kv vectors of 8 k times 8 columns of
 * ZtY in registers while the rows of the block go by, each entry of Y
 * broadcast (so Y's alignment does not matter). A last group of fewer than 8
 * columns repeats its last column and stores only its own. */
static inline __attribute__((target("avx512f"), always_inline)) void zty_group(const ywt_ctx *c, int64_t i0,
                                                                             int64_t i1, int64_t j, int64_t nc,
                                                                             int64_t k0, int kv, int first)
{
    /* rows of 8 kv entries */
    const double *Zt = c->Zt + k0 * c->n, *y[CHUNK];
    int64_t ldk = 8 * kv, r = c->r, i, t, v;
    double *zy = c->ZtY + k0 + j * r;
    __m512d acc[2][CHUNK];
    __mmask8 mk[2];
    for (v = 0; v < 2; v++) {
        int64_t in = r - k0 - 8 * v;
        mk[v] = (__mmask8)(in >= 8 ? 0xff : in > 0 ? (1u << in) - 1u : 0u);
    }
#pragma GCC unroll 8
    for (t = 0; t < CHUNK; t++) {
        y[t] = c->Y + (j + (t < nc ? t : nc - 1)) * c->n;
#pragma GCC unroll 2
        for (v = 0; v < kv; v++)
            acc[v][t] = first ? _mm512_setzero_pd() : _mm512_maskz_loadu_pd(t < nc ? mk[v] : 0, zy + 8 * v + t * r);
    }
    for (i = i0; i < i1; i++) {
        __m512d z[2];
#pragma GCC unroll 2
        for (v = 0; v < kv; v++) z[v] = _mm512_load_pd(Zt + i * ldk + 8 * v);
#pragma GCC unroll 8
        for (t = 0; t < CHUNK; t++) {
            __m512d b = _mm512_set1_pd(y[t][i]);
#pragma GCC unroll 2
            for (v = 0; v < kv; v++) acc[v][t] = _mm512_fmadd_pd(z[v], b, acc[v][t]);
        }
    }
#pragma GCC unroll 8
    for (t = 0; t < CHUNK; t++)
#pragma GCC unroll 2
        for (v = 0; v < kv; v++) _mm512_mask_storeu_pd(zy + 8 * v + t * r, t < nc ? mk[v] : 0, acc[v][t]);
}

/* Panel by panel, so that a panel's rows stay in L1 while the groups of
 * columns go by. */
__attribute__((target("avx512f"))) static void zty_block_avx512(const ywt_ctx *c, int64_t i0, int64_t i1,
                                                                int64_t j0, int64_t j1, int first)
{
    int64_t j, k0;
    for (k0 = 0; k0 < c->ldk; k0 += 16)
        for (j = j0; j < j1; j += CHUNK) {
            int64_t nc = j + CHUNK <= j1 ? CHUNK : j1 - j;
            if (c->ldk - k0 >= 16) zty_group(c, i0, i1, j, nc, k0, 2, first);
            else zty_group(c, i0, i1, j, nc, k0, 1, first);
        }
}
#endif

#ifdef HAVE_X86_PATHS
/* With AVX2 and FMA (for processors without AVX-512): the same sums as the
 * portable path, 4 lanes at a time. Y W^T: each strip as two halves of 8
 * rows, 2 vectors times 4 columns of out in 8 registers; Z^T Y: 8 entries
 * of a panel's row (2 vectors) times 4 columns of ZtY. Partial vectors by
 * masked loads and stores. */
static inline __attribute__((target("avx2,fma"))) __m256i mask4(int64_t in)
{
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(in), _mm256_set_epi64x(3, 2, 1, 0));
}

__attribute__((target("avx2,fma"))) static void ywt_block_avx2(const ywt_ctx *c, int64_t i0, int64_t i1, int64_t ja,
                                                              int64_t jb, double *out, int first)
{
    const double *Y = c->Y, *W = c->W;
    int64_t n = c->n, r = c->r, i, j, j0, k0, nr, h, k;
    for (j0 = ja; j0 < jb; j0 += c->tile) {
        int64_t j1 = j0 + c->tile < jb ? j0 + c->tile : jb;
        for (i = i0; i < i1; i += nr) {
            nr = strip_rows(c, i0, i1, ja, i);
            for (h = 0; h < nr; h += 8) {
                const double *yh = Y + i + h;
                double *oh = out + i + h;
                __m256i m0 = mask4(nr - h), m1 = mask4(nr - h - 4);
                for (k0 = 0; k0 < r; k0 += 4) {
                    int64_t nk = k0 + 4 <= r ? 4 : r - k0;
                    __m256d a0[4], a1[4];
#pragma GCC unroll 4
                    for (k = 0; k < 4; k++) {
                        int live = k < nk && !(first && j0 == ja);
                        a0[k] = live ? _mm256_maskload_pd(oh + (k0 + k) * n, m0) : _mm256_setzero_pd();
                        a1[k] = live ? _mm256_maskload_pd(oh + 4 + (k0 + k) * n, m1) : _mm256_setzero_pd();
                    }
                    if (nk == 4) {
                        for (j = j0; j < j1; j++) {
                            const double *y = yh + j * n, *w = W + k0 + j * r;
                            __m256d v0 = _mm256_maskload_pd(y, m0), v1 = _mm256_maskload_pd(y + 4, m1);
#pragma GCC unroll 4
                            for (k = 0; k < 4; k++) {
                                __m256d b = _mm256_broadcast_sd(w + k);
                                a0[k] = _mm256_fmadd_pd(v0, b, a0[k]);
                                a1[k] = _mm256_fmadd_pd(v1, b, a1[k]);
                            }
                        }
                    } else {
                        for (j = j0; j < j1; j++) {
                            const double *y = yh + j * n, *w = W + k0 + j * r;
                            __m256d v0 = _mm256_maskload_pd(y, m0), v1 = _mm256_maskload_pd(y + 4, m1);
#pragma GCC unroll 4
                            for (k = 0; k < 4; k++) {
                                __m256d b = _mm256_set1_pd(k < nk ? w[k] : 0.0);
                                a0[k] = _mm256_fmadd_pd(v0, b, a0[k]);
                                a1[k] = _mm256_fmadd_pd(v1, b, a1[k]);
                            }
                        }
                    }
#pragma GCC unroll 4
                    for (k = 0; k < 4; k++)
                        if (k < nk) {
                            _mm256_maskstore_pd(oh + (k0 + k) * n, m0, a0[k]);
                            _mm256_maskstore_pd(oh + 4 + (k0 + k) * n, m1, a1[k]);
                        }
                }
            }
        }
    }
}

/* ZtY[k0 + 8 q .. + 8, j .. j + nc] over rows [i0, i1), q the panel's half;
 * nc <= 4 columns, the last repeated */
__attribute__((target("avx2,fma"))) static void zty_block_avx2(const ywt_ctx *c, int64_t i0, int64_t i1, int64_t j0,
                                                              int64_t j1, int first)
{
    int64_t n = c->n, r = c->r, j, k0, h, i, t;
    for (k0 = 0; k0 < c->ldk; k0 += 16) {
        int64_t w = c->ldk - k0 >= 16 ? 16 : 8;
        const double *panel = c->Zt + k0 * n;
        for (h = 0; h < w; h += 8) {
            __m256i m0 = mask4(r - k0 - h), m1 = mask4(r - k0 - h - 4);
            for (j = j0; j < j1; j += 4) {
                int64_t nc = j + 4 <= j1 ? 4 : j1 - j;
                const double *y[4];
                double *zy = c->ZtY + k0 + h + j * r;
                __m256d a0[4], a1[4];
#pragma GCC unroll 4
                for (t = 0; t < 4; t++) {
                    y[t] = c->Y + (j + (t < nc ? t : nc - 1)) * n;
                    a0[t] = first || t >= nc ? _mm256_setzero_pd() : _mm256_maskload_pd(zy + t * r, m0);
                    a1[t] = first || t >= nc ? _mm256_setzero_pd() : _mm256_maskload_pd(zy + 4 + t * r, m1);
                }
                for (i = i0; i < i1; i++) {
                    __m256d z0 = _mm256_load_pd(panel + i * w + h), z1 = _mm256_load_pd(panel + i * w + h + 4);
#pragma GCC unroll 4
                    for (t = 0; t < 4; t++) {
                        __m256d b = _mm256_broadcast_sd(y[t] + i);
                        a0[t] = _mm256_fmadd_pd(z0, b, a0[t]);
                        a1[t] = _mm256_fmadd_pd(z1, b, a1[t]);
                    }
                }
#pragma GCC unroll 4
                for (t = 0; t < 4; t++)
                    if (t < nc) {
                        _mm256_maskstore_pd(zy + t * r, m0, a0[t]);
                        _mm256_maskstore_pd(zy + 4 + t * r, m1, a1[t]);
                    }
            }
        }
    }
}
#endif

static void ywt_block(const ywt_ctx *c, int64_t i0, int64_t i1, int64_t ja, int64_t jb, double *out, int first)
{
#ifdef HAVE_X86_PATHS
    if (c->isa == LRFA_ISA_AVX512) {
        ywt_block_avx512(c, i0, i1, ja, jb, out, first);
        return;
    }
    if (c->isa == LRFA_ISA_AVX2) {
        ywt_block_avx2(c, i0, i1, ja, jb, out, first);
        return;
    }
#endif
    ywt_block_portable(c, i0, i1, ja, jb, out, first);
}

static void zty_block(const ywt_ctx *c, int64_t i0, int64_t i1, int64_t j0, int64_t j1, int first)
{
#ifdef HAVE_X86_PATHS
    if (c->isa == LRFA_ISA_AVX512) {
        zty_block_avx512(c, i0, i1, j0, j1, first);
        return;
    }
    if (c->isa == LRFA_ISA_AVX2) {
        zty_block_avx2(c, i0, i1, j0, j1, first);
        return;
    }
#endif
    zty_block_portable(c, i0, i1, j0, j1, first);
}

/* The first row of strip s: strips of ROWS rows, shifted back by c->shift
 * rows so that the second starts at a 64-byte boundary of Y. */
static int64_t strip_start(const ywt_ctx *c, int64_t s)
{
    int64_t i = s * ROWS - c->shift;
    return s == 0 ? 0 : i < c->n ? i : c->n;
}

/* Strips [s0, s1). */
static void ywt_chunk(int64_t s0, int64_t s1, int worker, void *arg)
{
    const ywt_ctx *c = arg;
    int64_t i0 = strip_start(c, s0), i1 = strip_start(c, s1);
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
    c.Z = c.Zt = NULL;
    c.ldk = 0;
    c.ZtY = c.part = NULL;
    c.chunk = 0;
    c.isa = lrfa_kern_isa();
    c.tile = tile_cols(r);
    c.shift = (ROWS - to_line(Y)) % ROWS;
    lrfa_parallel_range((n + c.shift + ROWS - 1) / ROWS, 8, ywt_chunk, &c);
}

/* ---- GD's two products in one pass ---- */

enum { BLOCK_ROWS = 256, MAX_CHUNKS = 8 };

int64_t lrfa_kern_fused_chunks(int64_t m)
{
    int64_t c = (m + 511) / 512;
    return c < 1 ? 1 : c > MAX_CHUNKS ? MAX_CHUNKS : c;
}

/* Chunks [c0, c1) of columns: for each block of BLOCK_ROWS rows and each
 * tile of columns (a BLOCK_ROWS x tile piece of Y, read from memory once and
 * then from cache): the chunk's partial Y W^T over the tile, then Z^T Y over
 * the block, its sums going on from the previous block's. */
static void fused_chunk(int64_t c0, int64_t c1, int worker, void *arg)
{
    const ywt_ctx *c = arg;
    int64_t n = c->n, m = c->m, r = c->r, ch, b, j0;
    (void)worker;
    for (ch = c0; ch < c1; ch++) {
        int64_t ja = ch * c->chunk, jb = ja + c->chunk < m ? ja + c->chunk : m;
        double *out = ch == 0 ? c->out : c->part + (ch - 1) * n * r;
        for (b = 0; b < n; b += BLOCK_ROWS) {
            int64_t b1 = b + BLOCK_ROWS < n ? b + BLOCK_ROWS : n;
            for (j0 = ja; j0 < jb; j0 += c->tile) {
                int64_t j1 = j0 + c->tile < jb ? j0 + c->tile : jb;
                ywt_block(c, b, b1, j0, j1, out, j0 == ja);
                zty_block(c, b, b1, j0, j1, b == 0);
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

int64_t lrfa_kern_fused_work(int64_t n, int64_t m, int64_t r)
{
    return (lrfa_kern_fused_chunks(m) - 1) * n * r + n * ((r + 7) & ~(int64_t)7) + 8;
}

typedef struct zt_ctx {
    const double *Z;
    double *Zt;
    int64_t n, r, ldk;
} zt_ctx;

/* Rows [i0, i1) of Z into the panels of zty_group, zeros past r */
static void transpose_rows(int64_t i0, int64_t i1, int worker, void *arg)
{
    const zt_ctx *c = arg;
    int64_t i, k, k0;
    (void)worker;
    for (k0 = 0; k0 < c->ldk; k0 += 16) {
        int64_t w = c->ldk - k0 >= 16 ? 16 : 8;
        double *panel = c->Zt + k0 * c->n;
        for (i = i0; i < i1; i++)
            for (k = 0; k < w; k++) panel[k + i * w] = k0 + k < c->r ? c->Z[i + (k0 + k) * c->n] : 0.0;
    }
}

int lrfa_kern_fused_gd(const double *Y, int64_t n, int64_t m, const double *Z, const double *W, int64_t r,
                       double *YWt, double *ZtY, double *part)
{
    ywt_ctx c;
    sum_ctx sc;
    zt_ctx tc;
    int64_t chunks = lrfa_kern_fused_chunks(m);
    if (n <= 0 || m <= 0 || r <= 0 || r > 1024) return 0;
    /* Z^T's panels after the partial sums, at 64 bytes */
    tc.Z = Z;
    tc.n = n;
    tc.r = r;
    tc.ldk = (r + 7) & ~(int64_t)7;
    tc.Zt = part + (chunks - 1) * n * r;
    tc.Zt += to_line(tc.Zt);
    lrfa_parallel_range(n, 1024, transpose_rows, &tc);
    c.Zt = tc.Zt;
    c.ldk = tc.ldk;
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
    c.shift = 0;
    c.tile = tile_cols(r);
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
    lrfa_ref_y_wt(Y, n, m, W, r, YWt);
    for (j = 0; j < m; j++)
        for (k = 0; k < r; k++) {
            double acc = 0.0;
            for (i = 0; i < n; i++) acc = fma(Z[i + k * n], Y[i + j * n], acc);
            ZtY[k + j * r] = acc;
        }
}
