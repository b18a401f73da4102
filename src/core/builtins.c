/*
 * builtins.c - the table of built-in functions the equation language knows.
 *
 * Names are canonical (lower case, '_' for spaces). The class says how the
 * compiler treats a call: pure functions become one instruction; time
 * functions depend on TIME so they are never constant; random functions
 * draw from the run's generator; stateful ones (SMTH1, DELAY3, ...) are
 * expanded into hidden stocks and flows; special ones (INIT, PREVIOUS,
 * DELAY, LOOKUP) get dedicated treatment in compile.c.
 */
#include <string.h>

#include "oc_int.h"

static const ocB_info table[] = {
    {"abs", OCB_ABS, 1, 1, OCB_CLS_PURE},
    {"exp", OCB_EXP, 1, 1, OCB_CLS_PURE},
    {"ln", OCB_LN, 1, 1, OCB_CLS_PURE},
    {"log10", OCB_LOG10, 1, 1, OCB_CLS_PURE},
    {"log", OCB_LOG, 1, 2, OCB_CLS_PURE},
    {"sqrt", OCB_SQRT, 1, 1, OCB_CLS_PURE},
    {"int", OCB_INT, 1, 1, OCB_CLS_PURE},
    {"integer", OCB_INT, 1, 1, OCB_CLS_PURE},
    {"mod", OCB_MOD, 2, 2, OCB_CLS_PURE},
    {"modulo", OCB_MOD, 2, 2, OCB_CLS_PURE},
    {"min", OCB_MIN, 2, 255, OCB_CLS_PURE},
    {"max", OCB_MAX, 2, 255, OCB_CLS_PURE},
    {"sin", OCB_SIN, 1, 1, OCB_CLS_PURE},
    {"cos", OCB_COS, 1, 1, OCB_CLS_PURE},
    {"tan", OCB_TAN, 1, 1, OCB_CLS_PURE},
    {"arcsin", OCB_ARCSIN, 1, 1, OCB_CLS_PURE},
    {"arccos", OCB_ARCCOS, 1, 1, OCB_CLS_PURE},
    {"arctan", OCB_ARCTAN, 1, 1, OCB_CLS_PURE},
    {"pi", OCB_PI, 0, 0, OCB_CLS_PURE},
    {"inf", OCB_INF, 0, 0, OCB_CLS_PURE},
    {"safediv", OCB_SAFEDIV, 2, 3, OCB_CLS_PURE},
    {"xidz", OCB_XIDZ, 3, 3, OCB_CLS_PURE},
    {"zidz", OCB_ZIDZ, 2, 2, OCB_CLS_PURE},
    {"round", OCB_ROUND, 1, 1, OCB_CLS_PURE},
    {"sign", OCB_SIGN, 1, 1, OCB_CLS_PURE},
    {"mean", OCB_MEAN, 1, 255, OCB_CLS_PURE},
    {"sum", OCB_SUM, 1, 255, OCB_CLS_PURE},
    {"prod", OCB_PROD, 1, 255, OCB_CLS_PURE},
    {"if_then_else", OCB_IF_THEN_ELSE, 3, 3, OCB_CLS_PURE},
    {"step", OCB_STEP, 2, 2, OCB_CLS_TIME},
    {"pulse", OCB_PULSE, 1, 3, OCB_CLS_TIME},
    {"ramp", OCB_RAMP, 2, 3, OCB_CLS_TIME},
    {"random", OCB_RANDOM, 2, 3, OCB_CLS_RANDOM},
    {"uniform", OCB_RANDOM, 2, 3, OCB_CLS_RANDOM},
    {"normal", OCB_NORMAL, 2, 3, OCB_CLS_RANDOM},
    {"exprnd", OCB_EXPRND, 1, 2, OCB_CLS_RANDOM},
    {"lognormal", OCB_LOGNORMAL, 2, 3, OCB_CLS_RANDOM},
    {"poisson", OCB_POISSON, 1, 2, OCB_CLS_RANDOM},
    {"smth1", OCB_SMTH1, 2, 3, OCB_CLS_STATEFUL},
    {"smth3", OCB_SMTH3, 2, 3, OCB_CLS_STATEFUL},
    {"smthn", OCB_SMTHN, 3, 4, OCB_CLS_STATEFUL},
    {"delay1", OCB_DELAY1, 2, 3, OCB_CLS_STATEFUL},
    {"delay3", OCB_DELAY3, 2, 3, OCB_CLS_STATEFUL},
    {"delayn", OCB_DELAYN, 3, 4, OCB_CLS_STATEFUL},
    {"trend", OCB_TREND, 2, 3, OCB_CLS_STATEFUL},
    {"forcst", OCB_FORCST, 3, 4, OCB_CLS_STATEFUL},
    {"delay", OCB_DELAY, 2, 3, OCB_CLS_SPECIAL},
    {"init", OCB_INIT, 1, 1, OCB_CLS_SPECIAL},
    {"initial", OCB_INIT, 1, 1, OCB_CLS_SPECIAL},
    {"previous", OCB_PREVIOUS, 1, 2, OCB_CLS_SPECIAL},
    {"lookup", OCB_LOOKUP, 2, 2, OCB_CLS_SPECIAL},
    {"self", OCB_SELF, 0, 0, OCB_CLS_SPECIAL},
};

const ocB_info *ocB_find(const char *canon)
{
    size_t i;
    /* A namespace prefix (std. or a vendor's) does not change the function. */
    if(strncmp(canon, "std.", 4) == 0)
        canon += 4;
    else if(strncmp(canon, "isee.", 5) == 0)
        canon += 5;
    for(i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if(strcmp(table[i].name, canon) == 0)
            return &table[i];
    return NULL;
}

int ocB_clock_slot(const char *canon)
{
    if(strcmp(canon, "time") == 0)
        return OCV_SLOT_TIME;
    if(strcmp(canon, "dt") == 0 || strcmp(canon, "time_step") == 0)
        return OCV_SLOT_DT;
    if(strcmp(canon, "starttime") == 0 || strcmp(canon, "initial_time") == 0)
        return OCV_SLOT_START;
    if(strcmp(canon, "stoptime") == 0 || strcmp(canon, "final_time") == 0)
        return OCV_SLOT_STOP;
    if(strcmp(canon, "saveper") == 0)
        return OCV_SLOT_SAVE;
    return -1;
}
