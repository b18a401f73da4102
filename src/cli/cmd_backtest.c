/*
 * cmd_backtest.c - history: `overcap backtest` applies the bubble diagnosis
 * to observed series (the railway mania, the telecom bust, any CSV); the
 * text helpers it shares with `overcap nowcast` (cmd_nowcast.c).
 *
 * Both use the one diagnosis of the project (src/analysis/diagnosis.c): this
 * file only maps columns to its series, fills gaps when asked (the CSV and
 * gap module is src/analysis/history.c), and explains the result. Presets
 * and the indicator file are embedded in the binary (build/embedded.c), so
 * the commands run from any directory. docs/BACKTEST.md documents the data,
 * every assumption and what the detector cannot see.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "job.h"
#include "market.h"


#define NOT_A_STEP ((size_t)-1)

/* Wraps text at about 78 columns after a lead; continuation lines are
 * indented to the lead's width. */
void bt_wrap(FILE *fp, const char *lead, const char *text)
{
    size_t col, ilen = strlen(lead);
    const char *p = text;
    fputs(lead, fp);
    col = ilen;
    while(*p) {
        size_t w = strcspn(p, " \n");
        if(col > ilen && col + w > 78) {
            fprintf(fp, "\n%*s", (int)ilen, "");
            col = ilen;
        }
        fwrite(p, 1, w, fp);
        col += w;
        p += w;
        while(*p == ' ' || *p == '\n') {
            if(col > ilen) {
                fputc(' ', fp);
                col++;
            }
            p++;
        }
    }
    fputc('\n', fp);
}

void bt_wrapf(FILE *fp, const char *lead, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    bt_wrap(fp, lead, text);
}

/* A number for the tables: whole numbers from 1,000 to 10 million, five
 * significant digits otherwise, "-" when missing. */
void bt_fmt_num(char *buf, size_t size, double x)
{
    double a = fabs(x);
    if(isnan(x))
        snprintf(buf, size, "-");
    else if(isinf(x))
        snprintf(buf, size, x > 0 ? "inf" : "-inf");
    else if(a >= 1000 && a < 1e7)
        snprintf(buf, size, "%.0f", x);
    else
        snprintf(buf, size, "%.5g", x);
}

/* A jump or gain factor: "9650", "30.9", "6.54". */
void bt_fmt_factor(char *buf, size_t size, double x)
{
    if(x >= 100)
        snprintf(buf, size, "%.0f", x);
    else
        snprintf(buf, size, "%.3g", x);
}

/* ------------------------------------------------------------------ */
/* Presets                                                             */
/* ------------------------------------------------------------------ */

typedef struct bt_preset {
    const char *name;
    const char *file;
    const char *description;
    const char *assumptions;
    const char *capacity_col, *capacity_unit;
    const char *demand_col, *demand_unit;
    const char *investment_col, *revenue_col;
    const char *show[BT_MAX_SHOW];
    const char *asset_name;
    bt_event events[BT_MAX_EVENTS];
} bt_preset;

static const bt_preset presets[] = {
    {"railway-mania", "data/history/railway_mania_backtest.csv",
     "The British railway mania, 1843-1852: Parliament authorised about 9,500 miles of new "
     "line in 1845-47, three times the network then open; railway shares peaked in August "
     "1845 and collapsed in 1847-1850.",
     "Capacity is the committed network: route miles open plus route miles authorised but "
     "not yet built, the capital investors had committed (derived backwards from the 1849 "
     "Commons return with the miles authorised each year). Demand is traffic: gross receipts "
     "over the 1844 revenue per mile (GBP 3,280), i.e. the route miles the traffic would fill "
     "at the pre-mania density. The track lives far longer than any payback horizon, so the "
     "remaining life is the payback horizon 1/r at a 10% cost of capital, 10 years. Gaps "
     "(traffic 1845, 1846, 1848, 1849; the committed network 1850) are filled by linear "
     "interpolation. With the network open instead (--capacity miles_open) idle capacity "
     "peaks at 37% in 1850 and traffic fills it within the horizon, a normal cycle: the glut "
     "was in lines committed but not yet built.",
     "committed_network_miles", "route miles", "traffic_route_miles",
     "route miles of traffic at 1844 density", "construction_investment_gbp_m",
     "gross_receipts_gbp_m",
     {"miles_open", "revenue_per_mile_gbp", "share_index_ct"},
     "the track",
     {{"railway share index peak (9 Aug 1845)", 1845.6, 1845.6},
      {"collapse of railway shares and investment", 1847.0, 1850.0}}},
    {"telecom", "data/history/telecom_backtest.csv",
     "The US telecom and fibre build-out, 1998-2005: about $90bn of fibre laid in four "
     "years against traffic forecast to double every 100 days; the NASDAQ peaked in March "
     "2000 and the capacity glut ran from 2000 to 2002.",
     "Capacity is the potential capacity of the fibre in place (index 100); demand is the "
     "share of it in use: 2.6% in 2001 and 5% in 2005 observed, 3.85% in 2004 bridged from "
     "11% of fibre lit times 35% utilization of lit networks. Demand growth is the growth "
     "of that share, the use of the sunk fibre net of the rising capacity of each fibre, "
     "not traffic growth (about 2x a year). No year before 2001 measures capacity in use, so "
     "the detector cannot see 1998-2000. Remaining life: the payback horizon 1/r at a 10% "
     "cost of capital, 10 years (fibre lives 20-25 years). Gaps (2002, 2003) are filled by "
     "linear interpolation.",
     "fibre_capacity_index", "index, fibre in place = 100", "capacity_in_use_index",
     "% of potential capacity in use", "telecom_equipment_spending_usd_b", NULL,
     {"pct_fiber_lit", "network_utilization_pct", "global_ip_traffic_pb_month",
      "nasdaq_close"},
     "the fibre",
     {{"NASDAQ peak (10 Mar 2000)", 2000.19, 2000.19},
      {"telecom capacity glut", 2000.0, 2002.0}}},
};

const char *const bt_preset_names[] = {"railway-mania", "telecom", NULL};

void bt_spec_init(bt_spec *s)
{
    memset(s, 0, sizeof(*s));
    ocd_params_default(&s->params);
    s->params.min_bubble_duration = BT_DEFAULT_MIN_DURATION;
    s->params.asset_name = "the capacity";
    s->life_years = BT_DEFAULT_LIFE;
    s->gaps = BT_GAPS_NONE;
}

