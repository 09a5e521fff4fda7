/*
 * The key table.  Adding a key here adds it to the help overlay and, if it
 * has a hint, to the hint bar; tests/test_keymap.c then fails until
 * ouscope(1) documents it.  Actions are carried out in app.c.
 */
#include "config.h"

#include "keymap.h"

#include <stdio.h>
#include <string.h>

#define CTRL_L 12

static const struct keymap_entry table[] = {
    {' ', "space", KEYMAP_PAUSE, "pause or resume", "pause", "Running"},
    {'s', "s", KEYMAP_STEP, "one step (pauses first)", "step", NULL},
    {'.', ".", KEYMAP_STEP, "one step (pauses first)", "step", NULL},
    {'n', "n", KEYMAP_RUN_N, "run 1,000 steps, then pause", "+1000", NULL},
    {'N', "N", KEYMAP_RUN_NN, "run 100,000 steps, pause", NULL, NULL},
    {'+', "+", KEYMAP_FASTER, "faster: 1, 10, … 1M/s, max", "speed", NULL},
    {'=', "=", KEYMAP_FASTER, "faster: 1, 10, … 1M/s, max", NULL, NULL},
    {'-', "-", KEYMAP_SLOWER, "slower (steps per second)", "speed", NULL},

    {']', "]", KEYMAP_SIGMA_UP, "σ ×2 (label-noise std)", "σ", "Noise"},
    {'[', "[", KEYMAP_SIGMA_DOWN, "σ ÷2", "σ", NULL},
    {'0', "0", KEYMAP_NOISE_TOGGLE, "noise off, or back on", "noise", NULL},
    {'k', "k", KEYMAP_NOISE_KIND, "noise kind: gauss or ±σ", NULL, NULL},
    {'f', "f", KEYMAP_FROZEN, "fresh or frozen noise", NULL, NULL},

    {'}', "}", KEYMAP_ETA_UP, "η ×2 (learning rate)", "η", "Optimizer"},
    {'{', "{", KEYMAP_ETA_DOWN, "η ÷2", "η", NULL},
    {'>', ">", KEYMAP_BATCH_UP, "batch B ×2 (at most n)", "B", NULL},
    {'<', "<", KEYMAP_BATCH_DOWN, "batch B ÷2 (at least 1)", "B", NULL},
    {')', ")", KEYMAP_MOMENTUM_UP, "momentum μ: 0, .5, .9, .99", NULL, NULL},
    {'(', "(", KEYMAP_MOMENTUM_DOWN, "momentum μ down", NULL, NULL},
    {'a', "a", KEYMAP_OPTIMIZER, "optimizer: SGD, RMSProp, Adam, SAM, Path-SGD", NULL, NULL},

    {'r', "r", KEYMAP_RESET, "reset: step 0, same θ₀", "reset", "Training"},
    {'R', "R", KEYMAP_RESEED, "new seed: new θ₀, step 0", NULL, NULL},
    {'u', "u", KEYMAP_REWIND, "rewind after divergence, η÷2", NULL, NULL},
    {'d', "d", KEYMAP_DATA, "next data set (θ kept)", "data", NULL},
    {'p', "p", KEYMAP_PROJECT, "projected reg (θ kept)", NULL, NULL},
    {'C', "C", KEYMAP_COMMAND, "command line of this run (printed at exit)", NULL, NULL},

    {'v', "v", KEYMAP_KICK_TOP, "kick θ along v₁ (it relaxes back)", "kick", "Stability by hand"},
    {'t', "t", KEYMAP_KICK_TANGENT, "kick θ along a random tangent", NULL, NULL},
    {'j', "j", KEYMAP_KICK_DOWNHILL, "kick downhill on reg (−P_T∇reg)", NULL, NULL},
    {'J', "J", KEYMAP_KICK_UPHILL, "kick uphill on reg (+P_T∇reg)", NULL, NULL},
    {'Z', "Z", KEYMAP_KICK_BIGGER, "kick size ×2", NULL, NULL},
    {'z', "z", KEYMAP_KICK_SMALLER, "kick size ÷2", NULL, NULL},
    {'w', "w", KEYMAP_RESCALE_UP, "rescale the heaviest unit: w,b ×3, a ÷3 (h stays)", NULL, NULL},
    {'W', "W", KEYMAP_RESCALE_DOWN, "rescale it the other way: w,b ÷3, a ×3", NULL, NULL},
    {'P', "P", KEYMAP_PROJECT_APPLY, "project θ onto the zero-loss set", NULL, NULL},
    {'O', "O", KEYMAP_OU_REANCHOR, "θ_ref = θ now, new OU window", NULL, NULL},

    {'l', "l", KEYMAP_LOSS_LOG, "loss axis: log or linear", "log", "View"},
    {'o', "o", KEYMAP_OU_PANE, "4th pane: OU bars, stability, regularizers", NULL, NULL},
    {'L', "L", KEYMAP_REG_LOG, "reg axis: log or linear", NULL, NULL},
    {'x', "x", KEYMAP_STEP_LOG, "step axis: linear or log", NULL, NULL},
    {'g', "g", KEYMAP_GHOST, "linear-spline ghost", NULL, NULL},
    {'m', "m", KEYMAP_KINKS, "kink marks", NULL, NULL},
    {'D', "D", KEYMAP_DRIFT, "predicted drift h + N·δh", NULL, NULL},
    {'b', "b", KEYMAP_COMPARE, "A/B: a second run B beside A, one knob different", NULL, NULL},
    {'c', "c", KEYMAP_CLEAR, "clear the history plots", NULL, NULL},
    {'?', "?", KEYMAP_HELP, "this help", "help", NULL},
    {'h', "h", KEYMAP_HELP, "this help", NULL, NULL},
    {CTRL_L, "Ctrl-L", KEYMAP_REDRAW, "redraw the screen", NULL, NULL},
    {'q', "q", KEYMAP_QUIT, "quit", "quit", NULL},
};

