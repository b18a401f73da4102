/*
 * cmd_market.c - the bubble question on the command line: the built-in
 * model's report, `overcap diagnose`, `overcap compare`, `overcap critical`.
 *
 * All of them run a model (the built-in AI compute model unless told
 * otherwise), then apply the one diagnosis of the project (src/analysis/
 * diagnosis.c) through a mapping of its series to the model's variables.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "job.h"
#include "market.h"

/* ------------------------------------------------------------------ */
/* Formatting                                                          */
/* ------------------------------------------------------------------ */

/* 3 significant digits with an SI-style suffix: 75.0k, 13.6M, 1.31B, 4.2T. */
static void fmt_qty(char *buf, size_t size, double x)
{
    static const char *suffix[] = {"", "k", "M", "B", "T", "P"};
    double a = fabs(x);
    int k = 0;
    if(!isfinite(x)) {
        snprintf(buf, size, isnan(x) ? "-" : x > 0 ? "inf" : "-inf");
        return;
    }
    while(a >= 999.5 && k < 5) {
        a /= 1000.0;
        x /= 1000.0;
        k++;
    }
    if(a >= 99.95 || k == 0)
        snprintf(buf, size, a >= 99.95 ? "%.0f%s" : a >= 9.995 ? "%.1f%s" : "%.3g%s", x, suffix[k]);
    else if(a >= 9.995)
        snprintf(buf, size, "%.1f%s", x, suffix[k]);
    else
        snprintf(buf, size, "%.2f%s", x, suffix[k]);
}

static void fmt_pct(char *buf, size_t size, double x)
{
    if(!isfinite(x))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.0f%%", 100.0 * x);
}

static void fmt_money_b(char *buf, size_t size, double billions)
{
    char q[24];
    if(!isfinite(billions)) {
        snprintf(buf, size, "-");
        return;
    }
    fmt_qty(q, sizeof(q), billions * 1e9);
    snprintf(buf, size, "$%s", q);
}

/* The save point nearest to time t. */
static size_t save_at(const oc_run *r, double t)
{
    oc_specs sp;
    double k;
    size_t n = oc_run_save_count(r);
    oc_run_specs(r, &sp);
    k = floor((t - sp.start) / sp.save_step + 0.5);
    if(k < 0)
        k = 0;
    if(n && k > (double)(n - 1))
        k = (double)(n - 1);
    return (size_t)k;
}

/* About eight whole years across the run for the summary table. */
static size_t pick_years(const oc_run *r, double *years, size_t max)
{
    oc_specs sp;
    double span, step, y;
    size_t n = 0;
    oc_run_specs(r, &sp);
    span = sp.stop - sp.start;
    step = ceil(span / 8.0);
    if(step < 1.0)
        step = span > 0 ? span / 4.0 : 1.0;
    for(y = sp.start; y <= sp.stop + 1e-9 && n < max; y += step)
        years[n++] = y;
    if(n < max && years[n - 1] < sp.stop - 1e-9)
        years[n++] = sp.stop;
    return n;
}

typedef void (*fmt_fn)(char *, size_t, double);

static void print_series_row(FILE *fp, const oc_model *m, const oc_run *r, const char *label,
                             const char *var, const double *years, size_t ny, fmt_fn fmt)
{
    size_t n = oc_run_save_count(r), k;
    double *s = malloc((n ? n : 1) * sizeof(double));
    char err[200], cell[32];
    if(!s)
        return;
    if(ocx_series(m, r, var, s, err, sizeof(err)) != 0) {
        free(s);
        return; /* a model without this series: no row */
    }
    fprintf(fp, "  %-28s", label);
    for(k = 0; k < ny; k++) {
        fmt(cell, sizeof(cell), s[save_at(r, years[k])]);
        fprintf(fp, " %9s", cell);
    }
    fputc('\n', fp);
    free(s);
}

static void fmt_plain(char *buf, size_t size, double x)
{
    if(!isfinite(x))
        snprintf(buf, size, "-");
    else if(fabs(x) < 10)
        snprintf(buf, size, "%.2f", x);
    else
        fmt_qty(buf, size, x);
}

/* Wraps text at about 78 columns after a lead ("verdict: "); continuation
 * lines are indented to the lead's width. */
