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
    "       lrfa sweep FILE --ranks A:B [--widths D1,R,D3 | --depth L] [--rules LIST] ...\n"
    "\n"
    "For every rank r in A..B and every seed, runs GD and FA from one start on FILE\n"
    "('-' for standard input) and tabulates the separation: the optimum opt(r),\n"
    "both errors, FA's predicted limit fa_pred, the gaps, the overlap of the two\n"
    "hidden representations row(W_GD) and row(W_FA), FA's alignment and the\n"
    "iterations. Below rank(Y), FA lands on fa_pred, above opt(r); from rank(Y)\n"
    "on, both reach the optimum.\n"
    "\n"
    "With --rules, --widths or --depth it sweeps deep networks and any rules:\n"
    "--widths 64,R,64 varies the layer marked R over --ranks, --depth L sets every\n"
    "hidden width to r, and every rule named runs from one start per (r, seed). The\n"
    "table gives each rule's gap (and fa's and dfa's predicted gap, or 'no fp' where\n"
    "dfa has no fixed point); a rule whose runs diverged says so.\n"
    "\n"
    "options:\n"
    "  --ranks A:B            ranks to run, 1 <= A <= B <= min(n, m) (required; 'R' alone\n"
    "                         for one rank)\n"
    "  --seeds K              seeds per rank: S, S+1, ..., S+K-1 (default 1)\n"
    "  --seed S               the first seed (default 1)\n"
    "%s"
    "  --rules LIST           rules from gd, fa, dfa, kp and sign (default gd,fa)\n"
    "  --csv FILE.csv         one row per (r, seed) (and rule) with every figure\n"
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

/* frees a sweep's runs and what they ran on */
static void sweep_free(run_job *jobs, int njobs, void *rows, lrfa_problem *P, lrfa_matrix *Y)
{
    int i;
    if (jobs)
        for (i = 0; i < njobs; i++) lrfa_result_free(jobs[i].result);
    free(jobs);
    free(rows);
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
}

/* Per (r, seed, rule) figures of the sweep over rules. */
typedef struct rule_row {
    int64_t r, seed;
    int rule, ok, diverged, converged, no_fixed_point;
    double opt, error, fa_pred, align, grad_align, overlap;
    int64_t iterations;
    const char *stop;
} rule_row;

/* the swept layer: the widths slot marked R (0), or -1 when --depth set them all */
static int64_t swept_slot(const lrfa_options *opt)
{
    int64_t l;
    for (l = 0; opt->depth >= 2 && l + 1 < opt->depth; l++)
        if (opt->widths[l] == 0) return l;
    return -1;
}

static void set_width(lrfa_options *o, int64_t slot, int64_t r, int depth_form)
{
    int64_t l;
    if (o->depth == 0) o->rank = r;
    else if (depth_form)
        for (l = 0; l + 1 < o->depth; l++) o->widths[l] = r;
    else o->widths[slot] = r;
}

static double mean_align(const lrfa_result *res)
{
    double s = 0.0;
    int64_t l, n = 0;
    for (l = 1; l < res->depth; l++)
        if (isfinite(res->final.layer[l].align)) {
            s += res->final.layer[l].align;
            n++;
        }
    return n ? s / (double)n : NAN;
}

/* row(h_l) of b against a's, as min(d_1 .. d_l)-dimensional subspaces */
static double hidden_overlap(const lrfa_result *a, const lrfa_result *b, int64_t l)
{
    int64_t k = a->widths[1], j;
    lrfa_dense *ha, *hb, *Qa, *Qb;
    double ov = NAN;
    for (j = 2; j <= l; j++) k = a->widths[j] < k ? a->widths[j] : k;
    k = k < a->m ? k : a->m;
    ha = lrfa_result_product(a, l, 1, NULL);
    hb = lrfa_result_product(b, l, 1, NULL);
    Qa = ha ? lrfa_lead_basis(ha, 1, k, NULL) : NULL;
    Qb = hb ? lrfa_lead_basis(hb, 1, k, NULL) : NULL;
    if (Qa && Qb) ov = lrfa_subspace_overlap(Qa, Qb, NULL);
    lrfa_dense_free(ha);
    lrfa_dense_free(hb);
    lrfa_dense_free(Qa);
    lrfa_dense_free(Qb);
    return ov;
}

