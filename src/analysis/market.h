/*
 * market.h - the bubble diagnosis applied to a simulation run, through a
 * mapping from the diagnosis's series to the model's variables.
 *
 * The diagnosis (diagnosis.h) works on plain arrays; this module extracts
 * them from an oc_run by variable name, so any model can be diagnosed once
 * the user says which variable is capacity, which is demand, and so on. The
 * flagship AI compute model has a built-in mapping.
 */
#ifndef OVERCAP_MARKET_H
#define OVERCAP_MARKET_H

#include <stddef.h>

#include "diagnosis.h"
#include "overcap.h"

/* Variable names for each series; NULL when the model has no such series
 * (optional ones only). remaining_life may instead be a constant number of
 * years (life_years > 0, remaining_life NULL). */
typedef struct ocx_mapping {
    const char *capacity;
    const char *demand;
    const char *remaining_life;
    double life_years;
    const char *growth;
    const char *utilization;
    const char *price;
    const char *cost;
    const char *capex;
    const char *book_value;
    const char *stranded;
} ocx_mapping;

/* The flagship model's names (models/ai_compute.xmile). */
void ocx_mapping_flagship(ocx_mapping *map);

/* The flagship's diagnosis parameters: thresholds at their defaults, money
 * in billions of dollars, time in years. */
void ocx_params_flagship(ocd_params *p);

/* Diagnoses a simulated run. The run must have saved every mapped variable
 * (the default selection saves all). Returns 0, or -1 with a message naming
 * the variable (for example "capacity: no variable 'cap' in the model"). */
int ocx_diagnose_run(const oc_model *m, const oc_run *r, const ocx_mapping *map,
                     const ocd_params *p, ocd_result **out, char *err, size_t errlen);

/* The saved series of one variable into out (oc_run_save_count values).
 * Returns 0, or -1 with a message when the name is unknown or not saved. */
int ocx_series(const oc_model *m, const oc_run *r, const char *name, double *out, char *err,
               size_t errlen);

/* The same for one lane of a run with several (oc_run_create_lanes). */
int ocx_series_lane(const oc_model *m, const oc_run *r, size_t lane, const char *name,
                    double *out, char *err, size_t errlen);
int ocx_diagnose_lane(const oc_model *m, const oc_run *r, size_t lane, const ocx_mapping *map,
                      const ocd_params *p, ocd_result **out, char *err, size_t errlen);

/* Prepares a fresh run of the model with a scenario's settings; the critical
 * search calls it once per evaluation. Returns 0, or -1 with err. */
typedef int (*ocx_prepare_fn)(void *ud, const oc_model *m, oc_run **run, char *err,
                              size_t errlen);

/* A jump tried on top of a prepared run: the model's first jump slot
 * (jump_1_year, jump_1_factor, jump_1_adoption_years). */
typedef struct ocx_jump {
    double year;
    double adoption_years; /* NaN: keep the run's */
} ocx_jump;

/* Runs with a jump of `factor` and diagnoses. *bubble is 1 when the run has
 * at least one bubble episode; verdict (may be NULL) receives the verdict.
 * Returns 0, or -1 with err. */
int ocx_bubble_with_jump(const oc_model *m, ocx_prepare_fn prep, void *ud, const ocx_mapping *map,
                         const ocd_params *p, const ocx_jump *jump, double factor, int *bubble,
                         char *verdict, size_t vlen, char *err, size_t errlen);

/* F*, the smallest jump factor in [1, max_factor] that gives a bubble, by
 * bisection on log F until hi/lo <= 1 + tolerance. *fstar is 1 when the run
 * is a bubble without a jump and +infinity when no jump up to max_factor
 * makes one. Assumes a larger jump never removes a bubble. *evaluations
 * (may be NULL) counts the runs. Returns 0, or -1 with err. */
int ocx_critical_jump(const oc_model *m, ocx_prepare_fn prep, void *ud, const ocx_mapping *map,
                      const ocd_params *p, const ocx_jump *jump, double max_factor,
                      double tolerance, double *fstar, int *evaluations, char *err,
                      size_t errlen);

#endif
