/*
 * test_layout.c: the pane rectangles for every tier and view: panes inside
 * the screen, never overlapping, the title and input rows kept, and the
 * Hex pane wide enough for its rows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "sockscope/layout.h"

/* Nonzero if two shown rectangles share a cell. */
static int
overlap(const struct layout_rect *a, const struct layout_rect *b)
{
	return a->x < b->x + b->w && b->x < a->x + a->w &&
	    a->y < b->y + b->h && b->y < a->y + a->h;
}

/* The invariants every layout must keep. */
static void
check_sane(const struct layout *l)
{
	int	i, j;

	if (l->tier == LAYOUT_TINY)
		return;
	assert_int_equal(l->title.y, 0);
	assert_int_equal(l->input.y, l->rows - 1);
	for (i = 0; i < PANE_COUNT; i++) {
		const struct layout_rect *r = &l->pane[i];

		if (!r->shown)
			continue;
		assert_true(r->x >= 0 && r->y >= 1);
		assert_true(r->x + r->w <= l->cols);
		assert_true(r->y + r->h <= l->rows - 1);
		if (i == PANE_KERNEL)
			assert_true(r->h == 1 && r->bare);
		else if (r->bare)
			assert_true(r->h >= 2 && r->w >= 10);
		else
			assert_true(r->h >= 3 && r->w >= 10);
		for (j = i + 1; j < PANE_COUNT; j++) {
			if (l->pane[j].shown)
				assert_false(overlap(r, &l->pane[j]));
		}
	}
	if (l->pane[PANE_HEX].shown)
		assert_true(layout_hex_width(l->hex_per_row) + 2 <=
		    l->pane[PANE_HEX].w);
}

static void
test_tiers(void **state)
{
	struct layout	l;

	(void)state;
	layout_compute(&l, 200, 60, VIEW_SPLIT);
	assert_int_equal(l.tier, LAYOUT_FULL);
	assert_true(l.pane[PANE_HEX].shown && l.pane[PANE_TEXT].shown);
	assert_true(l.pane[PANE_EVENTS].shown && l.pane[PANE_CONNS].shown &&
	    l.pane[PANE_SOCKET].shown);
	/* Side by side, at the same row. */
	assert_int_equal(l.pane[PANE_HEX].y, l.pane[PANE_TEXT].y);
	assert_int_equal(l.hex_per_row, 16);
	check_sane(&l);

	layout_compute(&l, 80, 24, VIEW_SPLIT);
	assert_int_equal(l.tier, LAYOUT_STACKED);
	assert_true(l.pane[PANE_HEX].y < l.pane[PANE_TEXT].y);
	assert_true(l.pane[PANE_EVENTS].shown);
	assert_false(l.pane[PANE_CONNS].shown);
	assert_int_equal(l.hex_per_row, 16);	/* 78 columns + borders */
	check_sane(&l);

	layout_compute(&l, 40, 10, VIEW_SPLIT);
	assert_int_equal(l.tier, LAYOUT_MINIMAL);
	assert_true(l.pane[PANE_HEX].shown);
	assert_false(l.pane[PANE_EVENTS].shown);
	assert_int_equal(l.hex_per_row, 4);	/* 8 would need 47 columns */
	check_sane(&l);

	layout_compute(&l, 30, 8, VIEW_SPLIT);
	assert_int_equal(l.tier, LAYOUT_TINY);
	layout_compute(&l, 39, 50, VIEW_SPLIT);
	assert_int_equal(l.tier, LAYOUT_TINY);
	layout_compute(&l, 200, 9, VIEW_SPLIT);
	assert_int_equal(l.tier, LAYOUT_TINY);
}

static void
test_views(void **state)
{
	struct layout	l;

	(void)state;
	layout_compute(&l, 160, 45, VIEW_HEX);
	assert_true(l.pane[PANE_HEX].shown);
	assert_false(l.pane[PANE_TEXT].shown);
	check_sane(&l);
	layout_compute(&l, 160, 45, VIEW_TEXT);
	assert_false(l.pane[PANE_HEX].shown);
	assert_true(l.pane[PANE_TEXT].shown);
	check_sane(&l);
}

