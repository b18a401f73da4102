/*
 * sampling.c - the statistical core of Monte Carlo (see sampling.h for the
 * contract and docs/internals/sampling.md for the formulas, the accuracy
 * and the determinism contracts).
 *
 * Sections, in order:
 *
 *   1. return codes and messages
 *   2. counter-based random numbers (SplitMix64's finaliser over the keys)
 *   3. special functions: normal CDF and quantile, log-gamma, incomplete
 *      beta and its inverse, Poisson quantile
 *   4. distributions: validation, CDF, survival function, quantile
 *   5. designs: plain random, Latin hypercube (a keyed Feistel permutation
 *      per dimension), Sobol (Joe-Kuo directions, Matousek's linear
 *      scramble plus a digital shift)
 *   6. Iman-Conover rank correlation on fixed blocks of samples
 *   7. counts and the Wilson interval
 *   8. exact moments (a fixed-point accumulator over the whole double range)
 *   9. the quantile sketch (bins keyed by the top bits of the double)
 *
 * Invariants: nothing is global; everything random is ocs_hash or
 * ocs_uniform of (seed, sample, draw) or of a seed derived by
 * ocs_substream; reductions hold integers (counts, exact fixed-point
 * sums), so merges commute and associate exactly. Floating-point code
 * relies on IEEE double without contraction into fused multiply-adds
 * (ISO C mode, -ffp-contract=off, which is GCC's default for -std=c11):
 * the error-free transformations of section 8 need it.
 */
#include "sampling.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sobol_directions.h"

/* NAN is a float constant; the cast keeps -Wdouble-promotion quiet. */
#define OCS_NAN ((double)NAN)
#define OCS_INF HUGE_VAL

#define OCS_PI 3.14159265358979323846
#define OCS_SQRT_2PI 2.50662827463100050242
#define OCS_SQRT1_2 0.70710678118654752440
#define OCS_LN_SQRT_2PI 0.91893853320467274178

#if defined(__GNUC__)
#define OCS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define OCS_PRINTF(fmt, args)
#endif

/* Streams derived from the design seed (ocs_substream), one per use, so a
 * design's permutations and scrambles never share keys with ocs_uniform's
 * plain (seed, sample, dimension) draws. The Latin hypercube's is a 64-bit
 * ASCII tag, out of the way of a caller's small stream numbers; the Sobol
 * scramble keeps stream 2, which it had from the start, so that published
 * Sobol results reproduce (callers: any stream but 2). */
#define OCS_STREAM_LHS 0x4C48535045524D55ULL /* "LHSPERMU" */
#define OCS_STREAM_SOBOL 2u

/* ========================================================================
 * 1. Return codes and messages
 * ======================================================================== */

const char *ocs_code_name(int code)
{
    switch (code) {
    case OCS_OK:
        return "OCS_OK";
    case OCS_EARG:
        return "OCS_EARG";
    case OCS_EDIST:
        return "OCS_EDIST";
    case OCS_ECORR:
        return "OCS_ECORR";
    case OCS_ENOMEM:
        return "OCS_ENOMEM";
    case OCS_ELIMIT:
        return "OCS_ELIMIT";
    case OCS_EMISMATCH:
        return "OCS_EMISMATCH";
    case OCS_EFORMAT:
        return "OCS_EFORMAT";
    default:
        return "OCS_UNKNOWN";
    }
}

/* Writes a message into the caller's buffer (when there is one) and passes
 * the code through, so a failure is one line: return ocs_fail(...). */
static int ocs_fail(char *errbuf, size_t errlen, int code, const char *fmt, ...) OCS_PRINTF(4, 5);

static int ocs_fail(char *errbuf, size_t errlen, int code, const char *fmt, ...)
{
    va_list ap;

    if (errbuf && errlen > 0) {
        va_start(ap, fmt);
        /* A truncated message is still a message: the length is not needed. */
        (void)vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ========================================================================
 * 2. Counter-based random numbers
 * ======================================================================== */

/* SplitMix64's output function (Steele, Lea and Flood 2014) with its
 * golden-ratio increment: a bijection of 64-bit words that avalanches. */
static uint64_t ocs_mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t ocs_hash(uint64_t seed, uint64_t sample, uint64_t draw)
{
    uint64_t h = ocs_mix(seed);

    h = ocs_mix(h ^ sample);
    return ocs_mix(h ^ draw);
}

/* 52 bits plus half a unit: (k + 0.5) 2^-52 is exact for every k < 2^52,
 * whereas (k + 0.5) 2^-53 with 53 bits would round to an even neighbour
 * for half of the k and reach 1.0 for the largest. */
static double ocs_unit_from_bits(uint64_t h)
{
    return ((double)(h >> 12) + 0.5) * 0x1p-52;
}

double ocs_uniform(uint64_t seed, uint64_t sample, uint64_t draw)
{
    return ocs_unit_from_bits(ocs_hash(seed, sample, draw));
}

uint64_t ocs_substream(uint64_t seed, uint64_t stream)
{
    /* A different constant from ocs_hash's chain, so a substream seed never
     * equals an intermediate value of ocs_hash(seed, stream, ...). */
    return ocs_mix(ocs_mix(seed ^ 0xD1B54A32D192ED03ULL) ^ stream);
}

/* ========================================================================
 * 3. Special functions
 * ======================================================================== */

double ocs_normal_cdf(double x)
{
    return 0.5 * erfc(-x * OCS_SQRT1_2);
}

/* Acklam's rational approximation of the normal quantile (relative error
 * 1.15e-9), for 0 < p <= 0.5, then one Halley step on erfc, which brings
 * it to the precision of erfc. The upper half is done by symmetry by the
 * caller, on 1 - p, which is exact for p >= 0.5. */
static double ocs_normal_quantile_lower(double p)
{
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549732539343734e+00,
                                4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                3.754408661907416e+00};
    double q, r, x, e, u;

    if (p < 0.02425) {
        q = sqrt(-2.0 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    } else {
        q = p - 0.5;
        r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
    }
    /* Below 1e-300 exp(x^2 / 2) overflows; the approximation alone is then
     * as good as anything representable. */
    if (p < 1e-300)
        return x;
    e = ocs_normal_cdf(x) - p;
    u = e * OCS_SQRT_2PI * exp(0.5 * x * x);
    return x - u / (1.0 + 0.5 * x * u);
}

double ocs_normal_quantile(double p)
{
    if (!(p >= 0.0 && p <= 1.0))
        return OCS_NAN;
    if (p == 0.0)
        return -OCS_INF;
    if (p == 1.0)
        return OCS_INF;
    if (p <= 0.5)
        return ocs_normal_quantile_lower(p);
    return -ocs_normal_quantile_lower(1.0 - p);
}

double ocs_log_gamma(double x)
{
    double product = 1.0, z, inv2, series;

    if (!(x > 0.0))
        return OCS_NAN;
    if (isinf(x))
        return OCS_INF;
    /* Gamma(x) = Gamma(x + k) / (x (x + 1) ... (x + k - 1)): shift up to
     * where the Stirling series below is accurate to a few ulp. */
    z = x;
    while (z < 15.0) {
        product *= z;
        z += 1.0;
    }
    /* Stirling: (z - 1/2) ln z - z + ln sqrt(2 pi) + sum B_2k / (2k (2k - 1) z^(2k - 1)),
     * k = 1..5; the next term is below 2e-16 at z = 15. */
    inv2 = 1.0 / (z * z);
    series = (1.0 / 12.0 - inv2 * (1.0 / 360.0 -
                                   inv2 * (1.0 / 1260.0 - inv2 * (1.0 / 1680.0 - inv2 / 1188.0)))) /
             z;
    return (z - 0.5) * log(z) - z + OCS_LN_SQRT_2PI + series - log(product);
}

static double ocs_log_beta(double a, double b)
{
    return ocs_log_gamma(a) + ocs_log_gamma(b) - ocs_log_gamma(a + b);
}

/* Iterations of the incomplete-beta continued fraction: it needs about
 * sqrt(max(a, b)) of them, so this covers shape parameters up to ~1e8. */
#define OCS_BETA_CF_MAX 20000

/* The continued fraction of I_x(a, b) (DLMF 8.17.22), evaluated by the
 * modified Lentz method; converges fast for x < (a + 1) / (a + b + 2). */
static double ocs_beta_cf(double x, double a, double b)
{
    const double tiny = 1e-300;
    double c = 1.0, d, h, coef, delta;
    unsigned m;

    d = 1.0 - (a + b) * x / (a + 1.0);
    if (fabs(d) < tiny)
        d = tiny;
    d = 1.0 / d;
    h = d;
    for (m = 1; m <= OCS_BETA_CF_MAX; m++) {
        double dm = (double)m;
        double m2 = 2.0 * dm;

        /* even step: d_2m = m (b - m) x / ((a + 2m - 1)(a + 2m)) */
        coef = dm * (b - dm) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + coef * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1.0 + coef / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        h *= d * c;
        /* odd step: d_2m+1 = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)) */
        coef = -(a + dm) * (a + b + dm) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + coef * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1.0 + coef / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        delta = d * c;
        h *= delta;
        if (fabs(delta - 1.0) <= DBL_EPSILON)
            break;
    }
    return h;
}

/* I_x(a, b) and 1 - I_x(a, b), each computed directly on its own side so
 * that the small one keeps its relative precision. */
static void ocs_beta_inc_both(double x, double a, double b, double log_beta, double *lower,
                              double *upper)
{
    double front;

    if (!(x > 0.0)) {
        *lower = 0.0;
        *upper = 1.0;
        return;
    }
    if (!(x < 1.0)) {
        *lower = 1.0;
        *upper = 0.0;
        return;
    }
    front = exp(a * log(x) + b * log1p(-x) - log_beta);
    if (x < (a + 1.0) / (a + b + 2.0)) {
        *lower = front * ocs_beta_cf(x, a, b) / a;
        *upper = 1.0 - *lower;
    } else {
        *upper = front * ocs_beta_cf(1.0 - x, b, a) / b;
        *lower = 1.0 - *upper;
    }
}

double ocs_beta_inc(double x, double a, double b)
{
    double lower, upper;

    if (!(a > 0.0 && b > 0.0) || isinf(a) || isinf(b) || isnan(x))
        return OCS_NAN;
    ocs_beta_inc_both(x, a, b, ocs_log_beta(a, b), &lower, &upper);
    return lower;
}

/* Solves I_x(a, b) = p for x, given p and q = 1 - p each to full relative
 * precision: on the side of the smaller of the two, so tails keep their
 * digits. Halley's method from Abramowitz and Stegun's approximation (or
 * from the power-law tail when a or b is below 1), kept inside a bracket
 * that shrinks with every evaluation; a step that would leave the bracket
 * is replaced by bisection (geometric while the bracket spans decades, so
 * roots like 1e-100 are reached in a few dozen steps). */
static double ocs_beta_inv(double p, double q, double a, double b, double log_beta)
{
    int upper_side = q < p;
    double target = upper_side ? q : p;
    double lo = 0.0, hi = 1.0, x, mean = a / (a + b), tail;
    unsigned iter;

    if (!(p > 0.0))
        return 0.0;
    if (!(q > 0.0))
        return 1.0;
    if (a >= 1.0 && b >= 1.0) {
        /* Abramowitz and Stegun 26.5.22, from the normal deviate y with
         * upper tail p: within a few percent for a, b >= 1. */
        double y = upper_side ? ocs_normal_quantile(q) : -ocs_normal_quantile(p);
        double lambda = (y * y - 3.0) / 6.0;
        double h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0));
        double w = y * sqrt(h + lambda) / h - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) *
                                                  (lambda + 5.0 / 6.0 - 2.0 / (3.0 * h));

        x = a / (a + b * exp(2.0 * w));
    } else if (!upper_side) {
        /* The power-law tails: I_x ~ x^a / (a B) near 0 and
         * 1 - I_x ~ (1 - x)^b / (b B) near 1; or the mean, when that is
         * nearer the middle. */
        tail = exp((log(target) + log(a) + log_beta) / a);
        x = tail < mean ? tail : mean;
    } else {
        tail = exp((log(target) + log(b) + log_beta) / b);
        x = tail < 1.0 - mean ? 1.0 - tail : mean;
    }
    if (!(x > 0.0 && x < 1.0))
        x = 0.5;
    for (iter = 0; iter < 400; iter++) {
        double lower, upper, f, density, next;

        ocs_beta_inc_both(x, a, b, log_beta, &lower, &upper);
        /* f increases with x on both sides */
        f = upper_side ? target - upper : lower - target;
        if (f == 0.0)
            return x;
        if (f < 0.0)
            lo = x;
        else
            hi = x;
        density = exp((a - 1.0) * log(x) + (b - 1.0) * log1p(-x) - log_beta);
        next = OCS_NAN;
        if (density > 0.0 && isfinite(density)) {
            /* Halley's step: f'' / f' = (a - 1) / x - (b - 1) / (1 - x) */
            double newton = f / density;
            double bend = 1.0 - 0.5 * newton * ((a - 1.0) / x - (b - 1.0) / (1.0 - x));

            next = x - (bend > 0.5 && bend < 2.0 ? newton / bend : newton);
        }
        /* A step onto an end already evaluated: the root is within
         * rounding of it. */
        if ((next == hi && hi < 1.0) || (next == lo && lo > 0.0))
            return next;
        if (!(next > lo && next < hi)) {
            if (lo == 0.0)
                next = hi * 0.01;
            else if (hi > 4.0 * lo)
                next = sqrt(lo * hi);
            else
                next = 0.5 * (lo + hi);
        }
        /* Converged when the step no longer moves x, or moves it by less
         * than 2 ulp of the smaller of x and 1 - x (the tails' scale), or
         * the bracket holds no double between its ends. */
        if (next == x || fabs(next - x) <= 2.0 * DBL_EPSILON * (next < 0.5 ? next : 1.0 - next) ||
            nextafter(lo, 1.0) >= hi)
            return next;
        x = next;
    }
    return x;
}

