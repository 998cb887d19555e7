/* cmd_convert.c: `lrfa convert IN OUT`, read any Matrix Market matrix and
 * write it back as a general real matrix with 17 significant digits. */
#include <getopt.h>
#include <string.h>
#include "cli.h"

static const char usage[] =
    "usage: lrfa convert IN OUT [--dense | --sparse] [--transpose]\n"
    "\n"
    "Reads IN (any supported Matrix Market matrix; '-' for standard input) and\n"
    "writes OUT ('-' for standard output) as 'array real general' when dense or\n"
    "'coordinate real general' when sparse, with symmetric files mirrored,\n"
    "repeated entries summed and every value written with 17 significant digits\n"
    "(so it reads back bit for bit). OUT appears whole or not at all.\n"
    "\n"
    "options:\n"
    "  --dense        write a dense array file\n"
    "  --sparse       write a sparse coordinate file (keeps explicit zeros)\n"
    "                 (default: the representation IN was read into)\n"
    "  --transpose    write Y^T\n"
    "  -h, --help     show this help\n";

int cmd_convert(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"dense", no_argument, NULL, 'd'},
        {"sparse", no_argument, NULL, 's'},
        {"transpose", no_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, want = -1, transpose = 0, status = EXIT_OK;
    lrfa_error err = {0};
    lrfa_matrix *Y = NULL, *T = NULL, *out;
    lrfa_sparse *S = NULL;
    lrfa_dense *D = NULL;
    lrfa_matrix tmp;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': want = LRFA_STORAGE_DENSE; break;
        case 's': want = LRFA_STORAGE_SPARSE; break;
        case 't': transpose = 1; break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: return cli_bad_option("convert", optopt, argv[optind - 1]);
        }
    }
    if (optind != argc - 2) {
        cli_error("convert: expected IN and OUT, got %d argument%s (see 'lrfa convert --help')",
                  argc - optind, argc - optind == 1 ? "" : "s");
        return EXIT_INPUT;
    }
    if (cli_output_clobbers("convert", argv[optind], argv[optind + 1], NULL)) return EXIT_INPUT;
    if ((status = cli_read_matrix(argv[optind], &Y, NULL)) != EXIT_OK) return status;
    out = Y;
    if (transpose) {
        T = lrfa_matrix_transpose(Y, &err);
        if (!T) { status = cli_lib_error(&err); goto done; }
        out = T;
    }
    if (want == LRFA_STORAGE_DENSE && out->storage == LRFA_STORAGE_SPARSE) {
        D = lrfa_sparse_to_dense(out->sparse, &err);
        if (!D) { status = cli_lib_error(&err); goto done; }
        tmp.storage = LRFA_STORAGE_DENSE;
        tmp.dense = D;
        tmp.sparse = NULL;
        tmp.rows = D->rows;
        tmp.cols = D->cols;
        out = &tmp;
    } else if (want == LRFA_STORAGE_SPARSE && out->storage == LRFA_STORAGE_DENSE) {
        /* every entry, zeros included, so the conversion loses nothing */
        const lrfa_dense *A = out->dense;
        int64_t i, j, p = 0;
        S = lrfa_sparse_alloc(A->rows, A->cols, A->rows * A->cols, &err);
        if (!S) { status = cli_lib_error(&err); goto done; }
        for (j = 0; j < A->cols; j++) {
            S->colptr[j] = p;
            for (i = 0; i < A->rows; i++, p++) {
                S->rowidx[p] = i;
                S->values[p] = A->data[i + j * A->rows];
            }
        }
        S->colptr[A->cols] = p;
        S->nnz = p;
        tmp.storage = LRFA_STORAGE_SPARSE;
        tmp.dense = NULL;
        tmp.sparse = S;
        tmp.rows = S->rows;
        tmp.cols = S->cols;
        out = &tmp;
    }
    if (lrfa_mm_write_path(argv[optind + 1], out, NULL, &err) != LRFA_OK) status = cli_lib_error(&err);
done:
    lrfa_dense_free(D);
    lrfa_sparse_free(S);
    lrfa_matrix_free(T);
    lrfa_matrix_free(Y);
    return status;
}