static int write_rules_csv(const char *path, const rule_row *rows, int count, const lrfa_algo *rules, double fro)
{
    lrfa_outfile of;
    lrfa_error err = {0};
    int i;
    if (lrfa_outfile_open(&of, path, &err) != LRFA_OK) return cli_lib_error(&err);
    fputs("r,seed,rule,opt,error,gap,rel_gap,fa_pred,fa_pred_rel_gap,no_fixed_point,stop,iterations,converged,"
          "align_mean,grad_align_1,overlap_h_vs_first\n",
          of.fp);
    for (i = 0; i < count; i++) {
        const rule_row *w = &rows[i];
        if (!w->ok) continue;
        fprintf(of.fp, "%lld,%lld,%s", (long long)w->r, (long long)w->seed, lrfa_algo_name(rules[w->rule]));
        csv_val(of.fp, w->opt);
        csv_val(of.fp, w->error);
        csv_val(of.fp, w->error - w->opt);
        csv_val(of.fp, (w->error - w->opt) / fro);
        csv_val(of.fp, w->fa_pred);
        csv_val(of.fp, (w->fa_pred - w->opt) / fro);
        fprintf(of.fp, ",%d,%s,%lld,%d", w->no_fixed_point, w->stop, (long long)w->iterations, w->converged);
        csv_val(of.fp, w->align);
        csv_val(of.fp, w->grad_align);
        csv_val(of.fp, w->overlap);
        fputc('\n', of.fp);
    }
    if (lrfa_outfile_commit(&of, &err) != LRFA_OK) return cli_lib_error(&err);
    return EXIT_OK;
}

