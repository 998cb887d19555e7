/* metrics.c: subspace overlaps and alignment figures. */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>
#include "lrfa/linalg.h"
#include "lrfa/metrics.h"
#include "internal.h"

lrfa_dense *lrfa_orth_basis(const lrfa_dense *A, int trans, lrfa_error *err)
{
    lrfa_dense *Q = trans ? lrfa_dense_transpose(A, err) : lrfa_dense_copy(A, err);
    if (!Q) return NULL;
    if (lrfa_qr_orthonormal(Q, err) != LRFA_OK) {
        lrfa_dense_free(Q);
        return NULL;
    }
    return Q;
}

/* overlap = ||Q1^T Q2||_F^2 / min(k1, k2); cosines = singular values of Q1^T Q2 */
double lrfa_subspace_overlap(const lrfa_dense *Q1, const lrfa_dense *Q2, double *cosines)
{
    int64_t d = Q1->rows, k1 = Q1->cols, k2 = Q2->cols, k = k1 < k2 ? k1 : k2, i;
    lrfa_dense *G;
    double ov;
    if (Q2->rows != d || k == 0) return NAN;
    G = lrfa_dense_alloc(k1, k2, NULL);
    if (!G) return NAN;
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)k1, (int)k2, (int)d, 1.0, Q1->data, (int)d,
                Q2->data, (int)d, 0.0, G->data, (int)k1);
    ov = lrfa_vec_norm(G->data, k1 * k2);
    ov = ov * ov / (double)k;
    if (cosines) {
        if (lrfa_svd_values(G, cosines, NULL) != LRFA_OK) ov = NAN;
        for (i = 0; i < k; i++) cosines[i] = fmin(cosines[i], 1.0);
    }
    lrfa_dense_free(G);
    return fmin(ov, 1.0);
}

double lrfa_span_overlap(const lrfa_dense *A, int trans_a, const lrfa_dense *C, int trans_c, double *cosines)
{
    lrfa_dense *Q1 = lrfa_orth_basis(A, trans_a, NULL), *Q2 = lrfa_orth_basis(C, trans_c, NULL);
    double ov = (Q1 && Q2) ? lrfa_subspace_overlap(Q1, Q2, cosines) : NAN;
    lrfa_dense_free(Q1);
    lrfa_dense_free(Q2);
    return ov;
}

double lrfa_cosine(const double *a, const double *b, int64_t n)
{
    double na = lrfa_vec_norm(a, n), nb = lrfa_vec_norm(b, n), dot;
    if (na == 0.0 || nb == 0.0) return NAN;
    /* scale before the dot product so it cannot overflow */
    dot = 0.0;
    {
        int64_t i;
        for (i = 0; i < n; i++) dot += (a[i] / na) * (b[i] / nb);
    }
    return dot;
}

/* trace(B Z) = sum_{i,k} B[k, i] Z[i, k] = <B^T, Z> */
double lrfa_align_zb(const lrfa_dense *B, const lrfa_dense *Z)
{
    int64_t r = B->rows, n = B->cols, i, k;
    double nb = lrfa_vec_norm(B->data, r * n), nz = lrfa_vec_norm(Z->data, n * r), t = 0.0;
    if (nb == 0.0 || nz == 0.0) return NAN;
    for (k = 0; k < r; k++)
        for (i = 0; i < n; i++) t += (B->data[k + i * r] / nb) * (Z->data[i + k * n] / nz);
    return t;
}

double lrfa_align_min_eig(const lrfa_dense *BZ)
{
    int64_t r = BZ->rows, i, j;
    lrfa_dense *S = lrfa_dense_alloc(r, r, NULL);
    double *w = lrfa_alloc_array(r, sizeof(double)), res = NAN, big;
    if (!S || !w || r == 0) goto done;
    for (j = 0; j < r; j++)
        for (i = 0; i < r; i++) S->data[i + j * r] = 0.5 * (BZ->data[i + j * r] + BZ->data[j + i * r]);
    if (lrfa_sym_eigvals(S, w, NULL) != LRFA_OK) goto done;
    big = fmax(fabs(w[0]), fabs(w[r - 1]));
    res = big > 0.0 ? w[0] / big : NAN;
done:
    lrfa_dense_free(S);
    lrfa_dealloc(w);
    return res;
}

