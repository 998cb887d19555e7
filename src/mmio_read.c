/* mmio_read.c: the Matrix Market reader.
 *
 * A strict line-oriented parser. The text is read in chunks through a small
 * buffered reader (any line length, CRLF or LF, NUL bytes refused); tokens are
 * separated by runs of spaces and tabs; numbers are parsed in the C locale
 * with end-pointer and range checks. Entries are collected in buffers that
 * grow as entries arrive, so a header that promises more than the file holds
 * costs no more memory than the file itself. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "lrfa/mmio.h"
#include "internal.h"

/* ---- buffered line reader ---- */

typedef struct reader {
    FILE *fp;
    const char *name;  /* for messages */
    char *buf;         /* buffered text; the current line is NUL-terminated in place */
    size_t cap;        /* allocated size of buf */
    size_t start;      /* first unread byte */
    size_t end;        /* one past the last buffered byte */
    int eof;           /* fread reported end of file or error */
    long long lineno;  /* number of the line last returned (1-based) */
    int64_t parts;     /* the readers sharing the file (the memory each needs is its share) */
} reader;

enum { READ_LINE = 1, READ_EOF = 0, READ_ERROR = -1 };

/* Returns the next line (without its '\n') in *line, or READ_EOF. */
static int reader_next(reader *rd, char **line, size_t *len, lrfa_error *err)
{
    for (;;) {
        char *nl = rd->end > rd->start ? memchr(rd->buf + rd->start, '\n', rd->end - rd->start) : NULL;
        if (nl || (rd->eof && rd->end > rd->start)) {
            char *s = rd->buf + rd->start;
            size_t n = nl ? (size_t)(nl - s) : rd->end - rd->start;
            rd->lineno++;
            if (memchr(s, '\0', n))
                return lrfa_fail(err, LRFA_EINPUT, rd->lineno,
                                 "%s:%lld: NUL byte in the text (is this a binary file?)",
                                 rd->name, rd->lineno), READ_ERROR;
            if (nl) {
                *nl = '\0';
                rd->start += n + 1;
            } else {
                /* last line without '\n': there is always room for the terminator */
                s[n] = '\0';
                rd->start = rd->end;
            }
            *line = s;
            *len = n;
            return READ_LINE;
        }
        if (rd->eof) {
            if (ferror(rd->fp))
                return lrfa_fail(err, LRFA_EIO, rd->lineno + 1, "%s:%lld: read error: %s",
                                 rd->name, rd->lineno + 1, strerror(errno)), READ_ERROR;
            return READ_EOF;
        }
        /* move the partial line to the front, grow if full, read more */
        if (rd->start > 0) {
            memmove(rd->buf, rd->buf + rd->start, rd->end - rd->start);
            rd->end -= rd->start;
            rd->start = 0;
        }
        if (rd->cap - rd->end < 2) {
            size_t ncap = rd->cap * 2;
            char *nb = lrfa_realloc_array(rd->buf, (int64_t)ncap, 1);
            if (!nb)
                return lrfa_fail(err, LRFA_ENOMEM, rd->lineno + 1,
                                 "%s:%lld: out of memory for a line of %zu bytes",
                                 rd->name, rd->lineno + 1, rd->end), READ_ERROR;
            rd->buf = nb;
            rd->cap = ncap;
        }
        {
            size_t got = fread(rd->buf + rd->end, 1, rd->cap - rd->end - 1, rd->fp);
            rd->end += got;
            if (got == 0) rd->eof = 1;
        }
    }
}

/* ---- tokens ---- */

#define MAX_TOKENS 8

static int is_blank(char c)
{
    /* ' ' is 32; '\t' '\n' '\v' '\f' '\r' are 9..13, of which '\n' never
     * reaches here (lines are split on it) */
    return c == ' ' || (unsigned char)(c - '\t') <= '\r' - '\t';
}

/* Splits line in place into at most MAX_TOKENS tokens; returns the count
 * (MAX_TOKENS + 1 when there are more). */
static int tokenize(char *s, char **tok)
{
    int n = 0;
    for (;;) {
        while (is_blank(*s)) s++;
        if (!*s) return n;
        if (n == MAX_TOKENS) return MAX_TOKENS + 1;
        tok[n++] = s;
        while (*s && !is_blank(*s)) s++;
        if (*s) *s++ = '\0';
    }
}

/* ---- numbers ---- */


/* A decimal integer: [+-]?[0-9]+, in int64_t range. */
static num_status parse_int64(const char *s, int64_t *out)
{
    int neg = 0;
    uint64_t v = 0;
    unsigned d;
    int n = 0;
    if (*s == '+' || *s == '-') neg = (*s++ == '-');
    if ((unsigned)(*s - '0') >= 10) return NUM_SYNTAX;
    while (*s == '0') s++;
    /* 19 digits cannot overflow 64 bits; a 20th may */
    for (; (d = (unsigned)(*s - '0')) < 10; s++, n++) {
        if (n >= 19 && v > (UINT64_MAX - d) / 10) return NUM_OVERFLOW;
        v = v * 10 + d;
    }
    if (*s) return NUM_SYNTAX;
    if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) return NUM_OVERFLOW;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return NUM_OK;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

