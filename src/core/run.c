/*
 * run.c - simulation runs: the integrators and the oc_run / oc_model query
 * API.
 *
 * A step of Euler, with the update semantics of Stella and XMILE:
 *   1. the rate program computes auxiliaries and flows at time t from the
 *      stocks at t (skipped at the first step: the initial pass did it);
 *   2. outflows of non-negative stocks are cut back, in listed order, to
 *      what the stock holds;
 *   3. every Nth step (N = save_step / dt) the values are saved;
 *   4. the inputs of DELAY are recorded and PREVIOUS values captured;
 *   5. stocks += dt * (inflows - outflows), then non-negative stocks are
 *      clamped at zero and every stock is checked for NaN or infinity.
 * RK4 evaluates the rate program three more times per step, at t + dt/2
 * (twice) and t + dt, and combines the four net flows classically. Time is
 * always start + n * dt with an integer n: it never accumulates rounding.
 * The loop allocates nothing; all memory is sized before it starts.
 *
 * A run may carry several lanes (scenarios evaluated together, see
 * oc_run_create_lanes): every per-slot quantity is then stored lane by lane
 * (x[slot * lanes + lane]) and every loop below runs over stocks, then
 * lanes. One lane is the ordinary run, with the same layout as before.
 */
#include <math.h>
#include <string.h>

#include "model.h"

#define MAX_RESULT_VALUES ((size_t)1 << 28) /* 2 GiB of saved values */

struct oc_run {
    const oc_model *m;
    size_t lanes;
    oc_specs specs;
    uint64_t *seeds; /* per lane */

    double *v;             /* n_slots x lanes */
    double *ovr;           /* n_vars x lanes */
    unsigned char *has_ovr; /* n_vars x lanes */
    unsigned char *any_ovr; /* n_vars: some lane overrides this variable */

    int *sel; /* selected variable ids */
    uint32_t *sel_slot;
    size_t n_sel;

    double *results; /* saves x selected x lanes */
    size_t cap_results;
    size_t n_saves;
    size_t n_saved;

    double *s0, *k1, *k2, *k3, *k4; /* RK4 scratch: stocks x lanes */
    double *eff;                     /* effective outflows of non-negative stocks */
    double *pending;                 /* PREVIOUS captures: n_prev x lanes */
    double *acc;                     /* finiteness check, per lane */
    int *lane_status;                /* OC_OK or OC_ENUMERIC, per lane */
    double *lane_time;               /* when a lane failed */
    ocV_delaybuf *dbufs;
    double *dzero; /* one record of zeros per lane: every ring until sized */
    double *dhist;
    size_t cap_dhist;
    ocV_ctx ctx;
};

/* ------------------------------------------------------------------ */
/* Specs                                                               */
/* ------------------------------------------------------------------ */

static int steps_of(const oc_specs *s, size_t *steps, size_t *stride)
{
    double n = (s->stop - s->start) / s->dt;
    double k = s->save_step / s->dt;
    double kr = floor(k + 0.5);
    n = floor(n + 1e-9);
    if(n > (double)OC_MAX_STEPS)
        return OC_ELIMIT;
    if(kr < 1.0 || fabs(k - kr) > 1e-6 * kr)
        return OC_ESPECS;
    *steps = (size_t)n;
    *stride = (size_t)kr;
    return OC_OK;
}

int oc_specs_check(const oc_specs *s, oc_error *err)
{
    size_t steps, stride;
    int rc;
    if(!isfinite(s->start) || !isfinite(s->stop) || !isfinite(s->dt) || !isfinite(s->save_step))
        return ocE_set(err, OC_ESPECS, NULL, 0, 0, NULL,
                       "simulation specs must be finite numbers (start %g, stop %g, dt %g)",
                       s->start, s->stop, s->dt);
    if(!(s->dt > 0.0))
        return ocE_set(err, OC_ESPECS, NULL, 0, 0, NULL, "dt must be positive, not %g", s->dt);
    if(s->stop < s->start)
        return ocE_set(err, OC_ESPECS, NULL, 0, 0, NULL,
                       "stop time %g is before start time %g", s->stop, s->start);
    if(!(s->save_step > 0.0))
        return ocE_set(err, OC_ESPECS, NULL, 0, 0, NULL, "save step must be positive, not %g",
                       s->save_step);
    if(s->method != OC_EULER && s->method != OC_RK4)
        return ocE_set(err, OC_ESPECS, NULL, 0, 0, NULL, "unknown integration method");
    rc = steps_of(s, &steps, &stride);
    if(rc == OC_ELIMIT)
        return ocE_set(err, OC_ELIMIT, NULL, 0, 0, NULL,
                       "%g steps of dt %g from %g to %g: more than the limit of %d",
                       (s->stop - s->start) / s->dt, s->dt, s->start, s->stop, OC_MAX_STEPS);
    if(rc)
        return ocE_set(err, OC_ESPECS, NULL, 0, 0, NULL,
                       "save step %g is not a whole multiple of dt %g", s->save_step, s->dt);
    return OC_OK;
}

