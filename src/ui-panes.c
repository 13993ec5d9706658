/*
 * ui-panes.c: the title bar and the Events, Connections and Socket panes,
 * the F1 help overlay and the "terminal too small" screen.  They draw what
 * app.c and net.c hold; every string that came from outside was made safe
 * by the core formatters first.  Called by ui.c once per redraw.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "sockscope/app.h"
#include "sockscope/cmd.h"
#include "sockscope/conn.h"
#include "sockscope/evlog.h"
#include "sockscope/net.h"
#include "sockscope/ui.h"

/* Format a byte count for people. */
void
ui_bytes(char *buf, size_t len, unsigned long long n)
{
	if (n < 1024)
		snprintf(buf, len, "%llu B", n);
	else if (n < 1024ULL * 1024)
		snprintf(buf, len, "%.1f KiB", (double)n / 1024);
	else if (n < 1024ULL * 1024 * 1024)
		snprintf(buf, len, "%.1f MiB", (double)n / (1024 * 1024));
	else
		snprintf(buf, len, "%.2f GiB", (double)n / (1024.0 * 1024 * 1024));
}

/* Draw a box with a title in its top border. */
void
ui_box(const struct layout_rect *r, const char *title, int focus)
{
	attr_t	a = focus ? ui_attr(UI_FOCUS) : ui_attr(UI_SEP);
	int	y;

	attron(a);
	mvaddch(r->y, r->x, ACS_ULCORNER);
	mvhline(r->y, r->x + 1, ACS_HLINE, r->w - 2);
	mvaddch(r->y, r->x + r->w - 1, ACS_URCORNER);
	for (y = r->y + 1; y < r->y + r->h - 1; y++) {
		mvaddch(y, r->x, ACS_VLINE);
		mvaddch(y, r->x + r->w - 1, ACS_VLINE);
	}
	mvaddch(r->y + r->h - 1, r->x, ACS_LLCORNER);
	mvhline(r->y + r->h - 1, r->x + 1, ACS_HLINE, r->w - 2);
	mvaddch(r->y + r->h - 1, r->x + r->w - 1, ACS_LRCORNER);
	attroff(a);
	if (r->w > 6) {
		attron(a | A_BOLD);
		mvaddch(r->y, r->x + 1, ' ');
		addnstr(title, r->w - 4);
		addch(' ');
		attroff(a | A_BOLD);
	}
	/* Clear the inside. */
	for (y = r->y + 1; y < r->y + r->h - 1; y++)
		mvhline(y, r->x + 1, ' ', r->w - 2);
}

/* The color of a state word. */
enum ui_color
ui_state_color(int state)
{
	switch (state) {
	case CONN_LISTENING:
	case CONN_ESTABLISHED:
		return UI_GOOD;
	case CONN_CONNECTING:
	case CONN_EOF_RECEIVED:
	case CONN_EOF_SENT:
		return UI_WARN;
	case CONN_RESET:
	case CONN_FAILED:
		return UI_BAD;
	default:
		return UI_NORMAL;
	}
}

/* Add a string in a role's attribute at the cursor. */
static void
ui_panes_put(enum ui_color role, attr_t extra, const char *s)
{
	attron(ui_attr(role) | extra);
	addstr(s);
	attroff(ui_attr(role) | extra);
}

/* Nonzero if an open listener accepts on every interface. */
static int
ui_panes_all_interfaces(void)
{
	int	i;

	for (i = 1; i <= net_listener_max(); i++) {
		const struct net_listener *l = net_listener(i);

		if (l->fd != -1 && l->all_interfaces)
			return 1;
	}
	return 0;
}

