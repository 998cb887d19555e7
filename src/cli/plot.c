/* plot.c: figures drawn by gnuplot. Each plot writes a gnuplot script to a
 * temporary file, renders into a temporary image beside the destination and
 * renames it into place, so a plot appears whole or not at all. PNG by
 * default (pngcairo), SVG when the name ends in .svg. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"

/* Writes s as a gnuplot single-quoted string ('' stands for '). */
static void gp_quote(FILE *fp, const char *s)
{
    fputc('\'', fp);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', fp);
        fputc(*s, fp);
    }
    fputc('\'', fp);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

struct plot {
    FILE *fp;          /* the script being written */
    char script[64];   /* its path */
    char *image_tmp;   /* where gnuplot draws */
    const char *out;   /* the destination */
};

static int plot_begin(struct plot *p, const char *out, int width, int height)
{
    int fd;
    size_t n = strlen(out) + 32;
    memset(p, 0, sizeof *p);
    p->out = out;
    strcpy(p->script, "/tmp/lrfa-plot.XXXXXX");
    fd = mkstemp(p->script);
    if (fd < 0 || !(p->fp = fdopen(fd, "w"))) {
        cli_error("plot: cannot create a temporary script: %s", strerror(errno));
        if (fd >= 0) close(fd);
        return 0;
    }
    p->image_tmp = malloc(n);
    if (!p->image_tmp) {
        fclose(p->fp);
        unlink(p->script);
        cli_error("plot: out of memory");
        return 0;
    }
    {
        /* a short hidden name in the destination's folder */
        const char *slash = strrchr(out, '/');
        size_t dirlen = slash ? (size_t)(slash - out + 1) : 0;
        memcpy(p->image_tmp, out, dirlen);
        snprintf(p->image_tmp + dirlen, 32, ".lrfa-plot-%06d.tmp", (int)(getpid() % 1000000));
    }
    if (ends_with(out, ".svg"))
        fprintf(p->fp, "set terminal svg size %d,%d dynamic font 'Sans,11' noenhanced background rgb 'white'\n", width, height);
    else
        fprintf(p->fp, "set terminal pngcairo size %d,%d font 'Sans,10' noenhanced\n", width, height);
    fputs("set output ", p->fp);
    gp_quote(p->fp, p->image_tmp);
    fputs("\nset datafile separator ','\nset datafile missing 'nan'\nset grid lc rgb '#dddddd'\n"
          "set key outside right top box opaque\nset lmargin at screen 0.09\nset rmargin at screen 0.68\nset style line 1 lc rgb '#1f77b4' lw 2\n"
          "set style line 2 lc rgb '#d62728' lw 2\nset style line 3 lc rgb '#2ca02c' lw 2 dt 2\n"
          "set style line 4 lc rgb '#000000' lw 1.5 dt 3\nset style line 5 lc rgb '#9467bd' lw 2\n"
          "set style line 6 lc rgb '#ff7f0e' lw 2\n", p->fp);
    return 1;
}

/* Runs gnuplot on the script and renames the image into place. */
static int plot_end(struct plot *p)
{
    int ok = 0, status;
    char cmd[160];
    fputs("unset multiplot\nset output\n", p->fp);
    if (fclose(p->fp) != 0) {
        cli_error("plot: cannot write the gnuplot script");
        goto done;
    }
    snprintf(cmd, sizeof cmd, "gnuplot %s 2>%s.err", p->script, p->script);
    status = system(cmd);
    if (status != 0) {
        char errpath[80], line[256] = "";
        FILE *ef;
        snprintf(errpath, sizeof errpath, "%s.err", p->script);
        ef = fopen(errpath, "r");
        if (ef) {
            if (!fgets(line, sizeof line, ef)) line[0] = '\0';
            fclose(ef);
        }
        line[strcspn(line, "\n")] = '\0';
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            cli_error("plot: gnuplot is not installed (make deps installs gnuplot-nox)");
        else
            cli_error("%s: gnuplot failed: %s", p->out, line[0] ? line : "no message");
        goto done;
    }
    if (rename(p->image_tmp, p->out) != 0) {
        cli_error("%s: cannot write: %s", p->out, strerror(errno));
        goto done;
    }
    ok = 1;
done:
    {
        char errpath[80];
        snprintf(errpath, sizeof errpath, "%s.err", p->script);
        unlink(errpath);
    }
    unlink(p->script);
    unlink(p->image_tmp);
    free(p->image_tmp);
    return ok;
}

/* Trace columns (report_trace_header): 1 iteration, 3 error, 5 opt, 6 gap,
 * 8 align_zb, 9 align_min_eig, 10 grad_align, 11 drift, 12 overlap_w_top,
 * 13 overlap_z_top. */