double ocs_beta_inc_inv(double p, double a, double b)
{
    if (!(a > 0.0 && b > 0.0) || isinf(a) || isinf(b) || !(p >= 0.0 && p <= 1.0))
        return OCS_NAN;
    return ocs_beta_inv(p, 1.0 - p, a, b, ocs_log_beta(a, b));
}

double ocs_poisson_quantile(double mean, double u)
{
    double k, mode, pk, cdf, term, j, limit;

    if (!(mean >= 0.0 && mean <= 1e9) || !(u > 0.0 && u < 1.0))
        return OCS_NAN;
    if (mean == 0.0)
        return 0.0;
    /* P(X <= mode) by summing down from the mode until the terms no longer
     * matter; then walk from the mode towards u, one term at a time. */
    mode = floor(mean);
    pk = exp(mode * log(mean) - mean - ocs_log_gamma(mode + 1.0));
    cdf = pk;
    term = pk;
    for (j = mode; j > 0.0; j -= 1.0) {
        term *= j / mean;
        cdf += term;
        if (term < cdf * 1e-17)
            break;
    }
    k = mode;
    if (u <= cdf) {
        while (k > 0.0 && u <= cdf - pk) {
            cdf -= pk;
            pk *= k / mean;
            k -= 1.0;
        }
        return k;
    }
    limit = mean + 60.0 * sqrt(mean) + 100.0;
    while (cdf < u && k < limit) {
        k += 1.0;
        pk *= mean / k;
        cdf += pk;
        if (pk == 0.0)
            break;
    }
    return k;
}

/* ========================================================================
 * 4. Distributions
 * ======================================================================== */

static const char *const ocs_kind_names[] = {"unknown",   "uniform",    "loguniform", "normal",
                                             "lognormal", "triangular", "beta",       "pert",
                                             "discrete",  "pareto",     "exponential"};

#define OCS_KIND_COUNT ((int)(sizeof(ocs_kind_names) / sizeof(ocs_kind_names[0])))

const char *ocs_dist_name(int kind)
{
    if (kind < 1 || kind >= OCS_KIND_COUNT)
        return "unknown";
    return ocs_kind_names[kind];
}

int ocs_dist_kind_from_name(const char *name)
{
    int kind;

    if (!name)
        return 0;
    for (kind = 1; kind < OCS_KIND_COUNT; kind++)
        if (strcmp(name, ocs_kind_names[kind]) == 0)
            return kind;
    return 0;
}

/* Parameters each kind reads from param[] (all must be finite). */
static int ocs_kind_params(ocs_kind kind)
{
    switch (kind) {
    case OCS_UNIFORM:
    case OCS_LOGUNIFORM:
    case OCS_NORMAL:
    case OCS_LOGNORMAL:
    case OCS_PARETO:
        return 2;
    case OCS_TRIANGULAR:
        return 3;
    case OCS_BETA:
    case OCS_PERT:
        return 4;
    case OCS_EXPONENTIAL:
        return 1;
    case OCS_DISCRETE:
    default:
        return 0;
    }
}

static void ocs_dist_set(ocs_dist *d, ocs_kind kind, double p0, double p1, double p2, double p3)
{
    if (!d)
        return;
    memset(d, 0, sizeof(*d));
    d->kind = kind;
    d->param[0] = p0;
    d->param[1] = p1;
    d->param[2] = p2;
    d->param[3] = p3;
    d->lo = -OCS_INF;
    d->hi = OCS_INF;
}

void ocs_dist_uniform(ocs_dist *d, double min, double max)
{
    ocs_dist_set(d, OCS_UNIFORM, min, max, 0.0, 0.0);
}

void ocs_dist_loguniform(ocs_dist *d, double min, double max)
{
    ocs_dist_set(d, OCS_LOGUNIFORM, min, max, 0.0, 0.0);
}

void ocs_dist_normal(ocs_dist *d, double mean, double sd)
{
    ocs_dist_set(d, OCS_NORMAL, mean, sd, 0.0, 0.0);
}

void ocs_dist_lognormal(ocs_dist *d, double median, double geometric_sd)
{
    ocs_dist_set(d, OCS_LOGNORMAL, median, geometric_sd, 0.0, 0.0);
}

void ocs_dist_lognormal_moments(ocs_dist *d, double mean, double sd)
{
    ocs_dist_set(d, OCS_LOGNORMAL, mean, sd, 0.0, 0.0);
    if (d)
        d->by_moments = 1;
}

void ocs_dist_triangular(ocs_dist *d, double min, double mode, double max)
{
    ocs_dist_set(d, OCS_TRIANGULAR, min, mode, max, 0.0);
}

void ocs_dist_beta(ocs_dist *d, double alpha, double beta, double min, double max)
{
    ocs_dist_set(d, OCS_BETA, alpha, beta, min, max);
}

void ocs_dist_pert(ocs_dist *d, double min, double mode, double max, double lambda)
{
    ocs_dist_set(d, OCS_PERT, min, mode, max, lambda);
}

void ocs_dist_discrete(ocs_dist *d, const double *values, const double *weights, size_t n)
{
    size_t i, kept;

    ocs_dist_set(d, OCS_DISCRETE, 0.0, 0.0, 0.0, 0.0);
    if (!d)
        return;
    /* Keep the count as given so that the check can report too many. */
    d->choices = n;
    kept = n < OCS_DIST_MAX_CHOICES ? n : OCS_DIST_MAX_CHOICES;
    for (i = 0; i < kept; i++) {
        d->value[i] = values ? values[i] : OCS_NAN;
        d->weight[i] = weights ? weights[i] : 1.0;
    }
}

void ocs_dist_pareto(ocs_dist *d, double xmin, double alpha)
{
    ocs_dist_set(d, OCS_PARETO, xmin, alpha, 0.0, 0.0);
}

void ocs_dist_exponential(ocs_dist *d, double rate)
{
    ocs_dist_set(d, OCS_EXPONENTIAL, rate, 0.0, 0.0, 0.0);
}

void ocs_dist_truncate(ocs_dist *d, double lo, double hi)
{
    if (!d)
        return;
    d->truncated = 1;
    d->lo = lo;
    d->hi = hi;
    d->ready = 0;
}

/* The family functions below read the derived shape[] and work for any x
 * including the infinities; they ignore truncation. */

/* P(X <= x) */
static double ocs_family_cdf(const ocs_dist *d, double x)
{
    const double *s = d->shape;
    double lower, upper, y;

    switch (d->kind) {
    case OCS_UNIFORM:
        if (x <= s[0])
            return 0.0;
        if (x >= s[1])
            return 1.0;
        return (x - s[0]) / (s[1] - s[0]);
    case OCS_LOGUNIFORM:
        if (x <= s[2])
            return 0.0;
        if (x >= s[3])
            return 1.0;
        return (log(x) - s[0]) / (s[1] - s[0]);
    case OCS_NORMAL:
        return ocs_normal_cdf((x - s[0]) / s[1]);
    case OCS_LOGNORMAL:
        if (x <= 0.0)
            return 0.0;
        return ocs_normal_cdf((log(x) - s[0]) / s[1]);
    case OCS_TRIANGULAR:
        if (x <= s[0])
            return 0.0;
        if (x >= s[2])
            return 1.0;
        if (x <= s[1])
            return (x - s[0]) / (s[2] - s[0]) * ((x - s[0]) / (s[1] - s[0]));
        return 1.0 - (s[2] - x) / (s[2] - s[0]) * ((s[2] - x) / (s[2] - s[1]));
    case OCS_BETA:
    case OCS_PERT:
        y = (x - s[3]) / (s[4] - s[3]);
        ocs_beta_inc_both(y, s[0], s[1], s[2], &lower, &upper);
        return lower;
    case OCS_PARETO:
        if (x <= s[0])
            return 0.0;
        return -expm1(s[1] * log(s[0] / x));
    case OCS_EXPONENTIAL:
        if (x <= 0.0)
            return 0.0;
        return -expm1(-s[0] * x);
    case OCS_DISCRETE:
    default:
        return OCS_NAN;
    }
}

/* P(X > x), computed directly so that it is accurate where it is small. */
static double ocs_family_sf(const ocs_dist *d, double x)
{
    const double *s = d->shape;
    double lower, upper, y;

    switch (d->kind) {
    case OCS_UNIFORM:
        if (x <= s[0])
            return 1.0;
        if (x >= s[1])
            return 0.0;
        return (s[1] - x) / (s[1] - s[0]);
    case OCS_LOGUNIFORM:
        if (x <= s[2])
            return 1.0;
        if (x >= s[3])
            return 0.0;
        return (s[1] - log(x)) / (s[1] - s[0]);
    case OCS_NORMAL:
        return ocs_normal_cdf(-(x - s[0]) / s[1]);
    case OCS_LOGNORMAL:
        if (x <= 0.0)
            return 1.0;
        return ocs_normal_cdf(-(log(x) - s[0]) / s[1]);
    case OCS_TRIANGULAR:
        if (x <= s[0])
            return 1.0;
        if (x >= s[2])
            return 0.0;
        if (x > s[1])
            return (s[2] - x) / (s[2] - s[0]) * ((s[2] - x) / (s[2] - s[1]));
        return 1.0 - (x - s[0]) / (s[2] - s[0]) * ((x - s[0]) / (s[1] - s[0]));
    case OCS_BETA:
    case OCS_PERT:
        y = (x - s[3]) / (s[4] - s[3]);
        ocs_beta_inc_both(y, s[0], s[1], s[2], &lower, &upper);
        return upper;
    case OCS_PARETO:
        if (x <= s[0])
            return 1.0;
        return exp(s[1] * log(s[0] / x));
    case OCS_EXPONENTIAL:
        if (x <= 0.0)
            return 1.0;
        return exp(-s[0] * x);
    case OCS_DISCRETE:
    default:
        return OCS_NAN;
    }
}

/* The beta (or PERT) value with P(X <= x) = p and P(X > x) = q, from
 * shape[] = (alpha, beta, ln B, min, max). The scaled value y is solved
 * for directly; when it lies within 1e-3 of 1, 1 - y is solved for too
 * (P(X > x) = I_(1-y)(beta, alpha)), so that x near max keeps the digits
 * that y, a double near 1, cannot hold. */
