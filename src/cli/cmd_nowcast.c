/*
 * cmd_nowcast.c - now: `overcap nowcast` applies the bubble diagnosis to
 * today's observed AI-market indicators (data/ai-market/
 * nowcast_indicators.csv, embedded in the binary) and then asks the
 * calibrated flagship model the essay's question for today: which jump,
 * arriving now, would tip the market into a bubble. It uses the one
 * diagnosis of the project (src/analysis/diagnosis.c) and the text helpers
 * of cmd_backtest.c; docs/BACKTEST.md documents the data and every
 * assumption.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "job.h"
#include "market.h"

#define NOWCAST_FILE "data/ai-market/nowcast_indicators.csv"

/* ------------------------------------------------------------------ */
/* The nowcast: the two conditions on observed indicators               */
/* ------------------------------------------------------------------ */

/* The calibrated baseline's series the readings need, on its save grid. */
typedef struct model_series {
    size_t n;
    double *time, *running_cost, *capital_charge, *full_cost, *life;
    double target_utilization;
} model_series;

static void model_series_free(model_series *ms)
{
    free(ms->time);
    free(ms->running_cost);
    free(ms->capital_charge);
    free(ms->full_cost);
    free(ms->life);
    memset(ms, 0, sizeof(*ms));
}

/* Linear interpolation on the save grid, flat outside it. */
static double series_at(const model_series *ms, const double *y, double t)
{
    size_t k;
    if(ms->n == 0)
        return (double)NAN;
    if(t <= ms->time[0])
        return y[0];
    for(k = 1; k < ms->n; k++)
        if(t <= ms->time[k]) {
            double w = (t - ms->time[k - 1]) / (ms->time[k] - ms->time[k - 1]);
            return y[k - 1] + w * (y[k] - y[k - 1]);
        }
    return y[ms->n - 1];
}

static int load_model_series(model_series *ms, char *err, size_t errlen)
{
    oc_model *m = NULL;
    oc_run *r = NULL;
    oc_error oe;
    job j;
    double *target = NULL;
    size_t i;
    int rc = EXIT_MODEL;

    memset(ms, 0, sizeof(*ms));
    if(job_init(&j, 1))
        return EXIT_MODEL;
    if(cli_load_model(NULL, &m, &oe) != OC_OK) {
        snprintf(err, errlen, "the built-in model: %s", oe.message);
        goto done;
    }
    if(job_prepare_run(&j, "baseline", m, &r, NULL) != 0) {
        snprintf(err, errlen, "the baseline scenario could not be prepared");
        goto done;
    }
    if(oc_run_simulate(r, &oe) != OC_OK) {
        snprintf(err, errlen, "the baseline run failed: %s", oe.message);
        goto done;
    }
    ms->n = oc_run_save_count(r);
    ms->time = malloc(ms->n * sizeof(double));
    ms->running_cost = malloc(ms->n * sizeof(double));
    ms->capital_charge = malloc(ms->n * sizeof(double));
    ms->full_cost = malloc(ms->n * sizeof(double));
    ms->life = malloc(ms->n * sizeof(double));
    target = malloc(ms->n * sizeof(double));
    if(!ms->time || !ms->running_cost || !ms->capital_charge || !ms->full_cost || !ms->life ||
       !target) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for(i = 0; i < ms->n; i++)
        ms->time[i] = oc_run_time(r, i);
    if(ocx_series(m, r, "running_cost_per_unit", ms->running_cost, err, errlen) ||
       ocx_series(m, r, "capital_charge_per_unit_hour", ms->capital_charge, err, errlen) ||
       ocx_series(m, r, "full_cost_compute_price", ms->full_cost, err, errlen) ||
       ocx_series(m, r, "hardware_remaining_life_years", ms->life, err, errlen) ||
       ocx_series(m, r, "target_utilization", target, err, errlen))
        goto done;
    ms->target_utilization = target[0];
    rc = 0;
done:
    free(target);
    if(rc)
        model_series_free(ms);
    oc_run_free(r);
    oc_model_free(m);
    job_free(&j);
    return rc;
}

/* How an indicator bears on the balance of capacity and demand. */
typedef enum reading_kind {
    READ_NONE = 0,     /* not about the balance */
    READ_PRICE = 1,    /* a rental price per H100e-hour */
    READ_SOLD_OUT = 2, /* capacity observed sold out */
    READ_EXCLUDED = 3  /* about utilization, but not of unsold capacity */
} reading_kind;

typedef struct reading_rule {
    const char *indicator;
    reading_kind kind;
    const char *why; /* for excluded ones: why it is not idle capacity */
    int busy_time;   /* a busy-time utilization (0-1): the report shows what
                        it would mean if it were read as idle capacity */
} reading_rule;

