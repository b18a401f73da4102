/*
 * backtest_chart.c - the back-test panel (`overcap backtest ... --svg FILE`):
 * capacity and demand as the data give them, observed years as filled dots
 * and interpolated ones as hollow dots, the diagnosis states shaded behind,
 * and the known dates (share-price peak, crash) as vertical lines.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "cli.h"
#include "svg.h"

/* The title: what the detector found, against the first known date. */
static void takeaway(const bt_spec *s, const bt_data *d, char *buf, size_t size)
{
    const char *name = s->preset ? s->preset : "the data";
    double flag = bt_first_flag(d);
    if(!d->res || d->res->status != OCD_DIAGNOSED)
        snprintf(buf, size, "%s: too few observations to diagnose", name);
    else if(isnan(flag))
        snprintf(buf, size, "%s: no bubble flagged (%s)", name,
                 d->res->state_steps[OCD_NORMAL_CYCLE] ? "overcapacity, absorbed in time"
                                                        : "no lasting overcapacity");
    else if(s->n_events)
        snprintf(buf, size, "%s: bubble flagged from %.0f, %.1f years %s %s", name, flag,
                 fabs(flag - s->events[0].from), flag >= s->events[0].from ? "after" : "before",
                 s->events[0].label);
    else
        snprintf(buf, size, "%s: bubble flagged from %.0f", name, flag);
}

int bt_write_svg(const bt_spec *s, const bt_data *d, const char *path)
{
    ocg_line_chart c;
    ocg_series series[2];
    ocg_ref refs[BT_MAX_EVENTS];
    ocg_band *bands = NULL;
    ocg_svg svg;
    unsigned char *obs_c = NULL, *obs_d = NULL;
    int *state = NULL;
    double *t = NULL;
    char title[300], ylabel[300], dname[300], err[512];
    size_t i, k, n_steps = d->res && d->res->status == OCD_DIAGNOSED ? d->res->step_count : 0;
    int rc;
    cli_out out;

    obs_c = calloc(d->rows + 1, 1);
    obs_d = calloc(d->rows + 1, 1);
    state = calloc(n_steps + 1, sizeof(int));
    t = calloc(n_steps + 1, sizeof(double));
    if(!obs_c || !obs_d || !state || !t) {
        rc = cli_fail(EXIT_MODEL, "out of memory");
        goto done;
    }
    for(i = 0; i < d->rows; i++) {
        obs_c[i] = (unsigned char)!d->capacity_filled[i];
        obs_d[i] = (unsigned char)!d->demand_filled[i];
    }
    for(k = 0; k < n_steps; k++) {
        t[k] = d->res->steps[k].time;
        state[k] = (int)d->res->steps[k].state;
    }
    memset(&c, 0, sizeof(c));
    memset(series, 0, sizeof(series));
    series[0].name = s->capacity_col;
    series[0].x = d->time;
    series[0].y = d->capacity;
    series[0].n = d->rows;
    series[0].observed = obs_c;
    series[1].name = s->demand_col;
    series[1].x = d->time;
    series[1].y = d->demand;
    series[1].n = d->rows;
    series[1].observed = obs_d;
    c.series = series;
    c.n_series = 2;
    if(n_steps) {
        size_t nb = ocg_bands_from_steps(t, state, n_steps, NULL, 0);
        bands = calloc(nb + 1, sizeof(*bands));
        if(!bands) {
            rc = cli_fail(EXIT_MODEL, "out of memory");
            goto done;
        }
        c.n_bands = ocg_bands_from_steps(t, state, n_steps, bands, nb);
        c.bands = bands;
    }
    for(k = 0; k < s->n_events && k < BT_MAX_EVENTS; k++) {
        refs[k].vertical = 1;
        refs[k].value = s->events[k].from;
        refs[k].label = s->events[k].label;
    }
    c.refs = refs;
    c.n_refs = k;
    takeaway(s, d, title, sizeof(title));
    c.chart.title = title;
    c.chart.subtitle = "filled dots: observed; hollow dots: filled in by interpolation; "
                       "shading: the diagnosis";
    c.chart.x_label = "year";
    /* the y axis in capacity's unit; demand's unit, when another, in the legend */
    snprintf(ylabel, sizeof(ylabel), "%s", s->capacity_unit ? s->capacity_unit : "capacity");
    if(s->demand_unit && (!s->capacity_unit || strcmp(s->demand_unit, s->capacity_unit) != 0)) {
        snprintf(dname, sizeof(dname), "%s (%s)", s->demand_col, s->demand_unit);
        series[1].name = dname;
    }
    c.chart.y_label = ylabel;
    c.chart.id = "backtest";
    ocg_svg_init(&svg);
    rc = ocg_lines(&c, &svg, err, sizeof(err));
    if(rc)
        rc = cli_fail(rc == OCG_ENOMEM ? EXIT_MODEL : EXIT_USAGE, "cannot draw the panel: %s",
                      err);
    else if((rc = cli_out_open(&out, path)) == 0) {
        if(fwrite(svg.data, 1, svg.len, out.fp) != svg.len) {
            cli_out_abort(&out);
            rc = cli_fail(EXIT_IO, "%s: write failed", path);
        }
        else
            rc = cli_out_commit(&out);
    }
    ocg_svg_free(&svg);
done:
    free(bands);
    free(obs_c);
    free(obs_d);
    free(state);
    free(t);
    return rc;
}
