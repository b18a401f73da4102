/*
 * cmd_plot.c - `overcap plot`: a chart as SVG, from a run, from the map
 * that `overcap critical --grid` writes, or from scenarios side by side.
 *
 * The drawing is src/report/svg.c (plain arrays in, deterministic bytes
 * out); this file only gathers the arrays, picks labels with units and a
 * title that states the takeaway, and writes the file atomically. A PNG is
 * made by an outside converter (rsvg-convert, Debian's librsvg2-bin) when
 * asked for with --png; overcap never needs one, and says so plainly when
 * none is installed.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "job.h"
#include "market.h"
#include "mc_results.h"
#include "svg.h"

extern char **environ;

#define GRID_MAX_BYTES ((size_t)16 << 20)
#define PNG_CONVERTER "rsvg-convert"

void help_plot(FILE *fp)
{
    fputs("usage: overcap plot [MODEL] [OPTIONS] [-o FILE.svg]\n"
          "       overcap plot --critical-grid MAP.csv [-o FILE.svg]\n"
          "       overcap plot --compare S1 S2 ... [--var NAME] [-o FILE.svg]\n"
          "       overcap plot --mc RESULTS.json [--band VAR] [-o FILE.svg]\n"
          "       overcap plot --tornado SENSITIVITY.csv [-o FILE.svg]\n"
          "\n"
          "Draws one chart as SVG (the same input gives the same bytes).\n"
          "\n"
          "  run series      without MODEL: the built-in AI compute model's capacity and\n"
          "                  demand on a log axis, with the diagnosis states shaded\n"
          "                  (shortage, balanced, normal cycle, bubble); --vars picks\n"
          "                  other series\n"
          "  --critical-grid the CSV of `overcap critical --grid ... -o MAP.csv`: a heat\n"
          "                  map of the critical jump F* over two parameters (a line\n"
          "                  over one)\n"
          "  --compare       one series (--var, default idle_share) under each scenario\n"
          "  --mc            the JSON of `overcap mc -o RESULTS.json`: P(bubble by year)\n"
          "                  with its 95% interval; with --band VAR the percentile fan\n"
          "                  (5-95, 25-75, median) of one of the spec's band variables\n"
          "  --tornado       the CSV of `overcap sensitivity -o FILE.csv`: total-effect\n"
          "                  Sobol indices with their intervals, ranked (or, from\n"
          "                  --screening, the partial rank correlations)\n"
          "\n"
          "options:\n"
          "  -o FILE         the SVG, written atomically (default: standard output)\n"
          "  --vars A,B,...  the series of a run (default for the built-in model:\n"
          "                  compute_capacity,compute_demand)\n"
          "  --var NAME      the series of --compare\n"
          "  --log           logarithmic y axis (default for capacity and demand)\n"
          "  --linear        linear y axis\n"
          "  --states        shade the diagnosis states (the built-in model; default for\n"
          "                  capacity and demand)\n"
          "  --no-states     no state bands\n"
          "  --percent       the series are shares: ticks read 0% to 100% (default for\n"
          "                  variables named *_share or utilization)\n"
          "  --title TEXT    the title (default: the takeaway, computed from the data)\n"
          "  --width N, --height N   pixels (default 720 x 420; 240 to 4000)\n"
          "  --png           also write FILE.png next to FILE.svg with " PNG_CONVERTER "\n"
          "                  (Debian package librsvg2-bin); exit 3 when it is missing\n"
          "  --model FILE    a model of your own (as MODEL)\n",
          fp);
    job_help(fp);
    fputs("\nexamples:\n"
          "  overcap plot --scenario jump-100x -o jump-100x.svg\n"
          "  overcap plot --vars compute_price --log -o price.svg\n"
          "  overcap critical --scenario jump-100x --grid jump_1_year=2026:2032:4 \\\n"
          "      --grid demand_price_elasticity=0.6:1.6:5 -o map.csv\n"
          "  overcap plot --critical-grid map.csv -o fstar.svg\n"
          "  overcap plot --compare baseline jump-10x jump-100x --var capex --log \\\n"
          "      -o capex.svg\n"
          "  overcap mc --samples 20000 -o mc.json && overcap plot --mc mc.json -o p.svg\n"
          "  overcap plot --mc mc.json --band compute_capacity -o fan.svg\n"
          "  overcap sensitivity -o sens.csv && overcap plot --tornado sens.csv -o t.svg\n",
          fp);
}

/* ------------------------------------------------------------------ */
/* Labels                                                              */
/* ------------------------------------------------------------------ */

/* "compute_capacity" reads "compute capacity" in a legend. */
static void humanize(const char *name, char *buf, size_t size)
{
    size_t k;
    snprintf(buf, size, "%s", name);
    for(k = 0; buf[k]; k++)
        if(buf[k] == '_')
            buf[k] = ' ';
}

static int starts_with_ci(const char *s, const char *prefix)
{
    for(; *prefix; s++, prefix++)
        if(tolower((unsigned char)*s) != tolower((unsigned char)*prefix))
            return 0;
    return 1;
}

/* The x axis of a run: "year" for models in years, else "time (UNITS)". */
static void time_label(const oc_model *m, char *buf, size_t size)
{
    const char *u = oc_model_time_units(m);
    if(u && starts_with_ci(u, "year"))
        snprintf(buf, size, "year");
    else if(u && u[0])
        snprintf(buf, size, "time (%s)", u);
    else
        snprintf(buf, size, "time");
}

/* Variables that are shares of a whole read best as percentages. */
static int looks_like_share(const oc_var_info *info)
{
    size_t n = strlen(info->name);
    return (n > 6 && strcmp(info->name + n - 6, "_share") == 0) ||
           strcmp(info->name, "utilization") == 0;
}

/* 3 significant digits with k/M/B/T, for titles. */
static void fmt_short(char *buf, size_t size, double x)
{
    static const char *suffix[] = {"", "k", "M", "B", "T"};
    double a = fabs(x);
    int k = 0;
    if(!isfinite(x)) {
        snprintf(buf, size, "%s", isnan(x) ? "n/a" : "inf");
        return;
    }
    while(a >= 999.5 && k < 4) {
        a /= 1000;
        x /= 1000;
        k++;
    }
    snprintf(buf, size, "%.3g%s", x, suffix[k]);
}

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

/* The converter's full path, or 0 when it is not on PATH. */
static int find_converter(char *path, size_t size)
{
    const char *p = getenv("PATH");
    while(p && *p) {
        size_t n = strcspn(p, ":");
        if(n > 0 && n + sizeof(PNG_CONVERTER) + 1 < size) {
            memcpy(path, p, n);
            path[n] = '/';
            memcpy(path + n + 1, PNG_CONVERTER, sizeof(PNG_CONVERTER));
            if(access(path, X_OK) == 0)
                return 1;
        }
        p += n;
        if(*p == ':')
            p++;
    }
    return 0;
}

