/*
 * libFuzzer harness: the command line.  The input is split at NUL bytes
 * into arguments (at most 32).  As in main.c, a command line with
 * --setting goes to labcli_parse, any other to cli_parse.  Either must
 * accept the arguments, print help/version, or refuse with a one-line cause
 * that names a flag or argument; never a crash or a leak.  An accepted
 * setting is also created, and a refused size gets a one-line message.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cli.h"
#include "app/labcli.h"
#include "ouscope/lab.h"

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

#define FUZZ_MAX_ARGS 32

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    char *copy = malloc(len + 1);
    if (!copy)
        return 0;
    memcpy(copy, buf, len);
    copy[len] = '\0';
    char *argv[FUZZ_MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = "ouscope";
    for (size_t i = 0; i <= len && argc <= FUZZ_MAX_ARGS;) {
        argv[argc++] = copy + i;
        i += strlen(copy + i) + 1;
    }
    argv[argc] = NULL;
    char *cause = NULL;
    int r;
    if (labcli_wanted(argc, argv)) {
        struct labcli_opts lo;
        r = labcli_parse(argc, argv, &lo, sink, &cause);
        struct ou_lab *l = NULL;
        if (r == 0 && ou_lab_create(&l, &lo.cfg) == OU_EINVAL) {
            char *why = labcli_sizes_message(&lo.cfg);
            if (!why || !why[0] || strchr(why, '\n'))
                abort();
            free(why);
        }
        ou_lab_destroy(l);
    } else {
        struct cli_opts o;
        r = cli_parse(argc, argv, &o, sink, &cause);
    }
    if (r < 0 && (!cause || !cause[0] || strchr(cause, '\n')))
        abort();
    if (r >= 0 && cause)
        abort();
    free(cause);
    free(copy);
    return 0;
}
