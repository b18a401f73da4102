/*
 * mc.c - the Monte Carlo driver (see mc.h).
 *
 * Each worker thread owns one run of `lanes` lanes, prepared once with the
 * base scenario, and takes blocks from a shared cursor under a mutex. For a
 * block it sets every lane's constants, jumps and seed, simulates all lanes
 * in one pass, diagnoses each lane and hands the outcome to the caller. The
 * only shared state is the cursor, the bitmap and the progress count.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc.h"

typedef struct shared {
    const ocmc_config *cfg;
    uint64_t n_samples, n_blocks, stride, offset;
    uint64_t next; /* next block number to consider */
    unsigned char *done;
    uint64_t samples_done;
    int failed;
    char err[512];
    pthread_mutex_t lock;
} shared;

typedef struct worker {
    shared *sh;
    unsigned index;
    pthread_t tid;
} worker;

uint64_t ocmc_blocks(uint64_t n_samples, size_t lanes)
{
    return lanes ? (n_samples + lanes - 1) / lanes : 0;
}

uint64_t ocmc_sample_seed(uint64_t seed, uint64_t i)
{
    uint64_t z = seed ^ (i * 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void fail(shared *sh, const char *msg)
{
    pthread_mutex_lock(&sh->lock);
    if(!sh->failed) {
        sh->failed = 1;
        snprintf(sh->err, sizeof(sh->err), "%s", msg);
    }
    pthread_mutex_unlock(&sh->lock);
}

/* The next block this process should run, or UINT64_MAX. */
static uint64_t take_block(shared *sh)
{
    uint64_t b = UINT64_MAX;
    pthread_mutex_lock(&sh->lock);
    while(!sh->failed && !(sh->cfg->stop && atomic_load(sh->cfg->stop))) {
        uint64_t cand;
        if(sh->next >= sh->n_blocks)
            break;
        cand = sh->next++;
        if(cand % sh->stride != sh->offset)
            continue;
        if(sh->done[cand / 8] & (1u << (cand % 8)))
            continue;
        b = cand;
        break;
    }
    pthread_mutex_unlock(&sh->lock);
    return b;
}

static void finish_block(shared *sh, uint64_t b, uint64_t samples)
{
    uint64_t total;
    pthread_mutex_lock(&sh->lock);
    sh->done[b / 8] = (unsigned char)(sh->done[b / 8] | (1u << (b % 8)));
    sh->samples_done += samples;
    total = sh->samples_done;
    pthread_mutex_unlock(&sh->lock);
    if(sh->cfg->progress)
        sh->cfg->progress(sh->cfg->progress_ud, total);
}

#define N_ROLES 10 /* the diagnosis's series, in ocx_mapping order */
/* Lanes whose series are copied out together: one cache line of each saved
 * row (8 doubles) feeds 8 lanes, read once. */
#define SERIES_GROUP 8

/* Selects what diagnosis and bands need; returns the selected position of
 * every band variable in band_col and of every mapped series in role_col
 * (-1 when the mapping has none), so the loop reads columns, not names. */
static int select_outputs(const ocmc_config *c, oc_run *r, size_t *band_col, int *role_col,
                          char *err, size_t errlen)
{
    const char *names[16];
    size_t n = 0, k, j, cap = 16 + c->n_bands, count = 0;
    int mapped = c->map.capacity != NULL;
    size_t *sel = malloc(cap * sizeof(size_t));
    oc_error oe;
    int rc = -1;
    if(!sel) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if(mapped) {
        names[n++] = c->map.capacity;
        names[n++] = c->map.demand;
        names[n++] = c->map.remaining_life;
        names[n++] = c->map.growth;
        names[n++] = c->map.utilization;
        names[n++] = c->map.price;
        names[n++] = c->map.cost;
        names[n++] = c->map.capex;
        names[n++] = c->map.book_value;
        names[n++] = c->map.stranded;
    }
    for(k = 0; k < N_ROLES; k++)
        role_col[k] = -1;
    for(k = 0; k < n; k++) {
        size_t idx;
        if(!names[k])
            continue;
        if(oc_model_find(c->model, names[k], &idx, NULL) != OC_OK) {
            snprintf(err, errlen, "the mapping names '%s', which the model does not have",
                     names[k]);
            goto done;
        }
        for(j = 0; j < count && sel[j] != idx; j++)
            ;
        if(j == count)
            sel[count++] = idx;
        role_col[k] = (int)j;
    }
    for(k = 0; k < c->n_bands; k++) {
        for(j = 0; j < count && sel[j] != c->band_index[k]; j++)
            ;
        if(j == count)
            sel[count++] = c->band_index[k];
        band_col[k] = j;
    }
    if(oc_run_select(r, sel, count, &oe) != OC_OK) {
        snprintf(err, errlen, "%.400s", oe.message);
        goto done;
    }
    rc = 0;
done:
    free(sel);
    return rc;
}

static void outcome_of(const ocd_result *res, ocmc_outcome *o)
{
    o->bubble = res->episode_count > 0;
    o->onset = o->bubble ? res->episodes[0].onset : (double)NAN;
    o->end = o->bubble ? res->episodes[0].end : (double)NAN;
    o->peak_idle_share = res->peak_idle_share;
    o->max_stranded = res->max_stranded;
    o->capex_fall = res->has_capex_fall ? res->capex_fall : (double)NAN;
}

static void *work(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    const ocmc_config *c = sh->cfg;
    const size_t L = c->lanes;
    oc_run *r = NULL;
    double *values = NULL, *bands = NULL;
    size_t *band_col = NULL, n_saves = 0, q;
    int role_col[N_ROLES];
    double *series = NULL, *times = NULL; /* N_ROLES series of SERIES_GROUP lanes; times */
    ocmc_jump (*jumps)[OCMC_MAX_JUMPS] = NULL;
    size_t *n_jumps = NULL;
    char err[512];
    oc_error oe;
    uint64_t b;

    values = calloc(c->n_params * L + 1, sizeof(double));
    bands = calloc(c->n_bands * c->n_band_times + 1, sizeof(double));
    band_col = calloc(c->n_bands + 1, sizeof(size_t));
    jumps = calloc(L, sizeof(*jumps));
    n_jumps = calloc(L, sizeof(size_t));
    if(!values || !bands || !band_col || !jumps || !n_jumps) {
        fail(sh, "out of memory");
        goto done;
    }
    if(c->prepare(c->prepare_ud, c->model, L, &r, err, sizeof(err)) != 0 ||
       select_outputs(c, r, band_col, role_col, err, sizeof(err)) != 0) {
        fail(sh, err);
        goto done;
    }
    {
        oc_specs sp;
        oc_run_specs(r, &sp);
        n_saves = (size_t)floor((sp.stop - sp.start) / sp.save_step + 1e-9) + 1;
        series = calloc(SERIES_GROUP * N_ROLES * n_saves + 1, sizeof(double));
        times = calloc(n_saves + 1, sizeof(double));
        if(!series || !times) {
            fail(sh, "out of memory");
            goto done;
        }
        for(q = 0; q < n_saves; q++)
            times[q] = oc_run_time(r, q);
    }
    while((b = take_block(sh)) != UINT64_MAX) {
        size_t l, k, s;
        uint64_t first = b * L, real = 0;
        for(l = 0; l < L; l++) {
            uint64_t i = first + l < sh->n_samples ? first + l : sh->n_samples - 1;
            double *vl = values + l * c->n_params;
            n_jumps[l] = 0;
            if(c->sample(c->sample_ud, w->index, i, vl, jumps[l], &n_jumps[l]) != 0) {
                snprintf(err, sizeof(err), "sample %llu could not be drawn",
                         (unsigned long long)i);
                fail(sh, err);
                goto done;
            }
            for(k = 0; k < c->n_params; k++)
                if(oc_run_set_lane_value_at(r, l, c->param_index[k], vl[k], &oe) != OC_OK) {
                    snprintf(err, sizeof(err), "sample %llu: %.100s: %.300s", (unsigned long long)i,
                             oe.variable, oe.message);
                    fail(sh, err);
                    goto done;
                }
            for(s = 0; s < c->n_jump_slots; s++) {
                int ok = 1;
                if(s < n_jumps[l]) {
                    ok = oc_run_set_lane_value_at(r, l, c->jump_index[s][0], jumps[l][s].year,
                                                  &oe) == OC_OK &&
                         oc_run_set_lane_value_at(r, l, c->jump_index[s][1], jumps[l][s].factor,
                                                  &oe) == OC_OK &&
                         oc_run_set_lane_value_at(r, l, c->jump_index[s][2],
                                                  jumps[l][s].adoption_years, &oe) == OC_OK;
                }
                else
                    ok = oc_run_set_lane_value_at(r, l, c->jump_index[s][1], 1.0, &oe) == OC_OK;
                if(!ok) {
                    snprintf(err, sizeof(err), "sample %llu: jump %zu: %.100s: %.300s",
                             (unsigned long long)i, s + 1, oe.variable, oe.message);
                    fail(sh, err);
                    goto done;
                }
            }
            oc_run_set_lane_seed(r, l, ocmc_sample_seed(c->seed, i));
        }
        if(oc_run_simulate(r, &oe) != OC_OK) {
            snprintf(err, sizeof(err), "block %llu: %.400s", (unsigned long long)b, oe.message);
            fail(sh, err);
            goto done;
        }
        for(l = 0; l < L && first + l < sh->n_samples; l++) {
            uint64_t i = first + l;
            ocmc_outcome o;
            ocd_result *res = NULL;
            size_t t;
            memset(&o, 0, sizeof(o));
            o.ok = oc_run_lane_status(r, l, &o.fail_time) == OC_OK;
            o.onset = o.end = o.max_stranded = o.capex_fall = o.first_jump_year = (double)NAN;
            o.n_jumps = (int)n_jumps[l];
            o.largest_jump = 1.0;
            for(s = 0; s < n_jumps[l]; s++) {
                if(jumps[l][s].factor > o.largest_jump)
                    o.largest_jump = jumps[l][s].factor;
                if(s == 0)
                    o.first_jump_year = jumps[l][s].year;
            }
            if(c->map.capacity && l % SERIES_GROUP == 0) {
                /* the series of this lane and the next few, row by row */
                size_t n = L - l < SERIES_GROUP ? L - l : SERIES_GROUP;
                for(q = 0; q < N_ROLES; q++)
                    if(role_col[q] >= 0)
                        oc_run_lanes_series(r, l, n, (size_t)role_col[q], series + q * n_saves,
                                            N_ROLES * n_saves);
            }
            if(o.ok && c->map.capacity) {
                /* a run the diagnosis refuses (say, capacity fell to zero) is counted
                 * apart by the caller: o.diagnosed stays 0 */
                const double *role[N_ROLES];
                double *mine = series + (l % SERIES_GROUP) * N_ROLES * n_saves;
                ocd_input in;
                for(q = 0; q < N_ROLES; q++)
                    role[q] = role_col[q] >= 0 ? mine + q * n_saves : NULL;
                if(!role[2]) { /* a constant life instead of a series */
                    for(q = 0; q < n_saves; q++)
                        mine[2 * n_saves + q] = c->map.life_years;
                    role[2] = mine + 2 * n_saves;
                }
                memset(&in, 0, sizeof(in));
                in.n = oc_run_save_count(r);
                in.time = times;
                in.capacity = role[0];
                in.demand = role[1];
                in.remaining_life = role[2];
                in.growth = role[3];
                in.utilization = role[4];
                in.price = role[5];
                in.cost = role[6];
                in.capex = role[7];
                in.book_value = role[8];
                in.stranded = role[9];
                if(ocd_diagnose(&in, &c->params, &res, NULL, 0) == OCD_OK) {
                    outcome_of(res, &o);
                    o.diagnosed = 1;
                }
                ocd_result_free(res);
            }
            for(k = 0; k < c->n_bands; k++)
                for(t = 0; t < c->n_band_times; t++)
                    bands[k * c->n_band_times + t] =
                        oc_run_lane_value(r, l, c->band_save[t], band_col[k]);
            c->consume(c->consume_ud, w->index, i, &o, bands);
            real++;
        }
        finish_block(sh, b, real);
    }
done:
    oc_run_free(r);
    free(values);
    free(bands);
    free(band_col);
    free(series);
    free(times);
    free(jumps);
    free(n_jumps);
    return NULL;
}

int ocmc_run(const ocmc_config *cfg, uint64_t n_samples, uint64_t stride, uint64_t offset,
             unsigned char *done, char *err, size_t errlen)
{
    shared sh;
    worker *ws;
    unsigned t, started = 0;
    if(cfg->lanes == 0 || cfg->lanes > OC_MAX_LANES || cfg->threads == 0 || stride == 0 ||
       offset >= stride) {
        snprintf(err, errlen, "bad Monte Carlo settings (lanes, threads or partition)");
        return -1;
    }
    if(n_samples == 0)
        return 0;
    memset(&sh, 0, sizeof(sh));
    sh.cfg = cfg;
    sh.n_samples = n_samples;
    sh.n_blocks = ocmc_blocks(n_samples, cfg->lanes);
    sh.stride = stride;
    sh.offset = offset;
    sh.done = done;
    if(pthread_mutex_init(&sh.lock, NULL) != 0) {
        snprintf(err, errlen, "cannot create a mutex");
        return -1;
    }
    ws = calloc(cfg->threads, sizeof(*ws));
    if(!ws) {
        pthread_mutex_destroy(&sh.lock);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for(t = 0; t < cfg->threads; t++) {
        ws[t].sh = &sh;
        ws[t].index = t;
        if(t == 0)
            continue; /* the calling thread is worker 0 */
        if(pthread_create(&ws[t].tid, NULL, work, &ws[t]) != 0) {
            fail(&sh, "cannot start a thread");
            break;
        }
        started = t;
    }
    work(&ws[0]);
    for(t = 1; t <= started; t++)
        pthread_join(ws[t].tid, NULL);
    free(ws);
    pthread_mutex_destroy(&sh.lock);
    if(sh.failed) {
        snprintf(err, errlen, "%s", sh.err);
        return -1;
    }
    return 0;
}
