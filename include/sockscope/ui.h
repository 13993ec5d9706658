/*
 * ui.h: the full screen (SPEC section 6).  ui.c owns curses: it starts and
 * ends it, lays out the panes (layout.c), reads keys, hands text to the
 * input line (prompt.c) and redraws once per loop turn, coalesced under a
 * flood.  The panes are drawn by ui-data.c (Hex, Text) and ui-panes.c
 * (title bar, Events, Connections, Socket, help overlay).
 */
#ifndef SOCKSCOPE_UI_H
#define SOCKSCOPE_UI_H

#include <curses.h>

#include "sockscope/app.h"
#include "sockscope/layout.h"

/* The front end table for app_init(). */
extern const struct app_frontend ui_app_frontend;

/* Remember the options; curses starts in ui_run(). */
void ui_init(int no_color);
/* Run the full screen until /quit, F10 or a terminating signal; the
 * terminal is restored and the history saved.  Returns the exit status. */
int ui_run(void);
/* Restore the terminal now if curses is running (fatal paths). */
void ui_emergency_restore(void);

/* Colors (pairs), or attributes alone without color. */
enum ui_color {
	UI_NORMAL = 0,
	UI_RECV,	/* received bytes */
	UI_SEND,	/* sent bytes */
	UI_SEP,		/* chunk separators, borders */
	UI_GOOD,	/* ESTABLISHED, LISTENING */
	UI_WARN,	/* EOF-*, CONNECTING, waiting */
	UI_BAD,		/* RESET, FAILED, errors */
	UI_TITLE,	/* the title bar */
	UI_FOCUS	/* the focused pane's border */
};

/* Line-drawing text: UTF-8 when the locale has it, ASCII otherwise. */
struct ui_glyphs {
	const char	*hline;		/* "─" or "-" */
	const char	*dot;		/* "·" or "." */
	const char	*arrow;		/* "→" or "->" */
	const char	*down;		/* "↓" or "v" */
	const char	*cut;		/* "…" or "~": text was cut here */
	const char	*times;		/* "×" or "x": a repeat count */
};
const struct ui_glyphs *ui_glyphs(void);

/* The attribute for a color role (color pair, or a mono fallback). */
attr_t ui_attr(enum ui_color c);
/* The color role of a connection state word. */
enum ui_color ui_state_color(int state);

/* Scroll state of one pane: rows from the bottom; 0 follows the tail. */
struct ui_scroll {
	long	from_bottom;
};

/* Draw a box with a title; focus draws it highlighted. */
void ui_box(const struct layout_rect *r, const char *title, int focus);
/* Draw safe text s at the cursor in at most w columns; text that does not
 * fit is cut and ends with the cut glyph (SPEC 14).  Returns the columns
 * drawn. */
int ui_put_cut(const char *s, int w);
/* Columns safe text s takes on the screen. */
int ui_cols(const char *s);
/* Format a byte count as "12 B", "4.2 KiB", "1.5 MiB". */
void ui_bytes(char *buf, size_t len, unsigned long long n);

/* ui-data.c: the Hex and Text panes of connection id. */
void ui_data_draw(enum layout_pane p, const struct layout_rect *r, int id,
    int per_row, struct ui_scroll *s, int focus);
/* Rows a chunk takes in pane p (for keeping a scrolled view still). */
long ui_data_chunk_rows(enum layout_pane p, const struct chunk *ch,
    const struct layout_rect *r, int per_row);

/* ui-http.c: the HTTP pane of /view http for connection id, in the data
 * area (the Text pane's rectangle). */
void ui_http_draw(const struct layout_rect *r, int id, struct ui_scroll *s,
    int focus);

/* ui-panes.c */
void ui_title_draw(const struct layout_rect *r, const char *msg, int msg_error);
void ui_events_draw(const struct layout_rect *r, struct ui_scroll *s,
    int focus);
void ui_conns_draw(const struct layout_rect *r, int focus);
void ui_socket_draw(const struct layout_rect *r, int focus);
void ui_help_draw(int rows, int cols);
void ui_small_draw(int rows, int cols);

#endif
