/*
 * vm.c - the evaluator of flat programs.
 *
 * A program is an array of register instructions d = op(a, b) over one array
 * of doubles (the run's values: clock, variables, literals, temporaries).
 * Instructions that need a third or fourth operand take them from the next
 * instruction (OCV_EXT). There is no stack, no allocation and no branch
 * except the dispatch: IF THEN ELSE evaluates both branches and selects,
 * which is safe because no expression has side effects (random draws are
 * pure functions of their keys, delays read history).
 */
#include <math.h>

#include "oc_int.h"

double ocV_lookup(const ocV_table *t, double x)
{
    const double *xs = t->x, *ys = t->y;
    size_t n = t->n, lo, hi;
    if(x != x)
        return x; /* NaN stays NaN */
    if(n == 1)
        return ys[0];
    if(x <= xs[0]) {
        if(t->type == OCI_GF_EXTRAPOLATE && x < xs[0])
            return ys[0] + (x - xs[0]) * (ys[1] - ys[0]) / (xs[1] - xs[0]);
        return ys[0];
    }
    if(x >= xs[n - 1]) {
        if(t->type == OCI_GF_EXTRAPOLATE && x > xs[n - 1])
            return ys[n - 1] + (x - xs[n - 1]) * (ys[n - 1] - ys[n - 2]) / (xs[n - 1] - xs[n - 2]);
        return ys[n - 1];
    }
    /* find lo with xs[lo] <= x < xs[lo + 1] */
    lo = 0;
    hi = n - 1;
    while(hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if(xs[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    if(t->type == OCI_GF_DISCRETE)
        return ys[lo];
    return ys[lo] + (x - xs[lo]) * (ys[hi] - ys[lo]) / (xs[hi] - xs[lo]);
}

/* The recorded input delay_steps steps before now, interpolating between
 * recorded steps; before the first record, or before the history reaches
 * back far enough, the initial value. now_steps is the current time in
 * steps since the start (fractional in RK4 stages). */
static double delay_value(const ocV_delaybuf *b, double now_steps, double delay_steps, double init)
{
    double x = now_steps - delay_steps, r, f, y0, y1;
    size_t i0, oldest;
    if(b->count == 0 || x < -1e-9 || x != x)
        return init;
    if(x > (double)(b->count - 1))
        x = (double)(b->count - 1); /* a delay shorter than one step */
    r = floor(x + 0.5);
    if(fabs(x - r) < 1e-9)
        x = r;
    if(x < 0.0)
        x = 0.0;
    i0 = (size_t)floor(x);
    f = x - (double)i0;
    oldest = b->count > b->cap ? b->count - b->cap : 0;
    if(i0 < oldest) {
        i0 = oldest;
        f = 0.0;
    }
    y0 = b->hist[i0 % b->cap];
    if(f == 0.0 || i0 + 1 >= b->count)
        return y0;
    y1 = b->hist[(i0 + 1) % b->cap];
    return y0 + f * (y1 - y0);
}

static double draw(const ocV_random *r, const double *v, uint64_t run_seed, uint64_t step)
{
    int has_seed = 0;
    uint64_t seed = run_seed;
    double p0 = v[r->args[0]], p1 = r->nargs > 1 ? v[r->args[1]] : 0.0, u;
    switch(r->kind) {
    case OCB_RANDOM:
    case OCB_NORMAL:
    case OCB_LOGNORMAL:
        has_seed = r->nargs > 2;
        if(has_seed)
            seed = (uint64_t)(int64_t)v[r->args[2]] ^ 0x5EED5EED5EED5EEDULL;
        break;
    default:
        has_seed = r->nargs > 1;
        if(has_seed)
            seed = (uint64_t)(int64_t)v[r->args[1]] ^ 0x5EED5EED5EED5EEDULL;
        break;
    }
    switch(r->kind) {
    case OCB_RANDOM:
        u = ocR_uniform(seed, r->site, step, 0);
        return p0 + (p1 - p0) * u;
    case OCB_NORMAL:
        return p0 + p1 * ocR_normal(seed, r->site, step);
    case OCB_EXPRND:
        u = ocR_uniform(seed, r->site, step, 0);
        return -p0 * log(u);
    case OCB_LOGNORMAL: {
        /* p0, p1: mean and standard deviation of the distribution itself */
        double s2, mu;
        if(!(p0 > 0.0))
            return 0.0;
        s2 = log(1.0 + (p1 * p1) / (p0 * p0));
        mu = log(p0) - 0.5 * s2;
        return exp(mu + sqrt(s2) * ocR_normal(seed, r->site, step));
    }
    case OCB_POISSON:
        return ocR_poisson(seed, r->site, step, p0);
    default:
        return 0.0;
    }
}

void ocV_exec(const ocV_ins *code, size_t n, ocV_ctx *ctx)
{
    double *v = ctx->v;
    const ocV_ins *ip = code, *end = code + n;
    while(ip < end) {
        const ocV_ins *e = ip + 1; /* the extension, for the ops that have one */
        switch(ip->op) {
        case OCV_MOV: v[ip->d] = v[ip->a]; break;
        case OCV_ADD: v[ip->d] = v[ip->a] + v[ip->b]; break;
        case OCV_SUB: v[ip->d] = v[ip->a] - v[ip->b]; break;
        case OCV_MUL: v[ip->d] = v[ip->a] * v[ip->b]; break;
        case OCV_DIV: v[ip->d] = v[ip->a] / v[ip->b]; break;
        case OCV_POW: v[ip->d] = pow(v[ip->a], v[ip->b]); break;
        case OCV_MOD: {
            double a = v[ip->a], b = v[ip->b];
            v[ip->d] = a - b * floor(a / b); /* floored: the sign of the divisor */
            break;
        }
        case OCV_NEG: v[ip->d] = -v[ip->a]; break;
        case OCV_NOT: v[ip->d] = v[ip->a] == 0.0; break;
        case OCV_LT: v[ip->d] = v[ip->a] < v[ip->b]; break;
        case OCV_LE: v[ip->d] = v[ip->a] <= v[ip->b]; break;
        case OCV_GT: v[ip->d] = v[ip->a] > v[ip->b]; break;
        case OCV_GE: v[ip->d] = v[ip->a] >= v[ip->b]; break;
        case OCV_EQ: v[ip->d] = v[ip->a] == v[ip->b]; break;
        case OCV_NE: v[ip->d] = v[ip->a] != v[ip->b]; break;
        case OCV_AND: v[ip->d] = (v[ip->a] != 0.0) & (v[ip->b] != 0.0); break;
        case OCV_OR: v[ip->d] = (v[ip->a] != 0.0) | (v[ip->b] != 0.0); break;
        case OCV_SELECT:
            v[ip->d] = v[ip->a] != 0.0 ? v[e->a] : v[e->b];
            ip++;
            break;
        case OCV_ABS: v[ip->d] = fabs(v[ip->a]); break;
        case OCV_EXP: v[ip->d] = exp(v[ip->a]); break;
        case OCV_LN: v[ip->d] = log(v[ip->a]); break;
        case OCV_LOG10: v[ip->d] = log10(v[ip->a]); break;
        case OCV_SQRT: v[ip->d] = sqrt(v[ip->a]); break;
        case OCV_INT: v[ip->d] = floor(v[ip->a]); break;
        case OCV_SIN: v[ip->d] = sin(v[ip->a]); break;
        case OCV_COS: v[ip->d] = cos(v[ip->a]); break;
        case OCV_TAN: v[ip->d] = tan(v[ip->a]); break;
        case OCV_ASIN: v[ip->d] = asin(v[ip->a]); break;
        case OCV_ACOS: v[ip->d] = acos(v[ip->a]); break;
        case OCV_ATAN: v[ip->d] = atan(v[ip->a]); break;
        case OCV_MIN: {
            double a = v[ip->a], b = v[ip->b];
            v[ip->d] = b < a ? b : a;
            break;
        }
        case OCV_MAX: {
            double a = v[ip->a], b = v[ip->b];
            v[ip->d] = b > a ? b : a;
            break;
        }
        case OCV_ROUND: v[ip->d] = round(v[ip->a]); break;
        case OCV_SIGN: {
            double a = v[ip->a];
            v[ip->d] = (double)((a > 0.0) - (a < 0.0));
            break;
        }
        case OCV_SAFEDIV: {
            double b = v[ip->b];
            v[ip->d] = b != 0.0 ? v[ip->a] / b : v[e->a];
            ip++;
            break;
        }
        case OCV_STEP: {
            double t = v[OCV_SLOT_TIME], eps = v[OCV_SLOT_DT] * 1e-6;
            v[ip->d] = t + eps >= v[ip->b] ? v[ip->a] : 0.0;
            break;
        }
        case OCV_PULSE: {
            double t = v[OCV_SLOT_TIME], dt = v[OCV_SLOT_DT], eps = dt * 1e-6;
            double first = v[ip->b], interval = v[e->a], r = 0.0;
            if(t + eps >= first) {
                double since = t - first;
                if(interval > 0.0)
                    since -= interval * floor((since + eps) / interval);
                if(since < dt - eps)
                    r = v[ip->a] / dt;
            }
            v[ip->d] = r;
            ip++;
            break;
        }
        case OCV_RAMP: {
            double t = v[OCV_SLOT_TIME], start = v[ip->b], stop = v[e->a];
            double until = t < stop ? t : stop;
            v[ip->d] = t > start ? v[ip->a] * (until - start) : 0.0;
            ip++;
            break;
        }
        case OCV_LOOKUP: v[ip->d] = ocV_lookup(&ctx->tables[ip->b], v[ip->a]); break;
        case OCV_RANDOM:
            v[ip->d] = draw(&ctx->randoms[ip->b], v, ctx->seed, ctx->step);
            break;
        case OCV_DELAY: {
            double dt = v[OCV_SLOT_DT];
            double now = (v[OCV_SLOT_TIME] - v[OCV_SLOT_START]) / dt;
            v[ip->d] = delay_value(&ctx->delaybufs[ip->b], now, v[ip->a] / dt, v[e->a]);
            ip++;
            break;
        }
        case OCV_SUBDIV:
            v[ip->d] = (v[ip->a] - v[ip->b]) / v[e->a];
            ip++;
            break;
        case OCV_MULADD:
            v[ip->d] = v[ip->a] * v[ip->b] + v[e->a];
            ip++;
            break;
        default: break; /* OCV_EXT is always skipped by its owner */
        }
        ip++;
    }
}

double ocV_delay_read(const ocV_delaybuf *b, double delay_steps)
{
    return delay_value(b, (double)b->count, delay_steps, b->init);
}
