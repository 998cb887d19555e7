/* lanczos.c: the leading singular triplets of a dense or sparse matrix by
 * block Golub-Kahan-Lanczos with full reorthogonalization, thick restarts,
 * locking and a search for missed copies of repeated values.
 *
 * The recurrence. With V_1 a random orthonormal block of b columns,
 *     U_j R_j   = A V_j - (earlier U) coefficients,
 *     V_{j+1} G_j = A^T U_j - V_j R_j^T - (earlier V) coefficients,
 * each new block orthogonalized against every earlier vector (block
 * classical Gram-Schmidt, blockgs.c, repeated when a pass removes most of
 * a column)
 * and then among itself, so that A V = U H exactly, with H = U^T A V, and
 * A^T U = V H^T + V_next F. If H = P diag(theta) Q^T, the Ritz triplets
 * (theta_i, U P e_i, V Q e_i) satisfy ||A^T u_i - theta_i v_i|| = ||F P e_i||.
 * A block of b vectors sees up to b copies of a repeated singular value; a
 * single vector sees one.
 *
 * The rounds. Round 0 runs until the k leading Ritz values have residual
 * <= tol s_1 (thick restarts keep the leading Ritz vectors when the basis is
 * full); they are then locked. Each later round starts a fresh random block
 * orthogonal to the locked vectors, so it iterates with the deflated matrix
 * (I - U_L U_L^T) A (I - V_L V_L^T), whose leading value is the largest
 * singular value of A not yet held: any copy the earlier rounds missed. The
 * round ends when that value, delta, is settled:
 *   - converged (residual <= tol s_1) and above s_k: a missed value; it and
 *     the other converged values above s_k are locked, the block doubles,
 *     and another round starts;
 *   - converged and at most s_k: the k values are the k leading ones;
 *   - or, before the basis restarts, after q block steps (a Krylov space
 *     of q vectors from each start vector: q - 1 products with A^T A) with
 *     delta^2 <= (1 - eps) s_k^2, eps = (ln(1.648 sqrt(N) / p) / (2q - 3))^2:
 *     by the bound of Kuczynski and Wozniakowski (1992) for Lanczos from a
 *     random start in R^N, the largest value of the deflated matrix then
 *     exceeds s_k with probability below p; p is 1e-10 over the number of
 *     tests a round can make, so the round errs with probability below
 *     1e-10.
 * A column that vanishes (an invariant subspace) is replaced by a random
 * direction orthogonal to everything so far, which also finds copies.
 *
 * The answer. The k largest locked values, with an error bound from the
 * explicit residuals R = [A V - U Theta; A^T U - V Theta] / sqrt(2) of the
 * k triplets: A has k singular values within ||R||_F of them (Kahan's
 * theorem for the symmetric matrix [0 A; A^T 0]); the last round says they
 * are the k leading ones. */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>
#include "lrfa/linalg.h"
#include "lrfa/rng.h"
#include "internal.h"
#include "yops.h"

/* X[:, :keep] <- X[:, :d] R[:, :keep] in place (X len x d, leading
 * dimension len, R d x d with leading dimension ldr), a block of rows at a
 * time through tmp (RESTART_ROWS x keep for each thread): rows of the
 * product depend only on the same rows of X, so no copy of the whole basis
 * is needed. */
#define RESTART_ROWS 512

/* the basis may pass the 3k + 40 vectors a side it would like only up to
 * this size */
#define BASIS_BYTES 268435456.0 /* 256 MiB */

/* the failure probability the missed-copy check accepts in a round: each of
 * the round's tests (at most one per block step, so at most cap of them)
 * is held to MISS_PROB / cap, and the union bound gives MISS_PROB */
#define MISS_PROB 1e-10

typedef struct restart_ctx {
    double *X, *tmp; /* tmp: RESTART_ROWS x keep per worker */
    const double *R;
    int64_t len, d, keep, ldr;
} restart_ctx;

static void restart_chunk(int64_t b0, int64_t b1, int worker, void *arg)
{
    const restart_ctx *r = arg;
    double *tmp = r->tmp + (int64_t)worker * RESTART_ROWS * r->keep;
    int64_t blk, c;
    for (blk = b0; blk < b1; blk++) {
        int64_t i0 = blk * RESTART_ROWS, b = r->len - i0 < RESTART_ROWS ? r->len - i0 : RESTART_ROWS;
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)r->keep, (int)r->d, 1.0, r->X + i0,
                    (int)r->len, r->R, (int)r->ldr, 0.0, tmp, (int)b);
        for (c = 0; c < r->keep; c++) memcpy(r->X + i0 + c * r->len, tmp + c * b, sizeof(double) * (size_t)b);
    }
}

/* the blocks of rows go to the library's threads, OpenBLAS on one each */
static void restart_basis(double *X, int64_t len, int64_t d, int64_t keep, const double *R, int64_t ldr, double *tmp)
{
    restart_ctx r;
    if (keep == 0 || d == 0 || len == 0) return;
    r.X = X;
    r.tmp = tmp;
    r.R = R;
    r.len = len;
    r.d = d;
    r.keep = keep;
    r.ldr = ldr;
    lrfa_blas_serial_begin();
    lrfa_parallel_range((len + RESTART_ROWS - 1) / RESTART_ROWS, 16, restart_chunk, &r);
    lrfa_blas_serial_end();
}

