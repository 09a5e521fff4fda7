/*
 * Tests of the data-file reader (src/io/csvread.c): a good file parses to
 * the exact values, and every bad file is refused with a message that names
 * the file, the line where there is one, and what was allowed.
 */
#include "config.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/csvread.h"
#include "testutil.h"

/* The data set is 16 KiB; static storage keeps it off the test's stack. */
static struct ou_data data;

/* The temporary folder of the file tests, made by dir_setup. */
static char dir[64];

static void
dir_setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/csvread.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
dir_teardown(void)
{
    nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* The path of `name` inside the temporary folder, in a static buffer. */
static const char *
path_of(const char *name)
{
    static char buf[128];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

/* Write len bytes to `name` in the temporary folder and return its path. */
static const char *
write_file(const char *name, const char *text, size_t len)
{
    const char *p = path_of(name);
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f, "%s: %s", p, strerror(errno));
    cr_assert_eq(fwrite(text, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    return p;
}

/* Parse a string as the contents of a file called "data.csv". */
static int
parse_text(const char *text, char **cause)
{
    return csvread_parse("data.csv", text, strlen(text), &data, cause);
}

/*
 * Check a refusal: rc is -1, the message starts with `where` (the file and
 * line, e.g. "data.csv:3: ") and contains `what` (what was allowed).  The
 * message is freed here.
 */
static void
expect_refused(int rc, char *cause, const char *where, const char *what)
{
    cr_assert_eq(rc, -1, "the input was accepted; expected a refusal at \"%s\"", where);
    cr_assert_not_null(cause, "refused without a message");
    cr_expect_eq(strncmp(cause, where, strlen(where)), 0,
                 "message \"%s\" does not start with \"%s\"", cause, where);
    cr_expect_not_null(strstr(cause, what), "message \"%s\" does not contain \"%s\"", cause, what);
    cr_expect_null(strchr(cause, '\n'), "message \"%s\" is not one line", cause);
    cr_expect_null(strchr(cause, '\r'), "message \"%s\" holds a carriage return", cause);
    free(cause);
}

/*
 * Exact equality, written as a zero tolerance: strtod and the compiler both
 * round a decimal literal to the nearest double, so they must agree.
 */
static void
expect_point(size_t i, double x, double y)
{
    cr_expect(tu_close(data.x[i], x, 0.0, 0.0), "x[%zu] = %.17g, expected %.17g", i, data.x[i], x);
    cr_expect(tu_close(data.y[i], y, 0.0, 0.0), "y[%zu] = %.17g, expected %.17g", i, data.y[i], y);
}

/* A text of n points "i,i" (x strictly increasing) in a new buffer. */
static char *
points_text(size_t n)
{
    char *buf = malloc(n * 16 + 1);
    cr_assert_not_null(buf);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (size_t)sprintf(buf + k, "%zu,%zu\n", i, i);
    return buf;
}

Test(csvread, parses_header_crlf_comments_blanks_and_spaces_to_exact_values)
{
    const char *text = "x,y\r\n"
                       "# a comment line\r\n"
                       "\r\n"
                       "-1, 0.25\r\n"
                       "   \r\n"
                       "  -0.5 ,\t-1.5e-3  \r\n"
                       "\t# an indented comment\r\n"
                       "0.1,0.2\r\n"
                       "1e1 , 7";
    char *cause = NULL;
    int rc = parse_text(text, &cause);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "(no message)");
    cr_assert_null(cause);
    cr_assert_eq(data.n, 4);
    expect_point(0, -1.0, 0.25);
    expect_point(1, -0.5, -1.5e-3);
    expect_point(2, 0.1, 0.2);
    expect_point(3, 10.0, 7.0);
    cr_expect_eq(data.kind, OU_DATA_CUSTOM);
    cr_expect_str_eq(data.name, "data.csv");
}

Test(csvread, accepts_a_file_without_header_or_final_newline)
{
    char *cause = NULL;
    cr_assert_eq(parse_text("0,1\n2,3", &cause), 0);
    cr_assert_eq(data.n, 2);
    expect_point(0, 0.0, 1.0);
    expect_point(1, 2.0, 3.0);
}

Test(csvread, accepts_the_header_in_any_case_with_blanks)
{
    char *cause = NULL;
    cr_assert_eq(parse_text(" X , Y \n0,1\n2,3\n", &cause), 0);
    cr_assert_eq(data.n, 2);
}

Test(csvread, accepts_exactly_the_maximum_number_of_points)
{
    char *text = points_text(OU_DATA_MAX), *cause = NULL;
    cr_assert_eq(parse_text(text, &cause), 0, "refused: %s", cause ? cause : "");
    cr_expect_eq(data.n, OU_DATA_MAX);
    expect_point(OU_DATA_MAX - 1, OU_DATA_MAX - 1, OU_DATA_MAX - 1);
    free(text);
}

Test(csvread, accepts_a_line_of_exactly_the_maximum_length)
{
    /* "0," + blanks + "1" is CSVREAD_MAX_LINE bytes before the newline. */
    char text[2 * CSVREAD_MAX_LINE];
    memset(text, ' ', CSVREAD_MAX_LINE);
    memcpy(text, "0,", 2);
    text[CSVREAD_MAX_LINE - 1] = '1';
    strcpy(text + CSVREAD_MAX_LINE, "\n2,3\n");
    char *cause = NULL;
    cr_assert_eq(parse_text(text, &cause), 0, "refused: %s", cause ? cause : "");
    expect_point(0, 0.0, 1.0);
}

Test(csvread, refuses_a_non_numeric_y_naming_the_line)
{
    char *cause = NULL;
    int rc = parse_text("x,y\n0,1\n1,abc\n", &cause);
    expect_refused(rc, cause, "data.csv:3: ", "y is not a number (expected \"x,y\"");
}

Test(csvread, refuses_a_non_numeric_x_naming_the_line)
{
    char *cause = NULL;
    int rc = parse_text("0,1\n# note\n\n1.5.2,3\n", &cause);
    expect_refused(rc, cause, "data.csv:4: ", "x is not a number (expected \"x,y\"");
}

Test(csvread, refuses_an_empty_field)
{
    char *cause = NULL;
    int rc = parse_text("0,1\n1, \n", &cause);
    expect_refused(rc, cause, "data.csv:2: ", "y is not a number");
}

Test(csvread, refuses_a_third_field)
{
    char *cause = NULL;
    int rc = parse_text("x,y\n0,1\n1,2,3\n", &cause);
    expect_refused(rc, cause,
                   "data.csv:3: ", "expected two numbers \"x,y\" separated by one comma");
}

Test(csvread, refuses_a_line_without_a_comma)
{
    char *cause = NULL;
    int rc = parse_text("0,1\n1 2\n", &cause);
    expect_refused(rc, cause,
                   "data.csv:2: ", "expected two numbers \"x,y\" separated by one comma");
}

Test(csvread, refuses_nan)
{
    char *cause = NULL;
    int rc = parse_text("x,y\n0,1\nNaN,2\n", &cause);
    expect_refused(rc, cause, "data.csv:3: ", "finite numbers (no nan or inf)");
}

Test(csvread, refuses_inf_in_either_field)
{
    char *cause = NULL;
    int rc = parse_text("0,1\n1,inf\n", &cause);
    expect_refused(rc, cause, "data.csv:2: ", "finite numbers (no nan or inf)");
    cause = NULL;
    rc = parse_text("0,1\n1,2\n-Infinity,3\n", &cause);
    expect_refused(rc, cause, "data.csv:3: ", "finite numbers (no nan or inf)");
}

Test(csvread, refuses_a_number_that_overflows)
{
    char *cause = NULL;
    int rc = parse_text("0,1\n1,1e999\n", &cause);
    expect_refused(rc, cause, "data.csv:2: ", "finite numbers (no nan or inf)");
    cause = NULL;
    rc = parse_text("0,1\n-1e999,1\n", &cause);
    expect_refused(rc, cause, "data.csv:2: ", "finite numbers (no nan or inf)");
}

Test(csvread, refuses_a_repeated_x)
{
    char *cause = NULL;
    int rc = parse_text("x,y\n0,1\n0.5,2\n0.5,3\n", &cause);
    expect_refused(rc, cause, "data.csv:4: ",
                   "x = 0.5 repeats the previous point's x = 0.5 (x must strictly increase)");
}

Test(csvread, refuses_a_decreasing_x)
{
    char *cause = NULL;
    int rc = parse_text("0,1\n2,2\n\n1,3\n", &cause);
    expect_refused(rc, cause, "data.csv:4: ",
                   "x = 1 is below the previous point's x = 2 (x must strictly increase)");
}

Test(csvread, refuses_more_than_the_maximum_number_of_points)
{
    char *text = points_text(OU_DATA_MAX + 1), *cause = NULL;
    char where[32], what[64];
    snprintf(where, sizeof where, "data.csv:%d: ", OU_DATA_MAX + 1);
    snprintf(what, sizeof what, "too many points (at most %d)", OU_DATA_MAX);
    int rc = parse_text(text, &cause);
    expect_refused(rc, cause, where, what);
    free(text);
}

Test(csvread, refuses_a_line_longer_than_the_maximum)
{
    /* Line 2 is one byte over the limit; it is refused even as a comment. */
    char text[3 * CSVREAD_MAX_LINE];
    strcpy(text, "0,1\n#");
    memset(text + 5, '-', CSVREAD_MAX_LINE);
    strcpy(text + 5 + CSVREAD_MAX_LINE, "\n1,2\n");
    char what[64];
    snprintf(what, sizeof what, "line longer than %d bytes", CSVREAD_MAX_LINE);
    char *cause = NULL;
    int rc = parse_text(text, &cause);
    expect_refused(rc, cause, "data.csv:2: ", what);
}

Test(csvread, refuses_a_text_without_points)
{
    char *cause = NULL;
    int rc = parse_text("x,y\n# nothing here\n\n", &cause);
    expect_refused(rc, cause, "data.csv: ", "no data points (at least 2 points");
}

Test(csvread, refuses_a_single_point)
{
    char *cause = NULL;
    int rc = parse_text("x,y\n0.5,1\n", &cause);
    expect_refused(rc, cause, "data.csv: ", "only one data point (at least 2 points");
}

Test(csvread, reads_a_good_file_with_crlf_line_ends, .init = dir_setup, .fini = dir_teardown)
{
    const char text[] = "x,y\r\n# comment\r\n\r\n 0 , 1 \r\n0.5,-2\r\n";
    const char *p = write_file("good.csv", text, sizeof text - 1);
    char *cause = NULL;
    int rc = csvread_file(p, &data, &cause);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    cr_assert_eq(data.n, 2);
    expect_point(0, 0.0, 1.0);
    expect_point(1, 0.5, -2.0);
}

Test(csvread, reads_the_shipped_example_files)
{
    const char *src = getenv("OU_SRCDIR");
    if (!src)
        cr_skip_test("OU_SRCDIR is not set (make check sets it)");
    char path[1024];
    char *cause = NULL;
    snprintf(path, sizeof path, "%s/tests/data/good.csv", src);
    int rc = csvread_file(path, &data, &cause);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    cr_assert_eq(data.n, 5);
    expect_point(0, -1.0, 0.0);
    expect_point(2, 0.0, 1.0);
    expect_point(3, 0.5, 0.5);
    expect_point(4, 1.0, 0.0);

    char where[1100];
    snprintf(path, sizeof path, "%s/tests/data/bad_unsorted.csv", src);
    snprintf(where, sizeof where, "%s:5: ", path);
    rc = csvread_file(path, &data, &cause);
    expect_refused(rc, cause, where, "x must strictly increase");
}

Test(csvread, file_errors_name_the_path_and_line, .init = dir_setup, .fini = dir_teardown)
{
    const char text[] = "x,y\n0,1\n1,oops\n";
    const char *p = write_file("data.csv", text, sizeof text - 1);
    char where[160];
    snprintf(where, sizeof where, "%s:3: ", p);
    char *cause = NULL;
    int rc = csvread_file(p, &data, &cause);
    expect_refused(rc, cause, where, "y is not a number");
}

Test(csvread, refuses_a_missing_file, .init = dir_setup, .fini = dir_teardown)
{
    const char *p = path_of("nope.csv");
    char where[160];
    snprintf(where, sizeof where, "%s: ", p);
    char *cause = NULL;
    int rc = csvread_file(p, &data, &cause);
    expect_refused(rc, cause, where, strerror(ENOENT));
}

Test(csvread, refuses_a_directory, .init = dir_setup, .fini = dir_teardown)
{
    char where[160];
    snprintf(where, sizeof where, "%s: ", dir);
    char *cause = NULL;
    int rc = csvread_file(dir, &data, &cause);
    expect_refused(rc, cause, where, "is a directory, not a file");
}

/* A reader that waited for a writer would hang: the timeout turns that into a failure. */
Test(csvread, refuses_a_fifo_without_blocking, .init = dir_setup, .fini = dir_teardown,
     .timeout = 10.0)
{
    const char *p = path_of("fifo.csv");
    cr_assert_eq(mkfifo(p, 0600), 0, "mkfifo: %s", strerror(errno));
    char where[160];
    snprintf(where, sizeof where, "%s: ", p);
    char *cause = NULL;
    int rc = csvread_file(p, &data, &cause);
    expect_refused(rc, cause, where, "not a regular file");
}

Test(csvread, refuses_an_empty_file, .init = dir_setup, .fini = dir_teardown)
{
    const char *p = write_file("empty.csv", "", 0);
    char where[160];
    snprintf(where, sizeof where, "%s: ", p);
    char *cause = NULL;
    int rc = csvread_file(p, &data, &cause);
    expect_refused(rc, cause, where, "no data points (at least 2 points");
}

Test(csvread, refuses_a_file_with_one_point, .init = dir_setup, .fini = dir_teardown)
{
    const char *p = write_file("one.csv", "x,y\n1,2\n", 8);
    char where[160];
    snprintf(where, sizeof where, "%s: ", p);
    char *cause = NULL;
    int rc = csvread_file(p, &data, &cause);
    expect_refused(rc, cause, where, "only one data point (at least 2 points");
}

Test(csvread, refuses_a_binary_file_with_a_nul_byte, .init = dir_setup, .fini = dir_teardown)
{
    const char text[] = "0,1\n1,2\0\n2,3\n";
    const char *p = write_file("binary.csv", text, sizeof text - 1);
    char where[160];
    snprintf(where, sizeof where, "%s: ", p);
    char *cause = NULL;
    int rc = csvread_file(p, &data, &cause);
    expect_refused(rc, cause, where, "contains a NUL byte: a binary file, not text");
}

/* Two points and then comment lines padded to exactly `size` bytes. */
static char *
padded_text(size_t size)
{
    char *buf = malloc(size);
    cr_assert_not_null(buf);
    memcpy(buf, "0,1\n1,2\n", 8);
    for (size_t k = 8; k < size; k += 64) {
        size_t len = size - k < 64 ? size - k : 64;
        memset(buf + k, '#', len);
        buf[k + len - 1] = '\n';
    }
    return buf;
}

Test(csvread, accepts_a_file_of_exactly_the_size_limit, .init = dir_setup, .fini = dir_teardown)
{
    char *text = padded_text(CSVREAD_MAX_BYTES), *cause = NULL;
    const char *p = write_file("big.csv", text, CSVREAD_MAX_BYTES);
    free(text);
    int rc = csvread_file(p, &data, &cause);
    cr_assert_eq(rc, 0, "refused: %s", cause ? cause : "");
    cr_expect_eq(data.n, 2);
}

Test(csvread, refuses_a_file_over_the_size_limit, .init = dir_setup, .fini = dir_teardown)
{
    char *text = padded_text(CSVREAD_MAX_BYTES + 1), *cause = NULL;
    const char *p = write_file("huge.csv", text, CSVREAD_MAX_BYTES + 1);
    free(text);
    char where[160], what[64];
    snprintf(where, sizeof where, "%s: ", p);
    snprintf(what, sizeof what, "too large (%u bytes; at most %u allowed)", CSVREAD_MAX_BYTES + 1,
             CSVREAD_MAX_BYTES);
    int rc = csvread_file(p, &data, &cause);
    expect_refused(rc, cause, where, what);
}

Test(csvread, accepts_a_header_after_comments_and_a_byte_order_mark)
{
    char *cause = NULL;
    cr_assert_eq(parse_text("# measured on Monday\nx,y\n0,1\n1,2\n", &cause), 0, "%s", cause);
    cr_expect_eq(data.n, 2);
    cr_assert_eq(parse_text("\xef\xbb\xbfx,y\n0,1\n1,2\n", &cause), 0, "%s", cause);
    expect_point(1, 1.0, 2.0);
}

Test(csvread, refuses_an_embedded_nul_byte_in_text)
{
    static const char text[] = "0,1\n1,2\0junk\n";
    char *cause = NULL;
    int rc = csvread_parse("data.csv", text, sizeof text - 1, &data, &cause);
    expect_refused(rc, cause, "data.csv: ", "NUL byte");
}

/* The line limit counts the line's text, not its CRLF ending. */
Test(csvread, line_limit_is_the_same_with_crlf_endings)
{
    char line[CSVREAD_MAX_LINE + 8], text[2 * CSVREAD_MAX_LINE];
    char *cause = NULL;
    memset(line, ' ', sizeof line);
    memcpy(line, "0,1", 3);
    line[CSVREAD_MAX_LINE] = '\0';
    snprintf(text, sizeof text, "%s\r\n1,2\r\n", line);
    cr_expect_eq(parse_text(text, &cause), 0, "%s", cause ? cause : "");
}