/* ------------------------------------------------------------------ */
/* Model queries                                                       */
/* ------------------------------------------------------------------ */

const char *oc_model_name(const oc_model *m)
{
    return m->name;
}

void oc_model_program_size(const oc_model *m, size_t *init_instructions,
                           size_t *rate_instructions, size_t *slots)
{
    if(init_instructions)
        *init_instructions = m->n_init_code;
    if(rate_instructions)
        *rate_instructions = m->n_rate_code;
    if(slots)
        *slots = m->n_slots;
}

const char *oc_model_time_units(const oc_model *m)
{
    return m->time_units;
}

void oc_model_specs(const oc_model *m, oc_specs *specs)
{
    *specs = m->specs;
}

size_t oc_model_var_count(const oc_model *m)
{
    return m->n_listed;
}

const char *oc_kind_name(oc_kind kind)
{
    switch(kind) {
    case OC_STOCK: return "stock";
    case OC_FLOW: return "flow";
    case OC_AUX: return "aux";
    case OC_GF: return "gf";
    default: return "?";
    }
}

static oc_kind public_kind(ocK_kind k)
{
    switch(k) {
    case OCK_STOCK: return OC_STOCK;
    case OCK_FLOW: return OC_FLOW;
    case OCK_GF: return OC_GF;
    default: return OC_AUX;
    }
}

int oc_model_var_info(const oc_model *m, size_t index, oc_var_info *info)
{
    const ocK_var *v;
    if(index >= m->n_listed)
        return OC_EARG;
    v = &m->vars[m->listed[index]];
    info->name = v->name;
    info->kind = public_kind(v->kind);
    info->units = v->units;
    info->doc = v->doc;
    info->equation = v->eqn ? v->eqn : "";
    info->line = v->line;
    info->is_constant = v->is_const && !v->structural;
    info->has_graph = v->table >= 0;
    info->non_negative = v->non_negative;
    info->used_by = v->used_by;
    info->has_range = v->has_range;
    info->range_min = v->has_range ? v->range_min : (double)NAN;
    info->range_max = v->has_range ? v->range_max : (double)NAN;
    return OC_OK;
}

/* The variable id for a user-typed name, or -1. */
static int find_var(const oc_model *m, const char *name)
{
    ocM_arena tmp;
    char *cn;
    int id;
    ocM_arena_init(&tmp);
    cn = ocN_canon(&tmp, name, strlen(name));
    id = cn ? ocN_map_get(&m->names, cn) : -1;
    ocM_arena_free(&tmp);
    if(id >= 0 && m->vars[id].listed < 0)
        id = -1;
    return id;
}

int oc_model_find(const oc_model *m, const char *name, size_t *index, oc_error *err)
{
    int id = find_var(m, name);
    if(id < 0)
        return ocE_set(err, OC_EUNKNOWN, m->file, 0, 0, name, "no variable of that name in the model");
    *index = (size_t)m->vars[id].listed;
    return OC_OK;
}

/* ------------------------------------------------------------------ */
/* Runs                                                                */
/* ------------------------------------------------------------------ */

