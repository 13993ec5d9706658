/*
 * ui-lab.c: what the lab and pair views (SPEC 12) draw beyond the other
 * panes: the lab view's one row of kernel facts about the focused
 * connection ("rx 18 B waiting for recv() · tx 0 B · ESTABLISHED") and the
 * pair view's headings, which name each side's connection and its state.
 * Both read what net.c and app.c hold; fields that do not fit are dropped
 * whole (layout_fit_fields()), the state word last.  Called by ui.c.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "sockscope/app.h"
#include "sockscope/conn.h"
#include "sockscope/layout.h"
#include "sockscope/net.h"
#include "sockscope/ui.h"

/* Most fields of the kernel row or a pair heading. */
#define UI_LAB_FIELDS 6

/* One field of a one-row bar. */
struct ui_lab_field {
	char		text[160];
	enum ui_color	role;
	attr_t		extra;
	int		prio;		/* higher stays longer (SPEC 14) */
	int		sep;		/* columns before it */
};

/*
 * The state word of c for the kernel row and the pair headings: the
 * kernel's TCP state (tcpi_state: ESTABLISHED, CLOSE_WAIT, FIN_WAIT2...)
 * while the socket is open and TCP; else sockscope's own state word.
 */
const char *
ui_lab_state_word(const struct conn *c)
{
	struct net_kinfo	ki;

	if (c->state != CONN_CONNECTING && net_kernel_info(c->id, &ki) == 0 &&
	    ki.state != NULL)
		return ki.state;
	return conn_state_name(c->state);
}

/* Add a field to a bar. */
static void
ui_lab_add(struct ui_lab_field *f, int *n, int prio, enum ui_color role,
    attr_t extra, int sep, const char *text)
{
	if (*n >= UI_LAB_FIELDS)
		return;
	snprintf(f[*n].text, sizeof f[*n].text, "%s", text);
	f[*n].role = role;
	f[*n].extra = extra;
	f[*n].prio = prio;
	f[*n].sep = sep;
	(*n)++;
}

/* Choose the fields that fit in w columns; fills shown. */
static void
ui_lab_fit(const struct ui_lab_field *f, int n, int w, int *shown)
{
	int	width[UI_LAB_FIELDS], sep[UI_LAB_FIELDS], prio[UI_LAB_FIELDS];
	int	i;

	for (i = 0; i < n; i++) {
		width[i] = ui_cols(f[i].text);
		sep[i] = f[i].sep;
		prio[i] = f[i].prio;
	}
	layout_fit_fields(width, sep, prio, n, w, shown);
}

/*
 * The kernel row: what waits in the kernel's receive queue for recv()
 * (FIONREAD), what the send queue holds (SIOCOUTQ), sockscope's own queue
 * when it holds anything, and the state word.  The state stays longest,
 * then the bytes waiting (SPEC 14).
 */
