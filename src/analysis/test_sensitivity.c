/*
 * test_sensitivity.c - tests of global sensitivity analysis
 * (sensitivity.c) on models whose indices are known in closed form.
 *
 *   - the Saltelli design's layout (A, B, AB_i) and its determinism;
 *   - a linear model y = sum a_i x_i with independent inputs of different
 *     distributions: S_i = S_Ti = a_i^2 var_i / sum_j a_j^2 var_j;
 *   - the Ishigami function (a = 7, b = 0.1), whose first-order and total
 *     indices are known analytically (Ishigami and Homma 1990; Sobol' and
 *     Levitan 1999): the true values must lie in the bootstrap intervals,
 *     which must be narrow at N = 8192, and over many seeds the intervals
 *     must cover the truth about as often as they claim;
 *   - screening: PRCC and Spearman rank a noisy linear model's inputs in
 *     the order of their effects, and the p-values of a null input are
 *     uniform enough that 5% of them fall below 0.05.
 *
 * The program prints "N passed, N failed" last and exits non-zero on any
 * failure.
 */
#include "sensitivity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
/* NAN is a float constant; the cast keeps -Wdouble-promotion quiet. */
#define TEST_NAN ((double)NAN)

#include "test_tally.h"

/* A model of k inputs already mapped from the unit cube. */
typedef double (*model_fn)(const double *x);

/* Runs every row of the design through the distributions and the model,
 * in run order. Returns a malloc'd array of oca_design_runs outputs. */
static double *evaluate(const oca_design *design, const ocs_dist *dists, model_fn f)
{
    uint64_t runs = oca_design_runs(design), row;
    size_t k = oca_design_params(design), i;
    double *out = malloc((size_t)runs * sizeof(double));
    double u[16], x[16];

    if (!out || k > 16) {
        free(out);
        return NULL;
    }
    for (row = 0; row < runs; row++) {
        oca_saltelli_row(design, row, u);
        for (i = 0; i < k; i++)
            x[i] = ocs_dist_quantile(&dists[i], u[i]);
        out[row] = f(x);
    }
    return out;
}

/* ------------------------------------------------------------------------ */

static void test_design(tally *t)
{
    oca_design *d = NULL, *same = NULL, *other = NULL;
    ocs_design *base = NULL;
    char msg[200] = "";
    size_t k = 3, i;
    uint64_t n = 64, row, j;
    int ok = 1, role;

    CHECK(t, oca_design_create(k, n, OCS_SOBOL, 5, &d, msg, sizeof(msg)) == OCA_OK);
    CHECK(t, oca_design_create(k, n, OCS_SOBOL, 5, &same, msg, sizeof(msg)) == OCA_OK);
    CHECK(t, oca_design_create(k, n, OCS_SOBOL, 6, &other, msg, sizeof(msg)) == OCA_OK);
    /* the base sequence the documentation promises: 2k dimensions, same seed */
    CHECK(t, ocs_design_create(OCS_SOBOL, 2 * k, n, 5, 0, &base, msg, sizeof(msg)) == OCS_OK);
    if (!d || !same || !other || !base)
        goto done;
    CHECK(t, oca_design_runs(d) == n * (k + 2));
    CHECK(t, oca_design_params(d) == k && oca_design_base_samples(d) == n);
    for (j = 0; j < n; j++) {
        for (i = 0; i < k; i++) {
            double a = ocs_design_point(base, j, i), b = ocs_design_point(base, j, k + i);
            size_t m;

            if (oca_saltelli_point(d, j * (k + 2) + 0, i) != a)
                ok = 0;
            if (oca_saltelli_point(d, j * (k + 2) + 1, i) != b)
                ok = 0;
            for (m = 0; m < k; m++)
                if (oca_saltelli_point(d, j * (k + 2) + 2 + m, i) != (m == i ? b : a))
                    ok = 0;
        }
    }
    CHECK(t, ok);
    CHECK(t, oca_saltelli_role(d, 0, &j, &role) == OCA_OK && role == OCA_ROW_A && j == 0);
    CHECK(t, oca_saltelli_role(d, 6, &j, &role) == OCA_OK && role == OCA_ROW_B && j == 1);
    CHECK(t, oca_saltelli_role(d, 9, &j, &role) == OCA_OK && role == 2 && j == 1);
    CHECK(t, oca_saltelli_role(d, n * (k + 2), &j, &role) == OCA_EARG);
    CHECK(t, isnan(oca_saltelli_point(d, n * (k + 2), 0)));
    CHECK(t, isnan(oca_saltelli_point(d, 0, k)));
    /* same seed, same inputs; another seed, other inputs */
    ok = 1;
    for (row = 0; row < oca_design_runs(d); row++)
        for (i = 0; i < k; i++)
            if (oca_saltelli_point(d, row, i) != oca_saltelli_point(same, row, i))
                ok = 0;
    CHECK(t, ok);
    CHECK(t, oca_saltelli_point(d, 10, 1) != oca_saltelli_point(other, 10, 1));

    {
        oca_design *bad = NULL, *wide = NULL;

        CHECK(t, oca_design_create(0, n, OCS_SOBOL, 5, &bad, msg, sizeof(msg)) == OCA_EARG);
        CHECK(t, oca_design_create(200, n, OCS_SOBOL, 5, &bad, msg, sizeof(msg)) == OCA_EARG);
        CHECK_CONTAINS(t, msg, "a Sobol base supports at most 128 parameters, not 200");
        CHECK(t, bad == NULL);
        CHECK(t, oca_design_create(200, n, OCS_RANDOM, 5, &wide, msg, sizeof(msg)) == OCA_OK);
        oca_design_free(wide);
    }

done:
    oca_design_free(d);
    oca_design_free(same);
    oca_design_free(other);
    ocs_design_free(base);
}

