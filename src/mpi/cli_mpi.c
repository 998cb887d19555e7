/* cli_mpi.c: what the lrfa command needs to run on several processes.
 *
 * Every process runs the same command on the same options. The reader
 * gives each its block of rows (mpi_read.c), the library sums over the
 * processes through lrfa_comm, and every figure is then the same on all of
 * them: rank 0 alone prints it, writes the files, and gathers the factors
 * that are split by rows or columns for --save, one column at a time.
 * A failure that only one process can meet (memory, a write) brings the
 * whole run down through MPI_Abort, with that process's message; every
 * other failure (bad input, options, divergence) is met by all alike. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mpi_util.h"
#include "../cli/cli.h"

static MPI_Comm world = MPI_COMM_NULL;
static int rank = 0, size = 1, err_fd = 2;
static lrfa_comm comm;

void cli_mpi_begin(int *argc, char ***argv)
{
    MPI_Init(argc, argv);
    world = MPI_COMM_WORLD;
    MPI_Comm_rank(world, &rank);
    MPI_Comm_size(world, &size);
    err_fd = dup(2);
    if (rank != 0) {
        /* the same output as rank 0's: printed once */
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) cli_mpi_abort("cannot open /dev/null");
    }
}

/* the peak resident memory of this process, MiB (VmHWM) */
static double peak_mib(void)
{
    char line[256];
    double kb = 0.0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1.0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) kb = atof(line + 6);
    fclose(f);
    return kb / 1024.0;
}

int cli_mpi_end(int status)
{
    int worst = status;
    if (getenv("LRFA_MPI_STATS")) {
        /* LRFA_MPI_STATS=1: one JSON line on stderr from rank 0, for the
         * benchmark: the sums over the processes and each one's peak */
        int64_t calls, doubles;
        double mine = peak_mib(), *all = rank == 0 ? malloc(sizeof(double) * (size_t)size) : NULL;
        mpi_sum_stats(&calls, &doubles);
        MPI_Gather(&mine, 1, MPI_DOUBLE, all, 1, MPI_DOUBLE, 0, world);
        if (rank == 0 && all) {
            char line[4096];
            int p, k = snprintf(line, sizeof line, "{\"mpi_stats\": {\"processes\": %d, \"sums\": %lld, "
                                "\"doubles\": %lld, \"peak_mib\": [", size, (long long)calls, (long long)doubles);
            for (p = 0; p < size && k < (int)sizeof line - 32; p++) k += snprintf(line + k, sizeof line - (size_t)k, "%s%.1f", p ? ", " : "", all[p]);
            snprintf(line + k, sizeof line - (size_t)k, "]}}\n");
            if (write(err_fd, line, strlen(line)) < 0) {
            }
        }
        free(all);
    }
    /* every process ends with the same status (they agree by construction;
     * the largest, should one differ) */
    MPI_Allreduce(&status, &worst, 1, MPI_INT, MPI_MAX, world);
    MPI_Finalize();
    return worst;
}

int cli_mpi_rank(void)
{
    return rank;
}

void cli_mpi_abort(const char *msg)
{
    char line[1200];
    int n = snprintf(line, sizeof line, "lrfa-mpi: process %d of %d: %s; stopping every process\n", rank, size, msg);
    if (n > 0 && write(err_fd, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1)) < 0) {
    }
    MPI_Abort(world, 1);
    _exit(1);
}

int cli_mpi_read(const char *path, int transpose, lrfa_matrix **Y, lrfa_mm_header *hdr)
{
    lrfa_error err = {0};
    lrfa_mm_header h;
    int64_t n = 0;
    if (mpi_read_matrix(world, path, transpose, Y, &n, &h, &err) != LRFA_OK) {
        cli_error("%s", err.message);
        return EXIT_INPUT;
    }
    mpi_comm_init(&comm, &world, n);
    if (h.values_ignored > 0)
        cli_error("%s:%lld: notice: a pattern file with a value column (on %lld of its %lld entries): the values are "
                  "ignored, every stored entry is 1",
                  path, (long long)h.values_ignored_line, (long long)h.values_ignored, (long long)h.entries);
    if (hdr) *hdr = h;
    return EXIT_OK;
}

int cli_mpi_read_part(const char *path, int split, lrfa_matrix **M, int64_t *rows)
{
    lrfa_error err = {0};
    lrfa_mm_header h;
    lrfa_status st;
    *M = NULL;
    if (split) {
        st = mpi_read_matrix(world, path, split == 2, M, rows, &h, &err);
    } else {
        st = mpi_agree(world, lrfa_mm_read_path(path, M, &h, &err), &err);
        if (st != LRFA_OK) {
            lrfa_matrix_free(*M);
            *M = NULL;
        }
        if (*M) *rows = (*M)->rows;
    }
    if (st != LRFA_OK) {
        cli_error("%s", err.message);
        return EXIT_INPUT;
    }
    return EXIT_OK;
}