int bt_spec_preset(bt_spec *s, const char *name)
{
    size_t k, i;
    for(k = 0; k < sizeof(presets) / sizeof(presets[0]); k++) {
        const bt_preset *p = &presets[k];
        if(strcmp(p->name, name) != 0)
            continue;
        bt_spec_init(s);
        s->preset = p->name;
        s->path = p->file;
        s->embedded = 1;
        s->description = p->description;
        s->assumptions = p->assumptions;
        s->capacity_col = p->capacity_col;
        s->capacity_unit = p->capacity_unit;
        s->demand_col = p->demand_col;
        s->demand_unit = p->demand_unit;
        s->investment_col = p->investment_col;
        s->revenue_col = p->revenue_col;
        s->flags_col = "flags";
        s->time_col = "year";
        for(i = 0; i < BT_MAX_SHOW && p->show[i]; i++)
            s->show_col[s->n_show++] = p->show[i];
        for(i = 0; i < BT_MAX_EVENTS && p->events[i].label; i++)
            s->events[s->n_events++] = p->events[i];
        s->params.asset_name = p->asset_name;
        s->gaps = BT_GAPS_LINEAR;
        return 0;
    }
    return -1;
}

/* ------------------------------------------------------------------ */
/* Loading and diagnosing                                              */
/* ------------------------------------------------------------------ */

static int exit_of(int code)
{
    switch(code) {
    case OCH_EIO:
    case OCH_ELIMIT: return EXIT_IO;
    case OCH_EARG: return EXIT_USAGE;
    default: return EXIT_MODEL;
    }
}

int bt_read_table(const char *path, int embedded, och_table **t, char *err, size_t errlen)
{
    int rc;
    if(embedded) {
        const struct oc_embedded *e = cli_embedded(path);
        char name[300];
        if(!e) {
            snprintf(err, errlen, "this build has no built-in %s", path);
            return EXIT_IO;
        }
        snprintf(name, sizeof(name), "built-in:%s", path);
        rc = och_table_read_buffer((const char *)e->data, e->size, name, t, err, errlen);
    }
    else
        rc = och_table_read_file(path, t, err, errlen);
    return rc ? exit_of(rc) : 0;
}

void bt_data_free(bt_data *d)
{
    size_t k;
    och_table_free(d->table);
    free(d->time);
    free(d->capacity);
    free(d->demand);
    free(d->life);
    free(d->growth);
    free(d->utilization);
    free(d->price);
    free(d->cost);
    free(d->revenue);
    free(d->investment);
    free(d->book_value);
    for(k = 0; k < BT_MAX_SHOW; k++)
        free(d->show[k]);
    free(d->capacity_filled);
    free(d->demand_filled);
    free(d->life_filled);
    free(d->growth_filled);
    free(d->status);
    free(d->step_of_row);
    ocd_result_free(d->res);
    memset(d, 0, sizeof(*d));
}

/* What a column must hold. */
typedef enum bound { ANY, POSITIVE, NONNEG } bound;

/* Reads a mapped column into a fresh array (NULL name: *out stays NULL). */
static int load_column(const och_table *t, const char *role, const char *name, bound b,
                       double **out, char *err, size_t errlen)
{
    size_t col, n = och_table_rows(t), i;
    char msg[1024];
    int rc;
    *out = NULL;
    if(!name)
        return 0;
    rc = och_table_find(t, name, &col, msg, sizeof(msg));
    if(rc) {
        snprintf(err, errlen, "%s: %s", role, msg);
        return EXIT_USAGE;
    }
    *out = malloc(n * sizeof(double));
    if(!*out) {
        snprintf(err, errlen, "out of memory");
        return EXIT_MODEL;
    }
    rc = och_table_numbers(t, col, *out, err, errlen);
    if(rc)
        return exit_of(rc);
    for(i = 0; i < n; i++) {
        double v = (*out)[i];
        if(isnan(v) || b == ANY)
            continue;
        if((b == POSITIVE && !(v > 0)) || (b == NONNEG && v < 0)) {
            snprintf(err, errlen, "%s:%zu: column '%s' (column %zu), the %s: %.10g must be %s",
                     och_table_name(t), och_table_line(t, i), name, col + 1, role, v,
                     b == POSITIVE ? "greater than 0" : "0 or more");
            return EXIT_MODEL;
        }
    }
    return 0;
}

static int alloc_flags(unsigned char **f, size_t n)
{
    *f = calloc(n ? n : 1, 1);
    return *f ? 0 : -1;
}

/* Fills a required series when the spec asks for it. */
static void fill(const bt_spec *s, const double *time, double *y, unsigned char *filled, size_t n)
{
    if(y && s->gaps == BT_GAPS_LINEAR)
        och_fill_linear(time, y, filled, n);
}

/* The compact arrays of the rows to diagnose. */
typedef struct compact {
    double *time, *capacity, *demand, *life, *growth, *util, *price, *cost, *capex, *book;
} compact;

static void compact_free(compact *c)
{
    free(c->time);
    free(c->capacity);
    free(c->demand);
    free(c->life);
    free(c->growth);
    free(c->util);
    free(c->price);
    free(c->cost);
    free(c->capex);
    free(c->book);
}

/* Copies the rows for which keep() holds into c and diagnoses them. */
static int diagnose_rows(const bt_spec *s, bt_data *d, int observed_only, char *err,
                         size_t errlen)
{
    compact c;
    ocd_input in;
    size_t i, k = 0, n = d->rows;
    char msg[512];
    int rc = EXIT_MODEL, with_price = d->price && d->cost;

    memset(&c, 0, sizeof(c));
    c.time = malloc(n * sizeof(double));
    c.capacity = malloc(n * sizeof(double));
    c.demand = malloc(n * sizeof(double));
    c.life = malloc(n * sizeof(double));
    c.growth = d->growth ? malloc(n * sizeof(double)) : NULL;
    c.util = d->utilization ? malloc(n * sizeof(double)) : NULL;
    c.price = with_price ? malloc(n * sizeof(double)) : NULL;
    c.cost = with_price ? malloc(n * sizeof(double)) : NULL;
    c.capex = d->investment ? malloc(n * sizeof(double)) : NULL;
    c.book = d->book_value ? malloc(n * sizeof(double)) : NULL;
    if(!c.time || !c.capacity || !c.demand || !c.life || (d->growth && !c.growth) ||
       (d->utilization && !c.util) || (with_price && (!c.price || !c.cost)) ||
       (d->investment && !c.capex) || (d->book_value && !c.book)) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for(i = 0; i < n; i++) {
        d->step_of_row[i] = NOT_A_STEP;
        if(d->status[i] == BT_ROW_MISSING || (observed_only && d->status[i] != BT_ROW_OBSERVED))
            continue;
        if(!observed_only)
            d->step_of_row[i] = k;
        c.time[k] = d->time[i];
        c.capacity[k] = d->capacity[i];
        c.demand[k] = d->demand[i];
        c.life[k] = d->life ? d->life[i] : s->life_years;
        if(c.growth)
            c.growth[k] = d->growth[i];
        if(c.util)
            c.util[k] = d->utilization[i];
        if(c.price) {
            c.price[k] = d->price[i];
            c.cost[k] = d->cost[i];
        }
        if(c.capex)
            c.capex[k] = d->investment[i];
        if(c.book)
            c.book[k] = d->book_value[i];
        k++;
    }
    memset(&in, 0, sizeof(in));
    in.n = k;
    in.time = c.time;
    in.capacity = c.capacity;
    in.demand = c.demand;
    in.remaining_life = c.life;
    in.growth = c.growth;
    in.utilization = c.util;
    in.price = c.price;
    in.cost = c.cost;
    in.capex = c.capex;
    in.book_value = c.book;
    if(ocd_diagnose(&in, &s->params, &d->res, msg, sizeof(msg)) != OCD_OK) {
        snprintf(err, errlen, "%s: the diagnosis refused the series: %s",
                 och_table_name(d->table), msg);
        rc = EXIT_USAGE;
        goto done;
    }
    rc = 0;
done:
    compact_free(&c);
    return rc;
}

