/*
 * A small ANSI/ECMA-48 encoder for the in-memory screen, for recordings
 * made without a terminal: the first frame clears and paints everything,
 * later frames rewrite only the cells that changed.  Colours come from a
 * theme palette as SGR sequences (xterm 256-colour indices), text as
 * UTF-8.  It never includes curses and never reads the environment.
 */
#ifndef OUSCOPE_RENDER_ANSI_H
#define OUSCOPE_RENDER_ANSI_H

#include <stdbool.h>
#include <stddef.h>

#include "render/screen.h"
#include "render/theme.h"

struct ansi {
    const struct theme_style *pal; /* THEME_COUNT styles (borrowed, static storage) */
    struct cell *prev;             /* what the terminal shows after the last frame */
    int w, h;                      /* its size; 0 x 0 before the first frame */
    bool full;                     /* the next frame repaints everything */
    int cx, cy;                    /* cursor position, cx < 0 if unknown */
    int sgr;                       /* role whose SGR is in effect, -1 if unknown */
    char *buf;                     /* the last frame's bytes */
    size_t len, cap;
};

/* An encoder for palette pal (theme_palette's result); allocates nothing yet. */
void ansi_init(struct ansi *a, const struct theme_style *pal);

/* Free what the encoder holds. */
void ansi_fini(struct ansi *a);

/* Forget what the terminal shows: the next frame repaints everything. */
void ansi_invalidate(struct ansi *a);

/*
 * Encode s as the bytes that turn the terminal from the previous frame into
 * s (all of s the first time, after ansi_invalidate or a size change).
 * *out points to them (owned by a, valid until the next call) and *len is
 * their length, 0 if nothing changed.  Returns false if memory ran out
 * (the encoder then repaints everything next time).
 */
bool ansi_frame(struct ansi *a, const struct screen *s, const char **out, size_t *len);

#endif
