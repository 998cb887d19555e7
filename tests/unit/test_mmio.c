/* test_mmio.c: the Matrix Market reader against SciPy's figures, the writer's
 * exact round trip, and the reader's mirroring rules. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"
#include "internal.h"

/* Every matrix in data/matrices (copies of the project's shared matrices)
 * reads with SciPy's shape and stored entries; ||Y||_F agrees to 1e-12
 * relative and the five largest singular values to 1e-10 relative to s_1
 * (reference: data/reference.txt from tests/tools/make_reference.py). */
static void test_shared_matrices(void)
{
    FILE *ref = fopen("data/reference.txt", "r");
    char line[1024], name[256], path[512];
    int files = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
    while (fgets(line, sizeof line, ref)) {
        long long rows, cols, entries, stored;
        double fro, s[5], worst = 0.0;
        lrfa_matrix *Y = NULL;
        lrfa_mm_header h;
        lrfa_error err = {0};
        lrfa_spectrum *sp;
        int k;
        if (line[0] == '#') continue;
        if (sscanf(line, "%255s %lld %lld %lld %lld %lf %lf %lf %lf %lf %lf", name, &rows, &cols, &entries,
                   &stored, &fro, &s[0], &s[1], &s[2], &s[3], &s[4]) != 11) {
            CU_FAIL("malformed line in data/reference.txt");
            continue;
        }
        snprintf(path, sizeof path, "data/matrices/%s", name);
        if (lrfa_mm_read_path(path, &Y, &h, &err) != LRFA_OK) {
            printf("    %s: %s\n", name, err.message);
            CU_FAIL("a shared matrix failed to read");
            continue;
        }
        files++;
        CU_ASSERT_EQUAL(Y->rows, rows);
        CU_ASSERT_EQUAL(Y->cols, cols);
        CU_ASSERT_EQUAL(h.entries, entries);
        CU_ASSERT_EQUAL(lrfa_matrix_stored(Y), stored);
        CU_ASSERT_EQUAL(Y->storage, h.format == LRFA_MM_COORDINATE ? LRFA_STORAGE_SPARSE : LRFA_STORAGE_DENSE);
        sp = lrfa_spectrum_compute(Y, -1.0, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
        {
            char what[300];
            snprintf(what, sizeof what, "%s: ||Y||_F vs SciPy (relative)", name);
            CHECK_REL(what, sp->fro, fro, fro, 1e-12);
            for (k = 0; k < 5 && k < sp->k; k++) {
                double e = fabs(sp->s[k] - s[k]) / s[0];
                if (e > worst) worst = e;
            }
            snprintf(what, sizeof what, "%s: s_1..s_5 vs NumPy (over s_1)", name);
            CHECK_REL(what, worst, 0.0, 1.0, 1e-10);
        }
        lrfa_spectrum_free(sp);
        lrfa_matrix_free(Y);
    }
    fclose(ref);
    printf("    %d shared matrices checked\n", files);
    CU_ASSERT(files >= 12);
}

static char tmpdir[64];

static int make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/lrfa-unit.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : 1;
}

static int remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : 1;
}

/* Write then read gives identical bits, for values at the edges of double
 * precision (largest finite, subnormal, -0, values needing 17 digits). */
