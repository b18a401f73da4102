/*
 * cmd_mc.c - `overcap mc` and `overcap sensitivity`: the bubble question
 * under uncertainty.
 *
 * mc: draw futures from a spec (mc_spec.c), run them in batches on threads
 * (and processes, under mpirun) with the Monte Carlo driver (mc.c), diagnose
 * each, and reduce the outcomes to P(bubble by time) with intervals, the
 * distributions of onset, peak idle share and stranded capital, and
 * percentile bands. Every reduction is exact integer arithmetic inside
 * (ocs_count, ocs_moments, ocs_sketch), so partial results merge to the
 * same bytes in any order: the output does not depend on the number of
 * threads or processes, and an interrupted run resumed from its checkpoint
 * ends with the same bytes as an uninterrupted one.
 *
 * sensitivity: Sobol first-order and total indices (Saltelli design, Jansen
 * or Saltelli 2010 estimators, bootstrap intervals) or rank-correlation
 * screening of one outcome against every uncertain parameter.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_mc.h"
#include "job.h"
#include "mc.h"
#include "mc_mpi.h"
#include "mc_spec.h"
#include "sensitivity.h"

#define N_OUTCOMES 4
#define N_CLASSES 4

static const char *outcome_names[N_OUTCOMES] = {"onset", "peak_idle_share", "max_stranded",
                                                "capex_fall"};
static const char *class_names[N_CLASSES] = {"no jump", "up to 5x", "5x to 50x", "50x or more"};

/* ------------------------------------------------------------------ */
/* Exact, mergeable accumulation of outcomes                           */
/* ------------------------------------------------------------------ */

/* Percentile bands keep 7 bits of each value (bins 1/128 of an octave, so
 * a band is within 0.8% of its value): a future adds one value to every
 * band variable at every time, and finer bins spread those additions over
 * more memory than the cache holds (10 bits cost a quarter of a batched
 * future's time). The outcome distributions keep 10 bits. */
#define BAND_BITS 7

typedef struct mc_acc {
    uint64_t trials, ok, bubbles; /* ok: simulated and diagnosed */
    uint64_t failed, undiagnosed;
    size_t n_times;
    uint64_t *by_time; /* futures whose first bubble began at or before times[t] */
    uint64_t cls_trials[N_CLASSES], cls_bubbles[N_CLASSES];
    ocs_moments m[N_OUTCOMES];
    ocs_sketch *q[N_OUTCOMES];
    size_t n_bands; /* variables x times */
    ocs_sketch **bands;
} mc_acc;

static void acc_free(mc_acc *a)
{
    size_t k;
    if(!a)
        return;
    for(k = 0; k < N_OUTCOMES; k++)
        ocs_sketch_free(a->q[k]);
    for(k = 0; k < a->n_bands; k++)
        ocs_sketch_free(a->bands[k]);
    free(a->bands);
    free(a->by_time);
    free(a);
}

static mc_acc *acc_new(size_t n_times, size_t n_bands)
{
    /* resolution: onset within 0.1% of its distance from 2000; shares and
     * money within 0.1% relative (10 bits); bands within 0.8% (BAND_BITS) */
    static const double offset[N_OUTCOMES] = {2000.0, 0.0, 0.0, 0.0};
    mc_acc *a = calloc(1, sizeof(*a));
    size_t k;
    if(!a)
        return NULL;
    a->n_times = n_times;
    a->n_bands = n_bands;
    a->by_time = calloc(n_times + 1, sizeof(uint64_t));
    a->bands = calloc(n_bands + 1, sizeof(ocs_sketch *));
    if(!a->by_time || !a->bands)
        goto fail;
    for(k = 0; k < N_OUTCOMES; k++) {
        ocs_moments_init(&a->m[k]);
        if(ocs_sketch_create(10, offset[k], 1e-12, &a->q[k]) != OCS_OK)
            goto fail;
    }
    for(k = 0; k < n_bands; k++)
        if(ocs_sketch_create(BAND_BITS, 0.0, 1e-12, &a->bands[k]) != OCS_OK)
            goto fail;
    return a;
fail:
    acc_free(a);
    return NULL;
}

static int jump_class(const ocmc_outcome *o)
{
    if(o->n_jumps == 0 || o->largest_jump <= 1.0)
        return 0;
    return o->largest_jump < 5.0 ? 1 : o->largest_jump < 50.0 ? 2 : 3;
}

static void acc_add(mc_acc *a, const double *times, const ocmc_outcome *o, const double *bands)
{
    size_t k;
    int c = jump_class(o);
    a->trials++;
    if(!o->ok) {
        a->failed++;
        return;
    }
    for(k = 0; k < a->n_bands; k++)
        if(isfinite(bands[k]))
            ocs_sketch_add(a->bands[k], bands[k]);
    if(!o->diagnosed) {
        a->undiagnosed++;
        return;
    }
    a->ok++;
    a->cls_trials[c]++;
    if(o->bubble) {
        a->bubbles++;
        a->cls_bubbles[c]++;
        for(k = 0; k < a->n_times; k++)
            if(o->onset <= times[k] + 1e-9)
                a->by_time[k]++;
        ocs_moments_add(&a->m[0], o->onset);
        ocs_sketch_add(a->q[0], o->onset);
    }
    ocs_moments_add(&a->m[1], o->peak_idle_share);
    ocs_sketch_add(a->q[1], o->peak_idle_share);
    if(isfinite(o->max_stranded)) {
        ocs_moments_add(&a->m[2], o->max_stranded);
        ocs_sketch_add(a->q[2], o->max_stranded);
    }
    {
        double fall = isnan(o->capex_fall) ? 0.0 : o->capex_fall;
        ocs_moments_add(&a->m[3], fall);
        ocs_sketch_add(a->q[3], fall);
    }
}

static int acc_merge(mc_acc *into, const mc_acc *from)
{
    size_t k;
    into->trials += from->trials;
    into->ok += from->ok;
    into->failed += from->failed;
    into->undiagnosed += from->undiagnosed;
    into->bubbles += from->bubbles;
    for(k = 0; k < into->n_times; k++)
        into->by_time[k] += from->by_time[k];
    for(k = 0; k < N_CLASSES; k++) {
        into->cls_trials[k] += from->cls_trials[k];
        into->cls_bubbles[k] += from->cls_bubbles[k];
    }
    for(k = 0; k < N_OUTCOMES; k++) {
        ocs_moments_merge(&into->m[k], &from->m[k]);
        if(ocs_sketch_merge(into->q[k], from->q[k]) != OCS_OK)
            return -1;
    }
    for(k = 0; k < into->n_bands; k++)
        if(ocs_sketch_merge(into->bands[k], from->bands[k]) != OCS_OK)
            return -1;
    return 0;
}

/* A growable byte buffer for packing. */
typedef struct bytes {
    unsigned char *p;
    size_t n, cap;
} bytes;

