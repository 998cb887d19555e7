/* cli.h: shared pieces of the lrfa command (not part of the library). */
#ifndef LRFA_CLI_H
#define LRFA_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include "lrfa/lrfa.h"

/* Exit statuses of the command line contract. */
enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_NUMERIC = 2 };

/* Subcommands: each takes argc/argv starting at the subcommand's name. */
int cmd_info(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

/* Prints "lrfa: MESSAGE" (one line) to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the library's error and returns the matching exit status. */
int cli_lib_error(const lrfa_error *err);
/* Reads a Matrix Market file ('-': standard input) into *Y, printing the
 * library's error (returning its exit status) or, for a pattern file with
 * a value column, a one-line notice that the values are ignored. */
int cli_read_matrix(const char *path, lrfa_matrix **Y, lrfa_mm_header *hdr);
/* Reports an unknown option or a missing argument as getopt found it. */
int cli_bad_option(const char *cmd, int optopt_char, const char *arg);

/* Strict option values: the whole string must be a number in [lo, hi];
 * on failure an error naming the option is printed and 0 returned. */
int cli_parse_i64(const char *opt, const char *s, int64_t lo, int64_t hi, int64_t *out);
int cli_parse_u64(const char *opt, const char *s, uint64_t *out);
int cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out);

/* Shortest %g text that reads back as exactly v ("null" for NaN/inf is the
 * caller's business). buf needs 32 bytes. */
const char *cli_fmt_double(char *buf, double v);

/* A minimal JSON writer: top-level keys one per line, the rest inline. */
typedef struct json_writer {
    FILE *fp;
    int depth;
    int count[16];  /* items written at each depth */
} json_writer;

void json_begin(json_writer *w, FILE *fp);  /* opens the top-level object */
void json_end(json_writer *w);              /* closes it and writes '\n' */
void json_key_object(json_writer *w, const char *key);
void json_key_array(json_writer *w, const char *key);
void json_close_object(json_writer *w);
void json_close_array(json_writer *w);
void json_num(json_writer *w, const char *key, double v);  /* NaN/inf -> null */
void json_int(json_writer *w, const char *key, int64_t v);
void json_uint(json_writer *w, const char *key, uint64_t v);
void json_str(json_writer *w, const char *key, const char *v);
void json_bool(json_writer *w, const char *key, int v);
void json_null(json_writer *w, const char *key);

/* ---- solver options shared by fit, compare and sweep (fitopts.c) ---- */
#define FITOPTS_COUNT 11
extern const char fitopts_help[];
extern const struct option fitopts_long[FITOPTS_COUNT];
/* 1: handled, 0: not a shared option, -1: bad value (message printed). */
int fitopts_handle(int c, const char *arg, lrfa_options *opt);
/* dst = shared options then own (NULL-terminated); returns the count. */
int fitopts_merge(struct option *dst, int cap, const struct option *own);
/* The network's shape from --widths / --depth (state the parser keeps):
 * 1 when a shape was given (opt->depth and widths set), 0 for the
 * two-layer model of -r R, -1 after a message. fitopts_allow_r lets
 * --widths hold R (sweep). */
extern int fitopts_allow_r;
extern int fitopts_widths_given;
extern int64_t fitopts_depth;
int fitopts_shape(const char *cmd, lrfa_options *opt, int have_rank);
/* Options that would be ignored or contradict each other, for the rules[0
 * .. nr-1] a command runs: -r with --widths, --decay without kp,
 * --init-scale or --init with --init-from. -1 after a message. */
int fitopts_check_combination(const char *cmd, int have_rank, const lrfa_algo *rules, int nr);
/* "gd,fa,dfa": distinct rules into rules[] (room for LRFA_ALGO_COUNT);
 * returns the count, or -1 after a message naming what. */
int cli_parse_rules(const char *what, const char *arg, lrfa_algo *rules);
/* --init-from PREFIX: the starting weights (and feedback, where the files
 * exist), read and shape-checked against opt's network on an n x m
 * problem; fitopts_start_apply points opt at them. */