/* ------------------------------------------------------------------------ */

static const double linear_a[4] = {2.0, 1.0, 0.5, 0.0};

static double linear_model(const double *x)
{
    return linear_a[0] * x[0] + linear_a[1] * x[1] + linear_a[2] * x[2] + linear_a[3] * x[3];
}

static int inside(double v, double lo, double hi)
{
    return v >= lo && v <= hi;
}

static void test_linear(tally *t)
{
    ocs_dist dists[4];
    double var[4], total = 0.0, *y = NULL;
    oca_design *d = NULL;
    oca_result *r = NULL;
    oca_options opt;
    char msg[200] = "";
    size_t i;

    ocs_dist_uniform(&dists[0], 0, 1);
    ocs_dist_normal(&dists[1], 10, 0.5);
    ocs_dist_uniform(&dists[2], -2, 2);
    ocs_dist_triangular(&dists[3], 0, 1, 3);
    for (i = 0; i < 4; i++) {
        CHECK(t, ocs_dist_check(&dists[i], msg, sizeof(msg)) == OCS_OK);
        var[i] = ocs_dist_variance(&dists[i]);
        total += linear_a[i] * linear_a[i] * var[i];
    }
    CHECK(t, oca_design_create(4, 8192, OCS_SOBOL, 1, &d, msg, sizeof(msg)) == OCA_OK);
    if (!d)
        return;
    y = evaluate(d, dists, linear_model);
    oca_options_default(&opt);
    opt.seed = 1;
    CHECK(t, y && oca_estimate(d, y, &opt, &r, msg, sizeof(msg)) == OCA_OK);
    if (!r)
        goto done;
    CHECK_NEAR(t, r->variance, total, 0.01 * total);
    CHECK_NEAR(t, r->mean, 2 * 0.5 + 10 + 0 + 0, 0.01);
    for (i = 0; i < 4; i++) {
        double want = linear_a[i] * linear_a[i] * var[i] / total;
        const oca_index *x = &r->index[i];

        printf("linear x%zu: S1 %.4f [%.4f, %.4f]  ST %.4f [%.4f, %.4f]  true %.4f\n", i + 1,
               x->first, x->first_lo, x->first_hi, x->total, x->total_lo, x->total_hi, want);
        CHECK(t, inside(want, x->first_lo, x->first_hi));
        CHECK(t, inside(want, x->total_lo, x->total_hi));
        CHECK(t, x->first_hi - x->first_lo < 0.05);
        CHECK(t, x->total_hi - x->total_lo < 0.05);
    }

done:
    free(y);
    oca_result_free(r);
    oca_design_free(d);
}

