/* bench_lrfa.c: lrfa's side of `make bench` (tools/bench). Each mode builds
 * its data in memory first (untimed), then times only the work, and prints
 * one line of JSON.
 *
 *   bench_lrfa iter dense N M R gd|fa ITERS REPS      ms per iteration
 *   bench_lrfa iter sparse N M NNZ R gd|fa ITERS REPS
 *   bench_lrfa deep N M D1,D2,.. RULE ITERS REPS      deep network, dense, ms per iteration
 *   bench_lrfa stream MB REPS                          read bandwidth, GB/s
 *   bench_lrfa dgemm N REPS                            dgemm rate, GFlop/s
 *   bench_lrfa fma REPS                                the cores' own FMA peak, GFlop/s
 *   bench_lrfa kernel N M R REPS [OFFSET]              Y W^T (dense N x M, R columns; Y OFFSET doubles past 64-byte alignment): OpenBLAS's
 *                                                      dgemm against lrfa's kernel, ms
 *   bench_lrfa spectrum N K REPS                       dgesdd vs Lanczos (dense N x N)
 *   bench_lrfa sparse-spectrum N NNZ K                 Lanczos on the sparse target
 *   bench_lrfa spectrum-cases KMAX                     repeated and clustered values:
 *                                                      leading K values vs dgesdd, K = 1..KMAX
 *   bench_lrfa parse FILE REPS                         Matrix Market reading, MB/s
 *   bench_lrfa write dense N M FILE | sparse N M NNZ FILE
 *
 * The dense target is a rank-16 signal (singular values 1 .. 1/16) plus
 * N(0, 1e-4 / N) noise; the sparse one has NNZ entries, a rank-16 block
 * signal plus noise on the stored entries. */
#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "lrfa/lrfa.h"
#include "internal.h"
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double peak_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

/* The peak resident memory since the last hwm_reset (VmHWM), MB; -1 where
 * /proc does not tell. */
