/*
 * Safe whole-file input and output.  Reading refuses anything but a
 * regular file before it blocks (a FIFO would hang, a directory would
 * fail obscurely); writing goes through a temporary file so a crash never
 * leaves a half-written file under the final name.
 */
#include "config.h"

#include "statefile.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xmalloc.h"

int
statefile_read(const char *path, size_t limit, char **buf, size_t *len, char **cause)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *cause = xasprintf("%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    char *data = NULL;
    if (fstat(fd, &st) != 0) {
        *cause = xasprintf("%s: %s", path, strerror(errno));
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        *cause = xasprintf("%s: is a directory, not a file", path);
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        *cause = xasprintf("%s: not a regular file (a FIFO, socket or device)", path);
        goto fail;
    }
    if ((size_t)st.st_size > limit) {
        *cause = xasprintf("%s: too large (%lld bytes; at most %zu allowed)", path,
                           (long long)st.st_size, limit);
        goto fail;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    data = xmalloc(cap + 1);
    for (;;) {
        ssize_t k = read(fd, data + n, cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            *cause = xasprintf("%s: %s", path, strerror(errno));
            goto fail;
        }
        if (k == 0)
            break;
        n += (size_t)k;
        if (n > limit) {
            *cause = xasprintf("%s: too large (more than %zu bytes)", path, limit);
            goto fail;
        }
        if (n == cap) {
            cap *= 2;
            data = xreallocarray(data, cap + 1, 1);
        }
    }
    if (memchr(data, '\0', n)) {
        *cause = xasprintf("%s: contains a NUL byte: a binary file, not text", path);
        goto fail;
    }
    data[n] = '\0';
    close(fd);
    *buf = data;
    *len = n;
    return 0;
fail:
    free(data);
    close(fd);
    return -1;
}

static int
write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t k = write(fd, buf, len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        buf += k;
        len -= (size_t)k;
    }
    return 0;
}

/* Write to something that is not a regular file (a pipe, /dev/null, a tty) in place. */
static int
write_direct(const char *path, const char *buf, size_t len, char **cause)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write_all(fd, buf, len) != 0) {
        *cause = xasprintf("%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/*
 * An unnamed regular file in folder dir (Linux O_TMPFILE), or -1 where the
 * file system or kernel has none.
 */
static int
tmpfile_unnamed(const char *dir, mode_t mode)
{
#ifdef O_TMPFILE
    return open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
#else
    (void)dir;
    (void)mode;
    errno = EOPNOTSUPP;
    return -1;
#endif
}

/* The k-th temporary name beside target: "TARGET.tmp.PID.K" (caller frees). */
static char *
temp_name(const char *target, unsigned k)
{
    return xasprintf("%s.tmp.%ld.%u", target, (long)getpid(), k);
}

/* How many temporary names are tried before giving up with EEXIST. */
#define TEMP_TRIES 100

/*
 * Give the unnamed file fd a fresh temporary name beside target (through
 * /proc/self/fd, which needs no privilege, unlike AT_EMPTY_PATH).  Returns
 * the name (caller frees), or NULL with errno set.
 */
static char *
link_unnamed(int fd, const char *target)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    for (unsigned k = 0; k < TEMP_TRIES; k++) {
        char *name = temp_name(target, k);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0)
            return name;
        int e = errno;
        free(name);
        if (e != EEXIST) {
            errno = e;
            return NULL;
        }
    }
    errno = EEXIST;
    return NULL;
}

/*
 * Create a new regular file under a fresh temporary name beside target,
 * never opening one that exists (O_EXCL, so no link is followed).  Returns
 * its descriptor and sets *name (caller frees), or -1 with errno set.
 */
static int
create_named(const char *target, mode_t mode, char **name)
{
    for (unsigned k = 0; k < TEMP_TRIES; k++) {
        char *n = temp_name(target, k);
        int fd = open(n, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd >= 0) {
            *name = n;
            return fd;
        }
        int e = errno;
        free(n);
        if (e != EEXIST) {
            errno = e;
            return -1;
        }
    }
    errno = EEXIST;
    return -1;
}

/* statefile_write, with the unnamed file tried first or not at all. */
static int
write_replacing(const char *path, const char *buf, size_t len, bool unnamed, char **cause)
{
    if (strcmp(path, "-") == 0) {
        if (write_all(STDOUT_FILENO, buf, len) != 0) {
            *cause = xasprintf("standard output: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    /* Follow symbolic links, so the link survives and its target is replaced. */
    struct stat st;
    char *target = NULL;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            *cause = xasprintf("%s: is a directory, not a file", path);
            return -1;
        }
        if (!S_ISREG(st.st_mode))
            return write_direct(path, buf, len, cause);
        target = realpath(path, NULL);
    }
    if (!target)
        target = xstrdup(path);
    char *dircopy = xstrdup(target);
    const char *dir = dirname(dircopy);
    char *tmp = NULL;
    mode_t um = umask(0);
    umask(um);
    /*
     * Write and fsync an unnamed file in the target's folder, so that a
     * writer killed meanwhile leaves nothing behind, then give it a
     * temporary name and rename that over the target.  Where the file
     * system has no unnamed files, a named temporary file does the same
     * (and a kill can leave it behind).
     */
    int fd = unnamed ? tmpfile_unnamed(dir, 0666 & ~um) : -1;
    if (fd >= 0) {
        if (write_all(fd, buf, len) != 0 || fsync(fd) != 0) {
            *cause = xasprintf("%s: %s", path, strerror(errno));
            close(fd);
            goto fail;
        }
        tmp = link_unnamed(fd, target);
        if (!tmp) {
            *cause = xasprintf("%s: cannot name the new file beside it: %s", path,
                               strerror(errno));
            close(fd);
            goto fail;
        }
    } else {
        fd = create_named(target, 0666 & ~um, &tmp);
        if (fd < 0) {
            *cause = xasprintf("%s: cannot create a temporary file beside it: %s", path,
                               strerror(errno));
            goto fail;
        }
        if (write_all(fd, buf, len) != 0 || fsync(fd) != 0) {
            *cause = xasprintf("%s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            goto fail;
        }
    }
    if (close(fd) != 0 || rename(tmp, target) != 0) {
        *cause = xasprintf("%s: %s", path, strerror(errno));
        unlink(tmp);
        goto fail;
    }
    /* Make the rename itself durable. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    free(tmp);
    free(dircopy);
    free(target);
    return 0;
fail:
    free(tmp);
    free(dircopy);
    free(target);
    return -1;
}

int
statefile_write(const char *path, const char *buf, size_t len, char **cause)
{
    return write_replacing(path, buf, len, true, cause);
}

int
statefile_write_named(const char *path, const char *buf, size_t len, char **cause)
{
    return write_replacing(path, buf, len, false, cause);
}