/* ------------------------------------------------------------------------ */

#define ISHIGAMI_A 7.0
#define ISHIGAMI_B 0.1

static double ishigami(const double *x)
{
    double s = sin(x[0]), s2 = sin(x[1]);

    return s + ISHIGAMI_A * s2 * s2 + ISHIGAMI_B * pow(x[2], 4) * s;
}

/* First-order and total indices in closed form:
 * V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V3 = 0,
 * V13 = b^2 pi^8 (1/18 - 1/50), V = V1 + V2 + V13. */
static void ishigami_truth(double *first, double *total)
{
    double a = ISHIGAMI_A, b = ISHIGAMI_B, pi4 = pow(PI, 4), pi8 = pi4 * pi4;
    double v1 = 0.5 * (1 + b * pi4 / 5) * (1 + b * pi4 / 5);
    double v2 = a * a / 8;
    double v13 = b * b * pi8 * (1.0 / 18 - 1.0 / 50);
    double v = v1 + v2 + v13;

    first[0] = v1 / v;
    first[1] = v2 / v;
    first[2] = 0.0;
    total[0] = (v1 + v13) / v;
    total[1] = v2 / v;
    total[2] = v13 / v;
}

static int ishigami_estimate(ocs_method method, uint64_t n, uint64_t seed, unsigned bootstrap,
                             int first_order, oca_result **out)
{
    ocs_dist dists[3];
    oca_design *d = NULL;
    oca_options opt;
    double *y = NULL;
    size_t i;
    int rc;

    *out = NULL;
    for (i = 0; i < 3; i++) {
        ocs_dist_uniform(&dists[i], -PI, PI);
        rc = ocs_dist_check(&dists[i], NULL, 0);
        if (rc)
            return rc;
    }
    rc = oca_design_create(3, n, method, seed, &d, NULL, 0);
    if (rc)
        return rc;
    y = evaluate(d, dists, ishigami);
    oca_options_default(&opt);
    opt.bootstrap = bootstrap;
    opt.seed = seed;
    opt.first_order = first_order;
    rc = y ? oca_estimate(d, y, &opt, out, NULL, 0) : OCA_ENOMEM;
    free(y);
    oca_design_free(d);
    return rc;
}

static void test_ishigami(tally *t)
{
    double first[3], total[3];
    oca_result *r = NULL, *j = NULL;
    size_t i;

    ishigami_truth(first, total);
    CHECK_NEAR(t, first[0], 0.3139, 5e-5);
    CHECK_NEAR(t, first[1], 0.4424, 5e-5);
    CHECK_NEAR(t, total[0], 0.5576, 5e-5);
    CHECK_NEAR(t, total[2], 0.2437, 5e-5);

    CHECK(t, ishigami_estimate(OCS_SOBOL, 8192, 2024, 1000, OCA_SALTELLI2010, &r) == OCA_OK);
    CHECK(t, ishigami_estimate(OCS_SOBOL, 8192, 2024, 1000, OCA_JANSEN, &j) == OCA_OK);
    if (!r || !j)
        goto done;
    for (i = 0; i < 3; i++) {
        const oca_index *x = &r->index[i], *y = &j->index[i];

        printf("Ishigami x%zu: S1 %.4f [%.4f, %.4f] (Jansen %.4f [%.4f, %.4f]) true %.4f; "
               "ST %.4f [%.4f, %.4f] true %.4f\n",
               i + 1, x->first, x->first_lo, x->first_hi, y->first, y->first_lo, y->first_hi,
               first[i], x->total, x->total_lo, x->total_hi, total[i]);
        CHECK(t, inside(first[i], x->first_lo, x->first_hi));
        CHECK(t, inside(total[i], x->total_lo, x->total_hi));
        CHECK(t, inside(first[i], y->first_lo, y->first_hi));
        /* narrow at N = 8192: a few hundredths */
        CHECK(t, x->first_hi - x->first_lo < 0.08);
        CHECK(t, x->total_hi - x->total_lo < 0.08);
        /* the point estimate sits inside its own interval */
        CHECK(t, inside(x->first, x->first_lo, x->first_hi));
        CHECK(t, inside(x->total, x->total_lo, x->total_hi));
        /* the total effect is the same whatever the first-order estimator */
        CHECK(t, x->total == y->total);
    }

done:
    oca_result_free(r);
    oca_result_free(j);
}