int oc_run_create_lanes(const oc_model *m, size_t lanes, oc_run **out, oc_error *err)
{
    oc_run *r;
    size_t ns = (m->n_stocks + 1) * lanes;
    *out = NULL;
    if(lanes == 0 || lanes > OC_MAX_LANES)
        return ocE_set(err, OC_EARG, m->file, 0, 0, NULL, "lanes must be from 1 to %d, not %zu",
                       OC_MAX_LANES, lanes);
    r = ocM_calloc(1, sizeof(*r));
    if(!r)
        return ocE_set(err, OC_ENOMEM, m->file, 0, 0, NULL, "out of memory");
    r->m = m;
    r->lanes = lanes;
    r->specs = m->specs;
    r->seeds = ocM_calloc(lanes, sizeof(uint64_t));
    r->v = ocM_calloc((m->n_slots + 1) * lanes, sizeof(double));
    r->ovr = ocM_calloc((m->n_vars + 1) * lanes, sizeof(double));
    r->has_ovr = ocM_calloc((m->n_vars + 1) * lanes, 1);
    r->any_ovr = ocM_calloc(m->n_vars + 1, 1);
    r->eff = ocM_calloc((m->n_flow_slots + 1) * lanes, sizeof(double));
    r->pending = ocM_calloc((m->n_prev + 1) * lanes, sizeof(double));
    r->acc = ocM_calloc(lanes, sizeof(double));
    r->lane_status = ocM_calloc(lanes, sizeof(int));
    r->lane_time = ocM_calloc(lanes, sizeof(double));
    r->dbufs = ocM_calloc(m->n_delays + 1, sizeof(*r->dbufs));
    r->dzero = ocM_calloc(lanes, sizeof(double));
    r->s0 = ocM_calloc(ns, sizeof(double));
    r->k1 = ocM_calloc(ns, sizeof(double));
    r->k2 = ocM_calloc(ns, sizeof(double));
    r->k3 = ocM_calloc(ns, sizeof(double));
    r->k4 = ocM_calloc(ns, sizeof(double));
    if(!r->seeds || !r->v || !r->ovr || !r->has_ovr || !r->any_ovr || !r->eff || !r->pending ||
       !r->acc || !r->lane_status || !r->lane_time || !r->dbufs || !r->dzero || !r->s0 ||
       !r->k1 || !r->k2 || !r->k3 || !r->k4) {
        oc_run_free(r);
        return ocE_set(err, OC_ENOMEM, m->file, 0, 0, NULL, "out of memory");
    }
    if(oc_run_select(r, NULL, 0, err)) {
        oc_run_free(r);
        return OC_ENOMEM;
    }
    *out = r;
    return OC_OK;
}

int oc_run_create(const oc_model *m, oc_run **out, oc_error *err)
{
    return oc_run_create_lanes(m, 1, out, err);
}

size_t oc_run_lanes(const oc_run *r)
{
    return r->lanes;
}

void oc_run_free(oc_run *r)
{
    if(!r)
        return;
    ocM_free(r->seeds);
    ocM_free(r->v);
    ocM_free(r->ovr);
    ocM_free(r->has_ovr);
    ocM_free(r->any_ovr);
    ocM_free(r->sel);
    ocM_free(r->sel_slot);
    ocM_free(r->results);
    ocM_free(r->s0);
    ocM_free(r->k1);
    ocM_free(r->k2);
    ocM_free(r->k3);
    ocM_free(r->k4);
    ocM_free(r->eff);
    ocM_free(r->pending);
    ocM_free(r->acc);
    ocM_free(r->lane_status);
    ocM_free(r->lane_time);
    ocM_free(r->dbufs);
    ocM_free(r->dhist);
    ocM_free(r->dzero);
    ocM_free(r);
}

int oc_run_set_specs(oc_run *r, const oc_specs *specs, oc_error *err)
{
    int rc = oc_specs_check(specs, err);
    if(rc)
        return rc;
    r->specs = *specs;
    return OC_OK;
}

void oc_run_specs(const oc_run *r, oc_specs *specs)
{
    *specs = r->specs;
}

/* Checks that variable id may take value; lane is for messages only. */
static int check_value(const oc_run *r, int id, double value, oc_error *err)
{
    const ocK_var *v = &r->m->vars[id];
    if(!v->is_const || v->kind == OCK_GF)
        return ocE_set(err, OC_EARG, r->m->file, v->line, 0, v->name,
                       "not a constant (its equation changes during the run), so it cannot be set");
    if(v->structural)
        return ocE_set(err, OC_EARG, r->m->file, v->line, 0, v->name,
                       "fixes the order of a delay or smooth, so it can only be changed in the model");
    if(!isfinite(value))
        return ocE_set(err, OC_EARG, r->m->file, v->line, 0, v->name,
                       "value must be a finite number, not %g", value);
    return OC_OK;
}

static int set_value(oc_run *r, int id, double value, oc_error *err)
{
    size_t l, base = (size_t)id * r->lanes;
    int rc = check_value(r, id, value, err);
    if(rc)
        return rc;
    for(l = 0; l < r->lanes; l++) {
        r->ovr[base + l] = value;
        r->has_ovr[base + l] = 1;
    }
    r->any_ovr[id] = 1;
    return OC_OK;
}

int oc_run_set_value(oc_run *r, const char *name, double value, oc_error *err)
{
    int id = find_var(r->m, name);
    if(id < 0)
        return ocE_set(err, OC_EUNKNOWN, r->m->file, 0, 0, name,
                       "no variable of that name in the model");
    return set_value(r, id, value, err);
}

