/*
 * The recording parent.  One loop waits (ppoll, with the signals it cares
 * about unblocked only inside the wait, so none is missed) for keys on the
 * real terminal, output from the pty and signals.  Output is written to the
 * real terminal as it arrives and collected for the cast until the child
 * says a frame is complete.  Like term.c this is a terminal layer, so it
 * keeps the saved terminal modes and signal flags in file-scope variables.
 */
#include "config.h"

#include "relay.h"

#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "io/xmalloc.h"

/* The in-band notes: ESC _ "ouscope:" payload ESC \ (an APC string). */
static const char relay_prefix[] = "\033_ouscope:";
#define RELAY_PREFIX_LEN (sizeof relay_prefix - 1)
#define RELAY_NOTE_MAX 512
/* Output collected without a frame note is written out at this size anyway. */
#define RELAY_PENDING_MAX (1u << 20)

struct relay {
    pid_t pid;
    int master;
    int w, h;
    double t0;
    size_t nheld;  /* bytes of relay_prefix matched so far */
    bool in_note;  /* inside a note's payload */
    bool note_esc; /* the payload's last byte was ESC */
    char note[RELAY_NOTE_MAX];
    size_t nnote;
    char *pending; /* output of the frame being collected */
    size_t npending, cap;
    char *out; /* output of one read, for the real terminal */
    size_t nout, outcap;
};

/* Terminal state and signal flags (see the file comment). */
static struct termios relay_saved;
static bool relay_raw;
static volatile sig_atomic_t relay_winch, relay_chld, relay_sig;

static void
relay_on_signal(int sig)
{
    if (sig == SIGWINCH)
        relay_winch = 1;
    else if (sig == SIGCHLD)
        relay_chld = 1;
    else
        relay_sig = sig;
}

static double
relay_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void
relay_restore(void)
{
    if (relay_raw) {
        tcsetattr(STDIN_FILENO, TCSADRAIN, &relay_saved);
        relay_raw = false;
    }
}

static void
relay_make_raw(void)
{
    struct termios t = relay_saved;
    cfmakeraw(&t);
    if (tcsetattr(STDIN_FILENO, TCSADRAIN, &t) == 0)
        relay_raw = true;
}

static void
write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return; /* the terminal went away: keep recording regardless */
        }
        p += k;
        n -= (size_t)k;
    }
}

enum relay_role
relay_start(struct relay **out, char **cause)
{
    *out = NULL;
    struct winsize ws;
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &relay_saved) != 0) {
        *cause = xasprintf("--record: standard input is not a terminal: the live view needs one "
                           "(headless takes: --headless --script FILE)");
        return RELAY_FAILED;
    }
    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0) {
        memset(&ws, 0, sizeof ws);
        ws.ws_col = 80;
        ws.ws_row = 24;
    }
    fflush(stdout);
    fflush(stderr);
    int master;
    pid_t pid = forkpty(&master, NULL, &relay_saved, &ws);
    if (pid < 0) {
        *cause = xasprintf("--record: cannot open a pseudo-terminal: %s", strerror(errno));
        return RELAY_FAILED;
    }
    if (pid == 0)
        return RELAY_CHILD;
    struct relay *r = xcalloc(1, sizeof *r);
    r->pid = pid;
    r->master = master;
    r->w = ws.ws_col;
    r->h = ws.ws_row;
    *out = r;
    return RELAY_PARENT;
}

static void
pending_add(struct relay *r, const char *p, size_t n)
{
    if (r->npending + n > r->cap) {
        size_t cap = r->cap ? r->cap : 65536;
        while (cap < r->npending + n)
            cap *= 2;
        r->pending = xreallocarray(r->pending, cap, 1);
        r->cap = cap;
    }
    memcpy(r->pending + r->npending, p, n);
    r->npending += n;
}

