/*
 * The other settings' key table.  Adding a key here adds it to the help
 * overlay and, with a hint, to the hint bar; tests/test_labpanes.c then
 * fails until ouscope(1), SETTINGS, documents it.  labapp.c acts on them
 * and shows the notes written here on the hint bar.
 */
#include "config.h"

#include "labkeys.h"

#include <stdio.h>
#include <string.h>

#define CTRL_L 12

static const struct labkeys_entry table[] = {
    {' ', "space", LABKEYS_PAUSE, "pause or resume", "pause", "Running"},
    {'s', "s", LABKEYS_STEP, "one step (pauses first)", "step", NULL},
    {']', "]", LABKEYS_SIGMA_UP, "σ ×2 (noise size)", "σ", "Noise"},
    {'[', "[", LABKEYS_SIGMA_DOWN, "σ ÷2", "σ", NULL},
    {'0', "0", LABKEYS_NOISE_TOGGLE, "noise off, or back on", "noise", NULL},
    {'p', "p", LABKEYS_NOISE_KIND, "label noise or parameter noise of the same size", "label/param",
     NULL},
    {'}', "}", LABKEYS_ETA_UP, "η ×2 (learning rate)", "η", "Optimizer"},
    {'{', "{", LABKEYS_ETA_DOWN, "η ÷2", "η", NULL},
    {'>', ">", LABKEYS_BATCH_UP, "batch B ×2 (at most n)", "B", NULL},
    {'<', "<", LABKEYS_BATCH_DOWN, "batch B ÷2 (at least 1)", "B", NULL},
    {'r', "r", LABKEYS_RESET, "reset: step 0, same θ₀ and streams", "reset", "Training"},
    {'x', "x", LABKEYS_STEP_LOG, "step axis: linear or log", NULL, "View"},
    {'?', "?", LABKEYS_HELP, "this help", "help", NULL},
    {CTRL_L, "Ctrl-L", LABKEYS_REDRAW, "redraw the screen", NULL, NULL},
    {'q', "q", LABKEYS_QUIT, "quit", "quit", NULL},
};

const struct labkeys_entry *
labkeys_table(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

enum labkeys_action
labkeys_lookup(int key)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].key == key)
            return table[i].action;
    return LABKEYS_NONE;
}

size_t
labkeys_help(struct help_entry *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0] && n < max; i++)
        out[n++] = (struct help_entry){
            .keys = table[i].name, .text = table[i].help, .section = table[i].section};
    return n;
}

size_t
labkeys_hints(struct help_entry *out, char keys[][LABKEYS_KEYS_MAX], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (!table[i].hint)
            continue;
        if (n > 0 && strcmp(out[n - 1].text, table[i].hint) == 0) {
            size_t k = strlen(keys[n - 1]);
            snprintf(keys[n - 1] + k, LABKEYS_KEYS_MAX - k, "/%s", table[i].name);
            continue;
        }
        if (n == max)
            break;
        snprintf(keys[n], LABKEYS_KEYS_MAX, "%s", table[i].name);
        out[n] = (struct help_entry){.keys = keys[n], .text = table[i].hint, .section = NULL};
        n++;
    }
    return n;
}

void
labkeys_sigma_note(char *buf, size_t len, double from, double to)
{
    if (!(from > 0.0)) {
        snprintf(buf, len, "σ = %.4g (was 0): noise on; drift and jitter variance go as σ²", to);
        return;
    }
    /* The step as a factor, and its square: what the drift and the jitter's variance do. */
    double k = to / from, q = k * k;
    bool up = k > 1.0;
    snprintf(buf, len, "σ = %.4g (%s%.3g): drift and jitter variance go as σ²: %.3g× %s", to,
             up ? "×" : "÷", up ? k : 1.0 / k, up ? q : 1.0 / q, up ? "stronger" : "weaker");
}

void
labkeys_noise_off_note(char *buf, size_t len, double kept)
{
    snprintf(buf, len, "noise off: plain SGD, no drift; 0 brings back σ = %.4g", kept);
}

void
labkeys_noise_kind_note(char *buf, size_t len, bool param)
{
    if (param)
        snprintf(buf, len, "p: parameter noise (isotropic, same size) instead of label noise");
    else
        snprintf(buf, len, "p: label noise (fresh noise on the labels) instead of parameter noise");
}

/* A key's name as the note spells it: the character, or a name for the unprintable ones. */
static void
key_name(char *buf, size_t len, int key)
{
    static const struct {
        int key;
        const char *name;
    } named[] = {{' ', "space"}, {'\t', "Tab"},      {'\n', "Enter"}, {'\r', "Enter"},
                 {27, "Esc"},    {127, "Backspace"}, {8, "Backspace"}};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (named[i].key == key) {
            snprintf(buf, len, "%s", named[i].name);
            return;
        }
    if (key > 0 && key < 27) {
        snprintf(buf, len, "Ctrl-%c", 'A' + key - 1);
    } else if (key > 32 && key < 127) {
        snprintf(buf, len, "%c", key);
    } else if (key >= 0xA0 && key < 0x110000 && !(key >= 0xD800 && key < 0xE000)) {
        /* A wide character: its UTF-8 bytes. */
        unsigned u = (unsigned)key;
        char e[5] = {0};
        if (u < 0x800) {
            e[0] = (char)(0xC0 | (u >> 6));
            e[1] = (char)(0x80 | (u & 0x3F));
        } else if (u < 0x10000) {
            e[0] = (char)(0xE0 | (u >> 12));
            e[1] = (char)(0x80 | ((u >> 6) & 0x3F));
            e[2] = (char)(0x80 | (u & 0x3F));
        } else {
            e[0] = (char)(0xF0 | (u >> 18));
            e[1] = (char)(0x80 | ((u >> 12) & 0x3F));
            e[2] = (char)(0x80 | ((u >> 6) & 0x3F));
            e[3] = (char)(0x80 | (u & 0x3F));
        }
        snprintf(buf, len, "%s", e);
    } else {
        snprintf(buf, len, "that key");
    }
}

void
labkeys_unbound_note(char *buf, size_t len, int key)
{
    char name[16];
    key_name(name, sizeof name, key);
    snprintf(buf, len, "%s%s: not in this setting (? lists the keys)",
             strcmp(name, "that key") == 0 ? "" : "key ", name);
}
