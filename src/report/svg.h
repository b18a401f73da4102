/*
 * svg.h - a small, deterministic SVG chart writer (prefix ocg_).
 *
 * Charts take plain arrays, never engine handles, so the command line, the
 * HTML report, the Monte Carlo module and a future server can all draw with
 * it. The module depends on libc and libm only.
 *
 * Determinism: the same input gives the same bytes, on any machine and in
 * any locale. Numbers are formatted by the module itself with fixed
 * precision (never printf's locale-dependent "%f"); there are no timestamps
 * and no random ids. That is what makes golden-file tests possible
 * (src/report/test_svg.c, tests/golden/svg/).
 *
 * Every chart:
 *   - has a title that the caller writes as the takeaway ("A 100x jump
 *     strands $1.4T"), axis labels with units, and a legend;
 *   - uses the Okabe-Ito colour-blind-safe palette; lines also differ by
 *     dash pattern, diagnosis states by fill pattern and by a text label, so
 *     nothing is told by colour alone;
 *   - is self-contained: no external references, no scripts, no CSS classes
 *     (presentation attributes only), so it can be inlined in an HTML page;
 *   - carries <title> and <desc> for screen readers, and <title> tooltips on
 *     heat-map cells.
 *
 * Output: every ocg_* renderer appends one <svg> element to an ocg_svg
 * buffer, which grows up to OCG_MAX_BYTES. On failure the buffer is restored
 * to its length before the call, and err (when not NULL) holds one line.
 *
 * Edge cases, the same in every chart: NaN or infinite values break a line
 * (a gap); a series with no finite value draws nothing; a chart without any
 * data draws its frame and "no data"; a constant series gets a nonzero axis
 * range; values <= 0 on a log axis are left out and a note under the chart
 * says how many (an error only when no value is left); sizes are clamped to
 * [OCG_MIN_SIZE, OCG_MAX_SIZE] pixels; long series are thinned to at most
 * four points per pixel column (first, lowest, highest, last), which keeps
 * the drawn shape and bounds the file size.
 */
#ifndef OVERCAP_SVG_H
#define OVERCAP_SVG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes. OCG_OK is zero; every error is negative. */
typedef enum ocg_code {
    OCG_OK = 0,
    OCG_EARG = -1,   /* a NULL pointer where data is required, a count over
                        a limit below, an unknown state */
    OCG_EDATA = -2,  /* data the chart cannot show (for example nothing
                        positive on a log axis) */
    OCG_ENOMEM = -3, /* the buffer could not grow */
    OCG_ELIMIT = -4  /* the SVG would exceed OCG_MAX_BYTES, or a heat map
                        has more than OCG_MAX_CELLS cells */
} ocg_code;

/* The constant name of a code, e.g. "OCG_EDATA". Never NULL. */
const char *ocg_code_name(int code);

#define OCG_DEFAULT_WIDTH 720
#define OCG_DEFAULT_HEIGHT 420
#define OCG_MIN_SIZE 240
#define OCG_MAX_SIZE 4000
#define OCG_MAX_BYTES ((size_t)32 << 20)
#define OCG_MAX_SERIES 32
#define OCG_MAX_CELLS 262144
#define OCG_MAX_BARS 60

/* The rendered text. Initialise with ocg_svg_init (or zero it); free with
 * ocg_svg_free. data is NUL-terminated when len > 0. note holds a sentence
 * about what a chart left out (for example "3 values <= 0 are not shown on
 * the log axis"), "" when nothing; the same sentence is printed under the
 * chart. Each renderer overwrites note. */
typedef struct ocg_svg {
    char *data;
    size_t len;
    size_t cap;
    char note[256];
} ocg_svg;

void ocg_svg_init(ocg_svg *s);
void ocg_svg_free(ocg_svg *s);

/* ------------------------------------------------------------------ */
/* What every chart has                                                */
/* ------------------------------------------------------------------ */

/* Zero-initialise, then fill what you need; zero means the default. The
 * strings are read during the call only. Text may be any UTF-8 (it is
 * escaped; invalid bytes become '?'). */
