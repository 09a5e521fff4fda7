/*
 * Curses lives here and nowhere else.  The screen is copied out cell by
 * cell against a shadow of what was last sent, then doupdate() writes the
 * frame once.  Signal handlers only set a flag; stderr goes to a temporary
 * file while curses owns the screen and is replayed after endwin().
 */
#include "config.h"

#include "term.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/sgrmouse.h"
#include "io/xmalloc.h"

/* Terminal state: mutable globals are allowed in term.c (STYLE.md §4). */
static SCREEN *term_scr;
static bool term_active;
static FILE *term_out;
static struct cell *term_shadow;
static int term_sw, term_sh;
static bool term_mono;
static attr_t term_attr[THEME_COUNT];
static short term_pair[THEME_COUNT];
static int term_saved_stderr = -1;
static FILE *term_errlog;
static bool term_button1;
static bool term_sgr;      /* SGR mouse reports are decoded here, not by curses */
static bool term_sgr_tail; /* a report was cut short: its rest is not keys */
static bool term_mouse;    /* reports were asked for (term_mouse_on) */
static volatile sig_atomic_t term_signal;
static volatile sig_atomic_t term_tstp; /* Ctrl-Z */

static void
term_on_signal(int sig)
{
    term_signal = sig;
}

static void
term_on_tstp(int sig)
{
    (void)sig;
    term_tstp = 1;
}

static void
term_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = term_on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: a signal interrupts the wait for input. */
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* Ctrl-Z is ours too (see term_suspend); curses leaves a signal alone that has a handler. */
    sa.sa_handler = term_on_tstp;
    sigaction(SIGTSTP, &sa, NULL);
}

/* Send stderr to a temporary file while curses owns the screen. */
static void
term_hold_stderr(void)
{
    fflush(stderr);
    term_errlog = tmpfile();
    if (!term_errlog)
        return;
    term_saved_stderr = dup(STDERR_FILENO);
    if (term_saved_stderr < 0 || dup2(fileno(term_errlog), STDERR_FILENO) < 0) {
        fclose(term_errlog);
        term_errlog = NULL;
        if (term_saved_stderr >= 0)
            close(term_saved_stderr);
        term_saved_stderr = -1;
    }
}

/* Put stderr back and replay what was written to it. */
static void
term_release_stderr(void)
{
    if (term_saved_stderr < 0)
        return;
    fflush(stderr);
    dup2(term_saved_stderr, STDERR_FILENO);
    close(term_saved_stderr);
    term_saved_stderr = -1;
    if (term_errlog) {
        char buf[4096];
        size_t k;
        rewind(term_errlog);
        while ((k = fread(buf, 1, sizeof buf, term_errlog)) > 0)
            if (fwrite(buf, 1, k, stderr) != k)
                break;
        fclose(term_errlog);
        term_errlog = NULL;
    }
}

static attr_t
term_attrs_of(uint8_t a)
{
    attr_t r = A_NORMAL;
    if (a & THEME_A_BOLD)
        r |= A_BOLD;
    if (a & THEME_A_DIM)
        r |= A_DIM;
    if (a & THEME_A_REVERSE)
        r |= A_REVERSE;
    if (a & THEME_A_UNDERLINE)
        r |= A_UNDERLINE;
    return r;
}

/* One colour pair per role, from the palette the terminal can show. */
static enum theme_depth
term_colors(const struct term_opts *o, struct term_info *info, bool light)
{
    const char *nc = getenv("NO_COLOR");
    info->no_color_env = nc && nc[0];
    enum theme_depth depth = THEME_MONO;
    if (o->color && !info->no_color_env && has_colors() && start_color() != ERR) {
        use_default_colors();
        if (COLORS >= 256 && COLOR_PAIRS > THEME_COUNT)
            depth = THEME_256;
        else if (COLORS >= 8 && COLOR_PAIRS > THEME_COUNT)
            depth = THEME_16;
    }
    const struct theme_style *pal = theme_palette(depth, light);
    for (int r = 0; r < THEME_COUNT; r++) {
        term_attr[r] = term_attrs_of(pal[r].attr);
        term_pair[r] = 0;
        if (depth != THEME_MONO) {
            term_pair[r] = (short)(r + 1);
            init_pair(term_pair[r], pal[r].fg, pal[r].bg);
        }
    }
    term_mono = depth == THEME_MONO;
    return depth;
}

