/*
 * The key table: keys are unique, every action has a key, the help overlay
 * and hint bar are generated from it, and ouscope(1) lists every key in
 * its KEYS section (one .TP tag per key, parsed from the roff source).
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/keymap.h"

Test(keymap, keys_are_unique)
{
    size_t n;
    const struct keymap_entry *t = keymap_table(&n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++) {
            cr_expect_neq(t[i].key, t[j].key, "key %s is bound twice", t[i].name);
            cr_expect_str_neq(t[i].name, t[j].name);
        }
}

Test(keymap, every_action_has_a_key_and_help)
{
    size_t n;
    const struct keymap_entry *t = keymap_table(&n);
    for (int a = KEYMAP_NONE + 1; a < KEYMAP_COUNT; a++) {
        bool found = false;
        for (size_t i = 0; i < n; i++)
            if ((int)t[i].action == a) {
                found = true;
                cr_expect(t[i].help && t[i].help[0], "key %s has no help", t[i].name);
            }
        cr_expect(found, "action %d has no key", a);
    }
}

Test(keymap, lookup_finds_each_key)
{
    size_t n;
    const struct keymap_entry *t = keymap_table(&n);
    for (size_t i = 0; i < n; i++)
        cr_expect_eq(keymap_lookup(t[i].key), t[i].action, "key %s", t[i].name);
    cr_expect_eq(keymap_lookup('!'), KEYMAP_NONE);
    cr_expect_eq(keymap_lookup(' '), KEYMAP_PAUSE);
    cr_expect_eq(keymap_lookup('q'), KEYMAP_QUIT);
}

Test(keymap, help_lists_each_action_once_with_all_its_keys)
{
    struct help_entry h[64];
    char keys[64][KEYMAP_KEYS_MAX];
    size_t nh = keymap_help(h, keys, 64);
    size_t n;
    const struct keymap_entry *t = keymap_table(&n);
    cr_expect_eq(nh, (size_t)(KEYMAP_COUNT - 1), "%zu help lines for %d actions", nh,
                 KEYMAP_COUNT - 1);
    for (size_t i = 0; i < n; i++) {
        int hits = 0;
        for (size_t j = 0; j < nh; j++) {
            /* The key's name is one of the blank-separated names of its line. */
            char buf[KEYMAP_KEYS_MAX];
            snprintf(buf, sizeof buf, "%s", h[j].keys);
            for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " "))
                if (strcmp(tok, t[i].name) == 0 && strcmp(h[j].text, t[i].help) == 0)
                    hits++;
        }
        cr_expect_eq(hits, 1, "key %s appears %d times in the help", t[i].name, hits);
    }
    cr_expect_str_eq(h[0].section, "Running");
}

Test(keymap, hint_bar_ends_with_help_and_quit)
{
    struct help_entry h[32];
    char keys[32][KEYMAP_KEYS_MAX];
    size_t nh = keymap_hints(h, keys, 32);
    cr_assert(nh >= 2);
    cr_expect_str_eq(h[nh - 2].keys, "?");
    cr_expect_str_eq(h[nh - 1].keys, "q");
    cr_expect_str_eq(h[0].keys, "space");
}

/* ---- the man page ---- */

/* Undo the roff escapes a key name can need: \- \& \e \(aq \(ga \(ti \(ha \*(...). */
static void
unroff(const char *in, char *out, size_t len)
{
    static const struct {
        const char *esc, *txt;
    } map[] = {{"\\-", "-"},   {"\\&", ""},    {"\\e", "\\"},   {"\\(aq", "'"}, {"\\(ga", "`"},
               {"\\(ti", "~"}, {"\\(ha", "^"}, {"\\(rs", "\\"}, {"\\|", ""},    {"\\fB", ""},
               {"\\fR", ""},   {"\\fI", ""},   {"\\fP", ""}};
    size_t k = 0;
    while (*in && k + 1 < len) {
        size_t m;
        for (m = 0; m < sizeof map / sizeof map[0]; m++) {
            size_t el = strlen(map[m].esc);
            if (strncmp(in, map[m].esc, el) == 0) {
                for (const char *p = map[m].txt; *p && k + 1 < len; p++)
                    out[k++] = *p;
                in += el;
                break;
            }
        }
        if (m == sizeof map / sizeof map[0])
            out[k++] = *in++;
    }
    out[k] = '\0';
}

/* The tag lines after each .TP in the KEYS section, unescaped, into tags. */
static size_t
man_key_tags(char tags[][64], size_t max)
{
    const char *path = getenv("OU_MANPAGE");
    char fallback[4096];
    if (!path) {
        const char *src = getenv("OU_SRCDIR");
        snprintf(fallback, sizeof fallback, "%s/man/ouscope.1", src ? src : ".");
        path = fallback;
    }
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    char line[1024];
    bool in_keys = false, tag_next = false;
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, ".SH", 3) == 0) {
            in_keys = strstr(line, "KEYS") != NULL;
            tag_next = false;
            continue;
        }
        if (!in_keys)
            continue;
        if (strcmp(line, ".TP") == 0 || strncmp(line, ".TP ", 4) == 0) {
            tag_next = true;
            continue;
        }
        if (tag_next && n < max) {
            tag_next = false;
            const char *p = line;
            if (strncmp(p, ".B ", 3) == 0 || strncmp(p, ".I ", 3) == 0)
                p += 3;
            else if (strncmp(p, ".BR ", 4) == 0 || strncmp(p, ".BI ", 4) == 0)
                p += 4;
            char buf[64];
            unroff(p, buf, sizeof buf);
            /* Drop quotes around the argument of .B ("space"). */
            size_t bl = strlen(buf);
            if (bl >= 2 && buf[0] == '"' && buf[bl - 1] == '"') {
                memmove(buf, buf + 1, bl - 2);
                buf[bl - 2] = '\0';
            }
            snprintf(tags[n++], 64, "%s", buf);
        }
    }
    fclose(f);
    return n;
}

Test(keymap, man_page_lists_every_key)
{
    static char tags[128][64];
    size_t nt = man_key_tags(tags, 128);
    cr_assert(nt > 0, "no .TP entries in the KEYS section of ouscope(1)");
    size_t n;
    const struct keymap_entry *t = keymap_table(&n);
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (size_t j = 0; j < nt && !found; j++)
            found = strcmp(tags[j], t[i].name) == 0;
        cr_expect(found, "ouscope(1) KEYS does not list the key \"%s\" (%s)", t[i].name, t[i].help);
    }
    /* And the page lists no key the program does not have. */
    for (size_t j = 0; j < nt; j++) {
        bool found = false;
        for (size_t i = 0; i < n && !found; i++)
            found = strcmp(tags[j], t[i].name) == 0;
        cr_expect(found, "ouscope(1) KEYS lists \"%s\", which is not in the key table", tags[j]);
    }
}
