/*
 * cmd_check.c - `overcap check`: validate a model and describe it.
 */
#include <string.h>

#include "cli.h"

void help_check(FILE *fp)
{
    fputs("usage: overcap check [MODEL] [--strict]\n"
          "\n"
          "Loads and compiles MODEL (the built-in model when omitted) and lists its\n"
          "stocks, flows, auxiliaries and graphical functions with their units and\n"
          "equations. Warns about constants and tables no equation uses, flows\n"
          "attached to nothing, and variables without units. Errors name the file,\n"
          "line, column and variable.\n"
          "\n"
          "options:\n"
          "  --strict   exit with 1 when there are warnings\n"
          "\n"
          "Exit codes: 0 ok, 1 model error (or warnings with --strict), 2 usage error,\n"
          "3 I/O error.\n",
          fp);
}

static void one_line(char *dst, size_t size, const char *src)
{
    size_t o = 0;
    for(; *src && o + 1 < size; src++) {
        char ch = *src == '\n' || *src == '\r' || *src == '\t' ? ' ' : *src;
        if(ch == ' ' && (o == 0 || dst[o - 1] == ' '))
            continue;
        dst[o++] = ch;
    }
    while(o > 0 && dst[o - 1] == ' ')
        o--;
    if(o + 1 >= size && size > 4)
        memcpy(dst + size - 4, "...", 3), o = size - 1;
    dst[o] = '\0';
}

int cmd_check(int argc, char **argv)
{
    const char *path = NULL;
    int strict = 0, i, warnings = 0;
    oc_model *m = NULL;
    oc_error err;
    oc_specs s;
    size_t n, k, count[4] = {0, 0, 0, 0}, init_ins = 0, rate_ins = 0, slots = 0;
    const char *titles[4] = {"stocks", "flows", "auxiliaries", "graphical functions"};
    int kind;

    for(i = 1; i < argc; i++) {
        if(strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            help_check(stdout);
            return EXIT_OK;
        }
        if(strcmp(argv[i], "--strict") == 0)
            strict = 1;
        else if(argv[i][0] == '-' && argv[i][1])
            return cli_fail(EXIT_USAGE, "unknown option '%s' (try: overcap help check)", argv[i]);
        else if(!path)
            path = argv[i];
        else
            return cli_fail(EXIT_USAGE, "more than one model given");
    }
    if(cli_load_model(path, &m, &err) != OC_OK) {
        cli_report(&err);
        return cli_exit_code(err.code);
    }
    n = oc_model_var_count(m);
    for(k = 0; k < n; k++) {
        oc_var_info info;
        oc_model_var_info(m, k, &info);
        count[info.kind]++;
    }
    oc_model_specs(m, &s);
    printf("%s: ok: %zu variables (%zu stocks, %zu flows, %zu auxiliaries, %zu graphical "
           "functions)\n",
           path ? path : "built-in model", n, count[0], count[1], count[2], count[3]);
    printf("specs: start %g, stop %g, dt %g, save step %g, method %s, time unit '%s'\n", s.start,
           s.stop, s.dt, s.save_step, s.method == OC_RK4 ? "rk4" : "euler",
           oc_model_time_units(m));
    oc_model_program_size(m, &init_ins, &rate_ins, &slots);
    printf("program: %zu instructions per evaluation of the rates (once per Euler step, four "
           "times per RK4 step), %zu for the initial values, %zu value slots\n",
           rate_ins, init_ins, slots);
    for(kind = 0; kind < 4; kind++) {
        if(!count[kind])
            continue;
        printf("\n%s:\n", titles[kind]);
        for(k = 0; k < n; k++) {
            oc_var_info info;
            char eq[200];
            oc_model_var_info(m, k, &info);
            if((int)info.kind != kind)
                continue;
            one_line(eq, sizeof(eq), info.equation);
            printf("  %-40s %-24s = %s%s%s\n", info.name, info.units[0] ? info.units : "(no units)",
                   eq[0] ? eq : "(table)", info.has_graph && info.kind != OC_GF ? " -> table" : "",
                   info.is_constant ? "   [constant]" : "");
        }
    }
    for(k = 0; k < n; k++) {
        oc_var_info info;
        oc_model_var_info(m, k, &info);
        /* an unused constant, table or flow is a likely mistake; an unused
         * auxiliary is usually an output someone reads */
        if(info.used_by == 0 && (info.is_constant || info.kind == OC_GF || info.kind == OC_FLOW)) {
            if(!warnings++)
                printf("\nwarnings:\n");
            printf("  %s:%d: variable '%s': %s\n", path ? path : "built-in", info.line, info.name,
                   info.kind == OC_FLOW ? "a flow attached to no stock and used by no equation"
                                        : "not used by any equation");
        }
        if(!info.units[0] && info.kind != OC_GF) {
            if(!warnings++)
                printf("\nwarnings:\n");
            printf("  %s:%d: variable '%s': no units\n", path ? path : "built-in", info.line,
                   info.name);
        }
    }
    if(!warnings)
        printf("\nno warnings\n");
    oc_model_free(m);
    return strict && warnings ? EXIT_MODEL : EXIT_OK;
}
