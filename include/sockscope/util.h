/*
 * util.h: memory helpers that never return NULL, and a growable byte
 * buffer used by every formatter.
 *
 * Running out of memory is fatal: xmalloc() and friends call the hook set by
 * util_set_fatal() (the shells set one that restores the terminal first),
 * then exit(1).
 */
#ifndef SOCKSCOPE_UTIL_H
#define SOCKSCOPE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Called on a fatal error with a one-line message; must not return. */
typedef void util_fatal_fn(const char *msg);

void util_set_fatal(util_fatal_fn *fn);
void util_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A malloc'd string from a format; never NULL. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A growable byte buffer.  Zero-initialise (struct sbuf b = { 0 }) to start;
 * sbuf_free() releases it.  p is NUL-terminated after every sbuf_* call that
 * appends (the NUL is not counted in len), so p can be printed as a string
 * when the content is text.
 */
struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

/* Make room for at least n more bytes; returns a pointer to the end. */
char *sbuf_reserve(struct sbuf *b, size_t n);

/*
 * sbuf_add(), sbuf_addc() and sbuf_adds() are inline: formatters call
 * them a few times per line, mostly with string literals, whose length
 * and copy the compiler then folds.  Only a buffer that has to grow
 * leaves the fast path, through sbuf_reserve().
 */

/* Append n bytes. */
static inline void
sbuf_add(struct sbuf *b, const void *p, size_t n)
{
	char	*q = b->cap - b->len > n ? b->p + b->len : sbuf_reserve(b, n);

	memcpy(q, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Append one byte. */
static inline void
sbuf_addc(struct sbuf *b, char c)
{
	char	*q = b->cap - b->len > 1 ? b->p + b->len : sbuf_reserve(b, 1);

	q[0] = c;
	q[1] = '\0';
	b->len++;
}

/* Append a string. */
static inline void
sbuf_adds(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Decimal numbers without printf, for lines written per chunk: the same
 * bytes as "%" PRIu64, "%0*" PRIu64 (at least width digits, zero-padded;
 * width above 20 counts as 20) and "%" PRId64, in any locale.
 */
void sbuf_add_u64(struct sbuf *b, uint64_t n);
void sbuf_add_u64_pad(struct sbuf *b, uint64_t n, int width);
void sbuf_add_i64(struct sbuf *b, int64_t n);
void sbuf_reset(struct sbuf *b);
void sbuf_free(struct sbuf *b);

#endif
