/* cmd_info.c: `lrfa info FILE`, what a matrix is made of. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char usage[] =
    "usage: lrfa info FILE [--top K] [--rank-tol T] [--method auto|full|lanczos] [--json]\n"
    "\n"
    "Reads a Matrix Market file ('-' for standard input) and prints its banner,\n"
    "shape, stored entries, representation, ||Y||_F, numerical rank, leading\n"
    "singular values and the Eckart-Young optimum opt(r) = sqrt(sum_{i>r} s_i^2),\n"
    "the smallest error ||ZW - Y||_F any rank-r factorization can reach.\n"
    "\n"
    "options:\n"
    "  --top K        list K singular values and opt(r) for r = 0..K\n"
    "                 (default: 10 in the table, all of them with --json)\n"
    "  --rank-tol T   count s_i as nonzero when s_i > T * s_1\n"
    "                 (default: max(rows, cols) * machine epsilon)\n"
    "  --method M     how to compute the singular values: full (LAPACK dgesdd on a\n"
    "                 dense copy: all of them), lanczos (Golub-Kahan-Lanczos: the\n"
    "                 leading ones, never densifying) or auto: full for a dense\n"
    "                 matrix with min(rows, cols) <= 2000, Lanczos otherwise, for all\n"
    "                 values when min(rows, cols) <= 2000 and the leading --top K\n"
    "                 (default 20) beyond (default auto)\n"
    "  --json         print one JSON object instead of the table\n"
    "  -h, --help     show this help\n"
    "\n"
    "A coordinate file is held sparse and an array file dense; symmetric and\n"
    "skew-symmetric files are mirrored, and repeated coordinate entries are summed.\n"
    "With a truncated spectrum, opt(r) = sqrt(||Y||_F^2 - sum_{i<=r} s_i^2) is known\n"
    "for r up to the values computed, and the rank only when a value falls below\n"
    "the tolerance.\n";

/* The method and what its stopping rules guarantee (lanczos.c). */
static void print_accuracy(const lrfa_spectrum *sp)
{
    const lrfa_lanczos_info *L = &sp->lanczos;
    int lanczos = !strcmp(sp->method, "lanczos");
    printf("spectrum        %s, %s%lld singular values", sp->method, sp->complete ? "all " : "the leading ",
           (long long)sp->k);
    if (lanczos)
        printf(" (block Lanczos: %lld products, %lld round%s, block %lld)", (long long)L->products,
               (long long)L->rounds, L->rounds == 1 ? "" : "s", (long long)L->block);
    printf("\n");
    if (sp->note[0]) printf("note            %s\n", sp->note);
    if (!lanczos) {
        printf("accuracy        to about max(rows, cols) eps = %.1e of s_1 (LAPACK dgesdd)\n", sp->error_bound);
        return;
    }
    printf("accuracy        each value within %.1e of s_1 of a singular value (residual bound)\n", sp->error_bound);
    switch (L->check) {
    case LRFA_CHECK_EXACT:
        printf("                none missed: the Krylov space spans the matrix\n");
        break;
    case LRFA_CHECK_CONVERGED:
        printf("                none missed: the largest value left, %.10g, converged, not above s_%lld\n",
               L->next_value, (long long)sp->k);
        break;
    case LRFA_CHECK_BOUND:
        printf("                none missed: a value above s_%lld left out has probability < 1e-10\n"
               "                (the largest value left is about %.6g)\n",
               (long long)sp->k, L->next_value);
        break;
    default:
        printf("                NOT checked for missed values: Lanczos stopped after %lld products\n"
               "                (tightly clustered values); some of these may be smaller ones\n",
               (long long)L->products);
        break;
    }
    if (L->missed > 0)
        printf("                (%lld cop%s of repeated values found by the later rounds)\n", (long long)L->missed,
               L->missed == 1 ? "y" : "ies");
}

/* the entries stored (lrfa-mpi: every process's) */
static int64_t stored_of(const lrfa_matrix *Y)
{
#ifdef LRFA_MPI
    return cli_mpi_sum_i64(lrfa_matrix_stored(Y));
#else
    return lrfa_matrix_stored(Y);
#endif
}

