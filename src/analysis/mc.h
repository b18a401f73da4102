/*
 * mc.h - the Monte Carlo driver: many futures of one model, batched, on
 * several threads, each diagnosed for a bubble.
 *
 * Samples are numbered 0 .. n-1 and grouped in blocks of `lanes` samples
 * (block b holds samples b*lanes .. b*lanes + lanes-1), each block one pass
 * of the compiled program over a run with `lanes` lanes. What a sample is
 * (its parameter values and efficiency jumps) is a pure function of its
 * number, given by the caller; what becomes of an outcome is the caller's
 * too (`consume`, called on the worker thread that computed it, with that
 * thread's number). So the result does not depend on the number of
 * threads, on which thread ran which block, or on how blocks are shared
 * among processes, as long as the caller's accumulation does not depend on
 * order (exact counts and histograms).
 *
 * Which blocks to run is a bitmap: set bits are skipped (already done, as
 * when resuming from a checkpoint); the driver sets the bit of each block it
 * completes. A stop flag set from a signal handler makes the threads finish
 * their current block and return, so the bitmap always describes whole
 * blocks.
 */
#ifndef OVERCAP_MC_H
#define OVERCAP_MC_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "market.h"
#include "overcap.h"

#define OCMC_MAX_JUMPS 3

typedef struct ocmc_jump {
    double year;
    double factor; /* >= 1 */
    double adoption_years;
} ocmc_jump;

/* What one future turned out to be. */
typedef struct ocmc_outcome {
    int ok;                 /* 0: a stock became NaN or infinite (run failed) */
    double fail_time;       /* when, if so */
    int diagnosed;          /* 0: the diagnosis refused the run (capacity fell to zero,
                               say), or the config has no mapping */
    int bubble;             /* at least one bubble episode */
    double onset;           /* the first episode's onset, NaN when none */
    double end;             /* its end (the last time when ongoing) */
    double peak_idle_share; /* over the run */
    double max_stranded;    /* stranded capital, max over the run (NaN if unknown) */
    double capex_fall;      /* largest peak-to-trough fall in capex, NaN if none */
    int n_jumps;            /* jumps the sample put into the model */
    double largest_jump;    /* the largest factor among them, 1 when none */
    double first_jump_year; /* NaN when none */
} ocmc_outcome;

typedef struct ocmc_config {
    const oc_model *model;
    /* Makes a fresh run with `lanes` lanes and the base scenario applied to
     * every lane. */
    int (*prepare)(void *ud, const oc_model *m, size_t lanes, oc_run **run, char *err,
                   size_t errlen);
    void *prepare_ud;

    /* The uncertain constants (listed variable indices) and, for sample i,
     * their values and its jumps (at most OCMC_MAX_JUMPS). Called from worker
     * thread `thread` (0 .. threads-1): it must be a pure function of i and
     * may keep per-thread caches indexed by thread. */
    size_t n_params;
    const size_t *param_index;
    int (*sample)(void *ud, unsigned thread, uint64_t i, double *values, ocmc_jump *jumps,
                  size_t *n_jumps);
    void *sample_ud;

    /* The model's jump slots (listed indices of jump_K_year, jump_K_factor,
     * jump_K_adoption_years); unused slots get factor 1. */
    size_t n_jump_slots;
    size_t jump_index[OCMC_MAX_JUMPS][3];

    /* Seed of the model's own random functions: sample i uses a seed made
     * from (seed, i). */
    uint64_t seed;

    ocx_mapping map; /* capacity NULL: no diagnosis, outcomes are only bands */
    ocd_params params;

    /* Series kept per sample for percentile bands: listed indices, read at
     * the save points save_at[0 .. n_band_times) (band values are passed to
     * consume as bands[var * n_band_times + t]). */
    size_t n_bands;
    const size_t *band_index;
    size_t n_band_times;
    const size_t *band_save;

    void (*consume)(void *ud, unsigned thread, uint64_t i, const ocmc_outcome *o,
                    const double *bands);
    void *consume_ud;

    size_t lanes;     /* samples per block, 1 .. OC_MAX_LANES */
    unsigned threads; /* >= 1 */

    const atomic_int *stop;                            /* may be NULL; nonzero: stop */
    void (*progress)(void *ud, uint64_t samples_done); /* may be NULL; from any thread */
    void *progress_ud;
} ocmc_config;

/* Runs every block b in [0, n_blocks) with b % stride == offset whose bit
 * in done is clear, on cfg->threads threads, setting the bit when the block
 * is complete. n_samples bounds the last block. Returns 0 (also when stopped
 * early: compare the bitmap), or -1 with err. */
int ocmc_run(const ocmc_config *cfg, uint64_t n_samples, uint64_t stride, uint64_t offset,
             unsigned char *done, char *err, size_t errlen);

uint64_t ocmc_blocks(uint64_t n_samples, size_t lanes);

/* The model seed of sample i. */
uint64_t ocmc_sample_seed(uint64_t seed, uint64_t i);

#endif
