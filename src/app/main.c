/*
 * ouscope: set the locale, parse the command line, then run headless (CSV)
 * or everything else (the live view, recordings, scripts).
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "app/app.h"
#include "app/cli.h"
#include "app/headless.h"
#include "app/labapp.h"
#include "app/labcli.h"

int
main(int argc, char **argv)
{
    /* The terminal's character set first (ncursesw needs it); numbers stay
     * in the C locale so flags parse and CSV prints with a decimal point. */
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");
    /* The other settings (ouscope(1), SETTINGS) have their own flags and view. */
    if (labcli_wanted(argc, argv))
        return labapp_main(argc, argv);
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
    if (o.headless && !o.script && !o.record)
        return headless_run(&o);
    return app_main(&o);
}
