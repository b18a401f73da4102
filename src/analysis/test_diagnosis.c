/*
 * test_diagnosis.c - tests of the bubble diagnosis (diagnosis.c).
 *
 * Each test builds series whose answer is known in closed form or by hand
 * (the expected numbers are worked out in the comments and in
 * docs/internals/diagnosis.md) and checks the module against them. The
 * program prints "N passed, N failed" and exits non-zero on any failure.
 */
#include "diagnosis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STEPS 128

#include "test_tally.h"

/* A scratch set of series; tests fill what they need. */
typedef struct series {
    double time[MAX_STEPS];
    double capacity[MAX_STEPS];
    double demand[MAX_STEPS];
    double life[MAX_STEPS];
    double growth[MAX_STEPS];
    double utilization[MAX_STEPS];
    double price[MAX_STEPS];
    double cost[MAX_STEPS];
    double capex[MAX_STEPS];
    double book[MAX_STEPS];
    double stranded[MAX_STEPS];
} series;

/* An input over the required series of s, with nothing optional. */
static ocd_input input_of(const series *s, size_t n)
{
    ocd_input in;

    memset(&in, 0, sizeof(in));
    in.n = n;
    in.time = s->time;
    in.capacity = s->capacity;
    in.demand = s->demand;
    in.remaining_life = s->life;
    return in;
}

/* Runs the diagnosis and the verdict; returns the result (NULL on error,
 * counted as a failure). */
static ocd_result *diagnose(tally *t, const ocd_input *in, const ocd_params *p, char *verdict,
                            size_t size, int line)
{
    ocd_result *r = NULL;
    char err[256];
    int rc = ocd_diagnose(in, p, &r, err, sizeof(err));

    if (rc != OCD_OK)
        fprintf(stderr, "%s:%d: ocd_diagnose: %s: %s\n", __FILE__, line, ocd_code_name(rc), err);
    check(t, rc == OCD_OK && r != NULL, "ocd_diagnose succeeds", __FILE__, line);
    if (r && verdict)
        (void)ocd_verdict(r, p, verdict, size);
    return r;
}

/* ------------------------------------------------------------------ */

static void test_defaults_and_names(tally *t)
{
    ocd_params p;

    ocd_params_default(&p);
    CHECK(t, p.idle_threshold == 0.25);
    CHECK(t, p.shortage_utilization == 0.95);
    CHECK(t, p.min_bubble_duration == 1.0);
    CHECK(t, p.growth_window == 1.0);
    CHECK(t, p.min_observations == 3);
    CHECK(t, p.money_scale == 1.0);
    CHECK_TEXT(t, p.money_label, "");
    CHECK_TEXT(t, p.time_unit, "years");
    CHECK_TEXT(t, p.asset_name, "the hardware");

    CHECK_TEXT(t, ocd_state_name(OCD_SHORTAGE), "shortage");
    CHECK_TEXT(t, ocd_state_name(OCD_BALANCED), "balanced");
    CHECK_TEXT(t, ocd_state_name(OCD_NORMAL_CYCLE), "normal cycle");
    CHECK_TEXT(t, ocd_state_name(OCD_BUBBLE), "bubble");
    CHECK_TEXT(t, ocd_state_name(17), "unknown");
    CHECK_TEXT(t, ocd_code_name(OCD_EDATA), "OCD_EDATA");
    CHECK_TEXT(t, ocd_code_name(-99), "OCD_UNKNOWN");
}

/* Capacity 1, demand 0.05 e^(0.2 t), growth 0.2, life 3, quarterly over
 * t = 0 .. 14. fill(t) = ln(1/D)/g = ln(20)/0.2 - t = 14.979 - t, so demand
 * is weak exactly while t < ln(20)/0.2 - 3 = 11.979: weak at 11.75, not at
 * 12.0. Overcapacity (D < 0.75) holds while t < 5 ln 15 = 13.54. */