int oc_run_set_value_at(oc_run *r, size_t index, double value, oc_error *err)
{
    if(index >= r->m->n_listed)
        return ocE_set(err, OC_EARG, r->m->file, 0, 0, NULL, "variable index %zu out of range",
                       index);
    return set_value(r, r->m->listed[index], value, err);
}

int oc_run_set_lane_value_at(oc_run *r, size_t lane, size_t index, double value, oc_error *err)
{
    int id, rc;
    if(index >= r->m->n_listed || lane >= r->lanes)
        return ocE_set(err, OC_EARG, r->m->file, 0, 0, NULL,
                       "variable index %zu or lane %zu out of range", index, lane);
    id = r->m->listed[index];
    rc = check_value(r, id, value, err);
    if(rc)
        return rc;
    r->ovr[(size_t)id * r->lanes + lane] = value;
    r->has_ovr[(size_t)id * r->lanes + lane] = 1;
    r->any_ovr[id] = 1;
    return OC_OK;
}

void oc_run_clear_values(oc_run *r)
{
    memset(r->has_ovr, 0, (r->m->n_vars + 1) * r->lanes);
    memset(r->any_ovr, 0, r->m->n_vars + 1);
}

void oc_run_set_seed(oc_run *r, uint64_t seed)
{
    size_t l;
    for(l = 0; l < r->lanes; l++)
        r->seeds[l] = seed;
}

void oc_run_set_lane_seed(oc_run *r, size_t lane, uint64_t seed)
{
    if(lane < r->lanes)
        r->seeds[lane] = seed;
}

int oc_run_select(oc_run *r, const size_t *indices, size_t n, oc_error *err)
{
    const oc_model *m = r->m;
    size_t i, count = 0;
    int *sel;
    uint32_t *slots;
    if(n == 0) {
        for(i = 0; i < m->n_listed; i++)
            if(m->vars[m->listed[i]].kind != OCK_GF)
                count++;
    }
    else
        count = n;
    sel = ocM_calloc(count + 1, sizeof(int));
    slots = ocM_calloc(count + 1, sizeof(uint32_t));
    if(!sel || !slots) {
        ocM_free(sel);
        ocM_free(slots);
        return ocE_set(err, OC_ENOMEM, m->file, 0, 0, NULL, "out of memory");
    }
    if(n == 0) {
        size_t j = 0;
        for(i = 0; i < m->n_listed; i++)
            if(m->vars[m->listed[i]].kind != OCK_GF)
                sel[j++] = m->listed[i];
    }
    else {
        for(i = 0; i < n; i++) {
            const ocK_var *v;
            if(indices[i] >= m->n_listed) {
                ocM_free(sel);
                ocM_free(slots);
                return ocE_set(err, OC_EARG, m->file, 0, 0, NULL,
                               "variable index %zu out of range", indices[i]);
            }
            v = &m->vars[m->listed[indices[i]]];
            if(v->kind == OCK_GF) {
                ocM_free(sel);
                ocM_free(slots);
                return ocE_set(err, OC_EARG, m->file, v->line, 0, v->name,
                               "a graphical function has no value of its own to save");
            }
            sel[i] = m->listed[indices[i]];
        }
    }
    for(i = 0; i < count; i++)
        slots[i] = m->vars[sel[i]].slot;
    ocM_free(r->sel);
    ocM_free(r->sel_slot);
    r->sel = sel;
    r->sel_slot = slots;
    r->n_sel = count;
    r->n_saves = 0;
    r->n_saved = 0;
    return OC_OK;
}

size_t oc_run_save_count(const oc_run *r)
{
    return r->n_saved;
}

size_t oc_run_selected_count(const oc_run *r)
{
    return r->n_sel;
}

size_t oc_run_selected_index(const oc_run *r, size_t j)
{
    return j < r->n_sel ? (size_t)r->m->vars[r->sel[j]].listed : 0;
}

double oc_run_time(const oc_run *r, size_t save)
{
    size_t steps = 0, stride = 1;
    if(steps_of(&r->specs, &steps, &stride))
        stride = 1;
    return r->specs.start + (double)(save * stride) * r->specs.dt;
}

double oc_run_lane_value(const oc_run *r, size_t lane, size_t save, size_t j)
{
    if(save >= r->n_saved || j >= r->n_sel || lane >= r->lanes)
        return (double)NAN;
    return r->results[(save * r->n_sel + j) * r->lanes + lane];
}

double oc_run_value(const oc_run *r, size_t save, size_t j)
{
    return oc_run_lane_value(r, 0, save, j);
}