int bt_run(const bt_spec *s, bt_data *d, char *err, size_t errlen)
{
    const char *time_col = s->time_col;
    double *time = NULL;
    size_t n, i, k, col, needed;
    int rc;
    char msg[1024];

    memset(d, 0, sizeof(*d));
    if(!s->path || !s->capacity_col || !s->demand_col) {
        snprintf(err, errlen, "a back-test needs a file, --capacity COL and --demand COL");
        return EXIT_USAGE;
    }
    if(!s->life_col && !(s->life_years > 0 && isfinite(s->life_years))) {
        snprintf(err, errlen, "--life must be a positive number of years");
        return EXIT_USAGE;
    }
    rc = bt_read_table(s->path, s->embedded, &d->table, err, errlen);
    if(rc)
        return rc;
    n = d->rows = och_table_rows(d->table);

    /* The time column: as given, or "year", or "time". */
    if(!time_col) {
        if(och_table_find(d->table, "year", &col, NULL, 0) == OCH_OK)
            time_col = "year";
        else if(och_table_find(d->table, "time", &col, NULL, 0) == OCH_OK)
            time_col = "time";
        else {
            snprintf(err, errlen,
                     "%s has no column 'year' or 'time': name the time column with --time-col",
                     och_table_name(d->table));
            return EXIT_USAGE;
        }
    }
    rc = load_column(d->table, "time", time_col, ANY, &time, err, errlen);
    if(rc) {
        free(time);
        return rc;
    }
    d->time = time;
    if(och_check_times(d->table, time, time_col, err, errlen) != OCH_OK)
        return EXIT_MODEL;

    rc = load_column(d->table, "capacity", s->capacity_col, POSITIVE, &d->capacity, err, errlen);
    if(!rc)
        rc = load_column(d->table, "demand", s->demand_col, NONNEG, &d->demand, err, errlen);
    if(!rc)
        rc = load_column(d->table, "remaining life", s->life_col, NONNEG, &d->life, err, errlen);
    if(!rc)
        rc = load_column(d->table, "growth", s->growth_col, ANY, &d->growth, err, errlen);
    if(!rc)
        rc = load_column(d->table, "utilization", s->utilization_col, NONNEG, &d->utilization,
                         err, errlen);
    if(!rc)
        rc = load_column(d->table, "price", s->price_col, ANY, &d->price, err, errlen);
    if(!rc)
        rc = load_column(d->table, "cost", s->cost_col, ANY, &d->cost, err, errlen);
    if(!rc)
        rc = load_column(d->table, "revenue", s->revenue_col, ANY, &d->revenue, err, errlen);
    if(!rc)
        rc = load_column(d->table, "investment", s->investment_col, NONNEG, &d->investment, err,
                         errlen);
    if(!rc)
        rc = load_column(d->table, "book value", s->book_value_col, NONNEG, &d->book_value, err,
                         errlen);
    for(k = 0; !rc && k < s->n_show; k++)
        rc = load_column(d->table, "--show", s->show_col[k], ANY, &d->show[k], err, errlen);
    if(!rc && s->flags_col && och_table_find(d->table, s->flags_col, &col, msg, sizeof(msg))) {
        snprintf(err, errlen, "--flags-col: %s", msg);
        rc = EXIT_USAGE;
    }
    if(rc)
        return rc;

    if(alloc_flags(&d->capacity_filled, n) || alloc_flags(&d->demand_filled, n) ||
       alloc_flags(&d->life_filled, n) || alloc_flags(&d->growth_filled, n)) {
        snprintf(err, errlen, "out of memory");
        return EXIT_MODEL;
    }
    d->status = malloc(n * sizeof(*d->status));
    d->step_of_row = malloc(n * sizeof(size_t));
    if(!d->status || !d->step_of_row) {
        snprintf(err, errlen, "out of memory");
        return EXIT_MODEL;
    }

    /* Only the series the diagnosis cannot do without are filled; the
     * descriptive ones (utilization, price, investment, ...) stay as
     * observed, NaN meaning "not observed" to the diagnosis. */
    fill(s, time, d->capacity, d->capacity_filled, n);
    fill(s, time, d->demand, d->demand_filled, n);
    fill(s, time, d->life, d->life_filled, n);
    fill(s, time, d->growth, d->growth_filled, n);

    for(i = 0; i < n; i++) {
        int missing = isnan(d->capacity[i]) || isnan(d->demand[i]) ||
                      (d->life && isnan(d->life[i])) || (d->growth && isnan(d->growth[i]));
        int filled = d->capacity_filled[i] || d->demand_filled[i] || d->life_filled[i] ||
                     d->growth_filled[i];
        d->status[i] = missing ? BT_ROW_MISSING : filled ? BT_ROW_FILLED : BT_ROW_OBSERVED;
        d->step_of_row[i] = NOT_A_STEP;
        if(missing)
            continue;
        d->used++;
        if(!filled)
            d->observed++;
        d->filled_values += (size_t)d->capacity_filled[i] + d->demand_filled[i] +
                            d->life_filled[i] + d->growth_filled[i];
    }

    /* Filled years are not evidence: too few observed years is "insufficient
     * data" however many years interpolation would add. The diagnosis then
     * sees the observed years alone and says so in its own words. */
    needed = s->params.min_observations;
    if(!d->growth && needed < 2)
        needed = 2;
    if(d->observed < needed) {
        d->insufficient = 1;
        if(d->observed == 0)
            return 0;
        return diagnose_rows(s, d, 1, err, errlen);
    }
    return diagnose_rows(s, d, 0, err, errlen);
}

