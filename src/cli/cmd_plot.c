/* cmd_plot.c: `lrfa plot trace FILE.csv OUT.png`, a fit trace as a picture. */
#include <getopt.h>
#include <string.h>
#include "cli.h"

static const char usage[] =
    "usage: lrfa plot trace FILE.csv OUT.png [--title TEXT]\n"
    "\n"
    "Draws a trace written by 'lrfa fit --trace FILE.csv' with gnuplot: the error,\n"
    "the optimum and the gap against the iteration (log scale) above, and FA's\n"
    "align_zb and grad_align and the overlap of row(W) with the top-r right\n"
    "singular subspace below. PNG, or SVG when OUT ends in .svg. OUT appears whole\n"
    "or not at all.\n"
    "\n"
    "options:\n"
    "  --title TEXT   the figure's title (default: the trace's file name)\n"
    "  -h, --help     show this help\n";

int cmd_plot(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"title", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *title = NULL;
    int c;
    FILE *fp;
    char head[512];
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 't': title = optarg; break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: return cli_bad_option("plot", optopt, argv[optind - 1]);
        }
    }
    if (optind != argc - 3 || strcmp(argv[optind], "trace") != 0) {
        cli_error("plot: expected 'trace FILE.csv OUT.png' (see 'lrfa plot --help')");
        return EXIT_INPUT;
    }
    if (cli_output_clobbers("plot", argv[optind + 1], argv[optind + 2], NULL)) return EXIT_INPUT;
    fp = fopen(argv[optind + 1], "r");
    if (!fp) {
        cli_error("%s: cannot open the trace", argv[optind + 1]);
        return EXIT_INPUT;
    }
    if (!fgets(head, sizeof head, fp) || strncmp(head, report_trace_header(), strlen(report_trace_header())) != 0) {
        fclose(fp);
        cli_error("%s:1: not an lrfa trace (expected the header '%.40s...')", argv[optind + 1],
                  report_trace_header());
        return EXIT_INPUT;
    }
    fclose(fp);
    return plot_trace(argv[optind + 1], argv[optind + 2], title ? title : argv[optind + 1]);
}