int
term_open(const struct term_opts *o, FILE *in, FILE *out, struct term_info *info, char **cause)
{
    memset(info, 0, sizeof *info);
    const char *tn = getenv("TERM");
    if (!tn || !tn[0]) {
        *cause = xasprintf("TERM is not set: the live view needs a terminal (or use --headless)");
        return -1;
    }
    if (!isatty(fileno(in))) {
        *cause = xasprintf("standard input is not a terminal: the live view needs one (or use "
                           "--headless)");
        return -1;
    }
    const char *cs = nl_langinfo(CODESET);
    info->utf8 = cs && strcmp(cs, "UTF-8") == 0;
    term_signals();
    term_hold_stderr();
    term_scr = newterm(NULL, out, in);
    if (!term_scr) {
        term_release_stderr();
        *cause =
            xasprintf("cannot use terminal type \"%s\" (is its terminfo entry installed?)", tn);
        return -1;
    }
    set_term(term_scr);
    term_out = out;
    term_active = true;
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    info->depth = term_colors(o, info, o->light);
    if (o->mouse) {
        term_mouse_on();
        /* Button-event tracking, so drags report motion while a button is held. */
        fputs("\033[?1002h", out);
        fflush(out);
    }
    term_sw = term_sh = 0;
    return 0;
}

void
term_restore(void)
{
    if (!term_active)
        return;
    term_active = false;
    fputs("\033[?1002l", term_out);
    fflush(term_out);
    mousemask(0, NULL);
    term_mouse = term_sgr = term_sgr_tail = false;
    curs_set(1);
    endwin();
    term_release_stderr();
}

void
term_close(void)
{
    term_restore();
    if (term_scr) {
        delscreen(term_scr);
        term_scr = NULL;
    }
    free(term_shadow);
    term_shadow = NULL;
    term_sw = term_sh = 0;
}

void
term_size(int *w, int *h)
{
    *w = COLS;
    *h = LINES;
}

void
term_invalidate(void)
{
    free(term_shadow);
    term_shadow = NULL;
    term_sw = term_sh = 0;
    clearok(curscr, TRUE);
}

void
term_draw(const struct screen *s)
{
    size_t n = (size_t)s->w * (size_t)s->h;
    bool full = s->w != term_sw || s->h != term_sh || !term_shadow;
    if (full) {
        free(term_shadow);
        term_shadow = xcalloc(n ? n : 1, sizeof *term_shadow);
        term_sw = s->w;
        term_sh = s->h;
        erase();
    }
    for (int y = 0; y < s->h && y < LINES; y++) {
        for (int x = 0; x < s->w && x < COLS; x++) {
            size_t i = (size_t)y * (size_t)s->w + (size_t)x;
            const struct cell *c = &s->cells[i];
            struct cell *o = &term_shadow[i];
            if (!full && o->ch == c->ch && o->style == c->style)
                continue;
            *o = *c;
            wchar_t wc[2] = {(wchar_t)c->ch, L'\0'};
            cchar_t cc;
            int role = c->style < THEME_COUNT ? c->style : THEME_TEXT;
            setcchar(&cc, wc, term_attr[role], term_pair[role], NULL);
            mvadd_wch(y, x, &cc);
        }
    }
    wnoutrefresh(stdscr);
    doupdate();
}

