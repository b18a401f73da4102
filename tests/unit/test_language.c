/*
 * test_language.c - the equation language: precedence, numbers, names,
 * operators, builtins, and syntax errors with their positions.
 */
#include "../testlib.h"

static void expect(const char *expr, double want)
{
    double got = t_eval(expr);
    CHECK(NEAR(got, want, 1e-12 * (1.0 + fabs(want))), "%s = %.17g, expected %.17g", expr, got,
          want);
}

static void expect_error(const char *expr, int code, int line, int column, const char *needle)
{
    char vars[4096];
    oc_model *m = NULL;
    oc_error err;
    int rc;
    snprintf(vars, sizeof(vars), "<aux name=\"x\">\n<eqn>%s</eqn></aux>", expr);
    rc = t_load(T_SPECS, vars, &m, &err);
    CHECK(rc == code, "'%s': status %s, expected %s (%s)", expr, oc_status_name(rc),
          oc_status_name(code), err.message);
    CHECK(m == NULL, "'%s': no model on error", expr);
    if(line)
        CHECK(err.line == line, "'%s': line %d, expected %d", expr, err.line, line);
    if(column)
        CHECK(err.column == column, "'%s': column %d, expected %d", expr, err.column, column);
    if(needle)
        CHECK(strstr(err.message, needle) != NULL, "'%s': message '%s' lacks '%s'", expr,
              err.message, needle);
    CHECK(strcmp(err.variable, "x") == 0, "'%s': variable '%s', expected x", expr, err.variable);
    CHECK(strcmp(err.file, "test.xmile") == 0, "'%s': file '%s'", expr, err.file);
    oc_model_free(m);
}

static void precedence(void)
{
    expect("-2^2", -4);
    expect("(-2)^2", 4);
    expect("2^3^2", 512);
    expect("2^-1", 0.5);
    expect("2^-3^2", pow(2, -9));
    expect("10-4-3", 3);
    expect("100/10/5", 2);
    expect("2+3*4", 14);
    expect("(2+3)*4", 20);
    expect("-3+5", 2);
    expect("--3", 3);
    expect("+3", 3);
    expect("7 mod 3", 1);
    expect("-7 mod 3", 2); /* floored: the sign of the divisor */
    expect("7 mod -3", -2);
    expect("MOD(7.5, 2)", 1.5);
    expect("2*3 mod 4", 2);
    expect("1+2 &lt; 4", 1);
    expect("1 &lt; 2 = 1", 1);
    expect("3 = 3", 1);
    expect("3 &lt;&gt; 3", 0);
    expect("3 &lt;&gt; 4", 1);
    expect("1 or 0 and 0", 1); /* AND binds tighter than OR */
    expect("(1 or 0) and 0", 0);
    expect("not 0", 1);
    expect("not 1 + 1", 1); /* NOT binds like unary minus: (not 1) + 1 */
    expect("2 &gt;= 2", 1);
    expect("2 &lt;= 1", 0);
    expect("1 &gt; 0 and 2 &gt; 1", 1);
}

static void numbers_and_comments(void)
{
    expect(".5", 0.5);
    expect("5.", 5);
    expect("1e3", 1000);
    expect("1.5E-07", 1.5e-7);
    expect("3e+2", 300);
    expect("0.1+0.2", 0.1 + 0.2);
    expect("1 { a comment } + 2", 3);
    expect("{leading} 4", 4);
    expect("IF 1 THEN 2 ELSE 3", 2);
    expect("IF 0 THEN 2 ELSE 3 + 1", 4); /* ELSE takes the whole expression */
    expect("1 + IF 0 THEN 2 ELSE 3", 4);
    expect("IF 1 THEN IF 0 THEN 5 ELSE 6 ELSE 7", 6);
    expect("if_then_else(0, 1, 2)", 2);
}

static void builtins(void)
{
    expect("ABS(-3)", 3);
    expect("EXP(1)", exp(1));
    expect("LN(10)", log(10));
    expect("LOG10(1000)", 3);
    expect("SQRT(16)", 4);
    expect("INT(-2.5)", -3);
    expect("INT(2.5)", 2);
    expect("MIN(3, 2)", 2);
    expect("MAX(3, 2)", 3);
    expect("MIN(5, 1, 3)", 1);
    expect("SIN(0)", 0);
    expect("COS(0)", 1);
    expect("TAN(0)", 0);
    expect("ARCSIN(1)", asin(1));
    expect("ARCCOS(1)", 0);
    expect("ARCTAN(1)", atan(1));
    expect("PI", 3.14159265358979323846);
    expect("PI()", 3.14159265358979323846);
    expect("SAFEDIV(1, 0)", 0);
    expect("SAFEDIV(1, 0, 7)", 7);
    expect("SAFEDIV(6, 3)", 2);
    expect("XIDZ(1, 0, 5)", 5);
    expect("ZIDZ(1, 0)", 0);
    expect("MEAN(1, 2, 3, 6)", 3);
    expect("SUM(1, 2, 3)", 6);
    expect("PROD(2, 3, 4)", 24);
    expect("LOG(8, 2)", 3);
    expect("ROUND(2.5)", 3);
    expect("SIGN(-4)", -1);
    expect("TIME", 0);
    expect("DT", 1);
    expect("STARTTIME", 0);
    expect("STOPTIME", 10);
    expect("std.ABS(-1)", 1);
    expect("abs(-1) + Abs(-1)", 2);
    expect("STEP(5, 0)", 5);
    expect("STEP(5, 1)", 0);
    expect("RAMP(2, 0)", 0);
}

