/*
 * sampling.h - the statistical core of Monte Carlo: counter-based random
 * numbers, distributions with inverse CDFs, sampling designs (plain random,
 * Latin hypercube, Sobol), rank correlation between parameters
 * (Iman-Conover), and streaming reductions whose merged result is the same
 * bytes however the samples were split.
 *
 * The module knows nothing about the engine or about models: it turns
 * (seed, sample index, dimension) into numbers and numbers into summaries.
 * libc and libm only. Prefix ocs_. The design, formulas, accuracy and
 * determinism contracts are in docs/internals/sampling.md.
 *
 * Determinism contracts (the caller's side of the bargain):
 *
 *   - Every random number is a pure function of (seed, sample, draw); a
 *     design's point (sample i, dimension d) is a pure function of the
 *     design's parameters, i and d. Any partition of samples across
 *     threads or processes yields the same points.
 *   - Rank correlation (Iman-Conover) needs a whole block of samples. Blocks
 *     are fixed: block k holds the samples [k * OCS_BLOCK, (k + 1) *
 *     OCS_BLOCK), the last one cut at the sample count, and sample i's
 *     point is row i - k * OCS_BLOCK of ocs_design_block(k). Partition the
 *     samples in whole blocks (boundaries at multiples of OCS_BLOCK, or the
 *     end); a part that cuts a block must still compute the whole block
 *     and use its rows (the same points, at the price of the block twice).
 *   - Reductions (ocs_count, ocs_moments, ocs_sketch) are exact integer
 *     arithmetic inside: merging partials gives identical bytes whatever the
 *     partition and whatever the merge order.
 *
 * Ownership: objects made by *_create are freed by the matching *_free
 * (which accept NULL). Input arrays are read, never kept. Designs and
 * correlation objects are immutable after creation and may be shared by
 * any number of threads; a reduction object belongs to one thread at a
 * time. There is no global state.
 *
 * Errors: functions that can fail return OCS_OK (0) or a negative ocs_code,
 * and when given a buffer write one line naming what is wrong.
 */
#ifndef OVERCAP_SAMPLING_H
#define OVERCAP_SAMPLING_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes. OCS_OK is zero; every error is negative. */
typedef enum ocs_code {
    OCS_OK = 0,
    OCS_EARG = -1,      /* a NULL pointer or an argument out of range */
    OCS_EDIST = -2,     /* impossible distribution parameters */
    OCS_ECORR = -3,     /* a correlation matrix that is not a correlation matrix */
    OCS_ENOMEM = -4,    /* an allocation failed */
    OCS_ELIMIT = -5,    /* a hard size limit was reached */
    OCS_EMISMATCH = -6, /* merging reductions configured differently */
    OCS_EFORMAT = -7    /* packed bytes that are not a packed reduction */
} ocs_code;

/* The constant name of a return code, e.g. "OCS_EDIST". Never NULL. */
const char *ocs_code_name(int code);

/* ------------------------------------------------------------------------
 * Counter-based random numbers
 * ------------------------------------------------------------------------ */

/* 64 random bits, a pure function of the three keys: SplitMix64's finaliser
 * applied to the seed, then to the result xor sample, then xor draw. */
uint64_t ocs_hash(uint64_t seed, uint64_t sample, uint64_t draw);

/* A uniform number in the open interval (0, 1), a pure function of its keys:
 * (k + 0.5) / 2^52 for the top 52 bits k of ocs_hash, so the values are the
 * odd multiples of 2^-53 (53 significant bits), never 0 or 1, and 1 - u is
 * a possible value whenever u is (symmetric, exactly representable). */
double ocs_uniform(uint64_t seed, uint64_t sample, uint64_t draw);

/* A seed for an independent stream derived from seed: use it when one
 * sample needs draws for another purpose than its design point (the jump
 * arrivals of a run, the bootstrap of an estimate), so the two never share
 * keys. Different streams give unrelated seeds. Stream 2 is the Sobol
 * scramble's and 0x626F6F74 the bootstrap's (sensitivity.c); any other
 * stream number is the caller's. */
uint64_t ocs_substream(uint64_t seed, uint64_t stream);

/* ------------------------------------------------------------------------
 * Special functions (exposed because the callers need them too)
 * ------------------------------------------------------------------------ */

/* The standard normal CDF, from erfc: accurate in both tails. */
double ocs_normal_cdf(double x);

