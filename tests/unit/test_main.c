/* test_main.c: runs every CUnit suite; exits non-zero on any failure. */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include "testutil.h"

lrfa_dense *test_gaussian(int64_t rows, int64_t cols, uint64_t seed)
{
    lrfa_rng rng;
    lrfa_dense *A = lrfa_dense_alloc(rows, cols, NULL);
    if (!A) return NULL;
    lrfa_rng_seed(&rng, seed, 99);
    lrfa_rng_fill_gaussian(&rng, A->data, rows * cols, 1.0);
    return A;
}

lrfa_matrix *test_lowrank(int64_t n, int64_t m, int64_t k, const double *s, uint64_t seed)
{
    lrfa_dense *Y = lrfa_gen_lowrank(n, m, k, s, seed, NULL);
    return Y ? lrfa_matrix_wrap_dense(Y, NULL) : NULL;
}

/* The sparse matrix holding every entry of A whose index hash keeps it
 * (about density of them). */
lrfa_matrix *test_sparsify(const lrfa_dense *A, double density, uint64_t seed)
{
    int64_t n = A->rows, m = A->cols, nz = 0, i, j;
    int64_t *ti = malloc(sizeof(int64_t) * (size_t)(n * m)), *tj = malloc(sizeof(int64_t) * (size_t)(n * m));
    double *tx = malloc(sizeof(double) * (size_t)(n * m));
    lrfa_rng rng;
    lrfa_sparse *S;
    lrfa_rng_seed(&rng, seed, 5);
    for (j = 0; j < m; j++)
        for (i = 0; i < n; i++)
            if (lrfa_rng_uniform(&rng) < density) {
                ti[nz] = i;
                tj[nz] = j;
                tx[nz++] = A->data[i + j * n];
            }
    S = lrfa_sparse_from_triplets(n, m, nz, ti, tj, tx, NULL);
    free(ti);
    free(tj);
    free(tx);
    return S ? lrfa_matrix_wrap_sparse(S, NULL) : NULL;
}

double test_max_abs_diff(const double *a, const double *b, int64_t n, double *scale)
{
    double d = 0.0, s = 0.0;
    int64_t i;
    for (i = 0; i < n; i++) {
        d = fmax(d, fabs(a[i] - b[i]));
        s = fmax(s, fabs(b[i]));
    }
    *scale = s;
    return d;
}

/* test_lrfa [SUITE]: every suite, or the one named */
int main(int argc, char **argv)
{
    unsigned failed;
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    register_matrix_suite();
    register_mmio_suite();
    register_spectrum_suite();
    register_rng_suite();
    register_solver_suite();
    register_gen_suite();
    register_alloc_suite();
    register_layers_suite();
    register_kernels_suite();
    CU_basic_set_mode(CU_BRM_VERBOSE);
    if (argc > 1) {
        CU_pSuite s = CU_get_suite(argv[1]);
        if (!s) {
            fprintf(stderr, "test_lrfa: no suite named '%s'\n", argv[1]);
            CU_cleanup_registry();
            return 2;
        }
        CU_basic_run_suite(s);
    } else {
        CU_basic_run_tests();
    }
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