static double ocs_beta_value(const double *s, double p, double q)
{
    double y = ocs_beta_inv(p, q, s[0], s[1], s[2]);

    if (y <= 1.0 - 1e-3)
        return s[3] + (s[4] - s[3]) * y;
    return s[4] - (s[4] - s[3]) * ocs_beta_inv(q, p, s[1], s[0], s[2]);
}

/* The x with P(X <= x) = p; used for p <= 0.5. */
static double ocs_family_quantile(const ocs_dist *d, double p)
{
    const double *s = d->shape;

    switch (d->kind) {
    case OCS_UNIFORM:
        return s[0] + p * (s[1] - s[0]);
    case OCS_LOGUNIFORM:
        return exp(s[0] + p * (s[1] - s[0]));
    case OCS_NORMAL:
        return s[0] + s[1] * ocs_normal_quantile(p);
    case OCS_LOGNORMAL:
        return exp(s[0] + s[1] * ocs_normal_quantile(p));
    case OCS_TRIANGULAR:
        /* square roots taken apart, so wide ranges do not overflow */
        if (p <= (s[1] - s[0]) / (s[2] - s[0]))
            return s[0] + sqrt(p) * sqrt(s[2] - s[0]) * sqrt(s[1] - s[0]);
        return s[2] - sqrt(1.0 - p) * sqrt(s[2] - s[0]) * sqrt(s[2] - s[1]);
    case OCS_BETA:
    case OCS_PERT:
        return ocs_beta_value(s, p, 1.0 - p);
    case OCS_PARETO:
        return s[0] * exp(-log1p(-p) / s[1]);
    case OCS_EXPONENTIAL:
        return -log1p(-p) / s[0];
    case OCS_DISCRETE:
    default:
        return OCS_NAN;
    }
}

/* The x with P(X > x) = q; used for q < 0.5, so upper tails keep their
 * precision. */
static double ocs_family_isf(const ocs_dist *d, double q)
{
    const double *s = d->shape;

    switch (d->kind) {
    case OCS_UNIFORM:
        return s[1] - q * (s[1] - s[0]);
    case OCS_LOGUNIFORM:
        return exp(s[1] - q * (s[1] - s[0]));
    case OCS_NORMAL:
        return s[0] - s[1] * ocs_normal_quantile(q);
    case OCS_LOGNORMAL:
        return exp(s[0] - s[1] * ocs_normal_quantile(q));
    case OCS_TRIANGULAR:
        if (q <= (s[2] - s[1]) / (s[2] - s[0]))
            return s[2] - sqrt(q) * sqrt(s[2] - s[0]) * sqrt(s[2] - s[1]);
        return s[0] + sqrt(1.0 - q) * sqrt(s[2] - s[0]) * sqrt(s[1] - s[0]);
    case OCS_BETA:
    case OCS_PERT:
        return ocs_beta_value(s, 1.0 - q, q);
    case OCS_PARETO:
        return s[0] * exp(-log(q) / s[1]);
    case OCS_EXPONENTIAL:
        return -log(q) / s[0];
    case OCS_DISCRETE:
    default:
        return OCS_NAN;
    }
}

/* Sorts the choices by value (insertion sort: at most 64, and stable, so
 * equal values keep the caller's order) and accumulates the normalised
 * weights. */
static int ocs_discrete_prepare(ocs_dist *d, char *errbuf, size_t errlen)
{
    size_t i, j, n = d->choices;
    double total = 0.0, running = 0.0;
    double weight[OCS_DIST_MAX_CHOICES];

    if (n == 0)
        return ocs_fail(errbuf, errlen, OCS_EDIST, "discrete: no choices given");
    if (n > OCS_DIST_MAX_CHOICES)
        return ocs_fail(errbuf, errlen, OCS_EDIST, "discrete: %zu choices, at most %d supported", n,
                        OCS_DIST_MAX_CHOICES);
    for (i = 0; i < n; i++) {
        if (!isfinite(d->value[i]))
            return ocs_fail(errbuf, errlen, OCS_EDIST, "discrete: value %zu is not a finite number",
                            i + 1);
        if (!(d->weight[i] >= 0.0) || isinf(d->weight[i]))
            return ocs_fail(errbuf, errlen, OCS_EDIST,
                            "discrete: weights must be non-negative and not all zero");
        total += d->weight[i];
    }
    if (!(total > 0.0) || isinf(total))
        return ocs_fail(errbuf, errlen, OCS_EDIST,
                        "discrete: weights must be non-negative and not all zero");
    for (i = 0; i < n; i++) {
        double v = d->value[i], w = d->weight[i];

        for (j = i; j > 0 && d->sorted_value[j - 1] > v; j--) {
            d->sorted_value[j] = d->sorted_value[j - 1];
            weight[j] = weight[j - 1];
        }
        d->sorted_value[j] = v;
        weight[j] = w;
    }
    for (i = 0; i < n; i++) {
        running += weight[i];
        d->cumulative[i] = running / total;
    }
    d->cumulative[n - 1] = 1.0;
    return OCS_OK;
}

/* Beta shapes outside [1e-4, 1e6] describe a point mass more than a
 * distribution, and cost the continued fraction thousands of terms. */
#define OCS_SHAPE_MIN 1e-4
#define OCS_SHAPE_MAX 1e6

/* Checks the family parameters and fills shape[]. */
static int ocs_family_prepare(ocs_dist *d, const char *name, char *errbuf, size_t errlen)
{
    const double *p = d->param;
    double *s = d->shape;

    switch (d->kind) {
    case OCS_UNIFORM:
        if (!(p[0] < p[1]))
            return ocs_fail(errbuf, errlen, OCS_EDIST,
                            "uniform: min %.10g must be less than max %.10g", p[0], p[1]);
        s[0] = p[0];
        s[1] = p[1];
        return OCS_OK;
    case OCS_LOGUNIFORM:
        if (!(p[0] > 0.0))
            return ocs_fail(errbuf, errlen, OCS_EDIST,
                            "loguniform: min must be positive, not %.10g", p[0]);
        if (!(p[0] < p[1]))
            return ocs_fail(errbuf, errlen, OCS_EDIST,
                            "loguniform: min %.10g must be less than max %.10g", p[0], p[1]);
        s[0] = log(p[0]);
        s[1] = log(p[1]);
        s[2] = p[0];
        s[3] = p[1];
        return OCS_OK;
    case OCS_NORMAL:
        if (!(p[1] > 0.0))
            return ocs_fail(errbuf, errlen, OCS_EDIST, "normal: sd must be positive, not %.10g",
                            p[1]);
        s[0] = p[0];
        s[1] = p[1];
        return OCS_OK;
    case OCS_LOGNORMAL:
        if (d->by_moments) {
            double ratio;

            if (!(p[0] > 0.0))
                return ocs_fail(errbuf, errlen, OCS_EDIST,
                                "lognormal: mean must be positive, not %.10g", p[0]);
            if (!(p[1] > 0.0))
                return ocs_fail(errbuf, errlen, OCS_EDIST,
                                "lognormal: sd must be positive, not %.10g", p[1]);
            ratio = p[1] / p[0];
            s[1] = sqrt(log1p(ratio * ratio));
            s[0] = log(p[0]) - 0.5 * s[1] * s[1];
        } else {
            if (!(p[0] > 0.0))
                return ocs_fail(errbuf, errlen, OCS_EDIST,
                                "lognormal: median must be positive, not %.10g", p[0]);
            if (!(p[1] > 1.0))
                return ocs_fail(errbuf, errlen, OCS_EDIST,
                                "lognormal: geometric sd must be greater than 1, not %.10g", p[1]);
            s[0] = log(p[0]);
            s[1] = log(p[1]);
        }
        return OCS_OK;
    case OCS_TRIANGULAR:
        if (!(p[0] < p[2]))
            return ocs_fail(errbuf, errlen, OCS_EDIST,
                            "triangular: min %.10g must be less than max %.10g", p[0], p[2]);
        if (!(p[1] >= p[0] && p[1] <= p[2]))
            return ocs_fail(errbuf, errlen, OCS_EDIST,
                            "triangular: mode %.10g is outside [%.10g, %.10g]", p[1], p[0], p[2]);
        s[0] = p[0];
        s[1] = p[1];
        s[2] = p[2];
        return OCS_OK;
    case OCS_BETA:
        if (!(p[0] > 0.0))
            return ocs_fail(errbuf, errlen, OCS_EDIST, "beta: alpha must be positive, not %.10g",
                            p[0]);
        if (!(p[1] > 0.0))
            return ocs_fail(errbuf, errlen, OCS_EDIST, "beta: beta must be positive, not %.10g",
                            p[1]);
        if (p[0] < OCS_SHAPE_MIN || p[0] > OCS_SHAPE_MAX || p[1] < OCS_SHAPE_MIN ||
            p[1] > OCS_SHAPE_MAX)
            return ocs_fail(errbuf, errlen, OCS_EDIST,
                            "beta: alpha and beta must be between %g and %g, not %.10g and %.10g",
                            OCS_SHAPE_MIN, OCS_SHAPE_MAX, p[0], p[1]);
        if (!(p[2] < p[3]))
            return ocs_fail(errbuf, errlen, OCS_EDIST,
                            "beta: min %.10g must be less than max %.10g", p[2], p[3]);
        s[0] = p[0];
        s[1] = p[1];
        s[2] = ocs_log_beta(p[0], p[1]);
        s[3] = p[2];
        s[4] = p[3];
        return OCS_OK;
    case OCS_PERT:
        if (!(p[0] < p[2]))
            return ocs_fail(errbuf, errlen, OCS_EDIST,
                            "pert: min %.10g must be less than max %.10g", p[0], p[2]);
        if (!(p[1] >= p[0] && p[1] <= p[2]))
            return ocs_fail(errbuf, errlen, OCS_EDIST, "pert: mode %.10g is outside [%.10g, %.10g]",
                            p[1], p[0], p[2]);
        if (!(p[3] > 0.0))
            return ocs_fail(errbuf, errlen, OCS_EDIST, "pert: lambda must be positive, not %.10g",
                            p[3]);
        if (p[3] > OCS_SHAPE_MAX)
            return ocs_fail(errbuf, errlen, OCS_EDIST, "pert: lambda must be at most %g, not %.10g",
                            OCS_SHAPE_MAX, p[3]);
        /* the fractions first: lambda (mode - min) alone could overflow */
        s[0] = 1.0 + p[3] * ((p[1] - p[0]) / (p[2] - p[0]));
        s[1] = 1.0 + p[3] * ((p[2] - p[1]) / (p[2] - p[0]));
        if (!isfinite(s[0]) || !isfinite(s[1]))
            return ocs_fail(errbuf, errlen, OCS_EDIST,
                            "pert: the range from min to max must be a finite number");
        s[2] = ocs_log_beta(s[0], s[1]);
        s[3] = p[0];
        s[4] = p[2];
        return OCS_OK;
    case OCS_PARETO:
        if (!(p[0] > 0.0))
            return ocs_fail(errbuf, errlen, OCS_EDIST, "pareto: xmin must be positive, not %.10g",
                            p[0]);
        if (!(p[1] > 0.0))
            return ocs_fail(errbuf, errlen, OCS_EDIST, "pareto: alpha must be positive, not %.10g",
                            p[1]);
        s[0] = p[0];
        s[1] = p[1];
        return OCS_OK;
    case OCS_EXPONENTIAL:
        if (!(p[0] > 0.0))
            return ocs_fail(errbuf, errlen, OCS_EDIST,
                            "exponential: rate must be positive, not %.10g", p[0]);
        s[0] = p[0];
        return OCS_OK;
    case OCS_DISCRETE:
        return ocs_discrete_prepare(d, errbuf, errlen);
    default:
        return ocs_fail(errbuf, errlen, OCS_EDIST, "%s: unknown distribution", name);
    }
}

