#ifndef TALLY_NCURSES_SHIM_H
#define TALLY_NCURSES_SHIM_H

/* Wide-character ncurses: cchar_t, wget_wch, setcchar, mvwadd_wch. */
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>

/* Macros and globals Swift cannot import, wrapped as functions. */
static inline WINDOW *tally_stdscr(void) { return stdscr; }
static inline int tally_lines(void) { return LINES; }
static inline int tally_cols(void) { return COLS; }
static inline int tally_colors(void) { return COLORS; }
static inline int tally_color_pairs(void) { return COLOR_PAIRS; }
static inline int tally_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline int tally_getmaxy(WINDOW *w) { return getmaxy(w); }

static inline attr_t tally_a_normal(void) { return A_NORMAL; }
static inline attr_t tally_a_bold(void) { return A_BOLD; }
static inline attr_t tally_a_dim(void) { return A_DIM; }
static inline attr_t tally_a_italic(void) { return A_ITALIC; }
static inline attr_t tally_a_underline(void) { return A_UNDERLINE; }
static inline attr_t tally_a_reverse(void) { return A_REVERSE; }

static inline int tally_key_code_yes(void) { return KEY_CODE_YES; }
static inline int tally_key_up(void) { return KEY_UP; }
static inline int tally_key_down(void) { return KEY_DOWN; }
static inline int tally_key_left(void) { return KEY_LEFT; }
static inline int tally_key_right(void) { return KEY_RIGHT; }
static inline int tally_key_npage(void) { return KEY_NPAGE; }
static inline int tally_key_ppage(void) { return KEY_PPAGE; }
static inline int tally_key_home(void) { return KEY_HOME; }
static inline int tally_key_end(void) { return KEY_END; }
static inline int tally_key_btab(void) { return KEY_BTAB; }
static inline int tally_key_backspace(void) { return KEY_BACKSPACE; }
static inline int tally_key_dc(void) { return KEY_DC; }
static inline int tally_key_enter(void) { return KEY_ENTER; }
static inline int tally_key_resize(void) { return KEY_RESIZE; }
static inline int tally_key_mouse(void) { return KEY_MOUSE; }

static inline mmask_t tally_mouse_mask(void) {
    return BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED;
}
static inline int tally_is_click(mmask_t s) { return (s & (BUTTON1_PRESSED | BUTTON1_CLICKED)) != 0; }
static inline int tally_is_wheel_up(mmask_t s) { return (s & BUTTON4_PRESSED) != 0; }
static inline int tally_is_wheel_down(mmask_t s) { return (s & BUTTON5_PRESSED) != 0; }

/* Draws one cell: up to 5 wide chars (a grapheme), attributes and an extended colour pair. */
static inline int tally_put_cell(WINDOW *w, int y, int x, const wchar_t *wch, attr_t attrs, int pair) {
    cchar_t cell;
    if (setcchar(&cell, wch, attrs, 0, &pair) != OK) return ERR;
    return mvwadd_wch(w, y, x, &cell);
}

/* 1 when terminfo says the terminal takes direct RGB colours (xterm-direct and friends). */
static inline int tally_has_rgb(void) {
    int flag = tigetflag("RGB");
    return flag > 0;
}

#endif
