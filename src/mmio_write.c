/* mmio_write.c: the Matrix Market writer (17 significant digits, so every
 * double reads back bit for bit). */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include "lrfa/mmio.h"
#include "lrfa/outfile.h"
#include "internal.h"

static void write_comment(FILE *fp, const char *comment)
{
    const char *s = comment;
    while (s && *s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        fprintf(fp, "%% %.*s\n", (int)n, s);
        s = nl ? nl + 1 : NULL;
    }
}

/* Writes whichever of D and S is non-NULL. */
static lrfa_status write_stream(FILE *fp, const char *name, const lrfa_dense *D,
                                const lrfa_sparse *S, const char *comment, lrfa_error *err)
{
    int64_t i, j, p;
    if (D) {
        fputs("%%MatrixMarket matrix array real general\n", fp);
        write_comment(fp, comment);
        fprintf(fp, "%" PRId64 " %" PRId64 "\n", D->rows, D->cols);
        for (j = 0; j < D->cols; j++)
            for (i = 0; i < D->rows; i++) fprintf(fp, "%.17g\n", D->data[i + j * D->rows]);
    } else {
        fputs("%%MatrixMarket matrix coordinate real general\n", fp);
        write_comment(fp, comment);
        fprintf(fp, "%" PRId64 " %" PRId64 " %" PRId64 "\n", S->rows, S->cols, S->nnz);
        for (j = 0; j < S->cols; j++)
            for (p = S->colptr[j]; p < S->colptr[j + 1]; p++)
                fprintf(fp, "%" PRId64 " %" PRId64 " %.17g\n", S->rowidx[p] + 1, j + 1, S->values[p]);
    }
    if (ferror(fp))
        return lrfa_fail(err, LRFA_EIO, 0, "%s: write error: %s", name, strerror(errno));
    return LRFA_OK;
}

static lrfa_status write_path(const char *path, const lrfa_dense *D, const lrfa_sparse *S,
                              const char *comment, lrfa_error *err)
{
    lrfa_outfile of;
    lrfa_status st = lrfa_outfile_open(&of, path, err);
    if (st != LRFA_OK) return st;
    st = write_stream(of.fp, path, D, S, comment, err);
    if (st != LRFA_OK) {
        lrfa_outfile_abort(&of);
        return st;
    }
    return lrfa_outfile_commit(&of, err);
}

lrfa_status lrfa_mm_write(FILE *fp, const char *name, const lrfa_matrix *M,
                          const char *comment, lrfa_error *err)
{
    return write_stream(fp, name, M->dense, M->sparse, comment, err);
}

lrfa_status lrfa_mm_write_dense(FILE *fp, const char *name, const lrfa_dense *A, const char *comment,
                                lrfa_error *err)
{
    return write_stream(fp, name, A, NULL, comment, err);
}

lrfa_status lrfa_mm_write_path(const char *path, const lrfa_matrix *M,
                               const char *comment, lrfa_error *err)
{
    return write_path(path, M->dense, M->sparse, comment, err);
}

lrfa_status lrfa_mm_write_dense_path(const char *path, const lrfa_dense *A,
                                     const char *comment, lrfa_error *err)
{
    return write_path(path, A, NULL, comment, err);
}

lrfa_status lrfa_mm_write_sparse_path(const char *path, const lrfa_sparse *A,
                                      const char *comment, lrfa_error *err)
{
    return write_path(path, NULL, A, comment, err);
}