extern const char *fitopts_init_from;
typedef struct fitopts_start {
    lrfa_dense *W[LRFA_MAX_LAYERS], *B[LRFA_MAX_LAYERS];
    int has_feedback;
} fitopts_start;
/* --init-from's factors for an n x m Y, n the rows of the whole (lrfa-mpi:
 * each process keeps its part of the factors with a side of n); exit status */
int fitopts_load_start(const lrfa_options *opt, int64_t n, int64_t m, fitopts_start *st);
void fitopts_start_apply(const fitopts_start *st, lrfa_options *opt);
void fitopts_start_free(fitopts_start *st);
/* How many singular vectors the figures of opt's network need. */
int64_t fitopts_kvec(const lrfa_options *opt);
int64_t cli_default_log_every(int64_t max_iters);
/* After option parsing: one FILE left in argv, the rank given (else
 * "CMD: RANK_HINT is required"); reads FILE into *Y, checks opt against its
 * (transposed) shape and prepares *P with kvec singular vectors. Returns an
 * exit status; the caller frees *Y and *P whatever it is. */
int fit_prepare(const char *cmd, int argc, char **argv, int have_rank, const char *rank_hint, lrfa_options *opt,
                int64_t kvec, lrfa_matrix **Y, lrfa_problem **P);
const char *cli_display_name(const char *path);

/* ---- fits side by side on worker threads (runs.c) ---- */
typedef struct run_job {
    lrfa_options opt;      /* in: what to run (progress fields are set by the runner) */
    int64_t tag;           /* in: the caller's label (e.g. a seed) */
    lrfa_result *result;   /* out: filled for OK, diverged and interrupted runs */
    lrfa_status status;    /* out */
    lrfa_error err;        /* out */
    int finished;          /* internal */
    int64_t iteration;     /* internal: progress */
} run_job;
/* Runs every job on `workers` threads; returns the workers used. */
int runs_execute(const lrfa_problem *P, run_job *jobs, int count, int workers, int show, const char *label);
/* runs_execute, then the guard: when a result came out below opt(r) beyond
 * the spectrum's accuracy, the spectrum is recomputed (cli_recheck) and
 * every job runs again; what is still suspect is reported on stderr.
 * Returns -1 when recomputing failed (message printed), else the workers. */
int runs_execute_checked(lrfa_problem *P, run_job *jobs, int count, int workers, int show, const char *label);

/* The guard after a fit: when res is below opt(r) beyond the spectrum's
 * accuracy (res->opt_suspect) and P was not rechecked yet, says so on
 * stderr and recomputes P's spectrum (lrfa_problem_recheck). Returns 1 when
 * the caller should fit again, 0 when there is nothing to do, -1 on failure
 * (message printed). */
int cli_recheck(const char *cmd, lrfa_problem *P, const lrfa_result *res);
/* One stderr line when res is still below opt(r) after the recheck. */
void cli_warn_suspect(const char *cmd, const lrfa_problem *P, const lrfa_result *res);
/* Non-zero once SIGINT or SIGTERM has arrived (when the command installed
 * the handler with cli_catch_signals). */
int interrupted_flag(void);
void cli_catch_signals(void);
/* The exit status for the signal that arrived: 130 (SIGINT), 143 (SIGTERM),
 * 0 when none did; and its name for messages. */
int cli_signal_status(void);
const char *cli_signal_name(void);
/* A progress callback that stops the run once a signal has arrived, and
 * shows progress through report_progress when data (a progress_state) is
 * not NULL. */
int cli_stop_progress(const lrfa_progress *p, void *data);
/* Whether output (with suffix appended, when not NULL) names the same file
 * as input, through any link; if so prints "CMD: the output ... is the
 * input file ..." and returns 1. "-" never clashes. */
int cli_output_clobbers(const char *cmd, const char *input, const char *output, const char *suffix);
/* cli_output_clobbers for every PREFIX_W<l>.mtx and PREFIX_B<l>.mtx --save may write */
int cli_layer_files_clobber(const char *cmd, const char *input, const char *prefix);

