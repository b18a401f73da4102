/*
 * fmath.h - exp, log and pow written so the compiler can vectorize them.
 *
 * Why not libm: a batch of scenarios applies each instruction to many lanes
 * in a loop; a call to libm's exp per lane blocks vectorization and costs
 * most of a Monte Carlo run. These versions are straight-line code (no
 * branches, no tables, no errno) that gcc turns into SIMD code, and they use
 * only +, -, *, / and integer bit operations, which IEEE 754 defines
 * exactly: the same input gives the same bits in a SIMD lane, in the scalar
 * epilogue of a loop, and in a one-lane run. So a lane of a batch equals the
 * ordinary run of the same scenario, bit for bit, on any thread count.
 *
 * Accuracy (tests/unit/test_fmath.c measures it against libm on millions of
 * arguments): exp and log within 2 ulp; pow(x, y) = exp(y log x), relative
 * error about |y log x| * 1e-16 beyond that. Results that would be
 * subnormal are flushed to zero (exp of less than -708.39).
 */
#ifndef OC_FMATH_H
#define OC_FMATH_H

#include <stdint.h>
#include <string.h>

static inline uint64_t ocF_bits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof(b));
    return b;
}

static inline double ocF_double(uint64_t b)
{
    double x;
    memcpy(&x, &b, sizeof(x));
    return x;
}

/* Integer-valued doubles to and from integers without int/double
 * conversions (which plain SSE2 cannot do on vectors): adding 1.5 * 2^52
 * puts an integer of magnitude below 2^51 into the low mantissa bits. */
#define OCF_SHIFTER 6755399441055744.0
#define OCF_SHIFTER_BITS 0x4338000000000000ULL

static inline uint64_t ocF_int_bits(double n) /* n integer-valued: n as two's complement */
{
    return ocF_bits(n + OCF_SHIFTER) - OCF_SHIFTER_BITS;
}

static inline double ocF_int_double(uint64_t k) /* k two's complement, |k| < 2^51 */
{
    return ocF_double(OCF_SHIFTER_BITS + k) - OCF_SHIFTER;
}

/* e^x. Range reduction x = n ln2 + r, |r| <= ln2/2 (Cody-Waite, ln2 in
 * two parts), a degree-13 Taylor polynomial in Horner form, then 2^n built
 * in the exponent bits; near the ends of the range n moves by a few powers
 * into a second factor so results down to the subnormals and up to the
 * largest double come out right. */
static inline double ocF_exp(double x)
{
    const double log2e = 1.4426950408889634074;
    const double ln2_hi = 6.93147180369123816490e-01; /* ln2 with 21 low bits clear */
    const double ln2_lo = 1.90821492927058770002e-10;
    double xc = x != x ? 0.0 : (x < -746.0 ? -746.0 : (x > 710.0 ? 710.0 : x));
    double n = (xc * log2e + OCF_SHIFTER) - OCF_SHIFTER;
    double r = (xc - n * ln2_hi) - n * ln2_lo;
    double p = 1.0 / 6227020800.0, lo, hi, y;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    lo = n < -1022.0 ? 1.0 : 0.0; /* subnormal result: 2^(n+54) 2^-54 */
    hi = n > 1023.0 ? 1.0 : 0.0;  /* near overflow: 2^(n-1) 2 */
    n = n + 54.0 * lo - hi;
    y = p * ocF_double((ocF_int_bits(n) + 1023) << 52);
    y = y * (lo != 0.0 ? 5.5511151231257827e-17 : (hi != 0.0 ? 2.0 : 1.0));
    y = x < -745.2 ? 0.0 : y;
    y = x > 709.79 ? HUGE_VAL : y;
    return x != x ? x : y;
}

/* ln x. x = m 2^e with m in [sqrt(1/2), sqrt(2)) (the exponent is read from
 * the bits, shifted so m lands there); ln m = 2 atanh(s), s = (m-1)/(m+1),
 * |s| <= 0.1716, by its odd series to s^23. */
