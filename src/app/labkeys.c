/*
 * The other settings' key table.  Adding a key here adds it to the help
 * overlay and, with a hint, to the hint bar; tests/test_labpanes.c then
 * fails until ouscope(1), SETTINGS, documents it.  labapp.c acts on them.
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
