/*
 * test_engine.c - simulation semantics: time functions, delays, smooths,
 * INIT, PREVIOUS, random numbers, graphical functions, overrides, specs,
 * non-negative stocks, modules and macros.
 */
#include "../testlib.h"

typedef struct sim {
    oc_model *m;
    oc_run *r;
    oc_error err;
    int rc;
} sim;

static sim run_model(const char *specs, const char *vars, uint64_t seed)
{
    sim s;
    memset(&s, 0, sizeof(s));
    s.rc = t_load(specs, vars, &s.m, &s.err);
    if(s.rc) {
        printf("  (load failed: %s line %d)\n", s.err.message, s.err.line);
        return s;
    }
    s.rc = oc_run_create(s.m, &s.r, &s.err);
    if(!s.rc) {
        oc_run_set_seed(s.r, seed);
        s.rc = oc_run_simulate(s.r, &s.err);
    }
    if(s.rc)
        printf("  (run failed: %s)\n", s.err.message);
    return s;
}

static void done(sim *s)
{
    oc_run_free(s->r);
    oc_model_free(s->m);
}

/* value of var at time t (save points every save_step from start) */
static double at(const sim *s, const char *var, double t)
{
    oc_specs sp;
    double k;
    if(!s->r)
        return NAN;
    oc_run_specs(s->r, &sp);
    k = (t - sp.start) / sp.save_step;
    return t_value_at(s->m, s->r, var, (size_t)floor(k + 0.5));
}

static void time_functions(void)
{
    sim s = run_model("<start>0</start><stop>10</stop><dt>0.1</dt>",
                      "<aux name=\"st\"><eqn>STEP(5, 0.3)</eqn></aux>"
                      "<aux name=\"pu\"><eqn>PULSE(10, 2)</eqn></aux>"
                      "<aux name=\"pr\"><eqn>PULSE(10, 2, 3)</eqn></aux>"
                      "<aux name=\"ra\"><eqn>RAMP(2, 3)</eqn></aux>"
                      "<aux name=\"re\"><eqn>RAMP(2, 3, 6)</eqn></aux>",
                      0);
    CHECK(s.rc == OC_OK, "time functions run");
    CHECK(at(&s, "st", 0.2) == 0 && at(&s, "st", 0.3) == 5 && at(&s, "st", 0.4) == 5,
          "STEP fires at 0.3 despite float time: %g %g", at(&s, "st", 0.2), at(&s, "st", 0.3));
    CHECK(NEAR(at(&s, "pu", 2.0), 100, 1e-9) && at(&s, "pu", 1.9) == 0 && at(&s, "pu", 2.1) == 0,
          "PULSE is mag/DT for one step: %g", at(&s, "pu", 2.0));
    CHECK(NEAR(at(&s, "pr", 5.0), 100, 1e-9) && NEAR(at(&s, "pr", 8.0), 100, 1e-9) &&
              at(&s, "pr", 5.1) == 0 && at(&s, "pr", 4.9) == 0,
          "PULSE repeats every interval");
    CHECK(at(&s, "ra", 3.0) == 0 && NEAR(at(&s, "ra", 5.0), 4, 1e-9), "RAMP slope 2 from 3: %g",
          at(&s, "ra", 5.0));
    CHECK(NEAR(at(&s, "re", 8.0), 6, 1e-9), "RAMP holds after its end: %g", at(&s, "re", 8.0));
    done(&s);
}

