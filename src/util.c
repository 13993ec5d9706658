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

/* Append n in decimal with at least width digits (zeros in front). */
void
sbuf_add_u64_pad(struct sbuf *b, uint64_t n, int width)
{
	uint64_t	 rest;
	size_t		 len = 1;
	char		*p;

	/* Count the digits first to write them in place, from the end. */
	for (rest = n / 10; rest != 0; rest /= 10)
		len++;
	if (width > 20)
		width = 20;
	if (width > 0 && len < (size_t)width)
		len = (size_t)width;
	p = sbuf_reserve(b, len) + len;
	b->len += len;
	*p = '\0';
	do {
		*--p = (char)('0' + n % 10);
		n /= 10;
	} while (--len != 0);
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
