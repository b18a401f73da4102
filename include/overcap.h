/*
 * overcap.h - the public API of the overcap system-dynamics engine.
 *
 * The engine loads a stock-and-flow model (XMILE), compiles it once into a
 * flat program and runs it. Two opaque handles carry all state:
 *
 *   oc_model  a loaded, compiled model. Immutable after loading, so one
 *             model may be shared by any number of runs and threads.
 *   oc_run    one simulation of a model: its time settings, constant
 *             overrides, random seed, working memory and saved results.
 *
 * Every fallible function returns an oc_status: OC_OK (0) on success, a
 * negative code on failure. When the caller passes an oc_error record, it
 * is filled with the code, the file, line and column, the variable concerned
 * and a message. The record is caller-owned and fixed-size: reporting an
 * error never allocates. There is no global error state.
 *
 * Units: times and durations are in the model's own time unit (for example
 * years); values are in each variable's units as written in the model.
 */
#ifndef OVERCAP_H
#define OVERCAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OC_VERSION "0.1.0"

/* Status codes. OC_OK is zero; every error is negative. */
typedef enum oc_status {
    OC_OK = 0,
    OC_ENOMEM = -1,       /* an allocation failed */
    OC_EIO = -2,          /* a file could not be read or written */
    OC_EXML = -3,         /* not well-formed XML, or not an XMILE document */
    OC_ESYNTAX = -4,      /* an equation or number does not parse */
    OC_EUNKNOWN = -5,     /* a name refers to no variable */
    OC_EFUNC = -6,        /* a call to a function that does not exist */
    OC_EARITY = -7,       /* a function called with the wrong number of arguments */
    OC_ECYCLE = -8,       /* circular definition (an algebraic loop) */
    OC_ESPECS = -9,       /* bad simulation specs: dt <= 0, stop < start, ... */
    OC_EMODEL = -10,      /* another structural error (duplicate name, bad table) */
    OC_ENUMERIC = -11,    /* a stock became NaN or infinite during a run */
    OC_ELIMIT = -12,      /* the input exceeds a hard size limit */
    OC_EARG = -13,        /* an invalid argument to an API function */
    OC_EUNSUPPORTED = -14 /* valid XMILE that overcap does not support yet */
} oc_status;

/* A caller-owned error record. Strings are always NUL-terminated; fields that
 * do not apply are empty ("") or zero. */
typedef struct oc_error {
    int code;           /* an oc_status */
    int line;           /* 1-based source line, 0 when unknown */
    int column;         /* 1-based column within the equation or line, 0 when unknown */
    double time;        /* simulated time, for run-time errors (OC_ENUMERIC) */
    char file[512];     /* the model file, or the name given to a buffer */
    char variable[256]; /* the variable concerned, as written in the model */
    char message[768];  /* what went wrong, in one sentence */
} oc_error;

/* The constant name of a status code, e.g. "OC_ECYCLE". Never NULL. */
const char *oc_status_name(int code);

/* Writes "file:line:column: variable 'name': message" (the parts that are
 * known) into buf, always NUL-terminated. Returns the length it wanted. */
size_t oc_error_format(const oc_error *err, char *buf, size_t size);

/* The allocator hook. fn(ud, ptr, size) must behave like realloc(ptr, size)
 * when size > 0 and like free(ptr) (returning NULL) when size == 0. Passing
 * fn == NULL restores the C library allocator. Set it before any model is
 * loaded and do not change it while models or runs exist: it is process-
 * wide, like sqlite3_config. Tests use it to fail the Nth allocation. */
typedef void *(*oc_realloc_fn)(void *ud, void *ptr, size_t size);
void oc_set_allocator(oc_realloc_fn fn, void *ud);

/* ------------------------------------------------------------------ */
/* Models                                                              */
/* ------------------------------------------------------------------ */

typedef struct oc_model oc_model;

/* Hard limits on untrusted input. Exceeding one gives OC_ELIMIT. */
#define OC_MAX_FILE_BYTES ((size_t)256 << 20) /* model file size */
#define OC_MAX_VARIABLES 5000000              /* variables after expansion */
#define OC_MAX_STEPS 100000000                /* integration steps per run */

/* Loads and compiles an XMILE model from a file. On success *out owns the
 * model (free it with oc_model_free). On failure *out is NULL and err says
 * why. The reader never loads external entities, DTDs or anything over a
 * network. */
