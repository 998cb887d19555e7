/* lrfa/gen.h: synthetic matrices with a chosen rank and spectrum. */
#ifndef LRFA_GEN_H
#define LRFA_GEN_H

#include <stdint.h>
#include "matrix.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Y = U diag(s) V^T (n x m), with U (n x k) and V (m x k) Haar-random
 * orthonormal (the QR of a Gaussian matrix, signs fixed so R has a positive
 * diagonal), drawn from streams 10 and 11 of seed. k <= min(n, m). */
lrfa_dense *lrfa_gen_lowrank(int64_t n, int64_t m, int64_t k, const double *s, uint64_t seed,
                             lrfa_error *err);

#ifdef __cplusplus
}
#endif
#endif