static void print_table(const char *path, const lrfa_mm_header *h, const lrfa_matrix *Y,
                        const lrfa_spectrum *sp, const char *sp_note, int64_t top)
{
    char b1[32];
    int64_t k, r, stored = stored_of(Y);
    double fro = sp ? sp->fro : lrfa_matrix_fro_norm(Y);
    printf("file            %s\n", path);
    printf("banner          %s\n", h->banner);
    printf("shape           %lld x %lld\n", (long long)h->rows, (long long)h->cols);
    if (h->format == LRFA_MM_COORDINATE) {
        printf("entries         %lld in the file", (long long)h->entries);
        if (stored != h->entries) printf(", %lld stored%s", (long long)stored,
                                         h->symmetry != LRFA_MM_GENERAL ? " after mirroring and summing" : " after summing repeats");
        printf("\n");
        printf("representation  sparse (compressed columns, %.3g%% filled)\n",
               h->rows && h->cols ? 100.0 * (double)stored / ((double)h->rows * (double)h->cols) : 0.0);
    } else {
        printf("entries         %lld in the file, %lld stored\n", (long long)h->entries, (long long)stored);
        printf("representation  dense (column-major)\n");
    }
    printf("||Y||_F         %.10g\n", fro);
    if (!sp) {
        printf("spectrum        not computed: %s\n", sp_note);
        return;
    }
    printf("rank            %s%lld of %lld  (s_i > %.3g * s_1)\n", sp->rank_bound ? "at least " : "", (long long)sp->rank,
           (long long)(h->rows < h->cols ? h->rows : h->cols), sp->rank_tol);
    print_accuracy(sp);
    k = top < sp->k ? top : sp->k;
    printf("\n   r  %-18s %-18s %s\n", "s_r", "opt(r)", "opt(r)/||Y||_F");
    for (r = 0; r <= k; r++) {
        double o = lrfa_spectrum_opt(sp, r);
        if (r == 0) printf("%4lld  %-18s", (long long)r, "-");
        else printf("%4lld  %-18.10g", (long long)r, sp->s[r - 1]);
        printf(" %-18.10g %s%s\n", o, fro > 0 ? (snprintf(b1, sizeof b1, "%.6g", o / fro), b1) : "-",
               r == sp->rank && r > 0 && !sp->rank_bound ? "   <- rank" : "");
    }
    if (k < sp->k) printf("   (%lld more; --top K shows more, --json lists all)\n", (long long)(sp->k - k));
}

static void print_json(const char *path, const lrfa_mm_header *h, const lrfa_matrix *Y,
                       const lrfa_spectrum *sp, const char *sp_note, int64_t top)
{
    json_writer w;
    int64_t k, r;
    json_begin(&w, stdout);
    json_str(&w, "file", path);
    json_str(&w, "banner", h->banner);
    json_str(&w, "format", lrfa_mm_format_name(h->format));
    json_str(&w, "field", lrfa_mm_field_name(h->field));
    json_str(&w, "symmetry", lrfa_mm_symmetry_name(h->symmetry));
    json_int(&w, "rows", h->rows);
    json_int(&w, "cols", h->cols);
    json_int(&w, "entries", h->entries);
    json_int(&w, "stored", stored_of(Y));
    json_str(&w, "storage", Y->storage == LRFA_STORAGE_SPARSE ? "sparse" : "dense");
    json_num(&w, "fro_norm", sp ? sp->fro : lrfa_matrix_fro_norm(Y));
    if (!sp) {
        json_null(&w, "rank");
        json_null(&w, "rank_tol");
        json_null(&w, "singular_values");
        json_null(&w, "opt_error");
        json_str(&w, "spectrum_method", "none");
        json_str(&w, "spectrum_note", sp_note);
        json_end(&w);
        return;
    }
    json_int(&w, "rank", sp->rank);
    json_bool(&w, "rank_is_lower_bound", sp->rank_bound);
    json_bool(&w, "spectrum_complete", sp->complete);
    json_num(&w, "rank_tol", sp->rank_tol);
    json_str(&w, "spectrum_method", sp->method);
    json_num(&w, "spectrum_error_bound", sp->error_bound);
    if (!strcmp(sp->method, "lanczos")) {
        json_str(&w, "spectrum_check", lrfa_lanczos_check_name(sp->lanczos.check));
        json_num(&w, "spectrum_next_value", sp->lanczos.check != LRFA_CHECK_EXACT ? sp->lanczos.next_value : NAN);
    } else {
        json_str(&w, "spectrum_check", "exact");
        json_null(&w, "spectrum_next_value");
    }
    json_int(&w, "spectrum_products", sp->lanczos.products);
    if (sp->note[0]) json_str(&w, "spectrum_note", sp->note);
    else json_null(&w, "spectrum_note");
    k = top < sp->k ? top : sp->k;
    json_key_array(&w, "singular_values");
    for (r = 0; r < k; r++) json_num(&w, NULL, sp->s[r]);
    json_close_array(&w);
    json_key_array(&w, "opt_error");
    for (r = 0; r <= k; r++) json_num(&w, NULL, lrfa_spectrum_opt(sp, r));
    json_close_array(&w);
    json_end(&w);
}

int cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"top", required_argument, NULL, 't'},
        {"rank-tol", required_argument, NULL, 'T'},
        {"json", no_argument, NULL, 'j'},
        {"method", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, json = 0, status = EXIT_OK;
    int64_t top = -1;
    double rank_tol = -1.0;
    lrfa_spectrum_method method = LRFA_SPECTRUM_AUTO;
    int64_t kmin, kwant;
    const char *path;
    lrfa_error err = {0};
    lrfa_mm_header h;
    lrfa_matrix *Y = NULL;
    lrfa_spectrum *sp = NULL;
    const char *note = "";

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (!cli_parse_i64("--top", optarg, 0, INT64_MAX, &top)) return EXIT_INPUT;
            break;
        case 'T':
            if (!cli_parse_double("--rank-tol", optarg, 0.0, 1.0, &rank_tol)) return EXIT_INPUT;
            break;
        case 'j': json = 1; break;
        case 'm':
            if (!strcmp(optarg, "auto")) method = LRFA_SPECTRUM_AUTO;
            else if (!strcmp(optarg, "full")) method = LRFA_SPECTRUM_FULL;
            else if (!strcmp(optarg, "lanczos")) method = LRFA_SPECTRUM_LANCZOS;
            else {
                cli_error("--method: expected auto, full or lanczos, got '%s'", optarg);
                return EXIT_INPUT;
            }
            break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: return cli_bad_option("info", optopt, argv[optind - 1]);
        }
    }
    if (optind != argc - 1) {
        cli_error("info: expected one FILE, got %d (see 'lrfa info --help')", argc - optind);
        return EXIT_INPUT;
    }
    path = argv[optind];
    if ((status = cli_read_matrix(path, &Y, &h)) != EXIT_OK) return status;
    /* every value when there are at most 2000, else the leading --top K (20) */
    kmin = h.rows < h.cols ? h.rows : h.cols;
    kwant = kmin <= LRFA_FULL_SVD_MAX ? kmin : (top > 0 ? top : 20);
    if (kwant > kmin) kwant = kmin;
#ifdef LRFA_MPI
    sp = lrfa_spectrum_leading_dist(Y, cli_mpi_comm(), kwant, method, rank_tol, NULL, NULL, NULL, &err);
#else
    sp = lrfa_spectrum_leading(Y, kwant, method, rank_tol, NULL, NULL, &err);
#endif
    if (!sp) {
        if (err.status != LRFA_ENOMEM) {
            status = cli_lib_error(&err);
            goto done;
        }
        note = err.message;
    }
    if (top < 0) top = json ? INT64_MAX : 10;
    if (json) print_json(strcmp(path, "-") ? path : "<stdin>", &h, Y, sp, note, top);
    else print_table(strcmp(path, "-") ? path : "<stdin>", &h, Y, sp, note, top);
done:
    lrfa_spectrum_free(sp);
    lrfa_matrix_free(Y);
    return status;
}
