/* mpi_util.c: agreement on errors, and lrfa_comm over MPI. */
#include <limits.h>
#include <string.h>
#include "mpi_util.h"

lrfa_status mpi_agree(MPI_Comm comm, lrfa_status st, lrfa_error *err)
{
    long long mine = st == LRFA_OK ? LLONG_MAX : (err ? err->line : 0), first;
    int rank, size, who, cand;
    int buf[2];
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    MPI_Allreduce(&mine, &first, 1, MPI_LONG_LONG, MPI_MIN, comm);
    if (first == LLONG_MAX) return LRFA_OK;
    cand = mine == first ? rank : size;
    MPI_Allreduce(&cand, &who, 1, MPI_INT, MPI_MIN, comm);
    buf[0] = rank == who ? (int)st : 0;
    buf[1] = 0;
    MPI_Bcast(buf, 1, MPI_INT, who, comm);
    if (err) {
        MPI_Bcast(err->message, (int)sizeof err->message, MPI_CHAR, who, comm);
        err->status = (lrfa_status)buf[0];
        err->line = first;
    }
    return (lrfa_status)buf[0];
}

int64_t mpi_row0(int64_t n, int k, int P)
{
    /* n k / P without overflow for any n below 2^63 and P below 2^31 */
    return (int64_t)((__int128)n * k / P);
}

/* The sum over the processes: reduced to rank 0 and sent back to all, so
 * every process gets the same bits; in pieces below INT_MAX doubles. */
static int64_t sums = 0, summed = 0;

void mpi_sum_stats(int64_t *calls, int64_t *doubles)
{
    *calls = sums;
    *doubles = summed;
}

static int comm_sum(double *x, int64_t count, void *ctx)
{
    MPI_Comm c = *(MPI_Comm *)ctx;
    int rank;
    int64_t off = 0;
    MPI_Comm_rank(c, &rank);
    sums++;
    summed += count;
    while (off < count) {
        int w = count - off > (1 << 30) ? 1 << 30 : (int)(count - off);
        if (MPI_Reduce(rank == 0 ? MPI_IN_PLACE : x + off, rank == 0 ? x + off : NULL, w, MPI_DOUBLE, MPI_SUM, 0,
                       c) != MPI_SUCCESS ||
            MPI_Bcast(x + off, w, MPI_DOUBLE, 0, c) != MPI_SUCCESS)
            return 1;
        off += w;
    }
    return 0;
}

void mpi_comm_init(lrfa_comm *c, MPI_Comm *comm, int64_t n)
{
    MPI_Comm_rank(*comm, &c->rank);
    MPI_Comm_size(*comm, &c->size);
    c->rows = n;
    c->row0 = mpi_row0(n, c->rank, c->size);
    c->sum = comm_sum;
    c->ctx = comm;
}
