/*
 * scenario.c - scenario files: JSON overrides and efficiency jumps, strictly
 * validated. The only user of jansson.
 *
 * A scenario is
 *   {"name": "jump-10x", "description": "...", "assumptions": "...",
 *    "set": {"constant_name": number, ...},
 *    "jumps": [{"year": 2027, "factor": 10, "adoption_years": 0.5}],
 *    "specs": {"start": 2020, "stop": 2040, "dt": 0.25, "save_step": 1,
 *              "method": "euler"}}
 * Every key is optional except that unknown keys are errors, naming the key;
 * so are values of the wrong type, constants the model does not have,
 * values outside a constant's <range>, and impossible jumps. Validation
 * happens before anything runs or is written.
 *
 * "jumps" fill the model's jump slots in order: jump_K_year, jump_K_factor,
 * jump_K_adoption_years for K = 1, 2, ... (as many as the model has).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "scenario.h"


void scenario_free(scenario *s)
{
    size_t i;
    for(i = 0; i < s->n_set; i++)
        free(s->set[i].name);
    free(s->set);
    free(s->name);
    free(s->description);
    free(s->assumptions);
    memset(s, 0, sizeof(*s));
}

static char *dup_string(const json_t *j)
{
    const char *t = json_string_value(j);
    size_t n = t ? strlen(t) : 0;
    char *s = malloc(n + 1);
    if(s) {
        if(t)
            memcpy(s, t, n);
        s[n] = '\0';
    }
    return s;
}

static int number(const json_t *j, const char *where, double *out, char *err, size_t errlen)
{
    double v;
    if(!json_is_number(j))
        return cli_errf(err, errlen, "%s must be a number", where);
    v = json_number_value(j);
    if(!isfinite(v))
        return cli_errf(err, errlen, "%s must be a finite number", where);
    *out = v;
    return 0;
}

static int parse_specs(json_t *o, const char *src, scenario *s, char *err, size_t errlen)
{
    const char *key;
    json_t *val;
    if(!json_is_object(o))
        return cli_errf(err, errlen, "%s: \"specs\" must be an object", src);
    json_object_foreach(o, key, val) {
        char where[160];
        snprintf(where, sizeof(where), "%s: specs.%.60s", src, key);
        if(strcmp(key, "method") == 0) {
            const char *m = json_string_value(val);
            if(!m || (strcmp(m, "euler") != 0 && strcmp(m, "rk4") != 0))
                return cli_errf(err, errlen, "%s must be \"euler\" or \"rk4\"", where);
            s->method = strcmp(m, "rk4") == 0 ? OC_RK4 : OC_EULER;
            s->has_method = 1;
        }
        else if(strcmp(key, "start") == 0) {
            if(number(val, where, &s->start, err, errlen))
                return -1;
            s->has_start = 1;
        }
        else if(strcmp(key, "stop") == 0) {
            if(number(val, where, &s->stop, err, errlen))
                return -1;
            s->has_stop = 1;
        }
        else if(strcmp(key, "dt") == 0) {
            if(number(val, where, &s->dt, err, errlen))
                return -1;
            s->has_dt = 1;
        }
        else if(strcmp(key, "save_step") == 0) {
            if(number(val, where, &s->save_step, err, errlen))
                return -1;
            s->has_save_step = 1;
        }
        else
            return cli_errf(err, errlen,
                         "%s: unknown key (expected start, stop, dt, save_step or method)", where);
    }
    return 0;
}

static int parse_jumps(json_t *a, const char *src, scenario *s, char *err, size_t errlen)
{
    size_t i;
    if(!json_is_array(a))
        return cli_errf(err, errlen, "%s: \"jumps\" must be an array", src);
    if(json_array_size(a) > SCENARIO_MAX_JUMPS)
        return cli_errf(err, errlen, "%s: jumps: at most %d jumps, not %zu", src, SCENARIO_MAX_JUMPS,
                     json_array_size(a));
    for(i = 0; i < json_array_size(a); i++) {
        json_t *j = json_array_get(a, i);
        const char *key;
        json_t *val;
        scenario_jump *jp = &s->jumps[i];
        int has_year = 0, has_factor = 0;
        if(!json_is_object(j))
            return cli_errf(err, errlen, "%s: jumps[%zu] must be an object", src, i);
        jp->adoption_years = 0.0;
        json_object_foreach(j, key, val) {
            char where[160];
            double v = 0.0;
            snprintf(where, sizeof(where), "%s: jumps[%zu].%.40s", src, i, key);
            if(number(val, where, &v, err, errlen)) {
                if(strcmp(key, "year") && strcmp(key, "factor") && strcmp(key, "adoption_years"))
                    return cli_errf(err, errlen,
                                 "%s: unknown key (expected year, factor, adoption_years)", where);
                return -1;
            }
            if(strcmp(key, "year") == 0) {
                jp->year = v;
                has_year = 1;
            }
            else if(strcmp(key, "factor") == 0) {
                if(v < 1.0)
                    return cli_errf(err, errlen,
                                 "%s must be at least 1 (the gain in efficiency; 1 = no jump), "
                                 "not %g",
                                 where, v);
                jp->factor = v;
                has_factor = 1;
            }
            else if(strcmp(key, "adoption_years") == 0) {
                if(v < 0.0)
                    return cli_errf(err, errlen, "%s must not be negative, not %g", where, v);
                jp->adoption_years = v;
            }
            else
                return cli_errf(err, errlen,
                             "%s: unknown key (expected year, factor, adoption_years)", where);
        }
        if(!has_year || !has_factor)
            return cli_errf(err, errlen, "%s: jumps[%zu] needs both \"year\" and \"factor\"", src, i);
    }
    s->n_jumps = json_array_size(a);
    return 0;
}

int scenario_parse(const char *text, size_t len, const char *src, scenario *s, char *err,
                   size_t errlen)
{
    json_error_t je;
    json_t *root;
    const char *key;
    json_t *val;
    int rc = 0;

    memset(s, 0, sizeof(*s));
    snprintf(s->source, sizeof(s->source), "%s", src);
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if(!root)
        return cli_errf(err, errlen, "%s:%d:%d: malformed JSON: %s", src, je.line, je.column,
                     je.text);
    if(!json_is_object(root)) {
        json_decref(root);
        return cli_errf(err, errlen, "%s: a scenario must be a JSON object", src);
    }
    json_object_foreach(root, key, val) {
        if(strcmp(key, "name") == 0 || strcmp(key, "description") == 0 ||
           strcmp(key, "assumptions") == 0) {
            char **dst = key[0] == 'n' ? &s->name : key[0] == 'd' ? &s->description : &s->assumptions;
            if(!json_is_string(val)) {
                rc = cli_errf(err, errlen, "%s: \"%s\" must be a string", src, key);
                break;
            }
            *dst = dup_string(val);
        }
        else if(strcmp(key, "set") == 0) {
            const char *k2;
            json_t *v2;
            size_t i = 0;
            if(!json_is_object(val)) {
                rc = cli_errf(err, errlen, "%s: \"set\" must be an object of constant: number", src);
                break;
            }
            s->set = calloc(json_object_size(val) + 1, sizeof(*s->set));
            if(!s->set) {
                rc = cli_errf(err, errlen, "out of memory");
                break;
            }
            json_object_foreach(val, k2, v2) {
                char where[200];
                snprintf(where, sizeof(where), "%s: set.%.120s", src, k2);
                if(number(v2, where, &s->set[i].value, err, errlen)) {
                    rc = -1;
                    break;
                }
                s->set[i].name = strdup(k2);
                i++;
                s->n_set = i;
            }
            if(rc)
                break;
        }
        else if(strcmp(key, "jumps") == 0) {
            rc = parse_jumps(val, src, s, err, errlen);
            if(rc)
                break;
        }
        else if(strcmp(key, "specs") == 0) {
            rc = parse_specs(val, src, s, err, errlen);
            if(rc)
                break;
        }
        else {
            rc = cli_errf(err, errlen,
                       "%s: unknown key \"%s\" (expected name, description, assumptions, set, "
                       "jumps, specs)",
                       src, key);
            break;
        }
    }
    json_decref(root);
    if(rc)
        scenario_free(s);
    return rc;
}

int scenario_load(const char *name_or_path, scenario *s, char *err, size_t errlen)
{
    const struct oc_embedded *e;
    char want[300];
    char *buf;
    size_t len;
    int rc;
    /* a preset name: the embedded scenarios/NAME.json */
    if(!strchr(name_or_path, '/') && !strstr(name_or_path, ".json")) {
        snprintf(want, sizeof(want), "scenarios/%s.json", name_or_path);
        e = cli_embedded(want);
        if(e) {
            char src[320];
            snprintf(src, sizeof(src), "built-in:%s", want);
            return scenario_parse((const char *)e->data, e->size, src, s, err, errlen);
        }
        {
            char names[1024] = "";
            size_t used = 0;
            for(e = oc_embedded_files; e->name; e++)
                if(strncmp(e->name, "scenarios/", 10) == 0 && used + 64 < sizeof(names)) {
                    size_t l = strlen(e->name) - 15; /* without scenarios/ and .json */
                    used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%.*s",
                                             used ? ", " : "", (int)l, e->name + 10);
                }
            return cli_errf(err, errlen, "no scenario '%s' (presets: %s; or give a .json file)",
                         name_or_path, names[0] ? names : "none");
        }
    }
    rc = cli_read_file(name_or_path, SCENARIO_MAX_BYTES, "scenario file", &buf, &len, err, errlen);
    if(rc)
        return rc;
    rc = scenario_parse(buf, len, name_or_path, s, err, errlen);
    free(buf);
    return rc;
}

