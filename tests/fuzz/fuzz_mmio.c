/* fuzz_mmio.c: libFuzzer target for the Matrix Market reader. Any input
 * must give either a matrix that is consistent with itself (shape, stored
 * entries, a finite norm) or an error with a message, never a crash, a hang
 * or a sanitizer report. The library plans against 1 GiB of memory. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "lrfa/lrfa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *fp;
    lrfa_matrix *Y = NULL;
    lrfa_mm_header h;
    lrfa_error err = {0};
    if (size == 0) return 0;
    /* plan against 1 GiB, below libFuzzer's 4 GiB limit, so that a header
     * declaring more is refused up front (as on a machine of that size) */
    lrfa_set_memory_limit((uint64_t)1 << 30);
    fp = fmemopen((void *)(uintptr_t)data, size, "r");
    if (!fp) return 0;
    if (lrfa_mm_read(fp, "fuzz", &Y, &h, &err) == LRFA_OK) {
        double f = lrfa_matrix_fro_norm(Y);
        if (Y->rows < 0 || Y->cols < 0 || lrfa_matrix_stored(Y) < 0 || isnan(f)) abort();
        lrfa_matrix_free(Y);
    } else if (Y != NULL || err.message[0] == '\0') {
        abort(); /* a failure leaves no matrix and says why */
    }
    fclose(fp);
    return 0;
}
