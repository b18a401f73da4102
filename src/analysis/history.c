/*
 * history.c - strict CSV tables and gap filling (see history.h for the
 * format and the contract, docs/internals/history.md for the design).
 *
 * Reading is two steps. The bytes of the file are read whole, with a hard
 * limit checked before allocating (the size of a regular file is known from
 * fstat; a pipe is read until the limit is passed). Then one pass over the
 * bytes splits records and fields, unquotes them into one growing text
 * buffer (cells end with NUL) and records each cell as a 32-bit offset into
 * it: a 64 MiB file fits in 32 bits, and offsets survive the buffer's
 * reallocation where pointers would not. Row, column and cell counts are
 * capped while parsing, so memory is bounded by a small multiple of the
 * input's size whatever the input is.
 *
 * Invariants: a table's cells are NUL-terminated; the header's names are
 * trimmed of surrounding blanks and unique; every data row has exactly as
 * many cells as the header. Numbers are converted on demand, per column,
 * so text columns (notes, sources) never need to be numeric.
 */
#include "history.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__GNUC__)
#define OCH_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define OCH_PRINTF(fmt, args)
#endif

/* How many column names a "no such column" message lists. */
#define OCH_LIST_COLUMNS 12
/* Bytes read from a pipe at a time. */
#define OCH_READ_CHUNK ((size_t)1 << 16)

struct och_table {
    char *name;
    char *text;        /* the cells, each NUL-terminated, back to back */
    uint32_t *cell_at; /* offsets into text: the header's cells, then the
                          rows' cells, row-major */
    size_t *line;      /* the file line each data row starts on */
    size_t rows;
    size_t cols;
    size_t header_line;
    char *comments;
};

const char *och_code_name(int code)
{
    switch (code) {
    case OCH_OK:
        return "OCH_OK";
    case OCH_EARG:
        return "OCH_EARG";
    case OCH_EIO:
        return "OCH_EIO";
    case OCH_ELIMIT:
        return "OCH_ELIMIT";
    case OCH_EFORMAT:
        return "OCH_EFORMAT";
    case OCH_ENOMEM:
        return "OCH_ENOMEM";
    default:
        return "OCH_UNKNOWN";
    }
}

/* Writes a message into the caller's buffer (when there is one) and passes
 * the code through, so that a failure is one line: return och_fail(...). */
static int och_fail(char *err, size_t errlen, int code, const char *fmt, ...) OCH_PRINTF(4, 5);