static void test_closed_form(tally *t)
{
    static series s;
    const double g = 0.2, life = 3.0, d0 = 0.05;
    const size_t n = 57;
    double crossing = log(1.0 / d0) / g - life;
    ocd_input in;
    ocd_result *r;
    size_t i;
    int flips_ok = 1, margins_ok = 1;

    for (i = 0; i < n; i++) {
        s.time[i] = 0.25 * (double)i;
        s.capacity[i] = 1.0;
        s.demand[i] = d0 * exp(g * s.time[i]);
        s.life[i] = life;
        s.growth[i] = g;
    }
    in = input_of(&s, n);
    in.growth = s.growth;
    r = diagnose(t, &in, NULL, NULL, 0, __LINE__);
    if (!r)
        return;

    for (i = 0; i < n; i++) {
        const ocd_step *st = &r->steps[i];
        double fill = log(s.capacity[i] / s.demand[i]) / g;

        if (st->weak_demand != (fill > life) || st->weak_demand != (s.time[i] < crossing))
            flips_ok = 0;
        if (fabs(st->fill_time - fill) > 1e-12 || fabs(st->life_margin - (life - fill)) > 1e-12)
            margins_ok = 0;
        if (fabs(st->idle_margin - ((1.0 - s.demand[i]) - 0.25)) > 1e-12)
            margins_ok = 0;
    }
    CHECK(t, flips_ok);
    CHECK(t, margins_ok);
    /* One step on each side of the crossing at 11.979. */
    CHECK_NEAR(t, r->steps[47].time, 11.75, 0.0);
    CHECK(t, r->steps[47].weak_demand == 1);
    CHECK(t, r->steps[47].life_margin < 0.0);
    CHECK_NEAR(t, r->steps[47].life_margin, life - (log(20.0) / g - 11.75), 1e-12);
    CHECK(t, r->steps[48].weak_demand == 0);
    CHECK(t, r->steps[48].life_margin > 0.0);
    CHECK_NEAR(t, r->steps[48].life_margin, life - (log(20.0) / g - 12.0), 1e-12);

    /* States: bubble from 0 to 12.0, normal cycle to 13.75, then balanced. */
    CHECK(t, r->episode_count == 1);
    if (r->episode_count == 1) {
        CHECK_NEAR(t, r->episodes[0].onset, 0.0, 0.0);
        CHECK_NEAR(t, r->episodes[0].end, 12.0, 0.0);
        CHECK_NEAR(t, r->episodes[0].peak_idle_share, 0.95, 1e-12);
        CHECK_NEAR(t, r->episodes[0].peak_fill_time, log(20.0) / g, 1e-12);
    }
    CHECK(t, r->steps[48].state == OCD_NORMAL_CYCLE);
    CHECK(t, r->steps[54].state == OCD_NORMAL_CYCLE);
    CHECK(t, r->steps[55].state == OCD_BALANCED);
    ocd_result_free(r);

    /* The flag is exactly "fill time > remaining life": put the remaining
     * life a hair (1e-9) above, then below, the closed-form fill time at
     * every step. */
    for (i = 0; i < n; i++)
        s.life[i] = log(s.capacity[i] / s.demand[i]) / g + 1e-9;
    r = diagnose(t, &in, NULL, NULL, 0, __LINE__);
    if (r) {
        int none_weak = 1;

        for (i = 0; i < n; i++)
            none_weak = none_weak && !r->steps[i].weak_demand;
        CHECK(t, none_weak);
        ocd_result_free(r);
    }
    for (i = 0; i < n; i++)
        s.life[i] = log(s.capacity[i] / s.demand[i]) / g - 1e-9;
    r = diagnose(t, &in, NULL, NULL, 0, __LINE__);
    if (r) {
        int all_weak = 1;

        /* Demand stays below capacity (D(14) = 0.82), so every fill time
         * is positive and finite and every step is weak. */
        for (i = 0; i < n; i++)
            all_weak = all_weak && r->steps[i].weak_demand;
        CHECK(t, all_weak);
        ocd_result_free(r);
    }

    /* Growth estimated from this exact exponential is g, so the flag flips
     * in the same place. */
    for (i = 0; i < n; i++)
        s.life[i] = life;
    in.growth = NULL;
    r = diagnose(t, &in, NULL, NULL, 0, __LINE__);
    if (r) {
        int growth_ok = 1, same = 1;

        for (i = 0; i < n; i++) {
            if (fabs(r->steps[i].growth - g) > 1e-12)
                growth_ok = 0;
            if (r->steps[i].weak_demand != (s.time[i] < crossing))
                same = 0;
        }
        CHECK(t, growth_ok);
        CHECK(t, same);
        CHECK(t, r->growth_estimated == 1);
        ocd_result_free(r);
    }

    /* Growth <= 0 is weak whatever the remaining life. */
    in.growth = s.growth;
    for (i = 0; i < n; i++)
        s.life[i] = 1e6;
    s.growth[10] = 0.0;
    s.growth[11] = -0.1;
    r = diagnose(t, &in, NULL, NULL, 0, __LINE__);
    if (r) {
        CHECK(t, r->steps[9].weak_demand == 0);
        CHECK(t, r->steps[10].weak_demand == 1);
        CHECK(t, r->steps[11].weak_demand == 1);
        CHECK(t, isinf(r->steps[10].fill_time) && r->steps[10].fill_time > 0);
        CHECK(t, isinf(r->steps[11].life_margin) && r->steps[11].life_margin < 0);
        ocd_result_free(r);
    }
}

/* Quarterly 2020-2030, capacity 1, demand 0.9 until a one-off 10x drop at
 * 2025.0 to 0.09, then growing at 1.5 per year (4.5x a year) back to 0.9
 * (reached at 2026.54). Life 4 years. With the true momentum (growth 1.5)
 * the fill time at the drop is ln(1/0.09)/1.5 = 1.6 years: a normal cycle
 * from 2025.0 until the idle share falls under 25% (D = 0.75 at 2026.41),
 * i.e. until 2026.5. */
static void fill_drop(series *s, size_t *n)
{
    size_t i;

    *n = 41;
    for (i = 0; i < *n; i++) {
        double ti = 2020.0 + 0.25 * (double)i;

        s->time[i] = ti;
        s->capacity[i] = 1.0;
        s->demand[i] = ti < 2025.0 ? 0.9 : fmin(0.09 * exp(1.5 * (ti - 2025.0)), 0.9);
        s->life[i] = 4.0;
        s->growth[i] = 1.5;
    }
}

static void test_one_off_drop(tally *t)
{
    static series s;
    size_t n, i;
    ocd_input in;
    ocd_params p;
    ocd_result *r;
    char v[512];

    fill_drop(&s, &n);
    in = input_of(&s, n);
    in.growth = s.growth;
    r = diagnose(t, &in, NULL, v, sizeof(v), __LINE__);
    if (r) {
        CHECK(t, r->episode_count == 0);
        CHECK(t, r->transient_count == 0);
        CHECK(t, r->steps[19].state == OCD_BALANCED);
        for (i = 20; i <= 25; i++)
            CHECK(t, r->steps[i].state == OCD_NORMAL_CYCLE && !r->steps[i].weak_demand);
        CHECK(t, r->steps[26].state == OCD_BALANCED);
        CHECK_NEAR(t, r->steps[20].fill_time, log(1.0 / 0.09) / 1.5, 1e-12);
        CHECK_TEXT(t, v,
                   "normal cycle from 2025.0 to 2026.5: 91% idle at peak, demand fills it in 1.6 "
                   "years, within the 4.0 years the hardware has left");
        ocd_result_free(r);
    }

    /* Growth estimated over half a year: the windows that contain the drop
     * (2025.0 and 2025.25) see demand shrinking; from 2025.5 the window
     * [2025.0, 2025.5] sees 1.5 again. A 0.5-year signal is filtered by the
     * 1.0-year persistence rule. */
    in.growth = NULL;
    ocd_params_default(&p);
    p.growth_window = 0.5;
    r = diagnose(t, &in, &p, v, sizeof(v), __LINE__);
    if (r) {
        CHECK(t, r->episode_count == 0);
        CHECK(t, r->transient_count == 1);
        CHECK_NEAR(t, r->transient_time, 0.5, 1e-12);
        CHECK(t, r->pending == 0);
        CHECK_NEAR(t, r->steps[20].growth, log(0.1) / 0.5, 1e-12);
        CHECK(t, r->steps[20].weak_demand && r->steps[20].transient);
        CHECK(t, r->steps[21].weak_demand && r->steps[21].transient);
        CHECK(t, r->steps[20].state == OCD_NORMAL_CYCLE);
        CHECK(t, !r->steps[22].weak_demand && !r->steps[22].transient);
        CHECK_NEAR(t, r->steps[22].growth, 1.5, 1e-12);
        CHECK(t, r->state_steps[OCD_BUBBLE] == 0);
        /* The verdict describes the peak among steps that fill in time
         * (2025.5: idle 1 - 0.09 e^0.75 = 81%, fill 1.1 years). */
        CHECK_TEXT(t, v,
                   "normal cycle from 2025.0 to 2026.5: 81% idle at peak, demand fills it in 1.1 "
                   "years, within the 4.0 years the hardware has left; 1 bubble signal shorter "
                   "than 1.0 years filtered as transient");
        ocd_result_free(r);
    }

    /* Over the default 1.0-year window the signal lasts exactly one window,
     * 2025.0 to 2026.0: the default persistence (1.0) does not filter it,
     * a longer one (1.5) does. This is why the flagship passes growth. */
    p.growth_window = 1.0;
    r = diagnose(t, &in, &p, NULL, 0, __LINE__);
    if (r) {
        CHECK(t, r->episode_count == 1);
        if (r->episode_count == 1) {
            CHECK_NEAR(t, r->episodes[0].onset, 2025.0, 0.0);
            CHECK_NEAR(t, r->episodes[0].end, 2026.0, 0.0);
            CHECK_NEAR(t, r->episodes[0].duration, 1.0, 0.0);
        }
        ocd_result_free(r);
    }
    p.min_bubble_duration = 1.5;
    r = diagnose(t, &in, &p, v, sizeof(v), __LINE__);
    if (r) {
        CHECK(t, r->episode_count == 0);
        CHECK(t, r->transient_count == 1);
        CHECK_NEAR(t, r->transient_time, 1.0, 1e-12);
        CHECK_CONTAINS(t, v, "normal cycle from 2025.0 to 2026.5");
        CHECK_CONTAINS(t, v, "1 bubble signal shorter than 1.5 years filtered as transient");
        ocd_result_free(r);
    }
}

