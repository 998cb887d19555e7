/* cmd_sweep.c: `lrfa sweep FILE --ranks A:B`, the GD/FA separation over
 * ranks and seeds. */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static const char usage_fmt[] =
    "usage: lrfa sweep FILE --ranks A:B [--seeds K] [fit options] [--seed S]\n"
    "                  [--csv FILE.csv] [--plot FILE.png] [--jobs J] [--quiet]\n"
    "\n"
    "For every rank r in A..B and every seed, runs GD and FA from one start on FILE\n"
    "('-' for standard input) and tabulates the separation: the optimum opt(r),\n"
    "both errors, FA's predicted limit fa_pred, the gaps, the overlap of the two\n"
    "hidden representations row(W_GD) and row(W_FA), FA's alignment and the\n"
    "iterations. Below rank(Y), FA lands on fa_pred, above opt(r); from rank(Y)\n"
    "on, both reach the optimum.\n"
    "\n"
    "options:\n"
    "  --ranks A:B            ranks to run, 1 <= A <= B <= min(n, m) (required; 'R' alone\n"
    "                         for one rank)\n"
    "  --seeds K              seeds per rank: S, S+1, ..., S+K-1 (default 1)\n"
    "  --seed S               the first seed (default 1)\n"
    "%s"
    "  --csv FILE.csv         one row per (r, seed) with every figure\n"
    "  --plot FILE.png        error against r (GD, FA, FA prediction, optimum) with\n"
    "                         rank(Y) marked, and the overlap and alignment against r\n"
    "                         (SVG when FILE ends in .svg)\n"
    "  --jobs J               runs side by side on J threads, each with one BLAS thread\n"
    "                         (default 2, the cores of this machine; 1 runs them one\n"
    "                         at a time with a multithreaded BLAS)\n"
    "  --quiet                no progress line on the terminal\n"
    "  -h, --help             show this help\n"
    "\n"
    "The table gives the mean over seeds, with [min, max] when there are several.\n"
    "Relative figures are over ||Y||_F.\n"
    "\n"
    "Ctrl-C (SIGINT) or SIGTERM stops the runs in progress; the table, CSV and plot\n"
    "then hold the runs that finished.\n"
    "\n"
    "exit status: 0 done, 1 bad input or options, 2 some runs diverged,\n"
    "130 / 143 interrupted.\n";

/* Per (r, seed) figures. */
typedef struct sweep_row {
    int64_t r, seed;
    double opt, gd_error, fa_error, fa_pred, overlap_w, overlap_z, w_gd_top, w_fa_top, align_zb, grad_align;
    double product_diff;
    int64_t gd_iters, fa_iters;
    int gd_conv, fa_conv, ok;
} sweep_row;

static int parse_ranks(const char *s, int64_t *a, int64_t *b)
{
    char *end;
    long long x = strtoll(s, &end, 10), y;
    if (end == s) return 0;
    if (*end == '\0') {
        *a = *b = x;
        return x >= 1;
    }
    if (*end != ':') return 0;
    s = end + 1;
    y = strtoll(s, &end, 10);
    if (end == s || *end) return 0;
    *a = x;
    *b = y;
    return x >= 1 && y >= x;
}

typedef struct agg {
    double sum, min, max;
    int n;
} agg;

static void agg_add(agg *g, double v)
{
    if (!isfinite(v)) return;
    if (g->n == 0 || v < g->min) g->min = v;
    if (g->n == 0 || v > g->max) g->max = v;
    g->sum += v;
    g->n++;
}

static double agg_mean(const agg *g)
{
    return g->n ? g->sum / g->n : NAN;
}

