/*
 * util.c: allocation that never returns NULL and the growable buffer that
 * every formatter appends to.  Used by all modules.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/util.h"

static util_fatal_fn *util_fatal_hook;

/* Set the function that reports a fatal error (and restores the terminal). */
void
util_set_fatal(util_fatal_fn *fn)
{
	util_fatal_hook = fn;
}

/* Report a fatal error and exit; only bugs and running out of memory get here. */
void
util_fatal(const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (util_fatal_hook != NULL)
		util_fatal_hook(msg);
	fprintf(stderr, "sockscope: %s\n", msg);
	exit(1);
}

/* Allocate n bytes or die. */
void *
xmalloc(size_t n)
{
	void	*p = malloc(n == 0 ? 1 : n);

	if (p == NULL)
		util_fatal("out of memory (%zu bytes)", n);
	return p;
}

/* Allocate a zeroed array or die. */
void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p = calloc(nmemb == 0 ? 1 : nmemb, size == 0 ? 1 : size);

	if (p == NULL)
		util_fatal("out of memory (%zu x %zu bytes)", nmemb, size);
	return p;
}

/* Resize p to n bytes or die. */
void *
xrealloc(void *p, size_t n)
{
	void	*q = realloc(p, n == 0 ? 1 : n);

	if (q == NULL)
		util_fatal("out of memory (%zu bytes)", n);
	return q;
}

/* Copy a string or die. */
char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* Copy the first n bytes of s as a string or die. */
char *
xstrndup(const char *s, size_t n)
{
	char	*p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Format into a new string or die. */
char *
xasprintf(const char *fmt, ...)
{
	struct sbuf	b = { 0 };
	va_list		ap;
	int		n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		util_fatal("bad format '%s'", fmt);
	sbuf_reserve(&b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b.p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return b.p;
}

/* Make room for n more bytes plus the terminating NUL. */
char *
sbuf_reserve(struct sbuf *b, size_t n)
{
	size_t	need = b->len + n + 1;

	if (need < n)
		util_fatal("buffer size overflow");
	if (need > b->cap) {
		size_t	cap = b->cap < 256 ? 256 : b->cap;

		while (cap < need)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	return b->p + b->len;
}

/* Append formatted text. */
void
sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sbuf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* "00" to "99": two digits per division (transcript headers are mostly
 * numbers). */
static const char util_digits2[] =
    "0001020304050607080910111213141516171819"
    "2021222324252627282930313233343536373839"
    "4041424344454647484950515253545556575859"
    "6061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* 10^0 to 10^19, to count digits without dividing. */
static const uint64_t util_pow10[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL
};

/* Append n in decimal with at least width digits (zeros in front). */
void
sbuf_add_u64_pad(struct sbuf *b, uint64_t n, int width)
{
	size_t	 len = 1, total;
	char	*q, *p;

	while (len < 20 && n >= util_pow10[len])
		len++;
	if (width > 20)
		width = 20;
	total = width > 0 && len < (size_t)width ? (size_t)width : len;
	q = b->cap - b->len > total ? b->p + b->len : sbuf_reserve(b, total);
	p = q + total;
	*p = '\0';
	/* In place from the end, two digits per division. */
	while (n >= 100) {
		unsigned	r = (unsigned)(n % 100);

		n /= 100;
		p -= 2;
		p[0] = util_digits2[2 * r];
		p[1] = util_digits2[2 * r + 1];
	}
	if (n >= 10) {
		p -= 2;
		p[0] = util_digits2[2 * n];
		p[1] = util_digits2[2 * n + 1];
	} else
		*--p = (char)('0' + n);
	while (p > q)
		*--p = '0';
	b->len += total;
}

/* Append n in decimal. */
void
sbuf_add_u64(struct sbuf *b, uint64_t n)
{
	sbuf_add_u64_pad(b, n, 1);
}

/* Append n in decimal, with a '-' in front if it is negative. */
void
sbuf_add_i64(struct sbuf *b, int64_t n)
{
	if (n >= 0) {
		sbuf_add_u64(b, (uint64_t)n);
		return;
	}
	sbuf_addc(b, '-');
	/* Negate as unsigned: -INT64_MIN does not fit in an int64_t. */
	sbuf_add_u64(b, 0 - (uint64_t)n);
}

/* Empty the buffer, keeping its memory. */
void
sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

/* Release the buffer's memory. */
void
sbuf_free(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
