/*
 * test_rng.c - the counter-based random numbers (src/core/rng.c): the map
 * from 64 random bits to (0, 1) at its extremes, and the draws' range.
 */
#include "../testlib.h"

#include "oc_int.h"

int main(void)
{
    double lo = ocR_unit(0), hi = ocR_unit(UINT64_MAX);
    uint64_t i;
    int inside = 1;

    CHECK(lo > 0.0, "the smallest bits map above 0 (got %.17g)", lo);
    CHECK(hi < 1.0, "the largest bits map below 1 (got %.17g)", hi);
    CHECK(ocR_unit(UINT64_MAX >> 1) < ocR_unit((UINT64_MAX >> 1) + 1),
          "the map keeps order across the middle");
    CHECK(fabs(ocR_unit(UINT64_MAX >> 1) + ocR_unit((UINT64_MAX >> 1) + 1) - 1.0) < 1e-15,
          "the map is symmetric about one half");
    for(i = 0; i < 1000000; i++) {
        double u = ocR_uniform(20261128, 7, i, 0);
        if(!(u > 0.0 && u < 1.0))
            inside = 0;
    }
    CHECK(inside, "a million draws lie strictly inside (0, 1)");
    CHECK(isfinite(ocR_normal(1, 2, 3)), "a normal draw is a number");
    DONE();
}
