/*
 * Palettes.  Series colours follow Okabe and Ito's colour-blind-safe set
 * (orange, sky blue, bluish green, yellow, blue, vermillion, reddish
 * purple), mapped to the nearest xterm-256 index, darker on light
 * backgrounds.  Glyphs, not colours, keep the series apart in monochrome.
 */
#include "config.h"

#include "theme.h"

#include <stddef.h>

/* xterm-256 approximations of the Okabe-Ito colours. */
enum {
    C_DEF = -1,
    C_ORANGE = 214,   /* #E69F00 */
    C_ORANGE_D = 166, /* darker, for light backgrounds */
    C_SKY = 74,       /* #56B4E9 */
    C_SKY_D = 25,     /* #0072B2, the set's blue */
    C_GREEN = 36,     /* #009E73 */
    C_GREEN_D = 29,
    C_YELLOW = 185, /* #F0E442 */
    C_YELLOW_D = 136,
    C_VERMIL = 202, /* #D55E00 */
    C_VERMIL_D = 160,
    C_PURPLE = 175, /* #CC79A7 */
    C_PURPLE_D = 132,
    C_GREY = 245,
    C_GREY_D = 242,
    C_LINE = 240,
    C_LINE_L = 250
};

/* clang-format off */
#define S(f, b, a) {.fg = (f), .bg = (b), .attr = (a)}
/* clang-format on */

static const struct theme_style dark256[THEME_COUNT] = {
    [THEME_TEXT] = S(C_DEF, C_DEF, 0),
    [THEME_DIM] = S(C_GREY, C_DEF, 0),
    [THEME_BOLD] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_BORDER] = S(C_LINE, C_DEF, 0),
    [THEME_TITLE] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_AXIS] = S(C_GREY, C_DEF, 0),
    [THEME_CURVE] = S(C_SKY, C_DEF, THEME_A_BOLD),
    [THEME_POINT] = S(C_VERMIL, C_DEF, THEME_A_BOLD),
    [THEME_GHOST] = S(C_GREY_D, C_DEF, 0),
    [THEME_KINK_UP] = S(C_ORANGE, C_DEF, THEME_A_BOLD),
    [THEME_KINK_DOWN] = S(C_PURPLE, C_DEF, THEME_A_BOLD),
    [THEME_DRIFT] = S(C_YELLOW, C_DEF, THEME_A_BOLD),
    [THEME_LOSS] = S(C_SKY, C_DEF, 0),
    [THEME_FLOOR] = S(C_YELLOW, C_DEF, 0),
    [THEME_REG] = S(C_GREEN, C_DEF, 0),
    [THEME_EMA] = S(C_ORANGE, C_DEF, THEME_A_BOLD),
    [THEME_ETAL] = S(C_SKY, C_DEF, 0),
    [THEME_LIMIT] = S(C_VERMIL, C_DEF, 0),
    [THEME_BALANCE] = S(C_PURPLE, C_DEF, 0),
    [THEME_OK] = S(C_GREEN, C_DEF, THEME_A_BOLD),
    [THEME_WARN] = S(C_ORANGE, C_DEF, THEME_A_BOLD),
    [THEME_ERROR] = S(C_VERMIL, C_DEF, THEME_A_BOLD),
    [THEME_HINT] = S(C_DEF, C_DEF, 0),
    [THEME_HINT_KEY] = S(16, C_SKY, THEME_A_BOLD),
    [THEME_NOTICE] = S(16, C_YELLOW, 0),
    [THEME_HELP] = S(C_DEF, 236, 0),
    [THEME_HELP_KEY] = S(C_ORANGE, 236, THEME_A_BOLD),
    [THEME_HELP_HEAD] = S(C_SKY, 236, THEME_A_BOLD),
    [THEME_CAPTION] = S(231, C_SKY_D, THEME_A_BOLD),
};

