/*
 * testlib.h - the few macros every test program uses.
 *
 * CHECK(cond, ...) counts a pass or prints the failure with its line;
 * NEAR(a, b, tol) compares doubles; DONE() prints "N passed, N failed" and
 * returns the exit status. Helpers build a model from XMILE text.
 */
#ifndef OC_TESTLIB_H
#define OC_TESTLIB_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "overcap.h"

static int t_passed, t_failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if(cond)                                                                                   \
            t_passed++;                                                                            \
        else {                                                                                     \
            t_failed++;                                                                            \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while(0)

#define NEAR(a, b, tol) (fabs((a) - (b)) <= (tol))

#define DONE()                                                                                     \
    do {                                                                                           \
        printf("%d passed, %d failed\n", t_passed, t_failed);                                      \
        return t_failed ? 1 : 0;                                                                   \
    } while(0)

/* An XMILE document around a <variables> body. */
static inline char *t_model(const char *specs, const char *vars)
{
#define T_DOC                                                                                      \
    "<xmile xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\" "                             \
    "version=\"1.0\">\n<header><name>t</name></header>\n"                                        \
    "<sim_specs>%s</sim_specs>\n<model><variables>\n%s\n</variables></model>"                     \
    "</xmile>\n"
    size_t n = strlen(T_DOC) + strlen(specs) + strlen(vars) + 1;
    char *s = malloc(n);
    if(s)
        snprintf(s, n, T_DOC, specs, vars);
    return s;
}

#define T_SPECS "<start>0</start><stop>10</stop><dt>1</dt>"

/* Loads a model from text; returns the status, fills *m and err. */
static inline int t_load(const char *specs, const char *vars, oc_model **m, oc_error *err)
{
    char *s = t_model(specs, vars);
    int rc = oc_model_load_buffer(s, strlen(s), "test.xmile", m, err);
    free(s);
    return rc;
}

/* Runs a loaded model and returns the value of var at save point i, or NaN. */
static inline double t_value_at(const oc_model *m, oc_run *r, const char *var, size_t i)
{
    size_t idx, j;
    if(oc_model_find(m, var, &idx, NULL) != OC_OK)
        return NAN;
    for(j = 0; j < oc_run_selected_count(r); j++)
        if(oc_run_selected_index(r, j) == idx)
            return oc_run_value(r, i, j);
    return NAN;
}

/* The value of the aux "x" defined by expr, at the first save point. */
static inline double t_eval(const char *expr)
{
    char vars[4096];
    oc_model *m = NULL;
    oc_run *r = NULL;
    oc_error err;
    double v = NAN;
    snprintf(vars, sizeof(vars), "<aux name=\"x\"><eqn>%s</eqn></aux>", expr);
    if(t_load(T_SPECS, vars, &m, &err) != OC_OK) {
        printf("  (load of '%s' failed: %s)\n", expr, err.message);
        return NAN;
    }
    if(oc_run_create(m, &r, &err) == OC_OK && oc_run_simulate(r, &err) == OC_OK)
        v = t_value_at(m, r, "x", 0);
    oc_run_free(r);
    oc_model_free(m);
    return v;
}

#endif
