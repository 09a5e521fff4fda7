/*
 * The SGR mouse report decoder against xterm's definition of the report
 * (ctlseqs: "CSI < Cb ; Cx ; Cy M" on press and motion, "m" on release;
 * Cb's low two bits the button, +32 motion, +64 wheel, +4/8/16 Shift, Meta,
 * Control; cells counted from 1), and against garbage of every shape,
 * including the many-parameter report that overflows ncurses 6.4.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "app/sgrmouse.h"

/* Decode the text "Cb;Cx;Cy" with final byte fin on a 120 x 40 screen. */
static bool
dec(const char *s, int fin, bool *b1, struct term_event *ev)
{
    return sgrmouse_decode(s, strlen(s), fin, 120, 40, b1, ev);
}

Test(sgrmouse, left_press_drag_release)
{
    bool b1 = false;
    struct term_event ev;
    cr_assert(dec("0;31;11", 'M', &b1, &ev));
    cr_expect_eq(ev.kind, TERM_EV_MOUSE);
    cr_expect_eq(ev.mouse, TERM_MOUSE_PRESS);
    cr_expect_eq(ev.button, 1);
    cr_expect_eq(ev.x, 30, "1-based column 31 is cell 30");
    cr_expect_eq(ev.y, 10);
    cr_expect(b1);
    /* Motion with the left button held: 32 + 0. */
    cr_assert(dec("32;33;13", 'M', &b1, &ev));
    cr_expect_eq(ev.kind, TERM_EV_MOUSE);
    cr_expect_eq(ev.mouse, TERM_MOUSE_MOTION);
    cr_expect_eq(ev.button, 1);
    cr_expect_eq(ev.x, 32);
    cr_expect_eq(ev.y, 12);
    cr_assert(dec("0;35;15", 'm', &b1, &ev));
    cr_expect_eq(ev.mouse, TERM_MOUSE_RELEASE);
    cr_expect_eq(ev.button, 1);
    cr_expect_eq(ev.x, 34);
    cr_expect(!b1);
    /* Motion with no button (mode 1003): button 3 in the low bits, and no button held. */
    cr_assert(dec("35;2;2", 'M', &b1, &ev));
    cr_expect_eq(ev.mouse, TERM_MOUSE_MOTION);
    cr_expect_eq(ev.button, 0);
}

Test(sgrmouse, right_press_counts_and_the_rest_means_nothing)
{
    bool b1 = false;
    struct term_event ev;
    cr_assert(dec("2;1;1", 'M', &b1, &ev));
    cr_expect_eq(ev.kind, TERM_EV_MOUSE);
    cr_expect_eq(ev.button, 3);
    cr_expect_eq(ev.mouse, TERM_MOUSE_PRESS);
    cr_expect_eq(ev.x, 0);
    cr_expect_eq(ev.y, 0);
    /* Modifiers do not change the button: Control + left press. */
    cr_assert(dec("16;5;5", 'M', &b1, &ev));
    cr_expect_eq(ev.button, 1);
    cr_expect(b1);
    b1 = false;
    static const struct {
        const char *s;
        int fin;
    } none[] = {
        {"2;1;1", 'm'},  /* right release */
        {"1;1;1", 'M'},  /* middle press */
        {"1;1;1", 'm'},  /* middle release */
        {"64;9;9", 'M'}, /* wheel up */
        {"65;9;9", 'M'}, /* wheel down */
        {"32;9;9", 'm'}, /* motion cannot be a release */
    };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        cr_expect(dec(none[i].s, none[i].fin, &b1, &ev), "%s%c is a report", none[i].s,
                  none[i].fin);
        cr_expect_eq(ev.kind, TERM_EV_NONE, "%s%c gave an event", none[i].s, none[i].fin);
        cr_expect(!b1);
    }
}

Test(sgrmouse, cells_off_the_screen_mean_nothing)
{
    bool b1 = false;
    struct term_event ev;
    /* 120 x 40: columns 1..120, rows 1..40 in the report. */
    cr_assert(dec("0;120;40", 'M', &b1, &ev));
    cr_expect_eq(ev.kind, TERM_EV_MOUSE);
    cr_expect_eq(ev.x, 119);
    cr_expect_eq(ev.y, 39);
    b1 = false;
    static const char *off[] = {"0;121;1", "0;1;41", "0;0;1", "0;1;0", "0;99999;1"};
    for (size_t i = 0; i < sizeof off / sizeof off[0]; i++) {
        cr_expect(dec(off[i], 'M', &b1, &ev));
        cr_expect_eq(ev.kind, TERM_EV_NONE, "%s gave an event", off[i]);
        cr_expect(!b1, "%s pressed the button", off[i]);
    }
    /* A drag that leaves the screen and is let go there ends the drag all the same. */
    cr_assert(dec("0;5;5", 'M', &b1, &ev));
    cr_assert(b1);
    cr_expect(dec("0;121;5", 'm', &b1, &ev));
    cr_expect_eq(ev.kind, TERM_EV_NONE);
    cr_expect(!b1, "the button is still held after a release off the screen");
    cr_expect(dec("32;6;6", 'M', &b1, &ev));
    cr_expect_eq(ev.button, 0, "motion after the release still carries button 1");
}

Test(sgrmouse, garbage_is_not_a_report)
{
    bool b1 = false;
    struct term_event ev;
    static const char *bad[] = {
        "",           "0",      "0;1",   "0;1;1;1", ";1;1",   "0;;1",    "0;1;",      "0;1;1;",
        "123456;1;1", "0;1;1a", "a;1;1", "0 ;1;1",  "-1;1;1", "0;1;1\n", "1;2;3;4;5", "0;000001;1",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ev.kind = TERM_EV_KEY;
        cr_expect(!dec(bad[i], 'M', &b1, &ev), "\"%s\" was taken as a report", bad[i]);
        cr_expect_eq(ev.kind, TERM_EV_NONE);
    }
    /* The report that overflows ncurses 6.4: thirty-odd empty parameters. */
    char many[64];
    snprintf(many, sizeof many, "%s2;30;", ";;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;");
    cr_expect(!sgrmouse_decode(many, strlen(many), 'M', 120, 40, &b1, &ev));
    /* Final bytes other than M and m. */
    cr_expect(!dec("0;1;1", 'x', &b1, &ev));
    cr_expect(!dec("0;1;1", '~', &b1, &ev));
    /* Longer than any report: refused before it is read (the text is not even valid). */
    cr_expect(!sgrmouse_decode("00000;00000;000001", 18, 'M', 120, 40, &b1, &ev));
    cr_expect(dec("00000;00001;00001", 'M', &b1, &ev), "17 characters is the longest report");
    cr_expect_eq(ev.kind, TERM_EV_MOUSE);
    cr_expect_eq(ev.x, 0);
    cr_expect(b1);
}