/* The standard normal quantile for p in [0, 1] (Acklam's rational
 * approximation and one Halley step: relative error below 1e-15 where
 * |x| > 0.1, absolute below 1e-16 nearer 0, for p down to 1e-300). 0 gives
 * -HUGE_VAL, 1 gives HUGE_VAL, NaN or a p outside [0, 1] gives NaN. */
double ocs_normal_quantile(double p);

/* ln Gamma(x) for x > 0 (Stirling series after shifting x above 15; about
 * 1e-15 relative, a few 1e-15 absolute near its zeros 1 and 2). NaN for
 * x <= 0. Thread-safe, unlike lgamma(3), which writes signgam. */
double ocs_log_gamma(double x);

/* The regularized incomplete beta function I_x(a, b) for a, b > 0 (a
 * continued fraction evaluated by the modified Lentz method, on the side
 * of the mode where it converges fast). x is clamped to [0, 1]. NaN for
 * bad a or b. */
double ocs_beta_inc(double x, double a, double b);

/* The inverse of I_x(a, b) in x: the x in [0, 1] with I_x(a, b) = p
 * (Halley's method kept in a shrinking bracket; |I_x - p| below 1e-13, or
 * x is the double whose neighbours bracket p where I_x is steeper than one
 * ulp). NaN for bad a, b or p. */
double ocs_beta_inc_inv(double p, double a, double b);

/* The u-quantile of a Poisson distribution with the given mean >= 0: the
 * smallest k with P(X <= k) >= u, for u in (0, 1). Exact summation of the
 * probabilities outward from the mode, so any mean up to 1e9 is fine.
 * Returns NaN for a negative or non-finite mean or u outside (0, 1). */
double ocs_poisson_quantile(double mean, double u);

/* ------------------------------------------------------------------------
 * Distributions
 * ------------------------------------------------------------------------ */

typedef enum ocs_kind {
    OCS_UNIFORM = 1,     /* min, max */
    OCS_LOGUNIFORM = 2,  /* min > 0, max: ln X uniform */
    OCS_NORMAL = 3,      /* mean, sd */
    OCS_LOGNORMAL = 4,   /* median and geometric sd, or mean and sd of X */
    OCS_TRIANGULAR = 5,  /* min, mode, max */
    OCS_BETA = 6,        /* alpha, beta in [1e-4, 1e6], scaled to [min, max] */
    OCS_PERT = 7,        /* min, mode, max, lambda <= 1e6 (4 is the classic PERT) */
    OCS_DISCRETE = 8,    /* values with weights */
    OCS_PARETO = 9,      /* xmin > 0, alpha > 0: P(X > x) = (xmin / x)^alpha */
    OCS_EXPONENTIAL = 10 /* rate > 0 */
} ocs_kind;

/* The most choices a discrete distribution may have. */
#define OCS_DIST_MAX_CHOICES 64
/* The classic PERT weight of the mode. */
#define OCS_PERT_LAMBDA 4.0

/* A distribution: a plain struct, copyable, no pointers. Fill it with one of
 * the ocs_dist_<family> setters, optionally ocs_dist_truncate, then call
 * ocs_dist_check, which validates it and computes the derived fields that
 * ocs_dist_quantile needs. After a successful check the struct is read-only
 * and may be used from any number of threads. */
typedef struct ocs_dist {
    ocs_kind kind;
    double param[4]; /* as given to the setter, in its argument order */
    int by_moments;  /* OCS_LOGNORMAL: param = (mean, sd) of X */
    int truncated;   /* set by ocs_dist_truncate */
    double lo, hi;   /* truncation bounds; -HUGE_VAL / HUGE_VAL: open */
    size_t choices;  /* OCS_DISCRETE: number of choices given */
    double value[OCS_DIST_MAX_CHOICES];
    double weight[OCS_DIST_MAX_CHOICES];

    /* Derived by ocs_dist_check; the caller reads none of these. */
    int ready;
    double shape[6];                     /* mu, sigma / alpha, beta, ln B, min, max / ... */
    double cdf_lo, cdf_hi, sf_lo, sf_hi; /* F and 1 - F at the bounds */
    double sorted_value[OCS_DIST_MAX_CHOICES];
    double cumulative[OCS_DIST_MAX_CHOICES];
} ocs_dist;

/* The setters clear *d and store the parameters; they never fail (the
 * check does). */