static void test_round_trip_bits(void)
{
    static const double special[] = {1.7976931348623157e308, 4.9406564584124654e-324, -0.0, 1.0 / 3.0,
                                     -2.2250738585072014e-308, 0.1, 1e22, 123456789012345678.0};
    lrfa_dense *A = test_gaussian(17, 11, 3);
    lrfa_matrix *M, *B = NULL;
    lrfa_error err = {0};
    char path[128];
    size_t k;
    CU_ASSERT_PTR_NOT_NULL_FATAL(A);
    for (k = 0; k < sizeof special / sizeof *special; k++) A->data[k * 7] = special[k];
    for (k = 0; k < 17 * 11; k += 5) A->data[k] *= 1e-300;
    M = lrfa_matrix_wrap_dense(A, NULL);
    snprintf(path, sizeof path, "%s/dense.mtx", tmpdir);
    CU_ASSERT_EQUAL_FATAL(lrfa_mm_write_path(path, M, "round trip\ntwo lines", &err), LRFA_OK);
    CU_ASSERT_EQUAL_FATAL(lrfa_mm_read_path(path, &B, NULL, &err), LRFA_OK);
    CU_ASSERT_EQUAL(B->storage, LRFA_STORAGE_DENSE);
    CU_ASSERT_EQUAL(memcmp(B->dense->data, A->data, sizeof(double) * 17 * 11), 0);
    lrfa_matrix_free(B);
    B = NULL;

    /* sparse, with an explicit zero that must survive */
    {
        int64_t ti[30], tj[30];
        double tx[30];
        lrfa_sparse *S;
        lrfa_matrix *SM;
        for (k = 0; k < 30; k++) {
            ti[k] = (int64_t)((k * 7) % 17);
            tj[k] = (int64_t)((k * 3) % 11);
            tx[k] = k == 4 ? 0.0 : A->data[k] * 1e5;
        }
        S = lrfa_sparse_from_triplets(17, 11, 30, ti, tj, tx, NULL);
        SM = lrfa_matrix_wrap_sparse(S, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(SM);
        snprintf(path, sizeof path, "%s/sparse.mtx", tmpdir);
        CU_ASSERT_EQUAL_FATAL(lrfa_mm_write_path(path, SM, NULL, &err), LRFA_OK);
        CU_ASSERT_EQUAL_FATAL(lrfa_mm_read_path(path, &B, NULL, &err), LRFA_OK);
        CU_ASSERT_EQUAL(B->storage, LRFA_STORAGE_SPARSE);
        CU_ASSERT_EQUAL(B->sparse->nnz, S->nnz);
        CU_ASSERT_EQUAL(memcmp(B->sparse->colptr, S->colptr, sizeof(int64_t) * 12), 0);
        CU_ASSERT_EQUAL(memcmp(B->sparse->rowidx, S->rowidx, sizeof(int64_t) * (size_t)S->nnz), 0);
        CU_ASSERT_EQUAL(memcmp(B->sparse->values, S->values, sizeof(double) * (size_t)S->nnz), 0);
        lrfa_matrix_free(SM);
        lrfa_matrix_free(B);
    }
    lrfa_matrix_free(M);
}

/* A failed write is reported and leaves nothing behind. */
static void test_write_errors(void)
{
    lrfa_dense *A = test_gaussian(100, 100, 4);
    lrfa_matrix *M = lrfa_matrix_wrap_dense(A, NULL);
    lrfa_error err = {0};
    FILE *full = fopen("/dev/full", "w");
    char cmd[256];
    CU_ASSERT_PTR_NOT_NULL_FATAL(M);
    CU_ASSERT_EQUAL(lrfa_mm_write_path("/nonexistent-folder/y.mtx", M, NULL, &err), LRFA_EIO);
    CU_ASSERT(strstr(err.message, "/nonexistent-folder/y.mtx") != NULL);
    if (full) {
        CU_ASSERT_EQUAL(lrfa_mm_write(full, "/dev/full", M, NULL, &err), LRFA_EIO);
        fclose(full);
    }
    /* no temporary file is left in the folder after a successful write either */
    snprintf(cmd, sizeof cmd, "%s/ok.mtx", tmpdir);
    CU_ASSERT_EQUAL(lrfa_mm_write_path(cmd, M, NULL, &err), LRFA_OK);
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | grep -c tmp) -eq 0", tmpdir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    lrfa_matrix_free(M);
}

static lrfa_matrix *read_text(const char *text, lrfa_error *err)
{
    lrfa_matrix *M = NULL;
    FILE *fp = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
    if (!fp) return NULL;
    if (lrfa_mm_read(fp, "text", &M, NULL, err) != LRFA_OK) M = NULL;
    fclose(fp);
    return M;
}

/* Symmetric files mirror the lower triangle, skew-symmetric ones negate it;
 * repeated coordinates are summed; pattern entries are 1. */