/* The title bar: the focused connection and the settings. */
void
ui_title_draw(const struct layout_rect *r, const char *msg, int msg_error)
{
	const struct conn	*c = net_conn(app.focus);
	char			 buf[256], in[32], out[32];

	attron(ui_attr(UI_TITLE));
	mvhline(r->y, 0, ' ', r->w);
	mvaddstr(r->y, 0, " sockscope ");
	attroff(ui_attr(UI_TITLE));
	addstr(" ");
	if (ui_panes_all_interfaces()) {
		/* Exposure is never quiet: say it before anything else. */
		ui_panes_put(UI_BAD, A_BOLD | A_REVERSE, "ALL INTERFACES");
		addstr(" ");
	}
	if (msg != NULL) {
		/* A message replaces the bar until the next line is typed. */
		attron(msg_error ? ui_attr(UI_BAD) : A_BOLD);
		addnstr(msg, r->w - 13);
		attroff(msg_error ? ui_attr(UI_BAD) : A_BOLD);
		return;
	}
	if (c == NULL) {
		snprintf(buf, sizeof buf, "no connection  %d listener%s  ",
		    net_open_listeners(), net_open_listeners() == 1 ? "" : "s");
		addstr(buf);
	} else {
		int	n = snprintf(buf, sizeof buf, "#%d %s %s %s  ", c->id,
			    c->local[0] != '\0' ? c->local : "?",
			    ui_glyphs()->arrow,
			    c->peer[0] != '\0' ? c->peer : "?");

		/*
		 * The state word must always show whole: on a narrow bar the
		 * addresses go first (the arrow is one column, not its bytes).
		 */
		n -= (int)strlen(ui_glyphs()->arrow) - 1;
		if (12 + n + (int)strlen(conn_state_name(c->state)) > r->w)
			snprintf(buf, sizeof buf, "#%d ", c->id);
		addstr(buf);
		ui_panes_put(ui_state_color(c->state), A_BOLD,
		    conn_state_name(c->state));
		ui_bytes(in, sizeof in, c->in_bytes);
		ui_bytes(out, sizeof out, c->out_bytes);
		snprintf(buf, sizeof buf, "  in %s/%llu  out %s", in,
		    (unsigned long long)c->in_chunks, out);
		addstr(buf);
		if (c->qlen > 0) {
			ui_bytes(out, sizeof out, c->qlen);
			snprintf(buf, sizeof buf, " (+%s queued)", out);
			ui_panes_put(UI_WARN, 0, buf);
		}
		addstr("  ");
	}
	snprintf(buf, sizeof buf, "recv(%zu) %s  eol %s", net_recv_size(),
	    net_auto() ? "auto" : "manual", cmd_eol_name(app.eol));
	addstr(buf);
}

/* The color of an event line. */
static enum ui_color
ui_events_color(const struct evlog_line *l)
{
	if (l->error)
		return UI_BAD;
	switch (l->kind) {
	case EV_RECV:
	case EV_EOF:
		return UI_RECV;
	case EV_SEND:
	case EV_SHUTDOWN:
		return UI_SEND;
	case EV_RESET:
		return UI_BAD;
	case EV_WAIT:
		return UI_WARN;
	default:
		return UI_NORMAL;
	}
}

/* The Events pane: the most recent socket calls, newest at the bottom. */
void
ui_events_draw(const struct layout_rect *r, struct ui_scroll *s, int focus)
{
	long	need = r->h - 2, count = (long)app.evlog.count, first, i;
	char	t[32];
	int	y = r->y + 1;

	ui_box(r, "Events", focus);
	if (s->from_bottom > count - need)
		s->from_bottom = count - need > 0 ? count - need : 0;
	first = count - need - s->from_bottom;
	if (first < 0)
		first = 0;
	for (i = first; i < count && y < r->y + r->h - 1; i++, y++) {
		const struct evlog_line	*l = evlog_get(&app.evlog, (size_t)i);

		snprintf(t, sizeof t, "+%.3f ", l->t);
		attron(A_DIM);
		mvaddnstr(y, r->x + 1, t, r->w - 2);
		attroff(A_DIM);
		attron(ui_attr(ui_events_color(l)));
		addnstr(l->text, r->w - 2 - (int)strlen(t));
		attroff(ui_attr(ui_events_color(l)));
	}
}

