/*
 * genmodel.c - writes synthetic XMILE models for benchmarks and scale tests.
 *
 *   genmodel chain N [--chains C] [--steps S] [-o FILE]
 *   genmodel flat N [--depth D] [--steps S] [-o FILE]
 *
 * "chain" follows the synthetic models SDEverywhere benchmarks with: N stocks,
 * each with an inflow, an outflow, a first-order smooth and a graphical
 * function, about 20 arithmetic operations per stock, 1,600 Euler steps. The
 * stocks form C chains (stock j's inflow is stock j-1's outflow); the chains
 * close into one ring through a DELAY3 or DELAY1 at the head of each chain, so
 * every chain feeds the next and no part of the model is dead code.
 *
 * "flat" has exactly N variables, mostly auxiliaries in long dependency
 * chains with a stock and a flow at the root of each chain. It is meant for
 * load and compile time: 200,000 variables must load in time linear in N.
 *
 * Invariants: the output is a pure function of the arguments (no clock, no
 * randomness, no locale: we never call setlocale, so printf uses "C"); it uses
 * only XMILE 1.0 constructs that both overcap and SDEverywhere 0.7 accept
 * (docs/internals/bench.md lists them and why). Libc only, so the tool
 * builds without the engine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hard limits on the arguments. N is capped so a typo cannot fill the disk:
 * ten million stocks is about 10 GB of XML. The step cap is the engine's
 * OC_MAX_STEPS, repeated here so the tool needs no engine header. */
#define GEN_MAX_N 10000000ULL
#define GEN_MAX_STEPS 100000000ULL

/* dt is fixed and a power of two, so stop = steps * dt is exact in binary
 * and both engines agree on the number of steps. */
#define GEN_DT 0.25

/* Default number of steps: 1,600 as in the SDEverywhere benchmark for chain
 * models; flat models exist to be loaded, so a short run is enough. */
#define GEN_CHAIN_STEPS 1600ULL
#define GEN_FLAT_STEPS 100ULL

/* Stocks per chain when --chains is not given, and the default length of a
 * dependency chain in a flat model. */
#define GEN_STOCKS_PER_CHAIN 100ULL
#define GEN_FLAT_DEPTH 1000ULL

typedef unsigned long long gen_count;

typedef enum gen_kind { GEN_CHAIN, GEN_FLAT } gen_kind;

typedef struct gen_options {
    gen_kind kind;
    gen_count n;        /* stocks (chain) or variables (flat) */
    gen_count chains;   /* chain: number of chains, 0 = default */
    gen_count depth;    /* flat: variables per dependency chain */
    gen_count steps;    /* integration steps, 0 = default */
    const char *output; /* file to write, NULL = stdout */
} gen_options;

static void usage(FILE *out)
{
    fputs("usage: genmodel chain N [--chains C] [--steps S] [-o FILE]\n"
          "       genmodel flat N [--depth D] [--steps S] [-o FILE]\n"
          "       genmodel --help\n"
          "\n"
          "Writes a synthetic XMILE 1.0 model to standard output (or FILE).\n"
          "The output depends only on the arguments.\n"
          "\n"
          "chain N  N stocks in C coupled chains (default C = max(1, N/100)).\n"
          "         Each stock has an inflow, an outflow, a first-order smooth\n"
          "         (SMTH1) and a graphical function: about 20 operations per\n"
          "         stock. Stock j's inflow is fed by stock j-1's outflow; the\n"
          "         head of each chain takes the previous chain's tail through\n"
          "         a DELAY3 (even chains) or DELAY1 (odd chains).\n"
          "flat N   exactly N variables: chains of D variables (default 1000),\n"
          "         each a stock, its flow and D-2 auxiliaries that depend on\n"
          "         one another in a line. For load and compile time.\n"
          "\n"
          "--chains C  number of chains, 1 <= C <= N (chain only)\n"
          "--depth D   variables per dependency chain, D >= 1 (flat only)\n"
          "--steps S   Euler steps of dt 0.25, so stop = S/4\n"
          "            (default 1600 for chain, 100 for flat)\n"
          "-o FILE     write to FILE instead of standard output\n"
          "\n"
          "N must be a whole number from 1 to 10000000.\n",
          out);
}