/* Exactly representable powers of ten, 10^0 .. 10^22. */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A decimal floating-point number: [+-]? (d+ [. d*] | . d+) ([eE] [+-]? d+)?,
 * or an integer when integer_only. Infinity, NaN and hexadecimal are refused.
 * Correctly rounded: when the significand has at most 15 digits and the
 * power of ten is at most 22 in magnitude, both are exact doubles and one
 * multiplication or division rounds once (Clinger's fast path). Up to 19
 * digits, 128-bit arithmetic decides the rounding for all but a sliver of
 * values (decimal.c); anything else goes to strtod in the C locale.
 * Bit-identical to strtod in every case. */
num_status lrfa_parse_double(const char *s, int integer_only, double *out)
{
    const char *p = s;
    char *end;
    int neg = 0, big_exp = 0, started = 0;
    int64_t digits = 0, sig = 0, frac = 0; /* a line can be longer than INT_MAX */
    unsigned d;
    uint64_t w = 0;
    int64_t e10 = 0, ex = 0;
    double v;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    if ((*p == 'n' || *p == 'N' || *p == 'i' || *p == 'I') &&
        (!strcasecmp(p, "nan") || !strcasecmp(p, "inf") || !strcasecmp(p, "infinity") ||
         (!strncasecmp(p, "nan(", 4) && p[strlen(p) - 1] == ')')))
        return NUM_NONFINITE;
    /* w takes every digit; sig counts those from the first non-zero one, so
     * w is exact while sig <= 19 */
    for (; (d = (unsigned)(*p - '0')) < 10; p++, digits++) {
        w = w * 10 + d;
        started |= d != 0;
        sig += started;
    }
    if (!integer_only) {
        if (*p == '.') {
            const char *f = ++p;
            for (; (d = (unsigned)(*p - '0')) < 10; p++) {
                w = w * 10 + d;
                started |= d != 0;
                sig += started;
            }
            frac = p - f;
            digits += frac;
        }
        if (digits && (*p == 'e' || *p == 'E')) {
            int eneg = 0;
            p++;
            if (*p == '+' || *p == '-') eneg = *p++ == '-';
            if (!(*p >= '0' && *p <= '9')) return NUM_SYNTAX;
            for (; *p >= '0' && *p <= '9'; p++) {
                if (ex < 100000) ex = ex * 10 + (*p - '0');
                else big_exp = 1;
            }
            if (eneg) ex = -ex;
        }
    }
    if (!digits || *p) return NUM_SYNTAX;
    e10 = ex - frac;
    if (!big_exp && sig <= 15) {
        if (w == 0) {
            *out = neg ? -0.0 : 0.0;
            return NUM_OK;
        }
        if (e10 >= -22 && e10 <= 22) {
            v = (double)w; /* exact: w < 10^15 < 2^53 */
            v = e10 >= 0 ? v * pow10_exact[e10] : v / pow10_exact[-e10];
            *out = neg ? -v : v;
            return NUM_OK;
        }
    }
    if (!big_exp && sig <= 19 && lrfa_decimal_to_double(w, e10, &v)) {
        *out = neg ? -v : v;
        return NUM_OK;
    }
    pthread_once(&c_locale_once, make_c_locale);
    errno = 0;
    v = c_locale ? strtod_l(s, &end, c_locale) : strtod(s, &end);
    if (end != p) return NUM_SYNTAX;
    if (errno == ERANGE && isinf(v)) return NUM_OVERFLOW;
    *out = v;
    return NUM_OK;
}

/* ---- the reader proper ---- */

typedef struct entries {
    int64_t n, cap;
    int64_t hint;     /* first capacity: what the header and the file size allow */
    int64_t *i, *j;   /* 0-based indices (coordinate only) */
    double *x;        /* values */
    int lines;        /* symmetric coordinate files: keep ln */
    int64_t *ln;      /* the line of each entry as the file gives it; 0 for
                         the mirrored copy */
} entries;

static void entries_free(entries *e)
{
    lrfa_dealloc(e->i);
    lrfa_dealloc(e->j);
    lrfa_dealloc(e->x);
    lrfa_dealloc(e->ln);
}

/* Makes room for `more` entries, doubling; bounded by the memory check done
 * on the header, so growth is only ever driven by entries really present. */
static int entries_reserve(entries *e, int64_t more, int with_index)
{
    int64_t need = e->n + more, ncap;
    if (need <= e->cap) return 1;
    ncap = e->cap ? e->cap : (e->hint > 4096 ? e->hint : 4096);
    while (ncap < need) ncap *= 2;
    if (with_index) {
        int64_t *ni = lrfa_realloc_array(e->i, ncap, sizeof(int64_t));
        if (!ni) return 0;
        e->i = ni;
        ni = lrfa_realloc_array(e->j, ncap, sizeof(int64_t));
        if (!ni) return 0;
        e->j = ni;
    }
    if (e->lines) {
        int64_t *nl = lrfa_realloc_array(e->ln, ncap, sizeof(int64_t));
        if (!nl) return 0;
        e->ln = nl;
    }
    {
        double *nx = lrfa_realloc_array(e->x, ncap, sizeof(double));
        if (!nx) return 0;
        e->x = nx;
    }
    e->cap = ncap;
    return 1;
}

/* Entries already in compressed-column order (strictly ascending by column,
 * then row): the column pointers are counts, and the row indices and values
 * are the arrays themselves, handed over without a copy. */
static lrfa_sparse *sorted_to_csc(int64_t rows, int64_t cols, entries *e, lrfa_error *err)
{
    lrfa_sparse *S = lrfa_sparse_alloc(rows, cols, 0, err);
    int64_t k, j;
    if (!S) return NULL;
    for (k = 0; k < e->n; k++) S->colptr[e->j[k] + 1]++;
    for (j = 0; j < cols; j++) S->colptr[j + 1] += S->colptr[j];
    lrfa_dealloc(S->rowidx);
    lrfa_dealloc(S->values);
    S->rowidx = e->i;
    S->values = e->x;
    S->nnz = e->n;
    e->i = NULL;
    e->x = NULL;
    return S;
}

static void lower(char *s)
{
    for (; *s; s++) *s = (char)tolower((unsigned char)*s);
}

#define FAIL(status, line, ...) \
    do { st = lrfa_fail(err, status, line, __VA_ARGS__); goto done; } while (0)

static lrfa_status parse_banner(reader *rd, char *line, lrfa_mm_header *h, lrfa_error *err)
{
    lrfa_status st = LRFA_OK;
    char *tok[MAX_TOKENS];
    const char *nm = rd->name;
    long long ln = rd->lineno;
    int nt;
    {
        /* keep a trimmed copy of the banner for reports */
        char *s = line;
        size_t n;
        while (is_blank(*s)) s++;
        n = strlen(s);
        while (n && is_blank(s[n - 1])) n--;
        if (n >= sizeof h->banner) n = sizeof h->banner - 1;
        memcpy(h->banner, s, n);
        h->banner[n] = '\0';
    }
    nt = tokenize(line, tok);
    if (nt == 0 || strncasecmp(tok[0], "%%MatrixMarket", 14) != 0 || tok[0][14] != '\0')
        FAIL(LRFA_EINPUT, ln, "%s:%lld: expected the banner '%%%%MatrixMarket matrix FORMAT FIELD SYMMETRY'",
             nm, ln);
    if (nt < 2) FAIL(LRFA_EINPUT, ln, "%s:%lld: banner: missing the object (expected 'matrix')", nm, ln);
    lower(tok[1]);
    if (!strcmp(tok[1], "vector"))
        FAIL(LRFA_EINPUT, ln, "%s:%lld: banner: object 'vector' is not supported (expected 'matrix')", nm, ln);
    if (strcmp(tok[1], "matrix"))
        FAIL(LRFA_EINPUT, ln, "%s:%lld: banner: unknown object '%s' (expected 'matrix')", nm, ln, tok[1]);
    if (nt < 3)
        FAIL(LRFA_EINPUT, ln, "%s:%lld: banner: missing the format (expected 'coordinate' or 'array')", nm, ln);
    lower(tok[2]);
    if (!strcmp(tok[2], "coordinate")) h->format = LRFA_MM_COORDINATE;
    else if (!strcmp(tok[2], "array")) h->format = LRFA_MM_ARRAY;
    else FAIL(LRFA_EINPUT, ln, "%s:%lld: banner: unknown format '%s' (expected 'coordinate' or 'array')",
              nm, ln, tok[2]);
    if (nt < 4)
        FAIL(LRFA_EINPUT, ln, "%s:%lld: banner: missing the field (expected 'real', 'double', 'integer' or 'pattern')",
             nm, ln);
    lower(tok[3]);
    if (!strcmp(tok[3], "real") || !strcmp(tok[3], "double")) h->field = LRFA_MM_REAL;
    else if (!strcmp(tok[3], "integer")) h->field = LRFA_MM_INTEGER;
    else if (!strcmp(tok[3], "pattern")) h->field = LRFA_MM_PATTERN;
    else if (!strcmp(tok[3], "complex"))
        FAIL(LRFA_EINPUT, ln, "%s:%lld: banner: field 'complex' is not supported (lrfa factors real matrices)", nm, ln);
    else FAIL(LRFA_EINPUT, ln, "%s:%lld: banner: unknown field '%s' (expected 'real', 'double', 'integer' or 'pattern')",
              nm, ln, tok[3]);
    if (nt < 5)
        FAIL(LRFA_EINPUT, ln, "%s:%lld: banner: missing the symmetry (expected 'general', 'symmetric' or 'skew-symmetric')",
             nm, ln);
    lower(tok[4]);
    if (!strcmp(tok[4], "general")) h->symmetry = LRFA_MM_GENERAL;
    else if (!strcmp(tok[4], "symmetric")) h->symmetry = LRFA_MM_SYMMETRIC;
    else if (!strcmp(tok[4], "skew-symmetric")) h->symmetry = LRFA_MM_SKEW;
    else if (!strcmp(tok[4], "hermitian"))
        FAIL(LRFA_EINPUT, ln, "%s:%lld: banner: symmetry 'hermitian' is not supported (lrfa factors real matrices)", nm, ln);
    else FAIL(LRFA_EINPUT, ln, "%s:%lld: banner: unknown symmetry '%s' (expected 'general', 'symmetric' or 'skew-symmetric')",
              nm, ln, tok[4]);
    if (nt > 5)
        FAIL(LRFA_EINPUT, ln, "%s:%lld: banner: unexpected text '%s' after the symmetry", nm, ln, tok[5]);
    if (h->format == LRFA_MM_ARRAY && h->field == LRFA_MM_PATTERN)
        FAIL(LRFA_EINPUT, ln, "%s:%lld: banner: 'array pattern' is not a valid combination (pattern needs coordinate)",
             nm, ln);
    if (h->field == LRFA_MM_PATTERN && h->symmetry == LRFA_MM_SKEW)
        FAIL(LRFA_EINPUT, ln, "%s:%lld: banner: 'pattern skew-symmetric' is not a valid combination", nm, ln);
done:
    return st;
}

static const char *size_word(int k)
{
    return k == 0 ? "rows" : k == 1 ? "columns" : "entries";
}

/* The size line: "rows cols entries" (coordinate) or "rows cols" (array). */
static lrfa_status parse_size(reader *rd, char *line, lrfa_mm_header *h, lrfa_error *err)
{
    lrfa_status st = LRFA_OK;
    char *tok[MAX_TOKENS];
    const char *nm = rd->name;
    long long ln = rd->lineno;
    int want = h->format == LRFA_MM_COORDINATE ? 3 : 2, nt, k;
    int64_t v[3] = {0, 0, 0};
    const char *shape = want == 3 ? "'ROWS COLUMNS ENTRIES'" : "'ROWS COLUMNS'";

    nt = tokenize(line, tok);
    if (nt != want)
        FAIL(LRFA_EINPUT, ln, "%s:%lld: expected the size line %s, found %s%d token%s", nm, ln, shape,
             nt > MAX_TOKENS ? "more than " : "", nt > MAX_TOKENS ? MAX_TOKENS : nt, nt == 1 ? "" : "s");
    for (k = 0; k < want; k++) {
        num_status ns = parse_int64(tok[k], &v[k]);
        if (ns == NUM_OVERFLOW)
            FAIL(LRFA_EINPUT, ln, "%s:%lld: size line: %s '%s' overflows a 64-bit integer", nm, ln,
                 size_word(k), tok[k]);
        if (ns != NUM_OK)
            FAIL(LRFA_EINPUT, ln, "%s:%lld: size line: %s '%s' is not an integer (expected %s)", nm, ln,
                 size_word(k), tok[k], shape);
        if (v[k] < 0)
            FAIL(LRFA_EINPUT, ln, "%s:%lld: size line: %s %lld is negative", nm, ln, size_word(k),
                 (long long)v[k]);
    }
    h->rows = v[0];
    h->cols = v[1];
    if (h->symmetry != LRFA_MM_GENERAL && h->rows != h->cols)
        FAIL(LRFA_EINPUT, ln, "%s:%lld: a %s matrix must be square, but the size line says %lld x %lld",
             nm, ln, lrfa_mm_symmetry_name(h->symmetry), (long long)h->rows, (long long)h->cols);
    if (h->format == LRFA_MM_COORDINATE) {
        h->entries = v[2];
        if ((h->rows == 0 || h->cols == 0) && h->entries > 0)
            FAIL(LRFA_EINPUT, ln, "%s:%lld: size line: a %lld x %lld matrix cannot hold %lld entries", nm, ln,
                 (long long)h->rows, (long long)h->cols, (long long)h->entries);
        /* the compressed-column result needs cols + 1 pointers (in every
         * reader of the file) and the
         * conversion max(rows, cols) + 1 twice of scratch; each entry costs (index, index, value) of triplets,
         * (index, value) of scratch and (index, value) in the result: 7
         * doubles' worth, twice that when mirrored, with the line of each
         * entry (for naming a pair given in both triangles) */
        double bytes = 8.0 * ((double)h->cols + 1.0) +
                       (16.0 * ((double)(h->rows > h->cols ? h->rows : h->cols) + 1.0) +
                        8.0 * (double)h->entries * (h->symmetry == LRFA_MM_GENERAL ? 7.0 : 16.0)) /
                           (double)(rd->parts > 1 ? rd->parts : 1); /* a share of the rest for each of parts */
        uint64_t mem = lrfa_memory_budget();
        if (mem == 0) mem = (uint64_t)1 << 40;
        if (bytes > (double)mem)
            FAIL(LRFA_ENOMEM, ln, "%s:%lld: a %lld x %lld matrix with %lld entries does not fit in this machine's memory",
                 nm, ln, (long long)h->rows, (long long)h->cols, (long long)h->entries);
    } else {
        int64_t n = h->rows;
        if (!lrfa_fits_in_memory(rd->parts > 1 ? h->rows / rd->parts + 1 : h->rows, h->cols, 0))
            FAIL(LRFA_ENOMEM, ln, "%s:%lld: a dense %lld x %lld matrix does not fit in this machine's memory",
                 nm, ln, (long long)h->rows, (long long)h->cols);
        if (h->symmetry == LRFA_MM_GENERAL) h->entries = h->rows * h->cols;
        else if (h->symmetry == LRFA_MM_SYMMETRIC) h->entries = n % 2 ? n * ((n + 1) / 2) : (n / 2) * (n + 1);
        else h->entries = n % 2 ? n * ((n - 1) / 2) : (n / 2) * (n - 1);
    }
done:
    return st;
}

/* One index token, 1-based in the file, returned 0-based. */
static lrfa_status parse_index(const char *name, long long ln, const char *tok, const char *what, int64_t limit,
                               int64_t *out, lrfa_error *err)
{
    int64_t v;
    num_status ns = parse_int64(tok, &v);
    if (ns == NUM_OVERFLOW)
        return lrfa_fail(err, LRFA_EINPUT, ln, "%s:%lld: %s index '%s' overflows a 64-bit integer",
                         name, ln, what, tok);
    if (ns != NUM_OK)
        return lrfa_fail(err, LRFA_EINPUT, ln, "%s:%lld: %s index '%s' is not an integer", name, ln, what, tok);
    if (v == 0)
        return lrfa_fail(err, LRFA_EINPUT, ln, "%s:%lld: %s index 0: indices are 1-based (expected 1..%lld)",
                         name, ln, what, (long long)limit);
    if (v < 1 || v > limit)
        return lrfa_fail(err, LRFA_EINPUT, ln, "%s:%lld: %s index %lld is out of range (expected 1..%lld)",
                         name, ln, what, (long long)v, (long long)limit);
    *out = v - 1;
    return LRFA_OK;
}

static lrfa_status parse_value(const char *name, long long ln, const char *tok, lrfa_mm_field field, double *out,
                               lrfa_error *err)
{
    switch (lrfa_parse_double(tok, field == LRFA_MM_INTEGER, out)) {
    case NUM_OK: return LRFA_OK;
    case NUM_OVERFLOW:
        return lrfa_fail(err, LRFA_EINPUT, ln, "%s:%lld: value '%s' overflows a double", name, ln, tok);
    case NUM_NONFINITE:
        return lrfa_fail(err, LRFA_EINPUT, ln, "%s:%lld: value '%s' is not finite (NaN and infinity are not allowed)",
                         name, ln, tok);
    default:
        return lrfa_fail(err, LRFA_EINPUT, ln, "%s:%lld: value '%s' is not %s", name, ln, tok,
                         field == LRFA_MM_INTEGER ? "an integer (the field is 'integer')" : "a real number");
    }
}

/* What parsing the entries has found so far. */
typedef struct entry_state {
    const lrfa_mm_header *h;
    const char *nm;
    int coord, want;
    entries *e;
    int64_t seen;           /* entries read */
    int sorted;             /* strictly ascending by (column, row) so far */
    int64_t first_i, first_j, last_i, last_j;
    int64_t newlines;       /* lines consumed (block mode) */
    int64_t upper, lower;   /* symmetric files: entries above / below the diagonal */
    int64_t ignored;        /* pattern files: lines whose value column was ignored */
    int64_t ignored_line;   /* the first of them (0: none) */
} entry_state;

#undef FAIL
#define FAIL(status, line, ...) return lrfa_fail(err, status, line, __VA_ARGS__)

/* One line of the entries section (NUL-terminated, modified in place). */
static lrfa_status parse_entry_line(entry_state *c, char *line, long long ln, lrfa_error *err)
{
    const lrfa_mm_header *h = c->h;
    const char *nm = c->nm;
    char *tok[MAX_TOKENS];
    int64_t i = 0, j = 0;
    double v = 1.0;
    lrfa_status st;
    int nt = tokenize(line, tok);
    entries *e = c->e;
    if (nt == 0 || tok[0][0] == '%') return LRFA_OK;
    if (c->seen == h->entries)
        FAIL(LRFA_EINPUT, ln, "%s:%lld: more entries than the %lld the size line declares", nm, ln,
             (long long)h->entries);
    if (nt == 3 && c->coord && c->want == 2) {
        /* a pattern file with a value column: the value must be a number,
         * but the pattern is what counts (every stored entry is 1) */
        double ignored;
        if ((st = parse_value(nm, ln, tok[2], LRFA_MM_REAL, &ignored, err)) != LRFA_OK) return st;
        if (c->ignored++ == 0) c->ignored_line = ln;
        nt = 2;
    }
    if (nt != c->want) {
        const char *form = !c->coord ? "one value per line ('VALUE')"
                         : c->want == 2 ? "'ROW COLUMN' (pattern)" : "'ROW COLUMN VALUE'";
        FAIL(LRFA_EINPUT, ln, "%s:%lld: expected %s, found %s%d token%s", nm, ln, form,
             nt > MAX_TOKENS ? "more than " : "", nt > MAX_TOKENS ? MAX_TOKENS : nt, nt == 1 ? "" : "s");
    }
    if (c->coord) {
        if ((st = parse_index(nm, ln, tok[0], "row", h->rows, &i, err)) != LRFA_OK) return st;
        if ((st = parse_index(nm, ln, tok[1], "column", h->cols, &j, err)) != LRFA_OK) return st;
        if (c->want == 3 && (st = parse_value(nm, ln, tok[2], h->field, &v, err)) != LRFA_OK) return st;
        /* a symmetric file gives one triangle: the lower, or (as graph
         * collections write them) the upper; both are mirrored alike */
        if (h->symmetry != LRFA_MM_GENERAL && i != j) {
            if (i < j) c->upper++;
            else c->lower++;
        }
        if (h->symmetry == LRFA_MM_SKEW && i == j && v != 0.0)
            FAIL(LRFA_EINPUT, ln,
                 "%s:%lld: diagonal entry (%lld, %lld) is %s, but a skew-symmetric matrix has a zero diagonal", nm,
                 ln, (long long)i + 1, (long long)j + 1, tok[2]);
        if (!entries_reserve(e, 2, 1))
            FAIL(LRFA_ENOMEM, ln, "%s:%lld: out of memory after %lld entries", nm, ln, (long long)c->seen);
        if (c->seen == 0) {
            c->first_i = i;
            c->first_j = j;
        } else if (c->sorted && (j < c->last_j || (j == c->last_j && i <= c->last_i))) {
            c->sorted = 0;
        }
        c->last_i = i;
        c->last_j = j;
        if (e->lines) e->ln[e->n] = ln;
        e->i[e->n] = i;
        e->j[e->n] = j;
        e->x[e->n++] = v;
        if (h->symmetry != LRFA_MM_GENERAL && i != j) {
            if (e->lines) e->ln[e->n] = 0;
            e->i[e->n] = j;
            e->j[e->n] = i;
            e->x[e->n++] = h->symmetry == LRFA_MM_SKEW ? -v : v;
        }
    } else {
        if ((st = parse_value(nm, ln, tok[0], h->field, &v, err)) != LRFA_OK) return st;
        if (!entries_reserve(e, 1, 0))
            FAIL(LRFA_ENOMEM, ln, "%s:%lld: out of memory after %lld entries", nm, ln, (long long)c->seen);
        e->x[e->n++] = v;
    }
    c->seen++;
    return LRFA_OK;
}

/* Parses the complete lines of text[0..len) (each ending in '\n'),
 * numbering them from first_line. Stops at the first error. */
static lrfa_status parse_entry_block(entry_state *c, char *text, size_t len, long long first_line, lrfa_error *err)
{
    char *p = text, *end = text + len;
    long long ln = first_line;
    lrfa_status st;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        *nl = '\0';
        if ((st = parse_entry_line(c, p, ln, err)) != LRFA_OK) return st;
        c->newlines++;
        ln++;
        p = nl + 1;
    }
    return LRFA_OK;
}