/* FILE.svg -> FILE.png; anything else gets ".png" appended. */
static void png_path_for(const char *svg, char *buf, size_t size)
{
    size_t n = strlen(svg);
    if(n > 4 && strcmp(svg + n - 4, ".svg") == 0)
        snprintf(buf, size, "%.*s.png", (int)(n - 4), svg);
    else
        snprintf(buf, size, "%s.png", svg);
}

/* Converts the written SVG into a PNG next to it, atomically: the
 * converter writes a temporary file that is renamed when it succeeded.
 * The converter runs without a shell, so no file name is interpreted. */
static int write_png(const char *converter, const char *svg_path)
{
    char png[4096], tmp[4200], prog[] = PNG_CONVERTER, opt_o[] = "-o", svg[4096];
    char *argv[5];
    pid_t pid;
    int fd, status = 0, err, rc = EXIT_IO;
    png_path_for(svg_path, png, sizeof(png));
    snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", png);
    fd = mkstemp(tmp);
    if(fd < 0)
        return cli_fail(EXIT_IO, "%s: cannot create a file there: %s", png, strerror(errno));
    close(fd);
    snprintf(svg, sizeof(svg), "%s", svg_path);
    argv[0] = prog;
    argv[1] = opt_o;
    argv[2] = tmp;
    argv[3] = svg;
    argv[4] = NULL;
    err = posix_spawn(&pid, converter, NULL, NULL, argv, environ);
    if(err != 0) {
        cli_fail(EXIT_IO, "%s: cannot run %s: %s", png, converter, strerror(err));
        goto fail;
    }
    while(waitpid(pid, &status, 0) < 0) {
        if(errno != EINTR) {
            cli_fail(EXIT_IO, "%s: lost track of %s: %s", png, converter, strerror(errno));
            goto fail;
        }
    }
    if(!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        cli_fail(EXIT_IO, "%s: %s failed (exit status %d); %s is written", png, PNG_CONVERTER,
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1, svg_path);
        goto fail;
    }
    if(rename(tmp, png) != 0) {
        cli_fail(EXIT_IO, "%s: cannot write: %s", png, strerror(errno));
        goto fail;
    }
    return EXIT_OK;
fail:
    unlink(tmp);
    return rc;
}

/* Writes the SVG to path (NULL or "-": standard output), atomically. */
static int write_svg(const char *path, const ocg_svg *svg)
{
    cli_out out;
    int rc = cli_out_open(&out, path);
    if(rc)
        return rc;
    if(fwrite(svg->data, 1, svg->len, out.fp) != svg->len) {
        cli_out_abort(&out);
        return cli_fail(EXIT_IO, "%s: write failed: %s", path ? path : "standard output",
                        strerror(errno));
    }
    return cli_out_commit(&out);
}

/* An ocg_* error as an exit code: bad data is the user's input (2), a size
 * limit too (2), memory is 1. */
static int chart_failed(int code, const char *err)
{
    return cli_fail(code == OCG_ENOMEM ? EXIT_MODEL : EXIT_USAGE, "cannot draw the chart: %s", err);
}

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

typedef struct plot_opts {
    job j;
    const char *out_path, *vars, *var, *title, *grid_csv, *mc_json, *band, *tornado_csv;
    const char **compare;
    size_t n_compare;
    int log, linear, states, no_states, percent, png, width, height, is_compare;
} plot_opts;

