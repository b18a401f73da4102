/*
 * test_sampling.c - tests of the sampling core (sampling.c): random
 * numbers, special functions, distributions, designs, Iman-Conover,
 * reductions.
 *
 * Each check compares against an answer known independently: closed forms,
 * published values (the first Sobol points), exact order statistics, or a
 * statistical bound (5 standard errors) that a wrong formula would miss.
 * Random inputs come from ocs_uniform with fixed seeds, so every run is
 * the same run. The program prints "N passed, N failed" last and exits
 * non-zero on any failure.
 */
#include "sampling.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sobol_directions.h"

#define PI 3.14159265358979323846
/* NAN is a float constant; the cast keeps -Wdouble-promotion quiet. */
#define TEST_NAN ((double)NAN)

#include "test_tally.h"

static int compare_doubles(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;

    return (a > b) - (a < b);
}

/* Exact type-7 quantile of sorted v[0 .. n - 1]. */
static double exact_quantile(const double *v, size_t n, double p)
{
    double t = p * (double)(n - 1);
    size_t r = (size_t)t;
    double f = t - (double)r;

    return r + 1 < n ? v[r] + f * (v[r + 1] - v[r]) : v[n - 1];
}

/* Spearman correlation of two columns (no ties among continuous values). */
typedef struct ranked {
    double v;
    size_t i;
} ranked;

static int compare_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;

    return (a->v > b->v) - (a->v < b->v);
}

static double spearman(const double *x, size_t xs, const double *y, size_t ys, size_t n)
{
    ranked *r = malloc(n * sizeof(*r));
    double *rx = malloc(n * sizeof(double)), *ry = malloc(n * sizeof(double));
    double sxy = 0.0, sxx = 0.0, syy = 0.0, mean = 0.5 * (double)(n - 1), result = TEST_NAN;
    size_t i;

    if (!r || !rx || !ry)
        goto done;
    for (i = 0; i < n; i++) {
        r[i].v = x[i * xs];
        r[i].i = i;
    }
    qsort(r, n, sizeof(*r), compare_ranked);
    for (i = 0; i < n; i++)
        rx[r[i].i] = (double)i - mean;
    for (i = 0; i < n; i++) {
        r[i].v = y[i * ys];
        r[i].i = i;
    }
    qsort(r, n, sizeof(*r), compare_ranked);
    for (i = 0; i < n; i++)
        ry[r[i].i] = (double)i - mean;
    for (i = 0; i < n; i++) {
        sxy += rx[i] * ry[i];
        sxx += rx[i] * rx[i];
        syy += ry[i] * ry[i];
    }
    result = sxy / sqrt(sxx * syy);
done:
    free(r);
    free(rx);
    free(ry);
    return result;
}

/* ------------------------------------------------------------------------ */

static void test_uniform(tally *t)
{
    double sum = 0.0, sum_sq = 0.0, lo = 1.0, hi = 0.0;
    size_t i, n = 1000000;

    CHECK(t, ocs_uniform(1, 2, 3) == ocs_uniform(1, 2, 3));
    CHECK(t, ocs_uniform(1, 2, 3) != ocs_uniform(1, 2, 4));
    CHECK(t, ocs_uniform(1, 2, 3) != ocs_uniform(1, 3, 3));
    CHECK(t, ocs_uniform(1, 2, 3) != ocs_uniform(2, 2, 3));
    CHECK(t, ocs_hash(7, 0, 0) != ocs_hash(7, 0, 1));
    CHECK(t, ocs_substream(7, 1) != ocs_substream(7, 2));
    CHECK(t, ocs_substream(7, 1) != ocs_substream(8, 1));
    for (i = 0; i < n; i++) {
        double u = ocs_uniform(42, i, 0);

        sum += u;
        sum_sq += u * u;
        if (u < lo)
            lo = u;
        if (u > hi)
            hi = u;
    }
    CHECK(t, lo > 0.0 && hi < 1.0);
    /* mean 1/2 (sd of the mean 0.000289), variance 1/12 */
    CHECK_NEAR(t, sum / (double)n, 0.5, 5 * 0.000289);
    CHECK_NEAR(t, sum_sq / (double)n - 0.25, 1.0 / 12.0, 0.0005);
}

static void test_special(tally *t)
{
    static const double shapes[][2] = {{0.5, 0.5}, {2, 3},       {0.1, 5}, {5, 0.1},
                                       {50, 200},  {1000, 1000}, {1, 1}};
    static const double probs[] = {1e-12, 1e-6, 0.01, 0.3, 0.5, 0.9, 0.999999};
    double x;
    size_t i, j;
    int ok;

    CHECK_NEAR(t, ocs_normal_quantile(0.975), 1.959963984540054, 1e-14);
    CHECK_NEAR(t, ocs_normal_quantile(0.5), 0.0, 1e-16);
    CHECK_NEAR(t, ocs_normal_quantile(1e-10), -6.361340902404056, 1e-12);
    CHECK_NEAR(t, ocs_normal_quantile(1.0 - 1e-10), 6.361340902404056, 1e-5);
    CHECK(t, isinf(ocs_normal_quantile(0.0)) && ocs_normal_quantile(0.0) < 0);
    CHECK(t, isnan(ocs_normal_quantile(1.5)));
    /* Phi^-1(Phi(x)) = x: to 1e-12 relative in the lower half; above it
     * Phi(x) near 1 carries only 1e-16 absolute, worth 1e-16 / phi(x) in x */
    ok = 1;
    for (x = -37.0; x <= 7.0; x += 0.125) {
        double back = ocs_normal_quantile(ocs_normal_cdf(x));
        double tol = 1e-12 * (1.0 + fabs(x));

        if (x > 0.0)
            tol += 4e-16 / (exp(-0.5 * x * x) / sqrt(2 * PI));
        if (fabs(back - x) > tol) {
            fprintf(stderr, "normal quantile: x %g -> %.17g\n", x, back);
            ok = 0;
        }
    }
    CHECK(t, ok);

    CHECK_NEAR(t, ocs_log_gamma(0.5), 0.5723649429247001, 1e-15);
    /* near its zeros (1 and 2) the error is absolute, a few 1e-15 */
    CHECK_NEAR(t, ocs_log_gamma(1.0), 0.0, 1e-14);
    CHECK_NEAR(t, ocs_log_gamma(2.0), 0.0, 1e-14);
    CHECK_NEAR(t, ocs_log_gamma(10.0), 12.801827480081469, 1e-13);
    CHECK_NEAR(t, ocs_log_gamma(100.0), 359.13420536957540, 1e-12);
    CHECK_NEAR(t, ocs_log_gamma(1e-3), 6.907178885383854, 1e-13);
    CHECK(t, isnan(ocs_log_gamma(-1.0)));

    /* I_0.5(2, 3) = (6 + 4 + 1) / 16; I_x(1, 1) = x; I_x(a, 1) = x^a */
    CHECK_NEAR(t, ocs_beta_inc(0.5, 2, 3), 0.6875, 1e-15);
    CHECK_NEAR(t, ocs_beta_inc(0.3, 1, 1), 0.3, 1e-15);
    CHECK_NEAR(t, ocs_beta_inc(0.3, 2.5, 1), pow(0.3, 2.5), 1e-15);
    ok = 1;
    for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        for (j = 0; j < sizeof(probs) / sizeof(probs[0]); j++) {
            double p = probs[j], a = shapes[i][0], b = shapes[i][1];
            double xi = ocs_beta_inc_inv(p, a, b);
            double back = ocs_beta_inc(xi, a, b);
            double tol = 1e-13 + 1e-10 * (p < 0.5 ? p : 1.0 - p);
            /* where I_x is steeper than 1 / ulp (b = 0.1 near x = 1) the
             * best answer is the double whose neighbours bracket p */
            int bracketed = ocs_beta_inc(nextafter(xi, 0.0), a, b) <= p &&
                            p <= ocs_beta_inc(nextafter(xi, 1.0), a, b);

            if (!(fabs(back - p) <= tol) && !bracketed) {
                fprintf(stderr, "beta inverse: a %g b %g p %g: x %.17g gives %.17g\n", a, b, p, xi,
                        back);
                ok = 0;
            }
        }
    }
    CHECK(t, ok);

    /* Poisson quantiles against summing the probabilities from 0 */
    ok = 1;
    {
        static const double means[] = {0.5, 3.0, 50.0, 1000.0};
        static const double us[] = {1e-6, 0.05, 0.3, 0.5, 0.77, 0.999, 1.0 - 1e-9};

        for (i = 0; i < 4; i++) {
            for (j = 0; j < 7; j++) {
                double m = means[i], u = us[j], cdf = 0.0, k = -1.0;

                while (cdf < u) {
                    k += 1.0;
                    cdf += exp(k * log(m) - m - lgamma(k + 1.0));
                }
                if (ocs_poisson_quantile(m, u) != k) {
                    fprintf(stderr, "poisson: mean %g u %g: got %g want %g\n", m, u,
                            ocs_poisson_quantile(m, u), k);
                    ok = 0;
                }
            }
        }
    }
    CHECK(t, ok);
    CHECK(t, ocs_poisson_quantile(0.0, 0.5) == 0.0);
    CHECK(t, isnan(ocs_poisson_quantile(-1.0, 0.5)));
}

