/* outfile.c: write to a temporary file in the same folder, then rename. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "lrfa/outfile.h"
#include "internal.h"

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = lrfa_alloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

lrfa_status lrfa_outfile_open(lrfa_outfile *of, const char *path, lrfa_error *err)
{
    static unsigned counter = 0;
    size_t n = strlen(path);
    int attempt, fd = -1, exists;
    struct stat sb;
    of->fp = NULL;
    of->tmp = NULL;
    of->path = dup_string(path);
    if (!of->path) return lrfa_fail(err, LRFA_ENOMEM, 0, "%s: out of memory", path);
    if (!strcmp(path, "-")) {
        of->fp = stdout;
        return LRFA_OK;
    }
    if (n == 0 || path[n - 1] == '/') {
        lrfa_outfile_abort(of);
        return lrfa_fail(err, LRFA_EIO, 0, "'%s': not a file name", path);
    }
    /* what the destination is now: a folder is refused; a device or a pipe
     * (/dev/null, /dev/stdout, a FIFO) is written in place, since renaming
     * over it would replace the device itself; a regular file keeps its
     * permissions when replaced */
    exists = stat(path, &sb) == 0;
    if (exists && S_ISDIR(sb.st_mode)) {
        lrfa_outfile_abort(of);
        return lrfa_fail(err, LRFA_EIO, 0, "%s: is a folder, not a file name", path);
    }
    if (exists && !S_ISREG(sb.st_mode)) {
        of->fp = fopen(path, "w");
        if (!of->fp) {
            int e = errno;
            lrfa_outfile_abort(of);
            return lrfa_fail(err, LRFA_EIO, 0, "%s: cannot write: %s", path, strerror(e));
        }
        return LRFA_OK;
    }
    /* the temporary sits in the destination's folder, under a short hidden
     * name, so any valid destination name can be written */
    of->tmp = lrfa_alloc(n + 32);
    if (!of->tmp) {
        lrfa_outfile_abort(of);
        return lrfa_fail(err, LRFA_ENOMEM, 0, "%s: out of memory", path);
    }
    {
        const char *slash = strrchr(path, '/');
        size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
        for (attempt = 0; attempt < 100 && fd < 0; attempt++) {
            uint64_t salt = ((uint64_t)getpid() << 20) ^ (uint64_t)time(NULL) ^ (uint64_t)(counter++ * 2654435761u);
            memcpy(of->tmp, path, dirlen);
            snprintf(of->tmp + dirlen, 32, ".lrfa-%06llx.tmp", (unsigned long long)(salt & 0xffffff));
            fd = open(of->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
            if (fd < 0 && errno != EEXIST) break;
        }
        if (fd >= 0 && exists) (void)fchmod(fd, sb.st_mode & 07777);
    }
    if (fd < 0) {
        int e = errno;
        lrfa_dealloc(of->tmp);
        of->tmp = NULL;
        lrfa_outfile_abort(of);
        return lrfa_fail(err, LRFA_EIO, 0, "%s: cannot write: %s", path, strerror(e));
    }
    of->fp = fdopen(fd, "w");
    if (!of->fp) {
        int e = errno;
        close(fd);
        lrfa_outfile_abort(of);
        return lrfa_fail(err, LRFA_EIO, 0, "%s: cannot write: %s", path, strerror(e));
    }
    return LRFA_OK;
}

lrfa_status lrfa_outfile_commit(lrfa_outfile *of, lrfa_error *err)
{
    lrfa_status st = LRFA_OK;
    int bad;
    if (!of->fp) {
        lrfa_outfile_abort(of);
        return lrfa_fail(err, LRFA_EIO, 0, "output file was not opened");
    }
    if (!of->tmp) { /* standard output, or a device or pipe written in place */
        int is_stdout = of->fp == stdout;
        errno = 0;
        bad = fflush(of->fp) != 0 || ferror(of->fp);
        if (!is_stdout && fclose(of->fp) != 0) bad = 1;
        if (bad)
            st = lrfa_fail(err, LRFA_EIO, 0, "%s: write error: %s", is_stdout ? "<stdout>" : of->path,
                           errno ? strerror(errno) : "unknown error");
        of->fp = NULL;
        lrfa_outfile_abort(of);
        return st;
    }
    errno = 0;
    bad = fflush(of->fp) != 0 || ferror(of->fp) || fsync(fileno(of->fp)) != 0;
    if (fclose(of->fp) != 0) bad = 1;
    of->fp = NULL;
    if (bad) {
        st = lrfa_fail(err, LRFA_EIO, 0, "%s: write error: %s", of->path,
                       errno ? strerror(errno) : "unknown error");
    } else if (rename(of->tmp, of->path) != 0) {
        st = lrfa_fail(err, LRFA_EIO, 0, "%s: cannot rename the finished file into place: %s",
                       of->path, strerror(errno));
    } else {
        lrfa_dealloc(of->tmp);
        of->tmp = NULL;
    }
    lrfa_outfile_abort(of);
    return st;
}

void lrfa_outfile_abort(lrfa_outfile *of)
{
    if (of->fp && of->fp != stdout) fclose(of->fp);
    of->fp = NULL;
    if (of->tmp) unlink(of->tmp);
    lrfa_dealloc(of->tmp);
    lrfa_dealloc(of->path);
    of->tmp = NULL;
    of->path = NULL;
}
