/*
 * compile.c - from a model description (ocI_doc) to a flat program.
 *
 * The passes, each linear in the size of the model:
 *   1. instantiate  root model and submodels (modules) become one list of
 *                   variables with scoped names ("hares.births");
 *   2. parse        every equation into a syntax tree; module connections
 *                   replace the equations of submodel inputs;
 *   3. expand       stateful builtins (SMTH1, DELAY3, TREND, ...) and macros
 *                   become hidden stocks, flows and auxiliaries; INIT,
 *                   PREVIOUS and DELAY get hidden helpers;
 *   4. resolve      names become variable ids, in each variable's scope;
 *   5. order        initial-value order over every variable, then rate order
 *                   over the auxiliaries and flows that change during a run
 *                   (Kahn's algorithm; a cycle is reported by name);
 *   6. generate     register code: one slot per variable, literals pooled,
 *                   temporaries reused per expression.
 * Hidden variables never collide with user names: their canonical names
 * start with a control character, which canonical user names cannot hold.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

#define TEMP_FLAG 0x80000000u
#define MAX_MODULE_DEPTH 32
#define MAX_MACRO_DEPTH 64
#define MAX_ORDER 1000 /* SMTHN / DELAYN order */

typedef struct lit_map {
    uint64_t *bits;
    uint32_t *slot;
    size_t cap, count;
} lit_map;

typedef struct conn {
    const char *to;   /* absolute canonical target */
    const char *to_alt; /* the other reading of a qualified target */
    const char *from; /* absolute canonical source */
    const char *raw;  /* as written, for messages */
    int line;
} conn;

typedef struct compiler {
    const ocI_doc *doc;
    oc_model *m;
    ocM_arena *a;
    oc_error *err;

    ocK_var *vars;
    size_t n, cap;
    ocN_map names;
    ocN_map macros; /* canonical macro name -> index in doc->macros */

    conn *conns;
    size_t n_conns, cap_conns;

    size_t n_hidden;
    size_t n_macro_inst;
    uint64_t n_sites;

    ocV_table *tables;
    size_t n_tables, cap_tables;
    ocV_random *randoms;
    size_t n_randoms, cap_randoms;
    ocV_delay *delays;
    size_t n_delays, cap_delays;

    /* code generation */
    ocV_ins *code;
    size_t n_code, cap_code;
    uint32_t tmp_top, n_temps;
    double *lits;
    size_t n_lits, cap_lits;
    lit_map litmap;
    uint32_t lit_base;
} compiler;

/* ------------------------------------------------------------------ */
/* Errors with positions                                               */
/* ------------------------------------------------------------------ */

/* The user variable behind a (possibly hidden) variable. */
static const ocK_var *user_var(const compiler *c, int id)
{
    int guard = 0;
    while(id >= 0 && c->vars[id].hidden && c->vars[id].owner >= 0 && guard++ < 1000)
        id = c->vars[id].owner;
    return id >= 0 ? &c->vars[id] : NULL;
}

static int fail_at(compiler *c, int code, int id, int has_pos, uint32_t pos, const char *fmt, ...)
    OC_PRINTF(6, 7);

static int fail_at(compiler *c, int code, int id, int has_pos, uint32_t pos, const char *fmt, ...)
{
    va_list ap;
    const ocK_var *v = id >= 0 ? &c->vars[id] : NULL;
    const ocK_var *u = id >= 0 ? user_var(c, id) : NULL;
    int line = 0, col = 0;
    if(v && has_pos && v->eqn && !v->hidden) {
        uint32_t i;
        line = v->eqn_line > 0 ? v->eqn_line : v->line;
        col = 1;
        for(i = 0; i < pos && v->eqn[i]; i++) {
            if(v->eqn[i] == '\n') {
                line++;
                col = 1;
            }
            else
                col++;
        }
    }
    else if(u)
        line = u->eqn_line > 0 ? u->eqn_line : u->line;
    va_start(ap, fmt);
    ocE_vset(c->err, code, c->doc->file, line, col, u ? u->name : NULL, fmt, ap);
    va_end(ap);
    return code;
}

static int oom(compiler *c)
{
    return ocE_set(c->err, OC_ENOMEM, c->doc->file, 0, 0, NULL, "out of memory");
}

/* ------------------------------------------------------------------ */
/* Variables                                                           */
/* ------------------------------------------------------------------ */

static int new_var(compiler *c, int *id)
{
    ocK_var *v;
    if(c->n >= (size_t)OC_MAX_VARIABLES)
        return ocE_set(c->err, OC_ELIMIT, c->doc->file, 0, 0, NULL,
                       "the model has more than %d variables after expansion", OC_MAX_VARIABLES);
    if(ocM_grow((void **)&c->vars, &c->cap, c->n + 1, sizeof(*c->vars)))
        return oom(c);
    v = &c->vars[c->n];
    memset(v, 0, sizeof(*v));
    v->owner = -1;
    v->table = -1;
    v->listed = -1;
    v->prev_source = -1;
    v->units = "";
    v->doc = "";
    v->scope = "";
    *id = (int)c->n++;
    return OC_OK;
}

/* A display name: escapes and line breaks written in the file become one
 * space, so "size of one\ntime" reads "size of one time". */
static char *display_name(compiler *c, const char *prefix, const char *raw)
{
    size_t pl = strlen(prefix), rl = strlen(raw), i, o = pl;
    char *out = ocM_arena_alloc(c->a, pl + rl + 1);
    int space = 0;
    if(!out)
        return NULL;
    memcpy(out, prefix, pl);
    for(i = 0; i < rl; i++) {
        char ch = raw[i];
        if(ch == '\\' && i + 1 < rl && (raw[i + 1] == 'n' || raw[i + 1] == 'r' || raw[i + 1] == 't')) {
            i++;
            space = 1;
            continue;
        }
        if(ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ') {
            space = 1;
            continue;
        }
        if(space && o > pl)
            out[o++] = ' ';
        space = 0;
        out[o++] = ch;
    }
    out[o] = '\0';
    return out;
}

static char *concat(compiler *c, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = ocM_arena_alloc(c->a, la + lb + 1);
    if(!s)
        return NULL;
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
    return s;
}

static int add_name(compiler *c, int id)
{
    int prev = ocN_map_get(&c->names, c->vars[id].canon);
    if(prev >= 0) {
        const ocK_var *p = &c->vars[prev];
        return fail_at(c, OC_EMODEL, id, 0, 0, "defined twice (first defined on line %d)",
                       p->line);
    }
    if(ocN_map_put(&c->names, c->vars[id].canon, id))
        return oom(c);
    return OC_OK;
}

/* Copies a graphical function into the model, checking it. */
static int add_table(compiler *c, int id, const ocI_gf *gf)
{
    ocV_table *t;
    size_t i;
    double *x, *y;
    if(gf->n == 0)
        return fail_at(c, OC_EMODEL, id, 0, 0, "graphical function has no points");
    if(gf->n > INT32_MAX) /* the evaluator indexes tables in 32 bits */
        return fail_at(c, OC_ELIMIT, id, 0, 0, "graphical function has %zu points, more than %d",
                       gf->n, INT32_MAX);
    for(i = 0; i < gf->n; i++) {
        if(!isfinite(gf->x[i]) || !isfinite(gf->y[i]))
            return fail_at(c, OC_EMODEL, id, 0, 0,
                           "graphical function point %zu is not a finite number", i + 1);
        if(i > 0 && !(gf->x[i] > gf->x[i - 1]))
            return fail_at(c, OC_EMODEL, id, 0, 0,
                           "graphical function x values must increase (point %zu: %g after %g)",
                           i + 1, gf->x[i], gf->x[i - 1]);
    }
    if(ocM_grow((void **)&c->tables, &c->cap_tables, c->n_tables + 1, sizeof(*c->tables)))
        return oom(c);
    x = ocM_arena_alloc(c->a, gf->n * sizeof(double));
    y = ocM_arena_alloc(c->a, gf->n * sizeof(double));
    if(!x || !y)
        return oom(c);
    memcpy(x, gf->x, gf->n * sizeof(double));
    memcpy(y, gf->y, gf->n * sizeof(double));
    t = &c->tables[c->n_tables];
    memset(t, 0, sizeof(*t));
    t->n = gf->n;
    t->x = x;
    t->y = y;
    t->type = (int)gf->type;
    if(gf->n > 1) {
        double *slope = ocM_arena_alloc(c->a, (gf->n - 1) * sizeof(double));
        if(!slope)
            return oom(c);
        for(i = 0; i + 1 < gf->n; i++)
            slope[i] = (y[i + 1] - y[i]) / (x[i + 1] - x[i]);
        t->slope = slope;
    }
    c->vars[id].table = (int)c->n_tables++;
    return OC_OK;
}

static int find_model(const compiler *c, const char *canon_name, const ocI_submodel **out)
{
    size_t i;
    ocM_arena tmp;
    int found = 0;
    ocM_arena_init(&tmp);
    for(i = 0; i < c->doc->n_models && !found; i++) {
        const ocI_submodel *sm = &c->doc->models[i];
        char *cn;
        if(!sm->name)
            continue;
        cn = ocN_canon(&tmp, sm->name, strlen(sm->name));
        if(!cn) {
            ocM_arena_free(&tmp);
            return OC_ENOMEM;
        }
        if(strcmp(cn, canon_name) == 0) {
            *out = sm;
            found = 1;
        }
    }
    ocM_arena_free(&tmp);
    return found ? OC_OK : OC_EMODEL;
}

/* Absolute canonical name for a connection end, written relative to the
 * model that holds the module (scope), the module's instance name (inst). */
static char *conn_name(compiler *c, const char *scope, const char *inst, const char *raw,
                       int is_to)
{
    char *cn = ocN_canon(c->a, raw, strlen(raw));
    size_t il = strlen(inst);
    if(!cn)
        return NULL;
    if(cn[0] == '.')
        return concat(c, scope, cn + 1); /* ".x": x in the model holding the module */
    if(is_to && !(strncmp(cn, inst, il) == 0 && cn[il] == '.')) {
        char *q = concat(c, inst, ".");
        return q ? concat(c, scope, concat(c, q, cn)) : NULL;
    }
    return concat(c, scope, cn);
}

static int instantiate(compiler *c, const ocI_submodel *sm, const char *scope, const char *prefix,
                       int depth, int nn_stocks, int nn_flows, int hidden, int owner);

static int instantiate_module(compiler *c, const ocI_var *iv, const char *scope,
                              const char *prefix, int depth, int hidden, int owner)
{
    const char *ref = iv->model_ref ? iv->model_ref : iv->name;
    const ocI_submodel *sm = NULL;
    char *inst, *ref_canon, *nscope, *nprefix;
    size_t k;
    int rc, id;

    inst = ocN_canon(c->a, iv->name, strlen(iv->name));
    ref_canon = ocN_canon(c->a, ref, strlen(ref));
    if(!inst || !ref_canon)
        return oom(c);
    rc = new_var(c, &id);
    if(rc)
        return rc;
    c->vars[id].kind = OCK_MODULE;
    c->vars[id].name = display_name(c, prefix, iv->name);
    c->vars[id].canon = concat(c, scope, inst);
    c->vars[id].scope = scope;
    c->vars[id].line = iv->line;
    c->vars[id].hidden = hidden;
    c->vars[id].owner = owner;
    if(!c->vars[id].name || !c->vars[id].canon)
        return oom(c);
    rc = add_name(c, id);
    if(rc)
        return rc;
    rc = find_model(c, ref_canon, &sm);
    if(rc == OC_ENOMEM)
        return oom(c);
    if(rc)
        return fail_at(c, OC_EMODEL, id, 0, 0, "module refers to no model named '%s' in the file",
                       ref);
    if(depth >= MAX_MODULE_DEPTH)
        return fail_at(c, OC_ELIMIT, id, 0, 0,
                       "modules nested more than %d deep (does a model contain itself?)",
                       MAX_MODULE_DEPTH);
    nscope = concat(c, scope, concat(c, inst, "."));
    nprefix = concat(c, prefix, concat(c, c->vars[id].name + strlen(prefix), "."));
    if(!nscope || !nprefix)
        return oom(c);
    rc = instantiate(c, sm, nscope, nprefix, depth + 1, sm->nn_stocks, sm->nn_flows, hidden,
                     owner);
    if(rc)
        return rc;
    for(k = 0; k < iv->n_connect; k++) {
        conn *cn;
        if(ocM_grow((void **)&c->conns, &c->cap_conns, c->n_conns + 1, sizeof(*c->conns)))
            return oom(c);
        cn = &c->conns[c->n_conns];
        /* "to" is relative to the module ("input") or, at the lowest common
         * ancestor, qualified by a module name ("other.input"): both readings
         * are kept and the one that names a variable wins */
        cn->to = conn_name(c, scope, inst, iv->connect_to[k], 1);
        cn->to_alt = conn_name(c, scope, inst, iv->connect_to[k], 0);
        cn->from = conn_name(c, scope, inst, iv->connect_from[k], 0);
        cn->raw = iv->connect_to[k];
        cn->line = iv->line;
        if(!cn->to || !cn->to_alt || !cn->from)
            return oom(c);
        c->n_conns++;
    }
    return OC_OK;
}

