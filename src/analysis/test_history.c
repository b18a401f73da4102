/*
 * test_history.c - the strict CSV reader and the gap filling (history.h).
 *
 * Each malformed input must fail with the right code and a message naming
 * the file and the line (and the column for cells); good inputs must parse
 * exactly, quotes, comments and line ends included; the size limit must
 * refuse a large sparse file from its size alone; interpolation fills only
 * interior gaps and marks them. Prints "N passed, N failed" last.
 */
#include "history.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int passed, failed;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            passed++;                                                                              \
        } else {                                                                                   \
            failed++;                                                                              \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                            \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
        }                                                                                          \
    } while (0)

/* Parses text; returns the code and leaves the message in err. */
static int parse(const char *text, och_table **t, char *err, size_t errlen)
{
    return och_table_read_buffer(text, strlen(text), "t.csv", t, err, errlen);
}

/* Expects text to fail with code and a message containing want. */
static void expect_error(const char *text, int code, const char *want)
{
    och_table *t = NULL;
    char err[512] = "";
    int rc = parse(text, &t, err, sizeof(err));

    CHECK(rc == code, "'%s': code %s, expected %s (%s)", text, och_code_name(rc),
          och_code_name(code), err);
    CHECK(t == NULL, "a failed read returns no table");
    CHECK(strstr(err, want) != NULL, "'%s': message '%s' lacks '%s'", text, err, want);
    och_table_free(t);
}

static void test_good(void)
{
    const char *text = "\xEF\xBB\xBF# sources: somewhere\n"
                       "#caveats: sparse\n"
                       "year, capacity ,demand,note\r\n"
                       "1844,3051,2241,\"a, quoted \"\"note\"\"\"\r\n"
                       "\n"
                       "1845,5867,,\"two\nlines\"\n"
                       "1846, 1.5e3 ,-2,plain\n";
    och_table *t = NULL;
    char err[512] = "";
    double v[3];
    size_t col = 99;
    int rc = parse(text, &t, err, sizeof(err));

    CHECK(rc == OCH_OK, "good table parses: %s", err);
    if (rc != OCH_OK)
        return;
    CHECK(och_table_rows(t) == 3, "3 data rows, got %zu", och_table_rows(t));
    CHECK(och_table_columns(t) == 4, "4 columns");
    CHECK(och_table_header_line(t) == 3, "header on line 3");
    CHECK(strcmp(och_table_column_name(t, 1), "capacity") == 0, "header names are trimmed");
    CHECK(strcmp(och_table_comments(t), "sources: somewhere\ncaveats: sparse") == 0,
          "comments kept: '%s'", och_table_comments(t));
    CHECK(strcmp(och_table_cell(t, 0, 3), "a, quoted \"note\"") == 0, "quotes: '%s'",
          och_table_cell(t, 0, 3));
    CHECK(strcmp(och_table_cell(t, 1, 3), "two\nlines") == 0, "line break inside quotes");
    CHECK(och_table_line(t, 0) == 4 && och_table_line(t, 1) == 6 && och_table_line(t, 2) == 8,
          "row lines 4, 6, 8: %zu %zu %zu", och_table_line(t, 0), och_table_line(t, 1),
          och_table_line(t, 2));
    CHECK(och_table_find(t, "demand", &col, err, sizeof(err)) == OCH_OK && col == 2,
          "find demand");
    CHECK(och_table_find(t, "nothing", &col, err, sizeof(err)) == OCH_EARG, "no such column");
    CHECK(strstr(err, "no column 'nothing' in t.csv (columns: year, capacity, demand, note)"),
          "the message lists the columns: %s", err);
    rc = och_table_numbers(t, 1, v, err, sizeof(err));
    CHECK(rc == OCH_OK && v[0] == 3051 && v[1] == 5867 && v[2] == 1500, "numbers with blanks");
    rc = och_table_numbers(t, 2, v, err, sizeof(err));
    CHECK(rc == OCH_OK && v[0] == 2241 && isnan(v[1]) && v[2] == -2, "empty cell is NaN");
    rc = och_table_numbers(t, 0, v, err, sizeof(err));
    CHECK(rc == OCH_OK && och_check_times(t, v, "year", err, sizeof(err)) == OCH_OK,
          "years increase");
    rc = och_table_numbers(t, 3, v, err, sizeof(err));
    CHECK(rc == OCH_EFORMAT, "a text column is not numeric");
    CHECK(strstr(err, "t.csv:4: column 'note' (column 4): 'a, quoted \"note\"' is not a number"),
          "message names file, line and column: %s", err);
    CHECK(och_table_cell(t, 3, 0) == NULL && och_table_column_name(t, 4) == NULL,
          "out of range is NULL");
    och_table_free(t);
}