static void hwm_reset(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

static double hwm_mb(void)
{
    char line[256];
    double kb = -1024.0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1.0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) kb = atof(line + 6);
    fclose(f);
    return kb / 1024.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void die(const char *what, const lrfa_error *err)
{
    fprintf(stderr, "bench_lrfa: %s: %s\n", what, err ? err->message : "failed");
    exit(1);
}

static lrfa_matrix *dense_target(int64_t n, int64_t m)
{
    double s[16];
    int i;
    lrfa_error err = {0};
    lrfa_dense *Y;
    for (i = 0; i < 16; i++) s[i] = (16.0 - i) / 16.0;
    Y = lrfa_gen_lowrank(n, m, 16, s, 1, &err);
    if (!Y) die("gen", &err);
    lrfa_gen_add_noise(Y->data, n * m, 1e-2 / sqrt((double)n), 2);
    return lrfa_matrix_wrap_dense(Y, &err);
}

static lrfa_matrix *sparse_target(int64_t n, int64_t m, int64_t nnz)
{
    double s[16];
    int i;
    lrfa_error err = {0};
    lrfa_sparse *S;
    for (i = 0; i < 16; i++) s[i] = (16.0 - i) / 16.0;
    S = lrfa_gen_sparse_lowrank(n, m, 16, s, (double)nnz / ((double)n * (double)m), 1, &err);
    if (!S) die("gen", &err);
    lrfa_gen_add_noise(S->values, S->nnz, 1e-2, 2);
    return lrfa_matrix_wrap_sparse(S, &err);
}

/* the median over reps fits (seeds 1 .. reps) of the time per iteration, ms */
static double ms_per_iter(const lrfa_problem *P, lrfa_options *opt, int reps)
{
    double t[32];
    int rep;
    lrfa_error err = {0};
    for (rep = 0; rep < reps; rep++) {
        lrfa_result *res = NULL;
        opt->seed = (uint64_t)rep + 1;
        if (lrfa_fit(P, opt, &res, &err) != LRFA_OK) die("fit", &err);
        t[rep] = 1e3 * res->iter_seconds / (double)res->iterations;
        lrfa_result_free(res);
    }
    return median(t, reps);
}

/* a deep network on the dense target: every rule, the widths given */
static int deep_mode(char **argv)
{
    int64_t n = atoll(argv[2]), m = atoll(argv[3]), iters = atoll(argv[6]), kmax = 0;
    const char *widths = argv[4], *rule = argv[5];
    char *p = argv[4];
    int reps = atoi(argv[7]);
    lrfa_matrix *Y;
    lrfa_problem *P;
    lrfa_options opt;
    lrfa_error err = {0};
    double ms;
    lrfa_options_default(&opt);
    opt.depth = 1;
    while (*p && opt.depth < LRFA_MAX_LAYERS) {
        opt.widths[opt.depth - 1] = strtoll(p, &p, 10);
        kmax = opt.widths[opt.depth - 1] > kmax ? opt.widths[opt.depth - 1] : kmax;
        opt.depth++;
        if (*p == ',') p++;
    }
    if (reps < 1 || reps > 32) reps = 3;
    opt.algo = (lrfa_algo)lrfa_algo_parse(rule);
    opt.tol = 0.0;
    opt.max_iters = iters;
    Y = dense_target(n, m);
    P = lrfa_problem_new(Y, 0, kmax, &err);
    if (!P) die("problem", &err);
    ms = ms_per_iter(P, &opt, reps);
    printf("{\"mode\": \"deep\", \"n\": %lld, \"m\": %lld, \"widths\": \"%s\", \"rule\": \"%s\", "
           "\"ms_per_iter\": %.4f, \"peak_mb\": %.1f}\n",
           (long long)n, (long long)m, widths, rule, ms, peak_mb());
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
    return 0;
}

static int iter_mode(int argc, char **argv)
{
    int sparse = !strcmp(argv[2], "sparse"), a = sparse ? 1 : 0, reps;
    int64_t n = atoll(argv[3]), m = atoll(argv[4]), nnz = sparse ? atoll(argv[5]) : 0;
    int64_t r = atoll(argv[5 + a]), iters = atoll(argv[7 + a]);
    const char *algo = argv[6 + a];
    lrfa_matrix *Y;
    lrfa_problem *P;
    lrfa_options opt;
    lrfa_error err = {0};
    double ms, setup, peak_gen, peak_setup;
    if (argc < 9 + a) return 2;
    reps = atoi(argv[8 + a]);
    if (reps < 1 || reps > 32) reps = 3;
    Y = sparse ? sparse_target(n, m, nnz) : dense_target(n, m);
    peak_gen = peak_mb();
    setup = now();
    P = lrfa_problem_new(Y, 0, r, &err);
    if (!P) die("problem", &err);
    setup = now() - setup;
    peak_setup = peak_mb();
    hwm_reset();
    lrfa_options_default(&opt);
    opt.algo = (lrfa_algo)lrfa_algo_parse(algo);
    opt.rank = r;
    opt.tol = 0.0;
    opt.max_iters = iters;
    ms = ms_per_iter(P, &opt, reps);
    printf("{\"mode\": \"iter\", \"storage\": \"%s\", \"n\": %lld, \"m\": %lld, \"nnz\": %lld, \"r\": %lld, "
           "\"algo\": \"%s\", \"ms_per_iter\": %.4f, \"peak_mb\": %.1f, \"peak_after_data_mb\": %.1f, "
           "\"peak_after_spectrum_mb\": %.1f, \"peak_fits_mb\": %.1f, \"y_mb\": %.1f, \"setup_s\": %.3f, "
           "\"spectrum\": \"%s\"}\n",
           sparse ? "sparse" : "dense", (long long)n, (long long)m,
           (long long)(sparse ? Y->sparse->nnz : n * m), (long long)r, algo, ms, peak_mb(), peak_gen, peak_setup,
           hwm_mb(),
           sparse ? (double)Y->sparse->nnz * 16.0 / 1048576.0 + (double)(m + 1) * 8.0 / 1048576.0
                  : (double)n * (double)m * 8.0 / 1048576.0,
           setup, P->spectrum->method);
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
    return 0;
}

/* STREAM-like read probe: the sum of a large array, split between threads. */
typedef struct sum_task {
    const double *x;
    int64_t n;
    double s;
} sum_task;

static void *sum_run(void *arg)
{
    sum_task *t = arg;
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t i;
    for (i = 0; i + 4 <= t->n; i += 4) {
        s0 += t->x[i];
        s1 += t->x[i + 1];
        s2 += t->x[i + 2];
        s3 += t->x[i + 3];
    }
    t->s = s0 + s1 + s2 + s3;
    return NULL;
}

static int stream_mode(char **argv)
{
    int64_t n = atoll(argv[2]) * 1048576 / 8, i;
    int reps = atoi(argv[3]), rep, threads = 2, k;
    double *x = malloc(sizeof(double) * (size_t)n), t[32], total = 0;
    if (!x) return 1;
    for (i = 0; i < n; i++) x[i] = (double)(i & 1023);
    if (reps < 1 || reps > 32) reps = 5;
    for (rep = 0; rep < reps; rep++) {
        pthread_t tid[2];
        sum_task task[2];
        double t0 = now();
        for (k = 0; k < threads; k++) {
            task[k].x = x + n * k / threads;
            task[k].n = n * (k + 1) / threads - n * k / threads;
            pthread_create(&tid[k], NULL, sum_run, &task[k]);
        }
        for (k = 0; k < threads; k++) {
            pthread_join(tid[k], NULL);
            total += task[k].s;
        }
        t[rep] = (double)n * 8.0 / (now() - t0) / 1e9;
    }
    printf("{\"mode\": \"stream\", \"gb_per_s\": %.3f, \"check\": %.0f}\n", median(t, reps), total);
    free(x);
    return 0;
}

static int dgemm_mode(char **argv)
{
    int n = atoi(argv[2]), reps = atoi(argv[3]), rep;
    double *A = malloc(8.0 * n * n), *B = malloc(8.0 * n * n), *C = malloc(8.0 * n * n), t[32];
    lrfa_rng g;
    if (!A || !B || !C) return 1;
    lrfa_rng_seed(&g, 3, 0);
    lrfa_rng_fill_gaussian(&g, A, (int64_t)n * n, 1.0);
    lrfa_rng_fill_gaussian(&g, B, (int64_t)n * n, 1.0);
    if (reps < 1 || reps > 32) reps = 3;
    for (rep = 0; rep < reps; rep++) {
        double t0 = now();
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, A, n, B, n, 0.0, C, n);
        t[rep] = 2.0 * n * (double)n * n / (now() - t0) / 1e9;
    }
    printf("{\"mode\": \"dgemm\", \"gflops\": %.2f}\n", median(t, reps));
    free(A);
    free(B);
    free(C);
    return 0;
}


