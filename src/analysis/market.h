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

#endif
