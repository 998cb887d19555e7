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

/* Fills s[0..k) from a spectrum specification, descending:
 *   flat            s_i = 1
 *   linear          s_i = (k + 1 - i) / k        (1 down to 1/k)
 *   geometric:Q     s_i = Q^(i-1), 0 < Q <= 1
 *   power:A         s_i = i^-A, A >= 0
 *   nearflat:D      s_i = 1 + D (k - i) / (k - 1)  (1 + D down to 1), D >= 0
 *   list:s1,s2,...  the k values given (positive, non-increasing)
 * Returns NULL on success, else a readable message (static storage). */
const char *lrfa_spectrum_spec(const char *spec, int64_t k, double *s);

/* A sparse n x m matrix of rank k with singular values exactly s: Y = P
 * diag(s) Q with P (n x k) and Q (k x m) sparse, each column of P and row of
 * Q supported on its own disjoint set of rows / columns (so they are
 * orthonormal) with Gaussian values. The supports are sized so that about
 * density n m entries are stored; that needs density <= 1/k (the densest
 * such matrix is block diagonal up to permutations) and is refused above. */
lrfa_sparse *lrfa_gen_sparse_lowrank(int64_t n, int64_t m, int64_t k, const double *s, double density,
                                     uint64_t seed, lrfa_error *err);

/* The sparse matrix of a graph whose symmetries make singular values come
 * in pairs or tight clusters (the hard cases of a truncated spectrum):
 *   cycle:N        adjacency of the cycle on N >= 3 nodes: values |2 cos(2 pi j / N)|,
 *                  most of them four times for even N (twice for odd N),
 *                  clustered near 2
 *   grid:PxQ       Laplacian of the P x Q grid: values (2 - 2 cos(pi i / P)) +
 *                  (2 - 2 cos(pi j / Q)), in pairs when P = Q
 *   hypercube:D    adjacency of the D-cube on 2^D nodes (D <= 20): values
 *                  |D - 2 i| with multiplicity C(D, i) (twice that off the middle)
 * NULL with a readable message in err for a bad specification. */
lrfa_sparse *lrfa_gen_graph(const char *spec, lrfa_error *err);

/* Adds N(0, sigma^2) to every entry of A (dense) or every stored entry (sparse). */
void lrfa_gen_add_noise(double *values, int64_t count, double sigma, uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif
