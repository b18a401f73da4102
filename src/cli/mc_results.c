/*
 * mc_results.c - `overcap mc` results read back and drawn (mc_results.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "cmd_mc.h"
#include "mc_results.h"

void mcr_free(mc_results *r)
{
    size_t k;
    free(r->spec_source);
    free(r->spec_name);
    free(r->sampling);
    free(r->time);
    free(r->p_by);
    free(r->lo_by);
    free(r->hi_by);
    for(k = 0; k < r->n_bands; k++) {
        mcr_band *b = &r->bands[k];
        free(b->name);
        free(b->time);
        free(b->p5);
        free(b->p25);
        free(b->p50);
        free(b->p75);
        free(b->p95);
    }
    free(r->bands);
    for(k = 0; k < r->n_classes; k++)
        free(r->classes[k].name);
    free(r->classes);
    memset(r, 0, sizeof(*r));
}

/* A number, or NaN for null (how `overcap mc` writes a value it lacks). */
static int num(json_t *o, const char *key, double *out)
{
    json_t *v = json_object_get(o, key);
    if(json_is_null(v)) {
        *out = (double)NAN;
        return 0;
    }
    if(!json_is_number(v))
        return -1;
    *out = json_number_value(v);
    return 0;
}

static int count(json_t *o, const char *key, uint64_t *out)
{
    double d;
    if(num(o, key, &d) || !(d >= 0))
        return -1;
    *out = (uint64_t)d;
    return 0;
}

static char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return strdup(s ? s : "");
}

/* Reads an array of objects {time, KEYS...} into fresh arrays. */
static int read_rows(json_t *a, const char *const *keys, size_t n_keys, double **cols, size_t *n)
{
    size_t i, k;
    *n = json_array_size(a);
    if(!json_is_array(a) || *n == 0)
        return -1;
    for(k = 0; k < n_keys; k++) {
        cols[k] = calloc(*n, sizeof(double));
        if(!cols[k])
            return -1;
    }
    for(i = 0; i < *n; i++) {
        json_t *row = json_array_get(a, i);
        for(k = 0; k < n_keys; k++)
            if(num(row, keys[k], &cols[k][i]))
                return -1;
    }
    return 0;
}

int mcr_parse(const char *text, size_t len, const char *source, mc_results *r, char *err,
              size_t errlen)
{
    static const char *const pkeys[] = {"time", "p", "lo", "hi"};
    static const char *const bkeys[] = {"time", "p5", "p25", "p50", "p75", "p95"};
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je), *spec, *o, *v;
    const char *key;
    const char *where = "";
    memset(r, 0, sizeof(*r));
    if(!root)
        return cli_errf(err, errlen, "%s:%d:%d: %s", source, je.line, je.column, je.text);
    spec = json_object_get(root, "spec");
    if(!json_is_object(spec) || !json_is_array(json_object_get(root, "p_bubble_by_time"))) {
        json_decref(root);
        return cli_errf(err, errlen,
                        "%s: not the results of `overcap mc -o` (no spec or p_bubble_by_time)",
                        source);
    }
    r->spec_source = str(spec, "source");
    r->spec_name = str(spec, "name");
    r->sampling = str(spec, "sampling");
    r->partial = json_is_true(json_object_get(root, "partial"));
    where = "spec";
    if(count(spec, "samples", &r->samples) || count(spec, "seed", &r->seed))
        goto bad;
    where = "futures";
    if(count(root, "futures", &r->futures) || count(root, "failed", &r->failed) ||
       count(root, "undiagnosed", &r->undiagnosed))
        goto bad;
    where = "p_bubble";
    o = json_object_get(root, "p_bubble");
    if(num(o, "p", &r->p) || num(o, "lo", &r->lo) || num(o, "hi", &r->hi))
        goto bad;
    where = "p_bubble_by_time";
    {
        double *cols[4] = {NULL, NULL, NULL, NULL};
        int rc = read_rows(json_object_get(root, "p_bubble_by_time"), pkeys, 4, cols, &r->n_times);
        r->time = cols[0];
        r->p_by = cols[1];
        r->lo_by = cols[2];
        r->hi_by = cols[3];
        if(rc)
            goto bad;
    }
    r->onset_p5 = r->onset_p50 = r->onset_p95 = (double)NAN;
    o = json_object_get(json_object_get(root, "outcomes"), "onset");
    if(json_is_object(o)) {
        where = "outcomes.onset";
        if(num(o, "p5", &r->onset_p5) || num(o, "p50", &r->onset_p50) ||
           num(o, "p95", &r->onset_p95))
            goto bad;
    }
    o = json_object_get(root, "bands");
    if(json_is_object(o)) {
        where = "bands";
        r->bands = calloc(json_object_size(o) + 1, sizeof(mcr_band));
        if(!r->bands)
            goto bad;
        json_object_foreach(o, key, v) {
            mcr_band *b = &r->bands[r->n_bands++];
            double *cols[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
            int rc;
            b->name = strdup(key);
            rc = read_rows(v, bkeys, 6, cols, &b->n);
            b->time = cols[0];
            b->p5 = cols[1];
            b->p25 = cols[2];
            b->p50 = cols[3];
            b->p75 = cols[4];
            b->p95 = cols[5];
            if(rc || !b->name)
                goto bad;
        }
    }
    o = json_object_get(root, "by_largest_jump");
    if(json_is_array(o)) {
        size_t i;
        where = "by_largest_jump";
        r->classes = calloc(json_array_size(o) + 1, sizeof(mcr_class));
        if(!r->classes)
            goto bad;
        json_array_foreach(o, i, v) {
            mcr_class *c = &r->classes[r->n_classes++];
            c->name = str(v, "class");
            if(!c->name || count(v, "futures", &c->futures) || count(v, "bubbles", &c->bubbles) ||
               num(v, "p", &c->p) || num(v, "lo", &c->lo) || num(v, "hi", &c->hi))
                goto bad;
        }
    }
    json_decref(root);
    return 0;
bad:
    json_decref(root);
    mcr_free(r);
    return cli_errf(err, errlen, "%s: %s: missing or not a number where one was expected",
                    source, where);
}