void
term_mouse_on(void)
{
    mousemask(BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON3_PRESSED | REPORT_MOUSE_POSITION, NULL);
    mouseinterval(0);
    /* Where the terminal reports in SGR form, curses is told not to know the prefix, so the
     * report reaches term_wait as plain characters (see sgrmouse.h for why). */
    const char *km = tigetstr("kmous");
    term_sgr =
        km && km != (const char *)-1 && strcmp(km, "\033[<") == 0 && keyok(KEY_MOUSE, FALSE) == OK;
    term_mouse = true;
}

/*
 * Ctrl-Z: give the terminal back, stop, and take it again when continued.
 * Curses' own handler would do the same but turn its SGR decoding back on
 * and forget button-event tracking.  The caller redraws everything.
 */
static void
term_suspend(void)
{
    if (term_mouse) {
        fputs("\033[?1002l", term_out);
        fflush(term_out);
    }
    endwin();
    struct sigaction dfl, mine;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGTSTP, &dfl, &mine);
    raise(SIGTSTP); /* stopped here until SIGCONT (at once in an orphaned process group) */
    sigaction(SIGTSTP, &mine, NULL);
    doupdate(); /* program mode again; curses turns the mouse back on */
    if (term_mouse) {
        if (term_sgr)
            term_sgr = keyok(KEY_MOUSE, FALSE) == OK;
        fputs("\033[?1002h", term_out);
        fflush(term_out);
    }
    term_invalidate();
}

/* Characters read as one report at most: a longer run is garbage, and reading ends. */
#define TERM_SGR_DRAIN 64

/* Give back what term_sgr_read took, in its order: characters (OK) and key codes alike. */
static void
term_unread(const int *r, const wint_t *c, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        if (r[i] == OK)
            unget_wch((wchar_t)c[i]);
        else
            ungetch((int)c[i]);
    }
}

/*
 * After an Escape: read an SGR mouse report whole (the rest of it may take
 * up to the escape delay to arrive).  False, with what was read given back,
 * when "[<" does not follow; otherwise true with *ev decoded, or empty for a
 * report that is garbled or cut short.
 */
static bool
term_sgr_read(struct term_event *ev)
{
    int r[2];
    wint_t c[2];
    wtimeout(stdscr, get_escdelay());
    for (int i = 0; i < 2; i++) {
        r[i] = wget_wch(stdscr, &c[i]);
        if (r[i] == ERR) {
            term_unread(r, c, i);
            return false;
        }
        if (r[i] != OK || c[i] != (i == 0 ? L'[' : L'<')) {
            term_unread(r, c, i + 1);
            return false;
        }
    }
    /* The prefix is a report's: the rest may come a little later than an escape sequence's. */
    wtimeout(stdscr, 4 * get_escdelay());
    char p[SGRMOUSE_MAX];
    size_t n = 0;
    for (;;) {
        wint_t w;
        int rr = wget_wch(stdscr, &w);
        if (rr == ERR || term_signal || term_tstp || n >= TERM_SGR_DRAIN) {
            /* Cut short (or endless): nothing, and what follows of it is not keys. */
            term_sgr_tail = true;
            return true;
        }
        if (rr == OK && ((w >= L'0' && w <= L'9') || w == L';')) {
            if (n < sizeof p)
                p[n] = (char)w;
            n++;
            continue;
        }
        /* The final byte.  One that cannot end a report is a key of its own: it is given back. */
        if (rr != OK || (w != L'M' && w != L'm')) {
            term_unread(&rr, &w, 1);
            memset(ev, 0, sizeof *ev);
            return true;
        }
        if (!sgrmouse_decode(p, n, (int)w, COLS, LINES, &term_button1, ev))
            memset(ev, 0, sizeof *ev);
        return true;
    }
}