/* max - min of the bounded kinds must not overflow: every formula divides
 * by it. */
static int ocs_range_finite(const ocs_dist *d)
{
    const double *p = d->param;

    switch (d->kind) {
    case OCS_UNIFORM:
        return isfinite(p[1] - p[0]);
    case OCS_TRIANGULAR:
    case OCS_PERT:
        return isfinite(p[2] - p[0]);
    case OCS_BETA:
        return isfinite(p[3] - p[2]);
    default:
        return 1;
    }
}

int ocs_dist_check(ocs_dist *d, char *errbuf, size_t errlen)
{
    const char *name;
    double mass;
    int i, rc;

    if (!d)
        return ocs_fail(errbuf, errlen, OCS_EARG, "no distribution (NULL)");
    d->ready = 0;
    if ((int)d->kind < 1 || (int)d->kind >= OCS_KIND_COUNT)
        return ocs_fail(errbuf, errlen, OCS_EDIST, "unknown distribution kind %d", (int)d->kind);
    name = ocs_dist_name((int)d->kind);
    for (i = 0; i < ocs_kind_params(d->kind); i++)
        if (!isfinite(d->param[i]))
            return ocs_fail(errbuf, errlen, OCS_EDIST, "%s: parameters must be finite numbers",
                            name);
    memset(d->shape, 0, sizeof(d->shape));
    rc = ocs_family_prepare(d, name, errbuf, errlen);
    if (rc)
        return rc;
    if (!ocs_range_finite(d))
        return ocs_fail(errbuf, errlen, OCS_EDIST,
                        "%s: the range from min to max must be a finite number", name);
    if (!d->truncated) {
        d->lo = -OCS_INF;
        d->hi = OCS_INF;
    } else {
        if (d->kind == OCS_DISCRETE)
            return ocs_fail(errbuf, errlen, OCS_EDIST,
                            "discrete: truncation applies to continuous distributions only");
        if (isnan(d->lo) || isnan(d->hi))
            return ocs_fail(errbuf, errlen, OCS_EDIST, "%s: truncation bounds must be numbers",
                            name);
        if (!(d->lo < d->hi))
            return ocs_fail(errbuf, errlen, OCS_EDIST,
                            "%s: truncation lower bound %.10g must be less than upper bound %.10g",
                            name, d->lo, d->hi);
    }
    if (d->kind != OCS_DISCRETE) {
        d->cdf_lo = ocs_family_cdf(d, d->lo);
        d->sf_lo = ocs_family_sf(d, d->lo);
        d->cdf_hi = ocs_family_cdf(d, d->hi);
        d->sf_hi = ocs_family_sf(d, d->hi);
        /* The mass on the side where it is computed accurately. */
        mass = d->cdf_lo <= 0.5 ? d->cdf_hi - d->cdf_lo : d->sf_lo - d->sf_hi;
        if (!(mass > 0.0))
            return ocs_fail(errbuf, errlen, OCS_EDIST,
                            "%s: truncation [%.10g, %.10g] leaves no probability mass", name, d->lo,
                            d->hi);
    }
    d->ready = 1;
    return OCS_OK;
}

double ocs_dist_quantile(const ocs_dist *d, double u)
{
    double p, x;
    size_t i;

    if (!d || !d->ready || !(u >= 0.0 && u <= 1.0))
        return OCS_NAN;
    if (d->kind == OCS_DISCRETE) {
        for (i = 0; i + 1 < d->choices; i++)
            if (u <= d->cumulative[i])
                break;
        return d->sorted_value[i];
    }
    /* F(x) = F(lo) + u (F(hi) - F(lo)); above the median the same point is
     * found from the survival side, S(x) = S(lo) - u (S(lo) - S(hi)). */
    p = d->cdf_lo + u * (d->cdf_hi - d->cdf_lo);
    if (p <= 0.5)
        x = ocs_family_quantile(d, p);
    else
        x = ocs_family_isf(d, d->sf_lo - u * (d->sf_lo - d->sf_hi));
    /* Rounding must not carry x out of the truncation interval. */
    if (x < d->lo)
        x = d->lo;
    if (x > d->hi)
        x = d->hi;
    return x;
}

double ocs_dist_cdf(const ocs_dist *d, double x)
{
    double f;
    size_t i;

    if (!d || !d->ready || isnan(x))
        return OCS_NAN;
    if (d->kind == OCS_DISCRETE) {
        f = 0.0;
        for (i = 0; i < d->choices && d->sorted_value[i] <= x; i++)
            f = d->cumulative[i];
        return f;
    }
    if (x < d->lo)
        return 0.0;
    if (x >= d->hi)
        return 1.0;
    if (!d->truncated)
        return ocs_family_cdf(d, x);
    if (d->cdf_lo <= 0.5)
        f = (ocs_family_cdf(d, x) - d->cdf_lo) / (d->cdf_hi - d->cdf_lo);
    else
        f = (d->sf_lo - ocs_family_sf(d, x)) / (d->sf_lo - d->sf_hi);
    return f < 0.0 ? 0.0 : f > 1.0 ? 1.0 : f;
}

/* Mean and E[X^2] - mean^2 in closed form, untruncated. */
static void ocs_dist_moments(const ocs_dist *d, double *mean, double *variance)
{
    const double *s = d->shape;
    double a, b, c, total, w, ab, range;
    size_t i;

    switch (d->kind) {
    case OCS_UNIFORM:
        *mean = 0.5 * (s[0] + s[1]);
        *variance = (s[1] - s[0]) * (s[1] - s[0]) / 12.0;
        return;
    case OCS_LOGUNIFORM:
        a = s[2];
        b = s[3];
        *mean = (b - a) / (s[1] - s[0]);
        *variance = (b * b - a * a) / (2.0 * (s[1] - s[0])) - *mean * *mean;
        return;
    case OCS_NORMAL:
        *mean = s[0];
        *variance = s[1] * s[1];
        return;
    case OCS_LOGNORMAL:
        *mean = exp(s[0] + 0.5 * s[1] * s[1]);
        *variance = expm1(s[1] * s[1]) * exp(2.0 * s[0] + s[1] * s[1]);
        return;
    case OCS_TRIANGULAR:
        a = s[0];
        c = s[1];
        b = s[2];
        *mean = (a + b + c) / 3.0;
        *variance = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
        return;
    case OCS_BETA:
    case OCS_PERT:
        ab = s[0] + s[1];
        range = s[4] - s[3];
        *mean = s[3] + range * s[0] / ab;
        *variance = range * range * s[0] * s[1] / (ab * ab * (ab + 1.0));
        return;
    case OCS_PARETO:
        *mean = s[1] > 1.0 ? s[1] * s[0] / (s[1] - 1.0) : OCS_INF;
        *variance = s[1] > 2.0 ? s[0] * s[0] * s[1] / ((s[1] - 1.0) * (s[1] - 1.0) * (s[1] - 2.0))
                               : OCS_INF;
        return;
    case OCS_EXPONENTIAL:
        *mean = 1.0 / s[0];
        *variance = 1.0 / (s[0] * s[0]);
        return;
    case OCS_DISCRETE:
        total = 0.0;
        *mean = 0.0;
        for (i = 0; i < d->choices; i++) {
            w = d->cumulative[i] - (i > 0 ? d->cumulative[i - 1] : 0.0);
            *mean += w * d->sorted_value[i];
            total += w;
        }
        *mean /= total;
        *variance = 0.0;
        for (i = 0; i < d->choices; i++) {
            w = d->cumulative[i] - (i > 0 ? d->cumulative[i - 1] : 0.0);
            *variance += w * (d->sorted_value[i] - *mean) * (d->sorted_value[i] - *mean);
        }
        *variance /= total;
        return;
    default:
        *mean = OCS_NAN;
        *variance = OCS_NAN;
        return;
    }
}

double ocs_dist_mean(const ocs_dist *d)
{
    double mean, variance;

    if (!d || !d->ready || d->truncated)
        return OCS_NAN;
    ocs_dist_moments(d, &mean, &variance);
    return mean;
}

double ocs_dist_variance(const ocs_dist *d)
{
    double mean, variance;

    if (!d || !d->ready || d->truncated)
        return OCS_NAN;
    ocs_dist_moments(d, &mean, &variance);
    return variance;
}

/* ========================================================================
 * 5. Designs
 * ======================================================================== */

/* Rounds of the Feistel network that permutes Latin hypercube strata. */
#define OCS_FEISTEL_ROUNDS 6
/* Direction numbers per Sobol dimension: one per bit of the index. */
#define OCS_SOBOL_BITS 64
/* Above 2^53 samples the stratum index is no longer exact in a double. */
#define OCS_LHS_MAX_SAMPLES ((uint64_t)1 << 53)

struct ocs_design {
    ocs_method method;
    size_t dims;
    uint64_t samples;
    uint64_t seed;
    unsigned flags;
    unsigned half_bits;   /* Latin hypercube: width of a Feistel half */
    uint64_t *round_keys; /* Latin hypercube: dims x OCS_FEISTEL_ROUNDS */
    uint64_t *directions; /* Sobol: dims x OCS_SOBOL_BITS, scrambled */
    uint64_t *shifts;     /* Sobol: one digital shift per dimension */
};

const char *ocs_method_name(int method)
{
    switch (method) {
    case OCS_RANDOM:
        return "random";
    case OCS_LHS:
        return "lhs";
    case OCS_SOBOL:
        return "sobol";
    default:
        return "unknown";
    }
}

int ocs_method_from_name(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "random") == 0)
        return OCS_RANDOM;
    if (strcmp(name, "lhs") == 0)
        return OCS_LHS;
    if (strcmp(name, "sobol") == 0)
        return OCS_SOBOL;
    return -1;
}

/* A keyed bijection of [0, 2^(2 half)): a balanced Feistel network whose
 * round function is SplitMix64's finaliser of the round key xor the right
 * half. */
static uint64_t ocs_feistel(const uint64_t *keys, unsigned half, uint64_t x)
{
    uint64_t mask = ((uint64_t)1 << half) - 1;
    uint64_t left = x >> half, right = x & mask;
    unsigned r;

    for (r = 0; r < OCS_FEISTEL_ROUNDS; r++) {
        uint64_t next = left ^ (ocs_mix(keys[r] ^ right) & mask);

        left = right;
        right = next;
    }
    return (left << half) | right;
}

/* The stratum of sample i in dimension d: the Feistel permutation of the
 * power-of-four domain, cycle-walked until it lands in [0, samples). The
 * walk ends because the cycle through i returns to i < samples; since the
 * domain is less than four times samples, it takes under four steps on
 * average. */
static uint64_t ocs_lhs_stratum(const ocs_design *g, uint64_t i, size_t d)
{
    const uint64_t *keys = g->round_keys + d * OCS_FEISTEL_ROUNDS;
    uint64_t x = i;

    do {
        x = ocs_feistel(keys, g->half_bits, x);
    } while (x >= g->samples);
    return x;
}

static double ocs_lhs_point(const ocs_design *g, uint64_t i, size_t d)
{
    uint64_t stratum = ocs_lhs_stratum(g, i, d);
    double n = (double)g->samples, s = (double)stratum;
    double x = (s + ocs_uniform(g->seed, i, (uint64_t)d)) / n;
    int step;

    /* (s + u) / n can round onto the stratum's upper edge; nudge it back so
     * that floor(x n) == s holds in double arithmetic, the contract. */
    for (step = 0; step < 64; step++) {
        double t = floor(x * n);

        if (t > s)
            x = nextafter(x, 0.0);
        else if (t < s)
            x = nextafter(x, 1.0);
        else
            break;
    }
    return x;
}

/* Direction numbers V_1..V_64 of dimension d (0-based), V_k in the top k
 * bits: dimension 0 is van der Corput (all m_k = 1); the others follow
 * Bratley and Fox's recurrence from Joe and Kuo's initial numbers:
 * V_k = V_(k-s) ^ (V_(k-s) >> s) ^ XOR_(j=1..s-1) c_j V_(k-j). */
