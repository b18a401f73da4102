/*
 * sensitivity.h - global sensitivity analysis: which uncertain parameters
 * drive an output.
 *
 * Two methods, both leaving the model evaluation to the caller:
 *
 *   - Variance-based (Sobol) indices by the Saltelli design: the caller asks
 *     oca_saltelli_point for the unit-hypercube input of every run, maps it
 *     through its distributions (ocs_dist_quantile), runs the model, and
 *     passes the outputs in run order to oca_estimate, which returns
 *     first-order indices S_i (Saltelli 2010) and total-effect indices S_Ti
 *     (Jansen 1999) with bootstrap percentile confidence intervals.
 *   - Screening by rank correlation: Spearman's correlation and the partial
 *     rank correlation (PRCC) of each input with the output, with p-values,
 *     from any sample of inputs and outputs (oca_screen).
 *
 * oca_rank orders parameters by an index for a ranked table;
 * oca_print_table and oca_print_screen print one.
 *
 * Formulas, references and contracts: docs/internals/sensitivity.md. The
 * indices assume independent inputs: do not induce rank correlations on a
 * Saltelli design.
 *
 * Determinism: the design is a pure function of (params, base samples,
 * method, seed), so any partition of runs across threads or processes
 * yields the same inputs; the estimate is a pure function of the outputs
 * in run order and the options (the bootstrap draws are ocs_uniform keyed
 * by the options' seed).
 *
 * Ownership: *_create / oca_estimate / oca_screen allocate what they
 * return; the matching *_free releases it (NULL is fine). Inputs are read,
 * never kept. A design is immutable and may be shared by threads. No
 * global state. Errors: OCA_OK (0) or a negative oca_code, with a one-line
 * message when the caller passes a buffer.
 */
#ifndef OVERCAP_SENSITIVITY_H
#define OVERCAP_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sampling.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes. OCA_OK is zero; every error is negative. */
typedef enum oca_code {
    OCA_OK = 0,
    OCA_EARG = -1,      /* a NULL pointer or an argument out of range */
    OCA_EDATA = -2,     /* an output or input that is NaN, infinite or constant */
    OCA_ENOMEM = -3,    /* an allocation failed */
    OCA_ESINGULAR = -4, /* the inputs' ranks are collinear (PRCC undefined) */
    OCA_EIO = -5        /* writing a table failed */
} oca_code;

/* The constant name of a return code, e.g. "OCA_EDATA". Never NULL. */
const char *oca_code_name(int code);

/* ------------------------------------------------------------------------
 * The Saltelli design
 * ------------------------------------------------------------------------ */

/* The most parameters a Sobol-based design supports: its base sequence has
 * 2 x params dimensions. A random or Latin hypercube base has no limit. */
#define OCA_SOBOL_MAX_PARAMS (OCS_SOBOL_MAX_DIMS / 2)

typedef struct oca_design oca_design;

/* A design for params uncertain parameters and base_samples base samples N
 * (a power of two suits a Sobol base best). Runs come in groups of
 * params + 2, one group per base sample j:
 *
 *   run j (k + 2) + 0       A_j       (base coordinates 0 .. k - 1)
 *   run j (k + 2) + 1       B_j       (base coordinates k .. 2k - 1)
 *   run j (k + 2) + 2 + i   AB_i,j    A_j with coordinate i taken from B_j
 *
 * so N (k + 2) runs in all. base is OCS_SOBOL (scrambled by seed; the
 * default choice), OCS_RANDOM or OCS_LHS. Errors: OCA_EARG (no
 * parameters, no samples, too many for Sobol, a run count that overflows),
 * OCA_ENOMEM. */
int oca_design_create(size_t params, uint64_t base_samples, ocs_method base, uint64_t seed,
                      oca_design **out, char *errbuf, size_t errlen);
void oca_design_free(oca_design *design);

size_t oca_design_params(const oca_design *design);
uint64_t oca_design_base_samples(const oca_design *design);
/* N (k + 2): the number of model runs the design asks for. */
uint64_t oca_design_runs(const oca_design *design);

/* The unit-hypercube input (in (0, 1)) of parameter dim for run row.
 * NaN when row or dim is out of range. */
double oca_saltelli_point(const oca_design *design, uint64_t row, size_t dim);
/* All params inputs of run row into u[0 .. params - 1]. */
void oca_saltelli_row(const oca_design *design, uint64_t row, double *u);