static void smooths_and_delays(void)
{
    const double dt = 0.25, T = 2.0;
    sim s = run_model("<start>0</start><stop>20</stop><dt>0.25</dt>",
                      "<aux name=\"in\"><eqn>10</eqn></aux>"
                      "<aux name=\"sm\"><eqn>SMTH1(in, 2, 0)</eqn></aux>"
                      "<aux name=\"sm3\"><eqn>SMTH3(in, 2, 0)</eqn></aux>"
                      "<aux name=\"d1\"><eqn>DELAY1(in, 2)</eqn></aux>"
                      "<aux name=\"d3\"><eqn>DELAY3(STEP(6, 1), 3)</eqn></aux>"
                      "<aux name=\"dn\"><eqn>DELAYN(STEP(6, 1), 3, 3)</eqn></aux>"
                      "<aux name=\"sn\"><eqn>SMTHN(in, 2, 3, 0)</eqn></aux>"
                      "<aux name=\"pipe\"><eqn>DELAY(TIME, 2)</eqn></aux>"
                      "<aux name=\"pipe7\"><eqn>DELAY(TIME, 2, 7)</eqn></aux>"
                      "<aux name=\"frac\"><eqn>DELAY(TIME, 0.375)</eqn></aux>"
                      "<aux name=\"iv\"><eqn>INIT(TIME + 5)</eqn></aux>"
                      "<aux name=\"prev\"><eqn>PREVIOUS(TIME, -1)</eqn></aux>"
                      "<aux name=\"count\"><eqn>PREVIOUS(SELF, 0) + 1</eqn></aux>",
                      0);
    int n;
    CHECK(s.rc == OC_OK, "delays run");
    for(n = 0; n <= 8; n++) {
        double want = 10.0 * (1.0 - pow(1.0 - dt / T, n));
        CHECK(NEAR(at(&s, "sm", n * dt), want, 1e-12), "SMTH1 at step %d: %.15g vs %.15g", n,
              at(&s, "sm", n * dt), want);
    }
    CHECK(NEAR(at(&s, "sm3", 20), 10, 1e-3) && at(&s, "sm3", 0.5) < at(&s, "sm", 0.5),
          "SMTH3 lags SMTH1 and converges");
    CHECK(NEAR(at(&s, "sn", 7.5), at(&s, "sm3", 7.5), 1e-12), "SMTHN(.., 3) equals SMTH3");
    CHECK(NEAR(at(&s, "d1", 0), 10, 1e-12) && NEAR(at(&s, "d1", 20), 10, 1e-12),
          "DELAY1 of a constant starts and stays at it");
    CHECK(at(&s, "d3", 1.0) == 0 && NEAR(at(&s, "d3", 20), 6, 1e-3), "DELAY3 delivers the step: %g",
          at(&s, "d3", 20));
    CHECK(NEAR(at(&s, "dn", 12), at(&s, "d3", 12), 1e-12),
          "DELAYN(.., 3) equals DELAY3 with a fixed delay time");
    CHECK(at(&s, "pipe", 1.0) == 0 && NEAR(at(&s, "pipe", 5.0), 3, 1e-12) &&
              NEAR(at(&s, "pipe", 2.0), 0, 1e-12),
          "DELAY(TIME, 2): %g at 5", at(&s, "pipe", 5.0));
    CHECK(at(&s, "pipe7", 1.75) == 7 && NEAR(at(&s, "pipe7", 2.0), 0, 1e-12),
          "DELAY with an initial value");
    CHECK(NEAR(at(&s, "frac", 3.0), 2.625, 1e-12), "DELAY by 1.5 steps interpolates: %.15g",
          at(&s, "frac", 3.0));
    CHECK(at(&s, "iv", 0) == 5 && at(&s, "iv", 10) == 5, "INIT holds the initial value");
    CHECK(at(&s, "prev", 0) == -1 && NEAR(at(&s, "prev", 3), 2.75, 1e-12),
          "PREVIOUS gives the last step's value: %g", at(&s, "prev", 3));
    CHECK(at(&s, "count", 0) == 1 && at(&s, "count", 2) == 9, "PREVIOUS(SELF) counts steps: %g",
          at(&s, "count", 2));
    done(&s);
}

static void trend_and_forecast(void)
{
    sim s = run_model("<start>0</start><stop>60</stop><dt>0.03125</dt>",
                      "<aux name=\"x\"><eqn>EXP(0.1*TIME)</eqn></aux>"
                      "<aux name=\"tr\"><eqn>TREND(x, 2, 0.1)</eqn></aux>"
                      "<aux name=\"fc\"><eqn>FORCST(x, 2, 5, 0.1)</eqn></aux>",
                      0);
    double tr = at(&s, "tr", 60), x = at(&s, "x", 60);
    CHECK(s.rc == OC_OK, "trend runs");
    /* for exponential input the steady-state TREND is the growth rate */
    CHECK(NEAR(tr, 0.1, 2e-3), "TREND of exp(0.1 t) -> 0.1: %g", tr);
    CHECK(NEAR(at(&s, "fc", 60), x * (1 + tr * 5), 1e-9 * x), "FORCST = x (1 + trend h)");
    done(&s);
}

static double mean_of(const sim *s, const char *var, int n, double *sd)
{
    double sum = 0, sq = 0;
    int i;
    for(i = 0; i < n; i++) {
        double v = at(s, var, i);
        sum += v;
        sq += v * v;
    }
    *sd = sqrt(sq / n - (sum / n) * (sum / n));
    return sum / n;
}

