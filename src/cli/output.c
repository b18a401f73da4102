/*
 * output.c - writing results: atomic files, number formatting, CSV, TSV and
 * JSON writers.
 *
 * Output files are never half-written: everything goes to a temporary file
 * next to the target (same file system), which is flushed, synced and then
 * renamed over the target. An interrupted run leaves the old file intact.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int cli_exit_code(int status)
{
    switch(status) {
    case OC_OK: return EXIT_OK;
    case OC_EIO: return EXIT_IO;
    case OC_EARG: return EXIT_USAGE;
    default: return EXIT_MODEL;
    }
}

void cli_report(const oc_error *err)
{
    char buf[2048];
    oc_error_format(err, buf, sizeof(buf));
    fprintf(stderr, "overcap: %s\n", buf);
}

int cli_fail(int code, const char *fmt, ...)
{
    va_list ap;
    fputs("overcap: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

int cli_errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if(err && errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int cli_read_file(const char *path, long max_bytes, const char *what, char **buf, size_t *len,
                  char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    char *b = NULL;
    size_t n = 0, cap = 0, got;
    *buf = NULL;
    *len = 0;
    if(!f) {
        cli_errf(err, errlen, "%s: cannot open the %s: %s", path, what, strerror(errno));
        return EXIT_IO;
    }
    if(fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
        int e = S_ISDIR(st.st_mode) ? EISDIR : errno;
        fclose(f);
        cli_errf(err, errlen, "%s: cannot read the %s: %s", path, what, strerror(e));
        return EXIT_IO;
    }
    if(S_ISREG(st.st_mode) && st.st_size > max_bytes) {
        fclose(f);
        cli_errf(err, errlen, "%s: %lld bytes is more than a %s may hold (%ld)", path,
                 (long long)st.st_size, what, max_bytes);
        return EXIT_IO;
    }
    /* read to the end (a regular file in one go; a pipe in pieces), one
     * byte beyond the limit at most, so an endless stream is refused */
    for(;;) {
        if(n == cap) {
            size_t want = cap ? cap * 2 : (S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536);
            char *nb;
            if(want > (size_t)max_bytes + 1)
                want = (size_t)max_bytes + 1;
            if(want <= cap)
                break; /* at the limit */
            nb = realloc(b, want + 1);
            if(!nb) {
                free(b);
                fclose(f);
                cli_errf(err, errlen, "%s: out of memory reading the %s", path, what);
                return EXIT_IO;
            }
            b = nb;
            cap = want;
        }
        got = fread(b + n, 1, cap - n, f);
        n += got;
        if(got == 0)
            break;
    }
    if(ferror(f)) {
        int e = errno;
        free(b);
        fclose(f);
        cli_errf(err, errlen, "%s: cannot read the %s: %s", path, what, strerror(e));
        return EXIT_IO;
    }
    fclose(f);
    if(n > (size_t)max_bytes) {
        free(b);
        cli_errf(err, errlen, "%s: more than %ld bytes, more than a %s may hold", path, max_bytes,
                 what);
        return EXIT_IO;
    }
    if(!b && !(b = malloc(1))) {
        cli_errf(err, errlen, "%s: out of memory reading the %s", path, what);
        return EXIT_IO;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

int cli_number_arg(const char *opt, const char *v, double *out)
{
    if(cli_number(v, out) != 0)
        return cli_fail(EXIT_USAGE, "%s: '%s' is not a finite number", opt, v);
    return 0;
}

const struct oc_embedded *cli_embedded(const char *name)
{
    const struct oc_embedded *e;
    for(e = oc_embedded_files; e->name; e++)
        if(strcmp(e->name, name) == 0)
            return e;
    return NULL;
}

int cli_number(const char *s, double *out)
{
    char *end;
    double v;
    if(!s || !*s)
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if(end == s || *end != '\0' || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

void cli_format_double(char *buf, size_t size, double x)
{
    int prec;
    if(isnan(x)) {
        snprintf(buf, size, "NaN");
        return;
    }
    if(isinf(x)) {
        snprintf(buf, size, x > 0 ? "Inf" : "-Inf");
        return;
    }
    for(prec = 15; prec < 17; prec++) {
        snprintf(buf, size, "%.*g", prec, x);
        if(strtod(buf, NULL) == x)
            return;
    }
    snprintf(buf, size, "%.17g", x);
}

/* Temporary files in flight, removed if a signal ends the program. */
static char *volatile pending_tmp;

static void on_signal(int sig)
{
    char *t = pending_tmp;
    if(t)
        unlink(t);
    signal(sig, SIG_DFL);
    raise(sig);
}

int cli_out_open(cli_out *o, const char *path)
{
    size_t n;
    int fd;
    memset(o, 0, sizeof(*o));
    if(!path || strcmp(path, "-") == 0) {
        o->fp = stdout;
        return 0;
    }
    n = strlen(path);
    o->path = malloc(n + 1);
    o->tmp = malloc(n + 16);
    if(!o->path || !o->tmp) {
        free(o->path);
        free(o->tmp);
        return cli_fail(EXIT_IO, "%s: out of memory", path);
    }
    memcpy(o->path, path, n + 1);
    snprintf(o->tmp, n + 16, "%s.tmp.XXXXXX", path);
    fd = mkstemp(o->tmp);
    if(fd < 0) {
        int e = errno;
        free(o->path);
        free(o->tmp);
        o->path = o->tmp = NULL;
        return cli_fail(EXIT_IO, "%s: cannot create a file there: %s", path, strerror(e));
    }
    o->fp = fdopen(fd, "w");
    if(!o->fp) {
        close(fd);
        unlink(o->tmp);
        free(o->path);
        free(o->tmp);
        o->path = o->tmp = NULL;
        return cli_fail(EXIT_IO, "%s: cannot write: %s", path, strerror(errno));
    }
    pending_tmp = o->tmp;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    return 0;
}

void cli_out_abort(cli_out *o)
{
    if(!o->tmp) {
        if(o->fp)
            fflush(o->fp);
        return;
    }
    fclose(o->fp);
    unlink(o->tmp);
    pending_tmp = NULL;
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof(*o));
}

int cli_out_commit(cli_out *o)
{
    int bad = 0;
    if(!o->tmp) {
        if(fflush(o->fp) != 0 || ferror(o->fp))
            return cli_fail(EXIT_IO, "writing to standard output failed: %s", strerror(errno));
        return 0;
    }
    {
        /* mkstemp makes the file 0600; give it the mode a plain fopen would */
        mode_t mask = umask(0);
        umask(mask);
        if(fchmod(fileno(o->fp), (mode_t)(0666 & ~mask)) != 0)
            bad = 1;
    }
    bad = bad || fflush(o->fp) != 0 || ferror(o->fp) || fsync(fileno(o->fp)) != 0;
    if(fclose(o->fp) != 0)
        bad = 1;
    o->fp = NULL;
    if(bad || rename(o->tmp, o->path) != 0) {
        int e = errno;
        unlink(o->tmp);
        pending_tmp = NULL;
        cli_fail(EXIT_IO, "%s: cannot write: %s", o->path, strerror(e));
        free(o->path);
        free(o->tmp);
        memset(o, 0, sizeof(*o));
        return EXIT_IO;
    }
    pending_tmp = NULL;
    free(o->path);
    free(o->tmp);
    memset(o, 0, sizeof(*o));
    return 0;
}

/* A CSV field: quoted when it holds a separator, a quote or a line break. */
static void put_field(FILE *fp, const char *s, char sep)
{
    const char *p;
    int quote = sep == ',' && strpbrk(s, ",\"\n\r") != NULL;
    if(sep == '\t') {
        for(p = s; *p; p++)
            fputc(*p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p, fp);
        return;
    }
    if(!quote) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for(p = s; *p; p++) {
        if(*p == '"')
            fputc('"', fp);
        fputc(*p, fp);
    }
    fputc('"', fp);
}

static void put_json_string(FILE *fp, const char *s)
{
    const unsigned char *p;
    fputc('"', fp);
    for(p = (const unsigned char *)s; *p; p++) {
        switch(*p) {
        case '"': fputs("\\\"", fp); break;
        case '\\': fputs("\\\\", fp); break;
        case '\n': fputs("\\n", fp); break;
        case '\r': fputs("\\r", fp); break;
        case '\t': fputs("\\t", fp); break;
        default:
            if(*p < 0x20)
                fprintf(fp, "\\u%04x", *p);
            else
                fputc(*p, fp);
        }
    }
    fputc('"', fp);
}

static void put_json_number(FILE *fp, double x)
{
    char buf[40];
    if(!isfinite(x)) {
        fputs("null", fp);
        return;
    }
    cli_format_double(buf, sizeof(buf), x);
    fputs(buf, fp);
}

int cli_write_run(FILE *fp, const oc_model *m, const oc_run *r, cli_format fmt)
{
    size_t nsel = oc_run_selected_count(r), nsave = oc_run_save_count(r), i, j;
    char buf[40];
    if(fmt == FMT_JSON) {
        oc_specs s;
        oc_run_specs(r, &s);
        fputs("{\n  \"model\": ", fp);
        put_json_string(fp, oc_model_name(m));
        fputs(",\n  \"time_units\": ", fp);
        put_json_string(fp, oc_model_time_units(m));
        fputs(",\n  \"specs\": {\"start\": ", fp);
        put_json_number(fp, s.start);
        fputs(", \"stop\": ", fp);
        put_json_number(fp, s.stop);
        fputs(", \"dt\": ", fp);
        put_json_number(fp, s.dt);
        fputs(", \"save_step\": ", fp);
        put_json_number(fp, s.save_step);
        fprintf(fp, ", \"method\": \"%s\"},\n  \"variables\": [", s.method == OC_RK4 ? "rk4" : "euler");
        for(j = 0; j < nsel; j++) {
            oc_var_info info;
            oc_model_var_info(m, oc_run_selected_index(r, j), &info);
            fputs(j ? ",\n    {\"name\": " : "\n    {\"name\": ", fp);
            put_json_string(fp, info.name);
            fprintf(fp, ", \"kind\": \"%s\", \"units\": ", oc_kind_name(info.kind));
            put_json_string(fp, info.units);
            fputc('}', fp);
        }
        fputs("\n  ],\n  \"time\": [", fp);
        for(i = 0; i < nsave; i++) {
            if(i)
                fputs(", ", fp);
            put_json_number(fp, oc_run_time(r, i));
        }
        fputs("],\n  \"values\": [", fp);
        for(j = 0; j < nsel; j++) {
            fputs(j ? ",\n    [" : "\n    [", fp);
            for(i = 0; i < nsave; i++) {
                if(i)
                    fputs(", ", fp);
                put_json_number(fp, oc_run_value(r, i, j));
            }
            fputc(']', fp);
        }
        fputs("\n  ]\n}\n", fp);
        return ferror(fp) ? EXIT_IO : 0;
    }
    {
        char sep = fmt == FMT_TSV ? '\t' : ',';
        fputs("time", fp);
        for(j = 0; j < nsel; j++) {
            oc_var_info info;
            oc_model_var_info(m, oc_run_selected_index(r, j), &info);
            fputc(sep, fp);
            put_field(fp, info.name, sep);
        }
        fputc('\n', fp);
        for(i = 0; i < nsave; i++) {
            const double *row = oc_run_row(r, i);
            cli_format_double(buf, sizeof(buf), oc_run_time(r, i));
            fputs(buf, fp);
            for(j = 0; j < nsel; j++) {
                fputc(sep, fp);
                cli_format_double(buf, sizeof(buf), row[j]);
                fputs(buf, fp);
            }
            fputc('\n', fp);
        }
    }
    return ferror(fp) ? EXIT_IO : 0;
}
