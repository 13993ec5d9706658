/*
 * test_textesc.c: checks that every class of hostile input comes out
 * escaped, that valid text stays as itself, that the strict UTF-8 decoder
 * accepts exactly the shortest-form scalar values, that Text pane rows wrap
 * without splitting a character or an escape, and fuzzes all of it.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sockscope/textesc.h"
#include "sockscope/util.h"

/* Rows collected from textesc_text_rows(), joined by '\n'. */
struct test_rows {
	struct sbuf	all;
	size_t		count;
};

/* Step a fixed xorshift generator. */
static uint32_t
test_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Encode cp (any value up to U+10FFFF, surrogates too) as UTF-8 into p. */
static size_t
test_encode(uint32_t cp, unsigned char *p)
{
	if (cp < 0x80) {
		p[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (unsigned char)(0xc0 | (cp >> 6));
		p[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (unsigned char)(0xe0 | (cp >> 12));
		p[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		p[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	p[0] = (unsigned char)(0xf0 | (cp >> 18));
	p[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	p[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	p[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Quote n bytes into a fresh string; the caller frees it. */
static char *
test_quote(const char *p, size_t n, int utf8)
{
	struct sbuf	b = { 0 };

	textesc_quote(&b, p, n, utf8);
	if (b.p == NULL)
		return xstrdup("");
	return b.p;
}

/* Assert that quoting the n bytes at p gives want. */
static void
test_quote_is(const char *p, size_t n, int utf8, const char *want)
{
	char	*got = test_quote(p, n, utf8);

	assert_string_equal(got, want);
	free(got);
}

/* Collect one row: check its length and append it to the list. */
static void
test_collect(const char *row, size_t len, void *arg)
{
	struct test_rows	*r = arg;

	assert_int_equal(strlen(row), len);
	if (r->count != 0)
		sbuf_addc(&r->all, '\n');
	sbuf_add(&r->all, row, len);
	r->count++;
}

/* Render p as Text pane rows and assert the joined rows and their count. */
static void
test_rows_are(const char *p, size_t n, size_t wrap, size_t count,
    const char *want)
{
	struct test_rows	r = { { 0 }, 0 };
	size_t			got;

	got = textesc_text_rows((const unsigned char *)p, n, wrap,
	    test_collect, &r);
	assert_int_equal(got, r.count);
	assert_string_equal(r.all.p == NULL ? "" : r.all.p, want);
	assert_int_equal(got, count);
	assert_int_equal(textesc_text_rows((const unsigned char *)p, n, wrap,
	    NULL, NULL), count);
	sbuf_free(&r.all);
}

/*
 * Check that s (n bytes) is safe for the terminal: no C0 control or DEL,
 * only valid UTF-8 of printable code points; return its display width.
 */
static size_t
test_check_safe(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 i, len, width = 0;

	/* Plain ifs: a cmocka assert per byte makes valgrind runs crawl. */
	for (i = 0; i < n; i += len) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			fail_msg("control byte 0x%02x in output", p[i]);
		len = textesc_utf8_decode(p + i, n - i, &cp);
		if (len == 0)
			fail_msg("invalid UTF-8 at byte %zu of output", i);
		if (!textesc_printable(cp))
			fail_msg("unprintable U+%04X in output",
			    (unsigned int)cp);
		width += (size_t)textesc_width(cp);
	}
	return width;
}

/*
 * Undo the escaping of n bytes of s into out; fails the test if s holds a
 * backslash that does not start one of the escapes textesc writes.
 */
static void
test_unescape(struct sbuf *out, const char *s, size_t n)
{
	size_t	i;
	char	hex[3];

	for (i = 0; i < n; i++) {
		if (s[i] != '\\') {
			sbuf_addc(out, s[i]);
			continue;
		}
		if (i + 1 == n)
			fail_msg("backslash at the end of \"%s\"", s);
		switch (s[++i]) {
		case '\\':
			sbuf_addc(out, '\\');
			break;
		case 'r':
			sbuf_addc(out, '\r');
			break;
		case 'n':
			sbuf_addc(out, '\n');
			break;
		case 't':
			sbuf_addc(out, '\t');
			break;
		case 'x':
			if (i + 2 >= n)
				fail_msg("short \\x escape in \"%s\"", s);
			hex[0] = s[i + 1];
			hex[1] = s[i + 2];
			hex[2] = '\0';
			if (strspn(hex, "0123456789abcdef") != 2)
				fail_msg("bad \\x escape in \"%s\"", s);
			sbuf_addc(out, (char)strtoul(hex, NULL, 16));
			i += 2;
			break;
		default:
			fail_msg("stray backslash in \"%s\"", s);
		}
	}
}

/* Valid sequences of each length decode to their code points. */
static void
test_decode_valid(void **state)
{
	static const struct {
		const char	*s;
		size_t		 len;
		uint32_t	 cp;
	} t[] = {
		{ "A", 1, 0x41 },
		{ "\x00", 1, 0 },
		{ "\x7f", 1, 0x7f },
		{ "\xc2\x80", 2, 0x80 },
		{ "\xc3\xa9", 2, 0xe9 },
		{ "\xdf\xbf", 2, 0x7ff },
		{ "\xe0\xa0\x80", 3, 0x800 },
		{ "\xe2\x82\xac", 3, 0x20ac },
		{ "\xed\x9f\xbf", 3, 0xd7ff },
		{ "\xee\x80\x80", 3, 0xe000 },
		{ "\xef\xbf\xbf", 3, 0xffff },
		{ "\xf0\x90\x80\x80", 4, 0x10000 },
		{ "\xf0\x9f\x98\x80", 4, 0x1f600 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
	};
	uint32_t	cp;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cp = 0xdeadbeef;
		assert_int_equal(textesc_utf8_decode(
		    (const unsigned char *)t[i].s, t[i].len, &cp), t[i].len);
		assert_int_equal(cp, t[i].cp);
		/* Trailing bytes are not consumed. */
		assert_int_equal(textesc_utf8_decode(
		    (const unsigned char *)t[i].s, 4, &cp), t[i].len);
	}
}

/* Overlong, surrogate, out-of-range, stray and truncated input is refused. */
static void
test_decode_invalid(void **state)
{
	static const struct {
		const char	*s;
		size_t		 n;
	} t[] = {
		{ "", 0 },
		{ "\x80", 1 },			/* stray continuation */
		{ "\xbf\x80", 2 },
		{ "\xc0\xaf", 2 },		/* overlong '/' */
		{ "\xc1\xbf", 2 },
		{ "\xe0\x80\xaf", 3 },		/* overlong '/' */
		{ "\xe0\x9f\xbf", 3 },		/* overlong U+07FF */
		{ "\xf0\x80\x80\xaf", 4 },	/* overlong '/' */
		{ "\xf0\x8f\xbf\xbf", 4 },	/* overlong U+FFFF */
		{ "\xed\xa0\x80", 3 },		/* U+D800 */
		{ "\xed\xbf\xbf", 3 },		/* U+DFFF */
		{ "\xf4\x90\x80\x80", 4 },	/* U+110000 */
		{ "\xf5\x80\x80\x80", 4 },
		{ "\xf8\x88\x80\x80\x80", 5 },
		{ "\xfe", 1 },
		{ "\xff", 1 },
		{ "\xc3", 1 },			/* truncated */
		{ "\xe2\x82", 2 },
		{ "\xf0\x9f\x98", 3 },
		{ "\xc3\x41", 2 },		/* bad continuation */
		{ "\xe2\x41\xac", 3 },
		{ "\xe2\x82\x41", 3 },
		{ "\xf0\x9f\x98\xc0", 4 },
	};
	uint32_t	cp;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_int_equal(textesc_utf8_decode(
		    (const unsigned char *)t[i].s, t[i].n, &cp), 0);
	}
	/* A valid sequence cut short by n is refused too. */
	assert_int_equal(textesc_utf8_decode(
	    (const unsigned char *)"\xf0\x9f\x98\x80", 3, &cp), 0);
}

/*
 * Every scalar value round-trips and every truncation of it is refused;
 * every accepted 2- and 3-byte sequence (all of them are tried) and sampled
 * 4-byte sequence re-encodes to itself, so nothing but shortest forms of
 * scalar values gets through.
 */
static void
test_decode_exhaustive(void **state)
{
	unsigned char	b[4], e[4];
	uint32_t	cp, got;
	size_t		len, k, accepted;
	unsigned int	a, c, d, f;
	static const unsigned char	tails[] = { 0x00, 0x7f, 0x80, 0x9f,
	    0xa0, 0xbf, 0xc0, 0xff };

	(void)state;
	for (cp = 0; cp <= 0x10ffff; cp++) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		len = test_encode(cp, b);
		assert_int_equal(textesc_utf8_decode(b, len, &got), len);
		assert_int_equal(got, cp);
		for (k = 0; k < len; k++)
			assert_int_equal(textesc_utf8_decode(b, k, &got), 0);
	}

	accepted = 0;
	for (a = 0x80; a < 0x100; a++) {
		for (c = 0; c < 0x100; c++) {
			b[0] = (unsigned char)a;
			b[1] = (unsigned char)c;
			len = textesc_utf8_decode(b, 2, &got);
			if (len == 0)
				continue;
			assert_int_equal(len, 2);
			assert_int_equal(test_encode(got, e), 2);
			assert_memory_equal(b, e, 2);
			accepted++;
		}
	}
	assert_int_equal(accepted, 0x800 - 0x80);

	accepted = 0;
	for (a = 0xe0; a < 0x100; a++) {
		for (c = 0; c < 0x100; c++) {
			for (d = 0; d < 0x100; d++) {
				b[0] = (unsigned char)a;
				b[1] = (unsigned char)c;
				b[2] = (unsigned char)d;
				len = textesc_utf8_decode(b, 3, &got);
				if (len == 0)
					continue;
				assert_int_equal(len, 3);
				assert_false(got >= 0xd800 && got <= 0xdfff);
				assert_int_equal(test_encode(got, e), 3);
				assert_memory_equal(b, e, 3);
				accepted++;
			}
		}
	}
	assert_int_equal(accepted, 0x10000 - 0x800 - 0x800);

	for (a = 0xf0; a < 0x100; a++) {
		for (c = 0; c < 0x100; c++) {
			for (d = 0; d < sizeof tails; d++) {
				for (f = 0; f < sizeof tails; f++) {
					b[0] = (unsigned char)a;
					b[1] = (unsigned char)c;
					b[2] = tails[d];
					b[3] = tails[f];
					len = textesc_utf8_decode(b, 4, &got);
					if (len == 0)
						continue;
					assert_int_equal(len, 4);
					assert_true(got >= 0x10000 &&
					    got <= 0x10ffff);
					assert_int_equal(test_encode(got, e),
					    4);
					assert_memory_equal(b, e, 4);
				}
			}
		}
	}
}

/* Controls, format, bidi, zero-width and noncharacters are not printable. */
static void
test_printable(void **state)
{
	static const uint32_t	bad[] = {
		0x00, 0x07, 0x08, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f,
		0x80, 0x85, 0x9b, 0x9f, 0xad,
		0x0300, 0x0301, 0x036f, 0x0483, 0x0591, 0x061c, 0x1ab0,
		0x1aff, 0x1dc0, 0x1dff, 0x20d0, 0x20ff, 0xfe20, 0xfe2f,
		0x1160, 0x11ff, 0xd7b0, 0xd7ff,
		0x180e, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f,
		0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
		0x2060, 0x2061, 0x2064, 0x2065, 0x2066, 0x2067, 0x2068,
		0x2069, 0x206f,
		0xd800, 0xdbff, 0xdc00, 0xdfff,
		0xfdd0, 0xfdef, 0xfe00, 0xfe0f, 0xfeff,
		0xfff9, 0xfffa, 0xfffb, 0xfffe, 0xffff,
		0x1fffe, 0x1ffff, 0x10fffe, 0x10ffff,
		0xe0001, 0xe0020, 0xe007f, 0xe0100, 0xe01ef,
		0x110000, 0xffffffff,
	};
	static const uint32_t	good[] = {
		0x20, 0x41, 0x7e, 0xa0, 0xa9, 0xe9, 0xff, 0x2ff, 0x3b1,
		0x416, 0x5d0, 0x627, 0x905, 0x1100, 0x2014, 0x2027, 0x2030,
		0x20ac, 0x2603, 0x3042, 0x4e00, 0x65e5, 0xac00, 0xd7a3,
		0xe000, 0xf8ff, 0xfdcf, 0xfdf0, 0xfffc, 0xfffd, 0x10000,
		0x1f600, 0x1f9ff, 0x20000, 0x10fffd,
	};
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (textesc_printable(bad[i]))
			fail_msg("U+%04X should not be printable",
			    (unsigned int)bad[i]);
	}
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (!textesc_printable(good[i]))
			fail_msg("U+%04X should be printable",
			    (unsigned int)good[i]);
	}
}

/* Wide and fullwidth characters take two columns, others one. */
static void
test_width(void **state)
{
	static const uint32_t	two[] = {
		0x1100, 0x115f, 0x2e80, 0x3000, 0x3042, 0x30a2, 0x4e00,
		0x65e5, 0x9fff, 0xa4c6, 0xac00, 0xd7a3, 0xf900, 0xfaff,
		0xfe30, 0xfe4f, 0xff01, 0xff21, 0xff60, 0xffe0, 0xffe6,
		0x1f300, 0x1f389, 0x1f600, 0x1f64f, 0x1f910, 0x1f9ff,
		0x20000, 0x2a6df, 0x2fffd, 0x30000, 0x3fffd,
	};
	static const uint32_t	one[] = {
		0x20, 0x41, 0x7e, 0xa0, 0xe9, 0x3b1, 0x416, 0x10ff, 0x1200,
		0x2014, 0x20ac, 0x2603, 0x303f, 0xa4d0, 0xd7af,
		0xe000, 0xfb00, 0xfe70, 0xff61, 0xffe8, 0x1f321, 0x1f650,
		0x1f670, 0x10000, 0x10fffd,
	};
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof two / sizeof two[0]; i++) {
		if (textesc_width(two[i]) != 2)
			fail_msg("U+%04X should be 2 wide",
			    (unsigned int)two[i]);
	}
	for (i = 0; i < sizeof one / sizeof one[0]; i++) {
		if (textesc_width(one[i]) != 1)
			fail_msg("U+%04X should be 1 wide",
			    (unsigned int)one[i]);
	}
}

/* Terminal escape sequences come out as inert text. */
static void
test_quote_escape_sequences(void **state)
{
	(void)state;
	/* OSC 0 and OSC 2 window title, BEL- and ST-terminated. */
	test_quote_is("\x1b]0;pwned\x07", 10, 1, "\\x1b]0;pwned\\x07");
	test_quote_is("\x1b]2;pwned\x1b\\", 11, 1, "\\x1b]2;pwned\\x1b\\\\");
	/* OSC 52 clipboard write. */
	test_quote_is("\x1b]52;c;cm0gLXJmIH4=\x07", 20, 1,
	    "\\x1b]52;c;cm0gLXJmIH4=\\x07");
	/* CSI clear screen and SGR. */
	test_quote_is("\x1b[2J\x1b[31m", 9, 1, "\\x1b[2J\\x1b[31m");
	/* DCS ... ST. */
	test_quote_is("\x1bPq#0;2;0;0;0\x1b\\", 15, 1,
	    "\\x1bPq#0;2;0;0;0\\x1b\\\\");
	/* 8-bit CSI and OSC, raw and UTF-8 encoded. */
	test_quote_is("\x9b" "2J\x9d" "0;x\x9c", 8, 1,
	    "\\x9b2J\\x9d0;x\\x9c");
	test_quote_is("\xc2\x9b" "2J", 4, 1, "\\xc2\\x9b2J");
	test_quote_is("\xc2\x80\xc2\x9f", 4, 1, "\\xc2\\x80\\xc2\\x9f");
	/* The same with UTF-8 off. */
	test_quote_is("\x1b[2J\xc2\x9b", 6, 0, "\\x1b[2J\\xc2\\x9b");
}

/* Single control bytes and the backslash itself are escaped. */
static void
test_quote_controls(void **state)
{
	(void)state;
	test_quote_is("a\0b", 3, 1, "a\\x00b");
	test_quote_is("\x07\x08\x7f", 3, 1, "\\x07\\x08\\x7f");
	test_quote_is("\x01\x1f\x0b\x0c", 4, 1, "\\x01\\x1f\\x0b\\x0c");
	test_quote_is("a\\b\r\n\t", 6, 1, "a\\\\b\\r\\n\\t");
	test_quote_is("\\x41", 4, 1, "\\\\x41");
	test_quote_is("", 0, 1, "");
	test_quote_is(" ~", 2, 0, " ~");
}

/* Invisible and direction-changing characters are escaped byte by byte. */
static void
test_quote_invisible(void **state)
{
	(void)state;
	/* Bidi overrides and embeddings U+202A-U+202E. */
	test_quote_is("a\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"
	    "\xe2\x80\xae" "b", 17, 1, "a\\xe2\\x80\\xaa\\xe2\\x80\\xab"
	    "\\xe2\\x80\\xac\\xe2\\x80\\xad\\xe2\\x80\\xaeb");
	/* Bidi isolates U+2066-U+2069, marks U+200E/U+200F, U+061C. */
	test_quote_is("\xe2\x81\xa6\xe2\x81\xa9", 6, 1,
	    "\\xe2\\x81\\xa6\\xe2\\x81\\xa9");
	test_quote_is("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 8, 1,
	    "\\xe2\\x80\\x8e\\xe2\\x80\\x8f\\xd8\\x9c");
	/* Zero width space, joiners, word joiner, BOM, soft hyphen. */
	test_quote_is("x\xe2\x80\x8by", 5, 1, "x\\xe2\\x80\\x8by");
	test_quote_is("\xe2\x80\x8c\xe2\x80\x8d\xe2\x81\xa0", 9, 1,
	    "\\xe2\\x80\\x8c\\xe2\\x80\\x8d\\xe2\\x81\\xa0");
	test_quote_is("\xef\xbb\xbf\xc2\xad", 5, 1,
	    "\\xef\\xbb\\xbf\\xc2\\xad");
	/* Line and paragraph separators. */
	test_quote_is("\xe2\x80\xa8\xe2\x80\xa9", 6, 1,
	    "\\xe2\\x80\\xa8\\xe2\\x80\\xa9");
	/* A combining acute accent does not attach to the 'e'. */
	test_quote_is("e\xcc\x81", 3, 1, "e\\xcc\\x81");
	/* Noncharacters. */
	test_quote_is("\xef\xbf\xbe\xef\xbf\xbf\xef\xb7\x90", 9, 1,
	    "\\xef\\xbf\\xbe\\xef\\xbf\\xbf\\xef\\xb7\\x90");
	test_quote_is("\xf4\x8f\xbf\xbf", 4, 1, "\\xf4\\x8f\\xbf\\xbf");
}

/* Malformed UTF-8 is escaped byte by byte and the text resynchronises. */
static void
test_quote_malformed(void **state)
{
	(void)state;
	test_quote_is("\xc0\xaf", 2, 1, "\\xc0\\xaf");
	test_quote_is("\xe0\x80\xaf", 3, 1, "\\xe0\\x80\\xaf");
	test_quote_is("\xf0\x80\x80\xaf", 4, 1, "\\xf0\\x80\\x80\\xaf");
	test_quote_is("\xed\xa0\x80\xed\xbf\xbf", 6, 1,
	    "\\xed\\xa0\\x80\\xed\\xbf\\xbf");
	test_quote_is("\xf4\x90\x80\x80", 4, 1, "\\xf4\\x90\\x80\\x80");
	test_quote_is("\x80\xbfok\xfe\xff", 6, 1, "\\x80\\xbfok\\xfe\\xff");
	/* A broken sequence does not swallow the valid one after it. */
	test_quote_is("\xe2\x82\xc3\xa9", 4, 1, "\\xe2\\x82\xc3\xa9");
	/* Truncated at the end of the buffer. */
	test_quote_is("ab\xe6\x97", 4, 1, "ab\\xe6\\x97");
	test_quote_is("ab\xf0\x9f\x98", 5, 1, "ab\\xf0\\x9f\\x98");
	test_quote_is("\xc3", 1, 1, "\\xc3");
}

/* Valid printable UTF-8 stays as itself unless UTF-8 is off. */
static void
test_quote_valid_text(void **state)
{
	char	*s;

	(void)state;
	test_quote_is("h\xc3\xa9llo", 6, 1, "h\xc3\xa9llo");
	test_quote_is("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 9, 1,
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	test_quote_is("\xf0\x9f\x98\x80 \xf0\x9f\x8e\x89", 9, 1,
	    "\xf0\x9f\x98\x80 \xf0\x9f\x8e\x89");
	test_quote_is("\xce\xb1\xd0\x96\xd7\x90\xe2\x82\xac\xc2\xa0", 11, 1,
	    "\xce\xb1\xd0\x96\xd7\x90\xe2\x82\xac\xc2\xa0");
	test_quote_is("h\xc3\xa9llo", 6, 0, "h\\xc3\\xa9llo");

	s = textesc_quote_str("");
	assert_string_equal(s, "");
	free(s);
	s = textesc_quote_str("caf\xc3\xa9 \x1b[2J\\\n");
	assert_string_equal(s, "caf\xc3\xa9 \\x1b[2J\\\\\\n");
	free(s);
}

/* Quoting appends to what the buffer already holds. */
static void
test_quote_appends(void **state)
{
	struct sbuf	b = { 0 };

	(void)state;
	sbuf_adds(&b, "error: ");
	textesc_quote(&b, "\x1b" "x", 2, 1);
	textesc_quote(&b, "", 0, 1);
	assert_string_equal(b.p, "error: \\x1bx");
	assert_int_equal(b.len, strlen(b.p));
	sbuf_free(&b);
}

/* Rows end after each escaped newline; a partial row ends the chunk. */
static void
test_rows_newlines(void **state)
{
	static const char	req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

	(void)state;
	test_rows_are(req, sizeof req - 1, 0, 3,
	    "GET / HTTP/1.1\\r\\n\nHost: x\\r\\n\n\\r\\n");
	test_rows_are("hello", 5, 0, 1, "hello");
	test_rows_are("a\nb", 3, 80, 2, "a\\n\nb");
	test_rows_are("\n\n", 2, 80, 2, "\\n\n\\n");
	test_rows_are("", 0, 80, 0, "");
	test_rows_are("\x1b[2J\t\\\x7f\n", 8, 0, 1,
	    "\\x1b[2J\\t\\\\\\x7f\\n");
	test_rows_are("h\xc3\xa9 \xe6\x97\xa5\n\xf0\x9f\x98\x80", 12, 0, 2,
	    "h\xc3\xa9 \xe6\x97\xa5\\n\n\xf0\x9f\x98\x80");
}

/* Long rows wrap at the display width, counting wide characters as 2. */
static void
test_rows_wrap(void **state)
{
	struct sbuf	in = { 0 }, want = { 0 };
	size_t		i;

	(void)state;
	/* 100 characters at wrap 40: 40 + 40 + 20. */
	for (i = 0; i < 100; i++)
		sbuf_addc(&in, (char)('a' + i % 26));
	sbuf_add(&want, in.p, 40);
	sbuf_addc(&want, '\n');
	sbuf_add(&want, in.p + 40, 40);
	sbuf_addc(&want, '\n');
	sbuf_add(&want, in.p + 80, 20);
	test_rows_are(in.p, in.len, 40, 3, want.p);
	test_rows_are(in.p, in.len, 0, 1, in.p);
	test_rows_are(in.p, in.len, 100, 1, in.p);
	sbuf_reset(&want);
	sbuf_add(&want, in.p, 99);
	sbuf_addc(&want, '\n');
	sbuf_add(&want, in.p + 99, 1);
	test_rows_are(in.p, in.len, 99, 2, want.p);

	/* With its newline the last row is 22 columns and still fits. */
	sbuf_addc(&in, '\n');
	sbuf_reset(&want);
	sbuf_add(&want, in.p, 40);
	sbuf_addc(&want, '\n');
	sbuf_add(&want, in.p + 40, 40);
	sbuf_addc(&want, '\n');
	sbuf_add(&want, in.p + 80, 20);
	sbuf_adds(&want, "\\n");
	test_rows_are(in.p, in.len, 40, 3, want.p);

	/* The two-column "\n" does not fit after 39 columns. */
	sbuf_reset(&want);
	sbuf_add(&want, in.p + 61, 39);
	sbuf_adds(&want, "\n\\n");
	test_rows_are(in.p + 61, 40, 40, 2, want.p);

	/* 30 wide characters at wrap 40: 20 per row, then 10. */
	sbuf_reset(&in);
	sbuf_reset(&want);
	for (i = 0; i < 30; i++)
		sbuf_adds(&in, "\xe6\x97\xa5");
	for (i = 0; i < 20; i++)
		sbuf_adds(&want, "\xe6\x97\xa5");
	sbuf_addc(&want, '\n');
	for (i = 0; i < 10; i++)
		sbuf_adds(&want, "\xe6\x97\xa5");
	test_rows_are(in.p, in.len, 40, 2, want.p);

	/* An odd width leaves a column free rather than split a character. */
	test_rows_are("\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5", 9, 5, 2,
	    "\xe6\x97\xa5\xe6\x97\xa5\n\xe6\x97\xa5");
	test_rows_are("a\xf0\x9f\x98\x80" "b", 6, 2, 3,
	    "a\n\xf0\x9f\x98\x80\nb");

	sbuf_free(&in);
	sbuf_free(&want);
}

/* An escape is never split across rows, even when it is wider than wrap. */
static void
test_rows_escapes_whole(void **state)
{
	(void)state;
	test_rows_are("abc\x1b", 4, 5, 2, "abc\n\\x1b");
	test_rows_are("abcd\x1b", 5, 8, 1, "abcd\\x1b");
	test_rows_are("\x1b\x1b", 2, 2, 2, "\\x1b\n\\x1b");
	test_rows_are("a\tb\\c", 5, 3, 3, "a\\t\nb\\\\\nc");
	test_rows_are("\xc3\xa9\xe2\x80\xae", 5, 6, 3,
	    "\xc3\xa9\\xe2\n\\x80\n\\xae");
	test_rows_are("xy\r\n", 4, 1, 4, "x\ny\n\\r\n\\n");
}

/*
 * Fuzz: random buffers, biased toward UTF-8 lead and continuation bytes,
 * must quote and render to safe text that unescapes back to the input, and
 * rows must fit the wrap width unless they hold a single unit.
 */
static void
test_fuzz(void **state)
{
	static const unsigned char	 pick[] = { 0x00, 0x07, 0x09, 0x0a,
	    0x0d, 0x1b, 0x5c, 0x7f, 0x80, 0x9b, 0xbf, 0xc0, 0xc2, 0xcc,
	    0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff };
	struct sbuf			 q = { 0 }, back = { 0 };
	struct test_rows		 r = { { 0 }, 0 };
	unsigned char			 buf[64];
	uint32_t			 seed = 2463534242u, x;
	size_t				 iter, n, i, wrap, rows, start, w;
	const char			*row, *end;

	(void)state;
	for (iter = 0; iter < 100000; iter++) {
		n = test_rand(&seed) % (sizeof buf + 1);
		for (i = 0; i < n; i++) {
			x = test_rand(&seed);
			switch (x % 4) {
			case 0:
				buf[i] = pick[(x >> 8) % sizeof pick];
				break;
			case 1:
				buf[i] = (unsigned char)(0x80 |
				    ((x >> 8) & 0x3f));
				break;
			case 2:
				/* Sometimes a whole valid sequence. */
				if (i + 4 <= n) {
					x = (x >> 8) % 0x110000;
					if (x >= 0xd800 && x <= 0xdfff)
						x = 0xfffe;
					i += test_encode(x, buf + i) - 1;
					break;
				}
				/* FALLTHROUGH */
			default:
				buf[i] = (unsigned char)(x >> 8);
				break;
			}
		}

		/* Quoting, with and without UTF-8. */
		for (i = 0; i < 2; i++) {
			sbuf_reset(&q);
			textesc_quote(&q, buf, n, (int)i);
			if (q.len == 0)
				continue;
			test_check_safe(q.p, q.len);
			if (i == 0) {
				for (start = 0; start < q.len; start++) {
					if ((unsigned char)q.p[start] >= 0x7f)
						fail_msg("non-ASCII output");
				}
			}
			sbuf_reset(&back);
			test_unescape(&back, q.p, q.len);
			assert_int_equal(back.len, n);
			assert_memory_equal(back.p, buf, n);
		}

		/* Rows join back into the quoted text. */
		wrap = test_rand(&seed) % 24;
		sbuf_reset(&r.all);
		r.count = 0;
		rows = textesc_text_rows(buf, n, wrap, test_collect, &r);
		assert_int_equal(rows, r.count);
		sbuf_reset(&q);
		textesc_quote(&q, buf, n, 1);
		if (n == 0) {
			assert_int_equal(rows, 0);
			continue;
		}
		sbuf_reset(&back);
		for (row = r.all.p; ; row = end + 1) {
			end = strchr(row, '\n');
			if (end == NULL)
				end = row + strlen(row);
			assert_true(end > row);
			w = test_check_safe(row, (size_t)(end - row));
			/* Only one unit may be wider than the wrap. */
			if (wrap > 0 && w > wrap) {
				assert_true(w <= 4);
				assert_true(row[0] == '\\' ||
				    (unsigned char)row[0] >= 0x80);
				assert_true((size_t)(end - row) <= 4);
			}
			/* An escaped newline only ends a row. */
			for (start = 0; row + start + 2 < end; start++) {
				if (row[start] != '\\')
					continue;
				if (row[start + 1] == 'n')
					fail_msg("\\n inside row \"%s\"", row);
				start++;
			}
			sbuf_add(&back, row, (size_t)(end - row));
			if (*end == '\0')
				break;
		}
		assert_int_equal(back.len, q.len);
		assert_memory_equal(back.p, q.p, q.len);
	}
	sbuf_free(&q);
	sbuf_free(&back);
	sbuf_free(&r.all);
}

/* Run the textesc tests. */
/* A terminal library that knows neither U+0378 nor U+1FAE8, and draws
 * U+00E9 one column wide. */
static int
test_term_width(uint32_t cp)
{
	if (cp == 0x378 || cp == 0x1fae8)
		return -1;
	return cp >= 0x1100 ? 2 : 1;
}

/* Code points the terminal does not know are escaped as \u{...}, never
 * drawn as themselves (a blank cell); without a width function textesc
 * stays pure. */
static void
test_term_unknown(void **state)
{
	(void)state;
	/* "a" U+0378 "b" U+1FAE8 */
	textesc_set_term_width(test_term_width);
	test_rows_are("a\xcd\xb8" "b\xf0\x9f\xab\xa8", 8, 0, 1,
	    "a\\u{378}b\\u{1fae8}");
	/* The escape's width wraps like any text: "a" + 7 columns. */
	test_rows_are("a\xcd\xb8" "b", 4, 8, 2, "a\\u{378}\nb");
	test_quote_is("\xcd\xb8", 2, 1, "\\u{378}");
	test_rows_are("\xc3\xa9", 2, 0, 1, "\xc3\xa9");
	textesc_set_term_width(NULL);
	test_rows_are("a\xcd\xb8", 3, 0, 1, "a\xcd\xb8");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_valid),
		cmocka_unit_test(test_decode_invalid),
		cmocka_unit_test(test_decode_exhaustive),
		cmocka_unit_test(test_printable),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_quote_escape_sequences),
		cmocka_unit_test(test_quote_controls),
		cmocka_unit_test(test_quote_invisible),
		cmocka_unit_test(test_quote_malformed),
		cmocka_unit_test(test_quote_valid_text),
		cmocka_unit_test(test_quote_appends),
		cmocka_unit_test(test_rows_newlines),
		cmocka_unit_test(test_rows_wrap),
		cmocka_unit_test(test_rows_escapes_whole),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_term_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
