/*
 * test_oom.c - allocation failure, SQLite style: for N = 1, 2, ... the Nth
 * allocation of the engine fails, and loading, compiling and running a
 * model that uses every construct must return OC_ENOMEM cleanly (no crash;
 * the sanitizer build also checks that nothing leaks) until N is large
 * enough for the whole job to succeed.
 */
#include "../testlib.h"

static long alloc_count, fail_at;
static int failed;

static void *failing_realloc(void *ud, void *ptr, size_t size)
{
    (void)ud;
    if(size == 0) {
        free(ptr);
        return NULL;
    }
    if(++alloc_count == fail_at) {
        failed = 1;
        return NULL;
    }
    return realloc(ptr, size);
}

static const char *doc =
    "<xmile xmlns=\"http://docs.oasis-open.org/xmile/ns/XMILE/v1.0\" version=\"1.0\">"
    "<sim_specs method=\"rk4\"><start>0</start><stop>5</stop><dt>0.5</dt></sim_specs>"
    "<behavior><stock><non_negative/></stock></behavior>"
    "<model><variables>"
    "<module name=\"sub\"><connect to=\"x\" from=\".input\"/></module>"
    "<aux name=\"input\"><eqn>STEP(3, 1) + RANDOM(0, 1) + PULSE(1, 2, 1)</eqn></aux>"
    "<aux name=\"smoothed\"><eqn>SMTH3(input, 2) + SMTHN(input, 2, 4) + TREND(input, 2)</eqn></aux>"
    "<aux name=\"delayed\"><eqn>DELAY(input, 1.5) + DELAY1(input, 2) + DELAYN(input, 3, 3)</eqn>"
    "</aux>"
    "<aux name=\"remembered\"><eqn>PREVIOUS(SELF, 1) + INIT(input) + FORCST(input, 2, 1)</eqn></aux>"
    "<aux name=\"shaped\"><eqn>input</eqn><gf><xpts>0,1,5</xpts><ypts>0,2,3</ypts></gf></aux>"
    "<aux name=\"macro use\"><eqn>SMOOTHER(input, 2) + TWICE(input)</eqn></aux>"
    "<stock name=\"stock\"><eqn>1</eqn><inflow>in</inflow><outflow>out</outflow></stock>"
    "<flow name=\"in\"><eqn>sub.y</eqn></flow>"
    "<flow name=\"out\"><eqn>IF stock &gt; 2 THEN stock ELSE 0.5</eqn></flow>"
    "</variables></model>"
    "<model name=\"sub\"><variables>"
    "<aux name=\"x\" access=\"input\"><eqn>0</eqn></aux>"
    "<aux name=\"y\" access=\"output\"><eqn>x * 2</eqn></aux>"
    "</variables></model>"
    "<macro name=\"SMOOTHER\"><parm>a</parm><parm>t</parm><eqn>s</eqn><variables>"
    "<stock name=\"s\"><eqn>a</eqn><inflow>f</inflow></stock>"
    "<flow name=\"f\"><eqn>(a - s)/t</eqn></flow></variables></macro>"
    "<macro name=\"TWICE\"><parm>a</parm><eqn>2 * a</eqn></macro>"
    "</xmile>";

/* Loads, runs, frees. Returns the first failing status, or OC_OK. */
static int job(void)
{
    oc_model *m = NULL;
    oc_run *r = NULL;
    oc_error err;
    int rc = oc_model_load_buffer(doc, strlen(doc), "oom.xmile", &m, &err);
    if(rc == OC_OK)
        rc = oc_run_create(m, &r, &err);
    if(rc == OC_OK)
        rc = oc_run_simulate(r, &err);
    if(rc == OC_OK && oc_run_save_count(r) != 11)
        rc = OC_EARG;
    oc_run_free(r);
    oc_model_free(m);
    return rc;
}

int main(void)
{
    long n;
    int rc, wrong = 0, total = 0;
    rc = job();
    CHECK(rc == OC_OK, "the job succeeds without failures: %s", oc_status_name(rc));
    oc_set_allocator(failing_realloc, NULL);
    for(n = 1; n < 100000; n++) {
        alloc_count = 0;
        fail_at = n;
        failed = 0;
        rc = job();
        if(!failed) {
            CHECK(rc == OC_OK, "with no failed allocation the job succeeds");
            break;
        }
        total++;
        if(rc != OC_ENOMEM) {
            wrong++;
            if(wrong < 5)
                printf("  allocation %ld failed but the job returned %s\n", n, oc_status_name(rc));
        }
    }
    oc_set_allocator(NULL, NULL);
    CHECK(total > 50, "the job makes many allocations (%d failure points tried)", total);
    CHECK(wrong == 0, "every failed allocation gives OC_ENOMEM (%d of %d did not)", wrong, total);
    DONE();
}
