/*
 * mem.c - every allocation of the engine goes through here.
 *
 * One process-wide hook (oc_set_allocator) lets tests fail the Nth
 * allocation, so the loader's error paths are exercised the way SQLite does
 * it. Arenas hold the many small, same-lifetime objects of a model (syntax
 * trees, names, tables) and are freed in one call.
 */
#include <stdlib.h>
#include <string.h>

#include "oc_int.h"

static oc_realloc_fn hook_fn = NULL;
static void *hook_ud = NULL;

void oc_set_allocator(oc_realloc_fn fn, void *ud)
{
    hook_fn = fn;
    hook_ud = ud;
}

void *ocM_realloc(void *ptr, size_t size)
{
    if(hook_fn)
        return hook_fn(hook_ud, ptr, size);
    if(size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

void *ocM_alloc(size_t size)
{
    if(size == 0)
        return NULL;
    return ocM_realloc(NULL, size);
}

void *ocM_calloc(size_t n, size_t size)
{
    void *p;
    if(n == 0 || size == 0)
        return NULL;
    if(n > SIZE_MAX / size)
        return NULL;
    p = ocM_alloc(n * size);
    if(p)
        memset(p, 0, n * size);
    return p;
}

void ocM_free(void *ptr)
{
    if(ptr)
        (void)ocM_realloc(ptr, 0);
}

char *ocM_strndup(const char *s, size_t n)
{
    char *p = ocM_alloc(n + 1);
    if(!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ocM_strdup(const char *s)
{
    return ocM_strndup(s, strlen(s));
}

int ocM_grow(void **items, size_t *cap, size_t need, size_t elem)
{
    size_t ncap;
    void *p;
    if(need <= *cap)
        return OC_OK;
    ncap = *cap ? *cap : 8;
    while(ncap < need) {
        if(ncap > SIZE_MAX / 2)
            return OC_ENOMEM;
        ncap *= 2;
    }
    if(ncap > SIZE_MAX / elem)
        return OC_ENOMEM;
    p = ocM_realloc(*items, ncap * elem);
    if(!p)
        return OC_ENOMEM;
    *items = p;
    *cap = ncap;
    return OC_OK;
}

/* Arena blocks: a header followed by the data. Big requests get a block of
 * their own so a huge string does not waste a standard block. */
#define ARENA_BLOCK 65536

struct ocM_block {
    struct ocM_block *next;
    size_t size;
    size_t used;
    /* data follows, 16-byte aligned */
};

#define BLOCK_HDR ((sizeof(struct ocM_block) + 15) & ~(size_t)15)

void ocM_arena_init(ocM_arena *a)
{
    a->head = NULL;
    a->used_total = 0;
}

void *ocM_arena_alloc(ocM_arena *a, size_t size)
{
    struct ocM_block *b = a->head;
    unsigned char *p;
    size = (size + 15) & ~(size_t)15;
    if(size == 0)
        size = 16;
    if(!b || b->size - b->used < size) {
        size_t bsize = size > ARENA_BLOCK / 4 ? size : ARENA_BLOCK;
        if(bsize > SIZE_MAX - BLOCK_HDR)
            return NULL;
        b = ocM_alloc(BLOCK_HDR + bsize);
        if(!b)
            return NULL;
        b->size = bsize;
        b->used = 0;
        if(size > ARENA_BLOCK / 4 && a->head) {
            /* keep filling the current block: put the big one behind it */
            b->next = a->head->next;
            a->head->next = b;
        }
        else {
            b->next = a->head;
            a->head = b;
        }
    }
    p = (unsigned char *)b + BLOCK_HDR + b->used;
    b->used += size;
    a->used_total += size;
    memset(p, 0, size);
    return p;
}

char *ocM_arena_strndup(ocM_arena *a, const char *s, size_t n)
{
    char *p = ocM_arena_alloc(a, n + 1);
    if(!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ocM_arena_strdup(ocM_arena *a, const char *s)
{
    return ocM_arena_strndup(a, s, strlen(s));
}

void ocM_arena_free(ocM_arena *a)
{
    struct ocM_block *b = a->head;
    while(b) {
        struct ocM_block *next = b->next;
        ocM_free(b);
        b = next;
    }
    a->head = NULL;
    a->used_total = 0;
}