#undef FAIL
#define FAIL(status, line, ...) \
    do { st = lrfa_fail(err, status, line, __VA_ARGS__); goto done; } while (0)

/* ---- a symmetric file with entries on both sides of the diagonal ---- */

typedef struct pair_key {
    int64_t a, b;  /* the pair {i, j} as (max, min) */
    int64_t line;
    int upper;     /* given above the diagonal */
} pair_key;

static int pair_cmp(const void *p, const void *q)
{
    const pair_key *x = p, *y = q;
    if (x->a != y->a) return x->a < y->a ? -1 : 1;
    if (x->b != y->b) return x->b < y->b ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Mixed triangles are fine as long as no off-diagonal pair is given in
 * both: (i, j) and (j, i) of a symmetric file would be two values for one
 * place, and which the writer meant is unknowable. Refuses the first such
 * pair, naming both lines. */
static lrfa_status check_one_triangle(const char *nm, const lrfa_mm_header *h, const entries *e, lrfa_error *err)
{
    int64_t t, n = 0, g;
    lrfa_status st = LRFA_OK;
    pair_key *keys = lrfa_alloc_array(e->n, sizeof *keys), *bad = NULL, *other = NULL;
    if (!keys) return lrfa_fail(err, LRFA_ENOMEM, 0, "%s: out of memory checking the triangles", nm);
    for (t = 0; t < e->n; t++) {
        if (!e->ln[t] || e->i[t] == e->j[t]) continue;
        keys[n].a = e->i[t] > e->j[t] ? e->i[t] : e->j[t];
        keys[n].b = e->i[t] > e->j[t] ? e->j[t] : e->i[t];
        keys[n].line = e->ln[t];
        keys[n].upper = e->i[t] < e->j[t];
        n++;
    }
    qsort(keys, (size_t)n, sizeof *keys, pair_cmp);
    for (g = 0; g < n; g++) {
        /* the group of one pair starts at g; its lines ascend */
        int64_t end = g;
        while (end + 1 < n && keys[end + 1].a == keys[g].a && keys[end + 1].b == keys[g].b) end++;
        for (t = g + 1; t <= end; t++)
            if (keys[t].upper != keys[g].upper && (!bad || keys[t].line < bad->line)) {
                bad = &keys[t];
                other = &keys[g];
                break;
            }
        g = end;
    }
    if (bad) {
        int64_t bi = bad->upper ? bad->b : bad->a, bj = bad->upper ? bad->a : bad->b;
        st = lrfa_fail(err, LRFA_EINPUT, bad->line,
                       "%s:%lld: entry (%lld, %lld) mirrors entry (%lld, %lld) on line %lld: a %s file gives each "
                       "pair off the diagonal once, in one triangle",
                       nm, (long long)bad->line, (long long)bi + 1, (long long)bj + 1, (long long)bj + 1,
                       (long long)bi + 1, (long long)other->line, lrfa_mm_symmetry_name(h->symmetry));
    }
    lrfa_dealloc(keys);
    return st;
}

/* ---- the entries of a large file, two threads at a time ---- */

#define BLOCK_BYTES ((size_t)8 << 20)

/* Fills the reader's buffer with up to `want` unread bytes (fewer at the
 * end of the file). Returns 0 when out of memory. */
static int reader_fill(reader *rd, size_t want)
{
    if (rd->start > 0) {
        memmove(rd->buf, rd->buf + rd->start, rd->end - rd->start);
        rd->end -= rd->start;
        rd->start = 0;
    }
    if (rd->cap < want + 2) {
        char *nb = lrfa_realloc_array(rd->buf, (int64_t)(want + 2), 1);
        if (!nb) return 0;
        rd->buf = nb;
        rd->cap = want + 2;
    }
    while (!rd->eof && rd->end < want) {
        size_t got = fread(rd->buf + rd->end, 1, rd->cap - rd->end - 1, rd->fp);
        rd->end += got;
        if (got == 0) rd->eof = 1;
    }
    return 1;
}

typedef struct part_job {
    entry_state st;
    entries e;
    char *text;
    size_t len;
    lrfa_status status;
    lrfa_error err;
} part_job;

static void *part_run(void *arg)
{
    part_job *j = arg;
    j->status = parse_entry_block(&j->st, j->text, j->len, 1, &j->err); /* lines from 1: see part_merge */
    return NULL;
}

static void part_reset(part_job *j, const entry_state *c)
{
    j->st = *c;
    j->st.e = &j->e;
    j->st.seen = 0;
    j->st.sorted = 1;
    j->st.first_i = j->st.first_j = j->st.last_i = j->st.last_j = -1;
    j->st.newlines = 0;
    j->st.upper = j->st.lower = j->st.ignored = j->st.ignored_line = 0;
    j->e.n = 0;
    j->e.lines = c->e->lines;
    memset(&j->err, 0, sizeof j->err);
}

static int before(int64_t i0, int64_t j0, int64_t i1, int64_t j1)
{
    return j0 < j1 || (j0 == j1 && i0 < i1);
}

/* Appends part j's entries to c's, keeping the sortedness bookkeeping;
 * the part numbered its lines from 1, and line0 is the file's line there. */
static int part_merge(entry_state *c, const part_job *j, long long line0)
{
    const entries *pe = &j->e;
    entries *e = c->e;
    int64_t k;
    if (j->st.seen == 0) return 1;
    if (!entries_reserve(e, pe->n, c->coord)) return 0;
    if (c->coord) {
        memcpy(e->i + e->n, pe->i, sizeof(int64_t) * (size_t)pe->n);
        memcpy(e->j + e->n, pe->j, sizeof(int64_t) * (size_t)pe->n);
        if (c->seen == 0) {
            c->first_i = j->st.first_i;
            c->first_j = j->st.first_j;
        } else if (!before(c->last_i, c->last_j, j->st.first_i, j->st.first_j)) {
            c->sorted = 0;
        }
        if (!j->st.sorted) c->sorted = 0;
        c->last_i = j->st.last_i;
        c->last_j = j->st.last_j;
    }
    if (e->lines)
        for (k = 0; k < pe->n; k++) e->ln[e->n + k] = pe->ln[k] ? pe->ln[k] + line0 - 1 : 0;
    memcpy(e->x + e->n, pe->x, sizeof(double) * (size_t)pe->n);
    e->n += pe->n;
    c->seen += j->st.seen;
    c->upper += j->st.upper;
    c->lower += j->st.lower;
    if (j->st.ignored && !c->ignored) c->ignored_line = j->st.ignored_line + line0 - 1;
    c->ignored += j->st.ignored;
    return 1;
}

/* Parses the entries in blocks of complete lines, each split in two halves
 * parsed side by side into separate buffers and then appended in order.
 * A block with any problem is parsed again on one thread, from a copy, so
 * the error names the same line the one-thread reader would. What is left
 * (a last line without its newline) goes to the caller's line loop. */
static lrfa_status parse_entries_parallel(reader *rd, entry_state *c, lrfa_error *err)
{
    part_job job[2];
    char *copy = NULL;
    lrfa_status st = LRFA_OK;
    int k;
    if (lrfa_threads() < 2) return LRFA_OK;
    memset(job, 0, sizeof job);
    for (;;) {
        char *text, *last, *mid, *nul;
        size_t len, half;
        pthread_t tid;
        int started, ok;
        if (!reader_fill(rd, BLOCK_BYTES)) break; /* the line loop will report it */
        text = rd->buf + rd->start;
        len = rd->end - rd->start;
        if (len < ((size_t)1 << 16)) break; /* small: the line loop does it */
        last = text + len;
        while (last > text && last[-1] != '\n') last--;
        if (last == text) break;
        len = (size_t)(last - text);
        rd->start += len;
        nul = memchr(text, '\0', len);
        if (nul) {
            long long ln = rd->lineno + 1;
            char *p;
            for (p = text; p < nul; p++) ln += *p == '\n';
            st = lrfa_fail(err, LRFA_EINPUT, ln, "%s:%lld: NUL byte in the text (is this a binary file?)", c->nm, ln);
            goto done;
        }
        copy = lrfa_realloc_array(copy, (int64_t)len, 1);
        if (!copy) {
            st = lrfa_fail(err, LRFA_ENOMEM, rd->lineno + 1, "%s:%lld: out of memory", c->nm, rd->lineno + 1);
            goto done;
        }
        memcpy(copy, text, len);
        half = len / 2;
        mid = memchr(text + half, '\n', len - half);
        mid = mid ? mid + 1 : last;
        for (k = 0; k < 2; k++) part_reset(&job[k], c);
        job[0].text = text;
        job[0].len = (size_t)(mid - text);
        job[1].text = mid;
        job[1].len = (size_t)(last - mid);
        started = pthread_create(&tid, NULL, part_run, &job[1]) == 0;
        part_run(&job[0]);
        if (started) pthread_join(tid, NULL);
        else part_run(&job[1]);
        ok = job[0].status == LRFA_OK && job[1].status == LRFA_OK &&
             c->seen + job[0].st.seen + job[1].st.seen <= c->h->entries;
        /* room for both halves first, so the merge cannot stop half way */
        if (ok) ok = entries_reserve(c->e, job[0].e.n + job[1].e.n, c->coord);
        if (ok)
            ok = part_merge(c, &job[0], rd->lineno + 1) &&
                 part_merge(c, &job[1], rd->lineno + 1 + job[0].st.newlines);
        if (ok) {
            rd->lineno += job[0].st.newlines + job[1].st.newlines;
            continue;
        }
        /* again on one thread, from the copy, for the exact message */
        memcpy(text, copy, len);
        c->newlines = 0;
        st = parse_entry_block(c, text, len, rd->lineno + 1, err);
        rd->lineno += c->newlines;
        if (st != LRFA_OK) goto done;
    }
done:
    for (k = 0; k < 2; k++) entries_free(&job[k].e);
    lrfa_dealloc(copy);
    return st;
}

/* The banner, the comments and the size line. */
static lrfa_status read_header(reader *rd, lrfa_mm_header *h, lrfa_error *err)
{
    lrfa_status st = LRFA_OK;
    const char *nm = rd->name;
    char *line;
    size_t len;
    int r;
    /* banner: the first line */
    r = reader_next(rd, &line, &len, err);
    if (r == READ_ERROR) return err ? err->status : LRFA_EINPUT;
    if (r == READ_EOF)
        FAIL(LRFA_EINPUT, 1, "%s:1: empty file (expected the banner '%%%%MatrixMarket matrix FORMAT FIELD SYMMETRY')", nm);
    if (len >= 3 && (unsigned char)line[0] == 0xEF && (unsigned char)line[1] == 0xBB &&
        (unsigned char)line[2] == 0xBF)
        line += 3; /* a UTF-8 byte-order mark, as some editors write */
    if ((st = parse_banner(rd, line, h, err)) != LRFA_OK) goto done;

    /* comments and blank lines, then the size line */
    for (;;) {
        char *s;
        r = reader_next(rd, &line, &len, err);
        if (r == READ_ERROR) return err ? err->status : LRFA_EINPUT;
        if (r == READ_EOF)
            FAIL(LRFA_EINPUT, rd->lineno + 1, "%s:%lld: end of file before the size line", nm, rd->lineno + 1);
        for (s = line; is_blank(*s); s++) {}
        if (*s == '%' || *s == '\0') continue;
        break;
    }
    st = parse_size(rd, line, h, err);
done:
    return st;
}

lrfa_status lrfa_mm_read(FILE *fp, const char *name, lrfa_matrix **out,
                         lrfa_mm_header *hdr, lrfa_error *err)
{
    lrfa_status st = LRFA_OK;
    reader rd;
    lrfa_mm_header h;
    entries e;
    char *line;
    size_t len;
    int r, coord, want;
    int64_t seen = 0, n;
    int sorted = 1; /* entries strictly ascending by (column, row): no sorting needed */
    entry_state es;
    lrfa_dense *D = NULL;
    lrfa_sparse *S = NULL;
    const char *nm = name ? name : "<input>";

    *out = NULL;
    memset(&e, 0, sizeof e);
    memset(&h, 0, sizeof h);
    memset(&rd, 0, sizeof rd);
    rd.fp = fp;
    rd.name = nm;
    rd.parts = 1;
    rd.cap = 1 << 16;
    rd.buf = lrfa_alloc(rd.cap);
    if (!rd.buf) FAIL(LRFA_ENOMEM, 0, "%s: out of memory", nm);

    if ((st = read_header(&rd, &h, err)) != LRFA_OK) goto done;

    coord = h.format == LRFA_MM_COORDINATE;
    want = coord ? (h.field == LRFA_MM_PATTERN ? 2 : 3) : 1;
    n = h.rows;
    /* size the buffers once when the file is regular: never more entries
     * than the header declares (mirrored: twice), nor than bytes / 2 */
    {
        struct stat sb;
        if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
            int64_t mult = coord && h.symmetry != LRFA_MM_GENERAL ? 2 : 1, hint = h.entries * mult;
            if (hint > (int64_t)sb.st_size / 2 * mult) hint = (int64_t)sb.st_size / 2 * mult;
            e.hint = hint;
        }
    }

    /* entries */
    es.h = &h;
    es.nm = nm;
    es.coord = coord;
    es.want = want;
    es.e = &e;
    es.seen = 0;
    es.sorted = 1;
    es.first_i = es.first_j = es.last_i = es.last_j = -1;
    es.newlines = 0;
    es.upper = es.lower = es.ignored = es.ignored_line = 0;
    e.lines = coord && h.symmetry != LRFA_MM_GENERAL;
    if ((st = parse_entries_parallel(&rd, &es, err)) != LRFA_OK) goto done;
    for (;;) {
        r = reader_next(&rd, &line, &len, err);
        if (r == READ_ERROR) { st = err ? err->status : LRFA_EINPUT; goto done; }
        if (r == READ_EOF) break;
        if ((st = parse_entry_line(&es, line, rd.lineno, err)) != LRFA_OK) goto done;
    }
    seen = es.seen;
    sorted = es.sorted;
    if (seen < h.entries)
        FAIL(LRFA_EINPUT, rd.lineno + 1, "%s:%lld: end of file after %lld of the %lld entries the size line declares",
             nm, rd.lineno + 1, (long long)seen, (long long)h.entries);
    h.lines = rd.lineno;
    h.upper = es.upper;
    h.values_ignored = es.ignored;
    h.values_ignored_line = es.ignored_line;
    if (es.upper > 0 && es.lower > 0 && (st = check_one_triangle(nm, &h, &e, err)) != LRFA_OK) goto done;

    if (coord) {
        lrfa_error sub = {0};
        if (sorted && h.symmetry == LRFA_MM_GENERAL)
            S = sorted_to_csc(h.rows, h.cols, &e, &sub);
        else
            S = lrfa_sparse_from_triplets(h.rows, h.cols, e.n, e.i, e.j, e.x, &sub);
        if (!S) FAIL(sub.status, rd.lineno, "%s:%lld: %s", nm, rd.lineno, sub.message);
        *out = lrfa_matrix_wrap_sparse(S, err);
    } else if (h.symmetry == LRFA_MM_GENERAL) {
        /* the values are the column-major data itself */
        D = lrfa_alloc(sizeof *D);
        if (!D) FAIL(LRFA_ENOMEM, 0, "%s: out of memory", nm);
        D->rows = h.rows;
        D->cols = h.cols;
        D->data = h.entries ? e.x : NULL;
        if (h.entries) e.x = NULL;
        *out = lrfa_matrix_wrap_dense(D, err);
    } else {
        /* packed lower triangle by columns (strictly lower for skew) */
        int64_t jj, ii, p = 0;
        double sign = h.symmetry == LRFA_MM_SKEW ? -1.0 : 1.0;
        lrfa_error sub = {0};
        D = lrfa_dense_alloc(n, n, &sub);
        if (!D) FAIL(sub.status, rd.lineno, "%s:%lld: %s", nm, rd.lineno, sub.message);
        for (jj = 0; jj < n; jj++)
            for (ii = h.symmetry == LRFA_MM_SKEW ? jj + 1 : jj; ii < n; ii++) {
                double v = e.x[p++];
                D->data[ii + jj * n] = v;
                if (ii != jj) D->data[jj + ii * n] = sign * v;
            }
        *out = lrfa_matrix_wrap_dense(D, err);
    }
    if (!*out) { st = LRFA_ENOMEM; goto done; }
    if (hdr) *hdr = h;
done:
    entries_free(&e);
    lrfa_dealloc(rd.buf);
    return st;
}

