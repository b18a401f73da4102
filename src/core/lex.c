/*
 * lex.c - the equation lexer.
 *
 * Turns equation text into tokens: numbers, names (bare or "quoted"),
 * operators and punctuation. Comments in braces { ... } are skipped, as
 * XMILE allows anywhere. Keywords (IF, THEN, ELSE, AND, OR, NOT, MOD) come
 * out as names; the parser recognises them, since they are case-insensitive.
 * The lexer never allocates: tokens point into the source by offset.
 */
#include <stdlib.h>
#include <string.h>

#include "oc_int.h"

void ocX_init(ocX_lexer *lx, const char *src, size_t len)
{
    lx->src = src;
    lx->len = len;
    lx->pos = 0;
    lx->error = NULL;
}

static int is_name_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}

static int is_name_char(unsigned char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '.';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static ocX_token make(ocX_type t, size_t pos, size_t len)
{
    ocX_token tok;
    tok.type = t;
    tok.pos = (uint32_t)pos;
    tok.len = (uint32_t)len;
    tok.num = 0.0;
    return tok;
}

static ocX_token fail(ocX_lexer *lx, size_t pos, const char *msg)
{
    lx->error = msg;
    return make(OCX_ERROR, pos, 1);
}

/* Numbers: 12  12.5  .5  5.  1e3  1.5E-07. Converted with strtod on a copy
 * so the scan is ours and the rounding is the C library's (exact). */
static ocX_token lex_number(ocX_lexer *lx)
{
    const unsigned char *s = (const unsigned char *)lx->src;
    size_t start = lx->pos, i = lx->pos;
    char buf[80];
    ocX_token tok;
    while(i < lx->len && is_digit(s[i]))
        i++;
    if(i < lx->len && s[i] == '.') {
        i++;
        while(i < lx->len && is_digit(s[i]))
            i++;
    }
    if(i < lx->len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if(j < lx->len && (s[j] == '+' || s[j] == '-'))
            j++;
        if(j < lx->len && is_digit(s[j])) {
            while(j < lx->len && is_digit(s[j]))
                j++;
            i = j;
        }
    }
    if(i < lx->len && is_name_start(s[i]) && s[i] < 0x80)
        return fail(lx, i, "a number runs into a name");
    if(i - start >= sizeof(buf))
        return fail(lx, start, "number literal is too long");
    memcpy(buf, s + start, i - start);
    buf[i - start] = '\0';
    tok = make(OCX_NUM, start, i - start);
    tok.num = strtod(buf, NULL);
    lx->pos = i;
    return tok;
}

ocX_token ocX_next(ocX_lexer *lx)
{
    const unsigned char *s = (const unsigned char *)lx->src;
    for(;;) {
        unsigned char c;
        size_t start;
        while(lx->pos < lx->len && (s[lx->pos] == ' ' || s[lx->pos] == '\t' || s[lx->pos] == '\n' ||
                                     s[lx->pos] == '\r' || s[lx->pos] == '\f' || s[lx->pos] == '\v'))
            lx->pos++;
        /* U+00A0 no-break space between tokens */
        if(lx->pos + 1 < lx->len && s[lx->pos] == 0xC2 && s[lx->pos + 1] == 0xA0) {
            lx->pos += 2;
            continue;
        }
        if(lx->pos >= lx->len)
            return make(OCX_END, lx->len, 0);
        start = lx->pos;
        c = s[start];
        if(c == '{') {
            const char *end = memchr(lx->src + start, '}', lx->len - start);
            if(!end)
                return fail(lx, start, "comment '{' is never closed with '}'");
            lx->pos = (size_t)(end - lx->src) + 1;
            continue;
        }
        if(is_digit(c) || (c == '.' && start + 1 < lx->len && is_digit(s[start + 1])))
            return lex_number(lx);
        if(is_name_start(c)) {
            size_t i = start + 1;
            while(i < lx->len && is_name_char(s[i]))
                i++;
            /* a trailing dot belongs to no name */
            while(i > start + 1 && s[i - 1] == '.')
                i--;
            lx->pos = i;
            return make(OCX_NAME, start, i - start);
        }
        if(c == '"') {
            size_t i = start + 1;
            while(i < lx->len && s[i] != '"') {
                if(s[i] == '\\' && i + 1 < lx->len)
                    i++;
                i++;
            }
            if(i >= lx->len)
                return fail(lx, start, "quoted name is never closed with '\"'");
            lx->pos = i + 1;
            /* a quoted name may be qualified further: "module".var */
            return make(OCX_QNAME, start, i + 1 - start);
        }
        lx->pos++;
        switch(c) {
        case '(': return make(OCX_LPAREN, start, 1);
        case ')': return make(OCX_RPAREN, start, 1);
        case '[': return make(OCX_LBRACK, start, 1);
        case ']': return make(OCX_RBRACK, start, 1);
        case ',': return make(OCX_COMMA, start, 1);
        case '+': return make(OCX_PLUS, start, 1);
        case '-': return make(OCX_MINUS, start, 1);
        case '*': return make(OCX_STAR, start, 1);
        case '/': return make(OCX_SLASH, start, 1);
        case '^': return make(OCX_CARET, start, 1);
        case '<':
            if(lx->pos < lx->len && s[lx->pos] == '=') {
                lx->pos++;
                return make(OCX_LE, start, 2);
            }
            if(lx->pos < lx->len && s[lx->pos] == '>') {
                lx->pos++;
                return make(OCX_NE, start, 2);
            }
            return make(OCX_LT, start, 1);
        case '>':
            if(lx->pos < lx->len && s[lx->pos] == '=') {
                lx->pos++;
                return make(OCX_GE, start, 2);
            }
            return make(OCX_GT, start, 1);
        case '=':
            if(lx->pos < lx->len && s[lx->pos] == '=')
                lx->pos++;
            return make(OCX_EQ, start, lx->pos - start);
        case '!':
            if(lx->pos < lx->len && s[lx->pos] == '=') {
                lx->pos++;
                return make(OCX_NE, start, 2);
            }
            return fail(lx, start, "unexpected character '!' (use NOT or <>)");
        default:
            return fail(lx, start, "unexpected character");
        }
    }
}