void ocs_dist_uniform(ocs_dist *d, double min, double max);
void ocs_dist_loguniform(ocs_dist *d, double min, double max);
void ocs_dist_normal(ocs_dist *d, double mean, double sd);
/* Lognormal by the median (e^mu) and the geometric sd (e^sigma > 1). */
void ocs_dist_lognormal(ocs_dist *d, double median, double geometric_sd);
/* Lognormal by the mean and sd of X itself:
 * sigma^2 = ln(1 + sd^2 / mean^2), mu = ln(mean) - sigma^2 / 2. */
void ocs_dist_lognormal_moments(ocs_dist *d, double mean, double sd);
void ocs_dist_triangular(ocs_dist *d, double min, double mode, double max);
void ocs_dist_beta(ocs_dist *d, double alpha, double beta, double min, double max);
/* PERT: beta with alpha = 1 + lambda (mode - min) / (max - min) and
 * beta = 1 + lambda (max - mode) / (max - min), on [min, max]. */
void ocs_dist_pert(ocs_dist *d, double min, double mode, double max, double lambda);
/* Values with weights (any non-negative scale, normalised by the check;
 * weights NULL: equal weights). The arrays are copied. More than
 * OCS_DIST_MAX_CHOICES choices is reported by the check. */
void ocs_dist_discrete(ocs_dist *d, const double *values, const double *weights, size_t n);
void ocs_dist_pareto(ocs_dist *d, double xmin, double alpha);
void ocs_dist_exponential(ocs_dist *d, double rate);

/* Restricts a continuous distribution to [lo, hi] (either may be infinite):
 * the quantile maps u into [F(lo), F(hi)]. Call after the family setter. */
void ocs_dist_truncate(ocs_dist *d, double lo, double hi);

/* Validates *d and prepares it for ocs_dist_quantile. Returns OCS_OK, or
 * OCS_EDIST with a message naming what is impossible, for example
 * "triangular: mode 5 is outside [0, 1]", "beta: alpha must be positive,
 * not -1", "loguniform: min must be positive, not 0", "discrete: weights
 * must be non-negative and not all zero", "uniform: truncation [2, 3]
 * leaves no probability mass". OCS_EARG when d is NULL. */
int ocs_dist_check(ocs_dist *d, char *errbuf, size_t errlen);

/* The inverse CDF at u in (0, 1) of a checked distribution, truncation
 * included; monotone non-decreasing in u (discrete choices are sorted by
 * value). Upper-tail values are computed from the survival function, so
 * u close to 1 keeps its precision. NaN when d is not checked or u is
 * outside [0, 1]; u = 0 and u = 1 give the ends of the support. */
double ocs_dist_quantile(const ocs_dist *d, double u);

/* P(X <= x) of a checked distribution, truncation included. */
double ocs_dist_cdf(const ocs_dist *d, double x);

/* Mean and variance of a checked, untruncated distribution in closed form
 * (HUGE_VAL when infinite, e.g. Pareto with alpha <= 1). NaN when the
 * distribution is truncated or not checked. */
double ocs_dist_mean(const ocs_dist *d);
double ocs_dist_variance(const ocs_dist *d);

/* "uniform", "loguniform", ... for a kind; "unknown" otherwise. */
const char *ocs_dist_name(int kind);
/* The kind named name (the names above), or 0 when there is none. */
int ocs_dist_kind_from_name(const char *name);

/* ------------------------------------------------------------------------
 * Sampling designs: the unit-hypercube point of (sample, dimension)
 * ------------------------------------------------------------------------ */

typedef enum ocs_method {
    OCS_RANDOM = 0, /* u = ocs_uniform(seed, i, d) */
    OCS_LHS = 1,    /* Latin hypercube over the total sample count */
    OCS_SOBOL = 2   /* Sobol (Joe-Kuo directions), scrambled by the seed */
} ocs_method;

/* The most dimensions a Sobol design has (the direction table's size). */
#define OCS_SOBOL_MAX_DIMS 256
/* ocs_design_create flag: Sobol without scrambling (the published
 * sequence, offset by half of 2^-52 so that point 0 sits next to the origin,
 * not on it; the seed is then ignored by Sobol). */
#define OCS_UNSCRAMBLED 1u

typedef struct ocs_design ocs_design;

/* Creates a design of dims dimensions for samples samples (> 0; Latin
 * hypercube strata are 1 / samples wide; for the others it bounds the
 * sample index). Returns OCS_OK, OCS_EARG (no dimensions, no samples, too
 * many Sobol dimensions, unknown method or flag), OCS_ENOMEM. */
