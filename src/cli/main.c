/* main.c: the lrfa command, dispatching to its subcommands. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const char usage[] =
    "usage: lrfa COMMAND [OPTIONS] ...\n"
    "\n"
    "Low-rank factorization Y ~ Z W, or a deep linear network Y ~ W_L ... W_1, by\n"
    "gradient descent (gd, backpropagation) and the rules without weight transport:\n"
    "feedback alignment (fa), direct feedback alignment (dfa), Kolen-Pollack (kp) and\n"
    "sign symmetry (sign), with the figures that compare them.\n"
    "\n"
    "commands:\n"
    "  info FILE        shape, entries, ||Y||_F, numerical rank, singular values, opt(r)\n"
    "  fit FILE -r R    one run of a rule (--rule; --widths for a deep network): error,\n"
    "                   gap to the optimum, alignment figures, per layer when deep\n"
    "  compare FILE -r R  GD and FA (or --rules) from one start, side by side, with\n"
    "                   representation overlaps\n"
    "  sweep FILE --ranks A:B  the separation over ranks or a layer's width (and seeds):\n"
    "                   table, CSV, plot\n"
    "  gen ...          a synthetic matrix with a chosen rank and spectrum, as .mtx\n"
    "  plot trace CSV OUT  draw a fit trace\n"
    "  convert IN OUT   rewrite a Matrix Market file as lrfa writes it (general, 17 digits)\n"
    "\n"
    "FILE is a Matrix Market file; '-' reads standard input.\n"
    "'lrfa COMMAND --help' describes each command and its options.\n"
    "\n"
    "exit status: 0 success, 1 bad input or options (or an output that cannot be\n"
    "written), 2 numerical failure, 130 / 143 interrupted by SIGINT / SIGTERM.\n";

/* Everything printed must have reached standard output: a full disk or a
 * closed pipe is an error (exit 1), not a silent truncation. */
static int finish(const char *cmd, int status)
{
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("%s%scannot write to standard output: %s", cmd ? cmd : "", cmd ? ": " : "",
                  errno ? strerror(errno) : "write error");
        if (status == EXIT_OK || status > EXIT_NUMERIC) status = EXIT_INPUT;
    }
    return status;
}

static int run(int argc, char **argv)
{
    const char *cmd;
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_INPUT;
    }
    cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return finish(NULL, EXIT_OK);
    }
    if (!strcmp(cmd, "--version")) {
        printf("lrfa %s\n", LRFA_VERSION);
        return finish(NULL, EXIT_OK);
    }
    if (!strcmp(cmd, "info")) return finish(cmd, cmd_info(argc - 1, argv + 1));
    if (!strcmp(cmd, "fit")) return finish(cmd, cmd_fit(argc - 1, argv + 1));
    if (!strcmp(cmd, "compare")) return finish(cmd, cmd_compare(argc - 1, argv + 1));
    if (!strcmp(cmd, "sweep")) return finish(cmd, cmd_sweep(argc - 1, argv + 1));
    if (!strcmp(cmd, "gen")) return finish(cmd, cmd_gen(argc - 1, argv + 1));
    if (!strcmp(cmd, "plot")) return finish(cmd, cmd_plot(argc - 1, argv + 1));
    if (!strcmp(cmd, "convert")) return finish(cmd, cmd_convert(argc - 1, argv + 1));
    cli_error("unknown command '%s' (expected info, fit, compare, sweep, gen, plot or convert; see 'lrfa --help')", cmd);
    return EXIT_INPUT;
}

int main(int argc, char **argv)
{
#ifdef LRFA_MPI
    cli_mpi_begin(&argc, &argv);
    return cli_mpi_end(run(argc, argv));
#else
    return run(argc, argv);
#endif
}