/* mean, with [min, max] when `range` and there are several seeds */
static void print_agg(const agg *g, int range, const char *fmt, const char *bfmt, int width)
{
    char a[32], b[96];
    if (!g->n) {
        printf(" %-*s", width, "-");
        return;
    }
    snprintf(a, sizeof a, fmt, agg_mean(g));
    if (range && g->n > 1) {
        char lo[16], hi[16];
        snprintf(lo, sizeof lo, bfmt, g->min);
        snprintf(hi, sizeof hi, bfmt, g->max);
        snprintf(b, sizeof b, "%s [%s, %s]", a, lo, hi);
        printf(" %-*s", width, b);
    } else {
        printf(" %-*s", width, a);
    }
}

static void csv_val(FILE *fp, double v)
{
    char b[32];
    fputc(',', fp);
    if (isfinite(v)) fputs(cli_fmt_double(b, v), fp);
    else fputs("nan", fp);
}

static int write_csv(const char *path, const sweep_row *rows, int count, double fro)
{
    lrfa_outfile of;
    lrfa_error err = {0};
    int i;
    if (lrfa_outfile_open(&of, path, &err) != LRFA_OK) return cli_lib_error(&err);
    fputs("r,seed,opt,gd_error,fa_error,fa_pred,gd_gap,fa_gap,fa_pred_gap,gd_rel_gap,fa_rel_gap,overlap_w,"
          "overlap_z,overlap_w_gd_top,overlap_w_fa_top,align_zb,grad_align,product_diff,gd_iters,fa_iters,"
          "gd_converged,fa_converged\n",
          of.fp);
    for (i = 0; i < count; i++) {
        const sweep_row *w = &rows[i];
        if (!w->ok) continue;
        fprintf(of.fp, "%lld,%lld", (long long)w->r, (long long)w->seed);
        csv_val(of.fp, w->opt);
        csv_val(of.fp, w->gd_error);
        csv_val(of.fp, w->fa_error);
        csv_val(of.fp, w->fa_pred);
        csv_val(of.fp, w->gd_error - w->opt);
        csv_val(of.fp, w->fa_error - w->opt);
        csv_val(of.fp, w->fa_pred - w->opt);
        csv_val(of.fp, (w->gd_error - w->opt) / fro);
        csv_val(of.fp, (w->fa_error - w->opt) / fro);
        csv_val(of.fp, w->overlap_w);
        csv_val(of.fp, w->overlap_z);
        csv_val(of.fp, w->w_gd_top);
        csv_val(of.fp, w->w_fa_top);
        csv_val(of.fp, w->align_zb);
        csv_val(of.fp, w->grad_align);
        csv_val(of.fp, w->product_diff);
        fprintf(of.fp, ",%lld,%lld,%d,%d\n", (long long)w->gd_iters, (long long)w->fa_iters, w->gd_conv, w->fa_conv);
    }
    if (lrfa_outfile_commit(&of, &err) != LRFA_OK) return cli_lib_error(&err);
    return EXIT_OK;
}

