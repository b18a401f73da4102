/*
 * error.c - error records and status names.
 *
 * An oc_error is caller-owned and fixed-size, so filling one never
 * allocates: errors can be reported even when memory has run out.
 */
#include <stdio.h>
#include <string.h>

#include "oc_int.h"

const char *oc_status_name(int code)
{
    switch(code) {
    case OC_OK: return "OC_OK";
    case OC_ENOMEM: return "OC_ENOMEM";
    case OC_EIO: return "OC_EIO";
    case OC_EXML: return "OC_EXML";
    case OC_ESYNTAX: return "OC_ESYNTAX";
    case OC_EUNKNOWN: return "OC_EUNKNOWN";
    case OC_EFUNC: return "OC_EFUNC";
    case OC_EARITY: return "OC_EARITY";
    case OC_ECYCLE: return "OC_ECYCLE";
    case OC_ESPECS: return "OC_ESPECS";
    case OC_EMODEL: return "OC_EMODEL";
    case OC_ENUMERIC: return "OC_ENUMERIC";
    case OC_ELIMIT: return "OC_ELIMIT";
    case OC_EARG: return "OC_EARG";
    case OC_EUNSUPPORTED: return "OC_EUNSUPPORTED";
    default: return "OC_E?";
    }
}

static void copy_field(char *dst, size_t size, const char *src)
{
    size_t n;
    if(!src) {
        dst[0] = '\0';
        return;
    }
    n = strlen(src);
    if(n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void ocE_clear(oc_error *err)
{
    if(!err)
        return;
    memset(err, 0, sizeof(*err));
}

int ocE_vset(oc_error *err, int code, const char *file, int line, int column, const char *var,
             const char *fmt, va_list ap)
{
    if(!err)
        return code;
    err->code = code;
    err->line = line;
    err->column = column;
    err->time = 0.0;
    copy_field(err->file, sizeof(err->file), file);
    copy_field(err->variable, sizeof(err->variable), var);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    return code;
}

int ocE_set(oc_error *err, int code, const char *file, int line, int column, const char *var,
            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    code = ocE_vset(err, code, file, line, column, var, fmt, ap);
    va_end(ap);
    return code;
}

size_t oc_error_format(const oc_error *err, char *buf, size_t size)
{
    char where[640] = "";
    int n;
    if(err->file[0]) {
        if(err->line > 0 && err->column > 0)
            snprintf(where, sizeof(where), "%s:%d:%d: ", err->file, err->line, err->column);
        else if(err->line > 0)
            snprintf(where, sizeof(where), "%s:%d: ", err->file, err->line);
        else
            snprintf(where, sizeof(where), "%s: ", err->file);
    }
    if(err->variable[0])
        n = snprintf(buf, size, "%svariable '%s': %s", where, err->variable, err->message);
    else
        n = snprintf(buf, size, "%s%s", where, err->message);
    return n < 0 ? 0 : (size_t)n;
}