/* ---- plots through gnuplot (plot.c); each returns an exit status ---- */
int plot_trace(const char *csv, const char *out, const char *title);
int plot_compare(const char *gd_csv, const char *fa_csv, const char *out, const char *title, double opt,
                 double fa_pred);
int plot_sweep_rules(const char *dat, const char *out, const char *title, const char *xlabel, int64_t rank,
                     const lrfa_algo *rules, int nr, int logscale);
int plot_sweep(const char *dat, const char *out, const char *title, int64_t rank, double floor, int logscale,
               int64_t ra, int64_t rb);

/* ---- fit reports (report.c) ---- */
void report_fit_json(json_writer *w, const lrfa_result *res);
/* "converged", "iteration limit", "diverged" or "interrupted" */
const char *report_stop_name(const lrfa_result *res);
const char *report_rule_title(lrfa_algo a);        /* "feedback alignment", ... */
const char *report_widths(const lrfa_result *res);  /* "16,4,16" (static storage) */
void report_fit_table(FILE *fp, const lrfa_result *res);
const char *report_trace_header(void);
void report_trace_row(FILE *fp, const lrfa_figures *f);
int report_write_trace(const char *path, const lrfa_result *res);   /* exit status */
int report_save_factors(const char *prefix, const lrfa_result *res, const char *comment);

typedef struct progress_state {
    const char *label;   /* printed before each line, e.g. "fa" */
    double last;         /* seconds at the last line */
    int shown;           /* whether a line is on screen */
} progress_state;
int report_progress(const lrfa_progress *p, void *data);
void report_progress_clear(progress_state *ps);
int report_progress_wanted(int quiet);

/* ---- lrfa-mpi (src/mpi/cli_mpi.c): the command built with LRFA_MPI ----
 * Every process runs the command; rank 0 alone prints and writes files. */
#ifdef LRFA_MPI
/* MPI's start and end around the command: the other ranks' output goes
 * to /dev/null; the exit status is the command's. */
void cli_mpi_begin(int *argc, char ***argv);
int cli_mpi_end(int status);
/* This process's rank (0 alone writes). */
int cli_mpi_rank(void);
/* Reads path (its transpose) across the processes: this process's block
 * of rows, with every process's problem sharing cli_mpi_comm(). */
int cli_mpi_read(const char *path, int transpose, lrfa_matrix **Y, lrfa_mm_header *hdr);
const lrfa_comm *cli_mpi_comm(void);
/* Another file (a start's factor) without touching cli_mpi_comm(): split 1,
 * each process its block of rows (as the target's are split), *rows those
 * of the whole; split 2, the same of its transpose (its columns, by rows);
 * split 0, the whole on every process. */
int cli_mpi_read_part(const char *path, int split, lrfa_matrix **M, int64_t *rows);
/* The largest of every process's flag (Ctrl-C and SIGTERM reach them at
 * different moments: all stop at the same iteration). */
int cli_mpi_any(int flag);
/* interrupted_flag() across the processes: sig, the signal this process
 * caught (0: none), combined at one call in 8, the same calls on every
 * process; returns the signal they agree on (the largest), or 0 */
int cli_mpi_interrupted(int sig);
/* The sum of every process's count. */
int64_t cli_mpi_sum_i64(int64_t x);
/* Writes A, split between the processes by rows (split 1), by columns
 * (split 2) or held whole (0), as one Matrix Market array on rank 0's fp,
 * a column (or a block of columns) at a time. 0 on success everywhere. */
int cli_mpi_write_dense(FILE *fp, const lrfa_dense *A, int split, const char *comment);
/* A status every process learns from rank 0 (which alone opened a file). */
int cli_mpi_root_status(int status);
/* A failure only this process may have met (out of memory, a write
 * error): printed from this process, and the run brought down. */
void cli_mpi_abort(const char *msg);
#endif

/* The rows of the whole target, whatever the processes */
static inline int64_t cli_rows(const lrfa_problem *P)
{
    return P->comm ? P->comm->rows : P->n;
}

#endif