/* The state of one run. The operator is op(A) = A, or A^T when A has more
 * columns than rows (sw), so that the v side is the smaller one: it is
 * exhausted first, after which H holds every singular value exactly. */
typedef struct gkl {
    const lrfa_matrix *A;
    int sw;
    int64_t n, m;    /* lengths of the u and v vectors, n >= m */
    int64_t nl, ml;  /* the rows of them this process holds (n, m for one process) */
    const lrfa_comm *cu, *cv; /* the side split between processes (its sums), or NULL */
    int64_t r0;      /* this process's first row of the split side */
    int64_t cap;     /* columns of U: locked + active (U has one more for
                        scratch); V has cap + bmax */
    int64_t bmax;    /* the largest block */
    double *U;       /* n x (cap + 1): locked [0, l), active [l, l + d) */
    double *V;       /* m x (cap + bmax): locked, active, then the next block [l + d, l + d + w) */
    double *H;       /* cap x cap (leading dimension cap): H = U_act^T op(A) V_act, d x d used */
    double *F;       /* bmax x cap: F = V_next^T op(A)^T U_act, w x d used */
    double *T;       /* (cap + bmax) x bmax: Gram-Schmidt coefficients */
    double *Rb;      /* bmax x bmax: the in-block factor */
    double *nrm;     /* 2 bmax: column norms */
    double *orig;    /* bmax: norms of a new block before orthogonalization */
    double *gs_part; /* threads x (cap + bmax) x bmax: partial Gram-Schmidt coefficients */
    double *tmp;     /* threads x RESTART_ROWS x cap */
    double *work;    /* sparse products */
    double *theta_l; /* cap: the locked values */
    int64_t l, d, w; /* locked, active, next-block width */
    int64_t steps;   /* block steps in this round */
    int restarted;   /* this round has restarted (the probability bound no longer applies) */
    int64_t checked; /* d at the last check of the Ritz values */
    int64_t f0;      /* F's columns before f0 are zero */
    double brk;      /* a new vector shorter than this is rounding noise */
    lrfa_rng rng;
    int64_t products; /* products of op(A) or op(A)^T with a vector */
} gkl;

static void op_mul(const gkl *g, int trans, const double *X, int64_t w, double *out)
{
    int t = g->sw ? !trans : trans;
    lrfa_y_mul_block(g->A, t, X, w, out, g->work);
    /* Y^T X sums over Y's rows: over the processes when they are split */
    if (t) lrfa_psum(g->cu ? g->cu : g->cv, out, g->A->cols * w);
}

/* Gaussian columns (w of them, glen long) of which this process keeps its
 * len rows from r0 (all of them for a side not split): every process draws
 * the same numbers, so the generator stays in step. */
static void draw_block(gkl *g, const lrfa_comm *c, double *X, int64_t len, int64_t glen, int64_t w)
{
    int64_t j, i, r0 = c ? g->r0 : 0;
    if (!c) {
        lrfa_rng_fill_gaussian(&g->rng, X, len * w, 1.0);
        return;
    }
    for (j = 0; j < w; j++) {
        for (i = 0; i < r0; i++) (void)lrfa_rng_gaussian(&g->rng);
        lrfa_rng_fill_gaussian(&g->rng, X + j * len, len, 1.0);
        for (i = r0 + len; i < glen; i++) (void)lrfa_rng_gaussian(&g->rng);
    }
}

/* Orthogonalizes the w columns of X (len x w) against Q (len x cnt,
 * orthonormal) by block classical Gram-Schmidt, a second pass when a column
 * lost more than 1 - 1/sqrt(2) of its norm (the DGKS criterion), adding the
 * coefficients Q^T X into C (cnt x w, leading dimension ldc) when C is
 * non-NULL. */
static void block_reorth(gkl *g, const double *Q, int64_t len, int64_t cnt, double *X, int64_t w, double *C,
                         int64_t ldc, const lrfa_comm *cm)
{
    int pass;
    int64_t c, i;
    double *before = g->nrm, *after = g->nrm + g->bmax;
    if (cnt == 0 || w == 0) return;
    for (c = 0; c < w; c++) before[c] = lrfa_pnorm(cm, X + c * len, len);
    for (pass = 0; pass < 3; pass++) {
        int again = 0;
        lrfa_gs_pass(Q, len, cnt, X, w, g->T, g->gs_part, cm);
        if (C)
            for (c = 0; c < w; c++)
                for (i = 0; i < cnt; i++) C[i + c * ldc] += g->T[i + c * cnt];
        for (c = 0; c < w; c++) {
            after[c] = lrfa_pnorm(cm, X + c * len, len);
            if (after[c] < 0.7071067811865476 * before[c]) again = 1;
            before[c] = after[c];
        }
        if (!again) break;
    }
}

/* x -= Q (Q^T x) for one column (Q len x cnt), the coefficients added into
 * c when non-NULL. */