/* ---- one of several readers: the entries in a byte range ----
 *
 * A line belongs to the range in which it starts. Each reader counts its
 * lines and entries first (lrfa_mm_count_range), the counts of the ranges
 * before it give its first line's number and its first entry's index, and
 * it parses (lrfa_mm_parse_range) with the serial reader's checks and
 * messages. */

lrfa_status lrfa_mm_read_header(FILE *fp, const char *name, int64_t parts, lrfa_mm_header *h, int64_t *offset,
                                lrfa_error *err)
{
    reader rd;
    lrfa_status st;
    off_t pos;
    memset(&rd, 0, sizeof rd);
    memset(h, 0, sizeof *h);
    rd.fp = fp;
    rd.name = name;
    rd.parts = parts;
    rd.cap = 1 << 16;
    if (!(rd.buf = lrfa_alloc(rd.cap))) return lrfa_fail(err, LRFA_ENOMEM, 0, "%s: out of memory", name);
    st = read_header(&rd, h, err);
    h->lines = rd.lineno;
    pos = ftello(fp);
    *offset = (int64_t)pos - (int64_t)(rd.end - rd.start);
    lrfa_dealloc(rd.buf);
    if (st == LRFA_OK && pos < 0) st = lrfa_fail(err, LRFA_EIO, 0, "%s: cannot tell the position: %s", name, strerror(errno));
    return st;
}