/* ------------------------------------------------------------------------ */

typedef struct family {
    const char *label;
    ocs_dist d;
    double mean, variance; /* known independently, in closed form */
} family;

static int make_families(family *f)
{
    static const double values[3] = {10.0, 1.0, 2.0};
    static const double weights[3] = {1.0, 1.0, 2.0};
    double s15 = log(1.5);
    int n = 0;

    f[n].label = "uniform(2, 5)";
    ocs_dist_uniform(&f[n].d, 2, 5);
    f[n].mean = 3.5;
    f[n++].variance = 0.75;
    f[n].label = "loguniform(1, 100)";
    ocs_dist_loguniform(&f[n].d, 1, 100);
    f[n].mean = 99.0 / log(100.0);
    f[n++].variance = (10000.0 - 1.0) / (2 * log(100.0)) - pow(99.0 / log(100.0), 2);
    f[n].label = "normal(3, 2)";
    ocs_dist_normal(&f[n].d, 3, 2);
    f[n].mean = 3;
    f[n++].variance = 4;
    f[n].label = "lognormal(median 2, gsd 1.5)";
    ocs_dist_lognormal(&f[n].d, 2, 1.5);
    f[n].mean = 2 * exp(0.5 * s15 * s15);
    f[n++].variance = 4 * exp(s15 * s15) * (exp(s15 * s15) - 1);
    f[n].label = "lognormal(mean 10, sd 4)";
    ocs_dist_lognormal_moments(&f[n].d, 10, 4);
    f[n].mean = 10;
    f[n++].variance = 16;
    f[n].label = "triangular(0, 2, 10)";
    ocs_dist_triangular(&f[n].d, 0, 2, 10);
    f[n].mean = 4;
    f[n++].variance = 84.0 / 18.0;
    f[n].label = "beta(2, 5) on [0, 1]";
    ocs_dist_beta(&f[n].d, 2, 5, 0, 1);
    f[n].mean = 2.0 / 7.0;
    f[n++].variance = 10.0 / (49.0 * 8.0);
    f[n].label = "beta(0.5, 0.5) on [0, 2]";
    ocs_dist_beta(&f[n].d, 0.5, 0.5, 0, 2);
    f[n].mean = 1;
    f[n++].variance = 4 * 0.25 / 2.0;
    f[n].label = "pert(0, 3, 10)";
    ocs_dist_pert(&f[n].d, 0, 3, 10, OCS_PERT_LAMBDA);
    f[n].mean = (0 + 4 * 3 + 10) / 6.0;
    /* alpha = 2.2, beta = 3.8 on [0, 10] */
    f[n++].variance = 100 * 2.2 * 3.8 / (36.0 * 7.0);
    f[n].label = "discrete(10, 1, 2 with weights 1, 1, 2)";
    ocs_dist_discrete(&f[n].d, values, weights, 3);
    f[n].mean = (10 + 1 + 4) / 4.0;
    f[n++].variance = (100 + 1 + 8) / 4.0 - pow(15 / 4.0, 2);
    f[n].label = "pareto(1, 5)";
    ocs_dist_pareto(&f[n].d, 1, 5);
    f[n].mean = 1.25;
    f[n++].variance = 5.0 / (16.0 * 3.0);
    f[n].label = "exponential(0.5)";
    ocs_dist_exponential(&f[n].d, 0.5);
    f[n].mean = 2;
    f[n++].variance = 4;
    return n;
}

static void test_distributions(tally *t)
{
    static const double us[] = {1e-9, 0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999, 1 - 1e-9};
    family f[16];
    char msg[200];
    int nf = make_families(f), i;
    size_t j, n = 200000;

    for (i = 0; i < nf; i++) {
        double sum = 0.0, mean, m2 = 0.0, m4 = 0.0, var, se_mean, se_var;
        double *x = malloc(n * sizeof(double));
        int rc = ocs_dist_check(&f[i].d, msg, sizeof(msg));
        int roundtrip = 1;

        CHECK(t, rc == OCS_OK);
        if (rc || !x) {
            fprintf(stderr, "%s: %s\n", f[i].label, msg);
            free(x);
            continue;
        }
        /* closed-form moments of the module against independent ones */
        CHECK_NEAR(t, ocs_dist_mean(&f[i].d), f[i].mean, 1e-12 * (1 + fabs(f[i].mean)));
        CHECK_NEAR(t, ocs_dist_variance(&f[i].d), f[i].variance, 1e-12 * (1 + f[i].variance));

        /* quantile and CDF invert each other (continuous families) */
        if (f[i].d.kind != OCS_DISCRETE) {
            for (j = 0; j < sizeof(us) / sizeof(us[0]); j++) {
                double q = ocs_dist_quantile(&f[i].d, us[j]);
                double back = ocs_dist_cdf(&f[i].d, q);
                double again = ocs_dist_quantile(&f[i].d, back);
                /* At a bounded end with infinite density (beta(0.5, 0.5) at
                 * u = 1e-9 is 5e-18 from -1) x is the nearest double: F
                 * brackets u between x's neighbours. */
                int bracketed = ocs_dist_cdf(&f[i].d, nextafter(q, -HUGE_VAL)) <= us[j] &&
                                us[j] <= ocs_dist_cdf(&f[i].d, nextafter(q, HUGE_VAL));

                /* through the CDF an upper tail keeps only the absolute
                 * precision of F, hence the looser second tolerance */
                if (bracketed && !(fabs(back - us[j]) <= 1e-10))
                    continue;
                if (!(fabs(back - us[j]) <= 1e-10) || !(fabs(again - q) <= 1e-7 * (1 + fabs(q)))) {
                    fprintf(stderr, "%s: u %g -> x %.17g -> F %.17g -> x %.17g\n", f[i].label,
                            us[j], q, back, again);
                    roundtrip = 0;
                }
            }
            CHECK(t, roundtrip);
        }

        /* 200k draws: mean and variance within 5 standard errors */
        for (j = 0; j < n; j++) {
            x[j] = ocs_dist_quantile(&f[i].d, ocs_uniform(2024, j, (uint64_t)i));
            sum += x[j];
        }
        mean = sum / (double)n;
        for (j = 0; j < n; j++) {
            double dev = x[j] - mean;

            m2 += dev * dev;
            m4 += dev * dev * dev * dev;
        }
        var = m2 / (double)(n - 1);
        m4 /= (double)n;
        se_mean = sqrt(f[i].variance / (double)n);
        se_var = sqrt((m4 - var * var) / (double)n);
        if (fabs(mean - f[i].mean) > 5 * se_mean || fabs(var - f[i].variance) > 5 * se_var)
            fprintf(stderr,
                    "%s: sample mean %.6g (want %.6g, se %.3g), var %.6g (want %.6g, se %.3g)\n",
                    f[i].label, mean, f[i].mean, se_mean, var, f[i].variance, se_var);
        CHECK(t, fabs(mean - f[i].mean) <= 5 * se_mean);
        CHECK(t, fabs(var - f[i].variance) <= 5 * se_var);
        free(x);
    }

    /* the discrete quantile is monotone over sorted values and hits the
     * weights: P(1) = 1/4, P(2) = 1/2, P(10) = 1/4 */
    CHECK(t, ocs_dist_quantile(&f[9].d, 0.2) == 1.0);
    CHECK(t, ocs_dist_quantile(&f[9].d, 0.26) == 2.0);
    CHECK(t, ocs_dist_quantile(&f[9].d, 0.74) == 2.0);
    CHECK(t, ocs_dist_quantile(&f[9].d, 0.76) == 10.0);
    CHECK_NEAR(t, ocs_dist_cdf(&f[9].d, 5.0), 0.75, 1e-15);

    /* upper tails keep their precision: the normal at u = 1 - 1e-12 */
    CHECK_NEAR(t, ocs_dist_quantile(&f[2].d, 1.0 - 1e-12), 3.0 + 2.0 * 7.034483825230247, 1e-5);
    CHECK(t, isnan(ocs_dist_quantile(&f[2].d, 1.5)));
}

