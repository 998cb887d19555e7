/* cmd_compare.c: `lrfa compare FILE -r R`, GD and FA from one start. */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static const char usage_fmt[] =
    "usage: lrfa compare FILE -r R [fit options] [--seed N] [--trace PREFIX]\n"
    "                    [--plot FILE.png] [--jobs J] [--json] [--quiet]\n"
    "       lrfa compare FILE (-r R | --widths D1,D2,... | --depth L -r R)\n"
    "                    --rules gd,fa,dfa,kp,sign [fit options] [--trace PREFIX] [--json]\n"
    "\n"
    "Runs gradient descent and feedback alignment on FILE ('-' for standard input)\n"
    "from the same initial Z and W (same seed) with the same options, and prints\n"
    "them side by side: error, optimum, gap, iterations, time; FA's alignment and\n"
    "predicted limit fa_pred; and how different the two learned representations\n"
    "are: the subspace overlap of row(W_GD) with row(W_FA) (hidden layer), of\n"
    "col(Z_GD) with col(Z_FA), of each with the top-r singular subspaces of Y, the\n"
    "cosines of the principal angles, and ||Z_GD W_GD - Z_FA W_FA||_F / ||Y||_F.\n"
    "An overlap is ||Q1^T Q2||_F^2 / r for orthonormal bases: 1 for one subspace,\n"
    "0 for orthogonal ones.\n"
    "\n"
    "With --rules (or a deep network, --widths / --depth) it runs each rule named,\n"
    "from the same start, and prints them side by side: the end-to-end figures, the\n"
    "predicted limit of fa and dfa, and per layer the alignment with the feedback,\n"
    "the gradient alignment, the conservation drift, and the overlap of each rule's\n"
    "hidden representations row(h_l) and maps above col(W_L ... W_{l+1}) with those\n"
    "of the first rule. A rule that diverges (dfa without a fixed point) is shown\n"
    "at its last finite state, and the exit status is 2.\n"
    "\n"
    "options:\n"
    "  -r, --rank R           rank, 1 <= R <= min(n, m) (required unless --widths is given)\n"
    "%s"
    "  --seed N               random seed for Z, W (shared) and B (default 1)\n"
    "  --trace PREFIX         write PREFIX_gd.csv and PREFIX_fa.csv (as fit --trace)\n"
    "  --log-every K          trace interval (default: iterations / 2000, at least 1)\n"
    "  --plot FILE.png        draw both runs' error and alignment against the\n"
    "                         iteration (SVG when FILE ends in .svg)\n"
    "  --rules LIST           the rules to run, from gd, fa, dfa, kp and sign\n"
    "                         (default gd,fa); --trace then writes PREFIX_RULE.csv\n"
    "  --jobs J               run the rules side by side on J threads (default 2)\n"
    "  --json                 one JSON object: gd, fa, fa_pred, overlap\n"
    "  --quiet                no progress line on the terminal\n"
    "  -h, --help             show this help\n"
    "\n"
    "Ctrl-C (SIGINT) or SIGTERM stops both runs at the next iteration and reports\n"
    "(and writes the traces and plot asked for) of the state reached.\n"
    "\n"
    "exit status: 0 done, 1 bad input or options, 2 divergence (try a smaller --lr),\n"
    "130 / 143 interrupted.\n";

static void print_side(const char *name, const char *fmt_gd, double gd, const char *fmt_fa, double fa)
{
    char a[40] = "-", b[40] = "-";
    if (fmt_gd && isfinite(gd)) snprintf(a, sizeof a, fmt_gd, gd);
    if (fmt_fa && isfinite(fa)) snprintf(b, sizeof b, fmt_fa, fa);
    printf("%-26s %-18s %-18s\n", name, a, b);
}

static void print_cosines(const double *c, int64_t r)
{
    int64_t i, k = r < 8 ? r : 8;
    printf("   cosines:");
    for (i = 0; i < k; i++) printf(" %.4f", c[i]);
    if (k < r) printf(" ... %.4f", c[r - 1]);
    printf("\n");
}

/* The overlap of two k-dimensional subspaces spanned by A and C (columns,
 * or rows when trans), through their leading singular vectors. */
