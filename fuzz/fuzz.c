/*
 * fuzz.c: the input reader and the safety checks shared by the fuzz
 * targets in fuzz/ (see fuzz.h).  Linked into every target, both with
 * libFuzzer and with fuzz/driver.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/textesc.h"

#include "fuzz.h"

/* Print what broke and up to 256 of the bytes concerned, then abort. */
void
fuzz_fail(const char *file, int line, const char *what, const void *p,
    size_t n)
{
	const unsigned char	*s = p;
	size_t			 i;

	fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
	if (s != NULL) {
		fprintf(stderr, "  %zu bytes:", n);
		for (i = 0; i < n && i < 256; i++)
			fprintf(stderr, "%s%02x", i % 32 == 0 ? "\n  " : " ",
			    s[i]);
		fprintf(stderr, "%s\n", n > 256 ? " ..." : "");
	}
	abort();
}

/* Take one byte of input, or 0 when none is left. */
uint8_t
fuzz_u8(struct fuzz_input *in)
{
	uint8_t	v;

	if (in->n == 0)
		return 0;
	v = in->p[0];
	in->p++;
	in->n--;
	return v;
}

/* Take four bytes of input, little-endian. */
uint32_t
fuzz_u32(struct fuzz_input *in)
{
	uint32_t	v = 0;
	int		i;

	for (i = 0; i < 4; i++)
		v |= (uint32_t)fuzz_u8(in) << (8 * i);
	return v;
}

/* Take eight bytes of input, little-endian. */
uint64_t
fuzz_u64(struct fuzz_input *in)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)fuzz_u8(in) << (8 * i);
	return v;
}

/* Take a string of up to max bytes (NULL for a length byte of 0xff). */
char *
fuzz_str(struct fuzz_input *in, size_t max)
{
	uint8_t	 len;
	char	*s;
	size_t	 i, n;

	len = fuzz_u8(in);
	if (len == 0xff)
		return NULL;
	n = len;
	if (n > max)
		n = max;
	if (n > in->n)
		n = in->n;
	s = malloc(n + 1);
	if (s == NULL)
		abort();
	for (i = 0; i < n; i++) {
		/* A string from outside never holds a NUL. */
		s[i] = (char)(in->p[i] == 0 ? 0x80 : in->p[i]);
	}
	s[n] = '\0';
	in->p += n;
	in->n -= n;
	return s;
}

/* Return the value of a lower-case hex digit, or -1. */
static int
fuzz_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode the escaped form of textesc.h back to the bytes it shows. */
size_t
fuzz_unquote(const char *s, size_t n, unsigned char *out)
{
	size_t	i, o = 0;
	int	hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] != '\\') {
			out[o++] = (unsigned char)s[i];
			continue;
		}
		FUZZ_ASSERT_BYTES(i + 1 < n, s, n);
		switch (s[++i]) {
		case '\\':
			out[o++] = '\\';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'x':
			FUZZ_ASSERT_BYTES(i + 2 < n, s, n);
			hi = fuzz_hex(s[i + 1]);
			lo = fuzz_hex(s[i + 2]);
			FUZZ_ASSERT_BYTES(hi != -1 && lo != -1, s, n);
			out[o++] = (unsigned char)(hi << 4 | lo);
			i += 2;
			break;
		default:
			fuzz_fail(__FILE__, __LINE__,
			    "backslash starts no known escape", s, n);
		}
	}
	return o;
}

/* Decode one strict UTF-8 sequence, written from RFC 3629's table. */
size_t
fuzz_utf8(const unsigned char *p, size_t n, uint32_t *cp)
{
	uint32_t	v, min;
	size_t		len, i;

	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		v = p[0] & 0x1f;
		min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		v = p[0] & 0x0f;
		min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		v = p[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* Nonzero for a code point textesc.h lists as never shown as itself. */
int
fuzz_forbidden(uint32_t cp)
{
	/* C0, DEL and C1. */
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
		return 1;
	/* Bidi controls. */
	if (cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 1;
	/* Zero-width and format characters, line and paragraph separators. */
	if ((cp >= 0x200b && cp <= 0x200d) || (cp >= 0x2060 && cp <= 0x2064) ||
	    cp == 0xfeff || cp == 0x00ad || cp == 0x2028 || cp == 0x2029)
		return 1;
	/* Noncharacters. */
	if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe)
		return 1;
	return 0;
}

/* Check that n bytes at p can go to a terminal as they are. */
void
fuzz_check_safe(const char *what, const void *p, size_t n, int newlines)
{
	const unsigned char	*s = p;
	uint32_t		 cp;
	size_t			 i, len;
	char			 msg[128];

	for (i = 0; i < n; i += len) {
		if (newlines && s[i] == '\n') {
			len = 1;
			continue;
		}
		len = fuzz_utf8(s + i, n - i, &cp);
		if (len == 0) {
			snprintf(msg, sizeof msg, "%s: invalid UTF-8 at byte "
			    "%zu", what, i);
			fuzz_fail(__FILE__, __LINE__, msg, s, n);
		}
		if (fuzz_forbidden(cp) || !textesc_printable(cp)) {
			snprintf(msg, sizeof msg, "%s: U+%04X at byte %zu "
			    "reaches the terminal", what, (unsigned int)cp, i);
			fuzz_fail(__FILE__, __LINE__, msg, s, n);
		}
	}
}
