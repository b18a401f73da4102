/*
 * xmile.c - the XMILE reader: an XMILE document -> ocI_doc -> compiled model.
 *
 * The only file that uses libxml2. Safety first: documents are parsed with
 * no network access, no DTD loading and no entity substitution, and the
 * external entity loader is replaced by one that refuses everything, so a
 * hostile file cannot read local files or reach the network (XXE). libxml2's
 * own limits bound entity expansion. Files are capped at OC_MAX_FILE_BYTES.
 *
 * Tolerance: element names are matched by local name, case-insensitively,
 * so vendor prefixes (isee:, even undeclared) and capitalisation differences
 * between tools do not matter. Unknown elements (views, styles, vendor
 * extras) are ignored. Constructs overcap does not simulate yet (arrays,
 * conveyors, queues, external modules) are refused with OC_EUNSUPPORTED,
 * never silently mis-simulated.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "model.h"

typedef struct reader {
    ocI_doc *doc;
    oc_error *err;
    const char *file;
} reader;

static xmlParserInputPtr refuse_entities(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    return NULL; /* never load anything external */
}

static int is(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && xmlStrcasecmp(n->name, (const xmlChar *)name) == 0;
}

static int line_of(const xmlNode *n)
{
    long l = xmlGetLineNo(n);
    return l > 0 && l < INT_MAX ? (int)l : 0;
}

static int fail(reader *r, int code, const xmlNode *n, const char *var, const char *fmt, ...)
    OC_PRINTF(5, 6);

static int fail(reader *r, int code, const xmlNode *n, const char *var, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ocE_vset(r->err, code, r->file, n ? line_of(n) : 0, 0, var, fmt, ap);
    va_end(ap);
    return code;
}

static int oom(reader *r)
{
    return ocE_set(r->err, OC_ENOMEM, r->file, 0, 0, NULL, "out of memory");
}

/* The text of an element (CDATA merged), copied into the document arena. */
static const char *text_of(reader *r, const xmlNode *n)
{
    xmlChar *c = xmlNodeGetContent(n);
    const char *s;
    if(!c)
        return ocM_arena_strdup(&r->doc->arena, "");
    s = ocM_arena_strdup(&r->doc->arena, (const char *)c);
    xmlFree(c);
    return s;
}

/* An attribute by local name, case-insensitive, any namespace. */
static const char *attr_of(reader *r, const xmlNode *n, const char *name)
{
    const xmlAttr *a;
    for(a = n->properties; a; a = a->next) {
        if(xmlStrcasecmp(a->name, (const xmlChar *)name) == 0) {
            xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
            const char *s = ocM_arena_strdup(&r->doc->arena, v ? (const char *)v : "");
            if(v)
                xmlFree(v);
            return s;
        }
    }
    return NULL;
}

