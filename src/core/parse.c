/*
 * parse.c - the equation parser: tokens -> syntax tree.
 *
 * Recursive descent over the XMILE precedence table (highest first):
 *   ^ (right-associative)  >  unary + - NOT  >  * / MOD  >  + -
 *   >  < <= > >=  >  = <>  >  AND  >  OR
 * so -2^2 is -4 and 2^-3^2 is 2^(-(3^2)). IF c THEN a ELSE b is a primary
 * whose ELSE branch extends as far as an expression can. Nesting is capped
 * at OCY_MAX_DEPTH so hostile input cannot exhaust the stack. Nodes live in
 * the caller's arena; nothing is freed on error (the arena is).
 */
#include <string.h>
#include <strings.h>

#include "oc_int.h"

typedef struct parser {
    ocX_lexer lx;
    ocX_token tok;
    ocM_arena *arena;
    const char *src;
    int depth;
    int code; /* first error */
    uint32_t err_pos;
    const char *err_msg;
} parser;

static ocY_node *parse_expr(parser *p);
static ocY_node *parse_unary(parser *p);

static void advance(parser *p)
{
    p->tok = ocX_next(&p->lx);
    if(p->tok.type == OCX_ERROR && !p->code) {
        p->code = OC_ESYNTAX;
        p->err_pos = p->tok.pos;
        p->err_msg = p->lx.error;
    }
}

static ocY_node *error_at(parser *p, uint32_t pos, int code, const char *msg)
{
    if(!p->code) {
        p->code = code;
        p->err_pos = pos;
        p->err_msg = msg;
    }
    return NULL;
}

static int is_word(const parser *p, const char *word)
{
    size_t n = strlen(word);
    return p->tok.type == OCX_NAME && p->tok.len == n &&
           strncasecmp(p->src + p->tok.pos, word, n) == 0;
}

static int is_keyword(const parser *p)
{
    return is_word(p, "if") || is_word(p, "then") || is_word(p, "else") || is_word(p, "and") ||
           is_word(p, "or") || is_word(p, "not") || is_word(p, "mod");
}

ocY_node *ocY_new(ocM_arena *a, ocY_kind kind, uint32_t pos)
{
    ocY_node *n = ocM_arena_alloc(a, sizeof(*n));
    if(!n)
        return NULL;
    n->kind = (uint8_t)kind;
    n->pos = pos;
    n->id = -1;
    return n;
}

ocY_node *ocY_num(ocM_arena *a, double v)
{
    ocY_node *n = ocY_new(a, OCY_NUM, 0);
    if(n)
        n->num = v;
    return n;
}

ocY_node *ocY_ref(ocM_arena *a, int32_t id)
{
    ocY_node *n = ocY_new(a, OCY_REF, 0);
    if(n)
        n->id = id;
    return n;
}

ocY_node *ocY_bin(ocM_arena *a, ocY_op op, ocY_node *l, ocY_node *r)
{
    ocY_node *n;
    if(!l || !r)
        return NULL;
    n = ocY_new(a, OCY_BIN, l->pos);
    if(!n)
        return NULL;
    n->op = (uint8_t)op;
    n->nargs = 2;
    n->args = ocM_arena_alloc(a, 2 * sizeof(*n->args));
    if(!n->args)
        return NULL;
    n->args[0] = l;
    n->args[1] = r;
    return n;
}

static ocY_node *oom(parser *p)
{
    return error_at(p, p->tok.pos, OC_ENOMEM, "out of memory");
}

static ocY_node *binary(parser *p, ocY_op op, ocY_node *l, ocY_node *r, uint32_t pos)
{
    ocY_node *n;
    if(!l || !r)
        return NULL;
    n = ocY_bin(p->arena, op, l, r);
    if(!n)
        return oom(p);
    n->pos = pos;
    return n;
}

