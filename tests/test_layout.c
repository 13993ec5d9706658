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
			for (v = 0; v < 3; v++) {
				layout_compute(&l, c, r, v);
				check_sane(&l);
				if (l.tier != LAYOUT_TINY)
					assert_true(l.pane[PANE_HEX].shown ||
					    l.pane[PANE_TEXT].shown);
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
		cmocka_unit_test(test_hex_width),
		cmocka_unit_test(test_fit_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
