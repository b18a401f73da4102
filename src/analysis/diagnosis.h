/*
 * diagnosis.h - the bubble diagnosis: "a bubble is overcapacity plus weak
 * demand", applied step by step to any pair of capacity and demand series.
 *
 * The module knows nothing about the engine or about any model. The caller
 * extracts the series it needs (from a simulation run, from a CSV of
 * history, from observed indicators) and passes plain arrays indexed by time
 * step; the module classifies every step, finds bubble episodes, and writes
 * a plain-language verdict. So the flagship model, the historical back-tests
 * and the nowcast share one definition of "bubble".
 *
 * Per step i (definitions in docs/internals/diagnosis.md):
 *
 *   idle_share  = max(0, 1 - demand / capacity)
 *   fill_time   = ln(capacity / demand) / growth   (0 when nothing is idle,
 *                 +infinity when demand does not grow)
 *   overcapacity  idle_share > idle_threshold
 *   weak demand   growth <= 0, or fill_time > remaining_life
 *   state         bubble        overcapacity and weak demand, lasting at
 *                               least min_bubble_duration
 *                 normal cycle  overcapacity otherwise
 *                 shortage      utilization >= shortage_utilization (and
 *                               price > cost when both are given)
 *                 balanced      otherwise
 *
 * Ownership: ocd_diagnose makes one allocation, the result, which the caller
 * frees with ocd_result_free. Input arrays are read, never kept. There is no
 * global state: any number of diagnoses may run at once on different threads.
 *
 * Units: times and durations in the caller's time unit (years for every
 * series overcap ships); growth per that time unit (continuous rate);
 * capacity and demand in any one unit shared by both; money (book value,
 * stranded capital, capex) in any one unit, scaled for the verdict by
 * ocd_params.money_scale.
 */
#ifndef OVERCAP_DIAGNOSIS_H
#define OVERCAP_DIAGNOSIS_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes. OCD_OK is zero; every error is negative. */
typedef enum ocd_code {
    OCD_OK = 0,
    OCD_EARG = -1,   /* a NULL pointer, n == 0, or a parameter out of range */
    OCD_EDATA = -2,  /* a value in an input series is invalid (the message
                        names the series and the index) */
    OCD_ENOMEM = -3, /* the result could not be allocated */
    OCD_EIO = -4     /* writing the CSV table failed */
} ocd_code;

/* The constant name of a return code, e.g. "OCD_EDATA". Never NULL. */
const char *ocd_code_name(int code);

/* The state of the market at one step. The order is from tight to slack. */
typedef enum ocd_state {
    OCD_SHORTAGE = 0,
    OCD_BALANCED = 1,
    OCD_NORMAL_CYCLE = 2,
    OCD_BUBBLE = 3
} ocd_state;

#define OCD_STATE_COUNT 4

/* "shortage", "balanced", "normal cycle" or "bubble"; "unknown" for any other
 * value. Never NULL. */
const char *ocd_state_name(int state);

/* The series, one value per time step, all of length n. Required arrays must
 * be non-NULL and finite everywhere; optional arrays may be NULL when the
 * caller does not have the series. */
typedef struct ocd_input {
    size_t n;                     /* number of time steps, > 0 */
    const double *time;           /* strictly increasing; spacing may vary */
    const double *capacity;       /* installed capacity, > 0 */
    const double *demand;         /* demand for that capacity, >= 0 */
    const double *remaining_life; /* time the installed base has left to pay
                                     for itself, >= 0: the hardware's remaining
                                     life (GPUs) or the payback horizon
                                     (track, fibre); may be a constant array */

    /* Optional. growth: the underlying growth rate of demand per time unit
     * (continuous, d ln(demand)/dt of demand's momentum); must be finite
     * everywhere when given. When NULL it is estimated from demand itself
     * (trailing log-growth over ocd_params.growth_window), which reacts to
     * one-off drops: see docs/internals/diagnosis.md. */
    const double *growth;

    /* Optional descriptive series. In these, NaN means "not observed at this
     * step" (sparse history) and is handled as documented per field; an
     * infinity is always an error. */
    const double *utilization; /* served / capacity, >= 0; NULL or NaN:
                                  min(demand, capacity) / capacity */
    const double *price;       /* unit price; give price and cost together */
    const double *cost;        /* unit running cost; NaN at a step: the
                                  shortage test uses utilization alone there */
    const double *capex;       /* investment per time unit, >= 0 */
    const double *book_value;  /* book value of installed capacity, >= 0 */
    const double *stranded;    /* stranded book value, >= 0; when NULL it is
                                  estimated as book_value x idle_share */
} ocd_input;

