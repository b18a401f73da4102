/*
 * oc_int.h - declarations shared by the engine's core modules.
 *
 * Nothing here is public. Module prefixes follow the pipeline:
 *   ocM_  memory (allocator hook, arenas, growable arrays)   mem.c
 *   ocE_  error records                                      error.c
 *   ocN_  names: canonical identifiers and a string map      names.c
 *   ocX_  equation lexer                                     lex.c
 *   ocY_  equation parser and syntax tree                    parse.c
 *   ocI_  model description built by readers (the IR)        ir.c
 *   ocB_  built-in functions table                           builtins.c
 *   ocK_  compiler: IR -> flat program                       compile.c
 *   ocV_  evaluator of flat programs                         vm.c
 *   ocR_  random numbers                                     rng.c
 * The integrators and the oc_run API live in run.c.
 */
#ifndef OC_INT_H
#define OC_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "overcap.h"

#if defined(__GNUC__)
#define OC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define OC_PRINTF(f, a)
#endif

/* ------------------------------------------------------------------ */
/* Memory                                                              */
/* ------------------------------------------------------------------ */

void *ocM_alloc(size_t size);              /* NULL on failure or size 0 */
void *ocM_calloc(size_t n, size_t size);   /* zeroed; checks n*size overflow */
void *ocM_realloc(void *ptr, size_t size); /* size 0 frees and returns NULL */
void ocM_free(void *ptr);
char *ocM_strdup(const char *s);
char *ocM_strndup(const char *s, size_t n);

/* Grows *items (of elem bytes each) so it holds at least need elements,
 * doubling the capacity. Returns OC_OK or OC_ENOMEM (then *items is intact). */
int ocM_grow(void **items, size_t *cap, size_t need, size_t elem);

/* An arena: many small allocations freed together. Used for syntax trees and
 * strings whose lifetime is the model's. */
typedef struct ocM_arena {
    struct ocM_block *head;
    size_t used_total;
} ocM_arena;

void ocM_arena_init(ocM_arena *a);
void *ocM_arena_alloc(ocM_arena *a, size_t size); /* 16-byte aligned, zeroed */
char *ocM_arena_strdup(ocM_arena *a, const char *s);
char *ocM_arena_strndup(ocM_arena *a, const char *s, size_t n);
void ocM_arena_free(ocM_arena *a);

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

/* Fills err (when non-NULL) and returns code. file and var may be NULL. */
int ocE_set(oc_error *err, int code, const char *file, int line, int column, const char *var,
            const char *fmt, ...) OC_PRINTF(7, 8);
int ocE_vset(oc_error *err, int code, const char *file, int line, int column, const char *var,
             const char *fmt, va_list ap);
void ocE_clear(oc_error *err);

/* ------------------------------------------------------------------ */
/* Names                                                               */
/* ------------------------------------------------------------------ */

/* Writes the canonical form of an identifier into an arena string: quotes
 * removed, whitespace (space, tab, newlines, "\n" escapes, NBSP and '_')
 * collapsed to one '_', trimmed, ASCII letters lowered. */
char *ocN_canon(ocM_arena *a, const char *name, size_t len);

/* A map from strings to non-negative ints (open addressing). Keys are not
 * copied: they must outlive the map (they live in an arena). */
typedef struct ocN_map {
    const char **keys;
    int *vals;
    size_t cap; /* power of two */
    size_t count;
} ocN_map;

void ocN_map_init(ocN_map *m);
int ocN_map_put(ocN_map *m, const char *key, int val); /* replaces; OC_ENOMEM */
int ocN_map_get(const ocN_map *m, const char *key);    /* -1 when absent */
void ocN_map_free(ocN_map *m);

/* ------------------------------------------------------------------ */
/* Lexer                                                               */
/* ------------------------------------------------------------------ */

typedef enum ocX_type {
    OCX_END = 0,
    OCX_NUM,
    OCX_NAME,   /* bare identifier, may contain dots: module.var */
    OCX_QNAME,  /* "quoted identifier" */
    OCX_LPAREN, /* ( */
    OCX_RPAREN, /* ) */
    OCX_LBRACK, /* [ */
    OCX_RBRACK, /* ] */
    OCX_COMMA,
    OCX_PLUS,
    OCX_MINUS,
    OCX_STAR,
    OCX_SLASH,
    OCX_CARET,
    OCX_LT,
    OCX_LE,
    OCX_GT,
    OCX_GE,
    OCX_EQ, /* = or == */
    OCX_NE, /* <> or != */
    OCX_ERROR
} ocX_type;