static void test_mirroring(void)
{
    lrfa_error err = {0};
    lrfa_matrix *M;
    M = read_text("%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 2\n2 1 1.5\n3 2 -2\n", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(M);
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 1, 0), 1.5);
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 0, 1), -1.5);
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 2, 1), -2.0);
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 1, 2), 2.0);
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 0, 0), 0.0);
    lrfa_matrix_free(M);
    M = read_text("%%MatrixMarket matrix array real symmetric\n3 3\n1\n2\n3\n4\n5\n6\n", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(M);
    /* packed lower triangle by columns: (1,1)=1 (2,1)=2 (3,1)=3 (2,2)=4 (3,2)=5 (3,3)=6 */
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 0, 2), 3.0);
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 2, 0), 3.0);
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 1, 2), 5.0);
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 2, 2), 6.0);
    lrfa_matrix_free(M);
    M = read_text("%%MatrixMarket matrix array real skew-symmetric\n3 3\n1\n2\n3\n", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(M);
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 1, 0), 1.0);
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 0, 1), -1.0);
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 2, 1), 3.0);
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 1, 2), -3.0);
    lrfa_matrix_free(M);
    M = read_text("%%MatrixMarket matrix coordinate pattern symmetric\n2 2 3\n1 1\n2 1\n2 1\n", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(M);
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 0, 0), 1.0);
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 1, 0), 2.0); /* repeated: summed */
    CU_ASSERT_EQUAL(lrfa_matrix_get(M, 0, 1), 2.0);
    CU_ASSERT_EQUAL(lrfa_matrix_stored(M), 3);
    lrfa_matrix_free(M);
}

/* A malformed entry names its line (comments and blank lines count). */
static void test_error_line(void)
{
    lrfa_error err = {0};
    CU_ASSERT_PTR_NULL(read_text("%%MatrixMarket matrix coordinate real general\r\n% c\r\n\r\n2 2 2\r\n1 1 1\r\n\r\n2 x 1\r\n", &err));
    CU_ASSERT_EQUAL(err.line, 7);
    CU_ASSERT(strncmp(err.message, "text:7:", 7) == 0);
    printf("    message: %s\n", err.message);
}


/* The number parser is bit-identical to strtod on 10^6 values of every
 * form a Matrix Market file holds: 17, 15 and 6 significant digits of
 * random doubles across the exponent range, short decimals with exponents
 * up to 30, leading and trailing zeros, integers, signs, subnormals, 19-digit
 * significands with exponents from -345 to 314, and exact ties between two
 * doubles (odd integers above 2^53). */
static void test_parse_double_vs_strtod(void)
{
    lrfa_rng rng;
    int i, mismatches = 0, fast = 0, tried = 0;
    char buf[64];
    lrfa_rng_seed(&rng, 31, 0);
    for (i = 0; i < 1000000; i++) {
        double want, got = 0.0;
        int kind = i % 10;
        uint64_t bits = lrfa_rng_u64(&rng);
        double x;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x)) x = 1.0 / 3.0;
        switch (kind) {
        case 0: snprintf(buf, sizeof buf, "%.17g", x); break;
        case 1: snprintf(buf, sizeof buf, "%.15g", x); break;
        case 2: snprintf(buf, sizeof buf, "%.6e", x); break;
        case 3:
            snprintf(buf, sizeof buf, "%lld.%llde%d", (long long)(lrfa_rng_u64(&rng) % 100000),
                     (long long)(lrfa_rng_u64(&rng) % 1000000), (int)(lrfa_rng_u64(&rng) % 61) - 30);
            break;
        case 4: snprintf(buf, sizeof buf, "-0.000%llu", (unsigned long long)(lrfa_rng_u64(&rng) % 1000000000)); break;
        case 5: snprintf(buf, sizeof buf, "%lld", (long long)(lrfa_rng_u64(&rng) >> (lrfa_rng_u64(&rng) % 64))); break;
        case 6: snprintf(buf, sizeof buf, ".%llu00E+%d", (unsigned long long)(lrfa_rng_u64(&rng) % 1000),
                         (int)(lrfa_rng_u64(&rng) % 25)); break;
        case 7: snprintf(buf, sizeof buf, "%.17g", ldexp(lrfa_rng_uniform(&rng), -1030 - (int)(i % 40))); break;
        case 8: /* 19 digits, every decimal exponent the 128-bit path takes */
            snprintf(buf, sizeof buf, "%llue%d", (unsigned long long)(lrfa_rng_u64(&rng) % 10000000000000000000ull),
                     (int)(lrfa_rng_u64(&rng) % 660) - 345);
            break;
        default: { /* exact ties and near-ties: odd integers above 2^53 */
            uint64_t v = (lrfa_rng_u64(&rng) >> (lrfa_rng_u64(&rng) % 11)) | ((uint64_t)1 << 53) | 1u;
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
            break;
        }
        }
        want = strtod(buf, NULL);
        if (isinf(want)) continue; /* lrfa refuses overflow; tested elsewhere */
        tried++;
        if (lrfa_parse_double(buf, 0, &got) != NUM_OK || memcmp(&got, &want, sizeof got) != 0) {
            if (mismatches < 5) printf("    mismatch: '%s' -> %.17g, strtod %.17g\n", buf, got, want);
            mismatches++;
        }
        if (kind >= 3 && kind <= 6) fast++;
    }
    printf("    %d values (%d of short forms), %d differ from strtod (must be 0)\n", tried, fast, mismatches);
    CU_ASSERT(tried > 990000);
    CU_ASSERT_EQUAL(mismatches, 0);
}


