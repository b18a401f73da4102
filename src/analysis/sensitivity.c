/*
 * sensitivity.c - Sobol indices on the Saltelli design, with bootstrap
 * intervals, and rank-correlation screening (see sensitivity.h for the
 * contract, docs/internals/sensitivity.md for the formulas).
 *
 * The estimate is one pass over the base samples per evaluation: the full
 * sample once, then each bootstrap resample (base samples drawn with
 * replacement, whole groups of k + 2 runs at a time, so A, B and AB_i stay
 * paired). Outputs are centred on their overall mean first, so the sums
 * do not cancel. Nothing is global; the bootstrap draws are ocs_uniform of
 * (ocs_substream(seed, OCA_STREAM_BOOTSTRAP), resample, draw), so the
 * result is a pure function of the outputs and the options.
 */
#include "sensitivity.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define OCA_NAN ((double)NAN)

#if defined(__GNUC__)
#define OCA_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define OCA_PRINTF(fmt, args)
#endif

/* The bootstrap's stream of the options' seed ("boot" in ASCII), out of
 * the way of a caller's small stream numbers. */
#define OCA_STREAM_BOOTSTRAP 0x626F6F74u
/* A bootstrap larger than this is a mistake, not a wish. */
#define OCA_MAX_BOOTSTRAP 100000u

const char *oca_code_name(int code)
{
    switch (code) {
    case OCA_OK:
        return "OCA_OK";
    case OCA_EARG:
        return "OCA_EARG";
    case OCA_EDATA:
        return "OCA_EDATA";
    case OCA_ENOMEM:
        return "OCA_ENOMEM";
    case OCA_ESINGULAR:
        return "OCA_ESINGULAR";
    case OCA_EIO:
        return "OCA_EIO";
    default:
        return "OCA_UNKNOWN";
    }
}

/* Writes a message into the caller's buffer (when there is one) and passes
 * the code through. */
static int oca_fail(char *errbuf, size_t errlen, int code, const char *fmt, ...) OCA_PRINTF(4, 5);

