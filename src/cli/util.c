/* util.c: error printing, strict option values and number formatting. */
#include <errno.h>
#include <signal.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
#ifdef LRFA_MPI
    /* out of memory or a write error may be this process's alone */
    if (err->status == LRFA_ENOMEM || err->status == LRFA_EIO) cli_mpi_abort(err->message);
#endif
    cli_error("%s", err->message);
    return err->status == LRFA_ENUMERIC ? EXIT_NUMERIC : EXIT_INPUT;
}

int cli_read_matrix(const char *path, lrfa_matrix **Y, lrfa_mm_header *hdr)
{
    lrfa_error err = {0};
    lrfa_mm_header h;
#ifdef LRFA_MPI
    (void)err;
    if (cli_mpi_read(path, 0, Y, &h) != EXIT_OK) return EXIT_INPUT;
    if (hdr) *hdr = h;
    return EXIT_OK;
#endif
    if (lrfa_mm_read_path(path, Y, &h, &err) != LRFA_OK) return cli_lib_error(&err);
    if (h.values_ignored > 0)
        cli_error("%s:%lld: notice: a pattern file with a value column (on %lld of its %lld entries): the values are "
                  "ignored, every stored entry is 1",
                  cli_display_name(path), (long long)h.values_ignored_line, (long long)h.values_ignored,
                  (long long)h.entries);
    if (hdr) *hdr = h;
    return EXIT_OK;
}

int cli_bad_option(const char *cmd, int c, const char *arg)
{
    (void)c;
    cli_error("%s: unknown option, or missing value, in '%s' (see 'lrfa %s --help')", cmd, arg ? arg : "?", cmd);
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
    {
        const char *p = s;
        while (*p >= '0' && *p <= '9') p++;
        if (*p || p == s) {
            cli_error("%s: expected a non-negative integer, got '%s'", opt, s);
            return 0;
        }
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

/* Length of the valid UTF-8 sequence at s, or 0. */
static int utf8_len(const unsigned char *s)
{
    int n, i;
    if (s[0] < 0x80) return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) n = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) n = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4) n = 4;
    else return 0;
    for (i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    if (n == 3 && s[0] == 0xE0 && s[1] < 0xA0) return 0;   /* overlong */
    if (n == 3 && s[0] == 0xED && s[1] >= 0xA0) return 0;  /* surrogate */
    if (n == 4 && s[0] == 0xF0 && s[1] < 0x90) return 0;   /* overlong */
    if (n == 4 && s[0] == 0xF4 && s[1] >= 0x90) return 0;  /* beyond U+10FFFF */
    return n;
}

void json_str(json_writer *w, const char *key, const char *v)
{
    const unsigned char *s = (const unsigned char *)v;
    json_sep(w, key);
    fputc('"', w->fp);
    while (*s) {
        int n;
        if (*s == '"' || *s == '\\') {
            fprintf(w->fp, "\\%c", *s);
            s++;
        } else if (*s < 0x20) {
            fprintf(w->fp, "\\u%04x", *s);
            s++;
        } else if ((n = utf8_len(s)) > 0) {
            fwrite(s, 1, (size_t)n, w->fp);
            s += n;
        } else {
            fputs("\\ufffd", w->fp); /* not UTF-8: the replacement character */
            s++;
        }
    }
    fputc('"', w->fp);
}

void json_uint(json_writer *w, const char *key, uint64_t v)
{
    json_sep(w, key);
    fprintf(w->fp, "%llu", (unsigned long long)v);
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
#ifdef LRFA_MPI
    {
        /* the signal the processes agree on, so every one reports it */
        int sig = cli_mpi_interrupted((int)got_signal);
        if (sig) got_signal = sig;
        return sig != 0;
    }
#else
    return got_signal != 0;
#endif
}

int cli_signal_status(void)
{
    return got_signal ? 128 + (int)got_signal : 0;
}

const char *cli_signal_name(void)
{
    return got_signal == SIGINT ? "SIGINT" : got_signal == SIGTERM ? "SIGTERM" : "a signal";
}

int cli_stop_progress(const lrfa_progress *p, void *data)
{
    if (data) report_progress(p, data);
    return interrupted_flag();
}

/* ---- outputs never overwrite the input ---- */

int cli_layer_files_clobber(const char *cmd, const char *input, const char *prefix)
{
    int l;
    for (l = 1; l <= LRFA_MAX_LAYERS; l++) {
        char w[16], b[16];
        snprintf(w, sizeof w, "_W%d.mtx", l);
        snprintf(b, sizeof b, "_B%d.mtx", l);
        if (cli_output_clobbers(cmd, input, prefix, w) || cli_output_clobbers(cmd, input, prefix, b)) return 1;
    }
    return 0;
}

int cli_output_clobbers(const char *cmd, const char *input, const char *output, const char *suffix)
{
    struct stat si, so;
    char path[4096];
    if (!input || !output || !strcmp(input, "-") || !strcmp(output, "-")) return 0;
    if ((size_t)snprintf(path, sizeof path, "%s%s", output, suffix ? suffix : "") >= sizeof path) return 0;
    if (stat(input, &si) != 0 || stat(path, &so) != 0) return 0;
    if (si.st_dev != so.st_dev || si.st_ino != so.st_ino) return 0;
    cli_error("%s: the output %s is the input file %s; refusing to overwrite it", cmd, path, input);
    return 1;
}