/* name ( args ) or name */
static ocY_node *parse_name(parser *p)
{
    ocX_token t = p->tok;
    ocY_node *n;
    const char *raw = p->src + t.pos;
    size_t rawlen = t.len;
    advance(p);
    if(p->tok.type == OCX_LBRACK)
        return error_at(p, p->tok.pos, OC_EUNSUPPORTED,
                        "arrays (subscripts in [ ]) are not supported yet");
    n = ocY_new(p->arena, OCY_NAME, t.pos);
    if(!n)
        return oom(p);
    n->raw = ocM_arena_strndup(p->arena, raw, rawlen);
    n->name = ocN_canon(p->arena, raw, rawlen);
    if(!n->raw || !n->name)
        return oom(p);
    if(p->tok.type != OCX_LPAREN)
        return n;
    /* a call */
    n->kind = OCY_CALL;
    advance(p);
    if(p->tok.type == OCX_RPAREN) {
        advance(p);
        return n;
    }
    {
        ocY_node *stackargs[16];
        ocY_node **args = stackargs;
        size_t nargs = 0, cap = 16;
        for(;;) {
            ocY_node *arg = parse_expr(p);
            if(!arg)
                return NULL;
            if(nargs == cap) {
                ocY_node **bigger;
                if(cap >= OCY_MAX_ARGS)
                    return error_at(p, p->tok.pos, OC_ELIMIT, "too many arguments in a call");
                bigger = ocM_arena_alloc(p->arena, cap * 2 * sizeof(*bigger));
                if(!bigger)
                    return oom(p);
                memcpy(bigger, args, nargs * sizeof(*bigger));
                args = bigger;
                cap *= 2;
            }
            args[nargs++] = arg;
            if(p->tok.type == OCX_COMMA) {
                advance(p);
                continue;
            }
            if(p->tok.type == OCX_RPAREN) {
                advance(p);
                break;
            }
            return error_at(p, p->tok.pos, OC_ESYNTAX, "expected ',' or ')' in the argument list");
        }
        n->args = ocM_arena_alloc(p->arena, nargs * sizeof(*n->args));
        if(!n->args)
            return oom(p);
        memcpy(n->args, args, nargs * sizeof(*n->args));
        n->nargs = (uint16_t)nargs;
    }
    return n;
}

static ocY_node *parse_primary(parser *p)
{
    ocX_token t = p->tok;
    ocY_node *n;
    switch(t.type) {
    case OCX_NUM:
        n = ocY_new(p->arena, OCY_NUM, t.pos);
        if(!n)
            return oom(p);
        n->num = t.num;
        advance(p);
        return n;
    case OCX_LPAREN:
        advance(p);
        n = parse_expr(p);
        if(!n)
            return NULL;
        if(p->tok.type != OCX_RPAREN)
            return error_at(p, p->tok.pos, OC_ESYNTAX, "expected ')'");
        advance(p);
        return n;
    case OCX_QNAME:
        return parse_name(p);
    case OCX_NAME:
        if(is_word(p, "if")) {
            ocY_node *c, *a, *b;
            advance(p);
            c = parse_expr(p);
            if(!c)
                return NULL;
            if(!is_word(p, "then"))
                return error_at(p, p->tok.pos, OC_ESYNTAX, "expected THEN after the IF condition");
            advance(p);
            a = parse_expr(p);
            if(!a)
                return NULL;
            if(!is_word(p, "else"))
                return error_at(p, p->tok.pos, OC_ESYNTAX, "expected ELSE (IF THEN needs an ELSE)");
            advance(p);
            b = parse_expr(p);
            if(!b)
                return NULL;
            n = ocY_new(p->arena, OCY_IF, t.pos);
            if(!n)
                return oom(p);
            n->args = ocM_arena_alloc(p->arena, 3 * sizeof(*n->args));
            if(!n->args)
                return oom(p);
            n->args[0] = c;
            n->args[1] = a;
            n->args[2] = b;
            n->nargs = 3;
            return n;
        }
        if(is_word(p, "mod"))
            return parse_name(p); /* MOD(a, b), or a variable named mod */
        if(is_keyword(p))
            return error_at(p, t.pos, OC_ESYNTAX, "a keyword where a value was expected");
        return parse_name(p);
    case OCX_END:
        return error_at(p, t.pos, OC_ESYNTAX, "the equation ends where a value was expected");
    case OCX_ERROR:
        return NULL;
    default:
        return error_at(p, t.pos, OC_ESYNTAX, "unexpected symbol where a value was expected");
    }
}

/* power := primary [ '^' unary ]   (right-associative through unary) */
static ocY_node *parse_power(parser *p)
{
    ocY_node *l = parse_primary(p);
    if(!l)
        return NULL;
    if(p->tok.type == OCX_CARET) {
        uint32_t pos = p->tok.pos;
        advance(p);
        return binary(p, OCY_POW, l, parse_unary(p), pos);
    }
    return l;
}

