/*
 * test_errors.c - bad input gets a clear error, never a crash: malformed
 * XML, hostile XML (external entities, entity bombs), unknown names,
 * cycles, bad specs, numeric blow-ups, missing and huge files, and a
 * generated model of 200,000 variables that must load and run.
 */
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "../testlib.h"

static int load_text(const char *text, oc_model **m, oc_error *err)
{
    return oc_model_load_buffer(text, strlen(text), "bad.xmile", m, err);
}

static void expect(const char *what, const char *specs, const char *vars, int code,
                   const char *var, int line, const char *needle)
{
    oc_model *m = NULL;
    oc_error err;
    int rc = t_load(specs, vars, &m, &err);
    CHECK(rc == code, "%s: %s, expected %s (%s)", what, oc_status_name(rc), oc_status_name(code),
          err.message);
    CHECK(m == NULL, "%s: no model on failure", what);
    if(var)
        CHECK(strcmp(err.variable, var) == 0, "%s: variable '%s', expected '%s'", what,
              err.variable, var);
    if(line)
        CHECK(err.line == line, "%s: line %d, expected %d", what, err.line, line);
    if(needle)
        CHECK(strstr(err.message, needle) != NULL, "%s: '%s' lacks '%s'", what, err.message,
              needle);
    CHECK(strcmp(err.file, "test.xmile") == 0, "%s: file named (%s)", what, err.file);
    oc_model_free(m);
}

static void model_errors(void)
{
    expect("unknown variable", T_SPECS,
           "<aux name=\"a\"><eqn>1</eqn></aux>\n<aux name=\"b\">\n<eqn>a + missing</eqn></aux>",
           OC_EUNKNOWN, "b", 7, "unknown variable 'missing'");
    expect("unknown function", T_SPECS, "<aux name=\"a\"><eqn>FOO(1)</eqn></aux>", OC_EFUNC, "a", 5,
           "unknown function 'FOO'");
    expect("wrong arity", T_SPECS, "<aux name=\"a\"><eqn>MAX(1)</eqn></aux>", OC_EARITY, "a", 5,
           "MAX takes");
    expect("circular definition", T_SPECS,
           "<aux name=\"alpha\"><eqn>beta + 1</eqn></aux><aux name=\"beta\"><eqn>gamma * 2</eqn>"
           "</aux><aux name=\"gamma\"><eqn>alpha</eqn></aux>",
           OC_ECYCLE, NULL, 0, "circular definition");
    {
        oc_model *m = NULL;
        oc_error err;
        t_load(T_SPECS,
               "<aux name=\"alpha\"><eqn>beta + 1</eqn></aux><aux name=\"beta\"><eqn>gamma * 2"
               "</eqn></aux><aux name=\"gamma\"><eqn>alpha</eqn></aux><aux name=\"ok\"><eqn>alpha"
               "</eqn></aux>",
               &m, &err);
        CHECK(strstr(err.message, "alpha") && strstr(err.message, "beta") &&
                  strstr(err.message, "gamma") && !strstr(err.message, "ok"),
              "the cycle is printed by name, and only the cycle: %s", err.message);
    }
    expect("self reference", T_SPECS, "<aux name=\"a\"><eqn>a + 1</eqn></aux>", OC_ECYCLE, "a", 0,
           "a -> a");
    expect("circular initial values", T_SPECS,
           "<stock name=\"s\"><eqn>f</eqn><inflow>f</inflow></stock><flow name=\"f\"><eqn>s</eqn>"
           "</flow>",
           OC_ECYCLE, NULL, 0, "initial values");
    expect("duplicate name", T_SPECS,
           "<aux name=\"Price\"><eqn>1</eqn></aux><aux name=\"price\"><eqn>2</eqn></aux>",
           OC_EMODEL, "price", 0, "defined twice");
    expect("no equation", T_SPECS, "<aux name=\"a\"></aux>", OC_EMODEL, "a", 0, "no equation");
    expect("unknown inflow", T_SPECS,
           "<stock name=\"s\"><eqn>0</eqn><inflow>nothere</inflow></stock>", OC_EUNKNOWN, "s", 0,
           "inflow 'nothere'");
    expect("stock as a flow", T_SPECS,
           "<stock name=\"s\"><eqn>0</eqn><inflow>t</inflow></stock>"
           "<stock name=\"t\"><eqn>0</eqn></stock>",
           OC_EMODEL, "s", 0, "is a stock");
    expect("table x not increasing", T_SPECS,
           "<aux name=\"g\"><eqn>1</eqn><gf><xpts>0,2,1</xpts><ypts>0,1,2</ypts></gf></aux>",
           OC_EMODEL, "g", 0, "must increase");
    expect("table sizes differ", T_SPECS,
           "<aux name=\"g\"><eqn>1</eqn><gf><xpts>0,1</xpts><ypts>0,1,2</ypts></gf></aux>",
           OC_EMODEL, "g", 0, "2 x points but 3 y points");
    expect("table junk", T_SPECS,
           "<aux name=\"g\"><eqn>1</eqn><gf><xpts>0,a</xpts><ypts>0,1</ypts></gf></aux>",
           OC_ESYNTAX, NULL, 0, "not a number");
    expect("arrays", T_SPECS,
           "<aux name=\"a\"><dimensions><dim name=\"d\"/></dimensions><eqn>1</eqn></aux>",
           OC_EUNSUPPORTED, "a", 0, "arrays");
    expect("conveyor", T_SPECS, "<stock name=\"c\"><eqn>1</eqn><conveyor><len>2</len></conveyor>"
                                "</stock>",
           OC_EUNSUPPORTED, "c", 0, "conveyor");
    expect("order read from a stock", T_SPECS,
           "<stock name=\"s\"><eqn>2</eqn></stock><aux name=\"a\"><eqn>DELAYN(1, 2, s)</eqn></aux>",
           OC_EUNSUPPORTED, "a", 0, "must be a constant");
    expect("order out of range", T_SPECS, "<aux name=\"a\"><eqn>DELAYN(1, 2, TIME)</eqn></aux>",
           OC_EMODEL, "a", 0, "between 1 and 1000, not 0");
    expect("SELF outside PREVIOUS", T_SPECS, "<aux name=\"a\"><eqn>SELF() + 1</eqn></aux>",
           OC_EMODEL, "a", 0, "SELF");
}

