/* The SGR mouse report: see sgrmouse.h. */
#include "config.h"

#include "sgrmouse.h"

#include <string.h>

bool
sgrmouse_decode(const char *p, size_t n, int final, int cols, int lines, bool *button1,
                struct term_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if ((final != 'M' && final != 'm') || n > SGRMOUSE_MAX)
        return false;
    long v[3] = {0, 0, 0};
    int k = 0, digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] >= '0' && p[i] <= '9') {
            if (++digits > 5)
                return false;
            v[k] = 10 * v[k] + (p[i] - '0');
        } else if (p[i] == ';' && digits > 0 && k < 2) {
            k++;
            digits = 0;
        } else {
            return false;
        }
    }
    if (k != 2 || digits == 0)
        return false;
    long cb = v[0], x = v[1] - 1, y = v[2] - 1;
    bool motion = (cb & 32) != 0, wheel = (cb & 64) != 0 || (cb & 128) != 0;
    int button = (int)(cb & 3); /* 0 left, 1 middle, 2 right, 3 none */
    if (wheel)
        return true;
    /* Off the screen nothing happens, but a left release still lets the button go. */
    if (x < 0 || y < 0 || x >= cols || y >= lines) {
        if (!motion && button == 0 && final == 'm')
            *button1 = false;
        return true;
    }
    ev->x = (int)x;
    ev->y = (int)y;
    if (motion) {
        if (final != 'M')
            return true;
        ev->kind = TERM_EV_MOUSE;
        ev->mouse = TERM_MOUSE_MOTION;
        ev->button = *button1 ? 1 : 0;
    } else if (button == 0) {
        ev->kind = TERM_EV_MOUSE;
        ev->button = 1;
        ev->mouse = final == 'M' ? TERM_MOUSE_PRESS : TERM_MOUSE_RELEASE;
        *button1 = final == 'M';
    } else if (button == 2 && final == 'M') {
        ev->kind = TERM_EV_MOUSE;
        ev->button = 3;
        ev->mouse = TERM_MOUSE_PRESS;
    }
    if (ev->kind == TERM_EV_NONE)
        ev->x = ev->y = 0;
    return true;
}