static int oca_fail(char *errbuf, size_t errlen, int code, const char *fmt, ...)
{
    va_list ap;

    if (errbuf && errlen > 0) {
        va_start(ap, fmt);
        (void)vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ========================================================================
 * The Saltelli design
 * ======================================================================== */

struct oca_design {
    size_t params;
    uint64_t base_samples;
    ocs_design *base; /* 2 x params dimensions, base_samples samples */
};

int oca_design_create(size_t params, uint64_t base_samples, ocs_method base, uint64_t seed,
                      oca_design **out, char *errbuf, size_t errlen)
{
    oca_design *d = NULL;
    int rc;

    if (!out)
        return oca_fail(errbuf, errlen, OCA_EARG, "no place for the design (NULL)");
    *out = NULL;
    if (params == 0)
        return oca_fail(errbuf, errlen, OCA_EARG, "sensitivity needs at least one parameter");
    if (base_samples == 0)
        return oca_fail(errbuf, errlen, OCA_EARG, "sensitivity needs at least one base sample");
    if (params > SIZE_MAX / 4 || base_samples > UINT64_MAX / ((uint64_t)params + 2))
        return oca_fail(errbuf, errlen, OCA_EARG, "%zu parameters x %llu samples: too many runs",
                        params, (unsigned long long)base_samples);
    if (base == OCS_SOBOL && params > OCA_SOBOL_MAX_PARAMS)
        return oca_fail(errbuf, errlen, OCA_EARG,
                        "a Sobol base supports at most %d parameters, not %zu (use random)",
                        OCA_SOBOL_MAX_PARAMS, params);
    d = calloc(1, sizeof(*d));
    if (!d)
        return oca_fail(errbuf, errlen, OCA_ENOMEM, "out of memory for the design");
    d->params = params;
    d->base_samples = base_samples;
    rc = ocs_design_create(base, 2 * params, base_samples, seed, 0, &d->base, errbuf, errlen);
    if (rc) {
        rc = rc == OCS_ENOMEM ? OCA_ENOMEM : OCA_EARG;
        goto fail;
    }
    *out = d;
    return OCA_OK;

fail:
    oca_design_free(d);
    return rc;
}

void oca_design_free(oca_design *design)
{
    if (!design)
        return;
    ocs_design_free(design->base);
    free(design);
}

size_t oca_design_params(const oca_design *design)
{
    return design ? design->params : 0;
}

uint64_t oca_design_base_samples(const oca_design *design)
{
    return design ? design->base_samples : 0;
}

uint64_t oca_design_runs(const oca_design *design)
{
    return design ? design->base_samples * ((uint64_t)design->params + 2) : 0;
}

int oca_saltelli_role(const oca_design *design, uint64_t row, uint64_t *base, int *role)
{
    uint64_t group, t;

    if (!design || !role || row >= oca_design_runs(design))
        return OCA_EARG;
    group = (uint64_t)design->params + 2;
    t = row % group;
    if (base)
        *base = row / group;
    *role = t == 0 ? OCA_ROW_A : t == 1 ? OCA_ROW_B : (int)(t - 2);
    return OCA_OK;
}

double oca_saltelli_point(const oca_design *design, uint64_t row, size_t dim)
{
    uint64_t group, j, t;
    size_t k;

    if (!design || dim >= design->params || row >= oca_design_runs(design))
        return OCA_NAN;
    k = design->params;
    group = (uint64_t)k + 2;
    j = row / group;
    t = row % group;
    /* A_j: coordinates 0..k-1; B_j: k..2k-1; AB_i,j: A_j but B_j at i. */
    if (t == 1 || (t >= 2 && t - 2 == (uint64_t)dim))
        return ocs_design_point(design->base, j, k + dim);
    return ocs_design_point(design->base, j, dim);
}

void oca_saltelli_row(const oca_design *design, uint64_t row, double *u)
{
    size_t d;

    if (!design || !u)
        return;
    for (d = 0; d < design->params; d++)
        u[d] = oca_saltelli_point(design, row, d);
}

/* ========================================================================
 * The estimate
 * ======================================================================== */

void oca_options_default(oca_options *o)
{
    if (!o)
        return;
    o->bootstrap = 500;
    o->confidence = 0.95;
    o->seed = 0;
    o->first_order = OCA_SALTELLI2010;
}

/* One evaluation of every index over base samples pick[0 .. n - 1] (or
 * 0 .. n - 1 when pick is NULL), from outputs y already centred.
 *
 *   m    = mean of f(A_j) and f(B_j)
 *   V    = mean of (f - m)^2 over the same 2n values
 *   S_i  = mean (f(B) - m)(f(AB_i) - f(A)) / V         Saltelli 2010 (b)
 *      or (V - mean (f(B) - f(AB_i))^2 / 2) / V         Jansen 1999
 *   S_Ti = mean (f(A) - f(AB_i))^2 / 2 / V              Jansen 1999
 *
 * sums[] is scratch of 3 k doubles. */
static void oca_evaluate(const double *y, size_t k, uint64_t n, const uint64_t *pick,
                         int first_order, double *sums, double *first, double *total,
                         double *mean_out, double *variance_out)
{
    uint64_t group = (uint64_t)k + 2, s;
    double sum = 0.0, sum_sq = 0.0, mean, variance, nn = (double)n;
    double *cross = sums, *diff = sums + k, *jansen = sums + 2 * k;
    size_t i;

    memset(sums, 0, 3 * k * sizeof(double));
    memset(total, 0, k * sizeof(double));
    for (s = 0; s < n; s++) {
        const double *g = y + (pick ? pick[s] : s) * group;
        double fa = g[0], fb = g[1];

        sum += fa + fb;
        sum_sq += fa * fa + fb * fb;
        for (i = 0; i < k; i++) {
            double fab = g[2 + i];

            cross[i] += fb * (fab - fa);
            diff[i] += fab - fa;
            jansen[i] += (fb - fab) * (fb - fab);
            total[i] += (fa - fab) * (fa - fab);
        }
    }
    mean = sum / (2.0 * nn);
    variance = sum_sq / (2.0 * nn) - mean * mean;
    *mean_out = mean;
    *variance_out = variance;
    for (i = 0; i < k; i++) {
        if (!(variance > 0.0)) {
            first[i] = OCA_NAN;
            total[i] = OCA_NAN;
            continue;
        }
        if (first_order == OCA_JANSEN)
            first[i] = (variance - jansen[i] / (2.0 * nn)) / variance;
        else
            first[i] = (cross[i] - mean * diff[i]) / nn / variance;
        total[i] = total[i] / (2.0 * nn) / variance;
    }
}

static int oca_double_compare(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;

    return (a > b) - (a < b);
}

/* The percentile interval of the finite values among v[0 .. n - 1]
 * (sorted in place), interpolating between order statistics; NaN when
 * fewer than half the resamples gave a value. */
static void oca_percentile_interval(double *v, size_t n, double confidence, double *lo, double *hi)
{
    size_t m = 0, i;
    double probs[2], *outs[2];
    int e;

    for (i = 0; i < n; i++)
        if (isfinite(v[i]))
            v[m++] = v[i];
    if (m == 0 || 2 * m < n) {
        *lo = OCA_NAN;
        *hi = OCA_NAN;
        return;
    }
    qsort(v, m, sizeof(double), oca_double_compare);
    probs[0] = 0.5 * (1.0 - confidence);
    probs[1] = 0.5 * (1.0 + confidence);
    outs[0] = lo;
    outs[1] = hi;
    for (e = 0; e < 2; e++) {
        double t = probs[e] * (double)(m - 1);
        size_t r = (size_t)t;
        double f = t - (double)r;

        *outs[e] = r + 1 < m ? v[r] + f * (v[r + 1] - v[r]) : v[m - 1];
    }
}

int oca_estimate(const oca_design *design, const double *outputs, const oca_options *opt,
                 oca_result **out, char *errbuf, size_t errlen)
{
    oca_options options;
    oca_result *r = NULL;
    double *y = NULL, *sums = NULL, *first = NULL, *total = NULL, *boot = NULL;
    uint64_t *pick = NULL;
    uint64_t runs, n, row, s, b;
    size_t k, i, nboot;
    double center = 0.0, mean, variance;
    uint64_t key;
    int rc = OCA_OK;

    if (!out)
        return oca_fail(errbuf, errlen, OCA_EARG, "no place for the result (NULL)");
    *out = NULL;
    if (!design || !outputs)
        return oca_fail(errbuf, errlen, OCA_EARG, "no design or no outputs (NULL)");
    if (opt)
        options = *opt;
    else
        oca_options_default(&options);
    if (!(options.confidence > 0.0 && options.confidence < 1.0))
        return oca_fail(errbuf, errlen, OCA_EARG, "confidence %.10g must be in (0, 1)",
                        options.confidence);
    if (options.bootstrap > OCA_MAX_BOOTSTRAP)
        return oca_fail(errbuf, errlen, OCA_EARG, "%u bootstrap resamples, at most %u",
                        options.bootstrap, OCA_MAX_BOOTSTRAP);
    if (options.first_order != OCA_SALTELLI2010 && options.first_order != OCA_JANSEN)
        return oca_fail(errbuf, errlen, OCA_EARG, "unknown first-order estimator %d",
                        options.first_order);
    k = design->params;
    n = design->base_samples;
    runs = oca_design_runs(design);
    if (runs > SIZE_MAX / sizeof(double))
        return oca_fail(errbuf, errlen, OCA_EARG, "too many runs to hold");
    for (row = 0; row < runs; row++)
        if (!isfinite(outputs[row]))
            return oca_fail(errbuf, errlen, OCA_EDATA,
                            "the output of run %llu is not a finite number",
                            (unsigned long long)row);

    r = calloc(1, sizeof(*r));
    y = malloc((size_t)runs * sizeof(double));
    sums = malloc(3 * k * sizeof(double));
    first = malloc(k * sizeof(double));
    total = malloc(k * sizeof(double));
    if (!r || !y || !sums || !first || !total) {
        rc = oca_fail(errbuf, errlen, OCA_ENOMEM, "out of memory for the estimate");
        goto fail;
    }
    r->index = calloc(k, sizeof(*r->index));
    if (!r->index) {
        rc = oca_fail(errbuf, errlen, OCA_ENOMEM, "out of memory for the estimate");
        goto fail;
    }
    r->params = k;
    r->base_samples = n;
    r->bootstrap = options.bootstrap;
    r->confidence = options.confidence;

    /* Centre on the mean of all runs: the sums below then hold deviations,
     * not the level, and do not cancel. */
    for (row = 0; row < runs; row++)
        center += outputs[row];
    center /= (double)runs;
    for (row = 0; row < runs; row++)
        y[row] = outputs[row] - center;

    oca_evaluate(y, k, n, NULL, options.first_order, sums, first, total, &mean, &variance);
    r->mean = mean + center;
    r->variance = variance > 0.0 ? variance : 0.0;
    for (i = 0; i < k; i++) {
        r->index[i].first = first[i];
        r->index[i].total = total[i];
        r->index[i].first_lo = OCA_NAN;
        r->index[i].first_hi = OCA_NAN;
        r->index[i].total_lo = OCA_NAN;
        r->index[i].total_hi = OCA_NAN;
    }

    nboot = options.bootstrap;
    if (nboot > 0 && variance > 0.0) {
        if (n > SIZE_MAX / sizeof(uint64_t) || k > SIZE_MAX / sizeof(double) / 2 / nboot) {
            rc = oca_fail(errbuf, errlen, OCA_EARG, "too large a bootstrap to hold");
            goto fail;
        }
        pick = malloc((size_t)n * sizeof(uint64_t));
        boot = malloc(2 * k * nboot * sizeof(double));
        if (!pick || !boot) {
            rc = oca_fail(errbuf, errlen, OCA_ENOMEM, "out of memory for the bootstrap");
            goto fail;
        }
        key = ocs_substream(options.seed, OCA_STREAM_BOOTSTRAP);
        for (b = 0; b < nboot; b++) {
            for (s = 0; s < n; s++) {
                uint64_t j = (uint64_t)(ocs_uniform(key, b, s) * (double)n);

                pick[s] = j < n ? j : n - 1;
            }
            oca_evaluate(y, k, n, pick, options.first_order, sums, first, total, &mean, &variance);
            for (i = 0; i < k; i++) {
                boot[(2 * i) * nboot + b] = first[i];
                boot[(2 * i + 1) * nboot + b] = total[i];
            }
        }
        for (i = 0; i < k; i++) {
            oca_percentile_interval(boot + (2 * i) * nboot, nboot, options.confidence,
                                    &r->index[i].first_lo, &r->index[i].first_hi);
            oca_percentile_interval(boot + (2 * i + 1) * nboot, nboot, options.confidence,
                                    &r->index[i].total_lo, &r->index[i].total_hi);
        }
    }

    *out = r;
    r = NULL;

fail:
    oca_result_free(r);
    free(y);
    free(sums);
    free(first);
    free(total);
    free(boot);
    free(pick);
    return rc;
}

void oca_result_free(oca_result *result)
{
    if (!result)
        return;
    free(result->index);
    free(result);
}

/* ========================================================================
 * Screening by rank correlation
 * ======================================================================== */

typedef struct oca_ranked {
    double value;
    size_t row;
} oca_ranked;

static int oca_ranked_compare(const void *pa, const void *pb)
{
    const oca_ranked *a = pa, *b = pb;

    if (a->value < b->value)
        return -1;
    if (a->value > b->value)
        return 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* Average ranks (1-based) of v[i * stride], centred on their mean
 * (n + 1) / 2, into out[i * out_stride]. Returns 0 when every value is the
 * same (the ranks carry nothing). */
static int oca_ranks(const double *v, size_t stride, size_t n, oca_ranked *pairs, double *out,
                     size_t out_stride)
{
    size_t i, start;

    for (i = 0; i < n; i++) {
        pairs[i].value = v[i * stride];
        pairs[i].row = i;
    }
    qsort(pairs, n, sizeof(*pairs), oca_ranked_compare);
    if (pairs[0].value == pairs[n - 1].value)
        return 0;
    for (start = 0; start < n;) {
        size_t end = start + 1;
        double rank;

        while (end < n && pairs[end].value == pairs[start].value)
            end++;
        /* ties share the mean of the ranks start + 1 .. end */
        rank = 0.5 * (double)(start + 1 + end) - 0.5 * (double)(n + 1);
        for (i = start; i < end; i++)
            out[pairs[i].row * out_stride] = rank;
        start = end;
    }
    return 1;
}

/* Two-sided p-value of a correlation r with df degrees of freedom:
 * t = r sqrt(df / (1 - r^2)), P(|T| > |t|) = I_(df / (df + t^2))(df / 2, 1 / 2). */
static double oca_correlation_p(double r, double df)
{
    double t2;

    if (!(fabs(r) < 1.0))
        return 0.0;
    t2 = r * r * df / (1.0 - r * r);
    return ocs_beta_inc(df / (df + t2), 0.5 * df, 0.5);
}

int oca_screen_create(const double *inputs, const double *output, size_t n, size_t k,
                      oca_screen **out, char *errbuf, size_t errlen)
{
    oca_screen *sc = NULL;
    oca_ranked *pairs = NULL;
    double *ranks = NULL, *corr = NULL, *inv = NULL;
    size_t m = k + 1, i, j, a, b, t;
    int rc = OCA_OK;

    if (!out)
        return oca_fail(errbuf, errlen, OCA_EARG, "no place for the screening (NULL)");
    *out = NULL;
    if (!inputs || !output || k == 0)
        return oca_fail(errbuf, errlen, OCA_EARG, "no inputs or no output");
    if (n < k + 3)
        return oca_fail(errbuf, errlen, OCA_EARG,
                        "screening %zu parameters needs at least %zu samples, not %zu", k, k + 3,
                        n);
    if (k > 4096 || n > SIZE_MAX / sizeof(double) / m)
        return oca_fail(errbuf, errlen, OCA_EARG, "too large a screening to hold");
    for (i = 0; i < n; i++) {
        if (!isfinite(output[i]))
            return oca_fail(errbuf, errlen, OCA_EDATA, "output %zu is not a finite number", i);
        for (j = 0; j < k; j++)
            if (!isfinite(inputs[i * k + j]))
                return oca_fail(errbuf, errlen, OCA_EDATA,
                                "input %zu of sample %zu is not a finite number", j, i);
    }

    sc = calloc(1, sizeof(*sc));
    pairs = malloc(n * sizeof(*pairs));
    ranks = malloc(n * m * sizeof(double));
    corr = malloc(m * m * sizeof(double));
    inv = malloc(m * m * sizeof(double));
    if (!sc || !pairs || !ranks || !corr || !inv) {
        rc = oca_fail(errbuf, errlen, OCA_ENOMEM, "out of memory for the screening");
        goto fail;
    }
    sc->row = calloc(k, sizeof(*sc->row));
    if (!sc->row) {
        rc = oca_fail(errbuf, errlen, OCA_ENOMEM, "out of memory for the screening");
        goto fail;
    }
    sc->params = k;
    sc->samples = n;

    /* Column j < k: input j; column k: the output. */
    for (j = 0; j < k; j++) {
        if (!oca_ranks(inputs + j, k, n, pairs, ranks + j, m)) {
            rc = oca_fail(errbuf, errlen, OCA_EDATA, "input %zu does not vary", j);
            goto fail;
        }
    }
    if (!oca_ranks(output, 1, n, pairs, ranks + k, m)) {
        rc = oca_fail(errbuf, errlen, OCA_EDATA, "the output does not vary");
        goto fail;
    }

    /* The correlation matrix of the (centred) ranks. */
    for (a = 0; a < m; a++) {
        for (b = 0; b <= a; b++) {
            double s = 0.0;

            for (i = 0; i < n; i++)
                s += ranks[i * m + a] * ranks[i * m + b];
            corr[a * m + b] = s;
            corr[b * m + a] = s;
        }
    }
    for (a = 0; a < m; a++)
        for (b = 0; b < m; b++)
            if (a != b)
                corr[a * m + b] /= sqrt(corr[a * m + a] * corr[b * m + b]);
    for (a = 0; a < m; a++)
        corr[a * m + a] = 1.0;
    for (j = 0; j < k; j++) {
        sc->row[j].spearman = corr[j * m + k];
        sc->row[j].spearman_p = oca_correlation_p(sc->row[j].spearman, (double)(n - 2));
    }

    /* PRCC_j = -P_jy / sqrt(P_jj P_yy) with P the inverse of the rank
     * correlation matrix: the correlation of input j and the output once
     * both are regressed on the other inputs. Inverse by Cholesky. */
    memcpy(inv, corr, m * m * sizeof(double));
    for (j = 0; j < m; j++) {
        double pivot = inv[j * m + j];

        for (t = 0; t < j; t++)
            pivot -= inv[j * m + t] * inv[j * m + t];
        if (!(pivot > 1e-12)) {
            rc = oca_fail(errbuf, errlen, OCA_ESINGULAR,
                          "the ranks of the inputs are collinear (input %zu and the ones before "
                          "it): partial rank correlations are undefined",
                          j < k ? j : k - 1);
            goto fail;
        }
        inv[j * m + j] = sqrt(pivot);
        for (i = j + 1; i < m; i++) {
            double s = inv[i * m + j];

            for (t = 0; t < j; t++)
                s -= inv[i * m + t] * inv[j * m + t];
            inv[i * m + j] = s / inv[j * m + j];
        }
    }
    /* L^-1 into corr (lower), then P = L^-T L^-1 for the needed entries. */
    for (b = 0; b < m; b++) {
        for (a = 0; a < m; a++) {
            double s = a == b ? 1.0 : 0.0;

            if (a < b) {
                corr[a * m + b] = 0.0;
                continue;
            }
            for (t = b; t < a; t++)
                s -= inv[a * m + t] * corr[t * m + b];
            corr[a * m + b] = s / inv[a * m + a];
        }
    }
    for (j = 0; j < k; j++) {
        double pjj = 0.0, pjy = 0.0, pyy = 0.0;

        for (t = 0; t < m; t++) {
            pjj += corr[t * m + j] * corr[t * m + j];
            pjy += corr[t * m + j] * corr[t * m + k];
            pyy += corr[t * m + k] * corr[t * m + k];
        }
        sc->row[j].prcc = -pjy / sqrt(pjj * pyy);
        sc->row[j].prcc_p = oca_correlation_p(sc->row[j].prcc, (double)(n - k - 1));
    }

    *out = sc;
    sc = NULL;

fail:
    oca_screen_free(sc);
    free(pairs);
    free(ranks);
    free(corr);
    free(inv);
    return rc;
}

void oca_screen_free(oca_screen *screen)
{
    if (!screen)
        return;
    free(screen->row);
    free(screen);
}

/* ========================================================================
 * Ranking and tables
 * ======================================================================== */

int oca_rank(const double *score, size_t k, int by_magnitude, size_t *order)
{
    size_t i, j;

    if (!score || !order)
        return OCA_EARG;
    /* Insertion sort: k is a handful of parameters, and it is stable, so
     * ties keep index order. */
    for (i = 0; i < k; i++) {
        double v = by_magnitude ? fabs(score[i]) : score[i];

        for (j = i; j > 0; j--) {
            double w = by_magnitude ? fabs(score[order[j - 1]]) : score[order[j - 1]];
            int after = isnan(w) ? !isnan(v) : (!isnan(v) && v > w);

            if (!after)
                break;
            order[j] = order[j - 1];
        }
        order[j] = i;
    }
    return OCA_OK;
}

/* The name of parameter i, or its number when there are no names. */
static const char *oca_name(const char *const *names, size_t i, char *buf, size_t size)
{
    if (names && names[i])
        return names[i];
    (void)snprintf(buf, size, "parameter %zu", i + 1);
    return buf;
}

int oca_print_table(FILE *fp, const oca_result *result, const char *const *names)
{
    size_t *order = NULL, i, k;
    double *score = NULL;
    char buf[32];
    int rc = OCA_OK;

    if (!fp || !result)
        return OCA_EARG;
    k = result->params;
    order = malloc((k ? k : 1) * sizeof(*order));
    score = malloc((k ? k : 1) * sizeof(*score));
    if (!order || !score) {
        rc = OCA_ENOMEM;
        goto done;
    }
    for (i = 0; i < k; i++)
        score[i] = result->index[i].total;
    rc = oca_rank(score, k, 0, order);
    if (rc)
        goto done;
    if (fprintf(fp, "%4s  %-32s %7s %17s  %7s %17s\n", "rank", "parameter", "S_T", "interval",
                "S_1", "interval") < 0) {
        rc = OCA_EIO;
        goto done;
    }
    for (i = 0; i < k; i++) {
        const oca_index *x = &result->index[order[i]];

        if (fprintf(fp, "%4zu  %-32s %7.3f [%6.3f, %6.3f]  %7.3f [%6.3f, %6.3f]\n", i + 1,
                    oca_name(names, order[i], buf, sizeof(buf)), x->total, x->total_lo, x->total_hi,
                    x->first, x->first_lo, x->first_hi) < 0) {
            rc = OCA_EIO;
            goto done;
        }
    }

done:
    free(order);
    free(score);
    return rc;
}

int oca_print_screen(FILE *fp, const oca_screen *screen, const char *const *names)
{
    size_t *order = NULL, i, k;
    double *score = NULL;
    char buf[32];
    int rc = OCA_OK;

    if (!fp || !screen)
        return OCA_EARG;
    k = screen->params;
    order = malloc((k ? k : 1) * sizeof(*order));
    score = malloc((k ? k : 1) * sizeof(*score));
    if (!order || !score) {
        rc = OCA_ENOMEM;
        goto done;
    }
    for (i = 0; i < k; i++)
        score[i] = screen->row[i].prcc;
    rc = oca_rank(score, k, 1, order);
    if (rc)
        goto done;
    if (fprintf(fp, "%4s  %-32s %7s %9s  %8s %9s\n", "rank", "parameter", "PRCC", "p", "Spearman",
                "p") < 0) {
        rc = OCA_EIO;
        goto done;
    }
    for (i = 0; i < k; i++) {
        const oca_screen_row *x = &screen->row[order[i]];

        if (fprintf(fp, "%4zu  %-32s %7.3f %9.2g  %8.3f %9.2g\n", i + 1,
                    oca_name(names, order[i], buf, sizeof(buf)), x->prcc, x->prcc_p, x->spearman,
                    x->spearman_p) < 0) {
            rc = OCA_EIO;
            goto done;
        }
    }

done:
    free(order);
    free(score);
    return rc;
}