typedef struct ocX_token {
    ocX_type type;
    uint32_t pos; /* byte offset in the equation text */
    uint32_t len;
    double num;
} ocX_token;

typedef struct ocX_lexer {
    const char *src;
    size_t len;
    size_t pos;
    const char *error; /* set with OCX_ERROR */
} ocX_lexer;

void ocX_init(ocX_lexer *lx, const char *src, size_t len);
ocX_token ocX_next(ocX_lexer *lx);

/* ------------------------------------------------------------------ */
/* Syntax tree                                                         */
/* ------------------------------------------------------------------ */

typedef enum ocY_kind {
    OCY_NUM = 0,
    OCY_NAME, /* reference to a variable or a zero-argument builtin */
    OCY_CALL, /* name(args) */
    OCY_NEG,
    OCY_NOT,
    OCY_BIN, /* binary operator in op */
    OCY_IF,  /* args[0] ? args[1] : args[2] */
    OCY_REF, /* resolved reference: id is a compiled variable */
    OCY_SLOT /* resolved clock name: id is a fixed slot (OCV_SLOT_TIME, ...) */
} ocY_kind;

typedef enum ocY_op {
    OCY_ADD = 0,
    OCY_SUB,
    OCY_MUL,
    OCY_DIV,
    OCY_POW,
    OCY_MOD,
    OCY_LT,
    OCY_LE,
    OCY_GT,
    OCY_GE,
    OCY_EQ,
    OCY_NE,
    OCY_AND,
    OCY_OR
} ocY_op;

typedef struct ocY_node {
    uint8_t kind;
    uint8_t op;
    uint16_t nargs;
    uint32_t pos;       /* offset in the equation text, for messages */
    double num;         /* OCY_NUM */
    const char *name;   /* OCY_NAME/OCY_CALL: canonical name */
    const char *raw;    /* as written, for messages; NAME with op 1: name is absolute */
    struct ocY_node **args;
    int32_t id; /* OCY_REF: variable id; OCY_CALL: call-site number */
} ocY_node;

#define OCY_MAX_DEPTH 200 /* nesting limit: hostile input cannot blow the stack */
#define OCY_MAX_ARGS 1000

/* Parses an equation. On success *out is the tree (NULL for an empty
 * equation: only blanks and comments). On failure returns OC_ESYNTAX and
 * err_pos and err_msg say where and why (msg is static text or arena text). */
int ocY_parse(ocM_arena *a, const char *src, size_t len, ocY_node **out, uint32_t *err_pos,
              const char **err_msg);

ocY_node *ocY_new(ocM_arena *a, ocY_kind kind, uint32_t pos);
ocY_node *ocY_num(ocM_arena *a, double v);
ocY_node *ocY_ref(ocM_arena *a, int32_t id);
ocY_node *ocY_bin(ocM_arena *a, ocY_op op, ocY_node *l, ocY_node *r);

/* ------------------------------------------------------------------ */
/* The model description readers build                                */
/* ------------------------------------------------------------------ */

typedef enum ocI_gftype { OCI_GF_CONTINUOUS = 0, OCI_GF_EXTRAPOLATE, OCI_GF_DISCRETE } ocI_gftype;

typedef struct ocI_gf {
    ocI_gftype type;
    size_t n;
    double *x; /* arena; strictly increasing after validation */
    double *y;
    int line;
} ocI_gf;

typedef enum ocI_access { OCI_ACCESS_NONE = 0, OCI_ACCESS_INPUT, OCI_ACCESS_OUTPUT } ocI_access;

typedef struct ocI_var {
    const char *name; /* as written */
    oc_kind kind;     /* OC_STOCK, OC_FLOW, OC_AUX (OC_GF: aux that is only a table) */
    const char *eqn;  /* may be NULL: no <eqn> */
    int eqn_line;     /* line of the <eqn> element's text */
    int line;         /* line of the variable's element */
    const char **inflows;
    const char **outflows;
    size_t n_in, n_out;
    int non_negative; /* -1: not said (behaviour decides), 0, 1 */
    ocI_gf *gf;
    const char *units;
    const char *doc;
    ocI_access access;
    int has_range; /* <range min max>: the plausible input range */
    double range_min, range_max;
    int is_module; /* a <module>: name is the instance, model_ref the model */
    const char *model_ref;
    const char **connect_to;
    const char **connect_from;
    size_t n_connect;
} ocI_var;

typedef struct ocI_submodel {
    const char *name; /* NULL for the root model */
    ocI_var *vars;
    size_t n_vars, cap_vars;
    int nn_stocks; /* behaviour: -1 unset, 0, 1 */
    int nn_flows;
    int line;
} ocI_submodel;