static void ocs_sobol_directions(size_t d, uint64_t *v)
{
    const ocs_sobol_init *row;
    unsigned k, j, s, a;

    if (d == 0) {
        for (k = 0; k < OCS_SOBOL_BITS; k++)
            v[k] = (uint64_t)1 << (63 - k);
        return;
    }
    row = &ocs_sobol_table[d - 1];
    s = row->degree;
    a = row->coeffs;
    for (k = 0; k < OCS_SOBOL_BITS; k++) {
        if (k < s) {
            v[k] = (uint64_t)row->m[k] << (63 - k);
            continue;
        }
        v[k] = v[k - s] ^ (v[k - s] >> s);
        for (j = 1; j < s; j++)
            if ((a >> (s - 1 - j)) & 1u)
                v[k] ^= v[k - j];
    }
}

static uint64_t ocs_parity(uint64_t x)
{
    x ^= x >> 32;
    x ^= x >> 16;
    x ^= x >> 8;
    x ^= x >> 4;
    x ^= x >> 2;
    x ^= x >> 1;
    return x & 1u;
}

/* Matousek's random linear scramble: every direction number is multiplied
 * by a random lower-triangular binary matrix with a unit diagonal (output
 * digit r is digit r xor a random combination of the more significant
 * digits), which keeps the net properties and gives the same variance as
 * Owen's nested scramble (Owen 2003); then a random digital shift. Both
 * are keyed by the seed, once per design, so a point costs what an
 * unscrambled one does. */
static void ocs_sobol_scramble(uint64_t key, size_t d, uint64_t *v, uint64_t *shift)
{
    uint64_t rows[OCS_SOBOL_BITS];
    unsigned r, k;

    for (r = 0; r < OCS_SOBOL_BITS; r++) {
        /* Output digit r + 1 is bit 63 - r; it may depend on the r digits
         * above it. */
        uint64_t above = r == 0 ? 0 : ~(uint64_t)0 << (64 - r);

        rows[r] = (ocs_hash(key, (uint64_t)d, r) & above) | ((uint64_t)1 << (63 - r));
    }
    for (k = 0; k < OCS_SOBOL_BITS; k++) {
        uint64_t out = 0;

        for (r = 0; r < OCS_SOBOL_BITS; r++)
            out |= ocs_parity(v[k] & rows[r]) << (63 - r);
        v[k] = out;
    }
    *shift = ocs_hash(key, (uint64_t)d, OCS_SOBOL_BITS);
}

/* Point i of dimension d: the xor of the direction numbers selected by the
 * bits of gray(i) = i ^ (i >> 1), which is the order of Antonov and
 * Saleev's recursive generator (and of Joe and Kuo's program), computed
 * directly for any i. */
static double ocs_sobol_point(const ocs_design *g, uint64_t i, size_t d)
{
    const uint64_t *v = g->directions + d * OCS_SOBOL_BITS;
    uint64_t gray = i ^ (i >> 1), x = g->shifts[d];
    unsigned k;

    for (k = 0; gray; k++, gray >>= 1)
        if (gray & 1u)
            x ^= v[k];
    return ocs_unit_from_bits(x);
}

int ocs_design_create(ocs_method method, size_t dims, uint64_t samples, uint64_t seed,
                      unsigned flags, ocs_design **out, char *errbuf, size_t errlen)
{
    ocs_design *g = NULL;
    size_t d;
    unsigned width;
    uint64_t key;
    int rc = OCS_OK;

    if (!out)
        return ocs_fail(errbuf, errlen, OCS_EARG, "no place for the design (NULL)");
    *out = NULL;
    if (method != OCS_RANDOM && method != OCS_LHS && method != OCS_SOBOL)
        return ocs_fail(errbuf, errlen, OCS_EARG, "unknown sampling method %d", (int)method);
    if (dims == 0)
        return ocs_fail(errbuf, errlen, OCS_EARG, "a design needs at least one dimension");
    if (samples == 0)
        return ocs_fail(errbuf, errlen, OCS_EARG, "a design needs at least one sample");
    if (flags & ~OCS_UNSCRAMBLED)
        return ocs_fail(errbuf, errlen, OCS_EARG, "unknown design flags 0x%x", flags);
    if (method == OCS_SOBOL && dims > OCS_SOBOL_MAX_DIMS)
        return ocs_fail(errbuf, errlen, OCS_EARG,
                        "sobol: %zu dimensions requested, at most %d supported", dims,
                        OCS_SOBOL_MAX_DIMS);
    if (method == OCS_LHS && samples > OCS_LHS_MAX_SAMPLES)
        return ocs_fail(errbuf, errlen, OCS_EARG, "lhs: at most 2^53 samples supported");
    if (dims > SIZE_MAX / (sizeof(uint64_t) * OCS_SOBOL_BITS))
        return ocs_fail(errbuf, errlen, OCS_EARG, "too many dimensions (%zu)", dims);

    g = calloc(1, sizeof(*g));
    if (!g) {
        rc = ocs_fail(errbuf, errlen, OCS_ENOMEM, "out of memory for the design");
        goto fail;
    }
    g->method = method;
    g->dims = dims;
    g->samples = samples;
    g->seed = seed;
    g->flags = flags;

    if (method == OCS_LHS) {
        /* The Feistel domain: an even number of bits, at least 2, covering
         * samples - 1. */
        width = 2;
        while (width < 64 && ((samples - 1) >> width) != 0)
            width += 2;
        g->half_bits = width / 2;
        g->round_keys = malloc(dims * OCS_FEISTEL_ROUNDS * sizeof(uint64_t));
        if (!g->round_keys) {
            rc = ocs_fail(errbuf, errlen, OCS_ENOMEM, "out of memory for the design");
            goto fail;
        }
        key = ocs_substream(seed, OCS_STREAM_LHS);
        for (d = 0; d < dims; d++) {
            unsigned r;

            for (r = 0; r < OCS_FEISTEL_ROUNDS; r++)
                g->round_keys[d * OCS_FEISTEL_ROUNDS + r] = ocs_hash(key, (uint64_t)d, r);
        }
    }

    if (method == OCS_SOBOL) {
        g->directions = malloc(dims * OCS_SOBOL_BITS * sizeof(uint64_t));
        g->shifts = calloc(dims, sizeof(uint64_t));
        if (!g->directions || !g->shifts) {
            rc = ocs_fail(errbuf, errlen, OCS_ENOMEM, "out of memory for the design");
            goto fail;
        }
        key = ocs_substream(seed, OCS_STREAM_SOBOL);
        for (d = 0; d < dims; d++) {
            ocs_sobol_directions(d, g->directions + d * OCS_SOBOL_BITS);
            if (!(flags & OCS_UNSCRAMBLED))
                ocs_sobol_scramble(key, d, g->directions + d * OCS_SOBOL_BITS, &g->shifts[d]);
        }
    }

    *out = g;
    return OCS_OK;

fail:
    ocs_design_free(g);
    return rc;
}

void ocs_design_free(ocs_design *design)
{
    if (!design)
        return;
    free(design->round_keys);
    free(design->directions);
    free(design->shifts);
    free(design);
}

size_t ocs_design_dims(const ocs_design *design)
{
    return design ? design->dims : 0;
}

uint64_t ocs_design_samples(const ocs_design *design)
{
    return design ? design->samples : 0;
}

double ocs_design_point(const ocs_design *design, uint64_t i, size_t d)
{
    if (!design || i >= design->samples || d >= design->dims)
        return OCS_NAN;
    switch (design->method) {
    case OCS_LHS:
        return ocs_lhs_point(design, i, d);
    case OCS_SOBOL:
        return ocs_sobol_point(design, i, d);
    case OCS_RANDOM:
    default:
        return ocs_uniform(design->seed, i, (uint64_t)d);
    }
}

void ocs_design_row(const ocs_design *design, uint64_t i, double *u)
{
    size_t d;

    if (!design || !u)
        return;
    for (d = 0; d < design->dims; d++)
        u[d] = ocs_design_point(design, i, d);
}

/* ========================================================================
 * 6. Iman-Conover rank correlation
 * ======================================================================== */

/* A pivot below this is taken as zero: the matrix is then (numerically)
 * singular, e.g. a correlation of exactly 1 between two parameters. */
#define OCS_PD_TOLERANCE 1e-10

struct ocs_corr {
    size_t k;
    double *target; /* k x k, as given */
    double *factor; /* k x k lower Cholesky factor P of the score target */
    int adjusted;   /* the score target is 2 sin(pi C / 6), not C */
};

uint64_t ocs_block_of(uint64_t i)
{
    return i / OCS_BLOCK;
}

void ocs_block_range(uint64_t block, uint64_t samples, uint64_t *first, uint64_t *count)
{
    uint64_t start = 0, n = 0;

    if (block <= (UINT64_MAX - OCS_BLOCK) / OCS_BLOCK) {
        start = block * OCS_BLOCK;
        if (start < samples)
            n = samples - start < OCS_BLOCK ? samples - start : OCS_BLOCK;
    }
    if (first)
        *first = start;
    if (count)
        *count = n;
}

/* In-place lower Cholesky factor of a symmetric k x k row-major matrix
 * (the upper triangle is zeroed). Returns 0, or the 1-based order of the
 * first leading minor that is not positive. */
static size_t ocs_cholesky(double *a, size_t k)
{
    size_t i, j, p;

    for (j = 0; j < k; j++) {
        double pivot = a[j * k + j], root;

        for (p = 0; p < j; p++)
            pivot -= a[j * k + p] * a[j * k + p];
        if (!(pivot > OCS_PD_TOLERANCE))
            return j + 1;
        root = sqrt(pivot);
        a[j * k + j] = root;
        for (i = j + 1; i < k; i++) {
            double t = a[i * k + j];

            for (p = 0; p < j; p++)
                t -= a[i * k + p] * a[j * k + p];
            a[i * k + j] = t / root;
        }
        for (i = 0; i < j; i++)
            a[i * k + j] = 0.0;
    }
    return 0;
}

int ocs_corr_create(size_t k, const double *matrix, ocs_corr **out, char *errbuf, size_t errlen)
{
    ocs_corr *c = NULL;
    size_t i, j, minor;
    int rc = OCS_OK;

    if (!out)
        return ocs_fail(errbuf, errlen, OCS_EARG, "no place for the correlation (NULL)");
    *out = NULL;
    if (k == 0 || !matrix)
        return ocs_fail(errbuf, errlen, OCS_EARG, "an empty correlation matrix");
    if (k > 4096)
        return ocs_fail(errbuf, errlen, OCS_ELIMIT,
                        "correlation matrix of %zu parameters, at most 4096", k);
    for (i = 0; i < k; i++) {
        for (j = 0; j < k; j++) {
            double v = matrix[i * k + j];

            if (!isfinite(v))
                return ocs_fail(errbuf, errlen, OCS_ECORR,
                                "correlation matrix entry [%zu][%zu] is not a finite number", i, j);
            if (i == j && fabs(v - 1.0) > 1e-12)
                return ocs_fail(errbuf, errlen, OCS_ECORR,
                                "correlation matrix diagonal [%zu][%zu] = %.10g must be 1", i, j,
                                v);
            if (fabs(v) > 1.0)
                return ocs_fail(errbuf, errlen, OCS_ECORR,
                                "correlation matrix entry [%zu][%zu] = %.10g is outside [-1, 1]", i,
                                j, v);
            if (fabs(v - matrix[j * k + i]) > 1e-12)
                return ocs_fail(errbuf, errlen, OCS_ECORR,
                                "correlation matrix is not symmetric: [%zu][%zu] = %.10g but "
                                "[%zu][%zu] = %.10g",
                                i, j, v, j, i, matrix[j * k + i]);
        }
    }

    c = calloc(1, sizeof(*c));
    if (!c) {
        rc = ocs_fail(errbuf, errlen, OCS_ENOMEM, "out of memory for the correlation");
        goto fail;
    }
    c->k = k;
    c->target = malloc(k * k * sizeof(double));
    c->factor = malloc(k * k * sizeof(double));
    if (!c->target || !c->factor) {
        rc = ocs_fail(errbuf, errlen, OCS_ENOMEM, "out of memory for the correlation");
        goto fail;
    }
    /* Symmetrise exactly and check positive definiteness of the target. */
    for (i = 0; i < k; i++)
        for (j = 0; j < k; j++)
            c->target[i * k + j] = i == j ? 1.0 : 0.5 * (matrix[i * k + j] + matrix[j * k + i]);
    memcpy(c->factor, c->target, k * k * sizeof(double));
    minor = ocs_cholesky(c->factor, k);
    if (minor) {
        rc = ocs_fail(errbuf, errlen, OCS_ECORR,
                      "correlation matrix is not positive definite (leading minor %zu)", minor);
        goto fail;
    }
    /* Iman-Conover makes the Pearson correlation of normal scores exact;
     * their rank correlation is then (6 / pi) asin(r / 2). Aim the scores at
     * r = 2 sin(pi rho / 6) so the ranks land on rho; if that matrix is not
     * positive definite, aim at rho itself (within 0.02 of it anyway). */
    for (i = 0; i < k; i++)
        for (j = 0; j < k; j++)
            c->factor[i * k + j] = i == j ? 1.0 : 2.0 * sin(OCS_PI * c->target[i * k + j] / 6.0);
    if (ocs_cholesky(c->factor, k) == 0) {
        c->adjusted = 1;
    } else {
        memcpy(c->factor, c->target, k * k * sizeof(double));
        (void)ocs_cholesky(c->factor, k);
    }
    *out = c;
    return OCS_OK;

fail:
    ocs_corr_free(c);
    return rc;
}