static void
test_every_size(void **state)
{
	struct layout	l;
	int		c, r, v;

	(void)state;
	for (c = 1; c <= 260; c++)
		for (r = 1; r <= 80; r++)
			for (v = 0; v < VIEW_COUNT; v++) {
				layout_compute(&l, c, r, v);
				check_sane(&l);
				if (l.tier == LAYOUT_TINY)
					continue;
				/* The data stays at every size (SPEC 14). */
				assert_true(l.pane[PANE_HEX].shown ||
				    l.pane[PANE_TEXT].shown);
				/* The lab view keeps its kernel row; the pair
				 * view keeps both ends' bytes. */
				if (v == VIEW_LAB)
					assert_true(l.pane[PANE_KERNEL].shown);
				else
					assert_false(l.pane[PANE_KERNEL].shown);
				if (v == VIEW_PAIR)
					assert_true(l.pane[PANE_TEXT].shown &&
					    l.pane[PANE_TEXT_B].shown);
				else
					assert_false(l.pane[PANE_TEXT_B].shown ||
					    l.pane[PANE_HEX_B].shown);
			}
}

/* The lab view: narration on top, Text below, the kernel row last; no
 * borders; at 80x24 all three stay. */
static void
test_lab(void **state)
{
	const int	sizes[][2] = { { 120, 40 }, { 80, 24 }, { 200, 60 } };
	struct layout	l;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		const struct layout_rect *ev = &l.pane[PANE_EVENTS];
		const struct layout_rect *tx = &l.pane[PANE_TEXT];
		const struct layout_rect *k = &l.pane[PANE_KERNEL];

		layout_compute(&l, sizes[i][0], sizes[i][1], VIEW_LAB);
		check_sane(&l);
		assert_true(ev->shown && tx->shown && k->shown);
		assert_true(ev->bare && tx->bare && k->bare);
		assert_false(l.pane[PANE_HEX].shown || l.pane[PANE_CONNS].shown ||
		    l.pane[PANE_SOCKET].shown);
		/* Full width, no columns lost to borders. */
		assert_true(ev->x == 0 && ev->w == l.cols);
		assert_true(tx->x == 0 && tx->w == l.cols);
		assert_true(k->x == 0 && k->w == l.cols);
		/* Narration, then data, then the kernel row, then input. */
		assert_int_equal(ev->y, 1);
		assert_int_equal(tx->y, ev->y + ev->h);
		assert_int_equal(k->y, tx->y + tx->h);
		assert_int_equal(k->y, l.rows - 2);
		/* The data gets more rows than the narration. */
		assert_true(tx->h > ev->h);
		assert_true(ev->h >= 5);
	}
	/* 40x10: the narration goes first; data and the kernel row stay. */
	layout_compute(&l, 40, 10, VIEW_LAB);
	check_sane(&l);
	assert_false(l.pane[PANE_EVENTS].shown);
	assert_true(l.pane[PANE_TEXT].shown && l.pane[PANE_KERNEL].shown);
	assert_int_equal(l.pane[PANE_TEXT].h, 7);
}

/* The pair view: side by side at 120x40 with Hex under Text, stacked
 * and Text only at 80x24. */
