/*
 * cli.h - what the command-line modules share.
 *
 * Exit codes are part of the interface (documented in `overcap --help`):
 *   0 success, 1 model error, 2 usage error, 3 input/output error.
 */
#ifndef OC_CLI_H
#define OC_CLI_H

#include <stdio.h>

#include "overcap.h"

enum { EXIT_OK = 0, EXIT_MODEL = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

/* The exit code for an engine status. */
int cli_exit_code(int status);

/* Prints "overcap: <formatted error>" on stderr. */
void cli_report(const oc_error *err);

/* Prints "overcap: message" on stderr; returns code. */
int cli_fail(int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Formats a message into err (when errlen > 0); returns -1, so a failure
 * is one line: return cli_errf(err, errlen, ...). */
int cli_errf(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Reads a whole file of at most max_bytes (a regular file, or a pipe read
 * to its end) into a new NUL-terminated buffer. Returns 0, or EXIT_IO with a
 * message naming the file, `what` it is and the system's reason. */
int cli_read_file(const char *path, long max_bytes, const char *what, char **buf, size_t *len,
                  char *err, size_t errlen);

/* A file built into the binary (build/embedded.c: the model, scenarios,
 * uncertainty spec and data); the list ends with a NULL name. */
struct oc_embedded {
    const char *name;
    const unsigned char *data;
    size_t size;
};
extern const struct oc_embedded oc_embedded_files[];

/* The built-in file of that name, or NULL. */
const struct oc_embedded *cli_embedded(const char *name);

/* Parses a whole string as a finite number. Returns 0 on success. */
int cli_number(const char *s, double *out);

/* The same for the value v of option opt: 0, or EXIT_USAGE after saying
 * "OPT: 'V' is not a finite number". */
int cli_number_arg(const char *opt, const char *v, double *out);

/* The shortest text that reads back as exactly x ("%.15g" to "%.17g"). */
void cli_format_double(char *buf, size_t size, double x);

/* An output file written atomically: data goes to a temporary file in the
 * same directory, renamed over the target only when complete. With path
 * NULL or "-" it is stdout. */
typedef struct cli_out {
    FILE *fp;
    char *path;
    char *tmp;
} cli_out;

int cli_out_open(cli_out *o, const char *path);
/* Flushes, syncs and renames. Returns 0 or EXIT_IO (and removes the
 * temporary file). */
int cli_out_commit(cli_out *o);
/* Abandons the output: removes the temporary file. */
void cli_out_abort(cli_out *o);

typedef enum cli_format { FMT_CSV = 0, FMT_TSV, FMT_JSON } cli_format;

/* Writes a run's saved series. */
int cli_write_run(FILE *fp, const oc_model *m, const oc_run *r, cli_format fmt);

/* Writes a run's series to path (NULL or "-": standard output), atomically. */
int cli_write_series_file(const oc_model *m, const oc_run *r, const char *path, cli_format fmt);

/* Loads a model file, or the built-in model when path is NULL. */
int cli_load_model(const char *path, oc_model **out, oc_error *err);

struct scenario;

/* The built-in model's report: verdict, key series, assumptions. */
int market_report(const oc_model *m, const oc_run *r, const struct scenario *sc, FILE *fp);

/* The commands. argv[0] is the command name. */
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_diagnose(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_critical(int argc, char **argv);
int cmd_backtest(int argc, char **argv);
int cmd_nowcast(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_serve(int argc, char **argv);

void help_run(FILE *fp);
void help_check(FILE *fp);
void help_diagnose(FILE *fp);
void help_compare(FILE *fp);
void help_critical(FILE *fp);
void help_backtest(FILE *fp);
void help_nowcast(FILE *fp);
void help_plot(FILE *fp);
void help_report(FILE *fp);
void help_serve(FILE *fp);

#endif
