/*
 * textwidth.h: display width of text for the input line, from the
 * locale (mbrtowc + wcwidth).  Used by prompt.c to place the cursor and to
 * scroll a long line horizontally.  Pure apart from the locale, which the
 * caller sets (setlocale(LC_ALL, "")); unit-tested under C.UTF-8.
 *
 * Widths follow what prompt.c draws (see textwidth_unit()): nothing typed
 * or pasted reaches the terminal raw.
 */
#ifndef SOCKSCOPE_TEXTWIDTH_H
#define SOCKSCOPE_TEXTWIDTH_H

#include <stddef.h>

/*
 * One display unit of s at s[0..n): how many bytes it takes (*len, >= 1)
 * and how many columns it is drawn in (return value).  Kinds:
 *   a printable character with wcwidth() >= 1: its bytes, that width;
 *   a C0 control or DEL: 2 columns, drawn as "^X" or "^?";
 *   a valid character with wcwidth() <= 0 (combining, zero-width,
 *   format), a C1 control (U+0080-U+009F), a bidi control (U+061C,
 *   U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) or another character
 *   textesc.h never lets through: drawn like an invalid byte, "\xHH" per
 *   byte (lower-case hex), 4 columns each;
 *   an invalid or cut-short byte: 1 byte, 4 columns ("\xHH").
 * If buf is not NULL, the unit's drawn form is written there with a NUL
 * (buf must hold 32 bytes).
 */
int textwidth_unit(const char *s, size_t n, size_t *len, char *buf);

/* Columns the first n bytes of s take when drawn unit by unit. */
size_t textwidth_cols(const char *s, size_t n);

/*
 * The start of the unit that holds byte pos of s[0..n): pos itself if a
 * unit starts there, n if pos >= n.  Lets prompt.c step back through a
 * long line: constant time in UTF-8 and single-byte locales, a walk from
 * the start of s in other multibyte encodings.
 */
size_t textwidth_start(const char *s, size_t n, size_t pos);

/*
 * Where to end the first row of s[0..n) when it is wrapped to cols columns
 * (cols >= 1): returns the bytes of the row, after the last space that
 * lets it fit, or where the columns run out when a word is longer than a
 * row (never inside a unit, and at least one unit); n if all of it fits.
 * The caller skips the spaces that start the next row.
 */
size_t textwidth_wrap(const char *s, size_t n, size_t cols);

#endif
