/* test_alloc.c: every allocation failure inside a typical session (read a
 * file, prepare the problem, fit FA and GD with traces, compare, write the
 * factors) comes back to the caller as LRFA_ENOMEM, and nothing leaks.
 *
 * The allocator hook fails the k-th allocation, for every k the session
 * reaches, and counts the blocks alive: after the session has freed what it
 * got, the count must be zero, whatever k was. */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"

static atomic_long calls, live;
static long fail_at; /* 0: never */

static void *t_malloc(size_t size)
{
    long k = atomic_fetch_add(&calls, 1) + 1;
    void *p;
    if (k == fail_at) return NULL;
    p = malloc(size);
    if (p) atomic_fetch_add(&live, 1);
    return p;
}

static void *t_realloc(void *ptr, size_t size)
{
    long k = atomic_fetch_add(&calls, 1) + 1;
    void *p;
    if (k == fail_at) return NULL;
    p = realloc(ptr, size);
    if (p && !ptr) atomic_fetch_add(&live, 1);
    return p;
}

static void t_free(void *ptr)
{
    if (!ptr) return;
    atomic_fetch_sub(&live, 1);
    free(ptr);
}

/* A 40 x 30 matrix of rank 5 plus small noise, as Matrix Market text (dense
 * or coordinate), each value times scale. */
static char *matrix_text(int sparse, double scale)
{
    size_t cap = 1 << 17, len = 0;
    char *t = malloc(cap);
    lrfa_dense *A = test_gaussian(40, 5, 11), *B = test_gaussian(5, 30, 12), *N = test_gaussian(40, 30, 13);
    int64_t i, j, k;
    len += (size_t)snprintf(t + len, cap - len, "%%%%MatrixMarket matrix %s real general\n",
                            sparse ? "coordinate" : "array");
    len += (size_t)(sparse ? snprintf(t + len, cap - len, "40 30 1200\n") : snprintf(t + len, cap - len, "40 30\n"));
    for (j = 0; j < 30; j++)
        for (i = 0; i < 40; i++) {
            double v = 1e-3 * N->data[i + j * 40];
            for (k = 0; k < 5; k++) v += A->data[i + k * 40] * B->data[k + j * 5];
            if (sparse)
                len += (size_t)snprintf(t + len, cap - len, "%lld %lld %.17g\n", (long long)i + 1, (long long)j + 1,
                                        scale * v);
            else
                len += (size_t)snprintf(t + len, cap - len, "%.17g\n", scale * v);
        }
    lrfa_dense_free(A);
    lrfa_dense_free(B);
    lrfa_dense_free(N);
    return t;
}

/* The session; returns its status (LRFA_OK when every step succeeded). */
static lrfa_status session(const char *text, const char *outdir)
{
    FILE *fp = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
    lrfa_matrix *Y = NULL;
    lrfa_problem *P = NULL, *Pt = NULL;
    lrfa_result *fa = NULL, *gd = NULL, *gt = NULL;
    lrfa_error err;
    lrfa_options opt;
    lrfa_status st;
    char path[512];
    memset(&err, 0, sizeof err);
    st = lrfa_mm_read(fp, "text", &Y, NULL, &err);
    fclose(fp);
    if (st != LRFA_OK) goto done;
    P = lrfa_problem_new(Y, 0, 3, &err);
    if (!P) { st = err.status; goto done; }
    lrfa_options_default(&opt);
    opt.rank = 3;
    opt.max_iters = 60;
    opt.log_every = 10;
    opt.exact_every = 2;
    opt.algo = LRFA_ALGO_FA;
    if ((st = lrfa_fit(P, &opt, &fa, &err)) != LRFA_OK) goto done;
    opt.algo = LRFA_ALGO_GD;
    if ((st = lrfa_fit(P, &opt, &gd, &err)) != LRFA_OK) goto done;
    if (isnan(lrfa_span_overlap(gd->W, 1, fa->W, 1, NULL)) || isnan(lrfa_product_diff(gd->Z, gd->W, fa->Z, fa->W))) {
        st = LRFA_ENOMEM;
        goto done;
    }
    /* the transposed problem, without singular vectors */
    Pt = lrfa_problem_new(Y, 1, 0, &err);
    if (!Pt) { st = err.status; goto done; }
    opt.rank = 2;
    if ((st = lrfa_fit(Pt, &opt, &gt, &err)) != LRFA_OK) goto done;
    snprintf(path, sizeof path, "%s/Z.mtx", outdir);
    st = lrfa_mm_write_dense_path(path, fa->Z, "factor", &err);
done:
    if (st != LRFA_OK && st != LRFA_ENOMEM) printf("    unexpected status %d: %s\n", (int)st, err.message);
    lrfa_result_free(fa);
    lrfa_result_free(gd);
    lrfa_result_free(gt);
    lrfa_problem_free(P);
    lrfa_problem_free(Pt);
    lrfa_matrix_free(Y);
    return st;
}

