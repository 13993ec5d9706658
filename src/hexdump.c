/*
 * hexdump.c: the `hexdump -C -v` row formatter.  Owns the byte-to-text
 * lookup tables; the batch transcript and the Hex pane call it for every
 * chunk, so it is the hot path of batch mode: rows are written straight into
 * memory reserved once per chunk (per 64 KiB of a bigger one), with no printf
 * per row or byte.
 *
 * Every formatter builds the same bytes.  The portable one looks every byte
 * up in tables; it formats single rows, short rows, and whole chunks where
 * nothing faster exists, and it is the reference the others are tested
 * against.  The vectorised ones turn 16 bytes into a row with a few vector
 * instructions: on x86-64 AVX2, which builds two rows at once (one in each
 * 128-bit lane), else SSSE3, chosen at run time so that a plain -O2 build
 * uses the best the CPU has; NEON on little-endian arm64.
 * hexdump_chunk_by() runs any one of them, for the tests and the benchmark.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sockscope/hexdump.h"
#include "sockscope/util.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HEXDUMP_VEC		1
#define HEXDUMP_AVX2		1
#define HEXDUMP_VEC_NAME	"ssse3"
/* The vector code is built for SSSE3 (and AVX2) whatever -march says. */
#define HEXDUMP_VEC_TARGET	__attribute__((target("ssse3")))
#elif defined(__aarch64__) && defined(__ARM_NEON) && \
    defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#include <arm_neon.h>
#define HEXDUMP_VEC		1
#define HEXDUMP_VEC_NAME	"neon"
#define HEXDUMP_VEC_TARGET
#endif

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

/*
 * Reserve room in out for the next slice of a chunk of n bytes at offset
 * off: at most HEXDUMP_SLICE_ROWS rows, every one preceded by ilen bytes
 * of indent.  Sets *take to the bytes the slice holds; returns where its
 * rows go.
 */
static char *
hexdump_reserve(struct sbuf *out, size_t ilen, uint64_t off, size_t n,
    size_t *take)
{
	size_t		rows, w;
	uint64_t	last;

	rows = (n + 15) / 16;
	if (rows > HEXDUMP_SLICE_ROWS)
		rows = HEXDUMP_SLICE_ROWS;
	*take = rows * 16 < n ? rows * 16 : n;

	/*
	 * No row's offset is wider than the last row's, unless the offset
	 * wraps past 2^64.
	 */
	last = off + (uint64_t)(rows - 1) * 16;
	w = last < off ? 16 : hexdump_offset_width(last);
	return sbuf_reserve(out, rows * (ilen + w + HEXDUMP_ROW_FIXED + 1));
}

