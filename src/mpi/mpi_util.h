/* mpi_util.h: what the MPI command adds to lrfa's: the processes' agreement
 * on errors, lrfa_comm over MPI, and the distributed reader. */
#ifndef LRFA_MPI_UTIL_H
#define LRFA_MPI_UTIL_H

#include <mpi.h>
#include "lrfa/lrfa.h"

/* The error every process reports: the first by line among the processes'
 * (a line of 0, no line, comes first), of the lowest rank on a tie; LRFA_OK
 * when all are. Every process returns it with the same message in err. */
lrfa_status mpi_agree(MPI_Comm comm, lrfa_status st, lrfa_error *err);

/* The first row of process k of P when n rows are split in blocks. */
int64_t mpi_row0(int64_t n, int k, int P);

/* lrfa_comm over comm for a Y of n rows split in blocks (mpi_row0). */
void mpi_comm_init(lrfa_comm *c, MPI_Comm *comm, int64_t n);

/* The sums made so far through mpi_comm_init's lrfa_comm: calls, and
 * doubles summed (each is reduced to rank 0 and sent back: about 16 bytes
 * a double in and out of a process, for a tree of P processes). */
void mpi_sum_stats(int64_t *calls, int64_t *doubles);

/* Reads path across comm's processes: each gets its block of rows (of the
 * transpose, when asked) as a matrix of its own, *n the rows of the whole;
 * every process gets the same status and message. */
lrfa_status mpi_read_matrix(MPI_Comm comm, const char *path, int transpose, lrfa_matrix **out, int64_t *n,
                            lrfa_mm_header *hdr, lrfa_error *err);

/* For tests: the values an array file's exchange sends per round (0: the
 * default, 2^18), so that small files take many rounds. */
void mpi_read_set_round(int64_t values);

#endif
