/* runs.c: several fits of one problem, side by side on worker threads, with
 * one combined progress line. The problem is shared read-only; each fit
 * owns its result. With more than one worker, OpenBLAS runs one thread per
 * worker so the two levels of threading do not fight over the cores. */
#include <cblas.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"

typedef struct runs_shared {
    const lrfa_problem *P;
    run_job *jobs;
    int count;
    int next;              /* next job to start */
    int done;              /* jobs finished */
    pthread_mutex_t lock;
    int show;              /* print progress */
    const char *label;
    double t0, last;
    int shown;
} runs_shared;

typedef struct runs_slot {
    runs_shared *sh;
    int job;
} runs_slot;

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* the rank of a run's product: -r R, or its narrowest hidden width */
static int64_t narrowest_width(const lrfa_options *o)
{
    int64_t k = o->rank, l;
    if (o->depth >= 2)
        for (l = 0, k = o->widths[0]; l + 1 < o->depth; l++) k = o->widths[l] < k ? o->widths[l] : k;
    return k;
}

static int progress_cb(const lrfa_progress *p, void *data)
{
    runs_slot *slot = data;
    runs_shared *sh = slot->sh;
    double now = wall();
    pthread_mutex_lock(&sh->lock);
    sh->jobs[slot->job].iteration = p->iteration;
    if (sh->show && now - sh->last >= 0.25) {
        sh->last = now;
        fprintf(stderr, "\r%s: %d of %d runs done, %s r = %lld at iteration %lld, %.0f s   ", sh->label, sh->done,
                sh->count, lrfa_algo_name(sh->jobs[slot->job].opt.algo), (long long)narrowest_width(&sh->jobs[slot->job].opt),
                (long long)p->iteration, now - sh->t0);
        sh->shown = 1;
    }
    pthread_mutex_unlock(&sh->lock);
    return interrupted_flag();
}

static void *worker(void *arg)
{
    runs_shared *sh = arg;
    for (;;) {
        runs_slot slot;
        run_job *j;
        pthread_mutex_lock(&sh->lock);
        if (sh->next >= sh->count) {
            pthread_mutex_unlock(&sh->lock);
            return NULL;
        }
        slot.sh = sh;
        slot.job = sh->next++;
        pthread_mutex_unlock(&sh->lock);
        j = &sh->jobs[slot.job];
        j->opt.progress = progress_cb;
        j->opt.progress_data = &slot;
        j->opt.progress_every = 1; /* a signal stops the run at the next iteration */
        memset(&j->err, 0, sizeof j->err);
        j->status = lrfa_fit(sh->P, &j->opt, &j->result, &j->err);
        j->opt.progress = NULL;
        j->opt.progress_data = NULL;
        pthread_mutex_lock(&sh->lock);
        j->finished = 1;
        sh->done++;
        pthread_mutex_unlock(&sh->lock);
    }
}

int runs_execute(const lrfa_problem *P, run_job *jobs, int count, int workers, int show, const char *label)
{
    runs_shared sh;
    pthread_t tid[64];
    int i, started = 0, blas_threads = openblas_get_num_threads();
    memset(&sh, 0, sizeof sh);
    sh.P = P;
    sh.jobs = jobs;
    sh.count = count;
    sh.show = show;
    sh.label = label;
    sh.t0 = wall();
    sh.last = sh.t0;
    pthread_mutex_init(&sh.lock, NULL);
#ifdef LRFA_MPI
    /* the processes sum over their rows inside every fit: one fit at a time */
    workers = 1;
#endif
    if (workers > count) workers = count;
    if (workers > 64) workers = 64;
    if (workers < 1) workers = 1;
    for (i = 0; i < count; i++) {
        jobs[i].result = NULL;
        jobs[i].finished = 0;
        jobs[i].iteration = 0;
    }
    if (workers > 1) openblas_set_num_threads(1);
    for (i = 1; i < workers; i++)
        if (pthread_create(&tid[i], NULL, worker, &sh) == 0) started++;
    worker(&sh);
    for (i = 1; i <= started; i++) pthread_join(tid[i], NULL);
    if (workers > 1) openblas_set_num_threads(blas_threads);
    if (sh.shown) fprintf(stderr, "\r%*s\r", 100, "");
    pthread_mutex_destroy(&sh.lock);
    return started + 1;
}

/* the first result below its opt(r), and how many there are */
static const lrfa_result *first_suspect(const run_job *jobs, int count, int *how_many)
{
    const lrfa_result *first = NULL;
    int i;
    *how_many = 0;
    for (i = 0; i < count; i++)
        if (jobs[i].result && jobs[i].result->opt_suspect) {
            if (!first) first = jobs[i].result;
            ++*how_many;
        }
    return first;
}

int runs_execute_checked(lrfa_problem *P, run_job *jobs, int count, int workers, int show, const char *label)
{
    int used = runs_execute(P, jobs, count, workers, show, label), i, rc = 0, suspects;
    const lrfa_result *first = first_suspect(jobs, count, &suspects);
    if (first) rc = cli_recheck(label, P, first);
    if (rc < 0) return -1;
    if (rc == 1) {
        for (i = 0; i < count; i++) {
            lrfa_result_free(jobs[i].result);
            jobs[i].result = NULL;
        }
        used = runs_execute(P, jobs, count, workers, show, label);
        first = first_suspect(jobs, count, &suspects);
    }
    if (first) {
        cli_warn_suspect(label, P, first);
        if (suspects > 1) fprintf(stderr, "lrfa: %s: (%d runs in all are below their opt(r))\n", label, suspects);
    }
    return used;
}