double bt_first_flag(const bt_data *d)
{
    if(!d->res || d->insufficient || d->res->episode_count == 0)
        return (double)NAN;
    return d->res->episodes[0].onset;
}

/* ------------------------------------------------------------------ */
/* The report                                                          */
/* ------------------------------------------------------------------ */

/* The row of a diagnosis step. */
static size_t row_of_step(const bt_data *d, size_t step)
{
    size_t i;
    for(i = 0; i < d->rows; i++)
        if(d->step_of_row[i] == step)
            return i;
    return 0;
}

/* A value with a '*' when filled. */
static void fmt_marked(char *buf, size_t size, double x, int filled)
{
    char v[40];
    bt_fmt_num(v, sizeof(v), x);
    snprintf(buf, size, "%s%s", v, filled ? "*" : "");
}

/* "capacity 12075 (route miles) against demand 3700* (...)" at a row. */
static void print_values_at(FILE *fp, const bt_spec *s, const bt_data *d, size_t row)
{
    char c[48], m[48];
    fmt_marked(c, sizeof(c), d->capacity[row], d->capacity_filled[row]);
    fmt_marked(m, sizeof(m), d->demand[row], d->demand_filled[row]);
    fprintf(fp, "%s = %s%s%s%s against %s = %s%s%s%s", s->capacity_col, c,
            s->capacity_unit ? " (" : "", s->capacity_unit ? s->capacity_unit : "",
            s->capacity_unit ? ")" : "", s->demand_col, m, s->demand_unit ? " (" : "",
            s->demand_unit ? s->demand_unit : "", s->demand_unit ? ")" : "");
}

/* The indicator values behind the verdict, at the steps that decide it. */
static void print_evidence(FILE *fp, const bt_spec *s, const bt_data *d)
{
    const ocd_result *r = d->res;
    const ocd_step *st;
    size_t k, row, peak_step = 0, len = 0;
    char *text = NULL;
    FILE *mem;

    if(d->insufficient || !r || r->status != OCD_DIAGNOSED)
        return;
    /* The step the verdict describes: the worst episode's peak, else the
     * highest idle share. */
    if(r->episode_count) {
        size_t main_ep = 0;
        for(k = 1; k < r->episode_count; k++)
            if(r->episodes[k].peak_idle_share > r->episodes[main_ep].peak_idle_share)
                main_ep = k;
        for(k = r->episodes[main_ep].first_step;
            k < r->episodes[main_ep].first_step + r->episodes[main_ep].step_count; k++)
            if(r->steps[k].time == r->episodes[main_ep].peak_time)
                peak_step = k;
    }
    else
        for(k = 0; k < r->step_count; k++)
            if(r->steps[k].idle_share > r->steps[peak_step].idle_share)
                peak_step = k;

    /* The sentences are assembled in memory, then wrapped as one text. */
    mem = open_memstream(&text, &len);
    if(!mem)
        return;
    if(r->episode_count) {
        const ocd_episode *e = &r->episodes[0];
        st = &r->steps[e->first_step];
        row = row_of_step(d, e->first_step);
        fprintf(mem, "first flagged in %g: ", st->time);
        print_values_at(mem, s, d, row);
        fprintf(mem, ", %.0f%% idle; demand grew %.3f a year (%+.1f%%), at which filling the "
                     "idle capacity takes %.1f years, more than the %.1f-year horizon.",
                100 * st->idle_share, st->growth, 100 * (exp(st->growth) - 1), st->fill_time,
                st->remaining_life);
        if(peak_step != e->first_step || r->episode_count > 1) {
            st = &r->steps[peak_step];
            row = row_of_step(d, peak_step);
            fprintf(mem, " At the peak, %g: ", st->time);
            print_values_at(mem, s, d, row);
            fprintf(mem, ", %.0f%% idle, fill time %.1f years.", 100 * st->idle_share,
                    st->fill_time);
        }
        /* The years before the first flag that already had overcapacity
         * but whose demand grew fast enough. */
        for(k = 0; k < e->first_step; k++)
            if(r->steps[k].overcapacity && !r->steps[k].transient) {
                fprintf(mem, " Before that, overcapacity from %g was a normal cycle: demand "
                             "grew fast enough to fill it within the horizon (in %g: %.0f%% "
                             "idle, growth %.3f, fill time %.1f years).",
                        r->steps[k].time, r->steps[e->first_step - 1].time,
                        100 * r->steps[e->first_step - 1].idle_share,
                        r->steps[e->first_step - 1].growth,
                        r->steps[e->first_step - 1].fill_time);
                break;
            }
    }
    else {
        st = &r->steps[peak_step];
        row = row_of_step(d, peak_step);
        fprintf(mem, "highest idle share in %g: ", st->time);
        print_values_at(mem, s, d, row);
        fprintf(mem, ", %.0f%% idle", 100 * st->idle_share);
        if(st->overcapacity)
            fprintf(mem, "; demand grew %.3f a year, filling it in %.1f years, within the "
                         "%.1f-year horizon.",
                    st->growth, st->fill_time, st->remaining_life);
        else
            fprintf(mem, ", below the %.0f%% threshold.", 100 * r->idle_threshold);
    }
    if(r->has_capex_fall && d->investment) {
        char hi[40] = "-", lo[40] = "-";
        for(k = 0; k < d->rows; k++) {
            if(d->time[k] == r->capex_peak_time)
                bt_fmt_num(hi, sizeof(hi), d->investment[k]);
            if(d->time[k] == r->capex_trough_time)
                bt_fmt_num(lo, sizeof(lo), d->investment[k]);
        }
        fprintf(mem, " Investment (%s) fell %.0f%% from %s in %g to %s in %g.", s->investment_col,
                100 * r->capex_fall, hi, r->capex_peak_time, lo, r->capex_trough_time);
    }
    if(fclose(mem) == 0 && text)
        bt_wrap(fp, "evidence: ", text);
    free(text);
}