typedef struct diff_ctx {
    const lrfa_dense *Z1, *W1, *Z2, *W2;
} diff_ctx;

/* R = Z1 W1[:, J] - Z2 W2[:, J] for the columns J = j0 .. j0 + jb - 1 */
static void diff_block(double *R, int64_t j0, int64_t jb, void *arg)
{
    const diff_ctx *c = arg;
    int64_t n = c->Z1->rows, r1 = c->Z1->cols, r2 = c->Z2->cols;
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)jb, (int)r1, 1.0, c->Z1->data, (int)n,
                c->W1->data + j0 * r1, (int)r1, 0.0, R, (int)n);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)jb, (int)r2, -1.0, c->Z2->data, (int)n,
                c->W2->data + j0 * r2, (int)r2, 1.0, R, (int)n);
}

double lrfa_product_diff(const lrfa_dense *Z1, const lrfa_dense *W1, const lrfa_dense *Z2, const lrfa_dense *W2)
{
    diff_ctx c;
    if (Z2->rows != Z1->rows || W2->cols != W1->cols || W1->rows != Z1->cols || W2->rows != Z2->cols) return NAN;
    c.Z1 = Z1;
    c.W1 = W1;
    c.Z2 = Z2;
    c.W2 = W2;
    return lrfa_blocked_norm(Z1->rows, W1->cols, diff_block, &c);
}

/* the leading k left (trans 0) or right (trans 1) singular vectors of A */
lrfa_dense *lrfa_lead_basis(const lrfa_dense *A, int trans, int64_t k, lrfa_error *err)
{
    int64_t rows = A->rows, cols = A->cols, kmax = rows < cols ? rows : cols;
    lrfa_dense *X = NULL, *U = NULL, *V = NULL;
    double *s = NULL;
    if (k < 1 || k > kmax) {
        lrfa_fail(err, LRFA_EINPUT, 0, "lrfa_lead_basis: k = %lld is out of range", (long long)k);
        return NULL;
    }
    X = lrfa_dense_copy(A, err);
    U = lrfa_dense_alloc(rows, k, err);
    V = lrfa_dense_alloc(cols, k, err);
    s = lrfa_alloc_array(kmax, sizeof(double));
    if (!X || !U || !V || !s || lrfa_svd(X, s, U, V, err) != LRFA_OK) {
        if (!s) lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for a singular basis");
        lrfa_dense_free(U);
        lrfa_dense_free(V);
        U = V = NULL;
    }
    lrfa_dense_free(X);
    lrfa_dealloc(s);
    if (trans) {
        lrfa_dense_free(U);
        return V;
    }
    lrfa_dense_free(V);
    return U;
}

/* R (k x k) of the thin QR of X = A (trans 0, A len x k) or X = A^T
 * (trans 1, A k x len), k <= len, by blocks of STACK_ROWS rows of X:
 * R <- the R of [R; X_block], so no copy of X is made. The distributed
 * form is the same with each process's R stacked at the end. */
enum { STACK_ROWS = 1024 };

int lrfa_stacked_r(const lrfa_dense *A, int trans, int64_t k, double *R)
{
    int64_t len = trans ? A->cols : A->rows, b = len < STACK_ROWS ? len : STACK_ROWS, i0, i, j;
    lrfa_dense S;
    int ok = 1;
    S.data = lrfa_alloc_array((k + b) * k, sizeof(double));
    if (!S.data) return 0;
    memset(R, 0, sizeof(double) * (size_t)(k * k));
    for (i0 = 0; i0 < len && ok; i0 += b) {
        int64_t h = len - i0 < b ? len - i0 : b, rows = k + h;
        S.rows = rows;
        S.cols = k;
        for (j = 0; j < k; j++) {
            double *c = S.data + j * rows;
            for (i = 0; i < k; i++) c[i] = R[i + j * k];
            if (trans)
                for (i = 0; i < h; i++) c[k + i] = A->data[j + (i0 + i) * k];
            else
                memcpy(c + k, A->data + i0 + j * len, sizeof(double) * (size_t)h);
        }
        ok = lrfa_qr_r(&S, NULL) == LRFA_OK;
        for (j = 0; j < k && ok; j++)
            for (i = 0; i <= j; i++) R[i + j * k] = S.data[i + j * rows];
    }
    lrfa_dealloc(S.data);
    return ok;
}

