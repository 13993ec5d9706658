/*
 * hexdump.c: the `hexdump -C -v` row formatter.  Owns the byte-to-text
 * lookup tables; the batch transcript and the Hex pane call it for every
 * chunk, so it is the hot path of batch mode: rows are written straight into
 * memory reserved once per chunk (per 64 KiB of a bigger one), with no printf
 * per row or byte.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sockscope/hexdump.h"
#include "sockscope/util.h"

/*
 * A row is: offset (8 to 16 digits), two spaces, 49 columns of hex (16
 * "xx " triples with one more space after the eighth), a space, '|', up to
 * 16 gutter characters, '|'.
 */
#define HEXDUMP_HEX_COLS	49
#define HEXDUMP_ROW_FIXED	(2 + HEXDUMP_HEX_COLS + 2 + 16 + 1)

/* Rows formatted per sbuf_reserve(): one reservation for any normal chunk. */
#define HEXDUMP_SLICE_ROWS	4096

/*
 * Each byte as its "xx " column, padded to four bytes so that a row is built
 * with one four-byte copy per byte; the fourth byte (the NUL) is always
 * overwritten by what follows.
 */
static const char hexdump_hex[256][4] = {
	"00 ", "01 ", "02 ", "03 ", "04 ", "05 ", "06 ", "07 ", "08 ", "09 ",
	"0a ", "0b ", "0c ", "0d ", "0e ", "0f ", "10 ", "11 ", "12 ", "13 ",
	"14 ", "15 ", "16 ", "17 ", "18 ", "19 ", "1a ", "1b ", "1c ", "1d ",
	"1e ", "1f ", "20 ", "21 ", "22 ", "23 ", "24 ", "25 ", "26 ", "27 ",
	"28 ", "29 ", "2a ", "2b ", "2c ", "2d ", "2e ", "2f ", "30 ", "31 ",
	"32 ", "33 ", "34 ", "35 ", "36 ", "37 ", "38 ", "39 ", "3a ", "3b ",
	"3c ", "3d ", "3e ", "3f ", "40 ", "41 ", "42 ", "43 ", "44 ", "45 ",
	"46 ", "47 ", "48 ", "49 ", "4a ", "4b ", "4c ", "4d ", "4e ", "4f ",
	"50 ", "51 ", "52 ", "53 ", "54 ", "55 ", "56 ", "57 ", "58 ", "59 ",
	"5a ", "5b ", "5c ", "5d ", "5e ", "5f ", "60 ", "61 ", "62 ", "63 ",
	"64 ", "65 ", "66 ", "67 ", "68 ", "69 ", "6a ", "6b ", "6c ", "6d ",
	"6e ", "6f ", "70 ", "71 ", "72 ", "73 ", "74 ", "75 ", "76 ", "77 ",
	"78 ", "79 ", "7a ", "7b ", "7c ", "7d ", "7e ", "7f ", "80 ", "81 ",
	"82 ", "83 ", "84 ", "85 ", "86 ", "87 ", "88 ", "89 ", "8a ", "8b ",
	"8c ", "8d ", "8e ", "8f ", "90 ", "91 ", "92 ", "93 ", "94 ", "95 ",
	"96 ", "97 ", "98 ", "99 ", "9a ", "9b ", "9c ", "9d ", "9e ", "9f ",
	"a0 ", "a1 ", "a2 ", "a3 ", "a4 ", "a5 ", "a6 ", "a7 ", "a8 ", "a9 ",
	"aa ", "ab ", "ac ", "ad ", "ae ", "af ", "b0 ", "b1 ", "b2 ", "b3 ",
	"b4 ", "b5 ", "b6 ", "b7 ", "b8 ", "b9 ", "ba ", "bb ", "bc ", "bd ",
	"be ", "bf ", "c0 ", "c1 ", "c2 ", "c3 ", "c4 ", "c5 ", "c6 ", "c7 ",
	"c8 ", "c9 ", "ca ", "cb ", "cc ", "cd ", "ce ", "cf ", "d0 ", "d1 ",
	"d2 ", "d3 ", "d4 ", "d5 ", "d6 ", "d7 ", "d8 ", "d9 ", "da ", "db ",
	"dc ", "dd ", "de ", "df ", "e0 ", "e1 ", "e2 ", "e3 ", "e4 ", "e5 ",
	"e6 ", "e7 ", "e8 ", "e9 ", "ea ", "eb ", "ec ", "ed ", "ee ", "ef ",
	"f0 ", "f1 ", "f2 ", "f3 ", "f4 ", "f5 ", "f6 ", "f7 ", "f8 ", "f9 ",
	"fa ", "fb ", "fc ", "fd ", "fe ", "ff ",
};

/* Each byte as it appears in the gutter: printable ASCII or '.'. */
static const char hexdump_gutter[257] =
	"................................"
	" !\"#$%&'()*+,-./0123456789:;<=>?"
	"@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_"
	"`abcdefghijklmnopqrstuvwxyz{|}~."
	"................................"
	"................................"
	"................................"
	"................................";

/* Return the number of hex digits hexdump prints for offset off. */
static size_t
hexdump_offset_width(uint64_t off)
{
	size_t	w = 8;

	off >>= 32;
	while (off != 0) {
		w++;
		off >>= 4;
	}
	return w;
}

/* Write offset off as %08x (wider when needed) at d; return the end. */
static inline char *
hexdump_put_offset(char *d, uint64_t off)
{
	size_t	w, i;

	if (off <= 0xffffffffU) {
		memcpy(d, hexdump_hex[(off >> 24) & 0xff], 2);
		memcpy(d + 2, hexdump_hex[(off >> 16) & 0xff], 2);
		memcpy(d + 4, hexdump_hex[(off >> 8) & 0xff], 2);
		memcpy(d + 6, hexdump_hex[off & 0xff], 2);
		return d + 8;
	}
	w = hexdump_offset_width(off);
	for (i = w; i > 0; i--) {
		d[i - 1] = hexdump_hex[off & 0xf][1];
		off >>= 4;
	}
	return d + w;
}

