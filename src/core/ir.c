/*
 * ir.c - the model description that readers fill in.
 *
 * A reader (the XMILE reader today, a Vensim reader later) turns a file into
 * an ocI_doc: sim specs, named models with their variables, macros. It does
 * no checking beyond the file format; the compiler checks meaning. Every
 * string and array lives in the document's arena, so one ocI_doc_free
 * releases everything.
 */
#include <string.h>

#include "oc_int.h"

int ocI_doc_init(ocI_doc *d, const char *file)
{
    memset(d, 0, sizeof(*d));
    ocM_arena_init(&d->arena);
    d->specs.start = 0.0;
    d->specs.stop = 0.0;
    d->specs.dt = 1.0;
    d->specs.save_step = 0.0; /* 0: same as dt */
    d->specs.method = OC_EULER;
    d->nn_stocks = -1;
    d->nn_flows = -1;
    d->time_units = "";
    d->name = "";
    d->file = ocM_arena_strdup(&d->arena, file ? file : "<model>");
    return d->file ? OC_OK : OC_ENOMEM;
}

void ocI_doc_free(ocI_doc *d)
{
    size_t i;
    for(i = 0; i < d->n_models; i++)
        ocM_free(d->models[i].vars);
    for(i = 0; i < d->n_macros; i++)
        ocM_free(d->macros[i].body.vars);
    ocM_free(d->models);
    ocM_free(d->macros);
    ocM_arena_free(&d->arena);
    memset(d, 0, sizeof(*d));
}

ocI_submodel *ocI_add_model(ocI_doc *d, const char *name, int line)
{
    ocI_submodel *m;
    if(ocM_grow((void **)&d->models, &d->cap_models, d->n_models + 1, sizeof(*d->models)))
        return NULL;
    m = &d->models[d->n_models++];
    memset(m, 0, sizeof(*m));
    m->name = name;
    m->line = line;
    m->nn_stocks = -1;
    m->nn_flows = -1;
    return m;
}

ocI_var *ocI_add_var(ocI_submodel *m)
{
    ocI_var *v;
    if(ocM_grow((void **)&m->vars, &m->cap_vars, m->n_vars + 1, sizeof(*m->vars)))
        return NULL;
    v = &m->vars[m->n_vars++];
    memset(v, 0, sizeof(*v));
    v->non_negative = -1;
    v->units = "";
    v->doc = "";
    return v;
}

ocI_macro *ocI_add_macro(ocI_doc *d)
{
    ocI_macro *mc;
    if(ocM_grow((void **)&d->macros, &d->cap_macros, d->n_macros + 1, sizeof(*d->macros)))
        return NULL;
    mc = &d->macros[d->n_macros++];
    memset(mc, 0, sizeof(*mc));
    mc->body.nn_stocks = -1;
    mc->body.nn_flows = -1;
    return mc;
}

/* Appends s to an arena-held list (inflows, outflows, parameters,
 * connections). The capacity is implicit: 4, then the next power of two, so
 * a list grows by doubling and a hostile file with a huge list costs linear
 * memory, not quadratic. */
int ocI_push_str(ocM_arena *a, const char ***list, size_t *n, const char *s)
{
    size_t k = *n;
    if(k == 0 || (k >= 4 && (k & (k - 1)) == 0)) {
        size_t cap = k == 0 ? 4 : 2 * k;
        const char **nl;
        if(cap > SIZE_MAX / sizeof(*nl))
            return OC_ENOMEM;
        nl = ocM_arena_alloc(a, cap * sizeof(*nl));
        if(!nl)
            return OC_ENOMEM;
        if(k)
            memcpy(nl, *list, k * sizeof(*nl));
        *list = nl;
    }
    (*list)[k] = s;
    *n = k + 1;
    return OC_OK;
}
