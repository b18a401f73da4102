/*
 * readfile.h - a whole file into memory, for the test programs.
 */
#ifndef OC_TEST_READFILE_H
#define OC_TEST_READFILE_H

#include <stdio.h>
#include <stdlib.h>

/* The file's bytes with a NUL after them, and their count in *len; NULL if
 * it cannot be read. */
static inline char *t_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    *len = 0;
    if(!f)
        return NULL;
    if(fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if(buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            buf[n] = '\0';
            *len = (size_t)n;
        }
        else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

#endif