/* A large file is read in blocks, two threads at a time. The result is the
 * same as reading it on one thread, and an error deep inside names the same
 * line: a bad value, a NUL byte, one entry too many. */
static char *big_text(int64_t entries, int64_t bad_at, const char *bad, int64_t declared)
{
    size_t cap = (size_t)entries * 48 + 256, n = 0;
    char *t = malloc(cap);
    int64_t k;
    lrfa_rng rng;
    lrfa_rng_seed(&rng, 41, 0);
    n += (size_t)snprintf(t + n, cap - n, "%%%%MatrixMarket matrix coordinate real general\n%% big\n1000 900 %lld\n",
                          (long long)declared);
    for (k = 0; k < entries; k++) {
        if (k == bad_at) {
            n += (size_t)snprintf(t + n, cap - n, "%s\n", bad);
            continue;
        }
        if (k % 1000 == 7) n += (size_t)snprintf(t + n, cap - n, "%% a comment\n\n");
        n += (size_t)snprintf(t + n, cap - n, "%lld %lld %.17g\n", (long long)(lrfa_rng_u64(&rng) % 1000) + 1,
                              (long long)(lrfa_rng_u64(&rng) % 900) + 1, lrfa_rng_gaussian(&rng));
    }
    t[n] = '\0';
    return t;
}

static lrfa_status read_mem(const char *text, size_t len, lrfa_matrix **M, lrfa_error *err)
{
    FILE *fp = fmemopen((void *)(uintptr_t)text, len, "r");
    lrfa_status st;
    if (!fp) return LRFA_EIO;
    st = lrfa_mm_read(fp, "big", M, NULL, err);
    fclose(fp);
    return st;
}

static long long error_line(const char *text, size_t len, int threads)
{
    lrfa_matrix *M = NULL;
    lrfa_error err = {0};
    lrfa_set_threads(threads);
    if (read_mem(text, len, &M, &err) == LRFA_OK) {
        lrfa_matrix_free(M);
        lrfa_set_threads(0);
        return 0;
    }
    lrfa_set_threads(0);
    return err.line;
}