static void
test_pair(void **state)
{
	struct layout	l;

	(void)state;
	layout_compute(&l, 120, 40, VIEW_PAIR);
	check_sane(&l);
	assert_true(l.pane[PANE_TEXT].shown && l.pane[PANE_TEXT_B].shown);
	assert_int_equal(l.pane[PANE_TEXT].y, l.pane[PANE_TEXT_B].y);
	assert_int_equal(l.pane[PANE_TEXT].x, 0);
	assert_int_equal(l.pane[PANE_TEXT_B].x, 60);
	assert_int_equal(l.pane[PANE_TEXT_B].x + l.pane[PANE_TEXT_B].w, 120);
	assert_true(l.pane[PANE_HEX].shown && l.pane[PANE_HEX_B].shown);
	assert_true(l.pane[PANE_HEX].y > l.pane[PANE_TEXT].y);
	assert_int_equal(l.hex_per_row, 8);
	assert_true(l.pane[PANE_EVENTS].shown);
	assert_int_equal(l.pane[PANE_EVENTS].w, 120);

	layout_compute(&l, 80, 24, VIEW_PAIR);
	check_sane(&l);
	assert_true(l.pane[PANE_TEXT].shown && l.pane[PANE_TEXT_B].shown);
	assert_false(l.pane[PANE_HEX].shown || l.pane[PANE_HEX_B].shown);
	assert_int_equal(l.pane[PANE_TEXT].x, 0);
	assert_int_equal(l.pane[PANE_TEXT_B].x, 0);
	assert_int_equal(l.pane[PANE_TEXT_B].y,
	    l.pane[PANE_TEXT].y + l.pane[PANE_TEXT].h);
	assert_true(l.pane[PANE_TEXT].h >= 10 && l.pane[PANE_TEXT_B].h >= 10);

	layout_compute(&l, 200, 60, VIEW_PAIR);
	check_sane(&l);
	assert_int_equal(l.hex_per_row, 16);

	assert_false(layout_pane_is_b(PANE_TEXT));
	assert_true(layout_pane_is_b(PANE_TEXT_B));
	assert_true(layout_pane_is_b(PANE_HEX_B));
	assert_string_equal(layout_pane_name(PANE_TEXT_B), "Text");
	assert_string_equal(layout_pane_name(PANE_HEX_B), "Hex");
}

/* Which two connections /view pair shows. */
static void
test_pair_pick(void **state)
{
	/* L1 on :5000; #1 connected to it, #2 its accepted end; #3 an
	 * unrelated connection; #4 a second client of L1 (#5 its end). */
	const struct layout_end	ends[] = {
		{ 1, "127.0.0.1:40001", "127.0.0.1:5000" },
		{ 2, "127.0.0.1:5000", "127.0.0.1:40001" },
		{ 3, "127.0.0.1:40003", "10.0.0.9:80" },
		{ 4, "127.0.0.1:40004", "127.0.0.1:5000" },
		{ 5, "127.0.0.1:5000", "127.0.0.1:40004" },
	};
	int	a, b;

	(void)state;
	/* Focus on either end: the two ends, older one first. */
	assert_int_equal(layout_pair_pick(ends, 2, 2, 0, 0, &a, &b), 2);
	assert_true(a == 1 && b == 2);
	assert_int_equal(layout_pair_pick(ends, 2, 1, 0, 0, &a, &b), 2);
	assert_true(a == 1 && b == 2);
	/* Among others, the partner is found by address, not by age. */
	assert_int_equal(layout_pair_pick(ends, 5, 1, 0, 0, &a, &b), 2);
	assert_true(a == 1 && b == 2);
	assert_int_equal(layout_pair_pick(ends, 5, 5, 0, 0, &a, &b), 2);
	assert_true(a == 4 && b == 5);
	/* No partner: the focused one and the most recent other. */
	assert_int_equal(layout_pair_pick(ends, 5, 3, 0, 0, &a, &b), 2);
	assert_true(a == 3 && b == 5);
	/* No focus: the most recent one and its partner. */
	assert_int_equal(layout_pair_pick(ends, 5, 0, 0, 0, &a, &b), 2);
	assert_true(a == 4 && b == 5);
	/* Given ids are kept, in the order given. */
	assert_int_equal(layout_pair_pick(ends, 5, 1, 3, 1, &a, &b), 2);
	assert_true(a == 3 && b == 1);
	/* Only #A given: #A on the left, its other end on the right. */
	assert_int_equal(layout_pair_pick(ends, 5, 3, 5, 0, &a, &b), 2);
	assert_true(a == 5 && b == 4);
	/* One connection, or none. */
	assert_int_equal(layout_pair_pick(ends, 1, 1, 0, 0, &a, &b), 1);
	assert_true(a == 1 && b == 0);
	assert_int_equal(layout_pair_pick(ends, 0, 0, 0, 0, &a, &b), 0);
	assert_true(a == 0 && b == 0);
	/* Unknown addresses ("") never match each other. */
	{
		const struct layout_end	e2[] = {
			{ 1, "", "" }, { 2, "", "" }, { 3, "", "" }
		};

		assert_int_equal(layout_pair_pick(e2, 3, 1, 0, 0, &a, &b), 2);
		assert_true(a == 1 && b == 3);
	}
}