/* ---- the cores' own peak: independent FMA chains, one thread per core ---- */

typedef struct fma_task {
    long iters;
    int isa; /* 2 AVX-512, 1 AVX2 with FMA, 0 scalar */
    double flops, sink;
} fma_task;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* 16 independent accumulators, each FMA depending only on its own previous
 * value: twice as many chains as two pipes of 4-cycle FMAs need. */
#define FMA_LOOP(vec, set1, fmadd, add, lanes)                                        \
    do {                                                                              \
        vec a[16], x = set1(0.999999), y = set1(1e-9);                                \
        long it;                                                                      \
        int k;                                                                        \
        for (k = 0; k < 16; k++) a[k] = set1((double)k);                              \
        for (it = 0; it < t->iters; it++) {                                           \
            _Pragma("GCC unroll 16")                                                  \
            for (k = 0; k < 16; k++) a[k] = fmadd(a[k], x, y);                        \
        }                                                                             \
        for (k = 1; k < 16; k++) a[0] = add(a[0], a[k]);                              \
        t->sink = ((double *)&a[0])[0];                                               \
        t->flops = 2.0 * 16 * (lanes) * (double)t->iters;                             \
    } while (0)
__attribute__((target("avx512f"))) static void fma_avx512(fma_task *t)
{
    FMA_LOOP(__m512d, _mm512_set1_pd, _mm512_fmadd_pd, _mm512_add_pd, 8);
}
__attribute__((target("avx2,fma"))) static void fma_avx2(fma_task *t)
{
    FMA_LOOP(__m256d, _mm256_set1_pd, _mm256_fmadd_pd, _mm256_add_pd, 4);
}
#endif

static void *fma_run(void *arg)
{
    fma_task *t = arg;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (t->isa == 2) {
        fma_avx512(t);
        return NULL;
    }
    if (t->isa == 1) {
        fma_avx2(t);
        return NULL;
    }
#endif
    {
        double a[16], s = 0;
        long it;
        int k;
        for (k = 0; k < 16; k++) a[k] = k;
        for (it = 0; it < t->iters; it++)
            for (k = 0; k < 16; k++) a[k] = fma(a[k], 0.999999, 1e-9);
        for (k = 0; k < 16; k++) s += a[k];
        t->sink = s;
        t->flops = 2.0 * 16 * (double)t->iters;
    }
    return NULL;
}