void ocs_corr_free(ocs_corr *corr)
{
    if (!corr)
        return;
    free(corr->target);
    free(corr->factor);
    free(corr);
}

size_t ocs_corr_size(const ocs_corr *corr)
{
    return corr ? corr->k : 0;
}

typedef struct ocs_ranked {
    double value;
    size_t row;
} ocs_ranked;

/* By value, ties by row: a total order, so qsort's instability is moot. */
static int ocs_ranked_compare(const void *pa, const void *pb)
{
    const ocs_ranked *a = pa, *b = pb;

    if (a->value < b->value)
        return -1;
    if (a->value > b->value)
        return 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* Sorts the column's values with their rows. */
static void ocs_sort_column(ocs_ranked *pairs, const double *base, size_t rows, size_t stride,
                            size_t col)
{
    size_t i;

    for (i = 0; i < rows; i++) {
        pairs[i].value = base[i * stride + col];
        pairs[i].row = i;
    }
    qsort(pairs, rows, sizeof(*pairs), ocs_ranked_compare);
}

/* Iman and Conover (1982), deterministic variant:
 *   1. scores a_t = Phi^-1((t + 1) / (n + 1)); each column's score matrix
 *      R puts a_t on the row holding the column's t-th smallest value (so
 *      the start is the sample's own ordering, not a fresh permutation);
 *   2. T = the correlation of R, T = Q Q' (Cholesky; Q = I if singular);
 *   3. R* = R (P Q^-1)' has correlation exactly P P' = the score target;
 *   4. each column's values are rearranged to have the ranks of R*. */
int ocs_corr_induce(const ocs_corr *corr, double *points, size_t rows, size_t stride,
                    const size_t *cols)
{
    size_t k, i, j, a, b, t;
    double *work = NULL, *score, *r, *rstar, *tmat, *smat, *qinv, *sorted;
    ocs_ranked *pairs = NULL;
    double mean = 0.0, var = 0.0;
    int rc = OCS_OK;

    if (!corr || !points || stride == 0)
        return OCS_EARG;
    k = corr->k;
    for (j = 0; j < k; j++)
        if ((cols ? cols[j] : j) >= stride)
            return OCS_EARG;
    if (k < 2 || rows < 2)
        return OCS_OK;
    for (i = 0; i < rows; i++)
        for (j = 0; j < k; j++)
            if (isnan(points[i * stride + (cols ? cols[j] : j)]))
                return OCS_EARG;
    if (rows > SIZE_MAX / sizeof(double) / (2 * k + 4))
        return OCS_ELIMIT;

    work = malloc((rows * (2 * k + 2) + 3 * k * k) * sizeof(double));
    pairs = malloc(rows * sizeof(*pairs));
    if (!work || !pairs) {
        rc = OCS_ENOMEM;
        goto done;
    }
    score = work;
    sorted = score + rows;
    r = sorted + rows;
    rstar = r + rows * k;
    tmat = rstar + rows * k;
    smat = tmat + k * k;
    qinv = smat + k * k;

    /* 1. van der Waerden scores, and R */
    for (t = 0; t < rows; t++) {
        score[t] = ocs_normal_quantile((double)(t + 1) / (double)(rows + 1));
        mean += score[t];
    }
    mean /= (double)rows;
    for (t = 0; t < rows; t++)
        var += (score[t] - mean) * (score[t] - mean);
    for (j = 0; j < k; j++) {
        ocs_sort_column(pairs, points, rows, stride, cols ? cols[j] : j);
        for (t = 0; t < rows; t++)
            r[pairs[t].row * k + j] = score[t] - mean;
    }

    /* 2. T and its Cholesky factor Q (in tmat) */
    for (a = 0; a < k; a++) {
        for (b = 0; b <= a; b++) {
            double s = 0.0;

            for (i = 0; i < rows; i++)
                s += r[i * k + a] * r[i * k + b];
            tmat[a * k + b] = a == b ? 1.0 : s / var;
            tmat[b * k + a] = tmat[a * k + b];
        }
    }
    if (ocs_cholesky(tmat, k) != 0) {
        /* Too few rows for the scores to have a full-rank correlation:
         * take them as uncorrelated. */
        for (a = 0; a < k; a++)
            for (b = 0; b < k; b++)
                tmat[a * k + b] = a == b ? 1.0 : 0.0;
    }

    /* 3. Q^-1 by forward substitution, S = P Q^-1, R* = R S' */
    for (b = 0; b < k; b++) {
        for (a = 0; a < k; a++) {
            double s = a == b ? 1.0 : 0.0;

            for (t = 0; t < a; t++)
                s -= tmat[a * k + t] * qinv[t * k + b];
            qinv[a * k + b] = s / tmat[a * k + a];
        }
    }
    for (a = 0; a < k; a++) {
        for (b = 0; b < k; b++) {
            double s = 0.0;

            for (t = b; t <= a; t++)
                s += corr->factor[a * k + t] * qinv[t * k + b];
            smat[a * k + b] = s;
        }
    }
    for (i = 0; i < rows; i++) {
        for (a = 0; a < k; a++) {
            double s = 0.0;

            for (b = 0; b <= a; b++)
                s += smat[a * k + b] * r[i * k + b];
            rstar[i * k + a] = s;
        }
    }

    /* 4. rearrange each column to the ranks of R* */
    for (j = 0; j < k; j++) {
        size_t col = cols ? cols[j] : j;

        ocs_sort_column(pairs, points, rows, stride, col);
        for (t = 0; t < rows; t++)
            sorted[t] = pairs[t].value;
        ocs_sort_column(pairs, rstar, rows, k, j);
        for (t = 0; t < rows; t++)
            points[pairs[t].row * stride + col] = sorted[t];
    }

done:
    free(work);
    free(pairs);
    return rc;
}

int ocs_design_block(const ocs_design *design, const ocs_corr *corr, const size_t *cols,
                     uint64_t block, double *points, size_t *rows)
{
    uint64_t first, count, i;

    if (!design || !points || !rows)
        return OCS_EARG;
    if (corr && !cols && corr->k > design->dims)
        return OCS_EARG;
    ocs_block_range(block, design->samples, &first, &count);
    for (i = 0; i < count; i++)
        ocs_design_row(design, first + i, points + (size_t)i * design->dims);
    *rows = (size_t)count;
    if (!corr)
        return OCS_OK;
    return ocs_corr_induce(corr, points, (size_t)count, design->dims, cols);
}

/* ========================================================================
 * 7. Counts and the Wilson interval
 * ======================================================================== */

void ocs_count_init(ocs_count *c)
{
    if (c)
        memset(c, 0, sizeof(*c));
}

void ocs_count_add(ocs_count *c, int event)
{
    if (!c)
        return;
    c->trials++;
    if (event)
        c->events++;
}

void ocs_count_merge(ocs_count *into, const ocs_count *from)
{
    if (!into || !from)
        return;
    into->events += from->events;
    into->trials += from->trials;
}

int ocs_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi)
{
    double nn, p, z2, denom, center, half;

    if (!lo || !hi || k > n || !(z >= 0.0) || isinf(z))
        return OCS_EARG;
    if (n == 0) {
        *lo = 0.0;
        *hi = 1.0;
        return OCS_OK;
    }
    nn = (double)n;
    p = (double)k / nn;
    z2 = z * z;
    /* (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n) */
    denom = 1.0 + z2 / nn;
    center = (p + z2 / (2.0 * nn)) / denom;
    half = z / denom * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
    *lo = k == 0 ? 0.0 : center - half;
    *hi = k == n ? 1.0 : center + half;
    if (*lo < 0.0)
        *lo = 0.0;
    if (*hi > 1.0)
        *hi = 1.0;
    return OCS_OK;
}

/* ========================================================================
 * 8. Exact moments
 * ======================================================================== */

/* The accumulator is a two's complement integer of OCS_ACC_LIMBS 64-bit
 * limbs, least significant first, counting units of 2^-1074 (the smallest
 * subnormal): every finite double is an integer multiple of it, at most
 * 2^2098 of them, so 2176 bits hold any sum of 2^64 doubles exactly.
 * Exact integers make addition associative and commutative, which is
 * what makes merged results identical whatever the split. */

static void ocs_acc_add_at(uint64_t *acc, size_t limb, uint64_t v)
{
    uint64_t old = acc[limb];

    acc[limb] = old + v;
    if (acc[limb] >= old)
        return;
    for (limb++; limb < OCS_ACC_LIMBS; limb++)
        if (++acc[limb] != 0)
            return;
}

static void ocs_acc_sub_at(uint64_t *acc, size_t limb, uint64_t v)
{
    uint64_t old = acc[limb];

    acc[limb] = old - v;
    if (old >= v)
        return;
    for (limb++; limb < OCS_ACC_LIMBS; limb++)
        if (acc[limb]-- != 0)
            return;
}

/* Adds a finite double exactly. */
static void ocs_acc_add_double(uint64_t *acc, double x)
{
    uint64_t bits, mantissa, low, high;
    unsigned exponent, position, shift;
    size_t limb;

    memcpy(&bits, &x, sizeof(bits));
    exponent = (unsigned)((bits >> 52) & 0x7FF);
    mantissa = bits & (((uint64_t)1 << 52) - 1);
    if (exponent == 0x7FF)
        return;
    if (exponent == 0) {
        if (mantissa == 0)
            return;
        position = 0; /* subnormal: mantissa x 2^-1074 */
    } else {
        mantissa |= (uint64_t)1 << 52;
        position = exponent - 1; /* (1.f) 2^(e - 1023) = mantissa 2^(e - 1075) */
    }
    limb = position / 64;
    shift = position % 64;
    low = mantissa << shift;
    high = shift ? mantissa >> (64 - shift) : 0;
    if (bits >> 63) {
        ocs_acc_sub_at(acc, limb, low);
        if (high)
            ocs_acc_sub_at(acc, limb + 1, high);
    } else {
        ocs_acc_add_at(acc, limb, low);
        if (high)
            ocs_acc_add_at(acc, limb + 1, high);
    }
}

static void ocs_acc_merge(uint64_t *into, const uint64_t *from)
{
    uint64_t carry = 0;
    size_t i;

    for (i = 0; i < OCS_ACC_LIMBS; i++) {
        uint64_t t = into[i] + carry;
        uint64_t c1 = t < carry;
        uint64_t s = t + from[i];
        uint64_t c2 = s < t;

        into[i] = s;
        carry = c1 | c2;
    }
}