static void names(void)
{
    oc_model *m = NULL;
    oc_run *r = NULL;
    oc_error err;
    size_t idx;
    int rc = t_load(T_SPECS,
                    "<aux name=\"Room Temperature\"><eqn>70</eqn></aux>"
                    "<aux name=\"a\"><eqn>room_temperature + ROOM__TEMPERATURE + "
                    "\"room temperature\"</eqn></aux>"
                    "<aux name=\"wom\\nmultiplier\"><eqn>2</eqn></aux>"
                    "<aux name=\"b\"><eqn>wom_multiplier * \"Wom Multiplier\"</eqn></aux>"
                    "<aux name=\"Größe Ölpreis\"><eqn>3</eqn></aux>"
                    "<aux name=\"c\"><eqn>größe_ölpreis + GRÖßE_ÖLPREIS*0 + \"Größe Ölpreis\""
                    "</eqn></aux>"
                    "<aux name=\"Flow w/ division, lists\"><eqn>5</eqn></aux>"
                    "<aux name=\"d\"><eqn>\"Flow_w/_division,_lists\"</eqn></aux>",
                    &m, &err);
    CHECK(rc == OC_OK, "names model loads: %s", err.message);
    if(rc)
        return;
    CHECK(oc_model_find(m, "ROOM_temperature", &idx, NULL) == OC_OK, "find is case-insensitive");
    CHECK(oc_model_find(m, "  room   temperature ", &idx, NULL) == OC_OK,
          "find collapses whitespace");
    CHECK(oc_model_find(m, "nothing", &idx, &err) == OC_EUNKNOWN, "unknown name reported");
    oc_run_create(m, &r, &err);
    oc_run_simulate(r, &err);
    CHECK(t_value_at(m, r, "a", 0) == 210, "a = %g", t_value_at(m, r, "a", 0));
    CHECK(t_value_at(m, r, "b", 0) == 4, "b = %g", t_value_at(m, r, "b", 0));
    CHECK(t_value_at(m, r, "c", 0) == 6, "c (Latin-1 letters fold) = %g", t_value_at(m, r, "c", 0));
    CHECK(t_value_at(m, r, "d", 0) == 5, "d = %g", t_value_at(m, r, "d", 0));
    oc_run_free(r);
    oc_model_free(m);
}

static void syntax_errors(void)
{
    /* the equation starts on line 6 of the generated document, column 1 */
    expect_error("1 +", OC_ESYNTAX, 6, 4, "ends where a value");
    expect_error("(1 + 2", OC_ESYNTAX, 6, 7, "expected ')'");
    expect_error("1 + 2)", OC_ESYNTAX, 6, 6, "unbalanced");
    expect_error("1 2", OC_ESYNTAX, 6, 3, "after the end");
    expect_error("IF 1 THEN 2", OC_ESYNTAX, 6, 12, "ELSE");
    expect_error("IF 1 2 ELSE 3", OC_ESYNTAX, 6, 6, "THEN");
    expect_error("3 # 4", OC_ESYNTAX, 6, 3, "unexpected character");
    expect_error("{ never closed", OC_ESYNTAX, 6, 1, "comment");
    expect_error("\"open quote", OC_ESYNTAX, 6, 1, "quoted name");
    expect_error("2 +\n\n  * 3", OC_ESYNTAX, 8, 3, NULL);
    expect_error("1e5x", OC_ESYNTAX, 0, 0, "number runs into a name");
    expect_error("nosuchvar + 1", OC_EUNKNOWN, 6, 1, "unknown variable 'nosuchvar'");
    expect_error("1 + NOSUCHFN(2)", OC_EFUNC, 6, 5, "unknown function 'NOSUCHFN'");
    expect_error("ABS(1, 2)", OC_EARITY, 6, 1, "ABS takes 1 argument, not 2");
    expect_error("SMTH1(1)", OC_EARITY, 6, 1, "SMTH1 takes 2 to 3 arguments, not 1");
    expect_error("STEP(1)", OC_EARITY, 6, 1, "STEP takes 2 arguments");
    expect_error("ABS", OC_EARITY, 6, 1, "needs arguments");
    expect_error("a[1]", OC_EUNSUPPORTED, 6, 2, "arrays");
    expect_error("SELF + 1", OC_EUNKNOWN, 0, 0, NULL);
    {
        /* nesting deeper than the parser allows: a clear error, no crash */
        char deep[2200];
        size_t i;
        for(i = 0; i < 1000; i++)
            deep[i] = '(';
        deep[1000] = '1';
        for(i = 0; i < 1000; i++)
            deep[1001 + i] = ')';
        deep[2001] = '\0';
        expect_error(deep, OC_ELIMIT, 0, 0, "nested too deeply");
        for(i = 0; i < 1000; i++)
            deep[i] = '-';
        deep[1000] = '1';
        deep[1001] = '\0';
        expect_error(deep, OC_ELIMIT, 0, 0, "nested too deeply");
    }
}

int main(void)
{
    precedence();
    numbers_and_comments();
    builtins();
    names();
    syntax_errors();
    DONE();
}