static void spec_errors(void)
{
    expect("dt zero", "<start>0</start><stop>10</stop><dt>0</dt>", "<aux name=\"a\"><eqn>1</eqn>"
                                                                   "</aux>",
           OC_ESPECS, NULL, 0, "dt must be positive");
    expect("dt negative", "<start>0</start><stop>10</stop><dt>-0.5</dt>",
           "<aux name=\"a\"><eqn>1</eqn></aux>", OC_ESPECS, NULL, 0, "dt must be positive");
    expect("stop before start", "<start>10</start><stop>0</stop><dt>1</dt>",
           "<aux name=\"a\"><eqn>1</eqn></aux>", OC_ESPECS, NULL, 0, "before start");
    expect("dt NaN", "<start>0</start><stop>10</stop><dt>nan</dt>",
           "<aux name=\"a\"><eqn>1</eqn></aux>", OC_ESPECS, NULL, 0, "finite");
    expect("dt junk", "<start>0</start><stop>10</stop><dt>fast</dt>",
           "<aux name=\"a\"><eqn>1</eqn></aux>", OC_ESYNTAX, NULL, 3, "not a number");
    expect("no stop", "<start>0</start><dt>1</dt>", "<aux name=\"a\"><eqn>1</eqn></aux>",
           OC_ESPECS, NULL, 0, "stop");
    expect("too many steps", "<start>0</start><stop>1e300</stop><dt>1</dt>",
           "<aux name=\"a\"><eqn>1</eqn></aux>", OC_ELIMIT, NULL, 0, "limit");
    {
        oc_model *m = NULL;
        oc_error err;
        const char *doc = "<xmile><sim_specs method=\"gear\"><start>0</start><stop>1</stop>"
                          "</sim_specs><model><variables/></model></xmile>";
        CHECK(load_text(doc, &m, &err) == OC_EUNSUPPORTED && strstr(err.message, "gear"),
              "an unknown method is named: %s", err.message);
        doc = "<xmile><sim_specs method=\"gear, RK4\"><start>0</start><stop>1</stop>"
              "</sim_specs><model><variables><aux name=\"a\"><eqn>1</eqn></aux></variables>"
              "</model></xmile>";
        CHECK(load_text(doc, &m, &err) == OC_OK, "a method list falls back to rk4");
        oc_model_free(m);
    }
}

