/*
 * test_svg.c - tests of the SVG chart writer (svg.c).
 *
 *   test_svg GOLDEN_DIR            renders every chart type from fixed
 *                                  synthetic data and compares the bytes with
 *                                  GOLDEN_DIR/NAME.svg; checks well-formedness
 *                                  (libxml2), the absence of external
 *                                  references, determinism and the edge cases
 *   OVERCAP_UPDATE_GOLDEN=1 test_svg GOLDEN_DIR
 *                                  writes the golden files instead (review
 *                                  the diff before committing them)
 *   test_svg --wellformed FILE...  parses each file as XML and exits 1 when
 *                                  one is not well-formed (tests/report.sh
 *                                  uses it on the HTML report, so the tests
 *                                  need no xmllint)
 *
 * A mismatch leaves the output next to the test as NAME.actual.svg in the
 * working directory and names the first differing line. Prints "N passed,
 * N failed" last and exits non-zero on any failure.
 */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "svg.h"

static int passed, failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if(cond)                                                                                   \
            passed++;                                                                              \
        else {                                                                                     \
            failed++;                                                                              \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while(0)

static const char *golden_dir;
static int update_golden;

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* Parses text as XML without network access, DTDs or entity expansion.
 * Returns 1 when well-formed; otherwise prints libxml2's message. */
static int wellformed(const char *text, size_t len, const char *what)
{
    xmlDocPtr doc = xmlReadMemory(text, (int)len, what, "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if(!doc) {
        const xmlError *e = xmlGetLastError();
        printf("  %s: not well-formed XML: line %d: %s", what, e ? e->line : 0,
               e && e->message ? e->message : "?\n");
        return 0;
    }
    xmlFreeDoc(doc);
    return 1;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    long n;
    *len = 0;
    if(!fp)
        return NULL;
    if(fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
        fclose(fp);
        return NULL;
    }
    buf = malloc((size_t)n + 1);
    if(buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if(buf) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    fclose(fp);
    return buf;
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    int ok;
    if(!fp)
        return 0;
    ok = fwrite(data, 1, len, fp) == len;
    if(fclose(fp) != 0)
        ok = 0;
    return ok;
}

/* The checks every chart gets: well-formed, self-contained, no script. */
static void check_common(const ocg_svg *s, const char *name)
{
    const char *http, *p;
    CHECK(s->len > 0 && s->data && strlen(s->data) == s->len, "%s: output length", name);
    if(!s->data)
        return;
    CHECK(wellformed(s->data, s->len, name), "%s: well-formed XML", name);
    CHECK(strstr(s->data, "<script") == NULL, "%s: no script", name);
    CHECK(strstr(s->data, "href") == NULL, "%s: no href at all", name);
    CHECK(strstr(s->data, "@import") == NULL, "%s: no CSS import", name);
    /* the only URL allowed is the SVG namespace */
    for(p = s->data; (http = strstr(p, "http")) != NULL; p = http + 4)
        CHECK(strncmp(http, "http://www.w3.org/2000/svg\"", 27) == 0,
              "%s: an URL other than the SVG namespace at byte %ld", name, (long)(http - s->data));
    CHECK(strncmp(s->data, "<svg", 4) == 0, "%s: starts with <svg", name);
    CHECK(s->len > 7 && strcmp(s->data + s->len - 7, "</svg>\n") == 0, "%s: ends with </svg>",
          name);
}

/* Compares with the golden file, or writes it. */
static void check_golden(const ocg_svg *s, const char *name)
{
    char path[1024], actual[300];
    size_t glen;
    char *g;
    check_common(s, name);
    snprintf(path, sizeof(path), "%s/%s.svg", golden_dir, name);
    if(update_golden) {
        CHECK(write_file(path, s->data, s->len), "%s: cannot write the golden file", path);
        return;
    }
    g = read_file(path, &glen);
    CHECK(g != NULL, "%s: no golden file (run with OVERCAP_UPDATE_GOLDEN=1)", path);
    if(!g)
        return;
    if(glen == s->len && memcmp(g, s->data, glen) == 0)
        passed++;
    else {
        size_t k, line = 1, n = glen < s->len ? glen : s->len;
        for(k = 0; k < n && g[k] == s->data[k]; k++)
            if(g[k] == '\n')
                line++;
        snprintf(actual, sizeof(actual), "%s.actual.svg", name);
        write_file(actual, s->data, s->len);
        failed++;
        printf("FAIL %s: differs from %s at line %lu (byte %lu); the output is in %s\n", name, path,
               (unsigned long)line, (unsigned long)k, actual);
    }
    free(g);
}

static size_t count(const char *hay, const char *needle)
{
    size_t c = 0;
    const char *p = hay;
    while(p && (p = strstr(p, needle)) != NULL) {
        c++;
        p += strlen(needle);
    }
    return c;
}

/* ------------------------------------------------------------------ */
/* Synthetic data: a market that runs short, balances, booms and busts  */
/* ------------------------------------------------------------------ */

#define NQ 81 /* 2020 to 2040 by quarters */

static double t_q[NQ], capacity[NQ], demand[NQ], idle[NQ];
static int state_q[NQ];

static void make_market(void)
{
    int i;
    for(i = 0; i < NQ; i++) {
        double t = 2020 + 0.25 * i;
        t_q[i] = t;
        /* capacity grows 3x a year to 2028, then 1.5x; demand grows 3.2x
         * a year, collapses 100x in 2027.5 and regrows 4x a year */
        capacity[i] = 7.5e4 * pow(3.0, fmin(t, 2028) - 2020) * pow(1.5, fmax(t - 2028, 0));
        if(t < 2027.5)
            demand[i] = 8.2e4 * pow(3.2, t - 2020);
        else
            demand[i] = 8.2e4 * pow(3.2, 7.5) / 100 * pow(4.0, t - 2027.5);
        idle[i] = fmax(0, 1 - demand[i] / capacity[i]);
        state_q[i] = demand[i] >= capacity[i]    ? OCG_SHORTAGE
                     : idle[i] < 0.25            ? OCG_BALANCED
                     : t >= 2027.5 && t < 2030.5 ? OCG_BUBBLE
                                                 : OCG_NORMAL_CYCLE;
    }
}

/* ------------------------------------------------------------------ */
/* One test per chart type                                             */
/* ------------------------------------------------------------------ */

static void test_lines_states(void)
{
    ocg_band bands[NQ];
    ocg_series s[2];
    ocg_ref refs[2];
    ocg_line_chart c;
    ocg_svg out;
    char err[200];
    size_t nb = ocg_bands_from_steps(t_q, state_q, NQ, bands, NQ);
    int rc;
    memset(&c, 0, sizeof(c));
    memset(s, 0, sizeof(s));
    memset(refs, 0, sizeof(refs));
    s[0].name = "idle share";
    s[0].x = t_q;
    s[0].y = idle;
    s[0].n = NQ;
    refs[0].value = 0.25;
    refs[0].label = "overcapacity threshold (25%)";
    refs[1].vertical = 1;
    refs[1].value = 2027.5;
    refs[1].label = "100x jump";
    c.chart.title = "Idle share tops 99% after the jump: a bubble until 2030";
    c.chart.subtitle = "synthetic data";
    c.chart.x_label = "year";
    c.chart.y_label = "idle share of compute capacity";
    c.chart.note = "Source: synthetic test data.";
    c.chart.id = "states";
    c.series = s;
    c.n_series = 1;
    c.bands = bands;
    c.n_bands = nb;
    c.refs = refs;
    c.n_refs = 2;
    c.percent_y = 1;
    ocg_svg_init(&out);
    rc = ocg_lines(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "lines with states: %s", err);
    check_golden(&out, "lines_states");
    CHECK(strstr(out.data, ">100%<") && strstr(out.data, ">0%<"), "percent ticks");
    CHECK(strstr(out.data, "states-bubble") && strstr(out.data, "states-shortage"),
          "state patterns with the id prefix");
    CHECK(strstr(out.data, ">bubble<") != NULL, "bands are labelled, not colour alone");
    CHECK(strstr(out.data, "overcapacity threshold") != NULL, "reference line label");
    ocg_svg_free(&out);
}

static void test_lines_log(void)
{
    ocg_band bands[NQ];
    ocg_series s[2];
    ocg_line_chart c;
    ocg_svg out;
    char err[200];
    int rc;
    memset(&c, 0, sizeof(c));
    memset(s, 0, sizeof(s));
    s[0].name = "compute capacity";
    s[0].x = t_q;
    s[0].y = capacity;
    s[0].n = NQ;
    s[1].name = "compute demand";
    s[1].x = t_q;
    s[1].y = demand;
    s[1].n = NQ;
    c.chart.title = "Capacity outruns demand for three years after a 100x jump";
    c.chart.x_label = "year";
    c.chart.y_label = "compute (H100e)";
    c.chart.id = "log";
    c.series = s;
    c.n_series = 2;
    c.bands = bands;
    c.n_bands = ocg_bands_from_steps(t_q, state_q, NQ, bands, NQ);
    c.log_y = 1;
    ocg_svg_init(&out);
    rc = ocg_lines(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "log lines: %s", err);
    check_golden(&out, "lines_log");
    CHECK(strstr(out.data, ">10k<") && strstr(out.data, ">1M<") && strstr(out.data, ">1B<"),
          "log decades labelled 10k, 1M, 1B");
    CHECK(strstr(out.data, "stroke-dasharray=\"7 4\"") != NULL,
          "the second line is dashed, not told by colour alone");
    CHECK(out.note[0] == '\0', "no note when nothing was left out: %s", out.note);
    ocg_svg_free(&out);
}

static void test_fan(void)
{
    double x[21], p05[21], p25[21], p50[21], p75[21], p95[21], det[21];
    ocg_series overlay;
    ocg_fan_chart c;
    ocg_svg out;
    char err[200];
    int i, rc;
    for(i = 0; i < 21; i++) {
        double t = i, spread = 0.05 * t;
        x[i] = 2020 + i;
        p50[i] = 100 * exp(0.3 * t);
        p25[i] = p50[i] * exp(-spread);
        p75[i] = p50[i] * exp(spread);
        p05[i] = p50[i] * exp(-2.5 * spread);
        p95[i] = p50[i] * exp(2.5 * spread);
        det[i] = 100 * exp(0.32 * t);
    }
    p05[12] = NAN; /* a gap in the outer band */
    memset(&c, 0, sizeof(c));
    memset(&overlay, 0, sizeof(overlay));
    overlay.name = "deterministic run";
    overlay.x = x;
    overlay.y = det;
    overlay.n = 21;
    c.chart.title =
        "Stranded capital: the median stays under $1T, the 95th percentile reaches $40T";
    c.chart.x_label = "year";
    c.chart.y_label = "stranded book value (US$ billion)";
    c.chart.id = "fan";
    c.name = "median";
    c.x = x;
    c.n = 21;
    c.p05 = p05;
    c.p25 = p25;
    c.p50 = p50;
    c.p75 = p75;
    c.p95 = p95;
    c.overlay = &overlay;
    c.n_overlay = 1;
    c.log_y = 1;
    c.y_prefix = "$";
    ocg_svg_init(&out);
    rc = ocg_fan(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "fan: %s", err);
    check_golden(&out, "fan");
    CHECK(count(out.data, "fill-opacity=\"0.18\" stroke=\"none\"") == 2,
          "the NaN splits the 5-95 band in two polygons");
    CHECK(strstr(out.data, ">$1k<") != NULL, "money prefix on the ticks");
    ocg_svg_free(&out);
}

static void test_probability(void)
{
    double x[21], p[21], lo[21], hi[21];
    ocg_prob_chart c;
    ocg_svg out;
    char err[200];
    int i, rc;
    for(i = 0; i < 21; i++) {
        x[i] = 2020 + i;
        p[i] = 1 - exp(-0.04 * i);
        lo[i] = fmax(0, p[i] - 0.05);
        hi[i] = fmin(1, p[i] + 0.05);
    }
    memset(&c, 0, sizeof(c));
    c.chart.title = "P(bubble by 2040) = 55%: mostly from jumps arriving before 2030";
    c.chart.x_label = "year";
    c.chart.y_label = "probability of a bubble by that year";
    c.chart.id = "prob";
    c.name = "P(bubble by year)";
    c.band_label = "90% interval (sampling)";
    c.x = x;
    c.n = 21;
    c.p = p;
    c.lo = lo;
    c.hi = hi;
    ocg_svg_init(&out);
    rc = ocg_probability(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "probability: %s", err);
    check_golden(&out, "probability");
    CHECK(strstr(out.data, ">100%<") != NULL, "probability axis to 100%%");
    ocg_svg_free(&out);
}

static void test_heatmap(void)
{
    double x[] = {2026, 2028, 2030, 2032};
    double y[] = {0.6, 0.85, 1.1, 1.35, 1.6000000000000001};
    double z[20];
    ocg_heat_map c;
    ocg_svg out;
    char err[200];
    int ix, iy, rc;
    for(iy = 0; iy < 5; iy++)
        for(ix = 0; ix < 4; ix++)
            z[iy * 4 + ix] = 44.0 * pow(0.8, ix) * pow(1.3, iy);
    z[4 * 4 + 0] = INFINITY;
    z[4 * 4 + 1] = INFINITY;
    z[3 * 4 + 0] = INFINITY;
    z[0 * 4 + 3] = NAN;
    memset(&c, 0, sizeof(c));
    c.chart.title = "A jump of 18x to 140x makes a bubble; later jumps need less";
    c.chart.x_label = "jump year";
    c.chart.y_label = "demand price elasticity";
    c.chart.id = "heat";
    c.x = x;
    c.nx = 4;
    c.y = y;
    c.ny = 5;
    c.z = z;
    c.log_z = 1;
    c.z_label = "critical jump F* (x)";
    c.inf_label = "no bubble up to 1000x";
    ocg_svg_init(&out);
    rc = ocg_heatmap(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "heat map: %s", err);
    check_golden(&out, "heatmap");
    CHECK(count(out.data, "fill=\"url(#heat-inf)\"") == 4, "three infinite cells and the legend");
    CHECK(strstr(out.data, ">1.60<") && !strstr(out.data, "1.6000"),
          "grid values printed as given, with the decimals the axis needs");
    CHECK(strstr(out.data, ">0.85<") != NULL, "two decimals where the grid needs them");
    CHECK(count(out.data, "<title>") == 20, "a tooltip per cell");
    ocg_svg_free(&out);
}

static void test_tornado(void)
{
    ocg_bar bars[8];
    ocg_tornado_chart c;
    ocg_svg out;
    char err[200];
    int rc;
    static const char *labels[8] = {"demand price elasticity",
                                    "max demand expansion per year",
                                    "hardware life years",
                                    "jump arrival rate",
                                    "investor optimism",
                                    "adoption lag",
                                    "a parameter with a very long name that must be cut short",
                                    "unused"};
    static const double values[8] = {0.42, 0.31, -0.12, 0.55, 0.05, 0.31, 0.02, NAN};
    int k;
    memset(bars, 0, sizeof(bars));
    for(k = 0; k < 8; k++) {
        bars[k].label = labels[k];
        bars[k].value = values[k];
        if(k < 4) {
            bars[k].has_interval = 1;
            bars[k].lo = values[k] - 0.04;
            bars[k].hi = values[k] + 0.04;
        }
    }
    memset(&c, 0, sizeof(c));
    c.chart.title = "The jump arrival rate and the elasticity drive P(bubble)";
    c.chart.x_label = "total-order Sobol index";
    c.chart.id = "tornado";
    c.bars = bars;
    c.n = 8;
    ocg_svg_init(&out);
    rc = ocg_tornado(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "tornado: %s", err);
    check_golden(&out, "tornado");
    {
        const char *a = strstr(out.data, ">jump arrival rate<");
        const char *b = strstr(out.data, ">demand price elasticity<");
        const char *m = strstr(out.data, ">max demand expansion per year<");
        const char *d = strstr(out.data, ">adoption lag<");
        CHECK(a && b && a < b, "ranked: the largest index first");
        CHECK(m && d && m < d, "ties keep the input order");
    }
    CHECK(strstr(out.data, ">n/a<") != NULL, "a NaN index is shown as n/a");
    CHECK(strstr(out.data, "\xE2\x80\xA6") != NULL, "a long label is cut with an ellipsis");
    ocg_svg_free(&out);
}

static void test_backtest(void)
{
    /* the railway mania: track open (km) and traffic, observed in some
     * years and interpolated in others */
    double years[13], track[13], traffic[13];
    unsigned char obs[13];
    int st[13], k;
    ocg_band bands[13];
    ocg_series s[2];
    ocg_ref refs[3];
    ocg_line_chart c;
    ocg_svg out;
    char err[200];
    int rc;
    for(k = 0; k < 13; k++) {
        years[k] = 1840 + k;
        track[k] = 2400 * pow(1.18, k);
        traffic[k] = 2200 * pow(1.09, k);
        obs[k] = (unsigned char)(k % 3 == 0 || k == 12);
        st[k] = k < 3 ? OCG_SHORTAGE : k < 5 ? OCG_BALANCED : k < 7 ? OCG_NORMAL_CYCLE : OCG_BUBBLE;
    }
    traffic[6] = NAN; /* a year without any figure: a gap */
    memset(&c, 0, sizeof(c));
    memset(s, 0, sizeof(s));
    s[0].name = "track open (km)";
    s[0].x = years;
    s[0].y = track;
    s[0].n = 13;
    s[0].observed = obs;
    s[1].name = "traffic (km-equivalent)";
    s[1].x = years;
    s[1].y = traffic;
    s[1].n = 13;
    s[1].observed = obs;
    c.chart.title = "Railway mania: the detector calls a bubble from 1847, as historians do";
    c.chart.x_label = "year";
    c.chart.y_label = "route km";
    c.chart.note = "Back-test on synthetic data shaped like the UK series in data/history/.";
    c.chart.id = "backtest";
    c.series = s;
    c.n_series = 2;
    c.bands = bands;
    c.n_bands = ocg_bands_from_steps(years, st, 13, bands, 13);
    c.log_y = 1;
    /* known dates: two a year apart (labels stacked), one in the right part
     * of the plot (label runs leftwards) */
    memset(refs, 0, sizeof(refs));
    refs[0].vertical = refs[1].vertical = refs[2].vertical = 1;
    refs[0].value = 1845.6;
    refs[0].label = "share index peak";
    refs[1].value = 1846.6;
    refs[1].label = "collapse";
    refs[2].value = 1850;
    refs[2].label = "a date on the right";
    c.refs = refs;
    c.n_refs = 3;
    ocg_svg_init(&out);
    rc = ocg_lines(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "back-test: %s", err);
    check_golden(&out, "backtest");
    CHECK(strstr(out.data, "text-anchor=\"end\" fill=\"#333333\"") == NULL &&
              strstr(out.data, "font-size=\"10\" fill=\"#333333\" text-anchor=\"end\">a date on "
                               "the right<"),
          "a date label in the right part of the plot runs leftwards");
    CHECK(strstr(out.data, ">observed<") && strstr(out.data, ">filled in (interpolated)<"),
          "observed and filled-in points in the legend");
    CHECK(count(out.data, "fill=\"#ffffff\"/>") >= 8, "hollow dots for filled-in points");
    ocg_svg_free(&out);
}

/* ------------------------------------------------------------------ */
/* Edge cases                                                          */
/* ------------------------------------------------------------------ */

static void test_edges(void)
{
    double x[12], y[12], neg[6] = {-1, 0, 10, 100, -5, 1000};
    double cst[5] = {7, 7, 7, 7, 7};
    ocg_series s;
    ocg_line_chart c;
    ocg_svg out;
    char err[200];
    int i, rc;

    /* empty: the frame and "no data" */
    memset(&c, 0, sizeof(c));
    c.chart.title = "Nothing to show yet";
    c.chart.x_label = "year";
    c.chart.y_label = "value";
    ocg_svg_init(&out);
    rc = ocg_lines(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "empty chart: %s", err);
    check_golden(&out, "empty");
    CHECK(strstr(out.data, ">no data<") != NULL, "empty chart says so");
    ocg_svg_free(&out);

    /* NaN and infinite values break the line; an isolated point is a dot */
    for(i = 0; i < 12; i++) {
        x[i] = i;
        y[i] = 1 + i * i;
    }
    y[3] = NAN;
    y[5] = INFINITY;
    y[7] = NAN;
    memset(&s, 0, sizeof(s));
    s.name = "series with gaps";
    s.x = x;
    s.y = y;
    s.n = 12;
    c.series = &s;
    c.n_series = 1;
    c.chart.title = "Gaps break the line";
    ocg_svg_init(&out);
    rc = ocg_lines(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "gaps: %s", err);
    check_golden(&out, "gaps");
    CHECK(count(out.data, " M") == 3, "four runs: the path restarts three times (%lu)",
          (unsigned long)count(out.data, " M"));
    CHECK(count(out.data, "<circle") == 2, "the points at x = 4 and 6 stand alone as dots");
    ocg_svg_free(&out);

    /* a constant series gets a range around it */
    s.y = cst;
    s.n = 5;
    c.chart.title = "A constant";
    ocg_svg_init(&out);
    rc = ocg_lines(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "constant: %s", err);
    check_golden(&out, "constant");
    CHECK(strstr(out.data, ">14<") != NULL, "a constant 7 is drawn on a 0 to 14 axis");
    ocg_svg_free(&out);

    /* values <= 0 on a log axis: left out, with a note */
    s.y = neg;
    s.n = 6;
    c.log_y = 1;
    c.chart.title = "Negative values on a log axis";
    ocg_svg_init(&out);
    rc = ocg_lines(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "log with negatives: %s", err);
    check_golden(&out, "log_clipped");
    CHECK(strstr(out.note, "3 values at or below zero are not shown") != NULL, "note: %s",
          out.note);
    CHECK(strstr(out.data, "3 values at or below zero") != NULL, "the note is on the chart");
    ocg_svg_free(&out);

    /* nothing positive at all on a log axis is an error, and the buffer is
     * left as it was */
    s.y = neg;
    s.n = 2;
    ocg_svg_init(&out);
    rc = ocg_lines(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_EDATA, "all non-positive on a log axis: %s", ocg_code_name(rc));
    CHECK(out.len == 0, "nothing written on error");
    CHECK(strstr(err, "logarithmic") != NULL, "the error says why: %s", err);
    ocg_svg_free(&out);
    c.log_y = 0;

    /* text is escaped; invalid UTF-8 and control bytes are replaced */
    s.y = y;
    s.n = 12;
    s.name = "a < b & \"c\"";
    c.chart.title = "Escapes: <script>alert('x')</script> & \x01 bad \xff\xfe bytes, fine \xc3\xa9";
    c.chart.id = "9 bad id!";
    ocg_svg_init(&out);
    rc = ocg_lines(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "escapes: %s", err);
    check_golden(&out, "escape");
    CHECK(strstr(out.data, "&lt;script&gt;") != NULL, "markup in text is escaped");
    CHECK(strstr(out.data, "\xc3\xa9") != NULL, "valid UTF-8 is kept");
    CHECK(strstr(out.data, "g_bad_id_-clip") != NULL, "ids are sanitised");
    ocg_svg_free(&out);
}

static void test_limits(void)
{
    enum { N = 1000000 };
    double *x = malloc(N * sizeof(double)), *y = malloc(N * sizeof(double));
    double hx[3] = {1, 2, 3}, hz[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    ocg_series s;
    ocg_line_chart c;
    ocg_heat_map h;
    ocg_tornado_chart t;
    ocg_svg out;
    char err[200];
    int rc;
    size_t i;

    if(!x || !y) {
        CHECK(0, "out of memory in the test");
        free(x);
        free(y);
        return;
    }
    /* a million points: thinned to a few per pixel column */
    for(i = 0; i < N; i++) {
        x[i] = (double)i / N;
        y[i] = sin((double)i * 0.001) + 0.001 * (double)(i % 7);
    }
    memset(&c, 0, sizeof(c));
    memset(&s, 0, sizeof(s));
    s.name = "dense";
    s.x = x;
    s.y = y;
    s.n = N;
    c.series = &s;
    c.n_series = 1;
    c.chart.title = "A million points";
    c.chart.width = 1000000; /* capped */
    c.chart.height = -5;     /* default */
    ocg_svg_init(&out);
    rc = ocg_lines(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "dense: %s", err);
    check_common(&out, "dense");
    CHECK(out.len < 400000, "a million points thinned: %lu bytes", (unsigned long)out.len);
    CHECK(strstr(out.data, "width=\"4000\"") != NULL, "width capped at 4000");
    CHECK(strstr(out.data, "height=\"420\"") != NULL, "bad height: the default");
    ocg_svg_free(&out);
    free(x);
    free(y);

    /* too many cells */
    memset(&h, 0, sizeof(h));
    h.x = hx;
    h.y = hx;
    h.z = hz;
    h.nx = 600;
    h.ny = 600;
    ocg_svg_init(&out);
    rc = ocg_heatmap(&h, &out, err, sizeof(err));
    CHECK(rc == OCG_ELIMIT, "600 x 600 cells: %s", ocg_code_name(rc));
    /* axes must increase */
    h.nx = h.ny = 3;
    hx[1] = 0.5;
    rc = ocg_heatmap(&h, &out, err, sizeof(err));
    CHECK(rc == OCG_EDATA && strstr(err, "increase"), "unsorted grid: %s", err);
    hx[1] = 2;
    /* linear colour scale, no labels on the axes */
    rc = ocg_heatmap(&h, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "linear heat map: %s", err);
    check_common(&out, "heat linear");
    ocg_svg_free(&out);

    /* NULLs and counts */
    CHECK(ocg_lines(NULL, &out, err, sizeof(err)) == OCG_EARG, "NULL chart");
    c.n_series = 40;
    CHECK(ocg_lines(&c, &out, err, sizeof(err)) == OCG_EARG, "too many series");
    c.n_series = 1;
    s.x = NULL;
    CHECK(ocg_lines(&c, &out, err, sizeof(err)) == OCG_EARG, "series without x");
    memset(&t, 0, sizeof(t));
    t.n = 61;
    CHECK(ocg_tornado(&t, &out, err, sizeof(err)) == OCG_EARG, "too many bars");
    t.n = 0;
    ocg_svg_init(&out);
    CHECK(ocg_tornado(&t, &out, err, sizeof(err)) == OCG_OK, "an empty tornado draws");
    check_common(&out, "empty tornado");
    ocg_svg_free(&out);
    CHECK(strcmp(ocg_code_name(OCG_ELIMIT), "OCG_ELIMIT") == 0, "code names");
    CHECK(strcmp(ocg_state_name(OCG_NORMAL_CYCLE), "normal cycle") == 0, "state names");
    CHECK(strcmp(ocg_state_name(9), "unknown") == 0, "unknown state");
}

/* Extreme values must give a well-formed chart, never a hang or a crash. */
static void test_extremes(void)
{
    double x[6] = {0, 1, 2, 3, 4, 5};
    double huge[6] = {1e308, -1e308, 1e-308, 4.9e-324, 0, 1};
    double wide[6] = {1e-300, 1e-100, 1, 1e100, 1e200, 1e300};
    double flat_x[6] = {7, 7, 7, 7, 7, 7};
    double nan6[6] = {NAN, NAN, NAN, NAN, NAN, NAN};
    double hz[4] = {NAN, NAN, NAN, NAN}, hx[2] = {1e-300, 1e300};
    ocg_series s;
    ocg_line_chart c;
    ocg_heat_map h;
    ocg_fan_chart f;
    ocg_bar bars[2];
    ocg_tornado_chart t;
    ocg_svg out;
    char err[200];
    int rc;

    memset(&c, 0, sizeof(c));
    memset(&s, 0, sizeof(s));
    s.name = "extreme";
    s.x = x;
    s.y = huge;
    s.n = 6;
    c.series = &s;
    c.n_series = 1;
    c.chart.title = "Extremes";
    ocg_svg_init(&out);
    rc = ocg_lines(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "values near the double limits: %s", err);
    check_common(&out, "extreme linear");
    ocg_svg_free(&out);

    s.y = wide; /* 600 decades on a log axis */
    c.log_y = 1;
    ocg_svg_init(&out);
    rc = ocg_lines(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "600 decades: %s", err);
    check_common(&out, "extreme log");
    CHECK(count(out.data, "text-anchor=\"end\">") <= 20, "few labels on a very wide log axis");
    ocg_svg_free(&out);

    s.x = flat_x; /* every point at one x, and a single point */
    s.y = huge + 5;
    s.n = 1;
    c.log_y = 0;
    ocg_svg_init(&out);
    rc = ocg_lines(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "one point: %s", err);
    check_common(&out, "one point");
    CHECK(count(out.data, "<circle") == 1, "a single point is a dot");
    ocg_svg_free(&out);

    s.y = nan6; /* nothing finite at all */
    s.n = 6;
    ocg_svg_init(&out);
    rc = ocg_lines(&c, &out, err, sizeof(err));
    CHECK(rc == OCG_OK && strstr(out.data, ">no data<"), "all NaN: %s", err);
    ocg_svg_free(&out);

    memset(&h, 0, sizeof(h)); /* a heat map without any value */
    h.x = hx;
    h.nx = 2;
    h.y = hx;
    h.ny = 2;
    h.z = hz;
    h.log_z = 1;
    ocg_svg_init(&out);
    rc = ocg_heatmap(&h, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "an empty heat map: %s", err);
    check_common(&out, "empty heat map");
    ocg_svg_free(&out);

    memset(&f, 0, sizeof(f)); /* a fan chart with only a median */
    f.x = x;
    f.n = 6;
    f.p50 = huge;
    ocg_svg_init(&out);
    rc = ocg_fan(&f, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "median only: %s", err);
    check_common(&out, "median only");
    ocg_svg_free(&out);

    memset(bars, 0, sizeof(bars));
    memset(&t, 0, sizeof(t));
    bars[0].label = "a";
    bars[0].value = NAN;
    bars[1].label = NULL;
    bars[1].value = 1e300;
    bars[1].has_interval = 1;
    bars[1].lo = -1e308;
    bars[1].hi = INFINITY;
    t.bars = bars;
    t.n = 2;
    ocg_svg_init(&out);
    rc = ocg_tornado(&t, &out, err, sizeof(err));
    CHECK(rc == OCG_OK, "extreme bars: %s", err);
    check_common(&out, "extreme bars");
    ocg_svg_free(&out);
}

static void test_bands(void)
{
    double t[6] = {0, 1, 2, 3, 4, 5};
    int st[6] = {0, 0, 3, 3, 1, 2};
    ocg_band b[6];
    size_t n = ocg_bands_from_steps(t, st, 6, NULL, 0);
    CHECK(n == 3, "sizing call: %lu bands (the last step has no duration)", (unsigned long)n);
    n = ocg_bands_from_steps(t, st, 6, b, 6);
    CHECK(n == 3 && b[0].x0 == 0 && b[0].x1 == 2 && b[0].state == 0, "first band");
    CHECK(b[1].x0 == 2 && b[1].x1 == 4 && b[1].state == 3, "second band");
    CHECK(b[2].x0 == 4 && b[2].x1 == 5 && b[2].state == 1, "third band");
    CHECK(ocg_bands_from_steps(t, st, 1, b, 6) == 0, "one step: no interval");
}

/* Same input, same bytes; appending keeps what was there; the locale does
 * not change a byte. */
static void test_determinism(void)
{
    ocg_series s;
    ocg_line_chart c;
    ocg_svg a, b;
    char err[200];
    memset(&c, 0, sizeof(c));
    memset(&s, 0, sizeof(s));
    s.name = "idle share";
    s.x = t_q;
    s.y = idle;
    s.n = NQ;
    c.series = &s;
    c.n_series = 1;
    c.chart.title = "Twice";
    c.chart.inline_html = 1;
    ocg_svg_init(&a);
    ocg_svg_init(&b);
    ocg_lines(&c, &a, err, sizeof(err));
    ocg_lines(&c, &b, err, sizeof(err));
    CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0, "same input, same bytes");
    CHECK(strstr(a.data, "http") == NULL, "inline HTML mode holds no URL at all");
    ocg_lines(&c, &a, err, sizeof(err));
    CHECK(a.len == 2 * b.len && memcmp(a.data + b.len, b.data, b.len) == 0,
          "a second chart is appended");
    ocg_svg_free(&a);
    if(setlocale(LC_NUMERIC, "de_DE.UTF-8") || setlocale(LC_NUMERIC, "fr_FR.UTF-8")) {
        ocg_svg_init(&a);
        ocg_lines(&c, &a, err, sizeof(err));
        CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
              "a comma-decimal locale changes nothing");
        ocg_svg_free(&a);
        setlocale(LC_NUMERIC, "C");
    }
    ocg_svg_free(&b);
}

/* ------------------------------------------------------------------ */

static int check_files(int argc, char **argv)
{
    int k, bad = 0;
    for(k = 2; k < argc; k++) {
        size_t len;
        char *text = read_file(argv[k], &len);
        if(!text) {
            printf("%s: cannot read\n", argv[k]);
            bad = 1;
            continue;
        }
        if(!wellformed(text, len, argv[k]))
            bad = 1;
        free(text);
    }
    return bad;
}

int main(int argc, char **argv)
{
    const char *upd = getenv("OVERCAP_UPDATE_GOLDEN");
    if(argc >= 2 && strcmp(argv[1], "--wellformed") == 0)
        return check_files(argc, argv);
    if(argc != 2) {
        fprintf(stderr, "usage: test_svg GOLDEN_DIR | test_svg --wellformed FILE...\n");
        return 2;
    }
    golden_dir = argv[1];
    update_golden = upd && upd[0] && strcmp(upd, "0") != 0;
    make_market();
    test_lines_states();
    test_lines_log();
    test_fan();
    test_probability();
    test_heatmap();
    test_tornado();
    test_backtest();
    test_edges();
    test_limits();
    test_extremes();
    test_bands();
    test_determinism();
    if(update_golden)
        printf("golden files written to %s\n", golden_dir);
    xmlCleanupParser();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
