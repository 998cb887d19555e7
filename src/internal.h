/* internal.h: helpers shared by the library's files (not installed). */
#ifndef LRFA_INTERNAL_H
#define LRFA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "lrfa/status.h"

/* Allocation through the hook of lrfa_set_allocator. lrfa_alloc_array
 * returns NULL when count * size overflows; count 0 returns a valid pointer
 * to a 1-byte block so NULL always means failure. */
void *lrfa_alloc(size_t size);
void *lrfa_alloc_array(int64_t count, size_t size);
void *lrfa_calloc_array(int64_t count, size_t size);
void *lrfa_realloc_array(void *ptr, int64_t count, size_t size);
void lrfa_dealloc(void *ptr);

/* Fills err (when non-NULL) and returns status. */
lrfa_status lrfa_fail(lrfa_error *err, lrfa_status status, long long line,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds a block whose 2-norm is b to a running norm kept as scale * sqrt(ssq)
 * (start with scale = 0, ssq = 1): overflow- and underflow-safe. */
void lrfa_norm_merge(double *scale, double *ssq, double b);

/* A parallel loop: fn(begin, end, worker, ctx) over contiguous chunks of
 * [0, count), at most lrfa_threads() of them and none smaller than
 * min_chunk. Returns the number of workers used. */
typedef void (*lrfa_range_fn)(int64_t begin, int64_t end, int worker, void *ctx);
int lrfa_parallel_range(int64_t count, int64_t min_chunk, lrfa_range_fn fn, void *ctx);
int lrfa_threads(void);

/* Brackets a section whose heavy work runs on the library's own threads:
 * OpenBLAS runs on one thread meanwhile (its idle workers would otherwise
 * spin on the cores). Sections nest and may overlap across threads; the
 * last to end restores OpenBLAS's thread count. */
void lrfa_blas_serial_begin(void);
void lrfa_blas_serial_end(void);

/* Strict, correctly rounded decimal number parsing (mmio_read.c). */
typedef enum { NUM_OK, NUM_SYNTAX, NUM_OVERFLOW, NUM_NONFINITE, NUM_NEGATIVE } num_status;
num_status lrfa_parse_double(const char *s, int integer_only, double *out);

/* *out = w * 10^q correctly rounded, for w > 0, by 128-bit arithmetic
 * (decimal.c). Returns 0, leaving *out alone, when the result is too close
 * to a rounding boundary to decide, subnormal, or out of range: the caller
 * then asks strtod. */
int lrfa_decimal_to_double(uint64_t w, int64_t q, double *out);

/* ||R||_F of an n x m matrix made a block of columns at a time:
 * fill(R, j0, jb, ctx) writes columns j0 .. j0 + jb - 1 into R (n x jb).
 * O(n * block) memory, never n x m; NaN when out of memory. */
typedef void (*lrfa_block_fn)(double *R, int64_t j0, int64_t jb, void *ctx);
double lrfa_blocked_norm(int64_t n, int64_t m, lrfa_block_fn fill, void *ctx);

/* P with Y (and its row copy, spectrum, norm and s_1) multiplied by c, all
 * owned by the new problem; the singular vectors are copied. NULL when out
 * of memory. (problem.c) */
struct lrfa_problem;
struct lrfa_problem *lrfa_problem_scaled(const struct lrfa_problem *P, double c, lrfa_error *err);

/* How many allocations have been refused on the calling thread so far
 * (alloc.c): a routine whose helpers return NaN when out of memory compares
 * it before and after to report LRFA_ENOMEM. */
uint64_t lrfa_alloc_failures(void);

/* FA's predicted limit from a B_eff Y (d x m) the caller has already formed
 * (reference.c), through a rank-revealing basis of row(B_eff Y) whose
 * dimension goes to *rank (when non-NULL); lrfa_fa_prediction forms B Y and
 * calls this. */
struct lrfa_problem;
struct lrfa_dense;
lrfa_status lrfa_fa_prediction_from(const struct lrfa_problem *P, const struct lrfa_dense *BY, double *pred,
                                    int64_t *rank, lrfa_error *err);
/* The same over BY, which it destroys (no copy of it is made); yq: n x
 * min(d, m) doubles of workspace, or NULL to allocate them. */
lrfa_status lrfa_fa_prediction_over(const struct lrfa_problem *P, struct lrfa_dense *BY, double *yq, double *pred,
                                    int64_t *rank, lrfa_error *err);

/* Whether dgesdd on a dense copy of Y, its workspace and (vectors != 0)
 * the singular vectors fit in memory (spectrum.c). */
struct lrfa_matrix;
int lrfa_spectrum_full_fits(const struct lrfa_matrix *Y, int vectors);

/* One pass of block classical Gram-Schmidt (blockgs.c): T = Q^T X
 * (cnt x w), then X -= Q T, for Q len x cnt and X len x w column-major,
 * reading Q from memory once for each; part holds lrfa_threads() * cnt * w
 * doubles. The bits depend on the thread count only. */
void lrfa_gs_pass(const double *Q, int64_t len, int64_t cnt, double *X, int64_t w, double *T, double *part);
/* For the tests: 0 runs the baseline kernels, 1 AVX2 where the processor has
 * it, -1 (the default) chooses by the processor. */
void lrfa_gs_set_isa(int avx2);

/* kernels.c: out (n x r) = Y W^T for a dense column-major Y (n x m) and W
 * (r x m), on lrfa_threads() threads; the same bits on every path, for
 * every thread count and wherever Y lies (see the file). lrfa_kern_isa
 * says which path runs (lrfa_kern_isa_name: "avx512", "avx2", "portable",
 * "off"); lrfa_kern_set_isa forces one (the best the processor has at most)
 * or restores the automatic choice (-1); LRFA_KERNELS=off in the
 * environment makes it LRFA_ISA_NONE (no kernels: every product goes to
 * OpenBLAS, as before them).
 * lrfa_ref_y_wt is the naive reference, with the same fma order. */
enum { LRFA_ISA_NONE = -1, LRFA_ISA_PORTABLE = 0, LRFA_ISA_AVX2 = 1, LRFA_ISA_AVX512 = 2 };
void lrfa_kern_y_wt(const double *Y, int64_t n, int64_t m, const double *W, int64_t r, double *out);
void lrfa_ref_y_wt(const double *Y, int64_t n, int64_t m, const double *W, int64_t r, double *out);
int lrfa_kern_isa(void);
void lrfa_kern_set_isa(int isa);
const char *lrfa_kern_isa_name(int isa);
/* GD's pair in one pass over a dense Y: YWt (n x r) = Y W^T and ZtY (r x m)
 * = Z^T Y, Z n x r, r <= 1024. The columns go in lrfa_kern_fused_chunks(m)
 * chunks (a count fixed by m, not by the threads: so the bits are the same
 * for every thread count, path and alignment of Y), part holding
 * lrfa_kern_fused_work(n, m, r) doubles (the chunks' partial sums and an
 * aligned copy of Z^T). Returns 0 (doing nothing) when r is out of range.
 * lrfa_ref_fused_gd is the naive reference: fma sums in order, so its ZtY
 * has the kernel's bits (its YWt is not summed by chunks). */
int64_t lrfa_kern_fused_chunks(int64_t m);
int64_t lrfa_kern_fused_work(int64_t n, int64_t m, int64_t r);
int lrfa_kern_fused_gd(const double *Y, int64_t n, int64_t m, const double *Z, const double *W, int64_t r,
                       double *YWt, double *ZtY, double *part);
void lrfa_ref_fused_gd(const double *Y, int64_t n, int64_t m, const double *Z, const double *W, int64_t r,
                       double *YWt, double *ZtY);

/* The memory the library plans against, in bytes: the limit set with
 * lrfa_set_memory_limit, else physical memory (0 when unknown). */
uint64_t lrfa_memory_budget(void);

#endif
