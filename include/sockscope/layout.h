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
 *
 * A view is the list of panes its layout shows (a pane's rectangle has
 * shown set); ui.c draws each through its pane object.  Two views place
 * their panes their own way at every size:
 *   VIEW_LAB   for a projector: no borders (each pane's first row is its
 *              heading), the focused connection's narration (Events) on
 *              top, its Text below, and one row of kernel facts (KERNEL)
 *              above the input line.  Short of rows the narration goes
 *              first; the kernel row stays (SPEC 14).
 *   VIEW_PAIR  two connections: A (HEX, TEXT) and B (HEX_B, TEXT_B), side
 *              by side from 120 columns, else one over the other.  Text
 *              always; Hex under it when the side is wide and tall
 *              enough; Events below both when rows are left.
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
	PANE_HEX_B,	/* pair view: the second connection's Hex */
	PANE_TEXT_B,	/* pair view: the second connection's Text */
	PANE_KERNEL,	/* lab view: one row of kernel facts, no border */
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

/*
 * A pane's rectangle, borders included; shown is 0 when it has no room.
 * A bare pane has no border: its first row is its heading, the rest is
 * content at its full width.
 */
struct layout_rect {
	int	y, x, h, w;
	int	shown;
	int	bare;
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

/* Nonzero for the panes of /view pair's second connection (B). */
int layout_pane_is_b(enum layout_pane p);

/* One connection as /view pair sees it: its addresses as shown
 * ("127.0.0.1:5151"; "" when not known). */
struct layout_end {
	int		 id;
	const char	*local;
	const char	*peer;
};

/*
 * Choose /view pair's two connections among the n ends (any order).
 * want_a and want_b are the ids the user gave (0: none).  Without them:
 * A is the focused connection (else the most recent one) and B its other
 * end, the connection whose local address is A's peer and whose peer is
 * A's local address (the most recent such); else the most recent other
 * connection.  When the user gave neither, the older of the two is A
 * (left or top), so the picture stays still as focus moves between the
 * two ends.  Sets *a and *b (0 when there is none) and returns how many
 * were chosen.
 */
int layout_pair_pick(const struct layout_end *ends, int n, int focus,
    int want_a, int want_b, int *a, int *b);

#endif