int scenario_set_checked(const char *source, const oc_model *m, oc_run *r, const char *what,
                         const char *name, double value, char *err, size_t errlen)
{
    size_t idx;
    oc_var_info info;
    oc_error oe;
    if(oc_model_find(m, name, &idx, NULL) != OC_OK)
        return cli_errf(err, errlen, "%s: %s: the model has no constant '%s'", source, what,
                     name);
    oc_model_var_info(m, idx, &info);
    if(!info.is_constant)
        return cli_errf(err, errlen, "%s: %s: '%s' is not a constant of the model", source, what,
                     name);
    if(info.has_range && (value < info.range_min || value > info.range_max))
        return cli_errf(err, errlen,
                     "%s: %s: %g is outside the plausible range of '%s', %g to %g %s "
                     "(docs/MODEL.md)",
                     source, what, value, info.name, info.range_min, info.range_max,
                     info.units);
    if(oc_run_set_value_at(r, idx, value, &oe) != OC_OK)
        return cli_errf(err, errlen, "%s: %s: %s", source, what, oe.message);
    return 0;
}

int scenario_apply(const scenario *s, const oc_model *m, oc_run *r, char *err, size_t errlen)
{
    size_t i;
    oc_specs sp;
    oc_error oe;
    oc_run_specs(r, &sp);
    if(s->has_start)
        sp.start = s->start;
    if(s->has_stop)
        sp.stop = s->stop;
    if(s->has_dt) {
        sp.dt = s->dt;
        if(!s->has_save_step && sp.save_step < sp.dt)
            sp.save_step = sp.dt;
    }
    if(s->has_save_step)
        sp.save_step = s->save_step;
    if(s->has_method)
        sp.method = s->method;
    if(oc_run_set_specs(r, &sp, &oe) != OC_OK)
        return cli_errf(err, errlen, "%s: specs: %s", s->source, oe.message);
    for(i = 0; i < s->n_set; i++) {
        char what[160];
        snprintf(what, sizeof(what), "set.%.120s", s->set[i].name);
        if(scenario_set_checked(s->source, m, r, what, s->set[i].name, s->set[i].value, err, errlen))
            return -1;
    }
    for(i = 0; i < s->n_jumps; i++) {
        const scenario_jump *j = &s->jumps[i];
        char name[64], what[64];
        size_t idx;
        snprintf(name, sizeof(name), "jump_%zu_factor", i + 1);
        if(oc_model_find(m, name, &idx, NULL) != OC_OK)
            return cli_errf(err, errlen, "%s: jumps[%zu]: the model has no jump slot %zu (%s)",
                         s->source, i, i + 1, name);
        if(j->year < sp.start || j->year > sp.stop)
            return cli_errf(err, errlen, "%s: jumps[%zu].year: %g is outside the run, %g to %g",
                         s->source, i, j->year, sp.start, sp.stop);
        snprintf(what, sizeof(what), "jumps[%zu].factor", i);
        if(scenario_set_checked(s->source, m, r, what, name, j->factor, err, errlen))
            return -1;
        snprintf(name, sizeof(name), "jump_%zu_year", i + 1);
        snprintf(what, sizeof(what), "jumps[%zu].year", i);
        if(scenario_set_checked(s->source, m, r, what, name, j->year, err, errlen))
            return -1;
        snprintf(name, sizeof(name), "jump_%zu_adoption_years", i + 1);
        snprintf(what, sizeof(what), "jumps[%zu].adoption_years", i);
        if(scenario_set_checked(s->source, m, r, what, name, j->adoption_years, err, errlen))
            return -1;
    }
    return 0;
}
