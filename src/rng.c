/* rng.c: xoshiro256** seeded through splitmix64, and Gaussian samples by the
 * Marsaglia polar method with a portable logarithm.
 *
 * Only integer operations, IEEE-754 +, -, *, / and sqrt (all correctly
 * rounded) are used, and this file is compiled without floating-point
 * contraction, so a seed gives the same bits on every conforming machine. */
#include <math.h>
#include "lrfa/rng.h"

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void lrfa_rng_seed(lrfa_rng *rng, uint64_t seed, uint64_t stream)
{
    uint64_t a = seed, b = stream ^ 0x6a09e667f3bcc909ULL, z;
    int k;
    z = splitmix64(&a) ^ rotl(splitmix64(&b), 32);
    for (k = 0; k < 4; k++) rng->s[k] = splitmix64(&z);
    if (!(rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3])) rng->s[0] = 1; /* never all zero */
    rng->has_spare = 0;
    rng->spare = 0.0;
}

uint64_t lrfa_rng_u64(lrfa_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double lrfa_rng_uniform(lrfa_rng *rng)
{
    return (double)(lrfa_rng_u64(rng) >> 11) * 0x1.0p-53;
}

/* log x = e log 2 + log m with x = m 2^e, m in [sqrt(1/2), sqrt(2)), and
 * log m = 2 atanh(f) = 2 (f + f^3/3 + f^5/5 + ...), f = (m - 1) / (m + 1),
 * |f| <= 0.1716, so 12 terms of the series reach full precision. */
double lrfa_log_portable(double x)
{
    static const double ln2_hi = 6.93147180369123816490e-01; /* 0x3fe62e42fee00000 */
    static const double ln2_lo = 1.90821492927058770002e-10; /* 0x3dea39ef35793c76 */
    double m, f, s, p;
    int e, k;
    if (!(x > 0.0)) return x == 0.0 ? -HUGE_VAL : NAN;
    if (isinf(x)) return x;
    m = frexp(x, &e);
    if (m < 0.70710678118654752440) {
        m *= 2.0;
        e -= 1;
    }
    f = (m - 1.0) / (m + 1.0);
    s = f * f;
    p = 1.0 / 25.0;
    for (k = 11; k >= 1; k--) p = 1.0 / (double)(2 * k + 1) + s * p;
    /* log m = 2f + 2f s p */
    return (double)e * ln2_hi + ((double)e * ln2_lo + (2.0 * f * s * p + 2.0 * f));
}

double lrfa_rng_gaussian(lrfa_rng *rng)
{
    double u, v, s, mult;
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare;
    }
    do {
        u = 2.0 * lrfa_rng_uniform(rng) - 1.0;
        v = 2.0 * lrfa_rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    mult = sqrt(-2.0 * lrfa_log_portable(s) / s);
    rng->spare = v * mult;
    rng->has_spare = 1;
    return u * mult;
}

void lrfa_rng_fill_gaussian(lrfa_rng *rng, double *x, int64_t n, double sigma)
{
    int64_t i;
    for (i = 0; i < n; i++) x[i] = sigma * lrfa_rng_gaussian(rng);
}
