/*
 * Saving never loses the old file: statefile_write writes a temporary file
 * beside the target, fsyncs it and renames it over the target, so a writer
 * killed at any moment leaves either the whole old file or the whole new
 * one.  A child process writes a large new file while the parent kills it
 * with SIGKILL after a varying delay; after each kill the target must be
 * byte-for-byte one of the two versions, and no temporary file is left.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io/statefile.h"

/* Large enough that writing and fsyncing it takes many milliseconds. */
#define BIG (48u << 20)

static char dir[] = "/tmp/ou-statefile-XXXXXX";

static void
setup(void)
{
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static void
teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

/* The file's bytes into a fresh buffer; *len its size. */
static char *
slurp(const char *path, size_t *len)
{
    char *buf = NULL;
    cr_assert_eq(statefile_read(path, BIG + 1, &buf, len, &(char *){NULL}), 0, "cannot read %s",
                 path);
    return buf;
}

static void
sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

Test(statefile, a_killed_writer_leaves_the_old_or_the_new_file_whole, .init = setup,
     .fini = teardown, .timeout = 120)
{
    char path[96];
    snprintf(path, sizeof path, "%s/run.state", dir);
    const char *old = "the old state\n";
    char *cause = NULL;
    cr_assert_eq(statefile_write(path, old, strlen(old), &cause), 0, "%s", cause);

    char *big = malloc(BIG);
    cr_assert_not_null(big);
    for (size_t i = 0; i < BIG; i++)
        big[i] = (char)('a' + i % 26);
    big[BIG - 1] = '\n';

    int olds = 0, news = 0;
    for (int k = 0; k < 12; k++) {
        pid_t pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
            char *c = NULL;
            _exit(statefile_write(path, big, BIG, &c) == 0 ? 0 : 1);
        }
        sleep_us(2000L * (k + 1) * (k + 1)); /* 2 ms .. 288 ms */
        kill(pid, SIGKILL);
        int status;
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        size_t len;
        char *got = slurp(path, &len);
        if (len == strlen(old) && memcmp(got, old, len) == 0) {
            olds++;
        } else {
            cr_assert_eq(len, (size_t)BIG, "kill %d left a file of %zu bytes", k, len);
            cr_assert(memcmp(got, big, BIG) == 0, "kill %d left a mixed file", k);
            news++;
            /* Back to the old one for the next round. */
            cr_assert_eq(statefile_write(path, old, strlen(old), &cause), 0, "%s", cause);
        }
        free(got);
    }
    cr_log_info("after 12 kills: old file %d times, new file %d times", olds, news);

    /*
     * Where the file system has unnamed files (O_TMPFILE: ext4, xfs, btrfs,
     * tmpfs), the kills leave nothing beside the target: the data is only
     * named once it is whole, for the instant before the rename.
     */
    int probe = -1;
#ifdef O_TMPFILE
    probe = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
#endif
    if (probe >= 0) {
        close(probe);
        DIR *d = opendir(dir);
        cr_assert_not_null(d);
        struct dirent *de;
        int strays = 0;
        while ((de = readdir(d)) != NULL)
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
                strcmp(de->d_name, "run.state") != 0) {
                cr_log_error("left behind: %s", de->d_name);
                strays++;
            }
        closedir(d);
        cr_expect_eq(strays, 0, "%d temporary files left behind by the kills", strays);
    } else {
        cr_log_warn("%s has no unnamed files: a kill may leave a .tmp file there", dir);
    }
    /* The first kills come long before a 48 MB fsync can end. */
    cr_expect_gt(olds, 0, "no kill landed mid-write: the test did not test anything");
    free(big);
}