/* What run row is: OCA_ROW_A, OCA_ROW_B, or i >= 0 for AB_i; *base (when
 * not NULL) receives the base sample j. OCA_EARG for a bad row. */
#define OCA_ROW_A (-1)
#define OCA_ROW_B (-2)
int oca_saltelli_role(const oca_design *design, uint64_t row, uint64_t *base, int *role);

/* ------------------------------------------------------------------------
 * The estimate
 * ------------------------------------------------------------------------ */

/* The first-order estimator (the total effect is always Jansen's). */
typedef enum oca_first_order {
    OCA_SALTELLI2010 = 0, /* V_i = mean f(B) (f(AB_i) - f(A)), centred */
    OCA_JANSEN = 1        /* V_i = V - mean (f(B) - f(AB_i))^2 / 2 */
} oca_first_order;

typedef struct oca_options {
    unsigned bootstrap; /* resamples for the intervals (0: none); default 500 */
    double confidence;  /* of the percentile intervals, in (0, 1); default 0.95 */
    uint64_t seed;      /* keys the bootstrap draws; default 0 */
    int first_order;    /* oca_first_order; default OCA_SALTELLI2010 */
} oca_options;

void oca_options_default(oca_options *o);

/* One parameter's indices. The intervals are bootstrap percentile
 * intervals (NaN without bootstrap). */
typedef struct oca_index {
    double first, first_lo, first_hi; /* S_i */
    double total, total_lo, total_hi; /* S_Ti */
} oca_index;

typedef struct oca_result {
    size_t params;
    uint64_t base_samples;
    double mean;     /* of the outputs of A and B */
    double variance; /* V, over the outputs of A and B (denominator 2N) */
    unsigned bootstrap;
    double confidence;
    oca_index *index; /* params entries, in parameter order */
} oca_result;

/* Indices from the outputs of all oca_design_runs runs, in run order.
 * opt NULL means the defaults. When the output does not vary (V = 0) the
 * indices are NaN and the call succeeds. Errors: OCA_EARG, OCA_EDATA (the
 * message names the first run whose output is NaN or infinite),
 * OCA_ENOMEM. */
int oca_estimate(const oca_design *design, const double *outputs, const oca_options *opt,
                 oca_result **out, char *errbuf, size_t errlen);
void oca_result_free(oca_result *result);

/* ------------------------------------------------------------------------
 * Screening by rank correlation
 * ------------------------------------------------------------------------ */

typedef struct oca_screen_row {
    double spearman;   /* rank correlation of the input with the output */
    double spearman_p; /* two-sided p-value (t test, n - 2 df) */
    double prcc;       /* partial rank correlation, the other inputs removed */
    double prcc_p;     /* two-sided p-value (t test, n - k - 1 df) */
} oca_screen_row;

typedef struct oca_screen {
    size_t params;
    size_t samples;
    oca_screen_row *row; /* params entries, in parameter order */
} oca_screen;

/* Spearman and PRCC of each of the k inputs with the output, from n
 * samples: inputs is n x k row-major (actual parameter values or their
 * unit-hypercube points: ranks are the same), output has n entries. Ties
 * get average ranks. Needs n >= k + 3. Errors: OCA_EARG, OCA_EDATA (a NaN
 * or infinite value, an input or the output that does not vary; the
 * message names it), OCA_ESINGULAR (collinear ranks), OCA_ENOMEM. */
int oca_screen_create(const double *inputs, const double *output, size_t n, size_t k,
                      oca_screen **out, char *errbuf, size_t errlen);
void oca_screen_free(oca_screen *screen);

/* ------------------------------------------------------------------------
 * Ranking and tables
 * ------------------------------------------------------------------------ */

/* Fills order[0 .. k - 1] with the parameter indices sorted by score,
 * largest first (by |score| when by_magnitude), NaN last, ties by index.
 * OCA_EARG on NULL. */
int oca_rank(const double *score, size_t k, int by_magnitude, size_t *order);

/* Prints the Sobol indices ranked by total effect, one parameter a line:
 * rank, name, S_T and its interval, S_1 and its interval. names may be
 * NULL (parameters are then numbered). OCA_EIO on a write error. */
int oca_print_table(FILE *fp, const oca_result *result, const char *const *names);

/* Prints the screening ranked by |PRCC|. */
int oca_print_screen(FILE *fp, const oca_screen *screen, const char *const *names);

#ifdef __cplusplus
}
#endif

#endif /* OVERCAP_SENSITIVITY_H */
