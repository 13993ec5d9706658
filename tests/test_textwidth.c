/*
 * test_textwidth.c: the input line's display units under C.UTF-8: widths,
 * lengths and drawn forms of ASCII, accented, wide and emoji characters,
 * combining marks, controls, invalid and cut-short bytes, C1 and bidi
 * controls; column sums over mixed strings; and stepping back to a unit
 * start, checked against a forward walk.  Exits 77 (skip) when the
 * C.UTF-8 locale is missing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/textwidth.h"

/* Check one unit at the start of s (n bytes): length, columns, drawn form. */
static void
check_unit(const char *s, size_t n, size_t want_len, int want_cols,
    const char *want_buf)
{
	char	buf[32];
	size_t	len = 99;
	int	cols;

	memset(buf, 'Z', sizeof buf);
	cols = textwidth_unit(s, n, &len, buf);
	assert_int_equal(len, want_len);
	assert_int_equal(cols, want_cols);
	assert_string_equal(buf, want_buf);

	/* Without a buffer the answer is the same. */
	len = 99;
	assert_int_equal(textwidth_unit(s, n, &len, NULL), want_cols);
	assert_int_equal(len, want_len);
}

/* The drawn forms of s joined, as prompt.c would draw them. */
static void
drawn(const char *s, size_t n, char *out, size_t outsz)
{
	char	buf[32];
	size_t	i = 0, len, used = 0;

	out[0] = '\0';
	while (i < n) {
		textwidth_unit(s + i, n - i, &len, buf);
		assert_true(used + strlen(buf) < outsz);
		strcpy(out + used, buf);
		used += strlen(buf);
		i += len;
	}
}

/* Printable ASCII is one byte, one column, drawn as itself. */
static void
test_ascii(void **state)
{
	(void)state;
	check_unit("a", 1, 1, 1, "a");
	check_unit("hello", 5, 1, 1, "h");
	check_unit(" ", 1, 1, 1, " ");
	check_unit("~", 1, 1, 1, "~");
	check_unit("\\", 1, 1, 1, "\\");
	assert_int_equal(textwidth_cols("hello world", 11), 11);
	assert_int_equal(textwidth_cols("hello world", 5), 5);
	assert_int_equal(textwidth_cols("", 0), 0);
}

