/*
 * Live recording through a pseudo-terminal, the way script(1) and asciinema
 * do it: the live view runs in a child process whose terminal is a pty, and
 * the parent copies every byte the child writes both to the real terminal
 * and into the recording, so the cast holds exactly what curses sent.  The
 * child marks frame ends and markers in-band with private APC strings
 * (ESC _ ouscope:... ESC \), which the parent strips.  No curses here.
 */
#ifndef OUSCOPE_APP_RELAY_H
#define OUSCOPE_APP_RELAY_H

#include "app/record.h"

struct relay;

enum relay_role { RELAY_FAILED = -1, RELAY_CHILD = 0, RELAY_PARENT = 1 };

/*
 * Open a pty the size of the real terminal (standard input) and fork.  In
 * the child, standard input, output and error are the pty and the result
 * is RELAY_CHILD (*out is NULL).  In the parent it is RELAY_PARENT with
 * *out set (relay_run frees it).  RELAY_FAILED with *cause set (caller
 * frees) when there is no terminal or no pty.
 */
enum relay_role relay_start(struct relay **out, char **cause);

/*
 * Parent: write the cast header (the terminal's size, the time, title and
 * $TERM), put the real terminal in raw mode, relay keys to the child and
 * its output to the terminal and to rec (one "o" event per frame, "m" and
 * "r" events as they come) until the child has exited, restore the
 * terminal and free r.  Returns the child's exit status (128 + N after
 * signal N).  Signals the parent gets (SIGINT, SIGTERM, SIGHUP) go to the
 * child; Ctrl-Z is not passed on (a recording is not suspended), but if the
 * child is stopped from outside the parent gives the terminal back and
 * stops too.
 */
int relay_run(struct relay *r, struct record *rec, const char *title);

/* Child: tell the parent that a frame has just been flushed to fd. */
void relay_note_frame(int fd);

/* Child: a marker with this label (control characters are dropped). */
void relay_note_marker(int fd, const char *label);

#endif