static void numeric_errors(void)
{
    oc_model *m = NULL;
    oc_run *r = NULL;
    oc_error err;
    int rc = t_load("<start>0</start><stop>10</stop><dt>0.5</dt>",
                    "<stock name=\"tank\"><eqn>0</eqn><inflow>rush</inflow></stock>\n"
                    "<flow name=\"rush\"><eqn>1 / (TIME - 2)</eqn></flow>",
                    &m, &err);
    CHECK(rc == OC_OK, "blow-up model loads");
    oc_run_create(m, &r, &err);
    rc = oc_run_simulate(r, &err);
    CHECK(rc == OC_ENUMERIC, "division by zero ends the run: %s", oc_status_name(rc));
    CHECK(strcmp(err.variable, "tank") == 0, "the stock is named: %s", err.variable);
    CHECK(err.time == 2.5, "the time is given: %g", err.time);
    CHECK(strstr(err.message, "infinite") && strstr(err.message, "rush"),
          "the origin is named: %s", err.message);
    CHECK(oc_run_save_count(r) == 5, "results up to the failure stay readable (%zu)",
          oc_run_save_count(r));
    oc_run_free(r);
    oc_model_free(m);

    rc = t_load(T_SPECS, "<stock name=\"s\"><eqn>LN(0) * 0</eqn></stock>", &m, &err);
    CHECK(rc == OC_OK, "NaN initial value loads");
    oc_run_create(m, &r, &err);
    rc = oc_run_simulate(r, &err);
    CHECK(rc == OC_ENUMERIC && err.time == 0 && strstr(err.message, "NaN"),
          "a NaN initial value is caught at the start: %s", err.message);
    oc_run_free(r);
    oc_model_free(m);
}

static void xml_errors(void)
{
    oc_model *m = NULL;
    oc_error err;
    int rc;
    const char *xxe =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE xmile [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
        "<xmile><sim_specs><start>0</start><stop>1</stop></sim_specs><model><variables>"
        "<aux name=\"a\"><eqn>&xxe;</eqn></aux></variables></model></xmile>";
    const char *bomb =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY l1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY l2 \"&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;&l1;\">"
        "<!ENTITY l3 \"&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;&l2;\">"
        "<!ENTITY l4 \"&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;&l3;\">"
        "<!ENTITY l5 \"&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;&l4;\">"
        "<!ENTITY l6 \"&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;&l5;\">"
        "<!ENTITY l7 \"&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;&l6;\">"
        "<!ENTITY l8 \"&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;&l7;\">"
        "<!ENTITY l9 \"&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;&l8;\">]>\n"
        "<xmile><sim_specs><start>0</start><stop>1</stop></sim_specs><model><variables>"
        "<aux name=\"a\"><eqn>&l9;</eqn></aux></variables></model></xmile>";

    rc = load_text("<xmile>\n<model>\n<variables>\n</model>", &m, &err);
    CHECK(rc == OC_EXML && err.line >= 3 && strstr(err.message, "well-formed"),
          "malformed XML: line %d: %s", err.line, err.message);
    rc = load_text("<html><body/></html>", &m, &err);
    CHECK(rc == OC_EXML && strstr(err.message, "<html>"), "not XMILE: %s", err.message);
    rc = load_text("", &m, &err);
    CHECK(rc == OC_EXML && strstr(err.message, "empty"), "empty: %s", err.message);
    rc = load_text("<xmile><sim_specs><start>0</start><stop>1</stop></sim_specs></xmile>", &m, &err);
    CHECK(rc == OC_EXML && strstr(err.message, "no <model>"), "no model: %s", err.message);
    rc = load_text(xxe, &m, &err);
    CHECK(rc != OC_OK && !strstr(err.message, "root:"),
          "an external entity is never loaded: %s (%s)", oc_status_name(rc), err.message);
    oc_model_free(m);
    m = NULL;
    {
        clock_t t0 = clock();
        rc = load_text(bomb, &m, &err);
        CHECK(rc != OC_OK, "an entity bomb is refused: %s", oc_status_name(rc));
        CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 20.0, "... without expanding it");
        oc_model_free(m);
        m = NULL;
    }
    rc = load_text("<xmile><sim_specs isee:save_interval=\"1\"><start>0</start><stop>2</stop>"
                   "</sim_specs><isee:prefs/><model><variables><aux name=\"a\"><eqn>1</eqn></aux>"
                   "</variables></model></xmile>",
                   &m, &err);
    CHECK(rc == OC_OK, "an undeclared vendor prefix is accepted: %s", err.message);
    oc_model_free(m);
    m = NULL;
    rc = load_text("<XMILE><SIM_SPECS><START>0</START><STOP>2</STOP></SIM_SPECS><Model><Variables>"
                   "<Aux name=\"a\"><Eqn>1</Eqn></Aux></Variables></Model></XMILE>",
                   &m, &err);
    CHECK(rc == OC_OK, "element names match case-insensitively: %s", err.message);
    oc_model_free(m);
}

