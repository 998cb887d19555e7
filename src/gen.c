/* gen.c: synthetic low-rank matrices. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lrfa/gen.h"
#include "lrfa/linalg.h"
#include "lrfa/rng.h"
#include "internal.h"

/* Y = (U diag(s)) V^T with one dgemm. */
lrfa_dense *lrfa_gen_lowrank(int64_t n, int64_t m, int64_t k, const double *s, uint64_t seed,
                             lrfa_error *err)
{
    lrfa_dense *U = NULL, *V = NULL, *Y = NULL;
    lrfa_rng rng;
    int64_t i, j;
    if (k < 0 || k > n || k > m) {
        lrfa_fail(err, LRFA_EINPUT, 0, "rank %lld does not fit a %lld x %lld matrix", (long long)k,
                  (long long)n, (long long)m);
        return NULL;
    }
    U = lrfa_dense_alloc(n, k, err);
    V = lrfa_dense_alloc(m, k, err);
    Y = lrfa_dense_alloc(n, m, err);
    if (!U || !V || !Y) goto fail;
    lrfa_rng_seed(&rng, seed, 10);
    lrfa_rng_fill_gaussian(&rng, U->data, n * k, 1.0);
    lrfa_rng_seed(&rng, seed, 11);
    lrfa_rng_fill_gaussian(&rng, V->data, m * k, 1.0);
    if (lrfa_qr_orthonormal(U, err) != LRFA_OK || lrfa_qr_orthonormal(V, err) != LRFA_OK) goto fail;
    for (j = 0; j < k; j++)
        for (i = 0; i < n; i++) U->data[i + j * n] *= s[j];
    if (k > 0 && n > 0 && m > 0)
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)n, (int)m, (int)k, 1.0, U->data, (int)n,
                    V->data, (int)m, 0.0, Y->data, (int)n);
    lrfa_dense_free(U);
    lrfa_dense_free(V);
    return Y;
fail:
    lrfa_dense_free(U);
    lrfa_dense_free(V);
    lrfa_dense_free(Y);
    return NULL;
}

const char *lrfa_spectrum_spec(const char *spec, int64_t k, double *s)
{
    static char msg[200];
    int64_t i;
    char *end;
    if (k < 1) return "the rank must be at least 1";
    if (!strcmp(spec, "flat")) {
        for (i = 0; i < k; i++) s[i] = 1.0;
    } else if (!strcmp(spec, "linear")) {
        for (i = 0; i < k; i++) s[i] = (double)(k - i) / (double)k;
    } else if (!strncmp(spec, "geometric:", 10)) {
        double q = strtod(spec + 10, &end);
        if (end == spec + 10 || *end || !(q > 0.0 && q <= 1.0)) return "geometric:Q needs 0 < Q <= 1";
        s[0] = 1.0;
        for (i = 1; i < k; i++) s[i] = s[i - 1] * q;
        if (!(s[k - 1] > 0.0)) return "geometric:Q: the smallest value underflows to 0; use a larger Q";
    } else if (!strncmp(spec, "power:", 6)) {
        double a = strtod(spec + 6, &end);
        if (end == spec + 6 || *end || !(a >= 0.0 && a <= 100.0)) return "power:A needs 0 <= A <= 100";
        for (i = 0; i < k; i++) s[i] = pow((double)(i + 1), -a);
    } else if (!strncmp(spec, "nearflat:", 9)) {
        double d = strtod(spec + 9, &end);
        if (end == spec + 9 || *end || !(d >= 0.0 && d <= 1e6)) return "nearflat:D needs 0 <= D <= 1e6";
        for (i = 0; i < k; i++) s[i] = k == 1 ? 1.0 + d : 1.0 + d * (double)(k - 1 - i) / (double)(k - 1);
    } else if (!strncmp(spec, "list:", 5)) {
        const char *p = spec + 5;
        for (i = 0; i < k; i++) {
            s[i] = strtod(p, &end);
            if (end == p || !(s[i] > 0.0) || !isfinite(s[i]) || (i > 0 && s[i] > s[i - 1])) {
                snprintf(msg, sizeof msg, "list: value %lld is missing, not positive or larger than the one before",
                         (long long)i + 1);
                return msg;
            }
            p = end;
            if (i + 1 < k) {
                if (*p != ',') {
                    snprintf(msg, sizeof msg, "list: expected %lld comma-separated values (one per rank)",
                             (long long)k);
                    return msg;
                }
                p++;
            }
        }
        if (*p) {
            snprintf(msg, sizeof msg, "list: more than %lld values (one per rank)", (long long)k);
            return msg;
        }
    } else {
        return "unknown spectrum: expected flat, linear, geometric:Q, power:A, nearflat:D or list:s1,s2,...";
    }
    return NULL;
}

/* Row i of Y belongs to block b = rowblock[i] (or none, -1), column j to
 * colblock[j]; Y_ij = s_b p_i q_j when both are in block b, with p and q
 * Gaussian and normalised within each block. */
