/*
 * The asciicast v2 writer: a JSON header line, then one JSON array per
 * event ("o" output, "m" marker, "r" resize).  Every event is written with
 * a single write() of a whole line, so a run killed at any moment leaves a
 * file whose every line is valid JSON.  No terminal code here.
 */
#ifndef OUSCOPE_APP_RECORD_H
#define OUSCOPE_APP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct record;

/*
 * Open path for a new recording, truncating a regular file.  "-" is
 * standard output.  Refuses directories, terminals and anything that is not
 * a regular file, a character device or a pipe.  Returns the recorder (the
 * caller owns it: record_close), or NULL with *cause set to a one-line
 * message naming the file (caller frees).
 */
struct record *record_open(const char *path, char **cause);

/*
 * Write the header line: {"version": 2, "width": w, "height": h,
 * "timestamp": timestamp, "title": title, "env": {"TERM": term}}.  title
 * and term may be NULL (left out).  Call once, first.
 */
void record_header(struct record *r, int w, int h, int64_t timestamp, const char *title,
                   const char *term);

/*
 * An "o" event at t seconds with the bytes buf[0..len).  Valid UTF-8 is
 * kept as it is, control bytes become \u00XX escapes and invalid bytes
 * U+FFFD.  A UTF-8 sequence cut at the end of buf is held back and written
 * with the next event, so no sequence is ever split across events.  Times
 * never go backwards: an earlier t is written as the previous one.
 */
void record_output(struct record *r, double t, const char *buf, size_t len);

/* An "m" (marker) event at t with a UTF-8 label. */
void record_marker(struct record *r, double t, const char *label);

/* An "r" (resize) event at t: the terminal is now w x h. */
void record_resize(struct record *r, double t, int w, int h);

/* Bytes written to the file so far. */
uint64_t record_bytes(const struct record *r);

/* "o" events written so far, and the output bytes they carried (before escaping). */
uint64_t record_frames(const struct record *r);
uint64_t record_output_bytes(const struct record *r);

/*
 * Write what is held back, close the file and free r.  Returns 0, or -1
 * with *cause set (caller frees) if any write failed.  NULL is a no-op.
 */
int record_close(struct record *r, char **cause);

/*
 * Free r and close its file without writing anything more: for a forked
 * child that shares the parent's recorder.  NULL is a no-op.
 */
void record_abandon(struct record *r);

/*
 * Length of the longest prefix of buf[0..len) that does not end inside a
 * UTF-8 sequence that could still be completed (at most 3 bytes short).
 */
size_t record_utf8_complete(const char *buf, size_t len);

#endif
