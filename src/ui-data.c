/*
 * ui-data.c: the Hex and Text panes: the focused connection's chunks from
 * the store, each under its own separator, received and sent bytes in
 * different colors.  Only the visible rows are formatted (by hexdump.c and
 * textesc.c); this file only copies them to the screen.  Called by ui.c.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "sockscope/app.h"
#include "sockscope/conn.h"
#include "sockscope/evlog.h"
#include "sockscope/hexdump.h"
#include "sockscope/net.h"
#include "sockscope/store.h"
#include "sockscope/textesc.h"
#include "sockscope/textwidth.h"
#include "sockscope/ui.h"

/* Counting or drawing the Text rows of one chunk. */
struct ui_text_ctx {
	long		 row;		/* index of the next row */
	long		 first;		/* first row to draw */
	int		 y, x, w;	/* where row `first` goes */
	int		 maxy;		/* stop before this screen row */
	attr_t		 attr;
};

static long ui_data_mark(enum layout_pane, const struct chunk *, int, long,
    int *, int, int);

/* Count Text rows (textesc_text_rows() callback that draws nothing). */
static void
ui_data_text_none(const char *row, size_t len, void *arg)
{
	(void)row;
	(void)len;
	(void)arg;
}

/* Draw one Text row if it is in the visible range. */
static void
ui_data_text_row(const char *row, size_t len, void *arg)
{
	struct ui_text_ctx	*t = arg;
	int			 y = t->y + (int)(t->row - t->first);

	if (t->row >= t->first && y < t->maxy) {
		attron(t->attr);
		mvaddnstr(y, t->x, row, (int)len);
		attroff(t->attr);
	}
	t->row++;
}

/*
 * Text pane rows of a chunk's data (not counting its separator), counted
 * once per wrap width: scrolling far back must not re-count every chunk on
 * every frame.
 */
static long
ui_data_text_count(const struct chunk *ch, int w)
{
	struct chunk	*cache = (struct chunk *)ch;

	if (ch->rows_wrap != (size_t)w) {
		cache->rows = textesc_text_rows(ch->data, ch->len, (size_t)w,
		    ui_data_text_none, NULL);
		cache->rows_wrap = (size_t)w;
	}
	return (long)ch->rows;
}

/* Rows a chunk takes in pane p, its separator included. */
long
ui_data_chunk_rows(enum layout_pane p, const struct chunk *ch,
    const struct layout_rect *r, int per_row)
{
	if (ch->dir == STORE_MARK)
		return ui_data_mark(p, ch, r->w - 2, 0, NULL, 0, 0);
	if (p == PANE_HEX)
		return 1 + (long)((ch->len + (size_t)per_row - 1) /
		    (size_t)per_row);
	return 1 + ui_data_text_count(ch, r->w - 2);
}

/* Bytes of a UTF-8 string that fit in w columns (each character one). */
static int
ui_data_fit(const char *s, int w)
{
	int	i, cols = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (cols++ == w)
			break;
	}
	return i;
}

/*
 * A mark (EOF, shutdown, reset, an error) in the stream: its text between
 * rules, wrapped at w columns like a message.  Returns its rows; when y is
 * not NULL, draws rows from first on at *y (before maxy) and moves *y.
 */
static long
ui_data_mark(enum layout_pane p, const struct chunk *ch, int w, long first,
    int *y, int maxy, int x)
{
	const struct ui_glyphs	*g = ui_glyphs();
	char			 line[600], t[32] = "";
	size_t			 n, off = 0, row;
	long			 rows = 0;
	enum ui_color		 role;

	if (p == PANE_HEX)
		snprintf(t, sizeof t, " %s +%.3f", g->dot, ch->t);
	snprintf(line, sizeof line, "%s%s %.*s%s %s%s", g->hline, g->hline,
	    (int)ch->len, (const char *)ch->data, t, g->hline, g->hline);
	n = strlen(line);
	role = ch->seq == EV_EOF || ch->seq == EV_SHUTDOWN ? UI_WARN : UI_BAD;
	while (off < n && w > 0) {
		row = textwidth_wrap(line + off, n - off, (size_t)w);
		if (y != NULL && rows >= first && *y < maxy) {
			attron(ui_attr(role) | A_BOLD);
			mvaddnstr(*y, x, line + off, (int)row);
			attroff(ui_attr(role) | A_BOLD);
			(*y)++;
		}
		rows++;
		off += row;
		while (off < n && line[off] == ' ')
			off++;
	}
	return rows > 0 ? rows : 1;
}

/* Draw the separator line above a chunk. */
static void
ui_data_separator(enum layout_pane p, const struct chunk *ch, int y, int x,
    int w)
{
	const struct ui_glyphs	*g = ui_glyphs();
	char			 line[400], size[32], t[32] = "";

	ui_bytes(size, sizeof size, ch->len);
	if (p == PANE_HEX)
		snprintf(t, sizeof t, " %s +%.3f", g->dot, ch->t);
	for (;;) {
		if (ch->dir == STORE_IN)
			snprintf(line, sizeof line, "%s%s recv %llu %s %s%s %s%s",
			    g->hline, g->hline, (unsigned long long)ch->seq,
			    g->dot, size, t, g->hline, g->hline);
		else
			snprintf(line, sizeof line, "%s%s send %s %s%s %s%s",
			    g->hline, g->hline, g->dot, size, t, g->hline,
			    g->hline);
		/* Too narrow: the time goes whole, not cut. */
		if (t[0] == '\0' || ui_cols(line) <= w)
			break;
		t[0] = '\0';
	}
	attron(ui_attr(UI_SEP));
	mvaddnstr(y, x, line, ui_data_fit(line, w));
	attroff(ui_attr(UI_SEP));
}