static int fma_mode(char **argv)
{
    int reps = atoi(argv[2]), rep, k, threads = 2, isa = 0;
    double t[32], sink = 0;
    const char *name = "scalar";
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) isa = 2, name = "avx512";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) isa = 1, name = "avx2";
#endif
    if (reps < 1 || reps > 32) reps = 5;
    for (rep = 0; rep < reps; rep++) {
        pthread_t tid[2];
        fma_task task[2];
        double t0 = now(), flops = 0;
        for (k = 0; k < threads; k++) {
            task[k].iters = 50000000;
            task[k].isa = isa;
            pthread_create(&tid[k], NULL, fma_run, &task[k]);
        }
        for (k = 0; k < threads; k++) {
            pthread_join(tid[k], NULL);
            flops += task[k].flops;
            sink += task[k].sink;
        }
        t[rep] = flops / (now() - t0) / 1e9;
    }
    printf("{\"mode\": \"fma\", \"isa\": \"%s\", \"threads\": %d, \"gflops\": %.2f, \"check\": %.3g}\n", name, threads,
           median(t, reps), sink);
    return 0;
}

/* ---- Y W^T: OpenBLAS's dgemm (as the iterations called it) against lrfa's kernel ---- */

static int kernel_mode(int argc, char **argv)
{
    int64_t n = atoll(argv[2]), m = atoll(argv[3]), r = atoll(argv[4]);
    int reps = atoi(argv[5]), rep, off = argc > 6 ? atoi(argv[6]) : 0;
    double *Ybuf = aligned_alloc(64, sizeof(double) * (size_t)(n * m + 8)), *Y = Ybuf + off;
    double *W = malloc(sizeof(double) * (size_t)(r * m));
    double *o1 = malloc(sizeof(double) * (size_t)(n * r)), *o2 = malloc(sizeof(double) * (size_t)(n * r));
    double tb[32], tk[32], diff = 0, scale = 0;
    int64_t i;
    lrfa_rng g;
    if (!Ybuf || !W || !o1 || !o2) return 1;
    lrfa_rng_seed(&g, 5, 0);
    lrfa_rng_fill_gaussian(&g, Y, n * m, 1.0);
    lrfa_rng_fill_gaussian(&g, W, r * m, 1.0);
    if (reps < 1 || reps > 32) reps = 5;
    /* the kernel first: OpenBLAS's threads spin for a while after a call,
     * taking the cores from other threads */
    for (rep = 0; rep < reps; rep++) {
        double t0 = now();
        lrfa_kern_y_wt(Y, n, m, W, r, o2);
        tk[rep] = (now() - t0) * 1e3;
    }
    for (rep = 0; rep < reps; rep++) {
        double t0 = now();
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, (int)n, (int)r, (int)m, 1.0, Y, (int)n, W, (int)r, 0.0, o1,
                    (int)n);
        tb[rep] = (now() - t0) * 1e3;
    }
    for (i = 0; i < n * r; i++) {
        if (fabs(o1[i] - o2[i]) > diff) diff = fabs(o1[i] - o2[i]);
        if (fabs(o1[i]) > scale) scale = fabs(o1[i]);
    }
    printf("{\"mode\": \"kernel\", \"n\": %lld, \"m\": %lld, \"r\": %lld, \"isa\": \"%s\", \"dgemm_ms\": %.3f, "
           "\"kernel_ms\": %.3f, \"max_rel_diff\": %.2e}\n",
           (long long)n, (long long)m, (long long)r, lrfa_kern_isa_name(lrfa_kern_isa()),
           median(tb, reps), median(tk, reps), scale > 0 ? diff / scale : diff);
    free(Ybuf);
    free(W);
    free(o1);
    free(o2);
    return 0;
}

static int spectrum_mode(char **argv)
{
    int64_t n = atoll(argv[2]), k = atoll(argv[3]), i;
    int reps = atoi(argv[4]), rep;
    lrfa_matrix *Y = dense_target(n, n);
    double *s = malloc(sizeof(double) * (size_t)n), *sl = malloc(sizeof(double) * (size_t)k), tf[32], tl[32];
    double worst = 0.0;
    lrfa_error err = {0};
    if (reps < 1 || reps > 32) reps = 3;
    for (rep = 0; rep < reps; rep++) {
        lrfa_dense *C = lrfa_dense_copy(Y->dense, &err);
        double t0 = now();
        if (lrfa_svd_values(C, s, &err) != LRFA_OK) die("dgesdd", &err);
        tf[rep] = now() - t0;
        lrfa_dense_free(C);
        t0 = now();
        if (lrfa_svd_lanczos(Y, k, 1e-12, 1, sl, NULL, NULL, NULL, &err) != LRFA_OK) die("lanczos", &err);
        tl[rep] = now() - t0;
    }
    for (i = 0; i < k; i++) worst = fmax(worst, fabs(sl[i] - s[i]) / s[i]);
    printf("{\"mode\": \"spectrum\", \"n\": %lld, \"k\": %lld, \"dgesdd_s\": %.3f, \"lanczos_s\": %.3f, "
           "\"max_rel_diff\": %.3e}\n",
           (long long)n, (long long)k, median(tf, reps), median(tl, reps), worst);
    free(s);
    free(sl);
    lrfa_matrix_free(Y);
    return 0;
}

