/* main.c: the lrfa command, dispatching to its subcommands. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const char usage[] =
    "usage: lrfa COMMAND [OPTIONS] ...\n"
    "\n"
    "Low-rank factorization Y ~ Z W by gradient descent (GD) and random feedback\n"
    "alignment (FA), with the figures that compare them.\n"
    "\n"
    "commands:\n"
    "  info FILE        shape, entries, ||Y||_F, numerical rank, singular values, opt(r)\n"
    "  fit FILE -r R    one GD or FA run: error, gap to the optimum, alignment figures\n"
    "  compare FILE -r R  GD and FA from one start, side by side, with representation overlaps\n"
    "  sweep FILE --ranks A:B  the GD/FA separation over ranks (and seeds): table, CSV, plot\n"
    "  gen ...          a synthetic matrix with a chosen rank and spectrum, as .mtx\n"
    "  plot trace CSV OUT  draw a fit trace\n"
    "  convert IN OUT   rewrite a Matrix Market file as lrfa writes it (general, 17 digits)\n"
    "\n"
    "FILE is a Matrix Market file; '-' reads standard input.\n"
    "'lrfa COMMAND --help' describes each command and its options.\n"
    "\n"
    "exit status: 0 success, 1 bad input or options, 2 numerical failure.\n";

int main(int argc, char **argv)
{
    const char *cmd;
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_INPUT;
    }
    cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("lrfa %s\n", LRFA_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "info")) return cmd_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "fit")) return cmd_fit(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare")) return cmd_compare(argc - 1, argv + 1);
    if (!strcmp(cmd, "sweep")) return cmd_sweep(argc - 1, argv + 1);
    if (!strcmp(cmd, "gen")) return cmd_gen(argc - 1, argv + 1);
    if (!strcmp(cmd, "plot")) return cmd_plot(argc - 1, argv + 1);
    if (!strcmp(cmd, "convert")) return cmd_convert(argc - 1, argv + 1);
    cli_error("unknown command '%s' (expected info, fit, compare, sweep, gen, plot or convert; see 'lrfa --help')", cmd);
    return EXIT_INPUT;
}