/* The first line start at or after b (data: where the entries begin). */
static lrfa_status range_start(FILE *fp, const char *name, int64_t data, int64_t b, int64_t *start, lrfa_error *err)
{
    int c;
    if (b <= data) {
        *start = data;
        return LRFA_OK;
    }
    if (fseeko(fp, (off_t)(b - 1), SEEK_SET) != 0)
        return lrfa_fail(err, LRFA_EIO, 0, "%s: cannot seek: %s", name, strerror(errno));
    *start = b;
    if ((c = getc(fp)) == '\n' || c == EOF) return LRFA_OK;
    while ((c = getc(fp)) != EOF) {
        (*start)++;
        if (c == '\n') break;
    }
    if (c == EOF) *start = INT64_MAX; /* no line starts here */
    if (ferror(fp)) return lrfa_fail(err, LRFA_EIO, 0, "%s: read error: %s", name, strerror(errno));
    return LRFA_OK;
}

/* Calls fn on every line starting in [b0, b1) (NUL-terminated in place,
 * without its '\n'), numbered from line0, until fn fails. A line with a
 * NUL byte stops it with the reader's message. (When counting, line0 is
 * not known yet: the count then stops short at that line, and the ranges
 * after it number their lines from it or later, so the NUL's message,
 * which comes from the lowest range, is the first by line.) */
