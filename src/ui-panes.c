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
#include "sockscope/httpview.h"
#include "sockscope/net.h"
#include "sockscope/serve.h"
#include "sockscope/textwidth.h"
#include "sockscope/tls.h"
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

/* Draw a box with a title in its top border; a bare pane's frame gets
 * only its heading row, a rule with the title. */
void
ui_box(const struct layout_rect *r, const char *title, int focus)
{
	attr_t	a = focus ? ui_attr(UI_FOCUS) : ui_attr(UI_SEP);
	int	y;

	if (r->bare) {
		/* No border: the frame's left and right columns lie outside
		 * the pane, so only the inside is drawn. */
		attron(a);
		mvhline(r->y, r->x + 1, ACS_HLINE, r->w - 2);
		attroff(a);
		if (r->w > 8) {
			attron(a | A_BOLD);
			mvaddch(r->y, r->x + 2, ' ');
			ui_put_cut(title, r->w - 6);
			addch(' ');
			attroff(a | A_BOLD);
		}
		for (y = r->y + 1; y < r->y + r->h - 1; y++)
			mvhline(y, r->x + 1, ' ', r->w - 2);
		return;
	}
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
		/* Cut by columns, not bytes, and marked (SPEC 14). */
		ui_put_cut(title, r->w - 4);
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

/* Clients the kernel completed that wait for /accept, on every listener
 * (--manual-accept); 0 when none or not known. */
static long
ui_panes_backlog(void)
{
	long	queued, max, total = 0;
	int	lid;

	if (!net_accept_manual())
		return 0;
	for (lid = 1; lid <= net_listener_max(); lid++)
		if (net_listener_backlog(lid, &queued, &max) == 0)
			total += queued;
	return total;
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

/* Columns safe text takes: one unit at a time, as the terminal draws it. */
int
ui_cols(const char *s)
{
	return (int)textwidth_cols(s, strlen(s));
}

/* Draw safe text in at most w columns, marking a cut with the cut glyph. */
int
ui_put_cut(const char *s, int w)
{
	size_t	n = strlen(s), i = 0, len;
	int	cols = 0, u;

	if (w <= 0)
		return 0;
	if (ui_cols(s) <= w) {
		addstr(s);
		return ui_cols(s);
	}
	/* Keep one column for the mark; never split a unit. */
	while (i < n) {
		u = textwidth_unit(s + i, n - i, &len, NULL);
		if (cols + u > w - 1)
			break;
		cols += u;
		i += len;
	}
	addnstr(s, (int)i);
	addstr(ui_glyphs()->cut);
	return cols + 1;
}

/* One field of the title bar. */
struct ui_title_field {
	char		text[160];
	enum ui_color	role;
	attr_t		extra;
	int		prio;		/* higher stays longer (SPEC 14) */
	int		sep;		/* spaces before it */
};

/* Add a field to the title bar's list. */
static void
ui_title_add(struct ui_title_field *f, int *n, int prio, enum ui_color role,
    attr_t extra, const char *text)
{
	snprintf(f[*n].text, sizeof f[*n].text, "%s", text);
	f[*n].sep = 2;
	f[*n].role = role;
	f[*n].extra = extra;
	f[*n].prio = prio;
	(*n)++;
}

/*
 * The title bar: the focused connection and the settings, as whole fields.
 * When the bar is too narrow, fields are dropped whole, least important
 * first: the addresses, the program name when ALL INTERFACES is shown,
 * eol, auto and the recv size, the name, then the counters; the state word
 * goes last (SPEC 14).  A message (until the next
 * key) takes the place of the counters and settings.
 */
void
ui_title_draw(const struct layout_rect *r, const char *msg, int msg_error)
{
	const struct conn	*c = net_conn(app.focus);
	struct ui_title_field	 f[16];
	int			 width[16], sep[16], prio[16], shown[16];
	char			 buf[160], in[32], out[32];
	int			 n = 0, i, any = 0, msgi = -1, allif;
	long			 backlog;

	/*
	 * The name marks the bar, unless ALL INTERFACES does: then it goes
	 * first.  Exposure is never quiet: say it before anything else.
	 */
	allif = ui_panes_all_interfaces();
	ui_title_add(f, &n, allif ? 30 : 76, UI_TITLE, 0, " sockscope");
	if (allif)
		ui_title_add(f, &n, 90, UI_BAD, A_BOLD | A_REVERSE,
		    "ALL INTERFACES");
	/* With --manual-accept the backlog is what the lesson is about:
	 * it stays in the title bar at every width. */
	if ((backlog = ui_panes_backlog()) > 0) {
		snprintf(buf, sizeof buf, "backlog %ld: /accept", backlog);
		ui_title_add(f, &n, 92, UI_NORMAL, A_BOLD, buf);
	}
	if (c == NULL) {
		ui_title_add(f, &n, 100, UI_NORMAL, 0, "no connection");
		snprintf(buf, sizeof buf, "%d listener%s", net_open_listeners(),
		    net_open_listeners() == 1 ? "" : "s");
		ui_title_add(f, &n, 60, UI_NORMAL, 0, buf);
	} else {
		snprintf(buf, sizeof buf, "#%d", c->id);
		ui_title_add(f, &n, 95, UI_NORMAL, 0, buf);
		/* Only what is known: no "? -> ?" for a failed connect. */
		if (c->local[0] != '\0' && c->peer[0] != '\0')
			snprintf(buf, sizeof buf, "%s %s %s", c->local,
			    ui_glyphs()->arrow, c->peer);
		else
			snprintf(buf, sizeof buf, "%s", c->local[0] != '\0' ?
			    c->local : c->peer);
		ui_title_add(f, &n, 20, UI_NORMAL, 0, buf);
		f[n - 1].sep = 1;	/* "#1 127.0.0.1:41822 -> ..." */
		ui_title_add(f, &n, 100, ui_state_color(c->state), A_BOLD,
		    conn_state_name(c->state));
	}
	if (msg != NULL) {
		msgi = n;
		ui_title_add(f, &n, 92, msg_error ? UI_BAD : UI_NORMAL,
		    msg_error ? 0 : A_BOLD, "");
	} else {
		if (c != NULL) {
			ui_bytes(in, sizeof in, c->in_bytes);
			ui_bytes(out, sizeof out, c->out_bytes);
			snprintf(buf, sizeof buf, "in %s/%llu", in,
			    (unsigned long long)c->in_chunks);
			ui_title_add(f, &n, 80, UI_NORMAL, 0, buf);
			snprintf(buf, sizeof buf, "out %s", out);
			ui_title_add(f, &n, 75, UI_NORMAL, 0, buf);
			if (c->qlen > 0) {
				ui_bytes(out, sizeof out, c->qlen);
				snprintf(buf, sizeof buf, "+%s queued", out);
				ui_title_add(f, &n, 78, UI_WARN, 0, buf);
			}
		}
		snprintf(buf, sizeof buf, "recv(%zu)", net_recv_size());
		ui_title_add(f, &n, 45, UI_NORMAL, 0, buf);
		/* Manual mode changes what the user must do: keep it long. */
		ui_title_add(f, &n, net_auto() ? 40 : 85,
		    net_auto() ? UI_NORMAL : UI_WARN, 0,
		    net_auto() ? "auto" : "manual");
		f[n - 1].sep = 1;	/* "recv(4096) auto" */
		snprintf(buf, sizeof buf, "eol %s", cmd_eol_name(app.eol));
		ui_title_add(f, &n, 38, UI_NORMAL, 0, buf);
	}
	for (i = 0; i < n; i++) {
		width[i] = ui_cols(f[i].text);
		sep[i] = f[i].sep;
		prio[i] = f[i].prio;
	}
	if (msgi >= 0)
		width[msgi] = ui_cols(msg) > 0 ? ui_cols(msg) : 1;
	layout_fit_fields(width, sep, prio, n, r->w, shown);
	if (msgi >= 0 && !shown[msgi]) {
		/* A message may be cut (and marked), but wants some room. */
		width[msgi] = width[msgi] < 16 ? width[msgi] : 16;
		layout_fit_fields(width, sep, prio, n, r->w, shown);
	}

	attron(ui_attr(UI_TITLE));
	mvhline(r->y, 0, ' ', r->w);
	attroff(ui_attr(UI_TITLE));
	move(r->y, 0);
	for (i = 0; i < n; i++) {
		if (!shown[i])
			continue;
		if (any)
			printw("%*s", f[i].sep, "");
		any = 1;
		attron(ui_attr(f[i].role) | f[i].extra);
		if (i == msgi)
			ui_put_cut(msg, r->x + r->w - getcurx(stdscr));
		else
			addstr(f[i].text);
		attroff(ui_attr(f[i].role) | f[i].extra);
	}
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

/* Nonzero if the k-th Events line is shown (every line, or conn's only),
 * found without narrating it. */
static int
ui_events_shown(size_t k, int conn)
{
	if (conn != 0 && evlog_peek(&app.evlog, k)->conn != conn)
		return 0;
	return !evlog_hidden(&app.evlog, k);
}

/*
 * The Events pane: the most recent socket calls, newest at the bottom;
 * conn > 0: the narration of that connection alone.  The lines are
 * walked back from the newest only as far as the pane shows (and is
 * scrolled), and only the lines drawn are narrated: a frame costs what it
 * draws, not the whole ring.
 */
void
ui_events_draw(const struct layout_rect *r, struct ui_scroll *s, int focus,
    int conn)
{
	const struct evlog_line	*l;
	long			 need = r->h - 2, want, found = 0;
	char			 t[32], num[32], rep[48], title[32], pre[16];
	int			 y = r->y + 1;
	size_t			 all = app.evlog.count, k, top = all;

	if (conn > 0)
		snprintf(title, sizeof title, "Events #%d", conn);
	else
		snprintf(title, sizeof title, "Events");
	ui_box(r, title, focus);
	if (need <= 0)
		return;
	snprintf(pre, sizeof pre, "#%d ", conn);
	/* Back from the newest: the lines scrolled past, then a pane's. */
	want = need + s->from_bottom;
	for (k = all; k-- > 0 && found < want;) {
		if (ui_events_shown(k, conn)) {
			found++;
			top = k;
		}
	}
	if (found < want) {
		/* Scrolled past the oldest line: stop at the top. */
		s->from_bottom = found > need ? found - need : 0;
	}
	/* From `top`, the first line shown, down to the pane's end. */
	for (k = top; k < all && y < r->y + r->h - 1; k++) {
		const char	*text;
		int		 left = r->w - 2;

		if (!ui_events_shown(k, conn))
			continue;
		/* Narrated now, if it never was shown before. */
		l = evlog_get(&app.evlog, k);
		text = l->text;
		/* One connection's narration: its "#id " says nothing. */
		if (conn > 0 && strncmp(text, pre, strlen(pre)) == 0)
			text += strlen(pre);

		snprintf(t, sizeof t, "+%.3f ", l->t);
		rep[0] = '\0';
		if (l->repeat > 1) {
			/* Folded repeats: the count shows whole, or not. */
			evlog_thousands(num, sizeof num, l->repeat);
			snprintf(rep, sizeof rep, " %s%s", ui_glyphs()->times,
			    num);
		}
		attron(A_DIM);
		move(y, r->x + 1);
		left -= ui_put_cut(t, left);
		attroff(A_DIM);
		if (ui_cols(rep) + 8 > left)
			rep[0] = '\0';
		attron(ui_attr(ui_events_color(l)));
		left -= ui_put_cut(text, left - ui_cols(rep));
		attroff(ui_attr(ui_events_color(l)));
		if (rep[0] != '\0') {
			attron(A_BOLD);
			addstr(rep);
			attroff(A_BOLD);
		}
		y++;
	}
}

/* Draw a peer address in w columns: when it does not fit, the host is cut
 * (and marked) so that the port still shows whole. */
static int
ui_conns_peer(const char *peer, int w)
{
	const char	*colon = strrchr(peer, ':');
	char		 host[64];
	int		 pw;

	if (ui_cols(peer) <= w || colon == NULL)
		return ui_put_cut(peer, w);
	pw = ui_cols(colon);
	if (pw + 2 > w)
		return ui_put_cut(peer, w);
	snprintf(host, sizeof host, "%.*s", (int)(colon - peer), peer);
	ui_put_cut(host, w - pw);
	addstr(colon);
	return w;
}

/* The request line under a connection's row, indented and dim. */
static void
ui_conns_request(const struct layout_rect *r, int y, const char *req)
{
	if (r->w - 2 <= 4)
		return;
	attron(A_DIM);
	mvaddstr(y, r->x + 1, "    ");
	ui_put_cut(req, r->w - 6);
	attroff(A_DIM);
}

/*
 * Listener lid's accept backlog, for a row below it, when clients wait in
 * it or always with --manual-accept: "    backlog 3/128 waiting".
 * Returns 0 (and leaves buf alone) when there is no such row;
 * buf may be NULL to ask only.
 */
static int
ui_conns_backlog(char *buf, size_t size, int lid, long *queued)
{
	long	max;

	if (net_listener_backlog(lid, queued, &max) == -1 ||
	    (*queued == 0 && !net_accept_manual()))
		return 0;
	if (buf != NULL)
		snprintf(buf, size, "    backlog %ld/%ld waiting",
		    *queued, max);
	return 1;
}

/* The Connections pane: every listener and connection with its state. */
void
ui_conns_draw(const struct layout_rect *r, int focus)
{
	int	inner = r->h - 2, total, first = 0, row = 0, i, y;
	long	queued;
	char	buf[128];

	ui_box(r, "Connections", focus);
	total = net_listener_max() + net_conn_max();
	/* Keep the focused connection in sight, with its request line. */
	if (app.focus > 0) {
		int	last = net_listener_max();

		for (i = 1; i <= net_listener_max(); i++)
			last += (serve_listener_kind(i) != NULL) +
			    ui_conns_backlog(NULL, 0, i, &queued);

		for (i = 1; i <= app.focus && i <= net_conn_max(); i++)
			last += httpview_first_line(&app.http, i) != NULL ? 2 : 1;
		if (last > inner)
			first = last - inner;
	}
	y = r->y + 1;
	for (i = 1; i <= net_listener_max(); i++, row++) {
		const struct net_listener	*l = net_listener(i);
		attr_t				 a;

		if (row < first || y >= r->y + r->h - 1) {
			/* Its responder's row (below) may be in sight. */
			if (serve_listener_kind(i) != NULL)
				row++;
			row += ui_conns_backlog(NULL, 0, i, &queued);
			continue;
		}
		snprintf(buf, sizeof buf, " L%d %s %s", l->id, l->addr,
		    l->fd == -1 ? "CLOSED" : l->all_interfaces ?
		    "ALL IFACES" : "LISTENING");
		/* Never past the border: a cut is marked. */
		a = l->fd == -1 ? A_DIM : l->all_interfaces ?
		    ui_attr(UI_BAD) | A_BOLD : ui_attr(UI_GOOD);
		attron(a);
		move(y, r->x + 1);
		ui_put_cut(buf, r->w - 2);
		attroff(a);
		y++;
		/* A demo server (/serve): its responder on a row below. */
		if (serve_listener_kind(i) != NULL && ++row >= first &&
		    y < r->y + r->h - 1) {
			snprintf(buf, sizeof buf, "    [%s] answers each "
			    "connection", serve_listener_kind(i));
			attron(A_DIM);
			move(y, r->x + 1);
			ui_put_cut(buf, r->w - 2);
			attroff(A_DIM);
			y++;
		}
		/* Manual accept: the clients waiting in its backlog. */
		if (ui_conns_backlog(buf, sizeof buf, i, &queued) &&
		    ++row >= first && y < r->y + r->h - 1) {
			a = queued > 0 ? ui_attr(UI_WARN) | A_BOLD : A_DIM;
			attron(a);
			move(y, r->x + 1);
			ui_put_cut(buf, r->w - 2);
			attroff(a);
			y++;
		}
	}
	for (i = 1; i <= net_conn_max(); i++, row++) {
		const struct conn	*c = net_conn(i);
		const char		*req = httpview_first_line(&app.http, i);
		int			 left = r->w - 2;

		if (row < first || y >= r->y + r->h - 1) {
			/* Its request line (below) may be in sight still. */
			if (req != NULL && ++row >= first &&
			    y < r->y + r->h - 1)
				ui_conns_request(r, y++, req);
			continue;
		}
		/* "#id state peer:port" first, the byte count after it. */
		snprintf(buf, sizeof buf, "%s#%d", i == app.focus ? ">" : " ",
		    i);
		if (i == app.focus)
			attron(A_BOLD | A_REVERSE);
		move(y, r->x + 1);
		left -= ui_put_cut(buf, left);
		if (i == app.focus)
			attroff(A_BOLD | A_REVERSE);
		if (left > 1) {
			addch(' ');
			left--;
			attron(ui_attr(ui_state_color(c->state)));
			left -= ui_put_cut(conn_state_name(c->state), left);
			attroff(ui_attr(ui_state_color(c->state)));
		}
		if (serve_conn_kind(i) != NULL && 3 + (int)strlen(
		    serve_conn_kind(i)) <= left) {
			/* Answered by a responder (/serve): its kind. */
			snprintf(buf, sizeof buf, " [%s]", serve_conn_kind(i));
			attron(A_BOLD);
			left -= ui_put_cut(buf, left);
			attroff(A_BOLD);
		}
		if (left > 1 && c->peer[0] != '\0') {
			addch(' ');
			left--;
			attron(A_DIM);
			left -= ui_conns_peer(c->peer, left);
			attroff(A_DIM);
		}
		ui_bytes(buf, sizeof buf, c->in_bytes);
		if (1 + ui_cols(buf) <= left) {
			/* A number shows whole or not at all. */
			addch(' ');
			addstr(buf);
		}
		y++;
		/* Its first HTTP request, so a browser's connections read
		 * apart ("GET /favicon.ico"); already escaped. */
		if (req != NULL && ++row >= first && y < r->y + r->h - 1)
			ui_conns_request(r, y++, req);
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
	ui_put_cut(value, r->w - 2 - 10);
	attroff(ui_attr(role));
	(*y)++;
}

/* The TLS rows of the Socket pane: the focused connection's handshake
 * (version, cipher, ALPN, the peer's certificate, the verify result in
 * words), when it is a TLS connection still open.  The text fields are
 * tls.c's, escaped already. */
static void
ui_socket_tls(const struct layout_rect *r, int *y)
{
	struct tls_info	 info;
	char		 buf[300];

	if (net_tls_info(app.focus, &info) != 0)
		return;
	if (info.version[0] == '\0') {
		ui_socket_row(r, y, "tls", "handshake under way", UI_WARN);
		return;
	}
	snprintf(buf, sizeof buf, "%s %s", info.version, info.cipher);
	ui_socket_row(r, y, "tls", buf, UI_NORMAL);
	if (info.alpn[0] != '\0')
		ui_socket_row(r, y, "alpn", info.alpn, UI_NORMAL);
	if (info.peer_cert) {
		ui_socket_row(r, y, "subject", info.peer.subject, UI_NORMAL);
		ui_socket_row(r, y, "issuer", info.peer.issuer, UI_NORMAL);
		snprintf(buf, sizeof buf, "%s - %s", info.peer.not_before,
		    info.peer.not_after);
		ui_socket_row(r, y, "valid", buf, UI_NORMAL);
	} else
		ui_socket_row(r, y, "subject", "no peer certificate",
		    UI_NORMAL);
	snprintf(buf, sizeof buf, "%s%s", info.verify,
	    info.verify_code != 0 && !info.verify_enforced ?
	    " (not enforced)" : "");
	ui_socket_row(r, y, "verify", buf,
	    info.verify_code == 0 ? UI_NORMAL : UI_WARN);
}

/* The Socket pane's kernel rows (TCP_INFO, buffer sizes) for the focus. */
static void
ui_socket_kernel(const struct layout_rect *r, int *y)
{
	struct net_kinfo	ki;
	char			buf[96], b1[32];

	if (net_kernel_info(app.focus, &ki) == -1)
		return;
	if (ki.state != NULL)
		ui_socket_row(r, y, "tcp state", ki.state, UI_NORMAL);
	if (ki.rtt_us >= 0) {
		snprintf(buf, sizeof buf, "%ld.%03ld ms +- %ld.%03ld",
		    ki.rtt_us / 1000, ki.rtt_us % 1000,
		    ki.rttvar_us / 1000, ki.rttvar_us % 1000);
		ui_socket_row(r, y, "rtt", buf, UI_NORMAL);
	}
	if (ki.cwnd >= 0) {
		snprintf(buf, sizeof buf, "%ld segments", ki.cwnd);
		ui_socket_row(r, y, "cwnd", buf, UI_NORMAL);
	}
	if (ki.unacked >= 0) {
		snprintf(buf, sizeof buf, "%ld", ki.unacked);
		ui_socket_row(r, y, "unacked", buf,
		    ki.unacked > 0 ? UI_WARN : UI_NORMAL);
	}
	if (ki.retrans >= 0) {
		snprintf(buf, sizeof buf, "%ld", ki.retrans);
		ui_socket_row(r, y, "retrans", buf,
		    ki.retrans > 0 ? UI_WARN : UI_NORMAL);
	}
	if (ki.rcvbuf >= 0) {
		ui_bytes(b1, sizeof b1, (unsigned long long)ki.rcvbuf);
		ui_socket_row(r, y, "rcvbuf", b1, UI_NORMAL);
	}
	if (ki.sndbuf >= 0) {
		ui_bytes(b1, sizeof b1, (unsigned long long)ki.sndbuf);
		ui_socket_row(r, y, "sndbuf", b1, UI_NORMAL);
	}
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
	if (net_conn_transport(app.focus) != NET_TCP)
		ui_socket_row(r, &y, "transport", net_transport_name(
		    net_conn_transport(app.focus)), UI_NORMAL);
	ui_socket_tls(r, &y);
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
	ui_socket_kernel(r, &y);
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
	for (i = 0; keys[i] != NULL && y < bottom; i++) {
		/* A narrow screen cuts the line, and shows it. */
		move(y++, r.x + 2);
		ui_put_cut(keys[i], r.w - 4);
	}
	y++;

	/* Commands: usage lines only (/help COMMAND explains one). */
	for (ncmd = 0; cmd_name_list()[ncmd] != NULL; ncmd++)
		continue;
	colw = 27;
	ncols = (r.w - 4) / colw;
	if (ncols < 1)
		ncols = 1;
	per_col = (ncmd + ncols - 1) / ncols;
	for (i = 0; i < ncmd; i++) {
		const char	*h = cmd_help(cmd_name_list()[i]);
		int		 cy = y + i % per_col, cx = r.x + 2 + (i / per_col) * colw;

		if (cy >= bottom)
			continue;
		n = (int)strcspn(h, "\n");
		snprintf(usage, sizeof usage, "%.*s", n < 60 ? n : 60, h);
		move(cy, cx);
		ui_put_cut(usage, colw - 1 < r.x + r.w - 2 - cx ?
		    colw - 1 : r.x + r.w - 2 - cx);
	}
	if (y + per_col > bottom) {
		attron(ui_attr(UI_WARN));
		mvhline(bottom - 1, r.x + 1, ' ', r.w - 2);
		move(bottom - 1, r.x + 2);
		ui_put_cut("(more: /help lists every command)", r.w - 4);
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
