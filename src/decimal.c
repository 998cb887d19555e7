/* decimal.c: w * 10^q as the correctly rounded double, for a decimal
 * significand w of up to 19 digits, with 128-bit arithmetic.
 *
 * w 10^q = w 5^q 2^q. A table holds, for each q in [-342, 308], the top 128
 * bits T of 5^q and its binary exponent e, with 5^q = (T + d) 2^e and
 * 0 <= d < 2 (T is truncated, and the table is built with 256-bit
 * arithmetic whose own error is far below one unit of T). With w shifted
 * left by s so that its top bit is set, the 192-bit product P = w T
 * satisfies w 10^q = (P + eps) 2^(e + q - s) with 0 <= eps < 2^65. The
 * double keeps P's top 53 bits and rounds on the 54th; the bits below that
 * decide the rounding only through being zero or not. When they are at
 * least 2^66 away from both 0 and their maximum, adding eps changes neither
 * the kept bits nor the sticky bit, so the rounding of P is the rounding of
 * the true value. Otherwise (about one value in 2^70, and every exact tie)
 * the caller falls back to strtod, as it does for subnormal and overflowing
 * results. This is the approach of Eisel and Lemire (Lemire, "Number
 * parsing at a gigabyte per second", 2021), with a wider error margin. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include "internal.h"

__extension__ typedef unsigned __int128 u128;

#define Q_MIN (-342)
#define Q_MAX 308

typedef struct pow5 {
    uint64_t hi, lo; /* the top 128 bits of 5^q; hi's top bit is set */
    int32_t e;       /* 5^q = (hi 2^64 + lo + d) 2^e, 0 <= d < 2 */
} pow5;

static pow5 table[Q_MAX - Q_MIN + 1];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static int clz64(uint64_t x)
{
    return __builtin_clzll(x);
}

/* Normalizes the 256-bit mantissa M (limbs little-endian) so that its top
 * bit is set, shifting left and lowering *E. */
static void normalize_left(uint64_t M[4], int32_t *E)
{
    int s, i;
    if (M[3] >> 63) return;
    s = clz64(M[3]);
    for (i = 3; i > 0; i--) M[i] = (M[i] << s) | (M[i - 1] >> (64 - s));
    M[0] <<= s;
    *E -= s;
}

static void store(int q, const uint64_t M[4], int32_t E)
{
    pow5 *t = &table[q - Q_MIN];
    t->hi = M[3];
    t->lo = M[2];
    t->e = E + 128;
}

/* 5^q = M 2^E for every q, M a normalized 256-bit mantissa: multiply by 5
 * (truncating the bits shifted out) upwards, divide by 5 downwards. */
static void table_build(void)
{
    uint64_t M[4];
    int32_t E;
    int q, i;
    memset(M, 0, sizeof M);
    M[3] = (uint64_t)1 << 63;
    E = -255;
    store(0, M, E);
    for (q = 1; q <= Q_MAX; q++) {
        uint64_t carry = 0;
        int s;
        for (i = 0; i < 4; i++) {
            u128 t = (u128)M[i] * 5u + carry;
            M[i] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        /* carry holds the top 3 bits or fewer: shift right to make room */
        s = 64 - clz64(carry);
        for (i = 0; i < 3; i++) M[i] = (M[i] >> s) | (M[i + 1] << (64 - s));
        M[3] = (M[3] >> s) | (carry << (64 - s));
        E += s;
        store(q, M, E);
    }
    memset(M, 0, sizeof M);
    M[3] = (uint64_t)1 << 63;
    E = -255;
    for (q = -1; q >= Q_MIN; q--) {
        uint64_t rem = 0;
        for (i = 3; i >= 0; i--) {
            u128 cur = ((u128)rem << 64) | M[i];
            M[i] = (uint64_t)(cur / 5u);
            rem = (uint64_t)(cur % 5u);
        }
        normalize_left(M, &E);
        store(q, M, E);
    }
}

int lrfa_decimal_to_double(uint64_t w, int64_t q, double *out)
{
    const pow5 *t;
    u128 hiprod, loprod, mid;
    uint64_t P2, P1, K, mant, mask, low, bits;
    int s, top, shift;
    int64_t bexp;
    if (w == 0 || q < Q_MIN || q > Q_MAX) return 0;
    pthread_once(&table_once, table_build);
    t = &table[q - Q_MIN];
    s = clz64(w);
    w <<= s;
    /* P = w (hi 2^64 + lo) = P2 2^128 + P1 2^64 + P0 */
    hiprod = (u128)w * t->hi;
    loprod = (u128)w * t->lo;
    mid = (u128)(uint64_t)hiprod + (uint64_t)(loprod >> 64);
    P1 = (uint64_t)mid;
    P2 = (uint64_t)(hiprod >> 64) + (uint64_t)(mid >> 64);
    /* P is in [2^190, 2^192): its top bit is bit 63 or 62 of P2 */
    top = (int)(P2 >> 63);
    shift = 9 + top;      /* K: P's top 54 bits */
    K = P2 >> shift;
    mask = ((uint64_t)1 << shift) - 1;
    low = P2 & mask;      /* with P1 and P0, the bits below K */
    if ((low == 0 && P1 < 4) || (low == mask && P1 >= UINT64_MAX - 3)) return 0;
    /* the bits below K are non-zero: round half up is round to nearest */
    mant = (K >> 1) + (K & 1);
    /* value = mant 2^bexp, mant in [2^52, 2^53] */
    bexp = (int64_t)t->e + q - s + 128 + shift + 1;
    if (mant == (uint64_t)1 << 53) {
        mant >>= 1;
        bexp++;
    }
    if (bexp + 52 < -1022 || bexp + 52 > 1023) return 0; /* subnormal or overflow */
    bits = ((uint64_t)(bexp + 52 + 1023) << 52) | (mant & (((uint64_t)1 << 52) - 1));
    memcpy(out, &bits, sizeof *out);
    return 1;
}