static double rep_overlap(const lrfa_dense *A, const lrfa_dense *C, int trans, int64_t k)
{
    lrfa_dense *Qa = lrfa_lead_basis(A, trans, k, NULL), *Qc = lrfa_lead_basis(C, trans, k, NULL);
    double ov = Qa && Qc ? lrfa_subspace_overlap(Qa, Qc, NULL) : NAN;
    lrfa_dense_free(Qa);
    lrfa_dense_free(Qc);
    return ov;
}

/* row(h_l) and col(W_L ... W_{l+1}) of b against a's, l = 1 .. L-1 */
static void layer_overlaps(const lrfa_comm *comm, const lrfa_result *a, const lrfa_result *b, double *ov_h,
                           double *ov_above)
{
    int64_t L = a->depth, l, j;
    for (l = 1; l < L; l++) {
        int64_t kh = a->widths[1], ka = a->widths[l];
        lrfa_dense *ha = lrfa_result_product(a, l, 1, NULL), *hb = lrfa_result_product(b, l, 1, NULL);
        lrfa_dense *ta = lrfa_result_product(a, L, l + 1, NULL), *tb = lrfa_result_product(b, L, l + 1, NULL);
        for (j = 2; j <= l; j++) kh = a->widths[j] < kh ? a->widths[j] : kh;
        for (j = l + 1; j < L; j++) ka = a->widths[j] < ka ? a->widths[j] : ka;
        kh = kh < a->m ? kh : a->m;
        ka = ka < a->n ? ka : a->n;
        ov_h[l - 1] = ha && hb ? rep_overlap(ha, hb, 1, kh) : NAN;
        ov_above[l - 1] = ta && tb ? lrfa_span_overlap_split(comm, ta, tb, ka, NULL) : NAN;
        lrfa_dense_free(ha);
        lrfa_dense_free(hb);
        lrfa_dense_free(ta);
        lrfa_dense_free(tb);
    }
}

static void cell(char *buf, const char *fmt, double v)
{
    if (isfinite(v)) snprintf(buf, 24, fmt, v);
    else strcpy(buf, "-");
}

/* one table row: a label and a value per rule */
static void rules_row(const char *label, run_job *jobs, int nr, const char *fmt,
                      double (*get)(const lrfa_result *res, int64_t l), int64_t l)
{
    int k;
    printf("%-24s", label);
    for (k = 0; k < nr; k++) {
        char b[24];
        cell(b, fmt, get(jobs[k].result, l));
        printf(" %-15s", b);
    }
    printf("\n");
}

static double get_iters(const lrfa_result *r, int64_t l) { return (void)l, (double)r->iterations; }
static double get_error(const lrfa_result *r, int64_t l) { return (void)l, r->final.error; }
static double get_relgap(const lrfa_result *r, int64_t l) { return (void)l, r->final.rel_gap; }
static double get_pred(const lrfa_result *r, int64_t l)
{
    return (void)l, r->fro > 0 ? (r->fa_pred - r->final.opt) / r->fro : NAN;
}
static double get_seconds(const lrfa_result *r, int64_t l) { return (void)l, r->seconds; }
static double get_align(const lrfa_result *r, int64_t l) { return r->final.layer[l].align; }
static double get_grad(const lrfa_result *r, int64_t l) { return r->final.layer[l].grad_align; }
static double get_drift(const lrfa_result *r, int64_t l) { return r->final.layer[l].drift; }
static double get_norm(const lrfa_result *r, int64_t l) { return r->final.layer[l].norm; }

