/* lrfa/spectrum.h: singular values, numerical rank and the Eckart-Young
 * optimum opt(r) = sqrt(sum_{i>r} s_i^2), the best error of any rank-r
 * approximation in the Frobenius norm. */
#ifndef LRFA_SPECTRUM_H
#define LRFA_SPECTRUM_H

#include <stdint.h>
#include "linalg.h"
#include "matrix.h"
#include "comm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lrfa_spectrum {
    int64_t rows, cols;  /* shape of the matrix it describes */
    int64_t k;           /* singular values held: min(rows, cols) when complete */
    double *s;           /* k singular values, descending (size k) */
    double *opt;         /* opt(r) for r = 0..k (size k + 1); opt[0] = fro */
    double fro;          /* ||Y||_F, computed from the entries */
    double rank_tol;     /* relative tolerance: s_i counts when s_i > rank_tol * s_1 */
    int64_t rank;        /* numerical rank under rank_tol (a lower bound when
                            rank_bound is set) */
    int complete;        /* 1: all min(rows, cols) values are held */
    int rank_bound;      /* 1: every held value counts, so rank >= k is all we know */
    const char *method;  /* how s was computed: "dgesdd" or "lanczos" */
    double error_bound;  /* each s_i is within error_bound * s_1 of the i-th
                            singular value: max(rows, cols) eps for dgesdd; for
                            Lanczos, from the explicit residuals, and only when
                            lanczos.check says the k are the k leading ones */
    lrfa_lanczos_info lanczos; /* how the Lanczos run went (all zero for dgesdd
                            unless a Lanczos run came first: see note) */
    char note[192];      /* empty, or why the values come from another method
                            than the one asked for */
} lrfa_spectrum;

typedef enum lrfa_spectrum_method {
    LRFA_SPECTRUM_AUTO = 0,    /* dgesdd for dense min(rows, cols) <= LRFA_FULL_SVD_MAX,
                                  Lanczos otherwise and for sparse input */
    LRFA_SPECTRUM_FULL = 1,    /* dgesdd on a dense copy: every value */
    LRFA_SPECTRUM_LANCZOS = 2  /* the k leading values only */
} lrfa_spectrum_method;

#define LRFA_FULL_SVD_MAX 2000

/* The default rank tolerance, max(rows, cols) * DBL_EPSILON. */
double lrfa_rank_tol_default(int64_t rows, int64_t cols);

/* All singular values of Y with LAPACK dgesdd (values only; a sparse Y is
 * densified for it). rank_tol < 0 selects the default. Refuses with
 * LRFA_ENOMEM when the dense copy and workspace would not fit in memory. */
lrfa_spectrum *lrfa_spectrum_compute(const lrfa_matrix *Y, double rank_tol,
                                     lrfa_error *err);
void lrfa_spectrum_free(lrfa_spectrum *sp);

/* A spectrum from k given singular values s (descending; copied) of a
 * rows x cols matrix with norm fro. */
lrfa_spectrum *lrfa_spectrum_from_values(int64_t rows, int64_t cols, const double *s, int64_t k,
                                         double fro, double rank_tol, const char *method,
                                         lrfa_error *err);

/* The k leading singular values (all of them for LRFA_SPECTRUM_FULL) and,
 * the kv <= k leading singular vectors into U (rows x kv) and V (cols x
 * kv), either of which may be NULL (only the other side is then formed). For a truncated spectrum opt(r) = sqrt(||Y||_F^2 -
 * sum_{i<=r} s_i^2) for r <= k (accurate to about eps ||Y||_F^2 / opt(r)).
 * When Lanczos does not settle (values too tightly clustered for its
 * product budget) and a dense copy fits in memory with min(rows, cols) <=
 * LRFA_DENSE_FALLBACK_MAX, the values come from dgesdd instead, and note
 * says so; otherwise lanczos.check is LRFA_CHECK_NONE and the values are
 * the best the budget reached. */
lrfa_spectrum *lrfa_spectrum_leading(const lrfa_matrix *Y, int64_t k, lrfa_spectrum_method method, double rank_tol,
                                     lrfa_dense *U, lrfa_dense *V, lrfa_error *err);

/* The same, with the Lanczos options given (NULL: the defaults). */
lrfa_spectrum *lrfa_spectrum_leading_with(const lrfa_matrix *Y, int64_t k, lrfa_spectrum_method method,
                                          double rank_tol, const lrfa_lanczos_options *lopt, lrfa_dense *U,
                                          lrfa_dense *V, lrfa_error *err);

#define LRFA_DENSE_FALLBACK_MAX 8000

/* The same for a Y split by rows between the processes of comm
 * (lrfa/comm.h; NULL: lrfa_spectrum_leading_with): Y and U are this
 * process's rows; the values, V and the rest are the whole's, alike on
 * every process. Every value of a tall Y (m <= rows) by the QR of the
 * stacked R of the blocks and dgesdd on R (method "dgesdd"); Lanczos with
 * its products and inner products summed over the processes otherwise. */
lrfa_spectrum *lrfa_spectrum_leading_dist(const lrfa_matrix *Y, const lrfa_comm *comm, int64_t k,
                                          lrfa_spectrum_method method, double rank_tol,
                                          const lrfa_lanczos_options *lopt, lrfa_dense *U, lrfa_dense *V,
                                          lrfa_error *err);

/* The uncertainty of opt(r) that the spectrum's own accuracy allows (and
 * rounding): an error below opt(r) by more than this means the spectrum is
 * wrong. NaN when opt(r) is not known. */
double lrfa_spectrum_opt_tolerance(const lrfa_spectrum *sp, int64_t r);

/* opt(r) for 0 <= r; r >= k gives 0 for a complete spectrum and NaN (not
 * known) for a truncated one. */
double lrfa_spectrum_opt(const lrfa_spectrum *sp, int64_t r);

/* Numerical rank of descending values s[0..k) under rel_tol. */
int64_t lrfa_rank_count(const double *s, int64_t k, double rel_tol);

#ifdef __cplusplus
}
#endif
#endif