static int parse_size(const char *opt, const char *v, int *out)
{
    double x;
    if(cli_number(v, &x) != 0 || x < OCG_MIN_SIZE || x > OCG_MAX_SIZE || x != floor(x))
        return cli_fail(EXIT_USAGE, "%s: '%s' must be a whole number of pixels from %d to %d", opt,
                        v, OCG_MIN_SIZE, OCG_MAX_SIZE);
    *out = (int)x;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Series of one run                                                   */
/* ------------------------------------------------------------------ */

/* The default title of a capacity-demand chart: the verdict's headline. */
static void market_takeaway(const ocd_result *res, char *buf, size_t size)
{
    if(res->status != OCD_DIAGNOSED)
        snprintf(buf, size, "Too few data to diagnose this run");
    else if(res->episode_count)
        snprintf(buf, size, "Bubble from %.1f to %.1f%s: %.0f%% of compute capacity idle at peak",
                 res->episodes[0].onset, res->episodes[0].end,
                 res->episodes[0].ongoing ? " (still ongoing)" : "",
                 100 * res->episodes[0].peak_idle_share);
    else if(res->state_steps[OCD_NORMAL_CYCLE])
        snprintf(buf, size,
                 "Normal cycle, no bubble: %.0f%% of capacity idle at peak, filled within the "
                 "hardware's life",
                 100 * res->peak_idle_share);
    else
        snprintf(buf, size, "No bubble: demand keeps up with capacity (at most %.0f%% idle)",
                 100 * res->peak_idle_share);
}

/* The title of a chart of plain series: the first series from its first to
 * its last value. */
static void series_takeaway(const char *name, const double *t, const double *y, size_t n,
                            int percent, char *buf, size_t size)
{
    size_t a = 0, b = n;
    char v0[32], v1[32];
    while(a < n && !isfinite(y[a]))
        a++;
    while(b > a && !isfinite(y[b - 1]))
        b--;
    if(a >= b) {
        snprintf(buf, size, "%s: no finite value", name);
        return;
    }
    if(percent) {
        snprintf(v0, sizeof(v0), "%.0f%%", 100 * y[a]);
        snprintf(v1, sizeof(v1), "%.0f%%", 100 * y[b - 1]);
    }
    else {
        fmt_short(v0, sizeof(v0), y[a]);
        fmt_short(v1, sizeof(v1), y[b - 1]);
    }
    snprintf(buf, size, "%s goes from %s in %g to %s in %g", name, v0, t[a], v1, t[b - 1]);
    buf[0] = (char)toupper((unsigned char)buf[0]);
}

static int plot_run(plot_opts *o)
{
    oc_model *m = NULL;
    oc_run *r = NULL;
    scenario sc;
    ocd_result *res = NULL;
    oc_error oe;
    ocg_line_chart c;
    ocg_series series[OCG_MAX_SERIES];
    ocg_ref refs[SCENARIO_MAX_JUMPS];
    ocg_band *bands = NULL;
    ocg_svg svg;
    char names[OCG_MAX_SERIES][160], xlab[64], ylab[160], title[300], subtitle[300], msg[512],
        jump_label[SCENARIO_MAX_JUMPS][48], *verdict = NULL, *list = NULL;
    const char *units = NULL, *scen_name;
    double *time = NULL, *values[OCG_MAX_SERIES];
    size_t n, nvars = 0, k, i;
    int rc = EXIT_OK, states, log_y, same_units = 1, percent, all_share = 1, defaults;

    memset(&sc, 0, sizeof(sc));
    memset(&c, 0, sizeof(c));
    memset(series, 0, sizeof(series));
    memset(values, 0, sizeof(values));
    memset(refs, 0, sizeof(refs));
    ocg_svg_init(&svg);
    defaults = !o->vars && !o->j.model_path;
    states = o->states || (defaults && !o->no_states);
    log_y = o->log || (defaults && !o->linear);
    if(!o->vars && o->j.model_path) {
        rc = cli_fail(EXIT_USAGE, "which series? --vars A,B (a model of your own has no "
                                  "default chart)");
        goto done;
    }
    rc = job_prepare(&o->j, NULL, &m, &r, &sc);
    if(rc)
        goto done;
    if(oc_run_simulate(r, &oe) != OC_OK) {
        cli_report(&oe);
        rc = cli_exit_code(oe.code);
        goto done;
    }
    n = oc_run_save_count(r);
    time = malloc((n ? n : 1) * sizeof(double));
    list = strdup(o->vars ? o->vars : "compute_capacity,compute_demand");
    if(!time || !list) {
        rc = cli_fail(EXIT_MODEL, "out of memory");
        goto done;
    }
    for(i = 0; i < n; i++)
        time[i] = oc_run_time(r, i);

    /* the series named by --vars, with their units */
    {
        char *tok, *save = NULL;
        for(tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            size_t idx;
            oc_var_info info;
            if(!*tok)
                continue;
            if(nvars == OCG_MAX_SERIES) {
                rc = cli_fail(EXIT_USAGE, "--vars: at most %d series in one chart", OCG_MAX_SERIES);
                goto done;
            }
            if(oc_model_find(m, tok, &idx, NULL) != OC_OK) {
                rc = cli_fail(EXIT_USAGE, "--vars: no variable '%s' in the model", tok);
                goto done;
            }
            oc_model_var_info(m, idx, &info);
            values[nvars] = malloc((n ? n : 1) * sizeof(double));
            if(!values[nvars]) {
                rc = cli_fail(EXIT_MODEL, "out of memory");
                goto done;
            }
            if(ocx_series(m, r, info.name, values[nvars], msg, sizeof(msg)) != 0) {
                free(values[nvars]);
                values[nvars] = NULL;
                rc = cli_fail(EXIT_USAGE, "--vars: %s", msg);
                goto done;
            }
            if(!units)
                units = info.units;
            else if(strcmp(units, info.units) != 0)
                same_units = 0;
            if(!looks_like_share(&info))
                all_share = 0;
            humanize(info.name, names[nvars], sizeof(names[nvars]));
            series[nvars].name = names[nvars];
            series[nvars].x = time;
            series[nvars].y = values[nvars];
            series[nvars].n = n;
            nvars++;
        }
    }
    if(!nvars) {
        rc = cli_fail(EXIT_USAGE, "--vars: no variable named");
        goto done;
    }
    percent = o->percent || (all_share && !log_y);
    if(!same_units)
        for(k = 0; k < nvars; k++) {
            size_t idx;
            oc_var_info info;
            size_t len = strlen(names[k]);
            /* names match with spaces for underscores, as in XMILE */
            if(oc_model_find(m, series[k].name, &idx, NULL) == OC_OK) {
                oc_model_var_info(m, idx, &info);
                if(info.units[0])
                    snprintf(names[k] + len, sizeof(names[k]) - len, " (%s)", info.units);
            }
        }

    /* the diagnosis, for the state bands and the title */
    if(states) {
        ocx_mapping map;
        ocd_params p;
        size_t nb;
        ocx_mapping_flagship(&map);
        ocx_params_flagship(&p);
        if(ocx_diagnose_run(m, r, &map, &p, &res, msg, sizeof(msg)) != 0) {
            rc = cli_fail(EXIT_USAGE,
                          "--states: the diagnosis needs the built-in model's variables: %s", msg);
            goto done;
        }
        if(res->status == OCD_DIAGNOSED) {
            int *st = malloc((n ? n : 1) * sizeof(int));
            double *st_time = malloc((n ? n : 1) * sizeof(double));
            if(!st || !st_time) {
                free(st);
                free(st_time);
                rc = cli_fail(EXIT_MODEL, "out of memory");
                goto done;
            }
            for(i = 0; i < res->step_count; i++) {
                st[i] = (int)res->steps[i].state;
                st_time[i] = res->steps[i].time;
            }
            nb = ocg_bands_from_steps(st_time, st, res->step_count, NULL, 0);
            bands = malloc((nb ? nb : 1) * sizeof(*bands));
            if(bands)
                c.n_bands = ocg_bands_from_steps(st_time, st, res->step_count, bands, nb);
            free(st);
            free(st_time);
            if(!bands) {
                rc = cli_fail(EXIT_MODEL, "out of memory");
                goto done;
            }
            c.bands = bands;
        }
        verdict = malloc(1040);
        if(verdict) {
            memcpy(verdict, "Verdict: ", 10);
            ocd_verdict(res, &p, verdict + 9, 1031);
        }
    }

    /* jumps of the scenario as marked events */
    for(k = 0; k < sc.n_jumps; k++) {
        snprintf(jump_label[k], sizeof(jump_label[k]), "%gx jump", sc.jumps[k].factor);
        refs[k].vertical = 1;
        refs[k].value = sc.jumps[k].year;
        refs[k].label = jump_label[k];
    }

    scen_name = sc.name ? sc.name : o->j.scenario ? o->j.scenario : NULL;
    time_label(m, xlab, sizeof(xlab));
    if(defaults)
        snprintf(ylab, sizeof(ylab), "compute (%s)", units && units[0] ? units : "units");
    else if(same_units && units && units[0])
        snprintf(ylab, sizeof(ylab), "%s",
                 percent && strcmp(units, "dimensionless") == 0 ? "share" : units);
    else
        snprintf(ylab, sizeof(ylab), "value (units in the legend)");
    if(o->title)
        snprintf(title, sizeof(title), "%s", o->title);
    else if(states && res)
        market_takeaway(res, title, sizeof(title));
    else
        series_takeaway(names[0], time, values[0], n, percent, title, sizeof(title));
    if(scen_name)
        snprintf(subtitle, sizeof(subtitle), "%s, scenario %s",
                 o->j.model_path ? o->j.model_path : "The AI compute market (built-in model)",
                 scen_name);
    else
        snprintf(subtitle, sizeof(subtitle), "%s",
                 o->j.model_path ? o->j.model_path : "The AI compute market (built-in model)");

    c.chart.title = title;
    c.chart.subtitle = subtitle;
    c.chart.x_label = xlab;
    c.chart.y_label = ylab;
    c.chart.note = verdict;
    c.chart.width = o->width;
    c.chart.height = o->height;
    c.chart.id = "plot";
    c.series = series;
    c.n_series = nvars;
    c.refs = refs;
    c.n_refs = sc.n_jumps;
    c.log_y = log_y;
    c.percent_y = percent;
    {
        char err[256];
        int grc = ocg_lines(&c, &svg, err, sizeof(err));
        if(grc) {
            rc = chart_failed(grc, err);
            goto done;
        }
    }
    if(svg.note[0])
        fprintf(stderr, "overcap: note: %s\n", svg.note);
    rc = write_svg(o->out_path, &svg);
done:
    for(k = 0; k < OCG_MAX_SERIES; k++)
        free(values[k]);
    free(time);
    free(list);
    free(bands);
    free(verdict);
    ocg_svg_free(&svg);
    ocd_result_free(res);
    oc_run_free(r);
    oc_model_free(m);
    scenario_free(&sc);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Scenarios side by side                                              */
/* ------------------------------------------------------------------ */

static int plot_compare(plot_opts *o)
{
    oc_model *m = NULL;
    oc_error oe;
    ocg_line_chart c;
    ocg_series series[OCG_MAX_SERIES];
    ocg_ref ref;
    ocg_svg svg;
    oc_var_info info;
    double *time[OCG_MAX_SERIES], *values[OCG_MAX_SERIES];
    char *names[OCG_MAX_SERIES], xlab[64], ylab[200], title[300], subtitle[200], msg[512],
        hname[128], best[32], worst[32], ref_label[80];
    const char *var = o->var;
    size_t k, i, idx, hi_k = 0, lo_k = 0;
    double hi = -INFINITY, lo = INFINITY;
    int rc = EXIT_OK, percent;

    memset(&c, 0, sizeof(c));
    memset(series, 0, sizeof(series));
    memset(time, 0, sizeof(time));
    memset(values, 0, sizeof(values));
    memset(names, 0, sizeof(names));
    memset(&ref, 0, sizeof(ref));
    ocg_svg_init(&svg);
    if(o->n_compare == 0) {
        rc = cli_fail(EXIT_USAGE, "--compare needs at least one scenario");
        goto done;
    }
    if(o->n_compare > OCG_MAX_SERIES) {
        rc = cli_fail(EXIT_USAGE, "--compare: at most %d scenarios in one chart", OCG_MAX_SERIES);
        goto done;
    }
    if(!var) {
        if(o->j.model_path) {
            rc = cli_fail(EXIT_USAGE, "--compare: which series? --var NAME");
            goto done;
        }
        var = "idle_share";
    }
    if(cli_load_model(o->j.model_path, &m, &oe) != OC_OK) {
        cli_report(&oe);
        rc = cli_exit_code(oe.code);
        goto done;
    }
    if(oc_model_find(m, var, &idx, NULL) != OC_OK) {
        rc = cli_fail(EXIT_USAGE, "--var: no variable '%s' in the model", var);
        goto done;
    }
    oc_model_var_info(m, idx, &info);
    /* every scenario must load before anything runs */
    for(k = 0; k < o->n_compare; k++) {
        oc_run *r = NULL;
        rc = job_prepare_run(&o->j, o->compare[k], m, &r, NULL);
        oc_run_free(r);
        if(rc)
            goto done;
    }
    for(k = 0; k < o->n_compare; k++) {
        oc_run *r = NULL;
        scenario sc;
        size_t n;
        memset(&sc, 0, sizeof(sc));
        rc = job_prepare_run(&o->j, o->compare[k], m, &r, &sc);
        if(rc)
            goto done;
        if(oc_run_simulate(r, &oe) != OC_OK) {
            cli_report(&oe);
            rc = cli_exit_code(oe.code);
            oc_run_free(r);
            scenario_free(&sc);
            goto done;
        }
        n = oc_run_save_count(r);
        time[k] = malloc((n ? n : 1) * sizeof(double));
        values[k] = malloc((n ? n : 1) * sizeof(double));
        names[k] = strdup(sc.name ? sc.name : o->compare[k]);
        if(!time[k] || !values[k] || !names[k]) {
            oc_run_free(r);
            scenario_free(&sc);
            rc = cli_fail(EXIT_MODEL, "out of memory");
            goto done;
        }
        for(i = 0; i < n; i++)
            time[k][i] = oc_run_time(r, i);
        rc = ocx_series(m, r, info.name, values[k], msg, sizeof(msg));
        oc_run_free(r);
        scenario_free(&sc);
        if(rc) {
            rc = cli_fail(EXIT_USAGE, "--var: %s", msg);
            goto done;
        }
        /* each scenario's peak; the title sets the highest against the lowest */
        {
            double peak = -INFINITY;
            for(i = 0; i < n; i++)
                if(isfinite(values[k][i]) && values[k][i] > peak)
                    peak = values[k][i];
            if(isfinite(peak) && peak > hi) {
                hi = peak;
                hi_k = k;
            }
            if(isfinite(peak) && peak < lo) {
                lo = peak;
                lo_k = k;
            }
        }
        series[k].name = names[k];
        series[k].x = time[k];
        series[k].y = values[k];
        series[k].n = n;
    }
    percent = o->percent || (looks_like_share(&info) && !o->log);
    humanize(info.name, hname, sizeof(hname));
    if(percent) {
        snprintf(best, sizeof(best), "%.0f%%", 100 * hi);
        snprintf(worst, sizeof(worst), "%.0f%%", 100 * lo);
    }
    else {
        fmt_short(best, sizeof(best), hi);
        fmt_short(worst, sizeof(worst), lo);
    }
    if(o->title)
        snprintf(title, sizeof(title), "%s", o->title);
    else if(isfinite(hi) && hi_k != lo_k)
        snprintf(title, sizeof(title), "%s peaks at %s under %s, at %s under %s", hname, best,
                 names[hi_k], worst, names[lo_k]);
    else if(isfinite(hi))
        snprintf(title, sizeof(title), "%s peaks at %s under %s", hname, best, names[hi_k]);
    else
        snprintf(title, sizeof(title), "%s: no finite value in any scenario", hname);
    if(title[0])
        title[0] = (char)toupper((unsigned char)title[0]);
    snprintf(subtitle, sizeof(subtitle), "%s under %lu scenarios",
             o->j.model_path ? o->j.model_path : "The AI compute market (built-in model)",
             (unsigned long)o->n_compare);
    time_label(m, xlab, sizeof(xlab));
    if(percent && strcmp(info.units, "dimensionless") == 0)
        snprintf(ylab, sizeof(ylab), "%s", hname);
    else if(info.units[0])
        snprintf(ylab, sizeof(ylab), "%s (%s)", hname, info.units);
    else
        snprintf(ylab, sizeof(ylab), "%s", hname);
    /* the overcapacity threshold where the series is the idle share */
    if(!o->j.model_path && strcmp(info.name, "idle_share") == 0) {
        ocd_params p;
        ocx_params_flagship(&p);
        snprintf(ref_label, sizeof(ref_label), "overcapacity threshold (%.0f%% idle)",
                 100 * p.idle_threshold);
        ref.value = p.idle_threshold;
        ref.label = ref_label;
        c.refs = &ref;
        c.n_refs = 1;
    }
    c.chart.title = title;
    c.chart.subtitle = subtitle;
    c.chart.x_label = xlab;
    c.chart.y_label = ylab;
    c.chart.width = o->width;
    c.chart.height = o->height;
    c.chart.id = "compare";
    c.series = series;
    c.n_series = o->n_compare;
    c.log_y = o->log;
    c.percent_y = percent;
    {
        char err[256];
        int grc = ocg_lines(&c, &svg, err, sizeof(err));
        if(grc) {
            rc = chart_failed(grc, err);
            goto done;
        }
    }
    if(svg.note[0])
        fprintf(stderr, "overcap: note: %s\n", svg.note);
    rc = write_svg(o->out_path, &svg);
done:
    for(k = 0; k < OCG_MAX_SERIES; k++) {
        free(time[k]);
        free(values[k]);
        free(names[k]);
    }
    ocg_svg_free(&svg);
    oc_model_free(m);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The critical-jump map                                               */
/* ------------------------------------------------------------------ */

typedef struct grid {
    char names[2][128];
    int n_params;
    size_t rows;
    double *p[2]; /* rows values each */
    double *z;
} grid;

static void grid_free(grid *g)
{
    free(g->p[0]);
    free(g->p[1]);
    free(g->z);
    memset(g, 0, sizeof(*g));
}

/* Splits a CSV line (no quoting: the critical map has none) into at most
 * max fields in place; returns the count, or max + 1 when there are more. */
static int split_fields(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    for(;;) {
        char *comma = strchr(p, ',');
        if(n == max)
            return max + 1;
        f[n++] = p;
        if(!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

/* Reads the map `overcap critical --grid` writes: a header
 * "P1[,P2],critical_factor", then one row per grid point with numbers and
 * "inf" where no jump up to the largest tried makes a bubble. */
static int read_grid(const char *path, grid *g)
{
    FILE *fp;
    char *text = NULL, *line, *next;
    size_t len = 0, cap_rows = 0, lineno = 0;
    long size;
    int rc = EXIT_OK;

    memset(g, 0, sizeof(*g));
    fp = fopen(path, "rb");
    if(!fp)
        return cli_fail(EXIT_IO, "%s: cannot open: %s", path, strerror(errno));
    if(fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
        rc = cli_fail(EXIT_IO, "%s: cannot read: %s", path, strerror(errno));
        goto done;
    }
    if((size_t)size > GRID_MAX_BYTES) {
        rc = cli_fail(EXIT_USAGE, "%s: %ld bytes is more than a critical map can hold (16 MiB)",
                      path, size);
        goto done;
    }
    text = malloc((size_t)size + 1);
    if(!text) {
        rc = cli_fail(EXIT_MODEL, "out of memory");
        goto done;
    }
    len = fread(text, 1, (size_t)size, fp);
    if(len != (size_t)size) {
        rc = cli_fail(EXIT_IO, "%s: cannot read: %s", path, strerror(errno));
        goto done;
    }
    text[len] = '\0';
    if(memchr(text, '\0', len)) {
        rc = cli_fail(EXIT_USAGE, "%s: not a CSV file (it holds NUL bytes)", path);
        goto done;
    }
    for(line = text; line && *line; line = next) {
        char *f[4];
        int nf, k;
        size_t l;
        next = strchr(line, '\n');
        if(next)
            *next++ = '\0';
        lineno++;
        l = strlen(line);
        if(l && line[l - 1] == '\r')
            line[--l] = '\0';
        if(l == 0)
            continue;
        nf = split_fields(line, f, 3);
        if(lineno == 1) {
            if(nf < 2 || nf > 3) {
                rc = cli_fail(EXIT_USAGE,
                              "%s:1: expected a header 'PARAMETER[,PARAMETER],critical_factor' "
                              "as `overcap critical --grid ... -o FILE` writes",
                              path);
                goto done;
            }
            g->n_params = nf - 1;
            for(k = 0; k < g->n_params; k++) {
                if(!f[k][0] || strlen(f[k]) >= sizeof(g->names[k])) {
                    rc = cli_fail(EXIT_USAGE, "%s:1: column %d has no usable name", path, k + 1);
                    goto done;
                }
                snprintf(g->names[k], sizeof(g->names[k]), "%s", f[k]);
            }
            continue;
        }
        if(nf != g->n_params + 1) {
            rc = cli_fail(EXIT_USAGE, "%s:%lu: expected %d fields, found %d", path,
                          (unsigned long)lineno, g->n_params + 1, nf > 3 ? 4 : nf);
            goto done;
        }
        if(g->rows == OCG_MAX_CELLS) {
            rc = cli_fail(EXIT_USAGE, "%s: more than %d grid points", path, OCG_MAX_CELLS);
            goto done;
        }
        if(g->rows == cap_rows) {
            size_t nc = cap_rows ? 2 * cap_rows : 64;
            double *a = realloc(g->p[0], nc * sizeof(double));
            double *b = a ? realloc(g->p[1], nc * sizeof(double)) : NULL;
            double *z = NULL;
            if(a)
                g->p[0] = a;
            if(b)
                g->p[1] = b;
            if(b)
                z = realloc(g->z, nc * sizeof(double));
            if(!a || !b || !z) {
                rc = cli_fail(EXIT_MODEL, "out of memory");
                goto done;
            }
            g->z = z;
            cap_rows = nc;
        }
        for(k = 0; k < g->n_params; k++)
            if(cli_number(f[k], &g->p[k][g->rows]) != 0) {
                rc = cli_fail(EXIT_USAGE, "%s:%lu: %s '%s' is not a finite number", path,
                              (unsigned long)lineno, g->names[k], f[k]);
                goto done;
            }
        if(g->n_params == 1)
            g->p[1][g->rows] = 0;
        {
            const char *zs = f[g->n_params];
            double z;
            if(strcmp(zs, "inf") == 0 || strcmp(zs, "Inf") == 0 || strcmp(zs, "+inf") == 0)
                z = INFINITY;
            else if(cli_number(zs, &z) != 0 || !(z > 0)) {
                rc = cli_fail(EXIT_USAGE,
                              "%s:%lu: critical factor '%s' is not a positive number or 'inf'",
                              path, (unsigned long)lineno, zs);
                goto done;
            }
            g->z[g->rows] = z;
        }
        g->rows++;
    }
    if(lineno == 0 || g->n_params == 0) {
        rc = cli_fail(EXIT_USAGE, "%s: empty; expected the CSV of `overcap critical --grid`", path);
        goto done;
    }
    if(g->rows == 0) {
        rc = cli_fail(EXIT_USAGE, "%s: a header but no grid points", path);
        goto done;
    }
done:
    if(fp)
        fclose(fp);
    free(text);
    if(rc)
        grid_free(g);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y ? 1 : 0;
}

static int same_value(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* The distinct values of an axis, ascending; returns their count. */
static size_t axis_values(const double *v, size_t n, double *out)
{
    size_t k, m = 0;
    memcpy(out, v, n * sizeof(double));
    qsort(out, n, sizeof(double), cmp_double);
    for(k = 0; k < n; k++)
        if(m == 0 || !same_value(out[m - 1], out[k]))
            out[m++] = out[k];
    return m;
}

static size_t axis_index(const double *axis, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while(lo < hi) {
        size_t mid = (lo + hi) / 2;
        if(same_value(axis[mid], v))
            return mid;
        if(axis[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return n;
}

/* "demand_price_elasticity (dimensionless)" from the model, when it knows
 * the parameter; the bare name otherwise. */
static void param_label(const oc_model *m, const char *name, char *buf, size_t size)
{
    size_t idx;
    oc_var_info info;
    char h[160];
    humanize(name, h, sizeof(h));
    if(m && oc_model_find(m, name, &idx, NULL) == OC_OK) {
        oc_model_var_info(m, idx, &info);
        if(info.units[0] && strcmp(info.units, "dimensionless") != 0) {
            snprintf(buf, size, "%s (%s)", h, info.units);
            return;
        }
    }
    snprintf(buf, size, "%s", h);
}

static int plot_grid(plot_opts *o)
{
    grid g;
    oc_model *m = NULL;
    oc_error oe;
    ocg_svg svg;
    double *xs = NULL, *ys = NULL, *z = NULL, zmin = INFINITY, zmax = -INFINITY;
    unsigned char *seen = NULL;
    size_t nx, ny, k, n_inf = 0, at_min = 0, missing;
    char xlab[200], ylab[200], title[600], err[256], a[32], b[32], note[200];
    const char *inf_label = "no bubble up to the largest jump tried";
    int rc;

    ocg_svg_init(&svg);
    rc = read_grid(o->grid_csv, &g);
    if(rc)
        return rc;
    /* the model only labels the axes with units; without it, bare names */
    if(cli_load_model(o->j.model_path, &m, &oe) != OC_OK)
        m = NULL;
    xs = malloc(g.rows * sizeof(double));
    ys = malloc(g.rows * sizeof(double));
    if(!xs || !ys) {
        rc = cli_fail(EXIT_MODEL, "out of memory");
        goto done;
    }
    nx = axis_values(g.p[0], g.rows, xs);
    ny = g.n_params == 2 ? axis_values(g.p[1], g.rows, ys) : 1;
    if(g.n_params == 1)
        ys[0] = 0;
    if(nx > OCG_MAX_CELLS / ny) {
        rc = cli_fail(EXIT_USAGE, "%s: the grid has more than %d points", o->grid_csv,
                      OCG_MAX_CELLS);
        goto done;
    }
    z = malloc(nx * ny * sizeof(double));
    seen = calloc(nx * ny, 1);
    if(!z || !seen) {
        rc = cli_fail(EXIT_MODEL, "out of memory");
        goto done;
    }
    for(k = 0; k < nx * ny; k++)
        z[k] = NAN;
    for(k = 0; k < g.rows; k++) {
        size_t ix = axis_index(xs, nx, g.p[0][k]);
        size_t iy = g.n_params == 2 ? axis_index(ys, ny, g.p[1][k]) : 0;
        if(seen[iy * nx + ix]) {
            rc = cli_fail(EXIT_USAGE, "%s:%lu: the point %g%s%g appears twice", o->grid_csv,
                          (unsigned long)(k + 2), g.p[0][k], g.n_params == 2 ? ", " : "",
                          g.n_params == 2 ? g.p[1][k] : 0.0);
            goto done;
        }
        seen[iy * nx + ix] = 1;
        z[iy * nx + ix] = g.z[k];
        if(isinf(g.z[k]))
            n_inf++;
        else {
            if(g.z[k] < zmin) {
                zmin = g.z[k];
                at_min = k;
            }
            zmax = fmax(zmax, g.z[k]);
        }
    }
    missing = nx * ny - g.rows;
    param_label(m, g.names[0], xlab, sizeof(xlab));
    if(g.n_params == 2)
        param_label(m, g.names[1], ylab, sizeof(ylab));

    /* the takeaway */
    if(o->title)
        snprintf(title, sizeof(title), "%s", o->title);
    else if(!isfinite(zmin))
        snprintf(title, sizeof(title),
                 "No jump up to the largest tried makes a bubble anywhere on this map");
    else {
        char where[400], h0[160], h1[160];
        fmt_short(a, sizeof(a), zmin);
        fmt_short(b, sizeof(b), zmax);
        humanize(g.names[0], h0, sizeof(h0));
        humanize(g.names[1], h1, sizeof(h1));
        if(g.n_params == 2)
            snprintf(where, sizeof(where), "%s %g, %s %g", h0, g.p[0][at_min], h1, g.p[1][at_min]);
        else
            snprintf(where, sizeof(where), "%s %g", h0, g.p[0][at_min]);
        if(n_inf)
            snprintf(title, sizeof(title),
                     "A jump of %sx is enough at best (%s); at %lu of %lu points no jump "
                     "tried makes a bubble",
                     a, where, (unsigned long)n_inf, (unsigned long)g.rows);
        else if(zmin == zmax)
            snprintf(title, sizeof(title), "A jump of %sx makes a bubble everywhere on this map",
                     a);
        else
            snprintf(title, sizeof(title), "The critical jump F* runs from %sx (at %s) to %sx", a,
                     where, b);
    }
    if(g.n_params == 2) {
        ocg_heat_map h;
        memset(&h, 0, sizeof(h));
        h.chart.title = title;
        h.chart.subtitle = "The smallest efficiency jump arriving at once that turns the "
                           "build-out into a bubble (overcap critical)";
        h.chart.x_label = xlab;
        h.chart.y_label = ylab;
        h.chart.width = o->width;
        h.chart.height = o->height;
        h.chart.id = "fstar";
        if(missing) {
            snprintf(note, sizeof(note), "%lu grid point%s missing from %s.",
                     (unsigned long)missing, missing == 1 ? " is" : "s are", o->grid_csv);
            h.chart.note = note;
        }
        h.x = xs;
        h.nx = nx;
        h.y = ys;
        h.ny = ny;
        h.z = z;
        h.log_z = 1;
        h.z_label = "critical jump F* (x)";
        h.inf_label = inf_label;
        rc = ocg_heatmap(&h, &svg, err, sizeof(err));
    }
    else {
        ocg_line_chart c;
        ocg_series s;
        double *line = malloc(nx * sizeof(double));
        if(!line) {
            rc = cli_fail(EXIT_MODEL, "out of memory");
            goto done;
        }
        for(k = 0; k < nx; k++)
            line[k] = isinf(z[k]) ? (double)NAN : z[k];
        memset(&c, 0, sizeof(c));
        memset(&s, 0, sizeof(s));
        s.name = "critical jump F*";
        s.markers = 1;
        s.x = xs;
        s.y = line;
        s.n = nx;
        if(n_inf) {
            snprintf(note, sizeof(note), "%lu point%s without a line: %s.", (unsigned long)n_inf,
                     n_inf == 1 ? "" : "s", inf_label);
            c.chart.note = note;
        }
        c.chart.title = title;
        c.chart.subtitle = "The smallest efficiency jump arriving at once that turns the "
                           "build-out into a bubble (overcap critical)";
        c.chart.x_label = xlab;
        c.chart.y_label = "critical jump F* (x)";
        c.chart.width = o->width;
        c.chart.height = o->height;
        c.chart.id = "fstar";
        c.series = &s;
        c.n_series = 1;
        c.log_y = 1;
        if(!isfinite(zmin)) { /* nothing to draw: an empty frame, not an error */
            s.n = 0;
            c.log_y = 0;
        }
        rc = ocg_lines(&c, &svg, err, sizeof(err));
        free(line);
    }
    if(rc) {
        rc = chart_failed(rc, err);
        goto done;
    }
    if(missing)
        fprintf(stderr, "overcap: note: %lu grid point%s missing from %s\n", (unsigned long)missing,
                missing == 1 ? " is" : "s are", o->grid_csv);
    rc = write_svg(o->out_path, &svg);
done:
    free(xs);
    free(ys);
    free(z);
    free(seen);
    grid_free(&g);
    ocg_svg_free(&svg);
    oc_model_free(m);
    return rc;
}

/* ------------------------------------------------------------------ */
/* overcap plot                                                        */
/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */
/* Saved Monte Carlo and sensitivity results                           */
/* ------------------------------------------------------------------ */

static void chart_base(const plot_opts *o, ocg_chart *c)
{
    memset(c, 0, sizeof(*c));
    c->title = o->title;
    c->width = o->width;
    c->height = o->height;
}

static int plot_mc(plot_opts *o)
{
    mc_results r;
    ocg_chart base;
    ocg_svg svg;
    char err[1024];
    int rc;
    rc = mcr_load(o->mc_json, &r, err, sizeof(err));
    if(rc != 0)
        return cli_fail(rc == EXIT_IO ? EXIT_IO : EXIT_USAGE, "%s", err);
    chart_base(o, &base);
    ocg_svg_init(&svg);
    if(o->band) {
        const mcr_band *b = mcr_find_band(&r, o->band);
        char names[600] = "";
        size_t k, used = 0;
        if(!b) {
            for(k = 0; k < r.n_bands && used + 80 < sizeof(names); k++)
                used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
                                         k ? ", " : "", r.bands[k].name);
            mcr_free(&r);
            return cli_fail(EXIT_USAGE, "--band %s: %s has no such band (it has: %s)", o->band,
                            o->mc_json, used ? names : "none");
        }
        /* capacity and demand span decades: log unless told otherwise */
        rc = mcr_chart_fan(&r, b, NULL,
                           o->log || (!o->linear && (strstr(b->name, "capacity") ||
                                                      strstr(b->name, "demand"))),
                           &base, &svg, err, sizeof(err));
    }
    else
        rc = mcr_chart_probability(&r, &base, &svg, err, sizeof(err));
    mcr_free(&r);
    rc = rc ? chart_failed(rc, err) : write_svg(o->out_path, &svg);
    ocg_svg_free(&svg);
    return rc;
}

/* Reads `overcap sensitivity -o` CSV: header "input,first,...,total,
 * total_lo,total_hi" (Sobol) or "input,prcc,prcc_p,..." (screening). */
static int plot_tornado(plot_opts *o)
{
    char *text = NULL, *line, *next, err[1024];
    size_t len, n = 0, cap = 0, lineno = 0;
    ocg_bar *bars = NULL;
    char **labels = NULL;
    int sobol = -1, rc = EXIT_OK;
    ocg_tornado_chart c;
    ocg_svg svg;
    char title[200];
    if(cli_read_file(o->tornado_csv, 16L << 20, "sensitivity table", &text, &len, err,
                     sizeof(err)))
        return cli_fail(EXIT_IO, "%s", err);
    for(line = text; line && *line; line = next) {
        char *f[8];
        int nf;
        next = strchr(line, '\n');
        if(next)
            *next++ = '\0';
        lineno++;
        if(*line == '\0' || *line == '\r')
            continue;
        line[strcspn(line, "\r")] = '\0';
        nf = split_fields(line, f, 7);
        if(sobol < 0) {
            if(nf == 7 && !strcmp(f[0], "input") && !strcmp(f[4], "total"))
                sobol = 1;
            else if(nf == 5 && !strcmp(f[0], "input") && !strcmp(f[1], "prcc"))
                sobol = 0;
            else {
                rc = cli_fail(EXIT_USAGE, "%s:1: not a table of `overcap sensitivity -o` (header "
                                          "input,first,...,total,total_lo,total_hi or "
                                          "input,prcc,prcc_p,spearman,spearman_p)",
                              o->tornado_csv);
                goto done;
            }
            continue;
        }
        if(nf != (sobol ? 7 : 5)) {
            rc = cli_fail(EXIT_USAGE, "%s:%zu: expected %d fields", o->tornado_csv, lineno,
                          sobol ? 7 : 5);
            goto done;
        }
        if(n == OCG_MAX_BARS) {
            rc = cli_fail(EXIT_USAGE, "%s: more than %d inputs", o->tornado_csv, OCG_MAX_BARS);
            goto done;
        }
        if(n == cap) {
            size_t nc = cap ? 2 * cap : 16;
            ocg_bar *nb = realloc(bars, nc * sizeof(*bars));
            char **nl = nb ? realloc(labels, nc * sizeof(*labels)) : NULL;
            if(nb)
                bars = nb;
            if(!nb || !nl) {
                rc = cli_fail(EXIT_MODEL, "out of memory");
                goto done;
            }
            labels = nl;
            cap = nc;
        }
        memset(&bars[n], 0, sizeof(bars[n]));
        labels[n] = f[0];
        bars[n].label = f[0];
        {
            int k, base = sobol ? 4 : 1;
            double v[3] = {0, 0, 0};
            for(k = 0; k < (sobol ? 3 : 1); k++)
                if(cli_number(f[base + k], &v[k]) != 0 && strcmp(f[base + k], "null") != 0) {
                    rc = cli_fail(EXIT_USAGE, "%s:%zu: '%s' is not a number", o->tornado_csv,
                                  lineno, f[base + k]);
                    goto done;
                }
                else if(strcmp(f[base + k], "null") == 0)
                    v[k] = (double)NAN;
            bars[n].value = v[0];
            if(sobol && isfinite(v[1]) && isfinite(v[2])) {
                bars[n].has_interval = 1;
                bars[n].lo = v[1];
                bars[n].hi = v[2];
            }
        }
        n++;
    }
    if(sobol < 0 || n == 0) {
        rc = cli_fail(EXIT_USAGE, "%s: no inputs in the table", o->tornado_csv);
        goto done;
    }
    memset(&c, 0, sizeof(c));
    chart_base(o, &c.chart);
    {
        size_t k, top = 0;
        for(k = 1; k < n; k++)
            if(fabs(bars[k].value) > fabs(bars[top].value))
                top = k;
        snprintf(title, sizeof(title), "%s drives bubble risk most", bars[top].label);
    }
    if(!c.chart.title)
        c.chart.title = title;
    c.chart.subtitle = sobol ? "total-effect Sobol indices with 95% bootstrap intervals"
                             : "partial rank correlation with the outcome";
    c.chart.x_label = sobol ? "total-effect Sobol index" : "partial rank correlation (PRCC)";
    c.bars = bars;
    c.n = n;
    ocg_svg_init(&svg);
    rc = ocg_tornado(&c, &svg, err, sizeof(err));
    rc = rc ? chart_failed(rc, err) : write_svg(o->out_path, &svg);
    ocg_svg_free(&svg);
done:
    free(bars);
    free(labels);
    free(text);
    return rc;
}

int cmd_plot(int argc, char **argv)
{
    plot_opts o;
    char converter[4096];
    int i, rc = EXIT_OK;

    memset(&o, 0, sizeof(o));
    if(job_init(&o.j, argc))
        return EXIT_MODEL;
    o.compare = calloc((size_t)argc + 1, sizeof(*o.compare));
    if(!o.compare) {
        rc = cli_fail(EXIT_MODEL, "out of memory");
        goto done;
    }
    for(i = 1; i < argc; i++) {
        const char *a = argv[i];
        int used;
        if(strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            help_plot(stdout);
            goto done;
        }
        if(strcmp(a, "--compare") == 0) {
            o.is_compare = 1;
            /* the scenarios: every argument up to the next option */
            while(i + 1 < argc && argv[i + 1][0] != '-')
                o.compare[o.n_compare++] = argv[++i];
            continue;
        }
        used = job_option(&o.j, &i, argc, argv);
        if(used == 1)
            continue;
        if(used) {
            rc = used;
            goto done;
        }
        if(strcmp(a, "--log") == 0)
            o.log = 1;
        else if(strcmp(a, "--linear") == 0)
            o.linear = 1;
        else if(strcmp(a, "--states") == 0)
            o.states = 1;
        else if(strcmp(a, "--no-states") == 0)
            o.no_states = 1;
        else if(strcmp(a, "--percent") == 0)
            o.percent = 1;
        else if(strcmp(a, "--png") == 0)
            o.png = 1;
        else if(strcmp(a, "-o") == 0 || strcmp(a, "--vars") == 0 || strcmp(a, "--var") == 0 ||
                strcmp(a, "--title") == 0 || strcmp(a, "--critical-grid") == 0 ||
                strcmp(a, "--model") == 0 || strcmp(a, "--width") == 0 ||
                strcmp(a, "--height") == 0 || strcmp(a, "--mc") == 0 ||
                strcmp(a, "--band") == 0 || strcmp(a, "--tornado") == 0) {
            const char *v;
            if(i + 1 >= argc) {
                rc = cli_fail(EXIT_USAGE, "%s needs a value (try: overcap help plot)", a);
                goto done;
            }
            v = argv[++i];
            if(strcmp(a, "-o") == 0)
                o.out_path = v;
            else if(strcmp(a, "--vars") == 0)
                o.vars = v;
            else if(strcmp(a, "--var") == 0)
                o.var = v;
            else if(strcmp(a, "--title") == 0)
                o.title = v;
            else if(strcmp(a, "--critical-grid") == 0)
                o.grid_csv = v;
            else if(strcmp(a, "--model") == 0)
                o.j.model_path = v;
            else if(strcmp(a, "--mc") == 0)
                o.mc_json = v;
            else if(strcmp(a, "--band") == 0)
                o.band = v;
            else if(strcmp(a, "--tornado") == 0)
                o.tornado_csv = v;
            else if(strcmp(a, "--width") == 0) {
                rc = parse_size(a, v, &o.width);
                if(rc)
                    goto done;
            }
            else {
                rc = parse_size(a, v, &o.height);
                if(rc)
                    goto done;
            }
        }
        else if(a[0] == '-' && a[1]) {
            rc = cli_fail(EXIT_USAGE, "unknown option '%s' (try: overcap help plot)", a);
            goto done;
        }
        else if(!o.j.model_path)
            o.j.model_path = a;
        else {
            rc = cli_fail(EXIT_USAGE, "more than one model given");
            goto done;
        }
    }
    if(o.log && o.linear) {
        rc = cli_fail(EXIT_USAGE, "--log and --linear exclude each other");
        goto done;
    }
    if(o.states && o.no_states) {
        rc = cli_fail(EXIT_USAGE, "--states and --no-states exclude each other");
        goto done;
    }
    if(!!o.grid_csv + o.is_compare + !!o.mc_json + !!o.tornado_csv > 1) {
        rc = cli_fail(EXIT_USAGE, "--critical-grid, --compare, --mc and --tornado draw "
                                  "different charts: choose one");
        goto done;
    }
    if(o.band && !o.mc_json) {
        rc = cli_fail(EXIT_USAGE, "--band picks a fan from --mc RESULTS.json");
        goto done;
    }
    if((o.mc_json || o.tornado_csv) && (o.states || o.vars || o.var || o.j.model_path)) {
        rc = cli_fail(EXIT_USAGE, "--%s draws saved results: --states, --vars, --var and a "
                                  "model do not apply",
                      o.mc_json ? "mc" : "tornado");
        goto done;
    }
    if(o.states && (o.grid_csv || o.is_compare)) {
        rc = cli_fail(EXIT_USAGE, "--states shades the chart of one run, not --%s",
                      o.grid_csv ? "critical-grid" : "compare");
        goto done;
    }
    if(o.var && !o.is_compare) {
        rc = cli_fail(EXIT_USAGE, "--var goes with --compare; a run's series are --vars");
        goto done;
    }
    if(o.vars && (o.grid_csv || o.is_compare)) {
        rc = cli_fail(EXIT_USAGE, "--vars picks the series of a run; with --compare use --var");
        goto done;
    }
    /* a PNG needs a file to convert and a converter: check both before any
     * work, so a missing converter writes nothing */
    if(o.png) {
        if(!o.out_path || strcmp(o.out_path, "-") == 0) {
            rc = cli_fail(EXIT_USAGE, "--png needs -o FILE.svg (the PNG goes next to it)");
            goto done;
        }
        if(!find_converter(converter, sizeof(converter))) {
            rc = cli_fail(EXIT_IO,
                          "--png: no SVG-to-PNG converter: '%s' is not on PATH (Debian: "
                          "apt-get install librsvg2-bin); nothing written. Without --png, the "
                          "SVG opens in any browser",
                          PNG_CONVERTER);
            goto done;
        }
    }
    if(o.grid_csv)
        rc = plot_grid(&o);
    else if(o.mc_json)
        rc = plot_mc(&o);
    else if(o.tornado_csv)
        rc = plot_tornado(&o);
    else if(o.is_compare)
        rc = plot_compare(&o);
    else
        rc = plot_run(&o);
    if(!rc && o.png)
        rc = write_png(converter, o.out_path);
done:
    free(o.compare);
    job_free(&o.j);
    return rc;
}