int cmd_sweep(int argc, char **argv)
{
    static const struct option own[] = {
        {"ranks", required_argument, NULL, 'R'},
        {"seeds", required_argument, NULL, 'K'},
        {"seed", required_argument, NULL, 's'},
        {"csv", required_argument, NULL, 'c'},
        {"plot", required_argument, NULL, 'p'},
        {"jobs", required_argument, NULL, 'J'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    struct option longopts[32];
    lrfa_options opt;
    int c, quiet = 0, status = EXIT_OK, have_ranks = 0, nrows = 0, njobs = 0, i, any_diverged = 0;
    int64_t ra = 0, rb = 0, seeds = 1, jobsn = 2, r, k;
    const char *path, *csv = NULL, *plot = NULL;
    lrfa_matrix *Y = NULL;
    lrfa_problem *P = NULL;
    run_job *jobs = NULL;
    sweep_row *rows = NULL;

    lrfa_options_default(&opt);
    fitopts_merge(longopts, 32, own);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'R':
            if (!parse_ranks(optarg, &ra, &rb)) {
                cli_error("--ranks: expected A:B with 1 <= A <= B (or one rank), got '%s'", optarg);
                return EXIT_INPUT;
            }
            have_ranks = 1;
            break;
        case 'K': if (!cli_parse_i64("--seeds", optarg, 1, 100000, &seeds)) return EXIT_INPUT; break;
        case 's': if (!cli_parse_u64("--seed", optarg, &opt.seed)) return EXIT_INPUT; break;
        case 'c': csv = optarg; break;
        case 'p': plot = optarg; break;
        case 'J': if (!cli_parse_i64("--jobs", optarg, 1, 64, &jobsn)) return EXIT_INPUT; break;
        case 'q': quiet = 1; break;
        case 'h': printf(usage_fmt, fitopts_help); return EXIT_OK;
        default: {
            int h = fitopts_handle(c, optarg, &opt);
            if (h < 0) return EXIT_INPUT;
            if (h == 0) return cli_bad_option("sweep", optopt, argv[optind - 1]);
        }
        }
    }
    opt.rank = rb; /* the largest rank decides what the options must allow */
    if (optind < argc && (cli_output_clobbers("sweep", argv[optind], csv, NULL) ||
                          cli_output_clobbers("sweep", argv[optind], plot, NULL)))
        return EXIT_INPUT;
    /* Ctrl-C or SIGTERM, from here on (reading and the spectrum included),
     * stops at the next iteration; what was asked for is then written for
     * the state reached */
    cli_catch_signals();
    if (fitopts_shape("sweep", &opt, 1) != 0) {
        if (opt.depth >= 2 || fitopts_depth)
            cli_error("sweep: deep networks (--widths, --depth) are not supported by sweep yet; run 'lrfa fit' per "
                      "width");
        return EXIT_INPUT;
    }
    if ((status = fit_prepare("sweep", argc, argv, have_ranks, "--ranks A:B", &opt, rb, &Y, &P)) != EXIT_OK)
        goto done;
    path = argv[optind];
    nrows = (int)((rb - ra + 1) * seeds);
    njobs = 2 * nrows;
    jobs = calloc((size_t)njobs, sizeof *jobs);
    rows = calloc((size_t)nrows, sizeof *rows);
    if (!jobs || !rows) {
        cli_error("sweep: out of memory");
        status = EXIT_INPUT;
        goto done;
    }
    /* the largest ranks first: they take longest, so the threads finish together */
    for (r = rb, i = 0; r >= ra; r--)
        for (k = 0; k < seeds; k++, i++) {
            int a;
            for (a = 0; a < 2; a++) {
                run_job *j = &jobs[2 * i + a];
                j->opt = opt;
                j->opt.rank = r;
                j->opt.seed = opt.seed + (uint64_t)k;
                j->opt.algo = a ? LRFA_ALGO_FA : LRFA_ALGO_GD;
                j->opt.log_every = 0;
                j->tag = i;
            }
        }
    if (runs_execute_checked(P, jobs, njobs, (int)jobsn, report_progress_wanted(quiet), "sweep") < 0) {
        status = EXIT_INPUT;
        goto done;
    }
    for (i = 0; i < nrows; i++) {
        run_job *g = &jobs[2 * i], *f = &jobs[2 * i + 1];
        sweep_row *w = &rows[i];
        w->r = g->opt.rank;
        w->seed = (int64_t)g->opt.seed;
        if (g->status == LRFA_EDIVERGED || f->status == LRFA_EDIVERGED) any_diverged = 1;
        if (g->status != LRFA_OK || f->status != LRFA_OK) {
            if (g->status != LRFA_OK && g->status != LRFA_EDIVERGED && g->status != LRFA_EINTERRUPT) {
                cli_error("sweep: r = %lld: %s", (long long)w->r, g->err.message);
                status = EXIT_INPUT;
            }
            if (f->status != LRFA_OK && f->status != LRFA_EDIVERGED && f->status != LRFA_EINTERRUPT) {
                cli_error("sweep: r = %lld: %s", (long long)w->r, f->err.message);
                status = EXIT_INPUT;
            }
            continue;
        }
        w->ok = 1;
        w->opt = g->result->final.opt;
        w->gd_error = g->result->final.error;
        w->fa_error = f->result->final.error;
        w->fa_pred = f->result->fa_pred;
        w->overlap_w = lrfa_span_overlap(g->result->W, 1, f->result->W, 1, NULL);
        w->overlap_z = lrfa_span_overlap(g->result->Z, 0, f->result->Z, 0, NULL);
        w->w_gd_top = g->result->final.overlap_w_top;
        w->w_fa_top = f->result->final.overlap_w_top;
        w->align_zb = f->result->final.align_zb;
        w->grad_align = f->result->final.grad_align;
        w->product_diff = lrfa_product_diff(g->result->Z, g->result->W, f->result->Z, f->result->W) / P->fro;
        w->gd_iters = g->result->iterations;
        w->fa_iters = f->result->iterations;
        w->gd_conv = g->result->converged;
        w->fa_conv = f->result->converged;
    }
    /* rows were made from the largest rank down: present them ascending */
    for (i = 0; i < nrows / 2; i++) {
        sweep_row t = rows[i];
        rows[i] = rows[nrows - 1 - i];
        rows[nrows - 1 - i] = t;
    }

    /* the table, aggregated over seeds */
    {
        double fro = P->fro;
        int64_t rank = P->spectrum->rank;
        int sd = (int)seeds;
        printf("sweep           %s (%lld x %lld%s), ranks %lld..%lld, %lld seed%s from %llu, rank(Y) = %lld\n\n",
               cli_display_name(path), (long long)P->n, (long long)P->m, opt.transpose ? ", transposed" : "",
               (long long)ra, (long long)rb, (long long)seeds, seeds == 1 ? "" : "s",
               (unsigned long long)opt.seed, (long long)rank);
        printf("  opt, gaps and fa_pred (its gap) over ||Y||_F; overlap: row(W_GD) vs row(W_FA);\n"
               "  %s\n\n", sd > 1 ? "means over seeds, [min, max] where shown" : "one seed");
        int wide = sd > 1;
        printf("%4s %-10s %-10s %-*s %-10s %-*s %-8s %s\n", "r", "opt", wide ? "GD gap max" : "GD gap", wide ? 28 : 10,
               wide ? "FA gap [min, max]" : "FA gap", "fa_pred", wide ? 22 : 8, wide ? "overlap [min, max]" : "overlap",
               "align_zb", "iters GD/FA");
        for (r = ra; r <= rb; r++) {
            agg gg = {0, 0, 0, 0}, fg = {0, 0, 0, 0}, pg = {0, 0, 0, 0}, ov = {0, 0, 0, 0}, al = {0, 0, 0, 0};
            double gi = 0, fi = 0, optr = lrfa_problem_opt(P, r);
            int cnt = 0;
            for (i = 0; i < nrows; i++) {
                const sweep_row *w = &rows[i];
                if (w->r != r || !w->ok) continue;
                agg_add(&gg, (w->gd_error - w->opt) / fro);
                agg_add(&fg, (w->fa_error - w->opt) / fro);
                agg_add(&pg, (w->fa_pred - w->opt) / fro);
                agg_add(&ov, w->overlap_w);
                agg_add(&al, w->align_zb);
                gi += (double)w->gd_iters;
                fi += (double)w->fa_iters;
                cnt++;
            }
            if (r == rank && r > ra) printf("---- rank(Y) = %lld %s\n", (long long)rank, "----------------------------------------");
            printf("%4lld %-10.3e", (long long)r, fro > 0 ? optr / fro : 0.0);
            if (gg.n) printf(" %-10.2e", wide ? gg.max : agg_mean(&gg));
            else printf(" %-10s", "-");
            print_agg(&fg, 1, "%.2e", "%.1e", wide ? 28 : 10);
            print_agg(&pg, 0, "%.2e", "%.1e", 10);
            print_agg(&ov, 1, "%.3f", "%.3f", wide ? 22 : 8);
            print_agg(&al, 0, "%.3f", "%.3f", 8);
            if (cnt) printf(" %.0f/%.0f", gi / cnt, fi / cnt);
            printf("%s\n", r == rank ? "  <- rank(Y)" : "");
        }
        if (any_diverged) printf("\nsome runs diverged and are left out: try a smaller --lr\n");
        if (interrupted_flag()) printf("\ninterrupted: the table holds the runs that finished\n");
    }
    fflush(stdout);

    if (csv && (status = write_csv(csv, rows, nrows, P->fro)) != EXIT_OK) goto done;
    if (plot) {
        char dir[64] = "/tmp/lrfa-sweep.XXXXXX", dat[128], title[600];
        FILE *fp;
        double floor = 1e-16, fro = P->fro, lo = HUGE_VAL, hi = 0.0;
        if (!mkdtemp(dir)) {
            cli_error("sweep: cannot create a temporary folder for the plot data");
            status = EXIT_INPUT;
            goto done;
        }
        snprintf(dat, sizeof dat, "%s/sweep.csv", dir);
        fp = fopen(dat, "w");
        if (!fp) {
            cli_error("sweep: cannot write the plot data");
            rmdir(dir);
            status = EXIT_INPUT;
            goto done;
        }
        fputs("r,opt,gd_error,fa_error,fa_pred,fa_min,fa_max,overlap_w,overlap_min,overlap_max,w_fa_top,align_zb\n",
              fp);
        for (r = ra; r <= rb; r++) {
            agg ge = {0, 0, 0, 0}, fe = {0, 0, 0, 0}, pe = {0, 0, 0, 0}, ov = {0, 0, 0, 0}, ft = {0, 0, 0, 0},
                al = {0, 0, 0, 0};
            for (i = 0; i < nrows; i++) {
                const sweep_row *w = &rows[i];
                if (w->r != r || !w->ok) continue;
                agg_add(&ge, fmax(w->gd_error / fro, floor));
                agg_add(&fe, fmax(w->fa_error / fro, floor));
                agg_add(&pe, fmax(w->fa_pred / fro, floor));
                agg_add(&ov, w->overlap_w);
                agg_add(&ft, w->w_fa_top);
                agg_add(&al, w->align_zb);
            }
            if (!ge.n) continue;
            lo = fmin(lo, fmin(fmin(agg_mean(&ge), fe.min), fmax(lrfa_problem_opt(P, r) / fro, floor)));
            hi = fmax(hi, fmax(agg_mean(&ge), fe.max));
            fprintf(fp, "%lld,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g\n", (long long)r,
                    fmax(lrfa_problem_opt(P, r) / fro, floor), agg_mean(&ge), agg_mean(&fe), agg_mean(&pe), fe.min,
                    fe.max, agg_mean(&ov), ov.min, ov.max, agg_mean(&ft), agg_mean(&al));
        }
        fclose(fp);
        snprintf(title, sizeof title, "%s: GD vs FA over r = %lld..%lld, %lld seed%s", cli_display_name(path),
                 (long long)ra, (long long)rb, (long long)seeds, seeds == 1 ? "" : "s");
        /* a log scale only where the values span more than a decade */
        status = plot_sweep(dat, plot, title, P->spectrum->rank, floor, hi > 10.0 * lo, ra, rb);
        unlink(dat);
        rmdir(dir);
    }
    if (status == EXIT_OK && any_diverged) status = EXIT_NUMERIC;
    if (status != EXIT_INPUT && cli_signal_status()) {
        int kept = 0;
        for (i = 0; i < nrows; i++) kept += rows[i].ok;
        cli_error("sweep: interrupted by %s; kept the %d of %d (rank, seed) runs that finished%s", cli_signal_name(),
                  kept, nrows, csv || plot ? ", in the table, CSV and plot asked for" : ", in the table");
        status = cli_signal_status();
    }
done:
    if (jobs)
        for (i = 0; i < njobs; i++) lrfa_result_free(jobs[i].result);
    free(jobs);
    free(rows);
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
    return status;
}