static void
test_hex_width(void **state)
{
	(void)state;
	/* hexdump -C: 78 columns for 16 bytes. */
	assert_int_equal(layout_hex_width(16), 78);
	assert_int_equal(layout_hex_width(8), 45);
	assert_string_equal(layout_pane_name(PANE_EVENTS), "Events");
}

/* Title-bar fields are dropped whole, by priority, never cut. */
static void
test_fit_fields(void **state)
{
	/* "#1" "ESTABLISHED" "in 61 B/1" "out 61 B" "recv(4096)" "auto" */
	const int	width[] = { 2, 11, 9, 8, 10, 4 };
	const int	prio[] = { 95, 100, 80, 75, 45, 40 };
	const int	sep[] = { 2, 2, 2, 2, 2, 1 };
	int		shown[6], cols;

	(void)state;
	cols = layout_fit_fields(width, sep, prio, 6, 80, shown);
	assert_int_equal(cols, 2 + 11 + 9 + 8 + 10 + 4 + 4 * 2 + 1);
	assert_true(shown[0] && shown[1] && shown[4] && shown[5]);

	/* 40 columns: "auto" then "recv(4096)" go; the numbers stay whole. */
	cols = layout_fit_fields(width, sep, prio, 6, 40, shown);
	assert_true(cols <= 40);
	assert_false(shown[5]);
	assert_false(shown[4]);
	assert_true(shown[0] && shown[1] && shown[2] && shown[3]);

	/* Ties: the later field goes first. */
	{
		const int	w2[] = { 5, 5, 5 }, p2[] = { 1, 1, 1 };
		const int	s2[] = { 1, 1, 1 };

		cols = layout_fit_fields(w2, s2, p2, 3, 11, shown);
		assert_int_equal(cols, 11);
		assert_true(shown[0] && shown[1]);
		assert_false(shown[2]);
	}

	/* The first field shown has no separator before it. */
	{
		const int	w3[] = { 5, 5 }, p3[] = { 1, 2 }, s3[] = { 3, 3 };

		cols = layout_fit_fields(w3, s3, p3, 2, 7, shown);
		assert_int_equal(cols, 5);
		assert_false(shown[0]);
		assert_true(shown[1]);
	}

	/* The state word is the last to go, alone when nothing else fits. */
	cols = layout_fit_fields(width, sep, prio, 6, 12, shown);
	assert_int_equal(cols, 11);
	assert_true(shown[1]);
	assert_false(shown[0] || shown[2] || shown[3] || shown[4] || shown[5]);

	/* Not even that: nothing is shown rather than a cut word. */
	cols = layout_fit_fields(width, sep, prio, 6, 5, shown);
	assert_int_equal(cols, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tiers),
		cmocka_unit_test(test_views),
		cmocka_unit_test(test_every_size),
		cmocka_unit_test(test_lab),
		cmocka_unit_test(test_pair),
		cmocka_unit_test(test_pair_pick),
		cmocka_unit_test(test_hex_width),
		cmocka_unit_test(test_fit_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