static void random_numbers(void)
{
    const char *vars = "<aux name=\"u\"><eqn>RANDOM(0, 1)</eqn></aux>"
                       "<aux name=\"n\"><eqn>NORMAL(0, 1)</eqn></aux>"
                       "<aux name=\"e\"><eqn>EXPRND(2)</eqn></aux>"
                       "<aux name=\"p\"><eqn>POISSON(3)</eqn></aux>"
                       "<aux name=\"l\"><eqn>LOGNORMAL(10, 1)</eqn></aux>"
                       "<aux name=\"fixed\"><eqn>RANDOM(0, 1, 42)</eqn></aux>"
                       "<aux name=\"u2\"><eqn>UNIFORM(0, 1)</eqn></aux>";
    const char *specs = "<start>0</start><stop>20000</stop><dt>1</dt>";
    sim a = run_model(specs, vars, 7), b = run_model(specs, vars, 7), c = run_model(specs, vars, 8);
    size_t i, n = oc_run_save_count(a.r), w = oc_run_selected_count(a.r);
    int same = 1, differ = 0, fixed_same = 1, sites_differ = 0;
    double sd, mean;
    CHECK(a.rc == OC_OK && b.rc == OC_OK && c.rc == OC_OK, "random models run");
    for(i = 0; i < n; i++) {
        if(memcmp(oc_run_row(a.r, i), oc_run_row(b.r, i), w * sizeof(double)) != 0)
            same = 0;
        if(at(&a, "u", (double)i) != at(&c, "u", (double)i))
            differ++;
        if(at(&a, "fixed", (double)i) != at(&c, "fixed", (double)i))
            fixed_same = 0;
        if(at(&a, "u", (double)i) != at(&a, "u2", (double)i))
            sites_differ++;
    }
    CHECK(same, "the same seed gives byte-identical results");
    CHECK(differ > 19000, "another seed gives other numbers (%d of 20001 differ)", differ);
    CHECK(fixed_same, "RANDOM with its own seed does not depend on the run's seed");
    CHECK(sites_differ > 19000, "two call sites draw independent numbers");
    /* means within 5 standard errors (20001 draws) */
    mean = mean_of(&a, "u", 20001, &sd);
    CHECK(NEAR(mean, 0.5, 5 * sqrt(1.0 / 12 / 20001)) && NEAR(sd, sqrt(1.0 / 12), 0.01),
          "RANDOM(0,1): mean %g sd %g", mean, sd);
    mean = mean_of(&a, "n", 20001, &sd);
    CHECK(NEAR(mean, 0, 5 / sqrt(20001.0)) && NEAR(sd, 1, 0.02), "NORMAL(0,1): mean %g sd %g", mean,
          sd);
    mean = mean_of(&a, "e", 20001, &sd);
    CHECK(NEAR(mean, 2, 5 * 2 / sqrt(20001.0)) && NEAR(sd, 2, 0.1), "EXPRND(2): mean %g sd %g",
          mean, sd);
    mean = mean_of(&a, "p", 20001, &sd);
    CHECK(NEAR(mean, 3, 5 * sqrt(3 / 20001.0)) && NEAR(sd * sd, 3, 0.15),
          "POISSON(3): mean %g var %g", mean, sd * sd);
    mean = mean_of(&a, "l", 20001, &sd);
    CHECK(NEAR(mean, 10, 5 * 1 / sqrt(20001.0)) && NEAR(sd, 1, 0.05), "LOGNORMAL(10,1): mean %g sd %g",
          mean, sd);
    done(&a);
    done(&b);
    done(&c);
}