typedef struct ocI_macro {
    const char *name;
    const char **parms;
    const char **parm_defaults; /* NULL entries: required */
    size_t n_parms;
    const char *eqn;
    int eqn_line;
    ocI_submodel body; /* the macro's own variables (may be empty) */
    int line;
} ocI_macro;

typedef struct ocI_doc {
    ocM_arena arena;
    const char *file; /* for messages */
    const char *name; /* header name */
    const char *time_units;
    oc_specs specs;
    int has_start, has_stop;
    ocI_submodel *models;
    size_t n_models, cap_models;
    ocI_macro *macros;
    size_t n_macros, cap_macros;
    int nn_stocks; /* file-level behaviour */
    int nn_flows;
} ocI_doc;

int ocI_doc_init(ocI_doc *d, const char *file);
void ocI_doc_free(ocI_doc *d);
ocI_submodel *ocI_add_model(ocI_doc *d, const char *name, int line);
ocI_var *ocI_add_var(ocI_submodel *m);
ocI_macro *ocI_add_macro(ocI_doc *d);
int ocI_push_str(ocM_arena *a, const char ***list, size_t *n, const char *s);

/* ------------------------------------------------------------------ */
/* Built-in functions                                                   */
/* ------------------------------------------------------------------ */

typedef enum ocB_class {
    OCB_CLS_PURE = 0, /* a function of its arguments only */
    OCB_CLS_TIME,     /* depends on TIME / DT (STEP, PULSE, RAMP) */
    OCB_CLS_RANDOM, /* draws random numbers */
    OCB_CLS_STATEFUL, /* expanded into hidden stocks (SMTH1, DELAY3, ...) */
    OCB_CLS_SPECIAL   /* handled by the compiler (INIT, PREVIOUS, DELAY, LOOKUP) */
} ocB_class;

typedef struct ocB_info {
    const char *name; /* canonical (lower case) */
    int id;           /* an OCB_ value below */
    uint8_t min_args, max_args;
    ocB_class cls;
} ocB_info;

enum {
    OCB_ABS = 0, OCB_EXP, OCB_LN, OCB_LOG10, OCB_SQRT, OCB_INT, OCB_MOD, OCB_MIN, OCB_MAX,
    OCB_SIN, OCB_COS, OCB_TAN, OCB_ARCSIN, OCB_ARCCOS, OCB_ARCTAN, OCB_PI, OCB_INF,
    OCB_SAFEDIV, OCB_XIDZ, OCB_ZIDZ, OCB_ROUND, OCB_SIGN, OCB_MEAN, OCB_SUM, OCB_PROD,
    OCB_IF_THEN_ELSE, OCB_LOG,
    OCB_STEP, OCB_PULSE, OCB_RAMP,
    OCB_RANDOM, OCB_NORMAL, OCB_EXPRND, OCB_LOGNORMAL, OCB_POISSON,
    OCB_SMTH1, OCB_SMTH3, OCB_SMTHN, OCB_DELAY1, OCB_DELAY3, OCB_DELAYN, OCB_TREND, OCB_FORCST,
    OCB_DELAY, OCB_INIT, OCB_PREVIOUS, OCB_LOOKUP, OCB_SELF,
    OCB_COUNT
};

const ocB_info *ocB_find(const char *canon); /* NULL when not a builtin function */

/* Zero-argument names that read the clock: TIME, DT, STARTTIME, STOPTIME and
 * the Vensim spellings. Returns a slot number (OCV_SLOT_*) or -1. */
int ocB_clock_slot(const char *canon);

/* ------------------------------------------------------------------ */
/* Random numbers                                                       */
/* ------------------------------------------------------------------ */

/* A uniform draw in (0, 1), a pure function of its four keys. */
double ocR_unit(uint64_t bits);
double ocR_uniform(uint64_t seed, uint64_t site, uint64_t step, uint64_t k);
double ocR_normal(uint64_t seed, uint64_t site, uint64_t step);
double ocR_poisson(uint64_t seed, uint64_t site, uint64_t step, double mean);

/* ------------------------------------------------------------------ */
/* Flat programs                                                        */
/* ------------------------------------------------------------------ */

/* Fixed slots at the start of every value array. */
enum {
    OCV_SLOT_TIME = 0,
    OCV_SLOT_DT = 1,
    OCV_SLOT_START = 2,
    OCV_SLOT_STOP = 3,
    OCV_SLOT_SAVE = 4,
    OCV_SLOT_ZERO = 5,
    OCV_SLOT_ONE = 6,
    OCV_NFIXED = 7
};