static int instantiate(compiler *c, const ocI_submodel *sm, const char *scope, const char *prefix,
                       int depth, int nn_stocks, int nn_flows, int hidden, int owner)
{
    size_t i;
    int rc;
    if(sm->nn_stocks >= 0)
        nn_stocks = sm->nn_stocks;
    if(sm->nn_flows >= 0)
        nn_flows = sm->nn_flows;
    for(i = 0; i < sm->n_vars; i++) {
        const ocI_var *iv = &sm->vars[i];
        ocK_var *v;
        char *canon;
        int id;
        if(iv->is_module) {
            rc = instantiate_module(c, iv, scope, prefix, depth, hidden, owner);
            if(rc)
                return rc;
            continue;
        }
        rc = new_var(c, &id);
        if(rc)
            return rc;
        v = &c->vars[id];
        canon = ocN_canon(c->a, iv->name, strlen(iv->name));
        if(!canon)
            return oom(c);
        v->name = display_name(c, prefix, iv->name);
        v->canon = concat(c, scope, canon);
        v->scope = scope;
        v->hidden = hidden;
        v->owner = owner;
        /* the document is freed after compiling: keep copies */
        v->eqn = iv->eqn ? ocM_arena_strdup(c->a, iv->eqn) : NULL;
        v->eqn_line = iv->eqn_line;
        v->line = iv->line;
        v->units = ocM_arena_strdup(c->a, iv->units ? iv->units : "");
        v->doc = ocM_arena_strdup(c->a, iv->doc ? iv->doc : "");
        if((iv->eqn && !v->eqn) || !v->units || !v->doc)
            return oom(c);
        v->is_input = iv->access == OCI_ACCESS_INPUT;
        v->has_range = iv->has_range;
        v->range_min = iv->range_min;
        v->range_max = iv->range_max;
        v->in_names = iv->inflows;
        v->out_names = iv->outflows;
        v->n_in = iv->n_in;
        v->n_out = iv->n_out;
        if(!v->name || !v->canon)
            return oom(c);
        if(canon[0] == '\0')
            return fail_at(c, OC_EMODEL, id, 0, 0, "a variable has an empty name");
        switch(iv->kind) {
        case OC_STOCK:
            v->kind = OCK_STOCK;
            v->non_negative = iv->non_negative >= 0 ? iv->non_negative : nn_stocks > 0;
            break;
        case OC_FLOW:
            v->kind = OCK_FLOW;
            v->non_negative = iv->non_negative >= 0 ? iv->non_negative : nn_flows > 0;
            break;
        case OC_GF:
            v->kind = OCK_GF;
            break;
        default:
            v->kind = OCK_AUX;
            break;
        }
        rc = add_name(c, id);
        if(rc)
            return rc;
        if(iv->gf) {
            rc = add_table(c, id, iv->gf);
            if(rc)
                return rc;
        }
        else if(v->kind == OCK_GF)
            return fail_at(c, OC_EMODEL, id, 0, 0, "graphical function has no points");
    }
    return OC_OK;
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */
/* ------------------------------------------------------------------ */

static int parse_var(compiler *c, int id)
{
    ocK_var *v = &c->vars[id];
    uint32_t pos = 0;
    const char *msg = NULL;
    ocY_node *ast = NULL;
    int rc;
    if(!v->eqn)
        return OC_OK;
    rc = ocY_parse(c->a, v->eqn, strlen(v->eqn), &ast, &pos, &msg);
    if(rc == OC_ENOMEM)
        return oom(c);
    if(rc)
        return fail_at(c, rc, id, 1, pos, "%s", msg);
    c->vars[id].ast = ast;
    return OC_OK;
}

static ocY_node *abs_name(compiler *c, const char *canon, const char *raw)
{
    ocY_node *n = ocY_new(c->a, OCY_NAME, 0);
    if(!n)
        return NULL;
    n->name = canon;
    n->raw = raw;
    n->op = 1; /* absolute: no scope prefix */
    return n;
}

static int apply_connections(compiler *c)
{
    size_t i;
    for(i = 0; i < c->n_conns; i++) {
        const conn *cn = &c->conns[i];
        int to = ocN_map_get(&c->names, cn->to);
        int from = ocN_map_get(&c->names, cn->from);
        if(to < 0)
            to = ocN_map_get(&c->names, cn->to_alt);
        ocK_var *v;
        if(to < 0)
            return ocE_set(c->err, OC_EUNKNOWN, c->doc->file, cn->line, 0, NULL,
                           "module connection to '%s': no such variable in the submodel", cn->raw);
        if(from < 0)
            return ocE_set(c->err, OC_EUNKNOWN, c->doc->file, cn->line, 0, c->vars[to].name,
                           "module connection from '%s': no such variable", cn->from);
        v = &c->vars[to];
        v->ast = abs_name(c, cn->from, cn->from);
        if(!v->ast)
            return oom(c);
        v->connected = 1;
        if(v->kind == OCK_STOCK) {
            v->kind = OCK_AUX; /* a stock input becomes an alias of its source */
            v->n_in = v->n_out = 0;
        }
    }
    return OC_OK;
}

/* ------------------------------------------------------------------ */
/* Expansion of stateful builtins and macros                           */
/* ------------------------------------------------------------------ */

static int hidden_var(compiler *c, int owner, ocK_kind kind, const char *scope, const char *tag,
                      ocY_node *ast, int *out)
{
    char buf[64];
    int rc, id;
    const ocK_var *u;
    rc = new_var(c, &id);
    if(rc)
        return rc;
    u = user_var(c, owner);
    snprintf(buf, sizeof(buf), "\x01h%zu", c->n_hidden++);
    c->vars[id].canon = ocM_arena_strdup(c->a, buf);
    c->vars[id].name = concat(c, tag, concat(c, " in ", u ? u->name : "?"));
    if(!c->vars[id].canon || !c->vars[id].name)
        return oom(c);
    c->vars[id].kind = kind;
    c->vars[id].hidden = 1;
    c->vars[id].owner = owner;
    c->vars[id].scope = scope;
    c->vars[id].ast = ast;
    c->vars[id].line = u ? u->line : 0;
    c->vars[id].eqn_line = u ? u->eqn_line : 0;
    c->vars[id].depth = c->vars[owner].depth;
    *out = id;
    return OC_OK;
}

/* An argument used in several places becomes a hidden auxiliary unless it
 * is already a leaf, so it is computed once and ordered like a variable. */
static int as_leaf(compiler *c, int owner, const char *scope, ocY_node *arg, const char *tag,
                   ocY_node **out)
{
    int rc, id;
    if(arg->kind == OCY_NUM || arg->kind == OCY_NAME || arg->kind == OCY_REF ||
       arg->kind == OCY_SLOT) {
        *out = arg;
        return OC_OK;
    }
    rc = hidden_var(c, owner, OCK_AUX, scope, tag, arg, &id);
    if(rc)
        return rc;
    *out = ocY_ref(c->a, id);
    return *out ? OC_OK : oom(c);
}

static ocY_node *ref(compiler *c, int id)
{
    return ocY_ref(c->a, id);
}

static ocY_node *call2(compiler *c, const char *name, ocY_node *x, ocY_node *y)
{
    ocY_node *n = ocY_new(c->a, OCY_CALL, 0);
    if(!n || !x)
        return NULL;
    n->name = name;
    n->raw = name;
    n->nargs = y ? 2 : 1;
    n->args = ocM_arena_alloc(c->a, 2 * sizeof(*n->args));
    if(!n->args)
        return NULL;
    n->args[0] = x;
    n->args[1] = y;
    return n;
}

static int set_flows(compiler *c, int stock, int in, int out)
{
    ocK_var *s = &c->vars[stock];
    s->inflows = ocM_arena_alloc(c->a, sizeof(int));
    s->outflows = ocM_arena_alloc(c->a, sizeof(int));
    if(!s->inflows || !s->outflows)
        return oom(c);
    s->n_in = in >= 0;
    s->n_out = out >= 0;
    s->inflows[0] = in;
    s->outflows[0] = out;
    return OC_OK;
}

static int const_eval(compiler *c, const char *scope, const ocY_node *n, double *out, int depth,
                      int mark);
static int lookup_name(const compiler *c, const char *scope, const ocY_node *n);

/* The order of SMTHN/DELAYN: a whole number fixed when the model compiles. */
static int order_arg(compiler *c, int owner, const char *scope, const ocY_node *arg, int *order)
{
    double v = 0.0;
    int rc = const_eval(c, scope, arg, &v, 0, 1);
    if(rc == OC_ENOMEM)
        return oom(c);
    if(rc)
        return fail_at(c, OC_EUNSUPPORTED, owner, 1, arg->pos,
                       "the order of an Nth-order delay or smooth must be a constant");
    if(!isfinite(v) || v < 1.0 || v > MAX_ORDER)
        return fail_at(c, OC_EMODEL, owner, 1, arg->pos,
                       "the order of an Nth-order delay or smooth must be between 1 and %d, not %g",
                       MAX_ORDER, v);
    *order = (int)floor(v + 0.5);
    return OC_OK;
}

/* SMTH1/SMTH3/SMTHN: a chain of n first-order smooths, each with time T/n. */
static int expand_smooth(compiler *c, int owner, const char *scope, ocY_node **slot, int order,
                         ocY_node *in, ocY_node *time, ocY_node *init)
{
    ocY_node *stage_time = time, *prev = in;
    int k, rc, last = -1;
    if(order > 1) {
        rc = as_leaf(c, owner, scope,
                     ocY_bin(c->a, OCY_DIV, time, ocY_num(c->a, (double)order)), "smooth stage time",
                     &stage_time);
        if(rc)
            return rc;
    }
    for(k = 0; k < order; k++) {
        int s, f;
        rc = hidden_var(c, owner, OCK_STOCK, scope, "smooth stock", init, &s);
        if(rc)
            return rc;
        rc = hidden_var(c, owner, OCK_FLOW, scope, "smooth flow",
                        ocY_bin(c->a, OCY_DIV, ocY_bin(c->a, OCY_SUB, prev, ref(c, s)), stage_time),
                        &f);
        if(rc)
            return rc;
        if(!c->vars[f].ast)
            return oom(c);
        rc = set_flows(c, s, f, -1);
        if(rc)
            return rc;
        prev = ref(c, s);
        last = s;
    }
    *slot = ref(c, last);
    return *slot ? OC_OK : oom(c);
}

/* DELAY1/DELAY3/DELAYN: material in transit in n stocks, each emptying in
 * T/n; the output is the last stage's outflow. Each stage starts holding
 * init * T/n, so the output starts at init.
 * With carry_time (DELAYN), material keeps the delay time it entered with:
 * stage k empties with the time stage k-1 had one step earlier, as Vensim's
 * DELAY N does. DELAY1 and DELAY3 use the current time in every stage. */
static int expand_delay(compiler *c, int owner, const char *scope, ocY_node **slot, int order,
                        ocY_node *in, ocY_node *time, ocY_node *init, int carry_time)
{
    ocY_node *stage_time = time, *stage_init;
    int k, rc, inflow, out = -1;
    if(order > 1) {
        rc = as_leaf(c, owner, scope,
                     ocY_bin(c->a, OCY_DIV, time, ocY_num(c->a, (double)order)), "delay stage time",
                     &stage_time);
        if(rc)
            return rc;
    }
    rc = as_leaf(c, owner, scope, ocY_bin(c->a, OCY_MUL, init, stage_time), "delay stage initial",
                 &stage_init);
    if(rc)
        return rc;
    rc = hidden_var(c, owner, OCK_FLOW, scope, "delay inflow", in, &inflow);
    if(rc)
        return rc;
    for(k = 0; k < order; k++) {
        int s, f;
        if(carry_time && k > 0) {
            int src = -1, p;
            if(stage_time->kind == OCY_NUM) {
                rc = hidden_var(c, owner, OCK_AUX, scope, "delay stage time", stage_time, &src);
                if(rc)
                    return rc;
                stage_time = ref(c, src);
                if(!stage_time)
                    return oom(c);
            }
            rc = hidden_var(c, owner, OCK_PREV, scope, "delay stage time", stage_time, &p);
            if(rc)
                return rc;
            c->vars[p].prev_node = stage_time;
            stage_time = ref(c, p);
            if(!stage_time)
                return oom(c);
        }
        rc = hidden_var(c, owner, OCK_STOCK, scope, "delay stock", stage_init, &s);
        if(rc)
            return rc;
        rc = hidden_var(c, owner, OCK_FLOW, scope, "delay outflow",
                        ocY_bin(c->a, OCY_DIV, ref(c, s), stage_time), &f);
        if(rc)
            return rc;
        if(!c->vars[f].ast)
            return oom(c);
        rc = set_flows(c, s, k == 0 ? inflow : out, f);
        if(rc)
            return rc;
        out = f;
    }
    *slot = ref(c, out);
    return *slot ? OC_OK : oom(c);
}

/* TREND: the fractional growth of input per time unit, measured against a
 * first-order smooth of input (Vensim and Stella formulation):
 *   average' = (input - average) / T, average(0) = input / (1 + init * T)
 *   trend = (input - average) / (T * |average|), 0 when average is 0.   */
static int expand_trend(compiler *c, int owner, const char *scope, ocY_node *in, ocY_node *time,
                        ocY_node *init_trend, ocY_node **trend)
{
    int rc, s, f;
    ocY_node *avg_init;
    rc = as_leaf(c, owner, scope,
                 ocY_bin(c->a, OCY_DIV, in,
                         ocY_bin(c->a, OCY_ADD, ocY_num(c->a, 1.0),
                                 ocY_bin(c->a, OCY_MUL, init_trend, time))),
                 "trend initial average", &avg_init);
    if(rc)
        return rc;
    rc = hidden_var(c, owner, OCK_STOCK, scope, "trend average", avg_init, &s);
    if(rc)
        return rc;
    rc = hidden_var(c, owner, OCK_FLOW, scope, "trend averaging",
                    ocY_bin(c->a, OCY_DIV, ocY_bin(c->a, OCY_SUB, in, ref(c, s)), time), &f);
    if(rc)
        return rc;
    rc = set_flows(c, s, f, -1);
    if(rc)
        return rc;
    {
        ocY_node *num = ocY_bin(c->a, OCY_SUB, in, ref(c, s));
        ocY_node *den = ocY_bin(c->a, OCY_MUL, time, call2(c, "abs", ref(c, s), NULL));
        ocY_node *sd = ocY_new(c->a, OCY_CALL, 0);
        if(!num || !den || !sd)
            return oom(c);
        sd->name = "safediv";
        sd->raw = "SAFEDIV";
        sd->nargs = 2;
        sd->args = ocM_arena_alloc(c->a, 2 * sizeof(*sd->args));
        if(!sd->args)
            return oom(c);
        sd->args[0] = num;
        sd->args[1] = den;
        *trend = sd;
    }
    return OC_OK;
}

static int expand_node(compiler *c, int var, ocY_node **slot, int in_previous);

static int expand_macro(compiler *c, int var, ocY_node **slot, const ocI_macro *mc)
{
    ocY_node *call = *slot;
    const char *scope = c->vars[var].scope;
    char buf[48];
    char *iscope;
    size_t k;
    int rc, id, depth = c->vars[var].depth + 1;
    uint32_t pos = 0;
    const char *msg = NULL;
    ocY_node *ast = NULL;

    if(depth > MAX_MACRO_DEPTH)
        return fail_at(c, OC_ELIMIT, var, 1, call->pos,
                       "macro '%s' nests more than %d deep (endless recursion?)", call->raw,
                       MAX_MACRO_DEPTH);
    if(call->nargs > mc->n_parms)
        return fail_at(c, OC_EARITY, var, 1, call->pos, "macro '%s' takes %zu arguments, not %u",
                       call->raw, mc->n_parms, (unsigned)call->nargs);
    snprintf(buf, sizeof(buf), "\x01m%zu.", c->n_macro_inst++);
    iscope = ocM_arena_strdup(c->a, buf);
    if(!iscope)
        return oom(c);
    /* parameters: hidden auxiliaries named in the macro's scope, whose
     * equations are the caller's arguments in the caller's scope */
    for(k = 0; k < mc->n_parms; k++) {
        ocY_node *arg = k < call->nargs ? call->args[k] : NULL;
        const char *pscope = scope;
        char *pc;
        if(!arg) {
            if(!mc->parm_defaults || !mc->parm_defaults[k])
                return fail_at(c, OC_EARITY, var, 1, call->pos,
                               "macro '%s' needs argument '%s'", call->raw, mc->parms[k]);
            rc = ocY_parse(c->a, mc->parm_defaults[k], strlen(mc->parm_defaults[k]), &arg, &pos,
                           &msg);
            if(rc || !arg)
                return fail_at(c, rc ? rc : OC_ESYNTAX, var, 1, call->pos,
                               "default of parameter '%s' of macro '%s' does not parse",
                               mc->parms[k], call->raw);
            pscope = iscope;
        }
        rc = hidden_var(c, var, OCK_AUX, pscope, "macro argument", arg, &id);
        if(rc)
            return rc;
        pc = ocN_canon(c->a, mc->parms[k], strlen(mc->parms[k]));
        if(!pc)
            return oom(c);
        c->vars[id].canon = concat(c, iscope, pc);
        c->vars[id].depth = depth;
        if(!c->vars[id].canon)
            return oom(c);
        rc = add_name(c, id);
        if(rc)
            return rc;
    }
    /* the macro's own variables, in its scope */
    {
        size_t first = c->n, j;
        rc = instantiate(c, &mc->body, iscope, "", 0, mc->body.nn_stocks, mc->body.nn_flows, 1,
                         var);
        if(rc)
            return rc;
        for(j = first; j < c->n; j++) {
            c->vars[j].depth = depth;
            rc = parse_var(c, (int)j);
            if(rc)
                return fail_at(c, rc, var, 1, call->pos, "in macro '%s': %s", call->raw,
                               c->err ? c->err->message : "error");
        }
    }
    /* the macro's value. Some tools write it as the bare name of one of
     * the macro's variables, spaces and all ("EXPRESSION MACRO"): accept
     * that when the whole text names such a variable. */
    rc = ocY_parse(c->a, mc->eqn ? mc->eqn : "", mc->eqn ? strlen(mc->eqn) : 0, &ast, &pos, &msg);
    if(rc == OC_ESYNTAX && mc->eqn) {
        char *cn = ocN_canon(c->a, mc->eqn, strlen(mc->eqn));
        char *full = cn ? concat(c, iscope, cn) : NULL;
        if(full && ocN_map_get(&c->names, full) >= 0) {
            ast = abs_name(c, full, mc->eqn);
            rc = ast ? OC_OK : OC_ENOMEM;
        }
    }
    if(rc || !ast)
        return fail_at(c, rc ? rc : OC_EMODEL, var, 1, call->pos,
                       "macro '%s' has no valid equation", call->raw);
    rc = hidden_var(c, var, OCK_AUX, iscope, "macro value", ast, &id);
    if(rc)
        return rc;
    c->vars[id].depth = depth;
    *slot = ref(c, id);
    return *slot ? OC_OK : oom(c);
}

static int expand_call(compiler *c, int var, ocY_node **slot, int in_previous)
{
    ocY_node *n = *slot;
    const char *scope = c->vars[var].scope;
    const ocB_info *bi = ocB_find(n->name);
    ocY_node *a0, *a1, *a2, *a3;
    int rc, order = 1;

    if(!bi) {
        int mi = ocN_map_get(&c->macros, n->name);
        if(mi >= 0)
            return expand_macro(c, var, slot, &c->doc->macros[mi]);
        return OC_OK; /* a graphical function call, or unknown: pass 4 says */
    }
    if(n->nargs < bi->min_args || n->nargs > bi->max_args) {
        if(bi->min_args == bi->max_args)
            return fail_at(c, OC_EARITY, var, 1, n->pos, "%s takes %u argument%s, not %u", n->raw,
                           bi->min_args, bi->min_args == 1 ? "" : "s", (unsigned)n->nargs);
        return fail_at(c, OC_EARITY, var, 1, n->pos, "%s takes %u to %u arguments, not %u", n->raw,
                       bi->min_args, bi->max_args, (unsigned)n->nargs);
    }
    if(bi->id == OCB_SELF) {
        if(!in_previous)
            return fail_at(c, OC_EMODEL, var, 1, n->pos, "SELF is only valid inside PREVIOUS");
        *slot = ref(c, var);
        return *slot ? OC_OK : oom(c);
    }
    if(bi->cls == OCB_CLS_RANDOM) {
        n->id = (int32_t)c->n_sites++;
        return OC_OK;
    }
    if(bi->cls != OCB_CLS_STATEFUL && bi->cls != OCB_CLS_SPECIAL)
        return OC_OK;

    a0 = n->args[0];
    switch(bi->id) {
    case OCB_SMTH1:
    case OCB_SMTH3:
    case OCB_SMTHN:
    case OCB_DELAY1:
    case OCB_DELAY3:
    case OCB_DELAYN: {
        int nth = bi->id == OCB_SMTHN || bi->id == OCB_DELAYN;
        int has_init = n->nargs > (nth ? 3 : 2);
        rc = as_leaf(c, var, scope, a0, "input", &a0);
        if(!rc)
            rc = as_leaf(c, var, scope, n->args[1], "time", &a1);
        if(rc)
            return rc;
        a2 = a0;
        if(has_init) {
            rc = as_leaf(c, var, scope, n->args[nth ? 3 : 2], "initial value", &a2);
            if(rc)
                return rc;
        }
        if(nth) {
            rc = order_arg(c, var, scope, n->args[2], &order);
            if(rc)
                return rc;
        }
        else
            order = (bi->id == OCB_SMTH3 || bi->id == OCB_DELAY3) ? 3 : 1;
        if(bi->id == OCB_SMTH1 || bi->id == OCB_SMTH3 || bi->id == OCB_SMTHN)
            return expand_smooth(c, var, scope, slot, order, a0, a1, a2);
        return expand_delay(c, var, scope, slot, order, a0, a1, a2, bi->id == OCB_DELAYN);
    }
    case OCB_TREND:
    case OCB_FORCST: {
        int fc = bi->id == OCB_FORCST;
        ocY_node *trend = NULL;
        rc = as_leaf(c, var, scope, a0, "input", &a0);
        if(!rc)
            rc = as_leaf(c, var, scope, n->args[1], "averaging time", &a1);
        if(rc)
            return rc;
        a3 = ocY_num(c->a, 0.0);
        if(n->nargs > (fc ? 3 : 2)) {
            rc = as_leaf(c, var, scope, n->args[fc ? 3 : 2], "initial trend", &a3);
            if(rc)
                return rc;
        }
        rc = expand_trend(c, var, scope, a0, a1, a3, &trend);
        if(rc)
            return rc;
        if(!fc) {
            *slot = trend;
            return OC_OK;
        }
        /* FORCST: input * (1 + trend * horizon) */
        a2 = n->args[2];
        *slot = ocY_bin(c->a, OCY_MUL, a0,
                        ocY_bin(c->a, OCY_ADD, ocY_num(c->a, 1.0), ocY_bin(c->a, OCY_MUL, trend, a2)));
        return *slot ? OC_OK : oom(c);
    }
    case OCB_INIT: {
        int id;
        rc = hidden_var(c, var, OCK_INITVAL, scope, "INIT", a0, &id);
        if(rc)
            return rc;
        *slot = ref(c, id);
        return *slot ? OC_OK : oom(c);
    }
    case OCB_PREVIOUS: {
        int id;
        ocY_node *src;
        if((a0->kind == OCY_CALL || a0->kind == OCY_NAME) && a0->nargs == 0 &&
           strcmp(a0->name, "self") == 0 && lookup_name(c, scope, a0) < 0)
            a0 = ref(c, var);
        if(!a0)
            return oom(c);
        rc = expand_node(c, var, &a0, 1);
        if(rc)
            return rc;
        rc = as_leaf(c, var, scope, a0, "PREVIOUS input", &src);
        if(!rc && src->kind != OCY_REF &&
           !(src->kind == OCY_NAME && lookup_name(c, scope, src) >= 0)) {
            int hid; /* PREVIOUS(5): remember a variable holding 5 */
            rc = hidden_var(c, var, OCK_AUX, scope, "PREVIOUS input", src, &hid);
            src = rc ? NULL : ref(c, hid);
        }
        if(rc)
            return rc;
        if(!src)
            return oom(c);
        a1 = src;
        if(n->nargs > 1) {
            a1 = n->args[1];
            rc = expand_node(c, var, &a1, 0);
            if(rc)
                return rc;
        }
        rc = hidden_var(c, var, OCK_PREV, scope, "PREVIOUS", a1, &id);
        if(rc)
            return rc;
        c->vars[id].prev_node = src;
        *slot = ref(c, id);
        return *slot ? OC_OK : oom(c);
    }
    case OCB_DELAY: {
        ocV_delay *d;
        ocY_node *init;
        rc = as_leaf(c, var, scope, a0, "DELAY input", &a0);
        if(!rc)
            rc = as_leaf(c, var, scope, n->args[1], "DELAY time", &a1);
        if(rc)
            return rc;
        if(a0->kind == OCY_NUM) {
            int id; /* a constant input still needs a slot to record */
            rc = hidden_var(c, var, OCK_AUX, scope, "DELAY input", a0, &id);
            if(rc)
                return rc;
            a0 = ref(c, id);
        }
        if(n->nargs > 2) {
            rc = as_leaf(c, var, scope, n->args[2], "DELAY initial value", &init);
            if(rc)
                return rc;
        }
        else {
            int id;
            rc = hidden_var(c, var, OCK_INITVAL, scope, "DELAY initial value", a0, &id);
            if(rc)
                return rc;
            init = ref(c, id);
        }
        if(!a0 || !init)
            return oom(c);
        if(ocM_grow((void **)&c->delays, &c->cap_delays, c->n_delays + 1, sizeof(*c->delays)))
            return oom(c);
        d = &c->delays[c->n_delays];
        memset(d, 0, sizeof(*d));
        n->args[0] = a0;
        n->args[1] = a1;
        if(n->nargs < 3) {
            ocY_node **args = ocM_arena_alloc(c->a, 3 * sizeof(*args));
            if(!args)
                return oom(c);
            args[0] = a0;
            args[1] = a1;
            n->args = args;
            n->nargs = 3;
        }
        n->args[2] = init;
        n->id = (int32_t)c->n_delays++;
        return OC_OK;
    }
    default:
        return OC_OK; /* LOOKUP: resolved in pass 4 */
    }
}

/* Post-order: arguments first, so SMTH1(DELAY3(x, 2), 4) smooths the
 * delay's hidden output. */
static int expand_node(compiler *c, int var, ocY_node **slot, int in_previous)
{
    ocY_node *n = *slot;
    uint16_t i;
    int rc;
    if(!n)
        return OC_OK;
    if(n->kind == OCY_CALL) {
        const ocB_info *bi = ocB_find(n->name);
        /* PREVIOUS expands its own first argument, to allow SELF there */
        if(!(bi && bi->id == OCB_PREVIOUS)) {
            for(i = 0; i < n->nargs; i++) {
                rc = expand_node(c, var, &n->args[i], in_previous);
                if(rc)
                    return rc;
            }
        }
        return expand_call(c, var, slot, in_previous);
    }
    for(i = 0; i < n->nargs; i++) {
        rc = expand_node(c, var, &n->args[i], in_previous);
        if(rc)
            return rc;
    }
    return OC_OK;
}

/* ------------------------------------------------------------------ */
/* Compile-time evaluation (orders of Nth-order delays)                 */
/* ------------------------------------------------------------------ */

static int lookup_name(const compiler *c, const char *scope, const ocY_node *n)
{
    char buf[512];
    int id;
    if(n->op == 1)
        return ocN_map_get(&c->names, n->name);
    if(strlen(scope) + strlen(n->name) < sizeof(buf)) {
        size_t ls = strlen(scope);
        memcpy(buf, scope, ls);
        memcpy(buf + ls, n->name, strlen(n->name) + 1);
        id = ocN_map_get(&c->names, buf);
        if(id >= 0)
            return id;
    }
    if(scope[0] && strchr(n->name, '.'))
        return ocN_map_get(&c->names, n->name);
    return -1;
}

/* Evaluates an expression of constants at the start of the run, with the
 * model's default values. Fails (OC_EUNSUPPORTED) on anything else. When
 * mark is set, the variables it reads are marked structural. */
static int const_eval(compiler *c, const char *scope, const ocY_node *n, double *out, int depth,
                      int mark)
{
    double a = 0.0, b = 0.0, d = 0.0;
    int rc, id;
    if(!n || depth > 100)
        return OC_EUNSUPPORTED;
    switch(n->kind) {
    case OCY_NUM:
        *out = n->num;
        return OC_OK;
    case OCY_SLOT:
        id = n->id;
        goto clock;
    case OCY_NAME:
        id = lookup_name(c, scope, n);
        if(id < 0) {
            id = ocB_clock_slot(n->name);
            if(id < 0)
                return OC_EUNSUPPORTED;
            goto clock;
        }
        goto var;
    case OCY_REF:
        id = n->id;
    var:
        if(c->vars[id].kind != OCK_AUX || !c->vars[id].ast || c->vars[id].table >= 0)
            return OC_EUNSUPPORTED;
        if(mark)
            c->vars[id].structural = 1;
        return const_eval(c, c->vars[id].scope, c->vars[id].ast, out, depth + 1, mark);
    clock:
        switch(id) {
        case OCV_SLOT_TIME:
        case OCV_SLOT_START: *out = c->doc->specs.start; return OC_OK;
        case OCV_SLOT_STOP: *out = c->doc->specs.stop; return OC_OK;
        case OCV_SLOT_DT: *out = c->doc->specs.dt; return OC_OK;
        default: return OC_EUNSUPPORTED;
        }
    case OCY_NEG:
    case OCY_NOT:
        rc = const_eval(c, scope, n->args[0], &a, depth + 1, mark);
        if(rc)
            return rc;
        *out = n->kind == OCY_NEG ? -a : (a == 0.0);
        return OC_OK;
    case OCY_IF:
        rc = const_eval(c, scope, n->args[0], &a, depth + 1, mark);
        if(rc)
            return rc;
        return const_eval(c, scope, n->args[a != 0.0 ? 1 : 2], out, depth + 1, mark);
    case OCY_BIN:
        rc = const_eval(c, scope, n->args[0], &a, depth + 1, mark);
        if(!rc)
            rc = const_eval(c, scope, n->args[1], &b, depth + 1, mark);
        if(rc)
            return rc;
        switch(n->op) {
        case OCY_ADD: d = a + b; break;
        case OCY_SUB: d = a - b; break;
        case OCY_MUL: d = a * b; break;
        case OCY_DIV: d = a / b; break;
        case OCY_POW: d = pow(a, b); break;
        case OCY_MOD: d = a - b * floor(a / b); break;
        case OCY_LT: d = a < b; break;
        case OCY_LE: d = a <= b; break;
        case OCY_GT: d = a > b; break;
        case OCY_GE: d = a >= b; break;
        case OCY_EQ: d = a == b; break;
        case OCY_NE: d = a != b; break;
        case OCY_AND: d = (a != 0.0) && (b != 0.0); break;
        case OCY_OR: d = (a != 0.0) || (b != 0.0); break;
        default: return OC_EUNSUPPORTED;
        }
        *out = d;
        return OC_OK;
    case OCY_CALL: {
        const ocB_info *bi = ocB_find(n->name);
        if(!bi)
            return OC_EUNSUPPORTED;
        if(bi->id == OCB_STEP && n->nargs == 2) {
            rc = const_eval(c, scope, n->args[0], &a, depth + 1, mark);
            if(!rc)
                rc = const_eval(c, scope, n->args[1], &b, depth + 1, mark);
            if(rc)
                return rc;
            *out = c->doc->specs.start >= b ? a : 0.0;
            return OC_OK;
        }
        if(n->nargs == 1 && bi->cls == OCB_CLS_PURE) {
            rc = const_eval(c, scope, n->args[0], &a, depth + 1, mark);
            if(rc)
                return rc;
            switch(bi->id) {
            case OCB_ABS: *out = fabs(a); return OC_OK;
            case OCB_INT: *out = floor(a); return OC_OK;
            case OCB_ROUND: *out = floor(a + 0.5); return OC_OK;
            default: return OC_EUNSUPPORTED;
            }
        }
        if(n->nargs == 2 && (bi->id == OCB_MIN || bi->id == OCB_MAX)) {
            rc = const_eval(c, scope, n->args[0], &a, depth + 1, mark);
            if(!rc)
                rc = const_eval(c, scope, n->args[1], &b, depth + 1, mark);
            if(rc)
                return rc;
            *out = bi->id == OCB_MIN ? (a < b ? a : b) : (a > b ? a : b);
            return OC_OK;
        }
        return OC_EUNSUPPORTED;
    }
    default:
        return OC_EUNSUPPORTED;
    }
}

/* ------------------------------------------------------------------ */
/* Resolution                                                          */
/* ------------------------------------------------------------------ */

static int resolve_node(compiler *c, int var, ocY_node *n)
{
    uint16_t i;
    int rc, id;
    const char *scope = c->vars[var].scope;
    if(!n)
        return OC_OK;
    switch(n->kind) {
    case OCY_NAME:
        id = lookup_name(c, scope, n);
        if(id >= 0) {
            ocK_kind k = c->vars[id].kind;
            if(k == OCK_GF)
                return fail_at(c, OC_EMODEL, var, 1, n->pos,
                               "'%s' is a graphical function: call it as %s(x)", n->raw, n->raw);
            if(k == OCK_MODULE)
                return fail_at(c, OC_EMODEL, var, 1, n->pos,
                               "'%s' is a module: refer to one of its variables as %s.name", n->raw,
                               n->raw);
            n->kind = OCY_REF;
            n->id = id;
            if(id != var)
                c->vars[id].used_by++;
            return OC_OK;
        }
        id = ocB_clock_slot(n->name);
        if(id >= 0) {
            n->kind = OCY_SLOT;
            n->id = id;
            return OC_OK;
        }
        {
            const ocB_info *bi = ocB_find(n->name);
            if(bi && bi->id == OCB_PI) {
                n->kind = OCY_NUM;
                n->num = 3.14159265358979323846;
                return OC_OK;
            }
            if(bi && bi->id == OCB_INF) {
                n->kind = OCY_NUM;
                n->num = HUGE_VAL;
                return OC_OK;
            }
            if(bi && bi->min_args > 0)
                return fail_at(c, OC_EARITY, var, 1, n->pos, "%s is a function: it needs arguments",
                               n->raw);
        }
        return fail_at(c, OC_EUNKNOWN, var, 1, n->pos, "unknown variable '%s'", n->raw);
    case OCY_CALL: {
        const ocB_info *bi = ocB_find(n->name);
        if(!bi) {
            /* name(x): a graphical function called like a function */
            ocY_node **args;
            id = lookup_name(c, scope, n);
            if(id < 0)
                return fail_at(c, OC_EFUNC, var, 1, n->pos, "unknown function '%s'", n->raw);
            if(c->vars[id].table < 0)
                return fail_at(c, OC_EFUNC, var, 1, n->pos,
                               "'%s' is called like a function but has no graphical function",
                               n->raw);
            if(n->nargs != 1)
                return fail_at(c, OC_EARITY, var, 1, n->pos,
                               "graphical function '%s' takes 1 argument, not %u", n->raw,
                               (unsigned)n->nargs);
            args = ocM_arena_alloc(c->a, 2 * sizeof(*args));
            if(!args)
                return oom(c);
            args[0] = ref(c, id);
            args[1] = n->args[0];
            if(!args[0])
                return oom(c);
            n->args = args;
            n->nargs = 2;
            n->name = "lookup";
            c->vars[id].used_by++;
            return resolve_node(c, var, args[1]);
        }
        if(bi->id == OCB_LOOKUP) {
            ocY_node *t = n->args[0];
            if(t->kind == OCY_NAME) {
                id = lookup_name(c, scope, t);
                if(id < 0)
                    return fail_at(c, OC_EUNKNOWN, var, 1, t->pos,
                                   "unknown graphical function '%s'", t->raw);
                t->kind = OCY_REF;
                t->id = id;
            }
            if(t->kind != OCY_REF || c->vars[t->id].table < 0)
                return fail_at(c, OC_EMODEL, var, 1, t->pos,
                               "the first argument of LOOKUP must name a graphical function");
            c->vars[t->id].used_by++;
            return resolve_node(c, var, n->args[1]);
        }
        for(i = 0; i < n->nargs; i++) {
            rc = resolve_node(c, var, n->args[i]);
            if(rc)
                return rc;
        }
        return OC_OK;
    }
    case OCY_REF:
    case OCY_NUM:
    case OCY_SLOT:
        return OC_OK;
    default:
        for(i = 0; i < n->nargs; i++) {
            rc = resolve_node(c, var, n->args[i]);
            if(rc)
                return rc;
        }
        return OC_OK;
    }
}

static int resolve_flows(compiler *c, int id)
{
    ocK_var *v = &c->vars[id];
    size_t k;
    int *ins, *outs;
    if(v->kind != OCK_STOCK || v->inflows)
        return OC_OK; /* builtin helpers come with their flows */
    ins = ocM_arena_alloc(c->a, (v->n_in + 1) * sizeof(int));
    outs = ocM_arena_alloc(c->a, (v->n_out + 1) * sizeof(int));
    if(!ins || !outs)
        return oom(c);
    for(k = 0; k < v->n_in + v->n_out; k++) {
        const char *raw = k < v->n_in ? v->in_names[k] : v->out_names[k - v->n_in];
        ocY_node tmp;
        int f;
        memset(&tmp, 0, sizeof(tmp));
        tmp.name = ocN_canon(c->a, raw, strlen(raw));
        if(!tmp.name)
            return oom(c);
        f = lookup_name(c, v->scope, &tmp);
        if(f < 0)
            return fail_at(c, OC_EUNKNOWN, id, 0, 0, "%s '%s' is not a variable of the model",
                           k < v->n_in ? "inflow" : "outflow", raw);
        if(c->vars[f].kind == OCK_STOCK || c->vars[f].kind == OCK_GF ||
           c->vars[f].kind == OCK_MODULE)
            return fail_at(c, OC_EMODEL, id, 0, 0, "%s '%s' is a %s, not a flow",
                           k < v->n_in ? "inflow" : "outflow", raw,
                           c->vars[f].kind == OCK_STOCK ? "stock" : "graphical function");
        c->vars[f].used_by++;
        if(k < v->n_in)
            ins[k] = f;
        else
            outs[k - v->n_in] = f;
    }
    c->vars[id].inflows = ins;
    c->vars[id].outflows = outs;
    return OC_OK;
}

/* ------------------------------------------------------------------ */
/* Dependencies and order                                              */
/* ------------------------------------------------------------------ */

typedef struct graph {
    size_t *start; /* CSR: deps of v are dep[start[v] .. start[v+1]) */
    int *dep;
    size_t n_dep, cap_dep;
} graph;

static int has_value(ocK_kind k)
{
    return k != OCK_GF && k != OCK_MODULE;
}

/* rate: 1 for the rate graph (only in_rate variables count, the input of
 * DELAY does not); 0 for the initial-value graph. */
static int collect(compiler *c, graph *g, const ocY_node *n, int rate)
{
    uint16_t i;
    int rc;
    if(!n)
        return OC_OK;
    if(n->kind == OCY_REF) {
        const ocK_var *t = &c->vars[n->id];
        if(!has_value(t->kind))
            return OC_OK;
        if(rate && !t->in_rate)
            return OC_OK;
        if(ocM_grow((void **)&g->dep, &g->cap_dep, g->n_dep + 1, sizeof(*g->dep)))
            return oom(c);
        g->dep[g->n_dep++] = n->id;
        return OC_OK;
    }
    if(n->kind == OCY_CALL && strcmp(n->name, "delay") == 0) {
        /* DELAY reads its input from history: no dependency on it now */
        rc = collect(c, g, n->args[1], rate);
        if(!rc && !rate)
            rc = collect(c, g, n->args[2], rate);
        return rc;
    }
    if(n->kind == OCY_CALL && strcmp(n->name, "lookup") == 0)
        return collect(c, g, n->args[1], rate);
    for(i = 0; i < n->nargs; i++) {
        rc = collect(c, g, n->args[i], rate);
        if(rc)
            return rc;
    }
    return OC_OK;
}

static int build_graph(compiler *c, graph *g, int rate)
{
    size_t i;
    int rc;
    g->start = ocM_calloc(c->n + 1, sizeof(*g->start));
    if(!g->start)
        return oom(c);
    for(i = 0; i < c->n; i++) {
        const ocK_var *v = &c->vars[i];
        g->start[i] = g->n_dep;
        if(!has_value(v->kind))
            continue;
        if(rate && !v->in_rate)
            continue;
        rc = collect(c, g, v->ast, rate);
        if(rc)
            return rc;
    }
    g->start[c->n] = g->n_dep;
    return OC_OK;
}

static void free_graph(graph *g)
{
    ocM_free(g->start);
    ocM_free(g->dep);
    memset(g, 0, sizeof(*g));
}

/* Writes "a -> b -> ... -> a" for a cycle among the variables left over by
 * Kahn's algorithm (each has an unfinished dependency). */
static int report_cycle(compiler *c, const graph *g, const int *indeg, int rate)
{
    int *seen_at = ocM_calloc(c->n, sizeof(int));
    int *path = ocM_calloc(c->n + 1, sizeof(int));
    char msg[600];
    size_t len = 0, plen = 0, i, k;
    int v = -1, cycle_start = 0;
    if(!seen_at || !path) {
        ocM_free(seen_at);
        ocM_free(path);
        return oom(c);
    }
    for(i = 0; i < c->n && v < 0; i++)
        if(indeg[i] > 0)
            v = (int)i;
    /* walk unfinished dependencies until a variable repeats: every
     * variable Kahn left over waits for another left-over one */
    while(v >= 0 && !seen_at[v]) {
        int next = -1;
        seen_at[v] = (int)plen + 1;
        path[plen++] = v;
        for(k = g->start[v]; k < g->start[v + 1] && next < 0; k++)
            if(indeg[g->dep[k]] > 0)
                next = g->dep[k];
        if(next < 0)
            break;
        v = next;
    }
    if(v >= 0 && seen_at[v])
        cycle_start = seen_at[v] - 1;
    msg[0] = '\0';
    /* dependencies point from a variable to what it needs; print in the
     * direction of influence: needed -> needer */
    for(i = plen; i-- > (size_t)cycle_start;) {
        const ocK_var *u = user_var(c, path[i]);
        int w = snprintf(msg + len, sizeof(msg) - len, "%s -> ", u ? u->name : "?");
        if(w < 0 || (size_t)w >= sizeof(msg) - len)
            break;
        len += (size_t)w;
    }
    if(plen > (size_t)cycle_start) {
        const ocK_var *u = user_var(c, path[plen - 1]);
        snprintf(msg + len, sizeof(msg) - len, "%s", u ? u->name : "?");
    }
    {
        int first = plen ? path[plen - 1] : 0;
        ocM_free(seen_at);
        ocM_free(path);
        return fail_at(c, OC_ECYCLE, first, 0, 0, "circular definition%s: %s",
                       rate ? "" : " of initial values", msg);
    }
}

/* Kahn's algorithm. order receives the ids of the variables in the graph
 * (valued variables; for rate, only in_rate ones), dependencies first. */
static int topo_sort(compiler *c, const graph *g, int rate, int *order, size_t *n_order)
{
    int *indeg = ocM_calloc(c->n + 1, sizeof(int));
    size_t *rstart = ocM_calloc(c->n + 2, sizeof(size_t));
    int *rdep = g->n_dep ? ocM_calloc(g->n_dep, sizeof(int)) : NULL;
    int *queue = ocM_calloc(c->n + 1, sizeof(int));
    size_t i, k, head = 0, tail = 0, members = 0;
    int rc = OC_OK;
    if(!indeg || !rstart || (g->n_dep && !rdep) || !queue) {
        rc = oom(c);
        goto done;
    }
    /* reverse edges: who depends on me */
    for(i = 0; i < c->n; i++)
        for(k = g->start[i]; k < g->start[i + 1]; k++)
            rstart[g->dep[k] + 1]++;
    for(i = 0; i < c->n; i++)
        rstart[i + 1] += rstart[i];
    {
        size_t *fill = ocM_calloc(c->n + 1, sizeof(size_t));
        if(!fill) {
            rc = oom(c);
            goto done;
        }
        for(i = 0; i < c->n; i++)
            for(k = g->start[i]; k < g->start[i + 1]; k++) {
                size_t t = (size_t)g->dep[k];
                rdep[rstart[t] + fill[t]++] = (int)i;
            }
        ocM_free(fill);
    }
    for(i = 0; i < c->n; i++) {
        const ocK_var *v = &c->vars[i];
        if(!has_value(v->kind) || (rate && !v->in_rate)) {
            indeg[i] = -1;
            continue;
        }
        members++;
        indeg[i] = (int)(g->start[i + 1] - g->start[i]);
        if(indeg[i] == 0)
            queue[tail++] = (int)i;
    }
    while(head < tail) {
        int v = queue[head++];
        order[(*n_order)++] = v;
        for(k = rstart[v]; k < rstart[v + 1]; k++) {
            int w = rdep[k];
            if(--indeg[w] == 0)
                queue[tail++] = w;
        }
    }
    if(*n_order < members)
        rc = report_cycle(c, g, indeg, rate);
done:
    ocM_free(indeg);
    ocM_free(rstart);
    ocM_free(rdep);
    ocM_free(queue);
    return rc;
}

/* Whether an expression changes during a run on its own (reads TIME, draws
 * random numbers, reads a delay's history). */
static int time_varying(const compiler *c, const ocY_node *n)
{
    uint16_t i;
    if(!n)
        return 0;
    if(n->kind == OCY_SLOT)
        return n->id == OCV_SLOT_TIME;
    if(n->kind == OCY_REF)
        return !c->vars[n->id].is_const;
    if(n->kind == OCY_CALL) {
        const ocB_info *bi = ocB_find(n->name);
        if(bi && (bi->cls == OCB_CLS_TIME || bi->cls == OCB_CLS_RANDOM || bi->id == OCB_DELAY))
            return 1;
        if(bi && bi->id == OCB_LOOKUP)
            return time_varying(c, n->args[1]);
    }
    for(i = 0; i < n->nargs; i++)
        if(time_varying(c, n->args[i]))
            return 1;
    return 0;
}

/* Constant or not, in initial order (what a variable reads is classified
 * before it). Outflows of non-negative stocks are cut back during the run,
 * so they are never constant even when their equation is. */
static void classify(compiler *c, const int *order, size_t n_order)
{
    size_t i, j, k;
    for(i = 0; i < c->n; i++)
        c->vars[i].in_rate = 0;
    for(i = 0; i < c->n; i++) {
        const ocK_var *v = &c->vars[i];
        if(v->kind == OCK_STOCK && v->non_negative)
            for(k = 0; k < v->n_out; k++)
                c->vars[v->outflows[k]].in_rate = -1; /* marker: never constant */
    }
    for(j = 0; j < n_order; j++) {
        ocK_var *v = &c->vars[order[j]];
        switch(v->kind) {
        case OCK_INITVAL: v->is_const = 1; break;
        case OCK_AUX:
        case OCK_FLOW: v->is_const = v->in_rate != -1 && !time_varying(c, v->ast); break;
        default: v->is_const = 0; break;
        }
        v->in_rate = (v->kind == OCK_AUX || v->kind == OCK_FLOW) && !v->is_const;
    }
}

/* Replaces each largest constant subexpression of a changing equation (say
 * LN(max_growth) in MIN(LN(max_growth), x / t)) by a hidden constant, so
 * it is computed once per run instead of once per step. */
static int hoist_node(compiler *c, int var, ocY_node **slot)
{
    ocY_node *n = *slot;
    uint16_t i;
    int rc, id;
    if(!n || n->kind == OCY_NUM || n->kind == OCY_REF || n->kind == OCY_SLOT)
        return OC_OK;
    if(!time_varying(c, n)) {
        rc = hidden_var(c, var, OCK_AUX, c->vars[var].scope, "constant part", n, &id);
        if(rc)
            return rc;
        c->vars[id].is_const = 1;
        *slot = ref(c, id);
        return *slot ? OC_OK : oom(c);
    }
    if(n->kind == OCY_CALL && strcmp(n->name, "delay") == 0)
        return OC_OK; /* its arguments are variables already */
    for(i = 0; i < n->nargs; i++) {
        if(n->kind == OCY_CALL && strcmp(n->name, "lookup") == 0 && i == 0)
            continue; /* the table reference */
        rc = hoist_node(c, var, &n->args[i]);
        if(rc)
            return rc;
    }
    return OC_OK;
}

static int hoist_constants(compiler *c)
{
    size_t i, n = c->n;
    int rc;
    for(i = 0; i < n; i++) {
        ocY_node *ast;
        if(c->vars[i].in_rate != 1)
            continue;
        ast = c->vars[i].ast;
        if(!ast || ast->kind == OCY_NUM || ast->kind == OCY_REF || ast->kind == OCY_SLOT)
            continue;
        rc = hoist_node(c, (int)i, &ast);
        c->vars[i].ast = ast;
        if(rc)
            return rc;
    }
    return OC_OK;
}

/* ------------------------------------------------------------------ */
/* Code generation                                                     */
/* ------------------------------------------------------------------ */

static int emit(compiler *c, uint32_t op, uint32_t d, uint32_t a, uint32_t b)
{
    ocV_ins *ins;
    if(ocM_grow((void **)&c->code, &c->cap_code, c->n_code + 1, sizeof(*c->code)))
        return oom(c);
    ins = &c->code[c->n_code++];
    ins->op = op;
    ins->d = d;
    ins->a = a;
    ins->b = b;
    return OC_OK;
}

static uint64_t dbits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof(b));
    return b;
}

