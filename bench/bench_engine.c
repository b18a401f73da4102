/*
 * bench_engine.c - times overcap's simulation loop on one model.
 *
 *   bench_engine MODEL [--method euler|rk4] [--min-seconds S] [--name NAME] [--lanes N]
 *                [--profile-ops]
 *
 * Loads and compiles the model (timed once), runs it once to warm caches and
 * page in memory, then runs it again and again until at least S seconds
 * (default 1) of wall time have passed, and prints one line:
 *
 *   model=NAME stocks=N vars=V steps=K runs=R seconds=T
 *   stock_steps_per_sec=X var_updates_per_sec=Y load_seconds=L
 *   method=euler output=VAR final=Z
 *
 * (all on one line; bench/run.sh reads the key=value pairs, so fields may be
 * added at the end but not renamed). Only one variable is saved, the first
 * stock (or the first variable when there is none), so the number measures
 * evaluating equations and integrating, not writing results; SDE's side
 * saves the same one, and `final` lets a reader check both computed the
 * same trajectory.
 *
 * --profile-ops (lanes > 1, in a build configured with
 * -DOVERCAP_PROFILE_OPS=ON) then prints where the evaluator's time went, by
 * kind of operation: a header line and one line per kind, busiest first.
 *
 * Uses the public API in include/overcap.h and nothing else. On an error it
 * prints "model=NAME error=MESSAGE" and exits with status 1.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "overcap.h"

typedef struct bench_options {
    const char *model_path;
    const char *name; /* NULL: the file name without directory and extension */
    oc_method method;
    double min_seconds;
    size_t lanes; /* scenarios per pass of the program (1: the ordinary run) */
    int profile_ops;
} bench_options;

static void usage(FILE *out)
{
    fputs("usage: bench_engine MODEL [--method euler|rk4] [--min-seconds S] [--name NAME]\n"
          "                    [--lanes N] [--profile-ops]\n"
          "Times repeated simulations of MODEL (XMILE) and prints one key=value line.\n"
          "--profile-ops: then the evaluator's time per kind of operation (lanes > 1;\n"
          "a build configured with -DOVERCAP_PROFILE_OPS=ON).\n",
          out);
}

/* The op profile: kinds of operation, busiest first, with their share of
 * the evaluator's ticks and ticks per lane and step (steps_run: steps of all
 * passes, the warm-up included, as the counts are). Returns the exit status. */
static int print_op_profile(size_t lanes, unsigned long long steps_run)
{
    oc_op_profile prof[64];
    size_t n = oc_op_profile_get(prof, 64), k;
    double total = 0.0;

    if (n == 0) {
        fprintf(stderr, "bench_engine: --profile-ops needs --lanes above 1 and a build configured "
                        "with -DOVERCAP_PROFILE_OPS=ON\n");
        return 1;
    }
    if (n > 64)
        n = 64;
    for (k = 0; k < n; k++)
        total += (double)prof[k].cycles;
    printf("op count_per_step ticks_per_op ticks_per_lane_step share\n");
    for (k = 0; k < n; k++)
        printf("%s %.3g %.1f %.2f %.1f%%\n", prof[k].op, (double)prof[k].count / (double)steps_run,
               (double)prof[k].cycles / (double)prof[k].count,
               (double)prof[k].cycles / (double)steps_run / (double)lanes,
               100.0 * (double)prof[k].cycles / total);
    printf("all - - %.2f 100%%\n", total / (double)steps_run / (double)lanes);
    return 0;
}

