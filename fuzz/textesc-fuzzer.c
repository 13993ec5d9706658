/*
 * textesc-fuzzer.c: fuzz target for the text formatters (textesc.c): the
 * Text pane's rows, the quoting of error lines and the transcript, and the
 * UTF-8 decoder under both.
 *
 * Input: one byte for the wrap width (0, no wrap, to 63, so that widths
 * narrower than one escape come up), then the bytes received.  Checked:
 * every row and every quoted string is safe for a terminal (see
 * fuzz_check_safe()); every backslash starts a known escape, so decoding
 * the output gives back exactly the input; "\n" is only ever the last unit
 * of a row; rows are never empty and fit the wrap width unless a single
 * unit is wider; the row count returned is the number of rows passed, with
 * or without a callback; textesc_utf8_decode() agrees with a decoder
 * written here from RFC 3629.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sockscope/textesc.h"
#include "sockscope/util.h"

#include "fuzz.h"

/* What the row callback collects. */
struct textesc_fuzzer {
	size_t		 wrap;
	size_t		 rows;
	struct sbuf	 all;	/* every row, concatenated */
};

/*
 * Measure the unit of a row at s (n bytes left): an escape ("\\n",
 * "\\xHH", ...) or one character.  Stores its display width; returns its
 * length.
 */
static size_t
textesc_fuzzer_unit(const char *s, size_t n, size_t *width)
{
	uint32_t	cp;
	size_t		len;

	if (s[0] == '\\') {
		FUZZ_ASSERT_BYTES(n >= 2, s, n);
		len = s[1] == 'x' ? 4 : 2;
		FUZZ_ASSERT_BYTES(n >= len, s, n);
		*width = len;
		return len;
	}
	len = fuzz_utf8((const unsigned char *)s, n, &cp);
	FUZZ_ASSERT_BYTES(len != 0, s, n);
	*width = (size_t)textesc_width(cp);
	return len;
}

/* Check one Text pane row and keep it. */
static void
textesc_fuzzer_row(const char *row, size_t len, void *arg)
{
	struct textesc_fuzzer	*tf = arg;
	size_t			 i, ulen, w, cols = 0, units = 0;

	FUZZ_ASSERT(row != NULL && len > 0);
	FUZZ_ASSERT_BYTES(strlen(row) == len, row, len);
	fuzz_check_safe("text row", row, len, 0);

	for (i = 0; i < len; i += ulen) {
		ulen = textesc_fuzzer_unit(row + i, len - i, &w);
		/* An escaped newline ends its row. */
		if (ulen == 2 && row[i] == '\\' && row[i + 1] == 'n')
			FUZZ_ASSERT_BYTES(i + 2 == len, row, len);
		cols += w;
		units++;
	}
	if (tf->wrap > 0 && units > 1)
		FUZZ_ASSERT_BYTES(cols <= tf->wrap, row, len);

	sbuf_add(&tf->all, row, len);
	tf->rows++;
}

/* Check that the escaped text s decodes back to the n bytes at p. */
static void
textesc_fuzzer_back(const char *what, const char *s, size_t slen,
    const uint8_t *p, size_t n)
{
	unsigned char	*back;
	size_t		 backlen;

	back = malloc(slen + 1);
	if (back == NULL)
		abort();
	backlen = fuzz_unquote(s, slen, back);
	if (backlen != n || (n != 0 && memcmp(back, p, n) != 0))
		fuzz_fail(__FILE__, __LINE__, what, s, slen);
	free(back);
}

/* Check textesc_quote() and textesc_quote_str() on the same bytes. */
static void
textesc_fuzzer_quote(const uint8_t *p, size_t n)
{
	struct sbuf	 q = { 0 }, q8 = { 0 };
	char		*s, *str;
	size_t		 i;

	textesc_quote(&q, p, n, 0);
	fuzz_check_safe("quote", q.p, q.len, 0);
	for (i = 0; i < q.len; i++)
		FUZZ_ASSERT_BYTES((unsigned char)q.p[i] < 0x80, q.p, q.len);
	textesc_fuzzer_back("quote does not decode back", q.p, q.len, p, n);

	textesc_quote(&q8, p, n, 1);
	fuzz_check_safe("quote utf8", q8.p, q8.len, 0);
	textesc_fuzzer_back("quote utf8 does not decode back", q8.p, q8.len,
	    p, n);

	/* The C string version: up to the first NUL, UTF-8 kept. */
	s = malloc(n + 1);
	if (s == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	str = textesc_quote_str(s);
	sbuf_reset(&q8);
	textesc_quote(&q8, s, strlen(s), 1);
	FUZZ_ASSERT(strcmp(str, q8.p != NULL ? q8.p : "") == 0);
	free(str);
	free(s);
	sbuf_free(&q);
	sbuf_free(&q8);
}

/* Check the decoder against fuzz_utf8() at every byte. */
static void
textesc_fuzzer_decode(const uint8_t *p, size_t n)
{
	uint32_t	cp, want;
	size_t		i, len, wantlen;

	for (i = 0; i < n; i++) {
		cp = want = 0xffffffff;
		len = textesc_utf8_decode(p + i, n - i, &cp);
		wantlen = fuzz_utf8(p + i, n - i, &want);
		FUZZ_ASSERT_BYTES(len == wantlen, p + i,
		    n - i < 4 ? n - i : 4);
		if (len != 0)
			FUZZ_ASSERT(cp == want);
		if (len != 0 && textesc_printable(cp))
			FUZZ_ASSERT(!fuzz_forbidden(cp));
		if (len != 0 && cp >= 0x20) {
			FUZZ_ASSERT(textesc_width(cp) == 1 ||
			    textesc_width(cp) == 2);
		}
	}
}

/* Render the data as Text pane rows and quoted text, and check both. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input	in = { data, size };
	struct textesc_fuzzer	tf;
	size_t			rows;

	memset(&tf, 0, sizeof tf);
	tf.wrap = fuzz_u8(&in) % 64;

	rows = textesc_text_rows(in.p, in.n, tf.wrap, textesc_fuzzer_row,
	    &tf);
	FUZZ_ASSERT(rows == tf.rows);
	FUZZ_ASSERT(rows == textesc_text_rows(in.p, in.n, tf.wrap, NULL,
	    NULL));
	FUZZ_ASSERT(in.n == 0 || rows > 0);
	textesc_fuzzer_back("text rows do not decode back", tf.all.p,
	    tf.all.len, in.p, in.n);
	sbuf_free(&tf.all);

	textesc_fuzzer_quote(in.p, in.n);
	textesc_fuzzer_decode(in.p, in.n);
	return 0;
}