typedef lrfa_status (*line_fn)(char *line, size_t len, void *ctx, lrfa_error *err);

static lrfa_status range_lines(FILE *fp, const char *name, int64_t data, int64_t b0, int64_t b1, long long line0,
                               line_fn fn, void *ctx, lrfa_error *err)
{
    reader rd;
    lrfa_status st = LRFA_OK;
    int64_t pos = 0;
    if ((st = range_start(fp, name, data, b0, &pos, err)) != LRFA_OK) return st;
    if (pos >= b1) return LRFA_OK;
    if (fseeko(fp, (off_t)pos, SEEK_SET) != 0)
        return lrfa_fail(err, LRFA_EIO, 0, "%s: cannot seek: %s", name, strerror(errno));
    memset(&rd, 0, sizeof rd);
    rd.fp = fp;
    rd.name = name;
    rd.cap = 1 << 20;
    rd.lineno = line0 - 1;
    if (!(rd.buf = lrfa_alloc(rd.cap))) return lrfa_fail(err, LRFA_ENOMEM, 0, "%s: out of memory", name);
    while (pos < b1) {
        char *line;
        size_t len;
        int r = reader_next(&rd, &line, &len, err);
        if (r == READ_ERROR) {
            st = err ? err->status : LRFA_EIO;
            break;
        }
        if (r == READ_EOF) break;
        if ((st = fn(line, len, ctx, err)) != LRFA_OK) break;
        pos += (int64_t)len + 1;
    }
    lrfa_dealloc(rd.buf);
    return st;
}