void oc_run_lane_series(const oc_run *r, size_t lane, size_t j, double *out)
{
    size_t i, stride = r->n_sel * r->lanes;
    const double *p;
    if(j >= r->n_sel || lane >= r->lanes)
        return;
    p = r->results + j * r->lanes + lane;
    for(i = 0; i < r->n_saved; i++)
        out[i] = p[i * stride];
}

void oc_run_lanes_series(const oc_run *r, size_t lane0, size_t n, size_t j, double *out,
                         size_t stride)
{
    size_t i, k, step = r->n_sel * r->lanes;
    const double *p;
    if(j >= r->n_sel || lane0 >= r->lanes || n > r->lanes - lane0)
        return;
    p = r->results + j * r->lanes + lane0;
    for(i = 0; i < r->n_saved; i++, p += step)
        for(k = 0; k < n; k++)
            out[k * stride + i] = p[k];
}

const double *oc_run_row(const oc_run *r, size_t save)
{
    if(save >= r->n_saved || r->lanes != 1)
        return NULL;
    return r->results + save * r->n_sel;
}

int oc_run_lane_status(const oc_run *r, size_t lane, double *time)
{
    if(lane >= r->lanes)
        return OC_EARG;
    if(time)
        *time = r->lane_time[lane];
    return r->lane_status[lane];
}

/* ------------------------------------------------------------------ */
/* The integrators                                                     */
/* ------------------------------------------------------------------ */

/* Cuts back the outflows of non-negative stocks so that, served in listed
 * order, they take no more than the stock holds plus its inflows this step.
 * A flow draining only this stock is itself reduced (so it is reported and
 * delivered downstream as reduced); a flow draining several stocks keeps
 * its value and the cut applies to this stock alone (eff). */
OC_ALWAYS_INLINE static inline void cut_outflows_l(oc_run *r, const size_t L)
{
    const oc_model *m = r->m;
    double *v = r->v, dt = r->specs.dt;
    double avail[OC_MAX_LANES];
    size_t i, k, l;
    for(i = 0; i < m->n_stocks; i++) {
        const ocK_stock *s = &m->stocks[i];
        const uint32_t *f = m->flow_slots + s->first;
        if(!s->non_negative)
            continue;
        /* lanes innermost and no branches, so the loops vectorise; each
         * lane does the same arithmetic in the same order as a single run */
        for(l = 0; l < L; l++)
            avail[l] = v[(size_t)s->slot * L + l];
        for(k = 0; k < s->n_in; k++) {
            const double *fv = v + (size_t)f[k] * L;
            for(l = 0; l < L; l++)
                avail[l] += dt * fv[l];
        }
        for(k = s->n_in; k < s->n_in + s->n_out; k++) {
            double *fv = v + (size_t)f[k] * L, *ev = r->eff + (s->first + k) * L;
            int exclusive = m->flow_exclusive[s->first + k];
            for(l = 0; l < L; l++) {
                double flow = fv[l], a = avail[l], rate = a / dt;
                double most = a > 0.0 ? rate : 0.0;
                double cut = flow > most ? most : flow;
                cut = flow > 0.0 ? cut : flow;
                avail[l] = flow > 0.0 ? a - cut * dt : a;
                ev[l] = cut;
                fv[l] = exclusive ? cut : flow; /* a store either way: no branch */
            }
        }
    }
}

OC_LANE_CLONES
static void cut_outflows_many(oc_run *r)
{
    cut_outflows_l(r, r->lanes);
}

static void cut_outflows(oc_run *r)
{
    if(r->lanes == 1)
        cut_outflows_l(r, 1);
    else
        cut_outflows_many(r);
}

/* Net flow of every stock and lane into k (stocks x lanes). Written once
 * for any lane count L; the wrappers below call it with L a constant 1 or
 * the run's lanes, so the one-lane case compiles to plain scalar code. */
OC_ALWAYS_INLINE static inline void net_flows_l(const oc_run *r, double *k, const size_t L)
{
    const oc_model *m = r->m;
    const double *v = r->v;
    size_t i, j, l;
    for(i = 0; i < m->n_stocks; i++) {
        const ocK_stock *s = &m->stocks[i];
        const uint32_t *f = m->flow_slots + s->first;
        double *ki = k + i * L;
        for(l = 0; l < L; l++)
            ki[l] = 0.0;
        for(j = 0; j < s->n_in; j++) {
            const double *fv = v + (size_t)f[j] * L;
            for(l = 0; l < L; l++)
                ki[l] += fv[l];
        }
        for(j = s->n_in; j < s->n_in + s->n_out; j++) {
            const double *fv = s->non_negative ? r->eff + (s->first + j) * L : v + (size_t)f[j] * L;
            for(l = 0; l < L; l++)
                ki[l] -= fv[l];
        }
    }
}

