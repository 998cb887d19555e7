/* lrfa/status.h: status codes, error messages and the allocator hook.
 *
 * Every library function that can fail returns an lrfa_status and, when the
 * caller passes a non-NULL lrfa_error, fills it with one readable line. The
 * library never prints and never exits: the caller decides what to show.
 */
#ifndef LRFA_STATUS_H
#define LRFA_STATUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lrfa_status {
    LRFA_OK = 0,
    LRFA_EINPUT = 1,   /* malformed input file or invalid option */
    LRFA_ENOMEM = 2,   /* an allocation failed or a size cannot fit in memory */
    LRFA_EIO = 3,      /* reading or writing a file failed */
    LRFA_ENUMERIC = 4, /* a numerical routine failed (LAPACK info != 0, divergence) */
    LRFA_ERANGE = 5,   /* a size exceeds what a routine's integer type can hold */
    LRFA_EINTERRUPT = 6, /* stopped at the caller's request */
    LRFA_EDIVERGED = 7   /* an iteration diverged (non-finite or runaway error) */
} lrfa_status;

#define LRFA_ERROR_LEN 512

typedef struct lrfa_error {
    lrfa_status status;            /* the status that was returned */
    long long line;                /* input line the message refers to, or 0 */
    char message[LRFA_ERROR_LEN];  /* one line, no trailing newline */
} lrfa_error;

/* A short name for a status ("malformed input", "out of memory", ...). */
const char *lrfa_status_name(lrfa_status status);

/* Allocator hook. All library allocations go through these three functions,
 * so a test can make the k-th allocation fail. Passing NULLs restores the C
 * library's malloc/realloc/free. */
typedef void *(*lrfa_malloc_fn)(size_t size);
typedef void *(*lrfa_realloc_fn)(void *ptr, size_t size);
typedef void (*lrfa_free_fn)(void *ptr);
void lrfa_set_allocator(lrfa_malloc_fn m, lrfa_realloc_fn r, lrfa_free_fn f);

/* The memory the library plans against, in bytes. A matrix or a workspace
 * that would need more (judged from a file's header, say) is refused up
 * front with LRFA_ENOMEM instead of being allocated. 0, the default, means
 * the machine's physical memory; a larger limit than that has no effect. */
void lrfa_set_memory_limit(uint64_t bytes);

/* Threads the library's own parallel loops use (sparse products, Lanczos);
 * 0, the default, means one per online processor. Dense products run in the
 * BLAS, whose threads are its own (OPENBLAS_NUM_THREADS). */
void lrfa_set_threads(int n);

#ifdef __cplusplus
}
#endif
#endif
