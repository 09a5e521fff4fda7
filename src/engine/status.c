/*
 * Names of engine status codes.  Engine module: no I/O.
 */
#include "config.h"

#include "ouscope/status.h"

const char *
ou_status_str(enum ou_status s)
{
    switch (s) {
    case OU_OK:
        return "ok";
    case OU_EINVAL:
        return "invalid argument";
    case OU_ENOMEM:
        return "out of memory";
    case OU_EDIVERGED:
        return "training diverged";
    case OU_EFORMAT:
        return "damaged or foreign state";
    case OU_ENUMERIC:
        return "eigenvalue routine failed";
    }
    return "unknown status";
}