static int truthy(const char *s)
{
    while(*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return *s == '\0' || strncasecmp(s, "true", 4) == 0 || *s == '1';
}

/* A number in an element or attribute: the whole text must be one. */
static int number_of(reader *r, const xmlNode *n, const char *s, const char *what, double *out)
{
    char *end;
    double v;
    while(*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    errno = 0;
    v = strtod(s, &end);
    while(*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
        end++;
    if(end == s || *end != '\0')
        return fail(r, OC_ESYNTAX, n, NULL, "%s: '%s' is not a number", what, s);
    *out = v;
    return OC_OK;
}

/* ------------------------------------------------------------------ */
/* Graphical functions                                                 */
/* ------------------------------------------------------------------ */

static int parse_points(reader *r, const xmlNode *n, const char *what, double **out, size_t *count)
{
    const char *s = text_of(r, n), *sep = attr_of(r, n, "sep");
    char sepc = sep && sep[0] ? sep[0] : ',';
    size_t cap = 0, k = 0;
    double *pts = NULL;
    if(!s)
        return oom(r);
    for(;;) {
        char *end;
        double v;
        while(*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        if(*s == '\0' && k == 0)
            break;
        v = strtod(s, &end);
        if(end == s)
            return fail(r, OC_ESYNTAX, n, NULL, "graphical function %s: point %zu is not a number",
                        what, k + 1);
        if(k == cap) {
            double *np;
            cap = cap ? cap * 2 : 16;
            np = ocM_arena_alloc(&r->doc->arena, cap * sizeof(double));
            if(!np)
                return oom(r);
            if(k)
                memcpy(np, pts, k * sizeof(double));
            pts = np;
        }
        pts[k++] = v;
        s = end;
        while(*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        if(*s == sepc || (sepc != ',' && *s == ',')) {
            s++;
            continue;
        }
        if(*s == '\0')
            break;
        return fail(r, OC_ESYNTAX, n, NULL, "graphical function %s: unexpected '%c' after point %zu",
                    what, *s, k);
    }
    *out = pts;
    *count = k;
    return OC_OK;
}

static int read_gf(reader *r, const xmlNode *g, const char *var, ocI_gf **out)
{
    ocI_gf *gf = ocM_arena_alloc(&r->doc->arena, sizeof(*gf));
    const xmlNode *c;
    const char *type = attr_of(r, g, "type"), *discrete = attr_of(r, g, "discrete");
    double *xs = NULL, *ys = NULL, xmin = 0.0, xmax = 0.0;
    size_t nx = 0, ny = 0, i;
    int has_xscale = 0, rc;
    if(!gf)
        return oom(r);
    gf->line = line_of(g);
    gf->type = OCI_GF_CONTINUOUS;
    if(type) {
        if(strcasecmp(type, "extrapolate") == 0)
            gf->type = OCI_GF_EXTRAPOLATE;
        else if(strcasecmp(type, "discrete") == 0)
            gf->type = OCI_GF_DISCRETE;
        else if(strcasecmp(type, "continuous") != 0)
            return fail(r, OC_EMODEL, g, var, "unknown graphical function type '%s'", type);
    }
    if(discrete && truthy(discrete) && strcasecmp(discrete, "false") != 0)
        gf->type = OCI_GF_DISCRETE;
    for(c = g->children; c; c = c->next) {
        if(is(c, "xpts")) {
            rc = parse_points(r, c, "xpts", &xs, &nx);
            if(rc)
                return rc;
        }
        else if(is(c, "ypts")) {
            rc = parse_points(r, c, "ypts", &ys, &ny);
            if(rc)
                return rc;
        }
        else if(is(c, "xscale")) {
            const char *mn = attr_of(r, c, "min"), *mx = attr_of(r, c, "max");
            if(!mn || !mx)
                return fail(r, OC_EMODEL, c, var, "xscale needs min and max");
            rc = number_of(r, c, mn, "xscale min", &xmin);
            if(!rc)
                rc = number_of(r, c, mx, "xscale max", &xmax);
            if(rc)
                return rc;
            has_xscale = 1;
        }
    }
    if(ny == 0)
        return fail(r, OC_EMODEL, g, var, "graphical function has no <ypts>");
    if(xs) {
        if(nx != ny)
            return fail(r, OC_EMODEL, g, var,
                        "graphical function has %zu x points but %zu y points", nx, ny);
    }
    else {
        if(!has_xscale)
            return fail(r, OC_EMODEL, g, var, "graphical function needs <xpts> or <xscale>");
        xs = ocM_arena_alloc(&r->doc->arena, ny * sizeof(double));
        if(!xs)
            return oom(r);
        for(i = 0; i < ny; i++)
            xs[i] = ny == 1 ? xmin : xmin + (xmax - xmin) * (double)i / (double)(ny - 1);
    }
    gf->n = ny;
    gf->x = xs;
    gf->y = ys;
    *out = gf;
    return OC_OK;
}

/* ------------------------------------------------------------------ */
/* Variables                                                           */
/* ------------------------------------------------------------------ */

static int read_nn(reader *r, const xmlNode *n)
{
    const char *t = text_of(r, n);
    if(!t)
        return -1;
    while(*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r')
        t++;
    return *t == '\0' || strncasecmp(t, "true", 4) == 0 || *t == '1';
}

static int read_behavior(reader *r, const xmlNode *b, int *nn_stocks, int *nn_flows)
{
    const xmlNode *c, *d;
    for(c = b->children; c; c = c->next) {
        if(is(c, "non_negative")) {
            *nn_stocks = *nn_flows = read_nn(r, c);
        }
        else if(is(c, "stock")) {
            for(d = c->children; d; d = d->next)
                if(is(d, "non_negative"))
                    *nn_stocks = read_nn(r, d);
        }
        else if(is(c, "flow")) {
            for(d = c->children; d; d = d->next)
                if(is(d, "non_negative"))
                    *nn_flows = read_nn(r, d);
        }
    }
    return OC_OK;
}

static int read_var(reader *r, ocI_submodel *m, const xmlNode *n, oc_kind kind)
{
    const char *name = attr_of(r, n, "name"), *access = attr_of(r, n, "access");
    const xmlNode *c;
    ocI_var *v;
    int rc;
    if(!name || !name[0])
        return fail(r, OC_EMODEL, n, NULL, "a <%s> has no name attribute", (const char *)n->name);
    v = ocI_add_var(m);
    if(!v)
        return oom(r);
    v->name = name;
    v->kind = kind;
    v->line = line_of(n);
    if(access)
        v->access = strcasecmp(access, "input") == 0 ? OCI_ACCESS_INPUT
                    : strcasecmp(access, "output") == 0 ? OCI_ACCESS_OUTPUT
                                                        : OCI_ACCESS_NONE;
    if(kind == OC_GF) {
        rc = read_gf(r, n, name, &v->gf); /* a named <gf> at the variables level */
        return rc;
    }
    for(c = n->children; c; c = c->next) {
        if(c->type != XML_ELEMENT_NODE)
            continue;
        if(is(c, "eqn")) {
            v->eqn = text_of(r, c);
            v->eqn_line = line_of(c);
            if(!v->eqn)
                return oom(r);
        }
        else if(is(c, "inflow") || is(c, "outflow")) {
            const char *f = text_of(r, c);
            if(!f)
                return oom(r);
            if(is(c, "inflow"))
                rc = ocI_push_str(&r->doc->arena, &v->inflows, &v->n_in, f);
            else
                rc = ocI_push_str(&r->doc->arena, &v->outflows, &v->n_out, f);
            if(rc)
                return oom(r);
        }
        else if(is(c, "non_negative"))
            v->non_negative = read_nn(r, c);
        else if(is(c, "units")) {
            v->units = text_of(r, c);
            if(!v->units)
                return oom(r);
        }
        else if(is(c, "doc")) {
            v->doc = text_of(r, c);
            if(!v->doc)
                return oom(r);
        }
        else if(is(c, "gf")) {
            rc = read_gf(r, c, name, &v->gf);
            if(rc)
                return rc;
        }
        else if(is(c, "range")) {
            const char *mn = attr_of(r, c, "min"), *mx = attr_of(r, c, "max");
            if(mn && mx) {
                rc = number_of(r, c, mn, "range min", &v->range_min);
                if(!rc)
                    rc = number_of(r, c, mx, "range max", &v->range_max);
                if(rc)
                    return rc;
                if(!(v->range_min <= v->range_max))
                    return fail(r, OC_EMODEL, c, name, "range min %g is above max %g",
                                v->range_min, v->range_max);
                v->has_range = 1;
            }
        }
        else if(is(c, "dimensions") || is(c, "element"))
            return fail(r, OC_EUNSUPPORTED, c, name, "arrays (subscripts) are not supported yet");
        else if(is(c, "conveyor"))
            return fail(r, OC_EUNSUPPORTED, c, name, "conveyors are not supported yet");
        else if(is(c, "queue"))
            return fail(r, OC_EUNSUPPORTED, c, name, "queues are not supported yet");
    }
    return OC_OK;
}

static int read_module(reader *r, ocI_submodel *m, const xmlNode *n)
{
    const char *name = attr_of(r, n, "name");
    const xmlNode *c;
    ocI_var *v;
    if(!name || !name[0])
        return fail(r, OC_EMODEL, n, NULL, "a <module> has no name attribute");
    if(attr_of(r, n, "resource"))
        return fail(r, OC_EUNSUPPORTED, n, name,
                    "modules in other files (resource=) are not supported: overcap reads one file");
    v = ocI_add_var(m);
    if(!v)
        return oom(r);
    v->name = name;
    v->is_module = 1;
    v->kind = OC_AUX;
    v->line = line_of(n);
    for(c = n->children; c; c = c->next) {
        const char *to, *from;
        if(!is(c, "connect"))
            continue; /* connect2 and the like are vendor duplicates */
        to = attr_of(r, c, "to");
        from = attr_of(r, c, "from");
        if(!to || !from)
            return fail(r, OC_EMODEL, c, name, "a <connect> needs both to= and from=");
        {
            size_t k = v->n_connect; /* both lists grow in step */
            if(ocI_push_str(&r->doc->arena, &v->connect_to, &k, to) ||
               ocI_push_str(&r->doc->arena, &v->connect_from, &v->n_connect, from))
                return oom(r);
        }
    }
    return OC_OK;
}

static int read_variables(reader *r, ocI_submodel *m, const xmlNode *vars)
{
    const xmlNode *c;
    int rc = OC_OK;
    for(c = vars->children; c && !rc; c = c->next) {
        if(c->type != XML_ELEMENT_NODE)
            continue;
        if(is(c, "stock"))
            rc = read_var(r, m, c, OC_STOCK);
        else if(is(c, "flow"))
            rc = read_var(r, m, c, OC_FLOW);
        else if(is(c, "aux"))
            rc = read_var(r, m, c, OC_AUX);
        else if(is(c, "gf"))
            rc = read_var(r, m, c, OC_GF);
        else if(is(c, "module"))
            rc = read_module(r, m, c);
        else if(is(c, "group"))
            rc = read_variables(r, m, c); /* groups only organise the diagram */
    }
    return rc;
}

static int read_model(reader *r, const xmlNode *n, ocI_submodel *m)
{
    const xmlNode *c;
    int rc;
    for(c = n->children; c; c = c->next) {
        if(is(c, "variables")) {
            rc = read_variables(r, m, c);
            if(rc)
                return rc;
        }
        else if(is(c, "behavior")) {
            rc = read_behavior(r, c, &m->nn_stocks, &m->nn_flows);
            if(rc)
                return rc;
        }
    }
    return OC_OK;
}

static int read_macro(reader *r, const xmlNode *n)
{
    ocI_macro *mc = ocI_add_macro(r->doc);
    const xmlNode *c;
    int rc;
    if(!mc)
        return oom(r);
    mc->name = attr_of(r, n, "name");
    mc->line = line_of(n);
    if(!mc->name || !mc->name[0])
        return fail(r, OC_EMODEL, n, NULL, "a <macro> has no name attribute");
    for(c = n->children; c; c = c->next) {
        if(is(c, "parm")) {
            const char *p = text_of(r, c), *def = attr_of(r, c, "default");
            size_t k = mc->n_parms;
            if(!p)
                return oom(r);
            if(ocI_push_str(&r->doc->arena, &mc->parms, &mc->n_parms, p))
                return oom(r);
            if(ocI_push_str(&r->doc->arena, &mc->parm_defaults, &k, def))
                return oom(r);
        }
        else if(is(c, "eqn")) {
            mc->eqn = text_of(r, c);
            mc->eqn_line = line_of(c);
            if(!mc->eqn)
                return oom(r);
        }
        else if(is(c, "variables")) {
            rc = read_variables(r, &mc->body, c);
            if(rc)
                return rc;
        }
        else if(is(c, "sim_specs"))
            return fail(r, OC_EUNSUPPORTED, c, mc->name,
                        "macros with their own sim_specs are not supported");
    }
    return OC_OK;
}

static int read_specs(reader *r, const xmlNode *n)
{
    ocI_doc *d = r->doc;
    const xmlNode *c;
    const char *method = attr_of(r, n, "method"), *units = attr_of(r, n, "time_units");
    const char *interval = attr_of(r, n, "save_interval");
    int rc;
    if(units)
        d->time_units = units;
    if(method) {
        /* a list such as "gear, rk4": the first method overcap has */
        char buf[128];
        char *tok, *save = NULL;
        int found = 0;
        snprintf(buf, sizeof(buf), "%s", method);
        for(tok = strtok_r(buf, ", ", &save); tok && !found; tok = strtok_r(NULL, ", ", &save)) {
            if(strcasecmp(tok, "euler") == 0) {
                d->specs.method = OC_EULER;
                found = 1;
            }
            else if(strcasecmp(tok, "rk4") == 0 || strcasecmp(tok, "rk2") == 0) {
                d->specs.method = OC_RK4; /* XMILE: rk2 falls back to rk4 */
                found = 1;
            }
        }
        if(!found)
            return fail(r, OC_EUNSUPPORTED, n, NULL,
                        "integration method '%s' is not supported (euler or rk4)", method);
    }
    if(interval) {
        rc = number_of(r, n, interval, "sim_specs save_interval", &d->specs.save_step);
        if(rc)
            return rc;
    }
    for(c = n->children; c; c = c->next) {
        const char *t;
        if(c->type != XML_ELEMENT_NODE)
            continue;
        t = text_of(r, c);
        if(!t)
            return oom(r);
        if(is(c, "start")) {
            rc = number_of(r, c, t, "sim_specs <start>", &d->specs.start);
            d->has_start = 1;
        }
        else if(is(c, "stop")) {
            rc = number_of(r, c, t, "sim_specs <stop>", &d->specs.stop);
            d->has_stop = 1;
        }
        else if(is(c, "dt")) {
            const char *recip = attr_of(r, c, "reciprocal");
            rc = number_of(r, c, t, "sim_specs <dt>", &d->specs.dt);
            if(!rc && recip && strcasecmp(recip, "true") == 0) {
                if(!(d->specs.dt > 0.0))
                    return fail(r, OC_ESPECS, c, NULL, "reciprocal dt must be positive, not %s", t);
                d->specs.dt = 1.0 / d->specs.dt;
            }
        }
        else if(is(c, "savestep") || is(c, "save_step"))
            rc = number_of(r, c, t, "sim_specs save step", &d->specs.save_step);
        else
            rc = OC_OK;
        if(rc)
            return rc;
    }
    return OC_OK;
}

static int read_document(reader *r, const xmlNode *root)
{
    const xmlNode *c, *h;
    int rc;
    if(!is(root, "xmile"))
        return fail(r, OC_EXML, root, NULL, "not an XMILE document: the root element is <%s>",
                    root ? (const char *)root->name : "?");
    for(c = root->children; c; c = c->next) {
        if(c->type != XML_ELEMENT_NODE)
            continue;
        if(is(c, "header")) {
            for(h = c->children; h; h = h->next)
                if(is(h, "name")) {
                    r->doc->name = text_of(r, h);
                    if(!r->doc->name)
                        return oom(r);
                }
        }
        else if(is(c, "sim_specs")) {
            rc = read_specs(r, c);
            if(rc)
                return rc;
        }
        else if(is(c, "behavior")) {
            rc = read_behavior(r, c, &r->doc->nn_stocks, &r->doc->nn_flows);
            if(rc)
                return rc;
        }
        else if(is(c, "model")) {
            const char *name = attr_of(r, c, "name");
            ocI_submodel *m;
            if(attr_of(r, c, "resource"))
                return fail(r, OC_EUNSUPPORTED, c, name,
                            "models in other files (resource=) are not supported");
            m = ocI_add_model(r->doc, name && name[0] ? name : NULL, line_of(c));
            if(!m)
                return oom(r);
            rc = read_model(r, c, m);
            if(rc)
                return rc;
        }
        else if(is(c, "macro")) {
            rc = read_macro(r, c);
            if(rc)
                return rc;
        }
    }
    return OC_OK;
}

int oc_model_load_buffer(const char *data, size_t len, const char *name, oc_model **out,
                         oc_error *err)
{
    reader r;
    ocI_doc doc;
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr xdoc = NULL;
    int rc;
    locale_t c_locale, old_locale = (locale_t)0;

    *out = NULL;
    ocE_clear(err);
    if(!name)
        name = "<buffer>";
    if(len > OC_MAX_FILE_BYTES)
        return ocE_set(err, OC_ELIMIT, name, 0, 0, NULL,
                       "the model is %zu bytes, more than the limit of %zu", len,
                       (size_t)OC_MAX_FILE_BYTES);
    if(len == 0)
        return ocE_set(err, OC_EXML, name, 0, 0, NULL, "the model is empty");
    if(ocI_doc_init(&doc, name))
        return ocE_set(err, OC_ENOMEM, name, 0, 0, NULL, "out of memory");
    r.doc = &doc;
    r.err = err;
    r.file = doc.file;

    /* numbers are read with strtod: make sure '.' is the decimal point */
    c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if(c_locale)
        old_locale = uselocale(c_locale);

    xmlInitParser();
    xmlSetExternalEntityLoader(refuse_entities);
    ctxt = xmlNewParserCtxt();
    if(!ctxt) {
        rc = oom(&r);
        goto done;
    }
    xdoc = xmlCtxtReadMemory(ctxt, data, (int)len, name, NULL,
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                 XML_PARSE_BIG_LINES | XML_PARSE_NOCDATA);
    if(!xdoc || !ctxt->wellFormed) {
        const xmlError *xe = &ctxt->lastError;
        char msg[400];
        size_t ml;
        snprintf(msg, sizeof(msg), "%s", xe->message ? xe->message : "malformed XML");
        ml = strlen(msg);
        while(ml > 0 && (msg[ml - 1] == '\n' || msg[ml - 1] == ' '))
            msg[--ml] = '\0';
        rc = ocE_set(err, OC_EXML, name, xe->line, xe->int2, NULL, "not well-formed XML: %s", msg);
        goto done;
    }
    rc = read_document(&r, xmlDocGetRootElement(xdoc));
    if(rc)
        goto done;
    rc = ocK_compile(&doc, out, err);

done:
    if(xdoc)
        xmlFreeDoc(xdoc);
    if(ctxt)
        xmlFreeParserCtxt(ctxt);
    ocI_doc_free(&doc);
    if(c_locale) {
        uselocale(old_locale);
        freelocale(c_locale);
    }
    return rc;
}

int oc_model_load_file(const char *path, oc_model **out, oc_error *err)
{
    FILE *f;
    struct stat st;
    char *buf = NULL;
    size_t n;
    int rc;

    *out = NULL;
    ocE_clear(err);
    f = fopen(path, "rb");
    if(!f)
        return ocE_set(err, OC_EIO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
    if(fstat(fileno(f), &st) != 0) {
        rc = ocE_set(err, OC_EIO, path, 0, 0, NULL, "cannot read: %s", strerror(errno));
        goto done;
    }
    if(S_ISDIR(st.st_mode)) {
        rc = ocE_set(err, OC_EIO, path, 0, 0, NULL, "is a directory, not a model file");
        goto done;
    }
    if(st.st_size < 0 || (unsigned long long)st.st_size > OC_MAX_FILE_BYTES) {
        rc = ocE_set(err, OC_ELIMIT, path, 0, 0, NULL,
                     "the file is %lld bytes, more than the limit of %zu",
                     (long long)st.st_size, (size_t)OC_MAX_FILE_BYTES);
        goto done;
    }
    buf = ocM_alloc((size_t)st.st_size + 1);
    if(!buf) {
        rc = ocE_set(err, OC_ENOMEM, path, 0, 0, NULL, "out of memory reading the file");
        goto done;
    }
    n = fread(buf, 1, (size_t)st.st_size + 1, f);
    if(ferror(f)) {
        rc = ocE_set(err, OC_EIO, path, 0, 0, NULL, "read error: %s", strerror(errno));
        goto done;
    }
    if(n > (size_t)st.st_size) {
        rc = ocE_set(err, OC_EIO, path, 0, 0, NULL, "the file grew while it was read");
        goto done;
    }
    rc = oc_model_load_buffer(buf, n, path, out, err);
done:
    ocM_free(buf);
    fclose(f);
    return rc;
}
