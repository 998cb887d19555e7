/* report.c: how fit results are printed (table, JSON, trace CSV) and saved. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static void num_or_null(json_writer *w, const char *key, double v, int applies)
{
    if (applies && isfinite(v)) json_num(w, key, v);
    else json_null(w, key);
}

/* a signal cosine whose rounding (signal_cancel eps) reaches its printed
 * sixth digit */
static int rounding(double cancel)
{
    return isfinite(cancel) && DBL_EPSILON * cancel > 5e-7;
}

const char *report_stop_name(const lrfa_result *res)
{
    return res->stop == LRFA_STOP_CONVERGED   ? "converged"
           : res->stop == LRFA_STOP_MAX_ITERS ? "iteration limit"
           : res->stop == LRFA_STOP_DIVERGED  ? "diverged"
                                              : "interrupted";
}

const char *report_rule_title(lrfa_algo a)
{
    switch (a) {
    case LRFA_ALGO_FA: return "feedback alignment";
    case LRFA_ALGO_DFA: return "direct feedback alignment";
    case LRFA_ALGO_KP: return "Kolen-Pollack";
    case LRFA_ALGO_SIGN: return "sign symmetry";
    default: return "gradient descent";
    }
}

const char *report_widths(const lrfa_result *res)
{
    static char buf[LRFA_MAX_LAYERS * 22];
    size_t k = 0;
    int64_t l;
    buf[0] = 0;
    for (l = 1; l < res->depth && k < sizeof buf - 24; l++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%lld", l > 1 ? "," : "", (long long)res->widths[l]);
    return buf;
}

/* the law a layer pair reports, in words */
static const char *law_name(lrfa_algo a, int64_t L, int64_t l)
{
    switch (a) {
    case LRFA_ALGO_GD: return "W_{l+1}^T W_{l+1} - W_l W_l^T";
    case LRFA_ALGO_FA: return "W_l W_l^T - B_l W_{l+1} - W_{l+1}^T B_l^T";
    case LRFA_ALGO_DFA: return l == L - 1 ? "W_l W_l^T - B_l W_{l+1} - W_{l+1}^T B_l^T" : "none";
    case LRFA_ALGO_KP: return "(B_l - W_{l+1}^T) / (1 - eta lambda)^t";
    default: return "none";
    }
}

static void layers_json(json_writer *w, const lrfa_result *res)
{
    const lrfa_figures *f = &res->final;
    int64_t l, L = res->depth;
    json_int(w, "depth", L);
    json_key_array(w, "widths");
    for (l = 1; l < L; l++) json_int(w, NULL, res->widths[l]);
    json_close_array(w);
    json_key_array(w, "layers");
    for (l = 0; l < L; l++) {
        const lrfa_layer_figures *y = &f->layer[l];
        json_key_object(w, NULL);
        json_int(w, "layer", l + 1);
        json_int(w, "rows", res->widths[l + 1]);
        json_int(w, "cols", res->widths[l]);
        num_or_null(w, "norm", y->norm, 1);
        num_or_null(w, "align", y->align, 1);
        num_or_null(w, "align_min_eig", y->align_min_eig, 1);
        num_or_null(w, "feedback_ratio", y->feedback_ratio, 1);
        num_or_null(w, "grad_align", y->grad_align, 1);
        num_or_null(w, "delta_align", y->delta_align, 1);
        num_or_null(w, "conservation_drift", y->drift, 1);
        num_or_null(w, "conservation_terms", y->conservation_terms, 1);
        num_or_null(w, "overlap_h_top", y->overlap_h, 1);
        num_or_null(w, "overlap_above_top", y->overlap_top, 1);
        num_or_null(w, "dfa_a_cond", y->dfa_cond, 1);
        num_or_null(w, "dfa_structure_residual", y->dfa_residual, 1);
        num_or_null(w, "signal_cancellation", y->signal_cancel, 1);
        json_close_object(w);
    }
    json_close_array(w);
    json_int(w, "pred_rank", res->pred_rank);
    json_bool(w, "no_fixed_point", res->no_fixed_point);
    num_or_null(w, "decay_lambda", res->lambda, res->algo == LRFA_ALGO_KP);
}

void report_fit_json(json_writer *w, const lrfa_result *res)
{
    int fa = res->algo != LRFA_ALGO_GD && res->depth == 2;
    int pred = res->algo == LRFA_ALGO_FA || res->algo == LRFA_ALGO_DFA;
    const lrfa_figures *f = &res->final;
    json_str(w, "algo", lrfa_algo_name(res->algo));
    json_int(w, "r", res->r);
    json_int(w, "rows", res->n);
    json_int(w, "cols", res->m);
    json_int(w, "iterations", res->iterations);
    json_bool(w, "converged", res->converged);
    json_str(w, "stop", res->stop == LRFA_STOP_CONVERGED ? "converged"
                        : res->stop == LRFA_STOP_MAX_ITERS ? "max_iters"
                        : res->stop == LRFA_STOP_DIVERGED ? "diverged" : "interrupted");
    num_or_null(w, "error", f->error, 1);
    json_bool(w, "error_exact", f->exact);
    num_or_null(w, "opt", f->opt, 1);
    num_or_null(w, "gap", f->gap, 1);
    num_or_null(w, "rel_gap", f->rel_gap, 1);
    json_bool(w, "opt_suspect", res->opt_suspect);
    num_or_null(w, "fro_norm", res->fro, 1);
    num_or_null(w, "align_zb", f->align_zb, fa);
    num_or_null(w, "align_min_eig", f->align_min_eig, fa);
    num_or_null(w, "grad_align", f->grad_align, fa);
    num_or_null(w, "signal_cancellation", f->layer[0].signal_cancel, fa);
    num_or_null(w, "fa_pred", res->fa_pred, pred);
    num_or_null(w, "fa_pred_gap", res->fa_pred - f->opt, pred);
    num_or_null(w, "conservation_drift", f->drift, 1);
    num_or_null(w, "conservation_terms", f->conservation_terms, 1);
    num_or_null(w, "overlap_w_top", f->overlap_w_top, 1);
    num_or_null(w, "overlap_z_top", f->overlap_z_top, 1);
    num_or_null(w, "lr", res->lr, 1);
    num_or_null(w, "seconds", res->seconds, 1);
    num_or_null(w, "iter_seconds", res->iter_seconds, 1);
    num_or_null(w, "ms_per_iter", res->iterations ? 1e3 * res->iter_seconds / (double)res->iterations : NAN, 1);
    json_str(w, "rule", lrfa_algo_name(res->algo));
    layers_json(w, res);
}

static const char *fmt(char *buf, double v)
{
    if (!isfinite(v)) return "-";
    snprintf(buf, 32, "%.10g", v);
    return buf;
}

void report_fit_table(FILE *fp, const lrfa_result *res)
{
    char b[32];
    const lrfa_figures *f = &res->final;
    int fa = res->algo != LRFA_ALGO_GD, pred = res->algo == LRFA_ALGO_FA || res->algo == LRFA_ALGO_DFA;
    int64_t l, L = res->depth;
    fprintf(fp, "iterations      %lld (%s)\n", (long long)res->iterations, report_stop_name(res));
    fprintf(fp, "error           %s%s\n", fmt(b, f->error), f->exact ? "" : "  (Gram identity)");
    fprintf(fp, "opt(r)          %s\n", fmt(b, f->opt));
    fprintf(fp, "gap             %.3e  (%.3e of ||Y||_F)%s\n", f->gap, f->rel_gap,
            res->opt_suspect ? "  SUSPECT: below opt(r), so opt(r) is wrong" : "");
    if (res->no_fixed_point)
        fprintf(fp, "fa_pred         -  (no fixed point: rank(B_1 Y) = %lld exceeds the narrowest width %lld)\n",
                (long long)res->pred_rank, (long long)res->r);
    else if (pred) {
        fprintf(fp, "fa_pred         %s  (%.3e of ||Y||_F above opt)\n", fmt(b, res->fa_pred),
                res->fro > 0 ? (res->fa_pred - f->opt) / res->fro : 0.0);
        /* a run that stopped away from its predicted limit says so */
        if (res->stop != LRFA_STOP_DIVERGED && res->fro > 0 && fabs(f->error - res->fa_pred) > 1e-6 * res->fro)
            fprintf(fp, "  note: the run ended %.2e of ||Y||_F %s its predicted limit%s\n",
                    fabs(f->error - res->fa_pred) / res->fro, f->error > res->fa_pred ? "above" : "below",
                    f->error > res->fa_pred ? " (with widths above rank(Y) the start's unused directions decay only "
                                              "slowly; --init-scale 0 leaves none)"
                                            : "");
    }
    if (L > 2) {
        fprintf(fp, "layer  shape         ||W_l||_F    align      grad_align  drift      overlap h  overlap top\n");
        for (l = 0; l < L; l++) {
            const lrfa_layer_figures *y = &f->layer[l];
            char sh[32], c[6][32];
            snprintf(sh, sizeof sh, "%lld x %lld", (long long)res->widths[l + 1], (long long)res->widths[l]);
            fprintf(fp, "%-6lld %-13s %-12s %-10s %-11s %-10s %-10s %s\n", (long long)(l + 1), sh,
                    fmt(c[0], y->norm), isfinite(y->align) ? (snprintf(c[1], 32, "%.6f", y->align), c[1]) : "-",
                    isfinite(y->grad_align) ? (snprintf(c[2], 32, "%.6f", y->grad_align), c[2]) : "-",
                    isfinite(y->drift) ? (snprintf(c[3], 32, "%.3e", y->drift), c[3]) : "-",
                    isfinite(y->overlap_h) ? (snprintf(c[4], 32, "%.4f", y->overlap_h), c[4]) : "-",
                    isfinite(y->overlap_top) ? (snprintf(c[5], 32, "%.4f", y->overlap_top), c[5]) : "-");
        }
        fprintf(fp, "  align: %s; drift: the pair (l, l+1) law %s\n",
                res->algo == LRFA_ALGO_GD    ? "- (backpropagation uses W itself)"
                : res->algo == LRFA_ALGO_DFA ? "cos(W_l, B_l B_{l-1}^T), top cos(W_L^T, B_{L-1})"
                                             : "cos(W_l^T, feedback of layer l-1)",
                law_name(res->algo, L, 1));
        if (res->algo == LRFA_ALGO_DFA && L > 2)
            fprintf(fp, "  (dfa conserves only the top pair's law)\n");
        for (l = 0; l < L; l++)
            if (rounding(f->layer[l].signal_cancel))
                fprintf(fp, "  grad_align of W_%lld is uncertain by about %.0e: its signals cancel %.0e to 1\n",
                        (long long)(l + 1), DBL_EPSILON * f->layer[l].signal_cancel, f->layer[l].signal_cancel);
        if (res->algo == LRFA_ALGO_DFA && isfinite(f->layer[0].dfa_residual)) {
            fprintf(fp, "dfa alignment matrices A_l (W_l = B_l A_l B_{l-1}^T):\n  cond(A_l)   ");
            for (l = 0; l < L; l++) fprintf(fp, " %.4g", f->layer[l].dfa_cond);
            fprintf(fp, "\n  residual    ");
            for (l = 0; l < L; l++) fprintf(fp, " %.2e", f->layer[l].dfa_residual);
            fprintf(fp, "\n");
        }
        fprintf(fp, "step size       %.6g\n", res->lr);
        fprintf(fp, "time            %.3f s  (iterations %.3f s, %.4g ms each)\n", res->seconds, res->iter_seconds,
                res->iterations ? 1e3 * res->iter_seconds / (double)res->iterations : 0.0);
        return;
    }
    if (fa) {
        fprintf(fp, "align_zb        %s\n", fmt(b, f->align_zb));
        fprintf(fp, "align_min_eig   %s\n", fmt(b, f->align_min_eig));
        fprintf(fp, "grad_align      %s", fmt(b, f->grad_align));
        if (rounding(f->layer[0].signal_cancel))
            fprintf(fp, "  (uncertain by about %.0e: B E and Z^T E cancel %.0e to 1 near the fixed point)",
                    DBL_EPSILON * f->layer[0].signal_cancel, f->layer[0].signal_cancel);
        fprintf(fp, "\n");
    }
    if (res->algo == LRFA_ALGO_SIGN)
        fprintf(fp, "drift           -  (sign symmetry conserves no law)\n");
    else
        fprintf(fp, "drift           %.3e  (%s law)\n", f->drift,
                res->algo == LRFA_ALGO_KP ? "(B - Z^T) / (1 - eta lambda)^t"
                : fa                      ? "W W^T - B Z - Z^T B^T"
                                          : "Z^T Z - W W^T");
    fprintf(fp, "overlap W, top  %s\n", fmt(b, f->overlap_w_top));
    fprintf(fp, "overlap Z, top  %s\n", fmt(b, f->overlap_z_top));
    fprintf(fp, "step size       %.6g\n", res->lr);
    fprintf(fp, "time            %.3f s  (iterations %.3f s, %.4g ms each)\n", res->seconds, res->iter_seconds,
            res->iterations ? 1e3 * res->iter_seconds / (double)res->iterations : 0.0);
}

static void csv_num(FILE *fp, double v)
{
    char b[32];
    if (isfinite(v)) fputs(cli_fmt_double(b, v), fp);
    else fputs("nan", fp);
}

const char *report_trace_header(void)
{
    return "iteration,seconds,error,exact,opt,gap,rel_gap,align_zb,align_min_eig,grad_align,"
           "conservation_drift,overlap_w_top,overlap_z_top,conservation_terms";
}

/* deep networks: a column per layer and figure after the two-layer ones */
static void trace_header_layers(FILE *fp, int64_t L)
{
    static const char *names[] = {"norm", "align", "grad_align", "drift", "overlap_h"};
    size_t k;
    int64_t l;
    for (k = 0; k < sizeof names / sizeof names[0]; k++)
        for (l = 1; l <= L; l++) fprintf(fp, ",%s_%lld", names[k], (long long)l);
}

static void trace_row_layers(FILE *fp, const lrfa_figures *f, int64_t L)
{
    int64_t l;
    for (l = 0; l < L; l++) fputc(',', fp), csv_num(fp, f->layer[l].norm);
    for (l = 0; l < L; l++) fputc(',', fp), csv_num(fp, f->layer[l].align);
    for (l = 0; l < L; l++) fputc(',', fp), csv_num(fp, f->layer[l].grad_align);
    for (l = 0; l < L; l++) fputc(',', fp), csv_num(fp, f->layer[l].drift);
    for (l = 0; l < L; l++) fputc(',', fp), csv_num(fp, f->layer[l].overlap_h);
}

void report_trace_row(FILE *fp, const lrfa_figures *f)
{
    fprintf(fp, "%lld,", (long long)f->iteration);
    csv_num(fp, f->seconds);
    fputc(',', fp);
    csv_num(fp, f->error);
    fprintf(fp, ",%d,", f->exact);
    csv_num(fp, f->opt);
    fputc(',', fp);
    csv_num(fp, f->gap);
    fputc(',', fp);
    csv_num(fp, f->rel_gap);
    fputc(',', fp);
    csv_num(fp, f->align_zb);
    fputc(',', fp);
    csv_num(fp, f->align_min_eig);
    fputc(',', fp);
    csv_num(fp, f->grad_align);
    fputc(',', fp);
    csv_num(fp, f->drift);
    fputc(',', fp);
    csv_num(fp, f->overlap_w_top);
    fputc(',', fp);
    csv_num(fp, f->overlap_z_top);
    fputc(',', fp);
    csv_num(fp, f->conservation_terms);
}

int report_write_trace(const char *path, const lrfa_result *res)
{
    lrfa_outfile of;
    lrfa_error err = {0};
    int64_t i;
#ifdef LRFA_MPI
    if (cli_mpi_rank() != 0) return EXIT_OK; /* the figures are every process's: rank 0 writes them */
#endif
    if (lrfa_outfile_open(&of, path, &err) != LRFA_OK) return cli_lib_error(&err);
    fputs(report_trace_header(), of.fp);
    if (res->depth > 2) trace_header_layers(of.fp, res->depth);
    fputc('\n', of.fp);
    for (i = 0; i < res->trace_len; i++) {
        report_trace_row(of.fp, &res->trace[i]);
        if (res->depth > 2) trace_row_layers(of.fp, &res->trace[i], res->depth);
        fputc('\n', of.fp);
    }
    if (lrfa_outfile_commit(&of, &err) != LRFA_OK) return cli_lib_error(&err);
    return EXIT_OK;
}

/* Writes PREFIX_Z.mtx, PREFIX_W.mtx and PREFIX_B.mtx (when there is
 * feedback) for two layers, PREFIX_W1.mtx .. PREFIX_WL.mtx and PREFIX_B1.mtx
 * .. deeper: each goes to a temporary file first, and they are renamed into
 * place only once all are written, so a failure leaves none of them. */
int report_save_factors(const char *prefix, const lrfa_result *res, const char *comment)
{
    const lrfa_dense *mats[2 * LRFA_MAX_LAYERS];
    int split[2 * LRFA_MAX_LAYERS]; /* lrfa-mpi: 1 rows, 2 columns split between processes */
    char names[2 * LRFA_MAX_LAYERS][8];
    lrfa_outfile of[2 * LRFA_MAX_LAYERS];
    lrfa_error err = {0};
    int i, count = 0, opened = 0, status = EXIT_OK;
    int64_t l, L = res->depth;
    size_t n = strlen(prefix) + 12;
    char *path = malloc(n);
    if (L == 2) {
        split[count] = 1, mats[count] = res->Z, snprintf(names[count++], 8, "Z");
        split[count] = 0, mats[count] = res->W, snprintf(names[count++], 8, "W");
        if (res->B) split[count] = 2, mats[count] = res->B, snprintf(names[count++], 8, "B");
    } else {
        for (l = 0; l < L; l++)
            split[count] = l == L - 1, mats[count] = res->weights[l],
            snprintf(names[count++], 8, "W%lld", (long long)(l + 1));
        for (l = 0; l + 1 < L; l++)
            if (res->feedback[l])
                split[count] = l == L - 2 || res->algo == LRFA_ALGO_DFA ? 2 : 0, mats[count] = res->feedback[l],
                snprintf(names[count++], 8, "B%lld", (long long)(l + 1));
    }
    if (!path) {
        cli_error("--save: out of memory");
        return EXIT_INPUT;
    }
    for (i = 0; i < count; i++) {
        snprintf(path, n, "%s_%s.mtx", prefix, names[i]);
#ifdef LRFA_MPI
        /* rank 0 writes, gathering the split factors a column at a time */
        {
            int bad = cli_mpi_rank() == 0 && lrfa_outfile_open(&of[i], path, &err) != LRFA_OK;
            if (cli_mpi_root_status(bad)) {
                status = cli_mpi_rank() == 0 ? cli_lib_error(&err) : EXIT_INPUT;
                break;
            }
            if (cli_mpi_rank() == 0) opened++;
            if (cli_mpi_write_dense(cli_mpi_rank() == 0 ? of[i].fp : NULL, mats[i], split[i], comment) ||
                (cli_mpi_rank() == 0 && fflush(of[i].fp) != 0)) {
                if (cli_mpi_rank() == 0) cli_error("%s: write error", path);
                status = EXIT_INPUT;
                break;
            }
            continue;
        }
#endif
        (void)split;
        if (lrfa_outfile_open(&of[i], path, &err) != LRFA_OK) {
            status = cli_lib_error(&err);
            break;
        }
        opened++;
        if (lrfa_mm_write_dense(of[i].fp, path, mats[i], comment, &err) != LRFA_OK || fflush(of[i].fp) != 0) {
            status = err.message[0] ? cli_lib_error(&err) : (cli_error("%s: write error", path), EXIT_INPUT);
            break;
        }
    }
    for (i = 0; i < opened; i++) {
        if (status != EXIT_OK) lrfa_outfile_abort(&of[i]);
        else if (lrfa_outfile_commit(&of[i], &err) != LRFA_OK) status = cli_lib_error(&err);
    }
    free(path);
    return status;
}

/* ---- progress on a terminal ---- */

int report_progress(const lrfa_progress *p, void *data)
{
    progress_state *ps = data;
    double now = p->seconds;
    if (now - ps->last < 0.2 && p->iteration < p->max_iters) return 0;
    ps->last = now;
    {
        double rate = now > 0 ? (double)p->iteration / now : 0.0;
        double left = rate > 0 ? (double)(p->max_iters - p->iteration) / rate : 0.0;
        fprintf(stderr, "\r%s iteration %lld/%lld  error %.4e  gap %.3e  %.0f it/s  at most %.0f s left   ",
                ps->label, (long long)p->iteration, (long long)p->max_iters, p->error, p->gap, rate, left);
        ps->shown = 1;
    }
    return 0;
}

void report_progress_clear(progress_state *ps)
{
    if (ps->shown) fprintf(stderr, "\r%*s\r", 110, "");
    ps->shown = 0;
}

int report_progress_wanted(int quiet)
{
    return !quiet && isatty(STDERR_FILENO);
}