/* Where A has k columns (rows: trans), X = Q_X R (stacked_r), so the
 * orthonormal basis of its span is Q_X = X R^{-1} and the overlap with the
 * orthonormal Q is ||R^{-T} X^T Q||_F^2 / min(k, q): no orthonormal copy of
 * A is made (at n = 10^6 and k = 16 it would be 128 MB). NaN when the span
 * has fewer than k dimensions (a diagonal entry of R at most len eps times
 * the largest). */
double lrfa_span_overlap_k(const lrfa_dense *A, int trans, int64_t k, const lrfa_dense *Q)
{
    lrfa_dense *Qa;
    double ov, *R, *G;
    int64_t len = trans ? A->cols : A->rows, q = Q->cols, i;
    if ((trans ? A->rows : A->cols) != k) {
        /* the leading k of more directions: from the singular vectors */
        Qa = lrfa_lead_basis(A, trans, k, NULL);
        ov = Qa ? lrfa_subspace_overlap(Qa, Q, NULL) : NAN;
        lrfa_dense_free(Qa);
        return ov;
    }
    if (Q->rows != len || k == 0 || q == 0 || k > len) return NAN;
    R = lrfa_alloc_array(k * k, sizeof(double));
    G = lrfa_alloc_array(k * q, sizeof(double));
    ov = NAN;
    if (R && G && lrfa_stacked_r(A, trans, k, R)) {
        double big = 0.0;
        for (i = 0; i < k; i++) big = fmax(big, fabs(R[i + i * k]));
        for (i = 0; i < k; i++)
            if (!(fabs(R[i + i * k]) > (double)len * DBL_EPSILON * big)) goto done;
        /* G = X^T Q, then R^{-T} G */
        cblas_dgemm(CblasColMajor, trans ? CblasNoTrans : CblasTrans, CblasNoTrans, (int)k, (int)q, (int)len, 1.0,
                    A->data, (int)(trans ? k : len), Q->data, (int)len, 0.0, G, (int)k);
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, (int)k, (int)q, 1.0, R, (int)k, G,
                    (int)k);
        ov = lrfa_vec_norm(G, k * q);
        ov = isfinite(ov) ? fmin(ov * ov / (double)(k < q ? k : q), 1.0) : NAN;
    }
done:
    lrfa_dealloc(R);
    lrfa_dealloc(G);
    return ov;
}

int lrfa_stacked_r_rows(const lrfa_comm *c, const lrfa_dense *A, int64_t k, double *R)
{
    int64_t P = lrfa_comm_shared(c) ? c->size : 1, i, j;
    lrfa_dense S = {P * k, k, NULL};
    int ok;
    if (!lrfa_stacked_r(A, 0, k, R)) return 0;
    if (P == 1) return 1;
    /* every process's R in its rows of a stack, summed: the QR of the stack */
    if (!(S.data = lrfa_calloc_array(P * k * k, sizeof(double)))) return 0;
    for (j = 0; j < k; j++)
        for (i = 0; i < k; i++) S.data[c->rank * k + i + j * P * k] = R[i + j * k];
    lrfa_psum(c, S.data, P * k * k);
    ok = lrfa_qr_r(&S, NULL) == LRFA_OK;
    for (j = 0; j < k && ok; j++)
        for (i = 0; i < k; i++) R[i + j * k] = i <= j ? S.data[i + j * P * k] : 0.0;
    lrfa_dealloc(S.data);
    return ok;
}

