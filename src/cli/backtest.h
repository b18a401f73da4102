/*
 * backtest.h - `overcap backtest` and `overcap nowcast`: the bubble
 * diagnosis (src/analysis/diagnosis.h) applied to observed history and to
 * today's observed AI-market indicators. The parts are exposed so that
 * tests/unit/test_backtest.c can check the numbers behind the printed
 * reports.
 *
 * A back-test maps CSV columns to the diagnosis's series, fills gaps only
 * when asked (marking every filled value), diagnoses the years where
 * capacity and demand are both known, and compares the flagged dates with
 * known dates (a share-price peak, a collapse). Presets ship the data inside
 * the binary with their mapping and assumptions. docs/BACKTEST.md has the
 * definitions, the data, the parameters and why.
 */
#ifndef OC_BACKTEST_H
#define OC_BACKTEST_H

#include <stdio.h>

#include "cli.h"
#include "diagnosis.h"
#include "history.h"

#define BT_MAX_SHOW 8
#define BT_MAX_EVENTS 8

/* The remaining-life horizon of a back-test when none is given: the payback
 * horizon 1/r of a long-lived asset at the flagship's cost of capital
 * r = 0.10 (docs/BACKTEST.md). */
#define BT_DEFAULT_LIFE 10.0
/* Back-tests estimate growth from annual demand over one year; a one-year
 * dip then reads as one weak year, so an episode must last longer than the
 * window: two consecutive years on annual data (docs/BACKTEST.md). */
#define BT_DEFAULT_MIN_DURATION 1.5

/* A known date to compare the flagged dates with: a point (to == from) or a
 * span. */
typedef struct bt_event {
    const char *label;
    double from, to;
} bt_event;

typedef enum bt_gaps { BT_GAPS_NONE = 0, BT_GAPS_LINEAR = 1 } bt_gaps;

/* What to back-test. Strings are not copied: they must outlive the spec. */
typedef struct bt_spec {
    const char *preset;      /* the preset's name, or NULL */
    const char *path;        /* a file, or the embedded name of a preset */
    int embedded;            /* 1: path names an embedded file */
    const char *description; /* preset text, may be NULL */
    const char *assumptions;
    const char *capacity_unit, *demand_unit; /* shown after the column names */

    const char *time_col; /* NULL: "year", else "time" */
    const char *capacity_col, *demand_col;
    const char *growth_col, *utilization_col, *price_col, *cost_col;
    const char *revenue_col, *investment_col, *book_value_col;
    const char *life_col;  /* remaining life per row, or NULL */
    double life_years;     /* constant remaining life when life_col is NULL */
    int life_given;        /* 1 when the user set --life */
    const char *flags_col; /* a text column shown per year (source flags) */
    const char *show_col[BT_MAX_SHOW];
    size_t n_show;
    bt_gaps gaps;
    bt_event events[BT_MAX_EVENTS];
    size_t n_events;
    ocd_params params;
} bt_spec;

/* Fills s with the back-test defaults: the diagnosis defaults, except
 * min_bubble_duration = BT_DEFAULT_MIN_DURATION; life BT_DEFAULT_LIFE; no
 * interpolation. */
void bt_spec_init(bt_spec *s);

/* Fills s with a preset ("railway-mania", "telecom"). Returns 0, or -1 when
 * there is no such preset. */
int bt_spec_preset(bt_spec *s, const char *name);

/* The names of the presets, NULL-terminated. */
extern const char *const bt_preset_names[];

/* Per row of the file, after gap filling. */
typedef enum bt_row_status {
    BT_ROW_OBSERVED = 0, /* capacity and demand (and every other required
                            series) read in the file */
    BT_ROW_FILLED = 1,   /* one or more filled by interpolation */
    BT_ROW_MISSING = 2   /* not diagnosed: a required value is missing */
} bt_row_status;

/* A loaded and diagnosed back-test. Arrays have one entry per data row of
 * the file (NaN: missing); res covers the rows diagnosed. */