int plot_trace(const char *csv, const char *out, const char *title)
{
    struct plot p;
    if (!plot_begin(&p, out, 1000, 760)) return EXIT_INPUT;
    fputs("set multiplot layout 2,1 title ", p.fp);
    gp_quote(p.fp, title);
    fputs("\nset logscale y\nset format y '%.0e'\nset ylabel 'error, gap  (log scale)'\nset xlabel 'iteration'\n",
          p.fp);
    fputs("plot ", p.fp);
    gp_quote(p.fp, csv);
    fputs(" every ::1 using 1:3 with lines ls 1 title 'error ||ZW - Y||_F', '' every ::1 using 1:5 with lines ls 4 "
          "title 'optimum opt(r)', '' every ::1 using 1:($6 > 0 ? $6 : NaN) with lines ls 2 title 'gap = error - opt'\n",
          p.fp);
    fputs("unset logscale y\nset format y '%g'\nset ylabel 'alignment, overlap'\nset yrange [-1.05:1.05]\n", p.fp);
    fputs("plot ", p.fp);
    gp_quote(p.fp, csv);
    fputs(" every ::1 using 1:8 with lines ls 5 title 'align_zb (FA)', '' every ::1 using 1:10 with lines ls 6 "
          "title 'grad_align (FA)', '' every ::1 using 1:12 with lines ls 3 title 'overlap row(W), top-r'\n",
          p.fp);
    return plot_end(&p) ? EXIT_OK : EXIT_INPUT;
}

int plot_compare(const char *gd_csv, const char *fa_csv, const char *out, const char *title, double opt,
                 double fa_pred)
{
    struct plot p;
    if (!plot_begin(&p, out, 1000, 760)) return EXIT_INPUT;
    fputs("set multiplot layout 2,1 title ", p.fp);
    gp_quote(p.fp, title);
    fputs("\nset logscale y\nset format y '%.0e'\nset ylabel 'error ||ZW - Y||_F  (log scale)'\n"
          "set xlabel 'iteration'\n", p.fp);
    fputs("plot ", p.fp);
    gp_quote(p.fp, gd_csv);
    fputs(" every ::1 using 1:3 with lines ls 1 title 'GD error', ", p.fp);
    gp_quote(p.fp, fa_csv);
    fprintf(p.fp, " every ::1 using 1:3 with lines ls 2 title 'FA error', %.17g with lines ls 4 title 'optimum opt(r)'",
            opt);
    if (fa_pred > 0) fprintf(p.fp, ", %.17g with lines ls 3 title 'FA prediction'", fa_pred);
    fputs("\nunset logscale y\nset format y '%g'\nset ylabel 'alignment, overlap'\nset yrange [-1.05:1.05]\n",
          p.fp);
    fputs("plot ", p.fp);
    gp_quote(p.fp, fa_csv);
    fputs(" every ::1 using 1:8 with lines ls 5 title 'FA align_zb', ", p.fp);
    gp_quote(p.fp, gd_csv);
    fputs(" every ::1 using 1:12 with lines ls 1 title 'GD overlap row(W), top-r', ", p.fp);
    gp_quote(p.fp, fa_csv);
    fputs(" every ::1 using 1:12 with lines ls 2 title 'FA overlap row(W), top-r'\n", p.fp);
    return plot_end(&p) ? EXIT_OK : EXIT_INPUT;
}

/* Sweep data columns (written by cmd_sweep, aggregated over seeds):
 * 1 r, 2 opt, 3 gd_error, 4 fa_error, 5 fa_pred, 6 fa_error_min, 7 fa_error_max,
 * 8 overlap_w, 9 overlap_w_min, 10 overlap_w_max, 11 overlap_w_fa_top, 12 align_zb;
 * errors are relative to ||Y||_F, zeros drawn at the floor. */
int plot_sweep(const char *dat, const char *out, const char *title, int64_t rank, double floor, int logscale,
               int64_t ra, int64_t rb)
{
    struct plot p;
    int shown = rank >= ra && rank <= rb;
    if (!plot_begin(&p, out, 1000, 800)) return EXIT_INPUT;
    fputs("set multiplot layout 2,1 title ", p.fp);
    gp_quote(p.fp, title);
    if (logscale)
        fprintf(p.fp, "\nset logscale y\nset format y '%%.0e'\n"
                      "set ylabel 'error / ||Y||_F  (log scale; 0 drawn at %.0e)'\n", floor);
    else
        fputs("\nset ylabel 'error / ||Y||_F'\n", p.fp);
    fputs("set xlabel 'rank r'\nset xtics 1\nset offsets 0.5, 0.5, 0, 0\n", p.fp);
    if (shown)
        fprintf(p.fp, "set arrow 1 from %lld, graph 0 to %lld, graph 1 nohead lc rgb '#888888' dt 4 lw 1.5\n"
                      "set label 1 'rank(Y) = %lld' at %lld, graph 0.95 left offset 0.5,0 tc rgb '#555555'\n",
                (long long)rank, (long long)rank, (long long)rank, (long long)rank);
    else
        fprintf(p.fp, "set label 1 'rank(Y) = %lld, beyond the ranks shown' at graph 0.02, graph 0.06 left "
                      "tc rgb '#555555'\n", (long long)rank);
    fputs("plot ", p.fp);
    gp_quote(p.fp, dat);
    fputs(" every ::1 using 1:3 with linespoints ls 1 pt 7 title 'GD', '' every ::1 using 1:4:6:7 with yerrorlines "
          "ls 2 pt 5 title 'FA (min-max over seeds)', '' every ::1 using 1:5 with linespoints ls 3 pt 4 "
          "title 'FA prediction', '' every ::1 using 1:2 with lines ls 4 title 'optimum opt(r)'\n", p.fp);
    if (!shown) fputs("unset label 1\n", p.fp);
    fputs("unset logscale y\nset format y '%g'\nset ylabel 'overlap, alignment'\nset yrange [-0.05:1.05]\n", p.fp);
    fputs("plot ", p.fp);
    gp_quote(p.fp, dat);
    fputs(" every ::1 using 1:11 with linespoints ls 2 pt 5 title 'overlap row(W_FA), top-r', "
          "'' every ::1 using 1:8:9:10 with yerrorlines ls 5 pt 6 ps 2 title 'overlap row(W_GD), row(W_FA)', "
          "'' every ::1 using 1:12 with linespoints ls 6 pt 9 title 'FA align_zb'\n", p.fp);
    return plot_end(&p) ? EXIT_OK : EXIT_INPUT;
}

