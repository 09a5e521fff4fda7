/*
 * libFuzzer harness: the whole live view behind the key and mouse decoder.
 * The bytes are what a terminal would send: they go through curses' own
 * decoder as in fuzz_keys.c, then each event goes to a headless live view
 * (app_probe_*) that handles it exactly as the live loop does, and a frame
 * is drawn after each run of bytes.  Each input builds its own view, so it
 * runs far slower than fuzz_keys.  Byte 0x01 followed by two bytes is not
 * sent: it resizes the view to (20 + b1 % 240) x (5 + b2 % 80) instead,
 * so layouts of every size meet the keys and clicks.
 * Nothing may crash, leak, read out of bounds or hang; an event must be
 * well formed (a mouse cell inside the screen curses knows, a key that is a
 * character); fuzz_keys.c checks events in full.
 */
#include "config.h"

#include <curses.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "app/cli.h"
#include "app/term.h"
#include "fuzz_term.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

static int keys_in = -1; /* what curses reads */
static struct cli_opts keys_opts;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("OPENBLAS_NUM_THREADS", "1", 1);
    keys_in = fuzz_term_open();
    setlocale(LC_NUMERIC, "C");

    char *cause = NULL;
    char *args[] = {"ouscope", "--seed", "3", NULL};
    if (cli_parse(3, args, &keys_opts, stdout, &cause) != 0)
        abort();
    return 0;
}

/* Drain what curses decodes from the pipe into the view, then draw; false once it quits. */
static bool
keys_drain(struct app *a)
{
    struct term_event ev;
    bool alive = true;
    while (alive && term_wait(0, &ev)) {
        if (ev.kind == TERM_EV_MOUSE && (ev.x < 0 || ev.y < 0 || ev.x >= COLS || ev.y >= LINES))
            abort();
        if (ev.kind == TERM_EV_KEY && (ev.key < 0 || ev.key > 0x10FFFF))
            abort();
        alive = app_probe_event(a, &ev);
    }
    app_probe_frame(a);
    return alive;
}

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    if (len > 4096)
        return 0;
    char *cause = NULL;
    struct app *a = app_probe_create(&keys_opts, 120, 40, &cause);
    if (!a)
        abort();
    size_t i = 0;
    bool alive = true;
    while (alive && i < len) {
        if (buf[i] == 0x01) {
            if (i + 2 >= len)
                break;
            alive = app_probe_resize(a, 20 + buf[i + 1] % 240, 5 + buf[i + 2] % 80);
            i += 3;
            continue;
        }
        size_t j = i;
        while (j < len && buf[j] != 0x01)
            j++;
        if (write(keys_in, buf + i, j - i) != (ssize_t)(j - i))
            abort();
        alive = keys_drain(a);
        i = j;
    }
    /* Whatever the quitting view left unread must not reach the next input. */
    struct term_event ev;
    while (term_wait(0, &ev))
        ;
    app_probe_destroy(a);
    return 0;
}