static void orth_one(const double *Q, int64_t len, int64_t cnt, double *x, double *h, double *c, const lrfa_comm *cm)
{
    int64_t i;
    if (cnt == 0) return;
    if (len > 0) cblas_dgemv(CblasColMajor, CblasTrans, (int)len, (int)cnt, 1.0, Q, (int)len, x, 1, 0.0, h, 1);
    else memset(h, 0, sizeof(double) * (size_t)cnt);
    lrfa_psum(cm, h, cnt);
    if (len == 0) return;
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)len, (int)cnt, -1.0, Q, (int)len, h, 1, 1.0, x, 1);
    if (c)
        for (i = 0; i < cnt; i++) c[i] += h[i];
}

/* Makes the w columns of X (already orthogonal to Q, len x cnt) orthonormal
 * among themselves, column by column: x_c = sum_{i<c} q_i R_ic + R_cc q_c.
 * A column whose norm fell below 1/sqrt(2) of what it was is
 * orthogonalized again, against Q too, so that a short vector made mostly
 * of rounding errors is not taken for a direction. A column shorter than
 * tiny, or than 1e-12 of its norm orig[c] before any orthogonalization, is
 * rounding noise: it is replaced by a random unit vector orthogonal to Q
 * and the earlier columns (R_cc = 0), or, when none exists (the space is
 * exhausted), dropped. The columns produced are packed at the front of X,
 * R is p x w (leading dimension bmax) and p is returned. */
static int64_t block_orth(gkl *g, const double *Q, int64_t len, int64_t cnt, double *X, int64_t w, double tiny,
                          const double *orig, const lrfa_comm *cm, int64_t glen)
{
    int64_t c, p = 0, i;
    double *R = g->Rb, *h = g->T;
    for (i = 0; i < g->bmax * g->bmax; i++) R[i] = 0.0;
    for (c = 0; c < w; c++) {
        double *x = X + p * len, nx, before, zero = tiny;
        int pass;
        if (orig && 1e-12 * orig[c] > zero) zero = 1e-12 * orig[c];
        if (p != c) memcpy(x, X + c * len, sizeof(double) * (size_t)len);
        before = lrfa_pnorm(cm, x, len);
        for (pass = 0; pass < 4; pass++) {
            if (pass > 0) orth_one(Q, len, cnt, x, h, NULL, cm); /* rounding-level: not part of R */
            orth_one(X, len, p, x, h, R + c * g->bmax, cm);
            nx = lrfa_pnorm(cm, x, len);
            if (nx >= 0.7071067811865476 * before || nx <= zero) break;
            before = nx;
        }
        if (nx > zero) {
            if (len > 0) cblas_dscal((int)len, 1.0 / nx, x, 1);
            R[p + c * g->bmax] = nx;
            p++;
            continue;
        }
        /* a fresh direction: random, orthogonal to Q and the columns so far */
        if (cnt + p >= glen) continue;
        draw_block(g, cm, x, len, glen, 1);
        for (pass = 0; pass < 2; pass++) {
            orth_one(Q, len, cnt, x, h, NULL, cm);
            orth_one(X, len, p, x, h, NULL, cm);
        }
        nx = lrfa_pnorm(cm, x, len);
        if (!(nx > 1e-8 * sqrt((double)glen))) continue; /* rounding noise: nothing is left */
        if (len > 0) cblas_dscal((int)len, 1.0 / nx, x, 1);
        p++; /* R_pc = 0: x_c is already spanned */
    }
    return p;
}

/* Starts a round: the next block is b random directions orthogonal to the
 * locked vectors; no active vectors. Returns the block's width (0 when the
 * locked vectors span the whole space). */
static int64_t gkl_start(gkl *g, int64_t b)
{
    int64_t m = g->m, ml = g->ml, room = m - g->l;
    double *X = g->V + g->l * ml;
    if (b > room) b = room;
    g->d = 0;
    g->f0 = 0;
    g->w = 0;
    g->steps = 0;
    g->restarted = 0;
    g->checked = 0;
    if (b <= 0) return 0;
    draw_block(g, g->cv, X, ml, m, b);
    block_reorth(g, g->V, ml, g->l, X, b, NULL, 0, g->cv);
    g->w = block_orth(g, g->V, ml, g->l, X, b, 1e-8 * sqrt((double)m), NULL, g->cv, m);
    return g->w;
}

/* One block step: U gets w columns, H grows to (d + w) x (d + w), and the
 * next block (its width is returned: 0 when the v side is exhausted) and F
 * are replaced. */
