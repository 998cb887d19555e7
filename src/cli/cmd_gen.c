/* cmd_gen.c: `lrfa gen`, a synthetic matrix with a chosen rank and spectrum. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char usage[] =
    "usage: lrfa gen --rows N --cols M --rank K --spectrum SPEC [--noise SIGMA]\n"
    "                [--density D] [--seed S] -o FILE\n"
    "       lrfa gen --graph GRAPH -o FILE\n"
    "\n"
    "Writes Y = U diag(s) V^T (+ noise) as a Matrix Market file, with U (N x K) and\n"
    "V (M x K) Haar-random orthonormal (QR of a Gaussian matrix, signs fixed), so Y\n"
    "has rank K and singular values exactly s (to rounding).\n"
    "\n"
    "SPEC, the K singular values, descending:\n"
    "  flat             s_i = 1\n"
    "  linear           s_i = (K + 1 - i) / K: 1 down to 1/K\n"
    "  geometric:Q      s_i = Q^(i-1), 0 < Q <= 1\n"
    "  power:A          s_i = i^(-A), A >= 0\n"
    "  nearflat:D       1 + D down to 1 in equal steps, D >= 0 (for nearly equal values)\n"
    "  list:s1,s2,...   exactly K values, positive and non-increasing\n"
    "\n"
    "GRAPH, a sparse graph matrix with repeated and clustered singular values:\n"
    "  cycle:N          adjacency of the cycle on N nodes: |2 cos(2 pi j / N)|, most\n"
    "                   four times for even N (twice for odd N), clustered near 2\n"
    "  grid:PxQ         Laplacian of the P x Q grid (values in pairs when P = Q)\n"
    "  hypercube:D      adjacency of the D-cube, 2^D nodes, D <= 20: |D - 2i| with\n"
    "                   multiplicity C(D, i), twice that off the middle\n"
    "\n"
    "options:\n"
    "  --rows N, --cols M   shape (required)\n"
    "  --rank K             rank, 1 <= K <= min(N, M) (required)\n"
    "  --spectrum SPEC      singular values (default linear)\n"
    "  --noise SIGMA        add N(0, SIGMA^2) to every entry (every stored entry with\n"
    "                       --density); the rank is then no longer K (default 0)\n"
    "  --density D          a sparse coordinate file with about D N M entries, built as\n"
    "                       P diag(s) Q with P, Q sparse and orthonormal on disjoint\n"
    "                       blocks of rows and columns: rank K and singular values s\n"
    "                       exactly; needs D <= 1/K (default: a dense array file)\n"
    "  --seed S             random seed (default 1)\n"
    "  --graph GRAPH        a graph matrix instead (no other option but -o)\n"
    "  -o, --output FILE    where to write ('-' for standard output; required)\n"
    "  -h, --help           show this help\n";

/* lrfa gen --graph GRAPH -o FILE */
static int gen_graph(const char *graph, const char *out)
{
    lrfa_error err = {0};
    lrfa_sparse *S = lrfa_gen_graph(graph, &err);
    lrfa_matrix *Y;
    char comment[256];
    int status = EXIT_OK;
    if (!S) return cli_lib_error(&err);
    Y = lrfa_matrix_wrap_sparse(S, &err);
    if (!Y) return cli_lib_error(&err);
    snprintf(comment, sizeof comment, "lrfa gen --graph %s", graph);
    if (lrfa_mm_write_path(out, Y, comment, &err) != LRFA_OK) status = cli_lib_error(&err);
    else if (strcmp(out, "-"))
        printf("wrote %s: the %s graph matrix, %lld x %lld, %lld entries\n", out, graph, (long long)Y->rows,
               (long long)Y->cols, (long long)Y->sparse->nnz);
    lrfa_matrix_free(Y);
    return status;
}

