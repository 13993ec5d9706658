/*
 * textwidth.c: how the input line's text is drawn and how wide it is, in
 * display units decided by the locale (mbrtowc + wcwidth).  Owns the rule
 * of what may reach the terminal as itself from the input line: printable
 * characters only; every control, invalid byte, zero-width, format or bidi
 * character is drawn escaped.  Called by prompt.c to draw the line, place
 * the cursor and scroll horizontally; unit-tested under C.UTF-8.
 */
#include "config.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "sockscope/textwidth.h"

/* Columns of one byte drawn as "\xHH". */
#define TEXTWIDTH_HEX_COLS 4

/* Longest character escaped as a whole: 32 bytes hold 7 "\xHH" and a NUL. */
#define TEXTWIDTH_ESC_MAX 7

/* Draw n bytes as "\xHH" each into buf (if not NULL); return the columns. */
static int
textwidth_hex(const char *s, size_t n, char *buf)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i;
	unsigned char		 c;

	if (buf != NULL) {
		for (i = 0; i < n; i++) {
			c = (unsigned char)s[i];
			*buf++ = '\\';
			*buf++ = 'x';
			*buf++ = hex[c >> 4];
			*buf++ = hex[c & 0xf];
		}
		*buf = '\0';
	}
	return (int)n * TEXTWIDTH_HEX_COLS;
}

/*
 * Nonzero for a character that must not reach the terminal even though
 * wcwidth() may call it printable: C1 controls, bidi controls, soft hyphen,
 * line and paragraph separators, zero-width and format characters and
 * noncharacters (the same list as textesc.h).
 */
static int
textwidth_unsafe(wchar_t wc)
{
#ifdef __STDC_ISO_10646__
	unsigned long	cp = (unsigned long)wc;

	if (cp >= 0x80 && cp <= 0x9f)
		return 1;
	if (cp == 0xad || cp == 0x61c || cp == 0x200e || cp == 0x200f)
		return 1;
	if (cp >= 0x200b && cp <= 0x200d)
		return 1;
	if (cp >= 0x2028 && cp <= 0x202e)
		return 1;
	if (cp >= 0x2060 && cp <= 0x2069)
		return 1;
	if (cp == 0xfeff)
		return 1;
	if (cp >= 0xfdd0 && cp <= 0xfdef)
		return 1;
	if ((cp & 0xfffe) == 0xfffe)
		return 1;
#else
	(void)wc;
#endif
	return 0;
}

/* One display unit at s[0..n): its length in *len, its columns returned. */
int
textwidth_unit(const char *s, size_t n, size_t *len, char *buf)
{
	unsigned char	c;
	mbstate_t	st;
	wchar_t		wc;
	size_t		r;
	int		w;

	if (n == 0) {
		*len = 0;
		if (buf != NULL)
			buf[0] = '\0';
		return 0;
	}
	c = (unsigned char)s[0];
	*len = 1;

	/* C0 controls and DEL as ^X; ASCII is the same in every locale. */
	if (c < 0x20 || c == 0x7f) {
		if (buf != NULL) {
			buf[0] = '^';
			buf[1] = c == 0x7f ? '?' : (char)(c + 0x40);
			buf[2] = '\0';
		}
		return 2;
	}
	if (c < 0x80) {
		if (buf != NULL) {
			buf[0] = (char)c;
			buf[1] = '\0';
		}
		return 1;
	}

	/* A fresh state per unit: a bad byte never spoils what follows. */
	memset(&st, 0, sizeof st);
	r = mbrtowc(&wc, s, n, &st);
	if (r == (size_t)-1 || r == (size_t)-2 || r == 0 ||
	    r > TEXTWIDTH_ESC_MAX)
		return textwidth_hex(s, 1, buf);
	*len = r;
	w = wcwidth(wc);
	if (w <= 0 || !iswprint((wint_t)wc) || textwidth_unsafe(wc))
		return textwidth_hex(s, r, buf);
	if (buf != NULL) {
		memcpy(buf, s, r);
		buf[r] = '\0';
	}
	return w;
}

/* Columns the first n bytes of s take when drawn unit by unit. */
size_t
textwidth_cols(const char *s, size_t n)
{
	size_t	cols = 0, i = 0, len;

	while (i < n) {
		/* Printable ASCII needs no call: long pasted lines are mostly it. */
		if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f) {
			cols++;
			i++;
			continue;
		}
		cols += (size_t)textwidth_unit(s + i, n - i, &len, NULL);
		i += len;
	}
	return cols;
}

/* Nonzero if the locale's multibyte encoding is UTF-8. */
static int
textwidth_utf8(void)
{
	const char	*cs = nl_langinfo(CODESET);

	return cs != NULL && (strcmp(cs, "UTF-8") == 0 ||
	    strcmp(cs, "utf8") == 0 || strcmp(cs, "utf-8") == 0);
}

/* Nonzero for a UTF-8 continuation byte. */
static int
textwidth_cont(const char *s, size_t i)
{
	return ((unsigned char)s[i] & 0xc0) == 0x80;
}

/* The start of the unit holding byte pos of s[0..n) (pos if it starts one). */
size_t
textwidth_start(const char *s, size_t n, size_t pos)
{
	size_t	r, len;

	if (pos >= n)
		return n;
	if (MB_CUR_MAX == 1)
		return pos;

	/*
	 * Find r <= pos where a unit surely starts, then walk forward.  In
	 * UTF-8 a unit is one bad byte or a whole character whose later
	 * bytes are continuation bytes, so a unit starts at every byte that
	 * is not one, and at a continuation byte with three more before it.
	 * That finds r within three bytes of pos.  Other multibyte encodings
	 * have no such property: walk from the start.
	 */
	r = 0;
	if (textwidth_utf8()) {
		r = pos;
		while (r > 0 && textwidth_cont(s, r)) {
			if (r >= 3 && textwidth_cont(s, r - 1) &&
			    textwidth_cont(s, r - 2) && textwidth_cont(s, r - 3))
				break;
			r--;
		}
	}
	for (;;) {
		textwidth_unit(s + r, n - r, &len, NULL);
		if (r + len > pos)
			return r;
		r += len;
	}
}

/* The bytes of the first row of s when wrapped to cols columns. */
size_t
textwidth_wrap(const char *s, size_t n, size_t cols)
{
	size_t	i = 0, used = 0, len, space = 0;
	int	w;

	while (i < n) {
		w = textwidth_unit(s + i, n - i, &len, NULL);
		if (used + (size_t)w > cols) {
			/* Break after the last space, else inside the word. */
			if (space > 0)
				return space;
			return i > 0 ? i : len;
		}
		used += (size_t)w;
		i += len;
		if (s[i - len] == ' ')
			space = i;
	}
	return n;
}
