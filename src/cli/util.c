/* util.c: error printing, strict option values and number formatting. */
#include <errno.h>
#include <signal.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("lrfa: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_lib_error(const lrfa_error *err)
{
    cli_error("%s", err->message);
    return err->status == LRFA_ENUMERIC ? EXIT_NUMERIC : EXIT_INPUT;
}

int cli_bad_option(const char *cmd, int c, const char *arg)
{
    if (c) cli_error("%s: option -%c needs a value or is unknown (see 'lrfa %s --help')", cmd, c, cmd);
    else cli_error("%s: unknown option or missing value in '%s' (see 'lrfa %s --help')", cmd, arg ? arg : "?", cmd);
    return EXIT_INPUT;
}

int cli_parse_i64(const char *opt, const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || *end || errno == ERANGE) {
        cli_error("%s: expected an integer, got '%s'", opt, s);
        return 0;
    }
    if (v < lo || v > hi) {
        cli_error("%s: %lld is out of range (expected %lld..%lld)", opt, v, (long long)lo, (long long)hi);
        return 0;
    }
    *out = (int64_t)v;
    return 1;
}

int cli_parse_u64(const char *opt, const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    errno = 0;
    if (*s == '-' || *s == '\0') {
        cli_error("%s: expected a non-negative integer, got '%s'", opt, s);
        return 0;
    }
    v = strtoull(s, &end, 10);
    if (*end || errno == ERANGE) {
        cli_error("%s: expected a non-negative integer below 2^64, got '%s'", opt, s);
        return 0;
    }
    *out = (uint64_t)v;
    return 1;
}

int cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v)) {
        cli_error("%s: expected a finite number, got '%s'", opt, s);
        return 0;
    }
    if (v < lo || v > hi) {
        cli_error("%s: %s is out of range (expected %g..%g)", opt, s, lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

const char *cli_fmt_double(char *buf, double v)
{
    int prec;
    for (prec = 15; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    return buf;
}

/* ---- JSON ---- */

static void json_sep(json_writer *w, const char *key)
{
    if (w->count[w->depth]++) fputc(',', w->fp);
    if (w->depth == 1) fputs("\n  ", w->fp);
    else if (w->count[w->depth] > 1) fputc(' ', w->fp);
    if (key) fprintf(w->fp, "\"%s\": ", key);
}

void json_begin(json_writer *w, FILE *fp)
{
    memset(w, 0, sizeof *w);
    w->fp = fp;
    fputc('{', fp);
    w->depth = 1;
}

void json_end(json_writer *w)
{
    fputs("\n}\n", w->fp);
    w->depth = 0;
}

void json_key_object(json_writer *w, const char *key)
{
    json_sep(w, key);
    fputc('{', w->fp);
    w->count[++w->depth] = 0;
}

void json_key_array(json_writer *w, const char *key)
{
    json_sep(w, key);
    fputc('[', w->fp);
    w->count[++w->depth] = 0;
}

void json_close_object(json_writer *w)
{
    fputc('}', w->fp);
    w->depth--;
}

void json_close_array(json_writer *w)
{
    fputc(']', w->fp);
    w->depth--;
}

void json_num(json_writer *w, const char *key, double v)
{
    char buf[32];
    json_sep(w, key);
    if (!isfinite(v)) fputs("null", w->fp);
    else fputs(cli_fmt_double(buf, v), w->fp);
}

void json_int(json_writer *w, const char *key, int64_t v)
{
    json_sep(w, key);
    fprintf(w->fp, "%lld", (long long)v);
}

void json_str(json_writer *w, const char *key, const char *v)
{
    const unsigned char *s = (const unsigned char *)v;
    json_sep(w, key);
    fputc('"', w->fp);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fprintf(w->fp, "\\%c", *s);
        else if (*s < 0x20) fprintf(w->fp, "\\u%04x", *s);
        else fputc(*s, w->fp);
    }
    fputc('"', w->fp);
}

void json_bool(json_writer *w, const char *key, int v)
{
    json_sep(w, key);
    fputs(v ? "true" : "false", w->fp);
}

void json_null(json_writer *w, const char *key)
{
    json_sep(w, key);
    fputs("null", w->fp);
}

/* ---- interruption ---- */

static volatile sig_atomic_t got_signal = 0;

static void on_signal(int sig)
{
    got_signal = sig;
}

void cli_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int interrupted_flag(void)
{
    return got_signal != 0;
}
