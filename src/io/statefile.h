/*
 * Whole-file reads with limits and refusals (directories, FIFOs, devices,
 * binary or oversized files) and atomic writes (temporary file in the same
 * folder, fsync, rename).  Errors are one-line messages in *cause.
 */
#ifndef OUSCOPE_IO_STATEFILE_H
#define OUSCOPE_IO_STATEFILE_H

#include <stddef.h>

/*
 * Read the regular file `path` (at most `limit` bytes, no NUL byte) into a
 * new NUL-terminated buffer.  Returns 0, or -1 with *cause set (caller
 * frees) naming the file and the problem.
 */
int statefile_read(const char *path, size_t limit, char **buf, size_t *len, char **cause);

/*
 * Write buf[0..len) to `path` atomically: the old file stays intact until
 * the new one is complete on disk.  A symbolic link is followed and its
 * target replaced; a pipe or device (/dev/null) is written in place; a
 * directory is refused.  "-" writes to standard output.
 */
int statefile_write(const char *path, const char *buf, size_t len, char **cause);

/*
 * statefile_write as it goes where the file system has no unnamed files
 * (no O_TMPFILE): the new file has its temporary name beside the target
 * from the start, so a writer killed mid-way can leave it behind, but the
 * target is still intact.  statefile_write falls back to this by itself;
 * it is public so that this path is tested on any file system.
 */
int statefile_write_named(const char *path, const char *buf, size_t len, char **cause);

#endif
