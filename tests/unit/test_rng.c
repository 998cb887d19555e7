/* test_rng.c: the generator's exact outputs, reproducibility and
 * distribution, and the portable logarithm. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

/* The first outputs of xoshiro256** and of the Gaussian sampler equal those
 * of an independent Python implementation (data/rng_reference.txt), bit for
 * bit: the same seed gives the same numbers on any machine. */
static void test_reference_streams(void)
{
    FILE *fp = fopen("data/rng_reference.txt", "r");
    char line[4096];
    int lines = 0, mismatches = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    while (fgets(line, sizeof line, fp)) {
        lrfa_rng rng;
        char *p = line, *end;
        uint64_t seed, stream;
        int k, gauss = 0;
        if (line[0] == '#') continue;
        if (line[0] == 'g') {
            gauss = 1;
            p++;
        }
        seed = strtoull(p, &end, 10);
        stream = strtoull(end, &end, 10);
        lrfa_rng_seed(&rng, seed, stream);
        for (k = 0; k < (gauss ? 16 : 8); k++) {
            if (gauss) {
                double want = strtod(end, &end), got = lrfa_rng_gaussian(&rng);
                mismatches += memcmp(&want, &got, sizeof got) != 0;
            } else {
                uint64_t want = strtoull(end, &end, 10);
                mismatches += lrfa_rng_u64(&rng) != want;
            }
        }
        lines++;
    }
    fclose(fp);
    printf("    %d reference streams, %d mismatching values\n", lines, mismatches);
    CU_ASSERT(lines >= 6);
    CU_ASSERT_EQUAL(mismatches, 0);
}

/* Same (seed, stream): identical bits; another stream or seed: different. */
static void test_reproducible(void)
{
    enum { N = 100000 };
    double *a = malloc(N * sizeof(double)), *b = malloc(N * sizeof(double)), *c = malloc(N * sizeof(double));
    lrfa_rng r1, r2, r3;
    int same_c = 0, i;
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    lrfa_rng_seed(&r1, 123, 0);
    lrfa_rng_seed(&r2, 123, 0);
    lrfa_rng_seed(&r3, 123, 1);
    lrfa_rng_fill_gaussian(&r1, a, N, 1.0);
    lrfa_rng_fill_gaussian(&r2, b, N, 1.0);
    lrfa_rng_fill_gaussian(&r3, c, N, 1.0);
    CU_ASSERT_EQUAL(memcmp(a, b, N * sizeof(double)), 0);
    for (i = 0; i < N; i++) same_c += a[i] == c[i];
    CU_ASSERT(same_c < 5);
    free(a);
    free(b);
    free(c);
}

/* N(0,1) moments over 10^6 samples: mean within 5 standard errors (0.005),
 * variance within 5 standard errors (0.0071), P(|x| < 1) = 0.6827 within
 * 0.0025, and uniforms in [0, 1) with mean 1/2 within 0.0015. */
static void test_distribution(void)
{
    enum { N = 1000000 };
    lrfa_rng rng;
    double sum = 0, sum2 = 0, inside = 0, usum = 0, umin = 1, umax = 0;
    int i;
    lrfa_rng_seed(&rng, 2026, 0);
    for (i = 0; i < N; i++) {
        double x = lrfa_rng_gaussian(&rng), u = lrfa_rng_uniform(&rng);
        sum += x;
        sum2 += x * x;
        inside += fabs(x) < 1.0;
        usum += u;
        umin = fmin(umin, u);
        umax = fmax(umax, u);
    }
    CHECK_REL("Gaussian mean vs 0", sum / N, 0.0, 1.0, 0.005);
    CHECK_REL("Gaussian variance vs 1", sum2 / N - (sum / N) * (sum / N), 1.0, 1.0, 0.0071);
    CHECK_REL("P(|x| < 1) vs 0.682689", inside / N, 0.682689492, 1.0, 0.0025);
    CHECK_REL("uniform mean vs 1/2", usum / N, 0.5, 1.0, 0.0015);
    CU_ASSERT(umin >= 0.0 && umax < 1.0);
}

static double ulp_diff(double a, double b)
{
    double u = fabs(nextafter(b, INFINITY) - b);
    return fabs(a - b) / u;
}

/* lrfa_log_portable is within 3 ulp of the C library's log over 10^6 values
 * spread across the exponent range (and exact at 1). */
static void test_log_portable(void)
{
    lrfa_rng rng;
    double worst = 0.0;
    int i;
    lrfa_rng_seed(&rng, 9, 0);
    for (i = 0; i < 1000000; i++) {
        double x = ldexp(0.5 + 0.5 * lrfa_rng_uniform(&rng), (int)(lrfa_rng_u64(&rng) % 2000) - 1000);
        double d = ulp_diff(lrfa_log_portable(x), log(x));
        if (d > worst) worst = d;
    }
    worst = fmax(worst, ulp_diff(lrfa_log_portable(4.9406564584124654e-324), log(4.9406564584124654e-324)));
    worst = fmax(worst, ulp_diff(lrfa_log_portable(0.999999999), log(0.999999999)));
    printf("    largest difference from log(): %.2f ulp (tol 3)\n", worst);
    CU_ASSERT(worst <= 3.0);
    CU_ASSERT_EQUAL(lrfa_log_portable(1.0), 0.0);
}

void register_rng_suite(void)
{
    CU_pSuite s = CU_add_suite("rng", NULL, NULL);
    CU_add_test(s, "outputs equal an independent implementation", test_reference_streams);
    CU_add_test(s, "same seed, same bits; other streams differ", test_reproducible);
    CU_add_test(s, "Gaussian and uniform moments", test_distribution);
    CU_add_test(s, "portable log within 3 ulp of log()", test_log_portable);
}