/* Append the rows of a chunk with the portable, table-driven code. */
void
hexdump_chunk_portable(struct sbuf *out, const char *indent, uint64_t off,
    const unsigned char *p, size_t n)
{
	size_t	 ilen = strlen(indent), i, take;
	char	*d, *start, pad[16];

	/*
	 * A short indent is copied as a fixed 16 bytes (two moves, no call);
	 * the spare bytes are overwritten by the row, which is longer.
	 */
	if (ilen <= sizeof pad) {
		memset(pad, ' ', sizeof pad);
		memcpy(pad, indent, ilen);
	}
	while (n != 0) {
		start = d = hexdump_reserve(out, ilen, off, n, &take);
		for (i = 0; i + 16 <= take; i += 16) {
			if (ilen <= sizeof pad)
				memcpy(d, pad, sizeof pad);
			else
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

#ifdef HEXDUMP_VEC
/*
 * The vectorised row.  After the indent and the offset a full row is 71
 * bytes, its "body": two spaces, the 49 hex columns, " |", 16 gutter bytes,
 * "|\n".  The hex digits of the 16 bytes are computed in two registers, A
 * (bytes 0-7, high digit first) and B (bytes 8-15); each 16-byte piece of
 * the body is a byte shuffle of A, of B, or of the middle of the two (C),
 * with spaces put in where the shuffle index is 0x80 (which gives 0).
 */
#define Z	0x80
static const unsigned char hexdump_vec_const[8][16]
    __attribute__((aligned(16))) = {
	/* The digits. */
	{ '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c',
	  'd', 'e', 'f' },
	/* Body 0-15 from A: "  " and the columns of bytes 0-4. */
	{ Z, Z, 0, 1, Z, 2, 3, Z, 4, 5, Z, 6, 7, Z, 8, 9 },
	/* Body 16-31 from C = A[8..15] B[0..7]: bytes 5-9. */
	{ Z, 2, 3, Z, 4, 5, Z, 6, 7, Z, Z, 8, 9, Z, 10, 11 },
	/* Body 32-47 from B: bytes 10-14. */
	{ Z, 4, 5, Z, 6, 7, Z, 8, 9, Z, 10, 11, Z, 12, 13, Z },
	/* The spaces of those three pieces, where the index is Z. */
	{ ' ', ' ', 0, 0, ' ', 0, 0, ' ', 0, 0, ' ', 0, 0, ' ', 0, 0 },
	{ ' ', 0, 0, ' ', 0, 0, ' ', 0, 0, ' ', ' ', 0, 0, ' ', 0, 0 },
	{ ' ', 0, 0, ' ', 0, 0, ' ', 0, 0, ' ', 0, 0, ' ', 0, 0, ' ' },
	/*
	 * Body 50-52 after byte 15's digits; the rest of the piece is
	 * overwritten by the gutter.
	 */
	{ ' ', ' ', '|', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
	  ' ', ' ', ' ' },
};
#undef Z

#ifdef __x86_64__
/* Whether this CPU runs the vector code. */
static int
hexdump_vec_ok(void)
{
#ifdef __SSSE3__
	return 1;
#else
	return __builtin_cpu_supports("ssse3");
#endif
}

/* Load 16 bytes from anywhere. */
#define HEXDUMP_VLOAD(s) \
	_mm_loadu_si128((const __m128i *)(const void *)(s))
/* Store 16 bytes anywhere. */
#define HEXDUMP_VSTORE(d, v) \
	_mm_storeu_si128((__m128i *)(void *)(d), (v))

/* Write the 71-byte body of the full row of the 16 bytes at p at d. */
static inline HEXDUMP_VEC_TARGET char *
hexdump_vec_body(char *d, const unsigned char *p)
{
	const __m128i	 digits = HEXDUMP_VLOAD(hexdump_vec_const[0]);
	const __m128i	 low = _mm_set1_epi8(0x0f);
	__m128i		 x, hi, lo, a, b, c, ok, g;

	x = HEXDUMP_VLOAD(p);
	hi = _mm_shuffle_epi8(digits,
	    _mm_and_si128(_mm_srli_epi16(x, 4), low));
	lo = _mm_shuffle_epi8(digits, _mm_and_si128(x, low));
	a = _mm_unpacklo_epi8(hi, lo);
	b = _mm_unpackhi_epi8(hi, lo);
	c = _mm_alignr_epi8(b, a, 8);

	HEXDUMP_VSTORE(d, _mm_or_si128(_mm_shuffle_epi8(a,
	    HEXDUMP_VLOAD(hexdump_vec_const[1])),
	    HEXDUMP_VLOAD(hexdump_vec_const[4])));
	HEXDUMP_VSTORE(d + 16, _mm_or_si128(_mm_shuffle_epi8(c,
	    HEXDUMP_VLOAD(hexdump_vec_const[2])),
	    HEXDUMP_VLOAD(hexdump_vec_const[5])));
	HEXDUMP_VSTORE(d + 32, _mm_or_si128(_mm_shuffle_epi8(b,
	    HEXDUMP_VLOAD(hexdump_vec_const[3])),
	    HEXDUMP_VLOAD(hexdump_vec_const[6])));
	HEXDUMP_VSTORE(d + 48, _mm_alignr_epi8(
	    HEXDUMP_VLOAD(hexdump_vec_const[7]), b, 14));

	/*
	 * Adding one maps 0x20-0x7e to exactly the bytes that are above 0x20
	 * as signed (0x7f and 0x80-0xff go negative).  A printable byte is
	 * then ((x - '.') & 0xff) + '.', any other ((x - '.') & 0) + '.'.
	 */
	ok = _mm_cmpgt_epi8(_mm_add_epi8(x, _mm_set1_epi8(1)),
	    _mm_set1_epi8(0x20));
	g = _mm_add_epi8(_mm_and_si128(_mm_sub_epi8(x, _mm_set1_epi8('.')),
	    ok), _mm_set1_epi8('.'));
	HEXDUMP_VSTORE(d + 53, g);
	memcpy(d + 69, "|\n", 2);
	return d + 71;
}
#else
/* Whether this CPU runs the vector code: every arm64 has NEON. */
static int
hexdump_vec_ok(void)
{
	return 1;
}

/* Load 16 bytes from anywhere. */
#define HEXDUMP_VLOAD(s)	vld1q_u8((const uint8_t *)(const void *)(s))
/* Store 16 bytes anywhere. */
#define HEXDUMP_VSTORE(d, v)	vst1q_u8((uint8_t *)(void *)(d), (v))

/* Write the 71-byte body of the full row of the 16 bytes at p at d. */
static inline char *
hexdump_vec_body(char *d, const unsigned char *p)
{
	const uint8x16_t	 digits = HEXDUMP_VLOAD(hexdump_vec_const[0]);
	uint8x16_t		 x, hi, lo, a, b, c, ok;

	x = HEXDUMP_VLOAD(p);
	hi = vqtbl1q_u8(digits, vshrq_n_u8(x, 4));
	lo = vqtbl1q_u8(digits, vandq_u8(x, vdupq_n_u8(0x0f)));
	a = vzip1q_u8(hi, lo);
	b = vzip2q_u8(hi, lo);
	c = vextq_u8(a, b, 8);

	/* Indices of 16 and up (Z) give 0, as with SSSE3. */
	HEXDUMP_VSTORE(d, vorrq_u8(vqtbl1q_u8(a,
	    HEXDUMP_VLOAD(hexdump_vec_const[1])),
	    HEXDUMP_VLOAD(hexdump_vec_const[4])));
	HEXDUMP_VSTORE(d + 16, vorrq_u8(vqtbl1q_u8(c,
	    HEXDUMP_VLOAD(hexdump_vec_const[2])),
	    HEXDUMP_VLOAD(hexdump_vec_const[5])));
	HEXDUMP_VSTORE(d + 32, vorrq_u8(vqtbl1q_u8(b,
	    HEXDUMP_VLOAD(hexdump_vec_const[3])),
	    HEXDUMP_VLOAD(hexdump_vec_const[6])));
	HEXDUMP_VSTORE(d + 48, vextq_u8(b,
	    HEXDUMP_VLOAD(hexdump_vec_const[7]), 14));

	/* Printable is 0x20-0x7e: x - 0x20 below 0x5f. */
	ok = vcltq_u8(vsubq_u8(x, vdupq_n_u8(0x20)), vdupq_n_u8(0x5f));
	HEXDUMP_VSTORE(d + 53, vbslq_u8(ok, x, vdupq_n_u8('.')));
	memcpy(d + 69, "|\n", 2);
	return d + 71;
}
#endif

/* The rows of one run: prefix (plen bytes, of which the offset digits
 * to patch are at plen - 3) then the body, for run rows from p; b is the
 * first row's pair of digits.  Returns the end of what it wrote. */
typedef char *hexdump_run_fn(char *d, const char *prefix, size_t plen,
    unsigned int b, const unsigned char *p, size_t run);

/* The rows of a run with the SSSE3 (or NEON) body, one at a time. */
static HEXDUMP_VEC_TARGET char *
hexdump_vec_run(char *d, const char *prefix, size_t plen, unsigned int b,
    const unsigned char *p, size_t run)
{
	size_t	j;

	/* The prefix's spare bytes are overwritten by the body, and every
	 * row is longer than 32 bytes. */
	for (j = 0; j < run; j++) {
		memcpy(d, prefix, 32);
		memcpy(d + plen - 3, hexdump_hex[b + j], 2);
		d = hexdump_vec_body(d + plen, p + j * 16);
	}
	return d;
}

/*
 * Append the rows of a chunk, each run of full rows by rows(); the indent
 * must be at most 16 bytes.  The vector engines share this.
 *
 * Full rows come in runs that share every offset digit but the second and
 * third from the right, which are (offset >> 4) & 0xff and so change with
 * every row: a run ends where they wrap to 00 (every 256 rows), and so
 * does any change of the offset's width (at 2^32, 2^36 ... and at the wrap
 * past 2^64).  The indent and offset of a run are built once as up to 32
 * bytes of prefix; each row stores the prefix and patches those two digits.
 */
static void
hexdump_chunk_runs(struct sbuf *out, const char *indent, uint64_t off,
    const unsigned char *p, size_t n, hexdump_run_fn *rows)
{
	size_t		 ilen = strlen(indent), i, full, run, plen, take;
	unsigned int	 b;
	char		*d, *start, prefix[32];
	uint64_t	 o;

	while (n != 0) {
		start = d = hexdump_reserve(out, ilen, off, n, &take);
		full = take / 16;
		for (i = 0; i < full; i += run) {
			o = off + (uint64_t)i * 16;
			b = (unsigned int)(o >> 4) & 0xff;
			run = 256 - b < full - i ? 256 - b : full - i;

			memset(prefix, ' ', sizeof prefix);
			memcpy(prefix, indent, ilen);
			plen = (size_t)(hexdump_put_offset(prefix + ilen, o) -
			    prefix);
			d = rows(d, prefix, plen, b, p + i * 16, run);
		}
		if (full * 16 < take) {
			memcpy(d, indent, ilen);
			d = hexdump_put_row(d + ilen, off + full * 16,
			    p + full * 16, take - full * 16);
			*d++ = '\n';
		}

		out->len += (size_t)(d - start);
		out->p[out->len] = '\0';
		off += take;
		p += take;
		n -= take;
	}
}

/* Append the rows of a chunk with the vector body, one row at a time. */
static void
hexdump_chunk_vec(struct sbuf *out, const char *indent, uint64_t off,
    const unsigned char *p, size_t n)
{
	hexdump_chunk_runs(out, indent, off, p, n, hexdump_vec_run);
}

#ifdef HEXDUMP_AVX2
/* Whether this CPU runs the AVX2 code (and has the OS save its registers). */
static int
hexdump_avx2_ok(void)
{
#ifdef __AVX2__
	return 1;
#else
	return __builtin_cpu_supports("avx2");
#endif
}

/* Load 16 bytes from anywhere into both lanes. */
#define HEXDUMP_YBCAST(s)	_mm256_broadcastsi128_si256(HEXDUMP_VLOAD(s))
/* Store 32 bytes anywhere. */
#define HEXDUMP_YSTORE(d, v) \
	_mm256_storeu_si256((__m256i *)(void *)(d), (v))

/*
 * The AVX2 body's pieces beyond those of hexdump_vec_const: body 48-63
 * from T = B[14..15] and the gutter's first 14 bytes, with its spaces and
 * '|'; and the "|\n" that follows the gutter.
 */
#define Z	0x80
static const unsigned char hexdump_avx2_const[3][16]
    __attribute__((aligned(16))) = {
	{ 0, 1, Z, Z, Z, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 },
	{ 0, 0, ' ', ' ', '|', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ '|', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
};
#undef Z

/*
 * Write two full rows, of the 16 bytes at p with its body at d and of the
 * next 16 with its body at e, each after pre (its indent and offset, plen
 * bytes, stored as 32) patched with the two offset digits at h0 or h1.
 *
 * The pieces are built as in hexdump_vec_body() in 256-bit registers, whose
 * shuffles work within each 128-bit lane, so the low lane builds the first
 * row and the high lane the second.  The speed is in the stores, not the
 * shuffles: the lanes of two pieces are paired into one 32-byte store, so
 * a row is five stores (prefix, digits, body 0-31, body 32-63, body
 * 55-70) against nine by SSSE3; and each row's stores go in address order,
 * one row after the other, which measured faster than interleaving them.
 */
static inline __attribute__((target("avx2"))) char *
hexdump_avx2_rows(char *d, char *e, const unsigned char *p, __m256i pre,
    size_t plen, const char *h0, const char *h1)
{
	const __m256i	 digits = HEXDUMP_YBCAST(hexdump_vec_const[0]);
	const __m256i	 low = _mm256_set1_epi8(0x0f);
	__m256i		 x, hi, lo, a, b, c, ok, g, t, v0, v1, v2, v3, r;

	x = _mm256_loadu_si256((const __m256i *)(const void *)p);
	hi = _mm256_shuffle_epi8(digits,
	    _mm256_and_si256(_mm256_srli_epi16(x, 4), low));
	lo = _mm256_shuffle_epi8(digits, _mm256_and_si256(x, low));
	a = _mm256_unpacklo_epi8(hi, lo);
	b = _mm256_unpackhi_epi8(hi, lo);
	c = _mm256_alignr_epi8(b, a, 8);

	v0 = _mm256_or_si256(_mm256_shuffle_epi8(a,
	    HEXDUMP_YBCAST(hexdump_vec_const[1])),
	    HEXDUMP_YBCAST(hexdump_vec_const[4]));
	v1 = _mm256_or_si256(_mm256_shuffle_epi8(c,
	    HEXDUMP_YBCAST(hexdump_vec_const[2])),
	    HEXDUMP_YBCAST(hexdump_vec_const[5]));
	v2 = _mm256_or_si256(_mm256_shuffle_epi8(b,
	    HEXDUMP_YBCAST(hexdump_vec_const[3])),
	    HEXDUMP_YBCAST(hexdump_vec_const[6]));

	/* The gutter g as in hexdump_vec_body(). */
	ok = _mm256_cmpgt_epi8(_mm256_add_epi8(x, _mm256_set1_epi8(1)),
	    _mm256_set1_epi8(0x20));
	g = _mm256_add_epi8(_mm256_and_si256(_mm256_sub_epi8(x,
	    _mm256_set1_epi8('.')), ok), _mm256_set1_epi8('.'));
	t = _mm256_alignr_epi8(g, b, 14);
	v3 = _mm256_or_si256(_mm256_shuffle_epi8(t,
	    HEXDUMP_YBCAST(hexdump_avx2_const[0])),
	    HEXDUMP_YBCAST(hexdump_avx2_const[1]));
	r = _mm256_alignr_epi8(HEXDUMP_YBCAST(hexdump_avx2_const[2]), g, 2);

	/* Each store overwrites the spare bytes of the one before. */
	HEXDUMP_YSTORE(d - plen, pre);
	memcpy(d - 3, h0, 2);
	HEXDUMP_YSTORE(d, _mm256_permute2x128_si256(v0, v1, 0x20));
	HEXDUMP_YSTORE(d + 32, _mm256_permute2x128_si256(v2, v3, 0x20));
	HEXDUMP_VSTORE(d + 55, _mm256_castsi256_si128(r));
	HEXDUMP_YSTORE(e - plen, pre);
	memcpy(e - 3, h1, 2);
	HEXDUMP_YSTORE(e, _mm256_permute2x128_si256(v0, v1, 0x31));
	HEXDUMP_YSTORE(e + 32, _mm256_permute2x128_si256(v2, v3, 0x31));
	HEXDUMP_VSTORE(e + 55, _mm256_extracti128_si256(r, 1));
	return e + 71;
}

/* The rows of a run two at a time with AVX2, the last of an odd run
 * alone through the SSSE3 body; the prefix stays in a register, as the
 * stores could alias its array. */
static __attribute__((target("avx2"))) char *
hexdump_avx2_run(char *d, const char *prefix, size_t plen, unsigned int b,
    const unsigned char *p, size_t run)
{
	__m256i	pre = _mm256_loadu_si256((const __m256i *)(const void *)prefix);
	size_t	j;

	for (j = 0; j + 2 <= run; j += 2) {
		d = hexdump_avx2_rows(d + plen, d + plen + 71 + plen,
		    p + j * 16, pre, plen, hexdump_hex[b + j],
		    hexdump_hex[b + j + 1]);
	}
	if (j < run)
		d = hexdump_vec_run(d, prefix, plen, b + (unsigned int)j,
		    p + j * 16, 1);
	return d;
}

/* Append the rows of a chunk with the AVX2 code (indent at most 16
 * bytes). */
static void
hexdump_chunk_avx2(struct sbuf *out, const char *indent, uint64_t off,
    const unsigned char *p, size_t n)
{
	hexdump_chunk_runs(out, indent, off, p, n, hexdump_avx2_run);
}
#endif
#endif

/* Append every row of a chunk, each with indent and a newline, to out. */
void
hexdump_chunk(struct sbuf *out, const char *indent, uint64_t off,
    const unsigned char *p, size_t n)
{
	if (strlen(indent) <= 16) {
#ifdef HEXDUMP_AVX2
		if (hexdump_avx2_ok()) {
			hexdump_chunk_avx2(out, indent, off, p, n);
			return;
		}
#endif
#ifdef HEXDUMP_VEC
		if (hexdump_vec_ok()) {
			hexdump_chunk_vec(out, indent, off, p, n);
			return;
		}
#endif
	}
	hexdump_chunk_portable(out, indent, off, p, n);
}

/* Format a chunk as hexdump_chunk() does, by the named engine alone. */
int
hexdump_chunk_by(const char *engine, struct sbuf *out, const char *indent,
    uint64_t off, const unsigned char *p, size_t n)
{
	if (strcmp(engine, "portable") == 0) {
		hexdump_chunk_portable(out, indent, off, p, n);
		return 0;
	}
#ifdef HEXDUMP_AVX2
	if (strcmp(engine, "avx2") == 0) {
		if (!hexdump_avx2_ok())
			return -1;
		if (strlen(indent) <= 16)
			hexdump_chunk_avx2(out, indent, off, p, n);
		else
			hexdump_chunk_portable(out, indent, off, p, n);
		return 0;
	}
#endif
#ifdef HEXDUMP_VEC
	if (strcmp(engine, HEXDUMP_VEC_NAME) == 0) {
		if (!hexdump_vec_ok())
			return -1;
		if (strlen(indent) <= 16)
			hexdump_chunk_vec(out, indent, off, p, n);
		else
			hexdump_chunk_portable(out, indent, off, p, n);
		return 0;
	}
#endif
	return -1;
}

/* Name the formatter hexdump_chunk() uses on this machine. */
const char *
hexdump_engine(void)
{
#ifdef HEXDUMP_AVX2
	if (hexdump_avx2_ok())
		return "avx2";
#endif
#ifdef HEXDUMP_VEC
	if (hexdump_vec_ok())
		return HEXDUMP_VEC_NAME;
#endif
	return "portable";
}