static uint64_t hash64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The slot of a literal, pooled by bit pattern. Slots are numbered from 0
 * here and moved after the variables at the end (lit_base). */
static int literal(compiler *c, double x, uint32_t *slot)
{
    lit_map *lm = &c->litmap;
    uint64_t b = dbits(x);
    size_t j;
    if((lm->count + 1) * 2 > lm->cap) {
        size_t ncap = lm->cap ? lm->cap * 2 : 256, i;
        uint64_t *nb = ocM_calloc(ncap, sizeof(*nb));
        uint32_t *ns = ocM_calloc(ncap, sizeof(*ns));
        if(!nb || !ns) {
            ocM_free(nb);
            ocM_free(ns);
            return oom(c);
        }
        for(i = 0; i < lm->cap; i++) {
            if(lm->slot[i]) {
                size_t k = (size_t)hash64(lm->bits[i]) & (ncap - 1);
                while(ns[k])
                    k = (k + 1) & (ncap - 1);
                nb[k] = lm->bits[i];
                ns[k] = lm->slot[i];
            }
        }
        ocM_free(lm->bits);
        ocM_free(lm->slot);
        lm->bits = nb;
        lm->slot = ns;
        lm->cap = ncap;
    }
    j = (size_t)hash64(b) & (lm->cap - 1);
    while(lm->slot[j]) {
        if(lm->bits[j] == b) {
            *slot = c->lit_base + lm->slot[j] - 1;
            return OC_OK;
        }
        j = (j + 1) & (lm->cap - 1);
    }
    if(ocM_grow((void **)&c->lits, &c->cap_lits, c->n_lits + 1, sizeof(*c->lits)))
        return oom(c);
    c->lits[c->n_lits++] = x;
    lm->bits[j] = b;
    lm->slot[j] = (uint32_t)c->n_lits; /* 1-based: 0 marks an empty cell */
    lm->count++;
    *slot = c->lit_base + (uint32_t)c->n_lits - 1;
    return OC_OK;
}

