/*
 * api.h - the JSON API behind `overcap serve`, apart from HTTP.
 *
 * Every endpoint is a function of (method, path, request body) that returns
 * an HTTP status and a JSON document, so the API is tested without a socket
 * (tests/unit/test_api.c) and the HTTP layer (cmd_serve.c) only moves bytes.
 *
 *   GET  /api/model      the model: time specs, and every constant with a
 *                        <range>: default, range, units, doc (its sources)
 *   GET  /api/scenarios  the built-in presets: name, description, settings
 *   POST /api/run        one run: series, diagnosis states, verdict
 *   POST /api/critical   F*, the smallest jump that makes a bubble
 *   POST /api/mc         Monte Carlo: P(bubble by year), percentile bands
 *
 * Request bodies are JSON objects; unknown keys are errors. Errors are
 * {"error": "message"} with status 400 (bad request), 404, 405, 413 (too
 * large a job) or 503 (busy or shutting down).
 *
 * Thread safety: any number of requests may be handled at once on one
 * api_ctx; the model is shared read-only, each request makes its own runs.
 */
#ifndef OC_API_H
#define OC_API_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "overcap.h"

/* Largest request body accepted, in bytes. */
#define API_MAX_BODY (64 * 1024)

typedef struct api_limits {
    uint64_t max_mc_samples; /* per /api/mc request */
    double max_factor;       /* largest F* searched by /api/critical */
    unsigned mc_threads;     /* threads of one Monte Carlo request */
} api_limits;

typedef struct api_ctx {
    oc_model *model; /* the built-in model, loaded once */
    api_limits limits;
    const atomic_int *stop; /* set on shutdown: heavy jobs end early */
} api_ctx;

typedef struct api_response {
    int status;       /* HTTP status */
    char *body;       /* JSON, malloc'd; NULL only when out of memory */
    size_t len;
    int heavy;        /* 1: the request was a heavy job (mc, critical) */
} api_response;

/* Loads the built-in model. Returns 0, or -1 with err. */
int api_init(api_ctx *c, const api_limits *limits, char *err, size_t errlen);
void api_free(api_ctx *c);

/* 1 when (method, path) names a heavy job, which the server admits only
 * while fewer than its cap of heavy jobs run. */
int api_is_heavy(const char *method, const char *path);

/* Handles one request. body may be NULL when len is 0. Always fills *out
 * (free out->body with free()). */
void api_handle(api_ctx *c, const char *method, const char *path, const char *body, size_t len,
                api_response *out);

/* An error response with a message (for the HTTP layer's own errors). */
void api_error(api_response *out, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
