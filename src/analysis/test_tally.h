/*
 * test_tally.h - the checks the analysis modules' test programs share: a
 * tally of passes and failures, and CHECK, CHECK_NEAR (infinities of the
 * same sign are equal), CHECK_CONTAINS and CHECK_TEXT that print the file,
 * line and the values when they fail.
 */
#ifndef OC_TEST_TALLY_H
#define OC_TEST_TALLY_H

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct tally {
    int passed;
    int failed;
} tally;

static inline void check(tally *t, int ok, const char *what, const char *file, int line)
{
    if (ok) {
        t->passed++;
        return;
    }
    t->failed++;
    fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
}

static inline void check_near(tally *t, double got, double want, double tol, const char *what,
                              const char *file, int line)
{
    int ok = fabs(got - want) <= tol || (isinf(got) && isinf(want) && (got > 0) == (want > 0));

    if (!ok)
        fprintf(stderr, "%s:%d: %s = %.17g, want %.17g (tolerance %g)\n", file, line, what, got,
                want, tol);
    check(t, ok, what, file, line);
}

static inline void check_contains(tally *t, const char *text, const char *part, const char *file,
                                  int line)
{
    int ok = text && part && strstr(text, part) != NULL;

    if (!ok)
        fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", file, line,
                text ? text : "(null)", part ? part : "(null)");
    check(t, ok, "text contains part", file, line);
}

static inline void check_text(tally *t, const char *text, const char *want, const char *file,
                              int line)
{
    int ok = text && want && strcmp(text, want) == 0;

    if (!ok)
        fprintf(stderr, "%s:%d: got  \"%s\"\n%s:%d: want \"%s\"\n", file, line,
                text ? text : "(null)", file, line, want ? want : "(null)");
    check(t, ok, "text equals want", file, line);
}

#define CHECK(t, cond) check((t), (cond) != 0, #cond, __FILE__, __LINE__)
#define CHECK_NEAR(t, got, want, tol)                                                              \
    check_near((t), (got), (want), (tol), #got, __FILE__, __LINE__)
#define CHECK_CONTAINS(t, text, part) check_contains((t), (text), (part), __FILE__, __LINE__)
#define CHECK_TEXT(t, text, want) check_text((t), (text), (want), __FILE__, __LINE__)

#endif