static uint32_t new_temp(compiler *c)
{
    uint32_t t = c->tmp_top++;
    if(c->tmp_top > c->n_temps)
        c->n_temps = c->tmp_top;
    return TEMP_FLAG | t;
}

static int gen(compiler *c, int var, const ocY_node *n, uint32_t *out);

/* Evaluates n into a slot: a leaf's own slot, or a fresh temporary. */
static int gen_arg(compiler *c, int var, const ocY_node *n, uint32_t *slot)
{
    return gen(c, var, n, slot);
}

static int gen_into(compiler *c, int var, const ocY_node *n, uint32_t dst);

/* IF c THEN a ELSE b, as syntax or as the IF_THEN_ELSE function: both
 * branches are evaluated (no side effects) and SELECT picks one. */
static int gen_select(compiler *c, int var, const ocY_node *n, uint32_t dst)
{
    uint32_t x = 0, a = 0, b = 0;
    int rc = gen_arg(c, var, n->args[0], &x);
    if(!rc)
        rc = gen_arg(c, var, n->args[1], &a);
    if(!rc)
        rc = gen_arg(c, var, n->args[2], &b);
    if(!rc)
        rc = emit(c, OCV_SELECT, dst, x, 0);
    if(!rc)
        rc = emit(c, OCV_EXT, 0, a, b);
    return rc;
}

