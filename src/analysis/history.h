/*
 * history.h - strict CSV tables of observed series, and honest gap filling.
 *
 * The back-tests (`overcap backtest`) and the nowcast (`overcap nowcast`)
 * read observed data: sparse annual history, long tables of indicators with
 * their sources. This module reads such a file into a table of text cells,
 * converts the columns a caller asks for into numbers, checks a time column,
 * and fills gaps by linear interpolation only when the caller asks, marking
 * every filled value. It knows nothing about bubbles: the diagnosis
 * (diagnosis.h) gets the arrays.
 *
 * The format (docs/BACKTEST.md): RFC 4180 CSV. One header row naming the
 * columns (unique names); lines starting with '#' before it are comments
 * (the shipped history files carry their sources there); every data row has
 * as many fields as the header; fields may be quoted ("a, b" and "" for a
 * quote, line breaks allowed inside quotes); CRLF or LF line ends; blank
 * lines are skipped; a UTF-8 byte order mark is skipped. A numeric cell is a
 * decimal number ("12", "-0.5", "1.2e+15", spaces around allowed); an empty
 * cell is a missing value (NaN); anything else, including "nan" and "inf",
 * is an error naming the file, the line and the column.
 *
 * Limits, so that no input can make the program read or allocate without
 * bound: OCH_MAX_BYTES per file (checked from the file's size before
 * reading when it is a regular file, and while reading otherwise),
 * OCH_MAX_ROWS data rows, OCH_MAX_COLUMNS columns, OCH_MAX_CELLS cells.
 *
 * Ownership: a table is one allocation set owned by the caller (free with
 * och_table_free); every string it hands out lives as long as the table.
 * No global state: tables may be read on several threads at once.
 */
#ifndef OVERCAP_HISTORY_H
#define OVERCAP_HISTORY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OCH_MAX_BYTES ((size_t)64 << 20) /* 64 MiB */
#define OCH_MAX_ROWS ((size_t)100000)
#define OCH_MAX_COLUMNS ((size_t)1000)
#define OCH_MAX_CELLS ((size_t)8 << 20)

/* Return codes: OCH_OK is zero, errors are negative. */
typedef enum och_code {
    OCH_OK = 0,
    OCH_EARG = -1,    /* a NULL pointer or a bad argument */
    OCH_EIO = -2,     /* the file cannot be opened or read */
    OCH_ELIMIT = -3,  /* the file exceeds a size, row, column or cell limit */
    OCH_EFORMAT = -4, /* malformed CSV, a non-numeric cell, bad times */
    OCH_ENOMEM = -5   /* out of memory */
} och_code;

/* "OCH_EFORMAT" and so on; never NULL. */
const char *och_code_name(int code);

typedef struct och_table och_table;

/*
 * Reads the CSV file at path ("-" reads standard input). On success returns
 * OCH_OK and *out owns the table. On failure returns a negative och_code,
 * sets *out to NULL and writes a one-line message into err (when err is not
 * NULL and errlen > 0) that begins with the file name and, for format
 * errors, the line: "railway.csv:7: 5 fields, the header has 22".
 */
int och_table_read_file(const char *path, och_table **out, char *err, size_t errlen);

/* The same on text already in memory; name is used in messages. The data is
 * copied: the caller may free it after the call. */
int och_table_read_buffer(const char *data, size_t len, const char *name, och_table **out,
                          char *err, size_t errlen);

/* Frees a table. NULL is allowed. */
void och_table_free(och_table *t);

/* The name given (the path, or the buffer's name). */
const char *och_table_name(const och_table *t);
size_t och_table_rows(const och_table *t);
size_t och_table_columns(const och_table *t);
/* The header line's number in the file (1-based). */
size_t och_table_header_line(const och_table *t);
/* Column names, 0-based. NULL when col is out of range. */
const char *och_table_column_name(const och_table *t, size_t col);
/* The text of a cell (unquoted, never NULL for valid indices; "" when
 * empty). NULL when out of range. */
const char *och_table_cell(const och_table *t, size_t row, size_t col);
/* The file line on which a data row starts (1-based); 0 when out of range. */
size_t och_table_line(const och_table *t, size_t row);
/* The comment lines before the header, without their leading "#" and one
 * space, joined with '\n'; "" when there are none. */
const char *och_table_comments(const och_table *t);

/* Finds a column by exact name. Returns OCH_OK and *col, or OCH_EARG when
 * there is no such column (and writes a message listing up to a few
 * column names, "no column 'x' in f.csv (columns: year, a, b, ...)"). */
int och_table_find(const och_table *t, const char *name, size_t *col, char *err, size_t errlen);

/*
 * Converts column col to numbers, one per data row, into out (room for
 * och_table_rows values). Empty cells give NaN. A cell that is not a
 * decimal number, or whose value is not finite, is an OCH_EFORMAT error:
 * "f.csv:12: column 'demand' (column 3): 'n/a' is not a number".
 */
int och_table_numbers(const och_table *t, size_t col, double *out, char *err, size_t errlen);

/*
 * Checks a time column already converted with och_table_numbers: every
 * value present and strictly increasing. Errors name the lines:
 * "f.csv:9: year 1847 repeats line 8", "f.csv:9: year 1846 comes after
 * 1847 (line 8): rows must be sorted by year", "f.csv:9: no year". label is
 * the column's name as shown ("year").
 */
int och_check_times(const och_table *t, const double *time, const char *label, char *err,
                    size_t errlen);

/*
 * Fills the interior gaps of y (NaN values with an observed value on both
 * sides in time) by linear interpolation in time, and sets filled[i] to 1
 * for every value it fills (0 elsewhere; filled may be NULL). Leading and
 * trailing gaps stay NaN: the module never extrapolates. t must be strictly
 * increasing. Returns the number of values filled.
 */
size_t och_fill_linear(const double *t, double *y, unsigned char *filled, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* OVERCAP_HISTORY_H */