/* The Connections pane: every listener and connection with its state. */
void
ui_conns_draw(const struct layout_rect *r, int focus)
{
	int	inner = r->h - 2, total, first = 0, row = 0, i, y;
	char	buf[128];

	ui_box(r, "Connections", focus);
	total = net_listener_max() + net_conn_max();
	/* Keep the focused connection in sight. */
	if (app.focus > 0 && net_listener_max() + app.focus > inner)
		first = net_listener_max() + app.focus - inner;
	y = r->y + 1;
	for (i = 1; i <= net_listener_max(); i++, row++) {
		const struct net_listener	*l = net_listener(i);

		if (row < first || y >= r->y + r->h - 1)
			continue;
		snprintf(buf, sizeof buf, " L%d %s %s", l->id, l->addr,
		    l->fd == -1 ? "CLOSED" : l->all_interfaces ?
		    "ALL IFACES" : "LISTENING");
		/* Never past the border: the tail of the line is cut. */
		attron(l->fd == -1 ? A_DIM : l->all_interfaces ?
		    ui_attr(UI_BAD) | A_BOLD : ui_attr(UI_GOOD));
		mvaddnstr(y, r->x + 1, buf, r->w - 2);
		attroff(l->fd == -1 ? A_DIM : l->all_interfaces ?
		    ui_attr(UI_BAD) | A_BOLD : ui_attr(UI_GOOD));
		y++;
	}
	for (i = 1; i <= net_conn_max(); i++, row++) {
		const struct conn	*c = net_conn(i);

		if (row < first || y >= r->y + r->h - 1)
			continue;
		snprintf(buf, sizeof buf, "%s#%d ", i == app.focus ? ">" : " ",
		    i);
		if (i == app.focus)
			attron(A_BOLD | A_REVERSE);
		mvaddnstr(y, r->x + 1, buf, r->w - 2);
		if (i == app.focus)
			attroff(A_BOLD | A_REVERSE);
		ui_panes_put(ui_state_color(c->state), 0,
		    conn_state_name(c->state));
		ui_bytes(buf, sizeof buf, c->in_bytes);
		if (getcurx(stdscr) + 1 + (int)strlen(buf) < r->x + r->w - 1) {
			addch(' ');
			addstr(buf);
		}
		if (getcurx(stdscr) + 2 < r->x + r->w - 1) {
			addch(' ');
			attron(A_DIM);
			addnstr(c->peer, r->x + r->w - 1 - getcurx(stdscr));
			attroff(A_DIM);
		}
		y++;
	}
	if (total == 0) {
		attron(A_DIM);
		mvaddnstr(r->y + 1, r->x + 1, " none: /connect or /listen",
		    r->w - 2);
		attroff(A_DIM);
	}
}

/* One "label value" row of the Socket pane. */
static void
ui_socket_row(const struct layout_rect *r, int *y, const char *label,
    const char *value, enum ui_color role)
{
	if (*y >= r->y + r->h - 1)
		return;
	attron(A_DIM);
	mvaddnstr(*y, r->x + 1, label, r->w - 2);
	attroff(A_DIM);
	move(*y, r->x + 1 + 10);
	attron(ui_attr(role));
	addnstr(value, r->w - 2 - 10);
	attroff(ui_attr(role));
	(*y)++;
}

