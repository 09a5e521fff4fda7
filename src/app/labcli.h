/*
 * Command-line options of the other settings (ouscope --setting KIND ...):
 * the kind's configuration, the live view's and the headless run's flags.
 * Parsed in the style of cli.c: every refusal names the flag, what was
 * allowed and what was given.
 */
#ifndef OUSCOPE_APP_LABCLI_H
#define OUSCOPE_APP_LABCLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ouscope/lab.h"

struct labcli_opts {
    struct ou_lab_config cfg; /* ou_lab_config_default of the kind, then the flags */
    bool headless;
    uint64_t steps;  /* headless: steps to run */
    uint64_t every;  /* headless: a CSV row every K steps */
    const char *csv; /* headless: the CSV file, "-" for standard output */
    double fps;
    uint64_t frames; /* quit after this many frames, 0 = run until q */
    bool color, light;
};

/* True if argv asks for one of the other settings (--setting KIND or --setting=KIND). */
bool labcli_wanted(int argc, char **argv);

/*
 * Parse argv into *o.  Returns 0 to run, 1 if --help was printed to out
 * (exit 0), or -1 with *cause set to a message naming the flag and its
 * allowed values (exit 2; the caller frees it).
 */
int labcli_parse(int argc, char **argv, struct labcli_opts *o, FILE *out, char **cause);

/*
 * A message for a configuration ou_lab_create refused (OU_EINVAL): the
 * sizes given and the ranges the kind takes.  The caller frees it.
 */
char *labcli_sizes_message(const struct ou_lab_config *c);

#endif
