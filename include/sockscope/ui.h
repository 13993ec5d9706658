/*
 * ui.h: the full screen (SPEC section 6).  ui.c owns curses: it starts and
 * ends it, lays out the panes (layout.c), reads keys, hands text to the
 * input line (prompt.c) and redraws once per loop turn, coalesced under a
 * flood.  The panes are drawn by ui-data.c (Hex, Text), ui-panes.c
 * (title bar, Events, Connections, Socket, help overlay) and ui-lab.c
 * (the lab view's kernel row, the pair view's headings).
 */
#ifndef SOCKSCOPE_UI_H
#define SOCKSCOPE_UI_H

#include <curses.h>
#include <stdint.h>

#include "sockscope/app.h"
#include "sockscope/conn.h"
#include "sockscope/layout.h"

/* The front end table for app_init(). */
extern const struct app_frontend ui_app_frontend;

/* Remember the options; curses starts in ui_run(). */
void ui_init(int no_color);
/* Start in view v (--lab) instead of split. */
void ui_set_view(enum cmd_view v);
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

/*
 * A pane object: what the layout placed in a rectangle, and what it
 * shows.  ui.c keeps one per enum layout_pane; a view is the list of
 * those its layout shows.  The rectangle handed to a class is the pane's
 * frame: for a bare pane (no border) the box its border would have been,
 * so that every pane draws inside y+1..y+h-2, x+1..x+w-2.
 */
struct ui_pane {
	enum layout_pane	 kind;
	int			 conn;		/* connection shown, 0 = none */
	int			 focus;		/* has the Tab focus */
	int			 only_conn;	/* Events: conn's lines only */
	struct ui_scroll	*scroll;
};

/*
 * What a pane showed at a frame, as far as it can tell cheaply: the
 * generations of what it draws (the store list's, the event log's count),
 * its connection, focus and scroll.  A pane whose stamp is the same at the
 * next frame is not drawn again; a full frame (a key, a resize, a
 * message) draws every pane whatever the stamps say.
 */
struct ui_stamp {
	int		 conn;
	int		 focus;
	int		 only_conn;
	long		 from_bottom;
	uint64_t	 gen[4];
	char		 title[160];
};

struct ui_pane_class {
	/* Draw the pane in frame r. */
	void	(*draw)(const struct ui_pane *pn, const struct layout_rect *r);
	/* Scroll by delta rows (positive: back in time); NULL: the pane
	 * does not scroll and Tab passes it by. */
	void	(*scroll_by)(const struct ui_pane *pn, long delta);
	/* Rows chunk ch takes in frame r (NULL: the pane shows no chunks). */
	long	(*rows)(const struct ui_pane *pn, const struct layout_rect *r,
		    int per_row, const struct chunk *ch);
	/* Fill st's gen[] and title with what the pane shows besides its
	 * connection, focus and scroll (st comes zeroed with those set);
	 * returns 0 when it cannot tell: the pane is drawn every frame.
	 * NULL: the same. */
	int	(*stamp)(const struct ui_pane *pn, const struct layout_rect *r,
		    struct ui_stamp *st);
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

/* ui-data.c: the Hex and Text panes of connection id; title NULL: the
 * pane's name and id. */
void ui_data_draw(enum layout_pane p, const struct layout_rect *r, int id,
    int per_row, struct ui_scroll *s, int focus, const char *title);
/* Rows a chunk takes in pane p (for keeping a scrolled view still). */
long ui_data_chunk_rows(enum layout_pane p, const struct chunk *ch,
    const struct layout_rect *r, int per_row);

/* ui-http.c: the HTTP pane of /view http for connection id, in the data
 * area (the Text pane's rectangle). */
void ui_http_draw(const struct layout_rect *r, int id, struct ui_scroll *s,
    int focus);

/* ui-panes.c */
void ui_title_draw(const struct layout_rect *r, const char *msg, int msg_error);
/* The Events pane; conn > 0: that connection's lines only, without
 * their "#id " (the lab view's narration). */
void ui_events_draw(const struct layout_rect *r, struct ui_scroll *s,
    int focus, int conn);
void ui_conns_draw(const struct layout_rect *r, int focus);
void ui_socket_draw(const struct layout_rect *r, int focus);
void ui_help_draw(int rows, int cols);
void ui_small_draw(int rows, int cols);

/* ui-lab.c */
/* The lab view's kernel row for connection id: "rx 18 B waiting for
 * recv() · tx 0 B · ESTABLISHED", fields dropped whole when narrow. */
void ui_kernel_draw(const struct layout_rect *r, int id);
/* The state word the kernel row and the pair headings show for c. */
const char *ui_lab_state_word(const struct conn *c);
/* The pair view's heading of pane p showing id: name, state, addresses,
 * fitting w columns, the state never cut. */
void ui_pair_title(char *buf, size_t len, enum layout_pane p, int id, int w);

#endif