static int och_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen > 0) {
        va_start(ap, fmt);
        /* A truncated message is still a message. */
        (void)vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ------------------------------------------------------------------ */
/* Growing arrays with hard limits                                     */
/* ------------------------------------------------------------------ */

/* Makes room for `need` elements of `size` bytes in *arr (capacity *cap),
 * doubling. Returns 0, or -1 when out of memory. The callers' limits keep
 * need * size far below SIZE_MAX. */
static int och_reserve(void **arr, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 64;
    void *p;

    if (need <= *cap)
        return 0;
    while (n < need)
        n *= 2;
    p = realloc(*arr, n * size);
    if (!p)
        return -1;
    *arr = p;
    *cap = n;
    return 0;
}

/* The table under construction. */
typedef struct och_builder {
    const char *name;
    char *text;
    size_t text_len, text_cap;
    uint32_t *cell_at;
    size_t cells, cells_cap;
    size_t *line;
    size_t lines_cap;
    char *comments;
    size_t comments_len, comments_cap;
    char *err;
    size_t errlen;
} och_builder;

static int och_put_char(och_builder *b, char c)
{
    if (och_reserve((void **)&b->text, &b->text_cap, b->text_len + 1, 1))
        return och_fail(b->err, b->errlen, OCH_ENOMEM, "%s: out of memory", b->name);
    b->text[b->text_len++] = c;
    return OCH_OK;
}

/* Starts a new cell at the end of the text. */
static int och_begin_cell(och_builder *b)
{
    if (b->cells >= OCH_MAX_CELLS)
        return och_fail(b->err, b->errlen, OCH_ELIMIT,
                        "%s: more than %zu cells, the limit for a CSV file", b->name,
                        OCH_MAX_CELLS);
    if (och_reserve((void **)&b->cell_at, &b->cells_cap, b->cells + 1, sizeof(uint32_t)))
        return och_fail(b->err, b->errlen, OCH_ENOMEM, "%s: out of memory", b->name);
    /* The text stays below OCH_MAX_BYTES plus one NUL per cell, far below
     * 2^32, so the offset fits. */
    b->cell_at[b->cells++] = (uint32_t)b->text_len;
    return OCH_OK;
}

static int och_put_comment(och_builder *b, const char *s, size_t n)
{
    size_t need = b->comments_len + n + 2;

    if (och_reserve((void **)&b->comments, &b->comments_cap, need, 1))
        return och_fail(b->err, b->errlen, OCH_ENOMEM, "%s: out of memory", b->name);
    if (b->comments_len > 0)
        b->comments[b->comments_len++] = '\n';
    memcpy(b->comments + b->comments_len, s, n);
    b->comments_len += n;
    b->comments[b->comments_len] = '\0';
    return OCH_OK;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

/* The 1-based line of byte offset pos. Only used for messages. */
static size_t och_line_of(const char *s, size_t pos)
{
    size_t line = 1, i;

    for (i = 0; i < pos; i++) {
        if (s[i] == '\n')
            line++;
    }
    return line;
}

static int och_is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Trims blanks around the cell's text in place: moves the offset forward
 * and the NUL back. */
static void och_trim_cell(och_builder *b, size_t cell)
{
    char *s = b->text + b->cell_at[cell];
    size_t n = strlen(s), start = 0;

    while (n > 0 && och_is_blank(s[n - 1]))
        n--;
    s[n] = '\0';
    while (start < n && och_is_blank(s[start]))
        start++;
    b->cell_at[cell] += (uint32_t)start;
}

/* Parses one record starting at *pos: fields separated by commas, ended by
 * an unquoted line break or the end of the data. Each field becomes a cell.
 * *line is the current line number and advances over line breaks, also
 * those inside quotes. *fields receives the number of fields. */
static int och_parse_record(och_builder *b, const char *s, size_t len, size_t *pos, size_t *line,
                            size_t *fields)
{
    size_t p = *pos, count = 0;
    int rc;

    for (;;) {
        size_t field_no = count + 1;

        rc = och_begin_cell(b);
        if (rc)
            return rc;
        count++;
        if (p < len && s[p] == '"') {
            size_t opened = *line;

            p++;
            for (;;) {
                if (p >= len)
                    return och_fail(b->err, b->errlen, OCH_EFORMAT,
                                    "%s:%zu: field %zu: a quoted field opened on line %zu is "
                                    "never closed",
                                    b->name, *line, field_no, opened);
                if (s[p] == '"') {
                    if (p + 1 < len && s[p + 1] == '"') {
                        rc = och_put_char(b, '"');
                        p += 2;
                    } else {
                        p++;
                        break;
                    }
                } else {
                    if (s[p] == '\n')
                        (*line)++;
                    rc = och_put_char(b, s[p]);
                    p++;
                }
                if (rc)
                    return rc;
            }
            /* Only a separator or the end of the record may follow. */
            if (p < len && s[p] != ',' && s[p] != '\n' &&
                !(s[p] == '\r' && p + 1 < len && s[p + 1] == '\n') &&
                !(s[p] == '\r' && p + 1 == len))
                return och_fail(b->err, b->errlen, OCH_EFORMAT,
                                "%s:%zu: field %zu: text after the closing quote", b->name, *line,
                                field_no);
        } else {
            while (p < len && s[p] != ',' && s[p] != '\n') {
                if (s[p] == '\r' && (p + 1 == len || s[p + 1] == '\n'))
                    break;
                if (s[p] == '"')
                    return och_fail(b->err, b->errlen, OCH_EFORMAT,
                                    "%s:%zu: field %zu: a quote inside an unquoted field "
                                    "(quote the whole field and double the quote)",
                                    b->name, *line, field_no);
                rc = och_put_char(b, s[p]);
                if (rc)
                    return rc;
                p++;
            }
        }
        rc = och_put_char(b, '\0');
        if (rc)
            return rc;
        if (p < len && s[p] == ',') {
            p++;
            continue;
        }
        /* End of the record: skip its line break. */
        if (p < len && s[p] == '\r')
            p++;
        if (p < len && s[p] == '\n') {
            p++;
            (*line)++;
        }
        break;
    }
    *pos = p;
    *fields = count;
    return OCH_OK;
}

/* The length of the line starting at p, without its line break. */
static size_t och_line_length(const char *s, size_t len, size_t p)
{
    size_t q = p;

    while (q < len && s[q] != '\n')
        q++;
    if (q > p && s[q - 1] == '\r')
        q--;
    return q - p;
}

/* Advances p past the line starting there, counting it. */
static size_t och_skip_line(const char *s, size_t len, size_t p, size_t *line)
{
    while (p < len && s[p] != '\n')
        p++;
    if (p < len) {
        p++;
        (*line)++;
    }
    return p;
}

static int och_parse(och_builder *b, const char *s, size_t len, size_t *rows_out,
                     size_t *cols_out, size_t *header_line_out)
{
    size_t pos = 0, line = 1, cols = 0, rows = 0, header_line = 0, fields = 0, i;
    const char *nul;
    int rc;

    nul = memchr(s, '\0', len);
    if (nul)
        return och_fail(b->err, b->errlen, OCH_EFORMAT,
                        "%s:%zu: a NUL byte: this is not a text file", b->name,
                        och_line_of(s, (size_t)(nul - s)));
    /* A UTF-8 byte order mark, as some spreadsheets write, is not data. */
    if (len >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
        (unsigned char)s[2] == 0xBF)
        pos = 3;

    while (pos < len) {
        size_t n = och_line_length(s, len, pos);
        size_t start_line = line;

        if (n == 0) {
            pos = och_skip_line(s, len, pos, &line);
            continue;
        }
        if (header_line == 0 && s[pos] == '#') {
            size_t from = pos + 1;

            if (from < pos + n && s[from] == ' ')
                from++;
            rc = och_put_comment(b, s + from, pos + n - from);
            if (rc)
                return rc;
            pos = och_skip_line(s, len, pos, &line);
            continue;
        }
        rc = och_parse_record(b, s, len, &pos, &line, &fields);
        if (rc)
            return rc;
        if (header_line == 0) {
            header_line = start_line;
            cols = fields;
            if (cols > OCH_MAX_COLUMNS)
                return och_fail(b->err, b->errlen, OCH_ELIMIT,
                                "%s:%zu: %zu columns, more than the limit of %zu", b->name,
                                start_line, cols, OCH_MAX_COLUMNS);
            continue;
        }
        if (fields != cols)
            return och_fail(b->err, b->errlen, OCH_EFORMAT,
                            "%s:%zu: %zu field%s, the header (line %zu) has %zu", b->name,
                            start_line, fields, fields == 1 ? "" : "s", header_line, cols);
        if (rows >= OCH_MAX_ROWS)
            return och_fail(b->err, b->errlen, OCH_ELIMIT,
                            "%s:%zu: more than %zu data rows, the limit for a CSV file",
                            b->name, start_line, OCH_MAX_ROWS);
        if (och_reserve((void **)&b->line, &b->lines_cap, rows + 1, sizeof(size_t)))
            return och_fail(b->err, b->errlen, OCH_ENOMEM, "%s: out of memory", b->name);
        b->line[rows++] = start_line;
    }

    if (header_line == 0)
        return och_fail(b->err, b->errlen, OCH_EFORMAT,
                        "%s: empty file: no header row (the first line that is not a comment "
                        "names the columns)",
                        b->name);
    if (rows == 0)
        return och_fail(b->err, b->errlen, OCH_EFORMAT,
                        "%s:%zu: a header but no data rows", b->name, header_line);

    /* Header names: trimmed, and unique so that a mapping is unambiguous. */
    for (i = 0; i < cols; i++)
        och_trim_cell(b, i);
    for (i = 0; i < cols; i++) {
        const char *a = b->text + b->cell_at[i];
        size_t j;

        if (a[0] == '\0')
            continue;
        for (j = i + 1; j < cols; j++) {
            if (strcmp(a, b->text + b->cell_at[j]) == 0)
                return och_fail(b->err, b->errlen, OCH_EFORMAT,
                                "%s:%zu: column '%s' appears twice (columns %zu and %zu)", b->name,
                                header_line, a, i + 1, j + 1);
        }
    }
    *rows_out = rows;
    *cols_out = cols;
    *header_line_out = header_line;
    return OCH_OK;
}

int och_table_read_buffer(const char *data, size_t len, const char *name, och_table **out,
                          char *err, size_t errlen)
{
    och_builder b;
    och_table *t = NULL;
    size_t rows = 0, cols = 0, header_line = 0, name_len;
    int rc;

    if (out)
        *out = NULL;
    if (!out || (!data && len > 0))
        return och_fail(err, errlen, OCH_EARG, "och_table_read_buffer: %s is NULL",
                        !out ? "out" : "data");
    if (!name)
        name = "(buffer)";
    if (len > OCH_MAX_BYTES)
        return och_fail(err, errlen, OCH_ELIMIT,
                        "%s: %zu bytes (%.1f MiB), more than the %zu MiB a CSV file may have",
                        name, len, (double)len / 1048576.0, OCH_MAX_BYTES >> 20);

    memset(&b, 0, sizeof(b));
    b.name = name;
    b.err = err;
    b.errlen = errlen;
    rc = och_parse(&b, data ? data : "", len, &rows, &cols, &header_line);
    if (rc)
        goto fail;

    t = calloc(1, sizeof(*t));
    name_len = strlen(name);
    if (t)
        t->name = malloc(name_len + 1);
    if (!t || !t->name) {
        rc = och_fail(err, errlen, OCH_ENOMEM, "%s: out of memory", name);
        goto fail;
    }
    memcpy(t->name, name, name_len + 1);
    t->text = b.text;
    t->cell_at = b.cell_at;
    t->line = b.line;
    t->comments = b.comments;
    t->rows = rows;
    t->cols = cols;
    t->header_line = header_line;
    *out = t;
    return OCH_OK;

fail:
    if (t)
        free(t->name);
    free(t);
    free(b.text);
    free(b.cell_at);
    free(b.line);
    free(b.comments);
    return rc;
}

/* Reads a whole file descriptor, never more than OCH_MAX_BYTES. */
static int och_read_fd(int fd, const char *path, char **data, size_t *len, char *err,
                       size_t errlen)
{
    struct stat st;
    char *buf = NULL;
    size_t used = 0, cap = 0;
    int rc = OCH_OK;

    if (fstat(fd, &st) != 0)
        return och_fail(err, errlen, OCH_EIO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return och_fail(err, errlen, OCH_EIO, "%s: is a directory, not a CSV file", path);
    /* Refuse a large regular file from its size alone, before reading or
     * allocating anything: a sparse 1 GiB file costs nothing to check. */
    if (S_ISREG(st.st_mode) && st.st_size >= 0 && (uintmax_t)st.st_size > OCH_MAX_BYTES)
        return och_fail(err, errlen, OCH_ELIMIT,
                        "%s: %ju bytes (%.1f MiB), more than the %zu MiB a CSV file may have",
                        path, (uintmax_t)st.st_size, (double)st.st_size / 1048576.0,
                        OCH_MAX_BYTES >> 20);
    /* A regular file's size is known: one read of size + 1 bytes finds the
     * end. Otherwise (a pipe) the buffer doubles from one chunk. */
    cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : OCH_READ_CHUNK;
    buf = malloc(cap);
    if (!buf)
        return och_fail(err, errlen, OCH_ENOMEM, "%s: out of memory", path);

    for (;;) {
        ssize_t got;

        if (used == cap) {
            size_t grow = cap;
            char *p;

            if (cap > OCH_MAX_BYTES) {
                rc = och_fail(err, errlen, OCH_ELIMIT,
                              "%s: more than the %zu MiB a CSV file may have", path,
                              OCH_MAX_BYTES >> 20);
                goto done;
            }
            p = realloc(buf, cap + grow);
            if (!p) {
                rc = och_fail(err, errlen, OCH_ENOMEM, "%s: out of memory", path);
                goto done;
            }
            buf = p;
            cap += grow;
        }
        got = read(fd, buf + used, cap - used);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            rc = och_fail(err, errlen, OCH_EIO, "%s: %s", path, strerror(errno));
            goto done;
        }
        if (got == 0)
            break;
        used += (size_t)got;
        if (used > OCH_MAX_BYTES) {
            rc = och_fail(err, errlen, OCH_ELIMIT,
                          "%s: more than the %zu MiB a CSV file may have", path,
                          OCH_MAX_BYTES >> 20);
            goto done;
        }
    }
done:
    if (rc) {
        free(buf);
        return rc;
    }
    *data = buf;
    *len = used;
    return OCH_OK;
}

int och_table_read_file(const char *path, och_table **out, char *err, size_t errlen)
{
    char *data = NULL;
    size_t len = 0;
    int fd, rc, is_stdin;

    if (out)
        *out = NULL;
    if (!path || !out)
        return och_fail(err, errlen, OCH_EARG, "och_table_read_file: %s is NULL",
                        !path ? "path" : "out");
    is_stdin = strcmp(path, "-") == 0;
    if (is_stdin) {
        fd = STDIN_FILENO;
    } else {
        fd = open(path, O_RDONLY);
        if (fd < 0)
            return och_fail(err, errlen, OCH_EIO, "%s: %s", path, strerror(errno));
    }
    rc = och_read_fd(fd, is_stdin ? "(standard input)" : path, &data, &len, err, errlen);
    if (!is_stdin)
        close(fd);
    if (rc)
        return rc;
    rc = och_table_read_buffer(data, len, is_stdin ? "(standard input)" : path, out, err,
                               errlen);
    free(data);
    return rc;
}

void och_table_free(och_table *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->text);
    free(t->cell_at);
    free(t->line);
    free(t->comments);
    free(t);
}

/* ------------------------------------------------------------------ */
/* Access                                                              */
/* ------------------------------------------------------------------ */

const char *och_table_name(const och_table *t)
{
    return t ? t->name : "";
}

size_t och_table_rows(const och_table *t)
{
    return t ? t->rows : 0;
}

size_t och_table_columns(const och_table *t)
{
    return t ? t->cols : 0;
}

size_t och_table_header_line(const och_table *t)
{
    return t ? t->header_line : 0;
}

const char *och_table_column_name(const och_table *t, size_t col)
{
    if (!t || col >= t->cols)
        return NULL;
    return t->text + t->cell_at[col];
}

const char *och_table_cell(const och_table *t, size_t row, size_t col)
{
    if (!t || row >= t->rows || col >= t->cols)
        return NULL;
    return t->text + t->cell_at[(row + 1) * t->cols + col];
}

size_t och_table_line(const och_table *t, size_t row)
{
    if (!t || row >= t->rows)
        return 0;
    return t->line[row];
}

const char *och_table_comments(const och_table *t)
{
    return t && t->comments ? t->comments : "";
}

int och_table_find(const och_table *t, const char *name, size_t *col, char *err, size_t errlen)
{
    char list[512];
    size_t i, used = 0;

    if (!t || !name || !col)
        return och_fail(err, errlen, OCH_EARG, "och_table_find: NULL argument");
    for (i = 0; i < t->cols; i++) {
        if (strcmp(och_table_column_name(t, i), name) == 0) {
            *col = i;
            return OCH_OK;
        }
    }
    list[0] = '\0';
    for (i = 0; i < t->cols && i < OCH_LIST_COLUMNS; i++) {
        int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                         och_table_column_name(t, i));

        if (w < 0 || (size_t)w >= sizeof(list) - used)
            break;
        used += (size_t)w;
    }
    return och_fail(err, errlen, OCH_EARG, "no column '%s' in %s (columns: %s%s)", name, t->name,
                    list, t->cols > OCH_LIST_COLUMNS ? ", ..." : "");
}

