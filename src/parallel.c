/* parallel.c: a parallel loop over a range, on short-lived POSIX threads. */
#include <cblas.h>
#include <pthread.h>
#include <unistd.h>
#include "internal.h"

static int thread_count = 0; /* 0: the number of online processors */

void lrfa_set_threads(int n)
{
    thread_count = n < 0 ? 0 : n;
}

int lrfa_threads(void)
{
    long n = thread_count > 0 ? thread_count : sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    if (n > 64) n = 64;
    return (int)n;
}

typedef struct range_task {
    lrfa_range_fn fn;
    void *ctx;
    int64_t begin, end;
    int worker;
} range_task;

static void *run_task(void *arg)
{
    range_task *t = arg;
    t->fn(t->begin, t->end, t->worker, t->ctx);
    return NULL;
}

/* Splits [0, count) into one contiguous chunk per worker; the caller's
 * thread takes the first. Runs serially when threads cannot be created or
 * the range is small (min_chunk items per worker at least). */
int lrfa_parallel_range(int64_t count, int64_t min_chunk, lrfa_range_fn fn, void *ctx)
{
    range_task task[64];
    pthread_t tid[64];
    int started[64] = {0};
    int w, workers = lrfa_threads();
    if (min_chunk < 1) min_chunk = 1;
    if ((int64_t)workers > count / min_chunk) workers = (int)(count / min_chunk);
    if (workers < 1) workers = 1;
    for (w = 0; w < workers; w++) {
        task[w].fn = fn;
        task[w].ctx = ctx;
        task[w].begin = count * w / workers;
        task[w].end = count * (w + 1) / workers;
        task[w].worker = w;
    }
    for (w = 1; w < workers; w++) started[w] = pthread_create(&tid[w], NULL, run_task, &task[w]) == 0;
    fn(task[0].begin, task[0].end, 0, ctx);
    for (w = 1; w < workers; w++) {
        if (started[w]) pthread_join(tid[w], NULL);
        else fn(task[w].begin, task[w].end, w, ctx); /* could not start: do it here */
    }
    return workers;
}

/* OpenBLAS's worker threads busy-wait for a while after each call, taking
 * the cores from the library's own threads; a section whose heavy work runs
 * on the library's threads holds OpenBLAS to one thread meanwhile. Nested
 * and concurrent sections share one count: the first saves OpenBLAS's
 * setting, the last restores it. */
static pthread_mutex_t blas_lock = PTHREAD_MUTEX_INITIALIZER;
static int blas_depth = 0, blas_saved = 1;

void lrfa_blas_serial_begin(void)
{
    pthread_mutex_lock(&blas_lock);
    if (blas_depth++ == 0) {
        blas_saved = openblas_get_num_threads();
        openblas_set_num_threads(1);
    }
    pthread_mutex_unlock(&blas_lock);
}

void lrfa_blas_serial_end(void)
{
    pthread_mutex_lock(&blas_lock);
    if (blas_depth > 0 && --blas_depth == 0) openblas_set_num_threads(blas_saved);
    pthread_mutex_unlock(&blas_lock);
}