typedef struct bt_data {
    och_table *table;
    size_t rows;
    double *time, *capacity, *demand, *life, *growth;
    double *utilization, *price, *cost, *revenue, *investment, *book_value;
    double *show[BT_MAX_SHOW];
    unsigned char *capacity_filled, *demand_filled, *life_filled, *growth_filled;
    bt_row_status *status;
    size_t *step_of_row; /* the diagnosis step of a row, or (size_t)-1 */
    size_t used;         /* rows diagnosed */
    size_t observed;     /* rows diagnosed with nothing filled */
    size_t filled_values;
    ocd_result *res; /* NULL only when no row has both capacity and demand */
    int insufficient;
} bt_data;

/*
 * Loads the file, maps the columns, fills gaps as the spec says and runs
 * the diagnosis. Returns 0, or an exit code with a message in err:
 * EXIT_IO when the file cannot be read or is over the size limit,
 * EXIT_USAGE for a column the file does not have or a bad option value,
 * EXIT_MODEL for malformed data (a non-numeric cell, unsorted or repeated
 * years, an empty file). Fewer observed years than the diagnosis needs is
 * not an error: d->insufficient is 1 and the verdict says so.
 */
int bt_run(const bt_spec *s, bt_data *d, char *err, size_t errlen);
void bt_data_free(bt_data *d);

/* The time of the first bubble episode's onset, or NaN when nothing was
 * flagged. */
double bt_first_flag(const bt_data *d);

/* Prints the report: mapping, gaps, verdict with the indicator values,
 * the per-year table, the known dates with lead or lag, assumptions. */
int bt_print(FILE *fp, const bt_spec *s, const bt_data *d);

/* The back-test panel as SVG (backtest_chart.c), written atomically to path
 * ("-": standard output). Returns 0 or an exit code after printing why. */
int bt_write_svg(const bt_spec *s, const bt_data *d, const char *path);

/* ---- text helpers shared by backtest and nowcast ---- */

/* Wraps text at about 78 columns after a lead; continuation lines are
 * indented to the lead's width. bt_wrapf formats first. */
void bt_wrap(FILE *fp, const char *lead, const char *text);
void bt_wrapf(FILE *fp, const char *lead, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* A number for the tables: whole numbers from 1,000 to 10 million, five
 * significant digits otherwise, "-" when missing. */
void bt_fmt_num(char *buf, size_t size, double x);

/* A jump or gain factor: "9650", "30.9", "6.54". */
void bt_fmt_factor(char *buf, size_t size, double x);

/* Reads a CSV table from a file, or (embedded) from the copy built into the
 * binary. Returns 0 or an exit code, with err. */
int bt_read_table(const char *path, int embedded, och_table **t, char *err, size_t errlen);

/* ---- nowcast ---- */

/* The year the nowcast calls "now" by default (late November 2026, when
 * its data were last updated); fixed so that the output is reproducible. */
#define NC_DEFAULT_YEAR 2026.9

/* One reading of the balance of capacity and demand. */
typedef struct nc_reading {
    double time;
    size_t row;                /* its row in the indicator file */
    double demand_to_capacity; /* implied demand / capacity */
    double price, cost;        /* price readings: observed price, the model's
                                  running cost; NaN otherwise */
    double full_cost;          /* the model's full cost of new capacity */
    size_t step;               /* its diagnosis step: readings at the same
                                  time share one step, the tighter stands */
    int state;                 /* ocd_state of that step after the diagnosis */
} nc_reading;

#define NC_MAX_READINGS 256

typedef struct nc_assessment {
    och_table *table;
    nc_reading readings[NC_MAX_READINGS];
    size_t n_readings;
    double slowest_growth; /* the slowest demand indicator's growth, per year */
    size_t slowest_row;    /* its last row */
    ocd_result *res;       /* the diagnosis over the readings */
    int year_state[8];     /* the most common state in 2020..2027 (-1: none) */
    int year_count[8];     /* readings in that year */
    int year_agree[8];     /* readings in that year with that state */
} nc_assessment;

/* Reads the indicators (path NULL: the built-in file), runs the calibrated
 * baseline for the costs it needs, and diagnoses the readings. Returns 0 or
 * an exit code with err. */
int nc_assess(const char *path, nc_assessment *a, char *err, size_t errlen);
void nc_assessment_free(nc_assessment *a);

/* The most common state in year y (2020 to 2027), or -1 without readings. */
int nc_state_in_year(const nc_assessment *a, int year);

#endif
