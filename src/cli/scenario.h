/*
 * scenario.h - scenario files (see scenario.c for the format).
 */
#ifndef OC_SCENARIO_H
#define OC_SCENARIO_H

#include <stddef.h>

#include "overcap.h"

#define SCENARIO_MAX_JUMPS 3
#define SCENARIO_MAX_BYTES (1 << 20)

typedef struct scenario_jump {
    double year;
    double factor;         /* >= 1 */
    double adoption_years; /* >= 0 */
} scenario_jump;

typedef struct scenario_set {
    char *name;
    double value;
} scenario_set;

typedef struct scenario {
    char source[512]; /* the file, or built-in:scenarios/NAME.json */
    char *name;
    char *description;
    char *assumptions;
    scenario_set *set;
    size_t n_set;
    scenario_jump jumps[SCENARIO_MAX_JUMPS];
    size_t n_jumps;
    int has_start, has_stop, has_dt, has_save_step, has_method;
    double start, stop, dt, save_step;
    oc_method method;
} scenario;

/* Parses scenario JSON; on error fills err (naming the key) and returns -1. */
int scenario_parse(const char *text, size_t len, const char *source, scenario *s, char *err,
                   size_t errlen);

/* A preset name (scenarios/NAME.json, built in) or a path to a .json file.
 * Returns 0, EXIT_IO when the file cannot be read, or -1. */
int scenario_load(const char *name_or_path, scenario *s, char *err, size_t errlen);

/* Applies the specs, overrides and jumps to a run of m, checking every name,
 * type and range first against the model. Returns 0 or -1 with err. */
int scenario_apply(const scenario *s, const oc_model *m, oc_run *r, char *err, size_t errlen);

/* Sets one constant of a run, checking that it exists, is a constant and
 * lies in its <range>. Messages begin "SOURCE: WHAT: ". Returns 0 or -1. */
int scenario_set_checked(const char *source, const oc_model *m, oc_run *r, const char *what,
                         const char *name, double value, char *err, size_t errlen);

void scenario_free(scenario *s);

#endif
