/*
 * model.h - the compiled model, shared by compile.c (which builds it) and
 * run.c (which runs it). Not public: users see the opaque oc_model.
 *
 * Invariants once oc_model_load_* returns:
 *  - every variable with a value has one slot in the value array;
 *  - init_order lists every valued variable after everything its initial
 *    value depends on; init_ranges[i] is its code in init_prog;
 *  - rate_prog computes, in dependency order, every auxiliary and flow that
 *    is not constant for the whole run;
 *  - the model is never written after loading, so runs may share it.
 */
#ifndef OC_MODEL_H
#define OC_MODEL_H

#include "oc_int.h"

typedef enum ocK_kind {
    OCK_STOCK = 0,
    OCK_FLOW,
    OCK_AUX,
    OCK_GF,      /* a named table with no value of its own */
    OCK_INITVAL, /* hidden: INIT(x), fixed at its initial value */
    OCK_PREV,    /* hidden: PREVIOUS(x), updated after each step */
    OCK_MODULE   /* a module placeholder: no value */
} ocK_kind;

typedef struct ocK_var {
    const char *name;  /* display name ("module.name" in submodels) */
    const char *canon; /* canonical, with the scope prefix */
    const char *scope; /* canonical scope prefix ("" or "module.") */
    ocK_kind kind;
    int hidden;
    int owner; /* for hidden variables: the user variable they serve */
    const char *eqn;
    int eqn_line;
    int line;
    ocY_node *ast;      /* equation (initial value for stocks and PREVIOUS) */
    int prev_source;    /* OCK_PREV: variable whose value is remembered */
    ocY_node *prev_node; /* OCK_PREV: that variable before resolution */
    int structural;     /* its value fixes the model's structure (SMTHN order) */
    int depth;          /* macro nesting depth, against runaway recursion */
    int *inflows;
    int *outflows;
    size_t n_in, n_out;
    const char **in_names; /* as written, resolved in pass 4 */
    const char **out_names;
    int non_negative;
    int table; /* index into tables, or -1 */
    const char *units;
    const char *doc;
    int is_const;
    int has_range;
    double range_min, range_max;
    int is_input; /* access="input" */
    int connected; /* equation replaced by a module connection */
    int in_rate;   /* computed in the rate program */
    uint32_t slot;
    int listed; /* index in the public listing, or -1 */
    int used_by;
} ocK_var;

typedef struct ocK_range {
    int var;
    uint32_t start, end; /* code range in init_prog */
} ocK_range;

typedef struct ocK_stock {
    uint32_t slot;
    uint32_t first; /* into flow_slots: inflows first, then outflows */
    uint32_t n_in, n_out;
    int var;
    int non_negative;
} ocK_stock;

struct oc_model {
    ocM_arena arena;
    const char *file;
    const char *name;
    const char *time_units;
    oc_specs specs;

    ocK_var *vars;
    size_t n_vars;
    int *listed; /* var ids in listing order */
    size_t n_listed;
    ocN_map names;

    size_t n_slots;
    double *slot_init; /* initial contents of a value array (literals) */

    ocV_ins *init_code;
    size_t n_init_code;
    ocK_range *init_ranges;
    size_t n_init_ranges;

    ocV_ins *rate_code;
    size_t n_rate_code;
    int *rate_vars; /* var ids in rate order (for diagnostics) */
    size_t n_rate_vars;

    ocK_stock *stocks;
    size_t n_stocks;
    uint32_t *flow_slots;
    unsigned char *flow_exclusive; /* per flow_slots entry: the flow drains
                                      this stock only, so cutting it back for
                                      a non-negative stock changes the flow */
    size_t n_flow_slots;
    int has_non_negative;

    ocV_table *tables;
    size_t n_tables;
    ocV_random *randoms;
    size_t n_randoms;
    ocV_delay *delays;
    size_t n_delays;
    uint32_t *prev_src; /* PREVIOUS: source slot ... */
    uint32_t *prev_dst; /* ... and the hidden variable's slot */
    size_t n_prev;
};

/* Builds a compiled model from a document. Takes nothing from doc that it
 * does not copy. On failure returns the status and fills err. */
int ocK_compile(const ocI_doc *doc, oc_model **out, oc_error *err);

#endif /* OC_MODEL_H */
