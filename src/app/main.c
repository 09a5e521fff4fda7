/*
 * ouscope: parse the command line, then run headless or the live view.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "app/cli.h"
#include "app/headless.h"

int
main(int argc, char **argv)
{
    struct cli_opts o;
    char *cause = NULL;
    int r = cli_parse(argc, argv, &o, stdout, &cause);
    if (r > 0)
        return 0;
    if (r < 0) {
        fprintf(stderr, "ouscope: %s\n", cause);
        free(cause);
        return 2;
    }
    if (!o.headless) {
        fprintf(stderr, "ouscope: this build has no live view yet; run with --headless --steps N\n");
        return 2;
    }
    return headless_run(&o);
}