/* One instruction: d = op(a, b). Operations that need more operands take
 * them from the instruction that follows (op OCV_EXT), or refer to a side
 * table (graphical functions, random sites, delays). */
typedef struct ocV_ins {
    uint32_t op;
    uint32_t d;
    uint32_t a;
    uint32_t b;
} ocV_ins;

enum {
    OCV_MOV = 0, OCV_ADD, OCV_SUB, OCV_MUL, OCV_DIV, OCV_POW, OCV_MOD, OCV_NEG, OCV_NOT,
    OCV_LT, OCV_LE, OCV_GT, OCV_GE, OCV_EQ, OCV_NE, OCV_AND, OCV_OR,
    OCV_SELECT, /* d = a ? ext.a : ext.b */
    OCV_ABS, OCV_EXP, OCV_LN, OCV_LOG10, OCV_SQRT, OCV_INT, OCV_SIN, OCV_COS, OCV_TAN,
    OCV_ASIN, OCV_ACOS, OCV_ATAN, OCV_MIN, OCV_MAX, OCV_ROUND, OCV_SIGN,
    OCV_SAFEDIV, /* d = b != 0 ? a / b : ext.a */
    OCV_STEP,    /* d = time >= b ? a : 0 */
    OCV_PULSE,   /* d = pulse(mag a, first b, interval ext.a) */
    OCV_RAMP,    /* d = ramp(slope a, start b, end ext.a or none) */
    OCV_LOOKUP,  /* d = table b at x a */
    OCV_RANDOM,  /* d = draw: b = site index, args in ext */
    OCV_DELAY,   /* d = pipeline delay b (side table) of its input; a = delay time, ext.a = init */
    /* fused forms the compiler emits for common shapes */
    OCV_SUBDIV,  /* d = (a - b) / ext.a */
    OCV_MULADD,  /* d = a * b + ext.a */
    OCV_ADDK,    /* d = a + num (num in ext as bits) -- unused placeholder */
    OCV_EXT,     /* operands of the previous instruction */
    OCV_NOPS
};

typedef struct ocV_table {
    size_t n;
    const double *x;
    const double *y;
    const double *slope; /* n - 1 segment slopes, so lookups never divide */
    int type;            /* ocI_gftype */
} ocV_table;

typedef struct ocV_random {
    int kind;        /* OCB_RANDOM, OCB_NORMAL, ... */
    uint32_t args[3]; /* slots */
    int nargs;
    uint64_t site;
} ocV_random;

typedef struct ocV_delay {
    uint32_t input;      /* slot recorded each step */
    uint32_t delay_time; /* slot */
    int fixed_length;    /* 1 when the delay time is constant for a run */
} ocV_delay;

typedef struct ocV_program {
    ocV_ins *code;
    size_t n, cap;
} ocV_program;

/* Recorded inputs of one DELAY, for every lane of a run. */
/* Loops over lanes are compiled three times - for AVX-512 (8 lanes per
 * vector), AVX2 (4) and the baseline (2) - and the best one the processor
 * runs is chosen when the program loads. All give the same bits: the same
 * IEEE operations in the same order; the build passes -ffp-contract=off, so
 * no multiply and add is fused where the target has FMA. */
#if defined(__GNUC__)
#define OC_ALWAYS_INLINE __attribute__((always_inline))
#else
#define OC_ALWAYS_INLINE
#endif
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(OC_NO_CLONES)
#define OC_LANE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define OC_LANE_CLONES
#endif

typedef struct ocV_delaybuf {
    double *hist; /* ring: hist[(k % cap) * lanes + lane] is step k's input */
    size_t cap;   /* ring size, in steps */
    size_t count; /* steps recorded so far (the same for every lane) */
    size_t head;  /* (count - 1) % cap: where the newest record is, once count > 0 */
} ocV_delaybuf;

/* Per-run state the evaluator needs beyond the program. A run evaluates
 * `lanes` scenarios at once: every slot holds one value per lane, slot by
 * slot (v[slot * lanes + lane]), so each instruction is a loop over lanes
 * that the compiler vectorizes. One lane is the ordinary single run. */
typedef struct ocV_ctx {
    double *v;
    size_t lanes;
    const ocV_table *tables;
    const ocV_random *randoms;
    ocV_delaybuf *delaybufs; /* one per delay, owned by the run */
    const uint64_t *seeds;   /* one per lane */
    uint64_t step;           /* integer step counter */
} ocV_ctx;

/* Runs code[0 .. n) for every lane of ctx. */
void ocV_exec(const ocV_ins *code, size_t n, ocV_ctx *ctx);

#endif /* OC_INT_H */
