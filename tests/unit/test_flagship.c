/*
 * test_flagship.c - the AI compute market model against its data and the
 * essay's claims, on the shipped presets.
 *
 * usage: test_flagship CALIBRATION_TARGETS.csv
 *
 *  - the baseline tracks every 2020-2026 calibration target within its
 *    stated tolerance (data/ai-market/calibration_targets.csv);
 *  - the baseline is in shortage or balanced in 2024-2026 and has no bubble;
 *  - architecture-100x is a bubble while demand for AI services still grows;
 *  - gradual-10x-per-year is at most a normal cycle; jump-2x is absorbed;
 *  - the critical jump for 2027 under the essay's assumptions lies between
 *    2 and 100 and rises with the elasticity;
 *  - with capex frozen and no price pass-through, a jump F changes long-run
 *    compute demand by F^(epsilon - 1);
 *  - the diagnosis's fill time agrees with the model's own closed form;
 *  - bad scenarios are refused with the key named.
 */
#include "../testlib.h"

#include "cli.h"
#include "market.h"
#include "scenario.h"

static oc_model *model;

typedef struct prep {
    const char *scenario;
    const char *set_name[4];
    double set_value[4];
    int n_set;
} prep;

static int prepare(void *ud, const oc_model *m, oc_run **r, char *err, size_t errlen)
{
    const prep *p = ud;
    scenario sc;
    oc_error oe;
    int k;
    if(scenario_load(p->scenario, &sc, err, errlen) != 0)
        return -1;
    if(oc_run_create(m, r, &oe) != OC_OK) {
        scenario_free(&sc);
        snprintf(err, errlen, "%s", oe.message);
        return -1;
    }
    if(scenario_apply(&sc, m, *r, err, errlen) != 0) {
        scenario_free(&sc);
        oc_run_free(*r);
        *r = NULL;
        return -1;
    }
    scenario_free(&sc);
    for(k = 0; k < p->n_set; k++)
        if(oc_run_set_value(*r, p->set_name[k], p->set_value[k], &oe) != OC_OK) {
            snprintf(err, errlen, "%s", oe.message);
            oc_run_free(*r);
            *r = NULL;
            return -1;
        }
    return 0;
}

/* Runs a preset (with extra overrides) and diagnoses it. */
static int run_preset(prep *p, oc_run **r, ocd_result **res)
{
    ocx_mapping map;
    ocd_params par;
    oc_error oe;
    char err[512];
    *res = NULL;
    ocx_mapping_flagship(&map);
    ocx_params_flagship(&par);
    if(prepare(p, model, r, err, sizeof(err)) != 0) {
        printf("  (%s: %s)\n", p->scenario, err);
        return -1;
    }
    if(oc_run_simulate(*r, &oe) != OC_OK) {
        printf("  (%s: %s)\n", p->scenario, oe.message);
        return -1;
    }
    if(ocx_diagnose_run(model, *r, &map, &par, res, err, sizeof(err)) != 0) {
        printf("  (%s: %s)\n", p->scenario, err);
        return -1;
    }
    return 0;
}

static double series_at(const oc_run *r, const char *var, double t)
{
    size_t n = oc_run_save_count(r), i, best = 0;
    double *s = malloc(n * sizeof(double)), v;
    char err[200];
    if(!s || ocx_series(model, r, var, s, err, sizeof(err)) != 0) {
        free(s);
        return NAN;
    }
    for(i = 0; i < n; i++)
        if(fabs(oc_run_time(r, i) - t) < fabs(oc_run_time(r, best) - t))
            best = i;
    v = s[best];
    free(s);
    return v;
}

static void calibration(const char *csv)
{
    FILE *f = fopen(csv, "r");
    char line[4096];
    int rows = 0;
    prep p = {"baseline", {NULL}, {0}, 0};
    oc_run *r = NULL;
    ocd_result *res = NULL;
    CHECK(f != NULL, "calibration targets %s", csv);
    if(!f)
        return;
    CHECK(run_preset(&p, &r, &res) == 0, "baseline runs");
    if(!fgets(line, sizeof(line), f)) /* header */
        line[0] = '\0';
    while(fgets(line, sizeof(line), f)) {
        char var[128];
        double year, value, tol, model_v;
        if(sscanf(line, "%lf,%127[^,],%lf,%*[^,],%lf", &year, var, &value, &tol) != 4)
            continue;
        model_v = series_at(r, var, year);
        rows++;
        CHECK(fabs(model_v / value - 1.0) <= tol,
              "calibration: %s at %g is %.4g, data %.4g (off %.0f%%, tolerance %.0f%%)", var,
              year, model_v, value, 100 * (model_v / value - 1), 100 * tol);
    }
    fclose(f);
    CHECK(rows >= 15, "the targets file has its rows (%d)", rows);
    ocd_result_free(res);
    oc_run_free(r);
}

