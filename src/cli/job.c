/*
 * job.c - shared options and run preparation for the simulating commands.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"

int job_init(job *j, int argc)
{
    memset(j, 0, sizeof(*j));
    j->sets = calloc((size_t)argc + 1, sizeof(*j->sets));
    return j->sets ? 0 : cli_fail(EXIT_MODEL, "out of memory");
}

void job_free(job *j)
{
    free(j->sets);
    memset(j, 0, sizeof(*j));
}

void job_help(FILE *fp)
{
    job_help_options(fp);
    fputs("  --seed N           seed of the random functions (default 0)\n", fp);
}

void job_help_options(FILE *fp)
{
    fputs("  --scenario S       a preset (baseline, jump-10x, ...) or a scenario .json file\n"
          "  --set NAME=VALUE   override a constant (repeatable); names match as in\n"
          "                     XMILE: case-insensitive, spaces and underscores alike\n"
          "  --method M         integration method: euler or rk4 (default: the model's)\n"
          "  --dt X             time step (default: the model's)\n"
          "  --start X          start time\n"
          "  --stop X           stop time\n"
          "  --save-step X      interval between saved points, a multiple of dt\n",
          fp);
}

static int value_of(int *i, int argc, char **argv, const char **out)
{
    if(*i + 1 >= argc)
        return cli_fail(EXIT_USAGE, "%s needs a value (try: overcap help %s)", argv[*i], "run");
    *out = argv[++*i];
    return 0;
}

int job_option(job *j, int *i, int argc, char **argv)
{
    const char *a = argv[*i], *v = NULL;
    double x;
    if(strcmp(a, "--scenario") == 0) {
        if(value_of(i, argc, argv, &v))
            return EXIT_USAGE;
        j->scenario = v;
        return 1;
    }
    if(strcmp(a, "--set") == 0) {
        if(value_of(i, argc, argv, &v))
            return EXIT_USAGE;
        j->sets[j->n_sets++] = v;
        return 1;
    }
    if(strcmp(a, "--method") == 0) {
        if(value_of(i, argc, argv, &v))
            return EXIT_USAGE;
        if(strcmp(v, "euler") == 0)
            j->method = OC_EULER;
        else if(strcmp(v, "rk4") == 0)
            j->method = OC_RK4;
        else
            return cli_fail(EXIT_USAGE, "--method: '%s' is not euler or rk4", v);
        j->has_method = 1;
        return 1;
    }
    if(strcmp(a, "--dt") == 0 || strcmp(a, "--start") == 0 || strcmp(a, "--stop") == 0 ||
       strcmp(a, "--save-step") == 0) {
        if(value_of(i, argc, argv, &v))
            return EXIT_USAGE;
        if(cli_number_arg(a, v, &x))
            return EXIT_USAGE;
        if(strcmp(a, "--dt") == 0) {
            j->dt = x;
            j->has_dt = 1;
        }
        else if(strcmp(a, "--start") == 0) {
            j->start = x;
            j->has_start = 1;
        }
        else if(strcmp(a, "--stop") == 0) {
            j->stop = x;
            j->has_stop = 1;
        }
        else {
            j->save = x;
            j->has_save = 1;
        }
        return 1;
    }
    if(strcmp(a, "--seed") == 0) {
        char *end;
        if(value_of(i, argc, argv, &v))
            return EXIT_USAGE;
        if(!v)
            return EXIT_USAGE;
        errno = 0;
        j->seed = strtoull(v, &end, 10);
        if(*v == '-' || *end != '\0' || end == v || errno)
            return cli_fail(EXIT_USAGE, "--seed: '%s' is not a whole number from 0 to 2^64-1", v);
        return 1;
    }
    return 0;
}

int job_prepare_run(const job *j, const char *scenario_override, const oc_model *m, oc_run **r,
                    scenario *sc)
{
    return job_prepare_lanes(j, scenario_override, m, 1, r, sc);
}

int job_prepare_lanes(const job *j, const char *scenario_override, const oc_model *m,
                      size_t lanes, oc_run **r, scenario *sc)
{
    const char *scen = scenario_override ? scenario_override : j->scenario;
    oc_error err;
    oc_specs specs;
    scenario local;
    char msg[1024];
    size_t k;
    int rc = EXIT_OK;

    *r = NULL;
    memset(&local, 0, sizeof(local));
    if(!scen && !j->model_path)
        scen = "baseline";
    if(scen && (rc = scenario_load(scen, &local, msg, sizeof(msg))) != 0)
        return cli_fail(rc == EXIT_IO ? EXIT_IO : EXIT_USAGE, "%s", msg);
    if(oc_run_create_lanes(m, lanes, r, &err) != OC_OK) {
        cli_report(&err);
        rc = cli_exit_code(err.code);
        goto done;
    }
    if(scen && scenario_apply(&local, m, *r, msg, sizeof(msg)) != 0) {
        rc = cli_fail(EXIT_USAGE, "%s", msg);
        goto done;
    }
    oc_run_specs(*r, &specs);
    if(j->has_method)
        specs.method = j->method;
    if(j->has_start)
        specs.start = j->start;
    if(j->has_stop)
        specs.stop = j->stop;
    if(j->has_dt) {
        /* keep the save step when it is a multiple of the new dt */
        double ratio = specs.save_step / j->dt, whole = (double)(long long)(ratio + 0.5);
        specs.dt = j->dt;
        if(!j->has_save && (ratio < 1.0 || ratio - whole > 1e-9 || whole - ratio > 1e-9))
            specs.save_step = j->dt;
    }
    if(j->has_save)
        specs.save_step = j->save;
    if(oc_run_set_specs(*r, &specs, &err) != OC_OK) {
        cli_report(&err);
        rc = EXIT_USAGE;
        goto done;
    }
    for(k = 0; k < j->n_sets; k++) {
        const char *eq = strrchr(j->sets[k], '=');
        char name[1024];
        double v;
        size_t len;
        if(!eq || eq == j->sets[k]) {
            rc = cli_fail(EXIT_USAGE, "--set '%s': expected NAME=VALUE", j->sets[k]);
            goto done;
        }
        len = (size_t)(eq - j->sets[k]);
        if(len >= sizeof(name)) {
            rc = cli_fail(EXIT_USAGE, "--set: name too long");
            goto done;
        }
        memcpy(name, j->sets[k], len);
        name[len] = '\0';
        if(cli_number(eq + 1, &v) != 0) {
            rc = cli_fail(EXIT_USAGE, "--set %s: '%s' is not a finite number", name, eq + 1);
            goto done;
        }
        if(oc_run_set_value(*r, name, v, &err) != OC_OK) {
            cli_report(&err);
            rc = EXIT_USAGE;
            goto done;
        }
    }
    oc_run_set_seed(*r, j->seed);
done:
    if(rc) {
        oc_run_free(*r);
        *r = NULL;
        scenario_free(&local);
    }
    else if(sc)
        *sc = local;
    else
        scenario_free(&local);
    return rc;
}

int job_prepare(const job *j, const char *scenario_override, oc_model **m, oc_run **r,
                scenario *sc)
{
    oc_error err;
    int rc;
    *r = NULL;
    if(cli_load_model(j->model_path, m, &err) != OC_OK) {
        cli_report(&err);
        return cli_exit_code(err.code);
    }
    rc = job_prepare_run(j, scenario_override, *m, r, sc);
    if(rc) {
        oc_model_free(*m);
        *m = NULL;
    }
    return rc;
}