static ocY_node *parse_unary(parser *p)
{
    ocY_node *n, *arg;
    uint32_t pos = p->tok.pos;
    ocY_kind kind;
    if(++p->depth > OCY_MAX_DEPTH)
        return error_at(p, pos, OC_ELIMIT, "expression is nested too deeply");
    if(p->tok.type == OCX_PLUS) {
        advance(p);
        n = parse_unary(p);
        p->depth--;
        return n;
    }
    if(p->tok.type == OCX_MINUS)
        kind = OCY_NEG;
    else if(is_word(p, "not"))
        kind = OCY_NOT;
    else {
        n = parse_power(p);
        p->depth--;
        return n;
    }
    advance(p);
    arg = parse_unary(p);
    if(!arg)
        return NULL;
    if(kind == OCY_NEG && arg->kind == OCY_NUM) {
        arg->num = -arg->num; /* fold -literal */
        arg->pos = pos;
        p->depth--;
        return arg;
    }
    n = ocY_new(p->arena, kind, pos);
    if(!n)
        return oom(p);
    n->args = ocM_arena_alloc(p->arena, sizeof(*n->args));
    if(!n->args)
        return oom(p);
    n->args[0] = arg;
    n->nargs = 1;
    p->depth--;
    return n;
}

static ocY_node *parse_mul(parser *p)
{
    ocY_node *l = parse_unary(p);
    while(l) {
        ocY_op op;
        uint32_t pos = p->tok.pos;
        if(p->tok.type == OCX_STAR)
            op = OCY_MUL;
        else if(p->tok.type == OCX_SLASH)
            op = OCY_DIV;
        else if(is_word(p, "mod"))
            op = OCY_MOD;
        else
            break;
        advance(p);
        l = binary(p, op, l, parse_unary(p), pos);
    }
    return l;
}

static ocY_node *parse_add(parser *p)
{
    ocY_node *l = parse_mul(p);
    while(l && (p->tok.type == OCX_PLUS || p->tok.type == OCX_MINUS)) {
        ocY_op op = p->tok.type == OCX_PLUS ? OCY_ADD : OCY_SUB;
        uint32_t pos = p->tok.pos;
        advance(p);
        l = binary(p, op, l, parse_mul(p), pos);
    }
    return l;
}

static ocY_node *parse_rel(parser *p)
{
    ocY_node *l = parse_add(p);
    while(l) {
        ocY_op op;
        uint32_t pos = p->tok.pos;
        switch(p->tok.type) {
        case OCX_LT: op = OCY_LT; break;
        case OCX_LE: op = OCY_LE; break;
        case OCX_GT: op = OCY_GT; break;
        case OCX_GE: op = OCY_GE; break;
        default: return l;
        }
        advance(p);
        l = binary(p, op, l, parse_add(p), pos);
    }
    return l;
}

static ocY_node *parse_eq(parser *p)
{
    ocY_node *l = parse_rel(p);
    while(l && (p->tok.type == OCX_EQ || p->tok.type == OCX_NE)) {
        ocY_op op = p->tok.type == OCX_EQ ? OCY_EQ : OCY_NE;
        uint32_t pos = p->tok.pos;
        advance(p);
        l = binary(p, op, l, parse_rel(p), pos);
    }
    return l;
}

static ocY_node *parse_and(parser *p)
{
    ocY_node *l = parse_eq(p);
    while(l && is_word(p, "and")) {
        uint32_t pos = p->tok.pos;
        advance(p);
        l = binary(p, OCY_AND, l, parse_eq(p), pos);
    }
    return l;
}

static ocY_node *parse_expr(parser *p)
{
    ocY_node *l;
    if(++p->depth > OCY_MAX_DEPTH)
        return error_at(p, p->tok.pos, OC_ELIMIT, "expression is nested too deeply");
    l = parse_and(p);
    while(l && is_word(p, "or")) {
        uint32_t pos = p->tok.pos;
        advance(p);
        l = binary(p, OCY_OR, l, parse_and(p), pos);
    }
    p->depth--;
    return l;
}

int ocY_parse(ocM_arena *a, const char *src, size_t len, ocY_node **out, uint32_t *err_pos,
              const char **err_msg)
{
    parser p;
    ocY_node *n;
    memset(&p, 0, sizeof(p));
    p.arena = a;
    p.src = src;
    *out = NULL;
    ocX_init(&p.lx, src, len);
    advance(&p);
    if(p.tok.type == OCX_END) {
        *out = NULL; /* empty: only blanks and comments */
        return OC_OK;
    }
    n = parse_expr(&p);
    if(n && p.tok.type != OCX_END && !p.code) {
        if(p.tok.type == OCX_RPAREN)
            error_at(&p, p.tok.pos, OC_ESYNTAX, "unbalanced ')'");
        else
            error_at(&p, p.tok.pos, OC_ESYNTAX, "unexpected text after the end of the expression");
    }
    if(p.code) {
        *err_pos = p.err_pos;
        *err_msg = p.err_msg ? p.err_msg : "syntax error";
        return p.code;
    }
    *out = n;
    return OC_OK;
}
