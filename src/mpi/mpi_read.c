/* mpi_read.c: a Matrix Market file read by all the processes at once.
 *
 * Every process reads the header, then the bytes of the entries are cut in
 * P ranges, one a process (a line belongs to the range it starts in). Each
 * counts its lines and entries, the counts before it give it the number of
 * its first line and the index of its first entry, and it parses its range
 * with the serial reader's checks and messages; the first error by line
 * wins, and every process reports it. The entries then go to the process
 * that owns their row (rows in blocks, mpi_row0), and each builds its
 * block: compressed columns for a coordinate file, dense for an array file
 * (whose values go in rounds straight into the block). No process holds
 * more than its range's entries and its block, with a coordinate file's
 * triplets while they are exchanged and compressed. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "mpi_util.h"
#include "../internal.h"

static int owner(int64_t row, int64_t n, int P)
{
    /* the k with mpi_row0(n, k) <= row < mpi_row0(n, k + 1) */
    int k = (int)((__int128)row * P / (n > 0 ? n : 1));
    while (k > 0 && mpi_row0(n, k, P) > row) k--;
    while (k + 1 < P && mpi_row0(n, k + 1, P) <= row) k++;
    return k;
}

/* Sends every (i, j, x) of the arrays (len each) to the owner of its row
 * (of j instead when by_col), and returns what this process received. The
 * arrays are freed (and set to NULL) once packed for sending, so they and
 * the received ones never coexist with the packed ones. */
static lrfa_status exchange(MPI_Comm comm, int64_t **pi, int64_t **pj, double **px, int64_t len,
                            int by_col, int64_t n, int64_t **ri, int64_t **rj, double **rx, int64_t *rlen,
                            lrfa_error *err)
{
    int P, k;
    int64_t t, total = 0, *ti = *pi, *tj = *pj;
    double *tx = *px;
    int *sc = NULL, *sd = NULL, *rc = NULL, *rd = NULL;
    int64_t *pos = NULL, *si = NULL, *sj = NULL;
    double *sx = NULL;
    lrfa_status st = LRFA_OK;
    MPI_Comm_size(comm, &P);
    *ri = *rj = NULL;
    *rx = NULL;
    *rlen = 0;
    sc = lrfa_calloc_array(P, sizeof *sc);
    sd = lrfa_calloc_array(P, sizeof *sd);
    rc = lrfa_calloc_array(P, sizeof *rc);
    rd = lrfa_calloc_array(P, sizeof *rd);
    pos = lrfa_calloc_array(P, sizeof *pos);
    si = lrfa_alloc_array(len > 0 ? len : 1, sizeof(int64_t));
    sj = lrfa_alloc_array(len > 0 ? len : 1, sizeof(int64_t));
    sx = lrfa_alloc_array(len > 0 ? len : 1, sizeof(double));
    if (!sc || !sd || !rc || !rd || !pos || !si || !sj || !sx) {
        st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory sending %lld entries to their rows", (long long)len);
        goto done;
    }
    {
        int64_t *cnt = lrfa_calloc_array(P, sizeof *cnt);
        if (!cnt) {
            st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory");
            goto done;
        }
        for (t = 0; t < len; t++) cnt[owner(by_col ? tj[t] : ti[t], n, P)]++;
        for (k = 0; k < P; k++) {
            if (cnt[k] > INT_MAX) st = lrfa_fail(err, LRFA_ERANGE, 0, "more than %d entries for one process", INT_MAX);
            sc[k] = (int)cnt[k];
        }
        lrfa_dealloc(cnt);
        if (st != LRFA_OK) goto done;
    }
    for (k = 1; k < P; k++) {
        if ((int64_t)sd[k - 1] + sc[k - 1] > INT_MAX) {
            st = lrfa_fail(err, LRFA_ERANGE, 0, "more than %d entries in one process's range", INT_MAX);
            goto done;
        }
        sd[k] = sd[k - 1] + sc[k - 1];
    }
    for (k = 0; k < P; k++) pos[k] = sd[k];
    for (t = 0; t < len; t++) {
        int64_t p = pos[owner(by_col ? tj[t] : ti[t], n, P)]++;
        si[p] = ti[t];
        sj[p] = tj[t];
        sx[p] = tx[t];
    }
    lrfa_dealloc(ti);
    lrfa_dealloc(tj);
    lrfa_dealloc(tx);
    *pi = *pj = NULL;
    *px = NULL;
done:
    st = mpi_agree(comm, st, err);
    if (st == LRFA_OK) {
        MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, comm);
        for (k = 0; k < P; k++) total += rc[k];
        for (k = 1; k < P; k++) rd[k] = rd[k - 1] + rc[k - 1];
        if (total > INT_MAX) st = lrfa_fail(err, LRFA_ERANGE, 0, "more than %d entries for one process", INT_MAX);
        else if (!(*ri = lrfa_alloc_array(total + 1, sizeof(int64_t))) ||
                 !(*rj = lrfa_alloc_array(total + 1, sizeof(int64_t))) ||
                 !(*rx = lrfa_alloc_array(total + 1, sizeof(double))))
            st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory for the %lld entries of this process's rows",
                           (long long)total);
        st = mpi_agree(comm, st, err);
    }
    if (st == LRFA_OK) {
        MPI_Alltoallv(si, sc, sd, MPI_INT64_T, *ri, rc, rd, MPI_INT64_T, comm);
        MPI_Alltoallv(sj, sc, sd, MPI_INT64_T, *rj, rc, rd, MPI_INT64_T, comm);
        MPI_Alltoallv(sx, sc, sd, MPI_DOUBLE, *rx, rc, rd, MPI_DOUBLE, comm);
        *rlen = total;
    } else {
        lrfa_dealloc(*ri);
        lrfa_dealloc(*rj);
        lrfa_dealloc(*rx);
        *ri = *rj = NULL;
        *rx = NULL;
    }
    lrfa_dealloc(sc);
    lrfa_dealloc(sd);
    lrfa_dealloc(rc);
    lrfa_dealloc(rd);
    lrfa_dealloc(pos);
    lrfa_dealloc(si);
    lrfa_dealloc(sj);
    lrfa_dealloc(sx);
    return st;
}