static int gen_call(compiler *c, int var, const ocY_node *n, uint32_t dst)
{
    const ocB_info *bi = ocB_find(n->name);
    uint32_t a = 0, b = 0, x = 0, top = c->tmp_top;
    uint16_t i;
    int rc = OC_OK;
    uint32_t op;

    if(!bi)
        return fail_at(c, OC_EFUNC, var, 1, n->pos, "unknown function '%s'", n->raw);
    switch(bi->id) {
    case OCB_ABS: op = OCV_ABS; goto unary;
    case OCB_EXP: op = OCV_EXP; goto unary;
    case OCB_LN: op = OCV_LN; goto unary;
    case OCB_LOG10: op = OCV_LOG10; goto unary;
    case OCB_SQRT: op = OCV_SQRT; goto unary;
    case OCB_INT: op = OCV_INT; goto unary;
    case OCB_SIN: op = OCV_SIN; goto unary;
    case OCB_COS: op = OCV_COS; goto unary;
    case OCB_TAN: op = OCV_TAN; goto unary;
    case OCB_ARCSIN: op = OCV_ASIN; goto unary;
    case OCB_ARCCOS: op = OCV_ACOS; goto unary;
    case OCB_ARCTAN: op = OCV_ATAN; goto unary;
    case OCB_ROUND: op = OCV_ROUND; goto unary;
    case OCB_SIGN: op = OCV_SIGN;
    unary:
        rc = gen_arg(c, var, n->args[0], &a);
        if(!rc)
            rc = emit(c, op, dst, a, 0);
        break;
    case OCB_LOG:
        rc = gen_arg(c, var, n->args[0], &a);
        if(!rc && n->nargs == 1) {
            rc = emit(c, OCV_LOG10, dst, a, 0);
            break;
        }
        if(!rc)
            rc = gen_arg(c, var, n->args[1], &b);
        if(rc)
            break;
        x = new_temp(c); /* LOG(x, base) = LN(x) / LN(base) */
        {
            uint32_t y = new_temp(c);
            rc = emit(c, OCV_LN, x, b, 0);
            if(!rc)
                rc = emit(c, OCV_LN, y, a, 0);
            if(!rc)
                rc = emit(c, OCV_DIV, dst, y, x);
        }
        break;
    case OCB_MOD:
        rc = gen_arg(c, var, n->args[0], &a);
        if(!rc)
            rc = gen_arg(c, var, n->args[1], &b);
        if(!rc)
            rc = emit(c, OCV_MOD, dst, a, b);
        break;
    case OCB_MIN:
    case OCB_MAX:
    case OCB_SUM:
    case OCB_PROD:
    case OCB_MEAN:
        op = bi->id == OCB_MIN ? OCV_MIN : bi->id == OCB_MAX ? OCV_MAX
           : bi->id == OCB_PROD ? OCV_MUL : OCV_ADD;
        rc = gen_arg(c, var, n->args[0], &a);
        if(rc)
            break;
        if(n->nargs == 1) {
            rc = emit(c, OCV_MOV, dst, a, 0);
            break;
        }
        /* accumulate in a temporary: dst may be read by a later argument */
        x = new_temp(c);
        for(i = 1; i < n->nargs && !rc; i++) {
            uint32_t t2 = c->tmp_top;
            rc = gen_arg(c, var, n->args[i], &b);
            if(!rc)
                rc = emit(c, op, x, i == 1 ? a : x, b);
            c->tmp_top = t2;
        }
        if(rc)
            break;
        if(bi->id == OCB_MEAN) {
            rc = literal(c, (double)n->nargs, &b);
            if(!rc)
                rc = emit(c, OCV_DIV, dst, x, b);
        }
        else
            rc = emit(c, OCV_MOV, dst, x, 0);
        break;
    case OCB_PI:
        rc = literal(c, 3.14159265358979323846, &a);
        if(!rc)
            rc = emit(c, OCV_MOV, dst, a, 0);
        break;
    case OCB_INF:
        rc = literal(c, HUGE_VAL, &a);
        if(!rc)
            rc = emit(c, OCV_MOV, dst, a, 0);
        break;
    case OCB_SAFEDIV:
    case OCB_XIDZ:
    case OCB_ZIDZ:
        rc = gen_arg(c, var, n->args[0], &a);
        if(!rc)
            rc = gen_arg(c, var, n->args[1], &b);
        x = OCV_SLOT_ZERO;
        if(!rc && n->nargs > 2)
            rc = gen_arg(c, var, n->args[2], &x);
        if(!rc)
            rc = emit(c, OCV_SAFEDIV, dst, a, b);
        if(!rc)
            rc = emit(c, OCV_EXT, 0, x, 0);
        break;
    case OCB_IF_THEN_ELSE:
        rc = gen_select(c, var, n, dst);
        break;
    case OCB_STEP:
        rc = gen_arg(c, var, n->args[0], &a);
        if(!rc)
            rc = gen_arg(c, var, n->args[1], &b);
        if(!rc)
            rc = emit(c, OCV_STEP, dst, a, b);
        break;
    case OCB_PULSE:
    case OCB_RAMP:
        rc = gen_arg(c, var, n->args[0], &a);
        b = OCV_SLOT_START;
        if(!rc && n->nargs > 1)
            rc = gen_arg(c, var, n->args[1], &b);
        if(!rc && n->nargs > 2)
            rc = gen_arg(c, var, n->args[2], &x);
        else if(!rc && bi->id == OCB_RAMP)
            rc = literal(c, HUGE_VAL, &x); /* no end: ramp forever */
        else
            x = OCV_SLOT_ZERO; /* no interval: one pulse */
        if(!rc)
            rc = emit(c, bi->id == OCB_PULSE ? OCV_PULSE : OCV_RAMP, dst, a, b);
        if(!rc)
            rc = emit(c, OCV_EXT, 0, x, 0);
        break;
    case OCB_RANDOM:
    case OCB_NORMAL:
    case OCB_EXPRND:
    case OCB_LOGNORMAL:
    case OCB_POISSON: {
        ocV_random *r;
        uint32_t args[3] = {0, 0, 0};
        /* arguments first: one may itself draw and grow the table */
        for(i = 0; i < n->nargs && i < 3 && !rc; i++)
            rc = gen_arg(c, var, n->args[i], &args[i]);
        if(rc)
            break;
        if(ocM_grow((void **)&c->randoms, &c->cap_randoms, c->n_randoms + 1, sizeof(*c->randoms)))
            return oom(c);
        r = &c->randoms[c->n_randoms];
        memset(r, 0, sizeof(*r));
        r->kind = bi->id;
        r->site = (uint64_t)n->id;
        r->nargs = n->nargs;
        memcpy(r->args, args, sizeof(args));
        rc = emit(c, OCV_RANDOM, dst, 0, (uint32_t)c->n_randoms++);
        break;
    }
    case OCB_LOOKUP: {
        const ocK_var *t = &c->vars[n->args[0]->id];
        rc = gen_arg(c, var, n->args[1], &a);
        if(!rc)
            rc = emit(c, OCV_LOOKUP, dst, a, (uint32_t)t->table);
        break;
    }
    case OCB_DELAY: {
        uint32_t in, dt_slot, init;
        ocV_delay *d = &c->delays[n->id];
        rc = gen_arg(c, var, n->args[0], &in);
        if(!rc)
            rc = gen_arg(c, var, n->args[1], &dt_slot);
        if(!rc)
            rc = gen_arg(c, var, n->args[2], &init);
        if(rc)
            break;
        d->input = in;
        d->delay_time = dt_slot;
        d->fixed_length = n->args[1]->kind == OCY_NUM ||
                          (n->args[1]->kind == OCY_REF && c->vars[n->args[1]->id].is_const);
        rc = emit(c, OCV_DELAY, dst, dt_slot, (uint32_t)n->id);
        if(!rc)
            rc = emit(c, OCV_EXT, 0, init, 0);
        break;
    }
    default:
        rc = fail_at(c, OC_EFUNC, var, 1, n->pos, "%s cannot be used here", n->raw);
        break;
    }
    c->tmp_top = top;
    return rc;
}

