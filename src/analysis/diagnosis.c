/*
 * diagnosis.c - the bubble diagnosis (see diagnosis.h for the contract and
 * docs/internals/diagnosis.md for the definitions and their defaults).
 *
 * The work is four passes over the steps, each O(n):
 *
 *   1. validate: every required value finite and in range, times strictly
 *      increasing, optional series finite or NaN ("not observed");
 *   2. classify each step on its own (idle share, growth, fill time, the two
 *      bubble conditions, the shortage test, margins);
 *   3. persistence: runs of bubble steps shorter than min_bubble_duration
 *      become normal cycle and are counted as transient; longer runs become
 *      episodes;
 *   4. summary: time in each state, peaks, capex drawdown.
 *
 * Invariants: the only allocation is the result, one block holding the
 * struct, the steps and the episodes, so a failed allocation leaves nothing
 * behind and ocd_result_free is a single free(). Nothing is global; the
 * functions are reentrant. Numbers are formatted with printf in the C locale.
 */
#include "diagnosis.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* NAN is a float constant; the cast keeps -Wdouble-promotion quiet. */
#define OCD_NAN ((double)NAN)

#if defined(__GNUC__)
#define OCD_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define OCD_PRINTF(fmt, args)
#endif

/* How many further episodes the verdict names after the main one. */
#define OCD_VERDICT_MORE_EPISODES 3
/* Beyond this many state changes the no-bubble verdict summarises the
 * timeline by totals instead of listing every spell. */
#define OCD_VERDICT_MAX_SEGMENTS 4

const char *ocd_code_name(int code)
{
    switch (code) {
    case OCD_OK:
        return "OCD_OK";
    case OCD_EARG:
        return "OCD_EARG";
    case OCD_EDATA:
        return "OCD_EDATA";
    case OCD_ENOMEM:
        return "OCD_ENOMEM";
    case OCD_EIO:
        return "OCD_EIO";
    default:
        return "OCD_UNKNOWN";
    }
}

const char *ocd_state_name(int state)
{
    switch (state) {
    case OCD_SHORTAGE:
        return "shortage";
    case OCD_BALANCED:
        return "balanced";
    case OCD_NORMAL_CYCLE:
        return "normal cycle";
    case OCD_BUBBLE:
        return "bubble";
    default:
        return "unknown";
    }
}

void ocd_params_default(ocd_params *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof(*p));
    p->idle_threshold = 0.25;
    p->shortage_utilization = 0.95;
    p->min_bubble_duration = 1.0;
    p->growth_window = 1.0;
    p->min_observations = 3;
    p->money_scale = 1.0;
    p->money_label = "";
    p->time_unit = "years";
    p->asset_name = "the hardware";
}

/* Writes a message into the caller's buffer (when there is one) and passes
 * the code through, so a failure is one line: return ocd_fail(...). */
static int ocd_fail(char *errbuf, size_t errlen, int code, const char *fmt, ...) OCD_PRINTF(4, 5);

