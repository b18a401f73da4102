/*
 * test_lanes.c - many scenarios in one pass give, lane by lane, exactly the
 * bits of the ordinary one-scenario run: Euler and RK4, overrides and seeds
 * per lane, delays, smooths, PREVIOUS, random draws, non-negative stocks,
 * graphical functions, and a lane that blows up while the others go on.
 *
 * usage: test_lanes FLAGSHIP_MODEL
 */
#include "../testlib.h"

static const char *mixed =
    "<stock name=\"tank\"><eqn>start_level</eqn><inflow>fill</inflow><outflow>drain</outflow>"
    "<non_negative/></stock>"
    "<flow name=\"fill\"><eqn>MAX(0, NORMAL(rate, 1)) + PULSE(5, 3, 4)</eqn></flow>"
    "<flow name=\"drain\"><eqn>tank / 2 + STEP(3, 6)</eqn></flow>"
    "<aux name=\"rate\"><eqn>2</eqn></aux>"
    "<aux name=\"start level\"><eqn>10</eqn></aux>"
    "<aux name=\"smooth\"><eqn>SMTH3(tank, 2) + DELAY(fill, 1.5) + DELAYN(drain, 3, 3)</eqn></aux>"
    /* a delay time that differs by lane, fractional in steps, some longer
     * than the run, and one that changes with time (the full-history ring) */
    "<aux name=\"lagged\"><eqn>DELAY(tank, lag, -1) + DELAY(fill, lag * (1 + TIME / 5))</eqn></aux>"
    "<aux name=\"lag\"><eqn>0.8</eqn></aux>"
    /* graphical functions of every type, read below, at and beyond their
     * ends, exactly at points, uneven and even x, short and long tables */
    "<aux name=\"stretched\"><eqn>tank * lag - 5</eqn><gf type=\"extrapolate\">"
    "<xpts>0,1,2.5,4,8</xpts><ypts>1,0,2,2,-3</ypts></gf></aux>"
    "<aux name=\"stairs\"><eqn>TIME - lag</eqn><gf type=\"discrete\">"
    "<xpts>0,2,4,6,8</xpts><ypts>5,4,3,2,1</ypts></gf></aux>"
    "<aux name=\"fine\"><eqn>tank / lag</eqn><gf><xscale min=\"0\" max=\"32\"/>"
    "<ypts>0,1,4,9,16,25,36,49,64,81,100,121,144,169,196,225,256,289,324,361,400,441,484,529,"
    "576,625,676,729,784,841,900,961,1024</ypts></gf></aux>"
    "<aux name=\"flat\"><eqn>tank</eqn><gf><xpts>3</xpts><ypts>7</ypts></gf></aux>"
    "<aux name=\"memory\"><eqn>PREVIOUS(SELF, 0) * 0.5 + TREND(tank + 1, 2)</eqn></aux>"
    "<aux name=\"shape\"><eqn>tank</eqn><gf><xpts>0,5,10,20</xpts><ypts>0,1,3,4</ypts></gf></aux>"
    "<aux name=\"curve\"><eqn>EXP(-TIME / 7) * LN(1 + tank) + (1 + rate / 10) ^ TIME</eqn></aux>"
    "<aux name=\"blow up\"><eqn>IF rate &gt; 50 THEN 1 / (TIME - 4) ELSE 0</eqn></aux>"
    "<stock name=\"doomed\"><eqn>0</eqn><inflow>blow_up</inflow></stock>";

/* Runs lane l of a batch and the same scenario alone; compares all bits. */
static int same_bits(const oc_model *m, const oc_run *batch, size_t lane, oc_run *single)
{
    size_t n = oc_run_save_count(single), w = oc_run_selected_count(single), i, j;
    if(oc_run_save_count(batch) != n)
        return 0;
    for(i = 0; i < n; i++)
        for(j = 0; j < w; j++) {
            double a = oc_run_lane_value(batch, lane, i, j), b = oc_run_value(single, i, j);
            if(memcmp(&a, &b, sizeof(a)) != 0 && !(isnan(a) && isnan(b))) {
                oc_var_info info;
                oc_model_var_info(m, oc_run_selected_index(single, j), &info);
                printf("  lane %zu differs at save %zu, %s: %.17g vs %.17g\n", lane, i, info.name,
                       a, b);
                return 0;
            }
        }
    return 1;
}

/* The value constant k takes in lane l: spread over its range. */
static double lane_value(const oc_model *m, size_t index, size_t l, size_t k, double blowup)
{
    oc_var_info info;
    oc_model_var_info(m, index, &info);
    if(l == 2 && blowup > 0 && k == 0)
        return blowup;
    if(info.has_range)
        return info.range_min +
               (info.range_max - info.range_min) * (double)((l * 7 + k * 3) % 11) / 10.0;
    return 1.0 + (double)l * 0.37 + (double)k;
}