static int put(bytes *b, const void *data, size_t len)
{
    if(b->n + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        unsigned char *np;
        while(cap < b->n + len)
            cap *= 2;
        np = realloc(b->p, cap);
        if(!np)
            return -1;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
    return 0;
}

static int put_sketch(bytes *b, const ocs_sketch *s)
{
    size_t len = 0;
    uint64_t n;
    unsigned char *tmp;
    ocs_sketch_pack(s, NULL, 0, &len);
    tmp = malloc(len ? len : 1);
    if(!tmp || ocs_sketch_pack(s, tmp, len, &len) != OCS_OK) {
        free(tmp);
        return -1;
    }
    n = len;
    if(put(b, &n, sizeof(n)) || put(b, tmp, len)) {
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

/* The accumulator as bytes (for checkpoints and MPI); same machine only. */
static int acc_pack(const mc_acc *a, bytes *b)
{
    size_t k;
    uint64_t hdr[5] = {a->trials, a->ok, a->bubbles, a->failed, a->undiagnosed};
    if(put(b, hdr, sizeof(hdr)) || put(b, a->by_time, a->n_times * sizeof(uint64_t)) ||
       put(b, a->cls_trials, sizeof(a->cls_trials)) ||
       put(b, a->cls_bubbles, sizeof(a->cls_bubbles)) || put(b, a->m, sizeof(a->m)))
        return -1;
    for(k = 0; k < N_OUTCOMES; k++)
        if(put_sketch(b, a->q[k]))
            return -1;
    for(k = 0; k < a->n_bands; k++)
        if(put_sketch(b, a->bands[k]))
            return -1;
    return 0;
}

static int take(const unsigned char **p, const unsigned char *end, void *out, size_t len)
{
    if((size_t)(end - *p) < len)
        return -1;
    memcpy(out, *p, len);
    *p += len;
    return 0;
}

static int take_sketch(const unsigned char **p, const unsigned char *end, ocs_sketch **s)
{
    uint64_t n;
    ocs_sketch *fresh = NULL;
    if(take(p, end, &n, sizeof(n)) || (uint64_t)(end - *p) < n)
        return -1;
    if(ocs_sketch_unpack(*p, (size_t)n, &fresh) != OCS_OK)
        return -1;
    ocs_sketch_free(*s);
    *s = fresh;
    *p += n;
    return 0;
}

/* Unpacks into a (made by acc_new with the same sizes). */
static int acc_unpack(mc_acc *a, const unsigned char *p, size_t len)
{
    const unsigned char *end = p + len;
    uint64_t hdr[5];
    size_t k;
    if(take(&p, end, hdr, sizeof(hdr)) || take(&p, end, a->by_time, a->n_times * sizeof(uint64_t)) ||
       take(&p, end, a->cls_trials, sizeof(a->cls_trials)) ||
       take(&p, end, a->cls_bubbles, sizeof(a->cls_bubbles)) || take(&p, end, a->m, sizeof(a->m)))
        return -1;
    a->trials = hdr[0];
    a->ok = hdr[1];
    a->bubbles = hdr[2];
    a->failed = hdr[3];
    a->undiagnosed = hdr[4];
    for(k = 0; k < N_OUTCOMES; k++)
        if(take_sketch(&p, end, &a->q[k]))
            return -1;
    for(k = 0; k < a->n_bands; k++)
        if(take_sketch(&p, end, &a->bands[k]))
            return -1;
    return p == end ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Options, progress, signals                                          */
/* ------------------------------------------------------------------ */

/* Set by the signal handler, read by the worker threads: a lock-free
 * atomic, which both a handler and other threads may touch. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the stop flag must be lock-free");
static atomic_int stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    atomic_store(&stop_requested, 1);
}

typedef struct progress {
    pthread_mutex_t lock;
    double t0, last;
    uint64_t total, base; /* samples in this run, and done before it (resume) */
    int tty;
    unsigned processes;
} progress;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void on_progress(void *ud, uint64_t done)
{
    progress *p = ud;
    double t = now();
    pthread_mutex_lock(&p->lock);
    if(p->tty && (t - p->last > 0.25 || done * p->processes >= p->total)) {
        /* under MPI, this process's share times the processes estimates the whole */
        double all = (double)done * p->processes, rate = all / (t - p->t0 + 1e-9);
        double left = rate > 0 ? ((double)p->total - all) / rate : 0.0;
        if(all > (double)p->total)
            all = (double)p->total;
        fprintf(stderr, "\rmc: %.0f of %llu futures (%.0f%%), %.0f a second, %.0f s left   ",
                all + (double)p->base, (unsigned long long)(p->total + p->base),
                100.0 * (all + (double)p->base) / (double)(p->total + p->base), rate,
                left < 0 ? 0.0 : left);
        p->last = t;
    }
    pthread_mutex_unlock(&p->lock);
}

static unsigned default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > 256 ? 256u : (unsigned)n;
}

/* ------------------------------------------------------------------ */
/* The run                                                             */
/* ------------------------------------------------------------------ */

typedef struct mc_ctx {
    job j;
    mc_spec spec;
    const char *spec_path;
    oc_model *model;
    ocmc_config cfg;
    mc_sampler *sampler;
    size_t band_index[MC_MAX_BANDS];
    size_t *band_save;
    size_t last_save; /* the run's last save point */
    double *times; /* whole years over the run: the P(bubble by) grid */
    size_t n_times;
    size_t *param_index; /* owned; cfg.param_index points here */
    mc_acc **accs; /* one per thread */
    mc_acc *total;
    /* options */
    uint64_t samples_override, seed_override, stop_after;
    int has_samples, has_seed, has_method;
    ocs_method method;
    unsigned threads;
    size_t lanes;
    const char *out_json, *csv_dir, *checkpoint, *resume;
    int quiet;
} mc_ctx;

static int prepare_base(void *ud, const oc_model *m, size_t lanes, oc_run **run, char *err,
                        size_t errlen)
{
    mc_ctx *c = ud;
    if(job_prepare_lanes(&c->j, c->spec.scenario, m, lanes, run, NULL) != 0) {
        snprintf(err, errlen, "the base scenario could not be prepared");
        return -1;
    }
    return 0;
}

static void consume_mc(void *ud, unsigned thread, uint64_t i, const ocmc_outcome *o,
                       const double *bands)
{
    mc_ctx *c = ud;
    (void)i;
    acc_add(c->accs[thread], c->times, o, bands);
}

static void write_number(FILE *fp, double x)
{
    char buf[40];
    if(!isfinite(x))
        fputs("null", fp);
    else {
        cli_format_double(buf, sizeof(buf), x);
        fputs(buf, fp);
    }
}

static const double pcts[5] = {0.05, 0.25, 0.5, 0.75, 0.95};

static void write_string(FILE *fp, const char *str)
{
    const unsigned char *p;
    fputc('"', fp);
    for(p = (const unsigned char *)str; *p; p++) {
        if(*p == '"' || *p == '\\')
            fprintf(fp, "\\%c", *p);
        else if(*p < 0x20)
            fprintf(fp, "\\u%04x", *p);
        else
            fputc(*p, fp);
    }
    fputc('"', fp);
}

static void write_quantiles_json(FILE *fp, const ocs_sketch *s)
{
    size_t k;
    static const char *keys[5] = {"p5", "p25", "p50", "p75", "p95"};
    for(k = 0; k < 5; k++) {
        fprintf(fp, "%s\"%s\": ", k ? ", " : "", keys[k]);
        write_number(fp, ocs_sketch_count(s) ? ocs_sketch_quantile(s, pcts[k]) : (double)NAN);
    }
}

static int write_json(const mc_ctx *c, const mc_acc *a, int partial, FILE *fp)
{
    size_t k, t;
    double lo, hi;
    fputs("{\n  \"spec\": {\"source\": ", fp);
    write_string(fp, c->spec.source);
    fputs(", \"name\": ", fp);
    write_string(fp, c->spec.name ? c->spec.name : "");
    fprintf(fp, ", \"samples\": %llu, \"seed\": %llu, \"sampling\": \"%s\"},\n",
            (unsigned long long)c->spec.samples, (unsigned long long)c->spec.seed,
            ocs_method_name((int)c->spec.method));
    fprintf(fp,
            "  \"partial\": %s,\n  \"futures\": %llu,\n  \"failed\": %llu,\n  \"undiagnosed\": "
            "%llu,\n  \"diagnosed\": %llu,\n",
            partial ? "true" : "false", (unsigned long long)a->trials,
            (unsigned long long)a->failed, (unsigned long long)a->undiagnosed,
            (unsigned long long)a->ok);
    fputs("  \"p_bubble\": {\"p\": ", fp);
    write_number(fp, a->ok ? (double)a->bubbles / (double)a->ok : (double)NAN);
    ocs_wilson(a->bubbles, a->ok, 1.959963984540054, &lo, &hi);
    fputs(", \"lo\": ", fp);
    write_number(fp, lo);
    fputs(", \"hi\": ", fp);
    write_number(fp, hi);
    fputs("},\n  \"p_bubble_by_time\": [", fp);
    for(t = 0; t < c->n_times; t++) {
        ocs_wilson(a->by_time[t], a->ok, 1.959963984540054, &lo, &hi);
        fputs(t ? ",\n    {\"time\": " : "\n    {\"time\": ", fp);
        write_number(fp, c->times[t]);
        fputs(", \"p\": ", fp);
        write_number(fp, a->ok ? (double)a->by_time[t] / (double)a->ok : (double)NAN);
        fputs(", \"lo\": ", fp);
        write_number(fp, lo);
        fputs(", \"hi\": ", fp);
        write_number(fp, hi);
        fputc('}', fp);
    }
    fputs("\n  ],\n  \"by_largest_jump\": [", fp);
    for(k = 0; k < N_CLASSES; k++) {
        ocs_wilson(a->cls_bubbles[k], a->cls_trials[k], 1.959963984540054, &lo, &hi);
        fprintf(fp, "%s\n    {\"class\": \"%s\", \"futures\": %llu, \"bubbles\": %llu, \"p\": ",
                k ? "," : "", class_names[k], (unsigned long long)a->cls_trials[k],
                (unsigned long long)a->cls_bubbles[k]);
        write_number(fp, a->cls_trials[k] ? (double)a->cls_bubbles[k] / (double)a->cls_trials[k]
                                          : (double)NAN);
        fputs(", \"lo\": ", fp);
        write_number(fp, lo);
        fputs(", \"hi\": ", fp);
        write_number(fp, hi);
        fputc('}', fp);
    }
    fputs("\n  ],\n  \"outcomes\": {", fp);
    for(k = 0; k < N_OUTCOMES; k++) {
        fprintf(fp, "%s\n    \"%s\": {\"n\": %llu, \"mean\": ", k ? "," : "", outcome_names[k],
                (unsigned long long)a->m[k].n);
        write_number(fp, a->m[k].n ? ocs_moments_mean(&a->m[k]) : (double)NAN);
        fputs(", ", fp);
        write_quantiles_json(fp, a->q[k]);
        fputc('}', fp);
    }
    fputs("\n  },\n  \"bands\": {", fp);
    for(k = 0; k < c->spec.n_bands; k++) {
        fputs(k ? ",\n    " : "\n    ", fp);
        write_string(fp, c->spec.bands[k]);
        fputs(": [", fp);
        for(t = 0; t < c->n_times + 1; t++) {
            fputs(t ? ",\n      {\"time\": " : "\n      {\"time\": ", fp);
            write_number(fp, t == 0 ? c->times[0] - 1.0 : c->times[t - 1]);
            fputs(", ", fp);
            write_quantiles_json(fp, a->bands[k * (c->n_times + 1) + t]);
            fputc('}', fp);
        }
        fputs("]", fp);
    }
    fputs("\n  }\n}\n", fp);
    return ferror(fp) ? -1 : 0;
}

static int write_file(const char *path, int (*fn)(const mc_ctx *, const mc_acc *, int, FILE *),
                      const mc_ctx *c, const mc_acc *a, int partial)
{
    cli_out out;
    int rc = cli_out_open(&out, path);
    if(rc)
        return rc;
    if(fn(c, a, partial, out.fp) != 0) {
        cli_out_abort(&out);
        return cli_fail(EXIT_IO, "%s: write failed", path);
    }
    return cli_out_commit(&out);
}

static int csv_pbubble(const mc_ctx *c, const mc_acc *a, int partial, FILE *fp)
{
    size_t t;
    fprintf(fp, "time,p_bubble_by_time,lo95,hi95,bubbles,futures%s\n", partial ? ",partial" : "");
    for(t = 0; t < c->n_times; t++) {
        double lo, hi;
        ocs_wilson(a->by_time[t], a->ok, 1.959963984540054, &lo, &hi);
        write_number(fp, c->times[t]);
        fputc(',', fp);
        write_number(fp, a->ok ? (double)a->by_time[t] / (double)a->ok : (double)NAN);
        fputc(',', fp);
        write_number(fp, lo);
        fputc(',', fp);
        write_number(fp, hi);
        fprintf(fp, ",%llu,%llu%s\n", (unsigned long long)a->by_time[t],
                (unsigned long long)a->ok, partial ? ",1" : "");
    }
    return ferror(fp) ? -1 : 0;
}

static int csv_bands(const mc_ctx *c, const mc_acc *a, int partial, FILE *fp)
{
    size_t k, t, q;
    (void)partial;
    fputs("variable,time,p5,p25,p50,p75,p95\n", fp);
    for(k = 0; k < c->spec.n_bands; k++)
        for(t = 0; t < c->n_times + 1; t++) {
            const ocs_sketch *s = a->bands[k * (c->n_times + 1) + t];
            fprintf(fp, "%s,", c->spec.bands[k]);
            write_number(fp, t == 0 ? c->times[0] - 1.0 : c->times[t - 1]);
            for(q = 0; q < 5; q++) {
                fputc(',', fp);
                write_number(fp, ocs_sketch_count(s) ? ocs_sketch_quantile(s, pcts[q])
                                                     : (double)NAN);
            }
            fputc('\n', fp);
        }
    return ferror(fp) ? -1 : 0;
}

static int csv_outcomes(const mc_ctx *c, const mc_acc *a, int partial, FILE *fp)
{
    size_t k, q;
    (void)c;
    (void)partial;
    fputs("outcome,n,mean,p5,p25,p50,p75,p95\n", fp);
    for(k = 0; k < N_OUTCOMES; k++) {
        fprintf(fp, "%s,%llu,", outcome_names[k], (unsigned long long)a->m[k].n);
        write_number(fp, a->m[k].n ? ocs_moments_mean(&a->m[k]) : (double)NAN);
        for(q = 0; q < 5; q++) {
            fputc(',', fp);
            write_number(fp, ocs_sketch_count(a->q[k]) ? ocs_sketch_quantile(a->q[k], pcts[q])
                                                      : (double)NAN);
        }
        fputc('\n', fp);
    }
    return ferror(fp) ? -1 : 0;
}

static void print_summary(const mc_ctx *c, const mc_acc *a, int partial, double seconds,
                          unsigned processes)
{
    size_t t, k;
    double lo, hi;
    printf("overcap mc: %s (%s)%s\n", c->spec.name ? c->spec.name : "spec", c->spec.source,
           partial ? "  [PARTIAL: interrupted; --resume continues it]" : "");
    printf("  %llu futures of %llu, %s sampling, seed %llu; base scenario %s; %zu uncertain "
           "constants%s\n",
           (unsigned long long)a->trials, (unsigned long long)c->spec.samples,
           ocs_method_name((int)c->spec.method), (unsigned long long)c->spec.seed,
           c->spec.scenario ? c->spec.scenario : (c->j.model_path ? "none" : "baseline"),
           c->spec.n_params, c->spec.has_jumps ? ", random efficiency jumps" : "");
    if(a->failed)
        printf("  %llu futures failed (a stock became NaN or infinite) and are left out\n",
               (unsigned long long)a->failed);
    if(a->undiagnosed && c->cfg.map.capacity)
        printf("  %llu futures could not be diagnosed (their capacity fell to zero) and are left "
               "out of the bubble statistics\n",
               (unsigned long long)a->undiagnosed);
    if(a->ok == 0) {
        printf("  no diagnosed futures%s\n",
               c->cfg.map.capacity ? "" : ": the model has no capacity and demand mapping, so "
                                          "the results are the percentile bands (-o, --csv)");
        return;
    }
    ocs_wilson(a->bubbles, a->ok, 1.959963984540054, &lo, &hi);
    printf("\nP(bubble by %g): %.1f%% (95%% interval %.1f%% to %.1f%%)\n",
           c->times[c->n_times - 1], 100.0 * (double)a->bubbles / (double)a->ok, 100 * lo,
           100 * hi);
    printf("  by time   ");
    for(t = 0; t < c->n_times; t += (c->n_times > 10 ? 2 : 1))
        printf(" %6g", c->times[t]);
    printf("\n  P         ");
    for(t = 0; t < c->n_times; t += (c->n_times > 10 ? 2 : 1))
        printf(" %5.1f%%", 100.0 * (double)a->by_time[t] / (double)a->ok);
    printf("\n\nP(bubble) by the largest efficiency jump a future sees:\n");
    for(k = 0; k < N_CLASSES; k++) {
        if(!a->cls_trials[k])
            continue;
        ocs_wilson(a->cls_bubbles[k], a->cls_trials[k], 1.959963984540054, &lo, &hi);
        printf("  %-12s %6.1f%%  (%.1f%% to %.1f%%; %llu futures)\n", class_names[k],
               100.0 * (double)a->cls_bubbles[k] / (double)a->cls_trials[k], 100 * lo, 100 * hi,
               (unsigned long long)a->cls_trials[k]);
    }
    printf("\n%-34s %10s %10s %10s\n", "", "p5", "median", "p95");
    if(ocs_sketch_count(a->q[0]))
        printf("%-34s %10.2f %10.2f %10.2f\n", "bubble onset (futures with one)",
               ocs_sketch_quantile(a->q[0], 0.05), ocs_sketch_quantile(a->q[0], 0.5),
               ocs_sketch_quantile(a->q[0], 0.95));
    printf("%-34s %9.0f%% %9.0f%% %9.0f%%\n", "peak idle share", 100 * ocs_sketch_quantile(a->q[1], 0.05),
           100 * ocs_sketch_quantile(a->q[1], 0.5), 100 * ocs_sketch_quantile(a->q[1], 0.95));
    if(ocs_sketch_count(a->q[2]))
        printf("%-34s %10.3g %10.3g %10.3g\n", "max stranded capital ($B)",
               ocs_sketch_quantile(a->q[2], 0.05), ocs_sketch_quantile(a->q[2], 0.5),
               ocs_sketch_quantile(a->q[2], 0.95));
    printf("%-34s %9.0f%% %9.0f%% %9.0f%%\n", "largest fall in capex",
           100 * ocs_sketch_quantile(a->q[3], 0.05), 100 * ocs_sketch_quantile(a->q[3], 0.5),
           100 * ocs_sketch_quantile(a->q[3], 0.95));
    if(seconds > 0)
        printf("\nran %llu futures in %.1f s (%.0f a second) on %u thread%s x %u process%s, %zu "
               "lanes\n",
               (unsigned long long)a->trials, seconds, (double)a->trials / seconds, c->threads,
               c->threads == 1 ? "" : "s", processes, processes == 1 ? "" : "es", c->lanes);
}

/* Checkpoints: what to resume from. Same machine, same spec. */
#define CKPT_MAGIC "OCMCCKP1"

typedef struct ckpt_head {
    char magic[8];
    uint64_t fingerprint, samples, seed, method, lanes, n_blocks, n_times, n_bands, acc_len;
} ckpt_head;

static int save_checkpoint(const mc_ctx *c, const unsigned char *done, uint64_t n_blocks,
                           const mc_acc *a)
{
    ckpt_head h;
    bytes b;
    cli_out out;
    int rc;
    memset(&b, 0, sizeof(b));
    if(acc_pack(a, &b) != 0) {
        free(b.p);
        return cli_fail(EXIT_IO, "cannot pack the partial results");
    }
    memset(&h, 0, sizeof(h));
    memcpy(h.magic, CKPT_MAGIC, 8);
    h.fingerprint = c->spec.fingerprint;
    h.samples = c->spec.samples;
    h.seed = c->spec.seed;
    h.method = (uint64_t)c->spec.method;
    h.lanes = c->lanes;
    h.n_blocks = n_blocks;
    h.n_times = c->n_times;
    h.n_bands = c->spec.n_bands;
    h.acc_len = b.n;
    rc = cli_out_open(&out, c->checkpoint);
    if(!rc) {
        fwrite(&h, sizeof(h), 1, out.fp);
        fwrite(done, 1, (size_t)((n_blocks + 7) / 8), out.fp);
        fwrite(b.p, 1, b.n, out.fp);
        rc = cli_out_commit(&out);
    }
    free(b.p);
    return rc;
}

static int load_checkpoint(const mc_ctx *c, unsigned char *done, uint64_t n_blocks, mc_acc *a)
{
    FILE *f = fopen(c->resume, "rb");
    ckpt_head h;
    unsigned char *buf = NULL;
    int rc = EXIT_USAGE;
    if(!f)
        return cli_fail(EXIT_IO, "%s: cannot open the checkpoint: %s", c->resume, strerror(errno));
    if(fread(&h, sizeof(h), 1, f) != 1 || memcmp(h.magic, CKPT_MAGIC, 8) != 0) {
        cli_fail(EXIT_USAGE, "%s: not an overcap mc checkpoint", c->resume);
        goto done;
    }
    if(h.fingerprint != c->spec.fingerprint || h.samples != c->spec.samples ||
       h.seed != c->spec.seed || h.method != (uint64_t)c->spec.method || h.lanes != c->lanes ||
       h.n_blocks != n_blocks || h.n_times != c->n_times || h.n_bands != c->spec.n_bands) {
        cli_fail(EXIT_USAGE,
                 "%s: the checkpoint belongs to another run (the spec, samples, seed, sampling "
                 "and --lanes must be the same)",
                 c->resume);
        goto done;
    }
    buf = malloc(h.acc_len ? (size_t)h.acc_len : 1);
    if(!buf || fread(done, 1, (size_t)((n_blocks + 7) / 8), f) != (size_t)((n_blocks + 7) / 8) ||
       fread(buf, 1, (size_t)h.acc_len, f) != (size_t)h.acc_len ||
       acc_unpack(a, buf, (size_t)h.acc_len) != 0) {
        cli_fail(EXIT_USAGE, "%s: the checkpoint is damaged", c->resume);
        goto done;
    }
    rc = 0;
done:
    free(buf);
    fclose(f);
    return rc;
}

void help_mc(FILE *fp)
{
    fputs("usage: overcap mc [SPEC] [OPTIONS]\n"
          "\n"
          "Monte Carlo over the uncertain constants of a model and a random arrival\n"
          "process of efficiency jumps, as a JSON spec says (default: the built-in\n"
          "uncertainty/ai_compute.json for the built-in model). Every future is\n"
          "diagnosed; the output is P(bubble by time) with 95% Wilson intervals,\n"
          "P(bubble) by the size of the largest jump, the distributions of bubble\n"
          "onset, peak idle share, stranded capital and capex fall (each within 0.1%),\n"
          "and percentile bands (5/25/50/75/95, within 0.8%) of the spec's band\n"
          "variables; memory does not grow with the futures. The same spec and seed\n"
          "give the same bytes on any number of threads or MPI processes\n"
          "(mpirun -np N overcap mc ...), and after an interruption and --resume.\n"
          "\n"
          "options:\n"
          "  --samples N        futures to run (default: the spec's)\n"
          "  --seed N           seed (default: the spec's)\n"
          "  --sampling M       random, lhs or sobol (default: the spec's)\n"
          "  --threads N        worker threads (default: all cores)\n"
          "  --lanes N          futures per pass of the program (default 64)\n"
          "  -o FILE            write the full results as JSON, atomically\n"
          "  --csv DIR          also write pbubble.csv, outcomes.csv, bands.csv into DIR\n"
          "  --checkpoint FILE  where an interrupted run saves its state\n"
          "                     (default: FILE.checkpoint next to -o, else\n"
          "                     overcap-mc.checkpoint)\n"
          "  --resume FILE      continue an interrupted run from its checkpoint\n"
          "  --stop-after N     stop after about N futures, as Ctrl-C would\n"
          "  --quiet            no summary on standard output\n"
          "  --model FILE       a model of your own instead of the built-in one\n",
          fp);
    job_help_options(fp);
    fputs("\nCtrl-C stops cleanly: the futures run so far are written, marked partial,\n"
          "with a checkpoint that --resume continues to the same final bytes.\n"
          "Exit codes: 0 ok, 1 model error, 2 usage or spec error, 3 I/O error,\n"
          "4 interrupted (partial results written).\n",
          fp);
}

static int parse_u64(const char *opt, const char *v, uint64_t *out)
{
    char *end;
    unsigned long long x;
    if(!v || *v == '-')
        return cli_fail(EXIT_USAGE, "%s: '%s' is not a whole number >= 0", opt, v ? v : "");
    errno = 0;
    x = strtoull(v, &end, 10);
    if(end == v || *end || errno)
        return cli_fail(EXIT_USAGE, "%s: '%s' is not a whole number >= 0", opt, v);
    *out = x;
    return 0;
}

/* Options shared by mc and sensitivity. Returns 1 consumed, 0 not ours,
 * or an exit code. */
static int mc_option(mc_ctx *c, int *i, int argc, char **argv)
{
    const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    uint64_t x = 0;
    int used;
    /* --seed is the Monte Carlo's seed (each future's random functions get
     * their own seed from it), so it is looked at before the job's options */
    used = strcmp(a, "--seed") ? job_option(&c->j, i, argc, argv) : 0;
    if(used)
        return used;
    if(!strcmp(a, "--samples") || !strcmp(a, "--seed") || !strcmp(a, "--threads") ||
       !strcmp(a, "--lanes") || !strcmp(a, "--stop-after")) {
        if(parse_u64(a, v, &x))
            return EXIT_USAGE;
        (*i)++;
        if(!strcmp(a, "--samples")) {
            if(x < 1 || x > MC_MAX_SAMPLES)
                return cli_fail(EXIT_USAGE, "--samples must be from 1 to 2^40");
            c->samples_override = x;
            c->has_samples = 1;
        }
        else if(!strcmp(a, "--seed")) {
            c->seed_override = x;
            c->has_seed = 1;
        }
        else if(!strcmp(a, "--threads")) {
            if(x < 1 || x > 256)
                return cli_fail(EXIT_USAGE, "--threads must be from 1 to 256");
            c->threads = (unsigned)x;
        }
        else if(!strcmp(a, "--lanes")) {
            if(x < 1 || x > OC_MAX_LANES)
                return cli_fail(EXIT_USAGE, "--lanes must be from 1 to %d", OC_MAX_LANES);
            c->lanes = (size_t)x;
        }
        else
            c->stop_after = x;
        return 1;
    }
    if(!strcmp(a, "--sampling")) {
        int m = v ? ocs_method_from_name(v) : -1;
        if(m < 0)
            return cli_fail(EXIT_USAGE, "--sampling: '%s' is not random, lhs or sobol",
                            v ? v : "");
        c->method = (ocs_method)m;
        c->has_method = 1;
        (*i)++;
        return 1;
    }
    if(!strcmp(a, "-o") || !strcmp(a, "--csv") || !strcmp(a, "--checkpoint") ||
       !strcmp(a, "--resume") || !strcmp(a, "--model")) {
        if(!v)
            return cli_fail(EXIT_USAGE, "%s needs a value", a);
        (*i)++;
        if(!strcmp(a, "-o"))
            c->out_json = v;
        else if(!strcmp(a, "--csv"))
            c->csv_dir = v;
        else if(!strcmp(a, "--checkpoint"))
            c->checkpoint = v;
        else if(!strcmp(a, "--resume"))
            c->resume = v;
        else
            c->j.model_path = v;
        return 1;
    }
    if(!strcmp(a, "--quiet")) {
        c->quiet = 1;
        return 1;
    }
    return 0;
}

/* Loads spec and model, applies overrides, binds, builds the grids. */
static int mc_setup(mc_ctx *c, int need_bands)
{
    char err[1024];
    oc_error oe;
    oc_specs sp;
    oc_run *probe = NULL;
    size_t t, save_count;
    int rc;
    rc = mc_spec_load(c->spec_path, &c->spec, err, sizeof(err));
    if(rc != 0)
        return cli_fail(rc == EXIT_IO ? EXIT_IO : EXIT_USAGE, "%s", err);
    if(c->has_samples)
        c->spec.samples = c->samples_override;
    if(c->has_seed)
        c->spec.seed = c->seed_override;
    if(c->has_method)
        c->spec.method = c->method;
    if(!c->j.model_path && c->spec.model_path)
        c->j.model_path = c->spec.model_path;
    if(c->j.scenario) {
        free(c->spec.scenario);
        c->spec.scenario = strdup(c->j.scenario);
    }
    if(cli_load_model(c->j.model_path, &c->model, &oe) != OC_OK) {
        cli_report(&oe);
        return cli_exit_code(oe.code);
    }
    c->cfg.model = c->model;
    if(mc_spec_bind(&c->spec, c->model, &c->cfg, c->band_index, err, sizeof(err)) != 0)
        return cli_fail(EXIT_USAGE, "%s", err);
    /* the grid of whole years, from a probe run with the base scenario */
    rc = job_prepare_lanes(&c->j, c->spec.scenario, c->model, 1, &probe, NULL);
    if(rc)
        return rc;
    oc_run_specs(probe, &sp);
    oc_run_free(probe);
    {
        double first = ceil(sp.start + 1e-9), y;
        size_t cap = 0;
        for(y = first; y <= sp.stop + 1e-9; y += 1.0)
            cap++;
        c->times = calloc(cap + 1, sizeof(double));
        c->band_save = calloc(cap + 2, sizeof(size_t));
        if(!c->times || !c->band_save)
            return cli_fail(EXIT_MODEL, "out of memory");
        for(y = first; y <= sp.stop + 1e-9 && c->n_times < cap; y += 1.0)
            c->times[c->n_times++] = y;
        if(c->n_times == 0)
            return cli_fail(EXIT_USAGE, "the run is shorter than a year: no P(bubble by year)");
        save_count = (size_t)floor((sp.stop - sp.start) / sp.save_step + 1e-9) + 1;
        c->last_save = save_count - 1;
        /* bands at the start, then at every whole year */
        c->band_save[0] = 0;
        for(t = 0; t < c->n_times; t++) {
            double k = floor((c->times[t] - sp.start) / sp.save_step + 0.5);
            c->band_save[t + 1] = k < 0 ? 0 : k >= (double)save_count ? save_count - 1 : (size_t)k;
        }
    }
    c->cfg.prepare = prepare_base;
    c->cfg.prepare_ud = c;
    ocx_mapping_flagship(&c->cfg.map);
    {
        /* a model without the flagship's series is run without diagnosis */
        size_t idx;
        if(oc_model_find(c->model, c->cfg.map.capacity, &idx, NULL) != OC_OK ||
           oc_model_find(c->model, c->cfg.map.demand, &idx, NULL) != OC_OK)
            memset(&c->cfg.map, 0, sizeof(c->cfg.map));
    }
    ocx_params_flagship(&c->cfg.params);
    c->cfg.seed = c->spec.seed;
    c->cfg.n_params = c->spec.n_params;
    c->cfg.param_index = NULL;
    c->cfg.n_bands = need_bands ? c->spec.n_bands : 0;
    c->cfg.band_index = c->band_index;
    c->cfg.n_band_times = c->n_times + 1;
    c->cfg.band_save = c->band_save;
    c->cfg.lanes = c->lanes;
    c->cfg.threads = c->threads;
    c->cfg.stop = &stop_requested;
    return 0;
}

static void mc_teardown(mc_ctx *c)
{
    unsigned t;
    if(c->accs)
        for(t = 0; t < c->threads; t++)
            acc_free(c->accs[t]);
    free(c->accs);
    acc_free(c->total);
    mc_sampler_free(c->sampler);
    free(c->times);
    free(c->band_save);
    free(c->param_index);
    oc_model_free(c->model);
    mc_spec_free(&c->spec);
    job_free(&c->j);
}

int cmd_mc(int argc, char **argv)
{
    mc_ctx c;
    size_t *param_index = NULL, k;
    unsigned char *done = NULL;
    uint64_t n_blocks, b, before = 0;
    unsigned t;
    int i, rc = EXIT_OK, partial = 0, rank = mcp_rank(), size = mcp_size();
    char err[1024], ckpt_default[1100];
    double t0;
    progress prog;
    struct sigaction sa, old_int, old_term;

    memset(&c, 0, sizeof(c));
    c.threads = default_threads();
    c.lanes = 64;
    if(job_init(&c.j, argc))
        return EXIT_MODEL;
    for(i = 1; i < argc; i++) {
        int used;
        if(!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            help_mc(stdout);
            job_free(&c.j);
            return EXIT_OK;
        }
        used = mc_option(&c, &i, argc, argv);
        if(used == 1)
            continue;
        if(used) {
            job_free(&c.j);
            return used;
        }
        if(argv[i][0] == '-' && argv[i][1]) {
            job_free(&c.j);
            return cli_fail(EXIT_USAGE, "unknown option '%s' (try: overcap help mc)", argv[i]);
        }
        if(c.spec_path) {
            job_free(&c.j);
            return cli_fail(EXIT_USAGE, "more than one spec given");
        }
        c.spec_path = argv[i];
    }
    rc = mc_setup(&c, 1);
    if(rc)
        goto done;
    param_index = calloc(c.spec.n_params + 1, sizeof(size_t));
    c.accs = calloc(c.threads, sizeof(mc_acc *));
    if(!param_index || !c.accs) {
        rc = cli_fail(EXIT_MODEL, "out of memory");
        goto done;
    }
    for(k = 0; k < c.spec.n_params; k++)
        param_index[k] = c.spec.params[k].index;
    c.param_index = param_index;
    c.cfg.param_index = param_index;
    param_index = NULL;
    for(t = 0; t < c.threads; t++) {
        c.accs[t] = acc_new(c.n_times, c.spec.n_bands * (c.n_times + 1));
        if(!c.accs[t]) {
            rc = cli_fail(EXIT_MODEL, "out of memory");
            goto done;
        }
    }
    c.total = acc_new(c.n_times, c.spec.n_bands * (c.n_times + 1));
    if(!c.total || mc_sampler_create(&c.spec, c.threads, &c.sampler, err, sizeof(err)) != 0) {
        rc = cli_fail(EXIT_USAGE, "%s", c.total ? err : "out of memory");
        goto done;
    }
    c.cfg.sample = mc_sampler_sample;
    c.cfg.sample_ud = c.sampler;
    c.cfg.consume = consume_mc;
    c.cfg.consume_ud = &c;
    if(!c.checkpoint) {
        snprintf(ckpt_default, sizeof(ckpt_default), "%s.checkpoint",
                 c.out_json ? c.out_json : "overcap-mc");
        c.checkpoint = ckpt_default;
    }

    n_blocks = ocmc_blocks(c.spec.samples, c.lanes);
    done = calloc((size_t)((n_blocks + 7) / 8) + 1, 1);
    if(!done) {
        rc = cli_fail(EXIT_MODEL, "out of memory");
        goto done;
    }
    if(c.resume) {
        rc = load_checkpoint(&c, done, n_blocks, c.total);
        if(rc)
            goto done;
        before = c.total->trials;
        if(rank != 0) {
            /* every process skips the finished blocks, but their results
             * enter the merge once: from rank 0 */
            acc_free(c.total);
            c.total = acc_new(c.n_times, c.spec.n_bands * (c.n_times + 1));
            if(!c.total) {
                rc = cli_fail(EXIT_MODEL, "out of memory");
                goto done;
            }
        }
    }
    /* with --stop-after, mark the blocks beyond the budget as a stop point */
    memset(&prog, 0, sizeof(prog));
    pthread_mutex_init(&prog.lock, NULL);
    prog.t0 = prog.last = now();
    prog.total = c.spec.samples - before;
    prog.base = before;
    prog.tty = rank == 0 && isatty(2) && !c.quiet;
    prog.processes = (unsigned)size;
    c.cfg.progress = on_progress;
    c.cfg.progress_ud = &prog;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    atomic_store(&stop_requested, 0);
    t0 = now();
    if(c.stop_after) {
        /* run a prefix of the remaining blocks, then stop as Ctrl-C would */
        uint64_t budget = (c.stop_after + c.lanes - 1) / c.lanes, taken = 0;
        unsigned char *mask = malloc((size_t)((n_blocks + 7) / 8) + 1);
        if(!mask) {
            rc = cli_fail(EXIT_MODEL, "out of memory");
            goto done;
        }
        memcpy(mask, done, (size_t)((n_blocks + 7) / 8) + 1);
        for(b = 0; b < n_blocks; b++) {
            int mine = b % (uint64_t)size == (uint64_t)rank;
            if(!mine || (mask[b / 8] & (1u << (b % 8))))
                continue;
            if(taken++ * (uint64_t)size >= budget)
                mask[b / 8] = (unsigned char)(mask[b / 8] | (1u << (b % 8)));
        }
        /* run with the budget mask, then copy back what was really done */
        {
            unsigned char *before_mask = malloc((size_t)((n_blocks + 7) / 8) + 1);
            if(!before_mask) {
                free(mask);
                rc = cli_fail(EXIT_MODEL, "out of memory");
                goto done;
            }
            memcpy(before_mask, mask, (size_t)((n_blocks + 7) / 8) + 1);
            if(ocmc_run(&c.cfg, c.spec.samples, (uint64_t)size, (uint64_t)rank, mask, err,
                        sizeof(err)) != 0) {
                free(mask);
                free(before_mask);
                rc = cli_fail(EXIT_MODEL, "%s", err);
                goto done;
            }
            for(k = 0; k < (size_t)((n_blocks + 7) / 8); k++)
                done[k] = (unsigned char)(done[k] | (mask[k] & (unsigned char)~before_mask[k]));
            free(before_mask);
        }
        free(mask);
        atomic_store(&stop_requested, 1);
    }
    else if(ocmc_run(&c.cfg, c.spec.samples, (uint64_t)size, (uint64_t)rank, done, err,
                     sizeof(err)) != 0) {
        rc = cli_fail(EXIT_MODEL, "%s", err);
        goto done;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if(prog.tty)
        fputc('\n', stderr);

    /* merge: threads, then processes (exact: any order gives the same bytes) */
    for(t = 0; t < c.threads; t++)
        if(acc_merge(c.total, c.accs[t]) != 0) {
            rc = cli_fail(EXIT_MODEL, "merging partial results failed");
            goto done;
        }
    {
        bytes mine;
        unsigned char *all = NULL, *all_done = NULL;
        size_t *sizes = NULL, *dsizes = NULL, off = 0;
        int r;
        memset(&mine, 0, sizeof(mine));
        if(acc_pack(c.total, &mine) != 0 ||
           mcp_gather(mine.p, mine.n, &all, &sizes) != 0 ||
           mcp_gather(done, (size_t)((n_blocks + 7) / 8), &all_done, &dsizes) != 0) {
            free(mine.p);
            free(all);
            free(sizes);
            free(all_done);
            free(dsizes);
            rc = cli_fail(EXIT_MODEL, "gathering partial results failed");
            goto done;
        }
        free(mine.p);
        if(rank == 0) {
            mc_acc *fresh = acc_new(c.n_times, c.spec.n_bands * (c.n_times + 1));
            mc_acc *part = acc_new(c.n_times, c.spec.n_bands * (c.n_times + 1));
            for(r = 0; r < size && fresh && part; r++) {
                if(acc_unpack(part, all + off, sizes[r]) != 0 || acc_merge(fresh, part) != 0) {
                    acc_free(fresh);
                    fresh = NULL;
                    break;
                }
                off += sizes[r];
                for(k = 0; k < (size_t)((n_blocks + 7) / 8); k++)
                    done[k] = (unsigned char)(done[k] | all_done[(size_t)r * ((n_blocks + 7) / 8) + k]);
            }
            acc_free(part);
            if(!fresh) {
                free(all);
                free(sizes);
                free(all_done);
                free(dsizes);
                rc = cli_fail(EXIT_MODEL, "merging the processes' results failed");
                goto done;
            }
            acc_free(c.total);
            c.total = fresh;
        }
        free(all);
        free(sizes);
        free(all_done);
        free(dsizes);
    }
    partial = mcp_all_true(!atomic_load(&stop_requested)) ? 0 : 1;
    for(b = 0; b < n_blocks && !partial; b++)
        if(!(done[b / 8] & (1u << (b % 8))))
            partial = 1;
    if(rank != 0)
        goto done;
    if(partial) {
        rc = save_checkpoint(&c, done, n_blocks, c.total);
        if(rc)
            goto done;
        fprintf(stderr, "overcap: interrupted after %llu of %llu futures; checkpoint %s "
                        "(continue with --resume %s)\n",
                (unsigned long long)c.total->trials, (unsigned long long)c.spec.samples,
                c.checkpoint, c.checkpoint);
    }
    if(c.out_json) {
        rc = write_file(c.out_json, write_json, &c, c.total, partial);
        if(rc)
            goto done;
    }
    if(c.csv_dir) {
        char path[1200];
        snprintf(path, sizeof(path), "%s/pbubble.csv", c.csv_dir);
        rc = write_file(path, csv_pbubble, &c, c.total, partial);
        snprintf(path, sizeof(path), "%s/outcomes.csv", c.csv_dir);
        if(!rc)
            rc = write_file(path, csv_outcomes, &c, c.total, partial);
        snprintf(path, sizeof(path), "%s/bands.csv", c.csv_dir);
        if(!rc)
            rc = write_file(path, csv_bands, &c, c.total, partial);
        if(rc)
            goto done;
    }
    if(!c.quiet)
        print_summary(&c, c.total, partial, now() - t0, (unsigned)size);
    if(!partial && c.resume)
        unlink(c.resume); /* finished: the checkpoint has done its job */
    rc = partial ? 4 : EXIT_OK;
done:
    free(param_index);
    free(done);
    mc_teardown(&c);
    return rc;
}

/* ------------------------------------------------------------------ */
/* overcap sensitivity                                                 */
/* ------------------------------------------------------------------ */

typedef struct sens_ctx {
    mc_ctx *c;
    oca_design *design; /* Sobol indices */
    double *points;     /* screening: unit points, samples x dims */
    size_t dims;
    int output;          /* 0 bubble, 1 stranded, 2 peak idle, 3 capex fall, 4 a variable */
    const char *output_var; /* output 4: its value at the end of each run */
    size_t output_index;
    uint64_t undiagnosed;
    uint64_t first_failed; /* the lowest run whose stocks failed (UINT64_MAX: none) */
    double failed_at;      /* ... and when */
    pthread_mutex_t lock;
    double *outputs;
    double *inputs;      /* screening: parameter values, samples x dims */
} sens_ctx;

static int sens_sample(void *ud, unsigned thread, uint64_t i, double *values, ocmc_jump *jumps,
                       size_t *n_jumps)
{
    sens_ctx *s = ud;
    double u[OCS_SOBOL_MAX_DIMS + 2];
    size_t k;
    (void)thread;
    if(s->design)
        oca_saltelli_row(s->design, i, u);
    else
        memcpy(u, s->points + i * s->dims, s->dims * sizeof(double));
    mc_sampler_from_unit(&s->c->spec, u, values, jumps, n_jumps);
    if(s->inputs) {
        for(k = 0; k < s->c->spec.n_params; k++)
            s->inputs[i * s->dims + k] = values[k];
        if(s->dims > s->c->spec.n_params) {
            /* the jump's time and size as inputs: no jump counts as one at the end, size 1 */
            s->inputs[i * s->dims + s->c->spec.n_params] =
                *n_jumps ? jumps[0].year : s->c->spec.jump_end;
            s->inputs[i * s->dims + s->c->spec.n_params + 1] = *n_jumps ? jumps[0].factor : 1.0;
        }
    }
    return 0;
}

static void sens_consume(void *ud, unsigned thread, uint64_t i, const ocmc_outcome *o,
                         const double *bands)
{
    sens_ctx *s = ud;
    double y = (double)NAN;
    (void)thread;
    (void)bands;
    if(o->ok) {
        switch(s->output) {
        case 0: y = o->bubble ? 1.0 : 0.0; break;
        case 1: y = isfinite(o->max_stranded) ? o->max_stranded : 0.0; break;
        case 2: y = o->peak_idle_share; break;
        case 3: y = isnan(o->capex_fall) ? 0.0 : o->capex_fall; break;
        default: y = bands[0]; break;
        }
        if(s->output < 4 && !o->diagnosed) {
            /* capacity fell to zero: no bubble, nothing idle; counted and reported */
            y = 0.0;
            pthread_mutex_lock(&s->lock);
            s->undiagnosed++;
            pthread_mutex_unlock(&s->lock);
        }
    }
    else {
        /* the lowest such run, whichever thread ran it: the report names it */
        pthread_mutex_lock(&s->lock);
        if(i < s->first_failed) {
            s->first_failed = i;
            s->failed_at = o->fail_time;
        }
        pthread_mutex_unlock(&s->lock);
    }
    s->outputs[i] = y;
}

/* Writes text inside a single-quoted shell word (' as '\''). */
static void shell_quoted(FILE *fp, const char *text)
{
    for(; *text; text++)
        if(*text == '\'')
            fputs("'\\''", fp);
        else
            fputc(*text, fp);
}

/* " OPTION 'TEXT'" */
static void shell_option(FILE *fp, const char *option, const char *text)
{
    fprintf(fp, " %s '", option);
    shell_quoted(fp, text);
    fputc('\'', fp);
}

/* " --set 'NAME=VALUE'", the value to the last bit */
static void shell_set(FILE *fp, const char *name, double value)
{
    fputs(" --set '", fp);
    shell_quoted(fp, name);
    fprintf(fp, "=%.17g'", value);
}

/* Prints `overcap run ...` with the options of the base run and every value
 * run k of the design drew (constants, jump slots, seed), so that one run
 * can be looked at alone. */
static void print_run_command(FILE *fp, sens_ctx *s, uint64_t k)
{
    mc_ctx *c = s->c;
    ocmc_jump jumps[OCMC_MAX_JUMPS];
    size_t n_jumps = 0, p, slot, part;
    double *values = calloc(c->spec.n_params + 1, sizeof(double));
    if(!values)
        return;
    sens_sample(s, 0, k, values, jumps, &n_jumps);
    fputs("overcap run", fp);
    if(c->j.model_path) {
        fputs(" '", fp);
        shell_quoted(fp, c->j.model_path);
        fputc('\'', fp);
    }
    if(c->spec.scenario)
        shell_option(fp, "--scenario", c->spec.scenario);
    for(p = 0; p < c->j.n_sets; p++)
        shell_option(fp, "--set", c->j.sets[p]);
    if(c->j.has_method)
        fprintf(fp, " --method %s", c->j.method == OC_RK4 ? "rk4" : "euler");
    if(c->j.has_dt)
        fprintf(fp, " --dt %.17g", c->j.dt);
    if(c->j.has_start)
        fprintf(fp, " --start %.17g", c->j.start);
    if(c->j.has_stop)
        fprintf(fp, " --stop %.17g", c->j.stop);
    if(c->j.has_save)
        fprintf(fp, " --save-step %.17g", c->j.save);
    for(p = 0; p < c->spec.n_params; p++)
        shell_set(fp, c->spec.params[p].name, values[p]);
    for(slot = 0; slot < c->cfg.n_jump_slots; slot++)
        for(part = 0; part < 3; part++) {
            oc_var_info info;
            double v = slot >= n_jumps ? 1.0 /* an unused slot: factor 1 is no jump */
                       : part == 0     ? jumps[slot].year
                       : part == 1     ? jumps[slot].factor
                                       : jumps[slot].adoption_years;
            if((slot < n_jumps || part == 1) &&
               oc_model_var_info(c->model, c->cfg.jump_index[slot][part], &info) == OC_OK)
                shell_set(fp, info.name, v);
        }
    fprintf(fp, " --seed %llu", (unsigned long long)ocmc_sample_seed(c->spec.seed, k));
    free(values);
}

void help_sensitivity(FILE *fp)
{
    fputs("usage: overcap sensitivity [SPEC] [OPTIONS]\n"
          "\n"
          "Which assumptions drive bubble risk: global sensitivity of one outcome to\n"
          "every uncertain constant of the spec (and, when it has jumps, to the time\n"
          "and size of the first efficiency jump). Sobol first-order and total-effect\n"
          "indices from a Saltelli design (N (k + 2) runs for k inputs) with bootstrap\n"
          "95% intervals, or with --screening the cheaper rank correlations (Spearman\n"
          "and partial rank correlation) from N runs. Prints a table ranked by the\n"
          "total effect (or by |PRCC|). The indices need every run: one whose stocks\n"
          "overflow stops the analysis, naming it with an `overcap run` command that\n"
          "reproduces it.\n"
          "\n"
          "options:\n"
          "  --output O         bubble (default: whether a future has a bubble),\n"
          "                     stranded (max stranded capital), peak_idle, capex_fall,\n"
          "                     or any model variable (its value at the end of the run)\n"
          "  --base-samples N   N (default 1024; a power of two suits Sobol)\n"
          "  --bootstrap B      bootstrap resamples (default 500)\n"
          "  --screening        rank correlations instead of Sobol indices\n"
          "  -o FILE.csv        the indices (or the rank correlations) as CSV, atomically\n"
          "  --seed N, --threads N, --lanes N, --model FILE\n",
          fp);
    job_help_options(fp);
}

int cmd_sensitivity(int argc, char **argv)
{
    mc_ctx c;
    sens_ctx s;
    size_t *param_index = NULL, k, dims, n_runs;
    uint64_t base = 1024, boot = 500;
    unsigned char *done = NULL;
    int i, rc = EXIT_OK, screening = 0, rank = mcp_rank();
    const char **names = NULL;
    char err[1024];

    memset(&c, 0, sizeof(c));
    memset(&s, 0, sizeof(s));
    s.first_failed = UINT64_MAX;
    pthread_mutex_init(&s.lock, NULL);
    c.threads = default_threads();
    c.lanes = 64;
    if(job_init(&c.j, argc))
        return EXIT_MODEL;
    for(i = 1; i < argc; i++) {
        const char *a = argv[i];
        int used;
        if(!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help_sensitivity(stdout);
            job_free(&c.j);
            return EXIT_OK;
        }
        if(!strcmp(a, "--output")) {
            const char *v = i + 1 < argc ? argv[++i] : "";
            s.output = !strcmp(v, "bubble") ? 0 : !strcmp(v, "stranded") ? 1
                       : !strcmp(v, "peak_idle")                        ? 2
                       : !strcmp(v, "capex_fall")                       ? 3
                                                                        : 4;
            if(s.output == 4) {
                if(!*v) {
                    job_free(&c.j);
                    return cli_fail(EXIT_USAGE, "--output needs a value");
                }
                s.output_var = v; /* a model variable, checked once the model is loaded */
            }
            continue;
        }
        if(!strcmp(a, "--base-samples") || !strcmp(a, "--bootstrap")) {
            uint64_t x = 0;
            if(parse_u64(a, i + 1 < argc ? argv[i + 1] : NULL, &x)) {
                job_free(&c.j);
                return EXIT_USAGE;
            }
            i++;
            if(a[2] == 'b' && a[3] == 'a') {
                if(x < 8 || x > ((uint64_t)1 << 24)) {
                    job_free(&c.j);
                    return cli_fail(EXIT_USAGE, "--base-samples must be from 8 to 2^24");
                }
                base = x;
            }
            else {
                if(x > 100000) {
                    job_free(&c.j);
                    return cli_fail(EXIT_USAGE, "--bootstrap must be at most 100000");
                }
                boot = x;
            }
            continue;
        }
        if(!strcmp(a, "--screening")) {
            screening = 1;
            continue;
        }
        used = mc_option(&c, &i, argc, argv);
        if(used == 1)
            continue;
        if(used) {
            job_free(&c.j);
            return used;
        }
        if(a[0] == '-' && a[1]) {
            job_free(&c.j);
            return cli_fail(EXIT_USAGE, "unknown option '%s' (try: overcap help sensitivity)", a);
        }
        c.spec_path = a;
    }
    if(mcp_size() > 1) {
        rc = cli_fail(EXIT_USAGE, "sensitivity runs in one process (with threads); run it "
                                  "without mpirun");
        goto done;
    }
    rc = mc_setup(&c, 0);
    if(rc)
        goto done;
    if(s.output == 4) {
        oc_var_info info;
        if(oc_model_find(c.model, s.output_var, &s.output_index, NULL) != OC_OK) {
            rc = cli_fail(EXIT_USAGE, "--output: '%s' is not bubble, stranded, peak_idle, "
                                      "capex_fall or a variable of the model",
                          s.output_var);
            goto done;
        }
        oc_model_var_info(c.model, s.output_index, &info);
        if(info.kind == OC_GF) {
            rc = cli_fail(EXIT_USAGE, "--output: '%s' is a graphical function", s.output_var);
            goto done;
        }
        c.cfg.n_bands = 1;
        c.cfg.band_index = &s.output_index;
        c.cfg.n_band_times = 1;
        c.cfg.band_save = &c.last_save;
    }
    else if(!c.cfg.map.capacity) {
        rc = cli_fail(EXIT_USAGE, "this model has no capacity and demand mapping: name a "
                                  "variable with --output VAR");
        goto done;
    }
    dims = c.spec.n_params + (c.spec.has_jumps ? 2 : 0);
    if(dims == 0 || dims > OCA_SOBOL_MAX_PARAMS) {
        rc = cli_fail(EXIT_USAGE, "sensitivity needs 1 to %d inputs, not %zu",
                      OCA_SOBOL_MAX_PARAMS, dims);
        goto done;
    }
    param_index = calloc(c.spec.n_params + 1, sizeof(size_t));
    names = calloc(dims + 1, sizeof(char *));
    if(!param_index || !names) {
        rc = cli_fail(EXIT_MODEL, "out of memory");
        goto done;
    }
    for(k = 0; k < c.spec.n_params; k++) {
        param_index[k] = c.spec.params[k].index;
        names[k] = c.spec.params[k].name;
    }
    if(c.spec.has_jumps) {
        names[c.spec.n_params] = "first jump: time";
        names[c.spec.n_params + 1] = "first jump: size";
    }
    c.param_index = param_index;
    c.cfg.param_index = param_index;
    param_index = NULL;
    s.c = &c;
    s.dims = dims;
    if(screening) {
        ocs_design *d = NULL;
        n_runs = (size_t)base;
        s.points = calloc(n_runs * dims + 1, sizeof(double));
        s.inputs = calloc(n_runs * dims + 1, sizeof(double));
        if(!s.points || !s.inputs ||
           ocs_design_create(OCS_LHS, dims, n_runs, c.spec.seed, 0, &d, err, sizeof(err)) != 0) {
            rc = cli_fail(EXIT_USAGE, "%s", s.points ? err : "out of memory");
            goto done;
        }
        for(k = 0; k < n_runs; k++)
            ocs_design_row(d, k, s.points + k * dims);
        ocs_design_free(d);
    }
    else {
        if(oca_design_create(dims, base, OCS_SOBOL, c.spec.seed, &s.design, err, sizeof(err)) !=
           0) {
            rc = cli_fail(EXIT_USAGE, "%s", err);
            goto done;
        }
        n_runs = (size_t)oca_design_runs(s.design);
    }
    s.outputs = calloc(n_runs + 1, sizeof(double));
    done = calloc(n_runs / c.lanes / 8 + 2, 1);
    if(!s.outputs || !done) {
        rc = cli_fail(EXIT_MODEL, "out of memory");
        goto done;
    }
    c.cfg.sample = sens_sample;
    c.cfg.sample_ud = &s;
    c.cfg.consume = sens_consume;
    c.cfg.consume_ud = &s;
    if(ocmc_run(&c.cfg, n_runs, 1, 0, done, err, sizeof(err)) != 0) {
        rc = cli_fail(EXIT_MODEL, "%s", err);
        goto done;
    }
    if(rank != 0)
        goto done;
    if(s.first_failed != UINT64_MAX) {
        /* every run is needed: say which failed, and how to look at it */
        fprintf(stderr,
                "overcap: run %llu of %zu failed: a stock became NaN or infinite at time %g; "
                "the indices need every run (narrow the spec's ranges). To see why: ",
                (unsigned long long)s.first_failed, n_runs, s.failed_at);
        print_run_command(stderr, &s, s.first_failed);
        fputc('\n', stderr);
        rc = EXIT_MODEL;
        goto done;
    }
    for(k = 0; k < n_runs; k++)
        if(!isfinite(s.outputs[k])) {
            rc = cli_fail(EXIT_MODEL, "run %zu of %zu: the output is not a number; the indices "
                                      "need a number from every run",
                          k, n_runs);
            goto done;
        }
    printf("overcap sensitivity: %s of '%s' (%s), %zu runs\n\n",
           screening ? "rank-correlation screening" : "Sobol indices",
           s.output == 0   ? "bubble (0/1)"
           : s.output == 1 ? "max stranded capital"
           : s.output == 2 ? "peak idle share"
           : s.output == 3 ? "capex fall"
                           : s.output_var,
           c.spec.source, n_runs);
    if(s.undiagnosed)
        printf("%llu runs (%.1f%%) could not be diagnosed (capacity fell to zero) and count as "
               "no bubble, nothing idle or stranded\n\n",
               (unsigned long long)s.undiagnosed, 100.0 * (double)s.undiagnosed / (double)n_runs);
    if(screening) {
        oca_screen *scr = NULL;
        if(oca_screen_create(s.inputs, s.outputs, n_runs, dims, &scr, err, sizeof(err)) != 0) {
            rc = cli_fail(EXIT_MODEL, "%s", err);
            goto done;
        }
        oca_print_screen(stdout, scr, names);
        if(c.out_json) {
            cli_out out;
            rc = cli_out_open(&out, c.out_json);
            if(!rc) {
                fputs("input,prcc,prcc_p,spearman,spearman_p\n", out.fp);
                for(k = 0; k < dims; k++) {
                    const oca_screen_row *x = &scr->row[k];
                    const double v[4] = {x->prcc, x->prcc_p, x->spearman, x->spearman_p};
                    size_t q;
                    fputs(names[k], out.fp);
                    for(q = 0; q < 4; q++) {
                        fputc(',', out.fp);
                        write_number(out.fp, v[q]);
                    }
                    fputc('\n', out.fp);
                }
                rc = cli_out_commit(&out);
            }
        }
        oca_screen_free(scr);
    }
    else {
        oca_options opt;
        oca_result *res = NULL;
        oca_options_default(&opt);
        opt.bootstrap = (unsigned)boot;
        opt.seed = c.spec.seed;
        if(oca_estimate(s.design, s.outputs, &opt, &res, err, sizeof(err)) != 0) {
            rc = cli_fail(EXIT_MODEL, "%s", err);
            goto done;
        }
        oca_print_table(stdout, res, names);
        if(c.out_json) {
            cli_out out;
            rc = cli_out_open(&out, c.out_json);
            if(!rc) {
                fputs("input,first,first_lo,first_hi,total,total_lo,total_hi\n", out.fp);
                for(k = 0; k < dims; k++) {
                    const oca_index *x = &res->index[k];
                    const double v[6] = {x->first, x->first_lo, x->first_hi,
                                         x->total, x->total_lo, x->total_hi};
                    size_t q;
                    fputs(names[k], out.fp);
                    for(q = 0; q < 6; q++) {
                        fputc(',', out.fp);
                        write_number(out.fp, v[q]);
                    }
                    fputc('\n', out.fp);
                }
                rc = cli_out_commit(&out);
            }
        }
        oca_result_free(res);
    }
done:
    free(param_index);
    free(names);
    free(done);
    free(s.outputs);
    free(s.points);
    free(s.inputs);
    oca_design_free(s.design);
    pthread_mutex_destroy(&s.lock);
    mc_teardown(&c);
    return rc;
}