static void
out_add(struct relay *r, const char *p, size_t n)
{
    if (r->nout + n > r->outcap) {
        size_t cap = r->outcap ? r->outcap : 65536;
        while (cap < r->nout + n)
            cap *= 2;
        r->out = xreallocarray(r->out, cap, 1);
        r->outcap = cap;
    }
    memcpy(r->out + r->nout, p, n);
    r->nout += n;
}

static void
flush_event(struct relay *r, struct record *rec)
{
    if (r->npending) {
        record_output(rec, relay_now() - r->t0, r->pending, r->npending);
        r->npending = 0;
    }
}

static void
handle_note(struct relay *r, struct record *rec)
{
    if (r->nnote == 1 && r->note[0] == 'f') {
        flush_event(r, rec);
    } else if (r->nnote >= 2 && r->note[0] == 'm' && r->note[1] == ':') {
        flush_event(r, rec);
        r->note[r->nnote] = '\0';
        record_marker(rec, relay_now() - r->t0, r->note + 2);
    }
}

/* Split the child's bytes into output (for the terminal and the cast) and notes. */
static void
feed(struct relay *r, struct record *rec, const char *buf, size_t n)
{
    r->nout = 0;
    for (size_t i = 0; i < n; i++) {
        char c = buf[i];
        if (r->in_note) {
            if (r->note_esc) {
                r->note_esc = false;
                r->in_note = false;
                if (c == '\\') {
                    /* Output before the note belongs to the event it ends. */
                    pending_add(r, r->out, r->nout);
                    write_all(STDOUT_FILENO, r->out, r->nout);
                    r->nout = 0;
                    handle_note(r, rec);
                }
            } else if (c == '\033') {
                r->note_esc = true;
            } else if (r->nnote + 1 < RELAY_NOTE_MAX) {
                r->note[r->nnote++] = c;
            }
            continue;
        }
        if (r->nheld > 0 || c == '\033') {
            if (c == relay_prefix[r->nheld]) {
                if (++r->nheld == RELAY_PREFIX_LEN) {
                    r->nheld = 0;
                    r->in_note = true;
                    r->nnote = 0;
                }
                continue;
            }
            /* Not a note after all: the held bytes were output. */
            out_add(r, relay_prefix, r->nheld);
            r->nheld = 0;
            if (c == '\033') {
                r->nheld = 1;
                continue;
            }
        }
        out_add(r, &c, 1);
    }
    pending_add(r, r->out, r->nout);
    write_all(STDOUT_FILENO, r->out, r->nout);
    r->nout = 0;
    if (r->npending >= RELAY_PENDING_MAX)
        flush_event(r, rec);
}

/*
 * Take the suspend character (Ctrl-Z) out of the keys.  The child leads its
 * own session, so the kernel discards the stop it would ask for (its process
 * group is orphaned) and curses would only redraw; a recording is not
 * suspended.  Returns the length left.
 */
static size_t
drop_suspend(char *buf, size_t n)
{
    cc_t z = relay_saved.c_cc[VSUSP];
    if (z == _POSIX_VDISABLE)
        return n;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if ((cc_t)buf[i] != z)
            buf[k++] = buf[i];
    return k;
}

/* Give the pty the real terminal's size; a change becomes an "r" event. */
static void
sync_size(struct relay *r, struct record *rec)
{
    struct winsize ws;
    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0)
        return;
    ioctl(r->master, TIOCSWINSZ, &ws);
    if (ws.ws_col != r->w || ws.ws_row != r->h) {
        r->w = ws.ws_col;
        r->h = ws.ws_row;
        flush_event(r, rec);
        record_resize(rec, relay_now() - r->t0, r->w, r->h);
    }
}

/* The child was stopped (SIGSTOP from outside): give the terminal back, stop, and resume both. */
static void
suspend(struct relay *r, struct record *rec)
{
    relay_restore();
    kill(getpid(), SIGSTOP);
    relay_make_raw();
    sync_size(r, rec);
    kill(r->pid, SIGCONT);
}

