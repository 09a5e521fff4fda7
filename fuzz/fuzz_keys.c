/*
 * libFuzzer harness: the key and mouse decoder.  The bytes are what a
 * terminal would send.  They go through curses' own decoder (newterm on a
 * pipe, keypad and xterm mouse reporting on, as term.c sets them up), then
 * term_wait turns what curses decodes into events, and each key event is
 * looked up in both key tables and named as the "not bound" note names it.
 * Byte 0x01 followed by two bytes is not sent: it resizes curses' screen
 * to (20 + b1 % 240) x (5 + b2 % 80) instead (the first two in an input),
 * so mouse reports meet every screen size.  An event must be well formed: a mouse cell inside the
 * screen curses knows, a known button and motion, a key that is a
 * character (a Unicode scalar value), table actions in range, a note that ends inside its buffer.
 * fuzz_view.c sends the same bytes on into a whole headless live view.
 */
#include "config.h"

#include <curses.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/keymap.h"
#include "app/labkeys.h"
#include "app/term.h"
#include "fuzz_term.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

static int keys_in = -1; /* what curses reads */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    keys_in = fuzz_term_open();
    return 0;
}

/* Abort unless ev is an event the live views can take as it is. */
static void
keys_check(const struct term_event *ev)
{
    char note[96];
    switch (ev->kind) {
    case TERM_EV_NONE:
    case TERM_EV_RESIZE:
        return;
    case TERM_EV_MOUSE:
        if (ev->x < 0 || ev->y < 0 || ev->x >= COLS || ev->y >= LINES)
            abort();
        if (ev->button != 0 && ev->button != 1 && ev->button != 3)
            abort();
        if (ev->mouse != TERM_MOUSE_PRESS && ev->mouse != TERM_MOUSE_MOTION &&
            ev->mouse != TERM_MOUSE_RELEASE)
            abort();
        return;
    case TERM_EV_KEY:
        if (ev->key < 0 || ev->key > 0x10FFFF || (ev->key >= 0xD800 && ev->key < 0xE000))
            abort();
        if ((int)keymap_lookup(ev->key) < 0 || keymap_lookup(ev->key) >= KEYMAP_COUNT)
            abort();
        if ((int)labkeys_lookup(ev->key) < 0 || labkeys_lookup(ev->key) > LABKEYS_QUIT)
            abort();
        memset(note, 'x', sizeof note);
        labkeys_unbound_note(note, sizeof note, ev->key);
        if (!memchr(note, '\0', sizeof note))
            abort();
        return;
    case TERM_EV_SIGNAL:
    default:
        /* No signal is sent here, and no other kind exists. */
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    if (len > 4096)
        return 0;
    struct term_event ev;
    int resizes = 0;
    size_t i = 0;
    while (i < len) {
        if (buf[i] == 0x01) {
            if (i + 2 >= len)
                break;
            /* Resizing reallocates curses' screens: two per input show the bounds move. */
            int lines = 5 + buf[i + 2] % 80, cols = 20 + buf[i + 1] % 240;
            if (resizes < 2 && (lines != LINES || cols != COLS)) {
                resizeterm(lines, cols);
                resizes++;
            }
            i += 3;
            continue;
        }
        size_t j = i;
        while (j < len && buf[j] != 0x01)
            j++;
        if (write(keys_in, buf + i, j - i) != (ssize_t)(j - i))
            abort();
        while (term_wait(0, &ev))
            keys_check(&ev);
        i = j;
    }
    /* The next input starts at 120 x 40 with nothing queued (a resize queues KEY_RESIZE). */
    if (LINES != 40 || COLS != 120)
        resizeterm(40, 120);
    while (term_wait(0, &ev))
        keys_check(&ev);
    return 0;
}