/* Half-yearly 2020-2035, capacity 1, demand 0.9 (growing at 0.05) except a
 * glut 2027.5-2030.5 where demand is 0.3 (0.2 at 2029.0) and not growing.
 * Book value 1375 (billions), so stranded capital at the peak is
 * 1375 x 0.8 = 1100 billion = $1.1T. */
static void fill_glut(series *s, size_t *n)
{
    size_t i;

    *n = 31;
    for (i = 0; i < *n; i++) {
        double ti = 2020.0 + 0.5 * (double)i;
        int glut = ti >= 2027.5 && ti <= 2030.5;

        s->time[i] = ti;
        s->capacity[i] = 1.0;
        s->demand[i] = glut ? (ti == 2029.0 ? 0.2 : 0.3) : 0.9;
        s->growth[i] = glut ? 0.0 : 0.05;
        s->life[i] = 3.4;
        s->book[i] = 1375.0;
    }
}

static void test_sustained_glut(tally *t)
{
    static series s;
    size_t n, i;
    ocd_input in;
    ocd_params p;
    ocd_result *r;
    char v[512];

    fill_glut(&s, &n);
    in = input_of(&s, n);
    in.growth = s.growth;
    in.book_value = s.book;
    ocd_params_default(&p);
    p.money_scale = 1e9;
    p.money_label = "$";
    r = diagnose(t, &in, &p, v, sizeof(v), __LINE__);
    if (!r)
        return;
    CHECK(t, r->status == OCD_DIAGNOSED);
    CHECK(t, r->episode_count == 1);
    if (r->episode_count == 1) {
        const ocd_episode *e = &r->episodes[0];

        CHECK_NEAR(t, e->onset, 2027.5, 0.0);
        CHECK_NEAR(t, e->end, 2031.0, 0.0);
        CHECK_NEAR(t, e->duration, 3.5, 0.0);
        CHECK(t, e->ongoing == 0);
        CHECK(t, e->first_step == 15 && e->step_count == 7);
        CHECK_NEAR(t, e->peak_time, 2029.0, 0.0);
        CHECK_NEAR(t, e->peak_idle_share, 0.8, 1e-12);
        CHECK(t, isinf(e->peak_fill_time));
        CHECK_NEAR(t, e->peak_remaining_life, 3.4, 0.0);
        CHECK_NEAR(t, e->peak_stranded, 1100.0, 1e-9);
    }
    CHECK(t, r->state_steps[OCD_BUBBLE] == 7);
    CHECK_NEAR(t, r->state_time[OCD_BUBBLE], 3.5, 1e-12);
    CHECK_NEAR(t, r->state_time[OCD_BALANCED], 11.5, 1e-12);
    CHECK(t, r->state_steps[OCD_SHORTAGE] == 0 && r->state_steps[OCD_NORMAL_CYCLE] == 0);
    CHECK_NEAR(t, r->peak_idle_share, 0.8, 1e-12);
    CHECK_NEAR(t, r->peak_idle_time, 2029.0, 0.0);
    CHECK_NEAR(t, r->max_stranded, 1100.0, 1e-9);
    CHECK_NEAR(t, r->max_stranded_time, 2029.0, 0.0);
    CHECK(t, isnan(r->first_shortage) && isnan(r->last_shortage));
    CHECK_TEXT(t, v,
               "bubble from 2027.5 to 2031.0: 80% of capacity idle at peak; demand is not "
               "growing, so it never fills it; the hardware has 3.4 years left; $1.1T stranded");
    ocd_result_free(r);

    /* The same glut lasting to the end of the run: ongoing. */
    for (i = 22; i < n; i++) {
        s.demand[i] = 0.3;
        s.growth[i] = 0.0;
    }
    r = diagnose(t, &in, &p, v, sizeof(v), __LINE__);
    if (r) {
        CHECK(t, r->episode_count == 1);
        if (r->episode_count == 1) {
            CHECK(t, r->episodes[0].ongoing == 1);
            CHECK_NEAR(t, r->episodes[0].end, 2035.0, 0.0);
            CHECK_NEAR(t, r->episodes[0].duration, 7.5, 0.0);
        }
        CHECK_CONTAINS(t, v, "bubble from 2027.5, ongoing at end of run (2035.0): 80%");
        ocd_result_free(r);
    }
}

/* Quarterly, capacity 1, no growth: bubble steps wherever demand is 0.3,
 * balanced (0.9) elsewhere. Runs: 2 steps (0.5 years), 1 step (0.25), 4
 * steps (1.0, exactly the minimum), and 2 steps at the very end (0.25 of
 * observed time: pending). */