static void print_events(FILE *fp, const bt_spec *s, const bt_data *d)
{
    double flag = bt_first_flag(d);
    double first_time = NAN;
    size_t k;

    if(s->n_events == 0)
        return;
    for(k = 0; k < d->rows; k++)
        if(d->step_of_row[k] == 0) {
            first_time = d->time[k];
            break;
        }
    fprintf(fp, "\nknown dates (lead or lag of the first flagged year):\n");
    for(k = 0; k < s->n_events; k++) {
        const bt_event *e = &s->events[k];
        if(e->to > e->from)
            fprintf(fp, "  %g-%g  %s: ", e->from, e->to, e->label);
        else
            fprintf(fp, "  %g  %s: ", e->from, e->label);
        if(isnan(flag)) {
            fprintf(fp, "not flagged\n");
            continue;
        }
        if(e->to > e->from) {
            if(flag < e->from)
                fprintf(fp, "flagged %g, %.1f years before it began\n", flag, e->from - flag);
            else if(flag <= e->to)
                fprintf(fp, "flagged %g, inside it (%.1f years after it began)\n", flag,
                        flag - e->from);
            else
                fprintf(fp, "flagged %g, %.1f years after it ended\n", flag, flag - e->to);
        }
        else if(flag >= e->from)
            fprintf(fp, "flagged %g, %.1f years later\n", flag, flag - e->from);
        else
            fprintf(fp, "flagged %g, %.1f years earlier\n", flag, e->from - flag);
    }
    if(!isnan(flag) && flag == first_time)
        fprintf(fp, "  (%g is the first year with data: the detector cannot tell whether the "
                    "glut began earlier)\n",
                flag);
}

/* Lists the rows of one status, "1845 (demand), 1846 (demand)". */
static void list_rows(FILE *fp, const bt_data *d, bt_row_status want)
{
    size_t i, shown = 0;
    for(i = 0; i < d->rows; i++) {
        const char *sep = shown ? ", " : "";
        if(d->status[i] != want)
            continue;
        if(shown == 12) {
            fprintf(fp, ", ...");
            break;
        }
        if(want == BT_ROW_FILLED) {
            const char *names[4] = {"capacity", "demand", "life", "growth"};
            int on[4];
            size_t j, m = 0;
            on[0] = d->capacity_filled[i];
            on[1] = d->demand_filled[i];
            on[2] = d->life_filled[i];
            on[3] = d->growth_filled[i];
            fprintf(fp, "%s%g (", sep, d->time[i]);
            for(j = 0; j < 4; j++)
                if(on[j])
                    fprintf(fp, "%s%s", m++ ? " and " : "", names[j]);
            fputc(')', fp);
        }
        else if(want == BT_ROW_MISSING)
            fprintf(fp, "%s%g (no %s)", sep, d->time[i],
                    isnan(d->capacity[i]) && isnan(d->demand[i]) ? "capacity or demand"
                    : isnan(d->capacity[i])                      ? "capacity"
                    : isnan(d->demand[i])                        ? "demand"
                                                                 : "life or growth");
        else
            fprintf(fp, "%s%g", sep, d->time[i]);
        shown++;
    }
}

int bt_print(FILE *fp, const bt_spec *s, const bt_data *d)
{
    char verdict[2048], buf[64];
    size_t i, k;
    const ocd_result *r = d->res;

    if(s->preset)
        fprintf(fp, "backtest: %s (%s%s, %zu rows)\n", s->preset, s->embedded ? "built in: " : "",
                s->path, d->rows);
    else
        fprintf(fp, "backtest: %s (%zu rows)\n", s->path, d->rows);
    if(s->description)
        bt_wrap(fp, "  ", s->description);
    fputc('\n', fp);

    fprintf(fp, "capacity:  %s%s%s%s\n", s->capacity_col, s->capacity_unit ? " (" : "",
            s->capacity_unit ? s->capacity_unit : "", s->capacity_unit ? ")" : "");
    fprintf(fp, "demand:    %s%s%s%s\n", s->demand_col, s->demand_unit ? " (" : "",
            s->demand_unit ? s->demand_unit : "", s->demand_unit ? ")" : "");
    if(s->life_col)
        fprintf(fp, "horizon:   %s (remaining life per year)\n", s->life_col);
    else
        fprintf(fp, "horizon:   %g years%s\n", s->life_years,
                s->life_given ? " (--life)"
                              : " (default: the payback horizon 1/r of a long-lived asset at a "
                                "10% cost of capital)");
    if(s->growth_col)
        fprintf(fp, "growth:    %s (given, per year)\n", s->growth_col);
    else
        fprintf(fp, "growth:    estimated from demand over %g year%s\n", s->params.growth_window,
                s->params.growth_window == 1 ? "" : "s");
    fprintf(fp, "rules:     overcapacity above %.0f%% idle; a bubble lasts at least %g years; "
                "at least %zu observed years\n",
            100 * s->params.idle_threshold, s->params.min_bubble_duration,
            s->params.min_observations > 2 || s->growth_col ? s->params.min_observations : 2);
    fprintf(fp, "gaps:      %s; %zu of %zu rows observed",
            s->gaps == BT_GAPS_LINEAR ? "linear interpolation"
                                      : "no interpolation (--interpolate linear fills gaps)",
            d->observed, d->rows);
    if(d->used > d->observed) {
        fprintf(fp, ", %zu filled: ", d->used - d->observed);
        list_rows(fp, d, BT_ROW_FILLED);
    }
    if(d->rows > d->used) {
        fprintf(fp, "; not diagnosed: ");
        list_rows(fp, d, BT_ROW_MISSING);
    }
    fputc('\n', fp);

    fputc('\n', fp);
    if(r)
        ocd_verdict(r, &s->params, verdict, sizeof(verdict));
    else
        snprintf(verdict, sizeof(verdict),
                 "insufficient data: no year has both capacity and demand, at least %zu needed",
                 s->params.min_observations);
    bt_wrap(fp, "verdict: ", verdict);
    if(d->insufficient && r) {
        fprintf(fp, "          observed years: ");
        list_rows(fp, d, BT_ROW_OBSERVED);
        fprintf(fp, "%s\n", d->used > d->observed ? " (filled years do not count)" : "");
    }
    print_evidence(fp, s, d);

    /* The per-year table: every row of the file. */
    fprintf(fp, "\n  %7s %-8s %10s %10s %5s %7s %6s %5s  %s\n", "year", "data", "capacity",
            "demand", "idle", "growth", "fill", "life", "state");
    for(i = 0; i < d->rows; i++) {
        char cap[80], dem[80];
        const ocd_step *st =
            d->step_of_row[i] != NOT_A_STEP && r ? &r->steps[d->step_of_row[i]] : NULL;
        const char *status = d->status[i] == BT_ROW_OBSERVED ? "observed"
                             : d->status[i] == BT_ROW_FILLED ? "filled"
                                                             : "no data";
        bt_fmt_num(buf, sizeof(buf), d->capacity[i]);
        snprintf(cap, sizeof(cap), "%s%s", buf, d->capacity_filled[i] ? "*" : "");
        bt_fmt_num(buf, sizeof(buf), d->demand[i]);
        snprintf(dem, sizeof(dem), "%s%s", buf, d->demand_filled[i] ? "*" : "");
        fprintf(fp, "  %7g %-8s %10s %10s", d->time[i], status, cap, dem);
        if(st) {
            char fillt[16];
            if(isinf(st->fill_time))
                snprintf(fillt, sizeof(fillt), "never");
            else
                snprintf(fillt, sizeof(fillt), "%.1f", st->fill_time);
            fprintf(fp, " %4.0f%% %7.3f %6s %5.1f  %s\n", 100 * st->idle_share, st->growth,
                    fillt, st->remaining_life, ocd_state_name((int)st->state));
        }
        else
            fprintf(fp, " %5s %7s %6s %5s  %s\n", "-", "-", "-", "-", "-");
    }
    if(d->filled_values)
        fprintf(fp, "  (* filled by linear interpolation)\n");
    fprintf(fp, "  (growth: continuous, per year; fill: years for demand at that growth to "
                "fill today's capacity; life: the horizon)\n");

    /* The other indicators, as observed (never filled). */
    if(d->investment || d->revenue || d->utilization || d->price || s->n_show || s->flags_col) {
        const char *head[BT_MAX_SHOW + 5];
        const double *col[BT_MAX_SHOW + 5];
        size_t nc = 0, flags_col = 0;
        int has_flags = s->flags_col &&
                        och_table_find(d->table, s->flags_col, &flags_col, NULL, 0) == OCH_OK;
        if(d->investment) {
            head[nc] = s->investment_col;
            col[nc++] = d->investment;
        }
        if(d->revenue) {
            head[nc] = s->revenue_col;
            col[nc++] = d->revenue;
        }
        if(d->utilization) {
            head[nc] = s->utilization_col;
            col[nc++] = d->utilization;
        }
        if(d->price) {
            head[nc] = s->price_col;
            col[nc++] = d->price;
        }
        for(k = 0; k < s->n_show; k++) {
            head[nc] = s->show_col[k];
            col[nc++] = d->show[k];
        }
        fprintf(fp, "\n  indicators as observed:\n  %7s", "year");
        for(k = 0; k < nc; k++)
            fprintf(fp, " %*s", (int)(strlen(head[k]) > 10 ? strlen(head[k]) : 10), head[k]);
        if(has_flags)
            fprintf(fp, "  %s", s->flags_col);
        fputc('\n', fp);
        for(i = 0; i < d->rows; i++) {
            fprintf(fp, "  %7g", d->time[i]);
            for(k = 0; k < nc; k++) {
                bt_fmt_num(buf, sizeof(buf), col[k][i]);
                fprintf(fp, " %*s", (int)(strlen(head[k]) > 10 ? strlen(head[k]) : 10), buf);
            }
            if(has_flags)
                fprintf(fp, "  %s", och_table_cell(d->table, i, flags_col));
            fputc('\n', fp);
        }
    }
    print_events(fp, s, d);
    if(s->assumptions) {
        fputc('\n', fp);
        bt_wrap(fp, "assumptions: ", s->assumptions);
    }
    return ferror(fp) ? EXIT_IO : EXIT_OK;
}