static void test_numbers(void)
{
    static const char *bad[] = {"nan", "inf", "-Infinity", "0x10", "1,5", "12abc", "--1",
                                "1e",  ".",   "e5",        "1 2",  "+",   "1e400"};
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char text[128], want[128];
        int quoted = strchr(bad[i], ',') != NULL;

        snprintf(text, sizeof(text), "year,x\n2000,%s%s%s\n", quoted ? "\"" : "", bad[i],
                 quoted ? "\"" : "");
        snprintf(want, sizeof(want), "t.csv:2: column 'x' (column 2): '%s' is not a number",
                 bad[i]);
        {
            och_table *t = NULL;
            char err[512] = "";
            double v[1];
            int rc = parse(text, &t, err, sizeof(err));

            CHECK(rc == OCH_OK, "'%s' parses as text", bad[i]);
            if (rc == OCH_OK) {
                rc = och_table_numbers(t, 1, v, err, sizeof(err));
                CHECK(rc == OCH_EFORMAT, "'%s' is not a number", bad[i]);
                CHECK(strstr(err, want) != NULL, "message '%s'", err);
            }
            och_table_free(t);
        }
    }
    {
        och_table *t = NULL;
        char err[256];
        double v[4];
        int rc = parse("x\n-0.5\n+3.\n.25E+2\n1e-3\n", &t, err, sizeof(err));

        CHECK(rc == OCH_OK && och_table_numbers(t, 0, v, err, sizeof(err)) == OCH_OK &&
                  v[0] == -0.5 && v[1] == 3.0 && v[2] == 25.0 && v[3] == 0.001,
              "decimal forms");
        och_table_free(t);
    }
}

static void test_malformed(void)
{
    expect_error("", OCH_EFORMAT, "t.csv: empty file: no header row");
    expect_error("# only a comment\n\n", OCH_EFORMAT, "empty file");
    expect_error("year,a\n", OCH_EFORMAT, "t.csv:1: a header but no data rows");
    expect_error("year,a\n1,2\n3\n", OCH_EFORMAT, "t.csv:3: 1 field, the header (line 1) has 2");
    expect_error("year,a\n1,2,3\n", OCH_EFORMAT, "t.csv:2: 3 fields, the header (line 1) has 2");
    expect_error("year,a,year\n1,2,3\n", OCH_EFORMAT,
                 "t.csv:1: column 'year' appears twice (columns 1 and 3)");
    expect_error("year,a\n1,\"open\n2,3\n", OCH_EFORMAT,
                 "a quoted field opened on line 2 is never closed");
    expect_error("year,a\n1,\"x\"y\n", OCH_EFORMAT, "t.csv:2: field 2: text after the closing");
    expect_error("year,a\n1,x\"y\n", OCH_EFORMAT, "t.csv:2: field 2: a quote inside an unquoted");
    {
        const char text[] = "year,a\n1,2\n3,\0\n";
        och_table *t = NULL;
        char err[256] = "";
        int rc = och_table_read_buffer(text, sizeof(text) - 1, "t.csv", &t, err, sizeof(err));

        CHECK(rc == OCH_EFORMAT && strstr(err, "t.csv:3: a NUL byte"), "NUL byte: %s", err);
    }
}

static void test_times(void)
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        {"year,a\n1844,1\n1844,2\n", "t.csv:3: year 1844 repeats line 2"},
        {"year,a\n1844,1\n1847,2\n1846,3\n",
         "t.csv:4: year 1846 comes after 1847 (line 3): rows must be sorted by year"},
        {"year,a\n1844,1\n,2\n", "t.csv:3: no year (the cell is empty)"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        och_table *t = NULL;
        char err[256] = "";
        double v[4];
        int rc = parse(cases[i].text, &t, err, sizeof(err));

        if (rc == OCH_OK)
            rc = och_table_numbers(t, 0, v, err, sizeof(err));
        if (rc == OCH_OK)
            rc = och_check_times(t, v, "year", err, sizeof(err));
        CHECK(rc == OCH_EFORMAT, "bad times refused: %s", cases[i].text);
        CHECK(strstr(err, cases[i].want) != NULL, "message '%s' lacks '%s'", err, cases[i].want);
        och_table_free(t);
    }
}

