/* lrfa/rng.h: the project's own seeded random number generator.
 *
 * xoshiro256** (Blackman and Vigna), with its state filled by splitmix64 from
 * (seed, stream). Gaussian samples use the Marsaglia polar method with a
 * logarithm computed by lrfa itself from +, -, *, / and sqrt alone, so a seed
 * gives the same bits on every IEEE-754 machine, compiler and thread count. */
#ifndef LRFA_RNG_H
#define LRFA_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lrfa_rng {
    uint64_t s[4];      /* xoshiro256** state, never all zero */
    double spare;       /* second Gaussian of the last polar pair */
    int has_spare;      /* whether spare holds an unused value */
} lrfa_rng;

/* Seeds the generator. Different streams from one seed are independent
 * sequences (the stream is mixed into the splitmix64 seed). */
void lrfa_rng_seed(lrfa_rng *rng, uint64_t seed, uint64_t stream);

/* 64 random bits. */
uint64_t lrfa_rng_u64(lrfa_rng *rng);

/* Uniform on [0, 1), a multiple of 2^-53. */
double lrfa_rng_uniform(lrfa_rng *rng);

/* Standard normal N(0, 1). */
double lrfa_rng_gaussian(lrfa_rng *rng);

/* Fills x[0..n) with N(0, sigma^2) samples. */
void lrfa_rng_fill_gaussian(lrfa_rng *rng, double *x, int64_t n, double sigma);

/* Natural logarithm of x > 0 from basic arithmetic only (deterministic across
 * machines); within 3 ulp of the correctly rounded value (tested). */
double lrfa_log_portable(double x);

#ifdef __cplusplus
}
#endif
#endif
