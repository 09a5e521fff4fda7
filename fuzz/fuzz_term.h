/*
 * Curses for the key harnesses: a screen of 120 x 40 whose input is a pipe
 * (the harness writes terminal bytes into it) and whose output goes to
 * /dev/null, in the modes term.c sets (cbreak, no echo, keypad, xterm mouse
 * reports of the buttons and motion, SGR reports read by term_wait).  Header-only: each harness is
 * one translation unit.
 */
#ifndef OUSCOPE_FUZZ_TERM_H
#define OUSCOPE_FUZZ_TERM_H

#include <curses.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "app/term.h"

/* Open the screen; returns the pipe's write end.  Aborts if curses cannot start. */
static inline int
fuzz_term_open(void)
{
    int fd[2];
    setlocale(LC_ALL, "C.UTF-8");
    setenv("TERM", "xterm-256color", 1);
    if (pipe(fd) != 0)
        abort();
    /* Never block: curses reads the rest of a mouse report without a timeout,
     * and a report cut short must end the input, not hang the harness. */
    fcntl(fd[0], F_SETFL, O_NONBLOCK);
    fcntl(fd[1], F_SETFL, O_NONBLOCK);
    FILE *in = fdopen(fd[0], "r");
    FILE *out = fopen("/dev/null", "w");
    if (!in || !out)
        abort();
    SCREEN *sp = newterm("xterm-256color", out, in);
    if (!sp)
        abort();
    set_term(sp);
    resizeterm(40, 120);
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    /* term.c waits 25 ms after a lone Escape; on a pipe that only costs time. */
    set_escdelay(0);
    term_mouse_on();
    return fd[1];
}

#endif