/* Sweep over rules (written by cmd_sweep): 1 r, 2 opt, then five columns per
 * rule k (from 3 + 5k): error, predicted limit, alignment, overlap with the
 * first rule, and 2 where every run diverged; errors over ||Y||_F, nan where
 * a figure does not apply or every run diverged. */
int plot_sweep_rules(const char *dat, const char *out, const char *title, const char *xlabel, int64_t rank,
                     const lrfa_algo *rules, int nr, int logscale)
{
    struct plot p;
    int k, first = 1;
    if (!plot_begin(&p, out, 1000, 800)) return EXIT_INPUT;
    fputs("set datafile missing 'nan'\nset multiplot layout 2,1 title ", p.fp);
    gp_quote(p.fp, title);
    if (logscale) fputs("\nset logscale y\nset format y '%.0e'\nset ylabel 'error / ||Y||_F  (log scale)'\n", p.fp);
    else fputs("\nset ylabel 'error / ||Y||_F'\n", p.fp);
    fputs("set xtics 1\nset offsets 0.5, 0.5, 0, 0\nset xlabel ", p.fp);
    gp_quote(p.fp, xlabel);
    fprintf(p.fp, "\nset arrow 1 from %lld, graph 0 to %lld, graph 1 nohead lc rgb '#888888' dt 4 lw 1.5\n"
                  "set label 1 'rank(Y) = %lld' at %lld, graph 0.95 left offset 0.5,0 tc rgb '#555555'\n",
            (long long)rank, (long long)rank, (long long)rank, (long long)rank);
    fputs("plot ", p.fp);
    for (k = 0; k < nr; k++) {
        if (!first) fputs(", ", p.fp);
        first = 0;
        gp_quote(p.fp, dat);
        fprintf(p.fp, " every ::1 using 1:%d with linespoints ls %d pt 7 title '%s'", 3 + 5 * k, k + 1,
                lrfa_algo_name(rules[k]));
        if (rules[k] == LRFA_ALGO_FA || rules[k] == LRFA_ALGO_DFA)
            fprintf(p.fp, ", '' every ::1 using 1:%d with lines ls %d dt 2 title '%s prediction'", 4 + 5 * k, k + 1,
                    lrfa_algo_name(rules[k]));
        fprintf(p.fp, ", '' every ::1 using 1:%d with points ls %d pt 2 ps 2 title '%s diverged'", 7 + 5 * k, k + 1,
                lrfa_algo_name(rules[k]));
    }
    fputs(", '' every ::1 using 1:2 with lines lc rgb '#000000' lw 1 title 'optimum opt(r)'\n", p.fp);
    fputs("unset logscale y\nset format y '%g'\nset ylabel 'alignment, overlap'\nset yrange [-1.05:1.05]\n", p.fp);
    fputs("plot ", p.fp);
    first = 1;
    for (k = 0; k < nr; k++) {
        if (rules[k] == LRFA_ALGO_GD) continue;
        if (!first) fputs(", ", p.fp);
        first = 0;
        gp_quote(p.fp, dat);
        fprintf(p.fp, " every ::1 using 1:%d with linespoints ls %d pt 5 title '%s: mean weight alignment', "
                      "'' every ::1 using 1:%d with linespoints ls %d pt 6 dt 3 title '%s: overlap with %s'",
                5 + 5 * k, k + 1, lrfa_algo_name(rules[k]), 6 + 5 * k, k + 1, lrfa_algo_name(rules[k]),
                lrfa_algo_name(rules[0]));
    }
    if (first) fputs("0 notitle", p.fp);
    fputs("\n", p.fp);
    return plot_end(&p) ? EXIT_OK : EXIT_INPUT;
}