/* Seconds on the monotonic clock: wall time that NTP cannot step. */
static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Reads the command line. Returns 0 to go on, 1 after --help, -1 on error. */
static int parse_args(int argc, char **argv, bench_options *opt)
{
    int i;

    opt->model_path = NULL;
    opt->name = NULL;
    opt->method = OC_EULER;
    opt->lanes = 1;
    opt->min_seconds = 1.0;
    opt->profile_ops = 0;

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = (i + 1 < argc) ? argv[i + 1] : NULL;

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 1;
        }
        if (strcmp(arg, "--profile-ops") == 0) {
            opt->profile_ops = 1;
            continue;
        }
        if (strcmp(arg, "--method") == 0 || strcmp(arg, "--min-seconds") == 0 ||
            strcmp(arg, "--name") == 0 || strcmp(arg, "--lanes") == 0) {
            if (value == NULL) {
                fprintf(stderr, "bench_engine: %s needs a value\n", arg);
                return -1;
            }
            i++;
            if (strcmp(arg, "--method") == 0) {
                if (strcmp(value, "euler") == 0) {
                    opt->method = OC_EULER;
                } else if (strcmp(value, "rk4") == 0) {
                    opt->method = OC_RK4;
                } else {
                    fprintf(stderr, "bench_engine: --method is euler or rk4, not '%s'\n", value);
                    return -1;
                }
            } else if (strcmp(arg, "--min-seconds") == 0) {
                char *end = NULL;
                double s = strtod(value, &end);

                if (end == value || *end != '\0' || !isfinite(s) || s < 0.0 || s > 3600.0) {
                    fprintf(stderr, "bench_engine: bad --min-seconds '%s' (0 to 3600)\n", value);
                    return -1;
                }
                opt->min_seconds = s;
            } else if (strcmp(arg, "--lanes") == 0) {
                char *end = NULL;
                unsigned long n = strtoul(value, &end, 10);

                if (end == value || *end != '\0' || n < 1 || n > OC_MAX_LANES) {
                    fprintf(stderr, "bench_engine: bad --lanes '%s' (1 to %d)\n", value,
                            OC_MAX_LANES);
                    return -1;
                }
                opt->lanes = (size_t)n;
            } else {
                opt->name = value;
            }
        } else if (arg[0] == '-' && arg[1] != '\0') {
            fprintf(stderr, "bench_engine: unknown option '%s'\n", arg);
            return -1;
        } else if (opt->model_path == NULL) {
            opt->model_path = arg;
        } else {
            fprintf(stderr, "bench_engine: unexpected argument '%s'\n", arg);
            return -1;
        }
    }
    if (opt->model_path == NULL) {
        usage(stderr);
        return -1;
    }
    return 0;
}

/* The file name without its directory and its last extension, into buf. */
static void model_name_from_path(const char *path, char *buf, size_t size)
{
    const char *base = strrchr(path, '/');
    const char *dot;
    size_t len;

    base = base ? base + 1 : path;
    dot = strrchr(base, '.');
    len = (dot && dot != base) ? (size_t)(dot - base) : strlen(base);
    if (len >= size)
        len = size - 1;
    memcpy(buf, base, len);
    buf[len] = '\0';
}

/* Copies name into buf with blanks made underscores, so a variable such as
 * "Teacup Temperature" stays one key=value field (XMILE treats the two
 * spellings as the same name). */
static void field_text(const char *name, char *buf, size_t size)
{
    size_t i;

    for (i = 0; name[i] != '\0' && i + 1 < size; i++)
        buf[i] = (name[i] == ' ' || name[i] == '\t' || name[i] == '\n') ? '_' : name[i];
    buf[i] = '\0';
}

/* Prints the error line run.sh looks for. */
static void report_error(const char *name, const oc_error *err)
{
    char msg[1600];

    oc_error_format(err, msg, sizeof msg);
    printf("model=%s error=%s: %s\n", name, oc_status_name(err->code), msg);
}