/* Mean of a truncated normal: mu + sigma (phi(a) - phi(b)) / (Phi(b) - Phi(a)). */
static double truncated_normal_mean(double mu, double sigma, double lo, double hi)
{
    double a = (lo - mu) / sigma, b = (hi - mu) / sigma;
    double pa = exp(-0.5 * a * a) / sqrt(2 * PI), pb = exp(-0.5 * b * b) / sqrt(2 * PI);
    /* the mass from the side where it is accurate */
    double mass = a > 0 ? 0.5 * erfc(a / sqrt(2)) - 0.5 * erfc(b / sqrt(2))
                        : 0.5 * erfc(-b / sqrt(2)) - 0.5 * erfc(-a / sqrt(2));

    return mu + sigma * (pa - pb) / mass;
}

static void test_truncation(tally *t)
{
    ocs_dist d;
    char msg[200];
    size_t j, n = 200000;
    double sum, lo, hi, want, alpha = 1.5, cap = 100.0;
    int inside;

    /* normal(0, 1) on [-1, 2] */
    ocs_dist_normal(&d, 0, 1);
    ocs_dist_truncate(&d, -1, 2);
    CHECK(t, ocs_dist_check(&d, msg, sizeof(msg)) == OCS_OK);
    sum = 0.0;
    lo = HUGE_VAL;
    hi = -HUGE_VAL;
    for (j = 0; j < n; j++) {
        double x = ocs_dist_quantile(&d, ocs_uniform(5, j, 0));

        sum += x;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    CHECK(t, lo >= -1.0 && hi <= 2.0);
    CHECK(t, lo < -0.99 && hi > 1.99);
    want = truncated_normal_mean(0, 1, -1, 2);
    /* the truncated sd is below 1: 5 se < 5 / sqrt(n) */
    CHECK_NEAR(t, sum / (double)n, want, 5.0 / sqrt((double)n));
    CHECK(t, isnan(ocs_dist_mean(&d)));
    CHECK(t, ocs_dist_cdf(&d, -1.5) == 0.0 && ocs_dist_cdf(&d, 2.5) == 1.0);
    CHECK_NEAR(t, ocs_dist_cdf(&d, ocs_dist_quantile(&d, 0.3)), 0.3, 1e-12);

    /* far in the upper tail: normal(0, 1) on [8, 9] (mass 6e-16) */
    ocs_dist_normal(&d, 0, 1);
    ocs_dist_truncate(&d, 8, 9);
    CHECK(t, ocs_dist_check(&d, msg, sizeof(msg)) == OCS_OK);
    sum = 0.0;
    inside = 1;
    for (j = 0; j < n; j++) {
        double x = ocs_dist_quantile(&d, ocs_uniform(6, j, 0));

        if (!(x >= 8.0 && x <= 9.0))
            inside = 0;
        sum += x;
    }
    CHECK(t, inside);
    CHECK_NEAR(t, sum / (double)n, truncated_normal_mean(0, 1, 8, 9), 5.0 * 0.12 / sqrt((double)n));

    /* a heavy tail cut: pareto(1, 1.5) on [1, 100] */
    ocs_dist_pareto(&d, 1, alpha);
    ocs_dist_truncate(&d, -HUGE_VAL, cap);
    CHECK(t, ocs_dist_check(&d, msg, sizeof(msg)) == OCS_OK);
    sum = 0.0;
    inside = 1;
    for (j = 0; j < n; j++) {
        double x = ocs_dist_quantile(&d, ocs_uniform(7, j, 0));

        if (!(x >= 1.0 && x <= cap))
            inside = 0;
        sum += x;
    }
    CHECK(t, inside);
    /* E = alpha / (1 - cap^-alpha) (cap^(1 - alpha) - 1) / (1 - alpha); sd < 8 */
    want = alpha / (1 - pow(cap, -alpha)) * (pow(cap, 1 - alpha) - 1) / (1 - alpha);
    CHECK_NEAR(t, sum / (double)n, want, 5.0 * 8.0 / sqrt((double)n));
}

static void expect_bad(tally *t, ocs_dist *d, const char *part, const char *file, int line)
{
    char msg[200] = "";
    int rc = ocs_dist_check(d, msg, sizeof(msg));

    check(t, rc == OCS_EDIST, "the check rejects the distribution", file, line);
    check_contains(t, msg, part, file, line);
    check(t, isnan(ocs_dist_quantile(d, 0.5)), "a rejected distribution gives NaN", file, line);
}

#define EXPECT_BAD(t, d, part) expect_bad((t), (d), (part), __FILE__, __LINE__)

static void test_bad_distributions(tally *t)
{
    static const double values[2] = {1, 2};
    static const double negative[2] = {1, -1};
    static const double zero[2] = {0, 0};
    double many[OCS_DIST_MAX_CHOICES + 1];
    ocs_dist d;
    size_t i;

    ocs_dist_triangular(&d, 0, 5, 1);
    EXPECT_BAD(t, &d, "triangular: mode 5 is outside [0, 1]");
    ocs_dist_beta(&d, -1, 2, 0, 1);
    EXPECT_BAD(t, &d, "beta: alpha must be positive, not -1");
    ocs_dist_beta(&d, 1, 0, 0, 1);
    EXPECT_BAD(t, &d, "beta: beta must be positive, not 0");
    ocs_dist_beta(&d, 1e7, 1, 0, 1);
    EXPECT_BAD(t, &d, "beta: alpha and beta must be between 0.0001 and 1e+06, not 10000000 and 1");
    ocs_dist_uniform(&d, -1e308, 1e308);
    EXPECT_BAD(t, &d, "uniform: the range from min to max must be a finite number");
    ocs_dist_loguniform(&d, 0, 10);
    EXPECT_BAD(t, &d, "loguniform: min must be positive");
    ocs_dist_loguniform(&d, 10, 1);
    EXPECT_BAD(t, &d, "loguniform: min 10 must be less than max 1");
    ocs_dist_uniform(&d, 3, 3);
    EXPECT_BAD(t, &d, "uniform: min 3 must be less than max 3");
    ocs_dist_normal(&d, 0, -2);
    EXPECT_BAD(t, &d, "normal: sd must be positive, not -2");
    ocs_dist_normal(&d, TEST_NAN, 1);
    EXPECT_BAD(t, &d, "normal: parameters must be finite numbers");
    ocs_dist_lognormal(&d, 2, 0.5);
    EXPECT_BAD(t, &d, "lognormal: geometric sd must be greater than 1, not 0.5");
    ocs_dist_lognormal_moments(&d, -1, 1);
    EXPECT_BAD(t, &d, "lognormal: mean must be positive, not -1");
    ocs_dist_pert(&d, 0, 11, 10, 4);
    EXPECT_BAD(t, &d, "pert: mode 11 is outside [0, 10]");
    ocs_dist_pert(&d, 0, 5, 10, 0);
    EXPECT_BAD(t, &d, "pert: lambda must be positive, not 0");
    ocs_dist_discrete(&d, values, negative, 2);
    EXPECT_BAD(t, &d, "weights must be non-negative and not all zero");
    ocs_dist_discrete(&d, values, zero, 2);
    EXPECT_BAD(t, &d, "weights must be non-negative and not all zero");
    ocs_dist_discrete(&d, values, NULL, 0);
    EXPECT_BAD(t, &d, "discrete: no choices given");
    for (i = 0; i <= OCS_DIST_MAX_CHOICES; i++)
        many[i] = (double)i;
    ocs_dist_discrete(&d, many, NULL, OCS_DIST_MAX_CHOICES + 1);
    EXPECT_BAD(t, &d, "discrete: 65 choices, at most 64 supported");
    ocs_dist_discrete(&d, values, NULL, 2);
    ocs_dist_truncate(&d, 0, 1);
    EXPECT_BAD(t, &d, "discrete: truncation applies to continuous distributions only");
    ocs_dist_pareto(&d, 0, 2);
    EXPECT_BAD(t, &d, "pareto: xmin must be positive, not 0");
    ocs_dist_exponential(&d, 0);
    EXPECT_BAD(t, &d, "exponential: rate must be positive, not 0");
    ocs_dist_uniform(&d, 0, 1);
    ocs_dist_truncate(&d, 2, 3);
    EXPECT_BAD(t, &d, "uniform: truncation [2, 3] leaves no probability mass");
    ocs_dist_normal(&d, 0, 1);
    ocs_dist_truncate(&d, 2, 1);
    EXPECT_BAD(t, &d, "normal: truncation lower bound 2 must be less than upper bound 1");
    ocs_dist_normal(&d, 0, 1);
    d.kind = (ocs_kind)42;
    EXPECT_BAD(t, &d, "unknown distribution kind 42");
    CHECK(t, ocs_dist_check(NULL, NULL, 0) == OCS_EARG);

    CHECK(t, ocs_dist_kind_from_name("pert") == OCS_PERT);
    CHECK(t, ocs_dist_kind_from_name("gamma") == 0);
    CHECK(t, strcmp(ocs_dist_name(OCS_LOGUNIFORM), "loguniform") == 0);
    CHECK(t, strcmp(ocs_code_name(OCS_EDIST), "OCS_EDIST") == 0);
}

/* Every combination of extreme parameters (huge, tiny, zero, negative,
 * infinite, NaN) for every kind: the check either refuses it or the
 * quantile is a number, non-decreasing in u from 1e-300 to 1 - 1e-12. */
static void test_distribution_extremes(tally *t)
{
    static const double v[] = {-1e308, -1e3, -1, -1e-300, 0,   1e-300, 1e-3,     0.5,
                               1,      1.5,  2,  4,       1e3, 1e300,  HUGE_VAL, TEST_NAN};
    static const double us[] = {1e-300, 1e-12, 0.1, 0.5, 0.9, 1 - 1e-12};
    size_t nv = sizeof(v) / sizeof(v[0]), a, b, c, e, k;
    int kind, accepted = 0, refused = 0, bad = 0;

    for (kind = OCS_UNIFORM; kind <= OCS_EXPONENTIAL; kind++) {
        int three = kind == OCS_TRIANGULAR || kind == OCS_BETA || kind == OCS_PERT;
        int four = kind == OCS_BETA || kind == OCS_PERT;

        for (a = 0; a < nv; a++)
            for (b = 0; b < nv; b++)
                for (c = 0; c < (three ? nv : 1); c++)
                    for (e = 0; e < (four ? nv : 1); e++) {
                        double values[2] = {v[a], v[b]}, weights[2] = {v[c], 1.0};
                        double previous = -HUGE_VAL;
                        ocs_dist d;

                        switch (kind) {
                        case OCS_UNIFORM:
                            ocs_dist_uniform(&d, v[a], v[b]);
                            break;
                        case OCS_LOGUNIFORM:
                            ocs_dist_loguniform(&d, v[a], v[b]);
                            break;
                        case OCS_NORMAL:
                            ocs_dist_normal(&d, v[a], v[b]);
                            break;
                        case OCS_LOGNORMAL:
                            if (a % 2)
                                ocs_dist_lognormal(&d, v[a], v[b]);
                            else
                                ocs_dist_lognormal_moments(&d, v[a], v[b]);
                            break;
                        case OCS_TRIANGULAR:
                            ocs_dist_triangular(&d, v[a], v[b], v[c]);
                            break;
                        case OCS_BETA:
                            ocs_dist_beta(&d, v[a], v[b], v[c], v[e]);
                            break;
                        case OCS_PERT:
                            ocs_dist_pert(&d, v[a], v[b], v[c], v[e]);
                            break;
                        case OCS_DISCRETE:
                            ocs_dist_discrete(&d, values, weights, 2);
                            break;
                        case OCS_PARETO:
                            ocs_dist_pareto(&d, v[a], v[b]);
                            break;
                        default:
                            ocs_dist_exponential(&d, v[a]);
                            break;
                        }
                        if (ocs_dist_check(&d, NULL, 0) != OCS_OK) {
                            refused++;
                            continue;
                        }
                        accepted++;
                        for (k = 0; k < sizeof(us) / sizeof(us[0]); k++) {
                            double q = ocs_dist_quantile(&d, us[k]);

                            if (isnan(q) || q < previous) {
                                if (bad++ < 5)
                                    fprintf(stderr,
                                            "%s(%g, %g, %g, %g) at u = %g: %.17g after %.17g\n",
                                            ocs_dist_name(kind), d.param[0], d.param[1], d.param[2],
                                            d.param[3], us[k], q, previous);
                            }
                            previous = q;
                        }
                    }
    }
    printf("extreme parameters: %d distributions accepted, %d refused, %d bad quantiles\n",
           accepted, refused, bad);
    CHECK(t, accepted > 1000 && refused > 1000);
    CHECK(t, bad == 0);
}

/* ------------------------------------------------------------------------ */

static void test_lhs(tally *t)
{
    static const uint64_t sizes[] = {1, 2, 3, 1000, 4097};
    char msg[200];
    size_t s, d;
    uint64_t i;

    for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        uint64_t n = sizes[s];
        ocs_design *g = NULL;
        unsigned char *seen = calloc((size_t)n, 1);
        int ok = 1;

        CHECK(t, ocs_design_create(OCS_LHS, 5, n, 99, 0, &g, msg, sizeof(msg)) == OCS_OK);
        if (!g || !seen) {
            free(seen);
            ocs_design_free(g);
            continue;
        }
        for (d = 0; d < 5; d++) {
            memset(seen, 0, (size_t)n);
            for (i = 0; i < n; i++) {
                double u = ocs_design_point(g, i, d);
                uint64_t stratum = (uint64_t)floor(u * (double)n);

                if (!(u > 0.0 && u < 1.0) || stratum >= n || seen[stratum])
                    ok = 0;
                else
                    seen[stratum] = 1;
            }
        }
        /* exactly one point per stratum per dimension */
        CHECK(t, ok);
        CHECK(t, isnan(ocs_design_point(g, n, 0)));
        CHECK(t, isnan(ocs_design_point(g, 0, 5)));
        free(seen);
        ocs_design_free(g);
    }
}

