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
    size_t n = t->n, lo;
    if(x != x)
        return x; /* NaN stays NaN */
    if(n == 1)
        return ys[0];
    if(x <= xs[0]) {
        if(t->type == OCI_GF_EXTRAPOLATE && x < xs[0])
            return ys[0] + (x - xs[0]) * t->slope[0];
        return ys[0];
    }
    if(x >= xs[n - 1]) {
        if(t->type == OCI_GF_EXTRAPOLATE && x > xs[n - 1])
            return ys[n - 1] + (x - xs[n - 1]) * t->slope[n - 2];
        return ys[n - 1];
    }
    /* find lo with xs[lo] <= x < xs[lo + 1] */
    if(t->uniform) {
        lo = (size_t)((x - t->x0) * t->inv_step);
        if(lo > n - 2)
            lo = n - 2;
        /* one correction either way absorbs the rounding of the division */
        if(lo > 0 && x < xs[lo])
            lo--;
        else if(lo < n - 2 && x >= xs[lo + 1])
            lo++;
    }
    else {
        size_t hi = n - 1;
        lo = 0;
        while(hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if(xs[mid] <= x)
                lo = mid;
            else
                hi = mid;
        }
    }
    if(t->type == OCI_GF_DISCRETE)
        return ys[lo];
    return ys[lo] + (x - xs[lo]) * t->slope[lo];
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

/* Every operation once, as (NAME, body). A body reads operands through ip
 * and may consume its extension with ip++. The list drives both
 * dispatchers below, so there is one definition of each operation. */
#define OCV_OPS(X)                                                                                 \
    X(MOV, v[ip->d] = v[ip->a];)                                                                   \
    X(ADD, v[ip->d] = v[ip->a] + v[ip->b];)                                                        \
    X(SUB, v[ip->d] = v[ip->a] - v[ip->b];)                                                        \
    X(MUL, v[ip->d] = v[ip->a] * v[ip->b];)                                                        \
    X(DIV, v[ip->d] = v[ip->a] / v[ip->b];)                                                        \
    X(POW, v[ip->d] = pow(v[ip->a], v[ip->b]);)                                                    \
    X(MOD, double a = v[ip->a]; double b = v[ip->b];                                               \
      v[ip->d] = a - b * floor(a / b); /* floored: the sign of the divisor */)                     \
    X(NEG, v[ip->d] = -v[ip->a];)                                                                  \
    X(NOT, v[ip->d] = v[ip->a] == 0.0;)                                                            \
    X(LT, v[ip->d] = v[ip->a] < v[ip->b];)                                                         \
    X(LE, v[ip->d] = v[ip->a] <= v[ip->b];)                                                        \
    X(GT, v[ip->d] = v[ip->a] > v[ip->b];)                                                         \
    X(GE, v[ip->d] = v[ip->a] >= v[ip->b];)                                                        \
    X(EQ, v[ip->d] = v[ip->a] == v[ip->b];)                                                        \
    X(NE, v[ip->d] = v[ip->a] != v[ip->b];)                                                        \
    X(AND, v[ip->d] = (v[ip->a] != 0.0) & (v[ip->b] != 0.0);)                                      \
    X(OR, v[ip->d] = (v[ip->a] != 0.0) | (v[ip->b] != 0.0);)                                       \
    X(SELECT, v[ip->d] = v[ip->a] != 0.0 ? v[ip[1].a] : v[ip[1].b]; ip++;)                         \
    X(ABS, v[ip->d] = fabs(v[ip->a]);)                                                             \
    X(EXP, v[ip->d] = exp(v[ip->a]);)                                                              \
    X(LN, v[ip->d] = log(v[ip->a]);)                                                               \
    X(LOG10, v[ip->d] = log10(v[ip->a]);)                                                          \
    X(SQRT, v[ip->d] = sqrt(v[ip->a]);)                                                            \
    X(INT, v[ip->d] = floor(v[ip->a]);)                                                            \
    X(SIN, v[ip->d] = sin(v[ip->a]);)                                                              \
    X(COS, v[ip->d] = cos(v[ip->a]);)                                                              \
    X(TAN, v[ip->d] = tan(v[ip->a]);)                                                              \
    X(ASIN, v[ip->d] = asin(v[ip->a]);)                                                            \
    X(ACOS, v[ip->d] = acos(v[ip->a]);)                                                            \
    X(ATAN, v[ip->d] = atan(v[ip->a]);)                                                            \
    X(MIN, double a = v[ip->a]; double b = v[ip->b]; v[ip->d] = b < a ? b : a;)                    \
    X(MAX, double a = v[ip->a]; double b = v[ip->b]; v[ip->d] = b > a ? b : a;)                    \
    X(ROUND, v[ip->d] = round(v[ip->a]);)                                                          \
    X(SIGN, double a = v[ip->a]; v[ip->d] = (double)((a > 0.0) - (a < 0.0));)                      \
    X(SAFEDIV, double b = v[ip->b]; v[ip->d] = b != 0.0 ? v[ip->a] / b : v[ip[1].a]; ip++;)        \
    X(STEP, double t = v[OCV_SLOT_TIME]; double eps = v[OCV_SLOT_DT] * 1e-6;                       \
      v[ip->d] = t + eps >= v[ip->b] ? v[ip->a] : 0.0;)                                            \
    X(PULSE, v[ip->d] = pulse(v, v[ip->a], v[ip->b], v[ip[1].a]); ip++;)                           \
    X(RAMP, double t = v[OCV_SLOT_TIME]; double start = v[ip->b]; double stop = v[ip[1].a];        \
      double until = t < stop ? t : stop;                                                          \
      v[ip->d] = t > start ? v[ip->a] * (until - start) : 0.0; ip++;)                              \
    X(LOOKUP, v[ip->d] = ocV_lookup(&ctx->tables[ip->b], v[ip->a]);)                               \
    X(RANDOM, v[ip->d] = draw(&ctx->randoms[ip->b], v, ctx->seed, ctx->step);)                     \
    X(DELAY, double dt = v[OCV_SLOT_DT];                                                           \
      double now = (v[OCV_SLOT_TIME] - v[OCV_SLOT_START]) / dt;                                    \
      v[ip->d] = delay_value(&ctx->delaybufs[ip->b], now, v[ip->a] / dt, v[ip[1].a]); ip++;)       \
    X(SUBDIV, v[ip->d] = (v[ip->a] - v[ip->b]) / v[ip[1].a]; ip++;)                                \
    X(MULADD, v[ip->d] = v[ip->a] * v[ip->b] + v[ip[1].a]; ip++;)                                  \
    X(ADDK, (void)0;)                                                                              \
    X(EXT, (void)0; /* always consumed by its owner */)