/* The per-year table as CSV, for --table. */
static int write_table(FILE *fp, const bt_data *d)
{
    size_t i;
    char a[40], b[40];
    fprintf(fp, "time,data,capacity,demand,capacity_filled,demand_filled,state,idle_share,"
                "growth,fill_time,remaining_life,life_margin,overcapacity,weak_demand,"
                "transient\n");
    for(i = 0; i < d->rows; i++) {
        const ocd_step *st = d->step_of_row[i] != NOT_A_STEP && d->res
                                 ? &d->res->steps[d->step_of_row[i]]
                                 : NULL;
        cli_format_double(a, sizeof(a), d->time[i]);
        fprintf(fp, "%s,%s,", a,
                d->status[i] == BT_ROW_OBSERVED ? "observed"
                : d->status[i] == BT_ROW_FILLED ? "filled"
                                                : "missing");
        if(!isnan(d->capacity[i])) {
            cli_format_double(a, sizeof(a), d->capacity[i]);
            fputs(a, fp);
        }
        fputc(',', fp);
        if(!isnan(d->demand[i])) {
            cli_format_double(b, sizeof(b), d->demand[i]);
            fputs(b, fp);
        }
        fprintf(fp, ",%d,%d,", d->capacity_filled[i], d->demand_filled[i]);
        if(st) {
            fprintf(fp, "%s,%.10g,%.10g,", ocd_state_name((int)st->state), st->idle_share,
                    st->growth);
            if(isinf(st->fill_time))
                fputs("inf", fp);
            else
                fprintf(fp, "%.10g", st->fill_time);
            fprintf(fp, ",%.10g,", st->remaining_life);
            if(isinf(st->life_margin))
                fputs("-inf", fp);
            else
                fprintf(fp, "%.10g", st->life_margin);
            fprintf(fp, ",%d,%d,%d\n", st->overcapacity, st->weak_demand, st->transient);
        }
        else
            fputs(",,,,,,,,\n", fp);
    }
    return ferror(fp) ? EXIT_IO : 0;
}

/* ------------------------------------------------------------------ */
/* overcap backtest                                                    */
/* ------------------------------------------------------------------ */