/* No bytes: no unit. */
static void
test_empty(void **state)
{
	char	buf[32] = "x";
	size_t	len = 99;

	(void)state;
	assert_int_equal(textwidth_unit("", 0, &len, buf), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
}

/* A two-byte Latin letter is one column. */
static void
test_accented(void **state)
{
	(void)state;
	/* é is U+00E9: two bytes, one column. */
	check_unit("\xc3\xa9", 2, 2, 1, "\xc3\xa9");
	check_unit("\xc3\xa9t\xc3\xa9", 6, 2, 1, "\xc3\xa9");
	assert_int_equal(textwidth_cols("h\xc3\xa9llo", 6), 5);
	/* NBSP is printable. */
	check_unit("\xc2\xa0", 2, 2, 1, "\xc2\xa0");
}

/* CJK and fullwidth characters are two columns. */
static void
test_wide(void **state)
{
	(void)state;
	/* 日本: three bytes and two columns each. */
	check_unit("\xe6\x97\xa5\xe6\x9c\xac", 6, 3, 2, "\xe6\x97\xa5");
	check_unit("\xe6\x9c\xac", 3, 3, 2, "\xe6\x9c\xac");
	assert_int_equal(textwidth_cols("\xe6\x97\xa5\xe6\x9c\xac", 6), 4);
	/* A fullwidth Latin letter. */
	check_unit("\xef\xbc\xa1", 3, 3, 2, "\xef\xbc\xa1");
}

/* An emoji is four bytes and two columns. */
static void
test_emoji(void **state)
{
	(void)state;
	/* U+1F600 grinning face: four bytes, two columns. */
	check_unit("\xf0\x9f\x98\x80", 4, 4, 2, "\xf0\x9f\x98\x80");
	assert_int_equal(textwidth_cols("a\xf0\x9f\x98\x80" "b", 6), 4);
}

/* Zero-width and format characters are drawn as bytes. */
static void
test_combining(void **state)
{
	(void)state;
	/* U+0301 combining acute: zero width, so drawn as bytes. */
	check_unit("\xcc\x81", 2, 2, 8, "\\xcc\\x81");
	assert_int_equal(textwidth_cols("e\xcc\x81", 3), 9);
	/* Zero-width joiner, BOM and soft hyphen never go through raw. */
	check_unit("\xe2\x80\x8d", 3, 3, 12, "\\xe2\\x80\\x8d");
	check_unit("\xef\xbb\xbf", 3, 3, 12, "\\xef\\xbb\\xbf");
	check_unit("\xc2\xad", 2, 2, 8, "\\xc2\\xad");
	/* Line separator U+2028. */
	check_unit("\xe2\x80\xa8", 3, 3, 12, "\\xe2\\x80\\xa8");
}

/* C0 controls and DEL are drawn as ^X. */
static void
test_controls(void **state)
{
	(void)state;
	check_unit("\x01", 1, 1, 2, "^A");
	check_unit("\x1b[31m", 5, 1, 2, "^[");
	check_unit("\n", 1, 1, 2, "^J");
	check_unit("\r", 1, 1, 2, "^M");
	check_unit("\t", 1, 1, 2, "^I");
	check_unit("\x1f", 1, 1, 2, "^_");
	check_unit("\0", 1, 1, 2, "^@");
	check_unit("\x7f", 1, 1, 2, "^?");
	assert_int_equal(textwidth_cols("a\x1b[31mb", 7), 8);
}

/* C1 controls, encoded or raw, are drawn as bytes. */
static void
test_c1(void **state)
{
	(void)state;
	/* U+0085 NEL and U+009B CSI, validly encoded: bytes, not characters. */
	check_unit("\xc2\x85", 2, 2, 8, "\\xc2\\x85");
	check_unit("\xc2\x9b" "31m", 5, 2, 8, "\\xc2\\x9b");
	/* A raw C1 byte is invalid UTF-8. */
	check_unit("\x9b", 1, 1, 4, "\\x9b");
}

/* Invalid, overlong, surrogate and too-large sequences are bytes. */
static void
test_invalid(void **state)
{
	(void)state;
	check_unit("\xff", 1, 1, 4, "\\xff");
	check_unit("\xff" "abc", 4, 1, 4, "\\xff");
	check_unit("\x80", 1, 1, 4, "\\x80");
	/* Overlong '/' and a surrogate: each byte on its own. */
	check_unit("\xc0\xaf", 2, 1, 4, "\\xc0");
	assert_int_equal(textwidth_cols("\xc0\xaf", 2), 8);
	check_unit("\xed\xa0\x80", 3, 1, 4, "\\xed");
	assert_int_equal(textwidth_cols("\xed\xa0\x80", 3), 12);
	/* Beyond U+10FFFF. */
	assert_int_equal(textwidth_cols("\xf4\x90\x80\x80", 4), 16);
}

/* A sequence cut short is drawn byte by byte. */
static void
test_truncated(void **state)
{
	char	out[128];

	(void)state;
	/* 日 cut short at the end of the buffer. */
	check_unit("\xe6\x97", 2, 1, 4, "\\xe6");
	assert_int_equal(textwidth_cols("a\xe6\x97", 3), 9);
	drawn("a\xe6\x97", 3, out, sizeof out);
	assert_string_equal(out, "a\\xe6\\x97");
	/* Cut short by an ASCII byte: the ASCII byte survives. */
	drawn("\xe6\x97" "a", 3, out, sizeof out);
	assert_string_equal(out, "\\xe6\\x97a");
	/* n cuts a valid character: what is left counts as cut short. */
	assert_int_equal(textwidth_cols("\xe6\x97\xa5", 2), 8);
	assert_int_equal(textwidth_cols("\xe6\x97\xa5", 3), 2);
}

/* Bidi controls never reach the terminal. */
static void
test_bidi(void **state)
{
	char	out[128];

	(void)state;
	/* U+202E right-to-left override. */
	check_unit("\xe2\x80\xae", 3, 3, 12, "\\xe2\\x80\\xae");
	check_unit("\xe2\x80\xaa", 3, 3, 12, "\\xe2\\x80\\xaa");
	/* U+2066 left-to-right isolate, U+2069 pop directional isolate. */
	check_unit("\xe2\x81\xa6", 3, 3, 12, "\\xe2\\x81\\xa6");
	check_unit("\xe2\x81\xa9", 3, 3, 12, "\\xe2\\x81\\xa9");
	/* U+200E/U+200F marks, U+061C Arabic letter mark. */
	check_unit("\xe2\x80\x8e", 3, 3, 12, "\\xe2\\x80\\x8e");
	check_unit("\xe2\x80\x8f", 3, 3, 12, "\\xe2\\x80\\x8f");
	check_unit("\xd8\x9c", 2, 2, 8, "\\xd8\\x9c");
	drawn("ab\xe2\x80\xae" "cd", 7, out, sizeof out);
	assert_string_equal(out, "ab\\xe2\\x80\\xaecd");
}

/* Columns add up over a string of every kind of unit. */
static void
test_cols_mixed(void **state)
{
	const char	*s = "a\x01\xc3\xa9\xe6\x97\xa5\xff" "b\xcc\x81\x7f";
	char		 out[128];

	(void)state;
	/* a=1 ^A=2 é=1 日=2 \xff=4 b=1 U+0301=8 ^?=2 */
	assert_int_equal(textwidth_cols(s, strlen(s)), 21);
	assert_int_equal(textwidth_cols(s, 1), 1);
	assert_int_equal(textwidth_cols(s, 4), 4);
	assert_int_equal(textwidth_cols(s, 7), 6);
	drawn(s, strlen(s), out, sizeof out);
	assert_string_equal(out,
	    "a^A\xc3\xa9\xe6\x97\xa5\\xffb\\xcc\\x81^?");
	/* The drawn form is as wide as the columns say, and only ASCII or
	 * printable characters. */
	assert_int_equal(textwidth_cols(out, strlen(out)),
	    textwidth_cols(s, strlen(s)));
}

/* Unit starts by walking forward from 0: starts[i] for every byte. */
static void
forward_starts(const char *s, size_t n, size_t *starts)
{
	size_t	i = 0, j, len;

	while (i < n) {
		textwidth_unit(s + i, n - i, &len, NULL);
		for (j = i; j < i + len; j++)
			starts[j] = i;
		i += len;
	}
}

/* textwidth_start() agrees with a forward walk at every position. */
static void
check_starts(const char *s, size_t n)
{
	size_t	*starts = malloc((n + 1) * sizeof *starts);
	size_t	 i;

	assert_non_null(starts);
	forward_starts(s, n, starts);
	for (i = 0; i < n; i++)
		assert_int_equal(textwidth_start(s, n, i), starts[i]);
	assert_int_equal(textwidth_start(s, n, n), n);
	assert_int_equal(textwidth_start(s, n, n + 5), n);
	free(starts);
}

/* Stepping back finds the same unit starts as a forward walk. */
static void
test_start(void **state)
{
	static const char mixed[] = "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac "
	    "\xf0\x9f\x98\x80\xcc\x81\xe2\x80\xae\xff\xe6\x97";
	const char	*s = "a\xe6\x97\xa5" "b";
	unsigned char	 r[4096];
	size_t		 i;
	unsigned int	 seed = 12345;

	(void)state;
	assert_int_equal(textwidth_start(s, 5, 0), 0);
	assert_int_equal(textwidth_start(s, 5, 1), 1);
	assert_int_equal(textwidth_start(s, 5, 2), 1);
	assert_int_equal(textwidth_start(s, 5, 3), 1);
	assert_int_equal(textwidth_start(s, 5, 4), 4);
	assert_int_equal(textwidth_start(s, 5, 5), 5);

	/* A run of continuation bytes is all separate units. */
	assert_int_equal(textwidth_start("\x80\x80\x80\x80\x80", 5, 3), 3);
	/* An emoji followed by a stray continuation byte. */
	assert_int_equal(textwidth_start("\xf0\x9f\x98\x80\x80", 5, 4), 4);
	assert_int_equal(textwidth_start("\xf0\x9f\x98\x80\x80", 5, 3), 0);
	/* A surrogate's bytes are separate units. */
	assert_int_equal(textwidth_start("\xed\xa0\x80", 3, 1), 1);
	assert_int_equal(textwidth_start("\xed\xa0\x80", 3, 2), 2);

	check_starts(mixed, sizeof mixed - 1);

	/* Random bytes biased to UTF-8 lead and continuation bytes. */
	for (i = 0; i < sizeof r; i++) {
		seed = seed * 1103515245 + 12345;
		switch ((seed >> 16) % 4) {
		case 0:
			r[i] = 'a' + (seed >> 20) % 26;
			break;
		case 1:
			r[i] = 0x80 + (seed >> 20) % 64;
			break;
		case 2:
			r[i] = 0xc2 + (seed >> 20) % 51;
			break;
		default:
			r[i] = (seed >> 20) & 0xff;
			break;
		}
	}
	check_starts((const char *)r, sizeof r);
}

/* In the C locale every byte >= 0x80 is escaped alone. */
static void
test_c_locale(void **state)
{
	char	*saved;

	(void)state;
	saved = strdup(setlocale(LC_ALL, NULL));
	assert_non_null(saved);
	assert_non_null(setlocale(LC_ALL, "C"));
	/* Without UTF-8 every high byte is escaped on its own. */
	check_unit("\xc3\xa9", 2, 1, 4, "\\xc3");
	assert_int_equal(textwidth_cols("h\xc3\xa9", 3), 9);
	assert_int_equal(textwidth_start("\xc3\xa9", 2, 1), 1);
	check_unit("\x01", 1, 1, 2, "^A");
	check_unit("a", 1, 1, 1, "a");
	assert_non_null(setlocale(LC_ALL, saved));
	free(saved);
	check_unit("\xc3\xa9", 2, 2, 1, "\xc3\xa9");
}

/* Run the tests under C.UTF-8, or skip. */
/* Wrapping help and messages: after the last space that fits, inside a
 * word only when it is longer than a row, never inside a unit. */
static void
test_wrap(void **state)
{
	const char	*s = "/recv [N]  call recv() once";

	(void)state;
	assert_int_equal(textwidth_wrap(s, strlen(s), 80), strlen(s));
	assert_int_equal(textwidth_wrap(s, strlen(s), 12), 11);
	assert_int_equal(textwidth_wrap(s, strlen(s), 10), 10);
	assert_int_equal(textwidth_wrap("abcdefgh", 8, 3), 3);
	/* A wide character is not split; one wider than the row still goes. */
	assert_int_equal(textwidth_wrap("a\xe4\xb8\xad", 4, 2), 1);
	assert_int_equal(textwidth_wrap("\xe4\xb8\xad", 3, 1), 3);
	/* "\x1b" is one 2-column unit ("^["). */
	assert_int_equal(textwidth_wrap("ab\x1b", 3, 3), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_accented),
		cmocka_unit_test(test_wide),
		cmocka_unit_test(test_emoji),
		cmocka_unit_test(test_combining),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_c1),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bidi),
		cmocka_unit_test(test_cols_mixed),
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_c_locale),
		cmocka_unit_test(test_wrap),
	};

	if (setlocale(LC_ALL, "C.UTF-8") == NULL &&
	    setlocale(LC_ALL, "C.utf8") == NULL) {
		printf("# SKIP: the C.UTF-8 locale is not available\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