int ocs_design_create(ocs_method method, size_t dims, uint64_t samples, uint64_t seed,
                      unsigned flags, ocs_design **out, char *errbuf, size_t errlen);
void ocs_design_free(ocs_design *design);

size_t ocs_design_dims(const ocs_design *design);
uint64_t ocs_design_samples(const ocs_design *design);

/* The point's coordinate d of sample i, in (0, 1). A pure function of the
 * design and (i, d); O(1) memory, computable without the other samples.
 * For Latin hypercube, floor(u * samples) (in double arithmetic) is the
 * sample's stratum in that dimension, a permutation of 0 .. samples - 1.
 * NaN when i >= samples or d >= dims. */
double ocs_design_point(const ocs_design *design, uint64_t i, size_t d);

/* All dims coordinates of sample i into u[0 .. dims - 1]. */
void ocs_design_row(const ocs_design *design, uint64_t i, double *u);

/* "random", "lhs", "sobol"; "unknown" otherwise. */
const char *ocs_method_name(int method);
/* The method named name, or -1 when there is none. */
int ocs_method_from_name(const char *name);

/* ------------------------------------------------------------------------
 * Rank correlation between parameters (Iman-Conover)
 * ------------------------------------------------------------------------ */

/* Samples per block: correlation is induced within each block of sample
 * indices [k * OCS_BLOCK, (k + 1) * OCS_BLOCK). Partition samples across
 * threads and processes in whole blocks. */
#define OCS_BLOCK 1024

/* The block of sample i, and the samples of block k out of samples. */
uint64_t ocs_block_of(uint64_t i);
void ocs_block_range(uint64_t block, uint64_t samples, uint64_t *first, uint64_t *count);

typedef struct ocs_corr ocs_corr;

/* Validates a k x k target rank (Spearman) correlation matrix, row-major,
 * and prepares it. It must be finite, symmetric (to 1e-12), with a unit
 * diagonal, entries in [-1, 1], and positive definite. Errors (OCS_ECORR)
 * name the entry, e.g. "correlation matrix is not symmetric: [0][2] = 0.5
 * but [2][0] = 0.4" or "correlation matrix is not positive definite
 * (leading minor 3)". k = 0 is OCS_EARG. */
int ocs_corr_create(size_t k, const double *matrix, ocs_corr **out, char *errbuf, size_t errlen);
void ocs_corr_free(ocs_corr *corr);
size_t ocs_corr_size(const ocs_corr *corr);

/* Induces the rank correlation on rows points (row-major, stride doubles
 * per row): the k columns cols[0 .. k - 1] (NULL: columns 0 .. k - 1) are
 * rearranged within themselves (each column keeps its set of values, so
 * marginals and Latin hypercube strata survive) so that their rank
 * correlation approaches the target. Deterministic: a function of the
 * values only. Rows fewer than k + 2 get a correlation that is only
 * approximate. OCS_EARG, OCS_ENOMEM (one workspace allocation). */
int ocs_corr_induce(const ocs_corr *corr, double *points, size_t rows, size_t stride,
                    const size_t *cols);

/* Fills points (at least OCS_BLOCK x dims doubles, row-major) with the
 * design points of block k and, when corr is not NULL, induces its rank
 * correlation on the columns cols (NULL: 0 .. k - 1). *rows receives the
 * number of samples in the block (0 past the end). The one entry point for
 * correlated sampling: the same block always gives the same bytes. */
int ocs_design_block(const ocs_design *design, const ocs_corr *corr, const size_t *cols,
                     uint64_t block, double *points, size_t *rows);

/* ------------------------------------------------------------------------
 * Streaming, mergeable reductions
 * ------------------------------------------------------------------------ */

/* Counts of an event, for P(event) with a Wilson interval. A plain struct:
 * merge by adding. */
typedef struct ocs_count {
    uint64_t events;
    uint64_t trials;
} ocs_count;

void ocs_count_init(ocs_count *c);
void ocs_count_add(ocs_count *c, int event);
void ocs_count_merge(ocs_count *into, const ocs_count *from);

/* The Wilson (1927) score interval for k events in n trials at normal
 * quantile z (1.959963984540054 for 95%): [lo, hi] within [0, 1]; n = 0
 * gives [0, 1]. OCS_EARG for k > n, z negative or not finite, NULL. */
int ocs_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi);

