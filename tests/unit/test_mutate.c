/*
 * test_mutate.c - a deterministic mutation fuzzer in the test suite: every
 * parser of untrusted input (the XMILE reader and equation parser, scenario
 * files, Monte Carlo specs) gets thousands of damaged copies of valid
 * inputs. Each must be accepted or refused with a status and a message;
 * none may crash, hang or leak (the sanitizer build runs this too).
 *
 * usage: test_mutate DATA_DIR [ITERATIONS]
 */
#include "../testlib.h"
#include "../readfile.h"

#include "mc_spec.h"
#include "scenario.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* One random edit of src into dst (capacity cap); returns the new length. */
static size_t mutate(const char *src, size_t len, char *dst, size_t cap)
{
    static const char *tokens[] = {"<",  ">",    "\"",  "(",   ")",    "^",   "-",     "1e308",
                                   "0",  "NaN",  "{",   "}",   ",",    "]",   "[",     "IF",
                                   "&lt;", "DT", "/0", "</eqn>", "<eqn>", "SMTHN(", "\\",  ":"};
    size_t n = len < cap ? len : cap, i, k, at;
    memcpy(dst, src, n);
    switch(next() % 6) {
    case 0: /* flip bytes */
        for(k = 0; k < 1 + next() % 4 && n; k++)
            dst[next() % n] = (char)(next() & 0xff);
        break;
    case 1: /* delete a span */
        if(n > 2) {
            at = (size_t)(next() % n);
            k = 1 + (size_t)(next() % 40);
            if(at + k > n)
                k = n - at;
            memmove(dst + at, dst + at + k, n - at - k);
            n -= k;
        }
        break;
    case 2: /* duplicate a span */
        if(n > 2) {
            size_t from = (size_t)(next() % n), span = 1 + (size_t)(next() % 200);
            at = (size_t)(next() % n);
            if(from + span > n)
                span = n - from;
            if(n + span <= cap) {
                memmove(dst + at + span, dst + at, n - at);
                memcpy(dst + at, src + from, span);
                n += span;
            }
        }
        break;
    default: { /* insert a token */
        const char *t = tokens[next() % (sizeof(tokens) / sizeof(tokens[0]))];
        size_t tl = strlen(t);
        at = n ? (size_t)(next() % n) : 0;
        if(n + tl <= cap) {
            memmove(dst + at + tl, dst + at, n - at);
            memcpy(dst + at, t, tl);
            n += tl;
        }
        break;
    }
    }
    for(i = 0; i < n; i++)
        if(dst[i] == '\0')
            dst[i] = ' '; /* the JSON parsers take lengths, but keep C strings sane */
    return n;
}

static void fuzz_model(const char *seed, size_t len, int iterations, int *accepted, int *refused)
{
    size_t cap = len * 2 + 1024;
    char *buf = malloc(cap);
    int i;
    for(i = 0; i < iterations; i++) {
        size_t n = mutate(seed, len, buf, cap);
        oc_model *m = NULL;
        oc_error err;
        int rc = oc_model_load_buffer(buf, n, "mutant.xmile", &m, &err);
        if(rc == OC_OK) {
            oc_run *r = NULL;
            oc_specs sp;
            (*accepted)++;
            oc_model_specs(m, &sp);
            /* run short mutants only: a mutant may ask for a billion steps legally */
            if((sp.stop - sp.start) / sp.dt <= 20000 && oc_run_create(m, &r, &err) == OC_OK)
                oc_run_simulate(r, &err);
            oc_run_free(r);
            oc_model_free(m);
        }
        else {
            (*refused)++;
            if(err.message[0] == '\0' || m != NULL) {
                CHECK(0, "a refused mutant has a message and no model (status %s)",
                      oc_status_name(rc));
                break;
            }
        }
    }
    free(buf);
}

