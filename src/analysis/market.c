/*
 * market.c - the bubble diagnosis on simulation runs (see market.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "market.h"

void ocx_mapping_flagship(ocx_mapping *map)
{
    memset(map, 0, sizeof(*map));
    map->capacity = "compute_capacity";
    map->demand = "compute_demand";
    map->remaining_life = "hardware_remaining_life_years";
    map->growth = "underlying_demand_growth";
    map->price = "compute_price";
    map->cost = "running_cost_per_unit";
    map->capex = "capex";
    map->book_value = "book_value";
    map->stranded = "stranded_book_value";
}

void ocx_params_flagship(ocd_params *p)
{
    ocd_params_default(p);
    p->money_scale = 1e9; /* the model's money is in billions of US dollars */
    p->money_label = "$";
    p->time_unit = "years";
    p->asset_name = "the hardware";
}

int ocx_series_lane(const oc_model *m, const oc_run *r, size_t lane, const char *name,
                    double *out, char *err, size_t errlen)
{
    size_t idx, j, nsel = oc_run_selected_count(r);
    if(oc_model_find(m, name, &idx, NULL) != OC_OK) {
        snprintf(err, errlen, "no variable '%s' in the model", name);
        return -1;
    }
    for(j = 0; j < nsel; j++)
        if(oc_run_selected_index(r, j) == idx)
            break;
    if(j == nsel) {
        snprintf(err, errlen, "variable '%s' was not saved by the run", name);
        return -1;
    }
    oc_run_lane_series(r, lane, j, out);
    return 0;
}

int ocx_series(const oc_model *m, const oc_run *r, const char *name, double *out, char *err,
               size_t errlen)
{
    return ocx_series_lane(m, r, 0, name, out, err, errlen);
}

/* Fetches an optional series into a fresh array (NULL name: NULL array). */
static int fetch(const oc_model *m, const oc_run *r, size_t lane, const char *role,
                 const char *name, double **arr, char *err, size_t errlen)
{
    size_t n = oc_run_save_count(r);
    char msg[300];
    *arr = NULL;
    if(!name)
        return 0;
    *arr = malloc((n ? n : 1) * sizeof(double));
    if(!*arr) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if(ocx_series_lane(m, r, lane, name, *arr, msg, sizeof(msg)) != 0) {
        snprintf(err, errlen, "%s: %s", role, msg);
        free(*arr);
        *arr = NULL;
        return -1;
    }
    return 0;
}

int ocx_diagnose_run(const oc_model *m, const oc_run *r, const ocx_mapping *map,
                     const ocd_params *p, ocd_result **out, char *err, size_t errlen)
{
    return ocx_diagnose_lane(m, r, 0, map, p, out, err, errlen);
}

int ocx_diagnose_lane(const oc_model *m, const oc_run *r, size_t lane, const ocx_mapping *map,
                      const ocd_params *p, ocd_result **out, char *err, size_t errlen)
{
    size_t n = oc_run_save_count(r), i;
    double *time = NULL, *cap = NULL, *dem = NULL, *life = NULL, *growth = NULL, *util = NULL,
           *price = NULL, *cost = NULL, *capex = NULL, *book = NULL, *stranded = NULL;
    ocd_input in;
    int rc = -1;
    char msg[400];

    *out = NULL;
    if(!map->capacity || !map->demand) {
        snprintf(err, errlen, "the mapping needs capacity and demand variables");
        return -1;
    }
    if(!map->remaining_life && !(map->life_years > 0.0)) {
        snprintf(err, errlen, "the mapping needs a remaining-life variable or a life in years");
        return -1;
    }
    time = malloc((n ? n : 1) * sizeof(double));
    if(!time) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for(i = 0; i < n; i++)
        time[i] = oc_run_time(r, i);
    if(fetch(m, r, lane, "capacity", map->capacity, &cap, err, errlen) ||
       fetch(m, r, lane, "demand", map->demand, &dem, err, errlen) ||
       fetch(m, r, lane, "remaining life", map->remaining_life, &life, err, errlen) ||
       fetch(m, r, lane, "growth", map->growth, &growth, err, errlen) ||
       fetch(m, r, lane, "utilization", map->utilization, &util, err, errlen) ||
       fetch(m, r, lane, "price", map->price, &price, err, errlen) ||
       fetch(m, r, lane, "cost", map->cost, &cost, err, errlen) ||
       fetch(m, r, lane, "capex", map->capex, &capex, err, errlen) ||
       fetch(m, r, lane, "book value", map->book_value, &book, err, errlen) ||
       fetch(m, r, lane, "stranded", map->stranded, &stranded, err, errlen))
        goto done;
    if(!life) {
        life = malloc((n ? n : 1) * sizeof(double));
        if(!life) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        for(i = 0; i < n; i++)
            life[i] = map->life_years;
    }
    memset(&in, 0, sizeof(in));
    in.n = n;
    in.time = time;
    in.capacity = cap;
    in.demand = dem;
    in.remaining_life = life;
    in.growth = growth;
    in.utilization = util;
    in.price = price;
    in.cost = cost;
    in.capex = capex;
    in.book_value = book;
    in.stranded = stranded;
    if(ocd_diagnose(&in, p, out, msg, sizeof(msg)) != OCD_OK) {
        snprintf(err, errlen, "diagnosis: %s", msg);
        goto done;
    }
    rc = 0;
done:
    free(time);
    free(cap);
    free(dem);
    free(life);
    free(growth);
    free(util);
    free(price);
    free(cost);
    free(capex);
    free(book);
    free(stranded);
    return rc;
}