/* The overlap of col(A) (len x d), taken as a k-dimensional subspace
 * (k <= d), with an orthonormal Q (len x q), from the R of A's QR (d x d)
 * and G = A^T Q (d x q): with R = U_R S V_R^T the leading k left singular
 * vectors of A are A V_k S_k^{-1}, so the overlap is
 * ||S_k^{-1} V_k^T G||_F^2 / min(k, q). NaN when s_k is at most len eps s_1
 * (fewer than k directions) or on failure. */
double lrfa_overlap_rg(const double *R, int64_t d, const double *G, int64_t q, int64_t k, int64_t len)
{
    int64_t i, j, t;
    double *s = lrfa_alloc_array(d, sizeof(double)), *X = lrfa_alloc_array(k * q, sizeof(double)), ov = NAN;
    lrfa_dense *Rd = lrfa_dense_alloc(d, d, NULL), *Ud = lrfa_dense_alloc(d, d, NULL), *Vd = lrfa_dense_alloc(d, d, NULL);
    if (k < 1 || k > d || q < 1 || !s || !X || !Rd || !Ud || !Vd) goto done;
    memcpy(Rd->data, R, sizeof(double) * (size_t)(d * d));
    if (lrfa_svd(Rd, s, Ud, Vd, NULL) != LRFA_OK) goto done;
    if (!(s[k - 1] > (double)len * DBL_EPSILON * s[0])) goto done;
    for (j = 0; j < q; j++)
        for (i = 0; i < k; i++) {
            double v = 0.0;
            for (t = 0; t < d; t++) v += Vd->data[t + i * d] * G[t + j * d];
            X[i + j * k] = v / s[i];
        }
    ov = lrfa_vec_norm(X, k * q);
    ov = isfinite(ov) ? fmin(ov * ov / (double)(k < q ? k : q), 1.0) : NAN;
done:
    lrfa_dealloc(s);
    lrfa_dealloc(X);
    lrfa_dense_free(Rd);
    lrfa_dense_free(Ud);
    lrfa_dense_free(Vd);
    return ov;
}

/* Distributed: G = A^T Q summed over the processes, and R of the whole A,
 * into lrfa_overlap_rg. */
double lrfa_span_overlap_rows(const lrfa_comm *c, const lrfa_dense *A, int64_t k, const lrfa_dense *Q)
{
    int64_t n = A->rows, d = A->cols, q = Q->cols;
    double *R, *G, ov = NAN;
    if (!lrfa_comm_shared(c)) return lrfa_span_overlap_k(A, 0, k, Q);
    if (Q->rows != n || k < 1 || k > d || q == 0 || d > c->rows) return NAN;
    R = lrfa_alloc_array(d * d, sizeof(double));
    G = lrfa_calloc_array(d * q, sizeof(double));
    if (R && G) {
        if (n > 0)
            cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)d, (int)q, (int)n, 1.0, A->data, (int)n,
                        Q->data, (int)n, 0.0, G, (int)d);
        lrfa_psum(c, G, d * q);
        if (lrfa_stacked_r_rows(c, A, d, R)) ov = lrfa_overlap_rg(R, d, G, q, k, c->rows);
    }
    lrfa_dealloc(R);
    lrfa_dealloc(G);
    return ov;
}

/* the leading k right singular vectors and values of A (rows split): from
 * R of the whole's QR, R = U_R S V^T */
static int split_lead(const lrfa_comm *c, const lrfa_dense *A, int64_t k, double *Vk, double *sk)
{
    int64_t d = A->cols, i, j;
    double *R = lrfa_alloc_array(d * d, sizeof(double)), *s = lrfa_alloc_array(d, sizeof(double));
    lrfa_dense Rd = {d, d, R}, *U = lrfa_dense_alloc(d, d, NULL), *V = lrfa_dense_alloc(d, d, NULL);
    int ok = R && s && U && V && lrfa_stacked_r_rows(c, A, d, R) && lrfa_svd(&Rd, s, U, V, NULL) == LRFA_OK;
    if (ok && !(s[k - 1] > (double)lrfa_comm_rows(c, A->rows) * DBL_EPSILON * s[0])) ok = 0;
    for (j = 0; ok && j < k; j++) {
        sk[j] = s[j];
        for (i = 0; i < d; i++) Vk[i + j * d] = V->data[i + j * d];
    }
    lrfa_dealloc(R);
    lrfa_dealloc(s);
    lrfa_dense_free(U);
    lrfa_dense_free(V);
    return ok;
}