void help_backtest(FILE *fp)
{
    fputs("usage: overcap backtest FILE.csv --capacity COL --demand COL [OPTIONS]\n"
          "       overcap backtest railway-mania|telecom [OPTIONS]\n"
          "\n"
          "Applies the bubble diagnosis (the same one as `overcap diagnose`) to observed\n"
          "history: overcapacity (idle share = 1 - demand/capacity above a threshold)\n"
          "plus weak demand (at its growth, demand would need longer to fill the idle\n"
          "capacity than the horizon in which the capital must pay for itself). Prints\n"
          "the verdict with the indicator values behind it, every year's state, which\n"
          "years are observed and which filled, and the lead or lag of the first\n"
          "flagged year against known dates.\n"
          "\n"
          "The CSV: a header row naming the columns (lines starting with # before it\n"
          "are comments), one row per year sorted by year, numeric cells in the mapped\n"
          "columns, an empty cell for a missing value. Capacity and demand must be in\n"
          "the same unit. At most 64 MiB and 100,000 rows.\n"
          "\n"
          "presets (data, mapping and assumptions built in; docs/BACKTEST.md):\n"
          "  railway-mania   UK 1843-1852: committed network vs traffic; flagged from 1848\n"
          "  telecom         US 1998-2005: fibre capacity in use; flagged from 2001\n"
          "Options given with a preset override its mapping, e.g. --capacity miles_open.\n"
          "\n"
          "mapping:\n"
          "  --capacity COL --demand COL   required (same unit)\n"
          "  --time-col COL      the time column (default: 'year', else 'time')\n"
          "  --life YEARS        the horizon within which idle capacity must fill: the\n"
          "                      remaining life of short-lived hardware, or for long-lived\n"
          "                      assets the payback horizon 1/r the cost of capital allows\n"
          "                      (default 10: r = 10%, the flagship model's cost of capital)\n"
          "  --life-col COL      the horizon per year instead\n"
          "  --growth COL        demand's underlying growth per year (continuous), instead\n"
          "                      of the estimate from demand\n"
          "  --utilization COL   utilization (0-1), shown and used by the shortage test\n"
          "  --price COL --cost COL   unit price and running cost (the shortage test)\n"
          "  --revenue COL --investment COL --book-value COL   shown; investment gives the\n"
          "                      largest fall in investment, book value stranded capital\n"
          "  --show COL          another column to show per year (repeatable, up to 8)\n"
          "  --flags-col COL     a text column to show per year (e.g. source flags)\n"
          "gaps:\n"
          "  --interpolate linear|none   fill interior gaps of capacity, demand (and\n"
          "                      --life-col, --growth) linearly in time, or use only years\n"
          "                      where both are observed (default: none; presets: linear).\n"
          "                      Filled years are marked and never count as observations.\n"
          "known dates:\n"
          "  --event LABEL=YEAR[:YEAR]   a date or span to compare the first flagged year\n"
          "                      with (repeatable; replaces a preset's dates)\n"
          "thresholds (docs/internals/diagnosis.md):\n"
          "  --idle-threshold X        overcapacity above this idle share (default 0.25)\n"
          "  --shortage-utilization X  shortage at or above this utilization (0.95)\n"
          "  --min-duration X          shortest episode called a bubble (default 1.5\n"
          "                            years: two consecutive years on annual data)\n"
          "  --growth-window X         window of the growth estimate (1 year)\n"
          "  --min-observations N      fewer observed years give \"insufficient data\" (3)\n"
          "output:\n"
          "  --table FILE              the per-year table as CSV, atomically\n"
          "  --svg FILE                the back-test panel as SVG: capacity and demand,\n"
          "                            observed years as filled dots, interpolated ones\n"
          "                            hollow, the diagnosis states shaded, the known\n"
          "                            dates as lines\n"
          "\n"
          "Exit codes: 0 ok (a verdict, or \"insufficient data\"), 1 malformed data\n"
          "(a non-numeric cell, repeated or unsorted years, an empty file), 2 usage\n"
          "(unknown option or column), 3 input/output (missing file, over 64 MiB).\n"
          "\n"
          "examples:\n"
          "  overcap backtest railway-mania\n"
          "  overcap backtest telecom --interpolate none\n"
          "  overcap backtest railway-mania --capacity miles_open\n"
          "  overcap backtest fibre.csv --capacity lit_gbps --demand traffic_gbps --life 8 \\\n"
          "                  --event \"crash=2000.2\" --interpolate linear\n",
          fp);
}

/* Parses "LABEL=YEAR[:YEAR]". */
static int parse_event(const char *arg, bt_event *e)
{
    const char *eq = strrchr(arg, '=');
    char num[64], *colon;
    size_t len;
    if(!eq || eq == arg || strlen(eq + 1) >= sizeof(num))
        return cli_fail(EXIT_USAGE, "--event '%s': expected LABEL=YEAR or LABEL=FROM:TO", arg);
    len = strlen(eq + 1);
    memcpy(num, eq + 1, len + 1);
    colon = strchr(num, ':');
    if(colon)
        *colon = '\0';
    if(cli_number(num, &e->from) != 0 || (colon && cli_number(colon + 1, &e->to) != 0))
        return cli_fail(EXIT_USAGE, "--event '%s': the dates must be numbers", arg);
    if(!colon)
        e->to = e->from;
    if(e->to < e->from)
        return cli_fail(EXIT_USAGE, "--event '%s': the span ends before it begins", arg);
    e->label = arg;
    return 0;
}

/* --event arguments are "LABEL=YEAR[:YEAR]"; the report shows the label
 * alone, so it is copied here up to the '='. */
typedef struct event_labels {
    char text[BT_MAX_EVENTS][128];
} event_labels;

