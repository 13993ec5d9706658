/*
 * hexdump-fuzzer.c: fuzz target for the `hexdump -C` formatter
 * (hexdump.c), which the transcript and the Hex pane run over every byte
 * received.
 *
 * Input: 8 bytes of stream offset (little-endian, so offsets near 2^32 and
 * 2^64 come up), one byte choosing the columns of a narrow row and one the
 * indent, then the data.  Checked: hexdump_chunk() (vectorised where the
 * machine allows), and through hexdump_chunk_by() every vector engine the
 * machine has (AVX2 and SSSE3 on x86-64, NEON on arm64), appends exactly
 * what hexdump_chunk_portable() does, after text already in the buffer;
 * it writes one row per 16 bytes, each the
 * indent plus exactly the row hexdump_row() formats, and
 * each row equals one built here with snprintf() from the description in
 * hexdump.h; rows of hexdump_row_n() for 4, 8 and 16 columns (and for
 * out-of-range widths, which mean 16) likewise; nothing but printable ASCII
 * and newlines comes out; no row outgrows HEXDUMP_ROW_MAX (the buffers are
 * exactly that big, so the sanitizers see a write past them).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/hexdump.h"
#include "sockscope/util.h"

#include "fuzz.h"

/*
 * Build the row hexdump.h describes for n bytes in a row of per_row
 * columns at offset off: %08x offset (wider when needed), two spaces, a
 * "xx " column per byte and three spaces per missing one, one more space
 * after the eighth column when there are more than eight, a space, then
 * |gutter|.  Returns the length.
 */
static size_t
hexdump_fuzzer_ref(char *buf, size_t size, uint64_t off,
    const unsigned char *p, size_t n, size_t per_row)
{
	size_t	len, i;

	len = (size_t)snprintf(buf, size, "%08" PRIx64 "  ", off);
	for (i = 0; i < per_row; i++) {
		if (i < n)
			len += (size_t)snprintf(buf + len, size - len, "%02x ",
			    p[i]);
		else
			len += (size_t)snprintf(buf + len, size - len, "   ");
		if (i == 7 && per_row > 8)
			len += (size_t)snprintf(buf + len, size - len, " ");
	}
	len += (size_t)snprintf(buf + len, size - len, " |");
	for (i = 0; i < n; i++)
		buf[len++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	buf[len++] = '|';
	buf[len] = '\0';
	return len;
}

/* Check one formatted row against the reference. */
static void
hexdump_fuzzer_check_row(const char *row, size_t len, uint64_t off,
    const unsigned char *p, size_t n, size_t per_row)
{
	char	want[256];
	size_t	wantlen;

	wantlen = hexdump_fuzzer_ref(want, sizeof want, off, p, n, per_row);
	FUZZ_ASSERT_BYTES(len <= HEXDUMP_ROW_MAX, row, len);
	FUZZ_ASSERT_BYTES(strlen(row) == len, row, len);
	FUZZ_ASSERT_BYTES(len == wantlen && memcmp(row, want, len) == 0,
	    row, len);
}

/* Format rows of every kind over the data and check them. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The last two: the longest indent the vector code takes, and one more. */
	static const char	*indents[] = { "", "  ", "\t> ",
	    "0123456789abcdef", "0123456789abcdefg" };
	static const size_t	 widths[] = { 4, 8, 16 };
	static const char	*engines[] = { "avx2", "ssse3", "neon" };
	struct fuzz_input	 in = { data, size };
	struct sbuf		 out = { 0 }, ref = { 0 };
	const unsigned char	*p;
	const char		*indent, *line, *nl;
	char			*row;
	uint64_t		 off;
	size_t			 n, i, take, ilen, len, per_row, cols, rows;
	uint8_t			 sel;

	off = fuzz_u64(&in);
	sel = fuzz_u8(&in);
	indent = indents[fuzz_u8(&in) % 5];
	p = in.p;
	n = in.n;

	/* Exactly HEXDUMP_ROW_MAX + 1 bytes, as the contract says. */
	row = malloc(HEXDUMP_ROW_MAX + 1);
	if (row == NULL)
		abort();

	/* Vectorised and portable formatters agree, appending alike. */
	sbuf_adds(&out, "< #1\n");
	sbuf_adds(&ref, "< #1\n");
	hexdump_chunk(&out, indent, off, p, n);
	hexdump_chunk_portable(&ref, indent, off, p, n);
	FUZZ_ASSERT_BYTES(out.len == ref.len &&
	    memcmp(out.p, ref.p, ref.len + 1) == 0, out.p, out.len);
	for (i = 0; i < sizeof engines / sizeof engines[0]; i++) {
		sbuf_reset(&out);
		sbuf_adds(&out, "< #1\n");
		if (hexdump_chunk_by(engines[i], &out, indent, off, p, n) != 0)
			continue;
		FUZZ_ASSERT_BYTES(out.len == ref.len &&
		    memcmp(out.p, ref.p, ref.len + 1) == 0, out.p, out.len);
	}
	sbuf_free(&ref);

	/* The whole chunk, row by row; offsets wrap past 2^64. */
	sbuf_reset(&out);
	hexdump_chunk(&out, indent, off, p, n);
	ilen = strlen(indent);
	line = out.p;
	rows = 0;
	for (i = 0; i < n; i += 16) {
		take = n - i < 16 ? n - i : 16;
		FUZZ_ASSERT(line != NULL);
		nl = memchr(line, '\n', out.len - (size_t)(line - out.p));
		FUZZ_ASSERT_BYTES(nl != NULL, out.p, out.len);
		FUZZ_ASSERT_BYTES(memcmp(line, indent, ilen) == 0, line,
		    (size_t)(nl - line));
		len = hexdump_row(row, off + i, p + i, take);
		FUZZ_ASSERT_BYTES((size_t)(nl - line) == ilen + len &&
		    memcmp(line + ilen, row, len) == 0, line,
		    (size_t)(nl - line));
		hexdump_fuzzer_check_row(row, len, off + i, p + i, take, 16);
		line = nl + 1;
		rows++;
	}
	FUZZ_ASSERT(rows == (n + 15) / 16);
	if (n == 0)
		FUZZ_ASSERT(out.len == 0);
	else
		FUZZ_ASSERT_BYTES(line == out.p + out.len, out.p, out.len);
	for (i = 0; i < out.len; i++) {
		FUZZ_ASSERT_BYTES(out.p[i] == '\n' || out.p[i] == '\t' ||
		    (out.p[i] >= 0x20 && out.p[i] < 0x7f), out.p, out.len);
	}
	sbuf_free(&out);

	/*
	 * Narrow rows: 4, 8 or 16 columns, or with the top bit of sel any
	 * width from 0 to 31, where 0 and 17-31 mean 16.
	 */
	if (sel & 0x80)
		per_row = sel & 0x1f;
	else
		per_row = widths[sel % 3];
	cols = per_row == 0 || per_row > 16 ? 16 : per_row;
	for (i = 0; i < n; i += take) {
		take = n - i < cols ? n - i : cols;
		len = hexdump_row_n(row, off + i, p + i, take, per_row);
		hexdump_fuzzer_check_row(row, len, off + i, p + i, take,
		    cols);
	}

	/* One short row of every length, as the Hex pane's last row is. */
	for (i = 1; i <= 16 && i <= n; i++) {
		len = hexdump_row(row, off, p, i);
		hexdump_fuzzer_check_row(row, len, off, p, i, 16);
	}
	free(row);
	return 0;
}
