/*
 * hexdump.h: the `hexdump -C` row formatter, the hot path of batch mode.
 *
 * Rows hold 16 bytes and start at the chunk's own stream offset (rows are not
 * realigned to multiples of 16), so a chunk of 6 bytes at offset 0x16 prints
 * one row labelled 00000016.  A row is exactly what `hexdump -C -v` prints
 * for the same bytes: offset (%08x, wider when needed), two spaces, 16 hex
 * columns with an extra space after the eighth, padding for a short row,
 * two spaces, then |gutter| where printable ASCII (0x20-0x7e) appears as
 * itself and every other byte as '.'.
 */
#ifndef SOCKSCOPE_HEXDUMP_H
#define SOCKSCOPE_HEXDUMP_H

#include <stddef.h>
#include <stdint.h>

#include "sockscope/util.h"

/* Longest row without indent or newline (offsets up to 16 hex digits). */
#define HEXDUMP_ROW_MAX 88

/*
 * Format one row of n bytes (1..16) at stream offset off into buf, which
 * must hold HEXDUMP_ROW_MAX + 1 bytes.  No newline.  Returns the length and
 * NUL-terminates.
 */
size_t hexdump_row(char *buf, uint64_t off, const unsigned char *p, size_t n);

/*
 * Like hexdump_row() for a narrow Hex pane: a row of per_row columns (1..16;
 * any other value means 16) holding n bytes (at most per_row), with the
 * extra space after the eighth column only when per_row > 8.  With per_row
 * 16 this is hexdump_row().  buf must hold HEXDUMP_ROW_MAX + 1 bytes.
 */
size_t hexdump_row_n(char *buf, uint64_t off, const unsigned char *p,
    size_t n, size_t per_row);

/*
 * Append every row of a chunk of n bytes starting at stream offset off to
 * out, each row preceded by indent (may be "") and followed by '\n'.
 * n == 0 appends nothing.
 */
void hexdump_chunk(struct sbuf *out, const char *indent, uint64_t off,
    const unsigned char *p, size_t n);

/*
 * hexdump_chunk() by the portable table-driven code alone, whatever the
 * machine: the same bytes, more slowly.  hexdump_chunk() uses vector code
 * where it can (an indent of at most 16 bytes, and a CPU hexdump_engine()
 * names); the tests and the fuzz target compare the two.
 */
void hexdump_chunk_portable(struct sbuf *out, const char *indent,
    uint64_t off, const unsigned char *p, size_t n);

/*
 * hexdump_chunk() by the named engine alone ("portable", "avx2", "ssse3" or
 * "neon"), for the tests and the benchmark to run each one this machine
 * has; the vector engines still leave an indent of more than 16 bytes to
 * the portable code.  Returns 0, or -1 without appending anything when
 * this build or CPU lacks the engine.
 */
int hexdump_chunk_by(const char *engine, struct sbuf *out,
    const char *indent, uint64_t off, const unsigned char *p, size_t n);

/*
 * The formatter hexdump_chunk() uses on this machine, the first it has of
 * "avx2" then "ssse3" (x86-64, chosen at run time), "neon" (arm64), or
 * "portable".  A static string.
 */
const char *hexdump_engine(void);

#endif
