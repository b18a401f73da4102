/*
 * svg.c - the SVG chart writer (see svg.h for the contract and
 * docs/internals/svg.md for the design).
 *
 * The file reads top to bottom as a pipeline: a growing text buffer with a
 * sticky error; number and text formatting that never depends on the
 * locale; scales and "nice" ticks (1-2-5 steps, log decades); a frame that
 * lays out title, legend, plot area, axes and notes; then the charts, each a
 * thin function that turns its plain arrays into layers for the frame.
 *
 * Invariants:
 *   - Output depends only on the input values: no time, no randomness, no
 *     locale, no pointer values. Coordinates have one decimal, labels are
 *     formatted from integers (fmt_fixed).
 *   - Every string from the caller goes through put_text (XML escaping,
 *     invalid UTF-8 and control bytes replaced), every id through the
 *     sanitised prefix.
 *   - No allocation beyond the output buffer and one scratch array for
 *     thinning dense areas; every buffer has a hard size limit.
 */
#include "svg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* The output buffer                                                   */
/* ------------------------------------------------------------------ */

/* A writer appends to an ocg_svg; the first failure sticks (like ferror),
 * so drawing code need not check every append, and the renderer checks
 * once at the end. */
typedef struct writer {
    ocg_svg *s;
    int status;
} writer;

const char *ocg_code_name(int code)
{
    switch(code) {
    case OCG_OK: return "OCG_OK";
    case OCG_EARG: return "OCG_EARG";
    case OCG_EDATA: return "OCG_EDATA";
    case OCG_ENOMEM: return "OCG_ENOMEM";
    case OCG_ELIMIT: return "OCG_ELIMIT";
    default: return "OCG_UNKNOWN";
    }
}

void ocg_svg_init(ocg_svg *s)
{
    memset(s, 0, sizeof(*s));
}

void ocg_svg_free(ocg_svg *s)
{
    if(!s)
        return;
    free(s->data);
    memset(s, 0, sizeof(*s));
}

static void put_raw(writer *w, const char *p, size_t n)
{
    ocg_svg *s = w->s;
    size_t need;
    if(w->status)
        return;
    need = s->len + n + 1;
    if(need > OCG_MAX_BYTES) {
        w->status = OCG_ELIMIT;
        return;
    }
    if(need > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        char *d;
        while(cap < need)
            cap *= 2;
        if(cap > OCG_MAX_BYTES)
            cap = OCG_MAX_BYTES;
        d = realloc(s->data, cap);
        if(!d) {
            w->status = OCG_ENOMEM;
            return;
        }
        s->data = d;
        s->cap = cap;
    }
    memcpy(s->data + s->len, p, n);
    s->len += n;
    s->data[s->len] = '\0';
}

static void put(writer *w, const char *str)
{
    put_raw(w, str, strlen(str));
}

/* ------------------------------------------------------------------ */
/* Numbers                                                             */
/* ------------------------------------------------------------------ */

/* v with exactly dec decimals (0..9), rounded half away from zero, from
 * integer arithmetic: no locale can change the decimal point, and no libc
 * can print it differently. Never "-0". Magnitudes past 9e15 after scaling
 * fall back to fmt_exp. */
static void fmt_exp(char *buf, size_t size, double v);

static void fmt_fixed(char *buf, size_t size, double v, int dec)
{
    static const unsigned long long p10[] = {1ULL,         10ULL,        100ULL,     1000ULL,
                                             10000ULL,     100000ULL,    1000000ULL, 10000000ULL,
                                             100000000ULL, 1000000000ULL};
    double scaled;
    long long q;
    unsigned long long a, ip, fp;
    int neg;
    if(isnan(v)) {
        snprintf(buf, size, "NaN");
        return;
    }
    if(isinf(v)) {
        snprintf(buf, size, v > 0 ? "inf" : "-inf");
        return;
    }
    if(dec < 0)
        dec = 0;
    if(dec > 9)
        dec = 9;
    scaled = v * (double)p10[dec];
    if(fabs(scaled) >= 9e15) {
        fmt_exp(buf, size, v);
        return;
    }
    q = llround(scaled);
    neg = q < 0;
    a = neg ? (unsigned long long)(-q) : (unsigned long long)q;
    ip = a / p10[dec];
    fp = a % p10[dec];
    if(dec == 0)
        snprintf(buf, size, "%s%llu", neg ? "-" : "", ip);
    else
        snprintf(buf, size, "%s%llu.%0*llu", neg ? "-" : "", ip, dec, fp);
}

/* Drops trailing zeros after a decimal point, and the point itself. */
static void strip_zeros(char *buf)
{
    char *dot = strchr(buf, '.'), *end;
    if(!dot)
        return;
    end = buf + strlen(buf);
    while(end > dot + 1 && end[-1] == '0')
        end--;
    if(end == dot + 1)
        end = dot;
    *end = '\0';
}

/* m x 10^e with up to 2 decimals in m: "1.5e15", "2e-7". */
static void fmt_exp(char *buf, size_t size, double v)
{
    double e, m;
    char mb[48];
    if(v == 0) {
        snprintf(buf, size, "0");
        return;
    }
    e = floor(log10(fabs(v)));
    /* in two steps, so neither power overflows nor underflows at 1e-320 */
    m = v / pow(10.0, floor(e / 2)) / pow(10.0, e - floor(e / 2));
    if(fabs(m) >= 9.995) { /* rounding carried to the next power */
        m /= 10.0;
        e += 1.0;
    }
    fmt_fixed(mb, sizeof(mb), m, 2);
    strip_zeros(mb);
    snprintf(buf, size, "%se%d", mb, (int)e);
}

/* A coordinate: one decimal, trailing ".0" dropped, clamped far outside any
 * chart (an explicit y range may put points off the plot; the clip path
 * hides them). */
static void fmt_coord(char *buf, size_t size, double v)
{
    if(!isfinite(v))
        v = 0;
    if(v > 1e6)
        v = 1e6;
    if(v < -1e6)
        v = -1e6;
    fmt_fixed(buf, size, v, 1);
    strip_zeros(buf);
}

/* The decimals needed to show multiples of step (a 1-2-5 step): 0 for 5,
 * 1 for 0.5, 2 for 0.05. */
static int decimals_for_step(double step)
{
    int dec;
    if(!(step > 0) || !isfinite(step))
        return 0;
    dec = (int)ceil(-log10(step) - 1e-9);
    return dec < 0 ? 0 : dec > 9 ? 9 : dec;
}

/* A tick label. step is the spacing the label must resolve; ref the
 * magnitude that picks the unit (the largest tick of a linear axis, so one
 * axis shares one unit; the value itself on a log axis). Large numbers get
 * the suffixes economists read (k, M, B, T; from 10,000 on, so years stay
 * plain), very large or very small ones exponent notation. */
static void fmt_value(char *buf, size_t size, double v, double step, double ref, int percent,
                      const char *prefix)
{
    static const struct {
        double at;
        const char *suffix;
    } units[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e4, "k"}};
    char num[40];
    const char *suffix = "", *sign = "";
    double unit = 1;
    size_t k;
    if(!prefix)
        prefix = "";
    if(!isfinite(v)) {
        snprintf(buf, size, "%s", isnan(v) ? "n/a" : v > 0 ? "inf" : "-inf");
        return;
    }
    if(percent) {
        v *= 100;
        step *= 100;
        ref *= 100;
    }
    if(fabs(v) < fabs(step) * 1e-9)
        v = 0;
    ref = fabs(ref);
    if(v != 0 && (ref >= 1e15 || ref < 1e-4)) {
        fmt_exp(num, sizeof(num), v);
        snprintf(buf, size, "%s%s%s", prefix, num, percent ? "%" : "");
        return;
    }
    for(k = 0; k < sizeof(units) / sizeof(units[0]) && v != 0; k++) /* "$0", not "$0T" */
        if(ref >= units[k].at) {
            unit = units[k].at == 1e4 ? 1e3 : units[k].at;
            suffix = units[k].suffix;
            break;
        }
    if(v < 0 && prefix[0]) { /* "-$5", not "$-5" */
        sign = "-";
        v = -v;
    }
    fmt_fixed(num, sizeof(num), v / unit, decimals_for_step(step / unit));
    strip_zeros(num);
    snprintf(buf, size, "%s%s%s%s%s", sign, prefix, num, suffix, percent ? "%" : "");
}

/* A label on a log axis: each label picks its own unit, and 1000 reads
 * "1k" like its neighbours 100 and 10k (on a linear axis 1000 to 9999 stay
 * plain, because they are usually years). */
static void fmt_log_tick(char *buf, size_t size, double v, int percent, const char *prefix)
{
    double ref = fabs(v) >= 1000 && fabs(v) < 1e4 ? 1e4 : v;
    fmt_value(buf, size, v, v, ref, percent, prefix);
}

/* A value with 3 significant digits (heat-map cells, tornado bars). */
static void fmt_sig3(char *buf, size_t size, double v)
{
    double step;
    if(!isfinite(v) || v == 0) {
        fmt_value(buf, size, v, 1, 1, 0, NULL);
        return;
    }
    step = pow(10.0, floor(log10(fabs(v))) - 2);
    fmt_value(buf, size, v, step, fabs(v), 0, NULL);
}

/* ------------------------------------------------------------------ */
/* Text                                                                */
/* ------------------------------------------------------------------ */