/* Thresholds and presentation. Fill with ocd_params_default, then change
 * what you need. */
typedef struct ocd_params {
    double idle_threshold;       /* overcapacity when idle_share exceeds it;
                                    default 0.25, in [0, 1) */
    double shortage_utilization; /* shortage when utilization reaches it;
                                    default 0.95, in (0, 1] */
    double min_bubble_duration;  /* shortest episode called a bubble, in time
                                    units; default 1.0, >= 0 */
    double growth_window;        /* window of the growth estimate when growth
                                    is NULL; default 1.0, > 0 */
    size_t min_observations;     /* fewer steps give "insufficient data";
                                    default 3, >= 1 */

    /* Presentation, used only by ocd_verdict. The strings are not copied:
     * they must stay valid while the params are used. */
    double money_scale;      /* base money units per input money unit, e.g.
                                1e9 when stranded capital is in billions;
                                default 1.0, > 0 */
    const char *money_label; /* prefix of money amounts, e.g. "$"; default "" */
    const char *time_unit;   /* plural time unit; default "years" */
    const char *asset_name;  /* who must pay back; default "the hardware"
                                (for example "the track" for railways) */
} ocd_params;

/* Fills p with the defaults above. */
void ocd_params_default(ocd_params *p);

/* One diagnosed time step. Values that cannot be known are NaN (stranded
 * capital without book value or stranded data). fill_time and life_margin
 * are infinite when demand does not grow. */
typedef struct ocd_step {
    double time;
    ocd_state state;           /* after the persistence rule */
    int overcapacity;          /* 1 when idle_share > idle_threshold */
    int weak_demand;           /* 1 when growth <= 0 or fill_time > remaining_life */
    int shortage_signal;       /* 1 when the shortage test holds (the state is
                                  shortage unless there is also overcapacity) */
    int transient;             /* 1 when the step met both bubble conditions but
                                  its run was too short: its state is normal cycle */
    double idle_share;         /* max(0, 1 - demand / capacity) */
    double utilization;        /* given, or min(demand, capacity) / capacity */
    double growth;             /* given or estimated, per time unit */
    double fill_time;          /* time for demand at `growth` to fill capacity */
    double remaining_life;     /* as given */
    double stranded;           /* given, or book_value x idle_share, or NaN */
    double idle_margin;        /* idle_share - idle_threshold (> 0: overcapacity) */
    double life_margin;        /* remaining_life - fill_time (> 0: demand fills
                                  the idle capacity in time) */
    double utilization_margin; /* utilization - shortage_utilization */
} ocd_step;

/* One bubble episode: a run of bubble steps. */
typedef struct ocd_episode {
    double onset;      /* time of its first step */
    double end;        /* first time the state leaves bubble; the
                          last time of the run when ongoing */
    int ongoing;       /* 1 when still a bubble at the last step */
    double duration;   /* end - onset */
    size_t first_step; /* index of its first step */
    size_t step_count; /* number of its steps */
    double peak_time;  /* time of its highest idle share (earliest) */
    double peak_idle_share;
    double peak_growth;         /* growth at the peak */
    double peak_fill_time;      /* fill time at the peak (may be infinite) */
    double peak_remaining_life; /* remaining life at the peak */
    double peak_stranded;       /* stranded capital at the peak, or NaN */
} ocd_episode;

/* Whether the run could be diagnosed. */
typedef enum ocd_status {
    OCD_DIAGNOSED = 0,
    OCD_INSUFFICIENT_DATA = 1 /* fewer observations than needed: no steps,
                                 no episodes, the verdict says so */
} ocd_status;

/* The diagnosis of one run. Read-only for the caller; every array lives in
 * the same allocation as the struct and goes with ocd_result_free. Times
 * that do not apply are NaN. */