typedef struct count_ctx {
    int64_t lines, entries;
} count_ctx;

static lrfa_status count_line(char *line, size_t len, void *arg, lrfa_error *err)
{
    count_ctx *c = arg;
    char *s = line;
    (void)len;
    (void)err;
    while (is_blank(*s)) s++;
    c->lines++;
    if (*s && *s != '%') c->entries++;
    return LRFA_OK;
}

lrfa_status lrfa_mm_count_range(FILE *fp, const char *name, int64_t data, int64_t b0, int64_t b1, int64_t *lines,
                                int64_t *count, lrfa_error *err)
{
    count_ctx c = {0, 0};
    lrfa_error sub = {0};
    lrfa_status st = range_lines(fp, name, data, b0, b1, 1, count_line, &c, &sub);
    *lines = c.lines;
    *count = c.entries;
    /* a NUL byte is found (and named by its line) when the range is parsed */
    if (st != LRFA_OK && sub.status == LRFA_EINPUT) st = LRFA_OK;
    else if (st != LRFA_OK && err) *err = sub;
    return st;
}

typedef struct parse_ctx {
    entry_state es;
    long long ln;  /* the line last parsed */
} parse_ctx;

static lrfa_status parse_line(char *line, size_t len, void *arg, lrfa_error *err)
{
    parse_ctx *c = arg;
    (void)len;
    return parse_entry_line(&c->es, line, ++c->ln, err);
}