static int64_t gkl_extend(gkl *g, int64_t b)
{
    int64_t n = g->nl, m = g->ml, l = g->l, d = g->d, w = g->w, cap = g->cap, bm = g->bmax, c, i, p, wn;
    double *Vn = g->V + (l + d) * m, *X = g->U + (l + d) * n, *C = g->H + d * cap;
    double *Y = g->V + (l + d + w) * m;
    /* n, m: this process's rows of the u and v vectors; the room is the whole's */

    /* u side: X = op(A) V_next, minus its known part U_act F^T */
    op_mul(g, 0, Vn, w, X);
    g->products += w;
    for (c = 0; c < w; c++) g->orig[c] = lrfa_pnorm(g->cu, X + c * n, n);
    for (c = 0; c < w; c++)
        for (i = 0; i < d + w; i++) C[i + c * cap] = i < d ? g->F[c + i * bm] : 0.0;
    for (c = 0; c < d; c++)
        for (i = d; i < d + w; i++) g->H[i + c * cap] = 0.0;
    if (d > g->f0 && n > 0)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)n, (int)w, (int)(d - g->f0), -1.0,
                    g->U + (l + g->f0) * n, (int)n, g->F + g->f0 * bm, (int)bm, 1.0, X, (int)n);
    /* reorthogonalize against the locked and active u vectors; only the
     * active coefficients belong to H (the locked ones are deflated) */
    if (l + d > 0) {
        double *Ct = g->tmp; /* (l + d) x w */
        memset(Ct, 0, sizeof(double) * (size_t)((l + d) * w));
        block_reorth(g, g->U, n, l + d, X, w, Ct, l + d, g->cu);
        for (c = 0; c < w; c++)
            for (i = 0; i < d; i++) C[i + c * cap] += Ct[l + i + c * (l + d)];
    }
    p = block_orth(g, g->U, n, l + d, X, w, g->brk, g->orig, g->cu, g->n);
    if (p < w) return -1; /* cannot happen while n >= m; refuse to go on */
    for (c = 0; c < w; c++)
        for (i = 0; i <= c; i++) C[d + i + c * cap] = g->Rb[i + c * bm];
    d += w;
    g->d = d;

    /* v side: Y = op(A)^T U_new - V_next R^T, against every v vector */
    wn = b;
    if (wn > g->m - (l + d)) wn = g->m - (l + d);
    g->f0 = d - w;
    for (i = 0; i < bm * cap; i++) g->F[i] = 0.0;
    if (wn <= 0) {
        g->w = 0;
        return 0;
    }
    {
        /* R (w x w, upper triangular) is still in g->Rb; U_new is X */
        double *R = g->Rb;
        op_mul(g, 1, X, w, Y);
        g->products += w;
        for (c = 0; c < w; c++) g->orig[c] = lrfa_pnorm(g->cv, Y + c * m, m);
        if (m > 0)
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)m, (int)w, (int)w, -1.0, Vn, (int)m, R, (int)bm,
                        1.0, Y, (int)m);
    }
    block_reorth(g, g->V, m, l + d, Y, w, NULL, 0, g->cv);
    p = block_orth(g, g->V, m, l + d, Y, w, g->brk, g->orig, g->cv, g->m);
    if (p > wn) p = wn;
    /* op(A)^T U_new = ... + V_next' G: F's last w columns hold G (p x w) */
    for (c = 0; c < w; c++)
        for (i = 0; i < p; i++) g->F[i + (d - w + c) * bm] = g->Rb[i + c * bm];
    g->w = p;
    return p;
}

/* The Ritz values of the active part: H = P diag(theta) Q^T (d x d, into
 * P and Q) and the residuals resid[i] = ||F P e_i||. */
static lrfa_status gkl_ritz(gkl *g, lrfa_dense **P, lrfa_dense **Q, double *theta, double *resid, lrfa_error *err)
{
    int64_t d = g->d, i, t;
    lrfa_dense *Hd;
    lrfa_status st;
    lrfa_dense_free(*P);
    lrfa_dense_free(*Q);
    *P = lrfa_dense_alloc(d, d, err);
    *Q = lrfa_dense_alloc(d, d, err);
    Hd = lrfa_dense_alloc(d, d, err);
    if (!*P || !*Q || !Hd) {
        lrfa_dense_free(Hd);
        return err ? err->status : LRFA_ENOMEM;
    }
    for (t = 0; t < d; t++)
        for (i = 0; i < d; i++) Hd->data[i + t * d] = g->H[i + t * g->cap];
    st = lrfa_svd(Hd, theta, *P, *Q, err);
    lrfa_dense_free(Hd);
    if (st != LRFA_OK) return st;
    for (i = 0; i < d; i++) {
        double s2 = 0.0;
        int64_t r;
        for (r = 0; r < g->w; r++) {
            double v = 0.0;
            for (t = g->f0; t < d; t++) v += g->F[r + t * g->bmax] * (*P)->data[t + i * d];
            s2 += v * v;
        }
        resid[i] = sqrt(s2);
    }
    return LRFA_OK;
}

/* Thick restart: keep the `keep` leading Ritz vectors, U_act <- U_act P,
 * V_act <- V_act Q, H <- diag(theta), F <- F P, and the next block moves
 * down behind them. */
static void gkl_restart(gkl *g, const lrfa_dense *P, const lrfa_dense *Q, const double *theta, int64_t keep)
{
    int64_t n = g->nl, m = g->ml, l = g->l, d = g->d, w = g->w, cap = g->cap, bm = g->bmax, i, r, t;
    double *FP = g->T; /* w x keep */
    for (i = 0; i < keep; i++)
        for (r = 0; r < w; r++) {
            double v = 0.0;
            for (t = g->f0; t < d; t++) v += g->F[r + t * bm] * P->data[t + i * d];
            FP[r + i * w] = v;
        }
    restart_basis(g->U + l * n, n, d, keep, P->data, d, g->tmp);
    restart_basis(g->V + l * m, m, d, keep, Q->data, d, g->tmp);
    memmove(g->V + (l + keep) * m, g->V + (l + d) * m, sizeof(double) * (size_t)(m * w));
    for (t = 0; t < keep; t++)
        for (i = 0; i < keep; i++) g->H[i + t * cap] = i == t ? theta[i] : 0.0;
    for (i = 0; i < bm * cap; i++) g->F[i] = 0.0;
    for (i = 0; i < keep; i++)
        for (r = 0; r < w; r++) g->F[r + i * bm] = FP[r + i * w];
    g->d = keep;
    g->f0 = 0;
}

