/*
 * cmd_serve.c - `overcap serve`: the explorer page and the JSON API over
 * local HTTP (libmicrohttpd).
 *
 * The page's files are built into the binary (web/ in the source tree);
 * the server reads no file at run time. The API is api.c; this file moves
 * bytes and keeps the server healthy:
 *   - bound to 127.0.0.1 unless --host says otherwise, and on loopback the
 *     Host header must name loopback (a web page elsewhere cannot drive
 *     the server through DNS rebinding);
 *   - request bodies at most API_MAX_BODY bytes (413), headers at most
 *     MHD's per-connection memory (32 KiB);
 *   - a connection idle for --timeout seconds is closed (slow clients), and
 *     one whose body is still arriving after 3 x --timeout (trickling),
 *     at most --max-connections at once;
 *   - light requests (model, scenarios, run) are answered on the polling
 *     threads; heavy ones (mc, critical) run on their own thread while the
 *     connection is suspended, at most --jobs at once: more get 503 with
 *     Retry-After;
 *   - SIGINT or SIGTERM: stop accepting, let heavy jobs end (the Monte
 *     Carlo stops at its next block and answers 503), then exit 0.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include "api.h"
#include "cli.h"

typedef struct server {
    struct MHD_Daemon *daemon;
    api_ctx api;
    unsigned max_jobs;
    atomic_uint jobs;         /* heavy jobs running */
    atomic_ullong requests;   /* answered, for the log at exit */
    atomic_int stop; /* set by the main thread on SIGINT or SIGTERM */
    int loopback;
    unsigned port;
    int log;
    double body_seconds; /* a request body must have arrived by then (3 x --timeout) */
} server;

/* One request's state, from its first call to its completion. */
typedef struct request_ctx {
    server *srv;
    struct MHD_Connection *conn;
    char method[8];
    char path[256];
    char *body;
    size_t len;
    int too_large;
    int started;           /* a heavy job was started */
    atomic_int finished;   /* ... and has put its response here */
    api_response res;
    struct timespec t0;
} request_ctx;

void help_serve(FILE *fp)
{
    fputs("usage: overcap serve [OPTIONS]\n"
          "\n"
          "A local web server: the interactive explorer of the built-in model at\n"
          "http://127.0.0.1:PORT/ and its JSON API. Move a slider and the model re-runs;\n"
          "presets, Monte Carlo bands, shareable links, JSON and CSV downloads.\n"
          "\n"
          "options:\n"
          "  --port N             TCP port (default 8080; 0: any free port, printed)\n"
          "  --host ADDR          IPv4 address to bind (default 127.0.0.1, this machine\n"
          "                       only; 0.0.0.0 exposes the server to the network)\n"
          "  --jobs N             heavy requests (mc, critical) at once (default: cores);\n"
          "                       more are refused with 503 and Retry-After\n"
          "  --max-samples N      largest Monte Carlo per request (default 20000)\n"
          "  --max-connections N  open connections at once (default 512)\n"
          "  --timeout S          close a connection idle for S seconds (default 10),\n"
          "                       or whose request body is still arriving after 3 S\n"
          "  --log                one line per request on stderr\n"
          "  -h, --help           this help\n"
          "\n"
          "API (JSON; errors are {\"error\": message} with a 4xx or 5xx status):\n"
          "  GET  /api/model       constants with default, range, units and sources\n"
          "  GET  /api/scenarios   the presets\n"
          "  POST /api/run         {\"scenario\": NAME or {...}, \"set\": {NAME: VALUE},\n"
          "                        \"vars\": [NAME]}: series, states, verdict\n"
          "  POST /api/critical    {\"scenario\", \"set\", \"year\", \"adoption_years\",\n"
          "                        \"max_factor\"}: the smallest jump that makes a bubble\n"
          "  POST /api/mc          {\"scenario\", \"set\", \"samples\", \"seed\", \"spec\": {...},\n"
          "                        \"bands\": [NAME]}: P(bubble by year) and percentile\n"
          "                        bands over the built-in uncertainty, or over a spec\n"
          "                        given as the JSON `overcap mc SPEC` reads (no \"model\")\n"
          "\n"
          "SIGINT (Ctrl-C) or SIGTERM stops the server cleanly.\n"
          "\n"
          "examples:\n"
          "  overcap serve\n"
          "  overcap serve --port 0 --log\n"
          "  curl -s -d '{\"scenario\":\"jump-10x\",\"set\":{\"jump_1_factor\":100}}' \\\n"
          "       http://127.0.0.1:8080/api/run\n",
          fp);
}