/* Parses a whole decimal number in [min, max]. No sign, no spaces, no
 * exponent: "1e5" or "-3" are mistakes, not numbers. Returns 0 on success. */
static int parse_count(const char *text, gen_count min, gen_count max, gen_count *out)
{
    const char *p;
    char *end = NULL;
    unsigned long long value;

    if (text == NULL || *text == '\0')
        return -1;
    for (p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
    }
    errno = 0;
    value = strtoull(text, &end, 10);
    if (errno != 0 || end == NULL || *end != '\0')
        return -1;
    if (value < min || value > max)
        return -1;
    *out = value;
    return 0;
}

/* Reads the command line into *opt. Returns 0 to go on, 1 when --help was
 * printed, -1 after printing an error. */
static int parse_args(int argc, char **argv, gen_options *opt)
{
    int i;
    int have_n = 0;

    memset(opt, 0, sizeof *opt);
    opt->depth = GEN_FLAT_DEPTH;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 1;
        }
    }
    if (argc < 3) {
        fprintf(stderr, "genmodel: expected a kind (chain or flat) and N\n");
        usage(stderr);
        return -1;
    }
    if (strcmp(argv[1], "chain") == 0) {
        opt->kind = GEN_CHAIN;
    } else if (strcmp(argv[1], "flat") == 0) {
        opt->kind = GEN_FLAT;
    } else {
        fprintf(stderr, "genmodel: unknown kind '%s' (expected chain or flat)\n", argv[1]);
        return -1;
    }

    for (i = 2; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = (i + 1 < argc) ? argv[i + 1] : NULL;

        if (strcmp(arg, "--chains") == 0 || strcmp(arg, "--depth") == 0 ||
            strcmp(arg, "--steps") == 0 || strcmp(arg, "-o") == 0) {
            if (value == NULL) {
                fprintf(stderr, "genmodel: %s needs a value\n", arg);
                return -1;
            }
            i++;
        }
        if (strcmp(arg, "--chains") == 0) {
            if (opt->kind != GEN_CHAIN) {
                fprintf(stderr, "genmodel: --chains applies to chain models only\n");
                return -1;
            }
            /* Checked against N once N is known. */
            if (parse_count(value, 1, GEN_MAX_N, &opt->chains)) {
                fprintf(stderr, "genmodel: bad --chains '%s' (a whole number >= 1)\n", value);
                return -1;
            }
        } else if (strcmp(arg, "--depth") == 0) {
            if (opt->kind != GEN_FLAT) {
                fprintf(stderr, "genmodel: --depth applies to flat models only\n");
                return -1;
            }
            if (parse_count(value, 1, GEN_MAX_N, &opt->depth)) {
                fprintf(stderr, "genmodel: bad --depth '%s' (1 to %llu)\n", value, GEN_MAX_N);
                return -1;
            }
        } else if (strcmp(arg, "--steps") == 0) {
            if (parse_count(value, 1, GEN_MAX_STEPS, &opt->steps)) {
                fprintf(stderr, "genmodel: bad --steps '%s' (1 to %llu)\n", value, GEN_MAX_STEPS);
                return -1;
            }
        } else if (strcmp(arg, "-o") == 0) {
            opt->output = value;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            fprintf(stderr, "genmodel: unknown option '%s'\n", arg);
            return -1;
        } else if (!have_n) {
            if (parse_count(arg, 1, GEN_MAX_N, &opt->n)) {
                fprintf(stderr, "genmodel: bad N '%s' (a whole number from 1 to %llu)\n", arg,
                        GEN_MAX_N);
                return -1;
            }
            have_n = 1;
        } else {
            fprintf(stderr, "genmodel: unexpected argument '%s'\n", arg);
            return -1;
        }
    }
    if (!have_n) {
        fprintf(stderr, "genmodel: missing N\n");
        return -1;
    }

    if (opt->kind == GEN_CHAIN) {
        if (opt->chains == 0) {
            opt->chains = opt->n / GEN_STOCKS_PER_CHAIN;
            if (opt->chains == 0)
                opt->chains = 1;
        }
        if (opt->chains > opt->n) {
            fprintf(stderr, "genmodel: --chains %llu is more than the %llu stocks\n", opt->chains,
                    opt->n);
            return -1;
        }
    }
    if (opt->steps == 0)
        opt->steps = (opt->kind == GEN_CHAIN) ? GEN_CHAIN_STEPS : GEN_FLAT_STEPS;
    return 0;
}