/* The Socket pane: the focused connection's addresses and queues. */
void
ui_socket_draw(const struct layout_rect *r, int focus)
{
	const struct conn	*c = net_conn(app.focus);
	char			 title[32], buf[64], b1[32];
	long			 q;
	int			 y = r->y + 1;

	snprintf(title, sizeof title, "Socket #%d", app.focus);
	ui_box(r, c != NULL ? title : "Socket", focus);
	if (c == NULL)
		return;
	ui_socket_row(r, &y, "state", conn_state_name(c->state),
	    ui_state_color(c->state));
	ui_socket_row(r, &y, "local", c->local, UI_NORMAL);
	ui_socket_row(r, &y, "peer", c->peer, UI_NORMAL);
	/* Exact totals: the screen must never round the counters away. */
	snprintf(buf, sizeof buf, "%llu B", (unsigned long long)c->in_bytes);
	ui_socket_row(r, &y, "received", buf, UI_RECV);
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)c->in_chunks);
	ui_socket_row(r, &y, "chunks", buf, UI_RECV);
	snprintf(buf, sizeof buf, "%llu B", (unsigned long long)c->out_bytes);
	ui_socket_row(r, &y, "sent", buf, UI_SEND);
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)c->out_chunks);
	ui_socket_row(r, &y, "sends", buf, UI_SEND);
	ui_bytes(b1, sizeof b1, c->qlen);
	ui_socket_row(r, &y, "our queue", b1, c->qlen > 0 ? UI_WARN : UI_NORMAL);
	q = net_kernel_rxq(app.focus);
	if (q >= 0) {
		ui_bytes(b1, sizeof b1, (unsigned long long)q);
		ui_socket_row(r, &y, "kernel rx", b1,
		    q > 0 ? UI_WARN : UI_NORMAL);
		if (net_waiting(app.focus))
			ui_socket_row(r, &y, "waiting", "for /recv", UI_WARN);
	}
	q = net_kernel_txq(app.focus);
	if (q >= 0) {
		ui_bytes(b1, sizeof b1, (unsigned long long)q);
		ui_socket_row(r, &y, "kernel tx", b1, UI_NORMAL);
	}
	if (c->eof_in || c->eof_out) {
		snprintf(buf, sizeof buf, "%s%s", c->eof_in ? "peer EOF " : "",
		    c->eof_out ? "our EOF" : "");
		ui_socket_row(r, &y, "closing", buf, UI_WARN);
	}
}

/* The F1 overlay: keys, then every command's usage in columns. */
void
ui_help_draw(int rows, int cols)
{
	static const char *const keys[] = {
		"Enter  send the line, or run a /command   F1   this help",
		"Tab    complete /cmd; else next pane      F2   next view",
		"S-Tab  previous pane                      F10  quit",
		"PgUp PgDn  scroll (input line: Hex pane)  ^L   redraw",
		"Up Down Home End  in a pane: scroll; End follows new data",
		"           on the input line: history and editing",
		"Ctrl-D  on an empty line: half-close (shutdown SHUT_WR)",
		"Ctrl-C  clear the line; on an empty line: quit",
		NULL
	};
	struct layout_rect	 r;
	char			 usage[64];
	int			 y, i, n, ncmd, per_col, colw, ncols, bottom;

	r.w = cols - 2 > 82 ? 82 : cols - 2;
	r.h = rows - 2;
	r.y = 1;
	r.x = (cols - r.w) / 2;
	r.shown = 1;
	ui_box(&r, "Help: any key closes", 1);
	bottom = r.y + r.h - 1;
	y = r.y + 1;
	for (i = 0; keys[i] != NULL && y < bottom; i++)
		mvaddnstr(y++, r.x + 2, keys[i], r.w - 4);
	y++;

	/* Commands: usage lines only (/help COMMAND explains one). */
	for (ncmd = 0; cmd_names[ncmd] != NULL; ncmd++)
		continue;
	colw = 27;
	ncols = (r.w - 4) / colw;
	if (ncols < 1)
		ncols = 1;
	per_col = (ncmd + ncols - 1) / ncols;
	for (i = 0; i < ncmd; i++) {
		const char	*h = cmd_help(cmd_names[i]);
		int		 cy = y + i % per_col, cx = r.x + 2 + (i / per_col) * colw;

		if (cy >= bottom)
			continue;
		n = (int)strcspn(h, "\n");
		snprintf(usage, sizeof usage, "%.*s", n < 60 ? n : 60, h);
		mvaddnstr(cy, cx, usage, colw - 1 < r.x + r.w - 1 - cx ?
		    colw - 1 : r.x + r.w - 1 - cx);
	}
	if (y + per_col > bottom) {
		attron(ui_attr(UI_WARN));
		mvhline(bottom - 1, r.x + 1, ' ', r.w - 2);
		mvaddnstr(bottom - 1, r.x + 2, "(more: /help lists every command)",
		    r.w - 4);
		attroff(ui_attr(UI_WARN));
	}
}

/* Below 40x10: say so, and nothing else. */
void
ui_small_draw(int rows, int cols)
{
	char	buf[80];

	erase();
	snprintf(buf, sizeof buf, "terminal too small (%dx%d): needs %dx%d",
	    cols, rows, LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
	mvaddnstr(0, 0, buf, cols);
}