/* Over independent random designs the 95% intervals should cover the
 * truth about 95% of the time: the bootstrap is calibrated, not just wide. */
static void test_coverage(tally *t)
{
    double first[3], total[3], width = 0.0;
    int covered = 0, intervals = 0;
    uint64_t seed;
    size_t i;

    ishigami_truth(first, total);
    for (seed = 1; seed <= 30; seed++) {
        oca_result *r = NULL;

        if (ishigami_estimate(OCS_RANDOM, 1024, seed, 200, OCA_SALTELLI2010, &r) != OCA_OK) {
            CHECK(t, 0);
            continue;
        }
        for (i = 0; i < 3; i++) {
            covered += inside(first[i], r->index[i].first_lo, r->index[i].first_hi);
            covered += inside(total[i], r->index[i].total_lo, r->index[i].total_hi);
            width += r->index[i].total_hi - r->index[i].total_lo;
            intervals += 2;
        }
        oca_result_free(r);
    }
    printf("Ishigami, random base N = 1024, 30 seeds: 95%% intervals cover the truth %d of %d "
           "times (%.1f%%), mean S_T interval width %.3f\n",
           covered, intervals, 100.0 * covered / intervals, width / (intervals / 2));
    CHECK(t, covered >= (int)(0.88 * intervals));
    CHECK(t, covered <= intervals);
}

/* ------------------------------------------------------------------------ */

static void test_estimate_determinism(tally *t)
{
    oca_result *a = NULL, *b = NULL, *c = NULL, *e = NULL;

    CHECK(t, ishigami_estimate(OCS_SOBOL, 1024, 7, 300, OCA_SALTELLI2010, &a) == OCA_OK);
    CHECK(t, ishigami_estimate(OCS_SOBOL, 1024, 7, 300, OCA_SALTELLI2010, &b) == OCA_OK);
    CHECK(t, ishigami_estimate(OCS_SOBOL, 1024, 8, 300, OCA_SALTELLI2010, &c) == OCA_OK);
    CHECK(t, ishigami_estimate(OCS_LHS, 1024, 7, 300, OCA_SALTELLI2010, &e) == OCA_OK);
    if (a && b && c && e) {
        CHECK(t, memcmp(a->index, b->index, 3 * sizeof(*a->index)) == 0);
        CHECK(t, a->mean == b->mean && a->variance == b->variance);
        CHECK(t, a->index[0].first != c->index[0].first);
        CHECK(t, a->index[0].first_lo != c->index[0].first_lo);
        CHECK(t, a->index[0].first != e->index[0].first);
    }
    oca_result_free(a);
    oca_result_free(b);
    oca_result_free(c);
    oca_result_free(e);
}

static void test_estimate_errors(tally *t)
{
    oca_design *d = NULL;
    oca_result *r = NULL;
    oca_options opt;
    double *y;
    char msg[200] = "";
    uint64_t runs, i;

    CHECK(t, oca_design_create(2, 16, OCS_SOBOL, 3, &d, msg, sizeof(msg)) == OCA_OK);
    if (!d)
        return;
    runs = oca_design_runs(d);
    y = calloc((size_t)runs, sizeof(double));
    if (!y)
        goto done;
    /* a constant output: no variance, indices undefined, still a result */
    CHECK(t, oca_estimate(d, y, NULL, &r, msg, sizeof(msg)) == OCA_OK);
    if (r) {
        CHECK(t, r->variance == 0.0 && isnan(r->index[0].first) && isnan(r->index[1].total));
        oca_result_free(r);
        r = NULL;
    }
    for (i = 0; i < runs; i++)
        y[i] = (double)(i % 5);
    y[7] = TEST_NAN;
    CHECK(t, oca_estimate(d, y, NULL, &r, msg, sizeof(msg)) == OCA_EDATA);
    CHECK_CONTAINS(t, msg, "the output of run 7 is not a finite number");
    CHECK(t, r == NULL);
    y[7] = 1.0;
    oca_options_default(&opt);
    opt.confidence = 1.5;
    CHECK(t, oca_estimate(d, y, &opt, &r, msg, sizeof(msg)) == OCA_EARG);
    CHECK(t, oca_estimate(d, NULL, NULL, &r, msg, sizeof(msg)) == OCA_EARG);
    opt.confidence = 0.9;
    opt.bootstrap = 0;
    CHECK(t, oca_estimate(d, y, &opt, &r, msg, sizeof(msg)) == OCA_OK);
    if (r)
        CHECK(t, isnan(r->index[0].first_lo) && !isnan(r->index[0].first));
    CHECK(t, strcmp(oca_code_name(OCA_EDATA), "OCA_EDATA") == 0);

done:
    free(y);
    oca_result_free(r);
    oca_design_free(d);
}

