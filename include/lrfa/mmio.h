/* lrfa/mmio.h: Matrix Market reading and writing.
 *
 * Reading accepts object `matrix`, formats `coordinate` and `array`, fields
 * `real`, `double`, `integer` and `pattern`, and symmetries `general`,
 * `symmetric` and `skew-symmetric`. Banner words are case-insensitive.
 * A coordinate file becomes a sparse matrix, an array file a dense one.
 *
 * Coordinate entries are 1-based in the file. Entries that repeat an (i, j)
 * are summed. Explicit zeros are kept as stored entries. Symmetric and
 * skew-symmetric files hold one triangle: the lower, as the format says, or
 * the upper, as graph collections write them (or a mix); the reader mirrors
 * every entry (negated for skew), so the result is always a general matrix.
 * A pair given in both triangles ((i, j) and (j, i)) is refused, naming both
 * lines. A pattern file whose lines carry a value column as well (some real
 * collections ship them) is read as the pattern: each value must be a number
 * and is ignored, and the header counts them (values_ignored) so the caller
 * can say so.
 *
 * Values are parsed as correctly rounded doubles: an `integer` value beyond
 * 2^53 is rounded like any other, and a value below the smallest subnormal
 * (1e-400, say) reads as 0; a value beyond the largest double is an error.
 * A UTF-8 byte-order mark before the banner is skipped.
 *
 * Every error message has the form "NAME:LINE: what was expected", with NAME
 * the name the caller passed (the path, or "<stdin>").
 */
#ifndef LRFA_MMIO_H
#define LRFA_MMIO_H

#include <stdint.h>
#include <stdio.h>
#include "matrix.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { LRFA_MM_COORDINATE, LRFA_MM_ARRAY } lrfa_mm_format;
typedef enum { LRFA_MM_REAL, LRFA_MM_INTEGER, LRFA_MM_PATTERN } lrfa_mm_field;
typedef enum { LRFA_MM_GENERAL, LRFA_MM_SYMMETRIC, LRFA_MM_SKEW } lrfa_mm_symmetry;

/* What a file's banner and size line declared. */
typedef struct lrfa_mm_header {
    lrfa_mm_format format;
    lrfa_mm_field field;       /* `double` reads as LRFA_MM_REAL */
    lrfa_mm_symmetry symmetry;
    int64_t rows;
    int64_t cols;
    int64_t entries;           /* entries in the file (for array: the values listed) */
    int64_t lines;             /* lines read, including the banner */
    int64_t upper;             /* symmetric and skew coordinate files: entries given
                                  above the diagonal (mirrored like those below) */
    int64_t values_ignored;    /* pattern files: entries whose line also carried a
                                  value, which was checked to be a number and ignored */
    int64_t values_ignored_line; /* the first such line (0: none) */
    char banner[128];          /* the banner as written, trimmed (may be truncated) */
} lrfa_mm_header;

/* Reads a Matrix Market matrix from an open stream. name is used in error
 * messages. On success *out holds a new matrix the caller frees with
 * lrfa_matrix_free, and *hdr (when non-NULL) what the file declared. */
lrfa_status lrfa_mm_read(FILE *fp, const char *name, lrfa_matrix **out,
                         lrfa_mm_header *hdr, lrfa_error *err);

/* Reads from a path; "-" reads standard input (named "<stdin>" in messages).
 * A path that is not a readable regular file is an LRFA_EIO error. */
lrfa_status lrfa_mm_read_path(const char *path, lrfa_matrix **out,
                              lrfa_mm_header *hdr, lrfa_error *err);

/* Writes M (dense as `array real general`, sparse as `coordinate real
 * general`) with 17 significant digits, so values read back bit for bit.
 * comment, when non-NULL, is written as `%`-comment lines after the banner
 * (one per line of comment). The file is written to a temporary file in the
 * same folder and renamed into place, so it appears whole or not at all.
 * path "-" writes standard output. */
lrfa_status lrfa_mm_write_path(const char *path, const lrfa_matrix *M,
                               const char *comment, lrfa_error *err);

/* Writes to an open stream (no renaming); a write error is reported. */
lrfa_status lrfa_mm_write(FILE *fp, const char *name, const lrfa_matrix *M,
                          const char *comment, lrfa_error *err);

/* Writes a bare dense matrix to an open stream. */
lrfa_status lrfa_mm_write_dense(FILE *fp, const char *name, const lrfa_dense *A, const char *comment,
                                lrfa_error *err);

/* Convenience wrappers for a bare dense or sparse matrix. */
lrfa_status lrfa_mm_write_dense_path(const char *path, const lrfa_dense *A,
                                     const char *comment, lrfa_error *err);
lrfa_status lrfa_mm_write_sparse_path(const char *path, const lrfa_sparse *A,
                                      const char *comment, lrfa_error *err);

/* Names for header fields ("coordinate", "real", "skew-symmetric", ...). */
const char *lrfa_mm_format_name(lrfa_mm_format f);
const char *lrfa_mm_field_name(lrfa_mm_field f);
const char *lrfa_mm_symmetry_name(lrfa_mm_symmetry s);

#ifdef __cplusplus
}
#endif
#endif
