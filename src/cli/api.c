/*
 * api.c - the JSON API of `overcap serve` (see api.h for the endpoints).
 *
 * Requests are parsed with jansson, strictly: an unknown key, a value of
 * the wrong type or a name the model does not have is a 400 naming the
 * key. Responses are written by hand with the shortest decimal that reads
 * back as the same double, so the numbers a browser gets are the engine's
 * exact numbers and the same request always gives the same bytes.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "cli.h"
#include "market.h"
#include "mc.h"
#include "mc_spec.h"
#include "sampling.h"
#include "scenario.h"

/* ------------------------------------------------------------------ */
/* A growing JSON text                                                 */
/* ------------------------------------------------------------------ */

typedef struct sb {
    char *p;
    size_t len, cap;
    int oom;
} sb;

static void sb_put(sb *b, const char *s, size_t n)
{
    if(b->oom)
        return;
    if(b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        char *np;
        while(cap < b->len + n + 1)
            cap *= 2;
        np = realloc(b->p, cap);
        if(!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_s(sb *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_f(sb *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void sb_f(sb *b, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if(n > 0)
        sb_put(b, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void sb_str(sb *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    sb_put(b, "\"", 1);
    for(; *p; p++) {
        if(*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            sb_put(b, e, 2);
        }
        else if(*p < 0x20)
            sb_f(b, "\\u%04x", *p);
        else
            sb_put(b, (const char *)p, 1);
    }
    sb_put(b, "\"", 1);
}

/* A number; NaN and infinities are null (JSON has neither). */
static void sb_num(sb *b, double x)
{
    char buf[40];
    if(!isfinite(x)) {
        sb_s(b, "null");
        return;
    }
    cli_format_double(buf, sizeof(buf), x);
    sb_s(b, buf);
}

static void sb_key(sb *b, const char *k)
{
    sb_str(b, k);
    sb_put(b, ":", 1);
}

/* ,"key":number and ,"key":"string": a member after the first. */
static void sb_fnum(sb *b, const char *key, double x)
{
    sb_s(b, ",");
    sb_key(b, key);
    sb_num(b, x);
}

static void sb_fstr(sb *b, const char *key, const char *s)
{
    sb_s(b, ",");
    sb_key(b, key);
    sb_str(b, s);
}

static void respond(api_response *out, int status, sb *b)
{
    out->status = status;
    if(b->oom) {
        free(b->p);
        api_error(out, 500, "out of memory");
        return;
    }
    out->body = b->p;
    out->len = b->len;
}

void api_error(api_response *out, int status, const char *fmt, ...)
{
    char msg[1200];
    sb b = {0};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sb_s(&b, "{");
    sb_key(&b, "error");
    sb_str(&b, msg);
    sb_s(&b, "}\n");
    out->status = status;
    out->body = b.oom ? NULL : b.p;
    out->len = b.oom ? 0 : b.len;
    if(b.oom)
        free(b.p);
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */
/* ------------------------------------------------------------------ */

int api_init(api_ctx *c, const api_limits *limits, char *err, size_t errlen)
{
    oc_error oe;
    memset(c, 0, sizeof(*c));
    c->limits = *limits;
    if(cli_load_model(NULL, &c->model, &oe) != OC_OK) {
        oc_error_format(&oe, err, errlen);
        return -1;
    }
    return 0;
}

void api_free(api_ctx *c)
{
    oc_model_free(c->model);
    c->model = NULL;
}

int api_is_heavy(const char *method, const char *path)
{
    return strcmp(method, "POST") == 0 &&
           (strcmp(path, "/api/mc") == 0 || strcmp(path, "/api/critical") == 0);
}

/* ------------------------------------------------------------------ */
/* Requests: the scenario and its overrides                            */
/* ------------------------------------------------------------------ */

#define MAX_SETS 128
#define MAX_VARS 32

typedef struct request {
    scenario sc;
    char scenario_name[96]; /* the preset, or "custom" */
    struct {
        const char *name; /* into the request's JSON */
        double value;
    } set[MAX_SETS];
    size_t n_set;
} request;

/* 1 when every key of o is in the NULL-terminated list; else names the
 * first stranger in err and returns 0. */
static int keys_known(json_t *o, const char *const *known, char *err, size_t errlen)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        size_t k;
        int found = 0;
        for(k = 0; known[k]; k++)
            if(strcmp(key, known[k]) == 0)
                found = 1;
        if(!found) {
            char list[300] = "";
            size_t used = 0;
            for(k = 0; known[k]; k++)
                used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
                                         k ? ", " : "", known[k]);
            cli_errf(err, errlen, "unknown key '%.100s' (expected: %s)", key, list);
            return 0;
        }
    }
    return 1;
}

/* A preset's name: letters, digits and dashes only, so a request can never
 * name a file. */
static int preset_name_ok(const char *s)
{
    size_t n = 0;
    for(; *s; s++, n++)
        if(!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
             *s == '-' || *s == '_'))
            return 0;
    return n > 0 && n < 64;
}

/* Reads "scenario" and "set" from the request object. */
static int request_parse(json_t *root, request *rq, char *err, size_t errlen)
{
    json_t *js = json_object_get(root, "scenario"), *set = json_object_get(root, "set");
    const char *key;
    json_t *v;
    memset(rq, 0, sizeof(*rq));
    if(!js || json_is_string(js)) {
        const char *name = js ? json_string_value(js) : "baseline";
        if(!preset_name_ok(name))
            return cli_errf(err, errlen,
                            "scenario: '%.80s' is not a preset name (letters, digits, dashes); "
                            "GET /api/scenarios lists them, or give the scenario as an object",
                            name);
        if(scenario_load(name, &rq->sc, err, errlen) != 0)
            return -1;
        snprintf(rq->scenario_name, sizeof(rq->scenario_name), "%s", name);
    }
    else if(json_is_object(js)) {
        char *text = json_dumps(js, JSON_COMPACT);
        int rc;
        if(!text)
            return cli_errf(err, errlen, "scenario: out of memory");
        rc = scenario_parse(text, strlen(text), "scenario", &rq->sc, err, errlen);
        free(text);
        if(rc)
            return -1;
        snprintf(rq->scenario_name, sizeof(rq->scenario_name), "%s",
                 rq->sc.name ? rq->sc.name : "custom");
    }
    else
        return cli_errf(err, errlen, "scenario: expected a preset name or a scenario object");
    if(set && !json_is_object(set))
        return cli_errf(err, errlen, "set: expected an object of constant names and numbers");
    if(set)
        json_object_foreach(set, key, v) {
            if(!json_is_number(v))
                return cli_errf(err, errlen, "set.%.100s: expected a number", key);
            if(rq->n_set == MAX_SETS)
                return cli_errf(err, errlen, "set: more than %d constants", MAX_SETS);
            rq->set[rq->n_set].name = key;
            rq->set[rq->n_set].value = json_number_value(v);
            rq->n_set++;
        }
    return 0;
}

/* A fresh run of `lanes` lanes with the scenario, then the overrides. */
static int request_prepare(const request *rq, const oc_model *m, size_t lanes, oc_run **r,
                           char *err, size_t errlen)
{
    oc_error oe;
    size_t k;
    *r = NULL;
    if(oc_run_create_lanes(m, lanes, r, &oe) != OC_OK)
        return cli_errf(err, errlen, "%s", oe.message);
    if(scenario_apply(&rq->sc, m, *r, err, errlen) != 0)
        goto fail;
    for(k = 0; k < rq->n_set; k++) {
        char what[160];
        snprintf(what, sizeof(what), "%.120s", rq->set[k].name);
        if(scenario_set_checked("set", m, *r, what, rq->set[k].name, rq->set[k].value, err,
                                errlen))
            goto fail;
    }
    return 0;
fail:
    oc_run_free(*r);
    *r = NULL;
    return -1;
}

/* Parses the body as a JSON object (an empty body is {}). */
static json_t *parse_body(const char *body, size_t len, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root;
    if(len == 0)
        return json_object();
    root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if(!root) {
        cli_errf(err, errlen, "request body: line %d, column %d: %s", je.line, je.column,
                 je.text);
        return NULL;
    }
    if(!json_is_object(root)) {
        json_decref(root);
        cli_errf(err, errlen, "request body: expected a JSON object");
        return NULL;
    }
    return root;
}

/* Parses the body and its scenario and overrides; on a bad request answers
 * 400 and returns NULL. */
static json_t *request_begin(const char *body, size_t len, const char *const *known, request *rq,
                             api_response *out)
{
    char err[1200];
    json_t *root = parse_body(body, len, err, sizeof(err));
    memset(rq, 0, sizeof(*rq));
    if(root && keys_known(root, known, err, sizeof(err)) &&
       request_parse(root, rq, err, sizeof(err)) == 0)
        return root;
    api_error(out, 400, "%s", err);
    scenario_free(&rq->sc);
    json_decref(root);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* GET /api/model and /api/scenarios                                   */
/* ------------------------------------------------------------------ */

static void get_model(api_ctx *c, api_response *out)
{
    sb b = {0};
    oc_specs sp;
    size_t i, n = oc_model_var_count(c->model);
    int first = 1;
    oc_model_specs(c->model, &sp);
    sb_s(&b, "{");
    sb_key(&b, "name");
    sb_str(&b, oc_model_name(c->model));
    sb_fstr(&b, "time_units", oc_model_time_units(c->model));
    sb_s(&b, ",\"specs\":{\"start\":");
    sb_num(&b, sp.start);
    sb_fnum(&b, "stop", sp.stop);
    sb_fnum(&b, "dt", sp.dt);
    sb_fnum(&b, "save_step", sp.save_step);
    sb_fstr(&b, "method", sp.method == OC_RK4 ? "rk4" : "euler");
    sb_s(&b, "},\"constants\":[");
    for(i = 0; i < n; i++) {
        oc_var_info info;
        double v;
        oc_model_var_info(c->model, i, &info);
        if(!info.is_constant || !info.has_range)
            continue;
        sb_s(&b, first ? "{" : ",{");
        first = 0;
        sb_key(&b, "name");
        sb_str(&b, info.name);
        sb_fnum(&b, "default", cli_number(info.equation, &v) == 0 ? v : (double)NAN);
        sb_fnum(&b, "min", info.range_min);
        sb_fnum(&b, "max", info.range_max);
        sb_fstr(&b, "units", info.units);
        sb_fstr(&b, "doc", info.doc);
        sb_s(&b, "}");
    }
    sb_s(&b, "]}\n");
    respond(out, 200, &b);
}

static void get_scenarios(api_response *out)
{
    const struct oc_embedded *e;
    sb b = {0};
    int first = 1;
    sb_s(&b, "{\"scenarios\":[");
    for(e = oc_embedded_files; e->name; e++) {
        scenario s;
        char err[512];
        size_t k;
        if(strncmp(e->name, "scenarios/", 10) != 0)
            continue;
        if(scenario_parse((const char *)e->data, e->size, e->name, &s, err, sizeof(err)) != 0)
            continue; /* the build checks every preset; never here */
        sb_s(&b, first ? "{" : ",{");
        first = 0;
        sb_key(&b, "name");
        sb_str(&b, s.name);
        sb_fstr(&b, "description", s.description);
        sb_fstr(&b, "assumptions", s.assumptions);
        sb_s(&b, ",\"set\":{");
        for(k = 0; k < s.n_set; k++) {
            if(k)
                sb_s(&b, ",");
            sb_key(&b, s.set[k].name);
            sb_num(&b, s.set[k].value);
        }
        sb_s(&b, "},\"jumps\":[");
        for(k = 0; k < s.n_jumps; k++) {
            sb_s(&b, k ? ",{\"year\":" : "{\"year\":");
            sb_num(&b, s.jumps[k].year);
            sb_fnum(&b, "factor", s.jumps[k].factor);
            sb_fnum(&b, "adoption_years", s.jumps[k].adoption_years);
            sb_s(&b, "}");
        }
        sb_s(&b, "]}");
        scenario_free(&s);
    }
    sb_s(&b, "]}\n");
    respond(out, 200, &b);
}

/* ------------------------------------------------------------------ */
/* POST /api/run                                                       */
/* ------------------------------------------------------------------ */

static const char *outcome_of(const ocd_result *res)
{
    if(res->status != OCD_DIAGNOSED)
        return "insufficient data";
    if(res->episode_count)
        return "bubble";
    if(res->state_steps[OCD_NORMAL_CYCLE])
        return "normal cycle";
    return "no bubble";
}

/* The series every run returns: the diagnosis's own plus utilization. */
static const char *const run_vars[] = {
    "compute_capacity", "compute_demand", "utilization", "compute_price",
    "running_cost_per_unit", "capex", "book_value", "stranded_book_value", NULL};

static void post_run(api_ctx *c, const char *body, size_t len, api_response *out)
{
    static const char *const known[] = {"scenario", "set", "vars", NULL};
    char err[1200];
    request rq;
    json_t *root = request_begin(body, len, known, &rq, out), *vars;
    oc_run *r = NULL;
    oc_error oe;
    ocx_mapping map;
    ocd_params p;
    ocd_result *res = NULL;
    const char *names[MAX_VARS + 16];
    size_t n_names = 0, k, t, n_save, n_vars = oc_model_var_count(c->model);
    double *buf = NULL;
    char verdict[1024];
    sb b = {0};

    if(!root)
        return;
    for(k = 0; run_vars[k]; k++)
        names[n_names++] = run_vars[k];
    vars = json_object_get(root, "vars");
    if(vars) {
        json_t *v;
        size_t idx;
        if(!json_is_array(vars)) {
            cli_errf(err, sizeof(err), "vars: expected an array of variable names");
            goto bad;
        }
        if(json_array_size(vars) > MAX_VARS) {
            cli_errf(err, sizeof(err), "vars: at most %d variables", MAX_VARS);
            goto bad;
        }
        json_array_foreach(vars, idx, v) {
            size_t vi;
            if(!json_is_string(v)) {
                cli_errf(err, sizeof(err), "vars[%zu]: expected a variable name", idx);
                goto bad;
            }
            if(oc_model_find(c->model, json_string_value(v), &vi, NULL) != OC_OK) {
                cli_errf(err, sizeof(err), "vars[%zu]: the model has no variable '%.100s'", idx,
                         json_string_value(v));
                goto bad;
            }
            names[n_names++] = json_string_value(v);
        }
    }
    if(request_prepare(&rq, c->model, 1, &r, err, sizeof(err)) != 0)
        goto bad;
    if(oc_run_simulate(r, &oe) != OC_OK) {
        char msg[800];
        oc_error_format(&oe, msg, sizeof(msg));
        cli_errf(err, sizeof(err), "the run failed: %s", msg);
        goto bad;
    }
    ocx_mapping_flagship(&map);
    ocx_params_flagship(&p);
    if(ocx_diagnose_run(c->model, r, &map, &p, &res, err, sizeof(err)) != 0)
        goto bad;
    ocd_verdict(res, &p, verdict, sizeof(verdict));
    n_save = oc_run_save_count(r);
    buf = malloc(n_save * sizeof(double));
    if(!buf) {
        cli_errf(err, sizeof(err), "out of memory");
        goto bad;
    }

    sb_s(&b, "{");
    sb_key(&b, "scenario");
    sb_str(&b, rq.scenario_name);
    sb_fstr(&b, "outcome", outcome_of(res));
    sb_fstr(&b, "verdict", verdict);
    sb_fnum(&b, "peak_idle_share", res->peak_idle_share);
    sb_fnum(&b, "peak_idle_time", res->peak_idle_time);
    sb_fnum(&b, "max_stranded", res->max_stranded);
    sb_fnum(&b, "capex_fall", res->has_capex_fall ? res->capex_fall : (double)NAN);
    sb_s(&b, ",\"episodes\":[");
    for(k = 0; k < res->episode_count; k++) {
        sb_s(&b, k ? ",{\"onset\":" : "{\"onset\":");
        sb_num(&b, res->episodes[k].onset);
        sb_fnum(&b, "end", res->episodes[k].end);
        sb_s(&b, res->episodes[k].ongoing ? ",\"ongoing\":true}" : ",\"ongoing\":false}");
    }
    sb_s(&b, "],\"time\":[");
    for(t = 0; t < n_save; t++) {
        if(t)
            sb_s(&b, ",");
        sb_num(&b, oc_run_time(r, t));
    }
    /* the state of each step: 0 shortage, 1 balanced, 2 normal cycle, 3 bubble */
    sb_s(&b, "],\"states\":[\"shortage\",\"balanced\",\"normal cycle\",\"bubble\"],\"state\":[");
    for(t = 0; t < res->step_count; t++)
        sb_f(&b, t ? ",%d" : "%d", (int)res->steps[t].state);
    sb_s(&b, "],\"series\":{");
    for(k = 0; k < n_names; k++) {
        size_t j;
        if(ocx_series(c->model, r, names[k], buf, err, sizeof(err)) != 0)
            goto bad;
        if(k)
            sb_s(&b, ",");
        sb_key(&b, names[k]);
        sb_s(&b, "[");
        for(j = 0; j < n_save; j++) {
            if(j)
                sb_s(&b, ",");
            sb_num(&b, buf[j]);
        }
        sb_s(&b, "]");
    }
    sb_s(&b, "},\"units\":{");
    for(k = 0; k < n_names; k++) {
        size_t vi;
        oc_var_info info;
        oc_model_find(c->model, names[k], &vi, NULL);
        oc_model_var_info(c->model, vi, &info);
        if(k)
            sb_s(&b, ",");
        sb_key(&b, names[k]);
        sb_str(&b, info.units);
    }
    /* the constants as this run used them, for the page's sliders */
    sb_s(&b, "},\"constants\":{");
    {
        int first = 1;
        for(k = 0; k < n_vars; k++) {
            oc_var_info info;
            oc_model_var_info(c->model, k, &info);
            if(!info.is_constant || !info.has_range)
                continue;
            if(ocx_series(c->model, r, info.name, buf, err, sizeof(err)) != 0)
                goto bad;
            if(!first)
                sb_s(&b, ",");
            first = 0;
            sb_key(&b, info.name);
            sb_num(&b, buf[0]);
        }
    }
    sb_s(&b, "}}\n");
    respond(out, 200, &b);
    b.p = NULL;
    goto done;
bad:
    api_error(out, 400, "%s", err);
done:
    free(b.p);
    free(buf);
    ocd_result_free(res);
    oc_run_free(r);
    scenario_free(&rq.sc);
    json_decref(root);
}

/* ------------------------------------------------------------------ */
/* POST /api/critical                                                  */
/* ------------------------------------------------------------------ */

typedef struct crit_ud {
    const request *rq;
} crit_ud;

static int crit_prepare(void *ud, const oc_model *m, oc_run **r, char *err, size_t errlen)
{
    const crit_ud *cu = ud;
    return request_prepare(cu->rq, m, 1, r, err, errlen);
}

/* Reads an optional number key within [lo, hi]. */
static int opt_number(json_t *root, const char *key, double lo, double hi, double *out, char *err,
                      size_t errlen)
{
    json_t *v = json_object_get(root, key);
    if(!v)
        return 0;
    if(!json_is_number(v))
        return cli_errf(err, errlen, "%s: expected a number", key);
    *out = json_number_value(v);
    if(!(*out >= lo && *out <= hi))
        return cli_errf(err, errlen, "%s: %g is outside %g to %g", key, *out, lo, hi);
    return 0;
}

static void post_critical(api_ctx *c, const char *body, size_t len, api_response *out)
{
    static const char *const known[] = {"scenario", "set",       "year",
                                        "adoption_years", "max_factor", NULL};
    char err[1200];
    request rq;
    json_t *root = request_begin(body, len, known, &rq, out);
    crit_ud cu;
    ocx_mapping map;
    ocd_params p;
    ocx_jump jump;
    oc_specs sp;
    double fstar = 0, max_factor = 1000, adoption = (double)NAN;
    int evals = 0;
    sb b = {0};

    if(!root)
        return;
    oc_model_specs(c->model, &sp);
    jump.year = 2027;
    if(opt_number(root, "year", sp.start, sp.stop, &jump.year, err, sizeof(err)) ||
       opt_number(root, "adoption_years", 0, 5, &adoption, err, sizeof(err)))
        goto bad;
    if(json_object_get(root, "max_factor") &&
       opt_number(root, "max_factor", 1, c->limits.max_factor, &max_factor, err, sizeof(err))) {
        api_error(out, 413, "%s (this server's limit; `overcap critical` has none)", err);
        goto done;
    }
    jump.adoption_years = adoption;
    cu.rq = &rq;
    ocx_mapping_flagship(&map);
    ocx_params_flagship(&p);
    if(ocx_critical_jump(c->model, crit_prepare, &cu, &map, &p, &jump, max_factor, 0.01, &fstar,
                         &evals, err, sizeof(err)) != 0)
        goto bad;
    sb_s(&b, "{");
    sb_key(&b, "scenario");
    sb_str(&b, rq.scenario_name);
    sb_fnum(&b, "year", jump.year);
    sb_fnum(&b, "max_factor", max_factor);
    sb_fnum(&b, "critical_factor", fstar); /* null: no jump up to max_factor makes a bubble */
    sb_s(&b, ",\"bubble_without_jump\":");
    sb_s(&b, fstar <= 1.0 ? "true" : "false");
    sb_f(&b, ",\"evaluations\":%d}\n", evals);
    respond(out, 200, &b);
    goto done;
bad:
    api_error(out, 400, "%s", err);
done:
    scenario_free(&rq.sc);
    json_decref(root);
}

/* ------------------------------------------------------------------ */
/* POST /api/mc                                                        */
/* ------------------------------------------------------------------ */

typedef struct mc_job {
    const request *rq;
    uint64_t n;
    unsigned char *ok, *bubble;
    double *onset;
    double *bands;   /* [sample][var][time] */
    size_t n_bands, n_times;
} mc_job;

static int mc_prepare(void *ud, const oc_model *m, size_t lanes, oc_run **run, char *err,
                      size_t errlen)
{
    const mc_job *j = ud;
    return request_prepare(j->rq, m, lanes, run, err, errlen);
}

/* Stores each outcome at its sample's place: the result does not depend on
 * which thread ran which block. */
static void mc_consume(void *ud, unsigned thread, uint64_t i, const ocmc_outcome *o,
                       const double *bands)
{
    mc_job *j = ud;
    (void)thread;
    j->ok[i] = (unsigned char)(o->ok != 0);
    j->bubble[i] = (unsigned char)(o->ok && o->diagnosed && o->bubble);
    j->onset[i] = o->onset;
    memcpy(j->bands + i * j->n_bands * j->n_times, bands, j->n_bands * j->n_times * sizeof(double));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of sorted values (linear interpolation). */
static double quantile(const double *v, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)pos;
    if(lo + 1 >= n)
        return v[n - 1];
    return v[lo] + (pos - (double)lo) * (v[lo + 1] - v[lo]);
}

/* Band values a request may hold at once (samples x variables x years):
 * 128 MiB of doubles. */
#define MC_API_MAX_BAND_VALUES (1u << 24)

static void post_mc(api_ctx *c, const char *body, size_t len, api_response *out)
{
    static const char *const known[] = {"scenario", "set", "samples", "seed", "spec", "bands",
                                        NULL};
    static const char *const default_bands[] = {"compute_capacity", "compute_demand",
                                                "utilization"};
    const char *band_vars[MC_MAX_BANDS];
    static const double qs[] = {0.05, 0.25, 0.5, 0.75, 0.95};
    char err[1200];
    request rq;
    json_t *root = request_begin(body, len, known, &rq, out), *v;
    mc_spec spec;
    mc_sampler *smp = NULL;
    ocmc_config cfg;
    mc_job job;
    oc_run *probe = NULL;
    oc_specs sp;
    size_t band_index[MC_MAX_BANDS], *band_save = NULL, *param_index = NULL, k, t;
    double *years = NULL, *col = NULL;
    unsigned char *done = NULL;
    uint64_t i, n_ok = 0, samples = 1000;
    sb b = {0};
    int status = 400;

    if(!root)
        return;
    memset(&spec, 0, sizeof(spec));
    memset(&cfg, 0, sizeof(cfg));
    memset(&job, 0, sizeof(job));
    if((v = json_object_get(root, "samples")) != NULL) {
        double d = json_number_value(v);
        if(!json_is_number(v) || !(d >= 1) || d != floor(d)) {
            cli_errf(err, sizeof(err), "samples: expected a whole number of at least 1");
            goto bad;
        }
        if(d > (double)c->limits.max_mc_samples) {
            cli_errf(err, sizeof(err),
                     "samples: %.0f is more than this server runs per request (%llu); "
                     "`overcap mc --samples N` on the command line has no such limit",
                     d, (unsigned long long)c->limits.max_mc_samples);
            status = 413;
            goto bad;
        }
        samples = (uint64_t)d;
    }
    if((v = json_object_get(root, "spec")) != NULL) {
        /* a spec of the request's own, as `overcap mc SPEC` reads it; the
         * server's model and the request's scenario apply */
        char *text = json_is_object(v) ? json_dumps(v, JSON_COMPACT) : NULL;
        int rc;
        if(!json_is_object(v)) {
            cli_errf(err, sizeof(err), "spec: expected an object (the JSON of `overcap mc SPEC`)");
            goto bad;
        }
        if(!text)
            goto oom;
        rc = mc_spec_parse(text, strlen(text), "spec", &spec, err, sizeof(err));
        free(text);
        if(rc != 0)
            goto bad;
        if(spec.model_path || spec.scenario) {
            cli_errf(err, sizeof(err),
                     "spec.%s: the server runs its own model with the request's scenario; "
                     "leave it out of the spec",
                     spec.model_path ? "model" : "scenario");
            goto bad;
        }
        if(!json_object_get(root, "samples") && json_object_get(v, "samples")) {
            if(spec.samples > c->limits.max_mc_samples) {
                cli_errf(err, sizeof(err),
                         "spec.samples: %llu is more than this server runs per request (%llu); "
                         "`overcap mc --samples N` on the command line has no such limit",
                         (unsigned long long)spec.samples,
                         (unsigned long long)c->limits.max_mc_samples);
                status = 413;
                goto bad;
            }
            samples = spec.samples;
        }
    }
    else if(mc_spec_load("built-in", &spec, err, sizeof(err)) != 0)
        goto bad;
    spec.samples = samples;
    if((v = json_object_get(root, "seed")) != NULL) {
        double d = json_number_value(v);
        if(!json_is_integer(v) || d < 0) {
            cli_errf(err, sizeof(err), "seed: expected a whole number of at least 0");
            goto bad;
        }
        spec.seed = (uint64_t)json_integer_value(v);
    }
    /* the uncertainty of the spec, on top of the request's scenario */
    cfg.model = c->model;
    if(mc_spec_bind(&spec, c->model, &cfg, band_index, err, sizeof(err)) != 0)
        goto bad;
    /* the band variables: the request's, else the spec's, else three */
    if((v = json_object_get(root, "bands")) != NULL) {
        if(!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > MC_MAX_BANDS) {
            cli_errf(err, sizeof(err), "bands: expected a list of 1 to %d variable names",
                     MC_MAX_BANDS);
            goto bad;
        }
        for(k = 0; k < json_array_size(v); k++) {
            json_t *e = json_array_get(v, k);
            if(!json_is_string(e)) {
                cli_errf(err, sizeof(err), "bands[%zu]: expected a variable name", k);
                goto bad;
            }
            band_vars[k] = json_string_value(e);
        }
        job.n_bands = json_array_size(v);
    }
    else if(json_object_get(root, "spec") && spec.n_bands > 0) {
        for(k = 0; k < spec.n_bands; k++)
            band_vars[k] = spec.bands[k];
        job.n_bands = spec.n_bands;
    }
    else {
        for(k = 0; k < 3; k++)
            band_vars[k] = default_bands[k];
        job.n_bands = 3;
    }
    for(k = 0; k < job.n_bands; k++)
        if(oc_model_find(c->model, band_vars[k], &band_index[k], NULL) != OC_OK) {
            cli_errf(err, sizeof(err), "bands[%zu]: the model has no '%.100s'", k, band_vars[k]);
            goto bad;
        }
    if(request_prepare(&rq, c->model, 1, &probe, err, sizeof(err)) != 0)
        goto bad;
    oc_run_specs(probe, &sp);
    oc_run_free(probe);
    {
        double first = ceil(sp.start - 1e-9), y;
        size_t n_save = (size_t)floor((sp.stop - sp.start) / sp.save_step + 1e-9) + 1;
        for(y = first; y <= sp.stop + 1e-9; y += 1.0)
            job.n_times++;
        if(job.n_times == 0 || job.n_times > 1000) {
            cli_errf(err, sizeof(err), "the run must span 1 to 1000 years for /api/mc");
            goto bad;
        }
        if((double)samples * (double)job.n_bands * (double)job.n_times >
           (double)MC_API_MAX_BAND_VALUES) {
            cli_errf(err, sizeof(err),
                     "%llu samples x %zu band variables x %zu years is more band values than "
                     "this server keeps per request (%u); ask for fewer, or run `overcap mc`",
                     (unsigned long long)samples, job.n_bands, job.n_times,
                     MC_API_MAX_BAND_VALUES);
            status = 413;
            goto bad;
        }
        years = calloc(job.n_times, sizeof(double));
        band_save = calloc(job.n_times, sizeof(size_t));
        if(!years || !band_save)
            goto oom;
        for(t = 0; t < job.n_times; t++) {
            double kk;
            years[t] = first + (double)t;
            kk = floor((years[t] - sp.start) / sp.save_step + 0.5);
            band_save[t] = kk < 0 ? 0 : kk >= (double)n_save ? n_save - 1 : (size_t)kk;
        }
    }
    param_index = calloc(spec.n_params + 1, sizeof(size_t));
    job.n = samples;
    job.rq = &rq;
    job.ok = calloc(samples, 1);
    job.bubble = calloc(samples, 1);
    job.onset = calloc(samples, sizeof(double));
    job.bands = calloc(samples * job.n_bands * job.n_times, sizeof(double));
    col = calloc(samples, sizeof(double));
    done = calloc(ocmc_blocks(samples, 64) / 8 + 1, 1);
    if(!param_index || !job.ok || !job.bubble || !job.onset || !job.bands || !col || !done)
        goto oom;
    for(k = 0; k < spec.n_params; k++)
        param_index[k] = spec.params[k].index;
    if(mc_sampler_create(&spec, c->limits.mc_threads, &smp, err, sizeof(err)) != 0)
        goto bad;
    cfg.prepare = mc_prepare;
    cfg.prepare_ud = &job;
    cfg.n_params = spec.n_params;
    cfg.param_index = param_index;
    cfg.sample = mc_sampler_sample;
    cfg.sample_ud = smp;
    cfg.seed = spec.seed;
    ocx_mapping_flagship(&cfg.map);
    ocx_params_flagship(&cfg.params);
    cfg.n_bands = job.n_bands;
    cfg.band_index = band_index;
    cfg.n_band_times = job.n_times;
    cfg.band_save = band_save;
    cfg.consume = mc_consume;
    cfg.consume_ud = &job;
    cfg.lanes = 64;
    cfg.threads = c->limits.mc_threads ? c->limits.mc_threads : 1;
    cfg.stop = c->stop;
    if(ocmc_run(&cfg, samples, 1, 0, done, err, sizeof(err)) != 0)
        goto bad;
    for(i = 0; i < ocmc_blocks(samples, 64); i++)
        if(!(done[i / 8] & (1u << (i % 8)))) {
            cli_errf(err, sizeof(err), "the server is shutting down");
            status = 503;
            goto bad;
        }
    for(i = 0; i < samples; i++)
        n_ok += job.ok[i];

    sb_s(&b, "{");
    sb_key(&b, "scenario");
    sb_str(&b, rq.scenario_name);
    sb_fstr(&b, "spec", spec.name);
    sb_f(&b, ",\"samples\":%llu,\"seed\":%llu,\"failed\":%llu,\"sampling\":",
         (unsigned long long)samples, (unsigned long long)spec.seed,
         (unsigned long long)(samples - n_ok));
    sb_str(&b, ocs_method_name(spec.method));
    sb_s(&b, ",\"p_bubble_by_year\":[");
    for(t = 0; t < job.n_times; t++) {
        uint64_t hits = 0;
        double lo, hi;
        for(i = 0; i < samples; i++)
            hits += job.bubble[i] && job.onset[i] <= years[t] + 1e-9;
        ocs_wilson(hits, n_ok, 1.959963984540054, &lo, &hi);
        sb_s(&b, t ? ",{\"year\":" : "{\"year\":");
        sb_num(&b, years[t]);
        sb_fnum(&b, "p", n_ok ? (double)hits / (double)n_ok : (double)NAN);
        sb_fnum(&b, "lo", lo);
        sb_fnum(&b, "hi", hi);
        sb_s(&b, "}");
    }
    sb_s(&b, "],\"bands\":{");
    for(k = 0; k < job.n_bands; k++) {
        size_t q;
        if(k)
            sb_s(&b, ",");
        sb_key(&b, band_vars[k]);
        sb_s(&b, "{\"time\":[");
        for(t = 0; t < job.n_times; t++) {
            if(t)
                sb_s(&b, ",");
            sb_num(&b, years[t]);
        }
        sb_s(&b, "]");
        for(q = 0; q < 5; q++) {
            sb_f(&b, ",\"p%d\":[", (int)(qs[q] * 100 + 0.5));
            for(t = 0; t < job.n_times; t++) {
                size_t m = 0;
                for(i = 0; i < samples; i++) {
                    double x = job.bands[(i * job.n_bands + k) * job.n_times + t];
                    if(job.ok[i] && isfinite(x))
                        col[m++] = x;
                }
                if(t)
                    sb_s(&b, ",");
                if(m == 0)
                    sb_s(&b, "null");
                else {
                    qsort(col, m, sizeof(double), cmp_double);
                    sb_num(&b, quantile(col, m, qs[q]));
                }
            }
            sb_s(&b, "]");
        }
        sb_s(&b, "}");
    }
    sb_s(&b, "}}\n");
    respond(out, 200, &b);
    b.p = NULL;
    goto done;
oom:
    cli_errf(err, sizeof(err), "out of memory");
    status = 500;
bad:
    api_error(out, status, "%s", err);
done:
    free(b.p);
    mc_sampler_free(smp);
    free(years);
    free(band_save);
    free(param_index);
    free(job.ok);
    free(job.bubble);
    free(job.onset);
    free(job.bands);
    free(col);
    free(done);
    mc_spec_free(&spec);
    scenario_free(&rq.sc);
    json_decref(root);
}

/* ------------------------------------------------------------------ */
/* Routing                                                             */
/* ------------------------------------------------------------------ */

void api_handle(api_ctx *c, const char *method, const char *path, const char *body, size_t len,
                api_response *out)
{
    static const struct {
        const char *path, *method;
    } routes[] = {{"/api/model", "GET"},  {"/api/scenarios", "GET"}, {"/api/run", "POST"},
                  {"/api/critical", "POST"}, {"/api/mc", "POST"}};
    size_t k;
    memset(out, 0, sizeof(*out));
    out->heavy = api_is_heavy(method, path);
    for(k = 0; k < sizeof(routes) / sizeof(routes[0]); k++) {
        if(strcmp(path, routes[k].path) != 0)
            continue;
        if(strcmp(method, routes[k].method) != 0) {
            api_error(out, 405, "%s takes %s, not %.20s", path, routes[k].method, method);
            return;
        }
        switch(k) {
        case 0: get_model(c, out); return;
        case 1: get_scenarios(out); return;
        case 2: post_run(c, body, len, out); return;
        case 3: post_critical(c, body, len, out); return;
        default: post_mc(c, body, len, out); return;
        }
    }
    api_error(out, 404, "no endpoint %.200s (GET /api/model, GET /api/scenarios, POST /api/run, "
                        "POST /api/critical, POST /api/mc)",
              path);
}
