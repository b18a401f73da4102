/*
 * vm.c - the evaluator of flat programs.
 *
 * A program is an array of register instructions d = op(a, b) over the run's
 * value array (clock, variables, literals, temporaries). Instructions that
 * need a third or fourth operand take them from the next instruction
 * (OCV_EXT). There is no stack, no allocation and no branch except the
 * dispatch: IF THEN ELSE evaluates both branches and selects, which is safe
 * because no expression has side effects (random draws are pure functions
 * of their keys, delays read history).
 *
 * A run may evaluate many scenarios ("lanes") at once: each slot then holds
 * one value per lane, and each instruction becomes a loop over the lanes,
 * which the compiler vectorizes; dispatch is paid once per instruction, not
 * once per scenario. Every operation is written once, in OCV_OPS (or the
 * two short lists after it), in terms of V(slot) - the slot's value in the
 * current lane - and instantiated for one lane (the ordinary run) and for
 * many (Monte Carlo batches).
 */
#include <math.h>
#include <stdint.h>

#include "fmath.h"
#include "oc_int.h"

/* The op profile (OVERCAP_PROFILE_OPS): ticks and counts per operation of
 * the many-lane evaluator, per thread. */
#if defined(OC_PROFILE_OPS) && defined(__x86_64__)
#include <x86intrin.h>
static _Thread_local uint64_t prof_ticks[OCV_NOPS], prof_count[OCV_NOPS];
#define OCV_PROF_START()                                                                           \
    const uint64_t prof_t0 = __rdtsc();                                                            \
    const uint32_t prof_op = ip->op
#define OCV_PROF_STOP() (prof_ticks[prof_op] += __rdtsc() - prof_t0, prof_count[prof_op]++)
#else
#define OCV_PROF_START() (void)0
#define OCV_PROF_STOP() (void)0
#endif

/* Graphical functions. The segment of x - the largest lo in [0, n - 2]
 * with xs[lo] <= x, unique because x values increase - is found by halving
 * without branches: lo moves up by half while xs[lo + half] <= x. Indexes
 * beyond the candidates fail the test (xs increase), so every probe stays
 * in bounds. One lane halves its own lo; many lanes halve all theirs, pass
 * by pass, in loops that vectorize (gathers). The same comparisons and the
 * same arithmetic either way, so the same bits. n fits 32 bits (compile.c
 * refuses larger tables). */
OC_ALWAYS_INLINE static inline int32_t gf_halve(const double *xs, int32_t lo, int32_t half,
                                                double x)
{
    return xs[lo + half] <= x ? lo + half : lo;
}

/* The value at x in segment lo, for n >= 2: NaN stays NaN; at or beyond an
 * end, the end's y (or the end segment extended, for EXTRAPOLATE). */
OC_ALWAYS_INLINE static inline double gf_value(const ocV_table *t, double x, int32_t lo)
{
    const double *xs = t->x, *ys = t->y, *sl = t->slope;
    const size_t n = t->n;
    const double first = xs[0], last = xs[n - 1];
    const int extrapolate = t->type == OCI_GF_EXTRAPOLATE;
    double inner = ys[lo] + (x - xs[lo]) * sl[lo];
    double low = ys[0] + (x - first) * sl[0], high = ys[n - 1] + (x - last) * sl[n - 2];
    inner = t->type == OCI_GF_DISCRETE ? ys[lo] : inner;
    low = extrapolate && x < first ? low : ys[0];
    high = extrapolate && x > last ? high : ys[n - 1];
    inner = x >= last ? high : inner;
    inner = x <= first ? low : inner;
    return x != x ? x : inner;
}

static double lookup_one(const ocV_table *t, double x)
{
    int32_t lo = 0, len = (int32_t)t->n - 1, half;
    if(t->n == 1)
        return x != x ? x : t->y[0];
    for(; len > 1; len -= half) {
        half = len / 2;
        lo = gf_halve(t->x, lo, half, x);
    }
    return gf_value(t, x, lo);
}

