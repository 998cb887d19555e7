/* fuzz_options.c: libFuzzer target for the command line's option parsing.
 *
 * The input's first byte picks a command (info, fit, compare, sweep, gen);
 * the rest, split at newlines, are its arguments, followed by a small bundled
 * matrix. So that a run stays short and writes nothing outside its scratch
 * folder: options that write files or draw plots are dropped (gen writes
 * g.mtx in the current folder), '/' in an argument becomes '_', and caps on the work (--iters 30, --ranks, --seeds and sizes)
 * are appended (the last occurrence of an option wins). Any argument list
 * must end in an exit status with, on failure, a message: never a crash, a
 * hang or a sanitizer report. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <unistd.h>
#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char matrix[PATH_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *src = getenv("LRFA_FUZZ_MATRIX");
    (void)argc;
    (void)argv;
    if (!src || !realpath(src, matrix)) {
        fprintf(stderr, "fuzz_options: set LRFA_FUZZ_MATRIX to a small .mtx file\n");
        exit(1);
    }
    lrfa_set_memory_limit((uint64_t)1 << 30); /* below libFuzzer's 4 GiB limit */
    return 0;
}

/* Whether argument a names (or abbreviates, as getopt_long allows) an
 * option that writes a file, draws a plot or sets the threads. */
static int dropped(const char *a)
{
    static const char *const out[] = {"--plot", "--trace", "--save", "--csv", "--output", "--jobs"};
    size_t i, len = strcspn(a, "=");
    if (a[0] == '-' && a[1] == 'o') return 1;
    if (len < 3 || strncmp(a, "--", 2) != 0) return 0;
    for (i = 0; i < sizeof out / sizeof out[0]; i++)
        if (len <= strlen(out[i]) && !strncmp(a, out[i], len)) return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const cmds[] = {"info", "fit", "compare", "sweep", "gen"};
    char *text, *p, *argv[80];
    int argc = 0, which, i;
    if (size < 1 || size > 2000) return 0;
    which = data[0] % 5;
    text = malloc(size);
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    argv[argc++] = (char *)(uintptr_t)cmds[which];
    for (p = text; argc < 60;) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        for (i = 0; p[i]; i++)
            if (p[i] == '/') p[i] = '_';
        if (!dropped(p)) argv[argc++] = p;
        if (!nl) break;
        p = nl + 1;
    }
    if (which == 4) {
        static char rows[] = "--rows", r20[] = "20", cols[] = "--cols", c10[] = "10", o[] = "-o", f[] = "g.mtx";
        argv[argc++] = rows;
        argv[argc++] = r20;
        argv[argc++] = cols;
        argv[argc++] = c10;
        argv[argc++] = o;
        argv[argc++] = f;
    } else {
        static char iters[] = "--iters", n30[] = "30", ranks[] = "--ranks", r12[] = "1:2", top[] = "--top", t5[] = "5";
        if (which != 0) {
            argv[argc++] = iters;
            argv[argc++] = n30;
        }
        if (which == 3) {
            static char seeds[] = "--seeds", s2[] = "2";
            argv[argc++] = ranks;
            argv[argc++] = r12;
            argv[argc++] = seeds;
            argv[argc++] = s2;
        }
        if (which == 0) {
            argv[argc++] = top;
            argv[argc++] = t5;
        }
        argv[argc++] = matrix;
    }
    argv[argc] = NULL;
    {
        /* each command sets optind = 1, as a process's only call needs; a
         * second call in one process must also drop glibc's pointer into
         * the previous arguments, which optind = 0 does */
        static char self[] = "lrfa";
        char *none[] = {self, NULL};
        optind = 0;
        (void)getopt(1, none, "");
    }
    switch (which) {
    case 0: cmd_info(argc, argv); break;
    case 1: cmd_fit(argc, argv); break;
    case 2: cmd_compare(argc, argv); break;
    case 3: cmd_sweep(argc, argv); break;
    default: cmd_gen(argc, argv); break;
    }
    free(text);
    return 0;
}
