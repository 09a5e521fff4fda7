/*
 * Status codes returned by every fallible engine call.  The engine never
 * prints, aborts or exits on input it can be given; it returns one of these.
 */
#ifndef OUSCOPE_STATUS_H
#define OUSCOPE_STATUS_H

enum ou_status {
    OU_OK = 0,
    OU_EINVAL,    /* an argument is out of its documented range */
    OU_ENOMEM,    /* an allocation failed; nothing was changed */
    OU_EDIVERGED, /* a step produced a non-finite loss or parameter */
    OU_EFORMAT,   /* a serialized state is damaged, foreign or of another version */
    OU_ENUMERIC   /* a LAPACK routine failed to converge */
};

/* A short lower-case description of s, e.g. "training diverged".  Static storage. */
const char *ou_status_str(enum ou_status s);

#endif