/* The published Sobol sequence, dimensions 1-3, points 0-7 (Joe and Kuo's
 * sobol.cc with new-joe-kuo-6.21201; the same as Bratley and Fox). */
static void test_sobol_published(tally *t)
{
    static const double want[8][3] = {{0, 0, 0},
                                      {0.5, 0.5, 0.5},
                                      {0.75, 0.25, 0.25},
                                      {0.25, 0.75, 0.75},
                                      {0.375, 0.375, 0.625},
                                      {0.875, 0.875, 0.125},
                                      {0.625, 0.125, 0.875},
                                      {0.125, 0.625, 0.375}};
    ocs_design *g = NULL;
    char msg[200];
    size_t i, d;
    int ok = 1;

    CHECK(t,
          ocs_design_create(OCS_SOBOL, 3, 8, 0, OCS_UNSCRAMBLED, &g, msg, sizeof(msg)) == OCS_OK);
    if (!g)
        return;
    for (i = 0; i < 8; i++)
        for (d = 0; d < 3; d++)
            if (fabs(ocs_design_point(g, i, d) - want[i][d]) > 1e-15)
                ok = 0;
    CHECK(t, ok);
    ocs_design_free(g);
}

/* The direct formula (xor over the bits of gray(i)) against Joe and Kuo's
 * own algorithm, written out independently here as in their sobol.cc:
 * 32-bit direction numbers V_k = m_k 2^(32-k) from the table, extended by
 * the recurrence, and the points generated recursively, X_i = X_(i-1) xor
 * V_c with c the lowest zero bit of i - 1. All 256 dimensions, 1024
 * points, unscrambled: the same points (to the half-unit offset). */
