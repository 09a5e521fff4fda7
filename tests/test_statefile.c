/*
 * Saving never loses the old file: statefile_write writes a temporary file
 * beside the target, fsyncs it and renames it over the target, so a writer
 * killed at any moment leaves either the whole old file or the whole new
 * one.  A child process writes a large new file while the parent kills it
 * with SIGKILL after a varying delay; after each kill the target must be
 * byte-for-byte one of the two versions, and no temporary file is left.
 * The same holds for the path taken where the file system has no unnamed
 * files, except that a killed writer may leave its temporary file.
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

typedef int writer_fn(const char *path, const char *buf, size_t len, char **cause);

/* The names in dir other than keep; *n their count (caller frees each and the array). */
static char **
others_in_dir(const char *keep, int *n)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    char **names = NULL;
    *n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
            strcmp(de->d_name, keep) != 0) {
            names = realloc(names, (size_t)(*n + 1) * sizeof *names);
            cr_assert_not_null(names);
            names[(*n)++] = strdup(de->d_name);
        }
    closedir(d);
    return names;
}

static void
free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/*
 * Kill a child writing a big new file with `write` at 12 moments; after each
 * kill run.state must be the whole old file or the whole new one.  Returns
 * how many kills found the old file.
 */
static int
kill_writers(writer_fn *write)
{
    char path[96];
    snprintf(path, sizeof path, "%s/run.state", dir);
    const char *old = "the old state\n";
    char *cause = NULL;
    cr_assert_eq(write(path, old, strlen(old), &cause), 0, "%s", cause);

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
            _exit(write(path, big, BIG, &c) == 0 ? 0 : 1);
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
            cr_assert_eq(write(path, old, strlen(old), &cause), 0, "%s", cause);
        }
        free(got);
    }
    cr_log_info("after 12 kills: old file %d times, new file %d times", olds, news);
    free(big);
    return olds;
}

Test(statefile, a_killed_writer_leaves_the_old_or_the_new_file_whole, .init = setup,
     .fini = teardown, .timeout = 120)
{
    int olds = kill_writers(statefile_write);
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
        int n;
        char **names = others_in_dir("run.state", &n);
        for (int i = 0; i < n; i++)
            cr_log_error("left behind: %s", names[i]);
        cr_expect_eq(n, 0, "%d temporary files left behind by the kills", n);
        free_names(names, n);
    } else {
        cr_log_warn("%s has no unnamed files: a kill may leave a .tmp file there", dir);
    }
    /* The first kills come long before a 48 MB fsync can end. */
    cr_expect_gt(olds, 0, "no kill landed mid-write: the test did not test anything");
}

/* Without unnamed files the target is just as safe; what a kill leaves is only a .tmp file. */
Test(statefile, a_killed_named_writer_leaves_the_target_whole, .init = setup, .fini = teardown,
     .timeout = 120)
{
    int olds = kill_writers(statefile_write_named);
    int n;
    char **names = others_in_dir("run.state", &n);
    for (int i = 0; i < n; i++)
        cr_expect(strncmp(names[i], "run.state.tmp.", 14) == 0, "left behind: %s", names[i]);
    cr_log_info("the kills left %d temporary files", n);
    free_names(names, n);
    cr_expect_gt(olds, 0, "no kill landed mid-write: the test did not test anything");
}

/*
 * The named writer never writes into a file that already has its temporary
 * name, nor through a link placed there: it takes the next free name.
 */
Test(statefile, the_named_writer_takes_a_free_name, .init = setup, .fini = teardown)
{
    char path[96], squat[160], link[160], outside[96];
    snprintf(path, sizeof path, "%s/run.state", dir);
    snprintf(outside, sizeof outside, "%s/outside", dir);
    snprintf(squat, sizeof squat, "%s.tmp.%ld.0", path, (long)getpid());
    snprintf(link, sizeof link, "%s.tmp.%ld.1", path, (long)getpid());
    char *cause = NULL;
    cr_assert_eq(statefile_write(squat, "squatter\n", 9, &cause), 0, "%s", cause);
    cr_assert_eq(statefile_write(outside, "outside\n", 8, &cause), 0, "%s", cause);
    cr_assert_eq(symlink(outside, link), 0, "symlink: %s", strerror(errno));

    mode_t um = umask(022);
    int rc = statefile_write_named(path, "new\n", 4, &cause);
    umask(um);
    cr_assert_eq(rc, 0, "%s", cause);

    size_t len;
    char *got = slurp(path, &len);
    cr_expect(len == 4 && memcmp(got, "new\n", 4) == 0, "the target was not written");
    free(got);
    got = slurp(squat, &len);
    cr_expect(len == 9 && memcmp(got, "squatter\n", 9) == 0, "the squatting file was changed");
    free(got);
    got = slurp(outside, &len);
    cr_expect(len == 8 && memcmp(got, "outside\n", 8) == 0, "a link was written through");
    free(got);

    /* The usual permissions (not mkstemp's 0600), and nothing else left. */
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0644, "mode %o", (unsigned)(st.st_mode & 0777));
    int n;
    char **names = others_in_dir("run.state", &n);
    cr_expect_eq(n, 3, "%d files beside the target, want the squatter, the link and outside", n);
    free_names(names, n);
}
