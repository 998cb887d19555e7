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

/* ---- sums over the processes sharing Y's rows (comm.c) ---- */
#include "lrfa/comm.h"
/* Whether c spans more than one process. */
int lrfa_comm_shared(const lrfa_comm *c);
/* x <- its sum over the processes (nothing for one). */
void lrfa_psum(const lrfa_comm *c, double *x, int64_t count);
double lrfa_psum1(const lrfa_comm *c, double x);
/* ||x||_2 of a vector split between the processes (this one holds n). */
double lrfa_pnorm(const lrfa_comm *c, const double *x, int64_t n);
/* Rows of the whole Y (local: this process's), and this process's first. */
int64_t lrfa_comm_rows(const lrfa_comm *c, int64_t local);
int64_t lrfa_comm_row0(const lrfa_comm *c);
/* out (N x cols, every process) = the whole of A, whose rows this
 * process holds (rows x cols): for small N only. */
int lrfa_gather_rows(const lrfa_comm *c, const double *A, int64_t rows, int64_t cols, double *out);
/* out (rows x N) = the whole of A, whose columns this process holds
 * (rows x cols, the columns of its rows of Y). */
int lrfa_gather_cols(const lrfa_comm *c, const double *A, int64_t rows, int64_t cols, double *out);
/* The overlap of col(A) (A: this process's rows, n x d, of an N x d
 * matrix) taken as a k-dimensional subspace, with the orthonormal Q (this
 * process's rows): lrfa_span_overlap_k(A, 0, k, Q) of the whole. */
struct lrfa_dense;
double lrfa_span_overlap_rows(const lrfa_comm *c, const struct lrfa_dense *A, int64_t k, const struct lrfa_dense *Q);

/* The overlap of col(A) (len x d, whole or split: the R of the whole's QR,
 * d x d) as a k-dimensional subspace, k <= d, with an orthonormal Q
 * (len x q), given G = A^T Q (d x q, summed over the processes):
 * ||S_k^{-1} V_k^T G||_F^2 / min(k, q) for R = U_R S V_R^T; NaN when s_k
 * <= len eps s_1 or on failure. Q itself is not needed, so it may be one
 * formed only through G (the solver's derived singular vectors). */
double lrfa_overlap_rg(const double *R, int64_t d, const double *G, int64_t q, int64_t k, int64_t len);
/* R (k x k) of the QR of the whole of A (this process's rows, n x k): the
 * stacked R of every process's (lrfa_stacked_r). Returns 0 when out of memory. */
int lrfa_stacked_r_rows(const lrfa_comm *c, const struct lrfa_dense *A, int64_t k, double *R);

/* R (k x k, upper) of the thin QR of A (trans 0, len x k) or A^T (trans
 * 1, A k x len), by blocks of rows, with no copy of A (metrics.c). Returns
 * 0 when out of memory. */
struct lrfa_dense;
int lrfa_stacked_r(const struct lrfa_dense *A, int trans, int64_t k, double *R);

/* ---- one of several readers of a Matrix Market file (mmio_read.c) ----
 * A line belongs to the byte range it starts in. The distributed reader
 * reads the header on every process, counts each range's lines and entries,
 * and parses each range knowing the lines and entries before it, with the
 * serial reader's checks and messages. */
#include <stdio.h>
struct lrfa_mm_header;
typedef struct lrfa_mm_part {
    int64_t n;             /* entries held (with the mirrored copies of a symmetric file) */
    int64_t *i, *j;        /* coordinate: 0-based indices (size n) */
    double *x;             /* values (size n) */
    int64_t *ln;           /* symmetric coordinate: each entry's line, 0 for a mirrored copy */
    int64_t seen;          /* entry lines parsed */
    int64_t upper, lower;  /* symmetric: entries given above / below the diagonal */
    int64_t ignored, ignored_line; /* pattern: lines whose value was ignored, the first */
} lrfa_mm_part;
void lrfa_mm_part_free(lrfa_mm_part *p);
/* The header from fp's start; *offset: the byte where the entries begin.
 * parts: the readers sharing the file (memory checks are of one share). */
lrfa_status lrfa_mm_read_header(FILE *fp, const char *name, int64_t parts, struct lrfa_mm_header *h, int64_t *offset,
                                lrfa_error *err);
/* Lines starting in [b0, b1) (data: the entries' offset), and the entry
 * lines among them. */
lrfa_status lrfa_mm_count_range(FILE *fp, const char *name, int64_t data, int64_t b0, int64_t b1, int64_t *lines,
                                int64_t *entries, lrfa_error *err);
/* Parses the lines starting in [b0, b1); line0: the file's number of the
 * first, entry0: the entries before it. */
lrfa_status lrfa_mm_parse_range(FILE *fp, const char *name, const struct lrfa_mm_header *h, int64_t data, int64_t b0,
                                int64_t b1, long long line0, int64_t entry0, lrfa_mm_part *out, lrfa_error *err);
/* A symmetric file's pairs given in both triangles, among p's entries
 * (which must hold both entries of each of their pairs, with lines). */
lrfa_status lrfa_mm_check_pairs(const char *nm, const struct lrfa_mm_header *h, lrfa_mm_part *p, lrfa_error *err);

/* Whether dgesdd on a dense copy of Y, its workspace and (vectors != 0)
 * the singular vectors fit in memory (spectrum.c). */
struct lrfa_matrix;
int lrfa_spectrum_full_fits(const struct lrfa_matrix *Y, int vectors);

/* One pass of block classical Gram-Schmidt (blockgs.c): T = Q^T X
 * (cnt x w), then X -= Q T, for Q len x cnt and X len x w column-major,
 * reading Q from memory once for each; part holds lrfa_threads() * cnt * w
 * doubles. The bits depend on the thread count only. */
void lrfa_gs_pass(const double *Q, int64_t len, int64_t cnt, double *X, int64_t w, double *T, double *part,
                  const lrfa_comm *comm);
/* Lanczos (lanczos.c) on a Y split by rows: A is this process's block, U
 * its rows of the left vectors; s, V and info the whole's, alike on every
 * process. comm NULL: lrfa_svd_lanczos_with. */
struct lrfa_lanczos_options;
struct lrfa_lanczos_info;
lrfa_status lrfa_svd_lanczos_dist(const struct lrfa_matrix *A, const lrfa_comm *comm, int64_t k,
                                  const struct lrfa_lanczos_options *opt, double *s, struct lrfa_dense *U,
                                  struct lrfa_dense *V, struct lrfa_lanczos_info *info, lrfa_error *err);
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