/* Slot d of NL lanes = table t at slot in (which may be d itself). */
OC_ALWAYS_INLINE static inline void lookup_many(const ocV_table *t, const double *in, double *d,
                                                size_t NL)
{
    double out[OC_MAX_LANES];
    int32_t lo[OC_MAX_LANES], len = (int32_t)t->n - 1, half;
    size_t L;
    if(t->n == 1) {
        for(L = 0; L < NL; L++)
            out[L] = in[L] != in[L] ? in[L] : t->y[0];
    }
    else {
        for(L = 0; L < NL; L++)
            lo[L] = 0;
        for(; len > 1; len -= half) {
            half = len / 2;
            for(L = 0; L < NL; L++)
                lo[L] = gf_halve(t->x, lo[L], half, in[L]);
        }
        for(L = 0; L < NL; L++)
            out[L] = gf_value(t, in[L], lo[L]);
    }
    for(L = 0; L < NL; L++)
        d[L] = out[L];
}

/* Slot d of NL lanes = x^y, in passes over all lanes - y ln |x|, its exp,
 * the finish - whose iterations are independent, rather than one chain of
 * dependent operations per lane. The repeated squaring of whole exponents
 * is skipped when no lane has one (most steps: exponents are rarely whole).
 * Each lane gets the bits of ocF_pow. */
OC_ALWAYS_INLINE static inline void pow_many(const double *x, const double *y, double *d,
                                             size_t NL)
{
    double e[OC_MAX_LANES];
    size_t L;
    int whole = 0;
    for(L = 0; L < NL; L++)
        e[L] = ocF_pow_ylog(x[L], y[L]);
    for(L = 0; L < NL; L++)
        e[L] = ocF_exp(e[L]);
    for(L = 0; L < NL; L++)
        whole |= ocF_pow_whole(y[L]);
    if(whole)
        for(L = 0; L < NL; L++)
            d[L] = ocF_pow_from(x[L], y[L], e[L], 1);
    else
        for(L = 0; L < NL; L++)
            d[L] = ocF_pow_from(x[L], y[L], e[L], 0);
}

/* The recorded input delay_steps steps before now, for one lane,
 * interpolating between recorded steps; before the first record, or before
 * the history reaches back far enough, the initial value. now_steps is the
 * current time in steps since the start (fractional in RK4 stages).
 * Selects only, no branch and no integer division, so that the loop over
 * lanes vectorizes (with gathers): lanes differ in their delays. Positions
 * count back from the newest record, in 32 bits: a ring holds at most
 * OC_MAX_STEPS + 1 records. Before the first record, hist is a row of zeros
 * (cap 1), so every read stays in bounds. */
_Static_assert(OC_MAX_STEPS < INT32_MAX, "delay ring positions are 32-bit");
OC_ALWAYS_INLINE static inline double delay_value(const ocV_delaybuf *b, size_t lane, size_t lanes,
                                 double now_steps, double delay_steps, double init)
{
    const double last = (double)b->count - 1.0, oldest_back = (double)b->cap - 1.0;
    const int32_t cap = (int32_t)b->cap, head = (int32_t)b->head;
    double x = now_steps - delay_steps, r, whole, f, back_steps, y0, y1;
    int32_t back, pos, next;
    int before = (b->count == 0) | (x < -1e-9) | (x != x); /* the initial value */
    x = x > last ? last : x;                                /* a delay shorter than one step */
    r = floor(x + 0.5);
    x = fabs(x - r) < 1e-9 ? r : x;
    x = x < 0.0 ? 0.0 : x;
    x = before ? 0.0 : x;
    whole = floor(x);
    f = x - whole;
    /* the step wanted is back_steps records behind the newest; further back
     * than the ring reaches, the oldest record it holds */
    back_steps = last - whole;
    f = back_steps > oldest_back ? 0.0 : f;
    back_steps = back_steps > oldest_back ? oldest_back : back_steps;
    back_steps = before ? 0.0 : back_steps;
    back = (int32_t)back_steps;
    pos = head - back;
    pos = pos < 0 ? pos + cap : pos;
    next = pos + 1 == cap ? 0 : pos + 1;
    next = back == 0 ? pos : next; /* the newest has no successor (and f is 0) */
    y0 = b->hist[(size_t)pos * lanes + lane];
    y1 = b->hist[(size_t)next * lanes + lane];
    y1 = y0 + f * (y1 - y0);
    y0 = f == 0.0 ? y0 : y1;
    return before ? init : y0;
}

