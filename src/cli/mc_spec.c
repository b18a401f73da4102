/*
 * mc_spec.c - Monte Carlo specs and their sampler (see mc_spec.h).
 *
 * Everything a spec says is checked before any run starts: unknown keys,
 * wrong types, impossible distribution parameters, sample counts out of
 * range, a correlation matrix that is not positive definite, constants the
 * model does not have or that are not constants, distributions reaching
 * outside a constant's plausible <range>. Each message names the key.
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "mc_spec.h"


#define BUILTIN_SPEC "uncertainty/ai_compute.json"
#define MAX_SPEC_BYTES (4 << 20)
#define MAX_ARRIVALS 64 /* jump arrivals drawn per sample; only the first slots are used */

void mc_spec_free(mc_spec *s)
{
    size_t i;
    for(i = 0; i < s->n_params; i++)
        free(s->params[i].name);
    free(s->params);
    for(i = 0; i < s->n_bands; i++)
        free(s->bands[i]);
    free(s->bands);
    free(s->name);
    free(s->description);
    free(s->scenario);
    free(s->model_path);
    free(s->corr_matrix);
    free(s->corr_params);
    memset(s, 0, sizeof(*s));
}

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i;
    for(i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int num(json_t *j, const char *where, const char *key, double *out, char *err,
               size_t errlen)
{
    json_t *v = json_object_get(j, key);
    if(!v)
        return cli_errf(err, errlen, "%s.%s is missing", where, key);
    if(!json_is_number(v) || !isfinite(json_number_value(v)))
        return cli_errf(err, errlen, "%s.%s must be a finite number", where, key);
    *out = json_number_value(v);
    return 0;
}

static char *dup_str(const char *t)
{
    size_t n = strlen(t);
    char *s = malloc(n + 1);
    if(s)
        memcpy(s, t, n + 1);
    return s;
}

/* The keys a distribution may have, by name. */
static const char *dist_keys(const char *name)
{
    if(!strcmp(name, "uniform") || !strcmp(name, "loguniform"))
        return " min max ";
    if(!strcmp(name, "normal"))
        return " mean sd ";
    if(!strcmp(name, "lognormal"))
        return " median gsd mean sd ";
    if(!strcmp(name, "triangular"))
        return " min mode max ";
    if(!strcmp(name, "beta"))
        return " alpha beta min max ";
    if(!strcmp(name, "pert"))
        return " min mode max lambda ";
    if(!strcmp(name, "choice") || !strcmp(name, "discrete"))
        return " values weights ";
    if(!strcmp(name, "pareto"))
        return " xmin alpha ";
    if(!strcmp(name, "exponential"))
        return " rate ";
    return NULL;
}

static int parse_dist(json_t *o, const char *where, ocs_dist *d, char *err, size_t errlen)
{
    const char *name, *keys, *key;
    json_t *val;
    double a = 0, b = 0, c = 0, e = 0;
    char msg[300];
    if(!json_is_object(o))
        return cli_errf(err, errlen, "%s must be an object such as {\"dist\": \"uniform\", \"min\": "
                                  "0, \"max\": 1}",
                     where);
    name = json_string_value(json_object_get(o, "dist"));
    if(!name)
        return cli_errf(err, errlen, "%s.dist must name a distribution", where);
    keys = dist_keys(name);
    if(!keys)
        return cli_errf(err, errlen,
                     "%s.dist: unknown distribution \"%s\" (uniform, loguniform, normal, "
                     "lognormal, triangular, beta, pert, choice, pareto, exponential)",
                     where, name);
    json_object_foreach(o, key, val) {
        char pad[64];
        snprintf(pad, sizeof(pad), " %.60s ", key);
        if(!strcmp(key, "dist") || !strcmp(key, "truncate") || !strcmp(key, "source") ||
           !strcmp(key, "note"))
            continue;
        if(!strstr(keys, pad))
            return cli_errf(err, errlen, "%s.%s: not a parameter of a %s distribution (%s)", where,
                         key, name, keys + 1);
    }
    memset(d, 0, sizeof(*d));
    if(!strcmp(name, "uniform") || !strcmp(name, "loguniform")) {
        if(num(o, where, "min", &a, err, errlen) || num(o, where, "max", &b, err, errlen))
            return -1;
        if(name[0] == 'u')
            ocs_dist_uniform(d, a, b);
        else
            ocs_dist_loguniform(d, a, b);
    }
    else if(!strcmp(name, "normal")) {
        if(num(o, where, "mean", &a, err, errlen) || num(o, where, "sd", &b, err, errlen))
            return -1;
        ocs_dist_normal(d, a, b);
    }
    else if(!strcmp(name, "lognormal")) {
        if(json_object_get(o, "median")) {
            if(num(o, where, "median", &a, err, errlen) || num(o, where, "gsd", &b, err, errlen))
                return -1;
            ocs_dist_lognormal(d, a, b);
        }
        else {
            if(num(o, where, "mean", &a, err, errlen) || num(o, where, "sd", &b, err, errlen))
                return -1;
            ocs_dist_lognormal_moments(d, a, b);
        }
    }
    else if(!strcmp(name, "triangular")) {
        if(num(o, where, "min", &a, err, errlen) || num(o, where, "mode", &b, err, errlen) ||
           num(o, where, "max", &c, err, errlen))
            return -1;
        ocs_dist_triangular(d, a, b, c);
    }
    else if(!strcmp(name, "beta")) {
        if(num(o, where, "alpha", &a, err, errlen) || num(o, where, "beta", &b, err, errlen) ||
           num(o, where, "min", &c, err, errlen) || num(o, where, "max", &e, err, errlen))
            return -1;
        ocs_dist_beta(d, a, b, c, e);
    }
    else if(!strcmp(name, "pert")) {
        e = OCS_PERT_LAMBDA;
        if(num(o, where, "min", &a, err, errlen) || num(o, where, "mode", &b, err, errlen) ||
           num(o, where, "max", &c, err, errlen))
            return -1;
        if(json_object_get(o, "lambda") && num(o, where, "lambda", &e, err, errlen))
            return -1;
        ocs_dist_pert(d, a, b, c, e);
    }
    else if(!strcmp(name, "pareto")) {
        if(num(o, where, "xmin", &a, err, errlen) || num(o, where, "alpha", &b, err, errlen))
            return -1;
        ocs_dist_pareto(d, a, b);
    }
    else if(!strcmp(name, "exponential")) {
        if(num(o, where, "rate", &a, err, errlen))
            return -1;
        ocs_dist_exponential(d, a);
    }
    else { /* choice */
        json_t *vs = json_object_get(o, "values"), *ws = json_object_get(o, "weights");
        double values[OCS_DIST_MAX_CHOICES], weights[OCS_DIST_MAX_CHOICES];
        size_t n, i;
        if(!json_is_array(vs) || json_array_size(vs) == 0)
            return cli_errf(err, errlen, "%s.values must be a non-empty array of numbers", where);
        n = json_array_size(vs);
        if(n > OCS_DIST_MAX_CHOICES)
            return cli_errf(err, errlen, "%s.values: at most %d choices", where,
                         OCS_DIST_MAX_CHOICES);
        if(ws && (!json_is_array(ws) || json_array_size(ws) != n))
            return cli_errf(err, errlen, "%s.weights must be an array as long as values", where);
        for(i = 0; i < n; i++) {
            json_t *v = json_array_get(vs, i), *w = ws ? json_array_get(ws, i) : NULL;
            if(!json_is_number(v) || (w && !json_is_number(w)))
                return cli_errf(err, errlen, "%s: values and weights must be numbers", where);
            values[i] = json_number_value(v);
            weights[i] = w ? json_number_value(w) : 1.0;
        }
        ocs_dist_discrete(d, values, weights, n);
    }
    {
        json_t *t = json_object_get(o, "truncate");
        if(t) {
            json_t *lo = json_array_get(t, 0), *hi = json_array_get(t, 1);
            if(!json_is_array(t) || json_array_size(t) != 2 ||
               (!json_is_number(lo) && !json_is_null(lo)) ||
               (!json_is_number(hi) && !json_is_null(hi)))
                return cli_errf(err, errlen, "%s.truncate must be [lo, hi] (null for an open end)",
                             where);
            ocs_dist_truncate(d, json_is_null(lo) ? -HUGE_VAL : json_number_value(lo),
                              json_is_null(hi) ? HUGE_VAL : json_number_value(hi));
        }
    }
    if(ocs_dist_check(d, msg, sizeof(msg)) != OCS_OK)
        return cli_errf(err, errlen, "%s: %s", where, msg);
    return 0;
}

static int parse_jumps(json_t *o, const char *src, mc_spec *s, char *err, size_t errlen)
{
    const char *key;
    json_t *val;
    char where[600];
    if(!json_is_object(o))
        return cli_errf(err, errlen, "%s: jumps must be an object", src);
    json_object_foreach(o, key, val) {
        if(strcmp(key, "rate_per_year") && strcmp(key, "start") && strcmp(key, "end") &&
           strcmp(key, "size") && strcmp(key, "adoption_years") && strcmp(key, "source") &&
           strcmp(key, "note"))
            return cli_errf(err, errlen,
                         "%s: jumps.%s: unknown key (rate_per_year, start, end, size, "
                         "adoption_years)",
                         src, key);
    }
    snprintf(where, sizeof(where), "%.500s: jumps", src);
    if(num(o, where, "rate_per_year", &s->jump_rate, err, errlen) ||
       num(o, where, "start", &s->jump_start, err, errlen) ||
       num(o, where, "end", &s->jump_end, err, errlen))
        return -1;
    if(s->jump_rate < 0)
        return cli_errf(err, errlen, "%s.rate_per_year must not be negative, not %g", where,
                     s->jump_rate);
    if(!(s->jump_end > s->jump_start))
        return cli_errf(err, errlen, "%s: end %g must come after start %g", where, s->jump_end,
                     s->jump_start);
    snprintf(where, sizeof(where), "%.500s: jumps.size", src);
    if(parse_dist(json_object_get(o, "size"), where, &s->jump_size, err, errlen))
        return -1;
    snprintf(where, sizeof(where), "%.500s: jumps.adoption_years", src);
    if(json_object_get(o, "adoption_years")) {
        if(parse_dist(json_object_get(o, "adoption_years"), where, &s->jump_adoption, err,
                      errlen))
            return -1;
    }
    else
        ocs_dist_uniform(&s->jump_adoption, 0.5, 0.5 + 1e-12);
    s->has_jumps = 1;
    return 0;
}

static int parse_correlations(json_t *a, const char *src, mc_spec *s, char *err, size_t errlen)
{
    size_t i, j, k, n = json_array_size(a);
    if(!json_is_array(a))
        return cli_errf(err, errlen, "%s: correlations must be an array", src);
    /* the parameters involved, in order of first mention */
    s->corr_params = calloc(s->n_params + 1, sizeof(size_t));
    if(!s->corr_params)
        return cli_errf(err, errlen, "out of memory");
    for(i = 0; i < n; i++) {
        json_t *c = json_array_get(a, i);
        const char *names[2], *key;
        json_t *val;
        if(!json_is_object(c))
            return cli_errf(err, errlen, "%s: correlations[%zu] must be an object", src, i);
        json_object_foreach(c, key, val) {
            if(strcmp(key, "a") && strcmp(key, "b") && strcmp(key, "rank") && strcmp(key, "note"))
                return cli_errf(err, errlen, "%s: correlations[%zu].%s: unknown key (a, b, rank)",
                             src, i, key);
        }
        names[0] = json_string_value(json_object_get(c, "a"));
        names[1] = json_string_value(json_object_get(c, "b"));
        if(!names[0] || !names[1])
            return cli_errf(err, errlen, "%s: correlations[%zu] needs \"a\" and \"b\"", src, i);
        for(k = 0; k < 2; k++) {
            for(j = 0; j < s->n_params && strcmp(s->params[j].name, names[k]); j++)
                ;
            if(j == s->n_params)
                return cli_errf(err, errlen,
                             "%s: correlations[%zu].%s: '%s' is not one of the parameters", src,
                             i, k ? "b" : "a", names[k]);
            if(s->params[j].corr_col < 0) {
                s->params[j].corr_col = (int)s->n_corr;
                s->corr_params[s->n_corr++] = j;
            }
        }
    }
    s->corr_matrix = calloc(s->n_corr * s->n_corr + 1, sizeof(double));
    if(!s->corr_matrix)
        return cli_errf(err, errlen, "out of memory");
    for(i = 0; i < s->n_corr; i++)
        s->corr_matrix[i * s->n_corr + i] = 1.0;
    for(i = 0; i < n; i++) {
        json_t *c = json_array_get(a, i), *r = json_object_get(c, "rank");
        size_t p = 0, q = 0;
        double v;
        if(!json_is_number(r) || !(json_number_value(r) >= -1 && json_number_value(r) <= 1))
            return cli_errf(err, errlen, "%s: correlations[%zu].rank must be a number in [-1, 1]",
                         src, i);
        v = json_number_value(r);
        for(j = 0; j < s->n_params; j++) {
            if(!strcmp(s->params[j].name, json_string_value(json_object_get(c, "a"))))
                p = (size_t)s->params[j].corr_col;
            if(!strcmp(s->params[j].name, json_string_value(json_object_get(c, "b"))))
                q = (size_t)s->params[j].corr_col;
        }
        if(p == q)
            return cli_errf(err, errlen, "%s: correlations[%zu] correlates a parameter with itself",
                         src, i);
        s->corr_matrix[p * s->n_corr + q] = v;
        s->corr_matrix[q * s->n_corr + p] = v;
    }
    if(s->n_corr) {
        ocs_corr *test = NULL;
        char msg[300];
        if(ocs_corr_create(s->n_corr, s->corr_matrix, &test, msg, sizeof(msg)) != OCS_OK)
            return cli_errf(err, errlen, "%s: correlations: %s", src, msg);
        ocs_corr_free(test);
    }
    return 0;
}

int mc_spec_parse(const char *text, size_t len, const char *source, mc_spec *s, char *err,
                  size_t errlen)
{
    json_error_t je;
    json_t *root, *val;
    const char *key;
    int rc = 0;

    memset(s, 0, sizeof(*s));
    snprintf(s->source, sizeof(s->source), "%s", source);
    s->samples = 10000;
    s->method = OCS_SOBOL;
    s->fingerprint = fnv1a(text, len);
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if(!root)
        return cli_errf(err, errlen, "%s:%d:%d: malformed JSON: %s", source, je.line, je.column,
                     je.text);
    if(!json_is_object(root)) {
        json_decref(root);
        return cli_errf(err, errlen, "%s: a spec must be a JSON object", source);
    }
    /* parameters first: correlations refer to them */
    val = json_object_get(root, "parameters");
    if(val) {
        const char *pname;
        json_t *pv;
        if(!json_is_object(val)) {
            rc = cli_errf(err, errlen, "%s: parameters must be an object", source);
            goto done;
        }
        if(json_object_size(val) > MC_MAX_PARAMS) {
            rc = cli_errf(err, errlen, "%s: parameters: at most %d", source, MC_MAX_PARAMS);
            goto done;
        }
        s->params = calloc(json_object_size(val) + 1, sizeof(mc_param));
        if(!s->params) {
            rc = cli_errf(err, errlen, "out of memory");
            goto done;
        }
        json_object_foreach(val, pname, pv) {
            char where[600];
            mc_param *p = &s->params[s->n_params];
            snprintf(where, sizeof(where), "%.300s: parameters.%.200s", source, pname);
            p->name = dup_str(pname);
            p->corr_col = -1;
            s->n_params++;
            if(!p->name) {
                rc = cli_errf(err, errlen, "out of memory");
                goto done;
            }
            rc = parse_dist(pv, where, &p->dist, err, errlen);
            if(rc)
                goto done;
        }
    }
    json_object_foreach(root, key, val) {
        if(!strcmp(key, "parameters") || !strcmp(key, "source") || !strcmp(key, "note"))
            continue;
        if(!strcmp(key, "name") || !strcmp(key, "description") || !strcmp(key, "scenario") ||
           !strcmp(key, "model")) {
            char **dst = key[0] == 'n'   ? &s->name
                         : key[0] == 'd' ? &s->description
                         : key[0] == 's' ? &s->scenario
                                         : &s->model_path;
            if(!json_is_string(val)) {
                rc = cli_errf(err, errlen, "%s: %s must be a string", source, key);
                goto done;
            }
            *dst = dup_str(json_string_value(val));
        }
        else if(!strcmp(key, "samples")) {
            double v = json_number_value(val);
            if(!json_is_integer(val) || v < 1 || v > (double)MC_MAX_SAMPLES) {
                rc = cli_errf(err, errlen, "%s: samples must be a whole number from 1 to 2^40, not %s",
                           source, json_is_number(val) ? "that" : "a non-number");
                goto done;
            }
            s->samples = (uint64_t)json_integer_value(val);
        }
        else if(!strcmp(key, "seed")) {
            if(!json_is_integer(val) || json_integer_value(val) < 0) {
                rc = cli_errf(err, errlen, "%s: seed must be a whole number >= 0", source);
                goto done;
            }
            s->seed = (uint64_t)json_integer_value(val);
        }
        else if(!strcmp(key, "sampling")) {
            const char *m = json_string_value(val);
            int method = m ? ocs_method_from_name(m) : -1;
            if(method < 0) {
                rc = cli_errf(err, errlen, "%s: sampling must be \"random\", \"lhs\" or \"sobol\"",
                           source);
                goto done;
            }
            s->method = (ocs_method)method;
        }
        else if(!strcmp(key, "correlations")) {
            rc = parse_correlations(val, source, s, err, errlen);
            if(rc)
                goto done;
        }
        else if(!strcmp(key, "jumps")) {
            rc = parse_jumps(val, source, s, err, errlen);
            if(rc)
                goto done;
        }
        else if(!strcmp(key, "bands")) {
            size_t i;
            if(!json_is_array(val) || json_array_size(val) > MC_MAX_BANDS) {
                rc = cli_errf(err, errlen, "%s: bands must be an array of at most %d variable names",
                           source, MC_MAX_BANDS);
                goto done;
            }
            s->bands = calloc(json_array_size(val) + 1, sizeof(char *));
            if(!s->bands) {
                rc = cli_errf(err, errlen, "out of memory");
                goto done;
            }
            for(i = 0; i < json_array_size(val); i++) {
                const char *b = json_string_value(json_array_get(val, i));
                if(!b) {
                    rc = cli_errf(err, errlen, "%s: bands[%zu] must be a variable name", source, i);
                    goto done;
                }
                s->bands[s->n_bands++] = dup_str(b);
            }
        }
        else {
            rc = cli_errf(err, errlen,
                       "%s: unknown key \"%s\" (name, description, scenario, model, samples, "
                       "seed, sampling, parameters, correlations, jumps, bands)",
                       source, key);
            goto done;
        }
    }
    if(s->n_params == 0 && !s->has_jumps)
        rc = cli_errf(err, errlen, "%s: nothing is uncertain: give parameters or jumps", source);
done:
    json_decref(root);
    if(rc)
        mc_spec_free(s);
    return rc;
}

int mc_spec_load(const char *path, mc_spec *s, char *err, size_t errlen)
{
    char *buf;
    size_t len;
    int rc;
    if(!path || !strcmp(path, "built-in")) {
        const struct oc_embedded *e = cli_embedded(BUILTIN_SPEC);
        if(e)
            return mc_spec_parse((const char *)e->data, e->size, "built-in:" BUILTIN_SPEC, s, err,
                                 errlen);
        return cli_errf(err, errlen, "this build has no built-in spec; give a spec file");
    }
    rc = cli_read_file(path, MAX_SPEC_BYTES, "spec", &buf, &len, err, errlen);
    if(rc)
        return rc;
    rc = mc_spec_parse(buf, len, path, s, err, errlen);
    free(buf);
    return rc;
}

/* The support of a distribution: its 0 and 1 quantiles. */
static void support(const ocs_dist *d, double *lo, double *hi)
{
    *lo = ocs_dist_quantile(d, 0.0);
    *hi = ocs_dist_quantile(d, 1.0);
}

static int check_within(const oc_model *m, size_t idx, const ocs_dist *d, const char *where,
                        char *err, size_t errlen)
{
    oc_var_info info;
    double lo, hi, slack;
    oc_model_var_info(m, idx, &info);
    if(!info.has_range)
        return 0;
    support(d, &lo, &hi);
    slack = 1e-9 * (fabs(info.range_max) + fabs(info.range_min) + 1.0);
    if(lo < info.range_min - slack || hi > info.range_max + slack)
        return cli_errf(err, errlen,
                     "%s: the distribution reaches %g to %g, outside the plausible range of '%s', "
                     "%g to %g %s (truncate it, or widen the model's <range>)",
                     where, lo, hi, info.name, info.range_min, info.range_max, info.units);
    return 0;
}

int mc_spec_bind(mc_spec *s, const oc_model *m, ocmc_config *cfg, size_t *band_index,
                 char *err, size_t errlen)
{
    size_t k, slot;
    for(k = 0; k < s->n_params; k++) {
        mc_param *p = &s->params[k];
        oc_var_info info;
        char where[600];
        snprintf(where, sizeof(where), "%.300s: parameters.%.200s", s->source, p->name);
        if(oc_model_find(m, p->name, &p->index, NULL) != OC_OK)
            return cli_errf(err, errlen, "%s: the model has no constant of that name", where);
        oc_model_var_info(m, p->index, &info);
        if(!info.is_constant)
            return cli_errf(err, errlen, "%s: '%s' is not a constant of the model", where,
                         info.name);
        if(check_within(m, p->index, &p->dist, where, err, errlen))
            return -1;
    }
    cfg->n_jump_slots = 0;
    for(slot = 0; slot < OCMC_MAX_JUMPS; slot++) {
        char names[3][64];
        size_t q;
        snprintf(names[0], sizeof(names[0]), "jump_%zu_year", slot + 1);
        snprintf(names[1], sizeof(names[1]), "jump_%zu_factor", slot + 1);
        snprintf(names[2], sizeof(names[2]), "jump_%zu_adoption_years", slot + 1);
        for(q = 0; q < 3; q++)
            if(oc_model_find(m, names[q], &cfg->jump_index[slot][q], NULL) != OC_OK)
                break;
        if(q < 3)
            break;
        cfg->n_jump_slots++;
    }
    if(s->has_jumps) {
        char where[600];
        oc_var_info info;
        if(cfg->n_jump_slots == 0)
            return cli_errf(err, errlen,
                         "%s: jumps: the model has no jump slots (jump_1_year, jump_1_factor, "
                         "jump_1_adoption_years)",
                         s->source);
        oc_model_var_info(m, cfg->jump_index[0][0], &info);
        if(info.has_range && (s->jump_start < info.range_min || s->jump_end > info.range_max))
            return cli_errf(err, errlen, "%s: jumps: %g to %g is outside the years jump_1_year "
                                      "allows, %g to %g",
                         s->source, s->jump_start, s->jump_end, info.range_min, info.range_max);
        snprintf(where, sizeof(where), "%.500s: jumps.size", s->source);
        if(check_within(m, cfg->jump_index[0][1], &s->jump_size, where, err, errlen))
            return -1;
        {
            double lo, hi;
            support(&s->jump_size, &lo, &hi);
            if(lo < 1.0)
                return cli_errf(err, errlen, "%s: jump sizes must be at least 1, and this one "
                                          "reaches %g",
                             where, lo);
        }
        snprintf(where, sizeof(where), "%.500s: jumps.adoption_years", s->source);
        if(check_within(m, cfg->jump_index[0][2], &s->jump_adoption, where, err, errlen))
            return -1;
    }
    for(k = 0; k < s->n_bands; k++)
        if(oc_model_find(m, s->bands[k], &band_index[k], NULL) != OC_OK)
            return cli_errf(err, errlen, "%s: bands[%zu]: no variable '%s' in the model", s->source,
                         k, s->bands[k]);
    return 0;
}

/* ------------------------------------------------------------------ */
/* The sampler                                                         */
/* ------------------------------------------------------------------ */

/* Correlated points come a block of OCS_BLOCK samples at a time, and the
 * threads work on neighbouring blocks of futures, so they share the blocks
 * of points: a block is computed once, by the first thread to need it,
 * while the others wait for it. A slot in use is never replaced. */
typedef struct block_slot {
    uint64_t block; /* UINT64_MAX: empty */
    int ready;      /* 0 while a thread computes it */
    int failed;
    unsigned users;
    uint64_t last_use; /* for replacing the least recently taken */
    double *points;    /* OCS_BLOCK x dims */
} block_slot;

struct mc_sampler {
    const mc_spec *spec;
    ocs_design *design;
    ocs_corr *corr;
    size_t *corr_cols;
    block_slot *slots; /* 2 per thread, plus one */
    size_t n_slots;
    size_t *held; /* per thread: the slot it reads, or SIZE_MAX */
    uint64_t clock;
    pthread_mutex_t lock;
    pthread_cond_t computed;
    int sync; /* lock and computed exist */
    unsigned threads;
    uint64_t jump_seed;
};

void mc_sampler_free(mc_sampler *smp)
{
    size_t k;
    if(!smp)
        return;
    for(k = 0; smp->slots && k < smp->n_slots; k++)
        free(smp->slots[k].points);
    free(smp->slots);
    free(smp->held);
    if(smp->sync) {
        pthread_mutex_destroy(&smp->lock);
        pthread_cond_destroy(&smp->computed);
    }
    free(smp->corr_cols);
    ocs_corr_free(smp->corr);
    ocs_design_free(smp->design);
    free(smp);
}

/* The slot holding the points of `block` for `thread`, computing them if no
 * thread has; NULL when they cannot be computed. */
static const block_slot *take_block_points(mc_sampler *smp, unsigned thread, uint64_t block)
{
    block_slot *slot;
    size_t k, rows;
    int rc;
    pthread_mutex_lock(&smp->lock);
    if(smp->held[thread] != SIZE_MAX) {
        smp->slots[smp->held[thread]].users--;
        smp->held[thread] = SIZE_MAX;
        pthread_cond_broadcast(&smp->computed); /* a slot may have come free */
    }
    for(;;) {
        block_slot *free_slot = NULL;
        slot = NULL;
        for(k = 0; k < smp->n_slots; k++) {
            block_slot *b = &smp->slots[k];
            if(b->block == block && !b->failed)
                slot = b;
            else if(b->users == 0 && (b->ready || b->block == UINT64_MAX) &&
                    (!free_slot || b->last_use < free_slot->last_use))
                free_slot = b;
        }
        if(slot && slot->ready) { /* computed: share it */
            slot->users++;
            break;
        }
        if(!slot && free_slot) {
            /* compute it, outside the lock; others asking for it wait */
            slot = free_slot;
            slot->block = block;
            slot->ready = 0;
            slot->failed = 0;
            slot->users = 1;
            pthread_mutex_unlock(&smp->lock);
            rc = ocs_design_block(smp->design, smp->corr, smp->corr_cols, block, slot->points,
                                  &rows);
            pthread_mutex_lock(&smp->lock);
            slot->ready = 1;
            slot->failed = rc != OCS_OK;
            pthread_cond_broadcast(&smp->computed);
            break;
        }
        /* another thread is computing it, or (never with more slots than
         * threads can hold) every slot is in use: wait */
        pthread_cond_wait(&smp->computed, &smp->lock);
    }
    slot->last_use = ++smp->clock;
    smp->held[thread] = (size_t)(slot - smp->slots);
    if(slot->failed) {
        slot->users--;
        smp->held[thread] = SIZE_MAX;
        slot = NULL;
    }
    pthread_mutex_unlock(&smp->lock);
    return slot;
}

int mc_sampler_create(const mc_spec *s, unsigned threads, mc_sampler **out, char *err,
                      size_t errlen)
{
    mc_sampler *smp = calloc(1, sizeof(*smp));
    char msg[300];
    size_t k;
    unsigned t;
    *out = NULL;
    if(!smp)
        return cli_errf(err, errlen, "out of memory");
    smp->spec = s;
    smp->threads = threads ? threads : 1;
    threads = smp->threads;
    smp->jump_seed = ocs_substream(s->seed, 1);
    if(s->n_params &&
       ocs_design_create(s->method, s->n_params, s->samples, s->seed, 0, &smp->design, msg,
                         sizeof(msg)) != OCS_OK) {
        mc_sampler_free(smp);
        return cli_errf(err, errlen, "%s: %s", s->source, msg);
    }
    if(s->n_corr) {
        smp->corr_cols = calloc(s->n_corr, sizeof(size_t));
        smp->n_slots = 2 * (size_t)threads + 1;
        smp->slots = calloc(smp->n_slots, sizeof(block_slot));
        smp->held = calloc(threads, sizeof(size_t));
        if(!smp->corr_cols || !smp->slots || !smp->held) {
            mc_sampler_free(smp);
            return cli_errf(err, errlen, "out of memory");
        }
        if(pthread_mutex_init(&smp->lock, NULL) != 0) {
            mc_sampler_free(smp);
            return cli_errf(err, errlen, "cannot create a mutex");
        }
        if(pthread_cond_init(&smp->computed, NULL) != 0) {
            pthread_mutex_destroy(&smp->lock);
            mc_sampler_free(smp);
            return cli_errf(err, errlen, "cannot create a condition variable");
        }
        smp->sync = 1;
        for(k = 0; k < s->n_corr; k++)
            smp->corr_cols[k] = s->corr_params[k];
        if(ocs_corr_create(s->n_corr, s->corr_matrix, &smp->corr, msg, sizeof(msg)) != OCS_OK) {
            mc_sampler_free(smp);
            return cli_errf(err, errlen, "%s: correlations: %s", s->source, msg);
        }
        for(t = 0; t < threads; t++)
            smp->held[t] = SIZE_MAX;
        for(k = 0; k < smp->n_slots; k++) {
            smp->slots[k].block = UINT64_MAX;
            smp->slots[k].points = calloc((size_t)OCS_BLOCK * s->n_params, sizeof(double));
            if(!smp->slots[k].points) {
                mc_sampler_free(smp);
                return cli_errf(err, errlen, "out of memory");
            }
        }
    }
    *out = smp;
    return 0;
}

/* Arrivals of a Poisson process over [start, end], sorted by time, each
 * with a size and an adoption time; the first OCMC_MAX_JUMPS are kept. */
static void draw_jumps(const mc_spec *s, uint64_t seed, uint64_t i, ocmc_jump *jumps,
                       size_t *n_jumps)
{
    double span = s->jump_end - s->jump_start;
    double count = ocs_poisson_quantile(s->jump_rate * span, ocs_uniform(seed, i, 0));
    size_t n = count > MAX_ARRIVALS ? MAX_ARRIVALS : (size_t)count, k, kept = 0;
    ocmc_jump all[MAX_ARRIVALS];
    for(k = 0; k < n; k++) {
        all[k].year = s->jump_start + span * ocs_uniform(seed, i, 1 + 3 * k);
        all[k].factor = ocs_dist_quantile(&s->jump_size, ocs_uniform(seed, i, 2 + 3 * k));
        all[k].adoption_years =
            ocs_dist_quantile(&s->jump_adoption, ocs_uniform(seed, i, 3 + 3 * k));
    }
    /* insertion sort by arrival time; ties cannot occur in practice */
    for(k = 1; k < n; k++) {
        ocmc_jump x = all[k];
        size_t j = k;
        while(j > 0 && all[j - 1].year > x.year) {
            all[j] = all[j - 1];
            j--;
        }
        all[j] = x;
    }
    for(k = 0; k < n && kept < OCMC_MAX_JUMPS; k++)
        jumps[kept++] = all[k];
    *n_jumps = kept;
}

int mc_sampler_sample(void *ud, unsigned thread, uint64_t i, double *values, ocmc_jump *jumps,
                      size_t *n_jumps)
{
    mc_sampler *smp = ud;
    const mc_spec *s = smp->spec;
    size_t k;
    *n_jumps = 0;
    if(s->n_params) {
        if(smp->corr) {
            uint64_t block = ocs_block_of(i), first, count;
            size_t h = smp->held[thread]; /* only this thread changes its entry */
            const block_slot *b = h != SIZE_MAX ? &smp->slots[h] : NULL;
            ocs_block_range(block, s->samples, &first, &count);
            if(!b || b->block != block)
                b = take_block_points(smp, thread, block);
            if(!b)
                return -1;
            for(k = 0; k < s->n_params; k++)
                values[k] = b->points[(i - first) * s->n_params + k];
        }
        else
            ocs_design_row(smp->design, i, values);
        for(k = 0; k < s->n_params; k++)
            values[k] = ocs_dist_quantile(&s->params[k].dist, values[k]);
    }
    if(s->has_jumps)
        draw_jumps(s, smp->jump_seed, i, jumps, n_jumps);
    return 0;
}

int mc_sampler_from_unit(const mc_spec *s, const double *u, double *values, ocmc_jump *jumps,
                         size_t *n_jumps)
{
    size_t k;
    for(k = 0; k < s->n_params; k++)
        values[k] = ocs_dist_quantile(&s->params[k].dist, u[k]);
    *n_jumps = 0;
    if(s->has_jumps && s->jump_rate > 0) {
        /* the first arrival of the process: exponential waiting time */
        double t = s->jump_start - log(1.0 - u[s->n_params]) / s->jump_rate;
        if(t <= s->jump_end) {
            jumps[0].year = t;
            jumps[0].factor = ocs_dist_quantile(&s->jump_size, u[s->n_params + 1]);
            jumps[0].adoption_years = ocs_dist_quantile(&s->jump_adoption, 0.5);
            *n_jumps = 1;
        }
    }
    return 0;
}
