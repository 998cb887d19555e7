/* spectrum.c: singular values, numerical rank and opt(r). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "lrfa/linalg.h"
#include "lrfa/spectrum.h"
#include "internal.h"

double lrfa_rank_tol_default(int64_t rows, int64_t cols)
{
    return (double)(rows > cols ? rows : cols) * DBL_EPSILON;
}

int64_t lrfa_rank_count(const double *s, int64_t k, double rel_tol)
{
    int64_t r = 0;
    if (k == 0 || !(s[0] > 0.0)) return 0;
    while (r < k && s[r] > rel_tol * s[0]) r++;
    return r;
}

void lrfa_spectrum_free(lrfa_spectrum *sp)
{
    if (!sp) return;
    lrfa_dealloc(sp->s);
    lrfa_dealloc(sp->opt);
    lrfa_dealloc(sp);
}

/* opt(r)^2 = sum_{i>r} s_i^2, summed from the smallest value up (the
 * accurate order) in units of s_1 so it cannot overflow. */
static void fill_opt(lrfa_spectrum *sp)
{
    int64_t k = sp->k, r;
    double s1 = k ? sp->s[0] : 0.0, acc = 0.0;
    sp->opt[k] = 0.0;
    for (r = k - 1; r >= 1; r--) {
        if (s1 == 0.0) {
            sp->opt[r] = 0.0;
            continue;
        }
        double t = sp->s[r] / s1;
        acc += t * t;
        sp->opt[r] = s1 * sqrt(acc);
    }
    sp->opt[0] = sp->fro;
}

double lrfa_spectrum_opt(const lrfa_spectrum *sp, int64_t r)
{
    if (r < 0) r = 0;
    if (r <= sp->k && !sp->complete) return sp->opt[r];
    if (r >= sp->k) return sp->complete ? 0.0 : NAN;
    return sp->opt[r];
}

/* opt(r)^2 = ||Y||_F^2 - sum_{i<=r} s_i^2, in units of ||Y||_F. */
static void fill_opt_truncated(lrfa_spectrum *sp)
{
    int64_t r;
    double acc = 0.0, f = sp->fro;
    sp->opt[0] = f;
    for (r = 1; r <= sp->k; r++) {
        double t = f > 0 ? sp->s[r - 1] / f : 0.0;
        acc += t * t;
        sp->opt[r] = f * sqrt(fmax(1.0 - acc, 0.0));
    }
}

int lrfa_spectrum_full_fits(const lrfa_matrix *Y, int vectors)
{
    int64_t kmax = Y->rows < Y->cols ? Y->rows : Y->cols, big = Y->rows > Y->cols ? Y->rows : Y->cols;
    return lrfa_fits_in_memory(Y->rows, Y->cols, 0) && lrfa_fits_in_memory(kmax, 4 * kmax + 8, 0) &&
           lrfa_fits_in_memory(big, 7 + (vectors ? kmax : 0), 0);
}

/* Every singular value by dgesdd on a dense copy (and the leading U->cols
 * vectors when U and V are given). */
static lrfa_spectrum *spectrum_full(const lrfa_matrix *Y, double rank_tol, lrfa_dense *U, lrfa_dense *V,
                                    lrfa_error *err)
{
    int64_t kmax = Y->rows < Y->cols ? Y->rows : Y->cols;
    lrfa_spectrum *sp;
    lrfa_dense *A;
    double fro = lrfa_matrix_fro_norm(Y), *s;
    if (!lrfa_spectrum_full_fits(Y, U != NULL)) {
        lrfa_fail(err, LRFA_ENOMEM, 0, "the full SVD of a %lld x %lld matrix needs more memory than this machine has",
                  (long long)Y->rows, (long long)Y->cols);
        return NULL;
    }
    s = lrfa_calloc_array(kmax, sizeof(double));
    A = lrfa_matrix_to_dense(Y, err);
    if (!s || !A) {
        lrfa_dealloc(s);
        lrfa_dense_free(A);
        lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the SVD");
        return NULL;
    }
    if (kmax > 0 && lrfa_svd(A, s, U, V, err) != LRFA_OK) {
        lrfa_dealloc(s);
        lrfa_dense_free(A);
        return NULL;
    }
    lrfa_dense_free(A);
    sp = lrfa_spectrum_from_values(Y->rows, Y->cols, s, kmax, fro, rank_tol, "dgesdd", err);
    lrfa_dealloc(s);
    return sp;
}

lrfa_spectrum *lrfa_spectrum_compute(const lrfa_matrix *Y, double rank_tol, lrfa_error *err)
{
    return spectrum_full(Y, rank_tol, NULL, NULL, err);
}

lrfa_spectrum *lrfa_spectrum_leading(const lrfa_matrix *Y, int64_t k, lrfa_spectrum_method method, double rank_tol,
                                     lrfa_dense *U, lrfa_dense *V, lrfa_error *err)
{
    return lrfa_spectrum_leading_with(Y, k, method, rank_tol, NULL, U, V, err);
}