/* ------------------------------------------------------------------ */
/* The document around the variables                                   */
/* ------------------------------------------------------------------ */

static void write_head(FILE *out, const char *name, gen_count steps)
{
    /* Steps times a power of two is exact, and %.17g reads back exactly. */
    double stop = (double)steps * GEN_DT;

    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            "<xmile version=\"1.0\" xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\">\n"
            "    <header>\n"
            "        <name>%s</name>\n"
            "        <vendor>overcap</vendor>\n"
            "        <product version=\"1.0\">overcap genmodel</product>\n"
            "    </header>\n"
            "    <sim_specs method=\"Euler\" time_units=\"Months\">\n"
            "        <start>0</start>\n"
            "        <stop>%.17g</stop>\n"
            "        <dt>%.17g</dt>\n"
            "    </sim_specs>\n"
            "    <model>\n"
            "        <variables>\n",
            name, stop, GEN_DT);
}

static void write_tail(FILE *out)
{
    fputs("        </variables>\n"
          "    </model>\n"
          "</xmile>\n",
          out);
}

/* ------------------------------------------------------------------ */
/* chain N                                                             */
/* ------------------------------------------------------------------ */

/* Number of stocks in chain c when n stocks are split over chains: the
 * first n % chains chains take one more. */
static gen_count chain_length(gen_count n, gen_count chains, gen_count c)
{
    return n / chains + (c < n % chains ? 1 : 0);
}

/*
 * One stock and the five variables around it. The constants vary with the
 * position so that stocks do not all share one trajectory, and are chosen
 * so every stock stays positive and bounded:
 *
 *   effect  falls from 1.3 to 0.7 as the perceived stock rises past its
 *           target, so each stage passes on more than it receives when low
 *           and less when high: flows settle near target / residence.
 *   outflow never takes more than the stock per time unit (MIN), and with
 *           residence >= 2 and dt = 0.25 never empties it in one step.
 *
 * Operation count (what an evaluator does per step): inflow 2 (*, MAX),
 * outflow 5 (/, *, +, *, MIN), gap 4 (>, -, /, IF), smooth 3, effect 2 plus
 * the table search, the stock's Euler update 3: about 20.
 */
