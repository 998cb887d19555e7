/* spectrum.c: singular values, numerical rank and opt(r). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "lrfa/linalg.h"
#include "lrfa/spectrum.h"
#include "internal.h"
#include "yops.h"

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

/* Every singular value by dgesdd on a dense copy (and the leading
 * vectors into U and V where given; the side not given is formed on the
 * way and dropped). */
static lrfa_spectrum *spectrum_full(const lrfa_matrix *Y, double rank_tol, lrfa_dense *U, lrfa_dense *V,
                                    lrfa_error *err)
{
    int64_t kmax = Y->rows < Y->cols ? Y->rows : Y->cols;
    lrfa_spectrum *sp;
    lrfa_dense *A, *other = NULL;
    double fro = lrfa_matrix_fro_norm(Y), *s;
    if (!lrfa_spectrum_full_fits(Y, U || V)) {
        lrfa_fail(err, LRFA_ENOMEM, 0, "the full SVD of a %lld x %lld matrix needs more memory than this machine has",
                  (long long)Y->rows, (long long)Y->cols);
        return NULL;
    }
    s = lrfa_calloc_array(kmax, sizeof(double));
    A = lrfa_matrix_to_dense(Y, err);
    if (!U != !V) {
        other = U ? lrfa_dense_alloc(Y->cols, U->cols, err) : lrfa_dense_alloc(Y->rows, V->cols, err);
        if (!U) U = other;
        else V = other;
    }
    if (!s || !A || (U && !V) || (V && !U)) {
        lrfa_dealloc(s);
        lrfa_dense_free(A);
        lrfa_dense_free(other);
        lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the SVD");
        return NULL;
    }
    if (kmax > 0 && lrfa_svd(A, s, U, V, err) != LRFA_OK) {
        lrfa_dealloc(s);
        lrfa_dense_free(A);
        lrfa_dense_free(other);
        return NULL;
    }
    lrfa_dense_free(A);
    lrfa_dense_free(other);
    sp = lrfa_spectrum_from_values(Y->rows, Y->cols, s, kmax, fro, rank_tol, "dgesdd", err);
    lrfa_dealloc(s);
    return sp;
}

/* The spectrum of the k values Lanczos found (of kmax): truncated when
 * k < kmax, opt(r) then from ||Y||_F and the leading values. */
static lrfa_spectrum *lanczos_spectrum(int64_t rows, int64_t cols, const double *s, int64_t k, int64_t kmax,
                                       double fro, double rank_tol, const lrfa_lanczos_info *info, lrfa_error *err)
{
    lrfa_spectrum *sp = lrfa_spectrum_from_values(rows, cols, s, k, fro, rank_tol, "lanczos", err);
    if (!sp) return NULL;
    sp->lanczos = *info;
    sp->error_bound = info->error_bound;
    if (k < kmax) {
        sp->complete = 0;
        sp->rank_bound = sp->rank == k;
        fill_opt_truncated(sp);
    }
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
                         (k == kmax && kmax <= LRFA_DENSE_FALLBACK_MAX && lrfa_spectrum_full_fits(Y, U || V))
                     ? LRFA_SPECTRUM_FULL
                     : LRFA_SPECTRUM_LANCZOS;
    if (method == LRFA_SPECTRUM_FULL) return spectrum_full(Y, rank_tol, U, V, err);
    if (lopt) o = *lopt;
    else lrfa_lanczos_options_default(&o);
    /* with dgesdd to fall back on, Lanczos gets about the products that
     * would span the space (min(rows, cols) each way) before it gives up */
    fallback = kmax <= LRFA_DENSE_FALLBACK_MAX && lrfa_spectrum_full_fits(Y, U || V);
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
    sp = lanczos_spectrum(Y->rows, Y->cols, s, k, kmax, lrfa_matrix_fro_norm(Y), rank_tol, &info, err);
    lrfa_dealloc(s);
    return sp;
}

/* ---- a Y split by rows between processes ----
 *
 * Every value of a tall Y (m <= N): the R of its QR from the stacked R of
 * the blocks (TSQR: each block's R, or the block itself when it has fewer
 * rows than m, summed into its rows of a stack, whose QR is R's), then
 * dgesdd on R, whose values are Y's and whose right vectors are Y's; the
 * left ones are Y V diag(1/s), each process its rows. The stack holds P m^2
 * doubles on every process: at most TSQR_BYTES. */
#define TSQR_BYTES 536870912.0 /* 512 MiB */

static int tsqr_fits(const lrfa_matrix *Y, const lrfa_comm *c)
{
    double m = (double)Y->cols;
    return Y->cols <= c->rows && Y->cols <= LRFA_DENSE_FALLBACK_MAX && 8.0 * (double)c->size * m * m <= TSQR_BYTES &&
           lrfa_fits_in_memory(Y->rows > Y->cols ? Y->rows : Y->cols, Y->cols, 0);
}

