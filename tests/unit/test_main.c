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

int main(void)
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
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
