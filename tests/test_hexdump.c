/*
 * test_hexdump.c: checks hexdump_row() and hexdump_chunk() against the real
 * `hexdump -C -v` on the same bytes at the same stream offsets (through
 * `-s`, on a sparse temporary file), plus fixed rows that need no hexdump;
 * and hexdump_chunk() and every vector engine this machine has (AVX2 and
 * SSSE3 on x86-64, through hexdump_chunk_by()) against the portable code,
 * the reference, for every byte value in every column at every length up
 * to 64 and at offsets where the offset column changes.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockscope/hexdump.h"
#include "sockscope/util.h"

/* The vector engines hexdump_chunk_by() may have, besides "portable". */
static const char *test_engines[] = { "avx2", "ssse3", "neon" };

/* Fill p with n bytes from a fixed xorshift generator. */
static void
test_random_bytes(unsigned char *p, size_t n, uint32_t seed)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		p[i] = (unsigned char)(seed >> 24);
	}
}

/* Skip the calling test when hexdump cannot be run. */
static void
test_need_hexdump(void)
{
	if (system("hexdump -C -v </dev/null >/dev/null 2>&1") != 0)
		skip();
}

/*
 * Put n bytes at offset off in a sparse temporary file and return what
 * `hexdump -C -v -s off` prints for them, without the final offset-only
 * line, each row preceded by indent.  The caller frees the result.
 */
static char *
test_real_hexdump(const char *indent, uint64_t off, const unsigned char *p,
    size_t n)
{
	struct sbuf	 b = { 0 };
	const char	*tmp = getenv("TMPDIR");
	char		*path, *cmd, line[256];
	FILE		*f;
	int		 fd;
	size_t		 len;

	if (tmp == NULL || *tmp == '\0' || strchr(tmp, '\'') != NULL)
		tmp = "/tmp";
	path = xasprintf("%s/test_hexdump.XXXXXX", tmp);
	fd = mkstemp(path);
	assert_true(fd != -1);
	assert_int_equal(ftruncate(fd, (off_t)off), 0);
	if (n != 0)
		assert_int_equal(pwrite(fd, p, n, (off_t)off), (ssize_t)n);
	close(fd);

	cmd = xasprintf("LC_ALL=C hexdump -C -v -s %llu '%s'",
	    (unsigned long long)off, path);
	f = popen(cmd, "r");
	assert_non_null(f);
	free(cmd);
	while (fgets(line, sizeof line, f) != NULL) {
		len = strlen(line);
		assert_true(len > 0 && line[len - 1] == '\n');
		/* The last line holds only the end offset. */
		if (strchr(line, '|') == NULL)
			continue;
		sbuf_adds(&b, indent);
		sbuf_add(&b, line, len);
	}
	assert_int_equal(pclose(f), 0);
	unlink(path);
	free(path);
	if (b.p == NULL)
		return xstrdup("");
	return b.p;
}

/*
 * Check one chunk at offset off against hexdump, with and without indent,
 * by hexdump_chunk() and by the portable code.
 */
static void
test_compare(uint64_t off, const unsigned char *p, size_t n)
{
	const char	*indents[] = { "", "  " };
	struct sbuf	 out = { 0 };
	char		*want;
	size_t		 i;

	for (i = 0; i < 2; i++) {
		want = test_real_hexdump(indents[i], off, p, n);
		sbuf_reset(&out);
		hexdump_chunk(&out, indents[i], off, p, n);
		assert_string_equal(out.p == NULL ? "" : out.p, want);
		assert_int_equal(out.len, strlen(want));
		sbuf_reset(&out);
		hexdump_chunk_portable(&out, indents[i], off, p, n);
		assert_string_equal(out.p == NULL ? "" : out.p, want);
		free(want);
	}
	sbuf_free(&out);
}

/*
 * Check that got, formatted by engine, is exactly want, the portable
 * output; say which chunk and row differ before failing.
 */