static int sparse_spectrum_mode(char **argv)
{
    int64_t n = atoll(argv[2]), nnz = atoll(argv[3]), k = atoll(argv[4]);
    lrfa_matrix *Y = sparse_target(n, n, nnz);
    double *s = malloc(sizeof(double) * (size_t)k), t0;
    lrfa_lanczos_info info;
    lrfa_error err = {0};
    t0 = now();
    if (lrfa_svd_lanczos(Y, k, 1e-12, 1, s, NULL, NULL, &info, &err) != LRFA_OK) die("lanczos", &err);
    printf("{\"mode\": \"sparse_spectrum\", \"n\": %lld, \"k\": %lld, \"lanczos_s\": %.3f, \"s1\": %.15g, "
           "\"sk\": %.15g, \"products\": %lld, \"restarts\": %lld, \"rounds\": %lld, \"check\": \"%s\", "
           "\"next\": %.15g, \"bound\": %.3e, \"peak_mb\": %.1f}\n",
           (long long)n, (long long)k, now() - t0, s[0], s[k - 1], (long long)info.products,
           (long long)info.restarts, (long long)info.rounds, lrfa_lanczos_check_name(info.check), info.next_value,
           info.error_bound, peak_mb());
    free(s);
    lrfa_matrix_free(Y);
    return 0;
}

/* The hard cases of a truncated spectrum: multiplicities 2, 3 and 5 (dense
 * and sparse) and graph matrices with paired and clustered values. For each
 * K = 1..KMAX, lrfa_spectrum_leading with the Lanczos method against all of
 * dgesdd's values: the largest |s_i - dgesdd_i| / s_1 over i <= K, the
 * seconds, and how the K were checked. One JSON line per case. */
static lrfa_matrix *case_matrix(int c, const char **name)
{
    static const double head[] = {10, 5, 5, 5, 3, 3, 2.5, 2, 2, 2, 2, 2, 1.5, 1.5, 1.4, 1.3, 1.3, 1.3};
    static const char *graphs[] = {"grid:50x50", "hypercube:11", "cycle:2000"};
    double s[300];
    int i, nh = (int)(sizeof head / sizeof *head);
    lrfa_error err = {0};
    for (i = 0; i < 300; i++) s[i] = i < nh ? head[i] : 1.2 * pow(0.98, (double)(i - nh));
    if (c == 0) {
        *name = "dense, s = 10, 5 x3, 3 x2, 2.5, 2 x5, 1.5 x2, 1.4, 1.3 x3, then 1.2 * 0.98^i";
        return lrfa_matrix_wrap_dense(lrfa_gen_lowrank(2100, 2100, 300, s, 31, &err), &err);
    }
    if (c == 1) {
        *name = "sparse, the same values";
        return lrfa_matrix_wrap_sparse(lrfa_gen_sparse_lowrank(3000, 2000, 300, s, 1.0 / 400, 32, &err), &err);
    }
    *name = graphs[c - 2];
    return lrfa_matrix_wrap_sparse(lrfa_gen_graph(graphs[c - 2], &err), &err);
}

