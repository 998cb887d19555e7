/* cmd_fit.c: `lrfa fit FILE -r R` (or --widths), one run of a rule and its figures. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char usage_fmt[] =
    "usage: lrfa fit FILE -r R [--rule gd|fa|dfa|kp|sign] [--iters N] [--lr ETA|auto]\n"
    "                [--widths D1,D2,... | --depth L] [--tol T] [--init gaussian|orthogonal]\n"
    "                [--init-scale S] [--feedback-scale S] [--decay D] [--seed N] [--transpose]\n"
    "                [--init-from PREFIX]\n"
    "                [--trace FILE.csv] [--log-every K] [--exact-every K]\n"
    "                [--save PREFIX] [--json] [--quiet]\n"
    "\n"
    "Fits Y ~ Z W (Z n x r, W r x m) to the Matrix Market file FILE ('-' for\n"
    "standard input) by gradient descent or feedback alignment, minimising\n"
    "1/2 ||ZW - Y||_F^2, and reports how close it gets to the Eckart-Young optimum.\n"
    "\n"
    "  GD:  Z <- Z - eta E W^T,  W <- W - eta Z^T E        (E = ZW - Y)\n"
    "  FA:  Z <- Z - eta E W^T,  W <- W - eta B E          (B fixed, random, r x n)\n"
    "\n"
    "With --widths or --depth it fits a deep linear network Y ~ W_L ... W_1 (W_l is\n"
    "d_l x d_{l-1}, d_0 = m, d_L = n); every rule updates W_l <- W_l - eta delta_l h_{l-1}^T\n"
    "(h_l = W_l ... W_1, delta_L = E) with, below the top:\n"
    "  gd   delta_l = W_{l+1}^T delta_{l+1}     backpropagation\n"
    "  fa   delta_l = B_l delta_{l+1}           B_l fixed, random, d_l x d_{l+1}\n"
    "  dfa  delta_l = B_l E                     B_l fixed, random, d_l x n\n"
    "  kp   as fa, B_l learning like W_{l+1}^T with weight decay --decay (Kolen-Pollack)\n"
    "  sign delta_l = s_l sign(W_{l+1})^T delta_{l+1}, s_l = ||W_{l+1}||_F / ||sign W_{l+1}||_F\n"
    "At L = 2 (the two-layer model) fa and dfa are the same rule.\n"
    "\n"
    "options:\n"
    "  -r, --rank R           rank of the factorization, 1 <= R <= min(n, m) (required)\n"
    "  --rule gd|fa|dfa|kp|sign\n"
    "                         learning rule (default gd; --algo is the same option)\n"
    "%s"
    "  --seed N               random seed; Z and W depend on it alone, so GD and FA\n"
    "                         with one seed start from the same point (default 1)\n"
    "  --trace FILE.csv       write the figures every --log-every iterations\n"
    "  --log-every K          trace interval (default: iterations / 2000, at least 1)\n"
    "  --exact-every K        in the trace, the exact error and grad_align every K-th\n"
    "                         row (one more pass over Y each time); otherwise the\n"
    "                         Gram identity and no grad_align (default 0)\n"
    "  --save PREFIX          write PREFIX_Z.mtx, PREFIX_W.mtx and, for FA, PREFIX_B.mtx;\n"
    "                         deeper: PREFIX_W1.mtx .. PREFIX_WL.mtx and PREFIX_B1.mtx ..\n"
    "  --json                 print one JSON object instead of the table\n"
    "  --quiet                no progress line on the terminal\n"
    "  -h, --help             show this help\n"
    "\n"
    "Figures: error = ||ZW - Y||_F; opt = best rank-r error; gap = error - opt;\n"
    "fa_pred = ||Y - Y P||_F with P the projector onto row(B Y), where FA lands;\n"
    "align_zb = trace(BZ) / (||B|| ||Z||); align_min_eig = smallest over largest\n"
    "|eigenvalue| of sym(BZ); grad_align = cos(B E, Z^T E); drift = change of the\n"
    "conserved quantity (GD: Z^T Z - W W^T, FA: W W^T - B Z - Z^T B^T) over the size\n"
    "of its terms (conservation_terms: that size, the sum of the terms' norms);\n"
    "overlap W/Z, top = overlap of row(W) / col(Z) with the top-r\n"
    "singular subspaces. A trace row costs O((n + m) r^2) and no pass over Y: its\n"
    "error comes from the Gram identity (exact = 0 in the CSV) and grad_align, which\n"
    "needs Z^T Y, is left out (nan), except in the rows --exact-every asks for, which\n"
    "read Y once more for the exact error and grad_align. The final row is exact.\n"
    "\n"
    "Ctrl-C (SIGINT) or SIGTERM stops the run at the next iteration, writes the\n"
    "trace and the factors asked for, for the state reached, and exits 130 (143).\n"
    "\n"
    "exit status: 0 done, 1 bad input or options, 2 divergence (try a smaller --lr),\n"
    "130 / 143 interrupted.\n";

int cmd_fit(int argc, char **argv)
{
    static const struct option own[] = {
        {"rank", required_argument, NULL, 'r'},
        {"algo", required_argument, NULL, 'a'},
        {"rule", required_argument, NULL, 'a'},
        {"seed", required_argument, NULL, 's'},
        {"trace", required_argument, NULL, 'c'},
        {"log-every", required_argument, NULL, 'L'},
        {"exact-every", required_argument, NULL, 'E'},
        {"save", required_argument, NULL, 'S'},
        {"json", no_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct option longopts[32];
    lrfa_options opt;
    int c, json = 0, quiet = 0, status = EXIT_OK, have_rank = 0, log_set = 0;
    const char *path, *trace = NULL, *save = NULL;
    lrfa_error err = {0};
    lrfa_matrix *Y = NULL;
    lrfa_problem *P = NULL;
    lrfa_result *res = NULL;
    lrfa_status st;
    progress_state ps = {"fit", -1.0, 0};
    fitopts_start start;

    lrfa_options_default(&opt);
    memset(&start, 0, sizeof start);
    fitopts_merge(longopts, 32, own);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (!cli_parse_i64("--rank", optarg, 1, INT64_MAX, &opt.rank)) return EXIT_INPUT;
            have_rank = 1;
            break;
        case 'a': {
            int a = lrfa_algo_parse(optarg);
            if (a < 0) {
                cli_error("--rule: unknown rule '%s' (expected gd, fa, dfa, kp or sign)", optarg);
                return EXIT_INPUT;
            }
            opt.algo = (lrfa_algo)a;
            break;
        }
        case 's':
            if (!cli_parse_u64("--seed", optarg, &opt.seed)) return EXIT_INPUT;
            break;
        case 'c': trace = optarg; break;
        case 'L':
            if (!cli_parse_i64("--log-every", optarg, 1, INT64_MAX, &opt.log_every)) return EXIT_INPUT;
            log_set = 1;
            break;
        case 'E':
            if (!cli_parse_i64("--exact-every", optarg, 0, INT64_MAX, &opt.exact_every)) return EXIT_INPUT;
            break;
        case 'S': save = optarg; break;
        case 'j': json = 1; break;
        case 'q': quiet = 1; break;
        case 'h': printf(usage_fmt, fitopts_help); return EXIT_OK;
        default: {
            int h = fitopts_handle(c, optarg, &opt);
            if (h < 0) return EXIT_INPUT;
            if (h == 0) return cli_bad_option("fit", optopt, argv[optind - 1]);
        }
        }
    }
    if (fitopts_shape("fit", &opt, have_rank) < 0 || fitopts_check_combination("fit", have_rank, &opt.algo, 1) < 0)
        return EXIT_INPUT;
    if (opt.depth >= 2) have_rank = 1;
    if (trace && !log_set) opt.log_every = cli_default_log_every(opt.max_iters);
    if (!trace) opt.log_every = 0; /* nothing would be written */
    if (trace && json && !strcmp(trace, "-")) {
        cli_error("fit: --trace - and --json would both write to standard output; give the trace a file");
        return EXIT_INPUT;
    }
    if (optind < argc &&
        (cli_output_clobbers("fit", argv[optind], trace, NULL) ||
         cli_output_clobbers("fit", argv[optind], save, "_Z.mtx") ||
         cli_output_clobbers("fit", argv[optind], save, "_W.mtx") ||
         cli_output_clobbers("fit", argv[optind], save, "_B.mtx") ||
         cli_layer_files_clobber("fit", argv[optind], save)))
        return EXIT_INPUT;
    /* Ctrl-C or SIGTERM, from here on (reading and the spectrum included),
     * stops at the next iteration; what was asked for is then written for
     * the state reached */
    cli_catch_signals();
    if ((status = fit_prepare("fit", argc, argv, have_rank, "the rank -r R (or --widths)", &opt, fitopts_kvec(&opt),
                              &Y, &P)) != EXIT_OK)
        goto done;
    path = argv[optind];
    if ((status = fitopts_load_start(&opt, cli_rows(P), P->m, &start)) != EXIT_OK) goto done;
    fitopts_start_apply(&start, &opt);
    opt.progress = cli_stop_progress;
    opt.progress_data = NULL;
    opt.progress_every = 1;
    if (report_progress_wanted(quiet)) {
        ps.label = lrfa_algo_name(opt.algo);
        opt.progress_data = &ps;
    }
    st = lrfa_fit(P, &opt, &res, &err);
    report_progress_clear(&ps);
    if (st == LRFA_OK) {
        int rc = cli_recheck("fit", P, res);
        if (rc < 0) {
            status = EXIT_INPUT;
            goto done;
        }
        if (rc == 1) {
            lrfa_result_free(res);
            res = NULL;
            st = lrfa_fit(P, &opt, &res, &err);
            report_progress_clear(&ps);
        }
        if (st == LRFA_OK) cli_warn_suspect("fit", P, res);
    }
    if (st != LRFA_OK && st != LRFA_EDIVERGED && st != LRFA_EINTERRUPT) {
        status = cli_lib_error(&err);
        goto done;
    }
    if (json) {
        json_writer w;
        json_begin(&w, stdout);
        json_str(&w, "file", strcmp(path, "-") ? path : "<stdin>");
        json_bool(&w, "transpose", opt.transpose);
        json_uint(&w, "seed", opt.seed);
        json_bool(&w, "spectrum_rechecked", P->rechecked);
        report_fit_json(&w, res);
        json_end(&w);
    } else {
        if (res->depth == 2 && opt.depth == 0)
            printf("fit             %s, %s (%lld x %lld%s), r = %lld, seed %llu\n",
                   strcmp(path, "-") ? path : "<stdin>", report_rule_title(opt.algo), (long long)cli_rows(P),
                   (long long)P->m, opt.transpose ? ", transposed" : "", (long long)opt.rank,
                   (unsigned long long)opt.seed);
        else
            printf("fit             %s, %s (%lld x %lld%s), L = %lld, widths %s, seed %llu\n",
                   strcmp(path, "-") ? path : "<stdin>", report_rule_title(opt.algo), (long long)cli_rows(P),
                   (long long)P->m, opt.transpose ? ", transposed" : "", (long long)res->depth,
                   report_widths(res), (unsigned long long)opt.seed);
        report_fit_table(stdout, res);
    }
    if (trace && (status = report_write_trace(trace, res)) != EXIT_OK) goto done;
    if (save) {
        char comment[512];
        snprintf(comment, sizeof comment, "lrfa fit %s: %s, %s%s, seed %llu, %lld iterations%s",
                 strcmp(path, "-") ? path : "<stdin>", lrfa_algo_name(opt.algo),
                 res->depth == 2 ? "r = " : "widths ", report_widths(res),
                 (unsigned long long)opt.seed, (long long)res->iterations,
                 st == LRFA_EDIVERGED    ? " (DIVERGED: the last finite state, before divergence)"
                 : st == LRFA_EINTERRUPT ? " (INTERRUPTED: the state when it stopped)"
                                         : "");
        if ((status = report_save_factors(save, res, comment)) != EXIT_OK) goto done;
    }
    if (st == LRFA_EDIVERGED) {
        cli_error("fit: %s", err.message);
        status = EXIT_NUMERIC;
    }
done:
    if (status == EXIT_OK && cli_signal_status()) {
        char kept[600] = "";
        if (trace) snprintf(kept, sizeof kept, "; kept the trace %s", trace);
        if (save)
            snprintf(kept + strlen(kept), sizeof kept - strlen(kept), "%s the factors %s_*.mtx",
                     trace ? " and" : "; kept", save);
        if (st == LRFA_EINTERRUPT)
            cli_error("fit: interrupted by %s at iteration %lld%s", cli_signal_name(), (long long)res->iterations,
                      kept[0] ? kept : "; no output files were asked for");
        else
            cli_error("fit: interrupted by %s after the run finished; all output written", cli_signal_name());
        status = cli_signal_status();
    }
    fitopts_start_free(&start);
    lrfa_result_free(res);
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
    return status;
}