static void
test_same_text(const char *engine, const struct sbuf *got,
    const struct sbuf *want, const char *indent, uint64_t off, size_t n)
{
	size_t	i, row;

	if (got->len == want->len &&
	    memcmp(got->p, want->p, want->len + 1) == 0)
		return;
	for (i = row = 0; got->p[i] == want->p[i]; i++) {
		if (got->p[i] == '\n')
			row = i + 1;
	}
	print_error("%s: indent \"%s\" offset %#llx length %zu, byte %zu:\n"
	    "vector:   %.*s\nportable: %.*s\n", engine, indent,
	    (unsigned long long)off, n, i,
	    (int)strcspn(got->p + row, "\n"), got->p + row,
	    (int)strcspn(want->p + row, "\n"), want->p + row);
	fail();
}

/*
 * Check that hexdump_chunk(), and each vector engine this machine has,
 * appends exactly what the portable code does for one chunk, after some
 * text already in the buffer.
 */
static void
test_same_as_portable(const char *indent, uint64_t off,
    const unsigned char *p, size_t n)
{
	struct sbuf	 got = { 0 }, want = { 0 };
	size_t		 i;

	sbuf_adds(&want, "< #1 recv\n");
	hexdump_chunk_portable(&want, indent, off, p, n);
	sbuf_adds(&got, "< #1 recv\n");
	hexdump_chunk(&got, indent, off, p, n);
	test_same_text(hexdump_engine(), &got, &want, indent, off, n);
	for (i = 0; i < sizeof test_engines / sizeof test_engines[0]; i++) {
		sbuf_reset(&got);
		sbuf_adds(&got, "< #1 recv\n");
		if (hexdump_chunk_by(test_engines[i], &got, indent, off, p,
		    n) == 0)
			test_same_text(test_engines[i], &got, &want, indent,
			    off, n);
	}
	sbuf_free(&got);
	sbuf_free(&want);
}

/* Lengths around the row and half-row edges match hexdump at offset 0. */
static void
test_lengths(void **state)
{
	static const size_t	 lens[] = { 0, 1, 7, 8, 9, 15, 16, 17, 31, 32,
	    33, 100, 4096 };
	unsigned char		 buf[4096];
	size_t			 i;

	(void)state;
	test_need_hexdump();
	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		test_random_bytes(buf, lens[i], 0x1234u + (uint32_t)i);
		test_compare(0, buf, lens[i]);
	}
}

/* All 256 byte values, in order and reversed, match hexdump. */
static void
test_all_bytes(void **state)
{
	unsigned char	buf[512];
	size_t		i;

	(void)state;
	test_need_hexdump();
	for (i = 0; i < 256; i++) {
		buf[i] = (unsigned char)i;
		buf[511 - i] = (unsigned char)i;
	}
	test_compare(0, buf, sizeof buf);
}

/* A stream cut into chunks labels each chunk's rows from its own offset. */
static void
test_continued_offsets(void **state)
{
	static const size_t	 cuts[] = { 6, 10, 1, 17, 16, 33, 100, 7, 1,
	    9 };
	unsigned char		 buf[200];
	struct sbuf		 out = { 0 };
	size_t			 i, off = 0;

	(void)state;
	test_need_hexdump();
	test_random_bytes(buf, sizeof buf, 77);
	for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		test_compare(off, buf + off, cuts[i]);
		off += cuts[i];
	}
	assert_int_equal(off, sizeof buf);

	/* The second chunk of "hello\n" + "world" starts at 00000006. */
	hexdump_chunk(&out, "", 0, (const unsigned char *)"hello\n", 6);
	hexdump_chunk(&out, "", 6, (const unsigned char *)"world", 5);
	assert_string_equal(out.p,
	    "00000000  68 65 6c 6c 6f 0a                                 "
	    "|hello.|\n"
	    "00000006  77 6f 72 6c 64                                    "
	    "|world|\n");
	sbuf_free(&out);
}

/* Offsets past 4 GiB widen to nine digits exactly as hexdump prints them. */
static void
test_big_offsets(void **state)
{
	unsigned char	buf[64];

	(void)state;
	test_need_hexdump();
	test_random_bytes(buf, sizeof buf, 99);
	test_compare(0xfffffff0ULL, buf, sizeof buf);
	test_compare(0xfffffff6ULL, buf, 26);
	test_compare(0xffffffffULL, buf, 2);
	test_compare(0x100000000ULL, buf, 17);
}