static void test_limits(const char *dir)
{
    char path[4096], err[512] = "";
    och_table *t = NULL;
    int fd, rc;

    /* A sparse file far above the limit: refused from its size, at once. */
    snprintf(path, sizeof(path), "%s/test_history_big.csv", dir);
    fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    CHECK(fd >= 0, "create %s", path);
    if (fd >= 0) {
        CHECK(ftruncate(fd, (off_t)1 << 30) == 0, "ftruncate to 1 GiB");
        close(fd);
        rc = och_table_read_file(path, &t, err, sizeof(err));
        CHECK(rc == OCH_ELIMIT, "1 GiB refused: %s", och_code_name(rc));
        CHECK(strstr(err, "1073741824 bytes (1024.0 MiB), more than the 64 MiB") != NULL,
              "size message: %s", err);
        CHECK(t == NULL, "no table");
        unlink(path);
    }
    /* A small real file reads like the same text in memory. */
    snprintf(path, sizeof(path), "%s/test_history_small.csv", dir);
    {
        FILE *fp = fopen(path, "w");

        CHECK(fp != NULL, "create %s", path);
        if (fp) {
            fputs("# c\nyear,a\n1,2\n3,4\n", fp);
            fclose(fp);
            rc = och_table_read_file(path, &t, err, sizeof(err));
            CHECK(rc == OCH_OK && och_table_rows(t) == 2 &&
                      strcmp(och_table_cell(t, 1, 1), "4") == 0 &&
                      strcmp(och_table_name(t), path) == 0,
                  "read a small file: %s", err);
            och_table_free(t);
            t = NULL;
            unlink(path);
        }
    }
    rc = och_table_read_file("/nonexistent/dir/x.csv", &t, err, sizeof(err));
    CHECK(rc == OCH_EIO && strstr(err, "/nonexistent/dir/x.csv: "), "missing file: %s", err);
    rc = och_table_read_file(dir, &t, err, sizeof(err));
    CHECK(rc == OCH_EIO && strstr(err, "is a directory"), "a directory: %s", err);

    /* Too many rows: the limit is checked while parsing. */
    {
        size_t rows = OCH_MAX_ROWS + 1, i, len = 0;
        char *text = malloc(rows * 4 + 16);

        CHECK(text != NULL, "allocate");
        if (text) {
            memcpy(text, "x\n", 2);
            len = 2;
            for (i = 0; i < rows; i++) {
                memcpy(text + len, "1\n", 2);
                len += 2;
            }
            rc = och_table_read_buffer(text, len, "rows.csv", &t, err, sizeof(err));
            CHECK(rc == OCH_ELIMIT && strstr(err, "more than 100000 data rows"), "rows: %s",
                  err);
            free(text);
        }
    }
}

static void test_fill(void)
{
    double t[7] = {1843, 1844, 1845, 1847, 1848, 1850, 1851};
    double y[7] = {NAN, 10, NAN, 40, NAN, NAN, NAN};
    unsigned char filled[7];
    size_t n = och_fill_linear(t, y, filled, 7);

    CHECK(n == 1, "one interior value filled, got %zu", n);
    CHECK(fabs(y[2] - 20.0) < 1e-12 && filled[2], "1845 is a third of the way: %g", y[2]);
    CHECK(isnan(y[0]) && !filled[0], "no extrapolation backwards");
    CHECK(isnan(y[4]) && isnan(y[6]) && !filled[6], "no extrapolation forwards");
    y[6] = 100;
    n = och_fill_linear(t, y, filled, 7);
    CHECK(n == 2 && fabs(y[4] - 55.0) < 1e-12 && fabs(y[5] - 85.0) < 1e-12,
          "time-weighted across uneven gaps: %g %g", y[4], y[5]);
    CHECK(filled[4] && filled[5] && !filled[3] && !filled[6], "only the filled are marked");
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";

    test_good();
    test_numbers();
    test_malformed();
    test_times();
    test_limits(dir);
    test_fill();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
