/*
 * cmd_run.c - `overcap run`: simulate a model and write its series.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "job.h"


#define BUILTIN_MODEL "models/ai_compute.xmile"

int cli_load_model(const char *path, oc_model **out, oc_error *err)
{
    const struct oc_embedded *e;
    if(path)
        return oc_model_load_file(path, out, err);
    e = cli_embedded(BUILTIN_MODEL);
    if(e)
        return oc_model_load_buffer((const char *)e->data, e->size, "built-in:" BUILTIN_MODEL, out,
                                    err);
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
          "Without MODEL: runs the built-in AI compute market model (the baseline\n"
          "scenario unless --scenario says otherwise) and prints its bubble verdict\n"
          "and a summary of its key series; -o FILE also writes every series.\n"
          "\n"
          "With MODEL (an XMILE file: .xmile, .stmx, .xml): simulates it and writes\n"
          "the time series of its variables, to standard output or -o FILE.\n"
          "\n"
          "options:\n",
          fp);
    job_help(fp);
    fputs("  --vars A,B,...     save only these variables, in this order (on the built-in\n"
          "                     model: writes these series instead of the verdict)\n"
          "  --format F         csv (default), tsv or json\n"
          "  -o FILE            write the series to FILE, atomically\n"
          "\n"
          "Numbers are written in the shortest form that reads back exactly.\n"
          "Exit codes: 0 ok, 1 model error, 2 usage error, 3 I/O error.\n"
          "\n"
          "examples:\n"
          "  overcap run\n"
          "  overcap run --scenario jump-100x -o jump100.csv\n"
          "  overcap run --set demand_price_elasticity=0.7 --scenario jump-10x\n"
          "  overcap run model.xmile --method rk4 --vars stock_a,flow_b\n",
          fp);
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

int cli_write_series_file(const oc_model *m, const oc_run *r, const char *path, cli_format fmt)
{
    cli_out out;
    int rc = cli_out_open(&out, path);
    if(rc)
        return rc;
    rc = cli_write_run(out.fp, m, r, fmt);
    if(rc) {
        cli_out_abort(&out);
        return cli_fail(EXIT_IO, "%s: write failed", path ? path : "standard output");
    }
    return cli_out_commit(&out);
}

int cmd_run(int argc, char **argv)
{
    const char *out_path = NULL, *vars = NULL;
    cli_format fmt = FMT_CSV;
    oc_model *m = NULL;
    oc_run *r = NULL;
    oc_error err;
    scenario sc;
    job j;
    int i, rc = EXIT_OK;

    memset(&sc, 0, sizeof(sc));
    if(job_init(&j, argc))
        return EXIT_MODEL;
    for(i = 1; i < argc; i++) {
        const char *a = argv[i];
        int used;
        if(strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            help_run(stdout);
            job_free(&j);
            return EXIT_OK;
        }
        used = job_option(&j, &i, argc, argv);
        if(used == 1)
            continue;
        if(used) {
            rc = used;
            goto done;
        }
        if(strcmp(a, "--vars") == 0 || strcmp(a, "--format") == 0 || strcmp(a, "-o") == 0 ||
           strcmp(a, "--output") == 0) {
            if(i + 1 >= argc) {
                rc = cli_fail(EXIT_USAGE, "%s needs a value (try: overcap help run)", a);
                goto done;
            }
            if(strcmp(a, "--vars") == 0)
                vars = argv[++i];
            else if(strcmp(a, "--format") == 0) {
                const char *f = argv[++i];
                if(strcmp(f, "csv") == 0)
                    fmt = FMT_CSV;
                else if(strcmp(f, "tsv") == 0)
                    fmt = FMT_TSV;
                else if(strcmp(f, "json") == 0)
                    fmt = FMT_JSON;
                else {
                    rc = cli_fail(EXIT_USAGE, "--format: '%s' is not csv, tsv or json", f);
                    goto done;
                }
            }
            else
                out_path = argv[++i];
        }
        else if(a[0] == '-' && a[1] != '\0') {
            rc = cli_fail(EXIT_USAGE, "unknown option '%s' (try: overcap help run)", a);
            goto done;
        }
        else if(!j.model_path)
            j.model_path = a;
        else {
            rc = cli_fail(EXIT_USAGE, "more than one model given: '%s' and '%s'", j.model_path, a);
            goto done;
        }
    }

    rc = job_prepare(&j, NULL, &m, &r, &sc);
    if(rc)
        goto done;
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
    if(!j.model_path && !vars) {
        /* the built-in model: the verdict and a summary; series on request,
         * written even when the verdict cannot be given */
        rc = market_report(m, r, &sc, stdout);
        if(out_path) {
            int w = cli_write_series_file(m, r, out_path, fmt);
            if(!rc)
                rc = w;
        }
        goto done;
    }
    rc = cli_write_series_file(m, r, out_path, fmt);

done:
    oc_run_free(r);
    oc_model_free(m);
    scenario_free(&sc);
    job_free(&j);
    return rc;
}