/* Rows with no hexdump to compare with: the widest offsets and wrap-around. */
static void
test_fixed_rows(void **state)
{
	char		*buf;
	struct sbuf	 out = { 0 };
	size_t		 len;

	(void)state;
	/* Exactly the promised size, so ASan sees any overrun. */
	buf = xmalloc(HEXDUMP_ROW_MAX + 1);

	len = hexdump_row(buf, 0, (const unsigned char *)"hello\n", 6);
	assert_string_equal(buf,
	    "00000000  68 65 6c 6c 6f 0a                                 "
	    "|hello.|");
	assert_int_equal(len, strlen(buf));

	len = hexdump_row(buf, 0xfffffffffffffff0ULL,
	    (const unsigned char *)"0123456789abcdef", 16);
	assert_string_equal(buf, "fffffffffffffff0  30 31 32 33 34 35 36 37  "
	    "38 39 61 62 63 64 65 66  |0123456789abcdef|");
	assert_int_equal(len, 86);
	assert_true(len <= HEXDUMP_ROW_MAX);

	len = hexdump_row(buf, 0x100000006ULL, (const unsigned char *)"\0\x7f",
	    2);
	assert_string_equal(buf, "100000006  00 7f"
	    "                                             |..|");
	free(buf);

	/* Past 2^64 the offset wraps rather than overrunning the buffer. */
	hexdump_chunk(&out, "> ", 0xfffffffffffffff8ULL,
	    (const unsigned char *)"ABCDEFGHIJKLMNOPQRSTUVWX", 24);
	assert_string_equal(out.p,
	    "> fffffffffffffff8  41 42 43 44 45 46 47 48  "
	    "49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|\n"
	    "> 00000008  51 52 53 54 55 56 57 58"
	    "                           |QRSTUVWX|\n");
	sbuf_free(&out);
}

/* The indent goes before every row and existing buffer content is kept. */
static void
test_indent_and_append(void **state)
{
	unsigned char	 buf[40];
	struct sbuf	 out = { 0 };
	const char	*line, *nl;
	size_t		 rows = 0;

	(void)state;
	test_random_bytes(buf, sizeof buf, 5);
	sbuf_adds(&out, "< #1 recv 40 bytes\n");
	hexdump_chunk(&out, "\t>> ", 32, buf, sizeof buf);
	assert_int_equal(strncmp(out.p, "< #1 recv 40 bytes\n", 19), 0);
	for (line = out.p + 19; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		assert_int_equal(strncmp(line, "\t>> ", 4), 0);
		rows++;
	}
	assert_int_equal(rows, 3);
	assert_int_equal(out.len, strlen(out.p));

	/* An empty chunk appends nothing. */
	hexdump_chunk(&out, "  ", 72, buf, 0);
	assert_int_equal(out.len, strlen(out.p));
	/* Two full rows of 4 + 78 + 1 and one of eight bytes. */
	assert_int_equal(out.len, 19 + 2 * 83 + 4 + 70 + 1);
	sbuf_free(&out);
}

/* The gutter holds only 0x20-0x7e: each byte as itself or '.'. */
static void
test_gutter(void **state)
{
	unsigned char	 buf[16];
	char		 row[HEXDUMP_ROW_MAX + 1];
	const char	*g;
	size_t		 i, j, len;

	(void)state;
	for (i = 0; i < 256; i += 16) {
		for (j = 0; j < 16; j++)
			buf[j] = (unsigned char)(i + j);
		len = hexdump_row(row, i, buf, 16);
		assert_int_equal(len, 78);
		for (j = 0; j < len; j++)
			assert_true(row[j] >= 0x20 && row[j] <= 0x7e);
		g = strchr(row, '|');
		assert_non_null(g);
		for (j = 0; j < 16; j++) {
			if (buf[j] >= 0x20 && buf[j] <= 0x7e)
				assert_int_equal(g[1 + j], buf[j]);
			else
				assert_int_equal(g[1 + j], '.');
		}
		assert_int_equal(g[17], '|');
		assert_int_equal(g[18], '\0');
	}
}

