/* fitopts.c: the solver options shared by fit, compare and sweep. */
#include <getopt.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

/* what the parser saw: the shape, --init-from, and for
 * fitopts_check_combination */
int fitopts_allow_r = 0;
int fitopts_widths_given = 0;
int64_t fitopts_depth = 0;
const char *fitopts_init_from = NULL;
static int fitopts_start_given = 0, fitopts_decay_given = 0;

const char fitopts_help[] =
    "  --iters N              iteration limit (default 20000)\n"
    "  --lr ETA|auto          step size; auto = 0.2 / s_1, deeper 0.2 / s_1^(2 (L-1) / L)\n"
    "                         (default auto)\n"
    "  --tol T                stop when the exact error changes by less than T ||Y||_F\n"
    "                         over 100 iterations, or falls below 1e-13 ||Y||_F;\n"
    "                         0 runs all iterations (default 1e-10)\n"
    "  --widths D1,D2,...     a deep network: the hidden widths d_1 .. d_{L-1}, so L is\n"
    "                         their count + 1 (default: the two-layer model of -r R)\n"
    "  --depth L              L layers, every hidden width R (with -r R; 2 <= L <= 16)\n"
    "  --init gaussian|orthogonal\n"
    "                         Gaussian entries, or scaled orthogonal factors (default gaussian)\n"
    "  --init-scale S         initial Z, W entries N(0, S^2 s_1 / n) and N(0, S^2 s_1 / m);\n"
    "                         deeper: W_l entries N(0, S^2 s_1^(2/L) / max(d_l, d_{l-1}))\n"
    "                         (default 1e-4 for two layers: a small start; with R > rank(Y)\n"
    "                         the unused directions keep an error of order S^2 ||Y||_F;\n"
    "                         0.1 deeper, where GD's escape from zero slows like S^-(L-2)\n"
    "                         and widths above rank(Y) keep an error of order S^L ||Y||_F);\n"
    "                         0 starts at zero: fa, dfa and kp learn from there, gd and\n"
    "                         sign cannot\n"
    "  --feedback-scale S     B entries N(0, S^2 s_1 / n); deeper, fa's and kp's B_l\n"
    "                         N(0, S^2 s_1^(2/L) / max(d_l, d_{l+1})), dfa's\n"
    "                         N(0, S^2 s_1^(2 (L-l) / L) / max(d_l, n)) (default 1)\n"
    "  --init-from PREFIX     start from the weights in PREFIX_W1.mtx .. PREFIX_WL.mtx (two\n"
    "                         layers: PREFIX_Z.mtx, PREFIX_W.mtx), the names --save writes,\n"
    "                         and the feedback in PREFIX_B1.mtx .. (PREFIX_B.mtx) where\n"
    "                         present (else drawn from the seed)\n"
    "  --decay D              kp's weight decay: lambda = D s_1^(2 (L-1) / L), so B_l - W_{l+1}^T\n"
    "                         shrinks by 1 - 0.2 D per step at the automatic step size\n"
    "                         (default 1e-3)\n"
    "  --transpose            factor Y^T instead of Y (the feedback moves to the other side)\n";

/* Long options, to be followed by the command's own; values >= 1000. */
const struct option fitopts_long[FITOPTS_COUNT] = {
    {"iters", required_argument, NULL, 1001},
    {"lr", required_argument, NULL, 1002},
    {"tol", required_argument, NULL, 1003},
    {"init-scale", required_argument, NULL, 1004},
    {"feedback-scale", required_argument, NULL, 1005},
    {"transpose", no_argument, NULL, 1006},
    {"widths", required_argument, NULL, 1007},
    {"depth", required_argument, NULL, 1008},
    {"init", required_argument, NULL, 1009},
    {"decay", required_argument, NULL, 1010},
    {"init-from", required_argument, NULL, 1011},
};

/* "64,8,64": up to LRFA_MAX_LAYERS - 1 positive widths; "R" (when allow_r)
 * marks the swept layer as 0. Returns the count, or -1 after a message. */
static int parse_widths(const char *arg, int64_t *w, int allow_r)
{
    int count = 0;
    const char *p = arg;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char tok[32];
        if (count == LRFA_MAX_LAYERS - 1) {
            cli_error("--widths: at most %d hidden widths (L <= %d), got '%s'", LRFA_MAX_LAYERS - 1, LRFA_MAX_LAYERS,
                      arg);
            return -1;
        }
        if (len == 0 || len >= sizeof tok) {
            cli_error("--widths: expected positive widths separated by commas (like 64,8,64), got '%s'", arg);
            return -1;
        }
        memcpy(tok, p, len);
        tok[len] = 0;
        if (!strcmp(tok, "R")) {
            int i;
            if (!allow_r) {
                cli_error("--widths: R marks the layer a sweep varies and needs 'lrfa sweep ... --ranks A:B'");
                return -1;
            }
            for (i = 0; i < count; i++)
                if (w[i] == 0) {
                    cli_error("--widths: R may mark one layer only, got '%s'", arg);
                    return -1;
                }
            w[count++] = 0;
        } else {
            char what[48];
            snprintf(what, sizeof what, "--widths (width %d)", count + 1);
            if (!cli_parse_i64(what, tok, 1, INT32_MAX, &w[count])) return -1;
            count++;
        }
        if (!end) break;
        p = end + 1;
    }
    return count;
}