int main(int argc, char **argv)
{
    bench_options opt;
    oc_error err;
    oc_model *model = NULL;
    oc_run *run = NULL;
    oc_specs specs;
    oc_var_info info;
    char name_buf[256];
    char output_buf[256];
    const char *name;
    const char *output_name = "";
    size_t n_vars, n_stocks = 0, i;
    size_t selected = 0;
    int have_stock = 0;
    double load_start, load_seconds, start, elapsed, steps_exact, final_value;
    unsigned long long steps, runs = 0;
    int rc;
    int status = 1;

    rc = parse_args(argc, argv, &opt);
    if (rc > 0)
        return 0;
    if (rc < 0)
        return 2;

    if (opt.name) {
        name = opt.name;
    } else {
        model_name_from_path(opt.model_path, name_buf, sizeof name_buf);
        name = name_buf;
    }
    memset(&err, 0, sizeof err);

    /* Loading includes compiling: overcap has no separate step. */
    load_start = now_seconds();
    rc = oc_model_load_file(opt.model_path, &model, &err);
    load_seconds = now_seconds() - load_start;
    if (rc) {
        report_error(name, &err);
        goto done;
    }

    n_vars = oc_model_var_count(model);
    for (i = 0; i < n_vars; i++) {
        rc = oc_model_var_info(model, i, &info);
        if (rc) {
            err.code = rc;
            snprintf(err.message, sizeof err.message, "cannot read variable %zu", i);
            report_error(name, &err);
            goto done;
        }
        if (info.kind == OC_STOCK) {
            if (!have_stock) {
                selected = i;
                output_name = info.name;
                have_stock = 1;
            }
            n_stocks++;
        }
    }
    if (n_vars == 0) {
        err.code = OC_EMODEL;
        snprintf(err.message, sizeof err.message, "the model has no variables");
        report_error(name, &err);
        goto done;
    }
    if (!have_stock) {
        rc = oc_model_var_info(model, 0, &info);
        if (rc == OC_OK)
            output_name = info.name;
    }

    rc = oc_run_create_lanes(model, opt.lanes, &run, &err);
    if (rc) {
        report_error(name, &err);
        goto done;
    }
    oc_run_specs(run, &specs);
    if (specs.method != opt.method) {
        specs.method = opt.method;
        rc = oc_run_set_specs(run, &specs, &err);
        if (rc) {
            report_error(name, &err);
            goto done;
        }
    }
    /* The same rounding as SDE's runtime: the specs are checked to give a
     * whole number of steps, so this only removes representation error. */
    steps_exact = (specs.stop - specs.start) / specs.dt;
    steps = (unsigned long long)llround(steps_exact);

    rc = oc_run_select(run, &selected, 1, &err);
    if (rc) {
        report_error(name, &err);
        goto done;
    }

    /* Warm-up: the first run touches fresh memory and proves the model runs. */
    rc = oc_run_simulate(run, &err);
    if (rc) {
        report_error(name, &err);
        goto done;
    }

    start = now_seconds();
    do {
        rc = oc_run_simulate(run, &err);
        if (rc) {
            report_error(name, &err);
            goto done;
        }
        runs += opt.lanes;
        elapsed = now_seconds() - start;
    } while (elapsed < opt.min_seconds);

    final_value = 0.0;
    if (oc_run_save_count(run) > 0)
        final_value = oc_run_value(run, oc_run_save_count(run) - 1, 0);

    field_text(output_name, output_buf, sizeof output_buf);

    /* A stock-step is one stock advanced by one dt; var updates count every
     * listed variable once per step (auxes are evaluated once per step under
     * Euler, four times under RK4, which this does not count). */
    printf("model=%s stocks=%zu vars=%zu steps=%llu runs=%llu seconds=%.6f "
           "stock_steps_per_sec=%.6g var_updates_per_sec=%.6g load_seconds=%.6f "
           "method=%s lanes=%zu runs_per_sec=%.6g output=%s final=%.17g\n",
           name, n_stocks, n_vars, steps, runs, elapsed,
           (double)n_stocks * (double)steps * (double)runs / elapsed,
           (double)n_vars * (double)steps * (double)runs / elapsed, load_seconds,
           opt.method == OC_RK4 ? "rk4" : "euler", opt.lanes, (double)runs / elapsed, output_buf,
           final_value);
    status = 0;
    if (opt.profile_ops)
        status = print_op_profile(opt.lanes, steps * (runs / opt.lanes + 1));

done:
    if (run)
        oc_run_free(run);
    if (model)
        oc_model_free(model);
    return status;
}