static void print_wrapped(FILE *fp, const char *lead, const char *text)
{
    size_t col = 0, ilen = strlen(lead);
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

static const char *short_state(int s)
{
    switch(s) {
    case OCD_SHORTAGE: return "shortage";
    case OCD_BALANCED: return "balanced";
    case OCD_NORMAL_CYCLE: return "cycle";
    case OCD_BUBBLE: return "BUBBLE";
    default: return "?";
    }
}

/* ------------------------------------------------------------------ */
/* The built-in model's report                                         */
/* ------------------------------------------------------------------ */

int market_report(const oc_model *m, const oc_run *r, const scenario *sc, FILE *fp)
{
    ocx_mapping map;
    ocd_params p;
    ocd_result *res = NULL;
    char err[512], verdict[1024];
    double years[12];
    size_t ny, k;
    oc_specs sp;

    ocx_mapping_flagship(&map);
    ocx_params_flagship(&p);
    if(ocx_diagnose_run(m, r, &map, &p, &res, err, sizeof(err)) != 0)
        return cli_fail(EXIT_MODEL, "the built-in model cannot be diagnosed: %s", err);
    ocd_verdict(res, &p, verdict, sizeof(verdict));
    oc_run_specs(r, &sp);

    fprintf(fp, "overcap: the AI compute market, scenario '%s', %g to %g\n",
            sc && sc->name ? sc->name : "baseline", sp.start, sp.stop);
    if(sc && sc->description)
        print_wrapped(fp, "  ", sc->description);
    fputc('\n', fp);
    print_wrapped(fp, "verdict: ", verdict);
    fputc('\n', fp);

    ny = pick_years(r, years, sizeof(years) / sizeof(years[0]));
    fprintf(fp, "  %-28s", "");
    for(k = 0; k < ny; k++)
        fprintf(fp, " %9g", years[k]);
    fputc('\n', fp);
    print_series_row(fp, m, r, "compute capacity (H100e)", map.capacity, years, ny, fmt_qty);
    print_series_row(fp, m, r, "compute demand (H100e)", map.demand, years, ny, fmt_qty);
    print_series_row(fp, m, r, "idle share", "idle_share", years, ny, fmt_pct);
    print_series_row(fp, m, r, "demand growth (/year)", map.growth, years, ny, fmt_plain);
    print_series_row(fp, m, r, "hardware life left (years)", map.remaining_life, years, ny,
                     fmt_plain);
    print_series_row(fp, m, r, "compute price ($/H100e-hour)", map.price, years, ny, fmt_plain);
    print_series_row(fp, m, r, "capex (per year)", map.capex, years, ny, fmt_money_b);
    print_series_row(fp, m, r, "book value", map.book_value, years, ny, fmt_money_b);
    print_series_row(fp, m, r, "stranded book value", map.stranded, years, ny, fmt_money_b);
    if(res->status == OCD_DIAGNOSED) {
        fprintf(fp, "  %-28s", "state");
        for(k = 0; k < ny; k++)
            fprintf(fp, " %9s", short_state(res->steps[save_at(r, years[k])].state));
        fputc('\n', fp);
    }
    if(sc && sc->assumptions) {
        fputc('\n', fp);
        print_wrapped(fp, "assumptions: ", sc->assumptions);
    }
    fprintf(fp, "\nmore: overcap diagnose (timeline and margins), overcap run -o FILE (every "
                "series),\n      overcap critical (the smallest jump that makes a bubble)\n");
    ocd_result_free(res);
    return ferror(fp) ? EXIT_IO : EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* Options shared by diagnose, compare and critical                     */
/* ------------------------------------------------------------------ */

typedef struct diag_opts {
    ocx_mapping map;
    ocd_params params;
    int mapped; /* the user gave --capacity etc. */
} diag_opts;

static void diag_init(diag_opts *d)
{
    memset(d, 0, sizeof(*d));
    ocx_params_flagship(&d->params);
}

static void diag_help(FILE *fp)
{
    fputs("mapping (for a model of your own; the built-in model needs none):\n"
          "  --capacity VAR --demand VAR       required\n"
          "  --life VAR|YEARS                  remaining life of the installed base\n"
          "  --growth VAR --utilization VAR --price VAR --cost VAR\n"
          "  --capex VAR --book-value VAR --stranded VAR      optional\n"
          "thresholds (docs/internals/diagnosis.md):\n"
          "  --idle-threshold X        overcapacity above this idle share (default 0.25)\n"
          "  --shortage-utilization X  shortage at or above this utilization (0.95)\n"
          "  --min-duration X          shortest episode called a bubble (1 time unit)\n"
          "  --growth-window X         window of the growth estimate without --growth (1)\n",
          fp);
}

/* Returns 1 when consumed, 0 when not ours, or an exit code. */
static int diag_option(diag_opts *d, int *i, int argc, char **argv)
{
    const char *a = argv[*i], *v;
    static const struct {
        const char *opt;
        size_t off;
    } names[] = {
        {"--capacity", offsetof(ocx_mapping, capacity)},
        {"--demand", offsetof(ocx_mapping, demand)},
        {"--growth", offsetof(ocx_mapping, growth)},
        {"--utilization", offsetof(ocx_mapping, utilization)},
        {"--price", offsetof(ocx_mapping, price)},
        {"--cost", offsetof(ocx_mapping, cost)},
        {"--capex", offsetof(ocx_mapping, capex)},
        {"--book-value", offsetof(ocx_mapping, book_value)},
        {"--stranded", offsetof(ocx_mapping, stranded)},
    };
    size_t k;
    double x;
    int is_num = strcmp(a, "--idle-threshold") == 0 || strcmp(a, "--shortage-utilization") == 0 ||
                 strcmp(a, "--min-duration") == 0 || strcmp(a, "--growth-window") == 0;
    int is_map = strcmp(a, "--life") == 0;
    for(k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if(strcmp(a, names[k].opt) == 0)
            is_map = 1;
    if(!is_num && !is_map)
        return 0;
    if(*i + 1 >= argc)
        return cli_fail(EXIT_USAGE, "%s needs a value", a);
    v = argv[++*i];
    if(is_num) {
        if(cli_number_arg(a, v, &x))
            return EXIT_USAGE;
        if(strcmp(a, "--idle-threshold") == 0)
            d->params.idle_threshold = x;
        else if(strcmp(a, "--shortage-utilization") == 0)
            d->params.shortage_utilization = x;
        else if(strcmp(a, "--min-duration") == 0)
            d->params.min_bubble_duration = x;
        else
            d->params.growth_window = x;
        return 1;
    }
    d->mapped = 1;
    if(strcmp(a, "--life") == 0) {
        if(cli_number(v, &x) == 0) {
            if(!(x > 0))
                return cli_fail(EXIT_USAGE, "--life: %g years must be positive", x);
            d->map.life_years = x;
            d->map.remaining_life = NULL;
        }
        else
            d->map.remaining_life = v;
        return 1;
    }
    for(k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if(strcmp(a, names[k].opt) == 0)
            *(const char **)((char *)&d->map + names[k].off) = v;
    return 1;
}

/* The mapping to use: the flagship's for the built-in model, the user's
 * otherwise (which must name capacity, demand and a life). */
static int diag_finish(diag_opts *d, const job *j)
{
    if(!d->mapped) {
        if(j->model_path)
            return cli_fail(EXIT_USAGE,
                            "for a model of your own, say which variables are capacity and "
                            "demand: --capacity VAR --demand VAR --life VAR|YEARS");
        ocx_mapping_flagship(&d->map);
        return 0;
    }
    if(!d->map.capacity || !d->map.demand)
        return cli_fail(EXIT_USAGE, "the mapping needs both --capacity and --demand");
    if(!d->map.remaining_life && !(d->map.life_years > 0))
        return cli_fail(EXIT_USAGE, "the mapping needs --life VAR or --life YEARS");
    if(j->model_path) {
        d->params.money_scale = 1.0;
        d->params.money_label = "";
    }
    return 0;
}

/* Runs one prepared job and diagnoses it. */
static int run_and_diagnose(const oc_model *m, oc_run *r, const diag_opts *d, ocd_result **res)
{
    oc_error err;
    char msg[512];
    if(oc_run_simulate(r, &err) != OC_OK) {
        cli_report(&err);
        return cli_exit_code(err.code);
    }
    if(ocx_diagnose_run(m, r, &d->map, &d->params, res, msg, sizeof(msg)) != 0)
        return cli_fail(EXIT_USAGE, "%s", msg);
    return 0;
}

/* ------------------------------------------------------------------ */
/* overcap diagnose                                                    */
/* ------------------------------------------------------------------ */

void help_diagnose(FILE *fp)
{
    fputs("usage: overcap diagnose [MODEL] [OPTIONS]\n"
          "\n"
          "Runs a model (the built-in AI compute model by default) and applies the\n"
          "bubble diagnosis: overcapacity (idle share above a threshold) plus weak\n"
          "demand (at its underlying growth, demand would need longer to fill the idle\n"
          "capacity than the installed hardware has left to live). Prints the verdict,\n"
          "the timeline of states and, for each year, the margins to each threshold.\n"
          "\n"
          "options:\n",
          fp);
    job_help(fp);
    fputs("  --table FILE       write the margins at every saved step as CSV\n", fp);
    diag_help(fp);
    fputs("\nexamples:\n"
          "  overcap diagnose --scenario architecture-100x\n"
          "  overcap diagnose railways.xmile --capacity track_km --demand traffic --life 25\n",
          fp);
}

int cmd_diagnose(int argc, char **argv)
{
    job j;
    diag_opts d;
    oc_model *m = NULL;
    oc_run *r = NULL;
    scenario sc;
    ocd_result *res = NULL;
    const char *table = NULL;
    char verdict[1024];
    int i, rc = EXIT_OK;
    size_t k;

    memset(&sc, 0, sizeof(sc));
    if(job_init(&j, argc))
        return EXIT_MODEL;
    diag_init(&d);
    for(i = 1; i < argc; i++) {
        int used;
        if(strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            help_diagnose(stdout);
            goto done;
        }
        used = job_option(&j, &i, argc, argv);
        if(!used)
            used = diag_option(&d, &i, argc, argv);
        if(used == 1)
            continue;
        if(used) {
            rc = used;
            goto done;
        }
        if(strcmp(argv[i], "--table") == 0) {
            if(i + 1 >= argc) {
                rc = cli_fail(EXIT_USAGE, "--table needs a file");
                goto done;
            }
            table = argv[++i];
        }
        else if(argv[i][0] == '-' && argv[i][1]) {
            rc = cli_fail(EXIT_USAGE, "unknown option '%s' (try: overcap help diagnose)", argv[i]);
            goto done;
        }
        else if(!j.model_path)
            j.model_path = argv[i];
        else {
            rc = cli_fail(EXIT_USAGE, "more than one model given");
            goto done;
        }
    }
    rc = diag_finish(&d, &j);
    if(!rc)
        rc = job_prepare(&j, NULL, &m, &r, &sc);
    if(!rc)
        rc = run_and_diagnose(m, r, &d, &res);
    if(rc)
        goto done;

    ocd_verdict(res, &d.params, verdict, sizeof(verdict));
    printf("%s%s%s\n\n", j.model_path ? j.model_path : "built-in model",
           sc.name ? ", scenario " : "", sc.name ? sc.name : "");
    print_wrapped(stdout, "verdict: ", verdict);
    if(res->status == OCD_DIAGNOSED) {
        size_t start = 0;
        printf("\ntimeline:\n");
        for(k = 1; k <= res->step_count; k++) {
            if(k == res->step_count || res->steps[k].state != res->steps[start].state) {
                double t1 = k == res->step_count ? res->steps[k - 1].time : res->steps[k].time;
                printf("  %8.3f to %8.3f  %s\n", res->steps[start].time, t1,
                       ocd_state_name(res->steps[start].state));
                start = k;
            }
        }
        printf("\n  %8s %-13s %6s %8s %9s %9s %9s %9s\n", "time", "state", "idle", "idle",
               "fill time", "life left", "life", "util");
        printf("  %8s %-13s %6s %8s %9s %9s %9s %9s\n", "", "", "share", "margin", "(years)",
               "(years)", "margin", "margin");
        for(k = 0; k < res->step_count; k++) {
            const ocd_step *s = &res->steps[k];
            double whole = floor(s->time + 0.5);
            if(fabs(s->time - whole) > 1e-9 && k + 1 != res->step_count)
                continue; /* whole years on screen; --table has every step */
            printf("  %8g %-13s %5.0f%% %+7.0f%% %9.3g %9.3g %+9.3g %+8.0f%%\n", s->time,
                   ocd_state_name(s->state), 100 * s->idle_share, 100 * s->idle_margin,
                   s->fill_time, s->remaining_life, s->life_margin, 100 * s->utilization_margin);
        }
    }
    if(table) {
        cli_out out;
        rc = cli_out_open(&out, table);
        if(!rc) {
            if(ocd_write_csv(res, out.fp) != OCD_OK) {
                cli_out_abort(&out);
                rc = cli_fail(EXIT_IO, "%s: write failed", table);
            }
            else
                rc = cli_out_commit(&out);
        }
    }
done:
    ocd_result_free(res);
    oc_run_free(r);
    oc_model_free(m);
    scenario_free(&sc);
    job_free(&j);
    return rc;
}

/* ------------------------------------------------------------------ */
/* overcap compare                                                     */
/* ------------------------------------------------------------------ */

void help_compare(FILE *fp)
{
    fputs("usage: overcap compare SCENARIO... [OPTIONS]\n"
          "\n"
          "Runs the built-in model (or --model FILE) under each scenario (a preset\n"
          "name or a .json file) and prints one table of the headline numbers: the\n"
          "verdict, bubble onset and end, peak idle share, peak stranded capital and\n"
          "the largest fall in capex; then each scenario's verdict in words.\n"
          "\n"
          "options:\n"
          "  --model FILE       a model of your own instead of the built-in one\n"
          "  -o FILE            write every scenario's series in one CSV file\n"
          "                     (a 'scenario' column first), atomically\n"
          "  --vars A,B,...     the series -o writes (default: all)\n",
          fp);
    job_help(fp);
    diag_help(fp);
    fputs("\nexample:\n  overcap compare jump-2x jump-10x jump-100x -o jumps.csv\n", fp);
}

static int write_compare_series(FILE *fp, const oc_model *m, const oc_run *r, const char *name,
                                int header, const char *vars)
{
    size_t nsel = oc_run_selected_count(r), n = oc_run_save_count(r), i, jv;
    char buf[40];
    size_t *cols = calloc(nsel + 1, sizeof(size_t));
    size_t ncols = 0;
    if(!cols)
        return EXIT_MODEL;
    for(jv = 0; jv < nsel; jv++) {
        oc_var_info info;
        oc_model_var_info(m, oc_run_selected_index(r, jv), &info);
        if(vars) {
            /* keep the variables named in vars (canonical match via find) */
            char *copy = strdup(vars), *tok, *save = NULL;
            int keep = 0;
            for(tok = strtok_r(copy, ",", &save); tok && !keep; tok = strtok_r(NULL, ",", &save)) {
                size_t idx;
                if(oc_model_find(m, tok, &idx, NULL) == OC_OK &&
                   idx == oc_run_selected_index(r, jv))
                    keep = 1;
            }
            free(copy);
            if(!keep)
                continue;
        }
        cols[ncols++] = jv;
    }
    if(header) {
        fputs("scenario,time", fp);
        for(jv = 0; jv < ncols; jv++) {
            oc_var_info info;
            oc_model_var_info(m, oc_run_selected_index(r, cols[jv]), &info);
            fprintf(fp, ",%s", info.name);
        }
        fputc('\n', fp);
    }
    for(i = 0; i < n; i++) {
        cli_format_double(buf, sizeof(buf), oc_run_time(r, i));
        fprintf(fp, "%s,%s", name, buf);
        for(jv = 0; jv < ncols; jv++) {
            cli_format_double(buf, sizeof(buf), oc_run_value(r, i, cols[jv]));
            fprintf(fp, ",%s", buf);
        }
        fputc('\n', fp);
    }
    free(cols);
    return ferror(fp) ? EXIT_IO : 0;
}

int cmd_compare(int argc, char **argv)
{
    job j;
    diag_opts d;
    oc_model *m = NULL;
    oc_error err;
    const char **names = NULL, *out_path = NULL, *vars = NULL;
    char **verdicts = NULL;
    size_t n = 0, k;
    cli_out out;
    int i, rc = EXIT_OK, out_open = 0;

    memset(&out, 0, sizeof(out));
    if(job_init(&j, argc))
        return EXIT_MODEL;
    diag_init(&d);
    names = calloc((size_t)argc + 1, sizeof(*names));
    verdicts = calloc((size_t)argc + 1, sizeof(*verdicts));
    if(!names || !verdicts) {
        rc = cli_fail(EXIT_MODEL, "out of memory");
        goto done;
    }
    for(i = 1; i < argc; i++) {
        int used;
        if(strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            help_compare(stdout);
            goto done;
        }
        used = job_option(&j, &i, argc, argv);
        if(!used)
            used = diag_option(&d, &i, argc, argv);
        if(used == 1)
            continue;
        if(used) {
            rc = used;
            goto done;
        }
        if(strcmp(argv[i], "--model") == 0 || strcmp(argv[i], "-o") == 0 ||
           strcmp(argv[i], "--vars") == 0) {
            if(i + 1 >= argc) {
                rc = cli_fail(EXIT_USAGE, "%s needs a value", argv[i]);
                goto done;
            }
            if(argv[i][1] == 'o')
                out_path = argv[++i];
            else if(strcmp(argv[i], "--vars") == 0)
                vars = argv[++i];
            else
                j.model_path = argv[++i];
        }
        else if(argv[i][0] == '-' && argv[i][1]) {
            rc = cli_fail(EXIT_USAGE, "unknown option '%s' (try: overcap help compare)", argv[i]);
            goto done;
        }
        else
            names[n++] = argv[i];
    }
    if(j.scenario)
        names[n++] = j.scenario;
    if(n == 0) {
        rc = cli_fail(EXIT_USAGE, "compare needs at least one scenario (try: overcap help compare)");
        goto done;
    }
    rc = diag_finish(&d, &j);
    if(rc)
        goto done;
    if(cli_load_model(j.model_path, &m, &err) != OC_OK) {
        cli_report(&err);
        rc = cli_exit_code(err.code);
        goto done;
    }
    /* check every scenario before running any, so nothing is written for a bad one */
    for(k = 0; k < n; k++) {
        oc_run *r = NULL;
        rc = job_prepare_run(&j, names[k], m, &r, NULL);
        oc_run_free(r);
        if(rc)
            goto done;
    }
    if(out_path) {
        rc = cli_out_open(&out, out_path);
        if(rc)
            goto done;
        out_open = 1;
    }
    printf("%-24s %-13s %8s %8s %9s %12s %10s\n", "scenario", "verdict", "onset", "end",
           "peak idle", "max stranded", "capex fall");
    for(k = 0; k < n; k++) {
        oc_run *r = NULL;
        scenario sc;
        ocd_result *res = NULL;
        char onset[24] = "-", end[24] = "-", peak[24], stranded[40], fall[24] = "-", v[1024];
        const char *state;
        memset(&sc, 0, sizeof(sc));
        rc = job_prepare_run(&j, names[k], m, &r, &sc);
        if(!rc)
            rc = run_and_diagnose(m, r, &d, &res);
        if(rc) {
            oc_run_free(r);
            scenario_free(&sc);
            goto done;
        }
        ocd_verdict(res, &d.params, v, sizeof(v));
        verdicts[k] = strdup(v);
        state = res->status != OCD_DIAGNOSED ? "no data"
                : res->episode_count           ? "bubble"
                : res->state_steps[OCD_NORMAL_CYCLE] ? "normal cycle"
                                                     : "no bubble";
        if(res->episode_count) {
            snprintf(onset, sizeof(onset), "%.2f", res->episodes[0].onset);
            snprintf(end, sizeof(end), res->episodes[0].ongoing ? "ongoing" : "%.2f",
                     res->episodes[0].end);
        }
        fmt_pct(peak, sizeof(peak), res->peak_idle_share);
        fmt_money_b(stranded, sizeof(stranded), res->max_stranded);
        if(res->has_capex_fall)
            fmt_pct(fall, sizeof(fall), res->capex_fall);
        printf("%-24.24s %-13s %8s %8s %9s %12s %10s\n", names[k], state, onset, end, peak,
               stranded, fall);
        if(out_open) {
            rc = write_compare_series(out.fp, m, r, sc.name ? sc.name : names[k], k == 0, vars);
            if(rc) {
                ocd_result_free(res);
                oc_run_free(r);
                scenario_free(&sc);
                goto done;
            }
        }
        ocd_result_free(res);
        oc_run_free(r);
        scenario_free(&sc);
    }
    printf("\n");
    for(k = 0; k < n; k++) {
        char head[64];
        snprintf(head, sizeof(head), "%s: ", names[k]);
        print_wrapped(stdout, head, verdicts[k] ? verdicts[k] : "");
    }
    if(out_open) {
        out_open = 0;
        rc = cli_out_commit(&out);
    }
done:
    if(out_open)
        cli_out_abort(&out);
    if(verdicts)
        for(k = 0; k < n; k++)
            free(verdicts[k]);
    free(verdicts);
    free(names);
    oc_model_free(m);
    job_free(&j);
    return rc;
}

/* ------------------------------------------------------------------ */
/* overcap critical                                                    */
/* ------------------------------------------------------------------ */

void help_critical(FILE *fp)
{
    fputs("usage: overcap critical [OPTIONS]\n"
          "\n"
          "Finds F*, the smallest efficiency jump arriving at once (factor F at a\n"
          "given year) that turns the build-out into a bubble, by bisection on F\n"
          "(in logarithm) between 1 and --max-factor. The jump uses the model's first\n"
          "jump slot (jump_1_year, jump_1_factor, jump_1_adoption_years) on top of\n"
          "the scenario (baseline by default). Bisection assumes that a larger jump\n"
          "never turns a bubble back into none; the report says when F = 1 already\n"
          "is a bubble or no jump up to --max-factor makes one.\n"
          "\n"
          "options:\n"
          "  --year T           the year the jump arrives (default 2027)\n"
          "  --adoption-years A how long its adoption takes (default: the model's)\n"
          "  --max-factor F     the largest jump tried (default 1000)\n"
          "  --tolerance X      relative precision of F* (default 0.01)\n"
          "  --grid P=LO:HI:N   map F* over a constant P (N values from LO to HI);\n"
          "                     give it twice for a two-parameter map\n"
          "  -o FILE            write the map as CSV (with --grid), atomically\n",
          fp);
    job_help(fp);
    diag_help(fp);
    fputs("\nexamples:\n"
          "  overcap critical --year 2027\n"
          "  overcap critical --grid jump_1_year=2026:2034:9 \\\n"
          "                   --grid demand_price_elasticity=0.5:2:7 -o critical.csv\n",
          fp);
}

typedef struct axis {
    const char *name;
    double lo, hi;
    int n;
} axis;

static int parse_axis(const char *spec, axis *ax)
{
    const char *eq = strchr(spec, '=');
    char *copy, *p1, *p2;
    double n;
    if(!eq || eq == spec)
        return cli_fail(EXIT_USAGE, "--grid '%s': expected NAME=LO:HI:N", spec);
    copy = strdup(eq + 1);
    p1 = copy ? strchr(copy, ':') : NULL;
    p2 = p1 ? strchr(p1 + 1, ':') : NULL;
    if(!p1 || !p2) {
        free(copy);
        return cli_fail(EXIT_USAGE, "--grid '%s': expected NAME=LO:HI:N", spec);
    }
    *p1 = *p2 = '\0';
    if(cli_number(copy, &ax->lo) || cli_number(p1 + 1, &ax->hi) || cli_number(p2 + 1, &n) ||
       n < 1 || n > 1000 || n != floor(n)) {
        free(copy);
        return cli_fail(EXIT_USAGE, "--grid '%s': LO and HI must be numbers, N a whole number "
                                    "from 1 to 1000",
                        spec);
    }
    free(copy);
    ax->n = (int)n;
    ax->name = spec; /* up to '=' */
    return 0;
}

typedef struct crit_ctx {
    const job *j;
    ocx_jump jump;
    char p_name[2][256];
    double p_val[2];
    int n_p;
} crit_ctx;

/* A run with the job's scenario and options, then the grid's values. */
static int crit_prepare(void *ud, const oc_model *m, oc_run **r, char *err, size_t errlen)
{
    const crit_ctx *c = ud;
    oc_error oe;
    int k;
    if(job_prepare_run(c->j, NULL, m, r, NULL) != 0) {
        snprintf(err, errlen, "the scenario could not be prepared");
        return -1;
    }
    for(k = 0; k < c->n_p; k++)
        if(oc_run_set_value(*r, c->p_name[k], c->p_val[k], &oe) != OC_OK) {
            snprintf(err, errlen, "%s: %s", oe.variable, oe.message);
            oc_run_free(*r);
            *r = NULL;
            return -1;
        }
    return 0;
}

int cmd_critical(int argc, char **argv)
{
    job j;
    diag_opts d;
    oc_model *m = NULL;
    oc_error err;
    crit_ctx c;
    axis ax[2];
    int n_axes = 0, i, rc = EXIT_OK;
    double max_factor = 1000, tol = 0.01, fstar = 0;
    const char *out_path = NULL;

    memset(&c, 0, sizeof(c));
    memset(ax, 0, sizeof(ax));
    c.jump.year = 2027;
    c.jump.adoption_years = NAN;
    if(job_init(&j, argc))
        return EXIT_MODEL;
    diag_init(&d);
    for(i = 1; i < argc; i++) {
        const char *a = argv[i];
        int used;
        if(strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            help_critical(stdout);
            goto done;
        }
        used = job_option(&j, &i, argc, argv);
        if(!used)
            used = diag_option(&d, &i, argc, argv);
        if(used == 1)
            continue;
        if(used) {
            rc = used;
            goto done;
        }
        if(strcmp(a, "--year") == 0 || strcmp(a, "--adoption-years") == 0 ||
           strcmp(a, "--max-factor") == 0 || strcmp(a, "--tolerance") == 0) {
            double x;
            if(i + 1 >= argc || cli_number(argv[i + 1], &x) != 0) {
                rc = cli_fail(EXIT_USAGE, "%s needs a finite number", a);
                goto done;
            }
            i++;
            if(strcmp(a, "--year") == 0)
                c.jump.year = x;
            else if(strcmp(a, "--adoption-years") == 0) {
                if(x < 0) {
                    rc = cli_fail(EXIT_USAGE, "--adoption-years must not be negative");
                    goto done;
                }
                c.jump.adoption_years = x;
            }
            else if(strcmp(a, "--max-factor") == 0) {
                if(!(x > 1)) {
                    rc = cli_fail(EXIT_USAGE, "--max-factor must be above 1");
                    goto done;
                }
                max_factor = x;
            }
            else {
                if(!(x > 0 && x < 1)) {
                    rc = cli_fail(EXIT_USAGE, "--tolerance must be between 0 and 1");
                    goto done;
                }
                tol = x;
            }
        }
        else if(strcmp(a, "--grid") == 0) {
            if(i + 1 >= argc) {
                rc = cli_fail(EXIT_USAGE, "--grid needs NAME=LO:HI:N");
                goto done;
            }
            if(n_axes == 2) {
                rc = cli_fail(EXIT_USAGE, "at most two --grid axes");
                goto done;
            }
            rc = parse_axis(argv[++i], &ax[n_axes]);
            if(rc)
                goto done;
            n_axes++;
        }
        else if(strcmp(a, "-o") == 0) {
            if(i + 1 >= argc) {
                rc = cli_fail(EXIT_USAGE, "-o needs a file");
                goto done;
            }
            out_path = argv[++i];
        }
        else if(strcmp(a, "--model") == 0) {
            if(i + 1 >= argc) {
                rc = cli_fail(EXIT_USAGE, "--model needs a file");
                goto done;
            }
            j.model_path = argv[++i];
        }
        else {
            rc = cli_fail(EXIT_USAGE, "unknown argument '%s' (try: overcap help critical)", a);
            goto done;
        }
    }
    rc = diag_finish(&d, &j);
    if(rc)
        goto done;
    if(cli_load_model(j.model_path, &m, &err) != OC_OK) {
        cli_report(&err);
        rc = cli_exit_code(err.code);
        goto done;
    }
    c.j = &j;
    for(i = 0; i < n_axes; i++) {
        size_t idx, len = (size_t)(strchr(ax[i].name, '=') - ax[i].name);
        oc_var_info info;
        if(len >= sizeof(c.p_name[0])) {
            rc = cli_fail(EXIT_USAGE, "--grid: name too long");
            goto done;
        }
        memcpy(c.p_name[i], ax[i].name, len);
        c.p_name[i][len] = '\0';
        if(strcmp(c.p_name[i], "jump_1_factor") == 0) {
            rc = cli_fail(EXIT_USAGE, "--grid: jump_1_factor is what critical searches");
            goto done;
        }
        if(oc_model_find(m, c.p_name[i], &idx, NULL) != OC_OK) {
            rc = cli_fail(EXIT_USAGE, "--grid: no constant '%s' in the model", c.p_name[i]);
            goto done;
        }
        oc_model_var_info(m, idx, &info);
        if(!info.is_constant) {
            rc = cli_fail(EXIT_USAGE, "--grid: '%s' is not a constant", c.p_name[i]);
            goto done;
        }
    }

    if(n_axes == 0) {
        char verdict[1024], msg[512];
        int b;
        if(ocx_critical_jump(m, crit_prepare, &c, &d.map, &d.params, &c.jump, max_factor, tol,
                             &fstar, NULL, msg, sizeof(msg)) != 0) {
            rc = cli_fail(EXIT_MODEL, "%s", msg);
            goto done;
        }
        printf("critical jump for a jump arriving in %g (scenario %s):\n", c.jump.year,
               j.scenario ? j.scenario : "baseline");
        if(fstar == 1.0) {
            printf("  F* = 1: the scenario is already a bubble without any jump\n");
            goto done;
        }
        if(isinf(fstar)) {
            printf("  no bubble for any jump up to %gx: F* > %g\n", max_factor, max_factor);
            if(ocx_bubble_with_jump(m, crit_prepare, &c, &d.map, &d.params, &c.jump, max_factor,
                                    &b, verdict, sizeof(verdict), msg, sizeof(msg)) == 0)
                print_wrapped(stdout, "  at the largest jump: ", verdict);
            goto done;
        }
        printf("  F* = %.3g: an efficiency gain of %.3gx or more arriving at once in %g makes "
               "a bubble\n",
               fstar, fstar, c.jump.year);
        if(ocx_bubble_with_jump(m, crit_prepare, &c, &d.map, &d.params, &c.jump, fstar, &b,
                                verdict, sizeof(verdict), msg, sizeof(msg)) == 0)
            print_wrapped(stdout, "  at F*: ", verdict);
        if(ocx_bubble_with_jump(m, crit_prepare, &c, &d.map, &d.params, &c.jump,
                                fstar / (1.0 + tol), &b, verdict, sizeof(verdict), msg,
                                sizeof(msg)) == 0)
            print_wrapped(stdout, "  just below: ", verdict);
        goto done;
    }
    {
        cli_out out;
        int a0, a1, n0 = ax[0].n, n1 = n_axes > 1 ? ax[1].n : 1, total = n0 * n1, done_count = 0;
        int tty = isatty(2);
        rc = cli_out_open(&out, out_path);
        if(rc)
            goto done;
        fprintf(out.fp, "%s%s%s,critical_factor\n", c.p_name[0], n_axes > 1 ? "," : "",
                n_axes > 1 ? c.p_name[1] : "");
        c.n_p = n_axes;
        for(a0 = 0; a0 < n0; a0++) {
            for(a1 = 0; a1 < n1; a1++) {
                char b0[40], b1[40], bf[40];
                c.p_val[0] = n0 > 1 ? ax[0].lo + (ax[0].hi - ax[0].lo) * a0 / (n0 - 1) : ax[0].lo;
                if(n_axes > 1)
                    c.p_val[1] =
                        n1 > 1 ? ax[1].lo + (ax[1].hi - ax[1].lo) * a1 / (n1 - 1) : ax[1].lo;
                if(strcmp(c.p_name[0], "jump_1_year") == 0)
                    c.jump.year = c.p_val[0];
                if(n_axes > 1 && strcmp(c.p_name[1], "jump_1_year") == 0)
                    c.jump.year = c.p_val[1];
                {
                    char msg[512];
                    if(ocx_critical_jump(m, crit_prepare, &c, &d.map, &d.params, &c.jump,
                                         max_factor, tol, &fstar, NULL, msg, sizeof(msg)) != 0) {
                        cli_out_abort(&out);
                        rc = cli_fail(EXIT_MODEL, "%s", msg);
                        goto done;
                    }
                }
                cli_format_double(b0, sizeof(b0), c.p_val[0]);
                cli_format_double(b1, sizeof(b1), c.p_val[1]);
                if(isinf(fstar))
                    snprintf(bf, sizeof(bf), "inf");
                else
                    snprintf(bf, sizeof(bf), "%.6g", fstar);
                fprintf(out.fp, "%s%s%s,%s\n", b0, n_axes > 1 ? "," : "", n_axes > 1 ? b1 : "",
                        bf);
                done_count++;
                if(tty)
                    fprintf(stderr, "\rcritical: %d of %d points", done_count, total);
            }
        }
        if(tty)
            fputc('\n', stderr);
        rc = cli_out_commit(&out);
    }
done:
    oc_model_free(m);
    job_free(&j);
    return rc;
}