static void write_chain_stock(FILE *out, gen_count c, gen_count j)
{
    unsigned target = 40u + 10u * (unsigned)(j % 3);                   /* 40, 50, 60 */
    unsigned residence = 2u + (unsigned)(j % 4);                       /* 2 .. 5 */
    unsigned smoothing = 3u + (unsigned)((c + j) % 3);                 /* 3 .. 5 */
    unsigned initial = 30u + 10u * (unsigned)((c * 7u + j * 3u) % 5u); /* 30 .. 70 */

    fprintf(out,
            "            <stock name=\"stock_%llu_%llu\">\n"
            "                <eqn>%u</eqn>\n"
            "                <inflow>inflow_%llu_%llu</inflow>\n"
            "                <outflow>outflow_%llu_%llu</outflow>\n"
            "            </stock>\n",
            c, j, initial, c, j, c, j);

    if (j == 0) {
        /* The head of a chain: a base load plus half of what the previous
         * chain's tail sends, after the delay. */
        fprintf(out,
                "            <flow name=\"inflow_%llu_0\">\n"
                "                <eqn>MAX(0, (2 + 0.5 * returned_%llu) * effect_%llu_0)</eqn>\n"
                "            </flow>\n",
                c, c, c);
    } else {
        fprintf(out,
                "            <flow name=\"inflow_%llu_%llu\">\n"
                "                <eqn>MAX(0, outflow_%llu_%llu * effect_%llu_%llu)</eqn>\n"
                "            </flow>\n",
                c, j, c, j - 1, c, j);
    }

    fprintf(out,
            "            <flow name=\"outflow_%llu_%llu\">\n"
            "                <eqn>MIN(stock_%llu_%llu, stock_%llu_%llu / %u * (1 + 0.1 * "
            "gap_%llu_%llu))</eqn>\n"
            "            </flow>\n",
            c, j, c, j, c, j, residence, c, j);

    fprintf(out,
            "            <aux name=\"gap_%llu_%llu\">\n"
            "                <eqn>IF stock_%llu_%llu &gt; %u THEN (stock_%llu_%llu - %u) / %u "
            "ELSE 0</eqn>\n"
            "            </aux>\n",
            c, j, c, j, target, c, j, target, target);

    fprintf(out,
            "            <aux name=\"perceived_%llu_%llu\">\n"
            "                <eqn>SMTH1(stock_%llu_%llu, %u)</eqn>\n"
            "            </aux>\n",
            c, j, c, j, smoothing);

    /* A standalone named <gf> called like a function. XMILE also allows the
     * table inline in the aux (<eqn> is then its input), but SDEverywhere
     * 0.7 reads such an aux as a lookup and drops its <eqn>; the named form
     * is standard XMILE that both engines read the same way. */
    fprintf(out,
            "            <gf name=\"effect_table_%llu_%llu\">\n"
            "                <xscale min=\"0\" max=\"2.5\"/>\n"
            "                <ypts>1.3,1.2,1.05,0.95,0.8,0.7</ypts>\n"
            "            </gf>\n"
            "            <aux name=\"effect_%llu_%llu\">\n"
            "                <eqn>effect_table_%llu_%llu(perceived_%llu_%llu / %u)</eqn>\n"
            "            </aux>\n",
            c, j, c, j, c, j, c, j, target);
}

static void write_chain(FILE *out, const gen_options *opt)
{
    gen_count c, j;
    char name[64];

    snprintf(name, sizeof name, "chain_%llu", opt->n);
    write_head(out, name, opt->steps);

    for (c = 0; c < opt->chains; c++) {
        gen_count len = chain_length(opt->n, opt->chains, c);
        gen_count prev = (c == 0) ? opt->chains - 1 : c - 1;
        gen_count prev_tail = chain_length(opt->n, opt->chains, prev) - 1;
        /* Both orders of delay, so an engine cannot pass with only one. */
        const char *delay = (c % 2 == 0) ? "DELAY3" : "DELAY1";

        fprintf(out,
                "            <aux name=\"returned_%llu\">\n"
                "                <eqn>%s(outflow_%llu_%llu, 8)</eqn>\n"
                "            </aux>\n",
                c, delay, prev, prev_tail);
        for (j = 0; j < len; j++)
            write_chain_stock(out, c, j);
    }
    write_tail(out);
}

/* ------------------------------------------------------------------ */
/* flat N                                                              */
/* ------------------------------------------------------------------ */

/*
 * Chain c of m variables:
 *   m == 1  one constant aux.
 *   m >= 2  stock_c, flow_c and m-2 auxes aux_c_1 .. aux_c_{m-2}, each
 *           depending on the one before; aux_c_1 reads stock_c and the
 *           previous chain's stock; flow_c pulls stock_c toward the last aux.
 * Every equation has at most four operations, so the time goes into the
 * number of variables and the depth of the dependency graph, not into
 * evaluating expressions.
 */