static void graphical_functions(void)
{
    sim s = run_model("<start>0</start><stop>12</stop><dt>1</dt>",
                      "<aux name=\"cont\"><eqn>TIME</eqn><gf><xpts>2,4,6</xpts>"
                      "<ypts>0,10,40</ypts></gf></aux>"
                      "<aux name=\"ext\"><eqn>TIME</eqn><gf type=\"extrapolate\"><xpts>2,4,6</xpts>"
                      "<ypts>0,10,40</ypts></gf></aux>"
                      "<aux name=\"disc\"><eqn>TIME</eqn><gf type=\"discrete\"><xpts>2,4,6</xpts>"
                      "<ypts>0,10,40</ypts></gf></aux>"
                      "<aux name=\"scaled\"><eqn>TIME</eqn><gf><xscale min=\"0\" max=\"10\"/>"
                      "<ypts sep=\";\">0;100;200</ypts></gf></aux>"
                      "<gf name=\"table\"><xpts>0,10</xpts><ypts>0,1</ypts></gf>"
                      "<aux name=\"called\"><eqn>table(TIME) + LOOKUP(table, 5)</eqn></aux>",
                      0);
    CHECK(s.rc == OC_OK, "graphical functions run");
    CHECK(at(&s, "cont", 0) == 0 && at(&s, "cont", 3) == 5 && at(&s, "cont", 12) == 40,
          "continuous: clamps and interpolates");
    CHECK(at(&s, "ext", 0) == -10 && at(&s, "ext", 8) == 70, "extrapolate: %g %g",
          at(&s, "ext", 0), at(&s, "ext", 8));
    CHECK(at(&s, "disc", 3) == 0 && at(&s, "disc", 4) == 10 && at(&s, "disc", 5) == 10 &&
              at(&s, "disc", 9) == 40,
          "discrete: steps");
    CHECK(at(&s, "scaled", 5) == 100 && at(&s, "scaled", 7) == 140, "xscale spacing and sep");
    CHECK(NEAR(at(&s, "called", 4), 0.9, 1e-12), "named table called two ways: %g",
          at(&s, "called", 4));
    done(&s);
}

static void overrides_and_specs(void)
{
    oc_model *m = NULL;
    oc_run *r = NULL;
    oc_error err;
    oc_specs sp;
    size_t idx;
    int rc = t_load("<start>0</start><stop>4</stop><dt>0.5</dt>",
                    "<aux name=\"rate\"><eqn>0.5</eqn></aux>"
                    "<aux name=\"initial\"><eqn>rate * 20</eqn></aux>"
                    "<stock name=\"s\"><eqn>initial</eqn><inflow>f</inflow></stock>"
                    "<flow name=\"f\"><eqn>rate</eqn></flow>"
                    "<aux name=\"moving\"><eqn>TIME</eqn></aux>",
                    &m, &err);
    CHECK(rc == OC_OK, "override model loads");
    if(rc)
        return;
    oc_run_create(m, &r, &err);
    CHECK(oc_run_set_value(r, "Rate", 2, &err) == OC_OK, "set a constant");
    oc_run_simulate(r, &err);
    CHECK(t_value_at(m, r, "s", 0) == 40 && t_value_at(m, r, "s", 8) == 48,
          "the override reaches the initial values and the flow: %g %g", t_value_at(m, r, "s", 0),
          t_value_at(m, r, "s", 8));
    CHECK(oc_run_set_value(r, "initial", 1, &err) == OC_OK, "set a derived constant");
    oc_run_simulate(r, &err);
    CHECK(t_value_at(m, r, "s", 0) == 1, "a derived constant can be set directly");
    CHECK(oc_run_set_value(r, "moving", 1, &err) == OC_EARG && strstr(err.message, "not a constant"),
          "a variable that changes cannot be set: %s", err.message);
    CHECK(oc_run_set_value(r, "s", 1, &err) == OC_EARG, "a stock cannot be set");
    CHECK(oc_run_set_value(r, "rate", NAN, &err) == OC_EARG && strstr(err.message, "finite"),
          "NaN is refused");
    CHECK(oc_run_set_value(r, "rate", INFINITY, &err) == OC_EARG, "infinity is refused");
    CHECK(oc_run_set_value(r, "nosuch", 1, &err) == OC_EUNKNOWN, "unknown name refused");
    oc_run_clear_values(r);
    oc_run_simulate(r, &err);
    CHECK(t_value_at(m, r, "s", 0) == 10, "clear_values restores the model's equations");

    oc_run_specs(r, &sp);
    sp.save_step = 2;
    CHECK(oc_run_set_specs(r, &sp, &err) == OC_OK, "save step 2");
    oc_run_simulate(r, &err);
    CHECK(oc_run_save_count(r) == 3 && oc_run_time(r, 2) == 4, "saves at 0, 2, 4 (%zu)",
          oc_run_save_count(r));
    sp.save_step = 0.75;
    CHECK(oc_run_set_specs(r, &sp, &err) == OC_ESPECS && strstr(err.message, "multiple"),
          "a save step that is not a multiple of dt is refused");
    sp.save_step = 0.5;
    sp.dt = 0;
    CHECK(oc_run_set_specs(r, &sp, &err) == OC_ESPECS, "dt 0 refused");
    sp.dt = -1;
    CHECK(oc_run_set_specs(r, &sp, &err) == OC_ESPECS, "negative dt refused");
    sp.dt = 0.5;
    sp.stop = -1;
    CHECK(oc_run_set_specs(r, &sp, &err) == OC_ESPECS && strstr(err.message, "before"),
          "stop before start refused");
    sp.stop = 1e12;
    sp.dt = 1e-3;
    CHECK(oc_run_set_specs(r, &sp, &err) == OC_ELIMIT, "too many steps refused");
    sp.stop = NAN;
    CHECK(oc_run_set_specs(r, &sp, &err) == OC_ESPECS, "NaN stop refused");
    CHECK(oc_model_find(m, "rate", &idx, NULL) == OC_OK, "find rate");
    CHECK(oc_run_select(r, &idx, 1, &err) == OC_OK && oc_run_selected_count(r) == 1, "select one");
    idx = 99;
    CHECK(oc_run_select(r, &idx, 1, &err) == OC_EARG, "select out of range refused");
    oc_run_free(r);
    oc_model_free(m);
}

