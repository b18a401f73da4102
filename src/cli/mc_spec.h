/*
 * mc_spec.h - Monte Carlo specs: what is uncertain, how it is drawn, and a
 * sampler that turns a sample number into parameter values and jumps.
 *
 * A spec is JSON (uncertainty/ai_compute.json is the flagship's):
 *   {"name", "description", "scenario": base preset or file, "model": file,
 *    "samples": N, "seed": S, "sampling": "random" | "lhs" | "sobol",
 *    "parameters": {constant: {"dist": ..., parameters, "truncate": [lo, hi]}},
 *    "correlations": [{"a": constant, "b": constant, "rank": r}],
 *    "jumps": {"rate_per_year", "start", "end", "size": dist,
 *              "adoption_years": dist},
 *    "bands": [variable, ...]}
 * Distributions: uniform (min, max), loguniform (min, max), normal (mean,
 * sd), lognormal (median, gsd | mean, sd), triangular (min, mode, max), beta
 * (alpha, beta, min, max), pert (min, mode, max[, lambda]), choice (values,
 * weights), pareto (xmin, alpha), exponential (rate). "source" and "note"
 * keys document a parameter and are not read.
 */
#ifndef OC_MC_SPEC_H
#define OC_MC_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "mc.h"
#include "overcap.h"
#include "sampling.h"

#define MC_MAX_PARAMS 120
#define MC_MAX_BANDS 32
#define MC_MAX_SAMPLES ((uint64_t)1 << 40)

typedef struct mc_param {
    char *name;        /* as the spec writes it */
    size_t index;      /* the constant's listed index, once bound */
    ocs_dist dist;
    int corr_col;      /* its column in the correlation matrix, or -1 */
} mc_param;

typedef struct mc_spec {
    char source[512];
    char *name;
    char *description;
    char *scenario;   /* NULL: baseline for the built-in model, none otherwise */
    char *model_path; /* NULL: the built-in model */
    uint64_t samples;
    uint64_t seed;
    ocs_method method;
    mc_param *params;
    size_t n_params;
    size_t n_corr;       /* parameters in the correlation matrix */
    double *corr_matrix; /* n_corr x n_corr */
    size_t *corr_params; /* the parameter behind each column */
    int has_jumps;
    double jump_rate, jump_start, jump_end;
    ocs_dist jump_size, jump_adoption;
    char **bands;
    size_t n_bands;
    uint64_t fingerprint; /* of the spec's text: a checkpoint must match it */
} mc_spec;

/* Parses a spec (file path, or "built-in" for the flagship's). Errors name
 * the key: "parameters.hardware_life_years.max: ...". Returns 0, EXIT_IO when
 * the file cannot be read, or -1. */
int mc_spec_load(const char *path, mc_spec *s, char *err, size_t errlen);
int mc_spec_parse(const char *text, size_t len, const char *source, mc_spec *s, char *err,
                  size_t errlen);
void mc_spec_free(mc_spec *s);

/* Binds the spec to a model: every parameter a constant of the model whose
 * distribution stays within its <range>, the jump slots present when the
 * spec has jumps, the band variables known. Fills cfg's parameter and jump
 * fields. Returns 0 or -1 with err. */
int mc_spec_bind(mc_spec *s, const oc_model *m, ocmc_config *cfg, size_t *band_index,
                 char *err, size_t errlen);

/* The sampler: design points through the distributions, rank correlation
 * within fixed blocks, and the jump arrivals of each sample. */
typedef struct mc_sampler mc_sampler;

int mc_sampler_create(const mc_spec *s, unsigned threads, mc_sampler **out, char *err,
                      size_t errlen);
void mc_sampler_free(mc_sampler *smp);

/* The ocmc_config.sample callback (ud is the mc_sampler). */
int mc_sampler_sample(void *ud, unsigned thread, uint64_t i, double *values, ocmc_jump *jumps,
                      size_t *n_jumps);

/* For sensitivity: the same parameters read from a unit point u instead of
 * the design (u has n_params + 2 entries when the spec has jumps: the first
 * jump's time and size, and no other jump). */
int mc_sampler_from_unit(const mc_spec *s, const double *u, double *values, ocmc_jump *jumps,
                         size_t *n_jumps);

#endif