const struct keymap_entry *
keymap_table(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

enum keymap_action
keymap_lookup(int key)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].key == key)
            return table[i].action;
    return KEYMAP_NONE;
}

/* Append name to buf (joined by sep), truncating at the buffer's end. */
static void
join(char *buf, const char *sep, const char *name)
{
    size_t k = strlen(buf);
    snprintf(buf + k, KEYMAP_KEYS_MAX - k, "%s%s", k ? sep : "", name);
}

size_t
keymap_help(struct help_entry *out, char keys[][KEYMAP_KEYS_MAX], size_t max)
{
    size_t n = 0, nt = sizeof table / sizeof table[0];
    enum keymap_action act[sizeof table / sizeof table[0]];
    for (size_t i = 0; i < nt; i++) {
        /* Keys of an action already listed are joined to its line. */
        size_t j;
        for (j = 0; j < n; j++)
            if (table[i].action == act[j])
                break;
        if (j < n) {
            join(keys[j], " ", table[i].name);
            continue;
        }
        if (n == max)
            break;
        keys[n][0] = '\0';
        join(keys[n], " ", table[i].name);
        out[n] = (struct help_entry){
            .keys = keys[n], .text = table[i].help, .section = table[i].section};
        act[n] = table[i].action;
        n++;
    }
    return n;
}

size_t
keymap_hints(struct help_entry *out, char keys[][KEYMAP_KEYS_MAX], size_t max)
{
    size_t n = 0, nt = sizeof table / sizeof table[0];
    for (size_t i = 0; i < nt; i++) {
        if (!table[i].hint)
            continue;
        if (n > 0 && strcmp(out[n - 1].text, table[i].hint) == 0) {
            join(keys[n - 1], "/", table[i].name);
            continue;
        }
        if (n == max)
            break;
        keys[n][0] = '\0';
        join(keys[n], "/", table[i].name);
        out[n] = (struct help_entry){.keys = keys[n], .text = table[i].hint, .section = NULL};
        n++;
    }
    return n;
}