typedef struct ocd_result {
    ocd_status status;
    size_t observations;        /* n */
    size_t observations_needed; /* max(min_observations, 2 when growth is
                                   estimated, else 1) */
    int growth_estimated;       /* 1 when input growth was NULL */

    /* The thresholds that were applied (copied from the params). */
    double idle_threshold;
    double shortage_utilization;
    double min_bubble_duration;
    double growth_window;

    size_t step_count; /* n when diagnosed, 0 otherwise */
    const ocd_step *steps;

    size_t episode_count;
    const ocd_episode *episodes;

    /* Runs of bubble steps shorter than min_bubble_duration. */
    size_t transient_count; /* including a pending one */
    double transient_time;  /* their total duration */
    int pending;            /* 1 when the last step is in such a run: it may
                               yet become a bubble with more data */
    double pending_onset;

    double peak_idle_share; /* over the whole run (earliest maximum) */
    double peak_idle_time;
    double max_stranded; /* NaN when no step has a stranded value */
    double max_stranded_time;

    int has_capex_fall; /* 1 when observed capex ever fell from a peak */
    double capex_fall;  /* largest (peak - later trough) / peak, in [0, 1] */
    double capex_peak_time;
    double capex_trough_time;

    /* Time in each state, indexed by ocd_state. A step lasts until the next
     * one; the last step has no duration, so the times add up to
     * time[n-1] - time[0]. */
    size_t state_steps[OCD_STATE_COUNT];
    double state_time[OCD_STATE_COUNT];

    double first_shortage; /* time of the first and last shortage steps */
    double last_shortage;
} ocd_result;

/*
 * Diagnoses one run.
 *
 * in and out are required; p may be NULL for the defaults. On success
 * returns OCD_OK and *out owns a result (free it with ocd_result_free).
 * A run with fewer than observations_needed steps is not an error: it
 * returns OCD_OK with status OCD_INSUFFICIENT_DATA.
 *
 * On failure returns a negative ocd_code, sets *out to NULL (when out is
 * not NULL) and, when errbuf is not NULL and errlen > 0, writes a one-line
 * message naming the series and the index, e.g.
 * "capacity[3] is not a number", always NUL-terminated.
 */
int ocd_diagnose(const ocd_input *in, const ocd_params *p, ocd_result **out, char *errbuf,
                 size_t errlen);

/* Frees a result. NULL is allowed. */
void ocd_result_free(ocd_result *result);

/*
 * Writes the plain-language verdict of a result into buf, for example
 * "bubble from 2027.5 to 2031.0: 96% of capacity idle at peak; demand would
 * need 7.1 years to fill it, the hardware has 3.4 years left; $1.1T
 * stranded". The verdict begins with "bubble", "normal cycle", "no bubble"
 * or "insufficient data".
 *
 * Thresholds come from the result (the ones applied); p supplies only the
 * presentation fields (money_scale, money_label, time_unit, asset_name) and
 * may be NULL for the defaults. Numbers are printed with printf ("%.1f",
 * percentages "%.0f"), so the output is deterministic in the C locale, the
 * only locale overcap runs in.
 *
 * Like snprintf: writes at most size bytes including the terminating NUL
 * (buf may be NULL when size is 0) and returns the length of the whole
 * verdict, so a return value >= size means it was truncated.
 */
size_t ocd_verdict(const ocd_result *result, const ocd_params *p, char *buf, size_t size);

/*
 * Writes the per-step table as CSV to fp: a header line, then one line per
 * step with the columns
 *
 *   time,state,idle_share,utilization,growth,fill_time,remaining_life,
 *   stranded,idle_margin,life_margin,utilization_margin,overcapacity,
 *   weak_demand,transient
 *
 * Numbers use "%.10g": readable (0.1 prints as 0.1) yet ten significant
 * digits, more than any series overcap diagnoses can resolve. The table is a
 * report; callers needing exact values read the ocd_result. Infinite values
 * print as "inf" or "-inf", unknown values (NaN) as an empty cell. The state
 * is its name ("normal cycle"). An insufficient-data result writes only the
 * header. Returns OCD_OK, OCD_EARG for NULL arguments, or OCD_EIO when a
 * write fails.
 */
int ocd_write_csv(const ocd_result *result, FILE *fp);

#ifdef __cplusplus
}
#endif

#endif /* OVERCAP_DIAGNOSIS_H */