/* Limbs of the exact accumulator: a two's complement fixed-point integer
 * in units of 2^-1074, wide enough for any sum of up to 2^64 doubles. */
#define OCS_ACC_LIMBS 34

/* Mean and variance by exact summation: sum x and sum x^2 (the latter as
 * the exact double-double product) are kept as exact integers, so the
 * result does not depend on the order of additions or merges. A plain
 * struct with no padding: compare with memcmp, send as bytes between
 * processes of the same architecture. NaN and infinite values are
 * counted, not summed; |x| > 1e150 makes the variance infinite. */
typedef struct ocs_moments {
    uint64_t n;      /* finite values summed */
    uint64_t n_nan;  /* NaN values seen */
    uint64_t n_inf;  /* infinite values seen */
    uint64_t n_huge; /* finite values with |x| > 1e150 (x^2 not summed) */
    double min, max; /* of the finite values; +inf / -inf when n == 0 */
    uint64_t sum[OCS_ACC_LIMBS];
    uint64_t sum_squares[OCS_ACC_LIMBS];
} ocs_moments;

void ocs_moments_init(ocs_moments *m);
void ocs_moments_add(ocs_moments *m, double x);
void ocs_moments_merge(ocs_moments *into, const ocs_moments *from);
/* The sum, correctly rounded from the exact sum. */
double ocs_moments_sum(const ocs_moments *m);
/* The mean; NaN when n == 0. */
double ocs_moments_mean(const ocs_moments *m);
/* The sample variance (n - 1 denominator), from the exact sums in
 * double-double arithmetic (no cancellation); NaN when n < 2. */
double ocs_moments_variance(const ocs_moments *m);

/* A quantile sketch: a histogram with bins at fixed places, a pure
 * function of the multiset of values added. For y = x - offset, |y| below
 * min_abs counts as y = 0; otherwise |y| falls in a bin of relative width
 * 2^-precision_bits (the top 11 + precision_bits bits of the double's
 * representation), one set of bins per sign. Quantile estimates lie within
 * one bin of the exact order statistic: relative error at most
 * 2^-precision_bits in |x - offset|, absolute floor min_abs; min and max
 * are exact. Memory is proportional to the range of keys touched, not to
 * the number of values. */
typedef struct ocs_sketch ocs_sketch;

/* The most bins one sign of a sketch may span (a hard limit on memory). */
#define OCS_SKETCH_MAX_BINS ((size_t)1 << 22)

/* precision_bits in [1, 16] (7: 0.8% bins, 10: 0.1%); offset finite;
 * min_abs > 0 and finite (e.g. 1e-12 in the values' unit). */
int ocs_sketch_create(unsigned precision_bits, double offset, double min_abs, ocs_sketch **out);
void ocs_sketch_free(ocs_sketch *s);
/* Adds one value; may grow the bins: OCS_ENOMEM, or OCS_ELIMIT past
 * OCS_SKETCH_MAX_BINS (the value is then not added). NaN is counted
 * apart, infinities at the ends. */
int ocs_sketch_add(ocs_sketch *s, double x);
/* Adds from's counts into into. OCS_EMISMATCH when the precision, offset
 * or min_abs differ; OCS_ENOMEM; OCS_ELIMIT. */
int ocs_sketch_merge(ocs_sketch *into, const ocs_sketch *from);
/* Values added, NaN excluded; and NaN values added. */
uint64_t ocs_sketch_count(const ocs_sketch *s);
uint64_t ocs_sketch_nan_count(const ocs_sketch *s);
/* The p-quantile (p in [0, 1]) by linear interpolation between order
 * statistics (rank p (n - 1), like R's type 7), each estimated by spreading
 * a bin's count evenly across it. p = 0 and 1 give the exact min and max.
 * NaN when empty or p is outside [0, 1]. */
double ocs_sketch_quantile(const ocs_sketch *s, double p);
/* Canonical bytes (little-endian, independent of the partition and merge
 * order that built the sketch): writes at most cap bytes and sets *len to
 * the size needed; buf may be NULL to ask for the size. OCS_ELIMIT when cap
 * is too small. */
int ocs_sketch_pack(const ocs_sketch *s, unsigned char *buf, size_t cap, size_t *len);
/* A new sketch from packed bytes; OCS_EFORMAT when they are not valid. */
int ocs_sketch_unpack(const unsigned char *buf, size_t len, ocs_sketch **out);

#ifdef __cplusplus
}
#endif

#endif /* OVERCAP_SAMPLING_H */