static void non_negative(void)
{
    sim s = run_model("<start>0</start><stop>6</stop><dt>1</dt>",
                      "<stock name=\"tank\"><eqn>2.5</eqn><outflow>drain</outflow>"
                      "<outflow>leak</outflow><non_negative/></stock>"
                      "<flow name=\"drain\"><eqn>1</eqn></flow>"
                      "<flow name=\"leak\"><eqn>1</eqn></flow>"
                      "<stock name=\"sink\"><eqn>0</eqn><inflow>drain</inflow><inflow>leak</inflow>"
                      "</stock>"
                      "<flow name=\"uni\"><eqn>TIME - 3</eqn><non_negative/></flow>",
                      0);
    CHECK(s.rc == OC_OK, "non-negative model runs");
    CHECK(at(&s, "tank", 1) == 0.5 && at(&s, "tank", 2) == 0 && at(&s, "tank", 5) == 0,
          "the tank empties and stays at zero");
    CHECK(at(&s, "drain", 1) == 0.5 && at(&s, "leak", 1) == 0,
          "outflows are served in order and reported cut back: %g %g", at(&s, "drain", 1),
          at(&s, "leak", 1));
    CHECK(at(&s, "sink", 6) == 2.5, "what leaves arrives: conservation (%g)", at(&s, "sink", 6));
    CHECK(at(&s, "uni", 1) == 0 && at(&s, "uni", 5) == 2, "a uniflow is clipped at zero");
    done(&s);
}

static void modules_and_macros(void)
{
    const char *doc =
        "<xmile xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\" version=\"1.0\">"
        "<sim_specs><start>0</start><stop>4</stop><dt>0.5</dt></sim_specs>"
        "<model><variables>"
        "<module name=\"tank\"><connect to=\"inflow rate\" from=\".supply\"/></module>"
        "<aux name=\"supply\"><eqn>3</eqn></aux>"
        "<aux name=\"level\"><eqn>tank.level * 2</eqn></aux>"
        "<aux name=\"smoothed\"><eqn>MYSMOOTH(supply * TIME, 2)</eqn></aux>"
        "<aux name=\"reference\"><eqn>SMTH1(supply * TIME, 2)</eqn></aux>"
        "<aux name=\"twice\"><eqn>double(supply)</eqn></aux>"
        "</variables></model>"
        "<model name=\"tank\"><variables>"
        "<aux name=\"inflow rate\" access=\"input\"><eqn>1</eqn></aux>"
        "<stock name=\"level\" access=\"output\"><eqn>0</eqn><inflow>filling</inflow></stock>"
        "<flow name=\"filling\"><eqn>inflow_rate</eqn></flow>"
        "</variables></model>"
        "<macro name=\"MYSMOOTH\"><parm>input</parm><parm>time</parm><eqn>out</eqn>"
        "<variables><stock name=\"out\"><eqn>input</eqn><inflow>adjust</inflow></stock>"
        "<flow name=\"adjust\"><eqn>(input - out) / time</eqn></flow></variables></macro>"
        "<macro name=\"double\"><parm>x</parm><eqn>2 * x</eqn></macro>"
        "</xmile>";
    oc_model *m = NULL;
    oc_run *r = NULL;
    oc_error err;
    int rc = oc_model_load_buffer(doc, strlen(doc), "modules.xmile", &m, &err);
    size_t idx;
    CHECK(rc == OC_OK, "modules and macros load: %s", err.message);
    if(rc)
        return;
    CHECK(oc_model_find(m, "tank.level", &idx, NULL) == OC_OK, "submodel variables are qualified");
    oc_run_create(m, &r, &err);
    rc = oc_run_simulate(r, &err);
    CHECK(rc == OC_OK, "modules run");
    CHECK(t_value_at(m, r, "tank.level", 8) == 12 && t_value_at(m, r, "level", 8) == 24,
          "the connection feeds the submodel: %g", t_value_at(m, r, "tank.level", 8));
    CHECK(NEAR(t_value_at(m, r, "smoothed", 8), t_value_at(m, r, "reference", 8), 1e-12),
          "a macro with a stock behaves like SMTH1: %g %g", t_value_at(m, r, "smoothed", 8),
          t_value_at(m, r, "reference", 8));
    CHECK(t_value_at(m, r, "twice", 0) == 6, "an expression macro");
    oc_run_free(r);
    oc_model_free(m);
}

