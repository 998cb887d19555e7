/* read_check.c: the distributed reader against the serial one.
 *
 *   mpirun -np P read_check [--transpose] [--round N] FILE...
 *
 * (--round N: an array file's values go to their rows N a round.)
 * For each file, every process reads its block of rows with
 * mpi_read_matrix and, for this check only, the whole matrix with
 * lrfa_mm_read_path; its block must equal the whole's rows row0 ..
 * row0 + rows - 1 entry for entry (duplicates summed: to 1e-15 relative),
 * and a file the serial reader refuses must be refused with the same
 * message and line. Prints one line per file from rank 0 and exits 1 when
 * any differs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/mpi/mpi_util.h"

static double entry(const lrfa_matrix *M, int64_t i, int64_t j)
{
    return lrfa_matrix_get(M, i, j);
}

int main(int argc, char **argv)
{
    int rank, P, a, transpose = 0, bad = 0;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &P);
    for (a = 1; a < argc; a++) {
        lrfa_matrix *D = NULL, *S = NULL;
        lrfa_error ed = {0}, es = {0};
        lrfa_mm_header hd, hs;
        lrfa_status sd, ss;
        int64_t n = 0, row0, i, j, differ = 0, mine_bad;
        double worst = 0.0;
        char what[300];
        if (!strcmp(argv[a], "--transpose")) {
            transpose = 1;
            continue;
        }
        if (!strcmp(argv[a], "--round") && a + 1 < argc) {
            mpi_read_set_round(atoll(argv[++a]));
            continue;
        }
        sd = mpi_read_matrix(MPI_COMM_WORLD, argv[a], transpose, &D, &n, &hd, &ed);
        ss = lrfa_mm_read_path(argv[a], &S, &hs, &es);
        if (ss == LRFA_OK && transpose) {
            lrfa_matrix *T = lrfa_matrix_transpose(S, &es);
            lrfa_matrix_free(S);
            S = T;
        }
        if (sd != LRFA_OK || ss != LRFA_OK) {
            int same = sd == ss && !strcmp(ed.message, es.message) && ed.line == es.line;
            snprintf(what, sizeof what, "%s", same ? "refused alike" : "REFUSED DIFFERENTLY");
            if (!same && rank == 0)
                fprintf(stderr, "  distributed: %s (line %lld)\n  serial:      %s (line %lld)\n", ed.message,
                        ed.line, es.message, es.line);
            mine_bad = !same;
        } else {
            row0 = mpi_row0(n, rank, P);
            mine_bad = D->rows != mpi_row0(n, rank + 1, P) - row0 || D->cols != S->cols || n != S->rows ||
                       D->storage != S->storage || hd.lines != hs.lines || hd.values_ignored != hs.values_ignored ||
                       hd.values_ignored_line != hs.values_ignored_line || hd.upper != hs.upper;
            for (j = 0; !mine_bad && j < D->cols; j++)
                for (i = 0; i < D->rows; i++) {
                    double x = entry(D, i, j), y = entry(S, row0 + i, j);
                    double e = fabs(x - y) / fmax(fabs(y), 1e-300);
                    if (x != y) differ++;
                    if (e > worst) worst = e;
                }
            if (!mine_bad && D->storage == LRFA_STORAGE_SPARSE) {
                /* the same stored entries (explicit zeros too) */
                int64_t stored = D->sparse->nnz, all = 0;
                MPI_Allreduce(&stored, &all, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
                if (all != S->sparse->nnz) mine_bad = 1;
            }
            mine_bad = mine_bad || worst > 1e-15;
            snprintf(what, sizeof what, "blocks equal the serial matrix (%lld entries differ in the last bit or more, "
                     "worst %.1e, tol 1e-15)", (long long)differ, worst);
        }
        MPI_Allreduce(MPI_IN_PLACE, &mine_bad, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
        if (rank == 0) printf("%s P = %d%s %s: %s\n", mine_bad ? "FAIL" : "ok  ", P, transpose ? " transposed" : "",
                              argv[a], what);
        bad |= mine_bad != 0;
        lrfa_matrix_free(D);
        lrfa_matrix_free(S);
    }
    MPI_Finalize();
    return bad;
}
