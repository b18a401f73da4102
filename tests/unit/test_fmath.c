/*
 * test_fmath.c - the evaluator's own exp, log and pow (src/core/fmath.h)
 * against the C library: accuracy in ulps over millions of arguments, and
 * every special case of C's functions.
 */
#include "../testlib.h"

#include "fmath.h"

static double ulps(double got, double want)
{
    double u;
    if(got == want)
        return 0.0;
    if(isnan(got) && isnan(want))
        return 0.0;
    if(!isfinite(got) || !isfinite(want))
        return HUGE_VAL;
    u = nextafter(fabs(want), HUGE_VAL) - fabs(want);
    return fabs(got - want) / u;
}

static uint64_t state = 88172645463325252ULL;
static double next_uniform(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (double)(state >> 11) / 9007199254740992.0;
}

int main(void)
{
    double worst_exp = 0, worst_log = 0, worst_pow = 0, at_exp = 0, at_log = 0;
    int i;
    for(i = 0; i < 2000000; i++) {
        double u = next_uniform();
        double x = -745.0 + 1454.7 * u;          /* the whole finite range of exp */
        double y = exp(-744.0 + 1453.0 * next_uniform()); /* positive doubles of every size */
        double a = 1e-3 + 50.0 * next_uniform(), b = -20.0 + 40.0 * next_uniform();
        double e = ulps(ocF_exp(x), exp(x)), l = ulps(ocF_log(y), log(y));
        double p = fabs(ocF_pow(a, b) / pow(a, b) - 1.0) / (1.0 + fabs(b * log(a)));
        if(e > worst_exp && fabs(exp(x)) > 2.2250738585072014e-308) {
            worst_exp = e;
            at_exp = x;
        }
        if(l > worst_log) {
            worst_log = l;
            at_log = y;
        }
        if(p > worst_pow)
            worst_pow = p;
    }
    CHECK(worst_exp <= 2.0, "exp within 2 ulp of libm (worst %g ulp at %.17g)", worst_exp, at_exp);
    CHECK(worst_log <= 2.0, "log within 2 ulp of libm (worst %g ulp at %.17g)", worst_log, at_log);
    CHECK(worst_pow <= 2e-15, "pow within 2e-15 (1 + |y ln x|) of libm (worst %g)", worst_pow);

    CHECK(ocF_exp(0.0) == 1.0 && ocF_log(1.0) == 0.0, "exact at 0 and 1");
    CHECK(isnan(ocF_exp(NAN)) && isnan(ocF_log(NAN)) && isnan(ocF_pow(NAN, 2.0)), "NaN in, NaN out");
    CHECK(ocF_exp(1000.0) == HUGE_VAL && ocF_exp(-1000.0) == 0.0, "exp overflows and underflows");
    CHECK(ocF_exp(HUGE_VAL) == HUGE_VAL && ocF_exp(-HUGE_VAL) == 0.0, "exp of infinities");
    CHECK(ulps(ocF_exp(709.7), exp(709.7)) <= 2 && ulps(ocF_exp(-708.5), exp(-708.5)) <= 2,
          "exp near the ends of its range");
    CHECK(fabs(ocF_exp(-744.0) - exp(-744.0)) <= 2 * 4.9406564584124654e-324,
          "exp into the subnormals");
    CHECK(ocF_log(0.0) == -HUGE_VAL && isnan(ocF_log(-1.0)) && ocF_log(HUGE_VAL) == HUGE_VAL,
          "log of 0, a negative number and infinity");
    CHECK(ulps(ocF_log(4.9406564584124654e-324), log(4.9406564584124654e-324)) <= 2,
          "log of the smallest subnormal");
    CHECK(ocF_pow(-2.0, 3.0) == -8.0 && ocF_pow(-2.0, 2.0) == 4.0 && isnan(ocF_pow(-2.0, 0.5)),
          "pow of a negative base: %g %g %g", ocF_pow(-2.0, 3.0), ocF_pow(-2.0, 2.0),
          ocF_pow(-2.0, 0.5));
    CHECK(ocF_pow(0.0, 2.0) == 0.0 && ocF_pow(0.0, -1.0) == HUGE_VAL && ocF_pow(0.0, 0.0) == 1.0,
          "pow of zero");
    CHECK(ocF_pow(NAN, 0.0) == 1.0 && ocF_pow(1.0, NAN) == 1.0, "pow(x, 0) and pow(1, y) are 1");
    CHECK(ocF_pow(2.0, 10.0) == 1024.0 && ocF_pow(10.0, -2.0) == pow(10.0, -2.0),
          "pow on exact cases: %.17g %.17g", ocF_pow(2.0, 10.0), ocF_pow(10.0, -2.0));
    CHECK(ocF_pow(-8.0, 1e300) == HUGE_VAL, "a huge even exponent");

    /* skipping the squaring is exact whenever ocF_pow_whole says so */
    {
        static const double whole[] = {0.0, -0.0, 1.0, 2.0, -3.0, 64.0, -64.0};
        static const double not_whole[] = {0.5, -2.5, 65.0, -65.0, 1e20, 1e-300, HUGE_VAL, NAN};
        static const double xs[] = {0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 1e-300, 1e300, HUGE_VAL,
                                    -HUGE_VAL, NAN};
        size_t k, j;
        int agree = 1, classified = 1;
        for(k = 0; k < sizeof(whole) / sizeof(whole[0]); k++)
            classified &= ocF_pow_whole(whole[k]);
        for(k = 0; k < sizeof(not_whole) / sizeof(not_whole[0]); k++)
            classified &= !ocF_pow_whole(not_whole[k]);
        for(k = 0; k < sizeof(not_whole) / sizeof(not_whole[0]); k++)
            for(j = 0; j < sizeof(xs) / sizeof(xs[0]); j++) {
                double a = ocF_pow_by(xs[j], not_whole[k], 0), b = ocF_pow(xs[j], not_whole[k]);
                agree &= memcmp(&a, &b, sizeof(a)) == 0 || (isnan(a) && isnan(b));
            }
        for(i = 0; i < 200000; i++) {
            double a = 1e-3 + 50.0 * next_uniform(), b = -100.0 + 200.0 * next_uniform();
            if(!ocF_pow_whole(b)) {
                double p0 = ocF_pow_by(a, b, 0), p1 = ocF_pow(a, b);
                agree &= memcmp(&p0, &p1, sizeof(p0)) == 0;
            }
        }
        CHECK(classified, "whole exponents up to 64 in size are told apart");
        CHECK(agree, "pow without squaring has the bits of pow when the exponent is not whole");
    }
    DONE();
}
