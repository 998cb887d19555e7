/* example_fit.c: the library's worked example (README.md, "Using the
 * library"). Reads a Matrix Market file, runs GD and FA at rank r from the
 * same start, and prints how far each lands from the optimum.
 *
 *   build/release/example_fit inputs/demo_rank8.mtx 4
 */
#include <stdio.h>
#include <stdlib.h>
#include "lrfa/lrfa.h"

int main(int argc, char **argv)
{
    lrfa_error err = {0};
    lrfa_matrix *Y = NULL;
    lrfa_problem *P = NULL;
    int status = 1, algo;

    if (argc != 3) {
        fprintf(stderr, "usage: example_fit FILE.mtx RANK\n");
        return 1;
    }
    if (lrfa_mm_read_path(argv[1], &Y, NULL, &err) != LRFA_OK) goto fail;
    P = lrfa_problem_new(Y, 0, atoi(argv[2]), &err); /* norm, spectrum, top singular vectors */
    if (!P) goto fail;
    for (algo = LRFA_ALGO_GD; algo <= LRFA_ALGO_FA; algo++) {
        lrfa_options opt;
        lrfa_result *res = NULL;
        lrfa_options_default(&opt);
        opt.algo = (lrfa_algo)algo;
        opt.rank = atoi(argv[2]);
        if (lrfa_fit(P, &opt, &res, &err) != LRFA_OK) {
            lrfa_result_free(res);
            goto fail;
        }
        printf("%s: error %.6f  opt %.6f  gap/||Y|| %.2e  overlap(row W, top) %.3f", lrfa_algo_name(opt.algo),
               res->final.error, res->final.opt, res->final.rel_gap, res->final.overlap_w_top);
        if (opt.algo == LRFA_ALGO_FA) printf("  fa_pred %.6f  align_zb %.3f", res->fa_pred, res->final.align_zb);
        printf("\n");
        lrfa_result_free(res);
    }
    status = 0;
    goto done;
fail:
    fprintf(stderr, "example_fit: %s\n", err.message);
done:
    lrfa_problem_free(P);
    lrfa_matrix_free(Y);
    return status;
}