int fitopts_handle(int c, const char *arg, lrfa_options *opt)
{
    switch (c) {
    case 1001:
        return cli_parse_i64("--iters", arg, 0, INT64_MAX / 2, &opt->max_iters) ? 1 : -1;
    case 1002:
        if (!strcmp(arg, "auto")) {
            opt->lr = 0.0;
            return 1;
        }
        if (!cli_parse_double("--lr", arg, 0.0, HUGE_VAL, &opt->lr)) return -1;
        if (!(opt->lr > 0.0)) {
            cli_error("--lr: expected a positive step size or auto, got '%s'", arg);
            return -1;
        }
        return 1;
    case 1003:
        return cli_parse_double("--tol", arg, 0.0, 1.0, &opt->tol) ? 1 : -1;
    case 1004:
        fitopts_start_given = 1;
        return cli_parse_double("--init-scale", arg, 0.0, 1e300, &opt->init_scale) ? 1 : -1;
    case 1005:
        return cli_parse_double("--feedback-scale", arg, 1e-300, 1e300, &opt->feedback_scale) ? 1 : -1;
    case 1006:
        opt->transpose = 1;
        return 1;
    case 1007: {
        int k = parse_widths(arg, opt->widths, fitopts_allow_r);
        if (k < 0) return -1;
        opt->depth = k + 1;
        fitopts_widths_given = 1;
        return 1;
    }
    case 1008:
        return cli_parse_i64("--depth", arg, 2, LRFA_MAX_LAYERS, &fitopts_depth) ? 1 : -1;
    case 1009:
        fitopts_start_given = 1;
        if (!strcmp(arg, "gaussian")) opt->init = LRFA_INIT_GAUSSIAN;
        else if (!strcmp(arg, "orthogonal")) opt->init = LRFA_INIT_ORTHOGONAL;
        else {
            cli_error("--init: expected gaussian or orthogonal, got '%s'", arg);
            return -1;
        }
        return 1;
    case 1010:
        fitopts_decay_given = 1;
        return cli_parse_double("--decay", arg, 0.0, 1e300, &opt->decay) ? 1 : -1;
    case 1011:
        fitopts_init_from = arg;
        return 1;
    }
    return 0;
}


int fitopts_shape(const char *cmd, lrfa_options *opt, int have_rank)
{
    int64_t l;
    if (fitopts_widths_given && fitopts_depth) {
        cli_error("%s: give --widths or --depth, not both", cmd);
        return -1;
    }
    if (fitopts_depth) {
        if (!have_rank) {
            cli_error("%s: --depth L needs -r R, the width of every hidden layer", cmd);
            return -1;
        }
        opt->depth = fitopts_depth;
        for (l = 0; l + 1 < fitopts_depth; l++) opt->widths[l] = opt->rank;
        return 1;
    }
    return fitopts_widths_given;
}

int fitopts_check_combination(const char *cmd, int have_rank, const lrfa_algo *rules, int nr)
{
    int k, kp = 0;
    for (k = 0; k < nr; k++) kp |= rules[k] == LRFA_ALGO_KP;
    if (fitopts_widths_given && have_rank) {
        cli_error("%s: give -r R or --widths, not both (with --depth L, -r R is every hidden width)", cmd);
        return -1;
    }
    if (fitopts_decay_given && !kp) {
        cli_error("%s: --decay is kp's weight decay, and no kp run is asked for", cmd);
        return -1;
    }
    if (fitopts_init_from && fitopts_start_given) {
        cli_error("%s: --init-from sets the start; --init and --init-scale would be ignored", cmd);
        return -1;
    }
    return 0;
}

int64_t fitopts_kvec(const lrfa_options *opt)
{
    int64_t k = opt->rank, l;
    for (l = 0; opt->depth >= 2 && l + 1 < opt->depth; l++) k = opt->widths[l] > k ? opt->widths[l] : k;
    return k;
}

int fitopts_merge(struct option *dst, int cap, const struct option *own)
{
    int k = 0, i;
    /* a command starts from a clean parser state (the fuzzer runs many in one process) */
    fitopts_allow_r = fitopts_widths_given = fitopts_start_given = fitopts_decay_given = 0;
    fitopts_depth = 0;
    fitopts_init_from = NULL;
    for (i = 0; i < FITOPTS_COUNT && k < cap - 1; i++) dst[k++] = fitopts_long[i];
    for (i = 0; own[i].name && k < cap - 1; i++) dst[k++] = own[i];
    memset(&dst[k], 0, sizeof dst[k]);
    return k;
}