static void test_sobol_recursive(tally *t)
{
    ocs_design *g = NULL;
    char msg[200];
    size_t d, n = 1024, i;
    int ok = 1;

    CHECK(t, ocs_design_create(OCS_SOBOL, OCS_SOBOL_MAX_DIMS, n, 0, OCS_UNSCRAMBLED, &g, msg,
                               sizeof(msg)) == OCS_OK);
    if (!g)
        return;
    for (d = 0; d < OCS_SOBOL_MAX_DIMS; d++) {
        uint32_t v[33], x = 0;
        unsigned k, j;

        if (d == 0) {
            for (k = 1; k <= 32; k++)
                v[k] = (uint32_t)1 << (32 - k);
        } else {
            const ocs_sobol_init *row = &ocs_sobol_table[d - 1];
            unsigned s = row->degree, a = row->coeffs;

            for (k = 1; k <= 32; k++) {
                if (k <= s) {
                    v[k] = (uint32_t)row->m[k - 1] << (32 - k);
                    continue;
                }
                v[k] = v[k - s] ^ (v[k - s] >> s);
                for (j = 1; j <= s - 1; j++)
                    v[k] ^= ((a >> (s - 1 - j)) & 1u) * v[k - j];
            }
        }
        for (i = 0; i < n; i++) {
            if (i > 0) {
                size_t value = i - 1;
                unsigned c = 1;

                while (value & 1u) {
                    value >>= 1;
                    c++;
                }
                x ^= v[c];
            }
            if (fabs(ocs_design_point(g, i, d) - (double)x / 4294967296.0) > 0x1p-52)
                ok = 0;
        }
    }
    CHECK(t, ok);
    ocs_design_free(g);
}

/* Sobol points are digital nets: the first 2^m points put exactly one point
 * in each interval [k 2^-m, (k + 1) 2^-m) of every dimension, and dimensions
 * 1 and 2 form a (0, m, 2)-net (one point in every elementary box of area
 * 2^-m). Scrambling must keep both. */
static void test_sobol_nets(tally *t)
{
    unsigned flags[2] = {OCS_UNSCRAMBLED, 0};
    size_t f, d, i, m = 10, n = (size_t)1 << 10;
    unsigned char *seen = calloc(n, 1);
    int ok;

    if (!seen)
        return;
    for (f = 0; f < 2; f++) {
        ocs_design *g = NULL;
        char msg[200];
        unsigned a;

        CHECK(t,
              ocs_design_create(OCS_SOBOL, 64, n, 12345, flags[f], &g, msg, sizeof(msg)) == OCS_OK);
        if (!g)
            continue;
        ok = 1;
        for (d = 0; d < 64; d++) {
            memset(seen, 0, n);
            for (i = 0; i < n; i++) {
                size_t k = (size_t)(ocs_design_point(g, i, d) * (double)n);

                if (seen[k]++)
                    ok = 0;
            }
        }
        CHECK(t, ok);
        ok = 1;
        for (a = 0; a <= m; a++) {
            memset(seen, 0, n);
            for (i = 0; i < n; i++) {
                size_t x = (size_t)(ocs_design_point(g, i, 0) * (double)((size_t)1 << a));
                size_t y = (size_t)(ocs_design_point(g, i, 1) * (double)((size_t)1 << (m - a)));

                if (seen[(x << (m - a)) | y]++)
                    ok = 0;
            }
        }
        CHECK(t, ok);
        ocs_design_free(g);
    }
    free(seen);
}

/* The integrand prod_d (x_d + 1/2) over [0, 1]^5 has integral 1. */
static double rms_error(ocs_method method, size_t n, int seeds)
{
    double total = 0.0;
    int s;

    for (s = 0; s < seeds; s++) {
        ocs_design *g = NULL;
        double sum = 0.0, err;
        size_t i, d;

        if (ocs_design_create(method, 5, n, (uint64_t)(1000 + s), 0, &g, NULL, 0))
            return TEST_NAN;
        for (i = 0; i < n; i++) {
            double f = 1.0;

            for (d = 0; d < 5; d++)
                f *= ocs_design_point(g, i, d) + 0.5;
            sum += f;
        }
        err = sum / (double)n - 1.0;
        total += err * err;
        ocs_design_free(g);
    }
    return sqrt(total / seeds);
}

static void test_convergence(tally *t)
{
    double random = rms_error(OCS_RANDOM, 4096, 20);
    double lhs = rms_error(OCS_LHS, 4096, 20);
    double sobol = rms_error(OCS_SOBOL, 4096, 20);

    printf("smooth integrand, d = 5, N = 4096, RMS error over 20 seeds: random %.3g, "
           "lhs %.3g, sobol %.3g (random / sobol = %.0f)\n",
           random, lhs, sobol, random / sobol);
    /* random: sqrt(0.4925 / 4096) = 0.011 expected */
    CHECK(t, random > 0.005 && random < 0.02);
    CHECK(t, sobol * 10.0 < random);
    CHECK(t, lhs < random);
}