static void test_persistence(tally *t)
{
    static series s;
    static const int glut[] = {0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1};
    const size_t n = sizeof(glut) / sizeof(glut[0]);
    ocd_input in;
    ocd_params p;
    ocd_result *r;
    size_t i;
    char v[512];

    for (i = 0; i < n; i++) {
        s.time[i] = 2030.0 + 0.25 * (double)i;
        s.capacity[i] = 1.0;
        s.demand[i] = glut[i] ? 0.3 : 0.9;
        s.growth[i] = 0.0;
        s.life[i] = 4.0;
    }
    in = input_of(&s, n);
    in.growth = s.growth;
    r = diagnose(t, &in, NULL, v, sizeof(v), __LINE__);
    if (r) {
        CHECK(t, r->episode_count == 1);
        if (r->episode_count == 1) {
            CHECK_NEAR(t, r->episodes[0].onset, 2032.0, 0.0);
            CHECK_NEAR(t, r->episodes[0].end, 2033.0, 0.0);
            /* Four steps tie at 70% idle: the peak is the earliest. */
            CHECK_NEAR(t, r->episodes[0].peak_time, 2032.0, 0.0);
        }
        CHECK(t, r->transient_count == 3);
        CHECK_NEAR(t, r->transient_time, 0.5 + 0.25 + 0.25, 1e-12);
        CHECK(t, r->pending == 1);
        CHECK_NEAR(t, r->pending_onset, 2033.75, 0.0);
        CHECK(t, r->steps[1].state == OCD_NORMAL_CYCLE && r->steps[1].transient);
        CHECK(t, r->steps[5].state == OCD_NORMAL_CYCLE && r->steps[5].transient);
        CHECK(t, r->steps[8].state == OCD_BUBBLE && !r->steps[8].transient);
        CHECK(t, r->steps[16].state == OCD_NORMAL_CYCLE && r->steps[16].transient);
        CHECK(t, r->state_steps[OCD_BUBBLE] == 4);
        CHECK_CONTAINS(t, v, "bubble from 2032.0 to 2033.0: 70% of capacity idle at peak");
        CHECK_CONTAINS(t, v, "; 2 bubble signals shorter than 1.0 years filtered as transient");
        CHECK_CONTAINS(t, v,
                       "; bubble signal since 2033.8 not yet confirmed (0.2 of the 1.0 "
                       "years needed)");
        ocd_result_free(r);
    }

    /* A run just under the minimum is not an episode. */
    ocd_params_default(&p);
    p.min_bubble_duration = 1.0 + 1e-3; /* well beyond the 1e-9 relative slack */
    r = diagnose(t, &in, &p, NULL, 0, __LINE__);
    if (r) {
        CHECK(t, r->episode_count == 0);
        CHECK(t, r->transient_count == 4);
        CHECK(t, r->state_steps[OCD_BUBBLE] == 0);
        ocd_result_free(r);
    }

    /* With no persistence every run is an episode, the last one ongoing. */
    p.min_bubble_duration = 0.0;
    r = diagnose(t, &in, &p, v, sizeof(v), __LINE__);
    if (r) {
        CHECK(t, r->episode_count == 4);
        CHECK(t, r->transient_count == 0);
        if (r->episode_count == 4)
            CHECK(t, r->episodes[3].ongoing == 1 && r->episodes[0].ongoing == 0);
        /* All four peak at 70% idle: the earliest is described in full. */
        CHECK_CONTAINS(t, v, "bubble from 2030.2 to 2030.8: 70%");
        CHECK_CONTAINS(t, v, "; also bubble from 2031.2 to 2031.5 (70% idle at peak)");
        CHECK_CONTAINS(t, v, "; also bubble from 2033.8, ongoing at end of run (2034.0)");
        ocd_result_free(r);
    }
}

/* Annual 2020-2040, capacity 1: demand 1.2 (more than capacity) to 2026,
 * then 0.9, with 0.88 in 2031. Price 2, cost 1. */
static void test_shortage(tally *t)
{
    static series s;
    const size_t n = 21;
    ocd_input in;
    ocd_result *r;
    size_t i;
    char v[512];

    for (i = 0; i < n; i++) {
        s.time[i] = 2020.0 + (double)i;
        s.capacity[i] = 1.0;
        s.demand[i] = i <= 6 ? 1.2 : (i == 11 ? 0.88 : 0.9);
        s.life[i] = 4.0;
        s.growth[i] = 0.3;
        s.price[i] = 2.0;
        s.cost[i] = 1.0;
    }
    in = input_of(&s, n);
    in.growth = s.growth;
    in.price = s.price;
    in.cost = s.cost;
    r = diagnose(t, &in, NULL, v, sizeof(v), __LINE__);
    if (r) {
        CHECK(t, r->steps[0].state == OCD_SHORTAGE);
        CHECK(t, r->steps[6].state == OCD_SHORTAGE);
        CHECK(t, r->steps[7].state == OCD_BALANCED);
        CHECK_NEAR(t, r->steps[0].utilization, 1.0, 0.0);
        CHECK_NEAR(t, r->steps[0].utilization_margin, 0.05, 1e-12);
        CHECK_NEAR(t, r->steps[0].idle_share, 0.0, 0.0);
        CHECK_NEAR(t, r->steps[0].fill_time, 0.0, 0.0);
        CHECK_NEAR(t, r->first_shortage, 2020.0, 0.0);
        CHECK_NEAR(t, r->last_shortage, 2026.0, 0.0);
        CHECK(t, r->state_steps[OCD_SHORTAGE] == 7 && r->state_steps[OCD_BALANCED] == 14);
        CHECK_NEAR(t, r->state_time[OCD_SHORTAGE], 7.0, 0.0);
        CHECK_NEAR(t, r->state_time[OCD_BALANCED], 13.0, 0.0);
        CHECK_NEAR(t, r->peak_idle_share, 0.12, 1e-12);
        CHECK_TEXT(t, v,
                   "no bubble: shortage from 2020.0 to 2027.0, then balanced; peak idle share "
                   "12% in 2031.0 (below the 25% threshold)");
        ocd_result_free(r);
    }

    /* Price at or below cost: full utilisation alone is not a shortage. */
    for (i = 0; i < n; i++)
        s.price[i] = 1.0;
    s.price[3] = (double)NAN; /* not observed: utilization alone decides */
    r = diagnose(t, &in, NULL, v, sizeof(v), __LINE__);
    if (r) {
        CHECK(t, r->steps[0].state == OCD_BALANCED);
        CHECK(t, r->steps[0].shortage_signal == 0);
        CHECK(t, r->steps[3].state == OCD_SHORTAGE);
        CHECK(t, r->state_steps[OCD_SHORTAGE] == 1);
        CHECK_TEXT(t, v,
                   "no bubble: balanced from 2020.0 to 2023.0, then shortage to 2024.0, then "
                   "balanced; peak idle share 12% in 2031.0 (below the 25% threshold)");
        ocd_result_free(r);
    }

    /* Without prices, utilization alone; an explicit utilization wins over
     * demand / capacity. */
    in.price = NULL;
    in.cost = NULL;
    for (i = 0; i < n; i++)
        s.utilization[i] = i == 15 ? 0.97 : (double)NAN;
    in.utilization = s.utilization;
    r = diagnose(t, &in, NULL, NULL, 0, __LINE__);
    if (r) {
        CHECK(t, r->steps[0].state == OCD_SHORTAGE);
        CHECK(t, r->steps[14].state == OCD_BALANCED);
        CHECK(t, r->steps[15].state == OCD_SHORTAGE);
        CHECK_NEAR(t, r->steps[15].utilization, 0.97, 0.0);
        CHECK_NEAR(t, r->steps[14].utilization, 0.9, 1e-12);
        ocd_result_free(r);
    }

    /* Balanced throughout. */
    in.utilization = NULL;
    for (i = 0; i < n; i++)
        s.demand[i] = 0.9;
    r = diagnose(t, &in, NULL, v, sizeof(v), __LINE__);
    if (r) {
        CHECK_TEXT(t, v,
                   "no bubble: balanced throughout (2020.0 to 2040.0); peak idle share 10% in "
                   "2020.0 (below the 25% threshold)");
        ocd_result_free(r);
    }
}