/* Draw rows [first, first + n) of a chunk starting at screen row y. */
static int
ui_data_chunk_draw(enum layout_pane p, const struct chunk *ch, long first,
    int y, int maxy, int x, int w, int per_row)
{
	attr_t	attr = ui_attr(ch->dir == STORE_IN ? UI_RECV : UI_SEND);
	long	row = first;
	char	buf[HEXDUMP_ROW_MAX + 1];

	if (ch->dir == STORE_MARK) {
		ui_data_mark(p, ch, w, first, &y, maxy, x);
		return y;
	}
	if (row == 0 && y < maxy) {
		ui_data_separator(p, ch, y++, x, w);
		row++;
	}
	if (p == PANE_HEX) {
		size_t	off = (size_t)(row - 1) * (size_t)per_row;

		attron(attr);
		for (; off < ch->len && y < maxy; off += (size_t)per_row) {
			size_t	n = ch->len - off;

			if (n > (size_t)per_row)
				n = (size_t)per_row;
			hexdump_row_n(buf, ch->offset + off, ch->data + off, n,
			    (size_t)per_row);
			mvaddnstr(y++, x, buf, w);
		}
		attroff(attr);
		return y;
	}

	struct ui_text_ctx	t = { 1, row, y, x, w, maxy, attr };

	textesc_text_rows(ch->data, ch->len, (size_t)w, ui_data_text_row, &t);
	return y + (int)(t.row - row);
}

/*
 * Manual mode: say on the pane's last row that bytes wait in the kernel
 * for /recv (SPEC 14: before the narration and the other panes).  Returns
 * 1 if the row was used.
 */
static int
ui_data_waiting(const struct layout_rect *r, int id, int empty)
{
	const struct conn	*c;
	char			 line[128], size[32];
	long			 q;

	if (id <= 0 || !net_waiting(id))
		return 0;
	q = net_kernel_rxq(id);
	c = net_conn(id);
	if (q <= 0 && c != NULL && c->eof_in)
		return 0;	/* the EOF was read already: nothing waits */
	if (q > 0) {
		ui_bytes(size, sizeof size, (unsigned long long)q);
		/* The longest wording that fits: the number stays whole. */
		snprintf(line, sizeof line, "%s waiting in the kernel: /recv "
		    "to read", size);
		if (ui_cols(line) > r->w - 2)
			snprintf(line, sizeof line, "%s waiting: /recv", size);
	} else
		snprintf(line, sizeof line, "%s in the kernel: /recv to read",
		    q == 0 ? "EOF waits" : "data waits");
	attron(ui_attr(UI_WARN) | A_BOLD);
	move(empty ? r->y + 1 : r->y + r->h - 2, r->x + 1);
	ui_put_cut(line, r->w - 2);
	attroff(ui_attr(UI_WARN) | A_BOLD);
	return 1;
}

/* Draw the Hex or Text pane for connection id. */
void
ui_data_draw(enum layout_pane p, const struct layout_rect *r, int id,
    int per_row, struct ui_scroll *s, int focus)
{
	const struct store_list	*list = store_conn(&app.store, id);
	const struct chunk	*ch, *top = NULL;
	char			 title[64];
	long			 need = r->h - 2, have = 0, skip;
	int			 y, x = r->x + 1, w = r->w - 2;
	int			 bottom = r->y + r->h - 1;

	if (id > 0)
		snprintf(title, sizeof title, "%s #%d", layout_pane_name(p), id);
	else
		snprintf(title, sizeof title, "%s", layout_pane_name(p));
	ui_box(r, title, focus);
	if (need <= 0 || w <= 0)
		return;
	if (ui_data_waiting(r, id, list->head == NULL)) {
		/* The last row says so: the chunks end above it. */
		bottom--;
		if (--need <= 0)
			return;
	}
	if (list->head == NULL) {
		if (!net_waiting(id)) {
			attron(A_DIM);
			move(r->y + 1, x);
			ui_put_cut(id == 0 ? "no connection" :
			    "nothing received or sent yet", w);
			attroff(A_DIM);
		}
		return;
	}

	/* Walk back from the newest chunk far enough to fill the pane. */
	for (ch = list->tail; ch != NULL; ch = ch->cprev) {
		have += ui_data_chunk_rows(p, ch, r, per_row);
		top = ch;
		if (have >= need + s->from_bottom)
			break;
	}
	if (have < need + s->from_bottom) {
		/* Scrolled past the oldest row: stop at the top. */
		s->from_bottom = have > need ? have - need : 0;
	}
	/* Rows of `top` above the pane's first row. */
	skip = have - need - s->from_bottom;
	if (skip < 0)
		skip = 0;

	y = r->y + 1;
	for (ch = top; ch != NULL && y < bottom; ch = ch->cnext) {
		long	rows = ui_data_chunk_rows(p, ch, r, per_row);

		if (skip >= rows) {
			skip -= rows;
			continue;
		}
		y = ui_data_chunk_draw(p, ch, skip, y, bottom, x, w,
		    per_row);
		skip = 0;
	}
	if (s->from_bottom > 0) {
		char	more[32];

		int	n = snprintf(more, sizeof more, " %s %ld more ",
			    ui_glyphs()->down, s->from_bottom);

		/* The arrow is one column wide whatever its bytes. */
		n -= (int)strlen(ui_glyphs()->down) - 1;
		attron(ui_attr(UI_WARN));
		mvaddstr(r->y + r->h - 1, r->x + r->w - 2 - n, more);
		attroff(ui_attr(UI_WARN));
	}
}