/* Narrow rows keep the hexdump layout with fewer columns. */
static void
test_narrow_rows(void **state)
{
	static const size_t	 pers[] = { 1, 4, 8, 9, 12, 16 };
	const unsigned char	*abc = (const unsigned char *)
	    "ABCDEFGHIJKLMNOP";
	char			 buf[HEXDUMP_ROW_MAX + 1];
	char			 want[HEXDUMP_ROW_MAX + 1];
	size_t			 i, n, per, len;

	(void)state;
	len = hexdump_row_n(buf, 0x20, abc, 8, 8);
	assert_string_equal(buf,
	    "00000020  41 42 43 44 45 46 47 48  |ABCDEFGH|");
	assert_int_equal(len, strlen(buf));
	hexdump_row_n(buf, 0x28, abc, 3, 8);
	assert_string_equal(buf,
	    "00000028  41 42 43                 |ABC|");
	hexdump_row_n(buf, 0x100000000ULL, abc, 4, 4);
	assert_string_equal(buf, "100000000  41 42 43 44  |ABCD|");
	hexdump_row_n(buf, 0, abc, 10, 12);
	assert_string_equal(buf, "00000000  41 42 43 44 45 46 47 48  49 4a"
	    "        |ABCDEFGHIJ|");

	/* Too many bytes are cut to per_row. */
	hexdump_row_n(buf, 0, abc, 16, 4);
	assert_string_equal(buf, "00000000  41 42 43 44  |ABCD|");

	/* Full rows are as wide as layout.c expects. */
	for (i = 0; i < sizeof pers / sizeof pers[0]; i++) {
		per = pers[i];
		len = hexdump_row_n(buf, 0, abc, per, per);
		assert_int_equal(len, 10 + per * 3 + (per > 8 ? 1 : 0) + 1 +
		    per + 2);
	}

	/* Sixteen columns, or a nonsense width, is hexdump_row(). */
	for (n = 1; n <= 16; n++) {
		hexdump_row(want, 0xabc, abc, n);
		hexdump_row_n(buf, 0xabc, abc, n, 16);
		assert_string_equal(buf, want);
		hexdump_row_n(buf, 0xabc, abc, n, 0);
		assert_string_equal(buf, want);
		hexdump_row_n(buf, 0xabc, abc, n, 17);
		assert_string_equal(buf, want);
	}
}

/* A chunk bigger than one reservation slice formats the same as row calls. */
static void
test_large_chunk(void **state)
{
	unsigned char	*buf;
	struct sbuf	 out = { 0 }, want = { 0 };
	char		 row[HEXDUMP_ROW_MAX + 1];
	size_t		 n = 3 * 65536 + 5, i, len;

	(void)state;
	buf = xmalloc(n);
	test_random_bytes(buf, n, 3);
	hexdump_chunk(&out, "  ", 0xffff0000ULL, buf, n);
	for (i = 0; i < n; i += 16) {
		len = hexdump_row(row, 0xffff0000ULL + i, buf + i,
		    n - i < 16 ? n - i : 16);
		sbuf_adds(&want, "  ");
		sbuf_add(&want, row, len);
		sbuf_addc(&want, '\n');
	}
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.p, want.p, want.len);
	sbuf_free(&out);
	sbuf_free(&want);
	free(buf);
}

/*
 * The best vector formatter is really in use where this machine has one,
 * and hexdump_chunk_by() runs exactly the engines the CPU has, so that the
 * tests below compare different formatters.
 */
static void
test_engine(void **state)
{
	const char	*engine = hexdump_engine();
	struct sbuf	 out = { 0 };
	char		 row[HEXDUMP_ROW_MAX + 1];
	int		 have[3] = { 0, 0, 0 };
	size_t		 i;

	(void)state;
#if defined(__x86_64__)
	have[0] = __builtin_cpu_supports("avx2") != 0;
	have[1] = __builtin_cpu_supports("ssse3") != 0;
#elif defined(__aarch64__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	have[2] = 1;
#endif
	for (i = 0; i < 3; i++) {
		if (have[i]) {
			assert_string_equal(engine, test_engines[i]);
			break;
		}
	}
	if (i == 3)
		assert_string_equal(engine, "portable");

	for (i = 0; i < 3; i++) {
		assert_int_equal(hexdump_chunk_by(test_engines[i], &out, "",
		    16, (const unsigned char *)"AB", 2), have[i] ? 0 : -1);
	}
	assert_int_equal(hexdump_chunk_by("portable", &out, "", 16,
	    (const unsigned char *)"AB", 2), 0);
	assert_int_equal(hexdump_chunk_by("sse9", &out, "", 16,
	    (const unsigned char *)"AB", 2), -1);
	/* One row for each engine that ran. */
	assert_int_equal(out.len, (size_t)(1 + have[0] + have[1] + have[2]) *
	    (hexdump_row(row, 16, (const unsigned char *)"AB", 2) + 1));
	sbuf_free(&out);
}