/* ------------------------------------------------------------------------ */

static void test_screening(tally *t)
{
    static const double coef[5] = {4.0, 2.0, 1.0, 0.5, 0.0};
    size_t n = 2000, k = 5, i, j, order[5];
    double *x = malloc(n * k * sizeof(double)), *y = malloc(n * sizeof(double));
    double prcc[5], rho[5];
    oca_screen *s = NULL;
    ocs_design *g = NULL;
    char msg[200] = "";
    int ok;

    if (!x || !y)
        goto done;
    CHECK(t, ocs_design_create(OCS_LHS, k + 1, n, 17, 0, &g, msg, sizeof(msg)) == OCS_OK);
    if (!g)
        goto done;
    for (i = 0; i < n; i++) {
        y[i] = ocs_normal_quantile(ocs_design_point(g, i, k));
        for (j = 0; j < k; j++) {
            x[i * k + j] = ocs_design_point(g, i, j);
            y[i] += coef[j] * x[i * k + j];
        }
    }
    CHECK(t, oca_screen_create(x, y, n, k, &s, msg, sizeof(msg)) == OCA_OK);
    if (!s)
        goto done;
    for (j = 0; j < k; j++) {
        prcc[j] = s->row[j].prcc;
        rho[j] = s->row[j].spearman;
        printf("screening x%zu (coefficient %.1f): PRCC %.3f (p %.2g), Spearman %.3f (p %.2g)\n",
               j + 1, coef[j], prcc[j], s->row[j].prcc_p, rho[j], s->row[j].spearman_p);
    }
    CHECK(t, oca_rank(prcc, k, 1, order) == OCA_OK);
    ok = 1;
    for (j = 0; j < k; j++)
        if (order[j] != j)
            ok = 0;
    CHECK(t, ok);
    CHECK(t, oca_rank(rho, k, 1, order) == OCA_OK);
    ok = 1;
    for (j = 0; j < k; j++)
        if (order[j] != j)
            ok = 0;
    CHECK(t, ok);
    for (j = 0; j < 4; j++)
        CHECK(t, s->row[j].prcc_p < 1e-6);
    CHECK(t, s->row[4].prcc_p > 0.001);
    /* the strongest input: PRCC of a linear effect with unit noise,
     * 4 sqrt(1/12) / sqrt(16/12 + 1) = 0.756, a little less on ranks */
    CHECK(t, prcc[0] > 0.7 && prcc[0] < 0.8);
    {
        FILE *fp = tmpfile();
        static const char *const names[5] = {"efficiency jump size", "demand growth", "capex",
                                             "lifetime", "noise"};
        char text[2048] = "";
        size_t len;

        if (fp) {
            CHECK(t, oca_print_screen(fp, s, names) == OCA_OK);
            rewind(fp);
            len = fread(text, 1, sizeof(text) - 1, fp);
            text[len] = '\0';
            fclose(fp);
            CHECK_CONTAINS(t, text, "   1  efficiency jump size");
            CHECK_CONTAINS(t, text, "   5  noise");
        }
    }
    /* a constant input is named */
    for (i = 0; i < n; i++)
        x[i * k + 2] = 1.0;
    oca_screen_free(s);
    s = NULL;
    CHECK(t, oca_screen_create(x, y, n, k, &s, msg, sizeof(msg)) == OCA_EDATA);
    CHECK_CONTAINS(t, msg, "input 2 does not vary");
    /* collinear inputs: one is a monotone function of another */
    for (i = 0; i < n; i++)
        x[i * k + 2] = exp(x[i * k + 1]);
    CHECK(t, oca_screen_create(x, y, n, k, &s, msg, sizeof(msg)) == OCA_ESINGULAR);
    CHECK(t, oca_screen_create(x, y, 5, k, &s, msg, sizeof(msg)) == OCA_EARG);

done:
    free(x);
    free(y);
    oca_screen_free(s);
    ocs_design_free(g);
}