/* sweep --rules / --widths / --depth: every rule per (r, seed) */
static int sweep_rules(int argc, char **argv, lrfa_options *opt, int have_ranks, int64_t ra, int64_t rb,
                       int64_t seeds, const lrfa_algo *rules, int nr, int jobsn, int quiet, const char *csv,
                       const char *plot)
{
    lrfa_matrix *Y = NULL;
    lrfa_problem *P = NULL;
    run_job *jobs = NULL;
    rule_row *rows = NULL;
    int status = EXIT_OK, any_diverged = 0, depth_form = fitopts_depth != 0, i, k;
    int64_t slot = swept_slot(opt), nrs = (rb - ra + 1) * seeds, njobs = nrs * nr, r, s, l_over;
    char xlabel[128], shape[160];
    const char *path;
    if (opt->depth >= 2 && !depth_form && slot < 0) {
        cli_error("sweep: --widths needs R to mark the layer --ranks varies (like --widths 16,R,16)");
        return EXIT_INPUT;
    }
    if (!have_ranks) {
        cli_error("sweep: --ranks A:B is required (see 'lrfa sweep --help')");
        return EXIT_INPUT;
    }
    set_width(opt, slot, rb, depth_form); /* the largest decides what the options must allow */
    opt->algo = rules[0];
    l_over = opt->depth == 0 ? 1 : depth_form ? 1 : slot + 1;
    if ((status = fit_prepare("sweep", argc, argv, 1, "--ranks A:B", opt, fitopts_kvec(opt), &Y, &P)) != EXIT_OK)
        goto done;
    path = argv[optind];
    jobs = calloc((size_t)njobs, sizeof *jobs);
    rows = calloc((size_t)njobs, sizeof *rows);
    if (!jobs || !rows) {
        cli_error("sweep: out of memory");
        status = EXIT_INPUT;
        goto done;
    }
    /* the largest widths first: they take longest, so the threads finish together */
    for (r = rb, i = 0; r >= ra; r--)
        for (s = 0; s < seeds; s++)
            for (k = 0; k < nr; k++, i++) {
                run_job *j = &jobs[i];
                j->opt = *opt;
                set_width(&j->opt, slot, r, depth_form);
                j->opt.seed = opt->seed + (uint64_t)s;
                j->opt.algo = rules[k];
                j->opt.log_every = 0;
                j->tag = r;
            }
    if (runs_execute_checked(P, jobs, (int)njobs, jobsn, report_progress_wanted(quiet), "sweep") < 0) {
        status = EXIT_INPUT;
        goto done;
    }
    for (i = 0; i < njobs; i++) {
        run_job *j = &jobs[i], *f = &jobs[i - i % nr];
        rule_row *w = &rows[i];
        w->r = j->tag;
        w->seed = (int64_t)j->opt.seed;
        w->rule = i % nr;
        if (j->status != LRFA_OK && j->status != LRFA_EDIVERGED && j->status != LRFA_EINTERRUPT) {
            cli_error("sweep: %s at r = %lld: %s", lrfa_algo_name(rules[w->rule]), (long long)w->r, j->err.message);
            status = EXIT_INPUT;
            continue;
        }
        if (!j->result || j->status == LRFA_EINTERRUPT) continue;
        w->ok = 1;
        w->diverged = j->status == LRFA_EDIVERGED;
        any_diverged |= w->diverged;
        w->converged = j->result->converged;
        w->no_fixed_point = j->result->no_fixed_point;
        w->opt = j->result->final.opt;
        w->error = j->result->final.error;
        w->fa_pred = j->result->fa_pred;
        w->align = mean_align(j->result);
        w->grad_align = j->result->final.layer[0].grad_align;
        w->iterations = j->result->iterations;
        w->stop = report_stop_name(j->result);
        w->overlap = f->result && f != j ? hidden_overlap(f->result, j->result, l_over) : NAN;
    }
    if (status != EXIT_OK) goto done;
    if (opt->depth == 0) snprintf(shape, sizeof shape, "two layers, r = %lld..%lld", (long long)ra, (long long)rb);
    else if (depth_form)
        snprintf(shape, sizeof shape, "L = %lld, every width r = %lld..%lld", (long long)opt->depth, (long long)ra,
                 (long long)rb);
    else {
        size_t n = 0;
        int64_t l;
        n += (size_t)snprintf(shape + n, sizeof shape - n, "widths ");
        for (l = 0; l + 1 < opt->depth && n < sizeof shape - 24; l++)
            n += (size_t)(l == slot ? snprintf(shape + n, sizeof shape - n, "%sR", l ? "," : "")
                                    : snprintf(shape + n, sizeof shape - n, "%s%lld", l ? "," : "",
                                               (long long)opt->widths[l]));
        snprintf(shape + n, sizeof shape - n, ", R = %lld..%lld", (long long)ra, (long long)rb);
    }
    {
        double fro = P->fro > 0 ? P->fro : 1.0;
        printf("sweep           %s (%lld x %lld%s), %s, %lld seed%s from %llu, rank(Y) = %lld\n\n",
               cli_display_name(path), (long long)cli_rows(P), (long long)P->m, opt->transpose ? ", transposed" : "", shape,
               (long long)seeds, seeds == 1 ? "" : "s", (unsigned long long)opt->seed, (long long)P->spectrum->rank);
        printf("  gaps over ||Y||_F (%s); pred: the predicted gap of fa and dfa ('no fp': dfa has\n"
               "  no fixed point); 'diverged': every run of that rule diverged\n\n",
               seeds > 1 ? "means over seeds" : "one seed");
        printf("%4s %-11s", depth_form || opt->depth == 0 ? "r" : "R", "opt");
        for (k = 0; k < nr; k++) {
            char h[32];
            snprintf(h, sizeof h, "%s gap", lrfa_algo_name(rules[k]));
            printf(" %-11s", h);
            if (rules[k] == LRFA_ALGO_FA || rules[k] == LRFA_ALGO_DFA) {
                snprintf(h, sizeof h, "%s pred", lrfa_algo_name(rules[k]));
                printf(" %-11s", h);
            }
        }
        printf("\n");
        for (r = ra; r <= rb; r++) {
            double o = NAN;
            for (i = 0; i < njobs; i++)
                if (rows[i].ok && rows[i].r == r) o = rows[i].opt;
            printf("%4lld %-11.3e", (long long)r, o / fro);
            for (k = 0; k < nr; k++) {
                agg g = {0, 0, 0, 0}, pg = {0, 0, 0, 0};
                int div = 0, nfp = 0, cnt = 0;
                char b[32];
                for (i = 0; i < njobs; i++) {
                    const rule_row *w = &rows[i];
                    if (!w->ok || w->r != r || w->rule != k) continue;
                    cnt++;
                    div += w->diverged;
                    nfp += w->no_fixed_point;
                    if (!w->diverged) agg_add(&g, (w->error - w->opt) / fro);
                    agg_add(&pg, (w->fa_pred - w->opt) / fro);
                }
                if (cnt && div == cnt) snprintf(b, sizeof b, "diverged");
                else if (g.n) snprintf(b, sizeof b, div ? "%.2e*" : "%.2e", agg_mean(&g));
                else snprintf(b, sizeof b, "-");
                printf(" %-11s", b);
                if (rules[k] == LRFA_ALGO_FA || rules[k] == LRFA_ALGO_DFA) {
                    if (nfp) snprintf(b, sizeof b, "no fp");
                    else if (pg.n) snprintf(b, sizeof b, "%.2e", agg_mean(&pg));
                    else snprintf(b, sizeof b, "-");
                    printf(" %-11s", b);
                }
            }
            printf("%s\n", r == P->spectrum->rank ? "  <- rank(Y)" : "");
        }
        if (any_diverged)
            printf("\nruns that diverged are left out of the means (* where only some seeds did)\n");
    }
    fflush(stdout);
    if (csv && (status = write_rules_csv(csv, rows, (int)njobs, rules, P->fro > 0 ? P->fro : 1.0)) != EXIT_OK)
        goto done;
    if (plot) {
        char dir[64] = "/tmp/lrfa-sweep.XXXXXX", dat[128], title[600];
        FILE *fp;
        double fro = P->fro > 0 ? P->fro : 1.0, lo = HUGE_VAL, hi = 0.0, floor = 1e-16;
        if (!mkdtemp(dir)) {
            cli_error("sweep: cannot create a temporary folder for the plot data");
            status = EXIT_INPUT;
            goto done;
        }
        snprintf(dat, sizeof dat, "%s/sweep.csv", dir);
        if (!(fp = fopen(dat, "w"))) {
            cli_error("sweep: cannot write the plot data");
            rmdir(dir);
            status = EXIT_INPUT;
            goto done;
        }
        fputs("r,opt", fp);
        for (k = 0; k < nr; k++) fprintf(fp, ",error_%d,pred_%d,align_%d,overlap_%d,diverged_%d", k, k, k, k, k);
        fputc('\n', fp);
        for (r = ra; r <= rb; r++) {
            double o = NAN;
            for (i = 0; i < njobs; i++)
                if (rows[i].ok && rows[i].r == r) o = rows[i].opt;
            fprintf(fp, "%lld,%.17g", (long long)r, fmax(o / fro, floor));
            for (k = 0; k < nr; k++) {
                agg e = {0, 0, 0, 0}, pr = {0, 0, 0, 0}, al = {0, 0, 0, 0}, ov = {0, 0, 0, 0};
                int cnt = 0, div = 0;
                for (i = 0; i < njobs; i++) {
                    const rule_row *w = &rows[i];
                    if (!w->ok || w->r != r || w->rule != k) continue;
                    cnt++;
                    div += w->diverged;
                    if (!w->diverged) agg_add(&e, fmax(w->error / fro, floor));
                    if (isfinite(w->fa_pred)) agg_add(&pr, fmax(w->fa_pred / fro, floor));
                    if (!w->diverged) agg_add(&al, w->align);
                    if (!w->diverged) agg_add(&ov, w->overlap);
                }
                if (e.n) lo = fmin(lo, agg_mean(&e)), hi = fmax(hi, agg_mean(&e));
                /* every run diverged: a marker at the top of the error panel */
                fprintf(fp, ",%.17g,%.17g,%.17g,%.17g,%s", agg_mean(&e), agg_mean(&pr), agg_mean(&al), agg_mean(&ov),
                        cnt && div == cnt ? "2" : "nan");
            }
            fputc('\n', fp);
        }
        fclose(fp);
        snprintf(xlabel, sizeof xlabel, "%s", depth_form || opt->depth == 0 ? "width r" : "width R of the marked layer");
        snprintf(title, sizeof title, "%s: %s", cli_display_name(path), shape);
        status = plot_sweep_rules(dat, plot, title, xlabel, P->spectrum->rank, rules, nr, hi > 10.0 * lo);
        unlink(dat);
        rmdir(dir);
    }
    if (status == EXIT_OK && any_diverged) {
        for (k = 0; k < nr; k++) {
            int div = 0, nfp = 0;
            for (i = 0; i < njobs; i++)
                if (rows[i].ok && rows[i].rule == k && rows[i].diverged) div++, nfp += rows[i].no_fixed_point;
            if (div)
                cli_error("sweep: %d run%s of %s diverged%s", div, div == 1 ? "" : "s", lrfa_algo_name(rules[k]),
                          nfp == div ? ", each without a fixed point (rank(B_1 Y) above the narrowest width)"
                          : nfp     ? ", some without a fixed point"
                                    : ": try a smaller --lr");
        }
        status = EXIT_NUMERIC;
    }
    if (status != EXIT_INPUT && cli_signal_status()) {
        cli_error("sweep: interrupted by %s; kept the runs that finished", cli_signal_name());
        status = cli_signal_status();
    }
done:
    sweep_free(jobs, (int)njobs, rows, P, Y);
    return status;
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
        {"rules", required_argument, NULL, 'U'},
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
    lrfa_algo rules[LRFA_ALGO_COUNT] = {LRFA_ALGO_GD, LRFA_ALGO_FA};
    int nrules = 2, shape;

    lrfa_options_default(&opt);
    fitopts_merge(longopts, 32, own);
    fitopts_allow_r = 1;
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
        case 'U':
            if ((nrules = cli_parse_rules("--rules", optarg, rules)) < 0) return EXIT_INPUT;
            break;
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
    if ((shape = fitopts_shape("sweep", &opt, 1)) < 0 || fitopts_check_combination("sweep", 0, rules, nrules) < 0)
        return EXIT_INPUT;
    if (fitopts_init_from) {
        cli_error("sweep: --init-from starts one network; a sweep varies the widths (use it with fit or compare)");
        return EXIT_INPUT;
    }
    if (shape || nrules != 2 || rules[0] != LRFA_ALGO_GD || rules[1] != LRFA_ALGO_FA) {
        status = sweep_rules(argc, argv, &opt, have_ranks, ra, rb, seeds, rules, nrules, (int)jobsn, quiet, csv, plot);
        goto done;
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
        w->overlap_z = lrfa_span_overlap_split(P->comm, g->result->Z, f->result->Z, g->result->Z->cols, NULL);
        w->w_gd_top = g->result->final.overlap_w_top;
        w->w_fa_top = f->result->final.overlap_w_top;
        w->align_zb = f->result->final.align_zb;
        w->grad_align = f->result->final.grad_align;
        w->product_diff =
            lrfa_product_diff_split(P->comm, g->result->Z, g->result->W, f->result->Z, f->result->W) / P->fro;
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
               cli_display_name(path), (long long)cli_rows(P), (long long)P->m, opt.transpose ? ", transposed" : "",
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
    sweep_free(jobs, (int)njobs, rows, P, Y);
    return status;
}