/* The accumulator rounded to the nearest double (ties to even). */
static double ocs_acc_to_double(const uint64_t *acc)
{
    uint64_t mag[OCS_ACC_LIMBS], top64, mantissa, rest;
    int negative = (int)(acc[OCS_ACC_LIMBS - 1] >> 63);
    int sticky = 0, top, high;
    size_t i, low_limb;
    unsigned low_shift;
    double value;

    memcpy(mag, acc, sizeof(mag));
    if (negative) {
        uint64_t carry = 1;

        for (i = 0; i < OCS_ACC_LIMBS; i++) {
            mag[i] = ~mag[i] + carry;
            carry = carry && mag[i] == 0;
        }
    }
    for (top = OCS_ACC_LIMBS - 1; top >= 0 && mag[top] == 0; top--)
        ;
    if (top < 0)
        return 0.0;
    for (high = 63; !((mag[top] >> high) & 1u); high--)
        ;
    high += top * 64; /* the value's leading bit is 2^(high - 1074) */
    if (high < 53) {
        /* At most 53 bits: exact. */
        value = ldexp((double)mag[0], -1074);
        return negative ? -value : value;
    }
    /* The 64 bits from the leading one down, and whether anything below
     * them is set. */
    if (high < 63) {
        top64 = mag[0] << (63 - high);
    } else {
        low_limb = (size_t)(high - 63) / 64;
        low_shift = (unsigned)(high - 63) % 64;
        top64 = mag[low_limb] >> low_shift;
        if (low_shift)
            top64 |= mag[low_limb + 1] << (64 - low_shift);
        if (low_shift && (mag[low_limb] & (((uint64_t)1 << low_shift) - 1)))
            sticky = 1;
        for (i = 0; i < low_limb && !sticky; i++)
            if (mag[i])
                sticky = 1;
    }
    mantissa = top64 >> 11;
    rest = top64 & 0x7FF;
    if (rest > 0x400 || (rest == 0x400 && (sticky || (mantissa & 1u))))
        mantissa++;
    if (mantissa == ((uint64_t)1 << 53)) {
        mantissa >>= 1;
        high++;
    }
    value = ldexp((double)mantissa, high - 52 - 1074);
    return negative ? -value : value;
}

/* Double-double arithmetic (Dekker 1971, Knuth's two-sum): a value is
 * hi + lo with |lo| <= ulp(hi) / 2, about 106 bits. */
typedef struct ocs_dd {
    double hi, lo;
} ocs_dd;

static ocs_dd ocs_fast_two_sum(double a, double b)
{
    ocs_dd r;

    r.hi = a + b;
    r.lo = b - (r.hi - a);
    return r;
}

static ocs_dd ocs_two_sum(double a, double b)
{
    ocs_dd r;
    double bb;

    r.hi = a + b;
    bb = r.hi - a;
    r.lo = (a - (r.hi - bb)) + (b - bb);
    return r;
}

/* a b = hi + lo exactly (Veltkamp's split; |a|, |b| < 1e150). */
static ocs_dd ocs_two_prod(double a, double b)
{
    const double split = 134217729.0; /* 2^27 + 1 */
    double ca = split * a, cb = split * b;
    double ah = ca - (ca - a), al = a - ah;
    double bh = cb - (cb - b), bl = b - bh;
    ocs_dd r;

    r.hi = a * b;
    r.lo = ((ah * bh - r.hi) + ah * bl + al * bh) + al * bl;
    return r;
}

static ocs_dd ocs_dd_mul(ocs_dd a, ocs_dd b)
{
    ocs_dd p = ocs_two_prod(a.hi, b.hi);

    return ocs_fast_two_sum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

static ocs_dd ocs_dd_div(ocs_dd a, double d)
{
    double q1 = a.hi / d;
    ocs_dd p = ocs_two_prod(q1, d);
    ocs_dd r = ocs_two_sum(a.hi, -p.hi);
    double q2 = (r.hi + (r.lo - p.lo + a.lo)) / d;

    return ocs_fast_two_sum(q1, q2);
}

static ocs_dd ocs_dd_sub(ocs_dd a, ocs_dd b)
{
    ocs_dd s = ocs_two_sum(a.hi, -b.hi);

    return ocs_fast_two_sum(s.hi, s.lo + (a.lo - b.lo));
}

/* The exact sum as a double-double: the rounded sum, then the rounded
 * remainder. */
static ocs_dd ocs_acc_to_dd(const uint64_t *acc)
{
    uint64_t rest[OCS_ACC_LIMBS];
    ocs_dd r;

    r.hi = ocs_acc_to_double(acc);
    r.lo = 0.0;
    if (!isfinite(r.hi))
        return r;
    memcpy(rest, acc, sizeof(rest));
    ocs_acc_add_double(rest, -r.hi);
    r.lo = ocs_acc_to_double(rest);
    return r;
}

/* The header promises a struct without padding, comparable with memcmp. */
_Static_assert(sizeof(ocs_moments) == sizeof(uint64_t) * (6 + 2 * OCS_ACC_LIMBS),
               "ocs_moments must have no padding");

/* Above this |x|, x^2 is near overflow and Veltkamp's split overflows. */
#define OCS_MOMENTS_HUGE 1e150

void ocs_moments_init(ocs_moments *m)
{
    if (!m)
        return;
    memset(m, 0, sizeof(*m));
    m->min = OCS_INF;
    m->max = -OCS_INF;
}

void ocs_moments_add(ocs_moments *m, double x)
{
    ocs_dd square;

    if (!m)
        return;
    if (isnan(x)) {
        m->n_nan++;
        return;
    }
    if (isinf(x)) {
        m->n_inf++;
        return;
    }
    /* -0 + 0 is +0: the extremes then do not depend on which zero came
     * first. */
    x += 0.0;
    m->n++;
    if (x < m->min)
        m->min = x;
    if (x > m->max)
        m->max = x;
    ocs_acc_add_double(m->sum, x);
    if (fabs(x) > OCS_MOMENTS_HUGE) {
        m->n_huge++;
        return;
    }
    square = ocs_two_prod(x, x);
    ocs_acc_add_double(m->sum_squares, square.hi);
    ocs_acc_add_double(m->sum_squares, square.lo);
}

void ocs_moments_merge(ocs_moments *into, const ocs_moments *from)
{
    if (!into || !from)
        return;
    into->n += from->n;
    into->n_nan += from->n_nan;
    into->n_inf += from->n_inf;
    into->n_huge += from->n_huge;
    if (from->min < into->min)
        into->min = from->min;
    if (from->max > into->max)
        into->max = from->max;
    ocs_acc_merge(into->sum, from->sum);
    ocs_acc_merge(into->sum_squares, from->sum_squares);
}

double ocs_moments_sum(const ocs_moments *m)
{
    return m ? ocs_acc_to_double(m->sum) : OCS_NAN;
}

double ocs_moments_mean(const ocs_moments *m)
{
    if (!m || m->n == 0)
        return OCS_NAN;
    return ocs_dd_div(ocs_acc_to_dd(m->sum), (double)m->n).hi;
}

double ocs_moments_variance(const ocs_moments *m)
{
    ocs_dd s1, s2, mean, numerator;
    double n, variance;

    if (!m || m->n < 2)
        return OCS_NAN;
    if (m->n_huge)
        return OCS_INF;
    /* sum (x - mean)^2 = S2 - S1 (S1 / n), in double-double: the exact
     * sums lose nothing, and 106 bits absorb the cancellation. */
    n = (double)m->n;
    s1 = ocs_acc_to_dd(m->sum);
    s2 = ocs_acc_to_dd(m->sum_squares);
    mean = ocs_dd_div(s1, n);
    numerator = ocs_dd_sub(s2, ocs_dd_mul(s1, mean));
    variance = (numerator.hi + numerator.lo) / (n - 1.0);
    return variance > 0.0 ? variance : 0.0;
}

/* ========================================================================
 * 9. The quantile sketch
 * ======================================================================== */

/* One sign's bins: counts for the keys [base, base + cap), of which
 * [lo, hi] have been touched (both ends have counts; total > 0). The
 * allocation has slack; the logical range and the counts are canonical. */
typedef struct ocs_bins {
    uint64_t *count;
    int64_t base;
    size_t cap;
    int64_t lo, hi;
    uint64_t total;
} ocs_bins;

struct ocs_sketch {
    unsigned bits;
    double offset;
    double min_abs;
    uint64_t n_nan, n_zero, n_posinf, n_neginf;
    double min, max;
    ocs_bins pos, neg;
};

/* The key of |y| > 0: the double's exponent and top mantissa bits, which
 * increase with |y| (IEEE doubles compare like their bit patterns). */
static int64_t ocs_sketch_key(double magnitude, unsigned bits)
{
    uint64_t raw;

    memcpy(&raw, &magnitude, sizeof(raw));
    return (int64_t)(raw >> (52 - bits));
}

/* The lower edge of a key's bin. */
static double ocs_sketch_edge(int64_t key, unsigned bits)
{
    uint64_t raw = (uint64_t)key << (52 - bits);
    double edge;

    memcpy(&edge, &raw, sizeof(edge));
    return edge;
}

/* Makes room for the keys [lo, hi]. */
static int ocs_bins_reserve(ocs_bins *b, int64_t lo, int64_t hi)
{
    int64_t new_lo = lo, new_hi = hi, new_base;
    size_t span, new_cap;
    uint64_t *count;

    if (b->count && lo >= b->base && hi < b->base + (int64_t)b->cap)
        return OCS_OK;
    if (b->total) {
        if (b->lo < new_lo)
            new_lo = b->lo;
        if (b->hi > new_hi)
            new_hi = b->hi;
    }
    span = (size_t)(new_hi - new_lo) + 1;
    if (span > OCS_SKETCH_MAX_BINS)
        return OCS_ELIMIT;
    new_cap = 2 * b->cap;
    if (new_cap < span + span / 2 + 16)
        new_cap = span + span / 2 + 16;
    if (new_cap > OCS_SKETCH_MAX_BINS)
        new_cap = OCS_SKETCH_MAX_BINS;
    count = calloc(new_cap, sizeof(*count));
    if (!count)
        return OCS_ENOMEM;
    new_base = new_lo - (int64_t)((new_cap - span) / 2);
    if (b->total)
        memcpy(count + (b->lo - new_base), b->count + (b->lo - b->base),
               (size_t)(b->hi - b->lo + 1) * sizeof(*count));
    free(b->count);
    b->count = count;
    b->base = new_base;
    b->cap = new_cap;
    return OCS_OK;
}

static void ocs_bins_note(ocs_bins *b, int64_t lo, int64_t hi, uint64_t added)
{
    if (!b->total || lo < b->lo)
        b->lo = lo;
    if (!b->total || hi > b->hi)
        b->hi = hi;
    b->total += added;
}

int ocs_sketch_create(unsigned precision_bits, double offset, double min_abs, ocs_sketch **out)
{
    ocs_sketch *s;

    if (!out)
        return OCS_EARG;
    *out = NULL;
    if (precision_bits < 1 || precision_bits > 16 || !isfinite(offset) || !(min_abs > 0.0) ||
        isinf(min_abs))
        return OCS_EARG;
    s = calloc(1, sizeof(*s));
    if (!s)
        return OCS_ENOMEM;
    s->bits = precision_bits;
    s->offset = offset;
    s->min_abs = min_abs;
    s->min = OCS_INF;
    s->max = -OCS_INF;
    *out = s;
    return OCS_OK;
}

void ocs_sketch_free(ocs_sketch *s)
{
    if (!s)
        return;
    free(s->pos.count);
    free(s->neg.count);
    free(s);
}

int ocs_sketch_add(ocs_sketch *s, double x)
{
    double y;
    ocs_bins *b;
    int64_t key;
    int rc;

    if (!s)
        return OCS_EARG;
    if (isnan(x)) {
        s->n_nan++;
        return OCS_OK;
    }
    x += 0.0; /* one zero, so min and max do not depend on the order */
    y = x - s->offset;
    if (isinf(y)) {
        if (y > 0.0)
            s->n_posinf++;
        else
            s->n_neginf++;
        return OCS_OK;
    }
    if (fabs(y) < s->min_abs) {
        s->n_zero++;
    } else {
        b = y > 0.0 ? &s->pos : &s->neg;
        key = ocs_sketch_key(fabs(y), s->bits);
        rc = ocs_bins_reserve(b, key, key);
        if (rc)
            return rc;
        b->count[key - b->base]++;
        ocs_bins_note(b, key, key, 1);
    }
    if (x < s->min)
        s->min = x;
    if (x > s->max)
        s->max = x;
    return OCS_OK;
}

static int ocs_bins_merge(ocs_bins *into, const ocs_bins *from)
{
    int64_t key;
    int rc;

    if (!from->total)
        return OCS_OK;
    rc = ocs_bins_reserve(into, from->lo, from->hi);
    if (rc)
        return rc;
    for (key = from->lo; key <= from->hi; key++)
        into->count[key - into->base] += from->count[key - from->base];
    ocs_bins_note(into, from->lo, from->hi, from->total);
    return OCS_OK;
}

/* Two configurations are the same when their numbers are bit for bit. */
static int ocs_same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof(a)) == 0;
}