int oc_model_load_file(const char *path, oc_model **out, oc_error *err);

/* The same from a memory buffer of len bytes; name is used in messages (for
 * example the file it came from) and may be NULL. The buffer is not kept. */
int oc_model_load_buffer(const char *data, size_t len, const char *name, oc_model **out,
                         oc_error *err);

void oc_model_free(oc_model *model);

/* The model's own name (from the file's header), or "" when it has none. */
const char *oc_model_name(const oc_model *model);

typedef enum oc_kind {
    OC_STOCK = 0,
    OC_FLOW = 1,
    OC_AUX = 2,
    OC_GF = 3 /* a named graphical function used only as a function */
} oc_kind;

/* The name of a kind: "stock", "flow", "aux" or "gf". */
const char *oc_kind_name(oc_kind kind);

/* What the model says about one variable. The strings belong to the model
 * and live as long as it does. */
typedef struct oc_var_info {
    const char *name;     /* as written; submodel variables as "module.name" */
    oc_kind kind;
    const char *units;    /* "" when the model gives none */
    const char *doc;      /* "" when the model gives none */
    const char *equation; /* the equation's source text */
    int line;             /* source line of the definition, 0 when unknown */
    int is_constant;      /* 1 when its value is fixed for the whole run: it
                             may be overridden with oc_run_set_value */
    int has_graph;        /* 1 when it carries a graphical function */
    int non_negative;     /* 1 for non-negative stocks and uniflows */
    int used_by;          /* number of equations that refer to it */
    int has_range;        /* 1 when the model gives a <range> for it */
    double range_min;     /* its plausible (input) range, from <range min max> */
    double range_max;
} oc_var_info;

/* Number of variables a user sees (hidden helpers of DELAY, SMTH1 and the
 * like are not listed). Indices 0 .. count-1 are stable for the model. */
size_t oc_model_var_count(const oc_model *model);

/* Fills *info for variable index. Returns OC_EARG for a bad index. */
int oc_model_var_info(const oc_model *model, size_t index, oc_var_info *info);

/* Finds a variable by name. Names match as XMILE says: case-insensitive,
 * with spaces, underscores and newlines equivalent. Returns OC_EUNKNOWN
 * (and fills err when given) when there is no such variable. */
int oc_model_find(const oc_model *model, const char *name, size_t *index, oc_error *err);

typedef enum oc_method { OC_EULER = 0, OC_RK4 = 1 } oc_method;

/* Simulation specs. save_step is a whole multiple of dt. */
typedef struct oc_specs {
    double start;
    double stop;
    double dt;
    double save_step;
    oc_method method;
} oc_specs;

/* The specs the model file gives (defaults where it is silent). */
void oc_model_specs(const oc_model *model, oc_specs *specs);

/* The size of the compiled model: instructions of the initial-value program
 * (run once per run) and of the rate program (run once per step, four
 * times per step with RK4), and the number of value slots. */
void oc_model_program_size(const oc_model *model, size_t *init_instructions,
                           size_t *rate_instructions, size_t *slots);

/* The model's time unit as written in its sim_specs, or "". */
const char *oc_model_time_units(const oc_model *model);

/* Checks specs: finite numbers, dt > 0, stop >= start, save_step a whole
 * multiple of dt, at most OC_MAX_STEPS steps. Returns OC_ESPECS otherwise. */
int oc_specs_check(const oc_specs *specs, oc_error *err);

/* ------------------------------------------------------------------ */
/* Runs                                                                */
/* ------------------------------------------------------------------ */

typedef struct oc_run oc_run;

/* Creates a run of model with the model's specs, no overrides, seed 0 and
 * every listed variable saved. The model must outlive the run. */
int oc_run_create(const oc_model *model, oc_run **out, oc_error *err);
void oc_run_free(oc_run *run);

/* Replaces the run's specs after checking them (oc_specs_check). */
int oc_run_set_specs(oc_run *run, const oc_specs *specs, oc_error *err);
void oc_run_specs(const oc_run *run, oc_specs *specs);

/* Overrides a constant for this run. Only variables with is_constant set
 * may be overridden; others give OC_EARG naming the variable. The value
 * must be finite. */
int oc_run_set_value(oc_run *run, const char *name, double value, oc_error *err);
int oc_run_set_value_at(oc_run *run, size_t index, double value, oc_error *err);

/* Drops every override. */
void oc_run_clear_values(oc_run *run);

