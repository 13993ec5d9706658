/*
 * test_util.c: cmocka tests for the growable buffer of util.c: appending
 * bytes, strings and formatted text, and the decimal helpers
 * (sbuf_add_u64(), sbuf_add_u64_pad(), sbuf_add_i64()) that the transcript
 * uses per chunk instead of printf, each checked against snprintf() for
 * edge values and a few thousand pseudo-random ones.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "sockscope/util.h"

/* Numbers at the edges: each digit count, and the ends of the type. */
static const uint64_t test_edges[] = {
	0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 4095, 4096, 65535, 65536,
	999999, 1000000, 1000001, 2147483647, 2147483648ULL, 4294967295ULL,
	4294967296ULL, 9007199254740992ULL, 999999999999999999ULL,
	1000000000000000000ULL, 9999999999999999999ULL,
	10000000000000000000ULL, INT64_MAX, (uint64_t)INT64_MAX + 1,
	UINT64_MAX - 1, UINT64_MAX
};

/* The next of a fixed pseudo-random sequence (xorshift64*). */
static uint64_t
test_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* A pseudo-random number of a random digit count, so short ones are as
 * likely as long ones. */
static uint64_t
test_rand_digits(uint64_t *s)
{
	uint64_t	n = test_rand(s);
	unsigned int	shift = (unsigned int)(test_rand(s) % 64);

	return n >> shift;
}

/* Check that b holds exactly want, NUL-terminated. */
static void
test_holds(const struct sbuf *b, const char *want)
{
	assert_non_null(b->p);
	assert_int_equal(b->len, strlen(want));
	assert_memory_equal(b->p, want, b->len);
	assert_int_equal(b->p[b->len], '\0');
}

/* Check sbuf_add_u64() of n against "%" PRIu64, alone and after text. */
static void
test_check_u64(uint64_t n)
{
	struct sbuf	b = { 0 };
	char		want[64];

	snprintf(want, sizeof want, "%" PRIu64, n);
	sbuf_add_u64(&b, n);
	test_holds(&b, want);
	sbuf_reset(&b);
	snprintf(want, sizeof want, "x=%" PRIu64 ";", n);
	sbuf_adds(&b, "x=");
	sbuf_add_u64(&b, n);
	sbuf_addc(&b, ';');
	test_holds(&b, want);
	sbuf_free(&b);
}

/* Check sbuf_add_u64_pad() of n against "%0*" PRIu64. */
static void
test_check_pad(uint64_t n, int width)
{
	struct sbuf	b = { 0 };
	char		want[64];

	snprintf(want, sizeof want, "%0*" PRIu64, width, n);
	sbuf_add_u64_pad(&b, n, width);
	test_holds(&b, want);
	sbuf_free(&b);
}

/* Check sbuf_add_i64() of n against "%" PRId64. */
static void
test_check_i64(int64_t n)
{
	struct sbuf	b = { 0 };
	char		want[64];

	snprintf(want, sizeof want, "%" PRId64, n);
	sbuf_add_i64(&b, n);
	test_holds(&b, want);
	sbuf_free(&b);
}

/* sbuf_add, sbuf_addc, sbuf_adds and sbuf_printf append; reset empties. */
static void
test_sbuf_basics(void **state)
{
	struct sbuf	b = { 0 };

	(void)state;
	sbuf_add(&b, "ab", 2);
	sbuf_addc(&b, 'c');
	sbuf_adds(&b, "de");
	sbuf_add(&b, "", 0);
	sbuf_printf(&b, "%d%s", 42, "!");
	test_holds(&b, "abcde42!");
	sbuf_reset(&b);
	test_holds(&b, "");
	sbuf_adds(&b, "x");
	test_holds(&b, "x");
	sbuf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

/* Unsigned decimals: every edge, and pseudo-random values of every length. */
static void
test_add_u64(void **state)
{
	uint64_t	s = 0x9e3779b97f4a7c15ULL, n;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof test_edges / sizeof test_edges[0]; i++)
		test_check_u64(test_edges[i]);
	/* Every power of ten and its neighbours. */
	for (n = 1; n <= UINT64_MAX / 10; n *= 10) {
		test_check_u64(n - 1);
		test_check_u64(n);
		test_check_u64(n + 1);
	}
	for (i = 0; i < 5000; i++)
		test_check_u64(test_rand_digits(&s));
}

/* Zero-padded decimals as "%06" PRIu64 gives them (transcript times);
 * a number longer than the width is not cut. */
static void
test_add_u64_pad(void **state)
{
	struct sbuf	b = { 0 };
	uint64_t	s = 0x0123456789abcdefULL;
	size_t		i;
	int		w;

	(void)state;
	for (w = 0; w <= 20; w++) {
		for (i = 0; i < sizeof test_edges / sizeof test_edges[0]; i++)
			test_check_pad(test_edges[i], w);
	}
	for (i = 0; i < 2000; i++)
		test_check_pad(test_rand_digits(&s), (int)(i % 8));
	test_check_pad(5, 6);
	test_check_pad(999999, 6);
	test_check_pad(1234567, 6);
	/* A negative width means none (printf would pad with spaces on the
	 * right); widths past 20 digits stop at 20. */
	sbuf_add_u64_pad(&b, 7, -3);
	test_holds(&b, "7");
	sbuf_reset(&b);
	sbuf_add_u64_pad(&b, 7, 40);
	test_holds(&b, "00000000000000000007");
	sbuf_free(&b);
}

/* Signed decimals, both ends included (INT64_MIN has no positive twin). */
static void
test_add_i64(void **state)
{
	static const int64_t	edges[] = {
		0, 1, -1, 9, -9, 10, -10, 2147483647, -2147483647 - 1,
		INT64_MAX, INT64_MIN, INT64_MIN + 1, -1000000
	};
	uint64_t		s = 0xfeedfacecafebeefULL;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof edges / sizeof edges[0]; i++)
		test_check_i64(edges[i]);
	for (i = 0; i < 5000; i++)
		test_check_i64((int64_t)test_rand_digits(&s) *
		    (i % 2 == 0 ? 1 : -1));
}

/* Many numbers in one buffer, across its growth, equal what snprintf
 * writes one after another. */
static void
test_add_many(void **state)
{
	struct sbuf	b = { 0 }, want = { 0 };
	uint64_t	s = 42, n;
	size_t		i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		n = test_rand_digits(&s);
		switch (i % 3) {
		case 0:
			sbuf_add_u64(&b, n);
			sbuf_printf(&want, "%" PRIu64, n);
			break;
		case 1:
			sbuf_add_i64(&b, (int64_t)n);
			sbuf_printf(&want, "%" PRId64, (int64_t)n);
			break;
		default:
			sbuf_add_u64_pad(&b, n % 1000000, 6);
			sbuf_printf(&want, "%06" PRIu64, n % 1000000);
			break;
		}
		sbuf_addc(&b, ' ');
		sbuf_addc(&want, ' ');
	}
	assert_int_equal(b.len, want.len);
	assert_memory_equal(b.p, want.p, b.len);
	assert_int_equal(b.p[b.len], '\0');
	sbuf_free(&b);
	sbuf_free(&want);
}

/* Run the util tests. */
int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_sbuf_basics),
		cmocka_unit_test(test_add_u64),
		cmocka_unit_test(test_add_u64_pad),
		cmocka_unit_test(test_add_i64),
		cmocka_unit_test(test_add_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