static void test_design_determinism(tally *t)
{
    ocs_method methods[3] = {OCS_RANDOM, OCS_LHS, OCS_SOBOL};
    size_t m, n = 2000, dims = 7, i;

    for (m = 0; m < 3; m++) {
        ocs_design *a = NULL, *b = NULL, *c = NULL;
        double *pa = malloc(n * dims * sizeof(double)), *pb = malloc(n * dims * sizeof(double));
        double *pc = malloc(n * dims * sizeof(double));

        CHECK(t, ocs_design_create(methods[m], dims, n, 77, 0, &a, NULL, 0) == OCS_OK);
        CHECK(t, ocs_design_create(methods[m], dims, n, 77, 0, &b, NULL, 0) == OCS_OK);
        CHECK(t, ocs_design_create(methods[m], dims, n, 78, 0, &c, NULL, 0) == OCS_OK);
        if (a && b && c && pa && pb && pc) {
            for (i = 0; i < n; i++)
                ocs_design_row(a, i, pa + i * dims);
            /* another order: backwards, as a second thread might */
            for (i = n; i-- > 0;)
                ocs_design_row(b, i, pb + i * dims);
            for (i = 0; i < n; i++)
                ocs_design_row(c, i, pc + i * dims);
            CHECK(t, memcmp(pa, pb, n * dims * sizeof(double)) == 0);
            CHECK(t, memcmp(pa, pc, n * dims * sizeof(double)) != 0);
        }
        free(pa);
        free(pb);
        free(pc);
        ocs_design_free(a);
        ocs_design_free(b);
        ocs_design_free(c);
    }
    {
        ocs_design *g = NULL;
        char msg[200] = "";

        CHECK(t, ocs_design_create(OCS_SOBOL, 300, 10, 1, 0, &g, msg, sizeof(msg)) == OCS_EARG);
        CHECK_CONTAINS(t, msg, "sobol: 300 dimensions requested, at most 256 supported");
        CHECK(t, ocs_design_create(OCS_LHS, 0, 10, 1, 0, &g, msg, sizeof(msg)) == OCS_EARG);
        CHECK(t, ocs_design_create(OCS_LHS, 1, 0, 1, 0, &g, msg, sizeof(msg)) == OCS_EARG);
        CHECK(t, g == NULL);
        CHECK(t, ocs_method_from_name("sobol") == OCS_SOBOL && ocs_method_from_name("x") == -1);
    }
}

/* ------------------------------------------------------------------------ */

static void test_iman_conover(tally *t)
{
    static const double target[9] = {1, 0.6, -0.3, 0.6, 1, 0.2, -0.3, 0.2, 1};
    static const double not_pd[9] = {1, 0.9, -0.9, 0.9, 1, 0.9, -0.9, 0.9, 1};
    static const double asym[9] = {1, 0.5, 0, 0.4, 1, 0, 0, 0, 1};
    static const double diag[4] = {1, 0.5, 0.5, 2};
    ocs_corr *c = NULL, *bad = NULL;
    ocs_design *g = NULL;
    char msg[200] = "";
    size_t n = 2500, dims = 4, k, i, rows, col[3] = {0, 1, 3};
    double *pts = malloc(n * dims * sizeof(double));
    double *again = malloc(OCS_BLOCK * dims * sizeof(double));
    double *raw = malloc(OCS_BLOCK * dims * sizeof(double));
    uint64_t first, count;
    int ok;

    CHECK(t, ocs_corr_create(3, not_pd, &bad, msg, sizeof(msg)) == OCS_ECORR);
    CHECK_CONTAINS(t, msg, "correlation matrix is not positive definite (leading minor 3)");
    CHECK(t, bad == NULL);
    CHECK(t, ocs_corr_create(3, asym, &bad, msg, sizeof(msg)) == OCS_ECORR);
    CHECK_CONTAINS(t, msg, "not symmetric: [0][1] = 0.5 but [1][0] = 0.4");
    CHECK(t, ocs_corr_create(2, diag, &bad, msg, sizeof(msg)) == OCS_ECORR);
    CHECK_CONTAINS(t, msg, "diagonal [1][1] = 2 must be 1");

    CHECK(t, ocs_corr_create(3, target, &c, msg, sizeof(msg)) == OCS_OK);
    CHECK(t, ocs_design_create(OCS_LHS, dims, n, 31, 0, &g, msg, sizeof(msg)) == OCS_OK);
    if (!c || !g || !pts || !again || !raw)
        goto done;
    CHECK(t, ocs_corr_size(c) == 3);

    /* blocks of 1024, 1024 and 452 samples; columns 0, 1, 3 correlated */
    ocs_block_range(2, n, &first, &count);
    CHECK(t, first == 2048 && count == 452);
    ocs_block_range(3, n, &first, &count);
    CHECK(t, count == 0);
    CHECK(t, ocs_block_of(2047) == 1 && ocs_block_of(2048) == 2);
    for (k = 0; k < 3; k++) {
        CHECK(t, ocs_design_block(g, c, col, k, pts + k * OCS_BLOCK * dims, &rows) == OCS_OK);
        CHECK(t, rows == (k < 2 ? OCS_BLOCK : 452));
    }
    {
        double r01 = spearman(pts + 0, dims, pts + 1, dims, n);
        double r03 = spearman(pts + 0, dims, pts + 3, dims, n);
        double r13 = spearman(pts + 1, dims, pts + 3, dims, n);
        double r02 = spearman(pts + 0, dims, pts + 2, dims, n);

        printf("Iman-Conover on %zu LHS samples: rank correlations %.3f %.3f %.3f (target 0.6 "
               "-0.3 0.2), uncorrelated column %.3f\n",
               n, r01, r03, r13, r02);
        CHECK_NEAR(t, r01, 0.6, 0.05);
        CHECK_NEAR(t, r03, -0.3, 0.05);
        CHECK_NEAR(t, r13, 0.2, 0.05);
        CHECK_NEAR(t, r02, 0.0, 0.1);
        /* each block alone too */
        r01 = spearman(pts + 0, dims, pts + 1, dims, OCS_BLOCK);
        CHECK_NEAR(t, r01, 0.6, 0.05);
    }
    /* marginals survive: every column is still a Latin hypercube */
    ok = 1;
    for (k = 0; k < dims; k++) {
        unsigned char *seen = calloc(n, 1);

        if (!seen)
            break;
        for (i = 0; i < n; i++) {
            size_t s = (size_t)floor(pts[i * dims + k] * (double)n);

            if (s >= n || seen[s]++)
                ok = 0;
        }
        free(seen);
    }
    CHECK(t, ok);
    /* the uncorrelated column is untouched */
    ok = 1;
    for (i = 0; i < n; i++)
        if (pts[i * dims + 2] != ocs_design_point(g, i, 2))
            ok = 0;
    CHECK(t, ok);
    /* a block is the same bytes whenever and wherever it is computed */
    CHECK(t, ocs_design_block(g, c, col, 1, again, &rows) == OCS_OK);
    CHECK(t, memcmp(again, pts + OCS_BLOCK * dims, OCS_BLOCK * dims * sizeof(double)) == 0);
    /* and the induction is a function of the values: once more by hand */
    for (i = 0; i < OCS_BLOCK; i++)
        ocs_design_row(g, OCS_BLOCK + i, raw + i * dims);
    CHECK(t, ocs_corr_induce(c, raw, OCS_BLOCK, dims, col) == OCS_OK);
    CHECK(t, memcmp(raw, again, OCS_BLOCK * dims * sizeof(double)) == 0);

done:
    free(pts);
    free(again);
    free(raw);
    ocs_corr_free(c);
    ocs_design_free(g);
}