int64_t cli_default_log_every(int64_t max_iters)
{
    int64_t v = max_iters / 2000;
    return v > 0 ? v : 1;
}

const char *cli_display_name(const char *path)
{
    return strcmp(path, "-") ? path : "<stdin>";
}

int fit_prepare(const char *cmd, int argc, char **argv, int have_rank, const char *rank_hint, lrfa_options *opt,
                int64_t kvec, lrfa_matrix **Y, lrfa_problem **P)
{
    lrfa_error err = {0};
    const char *bad;
    int64_t n, m;
    int rc;
    *Y = NULL;
    *P = NULL;
    if (optind != argc - 1) {
        cli_error("%s: expected one FILE, got %d (see 'lrfa %s --help')", cmd, argc - optind, cmd);
        return EXIT_INPUT;
    }
    if (!have_rank) {
        cli_error("%s: %s is required (see 'lrfa %s --help')", cmd, rank_hint, cmd);
        return EXIT_INPUT;
    }
#ifdef LRFA_MPI
    /* each process its rows (of the transpose, when asked) */
    if ((rc = cli_mpi_read(argv[optind], opt->transpose, Y, NULL)) != EXIT_OK) return rc;
    n = cli_mpi_comm()->rows;
    m = (*Y)->cols;
#else
    if ((rc = cli_read_matrix(argv[optind], Y, NULL)) != EXIT_OK) return rc;
    n = opt->transpose ? (*Y)->cols : (*Y)->rows;
    m = opt->transpose ? (*Y)->rows : (*Y)->cols;
#endif
    if ((bad = lrfa_options_check(opt, n, m)) != NULL) {
        cli_error("%s: %s", cmd, bad);
        return EXIT_INPUT;
    }
#ifdef LRFA_MPI
    *P = lrfa_problem_new_dist(*Y, cli_mpi_comm(), kvec, LRFA_SPECTRUM_AUTO, &err);
#else
    *P = lrfa_problem_new(*Y, opt->transpose, kvec, &err);
#endif
    if (!*P) return cli_lib_error(&err);
    return EXIT_OK;
}

int cli_recheck(const char *cmd, lrfa_problem *P, const lrfa_result *res)
{
    lrfa_error err = {0};
    const char *was = P->spectrum->method;
    if (!res || !res->opt_suspect || P->rechecked || interrupted_flag()) return 0;
    fprintf(stderr,
            "lrfa: %s: the %s error at r = %lld is below opt(r) = %.10g by %.3g (%.2e of ||Y||_F), more than the "
            "spectrum's accuracy allows: the %s spectrum missed a value; recomputing it and fitting again\n",
            cmd, lrfa_algo_name(res->algo), (long long)res->r, res->final.opt, -res->final.gap,
            res->fro > 0 ? -res->final.gap / res->fro : 0.0, was);
    if (lrfa_problem_recheck(P, &err) != LRFA_OK) {
        cli_error("%s: recomputing the spectrum: %s", cmd, err.message);
        return -1;
    }
    return 1;
}

void cli_warn_suspect(const char *cmd, const lrfa_problem *P, const lrfa_result *res)
{
    if (!res || !res->opt_suspect) return;
    fprintf(stderr,
            "lrfa: %s: warning: the %s error at r = %lld is below opt(r) = %.10g by %.3g even with the spectrum "
            "from %s%s: opt(r) and the gap are suspect (opt_suspect in --json)\n",
            cmd, lrfa_algo_name(res->algo), (long long)res->r, res->final.opt, -res->final.gap,
            P->spectrum->method, P->rechecked ? ", recomputed" : "");
}

int cli_parse_rules(const char *what, const char *arg, lrfa_algo *rules)
{
    int count = 0, i;
    const char *p = arg;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char tok[16];
        int a;
        if (len == 0 || len >= sizeof tok) {
            cli_error("%s: expected rules separated by commas, from gd, fa, dfa, kp and sign, got '%s'", what, arg);
            return -1;
        }
        memcpy(tok, p, len);
        tok[len] = 0;
        if ((a = lrfa_algo_parse(tok)) < 0) {
            cli_error("%s: unknown rule '%s' (expected gd, fa, dfa, kp or sign)", what, tok);
            return -1;
        }
        for (i = 0; i < count; i++)
            if (rules[i] == (lrfa_algo)a) {
                cli_error("%s: '%s' is named twice", what, tok);
                return -1;
            }
        rules[count++] = (lrfa_algo)a;
        if (!end) break;
        p = end + 1;
    }
    return count;
}