/* The place of an array file's values in turn: column-major, or the packed
 * lower triangle by columns (strictly lower for skew). */
typedef struct array_pos {
    int64_t n, i, j, skew;
    int general;
} array_pos;

static void array_start(const lrfa_mm_header *h, int64_t g0, array_pos *a)
{
    int64_t start = 0, j;
    a->n = h->rows;
    a->general = h->symmetry == LRFA_MM_GENERAL;
    a->skew = h->symmetry == LRFA_MM_SKEW;
    if (a->general) {
        a->i = a->n > 0 ? g0 % a->n : 0;
        a->j = a->n > 0 ? g0 / a->n : 0;
        return;
    }
    /* the column holding g0, and its first index */
    for (j = 0; j < a->n; j++) {
        int64_t h_j = a->n - j - a->skew;
        if (g0 < start + h_j) break;
        start += h_j;
    }
    a->j = j;
    a->i = j + a->skew + (g0 - start);
}

static void array_next(array_pos *a)
{
    if (++a->i < a->n) return;
    a->j++;
    a->i = a->general ? 0 : a->j + a->skew;
}

/* An array file's values x (len of them, the first the g0-th of the file)
 * into the dense blocks of their rows' owners (of their columns' for the
 * transpose), D this process's block (rows x m, its first row row0), with
 * the mirrored copies of a symmetric file: in rounds of ARRAY_ROUND values
 * from the end of x, which shrinks after each, every value sent as (its
 * place in the owner's block, value), so that no process holds more than
 * its values and its block together, and a round's messages. */
enum { ARRAY_ROUND = 1 << 18 };
static int64_t array_round = ARRAY_ROUND;

void mpi_read_set_round(int64_t values)
{
    array_round = values > 0 ? values : ARRAY_ROUND;
}

