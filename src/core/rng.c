/*
 * rng.c - counter-based random numbers.
 *
 * A draw is a pure function of (seed, call site, step, k): the keys are
 * mixed with the SplitMix64 finaliser, so there is no generator state to
 * carry, share or lock. The same seed gives the same numbers whatever the
 * order of evaluation, the number of threads or the number of processes;
 * all stages of an RK4 step see the same draw because the key is the step
 * counter, not the stage.
 */
#include <math.h>

#include "oc_int.h"

static uint64_t mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double ocR_unit(uint64_t bits)
{
    /* 52 random bits shifted by half a unit: (k + 1/2) / 2^52 is exact for
     * every k, so 0 and 1 never occur (with 53 bits the half unit is lost
     * to rounding above 1/2 and the top value rounds to 1) */
    return ((double)(bits >> 12) + 0.5) * (1.0 / 4503599627370496.0);
}

double ocR_uniform(uint64_t seed, uint64_t site, uint64_t step, uint64_t k)
{
    uint64_t h = mix(seed);
    h = mix(h ^ site);
    h = mix(h ^ step);
    h = mix(h ^ k);
    return ocR_unit(h);
}

double ocR_normal(uint64_t seed, uint64_t site, uint64_t step)
{
    double u1 = ocR_uniform(seed, site, step, 0);
    double u2 = ocR_uniform(seed, site, step, 1);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Inversion by sequential search for modest means (exact), and a rounded
 * normal approximation beyond (documented in docs/internals/evaluator.md). */
double ocR_poisson(uint64_t seed, uint64_t site, uint64_t step, double mean)
{
    double u, p, cdf;
    uint64_t k = 0;
    if(!(mean > 0.0))
        return 0.0;
    if(mean > 500.0) {
        double x = floor(mean + sqrt(mean) * ocR_normal(seed, site, step) + 0.5);
        return x < 0.0 ? 0.0 : x;
    }
    u = ocR_uniform(seed, site, step, 0);
    p = exp(-mean);
    cdf = p;
    while(u > cdf && k < 100000) {
        k++;
        p *= mean / (double)k;
        cdf += p;
    }
    return (double)k;
}