/* Sparse annual history with gaps (1846 and 1848 missing), growth estimated
 * from the previous observation, capacity 1000 miles, life 5 years.
 *   1847: g = ln(500/930)/2 < 0, idle 50%        -> bubble
 *   1849: g = ln(450/500)/2 < 0, idle 55% (peak) -> bubble
 *   1850: g = ln(470/450) = 0.043, fill 17 > 5   -> bubble
 *   1851: idle 20%                               -> balanced
 * so one episode from 1847 to 1851. */
static void test_uneven_history(tally *t)
{
    static series s;
    static const double year[] = {1843, 1844, 1845, 1847, 1849, 1850, 1851, 1852};
    static const double used[] = {900, 920, 930, 500, 450, 470, 800, 900};
    const size_t n = sizeof(year) / sizeof(year[0]);
    const double capex[] = {(double)NAN, 10, 13, 44, (double)NAN, 13, (double)NAN, 5};
    ocd_input in;
    ocd_params p;
    ocd_result *r;
    size_t i;
    char v[512];

    for (i = 0; i < n; i++) {
        s.time[i] = year[i];
        s.capacity[i] = 1000.0;
        s.demand[i] = used[i];
        s.life[i] = 5.0;
        s.capex[i] = capex[i];
        s.book[i] = 200.0;
    }
    in = input_of(&s, n);
    in.capex = s.capex;
    in.book_value = s.book;
    ocd_params_default(&p);
    p.asset_name = "the track";
    p.money_label = "GBP ";
    p.money_scale = 1e6;
    r = diagnose(t, &in, &p, v, sizeof(v), __LINE__);
    if (!r)
        return;
    CHECK_NEAR(t, r->steps[0].growth, log(920.0 / 900.0), 1e-12);
    CHECK_NEAR(t, r->steps[3].growth, (log(500.0) - log(930.0)) / 2.0, 1e-12);
    CHECK_NEAR(t, r->steps[4].growth, (log(450.0) - log(500.0)) / 2.0, 1e-12);
    CHECK_NEAR(t, r->steps[5].growth, log(470.0 / 450.0), 1e-12);
    CHECK_NEAR(t, r->steps[5].fill_time, log(1000.0 / 470.0) / log(470.0 / 450.0), 1e-9);
    CHECK(t, r->steps[2].state == OCD_BALANCED);
    CHECK(t, r->steps[3].state == OCD_BUBBLE);
    CHECK(t, r->steps[5].state == OCD_BUBBLE);
    CHECK(t, r->steps[6].state == OCD_BALANCED);
    CHECK(t, r->episode_count == 1);
    if (r->episode_count == 1) {
        CHECK_NEAR(t, r->episodes[0].onset, 1847.0, 0.0);
        CHECK_NEAR(t, r->episodes[0].end, 1851.0, 0.0);
        CHECK_NEAR(t, r->episodes[0].peak_time, 1849.0, 0.0);
        CHECK_NEAR(t, r->episodes[0].peak_idle_share, 0.55, 1e-12);
        CHECK_NEAR(t, r->episodes[0].peak_stranded, 110.0, 1e-9);
    }
    CHECK_NEAR(t, r->state_time[OCD_BUBBLE], 4.0, 0.0);
    CHECK_NEAR(t, r->state_time[OCD_BALANCED], 5.0, 0.0);
    /* Capex: peak 44 in 1847, trough 5 in 1852, unobserved years skipped. */
    CHECK(t, r->has_capex_fall == 1);
    CHECK_NEAR(t, r->capex_fall, 39.0 / 44.0, 1e-12);
    CHECK_NEAR(t, r->capex_peak_time, 1847.0, 0.0);
    CHECK_NEAR(t, r->capex_trough_time, 1852.0, 0.0);
    CHECK_TEXT(t, v,
               "bubble from 1847.0 to 1851.0: 55% of capacity idle at peak; demand is shrinking, "
               "so it never fills it; the track has 5.0 years left; GBP 110.0M stranded");
    ocd_result_free(r);
}

static void test_insufficient(tally *t)
{
    static series s;
    ocd_input in;
    ocd_params p;
    ocd_result *r;
    char v[256];
    FILE *fp;

    s.time[0] = 2020.0;
    s.time[1] = 2021.0;
    s.capacity[0] = s.capacity[1] = 1.0;
    s.demand[0] = s.demand[1] = 0.5;
    s.life[0] = s.life[1] = 4.0;
    s.growth[0] = s.growth[1] = 0.0;
    in = input_of(&s, 2);
    r = diagnose(t, &in, NULL, v, sizeof(v), __LINE__);
    if (r) {
        CHECK(t, r->status == OCD_INSUFFICIENT_DATA);
        CHECK(t, r->step_count == 0 && r->episode_count == 0);
        CHECK(t, r->observations == 2 && r->observations_needed == 3);
        CHECK_TEXT(t, v, "insufficient data: 2 observations, at least 3 needed");
        fp = tmpfile();
        CHECK(t, fp != NULL);
        if (fp) {
            char line[512];

            CHECK(t, ocd_write_csv(r, fp) == OCD_OK);
            rewind(fp);
            CHECK(t, fgets(line, sizeof(line), fp) != NULL);
            CHECK(t, fgets(line, sizeof(line), fp) == NULL);
            fclose(fp);
        }
        ocd_result_free(r);
    }

    /* One observation: a growth estimate needs two, whatever is asked. */
    ocd_params_default(&p);
    p.min_observations = 1;
    in.n = 1;
    r = diagnose(t, &in, &p, v, sizeof(v), __LINE__);
    if (r) {
        CHECK(t, r->status == OCD_INSUFFICIENT_DATA);
        CHECK_TEXT(t, v, "insufficient data: 1 observation, at least 2 needed");
        ocd_result_free(r);
    }
    in.growth = s.growth;
    r = diagnose(t, &in, &p, v, sizeof(v), __LINE__);
    if (r) {
        CHECK(t, r->status == OCD_DIAGNOSED && r->step_count == 1);
        /* 50% idle, not growing: a bubble, but of duration 0 < 1: pending. */
        CHECK(t, r->steps[0].state == OCD_NORMAL_CYCLE && r->pending == 1);
        ocd_result_free(r);
    }
}