static void write_flat_chain(FILE *out, gen_count c, gen_count m, int has_prev_stock,
                             gen_count prev)
{
    gen_count k;

    if (m == 1) {
        fprintf(out,
                "            <aux name=\"aux_%llu_1\">\n"
                "                <eqn>1</eqn>\n"
                "            </aux>\n",
                c);
        return;
    }

    fprintf(out,
            "            <stock name=\"stock_%llu\">\n"
            "                <eqn>1</eqn>\n"
            "                <inflow>flow_%llu</inflow>\n"
            "            </stock>\n",
            c, c);
    if (m == 2) {
        fprintf(out,
                "            <flow name=\"flow_%llu\">\n"
                "                <eqn>(2 - stock_%llu) * 0.1</eqn>\n"
                "            </flow>\n",
                c, c);
        return;
    }
    fprintf(out,
            "            <flow name=\"flow_%llu\">\n"
            "                <eqn>(aux_%llu_%llu - stock_%llu) * 0.1</eqn>\n"
            "            </flow>\n",
            c, c, m - 2, c);

    if (has_prev_stock) {
        fprintf(out,
                "            <aux name=\"aux_%llu_1\">\n"
                "                <eqn>stock_%llu * 0.5 + stock_%llu * 0.5 + 1</eqn>\n"
                "            </aux>\n",
                c, c, prev);
    } else {
        fprintf(out,
                "            <aux name=\"aux_%llu_1\">\n"
                "                <eqn>stock_%llu * 0.5 + 1</eqn>\n"
                "            </aux>\n",
                c, c);
    }
    for (k = 2; k <= m - 2; k++) {
        fprintf(out,
                "            <aux name=\"aux_%llu_%llu\">\n"
                "                <eqn>aux_%llu_%llu * 0.9 + 0.2</eqn>\n"
                "            </aux>\n",
                c, k, c, k - 1);
    }
}

static void write_flat(FILE *out, const gen_options *opt)
{
    gen_count c;
    gen_count chains = (opt->n + opt->depth - 1) / opt->depth;
    char name[64];

    snprintf(name, sizeof name, "flat_%llu", opt->n);
    write_head(out, name, opt->steps);
    for (c = 0; c < chains; c++) {
        gen_count m = (c + 1 < chains) ? opt->depth : opt->n - c * opt->depth;
        /* Chains before this one are all full (depth variables), so the
         * previous one has a stock exactly when depth >= 2. */
        int has_prev_stock = (c > 0 && opt->depth >= 2);

        write_flat_chain(out, c, m, has_prev_stock, c - (c > 0 ? 1 : 0));
    }
    write_tail(out);
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    gen_options opt;
    FILE *out = stdout;
    int rc;
    int failed = 0;

    rc = parse_args(argc, argv, &opt);
    if (rc > 0)
        return 0;
    if (rc < 0)
        return 2;

    if (opt.output) {
        out = fopen(opt.output, "w");
        if (out == NULL) {
            fprintf(stderr, "genmodel: cannot write '%s': %s\n", opt.output, strerror(errno));
            return 1;
        }
    }

    if (opt.kind == GEN_CHAIN)
        write_chain(out, &opt);
    else
        write_flat(out, &opt);

    /* One check at the end: stdio keeps the error flag, so a full disk or a
     * closed pipe anywhere above shows up here. */
    if (fflush(out) != 0 || ferror(out))
        failed = 1;
    if (out != stdout) {
        if (fclose(out) != 0)
            failed = 1;
    }
    if (failed) {
        fprintf(stderr, "genmodel: write failed%s%s\n", opt.output ? " to " : "",
                opt.output ? opt.output : "");
        /* A truncated model is worse than none: it might still parse. */
        if (opt.output)
            remove(opt.output);
        return 1;
    }
    return 0;
}