int cmd_backtest(int argc, char **argv)
{
    bt_spec s;
    bt_data d;
    event_labels labels;
    const char *target = NULL, *table_path = NULL, *svg_path = NULL;
    const char *map[12][2];
    bt_event events[BT_MAX_EVENTS];
    size_t n_map = 0, n_events = 0, k;
    int i, rc = EXIT_OK, gaps = -1, life_given = 0, min_obs_given = 0;
    double life = 0, x;
    ocd_params thr;
    int thr_set[5] = {0, 0, 0, 0, 0};
    size_t min_obs = 0;
    const char *show[BT_MAX_SHOW];
    size_t n_show = 0;
    char err[2048];

    memset(&d, 0, sizeof(d));
    memset(&labels, 0, sizeof(labels));
    ocd_params_default(&thr);
    for(i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        static const char *const map_opts[] = {
            "--capacity", "--demand", "--time-col", "--growth", "--utilization", "--price",
            "--cost", "--revenue", "--investment", "--book-value", "--life-col", "--flags-col"};
        static const char *const other_opts[] = {
            "--show", "--life", "--interpolate", "--event", "--idle-threshold",
            "--shortage-utilization", "--min-duration", "--growth-window", "--min-observations",
            "--table", "--svg"};
        int is_map = 0, known = 0;
        if(strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            help_backtest(stdout);
            return EXIT_OK;
        }
        for(k = 0; k < sizeof(map_opts) / sizeof(map_opts[0]); k++)
            if(strcmp(a, map_opts[k]) == 0)
                is_map = known = 1;
        for(k = 0; k < sizeof(other_opts) / sizeof(other_opts[0]); k++)
            if(strcmp(a, other_opts[k]) == 0)
                known = 1;
        if(a[0] == '-' && a[1] && !known)
            return cli_fail(EXIT_USAGE, "unknown option '%s' (try: overcap help backtest)", a);
        if(known && !v)
            return cli_fail(EXIT_USAGE, "%s needs a value (try: overcap help backtest)", a);
        if(is_map) {
            map[n_map][0] = a;
            map[n_map][1] = v;
            n_map++;
            i++;
        }
        else if(strcmp(a, "--show") == 0) {
            if(n_show == BT_MAX_SHOW)
                return cli_fail(EXIT_USAGE, "--show: at most %d columns", BT_MAX_SHOW);
            show[n_show++] = v;
            i++;
        }
        else if(strcmp(a, "--life") == 0) {
            if(cli_number_arg(a, v, &life))
                return EXIT_USAGE;
            if(!(life > 0))
                return cli_fail(EXIT_USAGE, "--life: %g years must be positive", life);
            life_given = 1;
            i++;
        }
        else if(strcmp(a, "--interpolate") == 0) {
            if(strcmp(v, "linear") == 0)
                gaps = BT_GAPS_LINEAR;
            else if(strcmp(v, "none") == 0)
                gaps = BT_GAPS_NONE;
            else
                return cli_fail(EXIT_USAGE, "--interpolate: '%s' is not linear or none", v);
            i++;
        }
        else if(strcmp(a, "--event") == 0) {
            if(n_events == BT_MAX_EVENTS)
                return cli_fail(EXIT_USAGE, "--event: at most %d dates", BT_MAX_EVENTS);
            if(parse_event(v, &events[n_events]))
                return EXIT_USAGE;
            {
                size_t len = (size_t)(strrchr(v, '=') - v);
                if(len >= sizeof(labels.text[0]))
                    len = sizeof(labels.text[0]) - 1;
                memcpy(labels.text[n_events], v, len);
                labels.text[n_events][len] = '\0';
                events[n_events].label = labels.text[n_events];
            }
            n_events++;
            i++;
        }
        else if(strcmp(a, "--idle-threshold") == 0 || strcmp(a, "--shortage-utilization") == 0 ||
                strcmp(a, "--min-duration") == 0 || strcmp(a, "--growth-window") == 0) {
            if(cli_number_arg(a, v, &x))
                return EXIT_USAGE;
            if(strcmp(a, "--idle-threshold") == 0) {
                thr.idle_threshold = x;
                thr_set[0] = 1;
            }
            else if(strcmp(a, "--shortage-utilization") == 0) {
                thr.shortage_utilization = x;
                thr_set[1] = 1;
            }
            else if(strcmp(a, "--min-duration") == 0) {
                thr.min_bubble_duration = x;
                thr_set[2] = 1;
            }
            else {
                thr.growth_window = x;
                thr_set[3] = 1;
            }
            i++;
        }
        else if(strcmp(a, "--min-observations") == 0) {
            if(cli_number_arg(a, v, &x))
                return EXIT_USAGE;
            if(!(x >= 1 && x <= 1e6 && x == floor(x)))
                return cli_fail(EXIT_USAGE, "--min-observations: '%s' is not a whole number "
                                            "from 1 to 1000000",
                                v);
            min_obs = (size_t)x;
            min_obs_given = 1;
            i++;
        }
        else if(strcmp(a, "--table") == 0) {
            table_path = v;
            i++;
        }
        else if(strcmp(a, "--svg") == 0) {
            svg_path = v;
            i++;
        }
        else if(target)
            return cli_fail(EXIT_USAGE, "more than one file or preset given ('%s' and '%s')",
                            target, a);
        else
            target = a;
    }
    if(!target)
        return cli_fail(EXIT_USAGE, "backtest needs a CSV file or a preset (railway-mania, "
                                    "telecom); try: overcap help backtest");

    /* A preset name is a name without a path or an extension. */
    if(strchr(target, '/') == NULL && strchr(target, '.') == NULL) {
        if(bt_spec_preset(&s, target) != 0)
            return cli_fail(EXIT_USAGE,
                            "no preset '%s' (presets: railway-mania, telecom; a file needs a "
                            "path or a .csv name)",
                            target);
    }
    else {
        bt_spec_init(&s);
        s.path = target;
    }
    for(k = 0; k < n_map; k++) {
        const char *o = map[k][0], *v = map[k][1];
        if(strcmp(o, "--capacity") == 0) {
            s.capacity_col = v;
            s.capacity_unit = NULL;
        }
        else if(strcmp(o, "--demand") == 0) {
            s.demand_col = v;
            s.demand_unit = NULL;
        }
        else if(strcmp(o, "--time-col") == 0)
            s.time_col = v;
        else if(strcmp(o, "--growth") == 0)
            s.growth_col = v;
        else if(strcmp(o, "--utilization") == 0)
            s.utilization_col = v;
        else if(strcmp(o, "--price") == 0)
            s.price_col = v;
        else if(strcmp(o, "--cost") == 0)
            s.cost_col = v;
        else if(strcmp(o, "--revenue") == 0)
            s.revenue_col = v;
        else if(strcmp(o, "--investment") == 0)
            s.investment_col = v;
        else if(strcmp(o, "--book-value") == 0)
            s.book_value_col = v;
        else if(strcmp(o, "--life-col") == 0)
            s.life_col = v;
        else
            s.flags_col = v;
    }
    if(!s.price_col != !s.cost_col && s.cost_col)
        return cli_fail(EXIT_USAGE, "--cost needs --price");
    for(k = 0; k < n_show; k++)
        if(s.n_show < BT_MAX_SHOW)
            s.show_col[s.n_show++] = show[k];
    if(life_given) {
        s.life_years = life;
        s.life_given = 1;
        s.life_col = NULL;
    }
    if(gaps >= 0)
        s.gaps = (bt_gaps)gaps;
    if(n_events) {
        s.n_events = n_events;
        memcpy(s.events, events, n_events * sizeof(events[0]));
    }
    if(thr_set[0])
        s.params.idle_threshold = thr.idle_threshold;
    if(thr_set[1])
        s.params.shortage_utilization = thr.shortage_utilization;
    if(thr_set[2])
        s.params.min_bubble_duration = thr.min_bubble_duration;
    if(thr_set[3])
        s.params.growth_window = thr.growth_window;
    if(min_obs_given)
        s.params.min_observations = min_obs;
    if(!s.capacity_col || !s.demand_col)
        return cli_fail(EXIT_USAGE, "say which columns are capacity and demand: --capacity COL "
                                    "--demand COL (try: overcap help backtest)");

    rc = bt_run(&s, &d, err, sizeof(err));
    if(rc) {
        cli_fail(rc, "%s", err);
        goto done;
    }
    rc = bt_print(stdout, &s, &d);
    if(!rc && table_path) {
        cli_out out;
        rc = cli_out_open(&out, table_path);
        if(!rc) {
            if(write_table(out.fp, &d) != 0) {
                cli_out_abort(&out);
                rc = cli_fail(EXIT_IO, "%s: write failed", table_path);
            }
            else
                rc = cli_out_commit(&out);
        }
    }
    if(!rc && svg_path)
        rc = bt_write_svg(&s, &d, svg_path);
done:
    bt_data_free(&d);
    return rc;
}
