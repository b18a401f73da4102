/*
 * job.h - what every simulating command shares: which model, which
 * scenario, which overrides and specs; loading and preparing a run.
 */
#ifndef OC_JOB_H
#define OC_JOB_H

#include <stdint.h>

#include "cli.h"
#include "scenario.h"

typedef struct job {
    const char *model_path; /* NULL: the built-in model */
    const char *scenario;   /* preset name or .json path; NULL: none (baseline
                               for the built-in model) */
    const char **sets;      /* "NAME=VALUE" */
    size_t n_sets;
    int has_method, has_dt, has_start, has_stop, has_save;
    oc_method method;
    double dt, start, stop, save;
    uint64_t seed;
} job;

/* Initialises j (argc bounds the number of --set options). */
int job_init(job *j, int argc);
void job_free(job *j);

/* Consumes the option at argv[*i] if it is a job option (--scenario, --set,
 * --method, --dt, --start, --stop, --save-step, --seed), advancing *i past
 * its value. Returns 1 when consumed, 0 when not a job option, or an exit
 * code (EXIT_USAGE) after printing the error. */
int job_option(job *j, int *i, int argc, char **argv);

/* The help lines for the job options. */
void job_help(FILE *fp);
/* The same without --seed, for commands whose --seed is their own. */
void job_help_options(FILE *fp);

/* Loads the model, creates a run, applies the scenario (or `scenario`
 * given here instead of j->scenario when not NULL), the specs options and
 * the --set overrides, in that order. On success *m, *r (and *sc when not
 * NULL) are owned by the caller. Returns 0 or an exit code after printing
 * the error. */
int job_prepare(const job *j, const char *scenario_override, oc_model **m, oc_run **r,
                scenario *sc);

/* The same on an already loaded model: a fresh run. */
int job_prepare_run(const job *j, const char *scenario_override, const oc_model *m, oc_run **r,
                    scenario *sc);

/* ... with `lanes` scenarios per pass (Monte Carlo), every lane prepared
 * alike. */
int job_prepare_lanes(const job *j, const char *scenario_override, const oc_model *m,
                      size_t lanes, oc_run **r, scenario *sc);

#endif