int main(int argc, char **argv)
{
    static const char *models[] = {"decay.xmile", "random.xmile", "ishigami.xmile",
                                   "unused.xmile"};
    char path[4096];
    int iterations = argc > 2 ? atoi(argv[2]) : 1500, accepted = 0, refused = 0, i;
    size_t k, len = 0;
    char *seed;
    if(argc < 2) {
        printf("usage: test_mutate DATA_DIR [ITERATIONS]\n");
        return 2;
    }
    for(k = 0; k < sizeof(models) / sizeof(models[0]); k++) {
        snprintf(path, sizeof(path), "%s/%s", argv[1], models[k]);
        seed = t_read_file(path, &len);
        CHECK(seed != NULL, "seed %s", path);
        if(seed)
            fuzz_model(seed, len, iterations, &accepted, &refused);
        free(seed);
    }
    {
        /* a model with every construct: modules, macros, delays, tables */
        const char *rich =
            "<xmile><sim_specs method=\"rk4\"><start>0</start><stop>4</stop><dt>0.5</dt>"
            "</sim_specs><behavior><non_negative/></behavior><model><variables>"
            "<module name=\"m\"><connect to=\"x\" from=\".a\"/></module>"
            "<aux name=\"a\"><eqn>STEP(2, 1) + RANDOM(0, 1) + PULSE(1, 2, 1)</eqn></aux>"
            "<aux name=\"b\"><eqn>SMTHN(a, 2, 3) + DELAY(a, 1) + DELAYN(a, 2, 2) + TREND(a, 1)"
            "</eqn></aux><aux name=\"c\"><eqn>PREVIOUS(SELF, 1) + INIT(a) + MAC(a, 2)</eqn>"
            "<gf><xpts>0,1,2</xpts><ypts>0,2,3</ypts></gf></aux>"
            "<stock name=\"s\"><eqn>1</eqn><inflow>f</inflow></stock>"
            "<flow name=\"f\"><eqn>m.y - s / 3</eqn></flow></variables></model>"
            "<model name=\"m\"><variables><aux name=\"x\" access=\"input\"><eqn>0</eqn></aux>"
            "<aux name=\"y\" access=\"output\"><eqn>x * 2</eqn></aux></variables></model>"
            "<macro name=\"MAC\"><parm>p</parm><parm>q</parm><eqn>v</eqn><variables>"
            "<stock name=\"v\"><eqn>p</eqn><inflow>w</inflow></stock>"
            "<flow name=\"w\"><eqn>(p - v) / q</eqn></flow></variables></macro></xmile>";
        fuzz_model(rich, strlen(rich), iterations * 2, &accepted, &refused);
    }
    CHECK(accepted > 0 && refused > 0, "mutants both accepted (%d) and refused (%d)", accepted,
          refused);
    {
        /* scenario files and Monte Carlo specs */
        const char *scen = "{\"name\": \"x\", \"set\": {\"hardware_life_years\": 4}, \"jumps\": "
                           "[{\"year\": 2027, \"factor\": 10, \"adoption_years\": 0.5}], "
                           "\"specs\": {\"stop\": 2035, \"method\": \"rk4\"}}";
        size_t cap = 4096;
        char *buf = malloc(cap);
        char err[1024];
        int ok = 0;
        snprintf(path, sizeof(path), "%s/ishigami.json", argv[1]);
        seed = t_read_file(path, &len);
        for(i = 0; i < iterations * 2; i++) {
            scenario sc;
            mc_spec spec;
            size_t n = mutate(scen, strlen(scen), buf, cap);
            if(scenario_parse(buf, n, "mutant.json", &sc, err, sizeof(err)) == 0) {
                ok++;
                scenario_free(&sc);
            }
            if(seed) {
                n = mutate(seed, len, buf, cap);
                if(mc_spec_parse(buf, n, "mutant.json", &spec, err, sizeof(err)) == 0) {
                    ok++;
                    mc_spec_free(&spec);
                }
            }
        }
        CHECK(ok > 0, "some JSON mutants parse (%d)", ok);
        free(seed);
        free(buf);
    }
    printf("%d model mutants accepted, %d refused\n", accepted, refused);
    DONE();
}