int cmd_gen(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"rows", required_argument, NULL, 'n'},
        {"cols", required_argument, NULL, 'm'},
        {"rank", required_argument, NULL, 'k'},
        {"spectrum", required_argument, NULL, 'S'},
        {"noise", required_argument, NULL, 'N'},
        {"density", required_argument, NULL, 'd'},
        {"seed", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},
        {"graph", required_argument, NULL, 'g'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int64_t n = -1, m = -1, k = -1;
    double noise = 0.0, density = 0.0, *s = NULL;
    uint64_t seed = 1;
    const char *spec = "linear", *out = NULL, *bad, *graph = NULL;
    int c, status = EXIT_OK;
    lrfa_error err = {0};
    lrfa_matrix *Y = NULL;
    char comment[512];

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n': if (!cli_parse_i64("--rows", optarg, 1, INT64_C(1) << 40, &n)) return EXIT_INPUT; break;
        case 'm': if (!cli_parse_i64("--cols", optarg, 1, INT64_C(1) << 40, &m)) return EXIT_INPUT; break;
        case 'k': if (!cli_parse_i64("--rank", optarg, 1, INT64_C(1) << 40, &k)) return EXIT_INPUT; break;
        case 'S': spec = optarg; break;
        case 'N': if (!cli_parse_double("--noise", optarg, 0.0, 1e300, &noise)) return EXIT_INPUT; break;
        case 'd': if (!cli_parse_double("--density", optarg, 1e-300, 1.0, &density)) return EXIT_INPUT; break;
        case 's': if (!cli_parse_u64("--seed", optarg, &seed)) return EXIT_INPUT; break;
        case 'o': out = optarg; break;
        case 'g': graph = optarg; break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: return cli_bad_option("gen", optopt, argv[optind - 1]);
        }
    }
    if (optind != argc) {
        cli_error("gen: unexpected argument '%s' (see 'lrfa gen --help')", argv[optind]);
        return EXIT_INPUT;
    }
    if (graph) {
        if (!out || n >= 0 || m >= 0 || k >= 0 || noise > 0 || density > 0) {
            cli_error("gen: --graph takes -o FILE and no other option (see 'lrfa gen --help')");
            return EXIT_INPUT;
        }
        return gen_graph(graph, out);
    }
    if (n < 0 || m < 0 || k < 0 || !out) {
        cli_error("gen: --rows, --cols, --rank and -o FILE are required (see 'lrfa gen --help')");
        return EXIT_INPUT;
    }
    if (k > n || k > m) {
        cli_error("gen: --rank %lld exceeds min(rows, cols) = %lld", (long long)k, (long long)(n < m ? n : m));
        return EXIT_INPUT;
    }
    if (density == 0.0 && !lrfa_fits_in_memory(n, m, 0)) {
        cli_error("gen: a dense %lld x %lld matrix does not fit in memory (use --density)", (long long)n,
                  (long long)m);
        return EXIT_INPUT;
    }
    s = malloc(sizeof(double) * (size_t)k);
    if (!s) {
        cli_error("gen: out of memory");
        return EXIT_INPUT;
    }
    if ((bad = lrfa_spectrum_spec(spec, k, s)) != NULL) {
        cli_error("gen: --spectrum %s: %s", spec, bad);
        status = EXIT_INPUT;
        goto done;
    }
    if (density > 0.0) {
        lrfa_sparse *S = lrfa_gen_sparse_lowrank(n, m, k, s, density, seed, &err);
        if (!S) {
            status = cli_lib_error(&err);
            goto done;
        }
        if (noise > 0) lrfa_gen_add_noise(S->values, S->nnz, noise, seed);
        Y = lrfa_matrix_wrap_sparse(S, &err);
    } else {
        lrfa_dense *D = lrfa_gen_lowrank(n, m, k, s, seed, &err);
        if (!D) {
            status = cli_lib_error(&err);
            goto done;
        }
        if (noise > 0) lrfa_gen_add_noise(D->data, n * m, noise, seed);
        Y = lrfa_matrix_wrap_dense(D, &err);
    }
    if (!Y) {
        status = cli_lib_error(&err);
        goto done;
    }
    {
        char dens[64] = "";
        if (density > 0.0) snprintf(dens, sizeof dens, " --density %g", density);
        snprintf(comment, sizeof comment,
                 "lrfa gen --rows %lld --cols %lld --rank %lld --spectrum %s --noise %g%s --seed %llu\n"
                 "Y = U diag(s) V^T%s: rank %lld, s_1 = %.17g, s_%lld = %.17g",
                 (long long)n, (long long)m, (long long)k, spec, noise, dens, (unsigned long long)seed,
                 noise > 0 ? " + noise" : "", (long long)k, s[0], (long long)k, s[k - 1]);
    }
    if (lrfa_mm_write_path(out, Y, comment, &err) != LRFA_OK) {
        status = cli_lib_error(&err);
        goto done;
    }
    if (strcmp(out, "-"))
        printf("wrote %s: %lld x %lld, %s, rank %lld, spectrum %s (s_1 = %.6g, s_%lld = %.6g)%s\n", out,
               (long long)n, (long long)m, density > 0 ? "sparse" : "dense", (long long)k, spec, s[0],
               (long long)k, s[k - 1], noise > 0 ? ", plus noise" : "");
done:
    free(s);
    lrfa_matrix_free(Y);
    return status;
}