static void run_every_k(const char *what, int sparse, double scale)
{
    char *text = matrix_text(sparse, scale);
    char dir[] = "/tmp/lrfa-alloc.XXXXXX";
    long total, k, nomem = 0, ok = 0, wrong = 0, leaks = 0;
    lrfa_status st;
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    /* count the allocations of a whole session */
    atomic_store(&calls, 0);
    atomic_store(&live, 0);
    fail_at = 0;
    lrfa_set_allocator(t_malloc, t_realloc, t_free);
    st = session(text, dir);
    lrfa_set_allocator(NULL, NULL, NULL);
    total = atomic_load(&calls);
    CU_ASSERT_EQUAL(st, LRFA_OK);
    CU_ASSERT_EQUAL(atomic_load(&live), 0);
    for (k = 1; k <= total; k++) {
        atomic_store(&calls, 0);
        atomic_store(&live, 0);
        fail_at = k;
        lrfa_set_allocator(t_malloc, t_realloc, t_free);
        st = session(text, dir);
        lrfa_set_allocator(NULL, NULL, NULL);
        if (st == LRFA_ENOMEM) nomem++;
        else if (st == LRFA_OK) {
            if (ok < 3) printf("    failing allocation %ld of %ld: the session still succeeded\n", k, total);
            ok++;
        }
        else wrong++;
        if (atomic_load(&live) != 0) {
            if (leaks < 3) printf("    failing allocation %ld: %ld blocks leaked\n", k, (long)atomic_load(&live));
            leaks++;
        }
    }
    printf("    %s: %ld allocations; failing each: %ld gave LRFA_ENOMEM, %ld still succeeded, %ld another status,"
           " %ld leaked (must be 0 and 0)\n", what, total, nomem, ok, wrong, leaks);
    CU_ASSERT(total > 50);
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT_EQUAL(leaks, 0);
    /* nearly every allocation is needed: failing it must fail the session */
    CU_ASSERT(nomem >= total * 9 / 10);
    snprintf(text, 256, "%s/Z.mtx", dir);
    unlink(text);
    CU_ASSERT_EQUAL(rmdir(dir), 0); /* nothing else, no temporary file, was left */
    free(text);
}

static void test_alloc_dense(void) { run_every_k("dense 40 x 30", 0, 1.0); }
static void test_alloc_sparse(void) { run_every_k("sparse 40 x 30", 1, 1.0); }
static void test_alloc_scaled(void) { run_every_k("dense, entries near 1e300 (fitted scaled)", 0, 0x1p1000); }

/* ---- a header that promises more than the file holds ---- */

/* A hook that tracks the bytes alive and their peak (each block carries its
 * size in a 16-byte prefix). */
static atomic_long bytes_live, bytes_peak;

static void note_bytes(long delta)
{
    long now = atomic_fetch_add(&bytes_live, delta) + delta, peak = atomic_load(&bytes_peak);
    while (now > peak && !atomic_compare_exchange_weak(&bytes_peak, &peak, now)) {
    }
}

static void *p_malloc(size_t size)
{
    size_t *p = malloc(size + 16);
    if (!p) return NULL;
    p[0] = size;
    note_bytes((long)size);
    return (char *)p + 16;
}

static void *p_realloc(void *ptr, size_t size)
{
    size_t *p, old;
    if (!ptr) return p_malloc(size);
    p = (size_t *)((char *)ptr - 16);
    old = p[0];
    p = realloc(p, size + 16);
    if (!p) return NULL;
    p[0] = size;
    note_bytes((long)size - (long)old);
    return (char *)p + 16;
}

static void p_free(void *ptr)
{
    size_t *p;
    if (!ptr) return;
    p = (size_t *)((char *)ptr - 16);
    note_bytes(-(long)p[0]);
    free(p);
}

/* Reads text (from a regular file, or from memory when file is 0) with the
 * peak-tracking hook; returns the status and the peak bytes allocated. */
