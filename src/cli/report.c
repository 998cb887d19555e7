/* report.c: how fit results are printed (table, JSON, trace CSV) and saved. */
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

const char *report_stop_name(const lrfa_result *res)
{
    return res->stop == LRFA_STOP_CONVERGED   ? "converged"
           : res->stop == LRFA_STOP_MAX_ITERS ? "iteration limit"
           : res->stop == LRFA_STOP_DIVERGED  ? "diverged"
                                              : "interrupted";
}

void report_fit_json(json_writer *w, const lrfa_result *res)
{
    int fa = res->algo == LRFA_ALGO_FA;
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
    num_or_null(w, "fa_pred", res->fa_pred, fa);
    num_or_null(w, "fa_pred_gap", res->fa_pred - f->opt, fa);
    num_or_null(w, "conservation_drift", f->drift, 1);
    num_or_null(w, "conservation_terms", f->conservation_terms, 1);
    num_or_null(w, "overlap_w_top", f->overlap_w_top, 1);
    num_or_null(w, "overlap_z_top", f->overlap_z_top, 1);
    num_or_null(w, "lr", res->lr, 1);
    num_or_null(w, "seconds", res->seconds, 1);
    num_or_null(w, "iter_seconds", res->iter_seconds, 1);
    num_or_null(w, "ms_per_iter", res->iterations ? 1e3 * res->iter_seconds / (double)res->iterations : NAN, 1);
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
    int fa = res->algo == LRFA_ALGO_FA;
    fprintf(fp, "iterations      %lld (%s)\n", (long long)res->iterations, report_stop_name(res));
    fprintf(fp, "error           %s%s\n", fmt(b, f->error), f->exact ? "" : "  (Gram identity)");
    fprintf(fp, "opt(r)          %s\n", fmt(b, f->opt));
    fprintf(fp, "gap             %.3e  (%.3e of ||Y||_F)%s\n", f->gap, f->rel_gap,
            res->opt_suspect ? "  SUSPECT: below opt(r), so opt(r) is wrong" : "");
    if (fa) {
        fprintf(fp, "fa_pred         %s  (%.3e of ||Y||_F above opt)\n", fmt(b, res->fa_pred),
                res->fro > 0 ? (res->fa_pred - f->opt) / res->fro : 0.0);
        fprintf(fp, "align_zb        %s\n", fmt(b, f->align_zb));
        fprintf(fp, "align_min_eig   %s\n", fmt(b, f->align_min_eig));
        fprintf(fp, "grad_align      %s\n", fmt(b, f->grad_align));
    }
    fprintf(fp, "drift           %.3e  (%s law)\n", f->drift,
            fa ? "W W^T - B Z - Z^T B^T" : "Z^T Z - W W^T");
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
    fputc('\n', fp);
}

int report_write_trace(const char *path, const lrfa_result *res)
{
    lrfa_outfile of;
    lrfa_error err = {0};
    int64_t i;
    if (lrfa_outfile_open(&of, path, &err) != LRFA_OK) return cli_lib_error(&err);
    fprintf(of.fp, "%s\n", report_trace_header());
    for (i = 0; i < res->trace_len; i++) report_trace_row(of.fp, &res->trace[i]);
    if (lrfa_outfile_commit(&of, &err) != LRFA_OK) return cli_lib_error(&err);
    return EXIT_OK;
}

/* Writes PREFIX_Z.mtx, PREFIX_W.mtx and (FA) PREFIX_B.mtx: each goes to a
 * temporary file first, and they are renamed into place only once all are
 * written, so a failure leaves none of them. */
int report_save_factors(const char *prefix, const lrfa_result *res, const char *comment)
{
    static const char *names[3] = {"Z", "W", "B"};
    const lrfa_dense *mats[3];
    lrfa_outfile of[3];
    lrfa_error err = {0};
    int i, count = res->B ? 3 : 2, opened = 0, status = EXIT_OK;
    size_t n = strlen(prefix) + 8;
    char *path = malloc(n);
    mats[0] = res->Z;
    mats[1] = res->W;
    mats[2] = res->B;
    if (!path) {
        cli_error("--save: out of memory");
        return EXIT_INPUT;
    }
    for (i = 0; i < count; i++) {
        snprintf(path, n, "%s_%s.mtx", prefix, names[i]);
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