typedef struct ocg_chart {
    const char *title;    /* the takeaway, wrapped to at most 3 lines */
    const char *subtitle; /* a smaller line under it; NULL: none */
    const char *x_label;  /* with units, e.g. "year" */
    const char *y_label;  /* with units, e.g. "compute (H100e)" */
    const char *note;     /* a footnote (a source, a caveat); NULL: none */
    const char *desc;     /* text for screen readers; NULL: generated */
    const char *id;       /* prefix of the ids inside the SVG (patterns,
                             clip path, title), so that several charts can be
                             inlined in one HTML page; letters, digits, '-' and
                             '_' (others become '_'); NULL: "ocg" */
    int width, height;    /* pixels; 0: OCG_DEFAULT_WIDTH x OCG_DEFAULT_HEIGHT */
    int inline_html;      /* 1: omit the xmlns attribute (an <svg> inside
                             HTML gets its namespace from the parser), so the
                             page holds no URL at all */
} ocg_chart;

/* ------------------------------------------------------------------ */
/* Diagnosis states as shaded bands                                    */
/* ------------------------------------------------------------------ */

/* The four states, in the order of ocd_state (src/analysis/diagnosis.h),
 * so a state from the diagnosis converts with a cast. This module does not
 * depend on the diagnosis. */
typedef enum ocg_state {
    OCG_SHORTAGE = 0,
    OCG_BALANCED = 1,
    OCG_NORMAL_CYCLE = 2,
    OCG_BUBBLE = 3
} ocg_state;

#define OCG_STATE_COUNT 4

/* "shortage", "balanced", "normal cycle", "bubble"; "unknown" otherwise. */
const char *ocg_state_name(int state);

/* An interval [x0, x1] of the x axis in one state. */
typedef struct ocg_band {
    double x0, x1;
    int state; /* an ocg_state */
} ocg_band;

/* Collapses per-step states into bands: step i lasts from time[i] to
 * time[i + 1], the last step has no duration (as in the diagnosis), and
 * neighbouring steps in the same state merge. Writes at most max bands to
 * out (out may be NULL when max is 0) and returns how many there are, so a
 * first call with max 0 sizes the array. */
size_t ocg_bands_from_steps(const double *time, const int *state, size_t n, ocg_band *out,
                            size_t max);

/* ------------------------------------------------------------------ */
/* Line charts: time series, log axis, back-test panels                */
/* ------------------------------------------------------------------ */

typedef enum ocg_dash {
    OCG_DASH_AUTO = 0, /* by position: solid, dashed, dotted, dash-dot, ... */
    OCG_SOLID = 1,
    OCG_DASHED = 2,
    OCG_DOTTED = 3,
    OCG_DASH_DOT = 4
} ocg_dash;

/* One line. x and y have n values; a NaN or infinite y (or x) breaks the
 * line there. */
typedef struct ocg_series {
    const char *name; /* legend label */
    const double *x;
    const double *y;
    size_t n;
    int color; /* 0: by position; 1..7: an entry of the palette */
    int dash;  /* an ocg_dash */
    /* Back-test panels: when not NULL, one flag per point: 1 observed
     * (drawn as a filled dot), 0 filled in or interpolated (a hollow dot).
     * The line still runs through every finite point. */
    const unsigned char *observed;
    int markers; /* 1: a dot at every drawn point (discrete results, such as
                    the points of a parameter grid) */
} ocg_series;

/* A reference line across the plot with a label: a threshold (horizontal,
 * at y) or an event (vertical, at x). */
typedef struct ocg_ref {
    int vertical; /* 0: horizontal line at value; 1: vertical line */
    double value;
    const char *label;
} ocg_ref;