static lrfa_status read_peak(const char *text, int file, long *peak, lrfa_error *err)
{
    lrfa_matrix *Y = NULL;
    lrfa_status st;
    FILE *fp;
    char path[] = "/tmp/lrfa-short.XXXXXX";
    if (file) {
        int fd = mkstemp(path);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
        close(fd);
        fp = fopen(path, "r");
    } else {
        fp = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    atomic_store(&bytes_live, 0);
    atomic_store(&bytes_peak, 0);
    memset(err, 0, sizeof *err);
    lrfa_set_allocator(p_malloc, p_realloc, p_free);
    st = lrfa_mm_read(fp, "short.mtx", &Y, NULL, err);
    lrfa_matrix_free(Y);
    lrfa_set_allocator(NULL, NULL, NULL);
    fclose(fp);
    if (file) unlink(path);
    *peak = atomic_load(&bytes_peak);
    CU_ASSERT_EQUAL(atomic_load(&bytes_live), 0);
    return st;
}

static void test_short_file_allocates_what_it_holds(void)
{
    /* each header passes the memory check (its matrix would fit in 24 GiB)
     * but the file holds three entries: the reader must fail at the end
     * having allocated its 8 MiB block buffer and small entry buffers only */
    static const char *texts[] = {
        "%%MatrixMarket matrix coordinate real general\n100000 100000 50000000\n1 1 1.5\n2 2 2.5\n3 3 3.5\n",
        "%%MatrixMarket matrix coordinate real symmetric\n100000 100000 50000000\n1 1 1.5\n2 1 2.5\n3 3 3.5\n",
        "%%MatrixMarket matrix array real general\n20000 20000\n1.5\n2.5\n3.5\n",
    };
    const long bound = 12L << 20; /* 8 MiB block buffer + 4 MiB */
    size_t t;
    int file;
    for (t = 0; t < sizeof texts / sizeof texts[0]; t++)
        for (file = 0; file <= 1; file++) {
            lrfa_error err;
            long peak;
            lrfa_status st = read_peak(texts[t], file, &peak, &err);
            printf("    case %zu (%s): %s; peak %.2f MiB allocated (bound %.0f MiB)\n", t + 1,
                   file ? "regular file" : "in memory", err.message, (double)peak / 1048576.0,
                   (double)bound / 1048576.0);
            CU_ASSERT_EQUAL(st, LRFA_EINPUT);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "end of file after 3 of the"));
            CU_ASSERT(peak <= bound);
        }
}

static void test_absurd_header_allocates_nothing(void)
{
    /* refused from the size line alone: nothing beyond the reader's own
     * buffers is allocated */
    static const char *texts[] = {
        "%%MatrixMarket matrix array real general\n1000000000 1000000000\n1\n",
        "%%MatrixMarket matrix coordinate real general\n1000000 1000000 1000000000000\n1 1 1\n",
    };
    size_t t;
    for (t = 0; t < 2; t++) {
        lrfa_error err;
        long peak;
        lrfa_status st = read_peak(texts[t], 1, &peak, &err);
        printf("    %s; peak %.2f MiB allocated\n", err.message, (double)peak / 1048576.0);
        CU_ASSERT_EQUAL(st, LRFA_ENOMEM);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "short.mtx:2:"));
        CU_ASSERT(peak <= 9L << 20);
    }
}

static void test_memory_limit_refuses_up_front(void)
{
    /* a 1 x 922375337 sparse matrix with no entries (found by fuzzing) needs
     * 7.4 GB of column pointers: within 24 GiB, refused under a 1 GiB limit */
    const char *text = "%%MatrixMarket matrix coordinate real general\n1 922375337 0\n";
    lrfa_error err;
    long peak;
    lrfa_status st;
    lrfa_set_memory_limit((uint64_t)1 << 30);
    st = read_peak(text, 0, &peak, &err);
    lrfa_set_memory_limit(0);
    printf("    limit 1 GiB: %s; peak %.2f MiB allocated\n", err.message, (double)peak / 1048576.0);
    CU_ASSERT_EQUAL(st, LRFA_ENOMEM);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "short.mtx:2:"));
    CU_ASSERT(peak <= 9L << 20);
}

void register_alloc_suite(void)
{
    CU_pSuite s = CU_add_suite("allocation failures", NULL, NULL);
    CU_add_test(s, "dense session: every failing allocation is reported, nothing leaks", test_alloc_dense);
    CU_add_test(s, "sparse session: every failing allocation is reported, nothing leaks", test_alloc_sparse);
    CU_add_test(s, "scaled session: every failing allocation is reported, nothing leaks", test_alloc_scaled);
    CU_add_test(s, "a short file declaring many entries allocates only what it holds",
                test_short_file_allocates_what_it_holds);
    CU_add_test(s, "absurd sizes are refused from the header, allocating nothing", test_absurd_header_allocates_nothing);
    CU_add_test(s, "a memory limit refuses a header up front", test_memory_limit_refuses_up_front);
}