OC_LANE_CLONES
static void net_flows_many(const oc_run *r, double *k)
{
    net_flows_l(r, k, r->lanes);
}

static void net_flows(const oc_run *r, double *k)
{
    if(r->lanes == 1)
        net_flows_l(r, k, 1);
    else
        net_flows_many(r, k);
}

/* stock = base + h * k, clamped at zero for non-negative stocks. */
OC_ALWAYS_INLINE static inline void set_stocks_l(oc_run *r, const double *base, double h,
                                                 const double *k, const size_t L)
{
    const oc_model *m = r->m;
    size_t i, l;
    for(i = 0; i < m->n_stocks; i++) {
        double *sv = r->v + (size_t)m->stocks[i].slot * L;
        const double *b = base ? base + i * L : sv;
        const double *ki = k + i * L;
        for(l = 0; l < L; l++)
            sv[l] = b[l] + h * ki[l];
        if(m->stocks[i].non_negative)
            for(l = 0; l < L; l++)
                sv[l] = sv[l] < 0.0 ? 0.0 : sv[l];
    }
}

OC_LANE_CLONES
static void set_stocks_many(oc_run *r, const double *base, double h, const double *k)
{
    set_stocks_l(r, base, h, k, r->lanes);
}

static void set_stocks(oc_run *r, const double *base, double h, const double *k)
{
    if(r->lanes == 1)
        set_stocks_l(r, base, h, k, 1);
    else
        set_stocks_many(r, base, h, k);
}

static void euler_update(oc_run *r)
{
    const oc_model *m = r->m;
    double *v = r->v, dt = r->specs.dt;
    size_t i, j;
    if(m->has_non_negative || r->lanes > 1) {
        net_flows(r, r->k1);
        set_stocks(r, NULL, dt, r->k1);
        return;
    }
    /* one lane, no non-negative stock: the common case in one pass */
    for(i = 0; i < m->n_stocks; i++) {
        const ocK_stock *s = &m->stocks[i];
        const uint32_t *f = m->flow_slots + s->first;
        double net = 0.0;
        for(j = 0; j < s->n_in; j++)
            net += v[f[j]];
        for(j = s->n_in; j < s->n_in + s->n_out; j++)
            net -= v[f[j]];
        v[s->slot] += dt * net;
    }
}

static void set_time(oc_run *r, double t)
{
    size_t l;
    double *tv = r->v + (size_t)OCV_SLOT_TIME * r->lanes;
    for(l = 0; l < r->lanes; l++)
        tv[l] = t;
}

static void eval_rates(oc_run *r)
{
    ocV_exec(r->m->rate_code, r->m->n_rate_code, &r->ctx);
    if(r->m->has_non_negative)
        cut_outflows(r);
}

static void rk4_update(oc_run *r, double t)
{
    const oc_model *m = r->m;
    const size_t L = r->lanes;
    double dt = r->specs.dt;
    size_t i, n = m->n_stocks;
    for(i = 0; i < n; i++)
        memcpy(r->s0 + i * L, r->v + (size_t)m->stocks[i].slot * L, L * sizeof(double));
    net_flows(r, r->k1);

    set_stocks(r, r->s0, 0.5 * dt, r->k1);
    set_time(r, t + 0.5 * dt);
    eval_rates(r);
    net_flows(r, r->k2);

    set_stocks(r, r->s0, 0.5 * dt, r->k2);
    eval_rates(r);
    net_flows(r, r->k3);

    set_stocks(r, r->s0, dt, r->k3);
    set_time(r, t + dt);
    eval_rates(r);
    net_flows(r, r->k4);

    /* k1 <- the classical combination, then stock = s0 + dt/6 * k1 */
    for(i = 0; i < n * L; i++)
        r->k1[i] = r->k1[i] + 2.0 * r->k2[i] + 2.0 * r->k3[i] + r->k4[i];
    set_stocks(r, r->s0, dt / 6.0, r->k1);
}

/* Names the first stock that is not finite in lane 0, and the first
 * auxiliary or flow that was not finite in the step before (its likely
 * origin). For one-lane runs. */