int mcr_load(const char *path, mc_results *r, char *err, size_t errlen)
{
    char *buf;
    size_t len;
    int rc;
    memset(r, 0, sizeof(*r));
    rc = cli_read_file(path, 256L << 20, "Monte Carlo results", &buf, &len, err, errlen);
    if(rc)
        return rc;
    rc = mcr_parse(buf, len, path, r, err, errlen);
    free(buf);
    return rc;
}

int mcr_run(const char *spec, const char *scenario, const char *samples, mc_results *r)
{
    char dir[] = "/tmp/overcap-mc-XXXXXX", path[64], err[1024];
    const char *tmp = getenv("TMPDIR");
    char dirbuf[600];
    char *argv[12];
    int argc = 0, rc;
    memset(r, 0, sizeof(*r));
    if(tmp && *tmp && strlen(tmp) < 500) {
        snprintf(dirbuf, sizeof(dirbuf), "%s/overcap-mc-XXXXXX", tmp);
        if(!mkdtemp(dirbuf))
            return cli_fail(EXIT_IO, "cannot make a temporary directory in %s: %s", tmp,
                            strerror(errno));
    }
    else {
        if(!mkdtemp(dir))
            return cli_fail(EXIT_IO, "cannot make a temporary directory in /tmp: %s",
                            strerror(errno));
        snprintf(dirbuf, sizeof(dirbuf), "%s", dir);
    }
    snprintf(path, sizeof(path), "%s", "results.json");
    {
        char full[700];
        snprintf(full, sizeof(full), "%s/%s", dirbuf, path);
        argv[argc++] = (char *)(uintptr_t) "mc";
        argv[argc++] = (char *)(uintptr_t)(spec ? spec : "built-in");
        argv[argc++] = (char *)(uintptr_t) "--quiet";
        argv[argc++] = (char *)(uintptr_t) "-o";
        argv[argc++] = full;
        if(samples) {
            argv[argc++] = (char *)(uintptr_t) "--samples";
            argv[argc++] = (char *)(uintptr_t)samples;
        }
        if(scenario) {
            argv[argc++] = (char *)(uintptr_t) "--scenario";
            argv[argc++] = (char *)(uintptr_t)scenario;
        }
        argv[argc] = NULL;
        rc = cmd_mc(argc, argv); /* --quiet: no summary, no progress bar */
        if(rc == EXIT_OK && mcr_load(full, r, err, sizeof(err)) != 0)
            rc = cli_fail(EXIT_MODEL, "%s", err);
        unlink(full);
    }
    rmdir(dirbuf);
    return rc;
}

const mcr_band *mcr_find_band(const mc_results *r, const char *name)
{
    size_t k;
    for(k = 0; k < r->n_bands; k++)
        if(strcmp(r->bands[k].name, name) == 0)
            return &r->bands[k];
    return NULL;
}

/* What both charts say under the title: the spec, its sampling and seed. */
static void chart_common(const mc_results *r, ocg_chart *c, char *sub, size_t size)
{
    if(!c->subtitle) {
        snprintf(sub, size, "%s, %s sampling, seed %llu%s", r->spec_name, r->sampling,
                 (unsigned long long)r->seed, r->partial ? "; PARTIAL results (interrupted)" : "");
        c->subtitle = sub;
    }
    if(!c->x_label)
        c->x_label = "year";
}

int mcr_chart_probability(const mc_results *r, const ocg_chart *base, ocg_svg *out, char *err,
                          size_t errlen)
{
    ocg_prob_chart c;
    char title[300], sub[300];
    memset(&c, 0, sizeof(c));
    c.chart = *base;
    if(!base->title) {
        snprintf(title, sizeof(title), "P(bubble by %.0f) = %.1f%% over %llu futures",
                 r->time[r->n_times - 1], 100.0 * r->p_by[r->n_times - 1],
                 (unsigned long long)r->futures);
        c.chart.title = title;
    }
    chart_common(r, &c.chart, sub, sizeof(sub));
    if(!c.chart.y_label)
        c.chart.y_label = "probability of a bubble by then";
    c.name = "P(bubble by year)";
    c.band_label = "95% interval (Wilson)";
    c.x = r->time;
    c.n = r->n_times;
    c.p = r->p_by;
    c.lo = r->lo_by;
    c.hi = r->hi_by;
    return ocg_probability(&c, out, err, errlen);
}

int mcr_chart_fan(const mc_results *r, const mcr_band *b, const char *y_label, int log_y,
                  const ocg_chart *base, ocg_svg *out, char *err, size_t errlen)
{
    ocg_fan_chart c;
    char title[300], sub[300];
    memset(&c, 0, sizeof(c));
    c.chart = *base;
    if(!base->title) {
        snprintf(title, sizeof(title), "%s across %llu futures: median and 25-75%%, 5-95%% bands",
                 b->name, (unsigned long long)r->futures);
        c.chart.title = title;
    }
    chart_common(r, &c.chart, sub, sizeof(sub));
    c.chart.y_label = y_label ? y_label : b->name;
    c.name = b->name;
    c.x = b->time;
    c.n = b->n;
    c.p05 = b->p5;
    c.p25 = b->p25;
    c.p50 = b->p50;
    c.p75 = b->p75;
    c.p95 = b->p95;
    c.log_y = log_y;
    return ocg_fan(&c, out, err, errlen);
}
