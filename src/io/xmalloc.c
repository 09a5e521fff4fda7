/*
 * Allocation wrappers that report and exit, in the manner of tmux's
 * xmalloc.c; the exit path restores the terminal first.
 */
#include "config.h"

#include "xmalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*fatal_hook)(void);

void
xmalloc_set_fatal_hook(void (*hook)(void))
{
    fatal_hook = hook;
}

void
fatal(const char *fmt, ...)
{
    if (fatal_hook)
        fatal_hook();
    va_list ap;
    va_start(ap, fmt);
    fputs("ouscope: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void *
xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        fatal("out of memory allocating %zu bytes", size);
    return p;
}

void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        fatal("out of memory allocating %zu x %zu bytes", n, size);
    return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        fatal("allocation of %zu x %zu bytes overflows", n, size);
    size_t total = n * size;
    void *q = realloc(p, total > 0 ? total : 1);
    if (!q)
        fatal("out of memory allocating %zu x %zu bytes", n, size);
    return q;
}

char *
xstrdup(const char *s)
{
    size_t k = strlen(s) + 1;
    return memcpy(xmalloc(k), s, k);
}

char *
xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0)
        fatal("bad format string");
    char *s = xmalloc((size_t)k + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)k + 1, fmt, ap);
    va_end(ap);
    return s;
}