static const struct theme_style light256[THEME_COUNT] = {
    [THEME_TEXT] = S(C_DEF, C_DEF, 0),
    [THEME_DIM] = S(C_GREY_D, C_DEF, 0),
    [THEME_BOLD] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_BORDER] = S(C_LINE_L, C_DEF, 0),
    [THEME_TITLE] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_AXIS] = S(C_GREY_D, C_DEF, 0),
    [THEME_CURVE] = S(C_SKY_D, C_DEF, THEME_A_BOLD),
    [THEME_POINT] = S(C_VERMIL_D, C_DEF, THEME_A_BOLD),
    [THEME_GHOST] = S(C_LINE_L, C_DEF, 0),
    [THEME_KINK_UP] = S(C_ORANGE_D, C_DEF, THEME_A_BOLD),
    [THEME_KINK_DOWN] = S(C_PURPLE_D, C_DEF, THEME_A_BOLD),
    [THEME_DRIFT] = S(C_YELLOW_D, C_DEF, THEME_A_BOLD),
    [THEME_LOSS] = S(C_SKY_D, C_DEF, 0),
    [THEME_FLOOR] = S(C_YELLOW_D, C_DEF, 0),
    [THEME_REG] = S(C_GREEN_D, C_DEF, 0),
    [THEME_EMA] = S(C_ORANGE_D, C_DEF, THEME_A_BOLD),
    [THEME_ETAL] = S(C_SKY_D, C_DEF, 0),
    [THEME_LIMIT] = S(C_VERMIL_D, C_DEF, 0),
    [THEME_BALANCE] = S(C_PURPLE_D, C_DEF, 0),
    [THEME_OK] = S(C_GREEN_D, C_DEF, THEME_A_BOLD),
    [THEME_WARN] = S(C_ORANGE_D, C_DEF, THEME_A_BOLD),
    [THEME_ERROR] = S(C_VERMIL_D, C_DEF, THEME_A_BOLD),
    [THEME_HINT] = S(C_DEF, C_DEF, 0),
    [THEME_HINT_KEY] = S(231, C_SKY_D, THEME_A_BOLD),
    [THEME_NOTICE] = S(16, C_YELLOW, 0),
    [THEME_HELP] = S(C_DEF, 254, 0),
    [THEME_HELP_KEY] = S(C_ORANGE_D, 254, THEME_A_BOLD),
    [THEME_HELP_HEAD] = S(C_SKY_D, 254, THEME_A_BOLD),
    [THEME_CAPTION] = S(231, C_SKY_D, THEME_A_BOLD),
};

/* The eight basic colours: 0 black, 1 red, 2 green, 3 yellow, 4 blue, 5 magenta, 6 cyan,
 * 7 white. */
static const struct theme_style dark16[THEME_COUNT] = {
    [THEME_TEXT] = S(C_DEF, C_DEF, 0),
    [THEME_DIM] = S(C_DEF, C_DEF, THEME_A_DIM),
    [THEME_BOLD] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_BORDER] = S(4, C_DEF, 0),
    [THEME_TITLE] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_AXIS] = S(C_DEF, C_DEF, THEME_A_DIM),
    [THEME_CURVE] = S(6, C_DEF, THEME_A_BOLD),
    [THEME_POINT] = S(1, C_DEF, THEME_A_BOLD),
    [THEME_GHOST] = S(C_DEF, C_DEF, THEME_A_DIM),
    [THEME_KINK_UP] = S(3, C_DEF, THEME_A_BOLD),
    [THEME_KINK_DOWN] = S(5, C_DEF, THEME_A_BOLD),
    [THEME_DRIFT] = S(3, C_DEF, 0),
    [THEME_LOSS] = S(6, C_DEF, 0),
    [THEME_FLOOR] = S(3, C_DEF, 0),
    [THEME_REG] = S(2, C_DEF, 0),
    [THEME_EMA] = S(3, C_DEF, THEME_A_BOLD),
    [THEME_ETAL] = S(6, C_DEF, 0),
    [THEME_LIMIT] = S(1, C_DEF, 0),
    [THEME_BALANCE] = S(5, C_DEF, 0),
    [THEME_OK] = S(2, C_DEF, THEME_A_BOLD),
    [THEME_WARN] = S(3, C_DEF, THEME_A_BOLD),
    [THEME_ERROR] = S(1, C_DEF, THEME_A_BOLD),
    [THEME_HINT] = S(C_DEF, C_DEF, 0),
    [THEME_HINT_KEY] = S(0, 6, 0),
    [THEME_NOTICE] = S(0, 3, 0),
    [THEME_HELP] = S(7, 4, 0),
    [THEME_HELP_KEY] = S(3, 4, THEME_A_BOLD),
    [THEME_HELP_HEAD] = S(6, 4, THEME_A_BOLD),
    [THEME_CAPTION] = S(7, 4, THEME_A_BOLD),
};

static const struct theme_style light16[THEME_COUNT] = {
    [THEME_TEXT] = S(C_DEF, C_DEF, 0),
    [THEME_DIM] = S(C_DEF, C_DEF, THEME_A_DIM),
    [THEME_BOLD] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_BORDER] = S(4, C_DEF, 0),
    [THEME_TITLE] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_AXIS] = S(C_DEF, C_DEF, THEME_A_DIM),
    [THEME_CURVE] = S(4, C_DEF, THEME_A_BOLD),
    [THEME_POINT] = S(1, C_DEF, THEME_A_BOLD),
    [THEME_GHOST] = S(C_DEF, C_DEF, THEME_A_DIM),
    [THEME_KINK_UP] = S(1, C_DEF, 0),
    [THEME_KINK_DOWN] = S(5, C_DEF, THEME_A_BOLD),
    [THEME_DRIFT] = S(5, C_DEF, 0),
    [THEME_LOSS] = S(4, C_DEF, 0),
    [THEME_FLOOR] = S(5, C_DEF, 0),
    [THEME_REG] = S(2, C_DEF, 0),
    [THEME_EMA] = S(1, C_DEF, THEME_A_BOLD),
    [THEME_ETAL] = S(4, C_DEF, 0),
    [THEME_LIMIT] = S(1, C_DEF, 0),
    [THEME_BALANCE] = S(5, C_DEF, 0),
    [THEME_OK] = S(2, C_DEF, THEME_A_BOLD),
    [THEME_WARN] = S(1, C_DEF, 0),
    [THEME_ERROR] = S(1, C_DEF, THEME_A_BOLD),
    [THEME_HINT] = S(C_DEF, C_DEF, 0),
    [THEME_HINT_KEY] = S(7, 4, 0),
    [THEME_NOTICE] = S(0, 3, 0),
    [THEME_HELP] = S(0, 7, 0),
    [THEME_HELP_KEY] = S(1, 7, THEME_A_BOLD),
    [THEME_HELP_HEAD] = S(4, 7, THEME_A_BOLD),
    [THEME_CAPTION] = S(7, 4, THEME_A_BOLD),
};