/* Expects ocd_diagnose to fail with code and a message containing part. */
static void expect_error(tally *t, const ocd_input *in, const ocd_params *p, int code,
                         const char *part, int line)
{
    ocd_result dummy;
    ocd_result *r = &dummy; /* any non-NULL value: must be reset to NULL */
    char err[256];
    int rc;

    memset(err, 'x', sizeof(err));
    rc = ocd_diagnose(in, p, &r, err, sizeof(err));
    if (rc != code)
        fprintf(stderr, "%s:%d: got %s, want %s\n", __FILE__, line, ocd_code_name(rc),
                ocd_code_name(code));
    check(t, rc == code, "error code", __FILE__, line);
    check(t, r == NULL, "no result on error", __FILE__, line);
    check(t, memchr(err, '\0', sizeof(err)) != NULL, "message terminated", __FILE__, line);
    check_contains(t, err, part, __FILE__, line);
}

static void test_bad_input(tally *t)
{
    static series s;
    const size_t n = 6;
    ocd_input in;
    ocd_params p;
    ocd_result *r = NULL;
    char tiny[8];
    size_t i;

    for (i = 0; i < n; i++) {
        s.time[i] = 2020.0 + (double)i;
        s.capacity[i] = 1.0;
        s.demand[i] = 0.5;
        s.life[i] = 4.0;
        s.growth[i] = 0.1;
        s.price[i] = 1.0;
        s.cost[i] = 1.0;
        s.utilization[i] = 0.5;
    }
    in = input_of(&s, n);

    s.capacity[3] = (double)NAN;
    expect_error(t, &in, NULL, OCD_EDATA, "capacity[3] (time 2023) is not a number", __LINE__);
    s.capacity[3] = 0.0;
    expect_error(t, &in, NULL, OCD_EDATA, "capacity[3] = 0 (time 2023) must be greater than 0",
                 __LINE__);
    s.capacity[3] = -2.0;
    expect_error(t, &in, NULL, OCD_EDATA, "capacity[3] = -2", __LINE__);
    s.capacity[3] = HUGE_VAL;
    expect_error(t, &in, NULL, OCD_EDATA, "capacity[3] (time 2023) is infinite", __LINE__);
    s.capacity[3] = 1.0;

    s.time[2] = 2021.0;
    expect_error(t, &in, NULL, OCD_EDATA, "time[2] = 2021 is not after time[1] = 2021", __LINE__);
    s.time[2] = 2020.5;
    expect_error(t, &in, NULL, OCD_EDATA, "time[2]", __LINE__);
    s.time[2] = (double)NAN;
    expect_error(t, &in, NULL, OCD_EDATA, "time[2] is not a finite number", __LINE__);
    s.time[2] = 2022.0;

    s.demand[5] = -0.1;
    expect_error(t, &in, NULL, OCD_EDATA, "demand[5]", __LINE__);
    s.demand[5] = 0.5;
    s.life[0] = (double)NAN;
    expect_error(t, &in, NULL, OCD_EDATA, "remaining_life[0]", __LINE__);
    s.life[0] = 4.0;

    in.growth = s.growth;
    s.growth[4] = (double)NAN; /* given growth must be complete */
    expect_error(t, &in, NULL, OCD_EDATA, "growth[4]", __LINE__);
    s.growth[4] = 0.1;

    in.utilization = s.utilization;
    s.utilization[1] = -HUGE_VAL;
    expect_error(t, &in, NULL, OCD_EDATA, "utilization[1] (time 2021) is infinite", __LINE__);
    s.utilization[1] = 0.5;
    in.utilization = NULL;

    in.price = s.price;
    expect_error(t, &in, NULL, OCD_EARG, "price and cost must be given together (cost is NULL)",
                 __LINE__);
    in.cost = s.cost;
    s.cost[2] = HUGE_VAL;
    expect_error(t, &in, NULL, OCD_EDATA, "cost[2]", __LINE__);
    s.cost[2] = 1.0;

    in.n = 0;
    expect_error(t, &in, NULL, OCD_EARG, "n = 0", __LINE__);
    in.n = n;
    in.capacity = NULL;
    expect_error(t, &in, NULL, OCD_EARG, "capacity is required", __LINE__);
    in.capacity = s.capacity;
    in.demand = NULL;
    expect_error(t, &in, NULL, OCD_EARG, "demand is required", __LINE__);
    in.demand = s.demand;
    in.remaining_life = NULL;
    expect_error(t, &in, NULL, OCD_EARG, "remaining_life is required", __LINE__);
    in.remaining_life = s.life;
    in.time = NULL;
    expect_error(t, &in, NULL, OCD_EARG, "time is required", __LINE__);
    in.time = s.time;
    expect_error(t, NULL, NULL, OCD_EARG, "input is required", __LINE__);

    ocd_params_default(&p);
    p.idle_threshold = 1.5;
    expect_error(t, &in, &p, OCD_EARG, "idle_threshold", __LINE__);
    ocd_params_default(&p);
    p.growth_window = 0.0;
    expect_error(t, &in, &p, OCD_EARG, "growth_window", __LINE__);
    ocd_params_default(&p);
    p.min_bubble_duration = (double)NAN;
    expect_error(t, &in, &p, OCD_EARG, "min_bubble_duration", __LINE__);
    ocd_params_default(&p);
    p.min_observations = 0;
    expect_error(t, &in, &p, OCD_EARG, "min_observations", __LINE__);
    ocd_params_default(&p);
    p.shortage_utilization = 0.0;
    expect_error(t, &in, &p, OCD_EARG, "shortage_utilization", __LINE__);

    /* No out pointer, no error buffer, a tiny error buffer: no crash. */
    CHECK(t, ocd_diagnose(&in, NULL, NULL, NULL, 0) == OCD_EARG);
    s.capacity[1] = (double)NAN;
    CHECK(t, ocd_diagnose(&in, NULL, &r, NULL, 0) == OCD_EDATA && r == NULL);
    CHECK(t, ocd_diagnose(&in, NULL, &r, tiny, sizeof(tiny)) == OCD_EDATA);
    CHECK_TEXT(t, tiny, "capacit");
    s.capacity[1] = 1.0;

    /* NaN in an optional descriptive series is "not observed", not an error. */
    in.capex = s.capex;
    in.book_value = s.book;
    for (i = 0; i < n; i++) {
        s.capex[i] = (double)NAN;
        s.book[i] = (double)NAN;
    }
    r = diagnose(t, &in, NULL, NULL, 0, __LINE__);
    if (r) {
        CHECK(t, r->has_capex_fall == 0 && isnan(r->capex_fall) == 0 && r->capex_fall == 0.0);
        CHECK(t, isnan(r->max_stranded) && isnan(r->steps[0].stranded));
        ocd_result_free(r);
    }
    ocd_result_free(NULL);
}