const lrfa_comm *cli_mpi_comm(void)
{
    return &comm;
}

int cli_mpi_any(int flag)
{
    int any = flag;
    if (world != MPI_COMM_NULL) MPI_Allreduce(&flag, &any, 1, MPI_INT, MPI_MAX, world);
    return any;
}

/* Whether any process was interrupted, and by which signal (the largest
 * number any process caught: SIGTERM over SIGINT), so that every process
 * reports and exits alike: asked at every call (the fits ask at every
 * iteration, all at the same ones), the processes' signals combined at one
 * call in SIGNAL_EVERY, so a signal stops every process within that many
 * iterations of the others. */
enum { SIGNAL_EVERY = 8 };

int cli_mpi_interrupted(int sig)
{
    static int calls = 0, seen = 0;
    if (seen) return seen;
    if (++calls % SIGNAL_EVERY == 0) seen = cli_mpi_any(sig);
    return seen;
}

int64_t cli_mpi_sum_i64(int64_t x)
{
    int64_t s = x;
    MPI_Allreduce(&x, &s, 1, MPI_INT64_T, MPI_SUM, world);
    return s;
}

int cli_mpi_root_status(int status)
{
    MPI_Bcast(&status, 1, MPI_INT, 0, world);
    return status;
}

/* rank 0 writes v[0 .. len) as the file's values */
static void put(FILE *fp, const double *v, int64_t len)
{
    int64_t i;
    for (i = 0; i < len; i++) fprintf(fp, "%.17g\n", v[i]);
}

int cli_mpi_write_dense(FILE *fp, const lrfa_dense *A, int split, const char *comment)
{
    int64_t rows = A->rows, cols = A->cols, R = rows, C = cols, j, cap;
    int p, bad = 0;
    double *buf = NULL;
    if (split == 1) MPI_Allreduce(&rows, &R, 1, MPI_INT64_T, MPI_SUM, world);
    if (split == 2) MPI_Allreduce(&cols, &C, 1, MPI_INT64_T, MPI_SUM, world);
    if (rank == 0) {
        const char *s = comment;
        fputs("%%MatrixMarket matrix array real general\n", fp);
        while (s && *s) {
            const char *nl = strchr(s, '\n');
            size_t n = nl ? (size_t)(nl - s) : strlen(s);
            fprintf(fp, "%% %.*s\n", (int)n, s);
            s = nl ? nl + 1 : NULL;
        }
        fprintf(fp, "%lld %lld\n", (long long)R, (long long)C);
    }
    if (split == 0) {
        if (rank == 0) put(fp, A->data, rows * cols);
    } else if (split == 1) {
        /* column by column: each process's rows in turn */
        cap = rows;
        MPI_Allreduce(MPI_IN_PLACE, &cap, 1, MPI_INT64_T, MPI_MAX, world);
        if (rank == 0 && !(buf = malloc(sizeof(double) * (size_t)(cap > 0 ? cap : 1)))) bad = 1;
        if (cli_mpi_any(bad)) cli_mpi_abort("out of memory gathering a factor");
        for (j = 0; j < cols; j++) {
            if (rank == 0) {
                put(fp, A->data + j * rows, rows);
                for (p = 1; p < size; p++) {
                    int got;
                    MPI_Status stt;
                    MPI_Recv(buf, (int)cap, MPI_DOUBLE, p, 0, world, &stt);
                    MPI_Get_count(&stt, MPI_DOUBLE, &got);
                    put(fp, buf, got);
                }
            } else {
                MPI_Send(A->data + j * rows, (int)rows, MPI_DOUBLE, 0, 0, world);
            }
        }
    } else {
        /* each process's columns in turn, a column at a time */
        if (rank == 0 && !(buf = malloc(sizeof(double) * (size_t)(rows > 0 ? rows : 1)))) bad = 1;
        if (cli_mpi_any(bad)) cli_mpi_abort("out of memory gathering a factor");
        if (rank == 0) put(fp, A->data, rows * cols);
        for (p = 1; p < size; p++) {
            int64_t their = cols;
            if (rank == 0) MPI_Recv(&their, 1, MPI_INT64_T, p, 1, world, MPI_STATUS_IGNORE);
            else if (rank == p) MPI_Send(&cols, 1, MPI_INT64_T, 0, 1, world);
            for (j = 0; j < their; j++) {
                if (rank == 0) {
                    MPI_Recv(buf, (int)rows, MPI_DOUBLE, p, 0, world, MPI_STATUS_IGNORE);
                    put(fp, buf, rows);
                } else if (rank == p) {
                    MPI_Send(A->data + j * rows, (int)rows, MPI_DOUBLE, 0, 0, world);
                }
            }
        }
    }
    free(buf);
    bad = rank == 0 && ferror(fp);
    return cli_mpi_root_status(bad);
}