/* Locks the Ritz triplets sel[0..ns) (indices into theta, ascending):
 * they become locked columns l .. l + ns - 1, and the round's active
 * vectors are dropped. */
static void gkl_lock(gkl *g, const lrfa_dense *P, const lrfa_dense *Q, const double *theta, const int64_t *sel,
                     int64_t ns, double *Psel)
{
    int64_t d = g->d, i, t;
    for (i = 0; i < ns; i++)
        for (t = 0; t < d; t++) Psel[t + i * d] = P->data[t + sel[i] * d];
    restart_basis(g->U + g->l * g->nl, g->nl, d, ns, Psel, d, g->tmp);
    for (i = 0; i < ns; i++)
        for (t = 0; t < d; t++) Psel[t + i * d] = Q->data[t + sel[i] * d];
    restart_basis(g->V + g->l * g->ml, g->ml, d, ns, Psel, d, g->tmp);
    for (i = 0; i < ns; i++) g->theta_l[g->l + i] = theta[sel[i]];
    g->l += ns;
    g->d = 0;
    g->w = 0;
}

/* Sorts the locked triplets by value, descending, and keeps at most `keep`
 * of them (a permutation applied to the bases in place). */
static void gkl_sort_locked(gkl *g, int64_t keep, double *Pm)
{
    int64_t l = g->l, i, j, *ord = (int64_t *)(void *)(Pm + l * l);
    for (i = 0; i < l; i++) ord[i] = i;
    for (i = 1; i < l; i++) /* insertion sort: l is small */
        for (j = i; j > 0 && g->theta_l[ord[j]] > g->theta_l[ord[j - 1]]; j--) {
            int64_t t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
    if (keep > l) keep = l;
    for (i = 0; i < l * l; i++) Pm[i] = 0.0;
    for (j = 0; j < keep; j++) Pm[ord[j] + j * l] = 1.0;
    restart_basis(g->U, g->nl, l, keep, Pm, l, g->tmp);
    restart_basis(g->V, g->ml, l, keep, Pm, l, g->tmp);
    for (j = 0; j < keep; j++) Pm[j] = g->theta_l[ord[j]];
    for (j = 0; j < keep; j++) g->theta_l[j] = Pm[j];
    g->l = keep;
}

/* ||R||_F^2 of the explicit residuals of the locked triplets 0..k-1,
 * op(A) v_i - theta_i u_i and op(A)^T u_i - theta_i v_i, computed in
 * blocks of bmax columns in the free part of the bases. */
static double locked_residual2(gkl *g, int64_t k, double *worst)
{
    int64_t n = g->nl, m = g->ml, c0, c, i, bw;
    double sum = 0.0, *Xu = g->U + g->l * n, *Xv = g->V + g->l * m;
    for (c0 = 0; c0 < k; c0 += bw) {
        bw = k - c0 < g->bmax ? k - c0 : g->bmax;
        if (bw > g->cap + 1 - g->l) bw = g->cap + 1 - g->l;
        op_mul(g, 0, g->V + c0 * m, bw, Xu);
        op_mul(g, 1, g->U + c0 * n, bw, Xv);
        for (c = 0; c < bw; c++) {
            double th = g->theta_l[c0 + c], su = 0.0, sv = 0.0;
            for (i = 0; i < n; i++) {
                double r = Xu[i + c * n] - th * g->U[i + (c0 + c) * n];
                su += r * r;
            }
            for (i = 0; i < m; i++) {
                double r = Xv[i + c * m] - th * g->V[i + (c0 + c) * m];
                sv += r * r;
            }
            su = lrfa_psum1(g->cu, su);
            sv = lrfa_psum1(g->cv, sv);
            sum += su + sv;
            if (sqrt(0.5 * (su + sv)) > *worst) *worst = sqrt(0.5 * (su + sv));
        }
    }
    return sum;
}

lrfa_status lrfa_svd_lanczos(const lrfa_matrix *A, int64_t k, double tol, uint64_t seed, double *s, lrfa_dense *U,
                             lrfa_dense *V, lrfa_lanczos_info *info, lrfa_error *err)
{
    lrfa_lanczos_options o;
    lrfa_lanczos_options_default(&o);
    o.tol = tol;
    o.seed = seed;
    return lrfa_svd_lanczos_with(A, k, &o, s, U, V, info, err);
}

const char *lrfa_lanczos_check_name(lrfa_lanczos_check c)
{
    switch (c) {
    case LRFA_CHECK_EXACT: return "exact";
    case LRFA_CHECK_BOUND: return "bound";
    case LRFA_CHECK_CONVERGED: return "converged";
    default: return "none";
    }
}

void lrfa_lanczos_options_default(lrfa_lanczos_options *o)
{
    o->tol = 1e-12;
    o->seed = 1;
    o->block = 0;
    o->max_products = 0;
}

lrfa_status lrfa_svd_lanczos_with(const lrfa_matrix *A, int64_t k, const lrfa_lanczos_options *opt, double *s,
                                  lrfa_dense *U, lrfa_dense *V, lrfa_lanczos_info *info, lrfa_error *err)
{
    return lrfa_svd_lanczos_dist(A, NULL, k, opt, s, U, V, info, err);
}

/* A: this process's rows of the whole (comm->rows of them), U its rows of
 * the left vectors; V, s and info the whole's, the same on every process. */
lrfa_status lrfa_svd_lanczos_dist(const lrfa_matrix *A, const lrfa_comm *comm, int64_t k,
                                  const lrfa_lanczos_options *opt, double *s, lrfa_dense *U, lrfa_dense *V,
                                  lrfa_lanczos_info *info, lrfa_error *err)
{
    gkl g;
    const lrfa_comm *cm = lrfa_comm_shared(comm) ? comm : NULL;
    int64_t rows = lrfa_comm_rows(cm, A->rows);
    int sw = A->cols > rows;
    int64_t n = sw ? A->cols : rows, m = sw ? rows : A->cols, kmax = m;
    int64_t cap, b, i, want, round = 0, budget, missed = 0, keep;
    double *theta = NULL, *resid = NULL, *scratch = NULL, tol, next = 0.0, s1 = 0.0;
    int64_t *sel = NULL;
    lrfa_dense *P = NULL, *Q = NULL;
    lrfa_status st = LRFA_OK;
    uint64_t mem = lrfa_memory_budget();
    double budget_bytes, fro;
    int converged = 0, exhausted = 0, serial = 0;
    lrfa_lanczos_check check = LRFA_CHECK_NONE;

    memset(&g, 0, sizeof g);
    if (info) memset(info, 0, sizeof *info);
    if (k < 1 || k > kmax)
        return lrfa_fail(err, LRFA_EINPUT, 0, "Lanczos: %lld singular values of a %lld x %lld matrix", (long long)k,
                         (long long)A->rows, (long long)A->cols);
    tol = opt->tol > 0 ? opt->tol : 1e-12;
    /* the block: 2 vectors (pairs of equal values are the commonest
     * multiplicity), doubled up to 4 times that when a round finds copies
     * the block missed; larger blocks cost more products than they save
     * steps on matrices without multiplicities (docs/spectrum.md) */
    b = opt->block > 0 ? opt->block : 2;
    if (b > kmax) b = kmax;
    g.bmax = 4 * b;
    if (g.bmax > kmax) g.bmax = kmax;
    /* the basis holds 3k + 40 + 2 bmax vectors on each side, or, when that
     * would pass 256 MiB, as many as fit there but no fewer than
     * k + 3 bmax + 4 (room for the locked values and a few blocks; the
     * largest block then halves to fit four times beside the k values, below).
     * On a 10^6 x 10^6 sparse Y with 10^7 entries, k = 16: k + 3 bmax + 10
     * once took the run's peak from 1907 to 1541 MB against 2k + 4 bmax +
     * 10, in 43.0 s against 42.3; with the products' and the vectors'
     * memory since cut, the spectrum peaks at 1190 MiB in 63.7 s with it,
     * at 1037 MiB in 70.8 s with k + 3 bmax + 4 (below the fit's own peak),
     * and at 1052 MiB but in 142.7 s with k + 17: too little room. Never
     * more than a quarter of the memory, nor than the space */
    budget_bytes = mem ? 0.25 * (double)mem : 4e9;
    cap = 3 * k + 40 + 2 * g.bmax;
    if (8.0 * (double)(n + m + 2) * (double)(cap + g.bmax) > BASIS_BYTES) {
        int64_t fit = (int64_t)(BASIS_BYTES / (8.0 * (double)(n + m + 2))) - g.bmax, low = k + 3 * g.bmax + 4;
        cap = fit > low ? fit : low;
    }
    if ((double)(cap + g.bmax) > budget_bytes / (8.0 * (double)(n + m + 2)))
        cap = (int64_t)(budget_bytes / (8.0 * (double)(n + m + 2))) - g.bmax;
    /* below the whole space, the basis must hold the k values and three
     * blocks (of one vector at the least; more than the budget if need be),
     * and the largest block four times over beside them */
    if (cap < k + 3) cap = k + 3;
    if (cap > kmax) cap = kmax;
    while (b > 1 && cap < kmax && k + 3 * b > cap) b--;
    if (g.bmax < b) g.bmax = b;
    while (g.bmax > b && cap < kmax && k + 4 * g.bmax > cap) g.bmax /= 2;
    if (g.bmax < b) g.bmax = b;
    g.cap = cap;
    g.A = A;
    g.sw = sw;
    g.n = n;
    g.m = m;
    /* the side of Y's rows is split between the processes: u, or v when swapped */
    g.nl = sw ? A->cols : A->rows;
    g.ml = sw ? A->rows : A->cols;
    g.cu = sw ? NULL : cm;
    g.cv = sw ? cm : NULL;
    g.r0 = lrfa_comm_row0(cm);
    budget = opt->max_products > 0 ? opt->max_products : 20 * kmax + 1000;
    if (opt->max_products <= 0 && budget > 1000 * (k + 20)) budget = 1000 * (k + 20);

    g.U = lrfa_alloc_array(g.nl * (cap + 1) + 1, sizeof(double));
    g.V = lrfa_alloc_array(g.ml * (cap + g.bmax) + 1, sizeof(double));
    g.H = lrfa_calloc_array(cap * cap, sizeof(double));
    g.F = lrfa_calloc_array(g.bmax * cap, sizeof(double));
    g.T = lrfa_alloc_array((cap + g.bmax) * g.bmax + cap, sizeof(double));
    g.Rb = lrfa_alloc_array(g.bmax * g.bmax, sizeof(double));
    g.nrm = lrfa_alloc_array(2 * g.bmax, sizeof(double));
    g.orig = lrfa_alloc_array(g.bmax, sizeof(double));
    g.gs_part = lrfa_alloc_array((int64_t)lrfa_threads() * (cap + g.bmax) * g.bmax, sizeof(double));
    g.tmp = lrfa_alloc_array((int64_t)lrfa_threads() * RESTART_ROWS * cap + cap * g.bmax + cap * cap, sizeof(double));
    g.theta_l = lrfa_alloc_array(cap + g.bmax, sizeof(double));
    theta = lrfa_alloc_array(cap, sizeof(double));
    resid = lrfa_alloc_array(cap, sizeof(double));
    scratch = lrfa_alloc_array(cap * cap + cap, sizeof(double));
    sel = lrfa_alloc_array(cap, sizeof(int64_t));
    if (A->storage == LRFA_STORAGE_SPARSE) g.work = lrfa_alloc_array(lrfa_y_block_work(A, g.bmax), sizeof(double));
    if (!g.U || !g.V || !g.H || !g.F || !g.T || !g.Rb || !g.nrm || !g.orig || !g.gs_part || !g.tmp || !g.theta_l || !theta || !resid ||
        !scratch || !sel || (A->storage == LRFA_STORAGE_SPARSE && !g.work)) {
        st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for Lanczos on a %lld x %lld matrix", (long long)A->rows,
                       (long long)A->cols);
        goto done;
    }
    fro = lrfa_matrix_fro_norm(A);
    if (cm) fro = sqrt(lrfa_psum1(cm, fro * fro));
    if (!(fro > 0.0)) {
        st = lrfa_fail(err, LRFA_ENUMERIC, 0, "Lanczos: the matrix is zero");
        goto done;
    }
    g.brk = 1e3 * DBL_EPSILON * fro;
    lrfa_rng_seed(&g.rng, opt->seed, 20);
    /* with a sparse A every large product and every pass over the basis
     * runs on the library's threads (yops.c, blockgs.c) */
    serial = A->storage == LRFA_STORAGE_SPARSE;
    if (serial) lrfa_blas_serial_begin();
    want = k;
    keep = k + (k / 2 > 10 ? k / 2 : 10);
    if (gkl_start(&g, b) == 0) {
        st = lrfa_fail(err, LRFA_EINPUT, 0, "Lanczos: empty matrix");
        goto done;
    }

    for (;;) {
        int conv = 0, next_round = 0;
        int64_t room = g.cap - g.l, bw;
        /* extend while there is room for the block and no check is due */
        exhausted = 0;
        while (g.w > 0 && g.d + g.w <= room) {
            bw = gkl_extend(&g, b);
            if (bw < 0) {
                st = lrfa_fail(err, LRFA_ENUMERIC, 0, "Lanczos: the u basis could not be extended");
                goto done;
            }
            g.steps++;
            if (g.d >= want && (g.d - g.checked >= (g.d / 8 > 10 ? g.d / 8 : 10) || g.w == 0 ||
                                g.d + g.w > room || round > 0))
                break;
        }
        if (g.w == 0) exhausted = 1; /* the v side is spanned: H's values are exact */
        g.checked = g.d;
        if (g.d == 0) {
            /* nothing active: the locked values are all there is */
            converged = 1;
            check = LRFA_CHECK_EXACT;
            break;
        }
        if ((st = gkl_ritz(&g, &P, &Q, theta, resid, err)) != LRFA_OK) goto done;
        s1 = theta[0];
        for (i = 0; i < g.l; i++)
            if (g.theta_l[i] > s1) s1 = g.theta_l[i];
        if (round == 0) {
            conv = g.d >= want;
            for (i = 0; i < want && i < g.d && conv; i++)
                if (!(resid[i] <= tol * s1)) conv = 0;
            if (exhausted) conv = 1;
            if (conv) {
                int64_t nl = want < g.d ? want : g.d;
                for (i = 0; i < nl; i++) sel[i] = i;
                gkl_lock(&g, P, Q, theta, sel, nl, scratch);
                if (exhausted || g.l >= kmax) {
                    /* every value of A is in H, so nothing can be missing */
                    converged = 1;
                    check = LRFA_CHECK_EXACT;
                    next = nl < g.d ? theta[nl] : 0.0;
                    break;
                }
                round = 1;
                want = 1;
                next_round = 1;
            }
        } else {
            double sk = g.theta_l[k - 1], q = (double)g.steps, N = (double)(m - g.l);
            int settled = exhausted || resid[0] <= tol * s1;
            if (!settled && !g.restarted && q >= 1) {
                double e = q >= 2 ? log(1.648 * sqrt(N) * (double)g.cap / MISS_PROB) / (2.0 * q - 3.0) : 2.0;
                e *= e;
                if (e < 1.0 && theta[0] * theta[0] <= (1.0 - e) * sk * sk) {
                    next = theta[0];
                    converged = 1;
                    check = LRFA_CHECK_BOUND;
                    break;
                }
            }
            if (settled && theta[0] <= sk + tol * s1) {
                next = theta[0];
                converged = 1;
                check = exhausted ? LRFA_CHECK_EXACT : LRFA_CHECK_CONVERGED;
                break;
            }
            if (settled) {
                /* missed values: lock every converged value above s_k */
                int64_t ns = 0;
                for (i = 0; i < g.d && theta[i] > sk + tol * s1 && (exhausted || resid[i] <= tol * s1); i++)
                    sel[ns++] = i;
                missed += ns;
                gkl_lock(&g, P, Q, theta, sel, ns, scratch);
                gkl_sort_locked(&g, k + g.bmax < g.cap - 4 * g.bmax ? k + g.bmax : k, scratch);
                if (2 * b <= g.bmax && 4 * 2 * b <= g.cap - g.l) b *= 2;
                round++;
                next_round = 1;
            }
        }
        if (next_round) {
            /* a fresh block orthogonal to the locked vectors; none left
             * means the locked ones span the space */
            keep = 10 + b;
            if (gkl_start(&g, b) == 0) {
                converged = 1;
                check = LRFA_CHECK_EXACT;
                break;
            }
            continue;
        }
        if (g.products > budget) break; /* not converged */
        if (g.d + g.w > g.cap - g.l) {
            int64_t kk = keep;
            if (kk > g.d - g.w) kk = g.d - g.w;
            if (kk > g.cap - g.l - 2 * g.w) kk = g.cap - g.l - 2 * g.w;
            if (kk < want) kk = want < g.d ? want : g.d;
            if (kk + g.w > g.cap - g.l) break; /* no room to go on (cannot happen with cap >= k + 3): not settled */
            gkl_restart(&g, P, Q, theta, kk);
            g.restarted = 1;
            g.checked = g.d;
            if (info) info->restarts++;
        }
    }
    if (!converged) {
        if (round == 0) {
            /* the budget ran out in round 0: report the Ritz values as they are */
            int64_t nl = k < g.d ? k : g.d;
            for (i = 0; i < nl; i++) sel[i] = i;
            gkl_lock(&g, P, Q, theta, sel, nl, scratch);
        } else {
            converged = 1; /* the values converged; the check for missed copies did not finish */
            next = theta[0];
        }
    }
    gkl_sort_locked(&g, k < g.l ? k : g.l, scratch);
    for (i = 0; i < k; i++) s[i] = i < g.l ? g.theta_l[i] : 0.0;
    if (U || V) {
        int64_t c;
        lrfa_dense *Uo = sw ? V : U, *Vo = sw ? U : V; /* the u side is A's column side unless swapped */
        if (Uo) {
            memset(Uo->data, 0, sizeof(double) * (size_t)(Uo->rows * Uo->cols));
            for (c = 0; c < Uo->cols && c < g.l; c++)
                memcpy(Uo->data + c * g.nl, g.U + c * g.nl, sizeof(double) * (size_t)g.nl);
        }
        if (Vo) {
            memset(Vo->data, 0, sizeof(double) * (size_t)(Vo->rows * Vo->cols));
            for (c = 0; c < Vo->cols && c < g.l; c++)
                memcpy(Vo->data + c * g.ml, g.V + c * g.ml, sizeof(double) * (size_t)g.ml);
        }
    }
    if (info) {
        double worst = 0.0, r2 = locked_residual2(&g, g.l < k ? g.l : k, &worst);
        s1 = g.l > 0 && g.theta_l[0] > 0 ? g.theta_l[0] : 1.0;
        info->steps = g.l + g.d;
        info->products = g.products;
        info->converged = converged ? k : 0;
        info->residual = worst / s1;
        info->error_bound = sqrt(0.5 * r2) / s1;
        info->check = check;
        info->next_value = next;
        info->missed = missed;
        info->block = b;
        info->rounds = round + 1;
    }
done:
    if (serial) lrfa_blas_serial_end();
    lrfa_dealloc(g.U);
    lrfa_dealloc(g.V);
    lrfa_dealloc(g.H);
    lrfa_dealloc(g.F);
    lrfa_dealloc(g.T);
    lrfa_dealloc(g.Rb);
    lrfa_dealloc(g.nrm);
    lrfa_dealloc(g.orig);
    lrfa_dealloc(g.gs_part);
    lrfa_dealloc(g.tmp);
    lrfa_dealloc(g.work);
    lrfa_dealloc(g.theta_l);
    lrfa_dealloc(theta);
    lrfa_dealloc(resid);
    lrfa_dealloc(scratch);
    lrfa_dealloc(sel);
    lrfa_dense_free(P);
    lrfa_dense_free(Q);
    return st;
}
