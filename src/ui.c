/*
 * ui.c: the full screen.  Owns curses and the terminal: starts curses,
 * restores the terminal on every exit path (fatal signals included), reads
 * keys and hands line editing to prompt.c, keeps the focused pane, the view
 * and each pane's scroll position, and redraws once per loop turn, at most
 * about 60 times a second under a flood.  Called by main.c; the panes are
 * objects (struct ui_pane) drawn by ui-data.c, ui-panes.c and ui-lab.c.
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include "sockscope/app.h"
#include "sockscope/layout.h"
#include "sockscope/loop.h"
#include "sockscope/net.h"
#include "sockscope/prompt.h"
#include "sockscope/textesc.h"
#include "sockscope/textwidth.h"
#include "sockscope/ui.h"
#include "sockscope/util.h"

/* Last: term.h defines macros (lines, columns) that clash with fields. */
#include <term.h>

/* Redraws are at least this far apart under a flood (seconds). */
#define UI_FRAME 0.016
/* Manual mode with bytes waiting: how often the kernel queue is shown anew. */
#define UI_WAITING_REFRESH 0.5
/* The kernel view's refresh while something changes: 4 times a second. */
#define UI_KERNEL_REFRESH 0.25

/* Which pane Tab focuses: the input line, then the shown panes. */
enum ui_focus {
	UI_FOCUS_INPUT = -1
};

static struct {
	int			 no_color;
	int			 color;
	int			 running;	/* curses is up */
	int			 utf8;
	struct termios		 saved_tio;	/* for the fatal-signal path */
	int			 have_tio;
	char			*reset_seq;	/* written on fatal signals */
	struct layout		 layout;
	enum cmd_view		 view;
	int			 focus;		/* enum layout_pane or INPUT */
	struct ui_scroll	 scroll[PANE_COUNT];
	int			 dirty;		/* a frame is due */
	int			 all;		/* it draws every pane */
	uint64_t		 events;	/* events seen so far */
	uint64_t		 ticks;		/* kernel refreshes so far */
	struct ui_stamp		 stamp[PANE_COUNT]; /* each pane's last */
	int			 stamped[PANE_COUNT]; /* stamp[] tells */
	double			 last_draw;
	int			 help;		/* F1 overlay shown */
	char			*msg;		/* title-bar message, until a key */
	char			*popup;		/* completion list, until a key */
	int			 msg_error;
	int			 quit;
	int			 signal;
	WINDOW			*input;
	struct ui_pane		 pane[PANE_COUNT]; /* as of the last frame */
	int			 pair_want_a;	/* /view pair #A #B, 0 = auto */
	int			 pair_want_b;
	uint64_t		 ev_distinct;	/* Events lines seen so far */
} ui;

static const struct ui_glyphs ui_glyphs_utf8 = { "─", "·", "→", "↓", "…", "×" };
static const struct ui_glyphs ui_glyphs_ascii = { "-", ".", "->", "v", "~", "x" };

/* The line-drawing text for this locale. */
const struct ui_glyphs *
ui_glyphs(void)
{
	return ui.utf8 ? &ui_glyphs_utf8 : &ui_glyphs_ascii;
}

/* The attribute for a color role, with a monochrome fallback. */
attr_t
ui_attr(enum ui_color c)
{
	static const attr_t mono[] = {
		A_NORMAL, A_NORMAL, A_BOLD, A_DIM, A_BOLD, A_BOLD,
		A_BOLD | A_UNDERLINE, A_REVERSE, A_BOLD
	};

	if (c == UI_NORMAL)
		return A_NORMAL;
	if (!ui.color)
		return mono[c];
	if (c == UI_TITLE)
		return COLOR_PAIR(c) | A_BOLD;
	return COLOR_PAIR(c);
}

/* The width curses will draw cp in; -1 when this C library does not know
 * it (it would be a blank cell, or nothing): textesc escapes those. */
static int
ui_term_width(uint32_t cp)
{
	int	w = wcwidth((wchar_t)cp);

	return w > 0 ? w : -1;
}

/* Remember the options. */
void
ui_init(int no_color)
{
	memset(&ui, 0, sizeof ui);
	ui.no_color = no_color;
	ui.focus = UI_FOCUS_INPUT;
	ui.view = VIEW_SPLIT;
}

/* Start in another view (--lab). */
void
ui_set_view(enum cmd_view v)
{
	ui.view = v;
}

