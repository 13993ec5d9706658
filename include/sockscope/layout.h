/*
 * layout.h: where each pane of the full screen goes, for a terminal size
 * and a view.  Pure: the screen (ui.c) computes a layout on every resize
 * and draws each shown pane in its rectangle.
 *
 * Tiers (SPEC section 6):
 *   LAYOUT_FULL     >= 120 columns and >= 20 rows: Hex and Text side by
 *                   side, Events below them, Connections and Socket in a
 *                   column on the right.
 *   LAYOUT_STACKED  >= 80 x 20: Hex over Text over Events, full width.
 *   LAYOUT_MINIMAL  >= 40 x 10: data panes and the input line only.
 *   LAYOUT_TINY     smaller: nothing but a "terminal too small" line.
 * Every tier but TINY has a title bar on the first row and the input line
 * on the last.
 */
#ifndef SOCKSCOPE_LAYOUT_H
#define SOCKSCOPE_LAYOUT_H

#include "sockscope/cmd.h"

enum layout_pane {
	PANE_HEX,
	PANE_TEXT,
	PANE_EVENTS,
	PANE_CONNS,
	PANE_SOCKET,
	PANE_COUNT
};

enum layout_tier {
	LAYOUT_TINY,
	LAYOUT_MINIMAL,
	LAYOUT_STACKED,
	LAYOUT_FULL
};

#define LAYOUT_MIN_COLS 40
#define LAYOUT_MIN_ROWS 10

/* A pane's rectangle, borders included; shown is 0 when it has no room. */
struct layout_rect {
	int	y, x, h, w;
	int	shown;
};

struct layout {
	enum layout_tier	tier;
	int			cols, rows;
	struct layout_rect	title;		/* one row */
	struct layout_rect	input;		/* one row */
	struct layout_rect	pane[PANE_COUNT];
	int			hex_per_row;	/* bytes per Hex pane row */
};

/* Compute the layout of a cols x rows terminal for view v. */
void layout_compute(struct layout *l, int cols, int rows, enum cmd_view v);

/* Columns a Hex pane row of n bytes per row takes (hexdump -C style). */
int layout_hex_width(int per_row);

/*
 * Choose which of n fields of a one-row bar fit in avail columns (SPEC
 * 14: a field that does not fit is dropped whole, never cut).  Field i is
 * width[i] columns, with sep[i] columns before it unless it is the first
 * one shown.  Fields go lowest prio first (of equal prio, the later one
 * first).  Sets shown[i] to 1 or 0 and returns the columns the shown
 * fields take.
 */
int layout_fit_fields(const int *width, const int *sep, const int *prio,
    int n, int avail, int *shown);

/* The pane's name for its border ("Hex", "Text", ...). */
const char *layout_pane_name(enum layout_pane p);

#endif
