/* alloc.c: the allocator hook and overflow-checked array allocation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

static lrfa_malloc_fn hook_malloc = NULL;
static lrfa_realloc_fn hook_realloc = NULL;
static lrfa_free_fn hook_free = NULL;
/* allocations refused on this thread, so that a caller whose helpers
 * degrade to NaN on failure can still tell the failure apart */
static _Thread_local uint64_t failures = 0;

uint64_t lrfa_alloc_failures(void)
{
    return failures;
}

void lrfa_set_allocator(lrfa_malloc_fn m, lrfa_realloc_fn r, lrfa_free_fn f)
{
    hook_malloc = m;
    hook_realloc = r;
    hook_free = f;
}

void *lrfa_alloc(size_t size)
{
    void *p;
    if (size == 0) size = 1;
    p = hook_malloc ? hook_malloc(size) : malloc(size);
    if (!p) failures++;
    return p;
}

static int bytes_for(int64_t count, size_t size, size_t *bytes)
{
    if (count < 0) return 0;
    if (size != 0 && (uint64_t)count > SIZE_MAX / size) return 0;
    *bytes = (size_t)count * size;
    return 1;
}

void *lrfa_alloc_array(int64_t count, size_t size)
{
    size_t bytes;
    if (!bytes_for(count, size, &bytes)) {
        failures++;
        return NULL;
    }
    return lrfa_alloc(bytes);
}

void *lrfa_calloc_array(int64_t count, size_t size)
{
    size_t bytes;
    void *p;
    if (!bytes_for(count, size, &bytes)) {
        failures++;
        return NULL;
    }
    if (!hook_malloc) {
        /* calloc: a large block comes as zero pages, untouched (no resident
         * memory) until written */
        p = calloc(1, bytes ? bytes : 1);
        if (!p) failures++;
        return p;
    }
    p = lrfa_alloc(bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

void *lrfa_realloc_array(void *ptr, int64_t count, size_t size)
{
    size_t bytes;
    void *p;
    if (!bytes_for(count, size, &bytes)) {
        failures++;
        return NULL;
    }
    if (bytes == 0) bytes = 1;
    p = hook_realloc ? hook_realloc(ptr, bytes) : realloc(ptr, bytes);
    if (!p) failures++;
    return p;
}

void lrfa_dealloc(void *ptr)
{
    if (!ptr) return;
    if (hook_free) hook_free(ptr);
    else free(ptr);
}

static uint64_t memory_limit = 0; /* 0: physical memory */

void lrfa_set_memory_limit(uint64_t bytes)
{
    memory_limit = bytes;
}

uint64_t lrfa_memory_budget(void)
{
    long pages = sysconf(_SC_PHYS_PAGES);
    long page = sysconf(_SC_PAGESIZE);
    uint64_t phys = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
    if (memory_limit && (phys == 0 || memory_limit < phys)) return memory_limit;
    return phys;
}