typedef struct ocg_line_chart {
    ocg_chart chart;
    const ocg_series *series; /* at most OCG_MAX_SERIES */
    size_t n_series;
    const ocg_band *bands; /* state bands behind the lines; may be NULL */
    size_t n_bands;
    const ocg_ref *refs; /* may be NULL */
    size_t n_refs;
    int log_y;            /* logarithmic y axis (decades) */
    int percent_y;        /* values are shares: ticks read 0%, 25%, ... */
    const char *y_prefix; /* before tick labels, e.g. "$"; NULL: none */
    int fix_y;            /* 1: use y_min..y_max instead of the data's range */
    double y_min, y_max;
} ocg_line_chart;

/* Time series with optional state bands (a), on a log axis (b), and
 * back-test panels with observed points marked apart from filled ones (g). */
int ocg_lines(const ocg_line_chart *c, ocg_svg *out, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Monte Carlo                                                         */
/* ------------------------------------------------------------------ */

/* Percentile bands over x (c): 5-95 and 25-75 shaded, the median a line.
 * Any of the percentile arrays may be NULL (that band or line is left out);
 * a NaN at a point breaks the band there. */
typedef struct ocg_fan_chart {
    ocg_chart chart;
    const char *name; /* what the median is of, for the legend */
    const double *x;
    size_t n;
    const double *p05, *p25, *p50, *p75, *p95;
    const ocg_series *overlay; /* lines drawn on top, e.g. the deterministic
                                  run; at most OCG_MAX_SERIES - 1 */
    size_t n_overlay;
    const ocg_ref *refs;
    size_t n_refs;
    int log_y;
    int percent_y;
    const char *y_prefix;
} ocg_fan_chart;

int ocg_fan(const ocg_fan_chart *c, ocg_svg *out, char *err, size_t errlen);

/* P(bubble by year) (d): probabilities in [0, 1] as a line, with a
 * confidence band between lo and hi (both NULL: no band). The y axis runs
 * from 0% to 100%. */
typedef struct ocg_prob_chart {
    ocg_chart chart;
    const char *name;       /* legend label of the line */
    const char *band_label; /* legend label of the band, e.g. "90% interval" */
    const double *x;
    size_t n;
    const double *p;
    const double *lo, *hi;
} ocg_prob_chart;

int ocg_probability(const ocg_prob_chart *c, ocg_svg *out, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Heat map                                                            */
/* ------------------------------------------------------------------ */

/* Values on a grid (e): the critical jump F* over two parameters. Cell
 * (ix, iy) holds z[iy * nx + ix] and is centred on (x[ix], y[iy]); x and y
 * must be strictly increasing. +infinity is a category of its own ("no
 * bubble up to the largest jump tried": cross-hatched, labelled with the
 * infinity sign and in the legend); NaN is a missing cell (drawn white,
 * "n/a"). The colour scale (viridis) is on log10 z when log_z is set, with
 * a legend bar. Cells wide enough show their value; every cell has a
 * tooltip. */
typedef struct ocg_heat_map {
    ocg_chart chart;
    const double *x;
    size_t nx;
    const double *y;
    size_t ny;
    const double *z;
    int log_z;
    const char *z_label;   /* title of the colour scale, with units */
    const char *inf_label; /* legend text of +infinity cells; NULL: "infinite" */
} ocg_heat_map;

int ocg_heatmap(const ocg_heat_map *c, ocg_svg *out, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Tornado                                                             */
/* ------------------------------------------------------------------ */

/* One bar: a sensitivity index with an optional interval [lo, hi]. */
typedef struct ocg_bar {
    const char *label;
    double value;
    int has_interval;
    double lo, hi;
} ocg_bar;

/* Horizontal bars ranked by |value|, largest on top (ties keep the input
 * order), from zero (negative values to the left), with error bars (f).
 * At most OCG_MAX_BARS bars; a NaN value is listed last as "n/a". The x
 * axis label (chart.x_label) names the index, e.g. "total-order Sobol
 * index". */
typedef struct ocg_tornado_chart {
    ocg_chart chart;
    const ocg_bar *bars;
    size_t n;
} ocg_tornado_chart;

int ocg_tornado(const ocg_tornado_chart *c, ocg_svg *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* OVERCAP_SVG_H */