static lrfa_status exchange_array(MPI_Comm comm, const lrfa_mm_header *h, int64_t g0, double **px, int64_t len,
                                  int transpose, int64_t n, lrfa_dense *D, lrfa_error *err)
{
    int P, k;
    int64_t rounds, mine, round, t, done = 0, cap_in = 0, *sp = NULL, *rp = NULL, *row0 = NULL;
    double *sv = NULL, *rv = NULL, sign = h->symmetry == LRFA_MM_SKEW ? -1.0 : 1.0;
    int *sc = NULL, *sd = NULL, *rc = NULL, *rd = NULL, *fill = NULL;
    lrfa_status st = LRFA_OK;
    array_pos a;
    MPI_Comm_size(comm, &P);
    mine = (len + array_round - 1) / array_round;
    MPI_Allreduce(&mine, &rounds, 1, MPI_INT64_T, MPI_MAX, comm);
    sc = lrfa_calloc_array(P, sizeof *sc);
    sd = lrfa_calloc_array(P, sizeof *sd);
    rc = lrfa_calloc_array(P, sizeof *rc);
    rd = lrfa_calloc_array(P, sizeof *rd);
    fill = lrfa_calloc_array(P, sizeof *fill);
    row0 = lrfa_calloc_array(P + 1, sizeof *row0);
    sp = lrfa_alloc_array(2 * array_round, sizeof *sp);
    sv = lrfa_alloc_array(2 * array_round, sizeof *sv);
    if (!sc || !sd || !rc || !rd || !fill || !row0 || !sp || !sv)
        st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory sending the values to their rows");
    for (k = 0; row0 && k <= P; k++) row0[k] = mpi_row0(n, k, P);
    if ((st = mpi_agree(comm, st, err)) != LRFA_OK) rounds = 0;
    for (round = 0; round < rounds; round++) {
        /* from the end of the range, so that x shrinks as its values go */
        int64_t c = st == LRFA_OK && len - done < array_round ? len - done : array_round, total = 0, lo;
        const double *x = *px;
        if (st != LRFA_OK) c = 0;
        lo = len - done - c;
        array_start(h, g0 + lo, &a);
        /* twice over: count each owner's values, then place them */
        for (int pass = 0; pass < 2; pass++) {
            array_pos q = a;
            if (pass == 1) {
                for (k = 1; k < P; k++) sd[k] = sd[k - 1] + sc[k - 1];
                for (k = 0; k < P; k++) fill[k] = sd[k];
            } else {
                memset(sc, 0, sizeof(int) * (size_t)P);
            }
            for (t = 0; t < c; t++, array_next(&q)) {
                for (int mirror = 0; mirror < 2; mirror++) {
                    int64_t i = mirror ? q.j : q.i, j = mirror ? q.i : q.j, row, col;
                    if (mirror && (q.general || q.i == q.j)) break;
                    row = transpose ? j : i;
                    col = transpose ? i : j;
                    k = owner(row, n, P);
                    if (pass == 0) {
                        sc[k]++;
                    } else {
                        int64_t f = fill[k]++;
                        sp[f] = (row - row0[k]) + col * (row0[k + 1] - row0[k]);
                        sv[f] = mirror ? sign * x[lo + t] : x[lo + t];
                    }
                }
            }
        }
        done += c;
        if (c > 0) {
            double *y = lrfa_realloc_array(*px, lo > 0 ? lo : 1, sizeof(double));
            if (y) *px = y;
        }
        MPI_Alltoall(sc, 1, MPI_INT, rc, 1, MPI_INT, comm);
        for (k = 0; k < P; k++) total += rc[k];
        for (k = 1; k < P; k++) rd[k] = rd[k - 1] + rc[k - 1];
        if (st == LRFA_OK && total > cap_in) {
            lrfa_dealloc(rp);
            lrfa_dealloc(rv);
            rp = lrfa_alloc_array(total, sizeof *rp);
            rv = lrfa_alloc_array(total, sizeof *rv);
            cap_in = rp && rv ? total : 0;
            if (!rp || !rv) st = lrfa_fail(err, LRFA_ENOMEM, 0, "out of memory receiving the values of this process's rows");
        }
        if ((st = mpi_agree(comm, st, err)) != LRFA_OK) break;
        MPI_Alltoallv(sp, sc, sd, MPI_INT64_T, rp, rc, rd, MPI_INT64_T, comm);
        MPI_Alltoallv(sv, sc, sd, MPI_DOUBLE, rv, rc, rd, MPI_DOUBLE, comm);
        for (t = 0; t < total; t++) D->data[rp[t]] = rv[t];
    }
    st = mpi_agree(comm, st, err);
    lrfa_dealloc(sc);
    lrfa_dealloc(sd);
    lrfa_dealloc(rc);
    lrfa_dealloc(rd);
    lrfa_dealloc(fill);
    lrfa_dealloc(row0);
    lrfa_dealloc(sp);
    lrfa_dealloc(sv);
    lrfa_dealloc(rp);
    lrfa_dealloc(rv);
    return st;
}

