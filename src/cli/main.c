/*
 * main.c - the overcap command line: dispatch to a command, general help.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_mc.h"
#include "mc_mpi.h"

static void usage(FILE *fp)
{
    fputs("overcap - system dynamics for the AI compute market, and any XMILE model\n"
          "\n"
          "usage: overcap COMMAND [OPTIONS] [ARGS]\n"
          "\n"
          "commands:\n"
          "  run     without a model: the AI compute market's bubble verdict (built in);\n"
          "          with a model: simulate it and write its time series (CSV, TSV, JSON)\n"
          "  check   validate a model: list its stocks, flows, auxiliaries and graphical\n"
          "          functions; warn about unused variables and missing units\n"
          "  diagnose  run a model and apply the bubble diagnosis: verdict, timeline, margins\n"
          "  compare   scenarios side by side: one table of headline numbers\n"
          "  critical  the smallest efficiency jump that turns the build-out into a bubble\n"
          "  mc        Monte Carlo: P(bubble by year) over uncertain assumptions and random\n"
          "            efficiency jumps (threads; MPI under mpirun)\n"
          "  sensitivity  which assumptions drive bubble risk (Sobol indices, screening)\n"
          "  backtest  the bubble diagnosis on history: railway mania, telecom, any CSV\n"
          "  nowcast   where the AI market stands now, and the jump that would make a bubble\n"
          "  plot      a chart as SVG: a run with its diagnosis states, the critical-jump\n"
          "            map, or scenarios side by side\n"
          "  report    one self-contained HTML report: verdicts, charts, comparison,\n"
          "            assumptions with sources, the command that reproduces it\n"
          "  serve     the interactive explorer in a browser, and a JSON API, on\n"
          "            http://127.0.0.1:8080/\n"
          "  help    show the help of a command: overcap help run\n"
          "\n"
          "options:\n"
          "  -h, --help     this help\n"
          "  --version      the version\n"
          "\n"
          "exit codes:\n"
          "  0  success\n"
          "  1  model error (malformed model, unknown name, cycle, NaN during a run)\n"
          "  2  usage error (bad option or value)\n"
          "  3  input/output error (missing file, cannot write the output)\n"
          "  4  interrupted (mc: partial results and a checkpoint written)\n"
          "\n"
          "examples:\n"
          "  overcap run\n"
          "  overcap compare baseline jump-2x jump-10x jump-100x\n"
          "  overcap critical --year 2027\n"
          "  overcap run model.xmile -o series.csv\n"
          "  overcap run model.xmile --set \"room temperature=60\" --vars teacup_temperature\n"
          "  overcap check model.xmile\n",
          fp);
}

static int cmd_help(int argc, char **argv)
{
    if(argc < 2) {
        usage(stdout);
        return EXIT_OK;
    }
    if(strcmp(argv[1], "run") == 0)
        help_run(stdout);
    else if(strcmp(argv[1], "check") == 0)
        help_check(stdout);
    else if(strcmp(argv[1], "diagnose") == 0)
        help_diagnose(stdout);
    else if(strcmp(argv[1], "compare") == 0)
        help_compare(stdout);
    else if(strcmp(argv[1], "critical") == 0)
        help_critical(stdout);
    else if(strcmp(argv[1], "mc") == 0)
        help_mc(stdout);
    else if(strcmp(argv[1], "sensitivity") == 0)
        help_sensitivity(stdout);
    else if(strcmp(argv[1], "backtest") == 0)
        help_backtest(stdout);
    else if(strcmp(argv[1], "nowcast") == 0)
        help_nowcast(stdout);
    else if(strcmp(argv[1], "plot") == 0)
        help_plot(stdout);
    else if(strcmp(argv[1], "report") == 0)
        help_report(stdout);
    else if(strcmp(argv[1], "serve") == 0)
        help_serve(stdout);
    else if(strcmp(argv[1], "help") == 0)
        usage(stdout);
    else
        return cli_fail(EXIT_USAGE, "no command '%s' (try: overcap --help)", argv[1]);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    const char *cmd;
    if(argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    cmd = argv[1];
    if(strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if(strcmp(cmd, "--version") == 0) {
        printf("overcap %s (lane loops: %s)\n", OC_VERSION, oc_lane_target());
        return EXIT_OK;
    }
    if(strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if(strcmp(cmd, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if(strcmp(cmd, "diagnose") == 0)
        return cmd_diagnose(argc - 1, argv + 1);
    if(strcmp(cmd, "compare") == 0)
        return cmd_compare(argc - 1, argv + 1);
    if(strcmp(cmd, "critical") == 0)
        return cmd_critical(argc - 1, argv + 1);
    if(strcmp(cmd, "backtest") == 0)
        return cmd_backtest(argc - 1, argv + 1);
    if(strcmp(cmd, "nowcast") == 0)
        return cmd_nowcast(argc - 1, argv + 1);
    if(strcmp(cmd, "plot") == 0)
        return cmd_plot(argc - 1, argv + 1);
    if(strcmp(cmd, "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    if(strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if(strcmp(cmd, "mc") == 0 || strcmp(cmd, "sensitivity") == 0) {
        int rc;
        if(mcp_init(&argc, &argv) != 0)
            return EXIT_MODEL;
        rc = cmd[0] == 'm' ? cmd_mc(argc - 1, argv + 1) : cmd_sensitivity(argc - 1, argv + 1);
        mcp_finalize();
        return rc;
    }
    if(strcmp(cmd, "help") == 0)
        return cmd_help(argc - 1, argv + 1);
    return cli_fail(EXIT_USAGE, "unknown command '%s' (try: overcap --help)", cmd);
}