/* Parses a whole cell as a decimal number: optional sign, digits with an
 * optional decimal point (at least one digit), an optional exponent;
 * blanks around it are allowed. Returns 1 for an empty cell (*out NaN), 0
 * for a number, -1 for anything else. Spelled-out "nan", "inf" and hex
 * floats, which strtod would accept, are refused: no measurement is
 * written that way, and a typo must not pass as data. */
static int och_parse_number(const char *s, double *out)
{
    const char *p = s, *start, *end;
    char *stop;
    int digits = 0;
    double v;

    while (och_is_blank(*p))
        p++;
    if (*p == '\0') {
        *out = (double)NAN;
        return 1;
    }
    start = p;
    if (*p == '+' || *p == '-')
        p++;
    while (*p >= '0' && *p <= '9') {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
    }
    if (digits == 0)
        return -1;
    if (*p == 'e' || *p == 'E') {
        int exp_digits = 0;

        p++;
        if (*p == '+' || *p == '-')
            p++;
        while (*p >= '0' && *p <= '9') {
            p++;
            exp_digits++;
        }
        if (exp_digits == 0)
            return -1;
    }
    end = p;
    while (och_is_blank(*p))
        p++;
    if (*p != '\0')
        return -1;
    errno = 0;
    v = strtod(start, &stop);
    if (stop != end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int och_table_numbers(const och_table *t, size_t col, double *out, char *err, size_t errlen)
{
    size_t i;

    if (!t || !out || col >= t->cols)
        return och_fail(err, errlen, OCH_EARG, "och_table_numbers: bad argument");
    for (i = 0; i < t->rows; i++) {
        const char *cell = t->text + t->cell_at[(i + 1) * t->cols + col];

        if (och_parse_number(cell, &out[i]) < 0)
            return och_fail(err, errlen, OCH_EFORMAT,
                            "%s:%zu: column '%s' (column %zu): '%.40s%s' is not a number",
                            t->name, t->line[i], och_table_column_name(t, col), col + 1, cell,
                            strlen(cell) > 40 ? "..." : "");
    }
    return OCH_OK;
}

int och_check_times(const och_table *t, const double *time, const char *label, char *err,
                    size_t errlen)
{
    size_t i;

    if (!t || !time)
        return och_fail(err, errlen, OCH_EARG, "och_check_times: NULL argument");
    if (!label)
        label = "time";
    for (i = 0; i < t->rows; i++) {
        if (isnan(time[i]))
            return och_fail(err, errlen, OCH_EFORMAT, "%s:%zu: no %s (the cell is empty)",
                            t->name, t->line[i], label);
        if (i == 0)
            continue;
        if (time[i] == time[i - 1])
            return och_fail(err, errlen, OCH_EFORMAT, "%s:%zu: %s %.10g repeats line %zu",
                            t->name, t->line[i], label, time[i], t->line[i - 1]);
        if (time[i] < time[i - 1])
            return och_fail(err, errlen, OCH_EFORMAT,
                            "%s:%zu: %s %.10g comes after %.10g (line %zu): rows must be "
                            "sorted by %s",
                            t->name, t->line[i], label, time[i], time[i - 1], t->line[i - 1],
                            label);
    }
    return OCH_OK;
}

/* ------------------------------------------------------------------ */
/* Gaps                                                                */
/* ------------------------------------------------------------------ */

size_t och_fill_linear(const double *t, double *y, unsigned char *filled, size_t n)
{
    size_t i, last = n, count = 0;

    if (!t || !y)
        return 0;
    if (filled)
        memset(filled, 0, n);
    /* last: the latest observed index seen so far (n: none yet). */
    for (i = 0; i < n; i++) {
        size_t k;

        if (isnan(y[i]))
            continue;
        if (last != n && i > last + 1) {
            for (k = last + 1; k < i; k++) {
                double w = (t[k] - t[last]) / (t[i] - t[last]);

                y[k] = y[last] + w * (y[i] - y[last]);
                if (filled)
                    filled[k] = 1;
                count++;
            }
        }
        last = i;
    }
    return count;
}
