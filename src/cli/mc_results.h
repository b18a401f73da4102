/*
 * mc_results.h - the results of `overcap mc` (its -o JSON) read back, and
 * drawn: P(bubble by year) and percentile fans. `overcap plot --mc FILE`
 * draws a saved run; `overcap report --mc SPEC` runs one (through cmd_mc,
 * in this process) and draws it into the report.
 */
#ifndef OC_MC_RESULTS_H
#define OC_MC_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "svg.h"

typedef struct mcr_band {
    char *name;
    size_t n;
    double *time, *p5, *p25, *p50, *p75, *p95;
} mcr_band;

typedef struct mcr_class {
    char *name; /* "no jump", "up to 5x", ... */
    uint64_t futures, bubbles;
    double p, lo, hi;
} mcr_class;

typedef struct mc_results {
    char *spec_source, *spec_name, *sampling;
    uint64_t samples, seed, futures, failed, undiagnosed;
    int partial;
    double p, lo, hi;         /* P(bubble) over the run, 95% interval */
    size_t n_times;           /* P(bubble by time) */
    double *time, *p_by, *lo_by, *hi_by;
    double onset_p50, onset_p5, onset_p95; /* NaN when no bubble */
    size_t n_bands;
    mcr_band *bands;
    size_t n_classes;
    mcr_class *classes;
} mc_results;

/* Parses the JSON `overcap mc -o` writes. Returns 0, or -1 with a message
 * naming the source and the key. */
int mcr_parse(const char *text, size_t len, const char *source, mc_results *r, char *err,
              size_t errlen);
/* The same from a file: 0, EXIT_IO when the file cannot be read, or -1. */
int mcr_load(const char *path, mc_results *r, char *err, size_t errlen);
void mcr_free(mc_results *r);

/* Runs `overcap mc SPEC --quiet -o TEMP [--samples N]` in this process
 * (scenario: a preset or file for the base scenario, or NULL) and reads
 * the results. Prints errors; returns 0 or an exit code. */
int mcr_run(const char *spec, const char *scenario, const char *samples, mc_results *r);

/* The band of a variable, or NULL. */
const mcr_band *mcr_find_band(const mc_results *r, const char *name);

/* P(bubble by year) with its interval; the title states the result. base
 * gives size, id and inline_html; its title, when set, replaces the
 * generated one. */
int mcr_chart_probability(const mc_results *r, const ocg_chart *base, ocg_svg *out, char *err,
                          size_t errlen);

/* The percentile fan of one band variable (log axis when log_y). */
int mcr_chart_fan(const mc_results *r, const mcr_band *b, const char *y_label, int log_y,
                  const ocg_chart *base, ocg_svg *out, char *err, size_t errlen);

#endif