static inline double ocF_log(double x)
{
    const double ln2 = 0.69314718055994530942;
    const double two54 = 18014398509481984.0;
    double tiny = x < 2.2250738585072014e-308 ? 1.0 : 0.0; /* subnormal: scale up first */
    double xs = tiny != 0.0 ? x * two54 : x;
    uint64_t b = ocF_bits(xs);
    uint64_t bm = b + 0x00095F619980C433ULL; /* 0x3FF0000000000000 - bits of sqrt(1/2) */
    uint64_t e = (bm >> 52) - 1023;          /* two's complement */
    double m = ocF_double(b - (e << 52));
    double s = (m - 1.0) / (m + 1.0), s2 = s * s;
    double q = 2.0 / 23.0, y;
    q = q * s2 + 2.0 / 21.0;
    q = q * s2 + 2.0 / 19.0;
    q = q * s2 + 2.0 / 17.0;
    q = q * s2 + 2.0 / 15.0;
    q = q * s2 + 2.0 / 13.0;
    q = q * s2 + 2.0 / 11.0;
    q = q * s2 + 2.0 / 9.0;
    q = q * s2 + 2.0 / 7.0;
    q = q * s2 + 2.0 / 5.0;
    q = q * s2 + 2.0 / 3.0;
    q = q * s2 + 2.0;
    y = (ocF_int_double(e) - 54.0 * tiny) * ln2 + s * q;
    y = x == 0.0 ? -HUGE_VAL : y;
    y = x < 0.0 ? (double)NAN : y;
    y = x == HUGE_VAL ? HUGE_VAL : y;
    return x != x ? x : y;
}

/* Whether x^y takes the repeated-squaring path below: y whole and at most
 * 64 in size (the same tests ocF_pow_by makes). */
static inline int ocF_pow_whole(double y)
{
    double big = (y <= 4e15 && y >= -4e15) ? 0.0 : 1.0;
    double yr = big != 0.0 ? 0.0 : (y + OCF_SHIFTER) - OCF_SHIFTER;
    return big == 0.0 && yr == y && yr <= 64.0 && yr >= -64.0;
}

/* x^y. Whole exponents up to 64 in size by repeated squaring (exact where
 * C's pow is: 2^10 = 1024, 10^-2 = 0.01); others as exp(y ln |x|). The
 * special cases are C's: y = 0 or x = 1 give 1; a negative x needs a
 * whole y (an odd one keeps the sign); x = 0 gives 0, 1 or infinity.
 * In two parts, so many lanes can run each part over all lanes in turn
 * (independent iterations, not one long chain per lane): ocF_pow_e is
 * exp(y ln |x|); ocF_pow_from finishes from it. squaring = 0 skips the
 * squaring, which changes nothing when ocF_pow_whole(y) is false. */
static inline double ocF_pow_ylog(double x, double y)
{
    return y * ocF_log(x < 0.0 ? -x : x);
}

static inline double ocF_pow_from(double x, double y, double e, int squaring)
{
    double ax = x < 0.0 ? -x : x, r = e;
    double big = (y <= 4e15 && y >= -4e15) ? 0.0 : 1.0; /* whole (or NaN) beyond */
    double yr = big != 0.0 ? 0.0 : (y + OCF_SHIFTER) - OCF_SHIFTER; /* y rounded */
    double y_int = (big != 0.0 || yr == y) ? 1.0 : 0.0;
    uint64_t yb = ocF_int_bits(yr < 0.0 ? -yr : yr);
    double y_odd = (big == 0.0 && (yb & 1)) ? 1.0 : 0.0;
    if(squaring) {
        double base = ax, acc = 1.0;
        int k;
        for(k = 0; k < 7; k++) { /* |y| <= 64 < 2^7 */
            acc *= ((yb >> k) & 1) ? base : 1.0;
            base *= base;
        }
        acc = yr < 0.0 ? 1.0 / acc : acc;
        r = (y_int != 0.0 && big == 0.0 && (yr <= 64.0 && yr >= -64.0)) ? acc : r;
    }
    r = x == 0.0 ? (y > 0.0 ? 0.0 : (y < 0.0 ? HUGE_VAL : 1.0)) : r;
    r = x < 0.0 ? (y_int != 0.0 ? (y_odd != 0.0 ? -r : r) : (double)NAN) : r;
    r = (x != x || y != y) ? x + y : r;
    r = y == 0.0 ? 1.0 : r;
    return x == 1.0 ? 1.0 : r;
}

static inline double ocF_pow_by(double x, double y, int squaring)
{
    return ocF_pow_from(x, y, ocF_exp(ocF_pow_ylog(x, y)), squaring);
}

static inline double ocF_pow(double x, double y)
{
    return ocF_pow_by(x, y, 1);
}

#endif