static uint32_t bin_op(int op)
{
    switch(op) {
    case OCY_ADD: return OCV_ADD;
    case OCY_SUB: return OCV_SUB;
    case OCY_MUL: return OCV_MUL;
    case OCY_DIV: return OCV_DIV;
    case OCY_POW: return OCV_POW;
    case OCY_MOD: return OCV_MOD;
    case OCY_LT: return OCV_LT;
    case OCY_LE: return OCV_LE;
    case OCY_GT: return OCV_GT;
    case OCY_GE: return OCV_GE;
    case OCY_EQ: return OCV_EQ;
    case OCY_NE: return OCV_NE;
    case OCY_AND: return OCV_AND;
    default: return OCV_OR;
    }
}

/* Generates n into dst. Temporaries used inside are released after. */
static int gen_into(compiler *c, int var, const ocY_node *n, uint32_t dst)
{
    uint32_t a = 0, b = 0, x = 0, top = c->tmp_top;
    int rc = OC_OK;
    switch(n->kind) {
    case OCY_NUM:
        rc = literal(c, n->num, &a);
        if(!rc)
            rc = emit(c, OCV_MOV, dst, a, 0);
        break;
    case OCY_REF:
        rc = emit(c, OCV_MOV, dst, c->vars[n->id].slot, 0);
        break;
    case OCY_SLOT:
        rc = emit(c, OCV_MOV, dst, (uint32_t)n->id, 0);
        break;
    case OCY_NEG:
    case OCY_NOT:
        rc = gen_arg(c, var, n->args[0], &a);
        if(!rc)
            rc = emit(c, n->kind == OCY_NEG ? OCV_NEG : OCV_NOT, dst, a, 0);
        break;
    case OCY_BIN:
        /* (a - b) / c, the shape of every smooth and delay stage */
        if(n->op == OCY_DIV && n->args[0]->kind == OCY_BIN && n->args[0]->op == OCY_SUB) {
            rc = gen_arg(c, var, n->args[0]->args[0], &a);
            if(!rc)
                rc = gen_arg(c, var, n->args[0]->args[1], &b);
            if(!rc)
                rc = gen_arg(c, var, n->args[1], &x);
            if(!rc)
                rc = emit(c, OCV_SUBDIV, dst, a, b);
            if(!rc)
                rc = emit(c, OCV_EXT, 0, x, 0);
            break;
        }
        rc = gen_arg(c, var, n->args[0], &a);
        if(!rc)
            rc = gen_arg(c, var, n->args[1], &b);
        if(!rc)
            rc = emit(c, bin_op(n->op), dst, a, b);
        break;
    case OCY_IF:
        rc = gen_select(c, var, n, dst);
        break;
    case OCY_CALL:
        rc = gen_call(c, var, n, dst);
        break;
    default:
        rc = fail_at(c, OC_EUNKNOWN, var, 1, n->pos, "unresolved name '%s'",
                     n->raw ? n->raw : "?");
        break;
    }
    c->tmp_top = top;
    return rc;
}