/* PULSE(magnitude, first, interval): magnitude/DT during the one step at or
 * after first, and every interval after that when interval > 0. */
static double pulse(const double *v, double mag, double first, double interval)
{
    double t = v[OCV_SLOT_TIME], dt = v[OCV_SLOT_DT], eps = dt * 1e-6;
    if(t + eps >= first) {
        double since = t - first;
        if(interval > 0.0)
            since -= interval * floor((since + eps) / interval);
        if(since < dt - eps)
            return mag / dt;
    }
    return 0.0;
}

#if defined(__GNUC__) && !defined(OC_NO_THREADED_DISPATCH)
/* Threaded dispatch: each operation jumps straight to the next one's code,
 * which gives the branch predictor one indirect jump per operation instead
 * of one shared switch. Labels as values are a GNU extension (gcc, clang). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
void ocV_exec(const ocV_ins *code, size_t n, ocV_ctx *ctx)
{
#define OCV_LABEL(name, ...) [OCV_##name] = &&op_##name,
    static const void *const labels[OCV_NOPS] = {OCV_OPS(OCV_LABEL)};
#undef OCV_LABEL
    double *v = ctx->v;
    const ocV_ins *ip = code, *end = code + n;
#define OCV_NEXT()                                                                                 \
    do {                                                                                           \
        if(ip >= end)                                                                              \
            return;                                                                                \
        goto *labels[ip->op];                                                                      \
    } while(0)
    OCV_NEXT();
#define OCV_BODY(name, ...)                                                                        \
    op_##name : {                                                                                  \
        __VA_ARGS__                                                                                \
    }                                                                                              \
    ip++;                                                                                          \
    OCV_NEXT();
    OCV_OPS(OCV_BODY)
#undef OCV_BODY
#undef OCV_NEXT
}
#pragma GCC diagnostic pop
#else
void ocV_exec(const ocV_ins *code, size_t n, ocV_ctx *ctx)
{
    double *v = ctx->v;
    const ocV_ins *ip = code, *end = code + n;
    while(ip < end) {
        switch(ip->op) {
#define OCV_CASE(name, ...)                                                                        \
    case OCV_##name: {                                                                             \
        __VA_ARGS__                                                                                \
    } break;
            OCV_OPS(OCV_CASE)
#undef OCV_CASE
        default: break;
        }
        ip++;
    }
}
#endif

double ocV_delay_read(const ocV_delaybuf *b, double delay_steps)
{
    return delay_value(b, (double)b->count, delay_steps, b->init);
}
