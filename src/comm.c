/* comm.c: sums over the processes that share Y's rows (lrfa/comm.h). One
 * process (a NULL lrfa_comm, or one of size 1) sums nothing. */
#include <math.h>
#include <string.h>
#include "lrfa/matrix.h"
#include "internal.h"

int lrfa_comm_shared(const lrfa_comm *c)
{
    return c && c->size > 1;
}

void lrfa_psum(const lrfa_comm *c, double *x, int64_t count)
{
    if (lrfa_comm_shared(c) && count > 0) (void)c->sum(x, count, c->ctx);
}

double lrfa_psum1(const lrfa_comm *c, double x)
{
    lrfa_psum(c, &x, 1);
    return x;
}

double lrfa_pnorm(const lrfa_comm *c, const double *x, int64_t n)
{
    double a = lrfa_vec_norm(x, n);
    return lrfa_comm_shared(c) ? sqrt(lrfa_psum1(c, a * a)) : a;
}

int64_t lrfa_comm_rows(const lrfa_comm *c, int64_t local)
{
    return c ? c->rows : local;
}

int64_t lrfa_comm_row0(const lrfa_comm *c)
{
    return c ? c->row0 : 0;
}

int lrfa_gather_rows(const lrfa_comm *c, const double *A, int64_t rows, int64_t cols, double *out)
{
    int64_t N = lrfa_comm_rows(c, rows), r0 = lrfa_comm_row0(c), j;
    memset(out, 0, sizeof(double) * (size_t)(N * cols));
    for (j = 0; j < cols; j++) memcpy(out + r0 + j * N, A + j * rows, sizeof(double) * (size_t)rows);
    lrfa_psum(c, out, N * cols);
    return 1;
}

int lrfa_gather_cols(const lrfa_comm *c, const double *A, int64_t rows, int64_t cols, double *out)
{
    int64_t N = lrfa_comm_rows(c, cols), r0 = lrfa_comm_row0(c);
    memset(out, 0, sizeof(double) * (size_t)(rows * N));
    memcpy(out + r0 * rows, A, sizeof(double) * (size_t)(rows * cols));
    lrfa_psum(c, out, rows * N);
    return 1;
}
