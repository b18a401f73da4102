/*
 * test_integrators.c - Euler and RK4 against analytic solutions, with the
 * expected order of convergence as dt halves (1 for Euler, 4 for RK4).
 */
#include "../testlib.h"

static const char *decay =
    "<stock name=\"s\"><eqn>1</eqn><outflow>decay</outflow></stock>"
    "<flow name=\"decay\"><eqn>s * 1.0</eqn></flow>";

static const char *oscillator =
    "<stock name=\"x\"><eqn>1</eqn><inflow>vx</inflow></stock>"
    "<flow name=\"vx\"><eqn>v</eqn></flow>"
    "<stock name=\"v\"><eqn>0</eqn><outflow>ax</outflow></stock>"
    "<flow name=\"ax\"><eqn>x</eqn></flow>";

/* Error at t = stop of variable var against exact. */
static double error_at(const char *vars, const char *var, double stop, double dt, oc_method method,
                       double exact)
{
    char specs[200];
    oc_model *m = NULL;
    oc_run *r = NULL;
    oc_error err;
    oc_specs sp;
    double v = NAN;
    snprintf(specs, sizeof(specs), "<start>0</start><stop>%g</stop><dt>%.17g</dt>", stop, dt);
    if(t_load(specs, vars, &m, &err) != OC_OK)
        return NAN;
    oc_run_create(m, &r, &err);
    oc_run_specs(r, &sp);
    sp.method = method;
    sp.save_step = stop;
    oc_run_set_specs(r, &sp, &err);
    if(oc_run_simulate(r, &err) == OC_OK)
        v = t_value_at(m, r, var, oc_run_save_count(r) - 1);
    oc_run_free(r);
    oc_model_free(m);
    return fabs(v - exact);
}

static void order(const char *name, const char *vars, const char *var, double stop, double exact,
                  oc_method method, double dt0, double want)
{
    double e1 = error_at(vars, var, stop, dt0, method, exact);
    double e2 = error_at(vars, var, stop, dt0 / 2, method, exact);
    double e3 = error_at(vars, var, stop, dt0 / 4, method, exact);
    double p1 = log2(e1 / e2), p2 = log2(e2 / e3);
    CHECK(e3 < e2 && e2 < e1, "%s: error shrinks as dt halves (%g %g %g)", name, e1, e2, e3);
    CHECK(fabs(p1 - want) < 0.15 && fabs(p2 - want) < 0.1,
          "%s: observed order %.3f, %.3f, expected %g", name, p1, p2, want);
}

int main(void)
{
    order("Euler, exponential decay", decay, "s", 2, exp(-2.0), OC_EULER, 0.05, 1);
    order("RK4, exponential decay", decay, "s", 2, exp(-2.0), OC_RK4, 0.125, 4);
    order("Euler, harmonic oscillator", oscillator, "x", 5, cos(5.0), OC_EULER, 0.01, 1);
    order("RK4, harmonic oscillator", oscillator, "x", 5, cos(5.0), OC_RK4, 0.125, 4);
    /* one RK4 step of decay is the 4th-order Taylor polynomial */
    CHECK(NEAR(error_at(decay, "s", 0.5, 0.5, OC_RK4, 0.0),
               1 - 0.5 + 0.125 - 0.5 * 0.5 * 0.5 / 6 + 0.5 * 0.5 * 0.5 * 0.5 / 24, 1e-15),
          "one RK4 step equals the Taylor polynomial");
    /* Euler on decay is exactly (1 - dt)^n */
    CHECK(NEAR(error_at(decay, "s", 2, 0.25, OC_EULER, 0.0), pow(0.75, 8), 1e-15),
          "Euler equals (1 - dt)^n");
    DONE();
}