static void compare_lanes(const oc_model *m, size_t lanes, oc_method method, const char *name,
                          const char *const *consts, size_t n_consts, double blowup_lane_rate)
{
    oc_run *batch = NULL;
    oc_error err;
    oc_specs sp;
    size_t l, k, ok = 0;
    size_t *idx = calloc(n_consts + 1, sizeof(size_t));
    for(k = 0; k < n_consts; k++)
        oc_model_find(m, consts[k], &idx[k], NULL);
    CHECK(oc_run_create_lanes(m, lanes, &batch, &err) == OC_OK && oc_run_lanes(batch) == lanes,
          "%s: a run of %zu lanes", name, lanes);
    oc_run_specs(batch, &sp);
    sp.method = method;
    oc_run_set_specs(batch, &sp, &err);
    for(l = 0; l < lanes; l++) {
        oc_run_set_lane_seed(batch, l, 1000 + l);
        for(k = 0; k < n_consts; k++)
            oc_run_set_lane_value_at(batch, l, idx[k],
                                     lane_value(m, idx[k], l, k, blowup_lane_rate), &err);
    }
    CHECK(oc_run_simulate(batch, &err) == OC_OK, "%s: the batch runs (%s)", name, err.message);
    for(l = 0; l < lanes; l++) {
        oc_run *single = NULL;
        int rc;
        oc_run_create(m, &single, &err);
        oc_run_set_specs(single, &sp, &err);
        oc_run_set_seed(single, 1000 + l);
        for(k = 0; k < n_consts; k++)
            oc_run_set_value_at(single, idx[k], lane_value(m, idx[k], l, k, blowup_lane_rate),
                                &err);
        rc = oc_run_simulate(single, &err);
        if(l == 2 && blowup_lane_rate > 0) {
            double t = 0;
            CHECK(rc == OC_ENUMERIC && oc_run_lane_status(batch, l, &t) == OC_ENUMERIC &&
                      t == err.time,
                  "%s: the lane that blows up is marked, at the single run's time (%g vs %g)", name,
                  t, err.time);
        }
        else {
            CHECK(oc_run_lane_status(batch, l, NULL) == OC_OK, "%s: lane %zu is fine", name, l);
            if(same_bits(m, batch, l, single))
                ok++;
            else
                CHECK(0, "%s: lane %zu equals its single run", name, l);
        }
        oc_run_free(single);
    }
    CHECK(ok == lanes - (blowup_lane_rate > 0 ? 1 : 0), "%s: %zu of %zu lanes bit-identical",
          name, ok, lanes);
    {
        /* series of several lanes at once: those of one lane at a time */
        size_t n = oc_run_save_count(batch), j = oc_run_selected_count(batch) - 1, from = lanes / 3,
               count = lanes - from, stride = n + 3, same = 1;
        double *many = calloc(count * stride + 1, sizeof(double)), *one = calloc(n + 1, sizeof(double));
        oc_run_lanes_series(batch, from, count, j, many, stride);
        for(l = 0; l < count; l++) {
            oc_run_lane_series(batch, from + l, j, one);
            same &= memcmp(many + l * stride, one, n * sizeof(double)) == 0;
        }
        CHECK(same, "%s: lanes %zu to %zu copied out together equal one by one", name, from,
              lanes - 1);
        free(many);
        free(one);
    }
    oc_run_free(batch);
    free(idx);
}

int main(int argc, char **argv)
{
    oc_model *m = NULL;
    oc_error err;
    const char *mixed_consts[] = {"rate", "start_level", "lag"};
    const char *flagship_consts[] = {"demand_price_elasticity", "hardware_life_years",
                                     "max_demand_expansion_per_year", "jump_1_factor",
                                     "jump_1_year", "demand_adjustment_years"};
    if(t_load("<start>0</start><stop>12</stop><dt>0.25</dt>", mixed, &m, &err) != OC_OK) {
        printf("mixed model: %s\n", err.message);
        return 1;
    }
    compare_lanes(m, 1, OC_EULER, "mixed, 1 lane", mixed_consts, 3, 0);
    compare_lanes(m, 37, OC_EULER, "mixed, 37 lanes", mixed_consts, 3, 100);
    compare_lanes(m, 8, OC_RK4, "mixed, rk4, 8 lanes", mixed_consts, 3, 100);
    {
        oc_run *r = NULL;
        CHECK(oc_run_create_lanes(m, 0, &r, &err) == OC_EARG && r == NULL, "0 lanes refused");
        CHECK(oc_run_create_lanes(m, OC_MAX_LANES + 1, &r, &err) == OC_EARG && r == NULL,
              "too many lanes refused");
    }
    oc_model_free(m);
    if(argc > 1) {
        CHECK(oc_model_load_file(argv[1], &m, &err) == OC_OK, "flagship loads");
        compare_lanes(m, 64, OC_EULER, "flagship, 64 lanes", flagship_consts, 6, 0);
        compare_lanes(m, 5, OC_RK4, "flagship, rk4, 5 lanes", flagship_consts, 6, 0);
        oc_model_free(m);
    }
    {
        /* the op profile: empty unless built in; then busiest first, with
         * the flagship's exponentials among the kinds that ran */
        oc_op_profile p[4];
        size_t n = oc_op_profile_get(p, 4), k, shown = n < 4 ? n : 4;
        int sorted = 1;
        for(k = 1; k < shown; k++)
            sorted &= p[k - 1].cycles >= p[k].cycles && p[k].count > 0;
#ifdef OC_PROFILE_OPS
        CHECK(n > 4 && sorted && p[0].count > 0, "op profile: %zu kinds, busiest first", n);
#else
        CHECK(n == 0 && sorted, "no op profile unless built with OVERCAP_PROFILE_OPS (%zu)", n);
#endif
    }
    DONE();
}
