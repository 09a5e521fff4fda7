/*
 * Reader for data files: one "x,y" point per line.
 */
#ifndef OUSCOPE_IO_CSVREAD_H
#define OUSCOPE_IO_CSVREAD_H

#include "ouscope/data.h"

#define CSVREAD_MAX_BYTES (1u << 20) /* 1 MiB */
#define CSVREAD_MAX_LINE 256

/*
 * Parse text (len bytes) from file `name` into d: lines "x,y" with optional
 * blanks around the numbers, '#' comments and blank lines, and an optional
 * header "x,y" before the first point.  Refuses non-numeric fields, NaN or
 * infinity, x that does not strictly increase, more than OU_DATA_MAX or
 * fewer than OU_DATA_MIN points and lines over CSVREAD_MAX_LINE bytes.
 * Returns 0, or -1 with *cause = "<name>:<line>: <problem>" (caller frees).
 */
int csvread_parse(const char *name, const char *text, size_t len, struct ou_data *d,
                  char **cause);

/* Read and parse the file at path (refusing directories, FIFOs, binaries, > 1 MiB). */
int csvread_file(const char *path, struct ou_data *d, char **cause);

#endif