lrfa_sparse *lrfa_gen_sparse_lowrank(int64_t n, int64_t m, int64_t k, const double *s, double density,
                                     uint64_t seed, lrfa_error *err)
{
    int64_t *rowblock = NULL, *colblock = NULL, *perm = NULL, *ti = NULL, *tj = NULL;
    int64_t *rcount = NULL, *ccount = NULL, i, j, b, nz = 0, rows_used, cols_used;
    double *p = NULL, *q = NULL, *tx = NULL, *pn = NULL, *qn = NULL, frac;
    lrfa_sparse *S = NULL;
    lrfa_rng rng;
    if (k < 1 || k > n || k > m) {
        lrfa_fail(err, LRFA_EINPUT, 0, "rank %lld does not fit a %lld x %lld matrix", (long long)k,
                  (long long)n, (long long)m);
        return NULL;
    }
    if (!(density > 0.0) || density * (double)k > 1.0 + 1e-12) {
        lrfa_fail(err, LRFA_EINPUT, 0,
                  "density %g is out of range for rank %lld: a sparse matrix with exactly the requested "
                  "singular values is built from disjoint blocks, so 0 < density <= 1/rank = %g",
                  density, (long long)k, 1.0 / (double)k);
        return NULL;
    }
    /* use a fraction frac of the rows and of the columns, k blocks of each:
     * stored = (frac n / k)(frac m / k) k = frac^2 n m / k */
    frac = sqrt(density * (double)k);
    rows_used = (int64_t)llround(frac * (double)n);
    cols_used = (int64_t)llround(frac * (double)m);
    if (rows_used < k) rows_used = k;
    if (cols_used < k) cols_used = k;
    if (rows_used > n) rows_used = n;
    if (cols_used > m) cols_used = m;
    rowblock = lrfa_alloc_array(n, sizeof(int64_t));
    colblock = lrfa_alloc_array(m, sizeof(int64_t));
    perm = lrfa_alloc_array(n > m ? n : m, sizeof(int64_t));
    p = lrfa_alloc_array(n, sizeof(double));
    q = lrfa_alloc_array(m, sizeof(double));
    pn = lrfa_calloc_array(k, sizeof(double));
    qn = lrfa_calloc_array(k, sizeof(double));
    rcount = lrfa_calloc_array(k, sizeof(int64_t));
    ccount = lrfa_calloc_array(k, sizeof(int64_t));
    if (!rowblock || !colblock || !perm || !p || !q || !pn || !qn || !rcount || !ccount) goto nomem;
    lrfa_rng_seed(&rng, seed, 12);
    /* random rows into blocks: a shuffled order, first rows_used dealt round robin */
    for (i = 0; i < n; i++) perm[i] = i;
    for (i = n - 1; i > 0; i--) {
        int64_t t = (int64_t)(lrfa_rng_u64(&rng) % (uint64_t)(i + 1)), tmp = perm[i];
        perm[i] = perm[t];
        perm[t] = tmp;
    }
    for (i = 0; i < n; i++) rowblock[perm[i]] = i < rows_used ? i % k : -1;
    for (j = 0; j < m; j++) perm[j] = j;
    for (j = m - 1; j > 0; j--) {
        int64_t t = (int64_t)(lrfa_rng_u64(&rng) % (uint64_t)(j + 1)), tmp = perm[j];
        perm[j] = perm[t];
        perm[t] = tmp;
    }
    for (j = 0; j < m; j++) colblock[perm[j]] = j < cols_used ? j % k : -1;
    lrfa_rng_fill_gaussian(&rng, p, n, 1.0);
    lrfa_rng_fill_gaussian(&rng, q, m, 1.0);
    for (i = 0; i < n; i++)
        if (rowblock[i] >= 0) {
            pn[rowblock[i]] += p[i] * p[i];
            rcount[rowblock[i]]++;
        }
    for (j = 0; j < m; j++)
        if (colblock[j] >= 0) {
            qn[colblock[j]] += q[j] * q[j];
            ccount[colblock[j]]++;
        }
    for (b = 0; b < k; b++) nz += rcount[b] * ccount[b];
    ti = lrfa_alloc_array(nz, sizeof(int64_t));
    tj = lrfa_alloc_array(nz, sizeof(int64_t));
    tx = lrfa_alloc_array(nz, sizeof(double));
    if (!ti || !tj || !tx) goto nomem;
    /* rows listed block by block (perm reused): block b's rows are
     * perm[start[b] .. start[b] + rcount[b]) */
    {
        int64_t *start = lrfa_calloc_array(k + 1, sizeof(int64_t)), t;
        if (!start) goto nomem;
        for (b = 0; b < k; b++) start[b + 1] = start[b] + rcount[b];
        for (i = 0; i < n; i++)
            if (rowblock[i] >= 0) perm[start[rowblock[i]]++] = i;
        for (b = k; b > 0; b--) start[b] = start[b - 1];
        start[0] = 0;
        nz = 0;
        for (j = 0; j < m; j++) {
            if ((b = colblock[j]) < 0) continue;
            for (t = start[b]; t < start[b] + rcount[b]; t++) {
                i = perm[t];
                ti[nz] = i;
                tj[nz] = j;
                tx[nz++] = s[b] * (p[i] / sqrt(pn[b])) * (q[j] / sqrt(qn[b]));
            }
        }
        lrfa_dealloc(start);
    }
    S = lrfa_sparse_from_triplets(n, m, nz, ti, tj, tx, err);
    goto done;
nomem:
    lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory generating a sparse %lld x %lld matrix", (long long)n,
              (long long)m);
