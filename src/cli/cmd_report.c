/*
 * cmd_report.c - `overcap report`: one self-contained HTML file that tells
 * the story of a scenario set: the verdict per scenario in one paragraph,
 * the charts, the comparison table, the assumptions with their sources,
 * and the exact command that reproduces it.
 *
 * Self-contained means: inline CSS, inline SVG (src/report/svg.c, written
 * without the xmlns URL), no script, no external asset, no URL at all, so
 * the page opens offline and a browser makes no request. The markup is
 * also well-formed XML (every element closed, only the five XML entities),
 * so an XML parser can check it (tests/report.sh) and a browser test can
 * load it without console errors.
 *
 * Determinism: the same command and the same overcap give the same bytes;
 * the page holds no timestamp, no host name and no absolute path beyond
 * those the user typed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "mc_results.h"
#include "market.h"
#include "svg.h"

static const char *const default_scenarios[] = {"baseline", "jump-2x", "jump-10x", "jump-100x",
                                                "architecture-100x"};
#define N_DEFAULT (sizeof(default_scenarios) / sizeof(default_scenarios[0]))

void help_report(FILE *fp)
{
    fputs("usage: overcap report [--scenario S ...] [OPTIONS] -o report.html\n"
          "\n"
          "Writes one self-contained HTML file (inline CSS and SVG; no script, no\n"
          "network, no external file) that tells the story of a scenario set on the\n"
          "built-in AI compute model: the verdict of each scenario in one paragraph,\n"
          "capacity against demand with the diagnosis states shaded, idle share,\n"
          "compute price, capex and stranded capital side by side, the comparison\n"
          "table of `overcap compare`, every constant with its value, range and\n"
          "source, each scenario's assumptions, and the command that reproduces it.\n"
          "The same command gives the same bytes.\n"
          "\n"
          "options:\n"
          "  --scenario S       a preset or a scenario .json file; repeat for several\n"
          "                     (default: baseline jump-2x jump-10x jump-100x\n"
          "                     architecture-100x)\n"
          "  -o FILE            the HTML file, written atomically (default: standard\n"
          "                     output)\n"
          "  --model FILE       a variant of the built-in model (it must keep the\n"
          "                     variable names the diagnosis reads)\n"
          "  --mc SPEC          add a Monte Carlo section: SPEC is a spec file or\n"
          "                     built-in (uncertainty/ai_compute.json); P(bubble by\n"
          "                     year), percentile fans of capacity and demand, and\n"
          "                     P(bubble) by the size of the largest jump\n"
          "  --mc-samples N     futures for --mc (default: the spec's)\n",
          fp);
    fputs("  --set NAME=VALUE, --method, --dt, --start, --stop, --save-step, --seed\n"
          "                     as for overcap run, applied to every scenario\n"
          "\nexamples:\n"
          "  overcap report -o report.html\n"
          "  overcap report --scenario baseline --scenario jump-100x -o two.html\n"
          "  overcap report --mc built-in --mc-samples 20000 -o report.html\n",
          fp);
}

/* ------------------------------------------------------------------ */
/* Text                                                                */
/* ------------------------------------------------------------------ */