/* Without colour the roles differ by attribute, and the glyphs keep series apart. */
static const struct theme_style mono[THEME_COUNT] = {
    [THEME_TEXT] = S(C_DEF, C_DEF, 0),
    [THEME_DIM] = S(C_DEF, C_DEF, THEME_A_DIM),
    [THEME_BOLD] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_BORDER] = S(C_DEF, C_DEF, 0),
    [THEME_TITLE] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_AXIS] = S(C_DEF, C_DEF, 0),
    [THEME_CURVE] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_POINT] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_GHOST] = S(C_DEF, C_DEF, THEME_A_DIM),
    [THEME_KINK_UP] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_KINK_DOWN] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_DRIFT] = S(C_DEF, C_DEF, THEME_A_UNDERLINE),
    [THEME_LOSS] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_FLOOR] = S(C_DEF, C_DEF, THEME_A_DIM),
    [THEME_REG] = S(C_DEF, C_DEF, THEME_A_DIM),
    [THEME_EMA] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_ETAL] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_LIMIT] = S(C_DEF, C_DEF, THEME_A_DIM),
    [THEME_BALANCE] = S(C_DEF, C_DEF, 0),
    [THEME_OK] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_WARN] = S(C_DEF, C_DEF, THEME_A_BOLD | THEME_A_UNDERLINE),
    [THEME_ERROR] = S(C_DEF, C_DEF, THEME_A_BOLD | THEME_A_REVERSE),
    [THEME_HINT] = S(C_DEF, C_DEF, 0),
    [THEME_HINT_KEY] = S(C_DEF, C_DEF, THEME_A_REVERSE),
    [THEME_NOTICE] = S(C_DEF, C_DEF, THEME_A_REVERSE),
    [THEME_HELP] = S(C_DEF, C_DEF, 0),
    [THEME_HELP_KEY] = S(C_DEF, C_DEF, THEME_A_BOLD),
    [THEME_HELP_HEAD] = S(C_DEF, C_DEF, THEME_A_UNDERLINE),
    [THEME_CAPTION] = S(C_DEF, C_DEF, THEME_A_BOLD | THEME_A_REVERSE),
};

#undef S

const struct theme_style *
theme_palette(enum theme_depth depth, bool light)
{
    switch (depth) {
    case THEME_256:
        return light ? light256 : dark256;
    case THEME_16:
        return light ? light16 : dark16;
    case THEME_MONO:
    default:
        return mono;
    }
}

const char *
theme_role_name(enum theme_role r)
{
    static const char *const names[THEME_COUNT] = {
        [THEME_TEXT] = "text",
        [THEME_DIM] = "dim",
        [THEME_BOLD] = "bold",
        [THEME_BORDER] = "border",
        [THEME_TITLE] = "title",
        [THEME_AXIS] = "axis",
        [THEME_CURVE] = "curve",
        [THEME_POINT] = "point",
        [THEME_GHOST] = "ghost",
        [THEME_KINK_UP] = "kink-up",
        [THEME_KINK_DOWN] = "kink-down",
        [THEME_DRIFT] = "drift",
        [THEME_LOSS] = "loss",
        [THEME_FLOOR] = "floor",
        [THEME_REG] = "reg",
        [THEME_EMA] = "ema",
        [THEME_ETAL] = "eta-lambda",
        [THEME_LIMIT] = "limit",
        [THEME_BALANCE] = "balance",
        [THEME_OK] = "ok",
        [THEME_WARN] = "warn",
        [THEME_ERROR] = "error",
        [THEME_HINT] = "hint",
        [THEME_HINT_KEY] = "hint-key",
        [THEME_NOTICE] = "notice",
        [THEME_HELP] = "help",
        [THEME_HELP_KEY] = "help-key",
        [THEME_HELP_HEAD] = "help-head",
        [THEME_CAPTION] = "caption",
    };
    return (unsigned)r < THEME_COUNT ? names[r] : "?";
}