/* compare --rules (any depth): every rule from one start, side by side */
static int compare_rules(const char *path, lrfa_problem *P, const lrfa_options *opt, const lrfa_algo *rules, int nr,
                         int jobsn, int quiet, int json, const char *trace)
{
    run_job jobs[LRFA_ALGO_COUNT];
    double ov_h[LRFA_ALGO_COUNT][LRFA_MAX_LAYERS], ov_a[LRFA_ALGO_COUNT][LRFA_MAX_LAYERS];
    int k, status = EXIT_OK, diverged = 0;
    int64_t l, L;
    const lrfa_result *first;
    for (k = 0; k < nr; k++) {
        memset(&jobs[k], 0, sizeof jobs[k]);
        jobs[k].opt = *opt;
        jobs[k].opt.algo = rules[k];
    }
    if (runs_execute_checked(P, jobs, nr, jobsn, report_progress_wanted(quiet), "compare") < 0) {
        status = EXIT_INPUT;
        goto done;
    }
    for (k = 0; k < nr; k++) {
        if (jobs[k].status == LRFA_EDIVERGED) diverged = 1;
        else if (jobs[k].status != LRFA_OK && jobs[k].status != LRFA_EINTERRUPT) {
            cli_error("compare: %s: %s", lrfa_algo_name(rules[k]), jobs[k].err.message);
            status = EXIT_INPUT;
            goto done;
        }
    }
    first = jobs[0].result;
    L = first->depth;
    for (k = 1; k < nr; k++) layer_overlaps(P->comm, first, jobs[k].result, ov_h[k], ov_a[k]);
    if (json) {
        json_writer w;
        json_begin(&w, stdout);
        json_str(&w, "file", cli_display_name(path));
        json_int(&w, "rows", cli_rows(P));
        json_int(&w, "cols", P->m);
        json_int(&w, "depth", L);
        json_key_array(&w, "widths");
        for (l = 1; l < L; l++) json_int(&w, NULL, first->widths[l]);
        json_close_array(&w);
        json_uint(&w, "seed", opt->seed);
        json_bool(&w, "transpose", opt->transpose);
        json_num(&w, "fro_norm", P->fro);
        json_num(&w, "opt", first->final.opt);
        json_int(&w, "rank_y", P->spectrum->rank);
        json_bool(&w, "spectrum_rechecked", P->rechecked);
        json_key_array(&w, "rules");
        for (k = 0; k < nr; k++) json_str(&w, NULL, lrfa_algo_name(rules[k]));
        json_close_array(&w);
        json_key_array(&w, "runs");
        for (k = 0; k < nr; k++) {
            json_key_object(&w, NULL);
            report_fit_json(&w, jobs[k].result);
            json_close_object(&w);
        }
        json_close_array(&w);
        json_key_array(&w, "overlap_vs_first");
        for (k = 1; k < nr; k++) {
            json_key_object(&w, NULL);
            json_str(&w, "rule", lrfa_algo_name(rules[k]));
            json_key_array(&w, "h");
            for (l = 0; l + 1 < L; l++) isfinite(ov_h[k][l]) ? json_num(&w, NULL, ov_h[k][l]) : json_null(&w, NULL);
            json_close_array(&w);
            json_key_array(&w, "above");
            for (l = 0; l + 1 < L; l++) isfinite(ov_a[k][l]) ? json_num(&w, NULL, ov_a[k][l]) : json_null(&w, NULL);
            json_close_array(&w);
            json_close_object(&w);
        }
        json_close_array(&w);
        json_end(&w);
    } else {
        char label[64];
        if (L == 2)
            printf("compare         %s (%lld x %lld%s), r = %lld, rank(Y) = %lld, seed %llu\n\n",
                   cli_display_name(path), (long long)cli_rows(P), (long long)P->m, opt->transpose ? ", transposed" : "",
                   (long long)first->r, (long long)P->spectrum->rank, (unsigned long long)opt->seed);
        else
            printf("compare         %s (%lld x %lld%s), L = %lld, widths %s, rank(Y) = %lld, seed %llu\n\n",
                   cli_display_name(path), (long long)cli_rows(P), (long long)P->m, opt->transpose ? ", transposed" : "",
                   (long long)L, report_widths(first), (long long)P->spectrum->rank, (unsigned long long)opt->seed);
        printf("%-24s", "");
        for (k = 0; k < nr; k++) printf(" %-15s", lrfa_algo_name(rules[k]));
        printf("\n");
        rules_row("iterations", jobs, nr, "%.0f", get_iters, 0);
        printf("%-24s", "stopped");
        for (k = 0; k < nr; k++) printf(" %-15s", report_stop_name(jobs[k].result));
        printf("\n");
        rules_row("error", jobs, nr, "%.8g", get_error, 0);
        printf("%-24s %.8g (r = %lld, the narrowest width)\n", "opt(r)", first->final.opt, (long long)first->r);
        rules_row("gap / ||Y||_F", jobs, nr, "%.3e", get_relgap, 0);
        printf("%-24s", "fa_pred gap / ||Y||_F");
        for (k = 0; k < nr; k++) {
            char b[24];
            if (jobs[k].result->no_fixed_point) strcpy(b, "no fixed pt");
            else cell(b, "%.3e", get_pred(jobs[k].result, 0));
            printf(" %-15s", b);
        }
        printf("\n");
        rules_row("time (s)", jobs, nr, "%.3f", get_seconds, 0);
        printf("\nper layer\n");
        for (l = 0; l < L; l++) {
            snprintf(label, sizeof label, "  ||W_%lld||_F", (long long)(l + 1));
            rules_row(label, jobs, nr, "%.6g", get_norm, l);
        }
        for (l = 1; l < L; l++) {
            snprintf(label, sizeof label, "  align W_%lld", (long long)(l + 1));
            rules_row(label, jobs, nr, "%.6f", get_align, l);
        }
        for (l = 0; l + 1 < L; l++) {
            snprintf(label, sizeof label, "  grad_align W_%lld", (long long)(l + 1));
            rules_row(label, jobs, nr, "%.6f", get_grad, l);
        }
        for (l = 0; l + 1 < L; l++) {
            snprintf(label, sizeof label, "  drift (%lld, %lld)", (long long)(l + 1), (long long)(l + 2));
            rules_row(label, jobs, nr, "%.3e", get_drift, l);
        }
        printf("\nrepresentations against %s (overlap: 1 = same subspace, 0 = orthogonal)\n",
               lrfa_algo_name(rules[0]));
        for (l = 0; l + 1 < L; l++) {
            int j;
            for (j = 0; j < 2; j++) {
                if (!j) snprintf(label, sizeof label, "  row(h_%lld)", (long long)(l + 1));
                else if (l + 2 == L) snprintf(label, sizeof label, "  col(W_%lld)", (long long)L);
                else snprintf(label, sizeof label, "  col(W_%lld..W_%lld)", (long long)L, (long long)(l + 2));
                printf("%-24s %-15s", label, "1");
                for (k = 1; k < nr; k++) {
                    char b[24];
                    cell(b, "%.6f", j ? ov_a[k][l] : ov_h[k][l]);
                    printf(" %-15s", b);
                }
                printf("\n");
            }
        }
    }
    fflush(stdout);
    if (trace)
        for (k = 0; k < nr && status == EXIT_OK; k++) {
            char csv[4096];
            snprintf(csv, sizeof csv, "%s_%s.csv", trace, lrfa_algo_name(rules[k]));
            status = report_write_trace(csv, jobs[k].result);
        }
    if (status == EXIT_OK && diverged) {
        for (k = 0; k < nr; k++)
            if (jobs[k].status == LRFA_EDIVERGED)
                cli_error("compare: %s: %s", lrfa_algo_name(rules[k]), jobs[k].err.message);
        status = EXIT_NUMERIC;
    }
    if (status == EXIT_OK && cli_signal_status()) {
        cli_error("compare: interrupted by %s; kept the report of the state reached", cli_signal_name());
        status = cli_signal_status();
    }
done:
    for (k = 0; k < nr; k++) lrfa_result_free(jobs[k].result);
    return status;
}