/* ------------------------------------------------------------------------ */

static void test_wilson(tally *t)
{
    double lo, hi;
    size_t e, covered = 0, experiments = 4000, n = 50, j;

    CHECK(t, ocs_wilson(0, 10, 1.96, &lo, &hi) == OCS_OK);
    CHECK_NEAR(t, lo, 0.0, 0.0);
    CHECK_NEAR(t, hi, 3.8416 / 13.8416, 1e-12);
    CHECK(t, ocs_wilson(5, 10, 1.96, &lo, &hi) == OCS_OK);
    CHECK_NEAR(t, lo, 0.23658959361548731, 1e-14);
    CHECK_NEAR(t, hi, 0.76341040638451263, 1e-14);
    CHECK(t, ocs_wilson(10, 10, 1.96, &lo, &hi) == OCS_OK && hi == 1.0);
    CHECK(t, ocs_wilson(0, 0, 1.96, &lo, &hi) == OCS_OK && lo == 0.0 && hi == 1.0);
    CHECK(t, ocs_wilson(11, 10, 1.96, &lo, &hi) == OCS_EARG);
    CHECK(t, ocs_wilson(1, 10, -1.0, &lo, &hi) == OCS_EARG);
    /* coverage of the 95% interval at p = 0.3, n = 50 */
    for (e = 0; e < experiments; e++) {
        ocs_count c;

        ocs_count_init(&c);
        for (j = 0; j < n; j++)
            ocs_count_add(&c, ocs_uniform(314, e, j) < 0.3);
        (void)ocs_wilson(c.events, c.trials, ocs_normal_quantile(0.975), &lo, &hi);
        if (lo <= 0.3 && 0.3 <= hi)
            covered++;
    }
    printf("Wilson 95%% interval, p = 0.3, n = 50: coverage %.4f over %zu experiments\n",
           (double)covered / (double)experiments, experiments);
    CHECK(t, (double)covered / (double)experiments > 0.925);
    CHECK(t, (double)covered / (double)experiments < 0.975);
}

/* Splits x[0 .. n - 1] into parts at the given cut points, accumulates each
 * part on its own, and merges the partials in the given order. */
static void moments_split(ocs_moments *out, const double *x, size_t n, const size_t *cuts,
                          size_t parts, int reverse)
{
    ocs_moments partial[8];
    size_t p, i;

    for (p = 0; p < parts; p++) {
        size_t from = p == 0 ? 0 : cuts[p - 1], to = p + 1 == parts ? n : cuts[p];

        ocs_moments_init(&partial[p]);
        for (i = from; i < to; i++)
            ocs_moments_add(&partial[p], x[i]);
    }
    ocs_moments_init(out);
    for (p = 0; p < parts; p++)
        ocs_moments_merge(out, &partial[reverse ? parts - 1 - p : p]);
}

static int sketch_split(ocs_sketch **out, const double *x, size_t n, const size_t *cuts,
                        size_t parts, int reverse)
{
    ocs_sketch *partial[8] = {NULL};
    size_t p, i;
    int rc = OCS_OK;

    *out = NULL;
    for (p = 0; p < parts && !rc; p++) {
        size_t from = p == 0 ? 0 : cuts[p - 1], to = p + 1 == parts ? n : cuts[p];

        rc = ocs_sketch_create(8, 0.0, 1e-12, &partial[p]);
        for (i = from; i < to && !rc; i++)
            rc = ocs_sketch_add(partial[p], x[i]);
    }
    if (!rc)
        rc = ocs_sketch_create(8, 0.0, 1e-12, out);
    for (p = 0; p < parts && !rc; p++)
        rc = ocs_sketch_merge(*out, partial[reverse ? parts - 1 - p : p]);
    for (p = 0; p < parts; p++)
        ocs_sketch_free(partial[p]);
    return rc;
}

