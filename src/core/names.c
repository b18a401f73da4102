/*
 * names.c - canonical identifiers and a string-keyed hash map.
 *
 * XMILE says identifiers are case-insensitive and that space, underscore,
 * newline and non-breaking space are one and the same whitespace, with runs
 * of it counting as one. The canonical form makes that equality a plain
 * strcmp: whitespace runs become one '_', the ends are trimmed, surrounding
 * quotes and escapes are removed, letters are lowered (ASCII and the Latin-1
 * letters, the cases the corpus uses).
 */
#include <string.h>

#include "oc_int.h"

static int is_space_at(const unsigned char *s, size_t i, size_t len, size_t *width)
{
    unsigned char c = s[i];
    if(c == ' ' || c == '_' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        *width = 1;
        return 1;
    }
    if(c == '\\' && i + 1 < len && (s[i + 1] == 'n' || s[i + 1] == 'r' || s[i + 1] == 't')) {
        *width = 2; /* the two characters "\n" written in a name attribute */
        return 1;
    }
    if(c == 0xC2 && i + 1 < len && s[i + 1] == 0xA0) {
        *width = 2; /* U+00A0 no-break space */
        return 1;
    }
    if(c < 0x20) {
        *width = 1; /* other control characters count as a space */
        return 1;
    }
    return 0;
}

char *ocN_canon(ocM_arena *a, const char *name, size_t len)
{
    const unsigned char *s = (const unsigned char *)name;
    char *out;
    size_t i = 0, o = 0, w;
    int pending_space = 0;

    /* trim, then drop one pair of surrounding quotes */
    while(len > 0 && is_space_at(s, len - 1, len, &w) && w == 1)
        len--;
    while(i < len && is_space_at(s, i, len, &w))
        i += w;
    if(len - i >= 2 && s[i] == '"' && s[len - 1] == '"') {
        i++;
        len--;
    }
    out = ocM_arena_alloc(a, len - i + 1);
    if(!out)
        return NULL;
    while(i < len) {
        unsigned char c = s[i];
        if(is_space_at(s, i, len, &w)) {
            pending_space = 1;
            i += w;
            continue;
        }
        if(pending_space && o > 0)
            out[o++] = '_';
        pending_space = 0;
        if(c == '\\' && i + 1 < len) {
            out[o++] = (char)s[i + 1]; /* \\ and \" */
            i += 2;
            continue;
        }
        if(c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        if(c == 0xC3 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9E && s[i + 1] != 0x97) {
            out[o++] = (char)c; /* Latin-1 capitals U+00C0-U+00DE -> small */
            out[o++] = (char)(s[i + 1] + 0x20);
            i += 2;
            continue;
        }
        out[o++] = (char)c;
        i++;
    }
    out[o] = '\0';
    return out;
}

/* FNV-1a: simple, good enough spread for identifiers. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    while(*s) {
        h ^= (unsigned char)*s++;
        h *= 1099511628211ULL;
    }
    return h;
}

void ocN_map_init(ocN_map *m)
{
    m->keys = NULL;
    m->vals = NULL;
    m->cap = 0;
    m->count = 0;
}

static int map_rehash(ocN_map *m, size_t ncap)
{
    const char **keys = ocM_calloc(ncap, sizeof(*keys));
    int *vals = ocM_calloc(ncap, sizeof(*vals));
    size_t i;
    if(!keys || !vals) {
        ocM_free(keys);
        ocM_free(vals);
        return OC_ENOMEM;
    }
    for(i = 0; i < m->cap; i++) {
        if(m->keys[i]) {
            size_t j = (size_t)hash_str(m->keys[i]) & (ncap - 1);
            while(keys[j])
                j = (j + 1) & (ncap - 1);
            keys[j] = m->keys[i];
            vals[j] = m->vals[i];
        }
    }
    ocM_free(m->keys);
    ocM_free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = ncap;
    return OC_OK;
}

int ocN_map_put(ocN_map *m, const char *key, int val)
{
    size_t j;
    if((m->count + 1) * 2 > m->cap) {
        int rc = map_rehash(m, m->cap ? m->cap * 2 : 64);
        if(rc)
            return rc;
    }
    j = (size_t)hash_str(key) & (m->cap - 1);
    while(m->keys[j]) {
        if(strcmp(m->keys[j], key) == 0) {
            m->vals[j] = val;
            return OC_OK;
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->keys[j] = key;
    m->vals[j] = val;
    m->count++;
    return OC_OK;
}

int ocN_map_get(const ocN_map *m, const char *key)
{
    size_t j;
    if(m->cap == 0)
        return -1;
    j = (size_t)hash_str(key) & (m->cap - 1);
    while(m->keys[j]) {
        if(strcmp(m->keys[j], key) == 0)
            return m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    return -1;
}

void ocN_map_free(ocN_map *m)
{
    ocM_free(m->keys);
    ocM_free(m->vals);
    ocN_map_init(m);
}