/* One draw of a random function for one lane. Its arguments are slots. */
static double draw(const ocV_random *r, const double *v, size_t lane, size_t lanes,
                   uint64_t run_seed, uint64_t step)
{
    uint64_t seed = run_seed;
    double p0 = v[(size_t)r->args[0] * lanes + lane];
    double p1 = r->nargs > 1 ? v[(size_t)r->args[1] * lanes + lane] : 0.0, u;
    int seed_arg = (r->kind == OCB_RANDOM || r->kind == OCB_NORMAL || r->kind == OCB_LOGNORMAL)
                       ? 2
                       : 1;
    if(r->nargs > seed_arg)
        seed = (uint64_t)(int64_t)v[(size_t)r->args[seed_arg] * lanes + lane] ^
               0x5EED5EED5EED5EEDULL;
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

/* PULSE(magnitude, first, interval): magnitude/DT during the one step at or
 * after first, and every interval after that when interval > 0. */
static double pulse(double t, double dt, double mag, double first, double interval)
{
    double eps = dt * 1e-6;
    if(t + eps >= first) {
        double since = t - first;
        if(interval > 0.0)
            since -= interval * floor((since + eps) / interval);
        if(since < dt - eps)
            return mag / dt;
    }
    return 0.0;
}

/* Every operation once, as (NAME, EXT, body): EXT is 1 when the operation
 * takes operands from the next instruction (ip[1]). Bodies read and write
 * values only through V(slot), the slot's value in the current lane L of
 * NL lanes, and never move ip: the dispatchers below do. */
#define OCV_OPS(X)                                                                                 \
    X(MOV, 0, V(ip->d) = V(ip->a);)                                                                \
    X(ADD, 0, V(ip->d) = V(ip->a) + V(ip->b);)                                                     \
    X(SUB, 0, V(ip->d) = V(ip->a) - V(ip->b);)                                                     \
    X(MUL, 0, V(ip->d) = V(ip->a) * V(ip->b);)                                                     \
    X(DIV, 0, V(ip->d) = V(ip->a) / V(ip->b);)                                                     \
    X(MOD, 0, double a = V(ip->a); double b = V(ip->b);                                            \
      V(ip->d) = a - b * floor(a / b); /* floored: the sign of the divisor */)                     \
    X(NEG, 0, V(ip->d) = -V(ip->a);)                                                               \
    X(NOT, 0, V(ip->d) = V(ip->a) == 0.0;)                                                         \
    X(LT, 0, V(ip->d) = V(ip->a) < V(ip->b);)                                                      \
    X(LE, 0, V(ip->d) = V(ip->a) <= V(ip->b);)                                                     \
    X(GT, 0, V(ip->d) = V(ip->a) > V(ip->b);)                                                      \
    X(GE, 0, V(ip->d) = V(ip->a) >= V(ip->b);)                                                     \
    X(EQ, 0, V(ip->d) = V(ip->a) == V(ip->b);)                                                     \
    X(NE, 0, V(ip->d) = V(ip->a) != V(ip->b);)                                                     \
    X(AND, 0, V(ip->d) = (V(ip->a) != 0.0) & (V(ip->b) != 0.0);)                                   \
    X(OR, 0, V(ip->d) = (V(ip->a) != 0.0) | (V(ip->b) != 0.0);)                                    \
    X(SELECT, 1, double c = V(ip->a); double a = V(ip[1].a); double b = V(ip[1].b);                \
      V(ip->d) = c != 0.0 ? a : b;)                                                                \
    X(ABS, 0, V(ip->d) = fabs(V(ip->a));)                                                          \
    X(EXP, 0, V(ip->d) = ocF_exp(V(ip->a));)                                                       \
    X(LN, 0, V(ip->d) = ocF_log(V(ip->a));)                                                        \
    X(LOG10, 0, V(ip->d) = log10(V(ip->a));)                                                       \
    X(SQRT, 0, V(ip->d) = sqrt(V(ip->a));)                                                         \
    X(INT, 0, V(ip->d) = floor(V(ip->a));)                                                         \
    X(SIN, 0, V(ip->d) = sin(V(ip->a));)                                                           \
    X(COS, 0, V(ip->d) = cos(V(ip->a));)                                                           \
    X(TAN, 0, V(ip->d) = tan(V(ip->a));)                                                           \
    X(ASIN, 0, V(ip->d) = asin(V(ip->a));)                                                         \
    X(ACOS, 0, V(ip->d) = acos(V(ip->a));)                                                         \
    X(ATAN, 0, V(ip->d) = atan(V(ip->a));)                                                         \
    X(MIN, 0, double a = V(ip->a); double b = V(ip->b); V(ip->d) = b < a ? b : a;)                 \
    X(MAX, 0, double a = V(ip->a); double b = V(ip->b); V(ip->d) = b > a ? b : a;)                 \
    X(ROUND, 0, V(ip->d) = round(V(ip->a));)                                                       \
    X(SIGN, 0, double a = V(ip->a); V(ip->d) = (double)((a > 0.0) - (a < 0.0));)                   \
    X(SAFEDIV, 1, double a = V(ip->a); double b = V(ip->b); double z = V(ip[1].a);                 \
      V(ip->d) = b != 0.0 ? a / b : z;)                                                            \
    X(STEP, 0, double eps = V(OCV_SLOT_DT) * 1e-6; double h = V(ip->a);                            \
      V(ip->d) = V(OCV_SLOT_TIME) + eps >= V(ip->b) ? h : 0.0;)                                    \
    X(PULSE, 1,                                                                                    \
      V(ip->d) = pulse(V(OCV_SLOT_TIME), V(OCV_SLOT_DT), V(ip->a), V(ip->b), V(ip[1].a));)         \
    X(RAMP, 1, double t = V(OCV_SLOT_TIME); double start = V(ip->b); double stop = V(ip[1].a);     \
      double slope = V(ip->a); double until = t < stop ? t : stop;                                 \
      V(ip->d) = t > start ? slope * (until - start) : 0.0;)                                       \
    X(RANDOM, 0, V(ip->d) = draw(&ctx->randoms[ip->b], v, L, NL, ctx->seeds[L], ctx->step);)       \
    X(SUBDIV, 1, V(ip->d) = (V(ip->a) - V(ip->b)) / V(ip[1].a);)                                   \
    X(MULADD, 1, V(ip->d) = V(ip->a) * V(ip->b) + V(ip[1].a);)                                     \
    X(ADDK, 0, (void)0;)                                                                           \
    X(EXT, 0, (void)0; /* always consumed by its owner */)

/* Operations that read at addresses that differ between lanes (gathers).
 * Their bodies write the result through OUT(slot): in the many-lane loop
 * that is a buffer copied to the slot afterwards, so the compiler sees that
 * the gathered reads cannot depend on the loop's writes, and vectorizes. */
#define OCV_GATHER_OPS(X)                                                                          \
    X(DELAY, 1, double dt = V(OCV_SLOT_DT);                                                        \
      double now = (V(OCV_SLOT_TIME) - V(OCV_SLOT_START)) / dt;                                    \
      OUT(ip->d) = delay_value(&ctx->delaybufs[ip->b], L, NL, now, V(ip->a) / dt, V(ip[1].a));)

/* Operations with a form for one lane and a form for a row of lanes (ROW(s)
 * is slot s's NL values), where the many-lane form needs loops of its own. */
#define OCV_ROW_OPS(X)                                                                             \
    X(POW, 0, V(ip->d) = ocF_pow_by(V(ip->a), V(ip->b), ocF_pow_whole(V(ip->b))),                  \
      pow_many(ROW(ip->a), ROW(ip->b), ROW(ip->d), NL))                                            \
    X(LOOKUP, 0, V(ip->d) = lookup_one(&ctx->tables[ip->b], V(ip->a)),                             \
      lookup_many(&ctx->tables[ip->b], ROW(ip->a), ROW(ip->d), NL))

/* One lane: V(s) is v[s]. */
#define OCV_ONE(name, ext, ...)                                                                    \
    {                                                                                              \
        const size_t L = 0, NL = 1;                                                                \
        (void)L;                                                                                   \
        (void)NL;                                                                                  \
        __VA_ARGS__                                                                                \
    }                                                                                              \
    ip += 1 + (ext);
/* Many lanes: V(s) is v[s * NL + L], in a loop the compiler vectorizes. */
#define OCV_MANY(name, ext, ...)                                                                   \
    {                                                                                              \
        size_t L;                                                                                  \
        for(L = 0; L < NL; L++) {                                                                  \
            __VA_ARGS__                                                                            \
        }                                                                                          \
    }                                                                                              \
    ip += 1 + (ext);
/* Many lanes, for OCV_GATHER_OPS: OUT(s) is the lane's entry in a buffer,
 * copied to slot d once every lane is done. */
#define OCV_MANY_GATHER(name, ext, ...)                                                            \
    {                                                                                              \
        double out[OC_MAX_LANES];                                                                  \
        size_t L;                                                                                  \
        for(L = 0; L < NL; L++) {                                                                  \
            __VA_ARGS__                                                                            \
        }                                                                                          \
        for(L = 0; L < NL; L++)                                                                    \
            V(ip->d) = out[L];                                                                     \
    }                                                                                              \
    ip += 1 + (ext);

#if defined(__GNUC__) && !defined(OC_NO_THREADED_DISPATCH)
/* Threaded dispatch: each operation jumps straight to the next one's code,
 * which gives the branch predictor one indirect jump per operation site
 * instead of one shared switch. Labels as values are a GNU extension (gcc,
 * clang); -DOC_NO_THREADED_DISPATCH selects the portable switch. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#define OCV_LABEL(name, ext, ...) [OCV_##name] = &&op_##name,
#define OCV_NEXT()                                                                                 \
    do {                                                                                           \
        if(ip >= end)                                                                              \
            return;                                                                                \
        goto *labels[ip->op];                                                                      \
    } while(0)

static void exec_one(const ocV_ins *code, size_t n, ocV_ctx *ctx)
{
    static const void *const labels[OCV_NOPS] = {
        OCV_OPS(OCV_LABEL) OCV_GATHER_OPS(OCV_LABEL) OCV_ROW_OPS(OCV_LABEL)};
    double *v = ctx->v;
    const ocV_ins *ip = code, *end = code + n;
#define V(s) v[s]
#define OUT(s) v[s]
#define OCV_BODY(name, ext, ...)                                                                   \
    op_##name : OCV_ONE(name, ext, __VA_ARGS__) OCV_NEXT();
#define OCV_BODY_ROW(name, ext, one, many)                                                         \
    op_##name : OCV_ONE(name, ext, one;) OCV_NEXT();
    OCV_NEXT();
    OCV_OPS(OCV_BODY)
    OCV_GATHER_OPS(OCV_BODY)
    OCV_ROW_OPS(OCV_BODY_ROW)
#undef OCV_BODY_ROW
#undef OCV_BODY
#undef OUT
#undef V
}

#undef OCV_NEXT
#undef OCV_LABEL
#pragma GCC diagnostic pop
#else
static void exec_one(const ocV_ins *code, size_t n, ocV_ctx *ctx)
{
    double *v = ctx->v;
    const ocV_ins *ip = code, *end = code + n;
#define V(s) v[s]
#define OUT(s) v[s]
    while(ip < end) {
        switch(ip->op) {
#define OCV_CASE(name, ext, ...)                                                                   \
    case OCV_##name:                                                                               \
        OCV_ONE(name, ext, __VA_ARGS__) break;
#define OCV_CASE_ROW(name, ext, one, many)                                                         \
    case OCV_##name:                                                                               \
        OCV_ONE(name, ext, one;) break;
            OCV_OPS(OCV_CASE)
            OCV_GATHER_OPS(OCV_CASE)
            OCV_ROW_OPS(OCV_CASE_ROW)
#undef OCV_CASE_ROW
#undef OCV_CASE
        default: ip++; break;
        }
    }
#undef OUT
#undef V
}

#endif

/* Many lanes: dispatch is paid once per instruction for every lane, so the
 * plain switch is enough. Compiled once per vector width (OC_LANE_CLONES),
 * all giving the same bits. */
OC_LANE_CLONES
static void exec_many(const ocV_ins *code, size_t n, ocV_ctx *ctx)
{
    double *v = ctx->v;
    const size_t NL = ctx->lanes;
    const ocV_ins *ip = code, *end = code + n;
#define V(s) v[(size_t)(s) * NL + L]
#define ROW(s) (v + (size_t)(s) * NL)
#define OUT(s) out[L]
    while(ip < end) {
        OCV_PROF_START();
        switch(ip->op) {
#define OCV_CASE(name, ext, ...)                                                                   \
    case OCV_##name:                                                                               \
        OCV_MANY(name, ext, __VA_ARGS__) break;
#define OCV_CASE_GATHER(name, ext, ...)                                                            \
    case OCV_##name:                                                                               \
        OCV_MANY_GATHER(name, ext, __VA_ARGS__) break;
#define OCV_CASE_ROW(name, ext, one, many)                                                         \
    case OCV_##name:                                                                               \
        many;                                                                                      \
        ip += 1 + (ext);                                                                           \
        break;
            OCV_OPS(OCV_CASE)
            OCV_GATHER_OPS(OCV_CASE_GATHER)
            OCV_ROW_OPS(OCV_CASE_ROW)
#undef OCV_CASE_ROW
#undef OCV_CASE_GATHER
#undef OCV_CASE
        default: ip++; break;
        }
        OCV_PROF_STOP();
    }
#undef OUT
#undef ROW
#undef V
}

void ocV_exec(const ocV_ins *code, size_t n, ocV_ctx *ctx)
{
    if(ctx->lanes == 1)
        exec_one(code, n, ctx);
    else
        exec_many(code, n, ctx);
}

const char *oc_lane_target(void)
{
    /* the order the loader's resolver tries OC_LANE_CLONES in */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(OC_NO_CLONES)
    if(__builtin_cpu_supports("avx512f"))
        return "avx512f";
    if(__builtin_cpu_supports("avx2"))
        return "avx2";
#endif
    return "baseline";
}

size_t oc_op_profile_get(oc_op_profile *out, size_t cap)
{
#if defined(OC_PROFILE_OPS) && defined(__x86_64__)
#define OCV_NAME(name, ...) [OCV_##name] = #name,
    static const char *const names[OCV_NOPS] = {
        OCV_OPS(OCV_NAME) OCV_GATHER_OPS(OCV_NAME) OCV_ROW_OPS(OCV_NAME)};
#undef OCV_NAME
    size_t n = 0, i, j;
    int op;
    for(op = 0; op < OCV_NOPS; op++) {
        oc_op_profile e;
        if(!prof_count[op])
            continue;
        e.op = names[op] ? names[op] : "?";
        e.count = prof_count[op];
        e.cycles = prof_ticks[op];
        /* insert, busiest first, keeping the cap busiest */
        for(i = 0; i < n && i < cap && out[i].cycles >= e.cycles; i++)
            ;
        if(i < cap) {
            for(j = (n < cap ? n : cap - 1); j > i; j--)
                out[j] = out[j - 1];
            out[i] = e;
        }
        n++;
    }
    return n;
#else
    (void)out;
    (void)cap;
    return 0;
#endif
}
