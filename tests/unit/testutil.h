/* testutil.h: shared helpers for the CUnit suites. Tests run from tests/. */
#ifndef LRFA_TESTUTIL_H
#define LRFA_TESTUTIL_H

#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include "lrfa/lrfa.h"

/* |got - want| / scale, printed next to the tolerance, and asserted <= tol. */
#define CHECK_REL(what, got, want, scale, tol)                                              \
    do {                                                                                    \
        double g_ = (got), w_ = (want), s_ = (scale), t_ = (tol);                           \
        double e_ = s_ > 0 ? fabs(g_ - w_) / s_ : fabs(g_ - w_);                             \
        printf("    %-52s err %.2e (tol %.0e)\n", what, e_, t_);                            \
        CU_ASSERT(e_ <= t_);                                                                \
    } while (0)

/* Registration functions, one per suite file. */
void register_matrix_suite(void);
void register_mmio_suite(void);
void register_spectrum_suite(void);
void register_rng_suite(void);
void register_solver_suite(void);
void register_gen_suite(void);
void register_alloc_suite(void);
void register_layers_suite(void);
void register_kernels_suite(void);

/* A rows x cols matrix of N(0, 1) entries from (seed, stream). */
lrfa_dense *test_gaussian(int64_t rows, int64_t cols, uint64_t seed);

/* Y = U diag(s) V^T (n x m, rank k, Haar U and V), dense. */
lrfa_matrix *test_lowrank(int64_t n, int64_t m, int64_t k, const double *s, uint64_t seed);

/* The sparse matrix holding the entries of A an index hash keeps (about
 * density of them). */
lrfa_matrix *test_sparsify(const lrfa_dense *A, double density, uint64_t seed);

/* max |a_i - b_i|, with max |b_i| in *scale. */
double test_max_abs_diff(const double *a, const double *b, int64_t n, double *scale);

#endif