done:
    lrfa_dealloc(rowblock);
    lrfa_dealloc(colblock);
    lrfa_dealloc(perm);
    lrfa_dealloc(p);
    lrfa_dealloc(q);
    lrfa_dealloc(pn);
    lrfa_dealloc(qn);
    lrfa_dealloc(rcount);
    lrfa_dealloc(ccount);
    lrfa_dealloc(ti);
    lrfa_dealloc(tj);
    lrfa_dealloc(tx);
    return S;
}

void lrfa_gen_add_noise(double *values, int64_t count, double sigma, uint64_t seed)
{
    lrfa_rng rng;
    int64_t i;
    lrfa_rng_seed(&rng, seed, 13);
    for (i = 0; i < count; i++) values[i] += sigma * lrfa_rng_gaussian(&rng);
}

/* Parses a positive integer at *p up to a non-digit, advancing *p. */
static int parse_count(const char **p, int64_t max, int64_t *out)
{
    int64_t v = 0;
    const char *q = *p;
    if (*q < '0' || *q > '9') return 0;
    for (; *q >= '0' && *q <= '9'; q++) {
        v = 10 * v + (*q - '0');
        if (v > max) return 0;
    }
    *p = q;
    *out = v;
    return 1;
}

/* Triplets of a graph matrix, filled by one of the builders below. */
typedef struct triplets {
    int64_t n, cap, *i, *j;
    double *x;
} triplets;

static void trip_add(triplets *t, int64_t i, int64_t j, double x)
{
    t->i[t->n] = i;
    t->j[t->n] = j;
    t->x[t->n++] = x;
}

lrfa_sparse *lrfa_gen_graph(const char *spec, lrfa_error *err)
{
    triplets t = {0, 0, NULL, NULL, NULL};
    int64_t nodes = 0, P = 0, Q = 0, D = 0, v, b;
    lrfa_sparse *S = NULL;
    const char *p;
    int kind;
    if (!strncmp(spec, "cycle:", 6)) {
        p = spec + 6;
        kind = 0;
        if (!parse_count(&p, INT64_C(1) << 31, &nodes) || *p || nodes < 3) goto bad;
        t.cap = 2 * nodes;
    } else if (!strncmp(spec, "grid:", 5)) {
        p = spec + 5;
        kind = 1;
        if (!parse_count(&p, INT64_C(1) << 20, &P) || *p++ != 'x' || !parse_count(&p, INT64_C(1) << 20, &Q) || *p ||
            P < 1 || Q < 1 || P * Q < 2)
            goto bad;
        nodes = P * Q;
        t.cap = 5 * nodes;
    } else if (!strncmp(spec, "hypercube:", 10)) {
        p = spec + 10;
        kind = 2;
        if (!parse_count(&p, 20, &D) || *p || D < 1) goto bad;
        nodes = INT64_C(1) << D;
        t.cap = D * nodes;
    } else {
        goto bad;
    }
    t.i = lrfa_alloc_array(t.cap, sizeof(int64_t));
    t.j = lrfa_alloc_array(t.cap, sizeof(int64_t));
    t.x = lrfa_alloc_array(t.cap, sizeof(double));
    if (!t.i || !t.j || !t.x) {
        lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the graph %s", spec);
        goto done;
    }
    if (kind == 0) {
        for (v = 0; v < nodes; v++) {
            trip_add(&t, v, (v + 1) % nodes, 1.0);
            trip_add(&t, (v + 1) % nodes, v, 1.0);
        }
    } else if (kind == 1) {
        /* node (a, c) is a * Q + c; L = degree - adjacency */
        for (v = 0; v < nodes; v++) {
            int64_t a = v / Q, c = v % Q, deg = 0;
            if (a > 0) trip_add(&t, v, v - Q, -1.0), deg++;
            if (a < P - 1) trip_add(&t, v, v + Q, -1.0), deg++;
            if (c > 0) trip_add(&t, v, v - 1, -1.0), deg++;
            if (c < Q - 1) trip_add(&t, v, v + 1, -1.0), deg++;
            trip_add(&t, v, v, (double)deg);
        }
    } else {
        for (v = 0; v < nodes; v++)
            for (b = 0; b < D; b++) trip_add(&t, v, v ^ (INT64_C(1) << b), 1.0);
    }
    S = lrfa_sparse_from_triplets(nodes, nodes, t.n, t.i, t.j, t.x, err);
    goto done;
bad:
    lrfa_fail(err, LRFA_EINPUT, 0, "unknown graph '%s' (expected cycle:N with N >= 3, grid:PxQ or hypercube:D with D <= 20)",
              spec);
done:
    lrfa_dealloc(t.i);
    lrfa_dealloc(t.j);
    lrfa_dealloc(t.x);
    return S;
}