/* The length of a valid UTF-8 sequence at p, or 0. */
static size_t utf8_seq(const unsigned char *p)
{
    size_t len, k;
    if(p[0] < 0x80)
        return 1;
    len = p[0] >= 0xC2 && p[0] <= 0xDF   ? 2
          : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
          : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4
                                         : 0;
    for(k = 1; k < len; k++)
        if((p[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

/* Text escaped for HTML and XML alike; control bytes and invalid UTF-8
 * become '?', so the page stays well-formed whatever a scenario says. */
static void html(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while(*p) {
        size_t n;
        switch(*p) {
        case '&':
            fputs("&amp;", fp);
            p++;
            continue;
        case '<':
            fputs("&lt;", fp);
            p++;
            continue;
        case '>':
            fputs("&gt;", fp);
            p++;
            continue;
        case '"':
            fputs("&quot;", fp);
            p++;
            continue;
        case '\'':
            fputs("&#39;", fp);
            p++;
            continue;
        default: break;
        }
        if(*p < 0x20 && *p != '\n' && *p != '\t') {
            fputc('?', fp);
            p++;
            continue;
        }
        n = utf8_seq(p);
        if(n == 0) {
            fputc('?', fp);
            p++;
            continue;
        }
        fwrite(p, 1, n, fp);
        p += n;
    }
}

/* A variable name that may break after its underscores in a narrow
 * table column (demand_<wbr/>price_<wbr/>elasticity). */
static void html_name(FILE *fp, const char *name)
{
    const char *p = name, *u;
    while((u = strchr(p, '_')) != NULL) {
        char part[256];
        size_t n = (size_t)(u - p) + 1;
        if(n >= sizeof(part))
            n = sizeof(part) - 1;
        memcpy(part, p, n);
        part[n] = '\0';
        html(fp, part);
        fputs("<wbr/>", fp);
        p += (size_t)(u - p) + 1;
    }
    html(fp, p);
}

/* One argument as a POSIX shell reads it back. */
static void shell_word(FILE *fp, const char *a)
{
    const char *p;
    int plain = *a != '\0';
    for(p = a; *p && plain; p++)
        if(!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=:,@%+-", *p))
            plain = 0;
    if(plain) {
        html(fp, a);
        return;
    }
    fputc('\'', fp);
    for(p = a; *p; p++) {
        char one[2] = {*p, '\0'};
        if(*p == '\'')
            fputs("'\\''", fp);
        else
            html(fp, one);
    }
    fputc('\'', fp);
}

/* Money in dollars with 3 significant digits, as `overcap compare` prints
 * it: $4.84T, $728B, $1.00T, $0. */
static void fmt_money(char *buf, size_t size, double dollars)
{
    static const char *suffix[] = {"", "k", "M", "B", "T", "P"};
    double a = fabs(dollars);
    int k = 0;
    if(!isfinite(dollars)) {
        snprintf(buf, size, "-");
        return;
    }
    while(a >= 999.5 && k < 5) {
        a /= 1000;
        dollars /= 1000;
        k++;
    }
    if(k == 0 || a >= 99.95)
        snprintf(buf, size, "$%.0f%s", dollars, suffix[k]);
    else if(a >= 9.995)
        snprintf(buf, size, "$%.1f%s", dollars, suffix[k]);
    else
        snprintf(buf, size, "$%.2f%s", dollars, suffix[k]);
}

/* Text with its first letter capitalised: a verdict as a sentence. */
static void html_sentence(FILE *fp, const char *s)
{
    if(s && *s >= 'a' && *s <= 'z') {
        fputc(*s - 'a' + 'A', fp);
        s++;
    }
    html(fp, s);
}

static void fmt_pct(char *buf, size_t size, double x)
{
    if(isfinite(x))
        snprintf(buf, size, "%.0f%%", 100 * x);
    else
        snprintf(buf, size, "-");
}

/* ------------------------------------------------------------------ */
/* One scenario's results                                              */
/* ------------------------------------------------------------------ */

typedef struct scen_run {
    const char *arg; /* as given */
    scenario sc;
    ocd_result *res;
    char verdict[1024];
    const char *label; /* the scenario's name, or arg */
    size_t n;
    double *time, *capacity, *demand, *idle, *price, *capex, *stranded;
    ocg_band *bands;
    size_t n_bands;
} scen_run;

static void scen_free(scen_run *s)
{
    scenario_free(&s->sc);
    ocd_result_free(s->res);
    free(s->time);
    free(s->capacity);
    free(s->demand);
    free(s->idle);
    free(s->price);
    free(s->capex);
    free(s->stranded);
    free(s->bands);
}

/* The series a report draws, fetched by name from the run. Money comes in
 * billions of dollars and is scaled to dollars, so axes read $1T. */
static int fetch_series(const oc_model *m, const oc_run *r, scen_run *s, double money_scale)
{
    struct {
        const char *name;
        double **dst;
        double scale;
    } want[] = {
        {"compute_capacity", &s->capacity, 1}, {"compute_demand", &s->demand, 1},
        {"idle_share", &s->idle, 1},           {"compute_price", &s->price, 1},
        {"capex", &s->capex, money_scale},     {"stranded_book_value", &s->stranded, money_scale},
    };
    size_t k, i, n = oc_run_save_count(r);
    char err[300];
    s->n = n;
    s->time = malloc((n ? n : 1) * sizeof(double));
    if(!s->time)
        return cli_fail(EXIT_MODEL, "out of memory");
    for(i = 0; i < n; i++)
        s->time[i] = oc_run_time(r, i);
    for(k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
        double *d = malloc((n ? n : 1) * sizeof(double));
        if(!d)
            return cli_fail(EXIT_MODEL, "out of memory");
        *want[k].dst = d;
        if(ocx_series(m, r, want[k].name, d, err, sizeof(err)) != 0)
            return cli_fail(EXIT_USAGE, "the report needs the built-in model's series: %s", err);
        for(i = 0; i < n; i++)
            d[i] *= want[k].scale;
    }
    return 0;
}

static int make_bands(scen_run *s)
{
    size_t i, n = s->res->step_count;
    int *st;
    double *t;
    if(s->res->status != OCD_DIAGNOSED || n < 2)
        return 0;
    st = malloc(n * sizeof(int));
    t = malloc(n * sizeof(double));
    if(!st || !t) {
        free(st);
        free(t);
        return cli_fail(EXIT_MODEL, "out of memory");
    }
    for(i = 0; i < n; i++) {
        st[i] = (int)s->res->steps[i].state;
        t[i] = s->res->steps[i].time;
    }
    s->n_bands = ocg_bands_from_steps(t, st, n, NULL, 0);
    s->bands = malloc((s->n_bands ? s->n_bands : 1) * sizeof(ocg_band));
    if(s->bands)
        ocg_bands_from_steps(t, st, n, s->bands, s->n_bands);
    free(st);
    free(t);
    return s->bands ? 0 : cli_fail(EXIT_MODEL, "out of memory");
}

/* "bubble", "normal cycle" or "no bubble", and the badge class. */
static const char *outcome(const ocd_result *res, const char **cls)
{
    if(res->status != OCD_DIAGNOSED) {
        *cls = "none";
        return "no data";
    }
    if(res->episode_count) {
        *cls = "bubble";
        return "bubble";
    }
    if(res->state_steps[OCD_NORMAL_CYCLE]) {
        *cls = "cycle";
        return "normal cycle";
    }
    *cls = "none";
    return "no bubble";
}

/* ------------------------------------------------------------------ */
/* Charts                                                              */
/* ------------------------------------------------------------------ */

/* Renders a chart and writes it inside a <figure>. */
static int put_figure(FILE *fp, int rc_chart, const ocg_svg *svg, const char *err,
                      const char *caption)
{
    if(rc_chart)
        return cli_fail(rc_chart == OCG_ENOMEM ? EXIT_MODEL : EXIT_USAGE,
                        "cannot draw a chart of the report: %s", err);
    fputs("<figure>\n", fp);
    fwrite(svg->data, 1, svg->len, fp);
    if(caption) {
        fputs("<figcaption>", fp);
        html(fp, caption);
        fputs("</figcaption>\n", fp);
    }
    fputs("</figure>\n", fp);
    return 0;
}

static int chart_capacity_demand(FILE *fp, const scen_run *s, size_t index)
{
    ocg_line_chart c;
    ocg_series series[2];
    ocg_ref refs[SCENARIO_MAX_JUMPS];
    ocg_svg svg;
    char title[300], subtitle[200], id[32], err[256], jl[SCENARIO_MAX_JUMPS][40];
    size_t k;
    int rc;
    memset(&c, 0, sizeof(c));
    memset(series, 0, sizeof(series));
    memset(refs, 0, sizeof(refs));
    ocg_svg_init(&svg);
    if(s->res->episode_count)
        snprintf(title, sizeof(title), "Bubble from %.1f to %.1f: %.0f%% of compute idle at peak",
                 s->res->episodes[0].onset, s->res->episodes[0].end,
                 100 * s->res->episodes[0].peak_idle_share);
    else if(s->res->state_steps[OCD_NORMAL_CYCLE])
        snprintf(title, sizeof(title),
                 "Normal cycle: %.0f%% idle at peak, filled within the hardware's life",
                 100 * s->res->peak_idle_share);
    else
        snprintf(title, sizeof(title),
                 "No bubble: demand keeps up with capacity (at most %.0f%% "
                 "idle)",
                 100 * s->res->peak_idle_share);
    snprintf(subtitle, sizeof(subtitle),
             "Scenario %s: compute capacity and demand, diagnosis "
             "states shaded",
             s->label);
    snprintf(id, sizeof(id), "cd%lu", (unsigned long)(index + 1));
    for(k = 0; k < s->sc.n_jumps; k++) {
        snprintf(jl[k], sizeof(jl[k]), "%gx jump", s->sc.jumps[k].factor);
        refs[k].vertical = 1;
        refs[k].value = s->sc.jumps[k].year;
        refs[k].label = jl[k];
    }
    series[0].name = "compute capacity";
    series[0].x = s->time;
    series[0].y = s->capacity;
    series[0].n = s->n;
    series[1].name = "compute demand";
    series[1].x = s->time;
    series[1].y = s->demand;
    series[1].n = s->n;
    c.chart.title = title;
    c.chart.subtitle = subtitle;
    c.chart.x_label = "year";
    c.chart.y_label = "compute (H100e)";
    c.chart.id = id;
    c.chart.inline_html = 1;
    c.series = series;
    c.n_series = 2;
    c.bands = s->bands;
    c.n_bands = s->n_bands;
    c.refs = refs;
    c.n_refs = s->sc.n_jumps;
    c.log_y = 1;
    rc = ocg_lines(&c, &svg, err, sizeof(err));
    rc = put_figure(fp, rc, &svg, err, NULL);
    ocg_svg_free(&svg);
    return rc;
}

typedef enum cmp_kind { CMP_IDLE, CMP_PRICE, CMP_CAPEX, CMP_STRANDED } cmp_kind;

/* One series under every scenario, with a title that states the
 * takeaway, computed from the runs. */
static int chart_compare(FILE *fp, const scen_run *runs, size_t n, cmp_kind kind,
                         const ocd_params *p)
{
    ocg_line_chart c;
    ocg_series series[OCG_MAX_SERIES];
    ocg_ref ref;
    ocg_svg svg;
    char title[300], err[256], a[32], b[32], ref_label[80];
    const char *id = "", *ylab = "", *caption = NULL;
    size_t k, nser = n < OCG_MAX_SERIES ? n : OCG_MAX_SERIES;
    int rc;

    memset(&c, 0, sizeof(c));
    memset(series, 0, sizeof(series));
    memset(&ref, 0, sizeof(ref));
    ocg_svg_init(&svg);
    for(k = 0; k < nser; k++) {
        const scen_run *s = &runs[k];
        series[k].name = s->label;
        series[k].x = s->time;
        series[k].n = s->n;
        series[k].y = kind == CMP_IDLE    ? s->idle
                      : kind == CMP_PRICE ? s->price
                      : kind == CMP_CAPEX ? s->capex
                                          : s->stranded;
    }
    switch(kind) {
    case CMP_IDLE: {
        size_t over = 0, worst = 0;
        for(k = 0; k < n; k++) {
            if(runs[k].res->peak_idle_share > p->idle_threshold)
                over++;
            if(runs[k].res->peak_idle_share > runs[worst].res->peak_idle_share)
                worst = k;
        }
        fmt_pct(a, sizeof(a), runs[worst].res->peak_idle_share);
        fmt_pct(b, sizeof(b), p->idle_threshold);
        if(over)
            snprintf(title, sizeof(title),
                     "%lu of %lu scenarios leave more than %s of compute idle; the worst peaks at "
                     "%s (%s)",
                     (unsigned long)over, (unsigned long)n, b, a, runs[worst].label);
        else
            snprintf(title, sizeof(title),
                     "No scenario leaves more than %s of compute idle (peak %s, %s)", b, a,
                     runs[worst].label);
        snprintf(ref_label, sizeof(ref_label), "overcapacity threshold (%s idle)", b);
        ref.value = p->idle_threshold;
        ref.label = ref_label;
        c.refs = &ref;
        c.n_refs = 1;
        c.percent_y = 1;
        c.fix_y = 1;
        c.y_min = 0;
        c.y_max = 1;
        id = "cmp-idle";
        ylab = "idle share of compute capacity";
        caption = "Idle share: 1 - demand / capacity. Overcapacity above the dashed line; a "
                  "bubble needs weak demand as well (see the verdicts).";
        break;
    }
    case CMP_PRICE: {
        /* prices in the middle year of the runs, lowest against highest */
        double t = runs[0].n ? (runs[0].time[0] + runs[0].time[runs[0].n - 1]) / 2 : 0;
        size_t lo = 0, hi = 0, i;
        double vlo = INFINITY, vhi = -INFINITY;
        t = floor(t + 0.5);
        for(k = 0; k < n; k++)
            for(i = 0; i < runs[k].n; i++)
                if(fabs(runs[k].time[i] - t) < 1e-9 && isfinite(runs[k].price[i])) {
                    if(runs[k].price[i] < vlo) {
                        vlo = runs[k].price[i];
                        lo = k;
                    }
                    if(runs[k].price[i] > vhi) {
                        vhi = runs[k].price[i];
                        hi = k;
                    }
                }
        if(isfinite(vlo) && lo != hi)
            snprintf(title, sizeof(title),
                     "Compute price in %g: $%.2g per H100e-hour under %s, $%.2g under %s", t, vlo,
                     runs[lo].label, vhi, runs[hi].label);
        else
            snprintf(title, sizeof(title), "Compute price by scenario");
        c.log_y = 1;
        c.y_prefix = "$";
        id = "cmp-price";
        ylab = "compute price (US$ per H100e-hour)";
        caption = "The rental price of compute: it rises with scarcity and falls toward running "
                  "cost in a glut.";
        break;
    }
    case CMP_CAPEX: {
        size_t worst = n;
        for(k = 0; k < n; k++)
            if(runs[k].res->has_capex_fall &&
               (worst == n || runs[k].res->capex_fall > runs[worst].res->capex_fall))
                worst = k;
        if(worst < n) {
            fmt_pct(a, sizeof(a), runs[worst].res->capex_fall);
            snprintf(title, sizeof(title), "Capex falls by up to %s from its peak (%s)", a,
                     runs[worst].label);
        }
        else
            snprintf(title, sizeof(title), "Capex never falls from a peak in these scenarios");
        c.log_y = 1;
        c.y_prefix = "$";
        id = "cmp-capex";
        ylab = "capex (US$ per year)";
        caption = "Investment in new compute: decided on expected demand, built with a delay.";
        break;
    }
    case CMP_STRANDED: {
        size_t worst = 0;
        for(k = 1; k < n; k++)
            if(runs[k].res->max_stranded > runs[worst].res->max_stranded)
                worst = k;
        fmt_money(a, sizeof(a), runs[worst].res->max_stranded * p->money_scale);
        snprintf(title, sizeof(title), "Stranded capital peaks at %s (%s)", a, runs[worst].label);
        c.y_prefix = "$";
        id = "cmp-stranded";
        ylab = "stranded book value (US$)";
        caption = "Book value of installed compute that demand leaves idle.";
        break;
    }
    }
    c.chart.title = title;
    c.chart.subtitle = "All scenarios side by side";
    c.chart.x_label = "year";
    c.chart.y_label = ylab;
    c.chart.id = id;
    c.chart.inline_html = 1;
    c.series = series;
    c.n_series = nser;
    rc = ocg_lines(&c, &svg, err, sizeof(err));
    rc = put_figure(fp, rc, &svg, err, caption);
    ocg_svg_free(&svg);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Sections                                                            */
/* ------------------------------------------------------------------ */

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,"
    "sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;"
    "background:#ffffff;line-height:1.5}\n"
    "h1{font-size:1.8rem;margin:0 0 .3rem}\n"
    "h2{font-size:1.35rem;border-bottom:1px solid #dddddd;padding-bottom:.2rem;"
    "margin-top:2.4rem}\n"
    "h3{font-size:1.1rem;margin:1.8rem 0 .4rem}\n"
    ".lead{font-size:1.05rem;color:#333333}\n"
    "nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem}\n"
    "a{color:#0b5c91}\n"
    "figure{margin:1rem 0 1.6rem}\n"
    "figure svg{width:100%;max-width:56rem;height:auto;border:1px solid #eeeeee}\n"
    "figcaption{font-size:.85rem;color:#555555}\n"
    "table{border-collapse:collapse;width:100%;font-size:.88rem;margin:.6rem 0}\n"
    "caption{text-align:left;font-weight:600;padding:.3rem 0}\n"
    "th,td{border:1px solid #dddddd;padding:.3rem .5rem;text-align:left;vertical-align:top}\n"
    "th{background:#f4f4f4}\n"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "code{font-size:.9em}\n"
    "td code{overflow-wrap:anywhere}\n"
    "pre{background:#f5f5f5;padding:.8rem;white-space:pre-wrap;word-break:break-all}\n"
    ".badge{display:inline-block;padding:0 .55rem;border-radius:.8rem;font-size:.8rem;"
    "font-weight:600;border:1px solid;vertical-align:middle}\n"
    ".badge.bubble{background:#fbe1d2;border-color:#d55e00;color:#7a3300}\n"
    ".badge.cycle{background:#fcefd0;border-color:#e69f00;color:#5e4100}\n"
    ".badge.none{background:#dff0fa;border-color:#0072b2;color:#00466e}\n"
    ".src{display:block;color:#555555;font-size:.82rem;margin-top:.2rem}\n"
    ".settings{font-size:.9rem;color:#333333}\n"
    "footer{margin-top:3rem;font-size:.85rem;color:#555555;border-top:1px solid #dddddd;"
    "padding-top:.6rem}\n"
    "@media print{figure{break-inside:avoid}nav{display:none}}\n";

static void put_badge(FILE *fp, const ocd_result *res)
{
    const char *cls, *what = outcome(res, &cls);
    fprintf(fp, "<span class=\"badge %s\">%s</span>", cls, what);
}

/* A scenario's own settings in words: overrides, jumps, time span. */
static void put_settings(FILE *fp, const scenario *sc, const job *j)
{
    size_t k;
    int any = 0;
    fputs("<p class=\"settings\"><strong>Settings.</strong> ", fp);
    for(k = 0; k < sc->n_set; k++) {
        char v[40];
        cli_format_double(v, sizeof(v), sc->set[k].value);
        fputs(any ? "; <code>" : "<code>", fp);
        html(fp, sc->set[k].name);
        fputs("</code> = ", fp);
        html(fp, v);
        any = 1;
    }
    for(k = 0; k < sc->n_jumps; k++) {
        fprintf(fp, "%sefficiency jump %gx in %g, adopted over %g years", any ? "; " : "",
                sc->jumps[k].factor, sc->jumps[k].year, sc->jumps[k].adoption_years);
        any = 1;
    }
    for(k = 0; k < j->n_sets; k++) {
        fputs(any ? "; <code>--set " : "<code>--set ", fp);
        html(fp, j->sets[k]);
        fputs("</code>", fp);
        any = 1;
    }
    if(!any)
        fputs("the model's defaults", fp);
    fputs(".</p>\n", fp);
}

/* The constants of the model: value, units, range, meaning and sources,
 * from each variable's <doc> and <range>. Only constants given as a number
 * are assumptions; those computed from others (a capital recovery factor)
 * are not listed. */
/* Whether an equation is just a number (spaces around it allowed). */
static int is_number(const char *eqn, double *value)
{
    char buf[64];
    size_t a = 0, b = strlen(eqn);
    while(a < b && (eqn[a] == ' ' || eqn[a] == '\n' || eqn[a] == '\t' || eqn[a] == '\r'))
        a++;
    while(b > a &&
          (eqn[b - 1] == ' ' || eqn[b - 1] == '\n' || eqn[b - 1] == '\t' || eqn[b - 1] == '\r'))
        b--;
    if(b - a == 0 || b - a >= sizeof(buf))
        return 0;
    memcpy(buf, eqn + a, b - a);
    buf[b - a] = '\0';
    return cli_number(buf, value) == 0;
}

static void put_constants(FILE *fp, const oc_model *m)
{
    size_t k, count = oc_model_var_count(m);
    fputs("<table>\n<caption>Constants of the model (defaults; a scenario's settings above "
          "override them)</caption>\n"
          "<thead><tr><th scope=\"col\">constant</th><th scope=\"col\">value</th>"
          "<th scope=\"col\">units</th><th scope=\"col\">plausible range</th>"
          "<th scope=\"col\">meaning and sources</th></tr></thead>\n<tbody>\n",
          fp);
    for(k = 0; k < count; k++) {
        oc_var_info info;
        const char *doc, *src = NULL, *marker;
        size_t dlen;
        double value;
        if(oc_model_var_info(m, k, &info) != OC_OK || !info.is_constant ||
           !is_number(info.equation, &value))
            continue;
        doc = info.doc;
        /* the model writes "... Sources: a; b." at the end of each doc */
        marker = strstr(doc, "Sources:");
        if(!marker)
            marker = strstr(doc, "Source:");
        dlen = marker ? (size_t)(marker - doc) : strlen(doc);
        if(marker)
            src = strchr(marker, ':') + 1;
        fputs("<tr><td><code>", fp);
        html_name(fp, info.name);
        fputs("</code></td><td class=\"num\">", fp);
        {
            char v[40];
            cli_format_double(v, sizeof(v), value);
            html(fp, v);
        }
        fputs("</td><td>", fp);
        html(fp, info.units[0] ? info.units : "-");
        fputs("</td><td class=\"num\">", fp);
        if(info.has_range)
            fprintf(fp, "%g to %g", info.range_min, info.range_max);
        else
            fputs("-", fp);
        fputs("</td><td>", fp);
        {
            char *d = malloc(dlen + 1);
            if(d) {
                memcpy(d, doc, dlen);
                d[dlen] = '\0';
                html(fp, dlen ? d : "-");
                free(d);
            }
        }
        if(src) {
            while(*src == ' ')
                src++;
            fputs("<span class=\"src\">Sources: ", fp);
            html(fp, src);
            fputs("</span>", fp);
        }
        fputs("</td></tr>\n", fp);
    }
    fputs("</tbody>\n</table>\n", fp);
}

static void put_compare_table(FILE *fp, const scen_run *runs, size_t n, const ocd_params *p)
{
    size_t k;
    fputs("<table>\n<caption>The headline numbers (as <code>overcap compare</code> prints "
          "them)</caption>\n<thead><tr><th scope=\"col\">scenario</th><th scope=\"col\">verdict"
          "</th><th scope=\"col\">bubble onset</th><th scope=\"col\">bubble end</th>"
          "<th scope=\"col\">peak idle share</th><th scope=\"col\">max stranded capital</th>"
          "<th scope=\"col\">largest capex fall</th></tr></thead>\n<tbody>\n",
          fp);
    for(k = 0; k < n; k++) {
        const ocd_result *res = runs[k].res;
        char onset[24] = "-", end[24] = "-", peak[24], stranded[32], fall[24] = "-";
        if(res->episode_count) {
            snprintf(onset, sizeof(onset), "%.2f", res->episodes[0].onset);
            snprintf(end, sizeof(end), res->episodes[0].ongoing ? "ongoing" : "%.2f",
                     res->episodes[0].end);
        }
        fmt_pct(peak, sizeof(peak), res->peak_idle_share);
        fmt_money(stranded, sizeof(stranded), res->max_stranded * p->money_scale);
        if(res->has_capex_fall)
            fmt_pct(fall, sizeof(fall), res->capex_fall);
        fprintf(fp, "<tr><th scope=\"row\"><a href=\"#s%lu\">", (unsigned long)(k + 1));
        html(fp, runs[k].label);
        fputs("</a></th><td>", fp);
        put_badge(fp, res);
        fprintf(fp,
                "</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
                "<td class=\"num\">%s</td><td class=\"num\">",
                onset, end, peak);
        html(fp, stranded);
        fprintf(fp, "</td><td class=\"num\">%s</td></tr>\n", fall);
    }
    fputs("</tbody>\n</table>\n", fp);
}

/* The Monte Carlo section (--mc): P(bubble by year), the fans of capacity
 * and demand, and P(bubble) by the largest jump a future saw. */
static int put_monte_carlo(FILE *fp, const mc_results *r, const char *spec)
{
    static const struct {
        const char *var, *label;
    } fans[] = {{"compute_capacity", "compute capacity (H100e, log scale)"},
                {"compute_demand", "compute demand (H100e, log scale)"}};
    ocg_chart base;
    ocg_svg svg;
    char err[512], cap[400];
    size_t k;
    int rc;
    fputs("<section id=\"monte-carlo\">\n<h2>Monte Carlo: how likely is a bubble?</h2>\n<p>", fp);
    fprintf(fp,
            "Over <strong>%llu futures</strong> drawn from <code>", (unsigned long long)r->futures);
    html(fp, r->spec_source);
    fprintf(fp,
            "</code> (%s sampling, seed %llu): uncertain assumptions within their documented "
            "ranges and efficiency jumps arriving at random. <strong>P(bubble by %.0f) = "
            "%.1f%%</strong> (95%% interval %.1f%% to %.1f%%).",
            r->sampling, (unsigned long long)r->seed, r->time[r->n_times - 1],
            100 * r->p_by[r->n_times - 1], 100 * r->lo_by[r->n_times - 1],
            100 * r->hi_by[r->n_times - 1]);
    if(isfinite(r->onset_p50))
        fprintf(fp, " Where a bubble happens, its onset is %.1f in the median (5-95%%: %.1f to "
                    "%.1f).",
                r->onset_p50, r->onset_p5, r->onset_p95);
    if(r->failed || r->undiagnosed)
        fprintf(fp, " %llu futures failed to run and %llu could not be diagnosed (capacity fell "
                    "to zero); they count as no bubble.",
                (unsigned long long)r->failed, (unsigned long long)r->undiagnosed);
    if(r->partial)
        fputs(" <strong>These results are partial: the run was interrupted.</strong>", fp);
    fputs("</p>\n", fp);
    memset(&base, 0, sizeof(base));
    base.inline_html = 1;
    base.id = "mc-p";
    ocg_svg_init(&svg);
    rc = mcr_chart_probability(r, &base, &svg, err, sizeof(err));
    rc = put_figure(fp, rc, &svg, err, "The share of futures with a bubble that began by each "
                                       "year, with its 95% sampling interval.");
    ocg_svg_free(&svg);
    if(rc)
        return rc;
    for(k = 0; k < sizeof(fans) / sizeof(fans[0]); k++) {
        const mcr_band *b = mcr_find_band(r, fans[k].var);
        if(!b)
            continue;
        snprintf(cap, sizeof(cap), "%s: the median future, and the bands that hold the middle "
                                   "50%% and 90%% of futures each year.",
                 fans[k].var);
        base.id = k ? "mc-fan-demand" : "mc-fan-capacity";
        ocg_svg_init(&svg);
        rc = mcr_chart_fan(r, b, fans[k].label, 1, &base, &svg, err, sizeof(err));
        rc = put_figure(fp, rc, &svg, err, cap);
        ocg_svg_free(&svg);
        if(rc)
            return rc;
    }
    if(r->n_classes) {
        fputs("<table>\n<caption>P(bubble) by the largest efficiency jump a future saw"
              "</caption>\n<thead><tr><th>largest jump</th><th>futures</th><th>bubbles</th>"
              "<th>P(bubble)</th><th>95% interval</th></tr></thead>\n<tbody>\n",
              fp);
        for(k = 0; k < r->n_classes; k++) {
            const mcr_class *c = &r->classes[k];
            fputs("<tr><td>", fp);
            html(fp, c->name);
            fprintf(fp, "</td><td>%llu</td><td>%llu</td>", (unsigned long long)c->futures,
                    (unsigned long long)c->bubbles);
            if(c->futures)
                fprintf(fp, "<td>%.1f%%</td><td>%.1f%% to %.1f%%</td></tr>\n", 100 * c->p,
                        100 * c->lo, 100 * c->hi);
            else
                fputs("<td>-</td><td>-</td></tr>\n", fp);
        }
        fputs("</tbody>\n</table>\n", fp);
    }
    fputs("<p>All results as JSON and CSV: <code>overcap mc ", fp);
    shell_word(fp, spec);
    fputs(" -o mc.json --csv DIR</code>; which assumptions drive the risk: <code>overcap "
          "sensitivity ",
          fp);
    shell_word(fp, spec);
    fputs("</code>.</p>\n</section>\n", fp);
    return 0;
}

/* ------------------------------------------------------------------ */
/* overcap report                                                      */
/* ------------------------------------------------------------------ */

static int write_report(FILE *fp, const oc_model *m, const scen_run *runs, size_t n, const job *j,
                        const mc_results *mcr, const char *mc_spec, int argc, char **argv)
{
    ocd_params p;
    oc_specs sp;
    size_t k;
    int rc, i;

    ocx_params_flagship(&p);
    oc_model_specs(m, &sp);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n",
          fp);
    fprintf(fp, "<meta name=\"generator\" content=\"overcap %s\"/>\n", OC_VERSION);
    fputs("<title>Is AI compute a bubble? overcap report: ", fp);
    for(k = 0; k < n; k++) {
        fputs(k ? ", " : "", fp);
        html(fp, runs[k].label);
    }
    fputs("</title>\n<style>\n", fp);
    fputs(css, fp);
    fputs("</style>\n</head>\n<body>\n<header>\n<h1>Is AI compute a bubble?</h1>\n"
          "<p class=\"lead\">",
          fp);
    fprintf(fp, "The AI compute market under %lu scenario%s, ", (unsigned long)n,
            n == 1 ? "" : "s");
    if(runs[0].n)
        fprintf(fp, "%g to %g, ", runs[0].time[0], runs[0].time[runs[0].n - 1]);
    fputs("simulated by overcap on ", fp);
    if(j->model_path) {
        fputs("the model <code>", fp);
        html(fp, j->model_path);
        fputs("</code>", fp);
    }
    else
        fputs("its built-in model (<code>models/ai_compute.xmile</code>)", fp);
    fprintf(fp,
            ". A <strong>bubble</strong> is overcapacity plus weak demand: more than %.0f%% "
            "of compute capacity idle while demand, growing at its underlying rate, would "
            "need longer to fill the idle capacity than the installed hardware has left to "
            "live, for at least %g year%s. Overcapacity that demand absorbs within the "
            "hardware's life is a <strong>normal cycle</strong>.</p>\n",
            100 * p.idle_threshold, p.min_bubble_duration, p.min_bubble_duration == 1 ? "" : "s");
    fputs("<nav aria-label=\"sections\"><ul>\n<li><a href=\"#brief\">In brief</a></li>\n"
          "<li><a href=\"#verdicts\">Verdicts</a></li>\n<li><a href=\"#compare\">Side by "
          "side</a></li>\n",
          fp);
    if(mcr)
        fputs("<li><a href=\"#monte-carlo\">Monte Carlo</a></li>\n", fp);
    fputs("<li><a href=\"#assumptions\">Assumptions and sources</a></li>\n"
          "<li><a href=\"#reproduce\">Reproduce</a></li>\n</ul></nav>\n</header>\n<main>\n",
          fp);

    /* in brief */
    fputs("<section id=\"brief\">\n<h2>In brief</h2>\n<ul>\n", fp);
    for(k = 0; k < n; k++) {
        fprintf(fp, "<li><a href=\"#s%lu\"><strong>", (unsigned long)(k + 1));
        html(fp, runs[k].label);
        fputs("</strong></a> ", fp);
        put_badge(fp, runs[k].res);
        fputs(" ", fp);
        html(fp, runs[k].verdict);
        fputs("</li>\n", fp);
    }
    fputs("</ul>\n</section>\n", fp);

    /* one paragraph and one chart per scenario */
    fputs("<section id=\"verdicts\">\n<h2>Verdict per scenario</h2>\n", fp);
    for(k = 0; k < n; k++) {
        const scen_run *s = &runs[k];
        fprintf(fp, "<article id=\"s%lu\">\n<h3>", (unsigned long)(k + 1));
        html(fp, s->label);
        fputs(" ", fp);
        put_badge(fp, s->res);
        fputs("</h3>\n", fp);
        if(s->sc.description) {
            fputs("<p>", fp);
            html(fp, s->sc.description);
            fputs("</p>\n", fp);
        }
        fputs("<p><strong>Verdict.</strong> ", fp);
        html_sentence(fp, s->verdict);
        fputs("</p>\n", fp);
        if(s->sc.assumptions) {
            fputs("<p><strong>Assumptions.</strong> ", fp);
            html(fp, s->sc.assumptions);
            fputs("</p>\n", fp);
        }
        put_settings(fp, &s->sc, j);
        rc = chart_capacity_demand(fp, s, k);
        if(rc)
            return rc;
        fputs("</article>\n", fp);
    }
    fputs("</section>\n", fp);

    /* side by side */
    fputs("<section id=\"compare\">\n<h2>Side by side</h2>\n", fp);
    put_compare_table(fp, runs, n, &p);
    rc = chart_compare(fp, runs, n, CMP_IDLE, &p);
    if(!rc)
        rc = chart_compare(fp, runs, n, CMP_PRICE, &p);
    if(!rc)
        rc = chart_compare(fp, runs, n, CMP_CAPEX, &p);
    if(!rc)
        rc = chart_compare(fp, runs, n, CMP_STRANDED, &p);
    if(rc)
        return rc;
    if(n > OCG_MAX_SERIES)
        fprintf(fp, "<p>The charts show the first %d scenarios; the table shows all.</p>\n",
                OCG_MAX_SERIES);
    fputs("</section>\n", fp);

    if(mcr) {
        rc = put_monte_carlo(fp, mcr, mc_spec);
        if(rc)
            return rc;
    }

    /* assumptions */
    fputs("<section id=\"assumptions\">\n<h2>Assumptions and sources</h2>\n", fp);
    fprintf(fp,
            "<p>The diagnosis calls <strong>overcapacity</strong> when more than %.0f%% "
            "of capacity is idle, <strong>shortage</strong> when utilization reaches "
            "%.0f%% (and the price is above running cost), and a <strong>bubble</strong> "
            "only when overcapacity and weak demand last at least %g year%s; demand's "
            "momentum is its underlying growth net of the gradual efficiency trend, so the "
            "one-off drop a jump causes does not count as weak demand by itself "
            "(<code>docs/internals/diagnosis.md</code>). Each scenario's own assumptions "
            "are in its verdict above.</p>\n",
            100 * p.idle_threshold, 100 * p.shortage_utilization, p.min_bubble_duration,
            p.min_bubble_duration == 1 ? "" : "s");
    put_constants(fp, m);
    fputs("<p>The figures behind the sources are in <code>data/ai-market/"
          "ai_market_figures.csv</code>, each with its source and confidence; "
          "<code>docs/MODEL.md</code> explains the model.</p>\n</section>\n",
          fp);

    /* reproduce */
    fputs("<section id=\"reproduce\">\n<h2>Reproduce</h2>\n<p>This report was written by "
          "this command; the same command and the same overcap version give the same "
          "bytes (the report holds no timestamp):</p>\n<pre><code>overcap",
          fp);
    for(i = 0; i < argc; i++) {
        fputc(' ', fp);
        shell_word(fp, argv[i]);
    }
    fprintf(fp,
            "</code></pre>\n<p>overcap %s. Every series of every scenario: "
            "<code>overcap compare",
            OC_VERSION);
    for(k = 0; k < n; k++) {
        fputc(' ', fp);
        shell_word(fp, runs[k].arg);
    }
    fputs(" -o series.csv</code>; the timeline and margins of one scenario: "
          "<code>overcap diagnose --scenario NAME</code>.</p>\n</section>\n</main>\n",
          fp);
    fprintf(fp,
            "<footer>Written by overcap %s: system dynamics for the AI compute market. "
            "Charts are inline SVG; the page needs no network and runs no script.</footer>\n"
            "</body>\n</html>\n",
            OC_VERSION);
    return ferror(fp) ? EXIT_IO : EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
    job j;
    oc_model *m = NULL;
    oc_error oe;
    const char **names = NULL, *out_path = NULL, *mc = NULL, *mc_samples = NULL;
    mc_results mcr;
    int have_mcr = 0;
    scen_run *runs = NULL;
    size_t n = 0, k;
    cli_out out;
    ocx_mapping map;
    ocd_params p;
    int i, rc = EXIT_OK, out_open = 0;

    if(job_init(&j, argc))
        return EXIT_MODEL;
    names = calloc((size_t)argc + N_DEFAULT + 1, sizeof(*names));
    if(!names) {
        rc = cli_fail(EXIT_MODEL, "out of memory");
        goto done;
    }
    for(i = 1; i < argc; i++) {
        const char *a = argv[i];
        int used;
        if(strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            help_report(stdout);
            goto done;
        }
        if(strcmp(a, "--scenario") == 0 || strcmp(a, "-o") == 0 || strcmp(a, "--model") == 0 ||
           strcmp(a, "--mc") == 0 || strcmp(a, "--mc-samples") == 0) {
            if(i + 1 >= argc) {
                rc = cli_fail(EXIT_USAGE, "%s needs a value (try: overcap help report)", a);
                goto done;
            }
            if(strcmp(a, "--scenario") == 0)
                names[n++] = argv[++i];
            else if(strcmp(a, "-o") == 0)
                out_path = argv[++i];
            else if(strcmp(a, "--model") == 0)
                j.model_path = argv[++i];
            else if(strcmp(a, "--mc-samples") == 0)
                mc_samples = argv[++i];
            else
                mc = argv[++i];
            continue;
        }
        used = job_option(&j, &i, argc, argv);
        if(used == 1)
            continue;
        if(used) {
            rc = used;
            goto done;
        }
        rc = cli_fail(EXIT_USAGE, "unknown argument '%s' (try: overcap help report)", a);
        goto done;
    }
    memset(&mcr, 0, sizeof(mcr));
    if(mc_samples && !mc) {
        rc = cli_fail(EXIT_USAGE, "--mc-samples needs --mc SPEC");
        goto done;
    }
    if(n == 0)
        for(k = 0; k < N_DEFAULT; k++)
            names[n++] = default_scenarios[k];
    runs = calloc(n, sizeof(*runs));
    if(!runs) {
        rc = cli_fail(EXIT_MODEL, "out of memory");
        goto done;
    }
    if(cli_load_model(j.model_path, &m, &oe) != OC_OK) {
        cli_report(&oe);
        rc = cli_exit_code(oe.code);
        goto done;
    }
    /* every scenario must load before anything runs or is written */
    for(k = 0; k < n; k++) {
        oc_run *r = NULL;
        rc = job_prepare_run(&j, names[k], m, &r, NULL);
        oc_run_free(r);
        if(rc)
            goto done;
    }
    ocx_mapping_flagship(&map);
    ocx_params_flagship(&p);
    for(k = 0; k < n; k++) {
        scen_run *s = &runs[k];
        oc_run *r = NULL;
        char err[512];
        s->arg = names[k];
        rc = job_prepare_run(&j, names[k], m, &r, &s->sc);
        if(rc)
            goto done;
        s->label = s->sc.name ? s->sc.name : names[k];
        if(oc_run_simulate(r, &oe) != OC_OK) {
            cli_report(&oe);
            rc = cli_exit_code(oe.code);
            oc_run_free(r);
            goto done;
        }
        if(ocx_diagnose_run(m, r, &map, &p, &s->res, err, sizeof(err)) != 0) {
            oc_run_free(r);
            rc = cli_fail(EXIT_USAGE, "the report needs the built-in model's series: %s", err);
            goto done;
        }
        ocd_verdict(s->res, &p, s->verdict, sizeof(s->verdict));
        rc = fetch_series(m, r, s, p.money_scale);
        oc_run_free(r);
        if(!rc)
            rc = make_bands(s);
        if(rc)
            goto done;
    }
    if(mc) {
        /* the spec as `overcap mc SPEC` runs it (its own base scenario);
         * errors stop the report before anything is written */
        if(j.model_path && strcmp(mc, "built-in") == 0) {
            rc = cli_fail(EXIT_USAGE, "--mc built-in is for the built-in model; with --model "
                                      "give a spec file that names the model");
            goto done;
        }
        rc = mcr_run(mc, NULL, mc_samples, &mcr);
        if(rc)
            goto done;
        have_mcr = 1;
    }
    rc = cli_out_open(&out, out_path);
    if(rc)
        goto done;
    out_open = 1;
    rc = write_report(out.fp, m, runs, n, &j, have_mcr ? &mcr : NULL, mc, argc, argv);
    if(rc)
        goto done;
    out_open = 0;
    rc = cli_out_commit(&out);
done:
    if(out_open)
        cli_out_abort(&out);
    if(runs)
        for(k = 0; k < n; k++)
            scen_free(&runs[k]);
    free(runs);
    free(names);
    if(have_mcr)
        mcr_free(&mcr);
    oc_model_free(m);
    job_free(&j);
    return rc;
}