void
ui_kernel_draw(const struct layout_rect *r, int id)
{
	const struct conn	*c = net_conn(id);
	struct ui_lab_field	 f[UI_LAB_FIELDS];
	int			 shown[UI_LAB_FIELDS], n = 0, i, any = 0;
	int			 sep = 3;	/* " · " */
	int			 rx = -1;	/* its field, if any */
	char			 buf[96], size[32], rxs[32];
	long			 rxq, txq;

	attron(ui_attr(UI_TITLE));
	mvhline(r->y, r->x + 1, ' ', r->w - 2);
	attroff(ui_attr(UI_TITLE));
	if (c == NULL) {
		attron(ui_attr(UI_TITLE));
		move(r->y, r->x + 1);
		ui_put_cut(" kernel: no connection", r->w - 2);
		attroff(ui_attr(UI_TITLE));
		return;
	}
	rxq = net_kernel_rxq(id);
	txq = net_kernel_txq(id);
	if (rxq > 0) {
		ui_bytes(rxs, sizeof rxs, (unsigned long long)rxq);
		snprintf(buf, sizeof buf, "rx %s waiting for recv()", rxs);
		rx = n;
		ui_lab_add(f, &n, 90, UI_WARN, A_BOLD, sep, buf);
	} else if (rxq == 0 && net_waiting(id) && !c->eof_in)
		ui_lab_add(f, &n, 90, UI_WARN, A_BOLD, sep,
		    "rx EOF waiting for recv()");
	else if (rxq == 0)
		ui_lab_add(f, &n, 90, UI_TITLE, 0, sep, "rx 0 B");
	if (txq >= 0) {
		ui_bytes(size, sizeof size, (unsigned long long)txq);
		snprintf(buf, sizeof buf, "tx %s", size);
		ui_lab_add(f, &n, 70, UI_TITLE, 0, sep, buf);
	}
	if (c->qlen > 0) {
		ui_bytes(size, sizeof size, c->qlen);
		snprintf(buf, sizeof buf, "+%s queued in sockscope", size);
		ui_lab_add(f, &n, 60, UI_WARN, 0, sep, buf);
	}
	ui_lab_add(f, &n, 100, ui_state_color(c->state), A_BOLD, sep,
	    ui_lab_state_word(c));
	snprintf(buf, sizeof buf, "#%d", id);
	ui_lab_add(f, &n, 50, UI_TITLE, 0, sep, buf);

	/* One column of margin on the left, as the title bar has. */
	ui_lab_fit(f, n, r->w - 3, shown);
	if (rx >= 0 && !shown[rx]) {
		/* Narrow: the bytes waiting stay, in fewer words. */
		snprintf(f[rx].text, sizeof f[rx].text, "rx %s waiting", rxs);
		ui_lab_fit(f, n, r->w - 3, shown);
	}
	move(r->y, r->x + 2);
	for (i = 0; i < n; i++) {
		if (!shown[i])
			continue;
		if (any) {
			attron(ui_attr(UI_TITLE));
			printw(" %s ", ui_glyphs()->dot);
			attroff(ui_attr(UI_TITLE));
		}
		any = 1;
		/* On the bar's background, the state keeps its color. */
		attron(ui_attr(f[i].role) | f[i].extra |
		    (f[i].role == UI_TITLE ? 0 : A_REVERSE));
		addstr(f[i].text);
		attroff(ui_attr(f[i].role) | f[i].extra |
		    (f[i].role == UI_TITLE ? 0 : A_REVERSE));
	}
}

/*
 * The pair view's heading for pane p showing connection id: ">" when
 * typed lines go to it, the pane's name and #id, the state word, then
 * "local → peer" if it fits.
 */
void
ui_pair_title(char *buf, size_t len, enum layout_pane p, int id, int w)
{
	const struct conn	*c = net_conn(id);
	struct ui_lab_field	 f[UI_LAB_FIELDS];
	int			 shown[UI_LAB_FIELDS], n = 0, i;
	char			 t[160];
	size_t			 off = 0;

	if (c == NULL) {
		snprintf(buf, len, "%s: %s", layout_pane_name(p),
		    id > 0 ? "no such connection" : layout_pane_is_b(p) ?
		    "no other connection yet" : "no connection yet");
		return;
	}
	snprintf(t, sizeof t, "%s%s #%d", id == app.focus ? ">" : "",
	    layout_pane_name(p), id);
	ui_lab_add(f, &n, 95, UI_NORMAL, 0, 1, t);
	ui_lab_add(f, &n, 100, UI_NORMAL, 0, 1, ui_lab_state_word(c));
	if (c->local[0] != '\0' && c->peer[0] != '\0') {
		snprintf(t, sizeof t, "%s %s %s", c->local, ui_glyphs()->arrow,
		    c->peer);
		ui_lab_add(f, &n, 10, UI_NORMAL, 0, 2, t);
	}
	/* ui_box() draws the heading in w - 4 columns. */
	ui_lab_fit(f, n, w - 4, shown);
	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		if (!shown[i])
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%*s%s",
		    off > 0 ? f[i].sep : 0, "", f[i].text);
	}
}