static void test_block_reader(void)
{
    int64_t N = 200000;
    char *t = big_text(N, -1, "", N);
    lrfa_matrix *A = NULL, *B = NULL;
    lrfa_error err = {0};
    size_t len = strlen(t);
    long long l1, l2;
    /* the same matrix on one thread and on two */
    lrfa_set_threads(1);
    CU_ASSERT_EQUAL_FATAL(read_mem(t, len, &A, &err), LRFA_OK);
    lrfa_set_threads(2);
    CU_ASSERT_EQUAL_FATAL(read_mem(t, len, &B, &err), LRFA_OK);
    lrfa_set_threads(0);
    CU_ASSERT_EQUAL(A->sparse->nnz, B->sparse->nnz);
    CU_ASSERT_EQUAL(memcmp(A->sparse->colptr, B->sparse->colptr, sizeof(int64_t) * 901), 0);
    CU_ASSERT_EQUAL(memcmp(A->sparse->rowidx, B->sparse->rowidx, sizeof(int64_t) * (size_t)A->sparse->nnz), 0);
    CU_ASSERT_EQUAL(memcmp(A->sparse->values, B->sparse->values, sizeof(double) * (size_t)A->sparse->nnz), 0);
    printf("    %.1f MB, %lld entries: identical on one and two threads\n", len / 1e6, (long long)N);
    lrfa_matrix_free(A);
    lrfa_matrix_free(B);
    free(t);
    /* errors deep inside name the same line either way */
    t = big_text(N, 150000, "12 x 1.0", N);
    len = strlen(t);
    l1 = error_line(t, len, 1);
    l2 = error_line(t, len, 2);
    printf("    bad index at entry 150001: line %lld on one thread, %lld on two\n", l1, l2);
    CU_ASSERT(l1 > 150000 && l1 == l2);
    free(t);
    t = big_text(N, 100000, "1 1 1.0", N - 1); /* one entry too many */
    len = strlen(t);
    l1 = error_line(t, len, 1);
    l2 = error_line(t, len, 2);
    printf("    one entry too many: line %lld on one thread, %lld on two\n", l1, l2);
    CU_ASSERT(l1 > 0 && l1 == l2);
    free(t);
    t = big_text(N, 120000, "5 5 1.0", N);
    len = strlen(t);
    t[len - 5000] = '\0'; /* a NUL byte near the end */
    l1 = error_line(t, len, 1);
    l2 = error_line(t, len, 2);
    printf("    NUL byte: line %lld on one thread, %lld on two\n", l1, l2);
    CU_ASSERT(l1 > 0 && l1 == l2);
    free(t);
}

/* A large symmetric file (read in blocks on two threads) whose entries sit
 * in either triangle is the same matrix as its lower-triangle form, bit for
 * bit; one pair given in both triangles, far apart, is refused at the later
 * line, naming the earlier; a large pattern file with a value column counts
 * the values it ignored and names the first line. */
static char *sym_text(int64_t entries, int upper_every, int64_t dup_at, int pattern_values)
{
    size_t cap = (size_t)entries * 48 + 256, n = 0;
    char *t = malloc(cap);
    int64_t k;
    lrfa_rng rng;
    lrfa_rng_seed(&rng, 43, 0);
    n += (size_t)snprintf(t + n, cap - n, "%%%%MatrixMarket matrix coordinate %s\n%% big\n2000 2000 %lld\n",
                          pattern_values ? "pattern general" : "real symmetric", (long long)entries);
    for (k = 0; k < entries; k++) {
        /* entry k is the pair (a, b), a > b, with distinct pairs for distinct
         * k, given as (a, b) or, every upper_every-th, as (b, a); entry
         * dup_at repeats entry 5 from the other triangle */
        int64_t kk = k == dup_at ? 5 : k, a = 1000 + kk % 1000 + 1, b = kk / 1000 + 1, i = a, j = b, sw;
        double v = lrfa_rng_gaussian(&rng);
        if (upper_every && kk % upper_every == 0) {
            i = b;
            j = a;
        }
        if (k == dup_at) {
            sw = i;
            i = j;
            j = sw;
        }
        if (pattern_values && k % 3 == 2) n += (size_t)snprintf(t + n, cap - n, "%lld %lld\n", (long long)i, (long long)j);
        else n += (size_t)snprintf(t + n, cap - n, "%lld %lld %.17g\n", (long long)i, (long long)j, v);
    }
    t[n] = '\0';
    return t;
}