/* The seed of the random functions (RANDOM, NORMAL, ...). Draws are a pure
 * function of (seed, call site, step), so a seed reproduces a run exactly. */
void oc_run_set_seed(oc_run *run, uint64_t seed);

/* Chooses which variables are saved, by index, in the given order. n == 0
 * restores the default (all listed variables in index order). */
int oc_run_select(oc_run *run, const size_t *indices, size_t n, oc_error *err);

/* Runs the simulation from start to stop. On OC_ENUMERIC the results up to
 * the last good save point remain readable and err names the stock and the
 * time. A run may be simulated again (for example after new overrides). */
int oc_run_simulate(oc_run *run, oc_error *err);

/* Results: save points are start, start + save_step, ... up to stop. */
size_t oc_run_save_count(const oc_run *run);
size_t oc_run_selected_count(const oc_run *run);
/* The model index of the j-th selected variable. */
size_t oc_run_selected_index(const oc_run *run, size_t j);
double oc_run_time(const oc_run *run, size_t save);
/* The value of the j-th selected variable at save point `save`. */
double oc_run_value(const oc_run *run, size_t save, size_t j);
/* The row of all selected values at save point `save` (selected_count long). */
const double *oc_run_row(const oc_run *run, size_t save);

/* ------------------------------------------------------------------ */
/* Batches: many scenarios in one pass                                 */
/* ------------------------------------------------------------------ */

/* A run of `lanes` scenarios of one model at once (Monte Carlo). All lanes
 * share the specs and the selection; each has its own overrides and seed.
 * Each instruction of the compiled program is applied to every lane before
 * the next, so the interpretation overhead is paid once per batch, and the
 * lanes of a slot are contiguous so the compiler vectorizes the work. A run
 * made by oc_run_create has one lane.
 *
 * On a run with several lanes: oc_run_set_value and oc_run_set_seed apply to
 * every lane; oc_run_simulate does not stop when one lane's stock becomes NaN
 * or infinite: that lane is marked (oc_run_lane_status) and the others go on.
 * oc_run_value and oc_run_row read lane 0 (oc_run_row is NULL when lanes > 1). */
#define OC_MAX_LANES 4096

int oc_run_create_lanes(const oc_model *model, size_t lanes, oc_run **out, oc_error *err);
size_t oc_run_lanes(const oc_run *run);

/* Overrides a constant in one lane (same rules as oc_run_set_value_at). */
int oc_run_set_lane_value_at(oc_run *run, size_t lane, size_t index, double value,
                             oc_error *err);
void oc_run_set_lane_seed(oc_run *run, size_t lane, uint64_t seed);

/* OC_OK, or OC_ENUMERIC when a stock of this lane became NaN or infinite;
 * then *time (when not NULL) is when. */
int oc_run_lane_status(const oc_run *run, size_t lane, double *time);

/* The value of the j-th selected variable of a lane at save point `save`. */
double oc_run_lane_value(const oc_run *run, size_t lane, size_t save, size_t j);

/* Copies that series (oc_run_save_count values) into out. */
void oc_run_lane_series(const oc_run *run, size_t lane, size_t j, double *out);

/* The same for n lanes from lane0 at once, lane k's series at out + k *
 * stride; reads each saved row once (faster than n calls of the above). */
void oc_run_lanes_series(const oc_run *run, size_t lane0, size_t n, size_t j, double *out,
                         size_t stride);

/* Where the evaluator's time goes, by kind of operation, for runs of more
 * than one lane made on the calling thread since it started. Counted only
 * in a build configured with -DOVERCAP_PROFILE_OPS=ON (x86-64: the time
 * stamp counter, read around every operation, which slows the evaluator);
 * otherwise nothing is counted. Fills up to cap entries, busiest first, and
 * returns the number of kinds that ran (0 when nothing was counted). */
/* The vector instructions the lane loops of runs with more than one lane
 * use on this processor, chosen when the program loads: "avx512f", "avx2"
 * or "baseline" (x86-64 SSE2, or a build without per-width clones). Every
 * choice gives the same bits. */
const char *oc_lane_target(void);

typedef struct oc_op_profile {
    const char *op;  /* "POW", "EXP", "DELAY", ... */
    uint64_t count;  /* operations executed (each over all lanes) */
    uint64_t cycles; /* time stamp counter ticks spent in them */
} oc_op_profile;

size_t oc_op_profile_get(oc_op_profile *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* OVERCAP_H */