static int numeric_error(const oc_run *r, double t, oc_error *err)
{
    const oc_model *m = r->m;
    const double *v = r->v;
    size_t i;
    int bad = -1, origin = -1;
    for(i = 0; i < m->n_stocks && bad < 0; i++)
        if(!isfinite(v[m->stocks[i].slot]))
            bad = m->stocks[i].var;
    for(i = 0; i < m->n_rate_vars && origin < 0; i++)
        if(!isfinite(v[m->vars[m->rate_vars[i]].slot]))
            origin = m->rate_vars[i];
    if(bad < 0)
        return OC_OK;
    {
        const ocK_var *b = &m->vars[bad], *o = origin >= 0 ? &m->vars[origin] : NULL;
        const ocK_var *bu = b, *ou = o;
        while(bu->hidden && bu->owner >= 0)
            bu = &m->vars[bu->owner];
        while(ou && ou->hidden && ou->owner >= 0)
            ou = &m->vars[ou->owner];
        ocE_set(err, OC_ENUMERIC, m->file, bu->line, 0, bu->name,
                "became %s at time %g%s%s%s", isnan(v[b->slot]) ? "NaN" : "infinite", t,
                ou ? " (first non-finite value in the step before: '" : "", ou ? ou->name : "",
                ou ? "')" : "");
        if(err)
            err->time = t;
    }
    return OC_ENUMERIC;
}

/* Marks lanes whose stocks are not all finite at time t. Returns the number
 * of lanes newly marked. One multiply-add per stock and lane: NaN or
 * infinity poisons the sum. */
OC_ALWAYS_INLINE static inline size_t check_lanes_l(oc_run *r, double t, const size_t L)
{
    const oc_model *m = r->m;
    size_t i, l, bad = 0;
    for(l = 0; l < L; l++)
        r->acc[l] = 0.0;
    for(i = 0; i < m->n_stocks; i++) {
        const double *sv = r->v + (size_t)m->stocks[i].slot * L;
        for(l = 0; l < L; l++)
            r->acc[l] += sv[l] * 0.0;
    }
    for(l = 0; l < L; l++)
        if(r->acc[l] != 0.0 && r->lane_status[l] == OC_OK) {
            r->lane_status[l] = OC_ENUMERIC;
            r->lane_time[l] = t;
            bad++;
        }
    return bad;
}

OC_LANE_CLONES
static size_t check_lanes_many(oc_run *r, double t)
{
    return check_lanes_l(r, t, r->lanes);
}

static size_t check_lanes(oc_run *r, double t)
{
    return r->lanes == 1 ? check_lanes_l(r, t, 1) : check_lanes_many(r, t);
}

static int prepare_delays(oc_run *r, size_t steps, oc_error *err)
{
    const oc_model *m = r->m;
    const size_t L = r->lanes;
    size_t i, l, total = 0, off = 0;
    double dt = r->specs.dt;
    for(i = 0; i < m->n_delays; i++) {
        size_t cap = steps + 1;
        if(m->delays[i].fixed_length) {
            double most = 0.0;
            int ok = 1;
            for(l = 0; l < L; l++) {
                double d = r->v[(size_t)m->delays[i].delay_time * L + l] / dt;
                if(!isfinite(d) || d < 0.0)
                    ok = 0;
                else if(d > most)
                    most = d;
            }
            if(ok && most + 3.0 < (double)cap)
                cap = (size_t)ceil(most) + 3;
        }
        r->dbufs[i].cap = cap;
        r->dbufs[i].count = r->dbufs[i].head = 0;
        total += cap;
    }
    if(total > (size_t)-1 / sizeof(double) / L)
        return ocE_set(err, OC_ENOMEM, m->file, 0, 0, NULL, "out of memory for delay history");
    if(total * L > r->cap_dhist) {
        double *h = ocM_realloc(r->dhist, total * L * sizeof(double));
        if(!h)
            return ocE_set(err, OC_ENOMEM, m->file, 0, 0, NULL, "out of memory for delay history");
        r->dhist = h;
        r->cap_dhist = total * L;
    }
    for(i = 0; i < m->n_delays; i++) {
        r->dbufs[i].hist = r->dhist + off * L;
        off += r->dbufs[i].cap;
    }
    return OC_OK;
}

/* The initial values, in dependency order; overrides replace equations. */
static void initial_pass(oc_run *r)
{
    const oc_model *m = r->m;
    const size_t L = r->lanes;
    size_t i, l;
    for(i = 0; i < m->n_init_ranges; i++) {
        const ocK_range *rg = &m->init_ranges[i];
        const size_t id = (size_t)rg->var;
        ocV_exec(m->init_code + rg->start, rg->end - rg->start, &r->ctx);
        if(r->any_ovr[id]) {
            double *sv = r->v + (size_t)m->vars[id].slot * L;
            for(l = 0; l < L; l++)
                if(r->has_ovr[id * L + l])
                    sv[l] = r->ovr[id * L + l];
        }
    }
}

