/* status.c: status names and the error filler. */
#include <stdarg.h>
#include <stdio.h>
#include "internal.h"

const char *lrfa_status_name(lrfa_status status)
{
    switch (status) {
    case LRFA_OK: return "ok";
    case LRFA_EINPUT: return "bad input";
    case LRFA_ENOMEM: return "out of memory";
    case LRFA_EIO: return "input/output error";
    case LRFA_ENUMERIC: return "numerical failure";
    case LRFA_ERANGE: return "size out of range";
    case LRFA_EINTERRUPT: return "interrupted";
    case LRFA_EDIVERGED: return "diverged";
    }
    return "unknown status";
}

lrfa_status lrfa_fail(lrfa_error *err, lrfa_status status, long long line,
                      const char *fmt, ...)
{
    va_list ap;
    if (!err) return status;
    err->status = status;
    err->line = line;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}
