/*
 * Allocation that cannot fail (it reports and exits), formatted strings,
 * and the fatal-error path, which first restores the terminal through a
 * hook the curses layer installs.  For everything outside the engine.
 */
#ifndef OUSCOPE_IO_XMALLOC_H
#define OUSCOPE_IO_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);

/* printf into a new string the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Called by fatal() before it prints; term.c sets it while curses owns the screen. */
void xmalloc_set_fatal_hook(void (*hook)(void));

/* Restore the terminal, print "ouscope: <message>" to stderr and exit(1). */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