/*
 * Every byte value in every column of a row (so in both rows of an AVX2
 * pair and in the odd row after), at every length 0..64 and every offset
 * modulo 16, where the offset's second and third digits from
 * the right wrap (0x...ff0 to 0x...000), at 32-bit wrap (00000000ffffffff
 * to 100000000, where the column widens), at 2^44 (11 to 12 digits) and
 * past 2^64: the output of every vector engine equals the portable one.
 */
static void
test_vector_every_byte(void **state)
{
	static const uint64_t	 bases[] = { 0, 0xf00, 0xffffff00ULL,
	    0xfffffffff00ULL, 0xffffffffffffff00ULL };
	static const char	*indents[] = { "", "  " };
	unsigned char		 buf[256 + 64];
	size_t			 b, s, n, k;

	(void)state;
	for (s = 0; s < sizeof buf; s++)
		buf[s] = (unsigned char)s;
	for (b = 0; b < sizeof bases / sizeof bases[0]; b++) {
		for (k = 0; k < 2; k++) {
			/* At buf + s, byte v is in column (v - s) % 16. */
			for (s = 0; s < 256; s++) {
				for (n = 0; n <= 64; n++)
					test_same_as_portable(indents[k],
					    bases[b] + s, buf + s, n);
			}
		}
	}
}

/*
 * Indents of 0 to 20 bytes, the vector code taking those up to 16, with
 * offsets of 8, 9 and 16 digits.
 */
static void
test_vector_indents(void **state)
{
	static const char	 indent[] = "\t>> 0123456789abcdefgh";
	static const size_t	 lens[] = { 1, 15, 16, 17, 32, 33, 64 };
	unsigned char		 buf[64];
	size_t			 i, k;

	(void)state;
	test_random_bytes(buf, sizeof buf, 11);
	for (k = 0; k <= 20; k++) {
		for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
			test_same_as_portable(indent + sizeof indent - 1 - k,
			    0xfffffff0ULL, buf, lens[i]);
			test_same_as_portable(indent + sizeof indent - 1 - k,
			    0x1234567, buf, lens[i]);
			test_same_as_portable(indent + sizeof indent - 1 - k,
			    0xffffffffffffffe0ULL, buf, lens[i]);
		}
	}
}

/*
 * Large chunks, over more than one reservation slice and across 32-bit
 * wrap, and a stream cut as recv() cuts it: the same as the portable code.
 */
static void
test_vector_large(void **state)
{
	static const size_t	 lens[] = { 4095, 4096, 4097, 65536,
	    3 * 65536 + 5, (1 << 20) + 9 };
	static const uint64_t	 offs[] = { 0, 7, 0xfff00003ULL,
	    0xffffffffULL - 70000 };
	unsigned char		*buf;
	size_t			 n = (1 << 20) + 9, i, j, cut;
	uint64_t		 off;

	(void)state;
	buf = xmalloc(n);
	test_random_bytes(buf, n, 42);
	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		for (j = 0; j < sizeof offs / sizeof offs[0]; j++)
			test_same_as_portable("  ", offs[j], buf, lens[i]);
	}
	for (i = 0, off = 0xffff0000ULL; i < n; i += cut, off += cut) {
		cut = (buf[i] * 37u + 1) % 4096 + 1;
		if (cut > n - i)
			cut = n - i;
		test_same_as_portable("  ", off, buf + i, cut);
	}
	free(buf);
}

/* Run the hexdump tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_all_bytes),
		cmocka_unit_test(test_continued_offsets),
		cmocka_unit_test(test_big_offsets),
		cmocka_unit_test(test_fixed_rows),
		cmocka_unit_test(test_indent_and_append),
		cmocka_unit_test(test_gutter),
		cmocka_unit_test(test_narrow_rows),
		cmocka_unit_test(test_large_chunk),
		cmocka_unit_test(test_engine),
		cmocka_unit_test(test_vector_every_byte),
		cmocka_unit_test(test_vector_indents),
		cmocka_unit_test(test_vector_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
