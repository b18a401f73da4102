/*
 * cmd_run.c - `overcap run`: simulate a model and write its series.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct oc_embedded {
    const char *name;
    const unsigned char *data;
    size_t size;
};
extern const struct oc_embedded oc_embedded_files[];

#define BUILTIN_MODEL "models/ai_compute.xmile"

int cli_load_model(const char *path, oc_model **out, oc_error *err)
{
    const struct oc_embedded *e;
    if(path)
        return oc_model_load_file(path, out, err);
    for(e = oc_embedded_files; e->name; e++)
        if(strcmp(e->name, BUILTIN_MODEL) == 0)
            return oc_model_load_buffer((const char *)e->data, e->size, "built-in:" BUILTIN_MODEL,
                                        out, err);
    *out = NULL;
    memset(err, 0, sizeof(*err));
    err->code = OC_EIO;
    snprintf(err->message, sizeof(err->message),
             "this build has no built-in model; give a model file");
    return OC_EIO;
}

void help_run(FILE *fp)
{
    fputs("usage: overcap run [MODEL] [OPTIONS]\n"
          "\n"
          "Simulates MODEL (an XMILE file: .xmile, .stmx, .xml) and writes the time\n"
          "series of its variables. Without MODEL, runs the built-in AI compute model.\n"
          "\n"
          "options:\n"
          "  --set NAME=VALUE   override a constant (repeatable); names match as in\n"
          "                     XMILE: case-insensitive, spaces and underscores alike\n"
          "  --method M         integration method: euler or rk4 (default: the model's)\n"
          "  --dt X             time step (default: the model's)\n"
          "  --start X          start time\n"
          "  --stop X           stop time\n"
          "  --save-step X      interval between saved points, a multiple of dt\n"
          "                     (default: the model's, else dt)\n"
          "  --vars A,B,...     save only these variables, in this order\n"
          "  --format F         csv (default), tsv or json\n"
          "  -o FILE            write to FILE, atomically (default: standard output)\n"
          "  --seed N           seed of the random functions (default 0): the same\n"
          "                     seed gives the same numbers\n"
          "\n"
          "Numbers are written in the shortest form that reads back exactly.\n"
          "Exit codes: 0 ok, 1 model error, 2 usage error, 3 I/O error.\n",
          fp);
}

static int need_value(int i, int argc, char **argv)
{
    if(i + 1 >= argc) {
        cli_fail(EXIT_USAGE, "%s needs a value (try: overcap help run)", argv[i]);
        return 0;
    }
    return 1;
}

static int number_opt(const char *opt, const char *s, double *out)
{
    if(cli_number(s, out) != 0)
        return cli_fail(EXIT_USAGE, "%s: '%s' is not a finite number", opt, s);
    return 0;
}

/* Resolves "a,b,c" into model indices. */
static int select_vars(oc_model *m, oc_run *r, const char *list)
{
    size_t cap = 16, n = 0, idx;
    size_t *sel = malloc(cap * sizeof(*sel));
    char *copy = strdup(list), *tok, *save = NULL;
    oc_error err;
    int rc = 0;
    if(!sel || !copy) {
        free(sel);
        free(copy);
        return cli_fail(EXIT_MODEL, "out of memory");
    }
    for(tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if(oc_model_find(m, tok, &idx, &err) != OC_OK) {
            rc = cli_fail(EXIT_USAGE, "--vars: no variable '%s' in the model", tok);
            goto done;
        }
        if(n == cap) {
            size_t *bigger = realloc(sel, 2 * cap * sizeof(*sel));
            if(!bigger) {
                rc = cli_fail(EXIT_MODEL, "out of memory");
                goto done;
            }
            sel = bigger;
            cap *= 2;
        }
        sel[n++] = idx;
    }
    if(n == 0) {
        rc = cli_fail(EXIT_USAGE, "--vars: no variable names given");
        goto done;
    }
    if(oc_run_select(r, sel, n, &err) != OC_OK) {
        cli_report(&err);
        rc = cli_exit_code(err.code);
    }
done:
    free(sel);
    free(copy);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    const char *model_path = NULL, *out_path = NULL, *vars = NULL;
    const char **sets = NULL;
    size_t n_sets = 0, k;
    cli_format fmt = FMT_CSV;
    oc_specs specs;
    int has_method = 0, has_dt = 0, has_start = 0, has_stop = 0, has_save = 0;
    double dt = 0, start = 0, stop = 0, save = 0;
    oc_method method = OC_EULER;
    uint64_t seed = 0;
    oc_model *m = NULL;
    oc_run *r = NULL;
    oc_error err;
    cli_out out;
    int i, rc = EXIT_OK;

    sets = calloc((size_t)argc + 1, sizeof(*sets));
    if(!sets)
        return cli_fail(EXIT_MODEL, "out of memory");
    for(i = 1; i < argc; i++) {
        const char *a = argv[i];
        if(strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            help_run(stdout);
            free(sets);
            return EXIT_OK;
        }
        if(strcmp(a, "--set") == 0) {
            if(!need_value(i, argc, argv))
                goto usage;
            sets[n_sets++] = argv[++i];
        }
        else if(strcmp(a, "--method") == 0) {
            if(!need_value(i, argc, argv))
                goto usage;
            i++;
            if(strcmp(argv[i], "euler") == 0)
                method = OC_EULER;
            else if(strcmp(argv[i], "rk4") == 0)
                method = OC_RK4;
            else {
                cli_fail(EXIT_USAGE, "--method: '%s' is not euler or rk4", argv[i]);
                goto usage;
            }
            has_method = 1;
        }
        else if(strcmp(a, "--dt") == 0 || strcmp(a, "--start") == 0 || strcmp(a, "--stop") == 0 ||
                strcmp(a, "--save-step") == 0) {
            double v;
            if(!need_value(i, argc, argv) || number_opt(a, argv[i + 1], &v))
                goto usage;
            i++;
            if(strcmp(a, "--dt") == 0) {
                dt = v;
                has_dt = 1;
            }
            else if(strcmp(a, "--start") == 0) {
                start = v;
                has_start = 1;
            }
            else if(strcmp(a, "--stop") == 0) {
                stop = v;
                has_stop = 1;
            }
            else {
                save = v;
                has_save = 1;
            }
        }
        else if(strcmp(a, "--vars") == 0) {
            if(!need_value(i, argc, argv))
                goto usage;
            vars = argv[++i];
        }
        else if(strcmp(a, "--format") == 0) {
            if(!need_value(i, argc, argv))
                goto usage;
            i++;
            if(strcmp(argv[i], "csv") == 0)
                fmt = FMT_CSV;
            else if(strcmp(argv[i], "tsv") == 0)
                fmt = FMT_TSV;
            else if(strcmp(argv[i], "json") == 0)
                fmt = FMT_JSON;
            else {
                cli_fail(EXIT_USAGE, "--format: '%s' is not csv, tsv or json", argv[i]);
                goto usage;
            }
        }
        else if(strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if(!need_value(i, argc, argv))
                goto usage;
            out_path = argv[++i];
        }
        else if(strcmp(a, "--seed") == 0) {
            char *end;
            if(!need_value(i, argc, argv))
                goto usage;
            i++;
            errno = 0;
            seed = strtoull(argv[i], &end, 10);
            if(*argv[i] == '-' || *end != '\0' || end == argv[i] || errno) {
                cli_fail(EXIT_USAGE, "--seed: '%s' is not a whole number from 0 to 2^64-1",
                         argv[i]);
                goto usage;
            }
        }
        else if(a[0] == '-' && a[1] != '\0') {
            cli_fail(EXIT_USAGE, "unknown option '%s' (try: overcap help run)", a);
            goto usage;
        }
        else if(!model_path)
            model_path = a;
        else {
            cli_fail(EXIT_USAGE, "more than one model given: '%s' and '%s'", model_path, a);
            goto usage;
        }
    }

    if(cli_load_model(model_path, &m, &err) != OC_OK) {
        cli_report(&err);
        rc = cli_exit_code(err.code);
        goto done;
    }
    if(oc_run_create(m, &r, &err) != OC_OK) {
        cli_report(&err);
        rc = cli_exit_code(err.code);
        goto done;
    }
    oc_run_specs(r, &specs);
    if(has_method)
        specs.method = method;
    if(has_start)
        specs.start = start;
    if(has_stop)
        specs.stop = stop;
    if(has_dt) {
        specs.dt = dt;
        if(!has_save && specs.save_step < dt)
            specs.save_step = dt;
    }
    if(has_save)
        specs.save_step = save;
    if(has_dt && !has_save) {
        /* keep the model's save step when it is a multiple of the new dt */
        double ratio = specs.save_step / specs.dt;
        double whole = (double)(long long)(ratio + 0.5);
        if(ratio < 1.0 || ratio - whole > 1e-9 || whole - ratio > 1e-9)
            specs.save_step = specs.dt;
    }
    if(oc_run_set_specs(r, &specs, &err) != OC_OK) {
        cli_report(&err);
        rc = EXIT_USAGE;
        goto done;
    }
    for(k = 0; k < n_sets; k++) {
        const char *eq = strrchr(sets[k], '=');
        char name[1024];
        double v;
        size_t len;
        if(!eq || eq == sets[k]) {
            rc = cli_fail(EXIT_USAGE, "--set '%s': expected NAME=VALUE", sets[k]);
            goto done;
        }
        len = (size_t)(eq - sets[k]);
        if(len >= sizeof(name)) {
            rc = cli_fail(EXIT_USAGE, "--set: name too long");
            goto done;
        }
        memcpy(name, sets[k], len);
        name[len] = '\0';
        if(cli_number(eq + 1, &v) != 0) {
            rc = cli_fail(EXIT_USAGE, "--set %s: '%s' is not a finite number", name, eq + 1);
            goto done;
        }
        if(oc_run_set_value(r, name, v, &err) != OC_OK) {
            cli_report(&err);
            rc = EXIT_USAGE;
            goto done;
        }
    }
    oc_run_set_seed(r, seed);
    if(vars) {
        rc = select_vars(m, r, vars);
        if(rc)
            goto done;
    }
    if(oc_run_simulate(r, &err) != OC_OK) {
        cli_report(&err);
        rc = cli_exit_code(err.code);
        goto done;
    }
    rc = cli_out_open(&out, out_path);
    if(rc)
        goto done;
    rc = cli_write_run(out.fp, m, r, fmt);
    if(rc) {
        cli_out_abort(&out);
        rc = cli_fail(EXIT_IO, "%s: write failed", out_path ? out_path : "standard output");
        goto done;
    }
    rc = cli_out_commit(&out);
    goto done;

usage:
    rc = EXIT_USAGE;
done:
    oc_run_free(r);
    oc_model_free(m);
    free(sets);
    return rc;
}