static bool
term_mouse_event(struct term_event *ev)
{
    MEVENT me;
    if (getmouse(&me) != OK)
        return false;
    /* A report from outside the screen (a click racing a resize, a garbled sequence) means nothing.
     */
    if (me.x < 0 || me.y < 0 || me.x >= COLS || me.y >= LINES)
        return false;
    ev->kind = TERM_EV_MOUSE;
    ev->x = me.x;
    ev->y = me.y;
    ev->button = 0;
    if (me.bstate & BUTTON1_PRESSED) {
        ev->mouse = TERM_MOUSE_PRESS;
        ev->button = 1;
        term_button1 = true;
    } else if (me.bstate & BUTTON1_RELEASED) {
        ev->mouse = TERM_MOUSE_RELEASE;
        ev->button = 1;
        term_button1 = false;
    } else if (me.bstate & BUTTON3_PRESSED) {
        ev->mouse = TERM_MOUSE_PRESS;
        ev->button = 3;
    } else if (me.bstate & REPORT_MOUSE_POSITION) {
        ev->mouse = TERM_MOUSE_MOTION;
        ev->button = term_button1 ? 1 : 0;
    } else {
        return false;
    }
    return true;
}

bool
term_wait(int timeout_ms, struct term_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (term_tstp) {
        term_tstp = 0;
        term_suspend();
        ev->kind = TERM_EV_RESIZE;
        return true;
    }
    if (term_signal) {
        ev->kind = TERM_EV_SIGNAL;
        ev->key = term_signal;
        return true;
    }
    wtimeout(stdscr, timeout_ms);
    wint_t wc;
    int r = wget_wch(stdscr, &wc);
    if (term_signal) {
        ev->kind = TERM_EV_SIGNAL;
        ev->key = term_signal;
        return true;
    }
    if (r == ERR) {
        if (!term_tstp)
            return false;
        term_tstp = 0;
        term_suspend();
        ev->kind = TERM_EV_RESIZE;
        return true;
    }
    /* The rest of a report cut short: digits and semicolons, then M or m. */
    if (term_sgr_tail) {
        bool part = r == OK && ((wc >= L'0' && wc <= L'9') || wc == L';');
        term_sgr_tail = part;
        if (part || (r == OK && (wc == L'M' || wc == L'm')))
            return true;
    }
    if (r == KEY_CODE_YES) {
        switch (wc) {
        case KEY_RESIZE:
            ev->kind = TERM_EV_RESIZE;
            return true;
        case KEY_MOUSE:
            /* A report that means nothing is still input read: an empty event. */
            if (!term_mouse_event(ev))
                memset(ev, 0, sizeof *ev);
            return true;
        case KEY_F(1):
            ev->kind = TERM_EV_KEY;
            ev->key = '?';
            return true;
        default:
            /* Other function keys are read and ignored. */
            ev->kind = TERM_EV_KEY;
            ev->key = 0;
            return true;
        }
    }
    if (wc == 27 && term_sgr && term_sgr_read(ev))
        return true;
    ev->kind = TERM_EV_KEY;
    /* Bytes that are not UTF-8 (an over-long or 5- and 6-byte form) can come out of the
     * decoder as a number that is no character: read, and ignored like a function key. */
    ev->key = wc <= 0x10FFFF && !(wc >= 0xD800 && wc < 0xE000) ? (int)wc : 0;
    return true;
}

double
term_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void
term_pump_until(double deadline, term_handler fn, void *ctx)
{
    struct term_event ev;
    for (;;) {
        int ms = (int)ceil((deadline - term_now()) * 1000.0);
        if (!term_wait(ms < 0 ? 0 : ms, &ev) || !fn(ctx, &ev))
            return;
    }
}

void
term_pump_idle(int ms, term_handler fn, void *ctx)
{
    struct term_event ev;
    if (!term_wait(ms, &ev) || !fn(ctx, &ev))
        return;
    while (term_wait(0, &ev) && fn(ctx, &ev))
        ;
}

long
term_bytes_written(void)
{
    struct stat st;
    if (!term_out || fstat(fileno(term_out), &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    return (long)st.st_size;
}