/* ------------------------------------------------------------------ */
/* Responses                                                           */
/* ------------------------------------------------------------------ */

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static enum MHD_Result send_bytes(request_ctx *rc, unsigned status, const char *type,
                                  const void *data, size_t len, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)(uintptr_t)data, mode);
    enum MHD_Result ret;
    if(!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data: blob:; "
                            "frame-ancestors 'none'");
    if(status == 503)
        MHD_add_response_header(resp, "Retry-After", "1");
    ret = MHD_queue_response(rc->conn, status, resp);
    MHD_destroy_response(resp);
    atomic_fetch_add(&rc->srv->requests, 1);
    if(rc->srv->log)
        fprintf(stderr, "overcap: %s %s %u %.1f ms\n", rc->method, rc->path, status,
                ms_since(&rc->t0));
    return ret;
}

/* Sends an API response; its body is handed to MHD, which frees it. */
static enum MHD_Result send_api(request_ctx *rc, api_response *res)
{
    enum MHD_Result ret;
    if(!res->body) {
        static const char oom[] = "{\"error\":\"out of memory\"}\n";
        return send_bytes(rc, 500, "application/json", oom, sizeof(oom) - 1,
                          MHD_RESPMEM_PERSISTENT);
    }
    ret = send_bytes(rc, (unsigned)res->status, "application/json; charset=utf-8", res->body,
                     res->len, MHD_RESPMEM_MUST_FREE);
    res->body = NULL;
    return ret;
}