static const reading_rule reading_rules[] = {
    {"h100_rent_usd_per_hour", READ_PRICE, NULL, 0},
    {"h100_rent_median_usd_per_hour", READ_PRICE, NULL, 0},
    {"gpu_capacity_sold_out", READ_SOLD_OUT, NULL, 0},
    {"old_gpus_still_sold_out", READ_SOLD_OUT, NULL, 0},
    {"gpu_utilization_hyperscaler_ai", READ_EXCLUDED,
     "busy time of chips someone already pays for, not capacity nobody pays for", 1},
    {"gpu_utilization_enterprise_k8s", READ_EXCLUDED,
     "busy time inside enterprise clusters, not the market's unsold capacity", 1},
    {"deployment_lag_fraction", READ_EXCLUDED,
     "capacity sold but waiting for power: not yet installed, not idle for lack of demand", 0},
    {"msft_gpus_idle_for_power", READ_EXCLUDED,
     "idle for lack of powered buildings, not of demand (and not a number)", 0},
    {"a100_rent_usd_per_hour", READ_EXCLUDED,
     "a price per A100-hour, not per H100e-hour (about $6 per H100e-hour: dear)", 0},
    {"h100_rent_decline_2025_ytd", READ_EXCLUDED,
     "a price change, not a price level: falling from a shortage is not a glut by itself", 0},
    {"aws_h100_price_cut", READ_EXCLUDED, "a list-price cut, not a market price level", 0},
};

static const reading_rule *rule_of(const char *indicator)
{
    size_t k;
    for(k = 0; k < sizeof(reading_rules) / sizeof(reading_rules[0]); k++)
        if(strcmp(reading_rules[k].indicator, indicator) == 0)
            return &reading_rules[k];
    return NULL;
}

/* Demand / capacity implied by a rental price through the flagship's price
 * rule (docs/MODEL.md 4.6): price = running cost + capital charge x a
 * scarcity multiplier of demand / (capacity x target utilization) that is
 * 1 at target (the price is the full cost of new capacity), about
 * proportional above it and falls to 0 at half the target. Inverted here
 * as: multiplier m >= 1 gives demand/capacity = target x m; 0 < m < 1 gives
 * target x (0.5 + 0.5 m); m <= 0 gives target / 2. docs/BACKTEST.md. */
static double implied_ratio(double price, double running, double charge, double target)
{
    double m = (price - running) / charge;
    if(m >= 1)
        return target * m;
    if(m > 0)
        return target * (0.5 + 0.5 * m);
    return target * 0.5;
}

typedef struct indicator_cols {
    size_t time, indicator, value, category, confidence, unit, period, note;
    int has_unit, has_period, has_note;
} indicator_cols;

static int find_indicator_cols(const och_table *t, indicator_cols *c, char *err, size_t errlen)
{
    if(och_table_find(t, "time", &c->time, err, errlen) ||
       och_table_find(t, "indicator", &c->indicator, err, errlen) ||
       och_table_find(t, "value", &c->value, err, errlen) ||
       och_table_find(t, "category", &c->category, err, errlen) ||
       och_table_find(t, "confidence", &c->confidence, err, errlen))
        return EXIT_USAGE;
    c->has_unit = och_table_find(t, "unit", &c->unit, NULL, 0) == OCH_OK;
    c->has_period = och_table_find(t, "period", &c->period, NULL, 0) == OCH_OK;
    c->has_note = och_table_find(t, "note", &c->note, NULL, 0) == OCH_OK;
    return 0;
}

void nc_assessment_free(nc_assessment *a)
{
    och_table_free(a->table);
    ocd_result_free(a->res);
    memset(a, 0, sizeof(*a));
}

int nc_state_in_year(const nc_assessment *a, int year)
{
    if(year < 2020 || year > 2027)
        return -1;
    return a->year_state[year - 2020];
}

/* The growth per year of an indicator between its first and last positive
 * observations in the window, or NaN with fewer than two. */
static double indicator_growth(const och_table *t, const indicator_cols *c, const double *time,
                               const double *value, const char *name, size_t *last_row)
{
    size_t i, first = SIZE_MAX, last = SIZE_MAX;
    for(i = 0; i < och_table_rows(t); i++) {
        if(strcmp(och_table_cell(t, i, c->indicator), name) != 0 || !(value[i] > 0))
            continue;
        if(time[i] < 2020 || time[i] >= 2027)
            continue;
        if(first == SIZE_MAX || time[i] < time[first])
            first = i;
        if(last == SIZE_MAX || time[i] > time[last])
            last = i;
    }
    if(first == SIZE_MAX || last == first || !(time[last] > time[first]))
        return (double)NAN;
    if(last_row)
        *last_row = last;
    return log(value[last] / value[first]) / (time[last] - time[first]);
}

/* Is an indicator a level of demand (not a share, not a requirement)? */
static int is_demand_level(const och_table *t, const indicator_cols *c, size_t row)
{
    const char *name = och_table_cell(t, row, c->indicator);
    const char *unit = c->has_unit ? och_table_cell(t, row, c->unit) : "";
    if(strcmp(och_table_cell(t, row, c->category), "demand") != 0)
        return 0;
    if(strstr(name, "required") || strstr(name, "share") || strcmp(unit, "fraction") == 0)
        return 0;
    return 1;
}