static int state_at(const ocd_result *res, double t)
{
    size_t i;
    for(i = 0; i < res->step_count; i++)
        if(fabs(res->steps[i].time - t) < 1e-9)
            return (int)res->steps[i].state;
    return -1;
}

static void essay_claims(void)
{
    prep p = {"baseline", {NULL}, {0}, 0};
    oc_run *r = NULL;
    ocd_result *res = NULL;
    double t;

    if(run_preset(&p, &r, &res) == 0) {
        int ok = 1;
        for(t = 2024.0; t <= 2026.0 + 1e-9; t += 0.125) {
            int s = state_at(res, t);
            if(s != OCD_SHORTAGE && s != OCD_BALANCED)
                ok = 0;
        }
        CHECK(ok, "baseline: shortage or balanced throughout 2024-2026");
        CHECK(res->episode_count == 0, "baseline: no bubble (%zu episodes)", res->episode_count);
        CHECK(state_at(res, 2025.0) == OCD_SHORTAGE, "baseline: compute is scarce in 2025");
    }
    ocd_result_free(res);
    oc_run_free(r);

    p.scenario = "architecture-100x";
    if(run_preset(&p, &r, &res) == 0) {
        CHECK(res->episode_count >= 1, "architecture-100x: a bubble");
        if(res->episode_count) {
            const ocd_episode *e = &res->episodes[0];
            double d0 = series_at(r, "ai_service_demand", e->onset);
            double d1 = series_at(r, "ai_service_demand", e->end);
            CHECK(d1 > 2 * d0, "... while demand for AI services keeps growing (%.3g -> %.3g)", d0,
                  d1);
            CHECK(e->onset >= 2027.0 && e->onset < 2028.5, "... starting after the jump (%g)",
                  e->onset);
            CHECK(e->peak_idle_share > 0.9, "... with most capacity idle (%.2f)",
                  e->peak_idle_share);
        }
    }
    ocd_result_free(res);
    oc_run_free(r);

    p.scenario = "gradual-10x-per-year";
    if(run_preset(&p, &r, &res) == 0)
        CHECK(res->episode_count == 0, "gradual-10x-per-year: at most a normal cycle");
    ocd_result_free(res);
    oc_run_free(r);

    p.scenario = "jump-2x";
    if(run_preset(&p, &r, &res) == 0)
        CHECK(res->episode_count == 0 && res->peak_idle_share < 0.9,
              "jump-2x: absorbed (peak idle %.2f)", res->peak_idle_share);
    ocd_result_free(res);
    oc_run_free(r);

    p.scenario = "jump-100x";
    if(run_preset(&p, &r, &res) == 0)
        CHECK(res->episode_count >= 1, "jump-100x: a bubble under the essay's assumptions");
    ocd_result_free(res);
    oc_run_free(r);
}

static double fstar_at(double epsilon)
{
    prep p = {"jump-10x", {"demand_price_elasticity"}, {epsilon}, 1};
    ocx_mapping map;
    ocd_params par;
    ocx_jump jump = {2027.0, 0.5};
    double f = NAN;
    char err[512];
    ocx_mapping_flagship(&map);
    ocx_params_flagship(&par);
    if(ocx_critical_jump(model, prepare, &p, &map, &par, &jump, 1000, 0.01, &f, NULL, err,
                         sizeof(err)) != 0)
        printf("  (critical: %s)\n", err);
    return f;
}

static void critical_jump(void)
{
    double lo = fstar_at(0.6), mid = fstar_at(1.1), hi = fstar_at(1.8);
    CHECK(mid > 2 && mid < 100, "F* for 2027 under the essay's assumptions is %.3g, in (2, 100)",
          mid);
    CHECK(lo < mid && mid < hi, "F* rises with epsilon: %.3g, %.3g, %.3g at 0.6, 1.1, 1.8", lo,
          mid, hi);
}

/* With capex frozen and the compute price not passed on, AI-service demand
 * is F^epsilon times higher and compute per unit F times lower in the long
 * run: compute demand changes by F^(epsilon - 1). */
static void jevons_law(void)
{
    const double eps[3] = {0.6, 1.1, 1.5};
    int k;
    for(k = 0; k < 3; k++) {
        prep base = {"baseline",
                     {"capex_freeze_year", "compute_price_pass_through", "demand_price_elasticity"},
                     {2026, 0, eps[k]},
                     3};
        prep jump = {"baseline",
                     {"capex_freeze_year", "compute_price_pass_through", "demand_price_elasticity",
                      "jump_1_factor"},
                     {2026, 0, eps[k], 100},
                     4};
        oc_run *r0 = NULL, *r1 = NULL;
        ocd_result *d0 = NULL, *d1 = NULL;
        if(run_preset(&base, &r0, &d0) == 0 && run_preset(&jump, &r1, &d1) == 0) {
            double ratio = series_at(r1, "compute_demand", 2040) / series_at(r0, "compute_demand", 2040);
            double want = pow(100.0, eps[k] - 1.0);
            CHECK(fabs(ratio / want - 1) < 1e-3,
                  "jump 100x, epsilon %g: compute demand x %.6g, F^(eps-1) = %.6g", eps[k], ratio,
                  want);
        }
        ocd_result_free(d0);
        ocd_result_free(d1);
        oc_run_free(r0);
        oc_run_free(r1);
    }
}

