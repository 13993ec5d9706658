/*
 * textesc.h: making peer bytes and user text safe to show on a terminal.
 *
 * Nothing produced here ever contains a C0 control, DEL, a C1 control (raw
 * 0x80-0x9f or UTF-8 encoded U+0080-U+009F), an escape sequence, invalid,
 * overlong or surrogate UTF-8, a bidi control (U+061C, U+200E, U+200F,
 * U+202A-U+202E, U+2066-U+2069) or a zero-width/format character (U+200B-
 * U+200D, U+2060-U+2064, U+FEFF, U+00AD), U+2028/U+2029, or a noncharacter:
 * each such byte is shown escaped instead.
 *
 * Pure: no locale is consulted; UTF-8 is decoded here.
 */
#ifndef SOCKSCOPE_TEXTESC_H
#define SOCKSCOPE_TEXTESC_H

#include <stddef.h>
#include <stdint.h>

#include "sockscope/util.h"

/*
 * Quote bytes for a one-line message (error lines, quoted user input):
 * printable ASCII as itself except '\\', which becomes "\\\\"; \r \n \t as
 * "\\r" "\\n" "\\t"; every other byte as "\\xHH".  Valid printable non-ASCII
 * UTF-8 is kept when utf8 is nonzero, escaped byte by byte otherwise.
 * Appends to out; does not add a NUL beyond sbuf's own.
 */
void textesc_quote(struct sbuf *out, const void *p, size_t n, int utf8);

/* Like textesc_quote() on a C string into a malloc'd string (utf8 kept). */
char *textesc_quote_str(const char *s);

/*
 * Decode one UTF-8 sequence at p (n bytes available).  Returns its length
 * (1-4) and stores the code point in *cp, or returns 0 when the bytes at p
 * do not start a valid, shortest-form, non-surrogate sequence <= U+10FFFF
 * (including when it is cut short by n).
 */
size_t textesc_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);

/* Nonzero if cp may be drawn as itself (see the list at the top). */
int textesc_printable(uint32_t cp);

/*
 * The Text pane's rendering of a chunk: \r \n \t shown as the two
 * characters "\\r" "\\n" "\\t", a backslash as "\\\\", printable ASCII and
 * printable UTF-8 as themselves, everything else as "\\xHH" per byte.
 * A row ends after each "\\n" (the escaped newline is the row's last text).
 *
 * The callback receives each row in turn (NUL-terminated, no newline);
 * rows longer than wrap display columns are split into several rows when
 * wrap > 0 (a wide character counts 2 columns when textesc_width() says so;
 * an escape like "\\x1b" is never split).  Returns the number of rows.
 */
typedef void textesc_row_fn(const char *row, size_t len, void *arg);
size_t textesc_text_rows(const unsigned char *p, size_t n, size_t wrap,
    textesc_row_fn *fn, void *arg);

/* Display columns of a printable code point: 2 for East Asian wide and
 * fullwidth characters and most emoji, 1 otherwise. */
int textesc_width(uint32_t cp);

/*
 * The width the terminal will give a printable code point (wcwidth() on
 * the screen), or -1 when it does not know the character (unassigned in
 * its C library) and would draw a blank.  With such a function set,
 * those code points are shown escaped as "\u{378}" (width: its
 * characters), and others take the width it says.  NULL, the default,
 * keeps textesc pure: textesc_width() decides and nothing is unknown.
 */
typedef int textesc_width_fn(uint32_t cp);
void textesc_set_term_width(textesc_width_fn *fn);

#endif