int ocx_bubble_with_jump(const oc_model *m, ocx_prepare_fn prep, void *ud, const ocx_mapping *map,
                         const ocd_params *p, const ocx_jump *jump, double factor, int *bubble,
                         char *verdict, size_t vlen, char *err, size_t errlen)
{
    oc_run *r = NULL;
    ocd_result *res = NULL;
    oc_error oe;
    int rc = -1;
    if(prep(ud, m, &r, err, errlen) != 0)
        return -1;
    if(oc_run_set_value(r, "jump_1_year", jump->year, &oe) != OC_OK ||
       oc_run_set_value(r, "jump_1_factor", factor, &oe) != OC_OK ||
       (!isnan(jump->adoption_years) &&
        oc_run_set_value(r, "jump_1_adoption_years", jump->adoption_years, &oe) != OC_OK)) {
        snprintf(err, errlen, "%s: %s", oe.variable, oe.message);
        goto done;
    }
    if(oc_run_simulate(r, &oe) != OC_OK) {
        char buf[1024];
        oc_error_format(&oe, buf, sizeof(buf));
        snprintf(err, errlen, "a jump of %g: %s", factor, buf);
        goto done;
    }
    if(ocx_diagnose_run(m, r, map, p, &res, err, errlen) != 0)
        goto done;
    *bubble = res->episode_count > 0;
    if(verdict)
        ocd_verdict(res, p, verdict, vlen);
    rc = 0;
done:
    ocd_result_free(res);
    oc_run_free(r);
    return rc;
}

int ocx_critical_jump(const oc_model *m, ocx_prepare_fn prep, void *ud, const ocx_mapping *map,
                      const ocd_params *p, const ocx_jump *jump, double max_factor,
                      double tolerance, double *fstar, int *evaluations, char *err,
                      size_t errlen)
{
    double lo = 1.0, hi = max_factor;
    int b = 0, count = 0, rc = -1;
    if(!(max_factor > 1.0) || !(tolerance > 0.0)) {
        snprintf(err, errlen, "the largest factor must be above 1 and the tolerance positive");
        return -1;
    }
    count++;
    if(ocx_bubble_with_jump(m, prep, ud, map, p, jump, 1.0, &b, NULL, 0, err, errlen))
        goto done;
    if(b) {
        *fstar = 1.0;
        rc = 0;
        goto done;
    }
    count++;
    if(ocx_bubble_with_jump(m, prep, ud, map, p, jump, max_factor, &b, NULL, 0, err, errlen))
        goto done;
    if(!b) {
        *fstar = HUGE_VAL;
        rc = 0;
        goto done;
    }
    /* invariant: no bubble at lo, a bubble at hi */
    while(hi / lo > 1.0 + tolerance) {
        double mid = sqrt(lo * hi);
        count++;
        if(ocx_bubble_with_jump(m, prep, ud, map, p, jump, mid, &b, NULL, 0, err, errlen))
            goto done;
        if(b)
            hi = mid;
        else
            lo = mid;
    }
    *fstar = hi;
    rc = 0;
done:
    if(evaluations)
        *evaluations = count;
    return rc;
}
