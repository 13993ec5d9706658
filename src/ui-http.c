/*
 * ui-http.c: the HTTP pane of /view http (SPEC 13): the focused
 * connection's requests and responses as httpview.c decoded them, each
 * under its own heading, drawn in the data area in place of the Text
 * pane.  The rows come from httpview_render(), already escaped; this file
 * only colors them, cuts them at the border (marked) and scrolls.  Called
 * by ui.c.
 */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "sockscope/app.h"
#include "sockscope/httpview.h"
#include "sockscope/ui.h"

/* Drawing rows of the pane (httpview_render() callback). */
struct ui_http_ctx {
	long	row;		/* index of the next row */
	long	first;		/* first row to draw */
	int	y, x, w;	/* where row `first` goes */
	int	maxy;		/* stop before this screen row */
};

/* What the pane showed last: to keep a scrolled view still as rows come. */
static struct {
	int	id;
	size_t	rows;
} ui_http_last;

/* Count rows (draws nothing). */
static void
ui_http_count(enum httpview_row kind, enum httpview_dir dir,
    const char *text, void *arg)
{
	(void)kind;
	(void)dir;
	(void)text;
	(void)arg;
}

/* Draw one row if it is in sight. */
static void
ui_http_row(enum httpview_row kind, enum httpview_dir dir, const char *text,
    void *arg)
{
	struct ui_http_ctx	*c = arg;
	const struct ui_glyphs	*g = ui_glyphs();
	attr_t			 a;
	int			 left;

	if (c->row++ < c->first || c->y >= c->maxy)
		return;
	move(c->y++, c->x);
	switch (kind) {
	case HTTPVIEW_ROW_HEADING:
		/* "── request 2, received at byte 75 ─────" */
		a = ui_attr(UI_SEP);
		left = c->w;
		attron(a);
		if (left > 3) {
			addstr(g->hline);
			addstr(g->hline);
			addch(' ');
			left -= 3;
		}
		attroff(a);
		attron(ui_attr(dir == HTTPVIEW_IN ? UI_RECV : UI_SEND) |
		    A_BOLD);
		left -= ui_put_cut(text, left);
		attroff(ui_attr(dir == HTTPVIEW_IN ? UI_RECV : UI_SEND) |
		    A_BOLD);
		attron(a);
		if (left > 1) {
			addch(' ');
			left--;
		}
		while (left-- > 0)
			addstr(g->hline);
		attroff(a);
		return;
	case HTTPVIEW_ROW_START:
		a = ui_attr(dir == HTTPVIEW_IN ? UI_RECV : UI_SEND) | A_BOLD;
		break;
	case HTTPVIEW_ROW_HEADER:
		a = ui_attr(dir == HTTPVIEW_IN ? UI_RECV : UI_SEND);
		break;
	case HTTPVIEW_ROW_ERROR:
		a = ui_attr(UI_BAD) | A_BOLD;
		break;
	case HTTPVIEW_ROW_BODY:
	case HTTPVIEW_ROW_NOTE:
	default:
		a = A_DIM;
		break;
	}
	attron(a);
	/* A row too long for the pane ends with the cut mark. */
	ui_put_cut(text, c->w);
	attroff(a);
}

/* Draw the HTTP pane of connection id in r. */
void
ui_http_draw(const struct layout_rect *r, int id, struct ui_scroll *s,
    int focus)
{
	const struct httpview_conn	*hc = httpview_conn(&app.http, id);
	struct ui_http_ctx		 c;
	char				 title[64];
	long				 need = r->h - 2, total;

	if (id > 0)
		snprintf(title, sizeof title, "HTTP #%d", id);
	else
		snprintf(title, sizeof title, "HTTP");
	ui_box(r, title, focus);
	if (need <= 0 || r->w - 2 <= 0)
		return;
	total = hc != NULL ? (long)httpview_render(hc, ui_http_count, NULL) :
	    0;
	if (total == 0) {
		attron(A_DIM);
		move(r->y + 1, r->x + 1);
		ui_put_cut(id == 0 ? "no connection" : "no HTTP on this "
		    "connection yet: requests and responses show here as they "
		    "arrive", r->w - 2);
		attroff(A_DIM);
		ui_http_last.id = id;
		ui_http_last.rows = 0;
		return;
	}
	/* Scrolled up: new rows arrive below, the view stays where it is. */
	if (s->from_bottom > 0 && ui_http_last.id == id &&
	    (size_t)total > ui_http_last.rows)
		s->from_bottom += total - (long)ui_http_last.rows;
	ui_http_last.id = id;
	ui_http_last.rows = (size_t)total;
	if (s->from_bottom > total - need)
		s->from_bottom = total > need ? total - need : 0;
	memset(&c, 0, sizeof c);
	c.first = total - need - s->from_bottom;
	if (c.first < 0)
		c.first = 0;
	c.y = r->y + 1;
	c.x = r->x + 1;
	c.w = r->w - 2;
	c.maxy = r->y + r->h - 1;
	httpview_render(hc, ui_http_row, &c);
}