void lrfa_mm_part_free(lrfa_mm_part *p)
{
    if (!p) return;
    lrfa_dealloc(p->i);
    lrfa_dealloc(p->j);
    lrfa_dealloc(p->x);
    lrfa_dealloc(p->ln);
    memset(p, 0, sizeof *p);
}

lrfa_status lrfa_mm_parse_range(FILE *fp, const char *name, const lrfa_mm_header *h, int64_t data, int64_t b0,
                                int64_t b1, long long line0, int64_t entry0, lrfa_mm_part *out, lrfa_error *err)
{
    parse_ctx c;
    entries e;
    lrfa_status st;
    memset(out, 0, sizeof *out);
    memset(&e, 0, sizeof e);
    memset(&c, 0, sizeof c);
    c.ln = line0 - 1;
    c.es.h = h;
    c.es.nm = name;
    c.es.coord = h->format == LRFA_MM_COORDINATE;
    c.es.want = c.es.coord ? (h->field == LRFA_MM_PATTERN ? 2 : 3) : 1;
    c.es.e = &e;
    c.es.seen = entry0; /* so that "more entries than declared" counts the file's */
    c.es.sorted = 1;
    c.es.first_i = c.es.first_j = c.es.last_i = c.es.last_j = -1;
    e.lines = c.es.coord && h->symmetry != LRFA_MM_GENERAL;
    st = range_lines(fp, name, data, b0, b1, line0, parse_line, &c, err);
    out->n = e.n;
    out->i = e.i;
    out->j = e.j;
    out->x = e.x;
    out->ln = e.ln;
    out->seen = c.es.seen - entry0;
    out->upper = c.es.upper;
    out->lower = c.es.lower;
    out->ignored = c.es.ignored;
    out->ignored_line = c.es.ignored_line;
    if (st != LRFA_OK) lrfa_mm_part_free(out);
    return st;
}

/* The off-diagonal pairs of a symmetric file given in both triangles,
 * among keys (a = max(i, j), b = min(i, j), line, upper) that hold every
 * entry of its pairs: the first such, by line. */
lrfa_status lrfa_mm_check_pairs(const char *nm, const lrfa_mm_header *h, lrfa_mm_part *p, lrfa_error *err)
{
    entries e;
    memset(&e, 0, sizeof e);
    e.n = p->n;
    e.i = p->i;
    e.j = p->j;
    e.x = p->x;
    e.ln = p->ln;
    e.lines = 1;
    return check_one_triangle(nm, h, &e, err);
}

lrfa_status lrfa_mm_read_path(const char *path, lrfa_matrix **out,
                              lrfa_mm_header *hdr, lrfa_error *err)
{
    FILE *fp;
    struct stat sb;
    lrfa_status st;
    *out = NULL;
    if (!strcmp(path, "-")) return lrfa_mm_read(stdin, "<stdin>", out, hdr, err);
    fp = fopen(path, "rb");
    if (!fp) return lrfa_fail(err, LRFA_EIO, 0, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(fp);
        return lrfa_fail(err, LRFA_EIO, 0, "%s: is a directory, not a Matrix Market file", path);
    }
    st = lrfa_mm_read(fp, path, out, hdr, err);
    fclose(fp);
    return st;
}

const char *lrfa_mm_format_name(lrfa_mm_format f)
{
    return f == LRFA_MM_COORDINATE ? "coordinate" : "array";
}

const char *lrfa_mm_field_name(lrfa_mm_field f)
{
    return f == LRFA_MM_REAL ? "real" : f == LRFA_MM_INTEGER ? "integer" : "pattern";
}

const char *lrfa_mm_symmetry_name(lrfa_mm_symmetry s)
{
    return s == LRFA_MM_GENERAL ? "general" : s == LRFA_MM_SYMMETRIC ? "symmetric" : "skew-symmetric";
}