double lrfa_span_overlap_split(const lrfa_comm *comm, const lrfa_dense *A, const lrfa_dense *C, int64_t k,
                               double *cosines)
{
    int64_t n = A->rows, da = A->cols, dc = C->cols, i, j;
    double *G = NULL, *Va = NULL, *Vc = NULL, *sa = NULL, *sc = NULL, *T = NULL, ov = NAN;
    lrfa_dense M = {k, k, NULL};
    if (!lrfa_comm_shared(comm)) {
        lrfa_dense *Qa, *Qc;
        if (k == da && k == dc) return lrfa_span_overlap(A, 0, C, 0, cosines);
        Qa = lrfa_lead_basis(A, 0, k, NULL);
        Qc = lrfa_lead_basis(C, 0, k, NULL);
        ov = Qa && Qc ? lrfa_subspace_overlap(Qa, Qc, cosines) : NAN;
        lrfa_dense_free(Qa);
        lrfa_dense_free(Qc);
        return ov;
    }
    if (C->rows != n || k < 1 || k > da || k > dc) return NAN;
    G = lrfa_calloc_array(da * dc, sizeof(double));
    Va = lrfa_alloc_array(da * k, sizeof(double));
    Vc = lrfa_alloc_array(dc * k, sizeof(double));
    sa = lrfa_alloc_array(k, sizeof(double));
    sc = lrfa_alloc_array(k, sizeof(double));
    T = lrfa_alloc_array(k * dc, sizeof(double));
    M.data = lrfa_alloc_array(k * k, sizeof(double));
    if (!G || !Va || !Vc || !sa || !sc || !T || !M.data) goto done;
    /* G = A^T C over the processes; Q_A^T Q_C = S_a^{-1} V_a^T G V_c S_c^{-1} */
    if (n > 0)
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)da, (int)dc, (int)n, 1.0, A->data, (int)n, C->data,
                    (int)n, 0.0, G, (int)da);
    lrfa_psum(comm, G, da * dc);
    if (!split_lead(comm, A, k, Va, sa) || !split_lead(comm, C, k, Vc, sc)) goto done;
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)k, (int)dc, (int)da, 1.0, Va, (int)da, G, (int)da, 0.0,
                T, (int)k);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)k, (int)k, (int)dc, 1.0, T, (int)k, Vc, (int)dc, 0.0,
                M.data, (int)k);
    for (j = 0; j < k; j++)
        for (i = 0; i < k; i++) M.data[i + j * k] /= sa[i] * sc[j];
    ov = lrfa_vec_norm(M.data, k * k);
    ov = fmin(ov * ov / (double)k, 1.0);
    if (cosines) {
        if (lrfa_svd_values(&M, cosines, NULL) != LRFA_OK) ov = NAN;
        for (i = 0; i < k; i++) cosines[i] = fmin(cosines[i], 1.0);
    }
done:
    lrfa_dealloc(G);
    lrfa_dealloc(Va);
    lrfa_dealloc(Vc);
    lrfa_dealloc(sa);
    lrfa_dealloc(sc);
    lrfa_dealloc(T);
    lrfa_dealloc(M.data);
    return ov;
}

double lrfa_product_diff_split(const lrfa_comm *comm, const lrfa_dense *Z1, const lrfa_dense *W1,
                               const lrfa_dense *Z2, const lrfa_dense *W2)
{
    double d = lrfa_product_diff(Z1, W1, Z2, W2);
    return lrfa_comm_shared(comm) ? sqrt(lrfa_psum1(comm, d * d)) : d;
}