lrfa_status mpi_read_matrix(MPI_Comm comm, const char *path, int transpose, lrfa_matrix **out, int64_t *n_out,
                            lrfa_mm_header *hdr, lrfa_error *err)
{
    int rank, P;
    FILE *fp = NULL;
    lrfa_mm_header h;
    lrfa_mm_part part;
    lrfa_status st = LRFA_OK;
    int64_t off = 0, size = 0, b0, b1, lines = 0, entries = 0, before[2] = {0, 0}, mine[2], total[2];
    int64_t n, m, row0, rows, rlen = 0, t;
    int64_t *ti = NULL, *tj = NULL, *ri = NULL, *rj = NULL;
    double *rx = NULL;
    struct stat sb;

    *out = NULL;
    memset(&part, 0, sizeof part);
    memset(&h, 0, sizeof h);
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &P);
    if (!strcmp(path, "-"))
        return lrfa_fail(err, LRFA_EINPUT, 0,
                         "<stdin>: lrfa-mpi reads a file, not standard input (each process reads its own part)");
    /* open, and the header */
    if (!(fp = fopen(path, "rb")))
        st = lrfa_fail(err, LRFA_EIO, 0, "%s: cannot open: %s", path, strerror(errno));
    else if (fstat(fileno(fp), &sb) != 0)
        st = lrfa_fail(err, LRFA_EIO, 0, "%s: cannot stat: %s", path, strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        st = lrfa_fail(err, LRFA_EIO, 0, "%s: %s", path,
                       S_ISDIR(sb.st_mode) ? "is a directory, not a Matrix Market file" : "not a regular file");
    else
        st = lrfa_mm_read_header(fp, path, P, &h, &off, err);
    if ((st = mpi_agree(comm, st, err)) != LRFA_OK) goto done;
    size = (int64_t)sb.st_size;

    /* my range, its lines and entries, and those before it */
    b0 = off + (int64_t)((__int128)(size - off) * rank / P);
    b1 = off + (int64_t)((__int128)(size - off) * (rank + 1) / P);
    st = lrfa_mm_count_range(fp, path, off, b0, b1, &lines, &entries, err);
    if ((st = mpi_agree(comm, st, err)) != LRFA_OK) goto done;
    mine[0] = lines;
    mine[1] = entries;
    MPI_Exscan(mine, before, 2, MPI_INT64_T, MPI_SUM, comm);
    if (rank == 0) before[0] = before[1] = 0;
    MPI_Allreduce(mine, total, 2, MPI_INT64_T, MPI_SUM, comm);
    st = lrfa_mm_parse_range(fp, path, &h, off, b0, b1, (long long)(h.lines + before[0] + 1), before[1], &part, err);
    if ((st = mpi_agree(comm, st, err)) != LRFA_OK) goto done;
    if (total[1] < h.entries) {
        long long ln = (long long)(h.lines + total[0] + 1);
        st = lrfa_fail(err, LRFA_EINPUT, ln, "%s:%lld: end of file after %lld of the %lld entries the size line declares",
                       path, ln, (long long)total[1], (long long)h.entries);
        goto done;
    }
    {
        /* the header's counts over the whole file */
        int64_t c[3] = {part.upper, part.lower, part.ignored}, s[3];
        long long first = part.ignored ? (long long)part.ignored_line : LLONG_MAX, f;
        MPI_Allreduce(c, s, 3, MPI_INT64_T, MPI_SUM, comm);
        MPI_Allreduce(&first, &f, 1, MPI_LONG_LONG, MPI_MIN, comm);
        h.lines += total[0];
        h.upper = s[0];
        h.values_ignored = s[2];
        h.values_ignored_line = s[2] ? f : 0;
        if (s[0] > 0 && s[1] > 0) {
            /* each original pair off the diagonal to the owner of row
             * max(i, j), where both of its triangles meet */
            int64_t cnt = 0, *ki, *kj, *kl = NULL;
            double *kx, *rkx = NULL;
            lrfa_mm_part keys;
            memset(&keys, 0, sizeof keys);
            ki = lrfa_alloc_array(part.n + 1, sizeof(int64_t));
            kj = lrfa_alloc_array(part.n + 1, sizeof(int64_t));
            kx = lrfa_alloc_array(part.n + 1, sizeof(double));
            if (!ki || !kj || !kx) st = lrfa_fail(err, LRFA_ENOMEM, 0, "%s: out of memory checking the triangles", path);
            for (t = 0; st == LRFA_OK && t < part.n; t++)
                if (part.ln[t] && part.i[t] != part.j[t]) {
                    ki[cnt] = part.i[t] > part.j[t] ? part.i[t] : part.j[t];
                    kj[cnt] = part.i[t] + part.j[t] - ki[cnt];
                    kx[cnt] = (double)part.ln[t] * (part.i[t] < part.j[t] ? -1.0 : 1.0); /* line, sign: upper */
                    cnt++;
                }
            if ((st = mpi_agree(comm, st, err)) == LRFA_OK)
                st = exchange(comm, &ki, &kj, &kx, cnt, 0, h.rows, &keys.i, &keys.j, &rkx, &keys.n, err);
            lrfa_dealloc(ki);
            lrfa_dealloc(kj);
            lrfa_dealloc(kx);
            kx = rkx;
            if (st == LRFA_OK) {
                /* back to (i, j) as given, with the line */
                if (!(kl = lrfa_alloc_array(keys.n + 1, sizeof(int64_t))))
                    st = lrfa_fail(err, LRFA_ENOMEM, 0, "%s: out of memory checking the triangles", path);
                for (t = 0; kl && t < keys.n; t++) {
                    if (kx[t] < 0) {
                        int64_t a = keys.i[t];
                        keys.i[t] = keys.j[t];
                        keys.j[t] = a;
                    }
                    kl[t] = (int64_t)(kx[t] < 0 ? -kx[t] : kx[t]);
                }
                keys.ln = kl;
                if (st == LRFA_OK) st = lrfa_mm_check_pairs(path, &h, &keys, err);
            }
            lrfa_dealloc(kx);
            lrfa_mm_part_free(&keys);
            if ((st = mpi_agree(comm, st, err)) != LRFA_OK) goto done;
        }
    }

    /* the entries to their rows */
    n = transpose ? h.cols : h.rows;
    m = transpose ? h.rows : h.cols;
    row0 = mpi_row0(n, rank, P);
    rows = mpi_row0(n, rank + 1, P) - row0;
    if (h.format == LRFA_MM_ARRAY) {
        /* straight into this process's block (zeroed, untouched until a
         * value arrives), a round at a time */
        lrfa_dense *D = lrfa_dense_alloc(rows, m, err);
        st = D ? LRFA_OK : (err && err->status != LRFA_OK ? err->status : LRFA_ENOMEM);
        if ((st = mpi_agree(comm, st, err)) == LRFA_OK) {
            st = exchange_array(comm, &h, before[1], &part.x, part.n, transpose, n, D, err);
        }
        lrfa_mm_part_free(&part);
        if (st == LRFA_OK && !(*out = lrfa_matrix_wrap_dense(D, err)))
            st = err && err->status != LRFA_OK ? err->status : LRFA_ENOMEM;
        else if (st != LRFA_OK)
            lrfa_dense_free(D);
        if ((st = mpi_agree(comm, st, err)) != LRFA_OK) {
            lrfa_matrix_free(*out);
            *out = NULL;
        }
        *n_out = n;
        goto done;
    }
    ti = part.i;
    tj = part.j;
    part.i = part.j = NULL;
    st = exchange(comm, &ti, &tj, &part.x, part.n, transpose, n, &ri, &rj, &rx, &rlen, err);
    lrfa_dealloc(ti);
    lrfa_dealloc(tj);
    ti = tj = NULL;
    lrfa_mm_part_free(&part);
    if (st != LRFA_OK) goto done;
    for (t = 0; t < rlen; t++) {
        /* my rows of Y (of Y^T: swapped) */
        int64_t a = transpose ? rj[t] : ri[t], b = transpose ? ri[t] : rj[t];
        ri[t] = a - row0;
        rj[t] = b;
    }
    {
        lrfa_sparse *S = lrfa_sparse_from_triplets(rows, m, rlen, ri, rj, rx, err);
        *out = S ? lrfa_matrix_wrap_sparse(S, err) : NULL;
    }
    st = *out ? LRFA_OK : (err && err->status != LRFA_OK ? err->status : LRFA_ENOMEM);
    if ((st = mpi_agree(comm, st, err)) != LRFA_OK) {
        lrfa_matrix_free(*out);
        *out = NULL;
    }
    *n_out = n;
done:
    if (hdr) *hdr = h;
    if (fp) fclose(fp);
    lrfa_dealloc(ti);
    lrfa_dealloc(tj);
    lrfa_dealloc(ri);
    lrfa_dealloc(rj);
    lrfa_dealloc(rx);
    lrfa_mm_part_free(&part);
    return st;
}