static lrfa_spectrum *spectrum_tsqr(const lrfa_matrix *Y, const lrfa_comm *c, double rank_tol, lrfa_dense *U,
                                    lrfa_dense *V, lrfa_error *err)
{
    int64_t n = Y->rows, m = Y->cols, P = c->size, rr = n < m ? n : m, kv = U ? U->cols : V ? V->cols : 0, i, j;
    lrfa_dense *A = NULL, S = {P * m, m, NULL}, R = {m, m, NULL}, *Ur = NULL, *Vr = NULL;
    lrfa_spectrum *sp = NULL;
    double fro = lrfa_matrix_fro_norm(Y), *s = NULL, *work = NULL;
    fro = sqrt(lrfa_psum1(c, fro * fro));
    A = lrfa_matrix_to_dense(Y, err);
    S.data = lrfa_calloc_array(P * m * m, sizeof(double));
    R.data = lrfa_alloc_array(m * m, sizeof(double));
    s = lrfa_calloc_array(m > 0 ? m : 1, sizeof(double));
    Ur = lrfa_dense_alloc(m, m, err);
    Vr = lrfa_dense_alloc(m, m, err);
    if (!A || !S.data || !R.data || !s || !Ur || !Vr) {
        lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the SVD of a %lld x %lld matrix across %d processes",
                  (long long)c->rows, (long long)m, c->size);
        goto done;
    }
    if (n >= m && m > 0 && lrfa_qr_r(A, err) != LRFA_OK) goto done;
    for (j = 0; j < m; j++)
        for (i = 0; i < rr; i++) S.data[c->rank * m + i + j * P * m] = A->data[i + j * n];
    lrfa_psum(c, S.data, P * m * m);
    if (m > 0 && lrfa_qr_r(&S, err) != LRFA_OK) goto done;
    for (j = 0; j < m; j++)
        for (i = 0; i < m; i++) R.data[i + j * m] = S.data[i + j * P * m];
    if (m > 0 && lrfa_svd(&R, s, Ur, Vr, err) != LRFA_OK) goto done;
    if (kv > 0) {
        /* V, and U = Y V diag(1/s) (a zero column where s_i = 0) */
        int64_t w = lrfa_y_block_work(Y, kv);
        if (V) memcpy(V->data, Vr->data, sizeof(double) * (size_t)(m * kv));
        if (U && w > 0 && !(work = lrfa_alloc_array(w, sizeof(double)))) {
            lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the singular vectors");
            goto done;
        }
        if (U) {
            lrfa_y_mul_block(Y, 0, Vr->data, kv, U->data, work);
            for (j = 0; j < kv; j++)
                for (i = 0; i < n; i++) U->data[i + j * n] = s[j] > 0 ? U->data[i + j * n] / s[j] : 0.0;
        }
    }
    sp = lrfa_spectrum_from_values(c->rows, m, s, m, fro, rank_tol, "dgesdd", err);
done:
    lrfa_dense_free(A);
    lrfa_dealloc(S.data);
    lrfa_dealloc(R.data);
    lrfa_dealloc(s);
    lrfa_dealloc(work);
    lrfa_dense_free(Ur);
    lrfa_dense_free(Vr);
    return sp;
}

lrfa_spectrum *lrfa_spectrum_leading_dist(const lrfa_matrix *Y, const lrfa_comm *comm, int64_t k,
                                          lrfa_spectrum_method method, double rank_tol,
                                          const lrfa_lanczos_options *lopt, lrfa_dense *U, lrfa_dense *V,
                                          lrfa_error *err)
{
    int64_t N, kmax;
    lrfa_spectrum *sp;
    double *s, fro;
    lrfa_lanczos_info info;
    lrfa_lanczos_options o;
    int tsqr;
    if (!lrfa_comm_shared(comm)) return lrfa_spectrum_leading_with(Y, k, method, rank_tol, lopt, U, V, err);
    N = comm->rows;
    kmax = N < Y->cols ? N : Y->cols;
    if (k > kmax) k = kmax;
    if (k < 1) k = kmax < 1 ? 0 : 1;
    tsqr = tsqr_fits(Y, comm);
    /* as on one process: every value of a small dense Y, and of one whose
     * values are all asked for; a tall one by TSQR, a wide one by Lanczos
     * over the whole space */
    if (method == LRFA_SPECTRUM_AUTO)
        method = (Y->storage == LRFA_STORAGE_DENSE && kmax <= LRFA_FULL_SVD_MAX) || kmax == 0 ||
                         (k == kmax && kmax <= LRFA_DENSE_FALLBACK_MAX)
                     ? LRFA_SPECTRUM_FULL
                     : LRFA_SPECTRUM_LANCZOS;
    if (method == LRFA_SPECTRUM_FULL && tsqr) return spectrum_tsqr(Y, comm, rank_tol, U, V, err);
    if (method == LRFA_SPECTRUM_FULL) k = kmax;
    if (lopt) o = *lopt;
    else lrfa_lanczos_options_default(&o);
    if (tsqr && o.max_products <= 0) o.max_products = 2 * kmax + 1000;
    if (!(s = lrfa_calloc_array(k > 0 ? k : 1, sizeof(double)))) {
        lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the spectrum");
        return NULL;
    }
    if (lrfa_svd_lanczos_dist(Y, comm, k, &o, s, U, V, &info, err) != LRFA_OK) {
        lrfa_dealloc(s);
        return NULL;
    }
    if (info.check == LRFA_CHECK_NONE && tsqr) {
        lrfa_dealloc(s);
        sp = spectrum_tsqr(Y, comm, rank_tol, U, V, err);
        if (sp) {
            sp->lanczos = info;
            snprintf(sp->note, sizeof sp->note,
                     "Lanczos did not settle in %lld products (values too tightly clustered): dgesdd on the R of a TSQR",
                     (long long)info.products);
        }
        return sp;
    }
    fro = lrfa_matrix_fro_norm(Y);
    fro = sqrt(lrfa_psum1(comm, fro * fro));
    sp = lanczos_spectrum(N, Y->cols, s, k, kmax, fro, rank_tol, &info, err);
    lrfa_dealloc(s);
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