int ocs_sketch_merge(ocs_sketch *into, const ocs_sketch *from)
{
    int rc;

    if (!into || !from)
        return OCS_EARG;
    if (into->bits != from->bits || !ocs_same_bits(into->offset, from->offset) ||
        !ocs_same_bits(into->min_abs, from->min_abs))
        return OCS_EMISMATCH;
    /* Reserve both signs before changing anything, so a failure leaves
     * into as it was. */
    if (from->pos.total) {
        rc = ocs_bins_reserve(&into->pos, from->pos.lo, from->pos.hi);
        if (rc)
            return rc;
    }
    if (from->neg.total) {
        rc = ocs_bins_reserve(&into->neg, from->neg.lo, from->neg.hi);
        if (rc)
            return rc;
    }
    rc = ocs_bins_merge(&into->pos, &from->pos);
    if (rc)
        return rc;
    rc = ocs_bins_merge(&into->neg, &from->neg);
    if (rc)
        return rc;
    into->n_nan += from->n_nan;
    into->n_zero += from->n_zero;
    into->n_posinf += from->n_posinf;
    into->n_neginf += from->n_neginf;
    if (from->min < into->min)
        into->min = from->min;
    if (from->max > into->max)
        into->max = from->max;
    return OCS_OK;
}

static uint64_t ocs_sketch_total(const ocs_sketch *s)
{
    return s->n_neginf + s->neg.total + s->n_zero + s->pos.total + s->n_posinf;
}

uint64_t ocs_sketch_count(const ocs_sketch *s)
{
    return s ? ocs_sketch_total(s) : 0;
}

uint64_t ocs_sketch_nan_count(const ocs_sketch *s)
{
    return s ? s->n_nan : 0;
}

/* Spreads a bin's c values evenly over it: the j-th smallest magnitude
 * (0-based) sits at the middle of the j-th of c equal slices. */
static double ocs_bin_value(int64_t key, unsigned bits, uint64_t j, uint64_t c)
{
    double lo = ocs_sketch_edge(key, bits), hi = ocs_sketch_edge(key + 1, bits);
    double v = lo + (hi - lo) * (((double)j + 0.5) / (double)c);

    return isfinite(v) ? v : lo;
}

/* The estimate of the order statistic of 0-based rank r < count. */
static double ocs_sketch_rank(const ocs_sketch *s, uint64_t r)
{
    uint64_t n = ocs_sketch_total(s);
    double y, x;
    int64_t key;

    if (r == 0 && s->n_neginf == 0)
        return s->min;
    if (r == n - 1 && s->n_posinf == 0)
        return s->max;
    if (r < s->n_neginf)
        return -OCS_INF;
    r -= s->n_neginf;
    y = 0.0;
    if (r < s->neg.total) {
        /* the most negative first: keys from high to low magnitude */
        for (key = s->neg.hi; key >= s->neg.lo; key--) {
            uint64_t c = s->neg.count[key - s->neg.base];

            if (r < c) {
                y = -ocs_bin_value(key, s->bits, c - 1 - r, c);
                break;
            }
            r -= c;
        }
        goto found;
    }
    r -= s->neg.total;
    if (r < s->n_zero)
        goto found;
    r -= s->n_zero;
    if (r < s->pos.total) {
        for (key = s->pos.lo; key <= s->pos.hi; key++) {
            uint64_t c = s->pos.count[key - s->pos.base];

            if (r < c) {
                y = ocs_bin_value(key, s->bits, r, c);
                break;
            }
            r -= c;
        }
        goto found;
    }
    return OCS_INF;

found:
    x = y + s->offset;
    if (x < s->min)
        x = s->min;
    if (x > s->max)
        x = s->max;
    return x;
}

double ocs_sketch_quantile(const ocs_sketch *s, double p)
{
    uint64_t n, r0;
    double t, f, v0, v1;

    if (!s || !(p >= 0.0 && p <= 1.0))
        return OCS_NAN;
    n = ocs_sketch_total(s);
    if (n == 0)
        return OCS_NAN;
    t = p * (double)(n - 1);
    r0 = (uint64_t)t;
    if (r0 >= n - 1)
        return ocs_sketch_rank(s, n - 1);
    f = t - (double)r0;
    v0 = ocs_sketch_rank(s, r0);
    if (f == 0.0 || isinf(v0))
        return v0;
    v1 = ocs_sketch_rank(s, r0 + 1);
    if (isinf(v1))
        return v1;
    return v0 + f * (v1 - v0);
}

/* Packed layout, all little-endian 64-bit words unless said:
 *   "OCSK" (4 bytes), version 1 (u32), precision bits (u32), 0 (u32),
 *   offset, min_abs (IEEE bits), n_nan, n_zero, n_posinf, n_neginf,
 *   min, max (IEEE bits),
 *   then for the positive, then the negative bins: lo, hi (i64; lo = 0,
 *   hi = -1 when empty) and hi - lo + 1 counts. */
#define OCS_PACK_HEADER 80
#define OCS_PACK_VERSION 1u

static void ocs_put64(unsigned char *p, uint64_t v)
{
    int i;

    for (i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t ocs_get64(const unsigned char *p)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void ocs_put32(unsigned char *p, uint32_t v)
{
    int i;

    for (i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t ocs_get32(const unsigned char *p)
{
    uint32_t v = 0;
    int i;

    for (i = 0; i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static uint64_t ocs_double_bits(double x)
{
    uint64_t bits;

    memcpy(&bits, &x, sizeof(bits));
    return bits;
}

static double ocs_bits_double(uint64_t bits)
{
    double x;

    memcpy(&x, &bits, sizeof(x));
    return x;
}

static size_t ocs_bins_span(const ocs_bins *b)
{
    return b->total ? (size_t)(b->hi - b->lo) + 1 : 0;
}

static unsigned char *ocs_pack_bins(unsigned char *p, const ocs_bins *b)
{
    int64_t key;

    ocs_put64(p, (uint64_t)(b->total ? b->lo : 0));
    ocs_put64(p + 8, (uint64_t)(b->total ? b->hi : -1));
    p += 16;
    if (!b->total)
        return p;
    for (key = b->lo; key <= b->hi; key++, p += 8)
        ocs_put64(p, b->count[key - b->base]);
    return p;
}

int ocs_sketch_pack(const ocs_sketch *s, unsigned char *buf, size_t cap, size_t *len)
{
    size_t need;
    unsigned char *p;

    if (!s || !len)
        return OCS_EARG;
    need = OCS_PACK_HEADER + 32 + 8 * (ocs_bins_span(&s->pos) + ocs_bins_span(&s->neg));
    *len = need;
    if (!buf)
        return OCS_OK;
    if (cap < need)
        return OCS_ELIMIT;
    memcpy(buf, "OCSK", 4);
    ocs_put32(buf + 4, OCS_PACK_VERSION);
    ocs_put32(buf + 8, s->bits);
    ocs_put32(buf + 12, 0);
    ocs_put64(buf + 16, ocs_double_bits(s->offset));
    ocs_put64(buf + 24, ocs_double_bits(s->min_abs));
    ocs_put64(buf + 32, s->n_nan);
    ocs_put64(buf + 40, s->n_zero);
    ocs_put64(buf + 48, s->n_posinf);
    ocs_put64(buf + 56, s->n_neginf);
    ocs_put64(buf + 64, ocs_double_bits(s->min));
    ocs_put64(buf + 72, ocs_double_bits(s->max));
    p = ocs_pack_bins(buf + OCS_PACK_HEADER, &s->pos);
    (void)ocs_pack_bins(p, &s->neg);
    return OCS_OK;
}

/* Reads one sign's bins; *p advances. */
static int ocs_unpack_bins(const unsigned char **p, const unsigned char *end, unsigned bits,
                           ocs_bins *b)
{
    int64_t lo, hi, key;
    size_t span;
    uint64_t c;
    int rc;

    if (end - *p < 16)
        return OCS_EFORMAT;
    lo = (int64_t)ocs_get64(*p);
    hi = (int64_t)ocs_get64(*p + 8);
    *p += 16;
    if (lo == 0 && hi == -1)
        return OCS_OK;
    /* Keys of finite doubles are in [0, 0x7FF << bits); test the ends
     * before subtracting them. */
    if (lo < 0 || hi < lo || hi >= ((int64_t)0x7FF << bits) ||
        hi - lo >= (int64_t)OCS_SKETCH_MAX_BINS)
        return OCS_EFORMAT;
    span = (size_t)(hi - lo) + 1;
    if ((size_t)(end - *p) / 8 < span)
        return OCS_EFORMAT;
    rc = ocs_bins_reserve(b, lo, hi);
    if (rc)
        return rc;
    for (key = lo; key <= hi; key++, *p += 8) {
        c = ocs_get64(*p);
        b->count[key - b->base] = c;
        if (b->total + c < b->total)
            return OCS_EFORMAT;
        b->total += c;
    }
    /* Canonical bins have counts at both ends. */
    if (b->count[lo - b->base] == 0 || b->count[hi - b->base] == 0)
        return OCS_EFORMAT;
    b->lo = lo;
    b->hi = hi;
    return OCS_OK;
}

int ocs_sketch_unpack(const unsigned char *buf, size_t len, ocs_sketch **out)
{
    ocs_sketch *s = NULL;
    const unsigned char *p, *end;
    unsigned bits;
    double offset, min_abs;
    int rc;

    if (!out)
        return OCS_EARG;
    *out = NULL;
    if (!buf || len < OCS_PACK_HEADER || memcmp(buf, "OCSK", 4) != 0 ||
        ocs_get32(buf + 4) != OCS_PACK_VERSION || ocs_get32(buf + 12) != 0)
        return OCS_EFORMAT;
    bits = ocs_get32(buf + 8);
    offset = ocs_bits_double(ocs_get64(buf + 16));
    min_abs = ocs_bits_double(ocs_get64(buf + 24));
    rc = ocs_sketch_create(bits, offset, min_abs, &s);
    if (rc) {
        rc = rc == OCS_EARG ? OCS_EFORMAT : rc;
        goto fail;
    }
    s->n_nan = ocs_get64(buf + 32);
    s->n_zero = ocs_get64(buf + 40);
    s->n_posinf = ocs_get64(buf + 48);
    s->n_neginf = ocs_get64(buf + 56);
    s->min = ocs_bits_double(ocs_get64(buf + 64));
    s->max = ocs_bits_double(ocs_get64(buf + 72));
    p = buf + OCS_PACK_HEADER;
    end = buf + len;
    rc = ocs_unpack_bins(&p, end, bits, &s->pos);
    if (rc)
        goto fail;
    rc = ocs_unpack_bins(&p, end, bits, &s->neg);
    if (rc)
        goto fail;
    if (p != end || isnan(s->min) || isnan(s->max)) {
        rc = OCS_EFORMAT;
        goto fail;
    }
    *out = s;
    return OCS_OK;

fail:
    ocs_sketch_free(s);
    return rc;
}