/* Restore the terminal from a fatal signal handler: only safe calls. */
static void
ui_fatal_signal(int sig)
{
	if (ui.reset_seq != NULL &&
	    write(STDOUT_FILENO, ui.reset_seq, strlen(ui.reset_seq)) == -1) {
		/* nothing more can be done */
	}
	if (ui.have_tio)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &ui.saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Restore the terminal now, if curses is running. */
void
ui_emergency_restore(void)
{
	if (!ui.running)
		return;
	ui.running = 0;
	prompt_free();
	endwin();
}

/* Ask for a frame that draws every pane: after a key, a resize, a
 * message, anything but an event or a refresh tick. */
static void
ui_redraw_all(void)
{
	ui.dirty = 1;
	ui.all = 1;
}

/* Set a title-bar message (replaced by the next one or the next line). */
static void
ui_set_msg(int error, const char *text)
{
	char	*nl;

	free(ui.msg);
	ui.msg = xstrdup(text);
	/* One row: a message of several lines reads on, with a space. */
	while ((nl = strchr(ui.msg, '\n')) != NULL)
		*nl = ' ';
	ui.msg_error = error;
	ui_redraw_all();
}

/* The prompt names the focused connection. */
static void
ui_update_prompt(void)
{
	char	buf[32];

	if (app.focus > 0)
		snprintf(buf, sizeof buf, "#%d> ", app.focus);
	else
		snprintf(buf, sizeof buf, "> ");
	prompt_set(buf);
}

/* Recompute the layout for the terminal's size. */
static void
ui_layout(void)
{
	/* The HTTP view draws in the Text pane's place. */
	layout_compute(&ui.layout, COLS, LINES,
	    ui.view == VIEW_HTTP ? VIEW_TEXT : ui.view);
	if (ui.input != NULL)
		delwin(ui.input);
	ui.input = NULL;
	if (ui.layout.tier != LAYOUT_TINY) {
		ui.input = newwin(1, COLS, LINES - 1, 0);
		if (ui.input != NULL) {
			keypad(ui.input, TRUE);
			nodelay(ui.input, TRUE);
		}
	}
	/* Keep focus on something that is shown. */
	if (ui.focus != UI_FOCUS_INPUT && !ui.layout.pane[ui.focus].shown)
		ui.focus = UI_FOCUS_INPUT;
	ui_redraw_all();
}

/* The terminal changed size. */
static void
ui_resize(void)
{
	struct winsize	ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	ui_layout();
	clearok(curscr, TRUE);
}

static void ui_popup_draw(void);

/* A Hex or Text pane: in the pair view, under a heading with the state. */
static void
ui_pane_data_draw(const struct ui_pane *pn, const struct layout_rect *r)
{
	char	title[160];

	/* The HTTP view draws in the Text pane's place. */
	if (ui.view == VIEW_HTTP && pn->kind == PANE_TEXT) {
		ui_http_draw(r, pn->conn, pn->scroll, pn->focus);
		return;
	}
	if (ui.view == VIEW_PAIR)
		ui_pair_title(title, sizeof title, pn->kind, pn->conn, r->w);
	ui_data_draw(layout_pane_is_b(pn->kind) ? pn->kind - PANE_HEX_B :
	    pn->kind, r, pn->conn, ui.layout.hex_per_row, pn->scroll,
	    pn->focus, ui.view == VIEW_PAIR ? title : NULL);
}

/* Rows a chunk takes in a Hex or Text pane. */
static long
ui_pane_data_rows(const struct ui_pane *pn, const struct layout_rect *r,
    int per_row, const struct chunk *ch)
{
	return ui_data_chunk_rows(layout_pane_is_b(pn->kind) ?
	    pn->kind - PANE_HEX_B : pn->kind, ch, r, per_row);
}

/* The Events pane (the lab view: the focused connection's only). */
static void
ui_pane_events_draw(const struct ui_pane *pn, const struct layout_rect *r)
{
	ui_events_draw(r, pn->scroll, pn->focus, pn->only_conn);
}

/* The Connections pane. */
static void
ui_pane_conns_draw(const struct ui_pane *pn, const struct layout_rect *r)
{
	ui_conns_draw(r, pn->focus);
}

/* The Socket pane. */
static void
ui_pane_socket_draw(const struct ui_pane *pn, const struct layout_rect *r)
{
	ui_socket_draw(r, pn->focus);
}

/* The lab view's kernel row. */
static void
ui_pane_kernel_draw(const struct ui_pane *pn, const struct layout_rect *r)
{
	ui_kernel_draw(r, pn->conn);
}

/* Scroll a pane that shows rows. */
static void
ui_pane_scroll(const struct ui_pane *pn, long delta)
{
	pn->scroll->from_bottom += delta;
	if (pn->scroll->from_bottom < 0)
		pn->scroll->from_bottom = 0;
}

/* The Connections pane moves the focus instead. */
static void
ui_pane_conns_scroll(const struct ui_pane *pn, long delta)
{
	int	id = app.focus + (delta > 0 ? -1 : 1);
	char	*cause = NULL;

	(void)pn;
	if (id >= 1 && id <= net_conn_max())
		app_focus(id, &cause);
	free(cause);
}

/* The Socket pane takes the focus but has nothing to scroll. */
static void
ui_pane_still(const struct ui_pane *pn, long delta)
{
	(void)pn;
	(void)delta;
}

/* What a Hex or Text pane shows: its store list's generation, the bytes
 * waiting in the kernel (manual mode) and, in the pair view, its heading.
 * The HTTP pane in the Text pane's place cannot tell. */
static int
ui_pane_data_stamp(const struct ui_pane *pn, const struct layout_rect *r,
    struct ui_stamp *st)
{
	const struct conn	*c;

	if (ui.view == VIEW_HTTP && pn->kind == PANE_TEXT)
		return 0;
	st->gen[0] = store_conn(&app.store, pn->conn)->generation;
	if (pn->conn > 0 && net_waiting(pn->conn)) {
		c = net_conn(pn->conn);
		st->gen[1] = 1;
		st->gen[2] = (uint64_t)(net_kernel_rxq(pn->conn) + 1);
		st->gen[3] = c != NULL && c->eof_in;
	}
	if (ui.view == VIEW_PAIR)
		ui_pair_title(st->title, sizeof st->title, pn->kind, pn->conn,
		    r->w);
	return 1;
}

/* What the Events pane shows: the lines ever added (a folded repeat
 * counts) and the notation they are narrated in. */
static int
ui_pane_events_stamp(const struct ui_pane *pn, const struct layout_rect *r,
    struct ui_stamp *st)
{
	(void)pn;
	(void)r;
	st->gen[0] = app.evlog.total;
	st->gen[1] = app.evlog.narration;
	return 1;
}

/* The Connections and Socket panes and the kernel row show counters and
 * kernel facts of many sockets: any event, or a refresh tick, may change
 * them. */
static int
ui_pane_sockets_stamp(const struct ui_pane *pn, const struct layout_rect *r,
    struct ui_stamp *st)
{
	(void)pn;
	(void)r;
	st->gen[0] = ui.events;
	st->gen[1] = ui.ticks;
	st->gen[2] = (uint64_t)net_conn_max();
	st->gen[3] = (uint64_t)net_listener_max();
	return 1;
}

/* The class of each pane: a view is the list of panes its layout shows. */
static const struct ui_pane_class ui_pane_classes[PANE_COUNT] = {
	[PANE_HEX] = { ui_pane_data_draw, ui_pane_scroll, ui_pane_data_rows,
	    ui_pane_data_stamp },
	[PANE_TEXT] = { ui_pane_data_draw, ui_pane_scroll, ui_pane_data_rows,
	    ui_pane_data_stamp },
	[PANE_EVENTS] = { ui_pane_events_draw, ui_pane_scroll, NULL,
	    ui_pane_events_stamp },
	[PANE_CONNS] = { ui_pane_conns_draw, ui_pane_conns_scroll, NULL,
	    ui_pane_sockets_stamp },
	[PANE_SOCKET] = { ui_pane_socket_draw, ui_pane_still, NULL,
	    ui_pane_sockets_stamp },
	[PANE_HEX_B] = { ui_pane_data_draw, ui_pane_scroll, ui_pane_data_rows,
	    ui_pane_data_stamp },
	[PANE_TEXT_B] = { ui_pane_data_draw, ui_pane_scroll, ui_pane_data_rows,
	    ui_pane_data_stamp },
	[PANE_KERNEL] = { ui_pane_kernel_draw, NULL, NULL,
	    ui_pane_sockets_stamp },
};

/* The frame pane p draws in: its rectangle, or for a bare pane the box
 * its border would have been (see struct ui_pane). */
static struct layout_rect
ui_pane_frame(int p)
{
	struct layout_rect	r = ui.layout.pane[p];

	if (r.bare) {
		r.x--;
		r.w += 2;
		r.h++;
	}
	return r;
}

/* The two connections of the pair view, chosen anew each frame so that
 * connections opened after /view pair join it. */
static void
ui_pair_pick(int *a, int *b)
{
	struct layout_end	*ends;
	int			 i, n = 0, max = net_conn_max();

	ends = xmalloc(((size_t)max + 1) * sizeof *ends);
	for (i = 1; i <= max; i++) {
		const struct conn	*c = net_conn(i);

		if (c == NULL)
			continue;
		ends[n].id = i;
		ends[n].local = c->local;
		ends[n].peer = c->peer;
		n++;
	}
	layout_pair_pick(ends, n, app.focus, ui.pair_want_a, ui.pair_want_b,
	    a, b);
	free(ends);
}

/* Say what each pane shows this frame; a pane that moves to another
 * connection starts at its tail. */
static void
ui_panes_update(void)
{
	int	p, a = app.focus, b = 0, conn;

	if (ui.view == VIEW_PAIR)
		ui_pair_pick(&a, &b);
	for (p = 0; p < PANE_COUNT; p++) {
		struct ui_pane	*pn = &ui.pane[p];

		conn = layout_pane_is_b(p) ? b : a;
		if (p == PANE_EVENTS || p == PANE_CONNS || p == PANE_SOCKET ||
		    p == PANE_KERNEL)
			conn = app.focus;
		if (pn->conn != conn)
			ui.scroll[p].from_bottom = 0;
		pn->kind = p;
		pn->conn = conn;
		pn->focus = ui.focus == p;
		pn->only_conn = ui.view == VIEW_LAB && p == PANE_EVENTS ?
		    app.focus : 0;
		pn->scroll = &ui.scroll[p];
	}
}

/* Nonzero if stamps a and b say the same. */
static int
ui_stamp_same(const struct ui_stamp *a, const struct ui_stamp *b)
{
	int	i;

	if (a->conn != b->conn || a->focus != b->focus ||
	    a->only_conn != b->only_conn || a->from_bottom != b->from_bottom)
		return 0;
	for (i = 0; i < (int)(sizeof a->gen / sizeof a->gen[0]); i++) {
		if (a->gen[i] != b->gen[i])
			return 0;
	}
	return strcmp(a->title, b->title) == 0;
}

/*
 * Draw pane p in frame r unless this frame may leave it as it is: not a
 * full frame, and its stamp the same as when it was last drawn (what it
 * drew then is still on stdscr, which is only erased for a full frame).
 */
static void
ui_pane_draw(int p, const struct layout_rect *r, int all)
{
	const struct ui_pane	*pn = &ui.pane[p];
	struct ui_stamp		 st;
	int			 known = 0;

	memset(&st, 0, sizeof st);
	st.conn = pn->conn;
	st.focus = pn->focus;
	st.only_conn = pn->only_conn;
	st.from_bottom = pn->scroll->from_bottom;
	if (ui_pane_classes[p].stamp != NULL)
		known = ui_pane_classes[p].stamp(pn, r, &st);
	if (!all && known && ui.stamped[p] && ui_stamp_same(&st, &ui.stamp[p]))
		return;
	ui_pane_classes[p].draw(pn, r);
	/* Drawing may have clamped the scroll: the stamp is what shows. */
	st.from_bottom = pn->scroll->from_bottom;
	ui.stamp[p] = st;
	ui.stamped[p] = known;
}

/* Draw a frame: every pane when ui.all says so, else those that changed. */
static void
ui_draw(void)
{
	const struct layout	*l = &ui.layout;
	int			 p, cx = 0, all = ui.all;

	ui_panes_update();
	ui_update_prompt();
	ui.all = 0;
	if (l->tier == LAYOUT_TINY) {
		ui_small_draw(LINES, COLS);
		wnoutrefresh(stdscr);
		doupdate();
		/* Whatever comes next draws on an erased screen. */
		ui.all = 1;
		return;
	}
	if (all)
		erase();
	/* One row of counters that change with every byte: always. */
	ui_title_draw(&l->title, ui.msg, ui.msg_error);
	for (p = 0; p < PANE_COUNT; p++) {
		struct layout_rect	r = ui_pane_frame(p);

		if (r.shown)
			ui_pane_draw(p, &r, all);
		else
			ui.stamped[p] = 0;
	}
	if (ui.popup != NULL)
		ui_popup_draw();
	if (ui.help)
		ui_help_draw(LINES, COLS);
	wnoutrefresh(stdscr);
	if (ui.input != NULL) {
		cx = prompt_draw(ui.input);
		wmove(ui.input, 0, cx);
		wnoutrefresh(ui.input);
	}
	doupdate();
	ui.dirty = 0;
	ui.last_draw = loop_now();
}

/* The pane the scrolling keys move when the input line has focus. */
static int
ui_scroll_target(void)
{
	if (ui.focus != UI_FOCUS_INPUT)
		return ui.focus;
	if (ui.layout.pane[PANE_HEX].shown)
		return PANE_HEX;
	return PANE_TEXT;
}

/* Scroll a pane by delta rows (positive: back in time). */
static void
ui_scroll_by(int pane, long delta)
{
	if (ui_pane_classes[pane].scroll_by != NULL)
		ui_pane_classes[pane].scroll_by(&ui.pane[pane], delta);
}

/* Move focus to the next (dir 1) or previous (-1) shown pane. */
static void
ui_cycle_focus(int dir)
{
	int	i, f = ui.focus;

	for (i = 0; i < PANE_COUNT + 1; i++) {
		f += dir;
		if (f >= PANE_COUNT)
			f = UI_FOCUS_INPUT;
		else if (f < UI_FOCUS_INPUT)
			f = PANE_COUNT - 1;
		/* A pane that does not scroll (the kernel row) is passed. */
		if (f == UI_FOCUS_INPUT || (ui.layout.pane[f].shown &&
		    ui_pane_classes[f].scroll_by != NULL))
			break;
	}
	ui.focus = f;
}

/* A finished input line from readline. */
static void
ui_on_line(char *line, size_t len, void *arg)
{
	(void)arg;
	free(ui.msg);
	ui.msg = NULL;
	if (line == NULL) {
		/* Ctrl-D on an empty line: half-close, like a shell's EOF. */
		app_exec("/shutdown", 9);
	} else {
		app_exec(line, len);
		free(line);
	}
	if (app.quit)
		ui.quit = 1;
	ui_redraw_all();
}

/* Text readline would have printed (completion lists): shown above the
 * input line until the next key, as readline users expect, and never
 * kept as an event. */
static void
ui_on_prompt_message(const char *text, void *arg)
{
	(void)arg;
	free(ui.popup);
	ui.popup = xstrdup(text);
	ui_redraw_all();
}

/* Draw the completion list in rows just above the input line. */
static void
ui_popup_draw(void)
{
	const char	*p = ui.popup;
	size_t		 n = strlen(p), row, cols = (size_t)COLS - 2;
	int		 nrows = 0, y, max = LINES - 3;
	const char	*q;

	/* Count the rows first: the list grows upwards from the input. */
	for (q = p, row = n; row > 0 && nrows < max; nrows++) {
		size_t	r = textwidth_wrap(q, row, cols);

		q += r;
		row -= r;
		while (row > 0 && *q == ' ') {
			q++;
			row--;
		}
	}
	y = LINES - 1 - nrows;
	attron(A_REVERSE);
	for (; n > 0 && y < LINES - 1; y++) {
		row = textwidth_wrap(p, n, cols);
		mvhline(y, 0, ' ', COLS);
		mvaddnstr(y, 1, p, (int)row);
		p += row;
		n -= row;
		while (n > 0 && *p == ' ') {
			p++;
			n--;
		}
	}
	attroff(A_REVERSE);
}

/* A key that is ours, not readline's; returns 0 if not handled. */
static int
ui_key(int key)
{
	size_t	len;
	int	page, target = ui_scroll_target();

	prompt_buffer(&len);
	page = ui.layout.pane[target].h - 3;
	if (page < 1)
		page = 1;
	switch (key) {
	case KEY_F(1):
		ui.help = 1;
		return 1;
	case KEY_F(2):
		/* split, hex, text, lab, pair; from http back to text. */
		ui.view = (ui.view + 1) % VIEW_COUNT;
		ui.pair_want_a = ui.pair_want_b = 0;
		ui_layout();
		return 1;
	case KEY_F(10):
		ui.quit = 1;
		return 1;
	case KEY_RESIZE:
		/*
		 * resizeterm() itself queues this; the SIGWINCH self-pipe has
		 * done the work.  Resizing again here would queue another.
		 */
		return 1;
	case KEY_BTAB:
		ui_cycle_focus(-1);
		return 1;
	case KEY_PPAGE:
		ui_scroll_by(target, page);
		return 1;
	case KEY_NPAGE:
		ui_scroll_by(target, -page);
		return 1;
	case KEY_SR:
		ui_scroll_by(target, 1);
		return 1;
	case KEY_SF:
		ui_scroll_by(target, -1);
		return 1;
	}
	if (ui.focus == UI_FOCUS_INPUT)
		return 0;
	/* A pane has focus: the arrows and Home/End scroll it. */
	switch (key) {
	case KEY_UP:
		ui_scroll_by(target, 1);
		return 1;
	case KEY_DOWN:
		ui_scroll_by(target, -1);
		return 1;
	case KEY_HOME:
		ui_scroll_by(target, 1L << 40);
		return 1;
	case KEY_END:
		ui.scroll[target].from_bottom = 0;
		return 1;
	}
	return 0;
}

/* Read every key curses has and dispatch it. */
static void
ui_on_input(short revents, void *arg)
{
	int	key, got = 0;
	size_t	len;

	(void)arg;
	while ((key = wgetch(ui.input != NULL ? ui.input : stdscr)) != ERR) {
		got = 1;
		ui_redraw_all();
		if (key != KEY_RESIZE) {
			/* A message and a completion list last until the
			 * next key (which may show new ones). */
			free(ui.msg);
			ui.msg = NULL;
			free(ui.popup);
			ui.popup = NULL;
		}
		if (ui.help && key != KEY_RESIZE) {
			/* Any key closes the help, and does nothing else. */
			ui.help = 0;
			continue;
		}
		if (key == '\t' && !prompt_busy()) {
			const char	*b = prompt_buffer(&len);

			/* Tab completes commands; elsewhere it moves focus. */
			if (ui.focus != UI_FOCUS_INPUT || len == 0 ||
			    b[0] != '/') {
				ui_cycle_focus(1);
				continue;
			}
		}
		if (key == 3 && !prompt_busy()) {
			/* Ctrl-C: clear the line, or leave on an empty one. */
			prompt_buffer(&len);
			if (len == 0) {
				ui.quit = 1;
				return;
			}
			prompt_clear();
			continue;
		}
		if (key == 12) {
			/* Ctrl-L: repaint everything. */
			clearok(curscr, TRUE);
			continue;
		}
		if (key >= KEY_MIN) {
			/* Ours first; editing keys go to readline; the rest
			 * (unbound function keys) are ignored. */
			if (!ui_key(key))
				prompt_feed_key(key);
			continue;
		}
		prompt_feed((unsigned char)key);
		if (ui.quit)
			return;
	}
	if (!got && (revents & (POLLHUP | POLLERR | POLLNVAL))) {
		/* The terminal is gone: nothing more will come, leave. */
		ui.signal = SIGHUP;
	}
}

/* Signals: resize, or leave. */
static void
ui_on_signal(int sig, void *arg)
{
	(void)arg;
	if (sig == SIGWINCH)
		ui_resize();
	else if (sig == SIGCONT) {
		clearok(curscr, TRUE);
		ui_redraw_all();
	} else
		ui.signal = sig;
}

/* Read keys always. */
static int
ui_want_input(void *arg)
{
	(void)arg;
	return 1;
}

/* Lower the loop's timeout to wait seconds at most. */
static void
ui_sleep_at_most(int *timeout_ms, double wait)
{
	int	ms = (int)(wait * 1000) + 1;

	if (*timeout_ms < 0 || ms < *timeout_ms)
		*timeout_ms = ms;
}

/* Nonzero while the kernel's facts on screen may change with no event:
 * clients wait for /accept, or the focus's queues or unacked segments are
 * not empty.  Never while idle. */
static int
ui_kernel_changing(void)
{
	struct net_kinfo	ki;

	if (net_accept_waiting())
		return 1;
	if (net_kernel_rxq(app.focus) > 0 || net_kernel_txq(app.focus) > 0)
		return 1;
	return net_kernel_info(app.focus, &ki) == 0 && ki.unacked > 0;
}

/* Redraw once per turn, at most one frame per UI_FRAME. */
static void
ui_before_sleep(int *timeout_ms, void *arg)
{
	double	now = loop_now(), wait;

	(void)arg;
	/* So tail -f shows it, and a crash keeps it. */
	(void)app_log_flush();
	if (prompt_dirty())
		ui.dirty = 1;
	if (ui.dirty) {
		wait = ui.last_draw + UI_FRAME - now;
		if (wait <= 0)
			ui_draw();
		else {
			/* Too soon after the last frame: come back for it. */
			ui_sleep_at_most(timeout_ms, wait);
		}
	}
	if (net_waiting(app.focus) && ui.layout.tier != LAYOUT_TINY) {
		/* Show the kernel queue grow while bytes wait for /recv (the
		 * data panes say so at every size, SPEC 14). */
		wait = ui.last_draw + UI_WAITING_REFRESH - loop_now();
		if (wait <= 0) {
			ui.dirty = 1;
			ui.ticks++;
			wait = UI_FRAME;
		}
		ui_sleep_at_most(timeout_ms, wait);
	}
	/*
	 * A frame still due will show the kernel's facts anyway, and the
	 * check after it will ask again: under a flood that spares the
	 * syscalls of ui_kernel_changing() on every loop turn.
	 */
	if (!ui.dirty && ui.layout.tier != LAYOUT_TINY &&
	    ui_kernel_changing()) {
		wait = ui.last_draw + UI_KERNEL_REFRESH - loop_now();
		if (wait <= 0) {
			ui.dirty = 1;
			ui.ticks++;
			wait = UI_FRAME;
		}
		ui_sleep_at_most(timeout_ms, wait);
	}
}

/* Nonzero when the screen should close.  The loop asks first each turn,
 * so reactions to the last turn's events (app_later()) run here. */
static int
ui_done(void *arg)
{
	(void)arg;
	app_run_later();
	return ui.quit || ui.signal != 0 || app.quit;
}

/* An event: keep a scrolled-up data view still, then redraw soon. */
static void
ui_event(const struct ev *e, void *arg)
{
	(void)arg;
	if ((e->kind == EV_RECV || e->kind == EV_SEND || e->kind == EV_EOF ||
	    e->kind == EV_SHUTDOWN || e->kind == EV_RESET ||
	    e->kind == EV_ERROR) && e->conn > 0 &&
	    ui.layout.tier != LAYOUT_TINY) {
		const struct store_list	*list = store_conn(&app.store, e->conn);
		int			 p;

		/* The HTTP pane keeps itself still (ui-http.c). */
		for (p = 0; p < PANE_COUNT && ui.view != VIEW_HTTP; p++) {
			struct layout_rect	r = ui_pane_frame(p);

			if (ui_pane_classes[p].rows == NULL || !r.shown ||
			    ui.pane[p].conn != e->conn ||
			    ui.scroll[p].from_bottom <= 0 || list->tail == NULL)
				continue;
			ui.scroll[p].from_bottom += ui_pane_classes[p].rows(
			    &ui.pane[p], &r, ui.layout.hex_per_row, list->tail);
		}
	}
	/* A folded repeat adds no line: only new lines move the view; the
	 * lab view's narration moves only for its own connection's. */
	if (ui.scroll[PANE_EVENTS].from_bottom > 0 &&
	    (ui.pane[PANE_EVENTS].only_conn == 0 ||
	    e->conn == ui.pane[PANE_EVENTS].only_conn))
		ui.scroll[PANE_EVENTS].from_bottom +=
		    (long)(app.evlog.distinct - ui.ev_distinct);
	ui.ev_distinct = app.evlog.distinct;
	ui.events++;
	ui.dirty = 1;
}

/* Add one line of a message to the Events pane, wrapped to its width;
 * later rows are indented under the first. */
static void
ui_message_line(int error, const char *p, size_t n)
{
	const struct layout_rect *r = &ui.layout.pane[PANE_EVENTS];
	size_t			  cols, row, indent = 0;
	char			 *line;

	/* The text starts after "+12.345 ". */
	cols = (size_t)((r->shown ? r->w - 2 : COLS) - 9);
	if (cols < 20)
		cols = 20;
	while (n > 0 && p[n - 1] == ' ')
		n--;
	do {
		row = textwidth_wrap(p, n, cols - indent);
		line = xasprintf("%*s%.*s", (int)indent, "", (int)row, p);
		app_note(error, line);
		free(line);
		p += row;
		n -= row;
		while (n > 0 && *p == ' ') {
			p++;
			n--;
		}
		indent = 4;
	} while (n > 0);
}

/* A message for the user: the title bar and the Events pane. */
static void
ui_message(int error, const char *text, void *arg)
{
	const char	*p = text;

	(void)arg;
	/* Long help goes to the Events pane line by line, each wrapped at
	 * the pane's width (after the time) where a reader expects it. */
	while (*p != '\0') {
		const char	*nl = strchr(p, '\n');
		size_t		 n = nl != NULL ? (size_t)(nl - p) : strlen(p);

		ui_message_line(error, p, n);
		p += n;
		if (*p == '\n')
			p++;
	}
	if (strchr(text, '\n') == NULL || error)
		ui_set_msg(error, text);
	else
		ui_set_msg(0, "help is in the Events pane (F1 for keys)");
}

/* /view from the input line; a and b: /view pair's #A and #B. */
static void
ui_view(enum cmd_view v, int a, int b, void *arg)
{
	(void)arg;
	ui.view = v;
	ui.pair_want_a = a;
	ui.pair_want_b = b;
	ui_layout();
}

const struct app_frontend ui_app_frontend = {
	ui_event,
	ui_message,
	ui_view,
	NULL,
	NULL,
	NULL,
	NULL
};

/* Colors, unless NO_COLOR or --no-color. */
static void
ui_colors(void)
{
	if (ui.no_color || !has_colors())
		return;
	start_color();
	use_default_colors();
	init_pair(UI_RECV, COLOR_GREEN, -1);
	init_pair(UI_SEND, COLOR_CYAN, -1);
	init_pair(UI_SEP, COLOR_BLUE, -1);
	init_pair(UI_GOOD, COLOR_GREEN, -1);
	init_pair(UI_WARN, COLOR_YELLOW, -1);
	init_pair(UI_BAD, COLOR_RED, -1);
	init_pair(UI_TITLE, COLOR_WHITE, COLOR_BLUE);
	init_pair(UI_FOCUS, COLOR_YELLOW, -1);
	ui.color = 1;
}

/* Catch fatal signals so the terminal is restored even then. */
static void
ui_catch_fatal(void)
{
	static const int	sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
				    SIGABRT };
	struct sigaction	sa;
	size_t			i;
	struct sbuf		b = { 0 };
	const char		*cap;

	/* The sequence to leave the alternate screen, show the cursor,
	 * and reset attributes, prepared now while it is safe. */
	if ((cap = tigetstr("rmcup")) != NULL && cap != (char *)-1)
		sbuf_adds(&b, cap);
	if ((cap = tigetstr("cnorm")) != NULL && cap != (char *)-1)
		sbuf_adds(&b, cap);
	if ((cap = tigetstr("sgr0")) != NULL && cap != (char *)-1)
		sbuf_adds(&b, cap);
	sbuf_adds(&b, "\r\n");
	ui.reset_seq = b.p;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = ui_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Run the full screen. */
int
ui_run(void)
{
	struct loop_frontend	fe = {
		.want_input = ui_want_input,
		.on_input = ui_on_input,
		.on_signal = ui_on_signal,
		.before_sleep = ui_before_sleep,
		.done = ui_done,
	};
	const char		*cs = nl_langinfo(CODESET);

	ui.utf8 = cs != NULL && (strcmp(cs, "UTF-8") == 0 ||
	    strcmp(cs, "utf8") == 0);
	textesc_set_term_width(ui_term_width);
	if (tcgetattr(STDIN_FILENO, &ui.saved_tio) == 0)
		ui.have_tio = 1;
	/* Escape sequences arrive whole; a lone Esc need not wait long. */
	set_escdelay(25);
	if (initscr() == NULL) {
		fprintf(stderr, "sockscope: cannot start the full screen "
		    "(TERM=%s); try -n\n", getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	ui.running = 1;
	ui_catch_fatal();
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	ui_colors();
	ui_layout();
	prompt_init(ui_on_line, ui_on_prompt_message, NULL);
	ui_update_prompt();
	ui_redraw_all();
	ui_draw();

	loop_run(&fe);

	ui.running = 0;
	prompt_free();
	if (ui.input != NULL)
		delwin(ui.input);
	endwin();
	free(ui.msg);
	free(ui.popup);
	ui.msg = ui.popup = NULL;
	free(ui.reset_seq);
	ui.reset_seq = NULL;
	return ui.signal != 0 ? 128 + ui.signal : 0;
}