static int ocd_fail(char *errbuf, size_t errlen, int code, const char *fmt, ...)
{
    va_list ap;

    if (errbuf && errlen > 0) {
        va_start(ap, fmt);
        /* A truncated message is still a message: the length is not needed. */
        (void)vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* Slack for comparing times and durations: sums of uneven steps such as
 * 0.1 are not exact in binary, and a window of 1.0 must still find the
 * step 1.0 back. One part in a billion of the times involved. */
static double ocd_time_slack(double a, double b)
{
    double scale = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

    if (scale < 1.0)
        scale = 1.0;
    return 1e-9 * scale;
}

/* What an input series must satisfy. */
typedef enum ocd_bound {
    OCD_ANY,      /* any finite value */
    OCD_POSITIVE, /* > 0 */
    OCD_NONNEG    /* >= 0 */
} ocd_bound;

/* Checks one series. allow_nan: NaN means "not observed" (optional
 * descriptive series); otherwise it is an error. Infinities are always
 * errors: no measurement or model output is infinite. */
static int ocd_check_series(const double *x, const double *time, size_t n, const char *name,
                            int allow_nan, ocd_bound bound, char *errbuf, size_t errlen)
{
    size_t i;

    for (i = 0; i < n; i++) {
        double v = x[i];

        if (isnan(v)) {
            if (allow_nan)
                continue;
            return ocd_fail(errbuf, errlen, OCD_EDATA, "%s[%zu] (time %.10g) is not a number", name,
                            i, time[i]);
        }
        if (isinf(v))
            return ocd_fail(errbuf, errlen, OCD_EDATA, "%s[%zu] (time %.10g) is infinite", name, i,
                            time[i]);
        if (bound == OCD_POSITIVE && !(v > 0.0))
            return ocd_fail(errbuf, errlen, OCD_EDATA,
                            "%s[%zu] = %.10g (time %.10g) must be greater than 0", name, i, v,
                            time[i]);
        if (bound == OCD_NONNEG && v < 0.0)
            return ocd_fail(errbuf, errlen, OCD_EDATA,
                            "%s[%zu] = %.10g (time %.10g) must not be negative", name, i, v,
                            time[i]);
    }
    return OCD_OK;
}

static int ocd_check_params(const ocd_params *p, char *errbuf, size_t errlen)
{
    /* Written as !(in range) so that NaN fails every check. */
    if (!(p->idle_threshold >= 0.0 && p->idle_threshold < 1.0))
        return ocd_fail(errbuf, errlen, OCD_EARG, "idle_threshold = %.10g must be in [0, 1)",
                        p->idle_threshold);
    if (!(p->shortage_utilization > 0.0 && p->shortage_utilization <= 1.0))
        return ocd_fail(errbuf, errlen, OCD_EARG, "shortage_utilization = %.10g must be in (0, 1]",
                        p->shortage_utilization);
    if (!(p->min_bubble_duration >= 0.0 && isfinite(p->min_bubble_duration)))
        return ocd_fail(errbuf, errlen, OCD_EARG,
                        "min_bubble_duration = %.10g must be finite and >= 0",
                        p->min_bubble_duration);
    if (!(p->growth_window > 0.0 && isfinite(p->growth_window)))
        return ocd_fail(errbuf, errlen, OCD_EARG, "growth_window = %.10g must be finite and > 0",
                        p->growth_window);
    if (p->min_observations < 1)
        return ocd_fail(errbuf, errlen, OCD_EARG, "min_observations must be at least 1");
    if (!(p->money_scale > 0.0 && isfinite(p->money_scale)))
        return ocd_fail(errbuf, errlen, OCD_EARG, "money_scale = %.10g must be finite and > 0",
                        p->money_scale);
    return OCD_OK;
}

static int ocd_check_input(const ocd_input *in, char *errbuf, size_t errlen)
{
    size_t i;
    int rc;

    if (in->n == 0)
        return ocd_fail(errbuf, errlen, OCD_EARG, "no time steps (n = 0)");
    if (!in->time)
        return ocd_fail(errbuf, errlen, OCD_EARG, "time is required (NULL given)");
    if (!in->capacity)
        return ocd_fail(errbuf, errlen, OCD_EARG, "capacity is required (NULL given)");
    if (!in->demand)
        return ocd_fail(errbuf, errlen, OCD_EARG, "demand is required (NULL given)");
    if (!in->remaining_life)
        return ocd_fail(errbuf, errlen, OCD_EARG, "remaining_life is required (NULL given)");
    if (!in->price != !in->cost)
        return ocd_fail(errbuf, errlen, OCD_EARG,
                        "price and cost must be given together (%s is NULL)",
                        in->price ? "cost" : "price");

    /* Times first: the other messages quote them. */
    for (i = 0; i < in->n; i++) {
        if (!isfinite(in->time[i]))
            return ocd_fail(errbuf, errlen, OCD_EDATA, "time[%zu] is not a finite number", i);
        if (i > 0 && !(in->time[i] > in->time[i - 1]))
            return ocd_fail(errbuf, errlen, OCD_EDATA,
                            "time[%zu] = %.10g is not after time[%zu] = %.10g: times must "
                            "strictly increase",
                            i, in->time[i], i - 1, in->time[i - 1]);
    }

    rc = ocd_check_series(in->capacity, in->time, in->n, "capacity", 0, OCD_POSITIVE, errbuf,
                          errlen);
    if (rc)
        return rc;
    rc = ocd_check_series(in->demand, in->time, in->n, "demand", 0, OCD_NONNEG, errbuf, errlen);
    if (rc)
        return rc;
    rc = ocd_check_series(in->remaining_life, in->time, in->n, "remaining_life", 0, OCD_NONNEG,
                          errbuf, errlen);
    if (rc)
        return rc;
    if (in->growth) {
        rc = ocd_check_series(in->growth, in->time, in->n, "growth", 0, OCD_ANY, errbuf, errlen);
        if (rc)
            return rc;
    }
    if (in->utilization) {
        rc = ocd_check_series(in->utilization, in->time, in->n, "utilization", 1, OCD_NONNEG,
                              errbuf, errlen);
        if (rc)
            return rc;
    }
    if (in->price) {
        rc = ocd_check_series(in->price, in->time, in->n, "price", 1, OCD_ANY, errbuf, errlen);
        if (rc)
            return rc;
        rc = ocd_check_series(in->cost, in->time, in->n, "cost", 1, OCD_ANY, errbuf, errlen);
        if (rc)
            return rc;
    }
    if (in->capex) {
        rc = ocd_check_series(in->capex, in->time, in->n, "capex", 1, OCD_NONNEG, errbuf, errlen);
        if (rc)
            return rc;
    }
    if (in->book_value) {
        rc = ocd_check_series(in->book_value, in->time, in->n, "book_value", 1, OCD_NONNEG, errbuf,
                              errlen);
        if (rc)
            return rc;
    }
    if (in->stranded) {
        rc = ocd_check_series(in->stranded, in->time, in->n, "stranded", 1, OCD_NONNEG, errbuf,
                              errlen);
        if (rc)
            return rc;
    }
    return OCD_OK;
}

static size_t ocd_align_up(size_t x, size_t a)
{
    return (x + a - 1) / a * a;
}

/* Allocates the result block: the struct, then the steps, then the
 * episodes, each suitably aligned, and hands back writable pointers to the
 * two arrays (the public fields are const: callers read, the builder
 * writes). Returns NULL when the size would overflow or calloc fails. */
static ocd_result *ocd_result_alloc(size_t steps, size_t episodes, ocd_step **step_rw,
                                    ocd_episode **episode_rw)
{
    const size_t slack = _Alignof(ocd_step) + _Alignof(ocd_episode);
    size_t steps_at, episodes_at, total;
    char *block;
    ocd_result *r;

    /* episodes <= steps, so this bounds the total size. */
    if (episodes > steps)
        return NULL;
    if (steps > (SIZE_MAX - sizeof(ocd_result) - slack) / (sizeof(ocd_step) + sizeof(ocd_episode)))
        return NULL;
    steps_at = ocd_align_up(sizeof(ocd_result), _Alignof(ocd_step));
    episodes_at = ocd_align_up(steps_at + steps * sizeof(ocd_step), _Alignof(ocd_episode));
    total = episodes_at + episodes * sizeof(ocd_episode);

    block = calloc(1, total);
    if (!block)
        return NULL;
    r = (ocd_result *)(void *)block;
    *step_rw = (ocd_step *)(void *)(block + steps_at);
    *episode_rw = (ocd_episode *)(void *)(block + episodes_at);
    r->steps = *step_rw;
    r->episodes = *episode_rw;
    return r;
}

/* Continuous growth rate of demand between two observations. Zero demand
 * at either end has no logarithm: demand appearing from nothing grows
 * without bound, demand vanishing shrinks without bound, and demand staying
 * at zero does not grow. */
static double ocd_log_growth(double demand_from, double demand_to, double dt)
{
    if (demand_from > 0.0 && demand_to > 0.0)
        return (log(demand_to) - log(demand_from)) / dt;
    if (demand_to > 0.0)
        return HUGE_VAL;
    if (demand_from > 0.0)
        return -HUGE_VAL;
    return 0.0;
}

/* Time for demand growing at `growth` to reach capacity: ln(C/D)/g.
 * Nothing idle: 0. Not growing, or growing from zero: never. */
static double ocd_fill_time(double capacity, double demand, double growth)
{
    if (demand >= capacity)
        return 0.0;
    if (!(growth > 0.0) || !(demand > 0.0))
        return HUGE_VAL;
    return (log(capacity) - log(demand)) / growth;
}

/* Pass 2: classifies every step on its own. The growth estimate (when the
 * caller gives none) is a trailing log-growth: from the latest step at least
 * growth_window back, which on sparse data is the previous observation.
 * Steps inside the first window have no such step and share the growth of
 * the first full window (or of the whole series when it is shorter). */
static void ocd_classify(const ocd_input *in, const ocd_params *p, ocd_step *steps)
{
    const double *t = in->time;
    const double window = p->growth_window;
    size_t n = in->n;
    size_t first_full = n - 1; /* first step a whole window after t[0] */
    size_t back = 0;           /* the trailing window's start, moves forward */
    size_t i;

    for (i = 1; i < n; i++) {
        if (t[i] - t[0] >= window - ocd_time_slack(t[i], t[0])) {
            first_full = i;
            break;
        }
    }

    for (i = 0; i < n; i++) {
        ocd_step *s = &steps[i];
        double capacity = in->capacity[i];
        double demand = in->demand[i];
        double growth;
        int shortage;

        s->time = t[i];
        s->idle_share = demand >= capacity ? 0.0 : 1.0 - demand / capacity;
        s->utilization = (demand < capacity ? demand : capacity) / capacity;
        if (in->utilization && !isnan(in->utilization[i]))
            s->utilization = in->utilization[i];

        if (in->growth) {
            growth = in->growth[i];
        } else {
            double cutoff = t[i] - window + ocd_time_slack(t[i], window);

            while (back + 1 < i && t[back + 1] <= cutoff)
                back++;
            if (back < i && t[back] <= cutoff)
                growth = ocd_log_growth(in->demand[back], demand, t[i] - t[back]);
            else
                growth =
                    ocd_log_growth(in->demand[0], in->demand[first_full], t[first_full] - t[0]);
        }
        s->growth = growth;
        s->remaining_life = in->remaining_life[i];
        s->fill_time = ocd_fill_time(capacity, demand, growth);

        s->overcapacity = s->idle_share > p->idle_threshold;
        s->weak_demand = !(growth > 0.0) || s->fill_time > s->remaining_life;

        shortage = s->utilization >= p->shortage_utilization;
        if (shortage && in->price && !isnan(in->price[i]) && !isnan(in->cost[i]))
            shortage = in->price[i] > in->cost[i];
        s->shortage_signal = shortage;

        if (s->overcapacity)
            s->state = s->weak_demand ? OCD_BUBBLE : OCD_NORMAL_CYCLE;
        else
            s->state = shortage ? OCD_SHORTAGE : OCD_BALANCED;
        s->transient = 0;

        if (in->stranded && !isnan(in->stranded[i]))
            s->stranded = in->stranded[i];
        else if (!in->stranded && in->book_value && !isnan(in->book_value[i]))
            s->stranded = in->book_value[i] * s->idle_share;
        else
            s->stranded = OCD_NAN;

        s->idle_margin = s->idle_share - p->idle_threshold;
        s->life_margin = s->remaining_life - s->fill_time;
        s->utilization_margin = s->utilization - p->shortage_utilization;
    }
}

/* Pass 3: the persistence rule. A run of bubble steps [first, stop) lasts
 * from its first step until the first step after it, or until the last step
 * when it is still running. Long enough: an episode. Too short: the steps
 * are relabelled normal cycle (they have overcapacity; only the weak-demand
 * signal is discounted) and counted as transient. */
static void ocd_persist(ocd_result *r, ocd_step *steps, ocd_episode *episodes, size_t n,
                        double min_duration)
{
    size_t i = 0;

    while (i < n) {
        size_t first, k;
        double onset, end, duration;
        int ongoing;

        if (steps[i].state != OCD_BUBBLE) {
            i++;
            continue;
        }
        first = i;
        while (i < n && steps[i].state == OCD_BUBBLE)
            i++;
        ongoing = i == n;
        onset = steps[first].time;
        end = ongoing ? steps[n - 1].time : steps[i].time;
        duration = end - onset;

        if (duration >= min_duration - ocd_time_slack(onset, end)) {
            ocd_episode *e = &episodes[r->episode_count];
            const ocd_step *peak = &steps[first];

            for (k = first + 1; k < i; k++) {
                if (steps[k].idle_share > peak->idle_share)
                    peak = &steps[k];
            }
            e->onset = onset;
            e->end = end;
            e->ongoing = ongoing;
            e->duration = duration;
            e->first_step = first;
            e->step_count = i - first;
            e->peak_time = peak->time;
            e->peak_idle_share = peak->idle_share;
            e->peak_growth = peak->growth;
            e->peak_fill_time = peak->fill_time;
            e->peak_remaining_life = peak->remaining_life;
            e->peak_stranded = peak->stranded;
            r->episode_count++;
            continue;
        }

        for (k = first; k < i; k++) {
            steps[k].state = OCD_NORMAL_CYCLE;
            steps[k].transient = 1;
        }
        r->transient_count++;
        r->transient_time += duration;
        if (ongoing) {
            r->pending = 1;
            r->pending_onset = onset;
        }
    }
}

/* Pass 4: totals, peaks and the capex drawdown. */
static void ocd_summarise(ocd_result *r, const ocd_input *in, const ocd_step *steps)
{
    size_t n = in->n;
    size_t i;
    int have_capex_peak = 0;
    double capex_peak = 0.0, capex_peak_time = OCD_NAN;

    r->peak_idle_share = steps[0].idle_share;
    r->peak_idle_time = steps[0].time;
    for (i = 0; i < n; i++) {
        const ocd_step *s = &steps[i];
        double width = i + 1 < n ? steps[i + 1].time - s->time : 0.0;

        r->state_steps[s->state]++;
        r->state_time[s->state] += width;

        if (s->idle_share > r->peak_idle_share) {
            r->peak_idle_share = s->idle_share;
            r->peak_idle_time = s->time;
        }
        if (!isnan(s->stranded) && (isnan(r->max_stranded) || s->stranded > r->max_stranded)) {
            r->max_stranded = s->stranded;
            r->max_stranded_time = s->time;
        }
        if (s->state == OCD_SHORTAGE) {
            if (isnan(r->first_shortage))
                r->first_shortage = s->time;
            r->last_shortage = s->time;
        }

        /* Largest fall from a running peak: the classic drawdown. */
        if (in->capex && !isnan(in->capex[i])) {
            double c = in->capex[i];

            if (!have_capex_peak || c > capex_peak) {
                have_capex_peak = 1;
                capex_peak = c;
                capex_peak_time = s->time;
            } else if (capex_peak > 0.0) {
                double fall = (capex_peak - c) / capex_peak;

                if (fall > r->capex_fall) {
                    r->has_capex_fall = 1;
                    r->capex_fall = fall;
                    r->capex_peak_time = capex_peak_time;
                    r->capex_trough_time = s->time;
                }
            }
        }
    }
}

int ocd_diagnose(const ocd_input *in, const ocd_params *p, ocd_result **out, char *errbuf,
                 size_t errlen)
{
    ocd_params defaults;
    ocd_result *r = NULL;
    ocd_step *step_rw = NULL;
    ocd_episode *episode_rw = NULL;
    size_t needed, steps, max_episodes;
    int rc;

    if (errbuf && errlen > 0)
        errbuf[0] = '\0';
    if (out)
        *out = NULL;
    if (!in || !out)
        return ocd_fail(errbuf, errlen, OCD_EARG, "%s is required (NULL given)",
                        !in ? "input" : "out");
    if (!p) {
        ocd_params_default(&defaults);
        p = &defaults;
    }
    rc = ocd_check_params(p, errbuf, errlen);
    if (rc)
        goto fail;
    rc = ocd_check_input(in, errbuf, errlen);
    if (rc)
        goto fail;

    /* An estimated growth needs two observations, whatever the caller asks. */
    needed = p->min_observations;
    if (!in->growth && needed < 2)
        needed = 2;
    steps = in->n >= needed ? in->n : 0;
    max_episodes = (steps + 1) / 2;

    r = ocd_result_alloc(steps, max_episodes, &step_rw, &episode_rw);
    if (!r) {
        rc = ocd_fail(errbuf, errlen, OCD_ENOMEM, "out of memory for the diagnosis of %zu steps",
                      in->n);
        goto fail;
    }
    r->observations = in->n;
    r->observations_needed = needed;
    r->growth_estimated = in->growth == NULL;
    r->idle_threshold = p->idle_threshold;
    r->shortage_utilization = p->shortage_utilization;
    r->min_bubble_duration = p->min_bubble_duration;
    r->growth_window = p->growth_window;
    r->pending_onset = OCD_NAN;
    r->peak_idle_share = OCD_NAN;
    r->peak_idle_time = OCD_NAN;
    r->max_stranded = OCD_NAN;
    r->max_stranded_time = OCD_NAN;
    r->capex_peak_time = OCD_NAN;
    r->capex_trough_time = OCD_NAN;
    r->first_shortage = OCD_NAN;
    r->last_shortage = OCD_NAN;

    if (steps == 0) {
        r->status = OCD_INSUFFICIENT_DATA;
        *out = r;
        return OCD_OK;
    }
    r->status = OCD_DIAGNOSED;
    r->step_count = steps;

    ocd_classify(in, p, step_rw);
    ocd_persist(r, step_rw, episode_rw, steps, p->min_bubble_duration);
    ocd_summarise(r, in, step_rw);
    *out = r;
    return OCD_OK;

fail:
    free(r);
    return rc;
}

void ocd_result_free(ocd_result *result)
{
    free(result);
}

/* ------------------------------------------------------------------ */
/* The verdict                                                         */
/* ------------------------------------------------------------------ */

/* An snprintf-like output: len counts every byte asked for, whether or not
 * it fitted, so the caller learns the size it needs. */
typedef struct ocd_text {
    char *buf;
    size_t size;
    size_t len;
} ocd_text;

static void ocd_put(ocd_text *o, const char *fmt, ...) OCD_PRINTF(2, 3);

static void ocd_put(ocd_text *o, const char *fmt, ...)
{
    va_list ap;
    char *dst = NULL;
    size_t room = 0;
    int wrote;

    if (o->len < o->size) {
        dst = o->buf + o->len;
        room = o->size - o->len;
    }
    va_start(ap, fmt);
    wrote = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    /* A negative return is an encoding error: nothing to count. */
    if (wrote < 0)
        return;
    o->len += (size_t)wrote;
}

/* A money amount with a magnitude suffix: 1.1e12 -> "$1.1T". */
static void ocd_put_money(ocd_text *o, const ocd_params *p, double amount)
{
    static const char *const suffix[] = {"", "K", "M", "B", "T"};
    double value = amount * p->money_scale;
    size_t k = 0;

    /* Step up while the rounded figure would read 1000.0 or more. */
    while (k + 1 < sizeof(suffix) / sizeof(suffix[0]) && fabs(value) >= 999.95) {
        value /= 1000.0;
        k++;
    }
    ocd_put(o, "%s%.1f%s", p->money_label, value, suffix[k]);
}

/* "from 2027.5 to 2031.0" or "from 2035.0, ongoing at end of run (2040.0)" */
static void ocd_put_span(ocd_text *o, double onset, double end, int ongoing)
{
    if (ongoing)
        ocd_put(o, "from %.1f, ongoing at end of run (%.1f)", onset, end);
    else
        ocd_put(o, "from %.1f to %.1f", onset, end);
}

static void ocd_put_episode(ocd_text *o, const ocd_params *p, const ocd_episode *e)
{
    ocd_put(o, "bubble ");
    ocd_put_span(o, e->onset, e->end, e->ongoing);
    ocd_put(o, ": %.0f%% of capacity idle at peak; ", 100.0 * e->peak_idle_share);
    if (e->peak_growth > 0.0)
        ocd_put(o, "demand would need %.1f %s to fill it, ", e->peak_fill_time, p->time_unit);
    else if (e->peak_growth < 0.0)
        ocd_put(o, "demand is shrinking, so it never fills it; ");
    else
        ocd_put(o, "demand is not growing, so it never fills it; ");
    ocd_put(o, "%s has %.1f %s left", p->asset_name, e->peak_remaining_life, p->time_unit);
    if (!isnan(e->peak_stranded)) {
        ocd_put(o, "; ");
        ocd_put_money(o, p, e->peak_stranded);
        ocd_put(o, " stranded");
    }
}

/* Notes on bubble signals the persistence rule set aside. */
static void ocd_put_transients(ocd_text *o, const ocd_params *p, const ocd_result *r)
{
    size_t closed = r->transient_count - (size_t)(r->pending ? 1 : 0);

    if (closed > 0)
        ocd_put(o, "; %zu bubble signal%s shorter than %.1f %s filtered as transient", closed,
                closed == 1 ? "" : "s", r->min_bubble_duration, p->time_unit);
    if (r->pending) {
        const ocd_step *last = &r->steps[r->step_count - 1];

        ocd_put(o, "; bubble signal since %.1f not yet confirmed (%.1f of the %.1f %s needed)",
                r->pending_onset, last->time - r->pending_onset, r->min_bubble_duration,
                p->time_unit);
    }
}

static void ocd_verdict_bubble(ocd_text *o, const ocd_params *p, const ocd_result *r)
{
    size_t main_episode = 0;
    size_t i, named = 0;

    /* Describe the worst episode in full (the earliest of equals), then
     * name the others in order. */
    for (i = 1; i < r->episode_count; i++) {
        if (r->episodes[i].peak_idle_share > r->episodes[main_episode].peak_idle_share)
            main_episode = i;
    }
    ocd_put_episode(o, p, &r->episodes[main_episode]);
    for (i = 0; i < r->episode_count; i++) {
        const ocd_episode *e = &r->episodes[i];

        if (i == main_episode)
            continue;
        if (named == OCD_VERDICT_MORE_EPISODES) {
            size_t rest = r->episode_count - 1 - named;

            ocd_put(o, "; and %zu more bubble episode%s", rest, rest == 1 ? "" : "s");
            break;
        }
        ocd_put(o, "; also bubble ");
        ocd_put_span(o, e->onset, e->end, e->ongoing);
        ocd_put(o, " (%.0f%% idle at peak)", 100.0 * e->peak_idle_share);
        named++;
    }
    ocd_put_transients(o, p, r);
}

static void ocd_verdict_normal_cycle(ocd_text *o, const ocd_params *p, const ocd_result *r)
{
    const ocd_step *steps = r->steps;
    size_t n = r->step_count;
    size_t peak = n, first, stop, i;
    int only_transient = 1;

    /* The peak of idle capacity among normal-cycle steps, preferring steps
     * whose demand really does fill in time over filtered transients. */
    for (i = 0; i < n; i++) {
        if (steps[i].state == OCD_NORMAL_CYCLE && !steps[i].transient) {
            only_transient = 0;
            break;
        }
    }
    for (i = 0; i < n; i++) {
        if (steps[i].state != OCD_NORMAL_CYCLE || (steps[i].transient && !only_transient))
            continue;
        if (peak == n || steps[i].idle_share > steps[peak].idle_share)
            peak = i;
    }
    first = peak;
    while (first > 0 && steps[first - 1].state == OCD_NORMAL_CYCLE)
        first--;
    stop = peak;
    while (stop < n && steps[stop].state == OCD_NORMAL_CYCLE)
        stop++;

    ocd_put(o, "normal cycle ");
    ocd_put_span(o, steps[first].time, stop < n ? steps[stop].time : steps[n - 1].time, stop == n);
    ocd_put(o, ": %.0f%% idle at peak", 100.0 * steps[peak].idle_share);
    if (!steps[peak].transient) {
        ocd_put(o, ", demand fills it in %.1f %s, within the %.1f %s %s has left",
                steps[peak].fill_time, p->time_unit, steps[peak].remaining_life, p->time_unit,
                p->asset_name);
    } else {
        size_t a = peak, b = peak;

        while (a > 0 && steps[a - 1].transient)
            a--;
        while (b < n && steps[b].transient)
            b++;
        ocd_put(o,
                "; demand looked too weak to fill it for only %.1f %s, less than the %.1f %s "
                "that make a bubble",
                (b < n ? steps[b].time : steps[n - 1].time) - steps[a].time, p->time_unit,
                r->min_bubble_duration, p->time_unit);
    }
    ocd_put_transients(o, p, r);
}

static void ocd_verdict_no_bubble(ocd_text *o, const ocd_params *p, const ocd_result *r)
{
    const ocd_step *steps = r->steps;
    size_t n = r->step_count;
    size_t segments = 1, i, s;

    for (i = 1; i < n; i++) {
        if (steps[i].state != steps[i - 1].state)
            segments++;
    }

    ocd_put(o, "no bubble: ");
    if (segments == 1) {
        ocd_put(o, "%s throughout (%.1f to %.1f)", ocd_state_name((int)steps[0].state),
                steps[0].time, steps[n - 1].time);
    } else if (segments <= OCD_VERDICT_MAX_SEGMENTS) {
        size_t seg = 0;

        for (i = 0; i < n; i++) {
            size_t next;

            if (i > 0 && steps[i].state == steps[i - 1].state)
                continue;
            next = i + 1;
            while (next < n && steps[next].state == steps[i].state)
                next++;
            if (seg == 0)
                ocd_put(o, "%s from %.1f to %.1f", ocd_state_name((int)steps[i].state),
                        steps[i].time, steps[next].time);
            else if (next < n)
                ocd_put(o, ", then %s to %.1f", ocd_state_name((int)steps[i].state),
                        steps[next].time);
            else
                ocd_put(o, ", then %s", ocd_state_name((int)steps[i].state));
            seg++;
        }
    } else {
        const char *sep = "";

        ocd_put(o, "states alternate (%zu spells): ", segments);
        for (s = 0; s < OCD_STATE_COUNT; s++) {
            if (r->state_steps[s] == 0)
                continue;
            ocd_put(o, "%s%s %.1f %s", sep, ocd_state_name((int)s), r->state_time[s], p->time_unit);
            sep = ", ";
        }
    }

    if (r->peak_idle_share > 0.0)
        ocd_put(o, "; peak idle share %.0f%% in %.1f (below the %.0f%% threshold)",
                100.0 * r->peak_idle_share, r->peak_idle_time, 100.0 * r->idle_threshold);
    else
        ocd_put(o, "; no idle capacity at any step");
}

size_t ocd_verdict(const ocd_result *result, const ocd_params *p, char *buf, size_t size)
{
    ocd_params shown;
    ocd_text o;

    o.buf = buf;
    o.size = buf ? size : 0;
    o.len = 0;
    if (o.size > 0)
        o.buf[0] = '\0';

    /* Only the presentation fields are used; fill gaps with defaults so a
     * half-initialised params struct still prints. */
    ocd_params_default(&shown);
    if (p) {
        if (p->money_scale > 0.0 && isfinite(p->money_scale))
            shown.money_scale = p->money_scale;
        if (p->money_label)
            shown.money_label = p->money_label;
        if (p->time_unit)
            shown.time_unit = p->time_unit;
        if (p->asset_name)
            shown.asset_name = p->asset_name;
    }

    if (!result) {
        ocd_put(&o, "no diagnosis");
    } else if (result->status == OCD_INSUFFICIENT_DATA || result->step_count == 0) {
        ocd_put(&o, "insufficient data: %zu observation%s, at least %zu needed",
                result->observations, result->observations == 1 ? "" : "s",
                result->observations_needed);
    } else if (result->episode_count > 0) {
        ocd_verdict_bubble(&o, &shown, result);
    } else if (result->state_steps[OCD_NORMAL_CYCLE] > 0) {
        ocd_verdict_normal_cycle(&o, &shown, result);
    } else {
        ocd_verdict_no_bubble(&o, &shown, result);
    }
    return o.len;
}

/* ------------------------------------------------------------------ */
/* The per-step table                                                  */
/* ------------------------------------------------------------------ */

/* One CSV cell: "%.10g", with infinities spelled out and NaN left empty
 * (printf's "nan" or "-nan" depends on the sign bit, which is not
 * deterministic across platforms). */
static void ocd_cell(char *cell, size_t size, double v)
{
    if (isnan(v))
        cell[0] = '\0';
    else if (isinf(v))
        (void)snprintf(cell, size, "%s", v > 0.0 ? "inf" : "-inf");
    else
        (void)snprintf(cell, size, "%.10g", v);
}

int ocd_write_csv(const ocd_result *result, FILE *fp)
{
    enum { CELLS = 10, CELL_SIZE = 32 };
    char cell[CELLS][CELL_SIZE];
    size_t i;
    int rc = OCD_OK;
    int wrote;

    if (!result || !fp)
        return OCD_EARG;
    wrote = fprintf(fp, "time,state,idle_share,utilization,growth,fill_time,remaining_life,"
                        "stranded,idle_margin,life_margin,utilization_margin,overcapacity,"
                        "weak_demand,transient\n");
    if (wrote < 0) {
        rc = OCD_EIO;
        goto done;
    }
    for (i = 0; i < result->step_count; i++) {
        const ocd_step *s = &result->steps[i];

        ocd_cell(cell[0], CELL_SIZE, s->time);
        ocd_cell(cell[1], CELL_SIZE, s->idle_share);
        ocd_cell(cell[2], CELL_SIZE, s->utilization);
        ocd_cell(cell[3], CELL_SIZE, s->growth);
        ocd_cell(cell[4], CELL_SIZE, s->fill_time);
        ocd_cell(cell[5], CELL_SIZE, s->remaining_life);
        ocd_cell(cell[6], CELL_SIZE, s->stranded);
        ocd_cell(cell[7], CELL_SIZE, s->idle_margin);
        ocd_cell(cell[8], CELL_SIZE, s->life_margin);
        ocd_cell(cell[9], CELL_SIZE, s->utilization_margin);
        wrote = fprintf(fp, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,%d,%d\n", cell[0],
                        ocd_state_name((int)s->state), cell[1], cell[2], cell[3], cell[4], cell[5],
                        cell[6], cell[7], cell[8], cell[9], s->overcapacity, s->weak_demand,
                        s->transient);
        if (wrote < 0) {
            rc = OCD_EIO;
            goto done;
        }
    }
    if (ferror(fp))
        rc = OCD_EIO;
done:
    return rc;
}