/* --init-from: every rule starts from the weights read (the feedback is
 * each rule's own, from the seed: its shape differs between rules) */
static int compare_start(lrfa_options *opt, const lrfa_problem *P, fitopts_start *st)
{
    lrfa_options o = *opt;
    int status;
    o.algo = LRFA_ALGO_GD;
    if ((status = fitopts_load_start(&o, cli_rows(P), P->m, st)) != EXIT_OK) return status;
    if (fitopts_init_from) opt->start_weights = (const lrfa_dense *const *)st->W;
    return EXIT_OK;
}

int cmd_compare(int argc, char **argv)
{
    static const struct option own[] = {
        {"rank", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'},
        {"trace", required_argument, NULL, 'c'},
        {"log-every", required_argument, NULL, 'L'},
        {"plot", required_argument, NULL, 'p'},
        {"jobs", required_argument, NULL, 'J'},
        {"rules", required_argument, NULL, 'R'},
        {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct option longopts[32];
    lrfa_options opt;
    run_job jobs[2];
    int c, json = 0, quiet = 0, have_rank = 0, status = EXIT_OK, log_set = 0, k;
    int64_t jobsn = 2, r;
    lrfa_algo rules[LRFA_ALGO_COUNT] = {LRFA_ALGO_GD, LRFA_ALGO_FA};
    int nrules = 2, shape = 0;
    fitopts_start start;
    const char *path, *trace = NULL, *plot = NULL;
    char gd_csv[4096] = "", fa_csv[4096] = "", tmpdir[64] = "";
    lrfa_matrix *Y = NULL;
    lrfa_problem *P = NULL;
    lrfa_result *gd = NULL, *fa = NULL;
    double *cos_w = NULL, *cos_z = NULL, ov_w, ov_z, diff;

    lrfa_options_default(&opt);
    memset(&start, 0, sizeof start);
    memset(jobs, 0, sizeof jobs);
    fitopts_merge(longopts, 32, own);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (!cli_parse_i64("--rank", optarg, 1, INT64_MAX, &opt.rank)) return EXIT_INPUT;
            have_rank = 1;
            break;
        case 's': if (!cli_parse_u64("--seed", optarg, &opt.seed)) return EXIT_INPUT; break;
        case 'c': trace = optarg; break;
        case 'L':
            if (!cli_parse_i64("--log-every", optarg, 1, INT64_MAX, &opt.log_every)) return EXIT_INPUT;
            log_set = 1;
            break;
        case 'p': plot = optarg; break;
        case 'J': if (!cli_parse_i64("--jobs", optarg, 1, 64, &jobsn)) return EXIT_INPUT; break;
        case 'R':
            if ((nrules = cli_parse_rules("--rules", optarg, rules)) < 0) return EXIT_INPUT;
            break;
        case 'j': json = 1; break;
        case 'q': quiet = 1; break;
        case 'h': printf(usage_fmt, fitopts_help); return EXIT_OK;
        default: {
            int h = fitopts_handle(c, optarg, &opt);
            if (h < 0) return EXIT_INPUT;
            if (h == 0) return cli_bad_option("compare", optopt, argv[optind - 1]);
        }
        }
    }
    if ((trace || plot) && !log_set) opt.log_every = cli_default_log_every(opt.max_iters);
    if (!trace && !plot) opt.log_every = 0;
    r = opt.rank;
    if (optind < argc &&
        (cli_output_clobbers("compare", argv[optind], trace, "_gd.csv") ||
         cli_output_clobbers("compare", argv[optind], trace, "_fa.csv") ||
         cli_output_clobbers("compare", argv[optind], plot, NULL)))
        return EXIT_INPUT;
    /* Ctrl-C or SIGTERM, from here on (reading and the spectrum included),
     * stops at the next iteration; what was asked for is then written for
     * the state reached */
    cli_catch_signals();
    if ((shape = fitopts_shape("compare", &opt, have_rank)) < 0 ||
        fitopts_check_combination("compare", have_rank, rules, nrules) < 0)
        return EXIT_INPUT;
    for (k = 0; k < nrules && optind < argc && trace; k++) {
        char suffix[16];
        snprintf(suffix, sizeof suffix, "_%s.csv", lrfa_algo_name(rules[k]));
        if (cli_output_clobbers("compare", argv[optind], trace, suffix)) return EXIT_INPUT;
    }
    if (shape || nrules != 2 || rules[0] != LRFA_ALGO_GD || rules[1] != LRFA_ALGO_FA) {
        if (plot) {
            cli_error("compare: --plot draws gd and fa of the two-layer model; with --rules or a deep network use "
                      "--trace PREFIX and 'lrfa plot trace'");
            return EXIT_INPUT;
        }
        if (shape) have_rank = 1;
        opt.algo = rules[0];
        if ((status = fit_prepare("compare", argc, argv, have_rank, "the rank -r R (or --widths)", &opt,
                                  fitopts_kvec(&opt), &Y, &P)) != EXIT_OK)
            goto done;
        if ((status = compare_start(&opt, P, &start)) != EXIT_OK) goto done;
        status = compare_rules(argv[optind], P, &opt, rules, nrules, (int)jobsn, quiet, json, trace);
        goto done;
    }
    if ((status = fit_prepare("compare", argc, argv, have_rank, "the rank -r R", &opt, r, &Y, &P)) != EXIT_OK)
        goto done;
    if ((status = compare_start(&opt, P, &start)) != EXIT_OK) goto done;
    path = argv[optind];
    for (k = 0; k < 2; k++) {
        memset(&jobs[k], 0, sizeof jobs[k]);
        jobs[k].opt = opt;
        jobs[k].opt.algo = k ? LRFA_ALGO_FA : LRFA_ALGO_GD;
    }
    if (runs_execute_checked(P, jobs, 2, (int)jobsn, report_progress_wanted(quiet), "compare") < 0) {
        status = EXIT_INPUT;
        goto done;
    }
    for (k = 0; k < 2; k++)
        if (jobs[k].status != LRFA_OK && jobs[k].status != LRFA_EINTERRUPT) {
            status = jobs[k].status == LRFA_EDIVERGED ? EXIT_NUMERIC : EXIT_INPUT;
            cli_error("compare: %s: %s", k ? "fa" : "gd", jobs[k].err.message);
            goto done;
        }
    gd = jobs[0].result;
    fa = jobs[1].result;
    cos_w = malloc(sizeof(double) * (size_t)r);
    cos_z = malloc(sizeof(double) * (size_t)r);
    if (!cos_w || !cos_z) {
        cli_error("compare: out of memory");
        status = EXIT_INPUT;
        goto done;
    }
    ov_w = lrfa_span_overlap(gd->W, 1, fa->W, 1, cos_w);
    /* Z's rows are P's rows: split between the processes in lrfa-mpi */
    ov_z = lrfa_span_overlap_split(P->comm, gd->Z, fa->Z, gd->Z->cols, cos_z);
    diff = lrfa_product_diff_split(P->comm, gd->Z, gd->W, fa->Z, fa->W);

    if (json) {
        json_writer w;
        int64_t i;
        json_begin(&w, stdout);
        json_str(&w, "file", cli_display_name(path));
        json_int(&w, "r", r);
        json_uint(&w, "seed", opt.seed);
        json_bool(&w, "transpose", opt.transpose);
        json_num(&w, "fro_norm", P->fro);
        json_num(&w, "opt", lrfa_problem_opt(P, r));
        json_int(&w, "rank_y", P->spectrum->rank);
        json_bool(&w, "spectrum_rechecked", P->rechecked);
        json_num(&w, "fa_pred", fa->fa_pred);
        json_key_object(&w, "gd");
        report_fit_json(&w, gd);
        json_close_object(&w);
        json_key_object(&w, "fa");
        report_fit_json(&w, fa);
        json_close_object(&w);
        json_key_object(&w, "overlap");
        json_num(&w, "w", ov_w);
        json_num(&w, "z", ov_z);
        json_num(&w, "w_gd_top", gd->final.overlap_w_top);
        json_num(&w, "w_fa_top", fa->final.overlap_w_top);
        json_num(&w, "z_gd_top", gd->final.overlap_z_top);
        json_num(&w, "z_fa_top", fa->final.overlap_z_top);
        json_key_array(&w, "cosines_w");
        for (i = 0; i < r; i++) json_num(&w, NULL, cos_w[i]);
        json_close_array(&w);
        json_key_array(&w, "cosines_z");
        for (i = 0; i < r; i++) json_num(&w, NULL, cos_z[i]);
        json_close_array(&w);
        json_num(&w, "product_diff", P->fro > 0 ? diff / P->fro : diff);
        json_close_object(&w);
        json_end(&w);
    } else {
        char t[64];
        printf("compare         %s (%lld x %lld%s), r = %lld, rank(Y) = %lld, seed %llu\n\n", cli_display_name(path),
               (long long)cli_rows(P), (long long)P->m, opt.transpose ? ", transposed" : "", (long long)r,
               (long long)P->spectrum->rank, (unsigned long long)opt.seed);
        printf("%-26s %-18s %-18s\n", "", "GD", "FA");
        print_side("iterations", "%.0f", (double)gd->iterations, "%.0f", (double)fa->iterations);
        printf("%-26s %-18s %-18s\n", "stopped", report_stop_name(gd), report_stop_name(fa));
        print_side("error", "%.10g", gd->final.error, "%.10g", fa->final.error);
        print_side("opt(r)", "%.10g", gd->final.opt, "%.10g", fa->final.opt);
        print_side("gap / ||Y||_F", "%.3e", gd->final.rel_gap, "%.3e", fa->final.rel_gap);
        print_side("fa_pred (gap / ||Y||_F)", NULL, 0, "%.3e",
                   P->fro > 0 ? (fa->fa_pred - fa->final.opt) / P->fro : 0.0);
        print_side("align_zb", NULL, 0, "%.6f", fa->final.align_zb);
        print_side("align_min_eig", NULL, 0, "%.6f", fa->final.align_min_eig);
        print_side("conservation drift", "%.3e", gd->final.drift, "%.3e", fa->final.drift);
        print_side("time (s)", "%.3f", gd->seconds, "%.3f", fa->seconds);
        printf("\nrepresentations (overlap: 1 = same subspace, 0 = orthogonal)\n");
        printf("  row(W_GD) vs row(W_FA)   %.6f\n", ov_w);
        print_cosines(cos_w, r);
        printf("  col(Z_GD) vs col(Z_FA)   %.6f\n", ov_z);
        print_cosines(cos_z, r);
        printf("  row(W) vs top-r right    GD %.6f   FA %.6f\n", gd->final.overlap_w_top, fa->final.overlap_w_top);
        printf("  col(Z) vs top-r left     GD %.6f   FA %.6f\n", gd->final.overlap_z_top, fa->final.overlap_z_top);
        snprintf(t, sizeof t, "%.6e", P->fro > 0 ? diff / P->fro : diff);
        printf("  ||Z_GD W_GD - Z_FA W_FA||_F / ||Y||_F   %s\n", t);
    }
    fflush(stdout);

    if (trace) {
        snprintf(gd_csv, sizeof gd_csv, "%s_gd.csv", trace);
        snprintf(fa_csv, sizeof fa_csv, "%s_fa.csv", trace);
    } else if (plot) {
        strcpy(tmpdir, "/tmp/lrfa-compare.XXXXXX");
        if (!mkdtemp(tmpdir)) {
            cli_error("compare: cannot create a temporary folder for the plot data");
            status = EXIT_INPUT;
            goto done;
        }
        snprintf(gd_csv, sizeof gd_csv, "%s/gd.csv", tmpdir);
        snprintf(fa_csv, sizeof fa_csv, "%s/fa.csv", tmpdir);
    }
    if (gd_csv[0]) {
        if ((status = report_write_trace(gd_csv, gd)) != EXIT_OK) goto done;
        if ((status = report_write_trace(fa_csv, fa)) != EXIT_OK) goto done;
    }
    if (plot) {
        char title[600];
        snprintf(title, sizeof title, "%s: GD and FA at r = %lld (rank(Y) = %lld), seed %llu", cli_display_name(path),
                 (long long)r, (long long)P->spectrum->rank, (unsigned long long)opt.seed);
        status = plot_compare(gd_csv, fa_csv, plot, title, fa->final.opt, fa->fa_pred);
    }
done:
    if (status == EXIT_OK && cli_signal_status() && gd && fa) {
        if (jobs[0].status == LRFA_EINTERRUPT || jobs[1].status == LRFA_EINTERRUPT)
            cli_error("compare: interrupted by %s at iterations %lld (GD) and %lld (FA); %s", cli_signal_name(),
                      (long long)gd->iterations, (long long)fa->iterations,
                      trace || plot ? "kept the report, traces and plot asked for, of the state reached"
                                    : "kept the report of the state reached");
        else
            cli_error("compare: interrupted by %s after the runs finished; all output written", cli_signal_name());
        status = cli_signal_status();
    }
    if (tmpdir[0]) {
        if (gd_csv[0]) unlink(gd_csv);
        if (fa_csv[0]) unlink(fa_csv);
        rmdir(tmpdir);
    }
    fitopts_start_free(&start);
    free(cos_w);
    free(cos_z);
    lrfa_result_free(jobs[0].result);
    lrfa_result_free(jobs[1].result);
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
    return status;
}
