/*
 * The other settings (ouscope --setting KIND): the live view of one lab
 * setting (its own loop, keys and panes) or, with --headless, a CSV of its
 * observables.  main.c hands over when the command line names a setting.
 */
#ifndef OUSCOPE_APP_LABAPP_H
#define OUSCOPE_APP_LABAPP_H

/*
 * Parse argv as the other settings' command line and run.  Returns the
 * exit status: 0; 1 on a runtime error or a divergence in a headless run;
 * 2 for bad usage (a message on standard error names the flag and the
 * range); or 128 + the signal number after SIGINT, SIGTERM or SIGHUP.
 * setlocale must have been called.
 */
int labapp_main(int argc, char **argv);

#endif