int
relay_run(struct relay *r, struct record *rec, const char *title)
{
    static const int sigs[] = {SIGCHLD, SIGWINCH, SIGINT, SIGTERM, SIGHUP};
    sigset_t block, orig;
    struct sigaction sa, old[5];
    sigemptyset(&block);
    for (int i = 0; i < 5; i++)
        sigaddset(&block, sigs[i]);
    sigprocmask(SIG_BLOCK, &block, &orig);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = relay_on_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 5; i++)
        sigaction(sigs[i], &sa, &old[i]);
    xmalloc_set_fatal_hook(relay_restore);

    record_header(rec, r->w, r->h, (int64_t)time(NULL), title, getenv("TERM"));
    r->t0 = relay_now();
    relay_make_raw();

    struct pollfd fds[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
                            {.fd = r->master, .events = POLLIN}};
    char buf[65536];
    int status = 0;
    bool reaped = false;
    for (;;) {
        if (relay_winch) {
            relay_winch = 0;
            sync_size(r, rec);
        }
        if (relay_sig) {
            kill(r->pid, relay_sig);
            relay_sig = 0;
        }
        if (relay_chld && !reaped) {
            relay_chld = 0;
            int st;
            pid_t p = waitpid(r->pid, &st, WNOHANG | WUNTRACED);
            if (p == r->pid && WIFSTOPPED(st)) {
                suspend(r, rec);
            } else if (p == r->pid) {
                status = st;
                reaped = true;
            }
        }
        int k = ppoll(fds, 2, NULL, &orig);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[1].revents) {
            ssize_t m = read(r->master, buf, sizeof buf);
            if (m < 0 && errno == EINTR)
                continue;
            if (m <= 0)
                break; /* EIO: the child and every copy of the pty are gone */
            feed(r, rec, buf, (size_t)m);
        }
        if (fds[0].fd >= 0 && fds[0].revents) {
            ssize_t m = read(STDIN_FILENO, buf, sizeof buf);
            if (m < 0 && errno == EINTR)
                continue;
            if (m <= 0)
                fds[0].fd = -1; /* no more keys; the child still runs */
            else
                write_all(r->master, buf, drop_suspend(buf, (size_t)m));
        }
    }
    /* Output after the last frame (the terminal being restored) is its own event. */
    out_add(r, relay_prefix, r->nheld);
    pending_add(r, r->out, r->nout);
    write_all(STDOUT_FILENO, r->out, r->nout);
    flush_event(r, rec);
    relay_restore();
    xmalloc_set_fatal_hook(NULL);
    if (!reaped) {
        while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    close(r->master);
    for (int i = 0; i < 5; i++)
        sigaction(sigs[i], &old[i], NULL);
    sigprocmask(SIG_SETMASK, &orig, NULL);
    free(r->pending);
    free(r->out);
    free(r);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

void
relay_note_frame(int fd)
{
    static const char note[] = "\033_ouscope:f\033\\";
    write_all(fd, note, sizeof note - 1);
}

void
relay_note_marker(int fd, const char *label)
{
    char buf[RELAY_NOTE_MAX];
    size_t n = 0;
    memcpy(buf, relay_prefix, RELAY_PREFIX_LEN);
    n = RELAY_PREFIX_LEN;
    buf[n++] = 'm';
    buf[n++] = ':';
    /* Room for the label and the terminator; a cut label keeps whole UTF-8 sequences. */
    size_t start = n, room = RELAY_NOTE_MAX - 2 - n;
    const unsigned char *p = (const unsigned char *)label;
    for (; *p && n - start < room; p++)
        if (*p >= 0x20 && *p != 0x7F)
            buf[n++] = (char)*p;
    if (*p) {
        while (n > start && ((unsigned char)buf[n - 1] & 0xC0) == 0x80)
            n--;
        if (n > start && (unsigned char)buf[n - 1] >= 0xC0)
            n--;
    }
    buf[n++] = '\033';
    buf[n++] = '\\';
    write_all(fd, buf, n);
}