static unsigned char *pack(const ocs_sketch *s, size_t *len)
{
    unsigned char *buf;

    if (ocs_sketch_pack(s, NULL, 0, len))
        return NULL;
    buf = malloc(*len);
    if (buf && ocs_sketch_pack(s, buf, *len, len)) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void test_reductions(tally *t)
{
    static const size_t cuts2[1] = {50001};
    static const size_t cuts7[6] = {3, 10000, 10001, 40000, 77777, 99998};
    size_t n = 100000, i;
    double *x = malloc(n * sizeof(double)), *sorted = malloc(n * sizeof(double));
    ocs_moments one, two, seven, seven_back;
    ocs_sketch *s1 = NULL, *s2 = NULL, *s7 = NULL, *s7b = NULL, *back = NULL;
    unsigned char *b1 = NULL, *b2 = NULL, *b7 = NULL, *b7b = NULL, *bb = NULL;
    size_t l1 = 0, l2 = 0, l7 = 0, l7b = 0, lb = 0;
    long double ref_mean = 0.0L, ref_var = 0.0L;
    ocs_dist d;

    if (!x || !sorted)
        goto done;
    /* heavy-tailed, signed, with zeros, NaN and an infinity mixed in */
    ocs_dist_lognormal(&d, 1.0, 3.0);
    (void)ocs_dist_check(&d, NULL, 0);
    for (i = 0; i < n; i++) {
        x[i] = ocs_dist_quantile(&d, ocs_uniform(11, i, 0));
        if (i % 7 == 3)
            x[i] = -x[i];
        if (i % 1000 == 5)
            x[i] = 0.0;
    }
    x[123] = TEST_NAN;
    x[456] = HUGE_VAL;

    moments_split(&one, x, n, NULL, 1, 0);
    moments_split(&two, x, n, cuts2, 2, 0);
    moments_split(&seven, x, n, cuts7, 7, 0);
    moments_split(&seven_back, x, n, cuts7, 7, 1);
    CHECK(t, memcmp(&one, &two, sizeof(one)) == 0);
    CHECK(t, memcmp(&one, &seven, sizeof(one)) == 0);
    CHECK(t, memcmp(&one, &seven_back, sizeof(one)) == 0);
    CHECK(t, one.n == n - 2 && one.n_nan == 1 && one.n_inf == 1);
    for (i = 0; i < n; i++)
        if (isfinite(x[i]))
            ref_mean += (long double)x[i];
    ref_mean /= (long double)(n - 2);
    for (i = 0; i < n; i++)
        if (isfinite(x[i]))
            ref_var += ((long double)x[i] - ref_mean) * ((long double)x[i] - ref_mean);
    ref_var /= (long double)(n - 3);
    CHECK_NEAR(t, ocs_moments_mean(&one), (double)ref_mean, 1e-12 * fabs((double)ref_mean));
    CHECK_NEAR(t, ocs_moments_variance(&one), (double)ref_var, 1e-12 * (double)ref_var);

    /* exactness: ten times 0.1 sums to the double nearest 1.0000000000000000555 */
    {
        ocs_moments m;

        ocs_moments_init(&m);
        for (i = 0; i < 10; i++)
            ocs_moments_add(&m, 0.1);
        CHECK(t, ocs_moments_sum(&m) == 1.0);
        ocs_moments_init(&m);
        ocs_moments_add(&m, 1e100);
        ocs_moments_add(&m, 1.0);
        ocs_moments_add(&m, -1e100);
        ocs_moments_add(&m, 0x1p-1074);
        CHECK(t, ocs_moments_sum(&m) == 1.0);
        CHECK_NEAR(t, ocs_moments_mean(&m), 0.25, 1e-16);
        /* a level of 1e9 with unit-width noise: no cancellation */
        ocs_moments_init(&m);
        ref_mean = 0.0L;
        for (i = 0; i < 10000; i++) {
            double v = 1e9 + ocs_uniform(3, i, 0);

            ocs_moments_add(&m, v);
            ref_mean += (long double)v;
        }
        ref_mean /= 10000.0L;
        ref_var = 0.0L;
        for (i = 0; i < 10000; i++) {
            long double dev = (long double)(1e9 + ocs_uniform(3, i, 0)) - ref_mean;

            ref_var += dev * dev;
        }
        ref_var /= 9999.0L;
        CHECK_NEAR(t, ocs_moments_variance(&m), (double)ref_var, 1e-9 * (double)ref_var);
        CHECK(t, m.min > 1e9 && m.max < 1e9 + 1);
    }

    /* the sketch: merges give the same bytes, quantiles within one bin */
    CHECK(t, sketch_split(&s1, x, n, NULL, 1, 0) == OCS_OK);
    CHECK(t, sketch_split(&s2, x, n, cuts2, 2, 0) == OCS_OK);
    CHECK(t, sketch_split(&s7, x, n, cuts7, 7, 0) == OCS_OK);
    CHECK(t, sketch_split(&s7b, x, n, cuts7, 7, 1) == OCS_OK);
    if (!s1 || !s2 || !s7 || !s7b)
        goto done;
    b1 = pack(s1, &l1);
    b2 = pack(s2, &l2);
    b7 = pack(s7, &l7);
    b7b = pack(s7b, &l7b);
    CHECK(t, b1 && b2 && b7 && b7b);
    if (!b1 || !b2 || !b7 || !b7b)
        goto done;
    CHECK(t, l1 == l2 && l1 == l7 && l1 == l7b);
    CHECK(t, memcmp(b1, b2, l1) == 0 && memcmp(b1, b7, l1) == 0 && memcmp(b1, b7b, l1) == 0);
    CHECK(t, ocs_sketch_count(s1) == n - 1 && ocs_sketch_nan_count(s1) == 1);
    CHECK(t, ocs_sketch_unpack(b1, l1, &back) == OCS_OK);
    if (back) {
        bb = pack(back, &lb);
        CHECK(t, bb && lb == l1 && memcmp(bb, b1, l1) == 0);
    }
    {
        static const double ps[] = {0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 0.999};
        size_t m = 0, j;
        int ok = 1;

        for (i = 0; i < n; i++)
            if (!isnan(x[i]))
                sorted[m++] = x[i];
        qsort(sorted, m, sizeof(double), compare_doubles);
        for (j = 0; j < sizeof(ps) / sizeof(ps[0]); j++) {
            double want = exact_quantile(sorted, m, ps[j]);
            double got = ocs_sketch_quantile(s1, ps[j]);

            /* bins 2^-8 wide relative to the value, plus the neighbours'
             * spread for interpolated ranks */
            if (!(fabs(got - want) <= 2.0 * 0x1p-8 * fabs(want) + 1e-12)) {
                fprintf(stderr, "sketch p %g: got %.10g want %.10g\n", ps[j], got, want);
                ok = 0;
            }
            if (ocs_sketch_quantile(s7b, ps[j]) != got)
                ok = 0;
        }
        CHECK(t, ok);
        CHECK(t, ocs_sketch_quantile(s1, 0.0) == sorted[0]);
        CHECK(t, isinf(ocs_sketch_quantile(s1, 1.0)));
    }
    /* every single corrupted byte of a small packed sketch is either
     * refused or read as some valid sketch: never a crash (run under the
     * sanitizers) */
    {
        ocs_sketch *small = NULL, *got = NULL;
        unsigned char *bytes = NULL;
        size_t len = 0, k, refused = 0;
        int bit;

        CHECK(t, ocs_sketch_create(4, 1.0, 1e-6, &small) == OCS_OK);
        for (i = 0; i < 50 && small; i++)
            (void)ocs_sketch_add(small, ocs_uniform(12, i, 0) * 100.0 - 30.0);
        bytes = small ? pack(small, &len) : NULL;
        for (k = 0; bytes && k < len; k++) {
            for (bit = 0; bit < 8; bit++) {
                int rc;

                bytes[k] ^= (unsigned char)(1u << bit);
                rc = ocs_sketch_unpack(bytes, len, &got);
                if (rc == OCS_OK)
                    (void)ocs_sketch_quantile(got, 0.5);
                else
                    refused++;
                ocs_sketch_free(got);
                got = NULL;
                bytes[k] ^= (unsigned char)(1u << bit);
            }
        }
        CHECK(t, bytes && refused > 0);
        free(bytes);
        ocs_sketch_free(small);
    }
    /* bad bytes and mismatched configurations are refused */
    {
        ocs_sketch *other = NULL, *junk = NULL;

        b1[0] = 'X';
        CHECK(t, ocs_sketch_unpack(b1, l1, &junk) == OCS_EFORMAT && junk == NULL);
        b1[0] = 'O';
        CHECK(t, ocs_sketch_unpack(b1, l1 - 8, &junk) == OCS_EFORMAT && junk == NULL);
        CHECK(t, ocs_sketch_create(9, 0.0, 1e-12, &other) == OCS_OK);
        CHECK(t, ocs_sketch_merge(other, s1) == OCS_EMISMATCH);
        CHECK(t, ocs_sketch_create(0, 0.0, 1e-12, &junk) == OCS_EARG);
        ocs_sketch_free(other);
    }
    /* onset years on a quarter-year grid with the offset at the start year:
     * 10 bits resolve them to a few days */
    {
        ocs_sketch *years = NULL;
        size_t m = 5000;
        int ok = 1;

        CHECK(t, ocs_sketch_create(10, 2024.0, 1e-9, &years) == OCS_OK);
        for (i = 0; i < m && years; i++) {
            sorted[i] = 2024.0 + 0.25 * floor(80.0 * ocs_uniform(8, i, 0));
            (void)ocs_sketch_add(years, sorted[i]);
        }
        qsort(sorted, m, sizeof(double), compare_doubles);
        for (i = 1; i < 20 && years; i++) {
            double p = (double)i / 20.0;

            if (fabs(ocs_sketch_quantile(years, p) - exact_quantile(sorted, m, p)) > 0.03)
                ok = 0;
        }
        CHECK(t, ok);
        ocs_sketch_free(years);
    }

done:
    free(x);
    free(sorted);
    free(b1);
    free(b2);
    free(b7);
    free(b7b);
    free(bb);
    ocs_sketch_free(s1);
    ocs_sketch_free(s2);
    ocs_sketch_free(s7);
    ocs_sketch_free(s7b);
    ocs_sketch_free(back);
}

int main(void)
{
    tally t = {0, 0};

    test_uniform(&t);
    test_special(&t);
    test_distributions(&t);
    test_truncation(&t);
    test_bad_distributions(&t);
    test_distribution_extremes(&t);
    test_lhs(&t);
    test_sobol_published(&t);
    test_sobol_recursive(&t);
    test_sobol_nets(&t);
    test_convergence(&t);
    test_design_determinism(&t);
    test_iman_conover(&t);
    test_wilson(&t);
    test_reductions(&t);

    printf("%d passed, %d failed\n", t.passed, t.failed);
    return t.failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