/* A leaf's own slot, or a temporary holding the value. */
static int gen(compiler *c, int var, const ocY_node *n, uint32_t *out)
{
    switch(n->kind) {
    case OCY_NUM:
        return literal(c, n->num, out);
    case OCY_REF:
        *out = c->vars[n->id].slot;
        return OC_OK;
    case OCY_SLOT:
        *out = (uint32_t)n->id;
        return OC_OK;
    default: {
        uint32_t t = new_temp(c);
        int rc = gen_into(c, var, n, t);
        /* keep t reserved until the caller's instruction is emitted */
        if(c->tmp_top <= (t & ~TEMP_FLAG))
            c->tmp_top = (t & ~TEMP_FLAG) + 1;
        *out = t;
        return rc;
    }
    }
}

/* Code for one variable's value (or initial value) into its slot. */
static int gen_var(compiler *c, int id)
{
    const ocK_var *v = &c->vars[id];
    int rc;
    c->tmp_top = 0;
    if(v->table >= 0 && v->kind != OCK_STOCK) {
        uint32_t x;
        rc = gen(c, id, v->ast, &x);
        if(!rc)
            rc = emit(c, OCV_LOOKUP, v->slot, x, (uint32_t)v->table);
    }
    else
        rc = gen_into(c, id, v->ast, v->slot);
    if(!rc && v->kind == OCK_FLOW && v->non_negative)
        rc = emit(c, OCV_MAX, v->slot, v->slot, OCV_SLOT_ZERO); /* a uniflow */
    return rc;
}

static void patch_temps(ocV_ins *code, size_t n, uint32_t temp_base)
{
    size_t i;
    for(i = 0; i < n; i++) {
        ocV_ins *ins = &code[i];
        if(ins->d & TEMP_FLAG)
            ins->d = temp_base + (ins->d & ~TEMP_FLAG);
        if(ins->a & TEMP_FLAG)
            ins->a = temp_base + (ins->a & ~TEMP_FLAG);
        if(ins->op == OCV_LOOKUP || ins->op == OCV_RANDOM || ins->op == OCV_DELAY)
            continue; /* b is a table index */
        if(ins->b & TEMP_FLAG)
            ins->b = temp_base + (ins->b & ~TEMP_FLAG);
    }
}

static int take_code(compiler *c, ocV_ins **code, size_t *n)
{
    *code = c->code;
    *n = c->n_code;
    c->code = NULL;
    c->n_code = c->cap_code = 0;
    return OC_OK;
}

/* ------------------------------------------------------------------ */
/* Driver                                                              */
/* ------------------------------------------------------------------ */

static int register_macros(compiler *c)
{
    size_t i;
    for(i = 0; i < c->doc->n_macros; i++) {
        const ocI_macro *mc = &c->doc->macros[i];
        char *cn;
        if(!mc->name)
            continue;
        cn = ocN_canon(c->a, mc->name, strlen(mc->name));
        if(!cn)
            return oom(c);
        if(ocB_find(cn))
            return ocE_set(c->err, OC_EMODEL, c->doc->file, mc->line, 0, NULL,
                           "macro '%s' has the name of a built-in function", mc->name);
        if(ocN_map_put(&c->macros, cn, (int)i))
            return oom(c);
    }
    return OC_OK;
}

static int check_specs(compiler *c)
{
    oc_specs *s = &c->m->specs;
    if(!c->doc->has_start || !c->doc->has_stop)
        return ocE_set(c->err, OC_ESPECS, c->doc->file, 0, 0, NULL,
                       "sim_specs must give <start> and <stop>");
    if(s->save_step == 0.0)
        s->save_step = s->dt;
    if(!isfinite(s->save_step) || s->save_step < s->dt)
        s->save_step = s->dt;
    {
        int rc = oc_specs_check(s, c->err);
        if(rc && c->err)
            snprintf(c->err->file, sizeof(c->err->file), "%s", c->doc->file);
        return rc;
    }
}