/* PREFIX_NAME.mtx as a dense d_rows x d_cols matrix, or NULL after a message
 * (a missing file is no error when optional: *missing is set instead).
 * In lrfa-mpi a factor with a side of Y's rows is split as Y is (split 1:
 * the top layer's rows; split 2: an n-wide feedback's columns, read as
 * its transpose's rows), each process keeping its part; rows and cols are
 * then the whole's, and the other factors are read whole everywhere. */
static lrfa_dense *read_start(const char *prefix, const char *name, const char *what, int64_t rows, int64_t cols,
                              int split, int optional, int *missing)
{
    char path[4096];
    lrfa_matrix *M = NULL;
    lrfa_dense *D;
    lrfa_error err = {0};
    int64_t whole_rows, whole_cols;
    snprintf(path, sizeof path, "%s_%s.mtx", prefix, name);
    if (optional && access(path, F_OK) != 0) {
        *missing = 1;
        return NULL;
    }
#ifdef LRFA_MPI
    if (cli_mpi_read_part(path, split, &M, &whole_rows) != EXIT_OK) return NULL;
    whole_cols = M->cols;
    if (split == 2) {
        /* read by columns: M is this process's rows of the transpose */
        lrfa_matrix *T;
        int64_t t = whole_rows;
        if (!(T = lrfa_matrix_transpose(M, &err))) {
            lrfa_matrix_free(M);
            cli_lib_error(&err);
            return NULL;
        }
        lrfa_matrix_free(M);
        M = T;
        whole_rows = whole_cols;
        whole_cols = t;
    }
#else
    (void)split;
    if (cli_read_matrix(path, &M, NULL) != EXIT_OK) return NULL;
    whole_rows = M->rows;
    whole_cols = M->cols;
#endif
    if (whole_rows != rows || whole_cols != cols) {
        cli_error("%s: %s is %lld x %lld, expected %lld x %lld for this network", path, what, (long long)whole_rows,
                  (long long)whole_cols, (long long)rows, (long long)cols);
        lrfa_matrix_free(M);
        return NULL;
    }
    D = lrfa_matrix_to_dense(M, &err);
    lrfa_matrix_free(M);
    if (!D) cli_lib_error(&err);
    return D;
}

int fitopts_load_start(const lrfa_options *opt, int64_t n, int64_t m, fitopts_start *st)
{
    int64_t d[LRFA_MAX_LAYERS + 1], L = lrfa_options_layers(opt, n, m, d), l;
    int feedback = opt->algo == LRFA_ALGO_FA || opt->algo == LRFA_ALGO_DFA || opt->algo == LRFA_ALGO_KP;
    int missing = 0;
    memset(st, 0, sizeof *st);
    if (!fitopts_init_from) return EXIT_OK;
    for (l = 1; l <= L; l++) {
        char name[16], what[16];
        if (L == 2) snprintf(name, sizeof name, "%s", l == 1 ? "W" : "Z");
        else snprintf(name, sizeof name, "W%lld", (long long)l);
        snprintf(what, sizeof what, "W_%lld", (long long)l);
        if (!(st->W[l - 1] = read_start(fitopts_init_from, name, what, d[l], d[l - 1], l == L, 0, &missing)))
            goto fail;
    }
    for (l = 1; l < L && feedback && !missing; l++) {
        char name[16], what[16];
        int dfa = opt->algo == LRFA_ALGO_DFA, wide = dfa || l + 1 == L;
        int64_t cols = dfa ? d[L] : d[l + 1];
        if (L == 2) snprintf(name, sizeof name, "B");
        else snprintf(name, sizeof name, "B%lld", (long long)l);
        snprintf(what, sizeof what, "B_%lld", (long long)l);
        st->B[l - 1] = read_start(fitopts_init_from, name, what, d[l], cols, wide ? 2 : 0, 1, &missing);
        if (!st->B[l - 1] && !missing) goto fail;
        if (!st->B[l - 1] && l > 1) {
            cli_error("%s_%s.mtx: missing, while %s_B1.mtx is present", fitopts_init_from, name, fitopts_init_from);
            goto fail;
        }
    }
    st->has_feedback = feedback && !missing;
    return EXIT_OK;
fail:
    fitopts_start_free(st);
    return EXIT_INPUT;
}

void fitopts_start_free(fitopts_start *st)
{
    int l;
    for (l = 0; l < LRFA_MAX_LAYERS; l++) {
        lrfa_dense_free(st->W[l]);
        lrfa_dense_free(st->B[l]);
        st->W[l] = st->B[l] = NULL;
    }
}

void fitopts_start_apply(const fitopts_start *st, lrfa_options *opt)
{
    if (!fitopts_init_from) return;
    opt->start_weights = (const lrfa_dense *const *)st->W;
    opt->start_feedback = st->has_feedback ? (const lrfa_dense *const *)st->B : NULL;
}