/*
 * Write the hex columns and gutter of a row of per_row columns holding n
 * bytes at h, just after the offset and its two spaces; return the end.
 */
static char *
hexdump_put_short(char *h, const unsigned char *p, size_t n, size_t per_row)
{
	size_t	 cols = per_row * 3 + (per_row > 8), i;
	char	*g;

	/* hexdump pads the missing columns with spaces. */
	memset(h, ' ', cols + 1);
	for (i = 0; i < n; i++)
		memcpy(h + 3 * i + (i >= 8), hexdump_hex[p[i]], 3);
	h[cols + 1] = '|';
	g = h + cols + 2;
	for (i = 0; i < n; i++)
		g[i] = hexdump_gutter[p[i]];
	g[n] = '|';
	return g + n + 1;
}

/* Write a full row of 16 bytes at d without a newline; return the end. */
static inline char *
hexdump_put_full(char *d, uint64_t off, const unsigned char *p)
{
	char	*h, *g;
	size_t	 i;

	d = hexdump_put_offset(d, off);
	d[0] = ' ';
	d[1] = ' ';
	h = d + 2;

	/* Four-byte copies; each spare byte is overwritten next. */
	memcpy(h, hexdump_hex[p[0]], 4);
	memcpy(h + 3, hexdump_hex[p[1]], 4);
	memcpy(h + 6, hexdump_hex[p[2]], 4);
	memcpy(h + 9, hexdump_hex[p[3]], 4);
	memcpy(h + 12, hexdump_hex[p[4]], 4);
	memcpy(h + 15, hexdump_hex[p[5]], 4);
	memcpy(h + 18, hexdump_hex[p[6]], 4);
	memcpy(h + 21, hexdump_hex[p[7]], 4);
	h[24] = ' ';
	memcpy(h + 25, hexdump_hex[p[8]], 4);
	memcpy(h + 28, hexdump_hex[p[9]], 4);
	memcpy(h + 31, hexdump_hex[p[10]], 4);
	memcpy(h + 34, hexdump_hex[p[11]], 4);
	memcpy(h + 37, hexdump_hex[p[12]], 4);
	memcpy(h + 40, hexdump_hex[p[13]], 4);
	memcpy(h + 43, hexdump_hex[p[14]], 4);
	memcpy(h + 46, hexdump_hex[p[15]], 4);
	h[49] = ' ';
	h[50] = '|';
	g = h + 51;
	for (i = 0; i < 16; i++)
		g[i] = hexdump_gutter[p[i]];
	g[16] = '|';
	return g + 17;
}

/* Write one row of n bytes (0..16) at d without a newline; return the end. */
static char *
hexdump_put_row(char *d, uint64_t off, const unsigned char *p, size_t n)
{
	if (n == 16)
		return hexdump_put_full(d, off, p);
	d = hexdump_put_offset(d, off);
	d[0] = ' ';
	d[1] = ' ';
	return hexdump_put_short(d + 2, p, n, 16);
}

/* Format one row of n bytes (1..16) at stream offset off into buf. */
size_t
hexdump_row(char *buf, uint64_t off, const unsigned char *p, size_t n)
{
	char	*end;

	if (n > 16)
		n = 16;
	end = hexdump_put_row(buf, off, p, n);
	*end = '\0';
	return (size_t)(end - buf);
}

/* Format one row of a narrow Hex pane: per_row columns holding n bytes. */
size_t
hexdump_row_n(char *buf, uint64_t off, const unsigned char *p, size_t n,
    size_t per_row)
{
	char	*end;

	if (per_row == 0 || per_row > 16)
		per_row = 16;
	if (n > per_row)
		n = per_row;
	if (per_row == 16)
		return hexdump_row(buf, off, p, n);
	end = hexdump_put_offset(buf, off);
	end[0] = ' ';
	end[1] = ' ';
	end = hexdump_put_short(end + 2, p, n, per_row);
	*end = '\0';
	return (size_t)(end - buf);
}

/* Append every row of a chunk, each with indent and a newline, to out. */
void
hexdump_chunk(struct sbuf *out, const char *indent, uint64_t off,
    const unsigned char *p, size_t n)
{
	size_t		 ilen = strlen(indent), rows, i, w, take;
	uint64_t	 last;
	char		*d, *start;

	while (n != 0) {
		rows = (n + 15) / 16;
		if (rows > HEXDUMP_SLICE_ROWS)
			rows = HEXDUMP_SLICE_ROWS;
		take = rows * 16 < n ? rows * 16 : n;

		/*
		 * No row's offset is wider than the last row's, unless the
		 * offset wraps past 2^64.
		 */
		last = off + (uint64_t)(rows - 1) * 16;
		w = last < off ? 16 : hexdump_offset_width(last);
		start = d = sbuf_reserve(out, rows * (ilen + w +
		    HEXDUMP_ROW_FIXED + 1));

		for (i = 0; i + 16 <= take; i += 16) {
			memcpy(d, indent, ilen);
			d = hexdump_put_full(d + ilen, off + i, p + i);
			*d++ = '\n';
		}
		if (i < take) {
			memcpy(d, indent, ilen);
			d = hexdump_put_row(d + ilen, off + i, p + i, take - i);
			*d++ = '\n';
		}

		out->len += (size_t)(d - start);
		out->p[out->len] = '\0';
		off += take;
		p += take;
		n -= take;
	}
}