lrfa_spectrum *lrfa_spectrum_leading_with(const lrfa_matrix *Y, int64_t k, lrfa_spectrum_method method,
                                          double rank_tol, const lrfa_lanczos_options *lopt, lrfa_dense *U,
                                          lrfa_dense *V, lrfa_error *err)
{
    int64_t kmax = Y->rows < Y->cols ? Y->rows : Y->cols;
    lrfa_spectrum *sp;
    double *s;
    lrfa_lanczos_info info;
    lrfa_lanczos_options o;
    int fallback;
    if (k > kmax) k = kmax;
    if (k < 1) k = kmax < 1 ? 0 : 1;
    /* auto: dgesdd for a small dense matrix, and for every value of one
     * whose dense copy fits (a Krylov space of all of them costs more) */
    if (method == LRFA_SPECTRUM_AUTO)
        method = (Y->storage == LRFA_STORAGE_DENSE && kmax <= LRFA_FULL_SVD_MAX) || kmax == 0 ||
                         (k == kmax && kmax <= LRFA_DENSE_FALLBACK_MAX && lrfa_spectrum_full_fits(Y, U != NULL))
                     ? LRFA_SPECTRUM_FULL
                     : LRFA_SPECTRUM_LANCZOS;
    if (method == LRFA_SPECTRUM_FULL) return spectrum_full(Y, rank_tol, U, V, err);
    if (lopt) o = *lopt;
    else lrfa_lanczos_options_default(&o);
    /* with dgesdd to fall back on, Lanczos gets about the products that
     * would span the space (min(rows, cols) each way) before it gives up */
    fallback = kmax <= LRFA_DENSE_FALLBACK_MAX && lrfa_spectrum_full_fits(Y, U != NULL);
    if (fallback && o.max_products <= 0) o.max_products = 2 * kmax + 1000;
    s = lrfa_calloc_array(k, sizeof(double));
    if (!s) {
        lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the spectrum");
        return NULL;
    }
    if (lrfa_svd_lanczos_with(Y, k, &o, s, U, V, &info, err) != LRFA_OK) {
        lrfa_dealloc(s);
        return NULL;
    }
    if (info.check == LRFA_CHECK_NONE && fallback) {
        lrfa_dealloc(s);
        sp = spectrum_full(Y, rank_tol, U, V, err);
        if (sp) {
            sp->lanczos = info;
            snprintf(sp->note, sizeof sp->note,
                     "Lanczos did not settle in %lld products (values too tightly clustered): dgesdd on a dense copy",
                     (long long)info.products);
        }
        return sp;
    }
    sp = lrfa_spectrum_from_values(Y->rows, Y->cols, s, k, lrfa_matrix_fro_norm(Y), rank_tol, "lanczos", err);
    lrfa_dealloc(s);
    if (!sp) return NULL;
    sp->lanczos = info;
    sp->error_bound = info.error_bound;
    if (k < kmax) {
        sp->complete = 0;
        sp->rank_bound = sp->rank == k;
        fill_opt_truncated(sp);
    }
    return sp;
}

double lrfa_spectrum_opt_tolerance(const lrfa_spectrum *sp, int64_t r)
{
    double s1 = sp->k > 0 ? sp->s[0] : 0.0, e = sp->error_bound * s1, o = lrfa_spectrum_opt(sp, r), d, floor;
    if (isnan(o)) return NAN;
    if (r < 0) r = 0;
    /* rounding: the error is a streamed sum over the entries, opt a sum of
     * squares */
    floor = 1e-12 * sp->fro + 64.0 * DBL_EPSILON * sp->fro;
    if (sp->complete && r >= sp->k) return floor; /* opt(r) = 0 exactly */
    if (r > sp->k) return NAN;
    if (sp->complete) {
        /* opt(r) is the norm of (s_{r+1}, ..., s_k): each moves by <= e */
        d = sqrt((double)(sp->k - r)) * e;
    } else {
        /* opt(r)^2 = ||Y||^2 - sum_{i<=r} s_i^2 moves by <= 2 r s_1 e plus
         * the rounding of the difference */
        double d2 = 2.0 * (double)r * s1 * e + 8.0 * DBL_EPSILON * sp->fro * sp->fro;
        d = o > 0 ? fmin(d2 / o, sqrt(d2)) : sqrt(d2);
    }
    return floor + d;
}

lrfa_spectrum *lrfa_spectrum_from_values(int64_t rows, int64_t cols, const double *s, int64_t k,
                                         double fro, double rank_tol, const char *method,
                                         lrfa_error *err)
{
    lrfa_spectrum *sp = lrfa_alloc(sizeof *sp);
    if (!sp) goto nomem;
    sp->s = sp->opt = NULL;
    sp->rows = rows;
    sp->cols = cols;
    sp->k = k;
    sp->s = lrfa_alloc_array(k, sizeof(double));
    sp->opt = lrfa_calloc_array(k + 1, sizeof(double));
    sp->method = method;
    if (!sp->s || !sp->opt) goto nomem;
    if (k) memcpy(sp->s, s, sizeof(double) * (size_t)k);
    sp->fro = fro;
    sp->rank_tol = rank_tol >= 0 ? rank_tol : lrfa_rank_tol_default(rows, cols);
    sp->rank = lrfa_rank_count(sp->s, k, sp->rank_tol);
    sp->complete = k == (rows < cols ? rows : cols);
    sp->rank_bound = 0;
    sp->error_bound = (double)(rows > cols ? rows : cols) * DBL_EPSILON;
    memset(&sp->lanczos, 0, sizeof sp->lanczos);
    sp->note[0] = '\0';
    fill_opt(sp);
    return sp;
nomem:
    lrfa_spectrum_free(sp);
    lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the spectrum");
    return NULL;
}