int ocK_compile(const ocI_doc *doc, oc_model **out, oc_error *err)
{
    compiler cc, *c = &cc;
    oc_model *m;
    graph gi, gr;
    int *order = NULL;
    size_t n_order = 0, i, j, k;
    int rc = OC_OK;
    const ocI_submodel *root = NULL;

    *out = NULL;
    memset(c, 0, sizeof(*c));
    memset(&gi, 0, sizeof(gi));
    memset(&gr, 0, sizeof(gr));
    m = ocM_calloc(1, sizeof(*m));
    if(!m)
        return ocE_set(err, OC_ENOMEM, doc->file, 0, 0, NULL, "out of memory");
    ocM_arena_init(&m->arena);
    ocN_map_init(&m->names);
    c->doc = doc;
    c->m = m;
    c->a = &m->arena;
    c->err = err;
    ocN_map_init(&c->names);
    ocN_map_init(&c->macros);

    m->file = ocM_arena_strdup(c->a, doc->file);
    m->name = ocM_arena_strdup(c->a, doc->name ? doc->name : "");
    m->time_units = ocM_arena_strdup(c->a, doc->time_units ? doc->time_units : "");
    if(!m->file || !m->name || !m->time_units) {
        rc = oom(c);
        goto fail;
    }
    m->specs = doc->specs;
    rc = check_specs(c);
    if(rc)
        goto fail;

    /* 1. instantiate */
    for(i = 0; i < doc->n_models && !root; i++)
        if(!doc->models[i].name)
            root = &doc->models[i];
    if(!root && doc->n_models)
        root = &doc->models[0];
    if(!root) {
        rc = ocE_set(err, OC_EXML, doc->file, 0, 0, NULL, "the file holds no <model>");
        goto fail;
    }
    rc = register_macros(c);
    if(!rc)
        rc = instantiate(c, root, "", "", 0, doc->nn_stocks, doc->nn_flows, 0, -1);
    if(rc)
        goto fail;

    /* 2. parse, connect */
    {
        size_t n_user = c->n;
        for(i = 0; i < n_user; i++) {
            rc = parse_var(c, (int)i);
            if(rc)
                goto fail;
        }
    }
    rc = apply_connections(c);
    if(rc)
        goto fail;

    /* 3. expand (the list grows while we walk it) */
    for(i = 0; i < c->n; i++) {
        ocK_var *v = &c->vars[i];
        if(!has_value(v->kind))
            continue;
        if(!v->ast && !(v->kind == OCK_AUX && v->table >= 0)) {
            if(v->kind == OCK_AUX && v->is_input)
                rc = fail_at(c, OC_EMODEL, (int)i, 0, 0,
                             "submodel input is neither connected nor given an equation");
            else
                rc = fail_at(c, OC_EMODEL, (int)i, 0, 0, "has no equation");
            goto fail;
        }
        if(!v->ast) {
            v->kind = OCK_GF; /* a table with no input: only callable */
            continue;
        }
        {
            /* expansion may grow c->vars: never hold a pointer into it */
            ocY_node *ast = c->vars[i].ast;
            rc = expand_node(c, (int)i, &ast, 0);
            c->vars[i].ast = ast;
        }
        if(rc)
            goto fail;
    }

    /* 4. resolve */
    for(i = 0; i < c->n; i++) {
        ocK_var *v = &c->vars[i];
        if(!has_value(v->kind))
            continue;
        rc = resolve_node(c, (int)i, v->ast);
        if(!rc && v->kind == OCK_PREV) {
            ocY_node *src = v->prev_node;
            rc = resolve_node(c, (int)i, src);
            if(!rc && src->kind == OCY_REF)
                c->vars[i].prev_source = src->id;
            else if(!rc)
                rc = fail_at(c, OC_EMODEL, (int)i, 0, 0,
                             "PREVIOUS needs a variable or an expression as its first argument");
        }
        if(!rc)
            rc = resolve_flows(c, (int)i);
        if(rc)
            goto fail;
    }
    for(i = 0; i < c->n; i++)
        if(c->vars[i].kind == OCK_PREV && c->vars[i].prev_source >= 0)
            c->vars[c->vars[i].prev_source].used_by++;

    /* 5. order: initial values over every valued variable */
    order = ocM_calloc(c->n + 1, sizeof(int));
    if(!order) {
        rc = oom(c);
        goto fail;
    }
    rc = build_graph(c, &gi, 0);
    if(!rc)
        rc = topo_sort(c, &gi, 0, order, &n_order);
    if(rc)
        goto fail;
    classify(c, order, n_order);
    /* constant parts of changing equations are computed once, in the
     * initial pass: the new helpers need a place in the initial order */
    {
        size_t before = c->n;
        rc = hoist_constants(c);
        if(rc)
            goto fail;
        if(c->n > before) {
            int *bigger = ocM_realloc(order, (c->n + 1) * sizeof(int));
            if(!bigger) {
                rc = oom(c);
                goto fail;
            }
            order = bigger;
            free_graph(&gi);
            n_order = 0;
            rc = build_graph(c, &gi, 0);
            if(!rc)
                rc = topo_sort(c, &gi, 0, order, &n_order);
            if(rc)
                goto fail;
            classify(c, order, n_order);
        }
    }

    /* slots: fixed, then one per valued variable, PREVIOUS buffers, literals, temporaries */
    {
        uint32_t next = OCV_NFIXED;
        for(i = 0; i < c->n; i++)
            if(has_value(c->vars[i].kind))
                c->vars[i].slot = next++;
        for(i = 0; i < c->n; i++)
            if(c->vars[i].kind == OCK_PREV)
                m->n_prev++;
        c->lit_base = next;
    }

    /* 6. generate: the initial-value program, one range per variable */
    m->init_ranges = ocM_calloc(n_order + 1, sizeof(*m->init_ranges));
    if(!m->init_ranges) {
        rc = oom(c);
        goto fail;
    }
    for(j = 0; j < n_order; j++) {
        int id = order[j];
        ocK_range *r = &m->init_ranges[m->n_init_ranges++];
        r->var = id;
        r->start = (uint32_t)c->n_code;
        rc = gen_var(c, id);
        if(rc)
            goto fail;
        r->end = (uint32_t)c->n_code;
    }
    take_code(c, &m->init_code, &m->n_init_code);

    /* the rate program, over what changes during a run */
    rc = build_graph(c, &gr, 1);
    if(rc)
        goto fail;
    n_order = 0;
    rc = topo_sort(c, &gr, 1, order, &n_order);
    if(rc)
        goto fail;
    m->rate_vars = ocM_calloc(n_order + 1, sizeof(int));
    if(!m->rate_vars) {
        rc = oom(c);
        goto fail;
    }
    for(j = 0; j < n_order; j++) {
        rc = gen_var(c, order[j]);
        if(rc)
            goto fail;
        m->rate_vars[m->n_rate_vars++] = order[j];
    }
    take_code(c, &m->rate_code, &m->n_rate_code);

    /* slots are final: literals after variables, then temporaries */
    {
        uint32_t temp_base = c->lit_base + (uint32_t)c->n_lits;
        m->n_slots = (size_t)temp_base + c->n_temps;
        patch_temps(m->init_code, m->n_init_code, temp_base);
        patch_temps(m->rate_code, m->n_rate_code, temp_base);
        for(i = 0; i < c->n_randoms; i++)
            for(k = 0; k < 3; k++)
                if(c->randoms[i].args[k] & TEMP_FLAG)
                    c->randoms[i].args[k] = temp_base + (c->randoms[i].args[k] & ~TEMP_FLAG);
        m->slot_init = ocM_calloc(m->n_slots, sizeof(double));
        if(!m->slot_init) {
            rc = oom(c);
            goto fail;
        }
        if(c->n_lits)
            memcpy(m->slot_init + c->lit_base, c->lits, c->n_lits * sizeof(double));
        m->slot_init[OCV_SLOT_ONE] = 1.0;
    }

    /* stocks and their flows */
    for(i = 0; i < c->n; i++)
        if(c->vars[i].kind == OCK_STOCK) {
            m->n_stocks++;
            m->n_flow_slots += c->vars[i].n_in + c->vars[i].n_out;
        }
    m->stocks = ocM_calloc(m->n_stocks + 1, sizeof(*m->stocks));
    m->flow_slots = ocM_calloc(m->n_flow_slots + 1, sizeof(*m->flow_slots));
    m->flow_exclusive = ocM_calloc(m->n_flow_slots + 1, 1);
    m->prev_src = ocM_calloc(m->n_prev + 1, sizeof(uint32_t));
    m->prev_dst = ocM_calloc(m->n_prev + 1, sizeof(uint32_t));
    if(!m->stocks || !m->flow_slots || !m->flow_exclusive || !m->prev_src || !m->prev_dst) {
        rc = oom(c);
        goto fail;
    }
    {
        size_t s = 0, f = 0, p = 0;
        int *drained = ocM_calloc(c->n + 1, sizeof(int)); /* stocks each flow drains */
        if(!drained) {
            rc = oom(c);
            goto fail;
        }
        for(i = 0; i < c->n; i++)
            if(c->vars[i].kind == OCK_STOCK)
                for(k = 0; k < c->vars[i].n_out; k++)
                    drained[c->vars[i].outflows[k]]++;
        for(i = 0; i < c->n; i++) {
            const ocK_var *v = &c->vars[i];
            if(v->kind == OCK_PREV) {
                m->prev_src[p] = c->vars[v->prev_source].slot;
                m->prev_dst[p] = v->slot;
                p++;
            }
            if(v->kind != OCK_STOCK)
                continue;
            m->stocks[s].slot = v->slot;
            m->stocks[s].first = (uint32_t)f;
            m->stocks[s].n_in = (uint32_t)v->n_in;
            m->stocks[s].n_out = (uint32_t)v->n_out;
            m->stocks[s].var = (int)i;
            m->stocks[s].non_negative = v->non_negative;
            if(v->non_negative)
                m->has_non_negative = 1;
            for(k = 0; k < v->n_in; k++)
                m->flow_slots[f++] = c->vars[v->inflows[k]].slot;
            for(k = 0; k < v->n_out; k++) {
                m->flow_exclusive[f] = drained[v->outflows[k]] == 1;
                m->flow_slots[f++] = c->vars[v->outflows[k]].slot;
            }
            s++;
        }
        ocM_free(drained);
    }

    /* the public listing: user variables in definition order */
    m->listed = ocM_calloc(c->n + 1, sizeof(int));
    if(!m->listed) {
        rc = oom(c);
        goto fail;
    }
    for(i = 0; i < c->n; i++) {
        ocK_var *v = &c->vars[i];
        if(v->hidden || v->kind == OCK_MODULE)
            continue;
        v->listed = (int)m->n_listed;
        m->listed[m->n_listed++] = (int)i;
    }

    m->vars = c->vars;
    m->n_vars = c->n;
    c->vars = NULL;
    m->names = c->names;
    ocN_map_init(&c->names);
    m->tables = c->tables;
    m->n_tables = c->n_tables;
    c->tables = NULL;
    m->randoms = c->randoms;
    m->n_randoms = c->n_randoms;
    c->randoms = NULL;
    m->delays = c->delays;
    m->n_delays = c->n_delays;
    c->delays = NULL;
    *out = m;
    rc = OC_OK;
    goto done;

fail:
    oc_model_free(m);
done:
    free_graph(&gi);
    free_graph(&gr);
    ocM_free(order);
    ocM_free(c->vars);
    ocN_map_free(&c->names);
    ocN_map_free(&c->macros);
    ocM_free(c->conns);
    ocM_free(c->tables);
    ocM_free(c->randoms);
    ocM_free(c->delays);
    ocM_free(c->code);
    ocM_free(c->lits);
    ocM_free(c->litmap.bits);
    ocM_free(c->litmap.slot);
    return rc;
}

void oc_model_free(oc_model *m)
{
    if(!m)
        return;
    ocM_free(m->vars);
    ocM_free(m->listed);
    ocN_map_free(&m->names);
    ocM_free(m->slot_init);
    ocM_free(m->init_code);
    ocM_free(m->init_ranges);
    ocM_free(m->rate_code);
    ocM_free(m->rate_vars);
    ocM_free(m->stocks);
    ocM_free(m->flow_slots);
    ocM_free(m->flow_exclusive);
    ocM_free(m->tables);
    ocM_free(m->randoms);
    ocM_free(m->delays);
    ocM_free(m->prev_src);
    ocM_free(m->prev_dst);
    ocM_arena_free(&m->arena);
    ocM_free(m);
}