/* The length of a valid UTF-8 sequence starting at p (at most n bytes
 * available), or 0 when the bytes there are not valid UTF-8. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t len, k;
    unsigned cp;
    if(p[0] < 0x80)
        return 1;
    if(p[0] >= 0xC2 && p[0] <= 0xDF)
        len = 2, cp = p[0] & 0x1Fu;
    else if(p[0] >= 0xE0 && p[0] <= 0xEF)
        len = 3, cp = p[0] & 0x0Fu;
    else if(p[0] >= 0xF0 && p[0] <= 0xF4)
        len = 4, cp = p[0] & 0x07u;
    else
        return 0;
    if(len > n)
        return 0;
    for(k = 1; k < len; k++) {
        if((p[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[k] & 0x3Fu);
    }
    /* overlong forms, surrogates, beyond U+10FFFF, and U+FFFE/U+FFFF are
     * not allowed in XML */
    if((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
       (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
        return 0;
    return len;
}

/* Appends n bytes of caller text, escaped for XML text and attribute
 * values. Control characters other than tab and newline, and invalid UTF-8,
 * become '?': a chart must always be well-formed XML. */
static void put_text_n(writer *w, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;
    while(p < end) {
        const char *rep = NULL;
        size_t len = 1;
        switch(*p) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        case '\t':
        case '\n': rep = " "; break;
        default:
            if(*p < 0x20)
                rep = "?";
            else {
                len = utf8_len(p, (size_t)(end - p));
                if(len == 0) {
                    rep = "?";
                    len = 1;
                }
            }
        }
        if(rep) {
            put_raw(w, (const char *)run, (size_t)(p - run));
            put(w, rep);
            p += len;
            run = p;
        }
        else
            p += len;
    }
    put_raw(w, (const char *)run, (size_t)(p - run));
}

static void put_text(writer *w, const char *s)
{
    if(s)
        put_text_n(w, s, strlen(s));
}

/* Characters (code points) in n bytes of UTF-8. */
static size_t text_chars(const char *s, size_t n)
{
    size_t k, c = 0;
    for(k = 0; k < n; k++)
        if(((unsigned char)s[k] & 0xC0) != 0x80)
            c++;
    return c;
}

/* The estimated width of text at a font size. No font metrics are available
 * (or wanted: they would make the bytes depend on the machine), so layout
 * uses an average advance of 0.56 em, generous for digits and lower case in
 * the sans-serif fonts browsers pick. */
static double text_width(const char *s, double size)
{
    return s ? (double)text_chars(s, strlen(s)) * size * 0.56 : 0;
}

/* Splits text into lines no wider than max_width at word boundaries.
 * Fills start/len for up to max_lines lines; returns the number of lines;
 * *truncated is set when text was left over (the caller adds an ellipsis). */
static int wrap_text(const char *s, double size, double max_width, size_t *start, size_t *len,
                     int max_lines, int *truncated)
{
    size_t pos = 0, n = s ? strlen(s) : 0;
    size_t max_chars = (size_t)(max_width / (size * 0.56));
    int lines = 0;
    *truncated = 0;
    if(max_chars < 8)
        max_chars = 8;
    while(pos < n && lines < max_lines) {
        size_t line_start, last_break = 0, k, chars = 0;
        while(pos < n && s[pos] == ' ')
            pos++;
        if(pos >= n)
            break;
        line_start = pos;
        for(k = pos; k < n && s[k] != '\n'; k++) {
            if(((unsigned char)s[k] & 0xC0) != 0x80)
                chars++;
            if(s[k] == ' ')
                last_break = k;
            if(chars > max_chars)
                break;
        }
        if(k >= n || s[k] == '\n') {
            start[lines] = line_start;
            len[lines] = k - line_start;
            pos = k < n ? k + 1 : k;
        }
        else if(last_break > line_start) {
            start[lines] = line_start;
            len[lines] = last_break - line_start;
            pos = last_break + 1;
        }
        else { /* one long word: cut it at a character boundary */
            while(k > line_start && ((unsigned char)s[k] & 0xC0) == 0x80)
                k--;
            start[lines] = line_start;
            len[lines] = k - line_start;
            pos = k;
        }
        lines++;
    }
    while(pos < n && (s[pos] == ' ' || s[pos] == '\n'))
        pos++;
    *truncated = pos < n;
    return lines;
}

/* ------------------------------------------------------------------ */
/* A tiny formatter for SVG markup                                     */
/* ------------------------------------------------------------------ */

/*
 * emit(w, fmt, ...) appends fmt with these directives:
 *   %s  const char *, raw (markup and constants of this file only)
 *   %x  const char *, escaped caller text (NULL: nothing)
 *   %f  double, a coordinate (fmt_coord)
 *   %d  int
 *   %%  a percent sign
 * It is not printf: the compiler cannot check it, so every call site is a
 * literal here and the tests run under the undefined-behaviour sanitizer.
 */
static void emit(writer *w, const char *fmt, ...)
{
    va_list ap;
    const char *p = fmt, *run = fmt;
    char num[64];
    va_start(ap, fmt);
    while(*p) {
        if(*p != '%') {
            p++;
            continue;
        }
        put_raw(w, run, (size_t)(p - run));
        p++;
        switch(*p) {
        case 's': put(w, va_arg(ap, const char *)); break;
        case 'x': put_text(w, va_arg(ap, const char *)); break;
        case 'f':
            fmt_coord(num, sizeof(num), va_arg(ap, double));
            put(w, num);
            break;
        case 'd':
            snprintf(num, sizeof(num), "%d", va_arg(ap, int));
            put(w, num);
            break;
        case '%': put(w, "%"); break;
        default: break; /* not reached: formats are literals of this file */
        }
        if(*p)
            p++;
        run = p;
    }
    put_raw(w, run, (size_t)(p - run));
    va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Colours, dashes, states                                             */
/* ------------------------------------------------------------------ */

/* Okabe & Ito (2008), the colour-blind-safe palette; yellow is left out
 * (too light for lines on white). */
static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                      "#E69F00", "#56B4E9", "#000000"};
#define PALETTE_SIZE (sizeof(palette) / sizeof(palette[0]))

static const char *series_color(int color, size_t position)
{
    if(color >= 1 && (size_t)color <= PALETTE_SIZE)
        return palette[color - 1];
    return palette[position % PALETTE_SIZE];
}

static const char *series_dash(int dash, size_t position)
{
    static const char *const dashes[] = {NULL, "7 4", "2 3", "9 3 2 3"};
    if(dash >= OCG_SOLID && dash <= OCG_DASH_DOT)
        return dashes[dash - 1];
    return dashes[position % 4];
}

/* The states: colour, label inside a band, and a fill pattern so that the
 * state never rests on colour alone (balanced is the plain one). */
static const struct {
    const char *name;
    const char *label;
    const char *color;
    const char *pattern; /* path of an 8x8 tile; NULL: none */
} states[OCG_STATE_COUNT] = {
    {"shortage", "shortage", "#56B4E9", NULL},
    {"balanced", "balanced", "#999999", NULL},
    {"normal cycle", "cycle", "#E69F00", "M0 8L8 0M-2 2L2 -2M6 10L10 6"},
    {"bubble", "bubble", "#D55E00", "M0 8L8 0M0 0L8 8"},
};

const char *ocg_state_name(int state)
{
    if(state < 0 || state >= OCG_STATE_COUNT)
        return "unknown";
    return states[state].name;
}

size_t ocg_bands_from_steps(const double *time, const int *state, size_t n, ocg_band *out,
                            size_t max)
{
    size_t i, first = 0, count = 0;
    if(!time || !state || n < 2)
        return 0;
    for(i = 1; i <= n; i++) {
        if(i < n && state[i] == state[first])
            continue;
        /* steps first .. i-1 share a state; they last until time[i], or
         * until the last time when they run to the end */
        {
            double x1 = i < n ? time[i] : time[n - 1];
            if(x1 > time[first]) {
                if(count < max && out) {
                    out[count].x0 = time[first];
                    out[count].x1 = x1;
                    out[count].state = state[first];
                }
                count++;
            }
        }
        first = i;
    }
    return count;
}

/* Viridis (matplotlib), at nine evenly spaced stops; perceptually uniform
 * and readable by colour-blind viewers and in grey scale. */
static void viridis(double t, char *buf, size_t size)
{
    static const unsigned char stops[9][3] = {{68, 1, 84},    {71, 44, 122},  {59, 81, 139},
                                              {44, 113, 142}, {33, 144, 141}, {39, 173, 129},
                                              {92, 200, 99},  {170, 220, 50}, {253, 231, 37}};
    double f;
    int k, c[3], j;
    if(!(t >= 0))
        t = 0;
    if(t > 1)
        t = 1;
    f = t * 8;
    k = (int)floor(f);
    if(k >= 8)
        k = 7;
    f -= k;
    for(j = 0; j < 3; j++)
        c[j] = (int)lround(stops[k][j] + (stops[k + 1][j] - stops[k][j]) * f);
    snprintf(buf, size, "#%02X%02X%02X", (unsigned)c[0], (unsigned)c[1], (unsigned)c[2]);
}

/* ------------------------------------------------------------------ */
/* Scales and ticks                                                    */
/* ------------------------------------------------------------------ */

typedef struct scale {
    double d0, d1; /* domain; in log10 units on a log scale */
    double r0, r1; /* pixels */
    int log;
} scale;

static double scale_map(const scale *s, double v)
{
    double d = s->log ? log10(v) : v;
    return s->r0 + (d - s->d0) * (s->r1 - s->r0) / (s->d1 - s->d0);
}

#define MAX_TICKS 64

typedef struct ticks {
    double v[MAX_TICKS];
    int labelled[MAX_TICKS];
    int n;
    double step; /* spacing of a linear axis; 0 on a log axis */
    double ref;  /* magnitude that picks the label unit */
} ticks;

/* 1, 2 or 5 times a power of ten, near raw. */
static double nice_step(double raw)
{
    double mag, f;
    if(!(raw > 0) || !isfinite(raw))
        return 1;
    mag = pow(10.0, floor(log10(raw)));
    f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/* A nonzero range around a constant. A value axis runs from zero to twice
 * the constant (a flat line reads as flat, at its height); a time axis gets
 * half a unit either side (a year, not centuries); a log axis half a decade
 * either side. */
enum { AXIS_VALUE, AXIS_TIME, AXIS_LOG };

static void widen_constant(double *lo, double *hi, int kind)
{
    double c = *lo, pad;
    if(*hi > *lo)
        return;
    if(kind == AXIS_LOG) {
        *lo /= 3.1622776601683795;
        *hi *= 3.1622776601683795;
        return;
    }
    if(kind == AXIS_TIME) {
        pad = c == 0 || fabs(c) >= 1 ? 0.5 : fabs(c) / 2;
        *lo = c - pad;
        *hi = c + pad;
        return;
    }
    *lo = c < 0 ? 2 * c : 0;
    *hi = c > 0 ? 2 * c : c < 0 ? 0 : 1;
}

/* Linear ticks: about target of them, at multiples of a 1-2-5 step. With
 * extend, the domain grows to whole steps (a y axis); otherwise it stays
 * and only ticks inside it are kept (a time axis). */
static void linear_ticks(double *lo, double *hi, int target, int extend, ticks *t)
{
    double step, first, v;
    int k;
    widen_constant(lo, hi, extend ? AXIS_VALUE : AXIS_TIME);
    if(target < 2)
        target = 2;
    step = nice_step((*hi - *lo) / target);
    if(extend) {
        *lo = floor(*lo / step + 1e-9) * step;
        *hi = ceil(*hi / step - 1e-9) * step;
    }
    first = ceil(*lo / step - 1e-9) * step;
    t->n = 0;
    t->step = step;
    t->ref = fmax(fabs(*lo), fabs(*hi));
    for(k = 0; k < MAX_TICKS; k++) {
        v = first + k * step;
        if(v > *hi + step * 1e-9)
            break;
        if(fabs(v) < step * 1e-9)
            v = 0;
        t->v[t->n] = v;
        t->labelled[t->n] = 1;
        t->n++;
    }
}

/* Log ticks. Spans of three decades or more: the domain grows to whole
 * decades, every decade gets a tick and every stride-th a label, so at most
 * max_labels labels. Shorter spans: 1-2-5 ticks within each decade. The
 * domain is returned in log10 units. */
static void log_ticks(double lo, double hi, int max_labels, double *d0, double *d1, ticks *t)
{
    double dlo, dhi;
    int span, stride, k;
    widen_constant(&lo, &hi, AXIS_LOG);
    dlo = floor(log10(lo) + 1e-9);
    dhi = ceil(log10(hi) - 1e-9);
    if(dhi <= dlo)
        dhi = dlo + 1;
    span = (int)(dhi - dlo);
    t->n = 0;
    t->step = 0;
    t->ref = 0;
    if(span < 3) {
        static const double m[] = {1, 2, 5};
        double a = pow(10.0, dlo), b = pow(10.0, dhi), c, lo_tick = a, hi_tick = b;
        int e, j;
        /* the domain: the 1-2-5 candidates just outside [lo, hi] */
        for(e = (int)dlo; e <= (int)dhi; e++)
            for(j = 0; j < 3; j++) {
                c = m[j] * pow(10.0, e);
                if(c <= lo * (1 + 1e-9))
                    lo_tick = c;
                if(c >= hi * (1 - 1e-9) && hi_tick == b && c < b)
                    hi_tick = c;
            }
        if(hi_tick == b && b < hi)
            hi_tick = b;
        for(e = (int)dlo; e <= (int)dhi && t->n < MAX_TICKS; e++)
            for(j = 0; j < 3 && t->n < MAX_TICKS; j++) {
                c = m[j] * pow(10.0, e);
                if(c >= lo_tick * (1 - 1e-9) && c <= hi_tick * (1 + 1e-9)) {
                    t->v[t->n] = c;
                    t->labelled[t->n] = 1;
                    t->n++;
                }
            }
        *d0 = log10(lo_tick);
        *d1 = log10(hi_tick);
        return;
    }
    if(max_labels < 2)
        max_labels = 2;
    stride = (span + max_labels - 1) / max_labels;
    if(stride < 1)
        stride = 1;
    /* very wide spans: ticks only where labels go, so at most MAX_TICKS */
    for(k = 0; k <= span && t->n < MAX_TICKS; k++) {
        int labelled = k % stride == 0;
        if(!labelled && span > MAX_TICKS - 2)
            continue;
        t->v[t->n] = pow(10.0, dlo + k);
        t->labelled[t->n] = labelled;
        t->n++;
    }
    *d0 = dlo;
    *d1 = dhi;
}

/* ------------------------------------------------------------------ */
/* The frame: svg element, title, legend, notes                        */
/* ------------------------------------------------------------------ */

#define FONT_FAMILY                                                                                \
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
#define TITLE_SIZE 16.0
#define SUBTITLE_SIZE 12.0
#define LABEL_SIZE 12.0
#define TICK_SIZE 11.0
#define NOTE_SIZE 10.5
#define PAD 12.0

typedef enum legend_kind {
    LG_LINE,
    LG_AREA,
    LG_STATE,
    LG_DOT_FILLED,
    LG_DOT_HOLLOW,
    LG_INF,
    LG_MISSING,
    LG_BAR
} legend_kind;

typedef struct legend_item {
    legend_kind kind;
    const char *color;
    const char *dash;
    double opacity;
    int state;
    const char *text;
} legend_item;

#define MAX_LEGEND (OCG_MAX_SERIES + 16)

typedef struct frame {
    writer *w;
    const ocg_chart *chart;
    char id[40];
    double width, height;
    double top;                           /* first free y below title and legend */
    double left, right, plot_top, bottom; /* the plot area */
    char note[256];                       /* what the chart left out (goes to ocg_svg.note) */
    legend_item legend[MAX_LEGEND];
    size_t n_legend;
    int used_states[OCG_STATE_COUNT];
    int need_inf_pattern;
} frame;

static void frame_init(frame *f, writer *w, const ocg_chart *c, int default_height)
{
    const char *p = c->id && c->id[0] ? c->id : "ocg";
    size_t k;
    memset(f, 0, sizeof(*f));
    f->w = w;
    f->chart = c;
    /* an XML name: a letter first, then letters, digits, '-' and '_' */
    for(k = 0; p[k] && k < sizeof(f->id) - 2; k++) {
        char ch = p[k];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 (k > 0 && ((ch >= '0' && ch <= '9') || ch == '-' || ch == '_'));
        f->id[k] = ok ? ch : (k == 0 ? 'g' : '_');
    }
    f->width = c->width > 0 ? c->width : OCG_DEFAULT_WIDTH;
    f->height = c->height > 0 ? c->height : default_height;
    if(f->width < OCG_MIN_SIZE)
        f->width = OCG_MIN_SIZE;
    if(f->width > OCG_MAX_SIZE)
        f->width = OCG_MAX_SIZE;
    if(f->height < OCG_MIN_SIZE)
        f->height = OCG_MIN_SIZE;
    if(f->height > OCG_MAX_SIZE)
        f->height = OCG_MAX_SIZE;
}

static void add_legend(frame *f, legend_kind kind, const char *color, const char *dash,
                       double opacity, int state, const char *text)
{
    legend_item *it;
    if(f->n_legend >= MAX_LEGEND)
        return;
    it = &f->legend[f->n_legend++];
    it->kind = kind;
    it->color = color;
    it->dash = dash;
    it->opacity = opacity;
    it->state = state;
    it->text = text ? text : "";
}

/* Appends a sentence to the note under the chart. */
static void add_note(frame *f, const char *sentence)
{
    size_t n = strlen(f->note);
    if(n && n + 1 < sizeof(f->note)) {
        f->note[n++] = ' ';
        f->note[n] = '\0';
    }
    snprintf(f->note + n, sizeof(f->note) - n, "%s", sentence);
}

/* <svg>, <title>, <desc>, the shared <defs> and the white background. */
static void frame_begin(frame *f, const char *desc)
{
    writer *w = f->w;
    int k;
    emit(w,
         "<svg%s width=\"%f\" height=\"%f\" viewBox=\"0 0 %f %f\" role=\"img\" "
         "aria-labelledby=\"%s-title %s-desc\" font-family=\"%s\" font-size=\"12\">\n",
         f->chart->inline_html ? "" : " xmlns=\"http://www.w3.org/2000/svg\"", f->width, f->height,
         f->width, f->height, f->id, f->id, FONT_FAMILY);
    emit(w, "<title id=\"%s-title\">%x</title>\n", f->id,
         f->chart->title && f->chart->title[0] ? f->chart->title : "chart");
    emit(w, "<desc id=\"%s-desc\">%x</desc>\n", f->id,
         f->chart->desc && f->chart->desc[0] ? f->chart->desc : desc);
    put(w, "<defs>\n");
    for(k = 0; k < OCG_STATE_COUNT; k++)
        if(f->used_states[k] && states[k].pattern)
            emit(w,
                 "<pattern id=\"%s-%s\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\">"
                 "<path d=\"%s\" stroke=\"%s\" stroke-width=\"1.2\" stroke-opacity=\"0.6\"/>"
                 "</pattern>\n",
                 f->id, k == OCG_BUBBLE ? "bubble" : "cycle", states[k].pattern, states[k].color);
    if(f->used_states[OCG_SHORTAGE])
        emit(w,
             "<pattern id=\"%s-shortage\" width=\"8\" height=\"8\" "
             "patternUnits=\"userSpaceOnUse\"><circle cx=\"4\" cy=\"4\" r=\"1.1\" "
             "fill=\"#0072B2\" fill-opacity=\"0.35\"/></pattern>\n",
             f->id);
    if(f->need_inf_pattern)
        emit(w,
             "<pattern id=\"%s-inf\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">"
             "<path d=\"M0 6L6 0M0 0L6 6\" stroke=\"#666666\" stroke-width=\"0.8\"/>"
             "</pattern>\n",
             f->id);
    put(w, "</defs>\n");
    emit(w, "<rect width=\"%f\" height=\"%f\" fill=\"#ffffff\"/>\n", f->width, f->height);
}

/* The url(#...) of a state's pattern, or NULL. */
static const char *state_pattern_id(int state)
{
    switch(state) {
    case OCG_SHORTAGE: return "shortage";
    case OCG_NORMAL_CYCLE: return "cycle";
    case OCG_BUBBLE: return "bubble";
    default: return NULL;
    }
}

/* Title (wrapped, up to three lines) and subtitle. */
static void frame_title(frame *f)
{
    const ocg_chart *c = f->chart;
    size_t start[3], len[3];
    int n, k, truncated;
    double y = PAD;
    n = wrap_text(c->title, TITLE_SIZE * 1.07, f->width - 2 * PAD, start, len, 3, &truncated);
    for(k = 0; k < n; k++) {
        y += TITLE_SIZE + 4;
        emit(f->w,
             "<text x=\"%f\" y=\"%f\" font-size=\"16\" font-weight=\"bold\" fill=\"#111111\">", PAD,
             y - 4);
        put_text_n(f->w, c->title + start[k], len[k]);
        if(truncated && k == n - 1)
            put(f->w, "\xE2\x80\xA6");
        put(f->w, "</text>\n");
    }
    if(c->subtitle && c->subtitle[0]) {
        n = wrap_text(c->subtitle, SUBTITLE_SIZE, f->width - 2 * PAD, start, len, 2, &truncated);
        for(k = 0; k < n; k++) {
            y += SUBTITLE_SIZE + 4;
            emit(f->w, "<text x=\"%f\" y=\"%f\" font-size=\"12\" fill=\"#444444\">", PAD, y - 4);
            put_text_n(f->w, c->subtitle + start[k], len[k]);
            if(truncated && k == n - 1)
                put(f->w, "\xE2\x80\xA6");
            put(f->w, "</text>\n");
        }
    }
    f->top = y + 6;
}

/* The legend, in rows under the title, items flowing left to right. */
static void frame_legend(frame *f)
{
    writer *w = f->w;
    double x = PAD, y = f->top, row = 18, swatch = 26;
    size_t k;
    if(!f->n_legend)
        return;
    put(w, "<g font-size=\"11\" fill=\"#222222\">\n");
    for(k = 0; k < f->n_legend; k++) {
        const legend_item *it = &f->legend[k];
        double iw = swatch + 6 + text_width(it->text, 11) + 14;
        double cy = y + row / 2;
        if(x > PAD && x + iw > f->width - PAD) {
            x = PAD;
            y += row;
            cy = y + row / 2;
        }
        switch(it->kind) {
        case LG_LINE:
            emit(w,
                 "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\" stroke=\"%s\" stroke-width=\"2.5\"",
                 x, cy, x + swatch, cy, it->color);
            if(it->dash)
                emit(w, " stroke-dasharray=\"%s\"", it->dash);
            put(w, "/>\n");
            break;
        case LG_AREA:
            emit(w, "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"10\" fill=\"%s\" ", x, cy - 5,
                 swatch, it->color);
            {
                char op[32];
                fmt_fixed(op, sizeof(op), it->opacity, 2);
                emit(w, "fill-opacity=\"%s\"/>\n", op);
            }
            break;
        case LG_BAR:
            emit(w, "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"10\" fill=\"%s\"/>\n", x, cy - 5,
                 swatch, it->color);
            break;
        case LG_STATE: {
            const char *pat = state_pattern_id(it->state);
            emit(w,
                 "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"12\" fill=\"%s\" "
                 "fill-opacity=\"0.25\" stroke=\"%s\" stroke-width=\"0.8\"/>\n",
                 x, cy - 6, swatch, states[it->state].color, states[it->state].color);
            if(pat)
                emit(w,
                     "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"12\" fill=\"url(#%s-%s)\"/>\n",
                     x, cy - 6, swatch, f->id, pat);
            break;
        }
        case LG_DOT_FILLED:
            emit(w, "<circle cx=\"%f\" cy=\"%f\" r=\"3.5\" fill=\"#333333\" stroke=\"#333333\"/>\n",
                 x + swatch / 2, cy);
            break;
        case LG_DOT_HOLLOW:
            emit(w,
                 "<circle cx=\"%f\" cy=\"%f\" r=\"3.5\" fill=\"#ffffff\" stroke=\"#333333\" "
                 "stroke-width=\"1.3\"/>\n",
                 x + swatch / 2, cy);
            break;
        case LG_INF:
            emit(w,
                 "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"12\" fill=\"#eeeeee\" "
                 "stroke=\"#999999\" stroke-width=\"0.8\"/>\n"
                 "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"12\" fill=\"url(#%s-inf)\"/>\n",
                 x, cy - 6, swatch, x, cy - 6, swatch, f->id);
            break;
        case LG_MISSING:
            emit(w,
                 "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"12\" fill=\"#ffffff\" "
                 "stroke=\"#999999\" stroke-width=\"0.8\" stroke-dasharray=\"2 2\"/>\n",
                 x, cy - 6, swatch);
            break;
        }
        emit(w, "<text x=\"%f\" y=\"%f\">%x</text>\n", x + swatch + 6, cy + 4, it->text);
        x += iw;
    }
    put(w, "</g>\n");
    f->top = y + row + 6;
}

/* The lines of the note under the plot (the chart's note after what was
 * left out), wrapped; returns the height they take. */
static double note_height(const frame *f)
{
    size_t start[4], len[4];
    int truncated, n;
    char all[1024];
    snprintf(all, sizeof(all), "%s%s%s", f->note, f->note[0] && f->chart->note ? " " : "",
             f->chart->note ? f->chart->note : "");
    n = wrap_text(all, NOTE_SIZE, f->width - 2 * PAD, start, len, 4, &truncated);
    return n * (NOTE_SIZE + 4);
}

static void frame_notes(frame *f)
{
    size_t start[4], len[4];
    int truncated, n, k;
    char all[1024];
    double h;
    snprintf(all, sizeof(all), "%s%s%s", f->note, f->note[0] && f->chart->note ? " " : "",
             f->chart->note ? f->chart->note : "");
    n = wrap_text(all, NOTE_SIZE, f->width - 2 * PAD, start, len, 4, &truncated);
    h = n * (NOTE_SIZE + 4);
    for(k = 0; k < n; k++) {
        emit(f->w, "<text x=\"%f\" y=\"%f\" font-size=\"10.5\" fill=\"#555555\">", PAD,
             f->height - PAD / 2 - h + (k + 1) * (NOTE_SIZE + 4) - 3);
        put_text_n(f->w, all + start[k], len[k]);
        if(truncated && k == n - 1)
            put(f->w, "\xE2\x80\xA6");
        put(f->w, "</text>\n");
    }
}

static void frame_end(frame *f)
{
    frame_notes(f);
    put(f->w, "</svg>\n");
}

/* Copies the writer's status and the note to the caller. */
static int finish(writer *w, size_t start_len, const frame *f, char *err, size_t errlen)
{
    if(w->status) {
        w->s->len = start_len;
        if(w->s->data)
            w->s->data[start_len] = '\0';
        if(err && errlen)
            snprintf(err, errlen, "%s",
                     w->status == OCG_ELIMIT ? "the chart would be larger than the SVG size limit"
                                             : "out of memory while writing the chart");
        return w->status;
    }
    if(f)
        snprintf(w->s->note, sizeof(w->s->note), "%s", f->note);
    return OCG_OK;
}

static int fail(ocg_svg *out, int code, char *err, size_t errlen, const char *msg)
{
    if(out)
        out->note[0] = '\0';
    if(err && errlen)
        snprintf(err, errlen, "%s", msg);
    return code;
}

/* ------------------------------------------------------------------ */
/* XY charts: layers over a linear x axis and a linear or log y axis    */
/* ------------------------------------------------------------------ */

typedef enum layer_kind { L_LINE, L_AREA } layer_kind;

typedef struct layer {
    layer_kind kind;
    const double *x, *y, *y2; /* an area spans y (low) to y2 (high) */
    size_t n;
    const char *color;
    const char *dash;
    double width;
    double opacity; /* areas */
    const unsigned char *observed;
    int markers;
} layer;

typedef struct xy_spec {
    const char *what; /* "Line chart", for the generated description */
    layer layers[OCG_MAX_SERIES + 4];
    const char *names[OCG_MAX_SERIES + 4];
    size_t n_layers;
    const ocg_band *bands;
    size_t n_bands;
    const ocg_ref *refs;
    size_t n_refs;
    int log_y, percent_y, fix_y;
    double y_min, y_max;
    const char *y_prefix;
} xy_spec;

typedef struct xy_plot {
    frame *f;
    scale xs, ys;
    ticks xt, yt;
    int percent_y;
    const char *y_prefix;
} xy_plot;

/* A point of a layer in pixels; 0 when it cannot be drawn. */
static int point_at(const xy_plot *p, const double *x, const double *y, size_t i, double *px,
                    double *py)
{
    if(!isfinite(x[i]) || !isfinite(y[i]) || (p->ys.log && !(y[i] > 0)))
        return 0;
    *px = scale_map(&p->xs, x[i]);
    *py = scale_map(&p->ys, y[i]);
    return 1;
}

/* Thinning: points that fall into one pixel column are reduced to the
 * first, lowest, highest and last of them, in their original order. */
typedef struct column {
    long col;
    size_t count;
    size_t idx[4]; /* first, low, high, last */
    double px[4], py[4];
} column;

static void path_point(writer *w, int *first_in_path, int *seg_len, double px, double py)
{
    emit(w, "%s%f %f", *seg_len == 0 ? (*first_in_path ? "M" : " M") : " L", px, py);
    *first_in_path = 0;
    (*seg_len)++;
}

static void column_flush(writer *w, column *c, int *first_in_path, int *seg_len)
{
    int order[4] = {0, 1, 2, 3}, k, j;
    size_t last = (size_t)-1;
    if(!c->count)
        return;
    /* sort the four by index (tiny insertion sort), skip duplicates */
    for(k = 1; k < 4; k++)
        for(j = k; j > 0 && c->idx[order[j]] < c->idx[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for(k = 0; k < 4; k++) {
        int o = order[k];
        if(c->idx[o] == last)
            continue;
        last = c->idx[o];
        path_point(w, first_in_path, seg_len, c->px[o], c->py[o]);
    }
    c->count = 0;
}

static void column_add(column *c, size_t i, double px, double py)
{
    int k;
    if(!c->count) {
        c->col = (long)floor(px);
        for(k = 0; k < 4; k++) {
            c->idx[k] = i;
            c->px[k] = px;
            c->py[k] = py;
        }
        c->count = 1;
        return;
    }
    if(py > c->py[1]) { /* lower on screen: a smaller value */
        c->idx[1] = i;
        c->px[1] = px;
        c->py[1] = py;
    }
    if(py < c->py[2]) {
        c->idx[2] = i;
        c->px[2] = px;
        c->py[2] = py;
    }
    c->idx[3] = i;
    c->px[3] = px;
    c->py[3] = py;
    c->count++;
}

static void draw_line_layer(const xy_plot *p, const layer *L)
{
    writer *w = p->f->w;
    double px, py, plot_w = p->f->right - p->f->left;
    int dense = (double)L->n > 4 * plot_w, first_in_path = 1, seg_len = 0, any = 0;
    size_t i;
    column col;
    memset(&col, 0, sizeof(col));
    for(i = 0; i < L->n && !any; i++)
        any = point_at(p, L->x, L->y, i, &px, &py);
    if(!any)
        return;
    emit(w,
         "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%f\" stroke-linejoin=\"round\" "
         "stroke-linecap=\"round\"",
         L->color, L->width);
    if(L->dash)
        emit(w, " stroke-dasharray=\"%s\"", L->dash);
    put(w, " d=\"");
    for(i = 0; i < L->n; i++) {
        if(!point_at(p, L->x, L->y, i, &px, &py)) {
            column_flush(w, &col, &first_in_path, &seg_len);
            seg_len = 0;
            continue;
        }
        if(!dense) {
            path_point(w, &first_in_path, &seg_len, px, py);
            continue;
        }
        if(col.count && (long)floor(px) != col.col)
            column_flush(w, &col, &first_in_path, &seg_len);
        column_add(&col, i, px, py);
    }
    column_flush(w, &col, &first_in_path, &seg_len);
    put(w, "\"/>\n");
    /* a point with no drawable neighbour would be invisible in the path */
    for(i = 0; i < L->n; i++) {
        double qx, qy;
        int prev, next;
        if(!point_at(p, L->x, L->y, i, &px, &py))
            continue;
        prev = i > 0 && point_at(p, L->x, L->y, i - 1, &qx, &qy);
        next = i + 1 < L->n && point_at(p, L->x, L->y, i + 1, &qx, &qy);
        if(!prev && !next)
            emit(w, "<circle cx=\"%f\" cy=\"%f\" r=\"%f\" fill=\"%s\"/>\n", px, py, L->width,
                 L->color);
    }
}

/* Observed points as filled dots, filled-in ones as hollow dots; with
 * markers alone, every point a filled dot. */
static void draw_markers(const xy_plot *p, const layer *L)
{
    writer *w = p->f->w;
    double px, py;
    size_t i;
    emit(w, "<g stroke=\"%s\" stroke-width=\"1.3\">\n", L->color);
    for(i = 0; i < L->n; i++) {
        if(!point_at(p, L->x, L->y, i, &px, &py))
            continue;
        emit(w, "<circle cx=\"%f\" cy=\"%f\" r=\"3.2\" fill=\"%s\"/>\n", px, py,
             !L->observed || L->observed[i] ? L->color : "#ffffff");
    }
    put(w, "</g>\n");
}

/* An area between two curves, one polygon per run of drawable points.
 * Dense areas are reduced to one low and one high value per pixel column
 * (their envelope). */
static int draw_area_layer(const xy_plot *p, const layer *L)
{
    writer *w = p->f->w;
    double plot_w = p->f->right - p->f->left;
    int dense = (double)L->n > 4 * plot_w;
    size_t i = 0, cap = (size_t)plot_w + 8, m;
    double *cx = NULL, *clo = NULL, *chi = NULL;
    char op[32];
    fmt_fixed(op, sizeof(op), L->opacity, 2);
    if(dense) {
        cx = malloc(3 * cap * sizeof(double));
        if(!cx)
            return OCG_ENOMEM;
        clo = cx + cap;
        chi = clo + cap;
    }
    while(i < L->n) {
        size_t s, e, k;
        double px, plo, phi;
        /* a run [s, e) of points with both bounds drawable */
        while(i < L->n &&
              !(point_at(p, L->x, L->y, i, &px, &plo) && point_at(p, L->x, L->y2, i, &px, &phi)))
            i++;
        s = i;
        while(i < L->n && point_at(p, L->x, L->y, i, &px, &plo) &&
              point_at(p, L->x, L->y2, i, &px, &phi))
            i++;
        e = i;
        if(e <= s)
            break;
        emit(w, "<path fill=\"%s\" fill-opacity=\"%s\" stroke=\"none\" d=\"", L->color, op);
        if(!dense) {
            for(k = s; k < e; k++) {
                point_at(p, L->x, L->y2, k, &px, &phi);
                emit(w, "%s%f %f", k == s ? "M" : " L", px, phi);
            }
            for(k = e; k > s; k--) {
                point_at(p, L->x, L->y, k - 1, &px, &plo);
                emit(w, " L%f %f", px, plo);
            }
        }
        else {
            long col = 0;
            m = 0;
            for(k = s; k < e; k++) {
                point_at(p, L->x, L->y, k, &px, &plo);
                point_at(p, L->x, L->y2, k, &px, &phi);
                if(m && (long)floor(px) == col) {
                    if(plo > clo[m - 1])
                        clo[m - 1] = plo;
                    if(phi < chi[m - 1])
                        chi[m - 1] = phi;
                    continue;
                }
                if(m == cap)
                    break;
                col = (long)floor(px);
                cx[m] = px;
                clo[m] = plo;
                chi[m] = phi;
                m++;
            }
            for(k = 0; k < m; k++)
                emit(w, "%s%f %f", k == 0 ? "M" : " L", cx[k], chi[k]);
            for(k = m; k > 0; k--)
                emit(w, " L%f %f", cx[k - 1], clo[k - 1]);
        }
        put(w, "Z\"/>\n");
    }
    free(cx);
    return OCG_OK;
}

/* Shaded state bands behind the data, each with its pattern and, where it
 * is wide enough, its name at the top. */
static void draw_bands(const xy_plot *p, const ocg_band *b, size_t n)
{
    const frame *f = p->f;
    writer *w = f->w;
    size_t k;
    double h = f->bottom - f->plot_top;
    put(w, "<g>\n");
    for(k = 0; k < n; k++) {
        double x0, x1, lw;
        const char *pat;
        if(!isfinite(b[k].x0) || !isfinite(b[k].x1) || b[k].state < 0 ||
           b[k].state >= OCG_STATE_COUNT)
            continue;
        x0 = scale_map(&p->xs, fmin(b[k].x0, b[k].x1));
        x1 = scale_map(&p->xs, fmax(b[k].x0, b[k].x1));
        x0 = fmax(x0, f->left);
        x1 = fmin(x1, f->right);
        if(x1 <= x0)
            continue;
        emit(w,
             "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" fill=\"%s\" fill-opacity=\"%s\">"
             "<title>%s</title></rect>\n",
             x0, f->plot_top, x1 - x0, h, states[b[k].state].color,
             b[k].state == OCG_BALANCED ? "0.10" : "0.18", states[b[k].state].name);
        pat = state_pattern_id(b[k].state);
        if(pat)
            emit(w, "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" fill=\"url(#%s-%s)\"/>\n",
                 x0, f->plot_top, x1 - x0, h, f->id, pat);
        /* the width estimate is an average: leave a generous margin */
        lw = text_width(states[b[k].state].label, 10) * 1.2;
        if(x1 - x0 >= lw + 8)
            emit(w,
                 "<text x=\"%f\" y=\"%f\" font-size=\"10\" text-anchor=\"middle\" "
                 "fill=\"#333333\"%s>"
                 "%s</text>\n",
                 (x0 + x1) / 2, f->plot_top + 12,
                 b[k].state == OCG_BUBBLE ? " font-weight=\"bold\"" : "", states[b[k].state].label);
    }
    put(w, "</g>\n");
}

static void draw_refs(const xy_plot *p, const ocg_ref *r, size_t n)
{
    const frame *f = p->f;
    writer *w = f->w;
    size_t k, n_vertical = 0;
    for(k = 0; k < n; k++) {
        double v = r[k].value, c;
        if(!isfinite(v))
            continue;
        if(r[k].vertical) {
            if(v < p->xs.d0 || v > p->xs.d1)
                continue;
            c = scale_map(&p->xs, v);
            emit(w,
                 "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\" stroke=\"#333333\" "
                 "stroke-width=\"1\" stroke-dasharray=\"4 3\"/>\n",
                 c, f->plot_top, c, f->bottom);
            /* labels one under another, so neighbouring dates stay legible;
             * in the right part of the plot they run leftwards */
            if(r[k].label) {
                int right = c > f->left + 0.6 * (f->right - f->left);
                emit(w,
                     "<text x=\"%f\" y=\"%f\" font-size=\"10\" fill=\"#333333\"%s>%x</text>\n",
                     right ? c - 3 : c + 3, f->plot_top + 24 + 12 * (double)(n_vertical % 4),
                     right ? " text-anchor=\"end\"" : "", r[k].label);
            }
            n_vertical++;
        }
        else {
            if(p->ys.log && !(v > 0))
                continue;
            c = scale_map(&p->ys, v);
            if(c < f->plot_top - 0.5 || c > f->bottom + 0.5)
                continue;
            emit(w,
                 "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\" stroke=\"#333333\" "
                 "stroke-width=\"1\" stroke-dasharray=\"4 3\"/>\n",
                 f->left, c, f->right, c);
            if(r[k].label)
                emit(w,
                     "<text x=\"%f\" y=\"%f\" font-size=\"10\" text-anchor=\"end\" "
                     "fill=\"#333333\">%x</text>\n",
                     f->right - 4, c - 4, r[k].label);
        }
    }
}

/* Grid lines, axes, tick labels and axis labels. */
static void draw_axes(const xy_plot *p)
{
    const frame *f = p->f;
    writer *w = f->w;
    char lab[64];
    int k;
    put(w, "<g stroke=\"#e3e3e3\" stroke-width=\"1\">\n");
    for(k = 0; k < p->yt.n; k++) {
        double y = scale_map(&p->ys, p->yt.v[k]);
        emit(w, "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\"%s/>\n", f->left, y, f->right, y,
             p->yt.labelled[k] ? "" : " stroke-opacity=\"0.5\"");
    }
    for(k = 0; k < p->xt.n; k++) {
        double x = scale_map(&p->xs, p->xt.v[k]);
        emit(w, "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\"/>\n", x, f->plot_top, x, f->bottom);
    }
    put(w, "</g>\n");
    emit(w, "<path d=\"M%f %fV%fH%f\" fill=\"none\" stroke=\"#444444\" stroke-width=\"1\"/>\n",
         f->left, f->plot_top, f->bottom, f->right);
    put(w, "<g font-size=\"11\" fill=\"#333333\">\n");
    for(k = 0; k < p->yt.n; k++) {
        double y = scale_map(&p->ys, p->yt.v[k]);
        if(!p->yt.labelled[k])
            continue;
        if(p->ys.log)
            fmt_log_tick(lab, sizeof(lab), p->yt.v[k], p->percent_y, p->y_prefix);
        else
            fmt_value(lab, sizeof(lab), p->yt.v[k], p->yt.step, p->yt.ref, p->percent_y,
                      p->y_prefix);
        emit(w, "<text x=\"%f\" y=\"%f\" text-anchor=\"end\">%x</text>\n", f->left - 6, y + 4, lab);
    }
    for(k = 0; k < p->xt.n; k++) {
        double x = scale_map(&p->xs, p->xt.v[k]);
        fmt_value(lab, sizeof(lab), p->xt.v[k], p->xt.step, p->xt.ref, 0, NULL);
        emit(w, "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\">%x</text>\n", x, f->bottom + 16,
             lab);
    }
    put(w, "</g>\n");
    if(f->chart->x_label && f->chart->x_label[0])
        emit(w,
             "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\" font-size=\"12\" fill=\"#222222\">"
             "%x</text>\n",
             (f->left + f->right) / 2, f->bottom + 34, f->chart->x_label);
    if(f->chart->y_label && f->chart->y_label[0]) {
        double cx = PAD + 6, cy = (f->plot_top + f->bottom) / 2;
        emit(w,
             "<text transform=\"rotate(-90 %f %f)\" x=\"%f\" y=\"%f\" text-anchor=\"middle\" "
             "font-size=\"12\" fill=\"#222222\">%x</text>\n",
             cx, cy, cx, cy, f->chart->y_label);
    }
}

/* Appends to a bounded description. */
static void desc_add(char *d, size_t size, const char *s)
{
    size_t n = strlen(d);
    if(n + 1 < size)
        snprintf(d + n, size - n, "%s", s ? s : "");
}

static void desc_range(char *d, size_t size, const char *label, double lo, double hi)
{
    char a[64], b[64];
    double step = nice_step(fabs(hi - lo) / 100);
    fmt_value(a, sizeof(a), lo, step, fmax(fabs(lo), fabs(hi)), 0, NULL);
    fmt_value(b, sizeof(b), hi, step, fmax(fabs(lo), fabs(hi)), 0, NULL);
    desc_add(d, size, label && label[0] ? label : "x");
    desc_add(d, size, " from ");
    desc_add(d, size, a);
    desc_add(d, size, " to ");
    desc_add(d, size, b);
}

static int xy_render(const ocg_chart *c, const xy_spec *s, ocg_svg *out, char *err, size_t errlen)
{
    writer w = {out, OCG_OK};
    frame f;
    xy_plot p;
    size_t start_len = out->len, k, i, clipped = 0, points = 0;
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY, plot_h, left_w;
    char desc[1024] = "", note[160];
    int any_data, target;

    frame_init(&f, &w, c, OCG_DEFAULT_HEIGHT);
    memset(&p, 0, sizeof(p));
    p.f = &f;
    p.percent_y = s->percent_y;
    p.y_prefix = s->y_prefix;

    /* the data's extent; values <= 0 cannot go on a log axis */
    for(k = 0; k < s->n_layers; k++) {
        const layer *L = &s->layers[k];
        for(i = 0; i < L->n; i++) {
            double ys[2];
            int j, nv = L->kind == L_AREA ? 2 : 1;
            if(!isfinite(L->x[i]))
                continue;
            /* the time axis spans every point, drawable or not */
            xlo = fmin(xlo, L->x[i]);
            xhi = fmax(xhi, L->x[i]);
            ys[0] = L->y[i];
            ys[1] = L->kind == L_AREA ? L->y2[i] : (double)NAN;
            for(j = 0; j < nv; j++) {
                if(!isfinite(ys[j]))
                    continue;
                if(s->log_y && !(ys[j] > 0)) {
                    clipped++;
                    continue;
                }
                points++;
                ylo = fmin(ylo, ys[j]);
                yhi = fmax(yhi, ys[j]);
            }
        }
    }
    if(s->log_y && clipped && !points)
        return fail(out, OCG_EDATA, err, errlen,
                    "no value above zero to show on a logarithmic axis");
    for(k = 0; k < s->n_bands; k++)
        if(isfinite(s->bands[k].x0) && isfinite(s->bands[k].x1)) {
            xlo = fmin(xlo, fmin(s->bands[k].x0, s->bands[k].x1));
            xhi = fmax(xhi, fmax(s->bands[k].x0, s->bands[k].x1));
        }
    any_data = points > 0;
    for(k = 0; k < s->n_refs && any_data; k++)
        if(!s->refs[k].vertical && isfinite(s->refs[k].value) &&
           (!s->log_y || s->refs[k].value > 0)) {
            ylo = fmin(ylo, s->refs[k].value);
            yhi = fmax(yhi, s->refs[k].value);
        }
    if(!(xlo <= xhi)) {
        xlo = 0;
        xhi = 1;
    }
    if(!any_data) {
        ylo = s->log_y ? 1 : 0;
        yhi = s->log_y ? 10 : 1;
    }
    if(s->fix_y && isfinite(s->y_min) && isfinite(s->y_max) && s->y_max > s->y_min &&
       (!s->log_y || s->y_min > 0)) {
        ylo = s->y_min;
        yhi = s->y_max;
    }
    else if(!s->log_y) {
        /* quantities that start near zero read best from zero */
        if(ylo > 0 && ylo < 0.3 * yhi)
            ylo = 0;
        if(yhi < 0 && yhi > 0.3 * ylo)
            yhi = 0;
    }
    if(clipped) {
        snprintf(note, sizeof(note), "%lu value%s at or below zero %s not shown on the log axis.",
                 (unsigned long)clipped, clipped == 1 ? "" : "s", clipped == 1 ? "is" : "are");
        add_note(&f, note);
    }

    /* the legend: lines and areas, then the states that appear */
    for(k = 0; k < s->n_layers; k++) {
        const layer *L = &s->layers[k];
        if(!s->names[k] || !s->names[k][0])
            continue;
        if(L->kind == L_AREA)
            add_legend(&f, LG_AREA, L->color, NULL, L->opacity, 0, s->names[k]);
        else
            add_legend(&f, LG_LINE, L->color, L->dash, 1, 0, s->names[k]);
    }
    for(k = 0; k < s->n_layers; k++)
        if(s->layers[k].observed) {
            add_legend(&f, LG_DOT_FILLED, NULL, NULL, 1, 0, "observed");
            add_legend(&f, LG_DOT_HOLLOW, NULL, NULL, 1, 0, "filled in (interpolated)");
            break;
        }
    for(k = 0; k < s->n_bands; k++)
        if(s->bands[k].state >= 0 && s->bands[k].state < OCG_STATE_COUNT)
            f.used_states[s->bands[k].state] = 1;
    for(k = 0; k < OCG_STATE_COUNT; k++)
        if(f.used_states[k])
            add_legend(&f, LG_STATE, NULL, NULL, 1, (int)k, states[k].name);

    /* the description for screen readers */
    desc_add(desc, sizeof(desc), s->what);
    desc_add(desc, sizeof(desc), ". ");
    if(any_data) {
        desc_range(desc, sizeof(desc), c->x_label, xlo, xhi);
        desc_add(desc, sizeof(desc), ". ");
    }
    desc_add(desc, sizeof(desc), "Vertical axis: ");
    desc_add(desc, sizeof(desc), c->y_label && c->y_label[0] ? c->y_label : "value");
    desc_add(desc, sizeof(desc), s->log_y ? ", logarithmic. " : ". ");
    if(f.n_legend) {
        desc_add(desc, sizeof(desc), "Legend: ");
        for(k = 0; k < f.n_legend; k++) {
            desc_add(desc, sizeof(desc), k ? ", " : "");
            desc_add(desc, sizeof(desc), f.legend[k].text);
        }
        desc_add(desc, sizeof(desc), ".");
    }

    frame_begin(&f, desc);
    frame_title(&f);
    frame_legend(&f);

    /* the plot area: room below for tick labels, the x label and notes */
    f.plot_top = f.top + 4;
    f.bottom = f.height - PAD / 2 - note_height(&f) - 40;
    if(f.bottom < f.plot_top + 40)
        f.bottom = f.plot_top + 40;
    plot_h = f.bottom - f.plot_top;
    p.ys.log = s->log_y;
    if(s->log_y)
        log_ticks(ylo, yhi, (int)(plot_h / 28), &p.ys.d0, &p.ys.d1, &p.yt);
    else {
        target = (int)(plot_h / 45);
        linear_ticks(&ylo, &yhi, target < 3 ? 3 : target > 10 ? 10 : target, !s->fix_y, &p.yt);
        p.ys.d0 = ylo;
        p.ys.d1 = yhi;
    }
    p.ys.r0 = f.bottom;
    p.ys.r1 = f.plot_top;
    left_w = 0;
    for(k = 0; k < (size_t)p.yt.n; k++) {
        char lab[64];
        if(!p.yt.labelled[k])
            continue;
        if(s->log_y)
            fmt_log_tick(lab, sizeof(lab), p.yt.v[k], s->percent_y, s->y_prefix);
        else
            fmt_value(lab, sizeof(lab), p.yt.v[k], p.yt.step, p.yt.ref, s->percent_y, s->y_prefix);
        left_w = fmax(left_w, text_width(lab, TICK_SIZE));
    }
    f.left = PAD + (c->y_label && c->y_label[0] ? 20 : 0) + left_w + 10;
    f.right = f.width - PAD - 14;
    if(f.right < f.left + 40)
        f.right = f.left + 40;
    /* x ticks: fewer when the labels would touch */
    for(target = (int)((f.right - f.left) / 80); target >= 2; target--) {
        double lo = xlo, hi = xhi, widest = 0;
        linear_ticks(&lo, &hi, target, 0, &p.xt);
        for(k = 0; k < (size_t)p.xt.n; k++) {
            char lab[64];
            fmt_value(lab, sizeof(lab), p.xt.v[k], p.xt.step, p.xt.ref, 0, NULL);
            widest = fmax(widest, text_width(lab, TICK_SIZE));
        }
        if(p.xt.n < 2 || (f.right - f.left) * p.xt.step / (hi - lo > 0 ? hi - lo : 1) > widest + 10)
            break;
    }
    if(target < 2) {
        double lo = xlo, hi = xhi;
        linear_ticks(&lo, &hi, 2, 0, &p.xt);
    }
    widen_constant(&xlo, &xhi, AXIS_TIME);
    p.xs.d0 = xlo;
    p.xs.d1 = xhi;
    p.xs.r0 = f.left;
    p.xs.r1 = f.right;

    emit(&w,
         "<clipPath id=\"%s-clip\"><rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\"/>"
         "</clipPath>\n",
         f.id, f.left, f.plot_top - 1, f.right - f.left, f.bottom - f.plot_top + 2);
    if(s->n_bands)
        draw_bands(&p, s->bands, s->n_bands);
    draw_axes(&p);
    emit(&w, "<g clip-path=\"url(#%s-clip)\">\n", f.id);
    for(k = 0; k < s->n_layers; k++)
        if(s->layers[k].kind == L_AREA) {
            int rc = draw_area_layer(&p, &s->layers[k]);
            if(rc)
                w.status = rc;
        }
    draw_refs(&p, s->refs, s->n_refs);
    for(k = 0; k < s->n_layers; k++)
        if(s->layers[k].kind == L_LINE) {
            draw_line_layer(&p, &s->layers[k]);
            if((s->layers[k].observed || s->layers[k].markers) &&
               (double)s->layers[k].n <= 4 * (f.right - f.left))
                draw_markers(&p, &s->layers[k]);
        }
    put(&w, "</g>\n");
    if(!any_data)
        emit(&w,
             "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\" font-size=\"14\" "
             "fill=\"#777777\">no data</text>\n",
             (f.left + f.right) / 2, (f.plot_top + f.bottom) / 2);
    frame_end(&f);
    return finish(&w, start_len, &f, err, errlen);
}

/* Checks a series' arrays. */
static int series_ok(const ocg_series *s, char *err, size_t errlen, size_t k)
{
    if(s->n && (!s->x || !s->y)) {
        if(err && errlen)
            snprintf(err, errlen, "series %lu has %lu points but no x or y array", (unsigned long)k,
                     (unsigned long)s->n);
        return 0;
    }
    return 1;
}

int ocg_lines(const ocg_line_chart *c, ocg_svg *out, char *err, size_t errlen)
{
    xy_spec s;
    size_t k;
    if(!c || !out)
        return fail(out, OCG_EARG, err, errlen, "no chart or no output");
    if(c->n_series > OCG_MAX_SERIES || (c->n_series && !c->series))
        return fail(out, OCG_EARG, err, errlen, "too many series (at most 32) or none given");
    if((c->n_bands && !c->bands) || (c->n_refs && !c->refs))
        return fail(out, OCG_EARG, err, errlen, "bands or reference lines counted but not given");
    memset(&s, 0, sizeof(s));
    s.what = c->n_bands ? "Line chart with shaded diagnosis states" : "Line chart";
    for(k = 0; k < c->n_series; k++) {
        const ocg_series *in = &c->series[k];
        layer *L = &s.layers[k];
        if(!series_ok(in, err, errlen, k))
            return OCG_EARG;
        L->kind = L_LINE;
        L->x = in->x;
        L->y = in->y;
        L->n = in->n;
        L->color = series_color(in->color, k);
        L->dash = series_dash(in->dash, k);
        L->width = 2;
        L->observed = in->observed;
        L->markers = in->markers;
        s.names[k] = in->name;
    }
    s.n_layers = c->n_series;
    s.bands = c->bands;
    s.n_bands = c->n_bands;
    s.refs = c->refs;
    s.n_refs = c->n_refs;
    s.log_y = c->log_y;
    s.percent_y = c->percent_y;
    s.y_prefix = c->y_prefix;
    s.fix_y = c->fix_y;
    s.y_min = c->y_min;
    s.y_max = c->y_max;
    return xy_render(&c->chart, &s, out, err, errlen);
}

int ocg_fan(const ocg_fan_chart *c, ocg_svg *out, char *err, size_t errlen)
{
    xy_spec s;
    size_t k, n = 0;
    const char *blue = palette[0];
    if(!c || !out)
        return fail(out, OCG_EARG, err, errlen, "no chart or no output");
    if(c->n && !c->x)
        return fail(out, OCG_EARG, err, errlen, "percentiles without an x array");
    if(c->n_overlay > OCG_MAX_SERIES - 1 || (c->n_overlay && !c->overlay))
        return fail(out, OCG_EARG, err, errlen, "too many overlay series (at most 31)");
    if(c->n_refs && !c->refs)
        return fail(out, OCG_EARG, err, errlen, "reference lines counted but not given");
    memset(&s, 0, sizeof(s));
    s.what = "Fan chart of Monte Carlo percentiles";
    if(c->p05 && c->p95) {
        layer *L = &s.layers[n];
        L->kind = L_AREA;
        L->x = c->x;
        L->y = c->p05;
        L->y2 = c->p95;
        L->n = c->n;
        L->color = blue;
        L->opacity = 0.18;
        s.names[n++] = "5-95th percentile";
    }
    if(c->p25 && c->p75) {
        layer *L = &s.layers[n];
        L->kind = L_AREA;
        L->x = c->x;
        L->y = c->p25;
        L->y2 = c->p75;
        L->n = c->n;
        L->color = blue;
        L->opacity = 0.38;
        s.names[n++] = "25-75th percentile";
    }
    if(c->p50) {
        layer *L = &s.layers[n];
        L->kind = L_LINE;
        L->x = c->x;
        L->y = c->p50;
        L->n = c->n;
        L->color = blue;
        L->width = 2.2;
        s.names[n++] = c->name && c->name[0] ? c->name : "median";
    }
    for(k = 0; k < c->n_overlay; k++) {
        const ocg_series *in = &c->overlay[k];
        layer *L = &s.layers[n];
        if(!series_ok(in, err, errlen, k))
            return OCG_EARG;
        L->kind = L_LINE;
        L->x = in->x;
        L->y = in->y;
        L->n = in->n;
        L->color = series_color(in->color, k + 1);
        L->dash = series_dash(in->dash, k + 1);
        L->width = 1.8;
        L->observed = in->observed;
        L->markers = in->markers;
        s.names[n++] = in->name;
    }
    s.n_layers = n;
    s.refs = c->refs;
    s.n_refs = c->n_refs;
    s.log_y = c->log_y;
    s.percent_y = c->percent_y;
    s.y_prefix = c->y_prefix;
    return xy_render(&c->chart, &s, out, err, errlen);
}

int ocg_probability(const ocg_prob_chart *c, ocg_svg *out, char *err, size_t errlen)
{
    xy_spec s;
    size_t n = 0;
    if(!c || !out)
        return fail(out, OCG_EARG, err, errlen, "no chart or no output");
    if(c->n && (!c->x || !c->p))
        return fail(out, OCG_EARG, err, errlen, "probabilities without x or p arrays");
    if(!c->lo != !c->hi)
        return fail(out, OCG_EARG, err, errlen, "a confidence band needs both lo and hi");
    memset(&s, 0, sizeof(s));
    s.what = "Probability over time";
    if(c->lo) {
        layer *L = &s.layers[n];
        L->kind = L_AREA;
        L->x = c->x;
        L->y = c->lo;
        L->y2 = c->hi;
        L->n = c->n;
        L->color = palette[1];
        L->opacity = 0.22;
        s.names[n++] = c->band_label && c->band_label[0] ? c->band_label : "confidence interval";
    }
    {
        layer *L = &s.layers[n];
        L->kind = L_LINE;
        L->x = c->x;
        L->y = c->p;
        L->n = c->n;
        L->color = palette[1];
        L->width = 2.2;
        s.names[n++] = c->name && c->name[0] ? c->name : "probability";
    }
    s.n_layers = n;
    s.percent_y = 1;
    s.fix_y = 1;
    s.y_min = 0;
    s.y_max = 1;
    return xy_render(&c->chart, &s, out, err, errlen);
}

/* ------------------------------------------------------------------ */
/* Heat map                                                            */
/* ------------------------------------------------------------------ */

/* The fewest decimals (0..6) that show every value of a grid axis as it is
 * (0.85 needs 2, 1.2000000000000002 needs 1). */
static int grid_decimals(const double *v, size_t n)
{
    int dec;
    size_t k;
    double span = n > 1 ? fabs(v[n - 1] - v[0]) : fabs(v[0]);
    double tol = (span > 0 ? span : 1) * 1e-6;
    for(dec = 0; dec < 6; dec++) {
        double p = pow(10.0, dec);
        for(k = 0; k < n; k++)
            if(fabs(round(v[k] * p) / p - v[k]) > tol)
                break;
        if(k == n)
            return dec;
    }
    return 6;
}

static void fmt_grid(char *buf, size_t size, double v, int dec)
{
    if(fabs(v) >= 1e4 && dec == 0)
        fmt_value(buf, size, v, 1, fabs(v), 0, NULL);
    else {
        fmt_fixed(buf, size, v, dec);
        if(strcmp(buf, "-0") == 0)
            snprintf(buf, size, "0");
    }
}

/* The edges of the cells centred on v[0..n-1]: halfway between centres,
 * half a gap beyond the ends. */
static double cell_edge(const double *v, size_t n, size_t k)
{
    double gap;
    if(n == 1)
        return k == 0 ? v[0] - (v[0] != 0 ? fabs(v[0]) * 0.05 : 0.5)
                      : v[0] + (v[0] != 0 ? fabs(v[0]) * 0.05 : 0.5);
    if(k == 0)
        return v[0] - (v[1] - v[0]) / 2;
    if(k == n)
        return v[n - 1] + (v[n - 1] - v[n - 2]) / 2;
    gap = v[k] - v[k - 1];
    return v[k - 1] + gap / 2;
}

/* Grid-axis ticks: at every cell centre when they fit, else nice ticks. */
static void grid_ticks(const double *v, size_t n, double pixels, double label_room, ticks *t,
                       int *at_centres)
{
    size_t k;
    if(n <= MAX_TICKS && pixels / (double)n >= label_room) {
        t->n = 0;
        for(k = 0; k < n; k++) {
            t->v[t->n] = v[k];
            t->labelled[t->n] = 1;
            t->n++;
        }
        *at_centres = 1;
        return;
    }
    {
        double lo = cell_edge(v, n, 0), hi = cell_edge(v, n, n);
        int target = (int)(pixels / label_room);
        linear_ticks(&lo, &hi, target < 2 ? 2 : target, 0, t);
    }
    *at_centres = 0;
}

int ocg_heatmap(const ocg_heat_map *c, ocg_svg *out, char *err, size_t errlen)
{
    writer w = {out, OCG_OK};
    frame f;
    size_t start_len, k, ix, iy, n_inf = 0, n_nan = 0, n_bad = 0, n_val = 0;
    double zlo = INFINITY, zhi = -INFINITY, d0, d1, cw, chh, bar_x, bar_w = 14, right_room,
           widest = 0;
    ticks zt, xt, yt;
    int xdec, ydec, x_centres, y_centres, k2;
    char desc[1024] = "", lab[64], note[200];
    const char *z_label, *inf_label;
    scale xs, ys;

    if(!c || !out)
        return fail(out, OCG_EARG, err, errlen, "no chart or no output");
    if(!c->x || !c->y || !c->z || c->nx == 0 || c->ny == 0)
        return fail(out, OCG_EARG, err, errlen, "a heat map needs x, y and z arrays, nx, ny > 0");
    if(c->nx > OCG_MAX_CELLS / c->ny)
        return fail(out, OCG_ELIMIT, err, errlen, "the heat map has more than 262144 cells");
    for(k = 0; k < c->nx; k++)
        if(!isfinite(c->x[k]) || (k && !(c->x[k] > c->x[k - 1])))
            return fail(out, OCG_EDATA, err, errlen, "heat-map x values must increase strictly");
    for(k = 0; k < c->ny; k++)
        if(!isfinite(c->y[k]) || (k && !(c->y[k] > c->y[k - 1])))
            return fail(out, OCG_EDATA, err, errlen, "heat-map y values must increase strictly");
    start_len = out->len;
    z_label = c->z_label && c->z_label[0] ? c->z_label : "value";
    inf_label = c->inf_label && c->inf_label[0] ? c->inf_label : "infinite";
    for(k = 0; k < c->nx * c->ny; k++) {
        double z = c->z[k];
        if(isnan(z))
            n_nan++;
        else if(isinf(z) && z > 0)
            n_inf++;
        else if(!isfinite(z) || (c->log_z && !(z > 0)))
            n_bad++;
        else {
            n_val++;
            zlo = fmin(zlo, z);
            zhi = fmax(zhi, z);
        }
    }
    frame_init(&f, &w, &c->chart, OCG_DEFAULT_HEIGHT);
    f.need_inf_pattern = n_inf > 0;
    if(n_bad) {
        snprintf(note, sizeof(note),
                 "%lu cell%s at or below zero %s shown as missing on the "
                 "logarithmic colour scale.",
                 (unsigned long)n_bad, n_bad == 1 ? "" : "s", n_bad == 1 ? "is" : "are");
        add_note(&f, note);
    }
    if(n_inf)
        add_legend(&f, LG_INF, NULL, NULL, 1, 0, inf_label);
    if(n_nan + n_bad)
        add_legend(&f, LG_MISSING, NULL, NULL, 1, 0, "no value");

    /* the colour scale's domain (log10 units when log_z) and ticks */
    if(!n_val) {
        zlo = c->log_z ? 1 : 0;
        zhi = c->log_z ? 10 : 1;
    }
    if(c->log_z)
        log_ticks(zlo, zhi, 8, &d0, &d1, &zt);
    else {
        d0 = zlo;
        d1 = zhi;
        linear_ticks(&d0, &d1, 6, 1, &zt);
    }

    /* description */
    desc_add(desc, sizeof(desc), "Heat map of ");
    desc_add(desc, sizeof(desc), z_label);
    desc_add(desc, sizeof(desc), " over ");
    desc_range(desc, sizeof(desc), c->chart.x_label, c->x[0], c->x[c->nx - 1]);
    desc_add(desc, sizeof(desc), " and ");
    desc_range(desc, sizeof(desc), c->chart.y_label, c->y[0], c->y[c->ny - 1]);
    if(n_val) {
        desc_add(desc, sizeof(desc), "; values from ");
        fmt_sig3(lab, sizeof(lab), zlo);
        desc_add(desc, sizeof(desc), lab);
        desc_add(desc, sizeof(desc), " to ");
        fmt_sig3(lab, sizeof(lab), zhi);
        desc_add(desc, sizeof(desc), lab);
    }
    if(n_inf) {
        snprintf(note, sizeof(note), "; %lu of %lu cells: ", (unsigned long)n_inf,
                 (unsigned long)(c->nx * c->ny));
        desc_add(desc, sizeof(desc), note);
        desc_add(desc, sizeof(desc), inf_label);
    }
    desc_add(desc, sizeof(desc), ".");

    frame_begin(&f, desc);
    frame_title(&f);
    frame_legend(&f);

    /* layout: the colour bar and its labels on the right */
    for(k2 = 0; k2 < zt.n; k2++) {
        if(c->log_z)
            fmt_log_tick(lab, sizeof(lab), zt.v[k2], 0, NULL);
        else
            fmt_value(lab, sizeof(lab), zt.v[k2], zt.step, zt.ref, 0, NULL);
        widest = fmax(widest, text_width(lab, TICK_SIZE));
    }
    right_room = 16 + bar_w + 6 + widest + 10 + 18;
    f.plot_top = f.top + 4;
    f.bottom = f.height - PAD / 2 - note_height(&f) - 40;
    if(f.bottom < f.plot_top + 40)
        f.bottom = f.plot_top + 40;
    xdec = grid_decimals(c->x, c->nx);
    ydec = grid_decimals(c->y, c->ny);
    widest = 0;
    for(k = 0; k < c->ny; k++) {
        fmt_grid(lab, sizeof(lab), c->y[k], ydec);
        widest = fmax(widest, text_width(lab, TICK_SIZE));
    }
    f.left = PAD + (c->chart.y_label && c->chart.y_label[0] ? 20 : 0) + widest + 10;
    f.right = f.width - PAD - right_room;
    if(f.right < f.left + 40)
        f.right = f.left + 40;
    xs.log = ys.log = 0;
    xs.d0 = cell_edge(c->x, c->nx, 0);
    xs.d1 = cell_edge(c->x, c->nx, c->nx);
    xs.r0 = f.left;
    xs.r1 = f.right;
    ys.d0 = cell_edge(c->y, c->ny, 0);
    ys.d1 = cell_edge(c->y, c->ny, c->ny);
    ys.r0 = f.bottom;
    ys.r1 = f.plot_top;
    {
        double xw = 0;
        for(k = 0; k < c->nx; k++) {
            fmt_grid(lab, sizeof(lab), c->x[k], xdec);
            xw = fmax(xw, text_width(lab, TICK_SIZE));
        }
        grid_ticks(c->x, c->nx, f.right - f.left, xw + 10, &xt, &x_centres);
        grid_ticks(c->y, c->ny, f.bottom - f.plot_top, 16, &yt, &y_centres);
    }

    /* the cells */
    cw = (f.right - f.left) / (double)c->nx;
    chh = (f.bottom - f.plot_top) / (double)c->ny;
    put(&w, "<g stroke=\"#ffffff\" stroke-width=\"0.5\">\n");
    for(iy = 0; iy < c->ny; iy++) {
        double y0 = scale_map(&ys, cell_edge(c->y, c->ny, iy + 1));
        double y1 = scale_map(&ys, cell_edge(c->y, c->ny, iy));
        for(ix = 0; ix < c->nx; ix++) {
            double z = c->z[iy * c->nx + ix];
            double x0 = scale_map(&xs, cell_edge(c->x, c->nx, ix));
            double x1 = scale_map(&xs, cell_edge(c->x, c->nx, ix + 1));
            char fill[16], xs_lab[64], ys_lab[64], zs[64];
            const char *text_fill = "#000000", *cell_text = NULL;
            int kind; /* 0 value, 1 inf, 2 missing */
            double t = 0;
            if(isinf(z) && z > 0)
                kind = 1;
            else if(!isfinite(z) || (c->log_z && !(z > 0)))
                kind = 2;
            else
                kind = 0;
            fmt_grid(xs_lab, sizeof(xs_lab), c->x[ix], xdec);
            fmt_grid(ys_lab, sizeof(ys_lab), c->y[iy], ydec);
            if(kind == 0) {
                double v = c->log_z ? log10(z) : z;
                t = (v - d0) / (d1 - d0);
                viridis(t, fill, sizeof(fill));
                fmt_sig3(zs, sizeof(zs), z);
                text_fill = t < 0.55 ? "#ffffff" : "#000000";
                cell_text = zs;
            }
            else if(kind == 1) {
                snprintf(fill, sizeof(fill), "#eeeeee");
                snprintf(zs, sizeof(zs), "%s", inf_label);
                cell_text = "\xE2\x88\x9E"; /* the infinity sign */
                text_fill = "#333333";
            }
            else {
                snprintf(fill, sizeof(fill), "#ffffff");
                snprintf(zs, sizeof(zs), "no value");
                cell_text = "n/a";
                text_fill = "#777777";
            }
            emit(&w, "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" fill=\"%s\"><title>", x0,
                 y0, x1 - x0, y1 - y0, fill);
            emit(&w, "%x %s, %x %s: %x %x</title></rect>\n",
                 c->chart.x_label ? c->chart.x_label : "x", xs_lab,
                 c->chart.y_label ? c->chart.y_label : "y", ys_lab, z_label, zs);
            if(kind == 1)
                emit(&w,
                     "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" fill=\"url(#%s-inf)\" "
                     "stroke=\"none\"/>\n",
                     x0, y0, x1 - x0, y1 - y0, f.id);
            if(cell_text && cw >= text_width(cell_text, 10) + 6 && chh >= 14)
                emit(&w,
                     "<text x=\"%f\" y=\"%f\" font-size=\"%s\" text-anchor=\"middle\" "
                     "stroke=\"none\" fill=\"%s\">%x</text>\n",
                     (x0 + x1) / 2, (y0 + y1) / 2 + (kind == 1 ? 5 : 3.5), kind == 1 ? "15" : "10",
                     text_fill, cell_text);
        }
    }
    put(&w, "</g>\n");

    /* axes */
    emit(&w, "<path d=\"M%f %fV%fH%f\" fill=\"none\" stroke=\"#444444\" stroke-width=\"1\"/>\n",
         f.left, f.plot_top, f.bottom, f.right);
    put(&w, "<g font-size=\"11\" fill=\"#333333\">\n");
    for(k2 = 0; k2 < xt.n; k2++) {
        double x = scale_map(&xs, xt.v[k2]);
        if(x_centres)
            fmt_grid(lab, sizeof(lab), xt.v[k2], xdec);
        else
            fmt_value(lab, sizeof(lab), xt.v[k2], xt.step, xt.ref, 0, NULL);
        emit(&w, "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\">%x</text>\n", x, f.bottom + 16,
             lab);
    }
    for(k2 = 0; k2 < yt.n; k2++) {
        double y = scale_map(&ys, yt.v[k2]);
        if(y_centres)
            fmt_grid(lab, sizeof(lab), yt.v[k2], ydec);
        else
            fmt_value(lab, sizeof(lab), yt.v[k2], yt.step, yt.ref, 0, NULL);
        emit(&w, "<text x=\"%f\" y=\"%f\" text-anchor=\"end\">%x</text>\n", f.left - 6, y + 4, lab);
    }
    put(&w, "</g>\n");
    if(c->chart.x_label && c->chart.x_label[0])
        emit(&w,
             "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\" font-size=\"12\" "
             "fill=\"#222222\">%x</text>\n",
             (f.left + f.right) / 2, f.bottom + 34, c->chart.x_label);
    if(c->chart.y_label && c->chart.y_label[0]) {
        double cx = PAD + 6, cy = (f.plot_top + f.bottom) / 2;
        emit(&w,
             "<text transform=\"rotate(-90 %f %f)\" x=\"%f\" y=\"%f\" text-anchor=\"middle\" "
             "font-size=\"12\" fill=\"#222222\">%x</text>\n",
             cx, cy, cx, cy, c->chart.y_label);
    }

    /* the colour bar: 64 steps from low (bottom) to high (top) */
    {
        int steps = 64, s;
        double top = f.plot_top, bot = f.bottom, hstep = (bot - top) / steps;
        char fill[16];
        bar_x = f.right + 16;
        put(&w, "<g shape-rendering=\"crispEdges\">\n");
        for(s = 0; s < steps; s++) {
            viridis((s + 0.5) / steps, fill, sizeof(fill));
            emit(&w, "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" fill=\"%s\"/>\n", bar_x,
                 bot - (s + 1) * hstep, bar_w, hstep + 0.3, fill);
        }
        emit(&w,
             "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" fill=\"none\" "
             "stroke=\"#444444\" stroke-width=\"0.8\"/>\n",
             bar_x, top, bar_w, bot - top);
        put(&w, "</g>\n<g font-size=\"11\" fill=\"#333333\">\n");
        for(k2 = 0; k2 < zt.n; k2++) {
            double v = c->log_z ? log10(zt.v[k2]) : zt.v[k2];
            double y = bot - (v - d0) / (d1 - d0) * (bot - top);
            if(!zt.labelled[k2])
                continue;
            if(c->log_z)
                fmt_log_tick(lab, sizeof(lab), zt.v[k2], 0, NULL);
            else
                fmt_value(lab, sizeof(lab), zt.v[k2], zt.step, zt.ref, 0, NULL);
            emit(&w, "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\" stroke=\"#444444\"/>\n",
                 bar_x + bar_w, y, bar_x + bar_w + 4, y);
            emit(&w, "<text x=\"%f\" y=\"%f\">%x</text>\n", bar_x + bar_w + 6, y + 4, lab);
        }
        put(&w, "</g>\n");
        {
            double cx = f.width - PAD - 4, cy = (top + bot) / 2;
            emit(&w,
                 "<text transform=\"rotate(-90 %f %f)\" x=\"%f\" y=\"%f\" "
                 "text-anchor=\"middle\" font-size=\"12\" fill=\"#222222\">%x%s</text>\n",
                 cx, cy, cx, cy, z_label, c->log_z ? " (log scale)" : "");
        }
    }
    if(!n_val && !n_inf)
        emit(&w,
             "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\" font-size=\"14\" "
             "fill=\"#777777\">no data</text>\n",
             (f.left + f.right) / 2, (f.plot_top + f.bottom) / 2);
    frame_end(&f);
    return finish(&w, start_len, &f, err, errlen);
}

/* ------------------------------------------------------------------ */
/* Tornado                                                             */
/* ------------------------------------------------------------------ */

/* Rank order: larger |value| first, NaN last, ties by input order (so the
 * result never depends on the sort algorithm). */
static int ranks_before(const ocg_bar *b, size_t i, size_t j)
{
    double a = b[i].value, c = b[j].value;
    int an = isnan(a), cn = isnan(c);
    if(an != cn)
        return cn;
    if(!an && fabs(a) != fabs(c))
        return fabs(a) > fabs(c);
    return i < j;
}

int ocg_tornado(const ocg_tornado_chart *c, ocg_svg *out, char *err, size_t errlen)
{
    writer w = {out, OCG_OK};
    frame f;
    size_t start_len, order[OCG_MAX_BARS], k, j, n;
    double lo = 0, hi = 0, label_w = 0, row, max_label;
    ticks t;
    scale xs;
    char desc[1024] = "", lab[64];
    int any_neg = 0, any_interval = 0, height, target, k2;

    if(!c || !out)
        return fail(out, OCG_EARG, err, errlen, "no chart or no output");
    if(c->n > OCG_MAX_BARS || (c->n && !c->bars))
        return fail(out, OCG_EARG, err, errlen, "too many bars (at most 60) or none given");
    n = c->n;
    start_len = out->len;
    for(k = 0; k < n; k++)
        order[k] = k;
    for(k = 1; k < n; k++) /* insertion sort: stable and small */
        for(j = k; j > 0 && ranks_before(c->bars, order[j], order[j - 1]); j--) {
            size_t tmp = order[j];
            order[j] = order[j - 1];
            order[j - 1] = tmp;
        }
    for(k = 0; k < n; k++) {
        const ocg_bar *b = &c->bars[k];
        if(isfinite(b->value)) {
            lo = fmin(lo, b->value);
            hi = fmax(hi, b->value);
            if(b->value < 0)
                any_neg = 1;
        }
        if(b->has_interval && isfinite(b->lo) && isfinite(b->hi)) {
            lo = fmin(lo, fmin(b->lo, b->hi));
            hi = fmax(hi, fmax(b->lo, b->hi));
            any_interval = 1;
        }
    }
    /* default height: 26 pixels a bar */
    height = c->chart.height > 0 ? c->chart.height : (int)(150 + 26 * (n ? n : 1));
    frame_init(&f, &w, &c->chart, height);
    add_legend(&f, LG_BAR, palette[0], NULL, 1, 0, any_neg ? "positive" : "index");
    if(any_neg)
        add_legend(&f, LG_BAR, palette[1], NULL, 1, 0, "negative");
    if(any_interval)
        add_legend(&f, LG_LINE, "#222222", NULL, 1, 0, "interval");

    desc_add(desc, sizeof(desc), "Tornado chart of ");
    desc_add(desc, sizeof(desc),
             c->chart.x_label && c->chart.x_label[0] ? c->chart.x_label : "sensitivity");
    desc_add(desc, sizeof(desc), ", ranked: ");
    for(k = 0; k < n && k < 12; k++) {
        const ocg_bar *b = &c->bars[order[k]];
        desc_add(desc, sizeof(desc), k ? "; " : "");
        desc_add(desc, sizeof(desc), b->label ? b->label : "?");
        desc_add(desc, sizeof(desc), " ");
        fmt_sig3(lab, sizeof(lab), b->value);
        desc_add(desc, sizeof(desc), lab);
    }
    desc_add(desc, sizeof(desc), n > 12 ? "; ..." : ".");

    frame_begin(&f, desc);
    frame_title(&f);
    frame_legend(&f);

    max_label = f.width * 0.4;
    for(k = 0; k < n; k++)
        label_w = fmax(label_w, fmin(text_width(c->bars[k].label, TICK_SIZE), max_label));
    f.plot_top = f.top + 4;
    f.bottom = f.height - PAD / 2 - note_height(&f) - 40;
    if(f.bottom < f.plot_top + 20)
        f.bottom = f.plot_top + 20;
    f.left = PAD + label_w + 10;
    f.right = f.width - PAD - 44; /* room for the value after the longest bar */
    if(f.right < f.left + 40)
        f.right = f.left + 40;
    target = (int)((f.right - f.left) / 80);
    linear_ticks(&lo, &hi, target < 2 ? 2 : target, 1, &t);
    xs.log = 0;
    xs.d0 = lo;
    xs.d1 = hi;
    xs.r0 = f.left;
    xs.r1 = f.right;
    row = (f.bottom - f.plot_top) / (double)(n ? n : 1);

    put(&w, "<g stroke=\"#e3e3e3\" stroke-width=\"1\">\n");
    for(k2 = 0; k2 < t.n; k2++) {
        double x = scale_map(&xs, t.v[k2]);
        emit(&w, "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\"/>\n", x, f.plot_top, x, f.bottom);
    }
    put(&w, "</g>\n<g font-size=\"11\" fill=\"#333333\">\n");
    for(k2 = 0; k2 < t.n; k2++) {
        double x = scale_map(&xs, t.v[k2]);
        fmt_value(lab, sizeof(lab), t.v[k2], t.step, t.ref, 0, NULL);
        emit(&w, "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\">%x</text>\n", x, f.bottom + 16,
             lab);
    }
    put(&w, "</g>\n");
    for(k = 0; k < n; k++) {
        const ocg_bar *b = &c->bars[order[k]];
        double cy = f.plot_top + row * ((double)k + 0.5), bh = fmin(row * 0.62, 22);
        double x0 = scale_map(&xs, 0);
        size_t start[1], len[1];
        int truncated;
        /* the label, cut to the room on the left */
        wrap_text(b->label ? b->label : "", TICK_SIZE, max_label, start, len, 1, &truncated);
        emit(&w, "<text x=\"%f\" y=\"%f\" text-anchor=\"end\" font-size=\"11\" fill=\"#222222\">",
             f.left - 8, cy + 4);
        if(b->label)
            put_text_n(&w, b->label + start[0], len[0]);
        if(truncated)
            put(&w, "\xE2\x80\xA6");
        put(&w, "</text>\n");
        if(!isfinite(b->value)) {
            emit(&w, "<text x=\"%f\" y=\"%f\" font-size=\"10\" fill=\"#777777\">n/a</text>\n",
                 x0 + 4, cy + 4);
            continue;
        }
        {
            double x1 = scale_map(&xs, b->value);
            emit(&w, "<rect x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" fill=\"%s\"/>\n",
                 fmin(x0, x1), cy - bh / 2, fabs(x1 - x0), bh,
                 b->value < 0 ? palette[1] : palette[0]);
            if(b->has_interval && isfinite(b->lo) && isfinite(b->hi)) {
                double a = scale_map(&xs, b->lo), z = scale_map(&xs, b->hi);
                emit(&w,
                     "<path d=\"M%f %fV%fM%f %fH%fM%f %fV%f\" stroke=\"#222222\" "
                     "stroke-width=\"1.3\" fill=\"none\"/>\n",
                     a, cy - 5, cy + 5, a, cy, z, z, cy - 5, cy + 5);
            }
            fmt_sig3(lab, sizeof(lab), b->value);
            {
                /* after the bar (and its whisker); a negative bar's value goes
                 * right of the zero line, clear of the labels on the left */
                double tx = x0 + 4;
                if(b->value >= 0)
                    tx = fmax(x1, b->has_interval ? scale_map(&xs, fmax(b->lo, b->hi)) : x1) + 4;
                emit(&w, "<text x=\"%f\" y=\"%f\" font-size=\"10\" fill=\"#222222\">%x</text>\n",
                     tx, cy + 3.5, lab);
            }
        }
    }
    {
        double x0 = scale_map(&xs, 0);
        emit(&w, "<path d=\"M%f %fV%f\" stroke=\"#444444\" stroke-width=\"1\"/>\n", x0, f.plot_top,
             f.bottom);
        emit(&w, "<path d=\"M%f %fH%f\" stroke=\"#444444\" stroke-width=\"1\"/>\n", f.left,
             f.bottom, f.right);
    }
    if(c->chart.x_label && c->chart.x_label[0])
        emit(&w,
             "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\" font-size=\"12\" "
             "fill=\"#222222\">%x</text>\n",
             (f.left + f.right) / 2, f.bottom + 34, c->chart.x_label);
    if(!n)
        emit(&w,
             "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\" font-size=\"14\" "
             "fill=\"#777777\">no data</text>\n",
             (f.left + f.right) / 2, (f.plot_top + f.bottom) / 2);
    frame_end(&f);
    return finish(&w, start_len, &f, err, errlen);
}