/* The brief's own example: 96% idle at peak, demand growing at
 * g = ln(25)/7.1 so it needs 7.1 years, 3.4 years of life, 1145.83 billion
 * of book value (1.1 trillion stranded). Plus a second, smaller episode. */
static void test_verdicts(tally *t)
{
    static series s;
    const size_t n = 29;
    const double g = log(25.0) / 7.1;
    ocd_input in;
    ocd_params p;
    ocd_result *r;
    size_t i, len;
    char v[512], small[10];

    for (i = 0; i < n; i++) {
        double ti = 2026.0 + 0.5 * (double)i;

        s.time[i] = ti;
        s.capacity[i] = 1.0;
        s.demand[i] = 0.9;
        s.growth[i] = g;
        s.life[i] = 3.4;
        s.book[i] = 1100.0 / 0.96;
        if (ti >= 2027.5 && ti < 2031.0)
            s.demand[i] = ti == 2029.0 ? 0.04 : 0.1;
        if (ti >= 2035.0 && ti < 2036.5) {
            /* 50% idle fills in ln 2 / g = 1.5 years: weak only because
             * this capacity has just 1.0 year left. */
            s.demand[i] = 0.5;
            s.life[i] = 1.0;
        }
    }
    in = input_of(&s, n);
    in.growth = s.growth;
    in.book_value = s.book;
    ocd_params_default(&p);
    p.money_scale = 1e9;
    p.money_label = "$";
    r = diagnose(t, &in, &p, v, sizeof(v), __LINE__);
    if (!r)
        return;
    CHECK(t, r->episode_count == 2);
    CHECK_TEXT(t, v,
               "bubble from 2027.5 to 2031.0: 96% of capacity idle at peak; demand would need 7.1 "
               "years to fill it, the hardware has 3.4 years left; $1.1T stranded; also bubble "
               "from 2035.0 to 2036.5 (50% idle at peak)");

    /* snprintf semantics: the full length whatever the buffer. */
    len = ocd_verdict(r, &p, NULL, 0);
    CHECK(t, len == strlen(v));
    CHECK(t, ocd_verdict(r, &p, small, sizeof(small)) == len);
    CHECK_TEXT(t, small, "bubble fr");
    /* Deterministic: the same text twice, and with p NULL only the
     * presentation changes. */
    {
        char again[512];

        (void)ocd_verdict(r, &p, again, sizeof(again));
        CHECK_TEXT(t, again, v);
        (void)ocd_verdict(r, NULL, again, sizeof(again));
        CHECK_CONTAINS(t, again, "; 1.1K stranded");
        /* money amounts below 1000 after scaling carry no suffix; the
         * scale steps up at 999.95 so 999.96 reads 1.0K, not 1000.0 */
        p.money_scale = 999.96 / 1100.0;
        p.money_label = "";
        (void)ocd_verdict(r, &p, again, sizeof(again));
        CHECK_CONTAINS(t, again, "; 1.0K stranded");
    }
    ocd_result_free(r);
    CHECK(t, ocd_verdict(NULL, NULL, v, sizeof(v)) == strlen("no diagnosis"));
}

static void test_csv(tally *t)
{
    static series s;
    size_t n;
    ocd_input in;
    ocd_result *r;
    FILE *fp;
    char text[8192];
    size_t got;

    fill_glut(&s, &n);
    in = input_of(&s, n);
    in.growth = s.growth;
    r = diagnose(t, &in, NULL, NULL, 0, __LINE__);
    if (!r)
        return;
    CHECK(t, ocd_write_csv(NULL, stdout) == OCD_EARG);
    CHECK(t, ocd_write_csv(r, NULL) == OCD_EARG);
    fp = tmpfile();
    CHECK(t, fp != NULL);
    if (fp) {
        CHECK(t, ocd_write_csv(r, fp) == OCD_OK);
        rewind(fp);
        got = fread(text, 1, sizeof(text) - 1, fp);
        text[got] = '\0';
        fclose(fp);
        CHECK_CONTAINS(t, text,
                       "time,state,idle_share,utilization,growth,fill_time,remaining_life,"
                       "stranded,idle_margin,life_margin,utilization_margin,overcapacity,"
                       "weak_demand,transient\n"
                       "2020,balanced,0.1,0.9,0.05,2.107210313,3.4,,-0.15,1.292789687,-0.05,0,0,"
                       "0\n");
        /* The peak of the glut: not growing, fill time infinite, stranded
         * unknown (no book value given). */
        CHECK_CONTAINS(t, text, "\n2029,bubble,0.8,0.2,0,inf,3.4,,0.55,-inf,-0.75,1,1,0\n");
        CHECK(t, strstr(text, "nan") == NULL);
    }
    ocd_result_free(r);
}

/* Stranded capital given directly takes precedence over the estimate;
 * NaN means not observed at that step. */