static int spectrum_cases_mode(char **argv)
{
    int64_t kmax = atoll(argv[2]), K, i;
    int c;
    for (c = 0; c < 5; c++) {
        const char *name = NULL;
        lrfa_matrix *M = case_matrix(c, &name);
        lrfa_dense *D;
        double *ref, t0, td;
        lrfa_error err = {0};
        if (!M) die("case", &err);
        ref = malloc(sizeof(double) * (size_t)(M->rows < M->cols ? M->rows : M->cols));
        D = lrfa_matrix_to_dense(M, &err);
        t0 = now();
        if (!D || !ref || lrfa_svd_values(D, ref, &err) != LRFA_OK) die("dgesdd", &err);
        td = now() - t0;
        lrfa_dense_free(D);
        printf("{\"mode\": \"spectrum_cases\", \"case\": \"%s\", \"rows\": %lld, \"cols\": %lld, \"dgesdd_s\": %.3f, "
               "\"k\": [",
               name, (long long)M->rows, (long long)M->cols, td);
        for (K = 1; K <= kmax; K++) {
            lrfa_spectrum *sp;
            double e = 0.0, tl;
            t0 = now();
            sp = lrfa_spectrum_leading(M, K, LRFA_SPECTRUM_LANCZOS, -1.0, NULL, NULL, &err);
            tl = now() - t0;
            if (!sp) die("spectrum", &err);
            for (i = 0; i < K; i++) e = fmax(e, fabs(sp->s[i] - ref[i]) / ref[0]);
            printf("%s{\"K\": %lld, \"max_err\": %.3e, \"bound\": %.3e, \"seconds\": %.4f, \"method\": \"%s\", "
                   "\"check\": \"%s\", \"products\": %lld}",
                   K > 1 ? ", " : "", (long long)K, e, sp->error_bound, tl, sp->method,
                   strcmp(sp->method, "lanczos") ? "dgesdd" : lrfa_lanczos_check_name(sp->lanczos.check),
                   (long long)sp->lanczos.products);
            lrfa_spectrum_free(sp);
        }
        printf("]}\n");
        fflush(stdout);
        free(ref);
        lrfa_matrix_free(M);
    }
    return 0;
}

static int write_mode(char **argv)
{
    /* write the benchmark's matrices as Matrix Market files, for parsing */
    lrfa_error err = {0};
    lrfa_matrix *Y = !strcmp(argv[2], "dense") ? dense_target(atoll(argv[3]), atoll(argv[4]))
                                              : sparse_target(atoll(argv[3]), atoll(argv[4]), atoll(argv[5]));
    if (lrfa_mm_write_path(argv[!strcmp(argv[2], "dense") ? 5 : 6], Y, "lrfa benchmark matrix", &err) != LRFA_OK)
        die("write", &err);
    lrfa_matrix_free(Y);
    return 0;
}

static int parse_mode(char **argv)
{
    int reps = atoi(argv[3]), rep;
    double t[32];
    FILE *fp = fopen(argv[2], "rb");
    double mb;
    if (!fp) return 1;
    fseek(fp, 0, SEEK_END);
    mb = (double)ftell(fp) / 1e6;
    fclose(fp);
    if (reps < 1 || reps > 32) reps = 3;
    for (rep = 0; rep < reps; rep++) {
        lrfa_matrix *Y = NULL;
        lrfa_error err = {0};
        double t0 = now();
        if (lrfa_mm_read_path(argv[2], &Y, NULL, &err) != LRFA_OK) die("read", &err);
        t[rep] = now() - t0;
        lrfa_matrix_free(Y);
    }
    printf("{\"mode\": \"parse\", \"file\": \"%s\", \"mb\": %.1f, \"seconds\": %.3f, \"mb_per_s\": %.1f}\n", argv[2], mb,
           median(t, reps), mb / median(t, reps));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "parse")) return parse_mode(argv);
    if (argc >= 9 && !strcmp(argv[1], "iter")) return iter_mode(argc, argv);
    if (argc >= 8 && !strcmp(argv[1], "deep")) return deep_mode(argv);
    if (argc >= 4 && !strcmp(argv[1], "stream")) return stream_mode(argv);
    if (argc >= 4 && !strcmp(argv[1], "dgemm")) return dgemm_mode(argv);
    if (argc >= 3 && !strcmp(argv[1], "fma")) return fma_mode(argv);
    if (argc >= 6 && !strcmp(argv[1], "kernel")) return kernel_mode(argc, argv);
    if (argc >= 5 && !strcmp(argv[1], "spectrum")) return spectrum_mode(argv);
    if (argc >= 5 && !strcmp(argv[1], "sparse-spectrum")) return sparse_spectrum_mode(argv);
    if (argc >= 6 && !strcmp(argv[1], "write")) return write_mode(argv);
    if (argc >= 3 && !strcmp(argv[1], "spectrum-cases")) return spectrum_cases_mode(argv);
    fprintf(stderr, "usage: bench_lrfa iter|stream|dgemm|spectrum|sparse-spectrum|write ... (see the source)\n");
    return 2;
}