/* Under the null (the output ignores the inputs) p-values are uniform:
 * about 5% fall below 0.05. 300 screenings of 3 inputs, n = 60. */
static void test_screening_null(tally *t)
{
    size_t n = 60, k = 3, rep, i, j, below_prcc = 0, below_rho = 0, tests = 0;
    double x[60 * 3], y[60];

    for (rep = 0; rep < 300; rep++) {
        oca_screen *s = NULL;

        for (i = 0; i < n; i++) {
            for (j = 0; j < k; j++)
                x[i * k + j] = ocs_uniform(rep, i, j);
            y[i] = ocs_uniform(rep, i, 99);
        }
        if (oca_screen_create(x, y, n, k, &s, NULL, 0) != OCA_OK) {
            CHECK(t, 0);
            continue;
        }
        for (j = 0; j < k; j++) {
            below_prcc += s->row[j].prcc_p < 0.05;
            below_rho += s->row[j].spearman_p < 0.05;
            tests++;
        }
        oca_screen_free(s);
    }
    printf("screening under the null: p < 0.05 for %.1f%% (PRCC) and %.1f%% (Spearman) of %zu "
           "tests\n",
           100.0 * (double)below_prcc / (double)tests, 100.0 * (double)below_rho / (double)tests,
           tests);
    /* 900 tests: 5% +- 3 sd = [2.9%, 7.2%] */
    CHECK(t,
          (double)below_prcc / (double)tests > 0.029 && (double)below_prcc / (double)tests < 0.072);
    CHECK(t,
          (double)below_rho / (double)tests > 0.029 && (double)below_rho / (double)tests < 0.072);
}

static void test_rank_and_table(tally *t)
{
    static const double score[6] = {0.2, TEST_NAN, -0.9, 0.5, 0.2, 0.0};
    size_t order[6];
    oca_result r;
    oca_index index[2];
    static const char *const names[2] = {"jump size", "demand growth"};
    char text[1024] = "";
    FILE *fp;
    size_t len;

    CHECK(t, oca_rank(score, 6, 0, order) == OCA_OK);
    CHECK(t, order[0] == 3 && order[1] == 0 && order[2] == 4 && order[3] == 5 && order[4] == 2 &&
                 order[5] == 1);
    CHECK(t, oca_rank(score, 6, 1, order) == OCA_OK);
    CHECK(t, order[0] == 2 && order[1] == 3 && order[2] == 0 && order[3] == 4 && order[5] == 1);
    CHECK(t, oca_rank(NULL, 6, 1, order) == OCA_EARG);

    memset(&r, 0, sizeof(r));
    memset(index, 0, sizeof(index));
    index[0].total = 0.1;
    index[1].total = 0.7;
    r.params = 2;
    r.index = index;
    fp = tmpfile();
    if (!fp)
        return;
    CHECK(t, oca_print_table(fp, &r, names) == OCA_OK);
    rewind(fp);
    len = fread(text, 1, sizeof(text) - 1, fp);
    text[len] = '\0';
    fclose(fp);
    CHECK_CONTAINS(t, text, "   1  demand growth");
    CHECK_CONTAINS(t, text, "   2  jump size");
}

int main(void)
{
    tally t = {0, 0};

    test_design(&t);
    test_linear(&t);
    test_ishigami(&t);
    test_coverage(&t);
    test_estimate_determinism(&t);
    test_estimate_errors(&t);
    test_screening(&t);
    test_screening_null(&t);
    test_rank_and_table(&t);

    printf("%d passed, %d failed\n", t.passed, t.failed);
    return t.failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
