/*
 * The xterm SGR mouse report (mode 1006), decoded here rather than by
 * curses: ESC [ < Cb ; Cx ; Cy followed by M (press or motion) or m
 * (release), with 1-based cells.  Debian 12's ncurses 6.4 writes past a
 * stack buffer when such a report carries more than about thirty
 * parameters, and a terminal's input is not ours to trust.  No curses.
 */
#ifndef OUSCOPE_APP_SGRMOUSE_H
#define OUSCOPE_APP_SGRMOUSE_H

#include <stdbool.h>
#include <stddef.h>

#include "app/term.h"

/* Longest parameter text a report may have ("65535;65535;65535"); longer is garbage. */
#define SGRMOUSE_MAX 17

/*
 * Decode the parameters p[0..n) (digits and semicolons, after "ESC [ <")
 * and the final byte into *ev for a cols x lines screen.  *button1 says
 * whether the left button is held; presses and releases of it update it.
 * Only what the live views use becomes an event: left press and release,
 * right press, and motion (with button 1 when the left button is held).
 * Anything else that is well formed, and every cell off the screen, gives
 * TERM_EV_NONE (a left release off the screen still clears *button1).  Returns false, with
 * TERM_EV_NONE, for text that is not a report: other than three numbers, a number over 5 digits, n
 * over SGRMOUSE_MAX, a final byte other than M or m.
 */
bool sgrmouse_decode(const char *p, size_t n, int final, int cols, int lines, bool *button1,
                     struct term_event *ev);

#endif