static void test_stranded(tally *t)
{
    static series s;
    const size_t n = 5;
    static const double stranded[] = {0.0, 5.0, (double)NAN, 12.0, 3.0};
    ocd_input in;
    ocd_result *r;
    size_t i;

    for (i = 0; i < n; i++) {
        s.time[i] = 2000.0 + (double)i;
        s.capacity[i] = 1.0;
        s.demand[i] = 0.9;
        s.life[i] = 4.0;
        s.book[i] = 1000.0;
        s.stranded[i] = stranded[i];
        s.capex[i] = 10.0 * (double)(i + 1); /* rising: no fall */
    }
    in = input_of(&s, n);
    in.book_value = s.book;
    in.stranded = s.stranded;
    in.capex = s.capex;
    r = diagnose(t, &in, NULL, NULL, 0, __LINE__);
    if (r) {
        CHECK_NEAR(t, r->steps[1].stranded, 5.0, 0.0);
        CHECK(t, isnan(r->steps[2].stranded));
        CHECK_NEAR(t, r->max_stranded, 12.0, 0.0);
        CHECK_NEAR(t, r->max_stranded_time, 2003.0, 0.0);
        CHECK(t, r->has_capex_fall == 0 && isnan(r->capex_peak_time));
        ocd_result_free(r);
    }

    /* The classic drawdown: 10 20 15 5 8 falls 75% from 2001 to 2003. */
    s.capex[0] = 10;
    s.capex[1] = 20;
    s.capex[2] = 15;
    s.capex[3] = 5;
    s.capex[4] = 8;
    r = diagnose(t, &in, NULL, NULL, 0, __LINE__);
    if (r) {
        CHECK(t, r->has_capex_fall == 1);
        CHECK_NEAR(t, r->capex_fall, 0.75, 1e-12);
        CHECK_NEAR(t, r->capex_peak_time, 2001.0, 0.0);
        CHECK_NEAR(t, r->capex_trough_time, 2003.0, 0.0);
        ocd_result_free(r);
    }
}

/* Zero demand: no logarithm, but a clear answer. Demand vanishing means
 * shrinking without bound (weak); demand at zero is never filled. */
static void test_zero_demand(tally *t)
{
    static series s;
    static const double used[] = {0.8, 0.8, 0.0, 0.0, 0.0, 0.0, 0.5};
    const size_t n = sizeof(used) / sizeof(used[0]);
    ocd_input in;
    ocd_result *r;
    size_t i;

    for (i = 0; i < n; i++) {
        s.time[i] = 2000.0 + (double)i;
        s.capacity[i] = 1.0;
        s.demand[i] = used[i];
        s.life[i] = 4.0;
    }
    in = input_of(&s, n);
    r = diagnose(t, &in, NULL, NULL, 0, __LINE__);
    if (r) {
        CHECK(t, isinf(r->steps[2].growth) && r->steps[2].growth < 0);
        CHECK(t, r->steps[3].growth == 0.0);
        CHECK(t, isinf(r->steps[6].growth) && r->steps[6].growth > 0);
        CHECK(t, isinf(r->steps[3].fill_time));
        CHECK(t, r->steps[6].fill_time == 0.0 && !r->steps[6].weak_demand);
        CHECK(t, r->episode_count == 1);
        if (r->episode_count == 1) {
            CHECK_NEAR(t, r->episodes[0].onset, 2002.0, 0.0);
            CHECK_NEAR(t, r->episodes[0].end, 2006.0, 0.0);
            CHECK_NEAR(t, r->episodes[0].peak_idle_share, 1.0, 0.0);
        }
        ocd_result_free(r);
    }
}

/* The edges of the definitions are where they say: idle share exactly at
 * the threshold is not overcapacity (strictly above), a fill time exactly
 * equal to the remaining life is not weak (strictly longer), and a growth
 * window finds the step one window back on a grid such as 0.1 that binary
 * floating point cannot represent exactly. */
static void test_edges(tally *t)
{
    static series s;
    const size_t n = 41;
    ocd_input in;
    ocd_result *r;
    size_t i;
    double ti = 2020.0;
    int back_ok = 1;

    for (i = 0; i < n; i++) {
        s.time[i] = ti;
        ti += 0.1; /* accumulates rounding, as a model's clock does */
        s.capacity[i] = 1.0;
        s.demand[i] = 0.75;
        s.growth[i] = 0.5;
        s.life[i] = 10.0;
    }
    s.demand[3] = 0.7495; /* idle 0.2505 */
    /* Remaining life equal to the fill time, computed the module's way. */
    s.demand[5] = 0.5;
    s.life[5] = (log(1.0) - log(0.5)) / 0.5;
    s.demand[6] = 0.5;
    s.life[6] = nextafter(s.life[5], 0.0);
    in = input_of(&s, n);
    in.growth = s.growth;
    r = diagnose(t, &in, NULL, NULL, 0, __LINE__);
    if (r) {
        CHECK(t, r->steps[0].idle_share == 0.25 && r->steps[0].overcapacity == 0);
        CHECK(t, r->steps[0].idle_margin == 0.0);
        CHECK(t, r->steps[3].overcapacity == 1);
        CHECK(t, r->steps[5].weak_demand == 0 && r->steps[5].life_margin == 0.0);
        CHECK(t, r->steps[6].weak_demand == 1 && r->steps[6].life_margin < 0.0);
        ocd_result_free(r);
    }

    /* An uneven, kinked demand: the estimate must come from exactly ten
     * steps (1.0 time unit) back. */
    for (i = 0; i < n; i++)
        s.demand[i] = 0.2 + 0.001 * (double)(i * i % 17);
    in.growth = NULL;
    r = diagnose(t, &in, NULL, NULL, 0, __LINE__);
    if (r) {
        for (i = 10; i < n; i++) {
            double want = (log(s.demand[i]) - log(s.demand[i - 10])) / (s.time[i] - s.time[i - 10]);

            if (fabs(r->steps[i].growth - want) > 1e-12)
                back_ok = 0;
        }
        CHECK(t, back_ok);
        /* Steps inside the first window share the first full window. */
        CHECK_NEAR(t, r->steps[4].growth,
                   (log(s.demand[10]) - log(s.demand[0])) / (s.time[10] - s.time[0]), 1e-12);
        ocd_result_free(r);
    }

    /* Ten steps of 0.1 on this clock add up to 0.99999999999909, not 1.0:
     * a glut over those ten steps still lasts the 1.0-year minimum. */
    for (i = 0; i < n; i++) {
        s.demand[i] = i >= 5 && i < 15 ? 0.3 : 0.9;
        s.growth[i] = 0.0;
    }
    in.growth = s.growth;
    r = diagnose(t, &in, NULL, NULL, 0, __LINE__);
    if (r) {
        CHECK(t, s.time[15] - s.time[5] < 1.0);
        CHECK(t, r->episode_count == 1 && r->transient_count == 0);
        ocd_result_free(r);
    }
}

int main(void)
{
    tally t = {0, 0};

    test_defaults_and_names(&t);
    test_closed_form(&t);
    test_one_off_drop(&t);
    test_sustained_glut(&t);
    test_persistence(&t);
    test_shortage(&t);
    test_uneven_history(&t);
    test_insufficient(&t);
    test_bad_input(&t);
    test_verdicts(&t);
    test_csv(&t);
    test_stranded(&t);
    test_zero_demand(&t);
    test_edges(&t);

    printf("%d passed, %d failed\n", t.passed, t.failed);
    return t.failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
