/* lrfa/outfile.h: output files that appear whole or not at all.
 *
 * lrfa_outfile_open creates a temporary file in the destination's folder;
 * lrfa_outfile_commit flushes it to disk and renames it over the destination;
 * lrfa_outfile_abort removes it. Path "-" writes standard output directly,
 * and so does an existing path that is not a regular file (a device such
 * as /dev/null, or a pipe): such a path is never renamed over. */
#ifndef LRFA_OUTFILE_H
#define LRFA_OUTFILE_H

#include <stdio.h>
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lrfa_outfile {
    FILE *fp;          /* write here */
    char *path;        /* the destination */
    char *tmp;         /* the temporary file; NULL when writing in place */
} lrfa_outfile;

lrfa_status lrfa_outfile_open(lrfa_outfile *of, const char *path, lrfa_error *err);
/* Checks every write made through fp, then renames into place. Whatever the
 * outcome, of is released; on failure the temporary file is removed. */
lrfa_status lrfa_outfile_commit(lrfa_outfile *of, lrfa_error *err);
/* Discards the temporary file (accepts an outfile that was never opened). */
void lrfa_outfile_abort(lrfa_outfile *of);

#ifdef __cplusplus
}
#endif
#endif