static void file_errors(void)
{
    oc_model *m = NULL;
    oc_error err;
    char path[] = "/tmp/oc_test_XXXXXX";
    int fd, rc;
    rc = oc_model_load_file("/nonexistent/model.xmile", &m, &err);
    CHECK(rc == OC_EIO && strstr(err.message, "cannot open") &&
              strcmp(err.file, "/nonexistent/model.xmile") == 0,
          "missing file: %s", err.message);
    rc = oc_model_load_file("/tmp", &m, &err);
    CHECK(rc == OC_EIO && strstr(err.message, "directory"), "a directory: %s", err.message);

    fd = mkstemp(path);
    CHECK(fd >= 0, "temp file");
    if(fd < 0)
        return;
    rc = oc_model_load_file(path, &m, &err);
    CHECK(rc == OC_EXML && strstr(err.message, "empty"), "empty file: %s", err.message);
    {
        /* 100 MB of junk: refused at its first byte, not read as a model */
        size_t chunk = 1 << 20, i;
        char *junk = malloc(chunk);
        unsigned s = 12345;
        clock_t t0;
        for(i = 0; i < chunk; i++) {
            s = s * 1103515245u + 12345u;
            junk[i] = (char)(33 + (s >> 16) % 90);
        }
        for(i = 0; i < 100; i++)
            if(write(fd, junk, chunk) != (ssize_t)chunk)
                break;
        free(junk);
        t0 = clock();
        rc = oc_model_load_file(path, &m, &err);
        CHECK(rc == OC_EXML && m == NULL, "100 MB of junk: %s: %s", oc_status_name(rc), err.message);
        CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 30.0, "... refused quickly");
    }
    /* a sparse file over the size limit: refused before reading */
    CHECK(ftruncate(fd, (off_t)OC_MAX_FILE_BYTES + 1) == 0, "sparse file");
    rc = oc_model_load_file(path, &m, &err);
    CHECK(rc == OC_ELIMIT && strstr(err.message, "limit"), "oversized file: %s", err.message);
    close(fd);
    unlink(path);
}

/* 200,000 variables: stocks with their flows, and chains of auxiliaries.
 * Compiling must be linear: this would take hours if it were quadratic. */
static void huge_model(void)
{
    const size_t stocks = 20000, chain = 8;
    size_t cap = 64u << 20, len = 0, i, k;
    char *doc = malloc(cap);
    oc_model *m = NULL;
    oc_run *r = NULL;
    oc_error err;
    size_t idx, nvars;
    int rc;
    len += (size_t)snprintf(doc + len, cap - len,
                            "<xmile><sim_specs><start>0</start><stop>4</stop><dt>1</dt>"
                            "</sim_specs><model><variables>\n");
    for(i = 0; i < stocks; i++) {
        len += (size_t)snprintf(doc + len, cap - len,
                                "<stock name=\"s%zu\"><eqn>%zu</eqn><inflow>in%zu</inflow>"
                                "</stock><flow name=\"in%zu\"><eqn>a%zu_%zu * 0.01</eqn></flow>"
                                "<aux name=\"a%zu_0\"><eqn>s%zu + %s</eqn></aux>\n",
                                i, i, i, i, i, chain - 1, i, i, i ? "s0" : "1");
        for(k = 1; k < chain; k++)
            len += (size_t)snprintf(doc + len, cap - len,
                                    "<aux name=\"a%zu_%zu\"><eqn>a%zu_%zu + 1</eqn></aux>", i, k,
                                    i, k - 1);
    }
    len += (size_t)snprintf(doc + len, cap - len, "</variables></model></xmile>\n");
    rc = oc_model_load_buffer(doc, len, "huge.xmile", &m, &err);
    free(doc);
    CHECK(rc == OC_OK, "a 200,000-variable model loads: %s", err.message);
    if(rc)
        return;
    nvars = oc_model_var_count(m);
    CHECK(nvars == stocks * (chain + 2), "it has %zu variables", nvars);
    oc_run_create(m, &r, &err);
    oc_model_find(m, "s19999", &idx, NULL);
    oc_run_select(r, &idx, 1, &err);
    rc = oc_run_simulate(r, &err);
    /* s_i(1) = s_i(0) + 0.01 * (s_i(0) + 1 + 7) for i = 0; others add s0 */
    CHECK(rc == OC_OK && NEAR(oc_run_value(r, 1, 0), 19999 + 0.01 * (19999 + 0 + 7), 1e-9),
          "and runs: s19999(1) = %.12g", oc_run_value(r, 1, 0));
    oc_run_free(r);
    oc_model_free(m);
}

int main(void)
{
    model_errors();
    spec_errors();
    numeric_errors();
    xml_errors();
    file_errors();
    huge_model();
    DONE();
}