static void test_relaxed_large(void)
{
    int64_t N = 200000;
    char *lo = sym_text(N, 0, -1, 0), *mixed = sym_text(N, 3, -1, 0), *up = sym_text(N, 1, -1, 0);
    lrfa_matrix *A = NULL, *B = NULL, *C = NULL;
    lrfa_error err = {0};
    lrfa_mm_header h;
    FILE *fp;
    int same;
    long long l2;
    lrfa_set_threads(2);
    CU_ASSERT_EQUAL_FATAL(read_mem(lo, strlen(lo), &A, &err), LRFA_OK);
    CU_ASSERT_EQUAL_FATAL(read_mem(mixed, strlen(mixed), &B, &err), LRFA_OK);
    CU_ASSERT_EQUAL_FATAL(read_mem(up, strlen(up), &C, &err), LRFA_OK);
    same = A->sparse->nnz == B->sparse->nnz && A->sparse->nnz == C->sparse->nnz &&
           !memcmp(A->sparse->rowidx, B->sparse->rowidx, sizeof(int64_t) * (size_t)A->sparse->nnz) &&
           !memcmp(A->sparse->values, B->sparse->values, sizeof(double) * (size_t)A->sparse->nnz) &&
           !memcmp(A->sparse->rowidx, C->sparse->rowidx, sizeof(int64_t) * (size_t)A->sparse->nnz) &&
           !memcmp(A->sparse->values, C->sparse->values, sizeof(double) * (size_t)A->sparse->nnz);
    printf("    %.1f MB symmetric, %lld entries: lower, upper and mixed triangles give %s matrices\n",
           strlen(lo) / 1e6, (long long)N, same ? "identical" : "DIFFERENT");
    CU_ASSERT(same);
    lrfa_matrix_free(A);
    lrfa_matrix_free(B);
    lrfa_matrix_free(C);
    free(lo);
    free(up);
    free(mixed);
    /* entry 5 (line 9) and its mirror at entry 170000 (line 170004) */
    mixed = sym_text(N, 3, 170000, 0);
    CU_ASSERT_EQUAL(read_mem(mixed, strlen(mixed), &A, &err), LRFA_EINPUT);
    l2 = err.line;
    printf("    a pair in both triangles, lines 9 and 170004: %s\n", err.message);
    CU_ASSERT_EQUAL(l2, 170004);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "on line 9:"));
    lrfa_set_threads(1);
    CU_ASSERT_EQUAL(read_mem(mixed, strlen(mixed), &A, &err), LRFA_EINPUT);
    CU_ASSERT_EQUAL(err.line, l2);
    free(mixed);
    /* a pattern file with values on two lines in three */
    lrfa_set_threads(2);
    mixed = sym_text(N, 0, -1, 1);
    fp = fmemopen(mixed, strlen(mixed), "r");
    CU_ASSERT_EQUAL_FATAL(lrfa_mm_read(fp, "big", &A, &h, &err), LRFA_OK);
    fclose(fp);
    printf("    pattern with a value column: %lld values ignored (expected %lld), the first on line %lld (expected 4)\n",
           (long long)h.values_ignored, (long long)(N - N / 3), (long long)h.values_ignored_line);
    CU_ASSERT_EQUAL(h.values_ignored, N - N / 3);
    CU_ASSERT_EQUAL(h.values_ignored_line, 4);
    CU_ASSERT_EQUAL(A->sparse->nnz, N);
    CU_ASSERT(A->sparse->values[0] == 1.0 && A->sparse->values[N - 1] == 1.0);
    lrfa_matrix_free(A);
    lrfa_set_threads(0);
    free(mixed);
}

void register_mmio_suite(void)
{
    CU_pSuite s = CU_add_suite("mmio", make_tmpdir, remove_tmpdir);
    CU_add_test(s, "shared matrices agree with SciPy", test_shared_matrices);
    CU_add_test(s, "write then read gives identical bits", test_round_trip_bits);
    CU_add_test(s, "write errors are reported, nothing partial is left", test_write_errors);
    CU_add_test(s, "symmetric and skew files are mirrored, repeats summed", test_mirroring);
    CU_add_test(s, "errors name the line", test_error_line);
    CU_add_test(s, "number parsing is bit-identical to strtod", test_parse_double_vs_strtod);
    CU_add_test(s, "large files in blocks on two threads: same result, same error lines", test_block_reader);
    CU_add_test(s, "upper and mixed triangles, a pair in both, pattern with values: large files", test_relaxed_large);
}