/* The diagnosis computes ln(C/D)/g from the series; the model computes the
 * same quantity itself: they must agree wherever capacity is idle. */
static void weak_demand_closed_form(void)
{
    prep p = {"jump-10x", {NULL}, {0}, 0};
    oc_run *r = NULL;
    ocd_result *res = NULL;
    size_t i, compared = 0;
    int agree = 1;
    if(run_preset(&p, &r, &res) == 0) {
        size_t n = oc_run_save_count(r);
        double *model_fill = malloc(n * sizeof(double));
        char err[200];
        if(model_fill && ocx_series(model, r, "years_to_fill_idle_capacity", model_fill, err,
                                    sizeof(err)) == 0) {
            for(i = 0; i < res->step_count; i++) {
                const ocd_step *s = &res->steps[i];
                if(s->idle_share > 0.01 && s->growth > 0) {
                    compared++;
                    if(fabs(s->fill_time - model_fill[i]) > 1e-9 * (1 + model_fill[i])) {
                        agree = 0;
                        printf("  at %g: diagnosis %.12g, model %.12g\n", s->time, s->fill_time,
                               model_fill[i]);
                        break;
                    }
                }
            }
        }
        free(model_fill);
    }
    CHECK(compared > 10 && agree,
          "the weak-demand test's ln(C/D)/g agrees with the model's own (%zu steps)", compared);
    ocd_result_free(res);
    oc_run_free(r);
}

static void bad_scenario(const char *json, const char *needle)
{
    scenario sc;
    char err[1024] = "";
    oc_run *r = NULL;
    oc_error oe;
    int rc = scenario_parse(json, strlen(json), "bad.json", &sc, err, sizeof(err));
    if(rc == 0) {
        oc_run_create(model, &r, &oe);
        rc = scenario_apply(&sc, model, r, err, sizeof(err));
        scenario_free(&sc);
        oc_run_free(r);
    }
    CHECK(rc != 0 && strstr(err, needle) != NULL, "bad scenario %s: '%s' lacks '%s'", json, err,
          needle);
}

static void bad_scenarios(void)
{
    bad_scenario("{\"set\": {\"warp_speed\": 3}}", "set.warp_speed");
    bad_scenario("{\"set\": {\"hardware_life_years\": -2}}", "set.hardware_life_years: -2 is outside");
    bad_scenario("{\"set\": {\"hardware_life_years\": NaN}}", "malformed JSON");
    bad_scenario("{\"set\": {\"hardware_life_years\": \"five\"}}", "set.hardware_life_years must be a number");
    bad_scenario("{\"jumps\": [{\"year\": 2027, \"factor\": 0.5}]}", "jumps[0].factor must be at least 1");
    bad_scenario("{\"jumps\": [{\"year\": 2050, \"factor\": 5}]}", "jumps[0].year");
    bad_scenario("{\"jumps\": [{\"factor\": 5}]}", "needs both");
    bad_scenario("{\"jumps\": [{\"year\": 2027, \"factor\": 5, \"speed\": 1}]}", "jumps[0].speed");
    bad_scenario("{\"set\": {\"compute_demand\": 1}}", "not a constant");
    bad_scenario("{\"name\": \"x\", ", "malformed JSON");
    bad_scenario("[1, 2]", "must be a JSON object");
    bad_scenario("{\"colour\": \"red\"}", "unknown key \"colour\"");
    bad_scenario("{\"specs\": {\"dt\": 0}}", "dt must be positive");
    bad_scenario("{\"specs\": {\"method\": \"gear\"}}", "specs.method");
    bad_scenario("{\"set\": {\"a\": 1, \"a\": 2}}", "duplicate");
}

int main(int argc, char **argv)
{
    oc_error err;
    if(argc < 2) {
        printf("usage: test_flagship CALIBRATION_TARGETS.csv\n");
        return 2;
    }
    if(cli_load_model(NULL, &model, &err) != OC_OK) {
        printf("the built-in model does not load: %s\n", err.message);
        return 1;
    }
    calibration(argv[1]);
    essay_claims();
    critical_jump();
    jevons_law();
    weak_demand_closed_form();
    bad_scenarios();
    oc_model_free(model);
    DONE();
}