int nc_assess(const char *path, nc_assessment *a, char *err, size_t errlen)
{
    indicator_cols c;
    model_series ms;
    double *time = NULL, *value = NULL, *cap = NULL, *dem = NULL, *life = NULL, *growth = NULL,
           *price = NULL, *cost = NULL, *tt = NULL;
    size_t n, i, k;
    ocd_params p;
    ocd_input in;
    char msg[512];
    int rc;

    memset(a, 0, sizeof(*a));
    memset(&ms, 0, sizeof(ms));
    for(k = 0; k < 8; k++)
        a->year_state[k] = -1;
    rc = bt_read_table(path ? path : NOWCAST_FILE, path == NULL, &a->table, err, errlen);
    if(rc)
        return rc;
    rc = find_indicator_cols(a->table, &c, err, errlen);
    if(rc)
        return rc;
    n = och_table_rows(a->table);
    time = malloc(n * sizeof(double));
    value = malloc(n * sizeof(double));
    if(!time || !value) {
        snprintf(err, errlen, "out of memory");
        rc = EXIT_MODEL;
        goto done;
    }
    if(och_table_numbers(a->table, c.time, time, err, errlen) ||
       och_table_numbers(a->table, c.value, value, err, errlen)) {
        rc = EXIT_MODEL;
        goto done;
    }
    rc = load_model_series(&ms, err, errlen);
    if(rc)
        goto done;

    /* The slowest-growing demand indicator: the weak-demand test uses it,
     * the most pessimistic of the observed demand growths. */
    a->slowest_growth = (double)NAN;
    for(i = 0; i < n; i++) {
        size_t j, last = 0;
        double g;
        int seen = 0;
        if(!is_demand_level(a->table, &c, i))
            continue;
        for(j = 0; j < i; j++)
            if(strcmp(och_table_cell(a->table, j, c.indicator),
                      och_table_cell(a->table, i, c.indicator)) == 0)
                seen = 1;
        if(seen)
            continue;
        g = indicator_growth(a->table, &c, time, value, och_table_cell(a->table, i, c.indicator),
                             &last);
        if(!isnan(g) && (isnan(a->slowest_growth) || g < a->slowest_growth)) {
            a->slowest_growth = g;
            a->slowest_row = last;
        }
    }
    if(isnan(a->slowest_growth)) {
        snprintf(err, errlen, "%s: no demand indicator has two observations in 2020-2026",
                 och_table_name(a->table));
        rc = EXIT_MODEL;
        goto done;
    }

    /* The readings, in time order (stable for equal times). */
    for(i = 0; i < n; i++) {
        const reading_rule *rule = rule_of(och_table_cell(a->table, i, c.indicator));
        nc_reading rd;
        if(!rule || (rule->kind != READ_PRICE && rule->kind != READ_SOLD_OUT))
            continue;
        if(time[i] < 2020 || time[i] >= 2027 || isnan(value[i]))
            continue;
        if(rule->kind == READ_SOLD_OUT && !(value[i] > 0))
            continue;
        memset(&rd, 0, sizeof(rd));
        rd.time = time[i];
        rd.row = i;
        rd.full_cost = series_at(&ms, ms.full_cost, rd.time);
        rd.state = -1;
        if(rule->kind == READ_PRICE) {
            rd.price = value[i];
            rd.cost = series_at(&ms, ms.running_cost, rd.time);
            rd.demand_to_capacity =
                implied_ratio(rd.price, rd.cost, series_at(&ms, ms.capital_charge, rd.time),
                              ms.target_utilization);
        }
        else {
            /* Sold out: all of it is used; how much more was wanted is not
             * observed, so demand is set equal to capacity. */
            rd.price = (double)NAN;
            rd.cost = (double)NAN;
            rd.demand_to_capacity = 1.0;
        }
        if(a->n_readings == NC_MAX_READINGS) {
            snprintf(err, errlen, "%s: more than %d readings", och_table_name(a->table),
                     NC_MAX_READINGS);
            rc = EXIT_MODEL;
            goto done;
        }
        /* Insertion keeps the file's order among equal times. */
        k = a->n_readings;
        while(k > 0 && a->readings[k - 1].time > rd.time)
            k--;
        memmove(&a->readings[k + 1], &a->readings[k],
                (a->n_readings - k) * sizeof(a->readings[0]));
        a->readings[k] = rd;
        a->n_readings++;
    }
    if(a->n_readings == 0) {
        snprintf(err, errlen, "%s: no reading of the balance of capacity and demand in 2020-2026",
                 och_table_name(a->table));
        rc = EXIT_MODEL;
        goto done;
    }

    /* The diagnosis over the readings: capacity 1, demand the implied
     * ratio, the slowest observed demand growth, the baseline's remaining
     * hardware life, and price against running cost for the shortage test.
     * The diagnosis needs strictly increasing times: readings at the same
     * time become one step, the tighter reading and any price standing. */
    tt = malloc(a->n_readings * sizeof(double));
    cap = malloc(a->n_readings * sizeof(double));
    dem = malloc(a->n_readings * sizeof(double));
    life = malloc(a->n_readings * sizeof(double));
    growth = malloc(a->n_readings * sizeof(double));
    price = malloc(a->n_readings * sizeof(double));
    cost = malloc(a->n_readings * sizeof(double));
    if(!tt || !cap || !dem || !life || !growth || !price || !cost) {
        snprintf(err, errlen, "out of memory");
        rc = EXIT_MODEL;
        goto done;
    }
    k = 0;
    for(i = 0; i < a->n_readings; i++) {
        nc_reading *rd = &a->readings[i];
        if(k > 0 && tt[k - 1] == rd->time) {
            if(rd->demand_to_capacity > dem[k - 1])
                dem[k - 1] = rd->demand_to_capacity;
            if(isnan(price[k - 1])) {
                price[k - 1] = rd->price;
                cost[k - 1] = rd->cost;
            }
            rd->step = k - 1;
            continue;
        }
        tt[k] = rd->time;
        cap[k] = 1.0;
        dem[k] = rd->demand_to_capacity;
        life[k] = series_at(&ms, ms.life, rd->time);
        growth[k] = a->slowest_growth;
        price[k] = rd->price;
        cost[k] = rd->cost;
        rd->step = k;
        k++;
    }
    memset(&in, 0, sizeof(in));
    in.n = k;
    in.time = tt;
    in.capacity = cap;
    in.demand = dem;
    in.remaining_life = life;
    in.growth = growth;
    in.price = price;
    in.cost = cost;
    ocx_params_flagship(&p);
    if(ocd_diagnose(&in, &p, &a->res, msg, sizeof(msg)) != OCD_OK) {
        snprintf(err, errlen, "the diagnosis refused the readings: %s", msg);
        rc = EXIT_MODEL;
        goto done;
    }
    if(a->res->status == OCD_DIAGNOSED) {
        for(i = 0; i < a->n_readings; i++)
            a->readings[i].state = (int)a->res->steps[a->readings[i].step].state;
        for(i = 0; i < 8; i++) {
            int counts[OCD_STATE_COUNT] = {0, 0, 0, 0}, best = -1, total = 0;
            size_t s;
            for(s = 0; s < a->n_readings; s++)
                if(floor(a->readings[s].time) == 2020.0 + (double)i) {
                    counts[a->readings[s].state]++;
                    total++;
                }
            for(s = 0; s < OCD_STATE_COUNT; s++)
                if(counts[s] > 0 && (best < 0 || counts[s] > counts[best]))
                    best = (int)s;
            a->year_state[i] = best;
            a->year_count[i] = total;
            a->year_agree[i] = best >= 0 ? counts[best] : 0;
        }
    }
    rc = 0;
done:
    free(time);
    free(value);
    free(tt);
    free(cap);
    free(dem);
    free(life);
    free(growth);
    free(price);
    free(cost);
    model_series_free(&ms);
    if(rc) {
        och_table_free(a->table);
        a->table = NULL;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* The essay's question for today, on the calibrated model             */
/* ------------------------------------------------------------------ */

typedef struct today_ctx {
    job j;
    const char *scenario;
    int gradual;
    double gain, year;
} today_ctx;

static int today_prepare(void *ud, const oc_model *m, oc_run **r, char *err, size_t errlen)
{
    const today_ctx *c = ud;
    oc_error oe;
    if(job_prepare_run(&c->j, c->scenario, m, r, NULL) != 0) {
        snprintf(err, errlen, "scenario %s could not be prepared", c->scenario);
        return -1;
    }
    if(c->gradual &&
       (oc_run_set_value(*r, "later_gradual_efficiency_gain_per_year", c->gain, &oe) != OC_OK ||
        oc_run_set_value(*r, "gradual_regime_change_year", c->year, &oe) != OC_OK)) {
        snprintf(err, errlen, "%s: %s", oe.variable, oe.message);
        oc_run_free(*r);
        *r = NULL;
        return -1;
    }
    return 0;
}

/* A bubble with a gradual gain of `gain` a year from `year` on (and no
 * jump)? */
static int gradual_bubble(const oc_model *m, today_ctx *c, const ocx_mapping *map,
                          const ocd_params *p, double gain, int *bubble, char *err,
                          size_t errlen)
{
    ocx_jump jump;
    jump.year = c->year;
    jump.adoption_years = (double)NAN;
    c->gain = gain;
    c->gradual = 1;
    return ocx_bubble_with_jump(m, today_prepare, c, map, p, &jump, 1.0, bubble, NULL, 0, err,
                                errlen);
}

/* The highest gradual yearly gain without a bubble: from the scenario's own
 * gain up, by steps of 1.5x until a bubble, then bisection in log to
 * 1 + tol. *absorbed is the highest gain tried without a bubble, *breaks
 * the lowest with one (+inf when none up to max_gain). */
static int gradual_search(const oc_model *m, today_ctx *c, const ocx_mapping *map,
                          const ocd_params *p, double start, double max_gain, double tol,
                          double *absorbed, double *breaks, char *err, size_t errlen)
{
    double lo = start, hi;
    int b = 0;
    if(gradual_bubble(m, c, map, p, lo, &b, err, errlen))
        return -1;
    if(b) {
        *absorbed = (double)NAN;
        *breaks = lo;
        return 0;
    }
    for(hi = lo * 1.5;; hi *= 1.5) {
        if(hi > max_gain)
            hi = max_gain;
        if(gradual_bubble(m, c, map, p, hi, &b, err, errlen))
            return -1;
        if(b)
            break;
        lo = hi;
        if(hi >= max_gain) {
            *absorbed = hi;
            *breaks = HUGE_VAL;
            return 0;
        }
    }
    while(hi / lo > 1.0 + tol) {
        double mid = sqrt(lo * hi);
        if(gradual_bubble(m, c, map, p, mid, &b, err, errlen))
            return -1;
        if(b)
            hi = mid;
        else
            lo = mid;
    }
    *absorbed = lo;
    *breaks = hi;
    return 0;
}

/* The answers on one scenario. */
static int answer_today(FILE *fp, const oc_model *m, const char *scen, const char *what,
                        double year, double max_factor, double tol)
{
    today_ctx c;
    ocx_mapping map;
    ocd_params p;
    ocx_jump jump;
    scenario sc;
    oc_run *r = NULL;
    double fstar = 0, absorbed = 0, breaks = 0, trend = 3.0;
    char err[1024], verdict[1024];
    int b = 0, rc = EXIT_OK;

    memset(&c, 0, sizeof(c));
    memset(&sc, 0, sizeof(sc));
    if(job_init(&c.j, 1))
        return EXIT_MODEL;
    c.scenario = scen;
    c.year = year;
    ocx_mapping_flagship(&map);
    ocx_params_flagship(&p);
    jump.year = year;
    jump.adoption_years = (double)NAN;

    rc = job_prepare_run(&c.j, scen, m, &r, &sc);
    if(rc)
        goto done;
    /* The scenario's gradual gain before the change: the search starts
     * there, since slower than today's trend is not the question. */
    {
        oc_error oe;
        size_t n = oc_run_save_count(r);
        double *g = NULL;
        if(oc_run_simulate(r, &oe) == OC_OK && n > 0) {
            g = malloc(n * sizeof(double));
            if(g && ocx_series(m, r, "gradual_efficiency_gain_per_year", g, err,
                               sizeof(err)) == 0)
                trend = g[0];
        }
        free(g);
    }
    fprintf(fp, "\n%s: scenario %s\n", what, sc.name ? sc.name : scen);
    if(sc.description)
        bt_wrap(fp, "  ", sc.description);
    if(sc.assumptions)
        bt_wrap(fp, "  assumptions: ", sc.assumptions);

    c.gradual = 0;
    if(ocx_critical_jump(m, today_prepare, &c, &map, &p, &jump, max_factor, tol, &fstar, NULL,
                         err, sizeof(err)) != 0) {
        rc = cli_fail(EXIT_MODEL, "critical jump on %s: %s", scen, err);
        goto done;
    }
    if(sc.n_jumps > 0)
        fprintf(fp, "  (the scenario's jump in slot 1 is replaced by the jump tried; the gradual "
                    "search has no jump)\n");
    if(fstar == 1.0)
        fprintf(fp, "  critical jump: F* = 1, the scenario is a bubble without any jump\n");
    else if(isinf(fstar))
        bt_wrapf(fp, "  critical jump: ", "no jump up to %gx arriving in %g makes a bubble (F* > %g)",
              max_factor, year, max_factor);
    else {
        char f[32];
        bt_fmt_factor(f, sizeof(f), fstar);
        bt_wrapf(fp, "  critical jump: ",
              "F* = %sx: an efficiency gain of %sx or more arriving at once in %g makes a "
              "bubble",
              f, f, year);
        if(ocx_bubble_with_jump(m, today_prepare, &c, &map, &p, &jump, fstar, &b, verdict,
                                sizeof(verdict), err, sizeof(err)) == 0)
            bt_wrap(fp, "    at F*: ", verdict);
    }

    if(gradual_search(m, &c, &map, &p, trend, 1000.0, tol, &absorbed, &breaks, err,
                      sizeof(err)) != 0) {
        fprintf(fp, "  gradual gain: the search failed (%s)\n", err);
        goto done;
    }
    if(isnan(absorbed))
        fprintf(fp, "  gradual gain: already a bubble at the current %gx a year\n", trend);
    else if(isinf(breaks))
        fprintf(fp, "  gradual gain: every gain up to %gx a year from %g on is absorbed\n",
                absorbed, year);
    else {
        char f1[32], f2[32];
        bt_fmt_factor(f1, sizeof(f1), absorbed);
        bt_fmt_factor(f2, sizeof(f2), breaks);
        bt_wrapf(fp, "  gradual gain: ",
              "the market absorbs up to %sx a year from %g on (instead of %gx); %sx a year "
              "makes a bubble",
              f1, year, trend, f2);
        c.gain = breaks;
        c.gradual = 1;
        if(ocx_bubble_with_jump(m, today_prepare, &c, &map, &p, &jump, 1.0, &b, verdict,
                                sizeof(verdict), err, sizeof(err)) == 0)
            bt_wrap(fp, "    at that gain: ", verdict);
    }
done:
    oc_run_free(r);
    scenario_free(&sc);
    job_free(&c.j);
    return rc;
}

/* ------------------------------------------------------------------ */
/* overcap nowcast                                                     */
/* ------------------------------------------------------------------ */

void help_nowcast(FILE *fp)
{
    fputs("usage: overcap nowcast [OPTIONS]\n"
          "\n"
          "Where the AI compute market stands now, from observed indicators\n"
          "(data/ai-market/nowcast_indicators.csv, built in; each row carries its\n"
          "source and confidence), and the essay's question for today.\n"
          "\n"
          "1. The two conditions of a bubble on the observations, 2020-2026:\n"
          "   overcapacity: readings of the balance of capacity and demand. Rental\n"
          "   prices are read through the calibrated model's price rule (price =\n"
          "   running cost + capital charge x scarcity: at the full cost of new\n"
          "   capacity demand is at target utilization, above it proportionally\n"
          "   more); \"sold out\" reports mean demand at least equals capacity.\n"
          "   Busy-time utilization figures and capacity waiting for power are listed\n"
          "   but not counted: they are not capacity nobody pays for.\n"
          "   weak demand: the growth of every demand indicator (tokens, users,\n"
          "   revenue); the slowest one is used.\n"
          "   The diagnosis (the same as everywhere in overcap) classifies each\n"
          "   reading; the report gives the state by year, how many readings agree\n"
          "   and their confidence.\n"
          "2. The smallest efficiency jump arriving now (--year) that makes a bubble,\n"
          "   and the highest gradual yearly gain the market absorbs (the later\n"
          "   gradual gain from --year on, bisection), on the calibrated baseline (the\n"
          "   data) and on the essay's assumptions (the jump-10x preset's demand\n"
          "   speed and hardware life, its own jump replaced by the one tried).\n"
          "\n"
          "options:\n"
          "  --file CSV         indicators of your own (columns time, indicator, value,\n"
          "                     category, confidence; unit, period, note optional)\n"
          "  --year T           now: the year the jump or the faster gradual gain\n"
          "                     arrives (default 2026.9, late November 2026)\n"
          "  --max-factor F     the largest jump tried (default 100000)\n"
          "  --tolerance X      relative precision of both searches (default 0.01)\n"
          "  --essay S          the scenario for the essay's assumptions (jump-10x)\n"
          "\n"
          "Exit codes: 0 ok, 1 malformed data or model, 2 usage, 3 input/output.\n"
          "\n"
          "examples:\n"
          "  overcap nowcast\n"
          "  overcap nowcast --year 2028\n",
          fp);
}

/* "2026-03" or the time. */
static void when(char *buf, size_t size, const och_table *t, const indicator_cols *c, size_t row,
                 double time)
{
    if(c->has_period)
        snprintf(buf, size, "%.10s", och_table_cell(t, row, c->period));
    else
        snprintf(buf, size, "%.3f", time);
}

static void print_readings(FILE *fp, const nc_assessment *a, const indicator_cols *c,
                           const double *time, const double *value)
{
    size_t i, n = och_table_rows(a->table);
    char w[24];
    fprintf(fp, "  readings of the balance of capacity and demand, the diagnosis's state "
                "and the source's confidence:\n");
    for(i = 0; i < a->n_readings; i++) {
        const nc_reading *rd = &a->readings[i];
        const char *conf = och_table_cell(a->table, rd->row, c->confidence);
        when(w, sizeof(w), a->table, c, rd->row, rd->time);
        fprintf(fp, "    %-8s %-30.30s %-12s %s\n", w,
                och_table_cell(a->table, rd->row, c->indicator),
                rd->state >= 0 ? ocd_state_name(rd->state) : "-", conf);
        if(!isnan(rd->price))
            fprintf(fp,
                    "%13s$%.2f an H100e-hour, %.1fx the full cost of new capacity ($%.2f): "
                    "demand %.2fx capacity\n",
                    "", rd->price, rd->price / rd->full_cost, rd->full_cost,
                    rd->demand_to_capacity);
        else
            fprintf(fp, "%13s\"%.60s\": demand at least equals capacity\n", "",
                    c->has_note ? och_table_cell(a->table, rd->row, c->note) : "sold out");
    }
    fprintf(fp, "  not counted (they do not measure capacity nobody pays for):\n");
    for(i = 0; i < n; i++) {
        const reading_rule *rule = rule_of(och_table_cell(a->table, i, c->indicator));
        char v[40];
        if(!rule || rule->kind != READ_EXCLUDED || time[i] < 2020 || time[i] >= 2027)
            continue;
        when(w, sizeof(w), a->table, c, i, time[i]);
        bt_fmt_num(v, sizeof(v), value[i]);
        fprintf(fp, "    %-8s %-30.30s %s  [%s]\n%13s%s\n", w,
                och_table_cell(a->table, i, c->indicator), v,
                och_table_cell(a->table, i, c->confidence), "", rule->why);
    }
}

static void print_growth(FILE *fp, const nc_assessment *a, const indicator_cols *c,
                         const double *time, const double *value)
{
    size_t i, j, n = och_table_rows(a->table);
    fprintf(fp, "  demand indicators, growth per year from first to last observation in "
                "2020-2026:\n");
    for(i = 0; i < n; i++) {
        const char *name = och_table_cell(a->table, i, c->indicator);
        size_t last = 0;
        double g;
        int seen = 0;
        if(!is_demand_level(a->table, c, i))
            continue;
        for(j = 0; j < i; j++)
            if(strcmp(och_table_cell(a->table, j, c->indicator), name) == 0)
                seen = 1;
        if(seen)
            continue;
        g = indicator_growth(a->table, c, time, value, name, &last);
        if(isnan(g))
            continue;
        fprintf(fp, "    %-36.36s %6.2f a year (x%.1f)  [%s]\n", name, g, exp(g),
                och_table_cell(a->table, last, c->confidence));
    }
    for(i = 0; i < n; i++) {
        const char *name = och_table_cell(a->table, i, c->indicator);
        size_t last = 0;
        double g;
        if(strcmp(name, "compute_stock_all_vendors_cum_h100e") != 0)
            continue;
        g = indicator_growth(a->table, c, time, value, name, &last);
        if(!isnan(g))
            fprintf(fp, "  installed compute (%s): %.2f a year (x%.1f)\n", name, g, exp(g));
        break;
    }
}

int cmd_nowcast(int argc, char **argv)
{
    nc_assessment a;
    indicator_cols c;
    const char *file = NULL, *essay = "jump-10x";
    double year = NC_DEFAULT_YEAR, max_factor = 100000, tol = 0.01, x;
    double *time = NULL, *value = NULL;
    oc_model *m = NULL;
    oc_error oe;
    char err[1024], verdict[1024];
    size_t n, i;
    int rc = EXIT_OK, k;

    memset(&a, 0, sizeof(a));
    for(k = 1; k < argc; k++) {
        const char *o = argv[k];
        const char *v = k + 1 < argc ? argv[k + 1] : NULL;
        if(strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            help_nowcast(stdout);
            return EXIT_OK;
        }
        if(strcmp(o, "--file") != 0 && strcmp(o, "--year") != 0 &&
           strcmp(o, "--max-factor") != 0 && strcmp(o, "--tolerance") != 0 &&
           strcmp(o, "--essay") != 0)
            return cli_fail(EXIT_USAGE, "unknown argument '%s' (try: overcap help nowcast)", o);
        if(!v)
            return cli_fail(EXIT_USAGE, "%s needs a value (try: overcap help nowcast)", o);
        k++;
        if(strcmp(o, "--file") == 0)
            file = v;
        else if(strcmp(o, "--essay") == 0)
            essay = v;
        else {
            if(cli_number_arg(o, v, &x))
                return EXIT_USAGE;
            if(strcmp(o, "--year") == 0) {
                if(x < 2020 || x > 2040)
                    return cli_fail(EXIT_USAGE, "--year: %g is outside the model's 2020-2040", x);
                year = x;
            }
            else if(strcmp(o, "--max-factor") == 0) {
                if(!(x > 1))
                    return cli_fail(EXIT_USAGE, "--max-factor must be above 1");
                max_factor = x;
            }
            else {
                if(!(x > 0 && x < 1))
                    return cli_fail(EXIT_USAGE, "--tolerance must be between 0 and 1");
                tol = x;
            }
        }
    }

    rc = nc_assess(file, &a, err, sizeof(err));
    if(rc)
        return cli_fail(rc, "%s", err);
    if(find_indicator_cols(a.table, &c, err, sizeof(err))) {
        rc = cli_fail(EXIT_USAGE, "%s", err);
        goto done;
    }
    n = och_table_rows(a.table);
    time = malloc(n * sizeof(double));
    value = malloc(n * sizeof(double));
    if(!time || !value || och_table_numbers(a.table, c.time, time, err, sizeof(err)) ||
       och_table_numbers(a.table, c.value, value, err, sizeof(err))) {
        rc = cli_fail(EXIT_MODEL, "%s", time && value ? err : "out of memory");
        goto done;
    }

    printf("nowcast: the AI compute market from observed indicators, 2020-2026\n");
    printf("  data: %s (%zu rows, each with its source and confidence)\n",
           och_table_name(a.table), n);
    printf("  costs, hardware life and the price rule: the calibrated model, baseline "
           "scenario\n");

    printf("\ncondition 1, overcapacity (idle share above %.0f%%):\n",
           100 * a.res->idle_threshold);
    print_readings(stdout, &a, &c, time, value);
    printf("\ncondition 2, weak demand (demand cannot fill idle capacity within the hardware's "
           "remaining life):\n");
    print_growth(stdout, &a, &c, time, value);
    {
        const ocd_step *last = a.res->status == OCD_DIAGNOSED
                                   ? &a.res->steps[a.res->step_count - 1]
                                   : NULL;
        printf("  the test uses the slowest, %s: %.2f a year (x%.1f)\n",
               och_table_cell(a.table, a.slowest_row, c.indicator), a.slowest_growth,
               exp(a.slowest_growth));
        if(last) {
            printf("  with no idle capacity there is nothing to fill (fill time 0). If the "
                   "busy-time readings\n  were read as idle capacity instead, demand at that "
                   "growth would fill it:\n");
            for(i = 0; i < n; i++) {
                const reading_rule *rule = rule_of(och_table_cell(a.table, i, c.indicator));
                double busy = value[i];
                if(!rule || !rule->busy_time || !(busy > 0 && busy < 1))
                    continue;
                printf("    %-30.30s %.0f%% busy, %.0f%% idle: filled in %.1f years, %s the "
                       "%.1f years the hardware has left\n",
                       och_table_cell(a.table, i, c.indicator), 100 * busy, 100 * (1 - busy),
                       log(1 / busy) / a.slowest_growth,
                       log(1 / busy) / a.slowest_growth <= last->remaining_life ? "within"
                                                                                : "beyond",
                       last->remaining_life);
            }
        }
    }

    printf("\nstate by year (the diagnosis on the readings):\n");
    for(k = 2020; k <= 2026; k++) {
        int st = nc_state_in_year(&a, k);
        if(st < 0) {
            printf("  %d  no reading\n", k);
            continue;
        }
        printf("  %d  %-13s %d of %d reading%s agree\n", k, ocd_state_name(st),
               a.year_agree[k - 2020], a.year_count[k - 2020],
               a.year_count[k - 2020] == 1 ? "" : "s");
    }
    ocd_verdict(a.res, NULL, verdict, sizeof(verdict));
    bt_wrap(stdout, "verdict: ", verdict);
    {
        /* Now: the readings of the last twelve months before `year`. */
        int counts[OCD_STATE_COUNT] = {0, 0, 0, 0}, total = 0, best = 0;
        char confs[512] = "";
        size_t used = 0;
        for(i = 0; i < a.n_readings; i++) {
            const nc_reading *rd = &a.readings[i];
            if(rd->time <= year - 1.0 || rd->time > year || rd->state < 0)
                continue;
            counts[rd->state]++;
            total++;
            if(used < sizeof(confs) - 40) {
                int w = snprintf(confs + used, sizeof(confs) - used, "%s%s", used ? ", " : "",
                                 och_table_cell(a.table, rd->row, c.confidence));
                if(w > 0)
                    used += (size_t)w;
            }
        }
        for(k = 1; k < OCD_STATE_COUNT; k++)
            if(counts[k] > counts[best])
                best = k;
        if(total)
            bt_wrapf(stdout, "now: ",
                  "%g: %s; %d of %d readings of the last 12 months agree (confidence: %s); the "
                  "readings that would say otherwise measure busy time or capacity waiting for "
                  "power, not capacity nobody pays for",
                  year, ocd_state_name(best), counts[best], total, confs);
        else
            printf("now (%g): no reading in the last 12 months; the latest state is %s\n", year,
                   ocd_state_name(a.readings[a.n_readings - 1].state));
    }

    printf("\nthe essay's question for today: a jump or a faster gradual gain arriving in %g\n",
           year);
    printf("(the built-in model ai_compute.xmile; the jump in its first slot, adopted over the "
           "scenario's time)\n");
    if(cli_load_model(NULL, &m, &oe) != OC_OK) {
        cli_report(&oe);
        rc = cli_exit_code(oe.code);
        goto done;
    }
    rc = answer_today(stdout, m, "baseline", "the data", year, max_factor, tol);
    if(!rc)
        rc = answer_today(stdout, m, essay, "the essay's assumptions", year, max_factor, tol);
    if(!rc && ferror(stdout))
        rc = EXIT_IO;
done:
    free(time);
    free(value);
    oc_model_free(m);
    nc_assessment_free(&a);
    return rc;
}
