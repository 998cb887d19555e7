/* lrfa/comm.h: a computation shared by several processes.
 *
 * Y is split in blocks of rows, one block a process; the factors that touch
 * Y's rows (the top layer's rows, the feedback's columns, the left singular
 * vectors) are split the same way, and every small factor is held whole by
 * every process. The library never calls MPI itself: a distributed caller
 * (lrfa-mpi) supplies the one collective it needs, a sum over the
 * processes. A NULL lrfa_comm is one process.
 */
#ifndef LRFA_COMM_H
#define LRFA_COMM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lrfa_comm {
    int rank;      /* this process, 0 .. size - 1 */
    int size;      /* the processes */
    int64_t rows;  /* rows of the whole Y */
    int64_t row0;  /* this process's first row: it holds rows row0 .. row0 + (its block's rows) - 1 */
    /* x[0 .. count) <- its sum over the processes, with the same bits on
     * every process; called by all of them in the same order. Returns 0 on
     * success. */
    int (*sum)(double *x, int64_t count, void *ctx);
    void *ctx;     /* the caller's, passed to sum */
} lrfa_comm;

#ifdef __cplusplus
}
#endif
#endif
