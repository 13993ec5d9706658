/*
 * layout.c: the full screen's pane rectangles for a terminal size and a
 * view (see layout.h for the tiers).  Pure; called by ui.c on every resize
 * and view change.
 */
#include "config.h"

#include <string.h>

#include "sockscope/layout.h"

/* Columns a hexdump -C style row of n bytes takes. */
int
layout_hex_width(int per_row)
{
	/* "00000000  " + "xx " per byte + gap after 8 + " |" + text + "|" */
	return 10 + per_row * 3 + (per_row > 8 ? 1 : 0) + 1 + per_row + 2;
}

/* The border title of a pane. */
const char *
layout_pane_name(enum layout_pane p)
{
	static const char *const names[PANE_COUNT] = {
		"Hex", "Text", "Events", "Connections", "Socket"
	};

	return (unsigned)p < PANE_COUNT ? names[p] : "?";
}

/* The columns the shown fields take, separators included. */
static int
layout_fields_width(const int *width, const int *sep, int n,
    const int *shown)
{
	int	i, cols = 0, any = 0;

	for (i = 0; i < n; i++) {
		if (!shown[i])
			continue;
		cols += width[i] + (any ? sep[i] : 0);
		any = 1;
	}
	return cols;
}

/* Drop whole fields, least important first, until the rest fit. */
int
layout_fit_fields(const int *width, const int *sep, const int *prio, int n,
    int avail, int *shown)
{
	int	i, cols, drop;

	for (i = 0; i < n; i++)
		shown[i] = width[i] > 0;
	while ((cols = layout_fields_width(width, sep, n, shown)) > avail) {
		drop = -1;
		for (i = 0; i < n; i++) {
			if (shown[i] && (drop == -1 || prio[i] <= prio[drop]))
				drop = i;
		}
		if (drop == -1)
			break;
		shown[drop] = 0;
	}
	return cols;
}

/* Set a rectangle. */
static void
layout_set(struct layout_rect *r, int y, int x, int h, int w)
{
	r->y = y;
	r->x = x;
	r->h = h;
	r->w = w;
	r->shown = h >= 3 && w >= 10;
}

/* The most bytes per Hex row that fit in a pane w columns wide. */
static int
layout_fit_hex(int w)
{
	static const int sizes[] = { 16, 8, 4 };
	size_t		 i;

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		if (layout_hex_width(sizes[i]) + 2 <= w)
			return sizes[i];
	}
	return 4;
}

/*
 * Place the data panes in a rectangle: side by side when wide enough
 * (side != 0), else one over the other.
 */
static void
layout_data(struct layout *l, int y, int x, int h, int w, enum cmd_view v,
    int side)
{
	struct layout_rect	*hex = &l->pane[PANE_HEX];
	struct layout_rect	*text = &l->pane[PANE_TEXT];

	if (v == VIEW_HEX) {
		layout_set(hex, y, x, h, w);
		l->hex_per_row = layout_fit_hex(w);
		return;
	}
	if (v == VIEW_TEXT) {
		layout_set(text, y, x, h, w);
		return;
	}
	if (side) {
		/* Give Hex full rows when Text keeps a useful width. */
		int	per = w - layout_hex_width(16) - 2 >= 30 ? 16 : 8;
		int	hw = layout_hex_width(per) + 2;

		if (w - hw < 20) {
			per = 4;
			hw = layout_hex_width(per) + 2;
		}
		layout_set(hex, y, x, h, hw);
		layout_set(text, y, x + hw, h, w - hw);
		l->hex_per_row = per;
		return;
	}
	if (h < 8) {
		/* No room for two: the hex pane alone. */
		layout_set(hex, y, x, h, w);
	} else {
		int	hh = (h + 1) / 2;

		layout_set(hex, y, x, hh, w);
		layout_set(text, y + hh, x, h - hh, w);
	}
	l->hex_per_row = layout_fit_hex(w);
}

/* Compute where every pane goes. */
void
layout_compute(struct layout *l, int cols, int rows, enum cmd_view v)
{
	int	body, ev, right;

	memset(l, 0, sizeof *l);
	l->cols = cols;
	l->rows = rows;
	l->hex_per_row = 16;
	if (cols < LAYOUT_MIN_COLS || rows < LAYOUT_MIN_ROWS) {
		l->tier = LAYOUT_TINY;
		return;
	}
	layout_set(&l->title, 0, 0, 1, cols);
	layout_set(&l->input, rows - 1, 0, 1, cols);
	l->title.shown = l->input.shown = 1;
	body = rows - 2;

	if (cols >= 120 && rows >= 20) {
		l->tier = LAYOUT_FULL;
		/*
		 * A fifth of the width, 28 to 40 columns.  Below 160 columns
		 * at least 34, so ">#1 ESTABLISHED 127.0.0.1:50412" fits
		 * whole; from 160 a fifth is 32 and the Text pane keeps its
		 * width (a longer peer keeps its port, its host is cut).
		 */
		right = cols / 5 < 28 ? 28 : cols / 5 > 40 ? 40 : cols / 5;
		if (cols < 160 && right < 34)
			right = 34;
		ev = body / 3 < 5 ? 5 : body / 3;
		layout_data(l, 1, 0, body - ev, cols - right, v, 1);
		layout_set(&l->pane[PANE_EVENTS], 1 + body - ev, 0, ev,
		    cols - right);
		layout_set(&l->pane[PANE_CONNS], 1, cols - right, body / 2,
		    right);
		layout_set(&l->pane[PANE_SOCKET], 1 + body / 2, cols - right,
		    body - body / 2, right);
	} else if (cols >= 80 && rows >= 20) {
		l->tier = LAYOUT_STACKED;
		ev = body / 4 < 5 ? 5 : body / 4;
		layout_data(l, 1, 0, body - ev, cols, v, 0);
		layout_set(&l->pane[PANE_EVENTS], 1 + body - ev, 0, ev, cols);
	} else {
		l->tier = LAYOUT_MINIMAL;
		layout_data(l, 1, 0, body, cols, v, 0);
	}
}