static enum MHD_Result send_error(request_ctx *rc, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static enum MHD_Result send_error(request_ctx *rc, int status, const char *fmt, ...)
{
    char msg[600];
    api_response res;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    memset(&res, 0, sizeof(res));
    api_error(&res, status, "%s", msg);
    return send_api(rc, &res);
}

/* The page's files: "/" is web/index.html, "/NAME" is web/NAME. */
static enum MHD_Result send_asset(request_ctx *rc)
{
    char name[300];
    const struct oc_embedded *e;
    const char *dot, *type = "application/octet-stream";
    const char *p = rc->path[1] ? rc->path + 1 : "index.html";
    if(strstr(p, "..") || strchr(p, '/'))
        return send_error(rc, 404, "no page %s", rc->path);
    snprintf(name, sizeof(name), "web/%s", p);
    e = cli_embedded(name);
    if(!e)
        return send_error(rc, 404, "no page %s (the explorer is at /)", rc->path);
    dot = strrchr(p, '.');
    if(dot && !strcmp(dot, ".html"))
        type = "text/html; charset=utf-8";
    else if(dot && !strcmp(dot, ".js"))
        type = "text/javascript; charset=utf-8";
    else if(dot && !strcmp(dot, ".css"))
        type = "text/css; charset=utf-8";
    else if(dot && !strcmp(dot, ".svg"))
        type = "image/svg+xml";
    return send_bytes(rc, 200, type, e->data, e->size, MHD_RESPMEM_PERSISTENT);
}

/* ------------------------------------------------------------------ */
/* Heavy jobs                                                          */
/* ------------------------------------------------------------------ */

static void *job_main(void *arg)
{
    request_ctx *rc = arg;
    server *srv = rc->srv;
    api_handle(&srv->api, rc->method, rc->path, rc->body, rc->len, &rc->res);
    atomic_store(&rc->finished, 1);
    /* rc may be gone once resumed; the count falls after, so shutdown
     * never stops the daemon under a connection still suspended */
    MHD_resume_connection(rc->conn);
    atomic_fetch_sub(&srv->jobs, 1);
    return NULL;
}

/* Starts a heavy job, or answers 503 when --jobs are already running. */
static enum MHD_Result start_job(request_ctx *rc)
{
    server *srv = rc->srv;
    pthread_t th;
    pthread_attr_t attr;
    unsigned running = atomic_fetch_add(&srv->jobs, 1);
    if(atomic_load(&srv->stop) || running >= srv->max_jobs) {
        atomic_fetch_sub(&srv->jobs, 1);
        return send_error(rc, 503,
                          atomic_load(&srv->stop) ? "the server is shutting down"
                                    : "busy: %u heavy requests are running (the limit; --jobs); "
                                      "retry shortly",
                          srv->max_jobs);
    }
    rc->started = 1;
    MHD_suspend_connection(rc->conn);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if(pthread_create(&th, &attr, job_main, rc) != 0) {
        pthread_attr_destroy(&attr);
        api_error(&rc->res, 503, "could not start a thread for the job; retry shortly");
        atomic_store(&rc->finished, 1);
        MHD_resume_connection(rc->conn);
        atomic_fetch_sub(&srv->jobs, 1);
        return MHD_YES;
    }
    pthread_attr_destroy(&attr);
    return MHD_YES;
}

/* ------------------------------------------------------------------ */
/* The request handler                                                 */
/* ------------------------------------------------------------------ */

/* On loopback, the Host header must name loopback: "127.0.0.1[:port]",
 * "localhost[:port]" or "[::1][:port]". */
static int host_ok(const server *srv, struct MHD_Connection *conn)
{
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
    size_t n;
    if(!srv->loopback)
        return 1;
    if(!host)
        return 0;
    if(!strncmp(host, "127.0.0.1", 9))
        n = 9;
    else if(!strncmp(host, "localhost", 9))
        n = 9;
    else if(!strncmp(host, "[::1]", 5))
        n = 5;
    else
        return 0;
    return host[n] == '\0' || host[n] == ':';
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    server *srv = cls;
    request_ctx *rc = *con_cls;
    (void)version;

    if(!rc) {
        const char *cl;
        rc = calloc(1, sizeof(*rc));
        if(!rc)
            return MHD_NO;
        rc->srv = srv;
        rc->conn = conn;
        clock_gettime(CLOCK_MONOTONIC, &rc->t0);
        snprintf(rc->method, sizeof(rc->method), "%s", method);
        snprintf(rc->path, sizeof(rc->path), "%s", url);
        *con_cls = rc;
        if(strlen(url) >= sizeof(rc->path))
            return send_error(rc, 414, "the path is longer than %zu bytes", sizeof(rc->path) - 1);
        if(!host_ok(srv, conn))
            return send_error(rc, 403, "the Host header must name this machine (127.0.0.1 or "
                                       "localhost)");
        cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if(cl && strtoull(cl, NULL, 10) > API_MAX_BODY)
            return send_error(rc, 413, "the request body is larger than %d bytes", API_MAX_BODY);
        return MHD_YES;
    }
    if(rc->started) {
        /* resumed: the job's answer is ready */
        if(!atomic_load(&rc->finished))
            return MHD_YES;
        return send_api(rc, &rc->res);
    }
    if(*upload_size) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if((double)(now.tv_sec - rc->t0.tv_sec) + 1e-9 * (double)(now.tv_nsec - rc->t0.tv_nsec) >
           srv->body_seconds)
            return MHD_NO; /* trickled in under the idle timeout: close */
        if(!rc->too_large && rc->len + *upload_size <= API_MAX_BODY) {
            char *nb = realloc(rc->body, rc->len + *upload_size + 1);
            if(!nb)
                return MHD_NO;
            rc->body = nb;
            memcpy(rc->body + rc->len, upload, *upload_size);
            rc->len += *upload_size;
            rc->body[rc->len] = '\0';
        }
        else
            rc->too_large = 1;
        *upload_size = 0;
        return MHD_YES;
    }
    if(rc->too_large)
        return send_error(rc, 413, "the request body is larger than %d bytes", API_MAX_BODY);
    if(strncmp(rc->path, "/api/", 5) != 0) {
        if(strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
            return send_error(rc, 405, "%s takes GET, not %s", rc->path, method);
        return send_asset(rc);
    }
    if(api_is_heavy(rc->method, rc->path))
        return start_job(rc);
    {
        api_response res;
        api_handle(&srv->api, rc->method, rc->path, rc->body, rc->len, &res);
        return send_api(rc, &res);
    }
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    request_ctx *rc = *con_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if(!rc)
        return;
    free(rc->res.body);
    free(rc->body);
    free(rc);
    *con_cls = NULL;
}

/* ------------------------------------------------------------------ */
/* The command                                                         */
/* ------------------------------------------------------------------ */

static int uint_option(const char *opt, const char *v, unsigned long lo, unsigned long hi,
                       unsigned long *out)
{
    char *end;
    unsigned long x;
    if(!v)
        return cli_fail(EXIT_USAGE, "%s needs a value", opt);
    errno = 0;
    x = strtoul(v, &end, 10);
    if(*v == '-' || *end || end == v || errno || x < lo || x > hi)
        return cli_fail(EXIT_USAGE, "%s: '%s' is not a whole number from %lu to %lu", opt, v, lo,
                        hi);
    *out = x;
    return 0;
}

/* Allows as many open files as connections need (soft limit up to hard). */
static void raise_fd_limit(unsigned long want)
{
    struct rlimit rl;
    if(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want + 64) {
        rl.rlim_cur = rl.rlim_max < want + 64 ? rl.rlim_max : want + 64;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int cmd_serve(int argc, char **argv)
{
    static server srv;
    unsigned long port = 8080, jobs = 0, max_samples = 20000, max_conn = 512, timeout = 10;
    const char *host = "127.0.0.1";
    struct sockaddr_in addr;
    api_limits lim;
    sigset_t sigs;
    char err[1024];
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const union MHD_DaemonInfo *info;
    int i, sig = 0;

    memset(&srv, 0, sizeof(srv));
    for(i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = -1;
        if(!strcmp(a, "-h") || !strcmp(a, "--help")) {
            help_serve(stdout);
            return EXIT_OK;
        }
        if(!strcmp(a, "--port"))
            rc = uint_option(a, v, 0, 65535, &port);
        else if(!strcmp(a, "--jobs"))
            rc = uint_option(a, v, 1, 256, &jobs);
        else if(!strcmp(a, "--max-samples"))
            rc = uint_option(a, v, 1, 10000000, &max_samples);
        else if(!strcmp(a, "--max-connections"))
            rc = uint_option(a, v, 1, 60000, &max_conn);
        else if(!strcmp(a, "--timeout"))
            rc = uint_option(a, v, 1, 3600, &timeout);
        else if(!strcmp(a, "--host")) {
            if(!v)
                return cli_fail(EXIT_USAGE, "--host needs an IPv4 address");
            host = v;
            rc = 0;
        }
        else if(!strcmp(a, "--log")) {
            srv.log = 1;
            continue;
        }
        else
            return cli_fail(EXIT_USAGE, "unknown %s '%s' (try: overcap help serve)",
                            a[0] == '-' ? "option" : "argument", a);
        if(rc)
            return rc;
        i++;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    if(inet_pton(AF_INET, host, &addr.sin_addr) != 1)
        return cli_fail(EXIT_USAGE, "--host: '%s' is not an IPv4 address (like 127.0.0.1)", host);
    srv.loopback = (ntohl(addr.sin_addr.s_addr) >> 24) == 127;
    srv.body_seconds = 3.0 * (double)timeout;
    srv.max_jobs = jobs ? (unsigned)jobs : cores < 1 ? 1u : (unsigned)cores;

    lim.max_mc_samples = max_samples;
    lim.max_factor = 1e6;
    lim.mc_threads = 1;
    if(api_init(&srv.api, &lim, err, sizeof(err)) != 0)
        return cli_fail(EXIT_MODEL, "%s", err);
    srv.api.stop = &srv.stop;

    /* Signals are taken by sigwait below: every thread, the server's
     * included, inherits this mask. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit(max_conn);

    srv.daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
            (srv.log ? MHD_USE_ERROR_LOG : 0),
        (uint16_t)port, NULL, NULL, handle, &srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cores < 1 ? 1 : cores > 8 ? 8 : cores),
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)max_conn, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    if(!srv.daemon) {
        api_free(&srv.api);
        return cli_fail(EXIT_IO, "cannot listen on %s:%lu (%s)", host, port,
                        errno ? strerror(errno) : "port in use or not allowed?");
    }
    info = MHD_get_daemon_info(srv.daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv.port = info ? info->port : (unsigned)port;
    fprintf(stderr, "overcap: serving the explorer at http://%s:%u/ (Ctrl-C stops)\n", host,
            srv.port);
    if(!srv.loopback)
        fprintf(stderr, "overcap: warning: %s is reachable from other machines; the server has "
                        "no authentication\n",
                host);
    fflush(stderr);

    while(sigwait(&sigs, &sig) != 0)
        ;
    atomic_store(&srv.stop, 1);
    fprintf(stderr, "overcap: %s: stopping (letting running jobs end)\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    MHD_quiesce_daemon(srv.daemon);
    {
        /* heavy jobs see the stop flag at their next block; wait for them */
        int waited;
        for(waited = 0; atomic_load(&srv.jobs) > 0 && waited < 3000; waited++) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    MHD_stop_daemon(srv.daemon);
    api_free(&srv.api);
    fprintf(stderr, "overcap: stopped after %llu requests\n",
            (unsigned long long)atomic_load(&srv.requests));
    return EXIT_OK;
}