int oc_run_simulate(oc_run *r, oc_error *err)
{
    const oc_model *m = r->m;
    const size_t L = r->lanes;
    double *v = r->v;
    size_t steps = 0, stride = 1, n, i, j, l;
    int rc;

    rc = oc_specs_check(&r->specs, err);
    if(rc)
        return rc;
    steps_of(&r->specs, &steps, &stride);
    r->n_saves = steps / stride + 1;
    r->n_saved = 0;
    if(r->n_sel && r->n_saves > MAX_RESULT_VALUES / r->n_sel / L)
        return ocE_set(err, OC_ELIMIT, m->file, 0, 0, NULL,
                       "saving %zu variables at %zu points needs more than %zu values; save fewer "
                       "variables or use a larger save step",
                       r->n_sel, r->n_saves, MAX_RESULT_VALUES);
    if(r->n_saves * r->n_sel * L > r->cap_results) {
        size_t want = r->n_saves * r->n_sel * L;
        double *res = ocM_realloc(r->results, want * sizeof(double));
        if(!res)
            return ocE_set(err, OC_ENOMEM, m->file, 0, 0, NULL, "out of memory for results");
        r->results = res;
        r->cap_results = want;
    }

    for(i = 0; i < m->n_slots; i++) {
        double x = m->slot_init[i], *sv = v + i * L;
        for(l = 0; l < L; l++)
            sv[l] = x;
    }
    for(l = 0; l < L; l++) {
        v[OCV_SLOT_TIME * L + l] = r->specs.start;
        v[OCV_SLOT_DT * L + l] = r->specs.dt;
        v[OCV_SLOT_START * L + l] = r->specs.start;
        v[OCV_SLOT_STOP * L + l] = r->specs.stop;
        v[OCV_SLOT_SAVE * L + l] = r->specs.save_step;
        r->lane_status[l] = OC_OK;
        r->lane_time[l] = 0.0;
    }
    r->ctx.v = v;
    r->ctx.lanes = L;
    r->ctx.tables = m->tables;
    r->ctx.randoms = m->randoms;
    r->ctx.delaybufs = r->dbufs;
    r->ctx.seeds = r->seeds;
    r->ctx.step = 0;
    for(i = 0; i < m->n_delays; i++) { /* empty; the initial pass reads no history */
        r->dbufs[i].hist = r->dzero;
        r->dbufs[i].cap = 1;
        r->dbufs[i].count = r->dbufs[i].head = 0;
    }

    initial_pass(r);
    if(check_lanes(r, r->specs.start) && L == 1)
        return numeric_error(r, r->specs.start, err);
    rc = prepare_delays(r, steps, err);
    if(rc)
        return rc;

    for(n = 0;; n++) {
        double t = r->specs.start + (double)n * r->specs.dt;
        set_time(r, t);
        r->ctx.step = n;
        if(n > 0)
            ocV_exec(m->rate_code, m->n_rate_code, &r->ctx);
        if(m->has_non_negative)
            cut_outflows(r);
        if(n % stride == 0) {
            double *row = r->results + r->n_saved * r->n_sel * L;
            for(j = 0; j < r->n_sel; j++)
                memcpy(row + j * L, v + (size_t)r->sel_slot[j] * L, L * sizeof(double));
            r->n_saved++;
        }
        for(i = 0; i < m->n_delays; i++) {
            ocV_delaybuf *b = &r->dbufs[i];
            b->head = b->count == 0 || b->head + 1 == b->cap ? 0 : b->head + 1;
            memcpy(b->hist + b->head * L, v + (size_t)m->delays[i].input * L, L * sizeof(double));
            b->count++;
        }
        for(i = 0; i < m->n_prev; i++)
            memcpy(r->pending + i * L, v + (size_t)m->prev_src[i] * L, L * sizeof(double));
        if(n >= steps)
            break;
        if(r->specs.method == OC_RK4)
            rk4_update(r, t);
        else
            euler_update(r);
        for(i = 0; i < m->n_prev; i++)
            memcpy(v + (size_t)m->prev_dst[i] * L, r->pending + i * L, L * sizeof(double));
        if(check_lanes(r, r->specs.start + (double)(n + 1) * r->specs.dt) && L == 1) {
            set_time(r, t);
            return numeric_error(r, r->specs.start + (double)(n + 1) * r->specs.dt, err);
        }
    }
    return OC_OK;
}