static void rerun_is_identical(void)
{
    sim s = run_model("<start>0</start><stop>50</stop><dt>0.25</dt>",
                      "<stock name=\"a\"><eqn>1</eqn><inflow>g</inflow></stock>"
                      "<flow name=\"g\"><eqn>a * 0.05 + NORMAL(0, 0.1)</eqn></flow>"
                      "<aux name=\"d\"><eqn>DELAY(a, 3) + PREVIOUS(g, 0)</eqn></aux>",
                      3);
    size_t n, w, i;
    double *copy;
    int same = 1;
    CHECK(s.rc == OC_OK, "rerun model runs");
    n = oc_run_save_count(s.r);
    w = oc_run_selected_count(s.r);
    copy = malloc(n * w * sizeof(double));
    for(i = 0; i < n; i++)
        memcpy(copy + i * w, oc_run_row(s.r, i), w * sizeof(double));
    oc_run_simulate(s.r, &s.err);
    for(i = 0; i < n; i++)
        if(memcmp(copy + i * w, oc_run_row(s.r, i), w * sizeof(double)) != 0)
            same = 0;
    CHECK(same, "simulating a run again gives the same bytes (state is reset)");
    free(copy);
    done(&s);
}

static void variable_info(void)
{
    oc_model *m = NULL;
    oc_error err;
    oc_var_info info;
    size_t idx;
    int rc = t_load(T_SPECS,
                    "<stock name=\"Cash\"><eqn>100</eqn><inflow>income</inflow><units>$</units>"
                    "<doc>Money on hand.</doc><non_negative/></stock>"
                    "<flow name=\"income\"><eqn>rate * Cash</eqn><units>$/year</units></flow>"
                    "<aux name=\"rate\"><eqn>0.05</eqn><range min=\"0\" max=\"0.2\"/></aux>"
                    "<gf name=\"table\"><xpts>0,1</xpts><ypts>0,1</ypts></gf>",
                    &m, &err);
    CHECK(rc == OC_OK, "info model loads");
    if(rc)
        return;
    CHECK(oc_model_var_count(m) == 4, "four listed variables (%zu)", oc_model_var_count(m));
    CHECK(oc_model_find(m, "cash", &idx, NULL) == OC_OK && oc_model_var_info(m, idx, &info) == OC_OK,
          "info for Cash");
    CHECK(strcmp(info.name, "Cash") == 0 && info.kind == OC_STOCK && strcmp(info.units, "$") == 0 &&
              strcmp(info.doc, "Money on hand.") == 0 && strcmp(info.equation, "100") == 0 &&
              info.non_negative == 1 && info.used_by == 1 && !info.is_constant,
          "stock info: %s %s %s %s used_by %d", info.name, info.units, info.doc, info.equation,
          info.used_by);
    oc_model_find(m, "rate", &idx, NULL);
    oc_model_var_info(m, idx, &info);
    CHECK(info.kind == OC_AUX && info.is_constant && info.used_by == 1, "aux info");
    CHECK(info.has_range && info.range_min == 0 && info.range_max == 0.2, "range from <range>");
    oc_model_find(m, "table", &idx, NULL);
    oc_model_var_info(m, idx, &info);
    CHECK(info.kind == OC_GF && info.has_graph && info.used_by == 0, "table info");
    CHECK(oc_model_var_info(m, 4, &info) == OC_EARG, "index out of range");
    CHECK(strcmp(oc_model_name(m), "t") == 0, "model name from the header");
    oc_model_free(m);
}

int main(void)
{
    variable_info();
    time_functions();
    smooths_and_delays();
    trend_and_forecast();
    random_numbers();
    graphical_functions();
    overrides_and_specs();
    non_negative();
    modules_and_macros();
    rerun_is_identical();
    DONE();
}
